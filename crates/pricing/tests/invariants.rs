//! Invariants by proptest: put-call parity, bounds, monotonicity, implied-volatility round
//! trips over the whole domain, and Greeks against central finite differences.

mod common;

use parapet_core::special::norm_cdf;
use parapet_core::{Market, OptionKind, Vanilla};
use parapet_pricing::black::Black76;
use parapet_pricing::{PricingError, bachelier, black, bsm, implied};
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = OptionKind> {
    prop_oneof![Just(OptionKind::Call), Just(OptionKind::Put)]
}

proptest! {
    #![proptest_config(ProptestConfig {
        max_global_rejects: 1_000_000,
        ..ProptestConfig::with_cases(2000)
    })]

    /// C − P = F − K, and intrinsic ≤ V ≤ bound, over strikes e^{±8}, vols 1e-4..10 and
    /// expiries of a second to 50 years.
    #[test]
    fn parity_and_bounds(
        ln_k in -8.0f64..8.0,
        ln_vol in (1e-4f64).ln()..(10.0f64).ln(),
        ln_t in (1.0f64 / 31_536_000.0).ln()..(50.0f64).ln(),
    ) {
        let (f, k, vol, t) = (1.0, ln_k.exp(), ln_vol.exp(), ln_t.exp());
        let c = black::price(OptionKind::Call, f, k, t, vol);
        let p = black::price(OptionKind::Put, f, k, t, vol);
        let scale = f64::max(f, k);
        prop_assert!(((c - p) - (f - k)).abs() <= 4.0 * f64::EPSILON * scale);
        prop_assert!(c >= (f - k).max(0.0) && c <= f);
        prop_assert!(p >= (k - f).max(0.0) && p <= k);
    }

    /// Over extreme but valid inputs (forwards and strikes 1e-100..1e100, expiries 0..1e4
    /// years, vols 0..1e3) prices are finite and within their bounds, and the implied vol of
    /// any price is a finite positive number or a typed error — never NaN, ±∞ or a silent 0.
    #[test]
    fn never_nan_on_valid_input(
        ln_f in -230.0f64..230.0,
        ln_k in -230.0f64..230.0,
        t in prop_oneof![Just(0.0), 0.0f64..1e4],
        vol in prop_oneof![Just(0.0), 0.0f64..1e3, 1e-12f64..1e-6],
        frac in 0.0f64..=1.0,
        kind in kind(),
    ) {
        let (f, k) = (ln_f.exp(), ln_k.exp());
        let p = black::price(kind, f, k, t, vol);
        let bound = match kind { OptionKind::Call => f, OptionKind::Put => k };
        prop_assert!(p.is_finite() && p >= kind.intrinsic(f, k) && p <= bound, "{p}");
        prop_assert!(black::vega(f, k, t, vol).is_finite());
        // Any price between the bounds, including the bounds themselves.
        let q = kind.intrinsic(f, k) + frac * (bound - kind.intrinsic(f, k));
        match implied::black_vol(kind, f, k, t.max(1e-9), q) {
            Ok(v) => prop_assert!(v.is_finite() && v > 0.0, "{v}"),
            Err(e) => prop_assert!(matches!(
                e,
                PricingError::BelowIntrinsic { .. } | PricingError::AboveUpperBound { .. }
            ), "{e}"),
        }
    }

    /// Bachelier σ → price → σ, forwards and strikes of either sign, `|F − K|/(σ√T)` up to
    /// ~30, within what the price's last ulp determines.
    #[test]
    fn normal_vol_round_trip(
        f in -0.05f64..0.05,
        k in -0.05f64..0.05,
        ln_vol in (1e-4f64).ln()..(0.05f64).ln(),
        ln_t in (1.0f64 / 365.0).ln()..(30.0f64).ln(),
        kind in kind(),
    ) {
        let (vol, t) = (ln_vol.exp(), ln_t.exp());
        let p = bachelier::price(kind, f, k, t, vol);
        prop_assume!(p > kind.intrinsic(f, k) && p > 1e-300);
        let vega = bachelier::vega(f, k, t, vol);
        let tol = f64::max(1e-14, 4.0 * f64::EPSILON * p / (vega * vol));
        let iv = implied::normal_vol(kind, f, k, t, p).unwrap();
        prop_assert!((iv - vol).abs() <= tol * vol, "iv {iv} vol {vol} tol {tol}");
    }

    /// The forward Greeks' cumulative normals (taken from the price's `erfcx` values by
    /// parity) agree with `Φ(θd)` evaluated directly, to the conditioning of `d`, in both tails.
    #[test]
    fn forward_greeks_match_direct_cumulative_normals(
        ln_k in -3.0f64..3.0,
        ln_s in (1e-3f64).ln()..(10.0f64).ln(),
        kind in kind(),
    ) {
        let (k, s) = (ln_k.exp(), ln_s.exp());
        let g = Black76::new(kind, 1.0, k, 1.0).unwrap().greeks(s).unwrap();
        // ln(F/K) to full relative precision near the money (F − K is exact there).
        let x = if k <= 2.0 { ((1.0 - k) / k).ln_1p() } else { (1.0 / k).ln() };
        let d1 = x / s + 0.5 * s;
        let d2 = d1 - s;
        let theta = kind.sign();
        let tol = |want: f64| 1e-14 * (1.0 + d1 * d1 + d2 * d2) * want.abs() + 1e-300;
        let delta = theta * norm_cdf(theta * d1);
        let itm = norm_cdf(theta * d2);
        prop_assert!((g.delta - delta).abs() <= tol(delta), "{} vs {delta}", g.delta);
        prop_assert!((g.itm_probability - itm).abs() <= tol(itm), "{} vs {itm}", g.itm_probability);
        prop_assert!((g.strike_delta + theta * itm).abs() <= tol(itm));
        prop_assert_eq!(g.price, black::price(kind, 1.0, k, 1.0, s));
    }

    /// BSM prices and every Greek are finite, or a typed overflow error where the true value
    /// leaves the double range, over extreme but valid inputs: strikes e^{±50}, expiries a
    /// second to 100 years, vols 1e-300..50, rates and yields ±20%.
    #[test]
    fn bsm_greeks_never_nan(
        ln_k in -50.0f64..50.0,
        ln_t in (1.0f64 / 31_536_000.0).ln()..(100.0f64).ln(),
        ln_vol in (1e-300f64).ln()..(50.0f64).ln(),
        r in -0.2f64..0.2,
        q in -0.2f64..0.2,
        kind in kind(),
    ) {
        let m = Market::new(1.0, r, q).unwrap();
        let o = Vanilla::european(kind, ln_k.exp(), ln_t.exp()).unwrap();
        match (bsm::greeks(&o, &m, ln_vol.exp()), bsm::higher_order(&o, &m, ln_vol.exp())) {
            (Ok(g), Ok(h)) => {
                let all = [
                    g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.dividend_rho, h.vanna,
                    h.volga, h.charm, h.veta, h.speed, h.zomma, h.color, h.ultima, h.dual_delta,
                    h.dual_gamma,
                ];
                prop_assert!(all.iter().all(|v| v.is_finite()), "{g:?} {h:?}");
            }
            (g, h) => {
                for e in [g.err(), h.err()].into_iter().flatten() {
                    prop_assert!(matches!(e, PricingError::Overflow { .. }), "{e}");
                }
            }
        }
    }

    /// Black-76 higher-order Greeks (forward form) against central differences of the
    /// analytic lower-order forward Greeks; time moves with the forward fixed and the discount
    /// factor rolling at its rate.
    #[test]
    fn forward_higher_order_matches_finite_differences(
        k in 70.0f64..140.0,
        t in 0.1f64..3.0,
        vol in 0.1f64..0.8,
        r in -0.02f64..0.08,
        kind in kind(),
    ) {
        let at = |f: f64, k: f64, t: f64, v: f64| {
            let o = Black76::new(kind, f, k, t).unwrap().with_discount((-r * t).exp()).unwrap();
            (o.greeks(v).unwrap(), o.higher_order(v).unwrap())
        };
        let d1 = ((100.0 / k).ln() + 0.5 * vol * vol * t) / (vol * t.sqrt());
        prop_assume!(d1.abs() <= 6.0);
        let (g, h) = at(100.0, k, t, vol);
        let (ds, dv, dt) = (1e-3, 1e-5, 1e-5);
        let c = |a: f64, b: f64, step: f64| (a - b) / (2.0 * step);
        let close = |fd: f64, an: f64, scale: f64| {
            (fd - an).abs() <= 2e-5 * an.abs() + 1e-7 * scale + 64.0 * f64::EPSILON * scale / 1e-5
        };
        let (us, ds_) = (at(100.0 + ds, k, t, vol), at(100.0 - ds, k, t, vol));
        let (uv, dv_) = (at(100.0, k, t, vol + dv), at(100.0, k, t, vol - dv));
        let (ft, bt) = (at(100.0, k, t - dt, vol), at(100.0, k, t + dt, vol));
        let (uk, dk) = (at(100.0, k + ds, t, vol), at(100.0, k - ds, t, vol));
        prop_assert!(close(c(uv.0.delta, dv_.0.delta, dv), h.vanna, 1.0 / vol));
        prop_assert!(close(c(uv.0.vega, dv_.0.vega, dv), h.volga, g.vega / vol));
        prop_assert!(close(c(ft.0.delta, bt.0.delta, dt), h.charm, 1.0 / t));
        prop_assert!(close(c(ft.0.vega, bt.0.vega, dt), h.veta, g.vega / t));
        prop_assert!(close(c(us.0.gamma, ds_.0.gamma, ds), h.speed, g.gamma / 100.0));
        prop_assert!(close(c(uv.0.gamma, dv_.0.gamma, dv), h.zomma, g.gamma / vol));
        prop_assert!(close(c(ft.0.gamma, bt.0.gamma, dt), h.color, g.gamma / t));
        prop_assert!(close(c(uv.1.volga, dv_.1.volga, dv), h.ultima, (h.volga.abs() + g.vega) / vol));
        prop_assert!(close(c(uk.0.strike_delta, dk.0.strike_delta, ds), h.dual_gamma, 1.0 / k));
        prop_assert!((h.dual_delta - g.strike_delta).abs() <= 1e-15);
    }

    /// The price increases with volatility and is monotone in the strike.
    #[test]
    fn monotone_in_vol_and_strike(
        ln_k in -3.0f64..3.0,
        vol in 0.01f64..2.0,
        t in 0.01f64..10.0,
        bump in 1e-3f64..0.5,
        kind in kind(),
    ) {
        let k = ln_k.exp();
        let v0 = black::price(kind, 1.0, k, t, vol);
        let v1 = black::price(kind, 1.0, k, t, vol * (1.0 + bump));
        prop_assert!(v1 >= v0);
        let w = black::price(kind, 1.0, k * (1.0 + bump), t, vol);
        match kind {
            OptionKind::Call => prop_assert!(w <= v0),
            OptionKind::Put => prop_assert!(w >= v0),
        }
    }

    /// σ → price → σ over the whole domain, within the accuracy the price's last ulp allows:
    /// `max(2e-14, 4·ε·price/(vega·σ))` (the `achievable_rel_tol` of implied_vol.json).
    /// Sampled in total volatility `s = σ√T ∈ [1e-5, 30]` and `h = ln(F/K)/s ∈ [−25, 25]`
    /// (prices down to ~1e-140 of the forward), expiries of a second to 50 years.
    #[test]
    fn implied_vol_round_trip(
        ln_s in (1e-5f64).ln()..(30.0f64).ln(),
        h in -25.0f64..25.0,
        ln_t in (1.0f64 / 31_536_000.0).ln()..(50.0f64).ln(),
        kind in kind(),
    ) {
        let s = ln_s.exp();
        let t = ln_t.exp();
        let x = (h * s).clamp(-8.0, 8.0);
        let (f, k, vol) = (1.0, (-x).exp(), s / t.sqrt());
        let p = black::price(kind, f, k, t, vol);
        let intrinsic = kind.intrinsic(f, k);
        let bound = match kind { OptionKind::Call => f, OptionKind::Put => k };
        // No time value left in the double (deep in the money) or no distance to the bound:
        // nothing to invert.
        prop_assume!(p > intrinsic && p < bound && p > 1e-300);
        let vega = black::vega(f, k, t, vol);
        let tol = f64::max(2e-14, 4.0 * f64::EPSILON * p / (vega * vol));
        let iv = implied::black_vol(kind, f, k, t, p).unwrap();
        prop_assert!((iv - vol).abs() <= tol * vol, "iv {iv} vol {vol} tol {tol}");
    }

    /// First-, second- and third-order Greeks against central differences of the price (or of
    /// the analytic lower-order Greek).
    #[test]
    fn greeks_match_finite_differences(
        k in 60.0f64..160.0,
        t in 0.1f64..3.0,
        vol in 0.1f64..0.8,
        r in -0.02f64..0.08,
        q in -0.02f64..0.08,
        kind in kind(),
    ) {
        let m = Market::new(100.0, r, q).unwrap();
        let o = Vanilla::european(kind, k, t).unwrap();
        // Central differences need the Greeks to vary slowly on the step: |d₁| ≤ 6 (the far
        // tails are covered against mpmath in european.rs).
        let d1 = ((100.0 / k).ln() + (r - q + 0.5 * vol * vol) * t) / (vol * t.sqrt());
        prop_assume!(d1.abs() <= 6.0);
        let g = bsm::greeks(&o, &m, vol).unwrap();
        let h = bsm::higher_order(&o, &m, vol).unwrap();
        let at = |s: f64, r: f64, q: f64, t: f64, k: f64, v: f64| {
            let m = Market::new(s, r, q).unwrap();
            let o = Vanilla::european(kind, k, t).unwrap();
            (bsm::greeks(&o, &m, v).unwrap(), bsm::higher_order(&o, &m, v).unwrap())
        };
        // Truncation (2e-5 relative: far from the money the Greeks vary on the scale S·σ√T/|d₁|)
        // plus the rounding noise of a central difference,
        // ε·|f|/step, for a function of size `f_scale`.
        // A Greek that crosses zero keeps the truncation error of its neighbours: allow 1e-7 of
        // the natural scale (differentiated function / natural unit of the variable) as well.
        let natural = |f: f64, unit: f64| 1e-7 * f.abs() / unit;
        let close = |fd: f64, an: f64, f_scale_over_step: f64| {
            (fd - an).abs() <= 2e-5 * an.abs() + 64.0 * f64::EPSILON * f_scale_over_step
        };
        let close_n = |fd: f64, an: f64, f_scale_over_step: f64, nat: f64| {
            (fd - an).abs() <= 2e-5 * an.abs() + nat + 64.0 * f64::EPSILON * f_scale_over_step
        };
        let (ds, dv, dt, dr) = (1e-3, 1e-5, 1e-5, 1e-5);
        let up_s = at(100.0 + ds, r, q, t, k, vol);
        let dn_s = at(100.0 - ds, r, q, t, k, vol);
        let up_v = at(100.0, r, q, t, k, vol + dv);
        let dn_v = at(100.0, r, q, t, k, vol - dv);
        // Calendar time t runs forward as the expiry T shrinks.
        let fwd_t = at(100.0, r, q, t - dt, k, vol);
        let bwd_t = at(100.0, r, q, t + dt, k, vol);
        let up_r = at(100.0, r + dr, q, t, k, vol);
        let dn_r = at(100.0, r - dr, q, t, k, vol);
        let up_q = at(100.0, r, q + dr, t, k, vol);
        let dn_q = at(100.0, r, q - dr, t, k, vol);
        let up_k = at(100.0, r, q, t, k + ds, vol);
        let dn_k = at(100.0, r, q, t, k - ds, vol);
        let c = |a: f64, b: f64, step: f64| (a - b) / (2.0 * step);
        prop_assert!(close(c(up_s.0.price, dn_s.0.price, ds), g.delta, 100.0 / ds));
        prop_assert!(close(c(up_s.0.delta, dn_s.0.delta, ds), g.gamma, 1.0 / ds));
        prop_assert!(close(c(up_v.0.price, dn_v.0.price, dv), g.vega, 100.0 / dv));
        prop_assert!(close_n(c(fwd_t.0.price, bwd_t.0.price, dt), g.theta, 100.0 / dt, natural(g.price, t)));
        prop_assert!(close(c(up_r.0.price, dn_r.0.price, dr), g.rho, 100.0 / dr));
        prop_assert!(close(c(up_q.0.price, dn_q.0.price, dr), g.dividend_rho, 100.0 / dr));
        prop_assert!(close_n(c(up_v.0.delta, dn_v.0.delta, dv), h.vanna, 1.0 / dv, natural(g.delta, vol)));
        prop_assert!(close_n(c(up_v.0.vega, dn_v.0.vega, dv), h.volga, (g.vega + 1.0) / dv, natural(g.vega, vol)));
        prop_assert!(close_n(c(fwd_t.0.delta, bwd_t.0.delta, dt), h.charm, 1.0 / dt, natural(g.delta, t)));
        prop_assert!(close_n(c(fwd_t.0.vega, bwd_t.0.vega, dt), h.veta, (g.vega + 1.0) / dt, natural(g.vega, t)));
        prop_assert!(close_n(c(up_s.0.gamma, dn_s.0.gamma, ds), h.speed, g.gamma / ds, natural(g.gamma, 100.0)));
        prop_assert!(close_n(c(up_v.0.gamma, dn_v.0.gamma, dv), h.zomma, g.gamma / dv, natural(g.gamma, vol)));
        prop_assert!(close_n(c(fwd_t.0.gamma, bwd_t.0.gamma, dt), h.color, g.gamma / dt, natural(g.gamma, t)));
        let ultima = c(up_v.1.volga, dn_v.1.volga, dv);
        prop_assert!(close_n(ultima, h.ultima, (h.volga.abs() + g.vega) / dv, natural(h.volga, vol)), "{ultima} {}", h.ultima);
        prop_assert!(close(c(up_k.0.price, dn_k.0.price, ds), h.dual_delta, 100.0 / ds));
        prop_assert!(close(c(up_k.1.dual_delta, dn_k.1.dual_delta, ds), h.dual_gamma, 1.0 / ds));
    }
}
