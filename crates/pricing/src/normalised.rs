//! The normalised Black function and its derivatives, evaluated without cancellation.
//!
//! With `x = ln(F/K)`, total volatility `s = σ√T`, `h = x/s` and `t = s/2`, the undiscounted
//! Black call price divided by `√(FK)` is
//!
//! ```text
//! b(x, s) = e^{x/2}·Φ(h + t) − e^{−x/2}·Φ(h − t).
//! ```
//!
//! Only out-of-the-money calls (`x ≤ 0`) are evaluated here: an in-the-money call is
//! `(e^{x/2} − e^{−x/2}) + b(−x, s)` and a put with log-moneyness `x` is the call with `−x`
//! (put-call parity in normalised form). For `x ≤ 0` both terms of `b` share the Gaussian factor
//! `e^{x/2}·φ(h + t) = e^{−x/2}·φ(h − t) = e^{−(h² + t²)/2}/√(2π)`, so
//!
//! ```text
//! b = e^{−(h² + t²)/2}·R(h, t),   R = [Y(h + t) − Y(h − t)]/√(2π),   Y(z) = Φ(z)/φ(z),
//! ```
//!
//! with the Mills ratio `Y(z) = √(π/2)·erfcx(−z/√2)`. Evaluating `R` is where accuracy is won
//! or lost; four regions follow Jäckel (2015):
//!
//! * **I** (`h + t ≤ −10`): the asymptotic series `Y(z) = Σ (−1)^k (2k−1)!!/|z|^{2k+1}`
//!   differenced term by term, `1/A^n − 1/C^n = (C^n − A^n)/(AC)^n` with `A = −(h+t)`,
//!   `C = −(h−t)`, so that no two nearly equal numbers are ever subtracted.
//! * **II** (`t < 0.21`): the Taylor series in `t` of `Y(h+t) − Y(h−t) = 2 Σ Y^{(2k+1)}(h)
//!   t^{2k+1}/(2k+1)!`, whose derivatives are polynomials in `h²` and `a = Y'(h) = 1 + h·Y(h)`
//!   (from `Y' = 1 + zY`). For `h ≤ −6` the quantity `a` itself would cancel badly
//!   (`h·Y(h) → −1`), so it is taken from Laplace's continued fraction for the Mills ratio.
//! * **III** (`h + t ≤ 0.85`): the difference of the two `erfcx` values, which no longer cancel
//!   badly once `t` is not small.
//! * **IV** (`h + t > 0.85`): the plain formula with `Φ` of each argument; `Φ(h + t) > 0.8`
//!   keeps the subtraction well conditioned.
//!
//! The remaining error is the conditioning of the exponent: `e^{−(h²+t²)/2}` changes by a
//! relative `h²·ε` when `x` or `s` move by one ulp, which no algorithm can avoid.
//!
//! Reference: P. Jäckel (2015), "Let's be rational", *Wilmott* 2015(75), 40–53.

use parapet_core::special::{erfc, erfcx as core_erfcx, norm_cdf};

use crate::lane::{self, OtmPieces, V};

/// 1/√(2π).
pub(crate) const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// √(2π)/2 = √(π/2).
const SQRT_PI_OVER_2: f64 = 1.253_314_137_315_500_3;
/// Below this value of `h + t` the asymptotic series (region I) is used.
pub(crate) const ASYMPTOTIC_LIMIT: f64 = -10.0;
/// Below this `t` the small-`t` Taylor series (region II) is used.
pub(crate) const SMALL_T: f64 = 0.21;
/// Above this `h + t` the plain formula (region IV) is used.
pub(crate) const PLAIN_LIMIT: f64 = 0.85;
/// Cody's first interval, `|y| ≤ 0.46875`, where `erfc(y) = 1 − erf(y)` needs no exponential
/// (and `erfcx(y)` needs one, `e^{y²}`).
const NEAR_MONEY: f64 = 0.468_75;

