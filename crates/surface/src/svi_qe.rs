//! The least-squares pieces of the SVI slice fit: the quasi-explicit inner step (Zeliade
//! Systems 2009, *Quasi-explicit calibration of Gatheral's SVI model*) and the polish's data
//! residuals with their analytic Jacobian.

// Index loops mirror the normal equations of the 3-variable least-squares problem.
#![allow(clippy::needless_range_loop)]

use crate::error::Result;
use crate::optimize::solve_dense;
use crate::svi::{RawSvi, hyp};

/// Per-quote data in total-variance units: `k`, target `w`, residual weight.
pub(crate) struct Prepared {
    pub k: Vec<f64>,
    pub w: Vec<f64>,
    pub weight: Vec<f64>,
    pub w_max: f64,
    /// `weightᵢ²` and `weightᵢ²·wᵢ`, and the sums of the normal equations that do not depend
    /// on `(m, σ)` (`Σ weight²·w`, `Σ weight²`, `Σ weight²·w²`, accumulated in the same four
    /// lanes as [`normal_equations`], so that caching them changes no bit).
    w2: Vec<f64>,
    wt: Vec<f64>,
    fixed: [f64; 3],
}

impl Prepared {
    /// Quotes at log-moneyness `k` with total variances `w` and residual weights `weight`.
    pub fn new(k: Vec<f64>, w: Vec<f64>, weight: Vec<f64>) -> Self {
        let w_max = w.iter().cloned().fold(0.0, f64::max);
        let w2: Vec<f64> = weight.iter().map(|g| g * g).collect();
        let wt: Vec<f64> = w2.iter().zip(&w).map(|(a, b)| a * b).collect();
        let mut acc = [[0.0f64; 4]; 3];
        let mut add = |lane: usize, w2: f64, wt: f64, w: f64| {
            acc[0][lane] += wt;
            acc[1][lane] += w2;
            acc[2][lane] += wt * w;
        };
        let (a4, a_rest) = w2.as_chunks::<4>();
        let (t4, t_rest) = wt.as_chunks::<4>();
        let (v4, v_rest) = w.as_chunks::<4>();
        for ((a, t), v) in a4.iter().zip(t4).zip(v4) {
            for lane in 0..4 {
                add(lane, a[lane], t[lane], v[lane]);
            }
        }
        for ((&a, &t), &v) in a_rest.iter().zip(t_rest).zip(v_rest) {
            add(0, a, t, v);
        }
        let sum = |j: usize| (acc[j][0] + acc[j][1]) + (acc[j][2] + acc[j][3]);
        Self {
            k,
            w,
            weight,
            w_max,
            w2,
            wt,
            fixed: [sum(0), sum(1), sum(2)],
        }
    }
}

