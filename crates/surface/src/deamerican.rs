//! De-Americanisation of quotes on American options (SPY and other dividend-paying ETFs).
//!
//! The implied volatility of an American quote under the Black-Scholes-Merton model with a
//! continuous carry is taken as the volatility of the European option with the same strike
//! and expiry; its forward is `F = S·e^{(r − q)T}`. This is the usual treatment of
//! exchange-traded American equity options (e.g. Burkovska, Gaß, Glau, Mahlstedt, Mair &
//! Wohlmuth 2018, *Calibration to American options: numerical investigation of the
//! de-Americanization method*, Quantitative Finance 18(7)), and the one of the CBOE/OptionMetrics
//! style volatility surfaces: the European price is `D·Black(F, K, T, σ_A)`.
//!
//! The American volatility is found by the fixed point
//! `σ_{n+1} = σ_Black((P − π(σ_n))/D)`, `π(σ) = A(σ) − E(σ)` the early-exercise premium
//! under the pricing crate's fixed-point engine (Andersen, Lake & Offengenden 2016): the
//! premium depends on `σ` much less than the price does, so the map contracts with factor
//! `|1 − vega_A/vega_E|` (about 1e-3 for out-of-the-money quotes) and three or four American
//! prices suffice, against the dozen of a bracketing search. Brent's method on the American
//! price ([`parapet_pricing::american::implied_vol`]) is the fallback when it does not.
//!
//! The carry `q` of an expiry (dividend yield plus any borrow cost) is implied from the
//! near-the-money pairs: it is the `q` at which the American call and put of the same strike
//! have the same implied volatility, weighted over the pairs closest to the parity forward.
//! Put-call parity on American mids is biased (the in-the-money side carries an
//! early-exercise premium), which is why the carry is solved with the American engine.

use crate::parity::Pair;
use parapet_core::{Market, OptionKind, Vanilla};
use parapet_pricing::american::{self, QdFpEngine};
use parapet_pricing::{bsm, implied};

/// Market and contract of one expiry: spot, rate, carry and time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AmericanExpiry {
    pub spot: f64,
    pub rate: f64,
    pub div_yield: f64,
    pub t: f64,
}

impl AmericanExpiry {
    /// Forward `S·e^{(r − q)T}`.
    pub fn forward(&self) -> f64 {
        self.spot * ((self.rate - self.div_yield) * self.t).exp()
    }

    /// The volatility at which the American option of `kind` and `strike` is worth `price`
    /// (a discounted, quoted price); `None` where no volatility in `[1e-4, 5]` attains it.
    /// The first premium is taken at `guess` (e.g. the vol of a nearby price), or else at the
    /// European implied vol of `price`.
    pub fn implied_vol(
        &self,
        engine: &QdFpEngine,
        kind: OptionKind,
        strike: f64,
        price: f64,
        guess: Option<f64>,
    ) -> Option<f64> {
        let market = Market::new(self.spot, self.rate, self.div_yield).ok()?;
        let option = Vanilla::american(kind, strike, self.t).ok()?;
        let european = Vanilla::european(kind, strike, self.t).ok()?;
        let (f, d) = (self.forward(), (-self.rate * self.t).exp());
        if !(price.is_finite() && price > option.payoff(self.spot)) {
            return None;
        }
        let mut vol = guess.or_else(|| implied::black_vol(kind, f, strike, self.t, price / d).ok());
        for _ in 0..MAX_FIXED_POINT {
            let Some(v) = vol else { break };
            let premium =
                engine.price(&option, &market, v).ok()? - bsm::price(&european, &market, v).ok()?;
            let next = implied::black_vol(kind, f, strike, self.t, (price - premium) / d).ok();
            match next {
                Some(n) if (n - v).abs() <= VOL_TOL => return Some(n),
                _ => vol = next,
            }
        }
        american::implied_vol(engine, &option, &market, price).ok()
    }
}

/// Iterations of the premium fixed point before falling back to Brent's method.
const MAX_FIXED_POINT: usize = 12;
/// Convergence of the fixed point in volatility: the engine's default scheme prices to about
/// 1e-6 relative, so iterates stop improving near `1e-6·price/vega`; 1e-8 is far below any
/// bid-ask spread in vol (1e-3 and more).
const VOL_TOL: f64 = 1e-8;
/// Pairs nearest the forward that imply the carry.
const CARRY_PAIRS: usize = 4;

/// `Σ wᵢ(σ_call,i − σ_put,i)` at carry `q`, over `pairs` with weights `1/spread`; `None` if
/// a volatility has no solution.
fn vol_gap(
    engine: &QdFpEngine,
    base: AmericanExpiry,
    q: f64,
    pairs: &[(f64, f64, f64, f64)],
) -> Option<f64> {
    let ex = AmericanExpiry {
        div_yield: q,
        ..base
    };
    let mut gap = 0.0;
    let mut sw = 0.0;
    for &(k, call, put, spread) in pairs {
        let vc = ex.implied_vol(engine, OptionKind::Call, k, call, None)?;
        let vp = ex.implied_vol(engine, OptionKind::Put, k, put, None)?;
        let w = 1.0 / spread.max(1e-6);
        gap += w * (vc - vp);
        sw += w;
    }
    Some(gap / sw)
}

