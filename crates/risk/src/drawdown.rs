//! Drawdowns: the fall of wealth from its running peak.
//!
//! Three conventions, all with the initial wealth counted as a peak:
//! - compounded: `W₀ = 1`, `W_t = Π(1 + r)`, `DD_t = 1 − W_t / max_{s≤t} W_s`;
//! - uncompounded: `C₀ = 0`, `C_t = Σ r`, `DD_t = max_{s≤t} C_s − C_t` (the convention of
//!   drawdown-constrained optimisation, Chekhlov, Uryasev & Zabarankin 2005);
//! - log: `DD_t = max_{s≤t} ln W_s − ln W_t = −ln(1 − DD_t^{compounded})`.
//!
//! Wealth points are indexed `0..=n`: point 0 is the initial wealth, point `t ≥ 1` the wealth
//! after return `t − 1` (so it carries that return's date).

use parapet_core::Confidence;

use crate::error::{Result, RiskError};
use crate::historical::{EsMethod, QuantileMethod, historical_var_es};
use crate::stats;

/// How wealth accumulates for drawdown purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DrawdownKind {
    /// Relative fall of compounded wealth (the default; what an investor experiences).
    #[default]
    Compounded,
    /// Fall of cumulative summed returns.
    Uncompounded,
    /// Fall of log wealth.
    Log,
}

/// The deepest drawdown and where it happened (wealth-point indices, see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MaxDrawdown {
    /// Depth, a positive fraction (or log/summed-return units).
    pub depth: f64,
    /// Wealth point of the peak before the trough.
    pub peak: usize,
    /// Wealth point of the trough.
    pub trough: usize,
    /// First wealth point after the trough back at or above the peak, if any.
    pub recovery: Option<usize>,
}

/// The running level whose fall is measured: wealth, cumulative sum or log wealth.
fn levels(returns: &[f64], kind: DrawdownKind) -> Result<Vec<f64>> {
    stats::check_series("returns", returns)?;
    if kind != DrawdownKind::Uncompounded
        && let Some(&value) = returns.iter().find(|r| **r <= -1.0)
    {
        return Err(RiskError::InvalidParameter {
            name: "return",
            value,
            reason: "a return of -100% or less wipes out compounded wealth",
        });
    }
    let mut out = Vec::with_capacity(returns.len() + 1);
    let mut level = match kind {
        DrawdownKind::Compounded => 1.0,
        _ => 0.0,
    };
    out.push(level);
    for r in returns {
        match kind {
            DrawdownKind::Compounded => level *= 1.0 + r,
            DrawdownKind::Uncompounded => level += r,
            DrawdownKind::Log => level += r.ln_1p(),
        }
        out.push(level);
    }
    Ok(out)
}

fn fall(peak: f64, level: f64, kind: DrawdownKind) -> f64 {
    match kind {
        DrawdownKind::Compounded => 1.0 - level / peak,
        _ => peak - level,
    }
}

/// The drawdown at every wealth point `0..=n` (the first is 0).
///
/// # Errors
/// Data errors; [`RiskError::InvalidParameter`] for a return ≤ −100% in the compounded and
/// log conventions.
pub fn drawdowns(returns: &[f64], kind: DrawdownKind) -> Result<Vec<f64>> {
    let lv = levels(returns, kind)?;
    let mut peak = f64::NEG_INFINITY;
    Ok(lv
        .iter()
        .map(|&l| {
            peak = peak.max(l);
            fall(peak, l, kind)
        })
        .collect())
}

fn max_of_levels(lv: &[f64], kind: DrawdownKind) -> MaxDrawdown {
    let mut best = MaxDrawdown {
        depth: 0.0,
        peak: 0,
        trough: 0,
        recovery: None,
    };
    let mut peak_at = 0;
    for (t, &l) in lv.iter().enumerate() {
        if l > lv[peak_at] {
            peak_at = t;
        }
        let d = fall(lv[peak_at], l, kind);
        if d > best.depth {
            best = MaxDrawdown {
                depth: d,
                peak: peak_at,
                trough: t,
                recovery: None,
            };
        }
    }
    if best.depth > 0.0 {
        let target = lv[best.peak];
        best.recovery = (best.trough + 1..lv.len()).find(|&t| lv[t] >= target);
    }
    best
}

/// Maximum drawdown of `returns` under `kind`.
///
/// ```
/// use parapet_risk::{max_drawdown, DrawdownKind};
/// let r = [0.10, -0.50, 0.20, 1.0];
/// let m = max_drawdown(&r, DrawdownKind::Compounded)?;
/// assert!((m.depth - 0.5).abs() < 1e-15);
/// assert_eq!((m.peak, m.trough, m.recovery), (1, 2, Some(4)));
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// As [`drawdowns`].
pub fn max_drawdown(returns: &[f64], kind: DrawdownKind) -> Result<MaxDrawdown> {
    Ok(max_of_levels(&levels(returns, kind)?, kind))
}

