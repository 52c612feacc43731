//! A structure-exploiting primal-dual interior-point method for the minimum-CVaR linear
//! programme (Mehrotra 1992, "On the implementation of a primal-dual interior point method",
//! SIAM J. Optimization 2(4), predictor-corrector).
//!
//! Variables `x = (w, ζ, u)`, `u ∈ ℝ^T`: minimise `ζ + c·Σu` (`c = 1/(αT)`) subject to
//! `−Rw − ζ − u ≤ 0`, `−u ≤ 0`, `lo ≤ w ≤ hi`, `1ᵀw = budget`. In the Newton system
//! `GᵀWG Δx + AᵀΔy = r` the `T` scenario variables `u` enter through diagonal blocks and are
//! eliminated in closed form, leaving an `(n + 2)`-square dense system whose only expensive
//! part is the weighted Gram matrix `Rᵀ diag(d) R` — one matrix product per iteration rather
//! than a sparse factorisation with a dense `n × n` fill-in for every scenario.

use ndarray::{Array1, Array2, ArrayView2};

use crate::error::{PortfolioError, Result};
use crate::linalg::{cholesky_in_place, cholesky_solve, lower_gram};

/// Solution of the structured solve: weights, ζ, the objective and iterations.
#[derive(Debug, Clone)]
pub(crate) struct CvarSolution {
    pub weights: Array1<f64>,
    pub zeta: f64,
    pub objective: f64,
    pub iterations: u32,
}

struct Point {
    w: Array1<f64>,
    zeta: f64,
    u: Array1<f64>,
    /// Slacks and duals of the four row blocks: scenario, u ≥ 0, lower, upper.
    s: [Array1<f64>; 4],
    z: [Array1<f64>; 4],
    y: f64,
}

/// A Newton direction: primal `(Δw, Δζ, Δu)`, `Δy`, and slack and dual steps per block.
struct Direction {
    dw: Array1<f64>,
    dzeta: f64,
    du: Array1<f64>,
    dy: f64,
    ds: [Array1<f64>; 4],
    dz: [Array1<f64>; 4],
}

/// `G x` for `x = (w, ζ, u)` (the four row blocks).
fn g_times(
    r: ArrayView2<'_, f64>,
    w: &Array1<f64>,
    zeta: f64,
    u: &Array1<f64>,
) -> [Array1<f64>; 4] {
    let rw = r.dot(w);
    [-(&rw + zeta) - u, -u, -w, w.clone()]
}

fn max_step(v: &Array1<f64>, dv: &Array1<f64>) -> f64 {
    v.iter()
        .zip(dv)
        .filter(|(_, d)| **d < 0.0)
        .fold(1.0_f64, |a, (x, d)| a.min(-x / d))
}

