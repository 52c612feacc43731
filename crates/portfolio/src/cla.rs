//! The critical line algorithm: every corner portfolio of the efficient frontier (Markowitz
//! 1956, "The optimization of a quadratic function subject to linear constraints", Naval
//! Research Logistics Quarterly 3(1–2); Niedermayer & Niedermayer 2010, "Applying Markowitz's
//! critical line algorithm", in Handbook of Portfolio Construction, Springer).
//!
//! Between corners the active set is constant and the efficient weights are affine in the
//! risk tolerance `λ` of `min wᵀΣw − λμᵀw`: `w(λ) = w_A + λ(w_B − w_A)`, with bound and group
//! multipliers affine too. Starting at the minimum-variance portfolio (`λ = 0`), the algorithm
//! moves up in `λ` to the first event — a free weight reaching a bound, a group sum reaching a limit, or a
//! multiplier of an active constraint changing sign — updates the active set there, and
//! repeats until the weights stop moving (the maximum-return end). Each face is solved exactly with the same KKT
//! machinery as the polish.

use ndarray::Array1;

use crate::error::{PortfolioError, Result};
use crate::mean_variance::{MeanVariance, Objective, Portfolio, SolveInfo};
use crate::polish::{Quadratic, Side};
use crate::solve::Pick;

impl MeanVariance {
    /// The corner portfolios of the efficient frontier, from the minimum-variance portfolio to
    /// the maximum-return portfolio, in increasing return. Every efficient portfolio is the
    /// convex combination of the two corners whose returns bracket its own.
    ///
    /// ```
    /// # use ndarray::array;
    /// use parapet_portfolio::MeanVariance;
    /// let mu = array![0.05, 0.08, 0.12];
    /// let cov = array![[0.02, 0.004, 0.002], [0.004, 0.05, 0.01], [0.002, 0.01, 0.12]];
    /// let corners = MeanVariance::new(mu.view(), cov.view())?.corner_portfolios()?;
    /// assert!((corners.last().unwrap().expected_return - 0.12).abs() < 1e-12);
    /// # Ok::<(), parapet_portfolio::PortfolioError>(())
    /// ```
    ///
    /// # Errors
    /// Turnover, cost, leverage or tracking-error constraints (the algorithm handles bounds,
    /// the budget and group limits), infeasible constraints, or a degenerate face it cannot
    /// resolve ([`PortfolioError::NotConverged`]).
    pub fn corner_portfolios(&self) -> Result<Vec<Portfolio>> {
        if !self.is_plain() {
            return Err(PortfolioError::InvalidParameter {
                name: "constraints",
                value: 0.0,
                reason: "the critical line algorithm handles bounds, the budget and group limits only",
            });
        }
        let (min_vol, active) = self.solve_with_hint(Objective::MinVolatility, None)?;
        let r_max = self.max_return()?;
        let mut active = active.ok_or(PortfolioError::NotConverged {
            algorithm: "critical line algorithm (minimum-variance active set)",
            iterations: 0,
            residual: f64::NAN,
        })?;
        // Faces are traced in the risk-tolerance parameter λ of min wᵀΣw − λ μᵀw: on a face
        // w(λ) = w_A + λ (w_B − w_A) from the solves at λ = 0 and λ = 1, and the multipliers
        // are affine in λ as well. No return row is needed, so assets with equal returns
        // cannot make a face singular.
        let n = self.n_assets();
        let at_zero = Quadratic {
            h: 2.0,
            g: Array1::zeros(n),
        };
        let at_one = Quadratic {
            h: 2.0,
            g: -&self.mu,
        };
        let mut lambda = 0.0_f64;
        let mut corners = vec![min_vol];
        let limit = 4 * (n + self.groups.len()) + 10;
        let tol = 1e-12 * (1.0 + r_max.abs());
        for step in 0..limit {
            if corners
                .last()
                .is_some_and(|c| c.expected_return >= r_max - tol)
            {
                return Ok(corners);
            }
            let (Some(fa), Some(fb)) = (
                self.face(&at_zero, &active, false),
                self.face(&at_one, &active, false),
            ) else {
                break;
            };
            let (wa, la, ma) = self.face_eval(&at_zero, &fa, 0.0);
            let (wb, lb, mb) = self.face_eval(&at_one, &fb, 0.0);
            let (dw, dl, dm) = (&wb - &wa, &lb - &la, &mb - &ma);
            let mut events: Vec<(f64, Change)> = Vec::new();
            let eps = 1e-12 * (1.0 + lambda);
            let mut push = |at: f64, change: Change| {
                // Events "now" count too: a free weight sitting on its bound and moving out
                // of the box must be fixed before the next step.
                if at.is_finite() && at > lambda - eps {
                    events.push((at, change));
                }
            };
            for (i, side) in active.assets.iter().enumerate() {
                match side {
                    Side::Free if dw[i] < 0.0 => push(
                        (self.lower[i] - wa[i]) / dw[i],
                        Change::Asset(i, Side::Lower),
                    ),
                    Side::Free if dw[i] > 0.0 => push(
                        (self.upper[i] - wa[i]) / dw[i],
                        Change::Asset(i, Side::Upper),
                    ),
                    Side::Lower if dm[i] < 0.0 => {
                        push(-ma[i] / dm[i], Change::Asset(i, Side::Free))
                    }
                    Side::Upper if dm[i] > 0.0 => {
                        push(-ma[i] / dm[i], Change::Asset(i, Side::Free))
                    }
                    _ => {}
                }
            }
            let mut row = 1;
            for (gi, (g, side)) in self.groups.iter().zip(&active.groups).enumerate() {
                match side {
                    Side::Free => {
                        let s0: f64 = g.assets.iter().map(|&i| wa[i]).sum();
                        let s1: f64 = g.assets.iter().map(|&i| dw[i]).sum();
                        if s1 < 0.0 && g.lower.is_finite() {
                            push((g.lower - s0) / s1, Change::Group(gi, Side::Lower));
                        } else if s1 > 0.0 && g.upper.is_finite() {
                            push((g.upper - s0) / s1, Change::Group(gi, Side::Upper));
                        }
                    }
                    s => {
                        let (l, slope) = (la[row], dl[row]);
                        row += 1;
                        if (*s == Side::Lower && slope < 0.0) || (*s == Side::Upper && slope > 0.0)
                        {
                            push(-l / slope, Change::Group(gi, Side::Free));
                        }
                    }
                }
            }
            // No event left: the weights have stopped moving at the maximum-return end.
            let Some(next) = events.iter().map(|e| e.0).reduce(f64::min) else {
                return Ok(corners);
            };
            let next = next.max(lambda);
            let w = &wa + &(&dw * next);
            let info = SolveInfo {
                polished: true,
                active_set_iterations: step + 1,
                ..SolveInfo::default()
            };
            // A multiplier event on a face where the weights do not move (equal returns on
            // the free set) changes the active set without creating a new corner.
            let moved = corners.last().is_none_or(|c| {
                (&c.weights - &w)
                    .iter()
                    .any(|d| d.abs() > 1e-14 * (1.0 + d.abs()))
            });
            if moved {
                corners.push(self.portfolio(w, info));
            }
            lambda = next;
            let tie = 1e-12 * (1.0 + next);
            let mut updated = active.clone();
            for (_, change) in events.iter().filter(|e| e.0 <= next + tie) {
                match *change {
                    Change::Asset(i, side) => updated.assets[i] = side,
                    Change::Group(g, side) => updated.groups[g] = side,
                }
            }
            // Simultaneous events (a degenerate corner) can leave a multiplier of the wrong
            // sign; a few active-set steps just past the corner settle the next segment's set.
            let probe = Quadratic {
                h: 2.0,
                g: &self.mu * -(next * (1.0 + 1e-9) + 1e-12),
            };
            active = match self.active_set_solve(&probe, &updated, Pick::Fixed, limit) {
                Some((_, settled, _)) => settled,
                None => updated,
            };
        }
        Err(PortfolioError::NotConverged {
            algorithm: "critical line algorithm",
            iterations: limit,
            residual: r_max - corners.last().map_or(f64::NAN, |p| p.expected_return),
        })
    }
}

