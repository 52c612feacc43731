//! Surface behaviour through the public API: interpolation in total variance, calendar
//! monotonicity, delta queries, Dupire local vol, smile metrics, and bad inputs.

use parapet_core::special::norm_cdf;
use parapet_surface::{
    KGrid, Phi, RawSvi, Smile, Ssvi, Surface, SurfaceError, SviSmile, butterfly_check,
    calendar_check,
};
use proptest::prelude::*;

/// An SSVI surface (Heston-like φ, λ ≥ (1+|ρ|)/4: free of static arbitrage by Gatheral &
/// Jacquier 2014, Corollary 4.1) sampled at four expiries as raw SVI slices.
fn ssvi_surface() -> (Surface, Ssvi, Vec<(f64, f64)>) {
    let ssvi = Ssvi::new(-0.6, Phi::HestonLike { lambda: 0.5 }).unwrap();
    // ATM total variance θ(T) = 0.04·T + 0.002·√T (increasing).
    let theta = |t: f64| 0.04 * t + 0.002 * t.sqrt();
    let nodes: Vec<(f64, f64)> = [0.1, 0.25, 0.5, 1.0]
        .iter()
        .map(|&t| (t, theta(t)))
        .collect();
    let slices = nodes
        .iter()
        .map(|&(t, th)| {
            let fwd = 100.0 * (0.03 * t).exp();
            (fwd, SviSmile::new(ssvi.slice(th).unwrap(), t).unwrap())
        })
        .collect();
    (Surface::new(100.0, slices).unwrap(), ssvi, nodes)
}

#[test]
fn interpolation_reproduces_slices_and_is_linear_in_total_variance() {
    let (s, ssvi, nodes) = ssvi_surface();
    for &(t, th) in &nodes {
        for k in [-0.5, -0.1, 0.0, 0.2] {
            let w = s.total_variance(k, t);
            assert!((w - ssvi.total_variance(k, th)).abs() < 1e-15);
        }
    }
    let (t0, t1) = (nodes[1].0, nodes[2].0);
    let t = 0.3 * t0 + 0.7 * t1;
    let k = -0.2;
    let expect = 0.3 * s.total_variance(k, t0) + 0.7 * s.total_variance(k, t1);
    assert!((s.total_variance(k, t) - expect).abs() < 1e-15);
    // Before the first slice: w scales with T; after the last: constant vol at fixed k.
    let v_last = s.vol(k, 1.0).unwrap();
    assert!((s.vol(k, 3.0).unwrap() - v_last).abs() < 1e-15);
    let v_first = s.vol(k, 0.1).unwrap();
    assert!((s.vol(k, 0.02).unwrap() - v_first).abs() < 1e-15);
    // Forwards: exact at nodes, ln F linear in between.
    assert!((s.forward(0.5) - 100.0 * 0.015f64.exp()).abs() < 1e-12);
    assert!((s.forward(0.75) - 100.0 * 0.0225f64.exp()).abs() < 1e-12);
    let sm = s.slice(0.75).unwrap();
    assert_eq!(
        sm.vol_at_strike(95.0, s.forward(0.75)),
        s.vol_at_strike(95.0, 0.75).unwrap()
    );
    let strike = 95.0;
    let by_strike = s.vol_at_strike(strike, 0.75).unwrap();
    let by_k = s.vol((strike / s.forward(0.75)).ln(), 0.75).unwrap();
    assert_eq!(by_strike, by_k);
}

#[test]
fn ssvi_slices_are_free_of_static_arbitrage() {
    let (s, _, nodes) = ssvi_surface();
    let grid = KGrid::new(-1.5, 1.0, 1001).unwrap();
    for w in s.smiles().windows(2) {
        assert!(butterfly_check(&w[1], &grid).is_free());
        assert!(calendar_check(&w[0], &w[1], &grid).unwrap().is_free());
    }
    // Interpolated slices too.
    let mid = s.slice(0.5 * (nodes[0].0 + nodes[1].0)).unwrap();
    assert!(butterfly_check(&mid, &grid).is_free());
}

#[test]
fn delta_queries_invert_forward_delta() {
    let (s, _, _) = ssvi_surface();
    for t in [0.1, 0.4, 2.0] {
        for delta in [0.1, 0.25, 0.5, 0.75, 0.9] {
            let k = s.k_at_delta(delta, t).unwrap();
            let sw = s.total_variance(k, t).sqrt();
            let d = norm_cdf(-k / sw + 0.5 * sw);
            assert!((d - delta).abs() < 1e-12, "t={t} delta={delta}: {d}");
        }
    }
    assert!(matches!(
        s.k_at_delta(1.0, 0.5),
        Err(SurfaceError::InvalidParameter { .. })
    ));
}

