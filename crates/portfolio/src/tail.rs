//! Tail-risk optimisation on return scenarios as linear programmes: minimum CVaR
//! (Rockafellar & Uryasev 2000, "Optimization of conditional value-at-risk", J. Risk 2(3)),
//! minimum CDaR and minimum maximum drawdown (Chekhlov, Uryasev & Zabarankin 2005, "Drawdown
//! measure in portfolio optimization", Int. J. Theoretical and Applied Finance 8(1)).
//!
//! Scenarios are equally weighted rows `r_t` of a returns matrix; losses are `−r_tᵀw`.
//! Drawdowns use uncompounded cumulative returns `c_t = Σ_{s≤t} r_sᵀw` with the running peak
//! including the starting value 0: `d_t = max(0, max_{s≤t} c_s) − c_t` (the optimisation
//! convention of riskfolio-lib, skfolio and PyPortfolioOpt).

use ndarray::{Array1, Array2, ArrayView2};

use crate::cvar_ipm::min_cvar;
use crate::error::{PortfolioError, Result};
use crate::linalg::{check_bounds, check_finite, check_len, check_returns};
use crate::qp::{Qp, SolverSettings};

/// The tail-risk measure to minimise.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TailRisk {
    /// Conditional value-at-risk of the loss at tail probability `alpha` (0.05 for 95%):
    /// `min_{w,ζ} ζ + 1/(αT) Σ_t max(0, −r_tᵀw − ζ)`.
    CVaR {
        /// Tail probability α ∈ (0, 1).
        alpha: f64,
    },
    /// Conditional drawdown-at-risk: the same functional applied to drawdowns `d_t`.
    CDaR {
        /// Tail probability α ∈ (0, 1).
        alpha: f64,
    },
    /// The largest drawdown `max_t d_t`.
    MaxDrawdown,
}

/// How the linear programme is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LpMethod {
    /// For minimum CVaR without a return constraint, a dedicated interior-point method that
    /// eliminates the scenario variables (one `n × n` weighted Gram product per iteration);
    /// everything else goes to Clarabel. The default.
    #[default]
    Structured,
    /// Always Clarabel (to cross-check).
    Clarabel,
}

/// A tail-risk-optimal portfolio.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TailPortfolio {
    /// Weights.
    pub weights: Array1<f64>,
    /// The minimised risk (CVaR, CDaR or maximum drawdown), in per-period return units.
    pub risk: f64,
    /// The auxiliary threshold ζ at the optimum (the VaR or DaR level; 0 for max drawdown).
    pub threshold: f64,
    /// Mean scenario return `mean_t r_tᵀw`.
    pub mean_return: f64,
    /// Interior-point iterations.
    pub iterations: u32,
}

/// Scenario-based tail-risk optimiser with bounds, budget and an optional minimum mean return.
/// Defaults: long-only `[0, 1]`, fully invested.
///
/// ```
/// # use ndarray::array;
/// use parapet_portfolio::{ScenarioOptimizer, TailRisk};
/// let r = array![[0.01, -0.02], [-0.03, 0.01], [0.02, 0.00], [-0.01, 0.02], [0.00, -0.01]];
/// let p = ScenarioOptimizer::new(r.view())?.minimise(TailRisk::CVaR { alpha: 0.4 })?;
/// assert!((p.weights.sum() - 1.0).abs() < 1e-9);
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ScenarioOptimizer {
    returns: Array2<f64>,
    lower: Array1<f64>,
    upper: Array1<f64>,
    budget: f64,
    min_mean_return: Option<f64>,
    settings: SolverSettings,
    method: LpMethod,
}

impl ScenarioOptimizer {
    /// A problem on a scenario matrix (scenarios × assets).
    ///
    /// # Errors
    /// Fewer than two scenarios, no assets, non-finite returns.
    pub fn new(returns: ArrayView2<'_, f64>) -> Result<Self> {
        check_returns("scenario returns", returns, 2)?;
        let n = returns.ncols();
        Ok(Self {
            returns: returns.to_owned(),
            lower: Array1::zeros(n),
            upper: Array1::ones(n),
            budget: 1.0,
            min_mean_return: None,
            settings: SolverSettings::default(),
            method: LpMethod::default(),
        })
    }

    /// The same bounds for every asset.
    ///
    /// # Errors
    /// Non-finite bounds or `lower > upper`.
    pub fn with_bounds(self, lower: f64, upper: f64) -> Result<Self> {
        let n = self.returns.ncols();
        self.with_asset_bounds(&vec![lower; n], &vec![upper; n])
    }