/// `x = ln(F/K)` to a few ulp relative, also near the money.
///
/// `fl(F/K)` is off by half an ulp of 1, which is a large relative error in `x` when `F ≈ K`;
/// there `F − K` is exact (Sterbenz) and `ln_1p((F − K)/K)` keeps full relative precision.
/// Far below the money `F − K` would lose `F`, so `ln(F/K)` is used. Evaluated by the inlined
/// logarithm of [`lane::log_moneyness`] (the one chain loops use), and by the platform's
/// where `F/K` is not a normal double.
#[inline]
pub(crate) fn log_moneyness(forward: f64, strike: f64) -> f64 {
    let (x, ok) = lane::log_moneyness(V([forward]), V([strike]));
    if ok.get(0) {
        x.0[0]
    } else if forward < 0.5 * strike {
        (forward / strike).ln()
    } else {
        ((forward - strike) / strike).ln_1p()
    }
}

/// `e^x` to within one ulp, inlined into the hot paths (the platform `exp` is an opaque call
/// behind an error-handling wrapper, about 95 instructions where this takes about 35, none of
/// them a division): [`lane::exp`] (Cody-Waite reduction, Taylor polynomial by Estrin's
/// scheme, `2^k` in the exponent bits). `|x| > 700` (where `2^k` would leave the normal
/// range) and NaN go to the platform `exp`.
#[inline]
pub(crate) fn exp(x: f64) -> f64 {
    if x.abs() > 700.0 || x.is_nan() {
        return x.exp();
    }
    exp_in_range(x)
}

/// [`exp`] without the range check, for `|x| ≤ 708`: [`lane::exp`] in one lane.
#[inline(always)]
pub(crate) fn exp_in_range(x: f64) -> f64 {
    lane::exp(V([x])).0[0]
}

/// `erfcx(y) = e^{y²}·erfc(y)`: parapet-core's `erfcx`, except in Cody's first interval
/// `|y| ≤ 0.46875`, where core's `e^{y²}` is an opaque call to the platform `exp` and this takes
/// the inlined [`exp`] of `y²` times core's `erfc` (there the rational `1 − erf(y)`, the same
/// one core uses). `y²` is rounded by at most 1.4e-17 absolute there, so the product stays
/// within two ulp of core's value (tested).
#[inline]
pub(crate) fn erfcx(y: f64) -> f64 {
    if y.abs() <= NEAR_MONEY {
        exp(y * y) * erfc(y)
    } else {
        core_erfcx(y)
    }
}

/// Undiscounted Black price from the log-moneyness `x = ln(F/K)`, the strike and `s = σ√T`:
/// `K·[max(θ·(e^x − 1), 0) + e^{x/2}·b(−|x|, s)]`.
///
/// Used where `x` is known more accurately than `F` (spot form: `x = ln(S/K) + bT`, whereas
/// `F = S·e^{bT}` is rounded, which near the money is a large relative error in `F − K`);
/// `expm1` keeps the intrinsic value exact to a few ulp.
#[inline]
pub(crate) fn undiscounted_price(sign: f64, x: f64, strike: f64, s: f64) -> f64 {
    let intrinsic = (sign * strike * x.exp_m1()).max(0.0);
    if s == 0.0 {
        return intrinsic;
    }
    let half = 0.5 * x;
    let value = intrinsic + scaled_otm_call(-x.abs(), s, strike * exp(half), exp(-half.abs()));
    // The no-arbitrage bound (F for a call, K for a put), against rounding when σ√T is huge.
    let bound = if sign > 0.0 { strike * x.exp() } else { strike };
    value.min(bound)
}

/// `Y'(h) = 1 + h·Y(h)` for `h ≤ 0`, where `Y(h) = Φ(h)/φ(h)` is Mills' ratio.
///
/// `h·Y(h) → −1` cancels (from `erfcx` the relative error would be about `3h²·ε`), so `Y'` has
/// its own approximation, [`lane::mills_derivative`], within 2·ε for every `h ≤ 0` (checked
/// against 40-digit values below). For `h > 0` (the normal model's in-the-money side) there is
/// no cancellation and `1 + h·√(π/2)·erfcx(−h/√2)` is used.
#[inline]
pub(crate) fn mills_derivative(h: f64) -> f64 {
    if h > 0.0 {
        1.0 + h * SQRT_PI_OVER_2 * erfcx(-h * std::f64::consts::FRAC_1_SQRT_2)
    } else {
        lane::mills_derivative(V([-h * std::f64::consts::FRAC_1_SQRT_2])).0[0]
    }
}

