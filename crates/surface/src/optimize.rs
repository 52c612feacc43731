//! Small dense optimisers shared by the calibrations: Nelder-Mead for the 2-parameter outer
//! SVI search and a box-constrained Levenberg-Marquardt for least-squares polishes.

// Index loops here mirror the matrix formulas (normal equations, Jacobians) they implement.
#![allow(clippy::needless_range_loop)]

/// Solves the `N × N` system `a·x = b` in place by Gaussian elimination with partial pivoting.
/// Returns `false` if the matrix is numerically singular. (A const size lets the compiler
/// unroll the 3 × 3 and 5 × 5 solves of the fits.)
pub(crate) fn solve_dense<const N: usize>(a: &mut [[f64; N]; N], b: &mut [f64; N]) -> bool {
    for col in 0..N {
        let mut piv = col;
        for r in col + 1..N {
            if a[r][col].abs() > a[piv][col].abs() {
                piv = r;
            }
        }
        let p = a[piv][col];
        if p.abs() < 1e-300 || !p.is_finite() {
            return false;
        }
        if piv != col {
            a.swap(piv, col);
            b.swap(piv, col);
        }
        for r in col + 1..N {
            let f = a[r][col] / a[col][col];
            if f != 0.0 {
                for c in col..N {
                    a[r][c] -= f * a[col][c];
                }
                b[r] -= f * b[col];
            }
        }
    }
    for r in (0..N).rev() {
        let mut s = b[r];
        for c in r + 1..N {
            s -= a[r][c] * b[c];
        }
        b[r] = s / a[r][r];
    }
    b.iter().all(|x| x.is_finite())
}

/// Nelder-Mead (Nelder & Mead 1965, *A simplex method for function minimization*, Computer
/// Journal 7(4)) in two dimensions with the standard coefficients (1, 2, ½, ½). Returns the
/// best point, its value and the number of evaluations.
pub(crate) fn nelder_mead_2d(
    f: &mut impl FnMut([f64; 2]) -> f64,
    start: [f64; 2],
    step: [f64; 2],
    max_evals: usize,
    ftol: f64,
) -> ([f64; 2], f64, usize) {
    let mut pts = [
        start,
        [start[0] + step[0], start[1]],
        [start[0], start[1] + step[1]],
    ];
    let mut vals = [f(pts[0]), f(pts[1]), f(pts[2])];
    let mut evals = 3;
    let lerp =
        |a: [f64; 2], b: [f64; 2], t: f64| [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    while evals < max_evals {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&i, &j| vals[i].total_cmp(&vals[j]));
        let (b, m, w) = (idx[0], idx[1], idx[2]);
        if (vals[w] - vals[b]).abs() <= ftol * (vals[b].abs() + 1e-300) {
            break;
        }
        let c = lerp(pts[b], pts[m], 0.5);
        let xr = lerp(c, pts[w], -1.0);
        let fr = f(xr);
        evals += 1;
        if fr < vals[b] {
            let xe = lerp(c, pts[w], -2.0);
            let fe = f(xe);
            evals += 1;
            if fe < fr {
                pts[w] = xe;
                vals[w] = fe;
            } else {
                pts[w] = xr;
                vals[w] = fr;
            }
        } else if fr < vals[m] {
            pts[w] = xr;
            vals[w] = fr;
        } else {
            let (xc, fc) = if fr < vals[w] {
                let x = lerp(c, xr, 0.5);
                (x, f(x))
            } else {
                let x = lerp(c, pts[w], 0.5);
                (x, f(x))
            };
            evals += 1;
            if fc < vals[w].min(fr) {
                pts[w] = xc;
                vals[w] = fc;
            } else {
                for i in [m, w] {
                    pts[i] = lerp(pts[b], pts[i], 0.5);
                    vals[i] = f(pts[i]);
                }
                evals += 2;
            }
        }
    }
    let best = (0..3)
        .min_by(|&i, &j| vals[i].total_cmp(&vals[j]))
        .unwrap_or(0);
    (pts[best], vals[best], evals)
}

/// Outcome of a Levenberg-Marquardt run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LmInfo {
    pub iterations: usize,
    pub cost: f64,
}

