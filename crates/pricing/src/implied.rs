//! Implied volatility: Black (lognormal) to the attainable precision, and Bachelier (normal).
//!
//! # Black implied volatility
//!
//! The price is reduced to the normalised out-of-the-money call: with `x = −|ln(F/K)| ≤ 0`,
//! time value `V − max(θ(F − K), 0)` and `β = time value/√(FK)`, solve `b(x, s) = β` for the
//! total volatility `s = σ√T` (see [`black`](crate::black) for `b`). The design follows
//! Jäckel (2015): the curve `s ↦ b(x, s)` is convex below its inflection point
//! `s_c = √(2|x|)` (where `d₁ = 0`) and concave above it, and each side gets an objective that
//! is close to linear there, an asymptotically exact initial guess, and Householder(3)
//! steps (order-four convergence) using the closed-form derivatives
//! `b' = e^{−(h²+t²)/2}/√(2π)`, `b''/b' = x²/s³ − s/4`, `b'''/b' = (b''/b')² − 3x²/s⁴ − 1/4`:
//!
//! * **lower branch** `β ≤ b(x, s_c)`: steps on `ln b − ln β` as a function of `ln s`, which
//!   is close to linear both far out of the money (`ln b ≈ 3 ln s − x²/(2s²)`) and near it
//!   (`ln b ≈ ln s + const`). The logarithm is taken analytically
//!   (`ln b = −(h²+t²)/2 + ln R`), so prices down to the smallest doubles never underflow. The
//!   initial guess inverts Jäckel's lower map `f(s) = (2π|x|/√27)·Φ(−|x|/(√3·s))³`, which
//!   tends to `b` as `s → 0`; a guess below `s_c/2` proves the branch without evaluating
//!   `b(x, s_c)`. Otherwise the evaluation at `s_c` is reused: the iteration starts from one
//!   step taken there, where `b''/b' = 0` and `b'''/b' = −1` exactly.
//! * **upper branch** `β > b(x, s_c)`: steps on `b(s) − β` itself, or, once `β` is within a
//!   quarter of its bound `e^{x/2}`, on `ln(e^{x/2} − b(s)) − ln(e^{x/2} − β)` with the
//!   complement evaluated as a sum of two positive terms. The start is one step taken at
//!   `s_c` on `b − β` when `b(x, s_c)` was evaluated; otherwise the guess is exact at the money
//!   (`b = 1 − 2Φ(−s/2)`), inverts `e^{x/2} − b ≈ 2·cosh(x/2)·Φ(−s/2)` near it, and far from it
//!   the dominant term `e^{x/2}·Φ(−(h + t))`.
//!
//! Every iterate is kept inside a bracket that tightens with each evaluation; a step that
//! leaves it, or one after which the residual has not halved, is replaced by bisection, so the
//! solver cannot diverge or creep. In practice it takes one to three evaluations after the
//! branch test (mostly one). Prices outside the no-arbitrage bounds are typed errors, never
//! NaN or a silent `0.0`.
//!
//! # Normal implied volatility
//!
//! The Bachelier price `V = θ(F − K)·Φ(θd) + σ√T·φ(d)`, `d = (F − K)/(σ√T)`, reduces to the
//! out-of-the-money time value `ν = σ√T·ψ(|F − K|/(σ√T))` with `ψ(u) = φ(u) − u·Φ(−u)`
//! (see [`bachelier`](crate::bachelier)). With `m = |F − K|` and `u = m/(σ√T)`, the equation
//! `ψ(u)/u = ν/m` is monotone in `u`; it is solved with Householder steps on
//! `ln(ψ(u)/u) − ln(ν/m)`, with the asymptote `ψ(u)/u ≈ φ(u)/u³` for the initial guess, as in
//! Jäckel (2017). At the money the inversion is explicit: `σ√T = ν·√(2π)`.
//!
//! # References
//! * P. Jäckel (2015), "Let's be rational", *Wilmott* 2015(75), 40–53.
//! * P. Jäckel (2017), "Implied normal volatility", *Wilmott* 2017(90), 54–57.
//! * A. S. Householder (1970), *The Numerical Treatment of a Single Nonlinear Equation*,
//!   McGraw-Hill.

