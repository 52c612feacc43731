//! parapet-pricing: Black-76 batch prices, prices with Greeks, implied volatility (regular and
//! hard cases), and the rayon speed-up of the chain APIs. Throughput is per option.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parapet::OptionKind;
use parapet::pricing::batch::BlackChain;
use parapet::pricing::black::{self, ForwardGreeks};
use parapet::pricing::implied;
use parapet_benches::spread;
use std::hint::black_box;

/// Options per iteration of the chain benches.
const N: usize = 100_000;

/// A chain of `n` options on a forward of 100: strikes 60..160, expiries a week to 3 years,
/// vols 10%..60%, calls and puts alternating.
struct Chain {
    kinds: Vec<OptionKind>,
    forwards: Vec<f64>,
    strikes: Vec<f64>,
    expiries: Vec<f64>,
    vols: Vec<f64>,
}

fn chain(n: usize) -> Chain {
    Chain {
        kinds: (0..n)
            .map(|i| {
                if i % 2 == 0 {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                }
            })
            .collect(),
        forwards: vec![100.0; n],
        strikes: spread(n, 60.0, 160.0),
        expiries: spread(n, 7.0 / 365.0, 3.0),
        vols: spread(n, 0.1, 0.6),
    }
}

/// The same rows ordered as a real chain is, by expiry and then strike.
fn sorted(ch: &Chain) -> Chain {
    let mut order: Vec<usize> = (0..ch.kinds.len()).collect();
    order.sort_by(|&a, &b| {
        ch.expiries[a]
            .total_cmp(&ch.expiries[b])
            .then(ch.strikes[a].total_cmp(&ch.strikes[b]))
    });
    Chain {
        kinds: order.iter().map(|&i| ch.kinds[i]).collect(),
        forwards: order.iter().map(|&i| ch.forwards[i]).collect(),
        strikes: order.iter().map(|&i| ch.strikes[i]).collect(),
        expiries: order.iter().map(|&i| ch.expiries[i]).collect(),
        vols: order.iter().map(|&i| ch.vols[i]).collect(),
    }
}

fn batch_price(c: &mut Criterion) {
    let ch = chain(N);
    let bc = BlackChain::new(&ch.kinds, &ch.forwards, &ch.strikes, &ch.expiries).unwrap();
    let mut out = vec![0.0; N];
    let mut group = c.benchmark_group("pricing/black_batch");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function(BenchmarkId::new("price", N), |b| {
        b.iter(|| bc.price_into(black_box(&ch.vols), &mut out).unwrap())
    });
    let by_expiry = sorted(&ch);
    let sorted_chain = BlackChain::new(
        &by_expiry.kinds,
        &by_expiry.forwards,
        &by_expiry.strikes,
        &by_expiry.expiries,
    )
    .unwrap();
    group.bench_function(BenchmarkId::new("price_sorted_by_expiry", N), |b| {
        b.iter(|| {
            sorted_chain
                .price_into(black_box(&by_expiry.vols), &mut out)
                .unwrap()
        })
    });
    let mut greeks = vec![ForwardGreeks::default(); N];
    group.bench_function(BenchmarkId::new("price+greeks", N), |b| {
        b.iter(|| bc.greeks_into(black_box(&ch.vols), &mut greeks).unwrap())
    });
    group.bench_function(BenchmarkId::new("scalar_price_loop", N), |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for i in 0..N {
                acc += black::price(
                    ch.kinds[i],
                    ch.forwards[i],
                    ch.strikes[i],
                    ch.expiries[i],
                    black_box(ch.vols[i]),
                );
            }
            acc
        })
    });
    group.finish();
}

fn implied_vol(c: &mut Criterion) {
    let ch = chain(10_000);
    // Rows whose price keeps some time value in the double (deep in the money a short, low
    // vol option is its intrinsic value, which has no implied volatility).
    let rows: Vec<(OptionKind, f64, f64, f64)> = (0..ch.kinds.len())
        .filter_map(|i| {
            let (kind, k, t) = (ch.kinds[i], ch.strikes[i], ch.expiries[i]);
            let p = black::price(kind, 100.0, k, t, ch.vols[i]);
            (p > kind.intrinsic(100.0, k)).then_some((kind, k, t, p))
        })
        .collect();
    let n = rows.len();
    let mut group = c.benchmark_group("pricing/black_implied_vol");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("regular", n), |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for &(kind, k, t, p) in &rows {
                acc += implied::black_vol(kind, 100.0, k, t, black_box(p)).unwrap();
            }
            acc
        })
    });
    // Hard cases: far out of the money (prices down to 1e-200 of the forward), tiny and huge
    // total volatility, deep in the money with little time value.
    let hard: Vec<(OptionKind, f64, f64, f64, f64)> = {
        let ln_k = spread(n, -6.0, 6.0);
        let ln_s = spread(n, (1e-4f64).ln(), (8.0f64).ln());
        (0..n)
            .filter_map(|i| {
                let k = ln_k[i].exp();
                let t = 1.0;
                let vol = ln_s[(i * 7919) % n].exp();
                let kind = if ln_k[i] > 0.0 {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                };
                let kind = if i % 5 == 0 { kind.opposite() } else { kind };
                let p = black::price(kind, 1.0, k, t, vol);
                let bound = if kind == OptionKind::Call { 1.0 } else { k };
                (p > kind.intrinsic(1.0, k) && p < bound && p > 1e-200)
                    .then_some((kind, 1.0, k, t, p))
            })
            .collect()
    };
    group.throughput(Throughput::Elements(hard.len() as u64));
    group.bench_function(BenchmarkId::new("hard", hard.len()), |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for &(kind, f, k, t, p) in &hard {
                acc += implied::black_vol(kind, f, k, t, black_box(p)).unwrap();
            }
            acc
        })
    });
    group.finish();
}

fn parallel(c: &mut Criterion) {
    let ch = chain(N);
    let bc = BlackChain::new(&ch.kinds, &ch.forwards, &ch.strikes, &ch.expiries).unwrap();
    let mut out = vec![0.0; N];
    bc.price_into(&ch.vols, &mut out).unwrap();
    let prices = out.clone();
    // rayon's global pool has one thread per core (2 on the reference machine; set
    // RAYON_NUM_THREADS to change it); the sequential chain call is the 1-thread baseline.
    let mut group = c.benchmark_group("pricing/rayon");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function(BenchmarkId::new("price", "sequential"), |b| {
        b.iter(|| bc.price_into(black_box(&ch.vols), &mut out).unwrap())
    });
    group.bench_function(BenchmarkId::new("price", "par"), |b| {
        b.iter(|| bc.par_price_into(black_box(&ch.vols), &mut out).unwrap())
    });
    group.bench_function(BenchmarkId::new("implied_vols", "sequential"), |b| {
        b.iter(|| bc.implied_vols(black_box(&prices)).unwrap())
    });
    group.bench_function(BenchmarkId::new("implied_vols", "par"), |b| {
        b.iter(|| bc.par_implied_vols(black_box(&prices)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, batch_price, implied_vol, parallel);
criterion_main!(benches);
