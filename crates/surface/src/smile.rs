//! The `Smile` trait: one expiry's implied volatility as a function of log-moneyness.

/// Total implied variance `w(k)` and its first two derivatives in `k = ln(K/F)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarianceDerivatives {
    /// Total implied variance `w = σ²T`.
    pub w: f64,
    /// `∂w/∂k`.
    pub dw: f64,
    /// `∂²w/∂k²`.
    pub d2w: f64,
}

impl VarianceDerivatives {
    /// Durrleman's function (Durrleman 2005, *From implied to spot volatilities*; Gatheral &
    /// Jacquier 2014, *Arbitrage-free SVI volatility surfaces*, Lemma 2.2):
    ///
    /// `g(k) = (1 − k·w'/(2w))² − (w'²/4)·(1/w + 1/4) + w''/2`.
    ///
    /// A smile is free of butterfly arbitrage iff `g ≥ 0` everywhere (with `d₊ → −∞` as
    /// `k → ∞`). Returns NaN only if `w ≤ 0`, which validated smiles exclude.
    #[inline]
    pub fn durrleman_g(&self, k: f64) -> f64 {
        let VarianceDerivatives { w, dw, d2w } = *self;
        let a = 1.0 - k * dw / (2.0 * w);
        a * a - 0.25 * dw * dw * (1.0 / w + 0.25) + 0.5 * d2w
    }
}

/// One expiry's smile in log-forward-moneyness `k = ln(K/F)`: total implied variance
/// `w(k) = σ_BS(k)²·T` and what follows from it.
///
/// Implemented by [`SviSmile`](crate::SviSmile), [`SabrSmile`](crate::SabrSmile) and the
/// slices of a surface; the arbitrage checks
/// ([`butterfly_check`](crate::butterfly_check), [`calendar_check`](crate::calendar_check))
/// take any `Smile`.
pub trait Smile {
    /// Time to expiry in years.
    fn expiry(&self) -> f64;

    /// Total implied variance `w(k)`.
    fn total_variance(&self, k: f64) -> f64;

    /// `w`, `w'` and `w''` at `k`.
    fn derivatives(&self, k: f64) -> VarianceDerivatives;

    /// Black implied volatility `√(w(k)/T)`.
    #[inline]
    fn implied_vol(&self, k: f64) -> f64 {
        (self.total_variance(k).max(0.0) / self.expiry()).sqrt()
    }

    /// Black implied volatility at `strike` for the forward `forward`: `k = ln(K/F)`.
    /// (A smile is a function of moneyness; the forward fixes the strike scale.)
    #[inline]
    fn vol_at_strike(&self, strike: f64, forward: f64) -> f64 {
        self.implied_vol((strike / forward).ln())
    }

    /// Durrleman's `g(k)`; see [`VarianceDerivatives::durrleman_g`].
    #[inline]
    fn durrleman_g(&self, k: f64) -> f64 {
        self.derivatives(k).durrleman_g(k)
    }

    /// Risk-neutral density of `k = ln(S_T/F)` implied by the smile (Gatheral 2006, *The
    /// Volatility Surface*, eq. 2.8 in total variance): `p(k) = g(k)/√(2πw)·exp(−d₂²/2)` with
    /// `d₂ = −k/√w − √w/2`. Negative where the smile has butterfly arbitrage.
    fn density(&self, k: f64) -> f64 {
        let d = self.derivatives(k);
        let sw = d.w.sqrt();
        let d2 = -k / sw - 0.5 * sw;
        d.durrleman_g(k) * parapet_core::special::norm_pdf(d2) / sw
    }
}
