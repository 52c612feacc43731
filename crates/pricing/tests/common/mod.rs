//! Named tolerances and helpers shared by the integration tests (one tolerance module per
//! crate).
#![allow(dead_code)] // Each test binary uses its own subset of the helpers.

/// Machine epsilon.
pub const EPS: f64 = f64::EPSILON;

/// A relative + absolute tolerance: `|got − want| ≤ rel·|want| + abs`.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    pub rel: f64,
    pub abs: f64,
}

impl Tolerance {
    pub const fn new(rel: f64, abs: f64) -> Self {
        Self { rel, abs }
    }

    /// Scales the relative part by a condition number (`≥ 1`).
    pub fn conditioned(self, condition: f64) -> Self {
        Self {
            rel: self.rel * condition.max(1.0),
            abs: self.abs,
        }
    }

    pub fn with_abs(self, abs: f64) -> Self {
        Self { rel: self.rel, abs }
    }

    pub fn holds(&self, got: f64, want: f64) -> bool {
        (got - want).abs() <= self.rel * want.abs() + self.abs
    }

    /// The error measured in units of this tolerance (≤ 1 passes).
    pub fn ratio(&self, got: f64, want: f64) -> f64 {
        (got - want).abs() / (self.rel * want.abs() + self.abs)
    }
}

/// Prices against 40-digit mpmath audit values: 1e-14 relative, scaled by the conditioning
/// `1 + d₁² + d₂²` of the Gaussian factor (one ulp in `x` or `s` moves `e^{−d²/2}` by `d²·ε`).
pub const PRICE_VS_MPMATH: Tolerance = Tolerance::new(1e-14, 0.0);

/// Greeks against QuantLib where its value is accurate: 1e-13 relative (QuantLib's own values
/// carry a few 1e-15 and the finite-precision d₁, d₂ amplification), with an absolute floor.
pub const GREEKS_VS_QUANTLIB: Tolerance = Tolerance::new(1e-13, 0.0);

/// Published tables rounded to `n` decimals: one unit in the last place.
pub fn published(decimals: u32) -> Tolerance {
    Tolerance::new(0.0, 10f64.powi(-(decimals as i32)))
}

/// Relative error, absolute when the reference is zero.
pub fn rel_err(got: f64, want: f64) -> f64 {
    if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    }
}
