//! The crate's error type.

use parapet_core::CoreError;
use thiserror::Error;

/// Errors raised by parapet-risk.
///
/// Every variant carries the offending value (or position) so a caller can report what was
/// wrong. Bad data never panics and never yields a silent NaN.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum RiskError {
    /// A validation error from parapet-core (confidence level, probabilities, tables).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A series had no observations.
    #[error("{name} is empty")]
    Empty {
        /// Which input.
        name: &'static str,
    },
    /// A NaN or infinite value inside a series.
    #[error("{name} has a non-finite value {value} at index {index}")]
    NonFinite {
        /// Which input.
        name: &'static str,
        /// Position of the first offending value.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A scalar parameter outside its domain.
    #[error("{name} = {value} is invalid: {reason}")]
    InvalidParameter {
        /// Which parameter.
        name: &'static str,
        /// The value received.
        value: f64,
        /// The domain it must lie in.
        reason: &'static str,
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
    /// A series with (numerically) zero dispersion where a scale must be estimated.
    #[error("{name} is constant (every value equals {value}); its scale cannot be estimated")]
    Constant {
        /// Which input.
        name: &'static str,
        /// The repeated value.
        value: f64,
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
    /// A window longer than the data it slides over.
    #[error("window of {window} observations is longer than the {len} available")]
    WindowTooLong {
        /// Requested window.
        window: usize,
        /// Available observations.
        len: usize,
    },
    /// A covariance or correlation matrix that is not positive (semi-)definite.
    #[error("{name} is not positive definite (failure at pivot {pivot})")]
    NotPositiveDefinite {
        /// Which matrix.
        name: &'static str,
        /// Row where the factorisation failed (or the order of the matrix when unknown).
        pivot: usize,
    },
    /// A quantity that is infinite for the fitted model, e.g. ES of a GPD with ξ ≥ 1 or of a
    /// Student-t with ν ≤ 1.
    #[error("{what} is infinite for shape parameter {shape}")]
    InfiniteMoment {
        /// Which measure.
        what: &'static str,
        /// The shape parameter responsible.
        shape: f64,
    },
    /// An iterative estimator stopped without meeting its tolerance.
    #[error("{what} did not converge in {iterations} iterations (last change {last_change:e})")]
    NotConverged {
        /// Which estimator.
        what: &'static str,
        /// Iterations performed.
        iterations: usize,
        /// Size of the last step or simplex spread.
        last_change: f64,
    },
    /// A date that does not occur in a dated series.
    #[error("date {date:?} not found in {name}")]
    UnknownDate {
        /// Which series.
        name: &'static str,
        /// The date looked for.
        date: String,
    },
}

/// Shorthand for `Result<T, RiskError>`.
pub type Result<T> = std::result::Result<T, RiskError>;
