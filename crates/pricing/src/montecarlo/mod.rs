//! Monte Carlo pricing: exact GBM and Heston QE paths, antithetic and control variates,
//! European, Asian, barrier, digital and lookback payoffs, every estimate with its standard
//! error; seeded, parallel, and bit-identical for any number of threads.
//!
//! ```
//! use parapet_core::{Market, OptionKind};
//! use parapet_pricing::montecarlo::{Gbm, McSettings, MonteCarlo, Payoff};
//! use rand::SeedableRng;
//! use rand::rngs::Xoshiro256PlusPlus;
//!
//! let mc = MonteCarlo::new(McSettings { paths: 20_000, steps: 12, ..McSettings::default() })?;
//! let market = Market::new(100.0, 0.05, 0.0)?;
//! let payoff = Payoff::ArithmeticAsian { kind: OptionKind::Call, strike: 100.0 };
//! let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
//! let est = mc.price(&Gbm::new(0.2)?, &payoff, &market, 1.0, &mut rng)?;
//! // The arithmetic average exceeds the geometric one, whose price is in closed form.
//! let geo = parapet_pricing::montecarlo::geometric_asian(
//!     &parapet_pricing::montecarlo::GeometricAsianInputs {
//!         kind: OptionKind::Call, spot: 100.0, strike: 100.0, rate: 0.05, div_yield: 0.0,
//!         vol: 0.2, expiry: 1.0, fixings: 12,
//!     },
//! )?;
//! assert!(est.price > geo && est.price < geo + 0.5 && est.std_error < 0.05);
//! # Ok::<(), parapet_pricing::PricingError>(())
//! ```

mod models;
mod payoff;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rayon::prelude::*;

use parapet_core::Market;

use crate::error::{PricingError, positive};

pub use models::{Gbm, HestonQe, PathModel};
pub use payoff::{BarrierKind, GeometricAsianInputs, Payoff, geometric_asian};

/// Largest number of time steps per path (each path holds `steps + 1` values per thread).
pub const MAX_STEPS: usize = 1_000_000;
/// Largest number of paths per run.
pub const MAX_PATHS: usize = 1_000_000_000;
/// Samples per parallel chunk. Chunks, not threads, own the random streams, and their sums
/// are combined in chunk order, so results do not depend on the thread count.
const CHUNK: usize = 1024;

/// Knobs of [`MonteCarlo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct McSettings {
    /// Number of simulated paths (default 100 000; rounded up to even with antithetics).
    pub paths: usize,
    /// Time steps per path (default 1).
    pub steps: usize,
    /// Pair every path with its mirror image (negated normals) (default on).
    pub antithetic: bool,
    /// Use the European option on `S_T` (analytic price) as a control variate, with the
    /// regression coefficient estimated from the same sample (default on).
    pub control_variate: bool,
}

impl Default for McSettings {
    fn default() -> Self {
        Self {
            paths: 100_000,
            steps: 1,
            antithetic: true,
            control_variate: true,
        }
    }
}

impl McSettings {
    /// `Ok(self)` for `paths ∈ [2, MAX_PATHS]` and `steps ∈ [1, MAX_STEPS]`.
    ///
    /// # Errors
    /// [`PricingError::OutOfRange`] naming the setting.
    pub fn validate(self) -> Result<Self, PricingError> {
        let check = |name, v: usize, lo: usize, hi: usize| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(PricingError::OutOfRange {
                    name,
                    value: v as f64,
                    min: lo as f64,
                    max: hi as f64,
                })
            }
        };
        check("paths", self.paths, 2, MAX_PATHS)?;
        check("steps", self.steps, 1, MAX_STEPS)?;
        Ok(self)
    }
}

/// A Monte Carlo estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct McEstimate {
    /// Estimated discounted price.
    pub price: f64,
    /// Its standard error (sample standard deviation of the independent samples over √n).
    pub std_error: f64,
    /// Independent samples (antithetic pairs count once).
    pub samples: usize,
    /// Paths simulated.
    pub paths: usize,
    /// Control-variate coefficient used (0 without control variate).
    pub beta: f64,
}

/// The Monte Carlo engine.
///
/// Each independent sample is the discounted payoff of one path (or the mean of an antithetic
/// pair), `Y`; with the control variate, `Y − β(C − E[C])` where `C` is the discounted
/// European payoff on the same path(s) and `β = Cov(Y, C)/Var(C)` (Glasserman 2003,
/// *Monte Carlo Methods in Financial Engineering*, Springer, §4.1–4.2). The standard error is
/// `√(Var(Y − βC)/n)`.
///
/// Randomness is injected: one `u64` drawn from the caller's generator seeds the run, and
/// chunk `c` of 1024 samples uses `Xoshiro256PlusPlus::seed_from_u64(seed + c·φ₆₄)`, so a
/// seeded run is reproducible bit for bit whatever the number of rayon threads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonteCarlo {
    settings: McSettings,
}

