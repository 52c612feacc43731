//! Invariants by proptest: VaR ≤ ES, monotone in α, ES subadditive, Euler components add up.

use ndarray::Array2;
use parapet_risk::{
    Confidence, EsMethod, Measure, NormalModel, QuantileMethod, StudentTModel,
    historical_attribution, historical_var_es, parametric_attribution,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn returns(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-0.2f64..0.2, n)
}

fn level() -> impl Strategy<Value = f64> {
    0.5f64..0.999
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/properties.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn historical_var_below_es_and_monotone(r in returns(1..400), a in level(), b in level()) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let m = QuantileMethod::default();
        let e = EsMethod::default();
        let t_lo = historical_var_es(&r, Confidence::new(lo).unwrap(), m, e).unwrap();
        let t_hi = historical_var_es(&r, Confidence::new(hi).unwrap(), m, e).unwrap();
        prop_assert!(t_lo.var <= t_lo.es + 1e-15);
        prop_assert!(t_hi.var <= t_hi.es + 1e-15);
        prop_assert!(t_lo.var <= t_hi.var);
        prop_assert!(t_lo.es <= t_hi.es + 1e-15);
    }

    #[test]
    fn parametric_var_below_es_and_monotone(mu in -0.01f64..0.01, sd in 1e-4f64..0.1, df in 2.1f64..50.0, a in level(), b in level()) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let (clo, chi) = (Confidence::new(lo).unwrap(), Confidence::new(hi).unwrap());
        let n = NormalModel::new(mu, sd).unwrap();
        let t = StudentTModel::new(df, mu, sd).unwrap();
        for (x, y) in [(n.var_es(clo).unwrap(), n.var_es(chi).unwrap()), (t.var_es(clo).unwrap(), t.var_es(chi).unwrap())] {
            prop_assert!(x.var <= x.es && y.var <= y.es);
            prop_assert!(x.var <= y.var + 1e-15 && x.es <= y.es + 1e-15);
        }
    }

    #[test]
    fn historical_es_is_subadditive(pairs in prop::collection::vec((-0.2f64..0.2, -0.2f64..0.2), 2..300), wx in -2.0f64..2.0, wy in -2.0f64..2.0, a in level()) {
        let c = Confidence::new(a).unwrap();
        let x: Vec<f64> = pairs.iter().map(|p| wx * p.0).collect();
        let y: Vec<f64> = pairs.iter().map(|p| wy * p.1).collect();
        let xy: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a + b).collect();
        let es = |v: &[f64]| historical_var_es(v, c, QuantileMethod::default(), EsMethod::Fractional).unwrap().es;
        prop_assert!(es(&xy) <= es(&x) + es(&y) + 1e-12);
    }

    #[test]
    fn euler_components_sum_to_total(
        rows in prop::collection::vec(prop::collection::vec(-0.1f64..0.1, 3), 20..200),
        w in prop::collection::vec(-1.0f64..1.0, 3),
        a in level(),
    ) {
        let c = Confidence::new(a).unwrap();
        let t = rows.len();
        let s = Array2::from_shape_vec((t, 3), rows.concat()).unwrap();
        for measure in [Measure::Var, Measure::Es] {
            let h = historical_attribution(&w, s.view(), c, measure).unwrap();
            let sum: f64 = h.component.iter().sum();
            prop_assert!((sum - h.total).abs() <= 1e-12);
            // The historical total is the historical measure of the portfolio.
            let p: Vec<f64> = s.rows().into_iter().map(|r| r.iter().zip(&w).map(|(a, b)| a * b).sum()).collect();
            let direct = historical_var_es(&p, c, QuantileMethod::LowerLoss, EsMethod::Fractional).unwrap();
            let expect = if measure == Measure::Var { direct.var } else { direct.es };
            prop_assert!((h.total - expect).abs() <= 1e-12);
        }
        // Parametric on the sample covariance.
        let mean: Vec<f64> = (0..3).map(|j| s.column(j).sum() / t as f64).collect();
        let cov = Array2::from_shape_fn((3, 3), |(i, j)| {
            s.column(i).iter().zip(s.column(j)).map(|(a, b)| (a - mean[i]) * (b - mean[j])).sum::<f64>() / (t as f64 - 1.0)
        });
        if let Ok(p) = parametric_attribution(&w, &mean, cov.view(), c, Measure::Es) {
            let sum: f64 = p.component.iter().sum();
            prop_assert!((sum - p.total).abs() <= 1e-12 * (1.0 + p.total.abs()));
        }
    }
}
