//! Relative-value position sizing: size by edge over risk, with basis risk shrinking the size.
//!
//! A relative-value trade (long one leg, short a close substitute) earns an expected edge `e`
//! per unit and carries the spread's volatility `σ_s` plus basis risk `σ_b` — the part of the
//! legs' divergence the model does not capture (roll, liquidity, a hedge that is not the
//! same instrument), independent of the spread risk. The mean-variance optimal holding for
//! risk aversion `λ` is the active-position rule of Grinold & Kahn (2000, "Active Portfolio
//! Management", 2nd ed., ch. 14: `h* = α / (λ ω²)`) with residual variance
//! `ω² = σ_s² + σ_b²`:
//!
//! ```text
//! size = e / (λ (σ_s² + σ_b²)),   clipped to ±max_size
//! ```
//!
//! With `λ = 1` this is the Kelly (1956, "A new interpretation of information rate", Bell
//! System Technical Journal 35(4)) growth-optimal fraction `μ/σ²` for a small edge. Basis
//! risk enters the denominator, so a trade with the same edge and spread volatility but more
//! basis risk is sized smaller: relative to the basis-free size it is scaled by
//! `σ_s² / (σ_s² + σ_b²)`.

use crate::error::{PortfolioError, Result};

/// One relative-value opportunity, per unit of position and in consistent units (e.g.
/// annualised return and volatility).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RelativeValueTrade {
    /// Expected edge `e` (signed: negative means the short side is favoured).
    pub edge: f64,
    /// Volatility of the spread `σ_s ≥ 0`.
    pub spread_vol: f64,
    /// Basis-risk volatility `σ_b ≥ 0`, independent of the spread risk.
    pub basis_vol: f64,
}

/// The sized position.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sizing {
    /// Position size (signed), after the cap.
    pub size: f64,
    /// Whether the cap bound.
    pub capped: bool,
    /// Total risk per unit `√(σ_s² + σ_b²)`.
    pub total_vol: f64,
    /// Edge over total risk `e / √(σ_s² + σ_b²)` (the trade's information ratio).
    pub edge_to_risk: f64,
    /// Shrinkage from basis risk, `σ_s² / (σ_s² + σ_b²)`.
    pub basis_shrinkage: f64,
}

/// Sizes a relative-value trade (see the module documentation for the formula).
///
/// ```
/// use parapet_portfolio::{relative_value_size, RelativeValueTrade};
/// let t = RelativeValueTrade { edge: 0.02, spread_vol: 0.10, basis_vol: 0.10 };
/// let s = relative_value_size(&t, 2.0, 10.0)?;
/// assert!((s.size - 0.5).abs() < 1e-12); // 0.02 / (2 · 0.02)
/// assert!((s.basis_shrinkage - 0.5).abs() < 1e-12);
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
///
/// # Errors
/// Non-finite inputs, negative volatilities, zero total risk, a non-positive risk aversion or
/// cap.
pub fn relative_value_size(
    trade: &RelativeValueTrade,
    risk_aversion: f64,
    max_size: f64,
) -> Result<Sizing> {
    let bad = |name, value, reason| {
        Err(PortfolioError::InvalidParameter {
            name,
            value,
            reason,
        })
    };
    if !trade.edge.is_finite() {
        return bad("edge", trade.edge, "must be finite");
    }
    if !(trade.spread_vol.is_finite() && trade.spread_vol >= 0.0) {
        return bad("spread_vol", trade.spread_vol, "must be non-negative");
    }
    if !(trade.basis_vol.is_finite() && trade.basis_vol >= 0.0) {
        return bad("basis_vol", trade.basis_vol, "must be non-negative");
    }
    if !(risk_aversion.is_finite() && risk_aversion > 0.0) {
        return bad("risk_aversion", risk_aversion, "must be positive");
    }
    if max_size.is_nan() || max_size <= 0.0 {
        return bad("max_size", max_size, "must be positive");
    }
    let variance = trade.spread_vol * trade.spread_vol + trade.basis_vol * trade.basis_vol;
    if variance == 0.0 {
        return bad(
            "total volatility",
            0.0,
            "a riskless edge has no finite size",
        );
    }
    let raw = trade.edge / (risk_aversion * variance);
    let size = raw.clamp(-max_size, max_size);
    Ok(Sizing {
        size,
        capped: size != raw,
        total_vol: variance.sqrt(),
        edge_to_risk: trade.edge / variance.sqrt(),
        basis_shrinkage: trade.spread_vol * trade.spread_vol / variance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_risk_shrinks_and_cap_binds() {
        let base = RelativeValueTrade {
            edge: 0.03,
            spread_vol: 0.1,
            basis_vol: 0.0,
        };
        let a = relative_value_size(&base, 1.0, 100.0).unwrap();
        let b = relative_value_size(
            &RelativeValueTrade {
                basis_vol: 0.2,
                ..base
            },
            1.0,
            100.0,
        )
        .unwrap();
        assert!((a.size - 3.0).abs() < 1e-12);
        assert!((b.size - a.size * b.basis_shrinkage).abs() < 1e-12);
        assert!(b.size < a.size);
        let c = relative_value_size(&base, 1.0, 1.0).unwrap();
        assert!(c.capped && c.size == 1.0);
        let short = relative_value_size(
            &RelativeValueTrade {
                edge: -0.03,
                ..base
            },
            1.0,
            1.0,
        )
        .unwrap();
        assert_eq!(short.size, -1.0);
    }

    #[test]
    fn rejects_riskless_and_bad_inputs() {
        let t = RelativeValueTrade {
            edge: 0.01,
            spread_vol: 0.0,
            basis_vol: 0.0,
        };
        assert!(matches!(
            relative_value_size(&t, 1.0, 1.0),
            Err(PortfolioError::InvalidParameter {
                name: "total volatility",
                ..
            })
        ));
        let t = RelativeValueTrade {
            spread_vol: -0.1,
            ..t
        };
        assert!(matches!(
            relative_value_size(&t, 1.0, 1.0),
            Err(PortfolioError::InvalidParameter {
                name: "spread_vol",
                ..
            })
        ));
    }
}
