//! Failure is information: every infeasibility is a typed error carrying its numbers; and the
//! constraints without reference files (turnover, leverage, tracking error, costs, market
//! neutrality) hold at the optimum.

use ndarray::{Array1, Array2, array};
use parapet_portfolio::{
    BlackLitterman, MeanVariance, Objective, PortfolioError, PsdSettings, ViewUncertainty,
    nearest_psd,
};

fn problem() -> (Array1<f64>, Array2<f64>) {
    let mu = array![0.05, 0.07, 0.09, 0.12];
    let vol = array![0.10, 0.15, 0.20, 0.30];
    let cov = Array2::from_shape_fn((4, 4), |(i, j)| {
        let rho = if i == j { 1.0 } else { 0.3 };
        rho * vol[i] * vol[j]
    });
    (mu, cov)
}

fn mv() -> MeanVariance {
    let (mu, cov) = problem();
    MeanVariance::new(mu.view(), cov.view()).unwrap()
}

#[test]
fn bounds_below_budget_are_named() {
    let e = mv()
        .with_bounds(0.0, 0.2)
        .unwrap()
        .solve(Objective::MinVolatility);
    match e {
        Err(PortfolioError::InfeasibleBudget {
            budget,
            lower_sum,
            upper_sum,
        }) => {
            assert_eq!((budget, lower_sum), (1.0, 0.0));
            assert!((upper_sum - 0.8).abs() < 1e-15);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        mv().with_bounds(0.3, 0.2),
        Err(PortfolioError::InvertedBounds { asset: 0, .. })
    ));
}

#[test]
fn conflicting_group_limits_are_named() {
    let e = mv()
        .with_bounds(0.0, 0.1)
        .unwrap()
        .with_asset_bounds(&[0.0, 0.0, 0.0, 0.0], &[0.1, 0.1, 1.0, 1.0])
        .unwrap()
        .with_group("defensive", &[0, 1], 0.5, 1.0)
        .unwrap()
        .solve(Objective::MinVolatility);
    match e {
        Err(PortfolioError::InfeasibleGroup {
            group,
            lower,
            reachable_upper,
            ..
        }) => {
            assert_eq!(group, "defensive");
            assert_eq!(lower, 0.5);
            assert!((reachable_upper - 0.2).abs() < 1e-15);
        }
        other => panic!("{other:?}"),
    }
    // Two groups that are each reachable but together exceed the budget: the solver's
    // certificate becomes a typed error.
    let e = mv()
        .with_group("a", &[0, 1], 0.6, 1.0)
        .unwrap()
        .with_group("b", &[2, 3], 0.6, 1.0)
        .unwrap()
        .solve(Objective::MinVolatility);
    assert!(
        matches!(
            e,
            Err(PortfolioError::Infeasible {
                problem: "minimum volatility"
            })
        ),
        "{e:?}"
    );
    assert!(matches!(
        mv().with_group("c", &[0, 9], 0.0, 1.0),
        Err(PortfolioError::InvalidParameter {
            name: "group asset index",
            ..
        })
    ));
}

