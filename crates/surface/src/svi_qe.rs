//! The quasi-explicit inner step of the SVI slice fit (Zeliade Systems 2009, *Quasi-explicit
//! calibration of Gatheral's SVI model*).

// Index loops mirror the normal equations of the 3-variable least-squares problem.
#![allow(clippy::needless_range_loop)]

use crate::optimize::solve_dense;

/// Per-quote data in total-variance units: `k`, target `w`, residual weight.
pub(crate) struct Prepared {
    pub k: Vec<f64>,
    pub w: Vec<f64>,
    pub weight: Vec<f64>,
    pub w_max: f64,
}

/// The quasi-explicit inner step: for fixed `(m, σ)`, with `y = (k − m)/σ`,
/// `w = a + u·(√(y²+1) + y)/2 + v·(√(y²+1) − y)/2` is linear in `(a, u, v)`, where
/// `u = bσ(1 + ρ)` and `v = bσ(1 − ρ)`. Minimises the weighted squared error exactly under the
/// box `a_lo ≤ a ≤ max w`, `0 ≤ u, v ≤ 2σ` (Lee's wing bound) by enumerating the faces of the box.
/// Returns `((a, u, v), ½·objective)`.
pub(crate) fn inner_fit(data: &Prepared, m: f64, sigma: f64, a_lo: f64) -> ([f64; 3], f64) {
    let mut g = [[0.0; 3]; 3];
    let mut h = [0.0; 3];
    let mut c = 0.0;
    let inv_s = 1.0 / sigma;
    for i in 0..data.k.len() {
        let y = (data.k[i] - m) * inv_s;
        // y is bounded by the quoted k range over σ ≥ σ_min: no overflow in y².
        let r = (y * y + 1.0).sqrt();
        let (f1, f2) = (0.5 * (r + y), 0.5 * (r - y));
        let w2 = data.weight[i] * data.weight[i];
        let wt = w2 * data.w[i];
        h[0] += wt;
        h[1] += wt * f1;
        h[2] += wt * f2;
        g[0][0] += w2;
        g[0][1] += w2 * f1;
        g[0][2] += w2 * f2;
        g[1][1] += w2 * f1 * f1;
        g[1][2] += w2 * f1 * f2;
        g[2][2] += w2 * f2 * f2;
        c += wt * data.w[i];
    }
    g[1][0] = g[0][1];
    g[2][0] = g[0][2];
    g[2][1] = g[1][2];
    let lo = [a_lo, 0.0, 0.0];
    let hi = [data.w_max, 2.0 * sigma, 2.0 * sigma];
    let quad = |x: &[f64; 3]| {
        let mut q = c;
        for a in 0..3 {
            q -= 2.0 * h[a] * x[a];
            for b in 0..3 {
                q += x[a] * g[a][b] * x[b];
            }
        }
        0.5 * q.max(0.0)
    };
    let mut best = ([0.0; 3], f64::INFINITY);
    // Each variable is free (0), at its lower (1) or upper (2) bound: 27 faces. The problem is
    // convex, so the best feasible face minimiser is the constrained minimiser; pattern 0 (all
    // free) comes first and ends the search when feasible.
    for pattern in 0..27usize {
        let state = [pattern % 3, (pattern / 3) % 3, pattern / 9];
        let mut x = [0.0; 3];
        let mut free = [0usize; 3];
        let mut nf = 0;
        for i in 0..3 {
            x[i] = match state[i] {
                1 => lo[i],
                2 => hi[i],
                _ => {
                    free[nf] = i;
                    nf += 1;
                    0.0
                }
            };
        }
        if nf > 0 {
            // Reduced system G_FF·x_F = h_F − G_FB·x_B, solved in closed form (Cramer's rule;
            // G is a Gram matrix, symmetric positive semi-definite).
            let mut rhs = [0.0; 3];
            for ri in 0..nf {
                let a = free[ri];
                rhs[ri] = h[a];
                for b in 0..3 {
                    if state[b] != 0 {
                        rhs[ri] -= g[a][b] * x[b];
                    }
                }
            }
            let e = |i: usize, j: usize| g[free[i]][free[j]];
            let ok = match nf {
                1 => {
                    let d = e(0, 0);
                    rhs[0] /= d;
                    d > 0.0
                }
                2 => {
                    let d = e(0, 0) * e(1, 1) - e(0, 1) * e(1, 0);
                    let (r0, r1) = (rhs[0], rhs[1]);
                    rhs[0] = (r0 * e(1, 1) - e(0, 1) * r1) / d;
                    rhs[1] = (e(0, 0) * r1 - e(1, 0) * r0) / d;
                    d > 1e-300 * (e(0, 0) * e(1, 1)).max(1e-300)
                }
                _ => {
                    let mut mat = [0.0; 9];
                    for ri in 0..3 {
                        for ci in 0..3 {
                            mat[ri * 3 + ci] = e(ri, ci);
                        }
                    }
                    solve_dense(&mut mat, &mut rhs, 3)
                }
            };
            if !ok || !rhs[..nf].iter().all(|v| v.is_finite()) {
                continue;
            }
            let mut feasible = true;
            for ri in 0..nf {
                let a = free[ri];
                x[a] = rhs[ri];
                if x[a] < lo[a] - 1e-15 || x[a] > hi[a] + 1e-15 {
                    feasible = false;
                }
            }
            if !feasible {
                continue;
            }
        }
        let q = quad(&x);
        if q < best.1 {
            best = (x, q);
        }
        if pattern == 0 && q.is_finite() {
            break;
        }
    }
    best
}
