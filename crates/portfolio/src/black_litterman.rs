//! Black-Litterman: an equilibrium prior blended with investor views (Black & Litterman 1992,
//! "Global portfolio optimization", Financial Analysts Journal 48(5); He & Litterman 1999,
//! "The intuition behind Black-Litterman model portfolios", Goldman Sachs).
//!
//! With prior returns `π`, covariance `Σ`, scalar `τ`, views `P μ = Q + ε`, `ε ~ N(0, Ω)`:
//!
//! ```text
//! μ_BL = π + τΣPᵀ (τPΣPᵀ + Ω)⁻¹ (Q − Pπ)
//! Σ_BL = Σ + τΣ − τΣPᵀ (τPΣPᵀ + Ω)⁻¹ PτΣ
//! ```
//!
//! This "master formula" form never inverts `Ω`, so a view held with 100% confidence
//! (`Ω_kk = 0`) is exact rather than a division by zero.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{PortfolioError, Result};
use crate::linalg::{
    check_finite, check_len, check_symmetric, check_vector, cholesky, cholesky_solve, symmetrise,
};

/// How the view uncertainty `Ω` is set.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ViewUncertainty {
    /// `Ω = diag(τ P Σ Pᵀ)`: each view as uncertain as the prior of its portfolio (He &
    /// Litterman 1999). The default.
    HeLitterman,
    /// Confidences `cₖ ∈ (0, 1]` per view, mapped to `Ωₖₖ = τ (1 − cₖ)/cₖ · PₖΣPₖᵀ` — the
    /// closed form of Idzorek's method (Idzorek 2005, "A step-by-step guide to the
    /// Black-Litterman model"; closed form: Walters 2014, "The Black-Litterman model in
    /// detail", as in PyPortfolioOpt). `cₖ = 1` gives `Ωₖₖ = 0`: the view holds exactly.
    Idzorek(Vec<f64>),
    /// A given diagonal of `Ω` (variances of the views' errors), each ≥ 0.
    Diagonal(Vec<f64>),
    /// A given symmetric positive semidefinite `Ω`.
    Matrix(Array2<f64>),
}

/// How posterior returns become weights; the two conventions found in the references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BlWeights {
    /// He & Litterman's unconstrained optimum `w* = (δ Σ_BL)⁻¹ μ_BL` with the posterior
    /// covariance, not normalised (it sums to `1/(1 + τ)` without views).
    HeLitterman,
    /// PyPortfolioOpt's `bl_weights`: `(δ Σ)⁻¹ μ_BL` with the *prior* covariance, normalised
    /// to sum to one.
    PyPortfolioOpt,
}

/// Equilibrium excess returns implied by market weights: `π = δ Σ w_mkt + r_f`, with
/// `w_mkt = caps / Σ caps` (reverse optimisation; Black & Litterman 1992).
///
/// # Errors
/// Shape mismatches, non-finite inputs, non-positive total capitalisation or a negative cap.
pub fn market_implied_prior_returns(
    market_caps: ArrayView1<'_, f64>,
    risk_aversion: f64,
    cov: ArrayView2<'_, f64>,
    risk_free: f64,
) -> Result<Array1<f64>> {
    check_vector("market caps", market_caps)?;
    check_len("covariance", market_caps.len(), cov.nrows())?;
    check_symmetric("covariance", cov)?;
    check_finite(
        "risk aversion / risk-free rate",
        [risk_aversion, risk_free].iter(),
    )?;
    if let Some(&c) = market_caps.iter().find(|c| **c < 0.0) {
        return Err(PortfolioError::InvalidParameter {
            name: "market cap",
            value: c,
            reason: "must be non-negative",
        });
    }
    let total = market_caps.sum();
    if total <= 0.0 {
        return Err(PortfolioError::InvalidParameter {
            name: "total market cap",
            value: total,
            reason: "must be positive",
        });
    }
    let w = &market_caps / total;
    Ok(cov.dot(&w) * risk_aversion + risk_free)
}

