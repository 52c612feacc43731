//! Bachelier prices, Greeks and normal implied volatility against `bachelier.json`
//! (QuantLib 1.44 `bachelierBlackFormula`, `BachelierCalculator`, 40-digit mpmath audits).
//!
//! Prices are checked against the mpmath audit (QuantLib's normal cdf is off by up to 1e-7
//! relative in the far tail); Greeks against QuantLib with an absolute floor for its cdf.
//! QuantLib's `BachelierCalculator` disagrees with its own `bachelierBlackFormula` on some
//! out-of-the-money puts with a negative strike (its `calculator_price` is the call's value,
//! and its Greeks are the call's): those records' Greeks are checked by put-call parity
//! against the call instead. The implied volatility of every mpmath price must come back
//! within what one ulp of that price determines; QuantLib's own Jäckel (2017) inversion of the
//! stored price is reported for comparison.

mod common;

use common::{GREEKS_VS_QUANTLIB, PRICE_VS_MPMATH, Tolerance};
use parapet_core::OptionKind;
use parapet_pricing::bachelier::Bachelier;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    option_type: String,
    forward: f64,
    strike: f64,
    #[serde(rename = "T")]
    t: f64,
    discount: f64,
    normal_vol: f64,
    price: f64,
    delta_forward: f64,
    gamma_forward: f64,
    vega: f64,
    strike_sensitivity: f64,
    itm_cash_probability: f64,
    mpmath_check: BTreeMap<String, f64>,
    calculator_price: f64,
    #[serde(rename = "peer_ql_bachelierBlackFormulaImpliedVol")]
    peer_ql_implied: Peer,
}

#[derive(Deserialize)]
struct Peer {
    rel_err: Option<f64>,
}

fn kind(s: &str) -> OptionKind {
    match s {
        "call" => OptionKind::Call,
        "put" => OptionKind::Put,
        other => panic!("unknown option type {other}"),
    }
}

#[test]
fn bachelier_against_quantlib_and_mpmath() {
    let file: File = serde_json::from_str(include_str!("data/bachelier.json")).unwrap();
    assert!(file.cases.len() >= 70);
    let mut worst: BTreeMap<&str, f64> = BTreeMap::new();
    let mut failures = Vec::new();
    let (mut ql_iv_worst, mut iv_worst, mut iv_ratio_worst) = (0.0f64, 0.0f64, 0.0f64);
    let mut calculator_mismatches = 0;
    for c in &file.cases {
        let opt = Bachelier::new(kind(&c.option_type), c.forward, c.strike, c.t)
            .unwrap()
            .with_discount(c.discount)
            .unwrap();
        let g = opt.greeks(c.normal_vol).unwrap();
        let z = (c.forward - c.strike) / (c.normal_vol * c.t.sqrt());
        // One ulp in the moneyness or in s moves φ(z) by a relative z²·ε.
        let condition = 1.0 + z * z;
        let ql = GREEKS_VS_QUANTLIB.conditioned(condition);
        let s = c.normal_vol * c.t.sqrt();
        let calculator_ok = (c.calculator_price - c.price).abs() <= 1e-12 * c.price.abs() + 1e-15;
        if !calculator_ok {
            // Parity: the call's delta is the put's plus D, its ITM probability one minus.
            calculator_mismatches += 1;
            let call = Bachelier::new(OptionKind::Call, c.forward, c.strike, c.t)
                .unwrap()
                .with_discount(c.discount)
                .unwrap()
                .greeks(c.normal_vol)
                .unwrap();
            let tol = Tolerance::new(1e-15, 1e-15);
            assert!(
                tol.holds(call.delta - c.discount, g.delta),
                "{} put delta",
                c.id
            );
            assert!(tol.holds(call.gamma, g.gamma), "{} put gamma", c.id);
            assert!(
                tol.holds(call.delta, c.delta_forward),
                "{} call delta",
                c.id
            );
            assert!(
                tol.holds(1.0 - call.itm_probability, g.itm_probability),
                "{}",
                c.id
            );
            continue;
        }
        let fields = [
            (
                "price",
                g.price,
                c.mpmath_check["price"],
                PRICE_VS_MPMATH.conditioned(condition).with_abs(1e-300),
            ),
            (
                "delta_forward",
                g.delta,
                c.delta_forward,
                ql.with_abs(1e-15),
            ),
            (
                "gamma_forward",
                g.gamma,
                c.gamma_forward,
                ql.with_abs(1e-15 / s),
            ),
            ("vega", g.vega, c.vega, ql.with_abs(1e-15 * c.t.sqrt())),
            (
                "strike_sensitivity",
                g.strike_delta,
                c.strike_sensitivity,
                ql.with_abs(1e-15),
            ),
            (
                "itm_cash_probability",
                g.itm_probability,
                c.itm_cash_probability,
                ql.with_abs(1e-15),
            ),
        ];
        for (name, got, want, tol) in fields {
            let w = worst.entry(name).or_insert(0.0);
            if want.abs() > 1e-290 {
                *w = w.max(common::rel_err(got, want));
            }
            if !tol.holds(got, want) {
                failures.push(format!("{} {name}: got {got:e} want {want:e}", c.id));
            }
        }
    }
    for c in &file.cases {
        let opt = Bachelier::new(kind(&c.option_type), c.forward, c.strike, c.t)
            .unwrap()
            .with_discount(c.discount)
            .unwrap();
        let g = opt.greeks(c.normal_vol).unwrap();
        // Normal implied vol of the exact (mpmath) price: within what its last ulp determines.
        let exact = c.mpmath_check["price"];
        if exact > 0.0 && exact > opt.price(0.0).unwrap() {
            let iv = opt.implied_vol(exact).unwrap();
            let err = common::rel_err(iv, c.normal_vol);
            let achievable = 4.0 * common::EPS * exact / (g.vega * c.normal_vol);
            let tol = Tolerance::new(f64::max(1e-14, achievable), 0.0);
            iv_worst = iv_worst.max(err);
            iv_ratio_worst = iv_ratio_worst.max(tol.ratio(iv, c.normal_vol));
            if let Some(e) = c.peer_ql_implied.rel_err {
                ql_iv_worst = ql_iv_worst.max(e);
            }
            if !tol.holds(iv, c.normal_vol) {
                failures.push(format!(
                    "{} implied: got {iv:e} want {:e} (rel err {err:.2e})",
                    c.id, c.normal_vol
                ));
            }
        }
    }
    for (name, rel) in &worst {
        eprintln!("bachelier.json {name:>20}: max rel err {rel:.2e}");
    }
    eprintln!(
        "bachelier.json: {calculator_mismatches} records with QuantLib calculator Greeks of the wrong option (checked by parity)"
    );
    eprintln!(
        "bachelier.json normal implied vol: max rel err {iv_worst:.2e} (err/tol {iv_ratio_worst:.3}); QuantLib's inversion {ql_iv_worst:.2e}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
