//! # parapet-risk
//!
//! How much can be lost, whether the measure was right, and what happens when the past is not
//! a guide — with every convention explicit, because libraries silently disagree.
//!
//! Losses are positive numbers: for a one-period return `r` the loss is `L = −r`, and at a
//! confidence level α ([`Confidence`], e.g. 0.99) the value at risk is the α-quantile of `L`
//! and the expected shortfall the mean loss beyond it.
//!
//! | area | items |
//! |---|---|
//! | historical VaR/ES, O(n) | [`historical_var_es`], [`rolling_historical`], [`historical_var_es_columns`] (parallel with the `rayon` feature), [`QuantileMethod`] (skfolio, riskfolio, all 13 numpy rules via [`QuantileRule`]), [`EsMethod`] |
//! | parametric | [`NormalModel`], [`StudentTModel`] (MLE, moment matched), [`cornish_fisher_var`], [`Moments`]; the [`TailModel`] trait they share with EVT |
//! | Monte Carlo | [`MonteCarlo`] (multivariate normal or t, Cholesky) |
//! | volatility, FHS | [`Ewma`], [`Garch11`] (MLE, normal or t), [`backcast`], [`FilteredHistorical`] |
//! | EVT | [`PeaksOverThreshold`] (GPD MLE, McNeil-Frey tail VaR/ES), [`mean_excess`] |
//! | attribution | [`parametric_attribution`], [`historical_attribution`] (marginal, component, incremental) |
//! | drawdowns, ratios | [`max_drawdown`], [`drawdown_stats`] (average, CDaR, Ulcer, time under water), [`ratios`] |
//! | backtests | [`exceedances`], [`kupiec`], [`christoffersen`], [`traffic_light`], [`acerbi_szekely`] |
//! | stress | [`replay`], [`factor_shock`], [`stressed_correlation`], [`nearest_correlation`] |
//! | stops | [`stop_levels`] |
//!
//! Bad input (empty or constant series, NaN, α outside (0, 1), windows longer than the data,
//! a fit that does not converge) returns a [`RiskError`]; nothing panics on data and no
//! function returns a silent NaN. Randomness is always injected.
//!
//! ```
//! use parapet_risk::{historical_var_es, Confidence, EsMethod, NormalModel, QuantileMethod};
//! # let returns: Vec<f64> = (0..500).map(|i| ((i * 7919 % 500) as f64 - 250.0) / 1e4).collect();
//! let c = Confidence::new(0.99)?;
//! let hist = historical_var_es(&returns, c, QuantileMethod::default(), EsMethod::default())?;
//! let normal = NormalModel::fit(&returns, Default::default())?.var_es(c)?;
//! assert!(hist.var <= hist.es && normal.var <= normal.es);
//! # Ok::<(), parapet_risk::RiskError>(())
//! ```

mod attribution;
mod backtest;
mod drawdown;
mod error;
mod evt;
mod garch;
mod historical;
mod montecarlo;
mod parametric;
mod quantile;
mod ratios;
mod stats;
mod stops;
mod stress;
mod volatility;

pub use attribution::{Attribution, Measure, historical_attribution, parametric_attribution};
pub use backtest::{
    Christoffersen, EsBacktest, Kupiec, TrafficLight, Zone, acerbi_szekely, christoffersen,
    exceedances, kupiec, traffic_light,
};
pub use drawdown::{
    DrawdownKind, DrawdownStats, MaxDrawdown, drawdown_stats, drawdowns, max_drawdown,
    max_drawdown_of_prices,
};
pub use error::{Result, RiskError};
pub use evt::{MeanExcess, PeaksOverThreshold, mean_excess};
pub use garch::{Garch11, GarchFit, Innovation};
pub use historical::{
    EsMethod, QuantileMethod, TailModel, TailRisk, historical_es, historical_var,
    historical_var_es, historical_var_es_columns, rolling_historical,
};
pub use montecarlo::{Joint, MonteCarlo};
pub use parametric::{
    Ddof, FitReport, MomentBias, Moments, NormalModel, StudentTModel, cornish_fisher_var,
};
pub use parapet_core::Confidence;
pub use quantile::QuantileRule;
pub use ratios::{RatioSettings, Ratios, ratios};
pub use stats::{QuasiNewtonSettings, SimplexSettings};
pub use stops::{Side, StopRule, Stops, stop_levels};
pub use stress::{
    Replay, factor_shock, nearest_correlation, replay, stressed_correlation, uniform_correlation,
    with_correlation,
};
pub use volatility::{BACKCAST_WINDOW, Ewma, FilteredHistorical, backcast};
