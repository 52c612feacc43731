//! Stop-loss and take-profit levels from a position's volatility or tail risk.
//!
//! A stop is placed at a loss distance `d` (a fraction of the entry price) that ordinary
//! noise should rarely reach within the holding horizon `h`: `d = k·σ·√h` (k-sigma stop) or
//! `d = VaR_α·√h` / `d = ES_α·√h` (tail stops, square-root-of-time scaling of one-period
//! measures, exact for i.i.d. normal returns and a convention otherwise — Danielsson & Zigrand
//! 2006, "On time-scaling of risk and the square-root-of-time rule"). The take-profit sits
//! at `reward_to_risk · d` on the other side of the entry (Kaufman 2013, *Trading Systems and
//! Methods*, ch. 21, on volatility stops).

use crate::error::{Result, RiskError};
use crate::historical::TailRisk;
use crate::stats;

/// Direction of the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Side {
    /// Profits when the price rises.
    Long,
    /// Profits when the price falls.
    Short,
}

/// How far from the entry the stop sits.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum StopRule {
    /// `k·σ·√h` with σ the one-period volatility of returns.
    KSigma {
        /// One-period volatility σ.
        sigma: f64,
        /// Multiple k.
        k: f64,
    },
    /// `VaR·√h` from a one-period tail measure.
    Var(TailRisk),
    /// `ES·√h` from a one-period tail measure (wider than the VaR stop).
    Es(TailRisk),
}

/// Stop-loss and take-profit prices for a position.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Stops {
    /// Price at which the position is closed at a loss.
    pub stop_loss: f64,
    /// Price at which the position is closed at a profit.
    pub take_profit: f64,
    /// The loss distance `d` as a fraction of the entry.
    pub distance: f64,
}

/// Stop-loss and take-profit levels for a position entered at `entry`, held for `horizon`
/// periods, with the take-profit at `reward_to_risk` times the stop distance.
///
/// ```
/// use parapet_risk::{stop_levels, Side, StopRule};
/// let s = stop_levels(100.0, Side::Long, StopRule::KSigma { sigma: 0.01, k: 2.0 }, 4.0, 1.5)?;
/// assert!((s.stop_loss - 96.0).abs() < 1e-12 && (s.take_profit - 106.0).abs() < 1e-12);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// [`RiskError::InvalidParameter`] for a non-positive entry, horizon, σ, k, ratio or tail
/// measure, or a distance of 100% or more (a long stop at or below zero).
pub fn stop_levels(
    entry: f64,
    side: Side,
    rule: StopRule,
    horizon: f64,
    reward_to_risk: f64,
) -> Result<Stops> {
    stats::check_positive("entry", entry)?;
    let root_h = stats::check_positive("horizon", horizon)?.sqrt();
    stats::check_positive("reward_to_risk", reward_to_risk)?;
    let one_period = match rule {
        StopRule::KSigma { sigma, k } => {
            stats::check_positive("sigma", sigma)? * stats::check_positive("k", k)?
        }
        StopRule::Var(t) => stats::check_positive("VaR", t.var)?,
        StopRule::Es(t) => stats::check_positive("ES", t.es)?,
    };
    let distance = one_period * root_h;
    if distance >= 1.0 && side == Side::Long {
        return Err(RiskError::InvalidParameter {
            name: "stop distance",
            value: distance,
            reason: "must be below 100% of the entry for a long position",
        });
    }
    let sign = match side {
        Side::Long => 1.0,
        Side::Short => -1.0,
    };
    Ok(Stops {
        stop_loss: entry * (1.0 - sign * distance),
        take_profit: entry * (1.0 + sign * reward_to_risk * distance),
        distance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_and_rules() {
        let t = TailRisk {
            var: 0.02,
            es: 0.03,
        };
        let long = stop_levels(50.0, Side::Long, StopRule::Es(t), 1.0, 2.0).unwrap();
        assert!((long.stop_loss - 48.5).abs() < 1e-12 && (long.take_profit - 53.0).abs() < 1e-12);
        let short = stop_levels(50.0, Side::Short, StopRule::Var(t), 1.0, 2.0).unwrap();
        assert!((short.stop_loss - 51.0).abs() < 1e-12 && (short.take_profit - 48.0).abs() < 1e-12);
        assert!(
            stop_levels(
                50.0,
                Side::Long,
                StopRule::KSigma { sigma: 0.5, k: 3.0 },
                1.0,
                1.0
            )
            .is_err()
        );
        assert!(stop_levels(-1.0, Side::Long, StopRule::Var(t), 1.0, 1.0).is_err());
    }
}
