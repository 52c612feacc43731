//! Calibrations recover known parameters from synthetic quotes.

mod tolerance;

use parapet_surface::{
    Beta, CalendarBound, Phi, PhiFamily, RawSvi, Sabr, SabrCalibrator, SabrFitSettings,
    SliceQuotes, Smile, SmileQuote, Ssvi, SurfaceError, SviCalibrator, SviFitSettings, Weighting,
    fit_ssvi,
};
use tolerance::RECOVERY;

fn svi_quotes(truth: &RawSvi, t: f64, k_lo: f64, k_hi: f64, n: usize) -> SliceQuotes {
    let quotes = (0..n)
        .map(|i| {
            let k = k_lo + (k_hi - k_lo) * i as f64 / (n - 1) as f64;
            let v = (truth.total_variance(k) / t).sqrt();
            SmileQuote {
                k,
                bid: v - 0.002,
                mid: v,
                ask: v + 0.002,
            }
        })
        .collect();
    SliceQuotes::new(t, quotes).unwrap()
}

#[test]
fn svi_recovers_arbitrage_free_parameters() {
    let cases = [
        (
            RawSvi::new(0.04, 0.4, -0.4, 0.05, 0.1).unwrap(),
            1.0,
            -0.8,
            0.5,
        ),
        (
            RawSvi::new(0.001, 0.05, -0.6, 0.01, 0.05).unwrap(),
            0.08,
            -0.3,
            0.1,
        ),
        (
            RawSvi::new(-0.01, 0.2, -0.3, 0.1, 0.3).unwrap(),
            1.5,
            -1.0,
            0.8,
        ),
        (
            RawSvi::new(0.02, 0.1, 0.0, 0.0, 0.2).unwrap(),
            0.5,
            -0.6,
            0.6,
        ),
    ];
    let cal = SviCalibrator::new(SviFitSettings::default()).unwrap();
    let mut worst = 0.0f64;
    for (truth, t, lo, hi) in cases {
        let fit = cal.fit(&svi_quotes(&truth, t, lo, hi, 50)).unwrap();
        let p = fit.smile.params();
        let got = [p.a(), p.b(), p.rho(), p.m(), p.sigma()];
        let want = [truth.a(), truth.b(), truth.rho(), truth.m(), truth.sigma()];
        for (g, w) in got.iter().zip(&want) {
            assert!(RECOVERY.ok(*g, *w), "{truth:?}: got {got:?}");
            worst = worst.max((g - w).abs());
        }
        assert!(fit.report.rmse_vol_points < 1e-5, "{:?}", fit.report);
        assert_eq!(fit.report.inside_bid_ask, 1.0);
        assert!(fit.report.butterfly.is_free());
    }
    eprintln!("SVI recovery: max abs parameter error {worst:.1e}");
}

#[test]
fn svi_fit_removes_butterfly_arbitrage_of_vogt_quotes() {
    // Quotes on the Axel Vogt slice, which has butterfly arbitrage: the fit must trade fit
    // quality for a smile with g ≥ 0 on its check range.
    let vogt = RawSvi::new(-0.041, 0.1331, 0.306, 0.3586, 0.4153).unwrap();
    let quotes = svi_quotes(&vogt, 0.99, -1.0, 1.5, 60);
    let cal = SviCalibrator::new(SviFitSettings::default()).unwrap();
    let fit = cal.fit(&quotes).unwrap();
    assert!(fit.report.butterfly.is_free(), "{:?}", fit.report.butterfly);
    assert!(fit.report.rmse_vol_points < 2.0, "{:?}", fit.report);
    let free = SviCalibrator::new(SviFitSettings {
        no_butterfly: false,
        ..SviFitSettings::default()
    })
    .unwrap()
    .fit(&quotes)
    .unwrap();
    assert!(!free.report.butterfly.is_free());
    assert!(free.report.rmse_vol_points < 1e-4);
    eprintln!(
        "Vogt quotes: RMSE {:.3} vol pts arbitrage-free vs {:.1e} unconstrained",
        fit.report.rmse_vol_points, free.report.rmse_vol_points
    );
}

#[test]
fn svi_fit_above_respects_floor() {
    let early = RawSvi::new(0.02, 0.2, -0.5, 0.0, 0.1).unwrap();
    let late = RawSvi::new(0.025, 0.15, -0.5, 0.0, 0.15).unwrap(); // crosses `early` in the wings
    let cal = SviCalibrator::new(SviFitSettings::default()).unwrap();
    let first_quotes = svi_quotes(&early, 0.25, -0.6, 0.4, 40);
    let first = cal.fit(&first_quotes).unwrap();
    let second = cal
        .fit_above(
            &svi_quotes(&late, 0.3, -0.6, 0.4, 40),
            &first.smile,
            first_quotes.k_range(),
        )
        .unwrap();
    let cal_report = second.report.calendar.as_ref().unwrap();
    assert!(cal_report.is_free(), "{cal_report:?}");
    let (lo, hi) = first_quotes.k_range();
    for i in 0..=200 {
        let k = lo + (hi - lo) * i as f64 / 200.0;
        assert!(second.smile.total_variance(k) >= first.smile.total_variance(k) - 1e-12);
    }
    assert!(matches!(
        cal.fit_above(
            &svi_quotes(&late, 0.2, -0.6, 0.4, 40),
            &first.smile,
            (0.0, 1.0)
        ),
        Err(SurfaceError::NotIncreasing { .. })
    ));
}

