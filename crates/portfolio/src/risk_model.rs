//! Covariance representations the optimisers accept: a dense matrix, or the factor form
//! `Σ = B F Bᵀ + D` whose structure keeps large problems fast.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{PortfolioError, Result};
use crate::linalg::{check_finite, check_len, check_symmetric, cholesky, cholesky_solve, eigh};

/// A factor covariance model `Σ = B F Bᵀ + diag(d)`: `n × k` loadings `B`, a `k × k` factor
/// covariance `F` (positive definite) and positive specific variances `d`.
///
/// Optimisers keep the structure: auxiliary exposures `y = Bᵀw` make the quadratic form
/// `yᵀFy + wᵀDw` sparse, so a solve costs `O(n k²)` rather than `O(n³)` (Grinold & Kahn 2000,
/// "Active Portfolio Management", 2nd ed., ch. 3, on factor risk models).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FactorModel {
    loadings: Array2<f64>,
    factor_cov: Array2<f64>,
    specific_var: Array1<f64>,
}

impl FactorModel {
    /// Validates and stores the model.
    ///
    /// ```
    /// # use ndarray::array;
    /// use parapet_portfolio::FactorModel;
    /// let b = array![[1.0], [0.5]];
    /// let f = array![[0.04]];
    /// let m = FactorModel::new(b, f, array![0.01, 0.02])?;
    /// assert!((m.covariance()[[0, 1]] - 0.02).abs() < 1e-15);
    /// # Ok::<(), parapet_portfolio::PortfolioError>(())
    /// ```
    ///
    /// # Errors
    /// Mismatched shapes, non-finite entries, an `F` that is not symmetric positive definite,
    /// or a specific variance that is not positive.
    pub fn new(
        loadings: Array2<f64>,
        factor_cov: Array2<f64>,
        specific_var: Array1<f64>,
    ) -> Result<Self> {
        if loadings.is_empty() {
            return Err(PortfolioError::Empty { name: "loadings" });
        }
        check_finite("loadings", loadings.iter())?;
        check_len("factor covariance", loadings.ncols(), factor_cov.nrows())?;
        check_symmetric("factor covariance", factor_cov.view())?;
        cholesky("factor covariance", &factor_cov)?;
        check_len("specific variances", loadings.nrows(), specific_var.len())?;
        check_finite("specific variances", specific_var.iter())?;
        if let Some(&v) = specific_var.iter().find(|v| **v <= 0.0) {
            return Err(PortfolioError::InvalidParameter {
                name: "specific variance",
                value: v,
                reason: "must be positive",
            });
        }
        Ok(Self {
            loadings,
            factor_cov,
            specific_var,
        })
    }

    /// Number of assets `n`.
    pub fn n_assets(&self) -> usize {
        self.loadings.nrows()
    }

    /// Number of factors `k`.
    pub fn n_factors(&self) -> usize {
        self.loadings.ncols()
    }

    /// Loadings `B` (`n × k`).
    pub fn loadings(&self) -> ArrayView2<'_, f64> {
        self.loadings.view()
    }

    /// Factor covariance `F` (`k × k`).
    pub fn factor_cov(&self) -> ArrayView2<'_, f64> {
        self.factor_cov.view()
    }

    /// Specific variances `d`.
    pub fn specific_var(&self) -> ArrayView1<'_, f64> {
        self.specific_var.view()
    }

    /// The dense covariance `B F Bᵀ + diag(d)`.
    pub fn covariance(&self) -> Array2<f64> {
        let mut s = self.loadings.dot(&self.factor_cov).dot(&self.loadings.t());
        for (i, d) in self.specific_var.iter().enumerate() {
            s[[i, i]] += d;
        }
        s
    }
}

/// The covariance as the optimisers see it.
#[derive(Debug, Clone)]
pub(crate) enum Risk {
    Dense(Array2<f64>),
    Factor(FactorModel),
}

impl Risk {
    /// A dense covariance, checked for symmetry and positive semidefiniteness.
    pub(crate) fn dense(cov: ArrayView2<'_, f64>) -> Result<Self> {
        check_symmetric("covariance", cov)?;
        let cov = cov.to_owned();
        if cholesky("covariance", &cov).is_err() {
            let (w, _) = eigh(&cov)?;
            let (min, max) = (w[0], w[w.len() - 1]);
            if min < -1e-12 * max.abs().max(f64::MIN_POSITIVE) {
                return Err(PortfolioError::NotPositiveSemidefinite {
                    name: "covariance",
                    min_eigenvalue: min,
                });
            }
        }
        Ok(Self::Dense(cov))
    }

    /// `Σ w`.
    pub(crate) fn times(&self, w: ArrayView1<'_, f64>) -> Array1<f64> {
        match self {
            Self::Dense(c) => c.dot(&w),
            Self::Factor(f) => {
                let y = f.loadings.t().dot(&w);
                f.loadings.dot(&f.factor_cov.dot(&y)) + &(&f.specific_var * &w)
            }
        }
    }

    /// `wᵀ Σ w`, clamped at zero against round-off.
    pub(crate) fn variance(&self, w: ArrayView1<'_, f64>) -> f64 {
        w.dot(&self.times(w)).max(0.0)
    }

