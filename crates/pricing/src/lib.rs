//! # parapet-pricing
//!
//! European option prices, Greeks and implied volatility at full double precision:
//! Black-76 on forwards ([`black`]), generalised Black-Scholes-Merton in spot form with Greeks
//! to third order ([`bsm`]), the normal model ([`bachelier`]), Black and normal implied
//! volatility ([`implied`]), and chain-level struct-of-arrays APIs with rayon-parallel
//! variants ([`batch`]).
//!
//! Prices are computed in Jäckel's normalised form `b(x, s)` with `x = ln(F/K)` and
//! `s = σ√T`, region by region, so that far out of the money, deep in the money, for tiny
//! expiries and for tiny or huge volatilities every digit the inputs determine is kept.
//!
//! ```
//! use parapet_core::OptionKind;
//! use parapet_pricing::{black, implied};
//!
//! let call = black::price(OptionKind::Call, 100.0, 120.0, 0.5, 0.3);
//! let vol = implied::black_vol(OptionKind::Call, 100.0, 120.0, 0.5, call)?;
//! assert!((vol - 0.3).abs() < 1e-15);
//! # Ok::<(), parapet_pricing::PricingError>(())
//! ```

pub mod american;
pub mod bachelier;
pub mod batch;
pub mod black;
pub mod bsm;
mod error;
pub mod heston;
pub mod implied;
mod lane;
pub mod montecarlo;
mod normalised;

pub use bachelier::Bachelier;
pub use batch::BlackChain;
pub use black::{Black76, ForwardGreeks};
pub use bsm::HigherOrderGreeks;
pub use error::PricingError;
pub use implied::ImpliedVol;
