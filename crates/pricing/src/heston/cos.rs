//! Heston prices by the Fourier-cosine (COS) expansion, one strike or a whole smile sharing the
//! characteristic function.

use std::array;

use num_complex::Complex64;
use parapet_core::{Market, OptionKind, Vanilla};

use super::HestonModel;
use super::lanes::C;
use crate::error::{PricingError, positive};
use crate::lane::{self, Job, V};

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
/// Limit: when the Feller ratio `2κθ/σ²` is far below one (under about 0.02) and `v₀` is
/// small, the left tail of `z` is fatter than the cumulants suggest and the truncation misses
/// mass: at `2κθ/σ² = 0.002`, `v₀ = 0.005` and five years, 2.6e-6 on a 100-forward put
/// (measured against [`Lewis`](crate::heston::Lewis), which matches QuantLib there to 1e-13);
/// a wider range needs more than the 65,536 terms allowed. Use `Lewis` for such sets.
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
        Ok(self
            .smile_with_v0_derivative(model, market, kind, expiry, strikes, false)?
            .0)
    }

    /// Discounted prices of one smile and, if `derivative`, their derivatives with respect to
    /// `v₀` (on the same truncation range and terms; otherwise zeros): `ln φ = C + D·v₀`, so
    /// the derivative's density coefficients are `Re[D(u_k)φ(u_k)e^{−iu_k a}]`, at one complex
    /// product per term.
    pub(crate) fn smile_with_v0_derivative(
        &self,
        model: &HestonModel,
        market: &Market,
        kind: OptionKind,
        expiry: f64,
        strikes: &[f64],
        derivative: bool,
    ) -> Result<(Vec<f64>, Vec<f64>), PricingError> {
        positive("expiry", expiry)?;
        for &k in strikes {
            positive("strike", k)?;
        }
        let f = market.forward(expiry);
        let df = market.discount(expiry);
        let (c1, c2, c4) = model.cumulants(expiry);
        let half = self.settings.truncation * (c2 + c4.sqrt()).sqrt();
        let (a, b) = (c1 - half, c1 + half);
        let (coef, dcoef) = self.coefficients(model, expiry, a, b, derivative)?;
        let series = Series::new(coef, b - a);
        let dseries = derivative.then(|| Series::new(dcoef, b - a));
        Ok(lane::dispatch(Strikes {
            series: &series,
            dseries: dseries.as_ref(),
            range: (a, b),
            forward: f,
            discount: df,
            kind,
            strikes,
        }))
    }

    /// `Re[φ(u_k)e^{−iu_k a}]` (first term halved) until `|φ(u_k)|` is below the tolerance,
    /// and with `derivative` also `Re[D(u_k)φ(u_k)e^{−iu_k a}]`, the coefficients of `∂/∂v₀`
    /// (`ln φ = C + D·v₀`).
    fn coefficients(
        &self,
        model: &HestonModel,
        t: f64,
        a: f64,
        b: f64,
        derivative: bool,
    ) -> Result<(Vec<f64>, Vec<f64>), PricingError> {
        lane::dispatch(Coefficients {
            model,
            t,
            a,
            du: std::f64::consts::PI / (b - a),
            tolerance: self.settings.tolerance,
            derivative,
        })
    }
}

/// The COS coefficients of one expiry as a [`lane::Job`]: the characteristic function at
/// `lane::WIDTH` frequencies at a time.
struct Coefficients<'a> {
    model: &'a HestonModel,
    t: f64,
    a: f64,
    du: f64,
    tolerance: f64,
    derivative: bool,
}

impl Job for Coefficients<'_> {
    type Out = Result<(Vec<f64>, Vec<f64>), PricingError>;

    #[inline(always)]
    fn run(self) -> Self::Out {
        let mut coef = Vec::with_capacity(256);
        let mut dcoef = Vec::with_capacity(if self.derivative { 256 } else { 0 });
        coef.push(0.5);
        if self.derivative {
            dcoef.push(0.0);
        }
        for base in (1..MAX_COS_TERMS).step_by(lane::WIDTH) {
            let (terms, dterms, modulus) = self.terms::<{ lane::WIDTH }>(base);
            for i in (0..lane::WIDTH).take_while(|&i| base + i < MAX_COS_TERMS) {
                let k = base + i;
                coef.push(terms.0[i]);
                if self.derivative {
                    dcoef.push(dterms.0[i]);
                }
                if modulus.0[i] < self.tolerance && k >= 8 {
                    return Ok((coef, dcoef));
                }
            }
        }
        Err(PricingError::NoConvergence {
            iterations: MAX_COS_TERMS,
            last: coef.last().copied().unwrap_or(0.0),
        })
    }
}

