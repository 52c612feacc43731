//! Private numerical helpers: validation, compensated sums, sample moments, Student-t
//! functions, and the Nelder-Mead and BFGS minimisers of the maximum-likelihood fits.

use statrs::function::{beta, gamma};

use crate::error::{Result, RiskError};

/// Non-empty, all finite.
pub(crate) fn check_series(name: &'static str, x: &[f64]) -> Result<()> {
    if x.is_empty() {
        return Err(RiskError::Empty { name });
    }
    if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(RiskError::NonFinite { name, index, value });
    }
    Ok(())
}

/// At least `needed` observations, all finite.
pub(crate) fn check_len(name: &'static str, x: &[f64], needed: usize) -> Result<()> {
    check_series(name, x)?;
    if x.len() < needed {
        return Err(RiskError::TooShort {
            name,
            needed,
            got: x.len(),
        });
    }
    Ok(())
}

/// A finite scalar.
pub(crate) fn check_finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(RiskError::InvalidParameter {
            name,
            value,
            reason: "must be finite",
        })
    }
}

/// A finite, strictly positive scalar.
pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(RiskError::InvalidParameter {
            name,
            value,
            reason: "must be finite and > 0",
        })
    }
}

/// Neumaier's compensated sum (Neumaier 1974, "Rundungsfehleranalyse einiger Verfahren zur
/// Summation endlicher Summen"): error O(eps) independent of the length, so order statistics
/// summed in any order agree with a pairwise sum to a few ulp.
pub(crate) fn sum<I: IntoIterator<Item = f64>>(values: I) -> f64 {
    let mut s = 0.0_f64;
    let mut c = 0.0_f64;
    for v in values {
        let t = s + v;
        if s.abs() >= v.abs() {
            c += (s - t) + v;
        } else {
            c += (v - t) + s;
        }
        s = t;
    }
    s + c
}

/// Arithmetic mean (compensated).
pub(crate) fn mean(x: &[f64]) -> f64 {
    sum(x.iter().copied()) / x.len() as f64
}

/// Central moments m2, m3, m4 about `mu` (population, divided by n).
pub(crate) fn central_moments(x: &[f64], mu: f64) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let m2 = sum(x.iter().map(|v| (v - mu).powi(2))) / n;
    let m3 = sum(x.iter().map(|v| (v - mu).powi(3))) / n;
    let m4 = sum(x.iter().map(|v| (v - mu).powi(4))) / n;
    (m2, m3, m4)
}

/// ln Γ(x).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    gamma::ln_gamma(x)
}

/// Log density of the standard Student-t with `nu` degrees of freedom.
pub(crate) fn t_ln_pdf(x: f64, nu: f64) -> f64 {
    ln_gamma(0.5 * (nu + 1.0))
        - ln_gamma(0.5 * nu)
        - 0.5 * (nu * std::f64::consts::PI).ln()
        - 0.5 * (nu + 1.0) * (x * x / nu).ln_1p()
}

/// Lower-tail cdf of the standard Student-t via the regularised incomplete beta function:
/// F(x) = I_{ν/(ν+x²)}(ν/2, 1/2) / 2 for x ≤ 0 (Abramowitz & Stegun 26.7.1), which keeps full
/// relative accuracy in the lower tail.
pub(crate) fn t_cdf(x: f64, nu: f64) -> f64 {
    let tail = 0.5 * beta::beta_reg(0.5 * nu, 0.5, nu / (nu + x * x));
    if x <= 0.0 { tail } else { 1.0 - tail }
}

/// Quantile of the standard Student-t: statrs' inverse incomplete beta as a start, then
/// Newton steps on ln F (the log keeps the correction relative in the far tail).
pub(crate) fn t_quantile(p: f64, nu: f64) -> f64 {
    let lower = p.min(1.0 - p);
    let y = beta::inv_beta_reg(0.5 * nu, 0.5, 2.0 * lower);
    let mut x = -(nu * (1.0 - y) / y).sqrt();
    for _ in 0..6 {
        let f = t_cdf(x, nu);
        if f.is_nan() || f <= 0.0 {
            break;
        }
        // d ln F / dx = pdf / F.
        let step = (f.ln() - lower.ln()) * f / t_ln_pdf(x, nu).exp();
        if !step.is_finite() {
            break;
        }
        x -= step;
        if step.abs() <= 1e-16 * x.abs() {
            break;
        }
    }
    if p > 0.5 { -x } else { x }
}

