//! Shared helpers for the reference tests: case discovery, data windows, tolerances.
#![allow(dead_code)] // each test binary uses a different subset of these helpers

pub mod cases;
pub mod tolerance;

use serde_json::Value;

const SP500: &str = include_str!("../data/sp500_index_ohlc.csv");
const NASDAQ: &str = include_str!("../data/nasdaq_index_ohlc.csv");
const STOCKS20: &str = include_str!("../data/sp500_20stocks_prices.csv");

/// Every case whose `category` is `category`, with its file stem.
pub fn cases(category: &str) -> Vec<(String, Value)> {
    let out: Vec<(String, Value)> = cases::FILES
        .iter()
        .map(|(name, text)| {
            let v: Value = serde_json::from_str(text).expect("valid JSON");
            (name.to_string(), v)
        })
        .filter(|(_, v)| v["category"] == category)
        .collect();
    assert!(!out.is_empty(), "no reference case of category {category}");
    out
}

/// f64 field.
#[track_caller]
pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Vec<f64> field.
#[track_caller]
pub fn fv(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(f).collect()
}

fn csv_text(file: &str) -> &'static str {
    match file {
        "data/sp500_index_ohlc.csv" => SP500,
        "data/nasdaq_index_ohlc.csv" => NASDAQ,
        "data/sp500_20stocks_prices.csv" => STOCKS20,
        other => panic!("no bundled copy of {other}"),
    }
}

/// Rows of `date, values[columns]` with `from <= date <= to`.
fn rows(file: &str, columns: &[String], from: &str, to: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut lines = csv_text(file).lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| header.iter().position(|h| h == c).expect("column present"))
        .collect();
    let mut dates = Vec::new();
    let mut values = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let d = cells[0];
        if d < from || d > to {
            continue;
        }
        dates.push(d.to_string());
        values.push(
            idx.iter()
                .map(|&i| cells[i].parse::<f64>().expect("price"))
                .collect(),
        );
    }
    (dates, values)
}

/// The dated simple-return series a case's `inputs.data` describes: a price column, or the
/// daily rebalanced equal-weight portfolio of `assets` (r_p = mean_i r_i).
pub fn case_returns(case: &Value) -> (Vec<String>, Vec<f64>) {
    let d = &case["inputs"]["data"];
    let file = d["prices_file"].as_str().unwrap();
    let from = d["price_rows_from"].as_str().unwrap();
    let to = d["price_rows_to"].as_str().unwrap();
    let columns: Vec<String> = if let Some(a) = d["assets"].as_array() {
        a.iter().map(|s| s.as_str().unwrap().to_string()).collect()
    } else {
        vec![d["column"].as_str().unwrap().to_string()]
    };
    let (dates, prices) = rows(file, &columns, from, to);
    let m = columns.len() as f64;
    let mut r = Vec::with_capacity(prices.len() - 1);
    for t in 1..prices.len() {
        let sum: f64 = (0..columns.len())
            .map(|i| prices[t][i] / prices[t - 1][i] - 1.0)
            .sum();
        r.push(if columns.len() == 1 { sum } else { sum / m });
    }
    let mut dates = dates[1..].to_vec();
    if let Some(k) = d["use_first_n_returns"].as_u64() {
        r.truncate(k as usize);
        dates.truncate(k as usize);
    }
    assert_eq!(
        r.len() as u64,
        d.get("use_first_n_returns")
            .and_then(Value::as_u64)
            .unwrap_or(d["n_returns"].as_u64().unwrap())
    );
    assert_eq!(
        dates[0],
        d.get("subset_first_return_date")
            .or(d.get("first_return_date"))
            .unwrap()
            .as_str()
            .unwrap()
    );
    (dates, r)
}

/// Prices of one column over a case's window (first row included).
pub fn case_prices(case: &Value) -> Vec<f64> {
    let d = &case["inputs"]["data"];
    let (_, p) = rows(
        d["prices_file"].as_str().unwrap(),
        &[d["column"].as_str().unwrap().to_string()],
        d["price_rows_from"].as_str().unwrap(),
        d["price_rows_to"].as_str().unwrap(),
    );
    p.into_iter().map(|row| row[0]).collect()
}
