//! Reference tests: sabr.json (QuantLib 1.44 `sabrVolatility`) and svi.json (raw SVI formula,
//! derivatives, Durrleman's g and density at 40 digits, butterfly intervals).

mod tolerance;

use parapet_surface::{KGrid, RawSvi, Sabr, Smile, SviSmile, butterfly_check};
use serde::Deserialize;
use tolerance::{ARB_ARGMIN, ARB_INTERVAL, SABR, SVI_FORMULA, SVI_G, Tol};

#[derive(Deserialize)]
struct SabrFile {
    cases: Vec<SabrCase>,
}

#[derive(Deserialize)]
struct SabrCase {
    id: String,
    forward: f64,
    strike: f64,
    #[serde(rename = "T")]
    t: f64,
    alpha: f64,
    beta: f64,
    nu: f64,
    rho: f64,
    lognormal_vol: f64,
    normal_vol: f64,
}

fn rel_err(x: f64, r: f64) -> f64 {
    ((x - r) / r).abs()
}

#[test]
fn sabr_matches_quantlib() {
    let file: SabrFile = serde_json::from_str(include_str!("data/sabr.json")).unwrap();
    assert!(file.cases.len() >= 70);
    let (mut max_ln, mut max_n) = (0.0f64, 0.0f64);
    for c in &file.cases {
        let s = Sabr::new(c.alpha, c.beta, c.rho, c.nu).unwrap();
        let ln = s.lognormal_vol(c.forward, c.strike, c.t).unwrap();
        let n = s.normal_vol(c.forward, c.strike, c.t).unwrap();
        assert!(
            SABR.ok(ln, c.lognormal_vol),
            "{}: {ln} vs {}",
            c.id,
            c.lognormal_vol
        );
        assert!(
            SABR.ok(n, c.normal_vol),
            "{}: {n} vs {}",
            c.id,
            c.normal_vol
        );
        max_ln = max_ln.max(rel_err(ln, c.lognormal_vol));
        max_n = max_n.max(rel_err(n, c.normal_vol));
    }
    eprintln!(
        "sabr.json: {} cases, max rel err lognormal {max_ln:.2e}, normal {max_n:.2e}",
        file.cases.len()
    );
}

#[derive(Deserialize)]
struct SviFile {
    slices: Vec<SviSlice>,
    cases: Vec<SviCase>,
}

#[derive(Deserialize)]
struct SviParams {
    a: f64,
    b: f64,
    rho: f64,
    m: f64,
    sigma: f64,
}

#[derive(Deserialize)]
struct SviRange {
    k_from: Option<f64>,
    k_to: Option<f64>,
    k_at_min_g: f64,
    min_g: f64,
}

#[derive(Deserialize)]
struct SviSlice {
    slice: String,
    params: SviParams,
    #[serde(rename = "T")]
    t: f64,
    g_negative_ranges: Vec<SviRange>,
    min_total_variance: f64,
}

#[derive(Deserialize)]
struct SviCase {
    id: String,
    a: f64,
    b: f64,
    rho: f64,
    m: f64,
    sigma: f64,
    #[serde(rename = "T")]
    t: f64,
    k: f64,
    w: f64,
    dw_dk: f64,
    d2w_dk2: f64,
    implied_vol: f64,
    g: f64,
    risk_neutral_density: f64,
}

fn check(tol: Tol, what: &str, id: &str, x: f64, r: f64, max: &mut f64) {
    assert!(tol.ok(x, r), "{id} {what}: {x} vs {r}");
    *max = max.max((x - r).abs() / r.abs().max(1e-300));
}

#[test]
fn svi_formula_derivatives_g_density() {
    let file: SviFile = serde_json::from_str(include_str!("data/svi.json")).unwrap();
    assert!(file.cases.len() >= 200);
    let mut max = [0.0f64; 6];
    for c in &file.cases {
        let raw = RawSvi::new(c.a, c.b, c.rho, c.m, c.sigma).unwrap();
        let smile = SviSmile::new(raw, c.t).unwrap();
        let d = smile.derivatives(c.k);
        check(SVI_FORMULA, "w", &c.id, d.w, c.w, &mut max[0]);
        check(SVI_FORMULA, "w'", &c.id, d.dw, c.dw_dk, &mut max[1]);
        check(SVI_FORMULA, "w''", &c.id, d.d2w, c.d2w_dk2, &mut max[2]);
        let iv = smile.implied_vol(c.k);
        check(SVI_FORMULA, "vol", &c.id, iv, c.implied_vol, &mut max[3]);
        check(SVI_G, "g", &c.id, smile.durrleman_g(c.k), c.g, &mut max[4]);
        let p = smile.density(c.k);
        check(
            SVI_G,
            "density",
            &c.id,
            p,
            c.risk_neutral_density,
            &mut max[5],
        );
    }
    eprintln!(
        "svi.json: {} cases, max rel err w {:.1e}, w' {:.1e}, w'' {:.1e}, vol {:.1e}, g {:.1e}, density {:.1e}",
        file.cases.len(),
        max[0],
        max[1],
        max[2],
        max[3],
        max[4],
        max[5]
    );
}

#[test]
fn svi_butterfly_intervals() {
    let file: SviFile = serde_json::from_str(include_str!("data/svi.json")).unwrap();
    let grid = KGrid::new(-3.0, 3.0, 1201).unwrap();
    let mut max_end_err = 0.0f64;
    for s in &file.slices {
        let p = &s.params;
        let raw = RawSvi::new(p.a, p.b, p.rho, p.m, p.sigma).unwrap();
        // The stored minimum is taken on the generator's k grid: the analytic minimum
        // a + bσ√(1−ρ²) lies at or below it, and close to it.
        let wmin = raw.min_total_variance();
        assert!(
            wmin <= s.min_total_variance + 1e-15
                && s.min_total_variance - wmin < 1e-3 * s.min_total_variance,
            "{}: {wmin} vs {}",
            s.slice,
            s.min_total_variance
        );
        let report = butterfly_check(&SviSmile::new(raw, s.t).unwrap(), &grid);
        assert_eq!(
            report.violations.len(),
            s.g_negative_ranges.len(),
            "{}",
            s.slice
        );
        for (found, want) in report.violations.iter().zip(&s.g_negative_ranges) {
            match want.k_from {
                Some(k) => {
                    assert!(
                        !found.open_left && ARB_INTERVAL.ok(found.from, k),
                        "{}",
                        s.slice
                    );
                    max_end_err = max_end_err.max((found.from - k).abs());
                }
                None => assert!(found.open_left, "{}", s.slice),
            }
            match want.k_to {
                Some(k) => {
                    assert!(
                        !found.open_right && ARB_INTERVAL.ok(found.to, k),
                        "{}",
                        s.slice
                    );
                    max_end_err = max_end_err.max((found.to - k).abs());
                }
                None => assert!(found.open_right, "{}", s.slice),
            }
            if want.k_from.is_some() && want.k_to.is_some() {
                let (k, g) = (report.k_at_min, report.min_value);
                assert!(ARB_ARGMIN.ok(k, want.k_at_min_g), "{}: {k}", s.slice);
                assert!(SVI_G.ok(g, want.min_g), "{}: {g}", s.slice);
                eprintln!(
                    "{}: g < 0 on ({:.10}, {:.10}), min {g:.10} at k = {k:.8}",
                    s.slice, found.from, found.to
                );
            }
        }
    }
    eprintln!("svi.json slices: max error of interval ends {max_end_err:.1e}");
}
