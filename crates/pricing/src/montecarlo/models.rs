//! Path models: exact geometric Brownian motion and Andersen's QE scheme for Heston.

use parapet_core::special::norm_cdf;
use parapet_core::{Market, OptionKind, Vanilla};

use crate::bsm;
use crate::error::{PricingError, positive};
use crate::heston::{Cos, HestonModel};

/// A model that simulates log-spot paths from standard normal draws.
///
/// Antithetic variates negate the draws, so a model only maps normals to a path.
pub trait PathModel: Sync {
    /// Standard normal draws consumed per time step.
    fn draws_per_step(&self) -> usize;

    /// Fills `log_spot` (`steps + 1` values, the first `ln S₀`) and `variance` (`steps`
    /// values: the instantaneous variance at the start of each step, for the Brownian-bridge
    /// barrier correction) from `draws` (`steps·draws_per_step()` normals).
    fn path(
        &self,
        market: &Market,
        dt: f64,
        draws: &[f64],
        log_spot: &mut [f64],
        variance: &mut [f64],
    );

    /// The analytic price of the European option on `S_T` (the control variate's mean).
    ///
    /// # Errors
    /// The pricer's errors.
    fn european(
        &self,
        kind: OptionKind,
        strike: f64,
        expiry: f64,
        market: &Market,
    ) -> Result<f64, PricingError>;
}

/// Geometric Brownian motion, simulated exactly: `ln S_{t+Δ} = ln S_t + (r − q − σ²/2)Δ + σ√Δ·Z`.
///
/// ```
/// use parapet_pricing::montecarlo::Gbm;
/// assert!(Gbm::new(0.2).is_ok());
/// assert!(Gbm::new(-0.2).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gbm {
    vol: f64,
}

impl Gbm {
    /// GBM with volatility `vol`.
    ///
    /// # Errors
    /// A volatility that is not positive and finite.
    pub fn new(vol: f64) -> Result<Self, PricingError> {
        Ok(Self {
            vol: positive("vol", vol)?,
        })
    }

    /// The volatility.
    pub fn vol(&self) -> f64 {
        self.vol
    }
}

impl PathModel for Gbm {
    fn draws_per_step(&self) -> usize {
        1
    }

    fn path(
        &self,
        market: &Market,
        dt: f64,
        draws: &[f64],
        log_spot: &mut [f64],
        variance: &mut [f64],
    ) {
        let drift = (market.carry() - 0.5 * self.vol * self.vol) * dt;
        let diffusion = self.vol * dt.sqrt();
        log_spot[0] = market.spot().ln();
        for (i, z) in draws.iter().enumerate() {
            log_spot[i + 1] = log_spot[i] + drift + diffusion * z;
        }
        variance.fill(self.vol * self.vol);
    }

    fn european(
        &self,
        kind: OptionKind,
        strike: f64,
        expiry: f64,
        market: &Market,
    ) -> Result<f64, PricingError> {
        bsm::price(&Vanilla::european(kind, strike, expiry)?, market, self.vol)
    }
}

/// Andersen's (2008) quadratic-exponential (QE) scheme for Heston, with the martingale
/// correction.
///
/// The variance step matches the first two conditional moments `m`, `s²` of the exact
/// (non-central χ²) transition: for `ψ = s²/m² ≤ 1.5`, `v' = a(b + Z_v)²` with
/// `b² = 2/ψ − 1 + √(2/ψ)√(2/ψ − 1)`, `a = m/(1 + b²)`; otherwise `v' = 0` with probability
/// `p = (ψ − 1)/(ψ + 1)` and exponential with rate `β = (1 − p)/m` beyond, using
/// `U_v = Φ(Z_v)`. The log-spot step integrates the variance by the trapezoidal rule
/// (`γ₁ = γ₂ = ½`): `ln S' = ln S + (r − q)Δ + K₀* + K₁v + K₂v' + √(K₃v + K₄v')·Z_s`, with
/// `K₀*` chosen so that the discounted spot is an exact martingale (Andersen's proposition 7;
/// where it does not exist, the uncorrected `K₀ = −ρκθΔ/σ`).
///
/// Reference: L. Andersen (2008), "Simple and efficient simulation of the Heston stochastic
/// volatility model", *Journal of Computational Finance* 11(3), 1–42.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HestonQe {
    model: HestonModel,
}

