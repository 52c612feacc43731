//! A volatility surface across expiries: SVI slices interpolated in total variance, strike
//! and delta queries, Dupire local volatility and smile metrics.

use crate::error::{Result, SurfaceError, expiry, finite, in_range};
use crate::smile::{Smile, VarianceDerivatives};
use crate::svi::SviSmile;
use parapet_core::special::norm_inv_cdf;

/// A surface of SVI slices at increasing expiries `T₁ < … < Tₙ` with forwards `F(Tᵢ)`.
///
/// Total variance at fixed log-forward-moneyness `k = ln(K/F(T))`:
/// - between slices, linear in `T`: `w(k, T) = (1 − λ)·wᵢ(k) + λ·wᵢ₊₁(k)`, `λ = (T − Tᵢ)/(Tᵢ₊₁ − Tᵢ)`;
/// - before the first slice, `w(k, T) = w₁(k)·T/T₁` (zero variance at `T = 0`);
/// - after the last, `w(k, T) = wₙ(k)·T/Tₙ` (constant implied vol at fixed `k`).
///
/// All three preserve `∂_T w ≥ 0` when the slices are calendar-free, so the interpolated
/// surface has no calendar arbitrage wherever the slices have none (Gatheral & Jacquier 2014,
/// Lemma 2.1). Forwards: `ln F` linear in `T` from `(0, ln S)` through the slices, extrapolated
/// with the last segment's carry.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Surface {
    spot: f64,
    times: Vec<f64>,
    log_forwards: Vec<f64>,
    smiles: Vec<SviSmile>,
}

/// Where a query falls: slice index and interpolation weight.
#[derive(Debug, Clone, Copy)]
enum Segment {
    Before(f64),
    Between(usize, f64),
    After(f64),
}

impl Surface {
    /// A surface from `spot` and slices `(forward, smile)` sorted by the smiles' expiries.
    ///
    /// # Errors
    /// [`SurfaceError::TooFewQuotes`] with no slice, [`SurfaceError::InvalidParameter`] for a
    /// non-positive spot or forward, [`SurfaceError::NotIncreasing`] for unsorted expiries.
    pub fn new(spot: f64, slices: Vec<(f64, SviSmile)>) -> Result<Self> {
        in_range("spot", spot, 0.0, f64::INFINITY, "must be > 0")?;
        if slices.is_empty() {
            return Err(SurfaceError::TooFewQuotes {
                what: "a surface",
                needed: 1,
                got: 0,
            });
        }
        let mut times = Vec::with_capacity(slices.len());
        let mut log_forwards = Vec::with_capacity(slices.len());
        let mut smiles = Vec::with_capacity(slices.len());
        for (i, (f, s)) in slices.into_iter().enumerate() {
            in_range("forward", f, 0.0, f64::INFINITY, "must be > 0")?;
            if let Some(&prev) = times.last()
                && s.expiry() <= prev
            {
                return Err(SurfaceError::NotIncreasing {
                    name: "expiry",
                    index: i,
                    previous: prev,
                    value: s.expiry(),
                });
            }
            times.push(s.expiry());
            log_forwards.push(f.ln());
            smiles.push(s);
        }
        Ok(Self {
            spot,
            times,
            log_forwards,
            smiles,
        })
    }

    /// Spot.
    pub fn spot(&self) -> f64 {
        self.spot
    }

    /// Slice expiries (years).
    pub fn expiries(&self) -> &[f64] {
        &self.times
    }

    /// The slices.
    pub fn smiles(&self) -> &[SviSmile] {
        &self.smiles
    }

    #[inline]
    fn segment(&self, t: f64) -> Segment {
        let n = self.times.len();
        if t <= self.times[0] {
            Segment::Before(t / self.times[0])
        } else if t >= self.times[n - 1] {
            Segment::After(t / self.times[n - 1])
        } else {
            let i = self.times.partition_point(|&x| x <= t) - 1;
            let lam = (t - self.times[i]) / (self.times[i + 1] - self.times[i]);
            Segment::Between(i, lam)
        }
    }

    /// Forward to `t` years (interpolation above).
    pub fn forward(&self, t: f64) -> f64 {
        let n = self.times.len();
        let ls = self.spot.ln();
        let lf = if t <= self.times[0] {
            ls + (self.log_forwards[0] - ls) * t / self.times[0]
        } else if t >= self.times[n - 1] {
            let (t0, f0) = if n >= 2 {
                (self.times[n - 2], self.log_forwards[n - 2])
            } else {
                (0.0, ls)
            };
            let slope = (self.log_forwards[n - 1] - f0) / (self.times[n - 1] - t0);
            self.log_forwards[n - 1] + slope * (t - self.times[n - 1])
        } else {
            let i = self.times.partition_point(|&x| x <= t) - 1;
            let lam = (t - self.times[i]) / (self.times[i + 1] - self.times[i]);
            (1.0 - lam) * self.log_forwards[i] + lam * self.log_forwards[i + 1]
        };
        lf.exp()
    }

