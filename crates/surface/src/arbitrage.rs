//! Static-arbitrage diagnostics: butterfly (Durrleman's `g`), calendar (total variance in `T`)
//! on smiles, and monotonicity, convexity and calendar spreads on raw call quotes.
//!
//! Gatheral, J. & Jacquier, A. (2014), *Arbitrage-free SVI volatility surfaces*, Quantitative
//! Finance 14(1): Lemma 2.2 (butterfly iff `g < 0` somewhere) and Lemma 2.1 (calendar iff
//! `∂_T w(k, T) < 0` somewhere at fixed `k`). Carr, P. & Madan, D. (2005), *A note on
//! sufficient conditions for no arbitrage*, Finance Research Letters 2(3): call prices
//! decreasing and convex in strike, calendar spreads non-negative.

use crate::error::{Result, SurfaceError, finite};
use crate::smile::Smile;

/// A closed interval of log-moneyness where a condition fails.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KInterval {
    /// Left end (the scan's left end if the violation extends beyond it).
    pub from: f64,
    /// Right end (the scan's right end if the violation extends beyond it).
    pub to: f64,
    /// The violation continues to the left of the scanned range.
    pub open_left: bool,
    /// The violation continues to the right of the scanned range.
    pub open_right: bool,
}

/// Result of a scan of a function of `k` for negative values.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ArbitrageReport {
    /// Minimum of the scanned function (Durrleman's `g`, or `w₂ − w₁` for calendar).
    pub min_value: f64,
    /// Where the minimum is reached.
    pub k_at_min: f64,
    /// Intervals where the function is negative, ends refined by bisection to `1e-12`.
    pub violations: Vec<KInterval>,
}

impl ArbitrageReport {
    /// Whether the scan found no violation.
    pub fn is_free(&self) -> bool {
        self.violations.is_empty()
    }
}

/// A log-moneyness scan: `n ≥ 3` points from `k_min` to `k_max`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KGrid {
    k_min: f64,
    k_max: f64,
    n: usize,
}

impl KGrid {
    /// A validated scan grid.
    ///
    /// # Errors
    /// [`SurfaceError::NotFinite`], [`SurfaceError::NotIncreasing`] if `k_max ≤ k_min`, or
    /// [`SurfaceError::TooFewQuotes`] if `n < 3`.
    pub fn new(k_min: f64, k_max: f64, n: usize) -> Result<Self> {
        finite("k_min", k_min)?;
        finite("k_max", k_max)?;
        if k_max <= k_min {
            return Err(SurfaceError::NotIncreasing {
                name: "k range",
                index: 1,
                previous: k_min,
                value: k_max,
            });
        }
        if n < 3 {
            return Err(SurfaceError::TooFewQuotes {
                what: "k grid",
                needed: 3,
                got: n,
            });
        }
        Ok(Self { k_min, k_max, n })
    }

    #[inline]
    fn at(&self, i: usize) -> f64 {
        self.k_min + (self.k_max - self.k_min) * i as f64 / (self.n - 1) as f64
    }
}

