//! Expected-return estimators from a returns matrix (observations in rows, assets in columns).
//!
//! Conventions follow PyPortfolioOpt 1.6.0 so that results agree with it to round-off: the
//! default [`ReturnMethod::Compounded`] is the geometric mean (CAGR),
//! `(∏(1 + r_t))^(f/T) − 1`, and [`ReturnMethod::Arithmetic`] is `f · mean(r)`, with `f` the
//! number of periods per year (252 for daily data).

use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

use crate::error::{PortfolioError, Result};
use crate::linalg::{check_finite, check_len, check_returns};

/// How per-period returns are annualised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReturnMethod {
    /// Geometric: `(∏(1 + r_t))^(f/T) − 1` (compound annual growth rate). The default.
    #[default]
    Compounded,
    /// Arithmetic: `f · (1/T) Σ r_t`.
    Arithmetic,
}

/// Rejects an annualisation factor that is not positive and finite.
pub(crate) fn check_periods(periods_per_year: f64) -> Result<()> {
    if !(periods_per_year.is_finite() && periods_per_year > 0.0) {
        return Err(PortfolioError::InvalidParameter {
            name: "periods_per_year",
            value: periods_per_year,
            reason: "must be positive and finite",
        });
    }
    Ok(())
}

fn annualise(column: ArrayView1<'_, f64>, method: ReturnMethod, periods_per_year: f64) -> f64 {
    let t = column.len() as f64;
    match method {
        // Sum of log1p avoids overflow/underflow of the running product over long histories.
        ReturnMethod::Compounded => {
            let log_growth: f64 = column.iter().map(|r| r.ln_1p()).sum();
            (log_growth * periods_per_year / t).exp_m1()
        }
        ReturnMethod::Arithmetic => column.mean().unwrap_or(0.0) * periods_per_year,
    }
}

/// Historical mean return per asset, annualised.
///
/// ```
/// # use ndarray::array;
/// use parapet_portfolio::{mean_historical_return, ReturnMethod};
/// let r = array![[0.01, 0.0], [0.03, 0.02]];
/// let mu = mean_historical_return(r.view(), ReturnMethod::Arithmetic, 252.0)?;
/// assert!((mu[0] - 0.02 * 252.0).abs() < 1e-12);
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
///
/// # Errors
/// Empty or non-finite returns, a return ≤ −1 with compounding, or a non-positive annualisation.
pub fn mean_historical_return(
    returns: ArrayView2<'_, f64>,
    method: ReturnMethod,
    periods_per_year: f64,
) -> Result<Array1<f64>> {
    check_returns("returns", returns, 1)?;
    check_periods(periods_per_year)?;
    check_total_loss(returns, method)?;
    Ok(returns
        .axis_iter(Axis(1))
        .map(|c| annualise(c, method, periods_per_year))
        .collect())
}

fn check_total_loss(returns: ArrayView2<'_, f64>, method: ReturnMethod) -> Result<()> {
    if method == ReturnMethod::Compounded
        && let Some(&value) = returns.iter().find(|r| **r <= -1.0)
    {
        return Err(PortfolioError::InvalidParameter {
            name: "returns",
            value,
            reason: "a return of -100% or worse cannot be compounded",
        });
    }
    Ok(())
}

/// Exponentially weighted mean return per asset, annualised.
///
/// Weights `(1 − α)^(T−1−t)` with `α = 2/(span + 1)`, normalised to sum to one (pandas'
/// `ewm(span).mean()` with `adjust=True`, as PyPortfolioOpt's `ema_historical_return`);
/// compounding annualises the weighted mean `m` as `(1 + m)^f − 1`.
///
/// # Errors
/// As [`mean_historical_return`], and `span < 1`.
pub fn ema_historical_return(
    returns: ArrayView2<'_, f64>,
    span: f64,
    method: ReturnMethod,
    periods_per_year: f64,
) -> Result<Array1<f64>> {
    check_returns("returns", returns, 1)?;
    check_periods(periods_per_year)?;
    let weights = ewm_weights(returns.nrows(), span)?;
    Ok(returns
        .axis_iter(Axis(1))
        .map(|c| {
            let m = c.dot(&weights);
            match method {
                ReturnMethod::Compounded => (periods_per_year * m.ln_1p()).exp_m1(),
                ReturnMethod::Arithmetic => m * periods_per_year,
            }
        })
        .collect())
}

/// Normalised exponential weights, oldest first (pandas `adjust=True`).
pub(crate) fn ewm_weights(t: usize, span: f64) -> Result<Array1<f64>> {
    if !(span.is_finite() && span >= 1.0) {
        return Err(PortfolioError::InvalidParameter {
            name: "span",
            value: span,
            reason: "must be at least 1",
        });
    }
    let alpha = 2.0 / (span + 1.0);
    let mut w: Array1<f64> = (0..t)
        .map(|i| (1.0 - alpha).powi((t - 1 - i) as i32))
        .collect();
    let s = w.sum();
    w /= s;
    Ok(w)
}

