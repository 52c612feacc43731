//! Stages of the Andersen-Lake-Offengenden fixed-point engine: collocation of the exercise
//! boundary and the early-exercise premium integral, for a put with unit strike.
//!
//! The put boundary `B(τ)` (τ = time to expiry) is represented through
//! `H(√τ) = ln(B(τ)/X)²`, `X = K·min(1, r/q)` its limit at expiry, interpolated in Chebyshev
//! polynomials of `z = 2√(τ/T) − 1`; this removes the `√(τ·ln τ)` behaviour of `B` near
//! expiry. On the collocation nodes `B` solves `B(τ) = K·e^{−(r−q)τ}·N(τ, B)/D(τ, B)`, iterated
//! as a fixed point (a Jacobi-Newton step first). Two forms of `N/D` are available:
//!
//! ```text
//! FP-A: N = φ(d₋(τ, B/K))/(σ√τ) + r∫₀^τ e^{ru} φ(d₋(τ−u, B(τ)/B(u)))/(σ√(τ−u)) du
//!       D = φ(d₊(τ, B/K))/(σ√τ) + Φ(d₊(τ, B/K))
//!           + q∫₀^τ e^{qu} [φ(d₊(τ−u, B(τ)/B(u)))/(σ√(τ−u)) + Φ(d₊(τ−u, B(τ)/B(u)))] du
//! FP-B: N = Φ(d₋(τ, B/K)) + r∫₀^τ e^{ru} Φ(d₋(τ−u, B(τ)/B(u))) du
//!       D = Φ(d₊(τ, B/K)) + q∫₀^τ e^{qu} Φ(d₊(τ−u, B(τ)/B(u))) du
//! ```
//!
//! with `d±(t, z) = (ln z + (r − q)t)/(σ√t) ± σ√t/2`. FP-A integrals are taken in
//! `τ − u = τ(1 + y)²/4`, which cancels the `1/√(τ − u)` singularity. The price is the European
//! value plus the premium
//!
//! ```text
//! ∫₀^T [rK e^{−rt} Φ(−d₋(t, S/B(T−t))) − qS e^{−qt} Φ(−d₊(t, S/B(T−t)))] dt,
//! ```
//!
//! integrated in `t = s²` by Gauss-Legendre.
//!
//! Reference: L. Andersen, M. Lake, D. Offengenden (2016), "High-performance American option
//! pricing", *Journal of Computational Finance* 20(1), 39–87.

use parapet_core::special::{norm_cdf, norm_pdf};

use super::quadrature::{Chebyshev, GaussLegendre};
use super::qdplus::{self, Put};
use super::settings::FixedPointEquation;

/// The collocated put boundary for unit strike: `b(τ) = x_max·exp(−√H(z))`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnitBoundary {
    pub(crate) x_max: f64,
    pub(crate) expiry: f64,
    pub(crate) coef: Vec<f64>,
}

impl UnitBoundary {
    /// `b(τ)` for `0 ≤ τ ≤ T`.
    #[inline]
    pub(crate) fn at(&self, tau: f64) -> f64 {
        let z = 2.0 * (tau.max(0.0) / self.expiry).sqrt() - 1.0;
        self.from_z(z)
    }

    #[inline]
    fn from_z(&self, z: f64) -> f64 {
        let h = Chebyshev::eval(&self.coef, z);
        self.x_max * (-h.max(0.0).sqrt()).exp()
    }
}

/// One quadrature point of the fixed-point integrals at one collocation node.
#[derive(Debug, Clone, Copy)]
struct Point {
    /// Chebyshev coordinate of the boundary time `u`.
    z: f64,
    /// Length of the interval `τ − u`.
    m: f64,
    /// `w·e^{ru}` and `w·e^{qu}` with the quadrature weight and Jacobian folded in.
    wr: f64,
    wq: f64,
    /// FP-A only: the Jacobian `τ(1 + y)/2` multiplying the `Φ` term relative to the `φ` term.
    jac: f64,
}

