//! Closed-form approximations of American prices: Barone-Adesi-Whaley (1987) and
//! Bjerksund-Stensland (1993, 2002).

use parapet_core::special::{erfcx, norm_cdf, norm_pdf};
use parapet_core::{Market, OptionKind, Vanilla};

use super::AmericanPricer;
use super::bivariate::bivariate_cdf;
use super::engine::{Regime, european, regime};
use crate::error::PricingError;

/// The Barone-Adesi-Whaley (1987) quadratic approximation.
///
/// The early-exercise premium is approximated by `A·(S/S*)^{q₂}` (call) or `A·(S/S**)^{q₁}`
/// (put), the solutions of the Black-Scholes equation with the time derivative scaled by
/// `1 − e^{−rT}`; the critical price solves the smooth-pasting condition, here by Newton's
/// method to 1e-12 relative (Haug's seed). For a call `q₂ = (−(N − 1) + √((N − 1)² + 4M/K))/2`
/// with `N = 2b/σ²`, `M = 2r/σ²`, `K = 1 − e^{−rT}`, `b = r − q`.
///
/// Reference: G. Barone-Adesi, R.E. Whaley (1987), "Efficient analytic approximation of
/// American option values", *Journal of Finance* 42(2), 301–320; E.G. Haug (2007), *The
/// Complete Guide to Option Pricing Formulas*, 2nd ed., McGraw-Hill, §3.3.
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::american::BaroneAdesiWhaley;
/// // Haug (1998), p. 24: call, S = 100, K = 100, T = 0.1, r = q = 10%, σ = 15%; Haug prints
/// // 1.8771, the formula (QuantLib 1.44) gives 1.8769207.
/// let market = Market::new(100.0, 0.1, 0.1)?;
/// let call = Vanilla::american(OptionKind::Call, 100.0, 0.1)?;
/// assert!((BaroneAdesiWhaley.price(&call, &market, 0.15)? - 1.8769207).abs() < 1e-6);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BaroneAdesiWhaley;

/// The Bjerksund-Stensland approximations: the value of exercising the first time the spot
/// reaches a flat (1993) or two-step flat (2002) trigger. Both value feasible exercise
/// policies, so both are lower bounds on the American price; the 2002 version is usually the
/// tighter one.
///
/// Calls are priced directly and puts by the transformation
/// `P(S, K, T, r, b, σ) = C(K, S, T, r − b, −b, σ)`.
///
/// References: P. Bjerksund, G. Stensland (1993), "Closed-form approximation of American
/// options", *Scandinavian Journal of Management* 9, S87–S99; P. Bjerksund, G. Stensland
/// (2002), "Closed form valuation of American options", Working paper, NHH.
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::american::BjerksundStensland;
/// // Haug (1998): put, S = 36, K = 40, T = 1, r = 6%, σ = 20%: 4.4531 (1993 version).
/// let market = Market::new(36.0, 0.06, 0.0)?;
/// let put = Vanilla::american(OptionKind::Put, 40.0, 1.0)?;
/// let v93 = BjerksundStensland::Flat1993.price(&put, &market, 0.2)?;
/// let v02 = BjerksundStensland::TwoStep2002.price(&put, &market, 0.2)?;
/// assert!((v93 - 4.4531).abs() < 5e-5);
/// assert!(v02 > v93 && v02 < 4.4867);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BjerksundStensland {
    /// One flat exercise trigger (1993).
    Flat1993,
    /// Two flat triggers, switching at `t₁ = (√5 − 1)/2·T` (2002).
    #[default]
    TwoStep2002,
}

/// Inputs in the generalised (cost-of-carry) form.
#[derive(Debug, Clone, Copy)]
struct Carry {
    s: f64,
    k: f64,
    t: f64,
    r: f64,
    b: f64,
    vol: f64,
}

impl Carry {
    fn new(option: &Vanilla, market: &Market, vol: f64) -> Self {
        Self {
            s: market.spot(),
            k: option.strike(),
            t: option.expiry(),
            r: market.rate(),
            b: market.carry(),
            vol,
        }
    }

    /// Generalised Black-Scholes price and `d₁`.
    fn european(&self, kind: OptionKind, s: f64) -> (f64, f64) {
        let v = self.vol * self.t.sqrt();
        let d1 = ((s / self.k).ln() + (self.b + 0.5 * self.vol * self.vol) * self.t) / v;
        let d2 = d1 - v;
        let fwd = s * ((self.b - self.r) * self.t).exp();
        let disc_k = self.k * (-self.r * self.t).exp();
        let price = match kind {
            OptionKind::Call => fwd * norm_cdf(d1) - disc_k * norm_cdf(d2),
            OptionKind::Put => disc_k * norm_cdf(-d2) - fwd * norm_cdf(-d1),
        };
        (price, d1)
    }
}

