//! The SPY chain of 2025-09-25 (CBOE delayed quotes, American options on a dividend-paying
//! ETF). No reference fit exists: the checks are the pipeline's own — every expiry fitted or
//! skipped with a reason, forwards consistent with spot, and a surface free of butterfly and
//! calendar arbitrage — run twice: with the quotes inverted as European and de-Americanised.
//!
//! Put-call parity does not pin the discount of American options (early exercise biases the
//! regression slope: it returns rates near zero on this chain), so the discount comes from a
//! given rate: 4%, about the 3-month US Treasury bill yield on 2025-09-25. De-Americanised,
//! each quote's vol is its American implied vol (QD+ fixed-point engine, default scheme) and
//! the carry of each expiry is implied from the near-the-money American pairs.

use parapet_pricing::american::QdFpScheme;
use parapet_surface::{
    ChainSettings, ChainSurface, DiscountSource, ExerciseTreatment, KGrid, SurfaceError,
    build_surface, butterfly_check, calendar_check, parse_cboe_csv,
};

/// Checks the surface and returns (median RMSE, median share inside bid-ask).
fn check(label: &str, spot: f64, built: &ChainSurface) -> (f64, f64) {
    assert_eq!(built.slices.len() + built.skipped.len(), 11, "{label}");
    let mut rmse = Vec::new();
    let mut inside = Vec::new();
    for s in &built.slices {
        // Forward within 1% of spot over these short expiries (T < 0.2 y).
        assert!(
            (s.forward / spot - 1.0).abs() < 0.01,
            "{label} {}: F = {}",
            s.expiry,
            s.forward
        );
        assert_eq!(s.discount_source, DiscountSource::Given);
        assert!((s.discount - (-0.04 * s.t).exp()).abs() < 1e-15);
        assert!(s.fit.butterfly.is_free(), "{label} {}", s.expiry);
        let (lo, hi) = s.fit.check_range;
        let fine = KGrid::new(lo, hi, 4001).unwrap();
        assert!(
            butterfly_check(&s.smile, &fine).is_free(),
            "{label} {}",
            s.expiry
        );
        rmse.push(s.fit.rmse_vol_points);
        inside.push(s.fit.inside_bid_ask);
    }
    for w in built.slices.windows(2) {
        let ((a0, a1), (b0, b1)) = (w[0].quotes.k_range(), w[1].quotes.k_range());
        let grid = KGrid::new(a0.max(b0), a1.min(b1), 2001).unwrap();
        assert!(
            calendar_check(&w[0].smile, &w[1].smile, &grid)
                .unwrap()
                .is_free(),
            "{label} {}",
            w[1].expiry
        );
    }
    rmse.sort_by(f64::total_cmp);
    inside.sort_by(f64::total_cmp);
    let (r, i) = (rmse[rmse.len() / 2], inside[inside.len() / 2]);
    eprintln!(
        "SPY 2025-09-25 {label}: {} slices ({} skipped), {} quotes, median RMSE {r:.3} vol pts, median inside bid-ask {i:.3}",
        built.slices.len(),
        built.skipped.len(),
        built.slices.iter().map(|s| s.quotes.len()).sum::<usize>(),
    );
    (r, i)
}

#[test]
fn spy_2025_09_25_surface_with_and_without_deamericanisation() {
    let chain = parse_cboe_csv(include_str!("data/spy_option_chain_2025-09-25.csv")).unwrap();
    assert_eq!(chain.spot, 658.05);
    assert!(chain.rejected.is_empty(), "{:?}", chain.rejected);
    let valuation = chain.snapshot.last_weekday_close();
    let european = ChainSettings {
        discount_rate: Some(0.04),
        ..ChainSettings::default()
    };
    let as_european = build_surface(&chain, valuation, &european).unwrap();
    assert!(
        as_european
            .slices
            .iter()
            .all(|s| s.dividend_yield.is_none())
    );
    check("as European", chain.spot, &as_european);

    let american = ChainSettings {
        exercise: ExerciseTreatment::DeAmericanise {
            scheme: QdFpScheme::Default,
            dividend_yield: None,
        },
        ..european
    };
    let built = build_surface(&chain, valuation, &american).unwrap();
    check("de-Americanised", chain.spot, &built);
    for (s, e) in built.slices.iter().zip(&as_european.slices) {
        let q = s.dividend_yield.unwrap();
        eprintln!(
            "  {} T={:.4} q={q:.4} F={:.3} (parity {:.3}) RMSE {:.3} (as European {:.3}) inside {:.3} ({:.3})",
            s.expiry,
            s.t,
            s.forward,
            e.forward,
            s.fit.rmse_vol_points,
            e.fit.rmse_vol_points,
            s.fit.inside_bid_ask,
            e.fit.inside_bid_ask
        );
        // The forward is S·e^{(r − q)T}; SPY's carry (dividend yield about 1.1% a year, with
        // quarterly ex-dates) lies well inside ±5% for expiries beyond a week.
        assert!((s.forward - chain.spot * ((0.04 - q) * s.t).exp()).abs() < 1e-9 * s.forward);
        if s.t > 7.0 / 365.0 {
            assert!(q.abs() < 0.05, "{}: q = {q}", s.expiry);
        }
        // The carry-implied and the parity forwards agree to within 10 bp.
        assert!((s.forward / e.forward - 1.0).abs() < 1e-3, "{}", s.expiry);
    }
}

#[test]
fn deamericanisation_settings_are_validated() {
    let american = |dividend_yield| ChainSettings {
        exercise: ExerciseTreatment::DeAmericanise {
            scheme: QdFpScheme::Default,
            dividend_yield,
        },
        ..ChainSettings::default()
    };
    // Parity cannot pin the discount of American quotes: a rate must be given.
    assert!(matches!(
        american(None).validate(),
        Err(SurfaceError::InvalidParameter {
            name: "discount_rate",
            ..
        })
    ));
    let with_rate = |q| ChainSettings {
        discount_rate: Some(0.04),
        ..american(q)
    };
    assert!(with_rate(None).validate().is_ok());
    assert!(with_rate(Some(0.012)).validate().is_ok());
    assert!(matches!(
        with_rate(Some(f64::NAN)).validate(),
        Err(SurfaceError::NotFinite {
            name: "dividend_yield",
            ..
        })
    ));
}