/// Box-constrained Levenberg-Marquardt (Levenberg 1944; Marquardt 1963, *An algorithm for
/// least-squares estimation of nonlinear parameters*, SIAM J. Appl. Math. 11(2)) with
/// Marquardt's diagonal scaling, forward-difference Jacobian and projection onto the box;
/// bounds whose constraint is active are held fixed for the step, as in Bertsekas (1982),
/// *Projected Newton methods for optimization problems with simple constraints*, SIAM J.
/// Control Optim. 20(2).
///
/// `residuals(x, out)` fills `out` (length `m`); the cost is `½‖r‖²`.
pub(crate) fn levenberg_marquardt<const N: usize>(
    residuals: &mut impl FnMut(&[f64; N], &mut [f64]),
    x0: [f64; N],
    lower: [f64; N],
    upper: [f64; N],
    m: usize,
    max_iter: usize,
) -> ([f64; N], LmInfo) {
    let mut rt = vec![0.0; m];
    let mut eval = |x: &[f64; N], r: &mut [f64], jac: Option<&mut [f64]>| {
        residuals(x, r);
        if let Some(jac) = jac {
            forward_difference(&mut *residuals, x, r, &mut rt, jac, &upper);
        }
    };
    levenberg_marquardt_jac(&mut eval, x0, lower, upper, m, max_iter)
}

/// Forward-difference Jacobian of `residuals` at `x` (residuals `r` there) into `jac`
/// (row-major, `m × N`), stepping inward at an upper bound.
pub(crate) fn forward_difference<const N: usize>(
    residuals: &mut impl FnMut(&[f64; N], &mut [f64]),
    x: &[f64; N],
    r: &[f64],
    scratch: &mut [f64],
    jac: &mut [f64],
    upper: &[f64; N],
) {
    let m = r.len();
    for j in 0..N {
        let h = 1e-7 * x[j].abs().max(1e-4);
        let mut xp = *x;
        let h = if xp[j] + h > upper[j] { -h } else { h };
        xp[j] += h;
        residuals(&xp, scratch);
        for i in 0..m {
            jac[i * N + j] = (scratch[i] - r[i]) / h;
        }
    }
}

