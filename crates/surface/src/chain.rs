//! Option chains in the CBOE delayed-quote CSV format, with calendar arithmetic for times to
//! expiry.

use crate::error::{Result, SurfaceError};

/// A civil (proleptic Gregorian) date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of month, 1–31.
    pub day: u32,
}

impl Date {
    /// A validated date.
    ///
    /// # Errors
    /// [`SurfaceError::Parse`] (line 0) for an impossible month or day.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        };
        if day == 0 || day > days {
            return Err(SurfaceError::Parse {
                line: 0,
                reason: format!("no such date {year}-{month:02}-{day:02}"),
            });
        }
        Ok(Self { year, month, day })
    }

    /// Days since 1970-01-01 (Hinnant's `days_from_civil`).
    pub fn days_since_epoch(&self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Day of week, 0 = Monday … 6 = Sunday.
    pub fn weekday(&self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (self.days_since_epoch() + 3).rem_euclid(7) as u32
    }

    fn from_days(z: i64) -> Self {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A wall-clock time in the exchange's time zone (New York for CBOE): date and minutes after
/// midnight. Times to expiry are differences of wall-clock times, ACT/365 (see
/// [`LocalTime::years_until`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LocalTime {
    /// The date.
    pub date: Date,
    /// Minutes after midnight, 0–1439.
    pub minute: u32,
}

impl LocalTime {
    /// The regular close, 16:00, of `date`.
    pub fn close(date: Date) -> Self {
        Self {
            date,
            minute: 16 * 60,
        }
    }

    /// The last 16:00 close on a weekday at or before this time. Exchange holidays are not
    /// known here: pass an explicit valuation time on a day after a holiday.
    pub fn last_weekday_close(&self) -> Self {
        let mut d = self.date.days_since_epoch();
        if self.minute < 16 * 60 {
            d -= 1;
        }
        while Date::from_days(d).weekday() >= 5 {
            d -= 1;
        }
        Self::close(Date::from_days(d))
    }

    /// ACT/365 years from `self` to `later` in wall-clock time: calendar days plus the
    /// difference of clock times, over 365. Daylight-saving shifts are not counted (one hour in
    /// a year, below the precision of any quote).
    pub fn years_until(&self, later: &LocalTime) -> f64 {
        let days = (later.date.days_since_epoch() - self.date.days_since_epoch()) as f64;
        let minutes = f64::from(later.minute) - f64::from(self.minute);
        (days + minutes / 1440.0) / 365.0
    }
}

/// When an expiring option settles on its expiration date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Settlement {
    /// Morning settlement on the opening prints (SPX monthlies): 09:30.
    Am,
    /// Settlement on the close: 16:00.
    Pm,
}

impl Settlement {
    /// Settlement time on the expiration date.
    pub fn time(self, date: Date) -> LocalTime {
        LocalTime {
            date,
            minute: match self {
                Settlement::Am => 9 * 60 + 30,
                Settlement::Pm => 16 * 60,
            },
        }
    }
}

/// One side (call or put) of a chain row.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SideQuote {
    /// Bid price.
    pub bid: f64,
    /// Ask price.
    pub ask: f64,
    /// Last sale.
    pub last: f64,
    /// Volume traded.
    pub volume: f64,
    /// Open interest.
    pub open_interest: f64,
    /// The vendor's implied vol (not used by the pipeline; for comparison).
    pub vendor_iv: f64,
}

/// One row of a chain: a strike of one expiry, with its call and put.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChainRow {
    /// Expiration date.
    pub expiry: Date,
    /// Option root (`SPX`, `SPXW`, `SPY`, …) from the call symbol.
    pub root: String,
    /// Settlement of the root.
    pub settlement: Settlement,
    /// Strike.
    pub strike: f64,
    /// The call.
    pub call: SideQuote,
    /// The put.
    pub put: SideQuote,
}

/// A data row the parser could not read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RejectedRow {
    /// 1-based line number in the file.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// A parsed option chain.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OptionChain {
    /// Underlying name from the first header row.
    pub underlying: String,
    /// Last price of the underlying from the first header row.
    pub spot: f64,
    /// Snapshot time from the second header row (exchange wall clock).
    pub snapshot: LocalTime,
    /// Rows in file order.
    pub rows: Vec<ChainRow>,
    /// Rows that could not be read (wrong column count, bad numbers or dates).
    pub rejected: Vec<RejectedRow>,
}

