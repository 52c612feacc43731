//! The public fixed-point engine: regimes, put-call symmetry and the exercise boundary.

use parapet_core::{Exercise, Market, OptionKind, Vanilla};

use super::AmericanPricer;
use super::fixed_point::{self, UnitBoundary};
use super::qdplus::Put;
use super::quadrature::{Chebyshev, GaussLegendre};
use super::settings::{QdFpScheme, QdFpSettings};
use crate::bsm;
use crate::error::{PricingError, non_negative};

/// American vanilla options by the Andersen-Lake-Offengenden (2016) fixed-point method: the
/// exercise boundary is collocated on Chebyshev nodes in `√τ`, started from Li's (2010) QD+
/// approximation, iterated by the fixed-point equations (a Jacobi-Newton step first) with
/// Gauss-Legendre quadrature, and the price is the European value plus the early-exercise
/// premium integral over the boundary.
///
/// Calls are priced by the put-call symmetry `C(S, K, r, q) = P(K, S, q, r)` (McDonald &
/// Schroder 1998, "A parity result for American options", *Journal of Computational Finance*
/// 1(3)). Supported regimes, for the put after symmetry (rate `r`, yield `q`):
///
/// - `r > 0`: one exercise boundary, any `q` (negative yields included);
/// - `r ≤ 0` and `q ≥ r`: early exercise is never optimal, the price is the European one;
/// - `q < r < 0`: two exercise boundaries (Battauz, De Donno & Sbuelz 2015, "Real options and
///   American derivatives: the double continuation region", *Management Science* 61(5)); this
///   engine returns [`PricingError::DoubleBoundary`]. The [`LeisenReimer`](super::LeisenReimer)
///   tree prices that regime.
///
/// ```
/// use parapet_core::{Market, OptionKind, Vanilla};
/// use parapet_pricing::american::{QdFpEngine, QdFpScheme};
/// let engine = QdFpEngine::from_scheme(QdFpScheme::HighPrecision);
/// let market = Market::new(100.0, 0.05, 0.05)?;
/// let put = Vanilla::american(OptionKind::Put, 100.0, 1.0)?;
/// // Andersen, Lake & Offengenden (2016): premium 0.1069527028 over the European 9.4624926.
/// let v = engine.price(&put, &market, 0.25)?;
/// assert!((v - 9.569445298914).abs() < 1e-8);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QdFpEngine {
    settings: QdFpSettings,
    cheb: Chebyshev,
    boundary_rule: GaussLegendre,
    premium_rule: GaussLegendre,
}

/// The early-exercise boundary of an American option: the critical spot at each time to
/// expiry (exercise a put below it, a call above it).
#[derive(Debug, Clone, PartialEq)]
pub struct ExerciseBoundary {
    kind: OptionKind,
    strike: f64,
    unit: UnitBoundary,
}

impl ExerciseBoundary {
    /// The critical spot price at time to expiry `tau` (clamped to `[0, T]`).
    pub fn at(&self, tau: f64) -> f64 {
        let b = self.unit.at(tau.min(self.unit.expiry));
        match self.kind {
            OptionKind::Put => self.strike * b,
            // Symmetry: the call is exercised when K/S ≤ b, i.e. S ≥ K/b.
            OptionKind::Call => self.strike / b,
        }
    }

    /// Call or put.
    pub fn kind(&self) -> OptionKind {
        self.kind
    }

    /// Time to expiry of the option the boundary belongs to.
    pub fn expiry(&self) -> f64 {
        self.unit.expiry
    }
}

/// How an option maps onto the put problem.
pub(crate) enum Regime {
    /// Early exercise is never optimal.
    European,
    /// One boundary: the put (after symmetry for calls).
    Single(Put),
}

/// Validates the inputs and classifies the regime.
pub(crate) fn regime(option: &Vanilla, market: &Market, vol: f64) -> Result<Regime, PricingError> {
    if option.exercise() != Exercise::American {
        return Err(PricingError::UnsupportedExercise {
            exercise: option.exercise(),
        });
    }
    non_negative("vol", vol)?;
    let (s, k, r, q) = match option.kind() {
        OptionKind::Put => (
            market.spot(),
            option.strike(),
            market.rate(),
            market.div_yield(),
        ),
        OptionKind::Call => (
            option.strike(),
            market.spot(),
            market.div_yield(),
            market.rate(),
        ),
    };
    if r <= 0.0 && q >= r {
        return Ok(Regime::European);
    }
    if r < 0.0 && q < r {
        return Err(PricingError::DoubleBoundary {
            rate: market.rate(),
            div_yield: market.div_yield(),
        });
    }
    Ok(Regime::Single(Put {
        spot: s,
        strike: k,
        r,
        q,
        vol,
        expiry: option.expiry(),
    }))
}

/// The European price of the same contract.
pub(crate) fn european(option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
    let e = Vanilla::european(option.kind(), option.strike(), option.expiry())?;
    bsm::price(&e, market, vol)
}

/// The price of a put with zero volatility: the best of exercising now, at expiry, or at the
/// time where the deterministic intrinsic value `K·e^{−rt} − S·e^{−qt}` peaks.
fn zero_vol_put(p: &Put) -> f64 {
    let value = |t: f64| (p.strike * (-p.r * t).exp() - p.spot * (-p.q * t).exp()).max(0.0);
    let mut best = value(0.0).max(value(p.expiry));
    if p.r != p.q {
        let t = (p.r * p.strike / (p.q * p.spot)).ln() / (p.r - p.q);
        if t > 0.0 && t < p.expiry {
            best = best.max(value(t));
        }
    }
    best
}

