//! Realized-volatility estimators: identities on constructed bars, recovery of a known σ from
//! simulated Brownian bars, and the real S&P 500 OHLC history 1999–2018.

use parapet_protect::{Estimator, OhlcBars};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

const M: f64 = 252.0;

/// Bars whose log-range is a fixed `c` and which close at the high after opening at the low.
fn trending_bars(n: usize, c: f64) -> OhlcBars {
    let mut open = Vec::new();
    let mut high = Vec::new();
    let mut low = Vec::new();
    let mut close = Vec::new();
    let mut price = 100.0;
    for _ in 0..n {
        open.push(price);
        low.push(price);
        price *= c.exp();
        high.push(price);
        close.push(price);
    }
    OhlcBars::new(open, high, low, close).unwrap()
}

#[test]
fn range_estimators_on_constructed_bars() {
    let c = 0.01;
    let bars = trending_bars(50, c);
    let tol = 1e-12;
    // Parkinson: σ² = c²/(4 ln 2)·m exactly.
    let pk = bars.realized_vol(Estimator::Parkinson, M).unwrap();
    let want = (c * c / (4.0 * std::f64::consts::LN_2) * M).sqrt();
    assert!((pk / want - 1.0).abs() < tol, "{pk} vs {want}");
    // Rogers-Satchell vanishes for bars that open at the low and close at the high.
    assert!(bars.realized_vol(Estimator::RogersSatchell, M).unwrap() < 1e-12);
    // Garman-Klass: (½ − (2 ln 2 − 1))·c²·m.
    let gk = bars.realized_vol(Estimator::GarmanKlass, M).unwrap();
    let want = ((0.5 - (2.0 * std::f64::consts::LN_2 - 1.0)) * c * c * M).sqrt();
    assert!((gk / want - 1.0).abs() < tol, "{gk} vs {want}");
    // Constant log returns have zero sample variance.
    assert!(bars.realized_vol(Estimator::CloseToClose, M).unwrap() < 1e-9);
}

/// Simulates `days` bars of a driftless GBM with `steps` intraday steps and an overnight gap
/// carrying `overnight_share` of the daily variance.
fn simulate(days: usize, sigma: f64, steps: usize, overnight_share: f64, seed: u64) -> OhlcBars {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let dt = 1.0 / M;
    let sd_night = sigma * (overnight_share * dt).sqrt();
    let sd_step = sigma * ((1.0 - overnight_share) * dt / steps as f64).sqrt();
    let (mut o, mut h, mut l, mut c) = (vec![], vec![], vec![], vec![]);
    let mut x = 0.0f64; // log price
    for _ in 0..days {
        let z: f64 = rng.sample(StandardNormal);
        x += sd_night * z - 0.5 * sd_night * sd_night;
        let open = x;
        let (mut hi, mut lo) = (x, x);
        for _ in 0..steps {
            let z: f64 = rng.sample(StandardNormal);
            x += sd_step * z - 0.5 * sd_step * sd_step;
            hi = hi.max(x);
            lo = lo.min(x);
        }
        o.push(100.0 * open.exp());
        h.push(100.0 * hi.exp());
        l.push(100.0 * lo.exp());
        c.push(100.0 * x.exp());
    }
    OhlcBars::new(o, h, l, c).unwrap()
}

#[test]
fn estimators_recover_known_volatility() {
    let sigma = 0.2;
    // No overnight gap: every estimator targets σ. 2,000 days give close-to-close a standard
    // error of σ/√4000 ≈ 1.6%; the range estimators are more efficient but biased low by the
    // discrete monitoring of the high and low (about 3% with 500 steps), hence 6%.
    let bars = simulate(2000, sigma, 500, 0.0, 7);
    for est in Estimator::ALL {
        let v = bars.realized_vol(est, M).unwrap();
        assert!((v / sigma - 1.0).abs() < 0.06, "{est:?}: {v}");
    }
    // With a third of the variance overnight, the pure range estimators see only the day
    // session while close-to-close and Yang-Zhang see it all.
    let gapped = simulate(2000, sigma, 500, 1.0 / 3.0, 11);
    let day_only = sigma * (2.0f64 / 3.0).sqrt();
    for est in [Estimator::CloseToClose, Estimator::YangZhang] {
        let v = gapped.realized_vol(est, M).unwrap();
        assert!((v / sigma - 1.0).abs() < 0.06, "{est:?}: {v}");
    }
    for est in [
        Estimator::Parkinson,
        Estimator::GarmanKlass,
        Estimator::RogersSatchell,
    ] {
        let v = gapped.realized_vol(est, M).unwrap();
        assert!(
            (v / day_only - 1.0).abs() < 0.06,
            "{est:?}: {v} vs {day_only}"
        );
    }
}

fn sp500() -> OhlcBars {
    let text = include_str!("data/sp500_index_ohlc.csv");
    let mut cols = [vec![], vec![], vec![], vec![]];
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        for (k, col) in cols.iter_mut().enumerate() {
            col.push(cells[k + 1].parse::<f64>().unwrap());
        }
    }
    let [o, h, l, c] = cols;
    let (bars, dropped) = OhlcBars::filtered(&o, &h, &l, &c).unwrap();
    assert!(dropped.is_empty(), "the index file has consistent bars");
    bars
}

#[test]
fn sp500_history_is_plausible_and_rolling_is_consistent() {
    let bars = sp500();
    assert_eq!(bars.len(), 5031);
    let cc = bars.realized_vol(Estimator::CloseToClose, M).unwrap();
    // The S&P 500's long-run realized volatility 1999–2018 is close to 19–20%.
    assert!((0.17..0.23).contains(&cc), "{cc}");
    for est in Estimator::ALL {
        let v = bars.realized_vol(est, M).unwrap();
        assert!((0.10..0.25).contains(&v), "{est:?}: {v}");
    }
    // 2008's crisis: the rolling 21-day volatility must peak far above its median.
    let rolling = bars.rolling_vol(Estimator::YangZhang, 21, M).unwrap();
    let mut sorted = rolling.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let peak = sorted[sorted.len() - 1];
    assert!(peak > 4.0 * median, "peak {peak}, median {median}");
}