/// The posterior of a Black-Litterman model.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BlPosterior {
    /// Posterior expected returns `μ_BL`.
    pub returns: Array1<f64>,
    /// Posterior covariance `Σ_BL`.
    pub covariance: Array2<f64>,
    /// The `Ω` used (empty without views).
    pub omega: Array2<f64>,
    prior_cov: Array2<f64>,
}

impl BlPosterior {
    /// Unconstrained optimal weights under risk aversion `δ` in the chosen convention.
    ///
    /// # Errors
    /// A non-positive `δ`, a singular covariance, or (for [`BlWeights::PyPortfolioOpt`])
    /// weights summing to zero.
    pub fn weights(&self, risk_aversion: f64, convention: BlWeights) -> Result<Array1<f64>> {
        if !(risk_aversion.is_finite() && risk_aversion > 0.0) {
            return Err(PortfolioError::InvalidParameter {
                name: "risk_aversion",
                value: risk_aversion,
                reason: "must be positive",
            });
        }
        let cov = match convention {
            BlWeights::HeLitterman => &self.covariance,
            BlWeights::PyPortfolioOpt => &self.prior_cov,
        };
        let l = cholesky("covariance", cov)?;
        let mut x = self.returns.clone().insert_axis(ndarray::Axis(1));
        cholesky_solve(&l, &mut x);
        let w = x.column(0).to_owned() / risk_aversion;
        match convention {
            BlWeights::HeLitterman => Ok(w),
            BlWeights::PyPortfolioOpt => {
                let s = w.sum();
                if s == 0.0 || !s.is_finite() {
                    return Err(PortfolioError::InvalidParameter {
                        name: "sum of weights",
                        value: s,
                        reason: "cannot normalise weights that sum to zero",
                    });
                }
                Ok(w / s)
            }
        }
    }
}

/// A Black-Litterman model: prior returns, covariance, `τ` and views.
///
/// ```
/// # use ndarray::array;
/// use parapet_portfolio::{BlackLitterman, ViewUncertainty, market_implied_prior_returns};
/// let cov = array![[0.04, 0.01], [0.01, 0.09]];
/// let pi = market_implied_prior_returns(array![3.0, 1.0].view(), 2.5, cov.view(), 0.0)?;
/// let post = BlackLitterman::new(cov.view(), pi.view(), 0.05)?
///     .with_views(array![[1.0, -1.0]].view(), array![0.02].view(), ViewUncertainty::HeLitterman)?
///     .posterior()?;
/// assert!(post.returns[0] - post.returns[1] > pi[0] - pi[1]);
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
#[derive(Debug, Clone)]
pub struct BlackLitterman {
    cov: Array2<f64>,
    prior: Array1<f64>,
    tau: f64,
    views: Option<(Array2<f64>, Array1<f64>, ViewUncertainty)>,
}

impl BlackLitterman {
    /// A model without views (its posterior is the prior with covariance `(1 + τ)Σ`).
    ///
    /// # Errors
    /// Shape mismatches, non-finite or asymmetric inputs, `τ ∉ (0, 1]`.
    pub fn new(cov: ArrayView2<'_, f64>, prior: ArrayView1<'_, f64>, tau: f64) -> Result<Self> {
        check_vector("prior returns", prior)?;
        check_len("covariance", prior.len(), cov.nrows())?;
        check_symmetric("covariance", cov)?;
        if !(tau.is_finite() && tau > 0.0 && tau <= 1.0) {
            return Err(PortfolioError::InvalidParameter {
                name: "tau",
                value: tau,
                reason: "must lie in (0, 1]",
            });
        }
        Ok(Self {
            cov: cov.to_owned(),
            prior: prior.to_owned(),
            tau,
            views: None,
        })
    }

