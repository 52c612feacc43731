//! SABR: Hagan's lognormal and normal implied-volatility expansions.
//!
//! Hagan, P., Kumar, D., Lesniewski, A. & Woodward, D. (2002), *Managing smile risk*, Wilmott
//! Magazine, September, 84–108 (eqs. 2.17a–b and A.69a–c).

use crate::error::{Result, SurfaceError, expiry, finite, in_range};
use crate::smile::{Smile, VarianceDerivatives};

/// Below this `|z|` the ratio `z/x(z)` is taken from its Taylor series: at `z = 0` it is the
/// indeterminate form 0/0 (the ATM limit), and the series `1 − ρz/2 + (2 − 3ρ²)z²/12` is exact
/// to double precision when `z² ≤ 10ε`.
const Z_SERIES: f64 = 4.7e-8;

/// SABR parameters: `dF = α_t F^β dW₁`, `dα = ν α dW₂`, `d⟨W₁, W₂⟩ = ρ dt`, `α₀ = α`.
///
/// Domain: `α > 0`, `0 ≤ β ≤ 1`, `|ρ| < 1`, `ν ≥ 0`.
///
/// ```
/// use parapet_surface::Sabr;
/// let s = Sabr::new(0.035, 0.5, -0.3, 0.4)?;
/// let atm = s.lognormal_vol(0.03, 0.03, 1.0)?;
/// let near = s.lognormal_vol(0.03, 0.03 * (1.0 + 1e-12), 1.0)?;
/// assert!((atm - near).abs() < 1e-12); // no 0/0 at the money
/// # Ok::<(), parapet_surface::SurfaceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sabr {
    alpha: f64,
    beta: f64,
    rho: f64,
    nu: f64,
}

/// `z/x(z)` with `x(z) = ln((√(1 − 2ρz + z²) + z − ρ)/(1 − ρ))`, accurate for all `z`.
#[inline]
fn z_over_x(z: f64, rho: f64) -> f64 {
    if z.abs() <= Z_SERIES {
        return 1.0 - 0.5 * rho * z - (3.0 * rho * rho - 2.0) * z * z / 12.0;
    }
    let sb = (1.0 - 2.0 * rho * z + z * z).sqrt();
    let x = if z - rho >= 0.0 {
        // ratio − 1 = ((√B − 1) + z)/(1 − ρ), with √B − 1 = (z² − 2ρz)/(√B + 1): no
        // cancellation for small z, and ln_1p keeps the relative accuracy of x.
        (((z * z - 2.0 * rho * z) / (sb + 1.0) + z) / (1.0 - rho)).ln_1p()
    } else {
        // √B + (z − ρ) cancels when z − ρ ≪ 0; multiply by the conjugate:
        // (√B + z − ρ)/(1 − ρ) = (1 + ρ)/(√B − z + ρ), whose excess over one is
        // (z − (√B − 1))/(√B − z + ρ): a difference of like-signed terms only.
        ((z - (z * z - 2.0 * rho * z) / (sb + 1.0)) / (sb - z + rho)).ln_1p()
    };
    z / x
}