#[test]
fn unreachable_targets_report_the_attainable_bound() {
    match mv().solve(Objective::EfficientReturn { target: 0.2 }) {
        Err(PortfolioError::TargetReturnUnreachable { target, max_return }) => {
            assert_eq!(target, 0.2);
            assert!((max_return - 0.12).abs() < 1e-15);
        }
        other => panic!("{other:?}"),
    }
    // With a group limit the bound comes from the linear programme.
    match mv()
        .with_group("risky", &[3], 0.0, 0.5)
        .unwrap()
        .solve(Objective::EfficientReturn { target: 0.11 })
    {
        Err(PortfolioError::TargetReturnUnreachable { max_return, .. }) => {
            assert!((max_return - 0.105).abs() < 1e-8, "{max_return}");
        }
        other => panic!("{other:?}"),
    }
    let min_vol = mv().solve(Objective::MinVolatility).unwrap().volatility;
    match mv().solve(Objective::EfficientRisk {
        target_volatility: 0.05,
    }) {
        Err(PortfolioError::TargetRiskBelowMinimum {
            target,
            min_volatility,
        }) => {
            assert_eq!(target, 0.05);
            assert!((min_volatility - min_vol).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn max_sharpe_without_excess_return_says_so() {
    match mv().solve(Objective::MaxSharpe { risk_free: 0.15 }) {
        Err(PortfolioError::NoExcessReturn {
            risk_free,
            max_return,
        }) => {
            assert_eq!(risk_free, 0.15);
            assert!((max_return - 0.12).abs() < 1e-15);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        mv().with_l2_regularisation(0.1)
            .unwrap()
            .solve(Objective::MaxSharpe { risk_free: 0.0 }),
        Err(PortfolioError::InvalidParameter { .. })
    ));
}

#[test]
fn bad_inputs_are_rejected_not_passed_on() {
    let (mut mu, cov) = problem();
    let mut bad = cov.clone();
    bad[[0, 1]] = 0.5;
    bad[[1, 0]] = 0.5;
    assert!(matches!(
        MeanVariance::new(mu.view(), bad.view()),
        Err(PortfolioError::NotPositiveSemidefinite { .. })
    ));
    let fixed = nearest_psd(bad.view(), &PsdSettings::default()).unwrap();
    let repaired = MeanVariance::new(mu.view(), fixed.covariance.view()).unwrap();
    let d = repaired.diagnostics().unwrap();
    assert!(d.is_psd && d.min_eigenvalue >= -1e-12 && d.condition_number > 1.0);
    mu[2] = f64::NAN;
    assert!(matches!(
        MeanVariance::new(mu.view(), cov.view()),
        Err(PortfolioError::NonFinite { index: 2, .. })
    ));
    assert!(matches!(
        mv().solve(Objective::MaxQuadraticUtility {
            risk_aversion: -1.0
        }),
        Err(PortfolioError::InvalidParameter {
            name: "risk_aversion",
            ..
        })
    ));
}

#[test]
fn idzorek_full_confidence_is_exact_and_zero_is_rejected() {
    let (_, cov) = problem();
    let pi = array![0.04, 0.05, 0.06, 0.08];
    let p = array![[0.0, 0.0, 1.0, -1.0]];
    let q = array![0.03];
    let post = BlackLitterman::new(cov.view(), pi.view(), 0.05)
        .unwrap()
        .with_views(p.view(), q.view(), ViewUncertainty::Idzorek(vec![1.0]))
        .unwrap()
        .posterior()
        .unwrap();
    assert!((post.returns[2] - post.returns[3] - 0.03).abs() < 1e-15);
    assert!(matches!(
        BlackLitterman::new(cov.view(), pi.view(), 0.05)
            .unwrap()
            .with_views(p.view(), q.view(), ViewUncertainty::Idzorek(vec![0.0])),
        Err(PortfolioError::InvalidParameter {
            name: "view confidence",
            ..
        })
    ));
}

#[test]
fn rebalancing_constraints_hold() {
    let w0 = [0.25, 0.25, 0.25, 0.25];
    let p = mv()
        .with_turnover(&w0, 0.2)
        .unwrap()
        .solve(Objective::MaxQuadraticUtility { risk_aversion: 1.0 })
        .unwrap();
    let turnover: f64 = p.weights.iter().zip(&w0).map(|(a, b)| (a - b).abs()).sum();
    assert!(turnover <= 0.2 + 1e-8, "{turnover}");
    assert!((p.weights.sum() - 1.0).abs() < 1e-8);
    // Unconstrained, the utility optimum moves further than 0.2 from equal weights.
    let free = mv()
        .solve(Objective::MaxQuadraticUtility { risk_aversion: 1.0 })
        .unwrap();
    let free_turnover: f64 = free
        .weights
        .iter()
        .zip(&w0)
        .map(|(a, b)| (a - b).abs())
        .sum();
    assert!(free_turnover > 0.2 + 1e-3);

    // Costs large enough make trading away from w0 unattractive.
    let costly = mv()
        .with_transaction_costs(&w0, &[0.5; 4])
        .unwrap()
        .solve(Objective::MaxQuadraticUtility { risk_aversion: 1.0 })
        .unwrap();
    assert!(
        costly
            .weights
            .iter()
            .zip(&w0)
            .all(|(a, b)| (a - b).abs() < 1e-6)
    );
}

#[test]
fn long_short_leverage_and_tracking_error_hold() {
    let p = mv()
        .with_bounds(-1.0, 1.0)
        .unwrap()
        .with_budget(0.0)
        .unwrap()
        .with_leverage(1.0)
        .unwrap()
        .solve(Objective::MaxQuadraticUtility { risk_aversion: 2.0 })
        .unwrap();
    assert!(p.weights.sum().abs() < 1e-8);
    assert!(p.weights.iter().map(|w| w.abs()).sum::<f64>() <= 1.0 + 1e-8);
    assert!(p.expected_return > 0.0);

    let (_, cov) = problem();
    let bench = array![0.4, 0.3, 0.2, 0.1];
    let p = mv()
        .with_tracking_error(bench.as_slice().unwrap(), 0.02)
        .unwrap()
        .solve(Objective::MaxQuadraticUtility { risk_aversion: 0.5 })
        .unwrap();
    let d = &p.weights - &bench;
    let te = d.dot(&cov.dot(&d)).sqrt();
    assert!(te <= 0.02 + 1e-7, "{te}");
    assert!(te > 0.019, "the limit binds: {te}");
}

#[test]
fn slack_volatility_cap_gives_the_maximum_return_portfolio() {
    // Caps of 0.4 make the maximum-return portfolio (0, 0.2, 0.4, 0.4) unique.
    let p = mv()
        .with_bounds(0.0, 0.4)
        .unwrap()
        .solve(Objective::EfficientRisk {
            target_volatility: 1.0,
        })
        .unwrap();
    let expected = [0.0, 0.2, 0.4, 0.4];
    for (w, e) in p.weights.iter().zip(expected) {
        assert!((w - e).abs() < 1e-12, "{:?}", p.weights);
    }
    assert!(p.info.polished);
}
