//! Branch-free evaluation of the normalised Black function, written once for `N` SIMD lanes.
//!
//! The region scheme of [`normalised`](crate::normalised) picks one of four formulas per
//! option, and its special functions pick one of several intervals: that is accurate, but a
//! loop over a chain cannot run it in SIMD lanes. This module evaluates region II (`t < 0.21`,
//! now for any `h` with `x = 2ht > −8`, which takes in most of region I), III and IV
//! (`h + t > −10`), wherever the Gaussian factor is above `e^{−700}`, with the same operations
//! in every lane and a final select:
//!
//! * one `erfcx` approximation for every argument `y ≥ −0.62`: in the mapped variable
//!   `u = (y − 3)/(y + 3)` (Schonfelder 1978 uses the same map for `erfc`),
//!   `erfcx(y) = 3/(y + 3)·p(z)`, `z = α·u + β ∈ [−1, 1]`, with `p` the degree-27 Chebyshev
//!   interpolant of `erfcx(y)·(y + 3)/3` (computed in 40-digit arithmetic) converted to the
//!   monomial basis in 50-digit arithmetic and evaluated by Estrin's scheme — better conditioned
//!   here than Clenshaw's recurrence (the monomial coefficients sum to 1.9 in magnitude) and
//!   two operations per term instead of three; within 6·ε relative (tested against
//!   parapet-core's `erfcx`);
//! * region II takes `Y'(h) = 1 + h·Y(h)` from its own polynomial in the same variable
//!   (`1 + h·Y` cancels for large `|h|`; the general scheme uses a continued fraction there),
//!   then the Taylor series in `t` (against 50-digit values within 3·ε for
//!   `x > −8`, where the general scheme switches to the asymptotic series at `h + t ≤ −10`);
//!   region III the difference `½·[erfcx(y₊) − erfcx(y₋)]` with
//!   `y± = −(h ± t)/√2`; region IV the plain formula written in the same functions,
//!   `b = e^{x/2} − ½·e^{−(h²+t²)/2}·[erfcx(−y₊) + erfcx(y₋)]`, from
//!   `e^{x/2}·Φ(−(h+t)) = ½·e^{−(h²+t²)/2}·erfcx(−y₊)` and
//!   `e^{−x/2}·Φ(h−t) = ½·e^{−(h²+t²)/2}·erfcx(y₋)` (because `(h ± t)²/2 = (h²+t²)/2 ± x/2`);
//! * `ln(F/K)` by an inlined logarithm (exponent and mantissa from the bits, `2·atanh` series
//!   on `[√½, √2)`), with `ln_1p`'s correction term near the money; `e^x` by Cody-Waite
//!   reduction and a degree-13 Taylor polynomial.
//!
//! A lane vector [`V<N>`] holds `N` doubles and every operation acts lane by lane, so the
//! same source compiles to scalar code for `N = 1` (what the scalar entry points call) and to
//! packed instructions for `N = 4` or `8` in chain loops. Only correctly rounded operations
//! (`+ − × ÷ √`, exact selects and bit manipulations) are used and no product is fused into
//! an addition, so every lane gives the bits of the scalar evaluation; rows outside the
//! domain report `ok == false` and are sent to the general scheme.
//!
//! Reference: J. L. Schonfelder (1978), "Chebyshev expansions for the error and related
//! functions", *Mathematics of Computation* 32(144), 1232–1240.

use std::array;
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_PI_2, FRAC_PI_4, PI, SQRT_2};
use std::ops::{Add, BitAnd, BitOr, Div, Mul, Neg, Not, Sub};

use parapet_core::OptionKind;

use crate::black::{ForwardGreeks, check_finite};
use crate::normalised::{ASYMPTOTIC_LIMIT, FRAC_1_SQRT_2PI, PLAIN_LIMIT, SMALL_T};

/// Below this exponent the Gaussian factor leaves the range of the lane exponential.
const MIN_EXPONENT: f64 = -700.0;
/// Region II rows need `h·t = x/2 > −4` (the error of the series' coefficients grows like
/// `h²t²·ε`: within 3·ε there against 50-digit values).
const SMALL_T_MIN_HT: f64 = -4.0;
/// Centre of the map `u = (y − K)/(y + K)`.
const MAP: f64 = 3.0;
/// `u` at the lowest supported argument `y = −0.62`.
const U_MIN: f64 = -1.521_008_403_361_344_7;
/// Monomial coefficients (ascending) of `erfcx(y)·(y + 3)/3` as a polynomial in `z`.
const ERFCX_POLY: [f64; 28] = [
    0.45008660041088816,
    -0.5307436645123612,
    0.4693046006131133,
    -0.3019364956718873,
    0.12726098264524235,
    -0.021483014271498586,
    -0.009751084076770973,
    0.005615615285128321,
    0.0006583660704919295,
    -0.0010605069602359748,
    -8.528655005806897e-05,
    0.00021082365111648775,
    3.239458800538211e-05,
    -4.2660653239020596e-05,
    -1.408695220372769e-05,
    7.36600737237387e-06,
    5.168696325029474e-06,
    -4.959007908368016e-07,
    -1.5172350100999245e-06,
    -3.5152811690795655e-07,
    3.266803129092639e-07,
    2.0830988120000977e-07,
    -4.037389703511451e-08,
    -6.554476635741893e-08,
    -2.075442315794212e-10,
    1.2519299599010926e-08,
    6.240334287707149e-10,
    -1.1469114201059358e-09,
];

/// Monomial coefficients (ascending) of `Y'(h)·(1 + 2y²)`, `y = −h/√2 ≥ 0`, as a polynomial
/// in `u = (y − 3)/(y + 3)` itself (the interval `y ≥ 0` is all of `u ∈ [−1, 1)`): the
/// degree-27 Chebyshev interpolant in 60-digit arithmetic, within 4·ε of `Y'` as evaluated;
/// it takes the same division as `erfcx` and runs in the same polynomial pass.
const MILLS_DERIVATIVE_POLY: [f64; 28] = [
    0.9155370555054206,
    0.2598116879633659,
    -0.28743477840071696,
    0.07861976518857551,
    0.16651346606533401,
    -0.26388297139139627,
    0.19973388768776884,
    -0.08336024430712632,
    0.008940835898904516,
    0.009561583458642022,
    -0.00396291768695848,
    -0.0008185644586848685,
    0.0008004535409908047,
    8.106187654910487e-05,
    -0.00015303994693057683,
    -1.6537888809355346e-05,
    2.9901508320654402e-05,
    5.766553281083415e-06,
    -5.715077491394016e-06,
    -2.0444138703257168e-06,
    9.632358452952169e-07,
    6.274111924714487e-07,
    -1.1946856282032107e-07,
    -1.5432540399967316e-07,
    6.850330066847776e-09,
    2.6724548321141518e-08,
    2.8774544342133365e-10,
    -2.3908632537366142e-09,
];