/// Region II: `R` from the Taylor series in `t` up to `t¹³`.
#[inline]
fn small_t_expansion(h: f64, t: f64) -> f64 {
    lane::small_t_series(V([h]), V([t]), V([mills_derivative(h)])).0[0]
}

/// Region I: `R` from the asymptotic series of the Mills ratio, differenced term by term.
///
/// With `A = −(h+t)`, `C = −(h−t)`, `r = AC` and `e_n = (C^n − A^n)/((C − A)·r^n)`:
/// `Y(h+t) − Y(h−t) = 2t·Σ_k (−1)^k (2k−1)!!·e_{2k+1}`, where `e_{n+1} = (C·e_n + C^{−n})/r`
/// keeps every quantity well scaled.
#[inline]
fn asymptotic_expansion(h: f64, t: f64) -> f64 {
    let a = -(h + t);
    let c = -(h - t);
    let r = a * c;
    let inv_r = 1.0 / r;
    let inv_c = 1.0 / c;
    let mut e = inv_r; // e_1
    let mut g = inv_c; // C^{-1}
    let mut coeff = 1.0; // (−1)^k (2k−1)!!
    let mut sum = e;
    for k in 1..40 {
        // Two steps of the recurrence: e_{2k−1} → e_{2k+1}.
        e = (c * e + g) * inv_r;
        g *= inv_c;
        e = (c * e + g) * inv_r;
        g *= inv_c;
        coeff *= -f64::from(2 * k - 1);
        let term = coeff * e;
        sum += term;
        if term.abs() <= 1e-17 * sum {
            break;
        }
    }
    2.0 * t * sum * FRAC_1_SQRT_2PI
}

/// Region III: the difference of two `erfcx` values.
#[inline]
fn erfcx_difference(h: f64, t: f64) -> f64 {
    let k = std::f64::consts::FRAC_1_SQRT_2;
    0.5 * (erfcx(-(h + t) * k) - erfcx(-(h - t) * k))
}

/// `R(h, t)` with `b = e^{−(h² + t²)/2}·R` for `h ≤ 0`, `t > 0` and `h + t ≤ 0.85`.
#[inline]
pub(crate) fn scaled_otm(h: f64, t: f64) -> f64 {
    let r = if h + t <= ASYMPTOTIC_LIMIT {
        asymptotic_expansion(h, t)
    } else if t < SMALL_T {
        small_t_expansion(h, t)
    } else {
        erfcx_difference(h, t)
    };
    r.max(0.0)
}

/// The Gaussian exponent `−(h² + t²)/2`.
#[inline]
pub(crate) fn exponent(h: f64, t: f64) -> f64 {
    -0.5 * (h * h + t * t)
}

