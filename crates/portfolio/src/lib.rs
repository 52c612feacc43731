//! Portfolio construction for parapet: return and covariance estimators, mean-variance
//! optimisation with constraints and the efficient frontier, Black-Litterman, risk parity,
//! hierarchical risk parity, CVaR/CDaR/maximum-drawdown optimisation on scenarios, and
//! relative-value sizing.
//!
//! | task | entry point |
//! |---|---|
//! | expected returns | [`mean_historical_return`], [`ema_historical_return`], [`capm_return`], [`market_implied_prior_returns`] |
//! | covariance | [`sample_cov`], [`exp_cov`], [`semicovariance`], [`ledoit_wolf`], [`oracle_approximating`], [`nearest_psd`], [`diagnose`] |
//! | mean-variance | [`MeanVariance`] with [`Objective`]; [`MeanVariance::frontier`], [`MeanVariance::corner_portfolios`]; [`FactorModel`] for large universes |
//! | Black-Litterman | [`BlackLitterman`], [`BlPosterior::weights`] |
//! | risk parity, HRP | [`risk_budgeting`], [`hrp`], [`hrp_from_cov`] |
//! | tail risk | [`ScenarioOptimizer`] with [`TailRisk`] |
//! | sizing | [`relative_value_size`] |
//!
//! Mean-variance problems whose constraints are bounds, the budget and group limits are
//! solved exactly by a primal-dual active-set method (each step one KKT solve on the free
//! assets, `O(n k²)` with a factor model); otherwise, or if it does not settle, by Clarabel
//! at tight tolerances followed by an exact KKT polish on the active set Clarabel identifies.
//! Every solver status other than `Solved` becomes a typed [`PortfolioError`], and every
//! infeasibility names the constraint and the numbers.
//!
//! Conventions: returns matrices have observations in rows and assets in columns; estimators
//! annualise with an explicit `periods_per_year` (252 for daily data); weights sum to the
//! budget (1 by default).
//!
//! ```
//! # use ndarray::array;
//! use parapet_portfolio::{sample_cov, mean_historical_return, MeanVariance, Objective, ReturnMethod};
//! let returns = array![
//!     [0.010, 0.002, -0.004], [-0.006, 0.004, 0.011], [0.012, -0.003, 0.002],
//!     [0.004, 0.006, -0.007], [-0.002, 0.001, 0.009], [0.007, -0.005, 0.003],
//! ];
//! let mu = mean_historical_return(returns.view(), ReturnMethod::Compounded, 252.0)?;
//! let cov = sample_cov(returns.view(), 252.0)?;
//! let p = MeanVariance::new(mu.view(), cov.view())?.solve(Objective::MinVolatility)?;
//! assert!((p.weights.sum() - 1.0).abs() < 1e-12);
//! # Ok::<(), parapet_portfolio::PortfolioError>(())
//! ```

/// The ndarray version this crate's API uses, re-exported so callers need not match it.
pub use ndarray;

mod black_litterman;
mod cla;
mod covariance;
mod cvar_ipm;
mod error;
mod expected_returns;
mod formulate;
mod frontier;
mod hrp;
mod linalg;
mod mean_variance;
mod polish;
mod psd;
mod qp;
mod risk_model;
mod risk_parity;
mod sizing;
mod solve;
mod tail;

pub use black_litterman::{
    BlPosterior, BlWeights, BlackLitterman, ViewUncertainty, market_implied_prior_returns,
};
pub use covariance::{
    ShrinkageTarget, Shrunk, exp_cov, ledoit_wolf, oracle_approximating, sample_cov, semicovariance,
};
pub use error::{PortfolioError, Result};
pub use expected_returns::{
    ReturnMethod, capm_return, ema_historical_return, market_implied_risk_aversion,
    mean_historical_return,
};
pub use frontier::Frontier;
pub use hrp::{Hrp, Linkage, Merge, hrp, hrp_from_cov};
pub use mean_variance::{GroupLimit, MeanVariance, Objective, Portfolio, SolveInfo};
pub use psd::{CovarianceDiagnostics, PsdRepair, PsdSettings, diagnose, nearest_psd};
pub use qp::SolverSettings;
pub use risk_model::FactorModel;
pub use risk_parity::{RiskParity, RiskParitySettings, risk_budgeting};
pub use sizing::{RelativeValueTrade, Sizing, relative_value_size};
pub use tail::{LpMethod, ScenarioOptimizer, TailPortfolio, TailRisk};
