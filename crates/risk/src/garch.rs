//! GARCH(1,1) with constant mean, fitted by maximum likelihood with normal or Student-t
//! innovations.
//!
//! `r_t = μ + e_t`, `e_t = σ_t z_t`, `σ²_t = ω + α e²_{t−1} + β σ²_{t−1}` (Bollerslev 1986,
//! "Generalized autoregressive conditional heteroskedasticity", *Journal of Econometrics* 31),
//! with `e²_{−1}` and `σ²_{−1}` replaced by the [`backcast`] of `r − mean(r)` as in arch. The
//! Student-t innovations are standardised to unit variance (Bollerslev 1987).

use statrs::function::gamma::digamma;

use crate::error::{Result, RiskError};
use crate::stats::{self, QuasiNewtonSettings};
use crate::volatility::backcast;

/// The distribution of the standardised innovations `z_t`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Innovation {
    /// Standard normal (the default; Gaussian (quasi-)maximum likelihood).
    #[default]
    Normal,
    /// Student-t with `ν > 2` degrees of freedom, scaled to unit variance.
    StudentT {
        /// Degrees of freedom ν.
        df: f64,
    },
}

/// GARCH(1,1) parameters in the units of the returns they apply to.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Garch11 {
    mu: f64,
    omega: f64,
    alpha: f64,
    beta: f64,
    innovation: Innovation,
}

/// Outcome of a GARCH fit.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GarchFit {
    /// The fitted model, in the units of the data.
    pub model: Garch11,
    /// Maximised log-likelihood (data units).
    pub log_likelihood: f64,
    /// The backcast used for the pre-sample terms.
    pub backcast: f64,
    /// Quasi-Newton iterations.
    pub iterations: usize,
}

impl Garch11 {
    /// Validated parameters: `ω > 0`, `α, β ≥ 0`, `α + β < 1` (covariance stationarity) and
    /// `ν > 2` for Student-t innovations.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] naming the offending parameter.
    pub fn new(mu: f64, omega: f64, alpha: f64, beta: f64, innovation: Innovation) -> Result<Self> {
        stats::check_finite("mu", mu)?;
        stats::check_positive("omega", omega)?;
        for (name, v) in [("alpha", alpha), ("beta", beta)] {
            if v.is_nan() || v < 0.0 {
                return Err(RiskError::InvalidParameter {
                    name,
                    value: v,
                    reason: "must be >= 0",
                });
            }
        }
        if alpha + beta >= 1.0 {
            return Err(RiskError::InvalidParameter {
                name: "alpha + beta",
                value: alpha + beta,
                reason: "must be < 1 for a stationary variance",
            });
        }
        if let Innovation::StudentT { df } = innovation
            && (df.is_nan() || df <= 2.0)
        {
            return Err(RiskError::InvalidParameter {
                name: "df",
                value: df,
                reason: "must be > 2 for unit-variance Student-t innovations",
            });
        }
        Ok(Self {
            mu,
            omega,
            alpha,
            beta,
            innovation,
        })
    }

    /// Constant mean μ.
    pub fn mu(&self) -> f64 {
        self.mu
    }
    /// Intercept ω.
    pub fn omega(&self) -> f64 {
        self.omega
    }
    /// ARCH coefficient α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// GARCH coefficient β.
    pub fn beta(&self) -> f64 {
        self.beta
    }
    /// Innovation distribution.
    pub fn innovation(&self) -> Innovation {
        self.innovation
    }
    /// Unconditional variance `ω/(1 − α − β)`.
    pub fn unconditional_variance(&self) -> f64 {
        self.omega / (1.0 - self.alpha - self.beta)
    }

    /// `n + 1` conditional variances of `returns`, the last being the one-step forecast after
    /// the sample, started from the pre-sample value `backcast`.
    ///
    /// # Errors
    /// Data errors; [`RiskError::InvalidParameter`] for a non-positive backcast.
    pub fn variances(&self, returns: &[f64], backcast: f64) -> Result<Vec<f64>> {
        stats::check_series("returns", returns)?;
        let bc = stats::check_positive("backcast", backcast)?;
        let mut out = Vec::with_capacity(returns.len() + 1);
        let mut s2 = self.omega + (self.alpha + self.beta) * bc;
        out.push(s2);
        for r in returns {
            let e = r - self.mu;
            s2 = self.omega + self.alpha * e * e + self.beta * s2;
            out.push(s2);
        }
        Ok(out)
    }

