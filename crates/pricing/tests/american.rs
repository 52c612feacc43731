//! American prices against `american.json` (QuantLib 1.44 `QdFpAmericanEngine`, high
//! precision, with its own accuracy estimate per record; three double-boundary cases by
//! QuantLib finite differences with Richardson in time) and the American groups of
//! `paper_values.json` (Haug 1998 BAW and Bjerksund-Stensland tables, Andersen, Lake &
//! Offengenden 2015 premia).

mod common;

use common::{
    AMERICAN_DEFAULT, AMERICAN_FAST, AMERICAN_GREEKS_VS_FD, AMERICAN_HIGH, AMERICAN_HIGH_SELF,
    AMERICAN_TREE, BAW_VS_QUANTLIB, BJS_VS_QUANTLIB, Tolerance,
};
use parapet_core::{Market, OptionKind, Vanilla};
use parapet_pricing::PricingError;
use parapet_pricing::american::{
    self, AmericanPricer, BaroneAdesiWhaley, BjerksundStensland, LeisenReimer, QdFpEngine,
    QdFpScheme, QdFpSettings,
};
use serde::Deserialize;
use serde_json::Value;

fn kind(s: &str) -> OptionKind {
    match s {
        "call" => OptionKind::Call,
        "put" => OptionKind::Put,
        other => panic!("unknown option type {other}"),
    }
}

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    option_type: String,
    spot: f64,
    strike: f64,
    #[serde(rename = "T")]
    t: f64,
    r: f64,
    q: f64,
    vol: f64,
    reference_price: f64,
    reference_engine: String,
    reference_abs_accuracy_estimate: f64,
    fd_2000x2000_greeks: Value,
    peers: Value,
}

impl Case {
    fn inputs(&self) -> (Vanilla, Market) {
        (
            Vanilla::american(kind(&self.option_type), self.strike, self.t).unwrap(),
            Market::new(self.spot, self.r, self.q).unwrap(),
        )
    }

    fn double_boundary(&self) -> bool {
        !self.reference_engine.starts_with("QdFp")
    }
}

fn cases() -> Vec<Case> {
    let f: File = serde_json::from_str(include_str!("data/american.json")).unwrap();
    assert_eq!(f.cases.len(), 105);
    f.cases
}

/// Runs `engine` over every single-boundary case; `tol` is widened by the reference's own
/// accuracy estimate. Returns the worst relative error.
fn check_scheme(scheme: QdFpScheme, tol: Tolerance) -> f64 {
    let engine = QdFpEngine::from_scheme(scheme);
    let (mut worst_rel, mut worst_ratio, mut n) = (0.0f64, 0.0f64, 0);
    let mut failures = Vec::new();
    for c in cases().iter().filter(|c| !c.double_boundary()) {
        let (option, market) = c.inputs();
        let got = engine.price(&option, &market, c.vol).unwrap();
        let want = c.reference_price;
        let t = tol.with_abs(tol.abs + c.reference_abs_accuracy_estimate);
        worst_rel = worst_rel.max(((got - want) / want).abs());
        worst_ratio = worst_ratio.max(t.ratio(got, want));
        n += 1;
        if !t.holds(got, want) {
            failures.push(format!("{}: got {got}, want {want}", c.id));
        }
    }
    eprintln!(
        "american.json {scheme:?}: {n} cases, max rel err {worst_rel:.3e}, max err/tol {worst_ratio:.3}"
    );
    assert!(failures.is_empty(), "{scheme:?}: {failures:#?}");
    worst_rel
}

#[test]
fn default_scheme_matches_quantlib_high_precision() {
    check_scheme(QdFpScheme::Default, AMERICAN_DEFAULT);
}

#[test]
fn high_precision_scheme_within_reference_accuracy() {
    check_scheme(QdFpScheme::HighPrecision, AMERICAN_HIGH);
}

#[test]
fn fast_scheme_is_a_fast_approximation() {
    check_scheme(QdFpScheme::Fast, AMERICAN_FAST);
}

#[test]
fn double_boundary_cases_are_a_typed_error_and_priced_by_the_tree() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
    let tree = LeisenReimer::new(2001).unwrap().with_richardson(true);
    let mut n = 0;
    let mut worst = 0.0f64;
    for c in cases().iter().filter(|c| c.double_boundary()) {
        let (option, market) = c.inputs();
        assert!(matches!(
            engine.price(&option, &market, c.vol),
            Err(PricingError::DoubleBoundary { .. })
        ));
        let got = tree.price(&option, &market, c.vol).unwrap();
        let t = AMERICAN_TREE.with_abs(AMERICAN_TREE.abs + c.reference_abs_accuracy_estimate);
        worst = worst.max((got - c.reference_price).abs());
        assert!(
            t.holds(got, c.reference_price),
            "{}: {got} vs {}",
            c.id,
            c.reference_price
        );
        n += 1;
    }
    eprintln!(
        "american.json double boundary (LR tree 2001+Richardson): {n} cases, max abs err {worst:.3e}"
    );
    assert_eq!(n, 3);
}

#[test]
fn leisen_reimer_tree_agrees_with_the_reference() {
    let tree = LeisenReimer::new(1001).unwrap().with_richardson(true);
    let mut worst = 0.0f64;
    for c in cases().iter().filter(|c| !c.double_boundary()) {
        let (option, market) = c.inputs();
        let got = tree.price(&option, &market, c.vol).unwrap();
        let want = c.reference_price;
        worst = worst.max(((got - want) / want).abs());
        assert!(AMERICAN_TREE.holds(got, want), "{}: {got} vs {want}", c.id);
    }
    eprintln!("american.json LR tree 1001+Richardson: max rel err {worst:.3e}");
}

