//! Special functions of parapet-core: throughput over 4,096 arguments per iteration.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parapet::special;
use parapet_benches::spread;
use std::hint::black_box;

const N: usize = 4096;

/// A named special function and the arguments it is timed on.
type Case<'a> = (&'a str, fn(f64) -> f64, &'a [f64]);

fn special_functions(c: &mut Criterion) {
    let mut group = c.benchmark_group("core/special");
    group.throughput(Throughput::Elements(N as u64));
    let central = spread(N, -3.0, 3.0);
    let tail = spread(N, -37.0, -5.0);
    let probs: Vec<f64> = spread(N, -12.0, -0.31)
        .iter()
        .map(|e| 10f64.powf(*e))
        .collect();
    let funcs: [Case; 7] = [
        ("norm_cdf/central", special::norm_cdf, &central),
        ("norm_cdf/tail", special::norm_cdf, &tail),
        ("norm_pdf", special::norm_pdf, &central),
        ("norm_inv_cdf", special::norm_inv_cdf, &probs),
        ("erfc", special::erfc, &central),
        ("erfcx", special::erfcx, &central),
        ("erf", special::erf, &central),
    ];
    for (name, f, xs) in funcs {
        group.bench_with_input(BenchmarkId::from_parameter(name), xs, |b, xs| {
            b.iter(|| xs.iter().map(|&x| f(black_box(x))).sum::<f64>())
        });
    }
    group.finish();
}

/// The same workloads through statrs 0.19, the pure-Rust statistics crate most users reach
/// for, measured in the same run.
fn statrs_peer(c: &mut Criterion) {
    use statrs::distribution::{Continuous, ContinuousCDF, Normal};
    fn cdf(x: f64) -> f64 {
        Normal::standard().cdf(x)
    }
    fn pdf(x: f64) -> f64 {
        Normal::standard().pdf(x)
    }
    fn inv(p: f64) -> f64 {
        Normal::standard().inverse_cdf(p)
    }
    let mut group = c.benchmark_group("core/special-statrs");
    group.throughput(Throughput::Elements(N as u64));
    let central = spread(N, -3.0, 3.0);
    let tail = spread(N, -37.0, -5.0);
    let probs: Vec<f64> = spread(N, -12.0, -0.31)
        .iter()
        .map(|e| 10f64.powf(*e))
        .collect();
    let funcs: [Case; 5] = [
        ("norm_cdf/central", cdf, &central),
        ("norm_cdf/tail", cdf, &tail),
        ("norm_pdf", pdf, &central),
        ("norm_inv_cdf", inv, &probs),
        ("erfc", statrs::function::erf::erfc, &central),
    ];
    for (name, f, xs) in funcs {
        group.bench_with_input(BenchmarkId::from_parameter(name), xs, |b, xs| {
            b.iter(|| xs.iter().map(|&x| f(black_box(x))).sum::<f64>())
        });
    }
    group.finish();
}

criterion_group!(benches, special_functions, statrs_peer);
criterion_main!(benches);
