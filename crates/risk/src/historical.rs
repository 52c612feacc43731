//! Historical (non-parametric) VaR and ES with explicit quantile conventions.
//!
//! Losses are `L = −r`. With `n` returns and tail probability `a = 1 − α`, `k = a·n` is the
//! number of observations in the tail; libraries disagree about which order statistic is the
//! VaR when `k` is an integer and about how ES treats the fractional observation. Every
//! convention is an enum variant here, and `k` is snapped to the nearest integer when it lies
//! within `4·ε·n` of it (skfolio's guard), so that `1 − 0.95` computed in floating point
//! (`0.050000000000000044`) does not silently move an order statistic.
//!
//! Everything runs in O(n): one pass collects the candidates below a threshold estimated from
//! a strided sample (falling back to all observations when the estimate is too tight), then
//! `select_nth_unstable_by` picks the order statistics inside the candidates.

use ndarray::ArrayView2;
use parapet_core::Confidence;

use crate::error::{Result, RiskError};
use crate::quantile::{Plan, QuantileRule};
use crate::stats;

/// Which order statistic is the historical VaR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum QuantileMethod {
    /// The lower α-quantile of the loss distribution, `inf{l : F̂_L(l) ≥ α}` (the default;
    /// Acerbi & Tasche 2002, "On the coherence of expected shortfall"; skfolio's
    /// `value_at_risk`). It is the `(⌊k⌋+1)`-th largest loss: for integer `k` the first loss
    /// outside the tail, otherwise the `⌈k⌉`-th largest.
    #[default]
    LowerLoss,
    /// The `⌈k⌉`-th largest loss, i.e. `−r₍⌈k⌉₎` (riskfolio's `VaR_Hist`). Differs from
    /// [`LowerLoss`](Self::LowerLoss) by one order statistic when `k` is an integer.
    CeilOrder,
    /// `−quantile(r, 1 − α)` under a Hyndman-Fan rule applied to the returns (what
    /// `-numpy.quantile(r, 1 - c, method=…)` computes).
    Returns(QuantileRule),
    /// `quantile(−r, α)` under a Hyndman-Fan rule applied to the losses (what
    /// `numpy.quantile(-r, c, method=…)` computes). Equals [`Returns`](Self::Returns) only for
    /// the symmetric rules.
    Losses(QuantileRule),
}

/// How the historical expected shortfall averages the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EsMethod {
    /// Rockafellar & Uryasev (2002), "Conditional value-at-risk for general loss
    /// distributions", in Acerbi & Tasche's fractional form (the default):
    /// `ES = (Σ_{i≤⌊k⌋} L₍ᵢ₎ + (k − ⌊k⌋)·L₍⌊k⌋+1₎) / k` with losses sorted descending.
    /// Equals `min_z z + E[(L − z)⁺]/a`; coherent, and what riskfolio and skfolio report.
    #[default]
    Fractional,
    /// Plain mean of the `⌈k⌉` largest losses.
    MeanWorstCeil,
    /// Plain mean of the `max(⌊k⌋, 1)` largest losses.
    MeanWorstFloor,
    /// Mean of the losses at or beyond the VaR of the given convention,
    /// `mean(L[L ≥ VaR])` (what `-r[r <= q].mean()` computes).
    TailMean(QuantileMethod),
}

/// A VaR together with the ES at the same confidence level, both positive losses.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TailRisk {
    /// Value at risk.
    pub var: f64,
    /// Expected shortfall (CVaR).
    pub es: f64,
}