/// `N` doubles, operated on lane by lane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct V<const N: usize>(pub [f64; N]);

/// `N` lane flags: all bits set for true, none for false (so that selects are bit operations).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct M<const N: usize>([u64; N]);

impl<const N: usize> V<N> {
    /// Every lane `x`.
    #[inline(always)]
    pub(crate) fn splat(x: f64) -> Self {
        V([x; N])
    }

    /// `f` applied to every lane.
    #[inline(always)]
    fn map(self, f: impl Fn(f64) -> f64) -> Self {
        V(array::from_fn(|i| f(self.0[i])))
    }

    /// `f` applied lane by lane to two vectors.
    #[inline(always)]
    fn zip(self, other: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        V(array::from_fn(|i| f(self.0[i], other.0[i])))
    }

    /// Lane by lane comparison.
    #[inline(always)]
    fn compare(self, other: Self, f: impl Fn(f64, f64) -> bool) -> M<N> {
        M(array::from_fn(|i| {
            if f(self.0[i], other.0[i]) {
                u64::MAX
            } else {
                0
            }
        }))
    }

    /// `|self|` with the sign of `sign`, lane by lane.
    #[inline(always)]
    pub(crate) fn copysign(self, sign: Self) -> Self {
        self.zip(sign, f64::copysign)
    }

    /// The sum of the lanes, in order.
    #[inline(always)]
    pub(crate) fn sum(self) -> f64 {
        self.0.iter().sum()
    }

    #[inline(always)]
    pub(crate) fn sqrt(self) -> Self {
        self.map(f64::sqrt)
    }

    #[inline(always)]
    pub(crate) fn abs(self) -> Self {
        self.map(f64::abs)
    }

    #[inline(always)]
    pub(crate) fn min(self, other: Self) -> Self {
        self.zip(other, f64::min)
    }

    #[inline(always)]
    pub(crate) fn max(self, other: Self) -> Self {
        self.zip(other, f64::max)
    }

    #[inline(always)]
    pub(crate) fn lt(self, bound: f64) -> M<N> {
        self.compare(V::splat(bound), |a, b| a < b)
    }

    #[inline(always)]
    pub(crate) fn gt(self, bound: f64) -> M<N> {
        self.compare(V::splat(bound), |a, b| a > b)
    }

    #[inline(always)]
    pub(crate) fn ge(self, bound: f64) -> M<N> {
        self.compare(V::splat(bound), |a, b| a >= b)
    }
}

impl<const N: usize> M<N> {
    /// Flags from booleans.
    #[inline(always)]
    pub(crate) fn from_fn(f: impl Fn(usize) -> bool) -> Self {
        M(array::from_fn(|i| if f(i) { u64::MAX } else { 0 }))
    }

    /// Whether every lane is set.
    #[inline(always)]
    pub(crate) fn all(self) -> bool {
        self.0.iter().fold(u64::MAX, |a, &b| a & b) == u64::MAX
    }

    /// Whether any lane is set.
    #[inline(always)]
    pub(crate) fn any(self) -> bool {
        self.0.iter().fold(0, |a, &b| a | b) != 0
    }

    /// Lane `i`.
    #[inline(always)]
    pub(crate) fn get(self, i: usize) -> bool {
        self.0[i] != 0
    }

    /// `yes` where the flag is set, `no` elsewhere (bit for bit).
    #[inline(always)]
    pub(crate) fn select(self, yes: V<N>, no: V<N>) -> V<N> {
        V(array::from_fn(|i| {
            f64::from_bits((yes.0[i].to_bits() & self.0[i]) | (no.0[i].to_bits() & !self.0[i]))
        }))
    }
}

macro_rules! lane_ops {
    ($($trait:ident $method:ident),*) => {$(
        impl<const N: usize> $trait for V<N> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, other: Self) -> Self {
                self.zip(other, |a, b| $trait::$method(a, b))
            }
        }
        impl<const N: usize> $trait<f64> for V<N> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, other: f64) -> Self {
                self.map(|a| $trait::$method(a, other))
            }
        }
        impl<const N: usize> $trait<V<N>> for f64 {
            type Output = V<N>;
            #[inline(always)]
            fn $method(self, other: V<N>) -> V<N> {
                other.map(|b| $trait::$method(self, b))
            }
        }
    )*};
}
lane_ops!(Add add, Sub sub, Mul mul, Div div);

impl<const N: usize> Neg for V<N> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(|a| -a)
    }
}

impl<const N: usize> BitAnd for M<N> {
    type Output = Self;
    #[inline(always)]
    fn bitand(self, other: Self) -> Self {
        M(array::from_fn(|i| self.0[i] & other.0[i]))
    }
}

impl<const N: usize> BitOr for M<N> {
    type Output = Self;
    #[inline(always)]
    fn bitor(self, other: Self) -> Self {
        M(array::from_fn(|i| self.0[i] | other.0[i]))
    }
}

impl<const N: usize> Not for M<N> {
    type Output = Self;
    #[inline(always)]
    fn not(self) -> Self {
        M(array::from_fn(|i| !self.0[i]))
    }
}

