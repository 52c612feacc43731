//! SVI smiles: raw, natural and jump-wings parametrisations and the conversions between them.
//!
//! Gatheral, J. (2004), *A parsimonious arbitrage-free implied volatility parameterization
//! with application to the valuation of volatility derivatives*, Global Derivatives.
//! Gatheral, J. & Jacquier, A. (2014), *Arbitrage-free SVI volatility surfaces*, Quantitative
//! Finance 14(1), 59–71 (natural and jump-wings forms, Section 3).

use crate::error::{Result, SurfaceError, expiry, finite, in_range};
use crate::smile::{Smile, VarianceDerivatives};

/// `√(x² + s²)` without `hypot`'s cost: the plain form is within an ulp of it and cannot
/// overflow below `|x| = 1e150` (σ is validated finite).
#[inline]
pub(crate) fn hyp(x: f64, s: f64) -> f64 {
    if x.abs() < 1e150 {
        (x * x + s * s).sqrt()
    } else {
        x.hypot(s)
    }
}

/// Raw SVI total implied variance (Gatheral 2004):
///
/// `w(k) = a + b·(ρ·(k − m) + √((k − m)² + σ²))`, `k = ln(K/F)`.
///
/// Domain: `b ≥ 0`, `|ρ| < 1`, `σ > 0`, and a non-negative minimum total variance
/// `a + b·σ·√(1 − ρ²) ≥ 0`. These rule out negative variance, not butterfly arbitrage: check
/// that with [`butterfly_check`](crate::butterfly_check).
///
/// ```
/// use parapet_surface::RawSvi;
/// let s = RawSvi::new(0.04, 0.4, -0.4, 0.05, 0.1)?;
/// assert!((s.total_variance(0.05) - (0.04 + 0.4 * 0.1)).abs() < 1e-15);
/// # Ok::<(), parapet_surface::SurfaceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RawSvi {
    a: f64,
    b: f64,
    rho: f64,
    m: f64,
    sigma: f64,
}

impl RawSvi {
    /// Validated raw SVI parameters `(a, b, ρ, m, σ)`.
    ///
    /// # Errors
    /// [`SurfaceError::NotFinite`] or [`SurfaceError::InvalidParameter`] outside the domain
    /// above.
    pub fn new(a: f64, b: f64, rho: f64, m: f64, sigma: f64) -> Result<Self> {
        finite("a", a)?;
        finite("m", m)?;
        finite("b", b)?;
        if b < 0.0 {
            return Err(SurfaceError::InvalidParameter {
                name: "b",
                value: b,
                reason: "must be >= 0",
            });
        }
        in_range("rho", rho, -1.0, 1.0, "must lie in (-1, 1)")?;
        in_range("sigma", sigma, 0.0, f64::INFINITY, "must be > 0")?;
        let s = Self {
            a,
            b,
            rho,
            m,
            sigma,
        };
        let wmin = s.min_total_variance();
        if wmin < 0.0 {
            return Err(SurfaceError::InvalidParameter {
                name: "a",
                value: a,
                reason: "minimum total variance a + b·σ·√(1−ρ²) must be >= 0",
            });
        }
        Ok(s)
    }

    /// Level `a`.
    pub fn a(&self) -> f64 {
        self.a
    }
    /// Angle between the wings `b`.
    pub fn b(&self) -> f64 {
        self.b
    }
    /// Rotation `ρ`.
    pub fn rho(&self) -> f64 {
        self.rho
    }
    /// Translation `m`.
    pub fn m(&self) -> f64 {
        self.m
    }
    /// ATM curvature `σ`.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Total implied variance `w(k)`.
    #[inline]
    pub fn total_variance(&self, k: f64) -> f64 {
        let x = k - self.m;
        self.a + self.b * (self.rho * x + hyp(x, self.sigma))
    }

    /// `w`, `w' = b·(ρ + x/√(x²+σ²))` and `w'' = b·σ²/(x²+σ²)^{3/2}`, `x = k − m`.
    #[inline]
    pub fn derivatives(&self, k: f64) -> VarianceDerivatives {
        let x = k - self.m;
        let r = hyp(x, self.sigma);
        VarianceDerivatives {
            w: self.a + self.b * (self.rho * x + r),
            dw: self.b * (self.rho + x / r),
            d2w: self.b * self.sigma * self.sigma / (r * r * r),
        }
    }

