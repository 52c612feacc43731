//! Estimators against PyPortfolioOpt 1.6.0 / scikit-learn on the 20-stock window
//! (`pypfopt_estimators_*`), and the estimators behind the optimisation cases' inputs.

mod common;

use common::{check_matrix, check_vector, matrix, tol, vector, window_returns};
use parapet_portfolio::{
    ReturnMethod, ShrinkageTarget, capm_return, ema_historical_return, exp_cov, ledoit_wolf,
    mean_historical_return, oracle_approximating, sample_cov, semicovariance,
};

#[test]
fn every_estimator_case_matches() {
    let cases = common::cases("pypfopt_estimators");
    assert!(!cases.is_empty());
    for (name, case) in cases {
        let r = window_returns(&case["inputs"]["data"]);
        let f = case["inputs"]["frequency"].as_f64().unwrap();
        let span = case["inputs"]["exp_cov_span"].as_f64().unwrap();
        let e = &case["expected"];
        let err = check_matrix(
            "sample_cov",
            &sample_cov(r.view(), f).unwrap(),
            &matrix(&e["sample_cov"]),
            tol::ESTIMATE,
        );
        eprintln!("{name} sample_cov: max abs err {err:.2e}");
        for (key, shrink_key, target) in [
            (
                "ledoit_wolf_constant_variance",
                "shrinkage_constant_variance",
                ShrinkageTarget::ConstantVariance,
            ),
            (
                "ledoit_wolf_single_factor",
                "shrinkage_single_factor",
                ShrinkageTarget::SingleFactor,
            ),
            (
                "ledoit_wolf_constant_correlation",
                "shrinkage_constant_correlation",
                ShrinkageTarget::ConstantCorrelation,
            ),
        ] {
            let s = ledoit_wolf(r.view(), target, f).unwrap();
            let expected_delta = e[shrink_key].as_f64().unwrap();
            assert!(
                tol::SHRINKAGE.ok(s.shrinkage, expected_delta),
                "{key}: shrinkage {} vs {expected_delta}",
                s.shrinkage
            );
            let err = check_matrix(key, &s.covariance, &matrix(&e[key]), tol::ESTIMATE);
            eprintln!(
                "{name} {key}: max abs err {err:.2e}, shrinkage err {:.2e}",
                (s.shrinkage - expected_delta).abs()
            );
        }
        let err = check_matrix(
            "exp_cov",
            &exp_cov(r.view(), span, f).unwrap(),
            &matrix(&e["exp_cov"]),
            tol::ESTIMATE,
        );
        eprintln!("{name} exp_cov: max abs err {err:.2e}");
        for (key, method) in [
            (
                "mean_historical_return_compounding",
                ReturnMethod::Compounded,
            ),
            (
                "mean_historical_return_arithmetic",
                ReturnMethod::Arithmetic,
            ),
        ] {
            let got = mean_historical_return(r.view(), method, f).unwrap();
            let err = check_vector(key, &got, &vector(&e[key]), tol::ESTIMATE);
            eprintln!("{name} {key}: max abs err {err:.2e}");
        }
    }
}

/// The optimisation cases carry the estimates they were built from; recomputing them from the
/// price window checks the estimators on a second window (2005–2012) too.
#[test]
fn optimisation_inputs_are_reproduced() {
    let mut checked = 0;
    for (name, case) in common::cases("ef_") {
        let inputs = &case["inputs"];
        let r = window_returns(&inputs["data"]);
        let mu = mean_historical_return(r.view(), ReturnMethod::Compounded, 252.0).unwrap();
        check_vector(name, &mu, &vector(&inputs["mu"]), tol::ESTIMATE);
        let cov = if inputs["cov_estimator"]
            .as_str()
            .unwrap()
            .starts_with("Ledoit")
        {
            ledoit_wolf(r.view(), ShrinkageTarget::ConstantVariance, 252.0)
                .unwrap()
                .covariance
        } else {
            sample_cov(r.view(), 252.0).unwrap()
        };
        check_matrix(name, &cov, &matrix(&inputs["cov"]), tol::ESTIMATE);
        checked += 1;
    }
    assert_eq!(checked, 15);
}

/// EMA and CAPM returns, semicovariance (PyPortfolioOpt 1.6.0) and OAS (scikit-learn 1.9.1),
/// generated on the same window by `benches/peers/portfolio_estimator_refs.py`.
#[test]
fn every_extra_estimator_case_matches() {
    let cases = common::cases("peercheck_pypfopt_sklearn_estimators");
    assert!(!cases.is_empty());
    for (name, case) in cases {
        let inp = &case["inputs"];
        let r = window_returns(&inp["data"]);
        let f = inp["frequency"].as_f64().unwrap();
        let e = &case["expected"];
        let span = inp["ema_span"].as_f64().unwrap();
        let rf = inp["capm_risk_free_rate"].as_f64().unwrap();
        let mut worst = 0.0_f64;
        for (key, method) in [
            (
                "ema_historical_return_compounding",
                ReturnMethod::Compounded,
            ),
            ("ema_historical_return_arithmetic", ReturnMethod::Arithmetic),
        ] {
            let got = ema_historical_return(r.view(), span, method, f).unwrap();
            worst = worst.max(check_vector(key, &got, &vector(&e[key]), tol::ESTIMATE));
        }
        for (key, method) in [
            ("capm_return_compounding", ReturnMethod::Compounded),
            ("capm_return_arithmetic", ReturnMethod::Arithmetic),
        ] {
            let got = capm_return(r.view(), None, rf, method, f).unwrap();
            worst = worst.max(check_vector(key, &got, &vector(&e[key]), tol::ESTIMATE));
        }
        let b = inp["semicovariance_benchmark"].as_f64().unwrap();
        let semi = semicovariance(r.view(), b, f).unwrap();
        worst = worst.max(check_matrix(
            "semicovariance",
            &semi,
            &matrix(&e["semicovariance"]),
            tol::ESTIMATE,
        ));
        let o = oracle_approximating(r.view(), 1.0).unwrap();
        worst = worst.max(check_matrix(
            "oas",
            &o.covariance,
            &matrix(&e["oas_daily"]),
            tol::ESTIMATE,
        ));
        let shrink = e["oas_shrinkage"].as_f64().unwrap();
        assert!(
            tol::SHRINKAGE.ok(o.shrinkage, shrink),
            "oas shrinkage {} vs {shrink}",
            o.shrinkage
        );
        eprintln!(
            "{name}: max abs err {worst:.2e}, OAS shrinkage err {:.2e}",
            (o.shrinkage - shrink).abs()
        );
    }
}
