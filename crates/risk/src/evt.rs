//! Extreme value theory: peaks over threshold with a generalised Pareto tail.
//!
//! Losses above a high threshold `u` are modelled as `u + Y`, `Y ~ GPD(ξ, β)` with location 0:
//! `P(Y > y) = (1 + ξy/β)^{−1/ξ}` (`e^{−y/β}` at ξ = 0). Pickands (1975), "Statistical inference
//! using extreme order statistics"; Balkema & de Haan (1974). Tail VaR and ES follow McNeil &
//! Frey (2000), "Estimation of tail-related risk measures for heteroscedastic financial time
//! series: an extreme value approach", *Journal of Empirical Finance* 7.

use parapet_core::Confidence;

use crate::error::{Result, RiskError};
use crate::quantile::{QuantileRule, sample_quantile};
use crate::stats::{self, SimplexSettings};

/// A generalised Pareto tail fitted above a threshold.
///
/// ```
/// use parapet_risk::{Confidence, PeaksOverThreshold};
/// # let returns: Vec<f64> = (1..=2000).map(|i| -0.01 * ((2001.0 / i as f64).ln())).collect();
/// let pot = PeaksOverThreshold::fit(&returns, 0.95)?;
/// let t = pot.var_es(Confidence::new(0.99)?)?;
/// assert!(t.var > pot.threshold() && t.es > t.var);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PeaksOverThreshold {
    threshold: f64,
    n: usize,
    exceedances: usize,
    xi: f64,
    beta: f64,
    log_likelihood: f64,
}

/// The GPD negative log-likelihood of exceedances `y` (all > 0):
/// `k·ln β + (1 + 1/ξ)·Σ ln(1 + ξ y/β)`, `k·ln β + Σ y/β` at ξ = 0.
fn gpd_nll(y: &[f64], xi: f64, beta: f64) -> f64 {
    if beta.is_nan() || beta <= 0.0 || !xi.is_finite() {
        return f64::INFINITY;
    }
    let k = y.len() as f64;
    if xi.abs() < 1e-12 {
        return k * beta.ln() + stats::sum(y.iter().map(|v| v / beta));
    }
    let mut terms = Vec::with_capacity(y.len());
    for v in y {
        let z = xi * v / beta;
        if z <= -1.0 {
            return f64::INFINITY;
        }
        terms.push(z.ln_1p());
    }
    k * beta.ln() + (1.0 + 1.0 / xi) * stats::sum(terms)
}

