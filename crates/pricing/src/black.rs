//! Black-76: options on a forward, priced in normalised form without cancellation.
//!
//! The undiscounted price of a call (θ = +1) or put (θ = −1) with forward `F`, strike `K`,
//! expiry `T` and lognormal volatility `σ` is
//!
//! ```text
//! V = θ·[F·Φ(θ·d₁) − K·Φ(θ·d₂)],   d₁,₂ = ln(F/K)/(σ√T) ± σ√T/2.
//! ```
//!
//! It is evaluated as `V = max(θ(F − K), 0) + √(FK)·b(−|x|, σ√T)` with `x = ln(F/K)`: the
//! intrinsic value plus the normalised price `b` of the out-of-the-money option (put-call
//! parity), which is computed region by region so that far out of the money, deep in the money
//! (no `Φ(d) − 1` cancellation), as `T → 0`, `σ → 0` or `σ → ∞` every digit that the inputs
//! determine is kept. For `x ≤ 0`,
//! `b = e^{−(h²+t²)/2}·[Y(h+t) − Y(h−t)]/√(2π)` with `h = x/s`, `t = s/2` and the Mills ratio
//! `Y = Φ/φ`; the bracket is evaluated by an asymptotic series (`h + t ≤ −10`), a Taylor
//! series in `t` (`t < 0.21`), a difference of `erfcx` (`h + t ≤ 0.85`) or the plain formula
//! (Jäckel 2015, "Let's be rational"; the design is written out in `docs/pricing.md`).
//!
//! Reference: F. Black (1976), "The pricing of commodity contracts", *Journal of Financial
//! Economics* 3, 167–179.

use parapet_core::OptionKind;

use crate::error::{PricingError, all_finite, finite, non_negative, positive};
use crate::lane::{self, V};
use crate::normalised::{self, FRAC_1_SQRT_2PI};

/// Undiscounted Black-76 price; multiply by the discount factor for the discounted price.
///
/// `t` is the time to expiry in years and `vol` the lognormal volatility. Limits are exact:
/// `vol = 0` or `t = 0` gives the intrinsic value `max(θ(F − K), 0)` and `vol = ∞` the upper
/// bound (`F` for a call, `K` for a put).
///
/// This is the hot path and does not validate: it expects `forward` and `strike` positive and
/// finite and `t`, `vol` non-negative; other inputs give NaN. Use [`try_price`] for data-driven
/// input.
///
/// ```
/// use parapet_core::OptionKind;
/// use parapet_pricing::black;
/// let c = black::price(OptionKind::Call, 100.0, 110.0, 0.5, 0.25);
/// assert!((c - 3.441214706399246).abs() < 1e-13);
/// // Put-call parity: C − P = F − K.
/// let p = black::price(OptionKind::Put, 100.0, 110.0, 0.5, 0.25);
/// assert!((c - p + 10.0).abs() < 1e-12);
/// ```
#[inline]
pub fn price(kind: OptionKind, forward: f64, strike: f64, t: f64, vol: f64) -> f64 {
    let (value, ok) = price_lane(kind, forward, strike, t, vol);
    if ok {
        return value;
    }
    let s = vol * t.sqrt();
    if s == 0.0 {
        return kind.intrinsic(forward, strike);
    }
    price_at(
        kind,
        forward,
        strike,
        s,
        normalised::log_moneyness(forward, strike),
    )
}

/// [`price`] by the branch-free evaluation of [`lane`](crate::lane), and whether the row is in
/// its domain (then the value is the price; otherwise it is meaningless). Chain loops run this
/// over every row, so that it vectorises, and call [`price`] for the rows outside.
#[inline(always)]
pub(crate) fn price_lane(
    kind: OptionKind,
    forward: f64,
    strike: f64,
    t: f64,
    vol: f64,
) -> (f64, bool) {
    let (value, ok) = lane::black_price(lane::Row::one(kind, forward, strike, t, vol));
    (value.0[0], ok.get(0))
}

