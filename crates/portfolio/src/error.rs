//! The crate's error type: every failure names the offending input and its value.

use parapet_core::CoreError;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, PortfolioError>;

/// Everything that can go wrong when estimating or optimising a portfolio.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PortfolioError {
    /// An input had the wrong length or shape.
    #[error("{name}: expected length {expected}, got {got}")]
    ShapeMismatch {
        /// Which input.
        name: &'static str,
        /// Expected length (rows, entries).
        expected: usize,
        /// Length received.
        got: usize,
    },
    /// An input contained NaN or an infinity.
    #[error("{name}: entry {index} is not finite ({value})")]
    NonFinite {
        /// Which input.
        name: &'static str,
        /// Flat index of the entry.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// An input was empty.
    #[error("{name} is empty")]
    Empty {
        /// Which input.
        name: &'static str,
    },
    /// Too few observations for the estimator.
    #[error("{name}: needs at least {needed} observations, got {got}")]
    TooFewObservations {
        /// Which estimator.
        name: &'static str,
        /// Minimum number of observations.
        needed: usize,
        /// Number supplied.
        got: usize,
    },
    /// A scalar parameter outside its domain.
    #[error("{name} = {value} is invalid: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Value supplied.
        value: f64,
        /// The domain it violates.
        reason: &'static str,
    },
    /// A covariance matrix that is not symmetric.
    #[error(
        "covariance is not symmetric: entry ({row}, {col}) differs from its transpose by {difference}"
    )]
    NotSymmetric {
        /// Row of the worst entry.
        row: usize,
        /// Column of the worst entry.
        col: usize,
        /// Absolute difference to the transposed entry.
        difference: f64,
    },
    /// A covariance matrix that is not positive semidefinite (repair it with `nearest_psd`).
    #[error("{name} is not positive semidefinite: minimum eigenvalue {min_eigenvalue}")]
    NotPositiveSemidefinite {
        /// Which matrix.
        name: &'static str,
        /// Its smallest eigenvalue.
        min_eigenvalue: f64,
    },
    /// A lower bound above its upper bound.
    #[error("bounds of asset {asset}: lower {lower} exceeds upper {upper}")]
    InvertedBounds {
        /// Asset index.
        asset: usize,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
    },
    /// The weight bounds cannot add up to the budget.
    #[error(
        "weight bounds cannot meet the budget {budget}: bounds allow sums in [{lower_sum}, {upper_sum}]"
    )]
    InfeasibleBudget {
        /// Required sum of weights.
        budget: f64,
        /// Sum of lower bounds.
        lower_sum: f64,
        /// Sum of upper bounds.
        upper_sum: f64,
    },
    /// A group limit that the asset bounds (or the limit itself) make unattainable.
    #[error(
        "group '{group}' limit [{lower}, {upper}] cannot be met: its assets' bounds allow [{reachable_lower}, {reachable_upper}]"
    )]
    InfeasibleGroup {
        /// Group name.
        group: String,
        /// Requested lower limit.
        lower: f64,
        /// Requested upper limit.
        upper: f64,
        /// Smallest group weight the asset bounds allow.
        reachable_lower: f64,
        /// Largest group weight the asset bounds allow.
        reachable_upper: f64,
    },
    /// A target return above what the constraints allow.
    #[error("target return {target} is unreachable: the constraints allow at most {max_return}")]
    TargetReturnUnreachable {
        /// Requested return.
        target: f64,
        /// Largest attainable return.
        max_return: f64,
    },
    /// A target volatility below the minimum-volatility portfolio's.
    #[error(
        "target volatility {target} is below the minimum attainable volatility {min_volatility}"
    )]
    TargetRiskBelowMinimum {
        /// Requested volatility.
        target: f64,
        /// Volatility of the minimum-volatility portfolio.
        min_volatility: f64,
    },
    /// Maximum Sharpe ratio is undefined: no feasible portfolio earns more than the risk-free rate.
    #[error(
        "maximum Sharpe ratio needs a portfolio returning more than the risk-free rate {risk_free}; the best attainable return is {max_return}"
    )]
    NoExcessReturn {
        /// Risk-free rate.
        risk_free: f64,
        /// Largest attainable expected return.
        max_return: f64,
    },
    /// The constraints admit no portfolio at all (reported by the solver).
    #[error(
        "{problem}: the constraints admit no solution (solver certificate of primal infeasibility)"
    )]
    Infeasible {
        /// Which problem.
        problem: &'static str,
    },
    /// The objective is unbounded (reported by the solver).
    #[error("{problem}: the objective is unbounded (solver certificate of dual infeasibility)")]
    Unbounded {
        /// Which problem.
        problem: &'static str,
    },
    /// The conic solver stopped without a solution.
    #[error("{problem}: solver stopped with status {status} after {iterations} iterations")]
    SolverFailed {
        /// Which problem.
        problem: &'static str,
        /// Clarabel's status, as text.
        status: String,
        /// Iterations performed.
        iterations: u32,
    },
    /// An iterative algorithm did not converge.
    #[error("{algorithm} did not converge in {iterations} iterations (residual {residual})")]
    NotConverged {
        /// Which algorithm.
        algorithm: &'static str,
        /// Iterations performed.
        iterations: usize,
        /// Final residual.
        residual: f64,
    },
    /// A dense factorisation or eigen-decomposition failed.
    #[error("linear algebra failed in {context}: {message}")]
    LinearAlgebra {
        /// Where.
        context: &'static str,
        /// The backend's message.
        message: String,
    },
    /// An error from parapet-core (series handling).
    #[error(transparent)]
    Core(#[from] CoreError),
}
