//! Implied-volatility quotes of one expiry, the input of the smile calibrations.

use crate::error::{Result, SurfaceError, expiry, finite};

/// One quote: log-forward-moneyness `k = ln(K/F)` and Black implied vols at the bid, mid and
/// ask (decimals). For a quote without a spread set `bid = mid = ask`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SmileQuote {
    /// Log-forward-moneyness `ln(K/F)`.
    pub k: f64,
    /// Implied vol of the bid price (0 if the bid implies no vol).
    pub bid: f64,
    /// Implied vol of the mid price.
    pub mid: f64,
    /// Implied vol of the ask price.
    pub ask: f64,
}

/// The validated quotes of one expiry, sorted by `k`.
///
/// ```
/// use parapet_surface::{SliceQuotes, SmileQuote};
/// let q = |k: f64, v: f64| SmileQuote { k, bid: v - 0.002, mid: v, ask: v + 0.002 };
/// let slice = SliceQuotes::new(0.25, vec![q(0.1, 0.18), q(-0.1, 0.22), q(0.0, 0.2)])?;
/// assert_eq!(slice.quotes()[0].k, -0.1);
/// # Ok::<(), parapet_surface::SurfaceError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SliceQuotes {
    expiry: f64,
    quotes: Vec<SmileQuote>,
}

impl SliceQuotes {
    /// Validates and sorts the quotes of an expiry `expiry_years`.
    ///
    /// # Errors
    /// [`SurfaceError::NonPositiveExpiry`]; [`SurfaceError::TooFewQuotes`] for an empty set;
    /// [`SurfaceError::NotFinite`] for a non-finite field; [`SurfaceError::InvalidParameter`]
    /// for a mid vol that is not positive or not inside `[bid, ask]` (an inverted market);
    /// [`SurfaceError::NotIncreasing`] for two quotes at the same `k`.
    pub fn new(expiry_years: f64, mut quotes: Vec<SmileQuote>) -> Result<Self> {
        let expiry = expiry(expiry_years)?;
        if quotes.is_empty() {
            return Err(SurfaceError::TooFewQuotes {
                what: "a smile",
                needed: 1,
                got: 0,
            });
        }
        for q in &quotes {
            finite("k", q.k)?;
            finite("bid vol", q.bid)?;
            finite("mid vol", q.mid)?;
            finite("ask vol", q.ask)?;
            if q.mid <= 0.0 {
                return Err(SurfaceError::InvalidParameter {
                    name: "mid vol",
                    value: q.mid,
                    reason: "must be > 0",
                });
            }
            if q.bid < 0.0 || q.bid > q.mid || q.ask < q.mid {
                return Err(SurfaceError::InvalidParameter {
                    name: "bid/ask vol",
                    value: q.bid - q.ask,
                    reason: "need 0 <= bid <= mid <= ask",
                });
            }
        }
        quotes.sort_by(|a, b| a.k.total_cmp(&b.k));
        for i in 1..quotes.len() {
            if quotes[i].k <= quotes[i - 1].k {
                return Err(SurfaceError::NotIncreasing {
                    name: "log-moneyness",
                    index: i,
                    previous: quotes[i - 1].k,
                    value: quotes[i].k,
                });
            }
        }
        Ok(Self { expiry, quotes })
    }

    /// Time to expiry (years).
    pub fn expiry(&self) -> f64 {
        self.expiry
    }

    /// The quotes, sorted by `k`.
    pub fn quotes(&self) -> &[SmileQuote] {
        &self.quotes
    }

    /// Number of quotes.
    pub fn len(&self) -> usize {
        self.quotes.len()
    }

    /// Always false: a `SliceQuotes` holds at least one quote.
    pub fn is_empty(&self) -> bool {
        self.quotes.is_empty()
    }

    /// `(k_min, k_max)`.
    pub fn k_range(&self) -> (f64, f64) {
        (self.quotes[0].k, self.quotes[self.quotes.len() - 1].k)
    }
}
