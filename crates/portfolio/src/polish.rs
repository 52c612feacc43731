//! Exact active-set KKT solve ("polish") for mean-variance problems whose constraints are
//! bounds, the budget, group limits and the return constraint.
//!
//! Given which inequalities are active, the optimum solves the equality-constrained QP
//! `min ½wᵀHw + gᵀw  s.t.  C w = d`, `H = h·Σ + 2γI`, with the active bounds fixing
//! variables. Eliminating the fixed set `X` and writing `F` for the free set,
//! `w_F = H_FF⁻¹(C_Fᵀλ − g_F − H_FX w_X)` and `(C_F H_FF⁻¹ C_Fᵀ) λ = d − C_X w_X + C_F H_FF⁻¹(g_F + H_FX w_X)`
//! (the range-space method; Nocedal & Wright 2006, "Numerical Optimization", 2nd ed., §16.2).
//! With the return row `μᵀw = r` among the equalities, `w(r)` and `λ(r)` are affine in `r`,
//! which gives the maximum-Sharpe and target-risk points on the face in closed form. A
//! candidate is accepted only if it is primal feasible and the multipliers have the right
//! signs, i.e. it satisfies the KKT conditions of the convex problem and is therefore optimal.

use ndarray::{Array1, Array2};
use ndarray_linalg::Solve;

use crate::formulate::Rows;
use crate::mean_variance::MeanVariance;
use crate::qp::QpSolution;
use crate::solve::Pick;

/// Which side of a two-sided constraint is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Free,
    Lower,
    Upper,
}

/// Active constraints at a solution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActiveSet {
    pub assets: Vec<Side>,
    pub groups: Vec<Side>,
}

impl ActiveSet {
    /// Nothing active.
    pub(crate) fn free(n_assets: usize, n_groups: usize) -> Self {
        Self {
            assets: vec![Side::Free; n_assets],
            groups: vec![Side::Free; n_groups],
        }
    }

    /// Interior-point identification: a constraint is active when its slack is smaller than its
    /// multiplier (strict complementarity separates the two as the barrier vanishes).
    pub(crate) fn from_solution(sol: &QpSolution, rows: &Rows) -> Self {
        let active = |r: Option<usize>| r.is_some_and(|r| sol.s[r] < sol.z[r]);
        let side = |lo: Option<usize>, hi: Option<usize>| {
            if active(lo) {
                Side::Lower
            } else if active(hi) {
                Side::Upper
            } else {
                Side::Free
            }
        };
        Self {
            assets: rows
                .lower
                .iter()
                .zip(&rows.upper)
                .map(|(&l, &u)| side(l, u))
                .collect(),
            groups: rows
                .group_lower
                .iter()
                .zip(&rows.group_upper)
                .map(|(&l, &u)| side(l, u))
                .collect(),
        }
    }
}

/// The solution on one face: `w(r) = w0 + r·w1`, multipliers `λ(r) = l0 + r·l1` for the
/// rows `[budget, active groups…, return]`.
#[derive(Debug, Clone)]
pub(crate) struct Face {
    pub(crate) w0: Array1<f64>,
    pub(crate) w1: Array1<f64>,
    l0: Array1<f64>,
    l1: Array1<f64>,
    active: ActiveSet,
    with_return: bool,
}

/// The objective's Hessian scale `h` (`H = h·Σ + 2γI`) and linear term `g`.
#[derive(Debug, Clone)]
pub(crate) struct Quadratic {
    pub h: f64,
    pub g: Array1<f64>,
}

impl MeanVariance {
    fn constraint_rows(
        &self,
        active: &ActiveSet,
        with_return: bool,
    ) -> (Vec<Array1<f64>>, Vec<f64>) {
        let n = self.n_assets();
        let mut c = vec![Array1::ones(n)];
        let mut d = vec![self.budget];
        for (g, side) in self.groups.iter().zip(&active.groups) {
            let bound = match side {
                Side::Free => continue,
                Side::Lower => g.lower,
                Side::Upper => g.upper,
            };
            let mut row = Array1::zeros(n);
            for &i in &g.assets {
                row[i] = 1.0;
            }
            c.push(row);
            d.push(bound);
        }
        if with_return {
            // μᵀw = r is written as (μ − m)ᵀw = r − m·budget with m the free assets' mean
            // return: when the free returns are nearly equal, μ and 1 are nearly parallel on
            // the free set and the centred row keeps the reduced system well conditioned. The
            // return multiplier is unchanged (the shift moves into the budget multiplier).
            let free: Vec<usize> = (0..n).filter(|&i| active.assets[i] == Side::Free).collect();
            let m = if free.is_empty() {
                0.0
            } else {
                free.iter().map(|&i| self.mu[i]).sum::<f64>() / free.len() as f64
            };
            c.push(self.mu.mapv(|x| x - m));
            d.push(-m * self.budget);
        }
        (c, d)
    }

