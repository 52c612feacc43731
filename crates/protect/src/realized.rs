//! Realized volatility from daily open/high/low/close bars.
//!
//! Five estimators of the annualised volatility σ of a driftless (or slowly drifting) diffusion,
//! each a mean of per-bar variance terms scaled by the number of periods per year `m`. With
//! `o = ln(Oₜ/Cₜ₋₁)` (overnight), `u = ln(Hₜ/Oₜ)`, `d = ln(Lₜ/Oₜ)`, `c = ln(Cₜ/Oₜ)`:
//!
//! | estimator | per-period variance | uses | reference |
//! |---|---|---|---|
//! | close-to-close | sample variance (n − 1) of `ln(Cₜ/Cₜ₋₁)` | closes | — |
//! | Parkinson | `mean[(u − d)²] / (4 ln 2)` | high, low | Parkinson (1980) |
//! | Garman-Klass | `mean[½(u − d)² − (2 ln 2 − 1)c²]` | OHLC | Garman & Klass (1980) |
//! | Rogers-Satchell | `mean[u(u − c) + d(d − c)]` | OHLC, drift-independent | Rogers & Satchell (1991) |
//! | Yang-Zhang | `σ²_o + k·σ²_c + (1 − k)·σ²_RS`, `k = 0.34 / (1.34 + (n + 1)/(n − 1))` | OHLC and the previous close | Yang & Zhang (2000) |
//!
//! The range estimators ignore the overnight gap and so understate total volatility when the
//! market is closed part of the day; Yang-Zhang adds the overnight variance `σ²_o` (sample
//! variance of `o`) and the open-to-close variance `σ²_c` (sample variance of `c`). Bars are
//! assumed equally spaced (daily data: `m = 252`).
//!
//! # References
//! * M. Parkinson (1980), "The extreme value method for estimating the variance of the rate of
//!   return", *Journal of Business* 53(1), 61–65.
//! * M. B. Garman and M. J. Klass (1980), "On the estimation of security price volatilities from
//!   historical data", *Journal of Business* 53(1), 67–78.
//! * L. C. G. Rogers and S. E. Satchell (1991), "Estimating variance from high, low and closing
//!   prices", *Annals of Applied Probability* 1(4), 504–512.
//! * D. Yang and Q. Zhang (2000), "Drift-independent volatility estimation based on high, low,
//!   open, and close prices", *Journal of Business* 73(3), 477–491.

use crate::error::{ProtectError, Result};

/// A realized-volatility estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Estimator {
    /// Sample standard deviation of close-to-close log returns.
    CloseToClose,
    /// High-low range (Parkinson 1980).
    Parkinson,
    /// Open-high-low-close (Garman & Klass 1980).
    GarmanKlass,
    /// Drift-independent range estimator (Rogers & Satchell 1991).
    RogersSatchell,
    /// Overnight + open-to-close + Rogers-Satchell (Yang & Zhang 2000).
    YangZhang,
}

impl Estimator {
    /// Every estimator, in the order of the table above.
    pub const ALL: [Estimator; 5] = [
        Estimator::CloseToClose,
        Estimator::Parkinson,
        Estimator::GarmanKlass,
        Estimator::RogersSatchell,
        Estimator::YangZhang,
    ];

    /// Bars an estimate over `n` periods consumes: the estimators that need the previous close
    /// (close-to-close, Yang-Zhang) use one bar more than the periods they measure.
    fn needs_previous_close(self) -> bool {
        matches!(self, Estimator::CloseToClose | Estimator::YangZhang)
    }
}

/// Why a bar was left out by [`OhlcBars::filtered`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DroppedBar {
    /// Index of the bar in the input columns.
    pub index: usize,
    /// The validation error it failed.
    pub reason: ProtectError,
}

/// Daily (or other equally spaced) open/high/low/close bars, validated: every price positive
/// and finite, `low ≤ min(open, close)` and `high ≥ max(open, close)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OhlcBars {
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
}

fn check_bar(bar: usize, o: f64, h: f64, l: f64, c: f64) -> Result<()> {
    for (field, value) in [("open", o), ("high", h), ("low", l), ("close", c)] {
        if !(value.is_finite() && value > 0.0) {
            return Err(ProtectError::BadPrice { field, bar, value });
        }
    }
    if h < o.max(c) || l > o.min(c) {
        return Err(ProtectError::InconsistentBar {
            bar,
            open: o,
            high: h,
            low: l,
            close: c,
        });
    }
    Ok(())
}