impl Sabr {
    /// Validated SABR parameters `(α, β, ρ, ν)`.
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] or [`SurfaceError::NotFinite`] outside the domain.
    pub fn new(alpha: f64, beta: f64, rho: f64, nu: f64) -> Result<Self> {
        in_range("alpha", alpha, 0.0, f64::INFINITY, "must be > 0")?;
        finite("beta", beta)?;
        if !(0.0..=1.0).contains(&beta) {
            return Err(SurfaceError::InvalidParameter {
                name: "beta",
                value: beta,
                reason: "must lie in [0, 1]",
            });
        }
        in_range("rho", rho, -1.0, 1.0, "must lie in (-1, 1)")?;
        finite("nu", nu)?;
        if nu < 0.0 {
            return Err(SurfaceError::InvalidParameter {
                name: "nu",
                value: nu,
                reason: "must be >= 0",
            });
        }
        Ok(Self {
            alpha,
            beta,
            rho,
            nu,
        })
    }

    /// Parameters without validation, for calibration trial points inside known bounds.
    pub(crate) fn unchecked(alpha: f64, beta: f64, rho: f64, nu: f64) -> Self {
        Self {
            alpha,
            beta,
            rho,
            nu,
        }
    }

    /// `α`.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// `β`.
    pub fn beta(&self) -> f64 {
        self.beta
    }
    /// `ρ`.
    pub fn rho(&self) -> f64 {
        self.rho
    }
    /// `ν`.
    pub fn nu(&self) -> f64 {
        self.nu
    }

    fn check(forward: f64, strike: f64, t: f64) -> Result<()> {
        in_range("forward", forward, 0.0, f64::INFINITY, "must be > 0")?;
        in_range("strike", strike, 0.0, f64::INFINITY, "must be > 0")?;
        finite("expiry", t)?;
        if t < 0.0 {
            return Err(SurfaceError::NonPositiveExpiry { t });
        }
        Ok(())
    }

    /// `ln(F/K)` without the rounding of `F/K` near the money: `ln_1p((F − K)/K)`, where
    /// `F − K` is exact for close values (Sterbenz).
    #[inline]
    fn log_moneyness(forward: f64, strike: f64) -> f64 {
        ((forward - strike) / strike).ln_1p()
    }

    /// Hagan's lognormal (Black) implied volatility (Hagan et al. 2002, eq. 2.17a):
    ///
    /// `σ_B = α / ((FK)^{(1−β)/2}·(1 + (1−β)²L²/24 + (1−β)⁴L⁴/1920)) · z/x(z) ·
    ///  (1 + T·((1−β)²α²/(24(FK)^{1−β}) + ρβνα/(4(FK)^{(1−β)/2}) + (2 − 3ρ²)ν²/24))`,
    ///
    /// `L = ln(F/K)`, `z = (ν/α)(FK)^{(1−β)/2} L`. At the money (`z → 0`) `z/x(z) → 1` is taken
    /// from its series, never evaluated as 0/0.
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] for a non-positive forward or strike, or
    /// [`SurfaceError::NonPositiveExpiry`] for `t < 0`.
    pub fn lognormal_vol(&self, forward: f64, strike: f64, t: f64) -> Result<f64> {
        Self::check(forward, strike, t)?;
        Ok(self.lognormal_unchecked(forward, strike, t))
    }

    #[inline]
    pub(crate) fn lognormal_unchecked(&self, forward: f64, strike: f64, t: f64) -> f64 {
        let Sabr {
            alpha,
            beta,
            rho,
            nu,
        } = *self;
        let omb = 1.0 - beta;
        let a = (forward * strike).powf(omb);
        let sa = a.sqrt();
        let l = Self::log_moneyness(forward, strike);
        let z = nu / alpha * sa * l;
        let c = omb * omb * l * l;
        let d = sa * (1.0 + c / 24.0 + c * c / 1920.0);
        let corr = 1.0
            + t * (omb * omb * alpha * alpha / (24.0 * a)
                + 0.25 * rho * beta * nu * alpha / sa
                + (2.0 - 3.0 * rho * rho) * (nu * nu / 24.0));
        alpha / d * z_over_x(z, rho) * corr
    }

    /// Hagan's normal (Bachelier) implied volatility (Hagan et al. 2002, eq. A.69 in the form
    /// of QuantLib's `sabrVolatility(…, Normal)`):
    ///
    /// `σ_N = α(FK)^{β/2} · (1 + L²/24 + L⁴/1920)/(1 + (1−β)²L²/24 + (1−β)⁴L⁴/1920) · z/x(z) ·
    ///  (1 + T·(−β(2−β)α²/(24(FK)^{1−β}) + ρβνα/(4(FK)^{(1−β)/2}) + (2 − 3ρ²)ν²/24))`.
    ///
    /// # Errors
    /// As [`Sabr::lognormal_vol`].
    pub fn normal_vol(&self, forward: f64, strike: f64, t: f64) -> Result<f64> {
        Self::check(forward, strike, t)?;
        let Sabr {
            alpha,
            beta,
            rho,
            nu,
        } = *self;
        let omb = 1.0 - beta;
        let fk = forward * strike;
        let a = fk.powf(omb);
        let sa = a.sqrt();
        let l = Self::log_moneyness(forward, strike);
        let z = nu / alpha * sa * l;
        let c = omb * omb * l * l;
        let dd = l * l;
        let e = (1.0 + dd / 24.0 + dd * dd / 1920.0) / (1.0 + c / 24.0 + c * c / 1920.0);
        let corr = 1.0
            + t * (-beta * (2.0 - beta) * alpha * alpha / (24.0 * a)
                + 0.25 * rho * beta * nu * alpha / sa
                + (2.0 - 3.0 * rho * rho) * (nu * nu / 24.0));
        Ok(alpha * fk.powf(0.5 * beta) * e * z_over_x(z, rho) * corr)
    }
}