/// Minimises CVaR at tail probability `alpha` over `lo ≤ w ≤ hi`, `1ᵀw = budget`.
pub(crate) fn min_cvar(
    r: ArrayView2<'_, f64>,
    alpha: f64,
    lo: &Array1<f64>,
    hi: &Array1<f64>,
    budget: f64,
    tolerance: f64,
    max_iterations: u32,
) -> Result<CvarSolution> {
    let (t, n) = r.dim();
    let c = 1.0 / (alpha * t as f64);
    let h = [Array1::zeros(t), Array1::zeros(t), -lo, hi.clone()];
    let w0: Array1<f64> = (0..n)
        .map(|i| (budget / n as f64).clamp(lo[i], hi[i]))
        .collect();
    // Start scaled to the data and primal feasible in the inequalities: u_t = max(loss_t, 0)
    // + scale, slacks consistent with x, every slack-dual product equal to μ₀ = scale·c.
    let losses = -r.dot(&w0);
    let scale = (losses.iter().map(|l| l * l).sum::<f64>() / t as f64)
        .sqrt()
        .max(1e-8);
    let mu0 = scale * c;
    let u = losses.mapv(|l| l.max(0.0) + scale);
    let s_scen = &u - &losses;
    let s_lo = (&w0 - lo).mapv(|v| v.max(scale));
    let s_hi = (hi - &w0).mapv(|v| v.max(scale));
    let centred = |s: &Array1<f64>| s.mapv(|v| mu0 / v);
    let mut p = Point {
        zeta: 0.0,
        z: [
            centred(&s_scen),
            centred(&u),
            centred(&s_lo),
            centred(&s_hi),
        ],
        s: [s_scen, u.clone(), s_lo, s_hi],
        u,
        w: w0,
        y: 0.0,
    };
    let m = (2 * t + 2 * n) as f64;
    for iteration in 1..=max_iterations {
        // Residuals: r_d = q + Gᵀz + Aᵀy, r_p = 1ᵀw − budget, r_c = Gx + s − h.
        let rz0 = r.t().dot(&p.z[0]);
        let rd_w = -&rz0 - &p.z[2] + &p.z[3] + p.y;
        let rd_zeta = 1.0 - p.z[0].sum();
        let rd_u = -&p.z[0] - &p.z[1] + c;
        let rp = p.w.sum() - budget;
        let gx = g_times(r, &p.w, p.zeta, &p.u);
        let rc: [Array1<f64>; 4] = std::array::from_fn(|k| &gx[k] + &p.s[k] - &h[k]);
        let gap: f64 = (0..4).map(|k| p.s[k].dot(&p.z[k])).sum();
        let mu = gap / m;
        let objective = p.zeta + c * p.u.sum();
        let pres = rc
            .iter()
            .flat_map(|v| v.iter())
            .fold(rp.abs(), |a, v| a.max(v.abs()));
        let dres = rd_w
            .iter()
            .chain(rd_u.iter())
            .fold(rd_zeta.abs(), |a, v| a.max(v.abs()));
        if pres <= tolerance
            && dres <= tolerance * c.max(1.0)
            && gap <= tolerance * (1.0 + objective.abs())
        {
            return Ok(CvarSolution {
                weights: p.w,
                zeta: p.zeta,
                objective,
                iterations: iteration - 1,
            });
        }
        // Scalings W = Z/S per block and the reduced (n + 2)-square system.
        let wts: [Array1<f64>; 4] = std::array::from_fn(|k| &p.z[k] / &p.s[k]);
        let (w1, w2) = (&wts[0], &wts[1]);
        let sum12 = w1 + w2;
        let d = w1 * w2 / &sum12;
        let frac = w1 / &sum12;
        // Constraint reduction (Tits, Absil & Woessner 2006, "Constraint reduction for linear
        // programs with many inequality constraints", SIAM J. Optimization 17(1)): near the
        // optimum d_t ≈ min(W1_t, W2_t) vanishes for every scenario except those at the VaR
        // boundary, so rows below 1e-9 of the largest weight are left out of the Gram matrix.
        let dmax = d.iter().fold(0.0_f64, |a, v| a.max(*v));
        let keep: Vec<usize> = (0..t).filter(|&i| d[i] > 1e-9 * dmax).collect();
        let rs = Array2::from_shape_fn((keep.len(), n), |(a, j)| {
            r[[keep[a], j]] * d[keep[a]].sqrt()
        });
        let gram = lower_gram(&rs);
        // The coupling terms use the same rows, so the reduced matrix stays a Gram matrix
        // (positive definite).
        let mut rd = Array1::<f64>::zeros(n);
        let mut dsum = 0.0;
        for &i in &keep {
            rd.scaled_add(d[i], &r.row(i));
            dsum += d[i];
        }
        // K = [[RᵀDR + diag(W_lo + W_hi), Rᵀd], [dᵀR, Σd]] is positive definite; the budget
        // row a = (1, …, 1, 0) is handled by a Schur complement on top of its Cholesky factor
        // (a pure-Rust factorisation: n is small and it keeps LAPACK threads out of the loop).
        let mut k = Array2::<f64>::zeros((n + 1, n + 1));
        for i in 0..n {
            for j in 0..=i {
                k[[i, j]] = gram[[i, j]];
            }
            k[[i, i]] += wts[2][i] + wts[3][i];
            k[[n, i]] = rd[i];
        }
        k[[n, n]] = dsum;
        // Near the optimum the scalings span ~1e±13 and round-off can break definiteness: a
        // growing diagonal shift (an inexact Newton step; residuals stay exact) restores it.
        let kmax = (0..=n).fold(0.0_f64, |a, i| a.max(k[[i, i]]));
        let mut shift = 0.0;
        let base = k.clone();
        while !cholesky_in_place(&mut k) {
            shift = if shift == 0.0 {
                1e-14 * kmax
            } else {
                shift * 100.0
            };
            if shift > 1e-6 * kmax {
                return Err(PortfolioError::NotConverged {
                    algorithm: "CVaR interior point (Newton system lost definiteness)",
                    iterations: iteration as usize,
                    residual: pres,
                });
            }
            k.assign(&base);
            for i in 0..=n {
                k[[i, i]] += shift;
            }
        }
        let mut va = Array2::<f64>::zeros((n + 1, 1));
        for i in 0..n {
            va[[i, 0]] = 1.0;
        }
        cholesky_solve(&k, &mut va);
        let sa: f64 = (0..n).map(|i| va[[i, 0]]).sum();
        // One Newton solve for a complementarity right-hand side r_sz per block.
        let newton = |rsz: &[Array1<f64>; 4]| -> Result<Direction> {
            // rhs_x = −r_d − Gᵀ S⁻¹(Z r_c − r_sz).
            let v: [Array1<f64>; 4] =
                std::array::from_fn(|b| (&p.z[b] * &rc[b] - &rsz[b]) / &p.s[b]);
            // Gᵀv: scenario rows (−r, −1, −e), u rows (0, 0, −e), lower (−e), upper (+e).
            let gv_w = -r.t().dot(&v[0]) - &v[2] + &v[3];
            let gv_zeta = -v[0].sum();
            let gv_u = -&v[0] - &v[1];
            let bx_w = -&rd_w - &gv_w;
            let bx_zeta = -rd_zeta - gv_zeta;
            let bx_u = -&rd_u - &gv_u;
            // Eliminate Δu from (W1 + W2)Δu = bx_u − W1∘(RΔw + Δζ).
            let mut rhs = Array2::<f64>::zeros((n + 1, 1));
            let fu = &frac * &bx_u;
            let rfu = r.t().dot(&fu);
            for i in 0..n {
                rhs[[i, 0]] = bx_w[i] - rfu[i];
            }
            rhs[[n, 0]] = bx_zeta - fu.sum();
            cholesky_solve(&k, &mut rhs);
            // Budget row: Δy = (aᵀx₁ + r_p)/(aᵀK⁻¹a), x = x₁ − K⁻¹a·Δy.
            let dy = ((0..n).map(|i| rhs[[i, 0]]).sum::<f64>() + rp) / sa;
            let sol: Array1<f64> = (0..=n).map(|i| rhs[[i, 0]] - va[[i, 0]] * dy).collect();
            let dw: Array1<f64> = sol.iter().take(n).copied().collect();
            let dzeta = sol[n];
            let rdw = r.dot(&dw);
            let du = (&bx_u - &(w1 * &(&rdw + dzeta))) / &sum12;
            let gdx = [-(&rdw + dzeta) - &du, -&du, -&dw, dw.clone()];
            let dz: [Array1<f64>; 4] = std::array::from_fn(|b| &wts[b] * &gdx[b] + &v[b]);
            let ds: [Array1<f64>; 4] = std::array::from_fn(|b| -&rc[b] - &gdx[b]);
            Ok(Direction {
                dw,
                dzeta,
                du,
                dy,
                ds,
                dz,
            })
        };
        // Separate primal and dual step lengths, as usual for linear programmes.
        let steps = |ds: &[Array1<f64>; 4], dz: &[Array1<f64>; 4]| {
            (
                (0..4).fold(1.0_f64, |a, b| a.min(max_step(&p.s[b], &ds[b]))),
                (0..4).fold(1.0_f64, |a, b| a.min(max_step(&p.z[b], &dz[b]))),
            )
        };
        // Predictor.
        let rsz_aff: [Array1<f64>; 4] = std::array::from_fn(|b| &p.s[b] * &p.z[b]);
        let Direction {
            ds: ds_a, dz: dz_a, ..
        } = newton(&rsz_aff)?;
        let (ap_aff, ad_aff) = steps(&ds_a, &dz_a);
        let gap_aff: f64 = (0..4)
            .map(|b| (&p.s[b] + &(&ds_a[b] * ap_aff)).dot(&(&p.z[b] + &(&dz_a[b] * ad_aff))))
            .sum();
        let sigma = (gap_aff / gap).powi(3);
        // Corrector.
        let rsz: [Array1<f64>; 4] =
            std::array::from_fn(|b| &rsz_aff[b] + &(&ds_a[b] * &dz_a[b]) - sigma * mu);
        let Direction {
            dw,
            dzeta,
            du,
            dy,
            ds,
            dz,
        } = newton(&rsz)?;
        let (ap, ad) = steps(&ds, &dz);
        let (ap, ad) = ((0.99 * ap).min(1.0), (0.99 * ad).min(1.0));
        p.w.scaled_add(ap, &dw);
        p.zeta += ap * dzeta;
        p.u.scaled_add(ap, &du);
        p.y += ad * dy;
        for b in 0..4 {
            p.s[b].scaled_add(ap, &ds[b]);
            p.z[b].scaled_add(ad, &dz[b]);
        }
    }
    Err(PortfolioError::NotConverged {
        algorithm: "CVaR interior point",
        iterations: max_iterations as usize,
        residual: f64::NAN,
    })
}
