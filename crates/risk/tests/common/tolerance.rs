//! Named tolerances for the reference tests: |got − expected| ≤ abs + rel·|expected|.

/// A mixed absolute/relative tolerance.
#[derive(Debug, Clone, Copy)]
pub struct Tol {
    pub rel: f64,
    pub abs: f64,
}

/// Order statistics and closed forms built on them (summation-order rounding only).
pub const ORDER_STATISTIC: Tol = Tol {
    rel: 1e-12,
    abs: 1e-14,
};
/// Closed-form deterministic measures (moments, normal/t/Cornish-Fisher formulas, drawdowns).
pub const CLOSED_FORM: Tol = Tol {
    rel: 1e-12,
    abs: 1e-15,
};
/// Recursive filters evaluated from given parameters (EWMA, GARCH variance paths).
pub const FILTER: Tol = Tol {
    rel: 1e-12,
    abs: 1e-15,
};
/// VaR computed from a filter and a quantile (accumulated over thousands of steps).
pub const FILTER_VAR: Tol = Tol {
    rel: 1e-10,
    abs: 1e-15,
};
/// Likelihood-ratio statistics and p-values of backtests.
pub const BACKTEST: Tol = Tol {
    rel: 1e-10,
    abs: 1e-12,
};
/// Maximum-likelihood parameters: optimiser-dependent, compared loosely (the likelihood is
/// compared strictly).
pub const MLE_PARAMETER: Tol = Tol {
    rel: 1e-4,
    abs: 1e-9,
};
/// Tail measures computed from MLE parameters.
pub const MLE_MEASURE: Tol = Tol {
    rel: 1e-5,
    abs: 1e-12,
};
/// Monotone likelihood slack: ours must be at least the reference's minus this.
pub const LOGLIK_SLACK: f64 = 1e-6;

impl Tol {
    /// The error measure (relative where |expected| > abs/rel, absolute otherwise) and a check.
    #[track_caller]
    pub fn check(&self, what: &str, got: f64, expected: f64) -> f64 {
        let err = (got - expected).abs();
        assert!(
            err <= self.abs + self.rel * expected.abs(),
            "{what}: got {got:e}, expected {expected:e}, |err| {err:e} beyond {self:?}"
        );
        if expected.abs() > 0.0 {
            err / expected.abs()
        } else {
            err
        }
    }
}
