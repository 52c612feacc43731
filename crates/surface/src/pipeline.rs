//! From an option chain to an arbitrage-free surface: forwards and discounts from put-call
//! parity, out-of-the-money implied vols, SVI fits in expiry order under butterfly and
//! calendar constraints, and the quote-level arbitrage report.

use crate::arbitrage::{ArbitrageReport, KGrid, calendar_check};
use crate::arbitrage::{QuoteViolation, check_calendar_quotes, check_call_quotes};
use crate::chain::{Date, LocalTime, OptionChain, Settlement};
use crate::error::{Result, SurfaceError, in_range};
use crate::expiry::{ExpiryRows, Extracted, Parity, extract, side_status};
use crate::parity::{Pair, regress, window};
use crate::quotes::SliceQuotes;
use crate::smile::Smile;
use crate::surface::{SmileMetrics, Surface};
use crate::svi::SviSmile;
use crate::svi_fit::{CalendarBound, SviCalibrator, SviFit, SviFitReport, SviFitSettings};
use parapet_pricing::american::{QdFpEngine, QdFpScheme};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Knobs of [`build_surface`]. `Default` gives the values documented on each field.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChainSettings {
    /// Expiries closer than this many days are skipped; default 2.
    pub min_days: f64,
    /// Minimum call-put pairs for the parity regression; default 6.
    pub min_pairs: usize,
    /// A parity discount is accepted if the standard error of its rate is at most this;
    /// default 0.0025 (25 bp).
    pub max_rate_se: f64,
    /// ... and its rate lies in this range; default `(−0.01, 0.10)`.
    pub rate_range: (f64, f64),
    /// Minimum OTM quotes to fit an expiry; default 8.
    pub min_quotes: usize,
    /// Enforce no calendar arbitrage between consecutive slices; default true.
    pub no_calendar: bool,
    /// A continuously compounded rate for every discount factor, `D = e^{−rT}`, instead of
    /// put-call parity (forwards are then `K + (C − P)/D` averaged over the parity pairs).
    /// Use it for American chains, where early exercise biases the parity slope. Default
    /// `None` (parity).
    pub discount_rate: Option<f64>,
    /// Outlier filter: drop quotes whose mid vol is further from a first fit than this many
    /// half bid-ask spreads (in vol, floored at half a vol point), then refit. Default `None`
    /// (off: every usable quote is fitted).
    pub outlier_half_spreads: Option<f64>,
    /// European quotes, or American quotes to de-Americanise (which needs `discount_rate`).
    /// Default [`ExerciseTreatment::European`].
    pub exercise: ExerciseTreatment,
    /// The slice fit.
    pub fit: SviFitSettings,
}

impl Default for ChainSettings {
    fn default() -> Self {
        Self {
            min_days: 2.0,
            min_pairs: 6,
            max_rate_se: 0.0025,
            rate_range: (-0.01, 0.10),
            min_quotes: 8,
            no_calendar: true,
            outlier_half_spreads: None,
            discount_rate: None,
            exercise: ExerciseTreatment::European,
            fit: SviFitSettings::default(),
        }
    }
}

impl ChainSettings {
    /// Checks every knob.
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] for a negative `min_days`, `min_pairs < 3`,
    /// `min_quotes < 5`, a non-positive `max_rate_se` or an empty rate range, and the errors
    /// of [`SviFitSettings::validate`].
    pub fn validate(&self) -> Result<()> {
        in_range(
            "min_days",
            self.min_days,
            -1e-300,
            f64::INFINITY,
            "must be >= 0",
        )?;
        if self.min_pairs < 3 {
            return Err(SurfaceError::InvalidParameter {
                name: "min_pairs",
                value: self.min_pairs as f64,
                reason: "must be >= 3",
            });
        }
        if self.min_quotes < 5 {
            return Err(SurfaceError::InvalidParameter {
                name: "min_quotes",
                value: self.min_quotes as f64,
                reason: "must be >= 5",
            });
        }
        if let Some(r) = self.discount_rate {
            crate::error::finite("discount_rate", r)?;
        }
        if let ExerciseTreatment::DeAmericanise { dividend_yield, .. } = self.exercise {
            if self.discount_rate.is_none() {
                return Err(SurfaceError::InvalidParameter {
                    name: "discount_rate",
                    value: f64::NAN,
                    reason: "de-Americanisation needs a given discount rate",
                });
            }
            if let Some(q) = dividend_yield {
                crate::error::finite("dividend_yield", q)?;
            }
        }
        if let Some(x) = self.outlier_half_spreads {
            in_range("outlier_half_spreads", x, 0.0, f64::INFINITY, "must be > 0")?;
        }
        in_range(
            "max_rate_se",
            self.max_rate_se,
            0.0,
            f64::INFINITY,
            "must be > 0",
        )?;
        in_range(
            "rate_range.1",
            self.rate_range.1,
            self.rate_range.0,
            f64::INFINITY,
            "must exceed rate_range.0",
        )?;
        self.fit.validate()
    }
}

