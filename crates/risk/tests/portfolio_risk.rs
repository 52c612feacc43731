//! Attribution, Monte Carlo and stress tests through the public API, on the bundled data.
mod common;

use ndarray::{Array2, array};
use ndarray_linalg::{Eigh, UPLO};
use parapet_core::{PriceTable, ReturnKind};
use parapet_risk::{
    Confidence, Joint, Measure, MonteCarlo, NormalModel, StudentTModel, factor_shock,
    historical_attribution, parametric_attribution, replay, stressed_correlation,
    uniform_correlation, with_correlation,
};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

const STOCKS: &str = include_str!("data/sp500_20stocks_prices.csv");

#[test]
fn parametric_marginals_match_finite_differences() {
    let cov = array![
        [0.04, 0.01, -0.004],
        [0.01, 0.02, 0.003],
        [-0.004, 0.003, 0.09]
    ];
    let mean = [0.001, 0.0005, 0.002];
    let w = [0.5, 0.3, 0.2];
    let c = Confidence::new(0.99).unwrap();
    for m in [Measure::Var, Measure::Es] {
        let a = parametric_attribution(&w, &mean, cov.view(), c, m).unwrap();
        // The total is the normal model's VaR/ES of the portfolio.
        let sd = (0..3)
            .map(|i| (0..3).map(|j| w[i] * w[j] * cov[[i, j]]).sum::<f64>())
            .sum::<f64>()
            .sqrt();
        let mu: f64 = w.iter().zip(&mean).map(|(a, b)| a * b).sum();
        let t = NormalModel::new(mu, sd).unwrap().var_es(c).unwrap();
        let direct = if m == Measure::Var { t.var } else { t.es };
        assert!((a.total - direct).abs() < 1e-15);
        for i in 0..3 {
            let h = 1e-6;
            let mut up = w;
            up[i] += h;
            let mut dn = w;
            dn[i] -= h;
            let f = |x: &[f64]| {
                parametric_attribution(x, &mean, cov.view(), c, m)
                    .unwrap()
                    .total
            };
            let fd = (f(&up) - f(&dn)) / (2.0 * h);
            assert!(
                (fd - a.marginal[i]).abs() < 1e-8,
                "{m:?} {i}: {fd} vs {}",
                a.marginal[i]
            );
            let mut zero = w;
            zero[i] = 0.0;
            assert!((a.incremental[i] - (a.total - f(&zero))).abs() < 1e-15);
        }
    }
    assert!(parametric_attribution(&w[..2], &mean, cov.view(), c, Measure::Var).is_err());
}

#[test]
fn historical_attribution_on_the_20_stocks() {
    let prices = PriceTable::from_csv_str(STOCKS)
        .unwrap()
        .between("2013-01-01", "2022-12-28")
        .unwrap();
    let r = prices.returns(ReturnKind::Simple).unwrap();
    let n = r.names().len();
    let w = vec![1.0 / n as f64; n];
    let c = Confidence::new(0.975).unwrap();
    let a = historical_attribution(&w, r.values(), c, Measure::Es).unwrap();
    let sum: f64 = a.component.iter().sum();
    assert!((sum - a.total).abs() < 1e-15);
    // The equal-weight portfolio's ES equals the portfolio measure computed directly.
    let p = r.portfolio(&w).unwrap();
    let direct =
        parapet_risk::historical_es(p.as_slice().unwrap(), c, parapet_risk::EsMethod::Fractional)
            .unwrap();
    assert!((a.total - direct).abs() < 1e-15);
    eprintln!(
        "ew20 97.5% ES {:.5}, largest component {:.5}",
        a.total,
        a.component.iter().cloned().fold(f64::MIN, f64::max)
    );
}