/// `e^x` for `|x| ≤ 708` (elsewhere a meaningless finite number or NaN, never a panic).
///
/// Cody-Waite argument reduction (W. J. Cody and W. Waite (1980), *Software Manual for the
/// Elementary Functions*): with `k = round(x/ln 2)`, `r = (x − k·ln2_hi) − k·ln2_lo`, where
/// `ln 2` is split so that `k·ln2_hi` is exact for `|k| < 2^11` (fdlibm's constants), so
/// `|r| ≤ ln 2/2`; then `e^r = 1 + r + r²·Σ_{j=2}^{13} r^{j−2}/j!` (truncation below
/// `0.347^14/14! = 4e-18`), the sum evaluated by Estrin's scheme (independent products
/// instead of one long Horner chain), and the result scaled by `2^k` in the exponent bits.
#[inline(always)]
pub(crate) fn exp<const N: usize>(x: V<N>) -> V<N> {
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const INV_LN2: f64 = std::f64::consts::LOG2_E;
    /// 1/j! for j = 2..=13.
    const C: [f64; 12] = [
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    /// 1.5·2^52: adding it rounds to the nearest integer, which lands in the low mantissa bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let shifted = x * INV_LN2 + ROUND;
    let kf = shifted - ROUND;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q = (C[0] + r * C[1])
        + r2 * (C[2] + r * C[3])
        + r4 * ((C[4] + r * C[5]) + r2 * (C[6] + r * C[7]))
        + r8 * ((C[8] + r * C[9]) + r2 * (C[10] + r * C[11]));
    let y = 1.0 + (r + r2 * q);
    // The low 52 bits of `shifted` hold 2^51 + k; adding the bias and shifting by 52 leaves
    // (1023 + k)·2^52, the bits of 2^k (the 2^51 bit leaves the word).
    let scale = shifted.map(|s| f64::from_bits(s.to_bits().wrapping_add(1023) << 52));
    y * scale
}

/// `(sin x, cos x)` for `|x| < 2^20·π/2 ≈ 1.6e6`, and whether `x` was in that range
/// (elsewhere the values are meaningless; callers evaluate those lanes another way).
///
/// Cody-Waite reduction by `π/2` in three parts (33, 33 and 53 bits, so that `k·P₁` and
/// `k·P₂` are exact for `|k| < 2^20`) to `|r| ≤ π/4`, then the Taylor polynomials of `sin r`
/// to `r¹⁹` and `cos r` to `r¹⁸` (truncation below `(π/4)^20/20! < 1e-20`) in `r²` by
/// Estrin's scheme, and the quadrant `k mod 4` from the rounding constant's low bits.
#[inline(always)]
pub(crate) fn sin_cos<const N: usize>(x: V<N>) -> (V<N>, V<N>, M<N>) {
    const P1: f64 = 1.570_796_326_734_125_6;
    const P2: f64 = 6.077_100_506_303_966e-11;
    const P3: f64 = 2.022_266_248_795_950_6e-21;
    const FRAC_2_PI: f64 = std::f64::consts::FRAC_2_PI;
    /// 1.5·2^52: adding it rounds to the nearest integer, which lands in the low mantissa bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    /// `(−1)^j/(2j + 1)!` for j = 1..=9 and `(−1)^j/(2j)!` for j = 1..=9.
    const S: [f64; 9] = [
        -0.166_666_666_666_666_66,
        0.008_333_333_333_333_333,
        -0.000_198_412_698_412_698_4,
        2.755_731_922_398_589_3e-6,
        -2.505_210_838_544_172e-8,
        1.605_904_383_682_161_3e-10,
        -7.647_163_731_819_816e-13,
        2.811_457_254_345_520_6e-15,
        -8.220_635_246_624_33e-18,
    ];
    const C: [f64; 9] = [
        -0.5,
        0.041_666_666_666_666_664,
        -0.001_388_888_888_888_889,
        2.480_158_730_158_73e-5,
        -2.755_731_922_398_589e-7,
        2.087_675_698_786_81e-9,
        -1.147_074_559_772_972_5e-11,
        4.779_477_332_387_385e-14,
        -1.561_920_696_858_622_5e-16,
    ];
    let shifted = x * FRAC_2_PI + ROUND;
    let kf = shifted - ROUND;
    let r = ((x - kf * P1) - kf * P2) - kf * P3;
    let r2 = r * r;
    let sin_r = r + r * even_series(r2, &S);
    let cos_r = 1.0 + even_series(r2, &C);
    // The low bits of `shifted` hold 2^51 + k, so its two lowest bits are k mod 4.
    let odd = M(array::from_fn(|i| {
        0u64.wrapping_sub(shifted.0[i].to_bits() & 1)
    }));
    let high = M(array::from_fn(|i| {
        0u64.wrapping_sub((shifted.0[i].to_bits() >> 1) & 1)
    }));
    // k mod 4 = 0: (s, c); 1: (c, −s); 2: (−s, −c); 3: (−c, s).
    let sin = odd.select(cos_r, sin_r);
    let cos = odd.select(-sin_r, cos_r);
    let sin = high.select(-sin, sin);
    let cos = high.select(-cos, cos);
    (sin, cos, x.abs().lt(1.6e6))
}

/// `Σ_{j=1}^{9} c_j·w^j` by Estrin's scheme.
#[inline(always)]
fn even_series<const N: usize>(w: V<N>, c: &[f64; 9]) -> V<N> {
    let w2 = w * w;
    let w4 = w2 * w2;
    w * ((c[0] + w * c[1])
        + w2 * (c[2] + w * c[3])
        + w4 * ((c[4] + w * c[5]) + w2 * (c[6] + w * c[7]))
        + w4 * w4 * c[8])
}

/// `atan2(y, x)` in `[−π, π]` (`0` for `x = y = 0`), with two divisions and a square root and
/// no branch.
///
/// With `t = min(|x|, |y|)/max(|x|, |y|) ∈ [0, 1]`: above `tan(π/8)`,
/// `atan t = π/4 + atan((t − 1)/(t + 1))`; then the half-angle step
/// `atan t = 2·atan(t/(1 + √(1 + t²)))` leaves `|t| ≤ tan(π/16) < 0.199`, where the Taylor
/// series to `t²⁵` is within `0.199²⁷/27 < 1e-20`; the octant is restored by
/// `π/2 − a` (`|y| > |x|`), `π − a` (`x < 0`) and the sign of `y`.
#[inline(always)]
pub(crate) fn atan2<const N: usize>(y: V<N>, x: V<N>) -> V<N> {
    const TAN_PI_8: f64 = 0.414_213_562_373_095_03;
    let (ax, ay) = (x.abs(), y.abs());
    let (small, large) = (ax.min(ay), ax.max(ay));
    let t = large.gt(0.0).select(small / large, V::splat(0.0));
    let shifted = t.gt(TAN_PI_8);
    let t = shifted.select((t - 1.0) / (t + 1.0), t);
    let t = t / (1.0 + (1.0 + t * t).sqrt());
    let w = t * t;
    let w2 = w * w;
    let w4 = w2 * w2;
    let w8 = w4 * w4;
    // atan t = t·Σ_j (−1)^j w^j/(2j + 1), j = 0..=12.
    let p = ((1.0 + w * (-1.0 / 3.0)) + w2 * (1.0 / 5.0 + w * (-1.0 / 7.0)))
        + w4 * ((1.0 / 9.0 + w * (-1.0 / 11.0)) + w2 * (1.0 / 13.0 + w * (-1.0 / 15.0)))
        + w8 * (((1.0 / 17.0 + w * (-1.0 / 19.0)) + w2 * (1.0 / 21.0 + w * (-1.0 / 23.0)))
            + w4 * (1.0 / 25.0));
    let a = 2.0 * (t * p) + shifted.select(V::splat(FRAC_PI_4), V::splat(0.0));
    let a = ay.compare(ax, |y, x| y > x).select(FRAC_PI_2 - a, a);
    let a = x.lt(0.0).select(PI - a, a);
    a.copysign(y)
}

/// `ln(1 + m)` for `m > −1` (finite), with `ln_1p`'s accuracy near `0`: `u = 1 + m` and the
/// first-order correction `(m − (u − 1))/u` for its rounding; and whether `1 + m` was a
/// positive normal number.
#[inline(always)]
pub(crate) fn ln_1p<const N: usize>(m: V<N>) -> (V<N>, M<N>) {
    let u = 1.0 + m;
    ln_plus(u, (m - (u - 1.0)) / u)
}

/// `erfcx(y) = e^{y²}·erfc(y)` for `y ≥ −0.62` (any finite value below gives a finite but
/// meaningless number; callers select it away), with one division and no branch.
#[inline(always)]
pub(crate) fn erfcx<const N: usize>(y: V<N>) -> V<N> {
    const SCALE: f64 = 2.0 / (1.0 - U_MIN);
    const SHIFT: f64 = -(1.0 + U_MIN) / (1.0 - U_MIN);
    let inv = 1.0 / (y + MAP);
    let z = (y - MAP) * inv * SCALE + SHIFT;
    estrin(z, |k| V::splat(ERFCX_POLY[k])) * (MAP * inv)
}

/// `Σ_{k<28} c(k)·z^k` by Estrin's scheme: pairs `c(2i) + z·c(2i+1)`, then pairs of those
/// with `z²`, `z⁴`, `z⁸`, `z¹⁶` — five dependent levels instead of Horner's 27, so that the
/// lanes are not waiting on one long chain of roundings (the error stays below 5·ε for both
/// polynomials here, against 3·ε by Horner's rule; the tests hold the bounds).
#[inline(always)]
fn estrin<const N: usize>(z: V<N>, c: impl Fn(usize) -> V<N>) -> V<N> {
    let z2 = z * z;
    let z4 = z2 * z2;
    let z8 = z4 * z4;
    let z16 = z8 * z8;
    // Plain loops over fixed arrays (unrolled by the compiler; `array::from_fn` of vectors
    // was left as a call in the AVX2 copy).
    let mut l1 = [V::splat(0.0); 14];
    for (i, l) in l1.iter_mut().enumerate() {
        *l = c(2 * i) + z * c(2 * i + 1);
    }
    let mut l2 = [V::splat(0.0); 7];
    for (i, l) in l2.iter_mut().enumerate() {
        *l = l1[2 * i] + z2 * l1[2 * i + 1];
    }
    let l3 = [
        l2[0] + z4 * l2[1],
        l2[2] + z4 * l2[3],
        l2[4] + z4 * l2[5],
        l2[6],
    ];
    (l3[0] + z8 * l3[1]) + z16 * (l3[2] + z8 * l3[3])
}

/// `ln(u) + c` for a positive normal `u`, and whether `u` was one.
///
/// `u = 2^e·m` with `m ∈ [√½, √2)` from the bits; `ln m = 2·atanh(z)`, `z = (m − 1)/(m + 1)`,
/// `|z| ≤ 0.1716`, summed to `z²¹` (next term below `1e-18` relative); `e·ln 2` in two parts.
#[inline(always)]
fn ln_plus<const N: usize>(u: V<N>, c: V<N>) -> (V<N>, M<N>) {
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const MANTISSA: u64 = (1 << 52) - 1;
    const ONE: u64 = 1023 << 52;
    /// `2^52` as a double: `(2^52 + n) − 2^52 = n` reads a small integer from the bits.
    const TWO_52: u64 = 0x4330_0000_0000_0000;
    let ok = u.ge(f64::MIN_POSITIVE) & u.lt(f64::INFINITY);
    let m = u.map(|u| f64::from_bits((u.to_bits() & MANTISSA) | ONE));
    let biased = u.map(|u| f64::from_bits(TWO_52 | (u.to_bits() >> 52))) - f64::from_bits(TWO_52);
    let big = m.gt(SQRT_2);
    let m = big.select(0.5 * m, m);
    let e = biased - 1023.0 + big.select(V::splat(1.0), V::splat(0.0));
    let z = (m - 1.0) / (m + 1.0);
    let w = z * z;
    let w2 = w * w;
    let w4 = w2 * w2;
    let p = (1.0 / 3.0 + w * (1.0 / 5.0))
        + w2 * (1.0 / 7.0 + w * (1.0 / 9.0))
        + w4 * ((1.0 / 11.0 + w * (1.0 / 13.0)) + w2 * (1.0 / 15.0 + w * (1.0 / 17.0)))
        + w4 * w4 * (1.0 / 19.0 + w * (1.0 / 21.0));
    let two_z = z + z;
    (
        e * LN2_HI + (two_z + (two_z * w * p + (e * LN2_LO + c))),
        ok,
    )
}

/// `x = ln(F/K)` and whether it is valid (`F/K` positive and normal).
///
/// For `F ≥ K/2`, `ln_1p((F − K)/K)`: `F − K` is exact (Sterbenz) and the rounding of
/// `u = 1 + d` is restored by the first-order term `(d − (u − 1))/u`; below, `ln(F/K)`.
#[inline(always)]
pub(crate) fn log_moneyness<const N: usize>(forward: V<N>, strike: V<N>) -> (V<N>, M<N>) {
    let near = forward.compare(0.5 * strike, |f, k| f >= k);
    let num = near.select(forward - strike, forward);
    let d = num / strike;
    let u = near.select(1.0 + d, d);
    let c = near.select((d - (u - 1.0)) / u, V::splat(0.0));
    ln_plus(u, c)
}

/// `erfcx(y)` where `mills` is unset, and where it is set (then `y ≥ 0`)
/// `Y'(−√2·y) = 1 − √π·y·erfcx(y)` from [`MILLS_DERIVATIVE_POLY`], in one polynomial pass whose
/// coefficients are selected lane by lane (`1 − √π·y·erfcx(y)` itself cancels: its condition
/// number grows like `2y²`).
#[inline(always)]
fn erfcx_or_mills_derivative<const N: usize>(y: V<N>, mills: M<N>) -> V<N> {
    const SCALE: f64 = 2.0 / (1.0 - U_MIN);
    const SHIFT: f64 = -(1.0 + U_MIN) / (1.0 - U_MIN);
    let inv = 1.0 / (y + MAP);
    let u = (y - MAP) * inv;
    let z = mills.select(u, u * SCALE + SHIFT);
    let p = estrin(z, |k| {
        mills.select(V::splat(MILLS_DERIVATIVE_POLY[k]), V::splat(ERFCX_POLY[k]))
    });
    mills.select(p / (1.0 + 2.0 * (y * y)), p * (MAP * inv))
}

/// `Y'(−√2·y)` for `y ≥ 0` (see [`erfcx_or_mills_derivative`]).
#[inline(always)]
pub(crate) fn mills_derivative<const N: usize>(y: V<N>) -> V<N> {
    erfcx_or_mills_derivative(y, M([u64::MAX; N]))
}

/// Region II: `R` from the Taylor series in `t` up to `t¹³`, given `a = Y'(h)`.
#[inline(always)]
pub(crate) fn small_t_series<const N: usize>(h: V<N>, t: V<N>, a: V<N>) -> V<N> {
    let w = t * t;
    let h2 = h * h;
    // Y^{(2k+1)}(h)/(2k+1)! as polynomials in a and h² (derived from Y' = 1 + hY).
    let c1 = a;
    let c3 = (-1.0 + a * (3.0 + h2)) * (1.0 / 6.0);
    let c5 = (-7.0 - h2 + a * (15.0 + h2 * (10.0 + h2))) * (1.0 / 120.0);
    let c7 = (-57.0 + h2 * (-18.0 - h2) + a * (105.0 + h2 * (105.0 + h2 * (21.0 + h2))))
        * (1.0 / 5040.0);
    let c9 = (-561.0
        + h2 * (-285.0 + h2 * (-33.0 - h2))
        + a * (945.0 + h2 * (1260.0 + h2 * (378.0 + h2 * (36.0 + h2)))))
        * (1.0 / 362_880.0);
    let c11 = (-6555.0
        + h2 * (-4680.0 + h2 * (-840.0 + h2 * (-52.0 - h2)))
        + a * (10395.0 + h2 * (17325.0 + h2 * (6930.0 + h2 * (990.0 + h2 * (55.0 + h2))))))
        * (1.0 / 39_916_800.0);
    let c13 = (-89055.0
        + h2 * (-82845.0 + h2 * (-20370.0 + h2 * (-1926.0 + h2 * (-75.0 - h2))))
        + a * (135_135.0
            + h2 * (270_270.0
                + h2 * (135_135.0 + h2 * (25740.0 + h2 * (2145.0 + h2 * (78.0 + h2)))))))
        * (1.0 / 6_227_020_800.0);
    let series = c1 + w * (c3 + w * (c5 + w * (c7 + w * (c9 + w * (c11 + w * c13)))));
    2.0 * t * series * FRAC_1_SQRT_2PI
}

/// The lane's out-of-the-money call and the pieces the Greeks reuse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OtmLane<const N: usize> {
    /// `scale·b(x, s)`.
    pub value: V<N>,
    /// `e^{−(h² + t²)/2}`.
    pub gauss: V<N>,
    /// `erfcx(y₋)` (zero when not asked for and not needed by the value).
    pub minus: V<N>,
    /// Whether the row is in the lane's domain (otherwise every other field is meaningless).
    pub ok: M<N>,
}

