//! Invariants by proptest: weights satisfy every constraint and agree between the two exact
//! solution paths, frontier volatility increases with return, Black-Litterman without views
//! (or with views equal to the prior) returns the prior, equal risk contributions under ERC,
//! and the critical line algorithm's corners interpolate the frontier.

use ndarray::{Array1, Array2};
use parapet_portfolio::{
    BlackLitterman, Linkage, MeanVariance, Objective, PsdSettings, RiskParitySettings,
    SolverSettings, ViewUncertainty, diagnose, hrp_from_cov, nearest_psd, risk_budgeting,
};
use proptest::prelude::*;

/// A well-conditioned random covariance `A Aᵀ/n + 0.01·I` and returns.
fn problem() -> impl Strategy<Value = (Array1<f64>, Array2<f64>)> {
    (3usize..8).prop_flat_map(|n| {
        (
            prop::collection::vec(0.01f64..0.2, n),
            prop::collection::vec(-0.3f64..0.3, n * n),
        )
            .prop_map(move |(mu, a)| {
                let a = Array2::from_shape_vec((n, n), a).unwrap();
                let mut cov = a.dot(&a.t()) / n as f64;
                for i in 0..n {
                    cov[[i, i]] += 0.01;
                }
                (Array1::from(mu), cov)
            })
    })
}

