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

criterion_group!(benches, historical, garch);
criterion_main!(benches);
