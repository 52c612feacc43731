//! parapet-portfolio on the synthetic factor-model problems of `../shared/data/synthetic/`
//! (regenerated here bit for bit from their SplitMix64 recipe, so no data files are read):
//! long-only min volatility and max Sharpe at 100/500/1000 assets in factor form, a 50-point
//! frontier at 500 assets, min-CVaR on 200 assets × 5000 scenarios, HRP on 500 × 2000.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parapet::portfolio::ndarray::{Array1, Array2};
use parapet::portfolio::{
    FactorModel, Linkage, MeanVariance, Objective, ScenarioOptimizer, SolverSettings, TailRisk, hrp,
};
use std::hint::black_box;

/// SplitMix64 stream `seed`: output i uses state `seed + (i+1)·γ`.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniforms(seed: u64, n: usize) -> Vec<f64> {
        let mut s = SplitMix(seed);
        (0..n)
            .map(|_| (s.next() >> 11) as f64 * 2f64.powi(-53))
            .collect()
    }
    fn normals(seed: u64, n: usize) -> Vec<f64> {
        let u = Self::uniforms(seed, n + n % 2);
        let mut out = Vec::with_capacity(n + 1);
        for p in u.chunks(2) {
            let r = (-2.0 * (1.0 - p[0]).ln()).sqrt();
            let a = 2.0 * std::f64::consts::PI * p[1];
            out.push(r * a.cos());
            out.push(r * a.sin());
        }
        out.truncate(n);
        out
    }
}

const K: usize = 10;

fn fvol() -> Vec<f64> {
    (0..K).map(|j| if j == 0 { 0.16 } else { 0.06 }).collect()
}

/// `(B, dvol, mu)` of the factor-model problem `(n, seed)`.
fn components(n: usize, seed: u64) -> (Array2<f64>, Array1<f64>, Array1<f64>) {
    let z = SplitMix::normals(seed * 1000 + 1, n * K);
    let mut b = Array2::from_shape_fn((n, K), |(i, j)| 0.3 * z[i * K + j]);
    b.column_mut(0).mapv_inplace(|x| x + 1.0);
    let dvol = SplitMix::uniforms(seed * 1000 + 2, n)
        .into_iter()
        .map(|u| 0.10 + 0.25 * u)
        .collect();
    let mu = SplitMix::uniforms(seed * 1000 + 3, n)
        .into_iter()
        .map(|u| 0.02 + 0.08 * u)
        .collect();
    (b, dvol, mu)
}

fn factor_problem(n: usize, seed: u64) -> (Array1<f64>, FactorModel) {
    let (b, dvol, mu) = components(n, seed);
    let f = Array2::from_diag(&Array1::from(fvol()).mapv(|v| v * v));
    let model = FactorModel::new(b, f, dvol.mapv(|v: f64| v * v)).expect("valid factor model");
    (mu, model)
}

/// Daily scenario returns `R[t, i]` of the recipe (regime-switching volatility).
fn scenarios(n: usize, t: usize, seed: u64) -> Array2<f64> {
    let (b, dvol, mu) = components(n, seed);
    let fv = fvol();
    let f = SplitMix::normals(seed * 1000 + 4, t * K);
    let e = SplitMix::normals(seed * 1000 + 5, t * n);
    let s = SplitMix::uniforms(seed * 1000 + 6, t);
    let sq = 252f64.sqrt();
    Array2::from_shape_fn((t, n), |(r, i)| {
        let common: f64 = (0..K).map(|j| b[[i, j]] * fv[j] / sq * f[r * K + j]).sum();
        let scale = if s[r] < 0.1 { 2.5 } else { 1.0 };
        mu[i] / 252.0 + scale * (common + dvol[i] / sq * e[r * n + i])
    })
}

