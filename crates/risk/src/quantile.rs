//! Sample quantile rules (Hyndman & Fan 1996 and numpy's discrete variants), reproduced with
//! numpy's exact floating-point arithmetic so that results agree bit for bit.

/// A rule for the sample quantile at probability `p` of `n` ordered observations
/// `x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎`.
///
/// The nine continuous and discrete types of Hyndman & Fan (1996), "Sample quantiles in
/// statistical packages", *The American Statistician* 50(4), plus numpy's `lower`, `higher`,
/// `midpoint` and `nearest`. Variant names follow `numpy.quantile(method=…)`; each variant's
/// index arithmetic is numpy 2.x's, operation for operation, so that the order statistic
/// picked when `n·p` is (nearly) an integer is the one numpy picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum QuantileRule {
    /// H&F type 1: the inverse of the empirical cdf, `x₍⌈np⌉₋₁₎`.
    InvertedCdf,
    /// H&F type 2: type 1 with averaging at the discontinuities.
    AveragedInvertedCdf,
    /// H&F type 3: nearest even order statistic (SAS definition 2).
    ClosestObservation,
    /// H&F type 4: linear interpolation of the empirical cdf.
    InterpolatedInvertedCdf,
    /// H&F type 5: piecewise linear with knots at (k − ½)/n.
    Hazen,
    /// H&F type 6: knots at k/(n + 1) (Excel `PERCENTILE.EXC`).
    Weibull,
    /// H&F type 7: knots at (k − 1)/(n − 1); the default of numpy, pandas, R and Excel
    /// `PERCENTILE.INC`.
    Linear,
    /// H&F type 8: approximately median-unbiased, knots at (k − ⅓)/(n + ⅓).
    MedianUnbiased,
    /// H&F type 9: approximately unbiased for normal data, knots at (k − ⅜)/(n + ¼).
    NormalUnbiased,
    /// `x₍⌊(n−1)p⌋₎`.
    Lower,
    /// `x₍⌈(n−1)p⌉₎`.
    Higher,
    /// Average of `Lower` and `Higher`.
    Midpoint,
    /// `x₍round((n−1)p)₎`, ties to even.
    Nearest,
}

impl QuantileRule {
    /// Every rule, for iteration.
    pub const ALL: [QuantileRule; 13] = [
        Self::InvertedCdf,
        Self::AveragedInvertedCdf,
        Self::ClosestObservation,
        Self::InterpolatedInvertedCdf,
        Self::Hazen,
        Self::Weibull,
        Self::Linear,
        Self::MedianUnbiased,
        Self::NormalUnbiased,
        Self::Lower,
        Self::Higher,
        Self::Midpoint,
        Self::Nearest,
    ];

    /// numpy's name for the rule (`method=` argument of `numpy.quantile`).
    pub fn numpy_name(self) -> &'static str {
        match self {
            Self::InvertedCdf => "inverted_cdf",
            Self::AveragedInvertedCdf => "averaged_inverted_cdf",
            Self::ClosestObservation => "closest_observation",
            Self::InterpolatedInvertedCdf => "interpolated_inverted_cdf",
            Self::Hazen => "hazen",
            Self::Weibull => "weibull",
            Self::Linear => "linear",
            Self::MedianUnbiased => "median_unbiased",
            Self::NormalUnbiased => "normal_unbiased",
            Self::Lower => "lower",
            Self::Higher => "higher",
            Self::Midpoint => "midpoint",
            Self::Nearest => "nearest",
        }
    }

    /// Which order statistics (0-based, ascending) and which interpolation weight the rule
    /// uses for `n ≥ 1` observations at probability `p ∈ [0, 1]`.
    pub(crate) fn plan(self, n: usize, p: f64) -> Plan {
        let nf = n as f64;
        let last = n - 1;
        let clamp = |i: f64| -> usize {
            if i <= 0.0 {
                0
            } else if i >= last as f64 {
                last
            } else {
                i as usize
            }
        };
        // numpy's `_compute_virtual_index`, same operation order.
        let virtual_index = |a: f64, b: f64| nf * p + (a + p * (1.0 - a - b)) - 1.0;
        let discrete = |index: f64, take_previous: &dyn Fn(f64, f64) -> bool| -> Plan {
            let previous = index.floor();
            let gamma = index - previous;
            let i = if take_previous(gamma, previous) {
                previous
            } else {
                previous + 1.0
            };
            Plan::at(clamp(i))
        };
        match self {
            Self::InvertedCdf => discrete(nf * p - 1.0, &|g, _| g == 0.0),
            Self::ClosestObservation => discrete(nf * p - 1.0 - 0.5, &|g, prev| {
                g == 0.0 && prev.rem_euclid(2.0) == 1.0
            }),
            Self::Lower => Plan::at(clamp(((nf - 1.0) * p).floor())),
            Self::Higher => Plan::at(clamp(((nf - 1.0) * p).ceil())),
            Self::Nearest => Plan::at(clamp(((nf - 1.0) * p).round_ties_even())),
            Self::AveragedInvertedCdf => {
                Plan::continuous(nf * p - 1.0, n, |g, _| if g == 0.0 { 0.5 } else { 1.0 })
            }
            Self::Midpoint => {
                let v = (nf - 1.0) * p;
                let vi = 0.5 * (v.floor() + v.ceil());
                Plan::continuous(vi, n, |_, vi| if vi % 1.0 == 0.0 { 0.0 } else { 0.5 })
            }
            Self::InterpolatedInvertedCdf => Plan::continuous(virtual_index(0.0, 1.0), n, |g, _| g),
            Self::Hazen => Plan::continuous(virtual_index(0.5, 0.5), n, |g, _| g),
            Self::Weibull => Plan::continuous(virtual_index(0.0, 0.0), n, |g, _| g),
            // numpy prefers (n − 1)p to the equivalent virtual index for rounding reasons.
            Self::Linear => Plan::continuous((nf - 1.0) * p, n, |g, _| g),
            Self::MedianUnbiased => {
                Plan::continuous(virtual_index(1.0 / 3.0, 1.0 / 3.0), n, |g, _| g)
            }
            Self::NormalUnbiased => {
                Plan::continuous(virtual_index(3.0 / 8.0, 3.0 / 8.0), n, |g, _| g)
            }
        }
    }
}

