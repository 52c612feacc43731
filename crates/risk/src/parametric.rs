//! Parametric VaR and ES: normal, Student-t (maximum likelihood or moment matched) and the
//! Cornish-Fisher expansion.
//!
//! With tail probability `a = 1 − α` and the location-scale model `r = μ + σ·Z`, the loss
//! quantile is `VaR = −(μ + σ·q_a)` and `ES = −μ + σ·E[−Z | Z ≤ q_a]`.

use parapet_core::{Confidence, special};

use crate::error::{Result, RiskError};
use crate::historical::TailRisk;
use statrs::function::gamma::digamma;

use crate::stats::{self, QuasiNewtonSettings};

/// Divisor of the sample variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Ddof {
    /// `n − 1` (the default; unbiased variance).
    #[default]
    Sample,
    /// `n` (maximum likelihood / population variance).
    Population,
}

/// Which skewness and kurtosis estimators feed the Cornish-Fisher expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MomentBias {
    /// Population moments `g₁ = m₃/m₂^{3/2}`, `g₂ = m₄/m₂² − 3` (the default; scipy
    /// `bias=True`).
    #[default]
    Biased,
    /// The adjusted Fisher-Pearson estimators `G₁ = g₁·√(n(n−1))/(n−2)` and
    /// `G₂ = ((n+1)g₂ + 6)(n−1)/((n−2)(n−3))` (scipy `bias=False`; Joanes & Gill 1998,
    /// "Comparing measures of sample skewness and kurtosis").
    Unbiased,
}

/// Sample moments of a return series.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Moments {
    /// Number of observations.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Standard deviation with divisor `n − 1`.
    pub std_sample: f64,
    /// Standard deviation with divisor `n`.
    pub std_population: f64,
    /// Skewness `g₁` (population).
    pub skew_biased: f64,
    /// Excess kurtosis `g₂` (population).
    pub kurtosis_biased: f64,
    /// Adjusted skewness `G₁`.
    pub skew_unbiased: f64,
    /// Adjusted excess kurtosis `G₂`.
    pub kurtosis_unbiased: f64,
}

impl Moments {
    /// Moments of `returns` (at least 4 observations, not all equal).
    ///
    /// # Errors
    /// [`RiskError::TooShort`] below 4 observations, [`RiskError::NonFinite`] for NaN/∞,
    /// [`RiskError::Constant`] for a constant series.
    pub fn from_returns(returns: &[f64]) -> Result<Self> {
        stats::check_len("returns", returns, 4)?;
        let n = returns.len();
        let nf = n as f64;
        let mean = stats::mean(returns);
        let (m2, m3, m4) = stats::central_moments(returns, mean);
        if m2.is_nan() || m2 <= (f64::EPSILON * mean).powi(2) {
            return Err(RiskError::Constant {
                name: "returns",
                value: returns[0],
            });
        }
        let g1 = m3 / m2.powf(1.5);
        let g2 = m4 / (m2 * m2) - 3.0;
        Ok(Self {
            n,
            mean,
            std_sample: (m2 * nf / (nf - 1.0)).sqrt(),
            std_population: m2.sqrt(),
            skew_biased: g1,
            kurtosis_biased: g2,
            skew_unbiased: g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0),
            kurtosis_unbiased: ((nf + 1.0) * g2 + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0)),
        })
    }

    /// Standard deviation with the given divisor.
    pub fn std(&self, ddof: Ddof) -> f64 {
        match ddof {
            Ddof::Sample => self.std_sample,
            Ddof::Population => self.std_population,
        }
    }

    /// (skewness, excess kurtosis) of the chosen estimator.
    pub fn shape(&self, bias: MomentBias) -> (f64, f64) {
        match bias {
            MomentBias::Biased => (self.skew_biased, self.kurtosis_biased),
            MomentBias::Unbiased => (self.skew_unbiased, self.kurtosis_unbiased),
        }
    }
}

/// A normal model of one-period returns, `r ~ N(μ, σ²)`.
///
/// `VaR = −(μ + σ·z_a)`, `ES = −μ + σ·φ(z_a)/a` with `z_a = Φ⁻¹(1 − α)`.
///
/// ```
/// use parapet_risk::{Confidence, NormalModel};
/// let m = NormalModel::new(0.0, 0.01)?;
/// let t = m.var_es(Confidence::new(0.99)?)?;
/// assert!((t.var - 0.0232634787404084).abs() < 1e-15);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NormalModel {
    mean: f64,
    sd: f64,
}