/// Roots whose standard options settle AM by default: SPX, NDX, RUT monthlies.
const AM_ROOTS: [&str; 3] = ["SPX", "NDX", "RUT"];

/// Splits one CSV line, honouring double quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    out.push(cur);
    out
}

fn month_number(name: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.to_ascii_lowercase();
    NAMES
        .iter()
        .position(|m| lower.starts_with(m))
        .map(|i| i as u32 + 1)
}

/// `Fri Jan 05 2024`.
fn parse_row_date(s: &str) -> Option<Date> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 4 {
        return None;
    }
    Date::new(
        parts[3].parse().ok()?,
        month_number(parts[1])?,
        parts[2].parse().ok()?,
    )
    .ok()
}

/// `Date: January 7, 2024 at 10:52 AM EST`.
fn parse_snapshot(s: &str) -> Option<LocalTime> {
    let s = s.trim().strip_prefix("Date:")?.trim();
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() < 6 {
        return None;
    }
    let month = month_number(parts[0])?;
    let day: u32 = parts[1].trim_end_matches(',').parse().ok()?;
    let year: i32 = parts[2].parse().ok()?;
    let (h, m) = parts[4].split_once(':')?;
    let (mut h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match parts[5] {
        "PM" if h < 12 => h += 12,
        "AM" if h == 12 => h = 0,
        "AM" | "PM" => {}
        _ => return None,
    }
    if h > 23 || m > 59 {
        return None;
    }
    Some(LocalTime {
        date: Date::new(year, month, day).ok()?,
        minute: h * 60 + m,
    })
}

fn header_value(field: &str, key: &str) -> Option<f64> {
    field
        .trim()
        .strip_prefix(key)?
        .trim()
        .replace(',', "")
        .parse()
        .ok()
}

fn parse_side(cells: &[String]) -> std::result::Result<SideQuote, String> {
    let num = |i: usize, name: &str| -> std::result::Result<f64, String> {
        let c = cells[i].trim();
        let v: f64 = c
            .parse()
            .map_err(|_| format!("{name} {c:?} is not a number"))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("{name} {c:?} is not finite"))
        }
    };
    Ok(SideQuote {
        last: num(0, "last sale")?,
        bid: num(2, "bid")?,
        ask: num(3, "ask")?,
        volume: num(4, "volume")?,
        vendor_iv: num(5, "IV")?,
        open_interest: num(8, "open interest")?,
    })
}