/// `scale·b(x, s)` for `x ≤ 0`, `s > 0` with `root_ratio = e^{x/2}`, branch-free (see the
/// module documentation for the formulas and the domain); `with_minus` asks for `erfcx(y₋)`
/// even where the value does not need it (the Greeks do).
#[inline(always)]
pub(crate) fn otm_call<const N: usize>(
    x: V<N>,
    s: V<N>,
    scale: V<N>,
    root_ratio: V<N>,
    with_minus: bool,
) -> OtmLane<N> {
    let h = x / s;
    let t = 0.5 * s;
    let e = -0.5 * (h * h + t * t);
    let gauss = exp(e.max(V::splat(MIN_EXPONENT)));
    let sum = h + t;
    let small_t = t.lt(SMALL_T);
    let plain = sum.gt(PLAIN_LIMIT);
    let y_plus = -sum * FRAC_1_SQRT_2;
    let y_minus = -(h - t) * FRAC_1_SQRT_2;
    let first = small_t.select(-h * FRAC_1_SQRT_2, plain.select(-y_plus, y_plus));
    // Y'(h) in region II, erfcx(first) elsewhere. A group without a region II row (real
    // chains, sorted by expiry, give many) skips the series and the coefficient selects; the
    // rows' values are the same either way.
    let region_two = small_t.any();
    let p = if region_two {
        erfcx_or_mills_derivative(first, small_t)
    } else {
        erfcx(first)
    };
    // A price in a group of region II rows only does not need erfcx(y₋).
    let minus = if with_minus || !small_t.all() {
        erfcx(y_minus)
    } else {
        V::splat(0.0)
    };
    let series = if region_two {
        small_t_series(h, t, p)
    } else {
        V::splat(0.0)
    };
    let r = small_t.select(series, 0.5 * (p - minus));
    let value = plain.select(
        scale * (root_ratio - 0.5 * gauss * (p + minus)),
        gauss * (scale * r.max(V::splat(0.0))),
    );
    let ok = s.gt(0.0)
        & s.lt(f64::INFINITY)
        & e.gt(MIN_EXPONENT)
        & ((small_t & (h * t).gt(SMALL_T_MIN_HT)) | (!small_t & sum.gt(ASYMPTOTIC_LIMIT)));
    OtmLane {
        value,
        gauss,
        minus,
        ok,
    }
}

