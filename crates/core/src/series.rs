//! Price and return series: observations in rows, assets in columns, with names and dates.
//!
//! A [`PriceTable`] is read from the plain `date,asset1,asset2,…` CSV layout used by most data
//! vendors (empty cells mean "no price", as for a stock before its listing) and turned into a
//! [`ReturnTable`] of simple or log returns.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{CoreError, Result};

/// How returns are formed from consecutive prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReturnKind {
    /// `r = P_t / P_{t−1} − 1` (the default).
    #[default]
    Simple,
    /// `r = ln(P_t / P_{t−1})`.
    Log,
}

/// Default number of periods per year for daily data.
pub const TRADING_DAYS: f64 = 252.0;

/// Prices of several assets on common dates. Missing prices are NaN.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PriceTable {
    dates: Vec<String>,
    names: Vec<String>,
    values: Array2<f64>,
}

/// Returns of several assets, one row per period, with the date that closes each period.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReturnTable {
    dates: Vec<String>,
    names: Vec<String>,
    values: Array2<f64>,
    kind: ReturnKind,
}

fn check_names(names: &[String], columns: usize) -> Result<()> {
    if names.len() != columns {
        return Err(CoreError::ShapeMismatch {
            name: "asset names",
            expected: columns,
            got: names.len(),
        });
    }
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    for pair in sorted.windows(2) {
        if pair[0] == pair[1] {
            return Err(CoreError::DuplicateName {
                name: pair[0].clone(),
            });
        }
    }
    Ok(())
}

impl PriceTable {
    /// A table from dates, asset names and an observations × assets matrix (NaN = missing).
    ///
    /// # Errors
    /// Mismatched lengths, duplicate names, an empty matrix, or a price that is infinite or
    /// not positive.
    pub fn new(dates: Vec<String>, names: Vec<String>, values: Array2<f64>) -> Result<Self> {
        if values.is_empty() {
            return Err(CoreError::Empty { name: "prices" });
        }
        if dates.len() != values.nrows() {
            return Err(CoreError::ShapeMismatch {
                name: "dates",
                expected: values.nrows(),
                got: dates.len(),
            });
        }
        check_names(&names, values.ncols())?;
        for ((row, col), &v) in values.indexed_iter() {
            if v.is_nan() {
                continue;
            }
            if !v.is_finite() {
                return Err(CoreError::NonFiniteEntry {
                    name: "prices",
                    row,
                    col,
                    value: v,
                });
            }
            if v <= 0.0 {
                return Err(CoreError::NonPositivePrice { row, col, value: v });
            }
        }
        Ok(Self {
            dates,
            names,
            values,
        })
    }