use parapet_core::OptionKind;
use parapet_core::special::norm_inv_cdf;

use crate::error::{PricingError, finite, positive};
use crate::normalised::{
    self, FRAC_1_SQRT_2PI, exponent, otm_call_and_vega, otm_call_complement, scaled_otm,
    vega_ratios,
};

/// Most iterations before giving up (bisection fallbacks included).
const MAX_ITERATIONS: usize = 64;
/// Relative step size below which the iteration has converged. Householder(3) steps (using
/// `g'`, `g''`, `g'''`) converge with order four, so after a step of relative size `δ` the
/// error is of order `δ⁴`, here ~1e-18 (at 1e-3 the reference tests fail, at 1e-4 and below
/// every result is within the accuracy the price's last ulp allows).
const STEP_TOLERANCE: f64 = 3e-5;
/// √(2π).
const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// The outcome of an implied-volatility solve: the volatility and the iterations it took.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ImpliedVol {
    /// The implied volatility (annualised).
    pub vol: f64,
    /// Function evaluations of the iteration (not counting the branch test).
    pub iterations: usize,
}

/// Black-76 implied volatility of an undiscounted option price.
///
/// `t` is the time to expiry in years; divide a discounted price by the discount factor first.
/// The result is the volatility whose [`black::price`](crate::black::price) is the given price
/// to within the precision the price itself carries (see the module documentation).
///
/// ```
/// use parapet_core::OptionKind;
/// use parapet_pricing::{black, implied};
/// let p = black::price(OptionKind::Put, 100.0, 80.0, 0.25, 0.35);
/// let vol = implied::black_vol(OptionKind::Put, 100.0, 80.0, 0.25, p)?;
/// assert!((vol - 0.35).abs() < 1e-14);
/// // Prices outside the no-arbitrage bounds are errors, not NaN.
/// assert!(implied::black_vol(OptionKind::Call, 100.0, 80.0, 0.25, 19.0).is_err());
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// * [`PricingError::NotFinite`] / [`PricingError::NotPositive`]: a forward, strike or expiry
///   that is not positive and finite, or a non-finite price.
/// * [`PricingError::BelowIntrinsic`]: price at or below `max(θ(F − K), 0)`.
/// * [`PricingError::AboveUpperBound`]: price at or above `F` (call) or `K` (put).
/// * [`PricingError::NoConvergence`]: not observed on any input; kept so that a failure could
///   never be silent.
pub fn black_vol(
    kind: OptionKind,
    forward: f64,
    strike: f64,
    t: f64,
    undiscounted_price: f64,
) -> Result<f64, PricingError> {
    black_vol_solution(kind, forward, strike, t, undiscounted_price).map(|s| s.vol)
}

/// [`black_vol`] with the iteration count.
///
/// # Errors
/// As [`black_vol`].
pub fn black_vol_solution(
    kind: OptionKind,
    forward: f64,
    strike: f64,
    t: f64,
    undiscounted_price: f64,
) -> Result<ImpliedVol, PricingError> {
    positive("forward", forward)?;
    positive("strike", strike)?;
    positive("expiry", t)?;
    let price = finite("price", undiscounted_price)?;
    let intrinsic = kind.intrinsic(forward, strike);
    let bound = match kind {
        OptionKind::Call => forward,
        OptionKind::Put => strike,
    };
    if price <= intrinsic {
        return Err(PricingError::BelowIntrinsic { price, intrinsic });
    }
    if price >= bound {
        return Err(PricingError::AboveUpperBound { price, bound });
    }
    // The out-of-the-money option with the same time value (put-call parity); both
    // subtractions are exact when their operands are close (Sterbenz).
    let time_value = price - intrinsic;
    let otm_bound = forward.min(strike);
    let complement = otm_bound - time_value;
    if complement <= 0.0 {
        return Err(PricingError::AboveUpperBound { price, bound });
    }
    let x = -normalised::log_moneyness(forward, strike).abs();
    let root_fk = forward.sqrt() * strike.sqrt();
    let (s, iterations) = solve_normalised(x, time_value, complement, root_fk)?;
    Ok(ImpliedVol {
        vol: s / t.sqrt(),
        iterations,
    })
}