impl Coefficients<'_> {
    /// Terms `k = base, …, base + N − 1`: `Re[φe^{−iua}] = e^{Re ln φ}·cos(Im ln φ − ua)`,
    /// one real exponential and one cosine with the phase folded into the logarithm, and
    /// `Re[Dφe^{−iua}]`; lanes outside the polynomials' domain by the platform's functions.
    #[inline(always)]
    fn terms<const N: usize>(&self, base: usize) -> (V<N>, V<N>, V<N>) {
        let u = V::<N>(array::from_fn(|i| (base + i) as f64 * self.du));
        let (c, d, ok) = self
            .model
            .ln_characteristic_parts_lanes(C::new(u, V::splat(0.0)), self.t);
        let ln_phi = c + d * self.model.params().v0;
        let modulus = lane::exp(ln_phi.re.max(V::splat(-708.0)));
        let (sin, cos, ok_phase) = lane::sin_cos(ln_phi.im - u * self.a);
        let term = C::new(modulus * cos, modulus * sin);
        let mut terms = term.re;
        let mut dterms = (d * term).re;
        let mut modulus = modulus;
        let ok = ok & ok_phase & ln_phi.re.lt(708.0);
        if !ok.all() {
            for i in (0..N).filter(|&i| !ok.get(i)) {
                let (c, d) = self
                    .model
                    .ln_characteristic_parts(Complex64::new(u.0[i], 0.0), self.t);
                let ln_phi = c + d * self.model.params().v0;
                modulus.0[i] = ln_phi.re.exp();
                let term = Complex64::from_polar(modulus.0[i], ln_phi.im - u.0[i] * self.a);
                terms.0[i] = term.re;
                dterms.0[i] = (d * term).re;
            }
        }
        (terms, dterms, modulus)
    }
}

/// The prices (and `v₀`-derivatives) of a smile from its series, as a [`lane::Job`] so that
/// the per-strike sums run in packed lanes.
struct Strikes<'a> {
    series: &'a Series,
    dseries: Option<&'a Series>,
    range: (f64, f64),
    forward: f64,
    discount: f64,
    kind: OptionKind,
    strikes: &'a [f64],
}

impl Job for Strikes<'_> {
    type Out = (Vec<f64>, Vec<f64>);

    #[inline(always)]
    fn run(self) -> Self::Out {
        let (a, b) = self.range;
        let (f, df) = (self.forward, self.discount);
        let mut prices = Vec::with_capacity(self.strikes.len());
        let mut derivatives = Vec::with_capacity(self.strikes.len());
        for &k in self.strikes {
            let x = (f / k).ln();
            let put = self.series.put_undiscounted(a, b, x, k);
            let v = match self.kind {
                OptionKind::Put => put,
                OptionKind::Call => put + (f - k),
            };
            // Where the price is floored at zero its derivative is zero too.
            let dv = match self.dseries {
                Some(d) if v > 0.0 => d.put_undiscounted(a, b, x, k),
                _ => 0.0,
            };
            prices.push(df * v.max(0.0));
            derivatives.push(df * dv);
        }
        (prices, derivatives)
    }
}

/// The strike-independent part of the COS series of one expiry: with `w_j = jπ/(b − a)` and
/// density coefficients `c_j`, the put's term `c_j(ψ_j − χ_j)` is
/// `sin_j·(c_j/w_j − e_hi·c_jw_j/(1 + w_j²)) − (cos_j·e_hi − e_lo)·c_j/(1 + w_j²)`, so the
/// divisions are done once per expiry and each strike costs multiply-adds only.
struct Series {
    /// `c₀·(…)` of the first (halved) term.
    c0: f64,
    width: f64,
    /// Terms `j ≥ 1` in blocks of [`BLOCK`] (the last padded with zeros), so that the
    /// per-strike loop runs on fixed-size lanes.
    blocks: Vec<Block>,
    /// `Σ_j c_j/(1 + w_j²)`.
    over_sum: f64,
}

/// Terms per block of a [`Series`]: eight, two AVX2 registers (measured a little faster than
/// four, with the blocks' scalar rotation chain overlapping the packed work).
const BLOCK: usize = 8;

/// [`BLOCK`] consecutive terms: `c_j/w_j`, `c_j·w_j/(1 + w_j²)` and `c_j/(1 + w_j²)`.
#[derive(Clone, Copy, Default)]
struct Block {
    over_w: [f64; BLOCK],
    w_over: [f64; BLOCK],
    over: [f64; BLOCK],
}

