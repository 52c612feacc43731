//! Invariants of the American engines (proptest) and their handling of bad input.

use parapet_core::{Market, OptionKind, Vanilla};
use parapet_pricing::PricingError;
use parapet_pricing::american::{
    self, AmericanPricer, BaroneAdesiWhaley, BjerksundStensland, FixedPointEquation, LeisenReimer,
    MAX_TREE_STEPS, QdFpEngine, QdFpScheme, QdFpSettings,
};
use parapet_pricing::bsm;
use proptest::prelude::*;

fn kind(call: bool) -> OptionKind {
    if call {
        OptionKind::Call
    } else {
        OptionKind::Put
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Bounds and orderings that any American price satisfies, checked on the default scheme:
    /// above the European and the exercise value, below the tree plus its error, and above
    /// both Bjerksund-Stensland prices, which value feasible exercise policies (lower bounds).
    #[test]
    fn american_price_orderings(
        call in any::<bool>(),
        strike in 60.0..140.0f64,
        t in 0.05..3.0f64,
        r in 0.0..0.1f64,
        q in 0.0..0.1f64,
        vol in 0.1..0.6f64,
    ) {
        let market = Market::new(100.0, r, q).unwrap();
        let option = Vanilla::american(kind(call), strike, t).unwrap();
        let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
        let v = engine.price(&option, &market, vol).unwrap();
        let e = bsm::price(&Vanilla::european(kind(call), strike, t).unwrap(), &market, vol).unwrap();
        prop_assert!(v >= e - 1e-12 && v >= option.payoff(100.0) - 1e-12);
        let tree = LeisenReimer::new(801).unwrap().with_richardson(true).price(&option, &market, vol).unwrap();
        prop_assert!((v - tree).abs() < 5e-4 * v.max(1.0), "{v} vs tree {tree}");
        let b93 = BjerksundStensland::Flat1993.price(&option, &market, vol).unwrap();
        let b02 = BjerksundStensland::TwoStep2002.price(&option, &market, vol).unwrap();
        prop_assert!(b93 <= v + 1e-9 && b02 <= v + 1e-9, "{b93} {b02} {v}");
        let up = engine.price(&option, &market, vol + 0.01).unwrap();
        prop_assert!(up >= v - 1e-12);
    }

    /// Put-call symmetry C(S, K, r, q) = P(K, S, q, r) holds for the tree, which prices calls
    /// and puts on separate lattices.
    #[test]
    fn tree_obeys_put_call_symmetry(
        strike in 80.0..120.0f64,
        r in 0.0..0.08f64,
        q in 0.0..0.08f64,
        vol in 0.15..0.4f64,
    ) {
        let tree = LeisenReimer::new(401).unwrap();
        let c = tree.price(
            &Vanilla::american(OptionKind::Call, strike, 1.0).unwrap(),
            &Market::new(100.0, r, q).unwrap(), vol).unwrap();
        let p = tree.price(
            &Vanilla::american(OptionKind::Put, 100.0, 1.0).unwrap(),
            &Market::new(strike, q, r).unwrap(), vol).unwrap();
        prop_assert!((c - p).abs() < 2e-3, "{c} vs {p}");
    }

    /// Delta and gamma agree with fourth-order differences of prices over a wider spot step
    /// (h = 0.5, truncation ~h⁴).
    #[test]
    fn greeks_are_consistent_with_prices(
        call in any::<bool>(),
        strike in 80.0..120.0f64,
        r in 0.01..0.08f64,
        q in 0.0..0.08f64,
        vol in 0.15..0.4f64,
    ) {
        let engine = QdFpEngine::from_scheme(QdFpScheme::HighPrecision);
        let option = Vanilla::american(kind(call), strike, 0.75).unwrap();
        let market = Market::new(100.0, r, q).unwrap();
        // The price has a kink at the exercise boundary: keep the stencil on one side of it.
        let critical = engine.exercise_boundary(&option, &market, vol).map(|b| b.at(0.75));
        if let Ok(b) = critical {
            prop_assume!(!(98.0..=102.0).contains(&b));
        }
        let g = american::greeks(&engine, &option, &market, vol).unwrap();
        let v = engine.price_spots(&option, &market, vol, &[99.0, 99.5, 100.0, 100.5, 101.0]).unwrap();
        let h = 0.5;
        let delta = (-v[4] + 8.0 * v[3] - 8.0 * v[1] + v[0]) / (12.0 * h);
        let gamma = (-v[4] + 16.0 * v[3] - 30.0 * v[2] + 16.0 * v[1] - v[0]) / (12.0 * h * h);
        prop_assert!((g.delta - delta).abs() < 1e-5, "{} vs {delta}", g.delta);
        prop_assert!((g.gamma - gamma).abs() < 1e-5, "{} vs {gamma}", g.gamma);
        prop_assert!(g.vega >= -1e-8, "{}", g.vega);
    }
}

#[test]
fn calls_without_dividends_are_european() {
    let market = Market::new(100.0, 0.05, 0.0).unwrap();
    let option = Vanilla::american(OptionKind::Call, 100.0, 1.0).unwrap();
    let e = bsm::price(
        &Vanilla::european(OptionKind::Call, 100.0, 1.0).unwrap(),
        &market,
        0.2,
    )
    .unwrap();
    for pricer in [
        &QdFpEngine::from_scheme(QdFpScheme::Default) as &dyn AmericanPricer,
        &BaroneAdesiWhaley,
        &BjerksundStensland::TwoStep2002,
    ] {
        assert!((pricer.price(&option, &market, 0.2).unwrap() - e).abs() < 1e-12);
    }
    let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
    assert!(matches!(
        engine.exercise_boundary(&option, &market, 0.2),
        Err(PricingError::NoEarlyExercise { .. })
    ));
}

#[test]
fn exercise_boundary_behaves() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
    let market = Market::new(100.0, 0.05, 0.03).unwrap();
    let put = Vanilla::american(OptionKind::Put, 100.0, 1.0).unwrap();
    let b = engine.exercise_boundary(&put, &market, 0.25).unwrap();
    assert_eq!(b.kind(), OptionKind::Put);
    assert_eq!(b.expiry(), 1.0);
    // At expiry the put boundary is K·min(1, r/q) = K; it falls with time to expiry.
    assert!((b.at(0.0) - 100.0).abs() < 1e-12);
    assert!(b.at(0.5) < b.at(0.1) && b.at(1.0) < b.at(0.5));
    // Below the boundary the put is worth its exercise value.
    let spot = 0.9 * b.at(1.0);
    let v = engine
        .price(&put, &market.with_spot(spot).unwrap(), 0.25)
        .unwrap();
    assert_eq!(v, 100.0 - spot);
    // The call boundary lies above the strike and rises with time to expiry.
    let call = Vanilla::american(OptionKind::Call, 100.0, 1.0).unwrap();
    let market = Market::new(100.0, 0.03, 0.05).unwrap();
    let c = engine.exercise_boundary(&call, &market, 0.25).unwrap();
    assert!(c.at(0.0) >= 100.0 && c.at(1.0) > c.at(0.5));
}