/// A bracket `[lo, hi]` around the root that tightens with every evaluation, and the last
/// residual, to detect steps that make too little progress.
#[derive(Debug, Clone, Copy)]
struct Bracket {
    lo: f64,
    hi: f64,
    residual: f64,
}

impl Bracket {
    fn new(lo: f64, hi: f64) -> Self {
        Self {
            lo,
            hi,
            residual: f64::INFINITY,
        }
    }

    /// The next iterate after an evaluation with residual `|g|` at `current`, and whether the
    /// iteration has converged.
    ///
    /// `candidate` is accepted if it is within the convergence tolerance of `current` (which
    /// may just have become an end of the bracket) — then the iteration has converged — or if
    /// it lies strictly inside the bracket and the residual has at least halved since the
    /// previous evaluation (far from the root a high-order step on a flat objective can creep).
    /// Otherwise the bracket is bisected — geometrically if asked (quartering the upper end
    /// while the lower end is 0), doubling while it is open above; a bisection never counts as
    /// convergence, however small.
    fn next(
        &mut self,
        residual: f64,
        candidate: f64,
        current: f64,
        geometric: bool,
    ) -> (f64, bool) {
        let stalled = residual > 0.5 * self.residual && self.hi.is_finite();
        self.residual = residual;
        let inside = candidate > self.lo && candidate < self.hi;
        if (candidate - current).abs() <= STEP_TOLERANCE * current {
            (candidate, true)
        } else if inside && !stalled {
            (candidate, false)
        } else if !self.hi.is_finite() {
            (2.0 * current.max(self.lo), false)
        } else if !geometric {
            (0.5 * (self.lo + self.hi), false)
        } else if self.lo > 0.0 {
            ((self.lo * self.hi).sqrt(), false)
        } else {
            (0.25 * self.hi, false)
        }
    }
}

/// One Householder step of order 3 for `g(s) = 0` given `g`, `g'`, `g''/g'`, `g'''/g'`.
#[inline]
fn householder3(g: f64, g1: f64, r2: f64, r3: f64) -> f64 {
    let nu = -g / g1;
    nu * (1.0 + 0.5 * r2 * nu) / (1.0 + nu * (r2 + r3 * nu / 6.0))
}

/// Derivative ratios of `ln y(s)` where `y' = q·y` and `y''/y' = gb`, `y'''/y' = db`:
/// returns `(g', g''/g', g'''/g')`.
#[inline]
fn log_ratios(q: f64, gb: f64, db: f64) -> (f64, f64, f64) {
    let g2 = q * gb - q * q;
    let g3 = q * db - 3.0 * q * q * gb + 2.0 * q * q * q;
    (q, g2 / q, g3 / q)
}

