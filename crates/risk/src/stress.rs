//! Stress tests: historical scenario replay, hypothetical factor shocks and correlation
//! stress that keeps the matrix a valid correlation matrix.

use ndarray::{Array1, Array2, ArrayView2};
use ndarray_linalg::{Eigh, UPLO};
use parapet_core::ReturnTable;

use crate::drawdown::{DrawdownKind, max_drawdown};
use crate::error::{Result, RiskError};
use crate::stats;

/// The outcome of replaying a dated window of history on a portfolio.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Replay {
    /// First date replayed.
    pub from: String,
    /// Last date replayed.
    pub to: String,
    /// Periods replayed.
    pub periods: usize,
    /// Compounded return of each asset over the window.
    pub asset_returns: Vec<f64>,
    /// Portfolio return over the window (buy and hold from the start: `Σ wᵢ Rᵢ`).
    pub portfolio_return: f64,
    /// Portfolio value path relative to 1 at the start (`periods + 1` points).
    pub path: Vec<f64>,
    /// Deepest fall of the path from its running peak within the window.
    pub max_drawdown: f64,
}

/// Replays the returns dated in `[from, to]` (ISO dates, inclusive) on a buy-and-hold
/// portfolio with initial weights `weights` (e.g. 2008-09-01..2008-11-30 or the December
/// 2018 sell-off). Weights are fractions of the initial value; whatever they do not allocate
/// (`1 − Σw`, negative for leverage) is cash at zero return.
///
/// ```
/// use ndarray::array;
/// use parapet_core::{ReturnKind, ReturnTable};
/// use parapet_risk::replay;
/// let dates = ["2018-11-30", "2018-12-03", "2018-12-04"].map(String::from).to_vec();
/// let r = ReturnTable::new(dates, vec!["A".into(), "B".into()],
///     array![[0.01, 0.0], [-0.10, 0.02], [-0.05, 0.01]], ReturnKind::Simple)?;
/// let s = replay(&r, &[0.5, 0.5], "2018-12-01", "2018-12-31")?;
/// assert_eq!(s.periods, 2);
/// assert!((s.asset_returns[0] - (0.9 * 0.95 - 1.0)).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`RiskError::ShapeMismatch`] for weights of the wrong length, [`RiskError::UnknownDate`]
/// when no date falls in the window or `from > to`. Log returns are converted to simple
/// returns before compounding.
pub fn replay(returns: &ReturnTable, weights: &[f64], from: &str, to: &str) -> Result<Replay> {
    if from > to {
        return Err(RiskError::UnknownDate {
            name: "stress window (from after to)",
            date: format!("{from}..{to}"),
        });
    }
    let values = returns.values();
    let n = values.ncols();
    stats::check_series("weights", weights)?;
    if weights.len() != n {
        return Err(RiskError::ShapeMismatch {
            name: "weights",
            expected: n,
            got: weights.len(),
        });
    }
    let rows: Vec<usize> = returns
        .dates()
        .iter()
        .enumerate()
        .filter(|(_, d)| d.as_str() >= from && d.as_str() <= to)
        .map(|(i, _)| i)
        .collect();
    let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
        return Err(RiskError::UnknownDate {
            name: "returns",
            date: format!("{from}..{to}"),
        });
    };
    let log = returns.kind() == parapet_core::ReturnKind::Log;
    let simple = |r: f64| if log { r.exp_m1() } else { r };
    let mut growth = vec![1.0; n];
    let mut path = vec![1.0];
    for &t in &rows {
        for (i, g) in growth.iter_mut().enumerate() {
            *g *= 1.0 + simple(values[[t, i]]);
        }
        path.push(
            weights.iter().zip(&growth).map(|(w, g)| w * g).sum::<f64>() + 1.0
                - weights.iter().sum::<f64>(),
        );
    }
    let asset_returns: Vec<f64> = growth.iter().map(|g| g - 1.0).collect();
    let portfolio_return = weights.iter().zip(&asset_returns).map(|(w, r)| w * r).sum();
    let steps: Vec<f64> = path.windows(2).map(|p| p[1] / p[0] - 1.0).collect();
    let max_dd = max_drawdown(&steps, DrawdownKind::Compounded)
        .map(|m| m.depth)
        .unwrap_or(0.0);
    Ok(Replay {
        from: returns.dates()[first].clone(),
        to: returns.dates()[last].clone(),
        periods: rows.len(),
        asset_returns,
        portfolio_return,
        path,
        max_drawdown: max_dd,
    })
}