    /// Total implied variance `w(k, t)` at log-forward-moneyness `k`, without input checks
    /// (the fast path; `t > 0` and finite `k` assumed).
    #[inline]
    pub fn total_variance(&self, k: f64, t: f64) -> f64 {
        match self.segment(t) {
            Segment::Before(s) => s * self.smiles[0].params().total_variance(k),
            Segment::After(s) => {
                s * self.smiles[self.smiles.len() - 1]
                    .params()
                    .total_variance(k)
            }
            Segment::Between(i, lam) => {
                (1.0 - lam) * self.smiles[i].params().total_variance(k)
                    + lam * self.smiles[i + 1].params().total_variance(k)
            }
        }
    }

    /// Black implied vol at log-forward-moneyness `k` and `t` years.
    ///
    /// # Errors
    /// [`SurfaceError::NotFinite`] or [`SurfaceError::NonPositiveExpiry`].
    pub fn vol(&self, k: f64, t: f64) -> Result<f64> {
        finite("k", k)?;
        let t = expiry(t)?;
        Ok((self.total_variance(k, t) / t).sqrt())
    }

    /// Black implied vol at `strike` and `t` years (`k = ln(K/F(t))`).
    ///
    /// # Errors
    /// As [`Surface::vol`], and [`SurfaceError::InvalidParameter`] for a non-positive strike.
    pub fn vol_at_strike(&self, strike: f64, t: f64) -> Result<f64> {
        in_range("strike", strike, 0.0, f64::INFINITY, "must be > 0")?;
        let t = expiry(t)?;
        self.vol((strike / self.forward(t)).ln(), t)
    }

    /// The log-moneyness where the forward (undiscounted) delta of a call is `call_delta`:
    /// `N(d₁(k)) = Δ`, `d₁ = −k/√w(k) + √w(k)/2`. A put of delta `Δ_P` is the call of delta
    /// `1 + Δ_P`. Solved by bisection: `d₁` is decreasing in `k` on an arbitrage-free smile.
    ///
    /// # Errors
    /// [`SurfaceError::InvalidParameter`] for a delta outside `(0, 1)`, and the errors of
    /// [`Surface::vol`].
    pub fn k_at_delta(&self, call_delta: f64, t: f64) -> Result<f64> {
        in_range("call_delta", call_delta, 0.0, 1.0, "must lie in (0, 1)")?;
        let t = expiry(t)?;
        let target = norm_inv_cdf(call_delta);
        let d1 = |k: f64| {
            let sw = self.total_variance(k, t).sqrt();
            -k / sw + 0.5 * sw
        };
        let atm = self.total_variance(0.0, t).sqrt();
        let (mut lo, mut hi) = (-2.0 * atm, 2.0 * atm);
        let mut n = 0;
        while d1(lo) < target && n < 60 {
            lo *= 2.0;
            n += 1;
        }
        while d1(hi) > target && n < 120 {
            hi *= 2.0;
            n += 1;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if d1(mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo <= 1e-14 * (1.0 + mid.abs()) {
                break;
            }
        }
        Ok(0.5 * (lo + hi))
    }

    /// Black implied vol at a forward call delta `call_delta` (a 25-delta put is
    /// `call_delta = 0.75`).
    ///
    /// # Errors
    /// As [`Surface::k_at_delta`].
    pub fn vol_at_delta(&self, call_delta: f64, t: f64) -> Result<f64> {
        let k = self.k_at_delta(call_delta, t)?;
        self.vol(k, t)
    }

    /// `w`, `∂_k w`, `∂²_k w` and `∂_T w` at `(k, t)`; at a slice's expiry `∂_T w` is the
    /// right derivative.
    fn derivatives_kt(&self, k: f64, t: f64) -> (VarianceDerivatives, f64) {
        let lerp = |a: VarianceDerivatives, b: VarianceDerivatives, l: f64| VarianceDerivatives {
            w: (1.0 - l) * a.w + l * b.w,
            dw: (1.0 - l) * a.dw + l * b.dw,
            d2w: (1.0 - l) * a.d2w + l * b.d2w,
        };
        let scale = |a: VarianceDerivatives, s: f64| VarianceDerivatives {
            w: s * a.w,
            dw: s * a.dw,
            d2w: s * a.d2w,
        };
        let n = self.times.len();
        match self.segment(t) {
            Segment::Before(s) => {
                let d = self.smiles[0].derivatives(k);
                (scale(d, s), d.w / self.times[0])
            }
            Segment::After(s) if t > self.times[n - 1] || n == 1 => {
                let d = self.smiles[n - 1].derivatives(k);
                (scale(d, s), d.w / self.times[n - 1])
            }
            Segment::After(_) => {
                // At the last expiry: left derivative, the only one inside the data.
                let (a, b) = (
                    self.smiles[n - 2].derivatives(k),
                    self.smiles[n - 1].derivatives(k),
                );
                (b, (b.w - a.w) / (self.times[n - 1] - self.times[n - 2]))
            }
            Segment::Between(i, lam) => {
                let (a, b) = (
                    self.smiles[i].derivatives(k),
                    self.smiles[i + 1].derivatives(k),
                );
                (
                    lerp(a, b, lam),
                    (b.w - a.w) / (self.times[i + 1] - self.times[i]),
                )
            }
        }
    }

    /// Dupire local volatility at log-forward-moneyness `k` and `t` years, in Gatheral's
    /// total-variance form (Gatheral 2006, *The Volatility Surface*, eq. 1.10):
    ///
    /// `σ_loc²(k, T) = ∂_T w / g(k)`, with `g` Durrleman's function of the smile at `T`.
    ///
    /// # Errors
    /// The errors of [`Surface::vol`], and [`SurfaceError::NonPositiveVariance`] where the
    /// surface has arbitrage (`∂_T w < 0` or `g ≤ 0`), since no local vol exists there.
    pub fn local_vol(&self, k: f64, t: f64) -> Result<f64> {
        finite("k", k)?;
        let t = expiry(t)?;
        let (d, dwdt) = self.derivatives_kt(k, t);
        let g = d.durrleman_g(k);
        if !(g > 0.0 && dwdt >= 0.0) {
            return Err(SurfaceError::NonPositiveVariance { k, w: dwdt / g });
        }
        Ok((dwdt / g).sqrt())
    }

    /// The smile at `t` years as a [`Smile`] (the interpolation above).
    ///
    /// # Errors
    /// [`SurfaceError::NonPositiveExpiry`] or [`SurfaceError::NotFinite`].
    pub fn slice(&self, t: f64) -> Result<SurfaceSlice<'_>> {
        Ok(SurfaceSlice {
            surface: self,
            t: expiry(t)?,
        })
    }