    /// Parses `date,name1,name2,…` CSV text: a header row, then one row per date. Empty cells
    /// (and `NaN`, `NA`, `null`) are missing prices; blank lines are skipped.
    ///
    /// ```
    /// use parapet_core::PriceTable;
    /// let csv = "Date,A,B\n2024-01-02,10,20\n2024-01-03,11,\n";
    /// let p = PriceTable::from_csv_str(csv)?;
    /// assert_eq!(p.names(), ["A", "B"]);
    /// assert!(p.values()[[1, 1]].is_nan());
    /// # Ok::<(), parapet_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    /// No header or no rows, a row with the wrong number of cells, or a cell that is not a
    /// number (reported as [`CoreError::NonFiniteEntry`] with its row and column), plus the
    /// checks of [`PriceTable::new`].
    pub fn from_csv_str(text: &str) -> Result<Self> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let header = lines.next().ok_or(CoreError::Empty { name: "csv" })?;
        let names: Vec<String> = header
            .split(',')
            .skip(1)
            .map(|s| s.trim().to_owned())
            .collect();
        let mut dates = Vec::new();
        let mut flat = Vec::new();
        for (row, line) in lines.enumerate() {
            let mut cells = line.split(',');
            let date = cells.next().unwrap_or_default().trim().to_owned();
            let mut count = 0;
            for (col, cell) in cells.enumerate() {
                let cell = cell.trim();
                let v = match cell {
                    "" | "NaN" | "nan" | "NA" | "null" => f64::NAN,
                    _ => cell.parse::<f64>().map_err(|_| CoreError::NonFiniteEntry {
                        name: "csv cell",
                        row,
                        col,
                        value: f64::NAN,
                    })?,
                };
                flat.push(v);
                count += 1;
            }
            if count != names.len() {
                return Err(CoreError::ShapeMismatch {
                    name: "csv row",
                    expected: names.len(),
                    got: count,
                });
            }
            dates.push(date);
        }
        let values = Array2::from_shape_vec((dates.len(), names.len()), flat)
            .map_err(|_| CoreError::Empty { name: "csv" })?;
        Self::new(dates, names, values)
    }

    /// Dates, one per row.
    pub fn dates(&self) -> &[String] {
        &self.dates
    }

    /// Asset names, one per column.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Prices, observations × assets; NaN where missing.
    pub fn values(&self) -> ArrayView2<'_, f64> {
        self.values.view()
    }

    /// The columns named, in the order given.
    ///
    /// # Errors
    /// [`CoreError::Empty`] if `names` is empty; [`CoreError::DuplicateName`] never (names are
    /// looked up, not created); an unknown name is reported as
    /// [`CoreError::ShapeMismatch`] with `got` the number found.
    pub fn select(&self, names: &[&str]) -> Result<Self> {
        if names.is_empty() {
            return Err(CoreError::Empty { name: "selection" });
        }
        let idx: Vec<usize> = names
            .iter()
            .filter_map(|n| self.names.iter().position(|m| m == n))
            .collect();
        if idx.len() != names.len() {
            return Err(CoreError::ShapeMismatch {
                name: "selected asset names found",
                expected: names.len(),
                got: idx.len(),
            });
        }
        Self::new(
            self.dates.clone(),
            names.iter().map(|s| (*s).to_owned()).collect(),
            self.values.select(Axis(1), &idx),
        )
    }

    /// The rows whose date lies in `[from, to]` (ISO dates compare as strings).
    ///
    /// # Errors
    /// [`CoreError::Empty`] if no row falls in the window.
    pub fn between(&self, from: &str, to: &str) -> Result<Self> {
        let idx: Vec<usize> = (0..self.dates.len())
            .filter(|&i| self.dates[i].as_str() >= from && self.dates[i].as_str() <= to)
            .collect();
        if idx.is_empty() {
            return Err(CoreError::Empty {
                name: "date window",
            });
        }
        Self::new(
            idx.iter().map(|&i| self.dates[i].clone()).collect(),
            self.names.clone(),
            self.values.select(Axis(0), &idx),
        )
    }

    /// Drops every row with a missing price in any column.
    ///
    /// # Errors
    /// [`CoreError::Empty`] if no complete row remains.
    pub fn complete_rows(&self) -> Result<Self> {
        let idx: Vec<usize> = (0..self.values.nrows())
            .filter(|&i| self.values.row(i).iter().all(|v| !v.is_nan()))
            .collect();
        if idx.is_empty() {
            return Err(CoreError::Empty {
                name: "complete rows",
            });
        }
        Self::new(
            idx.iter().map(|&i| self.dates[i].clone()).collect(),
            self.names.clone(),
            self.values.select(Axis(0), &idx),
        )
    }

    /// Period returns between consecutive rows.
    ///
    /// # Errors
    /// [`CoreError::TooShort`] with fewer than two rows; [`CoreError::NonFiniteEntry`] if a
    /// price is missing (call [`PriceTable::complete_rows`] first).
    pub fn returns(&self, kind: ReturnKind) -> Result<ReturnTable> {
        let n = self.values.nrows();
        if n < 2 {
            return Err(CoreError::TooShort {
                name: "prices",
                needed: 2,
                got: n,
            });
        }
        if let Some(((row, col), &v)) = self.values.indexed_iter().find(|(_, v)| v.is_nan()) {
            return Err(CoreError::NonFiniteEntry {
                name: "prices",
                row,
                col,
                value: v,
            });
        }
        let mut out = Array2::zeros((n - 1, self.values.ncols()));
        for t in 1..n {
            for j in 0..self.values.ncols() {
                let ratio = self.values[[t, j]] / self.values[[t - 1, j]];
                out[[t - 1, j]] = match kind {
                    // ln_1p keeps precision for tiny moves where ratio − 1 is exact.
                    ReturnKind::Simple => ratio - 1.0,
                    ReturnKind::Log => (ratio - 1.0).ln_1p(),
                };
            }
        }
        Ok(ReturnTable {
            dates: self.dates[1..].to_vec(),
            names: self.names.clone(),
            values: out,
            kind,
        })
    }
}

