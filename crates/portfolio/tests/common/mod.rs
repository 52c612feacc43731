//! Shared test support: every reference file, loaders for the price data, and the named
//! tolerances of this crate's tests.
#![allow(dead_code)] // each test binary uses a different part of this module

use ndarray::{Array1, Array2};
use parapet_core::{PriceTable, ReturnKind};
use serde_json::Value;

/// Every reference file in `tests/data/`: copied unchanged from the shared reference set, plus
/// `peercheck_*` files generated here with the peers by `benches/peers/*_refs.py`.
/// Tests select their cases by file-name prefix or `category`, so a new file of a known kind
/// only needs a line here.
pub const REFERENCE_FILES: &[(&str, &str)] = &[
    (
        "bl_he_litterman_1999_table4_view1",
        include_str!("../data/bl_he_litterman_1999_table4_view1.json"),
    ),
    (
        "bl_he_litterman_1999_table5_views12",
        include_str!("../data/bl_he_litterman_1999_table5_views12.json"),
    ),
    (
        "bl_he_litterman_1999_table7_omega1_doubled",
        include_str!("../data/bl_he_litterman_1999_table7_omega1_doubled.json"),
    ),
    (
        "bl_main20_default_omega",
        include_str!("../data/bl_main20_default_omega.json"),
    ),
    (
        "bl_main20_default_omega_V2",
        include_str!("../data/bl_main20_default_omega_V2.json"),
    ),
    (
        "bl_main20_idzorek",
        include_str!("../data/bl_main20_idzorek.json"),
    ),
    (
        "ef_efficient_return_t015",
        include_str!("../data/ef_efficient_return_t015.json"),
    ),
    (
        "ef_efficient_return_t020",
        include_str!("../data/ef_efficient_return_t020.json"),
    ),
    (
        "ef_efficient_risk_t018",
        include_str!("../data/ef_efficient_risk_t018.json"),
    ),
    (
        "ef_frontier_15pts_alt10",
        include_str!("../data/ef_frontier_15pts_alt10.json"),
    ),
    (
        "ef_frontier_20pts_main20",
        include_str!("../data/ef_frontier_20pts_main20.json"),
    ),
    (
        "ef_max_quadratic_utility_d5",
        include_str!("../data/ef_max_quadratic_utility_d5.json"),
    ),
    (
        "ef_max_sharpe_bounds_0_015",
        include_str!("../data/ef_max_sharpe_bounds_0_015.json"),
    ),
    (
        "ef_max_sharpe_ledoitwolf_rf002",
        include_str!("../data/ef_max_sharpe_ledoitwolf_rf002.json"),
    ),
    (
        "ef_max_sharpe_rf000",
        include_str!("../data/ef_max_sharpe_rf000.json"),
    ),
    (
        "ef_max_sharpe_rf002",
        include_str!("../data/ef_max_sharpe_rf002.json"),
    ),
    (
        "ef_max_sharpe_sectorsA_rf002",
        include_str!("../data/ef_max_sharpe_sectorsA_rf002.json"),
    ),
    (
        "ef_min_volatility_alt10",
        include_str!("../data/ef_min_volatility_alt10.json"),
    ),
    (
        "ef_min_volatility_bounds_001_010",
        include_str!("../data/ef_min_volatility_bounds_001_010.json"),
    ),
    (
        "ef_min_volatility_longonly",
        include_str!("../data/ef_min_volatility_longonly.json"),
    ),
    (
        "ef_min_volatility_sectorsA",
        include_str!("../data/ef_min_volatility_sectorsA.json"),
    ),
    (
        "erc_variance_alt10",
        include_str!("../data/erc_variance_alt10.json"),
    ),
    (
        "erc_variance_ledoitwolf_main20",
        include_str!("../data/erc_variance_ledoitwolf_main20.json"),
    ),
    (
        "erc_variance_main20",
        include_str!("../data/erc_variance_main20.json"),
    ),
    (
        "hrp_average_main20",
        include_str!("../data/hrp_average_main20.json"),
    ),
    (
        "hrp_single_main20",
        include_str!("../data/hrp_single_main20.json"),
    ),
    (
        "hrp_ward_main20",
        include_str!("../data/hrp_ward_main20.json"),
    ),
    (
        "min_cdar_a005_main20",
        include_str!("../data/min_cdar_a005_main20.json"),
    ),
    (
        "min_cvar_a005_alt10_ub030",
        include_str!("../data/min_cvar_a005_alt10_ub030.json"),
    ),
    (
        "min_cvar_a005_main20",
        include_str!("../data/min_cvar_a005_main20.json"),
    ),
    (
        "min_maxdd_main20",
        include_str!("../data/min_maxdd_main20.json"),
    ),
    (
        "peercheck_pypfopt_sklearn_estimators_main20",
        include_str!("../data/peercheck_pypfopt_sklearn_estimators_main20.json"),
    ),
    (
        "pypfopt_estimators_main20",
        include_str!("../data/pypfopt_estimators_main20.json"),
    ),
    (
        "pypfopt_tests_efficient_return_025",
        include_str!("../data/pypfopt_tests_efficient_return_025.json"),
    ),
    (
        "pypfopt_tests_max_quadratic_utility_2",
        include_str!("../data/pypfopt_tests_max_quadratic_utility_2.json"),
    ),
    (
        "pypfopt_tests_max_sharpe",
        include_str!("../data/pypfopt_tests_max_sharpe.json"),
    ),
    (
        "pypfopt_tests_min_volatility",
        include_str!("../data/pypfopt_tests_min_volatility.json"),
    ),
];

