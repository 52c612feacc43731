//! Cross-checks at scale on the shared synthetic problems (regenerated, checked against
//! `synthetic_manifest.json`): factor form against the dense covariance, the active-set path
//! against Clarabel, and the structured CVaR interior point against Clarabel.

mod common;

use common::synthetic;
use common::{max_abs_diff, tol};
use parapet_portfolio::{
    FactorModel, LpMethod, MeanVariance, Objective, ScenarioOptimizer, SolverSettings, TailRisk,
};

#[test]
fn generator_matches_the_manifest() {
    // synthetic_manifest.json: self-test values and fm100's first covariance entries.
    let u = synthetic::uniforms(1, 3);
    assert_eq!(
        u,
        [0.5665615751722809, 0.7457817572627011, 0.9710027535867962]
    );
    let (b, f, d, mu) = synthetic::factor_model(100, 100);
    let m = FactorModel::new(b, f, d).unwrap();
    let cov = m.covariance();
    assert!((cov[[0, 0]] - 0.1380190355715194).abs() < 1e-15);
    assert!((cov[[0, 1]] - 0.027520022921996727).abs() < 1e-15);
    assert!((mu[0] - 0.0395803472451469).abs() < 1e-16);
    let r = synthetic::scenarios(200, 5000, 200);
    assert!((r[[0, 0]] + 0.003968240367069213).abs() < 1e-15);
}

#[test]
fn factor_form_dense_form_and_both_paths_agree() {
    let (b, f, d, mu) = synthetic::factor_model(100, 100);
    let model = FactorModel::new(b, f, d).unwrap();
    let cov = model.covariance();
    let conic = SolverSettings {
        active_set: false,
        ..SolverSettings::default()
    };
    // A volatility cap between the minimum-volatility and tangency portfolios binds.
    let probe = MeanVariance::with_factor_model(mu.view(), model.clone())
        .unwrap()
        .with_bounds(0.0, 0.05)
        .unwrap();
    let lo = probe.solve(Objective::MinVolatility).unwrap().volatility;
    let hi = probe
        .solve(Objective::MaxSharpe { risk_free: 0.02 })
        .unwrap()
        .volatility;
    for obj in [
        Objective::MinVolatility,
        Objective::MaxSharpe { risk_free: 0.02 },
        Objective::EfficientReturn { target: 0.07 },
        Objective::EfficientRisk {
            target_volatility: 0.5 * (lo + hi),
        },
        Objective::MaxQuadraticUtility { risk_aversion: 4.0 },
    ] {
        let factor = MeanVariance::with_factor_model(mu.view(), model.clone())
            .unwrap()
            .with_bounds(0.0, 0.05)
            .unwrap();
        let a = factor.solve(obj).unwrap();
        let b = factor
            .clone()
            .with_settings(conic)
            .unwrap()
            .solve(obj)
            .unwrap();
        let c = MeanVariance::new(mu.view(), cov.view())
            .unwrap()
            .with_bounds(0.0, 0.05)
            .unwrap()
            .solve(obj)
            .unwrap();
        let (ab, ac) = (
            max_abs_diff(&a.weights, &b.weights),
            max_abs_diff(&a.weights, &c.weights),
        );
        assert!(
            a.info.polished && b.info.polished && c.info.polished,
            "{obj:?}"
        );
        assert!(ab < 1e-10 && ac < 1e-10, "{obj:?}: {ab} {ac}");
        assert!(tol::OBJECTIVE.ok(a.volatility, c.volatility));
        eprintln!("{obj:?}: factor active-set vs Clarabel {ab:.1e}, vs dense {ac:.1e}");
    }
}

#[test]
fn structured_cvar_matches_clarabel_on_synthetic_scenarios() {
    let r = synthetic::scenarios(40, 1500, 200);
    let opt = ScenarioOptimizer::new(r.view())
        .unwrap()
        .with_bounds(0.0, 0.2)
        .unwrap();
    let a = opt.minimise(TailRisk::CVaR { alpha: 0.05 }).unwrap();
    let b = opt
        .clone()
        .with_method(LpMethod::Clarabel)
        .minimise(TailRisk::CVaR { alpha: 0.05 })
        .unwrap();
    let exact_b = opt.cvar(b.weights.as_slice().unwrap(), 0.05).unwrap();
    assert!(
        tol::LP_OBJECTIVE.ok(a.risk, exact_b),
        "{} vs {exact_b}",
        a.risk
    );
    assert!(
        a.risk <= exact_b + 1e-12,
        "structured optimum above Clarabel's"
    );
    eprintln!(
        "CVaR 40x1500: structured {} ({} it), Clarabel {} ({} it), max |dw| {:.1e}",
        a.risk,
        a.iterations,
        exact_b,
        b.iterations,
        max_abs_diff(&a.weights, &b.weights)
    );
}
