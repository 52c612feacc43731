//! Risk budgeting (equal risk contribution when the budgets are equal) by Newton's method on
//! Spinu's convex formulation (Spinu 2013, "An algorithm for computing risk parity weights",
//! SSRN 2297383): minimise `f(x) = ½xᵀΣx − Σᵢ bᵢ ln xᵢ` over `x > 0`. Its stationarity
//! condition `xᵢ(Σx)ᵢ = bᵢ` is the risk-budget condition, so `w = x / Σx` has relative risk
//! contributions `wᵢ(Σw)ᵢ / wᵀΣw = bᵢ`. `f` is strictly convex and self-concordant, so damped
//! Newton converges globally and then quadratically.

use ndarray::{Array1, Array2, ArrayView2};

use crate::error::{PortfolioError, Result};
use crate::linalg::{
    check_finite, check_len, check_max_iterations, check_symmetric, check_tolerance, cholesky,
    cholesky_solve,
};

/// Knobs of [`risk_budgeting`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RiskParitySettings {
    /// Stop when the largest relative risk-contribution error `|RCᵢ − bᵢ|` is below this
    /// (default 1e-14).
    pub tolerance: f64,
    /// Newton iteration limit (default 100).
    pub max_iterations: usize,
}

impl Default for RiskParitySettings {
    fn default() -> Self {
        Self {
            tolerance: 1e-14,
            max_iterations: 100,
        }
    }
}

impl RiskParitySettings {
    /// Checks every knob's domain.
    ///
    /// # Errors
    /// [`PortfolioError::InvalidParameter`] naming the knob.
    pub fn validate(&self) -> Result<()> {
        check_tolerance(self.tolerance)?;
        check_max_iterations(self.max_iterations)?;
        Ok(())
    }
}

/// A risk-budgeting portfolio.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RiskParity {
    /// Weights (positive, summing to one).
    pub weights: Array1<f64>,
    /// Relative risk contributions `wᵢ(Σw)ᵢ / wᵀΣw`.
    pub risk_contributions: Array1<f64>,
    /// Portfolio volatility `√(wᵀΣw)` in the covariance's units.
    pub volatility: f64,
    /// Newton iterations used.
    pub iterations: usize,
}

/// Long-only portfolio whose relative risk contributions equal `budgets` (equal when `None`).
///
/// ```
/// # use ndarray::array;
/// use parapet_portfolio::{risk_budgeting, RiskParitySettings};
/// let cov = array![[0.04, 0.006], [0.006, 0.09]];
/// let rp = risk_budgeting(cov.view(), None, &RiskParitySettings::default())?;
/// assert!((rp.risk_contributions[0] - 0.5).abs() < 1e-12);
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
///
/// # Errors
/// An asymmetric or non-positive-definite covariance, budgets of the wrong length, not
/// positive or not summing to one (within 1e-12), invalid settings, no convergence.
pub fn risk_budgeting(
    cov: ArrayView2<'_, f64>,
    budgets: Option<&[f64]>,
    settings: &RiskParitySettings,
) -> Result<RiskParity> {
    settings.validate()?;
    check_symmetric("covariance", cov)?;
    let n = cov.nrows();
    let b: Array1<f64> = match budgets {
        Some(b) => {
            check_len("risk budgets", n, b.len())?;
            check_finite("risk budgets", b)?;
            if let Some(&v) = b.iter().find(|v| **v <= 0.0) {
                return Err(PortfolioError::InvalidParameter {
                    name: "risk budget",
                    value: v,
                    reason: "must be positive",
                });
            }
            let s: f64 = b.iter().sum();
            if (s - 1.0).abs() > 1e-12 {
                return Err(PortfolioError::InvalidParameter {
                    name: "sum of risk budgets",
                    value: s,
                    reason: "must equal 1",
                });
            }
            Array1::from(b.to_vec())
        }
        None => Array1::from_elem(n, 1.0 / n as f64),
    };
    let cov = cov.to_owned();
    cholesky("covariance", &cov)?;
    // Spinu's start: x ∝ b scaled so that xᵀΣx = 1.
    let mut x = b.clone();
    let v = x.dot(&cov.dot(&x));
    x /= v.sqrt();
    let mut iterations = 0;
    let mut err = f64::INFINITY;
    while iterations < settings.max_iterations {
        let sx = cov.dot(&x);
        let w = &x / x.sum();
        let sw = &sx / x.sum();
        let var = w.dot(&sw);
        err = (&w * &sw / var - &b)
            .iter()
            .fold(0.0_f64, |m, e| m.max(e.abs()));
        if err <= settings.tolerance {
            break;
        }
        iterations += 1;
        let grad = &sx - &(&b / &x);
        let mut hess: Array2<f64> = cov.clone();
        for i in 0..n {
            hess[[i, i]] += b[i] / (x[i] * x[i]);
        }
        let l = cholesky("risk-parity Hessian", &hess)?;
        let mut step = grad.clone().insert_axis(ndarray::Axis(1));
        cholesky_solve(&l, &mut step);
        let step = step.column(0).to_owned();
        let decrement = grad.dot(&step).max(0.0).sqrt();
        // Damped phase (step 1/(1+λ)) keeps x > 0 for self-concordant f; full steps once
        // λ < 0.25 (Nesterov 2004, "Introductory Lectures on Convex Optimization", §4.1.5).
        let t = if decrement > 0.25 {
            1.0 / (1.0 + decrement)
        } else {
            1.0
        };
        x.scaled_add(-t, &step);
        if x.iter().any(|v| *v <= 0.0 || !v.is_finite()) {
            return Err(PortfolioError::NotConverged {
                algorithm: "risk-parity Newton",
                iterations,
                residual: err,
            });
        }
    }
    if err > settings.tolerance {
        return Err(PortfolioError::NotConverged {
            algorithm: "risk-parity Newton",
            iterations,
            residual: err,
        });
    }
    let weights = &x / x.sum();
    let sw = cov.dot(&weights);
    let var = weights.dot(&sw);
    Ok(RiskParity {
        risk_contributions: &weights * &sw / var,
        volatility: var.sqrt(),
        weights,
        iterations,
    })
}