    /// `Σ[rows, cols] x`.
    pub(crate) fn block_times(&self, rows: &[usize], cols: &[usize], x: &[f64]) -> Array1<f64> {
        match self {
            Self::Dense(c) => rows
                .iter()
                .map(|&i| cols.iter().zip(x).map(|(&j, v)| c[[i, j]] * v).sum())
                .collect(),
            Self::Factor(f) => {
                let k = f.n_factors();
                let mut y = Array1::<f64>::zeros(k);
                for (&j, v) in cols.iter().zip(x) {
                    y.scaled_add(*v, &f.loadings.row(j));
                }
                let fy = f.factor_cov.dot(&y);
                rows.iter()
                    .map(|&i| {
                        let mut s = f.loadings.row(i).dot(&fy);
                        if let Some(p) = cols.iter().position(|&j| j == i) {
                            s += f.specific_var[i] * x[p];
                        }
                        s
                    })
                    .collect()
            }
        }
    }

    /// `(Σ[free, free] + ridge I)⁻¹ R`; `None` when the block is numerically singular.
    pub(crate) fn solve_block(
        &self,
        free: &[usize],
        ridge: f64,
        rhs: &Array2<f64>,
    ) -> Option<Array2<f64>> {
        match self {
            Self::Dense(c) => {
                let mut sub = c.select(Axis(0), free).select(Axis(1), free);
                for i in 0..free.len() {
                    sub[[i, i]] += ridge;
                }
                let l = cholesky("covariance block", &sub).ok()?;
                let mut x = rhs.clone();
                cholesky_solve(&l, &mut x);
                Some(x)
            }
            Self::Factor(f) => {
                // Woodbury: (B F Bᵀ + D)⁻¹ = D⁻¹ − D⁻¹B (F⁻¹ + BᵀD⁻¹B)⁻¹ BᵀD⁻¹; only k × k
                // systems are factorised.
                let b = f.loadings.select(Axis(0), free);
                let dinv: Array1<f64> = free
                    .iter()
                    .map(|&i| 1.0 / (f.specific_var[i] + ridge))
                    .collect();
                let dinv_col = dinv.view().insert_axis(Axis(1));
                let dr = rhs * &dinv_col;
                let db = &b * &dinv_col;
                let lf = cholesky("factor covariance", &f.factor_cov).ok()?;
                let k = f.n_factors();
                let mut finv = Array2::<f64>::eye(k);
                cholesky_solve(&lf, &mut finv);
                let inner = finv + b.t().dot(&db);
                let li = cholesky("Woodbury capacitance", &inner).ok()?;
                let mut t = b.t().dot(&dr);
                cholesky_solve(&li, &mut t);
                Some(dr - db.dot(&t))
            }
        }
    }

    /// A square root `L` with `Σ = L Lᵀ` for dense models (Cholesky, or the eigen-square-root
    /// when Σ is only semidefinite), used by second-order cone constraints.
    pub(crate) fn dense_root(&self) -> Result<Array2<f64>> {
        match self {
            Self::Dense(c) => match cholesky("covariance", c) {
                Ok(l) => Ok(l),
                Err(_) => {
                    let (w, v) = eigh(c)?;
                    Ok(&v * &w.mapv(|x| x.max(0.0).sqrt()))
                }
            },
            Self::Factor(f) => cholesky("factor covariance", &f.factor_cov),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn woodbury_matches_dense_solve() {
        let b = array![[1.0, 0.2], [0.8, -0.1], [1.2, 0.3], [0.9, 0.0]];
        let f = array![[0.04, 0.001], [0.001, 0.01]];
        let m = FactorModel::new(b, f, array![0.01, 0.02, 0.015, 0.03]).unwrap();
        let dense = Risk::dense(m.covariance().view()).unwrap();
        let factor = Risk::Factor(m);
        let free = [0, 2, 3];
        let rhs = array![[1.0], [2.0], [-1.0]];
        let a = dense.solve_block(&free, 0.001, &rhs).unwrap();
        let b = factor.solve_block(&free, 0.001, &rhs).unwrap();
        assert!((&a - &b).iter().all(|d| d.abs() < 1e-10));
        let x = [0.3, -0.2];
        let p = dense.block_times(&[1, 2], &[2, 0], &x);
        let q = factor.block_times(&[1, 2], &[2, 0], &x);
        assert!((&p - &q).iter().all(|d| d.abs() < 1e-14));
    }

    #[test]
    fn rejects_bad_factor_models() {
        let b = array![[1.0], [0.5]];
        assert!(matches!(
            FactorModel::new(b.clone(), array![[0.04]], array![0.01, 0.0]),
            Err(PortfolioError::InvalidParameter {
                name: "specific variance",
                ..
            })
        ));
        assert!(matches!(
            FactorModel::new(b, array![[-0.04]], array![0.01, 0.01]),
            Err(PortfolioError::NotPositiveSemidefinite { .. })
        ));
        assert!(matches!(
            Risk::dense(array![[1.0, 2.0], [2.0, 1.0]].view()),
            Err(PortfolioError::NotPositiveSemidefinite { .. })
        ));
    }
}