/// Running sums of one chunk.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    n: usize,
    y: f64,
    c: f64,
    yy: f64,
    cc: f64,
    yc: f64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.n += o.n;
        self.y += o.y;
        self.c += o.c;
        self.yy += o.yy;
        self.cc += o.cc;
        self.yc += o.yc;
    }
}

impl MonteCarlo {
    /// An engine with validated settings.
    ///
    /// # Errors
    /// As [`McSettings::validate`].
    pub fn new(settings: McSettings) -> Result<Self, PricingError> {
        Ok(Self {
            settings: settings.validate()?,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &McSettings {
        &self.settings
    }

    /// Prices `payoff` under `model` to `expiry`, in parallel on the rayon pool.
    ///
    /// # Errors
    /// An invalid payoff, a non-positive expiry, or a failure of the control variate's
    /// analytic price.
    pub fn price<M: PathModel, R: Rng + ?Sized>(
        &self,
        model: &M,
        payoff: &Payoff,
        market: &Market,
        expiry: f64,
        rng: &mut R,
    ) -> Result<McEstimate, PricingError> {
        self.price_with_seed(model, payoff, market, expiry, rng.next_u64())
    }

    /// [`MonteCarlo::price`] with the run's seed given directly (what `price` draws from the
    /// caller's generator): the same seed gives the same bits.
    ///
    /// # Errors
    /// As [`MonteCarlo::price`].
    pub fn price_with_seed<M: PathModel>(
        &self,
        model: &M,
        payoff: &Payoff,
        market: &Market,
        expiry: f64,
        seed: u64,
    ) -> Result<McEstimate, PricingError> {
        payoff.validate()?;
        positive("expiry", expiry)?;
        let s = self.settings;
        let per_sample = if s.antithetic { 2 } else { 1 };
        let samples = s.paths.div_ceil(per_sample);
        let chunks = samples.div_ceil(CHUNK);
        let dt = expiry / s.steps as f64;
        let df = market.discount(expiry);
        let (cv_kind, cv_strike) = payoff.control(market.spot());
        let sums: Vec<Sums> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let n = CHUNK.min(samples - c * CHUNK);
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(
                    seed.wrapping_add((c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                );
                let mut draws = vec![0.0; s.steps * model.draws_per_step()];
                let mut x = vec![0.0; s.steps + 1];
                let mut v = vec![0.0; s.steps];
                let mut sums = Sums::default();
                for _ in 0..n {
                    for d in draws.iter_mut() {
                        *d = rng.sample(StandardNormal);
                    }
                    let mut one = |draws: &[f64]| {
                        model.path(market, dt, draws, &mut x, &mut v);
                        let y = df * payoff.value(&x, &v, dt);
                        let st = x[s.steps].exp();
                        (y, df * cv_kind.intrinsic(st, cv_strike))
                    };
                    let (mut y, mut cv) = one(&draws);
                    if s.antithetic {
                        for d in draws.iter_mut() {
                            *d = -*d;
                        }
                        let (y2, c2) = one(&draws);
                        y = 0.5 * (y + y2);
                        cv = 0.5 * (cv + c2);
                    }
                    sums.add(&Sums {
                        n: 1,
                        y,
                        c: cv,
                        yy: y * y,
                        cc: cv * cv,
                        yc: y * cv,
                    });
                }
                sums
            })
            .collect();
        let mut t = Sums::default();
        for c in &sums {
            t.add(c);
        }
        let n = t.n as f64;
        let (my, mc) = (t.y / n, t.c / n);
        let var_y = (t.yy / n - my * my).max(0.0) * n / (n - 1.0);
        let (price, var, beta) = if s.control_variate {
            let var_c = (t.cc / n - mc * mc).max(0.0) * n / (n - 1.0);
            let cov = (t.yc / n - my * mc) * n / (n - 1.0);
            let beta = if var_c > 0.0 { cov / var_c } else { 0.0 };
            let exact = model.european(cv_kind, cv_strike, expiry, market)?;
            (
                my - beta * (mc - exact),
                (var_y - beta * cov).max(0.0),
                beta,
            )
        } else {
            (my, var_y, 0.0)
        };
        Ok(McEstimate {
            price,
            std_error: (var / n).sqrt(),
            samples: t.n,
            paths: t.n * per_sample,
            beta,
        })
    }
}
