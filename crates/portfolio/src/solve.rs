//! Solving a [`MeanVariance`] problem: validation, the conic solve, the exact polish, and the
//! translation of solver failures into named errors.

use ndarray::Array1;

use crate::error::{PortfolioError, Result};
use crate::formulate::{Form, Layout};
use crate::mean_variance::{MeanVariance, Objective, Portfolio, SolveInfo};
use crate::polish::{ActiveSet, Quadratic};
use crate::qp::{QpSolution, SolverSettings};

/// What the polish should do on the identified face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pick {
    /// No return row (min volatility, quadratic utility).
    Fixed,
    /// Return row at the target.
    Return(f64),
    /// Return on the face maximising the Sharpe ratio.
    Sharpe(f64),
    /// Largest return on the face with the given volatility.
    Risk(f64),
}

impl MeanVariance {
    fn quadratic(&self, objective: &Objective) -> Quadratic {
        let n = self.n_assets();
        match *objective {
            Objective::MaxQuadraticUtility { risk_aversion } => Quadratic {
                h: risk_aversion,
                g: -&self.mu,
            },
            _ => Quadratic {
                h: 2.0,
                g: Array1::zeros(n),
            },
        }
    }

    fn pick(objective: &Objective) -> Pick {
        match *objective {
            Objective::MinVolatility | Objective::MaxQuadraticUtility { .. } => Pick::Fixed,
            Objective::EfficientReturn { target } => Pick::Return(target),
            Objective::MaxSharpe { risk_free } => Pick::Sharpe(risk_free),
            Objective::EfficientRisk { target_volatility } => Pick::Risk(target_volatility),
        }
    }

    /// Evaluates a face at the objective's return level; `None` if the face does not hold
    /// the optimum.
    pub(crate) fn polish_face(
        &self,
        quad: &Quadratic,
        active: &ActiveSet,
        pick: Pick,
    ) -> Option<Array1<f64>> {
        match pick {
            Pick::Fixed => {
                let face = self.face(quad, active, false)?;
                self.face_point(quad, &face, 0.0, None)
            }
            Pick::Return(target) => {
                // The return constraint may be slack (target below the minimum-variance return).
                if let Some(w) = self
                    .face(quad, active, false)
                    .and_then(|f| self.face_point(quad, &f, 0.0, Some(target)))
                {
                    return Some(w);
                }
                let face = self.face(quad, active, true)?;
                self.face_point(quad, &face, target, Some(target))
            }
            Pick::Sharpe(_) => {
                let face = self.face(quad, active, true)?;
                let r = self.face_return(&face, pick)?;
                self.face_point(quad, &face, r, None)
            }
            Pick::Risk(sigma) => {
                let binding = self.face(quad, active, true).and_then(|face| {
                    let r = self.face_return(&face, pick)?;
                    self.face_point(quad, &face, r, None)
                });
                binding.or_else(|| self.slack_risk_cap(quad, active, sigma))
            }
        }
    }

    /// A volatility cap above the maximum-return portfolio's volatility does not bind: the
    /// optimum is then a maximum-return portfolio, exact on its face when that face pins the
    /// weights and their return reaches the greedy or LP maximum.
    fn slack_risk_cap(
        &self,
        quad: &Quadratic,
        active: &ActiveSet,
        sigma: f64,
    ) -> Option<Array1<f64>> {
        let face = self.face(quad, active, false)?;
        let (w, _, _) = self.face_eval(quad, &face, 0.0);
        let r_max = self.max_return().ok()?;
        let tol = 1e-12 * (1.0 + r_max.abs());
        let inside = w
            .iter()
            .zip(self.lower.iter().zip(&self.upper))
            .all(|(x, (lo, hi))| *x >= lo - 1e-12 && *x <= hi + 1e-12)
            && self.groups.iter().all(|g| {
                let s: f64 = g.assets.iter().map(|&i| w[i]).sum();
                s >= g.lower - 1e-12 && s <= g.upper + 1e-12
            });
        (inside
            && self.mu.dot(&w) >= r_max - tol
            && self.risk.variance(w.view()).sqrt() <= sigma * (1.0 + 1e-12))
            .then_some(w)
    }

