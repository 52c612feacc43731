//! The Leisen-Reimer binomial tree.

use parapet_core::{Exercise, Market, Vanilla};

use super::AmericanPricer;
use crate::error::{PricingError, positive};

/// Largest number of tree steps accepted: the work grows as `steps²` (10⁵ steps is about
/// 5·10⁹ node updates, seconds of CPU).
pub const MAX_TREE_STEPS: usize = 100_000;

/// The Leisen-Reimer (1996) binomial tree for American (and European) vanilla options.
///
/// With `n` odd steps the up-probability is the Peizer-Pratt inversion `p = h(d₂)`,
/// `p' = h(d₁)`, `u = e^{bΔt}p'/p`, `d = (e^{bΔt} − pu)/(1 − p)`, where
/// `h(z) = ½ + sign(z)·√(¼ − ¼·exp(−(z/(n + ⅓ + 0.1/(n + 1)))²·(n + ⅙)))`; the tree is centred
/// on the strike so European prices converge at order `1/n²` without oscillation. With
/// early exercise the error is of order `1/n` (the boundary is crossed between nodes), so the
/// optional Richardson step combines `n` and `2n + 1` steps as
/// `(n₂·V(n₂) − n₁·V(n₁))/(n₂ − n₁)`.
///
/// It handles every rate regime, including the double exercise boundary of puts with
/// `q < r < 0`, which the fixed-point engine does not.
///
/// Reference: D. Leisen, M. Reimer (1996), "Binomial models for option valuation — examining
/// and improving convergence", *Applied Mathematical Finance* 3(4), 319–346.
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::american::LeisenReimer;
/// let tree = LeisenReimer::new(801)?.with_richardson(true);
/// let market = Market::new(100.0, 0.05, 0.05)?;
/// let put = Vanilla::american(OptionKind::Put, 100.0, 1.0)?;
/// assert!((tree.price(&put, &market, 0.25)? - 9.5694453).abs() < 1e-4);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LeisenReimer {
    steps: usize,
    richardson: bool,
}

impl LeisenReimer {
    /// A tree with `steps` time steps (rounded up to the next odd number).
    ///
    /// # Errors
    /// [`PricingError::OutOfRange`] for zero steps or more than [`MAX_TREE_STEPS`].
    pub fn new(steps: usize) -> Result<Self, PricingError> {
        if steps == 0 || steps > MAX_TREE_STEPS {
            return Err(PricingError::OutOfRange {
                name: "steps",
                value: steps as f64,
                min: 1.0,
                max: MAX_TREE_STEPS as f64,
            });
        }
        Ok(Self {
            steps: steps | 1,
            richardson: false,
        })
    }

    /// Turns Richardson extrapolation over `n` and `2n + 1` steps on or off (default off).
    pub fn with_richardson(mut self, on: bool) -> Self {
        self.richardson = on;
        self
    }

    /// The (odd) number of steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The price of the contract with its own exercise style.
    ///
    /// # Errors
    /// A volatility that is not positive and finite.
    pub fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
        positive("vol", vol)?;
        let n1 = self.steps;
        let v1 = rollback(option, market, vol, n1);
        if !self.richardson {
            return Ok(v1);
        }
        let n2 = 2 * n1 + 1;
        let v2 = rollback(option, market, vol, n2);
        let (a, b) = (n1 as f64, n2 as f64);
        Ok((b * v2 - a * v1) / (b - a))
    }
}

/// Peizer-Pratt method-2 inversion of the normal distribution.
fn peizer_pratt(z: f64, n: f64) -> f64 {
    let x = z / (n + 1.0 / 3.0 + 0.1 / (n + 1.0));
    let root = (0.25 - 0.25 * (-x * x * (n + 1.0 / 6.0)).exp()).sqrt();
    if z >= 0.0 { 0.5 + root } else { 0.5 - root }
}

fn rollback(option: &Vanilla, market: &Market, vol: f64, n: usize) -> f64 {
    let (s, k, t) = (market.spot(), option.strike(), option.expiry());
    let (r, b) = (market.rate(), market.carry());
    let nf = n as f64;
    let dt = t / nf;
    let v = vol * t.sqrt();
    let d1 = ((s / k).ln() + (b + 0.5 * vol * vol) * t) / v;
    let d2 = d1 - v;
    let p = peizer_pratt(d2, nf);
    let pp = peizer_pratt(d1, nf);
    let growth = (b * dt).exp();
    let u = growth * pp / p;
    let d = (growth - p * u) / (1.0 - p);
    let disc = (-r * dt).exp();
    let (pu, pd) = (disc * p, disc * (1.0 - p));
    let sign = option.kind().sign();
    let american = option.exercise() == Exercise::American;
    let ratio = u / d;
    // Node j at step i has spot S·u^j·d^(i−j); values are held in place and shrink by one
    // node per step.
    let mut spot = s * d.powi(n as i32);
    let mut values: Vec<f64> = (0..=n)
        .map(|_| {
            let v = (sign * (spot - k)).max(0.0);
            spot *= ratio;
            v
        })
        .collect();
    for i in (0..n).rev() {
        let mut spot = s * d.powi(i as i32);
        for j in 0..=i {
            let cont = pu * values[j + 1] + pd * values[j];
            values[j] = if american {
                cont.max(sign * (spot - k))
            } else {
                cont
            };
            spot *= ratio;
        }
    }
    values[0]
}

impl AmericanPricer for LeisenReimer {
    fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
        LeisenReimer::price(self, option, market, vol)
    }
}
