//! Positive-semidefinite repair (Higham 2002) and covariance diagnostics.

use ndarray::{Array1, Array2, ArrayView2};

use crate::error::{PortfolioError, Result};
use crate::linalg::{check_max_iterations, check_symmetric, check_tolerance, eigh, symmetrise};

/// Knobs of [`nearest_psd`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PsdSettings {
    /// Smallest eigenvalue of the repaired correlation matrix (default 0: the nearest PSD
    /// matrix; a small positive floor such as 1e-10 makes the result strictly definite).
    pub min_eigenvalue: f64,
    /// Convergence tolerance on the change of the iterate, Frobenius norm (default 1e-12).
    pub tolerance: f64,
    /// Maximum number of alternating projections (default 1000).
    pub max_iterations: usize,
}

impl Default for PsdSettings {
    fn default() -> Self {
        Self {
            min_eigenvalue: 0.0,
            tolerance: 1e-12,
            max_iterations: 1000,
        }
    }
}

impl PsdSettings {
    /// Checks every knob's domain.
    ///
    /// # Errors
    /// [`PortfolioError::InvalidParameter`] naming the knob.
    pub fn validate(&self) -> Result<()> {
        if !(self.min_eigenvalue.is_finite() && (0.0..1.0).contains(&self.min_eigenvalue)) {
            return Err(PortfolioError::InvalidParameter {
                name: "min_eigenvalue",
                value: self.min_eigenvalue,
                reason: "must lie in [0, 1) (it floors a correlation matrix)",
            });
        }
        check_tolerance(self.tolerance)?;
        check_max_iterations(self.max_iterations)?;
        Ok(())
    }
}

/// A repaired covariance and what the repair did.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PsdRepair {
    /// The repaired covariance (same variances as the input).
    pub covariance: Array2<f64>,
    /// Alternating projections performed (0 if the input was already PSD).
    pub iterations: usize,
    /// Minimum eigenvalue of the input.
    pub input_min_eigenvalue: f64,
    /// Frobenius distance between input and output.
    pub distance: f64,
}

fn project_psd(a: &Array2<f64>, floor: f64) -> Result<Array2<f64>> {
    let (w, v) = eigh(a)?;
    let w = w.mapv(|x| x.max(floor));
    let mut out = (&v * &w).dot(&v.t());
    symmetrise(&mut out);
    Ok(out)
}

/// Nearest covariance matrix with the same variances whose correlation matrix is positive
/// semidefinite: Higham's alternating projections with Dykstra's correction (Higham 2002,
/// "Computing the nearest correlation matrix — a problem from finance", IMA J. Numerical
/// Analysis 22(3)), applied to the correlation matrix `D^{-1/2} Σ D^{-1/2}` and scaled back.
/// The projections alternate between the PSD cone (eigenvalues clipped at
/// `min_eigenvalue`) and the unit-diagonal matrices; the result is the nearest correlation
/// matrix in the Frobenius norm. A PSD input is returned unchanged.
///
/// ```
/// # use ndarray::array;
/// use parapet_portfolio::{nearest_psd, PsdSettings};
/// let bad = array![[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]];
/// let fixed = nearest_psd(bad.view(), &PsdSettings::default())?;
/// assert!(fixed.input_min_eigenvalue < 0.0);
/// assert!((fixed.covariance[[1, 1]] - 1.0).abs() < 1e-12);
/// # Ok::<(), parapet_portfolio::PortfolioError>(())
/// ```
///
/// # Errors
/// Non-symmetric or non-finite input, a non-positive variance, invalid settings, or no
/// convergence within `max_iterations`.
pub fn nearest_psd(cov: ArrayView2<'_, f64>, settings: &PsdSettings) -> Result<PsdRepair> {
    settings.validate()?;
    check_symmetric("covariance", cov)?;
    let n = cov.nrows();
    let input = cov.to_owned();
    let (w0, _) = eigh(&input)?;
    let input_min_eigenvalue = w0[0];
    let scale = w0[n - 1].abs().max(f64::MIN_POSITIVE);
    if input_min_eigenvalue >= settings.min_eigenvalue * scale {
        return Ok(PsdRepair {
            covariance: input,
            iterations: 0,
            input_min_eigenvalue,
            distance: 0.0,
        });
    }
    let sd: Array1<f64> = cov.diag().mapv(f64::sqrt);
    if let Some(&v) = cov.diag().iter().find(|v| **v <= 0.0) {
        return Err(PortfolioError::InvalidParameter {
            name: "variance",
            value: v,
            reason: "must be positive to repair",
        });
    }
    let corr = Array2::from_shape_fn((n, n), |(i, j)| cov[[i, j]] / (sd[i] * sd[j]));
    let mut y = corr.clone();
    let mut ds = Array2::<f64>::zeros((n, n));
    let mut iterations = 0;
    let mut change = f64::INFINITY;
    while iterations < settings.max_iterations {
        iterations += 1;
        let r = &y - &ds;
        let x = project_psd(&r, settings.min_eigenvalue)?;
        ds = &x - &r;
        let mut y_new = x.clone();
        for i in 0..n {
            y_new[[i, i]] = 1.0;
        }
        change = (&y_new - &y).iter().map(|d| d * d).sum::<f64>().sqrt();
        y = y_new;
        if change <= settings.tolerance * (n as f64) {
            break;
        }
    }
    if change > settings.tolerance * (n as f64) {
        return Err(PortfolioError::NotConverged {
            algorithm: "Higham nearest correlation",
            iterations,
            residual: change,
        });
    }
    // A final PSD projection with the diagonal restored keeps the output inside the cone
    // rather than within `tolerance` of it.
    let y = project_psd(&y, settings.min_eigenvalue)?;
    let fix = y.diag().mapv(f64::sqrt);
    let covariance = Array2::from_shape_fn((n, n), |(i, j)| {
        y[[i, j]] / (fix[i] * fix[j]) * sd[i] * sd[j]
    });
    let distance = (&covariance - &input)
        .iter()
        .map(|d| d * d)
        .sum::<f64>()
        .sqrt();
    Ok(PsdRepair {
        covariance,
        iterations,
        input_min_eigenvalue,
        distance,
    })
}

