//! Heston prices by Lewis's single integral with a Black-Scholes control variate, integrated
//! adaptively over `[0, ∞)`.

use num_complex::Complex64;
use parapet_core::{Market, OptionKind, Vanilla};

use super::HestonModel;
use crate::american::quadrature::GaussLegendre;
use crate::black;
use crate::error::{PricingError, positive};

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
        let integrand = |u: f64| {
            // Re(e^{iux}φ) = e^{Re ln φ}·cos(Im ln φ + ux): the phase folded into the logarithm
            // (one cosine instead of two complex exponentials).
            let ln_phi = model.ln_characteristic_function(Complex64::new(u, -0.5), t);
            let w = u * u + 0.25;
            let heston = ln_phi.re.exp() * (ln_phi.im + u * x).cos();
            let control = (-0.5 * s2 * w).exp() * (u * x).cos();
            (heston - control) / w
        };
        let scale = (f * k).sqrt() / std::f64::consts::PI;
        let tol = self.settings.tolerance * f / scale;
        let integral = self.integrate(integrand, 4.0 / s, tol)?;
        let call = bs_call - scale * integral;
        Ok(match kind {
            OptionKind::Call => call,
            // Put-call parity on the forward: P = C − (F − K).
            OptionKind::Put => call - (f - k),
        }
        .max(0.0))
    }

    /// `∫₀^∞ g` by doubling panels from `[0, width]`, each adaptively bisected.
    fn integrate(&self, g: impl Fn(f64) -> f64, width: f64, tol: f64) -> Result<f64, PricingError> {
        let mut total = 0.0;
        let (mut a, mut w) = (0.0, width);
        for _ in 0..200 {
            let b = a + w;
            let whole = self.panel(&g, a, b);
            let part = self.adapt(&g, a, b, whole, tol, 0)?;
            total += part;
            let envelope = g(b).abs() * w;
            if part.abs() < tol && envelope < tol {
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

    fn panel(&self, g: &impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
        let c = 0.5 * (b - a);
        let m = 0.5 * (b + a);
        c * self
            .rule
            .nodes
            .iter()
            .zip(&self.rule.weights)
            .map(|(&x, &w)| w * g(m + c * x))
            .sum::<f64>()
    }

    fn adapt(
        &self,
        g: &impl Fn(f64) -> f64,
        a: f64,
        b: f64,
        whole: f64,
        tol: f64,
        depth: usize,
    ) -> Result<f64, PricingError> {
        let m = 0.5 * (a + b);
        let left = self.panel(g, a, m);
        let right = self.panel(g, m, b);
        let err = (left + right - whole).abs();
        if err <= tol {
            return Ok(left + right);
        }
        if depth >= self.settings.max_depth {
            return Err(PricingError::NoConvergence {
                iterations: depth,
                last: left + right,
            });
        }
        Ok(self.adapt(g, a, m, left, 0.5 * tol, depth + 1)?
            + self.adapt(g, m, b, right, 0.5 * tol, depth + 1)?)
    }
}
