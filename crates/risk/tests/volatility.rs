//! EWMA and GARCH(1,1) filters, fits and filtered-historical-simulation VaR against arch 8.0.0
//! (tests/data/ewma_var_*.json, category `ewma_var`; garch11_fhs_var_*.json, category
//! `garch_fhs_var`). arch works on 100·r; so do these tests.
mod common;

use common::tolerance::{FILTER, FILTER_VAR, LOGLIK_SLACK};
use common::{case_returns, cases, f, fv};
use parapet_risk::{
    Confidence, Ewma, FilteredHistorical, Garch11, Innovation, NormalModel, QuasiNewtonSettings,
    acerbi_szekely, backcast, exceedances,
};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

fn split(case: &serde_json::Value) -> (Vec<f64>, usize, usize) {
    let (dates, r) = case_returns(case);
    let pct: Vec<f64> = r.iter().map(|x| 100.0 * x).collect();
    let split_date = case["inputs"]["split_date"].as_str().unwrap();
    let n_est = dates.iter().position(|d| d.as_str() >= split_date).unwrap();
    let oos = case["inputs"]["oos_dates"].as_array().unwrap();
    assert_eq!(dates[n_est], oos[0].as_str().unwrap());
    assert_eq!(dates.len() - n_est, oos.len());
    (pct, n_est, oos.len())
}

#[test]
fn every_ewma_case() {
    for (name, case) in cases("ewma_var") {
        let (pct, n_est, n_oos) = split(&case);
        let e = &case["expected"];
        let lambda = f(&case["inputs"]["lambda"]);
        let bc = backcast(&pct[..n_est]).unwrap();
        let mut worst_filter =
            FILTER.check(&format!("{name} backcast"), bc, f(&e["backcast_pct2"]));
        let s2 = Ewma::new(lambda).unwrap().variances(&pct, bc).unwrap();
        let expected = fv(&e["sigma2_pct2_all_dates"]);
        assert_eq!(expected.len(), pct.len());
        for (t, x) in expected.iter().enumerate() {
            worst_filter =
                worst_filter.max(FILTER.check(&format!("{name} sigma2[{t}]"), s2[t], *x));
        }
        FILTER.check(
            &format!("{name} next"),
            s2[pct.len()],
            f(&e["sigma2_next_day_after_last_pct2"]),
        );
        let fhs = FilteredHistorical::new(&pct[..n_est], 0.0, &s2[..n_est]).unwrap();
        let mut worst_var = 0.0f64;
        for level in e["levels"].as_array().unwrap() {
            let c = Confidence::new(f(&level["confidence"])).unwrap();
            let q = -fhs.unit_var_es(c).unwrap().var;
            FILTER_VAR.check(
                &format!("{name} fhs q"),
                q,
                f(&level["fhs_std_resid_quantile_linear"]),
            );
            let normal = fv(&level["VaR_normal_oos"]);
            let filtered = fv(&level["VaR_fhs_oos"]);
            assert_eq!(normal.len(), n_oos);
            for i in 0..n_oos {
                let s2t = s2[n_est + i];
                let vn = NormalModel::new(0.0, s2t.sqrt())
                    .unwrap()
                    .var_es(c)
                    .unwrap()
                    .var
                    / 100.0;
                let vf = fhs.var_es(c, 0.0, s2t).unwrap().var / 100.0;
                worst_var = worst_var.max(FILTER_VAR.check(
                    &format!("{name} normal VaR[{i}]"),
                    vn,
                    normal[i],
                ));
                worst_var = worst_var.max(FILTER_VAR.check(
                    &format!("{name} FHS VaR[{i}]"),
                    vf,
                    filtered[i],
                ));
            }
        }
        eprintln!("{name}: sigma2 max rel err {worst_filter:.2e}, VaR max rel err {worst_var:.2e}");
    }
}

