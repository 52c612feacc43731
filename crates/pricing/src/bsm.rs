//! Generalised Black-Scholes-Merton in spot form, with analytic Greeks to third order.
//!
//! With spot `S`, rate `r`, dividend (or foreign-rate) yield `q`, cost of carry `b = r − q`,
//! forward `F = S·e^{bT}` and discount factor `D = e^{−rT}`, a European option is worth
//! `V = D·Black(F, K, T, σ)` (see [`black`](crate::black) for how the Black price is kept
//! accurate). The log-moneyness is formed as `ln(S/K) + bT` and the intrinsic value as
//! `K·(e^x − 1)`, never from a rounded forward, which near the money would cost digits. The same formula covers equities with a dividend yield (Merton 1973), futures
//! (Black 1976, `q = r`) and currencies (Garman and Kohlhagen 1983, `q` = foreign rate).
//!
//! First-order Greeks (`θ = ±1`, `σ√T = s`, `d₁ = ln(F/K)/s + s/2`, `d₂ = d₁ − s`):
//!
//! ```text
//! Δ = e^{−qT}·θ·Φ(θd₁)          Γ = e^{−qT}·φ(d₁)/(S·s)       vega = S·e^{−qT}·φ(d₁)·√T
//! Θ = r·V − b·S·Δ − vega·σ/(2T)  ρ = θ·K·T·D·Φ(θd₂)            ρ_q = −T·S·Δ
//! ```
//!
//! `Θ` is `∂V/∂t` in calendar time per year (the Black-Scholes PDE rearranged, so it needs no
//! further cumulative normals). Every `Φ(θd)` is evaluated directly, never as `1 − Φ(−θd)`,
//! so deep out-of-the-money puts keep their relative precision, and every density is taken
//! from the normalised vega `S·e^{−qT}·φ(d₁) = K·D·φ(d₂) = D·√(FK)·e^{−(h²+t²)/2}/√(2π)`.
//! Higher-order Greeks follow Haug (2007), ch. 2, written in terms of vega and gamma; the
//! time derivatives (charm, veta, color) are per year of calendar time like theta.
//!
//! References:
//! * R. C. Merton (1973), "Theory of rational option pricing", *Bell Journal of Economics
//!   and Management Science* 4(1), 141–183.
//! * M. B. Garman, S. W. Kohlhagen (1983), "Foreign currency option values", *Journal of
//!   International Money and Finance* 2(3), 231–237.
//! * E. G. Haug (2007), *The Complete Guide to Option Pricing Formulas*, 2nd ed., McGraw-Hill.

use parapet_core::special::norm_cdf;
use parapet_core::{Exercise, Greeks, Market, Vanilla};

use crate::error::{PricingError, all_finite, non_negative, positive};
use crate::normalised;

/// Second- and third-order sensitivities, and the strike (dual) Greeks.
///
/// Units follow [`Greeks`]: per unit spot, per 1.00 of volatility, per year of calendar time
/// (`∂/∂t = −∂/∂T`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HigherOrderGreeks {
    /// `∂²V/∂S∂σ = −e^{−qT}·φ(d₁)·d₂/σ`.
    pub vanna: f64,
    /// `∂²V/∂σ² = vega·d₁·d₂/σ` (vomma).
    pub volga: f64,
    /// `∂Δ/∂t = θ·q·e^{−qT}·Φ(θd₁) − e^{−qT}·φ(d₁)·(2bT − d₂·s)/(2T·s)`.
    pub charm: f64,
    /// `∂vega/∂t = vega·(q − 1/(2T) + d₁·(2bT − d₂·s)/(2T·s))`.
    pub veta: f64,
    /// `∂Γ/∂S = −Γ·(1 + d₁/s)/S`.
    pub speed: f64,
    /// `∂Γ/∂σ = Γ·(d₁d₂ − 1)/σ`.
    pub zomma: f64,
    /// `∂Γ/∂t = Γ·(q + 1/(2T) + d₁·(2bT − d₂·s)/(2T·s))`.
    pub color: f64,
    /// `∂³V/∂σ³ = −vega·(d₁d₂(1 − d₁d₂) + d₁² + d₂²)/σ²`.
    pub ultima: f64,
    /// Dual delta `∂V/∂K = −θ·D·Φ(θd₂)`.
    pub dual_delta: f64,
    /// Dual gamma `∂²V/∂K² = D·φ(d₂)/(K·s)`.
    pub dual_gamma: f64,
}

/// The quantities every Greek is built from.
#[derive(Debug, Clone, Copy)]
struct Setup {
    sign: f64,
    spot: f64,
    strike: f64,
    t: f64,
    rate: f64,
    div_yield: f64,
    vol: f64,
    discount: f64,
    /// σ√T.
    s: f64,
    d1: f64,
    d2: f64,
    /// Discounted price.
    price: f64,
    /// `S·e^{−qT}·φ(d₁)·√T`.
    vega: f64,
}

