//! VaR backtests against scipy 1.17.1 chi² with the statistics of the reference script
//! (tests/data/backtest_*.json, category `var_backtest`): explicit hit sequences and
//! out-of-sample VaR series on the bundled index data.
mod common;

use common::tolerance::{BACKTEST, ORDER_STATISTIC};
use common::{case_returns, cases, f, fv};
use parapet_risk::{
    Confidence, EsMethod, NormalModel, QuantileMethod, QuantileRule, acerbi_szekely,
    christoffersen, exceedances, rolling_historical,
};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal, StudentT};
use serde_json::Value;

fn check_expected(label: &str, hits: &[bool], p: f64, e: &Value) -> f64 {
    let c = Confidence::from_tail(p).unwrap();
    let t = christoffersen(hits, c).unwrap();
    let count = |k: &str| e[k].as_u64().unwrap() as usize;
    assert_eq!(
        (t.n00, t.n01, t.n10, t.n11),
        (count("n00"), count("n01"), count("n10"), count("n11")),
        "{label}"
    );
    let k = &e["kupiec"];
    assert_eq!(t.kupiec.n as u64, k["n"].as_u64().unwrap());
    assert_eq!(t.kupiec.hits as u64, k["x_hits"].as_u64().unwrap());
    let pairs = [
        ("pi0", t.pi0, &e["pi0"]),
        ("pi1", t.pi1, &e["pi1"]),
        ("pi", t.pi, &e["pi"]),
        ("LR_ind", t.lr_ind, &e["LR_ind"]),
        ("p_value_ind", t.p_value_ind, &e["p_value_ind"]),
        ("LR_cc", t.lr_cc, &e["LR_cc"]),
        ("p_value_cc", t.p_value_cc, &e["p_value_cc"]),
        (
            "LR_cc_direct",
            t.lr_cc_direct,
            &e["LR_cc_direct_transitions"],
        ),
        (
            "p_value_cc_direct",
            t.p_value_cc_direct,
            &e["p_value_cc_direct"],
        ),
        ("expected_hits", t.kupiec.expected, &k["expected_hits"]),
        ("hit_rate", t.kupiec.hit_rate, &k["hit_rate"]),
        ("LR_pof", t.kupiec.lr, &k["LR_pof"]),
        ("kupiec p", t.kupiec.p_value, &k["p_value"]),
    ];
    let mut worst = 0.0f64;
    for (what, got, exp) in pairs {
        let exp = f(exp);
        BACKTEST.check(&format!("{label} {what}"), got, exp);
        worst = worst.max((got - exp).abs());
    }
    worst
}

#[test]
fn every_backtest_case() {
    for (name, case) in cases("var_backtest") {
        let inputs = &case["inputs"];
        if let Some(seqs) = inputs["sequences"].as_array() {
            let results = case["expected"]["results"].as_array().unwrap();
            assert_eq!(seqs.len(), results.len());
            let mut worst = 0.0f64;
            for (s, e) in seqs.iter().zip(results) {
                let n = s["n"].as_u64().unwrap() as usize;
                let mut hits = vec![false; n];
                for i in s["hit_indices"].as_array().unwrap() {
                    hits[i.as_u64().unwrap() as usize] = true;
                }
                let label = format!("{name}/{}", s["name"].as_str().unwrap());
                worst = worst.max(check_expected(&label, &hits, f(&s["p"]), e));
            }
            eprintln!("{name}: {} sequences, max abs err {worst:.2e}", seqs.len());
        } else {
            let (dates, r) = case_returns(&case);
            let oos: Vec<&str> = inputs["oos_dates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap())
                .collect();
            let start = dates.iter().position(|d| d == oos[0]).unwrap();
            let r_oos = &r[start..start + oos.len()];
            assert_eq!(dates[start + oos.len() - 1], oos[oos.len() - 1]);
            let var = fv(&inputs["VaR"]);
            let hits = exceedances(r_oos, &var).unwrap();
            let hit_idx: Vec<u64> = (0..hits.len())
                .filter(|&i| hits[i])
                .map(|i| i as u64)
                .collect();
            let expected_idx: Vec<u64> = inputs["hit_indices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            assert_eq!(hit_idx, expected_idx, "{name} hit indices");
            if inputs["var_model"] == "hs250_linear" {
                // Rebuild the VaR series itself: −numpy.quantile(previous 250 returns, 1 − c, 'linear').
                let c = Confidence::from_tail(f(&inputs["p"])).unwrap();
                let rolled = rolling_historical(
                    &r[start - 250..start + var.len() - 1],
                    250,
                    c,
                    QuantileMethod::Returns(QuantileRule::Linear),
                    EsMethod::Fractional,
                )
                .unwrap();
                assert_eq!(rolled.len(), var.len());
                for (i, (t, v)) in rolled.iter().zip(&var).enumerate() {
                    ORDER_STATISTIC.check(&format!("{name} VaR[{i}]"), t.var, *v);
                }
            }
            let worst = check_expected(&name, &hits, f(&inputs["p"]), &case["expected"]);
            eprintln!(
                "{name}: {} days, {} hits, max abs err {worst:.2e}",
                hits.len(),
                hit_idx.len()
            );
        }
    }
}

/// Acerbi-Székely test 2 (no peer ships one): a correct normal model is not rejected, a
/// model that ignores fat tails is, and the seeded p-value is reproducible.
#[test]
fn acerbi_szekely_separates_right_and_wrong_models() {
    let c = Confidence::new(0.975).unwrap();
    let n = 1000;
    let model = NormalModel::new(0.0, 0.01).unwrap();
    let tail = model.var_es(c).unwrap();
    let (var, es) = (vec![tail.var; n], vec![tail.es; n]);
    let normal = |_: usize, rng: &mut Xoshiro256PlusPlus| {
        let z: f64 = StandardNormal.sample(rng);
        0.01 * z
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let right: Vec<f64> = (0..n).map(|t| normal(t, &mut rng)).collect();
    let a = acerbi_szekely(&right, &var, &es, c, normal, 2000, &mut rng).unwrap();
    assert!(a.p_value > 0.05, "correct model rejected: {a:?}");
    // Student-t(3) returns at 1.5 times the model's scale: a tail the model underestimates.
    let t3 = StudentT::new(3.0).unwrap();
    let wrong: Vec<f64> = (0..n)
        .map(|_| {
            let z: f64 = t3.sample(&mut rng);
            0.015 * z
        })
        .collect();
    let b = acerbi_szekely(&wrong, &var, &es, c, normal, 2000, &mut rng).unwrap();
    assert!(
        b.z2 < a.z2 && b.p_value < 0.01,
        "fat tails not detected: {b:?}"
    );
    // Same seed, same p-value.
    let run = |seed| {
        let mut g = Xoshiro256PlusPlus::seed_from_u64(seed);
        acerbi_szekely(&wrong, &var, &es, c, normal, 500, &mut g).unwrap()
    };
    assert_eq!(run(5), run(5));
}