/// A fitted one-period loss model that yields VaR and ES at any confidence level: the
/// polymorphism shared by [`NormalModel`](crate::NormalModel),
/// [`StudentTModel`](crate::StudentTModel) and
/// [`PeaksOverThreshold`](crate::PeaksOverThreshold), so backtests and reports can take any of
/// them.
///
/// ```
/// use parapet_risk::{Confidence, NormalModel, StudentTModel, TailModel};
/// let models: Vec<Box<dyn TailModel>> = vec![
///     Box::new(NormalModel::new(0.0, 0.01)?),
///     Box::new(StudentTModel::new(4.0, 0.0, 0.01 / 2f64.sqrt())?),
/// ];
/// let c = Confidence::new(0.99)?;
/// for m in &models {
///     let t = m.tail_risk(c)?;
///     assert!(t.var < t.es);
/// }
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
pub trait TailModel {
    /// VaR and ES at confidence `c`.
    ///
    /// # Errors
    /// Model-specific (e.g. an infinite ES).
    fn tail_risk(&self, c: Confidence) -> Result<TailRisk>;
}

/// Historical VaR of `returns` at confidence `c` under `method`.
///
/// ```
/// use parapet_risk::{historical_var, Confidence, QuantileMethod, QuantileRule};
/// let r: Vec<f64> = (0..100).map(|i| (i as f64 - 50.0) / 1000.0).collect();
/// let c = Confidence::new(0.95)?;
/// // k = 5: the default takes the 6th largest loss, riskfolio's convention the 5th.
/// assert_eq!(historical_var(&r, c, QuantileMethod::LowerLoss)?, 0.045);
/// assert_eq!(historical_var(&r, c, QuantileMethod::CeilOrder)?, 0.046);
/// let linear = historical_var(&r, c, QuantileMethod::Returns(QuantileRule::Linear))?;
/// assert!((linear - 0.04505).abs() < 1e-15);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// [`RiskError::Empty`] or [`RiskError::NonFinite`] for bad data.
pub fn historical_var(returns: &[f64], c: Confidence, method: QuantileMethod) -> Result<f64> {
    Ok(tail_risk(returns, c, method, None)?.var)
}

/// Historical ES of `returns` at confidence `c` under `method`.
///
/// # Errors
/// [`RiskError::Empty`] or [`RiskError::NonFinite`] for bad data.
pub fn historical_es(returns: &[f64], c: Confidence, method: EsMethod) -> Result<f64> {
    let var_method = match method {
        EsMethod::TailMean(q) => q,
        _ => QuantileMethod::LowerLoss,
    };
    Ok(tail_risk(returns, c, var_method, Some(method))?.es)
}

/// Historical VaR under `quantile` and ES under `es` in one O(n) pass.
///
/// ```
/// use parapet_risk::{historical_var_es, Confidence, EsMethod, QuantileMethod};
/// let r: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64 / 1e4 - 0.05).collect();
/// let t = historical_var_es(&r, Confidence::new(0.99)?, QuantileMethod::default(), EsMethod::default())?;
/// assert!(t.var <= t.es);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// [`RiskError::Empty`] or [`RiskError::NonFinite`] for bad data.
pub fn historical_var_es(
    returns: &[f64],
    c: Confidence,
    quantile: QuantileMethod,
    es: EsMethod,
) -> Result<TailRisk> {
    tail_risk(returns, c, quantile, Some(es))
}

/// Rolling one-step-ahead historical VaR and ES: entry `i` uses the `window` returns
/// `returns[i..i + window]` and is the forecast for period `i + window` (so the output has
/// `n − window + 1` entries, the last one being the forecast after the sample). With the
/// `rayon` feature the windows run in parallel.
///
/// ```
/// use parapet_risk::{rolling_historical, Confidence, EsMethod, QuantileMethod};
/// let r: Vec<f64> = (0..300).map(|i| ((i * 37 % 101) as f64 - 50.0) / 1e3).collect();
/// let f = rolling_historical(&r, 250, Confidence::new(0.99)?, QuantileMethod::default(), EsMethod::default())?;
/// assert_eq!(f.len(), 51);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// [`RiskError::WindowTooLong`] when `window > n`, [`RiskError::InvalidParameter`] for a zero
/// window, data errors.
pub fn rolling_historical(
    returns: &[f64],
    window: usize,
    c: Confidence,
    quantile: QuantileMethod,
    es: EsMethod,
) -> Result<Vec<TailRisk>> {
    stats::check_series("returns", returns)?;
    if window == 0 {
        return Err(RiskError::InvalidParameter {
            name: "window",
            value: 0.0,
            reason: "must be at least 1",
        });
    }
    if window > returns.len() {
        return Err(RiskError::WindowTooLong {
            window,
            len: returns.len(),
        });
    }
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        returns
            .par_windows(window)
            .map(|w| historical_var_es(w, c, quantile, es))
            .collect()
    }
    #[cfg(not(feature = "rayon"))]
    {
        returns
            .windows(window)
            .map(|w| historical_var_es(w, c, quantile, es))
            .collect()
    }
}

