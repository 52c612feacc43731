//! Translation of a [`MeanVariance`] problem into Clarabel's conic form.
//!
//! Variables: `x = [w (n) | y = Bᵀw (k, factor models only) | κ (homogenised max Sharpe) |
//! turnover slacks (n) | cost slacks (n) | leverage slacks (n)]`. With a factor model the
//! quadratic form is `yᵀFy + wᵀDw`, which keeps `P` block diagonal and `A` sparse.

use ndarray::Array1;

use crate::error::Result;
use crate::mean_variance::MeanVariance;
use crate::qp::{Qp, QpSolution};
use crate::risk_model::Risk;

/// The shape of the programme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Form {
    /// `min c·wᵀΣw − m·μᵀw (+ γ‖w‖² + costs)`, optionally with `μᵀw ≥ min_return`.
    Quadratic {
        risk_weight: f64,
        return_weight: f64,
        min_return: Option<f64>,
    },
    /// `max μᵀw (− γ‖w‖² − costs)` subject to `√(wᵀΣw) ≤ max_volatility`.
    RiskCapped { max_volatility: f64 },
    /// Homogenised max Sharpe: `min yᵀΣy`, `(μ − r_f)ᵀy = 1`, constants scaled by `κ ≥ 0`.
    Homogenised { risk_free: f64 },
    /// `max μᵀw`: the linear programme for the largest attainable return.
    MaxReturn,
}

/// Where each constraint of interest sits among Clarabel's rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rows {
    pub lower: Vec<Option<usize>>,
    pub upper: Vec<Option<usize>>,
    pub group_lower: Vec<Option<usize>>,
    pub group_upper: Vec<Option<usize>>,
    pub ret: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub n: usize,
    pub y: usize,
    pub kappa: Option<usize>,
}

impl Layout {
    /// Weights from a primal solution (dividing by `κ` when homogenised).
    pub(crate) fn weights(&self, x: &[f64]) -> Array1<f64> {
        let w = Array1::from(x[..self.n].to_vec());
        match self.kappa {
            Some(k) => w / x[k],
            None => w,
        }
    }
}

/// Adds `−constant·κ` when homogenised, so `aᵀx ≤ c` becomes `aᵀy − cκ ≤ 0`.
fn affine(
    kappa: Option<usize>,
    mut coeffs: Vec<(usize, f64)>,
    constant: f64,
) -> (Vec<(usize, f64)>, f64) {
    match kappa {
        Some(k) => {
            coeffs.push((k, -constant));
            (coeffs, 0.0)
        }
        None => (coeffs, constant),
    }
}

/// A second-order-cone row with value `lin(x) + constant` (Clarabel's `s = b − Ax`).
fn soc_row(
    kappa: Option<usize>,
    lin: Vec<(usize, f64)>,
    constant: f64,
) -> (Vec<(usize, f64)>, f64) {
    let mut a: Vec<(usize, f64)> = lin.into_iter().map(|(j, v)| (j, -v)).collect();
    match kappa {
        Some(k) => {
            a.push((k, -constant));
            (a, 0.0)
        }
        None => (a, constant),
    }
}

impl MeanVariance {
    /// Rows `[scale·s; Lᵀ(w − c)]` of `‖Σ^{1/2}(w − c)‖ ≤ scale` (`c` = `center`).
    fn risk_cone(
        &self,
        qp: &mut Qp,
        lay: &Layout,
        scale: f64,
        center: Option<&Array1<f64>>,
    ) -> Result<()> {
        let root = self.risk.dense_root()?;
        let mut rows = vec![soc_row(lay.kappa, vec![], scale)];
        match &self.risk {
            Risk::Dense(_) => {
                for j in 0..lay.n {
                    let lin: Vec<(usize, f64)> = (0..lay.n).map(|i| (i, root[[i, j]])).collect();
                    let c = center.map_or(0.0, |c| {
                        -(0..lay.n).map(|i| root[[i, j]] * c[i]).sum::<f64>()
                    });
                    rows.push(soc_row(lay.kappa, lin, c));
                }
            }
            Risk::Factor(f) => {
                let k = f.n_factors();
                let by = center.map(|c| f.loadings().t().dot(c));
                for j in 0..k {
                    let lin: Vec<(usize, f64)> =
                        (0..k).map(|a| (lay.y + a, root[[a, j]])).collect();
                    let c = by
                        .as_ref()
                        .map_or(0.0, |by| -(0..k).map(|a| root[[a, j]] * by[a]).sum::<f64>());
                    rows.push(soc_row(lay.kappa, lin, c));
                }
                for i in 0..lay.n {
                    let sd = f.specific_var()[i].sqrt();
                    rows.push(soc_row(
                        lay.kappa,
                        vec![(i, sd)],
                        center.map_or(0.0, |c| -sd * c[i]),
                    ));
                }
            }
        }
        qp.soc(&rows);
        Ok(())
    }