/// `scale·b(x, s)` for an out-of-the-money call (`x ≤ 0`, `s > 0`), without underflowing early: when the
/// Gaussian factor alone would be subnormal (`e^{−(h²+t²)/2} < 2.2e-308`), the scale is
/// folded into the exponent so that the product keeps every bit a double can hold.
///
/// `root_ratio` is `e^{x/2}`; rows in the domain of [`lane::otm_call`] are evaluated there.
#[inline]
pub(crate) fn scaled_otm_call(x: f64, s: f64, scale: f64, root_ratio: f64) -> f64 {
    let lane = lane::otm_call(V([x]), V([s]), V([scale]), V([root_ratio]), false);
    if lane.ok.get(0) {
        return lane.value.0[0];
    }
    let h = x / s;
    let t = 0.5 * s;
    if h + t > PLAIN_LIMIT {
        // Region IV: Φ(h + t) > 0.8, and Φ(h − t) < ½ (h ≤ 0).
        scale * ((0.5 * x).exp() * norm_cdf(h + t) - (-0.5 * x).exp() * norm_cdf(h - t))
    } else {
        let e = exponent(h, t);
        let k = std::f64::consts::FRAC_1_SQRT_2;
        let y_plus = -(h + t) * k;
        if t >= SMALL_T && y_plus.abs() <= NEAR_MONEY && e > SUBNORMAL_EXPONENT {
            return scale * near_money_difference(x, exp(e), erfc(y_plus), erfcx(-(h - t) * k));
        }
        let r = scale * scaled_otm(h, t);
        if r == 0.0 {
            0.0
        } else if e > SUBNORMAL_EXPONENT {
            exp(e) * r
        } else {
            (e + r.ln()).exp()
        }
    }
}

/// Region III near the money (`|h + t| ≤ 0.46875·√2`): `b = ½·[e^{x/2}·erfc(y₊) −
/// e^{−(h²+t²)/2}·erfcx(y₋)]` with `y± = −(h ± t)/√2`.
///
/// Since `(h + t)²/2 − (h² + t²)/2 = ht = x/2`, the first term `e^{−(h²+t²)/2}·erfcx(y₊)` of the
/// erfcx difference equals `e^{x/2}·erfc(y₊)`; for `|y₊| ≤ 0.46875` `erfc` is a rational
/// function alone, whereas `erfcx` would form `e^{y₊²}` only for the Gaussian factor to cancel
/// it. The subtraction is the same one as in the erfcx difference (`Φ(h + t) ≥ 0.25` here,
/// `t ≥ 0.21`), so its conditioning is unchanged.
#[inline]
fn near_money_difference(x: f64, gauss: f64, erfc_plus: f64, erfcx_minus: f64) -> f64 {
    (0.5 * (exp(0.5 * x) * erfc_plus - gauss * erfcx_minus)).max(0.0)
}

/// `(b(x, s), ∂b/∂s)` for an out-of-the-money call, sharing the Gaussian factor.
#[inline]
pub(crate) fn otm_call_and_vega(x: f64, s: f64) -> (f64, f64) {
    let h = x / s;
    let t = 0.5 * s;
    let e = exponent(h, t);
    let gauss = exp(e);
    let b = if h + t > PLAIN_LIMIT {
        (0.5 * x).exp() * norm_cdf(h + t) - (-0.5 * x).exp() * norm_cdf(h - t)
    } else {
        let r = scaled_otm(h, t);
        if r == 0.0 {
            0.0
        } else if e > SUBNORMAL_EXPONENT {
            gauss * r
        } else {
            (e + r.ln()).exp()
        }
    };
    (b, FRAC_1_SQRT_2PI * gauss)
}

