//! parapet-surface: smile evaluation, slice calibration, the whole-chain pipeline and surface
//! queries.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parapet::pricing::american::QdFpScheme;
use parapet::surface::{
    ChainSettings, ExerciseTreatment, RawSvi, Sabr, SliceQuotes, SmileQuote, Surface,
    SviCalibrator, SviFitSettings, build_surface, parse_cboe_csv,
};
use parapet_benches::spread;
use std::hint::black_box;

const N: usize = 4096;
const SPX: &str = include_str!("../../crates/surface/tests/data/spx_option_chain_2024-01-05.csv");
const SPY: &str = include_str!("../../crates/surface/tests/data/spy_option_chain_2025-09-25.csv");

fn smiles(c: &mut Criterion) {
    let mut group = c.benchmark_group("surface/smile");
    group.throughput(Throughput::Elements(N as u64));
    let ks = spread(N, -1.0, 0.5);
    let svi = RawSvi::new(-0.041, 0.1331, 0.306, 0.3586, 0.4153).unwrap();
    group.bench_function("svi_total_variance", |b| {
        b.iter(|| {
            ks.iter()
                .map(|&k| svi.total_variance(black_box(k)))
                .sum::<f64>()
        })
    });
    let sabr = Sabr::new(0.2, 0.5, -0.4, 0.6).unwrap();
    let strikes: Vec<f64> = ks.iter().map(|k| 100.0 * k.exp()).collect();
    group.bench_function("sabr_lognormal_vol", |b| {
        b.iter(|| {
            strikes
                .iter()
                .map(|&k| sabr.lognormal_vol(100.0, black_box(k), 1.0).unwrap())
                .sum::<f64>()
        })
    });
    group.finish();
}

/// A noisy 20%-ish equity smile with `n` quotes and a 0.4-vol-point spread.
fn slice(n: usize) -> SliceQuotes {
    let truth = RawSvi::new(0.01, 0.1, -0.6, 0.03, 0.12).unwrap();
    let t = 0.25;
    let noise = spread(n, -0.002, 0.002);
    let quotes = (0..n)
        .map(|i| {
            let k = -0.4 + 0.55 * i as f64 / (n - 1) as f64;
            let v = (truth.total_variance(k) / t).sqrt() + noise[i];
            SmileQuote {
                k,
                bid: v - 0.002,
                mid: v,
                ask: v + 0.002,
            }
        })
        .collect();
    SliceQuotes::new(t, quotes).unwrap()
}

fn svi_fit(c: &mut Criterion) {
    let mut group = c.benchmark_group("surface/svi_fit");
    let cal = SviCalibrator::new(SviFitSettings::default()).unwrap();
    for n in [50usize, 150] {
        let q = slice(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &q, |b, q| {
            b.iter(|| cal.fit(black_box(q)).unwrap())
        });
    }
    group.finish();
}

fn chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("surface/chain");
    group.sample_size(10);
    let chain = parse_cboe_csv(SPX).unwrap();
    let val = chain.snapshot.last_weekday_close();
    group.bench_function("parse_spx_2024-01-05", |b| {
        b.iter(|| parse_cboe_csv(black_box(SPX)).unwrap())
    });
    let settings = ChainSettings::default();
    group.bench_function("build_surface_spx_2024-01-05", |b| {
        b.iter(|| build_surface(black_box(&chain), val, &settings).unwrap())
    });
    // SPY (American): quotes inverted as European vs de-Americanised, both at a 4% rate.
    let spy = parse_cboe_csv(SPY).unwrap();
    let spy_val = spy.snapshot.last_weekday_close();
    let european = ChainSettings {
        discount_rate: Some(0.04),
        ..ChainSettings::default()
    };
    let american = ChainSettings {
        exercise: ExerciseTreatment::DeAmericanise {
            scheme: QdFpScheme::Default,
            dividend_yield: None,
        },
        ..european
    };
    for (name, s) in [("as_european", european), ("deamericanised", american)] {
        group.bench_function(format!("build_surface_spy_2025-09-25_{name}"), |b| {
            b.iter(|| build_surface(black_box(&spy), spy_val, &s).unwrap())
        });
    }
    group.finish();
}

fn queries(c: &mut Criterion) {
    let chain = parse_cboe_csv(SPX).unwrap();
    let built = build_surface(
        &chain,
        chain.snapshot.last_weekday_close(),
        &ChainSettings::default(),
    )
    .unwrap();
    let surface: Surface = built.surface;
    let ks = spread(N, -0.5, 0.2);
    let ts = spread(N, 0.01, 3.0);
    let mut group = c.benchmark_group("surface/query");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("total_variance_k_t", |b| {
        b.iter(|| {
            ks.iter()
                .zip(&ts)
                .map(|(&k, &t)| surface.total_variance(black_box(k), black_box(t)))
                .sum::<f64>()
        })
    });
    group.bench_function("vol_at_strike", |b| {
        b.iter(|| {
            ks.iter()
                .zip(&ts)
                .map(|(&k, &t)| {
                    surface
                        .vol_at_strike(4700.0 * k.exp(), black_box(t))
                        .unwrap()
                })
                .sum::<f64>()
        })
    });
    group.bench_function("local_vol", |b| {
        b.iter(|| {
            ks.iter()
                .zip(&ts)
                .map(|(&k, &t)| surface.local_vol(black_box(k), black_box(t)).unwrap_or(0.0))
                .sum::<f64>()
        })
    });
    group.finish();
}

criterion_group!(benches, smiles, svi_fit, chain, queries);
criterion_main!(benches);
