//! Input validation and the few dense factorisations the crate needs (via ndarray-linalg).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Slice};
use ndarray_linalg::{Eigh, UPLO};

use crate::error::{PortfolioError, Result};

/// Every entry finite, else [`PortfolioError::NonFinite`] naming the first offender.
pub(crate) fn check_finite<'a>(
    name: &'static str,
    values: impl IntoIterator<Item = &'a f64>,
) -> Result<()> {
    for (index, &value) in values.into_iter().enumerate() {
        if !value.is_finite() {
            return Err(PortfolioError::NonFinite { name, index, value });
        }
    }
    Ok(())
}

/// Length check.
pub(crate) fn check_len(name: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected != got {
        return Err(PortfolioError::ShapeMismatch {
            name,
            expected,
            got,
        });
    }
    Ok(())
}

/// Per-asset bounds: `n` of each, finite, and `lower[i] ≤ upper[i]`, else
/// [`PortfolioError::InvertedBounds`] naming the first offending asset.
pub(crate) fn check_bounds(n: usize, lower: &[f64], upper: &[f64]) -> Result<()> {
    check_len("lower bounds", n, lower.len())?;
    check_len("upper bounds", n, upper.len())?;
    check_finite("lower bounds", lower)?;
    check_finite("upper bounds", upper)?;
    for (asset, (&lo, &hi)) in lower.iter().zip(upper).enumerate() {
        if lo > hi {
            return Err(PortfolioError::InvertedBounds {
                asset,
                lower: lo,
                upper: hi,
            });
        }
    }
    Ok(())
}

/// A solver's convergence tolerance: positive and finite.
pub(crate) fn check_tolerance(tolerance: f64) -> Result<()> {
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(PortfolioError::InvalidParameter {
            name: "tolerance",
            value: tolerance,
            reason: "must be positive",
        });
    }
    Ok(())
}

/// A solver's iteration limit: at least one.
pub(crate) fn check_max_iterations(max_iterations: usize) -> Result<()> {
    if max_iterations == 0 {
        return Err(PortfolioError::InvalidParameter {
            name: "max_iterations",
            value: 0.0,
            reason: "must be at least 1",
        });
    }
    Ok(())
}

/// A finite, non-empty vector.
pub(crate) fn check_vector(name: &'static str, v: ArrayView1<'_, f64>) -> Result<()> {
    if v.is_empty() {
        return Err(PortfolioError::Empty { name });
    }
    check_finite(name, v.iter())
}

/// A finite returns matrix (observations × assets) with at least `needed` rows.
pub(crate) fn check_returns(
    name: &'static str,
    returns: ArrayView2<'_, f64>,
    needed: usize,
) -> Result<()> {
    if returns.ncols() == 0 {
        return Err(PortfolioError::Empty { name });
    }
    if returns.nrows() < needed {
        return Err(PortfolioError::TooFewObservations {
            name,
            needed,
            got: returns.nrows(),
        });
    }
    check_finite(name, returns.iter())
}

/// Square, finite and symmetric to a relative 1e-10 of the largest diagonal entry.
pub(crate) fn check_symmetric(name: &'static str, a: ArrayView2<'_, f64>) -> Result<()> {
    let n = a.nrows();
    if n == 0 {
        return Err(PortfolioError::Empty { name });
    }
    check_len(name, n, a.ncols())?;
    check_finite(name, a.iter())?;
    let scale = a.diag().iter().fold(1.0_f64, |m, &d| m.max(d.abs()));
    let mut worst = (0, 0, 0.0_f64);
    for i in 0..n {
        for j in (i + 1)..n {
            let d = (a[[i, j]] - a[[j, i]]).abs();
            if d > worst.2 {
                worst = (i, j, d);
            }
        }
    }
    if worst.2 > 1e-10 * scale {
        return Err(PortfolioError::NotSymmetric {
            row: worst.0,
            col: worst.1,
            difference: worst.2,
        });
    }
    Ok(())
}

/// Lower Cholesky factor of a symmetric positive definite matrix; a failure is reported with
/// the matrix's minimum eigenvalue so the caller can see how far from definite it is. The
/// factorisation is plain Rust (the matrices here are at most a few hundred wide), which keeps
/// LAPACK's thread pool out of solver loops.
pub(crate) fn cholesky(name: &'static str, a: &Array2<f64>) -> Result<Array2<f64>> {
    let mut l = a.clone();
    if cholesky_in_place(&mut l) {
        let n = l.nrows();
        for i in 0..n {
            for j in (i + 1)..n {
                l[[i, j]] = 0.0;
            }
        }
        return Ok(l);
    }
    let (w, _) = eigh(a)?;
    Err(PortfolioError::NotPositiveSemidefinite {
        name,
        min_eigenvalue: w.iter().copied().fold(f64::INFINITY, f64::min),
    })
}

/// Eigenvalues (ascending) and eigenvectors of a symmetric matrix.
pub(crate) fn eigh(a: &Array2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    a.eigh(UPLO::Lower)
        .map_err(|e| PortfolioError::LinearAlgebra {
            context: "symmetric eigen-decomposition",
            message: e.to_string(),
        })
}

