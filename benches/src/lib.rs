//! Shared helpers for parapet's criterion benchmarks (`benches/benches/*.rs`).
//!
//! Run every group with `cargo bench -p parapet-benches`, one crate's with
//! `cargo bench -p parapet-benches --bench <crate>`. Figures, with the peers' measured in the
//! same run, are recorded in `docs/benchmarks.md`.

/// Deterministic inputs spread over `[lo, hi]` (a low-discrepancy Weyl sequence), so benches
/// need no random number generator and are identical run to run.
pub fn spread(n: usize, lo: f64, hi: f64) -> Vec<f64> {
    const GOLDEN: f64 = 0.618_033_988_749_894_9;
    (0..n)
        .map(|i| lo + (hi - lo) * ((i as f64 + 0.5) * GOLDEN).fract())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn spread_stays_in_range_and_is_deterministic() {
        let a = super::spread(1000, -2.0, 3.0);
        assert!(a.iter().all(|&x| (-2.0..=3.0).contains(&x)));
        assert_eq!(a, super::spread(1000, -2.0, 3.0));
    }
}