/// What the forward-form Greeks need of the out-of-the-money call (`x ≤ 0`, `s > 0`, `b`
/// scaled by `scale`): [`OtmPieces`], in one lane.
///
/// In regions II and III the cumulative normals come from two `erfcx` values (in region III
/// the very values of `b`; in region II two more calls, still cheaper than two `Φ`, each of
/// which needs its own exponential):
/// `Φ(h ± t) = ½·e^{−(h±t)²/2}·erfcx(−(h ± t)/√2)` and `e^{−(h±t)²/2} = e^{−(h²+t²)/2}·e^{∓x/2}`,
/// with `e^{x/2} = root_ratio = √(min(F, K)/max(F, K))` passed in (a square root instead of an
/// exponential). Elsewhere, and when the Gaussian factor is subnormal, they are evaluated
/// directly.
#[inline]
pub(crate) fn otm_parts(x: f64, s: f64, scale: f64, root_ratio: f64) -> OtmPieces<1> {
    let lane = lane::otm_call(V([x]), V([s]), V([scale]), V([root_ratio]), true);
    if lane.ok.get(0) {
        let gauss = lane.gauss.0[0];
        let (plus, complement) = lane::cdf_plus(V([x]), V([s]), lane.gauss, V([root_ratio]));
        return OtmPieces {
            value: lane.value,
            gauss: lane.gauss,
            cdf_plus: plus,
            cdf_plus_complement: complement,
            cdf_minus: V([0.5 * gauss * lane.minus.0[0] * root_ratio]),
        };
    }
    let h = x / s;
    let t = 0.5 * s;
    let e = exponent(h, t);
    let gauss = exp(e);
    // Regions II and III: h + t ∈ (−10, 0.85], where both erfcx arguments are above −0.61.
    let scaled = h + t > ASYMPTOTIC_LIMIT && h + t <= PLAIN_LIMIT;
    if scaled && e > SUBNORMAL_EXPONENT {
        let k = std::f64::consts::FRAC_1_SQRT_2;
        let y_plus = -(h + t) * k;
        let minus = erfcx(-(h - t) * k);
        let half = 0.5 * gauss;
        // The same operations, in the same order, as `scaled_otm_call` (regions II and III of
        // `scaled_otm`, and the near-the-money difference), so that the price here is bit for
        // bit the plain price.
        let (value, cdf_plus) = if y_plus.abs() <= NEAR_MONEY {
            let erfc_plus = erfc(y_plus);
            let value = if t < SMALL_T {
                gauss * (scale * small_t_expansion(h, t).max(0.0))
            } else {
                scale * near_money_difference(x, gauss, erfc_plus, minus)
            };
            (value, 0.5 * erfc_plus)
        } else {
            let plus = erfcx(y_plus);
            let r = if t < SMALL_T {
                small_t_expansion(h, t)
            } else {
                0.5 * (plus - minus)
            };
            (gauss * (scale * r.max(0.0)), half * plus / root_ratio)
        };
        OtmPieces {
            value: V([value]),
            gauss: V([gauss]),
            cdf_plus: V([cdf_plus]),
            // Φ(h + t) ≤ Φ(0.85) here, so the complement loses at most two bits.
            cdf_plus_complement: V([1.0 - cdf_plus]),
            cdf_minus: V([half * minus * root_ratio]),
        }
    } else {
        let cdf_plus = norm_cdf(h + t);
        OtmPieces {
            value: V([scaled_otm_call(x, s, scale, root_ratio)]),
            gauss: V([gauss]),
            cdf_plus: V([cdf_plus]),
            cdf_plus_complement: V([if h + t > PLAIN_LIMIT {
                norm_cdf(-(h + t))
            } else {
                1.0 - cdf_plus
            }]),
            cdf_minus: V([norm_cdf(h - t)]),
        }
    }
}

/// Below this exponent `e^{e}` is subnormal.
const SUBNORMAL_EXPONENT: f64 = -708.0;

/// `b_max − b(x, s) = e^{x/2}·Φ(−h − t) + e^{−x/2}·Φ(h − t)` for `x ≤ 0`: a sum of two positive
/// terms, accurate where `b` approaches its upper bound `e^{x/2}`.
#[inline]
pub(crate) fn otm_call_complement(x: f64, s: f64) -> f64 {
    let h = x / s;
    let t = 0.5 * s;
    (0.5 * x).exp() * norm_cdf(-h - t) + (-0.5 * x).exp() * norm_cdf(h - t)
}

/// The normalised vega `∂b/∂s = e^{−(h² + t²)/2}/√(2π)`, valid for every sign of `x`.
#[inline]
pub(crate) fn vega(x: f64, s: f64) -> f64 {
    let h = x / s;
    let t = 0.5 * s;
    FRAC_1_SQRT_2PI * exp(exponent(h, t))
}

