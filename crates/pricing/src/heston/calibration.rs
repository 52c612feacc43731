//! Calibration of the Heston model to option quotes by Levenberg-Marquardt with bounds.

use parapet_core::{Market, OptionKind, Vanilla};
use rayon::prelude::*;

use super::{Cos, CosSettings, HestonModel, HestonParams};
use crate::bsm;
use crate::error::{PricingError, finite, positive};

/// A market quote: a European option's price or Black-Scholes implied volatility.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum QuoteValue {
    /// Discounted premium.
    Price(f64),
    /// Black-Scholes implied volatility; the fit minimises the vega-scaled price error, which
    /// is the volatility error to first order.
    Vol(f64),
}

/// One calibration instrument.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HestonQuote {
    /// Call or put.
    pub kind: OptionKind,
    /// Strike.
    pub strike: f64,
    /// Expiry in years.
    pub expiry: f64,
    /// The quoted price or volatility.
    pub value: QuoteValue,
    /// Weight of the squared residual (≥ 0).
    pub weight: f64,
}

/// Box bounds on the parameters during calibration.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HestonBounds {
    /// Lower bounds.
    pub lower: HestonParams,
    /// Upper bounds.
    pub upper: HestonParams,
}

impl Default for HestonBounds {
    /// `v₀, θ ∈ [1e-4, 2]`, `κ ∈ [1e-3, 20]`, `σ ∈ [1e-3, 5]`, `ρ ∈ [−0.999, 0.999]`.
    fn default() -> Self {
        Self {
            lower: HestonParams {
                v0: 1e-4,
                kappa: 1e-3,
                theta: 1e-4,
                sigma: 1e-3,
                rho: -0.999,
            },
            upper: HestonParams {
                v0: 2.0,
                kappa: 20.0,
                theta: 2.0,
                sigma: 5.0,
                rho: 0.999,
            },
        }
    }
}

/// Knobs of [`calibrate`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CalibrationSettings {
    /// Iteration limit (default 100).
    pub max_iterations: usize,
    /// Stop when the relative decrease of the cost falls below this (default 1e-12).
    pub cost_tolerance: f64,
    /// Stop when the largest gradient component falls below this (default 1e-14).
    pub gradient_tolerance: f64,
    /// Stop when an accepted step moves no unbounded coordinate by more than this times
    /// `1 + |y|` (default 1e-9).
    pub step_tolerance: f64,
    /// Parameter bounds.
    pub bounds: HestonBounds,
    /// Pricing method (COS with `L = 12` and series tolerance 1e-12, accurate to about 1e-9
    /// in price, twice as cheap as the default COS: ample for fitting quotes).
    pub cos: CosSettings,
}

impl Default for CalibrationSettings {
    fn default() -> Self {
        Self {
            max_iterations: 100,
            cost_tolerance: 1e-12,
            gradient_tolerance: 1e-14,
            step_tolerance: 1e-9,
            bounds: HestonBounds::default(),
            cos: CosSettings {
                truncation: 12.0,
                tolerance: 1e-12,
            },
        }
    }
}

impl CalibrationSettings {
    /// `Ok(self)` if the iteration limit is in `[1, 10⁴]`, tolerances are non-negative and
    /// finite, the bounds are valid models with `lower < upper` component-wise, and the COS
    /// settings are valid.
    ///
    /// # Errors
    /// [`PricingError::OutOfRange`] naming the setting, [`PricingError::Negative`] for a negative
    /// tolerance, or the model's validation error for a
    /// bound.
    pub fn validate(self) -> Result<Self, PricingError> {
        if !(1..=10_000).contains(&self.max_iterations) {
            return Err(PricingError::OutOfRange {
                name: "max_iterations",
                value: self.max_iterations as f64,
                min: 1.0,
                max: 1e4,
            });
        }
        crate::error::non_negative("cost_tolerance", self.cost_tolerance)?;
        crate::error::non_negative("gradient_tolerance", self.gradient_tolerance)?;
        crate::error::non_negative("step_tolerance", self.step_tolerance)?;
        HestonModel::new(self.bounds.lower)?;
        HestonModel::new(self.bounds.upper)?;
        let (lo, hi) = (to_array(&self.bounds.lower), to_array(&self.bounds.upper));
        for (i, name) in NAMES.iter().enumerate() {
            if lo[i] >= hi[i] {
                return Err(PricingError::OutOfRange {
                    name,
                    value: lo[i],
                    min: f64::NEG_INFINITY,
                    max: hi[i],
                });
            }
        }
        self.cos.validate()?;
        Ok(self)
    }
}

/// Why the iteration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum StopReason {
    /// The relative cost decrease fell below `cost_tolerance`.
    CostConverged,
    /// The gradient fell below `gradient_tolerance`.
    GradientConverged,
    /// An accepted step was below `step_tolerance`.
    StepConverged,
    /// The damping grew without finding a decrease: a (local) minimum to working precision.
    NoFurtherDecrease,
    /// `max_iterations` reached.
    MaxIterations,
}

