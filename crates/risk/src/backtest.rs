//! VaR and ES backtests: exceedances, Kupiec's proportion of failures, Christoffersen's
//! independence and conditional coverage, the Basel traffic light and Acerbi & Székely's
//! test 2 for expected shortfall.

use parapet_core::Confidence;
use rand::Rng;
use statrs::function::beta;

use crate::error::{Result, RiskError};
use crate::stats;

/// The exceedance (hit) series `I_t = 1{r_t < −VaR_t}` (strict), with `VaR_t` the forecast
/// made with information up to `t − 1`.
///
/// # Errors
/// [`RiskError::ShapeMismatch`] for different lengths, [`RiskError::Empty`] /
/// [`RiskError::NonFinite`] for bad data.
pub fn exceedances(returns: &[f64], var: &[f64]) -> Result<Vec<bool>> {
    stats::check_series("returns", returns)?;
    stats::check_series("VaR forecasts", var)?;
    if var.len() != returns.len() {
        return Err(RiskError::ShapeMismatch {
            name: "VaR forecasts",
            expected: returns.len(),
            got: var.len(),
        });
    }
    Ok(returns.iter().zip(var).map(|(r, v)| *r < -v).collect())
}

/// `x·ln(y)` with `0·ln 0 = 0`.
fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * y.ln() }
}

/// Kupiec's proportion-of-failures test.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Kupiec {
    /// Observations.
    pub n: usize,
    /// Exceedances.
    pub hits: usize,
    /// Expected exceedances `n·p`.
    pub expected: f64,
    /// Observed rate `x/n`.
    pub hit_rate: f64,
    /// Likelihood ratio, χ²(1) under the null.
    pub lr: f64,
    /// χ²(1) survival probability of `lr`.
    pub p_value: f64,
}

/// Kupiec (1995), "Techniques for verifying the accuracy of risk measurement models":
/// `LR_pof = −2[(n−x)ln(1−p) + x ln p − (n−x)ln(1−x/n) − x ln(x/n)]` with `p = 1 − α`.
///
/// # Errors
/// [`RiskError::Empty`] for no observations.
pub fn kupiec(hits: &[bool], c: Confidence) -> Result<Kupiec> {
    if hits.is_empty() {
        return Err(RiskError::Empty { name: "hits" });
    }
    let n = hits.len();
    let x = hits.iter().filter(|h| **h).count();
    let (nf, xf, p) = (n as f64, x as f64, c.tail());
    let rate = xf / nf;
    let lr = -2.0
        * (xlogy(nf - xf, 1.0 - p) + xlogy(xf, p) - xlogy(nf - xf, 1.0 - rate) - xlogy(xf, rate));
    Ok(Kupiec {
        n,
        hits: x,
        expected: nf * p,
        hit_rate: rate,
        lr,
        p_value: stats::chi2_sf(lr, 1.0),
    })
}

/// Christoffersen's Markov tests of independence and conditional coverage.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Christoffersen {
    /// Transitions no hit → no hit.
    pub n00: usize,
    /// Transitions no hit → hit.
    pub n01: usize,
    /// Transitions hit → no hit.
    pub n10: usize,
    /// Transitions hit → hit.
    pub n11: usize,
    /// `n01/(n00 + n01)`.
    pub pi0: f64,
    /// `n11/(n10 + n11)` (0 when no hit is followed by anything).
    pub pi1: f64,
    /// `(n01 + n11)/(n − 1)`.
    pub pi: f64,
    /// Independence likelihood ratio, χ²(1).
    pub lr_ind: f64,
    /// Its p-value.
    pub p_value_ind: f64,
    /// Conditional coverage as usually implemented, `LR_pof + LR_ind`, χ²(2).
    pub lr_cc: f64,
    /// Its p-value.
    pub p_value_cc: f64,
    /// Conditional coverage computed directly on the `n − 1` transitions,
    /// `−2[ln L(p) − ln L(π₀, π₁)]`, χ²(2).
    pub lr_cc_direct: f64,
    /// Its p-value.
    pub p_value_cc_direct: f64,
    /// The Kupiec test on the same hits.
    pub kupiec: Kupiec,
}

