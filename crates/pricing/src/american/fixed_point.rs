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
//! with `d±(t, z) = (ln z + (r − q)t)/(σ√t) ± σ√t/2`. The price is the European value plus
//! the premium
//!
//! ```text
//! ∫₀^T [rK e^{−rt} Φ(−d₋(t, S/B(T−t))) − qS e^{−qt} Φ(−d₊(t, S/B(T−t)))] dt.
//! ```
//!
//! Every integral over an interval `[0, τ]` is taken by Gauss-Legendre in `θ ∈ [0, π/2]` with
//! `u = τ·sin²θ`: both ends carry square-root behaviour (the kernel's `√(τ − u)` at one end,
//! the boundary's `√(u·ln u)` at the other) and both `√u = √τ·sinθ` and `√(τ − u) = √τ·cosθ`
//! are smooth in `θ`. This mapping turns the algebraic convergence of the plain rule into a
//! fast one (1e-9 with 24 points, where the plain rule needs hundreds).
//!
//! Reference: L. Andersen, M. Lake, D. Offengenden (2016), "High-performance American option
//! pricing", *Journal of Computational Finance* 20(1), 39–87.

use std::array;
use std::f64::consts::FRAC_PI_4;
use std::ops::Range;

use parapet_core::special::{erfcx, norm_cdf, norm_pdf};

use super::qdplus::{self, Put};
use super::quadrature::{Chebyshev, GaussLegendre};
use super::settings::FixedPointEquation;
use crate::lane::{self, Job, V};

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
        // At expiry the limit is exact; elsewhere the interpolant's rounding (ε·max H) is
        // amplified by the square root, a few 1e-8 relative next to expiry.
        if tau <= 0.0 {
            return self.x_max;
        }
        let z = 2.0 * (tau.max(0.0) / self.expiry).sqrt() - 1.0;
        let h = Chebyshev::eval(&self.coef, z);
        self.x_max * (-h.max(0.0).sqrt()).exp()
    }
}

/// The quadrature points of the fixed-point integrals at every collocation node (node `k`'s
/// points at `k·l..(k + 1)·l`), as columns, with every quantity that does not depend on the
/// boundary iterate precomputed.
#[derive(Debug)]
struct Points {
    /// `1/(σ√(τ − u))`.
    inv_v: Vec<f64>,
    /// `σ√(τ − u)`.
    v: Vec<f64>,
    /// `(r − q)(τ − u)/(σ√(τ − u)) + σ√(τ − u)/2`: `d₊ = ln(b/B(u))/v + shift`.
    shift: Vec<f64>,
    /// `w·e^{ru}` and `w·e^{qu}` with the quadrature weight and Jacobian folded in.
    wr: Vec<f64>,
    wq: Vec<f64>,
    /// FP-A only: the ratio of the `Φ` term's measure to the `φ` term's.
    jac: Vec<f64>,
}

impl Points {
    /// Empty columns with room for `len` points.
    fn with_capacity(len: usize) -> Self {
        Self {
            inv_v: Vec::with_capacity(len),
            v: Vec::with_capacity(len),
            shift: Vec::with_capacity(len),
            wr: Vec::with_capacity(len),
            wq: Vec::with_capacity(len),
            jac: Vec::with_capacity(len),
        }
    }

    /// The sums of node `range` for `lb = ln(b/X)` and `H(u)` at its points, in lane groups
    /// of [`lane::WIDTH`] and then one lane at a time: `(Σ wr·φ(d₋), Σ wq·(φ(d₊) + jac·Φ(d₊)))`
    /// for FP-A, `(Σ wr·Φ(d₋), Σ wq·Φ(d₊))` for FP-B.
    #[inline(always)]
    fn sums(&self, range: Range<usize>, lb: f64, hs: &[f64], use_a: bool) -> (f64, f64) {
        let packed = range.start + (range.len() - range.len() % lane::WIDTH);
        let (mut ni, mut di) = (V::<{ lane::WIDTH }>::splat(0.0), V::splat(0.0));
        for base in (range.start..packed).step_by(lane::WIDTH) {
            let (n, d) = self.group::<{ lane::WIDTH }>(base, lb, hs, use_a);
            ni = ni + n;
            di = di + d;
        }
        let (mut n_sum, mut d_sum) = (ni.sum(), di.sum());
        for i in packed..range.end {
            let (n, d) = self.group::<1>(i, lb, hs, use_a);
            n_sum += n.0[0];
            d_sum += d.0[0];
        }
        (n_sum, d_sum)
    }