/// Result and diagnostics of [`calibrate`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HestonCalibration {
    /// The fitted model.
    pub model: HestonModel,
    /// Weighted root-mean-square residual (price units, or vol units for vol quotes).
    pub rmse: f64,
    /// Largest absolute unweighted residual.
    pub max_abs_residual: f64,
    /// Unweighted residual per quote, model minus market (vol quotes: in vol, to first order).
    pub residuals: Vec<f64>,
    /// Levenberg-Marquardt iterations performed.
    pub iterations: usize,
    /// Model evaluations (of every quote) performed.
    pub evaluations: usize,
    /// Why the iteration stopped.
    pub stop: StopReason,
}

const NAMES: [&str; 5] = ["v0", "kappa", "theta", "sigma", "rho"];

fn to_array(p: &HestonParams) -> [f64; 5] {
    [p.v0, p.kappa, p.theta, p.sigma, p.rho]
}

fn from_array(a: &[f64; 5]) -> HestonParams {
    HestonParams {
        v0: a[0],
        kappa: a[1],
        theta: a[2],
        sigma: a[3],
        rho: a[4],
    }
}

/// Quotes grouped by expiry (and kind) so that each group is one COS smile.
struct Problem<'a> {
    market: &'a Market,
    quotes: &'a [HestonQuote],
    groups: Vec<(OptionKind, f64, Vec<usize>)>,
    /// Market price and residual scale (1, or 1/vega for vol quotes) per quote.
    target: Vec<(f64, f64)>,
    cos: Cos,
    lo: [f64; 5],
    hi: [f64; 5],
}