impl OhlcBars {
    /// Bars from four equally long columns; every bar must be valid.
    ///
    /// # Errors
    /// [`ProtectError::LengthMismatch`], [`ProtectError::BadPrice`] or
    /// [`ProtectError::InconsistentBar`] for the first offending bar.
    pub fn new(open: Vec<f64>, high: Vec<f64>, low: Vec<f64>, close: Vec<f64>) -> Result<Self> {
        Self::check_lengths(&open, &high, &low, &close)?;
        for i in 0..open.len() {
            check_bar(i, open[i], high[i], low[i], close[i])?;
        }
        Ok(Self {
            open,
            high,
            low,
            close,
        })
    }

    /// Bars from four columns, leaving out (and reporting) every invalid bar instead of failing.
    /// The overnight return after a dropped bar then spans the gap.
    ///
    /// # Errors
    /// [`ProtectError::LengthMismatch`] only.
    pub fn filtered(
        open: &[f64],
        high: &[f64],
        low: &[f64],
        close: &[f64],
    ) -> Result<(Self, Vec<DroppedBar>)> {
        Self::check_lengths(open, high, low, close)?;
        let mut bars = Self {
            open: vec![],
            high: vec![],
            low: vec![],
            close: vec![],
        };
        let mut dropped = Vec::new();
        for i in 0..open.len() {
            match check_bar(i, open[i], high[i], low[i], close[i]) {
                Ok(()) => {
                    bars.open.push(open[i]);
                    bars.high.push(high[i]);
                    bars.low.push(low[i]);
                    bars.close.push(close[i]);
                }
                Err(reason) => dropped.push(DroppedBar { index: i, reason }),
            }
        }
        Ok((bars, dropped))
    }

    fn check_lengths(open: &[f64], high: &[f64], low: &[f64], close: &[f64]) -> Result<()> {
        let n = open.len();
        if high.len() != n || low.len() != n || close.len() != n {
            return Err(ProtectError::LengthMismatch {
                open: n,
                high: high.len(),
                low: low.len(),
                close: close.len(),
            });
        }
        Ok(())
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.close.len()
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }

    /// Closing prices.
    pub fn close(&self) -> &[f64] {
        &self.close
    }

    /// Annualised volatility over all bars with `periods_per_year` (252 for daily bars).
    ///
    /// ```
    /// use parapet_protect::{Estimator, OhlcBars};
    /// let bars = OhlcBars::new(
    ///     vec![100.0, 101.0, 100.5],
    ///     vec![101.5, 102.0, 101.0],
    ///     vec![99.5, 100.2, 99.0],
    ///     vec![101.0, 100.8, 99.5],
    /// )?;
    /// let yz = bars.realized_vol(Estimator::YangZhang, 252.0)?;
    /// let pk = bars.realized_vol(Estimator::Parkinson, 252.0)?;
    /// assert!(yz > 0.0 && pk > 0.0);
    /// # Ok::<(), parapet_protect::ProtectError>(())
    /// ```
    ///
    /// # Errors
    /// [`ProtectError::TooShort`] with fewer bars than the estimator needs (1 for the range
    /// estimators, 3 for close-to-close and Yang-Zhang, which need two periods with a previous
    /// close); [`ProtectError::BadAnnualisation`].
    pub fn realized_vol(&self, estimator: Estimator, periods_per_year: f64) -> Result<f64> {
        self.window_vol(estimator, 0, self.len(), periods_per_year)
    }

    /// Annualised volatility over each trailing window of `window` periods, one value per window
    /// end (the first at bar `window` for estimators that need the previous close, at bar
    /// `window − 1` otherwise).
    ///
    /// # Errors
    /// As [`OhlcBars::realized_vol`], for the first window.
    pub fn rolling_vol(
        &self,
        estimator: Estimator,
        window: usize,
        periods_per_year: f64,
    ) -> Result<Vec<f64>> {
        let offset = usize::from(estimator.needs_previous_close());
        let needed = window + offset;
        if self.len() < needed || window == 0 {
            return Err(ProtectError::TooShort {
                what: "rolling window",
                needed: needed.max(1),
                got: self.len(),
            });
        }
        (needed..=self.len())
            .map(|end| self.window_vol(estimator, end - needed, end, periods_per_year))
            .collect()
    }