/// Hypothetical factor shock on a linear factor model: asset returns `B s` for exposures
/// `B` (assets × factors) and factor moves `s`; returns (asset returns, portfolio return
/// `wᵀ B s`).
///
/// # Errors
/// Shape mismatches and non-finite inputs.
pub fn factor_shock(
    exposures: ArrayView2<'_, f64>,
    shocks: &[f64],
    weights: &[f64],
) -> Result<(Vec<f64>, f64)> {
    let (n, k) = exposures.dim();
    stats::check_series("shocks", shocks)?;
    stats::check_series("weights", weights)?;
    if shocks.len() != k {
        return Err(RiskError::ShapeMismatch {
            name: "shocks",
            expected: k,
            got: shocks.len(),
        });
    }
    if weights.len() != n {
        return Err(RiskError::ShapeMismatch {
            name: "weights",
            expected: n,
            got: weights.len(),
        });
    }
    let asset = exposures.dot(&Array1::from(shocks.to_vec()));
    if let Some((i, v)) = asset.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(RiskError::NonFinite {
            name: "exposures",
            index: i,
            value: *v,
        });
    }
    let p = asset.iter().zip(weights).map(|(a, w)| a * w).sum();
    Ok((asset.to_vec(), p))
}

fn check_correlation(name: &'static str, c: ArrayView2<'_, f64>) -> Result<usize> {
    let (n, m) = c.dim();
    if n != m || n == 0 {
        return Err(RiskError::ShapeMismatch {
            name,
            expected: n,
            got: m,
        });
    }
    if let Some((i, v)) = c.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(RiskError::NonFinite {
            name,
            index: i,
            value: *v,
        });
    }
    Ok(n)
}

/// The nearest correlation matrix in Frobenius norm (Higham 2002, "Computing the nearest
/// correlation matrix — a problem from finance", *IMA J. Numer. Anal.* 22): alternating
/// projections onto the PSD cone (eigenvalue clipping) and the unit-diagonal set with
/// Dykstra's correction, after symmetrising the input.
///
/// # Errors
/// Shape or finiteness errors; [`RiskError::NotConverged`] if 1000 sweeps do not reach
/// 1e-12; [`RiskError::NotPositiveDefinite`] if the eigen-solver fails.
pub fn nearest_correlation(c: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let n = check_correlation("correlation", c)?;
    let mut y = (&c + &c.t()) * 0.5;
    let mut ds = Array2::<f64>::zeros((n, n));
    for _ in 0..1000 {
        let r = &y - &ds;
        let (vals, vecs) = r
            .eigh(UPLO::Lower)
            .map_err(|_| RiskError::NotPositiveDefinite {
                name: "correlation",
                pivot: n,
            })?;
        let clipped = vals.mapv(|v| v.max(0.0));
        let x = vecs.dot(&Array2::from_diag(&clipped)).dot(&vecs.t());
        ds = &x - &r;
        let mut next = x.clone();
        for i in 0..n {
            next[[i, i]] = 1.0;
        }
        let change = (&next - &y).iter().map(|v| v.abs()).fold(0.0, f64::max);
        y = next;
        if change <= 1e-12 {
            return Ok(y);
        }
    }
    Err(RiskError::NotConverged {
        what: "nearest correlation matrix",
        iterations: 1000,
        last_change: f64::NAN,
    })
}

/// A correlation matrix with every off-diagonal entry equal to `rho`, the usual "crisis"
/// target; valid (PSD) for `−1/(n−1) ≤ ρ ≤ 1`.
///
/// # Errors
/// [`RiskError::InvalidParameter`] outside that range.
pub fn uniform_correlation(n: usize, rho: f64) -> Result<Array2<f64>> {
    let lower = if n > 1 { -1.0 / (n as f64 - 1.0) } else { -1.0 };
    if rho.is_nan() || rho < lower || rho > 1.0 {
        return Err(RiskError::InvalidParameter {
            name: "rho",
            value: rho,
            reason: "must lie in [-1/(n-1), 1] for a valid correlation matrix",
        });
    }
    Ok(Array2::from_shape_fn((n, n), |(i, j)| {
        if i == j { 1.0 } else { rho }
    }))
}