#[test]
fn every_garch_case() {
    for (name, case) in cases("garch_fhs_var") {
        let (pct, n_est, n_oos) = split(&case);
        let e = &case["expected"];
        assert_eq!(n_est as u64, e["n_estimation"].as_u64().unwrap());
        let est = &pct[..n_est];
        let p = &e["params_pct_units"];
        let model = Garch11::new(
            f(&p["mu"]),
            f(&p["omega"]),
            f(&p["alpha1"]),
            f(&p["beta1"]),
            Innovation::Normal,
        )
        .unwrap();
        // Backcast from the demeaned estimation sample, as arch.
        let mean = est.iter().sum::<f64>() / est.len() as f64;
        let resid: Vec<f64> = est.iter().map(|r| r - mean).collect();
        let bc = backcast(&resid).unwrap();
        let mut worst_filter =
            FILTER.check(&format!("{name} backcast"), bc, f(&e["backcast_pct2"]));
        let s2 = model.variances(&pct, bc).unwrap();
        for (t, x) in fv(&e["conditional_variance_pct2_all_dates"])
            .iter()
            .enumerate()
        {
            worst_filter = worst_filter.max(FILTER.check(&format!("{name} s2[{t}]"), s2[t], *x));
        }
        let ll_ref = f(&e["loglik"]);
        let ll_at_ref = model.log_likelihood(est, bc).unwrap();
        FILTER.check(
            &format!("{name} loglik at recorded params"),
            ll_at_ref,
            ll_ref,
        );

        // Our own fit: at least as likely as arch's, parameters within the file's 1e-3.
        let fit = Garch11::fit(est, Innovation::Normal, QuasiNewtonSettings::default()).unwrap();
        assert!(
            fit.log_likelihood >= ll_ref - LOGLIK_SLACK,
            "{name}: loglik {} below reference {ll_ref}",
            fit.log_likelihood
        );
        let rel = f(&case["tolerance"]["params_rel"]);
        for (what, got, exp) in [
            ("mu", fit.model.mu(), &p["mu"]),
            ("omega", fit.model.omega(), &p["omega"]),
            ("alpha", fit.model.alpha(), &p["alpha1"]),
            ("beta", fit.model.beta(), &p["beta1"]),
        ] {
            assert!(
                (got / f(exp) - 1.0).abs() <= rel,
                "{name} {what}: {got} vs {}",
                f(exp)
            );
        }
        FILTER.check(&format!("{name} fit backcast"), fit.backcast, bc);
        // Units do not matter: the fit on fractions is the same model rescaled.
        let frac: Vec<f64> = est.iter().map(|x| x / 100.0).collect();
        let fit_frac =
            Garch11::fit(&frac, Innovation::Normal, QuasiNewtonSettings::default()).unwrap();
        let shift = n_est as f64 * 100f64.ln();
        assert!((fit_frac.log_likelihood - shift - fit.log_likelihood).abs() < 1e-6);
        eprintln!(
            "{name}: loglik {:.9} vs arch {ll_ref:.9} (+{:.2e}) in {} iterations; filter max rel err {worst_filter:.2e}",
            fit.log_likelihood,
            fit.log_likelihood - ll_ref,
            fit.iterations
        );

        // Student-t innovations: heavier tails fit daily index returns better than the normal.
        let tfit = Garch11::fit(
            est,
            Innovation::StudentT { df: 8.0 },
            QuasiNewtonSettings::default(),
        )
        .unwrap();
        let Innovation::StudentT { df } = tfit.model.innovation() else {
            panic!("family changed")
        };
        assert!(
            tfit.log_likelihood > fit.log_likelihood && df > 2.05 && df < 30.0,
            "{df}"
        );
        eprintln!(
            "{name}: GARCH-t loglik {:.6}, df {df:.4}",
            tfit.log_likelihood
        );

        // FHS with the recorded parameters.
        let fhs = FilteredHistorical::new(est, model.mu(), &s2[..n_est]).unwrap();
        let mut worst_var = 0.0f64;
        for level in e["levels"].as_array().unwrap() {
            let c = Confidence::new(f(&level["confidence"])).unwrap();
            let q = -fhs.unit_var_es(c).unwrap().var;
            FILTER_VAR.check(
                &format!("{name} q"),
                q,
                f(&level["std_resid_quantile_pandas_linear"]),
            );
            let v = fv(&level["VaR_oos"]);
            assert_eq!(v.len(), n_oos);
            for i in 0..n_oos {
                let got = fhs.var_es(c, model.mu(), s2[n_est + i]).unwrap().var / 100.0;
                worst_var = worst_var.max(FILTER_VAR.check(&format!("{name} VaR[{i}]"), got, v[i]));
            }
            let next = fhs.var_es(c, model.mu(), s2[pct.len()]).unwrap().var / 100.0;
            FILTER_VAR.check(
                &format!("{name} next-day VaR"),
                next,
                f(&level["VaR_next_day_after_sample_end"]),
            );
        }
        eprintln!("{name}: FHS VaR max rel err {worst_var:.2e}");

        // Acerbi-Székely test 2 of the GARCH-FHS 97.5% ES out of sample, the p-value simulated
        // by resampling the standardised residuals under the model's own volatilities.
        let c = Confidence::new(0.975).unwrap();
        let oos = &pct[n_est..];
        let (mut var, mut es) = (Vec::new(), Vec::new());
        for i in 0..n_oos {
            let t = fhs.var_es(c, model.mu(), s2[n_est + i]).unwrap();
            var.push(t.var);
            es.push(t.es);
        }
        let z = fhs.standardized().to_vec();
        let sample = |t: usize, rng: &mut Xoshiro256PlusPlus| {
            model.mu() + s2[n_est + t].sqrt() * z[rng.random_range(0..z.len())]
        };
        let run = |seed| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            acerbi_szekely(oos, &var, &es, c, sample, 2000, &mut rng).unwrap()
        };
        let a = run(17);
        assert_eq!(a, run(17));
        let hits = exceedances(oos, &var)
            .unwrap()
            .iter()
            .filter(|h| **h)
            .count();
        assert_eq!(a.hits, hits);
        assert!(a.z2.is_finite() && (0.0..=1.0).contains(&a.p_value));
        eprintln!(
            "{name}: Acerbi-Szekely Z2 = {:.4}, simulated p = {:.4} ({} hits of {n_oos}, 97.5% ES)",
            a.z2, a.p_value, a.hits
        );
    }
}
