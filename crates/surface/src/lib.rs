//! # parapet-surface
//!
//! Volatility smiles and surfaces: SVI (raw, natural, jump-wings), SSVI and SABR smiles,
//! static-arbitrage diagnostics, calibration, and the pipeline from a real option chain to an
//! arbitrage-free surface.

mod arbitrage;
mod error;
mod optimize;
mod quotes;
mod sabr;
mod smile;
mod ssvi;
mod svi;
mod svi_fit;

pub use arbitrage::{
    ArbitrageReport, KGrid, KInterval, QuoteViolation, QuoteViolationKind, butterfly_check,
    calendar_check, check_calendar_quotes, check_call_quotes,
};
pub use error::{Result, SurfaceError};
pub use quotes::{SliceQuotes, SmileQuote};
pub use sabr::{Sabr, SabrSmile};
pub use smile::{Smile, VarianceDerivatives};
pub use ssvi::{Phi, Ssvi};
pub use svi::{JumpWingsSvi, NaturalSvi, RawSvi, SviSmile};
pub use svi_fit::{SviCalibrator, SviFit, SviFitReport, SviFitSettings, Weighting};