    /// Estimator over bars `[start, end)`.
    fn window_vol(&self, estimator: Estimator, start: usize, end: usize, m: f64) -> Result<f64> {
        if !(m.is_finite() && m > 0.0) {
            return Err(ProtectError::BadAnnualisation(m));
        }
        let bars = end - start;
        let needed = if estimator.needs_previous_close() {
            3
        } else {
            1
        };
        if bars < needed {
            return Err(ProtectError::TooShort {
                what: "realized volatility",
                needed,
                got: bars,
            });
        }
        let variance = match estimator {
            Estimator::CloseToClose => {
                sample_variance((start + 1..end).map(|t| (self.close[t] / self.close[t - 1]).ln()))
            }
            Estimator::Parkinson => {
                mean((start..end).map(|t| (self.high[t] / self.low[t]).ln().powi(2)))
                    / (4.0 * std::f64::consts::LN_2)
            }
            Estimator::GarmanKlass => {
                let k = 2.0 * std::f64::consts::LN_2 - 1.0;
                mean((start..end).map(|t| {
                    let hl = (self.high[t] / self.low[t]).ln();
                    let co = (self.close[t] / self.open[t]).ln();
                    0.5 * hl * hl - k * co * co
                }))
            }
            Estimator::RogersSatchell => mean((start..end).map(|t| self.rogers_satchell(t))),
            Estimator::YangZhang => {
                let periods = (start + 1..end).len() as f64;
                let overnight = sample_variance(
                    (start + 1..end).map(|t| (self.open[t] / self.close[t - 1]).ln()),
                );
                let open_close =
                    sample_variance((start + 1..end).map(|t| (self.close[t] / self.open[t]).ln()));
                let rs = mean((start + 1..end).map(|t| self.rogers_satchell(t)));
                // Yang & Zhang's k minimises the estimator's variance; 0.34 is their α = 1.34 − 1.
                let k = 0.34 / (1.34 + (periods + 1.0) / (periods - 1.0));
                overnight + k * open_close + (1.0 - k) * rs
            }
        };
        // Every term is a sum of squares or, for RS and GK, non-negative per bar up to rounding;
        // clamp the rounding so the square root never sees −0.0…1e-20.
        Ok((variance.max(0.0) * m).sqrt())
    }

    fn rogers_satchell(&self, t: usize) -> f64 {
        let u = (self.high[t] / self.open[t]).ln();
        let d = (self.low[t] / self.open[t]).ln();
        let c = (self.close[t] / self.open[t]).ln();
        u * (u - c) + d * (d - c)
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    sum / n as f64
}

/// Sample variance with the n − 1 denominator (Welford's update, stable for long series).
fn sample_variance(values: impl Iterator<Item = f64>) -> f64 {
    let (mut n, mut mean, mut m2) = (0.0, 0.0, 0.0);
    for v in values {
        n += 1.0;
        let delta = v - mean;
        mean += delta / n;
        m2 += delta * (v - mean);
    }
    m2 / (n - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> OhlcBars {
        OhlcBars::new(
            vec![100.0, 101.0, 100.5, 99.0],
            vec![101.5, 102.0, 101.0, 100.0],
            vec![99.5, 100.2, 99.0, 98.0],
            vec![101.0, 100.8, 99.5, 99.8],
        )
        .unwrap()
    }

    #[test]
    fn validation_rejects_bad_bars() {
        assert!(matches!(
            OhlcBars::new(vec![1.0], vec![1.0], vec![1.0], vec![]),
            Err(ProtectError::LengthMismatch { close: 0, .. })
        ));
        assert!(matches!(
            OhlcBars::new(vec![1.0], vec![0.9], vec![0.8], vec![1.0]),
            Err(ProtectError::InconsistentBar { bar: 0, .. })
        ));
        assert!(matches!(
            OhlcBars::new(vec![1.0], vec![f64::NAN], vec![0.8], vec![1.0]),
            Err(ProtectError::BadPrice { field: "high", .. })
        ));
        let (kept, dropped) = OhlcBars::filtered(
            &[1.0, 1.0, 1.0],
            &[1.1, 0.9, 1.2],
            &[0.9, 0.8, 0.0],
            &[1.0, 1.0, 1.1],
        )
        .unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(dropped.iter().map(|d| d.index).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn too_short_and_bad_annualisation() {
        let b = bars();
        assert!(matches!(
            b.realized_vol(Estimator::Parkinson, 0.0),
            Err(ProtectError::BadAnnualisation(_))
        ));
        let two = OhlcBars::new(vec![1.0; 2], vec![1.1; 2], vec![0.9; 2], vec![1.0; 2]).unwrap();
        assert!(matches!(
            two.realized_vol(Estimator::YangZhang, 252.0),
            Err(ProtectError::TooShort {
                needed: 3,
                got: 2,
                ..
            })
        ));
        assert!(two.realized_vol(Estimator::Parkinson, 252.0).is_ok());
        assert!(b.rolling_vol(Estimator::CloseToClose, 4, 252.0).is_err());
    }

    #[test]
    fn rolling_matches_windowed_full_estimates() {
        let b = bars();
        for est in Estimator::ALL {
            let window = 2;
            let rolling = b.rolling_vol(est, window, 252.0).unwrap();
            let offset = usize::from(est.needs_previous_close());
            let last = b
                .window_vol(est, b.len() - window - offset, b.len(), 252.0)
                .unwrap();
            assert_eq!(*rolling.last().unwrap(), last, "{est:?}");
            assert_eq!(rolling.len(), b.len() - window - offset + 1, "{est:?}");
        }
    }
}