fn european(option: &Vanilla) -> Result<(), PricingError> {
    match option.exercise() {
        Exercise::European => Ok(()),
        other => Err(PricingError::UnsupportedExercise { exercise: other }),
    }
}

/// `ln(F/K) = ln(S/K) + (r − q)·T`, without rounding `F` first.
fn log_forward_moneyness(option: &Vanilla, market: &Market) -> f64 {
    normalised::log_moneyness(market.spot(), option.strike()) + market.carry() * option.expiry()
}

fn setup(option: &Vanilla, market: &Market, vol: f64) -> Result<Setup, PricingError> {
    european(option)?;
    positive("vol", vol)?;
    let t = option.expiry();
    let strike = option.strike();
    let discount = market.discount(t);
    let s = vol * t.sqrt();
    let x = log_forward_moneyness(option, market);
    let d1 = x / s + 0.5 * s;
    let sign = option.kind().sign();
    let price = discount * normalised::undiscounted_price(sign, x, strike, s);
    // √(FK) = K·e^{x/2}.
    let vega = discount * strike * (0.5 * x).exp() * t.sqrt() * normalised::vega(x, s);
    Ok(Setup {
        sign,
        spot: market.spot(),
        strike,
        t,
        rate: market.rate(),
        div_yield: market.div_yield(),
        vol,
        discount,
        s,
        d1,
        d2: d1 - s,
        price,
        vega,
    })
}

/// Discounted price of a European option under generalised Black-Scholes-Merton.
///
/// `vol = 0` gives the discounted intrinsic value of the forward, `max(θ(F − K), 0)·D`.
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::bsm;
/// // Haug (2007), p. 3: call, S = 60, K = 65, T = 0.25, r = 8%, σ = 30%: 2.1334.
/// let market = Market::new(60.0, 0.08, 0.0)?;
/// let call = Vanilla::european(OptionKind::Call, 65.0, 0.25)?;
/// assert!((bsm::price(&call, &market, 0.3)? - 2.1334).abs() < 5e-5);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// [`PricingError::UnsupportedExercise`] for an American contract; a negative or non-finite
/// volatility.
pub fn price(option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
    european(option)?;
    non_negative("vol", vol)?;
    let t = option.expiry();
    let x = log_forward_moneyness(option, market);
    let s = vol * t.sqrt();
    Ok(market.discount(t)
        * normalised::undiscounted_price(option.kind().sign(), x, option.strike(), s))
}

/// Price and first-order Greeks (delta, gamma, vega, theta, rho, dividend rho).
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::bsm;
/// let market = Market::new(100.0, 0.05, 0.0)?;
/// let put = Vanilla::european(OptionKind::Put, 100.0, 1.0)?;
/// let g = bsm::greeks(&put, &market, 0.2)?;
/// assert!((g.price - 5.573526022256968).abs() < 1e-13);
/// assert!((g.delta + 0.3631693488243809).abs() < 1e-15);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// [`PricingError::UnsupportedExercise`] for an American contract; a volatility that is not
/// positive and finite; [`PricingError::Overflow`] if a Greek leaves the double range (gamma
/// at `σ√T` near 1e-300).
pub fn greeks(option: &Vanilla, market: &Market, vol: f64) -> Result<Greeks, PricingError> {
    let u = setup(option, market, vol)?;
    let dq = market.div_discount(u.t);
    let delta = dq * u.sign * norm_cdf(u.sign * u.d1);
    let carry = u.rate - u.div_yield;
    let g = Greeks {
        price: u.price,
        delta,
        gamma: u.vega / (u.spot * u.spot * u.vol * u.t),
        vega: u.vega,
        theta: u.rate * u.price - carry * u.spot * delta - u.vega * u.vol / (2.0 * u.t),
        rho: u.sign * u.strike * u.t * u.discount * norm_cdf(u.sign * u.d2),
        dividend_rho: -u.t * u.spot * delta,
    };
    all_finite(&[
        ("price", g.price),
        ("delta", g.delta),
        ("gamma", g.gamma),
        ("vega", g.vega),
        ("theta", g.theta),
        ("rho", g.rho),
        ("dividend_rho", g.dividend_rho),
    ])?;
    Ok(g)
}