    /// Log-likelihood of `returns` with the given backcast.
    ///
    /// # Errors
    /// As [`Garch11::variances`].
    pub fn log_likelihood(&self, returns: &[f64], backcast: f64) -> Result<f64> {
        stats::check_series("returns", returns)?;
        let bc = stats::check_positive("backcast", backcast)?;
        let theta = self.theta();
        Ok(-objective(returns, bc, &theta, self.df_index(), None))
    }

    fn df_index(&self) -> bool {
        matches!(self.innovation, Innovation::StudentT { .. })
    }

    fn theta(&self) -> Vec<f64> {
        let mut t = vec![self.mu, self.omega, self.alpha, self.beta];
        if let Innovation::StudentT { df } = self.innovation {
            t.push(df);
        }
        t
    }

    /// Maximum-likelihood fit. The returns are first divided by their sample standard
    /// deviation so that every parameter is of order one; BFGS (Nocedal & Wright 2006,
    /// *Numerical Optimization*, §6.1) with analytic gradients of the variance recursion and
    /// an Armijo backtracking line search then maximises the likelihood in unconstrained
    /// coordinates (log ω, logit(α + β), logit(α/(α + β)), log(ν − 2.05)) that keep every
    /// iterate positive and stationary; the estimates are mapped back to data units.
    /// `innovation` selects the family; a Student-t's `df` is only the starting value.
    ///
    /// ```
    /// use parapet_risk::{Garch11, QuasiNewtonSettings, Innovation};
    /// use rand::{SeedableRng, rngs::StdRng};
    /// use rand_distr::{Distribution, StandardNormal};
    /// // Simulate ω = 1e-6, α = 0.08, β = 0.9 and fit it back.
    /// let mut rng = StdRng::seed_from_u64(42);
    /// let mut s2: f64 = 5e-5;
    /// let r: Vec<f64> = (0..3000)
    ///     .map(|_| {
    ///         let z: f64 = StandardNormal.sample(&mut rng);
    ///         let e = s2.sqrt() * z;
    ///         s2 = 1e-6 + 0.08 * e * e + 0.9 * s2;
    ///         e
    ///     })
    ///     .collect();
    /// let fit = Garch11::fit(&r, Innovation::Normal, QuasiNewtonSettings::default())?;
    /// assert!((fit.model.alpha() + fit.model.beta() - 0.98).abs() < 0.02);
    /// # Ok::<(), parapet_risk::RiskError>(())
    /// ```
    ///
    /// # Errors
    /// [`RiskError::TooShort`] below 10 returns, [`RiskError::Constant`] for a constant
    /// series, [`RiskError::NotConverged`] when the gradient tolerance is not met.
    pub fn fit(
        returns: &[f64],
        innovation: Innovation,
        settings: QuasiNewtonSettings,
    ) -> Result<GarchFit> {
        settings.validate()?;
        stats::check_len("returns", returns, 10)?;
        let mean = stats::mean(returns);
        let var = stats::sum(returns.iter().map(|r| (r - mean).powi(2))) / returns.len() as f64;
        if var <= 0.0 {
            return Err(RiskError::Constant {
                name: "returns",
                value: returns[0],
            });
        }
        let s = var.sqrt();
        let x: Vec<f64> = returns.iter().map(|r| r / s).collect();
        let resid: Vec<f64> = returns.iter().map(|r| (r - mean) / s).collect();
        let bc = backcast(&resid)?;
        let student = matches!(innovation, Innovation::StudentT { .. });
        // Typical daily persistence as the start: α = 0.08, β = 0.9, ω from variance targeting.
        let mut theta = vec![mean / s, 0.02, 0.08, 0.9];
        if let Innovation::StudentT { df } = innovation {
            theta.push(if df > 2.5 && df.is_finite() { df } else { 8.0 });
        }
        let opt = stats::bfgs(
            |z, grad| objective_z(&x, bc, z, student, grad),
            to_z(&theta),
            settings,
            "GARCH(1,1) maximum likelihood",
        )?;
        let (theta, nll, iterations) = (to_theta(&opt.x), opt.f, opt.iterations);
        let model = Self::new(
            theta[0] * s,
            theta[1] * s * s,
            theta[2],
            theta[3],
            if student {
                Innovation::StudentT { df: theta[4] }
            } else {
                Innovation::Normal
            },
        )?;
        Ok(GarchFit {
            model,
            log_likelihood: -nll - returns.len() as f64 * s.ln(),
            backcast: bc * s * s,
            iterations,
        })
    }
}

