//! Covariance estimators: sample, exponentially weighted, semicovariance, Ledoit-Wolf shrinkage
//! to three targets, and Oracle Approximating Shrinkage. All take a returns matrix
//! (observations × assets) and annualise by multiplying with `periods_per_year`.
//!
//! Conventions match PyPortfolioOpt 1.6.0 and scikit-learn 1.9 (see each function), so that
//! the estimates agree with theirs to round-off.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{PortfolioError, Result};
use crate::expected_returns::{check_periods, ewm_weights};
use crate::linalg::{check_finite, check_returns, gram, symmetrise};

/// Shrinkage target for [`ledoit_wolf`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ShrinkageTarget {
    /// `μ I` with `μ` the average variance (Ledoit & Wolf 2004, "A well-conditioned estimator
    /// for large-dimensional covariance matrices", J. Multivariate Analysis 88(2)). The default;
    /// scikit-learn's `ledoit_wolf`.
    #[default]
    ConstantVariance,
    /// Sharpe's single-index model with the equal-weighted market (Ledoit & Wolf 2003,
    /// "Improved estimation of the covariance matrix of stock returns with an application to
    /// portfolio selection", J. Empirical Finance 10(5)); PyPortfolioOpt's `single_factor`.
    SingleFactor,
    /// Constant correlation (Ledoit & Wolf 2004, "Honey, I shrunk the sample covariance
    /// matrix", J. Portfolio Management 30(4)); PyPortfolioOpt's `constant_correlation`.
    ConstantCorrelation,
}

/// A shrunk covariance estimate `δ F + (1 − δ) S` and its intensity `δ ∈ [0, 1]`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Shrunk {
    /// The annualised shrunk covariance.
    pub covariance: Array2<f64>,
    /// The shrinkage intensity δ.
    pub shrinkage: f64,
}

fn demeaned(returns: ArrayView2<'_, f64>) -> Array2<f64> {
    let mean = returns.mean_axis(Axis(0)).unwrap_or_default();
    &returns - &mean
}

/// Sample covariance with the unbiased `1/(T−1)` normalisation, annualised.
///
/// ```
/// # use ndarray::array;
/// use parapet_portfolio::sample_cov;
/// let r = array![[0.01, 0.02], [0.03, 0.01], [-0.01, 0.0]];
/// let s = sample_cov(r.view(), 1.0)?;
/// assert!((s[[0, 0]] - 0.0004).abs() < 1e-15);
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
///
/// # Errors
/// Fewer than two observations, non-finite returns or a bad annualisation factor.
pub fn sample_cov(returns: ArrayView2<'_, f64>, periods_per_year: f64) -> Result<Array2<f64>> {
    check_returns("returns", returns, 2)?;
    check_periods(periods_per_year)?;
    let x = demeaned(returns);
    Ok(gram(&x) * (periods_per_year / (returns.nrows() as f64 - 1.0)))
}

/// Exponentially weighted covariance: the `span`-weighted mean of the products of deviations
/// from the (equally weighted) sample means, pandas `ewm(span, adjust=True)` weights, as
/// PyPortfolioOpt's `exp_cov`; annualised.
///
/// # Errors
/// As [`sample_cov`], and `span < 1`.
pub fn exp_cov(
    returns: ArrayView2<'_, f64>,
    span: f64,
    periods_per_year: f64,
) -> Result<Array2<f64>> {
    check_returns("returns", returns, 2)?;
    check_periods(periods_per_year)?;
    let w = ewm_weights(returns.nrows(), span)?;
    let x = demeaned(returns);
    let xw = &x * &w.view().insert_axis(Axis(1));
    let mut s = xw.t().dot(&x) * periods_per_year;
    symmetrise(&mut s);
    Ok(s)
}

/// Semicovariance `E[min(r − b, 0) min(r − b, 0)ᵀ]` about a benchmark return `b` per period
/// (Estrada 2007, "Mean-semivariance behavior: downside risk and capital asset pricing",
/// Int. Review of Economics & Finance 16(2)); divided by `T` as PyPortfolioOpt's
/// `semicovariance`, annualised.
///
/// # Errors
/// As [`sample_cov`], and a non-finite benchmark.
pub fn semicovariance(
    returns: ArrayView2<'_, f64>,
    benchmark: f64,
    periods_per_year: f64,
) -> Result<Array2<f64>> {
    check_returns("returns", returns, 2)?;
    check_periods(periods_per_year)?;
    check_finite("benchmark", [benchmark].iter())?;
    let drops = returns.mapv(|r| (r - benchmark).min(0.0));
    let mut s = drops.t().dot(&drops) * (periods_per_year / returns.nrows() as f64);
    symmetrise(&mut s);
    Ok(s)
}