/// The quasi-explicit inner step: for fixed `(m, σ)`, with `y = (k − m)/σ`,
/// `w = a + u·(√(y²+1) + y)/2 + v·(√(y²+1) − y)/2` is linear in `(a, u, v)`, where
/// `u = bσ(1 + ρ)` and `v = bσ(1 − ρ)`. Minimises the weighted squared error exactly under the
/// box `a_lo ≤ a ≤ max w`, `0 ≤ u, v ≤ 2σ` (Lee's wing bound) by enumerating the faces of the box.
/// Returns `((a, u, v), ½·objective)`; `face` as in [`solve_box`].
pub(crate) fn inner_fit(
    data: &Prepared,
    m: f64,
    sigma: f64,
    a_lo: f64,
    face: &mut usize,
) -> ([f64; 3], f64) {
    solve_box(
        &normal_equations(data, m, sigma),
        data.w_max,
        sigma,
        a_lo,
        face,
    )
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
    // vectorises): acc[j][lane] for h₁, h₂, G₀₁, G₀₂, G₁₁, G₁₂, G₂₂; h₀ = Σ weight²·w,
    // G₀₀ = Σ weight² and c do not depend on (m, σ) and are cached in `data`.
    let mut acc = [[0.0f64; 4]; 7];
    let mut add = |lane: usize, k: f64, w2: f64, wt: f64| {
        let y = (k - m) * inv_s;
        // y is bounded by the quoted k range over σ ≥ σ_min: no overflow in y².
        let r = (y * y + 1.0).sqrt();
        let (f1, f2) = (0.5 * (r + y), 0.5 * (r - y));
        acc[0][lane] += wt * f1;
        acc[1][lane] += wt * f2;
        acc[2][lane] += w2 * f1;
        acc[3][lane] += w2 * f2;
        acc[4][lane] += w2 * f1 * f1;
        acc[5][lane] += w2 * f1 * f2;
        acc[6][lane] += w2 * f2 * f2;
    };
    // Fixed-size chunks: no bounds checks in the hot loop.
    let (k4, k_rest) = data.k.as_chunks::<4>();
    let (a4, a_rest) = data.w2.as_chunks::<4>();
    let (t4, t_rest) = data.wt.as_chunks::<4>();
    for ((k, a), t) in k4.iter().zip(a4).zip(t4) {
        for lane in 0..4 {
            add(lane, k[lane], a[lane], t[lane]);
        }
    }
    for ((&k, &a), &t) in k_rest.iter().zip(a_rest).zip(t_rest) {
        add(0, k, a, t);
    }
    let sum = |j: usize| (acc[j][0] + acc[j][1]) + (acc[j][2] + acc[j][3]);
    let [h0, g00, c] = data.fixed;
    let h = [h0, sum(0), sum(1)];
    let g = [
        [g00, sum(2), sum(3)],
        [sum(2), sum(4), sum(5)],
        [sum(3), sum(5), sum(6)],
    ];
    Normal { g, h, c }
}

/// Minimises the inner objective on the box `a_lo ≤ a ≤ w_max`, `0 ≤ u, v ≤ 2σ`.
///
/// `face` (a pattern of [`FACE_ORDER`]) is tried first and set to the face of the solution:
/// the outer search moves `(m, σ)` a little at a time, so the previous solution's face
/// usually holds the next one and its KKT test ends the search at once.
pub(crate) fn solve_box(
    ne: &Normal,
    w_max: f64,
    sigma: f64,
    a_lo: f64,
    face: &mut usize,
) -> ([f64; 3], f64) {
    let (x, q, _) = solve_box_kkt(ne, w_max, sigma, a_lo, face);
    (x, q)
}

/// [`solve_box`] for the two families of lower bounds on `a` at once (`a_lo[0] > a_lo[1]`),
/// returning both objectives. When the first solution is a KKT point with `a` off its
/// lower bound, it is also the KKT point, hence the minimiser, of the larger box: the two
/// boxes differ only in that bound.
pub(crate) fn solve_box_pair(
    ne: &Normal,
    w_max: f64,
    sigma: f64,
    a_lo: [f64; 2],
    faces: &mut [usize; 2],
) -> [f64; 2] {
    let (_, q0, kkt0) = solve_box_kkt(ne, w_max, sigma, a_lo[0], &mut faces[0]);
    if kkt0 && faces[0] % 3 != 1 {
        faces[1] = faces[0];
        return [q0, q0];
    }
    [q0, solve_box(ne, w_max, sigma, a_lo[1], &mut faces[1]).1]
}