#[test]
fn svi_settings_and_inputs_are_validated() {
    let bad = SviFitSettings {
        grid_m: 1,
        ..SviFitSettings::default()
    };
    assert!(matches!(
        SviCalibrator::new(bad),
        Err(SurfaceError::InvalidParameter { name: "grid_m", .. })
    ));
    let bad = SviFitSettings {
        weighting: Weighting::Spread { floor: 0.0 },
        ..SviFitSettings::default()
    };
    assert!(SviCalibrator::new(bad).is_err());
    let bad = SviFitSettings {
        sigma_min: 3.0,
        ..SviFitSettings::default()
    };
    assert!(SviCalibrator::new(bad).is_err());
    let truth = RawSvi::new(0.04, 0.4, -0.4, 0.05, 0.1).unwrap();
    let few = svi_quotes(&truth, 1.0, -0.2, 0.2, 4);
    let cal = SviCalibrator::new(SviFitSettings::default()).unwrap();
    assert!(matches!(
        cal.fit(&few),
        Err(SurfaceError::TooFewQuotes {
            needed: 5,
            got: 4,
            ..
        })
    ));
    let q = |k, bid, mid, ask| SmileQuote { k, bid, mid, ask };
    assert!(SliceQuotes::new(0.0, vec![q(0.0, 0.1, 0.2, 0.3)]).is_err());
    assert!(SliceQuotes::new(1.0, vec![]).is_err());
    assert!(matches!(
        SliceQuotes::new(1.0, vec![q(0.0, 0.3, 0.2, 0.1)]),
        Err(SurfaceError::InvalidParameter { .. })
    ));
    assert!(matches!(
        SliceQuotes::new(1.0, vec![q(f64::NAN, 0.1, 0.2, 0.3)]),
        Err(SurfaceError::NotFinite { .. })
    ));
    assert!(matches!(
        SliceQuotes::new(1.0, vec![q(0.0, 0.1, 0.2, 0.3), q(0.0, 0.1, 0.2, 0.3)]),
        Err(SurfaceError::NotIncreasing { .. })
    ));
}

fn exact_quotes(t: f64, ks: &[f64], vol: impl Fn(f64) -> f64) -> SliceQuotes {
    let quotes = ks
        .iter()
        .map(|&k| {
            let v = vol(k);
            SmileQuote {
                k,
                bid: v,
                mid: v,
                ask: v,
            }
        })
        .collect();
    SliceQuotes::new(t, quotes).unwrap()
}

#[test]
fn sabr_recovers_parameters_with_beta_fixed_and_fitted() {
    let ks: Vec<f64> = (0..25).map(|i| -0.4 + 0.03 * i as f64).collect();
    let cases = [
        (Sabr::new(0.2, 0.5, -0.4, 0.6).unwrap(), 1.0, 0.5),
        (Sabr::new(0.035, 0.5, -0.3, 0.4).unwrap(), 0.03, 2.0),
        (Sabr::new(0.25, 1.0, -0.7, 1.2).unwrap(), 100.0, 0.25),
    ];
    let mut worst = 0.0f64;
    for (truth, f, t) in cases {
        let q = exact_quotes(t, &ks, |k| truth.lognormal_vol(f, f * k.exp(), t).unwrap());
        for beta in [Beta::Fixed(truth.beta()), Beta::Fitted] {
            let cal = SabrCalibrator::new(SabrFitSettings {
                beta,
                ..SabrFitSettings::default()
            })
            .unwrap();
            let fit = cal.fit(&q, f).unwrap();
            let p = fit.smile.params();
            let got = [p.alpha(), p.beta(), p.rho(), p.nu()];
            let want = [truth.alpha(), truth.beta(), truth.rho(), truth.nu()];
            // With β fitted, β and ρ trade off on one smile: check the fit, and the
            // parameters only with β fixed.
            assert!(fit.rmse_vol_points < 1e-6, "{beta:?} {truth:?}: {fit:?}");
            if matches!(beta, Beta::Fixed(_)) {
                for (g, w) in got.iter().zip(&want) {
                    assert!(RECOVERY.ok(*g, *w), "{truth:?}: got {got:?}");
                    worst = worst.max((g - w).abs() / w.abs().max(1e-12));
                }
            }
        }
    }
    eprintln!("SABR recovery (β fixed): max rel parameter error {worst:.1e}");
    let cal = SabrCalibrator::new(SabrFitSettings::default()).unwrap();
    let q = exact_quotes(1.0, &ks[..2], |_| 0.2);
    assert!(matches!(
        cal.fit(&q, 1.0),
        Err(SurfaceError::TooFewQuotes { .. })
    ));
    assert!(cal.fit(&exact_quotes(1.0, &ks, |_| 0.2), -1.0).is_err());
    assert!(
        SabrCalibrator::new(SabrFitSettings {
            beta: Beta::Fixed(1.5),
            ..SabrFitSettings::default()
        })
        .is_err()
    );
}

