//! Heston prices by the Fourier-cosine (COS) expansion, one strike or a whole smile sharing the
//! characteristic function.

use num_complex::Complex64;
use parapet_core::{Market, OptionKind, Vanilla};

use super::HestonModel;
use crate::error::{PricingError, positive};

/// Largest number of cosine terms [`Cos`] will use before reporting
/// [`PricingError::NoConvergence`].
pub const MAX_COS_TERMS: usize = 1 << 16;

/// Settings of the [`Cos`] method.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CosSettings {
    /// `L` in the truncation interval `c₁ ± L·√(c₂ + √c₄)` of Fang & Oosterlee (2008)
    /// (default 24: the fat left tails of Feller-violating parameter sets need it for 1e-12).
    pub truncation: f64,
    /// The series stops at the first term whose characteristic-function modulus is below
    /// this (default 1e-15).
    pub tolerance: f64,
}

impl Default for CosSettings {
    fn default() -> Self {
        Self {
            truncation: 24.0,
            tolerance: 1e-15,
        }
    }
}

impl CosSettings {
    /// `Ok(self)` for a truncation in `[4, 100]` and a tolerance in `[1e-17, 1e-2]`.
    ///
    /// # Errors
    /// [`PricingError::OutOfRange`] naming the setting.
    pub fn validate(self) -> Result<Self, PricingError> {
        let check = |name, v: f64, lo, hi| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(PricingError::OutOfRange {
                    name,
                    value: v,
                    min: lo,
                    max: hi,
                })
            }
        };
        check("truncation", self.truncation, 4.0, 100.0)?;
        check("tolerance", self.tolerance, 1e-17, 1e-2)?;
        Ok(self)
    }
}

/// The COS method of Fang & Oosterlee (2008) for European options under Heston.
///
/// The density of `z = ln(S_T/F_T)` is expanded in cosines on `[a, b] = c₁ ± L√(c₂ + √c₄)`
/// (cumulants `c₁`, `c₂`, `c₄`), with coefficients `Re[φ(u_k)e^{−iu_k a}]`, `u_k = kπ/(b − a)`, which do not
/// depend on the strike; the put's payoff coefficients `V_k = 2K/(b − a)·(ψ_k − χ_k)` are in
/// closed form, and calls follow by put-call parity (the put's bounded payoff keeps the series
/// stable). The number of terms is not fixed: the series runs until `|φ(u_k)|` falls below
/// the tolerance, so short expiries (slowly decaying `φ`) get more terms.
///
/// Reference: F. Fang, C.W. Oosterlee (2008), "A novel pricing method for European options
/// based on Fourier-cosine series expansions", *SIAM Journal on Scientific Computing* 31(2),
/// 826–848.
///
/// ```
/// use parapet_core::{Market, OptionKind};
/// use parapet_pricing::heston::{Cos, HestonModel, HestonParams};
/// let model = HestonModel::new(HestonParams {
///     v0: 0.0175, kappa: 1.5768, theta: 0.0398, sigma: 0.5751, rho: -0.5711,
/// })?;
/// let market = Market::new(100.0, 0.0, 0.0)?;
/// let strikes = [80.0, 90.0, 100.0, 110.0, 120.0];
/// let smile = Cos::default().smile(&model, &market, OptionKind::Call, 1.0, &strikes)?;
/// // Fang & Oosterlee (2008), T = 1, K = 100: 5.785155450 (Carr-Madan reference).
/// assert!((smile[2] - 5.785155434).abs() < 1e-8);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cos {
    settings: CosSettings,
}