/// `M/K = 2r/(σ²(1 − e^{−rT}))`, with its limit `2/(σ²T)` at `r = 0`.
fn m_over_k(r: f64, t: f64, s2: f64) -> f64 {
    let k = -(-r * t).exp_m1();
    if k == 0.0 {
        2.0 / (s2 * t)
    } else {
        2.0 * r / (s2 * k)
    }
}

fn baw(kind: OptionKind, c: &Carry) -> f64 {
    let (s, k, t, r, b, vol) = (c.s, c.k, c.t, c.r, c.b, c.vol);
    let s2 = vol * vol;
    let n = 2.0 * b / s2;
    let mk = m_over_k(r, t, s2);
    let m = 2.0 * r / s2;
    let sq_t = vol * t.sqrt();
    let carry_df = ((b - r) * t).exp();
    match kind {
        OptionKind::Call => {
            let q2 = 0.5 * (-(n - 1.0) + ((n - 1.0).powi(2) + 4.0 * mk).sqrt());
            let q2u = 0.5 * (-(n - 1.0) + ((n - 1.0).powi(2) + 4.0 * m).sqrt());
            let su = if q2u > 1.0 {
                k / (1.0 - 1.0 / q2u)
            } else {
                1e3 * k
            };
            let h2 = -(b * t + 2.0 * sq_t) * k / (su - k);
            let mut si = k + (su - k) * (1.0 - h2.exp());
            if !(si.is_finite() && si > k) {
                si = 2.0 * k;
            }
            for _ in 0..200 {
                let (ce, d1) = c.european(OptionKind::Call, si);
                let rhs = ce + (1.0 - carry_df * norm_cdf(d1)) * si / q2;
                let lhs = si - k;
                if (lhs - rhs).abs() <= 1e-12 * k {
                    break;
                }
                let bi = carry_df * norm_cdf(d1) * (1.0 - 1.0 / q2)
                    + (1.0 - carry_df * norm_pdf(d1) / sq_t) / q2;
                // Newton can overshoot when r/σ² is large: keep the iterate in (K, ∞).
                let next = (k + rhs - bi * si) / (1.0 - bi);
                si = if next.is_finite() && next > k {
                    next
                } else {
                    0.5 * (si + k)
                };
            }
            if s >= si {
                return s - k;
            }
            let (_, d1) = c.european(OptionKind::Call, si);
            let a2 = si / q2 * (1.0 - carry_df * norm_cdf(d1));
            c.european(OptionKind::Call, s).0 + a2 * (s / si).powf(q2)
        }
        OptionKind::Put => {
            let q1 = 0.5 * (-(n - 1.0) - ((n - 1.0).powi(2) + 4.0 * mk).sqrt());
            let q1u = 0.5 * (-(n - 1.0) - ((n - 1.0).powi(2) + 4.0 * m).sqrt());
            let su = k / (1.0 - 1.0 / q1u);
            let h1 = (b * t - 2.0 * sq_t) * k / (k - su);
            let mut si = su + (k - su) * h1.exp();
            if !(si.is_finite() && si > 0.0 && si < k) {
                si = 0.5 * k;
            }
            for _ in 0..200 {
                let (pe, d1) = c.european(OptionKind::Put, si);
                let rhs = pe - (1.0 - carry_df * norm_cdf(-d1)) * si / q1;
                let lhs = k - si;
                if (lhs - rhs).abs() <= 1e-12 * k {
                    break;
                }
                let bi = -carry_df * norm_cdf(-d1) * (1.0 - 1.0 / q1)
                    - (1.0 + carry_df * norm_pdf(-d1) / sq_t) / q1;
                // Keep the put's iterate in (0, K).
                let next = (k - rhs + bi * si) / (1.0 + bi);
                si = if !next.is_finite() || next >= k {
                    0.5 * (si + k)
                } else if next <= 0.0 {
                    0.5 * si
                } else {
                    next
                };
            }
            if s <= si {
                return k - s;
            }
            let (_, d1) = c.european(OptionKind::Put, si);
            let a1 = -si / q1 * (1.0 - carry_df * norm_cdf(-d1));
            c.european(OptionKind::Put, s).0 + a1 * (s / si).powf(q1)
        }
    }
}

impl BaroneAdesiWhaley {
    /// The approximate American price.
    ///
    /// # Errors
    /// [`PricingError::UnsupportedExercise`] for a European contract, a volatility that is not
    /// positive and finite, [`PricingError::DoubleBoundary`] where the approximation's single
    /// boundary does not exist (`q < r < 0` for a put), [`PricingError::NoConvergence`] where
    /// the closed form overflows (volatilities of a fraction of a percent with large rates).
    pub fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
        crate::error::positive("vol", vol)?;
        match regime(option, market, vol)? {
            Regime::European => european(option, market, vol),
            Regime::Single(_) => checked(
                baw(option.kind(), &Carry::new(option, market, vol)),
                option,
                market,
            ),
        }
    }
}