    fn validate_objective(&self, objective: &Objective) -> Result<()> {
        let bad = |name, value, reason| {
            Err(PortfolioError::InvalidParameter {
                name,
                value,
                reason,
            })
        };
        match *objective {
            Objective::MinVolatility => Ok(()),
            Objective::MaxSharpe { risk_free } => {
                if !risk_free.is_finite() {
                    return bad("risk_free", risk_free, "must be finite");
                }
                if self.l2 > 0.0 || self.costs.is_some() {
                    return bad(
                        "gamma / cost rates",
                        self.l2,
                        "L2 regularisation and transaction costs do not survive the max-Sharpe homogenisation",
                    );
                }
                if self.budget <= 0.0 {
                    return bad("budget", self.budget, "max Sharpe needs a positive budget");
                }
                Ok(())
            }
            Objective::EfficientReturn { target } => {
                if target.is_finite() {
                    Ok(())
                } else {
                    bad("target", target, "must be finite")
                }
            }
            Objective::EfficientRisk { target_volatility } => {
                if target_volatility.is_finite() && target_volatility > 0.0 {
                    Ok(())
                } else {
                    bad("target_volatility", target_volatility, "must be positive")
                }
            }
            Objective::MaxQuadraticUtility { risk_aversion } => {
                if risk_aversion.is_finite() && risk_aversion > 0.0 {
                    Ok(())
                } else {
                    bad("risk_aversion", risk_aversion, "must be positive")
                }
            }
        }
    }

    fn form(objective: &Objective) -> Form {
        match *objective {
            Objective::MinVolatility => Form::Quadratic {
                risk_weight: 1.0,
                return_weight: 0.0,
                min_return: None,
            },
            Objective::MaxSharpe { risk_free } => Form::Homogenised { risk_free },
            Objective::EfficientReturn { target } => Form::Quadratic {
                risk_weight: 1.0,
                return_weight: 0.0,
                min_return: Some(target),
            },
            Objective::EfficientRisk { target_volatility } => Form::RiskCapped {
                max_volatility: target_volatility,
            },
            Objective::MaxQuadraticUtility { risk_aversion } => Form::Quadratic {
                risk_weight: 0.5 * risk_aversion,
                return_weight: 1.0,
                min_return: None,
            },
        }
    }

    /// Solves for the optimal portfolio.
    ///
    /// # Errors
    /// Invalid objective parameters; [`PortfolioError::InfeasibleBudget`] and
    /// [`PortfolioError::InfeasibleGroup`] before solving;
    /// [`PortfolioError::TargetReturnUnreachable`], [`PortfolioError::TargetRiskBelowMinimum`]
    /// and [`PortfolioError::NoExcessReturn`] with the attainable bound;
    /// [`PortfolioError::Infeasible`] when other constraints conflict; solver failures.
    pub fn solve(&self, objective: Objective) -> Result<Portfolio> {
        self.solve_with_hint(objective, None).map(|(p, _)| p)
    }