/// Constraints hold to 1e-9 for exact (polished) optima, and to the conic solver's accuracy
/// (1e-7) when a near-degenerate face defeats the polish and Clarabel's answer is returned.
fn feasible(w: &Array1<f64>, lo: f64, hi: f64, polished: bool) -> bool {
    let tol = if polished { 1e-9 } else { 1e-7 };
    (w.sum() - 1.0).abs() < tol && w.iter().all(|&x| x >= lo - tol && x <= hi + tol)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn optima_are_feasible_and_both_paths_agree(
        (mu, cov) in problem(),
        cap in 0.0f64..1.0,
        group_cap in prop::option::of(0.3f64..0.9),
    ) {
        let n = mu.len();
        let hi = 1.0 / n as f64 + cap * (1.0 - 1.0 / n as f64) + 1e-3;
        let max_mu = mu.iter().cloned().fold(f64::MIN, f64::max);
        let min_mu = mu.iter().cloned().fold(f64::MAX, f64::min);
        let objectives = [
            Objective::MinVolatility,
            Objective::MaxSharpe { risk_free: 0.5 * min_mu },
            Objective::MaxQuadraticUtility { risk_aversion: 3.0 },
            Objective::EfficientReturn { target: 0.5 * (min_mu + max_mu) },
        ];
        for obj in objectives {
            let mut weights = Vec::new();
            let mut exact = true;
            for active_set in [true, false] {
                let mut mv = MeanVariance::new(mu.view(), cov.view()).unwrap()
                    .with_bounds(0.0, hi).unwrap()
                    .with_settings(SolverSettings { active_set, ..SolverSettings::default() }).unwrap();
                // An optional cap on the first two assets together.
                if let Some(g) = group_cap {
                    mv = mv.with_group("first two", &[0, 1], 0.0, g).unwrap();
                }
                match mv.solve(obj) {
                    Ok(p) => {
                        prop_assert!(feasible(&p.weights, 0.0, hi, p.info.polished), "{obj:?}: {:?}", p.weights);
                        if let Some(g) = group_cap {
                            prop_assert!(p.weights[0] + p.weights[1] <= g + 1e-7, "{obj:?}: group");
                        }
                        exact &= p.info.polished;
                        weights.push(p.weights);
                    }
                    Err(e) => {
                        // Only a target above what the caps allow, or caps that cannot hold a
                        // full budget, may fail, and the error must say which.
                        let room = group_cap.map_or(n as f64 * hi, |g| (n - 2) as f64 * hi + g.min(2.0 * hi));
                        let ok = match e {
                            parapet_portfolio::PortfolioError::TargetReturnUnreachable { .. } => true,
                            parapet_portfolio::PortfolioError::Infeasible { .. } => room < 1.0,
                            _ => false,
                        };
                        prop_assert!(ok, "{e}");
                    }
                }
            }
            if weights.len() == 2 {
                let d = (&weights[0] - &weights[1]).iter().fold(0.0_f64, |m, x| m.max(x.abs()));
                // Exact optima agree to round-off; an unpolished (near-degenerate) answer is
                // Clarabel's, within the weight tolerance.
                let tol = if exact { 1e-9 } else { 1e-6 };
                prop_assert!(d < tol, "{obj:?}: paths differ by {d}");
            }
        }
    }

    #[test]
    fn frontier_volatility_increases_with_return((mu, cov) in problem()) {
        let f = MeanVariance::new(mu.view(), cov.view()).unwrap().frontier(12, None).unwrap();
        for pair in f.points.windows(2) {
            prop_assert!(pair[1].expected_return >= pair[0].expected_return - 1e-12);
            prop_assert!(pair[1].volatility >= pair[0].volatility - 1e-10);
        }
        prop_assert!(f.points[0].volatility >= f.min_volatility.volatility - 1e-12);
        // Corner portfolios (critical line algorithm) bracket the same frontier.
        let mv = MeanVariance::new(mu.view(), cov.view()).unwrap();
        let corners = mv.corner_portfolios().unwrap();
        for pair in corners.windows(2) {
            prop_assert!(pair[1].expected_return > pair[0].expected_return);
            prop_assert!(pair[1].volatility >= pair[0].volatility - 1e-12);
        }
        let last = corners.last().unwrap();
        let gap = (last.expected_return - mv.max_return().unwrap()).abs();
        prop_assert!(gap < 1e-10, "last corner {gap} below the maximum return");
        if corners.len() == 1 {
            // Equal returns: the frontier is a single point.
            for p in &f.points {
                let d = (&corners[0].weights - &p.weights).iter().fold(0.0_f64, |m, v| m.max(v.abs()));
                prop_assert!(d < 1e-8);
            }
            return Ok(());
        }
        for p in &f.points {
            let k = corners
                .windows(2)
                .position(|c| c[0].expected_return <= p.expected_return + 1e-10 && p.expected_return <= c[1].expected_return + 1e-10);
            prop_assert!(k.is_some());
            let (a, b) = (&corners[k.unwrap()], &corners[k.unwrap() + 1]);
            let x = ((p.expected_return - a.expected_return) / (b.expected_return - a.expected_return)).clamp(0.0, 1.0);
            let w = &a.weights + &((&b.weights - &a.weights) * x);
            let d = (&w - &p.weights).iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            // Interpolating by return divides by the corners' return gap: nearly equal returns
            // amplify round-off, so the weight tolerance of the issue (1e-6) applies.
            prop_assert!(d < 1e-6, "interpolated corner differs by {d}");
        }
    }

    #[test]
    fn black_litterman_without_news_returns_the_prior((mu, cov) in problem(), tau in 0.01f64..0.5) {
        let bl = BlackLitterman::new(cov.view(), mu.view(), tau).unwrap();
        let post = bl.posterior().unwrap();
        prop_assert!((&post.returns - &mu).iter().all(|d| d.abs() == 0.0));
        let expected = &cov * (1.0 + tau);
        prop_assert!((&post.covariance - &expected).iter().all(|d| d.abs() < 1e-15));
        // Views that agree with the prior (Q = Pπ) move nothing.
        let n = mu.len();
        let p = Array2::from_shape_fn((2, n), |(k, j)| if j == k { 1.0 } else if j == n - 1 { -1.0 } else { 0.0 });
        let q = p.dot(&mu);
        let post = BlackLitterman::new(cov.view(), mu.view(), tau).unwrap()
            .with_views(p.view(), q.view(), ViewUncertainty::HeLitterman).unwrap()
            .posterior().unwrap();
        prop_assert!((&post.returns - &mu).iter().all(|d| d.abs() < 1e-14));
    }

    #[test]
    fn equal_risk_contributions((_, cov) in problem()) {
        let rp = risk_budgeting(cov.view(), None, &RiskParitySettings::default()).unwrap();
        let n = cov.nrows() as f64;
        prop_assert!(rp.risk_contributions.iter().all(|c| (c - 1.0 / n).abs() < 1e-12));
        prop_assert!(rp.weights.iter().all(|&w| w > 0.0));
        prop_assert!((rp.weights.sum() - 1.0).abs() < 1e-14);
    }

    #[test]
    fn hrp_weights_are_a_positive_budget((_, cov) in problem()) {
        for linkage in [Linkage::Single, Linkage::Average, Linkage::Ward] {
            let h = hrp_from_cov(cov.view(), linkage).unwrap();
            prop_assert!(h.weights.iter().all(|&w| w > 0.0));
            prop_assert!((h.weights.sum() - 1.0).abs() < 1e-14);
            let mut order = h.order.clone();
            order.sort_unstable();
            prop_assert_eq!(order, (0..cov.nrows()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn nearest_psd_repairs_and_keeps_variances(a in prop::collection::vec(-1.0f64..1.0, 10)) {
        // A symmetric 5x5 unit-diagonal matrix, usually indefinite.
        let mut m = Array2::<f64>::eye(5);
        let mut k = 0;
        for i in 0..5 {
            for j in (i + 1)..5 {
                m[[i, j]] = a[k];
                m[[j, i]] = a[k];
                k += 1;
            }
        }
        let r = nearest_psd(m.view(), &PsdSettings::default()).unwrap();
        let d = diagnose(r.covariance.view(), None).unwrap();
        prop_assert!(d.min_eigenvalue >= -1e-12, "{}", d.min_eigenvalue);
        prop_assert!(r.covariance.diag().iter().all(|v| (v - 1.0).abs() < 1e-10));
    }
}
