//! Hierarchical Risk Parity (López de Prado 2016, "Building diversified portfolios that
//! outperform out of sample", J. Portfolio Management 42(4)).
//!
//! 1. Distance `dᵢⱼ = √(max(0, ½(1 − ρᵢⱼ)))` from the Pearson correlation of the covariance.
//! 2. Agglomerative clustering of `d` (single, average or Ward linkage) by the
//!    nearest-neighbour chain, `O(n²)` (Müllner 2011, "Modern hierarchical, agglomerative
//!    clustering algorithms", arXiv:1109.2378), with SciPy's merge-labelling conventions.
//! 3. Seriation: the leaves in SciPy's `leaves_list` order — depth-first, the lower-labelled
//!    child first — with no optimal leaf re-ordering.
//! 4. Recursive bisection: each list is split at `len/2`; a half's variance is that of its
//!    inverse-variance portfolio, and the first half receives `α = 1 − V₀/(V₀ + V₁)`.
//!
//! These conventions reproduce PyPortfolioOpt's `HRPOpt`, riskfolio-lib's HRP with
//! `leaf_order=False` and skfolio's `HierarchicalRiskParity` with `optimal_ordering=False`.

use ndarray::{Array1, Array2, ArrayView2};

use crate::covariance::sample_cov;
use crate::error::{PortfolioError, Result};
use crate::linalg::check_symmetric;

/// Inter-cluster distance update (Lance & Williams 1967, "A general theory of classificatory
/// sorting strategies", Computer Journal 9(4)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Linkage {
    /// Nearest member.
    #[default]
    Single,
    /// Size-weighted mean distance (UPGMA).
    Average,
    /// Ward's minimum-variance criterion (Ward 1963).
    Ward,
}

/// One merge of the dendrogram, in SciPy's linkage-matrix convention: clusters `0..n` are the
/// assets, merge `i` creates cluster `n + i`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Merge {
    /// Lower-labelled cluster merged.
    pub left: usize,
    /// Higher-labelled cluster merged.
    pub right: usize,
    /// Linkage distance.
    pub distance: f64,
    /// Number of assets in the new cluster.
    pub size: usize,
}

/// HRP weights and the clustering behind them.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hrp {
    /// Weights (positive, summing to one), in the input's asset order.
    pub weights: Array1<f64>,
    /// Asset indices in dendrogram leaf order.
    pub order: Vec<usize>,
    /// The `n − 1` merges, by increasing distance.
    pub merges: Vec<Merge>,
}

/// HRP from a returns matrix (observations × assets) via its sample covariance.
///
/// # Errors
/// Fewer than two observations or assets, non-finite returns, an asset with zero variance.
pub fn hrp(returns: ArrayView2<'_, f64>, linkage: Linkage) -> Result<Hrp> {
    let cov = sample_cov(returns, 1.0)?;
    hrp_from_cov(cov.view(), linkage)
}

/// HRP from a covariance matrix.
///
/// ```
/// # use ndarray::array;
/// use parapet_portfolio::{hrp_from_cov, Linkage};
/// let cov = array![[0.04, 0.018, 0.002], [0.018, 0.09, 0.003], [0.002, 0.003, 0.01]];
/// let h = hrp_from_cov(cov.view(), Linkage::Single)?;
/// assert!((h.weights.sum() - 1.0).abs() < 1e-15);
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
///
/// # Errors
/// Fewer than two assets, an asymmetric or non-finite covariance, a non-positive variance.
pub fn hrp_from_cov(cov: ArrayView2<'_, f64>, linkage: Linkage) -> Result<Hrp> {
    check_symmetric("covariance", cov)?;
    let n = cov.nrows();
    if n < 2 {
        return Err(PortfolioError::TooFewObservations {
            name: "HRP assets",
            needed: 2,
            got: n,
        });
    }
    if let Some(&v) = cov.diag().iter().find(|v| **v <= 0.0) {
        return Err(PortfolioError::InvalidParameter {
            name: "variance",
            value: v,
            reason: "HRP needs positive variances",
        });
    }
    let sd = cov.diag().mapv(f64::sqrt);
    let dist = Array2::from_shape_fn((n, n), |(i, j)| {
        if i == j {
            0.0
        } else {
            (0.5 * (1.0 - cov[[i, j]] / (sd[i] * sd[j])))
                .max(0.0)
                .sqrt()
        }
    });
    let merges = cluster(dist, linkage);
    let order = leaves(&merges, n);
    let weights = bisect(cov, &order);
    Ok(Hrp {
        weights,
        order,
        merges,
    })
}