impl PeaksOverThreshold {
    /// A tail from known parameters: threshold `u`, `n` observations of which `exceedances`
    /// lie above `u`, shape ξ and scale β > 0. Its [`log_likelihood`](Self::log_likelihood)
    /// is 0 (no data attached).
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] for non-finite values, `β ≤ 0`, or
    /// `exceedances ∉ [1, n]`.
    pub fn new(threshold: f64, n: usize, exceedances: usize, xi: f64, beta: f64) -> Result<Self> {
        if exceedances == 0 || exceedances > n {
            return Err(RiskError::InvalidParameter {
                name: "exceedances",
                value: exceedances as f64,
                reason: "must lie in [1, n]",
            });
        }
        Ok(Self {
            threshold: stats::check_finite("threshold", threshold)?,
            n,
            exceedances,
            xi: stats::check_finite("xi", xi)?,
            beta: stats::check_positive("beta", beta)?,
            log_likelihood: 0.0,
        })
    }

    /// Fits the tail of the losses `L = −r` above their `level` sample quantile (numpy's
    /// linear rule, H&F type 7), e.g. `level = 0.95`.
    ///
    /// # Errors
    /// As [`PeaksOverThreshold::fit_above`]; [`RiskError::InvalidParameter`] for `level`
    /// outside (0, 1).
    pub fn fit(returns: &[f64], level: f64) -> Result<Self> {
        if level.is_nan() || level <= 0.0 || level >= 1.0 {
            return Err(RiskError::InvalidParameter {
                name: "threshold level",
                value: level,
                reason: "must lie in (0, 1)",
            });
        }
        stats::check_series("returns", returns)?;
        let losses: Vec<f64> = returns.iter().map(|r| -r).collect();
        let u = sample_quantile(&losses, level, QuantileRule::Linear);
        Self::fit_above(returns, u)
    }

    /// Fits the GPD by maximum likelihood (location 0) to the exceedances `y = L − u` of the
    /// losses strictly above `u`: Nelder-Mead on (ξ, ln β) started from the method of moments
    /// (Hosking & Wallis 1987, "Parameter and quantile estimation for the generalized Pareto
    /// distribution") and restarted at its optimum.
    ///
    /// # Errors
    /// [`RiskError::TooShort`] with fewer than 10 exceedances, [`RiskError::Constant`] when
    /// they are all equal, [`RiskError::NotConverged`] if the simplex does not contract, plus
    /// data errors.
    pub fn fit_above(returns: &[f64], threshold: f64) -> Result<Self> {
        Self::fit_with(returns, threshold, SimplexSettings::default())
    }

    /// [`PeaksOverThreshold::fit_above`] with explicit solver knobs.
    ///
    /// # Errors
    /// As [`PeaksOverThreshold::fit_above`], plus [`SimplexSettings::validate`].
    pub fn fit_with(returns: &[f64], threshold: f64, settings: SimplexSettings) -> Result<Self> {
        settings.validate()?;
        stats::check_series("returns", returns)?;
        let u = stats::check_finite("threshold", threshold)?;
        let y: Vec<f64> = returns
            .iter()
            .map(|r| -r - u)
            .filter(|y| *y > 0.0)
            .collect();
        if y.len() < 10 {
            return Err(RiskError::TooShort {
                name: "exceedances",
                needed: 10,
                got: y.len(),
            });
        }
        let m = stats::mean(&y);
        let var = stats::sum(y.iter().map(|v| (v - m).powi(2))) / (y.len() - 1) as f64;
        if var.is_nan() || var <= 0.0 {
            return Err(RiskError::Constant {
                name: "exceedances",
                value: y[0],
            });
        }
        let ratio = m * m / var;
        let xi0 = (0.5 * (1.0 - ratio)).clamp(-0.4, 0.8);
        let beta0 = (0.5 * m * (ratio + 1.0)).max(1e-3 * m);
        let nll = |p: &[f64]| gpd_nll(&y, p[0], p[1].exp() * m);
        let mut x = vec![xi0, (beta0 / m).ln()];
        let mut best = f64::INFINITY;
        let mut iterations = 0;
        for _ in 0..settings.restarts {
            let r = stats::nelder_mead(
                nll,
                &x,
                &[0.05, 0.05],
                settings.xatol,
                settings.fatol,
                settings.max_iterations,
            );
            iterations += r.iterations;
            if !r.converged {
                return Err(RiskError::NotConverged {
                    what: "GPD maximum likelihood",
                    iterations,
                    last_change: r.spread,
                });
            }
            x = r.x;
            let improved = best - r.f;
            best = r.f;
            if improved.abs() <= 1e-12 * (1.0 + best.abs()) {
                break;
            }
        }
        Ok(Self {
            threshold: u,
            n: returns.len(),
            exceedances: y.len(),
            xi: x[0],
            beta: x[1].exp() * m,
            log_likelihood: -best,
        })
    }

    /// The threshold `u` (a loss).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Number of losses strictly above `u`.
    pub fn exceedances(&self) -> usize {
        self.exceedances
    }

    /// Total number of observations.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Shape ξ (> 0: heavy, Fréchet-type tail).
    pub fn xi(&self) -> f64 {
        self.xi
    }

    /// Scale β.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Maximised GPD log-likelihood of the exceedances.
    pub fn log_likelihood(&self) -> f64 {
        self.log_likelihood
    }

    /// Tail VaR and ES at confidence `c` (McNeil & Frey 2000, eqs. 10 and 11):
    ///
    /// `VaR = u + β/ξ·(((n/N_u)(1 − α))^{−ξ} − 1)`, `ES = VaR/(1 − ξ) + (β − ξu)/(1 − ξ)`,
    /// with the ξ → 0 limits `VaR = u − β ln((n/N_u)(1 − α))`, `ES = VaR + β`.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] when α is not beyond the threshold (`1 − α ≥ N_u/n`),
    /// [`RiskError::InfiniteMoment`] for the ES when ξ ≥ 1.
    pub fn var_es(&self, c: Confidence) -> Result<crate::TailRisk> {
        let ratio = self.n as f64 / self.exceedances as f64 * c.tail();
        if ratio >= 1.0 {
            return Err(RiskError::InvalidParameter {
                name: "confidence level",
                value: c.level(),
                reason: "must lie beyond the threshold's empirical level 1 − N_u/n",
            });
        }
        let (xi, beta, u) = (self.xi, self.beta, self.threshold);
        let l = ratio.ln();
        // (ratio^{−ξ} − 1)/ξ = expm1(−ξ ln ratio)/ξ → −ln ratio as ξ → 0.
        let growth = if xi.abs() < 1e-12 {
            -l
        } else {
            (-xi * l).exp_m1() / xi
        };
        let var = u + beta * growth;
        if xi >= 1.0 {
            return Err(RiskError::InfiniteMoment {
                what: "GPD expected shortfall",
                shape: xi,
            });
        }
        let es = var / (1.0 - xi) + (beta - xi * u) / (1.0 - xi);
        Ok(crate::TailRisk { var, es })
    }
}