/// Maximum compounded drawdown of a price or wealth path (the first price is the initial
/// wealth).
///
/// # Errors
/// Data errors; [`RiskError::InvalidParameter`] for a non-positive price.
pub fn max_drawdown_of_prices(prices: &[f64]) -> Result<MaxDrawdown> {
    stats::check_series("prices", prices)?;
    if let Some(&p) = prices.iter().find(|p| **p <= 0.0) {
        return Err(RiskError::InvalidParameter {
            name: "price",
            value: p,
            reason: "must be > 0",
        });
    }
    Ok(max_of_levels(prices, DrawdownKind::Compounded))
}

/// Summary statistics of the drawdown path.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DrawdownStats {
    /// Maximum drawdown and its dates.
    pub max: MaxDrawdown,
    /// Mean drawdown over the `n` periods after the start.
    pub average: f64,
    /// Ulcer index `√(mean DD²)` (Martin & McCann 1989, *The Investor's Guide to Fidelity
    /// Funds*).
    pub ulcer_index: f64,
    /// Conditional drawdown at risk: the fractional (Rockafellar-Uryasev) mean of the worst
    /// `(1 − α)` share of drawdowns (Chekhlov, Uryasev & Zabarankin 2005, "Drawdown measure in
    /// portfolio optimization", *IJTAF* 8(1)).
    pub cdar: f64,
    /// Longest run of consecutive periods under water (`DD > 0`).
    pub longest_under_water: usize,
    /// Share of periods under water.
    pub time_under_water: f64,
}

/// Drawdown statistics of `returns` under `kind`, with CDaR at confidence `c`.
///
/// # Errors
/// As [`drawdowns`].
pub fn drawdown_stats(returns: &[f64], kind: DrawdownKind, c: Confidence) -> Result<DrawdownStats> {
    let lv = levels(returns, kind)?;
    let max = max_of_levels(&lv, kind);
    let mut peak = f64::NEG_INFINITY;
    let dd: Vec<f64> = lv
        .iter()
        .map(|&l| {
            peak = peak.max(l);
            fall(peak, l, kind)
        })
        .skip(1)
        .collect();
    let n = dd.len() as f64;
    let average = stats::mean(&dd);
    let ulcer_index = (stats::sum(dd.iter().map(|d| d * d)) / n).sqrt();
    let neg: Vec<f64> = dd.iter().map(|d| -d).collect();
    let cdar = historical_var_es(&neg, c, QuantileMethod::LowerLoss, EsMethod::Fractional)?.es;
    let mut longest = 0;
    let mut run = 0;
    let mut under = 0usize;
    for d in &dd {
        if *d > 0.0 {
            run += 1;
            under += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    Ok(DrawdownStats {
        max,
        average,
        ulcer_index,
        cdar,
        longest_under_water: longest,
        time_under_water: under as f64 / n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions_agree_where_they_should() {
        let r = [0.01, -0.03, 0.02, -0.05, 0.04, 0.01, 0.06];
        let c = max_drawdown(&r, DrawdownKind::Compounded).unwrap();
        let l = max_drawdown(&r, DrawdownKind::Log).unwrap();
        assert!((l.depth + (1.0 - c.depth).ln()).abs() < 1e-15);
        assert_eq!((c.peak, c.trough), (l.peak, l.trough));
        let s =
            drawdown_stats(&r, DrawdownKind::Compounded, Confidence::new(0.5).unwrap()).unwrap();
        assert!(s.cdar <= s.max.depth && s.cdar >= s.average);
        assert!(s.ulcer_index >= s.average);
        assert!(max_drawdown(&[0.1, -1.0], DrawdownKind::Compounded).is_err());
        assert!(max_drawdown(&[0.1, -1.0], DrawdownKind::Uncompounded).is_ok());
        assert!(max_drawdown_of_prices(&[1.0, 0.0]).is_err());
    }

    #[test]
    fn stats_by_hand() {
        // Wealth 1, 1.1, 0.55, 0.66, 1.32: drawdowns 0, 0.5, 0.4, 0 after the start.
        let r = [0.1, -0.5, 0.2, 1.0];
        let s =
            drawdown_stats(&r, DrawdownKind::Compounded, Confidence::new(0.5).unwrap()).unwrap();
        assert!((s.average - 0.225).abs() < 1e-15);
        assert!((s.ulcer_index - (0.41f64 / 4.0).sqrt()).abs() < 1e-15);
        // k = 2 of 4: the mean of the two deepest drawdowns.
        assert!((s.cdar - 0.45).abs() < 1e-15);
        assert_eq!(s.longest_under_water, 2);
        assert_eq!(s.time_under_water, 0.5);
        let dd = drawdowns(&r, DrawdownKind::Uncompounded).unwrap();
        assert!((dd[2] - 0.5).abs() < 1e-15 && (dd[3] - 0.3).abs() < 1e-15 && dd[4] == 0.0);
    }
}
