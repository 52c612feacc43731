//! The efficient frontier as a sequence of target-return solves, each warm-started from the
//! previous point's active set: on a frontier segment the active set does not change, so most
//! points need one KKT solve and no conic solve (the observation behind Markowitz's critical
//! line algorithm; Markowitz 1956, "The optimization of a quadratic function subject to linear
//! constraints", Naval Research Logistics Quarterly 3(1–2)).

use crate::error::{PortfolioError, Result};
use crate::mean_variance::{MeanVariance, Objective, Portfolio};
use crate::polish::ActiveSet;

/// Frontier points with the minimum-volatility and (optionally) tangency portfolios.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Frontier {
    /// The minimum-volatility portfolio (the frontier's left end).
    pub min_volatility: Portfolio,
    /// One efficient portfolio per target return, in the order requested.
    pub points: Vec<Portfolio>,
    /// The maximum-Sharpe portfolio for the requested risk-free rate.
    pub tangency: Option<Portfolio>,
}

impl MeanVariance {
    /// Efficient portfolios for explicit target returns (each `min wᵀΣw` with `μᵀw ≥ target`),
    /// plus the minimum-volatility portfolio and, given `risk_free`, the tangency portfolio.
    ///
    /// # Errors
    /// As [`MeanVariance::solve`] for any target.
    pub fn frontier_at(&self, targets: &[f64], risk_free: Option<f64>) -> Result<Frontier> {
        let (min_volatility, hint) = self.solve_with_hint(Objective::MinVolatility, None)?;
        self.trace(min_volatility, hint, targets, risk_free)
    }

    /// `n_points` efficient portfolios with target returns evenly spaced from the
    /// minimum-volatility portfolio's return to the largest attainable return.
    ///
    /// ```
    /// # use ndarray::array;
    /// use parapet_portfolio::MeanVariance;
    /// let mu = array![0.05, 0.08, 0.12];
    /// let cov = array![[0.02, 0.004, 0.002], [0.004, 0.05, 0.01], [0.002, 0.01, 0.12]];
    /// let f = MeanVariance::new(mu.view(), cov.view())?.frontier(10, Some(0.01))?;
    /// assert!(f.points.windows(2).all(|p| p[1].volatility >= p[0].volatility - 1e-12));
    /// # Ok::<(), parapet_portfolio::PortfolioError>(())
    /// ```
    ///
    /// # Errors
    /// `n_points < 2`, and as [`MeanVariance::frontier_at`].
    pub fn frontier(&self, n_points: usize, risk_free: Option<f64>) -> Result<Frontier> {
        if n_points < 2 {
            return Err(PortfolioError::InvalidParameter {
                name: "n_points",
                value: n_points as f64,
                reason: "a frontier needs at least 2 points",
            });
        }
        let (min_volatility, hint) = self.solve_with_hint(Objective::MinVolatility, None)?;
        let lo = min_volatility.expected_return;
        let step = (self.max_return()? - lo) / (n_points - 1) as f64;
        let targets: Vec<f64> = (0..n_points).map(|i| lo + step * i as f64).collect();
        self.trace(min_volatility, hint, &targets, risk_free)
    }

    /// Solves the targets in order, each warm-started from the previous active set.
    fn trace(
        &self,
        min_volatility: Portfolio,
        mut hint: Option<ActiveSet>,
        targets: &[f64],
        risk_free: Option<f64>,
    ) -> Result<Frontier> {
        let mut points = Vec::with_capacity(targets.len());
        for &target in targets {
            let (p, active) =
                self.solve_with_hint(Objective::EfficientReturn { target }, hint.as_ref())?;
            if active.is_some() {
                hint = active;
            }
            points.push(p);
        }
        let tangency = match risk_free {
            Some(risk_free) => Some(self.solve(Objective::MaxSharpe { risk_free })?),
            None => None,
        };
        Ok(Frontier {
            min_volatility,
            points,
            tangency,
        })
    }
}
