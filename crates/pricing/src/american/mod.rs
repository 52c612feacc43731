//! American exercise: the Andersen-Lake-Offengenden fixed-point engine ([`QdFpEngine`]), a
//! Leisen-Reimer tree ([`LeisenReimer`]), the Barone-Adesi-Whaley and Bjerksund-Stensland
//! approximations, and Greeks and implied volatility for any of them.
//!
//! ```
//! use parapet_core::{Market, OptionKind, Vanilla};
//! use parapet_pricing::american::{self, QdFpEngine, QdFpScheme};
//!
//! let market = Market::new(100.0, 0.04, 0.01)?;
//! let put = Vanilla::american(OptionKind::Put, 105.0, 0.75)?;
//! let engine = QdFpEngine::from_scheme(QdFpScheme::Default);
//! let price = engine.price(&put, &market, 0.25)?;
//! let vol = american::implied_vol(&engine, &put, &market, price)?;
//! assert!((vol - 0.25).abs() < 1e-9);
//! # Ok::<(), parapet_pricing::PricingError>(())
//! ```

mod approx;
mod bivariate;
mod engine;
mod fixed_point;
mod qdplus;
pub(crate) mod quadrature;
mod sensitivities;
mod settings;
mod tree;

use parapet_core::{Market, Vanilla};

use crate::error::PricingError;

pub use approx::{BaroneAdesiWhaley, BjerksundStensland};
pub use engine::{ExerciseBoundary, QdFpEngine};
pub use sensitivities::{greeks, implied_vol};
pub use settings::{FixedPointEquation, MAX_ORDER, QdFpScheme, QdFpSettings};
pub use tree::{LeisenReimer, MAX_TREE_STEPS};

/// An American option pricer: what [`greeks`] and [`implied_vol`] need.
pub trait AmericanPricer {
    /// The price of `option` under `market` with volatility `vol`.
    ///
    /// # Errors
    /// The pricer's own validation errors.
    fn price(&self, option: &Vanilla, market: &Market, vol: f64) -> Result<f64, PricingError>;

    /// Prices at several spots; engines whose exercise boundary does not depend on the spot
    /// compute it once.
    ///
    /// # Errors
    /// As [`AmericanPricer::price`].
    fn price_spots(
        &self,
        option: &Vanilla,
        market: &Market,
        vol: f64,
        spots: &[f64],
    ) -> Result<Vec<f64>, PricingError> {
        spots
            .iter()
            .map(|&s| self.price(option, &market.with_spot(s)?, vol))
            .collect()
    }
}
