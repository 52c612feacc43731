//! Greeks and implied volatility of American options, for any [`AmericanPricer`].

use parapet_core::{Greeks, Market, Vanilla};

use super::AmericanPricer;
use crate::error::{PricingError, positive};

/// Relative spot bump of the delta/gamma differences.
const SPOT_BUMP: f64 = 1e-3;
/// Absolute bump of volatility, rate and yield.
const PARAM_BUMP: f64 = 1e-4;
/// Relative expiry bump of theta.
const TIME_BUMP: f64 = 1e-4;
/// Volatility search interval of [`implied_vol`].
const VOL_MIN: f64 = 1e-4;
const VOL_MAX: f64 = 5.0;

/// Price and first-order Greeks of an American option by central differences of `pricer`.
///
/// No closed form exists, so each Greek is a symmetric difference quotient: delta and gamma
/// with a relative spot step of 10⁻³ on prices sharing one exercise boundary (for engines
/// that support it, the boundary does not depend on the spot), vega, rho and dividend rho with
/// steps of 10⁻⁴, theta (`∂V/∂t` per year, `= −∂V/∂T`) with a relative expiry step of 10⁻⁴.
/// Truncation errors are `O(h²)`. With the fixed-point engine, delta and gamma agree with
/// fourth-order differences of wider steps to 1e-5 (tested), and delta, gamma and theta with
/// QuantLib's 2000×2000 finite-difference grid to its own accuracy (2e-3). Units follow
/// [`Greeks`].
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::american::{self, QdFpEngine, QdFpScheme};
/// let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
/// let market = Market::new(100.0, 0.05, 0.0)?;
/// let put = Vanilla::american(OptionKind::Put, 100.0, 1.0)?;
/// let g = american::greeks(&engine, &put, &market, 0.2)?;
/// assert!(g.delta < 0.0 && g.gamma > 0.0 && g.vega > 0.0 && g.theta < 0.0);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// Whatever `pricer` returns for the bumped inputs (for instance a volatility too small to be
/// bumped down, or a regime the engine does not support).
pub fn greeks<P: AmericanPricer + ?Sized>(
    pricer: &P,
    option: &Vanilla,
    market: &Market,
    vol: f64,
) -> Result<Greeks, PricingError> {
    positive("vol", vol)?;
    let s = market.spot();
    let h = SPOT_BUMP * s;
    let v = pricer.price_spots(option, market, vol, &[s - h, s, s + h])?;
    let price = v[1];
    let delta = (v[2] - v[0]) / (2.0 * h);
    let gamma = (v[2] - 2.0 * v[1] + v[0]) / (h * h);

    let dv = PARAM_BUMP.min(0.5 * vol);
    let vega = (pricer.price(option, market, vol + dv)?
        - pricer.price(option, market, vol - dv)?)
        / (2.0 * dv);

    let (r, q) = (market.rate(), market.div_yield());
    let with = |r: f64, q: f64| Market::new(s, r, q).map_err(PricingError::from);
    let rho = (pricer.price(option, &with(r + PARAM_BUMP, q)?, vol)?
        - pricer.price(option, &with(r - PARAM_BUMP, q)?, vol)?)
        / (2.0 * PARAM_BUMP);
    let dividend_rho = (pricer.price(option, &with(r, q + PARAM_BUMP)?, vol)?
        - pricer.price(option, &with(r, q - PARAM_BUMP)?, vol)?)
        / (2.0 * PARAM_BUMP);

    let t = option.expiry();
    let dt = TIME_BUMP * t;
    let at = |t: f64| Vanilla::new(option.kind(), option.exercise(), option.strike(), t);
    let theta = -(pricer.price(&at(t + dt)?, market, vol)?
        - pricer.price(&at(t - dt)?, market, vol)?)
        / (2.0 * dt);
    Ok(Greeks {
        price,
        delta,
        gamma,
        vega,
        theta,
        rho,
        dividend_rho,
    })
}

/// The volatility at which `pricer` reproduces `price`, by Brent's method on
/// `[10⁻⁴, 5]` to 1e-12 absolute in volatility.
///
/// Brent's method (R.P. Brent 1973, *Algorithms for Minimization without Derivatives*,
/// ch. 4) needs no vega, which has no closed form for American options; the price is
/// monotone in volatility, so the root is unique.
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::american::{self, QdFpEngine, QdFpScheme};
/// let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
/// let market = Market::new(100.0, 0.05, 0.02)?;
/// let put = Vanilla::american(OptionKind::Put, 95.0, 0.5)?;
/// let p = engine.price(&put, &market, 0.3)?;
/// let vol = american::implied_vol(&engine, &put, &market, p)?;
/// assert!((vol - 0.3).abs() < 1e-10);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// [`PricingError::BelowIntrinsic`] for a price at or below the exercise value (or below the
/// price at the smallest volatility), [`PricingError::AboveUpperBound`] above the price at
/// volatility 5, [`PricingError::NoConvergence`] if Brent's method fails, and whatever
/// `pricer` returns.
pub fn implied_vol<P: AmericanPricer + ?Sized>(
    pricer: &P,
    option: &Vanilla,
    market: &Market,
    price: f64,
) -> Result<f64, PricingError> {
    crate::error::finite("price", price)?;
    let intrinsic = option.payoff(market.spot());
    let lo = pricer.price(option, market, VOL_MIN)?;
    if price <= intrinsic || price < lo {
        return Err(PricingError::BelowIntrinsic {
            price,
            intrinsic: intrinsic.max(lo),
        });
    }
    let hi = pricer.price(option, market, VOL_MAX)?;
    if price > hi {
        return Err(PricingError::AboveUpperBound { price, bound: hi });
    }
    let f = |v: f64| pricer.price(option, market, v).map(|p| p - price);
    brent(f, VOL_MIN, VOL_MAX, lo - price, hi - price, 1e-12)
}

/// Brent's root finder on a bracketing interval `[a, b]` with `fa·fb ≤ 0`.
pub(crate) fn brent(
    mut f: impl FnMut(f64) -> Result<f64, PricingError>,
    mut a: f64,
    mut b: f64,
    mut fa: f64,
    mut fb: f64,
    tol: f64,
) -> Result<f64, PricingError> {
    const MAX_ITER: usize = 200;
    if fa == 0.0 {
        return Ok(a);
    }
    if fb == 0.0 {
        return Ok(b);
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..MAX_ITER {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return Ok(b);
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b)?;
    }
    Err(PricingError::NoConvergence {
        iterations: MAX_ITER,
        last: b,
    })
}
