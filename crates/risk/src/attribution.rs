//! Risk attribution: marginal, component (Euler) and incremental VaR and ES.
//!
//! For a measure ρ that is homogeneous of degree one in the weights, Euler's theorem gives
//! `ρ(w) = Σᵢ wᵢ ∂ρ/∂wᵢ`: the components `wᵢ ∂ρ/∂wᵢ` add up to the total (Tasche 1999, "Risk
//! contributions and performance measurement"; Litterman 1996, "Hot spots and hedges").
//! Incremental risk is the change in the total when a position is removed,
//! `ρ(w) − ρ(w with wᵢ = 0)`.

use ndarray::{Array1, ArrayView2};
use parapet_core::{Confidence, special};

use crate::error::{Result, RiskError};
use crate::historical::tail_count;
use crate::stats;

/// Which tail measure to attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Measure {
    /// Value at risk.
    Var,
    /// Expected shortfall (the default: coherent, and its Euler allocation is stable).
    #[default]
    Es,
}

/// Attribution of a portfolio's VaR or ES to its positions.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Attribution {
    /// The portfolio's VaR or ES.
    pub total: f64,
    /// `∂ρ/∂wᵢ`.
    pub marginal: Vec<f64>,
    /// `wᵢ ∂ρ/∂wᵢ`; sums to `total`.
    pub component: Vec<f64>,
    /// `ρ(w) − ρ(w₋ᵢ)`.
    pub incremental: Vec<f64>,
}

fn check_weights(weights: &[f64], n: usize) -> Result<()> {
    stats::check_series("weights", weights)?;
    if weights.len() != n {
        return Err(RiskError::ShapeMismatch {
            name: "weights",
            expected: n,
            got: weights.len(),
        });
    }
    Ok(())
}

/// Parametric (normal) attribution: with `σ_p = √(wᵀΣw)` and `z = Φ⁻¹(α)`,
/// `VaR = −wᵀμ + z σ_p`, `ES = −wᵀμ + σ_p φ(z)/(1 − α)`, and
/// `∂VaR/∂wᵢ = −μᵢ + z (Σw)ᵢ/σ_p`, `∂ES/∂wᵢ = −μᵢ + φ(z)/(1 − α)·(Σw)ᵢ/σ_p`
/// (Garman 1997, "Taking VaR to pieces", *Risk* 10(10)).
///
/// ```
/// use ndarray::array;
/// use parapet_risk::{parametric_attribution, Confidence, Measure};
/// let cov = array![[0.04, 0.006], [0.006, 0.01]];
/// let a = parametric_attribution(&[0.6, 0.4], &[0.0, 0.0], cov.view(), Confidence::new(0.99)?, Measure::Var)?;
/// let sum: f64 = a.component.iter().sum();
/// assert!((sum - a.total).abs() < 1e-15);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// Shape mismatches, non-finite inputs, [`RiskError::NotPositiveDefinite`] when `wᵀΣw ≤ 0`.
pub fn parametric_attribution(
    weights: &[f64],
    mean: &[f64],
    cov: ArrayView2<'_, f64>,
    c: Confidence,
    measure: Measure,
) -> Result<Attribution> {
    let n = cov.nrows();
    if cov.ncols() != n {
        return Err(RiskError::ShapeMismatch {
            name: "covariance columns",
            expected: n,
            got: cov.ncols(),
        });
    }
    check_weights(weights, n)?;
    check_weights(mean, n).map_err(|e| match e {
        RiskError::ShapeMismatch { expected, got, .. } => RiskError::ShapeMismatch {
            name: "mean",
            expected,
            got,
        },
        other => other,
    })?;
    if let Some((i, v)) = cov.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(RiskError::NonFinite {
            name: "covariance",
            index: i,
            value: *v,
        });
    }
    let a = c.tail();
    let z = -special::norm_inv_cdf(a);
    let k = match measure {
        Measure::Var => z,
        Measure::Es => special::norm_pdf(z) / a,
    };
    let total_of = |w: &Array1<f64>| -> Result<(f64, Array1<f64>, f64)> {
        let sw = cov.dot(w);
        let var = w.dot(&sw);
        if var.is_nan() || var < 0.0 {
            return Err(RiskError::NotPositiveDefinite {
                name: "covariance",
                pivot: n,
            });
        }
        let sd = var.sqrt();
        let m: f64 = w.iter().zip(mean).map(|(a, b)| a * b).sum();
        Ok((-m + k * sd, sw, sd))
    };
    let w = Array1::from(weights.to_vec());
    let (total, sw, sd) = total_of(&w)?;
    if sd <= 0.0 {
        return Err(RiskError::NotPositiveDefinite {
            name: "covariance (portfolio variance is zero)",
            pivot: n,
        });
    }
    let marginal: Vec<f64> = (0..n).map(|i| -mean[i] + k * sw[i] / sd).collect();
    let component: Vec<f64> = (0..n).map(|i| weights[i] * marginal[i]).collect();
    let mut incremental = Vec::with_capacity(n);
    for i in 0..n {
        let mut wi = w.clone();
        wi[i] = 0.0;
        incremental.push(total - total_of(&wi)?.0);
    }
    Ok(Attribution {
        total,
        marginal,
        component,
        incremental,
    })
}

