//! End-to-end on bundled real data: daily prices of 20 S&P 500 stocks and the index
//! (1990–2022) → returns → annualised return and volatility, worst days, and the normal
//! quantile a 99% one-day parametric VaR would use.
//!
//! Run with `cargo xtask demo` (or `cargo run --release -p parapet --example protection_report`).

use parapet::{PriceTable, ReturnKind, TRADING_DAYS, special};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stocks = PriceTable::from_csv_str(include_str!("data/sp500_20stocks_prices.csv"))?;
    let index = PriceTable::from_csv_str(include_str!("data/sp500_index_close_skfolio.csv"))?;

    let window = stocks
        .between("2018-01-01", "2022-12-31")?
        .complete_rows()?;
    let returns = window.returns(ReturnKind::Simple)?;
    let mean = returns.annualised_mean(TRADING_DAYS);
    let vol = returns.annualised_vol(TRADING_DAYS)?;
    println!(
        "parapet: {} stocks, {} daily returns {} .. {}",
        returns.names().len(),
        returns.len(),
        returns.dates()[0],
        returns.dates()[returns.len() - 1]
    );
    println!("{:<6} {:>10} {:>10}", "asset", "ann.ret", "ann.vol");
    for (j, name) in returns.names().iter().enumerate() {
        println!(
            "{name:<6} {:>9.2}% {:>9.2}%",
            100.0 * mean[j],
            100.0 * vol[j]
        );
    }

    let equal = vec![1.0 / returns.names().len() as f64; returns.names().len()];
    let book = returns.portfolio(&equal)?;
    let index_returns = index
        .between("2018-01-01", "2022-12-31")?
        .returns(ReturnKind::Simple)?;
    let idx = index_returns.values();
    let mut worst: Vec<(usize, f64)> = book.iter().copied().enumerate().collect();
    worst.sort_by(|a, b| a.1.total_cmp(&b.1));
    println!("\nworst days of the equal-weight book (index the same day):");
    for &(t, r) in worst.iter().take(5) {
        let date = &returns.dates()[t];
        let on_index = index_returns
            .dates()
            .iter()
            .position(|d| d == date)
            .map(|i| format!("{:+.2}%", 100.0 * idx[[i, 0]]))
            .unwrap_or_else(|| "n/a".to_owned());
        println!("  {date}  {:+.2}%  (S&P 500 {on_index})", 100.0 * r);
    }

    let n = book.len() as f64;
    let mu = book.sum() / n;
    let sd = (book.iter().map(|r| (r - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let z = special::norm_inv_cdf(0.01);
    println!(
        "\nnormal 99% one-day VaR of the book: {:.2}% (z = {z:.6})",
        100.0 * -(mu + z * sd)
    );
    Ok(())
}