/// [`solve_box`], and whether the solution passed the KKT test (rather than being the best
/// feasible face minimiser).
fn solve_box_kkt(
    ne: &Normal,
    w_max: f64,
    sigma: f64,
    a_lo: f64,
    face: &mut usize,
) -> ([f64; 3], f64, bool) {
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
    let mut best = ([0.0; 3], f64::INFINITY, *face);
    // Each variable is free (0), at its lower (1) or upper (2) bound: 27 faces, visited by
    // the number of active bounds. The problem is convex, so a feasible face minimiser that
    // satisfies the KKT sign conditions (gradient ≥ 0 at a lower bound, ≤ 0 at an upper one)
    // is the constrained minimiser and ends the search; otherwise the best feasible face
    // minimiser is kept (the KKT test can fail by rounding on a singular G).
    let first = *face;
    for pattern in std::iter::once(first).chain(FACE_ORDER.into_iter().filter(|&p| p != first)) {
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
                    let mut mat: [[f64; 3]; 3] =
                        std::array::from_fn(|ri| std::array::from_fn(|ci| e(ri, ci)));
                    solve_dense(&mut mat, &mut rhs)
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
            best = (x, q, pattern);
        }
        if q.is_finite() && kkt(&g, &h, &x, &state) {
            *face = pattern;
            return (x, q, true);
        }
    }
    *face = best.2;
    (best.0, best.1, false)
}

/// The 27 face patterns of [`solve_box`] (base-3 digits: free, lower, upper) ordered by the
/// number of active bounds.
const FACE_ORDER: [usize; 27] = [
    0, 1, 2, 3, 6, 9, 18, 4, 5, 7, 8, 10, 11, 12, 15, 19, 20, 21, 24, 13, 14, 16, 17, 22, 23, 25,
    26,
];

/// KKT sign conditions of `min ½(xᵀGx − 2hᵀx)` on a box at `x`, whose variables are free (0),
/// at the lower (1) or at the upper (2) bound: gradient `Gx − h` non-negative at lower
/// bounds, non-positive at upper bounds (free components are zero by construction), up to
/// rounding relative to the terms of the gradient.
fn kkt(g: &[[f64; 3]; 3], h: &[f64; 3], x: &[f64; 3], state: &[usize; 3]) -> bool {
    (0..3).all(|i| {
        let terms = (0..3).map(|j| g[i][j] * x[j]);
        let grad = terms.clone().sum::<f64>() - h[i];
        let tol = 1e-12 * (terms.map(f64::abs).sum::<f64>() + h[i].abs());
        match state[i] {
            1 => grad >= -tol,
            2 => grad <= tol,
            _ => true,
        }
    })
}

/// The weighted least-squares data objective `½Σ (ωᵢ(w(kᵢ) − wᵢ))²` of a slice.
pub(crate) fn data_cost(data: &Prepared, raw: &RawSvi) -> f64 {
    let mut c = 0.0;
    for i in 0..data.k.len() {
        let r = data.weight[i] * (raw.total_variance(data.k[i]) - data.w[i]);
        c += r * r;
    }
    0.5 * c
}

/// Raw SVI from the polish parameters `(w_min, b(1+ρ), b(1−ρ), m, σ)`:
/// `b = (s₊ + s₋)/2`, `ρ = (s₊ − s₋)/(s₊ + s₋)`, `a = w_min − σ√(s₊s₋)`.
pub(crate) fn to_raw(p: &[f64; 5]) -> Result<RawSvi> {
    let [wmin, sp, sm, m, sigma] = *p;
    let b = 0.5 * (sp + sm);
    let rho = (sp - sm) / (sp + sm);
    let mut a = wmin - sigma * (sp * sm).sqrt();
    // a + bσ√(1−ρ²) equals w_min in exact arithmetic; absorb the rounding so that
    // w_min = 0 maps to a valid slice.
    let wm = a + b * sigma * (1.0 - rho * rho).sqrt();
    if wm < 0.0 {
        a -= wm;
    }
    RawSvi::new(a, b, rho, m, sigma)
}

