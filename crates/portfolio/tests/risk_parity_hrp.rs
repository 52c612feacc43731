//! Risk budgeting against the Spinu-Newton references (cross-checked with riskfolio-lib 7.4.0
//! and skfolio 1.12.2, `erc_*`) and HRP against PyPortfolioOpt / riskfolio / skfolio (`hrp_*`).

mod common;

use common::{check_vector, matrix, strings, tol, vector, window_returns};
use parapet_portfolio::{Linkage, RiskParitySettings, hrp, risk_budgeting};

#[test]
fn every_risk_parity_case_matches() {
    let cases = common::cases("erc_");
    assert_eq!(cases.len(), 3);
    for (name, case) in cases {
        let inp = &case["inputs"];
        let e = &case["expected"];
        let cov = matrix(&inp["cov"]);
        let b = vector(&inp["risk_budgets"]);
        let rp = risk_budgeting(
            cov.view(),
            Some(b.as_slice().unwrap()),
            &RiskParitySettings::default(),
        )
        .unwrap();
        let werr = check_vector(name, &rp.weights, &vector(&e["weights"]), tol::RP_WEIGHTS);
        let rerr = check_vector(
            name,
            &rp.risk_contributions,
            &vector(&e["risk_contributions_relative"]),
            tol::RP_CONTRIBUTIONS,
        );
        let vol = e["portfolio_volatility_daily"].as_f64().unwrap();
        assert!(
            tol::OBJECTIVE.ok(rp.volatility, vol),
            "{name}: vol {} vs {vol}",
            rp.volatility
        );
        eprintln!(
            "{name}: max |dw| {werr:.2e}, max |dRC| {rerr:.2e}, vol rel err {:.2e}, {} Newton iterations",
            ((rp.volatility - vol) / vol).abs(),
            rp.iterations
        );
    }
}

#[test]
fn every_hrp_case_matches() {
    let cases = common::cases("hrp_");
    assert_eq!(cases.len(), 3);
    for (name, case) in cases {
        let inp = &case["inputs"];
        let e = &case["expected"];
        let r = window_returns(&inp["data"]);
        let linkage = match inp["linkage"].as_str().unwrap() {
            "single" => Linkage::Single,
            "average" => Linkage::Average,
            "ward" => Linkage::Ward,
            other => panic!("unknown linkage {other}"),
        };
        let h = hrp(r.view(), linkage).unwrap();
        let expected_order: Vec<usize> = e["leaf_order_idx"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(h.order, expected_order, "{name}: leaf order");
        let z = matrix(&e["linkage_matrix"]);
        let mut derr = 0.0_f64;
        for (m, row) in h.merges.iter().zip(z.rows()) {
            assert_eq!(
                (m.left, m.right, m.size),
                (row[0] as usize, row[1] as usize, row[3] as usize),
                "{name}: merge"
            );
            derr = derr.max((m.distance - row[2]).abs());
        }
        assert!(derr < 1e-12, "{name}: linkage distance error {derr}");
        let werr = check_vector(name, &h.weights, &vector(&e["weights"]), tol::HRP_WEIGHTS);
        let assets = strings(&inp["assets"]);
        let leaf_names: Vec<&str> = h.order.iter().map(|&i| assets[i].as_str()).collect();
        assert_eq!(leaf_names, strings(&e["leaf_order"]));
        let mut peers = 0;
        for (peer, w) in case["cross_checks"]["peer_weights"].as_object().unwrap() {
            if peer.contains("leaf_order_True") || peer.contains("optimal_ordering_True") {
                continue;
            }
            check_vector(peer, &h.weights, &vector(w), tol::HRP_WEIGHTS);
            peers += 1;
        }
        eprintln!(
            "{name}: max |dw| {werr:.2e}, linkage distance err {derr:.2e}, {peers} peer weight sets agree"
        );
    }
}
