//! Black implied volatility against `implied_vol.json` (QuantLib 1.44 prices, mpmath exact
//! inverses): every case within its `achievable_rel_tol`.

mod common;

use parapet_core::OptionKind;
use parapet_pricing::{PricingError, implied};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    category: String,
    option_type: String,
    forward: f64,
    strike: f64,
    #[serde(rename = "T")]
    t: f64,
    discount: f64,
    price: f64,
    exact_iv_of_price: f64,
    achievable_rel_tol: f64,
}

fn kind(s: &str) -> OptionKind {
    match s {
        "call" => OptionKind::Call,
        "put" => OptionKind::Put,
        other => panic!("unknown option type {other}"),
    }
}

#[test]
fn every_case_within_achievable_tolerance() {
    let file: File = serde_json::from_str(include_str!("data/implied_vol.json")).unwrap();
    assert!(file.cases.len() >= 288);
    let mut worst: BTreeMap<String, (f64, f64, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for c in &file.cases {
        // The stored price is discounted; the exact inverse is of that double, so divide by
        // the recorded discount factor (≤ 1 ulp, inside the tolerance by construction).
        let undiscounted = c.price / c.discount;
        let res = implied::black_vol_solution(
            kind(&c.option_type),
            c.forward,
            c.strike,
            c.t,
            undiscounted,
        );
        let sol = match res {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{} ({}): {e}", c.id, c.category));
                continue;
            }
        };
        let err = (sol.vol - c.exact_iv_of_price).abs() / c.exact_iv_of_price;
        let ratio = err / c.achievable_rel_tol;
        let w = worst.entry(c.category.clone()).or_insert((0.0, 0.0, 0, 0));
        w.0 = w.0.max(err);
        w.1 = w.1.max(ratio);
        w.2 = w.2.max(sol.iterations);
        w.3 += 1;
        if ratio > 1.0 {
            failures.push(format!(
                "{} ({}): vol {} exact {} rel err {err:.3e} > tol {:.3e}",
                c.id, c.category, sol.vol, c.exact_iv_of_price, c.achievable_rel_tol
            ));
        }
    }
    for (cat, (err, ratio, it, n)) in &worst {
        eprintln!(
            "implied_vol.json {cat:>24}: {n:3} cases, max rel err {err:.2e}, max err/tol {ratio:.3}, max iterations {it}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn out_of_bounds_prices_are_typed_errors() {
    let call = OptionKind::Call;
    assert_eq!(
        implied::black_vol(call, 100.0, 90.0, 1.0, 10.0),
        Err(PricingError::BelowIntrinsic {
            price: 10.0,
            intrinsic: 10.0
        })
    );
    assert_eq!(
        implied::black_vol(call, 100.0, 90.0, 1.0, 100.0),
        Err(PricingError::AboveUpperBound {
            price: 100.0,
            bound: 100.0
        })
    );
    assert!(matches!(
        implied::black_vol(OptionKind::Put, 100.0, 90.0, 1.0, -1e-300),
        Err(PricingError::BelowIntrinsic { .. })
    ));
    assert!(matches!(
        implied::black_vol(call, 100.0, 90.0, 1.0, f64::NAN),
        Err(PricingError::NotFinite { name: "price", .. })
    ));
    assert!(matches!(
        implied::black_vol(call, 100.0, 90.0, 0.0, 12.0),
        Err(PricingError::NotPositive { name: "expiry", .. })
    ));
    assert!(matches!(
        implied::black_vol(call, -100.0, 90.0, 1.0, 12.0),
        Err(PricingError::NotPositive {
            name: "forward",
            ..
        })
    ));
}