#[test]
fn zero_volatility_is_deterministic_exercise() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
    let market = Market::new(90.0, 0.05, 0.0).unwrap();
    let put = Vanilla::american(OptionKind::Put, 100.0, 1.0).unwrap();
    // With r > 0 = q, exercising at once beats waiting: K − S.
    assert_eq!(engine.price(&put, &market, 0.0).unwrap(), 10.0);
}

#[test]
fn settings_are_validated() {
    assert!(QdFpSettings::default().validate().is_ok());
    assert!(matches!(
        QdFpSettings::default().with_chebyshev_nodes(1),
        Err(PricingError::OutOfRange {
            name: "chebyshev_nodes",
            ..
        })
    ));
    assert!(matches!(
        QdFpSettings::default().with_quadrature(0, 10),
        Err(PricingError::OutOfRange {
            name: "boundary_quadrature",
            ..
        })
    ));
    assert!(
        QdFpSettings::default()
            .with_quadrature(10, 100_000)
            .is_err()
    );
    let s = QdFpSettings {
        iterations: 0,
        ..QdFpSettings::default()
    };
    assert!(QdFpEngine::new(s).is_err());
    let fpb = QdFpSettings::default().with_equation(FixedPointEquation::FpB);
    assert_eq!(fpb.equation, FixedPointEquation::FpB);
    assert_eq!(
        QdFpEngine::new(fpb).unwrap().settings().equation,
        FixedPointEquation::FpB
    );
}