    /// Minimum total variance `a + b·σ·√(1 − ρ²)`, reached at `k = m − ρσ/√(1−ρ²)`.
    pub fn min_total_variance(&self) -> f64 {
        self.a + self.b * self.sigma * (1.0 - self.rho * self.rho).sqrt()
    }

    /// Slopes of the wings `(b·(1 − ρ), b·(1 + ρ))` as `k → −∞` and `k → +∞`; Lee (2004,
    /// *The moment formula for implied volatility at extreme strikes*) requires both ≤ 2.
    pub fn wing_slopes(&self) -> (f64, f64) {
        (self.b * (1.0 - self.rho), self.b * (1.0 + self.rho))
    }

    /// The same slice in the natural parametrisation (Gatheral & Jacquier 2014, eq. 3.2).
    pub fn to_natural(&self) -> NaturalSvi {
        let s = (1.0 - self.rho * self.rho).sqrt();
        let omega = 2.0 * self.b * self.sigma / s;
        NaturalSvi {
            delta: self.a - 0.5 * omega * (1.0 - self.rho * self.rho),
            mu: self.m + self.rho * self.sigma / s,
            rho: self.rho,
            omega,
            zeta: s / self.sigma,
        }
    }

    /// The same slice in jump-wings form at expiry `t` (Gatheral & Jacquier 2014, Section 3.3).
    ///
    /// # Errors
    /// [`SurfaceError::NonPositiveExpiry`] for `t ≤ 0`, and
    /// [`SurfaceError::NonPositiveVariance`] if the ATM total variance `w(0)` is not positive.
    pub fn to_jump_wings(&self, t: f64) -> Result<JumpWingsSvi> {
        let t = expiry(t)?;
        let w0 = self.total_variance(0.0);
        if w0 <= 0.0 {
            return Err(SurfaceError::NonPositiveVariance { k: 0.0, w: w0 });
        }
        let sw = w0.sqrt();
        let r = self.m.hypot(self.sigma);
        Ok(JumpWingsSvi {
            v: w0 / t,
            psi: 0.5 * self.b / sw * (self.rho - self.m / r),
            p: self.b * (1.0 - self.rho) / sw,
            c: self.b * (1.0 + self.rho) / sw,
            v_min: self.min_total_variance() / t,
            t,
        })
    }
}

/// Natural SVI (Gatheral & Jacquier 2014, eq. 3.2):
///
/// `w(k) = Δ + ω/2·(1 + ζρ(k − μ) + √((ζ(k − μ) + ρ)² + 1 − ρ²))`.
///
/// Domain: `ω ≥ 0`, `|ρ| < 1`, `ζ > 0`. SSVI slices are natural SVI with `Δ = μ = 0`,
/// `ω = θ`, `ζ = φ(θ)`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NaturalSvi {
    delta: f64,
    mu: f64,
    rho: f64,
    omega: f64,
    zeta: f64,
}

impl NaturalSvi {
    /// Validated natural SVI parameters `(Δ, μ, ρ, ω, ζ)`.
    ///
    /// # Errors
    /// [`SurfaceError::NotFinite`] or [`SurfaceError::InvalidParameter`] outside the domain.
    pub fn new(delta: f64, mu: f64, rho: f64, omega: f64, zeta: f64) -> Result<Self> {
        finite("delta", delta)?;
        finite("mu", mu)?;
        in_range("rho", rho, -1.0, 1.0, "must lie in (-1, 1)")?;
        finite("omega", omega)?;
        if omega < 0.0 {
            return Err(SurfaceError::InvalidParameter {
                name: "omega",
                value: omega,
                reason: "must be >= 0",
            });
        }
        in_range("zeta", zeta, 0.0, f64::INFINITY, "must be > 0")?;
        Ok(Self {
            delta,
            mu,
            rho,
            omega,
            zeta,
        })
    }

    /// `(Δ, μ, ρ, ω, ζ)`.
    pub fn params(&self) -> (f64, f64, f64, f64, f64) {
        (self.delta, self.mu, self.rho, self.omega, self.zeta)
    }

    /// Total implied variance `w(k)`.
    pub fn total_variance(&self, k: f64) -> f64 {
        let y = self.zeta * (k - self.mu);
        self.delta
            + 0.5
                * self.omega
                * (1.0 + self.rho * y + (y + self.rho).hypot((1.0 - self.rho * self.rho).sqrt()))
    }