#[test]
fn dupire_local_vol_matches_flat_surface_and_finite_differences() {
    // A flat 20% surface: local vol is 20% everywhere.
    let flat =
        |t: f64| SviSmile::new(RawSvi::new(0.04 * t, 0.0, 0.0, 0.0, 0.1).unwrap(), t).unwrap();
    let s = Surface::new(100.0, vec![(100.0, flat(0.5)), (100.0, flat(1.0))]).unwrap();
    for k in [-0.3, 0.0, 0.2] {
        assert!((s.local_vol(k, 0.75).unwrap() - 0.2).abs() < 1e-14);
    }
    // On the SSVI surface: σ_loc² = ∂_T w / g with ∂_T w from the slices' difference.
    let (s, _, nodes) = ssvi_surface();
    let (t0, t1) = (nodes[1].0, nodes[2].0);
    let t = 0.5 * (t0 + t1);
    let k = -0.15;
    let dwdt = (s.total_variance(k, t1) - s.total_variance(k, t0)) / (t1 - t0);
    let h = 1e-4;
    let (wm, w, wp) = (
        s.total_variance(k - h, t),
        s.total_variance(k, t),
        s.total_variance(k + h, t),
    );
    let (dw, d2w) = ((wp - wm) / (2.0 * h), (wp - 2.0 * w + wm) / (h * h));
    let g = (1.0 - k * dw / (2.0 * w)).powi(2) - dw * dw / 4.0 * (1.0 / w + 0.25) + d2w / 2.0;
    let lv = s.local_vol(k, t).unwrap();
    assert!((lv - (dwdt / g).sqrt()).abs() < 1e-6, "{lv}");
    assert!(s.local_vol(k, -1.0).is_err());
}

#[test]
fn smile_metrics_of_a_skewed_surface() {
    let (s, _, _) = ssvi_surface();
    let m = s.metrics(0.25).unwrap();
    assert!((m.atm_vol - s.vol(0.0, 0.25).unwrap()).abs() < 1e-15);
    // ρ < 0: puts richer than calls.
    assert!(m.risk_reversal_25d < 0.0 && m.atm_skew < 0.0);
    // θ(T)/T decreases with T here: the ATM term structure slopes down.
    assert!(m.atm_term_slope < 0.0);
    let c25 = s.vol_at_delta(0.25, 0.25).unwrap();
    let p25 = s.vol_at_delta(0.75, 0.25).unwrap();
    assert!((m.risk_reversal_25d - (c25 - p25)).abs() < 1e-15);
    assert!((m.butterfly_25d - (0.5 * (c25 + p25) - m.atm_vol)).abs() < 1e-15);
    // Skew against a central difference of the vol in k.
    let h = 1e-5;
    let fd = (s.vol(h, 0.25).unwrap() - s.vol(-h, 0.25).unwrap()) / (2.0 * h);
    assert!((m.atm_skew - fd).abs() < 1e-8, "{} {fd}", m.atm_skew);
}

#[test]
fn surface_rejects_bad_inputs() {
    let sm = |t: f64| SviSmile::new(RawSvi::new(0.04 * t, 0.1, 0.0, 0.0, 0.1).unwrap(), t).unwrap();
    assert!(matches!(
        Surface::new(100.0, vec![]),
        Err(SurfaceError::TooFewQuotes { .. })
    ));
    assert!(matches!(
        Surface::new(100.0, vec![(100.0, sm(1.0)), (100.0, sm(0.5))]),
        Err(SurfaceError::NotIncreasing { .. })
    ));
    assert!(Surface::new(-1.0, vec![(100.0, sm(1.0))]).is_err());
    assert!(Surface::new(100.0, vec![(f64::NAN, sm(1.0))]).is_err());
    let s = Surface::new(100.0, vec![(100.0, sm(1.0))]).unwrap();
    assert!(matches!(
        s.vol(0.0, 0.0),
        Err(SurfaceError::NonPositiveExpiry { .. })
    ));
    assert!(matches!(
        s.vol(f64::NAN, 1.0),
        Err(SurfaceError::NotFinite { .. })
    ));
    assert!(s.vol_at_strike(0.0, 1.0).is_err());
}

proptest! {
    /// Interpolated total variance is non-decreasing in T at fixed k (no calendar arbitrage)
    /// and interpolated smiles keep g ≥ 0 (convex combinations of SSVI slices here).
    #[test]
    fn interpolation_is_calendar_monotone(k in -1.0f64..0.8, t in 0.01f64..3.0, dt in 0.0f64..1.0) {
        let (s, _, _) = ssvi_surface();
        prop_assert!(s.total_variance(k, t + dt) >= s.total_variance(k, t) - 1e-15);
        prop_assert!(s.slice(t).unwrap().durrleman_g(k) > 0.0);
    }

    /// SVI conversions round-trip for any valid raw slice.
    #[test]
    fn svi_conversions_round_trip(
        a in 0.0f64..0.1, b in 0.01f64..1.0, rho in -0.95f64..0.95, m in -0.5f64..0.5,
        sigma in 0.01f64..1.0, k in -1.0f64..1.0,
    ) {
        let raw = RawSvi::new(a, b, rho, m, sigma).unwrap();
        let w = raw.total_variance(k);
        let nat = raw.to_natural().to_raw().unwrap();
        prop_assert!((nat.total_variance(k) - w).abs() < 1e-12 * (1.0 + w));
        let jw = raw.to_jump_wings(0.5).unwrap();
        // Conditioning of the inverse: m carries a relative error ~ ε·v/(v − ṽ).
        let cond = jw.v / (jw.v - jw.v_min);
        let back = jw.to_raw().unwrap();
        prop_assert!((back.total_variance(k) - w).abs() < 1e-13 * cond.max(1.0) * (1.0 + w));
    }
}