/// `(Φ(h + t), Φ(−(h + t)))` for a lane row, from one more `erfcx` where region II did not
/// evaluate it: `Φ(±(h + t)) = ½·e^{−(h²+t²)/2}·erfcx(∓y₊)/e^{x/2}`; the larger one is the
/// complement of the smaller.
#[inline(always)]
pub(crate) fn cdf_plus<const N: usize>(
    x: V<N>,
    s: V<N>,
    gauss: V<N>,
    root_ratio: V<N>,
) -> (V<N>, V<N>) {
    let sum = x / s + 0.5 * s;
    let plain = sum.gt(PLAIN_LIMIT);
    let y_plus = -sum * FRAC_1_SQRT_2;
    let tail = 0.5 * gauss * erfcx(plain.select(-y_plus, y_plus)) / root_ratio;
    (
        plain.select(1.0 - tail, tail),
        plain.select(tail, 1.0 - tail),
    )
}

/// `N` chain rows, one per lane: calls where `call` is set, forward `F`, strike `K`, expiry
/// `T` and volatility `σ`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<const N: usize> {
    pub call: M<N>,
    pub forward: V<N>,
    pub strike: V<N>,
    pub t: V<N>,
    pub vol: V<N>,
}

impl Row<1> {
    /// One row in one lane (what the scalar entry points evaluate).
    #[inline(always)]
    pub(crate) fn one(kind: OptionKind, forward: f64, strike: f64, t: f64, vol: f64) -> Self {
        Row {
            call: M::from_fn(|_| kind == OptionKind::Call),
            forward: V([forward]),
            strike: V([strike]),
            t: V([t]),
            vol: V([vol]),
        }
    }
}

/// The columns of a chain (all of one length), as chain loops read them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns<'a> {
    pub kinds: &'a [OptionKind],
    pub forwards: &'a [f64],
    pub strikes: &'a [f64],
    pub expiries: &'a [f64],
    pub vols: &'a [f64],
}