impl NormalModel {
    /// A normal model with mean `mean` and standard deviation `sd > 0`.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] for a non-finite mean or a non-positive sd.
    pub fn new(mean: f64, sd: f64) -> Result<Self> {
        Ok(Self {
            mean: stats::check_finite("mean", mean)?,
            sd: stats::check_positive("sd", sd)?,
        })
    }

    /// Sample mean and standard deviation of `returns` with divisor `ddof`.
    ///
    /// # Errors
    /// As [`Moments::from_returns`].
    pub fn fit(returns: &[f64], ddof: Ddof) -> Result<Self> {
        let m = Moments::from_returns(returns)?;
        Self::new(m.mean, m.std(ddof))
    }

    /// The same model with the mean set to zero (a common regulatory convention).
    pub fn with_zero_mean(self) -> Self {
        Self { mean: 0.0, ..self }
    }

    /// Mean μ.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Standard deviation σ.
    pub fn sd(&self) -> f64 {
        self.sd
    }

    /// VaR and ES at confidence `c`.
    ///
    /// # Errors
    /// None for a validated model; the `Result` keeps the signature uniform.
    pub fn var_es(&self, c: Confidence) -> Result<TailRisk> {
        let a = c.tail();
        let z = special::norm_inv_cdf(a);
        Ok(TailRisk {
            var: -(self.mean + self.sd * z),
            es: -(self.mean - self.sd * special::norm_pdf(z) / a),
        })
    }
}

/// A location-scale Student-t model of returns, `r = μ + s·T_ν`.
///
/// `VaR = −(μ + s·t_ν⁻¹(a))`, `ES = −μ + s·(ν + q²)/(ν − 1)·f_ν(q)/a` with `q = t_ν⁻¹(a)`
/// (McNeil, Frey & Embrechts 2015, *Quantitative Risk Management*, Example 2.15).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StudentTModel {
    df: f64,
    loc: f64,
    scale: f64,
}

/// Diagnostics of a Student-t maximum-likelihood fit.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FitReport {
    /// Maximised log-likelihood.
    pub log_likelihood: f64,
    /// Quasi-Newton iterations used.
    pub iterations: usize,
}

impl StudentTModel {
    /// A t model with `df > 0` degrees of freedom, location `loc` and scale `scale > 0`.
    ///
    /// # Errors
    /// [`RiskError::InvalidParameter`] outside those domains.
    pub fn new(df: f64, loc: f64, scale: f64) -> Result<Self> {
        Ok(Self {
            df: stats::check_positive("df", df)?,
            loc: stats::check_finite("loc", loc)?,
            scale: stats::check_positive("scale", scale)?,
        })
    }

    /// Moment matching: `ν = 4 + 6/g₂` from the population excess kurtosis `g₂`,
    /// `s = sd·√((ν − 2)/ν)` so that the variance matches, `μ = mean`.
    ///
    /// # Errors
    /// As [`Moments::from_returns`]; [`RiskError::InvalidParameter`] when `g₂ ≤ 0` (no
    /// Student-t has thin tails).
    pub fn moment_matched(returns: &[f64]) -> Result<Self> {
        let m = Moments::from_returns(returns)?;
        if m.kurtosis_biased.is_nan() || m.kurtosis_biased <= 0.0 {
            return Err(RiskError::InvalidParameter {
                name: "excess kurtosis",
                value: m.kurtosis_biased,
                reason: "must be > 0 to match a Student-t",
            });
        }
        let df = 4.0 + 6.0 / m.kurtosis_biased;
        Self::new(df, m.mean, m.std_sample * ((df - 2.0) / df).sqrt())
    }