/// Historical VaR and ES of every column of `returns` (observations × series: the assets of a
/// return table, or one scenario set per column), each under the same conventions. The batch
/// tier of [`historical_var_es`]: with the `rayon` feature the columns run in parallel.
///
/// ```
/// use ndarray::array;
/// use parapet_risk::{historical_var_es_columns, Confidence, EsMethod, QuantileMethod};
/// let r = array![[0.01, -0.02], [-0.03, 0.01], [0.02, -0.01], [-0.01, 0.0]];
/// let t = historical_var_es_columns(r.view(), Confidence::new(0.75)?, QuantileMethod::default(), EsMethod::default())?;
/// assert_eq!((t[0].var, t[1].var), (0.01, 0.01));
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// [`RiskError::Empty`] for no rows or columns, [`RiskError::NonFinite`] (index within its
/// column) for bad data.
pub fn historical_var_es_columns(
    returns: ArrayView2<'_, f64>,
    c: Confidence,
    quantile: QuantileMethod,
    es: EsMethod,
) -> Result<Vec<TailRisk>> {
    if returns.ncols() == 0 {
        return Err(RiskError::Empty { name: "columns" });
    }
    let columns: Vec<Vec<f64>> = returns.columns().into_iter().map(|c| c.to_vec()).collect();
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        columns
            .par_iter()
            .map(|col| historical_var_es(col, c, quantile, es))
            .collect()
    }
    #[cfg(not(feature = "rayon"))]
    {
        columns
            .iter()
            .map(|col| historical_var_es(col, c, quantile, es))
            .collect()
    }
}

/// `k = a·n`, snapped to the nearest integer within `4·ε·n`.
pub(crate) fn tail_count(tail: f64, n: usize) -> f64 {
    let k = tail * n as f64;
    let r = k.round();
    if (k - r).abs() <= 4.0 * f64::EPSILON * n as f64 {
        r
    } else {
        k
    }
}

/// Where a VaR convention reads the sorted returns: the plan in ascending *return* order and
/// whether the quantile was taken on losses (so the two order statistics are negated first).
fn var_plan(method: QuantileMethod, c: Confidence, n: usize) -> (Plan, bool) {
    let k = tail_count(c.tail(), n);
    let at = |i: usize| Plan {
        lo: i,
        hi: i,
        gamma: 0.0,
    };
    match method {
        QuantileMethod::LowerLoss => (at((k.floor() as usize).min(n - 1)), false),
        QuantileMethod::CeilOrder => (at((k.ceil() as usize).clamp(1, n) - 1), false),
        QuantileMethod::Returns(rule) => (rule.plan(n, c.tail()), false),
        QuantileMethod::Losses(rule) => {
            let p = rule.plan(n, c.level());
            // Loss rank j is return rank n−1−j: the lower loss statistic is the higher return one.
            (
                Plan {
                    lo: n - 1 - p.lo,
                    hi: n - 1 - p.hi,
                    gamma: p.gamma,
                },
                true,
            )
        }
    }
}