    /// Per-asset bounds.
    ///
    /// # Errors
    /// Wrong lengths, non-finite bounds, a lower bound above its upper bound.
    pub fn with_asset_bounds(mut self, lower: &[f64], upper: &[f64]) -> Result<Self> {
        let n = self.returns.ncols();
        check_bounds(n, lower, upper)?;
        self.lower = Array1::from(lower.to_vec());
        self.upper = Array1::from(upper.to_vec());
        Ok(self)
    }

    /// Requires the mean scenario return to be at least `target` (per period).
    ///
    /// # Errors
    /// A non-finite target.
    pub fn with_min_mean_return(mut self, target: f64) -> Result<Self> {
        check_finite("min mean return", [target].iter())?;
        self.min_mean_return = Some(target);
        Ok(self)
    }

    /// Solver knobs.
    ///
    /// # Errors
    /// Settings that fail [`SolverSettings::validate`].
    pub fn with_settings(mut self, settings: SolverSettings) -> Result<Self> {
        settings.validate()?;
        self.settings = settings;
        Ok(self)
    }

    /// The LP method (default [`LpMethod::Structured`]).
    pub fn with_method(mut self, method: LpMethod) -> Self {
        self.method = method;
        self
    }

    /// Solves the linear programme for `measure`.
    ///
    /// # Errors
    /// `alpha ∉ (0, 1)`, bounds that cannot meet the budget
    /// ([`PortfolioError::InfeasibleBudget`]), an unreachable mean-return target
    /// ([`PortfolioError::TargetReturnUnreachable`]), or a solver failure.
    pub fn minimise(&self, measure: TailRisk) -> Result<TailPortfolio> {
        let (t, n) = self.returns.dim();
        let alpha = match measure {
            TailRisk::CVaR { alpha } | TailRisk::CDaR { alpha } => {
                if !(alpha > 0.0 && alpha < 1.0) {
                    return Err(PortfolioError::InvalidParameter {
                        name: "alpha",
                        value: alpha,
                        reason: "tail probability must lie in (0, 1)",
                    });
                }
                alpha
            }
            TailRisk::MaxDrawdown => 1.0,
        };
        let (lo, hi) = (self.lower.sum(), self.upper.sum());
        if self.budget < lo - 1e-12 || self.budget > hi + 1e-12 {
            return Err(PortfolioError::InfeasibleBudget {
                budget: self.budget,
                lower_sum: lo,
                upper_sum: hi,
            });
        }
        let mean = self.returns.mean_axis(ndarray::Axis(0)).unwrap_or_default();
        if let Some(target) = self.min_mean_return {
            let max_return = self.greedy_max(&mean);
            if target > max_return + 1e-15 {
                return Err(PortfolioError::TargetReturnUnreachable { target, max_return });
            }
        }
        if let (TailRisk::CVaR { alpha }, LpMethod::Structured, None) =
            (measure, self.method, self.min_mean_return)
        {
            // The dedicated method falls back to Clarabel if it does not converge.
            match min_cvar(
                self.returns.view(),
                alpha,
                &self.lower,
                &self.upper,
                self.budget,
                self.settings.tolerance,
                self.settings.max_iterations,
            ) {
                Ok(sol) => {
                    // The interior point stops within its tolerance of the LP optimum; report
                    // the exact CVaR of the weights it returns.
                    let losses = -self.returns.dot(&sol.weights);
                    let exact = cvar_of_losses(losses.to_vec(), alpha);
                    debug_assert!((exact - sol.objective).abs() <= 1e-6 * (1.0 + exact.abs()));
                    return Ok(TailPortfolio {
                        mean_return: mean.dot(&sol.weights),
                        weights: sol.weights,
                        risk: exact,
                        threshold: sol.zeta,
                        iterations: sol.iterations,
                    });
                }
                Err(PortfolioError::NotConverged { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let drawdown = !matches!(measure, TailRisk::CVaR { .. });
        // Variables: w (n), ζ, excess u (T) [CVaR/CDaR], peaks h (T) [drawdown measures].
        let zeta = n;
        let u = n + 1;
        let has_u = !matches!(measure, TailRisk::MaxDrawdown);
        let h = if has_u { u + t } else { u };
        let nvar = h + if drawdown { t } else { 0 };
        let mut qp = Qp::new(nvar);
        qp.add_q(zeta, 1.0);
        if has_u {
            let c = 1.0 / (alpha * t as f64);
            for s in 0..t {
                qp.add_q(u + s, c);
            }
        }
        qp.eq(&(0..n).map(|i| (i, 1.0)).collect::<Vec<_>>(), self.budget);
        for i in 0..n {
            qp.le(&[(i, -1.0)], -self.lower[i]);
            qp.le(&[(i, 1.0)], self.upper[i]);
        }
        if let Some(target) = self.min_mean_return {
            let row: Vec<(usize, f64)> = (0..n).map(|i| (i, -mean[i])).collect();
            qp.le(&row, -target);
        }
        let mut cum = Array1::<f64>::zeros(n);
        for s in 0..t {
            let r = self.returns.row(s);
            // risk_s(w) is the loss −r_sᵀw, or the drawdown h_s − c_s(w).
            let mut risk: Vec<(usize, f64)> = if drawdown {
                cum += &r;
                let mut v: Vec<(usize, f64)> = (0..n).map(|i| (i, -cum[i])).collect();
                v.push((h + s, 1.0));
                // Peak: h_s ≥ c_s(w), h_s ≥ h_{s−1} (h_0 = 0).
                let mut peak: Vec<(usize, f64)> = (0..n).map(|i| (i, cum[i])).collect();
                peak.push((h + s, -1.0));
                qp.le(&peak, 0.0);
                if s == 0 {
                    qp.le(&[(h, -1.0)], 0.0);
                } else {
                    qp.le(&[(h + s - 1, 1.0), (h + s, -1.0)], 0.0);
                }
                v
            } else {
                (0..n).map(|i| (i, -r[i])).collect()
            };
            // risk_s − ζ − u_s ≤ 0 (u_s ≥ 0), or risk_s − ζ ≤ 0 for the maximum.
            risk.push((zeta, -1.0));
            if has_u {
                risk.push((u + s, -1.0));
                qp.le(&risk, 0.0);
                qp.le(&[(u + s, -1.0)], 0.0);
            } else {
                qp.le(&risk, 0.0);
            }
        }
        let problem = match measure {
            TailRisk::CVaR { .. } => "minimum CVaR",
            TailRisk::CDaR { .. } => "minimum CDaR",
            TailRisk::MaxDrawdown => "minimum maximum drawdown",
        };
        let sol = qp.solve(&self.settings, problem)?;
        let weights = Array1::from(sol.x[..n].to_vec());
        let threshold = sol.x[zeta];
        let risk = match measure {
            TailRisk::MaxDrawdown => threshold,
            _ => {
                let c = 1.0 / (alpha * t as f64);
                threshold + c * sol.x[u..u + t].iter().map(|v| v.max(0.0)).sum::<f64>()
            }
        };
        Ok(TailPortfolio {
            mean_return: mean.dot(&weights),
            weights,
            risk,
            threshold: if matches!(measure, TailRisk::MaxDrawdown) {
                0.0
            } else {
                threshold
            },
            iterations: sol.iterations,
        })
    }

    /// Historical CVaR of the portfolio `weights` at tail probability `alpha`: the mean of the
    /// worst `αT` scenario losses, the boundary scenario counted fractionally — the optimal
    /// value of the Rockafellar-Uryasev function at these weights.
    ///
    /// # Errors
    /// Weights of the wrong length or non-finite, `alpha ∉ (0, 1)`.
    pub fn cvar(&self, weights: &[f64], alpha: f64) -> Result<f64> {
        check_len("weights", self.returns.ncols(), weights.len())?;
        check_finite("weights", weights)?;
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(PortfolioError::InvalidParameter {
                name: "alpha",
                value: alpha,
                reason: "tail probability must lie in (0, 1)",
            });
        }
        let losses = -self.returns.dot(&Array1::from(weights.to_vec()));
        Ok(cvar_of_losses(losses.to_vec(), alpha))
    }

    fn greedy_max(&self, mean: &Array1<f64>) -> f64 {
        let mut w = self.lower.clone();
        let mut left = self.budget - self.lower.sum();
        let mut order: Vec<usize> = (0..mean.len()).collect();
        order.sort_by(|&a, &b| mean[b].total_cmp(&mean[a]));
        for i in order {
            let add = left.min(self.upper[i] - self.lower[i]).max(0.0);
            w[i] += add;
            left -= add;
        }
        mean.dot(&w)
    }
}

/// Mean of the worst `αT` losses with the boundary loss weighted fractionally.
fn cvar_of_losses(mut losses: Vec<f64>, alpha: f64) -> f64 {
    losses.sort_by(|a, b| b.total_cmp(a));
    let k = alpha * losses.len() as f64;
    let whole = (k.floor() as usize).min(losses.len());
    let mut sum: f64 = losses[..whole].iter().sum();
    if whole < losses.len() {
        sum += (k - whole as f64) * losses[whole];
    }
    sum / k
}
