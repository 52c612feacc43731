//! # parapet-surface
//!
//! Volatility smiles and surfaces: SVI (raw, natural, jump-wings), SSVI and SABR smiles,
//! static-arbitrage diagnostics, calibration, and the pipeline from a real option chain to an
//! arbitrage-free surface.

mod arbitrage;
mod chain;
mod error;
mod optimize;
mod parity;
mod pipeline;
mod quotes;
mod sabr;
mod sabr_fit;
mod smile;
mod ssvi;
mod ssvi_fit;
mod surface;
mod svi;
mod svi_fit;
mod svi_qe;

pub use arbitrage::{
    ArbitrageReport, KGrid, KInterval, QuoteViolation, QuoteViolationKind, butterfly_check,
    calendar_check, check_calendar_quotes, check_call_quotes,
};
pub use chain::{
    ChainRow, Date, LocalTime, OptionChain, RejectedRow, Settlement, SideQuote, parse_cboe_csv,
};
pub use error::{Result, SurfaceError};
pub use pipeline::{
    ChainSettings, ChainSurface, DiscountSource, FilterReason, SkipReason, SkippedExpiry,
    SliceResult, build_surface,
};
pub use quotes::{SliceQuotes, SmileQuote};
pub use sabr::{Sabr, SabrSmile};
pub use sabr_fit::{Beta, SabrCalibrator, SabrFit, SabrFitSettings};
pub use smile::{Smile, VarianceDerivatives};
pub use ssvi::{Phi, Ssvi};
pub use ssvi_fit::{PhiFamily, SsviFit, fit_ssvi};
pub use surface::{SmileMetrics, Surface, SurfaceSlice};
pub use svi::{JumpWingsSvi, NaturalSvi, RawSvi, SviSmile};
pub use svi_fit::{CalendarBound, SviCalibrator, SviFit, SviFitReport, SviFitSettings, Weighting};
