//! # parapet-protect
//!
//! Protection analytics: the tools that answer *am I long or short volatility, what does a
//! crash cost me, which hedge buys the most protection for the least bleed?* The first
//! building block is realized volatility from OHLC bars ([`OhlcBars`], [`Estimator`]): the
//! yardstick against which implied volatility — the price of protection — is judged.
//!
//! ```
//! use parapet_protect::{Estimator, OhlcBars};
//! let bars = OhlcBars::new(
//!     vec![100.0, 101.0, 100.5, 99.0],
//!     vec![101.5, 102.0, 101.0, 100.0],
//!     vec![99.5, 100.2, 99.0, 98.0],
//!     vec![101.0, 100.8, 99.5, 99.8],
//! )?;
//! for estimator in Estimator::ALL {
//!     let vol = bars.realized_vol(estimator, 252.0)?;
//!     assert!(vol > 0.05 && vol < 0.5, "{estimator:?}: {vol}");
//! }
//! # Ok::<(), parapet_protect::ProtectError>(())
//! ```

mod error;
mod realized;

pub use error::{ProtectError, Result};
pub use realized::{DroppedBar, Estimator, OhlcBars};
