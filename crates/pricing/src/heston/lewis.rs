//! Heston prices by Lewis's single integral with a Black-Scholes control variate, integrated
//! adaptively over `[0, ∞)`.

use num_complex::Complex64;
use parapet_core::{Market, OptionKind, Vanilla};

use std::array;

use super::HestonModel;
use super::lanes::C;
use crate::american::quadrature::GaussLegendre;
use crate::black;
use crate::error::{PricingError, positive};
use crate::lane::{self, Job, V};

/// Settings of the [`Lewis`] integrator.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LewisSettings {
    /// Absolute tolerance on the undiscounted price, in units of the forward (default 1e-14).
    pub tolerance: f64,
    /// Largest number of bisections of any panel (default 40).
    pub max_depth: usize,
}

impl Default for LewisSettings {
    fn default() -> Self {
        Self {
            tolerance: 1e-14,
            max_depth: 40,
        }
    }
}

impl LewisSettings {
    /// `Ok(self)` for a tolerance in `[1e-16, 1e-2]` and a depth in `[1, 60]`.
    ///
    /// # Errors
    /// [`PricingError::OutOfRange`] naming the setting.
    pub fn validate(self) -> Result<Self, PricingError> {
        if !(1e-16..=1e-2).contains(&self.tolerance) {
            return Err(PricingError::OutOfRange {
                name: "tolerance",
                value: self.tolerance,
                min: 1e-16,
                max: 1e-2,
            });
        }
        if !(1..=60).contains(&self.max_depth) {
            return Err(PricingError::OutOfRange {
                name: "max_depth",
                value: self.max_depth as f64,
                min: 1.0,
                max: 60.0,
            });
        }
        Ok(self)
    }
}

/// European prices under Heston by Lewis's (2000) formula
///
/// ```text
/// C = D·[F − √(FK)/π ∫₀^∞ Re(e^{iux} φ(u − i/2)) du/(u² + ¼)],   x = ln(F/K),
/// ```
///
/// with `φ` the characteristic function of `ln(S_T/F_T)`. The Black-Scholes price with the
/// model's mean variance over `[0, T]` is used as a control variate: its characteristic
/// function at `u − i/2` is the real `e^{−s²(u² + ¼)/2}`, and only the difference is
/// integrated, which removes the bulk of the integrand and the cancellation against `F`.
///
/// The integral over `[0, ∞)` has no fixed upper bound: it is split into panels of doubling
/// width from a scale `4/s` (`s` the total Black-Scholes deviation), each integrated by
/// 16-point Gauss-Legendre and bisected until the panel and its halves agree to the
/// tolerance; panels are added until one contributes less than the tolerance and the
/// integrand's envelope has fallen below it. Short expiries, whose integrands reach far out,
/// get as many panels as they need.
///
/// Reference: A.L. Lewis (2000), *Option Valuation under Stochastic Volatility*, Finance
/// Press, ch. 2; A.L. Lewis (2001), "A simple option formula for general jump-diffusion and
/// other exponential Lévy processes", SSRN 282110.
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::heston::{HestonModel, HestonParams, Lewis};
/// // Lewis's reference set: the K = 100 call is 16.070154917028834278…
/// let model = HestonModel::new(HestonParams {
///     v0: 0.04, kappa: 4.0, theta: 0.25, sigma: 1.0, rho: -0.5,
/// })?;
/// let market = Market::new(100.0, 0.01, 0.02)?;
/// let call = Vanilla::european(OptionKind::Call, 100.0, 1.0)?;
/// let v = Lewis::default().price(&model, &call, &market)?;
/// assert!((v - 16.070154917028834).abs() < 1e-11);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Lewis {
    settings: LewisSettings,
    rule: GaussLegendre,
}

impl Default for Lewis {
    fn default() -> Self {
        Self {
            settings: LewisSettings::default(),
            rule: GaussLegendre::new(16),
        }
    }
}

