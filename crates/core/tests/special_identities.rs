//! Identities of the normal distribution, by proptest over the whole domain.

use parapet_core::special::{erf, erfc, erfcx, norm_cdf, norm_inv_cdf, norm_pdf};
use proptest::prelude::*;

/// Relative distance.
fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// cdf(inv_cdf(p)) = p for p log-uniform on [1e-300, ½]. The round trip is limited by
    /// the conditioning of Φ at x: |x|·φ(x)/Φ(x)·ε ≈ (1 + x²)ε.
    #[test]
    fn inverse_round_trip_lower(log10p in -300.0f64..-std::f64::consts::LOG10_2) {
        let p = 10f64.powf(log10p);
        let x = norm_inv_cdf(p);
        let tol = 8.0 * f64::EPSILON * (1.0 + x * x);
        prop_assert!(rel(norm_cdf(x), p) <= tol, "p={p:e} x={x} rel={:e}", rel(norm_cdf(x), p));
    }

    /// The upper half by reflection: for p ∈ [½, 1), Φ(−Φ⁻¹(p)) = 1 − p (exact for p ≥ ½).
    #[test]
    fn inverse_round_trip_upper(log10q in -16.0f64..-std::f64::consts::LOG10_2) {
        let p = 1.0 - 10f64.powf(log10q);
        let q = 1.0 - p;
        let x = norm_inv_cdf(p);
        prop_assert!(x >= 0.0);
        let tol = 8.0 * f64::EPSILON * (1.0 + x * x);
        prop_assert!(rel(norm_cdf(-x), q) <= tol, "p={p} x={x} rel={:e}", rel(norm_cdf(-x), q));
    }

    /// Φ(x) + Φ(−x) = 1 and erf + erfc = 1.
    #[test]
    fn symmetries(x in -8.0f64..8.0) {
        prop_assert!((norm_cdf(x) + norm_cdf(-x) - 1.0).abs() <= 2.0 * f64::EPSILON);
        prop_assert!((erf(x) + erfc(x) - 1.0).abs() <= 2.0 * f64::EPSILON);
        prop_assert!(rel(norm_pdf(x), norm_pdf(-x)) == 0.0);
    }

    /// erfcx(x)·e^{−x²} = erfc(x) where neither side under- or overflows.
    #[test]
    fn erfcx_matches_erfc(x in -5.0f64..26.0) {
        let lhs = erfcx(x) * (-x * x).exp();
        // e^{−x²} with x² rounded costs ~2x² ulp.
        let tol = 4.0 * f64::EPSILON * (1.0 + 2.0 * x * x);
        prop_assert!(rel(lhs, erfc(x)) <= tol, "x={x} rel={:e}", rel(lhs, erfc(x)));
    }

    /// Φ is increasing and φ = Φ' (central difference).
    #[test]
    fn density_is_derivative(x in -30.0f64..0.5) {
        let h = 1e-5 * (1.0 + x.abs());
        let fd = (norm_cdf(x + h) - norm_cdf(x - h)) / (2.0 * h);
        prop_assert!(norm_cdf(x + h) >= norm_cdf(x - h));
        prop_assert!(rel(fd, norm_pdf(x)) < 1e-6 * (1.0 + x * x), "x={x}");
    }
}
