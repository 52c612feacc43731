//! Monte Carlo VaR and ES for linear portfolios under a multivariate normal or Student-t.
//!
//! Scenarios are `r = μ + √(W)·L z` with `z ~ N(0, I)`, `LLᵀ = Σ` the Cholesky factor of the
//! covariance, and `W = 1` (normal) or `W = (ν − 2)/χ²_ν` (Student-t scaled so that the
//! covariance of `r` is Σ; Demarta & McNeil 2005, "The t copula and related copulas").
//! Option books are revalued scenario by scenario in parapet-protect from
//! [`MonteCarlo::simulate_returns`].

use ndarray::{Array1, Array2, ArrayView2};
use ndarray_linalg::{Cholesky, UPLO};
use parapet_core::Confidence;
use rand::Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

use crate::error::{Result, RiskError};
use crate::historical::{EsMethod, QuantileMethod, TailRisk, historical_var_es};
use crate::stats;

/// The joint distribution of asset returns.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Joint {
    /// Multivariate normal (the default).
    #[default]
    Normal,
    /// Multivariate Student-t with `df > 2`, scaled to the given covariance.
    StudentT {
        /// Degrees of freedom ν.
        df: f64,
    },
}

/// A validated simulation model: mean vector, Cholesky factor of the covariance, family.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    mean: Array1<f64>,
    chol: Array2<f64>,
    joint: Joint,
    chi2: Option<ChiSquared<f64>>,
}

impl MonteCarlo {
    /// A model from a mean vector, a covariance matrix (Cholesky-factorised here) and a
    /// family.
    ///
    /// # Errors
    /// Shape mismatches, non-finite entries, [`RiskError::NotPositiveDefinite`] when the
    /// Cholesky factorisation fails, [`RiskError::InvalidParameter`] for `df ≤ 2`.
    pub fn new(mean: &[f64], cov: ArrayView2<'_, f64>, joint: Joint) -> Result<Self> {
        let n = mean.len();
        stats::check_series("mean", mean)?;
        if cov.dim() != (n, n) {
            return Err(RiskError::ShapeMismatch {
                name: "covariance",
                expected: n,
                got: cov.nrows().max(cov.ncols()),
            });
        }
        if let Some((i, v)) = cov.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(RiskError::NonFinite {
                name: "covariance",
                index: i,
                value: *v,
            });
        }
        let chol =
            cov.to_owned()
                .cholesky(UPLO::Lower)
                .map_err(|_| RiskError::NotPositiveDefinite {
                    name: "covariance",
                    pivot: n,
                })?;
        let chi2 = match joint {
            Joint::Normal => None,
            Joint::StudentT { df } => {
                if df.is_nan() || df <= 2.0 {
                    return Err(RiskError::InvalidParameter {
                        name: "df",
                        value: df,
                        reason: "must be > 2 for a finite covariance",
                    });
                }
                Some(
                    ChiSquared::new(df).map_err(|_| RiskError::InvalidParameter {
                        name: "df",
                        value: df,
                        reason: "must be > 2 for a finite covariance",
                    })?,
                )
            }
        };
        Ok(Self {
            mean: Array1::from(mean.to_vec()),
            chol,
            joint,
            chi2,
        })
    }

    /// Number of assets.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    fn mixing<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match (self.joint, &self.chi2) {
            (Joint::StudentT { df }, Some(chi2)) => ((df - 2.0) / chi2.sample(rng)).sqrt(),
            _ => 1.0,
        }
    }

    /// `m` scenarios of asset returns (scenarios × assets).
    pub fn simulate_returns<R: Rng + ?Sized>(&self, m: usize, rng: &mut R) -> Array2<f64> {
        let n = self.dim();
        let mut out = Array2::zeros((m, n));
        let mut z = vec![0.0; n];
        for mut row in out.rows_mut() {
            let s = self.mixing(rng);
            for v in z.iter_mut() {
                *v = StandardNormal.sample(rng);
            }
            for i in 0..n {
                let lz: f64 = (0..=i).map(|j| self.chol[[i, j]] * z[j]).sum();
                row[i] = self.mean[i] + s * lz;
            }
        }
        out
    }

    /// Monte Carlo VaR and ES of the linear portfolio `w` from `m` scenarios, with the
    /// historical conventions applied to the simulated portfolio returns (lower loss
    /// quantile, fractional ES). For a linear book only the projection `Lᵀw` is needed, so
    /// each scenario costs O(n) after an O(n²) set-up; the random stream is the one
    /// [`simulate_returns`](Self::simulate_returns) consumes.
    ///
    /// ```
    /// use ndarray::array;
    /// use parapet_risk::{Confidence, Joint, MonteCarlo, NormalModel};
    /// use rand::{SeedableRng, rngs::StdRng};
    /// let cov = array![[0.0004, 0.0001], [0.0001, 0.0009]];
    /// let mc = MonteCarlo::new(&[0.0, 0.0], cov.view(), Joint::Normal)?;
    /// let mut rng = StdRng::seed_from_u64(1);
    /// let sim = mc.var_es(&[0.5, 0.5], Confidence::new(0.99)?, 200_000, &mut rng)?;
    /// let exact = NormalModel::new(0.0, (0.25f64 * (0.0004 + 0.0009 + 0.0002)).sqrt())?
    ///     .var_es(Confidence::new(0.99)?)?;
    /// assert!((sim.var / exact.var - 1.0).abs() < 0.02);
    /// # Ok::<(), parapet_risk::RiskError>(())
    /// ```
    ///
    /// # Errors
    /// [`RiskError::ShapeMismatch`] for weights of the wrong length, [`RiskError::Empty`] for
    /// `m = 0`.
    pub fn var_es<R: Rng + ?Sized>(
        &self,
        weights: &[f64],
        c: Confidence,
        m: usize,
        rng: &mut R,
    ) -> Result<TailRisk> {
        let r = self.portfolio_returns(weights, m, rng)?;
        historical_var_es(&r, c, QuantileMethod::LowerLoss, EsMethod::Fractional)
    }

    /// `m` simulated returns of the linear portfolio `w`.
    ///
    /// # Errors
    /// As [`MonteCarlo::var_es`].
    pub fn portfolio_returns<R: Rng + ?Sized>(
        &self,
        weights: &[f64],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<f64>> {
        let n = self.dim();
        stats::check_series("weights", weights)?;
        if weights.len() != n {
            return Err(RiskError::ShapeMismatch {
                name: "weights",
                expected: n,
                got: weights.len(),
            });
        }
        if m == 0 {
            return Err(RiskError::Empty { name: "scenarios" });
        }
        let w = Array1::from(weights.to_vec());
        let mu = w.dot(&self.mean);
        // wᵀ L z = (Lᵀ w)ᵀ z.
        let b = self.chol.t().dot(&w);
        let mut out = Vec::with_capacity(m);
        for _ in 0..m {
            let s = self.mixing(rng);
            let mut acc = 0.0;
            for bj in b.iter() {
                let z: f64 = StandardNormal.sample(rng);
                acc += bj * z;
            }
            out.push(mu + s * acc);
        }
        Ok(out)
    }
}
