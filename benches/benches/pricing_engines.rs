//! parapet-pricing engines: American options (fixed-point schemes, approximations, tree),
//! Heston (COS, Lewis, 50-strike smile, calibration to 100 quotes) and Monte Carlo path-steps
//! per second. Run with `RAYON_NUM_THREADS=1` and `=2` for the one- and two-core Monte Carlo
//! figures.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parapet::pricing::american::{
    BaroneAdesiWhaley, BjerksundStensland, LeisenReimer, QdFpEngine, QdFpScheme,
};
use parapet::pricing::heston::{
    CalibrationSettings, Cos, HestonModel, HestonParams, HestonQuote, Lewis, QuoteValue, calibrate,
};
use parapet::pricing::montecarlo::{Gbm, HestonQe, McSettings, MonteCarlo, Payoff};
use parapet::{Market, OptionKind, Vanilla};
use parapet_benches::spread;
use std::hint::black_box;

/// 64 American options: strikes 80..120, expiries 0.1..3 y, vols 15%..45%, calls and puts,
/// r = 5%, q = 3% (single-boundary regime, early exercise relevant for both kinds).
fn american_book() -> Vec<(Vanilla, f64)> {
    let (k, t, v) = (
        spread(64, 80.0, 120.0),
        spread(64, 0.1, 3.0),
        spread(64, 0.15, 0.45),
    );
    (0..64)
        .map(|i| {
            let kind = if i % 2 == 0 {
                OptionKind::Put
            } else {
                OptionKind::Call
            };
            (
                Vanilla::american(kind, k[i], t[(i * 7) % 64]).unwrap(),
                v[(i * 13) % 64],
            )
        })
        .collect()
}

fn american(c: &mut Criterion) {
    let market = Market::new(100.0, 0.05, 0.03).unwrap();
    let book = american_book();
    let mut g = c.benchmark_group("american");
    g.throughput(Throughput::Elements(book.len() as u64));
    for scheme in [
        QdFpScheme::Fast,
        QdFpScheme::Default,
        QdFpScheme::HighPrecision,
    ] {
        let engine = QdFpEngine::from_scheme(scheme);
        g.bench_function(BenchmarkId::new("qdfp", format!("{scheme:?}")), |b| {
            b.iter(|| {
                book.iter()
                    .map(|(o, v)| engine.price(black_box(o), &market, *v).unwrap())
                    .sum::<f64>()
            })
        });
    }
    g.bench_function("barone_adesi_whaley", |b| {
        b.iter(|| {
            book.iter()
                .map(|(o, v)| BaroneAdesiWhaley.price(black_box(o), &market, *v).unwrap())
                .sum::<f64>()
        })
    });
    for bs in [
        BjerksundStensland::Flat1993,
        BjerksundStensland::TwoStep2002,
    ] {
        g.bench_function(
            BenchmarkId::new("bjerksund_stensland", format!("{bs:?}")),
            |b| {
                b.iter(|| {
                    book.iter()
                        .map(|(o, v)| bs.price(black_box(o), &market, *v).unwrap())
                        .sum::<f64>()
                })
            },
        );
    }
    g.finish();
    let mut g = c.benchmark_group("american_tree");
    g.sample_size(10);
    let tree = LeisenReimer::new(1001).unwrap();
    let (o, v) = book[0];
    g.throughput(Throughput::Elements(1));
    g.bench_function("leisen_reimer_1001", |b| {
        b.iter(|| tree.price(black_box(&o), &market, v).unwrap())
    });
    g.finish();
}

fn lewis_model() -> HestonModel {
    HestonModel::new(HestonParams {
        v0: 0.04,
        kappa: 4.0,
        theta: 0.25,
        sigma: 1.0,
        rho: -0.5,
    })
    .unwrap()
}

fn heston(c: &mut Criterion) {
    let model = lewis_model();
    let market = Market::new(100.0, 0.01, 0.02).unwrap();
    let mut g = c.benchmark_group("heston");
    g.throughput(Throughput::Elements(1));
    for t in [0.1, 1.0] {
        let option = Vanilla::european(OptionKind::Call, 105.0, t).unwrap();
        g.bench_function(BenchmarkId::new("cos", t), |b| {
            b.iter(|| {
                Cos::default()
                    .price(&model, black_box(&option), &market)
                    .unwrap()
            })
        });
        let lewis = Lewis::default();
        g.bench_function(BenchmarkId::new("lewis_adaptive", t), |b| {
            b.iter(|| lewis.price(&model, black_box(&option), &market).unwrap())
        });
    }
    let strikes = spread(50, 60.0, 140.0);
    g.throughput(Throughput::Elements(50));
    g.bench_function("cos_smile_50", |b| {
        b.iter(|| {
            Cos::default()
                .smile(&model, &market, OptionKind::Put, 1.0, black_box(&strikes))
                .unwrap()
        })
    });
    g.finish();

    // Calibration to 100 out-of-the-money quotes (10 expiries x 10 strikes) from a known model.
    let truth = HestonModel::new(HestonParams {
        v0: 0.035,
        kappa: 1.8,
        theta: 0.06,
        sigma: 0.7,
        rho: -0.65,
    })
    .unwrap();
    let market = Market::new(100.0, 0.03, 0.01).unwrap();
    let mut quotes = Vec::new();
    for t in [0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0] {
        let f = market.forward(t);
        for i in 0..10 {
            let strike = 70.0 + 7.0 * i as f64;
            let kind = if strike < f {
                OptionKind::Put
            } else {
                OptionKind::Call
            };
            let p = Cos::default()
                .price(
                    &truth,
                    &Vanilla::european(kind, strike, t).unwrap(),
                    &market,
                )
                .unwrap();
            quotes.push(HestonQuote {
                kind,
                strike,
                expiry: t,
                value: QuoteValue::Price(p),
                weight: 1.0,
            });
        }
    }
    let start = HestonParams {
        v0: 0.08,
        kappa: 0.8,
        theta: 0.03,
        sigma: 0.3,
        rho: -0.2,
    };
    let mut g = c.benchmark_group("heston_calibration");
    g.sample_size(10);
    g.throughput(Throughput::Elements(quotes.len() as u64));
    g.bench_function("lm_100_quotes", |b| {
        b.iter(|| {
            calibrate(
                &market,
                black_box(&quotes),
                start,
                &CalibrationSettings::default(),
            )
            .unwrap()
        })
    });
    g.finish();
}

fn montecarlo(c: &mut Criterion) {
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "default".into());
    let market = Market::new(100.0, 0.03, 0.01).unwrap();
    let (paths, steps) = (65_536, 64);
    let mc = MonteCarlo::new(McSettings {
        paths,
        steps,
        antithetic: true,
        control_variate: true,
    })
    .unwrap();
    let payoff = Payoff::ArithmeticAsian {
        kind: OptionKind::Call,
        strike: 100.0,
    };
    let mut g = c.benchmark_group("montecarlo");
    g.sample_size(10);
    g.throughput(Throughput::Elements((paths * steps) as u64));
    let gbm = Gbm::new(0.2).unwrap();
    g.bench_function(BenchmarkId::new("gbm_path_steps", &threads), |b| {
        b.iter(|| {
            mc.price_with_seed(&gbm, &payoff, &market, 1.0, black_box(7))
                .unwrap()
        })
    });
    let qe = HestonQe::new(lewis_model());
    g.bench_function(BenchmarkId::new("heston_qe_path_steps", &threads), |b| {
        b.iter(|| {
            mc.price_with_seed(&qe, &payoff, &market, 1.0, black_box(7))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, american, heston, montecarlo);
criterion_main!(benches);
