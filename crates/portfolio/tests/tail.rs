//! Minimum CVaR / CDaR / maximum-drawdown LPs against riskfolio-lib 7.4.0, skfolio 1.12.2,
//! PyPortfolioOpt 1.6.0 and HiGHS (`min_*`), with each optimum recomputed from its weights.

mod common;

use common::{check_vector, tol, vector, window_returns};
use ndarray::{Array1, Array2};
use parapet_portfolio::{LpMethod, ScenarioOptimizer, TailRisk};

/// `ζ + 1/(αT) Σ max(0, x − ζ)` minimised over ζ: the mean of the worst αT values, with the
/// fractional scenario at the boundary (Rockafellar & Uryasev 2000, eq. 9).
fn cvar(mut x: Vec<f64>, alpha: f64) -> f64 {
    x.sort_by(|a, b| b.total_cmp(a));
    let k = alpha * x.len() as f64;
    let whole = k.floor() as usize;
    let mut s: f64 = x[..whole].iter().sum();
    if whole < x.len() {
        s += (k - whole as f64) * x[whole];
    }
    s / k
}

fn drawdowns(r: &Array2<f64>, w: &Array1<f64>) -> Vec<f64> {
    let mut c = 0.0_f64;
    let mut peak = 0.0_f64;
    r.dot(w)
        .iter()
        .map(|x| {
            c += x;
            peak = peak.max(c);
            peak - c
        })
        .collect()
}

#[test]
fn every_tail_case_matches() {
    let cases = common::cases("min_");
    assert_eq!(cases.len(), 4);
    for (name, case) in cases {
        let inp = &case["inputs"];
        let e = &case["expected"];
        let r = window_returns(&inp["data"]);
        let bounds = vector(&inp["weight_bounds"]);
        let alpha = inp["alpha_tail_probability"].as_f64().unwrap();
        let (measure, key) = if name.starts_with("min_cvar") {
            (TailRisk::CVaR { alpha }, "min_cvar_objective")
        } else if name.starts_with("min_cdar") {
            (TailRisk::CDaR { alpha }, "objective")
        } else {
            (TailRisk::MaxDrawdown, "objective")
        };
        for method in [LpMethod::Structured, LpMethod::Clarabel] {
            let p = ScenarioOptimizer::new(r.view())
                .unwrap()
                .with_bounds(bounds[0], bounds[1])
                .unwrap()
                .with_method(method)
                .minimise(measure)
                .unwrap();
            let expected = e[key].as_f64().unwrap();
            assert!(
                tol::LP_OBJECTIVE.ok(p.risk, expected),
                "{name}: {} vs {expected}",
                p.risk
            );
            let recomputed = match measure {
                TailRisk::CVaR { alpha } => {
                    cvar(r.dot(&p.weights).iter().map(|x| -x).collect(), alpha)
                }
                TailRisk::CDaR { alpha } => cvar(drawdowns(&r, &p.weights), alpha),
                TailRisk::MaxDrawdown => drawdowns(&r, &p.weights).into_iter().fold(0.0, f64::max),
            };
            assert!(
                tol::LP_OBJECTIVE.ok(recomputed, expected),
                "{name}: recomputed {recomputed} vs {expected}"
            );
            let werr = check_vector(name, &p.weights, &vector(&e["weights"]), tol::LP_WEIGHTS);
            eprintln!(
                "{name} [{method:?}]: objective rel err {:.2e} (recomputed from weights {:.2e}), max |dw| {werr:.2e}, {} iterations",
                ((p.risk - expected) / expected).abs(),
                ((recomputed - expected) / expected).abs(),
                p.iterations
            );
        }
    }
}