/// Refines a sign change of `f` between `lo` (sign of `f(lo)` = `neg_lo`) and `hi`.
fn bisect(f: &impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let neg_lo = f(lo) < 0.0;
    while hi - lo > 1e-12 {
        let mid = 0.5 * (lo + hi);
        if (f(mid) < 0.0) == neg_lo {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Golden-section refinement of a minimum bracketed by `[lo, hi]`.
fn golden_min(f: &impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> (f64, f64) {
    const R: f64 = 0.618_033_988_749_894_9;
    let mut x1 = hi - R * (hi - lo);
    let mut x2 = lo + R * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    while hi - lo > 1e-10 {
        if f1 < f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - R * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + R * (hi - lo);
            f2 = f(x2);
        }
    }
    if f1 < f2 { (x1, f1) } else { (x2, f2) }
}

/// Scans `f` on `grid`, refines the sign changes and the minimum.
pub(crate) fn scan_negative(f: impl Fn(f64) -> f64, grid: &KGrid) -> ArbitrageReport {
    let mut min_i = 0;
    let mut min_v = f64::INFINITY;
    let mut violations = Vec::new();
    let mut start: Option<(f64, bool)> = None;
    let mut prev = (grid.k_min, f(grid.k_min));
    for i in 0..grid.n {
        let k = grid.at(i);
        let v = if i == 0 { prev.1 } else { f(k) };
        if v < min_v || v.is_nan() {
            min_v = v;
            min_i = i;
        }
        let neg = v < 0.0 || v.is_nan();
        if i == 0 {
            if neg {
                start = Some((k, true));
            }
        } else {
            let was_neg = prev.1 < 0.0 || prev.1.is_nan();
            if neg && !was_neg {
                start = Some((bisect(&f, prev.0, k), false));
            } else if !neg && was_neg {
                let end = bisect(&f, prev.0, k);
                if let Some((from, open_left)) = start.take() {
                    violations.push(KInterval {
                        from,
                        to: end,
                        open_left,
                        open_right: false,
                    });
                }
            }
        }
        prev = (k, v);
    }
    if let Some((from, open_left)) = start {
        violations.push(KInterval {
            from,
            to: grid.k_max,
            open_left,
            open_right: true,
        });
    }
    let lo = grid.at(min_i.saturating_sub(1));
    let hi = grid.at((min_i + 1).min(grid.n - 1));
    let (k_at_min, min_value) = if min_v.is_finite() {
        let (k, v) = golden_min(&f, lo, hi);
        if v < min_v {
            (k, v)
        } else {
            (grid.at(min_i), min_v)
        }
    } else {
        (grid.at(min_i), min_v)
    };
    ArbitrageReport {
        min_value,
        k_at_min,
        violations,
    }
}

/// Butterfly arbitrage on one smile: where Durrleman's `g(k)` is negative on `grid`
/// (Gatheral & Jacquier 2014, Lemma 2.2). A non-positive total variance counts as a violation.
///
/// ```
/// use parapet_surface::{butterfly_check, KGrid, RawSvi, SviSmile};
/// // Axel Vogt's slice (Gatheral & Jacquier 2014, Example 3.1).
/// let vogt = SviSmile::new(RawSvi::new(-0.041, 0.1331, 0.306, 0.3586, 0.4153)?, 0.99)?;
/// let report = butterfly_check(&vogt, &KGrid::new(-3.0, 3.0, 601)?);
/// assert_eq!(report.violations.len(), 1);
/// assert!((report.violations[0].from - 0.6424).abs() < 1e-4);
/// # Ok::<(), parapet_surface::SurfaceError>(())
/// ```
pub fn butterfly_check(smile: &impl Smile, grid: &KGrid) -> ArbitrageReport {
    scan_negative(
        |k| {
            let d = smile.derivatives(k);
            if d.w > 0.0 {
                d.durrleman_g(k)
            } else {
                f64::NAN
            }
        },
        grid,
    )
}

/// Calendar arbitrage between two smiles at fixed log-forward-moneyness: where
/// `w_later(k) − w_earlier(k) < 0` on `grid` (Gatheral & Jacquier 2014, Lemma 2.1).
///
/// # Errors
/// [`SurfaceError::NotIncreasing`] if `later` does not expire after `earlier`.
pub fn calendar_check(
    earlier: &impl Smile,
    later: &impl Smile,
    grid: &KGrid,
) -> Result<ArbitrageReport> {
    if later.expiry() <= earlier.expiry() {
        return Err(SurfaceError::NotIncreasing {
            name: "expiry",
            index: 1,
            previous: earlier.expiry(),
            value: later.expiry(),
        });
    }
    Ok(scan_negative(
        |k| later.total_variance(k) - earlier.total_variance(k),
        grid,
    ))
}

/// What a raw quote violates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum QuoteViolationKind {
    /// Call price increases with strike between this quote and the next.
    NotDecreasing,
    /// The call price lies above the chord of its neighbours (a negative butterfly).
    NotConvex,
    /// The undiscounted call price exceeds the forward or lies below intrinsic `(F − K)⁺`.
    OutsideBounds,
    /// A later expiry's forward-moneyness-matched call is cheaper (negative calendar spread).
    NegativeCalendarSpread,
}

/// One violation found on raw quotes.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuoteViolation {
    /// What is violated.
    pub kind: QuoteViolationKind,
    /// Index of the offending quote in the input slice.
    pub index: usize,
    /// Strike of the offending quote.
    pub strike: f64,
    /// Size of the violation in undiscounted price units (positive).
    pub amount: f64,
}

/// Checks undiscounted call prices `calls[i]` at increasing `strikes[i]` of one expiry with
/// forward `forward`: bounds `(F − K)⁺ ≤ C ≤ F`, `C` non-increasing in `K`, and convex
/// (Carr & Madan 2005). A violation is reported only if it exceeds `tolerance` (price units;
/// use a fraction of the bid-ask spread for mid quotes).
///
/// # Errors
/// [`SurfaceError::LengthMismatch`], [`SurfaceError::NotFinite`] or
/// [`SurfaceError::NotIncreasing`] for strikes that are not strictly increasing.
pub fn check_call_quotes(
    strikes: &[f64],
    calls: &[f64],
    forward: f64,
    tolerance: f64,
) -> Result<Vec<QuoteViolation>> {
    if strikes.len() != calls.len() {
        return Err(SurfaceError::LengthMismatch {
            name: "calls",
            expected: strikes.len(),
            got: calls.len(),
        });
    }
    finite("forward", forward)?;
    for i in 0..strikes.len() {
        finite("strike", strikes[i])?;
        finite("call price", calls[i])?;
        if i > 0 && strikes[i] <= strikes[i - 1] {
            return Err(SurfaceError::NotIncreasing {
                name: "strikes",
                index: i,
                previous: strikes[i - 1],
                value: strikes[i],
            });
        }
    }
    let mut out = Vec::new();
    let push = |out: &mut Vec<QuoteViolation>, kind, index: usize, amount: f64| {
        if amount > tolerance {
            out.push(QuoteViolation {
                kind,
                index,
                strike: strikes[index],
                amount,
            });
        }
    };
    for i in 0..strikes.len() {
        let lower = (forward - strikes[i]).max(0.0);
        push(
            &mut out,
            QuoteViolationKind::OutsideBounds,
            i,
            (lower - calls[i]).max(calls[i] - forward),
        );
        if i + 1 < strikes.len() {
            push(
                &mut out,
                QuoteViolationKind::NotDecreasing,
                i + 1,
                calls[i + 1] - calls[i],
            );
        }
        if i >= 1 && i + 1 < strikes.len() {
            let (k0, k1, k2) = (strikes[i - 1], strikes[i], strikes[i + 1]);
            let chord = calls[i - 1] + (calls[i + 1] - calls[i - 1]) * (k1 - k0) / (k2 - k0);
            push(&mut out, QuoteViolationKind::NotConvex, i, calls[i] - chord);
        }
    }
    Ok(out)
}

/// Calendar spreads on raw quotes: for each call of the later expiry, the earlier expiry's
/// call at the same forward moneyness `K/F` (linear interpolation of `C/F` in `K/F`, no
/// extrapolation) must not be worth more per unit forward. `earlier` and `later` are
/// `(strikes, undiscounted calls, forward)`; indices in the result refer to `later`.
///
/// # Errors
/// As [`check_call_quotes`].
pub fn check_calendar_quotes(
    earlier: (&[f64], &[f64], f64),
    later: (&[f64], &[f64], f64),
    tolerance: f64,
) -> Result<Vec<QuoteViolation>> {
    check_call_quotes(earlier.0, earlier.1, earlier.2, f64::INFINITY)?;
    check_call_quotes(later.0, later.1, later.2, f64::INFINITY)?;
    let (k1, c1, f1) = earlier;
    let (k2, c2, f2) = later;
    let mut out = Vec::new();
    for (j, (&k, &c)) in k2.iter().zip(c2).enumerate() {
        let x = k / f2;
        let pos = k1.partition_point(|&s| s / f1 < x);
        if pos == 0 || pos == k1.len() {
            continue;
        }
        let (xa, xb) = (k1[pos - 1] / f1, k1[pos] / f1);
        let (ya, yb) = (c1[pos - 1] / f1, c1[pos] / f1);
        let early = ya + (yb - ya) * (x - xa) / (xb - xa);
        let amount = (early - c / f2) * f2;
        if amount > tolerance {
            out.push(QuoteViolation {
                kind: QuoteViolationKind::NegativeCalendarSpread,
                index: j,
                strike: k,
                amount,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_checks_find_planted_violations() {
        let k = [90.0, 95.0, 100.0, 105.0, 110.0];
        let mut c = [11.0, 7.0, 4.0, 2.0, 1.0];
        assert!(check_call_quotes(&k, &c, 100.0, 1e-12).unwrap().is_empty());
        c[2] = 5.0; // above the chord of 7 and 2
        let v = check_call_quotes(&k, &c, 100.0, 1e-12).unwrap();
        assert!(
            v.iter()
                .any(|q| q.kind == QuoteViolationKind::NotConvex && q.index == 2)
        );
        c[3] = 5.5; // increases
        let v = check_call_quotes(&k, &c, 100.0, 1e-12).unwrap();
        assert!(
            v.iter()
                .any(|q| q.kind == QuoteViolationKind::NotDecreasing && q.index == 3)
        );
        assert!(check_call_quotes(&k, &c[..4], 100.0, 0.0).is_err());
        assert!(check_call_quotes(&[1.0, 1.0], &[1.0, 1.0], 1.0, 0.0).is_err());
        let later = [12.0, 8.0, 3.0, 2.5, 1.5];
        let v = check_calendar_quotes(
            (&k, &[11.0, 7.0, 4.0, 2.0, 1.0], 100.0),
            (&k, &later, 100.0),
            1e-12,
        )
        .unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].index, 2);
        assert!((v[0].amount - 1.0).abs() < 1e-12);
    }

    #[test]
    fn grid_validates() {
        assert!(KGrid::new(1.0, 0.0, 10).is_err());
        assert!(KGrid::new(0.0, 1.0, 2).is_err());
        assert!(KGrid::new(f64::NAN, 1.0, 10).is_err());
    }
}
