//! Forward and discount factor of one expiry from put-call parity.
//!
//! Undiscounted parity `C − P = D·(F − K)` makes call-minus-put mids linear in the strike,
//! `C − P = α + βK` with `D = −β`, `F = −α/β`: a weighted least-squares line through liquid
//! near-the-money pairs gives both (the standard approach; e.g. Aït-Sahalia & Lo 1998,
//! *Nonparametric estimation of state-price densities implicit in financial asset prices*,
//! J. Finance 53(2), and the CBOE VIX white paper's forward rule).

/// A strike where both call and put are quoted two-sided.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    pub strike: f64,
    /// `C_mid − P_mid`.
    pub diff: f64,
    /// `spread_C + spread_P`.
    pub spread: f64,
    /// `C_mid` (the put mid is `call_mid − diff`).
    pub call_mid: f64,
}

/// Result of the parity regression.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParityFit {
    pub forward: f64,
    pub discount: f64,
    /// Standard error of the implied rate `−ln D/T`.
    pub se_rate: f64,
    pub n_pairs: usize,
}

/// The strike window `|ln(K/K*)| ≤ clip(0.12·√T, 0.02, 0.25)` around the zero crossing `K*`
/// of `C − P`, widened to the `min_pairs` nearest strikes if it holds fewer.
pub(crate) fn window(pairs: &[Pair], t: f64, min_pairs: usize) -> Vec<Pair> {
    let mut k_star = pairs
        .iter()
        .min_by(|a, b| a.diff.abs().total_cmp(&b.diff.abs()))
        .map_or(1.0, |p| p.strike);
    for w in pairs.windows(2) {
        if w[0].diff >= 0.0 && w[1].diff < 0.0 {
            let l = w[0].diff / (w[0].diff - w[1].diff);
            k_star = w[0].strike + l * (w[1].strike - w[0].strike);
            break;
        }
    }
    let half = (0.12 * t.sqrt()).clamp(0.02, 0.25);
    let mut sel: Vec<Pair> = pairs
        .iter()
        .filter(|p| (p.strike / k_star).ln().abs() <= half)
        .copied()
        .collect();
    if sel.len() < min_pairs {
        let mut all = pairs.to_vec();
        all.sort_by(|a, b| {
            (a.strike / k_star)
                .ln()
                .abs()
                .total_cmp(&(b.strike / k_star).ln().abs())
        });
        all.truncate(min_pairs);
        all.sort_by(|a, b| a.strike.total_cmp(&b.strike));
        sel = all;
    }
    sel
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Weighted least squares of `diff` on strike (weights `1/spread²`), with iterative rejection
/// of pairs whose residual exceeds both `3·1.4826·MAD` and half their combined spread.
pub(crate) fn regress(pairs: &[Pair], t: f64) -> Option<ParityFit> {
    let mut use_: Vec<bool> = vec![true; pairs.len()];
    let mut out = None;
    for _ in 0..6 {
        let (mut sw, mut sx, mut sy) = (0.0, 0.0, 0.0);
        let mut n = 0usize;
        for (p, &u) in pairs.iter().zip(&use_) {
            if u {
                let w = 1.0 / (p.spread * p.spread).max(1e-12);
                sw += w;
                sx += w * p.strike;
                sy += w * p.diff;
                n += 1;
            }
        }
        if n < 3 {
            return None;
        }
        let (mx, my) = (sx / sw, sy / sw);
        // Centred second moments: strikes are large and close together.
        let (mut sxx, mut sxy) = (0.0, 0.0);
        for (p, &u) in pairs.iter().zip(&use_) {
            if u {
                let w = 1.0 / (p.spread * p.spread).max(1e-12);
                sxx += w * (p.strike - mx) * (p.strike - mx);
                sxy += w * (p.strike - mx) * (p.diff - my);
            }
        }
        let vxx = sxx / sw;
        if vxx <= 0.0 {
            return None;
        }
        let beta = sxy / sxx;
        let alpha = my - beta * mx;
        let mut res = Vec::with_capacity(n);
        let mut rss = 0.0;
        for (p, &u) in pairs.iter().zip(&use_) {
            if u {
                let r = p.diff - alpha - beta * p.strike;
                rss += r * r / (p.spread * p.spread).max(1e-12);
                res.push(r);
            }
        }
        let sigma2 = rss / (n as f64 - 2.0).max(1.0);
        let se_beta = (sigma2 / (vxx * sw)).sqrt();
        let discount = -beta;
        if discount.is_nan() || discount <= 0.0 {
            return None;
        }
        out = Some(ParityFit {
            forward: alpha / discount,
            discount,
            se_rate: se_beta / (discount * t),
            n_pairs: n,
        });
        let med = median(&mut res.clone());
        let mut dev: Vec<f64> = res.iter().map(|r| (r - med).abs()).collect();
        let mad = 1.4826 * median(&mut dev);
        let mut changed = false;
        for (p, u) in pairs.iter().zip(use_.iter_mut()) {
            if *u {
                let r = p.diff - alpha - beta * p.strike;
                if (r - med).abs() > 3.0 * mad && r.abs() > 0.5 * p.spread {
                    *u = false;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    out
}

/// The forward given a discount factor: weighted mean of `K + (C − P)/D`.
pub(crate) fn forward_given_discount(pairs: &[Pair], discount: f64) -> f64 {
    let (mut sw, mut s) = (0.0, 0.0);
    for p in pairs {
        let w = 1.0 / (p.spread * p.spread).max(1e-12);
        sw += w;
        s += w * (p.strike + p.diff / discount);
    }
    s / sw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_forward_and_discount() {
        let (f, d, t) = (4700.0, 0.99, 0.25);
        let pairs: Vec<Pair> = (0..40)
            .map(|i| {
                let k = 4500.0 + 10.0 * i as f64;
                let noise = if i == 7 {
                    5.0
                } else {
                    0.01 * ((i * 37 % 11) as f64 - 5.0)
                };
                Pair {
                    strike: k,
                    diff: d * (f - k) + noise,
                    spread: 1.0,
                    call_mid: 0.0,
                }
            })
            .collect();
        let w = window(&pairs, t, 6);
        assert!(w.len() >= 6);
        let fit = regress(&w, t).unwrap();
        assert!((fit.forward - f).abs() < 0.05, "{fit:?}");
        assert!((fit.discount - d).abs() < 1e-3, "{fit:?}");
        assert!((forward_given_discount(&w, d) - f).abs() < 0.3);
    }
}