/// Why a quote was left out of a fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FilterReason {
    /// Bid at or below zero.
    ZeroBid,
    /// Ask at or below zero with a positive bid.
    NoAsk,
    /// Ask below bid.
    Crossed,
    /// Ask equal to bid.
    Locked,
    /// The bid, mid or ask price has no Black implied vol (outside the no-arbitrage bounds).
    ImpliedVolFailed,
    /// Further from a first fit than [`ChainSettings::outlier_half_spreads`] allows.
    Outlier,
}

/// Why an expiry was not fitted.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SkipReason {
    /// Already expired at the valuation time.
    Expired,
    /// Closer than [`ChainSettings::min_days`].
    TooShort {
        /// Days to expiry.
        days: f64,
    },
    /// Put-call parity could not be solved (too few two-sided pairs).
    NoForward,
    /// De-Americanisation: no carry makes the near-the-money American calls and puts agree.
    NoCarry,
    /// Too few usable out-of-the-money quotes.
    TooFewQuotes {
        /// Usable quotes.
        got: usize,
    },
    /// Another root expires at the same time and was kept (a surface needs distinct times).
    SameTime,
    /// The slice fit failed.
    FitFailed,
}

/// Where an expiry's discount factor comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DiscountSource {
    /// The put-call parity regression of this expiry.
    Parity,
    /// Rates of the accepted parity expiries, interpolated linearly in `T` (flat beyond).
    RateCurve,
    /// The caller's rate ([`ChainSettings::discount_rate`]).
    Given,
}

/// How quoted prices become European implied vols.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ExerciseTreatment {
    /// Quotes are European (index options such as SPX): Black vols of the quotes, forwards and
    /// discounts from put-call parity. Applied to American quotes, this inverts them as
    /// European (biased upwards by the early-exercise premium).
    #[default]
    European,
    /// Quotes are American on an underlying with a continuous carry: the vol of each quote is
    /// its American implied vol under Black-Scholes-Merton with the given discount rate and
    /// the expiry's carry `q`, priced by [`QdFpEngine`] with `scheme`; the European forward is
    /// `S·e^{(r − q)T}`. With `dividend_yield: None` the carry of each expiry is implied from
    /// its near-the-money pairs (the `q` at which American call and put vols agree).
    DeAmericanise {
        /// Accuracy preset of the American engine.
        scheme: QdFpScheme,
        /// A given carry for every expiry, or `None` to imply it per expiry.
        dividend_yield: Option<f64>,
    },
}

/// An expiry that was skipped.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SkippedExpiry {
    /// Expiration date.
    pub expiry: Date,
    /// Option root.
    pub root: String,
    /// Chain rows of the expiry.
    pub rows: usize,
    /// Why.
    pub reason: SkipReason,
}

/// One fitted expiry.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SliceResult {
    /// Expiration date.
    pub expiry: Date,
    /// Option root.
    pub root: String,
    /// Settlement.
    pub settlement: Settlement,
    /// Time to expiry (years, ACT/365 wall clock).
    pub t: f64,
    /// Forward.
    pub forward: f64,
    /// Discount factor.
    pub discount: f64,
    /// Where the discount factor comes from.
    pub discount_source: DiscountSource,
    /// The continuous carry `q` (dividend yield) of a de-Americanised expiry, with
    /// `forward = spot·e^{(r − q)T}`; `None` for European quotes.
    pub dividend_yield: Option<f64>,
    /// Call-put pairs in the parity regression.
    pub parity_pairs: usize,
    /// The OTM quotes fitted (puts below the forward, calls at and above), with strikes in
    /// `strikes`.
    pub quotes: SliceQuotes,
    /// Strikes of `quotes`, in the same order.
    pub strikes: Vec<f64>,
    /// The fitted slice.
    pub smile: SviSmile,
    /// Fit diagnostics (including the butterfly and calendar scans).
    pub fit: SviFitReport,
    /// OTM quotes left out, by reason.
    pub filtered: BTreeMap<FilterReason, usize>,
    /// Arbitrage in the raw OTM mid quotes of this expiry (calls monotone, convex, within
    /// bounds; violations larger than half the local bid-ask spread), on all usable quotes
    /// before the outlier filter: `index` refers to that list, `strike` identifies the quote.
    pub quote_violations: Vec<QuoteViolation>,
    /// Negative calendar spreads of mid quotes against the previous fitted expiry.
    pub calendar_quote_violations: Vec<QuoteViolation>,
}

