//! The Heston model and its characteristic function.

use num_complex::Complex64;

use super::lanes::{self, C, Exact, Fast};
use crate::error::{PricingError, finite, non_negative, positive};
use crate::lane::{M, V};

/// Heston (1993) parameters: `dS/S = (r − q)dt + √v dW₁`,
/// `dv = κ(θ − v)dt + σ√v dW₂`, `d⟨W₁, W₂⟩ = ρ dt`, `v(0) = v₀`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HestonParams {
    /// Initial variance `v₀ ≥ 0`.
    pub v0: f64,
    /// Mean-reversion speed `κ > 0`.
    pub kappa: f64,
    /// Long-run variance `θ > 0`.
    pub theta: f64,
    /// Volatility of variance `σ > 0`.
    pub sigma: f64,
    /// Spot-variance correlation `ρ ∈ (−1, 1)`.
    pub rho: f64,
}

/// A validated Heston model.
///
/// The characteristic function of `z = ln(S_T/F_T)` is evaluated in the "little trap" form of
/// Albrecher, Mayer, Schachermayer & Teichmann (2007), which takes the principal branch of
/// every logarithm without discontinuities:
///
/// ```text
/// φ(u) = exp(C + D·v₀),   β = κ − ρσiu,   d = √(β² + σ²(iu + u²)),
/// g = (β − d)/(β + d),    C = κθ/σ²·[(β − d)T − 2 ln((1 − g e^{−dT})/(1 − g))],
/// D = (β − d)/σ² · (1 − e^{−dT})/(1 − g e^{−dT}),
/// ```
///
/// with `β − d = −σ²(iu + u²)/(β + d)` to avoid cancellation for small `σ`.
///
/// References: S.L. Heston (1993), "A closed-form solution for options with stochastic
/// volatility with applications to bond and currency options", *Review of Financial Studies*
/// 6(2), 327–343; H. Albrecher, P. Mayer, W. Schoutens, J. Tistaert (2007), "The little Heston
/// trap", *Wilmott Magazine*, January, 83–92.
///
/// ```
/// use parapet_pricing::heston::{HestonModel, HestonParams};
/// let model = HestonModel::new(HestonParams {
///     v0: 0.04, kappa: 4.0, theta: 0.25, sigma: 1.0, rho: -0.5,
/// })?;
/// assert!(model.feller_satisfied()); // 2κθ = 2 > σ² = 1
/// assert!(HestonModel::new(HestonParams { rho: 1.0, ..*model.params() }).is_err());
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HestonModel {
    p: HestonParams,
}

impl HestonModel {
    /// Validates the parameters.
    ///
    /// # Errors
    /// [`PricingError::Negative`] for `v₀ < 0`, [`PricingError::NotPositive`] for `κ`, `θ` or
    /// `σ` not positive, [`PricingError::OutOfRange`] for `|ρ| ≥ 1`, and
    /// [`PricingError::NotFinite`] for NaN or infinite inputs.
    pub fn new(p: HestonParams) -> Result<Self, PricingError> {
        non_negative("v0", p.v0)?;
        positive("kappa", p.kappa)?;
        positive("theta", p.theta)?;
        positive("sigma", p.sigma)?;
        finite("rho", p.rho)?;
        if p.rho.abs() >= 1.0 {
            return Err(PricingError::OutOfRange {
                name: "rho",
                value: p.rho,
                min: -1.0,
                max: 1.0,
            });
        }
        Ok(Self { p })
    }

    /// The parameters.
    pub fn params(&self) -> &HestonParams {
        &self.p
    }

    /// Whether `2κθ ≥ σ²` (the variance never reaches zero). Pricing does not need it.
    pub fn feller_satisfied(&self) -> bool {
        2.0 * self.p.kappa * self.p.theta >= self.p.sigma * self.p.sigma
    }

    /// `E[e^{iu·ln(S_T/F_T)}]` for complex `u` (where it exists) and expiry `t`.
    #[inline]
    pub fn characteristic_function(&self, u: Complex64, t: f64) -> Complex64 {
        self.ln_characteristic_function(u, t).exp()
    }