/// Scenario weights of the historical measure on portfolio losses `l`: the VaR sits on one
/// scenario (the lower loss quantile, [`QuantileMethod::LowerLoss`](crate::QuantileMethod));
/// the ES puts `1/k` on each of the `⌊k⌋` worst scenarios and `(k − ⌊k⌋)/k` on the next.
fn scenario_weights(l: &[f64], c: Confidence, measure: Measure) -> Vec<(usize, f64)> {
    let t = l.len();
    let k = tail_count(c.tail(), t);
    let mut order: Vec<usize> = (0..t).collect();
    // Worst first; ties broken by index so the result is deterministic.
    order.sort_by(|&a, &b| l[b].total_cmp(&l[a]).then(a.cmp(&b)));
    let whole = k.floor() as usize;
    match measure {
        Measure::Var => vec![(order[whole.min(t - 1)], 1.0)],
        Measure::Es => {
            if k < 1.0 {
                return vec![(order[0], 1.0)];
            }
            let mut out: Vec<(usize, f64)> = order[..whole].iter().map(|&s| (s, 1.0 / k)).collect();
            let frac = k - whole as f64;
            if frac > 0.0 && whole < t {
                out.push((order[whole], frac / k));
            }
            out
        }
    }
}

/// Historical attribution on a scenario matrix (scenarios × assets of returns): the
/// measure is a weighted sum of scenario losses, so its Euler components are the same
/// weighted sums of `−wᵢ r_{s,i}` (Tasche 1999; Hallerbach 2003, "Decomposing portfolio
/// value-at-risk: a general analysis"). VaR uses the lower loss quantile, ES the fractional
/// Rockafellar-Uryasev form; the weights are those of the current portfolio (the derivative of
/// the order statistic is taken with the tail scenarios held fixed).
///
/// # Errors
/// Shape mismatches, empty or non-finite scenarios.
pub fn historical_attribution(
    weights: &[f64],
    scenarios: ArrayView2<'_, f64>,
    c: Confidence,
    measure: Measure,
) -> Result<Attribution> {
    let (t, n) = scenarios.dim();
    if t == 0 {
        return Err(RiskError::Empty { name: "scenarios" });
    }
    check_weights(weights, n)?;
    if let Some((i, v)) = scenarios.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(RiskError::NonFinite {
            name: "scenarios",
            index: i,
            value: *v,
        });
    }
    let measure_of = |w: &[f64]| -> (f64, Vec<(usize, f64)>) {
        let l: Vec<f64> = scenarios
            .rows()
            .into_iter()
            .map(|row| -row.iter().zip(w).map(|(r, wi)| r * wi).sum::<f64>())
            .collect();
        let sw = scenario_weights(&l, c, measure);
        let total = stats::sum(sw.iter().map(|(s, p)| p * l[*s]));
        (total, sw)
    };
    let (total, sw) = measure_of(weights);
    let marginal: Vec<f64> = (0..n)
        .map(|i| stats::sum(sw.iter().map(|(s, p)| -p * scenarios[[*s, i]])))
        .collect();
    let component: Vec<f64> = (0..n).map(|i| weights[i] * marginal[i]).collect();
    let incremental = (0..n)
        .map(|i| {
            let mut wi = weights.to_vec();
            wi[i] = 0.0;
            total - measure_of(&wi).0
        })
        .collect();
    Ok(Attribution {
        total,
        marginal,
        component,
        incremental,
    })
}