/// [`levenberg_marquardt`] with a caller-supplied Jacobian: `eval(x, r, Some(jac))` fills the
/// residuals and the row-major `m × N` Jacobian at `x`; `eval(x, r, None)` the residuals only.
pub(crate) fn levenberg_marquardt_jac<const N: usize>(
    eval: &mut impl FnMut(&[f64; N], &mut [f64], Option<&mut [f64]>),
    x0: [f64; N],
    lower: [f64; N],
    upper: [f64; N],
    m: usize,
    max_iter: usize,
) -> ([f64; N], LmInfo) {
    let clamp = |x: &mut [f64; N]| {
        for i in 0..N {
            x[i] = x[i].clamp(lower[i], upper[i]);
        }
    };
    let mut x = x0;
    clamp(&mut x);
    let mut r = vec![0.0; m];
    let mut rt = vec![0.0; m];
    let mut jac = vec![0.0; m * N];
    eval(&x, &mut r, None);
    let mut cost = 0.5 * r.iter().map(|v| v * v).sum::<f64>();
    let mut lambda = 1e-3;
    let mut it = 0;
    while it < max_iter {
        it += 1;
        eval(&x, &mut r, Some(&mut jac));
        let mut jtj = [[0.0; N]; N];
        let mut jtr = [0.0; N];
        // Rows as fixed-size arrays: the loops below unroll without bounds checks.
        let (rows, _) = jac.as_chunks::<N>();
        for (row, &ri) in rows.iter().zip(&r) {
            // Inactive penalty rows are exactly zero: most of them, most of the time.
            if ri == 0.0 && row.iter().all(|&v| v == 0.0) {
                continue;
            }
            for a in 0..N {
                jtr[a] += row[a] * ri;
                for b in a..N {
                    jtj[a][b] += row[a] * row[b];
                }
            }
        }
        for a in 0..N {
            for b in 0..a {
                jtj[a][b] = jtj[b][a];
            }
        }
        // Variables at a bound that the gradient pushes outwards are held there for this
        // step (Bertsekas 1982): projecting the full step instead wastes it on the blocked
        // direction, and the iteration crawls along the bound with a large damping.
        let held: [bool; N] = std::array::from_fn(|a| {
            (x[a] <= lower[a] && jtr[a] > 0.0) || (x[a] >= upper[a] && jtr[a] < 0.0)
        });
        let mut improved = false;
        for _ in 0..12 {
            let mut mat = [[0.0; N]; N];
            let mut rhs = [0.0; N];
            for a in 0..N {
                if held[a] {
                    mat[a][a] = 1.0;
                    continue;
                }
                for b in 0..N {
                    if !held[b] {
                        mat[a][b] = jtj[a][b];
                    }
                }
                mat[a][a] += lambda * jtj[a][a].max(1e-12);
                rhs[a] = -jtr[a];
            }
            if !solve_dense(&mut mat, &mut rhs) {
                lambda *= 10.0;
                continue;
            }
            let mut xn = x;
            for a in 0..N {
                xn[a] += rhs[a];
            }
            clamp(&mut xn);
            eval(&xn, &mut rt, None);
            let cn = 0.5 * rt.iter().map(|v| v * v).sum::<f64>();
            if cn.is_finite() && cn < cost {
                let rel = (cost - cn) / cost.max(1e-300);
                x = xn;
                std::mem::swap(&mut r, &mut rt);
                cost = cn;
                lambda = (lambda * 0.3).max(1e-12);
                improved = rel > 1e-10;
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    (
        x,
        LmInfo {
            iterations: it,
            cost,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_solve() {
        let mut a = [[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]];
        let mut b = [5.0, 3.0, 6.0];
        assert!(solve_dense(&mut a, &mut b));
        // x = (1, 2, 1) solves [[0,2,1],[1,1,0],[3,0,1]]·x = (5, 3, 4)… check residual instead.
        let a0 = [0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, 0.0, 1.0];
        let b0 = [5.0, 3.0, 6.0];
        for r in 0..3 {
            let s: f64 = (0..3).map(|c| a0[r * 3 + c] * b[c]).sum();
            assert!((s - b0[r]).abs() < 1e-14);
        }
        let mut sing = [[1.0, 2.0], [2.0, 4.0]];
        assert!(!solve_dense(&mut sing, &mut [1.0, 2.0]));
    }

    #[test]
    fn nelder_mead_finds_rosenbrock_minimum() {
        let mut f = |x: [f64; 2]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let (x, v, _) = nelder_mead_2d(&mut f, [-1.2, 1.0], [0.1, 0.1], 2000, 1e-15);
        assert!(
            (x[0] - 1.0).abs() < 1e-4 && (x[1] - 1.0).abs() < 1e-4 && v < 1e-8,
            "{x:?}"
        );
    }

    #[test]
    fn lm_fits_exponential_within_bounds() {
        let ts: Vec<f64> = (0..20).map(|i| i as f64 * 0.1).collect();
        let mut res = |p: &[f64; 2], out: &mut [f64]| {
            for (o, t) in out.iter_mut().zip(&ts) {
                *o = p[0] * (-p[1] * t).exp() - 2.0 * (-0.7 * t).exp();
            }
        };
        let (x, info) =
            levenberg_marquardt(&mut res, [1.0, 0.1], [0.0, 0.0], [10.0, 10.0], 20, 100);
        assert!(
            (x[0] - 2.0).abs() < 1e-8 && (x[1] - 0.7).abs() < 1e-8,
            "{x:?}"
        );
        assert!(info.cost < 1e-18);
        let (x, info) = levenberg_marquardt(&mut res, [1.0, 0.1], [0.0, 0.0], [1.5, 10.0], 20, 100);
        assert_eq!(x[0], 1.5);
        // With p₀ held at its bound the rest is a 1-D least-squares problem: its stationarity
        // condition Σ rᵢ·∂rᵢ/∂p₁ = 0 holds at the result, reached in a few steps.
        let mut r = vec![0.0; 20];
        res(&x, &mut r);
        let grad: f64 = r
            .iter()
            .zip(&ts)
            .map(|(ri, t)| ri * (-1.5 * t * (-x[1] * t).exp()))
            .sum();
        assert!(grad.abs() < 1e-5, "gradient {grad}");
        assert!(info.iterations < 10, "{} iterations", info.iterations);
    }
}
