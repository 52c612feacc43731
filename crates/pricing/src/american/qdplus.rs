//! The QD+ approximation of the put exercise boundary (Li 2010), used as the initial guess of
//! the fixed-point iteration.
//!
//! For a put with time to expiry `τ`, `h = 1 − e^{−rτ}`, `ω = 2(r − q)/σ²` and
//! `λ = ½·(−(ω − 1) − √((ω − 1)² + 8r/(σ²h)))`, the QD+ boundary `S*` solves
//!
//! ```text
//! (1 − e^{−qτ}Φ(−d₊(S*)))·S* + (λ + c₀)·(K − S* − p(S*)) = 0,
//! c₀ = −(1 − h)·(2r/σ²)/(2λ + ω − 1)·(1/h − e^{rτ}Θ(S*)/(r(K − S* − p(S*))) + λ'/(2λ + ω − 1)),
//! ```
//!
//! with `p` and `Θ = ∂p/∂t` the European put value and calendar-time theta and `λ' = dλ/dh`.
//! Multiplying out removes the division by `K − S* − p`, which vanishes at the root's
//! neighbourhood for short expiries: `f(S) = (1 − e^{−qτ}Φ(−d₊))S − β(K − S − p) + αΘ/(r e^{−rτ})`
//! with `α = 2r e^{−rτ}/(σ²(2λ + ω − 1))` and `β = α(1/h + λ'/(2λ + ω − 1)) − λ`.
//! The root is found by Halley's method from the boundary's limit at expiry.
//!
//! Reference: M. Li (2010), "Analytical approximations for the critical stock prices of
//! American options: a performance comparison", *Review of Derivatives Research* 13, 75–99.

use parapet_core::special::norm_pdf;

use super::fixed_point::{cdf_from_pdf, pdf_cdf};

/// Parameters of a put (after put-call symmetry for calls), `r > 0`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Put {
    pub(crate) spot: f64,
    pub(crate) strike: f64,
    pub(crate) r: f64,
    pub(crate) q: f64,
    pub(crate) vol: f64,
    pub(crate) expiry: f64,
}

impl Put {
    /// The boundary's limit at expiry: `K·min(1, r/q)` (for `q ≤ 0` the limit is `K`).
    pub(crate) fn x_max(&self) -> f64 {
        if self.q > 0.0 {
            self.strike * (self.r / self.q).min(1.0)
        } else {
            self.strike
        }
    }
}

/// The QD+ boundary at time to expiry `tau > 0`, by Halley's method from `start` (clamped to
/// `(0, x_max]`): the boundary's limit at expiry, or the root at a nearby shorter `τ`, which
/// lies above this one (the put boundary falls with time to expiry) and is a closer start.
pub(crate) fn boundary(put: &Put, tau: f64, start: f64) -> f64 {
    let eq = Equation::new(put, tau);
    let x_max = put.x_max();
    let x_min = 1e-10 * x_max;
    let mut x = if start > x_min && start < x_max {
        start
    } else {
        x_max
    };
    for _ in 0..64 {
        let (f, d1, d2) = eq.eval(x);
        if f == 0.0 || !d1.is_finite() || d1 == 0.0 {
            break;
        }
        let lf = f * d2 / (d1 * d1);
        let step = f / d1 / (1.0 - 0.5 * lf).max(0.5);
        let next = (x - step).clamp(x_min, 2.0 * x_max.max(put.strike));
        if !next.is_finite() {
            break;
        }
        // An initial guess only: 1e-9 relative is far below what the iteration corrects.
        let done = (next - x).abs() <= 1e-9 * x_max;
        x = next;
        if done {
            break;
        }
    }
    x.min(x_max)
}

/// The QD+ equation at one `τ`, with its first two derivatives in `S`.
struct Equation {
    k: f64,
    r: f64,
    q: f64,
    tau: f64,
    v: f64,
    dr: f64,
    dq: f64,
    alpha: f64,
    beta: f64,
}