/// Data residuals `ωᵢ(w(kᵢ) − wᵢ)` of the polish parameters `p = (w_min, s₊, s₋, m, σ)`, where
/// `w = w_min − σ√(s₊s₋) + (s₊ − s₋)x/2 + (s₊ + s₋)R/2`, `x = k − m`, `R = √(x² + σ²)`, and
/// optionally their analytic Jacobian (rows of 5).
pub(crate) fn data_rows(data: &Prepared, p: &[f64; 5], out: &mut [f64], jac: Option<&mut [f64]>) {
    let [wmin, sp, sm, m, sigma] = *p;
    let q = (sp * sm).sqrt();
    let a = wmin - sigma * q;
    let (half_sum, half_diff) = (0.5 * (sp + sm), 0.5 * (sp - sm));
    let n = data.k.len();
    let residual = |i: usize| {
        let x = data.k[i] - m;
        let r = hyp(x, sigma);
        (
            x,
            r,
            data.weight[i] * (a + half_diff * x + half_sum * r - data.w[i]),
        )
    };
    let Some(jac) = jac else {
        for (i, o) in out[..n].iter_mut().enumerate() {
            *o = residual(i).2;
        }
        return;
    };
    // One pass for residuals and Jacobian rows: `hyp` is computed once per quote.
    let (dq_sp, dq_sm) = (0.5 * sigma * sm / q, 0.5 * sigma * sp / q);
    let (rows, _) = jac.as_chunks_mut::<5>();
    for (i, (o, row)) in out[..n].iter_mut().zip(rows).enumerate() {
        let (x, r, res) = residual(i);
        let wt = data.weight[i];
        *o = res;
        *row = [
            wt,
            wt * (0.5 * (x + r) - dq_sp),
            wt * (0.5 * (r - x) - dq_sm),
            wt * (-half_diff - half_sum * x / r),
            wt * (half_sum * sigma / r - q),
        ];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Prepared {
        let raw = RawSvi::new(0.01, 0.1, -0.6, 0.03, 0.12).unwrap();
        let k: Vec<f64> = (0..30).map(|i| -0.4 + 0.02 * i as f64).collect();
        let w: Vec<f64> = k
            .iter()
            .enumerate()
            .map(|(i, &k)| raw.total_variance(k) * (1.0 + 0.01 * ((i * 7 % 5) as f64 - 2.0)))
            .collect();
        let weight = (0..30).map(|i| 1.0 + 0.1 * i as f64).collect();
        Prepared::new(k, w, weight)
    }

    #[test]
    fn analytic_jacobian_matches_central_differences() {
        let d = data();
        let p = [0.02, 0.05, 0.2, 0.01, 0.15];
        let n = d.k.len();
        let (mut r, mut jac) = (vec![0.0; n], vec![0.0; 5 * n]);
        data_rows(&d, &p, &mut r, Some(&mut jac));
        for j in 0..5 {
            let h = 1e-6 * p[j].abs().max(1e-3);
            let (mut pp, mut pm) = (p, p);
            pp[j] += h;
            pm[j] -= h;
            let (mut rp, mut rm) = (vec![0.0; n], vec![0.0; n]);
            data_rows(&d, &pp, &mut rp, None);
            data_rows(&d, &pm, &mut rm, None);
            for i in 0..n {
                let fd = (rp[i] - rm[i]) / (2.0 * h);
                assert!(
                    (jac[5 * i + j] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                    "{i} {j}"
                );
            }
        }
        // The residuals are those of the raw slice the parameters map to.
        let raw = to_raw(&p).unwrap();
        assert!((raw.min_total_variance() - p[0]).abs() < 1e-15);
        let c: f64 = r.iter().map(|x| 0.5 * x * x).sum();
        assert!((data_cost(&d, &raw) - c).abs() < 1e-12 * c);
    }

    #[test]
    fn box_solution_beats_every_feasible_grid_point() {
        let d = data();
        let (m, sigma) = (0.02, 0.1);
        for a_lo in [0.0, -1.0] {
            let (x, obj) = inner_fit(&d, m, sigma, a_lo, &mut 0);
            assert!(x[0] >= a_lo && x[0] <= d.w_max && x[1] >= 0.0 && x[2] >= 0.0);
            assert!(x[1] <= 2.0 * sigma && x[2] <= 2.0 * sigma);
            let f = |x: [f64; 3]| -> f64 {
                let mut s = 0.0;
                for i in 0..d.k.len() {
                    let y = (d.k[i] - m) / sigma;
                    let r = (y * y + 1.0).sqrt();
                    let w = x[0] + 0.5 * x[1] * (r + y) + 0.5 * x[2] * (r - y);
                    s += (d.weight[i] * (w - d.w[i])).powi(2);
                }
                0.5 * s
            };
            assert!((f(x) - obj).abs() < 1e-9 * (1.0 + obj));
            for i in 0..=10 {
                for j in 0..=10 {
                    for l in 0..=10 {
                        let y = [
                            a_lo.max(-0.05) + (d.w_max - a_lo.max(-0.05)) * i as f64 / 10.0,
                            2.0 * sigma * j as f64 / 10.0,
                            2.0 * sigma * l as f64 / 10.0,
                        ];
                        assert!(f(y) >= obj - 1e-12);
                    }
                }
            }
        }
    }

    /// The KKT early exit returns the minimiser over the box: no grid point of the box is
    /// lower, on random convex problems (Gram matrices of 2–6 random vectors, some singular).
    #[test]
    fn box_solution_is_the_minimum() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut u = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        for case in 0..300 {
            let rows = 2 + case % 5;
            let vs: Vec<[f64; 4]> = (0..rows).map(|_| [u(), u(), u(), u()]).collect();
            let mut g = [[0.0; 3]; 3];
            let mut h = [0.0; 3];
            let mut c = 0.0;
            for v in &vs {
                for a in 0..3 {
                    h[a] += v[a] * v[3];
                    for b in 0..3 {
                        g[a][b] += v[a] * v[b];
                    }
                }
                c += v[3] * v[3];
            }
            let ne = Normal { g, h, c };
            let (sigma, w_max, a_lo) = (0.5 + 0.5 * u().abs(), 1.0 + u().abs(), -u().abs());
            let (x, q) = solve_box(&ne, w_max, sigma, a_lo, &mut 0);
            // Starting from any other face reaches the same minimum.
            let mut face = FACE_ORDER[case % 27];
            let q_hint = solve_box(&ne, w_max, sigma, a_lo, &mut face).1;
            assert!((q_hint - q).abs() <= 1e-12 * (1.0 + q), "case {case}");
            // The pair of families agrees with two separate solves.
            let wider = a_lo - u().abs();
            let pair = solve_box_pair(&ne, w_max, sigma, [a_lo, wider], &mut [0, 0]);
            let q_wider = solve_box(&ne, w_max, sigma, wider, &mut 0).1;
            assert!((pair[0] - q).abs() <= 1e-12 * (1.0 + q), "case {case}");
            assert!(
                (pair[1] - q_wider).abs() <= 1e-12 * (1.0 + q_wider),
                "case {case}"
            );
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
            assert!((quad(&x) - q).abs() <= 1e-12 * (1.0 + q));
            let (lo, hi) = ([a_lo, 0.0, 0.0], [w_max, 2.0 * sigma, 2.0 * sigma]);
            for i in 0..3 {
                assert!(
                    x[i] >= lo[i] - 1e-12 && x[i] <= hi[i] + 1e-12,
                    "case {case}"
                );
            }
            let n = 12;
            for p in 0..(n + 1) * (n + 1) * (n + 1) {
                let t = [
                    p % (n + 1),
                    (p / (n + 1)) % (n + 1),
                    p / ((n + 1) * (n + 1)),
                ];
                let y: [f64; 3] =
                    std::array::from_fn(|i| lo[i] + (hi[i] - lo[i]) * t[i] as f64 / n as f64);
                assert!(
                    quad(&y) >= q - 1e-12 * (1.0 + q),
                    "case {case}: {y:?} beats {x:?}"
                );
            }
        }
    }
}