    /// Builds the programme; returns it with its layout and the rows of interest.
    pub(crate) fn formulate(&self, form: Form) -> Result<(Qp, Layout, Rows)> {
        let n = self.n_assets();
        let k = match &self.risk {
            Risk::Dense(_) => 0,
            Risk::Factor(f) => f.n_factors(),
        };
        let mut next = n + k;
        let mut take = |cond: bool, size: usize| {
            cond.then(|| {
                let s = next;
                next += size;
                s
            })
        };
        let kappa = take(matches!(form, Form::Homogenised { .. }), 1);
        let t_turn = take(self.turnover.is_some(), n);
        let t_cost = take(self.costs.is_some() && form != Form::MaxReturn, n);
        let s_lev = take(self.leverage.is_some(), n);
        let lay = Layout { n, y: n, kappa };
        let mut qp = Qp::new(next);

        let (risk_weight, return_weight) = match form {
            Form::Quadratic {
                risk_weight,
                return_weight,
                ..
            } => (risk_weight, return_weight),
            Form::RiskCapped { .. } | Form::MaxReturn => (0.0, 1.0),
            Form::Homogenised { .. } => (1.0, 0.0),
        };
        if risk_weight > 0.0 {
            let c2 = 2.0 * risk_weight;
            match &self.risk {
                Risk::Dense(s) => {
                    for i in 0..n {
                        for j in i..n {
                            qp.add_p(i, j, c2 * s[[i, j]]);
                        }
                    }
                }
                Risk::Factor(f) => {
                    for i in 0..n {
                        qp.add_p(i, i, c2 * f.specific_var()[i]);
                    }
                    for a in 0..k {
                        for b in a..k {
                            qp.add_p(n + a, n + b, c2 * f.factor_cov()[[a, b]]);
                        }
                    }
                }
            }
        }
        if self.l2 > 0.0 && form != Form::MaxReturn {
            for i in 0..n {
                qp.add_p(i, i, 2.0 * self.l2);
            }
        }
        for i in 0..n {
            qp.add_q(i, -return_weight * self.mu[i]);
        }
        if let (Some(t), Some(c)) = (t_cost, &self.costs) {
            for i in 0..n {
                qp.add_q(t + i, c.values[i]);
            }
        }

        // Equalities first: factor exposures, budget, the Sharpe normalisation.
        if let Risk::Factor(f) = &self.risk {
            let b = f.loadings();
            for a in 0..k {
                let mut row: Vec<(usize, f64)> = (0..n).map(|i| (i, -b[[i, a]])).collect();
                row.push((n + a, 1.0));
                qp.eq(&row, 0.0);
            }
        }
        let (row, rhs) = affine(kappa, (0..n).map(|i| (i, 1.0)).collect(), self.budget);
        qp.eq(&row, rhs);
        let mut rows = Rows::default();
        if let Form::Homogenised { risk_free } = form {
            let row: Vec<(usize, f64)> = (0..n).map(|i| (i, self.mu[i] - risk_free)).collect();
            rows.ret = Some(qp.eq(&row, 1.0));
        }

        // Inequalities.
        if let Some(kp) = kappa {
            qp.le(&[(kp, -1.0)], 0.0);
        }
        for i in 0..n {
            let (row, rhs) = affine(kappa, vec![(i, -1.0)], -self.lower[i]);
            rows.lower.push(Some(qp.le(&row, rhs)));
            let (row, rhs) = affine(kappa, vec![(i, 1.0)], self.upper[i]);
            rows.upper.push(Some(qp.le(&row, rhs)));
        }
        for g in &self.groups {
            let lo = g.lower.is_finite().then(|| {
                let (row, rhs) = affine(
                    kappa,
                    g.assets.iter().map(|&i| (i, -1.0)).collect(),
                    -g.lower,
                );
                qp.le(&row, rhs)
            });
            let hi = g.upper.is_finite().then(|| {
                let (row, rhs) =
                    affine(kappa, g.assets.iter().map(|&i| (i, 1.0)).collect(), g.upper);
                qp.le(&row, rhs)
            });
            rows.group_lower.push(lo);
            rows.group_upper.push(hi);
        }
        if let Form::Quadratic {
            min_return: Some(r),
            ..
        } = form
        {
            let row: Vec<(usize, f64)> = (0..n).map(|i| (i, -self.mu[i])).collect();
            rows.ret = Some(qp.le(&row, -r));
        }
        for (start, reb) in [(t_turn, &self.turnover), (t_cost, &self.costs)] {
            if let (Some(t), Some(reb)) = (start, reb) {
                for i in 0..n {
                    let (row, rhs) = affine(kappa, vec![(i, 1.0), (t + i, -1.0)], reb.initial[i]);
                    qp.le(&row, rhs);
                    let (row, rhs) = affine(kappa, vec![(i, -1.0), (t + i, -1.0)], -reb.initial[i]);
                    qp.le(&row, rhs);
                }
                if reb.values.is_empty() {
                    let (row, rhs) =
                        affine(kappa, (0..n).map(|i| (t + i, 1.0)).collect(), reb.limit);
                    qp.le(&row, rhs);
                }
            }
        }
        if let (Some(s), Some(lev)) = (s_lev, self.leverage) {
            for i in 0..n {
                qp.le(&[(i, 1.0), (s + i, -1.0)], 0.0);
                qp.le(&[(i, -1.0), (s + i, -1.0)], 0.0);
            }
            let (row, rhs) = affine(kappa, (0..n).map(|i| (s + i, 1.0)).collect(), lev);
            qp.le(&row, rhs);
        }

        // Cones.
        if let Some((bench, te)) = &self.tracking {
            self.risk_cone(&mut qp, &lay, *te, Some(bench))?;
        }
        if let Form::RiskCapped { max_volatility } = form {
            self.risk_cone(&mut qp, &lay, max_volatility, None)?;
        }
        Ok((qp, lay, rows))
    }

    /// Solves the linear programme `max μᵀw` over the constraints.
    pub(crate) fn solve_max_return_lp(&self) -> Result<Array1<f64>> {
        let (qp, lay, _) = self.formulate(Form::MaxReturn)?;
        let sol: QpSolution = qp.solve(&self.settings, "maximum return")?;
        Ok(lay.weights(&sol.x))
    }
}