/// The 20-stock price history the reference cases draw their windows from.
pub const SP500_20: &str = include_str!("../data/sp500_20stocks_prices.csv");

/// Named tolerances: a value passes if `|got − expected| ≤ abs + rel·|expected|`.
pub mod tol {
    /// An absolute and relative tolerance pair.
    #[derive(Debug, Clone, Copy)]
    pub struct Tol {
        /// Absolute part.
        pub abs: f64,
        /// Relative part.
        pub rel: f64,
    }

    impl Tol {
        /// Whether `got` is within tolerance of `expected`.
        pub fn ok(&self, got: f64, expected: f64) -> bool {
            (got - expected).abs() <= self.abs + self.rel * expected.abs()
        }
    }

    /// Optimal weights (issue 6: 1e-6; the references are exact to ~1e-12).
    pub const WEIGHTS: Tol = Tol {
        abs: 1e-6,
        rel: 0.0,
    };
    /// Objectives and performance figures of mean-variance optima (issue 6: 1e-8 relative).
    pub const OBJECTIVE: Tol = Tol {
        abs: 1e-14,
        rel: 1e-8,
    };
    /// Estimated matrices and vectors (reference files: 1e-10 relative).
    pub const ESTIMATE: Tol = Tol {
        abs: 1e-15,
        rel: 1e-10,
    };
    /// Shrinkage intensities (reference files: 1e-10 absolute).
    pub const SHRINKAGE: Tol = Tol {
        abs: 1e-10,
        rel: 0.0,
    };
    /// Black-Litterman vectors (reference files: 1e-10 absolute).
    pub const BL_VECTOR: Tol = Tol {
        abs: 1e-10,
        rel: 0.0,
    };
    /// Published percentages in He & Litterman (1999), printed to two decimals.
    pub const PUBLISHED_PCT: Tol = Tol {
        abs: 0.051,
        rel: 0.0,
    };
    /// Risk-parity weights (reference files: 1e-7 absolute).
    pub const RP_WEIGHTS: Tol = Tol {
        abs: 1e-7,
        rel: 0.0,
    };
    /// Risk-parity relative risk contributions (reference files: 1e-9 absolute).
    pub const RP_CONTRIBUTIONS: Tol = Tol {
        abs: 1e-9,
        rel: 0.0,
    };
    /// HRP weights (reference files: 1e-10 absolute).
    pub const HRP_WEIGHTS: Tol = Tol {
        abs: 1e-10,
        rel: 0.0,
    };
    /// LP optimal values (reference files: 1e-7 relative).
    pub const LP_OBJECTIVE: Tol = Tol {
        abs: 1e-12,
        rel: 1e-7,
    };
    /// LP weights, which degenerate LPs leave weakly non-unique (reference files: 1e-4).
    pub const LP_WEIGHTS: Tol = Tol {
        abs: 1e-4,
        rel: 0.0,
    };
}

/// All reference cases whose file name starts with `prefix`, parsed.
pub fn cases(prefix: &str) -> Vec<(&'static str, Value)> {
    REFERENCE_FILES
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(name, text)| {
            (
                *name,
                serde_json::from_str(text).expect("valid reference JSON"),
            )
        })
        .collect()
}

/// A JSON array of numbers.
pub fn vector(v: &Value) -> Array1<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// A JSON array of arrays of numbers.
pub fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Array1<f64>> = v.as_array().expect("array").iter().map(vector).collect();
    let (n, m) = (rows.len(), rows[0].len());
    Array2::from_shape_fn((n, m), |(i, j)| rows[i][j])
}

/// A JSON array of strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("string").to_owned())
        .collect()
}