/// Solves `b(x, s) = time_value/√(FK)` for `s`, `x ≤ 0`. `complement` is `min(F, K) − time
/// value` (the distance to the upper bound), `root_fk = √(FK)`.
fn solve_normalised(
    x: f64,
    time_value: f64,
    complement: f64,
    root_fk: f64,
) -> Result<(f64, usize), PricingError> {
    let beta = time_value / root_fk;
    // One logarithm unless β is subnormal (then two, so no digit is lost).
    let ln_beta = if beta >= f64::MIN_POSITIVE {
        beta.ln()
    } else {
        time_value.ln() - root_fk.ln()
    };
    let s_c = (-2.0 * x).sqrt();
    let mut b_c = None;
    if x < 0.0 {
        let guess = lower_guess(x, beta, ln_beta);
        // The lower map f satisfies f(s_c/2) < b(x, s_c) for every x (checked at 40 digits
        // for |x| from 1e-8 to 1000: the ratio is at most 0.073), and f is increasing, so a
        // guess below s_c/2 proves β < b(x, s_c) without evaluating b there.
        if guess.is_some_and(|g| g < 0.5 * s_c) {
            return lower_branch(x, ln_beta, s_c, guess);
        }
        // At the inflection point d₁ = h + t = 0, inside the scaled regions.
        let (h, t) = (x / s_c, 0.5 * s_c);
        let r_c = scaled_otm(h, t);
        let e_c = exponent(h, t);
        let g_c = e_c + r_c.ln() - ln_beta;
        if g_c >= 0.0 {
            // The root lies in [s_c/2, s_c], where the map is least accurate: start from a
            // Householder(3) step in ln s taken at s_c instead, where b''/b' = 0 and
            // b'''/b' = −1 exactly.
            let (g1, r2, r3) = log_ratios(FRAC_1_SQRT_2PI / r_c, 0.0, -1.0);
            let du = householder3(
                g_c,
                s_c * g1,
                1.0 + s_c * r2,
                1.0 + s_c * (3.0 * r2 + s_c * r3),
            );
            let from_c = s_c * normalised::exp(du);
            let start = if from_c > 0.0 && from_c < s_c {
                Some(from_c)
            } else {
                guess
            };
            return lower_branch(x, ln_beta, s_c, start);
        }
        b_c = Some(normalised::exp(e_c) * r_c);
    }
    let beta_bar = complement / root_fk;
    upper_branch(x, beta, beta_bar, s_c, b_c)
}

/// Inverse of Jäckel's lower map `f(s) = (2π|x|/√27)·Φ(−|x|/(√3 s))³`, which tends to
/// `b(x, s)` as `s → 0`; `None` where the map cannot reach `β`.
fn lower_guess(x: f64, beta: f64, ln_beta: f64) -> Option<f64> {
    const TWO_PI_OVER_SQRT_27: f64 = 1.209_199_576_156_145_2;
    const SQRT_3: f64 = 1.732_050_807_568_877_2;
    let ax = -x;
    let ratio = beta / (TWO_PI_OVER_SQRT_27 * ax);
    // p = ratio^{1/3}: a cube root where the ratio is a normal double, logarithms otherwise.
    let p = if ratio >= f64::MIN_POSITIVE && ratio.is_finite() {
        cube_root(ratio)
    } else {
        ((ln_beta - (TWO_PI_OVER_SQRT_27 * ax).ln()) / 3.0).exp()
    };
    (p < 0.5).then(|| ax / (SQRT_3 * -norm_inv_cdf(p)))
}

/// `r^{1/3}` for a positive normal double, to about 2 ulp: only a starting point needs it, and
/// the library `cbrt` (a portable software routine) costs a sixth of a whole solve.
///
/// The estimate divides the exponent by three in the bit pattern (the integer division of the
/// IEEE representation by 3 plus the bias correction of W. Kahan's cube root, as in fdlibm's
/// `cbrt`, good to about 5%), and three Halley steps `y ← y·(y³ + 2r)/(2y³ + r)` (cubic
/// convergence: 5e-2 → 1e-4 → 1e-12 → rounding) finish it.
#[inline]
fn cube_root(r: f64) -> f64 {
    /// `(1023 − 1023/3)·2^52` minus Kahan's tuning of the mantissa estimate.
    const BIAS: u64 = 0x2A9F_7893_782D_A1CE;
    let mut y = f64::from_bits(r.to_bits() / 3 + BIAS);
    for _ in 0..3 {
        let y3 = y * y * y;
        y *= (y3 + 2.0 * r) / (2.0 * y3 + r);
    }
    y
}