fn feasible(theta: &[f64], student: bool) -> bool {
    theta.iter().all(|v| v.is_finite())
        && theta[1] > 0.0
        && theta[2] >= 0.0
        && theta[3] >= 0.0
        && theta[2] + theta[3] < 1.0
        && (!student || (theta[4] > 2.05 && theta[4] < 500.0))
}

/// Negative log-likelihood and (optionally) its gradient with respect to
/// (μ, ω, α, β[, ν]), by differentiating the variance recursion alongside it.
fn objective(x: &[f64], bc: f64, theta: &[f64], student: bool, grad: Option<&mut [f64]>) -> f64 {
    let (mu, omega, alpha, beta) = (theta[0], theta[1], theta[2], theta[3]);
    let nu = if student { theta[4] } else { 0.0 };
    let want = grad.is_some();
    let mut g = [0.0f64; 5];
    let mut s2 = omega + (alpha + beta) * bc;
    let mut ds = [0.0, 1.0, bc, bc];
    let mut acc = 0.0;
    // Σ ln σ²_t is accumulated as the log of running products, one `ln` per block instead of
    // per observation; the product is flushed before it can leave [1e-100, 1e100].
    let mut prod = 1.0f64;
    let mut log_sum = 0.0;
    let (half_nu1, nu2) = (0.5 * (nu + 1.0), nu - 2.0);
    for &r in x {
        if s2 <= 0.0 || !s2.is_finite() {
            return f64::INFINITY;
        }
        prod *= s2;
        if !(1e-100..=1e100).contains(&prod) {
            log_sum += prod.ln();
            prod = 1.0;
        }
        let inv = 1.0 / s2;
        let e = r - mu;
        let e2 = e * e;
        let (ks2, kmu);
        if student {
            let q = e2 * inv / nu2;
            acc += half_nu1 * q.ln_1p();
            if want {
                let w = half_nu1 / (1.0 + q);
                ks2 = (0.5 - w * q) * inv;
                kmu = -2.0 * w * e * inv / nu2;
                g[4] += 0.5 * q.ln_1p() - w * q / nu2;
            } else {
                ks2 = 0.0;
                kmu = 0.0;
            }
        } else {
            acc += e2 * inv;
            ks2 = 0.5 * (1.0 - e2 * inv) * inv;
            kmu = -e * inv;
        }
        if want {
            g[0] += ks2 * ds[0] + kmu;
            g[1] += ks2 * ds[1];
            g[2] += ks2 * ds[2];
            g[3] += ks2 * ds[3];
            ds = [
                -2.0 * alpha * e + beta * ds[0],
                1.0 + beta * ds[1],
                e2 + beta * ds[2],
                s2 + beta * ds[3],
            ];
        }
        s2 = omega + alpha * e2 + beta * s2;
    }
    log_sum += prod.ln();
    acc += if student { 0.5 * log_sum } else { log_sum };
    let n = x.len() as f64;
    let nll = if student {
        let c = stats::ln_gamma(half_nu1)
            - stats::ln_gamma(0.5 * nu)
            - 0.5 * (std::f64::consts::PI * nu2).ln();
        if let Some(out) = grad {
            out[..4].copy_from_slice(&g[..4]);
            out[4] = g[4] - n * (0.5 * digamma(half_nu1) - 0.5 * digamma(0.5 * nu) - 0.5 / nu2);
        }
        acc - n * c
    } else {
        if let Some(out) = grad {
            out[..4].copy_from_slice(&g[..4]);
        }
        0.5 * (n * (2.0 * std::f64::consts::PI).ln() + acc)
    };
    if nll.is_nan() { f64::INFINITY } else { nll }
}

