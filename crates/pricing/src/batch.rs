//! Chain-level (struct-of-arrays) pricing, Greeks and implied volatility, with rayon-parallel
//! variants.
//!
//! A [`BlackChain`] borrows the columns of an option chain (kinds, forwards, strikes, expiries)
//! and validates them once; its methods then run the scalar functions of
//! [`black`] and [`implied`] over the rows, sequentially into a
//! caller's buffer (`*_into`) or in parallel on rayon's pool (`par_*`). Every result is
//! bit-for-bit the scalar call's: the parallel variants only split the rows.

use parapet_core::OptionKind;
use rayon::prelude::*;

use crate::black::{self, Black76, ForwardGreeks};
use crate::error::{PricingError, non_negative};
use crate::implied;
use crate::lane;

/// Rows per rayon task: large enough to amortise scheduling over ~10 ns prices.
const PAR_CHUNK: usize = 4096;
/// Rows per block of the two-pass price loop (the flags live on the stack).
const BLOCK: usize = 256;

/// Borrowed columns of a chain of options on forwards (undiscounted Black-76).
///
/// ```
/// use parapet_core::OptionKind;
/// use parapet_pricing::batch::BlackChain;
/// use parapet_pricing::black;
/// let kinds = [OptionKind::Put, OptionKind::Call];
/// let forwards = [100.0, 100.0];
/// let strikes = [90.0, 110.0];
/// let expiries = [0.5, 0.5];
/// let chain = BlackChain::new(&kinds, &forwards, &strikes, &expiries)?;
/// let mut prices = [0.0; 2];
/// chain.price_into(&[0.25, 0.2], &mut prices)?;
/// assert_eq!(prices[1], black::price(OptionKind::Call, 100.0, 110.0, 0.5, 0.2));
/// let vols = chain.implied_vols(&prices)?;
/// assert!((vols[0].as_ref().unwrap() - 0.25).abs() < 1e-14);
/// # Ok::<(), parapet_pricing::PricingError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BlackChain<'a> {
    kinds: &'a [OptionKind],
    forwards: &'a [f64],
    strikes: &'a [f64],
    expiries: &'a [f64],
}

fn same_length(name: &'static str, expected: usize, got: usize) -> Result<(), PricingError> {
    if expected == got {
        Ok(())
    } else {
        Err(PricingError::LengthMismatch {
            name,
            expected,
            got,
        })
    }
}

fn at(index: usize, e: PricingError) -> PricingError {
    PricingError::Element {
        index,
        source: Box::new(e),
    }
}