/// Simple daily returns of `assets` over the case's data window (`inputs.data`).
pub fn window_returns(data: &Value) -> Array2<f64> {
    let prices = PriceTable::from_csv_str(SP500_20).expect("price csv");
    let assets = strings(&data["assets"]);
    let names: Vec<&str> = assets.iter().map(String::as_str).collect();
    let window = prices
        .select(&names)
        .expect("assets")
        .between(
            data["price_rows_from"].as_str().expect("from"),
            data["price_rows_to"].as_str().expect("to"),
        )
        .expect("window");
    let r = window.returns(ReturnKind::Simple).expect("returns");
    assert_eq!(
        r.len() as u64,
        data["n_returns"].as_u64().expect("n_returns")
    );
    r.values().to_owned()
}

/// Largest absolute difference between two vectors.
pub fn max_abs_diff(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

/// Asserts every entry within `tol`, returning the largest absolute difference.
pub fn check_vector(what: &str, got: &Array1<f64>, expected: &Array1<f64>, tol: tol::Tol) -> f64 {
    assert_eq!(got.len(), expected.len(), "{what}: length");
    for (i, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!(tol.ok(*g, *e), "{what}[{i}]: got {g}, expected {e}");
    }
    max_abs_diff(got, expected)
}

/// Asserts every entry within `tol`, returning the largest absolute difference.
pub fn check_matrix(what: &str, got: &Array2<f64>, expected: &Array2<f64>, tol: tol::Tol) -> f64 {
    assert_eq!(got.dim(), expected.dim(), "{what}: shape");
    let mut worst = 0.0_f64;
    for ((ij, g), e) in got.indexed_iter().zip(expected.iter()) {
        assert!(tol.ok(*g, *e), "{what}{ij:?}: got {g}, expected {e}");
        worst = worst.max((g - e).abs());
    }
    worst
}

/// The SplitMix64 / Box-Muller recipe of the shared synthetic data sets
/// (`../shared/data/synthetic/README.md`), for scale tests without data files.
pub mod synthetic {
    use ndarray::{Array1, Array2};

    fn splitmix(seed: u64, n: usize) -> Vec<u64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = s;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            })
            .collect()
    }

    /// Uniforms on [0, 1).
    pub fn uniforms(seed: u64, n: usize) -> Vec<f64> {
        splitmix(seed, n)
            .into_iter()
            .map(|x| (x >> 11) as f64 * 2f64.powi(-53))
            .collect()
    }

    /// Standard normals by Box-Muller on consecutive pairs.
    pub fn normals(seed: u64, n: usize) -> Vec<f64> {
        let u = uniforms(seed, n + n % 2);
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

    const K: usize = 10;

    fn fvol(j: usize) -> f64 {
        if j == 0 { 0.16 } else { 0.06 }
    }

    /// `(B, F, specific variances, μ)` of the factor-model problem `(n, seed)`.
    pub fn factor_model(
        n: usize,
        seed: u64,
    ) -> (Array2<f64>, Array2<f64>, Array1<f64>, Array1<f64>) {
        let z = normals(seed * 1000 + 1, n * K);
        let mut b = Array2::from_shape_fn((n, K), |(i, j)| 0.3 * z[i * K + j]);
        b.column_mut(0).mapv_inplace(|x| x + 1.0);
        let f = Array2::from_diag(&Array1::from_shape_fn(K, |j| fvol(j) * fvol(j)));
        let d: Array1<f64> = uniforms(seed * 1000 + 2, n)
            .into_iter()
            .map(|u| (0.10 + 0.25 * u).powi(2))
            .collect();
        let mu: Array1<f64> = uniforms(seed * 1000 + 3, n)
            .into_iter()
            .map(|u| 0.02 + 0.08 * u)
            .collect();
        (b, f, d, mu)
    }

    /// Daily scenario returns of the recipe (regime-switching volatility), `t × n`.
    pub fn scenarios(n: usize, t: usize, seed: u64) -> Array2<f64> {
        let (b, _, d, mu) = factor_model(n, seed);
        let f = normals(seed * 1000 + 4, t * K);
        let e = normals(seed * 1000 + 5, t * n);
        let s = uniforms(seed * 1000 + 6, t);
        let sq = 252f64.sqrt();
        Array2::from_shape_fn((t, n), |(r, i)| {
            let common: f64 = (0..K)
                .map(|j| b[[i, j]] * fvol(j) / sq * f[r * K + j])
                .sum();
            let scale = if s[r] < 0.1 { 2.5 } else { 1.0 };
            mu[i] / 252.0 + scale * (common + d[i].sqrt() / sq * e[r * n + i])
        })
    }
}
