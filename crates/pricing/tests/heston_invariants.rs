//! Heston invariants (proptest), the smile API, calibration on synthetic quotes, bad input.

use parapet_core::{Market, OptionKind, Vanilla};
use parapet_pricing::PricingError;
use parapet_pricing::bsm;
use parapet_pricing::heston::{
    CalibrationSettings, Cos, CosSettings, HestonModel, HestonParams, HestonQuote, Lewis,
    LewisSettings, QuoteValue, calibrate,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The COS series and Lewis's integral are independent methods: they agree to 1e-11 over
    /// random parameters, strikes and expiries, Feller violated down to `2κθ/σ² = 0.02`.
    /// Below that, with a small `v₀`, COS's cumulant truncation range misses left-tail mass
    /// (the documented limit of `Cos`; see `lewis_in_the_cos_blind_spot`).
    #[test]
    fn cos_and_lewis_agree_everywhere(
        v0 in 0.005..0.2f64,
        kappa in 0.2..6.0f64,
        theta in 0.01..0.2f64,
        sigma in 0.1..1.5f64,
        rho in -0.9..0.5f64,
        strike in 60.0..160.0f64,
        t in 0.02..5.0f64,
        call in any::<bool>(),
    ) {
        prop_assume!(2.0 * kappa * theta / (sigma * sigma) >= 0.02);
        let model = HestonModel::new(HestonParams { v0, kappa, theta, sigma, rho }).unwrap();
        let market = Market::new(100.0, 0.02, 0.01).unwrap();
        let kind = if call { OptionKind::Call } else { OptionKind::Put };
        let option = Vanilla::european(kind, strike, t).unwrap();
        let a = Lewis::default().price(&model, &option, &market).unwrap();
        let b = Cos::default().price(&model, &option, &market).unwrap();
        prop_assert!((a - b).abs() < 1e-11, "{a} vs {b}");
        prop_assert!(a >= 0.0);
    }
}

/// `2κθ/σ² = 0.002`, `v₀ = 0.005`, 1,558 days: COS with its default truncation is 1e-7 low
/// here; Lewis's integral matches QuantLib's `AnalyticHestonEngine` (Gauss-Lobatto at 1e-14,
/// value 0.20055875004394233, computed with QuantLib 1.29 for this case).
#[test]
fn lewis_in_the_cos_blind_spot() {
    let model = HestonModel::new(HestonParams {
        v0: 0.005,
        kappa: 0.2,
        theta: 0.01,
        sigma: 1.374061800007935,
        rho: 0.0,
    })
    .unwrap();
    let market = Market::new(100.0, 0.02, 0.01).unwrap();
    let option = Vanilla::european(OptionKind::Put, 60.0, 1558.0 / 365.0).unwrap();
    let lewis = Lewis::default().price(&model, &option, &market).unwrap();
    assert!((lewis - 0.200_558_750_043_942_33).abs() < 1e-12, "{lewis}");
    let cos = Cos::default().price(&model, &option, &market).unwrap();
    assert!(
        (cos - lewis).abs() > 1e-8,
        "the limit documented on Cos has moved: {cos}"
    );
}

#[test]
fn black_scholes_limit() {
    // σ → 0 with v₀ = θ: Black-Scholes with vol √θ.
    let model = HestonModel::new(HestonParams {
        v0: 0.04,
        kappa: 1.0,
        theta: 0.04,
        sigma: 1e-7,
        rho: 0.0,
    })
    .unwrap();
    let market = Market::new(100.0, 0.03, 0.01).unwrap();
    for (k, t) in [(80.0, 0.1), (100.0, 1.0), (130.0, 3.0)] {
        for kind in [OptionKind::Call, OptionKind::Put] {
            let e = Vanilla::european(kind, k, t).unwrap();
            let bs = bsm::price(&e, &market, 0.2).unwrap();
            let l = Lewis::default().price(&model, &e, &market).unwrap();
            let c = Cos::default().price(&model, &e, &market).unwrap();
            assert!(
                (l - bs).abs() < 1e-12 && (c - bs).abs() < 1e-12,
                "{l} {c} {bs}"
            );
        }
    }
}

#[test]
fn smile_equals_single_prices() {
    let model = HestonModel::new(HestonParams {
        v0: 0.04,
        kappa: 4.0,
        theta: 0.25,
        sigma: 1.0,
        rho: -0.5,
    })
    .unwrap();
    let market = Market::new(100.0, 0.01, 0.02).unwrap();
    let strikes: Vec<f64> = (0..50).map(|i| 60.0 + 2.0 * i as f64).collect();
    let cos = Cos::default();
    let smile = cos
        .smile(&model, &market, OptionKind::Put, 0.5, &strikes)
        .unwrap();
    for (&k, &p) in strikes.iter().zip(&smile) {
        let single = Lewis::default()
            .price(
                &model,
                &Vanilla::european(OptionKind::Put, k, 0.5).unwrap(),
                &market,
            )
            .unwrap();
        assert!((p - single).abs() < 1e-12, "K {k}: {p} vs {single}");
    }
}