/// Lower branch, `s ∈ (0, s_c]`: iterate on `ln b − ln β` as a function of `ln s`, from the
/// lower map's guess.
///
/// In logarithmic coordinates the objective is close to linear at both ends of the branch:
/// `ln b ≈ 3·ln s − x²/(2s²)` as `s → 0`, and `ln b ≈ ln s + const` near the money
/// (`|x| ≪ s`), so Householder(3) steps converge from the asymptotic guess in either regime.
fn lower_branch(
    x: f64,
    ln_beta: f64,
    s_c: f64,
    guess: Option<f64>,
) -> Result<(f64, usize), PricingError> {
    let mut bracket = Bracket::new(0.0, s_c);
    let mut s = guess.filter(|&g| g > 0.0 && g <= s_c).unwrap_or(s_c);
    for iteration in 1..=MAX_ITERATIONS {
        let (h, t) = (x / s, 0.5 * s);
        let r = scaled_otm(h, t);
        let (next, converged) = if r > 0.0 {
            let g = exponent(h, t) + r.ln() - ln_beta;
            if g < 0.0 {
                bracket.lo = s;
            } else {
                bracket.hi = s;
            }
            let (gb, db) = vega_ratios(x, s);
            let (g1, r2, r3) = log_ratios(FRAC_1_SQRT_2PI / r, gb, db);
            // Chain rule to u = ln s: g_u = s·g', g_uu/g_u = 1 + s·r2,
            // g_uuu/g_u = 1 + 3s·r2 + s²·r3.
            let du = householder3(g, s * g1, 1.0 + s * r2, 1.0 + s * (3.0 * r2 + s * r3));
            // e^{du} by its cubic Taylor polynomial once the step is small (error du⁴/24 ≤ 4e-14
            // of s, corrected by the next step; the final steps are below 1e-6).
            let growth = if du.abs() < 1e-3 {
                1.0 + du * (1.0 + du * (0.5 + du * (1.0 / 6.0)))
            } else {
                normalised::exp(du)
            };
            bracket.next(g.abs(), s * growth, s, true)
        } else {
            bracket.lo = s;
            bracket.next(f64::INFINITY, f64::NAN, s, true)
        };
        if converged {
            return Ok((next, iteration));
        }
        s = next;
    }
    Err(PricingError::NoConvergence {
        iterations: MAX_ITERATIONS,
        last: s,
    })
}