    /// The same slice in raw form: `a = Δ + ω(1 − ρ²)/2`, `b = ωζ/2`, `m = μ − ρ/ζ`,
    /// `σ = √(1 − ρ²)/ζ`.
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] if the raw slice has negative minimum variance.
    pub fn to_raw(&self) -> Result<RawSvi> {
        let s = (1.0 - self.rho * self.rho).sqrt();
        RawSvi::new(
            self.delta + 0.5 * self.omega * (1.0 - self.rho * self.rho),
            0.5 * self.omega * self.zeta,
            self.rho,
            self.mu - self.rho / self.zeta,
            s / self.zeta,
        )
    }
}

/// Jump-wings SVI (Gatheral 2004; Gatheral & Jacquier 2014, Section 3.3): parameters a trader
/// reads off the smile at expiry `t`.
///
/// - `v`: ATM variance `w(0)/t`;
/// - `psi`: ATM skew `∂σ_BS/∂k` scaled, `ψ = w'(0)/(2√w(0))`;
/// - `p`, `c`: slopes of the put (left) and call (right) wings, `b(1∓ρ)/√w(0)`;
/// - `v_min`: minimum implied variance `min_k w(k)/t`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct JumpWingsSvi {
    /// ATM implied variance `v_t`.
    pub v: f64,
    /// ATM skew `ψ_t`.
    pub psi: f64,
    /// Put-wing slope `p_t`.
    pub p: f64,
    /// Call-wing slope `c_t`.
    pub c: f64,
    /// Minimum implied variance `ṽ_t`.
    pub v_min: f64,
    /// Time to expiry `t` (years).
    pub t: f64,
}

impl JumpWingsSvi {
    /// The raw SVI slice with these jump-wings parameters (Gatheral & Jacquier 2014, Lemma 3.2):
    /// `b = √w·(c + p)/2`, `ρ = 1 − p√w/b`, `β = ρ − 2ψ√w/b`, `α = sign(β)·√(1/β² − 1)`,
    /// `m = (v − ṽ)t / (b·(−ρ + sign(α)√(1 + α²) − α√(1 − ρ²)))`, `σ = α·m`,
    /// (the denominator in a cancellation-free form). Near `v = ṽ` (ATM at the variance
    /// minimum) `m` is ill-conditioned: its relative error is about `ε·v/(v − ṽ)`.
    ///
    /// `a = ṽt − bσ√(1 − ρ²)`.
    ///
    /// When `β = 0` the slice is centred (`m = 0`) and `σ = (v − ṽ)t/(b(1 − √(1 − ρ²)))`.
    ///
    /// # Errors
    /// [`SurfaceError::NonPositiveExpiry`], [`SurfaceError::DegenerateJumpWings`] when the
    /// parameters admit no raw slice (`|β| > 1`, `c + p ≤ 0`, or a centred symmetric smile
    /// whose `σ` is not identified), and the errors of [`RawSvi::new`].
    pub fn to_raw(&self) -> Result<RawSvi> {
        let t = expiry(self.t)?;
        for (name, x) in [
            ("v", self.v),
            ("psi", self.psi),
            ("p", self.p),
            ("c", self.c),
            ("v_min", self.v_min),
        ] {
            finite(name, x)?;
        }
        if self.v <= 0.0 {
            return Err(SurfaceError::NonPositiveVariance { k: 0.0, w: self.v });
        }
        let sw = (self.v * t).sqrt();
        let b = 0.5 * sw * (self.c + self.p);
        if b <= 0.0 {
            return Err(SurfaceError::DegenerateJumpWings {
                reason: "c + p must be > 0",
            });
        }
        let rho = 1.0 - self.p * sw / b;
        let beta = rho - 2.0 * self.psi * sw / b;
        if beta.abs() > 1.0 {
            return Err(SurfaceError::DegenerateJumpWings {
                reason: "|β| = |ρ − 2ψ√w/b| must be <= 1",
            });
        }
        let s = (1.0 - rho * rho).sqrt();
        let dv = (self.v - self.v_min) * t;
        let (m, sigma) = if beta == 0.0 {
            let denom = b * (1.0 - s);
            if denom <= 0.0 {
                return Err(SurfaceError::DegenerateJumpWings {
                    reason: "centred symmetric smile: σ not identified",
                });
            }
            (0.0, dv / denom)
        } else {
            let alpha = beta.signum() * (1.0 / (beta * beta) - 1.0).sqrt();
            // The denominator −ρ + sign(α)√(1+α²) − α√(1−ρ²) cancels as β → ρ (the ATM point
            // nears the variance minimum); with 1/β = sign(α)√(1+α²) it equals
            // (β − ρ)²/(β(1 − βρ + √((1−β²)(1−ρ²)))), and β − ρ = −2ψ√w/b exactly.
            let bmr = 2.0 * self.psi * sw / b;
            let denom = bmr * bmr
                / (beta * (1.0 - beta * rho + ((1.0 - beta * beta) * (1.0 - rho * rho)).sqrt()));
            let m = dv / (b * denom);
            (m, alpha * m)
        };
        if sigma.is_nan() || sigma <= 0.0 {
            return Err(SurfaceError::DegenerateJumpWings {
                reason: "implied σ is not positive (v must exceed v_min)",
            });
        }
        RawSvi::new(self.v_min * t - b * sigma * s, b, rho, m, sigma)
    }
}

