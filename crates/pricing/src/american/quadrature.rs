//! Gauss-Legendre quadrature rules and Chebyshev interpolation on `[−1, 1]`, shared by the
//! fixed-point American engine and the Heston integrators.

use std::array;

use crate::lane::{self, V};

/// An `n`-point Gauss-Legendre rule on `[−1, 1]`: exact for polynomials of degree `2n − 1`.
///
/// Nodes are the roots of the Legendre polynomial `P_n`, found by Newton's method from the
/// Tricomi initial guess `cos(π(i − ¼)/(n + ½))`; weights are `2/((1 − x²)·P_n'(x)²)`
/// (Abramowitz & Stegun 1964, *Handbook of Mathematical Functions*, 25.4.29).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GaussLegendre {
    pub(crate) nodes: Vec<f64>,
    pub(crate) weights: Vec<f64>,
    /// `sin θ` and `cos θ` of the nodes mapped to `θ = π(1 + x)/4 ∈ [0, π/2]`, for the
    /// sine substitution of the fixed-point engine.
    pub(crate) sin: Vec<f64>,
    pub(crate) cos: Vec<f64>,
}

impl GaussLegendre {
    /// The rule of order `n ≥ 1` (callers validate `n`).
    pub(crate) fn new(n: usize) -> Self {
        let mut nodes = vec![0.0; n];
        let mut weights = vec![0.0; n];
        let nf = n as f64;
        for i in 0..n.div_ceil(2) {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
            let mut dp = 1.0;
            for _ in 0..100 {
                let (p, d) = legendre(n, x);
                dp = d;
                let dx = p / d;
                x -= dx;
                if dx.abs() <= 1e-16 {
                    let (_, d) = legendre(n, x);
                    dp = d;
                    break;
                }
            }
            let w = 2.0 / ((1.0 - x * x) * dp * dp);
            nodes[i] = -x;
            nodes[n - 1 - i] = x;
            weights[i] = w;
            weights[n - 1 - i] = w;
        }
        if n % 2 == 1 {
            // The middle node is exactly zero by symmetry.
            nodes[n / 2] = 0.0;
        }
        let (sin, cos) = nodes
            .iter()
            .map(|&x| (std::f64::consts::FRAC_PI_4 * (1.0 + x)).sin_cos())
            .unzip();
        Self {
            nodes,
            weights,
            sin,
            cos,
        }
    }

    /// `∫_a^b f(x) dx` by the rule mapped affinely onto `[a, b]`.
    #[cfg(test)]
    pub(crate) fn integrate(&self, a: f64, b: f64, f: impl Fn(f64) -> f64) -> f64 {
        let c = 0.5 * (b - a);
        let m = 0.5 * (b + a);
        c * self
            .nodes
            .iter()
            .zip(&self.weights)
            .map(|(&x, &w)| w * f(m + c * x))
            .sum::<f64>()
    }
}

/// `(P_n(x), P_n'(x))` by the three-term recurrence.
fn legendre(n: usize, x: f64) -> (f64, f64) {
    let mut p0 = 1.0;
    let mut p1 = x;
    for k in 2..=n {
        let kf = k as f64;
        let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
        p0 = p1;
        p1 = p2;
    }
    if n == 0 {
        return (1.0, 0.0);
    }
    let d = n as f64 * (x * p1 - p0) / (x * x - 1.0);
    (p1, d)
}

/// Chebyshev interpolation through the `n + 1` Chebyshev-Lobatto points `z_k = cos(kπ/n)`
/// (extrema of `T_n`, both end points included), evaluated by Clenshaw's recurrence.
///
/// Coefficients: `a_j = (2/n)·Σ''_k f(z_k)·cos(jkπ/n)`, and `p(z) = Σ''_j a_j T_j(z)`, where
/// `Σ''` halves the first and last terms (Trefethen 2013, *Approximation Theory and
/// Approximation Practice*, ch. 3).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chebyshev {
    n: usize,
    /// `cos(jkπ/n)`, row-major `(n + 1) × (n + 1)`.
    cos: Vec<f64>,
}

impl Chebyshev {
    /// Interpolation of degree `n ≥ 1` (callers validate `n`).
    pub(crate) fn new(n: usize) -> Self {
        let mut cos = vec![0.0; (n + 1) * (n + 1)];
        for j in 0..=n {
            for k in 0..=n {
                // Reduce jk mod 2n first so the argument stays in [0, 2π) and exact.
                let jk = (j * k) % (2 * n);
                cos[j * (n + 1) + k] = (std::f64::consts::PI * jk as f64 / n as f64).cos();
            }
        }
        Self { n, cos }
    }

