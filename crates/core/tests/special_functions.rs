//! Special functions against 60-digit mpmath values (`tests/data/special_functions.json`).
//!
//! Every case of the file is checked; the tolerance is 4 ulp of the reference value (the ulp
//! of a subnormal reference is the subnormal spacing, 2⁻¹⁰⁷⁴).

use parapet_core::special::{erfc, erfcx, norm_cdf, norm_inv_cdf, norm_pdf};
use serde::Deserialize;

const MAX_ULP: f64 = 4.0;

#[derive(Deserialize)]
struct Case {
    id: String,
    function: String,
    x: f64,
    value: f64,
}

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

/// Distance from `got` to `want` in units of the spacing of doubles at `want`.
fn ulp_error(got: f64, want: f64) -> f64 {
    if got == want {
        return 0.0;
    }
    let spacing = if want == 0.0 || !want.is_finite() {
        f64::from_bits(1)
    } else {
        let bits = want.abs().to_bits();
        (f64::from_bits(bits + 1) - want.abs()).max(f64::from_bits(1))
    };
    (got - want).abs() / spacing
}

#[test]
fn every_reference_case_within_4_ulp() {
    let text = include_str!("data/special_functions.json");
    let file: File = serde_json::from_str(text).expect("reference file parses");
    assert!(file.cases.len() >= 336, "reference file lost cases");
    let mut worst: std::collections::BTreeMap<&str, (f64, &str)> = Default::default();
    let mut failures = Vec::new();
    for case in &file.cases {
        let got = match case.function.as_str() {
            "norm_cdf" => norm_cdf(case.x),
            "norm_pdf" => norm_pdf(case.x),
            "norm_inv_cdf" => norm_inv_cdf(case.x),
            "erfc" => erfc(case.x),
            "erfcx" => erfcx(case.x),
            other => panic!("unknown function {other} in {}", case.id),
        };
        let err = ulp_error(got, case.value);
        let entry = worst.entry(case.function.as_str()).or_insert((0.0, ""));
        if err > entry.0 {
            *entry = (err, case.id.as_str());
        }
        if err > MAX_ULP || !err.is_finite() {
            failures.push(format!(
                "{} {}({:e}) = {:e}, want {:e} ({err:.1} ulp)",
                case.id, case.function, case.x, got, case.value
            ));
        }
    }
    eprintln!("max ulp error per function: {worst:?}");
    assert!(
        failures.is_empty(),
        "{} cases beyond {MAX_ULP} ulp:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
