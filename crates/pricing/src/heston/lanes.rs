//! The Heston characteristic function written once over `N` lanes of complex arguments, for
//! two sets of elementary functions: [`Fast`] (the branch-free polynomial ones of
//! [`lane`](crate::lane), which vectorise) and [`Exact`] (the platform's, lane by lane, which
//! cover every input). Scalar calls try [`Fast`] first and fall back to [`Exact`] where a lane
//! leaves its domain; the integrators evaluate groups of nodes with [`Fast`].

use std::array;
use std::ops::{Add, Mul, Neg, Sub};

use num_complex::Complex64;

use super::HestonParams;
use super::model::{ln1p_ratio, principal_sqrt};
use crate::lane::{self, M, V};

/// `N` complex numbers, real and imaginary parts in separate lane vectors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct C<const N: usize> {
    pub re: V<N>,
    pub im: V<N>,
}

impl<const N: usize> C<N> {
    #[inline(always)]
    pub(crate) fn new(re: V<N>, im: V<N>) -> Self {
        C { re, im }
    }

    /// Every lane `z`.
    #[inline(always)]
    pub(crate) fn splat(z: Complex64) -> Self {
        C::new(V::splat(z.re), V::splat(z.im))
    }

    /// Lane `i`.
    #[inline(always)]
    pub(crate) fn lane(&self, i: usize) -> Complex64 {
        Complex64::new(self.re.0[i], self.im.0[i])
    }

    /// `1/z = z̄/|z|²`.
    #[inline(always)]
    pub(crate) fn inv(self) -> Self {
        let n = self.re * self.re + self.im * self.im;
        C::new(self.re / n, -self.im / n)
    }

    /// `f` applied to each lane as a complex number.
    #[inline(always)]
    fn map(self, f: impl Fn(Complex64) -> Complex64) -> Self {
        let z: [Complex64; N] = array::from_fn(|i| f(self.lane(i)));
        C::new(V(z.map(|z| z.re)), V(z.map(|z| z.im)))
    }
}

impl<const N: usize> Add for C<N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        C::new(self.re + o.re, self.im + o.im)
    }
}

impl<const N: usize> Sub for C<N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        C::new(self.re - o.re, self.im - o.im)
    }
}

impl<const N: usize> Mul for C<N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        C::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
}

impl<const N: usize> Mul<f64> for C<N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, s: f64) -> Self {
        C::new(self.re * s, self.im * s)
    }
}

impl<const N: usize> Neg for C<N> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        C::new(-self.re, -self.im)
    }
}

/// The elementary functions the characteristic function needs; each reports the lanes it
/// evaluated in its domain.
pub(crate) trait ComplexMath {
    /// The principal square root.
    fn sqrt<const N: usize>(z: C<N>) -> (C<N>, M<N>);
    /// `e^z`.
    fn exp<const N: usize>(z: C<N>) -> (C<N>, M<N>);
    /// `ln(1 + w)/w` (principal branch).
    fn ln1p_ratio<const N: usize>(w: C<N>) -> (C<N>, M<N>);
}

/// The branch-free polynomial functions of [`lane`](crate::lane).
pub(crate) struct Fast;

impl ComplexMath for Fast {
    /// Half-angle formulas: `√((|z| + |x|)/2)` for the component that does not cancel, the
    /// other from `y/(2·that)`; the lanes hold `1e-290 < |z|² < 1e290`.
    #[inline(always)]
    fn sqrt<const N: usize>(z: C<N>) -> (C<N>, M<N>) {
        let (x, y) = (z.re, z.im);
        let n2 = x * x + y * y;
        let big = (0.5 * (n2.sqrt() + x.abs())).sqrt();
        let small = 0.5 * y.abs() / big;
        let right = x.ge(0.0);
        let root = C::new(
            right.select(big, small),
            right.select(0.5 * y / big, big.copysign(y)),
        );
        (root, n2.gt(1e-290) & n2.lt(1e290))
    }

