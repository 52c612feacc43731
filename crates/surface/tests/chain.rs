//! The chain pipeline end to end on a synthetic CBOE file generated from a known SVI surface,
//! and its handling of bad rows and bad chains.

use parapet_core::OptionKind;
use parapet_pricing::black;
use parapet_surface::{
    ChainSettings, Date, FilterReason, LocalTime, RawSvi, SkipReason, Smile, SurfaceError,
    build_surface, parse_cboe_csv,
};

const HEADER: &str = "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest";

fn month(m: u32) -> &'static str {
    [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][m as usize - 1]
}

fn row(d: Date, k: f64, call: (f64, f64), put: (f64, f64)) -> String {
    format!(
        "Mon {} {:02} {},XYZ{}C,0,0,{},{},0,0,0,0,10,{k:.2},XYZ{}P,0,0,{},{},0,0,0,0,10",
        month(d.month),
        d.day,
        d.year,
        d.day,
        call.0,
        call.1,
        d.day,
        put.0,
        put.1
    )
}

/// A chain on 2024-01-05 (valuation at the 16:00 close) with two live expiries priced from
/// raw SVI slices, an expired one, and a few broken quotes.
fn synthetic(outlier: bool) -> (String, Vec<(Date, f64, RawSvi)>) {
    let (spot, r, q) = (100.0, 0.05, 0.01);
    let val = LocalTime::close(Date::new(2024, 1, 5).unwrap());
    let slices = vec![
        (
            Date::new(2024, 2, 16).unwrap(),
            RawSvi::new(0.002, 0.04, -0.6, 0.02, 0.08).unwrap(),
        ),
        (
            Date::new(2024, 6, 21).unwrap(),
            RawSvi::new(0.008, 0.08, -0.55, 0.03, 0.15).unwrap(),
        ),
    ];
    let mut lines = vec![
        String::new(),
        format!("XYZ INDEX,Last: {spot},Change: 0"),
        "\"Date: January 7, 2024 at 10:52 AM EST\",Bid: 1".to_string(),
        HEADER.to_string(),
    ];
    // Expired expiry: real rows that must be skipped, not crash.
    let expired = Date::new(2024, 1, 5).unwrap();
    lines.push(row(expired, 100.0, (1.0, 1.2), (1.0, 1.2)));
    let mut truth = Vec::new();
    for (d, svi) in slices {
        let t = val.years_until(&parapet_surface::Settlement::Pm.time(d));
        let (f, disc) = (spot * ((r - q) * t).exp(), (-r * t).exp());
        truth.push((d, t, svi));
        for i in 0..=40 {
            let k = 70.0 + 1.5 * i as f64;
            let vol = (svi.total_variance((k / f).ln()) / t).sqrt();
            let quote = |kind| {
                let p = disc * black::price(kind, f, k, t, vol);
                let h = (0.002 * p).max(0.005);
                let round = |x: f64| (x * 1e6).round() / 1e6;
                (round(p - h).max(0.0), round(p + h))
            };
            let (mut c, mut p) = (quote(OptionKind::Call), quote(OptionKind::Put));
            if i == 3 {
                p = (p.1, p.0); // crossed put (OTM): filtered as Crossed
            }
            if i == 5 {
                p.0 = 0.0; // zero-bid OTM put
            }
            if outlier && i == 12 {
                p = (1.5 * p.0, 1.5 * p.1); // an OTM put quoted far too rich
            }
            if i == 26 {
                c = (c.0, c.0); // locked OTM call
            }
            lines.push(row(d, k, c, p));
        }
        lines.push(
            "Mon Feb 16 2024,XYZC,0,0,NaN,1,0,0,0,0,0,71.00,XYZP,0,0,1,2,0,0,0,0,0".to_string(),
        );
    }
    (lines.join("\n"), truth)
}

#[test]
fn synthetic_chain_recovers_forwards_and_smiles() {
    let (text, truth) = synthetic(false);
    let chain = parse_cboe_csv(&text).unwrap();
    assert_eq!(chain.rejected.len(), 2, "{:?}", chain.rejected);
    assert!(
        chain
            .rejected
            .iter()
            .all(|r| r.reason.contains("not finite"))
    );
    let built = build_surface(
        &chain,
        chain.snapshot.last_weekday_close(),
        &ChainSettings::default(),
    )
    .unwrap();
    assert_eq!(built.skipped.len(), 1);
    assert_eq!(built.skipped[0].reason, SkipReason::Expired);
    assert_eq!(built.slices.len(), 2);
    for (s, (d, t, svi)) in built.slices.iter().zip(&truth) {
        assert_eq!(s.expiry, *d);
        let f = 100.0 * (0.04 * t).exp();
        assert!((s.forward / f - 1.0).abs() < 1e-6, "{} vs {f}", s.forward);
        assert!((s.discount - (-0.05 * t).exp()).abs() < 1e-6);
        assert_eq!(s.filtered.get(&FilterReason::Crossed), Some(&1));
        assert!(
            s.filtered
                .get(&FilterReason::ZeroBid)
                .is_some_and(|&n| n >= 1)
        );
        assert_eq!(s.filtered.get(&FilterReason::Locked), Some(&1));
        assert!(s.fit.rmse_vol_points < 0.05, "{}", s.fit.rmse_vol_points);
        for k in [-0.2, 0.0, 0.15] {
            let want = (svi.total_variance(k) / t).sqrt();
            assert!((s.smile.implied_vol(k) - want).abs() < 5e-4);
        }
        assert!(s.fit.butterfly.is_free());
    }
}

