//! The bivariate normal distribution function, for the Bjerksund-Stensland (2002) formula.

use std::sync::OnceLock;

use parapet_core::special::norm_cdf;

use super::quadrature::GaussLegendre;

fn rules() -> &'static [GaussLegendre; 3] {
    static RULES: OnceLock<[GaussLegendre; 3]> = OnceLock::new();
    RULES.get_or_init(|| {
        [
            GaussLegendre::new(6),
            GaussLegendre::new(12),
            GaussLegendre::new(20),
        ]
    })
}

/// `P(X ≤ a, Y ≤ b)` for standard normals with correlation `rho ∈ [−1, 1]`, to about 1e-15
/// absolute.
///
/// Drezner-Wesolowsky's integral of the density along the correlation, with Genz's refinement:
/// Gauss-Legendre in `asin ρ` for `|ρ| < 0.925`, and near `|ρ| = 1` an expansion around the
/// degenerate distribution plus a quadrature of the remainder.
///
/// References: Z. Drezner, G.O. Wesolowsky (1990), "On the computation of the bivariate normal
/// integral", *Journal of Statistical Computation and Simulation* 35, 101–107; A. Genz (2004),
/// "Numerical computation of rectangular bivariate and trivariate normal and t probabilities",
/// *Statistics and Computing* 14, 251–260.
pub(crate) fn bivariate_cdf(a: f64, b: f64, rho: f64) -> f64 {
    upper(-a, -b, rho)
}

/// `P(X > h, Y > k)`.
fn upper(h: f64, k: f64, r: f64) -> f64 {
    const TWO_PI: f64 = 2.0 * std::f64::consts::PI;
    if r == 0.0 {
        return norm_cdf(-h) * norm_cdf(-k);
    }
    let rule = &rules()[if r.abs() < 0.3 {
        0
    } else if r.abs() < 0.75 {
        1
    } else {
        2
    }];
    let mut hk = h * k;
    let mut bvn = 0.0;
    if r.abs() < 0.925 {
        let hs = 0.5 * (h * h + k * k);
        let asr = r.asin();
        for (&x, &w) in rule.nodes.iter().zip(&rule.weights) {
            let sn = (0.5 * asr * (x + 1.0)).sin();
            bvn += w * ((sn * hk - hs) / (1.0 - sn * sn)).exp();
        }
        // The full symmetric rule covers Genz's two half-sums.
        return (bvn * asr / (2.0 * TWO_PI) + norm_cdf(-h) * norm_cdf(-k)).clamp(0.0, 1.0);
    }
    let mut k = k;
    if r < 0.0 {
        k = -k;
        hk = -hk;
    }
    if r.abs() < 1.0 {
        let as_ = (1.0 - r) * (1.0 + r);
        let mut a = as_.sqrt();
        let bs = (h - k).powi(2);
        let c = (4.0 - hk) / 8.0;
        let d = (12.0 - hk) / 16.0;
        let asr = -0.5 * (bs / as_ + hk);
        if asr > -100.0 {
            bvn = a
                * asr.exp()
                * (1.0 - c * (bs - as_) * (1.0 - d * bs / 5.0) / 3.0 + c * d * as_ * as_ / 5.0);
        }
        if -hk < 100.0 {
            let b = bs.sqrt();
            bvn -= (-hk / 2.0).exp()
                * TWO_PI.sqrt()
                * norm_cdf(-b / a)
                * b
                * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0);
        }
        a /= 2.0;
        for (&x, &w) in rule.nodes.iter().zip(&rule.weights) {
            // Each node of the full rule stands for one of Genz's (IS·x + 1) pairs.
            let xs = (a * (x + 1.0)).powi(2);
            let rs = (1.0 - xs).sqrt();
            let asr = -0.5 * (bs / xs + hk);
            if asr > -100.0 {
                let sp = 1.0 + c * xs * (1.0 + d * xs);
                let ep = (-hk * (1.0 - rs) / (2.0 * (1.0 + rs))).exp() / rs;
                bvn += a * w * asr.exp() * (ep - sp);
            }
        }
        bvn = -bvn / TWO_PI;
    }
    if r > 0.0 {
        bvn += norm_cdf(-h.max(k));
    } else {
        bvn = -bvn;
        if k > h {
            bvn += if h < 0.0 {
                norm_cdf(k) - norm_cdf(h)
            } else {
                norm_cdf(-h) - norm_cdf(-k)
            };
        }
    }
    bvn.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parapet_core::special::norm_cdf;

    #[test]
    fn matches_closed_forms() {
        // Φ₂(0, 0, ρ) = ¼ + asin(ρ)/(2π) (Sheppard 1898).
        for rho in [
            -0.99, -0.95, -0.9, -0.5, -0.1, 0.0, 0.2, 0.6, 0.8, 0.93, 0.999,
        ] {
            let exact = 0.25 + f64::asin(rho) / (2.0 * std::f64::consts::PI);
            let v = bivariate_cdf(0.0, 0.0, rho);
            assert!((v - exact).abs() < 1e-14, "rho {rho}: {v} vs {exact}");
        }
        // Independence, and ρ → 1: Φ₂(a, b, 1) = Φ(min(a, b)).
        assert!((bivariate_cdf(0.3, -1.2, 0.0) - norm_cdf(0.3) * norm_cdf(-1.2)).abs() < 1e-16);
        assert!((bivariate_cdf(0.3, -1.2, 1.0) - norm_cdf(-1.2)).abs() < 1e-15);
        // Symmetry in the arguments and Φ₂(a, b, ρ) + Φ₂(a, −b, −ρ) = Φ(a).
        for (a, b, r) in [(0.5, -0.7, 0.4), (1.5, 0.2, -0.95), (-2.0, 1.0, 0.97)] {
            let s = bivariate_cdf(a, b, r) + bivariate_cdf(a, -b, -r);
            assert!((s - norm_cdf(a)).abs() < 1e-14, "{a} {b} {r}: {s}");
            assert!((bivariate_cdf(a, b, r) - bivariate_cdf(b, a, r)).abs() < 1e-15);
        }
    }
}