/// Ledoit-Wolf shrinkage of the sample covariance towards `target`, annualised.
///
/// The optimal intensity `δ* = max(0, min(1, κ/T))`, `κ = (π − ρ)/γ`, minimises the expected
/// Frobenius loss: `π` is the summed asymptotic variance of the sample entries, `ρ` their
/// covariance with the target and `γ = ‖F − S‖²_F` the misspecification of the target. The
/// moments follow the reference implementations exactly: scikit-learn for
/// [`ShrinkageTarget::ConstantVariance`] (`1/T` empirical covariance), PyPortfolioOpt for the
/// other two (the single-factor form on `1/T` moments, the constant-correlation form on the
/// `1/(T−1)` sample covariance).
///
/// # Errors
/// Fewer than two observations, non-finite returns, a bad annualisation factor, or a
/// degenerate sample (zero variances).
pub fn ledoit_wolf(
    returns: ArrayView2<'_, f64>,
    target: ShrinkageTarget,
    periods_per_year: f64,
) -> Result<Shrunk> {
    check_returns("returns", returns, 2)?;
    check_periods(periods_per_year)?;
    let x = demeaned(returns);
    let (mut covariance, shrinkage) = match target {
        ShrinkageTarget::ConstantVariance => constant_variance(&x),
        ShrinkageTarget::SingleFactor => single_factor(&x),
        ShrinkageTarget::ConstantCorrelation => constant_correlation(&x)?,
    };
    if !shrinkage.is_finite() {
        return Err(PortfolioError::InvalidParameter {
            name: "shrinkage intensity",
            value: shrinkage,
            reason: "degenerate sample (an asset with zero variance?)",
        });
    }
    covariance *= periods_per_year;
    symmetrise(&mut covariance);
    Ok(Shrunk {
        covariance,
        shrinkage,
    })
}

fn constant_variance(x: &Array2<f64>) -> (Array2<f64>, f64) {
    let (t, n) = (x.nrows() as f64, x.ncols());
    let emp = x.t().dot(x) / t;
    let mu = emp.diag().sum() / n as f64;
    let x2 = x.mapv(|v| v * v);
    let beta_sum = x2.t().dot(&x2).sum();
    let delta_sum = emp.iter().map(|v| v * v).sum::<f64>();
    let beta = (beta_sum / t - delta_sum) / (n as f64 * t);
    let delta = (delta_sum - 2.0 * mu * emp.diag().sum() + n as f64 * mu * mu) / n as f64;
    let beta = beta.min(delta);
    let shrinkage = if beta == 0.0 { 0.0 } else { beta / delta };
    let mut out = emp * (1.0 - shrinkage);
    for i in 0..n {
        out[[i, i]] += shrinkage * mu;
    }
    (out, shrinkage)
}

fn single_factor(x: &Array2<f64>) -> (Array2<f64>, f64) {
    let (t, n) = (x.nrows() as f64, x.ncols());
    let xmkt: Array1<f64> = x.mean_axis(Axis(1)).unwrap_or_default();
    let sample = x.t().dot(x) / t;
    let betas: Array1<f64> = x.t().dot(&xmkt) / t;
    let varmkt = xmkt.dot(&xmkt) / t;
    let mut f = Array2::from_shape_fn((n, n), |(i, j)| betas[i] * betas[j] / varmkt);
    for i in 0..n {
        f[[i, i]] = sample[[i, i]];
    }
    let c: f64 = (&sample - &f).iter().map(|v| v * v).sum();
    let y = x.mapv(|v| v * v);
    let p = y.t().dot(&y).sum() / t - sample.iter().map(|v| v * v).sum::<f64>();
    let rdiag =
        y.iter().map(|v| v * v).sum::<f64>() / t - sample.diag().iter().map(|v| v * v).sum::<f64>();
    let z = x * &xmkt.view().insert_axis(Axis(1));
    let yz = y.t().dot(&z) / t;
    let zz = z.t().dot(&z) / t;
    let mut roff1 = 0.0;
    let mut roff3 = 0.0;
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let v1 = yz[[i, j]] - betas[i] * sample[[i, j]];
            roff1 += v1 * betas[j];
            let v3 = zz[[i, j]] - varmkt * sample[[i, j]];
            roff3 += v3 * betas[i] * betas[j];
        }
    }
    let r = rdiag + 2.0 * roff1 / varmkt - roff3 / (varmkt * varmkt);
    let delta = ((p - r) / c / t).clamp(0.0, 1.0);
    (&f * delta + &sample * (1.0 - delta), delta)
}

