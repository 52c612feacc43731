//! Market inputs for pricing a single underlying.

use crate::error::{Result, finite, non_negative, positive};

/// Spot price, continuously compounded risk-free rate and dividend (or foreign-rate) yield.
///
/// The cost of carry is `b = r − q`; the forward to time `t` is `F = S·e^{(r−q)t}` and the
/// discount factor `D = e^{−rt}`. Negative rates and yields are allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Market {
    spot: f64,
    rate: f64,
    div_yield: f64,
}

impl Market {
    /// Validated market inputs.
    ///
    /// ```
    /// use parapet_core::Market;
    /// let m = Market::new(100.0, 0.03, 0.01)?;
    /// assert!((m.forward(1.0) - 100.0 * 0.02f64.exp()).abs() < 1e-12);
    /// # Ok::<(), parapet_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    /// A spot that is not a positive finite number, or a non-finite rate or yield.
    pub fn new(spot: f64, rate: f64, div_yield: f64) -> Result<Self> {
        Ok(Self {
            spot: positive("spot", spot)?,
            rate: finite("rate", rate)?,
            div_yield: finite("div_yield", div_yield)?,
        })
    }

    /// Spot price.
    #[inline]
    pub fn spot(&self) -> f64 {
        self.spot
    }

    /// Continuously compounded risk-free rate.
    #[inline]
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Continuously compounded dividend (or foreign-rate) yield.
    #[inline]
    pub fn div_yield(&self) -> f64 {
        self.div_yield
    }

    /// Cost of carry `b = r − q`.
    #[inline]
    pub fn carry(&self) -> f64 {
        self.rate - self.div_yield
    }

    /// Forward price `S·e^{(r−q)t}` for delivery at `t` years.
    #[inline]
    pub fn forward(&self, t: f64) -> f64 {
        self.spot * (self.carry() * t).exp()
    }

    /// Discount factor `e^{−rt}`.
    #[inline]
    pub fn discount(&self, t: f64) -> f64 {
        (-self.rate * t).exp()
    }

    /// Dividend discount factor `e^{−qt}`.
    #[inline]
    pub fn div_discount(&self, t: f64) -> f64 {
        (-self.div_yield * t).exp()
    }

    /// The same market with another spot (for scenario revaluation and finite differences).
    ///
    /// # Errors
    /// A spot that is not a positive finite number.
    pub fn with_spot(&self, spot: f64) -> Result<Self> {
        Self::new(spot, self.rate, self.div_yield)
    }
}

/// Validates a time to expiry: finite and `>= 0` (zero means "at expiry").
///
/// # Errors
/// [`CoreError::Negative`](crate::CoreError::Negative) or
/// [`CoreError::NotFinite`](crate::CoreError::NotFinite).
pub fn time_to_expiry(t: f64) -> Result<f64> {
    non_negative("time to expiry", t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;

    #[test]
    fn forward_and_discount() {
        let m = Market::new(100.0, 0.05, 0.02).unwrap();
        assert!((m.carry() - 0.03).abs() < 1e-15);
        assert!((m.discount(2.0) - (-0.1f64).exp()).abs() < 1e-15);
        assert!((m.div_discount(2.0) - (-0.04f64).exp()).abs() < 1e-15);
        // F·D = S·e^{−qt}: the prepaid forward.
        let t = 1.7;
        assert!((m.forward(t) * m.discount(t) - m.spot() * m.div_discount(t)).abs() < 1e-12);
        assert_eq!(m.with_spot(90.0).unwrap().spot(), 90.0);
    }

    #[test]
    fn rejects_bad_inputs() {
        assert_eq!(
            Market::new(0.0, 0.01, 0.0),
            Err(CoreError::NotPositive {
                name: "spot",
                value: 0.0
            })
        );
        assert!(matches!(
            Market::new(100.0, f64::NAN, 0.0),
            Err(CoreError::NotFinite { name: "rate", .. })
        ));
        assert!(Market::new(100.0, -0.01, -0.02).is_ok());
        assert!(time_to_expiry(-1.0).is_err());
        assert_eq!(time_to_expiry(0.0), Ok(0.0));
    }
}