impl Columns<'_> {
    /// Rows `base..base + N`.
    #[inline(always)]
    fn row<const N: usize>(&self, base: usize) -> Row<N> {
        let column = |c: &[f64]| V::<N>(array::from_fn(|i| c[base + i]));
        Row {
            call: M::from_fn(|i| self.kinds[base + i] == OptionKind::Call),
            forward: column(self.forwards),
            strike: column(self.strikes),
            t: column(self.expiries),
            vol: column(self.vols),
        }
    }
}

/// `σ√T`, `x = ln(F/K)` (and whether it is in the lanes' domain), `√(FK)` and
/// `e^{−|x|/2} = √(min(F, K)/max(F, K))` of a row group.
#[inline(always)]
fn moneyness<const N: usize>(row: &Row<N>) -> (V<N>, V<N>, M<N>, V<N>, V<N>) {
    let s = row.vol * row.t.sqrt();
    let (x, x_ok) = log_moneyness(row.forward, row.strike);
    // √(FK) = max(F, K)·√(min/max): one square root for both scales.
    let larger = row.forward.max(row.strike);
    let root_ratio = (row.forward.min(row.strike) / larger).sqrt();
    (s, x, x_ok, larger * root_ratio, root_ratio)
}

/// Undiscounted Black-76 prices of `N` rows and whether each row is in the lanes' domain
/// (elsewhere the value is meaningless).
#[inline(always)]
pub(crate) fn black_price<const N: usize>(row: Row<N>) -> (V<N>, M<N>) {
    let (s, x, x_ok, root, root_ratio) = moneyness(&row);
    let otm = otm_call(-x.abs(), s, root, root_ratio, false);
    let intrinsic = row
        .call
        .select(row.forward - row.strike, row.strike - row.forward)
        .max(V::splat(0.0));
    let bound = row.call.select(row.forward, row.strike);
    ((intrinsic + otm.value).min(bound), x_ok & otm.ok)
}

/// What the forward Greeks need of the out-of-the-money call `x_otm = −|x|`, lane by lane
/// (the general scheme's [`otm_parts`](crate::normalised::otm_parts) gives them in one lane).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OtmPieces<const N: usize> {
    /// `√(FK)·b(x_otm, s)`.
    pub value: V<N>,
    /// `e^{−(h² + t²)/2}`.
    pub gauss: V<N>,
    /// `Φ(h + t)`.
    pub cdf_plus: V<N>,
    /// `Φ(−(h + t))`.
    pub cdf_plus_complement: V<N>,
    /// `Φ(h − t)`.
    pub cdf_minus: V<N>,
}

/// The forward Greeks of [`Black76::greeks`](crate::black::Black76::greeks) from the pieces
/// of the out-of-the-money call, given `x = ln(F/K)`, `√(FK)`, the discount factor and its
/// rate `r = −ln(D)/T`. Both the lanes and the general scheme's fallback assemble here, so
/// the formulas exist once.
///
/// `Φ(±d₁)`, `Φ(±d₂)` by parity: for `x ≤ 0`, `Φ(d₁) = Φ(h+t)` and `Φ(d₂) = Φ(h−t)`; for
/// `x > 0` the out-of-the-money call is the mirrored one, `Φ(−d₂) = Φ(h+t)` and
/// `Φ(−d₁) = Φ(h−t)`. `1 − Φ(h−t)` complements a value `≤ ½`, and `Φ(−(h+t))` is direct
/// where it is small.
#[inline(always)]
pub(crate) fn assemble_greeks<const N: usize>(
    row: &Row<N>,
    x: V<N>,
    root: V<N>,
    otm: &OtmPieces<N>,
    discount: V<N>,
    rate: V<N>,
) -> LaneGreeks<N> {
    let (a, a_bar, b) = (otm.cdf_plus, otm.cdf_plus_complement, otm.cdf_minus);
    let below = x.compare(V::splat(0.0), |x, z| x <= z);
    let n_d1 = below.select(a, 1.0 - b);
    let n_minus_d1 = below.select(a_bar, b);
    let n_d2 = below.select(b, a_bar);
    let n_minus_d2 = below.select(1.0 - b, a);
    let n_theta_d1 = row.call.select(n_d1, n_minus_d1);
    let n_theta_d2 = row.call.select(n_d2, n_minus_d2);
    let sign = row.call.select(V::splat(1.0), V::splat(-1.0));
    let (forward, strike, t, vol) = (row.forward, row.strike, row.t, row.vol);
    let intrinsic = (sign * (forward - strike)).max(V::splat(0.0));
    let bound = row.call.select(forward, strike);
    let undiscounted = (intrinsic + otm.value).min(bound);
    let vega = root * t.sqrt() * FRAC_1_SQRT_2PI * otm.gauss;
    let d = discount;
    LaneGreeks {
        price: d * undiscounted,
        delta: d * sign * n_theta_d1,
        gamma: d * vega / (forward * forward * vol * t),
        vega: d * vega,
        theta: rate * d * undiscounted - d * vega * vol / (2.0 * t),
        strike_delta: -d * sign * n_theta_d2,
        strike_gamma: d * vega / (strike * strike * vol * t),
        itm_probability: n_theta_d2,
    }
}

/// Forward Greeks of `N` rows (see [`Black76::greeks`](crate::black::Black76::greeks) for the
/// formulas), given the discount factor and its rate `r = −ln(D)/T`, and whether each row is
/// in the lanes' domain. The densities come from the shared Gaussian factor and `Φ(h ± t)`
/// from the region's `erfcx` values: `Φ(h − t) = ½·e^{−(h²+t²)/2}·erfcx(y₋)·e^{x/2}` and
/// [`cdf_plus`] for `Φ(±(h + t))`.
#[inline(always)]
pub(crate) fn black_greeks<const N: usize>(
    row: Row<N>,
    discount: V<N>,
    rate: V<N>,
) -> (LaneGreeks<N>, M<N>) {
    let (s, x, x_ok, root, root_ratio) = moneyness(&row);
    let otm_x = -x.abs();
    let otm = otm_call(otm_x, s, root, root_ratio, true);
    let (cdf_plus, cdf_plus_complement) = cdf_plus(otm_x, s, otm.gauss, root_ratio);
    let pieces = OtmPieces {
        value: otm.value,
        gauss: otm.gauss,
        cdf_plus,
        cdf_plus_complement,
        cdf_minus: 0.5 * otm.gauss * otm.minus * root_ratio,
    };
    let greeks = assemble_greeks(&row, x, root, &pieces, discount, rate);
    let ok = x_ok & otm.ok & row.vol.gt(0.0) & row.t.gt(0.0);
    (greeks, ok)
}