fn constant_correlation(x: &Array2<f64>) -> Result<(Array2<f64>, f64)> {
    let (t, n) = (x.nrows() as f64, x.ncols());
    if n < 2 {
        return Err(PortfolioError::TooFewObservations {
            name: "constant-correlation shrinkage (assets)",
            needed: 2,
            got: n,
        });
    }
    let help = x.t().dot(x) / t;
    let s = &help * (t / (t - 1.0));
    let var = s.diag().to_owned();
    let std = var.mapv(f64::sqrt);
    let mut corr_sum = 0.0;
    for i in 0..n {
        for j in 0..n {
            if i != j {
                corr_sum += s[[i, j]] / (std[i] * std[j]);
            }
        }
    }
    let r_bar = corr_sum / (n * (n - 1)) as f64;
    let mut f = Array2::from_shape_fn((n, n), |(i, j)| r_bar * std[i] * std[j]);
    for i in 0..n {
        f[[i, i]] = var[i];
    }
    let y = x.mapv(|v| v * v);
    let yy = y.t().dot(&y) / t;
    let pi_mat = &yy - &(&help * &s * 2.0) + &s.mapv(|v| v * v);
    let pi_hat = pi_mat.sum();
    let x3 = x.mapv(|v| v * v * v);
    let term1 = x3.t().dot(x) / t;
    let mut theta_sum = 0.0;
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let theta = term1[[i, j]] - help[[i, i]] * s[[i, j]] - help[[i, j]] * var[i]
                + var[i] * s[[i, j]];
            theta_sum += std[j] / std[i] * theta;
        }
    }
    let rho_hat = pi_mat.diag().sum() + r_bar * theta_sum;
    let gamma_hat: f64 = (&s - &f).iter().map(|v| v * v).sum();
    let delta = ((pi_hat - rho_hat) / gamma_hat / t).clamp(0.0, 1.0);
    Ok((&f * delta + &s * (1.0 - delta), delta))
}

/// Oracle Approximating Shrinkage towards `μ I` (Chen, Wiesel, Eldar & Hero 2010, "Shrinkage
/// algorithms for MMSE covariance estimation", IEEE Trans. Signal Processing 58(10)), in
/// scikit-learn's form: `δ = min(1, (ā + μ²) / ((T + 1)(ā − μ²/N)))` with `ā` the mean squared
/// entry of the `1/T` empirical covariance; annualised.
///
/// # Errors
/// As [`sample_cov`].
pub fn oracle_approximating(returns: ArrayView2<'_, f64>, periods_per_year: f64) -> Result<Shrunk> {
    check_returns("returns", returns, 2)?;
    check_periods(periods_per_year)?;
    let x = demeaned(returns);
    let (t, n) = (x.nrows() as f64, x.ncols());
    let emp = x.t().dot(&x) / t;
    let alpha = emp.iter().map(|v| v * v).sum::<f64>() / (n * n) as f64;
    let mu = emp.diag().sum() / n as f64;
    let num = alpha + mu * mu;
    let den = (t + 1.0) * (alpha - mu * mu / n as f64);
    let shrinkage = if den == 0.0 {
        1.0
    } else {
        (num / den).min(1.0)
    };
    let mut covariance = emp * (1.0 - shrinkage);
    for i in 0..n {
        covariance[[i, i]] += shrinkage * mu;
    }
    covariance *= periods_per_year;
    symmetrise(&mut covariance);
    Ok(Shrunk {
        covariance,
        shrinkage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn data() -> Array2<f64> {
        array![
            [0.01, 0.02, -0.01],
            [0.03, -0.01, 0.00],
            [-0.02, 0.00, 0.01],
            [0.00, 0.01, 0.02],
            [0.01, -0.02, -0.01]
        ]
    }

    #[test]
    fn shrinkage_in_unit_interval_and_psd_diagonal() {
        for target in [
            ShrinkageTarget::ConstantVariance,
            ShrinkageTarget::SingleFactor,
            ShrinkageTarget::ConstantCorrelation,
        ] {
            let s = ledoit_wolf(data().view(), target, 252.0).unwrap();
            assert!((0.0..=1.0).contains(&s.shrinkage), "{target:?}");
            assert!(s.covariance.diag().iter().all(|&d| d > 0.0));
        }
        let o = oracle_approximating(data().view(), 252.0).unwrap();
        assert!((0.0..=1.0).contains(&o.shrinkage));
    }

    #[test]
    fn exp_cov_with_huge_span_approaches_biased_sample() {
        let r = data();
        let e = exp_cov(r.view(), 1e12, 1.0).unwrap();
        let s = sample_cov(r.view(), 1.0).unwrap() * (4.0 / 5.0);
        assert!((&e - &s).iter().all(|d| d.abs() < 1e-12));
    }

    #[test]
    fn rejects_single_observation() {
        let r = array![[0.01, 0.02]];
        assert!(matches!(
            sample_cov(r.view(), 252.0),
            Err(PortfolioError::TooFewObservations {
                needed: 2,
                got: 1,
                ..
            })
        ));
    }
}