/// Correlation stress: `C(λ) = (1 − λ)·C + λ·C_stress`, a convex combination of correlation
/// matrices and therefore one itself (the PSD cone is convex). A target that is not a valid
/// correlation matrix (e.g. hand-edited entries) is first replaced by its
/// [`nearest_correlation`]. Correlations in stress rise unevenly rather than all going to one
/// (Longin & Solnik 2001, "Extreme correlation of international equity markets"); a target
/// estimated on a crisis window captures that, [`uniform_correlation`] is the blunt version.
///
/// # Errors
/// Shape or finiteness errors, [`RiskError::InvalidParameter`] for `λ ∉ [0, 1]`.
pub fn stressed_correlation(
    base: ArrayView2<'_, f64>,
    stressed: ArrayView2<'_, f64>,
    lambda: f64,
) -> Result<Array2<f64>> {
    let n = check_correlation("base correlation", base)?;
    let m = check_correlation("stressed correlation", stressed)?;
    if n != m {
        return Err(RiskError::ShapeMismatch {
            name: "stressed correlation",
            expected: n,
            got: m,
        });
    }
    if lambda.is_nan() || !(0.0..=1.0).contains(&lambda) {
        return Err(RiskError::InvalidParameter {
            name: "lambda",
            value: lambda,
            reason: "must lie in [0, 1]",
        });
    }
    let repair = |c: ArrayView2<'_, f64>| -> Result<Array2<f64>> {
        let sym = (&c + &c.t()) * 0.5;
        let (vals, _) = sym
            .eigh(UPLO::Lower)
            .map_err(|_| RiskError::NotPositiveDefinite {
                name: "correlation",
                pivot: n,
            })?;
        let unit = (0..n).all(|i| (sym[[i, i]] - 1.0).abs() <= 1e-12);
        if unit && vals.iter().all(|v| *v >= -1e-12) {
            Ok(sym)
        } else {
            nearest_correlation(sym.view())
        }
    };
    let b = repair(base)?;
    let s = repair(stressed)?;
    Ok(&b * (1.0 - lambda) + &s * lambda)
}

/// Covariance with the volatilities of `cov` and the correlation `corr`: `D C D`.
///
/// # Errors
/// Shape mismatches, non-finite entries or a negative variance on the diagonal.
pub fn with_correlation(
    cov: ArrayView2<'_, f64>,
    corr: ArrayView2<'_, f64>,
) -> Result<Array2<f64>> {
    let n = check_correlation("covariance", cov)?;
    let m = check_correlation("correlation", corr)?;
    if n != m {
        return Err(RiskError::ShapeMismatch {
            name: "correlation",
            expected: n,
            got: m,
        });
    }
    let mut sd = Vec::with_capacity(n);
    for i in 0..n {
        let v = cov[[i, i]];
        if v < 0.0 {
            return Err(RiskError::InvalidParameter {
                name: "variance",
                value: v,
                reason: "must be >= 0",
            });
        }
        sd.push(v.sqrt());
    }
    Ok(Array2::from_shape_fn((n, n), |(i, j)| {
        sd[i] * corr[[i, j]] * sd[j]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn nearest_correlation_repairs_an_invalid_matrix() {
        // Higham's example: not PSD (eigenvalue −0.414…).
        let a = array![[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]];
        let x = nearest_correlation(a.view()).unwrap();
        // Higham (2002), Section 4: the nearest correlation matrix has 0.7607 off the
        // diagonal next to it and 0.1573 in the corner.
        assert!((x[[0, 1]] - 0.7607).abs() < 1e-4, "{x}");
        assert!((x[[0, 2]] - 0.1573).abs() < 1e-4, "{x}");
        let (vals, _) = x.eigh(UPLO::Lower).unwrap();
        assert!(vals.iter().all(|v| *v >= -1e-10));
    }

    #[test]
    fn stress_stays_a_correlation_matrix() {
        let base = array![[1.0, 0.2, -0.3], [0.2, 1.0, 0.1], [-0.3, 0.1, 1.0]];
        let target = array![[1.0, 0.95, 0.95], [0.95, 1.0, -0.9], [0.95, -0.9, 1.0]];
        let s = stressed_correlation(base.view(), target.view(), 0.7).unwrap();
        let (vals, _) = s.eigh(UPLO::Lower).unwrap();
        assert!(vals.iter().all(|v| *v >= -1e-10), "{vals}");
        assert!((0..3).all(|i| (s[[i, i]] - 1.0).abs() < 1e-12));
        assert!(stressed_correlation(base.view(), target.view(), 1.5).is_err());
        assert!(uniform_correlation(3, -0.6).is_err());
        let u = uniform_correlation(3, 0.8).unwrap();
        let full = stressed_correlation(base.view(), u.view(), 1.0).unwrap();
        assert!((full[[0, 2]] - 0.8).abs() < 1e-15);
    }
}
