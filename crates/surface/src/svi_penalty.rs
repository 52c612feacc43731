//! Arbitrage penalties of the SVI polish: Durrleman's `g ≥ 10⁻³` and calendar bounds at a set
//! of points, as least-squares residuals with their analytic Jacobian.

use crate::svi::hyp;
use crate::svi_fit::{BUTTERFLY_MARGIN, Bound};

/// Penalty points and weights for the polish.
pub(crate) struct Penalty<'a> {
    pub points: Vec<f64>,
    pub calendar_margin: f64,
    pub butterfly: f64,
    pub calendar: f64,
    pub bounds: &'a [Bound<'a>],
    /// `w` of each bound at each point (`points.len()` per bound), NaN outside the bound's
    /// range: the bounds are fixed, so they are evaluated once per round, not once per
    /// residual evaluation.
    pub bound_w: Vec<f64>,
}

impl Penalty<'_> {
    /// Re-evaluates the bounds after points were added.
    pub fn refresh(&mut self) {
        self.bound_w.clear();
        for bd in self.bounds {
            self.bound_w.extend(self.points.iter().map(|&k| {
                if k >= bd.range.0 && k <= bd.range.1 {
                    bd.smile.total_variance(k)
                } else {
                    f64::NAN
                }
            }));
        }
    }
}

