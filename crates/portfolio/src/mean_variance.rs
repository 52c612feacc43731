//! Mean-variance optimisation (Markowitz 1952, "Portfolio selection", J. Finance 7(1)) with
//! box bounds, budget, group limits, L2 regularisation, turnover, transaction costs, leverage
//! and tracking error.

use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::error::{PortfolioError, Result};
use crate::linalg::{check_bounds, check_finite, check_len, check_vector};
use crate::psd::{CovarianceDiagnostics, diagnose};
use crate::qp::SolverSettings;
use crate::risk_model::{FactorModel, Risk};

/// What the optimiser maximises or minimises. All inputs are in the units of `μ` and `Σ`
/// (annualised in the usual set-up).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Objective {
    /// `min wᵀΣw`.
    MinVolatility,
    /// `max (μᵀw − r_f)/√(wᵀΣw)`, solved through the homogenisation `y = κw` of Cornuéjols &
    /// Tütüncü (2007, "Optimization Methods in Finance", §8.2): `min yᵀΣy` subject to
    /// `(μ − r_f)ᵀy = 1`, `1ᵀy = κ·budget`, `κ ≥ 0` and every constraint scaled by `κ`.
    MaxSharpe {
        /// Risk-free rate `r_f`.
        risk_free: f64,
    },
    /// `min wᵀΣw` subject to `μᵀw ≥ target`.
    EfficientReturn {
        /// Required expected return.
        target: f64,
    },
    /// `max μᵀw` subject to `√(wᵀΣw) ≤ target_volatility` (an inequality: a target above the
    /// volatility of the maximum-return portfolio is not forced to bind).
    EfficientRisk {
        /// Volatility cap.
        target_volatility: f64,
    },
    /// `max μᵀw − (δ/2) wᵀΣw`.
    MaxQuadraticUtility {
        /// Risk aversion `δ > 0`.
        risk_aversion: f64,
    },
}

/// How a solve went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SolveInfo {
    /// Interior-point iterations (0 when the active-set method alone found the optimum).
    pub iterations: u32,
    /// Primal-dual active-set iterations (0 when the conic solver was used).
    pub active_set_iterations: usize,
    /// Whether the exact active-set KKT polish was accepted.
    pub polished: bool,
    /// Whether the active-set method started from a neighbouring problem's active set (the
    /// previous frontier point).
    pub warm_started: bool,
    /// Whether Clarabel stopped at reduced accuracy (`AlmostSolved`) and no polish rescued it.
    pub reduced_accuracy: bool,
}

/// An optimal portfolio and its performance.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Portfolio {
    /// Weights, in the order of `μ`.
    pub weights: Array1<f64>,
    /// `μᵀw`.
    pub expected_return: f64,
    /// `√(wᵀΣw)`.
    pub volatility: f64,
    /// Solver facts.
    pub info: SolveInfo,
}

impl Portfolio {
    /// `wᵀΣw`.
    pub fn variance(&self) -> f64 {
        self.volatility * self.volatility
    }

    /// `(μᵀw − r_f)/σ`.
    pub fn sharpe_ratio(&self, risk_free: f64) -> f64 {
        (self.expected_return - risk_free) / self.volatility
    }
}

/// A limit on the summed weight of a group of assets (a sector, a country).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GroupLimit {
    pub(crate) name: String,
    pub(crate) assets: Vec<usize>,
    pub(crate) lower: f64,
    pub(crate) upper: f64,
}