impl Equation {
    fn new(put: &Put, tau: f64) -> Self {
        // At r = 0 (reached with q < 0) the QD+ coefficients are 0/0; the guess only needs
        // the limit, which a tiny positive rate gives.
        let (r, q, vol) = (put.r.max(1e-10), put.q, put.vol);
        let s2 = vol * vol;
        let dr = (-r * tau).exp();
        let dq = (-q * tau).exp();
        // h = 1 − e^{−rτ} without cancellation for small rτ.
        let h = -(-r * tau).exp_m1();
        let omega = 2.0 * (r - q) / s2;
        let root = ((omega - 1.0).powi(2) + 8.0 * r / (s2 * h)).sqrt();
        let lambda = 0.5 * (-(omega - 1.0) - root);
        let lambda_prime = 2.0 * r / (s2 * h * h * root);
        let denom = 2.0 * lambda + omega - 1.0;
        let alpha = 2.0 * dr * r / (s2 * denom);
        let beta = alpha * (1.0 / h + lambda_prime / denom) - lambda;
        Self {
            k: put.strike,
            r,
            q,
            tau,
            v: vol * tau.sqrt(),
            dr,
            dq,
            alpha,
            beta,
        }
    }

    /// `(f, f', f'')` at `s`.
    fn eval(&self, s: f64) -> (f64, f64, f64) {
        let (k, r, q, v, dr, dq, tau) =
            (self.k, self.r, self.q, self.v, self.dr, self.dq, self.tau);
        let fwd_moneyness = s * dq / (k * dr);
        let dp = fwd_moneyness.ln() / v + 0.5 * v;
        let dm = dp - v;
        // One Gaussian: φ(d₋) = φ(d₊)·S e^{−qτ}/(K e^{−rτ}), and Φ(−d±) reuse φ(d±).
        let (phi, n_dp) = pdf_cdf(-dp);
        let phi_m = if phi > 0.0 {
            phi * fwd_moneyness
        } else {
            norm_pdf(dm)
        };
        let n_dm = cdf_from_pdf(-dm, phi_m);
        let npv = dr * k * n_dm - s * dq * n_dp;
        let theta = r * k * dr * n_dm - q * s * dq * n_dp - 0.5 * v * s * dq * phi / tau;
        // ∂Θ/∂S (charm of the put in calendar time).
        let charm = -dq * (phi * ((r - q) / v - dm / (2.0 * tau)) + q * n_dp);
        let c = self.alpha / (r * dr);
        let f = (1.0 - dq * n_dp) * s - self.beta * (k - s - npv) + c * theta;
        let f1 = 1.0 - dq * n_dp + dq * phi / v + self.beta * (1.0 - dq * n_dp) + c * charm;
        let gamma = phi * dq / (v * s);
        let colour = gamma * (q + (r - q) * dp / v + (1.0 - dp * dm) / (2.0 * tau));
        let f2 = dq * (phi / (s * v) - phi * dp / (s * v * v)) + self.beta * gamma + c * colour;
        (f, f1, f2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_lies_below_the_strike_and_decreases_with_expiry() {
        let put = Put {
            spot: 100.0,
            strike: 100.0,
            r: 0.05,
            q: 0.05,
            vol: 0.25,
            expiry: 1.0,
        };
        let b1 = boundary(&put, 0.01, put.x_max());
        let b2 = boundary(&put, 0.5, put.x_max());
        let b3 = boundary(&put, 1.0, put.x_max());
        assert!(b1 < 100.0 && b2 < b1 && b3 < b2, "{b1} {b2} {b3}");
        // A warm start from the root at a shorter expiry finds the same root.
        let warm = boundary(&put, 1.0, b2);
        assert!((warm - b3).abs() <= 1e-8 * b3, "{warm} {b3}");
        // ALO (2016) fig.: the boundary at τ = 1 for this case is near 74.
        assert!(b3 > 65.0 && b3 < 80.0, "{b3}");
        let (f, _, _) = Equation::new(&put, 0.5).eval(b2);
        assert!(f.abs() < 1e-9, "{f}");
    }
}