/// In-place lower Cholesky factorisation of the lower triangle of `a` (the strict upper
/// triangle is ignored); `false` if `a` is not numerically positive definite. Row-oriented
/// (each entry is a dot product of two contiguous row prefixes).
pub(crate) fn cholesky_in_place(a: &mut Array2<f64>) -> bool {
    let n = a.nrows();
    let mut flat = a.as_standard_layout().into_owned();
    let Some(m) = flat.as_slice_mut() else {
        return false;
    };
    for i in 0..n {
        for j in 0..=i {
            let (ri, rj) = (i * n, j * n);
            let s = m[ri + j] - dot(&m[ri..ri + j], &m[rj..rj + j]);
            if i == j {
                if s.is_nan() || s <= 0.0 || s.is_infinite() {
                    return false;
                }
                m[ri + i] = s.sqrt();
            } else {
                m[ri + j] = s / m[rj + j];
            }
        }
    }
    a.assign(&flat);
    true
}

/// Dot product with four accumulators (lets the compiler vectorise the loop).
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 4];
    let chunks = x.len() / 4;
    for c in 0..chunks {
        for l in 0..4 {
            acc[l] += x[4 * c + l] * y[4 * c + l];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for k in 4 * chunks..x.len() {
        s += x[k] * y[k];
    }
    s
}

/// Solves `L Lᵀ X = B` in place given the lower Cholesky factor `L`.
pub(crate) fn cholesky_solve(l: &Array2<f64>, b: &mut Array2<f64>) {
    let n = l.nrows();
    for c in 0..b.ncols() {
        for i in 0..n {
            let mut s = b[[i, c]];
            for k in 0..i {
                s -= l[[i, k]] * b[[k, c]];
            }
            b[[i, c]] = s / l[[i, i]];
        }
        for i in (0..n).rev() {
            let mut s = b[[i, c]];
            for k in (i + 1)..n {
                s -= l[[k, i]] * b[[k, c]];
            }
            b[[i, c]] = s / l[[i, i]];
        }
    }
}

/// The lower block triangle of `AᵀA` (the upper part is left zero): blocks of 64 columns,
/// each a matrix product, so about `(1 + 1/b)/2` of the full product's work for `b` blocks.
pub(crate) fn lower_gram(a: &Array2<f64>) -> Array2<f64> {
    const BLOCK: usize = 64;
    let n = a.ncols();
    let mut g = Array2::<f64>::zeros((n, n));
    let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    for &bi in &starts {
        let ei = (bi + BLOCK).min(n);
        let ai = a.slice_axis(Axis(1), Slice::from(bi..ei));
        for &bj in starts.iter().take_while(|&&b| b <= bi) {
            let ej = (bj + BLOCK).min(n);
            let aj = a.slice_axis(Axis(1), Slice::from(bj..ej));
            let block = ai.t().dot(&aj);
            g.slice_axis_mut(Axis(0), Slice::from(bi..ei))
                .slice_axis_mut(Axis(1), Slice::from(bj..ej))
                .assign(&block);
        }
    }
    g
}

/// `AᵀA` from its lower block triangle, mirrored: symmetric by construction.
pub(crate) fn gram(a: &Array2<f64>) -> Array2<f64> {
    let mut g = lower_gram(a);
    let n = g.nrows();
    for i in 0..n {
        for j in (i + 1)..n {
            g[[i, j]] = g[[j, i]];
        }
    }
    g
}

/// Symmetrises `a` in place as `(a + aᵀ)/2`, removing round-off asymmetry from products.
pub(crate) fn symmetrise(a: &mut Array2<f64>) {
    let n = a.nrows();
    for i in 0..n {
        for j in (i + 1)..n {
            let m = 0.5 * (a[[i, j]] + a[[j, i]]);
            a[[i, j]] = m;
            a[[j, i]] = m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn cholesky_solve_inverts() {
        let a = array![[4.0, 1.0], [1.0, 3.0]];
        let l = cholesky("a", &a).unwrap();
        let mut b = array![[1.0], [2.0]];
        cholesky_solve(&l, &mut b);
        let back = a.dot(&b);
        assert!((back[[0, 0]] - 1.0).abs() < 1e-14 && (back[[1, 0]] - 2.0).abs() < 1e-14);
    }

    #[test]
    fn rejects_asymmetric_and_indefinite() {
        let a = array![[1.0, 0.5], [0.4, 1.0]];
        assert!(matches!(
            check_symmetric("a", a.view()),
            Err(PortfolioError::NotSymmetric { row: 0, col: 1, .. })
        ));
        let b = array![[1.0, 2.0], [2.0, 1.0]];
        match cholesky("b", &b) {
            Err(PortfolioError::NotPositiveSemidefinite { min_eigenvalue, .. }) => {
                assert!((min_eigenvalue + 1.0).abs() < 1e-12)
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
