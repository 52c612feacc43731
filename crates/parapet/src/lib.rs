//! # parapet
//!
//! Portfolio construction and protection in one dependency. The shared vocabulary of
//! [`parapet_core`] sits at the root ([`Market`], [`Vanilla`], [`OptionKind`], [`Greeks`],
//! [`Confidence`], [`PriceTable`], …) and each domain crate is a module:
//!
//! | module | crate | what it does |
//! |---|---|---|
//! | [`special`] | parapet-core | normal pdf/cdf/quantile, erfc, erfcx to a few ulp |
//! | [`pricing`] | parapet-pricing | option prices, Greeks, implied volatility |
//! | [`surface`] | parapet-surface | smiles, surfaces, arbitrage checks |
//! | [`portfolio`] | parapet-portfolio | estimators and optimisers |
//! | [`risk`] | parapet-risk | VaR, ES, backtests, stress |
//! | [`protect`] | parapet-protect | options books, vol position, hedges |
//!
//! ## Linear algebra backend
//!
//! ndarray-linalg needs a LAPACK. Library crates select none; a binary picks one through this
//! crate's features: `openblas-system` (Debian/Ubuntu `libopenblas-dev`, macOS
//! `brew install openblas`), `openblas-static` (downloads and builds OpenBLAS), `netlib-system`
//! or `intel-mkl-static`.
//!
//! ```
//! use parapet::{special, Market, OptionKind, Vanilla};
//! let market = Market::new(100.0, 0.03, 0.01)?;
//! let put = Vanilla::european(OptionKind::Put, 95.0, 0.5)?;
//! assert!(market.forward(put.expiry()) > 100.0);
//! assert!((special::norm_cdf(1.959963984540054) - 0.975).abs() < 1e-16);
//! # Ok::<(), parapet::CoreError>(())
//! ```

pub use parapet_core::{
    Confidence, CoreError, Exercise, Greeks, Market, OptionKind, PriceTable, ReturnKind,
    ReturnTable, TRADING_DAYS, Vanilla, special,
};
pub use parapet_portfolio as portfolio;
pub use parapet_pricing as pricing;
pub use parapet_protect as protect;
pub use parapet_risk as risk;
pub use parapet_surface as surface;

// The facade forwards ndarray-linalg's backend features; naming the crate keeps the
// dependency (and so the features) in place even before a re-exported API uses it directly.
use ndarray_linalg as _;