impl Series {
    fn new(coef: Vec<f64>, width: f64) -> Self {
        let du = std::f64::consts::PI / width;
        let terms = coef.len() - 1;
        let mut blocks = vec![Block::default(); terms.div_ceil(BLOCK)];
        let mut over_sum = 0.0;
        for (j, &c) in coef.iter().enumerate().skip(1) {
            let w = j as f64 * du;
            let inv = 1.0 / (1.0 + w * w);
            let (block, lane) = (&mut blocks[(j - 1) / BLOCK], (j - 1) % BLOCK);
            block.over_w[lane] = c / w;
            block.w_over[lane] = c * w * inv;
            block.over[lane] = c * inv;
            over_sum += c * inv;
        }
        Self {
            c0: coef[0],
            width,
            blocks,
            over_sum,
        }
    }

    /// The undiscounted put `K·E[(1 − e^y)⁺]`, `y = ln(S_T/K) = z + x`.
    #[inline(always)]
    fn put_undiscounted(&self, a: f64, b: f64, x: f64, k: f64) -> f64 {
        // y ranges over [a + x, b + x]; the payoff lives on y < 0.
        let lo = a + x;
        if lo >= 0.0 {
            return 0.0;
        }
        let hi = 0.0f64.min(b + x);
        let du = std::f64::consts::PI / self.width;
        let (e_lo, e_hi) = (lo.exp(), hi.exp());
        // Angles jθ, θ = du·(hi − lo), for j = BLOCK·m + i + 1: the block's rotation
        // e^{iBLOCK·mθ} advances by one scalar complex product per block, and the terms of the
        // block are that rotation times the fixed offsets e^{i(i+1)θ} in lanes — one short
        // serial chain, everything else packed (and no sin/cos calls).
        let step = Complex64::from_polar(1.0, du * (hi - lo));
        let mut offset = [step; BLOCK];
        for i in 1..BLOCK {
            offset[i] = offset[i - 1] * step;
        }
        let advance = offset[BLOCK - 1];
        let (cos_i, sin_i) = (V(offset.map(|z| z.re)), V(offset.map(|z| z.im)));
        let mut turn = Complex64::new(1.0, 0.0);
        let (mut s_a, mut s_c, mut s_b) = (V::splat(0.0), V::splat(0.0), V::splat(0.0));
        for block in &self.blocks {
            let (c, s) = (V::splat(turn.re), V::splat(turn.im));
            let re = c * cos_i - s * sin_i;
            let im = s * cos_i + c * sin_i;
            s_a = s_a + im * V(block.over_w);
            s_c = s_c + im * V(block.w_over);
            s_b = s_b + re * V(block.over);
            turn *= advance;
        }
        let sum =
            self.c0 * ((hi - lo) - (e_hi - e_lo)) + s_a.sum() - e_hi * s_c.sum() - e_hi * s_b.sum()
                + e_lo * self.over_sum;
        2.0 * k / self.width * sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heston::HestonParams;

    #[test]
    fn v0_derivative_matches_central_differences_and_prices_match_the_smile() {
        let p = HestonParams {
            v0: 0.04,
            kappa: 1.5,
            theta: 0.06,
            sigma: 0.8,
            rho: -0.7,
        };
        let market = Market::new(100.0, 0.03, 0.01).unwrap();
        let cos = Cos::default();
        let strikes = [60.0, 90.0, 100.0, 115.0, 160.0];
        for (kind, t) in [(OptionKind::Put, 0.25), (OptionKind::Call, 2.0)] {
            let model = HestonModel::new(p).unwrap();
            let (prices, derivs) = cos
                .smile_with_v0_derivative(&model, &market, kind, t, &strikes, true)
                .unwrap();
            let plain = cos.smile(&model, &market, kind, t, &strikes).unwrap();
            let h = 1e-5;
            let bumped = |v0: f64| {
                let m = HestonModel::new(HestonParams { v0, ..p }).unwrap();
                cos.smile(&m, &market, kind, t, &strikes).unwrap()
            };
            let (up, down) = (bumped(p.v0 + h), bumped(p.v0 - h));
            for i in 0..strikes.len() {
                assert!((prices[i] - plain[i]).abs() < 1e-12, "{kind:?} {t} {i}");
                let fd = (up[i] - down[i]) / (2.0 * h);
                assert!(
                    (derivs[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                    "{kind:?} {t} K = {}: {} vs {fd}",
                    strikes[i],
                    derivs[i]
                );
            }
        }
    }
}
