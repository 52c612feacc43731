//! The protection report, end to end on bundled real data (20 S&P 500 stocks and the index,
//! daily, to 2022; S&P 500 OHLC bars 1999–2018):
//!
//! 1. build a book: minimum-volatility weights (long-only, 15% cap) from five years of returns,
//!    next to equal weights and hierarchical risk parity;
//! 2. measure its tail: historical and GARCH-filtered 99% VaR/ES, maximum drawdown, and a Kupiec
//!    backtest of a rolling 250-day historical VaR;
//! 3. put volatility in context: realized volatility by five estimators through the
//!    fourth-quarter 2018 sell-off;
//! 4. price protection off a real market: an arbitrage-free SVI surface from the SPX option
//!    chain of 2024-01-05, then a menu of 3-month index puts and put spreads — cost, yearly
//!    bleed when rolled, and payoff per unit of premium in a 20% and a 30% crash.
//!
//! Run with `cargo xtask demo` (or `cargo run --release -p parapet --example protection_report`).

use parapet::portfolio::{
    MeanVariance, Objective, ReturnMethod, hrp, mean_historical_return, sample_cov,
};
use parapet::pricing::black;
use parapet::protect::{Estimator, OhlcBars};
use parapet::risk::{
    DrawdownKind, EsMethod, FilteredHistorical, Garch11, Innovation, QuantileMethod, backcast,
    exceedances, historical_var_es, kupiec, max_drawdown, rolling_historical,
};
use parapet::surface::{ChainSettings, build_surface, parse_cboe_csv};
use parapet::{Confidence, OptionKind, PriceTable, ReturnKind, TRADING_DAYS};

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> AnyResult<()> {
    let stocks = PriceTable::from_csv_str(include_str!("data/sp500_20stocks_prices.csv"))?;
    let window = stocks
        .between("2018-01-01", "2022-12-31")?
        .complete_rows()?;
    let returns = window.returns(ReturnKind::Simple)?;
    let names = returns.names().to_vec();
    let r = returns.values();
    println!(
        "parapet protection report: {} stocks, {} daily returns {} .. {}\n",
        names.len(),
        returns.len(),
        returns.dates()[0],
        returns.dates()[returns.len() - 1]
    );

    // 1. The book.
    let mu = mean_historical_return(r, ReturnMethod::Compounded, TRADING_DAYS)?;
    let cov = sample_cov(r, TRADING_DAYS)?;
    let min_vol = MeanVariance::new(mu.view(), cov.view())?
        .with_bounds(0.0, 0.15)?
        .solve(Objective::MinVolatility)?;
    let hrp_weights = hrp(r, Default::default())?.weights;
    let equal = vec![1.0 / names.len() as f64; names.len()];
    println!("1. book: minimum volatility, long-only, at most 15% per stock");
    println!(
        "   expected return {:.2}%, volatility {:.2}% (annualised)",
        100.0 * min_vol.expected_return,
        100.0 * min_vol.volatility
    );
    let mut ranked: Vec<(usize, f64)> = min_vol.weights.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!(
        "   {:<6} {:>9} {:>9} {:>9}",
        "asset", "min-vol", "HRP", "equal"
    );
    for &(j, w) in ranked.iter().take(8) {
        println!(
            "   {:<6} {:>8.2}% {:>8.2}% {:>8.2}%",
            names[j],
            100.0 * w,
            100.0 * hrp_weights[j],
            100.0 * equal[j]
        );
    }

    // 2. Its tail.
    let c99 = Confidence::new(0.99)?;
    let books = [
        (
            "min-vol",
            returns
                .portfolio(min_vol.weights.as_slice().unwrap_or(&equal))?
                .to_vec(),
        ),
        (
            "HRP",
            returns
                .portfolio(hrp_weights.as_slice().unwrap_or(&equal))?
                .to_vec(),
        ),
        ("equal", returns.portfolio(&equal)?.to_vec()),
    ];
    println!("\n2. one-day tail risk at 99% (losses positive)");
    println!(
        "   {:<8} {:>9} {:>9} {:>11} {:>11} {:>9} {:>14}",
        "book", "hist VaR", "hist ES", "GARCH VaR", "GARCH ES", "max DD", "Kupiec p (250d)"
    );
    for (label, book) in &books {
        let hist = historical_var_es(book, c99, QuantileMethod::default(), EsMethod::default())?;
        let fit = Garch11::fit(book, Innovation::Normal, Default::default())?;
        let bc = backcast(&book.iter().map(|x| x - fit.model.mu()).collect::<Vec<_>>())?;
        let variances = fit.model.variances(book, bc)?;
        let n = book.len();
        let fhs = FilteredHistorical::new(book, fit.model.mu(), &variances[..n])?;
        let next = fhs.var_es(c99, fit.model.mu(), variances[n])?;
        let dd = max_drawdown(book, DrawdownKind::Compounded)?;
        let rolling = rolling_historical(
            book,
            250,
            c99,
            QuantileMethod::default(),
            EsMethod::default(),
        )?;
        // The VaR estimated on days t−250..t−1 is tested on day t.
        let forecasts: Vec<f64> = rolling[..rolling.len() - 1].iter().map(|t| t.var).collect();
        let hits = exceedances(&book[250..], &forecasts)?;
        let test = kupiec(&hits, c99)?;
        println!(
            "   {:<8} {:>8.2}% {:>8.2}% {:>10.2}% {:>10.2}% {:>8.2}% {:>7.3} ({}/{})",
            label,
            100.0 * hist.var,
            100.0 * hist.es,
            100.0 * next.var,
            100.0 * next.es,
            100.0 * dd.depth,
            test.p_value,
            test.hits,
            test.n
        );
    }

    // 3. Realized volatility through the Q4 2018 sell-off.
    let bars = sp500_bars(include_str!("data/sp500_index_ohlc.csv"))?;
    let (dates, bars) = bars;
    println!("\n3. S&P 500 realized volatility, 21-day window, annualised");
    print!("   {:<11}", "date");
    for e in Estimator::ALL {
        print!(" {:>15}", format!("{e:?}"));
    }
    println!();
    let rolling: Vec<Vec<f64>> = Estimator::ALL
        .iter()
        .map(|&e| bars.rolling_vol(e, 21, TRADING_DAYS))
        .collect::<Result<_, _>>()?;
    for date in [
        "2018-09-28",
        "2018-10-31",
        "2018-11-30",
        "2018-12-24",
        "2018-12-31",
    ] {
        let Some(t) = dates.iter().position(|d| d == date) else {
            continue;
        };
        print!("   {date:<11}");
        for (k, &e) in Estimator::ALL.iter().enumerate() {
            // Window ends are aligned to the last bar; estimators that need the previous close
            // start one bar later.
            let first_end = if matches!(e, Estimator::CloseToClose | Estimator::YangZhang) {
                21
            } else {
                20
            };
            print!(" {:>14.1}%", 100.0 * rolling[k][t - first_end]);
        }
        println!();
    }

    // 4. The price of protection.
    hedge_menu()?;
    Ok(())
}