/// Upper-tail probability of a χ² distribution with `k` degrees of freedom,
/// Q(k/2, x/2) (regularised upper incomplete gamma).
pub(crate) fn chi2_sf(x: f64, k: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    gamma::gamma_ur(0.5 * k, 0.5 * x)
}

/// Knobs of the Nelder-Mead maximum-likelihood fit of the GPD tail
/// ([`PeaksOverThreshold::fit_with`]).
///
/// [`PeaksOverThreshold::fit_with`]: crate::PeaksOverThreshold::fit_with
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimplexSettings {
    /// Largest simplex spread per coordinate at convergence (default 1e-12, in the fit's
    /// scaled coordinates).
    pub xatol: f64,
    /// Largest relative spread of the negative log-likelihood at convergence (default 1e-13).
    pub fatol: f64,
    /// Iterations per run (default 20,000).
    pub max_iterations: usize,
    /// Runs restarted from the previous optimum until the likelihood stops improving
    /// (default 8; restarting re-expands a collapsed simplex, Nelder & Mead's own advice).
    pub restarts: usize,
}

impl Default for SimplexSettings {
    fn default() -> Self {
        Self {
            xatol: 1e-12,
            fatol: 1e-13,
            max_iterations: 20_000,
            restarts: 8,
        }
    }
}

impl SimplexSettings {
    /// Checks the knobs.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] for non-positive tolerances or zero iterations/runs.
    pub fn validate(&self) -> Result<()> {
        check_positive("xatol", self.xatol)?;
        check_positive("fatol", self.fatol)?;
        for (name, v) in [
            ("max_iterations", self.max_iterations),
            ("restarts", self.restarts),
        ] {
            if v == 0 {
                return Err(RiskError::InvalidParameter {
                    name,
                    value: 0.0,
                    reason: "must be at least 1",
                });
            }
        }
        Ok(())
    }
}

/// Result of a Nelder-Mead run.
#[derive(Debug, Clone)]
pub(crate) struct Simplex {
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) iterations: usize,
    pub(crate) converged: bool,
    pub(crate) spread: f64,
}