/// [`ForwardGreeks`](crate::black::ForwardGreeks) of `N` rows, field by field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LaneGreeks<const N: usize> {
    pub price: V<N>,
    pub delta: V<N>,
    pub gamma: V<N>,
    pub vega: V<N>,
    pub theta: V<N>,
    pub strike_delta: V<N>,
    pub strike_gamma: V<N>,
    pub itm_probability: V<N>,
}

impl<const N: usize> LaneGreeks<N> {
    /// Row `i`.
    #[inline(always)]
    pub(crate) fn row(&self, i: usize) -> ForwardGreeks {
        ForwardGreeks {
            price: self.price.0[i],
            delta: self.delta.0[i],
            gamma: self.gamma.0[i],
            vega: self.vega.0[i],
            theta: self.theta.0[i],
            strike_delta: self.strike_delta.0[i],
            strike_gamma: self.strike_gamma.0[i],
            itm_probability: self.itm_probability.0[i],
        }
    }
}

/// Rows per lane group in chain loops.
pub(crate) const WIDTH: usize = 8;

/// What a chain loop evaluates for each group of rows.
pub(crate) trait Kernel {
    /// One row's result.
    type Out: Copy;

    /// The results of the `N` rows into `out` (of length `N`), and whether each is valid
    /// into `ok`.
    fn eval<const N: usize>(row: Row<N>, out: &mut [Self::Out], ok: &mut [bool]);
}

/// Undiscounted prices, [`black_price`].
pub(crate) struct Prices;

impl Kernel for Prices {
    type Out = f64;

    #[inline(always)]
    fn eval<const N: usize>(row: Row<N>, out: &mut [f64], ok: &mut [bool]) {
        let (value, good) = black_price(row);
        out.copy_from_slice(&value.0);
        for (i, flag) in ok.iter_mut().enumerate() {
            *flag = good.get(i);
        }
    }
}

/// Undiscounted forward Greeks (`D = 1`, `r = 0`), [`black_greeks`]; a row is valid when it
/// is in the domain and every field is finite.
pub(crate) struct Greeks;

impl Kernel for Greeks {
    type Out = ForwardGreeks;

    #[inline(always)]
    fn eval<const N: usize>(row: Row<N>, out: &mut [ForwardGreeks], ok: &mut [bool]) {
        let (greeks, good) = black_greeks(row, V::splat(1.0), V::splat(0.0));
        for i in 0..N {
            let g = greeks.row(i);
            out[i] = g;
            ok[i] = good.get(i) && check_finite(&g).is_ok();
        }
    }
}

/// Work whose loops are written in lane vectors, run by [`dispatch`].
pub(crate) trait Job {
    /// What the work returns.
    type Out;

    /// Does the work; implementations are `#[inline(always)]`, so that the body is compiled
    /// into the caller's copy (baseline or AVX2).
    fn run(self) -> Self::Out;
}

/// Runs `job`: on x86-64 processors with AVX2 in a copy compiled for it (detected at run
/// time), elsewhere as baseline code. Lane code uses correctly rounded operations only, so
/// the results are the same bits either way.
pub(crate) fn dispatch<J: Job>(job: J) -> J::Out {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2 (checked just above).
            #[allow(
                unsafe_code,
                reason = "calling a function compiled for AVX2 needs the run-time check above"
            )]
            return unsafe { run_avx2(job) };
        }
    }
    job.run()
}

/// [`Job::run`] compiled for AVX2 (calling it needs the processor to have it).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn run_avx2<J: Job>(job: J) -> J::Out {
    job.run()
}

/// Kernel `K` over the rows of `columns` (each of `out.len()` rows), by [`dispatch`]: the
/// first `WIDTH·⌊n/WIDTH⌋` rows in packed groups, the rest one lane at a time; `ok[i]` says
/// whether `out[i]` is the row's result.
pub(crate) fn rows<K: Kernel>(columns: Columns<'_>, out: &mut [K::Out], ok: &mut [bool]) {
    dispatch(Rows::<K> {
        columns,
        out,
        ok,
        kernel: std::marker::PhantomData,
    });
}

/// [`rows`] as a [`Job`].
struct Rows<'a, 'b, K: Kernel> {
    columns: Columns<'a>,
    out: &'b mut [K::Out],
    ok: &'b mut [bool],
    kernel: std::marker::PhantomData<K>,
}

impl<K: Kernel> Job for Rows<'_, '_, K> {
    type Out = ();