#[test]
fn bad_inputs_are_typed_errors() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
    let market = Market::new(100.0, 0.05, 0.02).unwrap();
    let put = Vanilla::american(OptionKind::Put, 100.0, 1.0).unwrap();
    assert!(matches!(
        engine.price(&put, &market, -0.2),
        Err(PricingError::Negative { name: "vol", .. })
    ));
    assert!(matches!(
        engine.price(&put, &market, f64::NAN),
        Err(PricingError::NotFinite { .. })
    ));
    let european = Vanilla::european(OptionKind::Put, 100.0, 1.0).unwrap();
    assert!(matches!(
        engine.price(&european, &market, 0.2),
        Err(PricingError::UnsupportedExercise { .. })
    ));
    assert!(matches!(
        LeisenReimer::new(0),
        Err(PricingError::OutOfRange { name: "steps", .. })
    ));
    assert!(LeisenReimer::new(MAX_TREE_STEPS + 1).is_err());
    assert_eq!(LeisenReimer::new(100).unwrap().steps(), 101);
    assert!(BaroneAdesiWhaley.price(&put, &market, 0.0).is_err());
    // q < r < 0: two boundaries.
    let negative = Market::new(100.0, -0.01, -0.02).unwrap();
    assert_eq!(
        engine.price(&put, &negative, 0.2),
        Err(PricingError::DoubleBoundary {
            rate: -0.01,
            div_yield: -0.02
        })
    );
    // Implied vol: below intrinsic and above the σ = 5 price.
    let deep = Market::new(60.0, 0.05, 0.02).unwrap();
    assert!(matches!(
        american::implied_vol(&engine, &put, &deep, 39.0),
        Err(PricingError::BelowIntrinsic { .. })
    ));
    assert!(matches!(
        american::implied_vol(&engine, &put, &market, 99.0),
        Err(PricingError::AboveUpperBound { .. })
    ));
    assert!(american::implied_vol(&engine, &put, &market, f64::NAN).is_err());
}

/// Extreme inputs (a day to a century, 0.5% to 300% volatility, rates and yields from −5% to
/// 50%, strikes from 1% to 100× spot): every engine returns a finite price at or above the
/// exercise value, or a typed error (double boundary) — never NaN.
#[test]
fn extreme_inputs_give_finite_prices_or_typed_errors() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
    let pricers: [&dyn AmericanPricer; 4] = [
        &engine,
        &BaroneAdesiWhaley,
        &BjerksundStensland::Flat1993,
        &BjerksundStensland::TwoStep2002,
    ];
    let mut checked = 0;
    for kind in [OptionKind::Put, OptionKind::Call] {
        for t in [1.0 / 365.0, 0.5, 30.0, 100.0] {
            for vol in [0.005, 0.05, 1.0, 3.0] {
                for r in [-0.05, 0.0, 0.2, 0.5] {
                    for q in [-0.05, 0.0, 0.5] {
                        for k in [1.0, 100.0, 1e4] {
                            let option = Vanilla::american(kind, k, t).unwrap();
                            let market = Market::new(100.0, r, q).unwrap();
                            for p in pricers {
                                match p.price(&option, &market, vol) {
                                    Ok(v) => {
                                        assert!(
                                            v.is_finite() && v >= option.payoff(100.0) - 1e-9 * k,
                                            "{kind:?} t {t} vol {vol} r {r} q {q} k {k}: {v}"
                                        );
                                        checked += 1;
                                    }
                                    Err(PricingError::DoubleBoundary { .. }) => {}
                                    Err(e) => {
                                        panic!("{kind:?} t {t} vol {vol} r {r} q {q} k {k}: {e}")
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 3000);
}

/// Put-call symmetry maps the call's rho to the put's dividend rho and keeps vega:
/// `C(S, K, r, q) = P(K, S, q, r)`, so `∂C/∂r = ∂P/∂q'` and `∂C/∂σ = ∂P/∂σ`.
#[test]
fn greeks_respect_put_call_symmetry() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::HighPrecision);
    for (s, k, r, q, vol, t) in [
        (100.0, 95.0, 0.03, 0.06, 0.25, 1.0),
        (90.0, 100.0, 0.01, 0.04, 0.4, 2.0),
    ] {
        let call = Vanilla::american(OptionKind::Call, k, t).unwrap();
        let put = Vanilla::american(OptionKind::Put, s, t).unwrap();
        let gc = american::greeks(&engine, &call, &Market::new(s, r, q).unwrap(), vol).unwrap();
        let gp = american::greeks(&engine, &put, &Market::new(k, q, r).unwrap(), vol).unwrap();
        assert!((gc.price - gp.price).abs() < 1e-12);
        assert!((gc.vega - gp.vega).abs() < 1e-6 * gc.vega.abs());
        assert!((gc.rho - gp.dividend_rho).abs() < 1e-6 * gc.rho.abs().max(1.0));
        assert!((gc.dividend_rho - gp.rho).abs() < 1e-6 * gc.dividend_rho.abs().max(1.0));
        assert!((gc.theta - gp.theta).abs() < 1e-6 * gc.theta.abs().max(1.0));
        assert!(gc.rho > 0.0 && gc.dividend_rho < 0.0);
    }
}