/// The smallest returns: every `x ≤ t` for some threshold `t`, at least `need` of them.
fn candidates(returns: &[f64], need: usize) -> Result<Vec<f64>> {
    let n = returns.len();
    // Small samples or deep "tails": select on a full copy.
    if n < 4096 || need > n / 8 {
        stats::check_series("returns", returns)?;
        return Ok(returns.to_vec());
    }
    // Threshold from a strided sample: its order statistic at the tail fraction plus a
    // margin of 4 binomial standard deviations, so that `need` points lie below it with
    // overwhelming probability; the fallback keeps the result exact if they do not.
    let s = 4096usize.min(n);
    let stride = n / s;
    let mut sample: Vec<f64> = (0..s).map(|i| returns[i * stride]).collect();
    let f = need as f64 / n as f64;
    let idx = (f * s as f64 + 4.0 * (s as f64 * f).sqrt() + 2.0).ceil() as usize;
    if idx >= s {
        stats::check_series("returns", returns)?;
        return Ok(returns.to_vec());
    }
    let (_, t, _) = sample.select_nth_unstable_by(idx, f64::total_cmp);
    let t = *t;
    let mut buf = Vec::with_capacity(((idx + 1) * n / s) + 64);
    // Eight independent accumulators: a cheap, vectorisable finiteness check on the way.
    let mut acc = [0.0f64; 8];
    let mut chunks = returns.chunks_exact(8);
    for chunk in &mut chunks {
        let mut hit = false;
        for i in 0..8 {
            acc[i] += chunk[i];
            hit |= chunk[i] <= t;
        }
        if hit {
            buf.extend(chunk.iter().copied().filter(|&x| x <= t));
        }
    }
    for &x in chunks.remainder() {
        acc[0] += x;
        if x <= t {
            buf.push(x);
        }
    }
    if !acc.iter().all(|a| a.is_finite()) {
        // NaN or ±∞ somewhere (or a genuine overflow of huge values): locate it exactly.
        stats::check_series("returns", returns)?;
    }
    if buf.len() < need {
        return Ok(returns.to_vec());
    }
    Ok(buf)
}

/// Order statistics and prefix sums on a candidate buffer, selecting from the largest needed
/// index downwards on shrinking prefixes.
struct Selection {
    values: Vec<(usize, f64)>,
    prefix_sum: Option<(usize, f64)>,
}

impl Selection {
    fn run(buf: &mut [f64], mut indices: Vec<usize>, sum_below: Option<usize>) -> Self {
        if let Some(s) = sum_below
            && s < buf.len()
        {
            indices.push(s);
        }
        indices.sort_unstable_by(|a, b| b.cmp(a));
        indices.dedup();
        let mut end = buf.len();
        let mut values = Vec::with_capacity(indices.len());
        let mut prefix_sum = None;
        if let Some(s) = sum_below
            && s >= buf.len()
        {
            prefix_sum = Some((s, stats::sum(buf.iter().copied())));
        }
        for j in indices {
            let (left, x, _) = buf[..end].select_nth_unstable_by(j, f64::total_cmp);
            values.push((j, *x));
            if sum_below == Some(j) {
                prefix_sum = Some((j, stats::sum(left.iter().copied())));
            }
            end = j;
        }
        Self { values, prefix_sum }
    }

    /// The selected order statistic `j`; every index asked for was passed to [`Selection::run`],
    /// so the lookup always succeeds.
    fn get(&self, j: usize) -> f64 {
        self.values
            .iter()
            .find(|(i, _)| *i == j)
            .map_or(f64::NAN, |(_, v)| *v)
    }

    fn sum(&self) -> f64 {
        self.prefix_sum.map_or(0.0, |(_, s)| s)
    }
}