/// Conditioning facts about a covariance matrix that optimisers report.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CovarianceDiagnostics {
    /// Number of assets.
    pub n_assets: usize,
    /// Number of observations behind the estimate, if known.
    pub n_observations: Option<usize>,
    /// Smallest eigenvalue.
    pub min_eigenvalue: f64,
    /// Largest eigenvalue.
    pub max_eigenvalue: f64,
    /// `max_eigenvalue / min_eigenvalue` (infinite when singular or indefinite).
    pub condition_number: f64,
    /// Whether the smallest eigenvalue is ≥ −1e-12 · the largest.
    pub is_psd: bool,
    /// Whether there are fewer observations than assets (the sample covariance is singular).
    pub fewer_observations_than_assets: bool,
}

/// Eigenvalue diagnostics of a covariance matrix.
///
/// # Errors
/// Non-symmetric or non-finite input.
pub fn diagnose(
    cov: ArrayView2<'_, f64>,
    n_observations: Option<usize>,
) -> Result<CovarianceDiagnostics> {
    check_symmetric("covariance", cov)?;
    let (w, _) = eigh(&cov.to_owned())?;
    let n = w.len();
    let (min, max) = (w[0], w[n - 1]);
    Ok(CovarianceDiagnostics {
        n_assets: n,
        n_observations,
        min_eigenvalue: min,
        max_eigenvalue: max,
        condition_number: if min > 0.0 { max / min } else { f64::INFINITY },
        is_psd: min >= -1e-12 * max.abs(),
        fewer_observations_than_assets: n_observations.is_some_and(|t| t < n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn higham_example_matches_published_result() {
        // Higham (2002), section 4: the nearest correlation matrix to this 3x3 unit-diagonal
        // matrix has off-diagonals 0.7607, 0.1573, 0.7607 (to four decimals).
        let a = array![[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]];
        let r = nearest_psd(a.view(), &PsdSettings::default()).unwrap();
        assert!((r.covariance[[0, 1]] - 0.7607).abs() < 1e-4);
        assert!((r.covariance[[0, 2]] - 0.1573).abs() < 1e-4);
        let d = diagnose(r.covariance.view(), None).unwrap();
        assert!(d.is_psd);
    }

    #[test]
    fn psd_input_untouched_and_settings_validated() {
        let a = array![[2.0, 0.5], [0.5, 1.0]];
        let r = nearest_psd(a.view(), &PsdSettings::default()).unwrap();
        assert_eq!(r.iterations, 0);
        assert_eq!(r.covariance, a);
        let bad = PsdSettings {
            tolerance: -1.0,
            ..PsdSettings::default()
        };
        assert!(matches!(
            nearest_psd(a.view(), &bad),
            Err(PortfolioError::InvalidParameter {
                name: "tolerance",
                ..
            })
        ));
    }
}