impl Cos {
    /// The method with validated settings.
    ///
    /// # Errors
    /// As [`CosSettings::validate`].
    pub fn new(settings: CosSettings) -> Result<Self, PricingError> {
        Ok(Self {
            settings: settings.validate()?,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &CosSettings {
        &self.settings
    }

    /// The discounted price of one European option.
    ///
    /// # Errors
    /// As [`Cos::smile`].
    pub fn price(
        &self,
        model: &HestonModel,
        option: &Vanilla,
        market: &Market,
    ) -> Result<f64, PricingError> {
        super::european(option)?;
        Ok(self.smile(
            model,
            market,
            option.kind(),
            option.expiry(),
            &[option.strike()],
        )?[0])
    }

    /// Discounted prices of options of one kind and expiry at many strikes, sharing the
    /// characteristic-function values.
    ///
    /// # Errors
    /// A strike or expiry that is not positive and finite; [`PricingError::NoConvergence`] if
    /// the series needs more than [`MAX_COS_TERMS`] terms.
    pub fn smile(
        &self,
        model: &HestonModel,
        market: &Market,
        kind: OptionKind,
        expiry: f64,
        strikes: &[f64],
    ) -> Result<Vec<f64>, PricingError> {
        positive("expiry", expiry)?;
        for &k in strikes {
            positive("strike", k)?;
        }
        let f = market.forward(expiry);
        let df = market.discount(expiry);
        let (c1, c2, c4) = model.cumulants(expiry);
        let half = self.settings.truncation * (c2 + c4.sqrt()).sqrt();
        let (a, b) = (c1 - half, c1 + half);
        let coef = self.coefficients(model, expiry, a, b)?;
        Ok(strikes
            .iter()
            .map(|&k| {
                let put = put_undiscounted(&coef, a, b, (f / k).ln(), k);
                let v = match kind {
                    OptionKind::Put => put,
                    OptionKind::Call => put + (f - k),
                };
                df * v.max(0.0)
            })
            .collect())
    }

    /// `Re[φ(u_k)e^{−iu_k a}]` (first term halved) until `|φ(u_k)|` is below the tolerance.
    fn coefficients(
        &self,
        model: &HestonModel,
        t: f64,
        a: f64,
        b: f64,
    ) -> Result<Vec<f64>, PricingError> {
        let du = std::f64::consts::PI / (b - a);
        let mut coef = Vec::with_capacity(128);
        coef.push(0.5);
        for k in 1..MAX_COS_TERMS {
            let u = k as f64 * du;
            let phi = model.characteristic_function(Complex64::new(u, 0.0), t);
            coef.push((phi * Complex64::new(0.0, -u * a).exp()).re);
            if phi.norm() < self.settings.tolerance && k >= 8 {
                return Ok(coef);
            }
        }
        Err(PricingError::NoConvergence {
            iterations: MAX_COS_TERMS,
            last: coef.last().copied().unwrap_or(0.0),
        })
    }
}

/// The undiscounted put `K·E[(1 − e^y)⁺]`, `y = ln(S_T/K) = z + x`, from the shared series.
fn put_undiscounted(coef: &[f64], a: f64, b: f64, x: f64, k: f64) -> f64 {
    // y ranges over [a + x, b + x]; the payoff lives on y < 0.
    let lo = a + x;
    if lo >= 0.0 {
        return 0.0;
    }
    let hi = 0.0f64.min(b + x);
    let width = b - a;
    let du = std::f64::consts::PI / width;
    let (e_lo, e_hi) = (lo.exp(), hi.exp());
    // Angles w·(y − lo) at y = hi advance by a fixed step: rotate instead of calling sin/cos.
    let step = Complex64::new(0.0, du * (hi - lo)).exp();
    let mut rot = Complex64::new(1.0, 0.0);
    let mut sum = coef[0] * ((hi - lo) - (e_hi - e_lo));
    for (j, &c) in coef.iter().enumerate().skip(1) {
        rot *= step;
        let w = j as f64 * du;
        let (cs, sn) = (rot.re, rot.im);
        let chi = (cs * e_hi - e_lo + w * sn * e_hi) / (1.0 + w * w);
        let psi = sn / w;
        sum += c * (psi - chi);
    }
    2.0 * k / width * sum
}
