//! Bad input returns typed errors: never a panic, never a NaN.

use parapet_core::CoreError;
use parapet_risk::{
    Confidence, DrawdownKind, EsMethod, Ewma, Garch11, Innovation, Moments, NormalModel,
    PeaksOverThreshold, QuantileMethod, QuasiNewtonSettings, RiskError, SimplexSettings,
    StudentTModel, christoffersen, exceedances, historical_var, historical_var_es, kupiec,
    max_drawdown, rolling_historical,
};

fn c99() -> Confidence {
    Confidence::new(0.99).unwrap()
}

#[test]
fn confidence_outside_the_unit_interval() {
    for bad in [0.0, 1.0, -0.5, 1.5] {
        let e: RiskError = Confidence::new(bad).unwrap_err().into();
        assert!(
            matches!(e, RiskError::Core(CoreError::NotAProbability { .. })),
            "{bad}"
        );
    }
    let e: RiskError = Confidence::new(f64::NAN).unwrap_err().into();
    assert!(matches!(e, RiskError::Core(CoreError::NotFinite { .. })));
}

#[test]
fn empty_series() {
    let m = QuantileMethod::default();
    assert_eq!(
        historical_var(&[], c99(), m),
        Err(RiskError::Empty { name: "returns" })
    );
    assert!(matches!(
        Moments::from_returns(&[]),
        Err(RiskError::Empty { .. })
    ));
    assert!(matches!(kupiec(&[], c99()), Err(RiskError::Empty { .. })));
    assert!(matches!(
        christoffersen(&[true], c99()),
        Err(RiskError::TooShort { .. })
    ));
    assert!(matches!(
        max_drawdown(&[], DrawdownKind::Compounded),
        Err(RiskError::Empty { .. })
    ));
}

#[test]
fn constant_series() {
    let flat = vec![0.001; 300];
    assert!(matches!(
        NormalModel::fit(&flat, Default::default()),
        Err(RiskError::Constant { .. })
    ));
    assert!(matches!(
        StudentTModel::fit_mle(&flat),
        Err(RiskError::Constant { .. })
    ));
    assert!(matches!(
        StudentTModel::moment_matched(&flat),
        Err(RiskError::Constant { .. })
    ));
    assert!(matches!(
        Garch11::fit(&flat, Innovation::Normal, QuasiNewtonSettings::default()),
        Err(RiskError::Constant { .. })
    ));
    // A constant series has a well-defined historical VaR: the constant loss.
    let t =
        historical_var_es(&flat, c99(), QuantileMethod::default(), EsMethod::default()).unwrap();
    assert_eq!((t.var, t.es), (-0.001, -0.001));
    // No exceedances above a constant: too few points for a GPD.
    assert!(matches!(
        PeaksOverThreshold::fit(&flat, 0.9),
        Err(RiskError::TooShort { .. })
    ));
}

#[test]
fn nan_returns() {
    let mut r: Vec<f64> = (0..500)
        .map(|i| ((i * 31 % 97) as f64 - 48.0) / 1e3)
        .collect();
    r[123] = f64::NAN;
    let nf = |e: RiskError| matches!(e, RiskError::NonFinite { index: 123, .. });
    assert!(nf(
        historical_var(&r, c99(), QuantileMethod::default()).unwrap_err()
    ));
    assert!(nf(Moments::from_returns(&r).unwrap_err()));
    assert!(nf(Ewma::default().variances(&r, 1e-4).unwrap_err()));
    assert!(nf(Garch11::fit(
        &r,
        Innovation::Normal,
        QuasiNewtonSettings::default()
    )
    .unwrap_err()));
    assert!(nf(PeaksOverThreshold::fit(&r, 0.9).unwrap_err()));
    assert!(nf(max_drawdown(&r, DrawdownKind::Log).unwrap_err()));
    assert!(nf(exceedances(&r, &vec![0.02; 500]).unwrap_err()));
}

#[test]
fn windows_longer_than_the_data() {
    let r = vec![0.01, -0.02, 0.005];
    assert_eq!(
        rolling_historical(
            &r,
            250,
            c99(),
            QuantileMethod::default(),
            EsMethod::default()
        ),
        Err(RiskError::WindowTooLong {
            window: 250,
            len: 3
        })
    );
    assert!(exceedances(&r, &[0.01, 0.02]).is_err());
}

#[test]
fn garch_that_does_not_converge_reports_it() {
    let r: Vec<f64> = (0..2000)
        .map(|i| ((i * 7919 % 1009) as f64 - 504.0) / 1e4 * (1.0 + (i / 200) as f64))
        .collect();
    let tight = QuasiNewtonSettings {
        max_iterations: 2,
        ..QuasiNewtonSettings::default()
    };
    assert!(matches!(
        Garch11::fit(&r, Innovation::Normal, tight),
        Err(RiskError::NotConverged { iterations: 2, .. })
    ));
    let zero = QuasiNewtonSettings {
        max_iterations: 0,
        ..QuasiNewtonSettings::default()
    };
    assert!(matches!(
        zero.validate(),
        Err(RiskError::InvalidParameter { .. })
    ));
    // With the default budget the same data fit.
    let fit = Garch11::fit(&r, Innovation::Normal, QuasiNewtonSettings::default()).unwrap();
    assert!(fit.log_likelihood.is_finite());
}

#[test]
fn simplex_fits_that_run_out_of_budget_report_it() {
    let r: Vec<f64> = (0..1000)
        .map(|i| ((i * 7919 % 1009) as f64 - 504.0) / 1e4)
        .collect();
    let short = SimplexSettings {
        max_iterations: 5,
        ..SimplexSettings::default()
    };
    let few = QuasiNewtonSettings {
        max_iterations: 2,
        ..QuasiNewtonSettings::default()
    };
    assert!(matches!(
        StudentTModel::fit_mle_with(&r, few),
        Err(RiskError::NotConverged { iterations: 2, .. })
    ));
    assert!(matches!(
        PeaksOverThreshold::fit_with(&r, 0.03, short),
        Err(RiskError::NotConverged { .. })
    ));
    let none = SimplexSettings {
        restarts: 0,
        ..SimplexSettings::default()
    };
    assert!(matches!(
        none.validate(),
        Err(RiskError::InvalidParameter {
            name: "restarts",
            ..
        })
    ));
    let bad = SimplexSettings {
        xatol: -1.0,
        ..SimplexSettings::default()
    };
    assert!(PeaksOverThreshold::fit_with(&r, 0.03, bad).is_err());
}