/// Nearest-neighbour-chain clustering followed by SciPy's stable sort and relabelling.
fn cluster(mut d: Array2<f64>, linkage: Linkage) -> Vec<Merge> {
    let n = d.nrows();
    let mut size = vec![1usize; n];
    let mut raw: Vec<(usize, usize, f64)> = Vec::with_capacity(n - 1);
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    for _ in 0..n - 1 {
        if chain.is_empty() {
            chain.push((0..n).find(|&i| size[i] > 0).unwrap_or(0));
        }
        let (x, y, dmin) = loop {
            let x = chain[chain.len() - 1];
            let (mut y, mut best) = if chain.len() > 1 {
                let y = chain[chain.len() - 2];
                (y, d[[x, y]])
            } else {
                (usize::MAX, f64::INFINITY)
            };
            for i in 0..n {
                if size[i] == 0 || i == x {
                    continue;
                }
                if d[[x, i]] < best {
                    best = d[[x, i]];
                    y = i;
                }
            }
            if chain.len() > 1 && y == chain[chain.len() - 2] {
                break (x, y, best);
            }
            chain.push(y);
        };
        chain.truncate(chain.len() - 2);
        let (x, y) = if x < y { (x, y) } else { (y, x) };
        let (nx, ny) = (size[x] as f64, size[y] as f64);
        raw.push((x, y, dmin));
        size[x] = 0;
        size[y] += nx as usize;
        for i in 0..n {
            if size[i] == 0 || i == y {
                continue;
            }
            let (dxi, dyi) = (d[[x, i]], d[[y, i]]);
            let ni = size[i] as f64;
            let new = match linkage {
                Linkage::Single => dxi.min(dyi),
                Linkage::Average => (nx * dxi + ny * dyi) / (nx + ny),
                Linkage::Ward => {
                    let t = 1.0 / (nx + ny + ni);
                    ((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dmin * dmin)
                        .max(0.0)
                        .sqrt()
                }
            };
            d[[y, i]] = new;
            d[[i, y]] = new;
        }
    }
    // Stable sort by distance, then relabel with a union-find as scipy.cluster.hierarchy does.
    let mut idx: Vec<usize> = (0..raw.len()).collect();
    idx.sort_by(|&a, &b| raw[a].2.total_cmp(&raw[b].2));
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    let mut csize = vec![1usize; 2 * n - 1];
    let find = |parent: &mut Vec<usize>, mut x: usize| {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    };
    let mut merges = Vec::with_capacity(n - 1);
    for (k, &i) in idx.iter().enumerate() {
        let (a, b, dist) = raw[i];
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        let label = n + k;
        parent[ra] = label;
        parent[rb] = label;
        csize[label] = csize[ra] + csize[rb];
        merges.push(Merge {
            left: ra.min(rb),
            right: ra.max(rb),
            distance: dist,
            size: csize[label],
        });
    }
    merges
}

/// Leaves depth-first from the root, left (lower label) child first.
fn leaves(merges: &[Merge], n: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    let mut stack = vec![n + merges.len() - 1];
    while let Some(c) = stack.pop() {
        if c < n {
            out.push(c);
        } else {
            let m = merges[c - n];
            stack.push(m.right);
            stack.push(m.left);
        }
    }
    out
}

fn cluster_variance(cov: ArrayView2<'_, f64>, items: &[usize]) -> f64 {
    let ivp: Vec<f64> = items.iter().map(|&i| 1.0 / cov[[i, i]]).collect();
    let s: f64 = ivp.iter().sum();
    let mut v = 0.0;
    for (a, &i) in items.iter().enumerate() {
        for (b, &j) in items.iter().enumerate() {
            v += ivp[a] * ivp[b] * cov[[i, j]];
        }
    }
    v / (s * s)
}

fn bisect(cov: ArrayView2<'_, f64>, order: &[usize]) -> Array1<f64> {
    let mut w = Array1::<f64>::ones(cov.nrows());
    let mut clusters: Vec<&[usize]> = vec![order];
    while !clusters.is_empty() {
        let mut next = Vec::new();
        for c in clusters {
            if c.len() < 2 {
                continue;
            }
            let (a, b) = c.split_at(c.len() / 2);
            let (va, vb) = (cluster_variance(cov, a), cluster_variance(cov, b));
            let alpha = 1.0 - va / (va + vb);
            for &i in a {
                w[i] *= alpha;
            }
            for &i in b {
                w[i] *= 1.0 - alpha;
            }
            next.push(a);
            next.push(b);
        }
        clusters = next;
    }
    w
}