/// Upper branch, `s ≥ s_c`: iterate on `b(s) − β`, or on `ln(b̄(s)) − ln(β̄)` with
/// `b̄ = e^{x/2} − b` once `β` is close to its bound.
fn upper_branch(
    x: f64,
    beta: f64,
    beta_bar: f64,
    s_c: f64,
    b_c: Option<f64>,
) -> Result<(f64, usize), PricingError> {
    let b_max = (0.5 * x).exp();
    let use_complement = beta_bar < 0.25 * b_max;
    let asymptotic = || {
        if x == 0.0 {
            // b = 1 − 2Φ(−s/2) exactly; for small β the linear start b ≈ s/√(2π) is better
            // conditioned than inverting Φ near ½.
            if beta < 0.1 {
                SQRT_2PI * beta
            } else {
                -2.0 * norm_inv_cdf(0.5 * beta_bar)
            }
        } else if x > -1.0 {
            // Large-s limit b̄ ≈ (e^{x/2} + e^{−x/2})·Φ(−s/2).
            -2.0 * norm_inv_cdf(beta_bar / (b_max + 1.0 / b_max))
        } else {
            // Far from the money the first term of b̄ dominates: b̄ ≈ e^{x/2}·Φ(−(h + t)), so
            // h + t = z and s = z + √(z² − 2x).
            let z = -norm_inv_cdf(beta_bar / b_max);
            z + (z * z - 2.0 * x).sqrt()
        }
    };
    // From the inflection point, where b''/b' = 0 and b'''/b' = −1 exactly, a Householder(3)
    // step on b − β (before the complement objective takes over near the bound); otherwise
    // the asymptotic guesses.
    let guess = match b_c
        .filter(|_| !use_complement)
        .map(|b| s_c + householder3(b - beta, b_max * FRAC_1_SQRT_2PI, 0.0, -1.0))
    {
        Some(g) if g > s_c && g.is_finite() => g,
        _ => asymptotic(),
    };
    let mut bracket = Bracket::new(s_c, f64::INFINITY);
    let mut s = if guess > s_c && guess.is_finite() {
        guess
    } else if s_c > 0.0 {
        s_c
    } else {
        SQRT_2PI * beta
    };
    let ln_beta_bar = beta_bar.ln();
    for iteration in 1..=MAX_ITERATIONS {
        let (gb, db) = vega_ratios(x, s);
        let (b, b1) = otm_call_and_vega(x, s);
        let (next, converged) = if use_complement {
            let bar = otm_call_complement(x, s);
            if bar > 0.0 && b1 > 0.0 {
                let g = bar.ln() - ln_beta_bar;
                if g > 0.0 {
                    bracket.lo = s;
                } else {
                    bracket.hi = s;
                }
                let (g1, r2, r3) = log_ratios(-b1 / bar, gb, db);
                bracket.next(g.abs(), s + householder3(g, g1, r2, r3), s, false)
            } else {
                bracket.hi = s;
                bracket.next(f64::INFINITY, f64::NAN, s, false)
            }
        } else {
            let g = b - beta;
            if g < 0.0 {
                bracket.lo = s;
            } else {
                bracket.hi = s;
            }
            let candidate = if b1 > 0.0 {
                s + householder3(g, b1, gb, db)
            } else {
                f64::NAN
            };
            bracket.next(g.abs(), candidate, s, false)
        };
        if converged {
            return Ok((next, iteration));
        }
        s = next;
    }
    Err(PricingError::NoConvergence {
        iterations: MAX_ITERATIONS,
        last: s,
    })
}

/// Bachelier (normal) implied volatility of an undiscounted option price.
///
/// Forward and strike may have any sign. The solve is on `u = |F − K|/(σ√T)` (see the module
/// documentation); at the money the inversion is explicit.
///
/// ```
/// use parapet_core::OptionKind;
/// use parapet_pricing::{bachelier, implied};
/// let p = bachelier::price(OptionKind::Put, 0.01, 0.025, 2.0, 0.0075);
/// let vol = implied::normal_vol(OptionKind::Put, 0.01, 0.025, 2.0, p)?;
/// assert!((vol - 0.0075).abs() < 1e-17);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// * [`PricingError::NotFinite`] for a non-finite forward, strike or price;
///   [`PricingError::NotPositive`] for an expiry that is not positive.
/// * [`PricingError::BelowIntrinsic`]: price at or below `max(θ(F − K), 0)` (the normal
///   model has no upper bound).
/// * [`PricingError::NoConvergence`]: not observed on any input; kept so that a failure could
///   never be silent.
pub fn normal_vol(
    kind: OptionKind,
    forward: f64,
    strike: f64,
    t: f64,
    undiscounted_price: f64,
) -> Result<f64, PricingError> {
    normal_vol_solution(kind, forward, strike, t, undiscounted_price).map(|s| s.vol)
}