    /// `e^{Re z}·(cos Im z, sin Im z)`, the real exponent floored at −708 (where `e^z` is
    /// below 1e-307 and every use multiplies it by bounded factors); the lanes hold
    /// `Re z < 708` and `|Im z| < 1.6e6`.
    #[inline(always)]
    fn exp<const N: usize>(z: C<N>) -> (C<N>, M<N>) {
        let modulus = lane::exp(z.re.max(V::splat(-708.0)));
        let (sin, cos, ok) = lane::sin_cos(z.im);
        (C::new(modulus * cos, modulus * sin), ok & z.re.lt(708.0))
    }

    /// `ln(1 + w) = ½·ln1p(2Re w + |w|²) + i·atan2(Im w, 1 + Re w)` divided by `w`, and the
    /// series `1 − w/2 + w²/3 − w³/4` where `|w|² < 1e-8`.
    #[inline(always)]
    fn ln1p_ratio<const N: usize>(w: C<N>) -> (C<N>, M<N>) {
        let one = C::splat(Complex64::new(1.0, 0.0));
        let series = one
            - w * (C::splat(Complex64::new(0.5, 0.0))
                - w * (C::splat(Complex64::new(1.0 / 3.0, 0.0)) - w * 0.25));
        let m = w.re * (2.0 + w.re) + w.im * w.im;
        let (ln_modulus, ok) = lane::ln_1p(m);
        let log = C::new(0.5 * ln_modulus, lane::atan2(w.im, 1.0 + w.re));
        let general = log * w.inv();
        let near = (w.re * w.re + w.im * w.im).lt(1e-8);
        (
            C::new(
                near.select(series.re, general.re),
                near.select(series.im, general.im),
            ),
            near | ok,
        )
    }
}

/// The platform's functions, lane by lane, for every input.
pub(crate) struct Exact;

impl ComplexMath for Exact {
    #[inline]
    fn sqrt<const N: usize>(z: C<N>) -> (C<N>, M<N>) {
        (z.map(principal_sqrt), M::from_fn(|_| true))
    }

    #[inline]
    fn exp<const N: usize>(z: C<N>) -> (C<N>, M<N>) {
        (z.map(Complex64::exp), M::from_fn(|_| true))
    }

    #[inline]
    fn ln1p_ratio<const N: usize>(w: C<N>) -> (C<N>, M<N>) {
        (w.map(ln1p_ratio), M::from_fn(|_| true))
    }
}

/// `(C, D)` with `ln φ(u) = C + D·v₀` at `N` arguments `u` (see
/// [`HestonModel`](super::HestonModel) for the formulas), and the lanes where every
/// elementary function was in its domain.
#[inline(always)]
pub(crate) fn parts<F: ComplexMath, const N: usize>(
    p: &HestonParams,
    u: C<N>,
    t: f64,
) -> (C<N>, C<N>, M<N>) {
    let HestonParams {
        kappa,
        theta,
        sigma,
        rho,
        ..
    } = *p;
    let one = C::splat(Complex64::new(1.0, 0.0));
    let iu = C::new(-u.im, u.re);
    let beta = C::splat(Complex64::new(kappa, 0.0)) - iu * (rho * sigma);
    let a = iu + u * u;
    let (d, ok_sqrt) = F::sqrt(beta * beta + a * (sigma * sigma));
    // β − d and g = (β − d)/(β + d) carry a factor σ²: keep it separate so that nothing
    // cancels or is divided by σ² as σ → 0 (the Black-Scholes limit).
    let inv_bpd = (beta + d).inv();
    let bmd_over_s2 = -(a * inv_bpd);
    let g_over_s2 = bmd_over_s2 * inv_bpd;
    let g = g_over_s2 * (sigma * sigma);
    let (e, ok_exp) = F::exp(-(d * t));
    let one_minus_e = one - e;
    // ln((1 − g e)/(1 − g)) = ln(1 + w), w = g(1 − e)/(1 − g).
    let w_over_s2 = g_over_s2 * one_minus_e * (one - g).inv();
    let w = w_over_s2 * (sigma * sigma);
    let (ratio, ok_log) = F::ln1p_ratio(w);
    let log_term_over_s2 = w_over_s2 * ratio;
    let c = (bmd_over_s2 * t - log_term_over_s2 * 2.0) * (kappa * theta);
    let dd = bmd_over_s2 * one_minus_e * (one - g * e).inv();
    (c, dd, ok_sqrt & ok_exp & ok_log)
}