#[test]
fn bad_chains_are_typed_errors() {
    assert!(matches!(parse_cboe_csv(""), Err(SurfaceError::EmptyChain)));
    assert!(matches!(
        parse_cboe_csv("\n\n"),
        Err(SurfaceError::EmptyChain)
    ));
    let head = format!("X,Last: 100\n\"Date: January 7, 2024 at 10:52 AM EST\"\n{HEADER}\n");
    // Only a header: no rows.
    assert!(matches!(
        parse_cboe_csv(&head),
        Err(SurfaceError::EmptyChain)
    ));
    // A single strike: no forward can be found, so nothing to fit.
    let d = Date::new(2024, 3, 15).unwrap();
    let one = format!("{head}{}", row(d, 100.0, (5.0, 5.2), (4.0, 4.2)));
    let chain = parse_cboe_csv(&one).unwrap();
    let val = chain.snapshot.last_weekday_close();
    assert!(matches!(
        build_surface(&chain, val, &ChainSettings::default()),
        Err(SurfaceError::EmptyChain)
    ));
    // Every row expired.
    let late = LocalTime::close(Date::new(2025, 1, 2).unwrap());
    assert!(matches!(
        build_surface(&chain, late, &ChainSettings::default()),
        Err(SurfaceError::EmptyChain)
    ));
    // Bad header rows.
    assert!(matches!(
        parse_cboe_csv("X,Last: -1\n"),
        Err(SurfaceError::Parse { line: 1, .. })
    ));
    assert!(matches!(
        parse_cboe_csv("X,Last: 100\n\"Date: Smarch 7, 2024 at 10:52 AM EST\"\n"),
        Err(SurfaceError::Parse { line: 2, .. })
    ));
    assert!(matches!(
        parse_cboe_csv("X,Last: 100\n\"Date: January 7, 2024 at 10:52 AM EST\"\nA,B\n"),
        Err(SurfaceError::Parse { line: 3, .. })
    ));
    let nan_rate = ChainSettings {
        discount_rate: Some(f64::NAN),
        ..ChainSettings::default()
    };
    assert!(matches!(
        build_surface(&chain, val, &nan_rate),
        Err(SurfaceError::NotFinite {
            name: "discount_rate",
            ..
        })
    ));
    let bad = ChainSettings {
        min_quotes: 2,
        ..ChainSettings::default()
    };
    assert!(matches!(
        build_surface(&chain, val, &bad),
        Err(SurfaceError::InvalidParameter {
            name: "min_quotes",
            ..
        })
    ));
}

#[test]
fn outlier_filter_drops_a_planted_quote() {
    let (text, truth) = synthetic(true);
    let chain = parse_cboe_csv(&text).unwrap();
    let val = chain.snapshot.last_weekday_close();
    let settings = ChainSettings {
        outlier_half_spreads: Some(5.0),
        ..ChainSettings::default()
    };
    let built = build_surface(&chain, val, &settings).unwrap();
    for (s, (_, t, svi)) in built.slices.iter().zip(&truth) {
        assert_eq!(
            s.filtered.get(&FilterReason::Outlier),
            Some(&1),
            "{:?}",
            s.filtered
        );
        assert!(!s.strikes.contains(&88.0));
        assert_eq!(s.strikes.len(), s.quotes.len());
        assert!(s.fit.rmse_vol_points < 0.05, "{}", s.fit.rmse_vol_points);
        let want = (svi.total_variance(-0.1) / t).sqrt();
        assert!((s.smile.implied_vol(-0.1) - want).abs() < 5e-4);
    }
    // Without the filter the planted quote is fitted and distorts the slice.
    let plain = build_surface(&chain, val, &ChainSettings::default()).unwrap();
    assert!(plain.slices[0].fit.rmse_vol_points > built.slices[0].fit.rmse_vol_points);
    assert!(
        build_surface(
            &chain,
            val,
            &ChainSettings {
                outlier_half_spreads: Some(-1.0),
                ..ChainSettings::default()
            }
        )
        .is_err()
    );
}

#[test]
fn a_second_root_at_the_same_time_is_skipped_with_a_reason() {
    let (text, _) = synthetic(false);
    let twin: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("Mon Feb 16 2024,XYZ16C"))
        .map(|l| l.replace("XYZ16", "XYZW16"))
        .collect();
    let chain = parse_cboe_csv(&format!("{text}\n{}", twin.join("\n"))).unwrap();
    let built = build_surface(
        &chain,
        chain.snapshot.last_weekday_close(),
        &ChainSettings::default(),
    )
    .unwrap();
    assert_eq!(built.slices.len(), 2);
    assert!(
        built
            .skipped
            .iter()
            .any(|s| s.reason == SkipReason::SameTime)
    );
}