    /// The terms of points `base..base + N`. Both densities are taken from their own
    /// arguments, `φ(d±) = e^{−d±²/2}/√(2π)` (the exponent floored at −708, where the density
    /// is below 1e-307 and negligible against the integrals' other terms), and
    /// `Φ(−|d|) = φ(d)·√(π/2)·erfcx(|d|/√2)`, the larger side its complement: the same
    /// operations in every lane.
    #[inline(always)]
    fn group<const N: usize>(&self, base: usize, lb: f64, hs: &[f64], use_a: bool) -> (V<N>, V<N>) {
        let column = |c: &[f64]| V::<N>(array::from_fn(|i| c[base + i]));
        // ln(b/B(u)) = ln(b/X) + √H(u): no exp/log pair per point.
        let sh = column(hs).max(V::splat(0.0)).sqrt();
        let v = column(&self.v);
        let dp = (lb + sh) * column(&self.inv_v) + column(&self.shift);
        let dm = dp - v;
        let pdf_p = density(dp);
        let pdf_m = density(dm);
        let cdf_p = cdf_from_density(dp, pdf_p);
        if use_a {
            (
                column(&self.wr) * pdf_m,
                column(&self.wq) * (pdf_p + column(&self.jac) * cdf_p),
            )
        } else {
            (
                column(&self.wr) * cdf_from_density(dm, pdf_m),
                column(&self.wq) * cdf_p,
            )
        }
    }
}

/// `φ(d)` lane by lane, the exponent floored at −708 (the lane exponential's range).
#[inline(always)]
fn density<const N: usize>(d: V<N>) -> V<N> {
    const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
    lane::exp((-0.5 * d * d).max(V::splat(-708.0))) * FRAC_1_SQRT_2PI
}

/// `Φ(d)` from `φ(d)`: `Φ(−|d|) = φ(d)·√(π/2)·erfcx(|d|/√2)` and its complement.
#[inline(always)]
fn cdf_from_density<const N: usize>(d: V<N>, pdf: V<N>) -> V<N> {
    const SQRT_FRAC_PI_2: f64 = 1.253_314_137_315_500_3;
    let tail = pdf * SQRT_FRAC_PI_2 * lane::erfcx(d.abs() * std::f64::consts::FRAC_1_SQRT_2);
    d.lt(0.0).select(tail, 1.0 - tail)
}

/// Collocates the unit-strike put boundary for `r > 0` (the caller handles other regimes).
/// The sums over quadrature points run in lane vectors, by [`lane::dispatch`].
pub(crate) fn unit_boundary(
    put: &Put,
    equation: FixedPointEquation,
    iterations: usize,
    cheb: &Chebyshev,
    rule: &GaussLegendre,
) -> UnitBoundary {
    lane::dispatch(Collocation {
        put,
        equation,
        iterations,
        cheb,
        rule,
    })
}

/// [`unit_boundary`] as a lane [`Job`].
struct Collocation<'a> {
    put: &'a Put,
    equation: FixedPointEquation,
    iterations: usize,
    cheb: &'a Chebyshev,
    rule: &'a GaussLegendre,
}

