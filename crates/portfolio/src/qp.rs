//! A small builder for Clarabel problems `min ½xᵀPx + qᵀx  s.t.  b − Ax ∈ K` and the call that
//! turns every status other than `Solved` into a typed error.
//!
//! Clarabel: Goulart & Chen (2024), "Clarabel: an interior-point solver for conic programs
//! with quadratic objectives", arXiv:2405.12762.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettings, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};

use crate::error::{PortfolioError, Result};
use crate::linalg::check_max_iterations;

/// Knobs of the conic solver and of the active-set polish that follows it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SolverSettings {
    /// Clarabel's absolute and relative duality-gap and feasibility tolerances (default 1e-10;
    /// Clarabel's own default, 1e-8, leaves weights ~1e-5 from the optimum).
    pub tolerance: f64,
    /// Interior-point iteration limit (default 200).
    pub max_iterations: u32,
    /// After the interior-point solve, identify the active constraints and solve the
    /// equality-constrained KKT system exactly, keeping the result only if it passes the
    /// primal and dual (sign) checks (default true).
    pub polish: bool,
    /// For problems with only bounds, budget and group limits, first try the primal-dual
    /// active-set method (exact, no conic solve; falls back to Clarabel when it does not
    /// converge) (default true). Set false to always use Clarabel, e.g. to cross-check.
    pub active_set: bool,
}

impl Default for SolverSettings {
    fn default() -> Self {
        Self {
            tolerance: 1e-10,
            max_iterations: 200,
            polish: true,
            active_set: true,
        }
    }
}

impl SolverSettings {
    /// Checks every knob's domain.
    ///
    /// # Errors
    /// [`PortfolioError::InvalidParameter`] naming the knob.
    pub fn validate(&self) -> Result<()> {
        if !(self.tolerance.is_finite() && self.tolerance > 0.0 && self.tolerance < 1.0) {
            return Err(PortfolioError::InvalidParameter {
                name: "tolerance",
                value: self.tolerance,
                reason: "must lie in (0, 1)",
            });
        }
        check_max_iterations(self.max_iterations as usize)?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cone {
    Zero,
    NonNeg,
    Soc,
}

/// Problem under construction. Rows are added in blocks, one cone per block.
#[derive(Debug, Default)]
pub(crate) struct Qp {
    n: usize,
    p: Vec<(usize, usize, f64)>,
    q: Vec<f64>,
    a: Vec<(usize, usize, f64)>,
    b: Vec<f64>,
    cones: Vec<(Cone, usize)>,
}

/// Clarabel's answer: primal `x`, slacks `s`, duals `z`.
#[derive(Debug, Clone)]
pub(crate) struct QpSolution {
    pub x: Vec<f64>,
    pub s: Vec<f64>,
    pub z: Vec<f64>,
    pub iterations: u32,
    pub reduced_accuracy: bool,
}

impl Qp {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            n,
            q: vec![0.0; n],
            ..Self::default()
        }
    }

    /// Adds `v` to `P[i, j]` (and symmetrically); only the upper triangle is stored.
    pub(crate) fn add_p(&mut self, i: usize, j: usize, v: f64) {
        if v != 0.0 {
            self.p.push((i.min(j), i.max(j), v));
        }
    }

    pub(crate) fn add_q(&mut self, i: usize, v: f64) {
        self.q[i] += v;
    }

    fn push_row(&mut self, cone: Cone, coeffs: &[(usize, f64)], rhs: f64) -> usize {
        let row = self.b.len();
        for &(j, v) in coeffs {
            if v != 0.0 {
                self.a.push((row, j, v));
            }
        }
        self.b.push(rhs);
        match self.cones.last_mut() {
            Some((c, m)) if *c == cone && cone != Cone::Soc => *m += 1,
            _ => self.cones.push((cone, 1)),
        }
        row
    }

    /// `Σ coeffs·x = rhs`; returns the row index.
    pub(crate) fn eq(&mut self, coeffs: &[(usize, f64)], rhs: f64) -> usize {
        self.push_row(Cone::Zero, coeffs, rhs)
    }

    /// `Σ coeffs·x ≤ rhs`; returns the row index.
    pub(crate) fn le(&mut self, coeffs: &[(usize, f64)], rhs: f64) -> usize {
        self.push_row(Cone::NonNeg, coeffs, rhs)
    }