impl Problem<'_> {
    /// Bounded parameters from unbounded ones: `p = lo + (hi − lo)/(1 + e^{−y})`.
    fn params(&self, y: &[f64; 5]) -> [f64; 5] {
        std::array::from_fn(|i| self.lo[i] + (self.hi[i] - self.lo[i]) / (1.0 + (-y[i]).exp()))
    }

    fn unbounded(&self, p: &[f64; 5]) -> [f64; 5] {
        std::array::from_fn(|i| {
            let s = ((p[i] - self.lo[i]) / (self.hi[i] - self.lo[i])).clamp(1e-9, 1.0 - 1e-9);
            (s / (1.0 - s)).ln()
        })
    }

    /// Weighted residuals `√w·scale·(model − market)`, unweighted ones, and (if `derivative`)
    /// the derivative of the weighted residuals with respect to the unbounded `y₀` (analytic:
    /// `ln φ` is linear in `v₀`).
    fn residuals(&self, y: &[f64; 5], derivative: bool) -> Result<Residuals, PricingError> {
        let p = self.params(y);
        let model = HestonModel::new(from_array(&p))?;
        // dv₀/dy₀ of the logistic map.
        let s = (p[0] - self.lo[0]) / (self.hi[0] - self.lo[0]);
        let dv0_dy0 = (self.hi[0] - self.lo[0]) * s * (1.0 - s);
        let n = self.quotes.len();
        let (mut weighted, mut raw, mut dv0) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        // One smile per expiry, in parallel; results are gathered in group order.
        let smiles = self
            .groups
            .par_iter()
            .map(|(kind, expiry, idx)| {
                let strikes: Vec<f64> = idx.iter().map(|&i| self.quotes[i].strike).collect();
                self.cos.smile_with_v0_derivative(
                    &model,
                    self.market,
                    *kind,
                    *expiry,
                    &strikes,
                    derivative,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        for ((_, _, idx), (prices, derivatives)) in self.groups.iter().zip(smiles) {
            for ((&i, p), dp) in idx.iter().zip(prices).zip(derivatives) {
                let (target, scale) = self.target[i];
                let w = self.quotes[i].weight.sqrt();
                raw[i] = scale * (p - target);
                weighted[i] = w * raw[i];
                dv0[i] = w * scale * dp * dv0_dy0;
            }
        }
        Ok(Residuals { weighted, raw, dv0 })
    }
}

/// What [`Problem::residuals`] returns.
struct Residuals {
    weighted: Vec<f64>,
    raw: Vec<f64>,
    dv0: Vec<f64>,
}

fn cost(r: &[f64]) -> f64 {
    0.5 * r.iter().map(|x| x * x).sum::<f64>()
}

/// Solves the 5×5 system `a·x = b` by Gaussian elimination with partial pivoting.
fn solve5(mut a: [[f64; 5]; 5], mut b: [f64; 5]) -> Option<[f64; 5]> {
    for col in 0..5 {
        let piv = (col..5).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col] == 0.0 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let (pivot_row, pivot_b) = (a[col], b[col]);
        for (row, rb) in a.iter_mut().zip(b.iter_mut()).skip(col + 1) {
            let f = row[col] / pivot_row[col];
            for (x, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * p;
            }
            *rb -= f * pivot_b;
        }
    }
    let mut x = [0.0; 5];
    for row in (0..5).rev() {
        let s: f64 = (row + 1..5).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// Fits the Heston parameters to `quotes` by Levenberg-Marquardt.
///
/// Minimises `½Σ wᵢ·rᵢ²` with `rᵢ` the model-minus-market price (vol quotes: divided by the
/// quote's Black-Scholes vega, i.e. the vol error to first order). Bounds are enforced by the
/// logistic map `p = lo + (hi − lo)/(1 + e^{−y})` with the iteration in `y`; the Jacobian's
/// `v₀` column is analytic (`ln φ = C + D·v₀`, so `∂φ/∂v₀ = Dφ` costs one complex product per
/// COS term, as in Cui, del Baño Rollin & Germano 2017, "Full and fast calibration of the
/// Heston stochastic volatility model", *European Journal of Operational Research* 263(2),
/// 625–638), the other four by forward differences; damping follows Nielsen's rule `λ ← λ·max(⅓, 1 − (2ϱ − 1)³)` on
/// success and `λ ← λν, ν ← 2ν` on failure. Each expiry's quotes are priced as one COS smile,
/// sharing the characteristic function; expiries are priced in parallel (rayon).
///
/// References: K. Levenberg (1944), "A method for the solution of certain non-linear problems
/// in least squares", *Quarterly of Applied Mathematics* 2, 164–168; D.W. Marquardt (1963),
/// "An algorithm for least-squares estimation of nonlinear parameters", *SIAM Journal on
/// Applied Mathematics* 11(2), 431–441; H.B. Nielsen (1999), "Damping parameter in Marquardt's
/// method", IMM DTU report IMM-REP-1999-05.
///
/// ```
/// use parapet_core::{Market, OptionKind};
/// use parapet_pricing::heston::{
///     calibrate, CalibrationSettings, Cos, HestonModel, HestonParams, HestonQuote, QuoteValue,
/// };
/// let truth = HestonModel::new(HestonParams {
///     v0: 0.03, kappa: 2.0, theta: 0.05, sigma: 0.5, rho: -0.6,
/// })?;
/// let market = Market::new(100.0, 0.02, 0.0)?;
/// let mut quotes = Vec::new();
/// for &t in &[0.25, 1.0, 2.0] {
///     let strikes = [80.0, 90.0, 100.0, 110.0, 120.0];
///     let prices = Cos::default().smile(&truth, &market, OptionKind::Call, t, &strikes)?;
///     for (&strike, &p) in strikes.iter().zip(&prices) {
///         quotes.push(HestonQuote {
///             kind: OptionKind::Call, strike, expiry: t, value: QuoteValue::Price(p), weight: 1.0,
///         });
///     }
/// }
/// let start = HestonParams { v0: 0.05, kappa: 1.0, theta: 0.08, sigma: 0.3, rho: -0.3 };
/// let fit = calibrate(&market, &quotes, start, &CalibrationSettings::default())?;
/// assert!(fit.rmse < 1e-7);
/// assert!((fit.model.params().rho + 0.6).abs() < 1e-4);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
///
/// # Errors
/// [`PricingError::LengthMismatch`] for no quotes; invalid quotes (non-positive strike,
/// expiry or vol, negative weight, non-finite values), an initial guess outside the bounds,
/// invalid settings, or a pricing failure.
pub fn calibrate(
    market: &Market,
    quotes: &[HestonQuote],
    initial: HestonParams,
    settings: &CalibrationSettings,
) -> Result<HestonCalibration, PricingError> {
    let settings = settings.validate()?;
    if quotes.is_empty() {
        return Err(PricingError::LengthMismatch {
            name: "quotes",
            expected: 1,
            got: 0,
        });
    }
    HestonModel::new(initial)?;
    let lo = to_array(&settings.bounds.lower);
    let hi = to_array(&settings.bounds.upper);
    let p0 = to_array(&initial);
    for i in 0..5 {
        if !(lo[i]..=hi[i]).contains(&p0[i]) {
            return Err(PricingError::OutOfRange {
                name: NAMES[i],
                value: p0[i],
                min: lo[i],
                max: hi[i],
            });
        }
    }
    let mut target = Vec::with_capacity(quotes.len());
    let mut groups: Vec<(OptionKind, f64, Vec<usize>)> = Vec::new();
    for (i, q) in quotes.iter().enumerate() {
        let option = Vanilla::european(q.kind, q.strike, q.expiry)?;
        crate::error::non_negative("weight", q.weight)?;
        target.push(match q.value {
            QuoteValue::Price(p) => (finite("price", p)?, 1.0),
            QuoteValue::Vol(v) => {
                let g = bsm::greeks(&option, market, positive("vol", v)?)?;
                (g.price, 1.0 / g.vega.max(1e-12))
            }
        });
        match groups
            .iter_mut()
            .find(|(k, t, _)| *k == q.kind && *t == q.expiry)
        {
            Some(g) => g.2.push(i),
            None => groups.push((q.kind, q.expiry, vec![i])),
        }
    }
    let problem = Problem {
        market,
        quotes,
        groups,
        target,
        cos: Cos::new(settings.cos)?,
        lo,
        hi,
    };
    levenberg_marquardt(&problem, &settings, problem.unbounded(&p0))
}

fn levenberg_marquardt(
    pb: &Problem<'_>,
    settings: &CalibrationSettings,
    mut y: [f64; 5],
) -> Result<HestonCalibration, PricingError> {
    let Residuals {
        weighted: mut r,
        mut raw,
        dv0: mut dr0,
    } = pb.residuals(&y, true)?;
    let mut f = cost(&r);
    let mut evaluations = 1;
    let (mut lambda, mut nu) = (1e-3, 2.0);
    let mut stop = StopReason::MaxIterations;
    let mut iterations = 0;
    let m = r.len();
    while iterations < settings.max_iterations {
        iterations += 1;
        // Jacobian in the unbounded coordinates: the v₀ column analytically, the others by
        // forward differences.
        let mut jac = vec![[0.0; 5]; m];
        for (row, d) in jac.iter_mut().zip(&dr0) {
            row[0] = *d;
        }
        for k in 1..5 {
            let h = 1e-6 * y[k].abs().max(1.0);
            let mut yk = y;
            yk[k] += h;
            let rk = pb.residuals(&yk, false)?.weighted;
            evaluations += 1;
            for (row, (a, b)) in jac.iter_mut().zip(rk.iter().zip(&r)) {
                row[k] = (a - b) / h;
            }
        }
        let mut jtj = [[0.0; 5]; 5];
        let mut g = [0.0; 5];
        for (row, ri) in jac.iter().zip(&r) {
            for a in 0..5 {
                g[a] += row[a] * ri;
                for b in 0..5 {
                    jtj[a][b] += row[a] * row[b];
                }
            }
        }
        if g.iter().all(|x| x.abs() <= settings.gradient_tolerance) {
            stop = StopReason::GradientConverged;
            break;
        }
        let mut accepted = false;
        while !accepted {
            let mut a = jtj;
            for (i, row) in a.iter_mut().enumerate() {
                row[i] += lambda * jtj[i][i].max(1e-12);
            }
            let Some(step) = solve5(a, g.map(|x| -x)) else {
                lambda *= nu;
                nu *= 2.0;
                continue;
            };
            let trial: [f64; 5] = std::array::from_fn(|i| y[i] + step[i]);
            let Residuals {
                weighted: rt,
                raw: raw_t,
                dv0: dr0_t,
            } = pb.residuals(&trial, true)?;
            evaluations += 1;
            let ft = cost(&rt);
            // Predicted decrease of the damped Gauss-Newton model.
            let predicted: f64 = (0..5)
                .map(|i| 0.5 * step[i] * (lambda * jtj[i][i].max(1e-12) * step[i] - g[i]))
                .sum();
            if ft < f && predicted > 0.0 {
                let rho = (f - ft) / predicted;
                lambda *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
                nu = 2.0;
                let rel = (f - ft) / f.max(f64::MIN_POSITIVE);
                let small_step =
                    (0..5).all(|i| step[i].abs() <= settings.step_tolerance * (1.0 + y[i].abs()));
                y = trial;
                r = rt;
                raw = raw_t;
                dr0 = dr0_t;
                f = ft;
                accepted = true;
                if rel < settings.cost_tolerance {
                    stop = StopReason::CostConverged;
                } else if small_step {
                    stop = StopReason::StepConverged;
                }
            } else {
                lambda *= nu;
                nu *= 2.0;
                if lambda > 1e16 {
                    stop = StopReason::NoFurtherDecrease;
                    break;
                }
            }
        }
        if stop != StopReason::MaxIterations {
            break;
        }
    }
    // The residuals of the last accepted point are those of the result: no re-evaluation.
    let weighted = r;
    let wsum: f64 = pb
        .quotes
        .iter()
        .map(|q| q.weight)
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    Ok(HestonCalibration {
        model: HestonModel::new(from_array(&pb.params(&y)))?,
        rmse: (weighted.iter().map(|x| x * x).sum::<f64>() / wsum).sqrt(),
        max_abs_residual: raw.iter().fold(0.0f64, |a, x| a.max(x.abs())),
        residuals: raw,
        iterations,
        evaluations,
        stop,
    })
}