impl Job for Collocation<'_> {
    type Out = UnitBoundary;

    #[inline(always)]
    fn run(self) -> UnitBoundary {
        let Self {
            put,
            equation,
            iterations,
            cheb,
            rule,
        } = self;
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
        // Initial guess: QD+ on the nodes; the last node is τ = 0 where H = 0 exactly. From the
        // shortest τ outwards, each root starting Halley's method at the one before.
        let mut values = vec![0.0; n + 1];
        let mut start = x_max;
        for k in (0..n).rev() {
            start = qdplus::boundary(&unit, taus[k], start);
            values[k] = h_of(start, x_max);
        }
        let mut boundary = UnitBoundary {
            x_max,
            expiry: big_t,
            coef: vec![0.0; n + 1],
        };
        cheb.fit(&values, &mut boundary.coef);

        let use_a = equation == FixedPointEquation::FpA;
        let l = rule.nodes.len();
        let mut points = Points::with_capacity(n * l);
        // Chebyshev coordinates of the boundary times u of every point.
        let mut zs = Vec::with_capacity(n * l);
        for &tau in &taus[..n] {
            for ((&w, &sn), &cs) in rule.weights.iter().zip(&rule.sin).zip(&rule.cos) {
                // u = τ·sin²θ, τ − u = τ·cos²θ with θ = π(1 + y)/4: both √u (the boundary's
                // √(u·ln u) behaviour near expiry) and √(τ − u) (the kernel's) are smooth in θ.
                let (u, m) = (tau * sn * sn, tau * cs * cs);
                let (scale, jac) = if use_a {
                    // dθ-measure of φ(d)/(σ√(τ−u)) du is 2√τ·sinθ/σ; Φ(d) du carries τ·sin2θ.
                    (
                        w * FRAC_PI_4 * 2.0 * tau.sqrt() * sn / vol,
                        vol * tau.sqrt() * cs,
                    )
                } else {
                    (w * FRAC_PI_4 * 2.0 * tau * sn * cs, 0.0)
                };
                let v = vol * m.sqrt();
                zs.push(2.0 * (u / big_t).sqrt() - 1.0);
                points.inv_v.push(1.0 / v);
                points.v.push(v);
                points.shift.push((r - q) * m / v + 0.5 * v);
                points.wr.push(scale * exp_in_range(V([r * u])).0[0]);
                points.wq.push(scale * exp_in_range(V([q * u])).0[0]);
                points.jac.push(jac);
            }
        }

        let mut hs = vec![0.0; zs.len()];

        let ln_x_max = x_max.ln();
        // e^{−(r−q)τ} at the nodes, fixed across iterations.
        let alphas: Vec<f64> = taus[..n].iter().map(|&t| (-(r - q) * t).exp()).collect();

        for it in 0..iterations {
            Chebyshev::eval_many(&boundary.coef, &zs, &mut hs);
            for k in 0..n {
                let tau = taus[k];
                // The interpolant reproduces its node values: b = X·e^{−√H(τ_k)}.
                let lb = -values[k].max(0.0).sqrt();
                let b = x_max * lb.exp();
                // N and D at the node (the point sums in lanes).
                let (ni, di) = points.sums(k * l..(k + 1) * l, lb, &hs, use_a);
                let v = vol * tau.sqrt();
                let dp = (ln_x_max + lb + (r - q) * tau) / v + 0.5 * v;
                let dm = dp - v;
                let (num, den) = if use_a {
                    (
                        norm_pdf(dm) / v + r * ni,
                        norm_pdf(dp) / v + norm_cdf(dp) + q * di,
                    )
                } else {
                    (norm_cdf(dm) + r * ni, norm_cdf(dp) + q * di)
                };
                let alpha = alphas[k];
                let f = alpha * num / den;
                let next = if it == 0 {
                    // Jacobi-Newton: Newton on B − f(B) with dN/dB, dD/dB from the local terms.
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
                    if newton.is_finite() && newton > 0.0 {
                        newton
                    } else {
                        f
                    }
                } else {
                    f
                };
                values[k] = h_of(next, x_max);
            }
            cheb.fit(&values, &mut boundary.coef);
        }
        boundary
    }
}

/// `(φ(x), Φ(x))` sharing one Gaussian exponential.
#[inline]
pub(crate) fn pdf_cdf(x: f64) -> (f64, f64) {
    let pdf = norm_pdf(x);
    (pdf, cdf_from_pdf(x, pdf))
}