/// The price for `s = σ√T > 0` and a precomputed `x = ln(F/K)`.
#[inline]
fn price_at(kind: OptionKind, forward: f64, strike: f64, s: f64, x: f64) -> f64 {
    let intrinsic = kind.intrinsic(forward, strike);
    let root = forward.sqrt() * strike.sqrt();
    let root_ratio = (forward.min(strike) / forward.max(strike)).sqrt();
    let value = intrinsic + normalised::scaled_otm_call(-x.abs(), s, root, root_ratio);
    // The no-arbitrage bound, against rounding in the product when σ√T is huge.
    let bound = match kind {
        OptionKind::Call => forward,
        OptionKind::Put => strike,
    };
    value.min(bound)
}

/// Undiscounted Black-76 vega `∂V/∂σ = √(FK)·√T·e^{−(h² + t²)/2}/√(2π)` (per 1.00 of
/// volatility, the same for calls and puts), with `h = ln(F/K)/(σ√T)`, `t = σ√T/2`.
///
/// As [`price`], this does not validate its inputs; the `vol → 0` limit is exact (zero away
/// from the money, `F·√T/√(2π)` at the money).
///
/// ```
/// use parapet_pricing::black;
/// let v = black::vega(100.0, 100.0, 1.0, 0.2);
/// assert!((v - 39.69525474770118).abs() < 1e-12);
/// ```
#[inline]
pub fn vega(forward: f64, strike: f64, t: f64, vol: f64) -> f64 {
    let s = vol * t.sqrt();
    let root = forward.sqrt() * strike.sqrt();
    if s == 0.0 {
        return if forward == strike {
            root * t.sqrt() * FRAC_1_SQRT_2PI
        } else {
            0.0
        };
    }
    root * t.sqrt() * normalised::vega(normalised::log_moneyness(forward, strike), s)
}

/// Validates the inputs of a Black-76 call: positive finite forward and strike, non-negative
/// finite expiry and volatility.
pub(crate) fn validate(forward: f64, strike: f64, t: f64, vol: f64) -> Result<(), PricingError> {
    positive("forward", forward)?;
    positive("strike", strike)?;
    non_negative("expiry", t)?;
    non_negative("vol", vol)?;
    Ok(())
}

/// [`price`] with validated inputs.
///
/// # Errors
/// [`PricingError::NotFinite`], [`PricingError::NotPositive`] (forward, strike) or
/// [`PricingError::Negative`] (expiry, volatility), carrying the offending value.
pub fn try_price(
    kind: OptionKind,
    forward: f64,
    strike: f64,
    t: f64,
    vol: f64,
) -> Result<f64, PricingError> {
    validate(forward, strike, t, vol)?;
    Ok(price(kind, forward, strike, t, vol))
}

/// An option on a forward under Black-76, optionally discounted and displaced (shifted
/// lognormal: the forward plus `displacement` is lognormal).
///
/// ```
/// use parapet_core::OptionKind;
/// use parapet_pricing::black::Black76;
/// let put = Black76::new(OptionKind::Put, 100.0, 95.0, 0.5)?.with_discount(0.99)?;
/// let g = put.greeks(0.2)?;
/// assert!(g.delta < 0.0 && g.gamma > 0.0 && g.vega > 0.0);
/// assert!((g.price - put.price(0.2)?).abs() < 1e-15);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Black76 {
    kind: OptionKind,
    forward: f64,
    strike: f64,
    expiry: f64,
    discount: f64,
    displacement: f64,
}

