//! The error type of parapet-protect.

use thiserror::Error;

/// Errors from parapet-protect's validating constructors and estimators.
#[derive(Debug, Clone, PartialEq, Error)]
// Serialize only: the `&'static str` field names cannot be borrowed from a deserializer.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ProtectError {
    /// Open, high, low and close columns of different lengths.
    #[error("OHLC columns differ in length: open {open}, high {high}, low {low}, close {close}")]
    LengthMismatch {
        /// Length of the open column.
        open: usize,
        /// Length of the high column.
        high: usize,
        /// Length of the low column.
        low: usize,
        /// Length of the close column.
        close: usize,
    },
    /// A price that is not a positive finite number.
    #[error("{field} at bar {bar} must be a positive finite price, got {value}")]
    BadPrice {
        /// Which column.
        field: &'static str,
        /// Bar index.
        bar: usize,
        /// The value found.
        value: f64,
    },
    /// A bar whose high is below its open, close or low, or whose low is above its open or
    /// close.
    #[error("bar {bar} is inconsistent: open {open}, high {high}, low {low}, close {close}")]
    InconsistentBar {
        /// Bar index.
        bar: usize,
        /// Open.
        open: f64,
        /// High.
        high: f64,
        /// Low.
        low: f64,
        /// Close.
        close: f64,
    },
    /// Too few bars for the estimator or window.
    #[error("{what} needs at least {needed} bars, got {got}")]
    TooShort {
        /// What needed them.
        what: &'static str,
        /// Minimum number of bars.
        needed: usize,
        /// Number available.
        got: usize,
    },
    /// An annualisation factor that is not a positive finite number.
    #[error("periods per year must be a positive finite number, got {0}")]
    BadAnnualisation(f64),
}

/// Shorthand for `Result<T, ProtectError>`.
pub type Result<T> = std::result::Result<T, ProtectError>;