#[test]
fn ssvi_recovers_parameters() {
    let ks: Vec<f64> = (0..21).map(|i| -0.5 + 0.05 * i as f64).collect();
    let cases = [
        (
            Ssvi::new(-0.7, Phi::HestonLike { lambda: 0.5 }).unwrap(),
            PhiFamily::HestonLike,
        ),
        (
            Ssvi::new(
                -0.5,
                Phi::PowerLaw {
                    eta: 1.2,
                    gamma: 0.4,
                },
            )
            .unwrap(),
            PhiFamily::PowerLaw,
        ),
    ];
    for (truth, family) in cases {
        let slices: Vec<SliceQuotes> = [0.1, 0.5, 1.0, 2.0]
            .iter()
            .map(|&t| {
                let theta = 0.04 * t;
                exact_quotes(t, &ks, |k| (truth.total_variance(k, theta) / t).sqrt())
            })
            .collect();
        let fit = fit_ssvi(&slices, family).unwrap();
        assert!(fit.ssvi.is_free_of_static_arbitrage());
        assert!(RECOVERY.ok(fit.ssvi.rho(), truth.rho()), "{fit:?}");
        match (fit.ssvi.phi(), truth.phi()) {
            (Phi::HestonLike { lambda: a }, Phi::HestonLike { lambda: b }) => {
                assert!(RECOVERY.ok(a, b), "{a} vs {b}");
            }
            (Phi::PowerLaw { eta: a, gamma: g }, Phi::PowerLaw { eta: b, gamma: h }) => {
                assert!(RECOVERY.ok(a, b) && RECOVERY.ok(g, h), "{a} {g} vs {b} {h}");
            }
            other => panic!("family changed: {other:?}"),
        }
        assert!(fit.rmse_vol_points < 1e-6);
    }
    assert!(fit_ssvi(&[], PhiFamily::HestonLike).is_err());
}

#[test]
fn svi_fit_between_respects_a_ceiling_from_a_warm_start() {
    // The earlier slice's quotes rise above the later slice in the wings: fitted under the
    // later slice as a ceiling, warm-started from its unconstrained fit.
    let early = RawSvi::new(0.02, 0.2, -0.5, 0.0, 0.1).unwrap();
    let late = RawSvi::new(0.025, 0.15, -0.5, 0.0, 0.15).unwrap();
    let cal = SviCalibrator::new(SviFitSettings::default()).unwrap();
    let late_quotes = svi_quotes(&late, 0.3, -0.6, 0.4, 40);
    let later = cal.fit(&late_quotes).unwrap();
    let early_quotes = svi_quotes(&early, 0.25, -0.6, 0.4, 40);
    let free = cal.fit(&early_quotes).unwrap();
    let ceiling = CalendarBound {
        smile: &later.smile,
        k_range: late_quotes.k_range(),
    };
    let fit = cal
        .fit_between(
            &early_quotes,
            None,
            Some(ceiling),
            Some(free.smile.params()),
        )
        .unwrap();
    let report = fit.report.calendar_next.as_ref().unwrap();
    assert!(report.is_free(), "{report:?}");
    assert!(fit.report.calendar.is_none());
    let (lo, hi) = early_quotes.k_range();
    for i in 0..=200 {
        let k = lo + (hi - lo) * i as f64 / 200.0;
        assert!(fit.smile.total_variance(k) <= later.smile.total_variance(k) + 1e-12);
    }
    // The constraint binds: the unconstrained fit crosses the ceiling.
    assert!((0..=200).any(|i| {
        let k = lo + (hi - lo) * i as f64 / 200.0;
        free.smile.total_variance(k) > later.smile.total_variance(k)
    }));
    assert!(matches!(
        cal.fit_between(&late_quotes, None, Some(ceiling), None),
        Err(SurfaceError::NotIncreasing { .. })
    ));
}

#[test]
fn svi_recovers_parameters_under_every_weighting() {
    let truth = RawSvi::new(0.01, 0.1, -0.5, 0.02, 0.15).unwrap();
    let q = svi_quotes(&truth, 0.5, -0.5, 0.3, 40);
    for weighting in [
        Weighting::Equal,
        Weighting::Vega,
        Weighting::Spread { floor: 0.01 },
    ] {
        let fit = SviCalibrator::new(SviFitSettings {
            weighting,
            ..SviFitSettings::default()
        })
        .unwrap()
        .fit(&q)
        .unwrap();
        let p = fit.smile.params();
        for (g, w) in [
            (p.a(), truth.a()),
            (p.b(), truth.b()),
            (p.rho(), truth.rho()),
        ] {
            assert!(RECOVERY.ok(g, w), "{weighting:?}: {g} vs {w}");
        }
        assert!(fit.report.rmse_half_spreads < 1e-4, "{weighting:?}");
    }
}
