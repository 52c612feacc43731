//! parapet-risk: historical VaR + ES by O(n) selection, GARCH(1,1) maximum likelihood on the
//! S&P 500 1999–2018 (5,030 daily returns, the workload of arch's 18 ms), Student-t MLE and
//! the EWMA filter.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parapet::risk::{
    Confidence, EsMethod, Ewma, Garch11, Innovation, QuantileMethod, QuantileRule,
    QuasiNewtonSettings, StudentTModel, historical_var_es,
};
use parapet::{PriceTable, ReturnKind};
use parapet_benches::spread;
use std::hint::black_box;

const SP500: &str = include_str!("../../crates/risk/tests/data/sp500_index_ohlc.csv");

fn sp500_returns() -> Vec<f64> {
    let prices = PriceTable::from_csv_str(SP500)
        .and_then(|p| p.select(&["Adj Close"]))
        .and_then(|p| p.between("1999-01-04", "2018-12-31"))
        .expect("bundled S&P 500 prices");
    let r = prices.returns(ReturnKind::Simple).expect("returns");
    r.values().column(0).to_vec()
}

fn historical(c: &mut Criterion) {
    let mut group = c.benchmark_group("risk/historical_var_es");
    let conf = Confidence::new(0.99).expect("level");
    for n in [10_000usize, 1_000_000, 10_000_000] {
        let r = spread(n, -0.08, 0.08);
        group.throughput(Throughput::Elements(n as u64));
        if n == 10_000_000 {
            group.sample_size(20);
        }
        group.bench_with_input(BenchmarkId::new("lower_loss+fractional", n), &r, |b, r| {
            b.iter(|| {
                historical_var_es(
                    black_box(r),
                    conf,
                    QuantileMethod::LowerLoss,
                    EsMethod::Fractional,
                )
            })
        });
        group.bench_with_input(
            BenchmarkId::new("numpy_linear+fractional", n),
            &r,
            |b, r| {
                b.iter(|| {
                    historical_var_es(
                        black_box(r),
                        conf,
                        QuantileMethod::Returns(QuantileRule::Linear),
                        EsMethod::Fractional,
                    )
                })
            },
        );
    }
    group.finish();
}

fn garch(c: &mut Criterion) {
    let r = sp500_returns();
    let pct: Vec<f64> = r.iter().map(|x| 100.0 * x).collect();
    let mut group = c.benchmark_group("risk/garch11_fit");
    group.throughput(Throughput::Elements(pct.len() as u64));
    group.bench_function(BenchmarkId::new("normal", pct.len()), |b| {
        b.iter(|| {
            Garch11::fit(
                black_box(&pct),
                Innovation::Normal,
                QuasiNewtonSettings::default(),
            )
        })
    });
    group.bench_function(BenchmarkId::new("student_t", pct.len()), |b| {
        b.iter(|| {
            Garch11::fit(
                black_box(&pct),
                Innovation::StudentT { df: 8.0 },
                QuasiNewtonSettings::default(),
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("risk/filters");
    group.throughput(Throughput::Elements(r.len() as u64));
    group.bench_function(BenchmarkId::new("ewma_variances", r.len()), |b| {
        let ewma = Ewma::default();
        b.iter(|| ewma.variances(black_box(&r), 1e-4))
    });
    group.bench_function(BenchmarkId::new("student_t_mle", r.len()), |b| {
        b.iter(|| StudentTModel::fit_mle(black_box(&r)))
    });
    group.finish();
}

/// Monte Carlo VaR + ES of a linear 20-asset portfolio: scenarios per second for the
/// multivariate normal and Student-t (ν = 4) families, seeded.
fn monte_carlo(c: &mut Criterion) {
    use parapet::risk::{Joint, MonteCarlo};
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;
    let n = 20;
    // An equicorrelated covariance (ρ = 0.3) with vols spread between 15% and 45% a year.
    let vols = spread(n, 0.15 / 252f64.sqrt(), 0.45 / 252f64.sqrt());
    let cov = ndarray::Array2::from_shape_fn((n, n), |(i, j)| {
        let rho = if i == j { 1.0 } else { 0.3 };
        rho * vols[i] * vols[j]
    });
    let mean = vec![0.0; n];
    let weights = vec![1.0 / n as f64; n];
    let conf = Confidence::new(0.99).expect("level");
    let scenarios = 100_000;
    let mut group = c.benchmark_group("risk/monte_carlo_var_es");
    group.throughput(Throughput::Elements(scenarios as u64));
    group.sample_size(20);
    for (label, joint) in [
        ("normal", Joint::Normal),
        ("student_t4", Joint::StudentT { df: 4.0 }),
    ] {
        let model = MonteCarlo::new(&mean, cov.view(), joint).expect("model");
        group.bench_function(BenchmarkId::new(label, scenarios), |b| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
            b.iter(|| {
                model
                    .var_es(&weights, conf, scenarios, &mut rng)
                    .expect("var")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, historical, garch, monte_carlo);
criterion_main!(benches);