    /// Solves, first trying the active set `hint` (from a neighbouring problem) without a
    /// conic solve; returns the portfolio and its active set when known.
    pub(crate) fn solve_with_hint(
        &self,
        objective: Objective,
        hint: Option<&ActiveSet>,
    ) -> Result<(Portfolio, Option<ActiveSet>)> {
        self.validate_objective(&objective)?;
        self.precheck()?;
        let plain = self.is_plain() && self.groups.is_empty();
        match objective {
            Objective::EfficientReturn { target } if plain => {
                let max_return = self.max_return()?;
                if target > max_return + 1e-12 * (1.0 + max_return.abs()) {
                    return Err(PortfolioError::TargetReturnUnreachable { target, max_return });
                }
            }
            Objective::MaxSharpe { risk_free } if plain => {
                let max_return = self.max_return()?;
                if max_return <= risk_free {
                    return Err(PortfolioError::NoExcessReturn {
                        risk_free,
                        max_return,
                    });
                }
            }
            _ => {}
        }
        let quad = self.quadratic(&objective);
        let pick = Self::pick(&objective);
        let can_polish = self.settings.polish
            && self.is_plain()
            && (self.l2 == 0.0 || matches!(pick, Pick::Fixed | Pick::Return(_)));
        if can_polish && self.settings.active_set {
            let start = hint
                .cloned()
                .unwrap_or_else(|| ActiveSet::free(self.n_assets(), self.groups.len()));
            let limit = 2 * (self.n_assets() + self.groups.len()) + 10;
            if let Some((w, active, steps)) = self.active_set_solve(&quad, &start, pick, limit) {
                let info = SolveInfo {
                    polished: true,
                    warm_started: hint.is_some(),
                    active_set_iterations: steps,
                    ..SolveInfo::default()
                };
                return Ok((self.portfolio(w, info), Some(active)));
            }
        }
        let (qp, lay, rows) = self.formulate(Self::form(&objective))?;
        let sol = match qp.solve(&self.settings, problem_name(&objective)) {
            Ok(sol) => sol,
            Err(PortfolioError::Infeasible { .. }) => {
                return Err(self.explain_infeasible(objective));
            }
            // Tight tolerances can stall the interior point on badly scaled problems; the
            // solver's default accuracy still identifies the active set for the exact polish.
            Err(PortfolioError::SolverFailed { .. }) if self.settings.tolerance < 1e-8 => {
                let relaxed = SolverSettings {
                    tolerance: 1e-8,
                    ..self.settings
                };
                let (qp, _, _) = self.formulate(Self::form(&objective))?;
                match qp.solve(&relaxed, problem_name(&objective)) {
                    Ok(sol) => sol,
                    Err(PortfolioError::Infeasible { .. }) => {
                        return Err(self.explain_infeasible(objective));
                    }
                    Err(e) => return self.max_sharpe_fallback(objective, e),
                }
            }
            Err(e) => return self.max_sharpe_fallback(objective, e),
        };
        let active = ActiveSet::from_solution(&sol, &rows);
        if can_polish {
            if let Some(w) = self.polish_face(&quad, &active, pick) {
                let info = SolveInfo {
                    iterations: sol.iterations,
                    polished: true,
                    ..SolveInfo::default()
                };
                return Ok((self.portfolio(w, info), Some(active)));
            }
            // A weakly active constraint (zero slack and zero multiplier) can be misread; a
            // few active-set steps from the identified set settle it.
            let limit = 2 * (self.n_assets() + self.groups.len()) + 10;
            if let Some((w, active, steps)) = self.active_set_solve(&quad, &active, pick, limit) {
                let info = SolveInfo {
                    iterations: sol.iterations,
                    active_set_iterations: steps,
                    polished: true,
                    ..SolveInfo::default()
                };
                return Ok((self.portfolio(w, info), Some(active)));
            }
        }
        Ok((self.unpolished(&sol, &lay), None))
    }