impl GroupLimit {
    /// Group name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Asset indices in the group.
    pub fn assets(&self) -> &[usize] {
        &self.assets
    }
    /// `(lower, upper)` limits on the group's summed weight.
    pub fn limits(&self) -> (f64, f64) {
        (self.lower, self.upper)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rebalance {
    pub initial: Array1<f64>,
    pub values: Array1<f64>,
    pub limit: f64,
}

/// A mean-variance problem: expected returns, a covariance (dense or factor form) and
/// constraints. Defaults: long-only bounds `[0, 1]`, fully invested (`Σw = 1`), no groups, no
/// regularisation, [`SolverSettings::default`].
///
/// Convex problems go to Clarabel at tight tolerances; with [`SolverSettings::polish`] the
/// active constraints it identifies are then solved exactly (an equality-constrained KKT
/// system), so weights match exact references to ~1e-12. Infeasibility is detected before
/// solving where that is cheap and otherwise from the solver's certificate, and always named.
///
/// ```
/// # use ndarray::array;
/// use parapet_portfolio::{MeanVariance, Objective};
/// let mu = array![0.08, 0.10, 0.12];
/// let cov = array![[0.04, 0.006, 0.004], [0.006, 0.09, 0.01], [0.004, 0.01, 0.16]];
/// let p = MeanVariance::new(mu.view(), cov.view())?
///     .with_bounds(0.0, 0.6)?
///     .solve(Objective::MaxSharpe { risk_free: 0.02 })?;
/// assert!((p.weights.sum() - 1.0).abs() < 1e-12);
/// assert!(p.weights.iter().all(|&w| w >= -1e-12 && w <= 0.6 + 1e-12));
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MeanVariance {
    pub(crate) mu: Array1<f64>,
    pub(crate) risk: Risk,
    pub(crate) lower: Array1<f64>,
    pub(crate) upper: Array1<f64>,
    pub(crate) budget: f64,
    pub(crate) groups: Vec<GroupLimit>,
    pub(crate) l2: f64,
    pub(crate) turnover: Option<Rebalance>,
    pub(crate) costs: Option<Rebalance>,
    pub(crate) leverage: Option<f64>,
    pub(crate) tracking: Option<(Array1<f64>, f64)>,
    pub(crate) settings: SolverSettings,
}

fn check_scalar(name: &'static str, value: f64, ok: bool, reason: &'static str) -> Result<()> {
    if !value.is_finite() || !ok {
        return Err(PortfolioError::InvalidParameter {
            name,
            value,
            reason,
        });
    }
    Ok(())
}

impl MeanVariance {
    /// A problem with a dense covariance matrix, which must be symmetric and positive
    /// semidefinite (repair it first with [`crate::nearest_psd`] if it is not).
    ///
    /// # Errors
    /// Empty or non-finite inputs, mismatched shapes, an asymmetric or indefinite covariance.
    pub fn new(mu: ArrayView1<'_, f64>, cov: ArrayView2<'_, f64>) -> Result<Self> {
        check_vector("expected returns", mu)?;
        check_len("covariance", mu.len(), cov.nrows())?;
        Ok(Self::with_risk(mu, Risk::dense(cov)?))
    }

    /// A problem with a factor covariance model; large problems solve in `O(n k²)` per
    /// interior-point iteration.
    ///
    /// # Errors
    /// Empty or non-finite `μ`, or a length that differs from the model's asset count.
    pub fn with_factor_model(mu: ArrayView1<'_, f64>, model: FactorModel) -> Result<Self> {
        check_vector("expected returns", mu)?;
        check_len("factor model assets", mu.len(), model.n_assets())?;
        Ok(Self::with_risk(mu, Risk::Factor(model)))
    }

    fn with_risk(mu: ArrayView1<'_, f64>, risk: Risk) -> Self {
        let n = mu.len();
        Self {
            mu: mu.to_owned(),
            risk,
            lower: Array1::zeros(n),
            upper: Array1::ones(n),
            budget: 1.0,
            groups: Vec::new(),
            l2: 0.0,
            turnover: None,
            costs: None,
            leverage: None,
            tracking: None,
            settings: SolverSettings::default(),
        }
    }

    /// Number of assets.
    pub fn n_assets(&self) -> usize {
        self.mu.len()
    }

    /// Eigenvalue diagnostics of the covariance (minimum and maximum eigenvalue, condition
    /// number); a factor model is expanded to its dense form for this.
    ///
    /// # Errors
    /// An eigen-decomposition failure.
    pub fn diagnostics(&self) -> Result<CovarianceDiagnostics> {
        match &self.risk {
            Risk::Dense(c) => diagnose(c.view(), None),
            Risk::Factor(f) => diagnose(f.covariance().view(), None),
        }
    }

    /// The group limits added so far.
    pub fn groups(&self) -> &[GroupLimit] {
        &self.groups
    }

    /// The same bounds `lower ≤ wᵢ ≤ upper` for every asset (default `[0, 1]`).
    ///
    /// # Errors
    /// Non-finite bounds or `lower > upper`.
    pub fn with_bounds(self, lower: f64, upper: f64) -> Result<Self> {
        let n = self.n_assets();
        self.with_asset_bounds(&vec![lower; n], &vec![upper; n])
    }

    /// Per-asset bounds.
    ///
    /// # Errors
    /// Wrong lengths, non-finite bounds, or a lower bound above its upper bound.
    pub fn with_asset_bounds(mut self, lower: &[f64], upper: &[f64]) -> Result<Self> {
        let n = self.n_assets();
        check_bounds(n, lower, upper)?;
        self.lower = Array1::from(lower.to_vec());
        self.upper = Array1::from(upper.to_vec());
        Ok(self)
    }

    /// Required sum of weights (default 1; 0 for a market-neutral long-short book, which also
    /// needs negative lower bounds).
    ///
    /// # Errors
    /// A non-finite budget.
    pub fn with_budget(mut self, budget: f64) -> Result<Self> {
        check_scalar("budget", budget, true, "must be finite")?;
        self.budget = budget;
        Ok(self)
    }

    /// Limits `lower ≤ Σ_{i∈assets} wᵢ ≤ upper` on a named group (a sector); use
    /// `f64::NEG_INFINITY`/`f64::INFINITY` for a one-sided limit.
    ///
    /// # Errors
    /// An empty group, an asset index out of range or repeated, NaN limits, `lower > upper`.
    pub fn with_group(
        mut self,
        name: &str,
        assets: &[usize],
        lower: f64,
        upper: f64,
    ) -> Result<Self> {
        if assets.is_empty() {
            return Err(PortfolioError::Empty {
                name: "group assets",
            });
        }
        let n = self.n_assets();
        let mut seen = vec![false; n];
        for &a in assets {
            if a >= n || seen[a] {
                return Err(PortfolioError::InvalidParameter {
                    name: "group asset index",
                    value: a as f64,
                    reason: "out of range or repeated",
                });
            }
            seen[a] = true;
        }
        if lower.is_nan() || upper.is_nan() || lower > upper || lower == f64::INFINITY {
            return Err(PortfolioError::InfeasibleGroup {
                group: name.to_owned(),
                lower,
                upper,
                reachable_lower: f64::NAN,
                reachable_upper: f64::NAN,
            });
        }
        self.groups.push(GroupLimit {
            name: name.to_owned(),
            assets: assets.to_vec(),
            lower,
            upper,
        });
        Ok(self)
    }

    /// L2 regularisation `γ‖w‖²` added to the objective (PyPortfolioOpt's `L2_reg`), which
    /// spreads weight over more assets. Not available with [`Objective::MaxSharpe`].
    ///
    /// # Errors
    /// A negative or non-finite `gamma`.
    pub fn with_l2_regularisation(mut self, gamma: f64) -> Result<Self> {
        check_scalar("gamma", gamma, gamma >= 0.0, "must be non-negative")?;
        self.l2 = gamma;
        Ok(self)
    }

    /// Turnover limit `Σ|wᵢ − w⁰ᵢ| ≤ max_turnover` from the current weights `w⁰`.
    ///
    /// # Errors
    /// Wrong length, non-finite entries, a negative limit.
    pub fn with_turnover(mut self, initial: &[f64], max_turnover: f64) -> Result<Self> {
        check_len("initial weights", self.n_assets(), initial.len())?;
        check_finite("initial weights", initial)?;
        check_scalar(
            "max_turnover",
            max_turnover,
            max_turnover >= 0.0,
            "must be non-negative",
        )?;
        self.turnover = Some(Rebalance {
            initial: Array1::from(initial.to_vec()),
            values: Array1::zeros(0),
            limit: max_turnover,
        });
        Ok(self)
    }

    /// Proportional transaction costs `Σ cᵢ|wᵢ − w⁰ᵢ|` subtracted from the return objective
    /// (added to the risk objective for [`Objective::MinVolatility`] and
    /// [`Objective::EfficientReturn`]). Not available with [`Objective::MaxSharpe`].
    ///
    /// # Errors
    /// Wrong lengths, non-finite entries, a negative cost rate.
    pub fn with_transaction_costs(mut self, initial: &[f64], rates: &[f64]) -> Result<Self> {
        let n = self.n_assets();
        check_len("initial weights", n, initial.len())?;
        check_len("cost rates", n, rates.len())?;
        check_finite("initial weights", initial)?;
        check_finite("cost rates", rates)?;
        if let Some(&c) = rates.iter().find(|c| **c < 0.0) {
            return Err(PortfolioError::InvalidParameter {
                name: "cost rate",
                value: c,
                reason: "must be non-negative",
            });
        }
        self.costs = Some(Rebalance {
            initial: Array1::from(initial.to_vec()),
            values: Array1::from(rates.to_vec()),
            limit: 0.0,
        });
        Ok(self)
    }

    /// Gross leverage limit `Σ|wᵢ| ≤ max_gross`.
    ///
    /// # Errors
    /// A non-positive or non-finite limit.
    pub fn with_leverage(mut self, max_gross: f64) -> Result<Self> {
        check_scalar("max_gross", max_gross, max_gross > 0.0, "must be positive")?;
        self.leverage = Some(max_gross);
        Ok(self)
    }

    /// Tracking-error limit `√((w − b)ᵀΣ(w − b)) ≤ max_tracking_error` against benchmark
    /// weights `b` (a second-order cone).
    ///
    /// # Errors
    /// Wrong length, non-finite entries, a non-positive limit.
    pub fn with_tracking_error(
        mut self,
        benchmark: &[f64],
        max_tracking_error: f64,
    ) -> Result<Self> {
        check_len("benchmark weights", self.n_assets(), benchmark.len())?;
        check_finite("benchmark weights", benchmark)?;
        check_scalar(
            "max_tracking_error",
            max_tracking_error,
            max_tracking_error > 0.0,
            "must be positive",
        )?;
        self.tracking = Some((Array1::from(benchmark.to_vec()), max_tracking_error));
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

    /// Whether only bounds, budget and groups constrain the weights (no auxiliary variables),
    /// the case the exact polish and the greedy maximum-return bound handle.
    pub(crate) fn is_plain(&self) -> bool {
        self.turnover.is_none()
            && self.costs.is_none()
            && self.leverage.is_none()
            && self.tracking.is_none()
    }

    /// Checks that need no solver: the budget against the bounds and each group against its
    /// assets' bounds.
    pub(crate) fn precheck(&self) -> Result<()> {
        let (lo, hi) = (self.lower.sum(), self.upper.sum());
        let tol = 1e-12 * (1.0 + self.budget.abs());
        if self.budget < lo - tol || self.budget > hi + tol {
            return Err(PortfolioError::InfeasibleBudget {
                budget: self.budget,
                lower_sum: lo,
                upper_sum: hi,
            });
        }
        for g in &self.groups {
            let rl: f64 = g.assets.iter().map(|&i| self.lower[i]).sum();
            let ru: f64 = g.assets.iter().map(|&i| self.upper[i]).sum();
            if g.lower > ru + tol || g.upper < rl - tol {
                return Err(PortfolioError::InfeasibleGroup {
                    group: g.name.clone(),
                    lower: g.lower,
                    upper: g.upper,
                    reachable_lower: rl,
                    reachable_upper: ru,
                });
            }
        }
        Ok(())
    }

    /// Builds the performance record of weights `w`.
    pub(crate) fn portfolio(&self, weights: Array1<f64>, info: SolveInfo) -> Portfolio {
        let expected_return = self.mu.dot(&weights);
        let volatility = self.risk.variance(weights.view()).sqrt();
        Portfolio {
            weights,
            expected_return,
            volatility,
            info,
        }
    }

    /// Largest attainable expected return under the constraints: greedy when only bounds and
    /// the budget bind, otherwise a linear programme.
    ///
    /// # Errors
    /// Infeasible constraints.
    pub fn max_return(&self) -> Result<f64> {
        self.precheck()?;
        if self.is_plain() && self.groups.is_empty() {
            let mut w = self.lower.clone();
            let mut left = self.budget - self.lower.sum();
            let mut order: Vec<usize> = (0..self.n_assets()).collect();
            order.sort_by(|&a, &b| self.mu[b].total_cmp(&self.mu[a]));
            for i in order {
                let add = left.min(self.upper[i] - self.lower[i]).max(0.0);
                w[i] += add;
                left -= add;
            }
            return Ok(self.mu.dot(&w));
        }
        let w = self.solve_max_return_lp()?;
        Ok(self.mu.dot(&w))
    }
}