impl QdFpEngine {
    /// An engine with validated settings (quadrature rules are built once here).
    ///
    /// # Errors
    /// As [`QdFpSettings::validate`].
    pub fn new(settings: QdFpSettings) -> Result<Self, PricingError> {
        let settings = settings.validate()?;
        Ok(Self {
            settings,
            cheb: Chebyshev::new(settings.chebyshev_nodes),
            boundary_rule: GaussLegendre::new(settings.boundary_quadrature),
            premium_rule: GaussLegendre::new(settings.premium_quadrature),
        })
    }

    /// An engine with a preset scheme.
    pub fn from_scheme(scheme: QdFpScheme) -> Self {
        let settings = QdFpSettings::from_scheme(scheme);
        Self {
            settings,
            cheb: Chebyshev::new(settings.chebyshev_nodes),
            boundary_rule: GaussLegendre::new(settings.boundary_quadrature),
            premium_rule: GaussLegendre::new(settings.premium_quadrature),
        }
    }

    /// The settings in use.
    pub fn settings(&self) -> &QdFpSettings {
        &self.settings
    }

    fn unit_boundary(&self, put: &Put) -> UnitBoundary {
        fixed_point::unit_boundary(
            put,
            self.settings.equation,
            self.settings.iterations,
            &self.cheb,
            &self.boundary_rule,
        )
    }

    /// The price of an American option with volatility `vol`.
    ///
    /// # Errors
    /// [`PricingError::UnsupportedExercise`] for a European contract, a negative or non-finite
    /// volatility, and [`PricingError::DoubleBoundary`] for the regime `q < r < 0` (put) or
    /// `r < q < 0` (call).
    pub fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
        let put = match regime(option, market, vol)? {
            Regime::European => return european(option, market, vol),
            Regime::Single(put) => put,
        };
        if vol == 0.0 {
            return Ok(zero_vol_put(&put));
        }
        let unit = self.unit_boundary(&put);
        Ok(self.price_with(&put, &unit, option, market))
    }

    /// Price of the put problem on a boundary already collocated.
    fn price_with(&self, put: &Put, unit: &UnitBoundary, option: &Vanilla, market: &Market) -> f64 {
        let critical = put.strike * unit.at(put.expiry);
        if put.spot <= critical {
            return put.strike - put.spot;
        }
        let e = european(option, market, put.vol).unwrap_or(0.0);
        // Just above a collocated boundary (or with σ so small that the boundary is a few
        // ulps wide) the integral can undercut the exercise value it must dominate.
        (e.max(0.0) + fixed_point::premium(put, unit, &self.premium_rule))
            .max(put.strike - put.spot)
    }

    /// Prices at several spots sharing one boundary (the boundary does not depend on the
    /// spot): used for delta and gamma, and for spot ladders.
    ///
    /// # Errors
    /// As [`QdFpEngine::price`], and a spot that is not positive and finite.
    pub fn price_spots(
        &self,
        option: &Vanilla,
        market: &Market,
        vol: f64,
        spots: &[f64],
    ) -> Result<Vec<f64>, PricingError> {
        let markets = spots
            .iter()
            .map(|&s| market.with_spot(s).map_err(PricingError::from))
            .collect::<Result<Vec<_>, _>>()?;
        let put = match regime(option, market, vol)? {
            Regime::European => {
                return markets.iter().map(|m| european(option, m, vol)).collect();
            }
            Regime::Single(put) => put,
        };
        if vol == 0.0 {
            return markets.iter().map(|m| self.price(option, m, vol)).collect();
        }
        let unit = self.unit_boundary(&put);
        Ok(markets
            .iter()
            .map(|m| {
                let mut p = put;
                match option.kind() {
                    OptionKind::Put => p.spot = m.spot(),
                    OptionKind::Call => p.strike = m.spot(),
                }
                self.price_with(&p, &unit, option, m)
            })
            .collect())
    }

    /// The early-exercise boundary.
    ///
    /// # Errors
    /// As [`QdFpEngine::price`]; [`PricingError::NoEarlyExercise`] where early exercise is never
    /// optimal (the boundary is empty) or the volatility is zero.
    pub fn exercise_boundary(
        &self,
        option: &Vanilla,
        market: &Market,
        vol: f64,
    ) -> Result<ExerciseBoundary, PricingError> {
        match regime(option, market, vol)? {
            Regime::Single(put) if vol > 0.0 => Ok(ExerciseBoundary {
                kind: option.kind(),
                strike: option.strike(),
                unit: self.unit_boundary(&put),
            }),
            _ => Err(PricingError::NoEarlyExercise {
                rate: market.rate(),
                div_yield: market.div_yield(),
                vol,
            }),
        }
    }
}

impl AmericanPricer for QdFpEngine {
    fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError> {
        QdFpEngine::price(self, option, market, vol)
    }

    fn price_spots(
        &self,
        option: &Vanilla,
        market: &Market,
        vol: f64,
        spots: &[f64],
    ) -> Result<Vec<f64>, PricingError> {
        QdFpEngine::price_spots(self, option, market, vol, spots)
    }
}
