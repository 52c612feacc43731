//! Black-Litterman against PyPortfolioOpt 1.6.0 (`bl_main20_*`) and He & Litterman (1999)
//! (`bl_he_litterman_*`: computed vectors, and the published tables to their printed digits).

mod common;

use common::{check_matrix, check_vector, matrix, strings, tol, vector};
use ndarray::{Array1, Array2};
use parapet_portfolio::{
    BlPosterior, BlWeights, BlackLitterman, MeanVariance, Objective, ViewUncertainty,
    market_implied_prior_returns,
};

/// Ω, posterior returns and posterior covariance against a case's `expected` block; returns
/// the largest error.
fn check_posterior(name: &str, post: &BlPosterior, e: &serde_json::Value) -> f64 {
    check_matrix(name, &post.omega, &matrix(&e["omega"]), tol::BL_VECTOR)
        .max(check_vector(
            name,
            &post.returns,
            &vector(&e["posterior_returns"]),
            tol::BL_VECTOR,
        ))
        .max(check_matrix(
            name,
            &post.covariance,
            &matrix(&e["posterior_cov"]),
            tol::BL_VECTOR,
        ))
}

#[test]
fn every_pypfopt_case_matches() {
    let cases = common::cases("bl_main20");
    assert_eq!(cases.len(), 3);
    for (name, case) in cases {
        let inp = &case["inputs"];
        let e = &case["expected"];
        let assets = strings(&inp["assets"]);
        let caps: Array1<f64> = assets
            .iter()
            .map(|a| inp["market_caps_made_up_usd"][a].as_f64().unwrap())
            .collect();
        let cov = matrix(&inp["prior_cov"]);
        let delta = inp["risk_aversion_delta"].as_f64().unwrap();
        let rf = inp["risk_free_rate_added_to_prior"].as_f64().unwrap();
        let pi = market_implied_prior_returns(caps.view(), delta, cov.view(), rf).unwrap();
        let mut err = check_vector(name, &pi, &vector(&e["prior_returns_pi"]), tol::BL_VECTOR);
        let unc = match inp["omega_method"].as_str().unwrap() {
            "idzorek" => ViewUncertainty::Idzorek(vector(&inp["view_confidences"]).to_vec()),
            _ => ViewUncertainty::HeLitterman,
        };
        let post = BlackLitterman::new(cov.view(), pi.view(), inp["tau"].as_f64().unwrap())
            .unwrap()
            .with_views(matrix(&inp["P"]).view(), vector(&inp["Q"]).view(), unc)
            .unwrap()
            .posterior()
            .unwrap();
        err = err.max(check_posterior(name, &post, e));
        let w = post.weights(delta, BlWeights::PyPortfolioOpt).unwrap();
        err = err.max(check_vector(
            name,
            &w,
            &vector(&e["bl_weights_pypfopt_normalised"]),
            tol::BL_VECTOR,
        ));
        let w = post.weights(delta, BlWeights::HeLitterman).unwrap();
        err = err.max(check_vector(
            name,
            &w,
            &vector(&e["w_star_he_litterman_unnormalised"]),
            tol::BL_VECTOR,
        ));
        let bounds = vector(&inp["max_sharpe_bounds"]);
        let risk_free = inp["max_sharpe_risk_free_rate"].as_f64().unwrap();
        let p = MeanVariance::new(post.returns.view(), post.covariance.view())
            .unwrap()
            .with_bounds(bounds[0], bounds[1])
            .unwrap()
            .solve(Objective::MaxSharpe { risk_free })
            .unwrap();
        let ms = &e["max_sharpe_on_posterior"];
        let werr = check_vector(name, &p.weights, &vector(&ms["weights"]), tol::WEIGHTS);
        let er = ms["expected_return"].as_f64().unwrap();
        assert!(
            tol::OBJECTIVE.ok(p.expected_return, er),
            "{name}: return {} vs {er}",
            p.expected_return
        );
        eprintln!(
            "{name}: max abs err (pi, omega, posterior, both weight conventions) {err:.2e}; max-Sharpe weights {werr:.2e}"
        );
    }
}

#[test]
fn every_he_litterman_case_matches() {
    let cases = common::cases("bl_he_litterman");
    assert_eq!(cases.len(), 3);
    for (name, case) in cases {
        let inp = &case["inputs"];
        let e = &case["expected"];
        let cov = matrix(&inp["cov"]);
        let weq = vector(&inp["equilibrium_weights"]);
        let delta = inp["delta"].as_f64().unwrap();
        let tau = inp["tau"].as_f64().unwrap();
        let pi = market_implied_prior_returns(weq.view(), delta, cov.view(), 0.0).unwrap();
        let mut err = check_vector(name, &pi, &vector(&e["prior_returns_pi"]), tol::BL_VECTOR);
        let p = matrix(&inp["P"]);
        let q = vector(&inp["Q"]);
        // Table 7 doubles the first view's He-Litterman variance: build that Ω explicitly.
        let he = BlackLitterman::new(cov.view(), pi.view(), tau)
            .unwrap()
            .with_views(p.view(), q.view(), ViewUncertainty::HeLitterman)
            .unwrap()
            .posterior()
            .unwrap();
        let unc = if inp["omega"].as_str().unwrap().contains("multiplied by 2.0") {
            let mut d = he.omega.diag().to_owned();
            d[0] *= 2.0;
            ViewUncertainty::Matrix(Array2::from_diag(&d))
        } else {
            ViewUncertainty::HeLitterman
        };
        let post = BlackLitterman::new(cov.view(), pi.view(), tau)
            .unwrap()
            .with_views(p.view(), q.view(), unc)
            .unwrap()
            .posterior()
            .unwrap();
        err = err.max(check_posterior(name, &post, e));
        let wstar = post.weights(delta, BlWeights::HeLitterman).unwrap();
        err = err.max(check_vector(
            name,
            &wstar,
            &vector(&e["w_star_unnormalised"]),
            tol::BL_VECTOR,
        ));
        let tilt = (&wstar - &(&weq / (1.0 + tau))).to_owned();
        err = err.max(check_vector(
            name,
            &tilt,
            &vector(&e["w_star_minus_weq_over_1_plus_tau"]),
            tol::BL_VECTOR,
        ));
        let pw = post.weights(delta, BlWeights::PyPortfolioOpt).unwrap();
        err = err.max(check_vector(
            name,
            &pw,
            &vector(&e["bl_weights_pypfopt_normalised"]),
            tol::BL_VECTOR,
        ));
        let mut published = 0;
        if let Some(pubd) = case["published"].as_object() {
            for (key, got) in [
                ("pi_pct", &pi),
                ("posterior_returns_pct", &post.returns),
                ("w_star_pct", &wstar),
            ] {
                check_vector(
                    name,
                    &(got * 100.0),
                    &vector(&pubd[key]),
                    tol::PUBLISHED_PCT,
                );
                published += 1;
            }
        }
        eprintln!("{name}: max abs err {err:.2e}; published tables checked: {published}");
    }
}