/// Collocates the unit-strike put boundary for `r > 0` (the caller handles other regimes).
pub(crate) fn unit_boundary(
    put: &Put,
    equation: FixedPointEquation,
    iterations: usize,
    cheb: &Chebyshev,
    rule: &GaussLegendre,
) -> UnitBoundary {
    let (r, q, vol, big_t) = (put.r, put.q, put.vol, put.expiry);
    let unit = Put {
        strike: 1.0,
        spot: put.spot / put.strike,
        ..*put
    };
    let x_max = unit.x_max();
    let n = cheb.degree();
    let taus: Vec<f64> = (0..=n)
        .map(|k| 0.25 * big_t * (1.0 + cheb.node(k)).powi(2))
        .collect();
    // Initial guess: QD+ on the nodes; the last node is τ = 0 where H = 0 exactly.
    let mut values = vec![0.0; n + 1];
    for k in 0..n {
        let b = qdplus::boundary(&unit, taus[k]);
        values[k] = h_of(b, x_max);
    }
    let mut boundary = UnitBoundary {
        x_max,
        expiry: big_t,
        coef: vec![0.0; n + 1],
    };
    cheb.fit(&values, &mut boundary.coef);

    let use_a = match equation {
        FixedPointEquation::FpA => true,
        FixedPointEquation::FpB => false,
        // FP-B converges poorly when r ≈ q (N and D nearly cancel in their integral terms).
        FixedPointEquation::Auto => (r - q).abs() < 1e-3,
    };
    let l = rule.nodes.len();
    let mut points = Vec::with_capacity(n * l);
    for &tau in &taus[..n] {
        for (&y, &w) in rule.nodes.iter().zip(&rule.weights) {
            let (u, m, scale, jac) = if use_a {
                let m = 0.25 * tau * (1.0 + y).powi(2);
                (tau - m, m, w * tau.sqrt() / vol, 0.5 * tau * (1.0 + y) * vol / tau.sqrt())
            } else {
                let u = 0.5 * tau * (1.0 + y);
                (u, tau - u, 0.5 * tau * w, 0.0)
            };
            points.push(Point {
                z: 2.0 * (u / big_t).sqrt() - 1.0,
                m,
                wr: scale * (r * u).exp(),
                wq: scale * (q * u).exp(),
                jac,
            });
        }
    }

    let eval = |b: f64, tau: f64, pts: &[Point], bd: &UnitBoundary| -> (f64, f64) {
        let (mut ni, mut di) = (0.0, 0.0);
        for p in pts {
            let v = vol * p.m.sqrt();
            let ratio = b / bd.from_z(p.z);
            let dp = (ratio.ln() + (r - q) * p.m) / v + 0.5 * v;
            let dm = dp - v;
            if use_a {
                let phi_p = norm_pdf(dp);
                ni += p.wr * norm_pdf(dm);
                di += p.wq * (phi_p + p.jac * norm_cdf(dp));
            } else {
                ni += p.wr * norm_cdf(dm);
                di += p.wq * norm_cdf(dp);
            }
        }
        let v = vol * tau.sqrt();
        let dp = (b.ln() + (r - q) * tau) / v + 0.5 * v;
        let dm = dp - v;
        if use_a {
            (
                norm_pdf(dm) / v + r * ni,
                norm_pdf(dp) / v + norm_cdf(dp) + q * di,
            )
        } else {
            (norm_cdf(dm) + r * ni, norm_cdf(dp) + q * di)
        }
    };

    for it in 0..iterations {
        for k in 0..n {
            let tau = taus[k];
            let pts = &points[k * l..(k + 1) * l];
            let b = boundary.at(tau);
            let (num, den) = eval(b, tau, pts, &boundary);
            let alpha = (-(r - q) * tau).exp();
            let f = alpha * num / den;
            let next = if it == 0 {
                // Jacobi-Newton: Newton on B − f(B) with dN/dB, dD/dB from the local terms.
                let v = vol * tau.sqrt();
                let dp = (b.ln() + (r - q) * tau) / v + 0.5 * v;
                let dm = dp - v;
                let (nd, dd) = if use_a {
                    (
                        -norm_pdf(dm) * dm / (b * v * v),
                        -norm_pdf(dp) * dp / (b * v * v) + norm_pdf(dp) / (b * v),
                    )
                } else {
                    (norm_pdf(dm) / (b * v), norm_pdf(dp) / (b * v))
                };
                let fd = alpha * (nd / den - dd * num / (den * den));
                let newton = b - (f - b) / (fd - 1.0);
                if newton.is_finite() && newton > 0.0 { newton } else { f }
            } else {
                f
            };
            values[k] = h_of(next, x_max);
        }
        cheb.fit(&values, &mut boundary.coef);
    }
    boundary
}

/// `H = ln(b/x_max)²`, clamped at the boundary's upper limit.
#[inline]
fn h_of(b: f64, x_max: f64) -> f64 {
    if b.is_finite() && b > 0.0 && b < x_max {
        (b / x_max).ln().powi(2)
    } else if b > 0.0 {
        0.0
    } else {
        // A collapsed iterate: keep the boundary far below the strike rather than at 0.
        (1e-12f64).ln().powi(2)
    }
}

/// The early-exercise premium of a put with `spot`, `strike`, whose boundary is
/// `strike·b(τ)`, integrated with `rule` in `t = s²`.
pub(crate) fn premium(put: &Put, boundary: &UnitBoundary, rule: &GaussLegendre) -> f64 {
    let (s, k, r, q, vol, big_t) = (put.spot, put.strike, put.r, put.q, put.vol, put.expiry);
    let c = 0.5 * big_t.sqrt();
    let mut sum = 0.0;
    for (&x, &w) in rule.nodes.iter().zip(&rule.weights) {
        let z = c * (1.0 + x);
        let t = z * z;
        let b = k * boundary.at(big_t - t);
        let v = vol * z;
        let dp = ((s / b).ln() + (r - q) * t) / v + 0.5 * v;
        let dm = dp - v;
        let g = r * k * (-r * t).exp() * norm_cdf(-dm) - q * s * (-q * t).exp() * norm_cdf(-dp);
        sum += w * 2.0 * z * g;
    }
    (c * sum).max(0.0)
}