/// Unconstrained coordinates z ↦ θ: `ω = e^{z₁}`, `α + β = logistic(z₂)`,
/// `α/(α + β) = logistic(z₃)`, `ν = 2.05 + e^{z₄}`, so every z is a valid model and optima on
/// the boundary (α → 0, α + β → 1) are approached with a vanishing gradient instead of a
/// stalled line search.
fn to_theta(z: &[f64]) -> Vec<f64> {
    let logistic = |v: f64| 1.0 / (1.0 + (-v).exp());
    let p = logistic(z[2]);
    let share = logistic(z[3]);
    let mut t = vec![z[0], z[1].exp(), p * share, p * (1.0 - share)];
    if z.len() == 5 {
        t.push(2.05 + z[4].exp());
    }
    t
}

fn to_z(theta: &[f64]) -> Vec<f64> {
    let logit = |v: f64| (v / (1.0 - v)).ln();
    let p = theta[2] + theta[3];
    let mut z = vec![theta[0], theta[1].ln(), logit(p), logit(theta[2] / p)];
    if theta.len() == 5 {
        z.push((theta[4] - 2.05).ln());
    }
    z
}

/// Negative log-likelihood and its gradient in z coordinates (chain rule through `to_theta`).
fn objective_z(x: &[f64], bc: f64, z: &[f64], student: bool, grad: &mut [f64]) -> f64 {
    let theta = to_theta(z);
    if !feasible(&theta, student) {
        return f64::INFINITY;
    }
    let mut g = vec![0.0; theta.len()];
    let f = objective(x, bc, &theta, student, Some(&mut g));
    let logistic = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (p, s) = (logistic(z[2]), logistic(z[3]));
    grad[0] = g[0];
    grad[1] = g[1] * theta[1];
    grad[2] = (g[2] * s + g[3] * (1.0 - s)) * p * (1.0 - p);
    grad[3] = (g[2] - g[3]) * p * s * (1.0 - s);
    if student {
        grad[4] = g[4] * (theta[4] - 2.05);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let mut s2: f64 = 1.0;
        let mut u = 0.123_f64;
        let x: Vec<f64> = (0..500)
            .map(|_| {
                u = (u * 3.9 * (1.0 - u)).clamp(1e-9, 1.0 - 1e-9);
                let e = s2.sqrt() * (u - 0.5) * 3.0;
                s2 = 0.05 + 0.1 * e * e + 0.85 * s2;
                e + 0.02
            })
            .collect();
        for student in [false, true] {
            let mut theta = vec![0.03, 0.07, 0.12, 0.8];
            if student {
                theta.push(6.0);
            }
            let mut g = vec![0.0; theta.len()];
            objective(&x, 1.1, &theta, student, Some(&mut g));
            for i in 0..theta.len() {
                let h = 1e-6 * theta[i].abs().max(1e-3);
                let mut up = theta.clone();
                up[i] += h;
                let mut dn = theta.clone();
                dn[i] -= h;
                let fd = (objective(&x, 1.1, &up, student, None)
                    - objective(&x, 1.1, &dn, student, None))
                    / (2.0 * h);
                assert!(
                    (fd - g[i]).abs() <= 1e-5 * (1.0 + g[i].abs()),
                    "{student} {i}: {fd} vs {}",
                    g[i]
                );
            }
        }
    }

    #[test]
    fn constructor_validates() {
        assert!(Garch11::new(0.0, 1e-6, 0.1, 0.95, Innovation::Normal).is_err());
        assert!(Garch11::new(0.0, 0.0, 0.1, 0.8, Innovation::Normal).is_err());
        assert!(Garch11::new(0.0, 1e-6, -0.1, 0.8, Innovation::Normal).is_err());
        assert!(Garch11::new(0.0, 1e-6, 0.1, 0.8, Innovation::StudentT { df: 2.0 }).is_err());
        let g = Garch11::new(0.0, 1e-6, 0.1, 0.8, Innovation::Normal).unwrap();
        assert!((g.unconditional_variance() - 1e-5).abs() < 1e-18);
        assert!(matches!(
            Garch11::fit(
                &[0.01; 50],
                Innovation::Normal,
                QuasiNewtonSettings::default()
            ),
            Err(RiskError::Constant { .. })
        ));
    }
}