#[test]
fn monte_carlo_matches_closed_forms_within_standard_error() {
    let cov = array![[4e-4, 1e-4, 0.0], [1e-4, 9e-4, 2e-4], [0.0, 2e-4, 2.5e-3]];
    let mean = [2e-4, 1e-4, 3e-4];
    let w = [0.4, 0.4, 0.2];
    let c = Confidence::new(0.99).unwrap();
    let m = 400_000;
    let sd = (0..3)
        .map(|i| (0..3).map(|j| w[i] * w[j] * cov[[i, j]]).sum::<f64>())
        .sum::<f64>()
        .sqrt();
    let mu: f64 = w.iter().zip(&mean).map(|(a, b)| a * b).sum();
    let a = c.tail();
    for (joint, exact) in [
        (
            Joint::Normal,
            NormalModel::new(mu, sd).unwrap().var_es(c).unwrap(),
        ),
        // Multivariate t with covariance Σ: the portfolio is a univariate t with scale sd·√((ν−2)/ν).
        (
            Joint::StudentT { df: 5.0 },
            StudentTModel::new(5.0, mu, sd * (3.0f64 / 5.0).sqrt())
                .unwrap()
                .var_es(c)
                .unwrap(),
        ),
    ] {
        let mc = MonteCarlo::new(&mean, cov.view(), joint).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2024);
        let sim = mc.var_es(&w, c, m, &mut rng).unwrap();
        // Standard error of a sample quantile, √(a(1−a)/m)/f(q), with f the normal density at
        // the quantile as the scale for both families (the t(5) density there is close to
        // it); four standard errors for VaR, eight for the noisier ES.
        let density = (-0.5 * ((exact.var + mu) / sd).powi(2)).exp()
            / (sd * (2.0 * std::f64::consts::PI).sqrt());
        let se = (a * (1.0 - a) / m as f64).sqrt() / density;
        assert!(
            (sim.var - exact.var).abs() < 4.0 * se,
            "{joint:?}: {} vs {} (se {se:e})",
            sim.var,
            exact.var
        );
        assert!(
            (sim.es - exact.es).abs() < 8.0 * se,
            "{joint:?}: ES {} vs {}",
            sim.es,
            exact.es
        );
        eprintln!(
            "MC {joint:?}: VaR {:.6} vs {:.6}, ES {:.6} vs {:.6}, se {se:.1e}",
            sim.var, exact.var, sim.es, exact.es
        );
    }
    // The full scenario matrix has the requested covariance.
    let mc = MonteCarlo::new(&mean, cov.view(), Joint::Normal).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let s = mc.simulate_returns(200_000, &mut rng);
    let c01 = s
        .column(0)
        .iter()
        .zip(s.column(1))
        .map(|(a, b)| (a - mean[0]) * (b - mean[1]))
        .sum::<f64>()
        / 2e5;
    assert!((c01 - 1e-4).abs() < 4.0 * (4e-4f64 * 9e-4).sqrt() / (2e5f64).sqrt());
    // Reproducible bit for bit under a seed.
    let run = |seed| {
        mc.var_es(&w, c, 10_000, &mut Xoshiro256PlusPlus::seed_from_u64(seed))
            .unwrap()
    };
    assert_eq!(run(9), run(9));
    assert!(
        MonteCarlo::new(
            &mean,
            array![[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]].view(),
            Joint::Normal
        )
        .is_err()
    );
    assert!(MonteCarlo::new(&mean, cov.view(), Joint::StudentT { df: 2.0 }).is_err());
}

#[test]
fn replay_of_2008_and_december_2018() {
    let prices = PriceTable::from_csv_str(STOCKS).unwrap();
    let r = prices
        .between("2005-01-01", "2022-12-28")
        .unwrap()
        .returns(ReturnKind::Simple)
        .unwrap();
    let n = r.names().len();
    let w = vec![1.0 / n as f64; n];
    for (from, to) in [("2008-09-01", "2008-11-30"), ("2018-12-01", "2018-12-31")] {
        let s = replay(&r, &w, from, to).unwrap();
        // Each asset's window return is its price ratio across the window.
        let p = prices.values();
        let dates = prices.dates();
        let last = dates.iter().rposition(|d| d.as_str() <= to).unwrap();
        let base = dates.iter().position(|d| d.as_str() >= from).unwrap() - 1;
        for i in 0..n {
            let direct = p[[last, i]] / p[[base, i]] - 1.0;
            assert!((s.asset_returns[i] - direct).abs() < 1e-12, "{from} {i}");
        }
        assert!(s.portfolio_return < -0.05, "{from}: {}", s.portfolio_return);
        assert!((s.path.last().unwrap() - 1.0 - s.portfolio_return).abs() < 1e-14);
        assert!(s.max_drawdown >= -s.portfolio_return - 1e-12);
        eprintln!(
            "replay {from}..{to}: {} days, portfolio {:.4}, max drawdown {:.4}",
            s.periods, s.portfolio_return, s.max_drawdown
        );
    }
    assert!(replay(&r, &w, "1990-01-01", "1990-12-31").is_err());
    assert!(replay(&r, &w[..3], "2008-09-01", "2008-11-30").is_err());
}

#[test]
fn factor_shocks_and_correlation_stress() {
    let b = array![[1.2, 0.3], [0.8, -0.2], [1.0, 0.0]];
    let (asset, p) = factor_shock(b.view(), &[-0.2, 0.05], &[0.5, 0.3, 0.2]).unwrap();
    assert!((asset[0] - (-0.24 + 0.015)).abs() < 1e-15);
    assert!((p - (0.5 * asset[0] + 0.3 * asset[1] + 0.2 * asset[2])).abs() < 1e-15);
    assert!(factor_shock(b.view(), &[0.1], &[0.5, 0.3, 0.2]).is_err());

    let cov: Array2<f64> = array![
        [0.04, 0.006, -0.002],
        [0.006, 0.01, 0.001],
        [-0.002, 0.001, 0.0225]
    ];
    let sd: Vec<f64> = (0..3).map(|i| cov[[i, i]].sqrt()).collect();
    let corr = Array2::from_shape_fn((3, 3), |(i, j)| cov[[i, j]] / (sd[i] * sd[j]));
    let target = uniform_correlation(3, 0.9).unwrap();
    let c = Confidence::new(0.99).unwrap();
    let w = [0.4, 0.3, 0.3];
    let mut previous = 0.0;
    for lambda in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let s = stressed_correlation(corr.view(), target.view(), lambda).unwrap();
        let (vals, _) = s.eigh(UPLO::Lower).unwrap();
        assert!(vals.iter().all(|v| *v > 0.0));
        let stressed_cov = with_correlation(cov.view(), s.view()).unwrap();
        for i in 0..3 {
            assert!((stressed_cov[[i, i]] - cov[[i, i]]).abs() < 1e-17);
        }
        let var = parametric_attribution(&w, &[0.0; 3], stressed_cov.view(), c, Measure::Var)
            .unwrap()
            .total;
        // A long-only book loses more as correlations rise.
        assert!(var >= previous);
        previous = var;
    }
}