/// Price and sensitivities of an option on a forward (Black-76 or Bachelier), discounted.
///
/// Delta and gamma are with respect to the forward; vega is per 1.00 of the model's volatility;
/// theta is `∂V/∂t` per year of calendar time with the forward held fixed and the discount
/// factor rolling at its implied continuously compounded rate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ForwardGreeks {
    /// Discounted option value.
    pub price: f64,
    /// `∂V/∂F`.
    pub delta: f64,
    /// `∂²V/∂F²`.
    pub gamma: f64,
    /// `∂V/∂σ` per 1.00 of volatility.
    pub vega: f64,
    /// `∂V/∂t` per year of calendar time.
    pub theta: f64,
    /// Dual delta `∂V/∂K`.
    pub strike_delta: f64,
    /// Dual gamma `∂²V/∂K²`.
    pub strike_gamma: f64,
    /// Undiscounted probability of exercise under the forward measure, `Φ(θ·d₂)`.
    pub itm_probability: f64,
}

/// [`PricingError::Overflow`] if a sensitivity left the double range (gamma as `σ√T → 0`).
pub(crate) fn check_finite(g: &ForwardGreeks) -> Result<(), PricingError> {
    all_finite(&[
        ("price", g.price),
        ("delta", g.delta),
        ("gamma", g.gamma),
        ("vega", g.vega),
        ("theta", g.theta),
        ("strike_delta", g.strike_delta),
        ("strike_gamma", g.strike_gamma),
        ("itm_probability", g.itm_probability),
    ])
}

impl ForwardGreeks {
    /// Theta per calendar day, `theta / days_per_year` (365 is the usual choice).
    #[inline]
    pub fn theta_per_day(&self, days_per_year: f64) -> f64 {
        self.theta / days_per_year
    }

    /// Vega per volatility point (0.01 of volatility; for the normal model, per 0.01 of
    /// absolute volatility).
    #[inline]
    pub fn vega_per_point(&self) -> f64 {
        self.vega * 0.01
    }
}

