//! SSVI: the surface SVI of Gatheral & Jacquier (2014).
//!
//! Gatheral, J. & Jacquier, A. (2014), *Arbitrage-free SVI volatility surfaces*, Quantitative
//! Finance 14(1), 59–71, Section 4.

use crate::error::{Result, SurfaceError, finite, in_range};
use crate::svi::{NaturalSvi, RawSvi};

/// The curvature function `φ(θ)` of an SSVI surface.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Phi {
    /// Heston-like `φ(θ) = 1/(λθ)·(1 − (1 − e^{−λθ})/(λθ))` (eq. 4.4), `λ > 0`.
    HestonLike {
        /// `λ`.
        lambda: f64,
    },
    /// Power law `φ(θ) = η/(θ^γ·(1 + θ)^{1−γ})` (eq. 4.5), `η > 0`, `0 < γ ≤ 1/2`.
    PowerLaw {
        /// `η`.
        eta: f64,
        /// `γ`.
        gamma: f64,
    },
}

impl Phi {
    /// `φ(θ)`.
    pub fn value(&self, theta: f64) -> f64 {
        match *self {
            Phi::HestonLike { lambda } => {
                let x = lambda * theta;
                // φ = (x − 1 + e^{−x})/x²: the numerator cancels for small x, so there use
                // the series Σₙ (−x)ⁿ/(n + 2)!, which converges to double precision in 16
                // terms for x < 1/2 (and gives φ → 1/2 as θ → 0).
                if x < 0.5 {
                    let (mut term, mut sum) = (0.5, 0.5);
                    for n in 1..16 {
                        term *= -x / (n + 2) as f64;
                        sum += term;
                    }
                    sum
                } else {
                    (x + (-x).exp_m1()) / (x * x)
                }
            }
            Phi::PowerLaw { eta, gamma } => {
                eta / (theta.powf(gamma) * (1.0 + theta).powf(1.0 - gamma))
            }
        }
    }

    fn validate(&self) -> Result<()> {
        match *self {
            Phi::HestonLike { lambda } => {
                in_range("lambda", lambda, 0.0, f64::INFINITY, "must be > 0")?;
            }
            Phi::PowerLaw { eta, gamma } => {
                in_range("eta", eta, 0.0, f64::INFINITY, "must be > 0")?;
                finite("gamma", gamma)?;
                if !(gamma > 0.0 && gamma <= 0.5) {
                    return Err(SurfaceError::InvalidParameter {
                        name: "gamma",
                        value: gamma,
                        reason: "must lie in (0, 1/2]",
                    });
                }
            }
        }
        Ok(())
    }
}

/// An SSVI surface `w(k, θ_t) = θ_t/2·(1 + ρφ(θ_t)k + √((φ(θ_t)k + ρ)² + 1 − ρ²))`, where
/// `θ_t` is the ATM total variance at expiry `t` (Gatheral & Jacquier 2014, Definition 4.1).
///
/// ```
/// use parapet_surface::{Phi, Ssvi};
/// let s = Ssvi::new(-0.7, Phi::HestonLike { lambda: 0.5 })?;
/// assert!(s.is_free_of_static_arbitrage());
/// let raw = s.slice(0.04)?;
/// assert!((raw.total_variance(0.0) - 0.04).abs() < 1e-15);
/// # Ok::<(), parapet_surface::SurfaceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ssvi {
    rho: f64,
    phi: Phi,
}