    /// The degree `n`.
    pub(crate) fn degree(&self) -> usize {
        self.n
    }

    /// Node `z_k = cos(kπ/n)`: `z_0 = 1`, `z_n = −1`.
    pub(crate) fn node(&self, k: usize) -> f64 {
        self.cos[self.n + 1 + k]
    }

    /// Fills `coef` (length `n + 1`) from the values at the nodes (length `n + 1`), with the
    /// halving of the first and last coefficients already applied.
    pub(crate) fn fit(&self, values: &[f64], coef: &mut [f64]) {
        let n = self.n;
        for (j, c) in coef.iter_mut().enumerate().take(n + 1) {
            let row = &self.cos[j * (n + 1)..(j + 1) * (n + 1)];
            let mut s = 0.5 * (values[0] * row[0] + values[n] * row[n]);
            for k in 1..n {
                s += values[k] * row[k];
            }
            *c = 2.0 * s / n as f64;
        }
        coef[0] *= 0.5;
        coef[n] *= 0.5;
    }

    /// `Σ_j coef_j T_j(z)` at every `z` of `zs` into `out`: [`Chebyshev::eval_lanes`] over
    /// groups of [`lane::WIDTH`] points, then one lane at a time (inlined, so that inside a
    /// [`lane::dispatch`] job it runs in that job's instructions).
    #[inline(always)]
    pub(crate) fn eval_many(coef: &[f64], zs: &[f64], out: &mut [f64]) {
        let packed = zs.len() - zs.len() % lane::WIDTH;
        for base in (0..packed).step_by(lane::WIDTH) {
            let z = V::<{ lane::WIDTH }>(array::from_fn(|i| zs[base + i]));
            out[base..base + lane::WIDTH].copy_from_slice(&Self::eval_lanes(coef, z).0);
        }
        for i in packed..zs.len() {
            out[i] = Self::eval_lanes(coef, V([zs[i]])).0[0];
        }
    }

    /// `Σ_j coef_j T_j(z)` by Clenshaw's recurrence, lane by lane.
    #[inline(always)]
    pub(crate) fn eval_lanes<const N: usize>(coef: &[f64], z: V<N>) -> V<N> {
        let (mut b1, mut b2) = (V::splat(0.0), V::splat(0.0));
        let z2 = 2.0 * z;
        for &c in coef[1..].iter().rev() {
            let b0 = c + z2 * b1 - b2;
            b2 = b1;
            b1 = b0;
        }
        coef[0] + z * b1 - b2
    }

    /// `Σ_j coef_j T_j(z)` by Clenshaw's recurrence.
    #[inline]
    pub(crate) fn eval(coef: &[f64], z: f64) -> f64 {
        Self::eval_lanes(coef, V([z])).0[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_is_exact_for_polynomials() {
        for n in [1, 2, 5, 8, 27, 64, 128] {
            let g = GaussLegendre::new(n);
            assert!(
                (g.weights.iter().sum::<f64>() - 2.0).abs() < 1e-14,
                "n = {n}"
            );
            // ∫_0^1 x^(2n−1) dx = 1/(2n).
            let deg = 2 * n - 1;
            let v = g.integrate(0.0, 1.0, |x| x.powi(deg as i32));
            assert!((v - 1.0 / (deg as f64 + 1.0)).abs() < 1e-14, "n = {n}: {v}");
        }
        let g = GaussLegendre::new(20);
        let v = g.integrate(0.0, std::f64::consts::PI, f64::sin);
        assert!((v - 2.0).abs() < 1e-14);
    }

    #[test]
    fn chebyshev_reproduces_smooth_functions() {
        let c = Chebyshev::new(24);
        let vals: Vec<f64> = (0..=24).map(|k| c.node(k).exp()).collect();
        let mut coef = vec![0.0; 25];
        c.fit(&vals, &mut coef);
        for i in 0..=100 {
            let z = -1.0 + 0.02 * i as f64;
            assert!(
                (Chebyshev::eval(&coef, z) - z.exp()).abs() < 1e-14,
                "z = {z}"
            );
        }
        assert_eq!(c.node(0), 1.0);
        assert_eq!(c.node(24), -1.0);
        assert_eq!(c.degree(), 24);
        let zs: Vec<f64> = (0..37).map(|i| -1.0 + i as f64 / 18.0).collect();
        let mut out = vec![0.0; 37];
        Chebyshev::eval_many(&coef, &zs, &mut out);
        for (z, v) in zs.iter().zip(&out) {
            assert!((v - Chebyshev::eval(&coef, *z)).abs() < 1e-15);
        }
    }
}