    /// Views `P μ = Q`: each row of `P` is a view portfolio (one asset at 1 for an absolute
    /// view; +1/−1 legs, or any weights, for a relative view), `Q` its expected return.
    ///
    /// # Errors
    /// Shape mismatches, non-finite entries, confidences outside `(0, 1]`, negative
    /// diagonal entries, or an `Ω` that is not symmetric.
    pub fn with_views(
        mut self,
        p: ArrayView2<'_, f64>,
        q: ArrayView1<'_, f64>,
        uncertainty: ViewUncertainty,
    ) -> Result<Self> {
        let k = p.nrows();
        check_len("view matrix columns", self.prior.len(), p.ncols())?;
        check_len("view returns", k, q.len())?;
        check_finite("view matrix", p.iter())?;
        check_finite("view returns", q.iter())?;
        if k == 0 {
            return Err(PortfolioError::Empty { name: "views" });
        }
        match &uncertainty {
            ViewUncertainty::HeLitterman => {}
            ViewUncertainty::Idzorek(c) => {
                check_len("view confidences", k, c.len())?;
                if let Some(&v) = c.iter().find(|c| !(**c > 0.0 && **c <= 1.0)) {
                    return Err(PortfolioError::InvalidParameter {
                        name: "view confidence",
                        value: v,
                        reason: "must lie in (0, 1]",
                    });
                }
            }
            ViewUncertainty::Diagonal(d) => {
                check_len("omega diagonal", k, d.len())?;
                check_finite("omega diagonal", d.iter())?;
                if let Some(&v) = d.iter().find(|d| **d < 0.0) {
                    return Err(PortfolioError::InvalidParameter {
                        name: "omega diagonal",
                        value: v,
                        reason: "must be non-negative",
                    });
                }
            }
            ViewUncertainty::Matrix(m) => {
                check_len("omega", k, m.nrows())?;
                check_symmetric("omega", m.view())?;
            }
        }
        self.views = Some((p.to_owned(), q.to_owned(), uncertainty));
        Ok(self)
    }

    /// The posterior returns and covariance.
    ///
    /// # Errors
    /// A singular `τPΣPᵀ + Ω` (redundant views held with certainty).
    pub fn posterior(&self) -> Result<BlPosterior> {
        let n = self.prior.len();
        let tau_s = &self.cov * self.tau;
        let Some((p, q, unc)) = &self.views else {
            return Ok(BlPosterior {
                returns: self.prior.clone(),
                covariance: &self.cov + &tau_s,
                omega: Array2::zeros((0, 0)),
                prior_cov: self.cov.clone(),
            });
        };
        let k = p.nrows();
        let pts = p.dot(&tau_s); // P τΣ  (k × n)
        let ptsp = pts.dot(&p.t()); // τ PΣPᵀ
        let omega = match unc {
            ViewUncertainty::HeLitterman => Array2::from_diag(&ptsp.diag()),
            ViewUncertainty::Idzorek(c) => Array2::from_diag(&Array1::from_shape_fn(k, |i| {
                ptsp[[i, i]] * (1.0 - c[i]) / c[i]
            })),
            ViewUncertainty::Diagonal(d) => Array2::from_diag(&Array1::from(d.clone())),
            ViewUncertainty::Matrix(m) => m.clone(),
        };
        let a = &ptsp + &omega;
        let l = cholesky("tau P Sigma P' + Omega", &a)?;
        let mut rhs = Array2::<f64>::zeros((k, n + 1));
        let resid = q - &p.dot(&self.prior);
        for i in 0..k {
            rhs[[i, 0]] = resid[i];
            for j in 0..n {
                rhs[[i, 1 + j]] = pts[[i, j]];
            }
        }
        cholesky_solve(&l, &mut rhs);
        let x = rhs.column(0).to_owned();
        let returns = &self.prior + &pts.t().dot(&x);
        let y = Array2::from_shape_fn((k, n), |(i, j)| rhs[[i, 1 + j]]);
        let mut covariance = &self.cov + &tau_s - &pts.t().dot(&y);
        symmetrise(&mut covariance);
        Ok(BlPosterior {
            returns,
            covariance,
            omega,
            prior_cov: self.cov.clone(),
        })
    }
}