fn tail_risk(
    returns: &[f64],
    c: Confidence,
    quantile: QuantileMethod,
    es: Option<EsMethod>,
) -> Result<TailRisk> {
    let n = returns.len();
    if n == 0 {
        return Err(RiskError::Empty { name: "returns" });
    }
    let k = tail_count(c.tail(), n);
    let (vplan, on_losses) = var_plan(quantile, c, n);
    // Sum of the `count` smallest returns plus the order statistic right after them.
    let sum_count = match es {
        Some(EsMethod::Fractional) => Some(k.floor() as usize),
        Some(EsMethod::MeanWorstCeil) => Some((k.ceil() as usize).clamp(1, n)),
        Some(EsMethod::MeanWorstFloor) => Some((k.floor() as usize).clamp(1, n)),
        _ => None,
    };
    let mut need = vplan.lo.max(vplan.hi) + 1;
    if let Some(s) = sum_count {
        need = need.max((s + 1).min(n));
    }
    let mut buf = candidates(returns, need)?;
    let mut indices = vec![vplan.lo, vplan.hi];
    if let Some(s) = sum_count
        && s < n
    {
        indices.push(s);
    }
    let sel = Selection::run(&mut buf, indices, sum_count);
    let (a, b) = (sel.get(vplan.lo), sel.get(vplan.hi));
    let var = if on_losses {
        vplan.lerp(-a, -b)
    } else {
        -vplan.lerp(a, b)
    };
    let es_value = match es {
        None => var,
        Some(EsMethod::Fractional) => {
            let whole = k.floor() as usize;
            let frac = k - whole as f64;
            let next = if whole < n { sel.get(whole) } else { 0.0 };
            if k < 1.0 && whole == 0 {
                -next
            } else {
                -(sel.sum() + frac * next) / k
            }
        }
        Some(EsMethod::MeanWorstCeil | EsMethod::MeanWorstFloor) => {
            let count = sum_count.unwrap_or(1);
            -sel.sum() / count as f64
        }
        Some(EsMethod::TailMean(_)) => {
            // Returns at or below −VaR; negation is exact, so this is `r <= q` for numpy's q.
            let q = -var;
            let tail: Vec<f64> = buf.iter().copied().filter(|&x| x <= q).collect();
            -stats::sum(tail.iter().copied()) / tail.len() as f64
        }
    };
    Ok(TailRisk { var, es: es_value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.1
            })
            .collect()
    }

    #[test]
    fn prefiltered_selection_equals_full_sort() {
        let r = lcg(50_000, 7);
        let mut sorted = r.clone();
        sorted.sort_by(f64::total_cmp);
        let c = Confidence::new(0.99).unwrap();
        let t = historical_var_es(&r, c, QuantileMethod::LowerLoss, EsMethod::Fractional).unwrap();
        let k = 500;
        assert_eq!(t.var, -sorted[k]);
        let es = -stats::sum(sorted[..k].iter().copied()) / k as f64;
        assert!((t.es - es).abs() <= 1e-15);
    }

    #[test]
    fn adversarial_order_falls_back_exactly() {
        // Sorted descending with the tail at the end: the strided sample still brackets it.
        let mut r = lcg(20_000, 3);
        r.sort_by(|a, b| b.total_cmp(a));
        let c = Confidence::new(0.975).unwrap();
        let v = historical_var(&r, c, QuantileMethod::CeilOrder).unwrap();
        assert_eq!(v, -r[r.len() - 500]);
    }

    #[test]
    fn snapping_removes_the_float_pitfall() {
        assert_eq!(tail_count(1.0 - 0.95, 2000), 100.0);
        assert_eq!(tail_count(0.05, 5030), 251.5);
    }

    #[test]
    fn rejects_bad_data() {
        let c = Confidence::new(0.99).unwrap();
        assert_eq!(
            historical_var(&[], c, QuantileMethod::default()),
            Err(RiskError::Empty { name: "returns" })
        );
        let mut r = lcg(10_000, 1);
        r[1234] = f64::NAN;
        assert!(matches!(
            historical_var(&r, c, QuantileMethod::default()),
            Err(RiskError::NonFinite { index: 1234, .. })
        ));
        r[1234] = f64::NEG_INFINITY;
        assert!(matches!(
            historical_es(&r, c, EsMethod::Fractional),
            Err(RiskError::NonFinite { index: 1234, .. })
        ));
    }
}
