//! The Heston (1993) stochastic-volatility model: characteristic function in the "little
//! trap" form ([`HestonModel`]), European prices by the COS method ([`Cos`], also for whole
//! smiles) and by Lewis's integral with adaptive quadrature ([`Lewis`]), and calibration to
//! quotes by Levenberg-Marquardt with bounds ([`calibrate`]).
//!
//! ```
//! use parapet_core::{Market, OptionKind, Vanilla};
//! use parapet_pricing::heston::{Cos, HestonModel, HestonParams, Lewis};
//!
//! let model = HestonModel::new(HestonParams {
//!     v0: 0.04, kappa: 1.5, theta: 0.05, sigma: 0.6, rho: -0.7,
//! })?;
//! let market = Market::new(100.0, 0.03, 0.01)?;
//! let put = Vanilla::european(OptionKind::Put, 95.0, 0.5)?;
//! let a = Cos::default().price(&model, &put, &market)?;
//! let b = Lewis::default().price(&model, &put, &market)?;
//! assert!((a - b).abs() < 1e-10);
//! # Ok::<(), parapet_pricing::PricingError>(())
//! ```

mod calibration;
mod cos;
mod lanes;
mod lewis;
mod model;

use parapet_core::{Exercise, Vanilla};

use crate::error::PricingError;

pub use calibration::{
    CalibrationSettings, HestonBounds, HestonCalibration, HestonQuote, QuoteValue, StopReason,
    calibrate,
};
pub use cos::{Cos, CosSettings, MAX_COS_TERMS};
pub use lewis::{Lewis, LewisSettings};
pub use model::{HestonModel, HestonParams};

/// `Ok` for a European contract.
fn european(option: &Vanilla) -> Result<(), PricingError> {
    match option.exercise() {
        Exercise::European => Ok(()),
        other => Err(PricingError::UnsupportedExercise { exercise: other }),
    }
}