/// Order statistics `lo`, `hi` and weight `gamma`: the quantile is `lerp(x_lo, x_hi, gamma)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Plan {
    pub(crate) lo: usize,
    pub(crate) hi: usize,
    pub(crate) gamma: f64,
}

impl Plan {
    fn at(i: usize) -> Self {
        Self {
            lo: i,
            hi: i,
            gamma: 0.0,
        }
    }

    /// numpy's `_get_indexes` + `_get_gamma`: indices clamp to the ends, where both order
    /// statistics coincide and the weight no longer matters.
    fn continuous(vi: f64, n: usize, fix_gamma: impl Fn(f64, f64) -> f64) -> Self {
        let last = n - 1;
        if vi >= last as f64 {
            return Self::at(last);
        }
        if vi < 0.0 {
            return Self::at(0);
        }
        let previous = vi.floor();
        let gamma = fix_gamma(vi - previous, vi);
        Self {
            lo: previous as usize,
            hi: previous as usize + 1,
            gamma,
        }
    }

    /// numpy's `_lerp`: `a + (b − a)·t`, evaluated from the far end when `t ≥ ½` so that
    /// `t = 1` returns `b` exactly.
    pub(crate) fn lerp(&self, a: f64, b: f64) -> f64 {
        let t = self.gamma;
        let diff = b - a;
        if t >= 0.5 {
            b - diff * (1.0 - t)
        } else {
            a + diff * t
        }
    }
}

/// The sample quantile of `x` (any order) at probability `p ∈ [0, 1]` under `rule`, in
/// O(n) by selection on a copy.
pub(crate) fn sample_quantile(x: &[f64], p: f64, rule: QuantileRule) -> f64 {
    let plan = rule.plan(x.len(), p);
    let mut buf = x.to_vec();
    let (left, hi, _) = buf.select_nth_unstable_by(plan.hi, f64::total_cmp);
    let b = *hi;
    let a = if plan.lo == plan.hi {
        b
    } else {
        left.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    };
    plan.lerp(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_matches_textbook_values() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(sample_quantile(&x, 0.5, QuantileRule::Linear), 2.5);
        assert_eq!(sample_quantile(&x, 0.0, QuantileRule::Linear), 1.0);
        assert_eq!(sample_quantile(&x, 1.0, QuantileRule::Linear), 4.0);
        assert_eq!(sample_quantile(&x, 0.5, QuantileRule::InvertedCdf), 2.0);
        assert_eq!(
            sample_quantile(&x, 0.5, QuantileRule::AveragedInvertedCdf),
            2.5
        );
        assert_eq!(sample_quantile(&x, 0.5, QuantileRule::Higher), 3.0);
        assert_eq!(sample_quantile(&x, 0.5, QuantileRule::Midpoint), 2.5);
        // Weibull: (n + 1)p = 2.5.
        assert_eq!(sample_quantile(&x, 0.5, QuantileRule::Weibull), 2.5);
        // Beyond the last knot, the extreme observation.
        assert_eq!(sample_quantile(&x, 0.99, QuantileRule::Weibull), 4.0);
    }
}
