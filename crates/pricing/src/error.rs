//! The crate's error type.

use parapet_core::{CoreError, Exercise};
use thiserror::Error;

/// Errors raised by parapet-pricing.
///
/// Every variant carries the offending values, so that a caller can report what was wrong.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum PricingError {
    /// An input that must be a finite number was NaN or infinite.
    #[error("{name} must be finite, got {value}")]
    NotFinite {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// An input that must be strictly positive was zero or negative.
    #[error("{name} must be > 0, got {value}")]
    NotPositive {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// An input that must be non-negative was negative.
    #[error("{name} must be >= 0, got {value}")]
    Negative {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// An option price at or below its intrinsic value: no positive volatility reproduces it.
    #[error("price {price} is at or below the intrinsic value {intrinsic}")]
    BelowIntrinsic {
        /// The (undiscounted) price received.
        price: f64,
        /// The (undiscounted) intrinsic value.
        intrinsic: f64,
    },
    /// An option price at or above the no-arbitrage upper bound (the forward for a call, the
    /// strike for a put, undiscounted; unbounded puts in the normal model have none).
    #[error("price {price} is at or above the upper bound {bound}")]
    AboveUpperBound {
        /// The (undiscounted) price received.
        price: f64,
        /// The upper bound.
        bound: f64,
    },
    /// A closed-form European formula was asked to price another exercise style.
    #[error("{exercise:?} exercise is not supported by this European formula")]
    UnsupportedExercise {
        /// The contract's exercise style.
        exercise: Exercise,
    },
    /// Slices of a batch call had different lengths.
    #[error("length mismatch in {name}: expected {expected}, got {got}")]
    LengthMismatch {
        /// Which slice.
        name: &'static str,
        /// The length required.
        expected: usize,
        /// The length received.
        got: usize,
    },
    /// An element of a batch call failed; `source` says why.
    #[error("element {index}: {source}")]
    Element {
        /// Position in the batch.
        index: usize,
        /// The element's error.
        source: Box<PricingError>,
    },
    /// An iterative solver stopped without meeting its tolerance.
    #[error("no convergence after {iterations} iterations (last iterate {last})")]
    NoConvergence {
        /// Iterations performed.
        iterations: usize,
        /// The last iterate.
        last: f64,
    },
    /// A setting or parameter outside its admissible range (quadrature orders, tree or path
    /// step counts, correlations, ...).
    #[error("{name} = {value} is outside [{min}, {max}]")]
    OutOfRange {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
        /// Smallest admissible value.
        min: f64,
        /// Largest admissible value.
        max: f64,
    },
    /// An American put with `q < r < 0` (or call with `r < q < 0`) has two exercise
    /// boundaries, which this engine does not price.
    #[error(
        "double exercise boundary (rate {rate}, dividend yield {div_yield}) is not supported by this engine"
    )]
    DoubleBoundary {
        /// The risk-free rate.
        rate: f64,
        /// The dividend yield.
        div_yield: f64,
    },
    /// Early exercise is never optimal for these inputs, so there is no exercise boundary.
    #[error("no early exercise (rate {rate}, dividend yield {div_yield}, vol {vol})")]
    NoEarlyExercise {
        /// The risk-free rate.
        rate: f64,
        /// The dividend yield.
        div_yield: f64,
        /// The volatility.
        vol: f64,
    },
    /// A result that exceeds the range of a double for these inputs (for example a
    /// third-order Greek at a volatility near 1e-300), reported instead of ±∞ or NaN.
    #[error("{name} is not representable as a finite double for these inputs")]
    Overflow {
        /// Which result.
        name: &'static str,
    },
    /// An error from parapet-core's validated types.
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// `Ok(x)` if `x` is finite.
pub(crate) fn finite(name: &'static str, x: f64) -> Result<f64, PricingError> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(PricingError::NotFinite { name, value: x })
    }
}

/// `Ok(x)` if `x` is finite and `> 0`.
pub(crate) fn positive(name: &'static str, x: f64) -> Result<f64, PricingError> {
    if finite(name, x)? > 0.0 {
        Ok(x)
    } else {
        Err(PricingError::NotPositive { name, value: x })
    }
}

/// `Ok(x)` if `x` is finite and `>= 0`.
pub(crate) fn non_negative(name: &'static str, x: f64) -> Result<f64, PricingError> {
    if finite(name, x)? >= 0.0 {
        Ok(x)
    } else {
        Err(PricingError::Negative { name, value: x })
    }
}

/// `Ok` if every value is finite, else [`PricingError::Overflow`] naming the first that is not
/// (gamma and the higher Greeks grow like `1/σ^k` as `σ√T → 0` and can leave the double range).
pub(crate) fn all_finite(values: &[(&'static str, f64)]) -> Result<(), PricingError> {
    match values.iter().find(|(_, v)| !v.is_finite()) {
        Some(&(name, _)) => Err(PricingError::Overflow { name }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_report_the_value() {
        assert_eq!(positive("vol", 0.2), Ok(0.2));
        assert_eq!(
            positive("vol", 0.0),
            Err(PricingError::NotPositive {
                name: "vol",
                value: 0.0
            })
        );
        assert!(matches!(
            positive("vol", f64::NAN),
            Err(PricingError::NotFinite { name: "vol", .. })
        ));
        assert_eq!(non_negative("t", 0.0), Ok(0.0));
        assert_eq!(
            non_negative("t", -1.0),
            Err(PricingError::Negative {
                name: "t",
                value: -1.0
            })
        );
        assert!(finite("x", f64::INFINITY).is_err());
        assert_eq!(all_finite(&[("a", 1.0), ("b", 2.0)]), Ok(()));
        assert_eq!(
            all_finite(&[("a", 1.0), ("gamma", f64::INFINITY), ("c", f64::NAN)]),
            Err(PricingError::Overflow { name: "gamma" })
        );
    }
}