/// A raw SVI slice at a given expiry: the [`Smile`] implementation for SVI.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SviSmile {
    params: RawSvi,
    expiry: f64,
}

impl SviSmile {
    /// The slice `params` at time to expiry `expiry` (years).
    ///
    /// # Errors
    /// [`SurfaceError::NonPositiveExpiry`] or [`SurfaceError::NotFinite`] for a bad expiry.
    pub fn new(params: RawSvi, expiry_years: f64) -> Result<Self> {
        Ok(Self {
            params,
            expiry: expiry(expiry_years)?,
        })
    }

    /// The raw parameters.
    pub fn params(&self) -> &RawSvi {
        &self.params
    }
}

impl Smile for SviSmile {
    #[inline]
    fn expiry(&self) -> f64 {
        self.expiry
    }
    #[inline]
    fn total_variance(&self, k: f64) -> f64 {
        self.params.total_variance(k)
    }
    #[inline]
    fn derivatives(&self, k: f64) -> VarianceDerivatives {
        self.params.derivatives(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_and_jump_wings_round_trip() {
        let raw = RawSvi::new(-0.041, 0.1331, 0.306, 0.3586, 0.4153).unwrap();
        let nat = raw.to_natural().to_raw().unwrap();
        let jw = raw.to_jump_wings(0.99).unwrap().to_raw().unwrap();
        for back in [nat, jw] {
            for k in [-1.0, -0.2, 0.0, 0.3, 1.5] {
                let (x, y) = (raw.total_variance(k), back.total_variance(k));
                assert!((x - y).abs() < 1e-14, "{k}: {x} vs {y}");
            }
        }
        let n = raw.to_natural();
        assert!((n.total_variance(0.7) - raw.total_variance(0.7)).abs() < 1e-15);
    }

    #[test]
    fn centred_jump_wings() {
        let raw = RawSvi::new(0.02, 0.1, -0.3, 0.0, 0.2).unwrap();
        let back = raw.to_jump_wings(0.5).unwrap().to_raw().unwrap();
        assert!((back.m() - 0.0).abs() < 1e-14);
        assert!((back.sigma() - 0.2).abs() < 1e-13);
        let sym = RawSvi::new(0.02, 0.1, 0.0, 0.0, 0.2).unwrap();
        assert!(matches!(
            sym.to_jump_wings(0.5).unwrap().to_raw(),
            Err(SurfaceError::DegenerateJumpWings { .. })
        ));
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(matches!(
            RawSvi::new(0.0, -0.1, 0.0, 0.0, 0.1),
            Err(SurfaceError::InvalidParameter { name: "b", .. })
        ));
        assert!(matches!(
            RawSvi::new(0.0, 0.1, 1.0, 0.0, 0.1),
            Err(SurfaceError::InvalidParameter { name: "rho", .. })
        ));
        assert!(matches!(
            RawSvi::new(0.0, 0.1, 0.0, 0.0, 0.0),
            Err(SurfaceError::InvalidParameter { name: "sigma", .. })
        ));
        assert!(matches!(
            RawSvi::new(-0.1, 0.1, 0.0, 0.0, 0.1),
            Err(SurfaceError::InvalidParameter { name: "a", .. })
        ));
        assert!(matches!(
            RawSvi::new(f64::NAN, 0.1, 0.0, 0.0, 0.1),
            Err(SurfaceError::NotFinite { name: "a", .. })
        ));
        assert!(NaturalSvi::new(0.0, 0.0, 0.0, -1.0, 1.0).is_err());
        let raw = RawSvi::new(0.04, 0.1, 0.0, 0.0, 0.1).unwrap();
        assert!(matches!(
            raw.to_jump_wings(0.0),
            Err(SurfaceError::NonPositiveExpiry { .. })
        ));
        assert!(SviSmile::new(raw, -1.0).is_err());
    }
}
