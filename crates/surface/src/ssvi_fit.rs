//! SSVI surface calibration across expiries.
//!
//! `θ_t` is read off each expiry's quotes (ATM total variance, made non-decreasing in `T`);
//! the global `ρ` and `φ` parameters are then fitted by Levenberg-Marquardt to every quote,
//! inside the region where Gatheral & Jacquier (2014) guarantee no static arbitrage
//! (Corollary 4.1 for Heston-like `φ`, Remark 4.4 for the power law).

use crate::error::{Result, SurfaceError};
use crate::optimize::levenberg_marquardt;
use crate::quotes::SliceQuotes;
use crate::ssvi::{Phi, Ssvi};

/// Which `φ` family to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum PhiFamily {
    /// `φ(θ) = 1/(λθ)·(1 − (1 − e^{−λθ})/(λθ))`, fitted with `λ ≥ (1 + |ρ|)/4`.
    HestonLike,
    /// `φ(θ) = η/(θ^γ(1 + θ)^{1−γ})`, fitted with `η(1 + |ρ|) ≤ 2`, `0 < γ ≤ 1/2`.
    PowerLaw,
}

/// A fitted SSVI surface.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SsviFit {
    /// The surface parameters (free of static arbitrage by construction).
    pub ssvi: Ssvi,
    /// `(T, θ_T)` per expiry, non-decreasing in `T`.
    pub thetas: Vec<(f64, f64)>,
    /// Root-mean-square of fitted minus mid vol over all quotes, in vol points (×100).
    pub rmse_vol_points: f64,
}

/// ATM total variance of one expiry: linear interpolation of mid total variance at `k = 0`
/// (flat beyond the quotes).
fn atm_total_variance(q: &SliceQuotes) -> f64 {
    let t = q.expiry();
    let qs = q.quotes();
    let i = qs.partition_point(|x| x.k < 0.0);
    let w = |j: usize| qs[j].mid * qs[j].mid * t;
    if i == 0 {
        w(0)
    } else if i == qs.len() {
        w(qs.len() - 1)
    } else {
        let l = (0.0 - qs[i - 1].k) / (qs[i].k - qs[i - 1].k);
        (1.0 - l) * w(i - 1) + l * w(i)
    }
}

/// Fits an SSVI surface to the quotes of several expiries, sorted by expiry.
///
/// # Errors
/// [`SurfaceError::TooFewQuotes`] with no expiry, [`SurfaceError::NotIncreasing`] for
/// unsorted expiries, [`SurfaceError::Calibration`] if the fit is not finite.
pub fn fit_ssvi(slices: &[SliceQuotes], family: PhiFamily) -> Result<SsviFit> {
    if slices.is_empty() {
        return Err(SurfaceError::TooFewQuotes {
            what: "an SSVI fit",
            needed: 1,
            got: 0,
        });
    }
    let mut thetas = Vec::with_capacity(slices.len());
    let mut run_max = 0.0f64;
    for (i, s) in slices.iter().enumerate() {
        if i > 0 && s.expiry() <= slices[i - 1].expiry() {
            return Err(SurfaceError::NotIncreasing {
                name: "expiry",
                index: i,
                previous: slices[i - 1].expiry(),
                value: s.expiry(),
            });
        }
        // θ must be non-decreasing for calendar-free SSVI (Theorem 4.1).
        run_max = run_max.max(atm_total_variance(s));
        thetas.push((s.expiry(), run_max));
    }
    let n: usize = slices.iter().map(|s| s.len()).sum();
    // Map free parameters to the no-arbitrage region.
    let to_phi = |x: &[f64; 3]| -> (f64, Phi) {
        let rho = x[0];
        let phi = match family {
            PhiFamily::HestonLike => Phi::HestonLike {
                lambda: x[1].max(0.25 * (1.0 + rho.abs())),
            },
            PhiFamily::PowerLaw => Phi::PowerLaw {
                eta: x[1].min(2.0 / (1.0 + rho.abs())),
                gamma: x[2],
            },
        };
        (rho, phi)
    };
    let mut residuals = |x: &[f64; 3], out: &mut [f64]| {
        let (rho, phi) = to_phi(x);
        let mut j = 0;
        for (s, &(t, theta)) in slices.iter().zip(&thetas) {
            let p = phi.value(theta);
            for q in s.quotes() {
                let w = 0.5
                    * theta
                    * (1.0 + rho * p * q.k + (p * q.k + rho).hypot((1.0 - rho * rho).sqrt()));
                out[j] = (w.max(0.0) / t).sqrt() - q.mid;
                j += 1;
            }
        }
    };
    let (lower, upper, x0) = match family {
        PhiFamily::HestonLike => ([-0.999, 0.01, 0.0], [0.999, 1e4, 0.0], [-0.5, 1.0, 0.0]),
        PhiFamily::PowerLaw => ([-0.999, 1e-4, 0.01], [0.999, 2.0, 0.5], [-0.5, 1.0, 0.4]),
    };
    let mut best: Option<([f64; 3], f64)> = None;
    for rho0 in [-0.7, -0.3, 0.3] {
        let (x, info) =
            levenberg_marquardt(&mut residuals, [rho0, x0[1], x0[2]], lower, upper, n, 200);
        if info.cost.is_finite() && best.is_none_or(|b| info.cost < b.1) {
            best = Some((x, info.cost));
        }
    }
    let (x, cost) = best.ok_or(SurfaceError::Calibration {
        model: "SSVI",
        reason: "no start gave a finite fit",
    })?;
    let (rho, phi) = to_phi(&x);
    Ok(SsviFit {
        ssvi: Ssvi::new(rho, phi)?,
        thetas,
        rmse_vol_points: 100.0 * (2.0 * cost / n as f64).sqrt(),
    })
}
