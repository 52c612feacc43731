//! Portfolio construction for parapet: return and covariance estimators, mean-variance
//! optimisation with constraints and the efficient frontier, Black-Litterman, risk parity,
//! hierarchical risk parity and CVaR/CDaR/maximum-drawdown optimisation on scenarios.
//!
//! Convex problems are solved with Clarabel at tight tolerances, every solver status other
//! than `Solved` becomes a typed [`PortfolioError`], and mean-variance solutions are polished
//! by an exact active-set KKT solve so that they match exact references to ~1e-12. Factor
//! covariance models ([`FactorModel`]) keep the problem sparse for hundreds of assets.
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

mod black_litterman;
/// The ndarray version this crate's API uses, re-exported so callers need not match it.
pub use ndarray;

mod covariance;
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
pub use tail::{ScenarioOptimizer, TailPortfolio, TailRisk};
