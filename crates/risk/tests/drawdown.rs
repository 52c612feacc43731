//! Maximum drawdown against skfolio 1.12.2 / riskfolio-lib 7.4.0 (tests/data/max_drawdown_*.json,
//! category `max_drawdown`): compounded, uncompounded and log, with peak/trough/recovery dates.
mod common;

use common::tolerance::CLOSED_FORM;
use common::{case_prices, case_returns, cases, f};
use parapet_risk::{DrawdownKind, max_drawdown, max_drawdown_of_prices};

#[test]
fn every_drawdown_case() {
    for (name, case) in cases("max_drawdown") {
        let (dates, r) = case_returns(&case);
        let e = &case["expected"];
        // Wealth point t ≥ 1 carries the date of return t − 1; point 0 is the window's base row.
        let date = |t: usize| dates[t - 1].as_str();
        let mut worst = 0.0f64;
        for (key, kind) in [
            ("compounded", DrawdownKind::Compounded),
            ("uncompounded", DrawdownKind::Uncompounded),
        ] {
            let m = max_drawdown(&r, kind).unwrap();
            let x = &e[key];
            worst = worst.max(CLOSED_FORM.check(
                &format!("{name} {key}"),
                m.depth,
                f(&x["max_drawdown"]),
            ));
            worst = worst.max(CLOSED_FORM.check(
                &format!("{name} {key} skfolio"),
                m.depth,
                f(&x["skfolio_max_drawdown"]),
            ));
            if let Some(rf) = x.get("riskfolio_MDD_Abs") {
                // riskfolio sums in another order: 1e-14 absolute apart.
                worst = worst.max(CLOSED_FORM.check(&format!("{name} riskfolio"), m.depth, f(rf)));
            }
            assert_eq!(
                date(m.peak),
                x["peak_date"].as_str().unwrap(),
                "{name} {key} peak"
            );
            assert_eq!(
                date(m.trough),
                x["trough_date"].as_str().unwrap(),
                "{name} {key} trough"
            );
            if let Some(rec) = x.get("recovery_date") {
                assert_eq!(
                    date(m.recovery.unwrap()),
                    rec.as_str().unwrap(),
                    "{name} recovery"
                );
            }
        }
        let l = max_drawdown(&r, DrawdownKind::Log).unwrap();
        worst = worst.max(CLOSED_FORM.check(
            &format!("{name} log"),
            l.depth,
            f(&e["log_wealth"]["max_drawdown_log"]),
        ));
        if let Some(p) = e.get("from_price_column") {
            let prices = case_prices(&case);
            let m = max_drawdown_of_prices(&prices).unwrap();
            worst = worst.max(CLOSED_FORM.check(
                &format!("{name} prices"),
                m.depth,
                f(&p["max_drawdown"]),
            ));
            assert_eq!(date(m.trough), p["trough_date"].as_str().unwrap());
            assert_eq!(date(m.peak), p["peak_date"].as_str().unwrap());
        }
        eprintln!("{name}: max rel err {worst:.2e}");
    }
}
