//! # parapet-surface
//!
//! Volatility smiles and surfaces from real option chains, free of static arbitrage.
//!
//! - Smiles: raw, natural and jump-wings SVI with conversions ([`RawSvi`], [`NaturalSvi`],
//!   [`JumpWingsSvi`]; Gatheral 2004, Gatheral & Jacquier 2014), SSVI with Heston-like and
//!   power-law `φ` ([`Ssvi`]), and Hagan's SABR lognormal and normal expansions ([`Sabr`]) with
//!   the ATM limit taken from its series. All share the [`Smile`] trait: total implied variance
//!   `w(k) = σ²(k)·T` in log-forward-moneyness `k = ln(K/F)`, vol, Durrleman's `g`, density.
//! - Calibration: SVI slices by Zeliade's quasi-explicit method plus a 5-parameter polish under
//!   butterfly and calendar penalties ([`SviCalibrator`]); SABR per expiry ([`SabrCalibrator`]);
//!   SSVI across expiries ([`fit_ssvi`]).
//! - Static arbitrage: Durrleman's `g(k) ≥ 0` and total variance non-decreasing in `T`
//!   ([`butterfly_check`], [`calendar_check`]); monotone, convex call quotes and calendar spreads
//!   on raw quotes ([`check_call_quotes`], [`check_calendar_quotes`]).
//! - Chains: the CBOE delayed-quote CSV ([`parse_cboe_csv`]) to an arbitrage-free
//!   [`Surface`] ([`build_surface`]): put-call-parity forwards and discounts, out-of-the-money
//!   implied vols (American quotes de-Americanised with the pricing crate's American engine,
//!   [`ExerciseTreatment`]), fits in expiry order; vol by strike or delta, Dupire local vol
//!   ([`Surface::local_vol`]) and smile metrics ([`Surface::metrics`]).
//!
//! ```
//! use parapet_surface::{butterfly_check, KGrid, RawSvi, Smile, SviSmile};
//!
//! // Axel Vogt's slice (Gatheral & Jacquier 2014, Example 3.1) has butterfly arbitrage.
//! let vogt = SviSmile::new(RawSvi::new(-0.041, 0.1331, 0.306, 0.3586, 0.4153)?, 0.99)?;
//! let report = butterfly_check(&vogt, &KGrid::new(-3.0, 3.0, 601)?);
//! let bad = report.violations[0];
//! assert!((bad.from - 0.6424).abs() < 1e-4 && (bad.to - 1.2569).abs() < 1e-4);
//! assert!(vogt.density(0.9) < 0.0); // a negative risk-neutral density
//! # Ok::<(), parapet_surface::SurfaceError>(())
//! ```
//!
//! From a chain (the file is read by the caller; valuation times are explicit):
//!
//! ```no_run
//! use parapet_surface::{build_surface, parse_cboe_csv, ChainSettings};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let text = std::fs::read_to_string("spx_option_chain_2024-01-05.csv")?;
//! let chain = parse_cboe_csv(&text)?;
//! let built = build_surface(&chain, chain.snapshot.last_weekday_close(), &ChainSettings::default())?;
//! let vol = built.surface.vol_at_strike(4500.0, 0.25)?;
//! let m = built.surface.metrics(30.0 / 365.0)?;
//! println!("{vol} {} {}", m.atm_vol, m.risk_reversal_25d);
//! # Ok(()) }
//! ```
//!
//! Conventions: time in years (ACT/365, exchange wall clock), `k = ln(K/F)`, total variance
//! `w = σ²T`, vols as decimals, RMSEs in vol points (×100).

mod arbitrage;
mod chain;
mod deamerican;
mod error;
mod expiry;
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
mod svi_penalty;
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
    ChainSettings, ChainSurface, DiscountSource, ExerciseTreatment, FilterReason, SkipReason,
    SkippedExpiry, SliceResult, build_surface,
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