impl Black76 {
    /// An undiscounted, undisplaced option: `kind`, `forward`, `strike`, `expiry` in years.
    ///
    /// # Errors
    /// A forward or strike that is not positive and finite, or a negative or non-finite expiry.
    pub fn new(
        kind: OptionKind,
        forward: f64,
        strike: f64,
        expiry: f64,
    ) -> Result<Self, PricingError> {
        validate(forward, strike, expiry, 0.0)?;
        Ok(Self {
            kind,
            forward,
            strike,
            expiry,
            discount: 1.0,
            displacement: 0.0,
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

    /// Sets the displacement `d` of a shifted-lognormal model (default 0): the option is
    /// priced as Black-76 on `(F + d, K + d)`, which admits negative forwards and strikes.
    ///
    /// # Errors
    /// A non-finite displacement, or one that leaves `F + d` or `K + d` non-positive.
    pub fn with_displacement(mut self, displacement: f64) -> Result<Self, PricingError> {
        finite("displacement", displacement)?;
        self.displacement = displacement;
        positive("displaced forward", self.forward + displacement)?;
        positive("displaced strike", self.strike + displacement)?;
        Ok(self)
    }

    /// A displaced option whose forward or strike may be non-positive (rates): as [`Black76::new`]
    /// followed by [`Black76::with_displacement`], validating only the displaced values.
    ///
    /// # Errors
    /// Non-finite inputs, a negative expiry, or `F + d`, `K + d` not positive.
    pub fn displaced(
        kind: OptionKind,
        forward: f64,
        strike: f64,
        expiry: f64,
        displacement: f64,
    ) -> Result<Self, PricingError> {
        finite("forward", forward)?;
        finite("strike", strike)?;
        finite("displacement", displacement)?;
        validate(forward + displacement, strike + displacement, expiry, 0.0)?;
        Ok(Self {
            kind,
            forward,
            strike,
            expiry,
            discount: 1.0,
            displacement,
        })
    }

    /// Call or put.
    pub fn kind(&self) -> OptionKind {
        self.kind
    }

    /// The forward `F` (before displacement).
    pub fn forward(&self) -> f64 {
        self.forward
    }

    /// The strike `K` (before displacement).
    pub fn strike(&self) -> f64 {
        self.strike
    }

    /// Time to expiry in years.
    pub fn expiry(&self) -> f64 {
        self.expiry
    }

    /// The discount factor to expiry.
    pub fn discount(&self) -> f64 {
        self.discount
    }

    /// The displacement.
    pub fn displacement(&self) -> f64 {
        self.displacement
    }

    fn shifted(&self) -> (f64, f64) {
        (
            self.forward + self.displacement,
            self.strike + self.displacement,
        )
    }

    /// Discounted price at volatility `vol`.
    ///
    /// # Errors
    /// A negative or non-finite volatility.
    pub fn price(&self, vol: f64) -> Result<f64, PricingError> {
        non_negative("vol", vol)?;
        let (f, k) = self.shifted();
        Ok(self.discount * price(self.kind, f, k, self.expiry, vol))
    }

    /// Discounted price and sensitivities at volatility `vol`.
    ///
    /// `Δ = D·θ·Φ(θd₁)`, `Γ = D·φ(d₁)/(F·σ√T)`, `vega = D·F·φ(d₁)·√T`, dual delta
    /// `−D·θ·Φ(θd₂)`, dual gamma `D·φ(d₂)/(K·σ√T)`, and theta `r·V − vega·σ/(2T)` with
    /// `r = −ln(D)/T`. The cumulative normals of `θd` are evaluated directly (never as
    /// `1 − Φ`), and `F·φ(d₁) = K·φ(d₂) = √(FK)·e^{−(h²+t²)/2}/√(2π)` is used for all densities.
    ///
    /// # Errors
    /// A volatility or expiry that is not positive (the sensitivities are singular there), a
    /// non-finite volatility, or [`PricingError::Overflow`] if gamma leaves the double range
    /// (`σ√T` near 1e-300).
    pub fn greeks(&self, vol: f64) -> Result<ForwardGreeks, PricingError> {
        positive("vol", vol)?;
        positive("expiry", self.expiry)?;
        let (f, k) = self.shifted();
        let t = self.expiry;
        let d = self.discount;
        let rate = if d == 1.0 { 0.0 } else { -d.ln() / t };
        let row = lane::Row::one(self.kind, f, k, t, vol);
        // The branch-free evaluation chain loops run, where it applies.
        let (lanes, ok) = lane::black_greeks(row, V([d]), V([rate]));
        if ok.get(0) {
            let g = lanes.row(0);
            check_finite(&g)?;
            return Ok(g);
        }
        let s = vol * t.sqrt();
        let x = normalised::log_moneyness(f, k);
        let root = f.sqrt() * k.sqrt();
        // The out-of-the-money call with x_otm = −|x|; e^{x_otm/2} = √(min(F,K)/max(F,K)).
        let pieces = normalised::otm_parts(-x.abs(), s, root, (f.min(k) / f.max(k)).sqrt());
        let g = lane::assemble_greeks(&row, V([x]), V([root]), &pieces, V([d]), V([rate])).row(0);
        check_finite(&g)?;
        Ok(g)
    }

    /// Second- and third-order Greeks and the dual Greeks with respect to the forward: the
    /// formulas of [`bsm::higher_order`](crate::bsm::higher_order) with the forward as the
    /// underlying, no carry, and the dividend yield equal to the rate `r = −ln(D)/T` (so that
    /// `e^{−qT} = D`); time derivatives hold the forward fixed and roll the discount factor.
    ///
    /// ```
    /// use parapet_core::OptionKind;
    /// use parapet_pricing::black::Black76;
    /// let call = Black76::new(OptionKind::Call, 100.0, 110.0, 0.5)?.with_discount(0.98)?;
    /// let h = call.higher_order(0.25)?;
    /// assert!(h.volga > 0.0 && h.dual_gamma > 0.0);
    /// # Ok::<(), parapet_pricing::PricingError>(())
    /// ```
    ///
    /// # Errors
    /// A volatility or expiry that is not positive, a non-finite volatility, or
    /// [`PricingError::Overflow`] if a Greek leaves the double range.
    pub fn higher_order(&self, vol: f64) -> Result<crate::bsm::HigherOrderGreeks, PricingError> {
        let (f, k) = self.shifted();
        crate::bsm::forward_higher_order(self.kind, f, k, self.expiry, vol, self.discount)
    }

    /// The lognormal volatility that reproduces the discounted `price`, by
    /// [`implied::black_vol`](crate::implied::black_vol) on the undiscounted price.
    ///
    /// # Errors
    /// As [`implied::black_vol`](crate::implied::black_vol); the expiry must be positive.
    pub fn implied_vol(&self, price: f64) -> Result<f64, PricingError> {
        let (f, k) = self.shifted();
        crate::implied::black_vol(self.kind, f, k, self.expiry, price / self.discount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_exact() {
        let c = OptionKind::Call;
        let p = OptionKind::Put;
        assert_eq!(price(c, 110.0, 100.0, 1.0, 0.0), 10.0);
        assert_eq!(price(p, 110.0, 100.0, 0.0, 0.3), 0.0);
        assert_eq!(price(c, 110.0, 100.0, 1.0, f64::INFINITY), 110.0);
        assert_eq!(price(p, 110.0, 100.0, 1.0, f64::INFINITY), 100.0);
        assert_eq!(vega(110.0, 100.0, 1.0, 0.0), 0.0);
        assert!((vega(100.0, 100.0, 1.0, 0.0) - 100.0 * FRAC_1_SQRT_2PI).abs() < 1e-13);
    }

    #[test]
    fn greeks_units_and_consistency() {
        let opt = Black76::new(OptionKind::Call, 100.0, 105.0, 0.75)
            .unwrap()
            .with_discount(0.97)
            .unwrap();
        let g = opt.greeks(0.3).unwrap();
        assert_eq!(g.theta_per_day(365.0), g.theta / 365.0);
        assert_eq!(g.vega_per_point(), g.vega * 0.01);
        // Discounted parity of the dual delta: ∂C/∂K − ∂P/∂K = −D.
        let put = Black76::new(OptionKind::Put, 100.0, 105.0, 0.75)
            .unwrap()
            .with_discount(0.97)
            .unwrap()
            .greeks(0.3)
            .unwrap();
        assert!((g.strike_delta - put.strike_delta + 0.97).abs() < 1e-15);
        assert!((g.delta - put.delta - 0.97).abs() < 1e-15);
        assert_eq!(g.gamma, put.gamma);
    }

    #[test]
    fn validation_rejects_bad_inputs() {
        let c = OptionKind::Call;
        assert!(matches!(
            try_price(c, -1.0, 100.0, 1.0, 0.2),
            Err(PricingError::NotPositive {
                name: "forward",
                ..
            })
        ));
        assert!(matches!(
            try_price(c, 100.0, 100.0, 1.0, f64::NAN),
            Err(PricingError::NotFinite { name: "vol", .. })
        ));
        assert!(matches!(
            try_price(c, 100.0, 100.0, -1.0, 0.2),
            Err(PricingError::Negative { name: "expiry", .. })
        ));
        assert!(try_price(c, 100.0, 100.0, 1.0, 0.2).is_ok());
        let opt = Black76::new(c, 100.0, 100.0, 1.0).unwrap();
        assert!(matches!(
            opt.with_discount(0.0),
            Err(PricingError::NotPositive {
                name: "discount",
                ..
            })
        ));
        assert!(opt.with_displacement(-200.0).is_err());
        assert!(opt.greeks(0.0).is_err());
        assert!(Black76::displaced(c, -0.01, 0.01, 1.0, 0.03).is_ok());
        assert!(Black76::displaced(c, -0.01, 0.01, 1.0, 0.005).is_err());
    }
}