/// Parses a CBOE delayed-quote CSV export: a row with the underlying's name and `Last:`
/// price, a row with `Date: <Month> <d>, <yyyy> at <h:mm> <AM|PM> <TZ>`, the column header,
/// then one row per (expiry, strike) with the call's and the put's
/// symbol, last, net, bid, ask, volume, IV, delta, gamma and open interest around the strike.
///
/// Header problems are errors; a data row that cannot be read is kept in
/// [`OptionChain::rejected`] with the reason. Quotes that are real but unusable (zero bids,
/// crossed markets, expired dates) are kept: the pipeline filters them with a reason.
///
/// # Errors
/// [`SurfaceError::Parse`] for a missing or malformed header, [`SurfaceError::EmptyChain`]
/// if no data row can be read.
pub fn parse_cboe_csv(text: &str) -> Result<OptionChain> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .skip_while(|(_, l)| l.trim().is_empty());
    let perr = |line: usize, reason: &str| SurfaceError::Parse {
        line,
        reason: reason.to_string(),
    };
    let (n1, l1) = lines.next().ok_or(SurfaceError::EmptyChain)?;
    let h1 = split_csv(l1);
    let underlying = h1[0].trim().to_string();
    let spot = h1
        .iter()
        .find_map(|f| header_value(f, "Last:"))
        .filter(|s| *s > 0.0)
        .ok_or_else(|| perr(n1, "no positive 'Last:' price in the first header row"))?;
    let (n2, l2) = lines
        .next()
        .ok_or_else(|| perr(n1 + 1, "missing date row"))?;
    let snapshot = split_csv(l2)
        .first()
        .and_then(|f| parse_snapshot(f))
        .ok_or_else(|| perr(n2, "no 'Date: <Month> <d>, <yyyy> at <h:mm> <AM|PM>' field"))?;
    let (n3, l3) = lines
        .next()
        .ok_or_else(|| perr(n2 + 1, "missing column header"))?;
    let cols = split_csv(l3);
    if cols.len() != 22 || !cols[0].starts_with("Expiration") || cols[11].trim() != "Strike" {
        return Err(perr(n3, "column header is not the CBOE 22-column layout"));
    }
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_csv(line);
        let row = (|| -> std::result::Result<ChainRow, String> {
            if cells.len() != 22 {
                return Err(format!("{} columns, expected 22", cells.len()));
            }
            let expiry = parse_row_date(&cells[0])
                .ok_or_else(|| format!("expiration date {:?} unreadable", cells[0]))?;
            let root: String = cells[1]
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            if root.is_empty() {
                return Err(format!("call symbol {:?} has no root", cells[1]));
            }
            let strike: f64 = cells[11]
                .trim()
                .parse()
                .map_err(|_| format!("strike {:?} is not a number", cells[11]))?;
            if !(strike.is_finite() && strike > 0.0) {
                return Err(format!("strike {strike} is not positive"));
            }
            let settlement = if AM_ROOTS.contains(&root.as_str()) {
                Settlement::Am
            } else {
                Settlement::Pm
            };
            Ok(ChainRow {
                expiry,
                root,
                settlement,
                strike,
                call: parse_side(&cells[2..11])?,
                put: parse_side(&cells[13..22])?,
            })
        })();
        match row {
            Ok(r) => rows.push(r),
            Err(reason) => rejected.push(RejectedRow { line: n, reason }),
        }
    }
    if rows.is_empty() {
        return Err(SurfaceError::EmptyChain);
    }
    Ok(OptionChain {
        underlying,
        spot,
        snapshot,
        rows,
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_arithmetic() {
        let d = Date::new(2024, 1, 7).unwrap();
        assert_eq!(d.weekday(), 6);
        assert_eq!(Date::from_days(d.days_since_epoch()), d);
        assert_eq!(
            Date::new(2000, 3, 1).unwrap().days_since_epoch()
                - Date::new(2000, 2, 28).unwrap().days_since_epoch(),
            2
        );
        assert!(Date::new(2023, 2, 29).is_err());
        let snap = LocalTime {
            date: d,
            minute: 10 * 60 + 52,
        };
        let val = snap.last_weekday_close();
        assert_eq!(val, LocalTime::close(Date::new(2024, 1, 5).unwrap()));
        let exp = Settlement::Am.time(Date::new(2024, 1, 19).unwrap());
        assert!((val.years_until(&exp) * 365.0 - (14.0 - 6.5 / 24.0)).abs() < 1e-12);
        let before_close = LocalTime {
            date: Date::new(2025, 9, 3).unwrap(),
            minute: 9 * 60 + 24,
        };
        assert_eq!(
            before_close.last_weekday_close().date,
            Date::new(2025, 9, 2).unwrap()
        );
    }

    #[test]
    fn header_and_rows() {
        let text = "\nX INDEX,Last: 100.5,Change: 1\n\"Date: January 7, 2024 at 10:52 AM EST\",Bid: 1\nExpiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\nFri Jan 19 2024,SPX240119C00100000,1,0,2,3,0,0.2,0.5,0,7,100.00,SPX240119P00100000,1,0,2,3,0,0.2,-0.5,0,9\nFri Jan 19 2024,SPX240119C00105000,1,0,x,3,0,0.2,0.5,0,7,105.00,SPX240119P00105000,1,0,2,3,0,0.2,-0.5,0,9\nFri Jan 19 2024,short\n";
        let c = parse_cboe_csv(text).unwrap();
        assert_eq!(c.spot, 100.5);
        assert_eq!(c.snapshot.minute, 652);
        assert_eq!(c.rows.len(), 1);
        assert_eq!(c.rows[0].settlement, Settlement::Am);
        assert_eq!(c.rows[0].put.open_interest, 9.0);
        assert_eq!(c.rejected.len(), 2);
        assert!(c.rejected[0].reason.contains("bid"));
        assert!(matches!(parse_cboe_csv(""), Err(SurfaceError::EmptyChain)));
        assert!(matches!(
            parse_cboe_csv("X,Last: 1\nno date\n"),
            Err(SurfaceError::Parse { line: 2, .. })
        ));
        let header_only = text.lines().take(4).collect::<Vec<_>>().join("\n");
        assert!(matches!(
            parse_cboe_csv(&header_only),
            Err(SurfaceError::EmptyChain)
        ));
    }
}