    /// Smile metrics at `t` years: ATM vol, 25-delta risk reversal and butterfly, ATM skew and
    /// ATM term-structure slope.
    ///
    /// # Errors
    /// As [`Surface::k_at_delta`].
    pub fn metrics(&self, t: f64) -> Result<SmileMetrics> {
        let t = expiry(t)?;
        let atm = self.vol(0.0, t)?;
        let c25 = self.vol_at_delta(0.25, t)?;
        let p25 = self.vol_at_delta(0.75, t)?;
        let (d, dwdt) = self.derivatives_kt(0.0, t);
        Ok(SmileMetrics {
            t,
            atm_vol: atm,
            risk_reversal_25d: c25 - p25,
            butterfly_25d: 0.5 * (c25 + p25) - atm,
            atm_skew: d.dw / (2.0 * atm * t),
            // σ_atm = √(w/T): dσ/dT = (∂_T w − w/T)/(2σT).
            atm_term_slope: (dwdt - d.w / t) / (2.0 * atm * t),
        })
    }
}

/// Smile metrics of one expiry.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SmileMetrics {
    /// Time to expiry (years).
    pub t: f64,
    /// ATM-forward implied vol `σ(k = 0)`.
    pub atm_vol: f64,
    /// `σ(25Δ call) − σ(25Δ put)` (forward deltas).
    pub risk_reversal_25d: f64,
    /// `(σ(25Δ call) + σ(25Δ put))/2 − σ_ATM`.
    pub butterfly_25d: f64,
    /// ATM skew `∂σ/∂k` at `k = 0`.
    pub atm_skew: f64,
    /// ATM term-structure slope `∂σ_ATM/∂T` (per year).
    pub atm_term_slope: f64,
}

/// The smile of a [`Surface`] at one expiry, interpolated in total variance.
#[derive(Debug, Clone, Copy)]
pub struct SurfaceSlice<'a> {
    surface: &'a Surface,
    t: f64,
}

impl Smile for SurfaceSlice<'_> {
    fn expiry(&self) -> f64 {
        self.t
    }
    fn total_variance(&self, k: f64) -> f64 {
        self.surface.total_variance(k, self.t)
    }
    fn derivatives(&self, k: f64) -> VarianceDerivatives {
        self.surface.derivatives_kt(k, self.t).0
    }
}