/// The result of [`build_surface`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChainSurface {
    /// The surface across the fitted expiries.
    pub surface: Surface,
    /// The fitted expiries in `T` order.
    pub slices: Vec<SliceResult>,
    /// The expiries left out.
    pub skipped: Vec<SkippedExpiry>,
}

/// An expiry ready to fit.
struct Pending {
    expiry: Date,
    root: String,
    settlement: Settlement,
    t: f64,
    forward: f64,
    discount: f64,
    discount_source: DiscountSource,
    dividend_yield: Option<f64>,
    parity_pairs: usize,
    quotes: SliceQuotes,
    strikes: Vec<f64>,
    filtered: BTreeMap<FilterReason, usize>,
    quote_violations: Vec<QuoteViolation>,
    calendar_quote_violations: Vec<QuoteViolation>,
}

/// The quotes of `q` at positions `keep`.
fn fit_quotes(q: &SliceQuotes, keep: &[usize]) -> Result<SliceQuotes> {
    SliceQuotes::new(q.expiry(), keep.iter().map(|&i| q.quotes()[i]).collect())
}

/// Independent fit of one expiry; with outlier filtering on, quotes further from the fit than
/// [`ChainSettings::outlier_half_spreads`] half-spreads (at least half a vol point) are dropped
/// and the expiry refitted once. Returns the positions kept when some were dropped.
fn fit_filtered(
    calibrator: &SviCalibrator,
    p: &Pending,
    settings: &ChainSettings,
) -> Result<(SviFit, Option<Vec<usize>>)> {
    let fit = calibrator.fit(&p.quotes)?;
    let Some(limit) = settings.outlier_half_spreads else {
        return Ok((fit, None));
    };
    let keep: Vec<usize> = p
        .quotes
        .quotes()
        .iter()
        .enumerate()
        .filter(|(_, q)| {
            let err = (fit.smile.implied_vol(q.k) - q.mid).abs();
            err <= limit * (0.5 * (q.ask - q.bid)).max(0.005)
        })
        .map(|(i, _)| i)
        .collect();
    if keep.len() == p.quotes.len() || keep.len() < settings.min_quotes {
        return Ok((fit, None));
    }
    let refit = calibrator.fit(&fit_quotes(&p.quotes, &keep)?)?;
    Ok((refit, Some(keep)))
}

