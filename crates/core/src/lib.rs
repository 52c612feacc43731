//! # parapet-core
//!
//! The vocabulary every parapet crate shares: option contracts ([`Vanilla`], [`OptionKind`],
//! [`Exercise`]), market inputs ([`Market`]: spot, rate and dividend yield, with forward and
//! discount helpers), sensitivities ([`Greeks`]), validated confidence levels
//! ([`Confidence`]), price and return tables ([`PriceTable`], [`ReturnTable`]), one error
//! type ([`CoreError`]), and the special functions of the normal distribution ([`special`]),
//! accurate to a few ulp over the whole double range.
//!
//! Conventions: time in years, rates continuously compounded, volatility as an annualised
//! decimal (0.2 = 20%); losses are positive numbers in risk measures.
//!
//! ```
//! use parapet_core::{special, Confidence, Market, OptionKind, Vanilla};
//!
//! let market = Market::new(100.0, 0.03, 0.01)?;
//! let put = Vanilla::european(OptionKind::Put, 95.0, 0.5)?;
//! let f = market.forward(put.expiry());
//! assert!(f > market.spot());
//!
//! let c = Confidence::new(0.99)?;
//! let z = special::norm_inv_cdf(c.tail());
//! assert!((special::norm_cdf(z) - 0.01).abs() < 1e-17);
//! # Ok::<(), parapet_core::CoreError>(())
//! ```

mod confidence;
mod error;
mod greeks;
mod market;
mod option;
mod series;
pub mod special;

pub use confidence::Confidence;
pub use error::{CoreError, Result, finite, non_negative, positive, probability};
pub use greeks::Greeks;
pub use market::{Market, time_to_expiry};
pub use option::{Exercise, OptionKind, Vanilla};
pub use series::{PriceTable, ReturnKind, ReturnTable, TRADING_DAYS};
