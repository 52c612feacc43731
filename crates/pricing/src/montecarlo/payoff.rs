//! Path-dependent payoffs and the geometric-Asian closed form.

use parapet_core::OptionKind;

use crate::black;
use crate::error::{PricingError, positive};

/// Barrier direction and effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BarrierKind {
    /// Dies when the spot rises to the barrier.
    UpAndOut,
    /// Dies when the spot falls to the barrier.
    DownAndOut,
    /// Comes alive when the spot rises to the barrier.
    UpAndIn,
    /// Comes alive when the spot falls to the barrier.
    DownAndIn,
}

/// Payoffs priced by [`MonteCarlo`](super::MonteCarlo). Averages and extrema are taken over
/// the simulation dates `t_i = iT/n`, `i = 1..n` (lookbacks also include `t₀`); barriers are
/// monitored continuously.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Payoff {
    /// `max(θ(S_T − K), 0)`.
    European {
        /// Call or put.
        kind: OptionKind,
        /// Strike.
        strike: f64,
    },
    /// `max(θ(A − K), 0)` with `A` the arithmetic mean of the fixings.
    ArithmeticAsian {
        /// Call or put.
        kind: OptionKind,
        /// Strike.
        strike: f64,
    },
    /// `max(θ(G − K), 0)` with `G` the geometric mean of the fixings.
    GeometricAsian {
        /// Call or put.
        kind: OptionKind,
        /// Strike.
        strike: f64,
    },
    /// A European option that is knocked out (or in) at a continuously monitored barrier.
    ///
    /// Between simulation dates the crossing probability of the Brownian bridge,
    /// `exp(−2·ln(S_i/B)·ln(S_{i+1}/B)/(v_iΔt))`, is applied as a survival factor rather than
    /// sampled (Beaglehole, Dybvig & Zhou 1997, "Going to extremes: correcting simulation bias
    /// in exotic option valuation", *Financial Analysts Journal* 53(1), 62–68).
    Barrier {
        /// Call or put.
        kind: OptionKind,
        /// Strike.
        strike: f64,
        /// Barrier level.
        barrier: f64,
        /// Direction and effect.
        barrier_kind: BarrierKind,
    },
    /// Cash-or-nothing: `cash` if `θ(S_T − K) > 0`.
    Digital {
        /// Call or put.
        kind: OptionKind,
        /// Strike.
        strike: f64,
        /// Amount paid.
        cash: f64,
    },
    /// Floating-strike lookback: `S_T − min S` (call) or `max S − S_T` (put) over the dates.
    Lookback {
        /// Call or put.
        kind: OptionKind,
    },
}

impl Payoff {
    /// Checks strikes, barriers and cash amounts.
    ///
    /// # Errors
    /// A strike or barrier that is not positive and finite, or a non-finite cash amount.
    pub fn validate(&self) -> Result<(), PricingError> {
        match *self {
            Payoff::European { strike, .. }
            | Payoff::ArithmeticAsian { strike, .. }
            | Payoff::GeometricAsian { strike, .. } => positive("strike", strike).map(|_| ()),
            Payoff::Barrier {
                strike, barrier, ..
            } => {
                positive("strike", strike)?;
                positive("barrier", barrier).map(|_| ())
            }
            Payoff::Digital { strike, cash, .. } => {
                positive("strike", strike)?;
                crate::error::finite("cash", cash).map(|_| ())
            }
            Payoff::Lookback { .. } => Ok(()),
        }
    }

    /// Kind and strike of the European option used as control variate.
    pub(crate) fn control(&self, spot: f64) -> (OptionKind, f64) {
        match *self {
            Payoff::European { kind, strike }
            | Payoff::ArithmeticAsian { kind, strike }
            | Payoff::GeometricAsian { kind, strike }
            | Payoff::Barrier { kind, strike, .. }
            | Payoff::Digital { kind, strike, .. } => (kind, strike),
            Payoff::Lookback { kind } => (kind, spot),
        }
    }