    /// `‖(rhsᵢ − aᵢᵀx)ᵢ₌₁..‖ ≤ rhs₀ − a₀ᵀx`: a second-order cone block of `rows.len()` rows.
    pub(crate) fn soc(&mut self, rows: &[(Vec<(usize, f64)>, f64)]) {
        let start = self.b.len();
        for (coeffs, rhs) in rows {
            let row = self.b.len();
            for &(j, v) in coeffs {
                if v != 0.0 {
                    self.a.push((row, j, v));
                }
            }
            self.b.push(*rhs);
        }
        self.cones.push((Cone::Soc, self.b.len() - start));
    }

    fn csc(m: usize, n: usize, mut t: Vec<(usize, usize, f64)>) -> CscMatrix<f64> {
        t.sort_unstable_by_key(|&(i, j, _)| (j, i));
        let mut colptr = vec![0usize; n + 1];
        let mut rowval = Vec::with_capacity(t.len());
        let mut nzval: Vec<f64> = Vec::with_capacity(t.len());
        let mut last: Option<(usize, usize)> = None;
        for (i, j, v) in t {
            if last == Some((i, j)) {
                if let Some(x) = nzval.last_mut() {
                    *x += v;
                }
                continue;
            }
            last = Some((i, j));
            rowval.push(i);
            nzval.push(v);
            colptr[j + 1] += 1;
        }
        for j in 0..n {
            colptr[j + 1] += colptr[j];
        }
        CscMatrix::new(m, n, colptr, rowval, nzval)
    }

    /// Solves with Clarabel and maps the status.
    pub(crate) fn solve(
        self,
        settings: &SolverSettings,
        problem: &'static str,
    ) -> Result<QpSolution> {
        let m = self.b.len();
        let p = Self::csc(self.n, self.n, self.p);
        let a = Self::csc(m, self.n, self.a);
        let cones: Vec<SupportedConeT<f64>> = self
            .cones
            .iter()
            .map(|&(c, k)| match c {
                Cone::Zero => SupportedConeT::ZeroConeT(k),
                Cone::NonNeg => SupportedConeT::NonnegativeConeT(k),
                Cone::Soc => SupportedConeT::SecondOrderConeT(k),
            })
            .collect();
        let tol = settings.tolerance;
        let clarabel_settings = DefaultSettings {
            verbose: false,
            max_iter: settings.max_iterations,
            tol_gap_abs: tol,
            tol_gap_rel: tol,
            tol_feas: tol,
            tol_ktratio: tol.max(1e-10),
            ..DefaultSettings::default()
        };
        let mut solver = DefaultSolver::new(&p, &self.q, &a, &self.b, &cones, clarabel_settings)
            .map_err(|e| PortfolioError::SolverFailed {
                problem,
                status: format!("setup error: {e}"),
                iterations: 0,
            })?;
        solver.solve();
        let sol = &solver.solution;
        let reduced_accuracy = match sol.status {
            SolverStatus::Solved => false,
            SolverStatus::AlmostSolved => true,
            SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => {
                return Err(PortfolioError::Infeasible { problem });
            }
            SolverStatus::DualInfeasible | SolverStatus::AlmostDualInfeasible => {
                return Err(PortfolioError::Unbounded { problem });
            }
            other => {
                return Err(PortfolioError::SolverFailed {
                    problem,
                    status: format!("{other:?}"),
                    iterations: sol.iterations,
                });
            }
        };
        Ok(QpSolution {
            x: sol.x.clone(),
            s: sol.s.clone(),
            z: sol.z.clone(),
            iterations: sol.iterations,
            reduced_accuracy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_small_qp_and_reports_infeasibility() {
        // min x² + y² s.t. x + y = 1, x ≥ 0.2 → (0.5, 0.5)
        let mut qp = Qp::new(2);
        qp.add_p(0, 0, 2.0);
        qp.add_p(1, 1, 2.0);
        qp.eq(&[(0, 1.0), (1, 1.0)], 1.0);
        qp.le(&[(0, -1.0)], -0.2);
        let s = qp.solve(&SolverSettings::default(), "test").unwrap();
        assert!((s.x[0] - 0.5).abs() < 1e-8 && (s.x[1] - 0.5).abs() < 1e-8);

        let mut bad = Qp::new(1);
        bad.add_p(0, 0, 1.0);
        bad.le(&[(0, 1.0)], 0.0);
        bad.le(&[(0, -1.0)], -1.0);
        assert!(matches!(
            bad.solve(&SolverSettings::default(), "test"),
            Err(PortfolioError::Infeasible { problem: "test" })
        ));
    }

    #[test]
    fn settings_validate() {
        assert!(SolverSettings::default().validate().is_ok());
        let bad = SolverSettings {
            tolerance: 0.0,
            ..SolverSettings::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(PortfolioError::InvalidParameter {
                name: "tolerance",
                ..
            })
        ));
    }
}
