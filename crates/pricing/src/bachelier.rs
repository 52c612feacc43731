//! Bachelier (normal) model for options on a forward: rates, spreads, anything that can go
//! negative.
//!
//! With an absolute (normal) volatility `σ`, `s = σ√T` and `d = (F − K)/s`, the undiscounted
//! price of a call (θ = +1) or put (θ = −1) is
//!
//! ```text
//! V = θ·(F − K)·Φ(θd) + s·φ(d) = max(θ(F − K), 0) + s·ψ(|F − K|/s),   ψ(u) = φ(u) − u·Φ(−u).
//! ```
//!
//! The second form (intrinsic value plus the out-of-the-money option by put-call parity) is
//! the one evaluated. `ψ(u)` cancels badly for large `u` (`u·Φ(−u) → φ(u)`), so it is computed
//! as `φ(u)·(1 − u·Y(−u))` with the Mills ratio `Y`, the bracket coming from Laplace's
//! continued fraction for `u ≥ 6` (the normalised Black function needs the same quantity); between 3 and 6 the `erfcx` form loses up to `≈ 3u²` ulp, the order of the
//! price's own conditioning there. Deep out of the money prices keep their relative precision.
//!
//! References:
//! * L. Bachelier (1900), "Théorie de la spéculation", *Annales scientifiques de l'École
//!   Normale Supérieure* 17, 21–86.
//! * P. Jäckel (2017), "Implied normal volatility", *Wilmott* 2017(90), 54–57.

use parapet_core::OptionKind;
use parapet_core::special::{norm_cdf, norm_pdf};

use crate::black::ForwardGreeks;
use crate::error::{PricingError, finite, non_negative, positive};
use crate::normalised::mills_derivative;

/// `ψ(u) = φ(u) − u·Φ(−u)` for `u ≥ 0`: the normalised out-of-the-money Bachelier price,
/// relative-accurate (no cancellation).
#[inline]
pub(crate) fn psi(u: f64) -> f64 {
    norm_pdf(u) * mills_derivative(-u)
}

/// Undiscounted Bachelier price. `vol` is the absolute (normal) volatility per √year.
///
/// As [`black::price`](crate::black::price), the hot path does not validate: it expects
/// finite `forward` and `strike` (any sign) and non-negative `t` and `vol`. `vol = 0` or
/// `t = 0` gives the intrinsic value exactly. Use [`try_price`] for data-driven input.
///
/// ```
/// use parapet_core::OptionKind;
/// use parapet_pricing::bachelier;
/// // At the money V = σ√T/√(2π).
/// let v = bachelier::price(OptionKind::Call, 0.02, 0.02, 1.0, 0.01);
/// assert!((v - 0.01 / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-18);
/// ```
#[inline]
pub fn price(kind: OptionKind, forward: f64, strike: f64, t: f64, vol: f64) -> f64 {
    let intrinsic = kind.intrinsic(forward, strike);
    let s = vol * t.sqrt();
    if s == 0.0 {
        return intrinsic;
    }
    intrinsic + s * psi((forward - strike).abs() / s)
}

/// Undiscounted Bachelier vega `∂V/∂σ = √T·φ(d)`, `d = (F − K)/(σ√T)`.
///
/// ```
/// use parapet_pricing::bachelier;
/// assert!((bachelier::vega(0.02, 0.02, 4.0, 0.01) - 2.0 / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-15);
/// ```
#[inline]
pub fn vega(forward: f64, strike: f64, t: f64, vol: f64) -> f64 {
    let s = vol * t.sqrt();
    if s == 0.0 {
        return if forward == strike {
            t.sqrt() * norm_pdf(0.0)
        } else {
            0.0
        };
    }
    t.sqrt() * norm_pdf((forward - strike) / s)
}

/// [`price`] with validated inputs.
///
/// # Errors
/// A non-finite forward or strike, or a negative or non-finite expiry or volatility.
pub fn try_price(
    kind: OptionKind,
    forward: f64,
    strike: f64,
    t: f64,
    vol: f64,
) -> Result<f64, PricingError> {
    finite("forward", forward)?;
    finite("strike", strike)?;
    non_negative("expiry", t)?;
    non_negative("vol", vol)?;
    Ok(price(kind, forward, strike, t, vol))
}

/// An option on a forward under the Bachelier model, optionally discounted.
///
/// ```
/// use parapet_core::OptionKind;
/// use parapet_pricing::bachelier::Bachelier;
/// let cap = Bachelier::new(OptionKind::Call, 0.031, 0.035, 2.0)?.with_discount(0.94)?;
/// let g = cap.greeks(0.008)?;
/// assert!(g.delta > 0.0 && g.vega > 0.0);
/// let vol = cap.implied_vol(g.price)?;
/// assert!((vol - 0.008).abs() < 1e-16);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bachelier {
    kind: OptionKind,
    forward: f64,
    strike: f64,
    expiry: f64,
    discount: f64,
}