/// Calendar arbitrage between consecutive independent fits, removed in one sweep in `T`
/// order: where slice `i` dips below slice `i − 1` on their common quoted range, either slice
/// `i` is refitted above `i − 1`, or slice `i − 1` is refitted between `i − 2` and `i` —
/// whichever raises the weighted least-squares objective less. The market's own calendar
/// inconsistencies are thus charged to the slice that fits them most cheaply.
fn remove_calendar_arbitrage(
    calibrator: &SviCalibrator,
    pending: &[Pending],
    fits: &mut [SviFit],
) -> Result<()> {
    let violates = |a: &SviFit, pa: &Pending, b: &SviFit, pb: &Pending| -> Result<bool> {
        let ((a0, a1), (b0, b1)) = (pa.quotes.k_range(), pb.quotes.k_range());
        let (lo, hi) = (a0.max(b0), a1.min(b1));
        if hi <= lo {
            return Ok(false);
        }
        let grid = KGrid::new(lo, hi, 4 * calibrator.settings().check_points)?;
        Ok(!calendar_check(&a.smile, &b.smile, &grid)?.is_free())
    };
    for i in 1..fits.len() {
        if !violates(&fits[i - 1], &pending[i - 1], &fits[i], &pending[i])? {
            continue;
        }
        let bound = |j: usize| CalendarBound {
            smile: &fits[j].smile,
            k_range: pending[j].quotes.k_range(),
        };
        // Warm starts from the fits being repaired: the constrained optimum lies near them.
        let (raise, lower) = rayon::join(
            || {
                calibrator.fit_between(
                    &pending[i].quotes,
                    Some(bound(i - 1)),
                    None,
                    Some(fits[i].smile.params()),
                )
            },
            || {
                calibrator.fit_between(
                    &pending[i - 1].quotes,
                    (i >= 2).then(|| bound(i - 2)),
                    Some(bound(i)),
                    Some(fits[i - 1].smile.params()),
                )
            },
        );
        let (raise, lower) = (raise?, lower?);
        let cost_raise = raise.report.objective - fits[i].report.objective;
        let cost_lower = lower.report.objective - fits[i - 1].report.objective;
        let free = |r: &Option<ArbitrageReport>| r.as_ref().is_none_or(|c| c.is_free());
        // A repair must not trade calendar arbitrage for butterfly arbitrage.
        let clean = |f: &SviFit| {
            f.report.butterfly.is_free()
                && free(&f.report.calendar)
                && free(&f.report.calendar_next)
        };
        if clean(&lower) && (cost_lower < cost_raise || !clean(&raise)) {
            fits[i - 1] = lower;
            continue;
        }
        if clean(&lower) {
            fits[i] = raise;
            continue;
        }
        // Lowering alone cannot clear the overlap (slice i also dips below i − 2): share the
        // adjustment, lowering i − 1 where its floor allows and raising i above the result.
        if free(&lower.report.calendar) && lower.report.butterfly.is_free() {
            let both = calibrator.fit_between(
                &pending[i].quotes,
                Some(CalendarBound {
                    smile: &lower.smile,
                    k_range: pending[i - 1].quotes.k_range(),
                }),
                None,
                Some(raise.smile.params()),
            )?;
            let cost_both = cost_lower + both.report.objective - fits[i].report.objective;
            if clean(&both) && (cost_both < cost_raise || !clean(&raise)) {
                fits[i - 1] = lower;
                fits[i] = both;
                continue;
            }
        }
        fits[i] = raise;
    }
    Ok(())
}

impl ChainSurface {
    /// Smile metrics (ATM vol, 25Δ risk reversal and butterfly, skew, term slope) at each
    /// fitted expiry, in `T` order.
    ///
    /// # Errors
    /// As [`Surface::metrics`].
    pub fn metrics(&self) -> Result<Vec<SmileMetrics>> {
        self.slices
            .iter()
            .map(|s| self.surface.metrics(s.t))
            .collect()
    }
}

