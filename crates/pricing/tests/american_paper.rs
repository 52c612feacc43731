//! American approximations and premia against the published tables in `paper_values.json`:
//! Haug (1998) Barone-Adesi-Whaley and Bjerksund-Stensland values, and the high-precision
//! early-exercise premia of Andersen, Lake & Offengenden (2015). Ju's (1999) table tests Ju's
//! approximation, which is not implemented here.

mod common;

use common::{BAW_VS_QUANTLIB, BJS_VS_QUANTLIB, HAUG_BAW_PUBLISHED, Tolerance, published};
use parapet_core::{Market, OptionKind, Vanilla};
use parapet_pricing::american::{BaroneAdesiWhaley, BjerksundStensland, QdFpEngine, QdFpScheme};
use parapet_pricing::bsm;
use serde_json::Value;

fn groups() -> Vec<Value> {
    let v: Value = serde_json::from_str(include_str!("data/paper_values.json")).unwrap();
    v["groups"].as_array().unwrap().clone()
}

fn records(prefix: &str) -> Vec<Value> {
    let out: Vec<Value> = groups()
        .into_iter()
        .filter(|g| g["group"].as_str().unwrap().starts_with(prefix))
        .flat_map(|g| g["records"].as_array().unwrap().clone())
        .collect();
    assert!(!out.is_empty(), "no records for {prefix}");
    out
}

fn inputs(r: &Value) -> (Vanilla, Market, f64) {
    let f = |k: &str| r[k].as_f64().unwrap();
    let kind = match r["option_type"].as_str().unwrap() {
        "call" => OptionKind::Call,
        _ => OptionKind::Put,
    };
    (
        Vanilla::american(kind, f("strike"), f("T")).unwrap(),
        Market::new(f("spot"), f("r"), f("q")).unwrap(),
        f("vol"),
    )
}

#[test]
fn barone_adesi_whaley_reproduces_haug() {
    let recs = records("haug1998_barone_adesi_whaley");
    let (mut worst_pub, mut worst_ql) = (0.0f64, 0.0f64);
    for r in &recs {
        let (o, m, v) = inputs(r);
        let got = BaroneAdesiWhaley.price(&o, &m, v).unwrap();
        let printed = r["published_value"].as_f64().unwrap();
        let ql = r["quantlib_baw_exact_T"].as_f64().unwrap();
        worst_pub = worst_pub.max((got - printed).abs());
        worst_ql = worst_ql.max(((got - ql) / ql).abs());
        assert!(
            HAUG_BAW_PUBLISHED.holds(got, printed),
            "{}: {got} vs {printed}",
            r["id"]
        );
        assert!(BAW_VS_QUANTLIB.holds(got, ql), "{}: {got} vs {ql}", r["id"]);
    }
    eprintln!(
        "paper_values BAW ({} records): max abs err vs Haug {worst_pub:.3e}, max rel err vs QuantLib {worst_ql:.3e}",
        recs.len()
    );
}

#[test]
fn bjerksund_stensland_reproduces_haug() {
    for r in records("haug1998_bjerksund_stensland") {
        let (o, m, v) = inputs(&r);
        let got = BjerksundStensland::Flat1993.price(&o, &m, v).unwrap();
        let printed = r["published_value"].as_f64().unwrap();
        let ql = r["quantlib_bjerksund_stensland_exact_T"].as_f64().unwrap();
        eprintln!(
            "paper_values BS1993 {}: {got} (Haug {printed}, QuantLib {ql})",
            r["id"]
        );
        assert!(published(4).holds(got, printed));
        assert!(BJS_VS_QUANTLIB.holds(got, ql));
        // The 2002 two-step trigger is a better exercise policy, so worth more, but still a
        // lower bound on the true American value.
        let two_step = BjerksundStensland::TwoStep2002.price(&o, &m, v).unwrap();
        let american = r["quantlib_qdfp_highprecision_exact_T"].as_f64().unwrap();
        assert!(two_step > got && two_step < american, "{two_step}");
    }
}

#[test]
fn premia_match_andersen_lake_offengenden() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::HighPrecision);
    // The paper's own FP-A and FP-B values at (l, m, n) = (65, 8, 32) differ by 1.0e-7 on the
    // r = 7.5% case, so that is their accuracy.
    let tol = Tolerance::new(0.0, 2e-7);
    for r in records("andersen_lake_offengenden2015") {
        let (o, m, v) = inputs(&r);
        let e = Vanilla::european(o.kind(), o.strike(), o.expiry()).unwrap();
        let premium = engine.price(&o, &m, v).unwrap() - bsm::price(&e, &m, v).unwrap();
        let want = r["published_value"].as_f64().unwrap();
        eprintln!(
            "paper_values ALO premium {}: {premium:.12} vs {want:.12} (err {:.2e})",
            r["id"],
            premium - want
        );
        assert!(tol.holds(premium, want));
    }
}
