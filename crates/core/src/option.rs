//! Option contracts: kind, exercise style and the vanilla contract.

use crate::error::{Result, positive};

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum OptionKind {
    /// The right to buy at the strike.
    Call,
    /// The right to sell at the strike.
    Put,
}

impl OptionKind {
    /// +1 for a call, −1 for a put: the sign θ in the unified Black formula
    /// `θ·[F·N(θ·d₁) − K·N(θ·d₂)]`.
    #[inline]
    pub fn sign(self) -> f64 {
        match self {
            OptionKind::Call => 1.0,
            OptionKind::Put => -1.0,
        }
    }

    /// The other kind (put ↔ call), as used by put-call parity.
    #[inline]
    pub fn opposite(self) -> Self {
        match self {
            OptionKind::Call => OptionKind::Put,
            OptionKind::Put => OptionKind::Call,
        }
    }

    /// Intrinsic value `max(θ·(S − K), 0)` of the payoff at spot (or forward) `s`.
    #[inline]
    pub fn intrinsic(self, s: f64, strike: f64) -> f64 {
        (self.sign() * (s - strike)).max(0.0)
    }
}

/// When the holder may exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Exercise {
    /// Only at expiry.
    European,
    /// At any time up to and including expiry.
    American,
}

/// A vanilla option contract: kind, exercise style, strike and time to expiry in years.
///
/// Built through [`Vanilla::european`] or [`Vanilla::american`], which reject non-finite or
/// non-positive strikes and expiries.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Vanilla {
    kind: OptionKind,
    exercise: Exercise,
    strike: f64,
    expiry: f64,
}

impl Vanilla {
    /// A contract of any exercise style.
    ///
    /// # Errors
    /// [`CoreError::NotPositive`](crate::CoreError::NotPositive) or
    /// [`CoreError::NotFinite`](crate::CoreError::NotFinite) for a strike or expiry that is not a
    /// positive finite number.
    pub fn new(kind: OptionKind, exercise: Exercise, strike: f64, expiry: f64) -> Result<Self> {
        Ok(Self {
            kind,
            exercise,
            strike: positive("strike", strike)?,
            expiry: positive("expiry", expiry)?,
        })
    }

    /// A European option with `strike` and `expiry` (years).
    ///
    /// ```
    /// use parapet_core::{OptionKind, Vanilla};
    /// let put = Vanilla::european(OptionKind::Put, 95.0, 0.5)?;
    /// assert_eq!(put.strike(), 95.0);
    /// assert!(Vanilla::european(OptionKind::Put, -1.0, 0.5).is_err());
    /// # Ok::<(), parapet_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Vanilla::new`].
    pub fn european(kind: OptionKind, strike: f64, expiry: f64) -> Result<Self> {
        Self::new(kind, Exercise::European, strike, expiry)
    }

    /// An American option with `strike` and `expiry` (years).
    ///
    /// # Errors
    /// As [`Vanilla::new`].
    pub fn american(kind: OptionKind, strike: f64, expiry: f64) -> Result<Self> {
        Self::new(kind, Exercise::American, strike, expiry)
    }

    /// Call or put.
    #[inline]
    pub fn kind(&self) -> OptionKind {
        self.kind
    }

    /// Exercise style.
    #[inline]
    pub fn exercise(&self) -> Exercise {
        self.exercise
    }

    /// Strike price.
    #[inline]
    pub fn strike(&self) -> f64 {
        self.strike
    }

    /// Time to expiry in years.
    #[inline]
    pub fn expiry(&self) -> f64 {
        self.expiry
    }

    /// Payoff at expiry for an underlying price `s`.
    #[inline]
    pub fn payoff(&self, s: f64) -> f64 {
        self.kind.intrinsic(s, self.strike)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;

    #[test]
    fn constructor_validates() {
        let c = Vanilla::european(OptionKind::Call, 100.0, 1.0).unwrap();
        assert_eq!(c.kind(), OptionKind::Call);
        assert_eq!(c.exercise(), Exercise::European);
        assert_eq!(c.payoff(110.0), 10.0);
        assert_eq!(c.payoff(90.0), 0.0);
        let a = Vanilla::american(OptionKind::Put, 100.0, 0.25).unwrap();
        assert_eq!(a.exercise(), Exercise::American);
        assert_eq!(a.payoff(90.0), 10.0);
        assert_eq!(
            Vanilla::european(OptionKind::Call, 100.0, 0.0),
            Err(CoreError::NotPositive {
                name: "expiry",
                value: 0.0
            })
        );
        assert!(matches!(
            Vanilla::european(OptionKind::Call, f64::NAN, 1.0),
            Err(CoreError::NotFinite { name: "strike", .. })
        ));
    }

    #[test]
    fn sign_and_opposite() {
        assert_eq!(OptionKind::Call.sign(), 1.0);
        assert_eq!(OptionKind::Put.sign(), -1.0);
        assert_eq!(OptionKind::Call.opposite(), OptionKind::Put);
    }
}