/// Nelder & Mead (1965), "A simplex method for function minimization", with the standard
/// coefficients (reflection 1, expansion 2, contraction ½, shrink ½) and scipy's stopping rule:
/// stop when the simplex spread is ≤ `xatol` in every coordinate and the function spread is
/// ≤ `fatol·(1 + |f|)` (relative, since a log-likelihood of 10⁴ has an ulp of 2e-12).
pub(crate) fn nelder_mead<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    x0: &[f64],
    steps: &[f64],
    xatol: f64,
    fatol: f64,
    max_iter: usize,
) -> Simplex {
    let d = x0.len();
    let mut pts: Vec<Vec<f64>> = Vec::with_capacity(d + 1);
    pts.push(x0.to_vec());
    for i in 0..d {
        let mut p = x0.to_vec();
        p[i] += steps[i];
        pts.push(p);
    }
    let eval = |f: &mut F, p: &[f64]| {
        let v = f(p);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut vals: Vec<f64> = pts.iter().map(|p| eval(&mut f, p)).collect();
    let mut iterations = 0;
    let mut spread = f64::INFINITY;
    while iterations < max_iter {
        let mut order: Vec<usize> = (0..=d).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        spread = (1..=d)
            .flat_map(|i| (0..d).map(move |j| (i, j)))
            .map(|(i, j)| (pts[i][j] - pts[0][j]).abs())
            .fold(0.0, f64::max);
        let fspread = (1..=d)
            .map(|i| (vals[i] - vals[0]).abs())
            .fold(0.0, f64::max);
        if spread <= xatol && fspread <= fatol * (1.0 + vals[0].abs()) {
            return Simplex {
                x: pts[0].clone(),
                f: vals[0],
                iterations,
                converged: true,
                spread,
            };
        }
        iterations += 1;
        let centroid: Vec<f64> = (0..d)
            .map(|j| pts[..d].iter().map(|p| p[j]).sum::<f64>() / d as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..d)
                .map(|j| centroid[j] + t * (pts[d][j] - centroid[j]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = eval(&mut f, &xr);
        if fr < vals[0] {
            let xe = along(-2.0);
            let fe = eval(&mut f, &xe);
            if fe < fr {
                pts[d] = xe;
                vals[d] = fe;
            } else {
                pts[d] = xr;
                vals[d] = fr;
            }
            continue;
        }
        if fr < vals[d - 1] {
            pts[d] = xr;
            vals[d] = fr;
            continue;
        }
        let (xc, fc) = if fr < vals[d] {
            let xc = along(-0.5);
            let fc = eval(&mut f, &xc);
            (xc, fc)
        } else {
            let xc = along(0.5);
            let fc = eval(&mut f, &xc);
            (xc, fc)
        };
        if fc < fr.min(vals[d]) {
            pts[d] = xc;
            vals[d] = fc;
            continue;
        }
        for i in 1..=d {
            let shrunk: Vec<f64> = (0..d)
                .map(|j| pts[0][j] + 0.5 * (pts[i][j] - pts[0][j]))
                .collect();
            vals[i] = eval(&mut f, &shrunk);
            pts[i] = shrunk;
        }
    }
    let best = (0..=d)
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    Simplex {
        x: pts[best].clone(),
        f: vals[best],
        iterations,
        converged: false,
        spread,
    }
}

/// Knobs of the quasi-Newton (BFGS) maximum-likelihood fits: [`Garch11::fit`] and
/// [`StudentTModel::fit_mle_with`].
///
/// [`Garch11::fit`]: crate::Garch11::fit
/// [`StudentTModel::fit_mle_with`]: crate::StudentTModel::fit_mle_with
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuasiNewtonSettings {
    /// Maximum quasi-Newton iterations (default 500).
    pub max_iterations: usize,
    /// Stop when every gradient component of the negative log-likelihood (of the
    /// standardised data, in the fit's unconstrained coordinates), scaled by max(1, |zᵢ|), is
    /// below this (default 1e-7).
    pub gradient_tolerance: f64,
}

impl Default for QuasiNewtonSettings {
    fn default() -> Self {
        Self {
            max_iterations: 500,
            gradient_tolerance: 1e-7,
        }
    }
}

impl QuasiNewtonSettings {
    /// Checks the knobs.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] for zero iterations or a non-positive tolerance.
    pub fn validate(&self) -> Result<()> {
        if self.max_iterations == 0 {
            return Err(RiskError::InvalidParameter {
                name: "max_iterations",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        check_positive("gradient_tolerance", self.gradient_tolerance)?;
        Ok(())
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Result of a quasi-Newton minimisation.
#[derive(Debug, Clone)]
pub(crate) struct QuasiNewton {
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) iterations: usize,
}

/// BFGS (Nocedal & Wright 2006, *Numerical Optimization*, §6.1) with an Armijo backtracking
/// line search. `fg(x, g)` returns the objective and writes its gradient into `g`; it returns
/// +∞ outside the domain, which the line search then avoids. Converged when every gradient
/// component scaled by max(1, |xᵢ|) is below `gradient_tolerance`, or when the predicted
/// decrease is below what double precision can resolve in f.
pub(crate) fn bfgs<F: FnMut(&[f64], &mut [f64]) -> f64>(
    mut fg: F,
    x0: Vec<f64>,
    settings: QuasiNewtonSettings,
    what: &'static str,
) -> Result<QuasiNewton> {
    let mut z = x0;
    let d = z.len();
    let mut g = vec![0.0; d];
    let mut f = fg(&z, &mut g);
    let identity = |scale: f64| -> Vec<f64> {
        (0..d * d)
            .map(|k| if k % (d + 1) == 0 { scale } else { 0.0 })
            .collect()
    };
    let mut h = identity(1e-4);
    let mut gn = vec![0.0; d];
    let scaled_grad = |g: &[f64], z: &[f64]| {
        g.iter()
            .zip(z)
            .map(|(gi, zi)| (gi * zi.abs().max(1.0)).abs())
            .fold(0.0, f64::max)
    };
    for it in 0..settings.max_iterations {
        if scaled_grad(&g, &z) <= settings.gradient_tolerance {
            return Ok(QuasiNewton {
                x: z,
                f,
                iterations: it,
            });
        }
        let mut p: Vec<f64> = (0..d).map(|i| -dot(&h[i * d..(i + 1) * d], &g)).collect();
        let mut slope = dot(&g, &p);
        if slope >= 0.0 {
            h = identity(1e-4);
            p = g.iter().map(|v| -1e-4 * v).collect();
            slope = dot(&g, &p);
        }
        // The predicted decrease is below what double precision can resolve in f: done.
        if -slope <= 8.0 * f64::EPSILON * (1.0 + f.abs()) {
            return Ok(QuasiNewton {
                x: z,
                f,
                iterations: it,
            });
        }
        let mut t = 1.0;
        let mut accepted = None;
        while t > 1e-20 {
            let trial: Vec<f64> = z.iter().zip(&p).map(|(a, b)| a + t * b).collect();
            let ft = fg(&trial, &mut gn);
            if ft <= f + 1e-4 * t * slope {
                accepted = Some((trial, ft));
                break;
            }
            t *= 0.5;
        }
        let Some((next, fnext)) = accepted else {
            // No descent left at double precision: accept a stationary point whose gradient
            // is small relative to the likelihood's size.
            if scaled_grad(&g, &z) <= settings.gradient_tolerance * 1e3 {
                return Ok(QuasiNewton {
                    x: z,
                    f,
                    iterations: it,
                });
            }
            return Err(RiskError::NotConverged {
                what,
                iterations: it,
                last_change: scaled_grad(&g, &z),
            });
        };
        let s: Vec<f64> = next.iter().zip(&z).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-14 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if it == 0 {
                h = identity(sy / dot(&y, &y));
            }
            // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ.
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..d).map(|i| dot(&h[i * d..(i + 1) * d], &y)).collect();
            let yhy = dot(&y, &hy);
            for i in 0..d {
                for j in 0..d {
                    h[i * d + j] += -rho * (s[i] * hy[j] + hy[i] * s[j])
                        + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        let done = (f - fnext).abs() <= 1e-16 * f.abs();
        z = next;
        f = fnext;
        std::mem::swap(&mut g, &mut gn);
        if done && scaled_grad(&g, &z) <= settings.gradient_tolerance * 1e3 {
            return Ok(QuasiNewton {
                x: z,
                f,
                iterations: it + 1,
            });
        }
    }
    Err(RiskError::NotConverged {
        what,
        iterations: settings.max_iterations,
        last_change: scaled_grad(&g, &z),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_recovers_cancellation() {
        assert_eq!(sum([1e16, 1.0, -1e16]), 1.0);
    }

    #[test]
    fn t_quantile_inverts_cdf() {
        for &nu in &[1.5, 2.7, 4.72, 30.0] {
            for &p in &[1e-6, 0.001, 0.01, 0.05, 0.3, 0.9] {
                let q = t_quantile(p, nu);
                assert!((t_cdf(q, nu) / p - 1.0).abs() < 1e-13, "nu {nu} p {p}");
            }
        }
        // Cauchy (ν = 1) has the closed form tan(π(p − ½)).
        let q = t_quantile(0.01, 1.0);
        let exact = (std::f64::consts::PI * (0.01 - 0.5)).tan();
        assert!((q / exact - 1.0).abs() < 1e-13);
    }

    #[test]
    fn chi2_survival_matches_closed_form() {
        // χ²(2): Q = exp(−x/2).
        assert!((chi2_sf(3.0, 2.0) - (-1.5f64).exp()).abs() < 1e-15);
        assert_eq!(chi2_sf(0.0, 1.0), 1.0);
    }

    #[test]
    fn nelder_mead_finds_rosenbrock_minimum() {
        let r = nelder_mead(
            |p| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2),
            &[-1.2, 1.0],
            &[0.1, 0.1],
            1e-10,
            1e-14,
            5000,
        );
        assert!(r.converged);
        assert!((r.x[0] - 1.0).abs() < 1e-8 && (r.x[1] - 1.0).abs() < 1e-8);
    }
}