impl Bachelier {
    /// An undiscounted option: `kind`, `forward`, `strike` (any sign) and `expiry` in years.
    ///
    /// # Errors
    /// A non-finite forward or strike, or a negative or non-finite expiry.
    pub fn new(
        kind: OptionKind,
        forward: f64,
        strike: f64,
        expiry: f64,
    ) -> Result<Self, PricingError> {
        Ok(Self {
            kind,
            forward: finite("forward", forward)?,
            strike: finite("strike", strike)?,
            expiry: non_negative("expiry", expiry)?,
            discount: 1.0,
        })
    }

    /// Sets the discount factor to expiry (default 1).
    ///
    /// # Errors
    /// A discount factor that is not positive and finite.
    pub fn with_discount(mut self, discount: f64) -> Result<Self, PricingError> {
        self.discount = positive("discount", discount)?;
        Ok(self)
    }

    /// Discounted price at normal volatility `vol`.
    ///
    /// # Errors
    /// A negative or non-finite volatility.
    pub fn price(&self, vol: f64) -> Result<f64, PricingError> {
        non_negative("vol", vol)?;
        Ok(self.discount * price(self.kind, self.forward, self.strike, self.expiry, vol))
    }

    /// Discounted price and sensitivities: `Δ = D·θ·Φ(θd)`, `Γ = D·φ(d)/s`,
    /// `vega = D·√T·φ(d)`, `Θ = r·V − D·φ(d)·σ/(2√T)` with `r = −ln(D)/T`, dual delta
    /// `−D·θ·Φ(θd)`, dual gamma `D·φ(d)/s`.
    ///
    /// # Errors
    /// A volatility or expiry that is not positive, a non-finite volatility, or
    /// [`PricingError::Overflow`] if gamma leaves the double range.
    pub fn greeks(&self, vol: f64) -> Result<ForwardGreeks, PricingError> {
        positive("vol", vol)?;
        positive("expiry", self.expiry)?;
        let t = self.expiry;
        let d = self.discount;
        let theta = self.kind.sign();
        let s = vol * t.sqrt();
        let z = (self.forward - self.strike) / s;
        let density = norm_pdf(z);
        let undiscounted = price(self.kind, self.forward, self.strike, t, vol);
        let rate = -d.ln() / t;
        let itm = norm_cdf(theta * z);
        let g = ForwardGreeks {
            price: d * undiscounted,
            delta: d * theta * itm,
            gamma: d * density / s,
            vega: d * t.sqrt() * density,
            theta: rate * d * undiscounted - d * density * vol / (2.0 * t.sqrt()),
            strike_delta: -d * theta * itm,
            strike_gamma: d * density / s,
            itm_probability: itm,
        };
        crate::black::check_finite(&g)?;
        Ok(g)
    }

    /// The normal volatility that reproduces the discounted `price`, by
    /// [`implied::normal_vol`](crate::implied::normal_vol) on the undiscounted price.
    ///
    /// # Errors
    /// As [`implied::normal_vol`](crate::implied::normal_vol).
    pub fn implied_vol(&self, price: f64) -> Result<f64, PricingError> {
        crate::implied::normal_vol(
            self.kind,
            self.forward,
            self.strike,
            self.expiry,
            price / self.discount,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psi_is_relative_accurate_in_the_tail() {
        // ψ(u) = φ(u) − u·Φ(−u) from 40-digit mpmath.
        for &(u, want) in &[
            (3.0, 3.821_543_170_477_236e-4),
            (5.0, 5.346_165_533_832_815e-8),
            (20.0, 1.370_012_494_729_58e-90),
            (30.0, 1.631_956_734_091_401_2e-199),
        ] {
            assert!((psi(u) / want - 1.0).abs() < 1e-14, "u={u}: {}", psi(u));
        }
        assert!((psi(0.0) - norm_pdf(0.0)).abs() < 1e-17);
    }

    #[test]
    fn validation() {
        let c = OptionKind::Call;
        assert!(try_price(c, f64::NAN, 0.0, 1.0, 0.01).is_err());
        assert!(matches!(
            try_price(c, 0.01, 0.0, 1.0, -0.01),
            Err(PricingError::Negative { name: "vol", .. })
        ));
        assert_eq!(price(c, 0.03, 0.01, 1.0, 0.0), 0.03 - 0.01);
        assert!(Bachelier::new(c, 0.01, -0.01, -1.0).is_err());
        let b = Bachelier::new(c, 0.01, -0.01, 1.0).unwrap();
        assert!(b.with_discount(f64::INFINITY).is_err());
        assert!(b.greeks(0.0).is_err());
    }
}