impl AmericanPricer for BaroneAdesiWhaley {
    fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
        BaroneAdesiWhaley::price(self, option, market, vol)
    }
}

/// A finite approximation floored at the exercise value, or an error where the formula
/// overflows (tiny volatilities push the exponents `q₁`, `β` beyond the double range).
fn checked(v: f64, option: &Vanilla, market: &Market) -> Result<f64, PricingError> {
    if v.is_finite() {
        Ok(v.max(option.payoff(market.spot())))
    } else {
        Err(PricingError::NoConvergence {
            iterations: 0,
            last: v,
        })
    }
}

/// `ln Φ(x)`, accurate in the far lower tail where `Φ` underflows:
/// `Φ(x) = ½e^{−x²/2}·erfcx(−x/√2)` for `x < 0`.
fn ln_norm_cdf(x: f64) -> f64 {
    if x < -5.0 {
        (0.5 * erfcx(-x * std::f64::consts::FRAC_1_SQRT_2)).ln() - 0.5 * x * x
    } else {
        norm_cdf(x).ln()
    }
}

/// `e^{ln p + κ ln ratio + ln q}`: the products of a huge power (`κ ~ 2b/σ²`) and a tiny
/// probability, formed in logarithms so that neither overflows nor underflows alone.
#[inline]
fn term(ln_p: f64, kappa: f64, ratio: f64, ln_q: f64) -> f64 {
    if ln_q == f64::NEG_INFINITY {
        0.0
    } else {
        (ln_p + kappa * ratio.ln() + ln_q).exp()
    }
}

/// `φ(S, T, γ, H, I)/base^γ` of Bjerksund and Stensland, `φ = e^λ S^γ [Φ(d) − (I/S)^κ Φ(d₂)]`.
/// The `base^γ` scaling absorbs the `I^{−β}` of the coefficients `α = (I − K)I^{−β}`, whose
/// powers overflow separately at small volatility.
fn phi(c: &Carry, t: f64, gamma: f64, h: f64, i: f64, base: f64) -> f64 {
    let (s, r, b, vol) = (c.s, c.r, c.b, c.vol);
    let s2 = vol * vol;
    let v = vol * t.sqrt();
    let lambda = (-r + gamma * b + 0.5 * gamma * (gamma - 1.0) * s2) * t;
    let drift = (b + (gamma - 0.5) * s2) * t;
    let d = -((s / h).ln() + drift) / v;
    let kappa = 2.0 * b / s2 + 2.0 * gamma - 1.0;
    let d2 = -((i * i / (s * h)).ln() + drift) / v;
    let ln_p = lambda + gamma * (s / base).ln();
    term(ln_p, 0.0, 1.0, ln_norm_cdf(d)) - term(ln_p, kappa, i / s, ln_norm_cdf(d2))
}

/// `ψ(S, T, γ, H, I₂, I₁, t₁)/base^γ` of Bjerksund and Stensland (2002).
#[allow(clippy::too_many_arguments)] // the paper's function, argument for argument, plus the scale
fn psi(c: &Carry, big_t: f64, gamma: f64, h: f64, i2: f64, i1: f64, t1: f64, base: f64) -> f64 {
    let (s, r, b, vol) = (c.s, c.r, c.b, c.vol);
    let s2 = vol * vol;
    let drift = b + (gamma - 0.5) * s2;
    let v1 = vol * t1.sqrt();
    let v = vol * big_t.sqrt();
    let e1 = -((s / i1).ln() + drift * t1) / v1;
    let e2 = -((i2 * i2 / (s * i1)).ln() + drift * t1) / v1;
    let e3 = -((s / i1).ln() - drift * t1) / v1;
    let e4 = -((i2 * i2 / (s * i1)).ln() - drift * t1) / v1;
    let f1 = -((s / h).ln() + drift * big_t) / v;
    let f2 = -((i2 * i2 / (s * h)).ln() + drift * big_t) / v;
    let f3 = -((i1 * i1 / (s * h)).ln() + drift * big_t) / v;
    let f4 = -((s * i1 * i1 / (h * i2 * i2)).ln() + drift * big_t) / v;
    let rho = (t1 / big_t).sqrt();
    let lambda = -r + gamma * b + 0.5 * gamma * (gamma - 1.0) * s2;
    let kappa = 2.0 * b / s2 + 2.0 * gamma - 1.0;
    let ln_p = lambda * big_t + gamma * (s / base).ln();
    let m = |a: f64, b: f64, r: f64| bivariate_cdf(a, b, r).ln();
    term(ln_p, 0.0, 1.0, m(e1, f1, rho))
        - term(ln_p, kappa, i2 / s, m(e2, f2, rho))
        - term(ln_p, kappa, i1 / s, m(e3, f3, -rho))
        + term(ln_p, kappa, i1 / i2, m(e4, f4, -rho))
}

