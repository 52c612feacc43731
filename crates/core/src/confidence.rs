//! Validated confidence levels for risk measures.

use crate::error::{Result, probability};

/// A confidence level α in (0, 1), e.g. 0.99 for 99% VaR.
///
/// The tail probability `1 − α` is kept alongside α, computed once at construction. For the
/// levels people type (0.95, 0.99, 0.975) `1 − α` is not exactly the decimal they meant
/// (`1.0 - 0.95 = 0.050000000000000044`), which can move an order statistic in a historical
/// quantile; [`Confidence::from_tail`] takes the tail probability directly when that matters.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Confidence {
    level: f64,
    tail: f64,
}

impl Confidence {
    /// A confidence level α ∈ (0, 1); the tail probability is `1 − α`.
    ///
    /// ```
    /// use parapet_core::Confidence;
    /// let c = Confidence::new(0.99)?;
    /// assert_eq!(c.level(), 0.99);
    /// assert!(Confidence::new(1.0).is_err());
    /// # Ok::<(), parapet_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    /// [`CoreError::NotAProbability`](crate::CoreError::NotAProbability) outside (0, 1),
    /// [`CoreError::NotFinite`](crate::CoreError::NotFinite) for NaN.
    pub fn new(level: f64) -> Result<Self> {
        let level = probability("confidence level", level)?;
        Ok(Self {
            level,
            tail: 1.0 - level,
        })
    }

    /// A confidence level given by its tail probability `p = 1 − α` (kept exactly as given).
    ///
    /// # Errors
    /// As [`Confidence::new`].
    pub fn from_tail(tail: f64) -> Result<Self> {
        let tail = probability("tail probability", tail)?;
        Ok(Self {
            level: 1.0 - tail,
            tail,
        })
    }

    /// α.
    #[inline]
    pub fn level(&self) -> f64 {
        self.level
    }

    /// The tail probability `1 − α`.
    #[inline]
    pub fn tail(&self) -> f64 {
        self.tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;

    #[test]
    fn accepts_and_rejects() {
        let c = Confidence::new(0.95).unwrap();
        assert_eq!(c.tail(), 1.0 - 0.95);
        let t = Confidence::from_tail(0.05).unwrap();
        assert_eq!(t.tail(), 0.05);
        assert_eq!(t.level(), 0.95);
        assert_eq!(
            Confidence::new(0.0),
            Err(CoreError::NotAProbability {
                name: "confidence level",
                value: 0.0
            })
        );
        assert!(matches!(
            Confidence::new(f64::NAN),
            Err(CoreError::NotFinite { .. })
        ));
        assert!(Confidence::from_tail(1.5).is_err());
    }
}