/// Christoffersen (1998), "Evaluating interval forecasts", *International Economic Review*
/// 39(4): transition counts `n_ij` over consecutive pairs, `LR_ind = −2[ln L(π) − ln L(π₀, π₁)]`
/// and `LR_cc = LR_pof + LR_ind` (plus the direct variant on transitions).
///
/// # Errors
/// [`RiskError::TooShort`] below two observations.
pub fn christoffersen(hits: &[bool], c: Confidence) -> Result<Christoffersen> {
    if hits.len() < 2 {
        return Err(RiskError::TooShort {
            name: "hits",
            needed: 2,
            got: hits.len(),
        });
    }
    let mut n = [[0usize; 2]; 2];
    for w in hits.windows(2) {
        n[usize::from(w[0])][usize::from(w[1])] += 1;
    }
    let [[n00, n01], [n10, n11]] = n;
    let f = |v: usize| v as f64;
    let ratio = |a: usize, b: usize| if a + b == 0 { 0.0 } else { f(b) / f(a + b) };
    let pi0 = ratio(n00, n01);
    let pi1 = ratio(n10, n11);
    let pi = f(n01 + n11) / f(hits.len() - 1);
    let ll_markov = xlogy(f(n00), 1.0 - pi0)
        + xlogy(f(n01), pi0)
        + xlogy(f(n10), 1.0 - pi1)
        + xlogy(f(n11), pi1);
    let ll_at = |q: f64| xlogy(f(n00 + n10), 1.0 - q) + xlogy(f(n01 + n11), q);
    let lr_ind = -2.0 * (ll_at(pi) - ll_markov);
    let kupiec = kupiec(hits, c)?;
    let lr_cc = kupiec.lr + lr_ind;
    let lr_cc_direct = -2.0 * (ll_at(c.tail()) - ll_markov);
    Ok(Christoffersen {
        n00,
        n01,
        n10,
        n11,
        pi0,
        pi1,
        pi,
        lr_ind,
        p_value_ind: stats::chi2_sf(lr_ind, 1.0),
        lr_cc,
        p_value_cc: stats::chi2_sf(lr_cc, 2.0),
        lr_cc_direct,
        p_value_cc_direct: stats::chi2_sf(lr_cc_direct, 2.0),
        kupiec,
    })
}

/// Basel traffic-light zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Zone {
    /// Cumulative binomial probability of the exceedance count below 95%.
    Green,
    /// Between 95% and 99.99%.
    Yellow,
    /// At or above 99.99%.
    Red,
}

/// Outcome of the traffic-light test.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TrafficLight {
    /// The zone.
    pub zone: Zone,
    /// `P(X ≤ hits)` for `X ~ Binomial(n, 1 − α)`.
    pub cumulative_probability: f64,
    /// The capital multiplier's plus factor from the Basel table, defined for the standard
    /// 250 observations at 99% (0 in green, 0.40–0.85 in yellow, 1 in red); `None` otherwise.
    pub plus_factor: Option<f64>,
}

/// Basel Committee on Banking Supervision (1996), "Supervisory framework for the use of
/// 'backtesting' in conjunction with the internal models approach to market risk capital
/// requirements": zones by the cumulative binomial probability of the exceedance count (green
/// below 95%, red from 99.99%). For 250 days at 99%: green 0–4, yellow 5–9, red ≥ 10.
///
/// ```
/// use parapet_risk::{traffic_light, Confidence, Zone};
/// let c = Confidence::new(0.99)?;
/// assert_eq!(traffic_light(4, 250, c)?.zone, Zone::Green);
/// assert_eq!(traffic_light(5, 250, c)?.plus_factor, Some(0.40));
/// assert_eq!(traffic_light(10, 250, c)?.zone, Zone::Red);
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// [`RiskError::Empty`] for `n = 0`, [`RiskError::ShapeMismatch`] for `hits > n`.
pub fn traffic_light(hits: usize, n: usize, c: Confidence) -> Result<TrafficLight> {
    if n == 0 {
        return Err(RiskError::Empty {
            name: "observations",
        });
    }
    if hits > n {
        return Err(RiskError::ShapeMismatch {
            name: "hits",
            expected: n,
            got: hits,
        });
    }
    // P(X ≤ x) = I_{1−p}(n − x, x + 1) (Abramowitz & Stegun 26.5.24).
    let cumulative = if hits == n {
        1.0
    } else {
        beta::beta_reg((n - hits) as f64, hits as f64 + 1.0, 1.0 - c.tail())
    };
    let zone = if cumulative < 0.95 {
        Zone::Green
    } else if cumulative < 0.9999 {
        Zone::Yellow
    } else {
        Zone::Red
    };
    let standard = n == 250 && (c.tail() - 0.01).abs() < 1e-12;
    let plus_factor = standard.then_some(match hits {
        0..=4 => 0.0,
        5 => 0.40,
        6 => 0.50,
        7 => 0.65,
        8 => 0.75,
        9 => 0.85,
        _ => 1.0,
    });
    Ok(TrafficLight {
        zone,
        cumulative_probability: cumulative,
        plus_factor,
    })
}

/// Acerbi & Székely's test 2 statistic and its simulated p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EsBacktest {
    /// `Z₂` on the realised returns; 0 in expectation under the null, negative when ES is
    /// underestimated.
    pub z2: f64,
    /// `P(Z₂ ≤ z₂ | H₀)` estimated from the simulations (one-sided, small = reject).
    pub p_value: f64,
    /// Number of simulated paths.
    pub simulations: usize,
    /// Exceedances on the realised returns.
    pub hits: usize,
}