/// [`normal_vol`] with the iteration count.
///
/// # Errors
/// As [`normal_vol`].
pub fn normal_vol_solution(
    kind: OptionKind,
    forward: f64,
    strike: f64,
    t: f64,
    undiscounted_price: f64,
) -> Result<ImpliedVol, PricingError> {
    finite("forward", forward)?;
    finite("strike", strike)?;
    positive("expiry", t)?;
    let price = finite("price", undiscounted_price)?;
    let intrinsic = kind.intrinsic(forward, strike);
    if price <= intrinsic {
        return Err(PricingError::BelowIntrinsic { price, intrinsic });
    }
    // Time value of the out-of-the-money option (put-call parity), exact when close.
    let time_value = price - intrinsic;
    let moneyness = (forward - strike).abs();
    if moneyness == 0.0 {
        return Ok(ImpliedVol {
            vol: time_value * SQRT_2PI / t.sqrt(),
            iterations: 0,
        });
    }
    let (u, iterations) = solve_normal(time_value.ln() - moneyness.ln(), time_value / moneyness)?;
    Ok(ImpliedVol {
        vol: moneyness / u / t.sqrt(),
        iterations,
    })
}

/// Solves `ln(ψ(u)/u) = target` for `u > 0`, `ψ(u) = φ(u) − u·Φ(−u)`; `ratio = e^{target}`
/// (possibly underflowed, only used for the initial guess).
fn solve_normal(target: f64, ratio: f64) -> Result<(f64, usize), PricingError> {
    /// ln √(2π).
    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
    // Initial guess: ψ(u)/u ≈ φ(0)/u − ½ for small u; ψ(u)/u ≈ φ(u)/u³ for large u, solved
    // by a few fixed-point steps of u² = −2·ln(√(2π)·ratio·u³).
    let mut u = if ratio >= 0.3 {
        FRAC_1_SQRT_2PI / (ratio + 0.5)
    } else {
        let base = -2.0 * (LN_SQRT_2PI + target);
        let mut u = base.sqrt();
        for _ in 0..3 {
            let next = base - 6.0 * u.ln();
            if next > 0.0 {
                u = next.sqrt();
            }
        }
        u
    };
    let mut bracket = Bracket::new(0.0, f64::INFINITY);
    let sqrt_pi_over_2 = 0.5 * SQRT_2PI;
    for iteration in 1..=MAX_ITERATIONS {
        let a = crate::normalised::mills_derivative(-u);
        let y = sqrt_pi_over_2 * parapet_core::special::erfcx(u * std::f64::consts::FRAC_1_SQRT_2);
        let g = -0.5 * u * u - LN_SQRT_2PI + a.ln() - u.ln() - target;
        if g > 0.0 {
            bracket.lo = u;
        } else {
            bracket.hi = u;
        }
        let big_a = y / a; // Φ(−u)/ψ(u)
        let big_b = 1.0 / a; // φ(u)/ψ(u)
        let inv_u = 1.0 / u;
        let g1 = -big_a - inv_u;
        let g2 = big_b - big_a * big_a + inv_u * inv_u;
        let g3 = -u * big_b + 3.0 * big_a * big_b
            - 2.0 * big_a * big_a * big_a
            - 2.0 * inv_u * inv_u * inv_u;
        let (next, converged) =
            bracket.next(g.abs(), u + householder3(g, g1, g2 / g1, g3 / g1), u, false);
        if converged {
            return Ok((next, iteration));
        }
        u = next;
    }
    Err(PricingError::NoConvergence {
        iterations: MAX_ITERATIONS,
        last: u,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cube_root_is_accurate_over_the_normal_range() {
        let mut r = f64::MIN_POSITIVE;
        let mut worst = 0.0_f64;
        while r < 1e300 {
            for m in [1.0, 1.37, 2.0, 3.3, 5.9, 7.99] {
                let v = r * m;
                let y = cube_root(v);
                // y³ = v·(1 + 3δ) to first order: compare in the cube, where v is exact.
                let rel = ((y * y * y) / v - 1.0).abs() / 3.0;
                worst = worst.max(rel);
            }
            r *= 1e7;
        }
        assert!(worst < 4.0 * f64::EPSILON, "worst relative error {worst}");
    }
}
