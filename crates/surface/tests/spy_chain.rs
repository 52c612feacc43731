//! The SPY chain of 2025-09-25 (CBOE delayed quotes, American options). No reference fit
//! exists: the checks are the pipeline's own — every expiry fitted or skipped with a reason,
//! forwards consistent with spot, and a surface free of butterfly and calendar arbitrage.
//!
//! SPY options are American. They are not de-Americanised (that needs the pricing crate's
//! American engine, not available to this crate yet): the fit uses out-of-the-money options
//! only, whose early-exercise premium is small, inverted as European. Put-call parity does not
//! pin the discount of American options (early exercise biases the regression slope: it
//! returns rates near zero on this chain), so the discount comes from a given rate: 4%, about
//! the 3-month US Treasury bill yield on 2025-09-25.

use parapet_surface::{
    ChainSettings, DiscountSource, KGrid, build_surface, butterfly_check, calendar_check,
    parse_cboe_csv,
};

#[test]
fn spy_2025_09_25_surface() {
    let chain = parse_cboe_csv(include_str!("data/spy_option_chain_2025-09-25.csv")).unwrap();
    assert_eq!(chain.spot, 658.05);
    assert!(chain.rejected.is_empty(), "{:?}", chain.rejected);
    let valuation = chain.snapshot.last_weekday_close();
    let settings = ChainSettings {
        discount_rate: Some(0.04),
        ..ChainSettings::default()
    };
    let built = build_surface(&chain, valuation, &settings).unwrap();
    assert_eq!(built.slices.len() + built.skipped.len(), 11);
    let mut rmse = Vec::new();
    let mut inside = Vec::new();
    for s in &built.slices {
        // Forward within 1% of spot over these short expiries (T < 0.2 y).
        assert!(
            (s.forward / chain.spot - 1.0).abs() < 0.01,
            "{}: F = {}",
            s.expiry,
            s.forward
        );
        assert_eq!(s.discount_source, DiscountSource::Given);
        assert!((s.discount - (-0.04 * s.t).exp()).abs() < 1e-15);
        assert!(s.fit.butterfly.is_free(), "{}", s.expiry);
        let (lo, hi) = s.fit.check_range;
        let fine = KGrid::new(lo, hi, 4001).unwrap();
        assert!(butterfly_check(&s.smile, &fine).is_free(), "{}", s.expiry);
        rmse.push(s.fit.rmse_vol_points);
        inside.push(s.fit.inside_bid_ask);
    }
    for w in built.slices.windows(2) {
        let ((a0, a1), (b0, b1)) = (w[0].quotes.k_range(), w[1].quotes.k_range());
        let grid = KGrid::new(a0.max(b0), a1.min(b1), 2001).unwrap();
        assert!(
            calendar_check(&w[0].smile, &w[1].smile, &grid)
                .unwrap()
                .is_free()
        );
    }
    rmse.sort_by(f64::total_cmp);
    inside.sort_by(f64::total_cmp);
    eprintln!(
        "SPY 2025-09-25: {} slices ({} skipped), {} quotes, median RMSE {:.3} vol pts, median inside bid-ask {:.3}",
        built.slices.len(),
        built.skipped.len(),
        built.slices.iter().map(|s| s.quotes.len()).sum::<usize>(),
        rmse[rmse.len() / 2],
        inside[inside.len() / 2]
    );
}