/// `(∂²b/∂s²)/(∂b/∂s)` and `(∂³b/∂s³)/(∂b/∂s)`: `x²/s³ − s/4` and its square minus
/// `3x²/s⁴ + 1/4`.
#[inline]
pub(crate) fn vega_ratios(x: f64, s: f64) -> (f64, f64) {
    let hs = x / (s * s); // h/s
    let g = x * hs / s - 0.25 * s;
    let d = g * g - 3.0 * hs * hs - 0.25;
    (g, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regions agree with each other where they meet, to a few ulp.
    #[test]
    fn regions_agree_at_their_borders() {
        for &h in &[-0.3, -2.0, -5.0, -9.0] {
            for &t in &[0.2, 0.22] {
                let a = small_t_expansion(h, t);
                let b = erfcx_difference(h, t);
                assert!((a - b).abs() <= 2e-13 * b, "h={h} t={t}: {a} vs {b}");
            }
        }
        for &t in &[0.05, 0.5, 2.0] {
            let h = -10.0 - t;
            let a = asymptotic_expansion(h, t);
            let b = if t < SMALL_T {
                small_t_expansion(h, t)
            } else {
                erfcx_difference(h, t)
            };
            assert!((a - b).abs() <= 1e-12 * b, "t={t}: {a} vs {b}");
        }
    }

    /// The near-the-money form of region III agrees with the erfcx difference it replaces.
    #[test]
    fn near_money_form_matches_the_erfcx_difference() {
        let k = std::f64::consts::FRAC_1_SQRT_2;
        for &t in &[0.21, 0.3, 0.7, 1.5, 4.0] {
            for &d in &[-0.66, -0.3, 0.0, 0.2, 0.66] {
                let h = d - t;
                let x = h * 2.0 * t;
                let gauss = exp(exponent(h, t));
                let near = near_money_difference(x, gauss, erfc(-d * k), erfcx(-(h - t) * k));
                let want = gauss * erfcx_difference(h, t);
                assert!(
                    (near - want).abs() <= 1e-14 * want,
                    "h={h} t={t}: {near} vs {want}"
                );
            }
        }
    }

    #[test]
    fn mills_derivative_matches_reference_values() {
        // 40-digit mpmath values of 1 − u·Φ(−u)/φ(u).
        for &(u, want) in &[
            (3.0, 8.622_910_386_969_011e-2),
            (6.0, 2.573_403_461_879_523e-2),
            (10.0, 9.714_035_282_680_786e-3),
        ] {
            let got = mills_derivative(-u);
            assert!(
                (got - want).abs() <= 8e-16 * u * u * want,
                "u={u}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn exp_is_within_one_ulp_of_the_platform() {
        let n = 200_000;
        for i in 0..=n {
            // A Weyl sequence over [−745, 710], plus the region of the Gaussian factor.
            let u = (f64::from(i) * 0.618_033_988_749_894_9).fract();
            for x in [-745.0 + 1455.0 * u, -40.0 * u, 1e-3 * (u - 0.5)] {
                let (a, b) = (exp(x), x.exp());
                let ulps = (a.to_bits() as i64 - b.to_bits() as i64).abs();
                assert!(
                    ulps <= 1 || (a - b).abs() <= f64::MIN_POSITIVE,
                    "x={x}: {a} vs {b}"
                );
            }
        }
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(710.0), f64::INFINITY);
    }

    #[test]
    fn erfcx_matches_core_in_the_first_interval() {
        let mut worst = 0_i64;
        for i in 0..=20_000 {
            let y = -NEAR_MONEY + 2.0 * NEAR_MONEY * f64::from(i) / 20_000.0;
            let (a, b) = (erfcx(y), core_erfcx(y));
            worst = worst.max((a.to_bits() as i64 - b.to_bits() as i64).abs());
        }
        assert!(worst <= 2, "worst {worst} ulp");
        assert_eq!(erfcx(0.5).to_bits(), core_erfcx(0.5).to_bits());
    }

    #[test]
    fn complement_adds_up() {
        for &(x, s) in &[(-0.5, 1.0), (-2.0, 3.0), (0.0, 0.7)] {
            let sum = scaled_otm_call(x, s, 1.0, exp(0.5 * x)) + otm_call_complement(x, s);
            assert!((sum - (0.5_f64 * x).exp()).abs() < 1e-15);
        }
    }
}