impl ReturnTable {
    /// A table from dates, names and an observations × assets matrix of returns.
    ///
    /// # Errors
    /// Mismatched lengths, duplicate names, an empty matrix, or a non-finite return.
    pub fn new(
        dates: Vec<String>,
        names: Vec<String>,
        values: Array2<f64>,
        kind: ReturnKind,
    ) -> Result<Self> {
        if values.is_empty() {
            return Err(CoreError::Empty { name: "returns" });
        }
        if dates.len() != values.nrows() {
            return Err(CoreError::ShapeMismatch {
                name: "dates",
                expected: values.nrows(),
                got: dates.len(),
            });
        }
        check_names(&names, values.ncols())?;
        if let Some(((row, col), &v)) = values.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(CoreError::NonFiniteEntry {
                name: "returns",
                row,
                col,
                value: v,
            });
        }
        Ok(Self {
            dates,
            names,
            values,
            kind,
        })
    }

    /// Dates that close each period.
    pub fn dates(&self) -> &[String] {
        &self.dates
    }

    /// Asset names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Returns, observations × assets.
    pub fn values(&self) -> ArrayView2<'_, f64> {
        self.values.view()
    }

    /// Simple or log.
    pub fn kind(&self) -> ReturnKind {
        self.kind
    }

    /// Number of periods.
    pub fn len(&self) -> usize {
        self.values.nrows()
    }

    /// Always false: a table has at least one row.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Returns of a portfolio with fixed `weights` rebalanced every period: `R·w`.
    ///
    /// # Errors
    /// [`CoreError::ShapeMismatch`] if `weights` does not have one entry per asset.
    pub fn portfolio(&self, weights: &[f64]) -> Result<Array1<f64>> {
        if weights.len() != self.values.ncols() {
            return Err(CoreError::ShapeMismatch {
                name: "weights",
                expected: self.values.ncols(),
                got: weights.len(),
            });
        }
        Ok(self.values.dot(&Array1::from(weights.to_vec())))
    }

    /// Mean return per period of each asset, annualised by `periods_per_year` (arithmetic:
    /// `mean · m`).
    pub fn annualised_mean(&self, periods_per_year: f64) -> Array1<f64> {
        self.values
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(0))
            * periods_per_year
    }

    /// Sample standard deviation (n − 1) of each asset, annualised by `sqrt(periods_per_year)`.
    ///
    /// # Errors
    /// [`CoreError::TooShort`] with a single observation.
    pub fn annualised_vol(&self, periods_per_year: f64) -> Result<Array1<f64>> {
        let n = self.values.nrows();
        if n < 2 {
            return Err(CoreError::TooShort {
                name: "returns",
                needed: 2,
                got: n,
            });
        }
        Ok(self.values.std_axis(Axis(0), 1.0) * periods_per_year.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn table() -> PriceTable {
        PriceTable::from_csv_str("Date,A,B\n2024-01-02,100,50\n2024-01-03,110,\n2024-01-04,99,55\n")
            .unwrap()
    }

    #[test]
    fn parses_and_forms_returns() {
        let p = table();
        assert_eq!(p.dates().len(), 3);
        assert!(matches!(
            p.returns(ReturnKind::Simple),
            Err(CoreError::NonFiniteEntry { .. })
        ));
        let c = p.complete_rows().unwrap();
        assert_eq!(c.dates(), ["2024-01-02", "2024-01-04"]);
        let r = c.returns(ReturnKind::Simple).unwrap();
        assert!((r.values()[[0, 0]] - (-0.01)).abs() < 1e-15);
        assert!((r.values()[[0, 1]] - 0.1).abs() < 1e-15);
        let l = c.returns(ReturnKind::Log).unwrap();
        assert!((l.values()[[0, 1]] - 1.1f64.ln()).abs() < 1e-15);
        let a = p.select(&["A"]).unwrap();
        let ra = a.returns(ReturnKind::Simple).unwrap();
        assert!((ra.values()[[0, 0]] - 0.1).abs() < 1e-15);
        assert!((ra.values()[[1, 0]] - (99.0 / 110.0 - 1.0)).abs() < 1e-15);
        assert_eq!(
            p.between("2024-01-03", "2024-12-31").unwrap().dates().len(),
            2
        );
    }

    #[test]
    fn rejects_bad_tables() {
        assert!(matches!(
            PriceTable::from_csv_str(""),
            Err(CoreError::Empty { .. })
        ));
        assert!(matches!(
            PriceTable::from_csv_str("Date,A\n2024-01-02,abc\n"),
            Err(CoreError::NonFiniteEntry { row: 0, col: 0, .. })
        ));
        assert!(matches!(
            PriceTable::from_csv_str("Date,A\n2024-01-02,-1\n"),
            Err(CoreError::NonPositivePrice { .. })
        ));
        assert!(matches!(
            PriceTable::from_csv_str("Date,A,A\n2024-01-02,1,2\n"),
            Err(CoreError::DuplicateName { .. })
        ));
        assert!(matches!(
            PriceTable::from_csv_str("Date,A,B\n2024-01-02,1\n"),
            Err(CoreError::ShapeMismatch { .. })
        ));
        assert!(table().select(&["Z"]).is_err());
        let one = PriceTable::from_csv_str("Date,A\n2024-01-02,1\n").unwrap();
        assert!(matches!(
            one.returns(ReturnKind::Simple),
            Err(CoreError::TooShort { .. })
        ));
    }

    #[test]
    fn portfolio_and_annualisation() {
        let r = ReturnTable::new(
            vec!["d1".into(), "d2".into()],
            vec!["A".into(), "B".into()],
            array![[0.01, 0.03], [0.03, -0.01]],
            ReturnKind::Simple,
        )
        .unwrap();
        let p = r.portfolio(&[0.5, 0.5]).unwrap();
        assert!((p[0] - 0.02).abs() < 1e-15 && (p[1] - 0.01).abs() < 1e-15);
        assert!(r.portfolio(&[1.0]).is_err());
        let m = r.annualised_mean(252.0);
        assert!((m[0] - 0.02 * 252.0).abs() < 1e-12);
        let v = r.annualised_vol(252.0).unwrap();
        assert!((v[0] - (0.0002f64).sqrt() * 252f64.sqrt()).abs() < 1e-12);
        assert!(
            ReturnTable::new(
                vec!["d".into()],
                vec!["A".into()],
                array![[f64::NAN]],
                ReturnKind::Log
            )
            .is_err()
        );
    }
}