/// QuantLib's own BAW and Bjerksund-Stensland values recorded as peers.
#[test]
fn approximations_match_quantlib_peers() {
    let mut worst = [0.0f64; 2];
    let mut counts = [0usize; 2];
    for c in cases() {
        let (option, market) = c.inputs();
        for (i, (name, pricer, tol)) in [
            (
                "barone_adesi_whaley",
                &BaroneAdesiWhaley as &dyn AmericanPricer,
                BAW_VS_QUANTLIB,
            ),
            (
                "bjerksund_stensland",
                &BjerksundStensland::Flat1993,
                BJS_VS_QUANTLIB,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let Some(want) = c.peers[name]["price"].as_f64() else {
                continue;
            };
            let got = pricer.price(&option, &market, c.vol);
            if c.double_boundary() {
                assert!(matches!(got, Err(PricingError::DoubleBoundary { .. })));
                continue;
            }
            let got = got.unwrap();
            worst[i] = worst[i].max(((got - want) / want).abs());
            counts[i] += 1;
            assert!(tol.holds(got, want), "{name} {}: {got} vs {want}", c.id);
        }
    }
    eprintln!(
        "american.json QuantLib peers: BAW {} cases max rel err {:.3e}; BS1993 {} cases max rel err {:.3e}",
        counts[0], worst[0], counts[1], worst[1]
    );
    assert!(counts[0] >= 99 && counts[1] >= 99);
}

/// The high-precision scheme is converged: it agrees with the same engine at four times the
/// nodes, three times the iterations and four times the quadrature orders.
#[test]
fn high_precision_scheme_is_converged() {
    let high = QdFpEngine::from_scheme(QdFpScheme::HighPrecision);
    let settings = QdFpSettings::default()
        .with_chebyshev_nodes(64)
        .and_then(|s| s.with_iterations(24))
        .and_then(|s| s.with_quadrature(128, 256))
        .unwrap();
    let ultra = QdFpEngine::new(settings).unwrap();
    let mut worst = 0.0f64;
    for c in cases().iter().filter(|c| !c.double_boundary()) {
        let (option, market) = c.inputs();
        let got = high.price(&option, &market, c.vol).unwrap();
        let want = ultra.price(&option, &market, c.vol).unwrap();
        worst = worst.max(((got - want) / want).abs());
        assert!(
            AMERICAN_HIGH_SELF.holds(got, want),
            "{}: {got} vs {want}",
            c.id
        );
    }
    eprintln!("american.json HighPrecision vs converged engine: max rel err {worst:.3e}");
}

/// Delta, gamma and theta against QuantLib's 2000x2000 finite-difference grid.
#[test]
fn greeks_match_the_finite_difference_grid() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
    let mut worst = [0.0f64; 3];
    let mut n = 0;
    for c in cases().iter().filter(|c| !c.double_boundary()) {
        let (option, market) = c.inputs();
        let g = american::greeks(&engine, &option, &market, c.vol).unwrap();
        for (i, (name, got)) in [("delta", g.delta), ("gamma", g.gamma), ("theta", g.theta)]
            .into_iter()
            .enumerate()
        {
            let fd = |k: &str| c.fd_2000x2000_greeks[k].as_f64().unwrap();
            // The grid's theta carries its first-order time error (1% at one month); the
            // Black-Scholes equation, which holds in the continuation region, gives theta from
            // the grid's (second-order) delta and gamma instead:
            // θ = rV − (r − q)SΔ − ½σ²S²Γ.
            let want = if name == "theta" {
                c.r * c.reference_price
                    - (c.r - c.q) * c.spot * fd("delta")
                    - 0.5 * c.vol * c.vol * c.spot * c.spot * fd("gamma")
            } else {
                fd(name)
            };
            // The identity cancels terms of size |rV| + |(r − q)SΔ|: scale the floor with them.
            let scale =
                (c.r * c.reference_price).abs() + ((c.r - c.q) * c.spot * fd("delta")).abs();
            let tol = if name == "theta" {
                AMERICAN_GREEKS_VS_FD
                    .with_abs(AMERICAN_GREEKS_VS_FD.abs + AMERICAN_GREEKS_VS_FD.rel * scale)
            } else {
                AMERICAN_GREEKS_VS_FD
            };
            worst[i] = worst[i].max(tol.ratio(got, want));
            assert!(tol.holds(got, want), "{} {name}: {got} vs {want}", c.id);
        }
        n += 1;
    }
    eprintln!(
        "american.json greeks vs FD 2000x2000 ({n} cases): err/tol delta {:.3}, gamma {:.3}, theta {:.3}",
        worst[0], worst[1], worst[2]
    );
}

/// American implied volatility inverts the engine on every reference case.
#[test]
fn implied_vol_round_trips_on_every_case() {
    let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
    let mut worst = 0.0f64;
    for c in cases().iter().filter(|c| !c.double_boundary()) {
        let (option, market) = c.inputs();
        let p = engine.price(&option, &market, c.vol).unwrap();
        if p <= option.payoff(c.spot) + 1e-10 * c.strike {
            // Exercised immediately: no volatility is identified.
            assert!(american::implied_vol(&engine, &option, &market, p).is_err());
            continue;
        }
        let vol = american::implied_vol(&engine, &option, &market, p).unwrap();
        worst = worst.max((vol - c.vol).abs());
        assert!((vol - c.vol).abs() < 1e-7, "{}: {vol} vs {}", c.id, c.vol);
    }
    eprintln!("american.json implied vol round trip: max abs err {worst:.3e}");
}