    /// Maximum-likelihood fit of (ν, μ, s): the data are divided by their standard deviation,
    /// then BFGS with the analytic score maximises the likelihood in (ln ν, μ, ln s) from the
    /// moment-matched start (ν capped at 30), and the estimates are mapped back.
    ///
    /// The score of `ℓ = n[ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(νπ) − ln s] − (ν+1)/2 Σ ln(1 + u²/ν)`,
    /// `u = (x − μ)/s`, is `∂ℓ/∂μ = (ν+1)/s Σ u/(ν+u²)`, `∂ℓ/∂s = −n/s + (ν+1)/s Σ u²/(ν+u²)`,
    /// `∂ℓ/∂ν = n[ψ((ν+1)/2) − ψ(ν/2) − 1/ν]/2 − ½ Σ ln(1 + u²/ν) + (ν+1)/(2ν) Σ u²/(ν+u²)`
    /// (Lange, Little & Taylor 1989, "Robust statistical modeling using the t distribution").
    ///
    /// # Errors
    /// As [`Moments::from_returns`]; [`RiskError::NotConverged`] if the gradient tolerance is
    /// not met within the iteration budget.
    pub fn fit_mle(returns: &[f64]) -> Result<(Self, FitReport)> {
        Self::fit_mle_with(returns, QuasiNewtonSettings::default())
    }

    /// [`StudentTModel::fit_mle`] with explicit solver knobs.
    ///
    /// # Errors
    /// As [`StudentTModel::fit_mle`], plus [`QuasiNewtonSettings::validate`].
    pub fn fit_mle_with(
        returns: &[f64],
        settings: QuasiNewtonSettings,
    ) -> Result<(Self, FitReport)> {
        settings.validate()?;
        let m = Moments::from_returns(returns)?;
        let sd = m.std_sample;
        let y: Vec<f64> = returns.iter().map(|x| x / sd).collect();
        let df0 = if m.kurtosis_biased > 0.0 {
            (4.0 + 6.0 / m.kurtosis_biased).min(30.0)
        } else {
            30.0
        };
        let z0 = vec![
            df0.ln(),
            m.mean / sd,
            0.5 * ((df0 - 2.0).max(0.5) / df0).ln(),
        ];
        let opt = stats::bfgs(
            |z, g| t_nll_scaled(&y, z, g),
            z0,
            settings,
            "Student-t maximum likelihood",
        )?;
        let model = Self::new(opt.x[0].exp(), opt.x[1] * sd, opt.x[2].exp() * sd)?;
        Ok((
            model,
            FitReport {
                log_likelihood: t_log_likelihood(returns, model.df, model.loc, model.scale),
                iterations: opt.iterations,
            },
        ))
    }

    /// Degrees of freedom ν.
    pub fn df(&self) -> f64 {
        self.df
    }

    /// Location μ.
    pub fn loc(&self) -> f64 {
        self.loc
    }

    /// Scale s.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Log-likelihood of `returns` under this model.
    ///
    /// # Errors
    /// [`RiskError::Empty`] / [`RiskError::NonFinite`] for bad data.
    pub fn log_likelihood(&self, returns: &[f64]) -> Result<f64> {
        stats::check_series("returns", returns)?;
        Ok(t_log_likelihood(returns, self.df, self.loc, self.scale))
    }

    /// VaR and ES at confidence `c`.
    ///
    /// # Errors
    /// [`RiskError::InfiniteMoment`] for the ES when `ν ≤ 1`.
    pub fn var_es(&self, c: Confidence) -> Result<TailRisk> {
        let a = c.tail();
        let nu = self.df;
        let q = stats::t_quantile(a, nu);
        let var = -(self.loc + self.scale * q);
        if nu <= 1.0 {
            return Err(RiskError::InfiniteMoment {
                what: "Student-t expected shortfall",
                shape: nu,
            });
        }
        let density = stats::t_ln_pdf(q, nu).exp();
        let es = -self.loc + self.scale * (nu + q * q) / (nu - 1.0) * density / a;
        Ok(TailRisk { var, es })
    }
}

/// Negative log-likelihood of standardised data `y` at z = (ln ν, μ, ln s) and its gradient.
fn t_nll_scaled(y: &[f64], z: &[f64], g: &mut [f64]) -> f64 {
    let nu = z[0].exp();
    let (loc, s) = (z[1], z[2].exp());
    let inside = nu > 0.05 && nu < 1e6 && s.is_finite() && loc.is_finite();
    if !inside {
        return f64::INFINITY;
    }
    let n = y.len() as f64;
    let (mut sum_l, mut sum_a, mut sum_b) = (0.0, 0.0, 0.0);
    for v in y {
        let u = (v - loc) / s;
        let d = 1.0 / (nu + u * u);
        sum_l += (u * u / nu).ln_1p();
        sum_a += u * d;
        sum_b += u * u * d;
    }
    let c = stats::ln_gamma(0.5 * (nu + 1.0))
        - stats::ln_gamma(0.5 * nu)
        - 0.5 * (nu * std::f64::consts::PI).ln()
        - s.ln();
    let ll = n * c - 0.5 * (nu + 1.0) * sum_l;
    let d_nu = n * 0.5 * (digamma(0.5 * (nu + 1.0)) - digamma(0.5 * nu) - 1.0 / nu) - 0.5 * sum_l
        + (nu + 1.0) / (2.0 * nu) * sum_b;
    let d_loc = (nu + 1.0) / s * sum_a;
    let d_s = -n / s + (nu + 1.0) / s * sum_b;
    g[0] = -d_nu * nu;
    g[1] = -d_loc;
    g[2] = -d_s * s;
    if ll.is_nan() { f64::INFINITY } else { -ll }
}