/// Builds a surface from a European option chain valued at `valuation` (exchange wall
/// clock; [`LocalTime::last_weekday_close`] of the snapshot is the usual choice).
///
/// Per expiry (expiration date and root: AM and PM settlements on one date are separate
/// slices): put-call-parity forward and discount (rate curve where parity cannot pin the
/// discount); out-of-the-money quotes (puts below the forward, calls at and above) with a
/// positive bid and `ask > bid`; Black implied vols of the bid, mid and ask from
/// [`parapet_pricing::implied::black_vol`]; then SVI fits in `T` order, each constrained to
/// lie above the previous one (no calendar arbitrage) and to have `g ≥ 0` (no butterfly
/// arbitrage) on its check range.
///
/// The arbitrage checks are part of each slice's report ([`SliceResult::fit`]): should the
/// penalties fail to clear an arbitrage, the slice is kept and the report shows it.
///
/// American options (SPY): with [`ExerciseTreatment::DeAmericanise`] each quote's vol is its
/// American implied vol, with the expiry's carry implied from the near-the-money pairs and
/// the forward `S·e^{(r − q)T}`; otherwise they are inverted as European. Parity does not pin
/// the discount of an American chain (early exercise biases the slope): pass a rate in
/// [`ChainSettings::discount_rate`].
///
/// # Errors
/// [`SurfaceError::EmptyChain`] if no expiry can be fitted; the errors of
/// [`ChainSettings::validate`].
pub fn build_surface(
    chain: &OptionChain,
    valuation: LocalTime,
    settings: &ChainSettings,
) -> Result<ChainSurface> {
    settings.validate()?;
    let calibrator = SviCalibrator::new(settings.fit)?;
    let engine = match settings.exercise {
        ExerciseTreatment::DeAmericanise { scheme, .. } => Some(QdFpEngine::from_scheme(scheme)),
        ExerciseTreatment::European => None,
    };
    let mut groups: BTreeMap<(Date, String), ExpiryRows> = BTreeMap::new();
    for r in &chain.rows {
        let g = groups
            .entry((r.expiry, r.root.clone()))
            .or_insert_with(|| ExpiryRows {
                expiry: r.expiry,
                root: r.root.clone(),
                settlement: r.settlement,
                t: valuation.years_until(&r.settlement.time(r.expiry)),
                rows: Vec::new(),
            });
        g.rows.push((r.strike, r.call, r.put));
    }
    let mut expiries: Vec<ExpiryRows> = groups.into_values().collect();
    expiries.sort_by(|a, b| a.t.total_cmp(&b.t));
    let mut skipped = Vec::new();

    // Pass 1: parity per expiry.
    let mut parity = Vec::new();
    for mut ex in expiries {
        let skip = |ex: &ExpiryRows, reason| SkippedExpiry {
            expiry: ex.expiry,
            root: ex.root.clone(),
            rows: ex.rows.len(),
            reason,
        };
        if ex.t <= 0.0 {
            skipped.push(skip(&ex, SkipReason::Expired));
            continue;
        }
        if ex.t * 365.0 < settings.min_days {
            skipped.push(skip(&ex, SkipReason::TooShort { days: ex.t * 365.0 }));
            continue;
        }
        ex.rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        ex.rows.dedup_by(|a, b| a.0 == b.0);
        let pairs: Vec<Pair> = ex
            .rows
            .iter()
            .filter(|(_, c, p)| side_status(c).is_ok() && side_status(p).is_ok())
            .map(|&(k, c, p)| Pair {
                strike: k,
                diff: 0.5 * (c.bid + c.ask) - 0.5 * (p.bid + p.ask),
                spread: (c.ask - c.bid) + (p.ask - p.bid),
                call_mid: 0.5 * (c.bid + c.ask),
            })
            .collect();
        if pairs.len() < settings.min_pairs {
            skipped.push(skip(&ex, SkipReason::NoForward));
            continue;
        }
        let win = window(&pairs, ex.t, settings.min_pairs);
        let Some(fit) = regress(&win, ex.t) else {
            skipped.push(skip(&ex, SkipReason::NoForward));
            continue;
        };
        let rate = -fit.discount.ln() / ex.t;
        let accepted = fit.se_rate <= settings.max_rate_se
            && rate >= settings.rate_range.0
            && rate <= settings.rate_range.1;
        parity.push(Parity {
            ex,
            pairs: win,
            fit,
            accepted,
        });
    }
    let curve: Vec<(f64, f64)> = parity
        .iter()
        .filter(|p| p.accepted)
        .map(|p| (p.ex.t, -p.fit.discount.ln() / p.ex.t))
        .collect();
    let rate_at = |t: f64| -> Option<f64> {
        let first = curve.first()?;
        let last = curve.last()?;
        if t <= first.0 {
            return Some(first.1);
        }
        if t >= last.0 {
            return Some(last.1);
        }
        let i = curve.partition_point(|c| c.0 <= t) - 1;
        let l = (t - curve[i].0) / (curve[i + 1].0 - curve[i].0);
        Some((1.0 - l) * curve[i].1 + l * curve[i + 1].1)
    };

    // Pass 2: quotes, implied vols and fits in T order.
    let mut pending: Vec<Pending> = Vec::new();
    let mut prev_calls: Option<(Vec<f64>, Vec<f64>, f64)> = None;
    let rates: Vec<Option<f64>> = parity.iter().map(|p| rate_at(p.ex.t)).collect();
    // Implied vols per expiry in parallel (de-Americanisation prices American options).
    let extracted: Vec<std::result::Result<Extracted, SkipReason>> = parity
        .par_iter()
        .zip(rates)
        .map(|(p, rate)| extract(p, chain.spot, settings, engine.as_ref(), rate))
        .collect();
    for (p, extracted) in parity.into_iter().zip(extracted) {
        let n_pairs = p.fit.n_pairs;
        let ex = p.ex;
        let Extracted {
            forward,
            discount,
            source,
            dividend_yield,
            quotes,
            strikes,
            calls,
            half_spreads,
            filtered,
        } = match extracted {
            Ok(x) => x,
            Err(reason) => {
                skipped.push(SkippedExpiry {
                    expiry: ex.expiry,
                    root: ex.root.clone(),
                    rows: ex.rows.len(),
                    reason,
                });
                continue;
            }
        };
        if quotes.len() < settings.min_quotes {
            skipped.push(SkippedExpiry {
                expiry: ex.expiry,
                root: ex.root.clone(),
                rows: ex.rows.len(),
                reason: SkipReason::TooFewQuotes { got: quotes.len() },
            });
            continue;
        }
        if pending.last().is_some_and(|p: &Pending| p.t >= ex.t) {
            skipped.push(SkippedExpiry {
                expiry: ex.expiry,
                root: ex.root.clone(),
                rows: ex.rows.len(),
                reason: SkipReason::SameTime,
            });
            continue;
        }
        let slice_quotes = SliceQuotes::new(ex.t, quotes)?;
        let tol = half_spreads
            .iter()
            .cloned()
            .fold(f64::INFINITY, f64::min)
            .max(0.0);
        let mut quote_violations = check_call_quotes(&strikes, &calls, forward, 0.0)?;
        // Keep only violations larger than half the local spread: mids inside their spreads
        // can violate convexity without an executable arbitrage.
        quote_violations.retain(|v| v.amount > half_spreads[v.index].max(tol));
        let calendar_quote_violations = match &prev_calls {
            Some((pk, pc, pf)) => {
                let mut v = check_calendar_quotes((pk, pc, *pf), (&strikes, &calls, forward), 0.0)?;
                v.retain(|q| q.amount > half_spreads[q.index]);
                v
            }
            None => Vec::new(),
        };
        prev_calls = Some((strikes.clone(), calls, forward));
        pending.push(Pending {
            expiry: ex.expiry,
            root: ex.root,
            settlement: ex.settlement,
            t: ex.t,
            forward,
            discount,
            discount_source: source,
            dividend_yield,
            parity_pairs: n_pairs,
            quotes: slice_quotes,
            strikes,
            filtered,
            quote_violations,
            calendar_quote_violations,
        });
    }
    if pending.is_empty() {
        return Err(SurfaceError::EmptyChain);
    }
    // Independent fits (butterfly-free), in parallel.
    let results: Vec<Result<(SviFit, Option<Vec<usize>>)>> = pending
        .par_iter()
        .map(|p| fit_filtered(&calibrator, p, settings))
        .collect();
    let mut fits = Vec::with_capacity(results.len());
    let mut fitted = Vec::with_capacity(pending.len());
    for (mut p, result) in pending.into_iter().zip(results) {
        let Ok((fit, keep)) = result else {
            skipped.push(SkippedExpiry {
                expiry: p.expiry,
                root: p.root,
                rows: p.quotes.len(),
                reason: SkipReason::FitFailed,
            });
            continue;
        };
        if let Some(keep) = keep {
            let removed = p.quotes.len() - keep.len();
            *p.filtered.entry(FilterReason::Outlier).or_default() += removed;
            p.strikes = keep.iter().map(|&i| p.strikes[i]).collect();
            p.quotes = fit_quotes(&p.quotes, &keep)?;
        }
        fits.push(fit);
        fitted.push(p);
    }
    let pending = fitted;
    if pending.is_empty() {
        return Err(SurfaceError::EmptyChain);
    }
    if settings.no_calendar {
        remove_calendar_arbitrage(&calibrator, &pending, &mut fits)?;
    }
    let slices: Vec<SliceResult> = pending
        .into_iter()
        .zip(fits)
        .map(|(p, f)| SliceResult {
            expiry: p.expiry,
            root: p.root,
            settlement: p.settlement,
            t: p.t,
            forward: p.forward,
            discount: p.discount,
            discount_source: p.discount_source,
            dividend_yield: p.dividend_yield,
            parity_pairs: p.parity_pairs,
            quotes: p.quotes,
            strikes: p.strikes,
            smile: f.smile,
            fit: f.report,
            filtered: p.filtered,
            quote_violations: p.quote_violations,
            calendar_quote_violations: p.calendar_quote_violations,
        })
        .collect();
    let surface = Surface::new(
        chain.spot,
        slices.iter().map(|s| (s.forward, s.smile)).collect(),
    )?;
    Ok(ChainSurface {
        surface,
        slices,
        skipped,
    })
}
