//! Conditional volatility filters and filtered historical simulation.
//!
//! `σ²_t` is the variance of the return dated `t` forecast with information up to `t − 1`;
//! every filter returns `n + 1` variances, the last one being the forecast for the period after
//! the sample.

use parapet_core::Confidence;

use crate::error::{Result, RiskError};
use crate::historical::{EsMethod, QuantileMethod, TailRisk, historical_var_es};
use crate::stats;

/// Number of initial observations in [`backcast`] (arch's choice).
pub const BACKCAST_WINDOW: usize = 75;

/// The pre-sample variance used to start a recursion: arch's exponentially weighted mean of
/// the first `min(75, n)` squared residuals, `Σ wᵢ eᵢ²` with `wᵢ ∝ 0.94ⁱ` normalised to one
/// (Sheppard, arch documentation, "backcast").
///
/// # Errors
/// Data errors for `residuals`.
pub fn backcast(residuals: &[f64]) -> Result<f64> {
    stats::check_series("residuals", residuals)?;
    let tau = residuals.len().min(BACKCAST_WINDOW);
    let mut w = 1.0;
    let mut num = 0.0;
    let mut den = 0.0;
    for e in &residuals[..tau] {
        num += w * e * e;
        den += w;
        w *= 0.94;
    }
    Ok(num / den)
}

/// The RiskMetrics exponentially weighted moving-average variance (J.P. Morgan/Reuters 1996,
/// *RiskMetrics — Technical Document*, 4th ed.): zero mean,
/// `σ²_t = λ σ²_{t−1} + (1 − λ) r²_{t−1}`, started at `σ²_0 = backcast`.
///
/// ```
/// use parapet_risk::{Ewma, backcast};
/// let r = [0.01, -0.02, 0.015, -0.005];
/// let s2 = Ewma::new(0.94)?.variances(&r, backcast(&r)?)?;
/// assert_eq!(s2.len(), r.len() + 1);
/// assert!((s2[1] - (0.94 * s2[0] + 0.06 * 1e-4)).abs() < 1e-18);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ewma {
    lambda: f64,
}

impl Default for Ewma {
    /// RiskMetrics' daily decay λ = 0.94.
    fn default() -> Self {
        Self { lambda: 0.94 }
    }
}

impl Ewma {
    /// Decay `λ ∈ (0, 1)`.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] outside (0, 1).
    pub fn new(lambda: f64) -> Result<Self> {
        if lambda.is_nan() || lambda <= 0.0 || lambda >= 1.0 {
            return Err(RiskError::InvalidParameter {
                name: "lambda",
                value: lambda,
                reason: "must lie in (0, 1)",
            });
        }
        Ok(Self { lambda })
    }

    /// The decay λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// `n + 1` variances for `returns` from the pre-sample variance `initial`.
    ///
    /// # Errors
    /// Data errors; [`RiskError::InvalidParameter`] for a non-positive `initial`.
    pub fn variances(&self, returns: &[f64], initial: f64) -> Result<Vec<f64>> {
        stats::check_series("returns", returns)?;
        let mut s2 = stats::check_positive("initial variance", initial)?;
        let mut out = Vec::with_capacity(returns.len() + 1);
        out.push(s2);
        for r in returns {
            s2 = self.lambda * s2 + (1.0 - self.lambda) * r * r;
            out.push(s2);
        }
        Ok(out)
    }
}

/// Filtered historical simulation (Barone-Adesi, Giannopoulos & Vosper 1999, "VaR without
/// correlations for portfolios of derivative securities", *Journal of Futures Markets* 19;
/// Hull & White 1998): the empirical distribution of standardised residuals `z = (r − μ)/σ`,
/// rescaled by the forecast volatility.
///
/// `VaR = −μ + σ·VaR_z`, `ES = −μ + σ·ES_z`, where `VaR_z` and `ES_z` are the historical
/// measures of `z` under the chosen conventions.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FilteredHistorical {
    standardized: Vec<f64>,
    quantile: QuantileMethod,
    es: EsMethod,
}

impl FilteredHistorical {
    /// From returns, their conditional mean and their conditional variances (same length).
    /// Conventions default to numpy's linear quantile of the residuals (what arch's
    /// documentation uses) and the fractional ES.
    ///
    /// # Errors
    /// [`RiskError::ShapeMismatch`], data errors, [`RiskError::InvalidParameter`] for a
    /// non-positive variance.
    pub fn new(returns: &[f64], mean: f64, variances: &[f64]) -> Result<Self> {
        stats::check_series("returns", returns)?;
        stats::check_series("variances", variances)?;
        stats::check_finite("mean", mean)?;
        if variances.len() != returns.len() {
            return Err(RiskError::ShapeMismatch {
                name: "variances",
                expected: returns.len(),
                got: variances.len(),
            });
        }
        if let Some(&v) = variances.iter().find(|v| **v <= 0.0) {
            return Err(RiskError::InvalidParameter {
                name: "variance",
                value: v,
                reason: "must be > 0",
            });
        }
        Ok(Self {
            standardized: returns
                .iter()
                .zip(variances)
                .map(|(r, v)| (r - mean) / v.sqrt())
                .collect(),
            quantile: QuantileMethod::Returns(crate::QuantileRule::Linear),
            es: EsMethod::Fractional,
        })
    }

    /// The VaR convention applied to the standardised residuals.
    pub fn with_quantile(self, quantile: QuantileMethod) -> Self {
        Self { quantile, ..self }
    }

    /// The ES convention applied to the standardised residuals.
    pub fn with_es(self, es: EsMethod) -> Self {
        Self { es, ..self }
    }

    /// The standardised residuals.
    pub fn standardized(&self) -> &[f64] {
        &self.standardized
    }

    /// Historical VaR and ES of the standardised residuals (unit scale).
    ///
    /// # Errors
    /// As [`historical_var_es`].
    pub fn unit_var_es(&self, c: Confidence) -> Result<TailRisk> {
        historical_var_es(&self.standardized, c, self.quantile, self.es)
    }

    /// VaR and ES for a period with conditional mean `mean` and variance `variance`.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] for a non-positive variance.
    pub fn var_es(&self, c: Confidence, mean: f64, variance: f64) -> Result<TailRisk> {
        let s = stats::check_positive("variance", variance)?.sqrt();
        let unit = self.unit_var_es(c)?;
        Ok(TailRisk {
            var: -mean + s * unit.var,
            es: -mean + s * unit.es,
        })
    }
}