    /// `ln φ(u) = C + D·v₀` (the branch continuous in `u`), so that callers can fold a phase
    /// `e^{iuy}` into one exponential.
    ///
    /// The complex square root and `ln(1 + w)` are taken in closed form (half-angle formula;
    /// `½·ln1p(2Re w + |w|²)` and `atan2`) instead of through the polar form, which would
    /// cost a `hypot`, an `atan2` and a `sincos` per square root.
    #[inline]
    pub(crate) fn ln_characteristic_function(&self, u: Complex64, t: f64) -> Complex64 {
        let (c, d) = self.ln_characteristic_parts(u, t);
        c + d * self.p.v0
    }

    /// `(C, D)` with `ln φ(u) = C + D·v₀`: `D = ∂ln φ/∂v₀` (the characteristic function is
    /// exponential-affine in the initial variance).
    #[inline]
    pub(crate) fn ln_characteristic_parts(&self, u: Complex64, t: f64) -> (Complex64, Complex64) {
        let z = C::new(V([u.re]), V([u.im]));
        let (c, d, ok) = lanes::parts::<Fast, 1>(&self.p, z, t);
        if ok.get(0) {
            return (c.lane(0), d.lane(0));
        }
        let (c, d, _) = lanes::parts::<Exact, 1>(&self.p, z, t);
        (c.lane(0), d.lane(0))
    }

    /// [`Self::ln_characteristic_parts`] at `N` arguments with the branch-free functions, and
    /// the lanes where they applied (evaluate the others one by one).
    #[inline(always)]
    pub(crate) fn ln_characteristic_parts_lanes<const N: usize>(
        &self,
        u: C<N>,
        t: f64,
    ) -> (C<N>, C<N>, M<N>) {
        lanes::parts::<Fast, N>(&self.p, u, t)
    }

    /// Mean variance over `[0, t]`: `θ + (v₀ − θ)(1 − e^{−κt})/(κt)`.
    pub fn mean_variance(&self, t: f64) -> f64 {
        let HestonParams {
            v0, kappa, theta, ..
        } = self.p;
        let kt = kappa * t;
        let w = if kt < 1e-8 {
            1.0 - 0.5 * kt
        } else {
            -(-kt).exp_m1() / kt
        };
        theta + (v0 - theta) * w
    }

    /// Cumulants `(c₁, c₂, c₄)` of `ln(S_T/F_T)`.
    ///
    /// `c₁` in closed form; `c₂` and `c₄` from the even part of the log characteristic function
    /// on the real line, `ln|φ(u)| = −c₂u²/2 + c₄u⁴/24 − …`, eliminated between `u = h` and
    /// `2h` (`h = 0.05` standard deviations), which avoids the long closed forms and is
    /// accurate to about 1e-8 relative — ample for truncating an integration range.
    pub(crate) fn cumulants(&self, t: f64) -> (f64, f64, f64) {
        let HestonParams {
            v0, kappa, theta, ..
        } = self.p;
        let e = (-kappa * t).exp();
        let c1 = (1.0 - e) * (theta - v0) / (2.0 * kappa) - 0.5 * theta * t;
        let guess = (self.mean_variance(t) * t).max(1e-12);
        let h = 0.05 / guess.sqrt();
        let r = |u: f64| {
            self.characteristic_function(Complex64::new(u, 0.0), t)
                .norm()
                .ln()
        };
        let (r1, r2) = (r(h), r(2.0 * h));
        let c2 = -(16.0 * r1 - r2) / (6.0 * h * h);
        let c4 = 2.0 * (r2 - 4.0 * r1) / h.powi(4);
        (c1, c2.max(1e-300), c4.max(0.0))
    }
}

/// `ln(1 + w)/w` for complex `w`, by its series where `|w|` is small.
#[inline]
pub(super) fn ln1p_ratio(w: Complex64) -> Complex64 {
    if w.norm_sqr() < 1e-8 {
        1.0 - w * (0.5 - w * (1.0 / 3.0 - 0.25 * w))
    } else {
        // |1 + w|² = 1 + (2Re w + |w|²): ln1p keeps the real part accurate for small w; away
        // from w = 0 the plain logarithm is as accurate and cheaper.
        let m = w.re * (2.0 + w.re) + w.im * w.im;
        let re = 0.5
            * if m.abs() < 0.5 {
                m.ln_1p()
            } else {
                (1.0 + m).ln()
            };
        Complex64::new(re, w.im.atan2(1.0 + w.re)) / w
    }
}