    #[inline(always)]
    fn run(self) {
        let Self {
            columns, out, ok, ..
        } = self;
        let n = out.len();
        let packed = n - n % WIDTH;
        for base in (0..packed).step_by(WIDTH) {
            let group = base..base + WIDTH;
            K::eval(
                columns.row::<WIDTH>(base),
                &mut out[group.clone()],
                &mut ok[group],
            );
        }
        for i in packed..n {
            K::eval(columns.row::<1>(i), &mut out[i..=i], &mut ok[i..=i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parapet_core::special::erfcx as core_erfcx;

    fn ulps(a: f64, b: f64) -> i64 {
        (a.to_bits() as i64 - b.to_bits() as i64).abs()
    }

    /// Against parapet-core's `erfcx` (itself within about one ulp of 40-digit values).
    #[test]
    fn erfcx_is_within_six_epsilon_of_core() {
        let mut worst: f64 = 0.0;
        for i in 0..=200_000 {
            let u = f64::from(i) / 200_000.0;
            for y in [-0.62 + 4.0 * u, (20.0 * u).exp() - 1.0 + 3.38] {
                let want = core_erfcx(y);
                worst = worst.max(((erfcx(V([y])).0[0] - want) / want).abs());
            }
        }
        assert!(
            worst <= 6.0 * f64::EPSILON,
            "worst {} ε",
            worst / f64::EPSILON
        );
    }

    #[test]
    fn log_moneyness_is_within_two_ulp_of_the_platform() {
        let ln = |f: f64, k: f64| log_moneyness(V([f]), V([k]));
        let mut worst = 0;
        for i in 0..=200_000 {
            let u = (f64::from(i) * 0.618_033_988_749_894_9).fract();
            for (f, k) in [
                (100.0, 100.0 * (1.0 + 1e-3 * (u - 0.5))),
                (100.0, 40.0 + 120.0 * u),
                (1.0, (-700.0 + 1400.0 * u).exp()),
            ] {
                let want = if f < 0.5 * k {
                    (f / k).ln()
                } else {
                    ((f - k) / k).ln_1p()
                };
                let (got, ok) = ln(f, k);
                assert!(ok.get(0));
                worst = worst.max(ulps(got.0[0], want));
            }
        }
        assert!(worst <= 2, "worst {worst} ulp");
        assert_eq!(ln(3.0, 3.0).0.0[0], 0.0);
        let ln2 = std::f64::consts::LN_2;
        assert!((ln(2.0, 1.0).0.0[0] - ln2).abs() <= f64::EPSILON * ln2);
        assert!(!ln(1e-300, 1e10).1.get(0));
    }

    /// Against the general region scheme (Jäckel's regions I–III) over `h ∈ [−37, 0]`,
    /// `t ∈ [10⁻⁴, 5]`, `h + t ≤ 0.85`: the lanes cover most of region I and every row of
    /// II and III. Region III's difference of two `erfcx` values cancels by a factor up to
    /// `|h|/(2t) ≤ 2.4·|h|` next to region II, so both schemes carry errors of some `|h|·ε`
    /// there (up to 50·ε against 50-digit values at `h ≈ −9`, `t ≈ 0.26`, in either one) —
    /// below the problem's own conditioning, `h²` ulp per ulp of `x` or `s`.
    #[test]
    fn lanes_agree_with_the_region_scheme() {
        let (mut worst, mut covered, mut total) = (0.0_f64, 0, 0);
        for i in 0..=400 {
            let h = -37.0 * f64::from(i) / 400.0;
            for j in 0..=300 {
                let t = 1e-4 * (5e4_f64).powf(f64::from(j) / 300.0);
                if h + t > PLAIN_LIMIT {
                    continue;
                }
                let (x, s) = (2.0 * h * t, 2.0 * t);
                let lane = otm_call(V([x]), V([s]), V([1.0]), V([(0.5 * x).exp()]), false);
                let e = -0.5 * (h * h + t * t);
                let inside = e > MIN_EXPONENT
                    && (h + t > ASYMPTOTIC_LIMIT || (t < SMALL_T && x > 2.0 * SMALL_T_MIN_HT));
                assert_eq!(lane.ok.get(0), inside, "h = {h}, t = {t}");
                total += 1;
                if inside {
                    covered += 1;
                    let want = crate::normalised::scaled_otm(h, t);
                    let got = lane.value.0[0] / lane.gauss.0[0];
                    worst = worst.max(((got - want) / want).abs() / (1.0 + h.abs()));
                }
            }
        }
        assert!(
            worst <= 16.0 * f64::EPSILON,
            "worst {} ε·(1 + |h|)",
            worst / f64::EPSILON
        );
        // Region I beyond region II's reach and the underflowing corner stay outside.
        assert!(
            covered * 4 > total * 3 && covered < total,
            "{covered} of {total}"
        );
    }

    /// Packed lanes give the bits of one-lane evaluation, in and out of the domain.
    #[test]
    fn packed_lanes_match_single_lanes() {
        let rows = 8 * 500 + 5;
        let mut columns = (vec![], vec![], vec![], vec![], vec![]);
        for i in 0..rows {
            let u = (i as f64 * 0.618_033_988_749_894_9).fract();
            let w = (i as f64 * 0.414_213_562_373_095_1).fract();
            columns.0.push(if i % 3 == 0 {
                OptionKind::Put
            } else {
                OptionKind::Call
            });
            columns.1.push(100.0);
            columns.2.push(100.0 * (6.0 * (u - 0.5)).exp());
            columns.3.push(1e-4 + 5.0 * w);
            columns
                .4
                .push(if i % 97 == 0 { 0.0 } else { 0.01 + 2.0 * u * w });
        }
        let (mut out, mut ok) = (vec![0.0; rows], vec![false; rows]);
        let chain = Columns {
            kinds: &columns.0,
            forwards: &columns.1,
            strikes: &columns.2,
            expiries: &columns.3,
            vols: &columns.4,
        };
        super::rows::<Prices>(chain, &mut out, &mut ok);
        for i in 0..rows {
            let (value, good) = black_price(Row::one(
                columns.0[i],
                columns.1[i],
                columns.2[i],
                columns.3[i],
                columns.4[i],
            ));
            assert_eq!(ok[i], good.get(0), "row {i}");
            if ok[i] {
                assert_eq!(out[i].to_bits(), value.0[0].to_bits(), "row {i}");
            }
        }
        assert!(ok.iter().filter(|&&o| o).count() > rows / 2);
        assert!(ok.iter().any(|&o| !o));
    }

    /// The lane sine, cosine, arctangent and logarithm against the platform's.
    #[test]
    fn sin_cos_atan2_and_ln_1p_match_the_platform() {
        let mut worst: f64 = 0.0;
        for i in 0..200_000 {
            let u = (i as f64 * 0.618_033_988_749_894_9).fract();
            let x = (u - 0.5) * if i % 2 == 0 { 20.0 } else { 2e6 };
            let (s, c, ok) = sin_cos(V([x]));
            assert_eq!(ok.get(0), x.abs() < 1.6e6);
            if ok.get(0) {
                // Absolute error: the reduction's rounding of k·π/2 is absolute.
                let scale = 1.0f64.max(x.abs() * 1e-16 / f64::EPSILON);
                worst = worst.max((s.0[0] - x.sin()).abs() / scale);
                worst = worst.max((c.0[0] - x.cos()).abs() / scale);
            }
        }
        assert!(
            worst < 4.0 * f64::EPSILON,
            "sin/cos {}",
            worst / f64::EPSILON
        );
        let mut worst: f64 = 0.0;
        for i in 0..200_000 {
            let u = (i as f64 * 0.618_033_988_749_894_9).fract();
            let w = (i as f64 * 0.414_213_562_373_095_1).fract();
            let (y, x) = ((u - 0.5) * 10f64.powf(6.0 * w - 3.0), (w - 0.5) * 3.0);
            let a = atan2(V([y]), V([x])).0[0];
            let b = y.atan2(x);
            worst = worst.max((a - b).abs() / b.abs().max(f64::MIN_POSITIVE));
        }
        assert!(worst < 4.0 * f64::EPSILON, "atan2 {}", worst / f64::EPSILON);
        assert_eq!(atan2(V([0.0]), V([0.0])).0[0], 0.0);
        assert_eq!(atan2(V([0.0]), V([-1.0])).0[0], PI);
        let mut worst: f64 = 0.0;
        for i in 0..200_000 {
            let u = (i as f64 * 0.618_033_988_749_894_9).fract();
            let m = if i % 2 == 0 {
                (u - 0.5) * 1e-6
            } else {
                (30.0 * u - 15.0).exp() - 0.999
            };
            let (l, ok) = ln_1p(V([m]));
            assert!(ok.get(0));
            let e = m.ln_1p();
            worst = worst.max((l.0[0] - e).abs() / e.abs());
        }
        assert!(worst < 4.0 * f64::EPSILON, "ln_1p {}", worst / f64::EPSILON);
    }
}