/// A point of the empirical mean-excess function.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MeanExcess {
    /// Threshold `u` (a loss).
    pub threshold: f64,
    /// `e(u) = mean(L − u | L > u)`.
    pub mean_excess: f64,
    /// Number of losses above `u`.
    pub count: usize,
}

/// The empirical mean-excess function of the losses `−r` at each threshold with at least one
/// exceedance: linear in `u` with slope `ξ/(1 − ξ)` above a threshold where the GPD fits
/// (Davison & Smith 1990, "Models for exceedances over high thresholds"), the standard
/// threshold diagnostic.
///
/// # Errors
/// Data errors for `returns`; [`RiskError::InvalidParameter`] for a non-finite threshold.
pub fn mean_excess(returns: &[f64], thresholds: &[f64]) -> Result<Vec<MeanExcess>> {
    stats::check_series("returns", returns)?;
    let mut out = Vec::with_capacity(thresholds.len());
    for &u in thresholds {
        stats::check_finite("threshold", u)?;
        let ex: Vec<f64> = returns
            .iter()
            .map(|r| -r - u)
            .filter(|y| *y > 0.0)
            .collect();
        if !ex.is_empty() {
            out.push(MeanExcess {
                threshold: u,
                mean_excess: stats::mean(&ex),
                count: ex.len(),
            });
        }
    }
    Ok(out)
}

impl crate::historical::TailModel for PeaksOverThreshold {
    fn tail_risk(&self, c: Confidence) -> Result<crate::TailRisk> {
        self.var_es(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_exponential_tail() {
        // Exact exponential quantiles: ξ ≈ 0, β ≈ 1 above any threshold.
        let n = 4000;
        let r: Vec<f64> = (1..=n)
            .map(|i| (1.0 - (i as f64 - 0.5) / n as f64).ln())
            .collect();
        let pot = PeaksOverThreshold::fit(&r, 0.9).unwrap();
        assert!(pot.xi().abs() < 0.02, "{}", pot.xi());
        assert!((pot.beta() - 1.0).abs() < 0.03, "{}", pot.beta());
        let c = Confidence::new(0.999).unwrap();
        let t = pot.var_es(c).unwrap();
        assert!((t.var - 1000f64.ln()).abs() < 0.05);
        assert!(pot.var_es(Confidence::new(0.5).unwrap()).is_err());
        assert!(PeaksOverThreshold::fit(&r, 1.0).is_err());
        assert!(PeaksOverThreshold::new(0.01, 100, 0, 0.1, 0.01).is_err());
        assert!(PeaksOverThreshold::new(0.01, 100, 5, 0.1, 0.0).is_err());
        let heavy = PeaksOverThreshold::new(0.01, 100, 5, 1.2, 0.01).unwrap();
        assert!(matches!(
            heavy.var_es(c),
            Err(RiskError::InfiniteMoment { .. })
        ));
        assert!(matches!(
            PeaksOverThreshold::fit(&r[..50], 0.95),
            Err(RiskError::TooShort { .. })
        ));
    }
}