/// `Z₂ = Σ_t r_t·I_t / (T·a·ES_t) + 1` (Acerbi & Székely 2014, "Backtesting expected
/// shortfall", *Risk*, test 2), `I_t = 1{r_t < −VaR_t}`, `a = 1 − α`.
fn z2(returns: &[f64], var: &[f64], es: &[f64], tail: f64) -> (f64, usize) {
    let t = returns.len() as f64;
    let mut hits = 0;
    let s = stats::sum(returns.iter().zip(var).zip(es).map(|((r, v), e)| {
        if *r < -v {
            hits += 1;
            r / e
        } else {
            0.0
        }
    }));
    (s / (t * tail) + 1.0, hits)
}

/// Acerbi & Székely (2014) test 2 for ES forecasts with a simulated p-value.
///
/// `sample(t, rng)` draws one return from the forecast distribution for day `t` (the model
/// that produced `var[t]` and `es[t]`); `simulations` paths are drawn and `Z₂` recomputed on
/// each, and `p = #{Z₂ⁱ ≤ Z₂}/M`. Seeded RNGs make the p-value reproducible.
///
/// ```
/// use parapet_risk::{acerbi_szekely, Confidence, NormalModel};
/// use rand::{SeedableRng, rngs::StdRng};
/// use rand_distr::{Distribution, StandardNormal};
/// let c = Confidence::new(0.975)?;
/// let tail = NormalModel::new(0.0, 0.01)?.var_es(c)?;
/// let sample = |_: usize, rng: &mut StdRng| -> f64 {
///     let z: f64 = StandardNormal.sample(rng);
///     0.01 * z
/// };
/// let mut rng = StdRng::seed_from_u64(7);
/// let r: Vec<f64> = (0..500).map(|t| sample(t, &mut rng)).collect();
/// let (var, es) = (vec![tail.var; 500], vec![tail.es; 500]);
/// let test = acerbi_szekely(&r, &var, &es, c, sample, 1000, &mut rng)?;
/// assert!(test.p_value > 0.01); // the model is right
/// # Ok::<(), parapet_risk::RiskError>(())
/// ```
///
/// # Errors
/// [`RiskError::ShapeMismatch`] for different lengths, [`RiskError::NonFinite`] /
/// [`RiskError::Empty`] for bad data, [`RiskError::InvalidParameter`] for a non-positive ES
/// or zero simulations.
pub fn acerbi_szekely<R: Rng + ?Sized, S: FnMut(usize, &mut R) -> f64>(
    returns: &[f64],
    var: &[f64],
    es: &[f64],
    c: Confidence,
    mut sample: S,
    simulations: usize,
    rng: &mut R,
) -> Result<EsBacktest> {
    exceedances(returns, var)?;
    stats::check_series("ES forecasts", es)?;
    if es.len() != returns.len() {
        return Err(RiskError::ShapeMismatch {
            name: "ES forecasts",
            expected: returns.len(),
            got: es.len(),
        });
    }
    if let Some(&bad) = es.iter().find(|e| **e <= 0.0) {
        return Err(RiskError::InvalidParameter {
            name: "ES forecast",
            value: bad,
            reason: "must be > 0",
        });
    }
    if simulations == 0 {
        return Err(RiskError::InvalidParameter {
            name: "simulations",
            value: 0.0,
            reason: "must be at least 1",
        });
    }
    let tail = c.tail();
    let (z, hits) = z2(returns, var, es, tail);
    let mut path = vec![0.0; returns.len()];
    let mut below = 0usize;
    for _ in 0..simulations {
        for (t, x) in path.iter_mut().enumerate() {
            *x = sample(t, rng);
        }
        let (zi, _) = z2(&path, var, es, tail);
        if zi.is_nan() {
            return Err(RiskError::NonFinite {
                name: "simulated returns",
                index: 0,
                value: zi,
            });
        }
        if zi <= z {
            below += 1;
        }
    }
    Ok(EsBacktest {
        z2: z,
        p_value: below as f64 / simulations as f64,
        simulations,
        hits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_light_reproduces_basel_table() {
        let c = Confidence::new(0.99).unwrap();
        let zones: Vec<Zone> = (0..=10)
            .map(|x| traffic_light(x, 250, c).unwrap().zone)
            .collect();
        assert_eq!(&zones[..5], &[Zone::Green; 5]);
        assert_eq!(&zones[5..10], &[Zone::Yellow; 5]);
        assert_eq!(zones[10], Zone::Red);
        // Basel's table: cumulative probability of 4 exceedances is 89.22%.
        let p4 = traffic_light(4, 250, c).unwrap().cumulative_probability;
        assert!((p4 - 0.8922).abs() < 5e-5, "{p4}");
        assert!(traffic_light(3, 2, c).is_err());
    }
}
