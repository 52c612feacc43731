//! One expiry of a chain: its rows, its parity fit, and the extraction of out-of-the-money
//! implied vols (European, or de-Americanised).

use crate::chain::{Date, Settlement, SideQuote};
use crate::deamerican::{AmericanExpiry, implied_carry};
use crate::parity::{Pair, ParityFit, forward_given_discount};
use crate::pipeline::{ChainSettings, DiscountSource, ExerciseTreatment, FilterReason, SkipReason};
use crate::quotes::SmileQuote;
use parapet_core::OptionKind;
use parapet_pricing::american::QdFpEngine;
use parapet_pricing::black;
use parapet_pricing::implied::black_vol;
use std::collections::BTreeMap;

/// Rows of one expiry: strike, call, put.
pub(crate) struct ExpiryRows {
    pub expiry: Date,
    pub root: String,
    pub settlement: Settlement,
    pub t: f64,
    pub rows: Vec<(f64, SideQuote, SideQuote)>,
}

/// An expiry with its parity regression.
pub(crate) struct Parity {
    pub ex: ExpiryRows,
    pub pairs: Vec<Pair>,
    pub fit: ParityFit,
    /// Whether the parity discount passed the rate checks.
    pub accepted: bool,
}

/// Usable quote or the reason it is not.
pub(crate) fn side_status(q: &SideQuote) -> std::result::Result<(), FilterReason> {
    if q.bid <= 0.0 {
        Err(FilterReason::ZeroBid)
    } else if q.ask <= 0.0 {
        Err(FilterReason::NoAsk)
    } else if q.ask < q.bid {
        Err(FilterReason::Crossed)
    } else if q.ask == q.bid {
        Err(FilterReason::Locked)
    } else {
        Ok(())
    }
}

/// Forward, discount and out-of-the-money quotes of one expiry.
pub(crate) struct Extracted {
    pub forward: f64,
    pub discount: f64,
    pub source: DiscountSource,
    pub dividend_yield: Option<f64>,
    pub quotes: Vec<SmileQuote>,
    pub strikes: Vec<f64>,
    /// Undiscounted call mids (by parity for puts) for the quote-level checks.
    pub calls: Vec<f64>,
    /// Undiscounted half bid-ask spreads.
    pub half_spreads: Vec<f64>,
    pub filtered: BTreeMap<FilterReason, usize>,
}

/// Forward and discount (given rate, parity, or the rate curve `rate_curve` where parity
/// was rejected), then bid, mid and ask vols of the out-of-the-money quotes; with `engine`
/// (de-Americanisation) the forward is `S·e^{(r − q)T}` with the carry `q` given or implied.
pub(crate) fn extract(
    p: &Parity,
    spot: f64,
    settings: &ChainSettings,
    engine: Option<&QdFpEngine>,
    rate_curve: Option<f64>,
) -> std::result::Result<Extracted, SkipReason> {
    let ex = &p.ex;
    let mut dividend_yield = None;
    let (forward, discount, source) =
        if let (Some(r), Some(engine)) = (settings.discount_rate, engine) {
            let d = (-r * ex.t).exp();
            let base = AmericanExpiry {
                spot,
                rate: r,
                div_yield: 0.0,
                t: ex.t,
            };
            let q = match settings.exercise {
                ExerciseTreatment::DeAmericanise {
                    dividend_yield: Some(q),
                    ..
                } => Some(q),
                _ => implied_carry(engine, base, forward_given_discount(&p.pairs, d), &p.pairs),
            };
            let Some(q) = q else {
                return Err(SkipReason::NoCarry);
            };
            dividend_yield = Some(q);
            let f = AmericanExpiry {
                div_yield: q,
                ..base
            }
            .forward();
            (f, d, DiscountSource::Given)
        } else if let Some(r) = settings.discount_rate {
            let d = (-r * ex.t).exp();
            (
                forward_given_discount(&p.pairs, d),
                d,
                DiscountSource::Given,
            )
        } else if p.accepted {
            (p.fit.forward, p.fit.discount, DiscountSource::Parity)
        } else if let Some(r) = rate_curve {
            let d = (-r * ex.t).exp();
            (
                forward_given_discount(&p.pairs, d),
                d,
                DiscountSource::RateCurve,
            )
        } else {
            (p.fit.forward, p.fit.discount, DiscountSource::Parity)
        };
    let mut filtered: BTreeMap<FilterReason, usize> = BTreeMap::new();
    let mut quotes = Vec::new();
    let mut strikes = Vec::new();
    let mut calls = Vec::new();
    let mut half_spreads = Vec::new();
    for &(k, c, put) in &ex.rows {
        let (kind, q) = if k < forward {
            (OptionKind::Put, put)
        } else {
            (OptionKind::Call, c)
        };
        if let Err(reason) = side_status(&q) {
            *filtered.entry(reason).or_default() += 1;
            continue;
        }
        let iv = |price: f64, guess: Option<f64>| match (engine, dividend_yield) {
            (Some(engine), Some(q)) => AmericanExpiry {
                spot,
                rate: -discount.ln() / ex.t,
                div_yield: q,
                t: ex.t,
            }
            .implied_vol(engine, kind, k, price, guess),
            _ => black_vol(kind, forward, k, ex.t, price / discount).ok(),
        };
        let mid = 0.5 * (q.bid + q.ask);
        // The mid's vol starts the bid and ask inversions (the early-exercise premium
        // barely changes across the spread).
        let vm = iv(mid, None);
        let (Some(vb), Some(vm), Some(va)) = (iv(q.bid, vm), vm, iv(q.ask, vm)) else {
            *filtered.entry(FilterReason::ImpliedVolFailed).or_default() += 1;
            continue;
        };
        quotes.push(SmileQuote {
            k: (k / forward).ln(),
            bid: vb,
            mid: vm,
            ask: va,
        });
        strikes.push(k);
        // Undiscounted call mid by parity for the quote-level checks; de-Americanised
        // quotes enter as the European call at their vol.
        let undiscounted = mid / discount;
        calls.push(match (dividend_yield, kind) {
            (Some(_), _) => black::price(OptionKind::Call, forward, k, ex.t, vm),
            (None, OptionKind::Call) => undiscounted,
            (None, OptionKind::Put) => undiscounted + forward - k,
        });
        half_spreads.push(0.5 * (q.ask - q.bid) / discount);
    }
    Ok(Extracted {
        forward,
        discount,
        source,
        dividend_yield,
        quotes,
        strikes,
        calls,
        half_spreads,
        filtered,
    })
}
