//! SABR calibration per expiry: Levenberg-Marquardt on Hagan's lognormal vol, `β` fixed or
//! fitted.

use crate::error::{Result, SurfaceError, in_range};
use crate::optimize::levenberg_marquardt;
use crate::quotes::SliceQuotes;
use crate::sabr::{Sabr, SabrSmile};

/// How `β` is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Beta {
    /// Held at this value in `[0, 1]` (the usual choice: `β` and `ρ` are nearly
    /// collinear on one smile; Hagan et al. 2002, Section 3.3).
    Fixed(f64),
    /// Fitted with the other parameters.
    Fitted,
}

/// Knobs of [`SabrCalibrator`]. `Default`: `β` fixed at 1/2, 100 iterations.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SabrFitSettings {
    /// `β`; default `Beta::Fixed(0.5)`.
    pub beta: Beta,
    /// Levenberg-Marquardt iterations per start; default 100.
    pub max_iterations: usize,
}

impl Default for SabrFitSettings {
    fn default() -> Self {
        Self {
            beta: Beta::Fixed(0.5),
            max_iterations: 100,
        }
    }
}

impl SabrFitSettings {
    /// Checks the knobs.
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] for a fixed `β` outside `[0, 1]` or zero iterations.
    pub fn validate(&self) -> Result<()> {
        if let Beta::Fixed(b) = self.beta {
            in_range("beta", b, -1e-300, 1.0 + 1e-15, "must lie in [0, 1]")?;
        }
        if self.max_iterations == 0 {
            return Err(SurfaceError::InvalidParameter {
                name: "max_iterations",
                value: 0.0,
                reason: "must be >= 1",
            });
        }
        Ok(())
    }
}

/// A fitted SABR smile with its fit error.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SabrFit {
    /// The fitted smile.
    pub smile: SabrSmile,
    /// Root-mean-square of fitted minus mid vol, in vol points (×100).
    pub rmse_vol_points: f64,
}

/// Fits SABR to one expiry's implied vols (residuals in vol, equal weights).
///
/// ```
/// use parapet_surface::{Sabr, SabrCalibrator, SabrFitSettings, SliceQuotes, SmileQuote};
/// let truth = Sabr::new(0.2, 0.5, -0.4, 0.6)?;
/// let (f, t) = (1.0, 0.5);
/// let quotes = (0..21)
///     .map(|i| {
///         let k = -0.3 + 0.03 * i as f64;
///         let v = truth.lognormal_vol(f, f * k.exp(), t)?;
///         Ok(SmileQuote { k, bid: v, mid: v, ask: v })
///     })
///     .collect::<Result<Vec<_>, parapet_surface::SurfaceError>>()?;
/// let fit = SabrCalibrator::new(SabrFitSettings::default())?.fit(&SliceQuotes::new(t, quotes)?, f)?;
/// assert!((fit.smile.params().rho() + 0.4).abs() < 1e-6);
/// # Ok::<(), parapet_surface::SurfaceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SabrCalibrator {
    settings: SabrFitSettings,
}

impl SabrCalibrator {
    /// A calibrator with validated settings.
    ///
    /// # Errors
    /// As [`SabrFitSettings::validate`].
    pub fn new(settings: SabrFitSettings) -> Result<Self> {
        settings.validate()?;
        Ok(Self { settings })
    }

    /// Fits the quotes of one expiry at `forward` (log-moneyness `k = ln(K/F)`).
    ///
    /// Starts: `α` from the ATM vol (`σ_ATM ≈ α F^{β−1}`), `ν = 0.5`, `ρ ∈ {−0.5, 0, 0.5}`;
    /// the best of the three Levenberg-Marquardt runs is kept.
    ///
    /// # Errors
    /// [`SurfaceError::TooFewQuotes`] below 4 quotes (3 with `β` fixed),
    /// [`SurfaceError::InvalidParameter`] for a non-positive forward,
    /// [`SurfaceError::Calibration`] if no start gives a finite fit.
    pub fn fit(&self, quotes: &SliceQuotes, forward: f64) -> Result<SabrFit> {
        in_range("forward", forward, 0.0, f64::INFINITY, "must be > 0")?;
        let needed = if matches!(self.settings.beta, Beta::Fitted) {
            4
        } else {
            3
        };
        if quotes.len() < needed {
            return Err(SurfaceError::TooFewQuotes {
                what: "a SABR fit",
                needed,
                got: quotes.len(),
            });
        }
        let t = quotes.expiry();
        let q = quotes.quotes();
        let atm = q
            .iter()
            .min_by(|a, b| a.k.abs().total_cmp(&b.k.abs()))
            .map_or(0.2, |x| x.mid);
        // x = (ln α, ρ, ν, β): ln α keeps α > 0 without a bound at zero.
        let eval = |x: &[f64; 4], out: &mut [f64]| {
            let (alpha, rho, nu, beta) = (x[0].exp(), x[1], x[2], x[3]);
            let s = Sabr::unchecked(alpha, beta, rho, nu);
            for (o, qq) in out.iter_mut().zip(q) {
                let v = s.lognormal_unchecked(forward, forward * qq.k.exp(), t);
                *o = if v.is_finite() { v - qq.mid } else { 10.0 };
            }
        };
        let (beta_lo, beta_hi, beta0) = match self.settings.beta {
            Beta::Fixed(b) => (b, b, b),
            Beta::Fitted => (0.0, 1.0, 0.5),
        };
        let mut best: Option<([f64; 4], f64)> = None;
        for rho0 in [-0.5, 0.0, 0.5] {
            let x0 = [(atm * forward.powf(1.0 - beta0)).ln(), rho0, 0.5, beta0];
            let (x, info) = levenberg_marquardt(
                &mut |x: &[f64; 4], out: &mut [f64]| eval(x, out),
                x0,
                [-30.0, -0.999, 0.0, beta_lo],
                [10.0, 0.999, 10.0, beta_hi],
                q.len(),
                self.settings.max_iterations,
            );
            if info.cost.is_finite() && best.is_none_or(|b| info.cost < b.1) {
                best = Some((x, info.cost));
            }
        }
        let (x, cost) = best.ok_or(SurfaceError::Calibration {
            model: "SABR",
            reason: "no start gave a finite fit",
        })?;
        let params = Sabr::new(x[0].exp(), x[3], x[1], x[2])?;
        Ok(SabrFit {
            smile: SabrSmile::new(params, forward, t)?,
            rmse_vol_points: 100.0 * (2.0 * cost / q.len() as f64).sqrt(),
        })
    }
}
