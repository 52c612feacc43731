//! Knobs of the fixed-point American engine.

use crate::error::PricingError;

/// Which fixed-point form of the boundary equation to iterate (Andersen, Lake and Offengenden
/// 2016, section 4; both have the same fixed point).
///
/// On the reference set FP-A converges faster in every regime tried (by one to two orders of
/// magnitude at equal work), so it is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FixedPointEquation {
    /// The smooth-pasting form, with `φ(d)/(σ√t)` terms.
    #[default]
    FpA,
    /// The value-matching form, with `Φ(d)` terms only.
    FpB,
}

/// Preset speed/accuracy trade-offs of the fixed-point engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum QdFpScheme {
    /// `(n, m, l, p) = (6, 2, 8, 16)`: within 6e-5 relative of the reference set.
    Fast,
    /// `(10, 4, 8, 32)`: within 1e-6 relative (plus the reference's own accuracy) of every
    /// reference case, with a threefold margin.
    #[default]
    Default,
    /// `(32, 8, 24, 64)`: within 1e-9 relative of the converged fixed point on every
    /// reference case.
    HighPrecision,
}

/// Settings of [`QdFpEngine`](crate::american::QdFpEngine): the `(l, m, n, p)` of Andersen,
/// Lake and Offengenden (2016).
///
/// ```
/// use parapet_pricing::american::{QdFpScheme, QdFpSettings};
/// let s = QdFpSettings::from_scheme(QdFpScheme::HighPrecision).with_chebyshev_nodes(40)?;
/// assert_eq!(s.chebyshev_nodes, 40);
/// assert!(QdFpSettings::default().with_iterations(0).is_err());
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QdFpSettings {
    /// `n`: degree of the Chebyshev interpolation of the boundary (`n + 1` nodes, one at expiry).
    pub chebyshev_nodes: usize,
    /// `m`: fixed-point iterations (the first is a Jacobi-Newton step).
    pub iterations: usize,
    /// `l`: Gauss-Legendre order of the integrals inside the fixed-point equation.
    pub boundary_quadrature: usize,
    /// `p`: Gauss-Legendre order of the early-exercise premium integral.
    pub premium_quadrature: usize,
    /// Which form of the fixed-point equation to iterate.
    pub equation: FixedPointEquation,
}

/// Upper limit of every order in [`QdFpSettings`]: beyond it nothing is gained in double
/// precision and the work grows as `n·l·m`.
pub const MAX_ORDER: usize = 512;

impl QdFpSettings {
    /// The preset for `scheme`.
    pub fn from_scheme(scheme: QdFpScheme) -> Self {
        let (n, m, l, p) = match scheme {
            QdFpScheme::Fast => (6, 2, 8, 16),
            QdFpScheme::Default => (10, 4, 8, 32),
            QdFpScheme::HighPrecision => (32, 8, 24, 64),
        };
        Self {
            chebyshev_nodes: n,
            iterations: m,
            boundary_quadrature: l,
            premium_quadrature: p,
            equation: FixedPointEquation::FpA,
        }
    }

    /// Sets `n`, the Chebyshev degree.
    ///
    /// # Errors
    /// As [`QdFpSettings::validate`].
    pub fn with_chebyshev_nodes(mut self, n: usize) -> Result<Self, PricingError> {
        self.chebyshev_nodes = n;
        self.validate()
    }

    /// Sets `m`, the number of fixed-point iterations.
    ///
    /// # Errors
    /// As [`QdFpSettings::validate`].
    pub fn with_iterations(mut self, m: usize) -> Result<Self, PricingError> {
        self.iterations = m;
        self.validate()
    }

    /// Sets `l` and `p`, the quadrature orders of the boundary and premium integrals.
    ///
    /// # Errors
    /// As [`QdFpSettings::validate`].
    pub fn with_quadrature(mut self, l: usize, p: usize) -> Result<Self, PricingError> {
        self.boundary_quadrature = l;
        self.premium_quadrature = p;
        self.validate()
    }

    /// Sets the fixed-point form.
    pub fn with_equation(mut self, equation: FixedPointEquation) -> Self {
        self.equation = equation;
        self
    }

    /// `Ok(self)` if every order lies in its range: `n ∈ [2, 512]`, `m, l, p ∈ [1, 512]`.
    ///
    /// # Errors
    /// [`PricingError::OutOfRange`] naming the offending setting.
    pub fn validate(self) -> Result<Self, PricingError> {
        check("chebyshev_nodes", self.chebyshev_nodes, 2)?;
        check("iterations", self.iterations, 1)?;
        check("boundary_quadrature", self.boundary_quadrature, 1)?;
        check("premium_quadrature", self.premium_quadrature, 1)?;
        Ok(self)
    }
}

impl Default for QdFpSettings {
    fn default() -> Self {
        Self::from_scheme(QdFpScheme::Default)
    }
}

pub(crate) fn check(name: &'static str, value: usize, min: usize) -> Result<(), PricingError> {
    if (min..=MAX_ORDER).contains(&value) {
        Ok(())
    } else {
        Err(PricingError::OutOfRange {
            name,
            value: value as f64,
            min: min as f64,
            max: MAX_ORDER as f64,
        })
    }
}