/// Second- and third-order Greeks and the dual (strike) Greeks.
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::bsm;
/// let market = Market::new(100.0, 0.05, 0.0)?;
/// let call = Vanilla::european(OptionKind::Call, 100.0, 1.0)?;
/// let h = bsm::higher_order(&call, &market, 0.2)?;
/// assert!(h.volga > 0.0 && h.dual_gamma > 0.0 && h.dual_delta < 0.0);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// As [`greeks`]; [`PricingError::Overflow`] also when a third-order Greek leaves the double
/// range (around `σ√T < 1e-150` at the money).
pub fn higher_order(
    option: &Vanilla,
    market: &Market,
    vol: f64,
) -> Result<HigherOrderGreeks, PricingError> {
    let u = setup(option, market, vol)?;
    higher_from(&u, market.div_discount(u.t))
}

/// Higher-order Greeks of an option on a forward (Black-76): the spot formulas with the
/// forward as the underlying, `q = r` (so `e^{−qT} = D`) and no carry. `rate = −ln(D)/T`.
pub(crate) fn forward_higher_order(
    kind: parapet_core::OptionKind,
    forward: f64,
    strike: f64,
    t: f64,
    vol: f64,
    discount: f64,
) -> Result<HigherOrderGreeks, PricingError> {
    positive("vol", vol)?;
    positive("expiry", t)?;
    let s = vol * t.sqrt();
    let x = normalised::log_moneyness(forward, strike);
    let d1 = x / s + 0.5 * s;
    let rate = if discount == 1.0 {
        0.0
    } else {
        -discount.ln() / t
    };
    let vega = discount * forward.sqrt() * strike.sqrt() * t.sqrt() * normalised::vega(x, s);
    let sign = kind.sign();
    let u = Setup {
        sign,
        spot: forward,
        strike,
        t,
        rate,
        div_yield: rate,
        vol,
        discount,
        s,
        d1,
        d2: d1 - s,
        price: discount * normalised::undiscounted_price(sign, x, strike, s),
        vega,
    };
    higher_from(&u, discount)
}

/// The higher-order Greeks from the common quantities; `dq = e^{−qT}`.
fn higher_from(u: &Setup, dq: f64) -> Result<HigherOrderGreeks, PricingError> {
    let carry = u.rate - u.div_yield;
    let gamma = u.vega / (u.spot * u.spot * u.vol * u.t);
    // ∂d₁/∂T = (2bT − d₂·s)/(2T·s).
    let dd1_dt = (2.0 * carry * u.t - u.d2 * u.s) / (2.0 * u.t * u.s);
    let d1d2 = u.d1 * u.d2;
    let density = u.vega / (u.spot * u.t.sqrt()); // e^{−qT}·φ(d₁)
    let h = HigherOrderGreeks {
        vanna: -density * u.d2 / u.vol,
        volga: u.vega * d1d2 / u.vol,
        charm: u.sign * u.div_yield * dq * norm_cdf(u.sign * u.d1) - density * dd1_dt,
        veta: u.vega * (u.div_yield - 0.5 / u.t + u.d1 * dd1_dt),
        speed: -gamma * (1.0 + u.d1 / u.s) / u.spot,
        zomma: gamma * (d1d2 - 1.0) / u.vol,
        color: gamma * (u.div_yield + 0.5 / u.t + u.d1 * dd1_dt),
        ultima: -u.vega * (d1d2 * (1.0 - d1d2) + u.d1 * u.d1 + u.d2 * u.d2) / (u.vol * u.vol),
        dual_delta: -u.sign * u.discount * norm_cdf(u.sign * u.d2),
        dual_gamma: u.vega / (u.strike * u.strike * u.vol * u.t),
    };
    all_finite(&[
        ("vanna", h.vanna),
        ("volga", h.volga),
        ("charm", h.charm),
        ("veta", h.veta),
        ("speed", h.speed),
        ("zomma", h.zomma),
        ("color", h.color),
        ("ultima", h.ultima),
        ("dual_delta", h.dual_delta),
        ("dual_gamma", h.dual_gamma),
    ])?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parapet_core::OptionKind;

    #[test]
    fn american_and_bad_vol_are_rejected() {
        let m = Market::new(100.0, 0.01, 0.0).unwrap();
        let am = Vanilla::american(OptionKind::Put, 100.0, 1.0).unwrap();
        assert!(matches!(
            price(&am, &m, 0.2),
            Err(PricingError::UnsupportedExercise {
                exercise: Exercise::American
            })
        ));
        let eu = Vanilla::european(OptionKind::Put, 100.0, 1.0).unwrap();
        assert!(matches!(
            greeks(&eu, &m, 0.0),
            Err(PricingError::NotPositive { name: "vol", .. })
        ));
        assert!(matches!(
            price(&eu, &m, -0.1),
            Err(PricingError::Negative { name: "vol", .. })
        ));
        let zero_vol = price(&eu, &m, 0.0).unwrap();
        let intrinsic = (100.0 - m.forward(1.0)).max(0.0) * m.discount(1.0);
        assert_eq!(zero_vol, intrinsic);
    }
}
