//! Peaks over threshold against scipy 1.17.1 genpareto (tests/data/evt_pot_*.json, category
//! `evt_pot`): threshold, exceedance count, GPD MLE (likelihood at least as good), tail VaR/ES.
mod common;

use common::tolerance::{CLOSED_FORM, MLE_MEASURE, MLE_PARAMETER};
use common::{case_returns, cases, f};
use parapet_risk::{Confidence, PeaksOverThreshold, mean_excess};

#[test]
fn every_evt_case() {
    for (name, case) in cases("evt_pot") {
        let (_, r) = case_returns(&case);
        let e = &case["expected"];
        let level = f(&case["inputs"]["threshold_quantile"]);
        let pot = PeaksOverThreshold::fit(&r, level).unwrap();
        let u_err = (pot.threshold() - f(&e["threshold_u"])).abs();
        assert!(
            u_err <= f(&case["tolerance"]["threshold_abs"]),
            "{name} threshold {u_err:e}"
        );
        assert_eq!(
            pot.exceedances() as u64,
            e["n_exceedances"].as_u64().unwrap()
        );
        assert_eq!(pot.n() as u64, e["n"].as_u64().unwrap());
        let nll = -pot.log_likelihood();
        // The file's criterion: accept any fit whose nll <= expected + 1e-9.
        assert!(
            nll <= f(&e["neg_loglik"]) + 1e-9,
            "{name}: nll {nll} vs {}",
            f(&e["neg_loglik"])
        );
        MLE_PARAMETER.check(&format!("{name} xi"), pot.xi(), f(&e["xi"]));
        MLE_PARAMETER.check(&format!("{name} beta"), pot.beta(), f(&e["beta"]));
        // The McNeil-Frey formulas at the recorded parameters: closed forms.
        let n_u = pot.exceedances();
        let at_ref = PeaksOverThreshold::new(
            f(&e["threshold_u"]),
            pot.n(),
            n_u,
            f(&e["xi"]),
            f(&e["beta"]),
        )
        .unwrap();
        let sd = &e["scipy_genpareto_fit_default"];
        let at_scipy = PeaksOverThreshold::new(
            f(&e["threshold_u"]),
            pot.n(),
            n_u,
            f(&sd["c_xi"]),
            f(&sd["scale_beta"]),
        )
        .unwrap();
        let mut closed = 0.0f64;
        let mut worst = 0.0f64;
        for lv in e["levels"].as_array().unwrap() {
            let c = Confidence::new(f(&lv["q"])).unwrap();
            let r = at_ref.var_es(c).unwrap();
            closed = closed.max(CLOSED_FORM.check(
                &format!("{name} VaR at reference fit"),
                r.var,
                f(&lv["VaR"]),
            ));
            closed = closed.max(CLOSED_FORM.check(
                &format!("{name} ES at reference fit"),
                r.es,
                f(&lv["ES"]),
            ));
            let sv = at_scipy.var_es(c).unwrap().var;
            closed = closed.max(CLOSED_FORM.check(
                &format!("{name} VaR at scipy default fit"),
                sv,
                f(&lv["VaR_with_scipy_default_fit"]),
            ));
            let t = pot.var_es(c).unwrap();
            worst = worst.max(MLE_MEASURE.check(
                &format!("{name} VaR {}", c.level()),
                t.var,
                f(&lv["VaR"]),
            ));
            worst = worst.max(MLE_MEASURE.check(
                &format!("{name} ES {}", c.level()),
                t.es,
                f(&lv["ES"]),
            ));
        }
        eprintln!(
            "{name}: u err {u_err:.1e}, nll {nll:.10} ({:+.1e} vs reference), xi {:.8} vs {:.8}, VaR/ES from our fit max rel err {worst:.2e}, formulas at recorded parameters {closed:.2e}",
            nll - f(&e["neg_loglik"]),
            pot.xi(),
            f(&e["xi"])
        );
        // The mean-excess function at the threshold is the mean exceedance.
        let me = mean_excess(&r, &[pot.threshold()]).unwrap();
        assert_eq!(me[0].count, pot.exceedances());
        // GPD mean beta/(1 − xi) vs the sample mean excess: close for a good fit.
        assert!((me[0].mean_excess / (pot.beta() / (1.0 - pot.xi())) - 1.0).abs() < 0.1);
    }
}