/// Index puts and put spreads three months out, priced on the fitted SPX surface.
fn hedge_menu() -> AnyResult<()> {
    let chain = parse_cboe_csv(include_str!("data/spx_option_chain_2024-01-05.csv"))?;
    let built = build_surface(
        &chain,
        chain.snapshot.last_weekday_close(),
        &ChainSettings::default(),
    )?;
    let surface = &built.surface;
    let t = 0.25;
    let spot = surface.spot();
    let forward = surface.forward(t);
    // Discount from the fitted expiry nearest to three months.
    let nearest = built
        .slices
        .iter()
        .min_by(|a, b| (a.t - t).abs().total_cmp(&(b.t - t).abs()))
        .ok_or("no fitted expiry")?;
    let discount = nearest.discount.powf(t / nearest.t);
    println!(
        "\n4. protection on the S&P 500 (SPX chain of 2024-01-05: {} expiries fitted, {} skipped)",
        built.slices.len(),
        built.skipped.len()
    );
    println!("   spot {spot:.2}, 3-month forward {forward:.2}, discount {discount:.5}");
    let put = |moneyness: f64| -> AnyResult<(f64, f64)> {
        let strike = moneyness * spot;
        let vol = surface.vol_at_strike(strike, t)?;
        Ok((
            vol,
            discount * black::price(OptionKind::Put, forward, strike, t, vol),
        ))
    };
    println!(
        "   {:<16} {:>8} {:>10} {:>12} {:>14} {:>14}",
        "structure", "vol", "cost", "bleed/yr", "payoff −20%", "payoff −30%"
    );
    let payoff = |lo: f64, hi: f64, crash: f64| {
        ((hi - (1.0 - crash)).max(0.0) - (lo - (1.0 - crash)).max(0.0)).max(0.0)
    };
    for (label, long, short) in [
        ("put 95%", 0.95, None),
        ("put 90%", 0.90, None),
        ("put 80%", 0.80, None),
        ("spread 95/80%", 0.95, Some(0.80)),
        ("spread 90/75%", 0.90, Some(0.75)),
    ] {
        let (vol, long_price) = put(long)?;
        let short_price = match short {
            Some(m) => put(m)?.1,
            None => 0.0,
        };
        let cost = (long_price - short_price) / spot;
        let floor = short.unwrap_or(0.0);
        println!(
            "   {:<16} {:>7.2}% {:>9.2}% {:>11.2}% {:>13.1}x {:>13.1}x",
            label,
            100.0 * vol,
            100.0 * cost,
            100.0 * 4.0 * cost,
            payoff(floor, long, 0.20) / cost,
            payoff(floor, long, 0.30) / cost
        );
    }
    println!("   (cost and payoff per unit of index notional; payoff at expiry over premium paid)");
    Ok(())
}

/// Reads `Date,Open,High,Low,Close,...` bars, leaving out (and counting) inconsistent ones.
fn sp500_bars(text: &str) -> AnyResult<(Vec<String>, OhlcBars)> {
    let mut dates = Vec::new();
    let mut cols: [Vec<f64>; 4] = Default::default();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() < 5 {
            continue;
        }
        dates.push(cells[0].to_owned());
        for (k, col) in cols.iter_mut().enumerate() {
            col.push(cells[k + 1].trim().parse::<f64>().unwrap_or(f64::NAN));
        }
    }
    let (bars, dropped) = OhlcBars::filtered(&cols[0], &cols[1], &cols[2], &cols[3])?;
    let kept: Vec<String> = dates
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !dropped.iter().any(|d| d.index == *i))
        .map(|(_, d)| d)
        .collect();
    Ok((kept, bars))
}