    /// The homogenised max-Sharpe programme can stall the interior point (the embedding
    /// oscillates when the bounds barely bind); the tangency portfolio is then found on the
    /// frontier itself: a golden-section search of the Sharpe ratio, which is unimodal along
    /// the efficient frontier, over target returns, each an efficient-return solve, followed
    /// by the exact face polish.
    fn max_sharpe_fallback(
        &self,
        objective: Objective,
        error: PortfolioError,
    ) -> Result<(Portfolio, Option<ActiveSet>)> {
        let Objective::MaxSharpe { risk_free } = objective else {
            return Err(error);
        };
        let (min_vol, mut hint) = self.solve_with_hint(Objective::MinVolatility, None)?;
        let hi = self.max_return()?;
        if hi <= risk_free {
            return Err(PortfolioError::NoExcessReturn {
                risk_free,
                max_return: hi,
            });
        }
        let eval = |r: f64, hint: &mut Option<ActiveSet>| -> Result<(f64, Portfolio)> {
            let (p, active) =
                self.solve_with_hint(Objective::EfficientReturn { target: r }, hint.as_ref())?;
            if active.is_some() {
                *hint = active;
            }
            Ok((p.sharpe_ratio(risk_free), p))
        };
        let g = 0.5 * (5f64.sqrt() - 1.0);
        let (mut a, mut b) = (min_vol.expected_return.max(risk_free), hi);
        let mut c = b - g * (b - a);
        let mut d = a + g * (b - a);
        let (mut fc, mut pc) = eval(c, &mut hint)?;
        let (mut fd, mut pd) = eval(d, &mut hint)?;
        while b - a > 1e-12 * (1.0 + b.abs()) {
            if fc >= fd {
                (b, d, fd, pd) = (d, c, fc, pc);
                c = b - g * (b - a);
                (fc, pc) = eval(c, &mut hint)?;
            } else {
                (a, c, fc, pc) = (c, d, fd, pd);
                d = a + g * (b - a);
                (fd, pd) = eval(d, &mut hint)?;
            }
        }
        let best = if fc >= fd { pc } else { pd };
        let quad = self.quadratic(&objective);
        if let Some(active) = &hint
            && self.is_plain()
            && let Some(w) = self.polish_face(&quad, active, Pick::Sharpe(risk_free))
        {
            let info = SolveInfo {
                polished: true,
                ..best.info
            };
            return Ok((self.portfolio(w, info), hint));
        }
        Ok((best, None))
    }

    fn unpolished(&self, sol: &QpSolution, lay: &Layout) -> Portfolio {
        let info = SolveInfo {
            iterations: sol.iterations,
            reduced_accuracy: sol.reduced_accuracy,
            ..SolveInfo::default()
        };
        self.portfolio(lay.weights(&sol.x), info)
    }

    /// Turns a solver infeasibility certificate into the most specific error available.
    fn explain_infeasible(&self, objective: Objective) -> PortfolioError {
        let problem = problem_name(&objective);
        match objective {
            Objective::EfficientReturn { target } => match self.max_return() {
                Ok(max_return) if target > max_return => {
                    PortfolioError::TargetReturnUnreachable { target, max_return }
                }
                Ok(_) => PortfolioError::Infeasible { problem },
                Err(e) => e,
            },
            Objective::MaxSharpe { risk_free } => match self.max_return() {
                Ok(max_return) if max_return <= risk_free => PortfolioError::NoExcessReturn {
                    risk_free,
                    max_return,
                },
                Ok(_) => PortfolioError::Infeasible { problem },
                Err(e) => e,
            },
            Objective::EfficientRisk { target_volatility } => {
                match self.solve(Objective::MinVolatility) {
                    Ok(p) if p.volatility > target_volatility => {
                        PortfolioError::TargetRiskBelowMinimum {
                            target: target_volatility,
                            min_volatility: p.volatility,
                        }
                    }
                    Ok(_) => PortfolioError::Infeasible { problem },
                    Err(e) => e,
                }
            }
            _ => PortfolioError::Infeasible { problem },
        }
    }
}

fn problem_name(objective: &Objective) -> &'static str {
    match objective {
        Objective::MinVolatility => "minimum volatility",
        Objective::MaxSharpe { .. } => "maximum Sharpe ratio",
        Objective::EfficientReturn { .. } => "efficient return",
        Objective::EfficientRisk { .. } => "efficient risk",
        Objective::MaxQuadraticUtility { .. } => "maximum quadratic utility",
    }
}