/// `Φ(x)` given `φ(x)`: in the tails `Φ(−|x|) = φ(x)·√(π/2)·erfcx(|x|/√2)` (the identity
/// `parapet_core::special::norm_cdf` evaluates, without recomputing the exponential); in the
/// centre, where `norm_cdf` needs no exponential, that function itself.
#[inline]
pub(crate) fn cdf_from_pdf(x: f64, pdf: f64) -> f64 {
    // Below |x|/√2 = 0.46875 norm_cdf uses its rational erf branch.
    const CENTRE: f64 = 0.662_912_607_362_388_5;
    const SQRT_FRAC_PI_2: f64 = 1.253_314_137_315_500_3;
    if x.abs() <= CENTRE || x.is_nan() {
        return norm_cdf(x);
    }
    let tail = pdf * SQRT_FRAC_PI_2 * erfcx(x.abs() * std::f64::consts::FRAC_1_SQRT_2);
    if x < 0.0 { tail } else { 1.0 - tail }
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
/// `strike·b(τ)`, integrated with `rule` in `t = s²`; the points run in lane vectors, by
/// [`lane::dispatch`].
pub(crate) fn premium(put: &Put, boundary: &UnitBoundary, rule: &GaussLegendre) -> f64 {
    lane::dispatch(Premium {
        put,
        boundary,
        rule,
    })
}

/// [`premium`] as a lane [`Job`].
struct Premium<'a> {
    put: &'a Put,
    boundary: &'a UnitBoundary,
    rule: &'a GaussLegendre,
}

impl Job for Premium<'_> {
    type Out = f64;

    #[inline(always)]
    fn run(self) -> f64 {
        let l = self.rule.weights.len();
        let packed = l - l % lane::WIDTH;
        let mut sum = V::<{ lane::WIDTH }>::splat(0.0);
        for base in (0..packed).step_by(lane::WIDTH) {
            sum = sum + self.group::<{ lane::WIDTH }>(base);
        }
        let mut total = sum.sum();
        for i in packed..l {
            total += self.group::<1>(i).0[0];
        }
        (FRAC_PI_4 * total).max(0.0)
    }
}

impl Premium<'_> {
    /// The weighted integrand at points `base..base + N` of the rule.
    #[inline(always)]
    fn group<const N: usize>(&self, base: usize) -> V<N> {
        let (s, k, r, q, vol, big_t) = (
            self.put.spot,
            self.put.strike,
            self.put.r,
            self.put.q,
            self.put.vol,
            self.put.expiry,
        );
        let column = |c: &[f64]| V::<N>(array::from_fn(|i| c[base + i]));
        let (w, sn, cs) = (
            column(&self.rule.weights),
            column(&self.rule.sin),
            column(&self.rule.cos),
        );
        // ln(S/B(T − t)) = ln(S/(K·X)) + √H: the boundary enters without an exp/log pair.
        let ln_moneyness = (s / (k * self.boundary.x_max)).ln();
        // t = T·sin²θ: smooth at t → 0 (the kernel's √t) and at t → T (the boundary's √u).
        // The boundary is read at T − t = T·cos²θ, whose Chebyshev coordinate is 2cosθ − 1.
        let t = big_t * sn * sn;
        let h = Chebyshev::eval_lanes(&self.boundary.coef, 2.0 * cs - 1.0);
        let v = vol * big_t.sqrt() * sn;
        let dp = (ln_moneyness + h.max(V::splat(0.0)).sqrt() + (r - q) * t) / v + 0.5 * v;
        let dm = dp - v;
        let (minus_dp, minus_dm) = (-dp, -dm);
        let g = r * k * exp_in_range(-r * t) * cdf_from_density(minus_dm, density(minus_dm))
            - q * s * exp_in_range(-q * t) * cdf_from_density(minus_dp, density(minus_dp));
        w * 2.0 * big_t * sn * cs * g
    }
}

/// `e^x` lane by lane, `x` clamped to the lane exponential's range `[−708, 708]` (a rate
/// times an expiry beyond it leaves the double range anyway).
#[inline(always)]
fn exp_in_range<const N: usize>(x: V<N>) -> V<N> {
    lane::exp(x.max(V::splat(-708.0)).min(V::splat(708.0)))
}