/// CAPM expected returns `rf + βᵢ (E[R_m] − rf)`, annualised (Sharpe 1964, "Capital asset
/// prices: a theory of market equilibrium under conditions of risk", J. Finance 19(3)).
///
/// `βᵢ = cov(rᵢ, r_m) / var(r_m)` from sample moments; without a market series the
/// equal-weighted average of the assets stands in for the market (PyPortfolioOpt's
/// `capm_return`). `E[R_m]` is annualised with `method`.
///
/// # Errors
/// Fewer than two observations, non-finite data, a market series of the wrong length or with
/// zero variance.
pub fn capm_return(
    returns: ArrayView2<'_, f64>,
    market: Option<ArrayView1<'_, f64>>,
    risk_free: f64,
    method: ReturnMethod,
    periods_per_year: f64,
) -> Result<Array1<f64>> {
    check_returns("returns", returns, 2)?;
    check_periods(periods_per_year)?;
    check_finite("risk_free", [risk_free].iter())?;
    let market: Array1<f64> = match market {
        Some(m) => {
            check_len("market returns", returns.nrows(), m.len())?;
            check_finite("market returns", m.iter())?;
            m.to_owned()
        }
        None => returns.mean_axis(Axis(1)).unwrap_or_default(),
    };
    let t = returns.nrows() as f64;
    let mm = market.mean().unwrap_or(0.0);
    let dm = &market - mm;
    let var_m = dm.dot(&dm) / (t - 1.0);
    if var_m <= 0.0 {
        return Err(PortfolioError::InvalidParameter {
            name: "market variance",
            value: var_m,
            reason: "the market series must vary",
        });
    }
    let market_return = annualise(market.view(), method, periods_per_year);
    Ok(returns
        .axis_iter(Axis(1))
        .map(|c| {
            let mc = c.mean().unwrap_or(0.0);
            let cov = c.iter().zip(&dm).map(|(x, d)| (x - mc) * d).sum::<f64>() / (t - 1.0);
            risk_free + cov / var_m * (market_return - risk_free)
        })
        .collect())
}

/// Market-implied risk aversion `δ = (E[R_m] − rf) / σ_m²` from a market return series, with
/// arithmetic annualisation of the mean and the sample variance (Black & Litterman 1992,
/// "Global portfolio optimization", Financial Analysts Journal 48(5)).
///
/// # Errors
/// Fewer than two observations, non-finite data, zero variance.
pub fn market_implied_risk_aversion(
    market: ArrayView1<'_, f64>,
    risk_free: f64,
    periods_per_year: f64,
) -> Result<f64> {
    check_finite("market returns", market.iter())?;
    check_periods(periods_per_year)?;
    if market.len() < 2 {
        return Err(PortfolioError::TooFewObservations {
            name: "market returns",
            needed: 2,
            got: market.len(),
        });
    }
    let t = market.len() as f64;
    let m = market.mean().unwrap_or(0.0);
    let var = market.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (t - 1.0) * periods_per_year;
    if var <= 0.0 {
        return Err(PortfolioError::InvalidParameter {
            name: "market variance",
            value: var,
            reason: "the market series must vary",
        });
    }
    Ok((m * periods_per_year - risk_free) / var)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn compounded_matches_product() {
        let r = array![[0.1], [-0.05], [0.02]];
        let mu = mean_historical_return(r.view(), ReturnMethod::Compounded, 3.0).unwrap();
        let expect = 1.1 * 0.95 * 1.02 - 1.0;
        assert!((mu[0] - expect).abs() < 1e-15);
    }

    #[test]
    fn rejects_total_loss_and_bad_span() {
        let r = array![[-1.0], [0.0]];
        assert!(matches!(
            mean_historical_return(r.view(), ReturnMethod::Compounded, 252.0),
            Err(PortfolioError::InvalidParameter {
                name: "returns",
                ..
            })
        ));
        assert!(mean_historical_return(r.view(), ReturnMethod::Arithmetic, 252.0).is_ok());
        assert!(matches!(
            ema_historical_return(r.view(), 0.5, ReturnMethod::Arithmetic, 252.0),
            Err(PortfolioError::InvalidParameter { name: "span", .. })
        ));
    }

    #[test]
    fn capm_of_market_itself_is_market_return() {
        let r = array![[0.01, 0.02], [0.03, -0.01], [-0.02, 0.0]];
        let m = r.column(0).to_owned();
        let mu = capm_return(
            r.view(),
            Some(m.view()),
            0.01,
            ReturnMethod::Arithmetic,
            252.0,
        )
        .unwrap();
        let mkt = m.mean().unwrap() * 252.0;
        assert!((mu[0] - mkt).abs() < 1e-12);
    }
}
