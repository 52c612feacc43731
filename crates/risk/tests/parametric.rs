//! Parametric VaR/ES against scipy 1.17.1 (tests/data/parametric_*.json, category
//! `parametric_var_es`): moments, normal, Student-t (MLE and moment matched), Cornish-Fisher.
mod common;

use common::tolerance::{CLOSED_FORM, LOGLIK_SLACK, MLE_MEASURE, MLE_PARAMETER};
use common::{case_returns, cases, f};
use parapet_risk::{
    Confidence, Ddof, MomentBias, Moments, NormalModel, StudentTModel, cornish_fisher_var,
};

#[test]
fn every_parametric_case() {
    for (name, case) in cases("parametric_var_es") {
        let (_, r) = case_returns(&case);
        let e = &case["expected"];
        let m = Moments::from_returns(&r).unwrap();
        let mut closed = 0.0f64;
        let mut mle = 0.0f64;
        let mut checks = 0;
        let mut chk = |what: &str, got: f64, exp: &serde_json::Value, closed_form: bool| {
            let tol = if closed_form {
                CLOSED_FORM
            } else {
                MLE_MEASURE
            };
            let err = tol.check(&format!("{name} {what}"), got, f(exp));
            if closed_form {
                closed = closed.max(err);
            } else {
                mle = mle.max(err);
            }
            checks += 1;
        };
        let em = &e["moments"];
        chk("mean", m.mean, &em["mean"], true);
        chk("std_ddof1", m.std_sample, &em["std_ddof1"], true);
        chk("std_ddof0", m.std_population, &em["std_ddof0"], true);
        chk("skew_biased", m.skew_biased, &em["skew_biased"], true);
        chk(
            "kurt_biased",
            m.kurtosis_biased,
            &em["excess_kurtosis_biased"],
            true,
        );
        chk("skew_unbiased", m.skew_unbiased, &em["skew_unbiased"], true);
        chk(
            "kurt_unbiased",
            m.kurtosis_unbiased,
            &em["excess_kurtosis_unbiased"],
            true,
        );

        let mm = StudentTModel::moment_matched(&r).unwrap();
        chk(
            "t_mm df",
            mm.df(),
            &e["student_t_moment_matched"]["df"],
            true,
        );

        let (t, report) = StudentTModel::fit_mle(&r).unwrap();
        let et = &e["student_t_mle"];
        let ours_nll = -report.log_likelihood;
        assert!(
            ours_nll <= f(&et["neg_loglik"]) + LOGLIK_SLACK,
            "{name}: t MLE nll {ours_nll} worse than reference {}",
            f(&et["neg_loglik"])
        );
        assert!(ours_nll <= f(&et["scipy_t_fit_default_neg_loglik"]) + LOGLIK_SLACK);
        let ll = t.log_likelihood(&r).unwrap();
        assert!((ll - report.log_likelihood).abs() < 1e-9);
        MLE_PARAMETER.check(&format!("{name} t df"), t.df(), f(&et["df"]));
        MLE_PARAMETER.check(&format!("{name} t loc"), t.loc(), f(&et["loc"]));
        MLE_PARAMETER.check(&format!("{name} t scale"), t.scale(), f(&et["scale"]));
        eprintln!(
            "{name}: t MLE nll {ours_nll:.9} vs reference {:.9} (improvement {:.2e})",
            f(&et["neg_loglik"]),
            f(&et["neg_loglik"]) - ours_nll
        );
        // The recorded MLE parameters, evaluated by our closed forms.
        let t_ref = StudentTModel::new(f(&et["df"]), f(&et["loc"]), f(&et["scale"])).unwrap();

        for level in e["levels"].as_array().unwrap() {
            let c = Confidence::new(f(&level["confidence"])).unwrap();
            let g = &level["gaussian"];
            let full = NormalModel::fit(&r, Ddof::Sample)
                .unwrap()
                .var_es(c)
                .unwrap();
            chk("normal VaR", full.var, &g["VaR"], true);
            chk("normal ES", full.es, &g["ES"], true);
            let zm = NormalModel::fit(&r, Ddof::Sample)
                .unwrap()
                .with_zero_mean()
                .var_es(c)
                .unwrap();
            chk("normal VaR zero mean", zm.var, &g["VaR_zero_mean"], true);
            chk("normal ES zero mean", zm.es, &g["ES_zero_mean"], true);
            let d0 = NormalModel::fit(&r, Ddof::Population)
                .unwrap()
                .var_es(c)
                .unwrap();
            chk("normal VaR ddof0", d0.var, &g["VaR_ddof0"], true);
            chk("normal ES ddof0", d0.es, &g["ES_ddof0"], true);

            let st = &level["student_t_mle"];
            let at_ref = t_ref.var_es(c).unwrap();
            chk("t VaR at reference params", at_ref.var, &st["VaR"], true);
            chk("t ES at reference params", at_ref.es, &st["ES"], true);
            let fitted = t.var_es(c).unwrap();
            chk("t VaR (our fit)", fitted.var, &st["VaR"], false);
            chk("t ES (our fit)", fitted.es, &st["ES"], false);

            let sm = &level["student_t_moment_matched"];
            let tm = mm.var_es(c).unwrap();
            chk("t_mm scale", mm.scale(), &sm["scale"], true);
            chk("t_mm VaR", tm.var, &sm["VaR"], true);
            chk("t_mm ES", tm.es, &sm["ES"], true);

            let cf = &level["cornish_fisher"];
            let (zb, vb) = cornish_fisher_var(&m, c, MomentBias::Biased);
            let (zu, vu) = cornish_fisher_var(&m, c, MomentBias::Unbiased);
            chk("cf z biased", zb, &cf["z_cf_biased_moments"], true);
            chk("cf VaR biased", vb, &cf["VaR_biased_moments"], true);
            chk("cf z unbiased", zu, &cf["z_cf_unbiased_moments"], true);
            chk("cf VaR unbiased", vu, &cf["VaR_unbiased_moments"], true);
        }
        eprintln!(
            "{name}: {checks} values, closed forms max rel err {closed:.2e}, MLE-based {mle:.2e}"
        );
    }
}