impl<'a> BlackChain<'a> {
    /// Validates the columns: equal lengths, forwards and strikes positive and finite, expiries
    /// non-negative and finite.
    ///
    /// # Errors
    /// [`PricingError::LengthMismatch`], or [`PricingError::Element`] with the first invalid
    /// row and the reason.
    pub fn new(
        kinds: &'a [OptionKind],
        forwards: &'a [f64],
        strikes: &'a [f64],
        expiries: &'a [f64],
    ) -> Result<Self, PricingError> {
        let n = kinds.len();
        same_length("forwards", n, forwards.len())?;
        same_length("strikes", n, strikes.len())?;
        same_length("expiries", n, expiries.len())?;
        for i in 0..n {
            black::validate(forwards[i], strikes[i], expiries[i], 0.0).map_err(|e| at(i, e))?;
        }
        Ok(Self {
            kinds,
            forwards,
            strikes,
            expiries,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether the chain has no rows.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    fn check_vols(&self, vols: &[f64], out: usize) -> Result<(), PricingError> {
        same_length("vols", self.len(), vols.len())?;
        same_length("out", self.len(), out)?;
        for (i, &v) in vols.iter().enumerate() {
            non_negative("vol", v).map_err(|e| at(i, e))?;
        }
        Ok(())
    }

    /// Prices rows `base..base + out.len()` in two passes: the branch-free lane evaluation over
    /// every row (a loop that vectorises), then [`black::price`] for the rows outside the
    /// lanes' domain. Both give [`black::price`]'s bits.
    fn price_block(&self, base: usize, vols: &[f64], out: &mut [f64]) {
        let end = base + out.len();
        let kinds = &self.kinds[base..end];
        let forwards = &self.forwards[base..end];
        let strikes = &self.strikes[base..end];
        let expiries = &self.expiries[base..end];
        let mut ok = [false; BLOCK];
        let ok = &mut ok[..out.len()];
        let columns = lane::Columns {
            kinds,
            forwards,
            strikes,
            expiries,
            vols,
        };
        lane::rows::<lane::Prices>(columns, out, ok);
        for (j, _) in ok.iter().enumerate().filter(|(_, flag)| !**flag) {
            out[j] = black::price(kinds[j], forwards[j], strikes[j], expiries[j], vols[j]);
        }
    }

    /// Undiscounted prices at `vols` into `out`, as [`black::price`] row by row.
    ///
    /// # Errors
    /// Lengths that differ from the chain's, or a negative or non-finite volatility
    /// ([`PricingError::Element`]).
    pub fn price_into(&self, vols: &[f64], out: &mut [f64]) -> Result<(), PricingError> {
        self.check_vols(vols, out.len())?;
        for (c, (o, v)) in out.chunks_mut(BLOCK).zip(vols.chunks(BLOCK)).enumerate() {
            self.price_block(c * BLOCK, v, o);
        }
        Ok(())
    }

    /// [`BlackChain::price_into`] on rayon's thread pool.
    ///
    /// # Errors
    /// As [`BlackChain::price_into`].
    pub fn par_price_into(&self, vols: &[f64], out: &mut [f64]) -> Result<(), PricingError> {
        self.check_vols(vols, out.len())?;
        out.par_chunks_mut(PAR_CHUNK)
            .zip(vols.par_chunks(PAR_CHUNK))
            .enumerate()
            .for_each(|(c, (o, v))| {
                let base = c * PAR_CHUNK;
                for (b, (ob, vb)) in o.chunks_mut(BLOCK).zip(v.chunks(BLOCK)).enumerate() {
                    self.price_block(base + b * BLOCK, vb, ob);
                }
            });
        Ok(())
    }

    fn greeks_row(&self, i: usize, vol: f64) -> Result<ForwardGreeks, PricingError> {
        Black76::new(
            self.kinds[i],
            self.forwards[i],
            self.strikes[i],
            self.expiries[i],
        )
        .and_then(|o| o.greeks(vol))
        .map_err(|e| at(i, e))
    }

    /// Undiscounted price and forward Greeks at `vols` into `out`, as
    /// [`Black76::greeks`] row by row.
    ///
    /// # Errors
    /// Lengths that differ from the chain's, or a row whose volatility or expiry is not
    /// positive ([`PricingError::Element`]).
    pub fn greeks_into(&self, vols: &[f64], out: &mut [ForwardGreeks]) -> Result<(), PricingError> {
        same_length("vols", self.len(), vols.len())?;
        same_length("out", self.len(), out.len())?;
        for (c, (o, v)) in out.chunks_mut(BLOCK).zip(vols.chunks(BLOCK)).enumerate() {
            self.greeks_block(c * BLOCK, v, o)?;
        }
        Ok(())
    }

    /// Greeks of rows `base..base + out.len()` in two passes, like [`Self::price_block`]: the
    /// lanes, then [`Black76::greeks`] (with its errors) for the rows they leave.
    fn greeks_block(
        &self,
        base: usize,
        vols: &[f64],
        out: &mut [ForwardGreeks],
    ) -> Result<(), PricingError> {
        let end = base + out.len();
        let mut ok = [false; BLOCK];
        let ok = &mut ok[..out.len()];
        let columns = lane::Columns {
            kinds: &self.kinds[base..end],
            forwards: &self.forwards[base..end],
            strikes: &self.strikes[base..end],
            expiries: &self.expiries[base..end],
            vols,
        };
        lane::rows::<lane::Greeks>(columns, out, ok);
        for (j, _) in ok.iter().enumerate().filter(|(_, flag)| !**flag) {
            out[j] = self.greeks_row(base + j, vols[j])?;
        }
        Ok(())
    }

    /// [`BlackChain::greeks_into`] on rayon's thread pool.
    ///
    /// # Errors
    /// As [`BlackChain::greeks_into`] (the row reported is the first failing row of some
    /// chunk, not necessarily the first overall).
    pub fn par_greeks_into(
        &self,
        vols: &[f64],
        out: &mut [ForwardGreeks],
    ) -> Result<(), PricingError> {
        same_length("vols", self.len(), vols.len())?;
        same_length("out", self.len(), out.len())?;
        out.par_chunks_mut(PAR_CHUNK)
            .zip(vols.par_chunks(PAR_CHUNK))
            .enumerate()
            .try_for_each(|(c, (o, v))| {
                let base = c * PAR_CHUNK;
                for (b, (ob, vb)) in o.chunks_mut(BLOCK).zip(v.chunks(BLOCK)).enumerate() {
                    self.greeks_block(base + b * BLOCK, vb, ob)?;
                }
                Ok(())
            })
    }

    fn implied_row(&self, i: usize, price: f64) -> Result<f64, PricingError> {
        implied::black_vol(
            self.kinds[i],
            self.forwards[i],
            self.strikes[i],
            self.expiries[i],
            price,
        )
    }

    /// Black implied volatilities of undiscounted `prices`, one result per row (a bad quote
    /// does not spoil the chain), as [`implied::black_vol`] row by row.
    ///
    /// # Errors
    /// [`PricingError::LengthMismatch`] only; per-row errors are in the returned vector.
    pub fn implied_vols(
        &self,
        prices: &[f64],
    ) -> Result<Vec<Result<f64, PricingError>>, PricingError> {
        same_length("prices", self.len(), prices.len())?;
        Ok(prices
            .iter()
            .enumerate()
            .map(|(i, &p)| self.implied_row(i, p))
            .collect())
    }

    /// [`BlackChain::implied_vols`] on rayon's thread pool.
    ///
    /// # Errors
    /// As [`BlackChain::implied_vols`].
    pub fn par_implied_vols(
        &self,
        prices: &[f64],
    ) -> Result<Vec<Result<f64, PricingError>>, PricingError> {
        same_length("prices", self.len(), prices.len())?;
        let mut out: Vec<Result<f64, PricingError>> = vec![Ok(0.0); prices.len()];
        out.par_chunks_mut(PAR_CHUNK)
            .zip(prices.par_chunks(PAR_CHUNK))
            .enumerate()
            .for_each(|(c, (o, p))| {
                let base = c * PAR_CHUNK;
                for (j, (oj, &pj)) in o.iter_mut().zip(p).enumerate() {
                    *oj = self.implied_row(base + j, pj);
                }
            });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kinds, forwards, strikes, expiries, vols.
    type Columns = (Vec<OptionKind>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

    fn columns(n: usize) -> Columns {
        let kinds = (0..n)
            .map(|i| {
                if i % 2 == 0 {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                }
            })
            .collect();
        let forwards = vec![100.0; n];
        let strikes = (0..n).map(|i| 50.0 + 100.0 * i as f64 / n as f64).collect();
        let expiries = (0..n).map(|i| 0.05 + (i % 17) as f64 * 0.3).collect();
        let vols = (0..n).map(|i| 0.05 + (i % 13) as f64 * 0.07).collect();
        (kinds, forwards, strikes, expiries, vols)
    }

    #[test]
    fn sequential_and_parallel_match_the_scalar_calls() {
        let n = 10_000;
        let (k, f, s, t, v) = columns(n);
        let chain = BlackChain::new(&k, &f, &s, &t).unwrap();
        let mut seq = vec![0.0; n];
        let mut par = vec![0.0; n];
        chain.price_into(&v, &mut seq).unwrap();
        chain.par_price_into(&v, &mut par).unwrap();
        for i in 0..n {
            let scalar = black::price(k[i], f[i], s[i], t[i], v[i]);
            assert_eq!(seq[i].to_bits(), scalar.to_bits());
            assert_eq!(par[i].to_bits(), scalar.to_bits());
        }
        let mut g = vec![ForwardGreeks::default(); n];
        let mut pg = vec![ForwardGreeks::default(); n];
        chain.greeks_into(&v, &mut g).unwrap();
        chain.par_greeks_into(&v, &mut pg).unwrap();
        assert_eq!(g, pg);
        for i in 0..n {
            let scalar = Black76::new(k[i], f[i], s[i], t[i])
                .unwrap()
                .greeks(v[i])
                .unwrap();
            assert_eq!(g[i], scalar, "row {i}");
        }
        assert_eq!(g[7].price, seq[7]);
        let iv = chain.implied_vols(&seq).unwrap();
        let piv = chain.par_implied_vols(&seq).unwrap();
        assert_eq!(iv, piv);
        for i in 0..n {
            if seq[i] > k[i].intrinsic(f[i], s[i]) {
                let vol = iv[i].as_ref().unwrap();
                // What one ulp of the price determines (little deep in the money, and in the
                // subnormal range, where an ulp is 5e-324 whatever the price).
                let vega = black::vega(f[i], s[i], t[i], v[i]);
                let ulp = f64::max(f64::EPSILON * seq[i], 5e-324);
                let tol = f64::max(2e-14, 4.0 * ulp / (vega * v[i]));
                assert!(
                    (vol - v[i]).abs() <= tol * v[i],
                    "row {i}: {vol} vs {} tol {tol}",
                    v[i]
                );
            } else {
                // No time value left in the double: typed error, not a silent number.
                assert!(matches!(iv[i], Err(PricingError::BelowIntrinsic { .. })));
            }
        }
    }

    /// Rows far outside the lanes' domain (prices near the bottom of the double range) take
    /// the general scheme inside the same calls, with the same bits as the scalar calls.
    #[test]
    fn rows_outside_the_lanes_match_the_scalar_calls() {
        // Half the rows at x = −2 with h = x/s from −30 to −45 (the Gaussian factor below
        // e^{−700}), half at x = −8.5, s ≈ 0.5 (region I beyond region II's reach).
        let n = 64;
        let kinds = vec![OptionKind::Call; n];
        let forwards = vec![1.0; n];
        let strikes: Vec<f64> = (0..n)
            .map(|i| {
                if i < n / 2 {
                    2.0_f64.exp()
                } else {
                    8.5_f64.exp()
                }
            })
            .collect();
        let expiries = vec![1.0; n];
        let vols: Vec<f64> = (0..n)
            .map(|i| {
                let u = (i % (n / 2)) as f64 / (n / 2) as f64;
                if i < n / 2 {
                    2.0 / (30.0 + 15.0 * u)
                } else {
                    0.45 + 0.15 * u
                }
            })
            .collect();
        let outside = (0..n)
            .filter(|&i| {
                let (_, ok) = black::price_lane(kinds[i], 1.0, strikes[i], 1.0, vols[i]);
                !ok
            })
            .count();
        assert!(outside > n / 2, "{outside}");
        let chain = BlackChain::new(&kinds, &forwards, &strikes, &expiries).unwrap();
        let mut prices = vec![0.0; n];
        chain.price_into(&vols, &mut prices).unwrap();
        let mut greeks = vec![ForwardGreeks::default(); n];
        let result = chain.greeks_into(&vols, &mut greeks);
        for i in 0..n {
            let scalar = black::price(kinds[i], forwards[i], strikes[i], expiries[i], vols[i]);
            assert_eq!(prices[i].to_bits(), scalar.to_bits(), "row {i}");
        }
        assert!(prices.iter().any(|&p| p > 0.0 && p < 1e-300));
        match result {
            Ok(()) => {
                for i in 0..n {
                    let scalar = Black76::new(kinds[i], forwards[i], strikes[i], expiries[i])
                        .unwrap()
                        .greeks(vols[i])
                        .unwrap();
                    assert_eq!(greeks[i], scalar, "row {i}");
                }
            }
            Err(PricingError::Element { index, .. }) => {
                let scalar = Black76::new(kinds[index], 1.0, strikes[index], 0.01)
                    .unwrap()
                    .greeks(vols[index]);
                assert!(scalar.is_err(), "row {index}");
            }
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn bad_rows_are_reported_with_their_index() {
        let (k, f, mut s, t, mut v) = columns(8);
        v[3] = f64::NAN;
        let chain = BlackChain::new(&k, &f, &s, &t).unwrap();
        let mut out = vec![0.0; 8];
        assert!(matches!(
            chain.price_into(&v, &mut out),
            Err(PricingError::Element { index: 3, .. })
        ));
        let mut greeks = vec![ForwardGreeks::default(); 8];
        v[3] = 0.2;
        v[6] = 0.0;
        assert!(matches!(
            chain.greeks_into(&v, &mut greeks),
            Err(PricingError::Element { index: 6, .. })
        ));
        assert!(matches!(
            chain.price_into(&v[..7], &mut out),
            Err(PricingError::LengthMismatch { name: "vols", .. })
        ));
        let prices = vec![-1.0; 8];
        let iv = chain.implied_vols(&prices).unwrap();
        assert!(matches!(iv[0], Err(PricingError::BelowIntrinsic { .. })));
        s[5] = 0.0;
        assert!(matches!(
            BlackChain::new(&k, &f, &s, &t),
            Err(PricingError::Element { index: 5, .. })
        ));
    }
}
