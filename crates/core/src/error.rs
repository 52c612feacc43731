//! The shared error vocabulary.

use thiserror::Error;

/// Errors raised by parapet-core's validating constructors and fallible functions.
///
/// Every variant carries the offending value so that a caller can report what was wrong.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A quantity that must be a finite number was NaN or infinite.
    #[error("{name} must be finite, got {value}")]
    NotFinite {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// A quantity that must be strictly positive was zero or negative.
    #[error("{name} must be > 0, got {value}")]
    NotPositive {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// A quantity that must be non-negative was negative.
    #[error("{name} must be >= 0, got {value}")]
    Negative {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// A probability or confidence level outside the open interval (0, 1).
    #[error("{name} must lie in the open interval (0, 1), got {value}")]
    NotAProbability {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// A series or matrix had no observations.
    #[error("{name} is empty")]
    Empty {
        /// Which input.
        name: &'static str,
    },
    /// Two inputs whose sizes must agree did not.
    #[error("shape mismatch in {name}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// Which input.
        name: &'static str,
        /// The size required.
        expected: usize,
        /// The size received.
        got: usize,
    },
    /// Too few observations for the requested computation.
    #[error("{name} needs at least {needed} observations, got {got}")]
    TooShort {
        /// Which input.
        name: &'static str,
        /// Minimum length required.
        needed: usize,
        /// Length received.
        got: usize,
    },
    /// A non-finite value inside a series or matrix, with its position.
    #[error("{name} has a non-finite value {value} at row {row}, column {col}")]
    NonFiniteEntry {
        /// Which input.
        name: &'static str,
        /// Row (observation) index.
        row: usize,
        /// Column (asset) index.
        col: usize,
        /// The value found.
        value: f64,
    },
    /// A price at or below zero where a positive price is required to form returns.
    #[error("price must be > 0 to form returns, got {value} at row {row}, column {col}")]
    NonPositivePrice {
        /// Row (observation) index.
        row: usize,
        /// Column (asset) index.
        col: usize,
        /// The value found.
        value: f64,
    },
    /// Asset names were duplicated.
    #[error("duplicate asset name {name:?}")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
}

/// Shorthand for `Result<T, CoreError>`.
pub type Result<T> = std::result::Result<T, CoreError>;

/// Returns `Ok(x)` if `x` is finite, otherwise [`CoreError::NotFinite`].
pub fn finite(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(CoreError::NotFinite { name, value: x })
    }
}

/// Returns `Ok(x)` if `x` is finite and strictly positive.
pub fn positive(name: &'static str, x: f64) -> Result<f64> {
    finite(name, x)?;
    if x > 0.0 {
        Ok(x)
    } else {
        Err(CoreError::NotPositive { name, value: x })
    }
}

/// Returns `Ok(x)` if `x` is finite and non-negative.
pub fn non_negative(name: &'static str, x: f64) -> Result<f64> {
    finite(name, x)?;
    if x >= 0.0 {
        Ok(x)
    } else {
        Err(CoreError::Negative { name, value: x })
    }
}

/// Returns `Ok(p)` if `p` lies in the open interval (0, 1).
pub fn probability(name: &'static str, p: f64) -> Result<f64> {
    if p > 0.0 && p < 1.0 {
        Ok(p)
    } else if p.is_nan() {
        Err(CoreError::NotFinite { name, value: p })
    } else {
        Err(CoreError::NotAProbability { name, value: p })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_accept_and_reject() {
        assert_eq!(finite("x", 1.5), Ok(1.5));
        assert!(matches!(
            finite("x", f64::NAN),
            Err(CoreError::NotFinite { .. })
        ));
        assert_eq!(positive("x", 2.0), Ok(2.0));
        assert_eq!(
            positive("x", 0.0),
            Err(CoreError::NotPositive {
                name: "x",
                value: 0.0
            })
        );
        assert!(matches!(
            positive("x", f64::INFINITY),
            Err(CoreError::NotFinite { .. })
        ));
        assert_eq!(non_negative("x", 0.0), Ok(0.0));
        assert!(matches!(
            non_negative("x", -1e-300),
            Err(CoreError::Negative { .. })
        ));
        assert_eq!(probability("p", 0.99), Ok(0.99));
        assert!(matches!(
            probability("p", 1.0),
            Err(CoreError::NotAProbability { .. })
        ));
        assert!(matches!(
            probability("p", 0.0),
            Err(CoreError::NotAProbability { .. })
        ));
        assert!(matches!(
            probability("p", f64::NAN),
            Err(CoreError::NotFinite { .. })
        ));
    }
}