fn mean_variance(c: &mut Criterion) {
    // Self-test against synthetic_manifest.json.
    let (_, m) = factor_problem(500, 500);
    assert!((m.covariance()[[0, 0]] - 0.076_721_806_562_425_23).abs() < 1e-14);
    for (label, objective) in [
        ("min_volatility", Objective::MinVolatility),
        ("max_sharpe", Objective::MaxSharpe { risk_free: 0.02 }),
    ] {
        let mut group = c.benchmark_group(format!("portfolio/{label}"));
        group.sample_size(10);
        for n in [100usize, 500, 1000] {
            let (mu, model) = factor_problem(n, n as u64);
            let mv = MeanVariance::with_factor_model(mu.view(), model).expect("problem");
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new("factor", n), &mv, |b, mv| {
                b.iter(|| mv.solve(black_box(objective)).expect("solved"))
            });
        }
        // The same problem through Clarabel (factor form) and the KKT polish only.
        let (mu, model) = factor_problem(500, 500);
        let conic = SolverSettings {
            active_set: false,
            ..SolverSettings::default()
        };
        let mv = MeanVariance::with_factor_model(mu.view(), model)
            .and_then(|m| m.with_settings(conic))
            .expect("problem");
        group.throughput(Throughput::Elements(500));
        group.bench_with_input(BenchmarkId::new("factor_clarabel", 500), &mv, |b, mv| {
            b.iter(|| mv.solve(black_box(objective)).expect("solved"))
        });
        for n in [100usize, 500] {
            let (mu, model) = factor_problem(n, n as u64);
            let cov = model.covariance();
            let mv = MeanVariance::new(mu.view(), cov.view()).expect("problem");
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new("dense", n), &mv, |b, mv| {
                b.iter(|| mv.solve(black_box(objective)).expect("solved"))
            });
        }
        group.finish();
    }
    let mut group = c.benchmark_group("portfolio/frontier_50");
    group.sample_size(10);
    let (mu, model) = factor_problem(500, 500);
    let mv = MeanVariance::with_factor_model(mu.view(), model).expect("problem");
    group.throughput(Throughput::Elements(50));
    group.bench_function(BenchmarkId::new("factor", 500), |b| {
        b.iter(|| mv.frontier(black_box(50), Some(0.02)).expect("frontier"))
    });
    group.finish();
    let mut group = c.benchmark_group("portfolio/critical_line");
    group.sample_size(10);
    for n in [100usize, 500] {
        let (mu, model) = factor_problem(n, n as u64);
        let mv = MeanVariance::with_factor_model(mu.view(), model).expect("problem");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("factor", n), &mv, |b, mv| {
            b.iter(|| mv.corner_portfolios().expect("corners"))
        });
    }
    group.finish();
}

fn scenario_problems(c: &mut Criterion) {
    let r = scenarios(200, 5000, 200);
    assert!((r[[0, 0]] - (-0.003_968_240_367_069_213)).abs() < 1e-15);
    let mut group = c.benchmark_group("portfolio/min_cvar");
    group.sample_size(10);
    group.throughput(Throughput::Elements(5000));
    let opt = ScenarioOptimizer::new(r.view()).expect("problem");
    group.bench_function(BenchmarkId::new("assets_x_scenarios", "200x5000"), |b| {
        b.iter(|| {
            opt.minimise(black_box(TailRisk::CVaR { alpha: 0.05 }))
                .expect("solved")
        })
    });
    group.finish();

    let r = scenarios(500, 2000, 501);
    assert!((r[[0, 0]] - 0.014_020_499_974_540_808).abs() < 1e-15);
    let mut group = c.benchmark_group("portfolio/hrp");
    group.sample_size(10);
    group.throughput(Throughput::Elements(500));
    for linkage in [Linkage::Single, Linkage::Ward] {
        group.bench_with_input(
            BenchmarkId::new(format!("{linkage:?}").to_lowercase(), "500x2000"),
            &linkage,
            |b, &l| b.iter(|| hrp(black_box(r.view()), l).expect("hrp")),
        );
    }
    group.finish();
}

criterion_group!(benches, mean_variance, scenario_problems);
criterion_main!(benches);