    /// Solves the KKT system on the face `active`; `None` if it is singular.
    pub(crate) fn face(
        &self,
        quad: &Quadratic,
        active: &ActiveSet,
        with_return: bool,
    ) -> Option<Face> {
        let n = self.n_assets();
        let mut fixed = Vec::new();
        let mut fixed_w = Vec::new();
        let mut free = Vec::new();
        for (i, side) in active.assets.iter().enumerate() {
            match side {
                Side::Free => free.push(i),
                Side::Lower => {
                    fixed.push(i);
                    fixed_w.push(self.lower[i]);
                }
                Side::Upper => {
                    fixed.push(i);
                    fixed_w.push(self.upper[i]);
                }
            }
        }
        let (c, d) = self.constraint_rows(active, with_return);
        let m = c.len();
        let nf = free.len();
        let mut w0 = Array1::<f64>::zeros(n);
        for (&i, &v) in fixed.iter().zip(&fixed_w) {
            w0[i] = v;
        }
        // Right-hand side of the reduced system, d − C_X w_X.
        let dr: Array1<f64> = (0..m)
            .map(|r| {
                d[r] - fixed
                    .iter()
                    .zip(&fixed_w)
                    .map(|(&i, v)| c[r][i] * v)
                    .sum::<f64>()
            })
            .collect();
        if nf == 0 {
            // Every weight fixed: the face is a point; the constraints must hold as they are.
            let ok = dr
                .iter()
                .take(if with_return { m - 1 } else { m })
                .all(|v| v.abs() < 1e-12);
            return ok.then(|| Face {
                w1: Array1::zeros(n),
                l0: Array1::zeros(m),
                l1: Array1::zeros(m),
                w0,
                active: active.clone(),
                with_return,
            });
        }
        let hx = self.risk.block_times(&free, &fixed, &fixed_w) * quad.h;
        let mut rhs = Array2::<f64>::zeros((nf, 1 + m));
        for (p, &i) in free.iter().enumerate() {
            rhs[[p, 0]] = -quad.g[i] - hx[p];
            for r in 0..m {
                rhs[[p, 1 + r]] = c[r][i];
            }
        }
        let ridge = 2.0 * self.l2 / quad.h;
        let sol = self.risk.solve_block(&free, ridge, &rhs)? / quad.h;
        let u0 = sol.column(0).to_owned();
        let u = Array2::from_shape_fn((nf, m), |(p, r)| sol[[p, 1 + r]]);
        let cf = Array2::from_shape_fn((m, nf), |(r, p)| c[r][free[p]]);
        let mm = cf.dot(&u);
        let base = &dr - &cf.dot(&u0);
        let l0 = mm.solve(&base).ok()?;
        let l1 = if with_return {
            let mut e = Array1::zeros(m);
            e[m - 1] = 1.0;
            mm.solve(&e).ok()?
        } else {
            Array1::zeros(m)
        };
        let wf0 = &u0 + &u.dot(&l0);
        let wf1 = u.dot(&l1);
        // A singular reduced system (more independent equalities than free weights) can slip
        // through LU with a tiny pivot: insist that the equalities hold, relative to the size
        // of the terms (an ill-conditioned but regular face has large w₁ and a small residual).
        let cmax = c
            .iter()
            .flat_map(|row| row.iter())
            .fold(1.0_f64, |a, v| a.max(v.abs()));
        let amax = |v: &Array1<f64>| v.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
        let scale0 = 1.0 + amax(&dr) + cmax * amax(&wf0);
        let scale1 = 1.0 + cmax * amax(&wf1);
        let res0 = &cf.dot(&wf0) - &dr;
        let mut res1 = cf.dot(&wf1);
        if with_return {
            res1[m - 1] -= 1.0;
        }
        let bad = |res: &Array1<f64>, scale: f64| {
            res.iter()
                .any(|v| v.is_nan() || v.abs() > 1e-10 * scale * nf as f64)
        };
        if bad(&res0, scale0) || bad(&res1, scale1) {
            return None;
        }
        let mut w1 = Array1::zeros(n);
        for (p, &i) in free.iter().enumerate() {
            w0[i] = wf0[p];
            w1[i] = wf1[p];
        }
        if !(w0.iter().chain(w1.iter()).all(|v| v.is_finite())) {
            return None;
        }
        Some(Face {
            w0,
            w1,
            l0,
            l1,
            active: active.clone(),
            with_return,
        })
    }

