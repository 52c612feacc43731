//! The crate's error type.

use thiserror::Error;

/// Errors raised by parapet-surface.
///
/// Every variant carries the offending values so that a caller can report what was wrong.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SurfaceError {
    /// A model parameter outside its domain.
    #[error("parameter {name} = {value} is invalid: {reason}")]
    InvalidParameter {
        /// Which parameter.
        name: &'static str,
        /// The value received.
        value: f64,
        /// The domain it must lie in.
        reason: &'static str,
    },
    /// An input that must be finite was NaN or infinite.
    #[error("{name} must be finite, got {value}")]
    NotFinite {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// A time to expiry that is not strictly positive.
    #[error("time to expiry must be > 0, got {t}")]
    NonPositiveExpiry {
        /// The time to expiry received (years).
        t: f64,
    },
    /// Too few quotes to fit or estimate what was asked.
    #[error("{what} needs at least {needed} quotes, got {got}")]
    TooFewQuotes {
        /// What was being computed.
        what: &'static str,
        /// Minimum number required.
        needed: usize,
        /// Number received.
        got: usize,
    },
    /// Two inputs whose lengths must agree did not.
    #[error("length mismatch in {name}: expected {expected}, got {got}")]
    LengthMismatch {
        /// Which input.
        name: &'static str,
        /// Length required.
        expected: usize,
        /// Length received.
        got: usize,
    },
    /// Values that must be strictly increasing were not.
    #[error("{name} must be strictly increasing: {previous} then {value} at index {index}")]
    NotIncreasing {
        /// Which input.
        name: &'static str,
        /// Index of the offending value.
        index: usize,
        /// The value before it.
        previous: f64,
        /// The offending value.
        value: f64,
    },
    /// A jump-wings parameter set that maps to no raw SVI slice.
    #[error("jump-wings parameters do not map to raw SVI: {reason}")]
    DegenerateJumpWings {
        /// Why the inversion fails.
        reason: &'static str,
    },
    /// A total variance at or below zero where a volatility is required.
    #[error("total variance {w} at log-moneyness {k} is not positive")]
    NonPositiveVariance {
        /// Log-moneyness.
        k: f64,
        /// The total variance found.
        w: f64,
    },
    /// An option chain file that cannot be read.
    #[error("option chain line {line}: {reason}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        reason: String,
    },
    /// A chain with nothing usable in it.
    #[error("option chain has no usable expiry")]
    EmptyChain,
    /// A calibration that did not produce a finite fit.
    #[error("calibration of {model} failed: {reason}")]
    Calibration {
        /// The model.
        model: &'static str,
        /// Why.
        reason: &'static str,
    },
}

/// Shorthand for `Result<T, SurfaceError>`.
pub type Result<T> = std::result::Result<T, SurfaceError>;

/// `Ok(x)` if `x` is finite.
pub(crate) fn finite(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(SurfaceError::NotFinite { name, value: x })
    }
}

/// `Ok(t)` if `t` is a finite, strictly positive time to expiry.
pub(crate) fn expiry(t: f64) -> Result<f64> {
    if t.is_finite() && t > 0.0 {
        Ok(t)
    } else if t.is_nan() || t.is_infinite() {
        Err(SurfaceError::NotFinite {
            name: "expiry",
            value: t,
        })
    } else {
        Err(SurfaceError::NonPositiveExpiry { t })
    }
}

/// `Ok(x)` if `x` is finite and `lo < x < hi`; otherwise the error, with `reason` naming the domain.
pub(crate) fn in_range(
    name: &'static str,
    x: f64,
    lo: f64,
    hi: f64,
    reason: &'static str,
) -> Result<f64> {
    finite(name, x)?;
    if x > lo && x < hi {
        Ok(x)
    } else {
        Err(SurfaceError::InvalidParameter {
            name,
            value: x,
            reason,
        })
    }
}