/// The carry `q` at which American calls and puts of the pairs nearest the forward `f0` have
/// equal implied vols. `pairs` carry call and put mids; `q` is found by the secant method
/// from the European parity carry `r − ln(f0/S)/T` (the gap is increasing in `q`), with a
/// bisection fallback on a bracket. `None` if no pair can be inverted or no root is found in
/// `r ± 1`.
pub(crate) fn implied_carry(
    engine: &QdFpEngine,
    base: AmericanExpiry,
    f0: f64,
    pairs: &[Pair],
) -> Option<f64> {
    let mut near: Vec<&Pair> = pairs.iter().collect();
    near.sort_by(|a, b| (a.strike - f0).abs().total_cmp(&(b.strike - f0).abs()));
    near.truncate(CARRY_PAIRS);
    let quotes: Vec<(f64, f64, f64, f64)> = near
        .iter()
        .map(|p| (p.strike, p.call_mid, p.call_mid - p.diff, p.spread))
        .collect();
    let q0 = base.rate - (f0 / base.spot).ln() / base.t;
    // A carry step that moves the forward by about a basis point.
    let step = 1e-4 / base.t.max(1e-4);
    let (mut x0, mut g0) = (q0, vol_gap(engine, base, q0, &quotes)?);
    let (mut x1, mut g1) = (q0 + step, vol_gap(engine, base, q0 + step, &quotes)?);
    for _ in 0..30 {
        if g1 == 0.0 || (x1 - x0).abs() < 1e-10 {
            return Some(x1);
        }
        if g1 == g0 {
            break;
        }
        let x2 = x1 - g1 * (x1 - x0) / (g1 - g0);
        if !x2.is_finite() || (x2 - base.rate).abs() > 1.0 {
            break;
        }
        (x0, g0) = (x1, g1);
        x1 = x2;
        g1 = vol_gap(engine, base, x1, &quotes)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use parapet_pricing::american::QdFpScheme;

    fn engine() -> QdFpEngine {
        QdFpEngine::from_scheme(QdFpScheme::Default)
    }

    #[test]
    fn fixed_point_matches_brent_on_american_prices() {
        let e = engine();
        let ex = AmericanExpiry {
            spot: 100.0,
            rate: 0.04,
            div_yield: 0.013,
            t: 0.4,
        };
        let market = Market::new(100.0, 0.04, 0.013).unwrap();
        for (kind, k, vol) in [
            (OptionKind::Put, 80.0, 0.35),
            (OptionKind::Put, 100.0, 0.2),
            (OptionKind::Put, 115.0, 0.18),
            (OptionKind::Call, 100.0, 0.2),
            (OptionKind::Call, 125.0, 0.15),
            (OptionKind::Call, 85.0, 0.25),
        ] {
            let option = Vanilla::american(kind, k, 0.4).unwrap();
            let price = e.price(&option, &market, vol).unwrap();
            let got = ex.implied_vol(&e, kind, k, price, None).unwrap();
            let warm = ex.implied_vol(&e, kind, k, price, Some(vol * 1.1)).unwrap();
            assert!((warm - got).abs() < 1e-8, "{kind:?} {k}: {warm} vs {got}");
            let brent = american::implied_vol(&e, &option, &market, price).unwrap();
            assert!((got - vol).abs() < 2e-8, "{kind:?} {k}: {got} vs {vol}");
            assert!((got - brent).abs() < 2e-8, "{kind:?} {k}: {got} vs {brent}");
        }
        assert!(
            ex.implied_vol(&e, OptionKind::Put, 120.0, 19.0, None)
                .is_none()
        );
        assert!(
            ex.implied_vol(&e, OptionKind::Put, 90.0, f64::NAN, None)
                .is_none()
        );
    }

    #[test]
    fn carry_is_recovered_from_american_pairs() {
        let e = engine();
        let (s, r, q, t, vol) = (650.0, 0.04, 0.011, 0.3, 0.17);
        let market = Market::new(s, r, q).unwrap();
        let pairs: Vec<Pair> = (0..9)
            .map(|i| {
                let k = 630.0 + 5.0 * i as f64;
                let c = e
                    .price(
                        &Vanilla::american(OptionKind::Call, k, t).unwrap(),
                        &market,
                        vol,
                    )
                    .unwrap();
                let p = e
                    .price(
                        &Vanilla::american(OptionKind::Put, k, t).unwrap(),
                        &market,
                        vol,
                    )
                    .unwrap();
                Pair {
                    strike: k,
                    diff: c - p,
                    spread: 0.1,
                    call_mid: c,
                }
            })
            .collect();
        let base = AmericanExpiry {
            spot: s,
            rate: r,
            div_yield: 0.0,
            t,
        };
        // A start off by the American bias: the European parity forward of the mids.
        let f0 = s * ((r - q) * t).exp() * 0.999;
        let got = implied_carry(&e, base, f0, &pairs).unwrap();
        assert!((got - q).abs() < 1e-7, "{got} vs {q}");
    }
}