fn t_log_likelihood(x: &[f64], df: f64, loc: f64, scale: f64) -> f64 {
    let n = x.len() as f64;
    let c = stats::ln_gamma(0.5 * (df + 1.0))
        - stats::ln_gamma(0.5 * df)
        - 0.5 * (df * std::f64::consts::PI).ln()
        - scale.ln();
    let k = 0.5 * (df + 1.0);
    let inv = 1.0 / (scale * scale * df);
    n * c - k * stats::sum(x.iter().map(|v| ((v - loc) * (v - loc) * inv).ln_1p()))
}

/// Cornish-Fisher VaR (Cornish & Fisher 1938, "Moments and cumulants in the specification of
/// distributions"; the fourth-order expansion used by Zangari 1996 and Favre & Galeano 2002):
///
/// `z_cf = z + (z² − 1)S/6 + (z³ − 3z)K/24 − (2z³ − 5z)S²/36`, `VaR = −(μ + σ·z_cf)`
///
/// with `z = Φ⁻¹(1 − α)`, `S` the skewness, `K` the *excess* kurtosis and σ the sample
/// standard deviation (divisor n − 1). Returns `(z_cf, VaR)`.
///
/// The expansion is not monotone for large |S| or K (Chernozhukov et al. 2010); the result is
/// reported as computed.
pub fn cornish_fisher_var(moments: &Moments, c: Confidence, bias: MomentBias) -> (f64, f64) {
    let z = special::norm_inv_cdf(c.tail());
    let (s, k) = moments.shape(bias);
    let z2 = z * z;
    let z3 = z2 * z;
    let zcf =
        z + (z2 - 1.0) * s / 6.0 + (z3 - 3.0 * z) * k / 24.0 - (2.0 * z3 - 5.0 * z) * s * s / 36.0;
    (zcf, -(moments.mean + moments.std_sample * zcf))
}

impl crate::historical::TailModel for NormalModel {
    fn tail_risk(&self, c: Confidence) -> Result<crate::TailRisk> {
        self.var_es(c)
    }
}

impl crate::historical::TailModel for StudentTModel {
    fn tail_risk(&self, c: Confidence) -> Result<crate::TailRisk> {
        self.var_es(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_validate() {
        assert!(NormalModel::new(0.0, 0.0).is_err());
        assert!(matches!(
            NormalModel::new(f64::NAN, 1.0),
            Err(RiskError::InvalidParameter { name: "mean", .. })
        ));
        assert!(StudentTModel::new(-1.0, 0.0, 1.0).is_err());
        let cauchy = StudentTModel::new(1.0, 0.0, 1.0).unwrap();
        assert!(matches!(
            cauchy.var_es(Confidence::new(0.99).unwrap()),
            Err(RiskError::InfiniteMoment { .. })
        ));
        assert!(matches!(
            Moments::from_returns(&[0.01; 10]),
            Err(RiskError::Constant { .. })
        ));
        assert!(matches!(
            Moments::from_returns(&[0.01, 0.02]),
            Err(RiskError::TooShort { needed: 4, .. })
        ));
    }

    #[test]
    fn t_converges_to_normal_for_large_df() {
        let c = Confidence::new(0.99).unwrap();
        let t = StudentTModel::new(1e7, 0.0, 1.0)
            .unwrap()
            .var_es(c)
            .unwrap();
        let n = NormalModel::new(0.0, 1.0).unwrap().var_es(c).unwrap();
        assert!((t.var / n.var - 1.0).abs() < 1e-6);
        assert!((t.es / n.es - 1.0).abs() < 1e-6);
    }
}