    /// `(a, b, c)` with `variance(r) = a r² + b r + c` on the face.
    pub(crate) fn face_variance(&self, face: &Face) -> (f64, f64, f64) {
        let s1 = self.risk.times(face.w1.view());
        let s0 = self.risk.times(face.w0.view());
        (face.w1.dot(&s1), 2.0 * face.w0.dot(&s1), face.w0.dot(&s0))
    }

    /// Weights, multipliers of the equality rows, and bound multipliers at return level `r`.
    pub(crate) fn face_eval(
        &self,
        quad: &Quadratic,
        face: &Face,
        r: f64,
    ) -> (Array1<f64>, Array1<f64>, Array1<f64>) {
        let w = &face.w0 + &(&face.w1 * r);
        let lam = &face.l0 + &(&face.l1 * r);
        // Gradient minus Cᵀλ is the vector of bound multipliers.
        let grad = self.risk.times(w.view()) * quad.h + &(&w * (2.0 * self.l2)) + &quad.g;
        let (c, _) = self.constraint_rows(&face.active, face.with_return);
        let mut mult = grad;
        for (row, l) in c.iter().zip(lam.iter()) {
            mult.scaled_add(-l, row);
        }
        (w, lam, mult)
    }

    fn tolerances(&self, quad: &Quadratic, w: &Array1<f64>) -> (f64, f64) {
        let scale = self
            .upper
            .iter()
            .chain(self.lower.iter())
            .fold(0.0_f64, |m, v| m.max(v.abs()));
        let grad = self.risk.times(w.view()) * quad.h + &quad.g;
        let gscale = grad.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        (1e-9 * (1.0 + scale), 1e-9 * (1.0 + gscale))
    }

    /// Whether the budget and every active group limit hold at `w` to `ptol` (an
    /// ill-conditioned face can yield a point that satisfies the reduced system only loosely).
    fn equalities_hold(&self, active: &ActiveSet, w: &Array1<f64>, ptol: f64) -> bool {
        (w.sum() - self.budget).abs() <= ptol
            && self.groups.iter().zip(&active.groups).all(|(g, side)| {
                let s: f64 = g.assets.iter().map(|&i| w[i]).sum();
                match side {
                    Side::Free => true,
                    Side::Lower => (s - g.lower).abs() <= ptol,
                    Side::Upper => (s - g.upper).abs() <= ptol,
                }
            })
    }

    /// The return level the objective picks on a face; `None` if undefined there.
    pub(crate) fn face_return(&self, face: &Face, pick: Pick) -> Option<f64> {
        let r = match pick {
            Pick::Fixed => 0.0,
            Pick::Return(t) => t,
            Pick::Sharpe(rf) => {
                let (a, b, c) = self.face_variance(face);
                // d/dr (r − rf)/√(a r² + b r + c) = 0  ⇔  r = −(2c + b·rf)/(b + 2a·rf).
                -(2.0 * c + b * rf) / (b + 2.0 * a * rf)
            }
            Pick::Risk(sigma) => {
                let (a, b, c) = self.face_variance(face);
                let disc = b * b - 4.0 * a * (c - sigma * sigma);
                if a <= 0.0 || disc < 0.0 {
                    return None;
                }
                (-b + disc.sqrt()) / (2.0 * a)
            }
        };
        r.is_finite().then_some(r)
    }