/// The Bjerksund-Stensland call in cost-of-carry form, `b < r`; `None` where `β ≤ 1`, i.e.
/// the trigger `B∞ = βK/(β − 1)` is at infinity and the policy never exercises (puts with
/// `r = 0`, after the put-call transformation).
fn bs_call(c: &Carry, two_step: bool) -> Option<f64> {
    let (s, k, t, r, b, vol) = (c.s, c.k, c.t, c.r, c.b, c.vol);
    let s2 = vol * vol;
    let beta = (0.5 - b / s2) + ((b / s2 - 0.5).powi(2) + 2.0 * r / s2).sqrt();
    if beta.is_nan() || beta <= 1.0 + 1e-12 {
        return None;
    }
    let b_inf = beta / (beta - 1.0) * k;
    let b0 = if r - b > 0.0 {
        k.max(r / (r - b) * k)
    } else {
        k
    };
    // The 1993 exponent scales with B₀/(B∞ − B₀), the 2002 one with K²/((B∞ − B₀)B₀); they
    // agree when B₀ = K (q ≤ 0 for a call).
    let scale = if two_step {
        k * k / ((b_inf - b0) * b0)
    } else {
        b0 / (b_inf - b0)
    };
    let trigger = |tau: f64| {
        let h = -(b * tau + 2.0 * vol * tau.sqrt()) * scale;
        b0 + (b_inf - b0) * (1.0 - h.exp())
    };
    let i2 = trigger(t);
    if s >= i2 {
        return Some(s - k);
    }
    // α₂S^β = (I₂ − K)(S/I₂)^β and α₂φ(β) = (I₂ − K)·φ(β)/I₂^β.
    let a2 = i2 - k;
    let lead = a2 * (beta * (s / i2).ln()).exp();
    if !two_step {
        return Some(
            lead - a2 * phi(c, t, beta, i2, i2, i2) + phi(c, t, 1.0, i2, i2, 1.0)
                - phi(c, t, 1.0, k, i2, 1.0)
                - k * phi(c, t, 0.0, i2, i2, 1.0)
                + k * phi(c, t, 0.0, k, i2, 1.0),
        );
    }
    let t1 = 0.5 * (5f64.sqrt() - 1.0) * t;
    let i1 = trigger(t - t1);
    let a1 = i1 - k;
    Some(
        lead - a2 * phi(c, t1, beta, i2, i2, i2) + phi(c, t1, 1.0, i2, i2, 1.0)
            - phi(c, t1, 1.0, i1, i2, 1.0)
            - k * phi(c, t1, 0.0, i2, i2, 1.0)
            + k * phi(c, t1, 0.0, i1, i2, 1.0)
            + a1 * phi(c, t1, beta, i1, i2, i1)
            - a1 * psi(c, t, beta, i1, i2, i1, t1, i1)
            + psi(c, t, 1.0, i1, i2, i1, t1, 1.0)
            - psi(c, t, 1.0, k, i2, i1, t1, 1.0)
            - k * psi(c, t, 0.0, i1, i2, i1, t1, 1.0)
            + k * psi(c, t, 0.0, k, i2, i1, t1, 1.0),
    )
}

impl BjerksundStensland {
    /// The approximate American price.
    ///
    /// # Errors
    /// As [`BaroneAdesiWhaley::price`].
    pub fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
        crate::error::positive("vol", vol)?;
        match regime(option, market, vol)? {
            Regime::European => european(option, market, vol),
            Regime::Single(_) => {
                let c = Carry::new(option, market, vol);
                let call = match option.kind() {
                    OptionKind::Call => c,
                    OptionKind::Put => Carry {
                        s: c.k,
                        k: c.s,
                        r: c.r - c.b,
                        b: -c.b,
                        ..c
                    },
                };
                // The approximation never undercuts the European value it improves on.
                let e = european(option, market, vol)?;
                match bs_call(&call, *self == BjerksundStensland::TwoStep2002) {
                    Some(v) => checked(v, option, market).map(|v| v.max(e)),
                    None => Ok(e.max(option.payoff(market.spot()))),
                }
            }
        }
    }
}

impl AmericanPricer for BjerksundStensland {
    fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
        BjerksundStensland::price(self, option, market, vol)
    }
}
