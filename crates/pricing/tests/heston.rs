//! Heston prices against `heston.json` (QuantLib 1.44 `AnalyticHestonEngine`, adaptive
//! Gauss-Lobatto at 1e-14, cases below 1e-10·S flagged as Fourier noise) and the Heston
//! groups of `paper_values.json` (Lewis's 15-digit values, Fang & Oosterlee's table).

mod common;

use common::{
    HESTON_ENGINES_AGREE, HESTON_NOISE_FLOOR, HESTON_VS_LEWIS, HESTON_VS_QUANTLIB, Tolerance,
};
use parapet_core::{Market, OptionKind, Vanilla};
use parapet_pricing::heston::{Cos, HestonModel, HestonParams, Lewis};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    param_set: String,
    option_type: String,
    spot: f64,
    strike: f64,
    #[serde(rename = "T")]
    t: f64,
    r: f64,
    q: f64,
    v0: f64,
    kappa: f64,
    theta: f64,
    sigma: f64,
    rho: f64,
    reference_price: f64,
    reference_abs_accuracy_estimate: f64,
    below_noise_floor: bool,
}

fn kind(s: &str) -> OptionKind {
    if s == "call" {
        OptionKind::Call
    } else {
        OptionKind::Put
    }
}

fn inputs(r: &Value) -> (HestonModel, Vanilla, Market) {
    let f = |k: &str| r[k].as_f64().unwrap();
    (
        HestonModel::new(HestonParams {
            v0: f("v0"),
            kappa: f("kappa"),
            theta: f("theta"),
            sigma: f("sigma"),
            rho: f("rho"),
        })
        .unwrap(),
        Vanilla::european(
            kind(r["option_type"].as_str().unwrap()),
            f("strike"),
            f("T"),
        )
        .unwrap(),
        Market::new(f("spot"), f("r"), f("q")).unwrap(),
    )
}

fn cases() -> Vec<Case> {
    let f: File = serde_json::from_str(include_str!("data/heston.json")).unwrap();
    assert_eq!(f.cases.len(), 74);
    f.cases
}

/// Checks `price` on every case of heston.json; returns the worst absolute error.
fn check(name: &str, price: impl Fn(&HestonModel, &Vanilla, &Market) -> f64) -> f64 {
    let mut worst = 0.0f64;
    let mut worst_id = String::new();
    let mut failures = Vec::new();
    for c in cases() {
        let model = HestonModel::new(HestonParams {
            v0: c.v0,
            kappa: c.kappa,
            theta: c.theta,
            sigma: c.sigma,
            rho: c.rho,
        })
        .unwrap();
        let option = Vanilla::european(kind(&c.option_type), c.strike, c.t).unwrap();
        let market = Market::new(c.spot, c.r, c.q).unwrap();
        let got = price(&model, &option, &market);
        let tol: Tolerance = if c.below_noise_floor {
            HESTON_NOISE_FLOOR
        } else {
            HESTON_VS_QUANTLIB
        };
        let tol = tol.with_abs(tol.abs + c.reference_abs_accuracy_estimate);
        let err = (got - c.reference_price).abs();
        if err > worst {
            worst = err;
            worst_id = format!("{} ({})", c.id, c.param_set);
        }
        if !tol.holds(got, c.reference_price) {
            failures.push(format!(
                "{} {}: {got} vs {}",
                c.id, c.param_set, c.reference_price
            ));
        }
    }
    eprintln!("heston.json {name}: 74 cases, max abs err {worst:.3e} at {worst_id}");
    assert!(failures.is_empty(), "{name}: {failures:#?}");
    worst
}

#[test]
fn lewis_matches_quantlib() {
    let lewis = Lewis::default();
    check("Lewis adaptive", |m, o, mk| lewis.price(m, o, mk).unwrap());
}

#[test]
fn cos_matches_quantlib() {
    let cos = Cos::default();
    check("COS", |m, o, mk| cos.price(m, o, mk).unwrap());
}

fn paper(prefix: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(include_str!("data/paper_values.json")).unwrap();
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["group"].as_str().unwrap().starts_with(prefix))
        .flat_map(|g| g["records"].as_array().unwrap().clone())
        .collect()
}

#[test]
fn lewis_reference_values() {
    let recs = paper("lewis_heston_reference");
    assert_eq!(recs.len(), 7);
    let (lewis, cos) = (Lewis::default(), Cos::default());
    let mut worst = [0.0f64; 2];
    for r in &recs {
        let (m, o, mk) = inputs(r);
        let want = r["published_value"].as_f64().unwrap();
        for (i, got) in [
            lewis.price(&m, &o, &mk).unwrap(),
            cos.price(&m, &o, &mk).unwrap(),
        ]
        .into_iter()
        .enumerate()
        {
            worst[i] = worst[i].max((got - want).abs());
            assert!(
                HESTON_VS_LEWIS.holds(got, want),
                "{} [{i}]: {got} vs {want}",
                r["id"]
            );
        }
    }
    eprintln!(
        "paper_values Lewis (7): max abs err Lewis {:.3e}, COS {:.3e}",
        worst[0], worst[1]
    );
}

#[test]
fn fang_oosterlee_reference_values() {
    let (lewis, cos) = (Lewis::default(), Cos::default());
    for r in paper("fang_oosterlee2008_heston") {
        let (m, o, mk) = inputs(&r);
        // The published 5.785155450 (Carr-Madan, N = 2^17) is good to 1.6e-8; QuantLib's
        // adaptive value carries 1e-10.
        let published = r["published_value"].as_f64().unwrap();
        let ql = r["quantlib_reference_engine"].as_f64().unwrap();
        for got in [
            lewis.price(&m, &o, &mk).unwrap(),
            cos.price(&m, &o, &mk).unwrap(),
        ] {
            eprintln!(
                "paper_values Fang-Oosterlee {}: {got} (published {published}, QuantLib {ql})",
                r["id"]
            );
            assert!((got - published).abs() < 2e-8);
            assert!(HESTON_VS_QUANTLIB.holds(got, ql));
        }
    }
}

/// The two engines are independent (cosine series against adaptive quadrature of a different
/// integral): they agree far below the reference's own accuracy.
#[test]
fn cos_and_lewis_agree() {
    let (lewis, cos) = (Lewis::default(), Cos::default());
    let mut worst = 0.0f64;
    for c in cases() {
        let model = HestonModel::new(HestonParams {
            v0: c.v0,
            kappa: c.kappa,
            theta: c.theta,
            sigma: c.sigma,
            rho: c.rho,
        })
        .unwrap();
        let option = Vanilla::european(kind(&c.option_type), c.strike, c.t).unwrap();
        let market = Market::new(c.spot, c.r, c.q).unwrap();
        let a = lewis.price(&model, &option, &market).unwrap();
        let b = cos.price(&model, &option, &market).unwrap();
        worst = worst.max((a - b).abs());
        assert!(HESTON_ENGINES_AGREE.holds(a, b), "{}: {a} vs {b}", c.id);
    }
    eprintln!("heston.json COS vs Lewis: max abs diff {worst:.3e}");
}