    /// The undiscounted payoff on one path.
    pub(crate) fn value(&self, log_spot: &[f64], variance: &[f64], dt: f64) -> f64 {
        let last = log_spot[log_spot.len() - 1].exp();
        let fixings = &log_spot[1..];
        match *self {
            Payoff::European { kind, strike } => kind.intrinsic(last, strike),
            Payoff::ArithmeticAsian { kind, strike } => {
                let mean = fixings.iter().map(|x| x.exp()).sum::<f64>() / fixings.len() as f64;
                kind.intrinsic(mean, strike)
            }
            Payoff::GeometricAsian { kind, strike } => {
                let mean = (fixings.iter().sum::<f64>() / fixings.len() as f64).exp();
                kind.intrinsic(mean, strike)
            }
            Payoff::Digital { kind, strike, cash } => {
                if kind.sign() * (last - strike) > 0.0 {
                    cash
                } else {
                    0.0
                }
            }
            Payoff::Lookback { kind } => {
                let (lo, hi) = log_spot
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                        (a.min(x), b.max(x))
                    });
                match kind {
                    OptionKind::Call => last - lo.exp(),
                    OptionKind::Put => hi.exp() - last,
                }
            }
            Payoff::Barrier {
                kind,
                strike,
                barrier,
                barrier_kind,
            } => {
                let vanilla = kind.intrinsic(last, strike);
                if vanilla == 0.0 {
                    return 0.0;
                }
                let h = barrier.ln();
                let up = matches!(barrier_kind, BarrierKind::UpAndOut | BarrierKind::UpAndIn);
                let mut survival = 1.0;
                for (i, w) in log_spot.windows(2).enumerate() {
                    let (a, b) = if up {
                        (h - w[0], h - w[1])
                    } else {
                        (w[0] - h, w[1] - h)
                    };
                    if a <= 0.0 || b <= 0.0 {
                        survival = 0.0;
                        break;
                    }
                    let v = variance[i] * dt;
                    if v > 0.0 {
                        survival *= 1.0 - (-2.0 * a * b / v).exp();
                    }
                }
                match barrier_kind {
                    BarrierKind::UpAndOut | BarrierKind::DownAndOut => vanilla * survival,
                    BarrierKind::UpAndIn | BarrierKind::DownAndIn => vanilla * (1.0 - survival),
                }
            }
        }
    }
}

/// Inputs of [`geometric_asian`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeometricAsianInputs {
    /// Call or put.
    pub kind: OptionKind,
    /// Spot.
    pub spot: f64,
    /// Strike.
    pub strike: f64,
    /// Continuously compounded rate.
    pub rate: f64,
    /// Dividend yield.
    pub div_yield: f64,
    /// Volatility.
    pub vol: f64,
    /// Expiry in years.
    pub expiry: f64,
    /// Number of equally spaced fixings `t_i = iT/n`, `i = 1..n`.
    pub fixings: usize,
}

/// Closed-form price of the discretely monitored geometric-average option under
/// Black-Scholes: `ln G` is normal with mean `ln S + (r − q − σ²/2)·Δ(n + 1)/2` and variance
/// `σ²Δ(n + 1)(2n + 1)/(6n)`, `Δ = T/n`, so the price is Black-76 on `F_G = E[G]` (Kemna &
/// Vorst 1990, "A pricing method for options based on average asset values", *Journal of
/// Banking and Finance* 14, 113–129).
///
/// ```
/// use parapet_core::OptionKind;
/// use parapet_pricing::montecarlo::{geometric_asian, GeometricAsianInputs};
/// let p = geometric_asian(&GeometricAsianInputs {
///     kind: OptionKind::Call, spot: 100.0, strike: 100.0, rate: 0.05, div_yield: 0.0,
///     vol: 0.2, expiry: 1.0, fixings: 12,
/// })?;
/// assert!(p > 5.0 && p < 6.0);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// Non-positive spot, strike, volatility or expiry, or zero fixings.
pub fn geometric_asian(g: &GeometricAsianInputs) -> Result<f64, PricingError> {
    positive("spot", g.spot)?;
    positive("strike", g.strike)?;
    positive("vol", g.vol)?;
    positive("expiry", g.expiry)?;
    crate::error::finite("rate", g.rate)?;
    crate::error::finite("div_yield", g.div_yield)?;
    if g.fixings == 0 {
        return Err(PricingError::OutOfRange {
            name: "fixings",
            value: 0.0,
            min: 1.0,
            max: f64::INFINITY,
        });
    }
    let n = g.fixings as f64;
    let dt = g.expiry / n;
    let mean = g.spot.ln() + (g.rate - g.div_yield - 0.5 * g.vol * g.vol) * dt * (n + 1.0) / 2.0;
    let var = g.vol * g.vol * dt * (n + 1.0) * (2.0 * n + 1.0) / (6.0 * n);
    let forward = (mean + 0.5 * var).exp();
    Ok((-g.rate * g.expiry).exp() * black::price(g.kind, forward, g.strike, 1.0, var.sqrt()))
}
