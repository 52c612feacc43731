//! Risk-adjusted performance ratios of a return series.

use crate::drawdown::{DrawdownKind, max_drawdown};
use crate::error::{Result, RiskError};
use crate::stats;

/// Annualisation and benchmark settings for the ratios.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RatioSettings {
    /// Periods per year (default 252, daily data).
    pub periods_per_year: f64,
    /// Risk-free (or target) return per period (default 0).
    pub risk_free: f64,
}

impl Default for RatioSettings {
    fn default() -> Self {
        Self {
            periods_per_year: parapet_core::TRADING_DAYS,
            risk_free: 0.0,
        }
    }
}

impl RatioSettings {
    /// Checks that the settings are usable.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] for a non-positive annualisation or non-finite rate.
    pub fn validate(&self) -> Result<()> {
        stats::check_positive("periods_per_year", self.periods_per_year)?;
        stats::check_finite("risk_free", self.risk_free)?;
        Ok(())
    }
}

/// Annualised ratios of a return series.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ratios {
    /// Sharpe (1966, "Mutual fund performance"): `(mean − r_f)/sd·√m`, sd with divisor n − 1.
    pub sharpe: f64,
    /// Sortino & Price (1994, "Performance measurement in a downside risk framework"):
    /// `(mean − r_f)/DD·√m`, `DD = √(mean(min(r − r_f, 0)²))`; infinite without shortfall.
    pub sortino: f64,
    /// Young (1991, "Calmar ratio: a smoother tool"): compound annual growth rate over the
    /// maximum compounded drawdown; infinite without drawdown.
    pub calmar: f64,
    /// Keating & Shadwick (2002, "A universal performance measure"):
    /// `Σ(r − r_f)⁺ / Σ(r_f − r)⁺`; infinite without shortfall.
    pub omega: f64,
    /// Compound annual growth rate `W_n^{m/n} − 1`.
    pub cagr: f64,
}

/// Sharpe, Sortino, Calmar and Omega ratios of `returns` (per-period simple returns).
///
/// # Errors
/// [`RiskError::TooShort`] below 2 observations, [`RiskError::Constant`] for a constant
/// series, data and settings errors.
pub fn ratios(returns: &[f64], settings: RatioSettings) -> Result<Ratios> {
    settings.validate()?;
    stats::check_len("returns", returns, 2)?;
    let n = returns.len() as f64;
    let m = settings.periods_per_year;
    let rf = settings.risk_free;
    let mean = stats::mean(returns);
    let var = stats::sum(returns.iter().map(|r| (r - mean).powi(2))) / (n - 1.0);
    if var <= 0.0 {
        return Err(RiskError::Constant {
            name: "returns",
            value: returns[0],
        });
    }
    let excess = mean - rf;
    let downside = (stats::sum(returns.iter().map(|r| (r - rf).min(0.0).powi(2))) / n).sqrt();
    let gains = stats::sum(returns.iter().map(|r| (r - rf).max(0.0)));
    let losses = stats::sum(returns.iter().map(|r| (rf - r).max(0.0)));
    let mdd = max_drawdown(returns, DrawdownKind::Compounded)?;
    let log_growth = stats::sum(returns.iter().map(|r| r.ln_1p()));
    let cagr = (log_growth * m / n).exp_m1();
    let ratio = |num: f64, den: f64| {
        if den > 0.0 {
            num / den
        } else if num > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    };
    Ok(Ratios {
        sharpe: excess / var.sqrt() * m.sqrt(),
        sortino: ratio(excess, downside) * if downside > 0.0 { m.sqrt() } else { 1.0 },
        calmar: ratio(cagr, mdd.depth),
        omega: ratio(gains, losses),
        cagr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_on_a_small_series() {
        let r = [0.01, -0.02, 0.03, -0.01, 0.02];
        let s = RatioSettings::default();
        let q = ratios(&r, s).unwrap();
        // mean 0.006, sd √(0.00043) ≈ 0.020736.
        let sd = (0.00043f64).sqrt();
        assert!((q.sharpe - 0.006 / sd * 252f64.sqrt()).abs() < 1e-12);
        // Omega: gains 0.06 over losses 0.03.
        assert!((q.omega - 2.0).abs() < 1e-12);
        assert!(q.sortino > q.sharpe);
        assert!(ratios(&[0.01; 5], s).is_err());
        let bad = RatioSettings {
            periods_per_year: 0.0,
            ..s
        };
        assert!(bad.validate().is_err());
        assert_eq!(ratios(&[0.01, 0.02], s).unwrap().omega, f64::INFINITY);
    }
}