/// An active-set change at an event.
#[derive(Debug, Clone, Copy)]
enum Change {
    Asset(usize, Side),
    Group(usize, Side),
}

#[cfg(test)]
mod tests {
    use crate::{MeanVariance, Objective};
    use ndarray::array;

    #[test]
    fn frontier_is_piecewise_linear_between_corners() {
        let mu = array![0.05, 0.07, 0.09, 0.12, 0.03];
        let vol = array![0.10, 0.15, 0.20, 0.30, 0.08];
        let cov = ndarray::Array2::from_shape_fn((5, 5), |(i, j)| {
            (if i == j { 1.0 } else { 0.35 }) * vol[i] * vol[j]
        });
        let mv = MeanVariance::new(mu.view(), cov.view())
            .unwrap()
            .with_bounds(0.0, 0.4)
            .unwrap();
        let corners = mv.corner_portfolios().unwrap();
        assert!(corners.len() >= 3);
        for pair in corners.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(b.expected_return > a.expected_return);
            let mid = 0.5 * (a.expected_return + b.expected_return);
            let p = mv
                .solve(Objective::EfficientReturn { target: mid })
                .unwrap();
            let interp = (&a.weights + &b.weights) * 0.5;
            let d = (&p.weights - &interp)
                .iter()
                .fold(0.0_f64, |m, x| m.max(x.abs()));
            assert!(d < 1e-12, "{d}");
        }
    }
}