/// The QE switching level `ψ_c`.
const PSI_C: f64 = 1.5;

impl HestonQe {
    /// The QE scheme for `model`.
    pub fn new(model: HestonModel) -> Self {
        Self { model }
    }

    /// The model.
    pub fn model(&self) -> &HestonModel {
        &self.model
    }
}

impl PathModel for HestonQe {
    fn draws_per_step(&self) -> usize {
        2
    }

    fn path(
        &self,
        market: &Market,
        dt: f64,
        draws: &[f64],
        log_spot: &mut [f64],
        variance: &mut [f64],
    ) {
        let p = self.model.params();
        let (kappa, theta, sigma, rho) = (p.kappa, p.theta, p.sigma, p.rho);
        let e = (-kappa * dt).exp();
        let one_m_e = -(-kappa * dt).exp_m1();
        let (g1, g2) = (0.5, 0.5);
        let k0 = -rho * kappa * theta * dt / sigma;
        let k1 = g1 * dt * (kappa * rho / sigma - 0.5) - rho / sigma;
        let k2 = g2 * dt * (kappa * rho / sigma - 0.5) + rho / sigma;
        let k3 = g1 * dt * (1.0 - rho * rho);
        let k4 = g2 * dt * (1.0 - rho * rho);
        let a_mart = k2 + 0.5 * k4;
        let mut v = p.v0;
        log_spot[0] = market.spot().ln();
        for (i, z) in draws.chunks_exact(2).enumerate() {
            variance[i] = v;
            let m = theta + (v - theta) * e;
            let s2 = v * sigma * sigma * e * one_m_e / kappa
                + theta * sigma * sigma * one_m_e * one_m_e / (2.0 * kappa);
            let psi = s2 / (m * m);
            let (next, k0_star) = if psi <= PSI_C {
                let two_psi = 2.0 / psi;
                let b2 = two_psi - 1.0 + (two_psi * (two_psi - 1.0)).sqrt();
                let a = m / (1.0 + b2);
                let next = a * (b2.sqrt() + z[0]).powi(2);
                let k0s = if a_mart < 0.5 / a {
                    -a_mart * b2 * a / (1.0 - 2.0 * a_mart * a)
                        + 0.5 * (1.0 - 2.0 * a_mart * a).ln()
                        - (k1 + 0.5 * k3) * v
                } else {
                    k0
                };
                (next, k0s)
            } else {
                let pz = (psi - 1.0) / (psi + 1.0);
                let beta = (1.0 - pz) / m;
                let u = norm_cdf(z[0]);
                let next = if u <= pz {
                    0.0
                } else {
                    // ln((1 − p)/(1 − U)) with 1 − U = Φ(−Z) kept accurate in the tail.
                    ((1.0 - pz) / norm_cdf(-z[0])).ln() / beta
                };
                let k0s = if a_mart < beta {
                    -(pz + beta * (1.0 - pz) / (beta - a_mart)).ln() - (k1 + 0.5 * k3) * v
                } else {
                    k0
                };
                (next, k0s)
            };
            log_spot[i + 1] = log_spot[i]
                + market.carry() * dt
                + k0_star
                + k1 * v
                + k2 * next
                + (k3 * v + k4 * next).max(0.0).sqrt() * z[1];
            v = next;
        }
    }

    fn european(
        &self,
        kind: OptionKind,
        strike: f64,
        expiry: f64,
        market: &Market,
    ) -> Result<f64, PricingError> {
        Cos::default().price(
            &self.model,
            &Vanilla::european(kind, strike, expiry)?,
            market,
        )
    }
}