impl Lewis {
    /// An integrator with validated settings.
    ///
    /// # Errors
    /// As [`LewisSettings::validate`].
    pub fn new(settings: LewisSettings) -> Result<Self, PricingError> {
        Ok(Self {
            settings: settings.validate()?,
            rule: GaussLegendre::new(16),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &LewisSettings {
        &self.settings
    }

    /// The discounted price of a European option.
    ///
    /// # Errors
    /// [`PricingError::UnsupportedExercise`] for a non-European contract;
    /// [`PricingError::NoConvergence`] if a panel cannot meet the tolerance within the
    /// bisection depth.
    pub fn price(
        &self,
        model: &HestonModel,
        option: &Vanilla,
        market: &Market,
    ) -> Result<f64, PricingError> {
        super::european(option)?;
        let t = option.expiry();
        let f = market.forward(t);
        let undiscounted = self.undiscounted(model, option.kind(), f, option.strike(), t)?;
        Ok(market.discount(t) * undiscounted)
    }

    /// Undiscounted price for forward `f`, strike `k`, expiry `t`.
    pub(crate) fn undiscounted(
        &self,
        model: &HestonModel,
        kind: OptionKind,
        f: f64,
        k: f64,
        t: f64,
    ) -> Result<f64, PricingError> {
        positive("forward", f)?;
        let x = (f / k).ln();
        let s2 = model.mean_variance(t) * t;
        let s = s2.sqrt().max(1e-8);
        let bs_call = black::price(OptionKind::Call, f, k, t, s / t.sqrt());
        let scale = (f * k).sqrt() / std::f64::consts::PI;
        let integral = lane::dispatch(Integral {
            lewis: self,
            integrand: Integrand { model, t, x, s2 },
            width: 4.0 / s,
            tol: self.settings.tolerance * f / scale,
        })?;
        let call = bs_call - scale * integral;
        Ok(match kind {
            OptionKind::Call => call,
            // Put-call parity on the forward: P = C − (F − K).
            OptionKind::Put => call - (f - k),
        }
        .max(0.0))
    }
}

/// Lewis's integrand with the control variate subtracted,
/// `[Re(e^{iux}φ(u − i/2)) − e^{−s²(u² + ¼)/2}·cos(ux)]/(u² + ¼)`.
struct Integrand<'a> {
    model: &'a HestonModel,
    t: f64,
    x: f64,
    s2: f64,
}

impl Integrand<'_> {
    /// The integrand at `N` nodes: the characteristic function in lanes, and one node at a
    /// time by the platform's functions where a lane leaves their domain.
    #[inline(always)]
    fn eval<const N: usize>(&self, u: V<N>) -> V<N> {
        let (c, d, ok) = self
            .model
            .ln_characteristic_parts_lanes(C::new(u, V::splat(-0.5)), self.t);
        let ln_phi = c + d * self.model.params().v0;
        let w = u * u + 0.25;
        // Re(e^{iux}φ) = e^{Re ln φ}·cos(Im ln φ + ux): the phase folded into the logarithm.
        let (_, cos_heston, ok_heston) = lane::sin_cos(ln_phi.im + u * self.x);
        let (_, cos_control, ok_control) = lane::sin_cos(u * self.x);
        let heston = lane::exp(ln_phi.re.max(V::splat(-708.0))) * cos_heston;
        let control = lane::exp((-0.5 * self.s2 * w).max(V::splat(-708.0))) * cos_control;
        let mut value = (heston - control) / w;
        let ok = ok & ok_heston & ok_control & ln_phi.re.lt(708.0);
        if !ok.all() {
            for i in (0..N).filter(|&i| !ok.get(i)) {
                value.0[i] = self.at(u.0[i]);
            }
        }
        value
    }

    /// The integrand at one node by the platform's functions.
    fn at(&self, u: f64) -> f64 {
        let ln_phi = self
            .model
            .ln_characteristic_function(Complex64::new(u, -0.5), self.t);
        let w = u * u + 0.25;
        let heston = ln_phi.re.exp() * (ln_phi.im + u * self.x).cos();
        let control = (-0.5 * self.s2 * w).exp() * (u * self.x).cos();
        (heston - control) / w
    }
}

/// `∫₀^∞` of the integrand by doubling panels from `[0, width]`, each adaptively bisected
/// until the 16-point rule on the panel and on its halves agree to the panel's share of `tol`;
/// a [`lane::Job`], so that the nodes of a panel are evaluated in lane groups.
struct Integral<'a> {
    lewis: &'a Lewis,
    integrand: Integrand<'a>,
    width: f64,
    tol: f64,
}

/// A panel waiting for bisection: its ends, its 16-point value, its tolerance and depth.
#[derive(Clone, Copy)]
struct Pending {
    a: f64,
    b: f64,
    whole: f64,
    tol: f64,
    depth: usize,
}

impl Job for Integral<'_> {
    type Out = Result<f64, PricingError>;

    #[inline(always)]
    fn run(self) -> Result<f64, PricingError> {
        let mut total = 0.0;
        let (mut a, mut w) = (0.0, self.width);
        // Panels left to bisect, the leftmost on top (an explicit stack, so that the whole
        // integration is one inlined loop).
        let mut stack = Vec::with_capacity(2 * self.lewis.settings.max_depth + 2);
        for _ in 0..200 {
            let b = a + w;
            let mut part = 0.0;
            stack.push(Pending {
                a,
                b,
                whole: self.panel(a, b),
                tol: self.tol,
                depth: 0,
            });
            while let Some(p) = stack.pop() {
                let m = 0.5 * (p.a + p.b);
                let (left, right) = (self.panel(p.a, m), self.panel(m, p.b));
                if (left + right - p.whole).abs() <= p.tol {
                    part += left + right;
                    continue;
                }
                if p.depth >= self.lewis.settings.max_depth {
                    return Err(PricingError::NoConvergence {
                        iterations: p.depth,
                        last: left + right,
                    });
                }
                let (tol, depth) = (0.5 * p.tol, p.depth + 1);
                stack.push(Pending {
                    a: m,
                    b: p.b,
                    whole: right,
                    tol,
                    depth,
                });
                stack.push(Pending {
                    a: p.a,
                    b: m,
                    whole: left,
                    tol,
                    depth,
                });
            }
            total += part;
            let envelope = self.integrand.eval(V([b])).0[0].abs() * w;
            if part.abs() < self.tol && envelope < self.tol {
                return Ok(total);
            }
            a = b;
            w *= 2.0;
        }
        Err(PricingError::NoConvergence {
            iterations: 200,
            last: total,
        })
    }
}

impl Integral<'_> {
    /// The Gauss-Legendre rule on `[a, b]`, its nodes in lane groups.
    #[inline(always)]
    fn panel(&self, a: f64, b: f64) -> f64 {
        let rule = &self.lewis.rule;
        let (c, m) = (0.5 * (b - a), 0.5 * (b + a));
        let n = rule.nodes.len();
        let packed = n - n % lane::WIDTH;
        let mut sum = V::<{ lane::WIDTH }>::splat(0.0);
        for base in (0..packed).step_by(lane::WIDTH) {
            let node = V::<{ lane::WIDTH }>(array::from_fn(|i| rule.nodes[base + i]));
            let weight = V::<{ lane::WIDTH }>(array::from_fn(|i| rule.weights[base + i]));
            sum = sum + weight * self.integrand.eval(m + c * node);
        }
        let mut total = sum.sum();
        for i in packed..n {
            total += rule.weights[i] * self.integrand.eval(V([m + c * rule.nodes[i]])).0[0];
        }
        c * total
    }
}
