//! Mean-variance optima against PyPortfolioOpt 1.6.0 references (Clarabel at 1e-12 plus an
//! exact KKT polish, see each file's `peer`), on every `ef_*` and `pypfopt_tests_*` case.

mod common;

use common::{check_vector, matrix, strings, tol, vector};
use parapet_portfolio::{MeanVariance, Objective, SolverSettings};
use serde_json::Value;

/// The two exact paths: the primal-dual active-set method, and Clarabel followed by the KKT
/// polish; both must reproduce every reference.
const PATHS: [(&str, bool); 2] = [("active-set", true), ("clarabel+polish", false)];

fn problem(inputs: &Value) -> MeanVariance {
    let mu = vector(&inputs["mu"]);
    let cov = matrix(&inputs["cov"]);
    let bounds = vector(&inputs["weight_bounds"]);
    let mut mv = MeanVariance::new(mu.view(), cov.view())
        .unwrap()
        .with_bounds(bounds[0], bounds[1])
        .unwrap();
    if let Some(mapper) = inputs["sector_mapper"].as_object() {
        let assets = strings(&inputs["assets"]);
        let names: Vec<String> = {
            let mut v: Vec<String> = mapper
                .values()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        for name in names {
            let members: Vec<usize> = assets
                .iter()
                .enumerate()
                .filter(|(_, a)| mapper[a.as_str()].as_str() == Some(name.as_str()))
                .map(|(i, _)| i)
                .collect();
            let lo = inputs["sector_lower"][&name]
                .as_f64()
                .unwrap_or(f64::NEG_INFINITY);
            let hi = inputs["sector_upper"][&name]
                .as_f64()
                .unwrap_or(f64::INFINITY);
            if lo.is_finite() || hi.is_finite() {
                mv = mv.with_group(&name, &members, lo, hi).unwrap();
            }
        }
    }
    mv
}

fn objective(inputs: &Value) -> (Objective, f64) {
    let rf = inputs["risk_free_rate"]
        .as_f64()
        .or(inputs["rf"].as_f64())
        .unwrap_or(0.0);
    let method = inputs["method"].as_str().unwrap_or("");
    if method == "max_sharpe" || inputs.get("rf").is_some() {
        (Objective::MaxSharpe { risk_free: rf }, rf)
    } else if method == "efficient_return" || (method.is_empty() && inputs.get("target").is_some())
    {
        let target = inputs["target"].as_f64().unwrap();
        (Objective::EfficientReturn { target }, rf)
    } else if method == "efficient_risk" {
        let target_volatility = inputs["target"].as_f64().unwrap();
        (Objective::EfficientRisk { target_volatility }, rf)
    } else if method == "max_quadratic_utility" || inputs.get("delta").is_some() {
        let risk_aversion = inputs["risk_aversion"]
            .as_f64()
            .or(inputs["delta"].as_f64())
            .unwrap();
        (Objective::MaxQuadraticUtility { risk_aversion }, rf)
    } else {
        (Objective::MinVolatility, rf)
    }
}

#[test]
fn every_single_optimum_matches() {
    let mut count = 0;
    for prefix in ["ef_", "pypfopt_tests_"] {
        for (name, case) in common::cases(prefix) {
            if case["category"] == "mean_variance_frontier" {
                continue;
            }
            let inputs = &case["inputs"];
            for (path, active_set) in PATHS {
                let mv = problem(inputs)
                    .with_settings(SolverSettings {
                        active_set,
                        ..SolverSettings::default()
                    })
                    .unwrap();
                let (obj, rf) = objective(inputs);
                let p = mv.solve(obj).unwrap_or_else(|e| panic!("{name}: {e}"));
                let expected = &case["expected"];
                let werr = check_vector(
                    name,
                    &p.weights,
                    &vector(&expected["weights"]),
                    tol::WEIGHTS,
                );
                let perf = expected
                    .get("performance")
                    .unwrap_or(&expected["performance_rf002"]);
                let rf = if expected.get("performance_rf002").is_some() {
                    0.02
                } else {
                    rf
                };
                let checks = [
                    ("expected_return", p.expected_return),
                    ("volatility", p.volatility),
                    ("sharpe", p.sharpe_ratio(rf)),
                ];
                let mut perr = 0.0_f64;
                for (field, got) in checks {
                    let e = perf[field].as_f64().unwrap();
                    assert!(
                        tol::OBJECTIVE.ok(got, e),
                        "{name} {field}: got {got}, expected {e}"
                    );
                    perr = perr.max(((got - e) / e).abs());
                }
                eprintln!(
                    "{name} [{path}]: max |dw| = {werr:.2e}, max rel perf err = {perr:.2e}, {:?}",
                    p.info
                );
                assert!(p.info.polished, "{name}: polish rejected");
                count += 1;
            }
        }
    }
    assert_eq!(count, 2 * 17);
}

#[test]
fn every_frontier_matches() {
    let cases = common::cases("ef_frontier");
    assert_eq!(cases.len(), 2);
    for (name, case) in cases {
        for (path, active_set) in PATHS {
            let inputs = &case["inputs"];
            let mv = problem(inputs)
                .with_settings(SolverSettings {
                    active_set,
                    ..SolverSettings::default()
                })
                .unwrap();
            let targets = vector(&inputs["targets"]);
            let f = mv.frontier_at(targets.as_slice().unwrap(), None).unwrap();
            let expected = &case["expected"];
            let mut werr = check_vector(
                name,
                &f.min_volatility.weights,
                &vector(&expected["min_volatility"]["weights"]),
                tol::WEIGHTS,
            );
            let mut verr = 0.0_f64;
            let mut warm = 0;
            for (p, e) in f.points.iter().zip(expected["points"].as_array().unwrap()) {
                werr = werr.max(check_vector(
                    name,
                    &p.weights,
                    &vector(&e["weights"]),
                    tol::WEIGHTS,
                ));
                let ev = e["volatility"].as_f64().unwrap();
                assert!(
                    tol::OBJECTIVE.ok(p.volatility, ev),
                    "{name}: vol {} vs {ev}",
                    p.volatility
                );
                verr = verr.max(((p.volatility - ev) / ev).abs());
                assert!(p.info.polished);
                warm += usize::from(p.info.warm_started);
            }
            eprintln!(
                "{name} [{path}]: {} points, max |dw| = {werr:.2e}, max rel vol err = {verr:.2e}, warm-started {warm}",
                f.points.len()
            );
        }
    }
}

/// The critical line algorithm's corners reproduce every reference frontier point by linear
/// interpolation, and each corner matches an independent Clarabel + polish solve.
#[test]
fn corner_portfolios_span_every_frontier() {
    for (name, case) in common::cases("ef_frontier") {
        let inputs = &case["inputs"];
        let mv = problem(inputs);
        let corners = mv.corner_portfolios().unwrap();
        let conic = problem(inputs)
            .with_settings(SolverSettings {
                active_set: false,
                ..SolverSettings::default()
            })
            .unwrap();
        let mut cerr = 0.0_f64;
        for c in &corners {
            let p = conic
                .solve(Objective::EfficientReturn {
                    target: c.expected_return,
                })
                .unwrap();
            cerr = cerr.max(common::max_abs_diff(&p.weights, &c.weights));
        }
        assert!(cerr < 1e-9, "{name}: corner vs Clarabel {cerr}");
        let mut werr = 0.0_f64;
        for e in case["expected"]["points"].as_array().unwrap() {
            let t = e["expected_return"].as_f64().unwrap();
            let k = corners
                .windows(2)
                .position(|p| p[0].expected_return <= t && t <= p[1].expected_return)
                .unwrap_or_else(|| panic!("{name}: {t} outside the corners"));
            let (a, b) = (&corners[k], &corners[k + 1]);
            let x = (t - a.expected_return) / (b.expected_return - a.expected_return);
            let w = &a.weights + &((&b.weights - &a.weights) * x);
            werr = werr.max(check_vector(name, &w, &vector(&e["weights"]), tol::WEIGHTS));
        }
        eprintln!(
            "{name}: {} corner portfolios; max |dw| interpolated vs reference {werr:.2e}; corners vs Clarabel {cerr:.2e}",
            corners.len()
        );
    }
}