/// Penalty residuals at the penalty points: `2·np` values, butterfly then calendar, and with
/// `jac` their analytic Jacobian (row-major, 5 per row) in `p = (w_min, b(1+ρ), b(1−ρ), m, σ)`.
///
/// With `c = bρ`, `x = k − m`, `r = √(x² + σ²)`, `a = w_min − σ√(b²(1−ρ²))`:
/// `w = a + cx + br`, `w' = c + bx/r`, `w'' = bσ²/r³`, differentiated through
/// `b = (p₁ + p₂)/2`, `c = (p₁ − p₂)/2`, `a = p₀ − σ√(p₁p₂)`; Durrleman's `g` then follows by
/// the chain rule. The hinges are differentiated on the side they are on.
pub(crate) fn penalty_rows(
    pen: &Penalty<'_>,
    scale: f64,
    p: &[f64; 5],
    out: &mut [f64],
    mut jac: Option<&mut [f64]>,
) {
    let [wmin, sp, sm, m, sigma] = *p;
    let b = 0.5 * (sp + sm);
    let c = 0.5 * (sp - sm);
    let root = (sp * sm).sqrt();
    let a = wmin - sigma * root;
    // ∂a/∂p (the other partials follow below).
    let (a_sp, a_sm, a_sigma) = (-0.5 * sigma * sm / root, -0.5 * sigma * sp / root, -root);
    let np = pen.points.len();
    let cal_w = pen.calendar * scale;
    for (j, &k) in pen.points.iter().enumerate() {
        let x = k - m;
        let r = hyp(x, sigma);
        let w = a + c * x + b * r;
        let mut gb_dp = [0.0; 5];
        let mut cal_sign = 0.0;
        let want = jac.is_some();
        // ∂w/∂p, needed only where a penalty is active.
        let dw_dp = || {
            [
                1.0,
                a_sp + 0.5 * (x + r),
                a_sm + 0.5 * (r - x),
                -(c + b * x / r),
                a_sigma + b * sigma / r,
            ]
        };
        let (gb, gc) = if w > 0.0 {
            let dw = c + b * x / r;
            let r3 = r * r * r;
            let d2w = b * sigma * sigma / r3;
            let t1 = 1.0 - k * dw / (2.0 * w);
            let g = t1 * t1 - 0.25 * dw * dw * (1.0 / w + 0.25) + 0.5 * d2w;
            let mut cal = 0.0;
            for (i, bd) in pen.bounds.iter().enumerate() {
                let wb = pen.bound_w[i * np + j];
                if !wb.is_nan() {
                    let gap = bd.sign * (w - wb) - pen.calendar_margin;
                    if gap < 0.0 {
                        cal -= gap;
                        cal_sign -= bd.sign;
                    }
                }
            }
            let gb = (BUTTERFLY_MARGIN - g).max(0.0);
            if want && gb > 0.0 {
                let dw_dp = dw_dp();
                let s2 = sigma * sigma;
                let d1_dp = [
                    0.0,
                    0.5 * (1.0 + x / r),
                    0.5 * (x / r - 1.0),
                    -b * s2 / r3,
                    -b * x * sigma / r3,
                ];
                let r5 = r3 * r * r;
                let d2_dp = [
                    0.0,
                    0.5 * s2 / r3,
                    0.5 * s2 / r3,
                    3.0 * b * s2 * x / r5,
                    b * (2.0 * sigma / r3 - 3.0 * s2 * sigma / r5),
                ];
                for q in 0..5 {
                    let dt1 = -k * (d1_dp[q] * w - dw * dw_dp[q]) / (2.0 * w * w);
                    let dg = 2.0 * t1 * dt1 - 0.5 * dw * d1_dp[q] * (1.0 / w + 0.25)
                        + 0.25 * dw * dw * dw_dp[q] / (w * w)
                        + 0.5 * d2_dp[q];
                    gb_dp[q] = -pen.butterfly * dg;
                }
            }
            (gb, cal)
        } else {
            if want {
                for (v, d) in gb_dp.iter_mut().zip(dw_dp()) {
                    *v = -pen.butterfly * d;
                }
            }
            (1.0 - w, 0.0)
        };
        out[j] = pen.butterfly * gb;
        out[np + j] = cal_w * gc;
        if let Some(jac) = jac.as_deref_mut() {
            jac[5 * j..5 * j + 5].copy_from_slice(&gb_dp);
            let row = &mut jac[5 * (np + j)..5 * (np + j) + 5];
            if cal_sign == 0.0 {
                row.fill(0.0);
            } else {
                for (v, d) in row.iter_mut().zip(dw_dp()) {
                    *v = cal_w * cal_sign * d;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::svi::{RawSvi, SviSmile};

    /// The analytic penalty Jacobian against central differences, on Axel Vogt's slice (its
    /// butterfly penalty is active around k = 0.9) under a floor that binds everywhere.
    #[test]
    fn penalty_jacobian_matches_central_differences() {
        let (a, b, rho, m, sigma): (f64, f64, f64, f64, f64) =
            (-0.041, 0.1331, 0.306, 0.3586, 0.4153);
        let p = [
            a + b * sigma * (1.0 - rho * rho).sqrt(),
            b * (1.0 + rho),
            b * (1.0 - rho),
            m,
            sigma,
        ];
        let floor = SviSmile::new(RawSvi::new(0.2, 0.1, -0.3, 0.0, 0.2).unwrap(), 0.5).unwrap();
        let bounds = [Bound {
            smile: &floor,
            range: (-1.0, 1.0),
            sign: 1.0,
        }];
        let mut pen = Penalty {
            points: (0..41).map(|i| -1.5 + 0.075 * i as f64).collect(),
            calendar_margin: 1e-6,
            butterfly: 3.0,
            calendar: 7.0,
            bounds: &bounds,
            bound_w: Vec::new(),
        };
        pen.refresh();
        let rows = 2 * pen.points.len();
        let (mut r, mut jac) = (vec![0.0; rows], vec![0.0; 5 * rows]);
        penalty_rows(&pen, 2.0, &p, &mut r, Some(&mut jac));
        assert!(r[..41].iter().any(|&v| v > 0.0) && r[41..].iter().any(|&v| v > 0.0));
        let (mut up, mut dn) = (vec![0.0; rows], vec![0.0; rows]);
        for q in 0..5 {
            let h = 1e-6 * p[q].abs().max(1e-3);
            let (mut pu, mut pd) = (p, p);
            pu[q] += h;
            pd[q] -= h;
            penalty_rows(&pen, 2.0, &pu, &mut up, None);
            penalty_rows(&pen, 2.0, &pd, &mut dn, None);
            for i in 0..rows {
                // Points next to a hinge have one-sided derivatives: skip those whose
                // activity changes within the step.
                if (up[i] > 0.0) != (dn[i] > 0.0) {
                    continue;
                }
                let fd = (up[i] - dn[i]) / (2.0 * h);
                let an = jac[5 * i + q];
                assert!(
                    (fd - an).abs() <= 1e-6 * (1.0 + an.abs()),
                    "row {i} param {q}: analytic {an}, differences {fd}"
                );
            }
        }
    }
}
