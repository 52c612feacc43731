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
    solve_box(&normal_equations(data, m, sigma), data.w_max, sigma, a_lo)
}

/// Weighted normal equations `(G, h, c)` of the inner problem at `(m, σ)`: the objective is
/// `½(xᵀGx − 2hᵀx + c)`.
#[derive(Clone, Copy)]
pub(crate) struct Normal {
    g: [[f64; 3]; 3],
    h: [f64; 3],
    c: f64,
}

/// Accumulates the normal equations at `(m, σ)`.
pub(crate) fn normal_equations(data: &Prepared, m: f64, sigma: f64) -> Normal {
    let inv_s = 1.0 / sigma;
    // Normal equations accumulated in four independent lanes (a layout the compiler
    // vectorises): acc[j][lane] for h₀, h₁, h₂, G₀₀, G₀₁, G₀₂, G₁₁, G₁₂, G₂₂, c.
    let mut acc = [[0.0f64; 4]; 10];
    let n = data.k.len();
    let chunks = n / 4;
    let mut add = |lane: usize, i: usize| {
        let y = (data.k[i] - m) * inv_s;
        // y is bounded by the quoted k range over σ ≥ σ_min: no overflow in y².
        let r = (y * y + 1.0).sqrt();
        let (f1, f2) = (0.5 * (r + y), 0.5 * (r - y));
        let w2 = data.weight[i] * data.weight[i];
        let wt = w2 * data.w[i];
        acc[0][lane] += wt;
        acc[1][lane] += wt * f1;
        acc[2][lane] += wt * f2;
        acc[3][lane] += w2;
        acc[4][lane] += w2 * f1;
        acc[5][lane] += w2 * f2;
        acc[6][lane] += w2 * f1 * f1;
        acc[7][lane] += w2 * f1 * f2;
        acc[8][lane] += w2 * f2 * f2;
        acc[9][lane] += wt * data.w[i];
    };
    for c4 in 0..chunks {
        for lane in 0..4 {
            add(lane, 4 * c4 + lane);
        }
    }
    for i in 4 * chunks..n {
        add(0, i);
    }
    let sum = |j: usize| (acc[j][0] + acc[j][1]) + (acc[j][2] + acc[j][3]);
    let h = [sum(0), sum(1), sum(2)];
    let g = [
        [sum(3), sum(4), sum(5)],
        [sum(4), sum(6), sum(7)],
        [sum(5), sum(7), sum(8)],
    ];
    Normal { g, h, c: sum(9) }
}

/// Minimises the inner objective on the box `a_lo ≤ a ≤ w_max`, `0 ≤ u, v ≤ 2σ`.
pub(crate) fn solve_box(ne: &Normal, w_max: f64, sigma: f64, a_lo: f64) -> ([f64; 3], f64) {
    let Normal { g, h, c } = *ne;
    let lo = [a_lo, 0.0, 0.0];
    let hi = [w_max, 2.0 * sigma, 2.0 * sigma];
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