fn synthetic(truth: &HestonModel, market: &Market, vols: bool) -> Vec<HestonQuote> {
    let cos = Cos::default();
    let mut quotes = Vec::new();
    for &t in &[0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0] {
        let strikes: Vec<f64> = (0..10).map(|i| 70.0 + 7.0 * i as f64).collect();
        for kind in [OptionKind::Put, OptionKind::Call] {
            let prices = cos.smile(truth, market, kind, t, &strikes).unwrap();
            for (&strike, &p) in strikes.iter().zip(&prices) {
                // Out-of-the-money quotes only, as a desk would use.
                let f = market.forward(t);
                if (kind == OptionKind::Put) != (strike < f) {
                    continue;
                }
                let value = if vols {
                    let undiscounted = p / market.discount(t);
                    QuoteValue::Vol(
                        parapet_pricing::implied::black_vol(kind, f, strike, t, undiscounted)
                            .unwrap(),
                    )
                } else {
                    QuoteValue::Price(p)
                };
                quotes.push(HestonQuote {
                    kind,
                    strike,
                    expiry: t,
                    value,
                    weight: 1.0,
                });
            }
        }
    }
    quotes
}

#[test]
fn calibration_recovers_known_parameters() {
    let truth = HestonModel::new(HestonParams {
        v0: 0.035,
        kappa: 1.8,
        theta: 0.06,
        sigma: 0.7,
        rho: -0.65,
    })
    .unwrap();
    let market = Market::new(100.0, 0.03, 0.01).unwrap();
    let start = HestonParams {
        v0: 0.08,
        kappa: 0.8,
        theta: 0.03,
        sigma: 0.3,
        rho: -0.2,
    };
    for vols in [false, true] {
        let quotes = synthetic(&truth, &market, vols);
        assert_eq!(quotes.len(), 100);
        let fit = calibrate(&market, &quotes, start, &CalibrationSettings::default()).unwrap();
        let (p, q) = (fit.model.params(), truth.params());
        eprintln!(
            "heston calibration ({} quotes): {} iterations, {} evaluations, rmse {:.2e}, stop {:?}, fitted {p:?}",
            if vols { "vol" } else { "price" },
            fit.iterations,
            fit.evaluations,
            fit.rmse,
            fit.stop
        );
        for (a, b) in [
            (p.v0, q.v0),
            (p.kappa, q.kappa),
            (p.theta, q.theta),
            (p.sigma, q.sigma),
            (p.rho, q.rho),
        ] {
            assert!((a - b).abs() < 1e-4 * b.abs().max(1.0), "{p:?} vs {q:?}");
        }
        assert!(fit.rmse < 1e-7 && fit.residuals.len() == 100);
    }
}

#[test]
fn bad_inputs_are_typed_errors() {
    let model = HestonModel::new(HestonParams {
        v0: 0.04,
        kappa: 1.0,
        theta: 0.04,
        sigma: 0.5,
        rho: -0.5,
    })
    .unwrap();
    let market = Market::new(100.0, 0.01, 0.0).unwrap();
    let american = Vanilla::american(OptionKind::Put, 100.0, 1.0).unwrap();
    assert!(matches!(
        Cos::default().price(&model, &american, &market),
        Err(PricingError::UnsupportedExercise { .. })
    ));
    assert!(Lewis::default().price(&model, &american, &market).is_err());
    assert!(
        Cos::default()
            .smile(&model, &market, OptionKind::Call, 0.0, &[100.0])
            .is_err()
    );
    assert!(
        Cos::default()
            .smile(&model, &market, OptionKind::Call, 1.0, &[-5.0])
            .is_err()
    );
    assert!(matches!(
        Cos::new(CosSettings {
            truncation: 1.0,
            tolerance: 1e-12
        }),
        Err(PricingError::OutOfRange {
            name: "truncation",
            ..
        })
    ));
    assert!(
        Lewis::new(LewisSettings {
            tolerance: 0.0,
            max_depth: 10
        })
        .is_err()
    );
    assert!(
        Lewis::new(LewisSettings {
            tolerance: 1e-12,
            max_depth: 0
        })
        .is_err()
    );
    let p = *model.params();
    assert!(matches!(
        HestonModel::new(HestonParams { theta: -0.1, ..p }),
        Err(PricingError::NotPositive { name: "theta", .. })
    ));
    assert!(matches!(
        HestonModel::new(HestonParams { rho: 1.5, ..p }),
        Err(PricingError::OutOfRange { name: "rho", .. })
    ));
    let s = CalibrationSettings::default();
    assert!(matches!(
        calibrate(&market, &[], p, &s),
        Err(PricingError::LengthMismatch { .. })
    ));
    let q = HestonQuote {
        kind: OptionKind::Call,
        strike: 100.0,
        expiry: 1.0,
        value: QuoteValue::Vol(-0.2),
        weight: 1.0,
    };
    assert!(calibrate(&market, &[q], p, &s).is_err());
    let q = HestonQuote {
        value: QuoteValue::Price(10.0),
        weight: -1.0,
        ..q
    };
    assert!(calibrate(&market, &[q], p, &s).is_err());
    let outside = HestonParams { kappa: 50.0, ..p };
    assert!(matches!(
        calibrate(&market, &[HestonQuote { weight: 1.0, ..q }], outside, &s),
        Err(PricingError::OutOfRange { name: "kappa", .. })
    ));
    let bad = CalibrationSettings {
        max_iterations: 0,
        ..s
    };
    assert!(bad.validate().is_err());
}