/// A SABR smile at a forward and expiry: the [`Smile`] implementation for SABR, in
/// log-moneyness `k = ln(K/F)` with Hagan's lognormal volatility.
///
/// Derivatives in `k` are central differences (step `10⁻⁴`), accurate to about `10⁻⁸`
/// relative — enough for Durrleman's `g` and the density.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SabrSmile {
    params: Sabr,
    forward: f64,
    expiry: f64,
}

impl SabrSmile {
    /// The smile of `params` at `forward` and time to expiry `expiry_years`.
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] for a non-positive forward,
    /// [`SurfaceError::NonPositiveExpiry`] for a non-positive expiry.
    pub fn new(params: Sabr, forward: f64, expiry_years: f64) -> Result<Self> {
        in_range("forward", forward, 0.0, f64::INFINITY, "must be > 0")?;
        Ok(Self {
            params,
            forward,
            expiry: expiry(expiry_years)?,
        })
    }

    /// The SABR parameters.
    pub fn params(&self) -> &Sabr {
        &self.params
    }

    /// The forward.
    pub fn forward(&self) -> f64 {
        self.forward
    }
}

impl Smile for SabrSmile {
    fn expiry(&self) -> f64 {
        self.expiry
    }

    fn total_variance(&self, k: f64) -> f64 {
        let v = self
            .params
            .lognormal_unchecked(self.forward, self.forward * k.exp(), self.expiry);
        v * v * self.expiry
    }

    fn derivatives(&self, k: f64) -> VarianceDerivatives {
        let h = 1e-4;
        let (wm, w, wp) = (
            self.total_variance(k - h),
            self.total_variance(k),
            self.total_variance(k + h),
        );
        VarianceDerivatives {
            w,
            dw: (wp - wm) / (2.0 * h),
            d2w: (wp - 2.0 * w + wm) / (h * h),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_over_x_is_smooth_across_branches() {
        for rho in [-0.9, -0.3, 0.0, 0.5, 0.95] {
            for z in [Z_SERIES * 1.001, -Z_SERIES * 1.001, 1e-6] {
                let series = 1.0 - 0.5 * rho * z - (3.0 * rho * rho - 2.0) * z * z / 12.0;
                let direct = z_over_x(z, rho);
                assert!(
                    (series - direct).abs() < 4e-16,
                    "{rho} {z}: {series} {direct}"
                );
            }
            assert!(z_over_x(-50.0, rho).is_finite() && z_over_x(50.0, rho).is_finite());
        }
        assert_eq!(z_over_x(0.0, 0.3), 1.0);
    }

    #[test]
    fn validates() {
        assert!(Sabr::new(0.0, 0.5, 0.0, 0.1).is_err());
        assert!(Sabr::new(0.1, 1.5, 0.0, 0.1).is_err());
        assert!(Sabr::new(0.1, 0.5, -1.0, 0.1).is_err());
        assert!(Sabr::new(0.1, 0.5, 0.0, -0.1).is_err());
        let s = Sabr::new(0.1, 0.5, 0.0, 0.1).unwrap();
        assert!(s.lognormal_vol(-1.0, 1.0, 1.0).is_err());
        assert!(s.lognormal_vol(1.0, 0.0, 1.0).is_err());
        assert!(matches!(
            s.normal_vol(1.0, 1.0, -1.0),
            Err(SurfaceError::NonPositiveExpiry { .. })
        ));
        assert!(SabrSmile::new(s, 1.0, 0.0).is_err());
    }
}
