//! Historical VaR/ES against numpy 2.4.6, riskfolio-lib 7.4.0 and skfolio 1.12.2
//! (tests/data/hist_var_cvar_*.json, category `historical_var_cvar`).
mod common;

use common::tolerance::ORDER_STATISTIC;
use common::{case_returns, cases, f, fv};
use parapet_risk::{
    Confidence, EsMethod, QuantileMethod, QuantileRule, historical_es, historical_var,
};

fn rule(name: &str) -> QuantileRule {
    *QuantileRule::ALL
        .iter()
        .find(|r| r.numpy_name() == name)
        .unwrap_or_else(|| panic!("unknown numpy method {name}"))
}

#[test]
fn every_historical_case() {
    for (name, case) in cases("historical_var_cvar") {
        let (_, r) = case_returns(&case);
        let mut losses: Vec<f64> = r.iter().map(|x| -x).collect();
        losses.sort_by(|a, b| b.total_cmp(a));
        let mut max_err = 0.0f64;
        let mut checks = 0;
        for level in case["expected"]["levels"].as_array().unwrap() {
            let conf = f(&level["confidence"]);
            let alpha = f(&level["alpha"]);
            let exact_tail = Confidence::from_tail(alpha).unwrap();
            let typed = Confidence::new(conf).unwrap();
            assert_eq!(exact_tail.level(), conf);
            // The tabulated order statistics around the tail.
            let kt = &level["kth_largest_losses_around_tail"];
            let kf = kt["k_floor"].as_u64().unwrap() as usize;
            for (i, v) in fv(&kt["losses_ranked_k_minus_1_to_k_plus_2"])
                .iter()
                .enumerate()
            {
                assert_eq!(losses[kf - 2 + i], *v, "{name} rank {}", kf - 2 + i);
            }
            for (key, value) in level["VaR"].as_object().unwrap() {
                let expected = f(value);
                let got = match key.as_str() {
                    "loss_lower_quantile_skfolio" => {
                        // Snapping k makes the typed level and the exact tail agree.
                        let a = historical_var(&r, typed, QuantileMethod::LowerLoss).unwrap();
                        let b = historical_var(&r, exact_tail, QuantileMethod::LowerLoss).unwrap();
                        assert_eq!(a, b);
                        a
                    }
                    "return_ceil_riskfolio" => {
                        let a = historical_var(&r, typed, QuantileMethod::CeilOrder).unwrap();
                        let b = historical_var(&r, exact_tail, QuantileMethod::CeilOrder).unwrap();
                        assert_eq!(a, b);
                        a
                    }
                    "return_ceil_riskfolio_alpha_float_1_minus_c" => {
                        // riskfolio with 1 − c in floating point: where ⌈k⌉ flips, the peer
                        // lands on the (k+1)-th largest loss, our LowerLoss; elsewhere it
                        // agrees with CeilOrder, which snapping keeps stable.
                        let flips = f(&level["alpha_float_1_minus_c_times_n"]).ceil()
                            != f(&level["alpha_times_n"]).ceil();
                        let m = if flips {
                            QuantileMethod::LowerLoss
                        } else {
                            QuantileMethod::CeilOrder
                        };
                        historical_var(&r, typed, m).unwrap()
                    }
                    k if k.starts_with("numpy_returns_") => historical_var(
                        &r,
                        exact_tail,
                        QuantileMethod::Returns(rule(&k["numpy_returns_".len()..])),
                    )
                    .unwrap(),
                    k if k.starts_with("numpy_losses_") => historical_var(
                        &r,
                        typed,
                        QuantileMethod::Losses(rule(&k["numpy_losses_".len()..])),
                    )
                    .unwrap(),
                    other => panic!("{name}: unknown VaR convention {other}"),
                };
                max_err = max_err.max(ORDER_STATISTIC.check(
                    &format!("{name} {conf} {key}"),
                    got,
                    expected,
                ));
                checks += 1;
            }
            for (key, value) in level["CVaR"].as_object().unwrap() {
                let method = match key.as_str() {
                    "rockafellar_uryasev_fractional" | "riskfolio_CVaR_Hist" | "skfolio_cvar" => {
                        EsMethod::Fractional
                    }
                    "mean_worst_ceil_k" => EsMethod::MeanWorstCeil,
                    "mean_worst_floor_k" => EsMethod::MeanWorstFloor,
                    "tail_mean_returns_le_linear_quantile" => {
                        EsMethod::TailMean(QuantileMethod::Returns(QuantileRule::Linear))
                    }
                    "tail_mean_returns_le_inverted_cdf_quantile" => {
                        EsMethod::TailMean(QuantileMethod::Returns(QuantileRule::InvertedCdf))
                    }
                    other => panic!("{name}: unknown CVaR convention {other}"),
                };
                let got = historical_es(&r, exact_tail, method).unwrap();
                if !matches!(method, EsMethod::TailMean(_)) {
                    // Order-statistic ES conventions snap k, so the typed level agrees too
                    // (numpy rules take the probability as given, like numpy).
                    let typed_got = historical_es(&r, typed, method).unwrap();
                    ORDER_STATISTIC.check(
                        &format!("{name} {conf} {key} (typed)"),
                        typed_got,
                        f(value),
                    );
                }
                max_err = max_err.max(ORDER_STATISTIC.check(
                    &format!("{name} {conf} {key}"),
                    got,
                    f(value),
                ));
                checks += 1;
            }
        }
        eprintln!("{name}: {checks} values, max rel err {max_err:.2e}");
    }
}