impl Ssvi {
    /// Validated SSVI with correlation `ρ ∈ (−1, 1)` and curvature function `φ`.
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] or [`SurfaceError::NotFinite`].
    pub fn new(rho: f64, phi: Phi) -> Result<Self> {
        in_range("rho", rho, -1.0, 1.0, "must lie in (-1, 1)")?;
        phi.validate()?;
        Ok(Self { rho, phi })
    }

    /// `ρ`.
    pub fn rho(&self) -> f64 {
        self.rho
    }

    /// `φ`.
    pub fn phi(&self) -> Phi {
        self.phi
    }

    /// Total variance at log-moneyness `k` on the slice with ATM total variance `theta`.
    pub fn total_variance(&self, k: f64, theta: f64) -> f64 {
        let p = self.phi.value(theta);
        let r = self.rho;
        0.5 * theta * (1.0 + r * p * k + (p * k + r).hypot((1.0 - r * r).sqrt()))
    }

    /// The slice at ATM total variance `theta` as raw SVI (natural SVI with `Δ = μ = 0`,
    /// `ω = θ`, `ζ = φ(θ)`; Gatheral & Jacquier 2014, Lemma 3.3).
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] for `theta ≤ 0` or non-finite.
    pub fn slice(&self, theta: f64) -> Result<RawSvi> {
        in_range("theta", theta, 0.0, f64::INFINITY, "must be > 0")?;
        NaturalSvi::new(0.0, 0.0, self.rho, theta, self.phi.value(theta))?.to_raw()
    }

    /// Whether every slice is free of butterfly arbitrage for any `θ > 0` and the surface is
    /// free of calendar arbitrage for any non-decreasing `θ_t`.
    ///
    /// Heston-like: `λ ≥ (1 + |ρ|)/4` (Corollary 4.1). Power law: `η(1 + |ρ|) ≤ 2`
    /// (Remark 4.4; calendar-free since `θφ(θ)` is non-decreasing and `φ` non-increasing for
    /// `γ ≤ 1/2`, Theorem 4.1).
    pub fn is_free_of_static_arbitrage(&self) -> bool {
        let r = self.rho.abs();
        match self.phi {
            Phi::HestonLike { lambda } => lambda >= 0.25 * (1.0 + r),
            Phi::PowerLaw { eta, .. } => eta * (1.0 + r) <= 2.0,
        }
    }

    /// Theorem 4.2's sufficient butterfly condition on one slice:
    /// `θφ(θ)(1 + |ρ|) < 4` and `θφ(θ)²(1 + |ρ|) ≤ 4`.
    pub fn slice_is_butterfly_free(&self, theta: f64) -> bool {
        let p = self.phi.value(theta);
        let r = 1.0 + self.rho.abs();
        theta * p * r < 4.0 && theta * p * p * r <= 4.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heston_like_phi_is_continuous_at_small_theta() {
        let phi = Phi::HestonLike { lambda: 0.5 };
        let (a, b) = (phi.value(1.0 - 4e-16), phi.value(1.0 + 4e-16));
        assert!((a - b).abs() < 1e-14, "{a} {b}");
        assert!((phi.value(1e-12) - 0.5).abs() < 1e-12);
        // θφ(θ)/2 at θ = 0.04, λ = 0.5 by mpmath at 40 digits. (svi.json's Heston-like slice
        // has b = 0.009933665337762632: its generator used the cancelling closed form.)
        let b = 0.02 * phi.value(0.04);
        assert!((b - 0.009_933_665_337_765_11).abs() < 4e-18, "{b}");
    }

    #[test]
    fn validates() {
        assert!(Ssvi::new(1.0, Phi::HestonLike { lambda: 1.0 }).is_err());
        assert!(Ssvi::new(0.0, Phi::HestonLike { lambda: 0.0 }).is_err());
        assert!(matches!(
            Ssvi::new(
                0.0,
                Phi::PowerLaw {
                    eta: 1.0,
                    gamma: 0.7
                }
            ),
            Err(SurfaceError::InvalidParameter { name: "gamma", .. })
        ));
        let s = Ssvi::new(
            -0.5,
            Phi::PowerLaw {
                eta: 1.2,
                gamma: 0.5,
            },
        )
        .unwrap();
        assert!(s.is_free_of_static_arbitrage());
        assert!(s.slice_is_butterfly_free(0.09));
        assert!(s.slice(0.0).is_err());
        let bad = Ssvi::new(-0.9, Phi::HestonLike { lambda: 0.2 }).unwrap();
        assert!(!bad.is_free_of_static_arbitrage());
    }

    #[test]
    fn slice_matches_surface_formula() {
        let s = Ssvi::new(
            -0.5,
            Phi::PowerLaw {
                eta: 1.2,
                gamma: 0.5,
            },
        )
        .unwrap();
        let raw = s.slice(0.09).unwrap();
        for k in [-1.0, -0.1, 0.0, 0.4] {
            assert!((raw.total_variance(k) - s.total_variance(k, 0.09)).abs() < 1e-15);
        }
    }
}