    /// Primal-dual active-set iterations (Hintermüller, Ito & Kunisch 2002, "The primal-dual
    /// active set strategy as a semismooth Newton method", SIAM J. Optimization 13(3)) from
    /// `start`: solve on the face, fix violated bounds and group limits, release constraints
    /// whose multipliers have the wrong sign, until nothing changes — then the point satisfies
    /// the KKT conditions and is optimal. `None` when a face is singular or the iteration
    /// limit is reached; the caller then falls back to the conic solver.
    pub(crate) fn active_set_solve(
        &self,
        quad: &Quadratic,
        start: &ActiveSet,
        pick: Pick,
        max_iterations: usize,
    ) -> Option<(Array1<f64>, ActiveSet, usize)> {
        let with_return = !matches!(pick, Pick::Fixed);
        let mut active = start.clone();
        for iteration in 1..=max_iterations {
            let face = self.face(quad, &active, with_return)?;
            let r = self.face_return(&face, pick)?;
            let (w, lam, mult) = self.face_eval(quad, &face, r);
            let (ptol, dtol) = self.tolerances(quad, &w);
            if with_return && lam[lam.len() - 1] < -dtol {
                return None;
            }
            let mut next = active.clone();
            for (i, side) in next.assets.iter_mut().enumerate() {
                *side = match *side {
                    Side::Free if w[i] < self.lower[i] - ptol => Side::Lower,
                    Side::Free if w[i] > self.upper[i] + ptol => Side::Upper,
                    Side::Lower if mult[i] < -dtol => Side::Free,
                    Side::Upper if mult[i] > dtol => Side::Free,
                    s => s,
                };
            }
            let mut row = 1;
            for (g, side) in self.groups.iter().zip(next.groups.iter_mut()) {
                let sum: f64 = g.assets.iter().map(|&i| w[i]).sum();
                *side = match *side {
                    Side::Free if sum < g.lower - ptol => Side::Lower,
                    Side::Free if sum > g.upper + ptol => Side::Upper,
                    Side::Free => Side::Free,
                    s => {
                        let l = lam[row];
                        row += 1;
                        match s {
                            Side::Lower if l < -dtol => Side::Free,
                            Side::Upper if l > dtol => Side::Free,
                            s => s,
                        }
                    }
                };
            }
            if next == active {
                return self
                    .equalities_hold(&active, &w, ptol)
                    .then_some((w, active, iteration));
            }
            active = next;
        }
        None
    }

    /// Weights at `r`, if they satisfy every constraint and the multiplier signs (the KKT
    /// conditions), with `min_return` the return constraint's bound when it is an inequality.
    pub(crate) fn face_point(
        &self,
        quad: &Quadratic,
        face: &Face,
        r: f64,
        min_return: Option<f64>,
    ) -> Option<Array1<f64>> {
        let (w, lam, mult) = self.face_eval(quad, face, r);
        let (ptol, dtol) = self.tolerances(quad, &w);
        if !self.equalities_hold(&face.active, &w, ptol) {
            return None;
        }
        for i in 0..w.len() {
            if w[i] < self.lower[i] - ptol || w[i] > self.upper[i] + ptol {
                return None;
            }
        }
        for g in &self.groups {
            let s: f64 = g.assets.iter().map(|&i| w[i]).sum();
            if s < g.lower - ptol || s > g.upper + ptol {
                return None;
            }
        }
        if let Some(t) = min_return
            && self.mu.dot(&w) < t - ptol * (1.0 + t.abs())
        {
            return None;
        }
        for (i, side) in face.active.assets.iter().enumerate() {
            let ok = match side {
                Side::Free => true,
                Side::Lower => mult[i] >= -dtol,
                Side::Upper => mult[i] <= dtol,
            };
            if !ok {
                return None;
            }
        }
        let mut r_idx = 1;
        for side in &face.active.groups {
            let ok = match side {
                Side::Free => continue,
                Side::Lower => lam[r_idx] >= -dtol,
                Side::Upper => lam[r_idx] <= dtol,
            };
            r_idx += 1;
            if !ok {
                return None;
            }
        }
        if face.with_return && lam[lam.len() - 1] < -dtol {
            return None;
        }
        Some(w)
    }
}