/// The principal square root by the half-angle formulas: `√((|z| + x)/2)` for the component
/// that does not cancel, the other from `y/(2·that)`. Falls back to the polar form where
/// `|z|²` would overflow or underflow.
#[inline]
pub(super) fn principal_sqrt(z: Complex64) -> Complex64 {
    let (x, y) = (z.re, z.im);
    let n2 = x * x + y * y;
    if !(1e-290..=1e290).contains(&n2) {
        return z.sqrt();
    }
    let r = n2.sqrt();
    if x >= 0.0 {
        let a = (0.5 * (r + x)).sqrt();
        Complex64::new(a, 0.5 * y / a)
    } else {
        let b = (0.5 * (r - x)).sqrt();
        Complex64::new(0.5 * y.abs() / b, b.copysign(y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lewis() -> HestonModel {
        HestonModel::new(HestonParams {
            v0: 0.04,
            kappa: 4.0,
            theta: 0.25,
            sigma: 1.0,
            rho: -0.5,
        })
        .unwrap()
    }

    #[test]
    fn characteristic_function_is_normalised_and_a_martingale() {
        let m = lewis();
        for t in [0.01, 1.0, 10.0] {
            let at0 = m.characteristic_function(Complex64::new(0.0, 0.0), t);
            assert!((at0 - 1.0).norm() < 1e-15);
            // E[S_T/F_T] = φ(−i) = 1.
            let mart = m.characteristic_function(Complex64::new(0.0, -1.0), t);
            assert!((mart - 1.0).norm() < 1e-13, "{mart}");
        }
    }

    #[test]
    fn cumulants_match_derivatives_of_the_log_characteristic_function() {
        let m = lewis();
        let t = 1.5;
        let h = 1e-3;
        let lnphi = |u: f64| m.characteristic_function(Complex64::new(u, 0.0), t).ln();
        // ln φ(u) = i c₁ u − c₂ u²/2 + …
        let c1 = ((lnphi(h) - lnphi(-h)) / (2.0 * h)).im;
        let c2 = -((lnphi(h) - 2.0 * lnphi(0.0) + lnphi(-h)) / (h * h)).re;
        let (e1, e2, e4) = m.cumulants(t);
        assert!((c1 - e1).abs() < 1e-6, "{c1} {e1}");
        assert!((c2 - e2).abs() < 1e-5, "{c2} {e2}");
        assert!(e4 > 0.0);
        // Black-Scholes limit (σ → 0, v₀ = θ): c₂ = θT, c₄ = 0.
        let bs = HestonModel::new(HestonParams {
            v0: 0.04,
            kappa: 1.0,
            theta: 0.04,
            sigma: 1e-6,
            rho: 0.0,
        })
        .unwrap();
        let (b1, b2, b4) = bs.cumulants(2.0);
        assert!(
            (b1 + 0.04).abs() < 1e-12 && (b2 - 0.08).abs() < 1e-9 && b4 < 1e-6,
            "{b1} {b2} {b4}"
        );
    }

    #[test]
    fn closed_form_square_root_and_log_match_the_polar_forms() {
        for &x in &[-3.0, -1e-3, 0.0, 2e-4, 0.7, 5.0] {
            for &y in &[-2.0, -1e-5, -0.0, 0.0, 3e-3, 1.5] {
                let z = Complex64::new(x, y);
                if z.norm() == 0.0 {
                    continue;
                }
                let (a, b) = (principal_sqrt(z), z.sqrt());
                assert!((a - b).norm() <= 4e-16 * b.norm(), "{z}: {a} vs {b}");
                let l = ln1p_ratio(z) * z;
                let m = (1.0 + z).ln();
                assert!(
                    (l - m).norm() <= 1e-15 * m.norm().max(1.0),
                    "{z}: {l} vs {m}"
                );
            }
        }
    }

    #[test]
    fn parameters_are_validated() {
        let p = *lewis().params();
        assert!(HestonModel::new(HestonParams { v0: -0.1, ..p }).is_err());
        assert!(HestonModel::new(HestonParams { kappa: 0.0, ..p }).is_err());
        assert!(
            HestonModel::new(HestonParams {
                sigma: f64::NAN,
                ..p
            })
            .is_err()
        );
        assert!(matches!(
            HestonModel::new(HestonParams { rho: -1.0, ..p }),
            Err(PricingError::OutOfRange { name: "rho", .. })
        ));
        assert!(lewis().feller_satisfied());
    }
}
