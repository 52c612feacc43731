//! Named tolerances for parapet-surface's tests: `|x − ref| ≤ abs + rel·|ref|`.
// Each test binary includes this module and uses a subset of the tolerances.
#![allow(dead_code)]

/// A relative + absolute tolerance.
#[derive(Debug, Clone, Copy)]
pub struct Tol {
    pub rel: f64,
    pub abs: f64,
}

impl Tol {
    pub fn ok(&self, x: f64, reference: f64) -> bool {
        (x - reference).abs() <= self.abs + self.rel * reference.abs()
    }
}

/// Hagan SABR vs QuantLib 1.44 `sabrVolatility` (same closed form: only rounding differs).
pub const SABR: Tol = Tol {
    rel: 1e-13,
    abs: 0.0,
};

/// Raw SVI `w`, `w'`, `w''`, implied vol against the 40-digit mpmath values of svi.json.
pub const SVI_FORMULA: Tol = Tol {
    rel: 1e-13,
    abs: 1e-15,
};

/// Durrleman's `g` and the density: sums of terms of order one with cancellation near the
/// zeros of `g`, hence an absolute floor.
pub const SVI_G: Tol = Tol {
    rel: 1e-12,
    abs: 1e-13,
};

/// Ends of the butterfly-arbitrage intervals (the issue asks for 1e-4; bisection gives 1e-12,
/// the stored ends are root-found in mpmath).
pub const ARB_INTERVAL: Tol = Tol {
    rel: 0.0,
    abs: 1e-9,
};

/// Location of the minimum of `g`: `g` is flat there, so its argmin is known only to about
/// `√ε` relative (the issue asks for 1e-4).
pub const ARB_ARGMIN: Tol = Tol {
    rel: 0.0,
    abs: 1e-6,
};

/// Parameters recovered by a calibration from exact synthetic quotes.
pub const RECOVERY: Tol = Tol {
    rel: 1e-6,
    abs: 1e-7,
};

/// Forward from put-call parity vs the reference fit's forward: the two regressions differ in
/// their windows and outlier rules, and the reference's own standard error is ~0.01–0.1.
pub const PCP_FORWARD: Tol = Tol {
    rel: 2e-4,
    abs: 0.0,
};

/// Mid implied vols recomputed from the chain vs the reference's (same quotes, same forward
/// convention; differences come from the forward and discount estimates).
pub const CHAIN_IV: Tol = Tol {
    rel: 0.0,
    abs: 5e-3,
};

/// Cost of the no-arbitrage constraints on the SPX chain: median RMSE may exceed the
/// unconstrained reference by `abs` vol points, the median share inside bid-ask fall by `rel`.
pub const FIT_COST: Tol = Tol {
    rel: 0.02,
    abs: 0.01,
};

/// Unconstrained slice objectives vs the reference's (same problem; Levenberg-Marquardt stops
/// in flat valleys a little short of scipy's trust-region optimum).
pub const REFIT: Tol = Tol {
    rel: 1e-4,
    abs: 0.0,
};

/// 30-day ATM vol of the surface vs the reference's ATM vol of its expiry nearest 30 days
/// (different expiries and interpolation; a sanity bound).
pub const ATM_30D: Tol = Tol {
    rel: 0.0,
    abs: 3e-3,
};
