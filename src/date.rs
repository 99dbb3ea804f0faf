//! Dates at their own precision: a year, a month, a day, or a range of those.
//!
//! A fact is dated as precisely as the evidence allows and no more: the envoys were
//! appointed "in December 2021", so that event is dated `2021-12`, never `2021-12-01`.
//! Every [`PartialDate`] is an interval of days (`first_day ..= last_day`); ordering
//! uses the start of that interval. This module does not know about the clock.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One end of a [`PartialDate`]: a year, a month or a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatePoint {
    /// A whole year, written `2021`.
    Year(i32),
    /// A whole month, written `2021-12`.
    Month(i32, u32),
    /// One day, written `2021-12-14`.
    Day(NaiveDate),
}

/// A date at its own precision, or a range of two such dates (`2020-11-09/2020-11-10`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    start: DatePoint,
    end: Option<DatePoint>,
}

/// Why a text is not a [`PartialDate`]; the message says what form is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a date: {reason} (write YYYY, YYYY-MM, YYYY-MM-DD, or two of those as FROM/TO)")]
pub struct DateError {
    text: String,
    reason: String,
}

impl DatePoint {
    /// The first day this point covers.
    pub fn first_day(self) -> NaiveDate {
        match self {
            DatePoint::Year(y) => ymd(y, 1, 1),
            DatePoint::Month(y, m) => ymd(y, m, 1),
            DatePoint::Day(d) => d,
        }
    }

    /// The last day this point covers: a month means its last day, a year 31 December.
    pub fn last_day(self) -> NaiveDate {
        match self {
            DatePoint::Year(y) => ymd(y, 12, 31),
            DatePoint::Month(y, m) => ymd(y, m, 1) + Months::new(1) - chrono::Days::new(1),
            DatePoint::Day(d) => d,
        }
    }

    fn parse(text: &str) -> Result<DatePoint, String> {
        let parts: Vec<&str> = text.split('-').collect();
        let number = |s: &str, digits: usize, what: &str| -> Result<u32, String> {
            if s.len() != digits || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("the {what} must be {digits} digits"));
            }
            s.parse::<u32>().map_err(|e| e.to_string())
        };
        let year = number(parts[0], 4, "year")? as i32;
        if year == 0 {
            return Err("there is no year 0000; years run from 0001 to 9999".to_owned());
        }
        let month = match parts.get(1) {
            None => return Ok(DatePoint::Year(year)),
            Some(m) => number(m, 2, "month")?,
        };
        if !(1..=12).contains(&month) {
            return Err(format!("there is no month {month}"));
        }
        let day = match parts.get(2) {
            None => return Ok(DatePoint::Month(year, month)),
            Some(d) => number(d, 2, "day")?,
        };
        if parts.len() > 3 {
            return Err("too many parts".to_owned());
        }
        NaiveDate::from_ymd_opt(year, month, day).map(DatePoint::Day).ok_or_else(|| {
            let last = DatePoint::Month(year, month).last_day().day();
            format!("{year}-{month:02} has {last} days")
        })
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Callers only pass parsed, range-checked parts; the fallback keeps this total.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl fmt::Display for DatePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatePoint::Year(y) => write!(f, "{y:04}"),
            DatePoint::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            DatePoint::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl PartialDate {
    /// A single day.
    pub fn day(date: NaiveDate) -> PartialDate {
        PartialDate { start: DatePoint::Day(date), end: None }
    }

    /// The first day of the interval; events are ordered by it.
    pub fn first_day(&self) -> NaiveDate {
        self.start.first_day()
    }

    /// The last day of the interval.
    pub fn last_day(&self) -> NaiveDate {
        self.end.unwrap_or(self.start).last_day()
    }
}

impl FromStr for PartialDate {
    type Err = DateError;

    fn from_str(text: &str) -> Result<PartialDate, DateError> {
        let fail = |reason: String| DateError { text: text.to_owned(), reason };
        let (start, end) = match text.split_once('/') {
            None => (DatePoint::parse(text).map_err(fail)?, None),
            Some((a, b)) => {
                let start = DatePoint::parse(a).map_err(fail)?;
                let end = DatePoint::parse(b).map_err(fail)?;
                if end.last_day() < start.first_day() {
                    return Err(fail("the range ends before it starts".to_owned()));
                }
                (start, Some(end))
            }
        };
        Ok(PartialDate { start, end })
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            None => write!(f, "{}", self.start),
            Some(end) => write!(f, "{}/{}", self.start, end),
        }
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartialDate {
    /// By the first day of the interval, then by its last day.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.first_day(), self.last_day()).cmp(&(other.first_day(), other.last_day()))
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PartialDate, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// When a commitment falls due: by a date (a month means its last day) or within a
/// span counted from the last day of the event that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Deadline {
    /// `{"by": "2022-04"}`: due by the last day of the date.
    By(PartialDate),
    /// `{"within_days": 30}`: due this many days after the event.
    WithinDays(u32),
    /// `{"within_months": 1}`: due this many calendar months after the event.
    WithinMonths(u32),
}

/// The most days a `within_days` deadline may span: one hundred years.
pub const MAX_WITHIN_DAYS: u32 = 36_525;
/// The most months a `within_months` deadline may span: one hundred years.
pub const MAX_WITHIN_MONTHS: u32 = 1_200;

/// The last day a date or deadline may fall on: dates are written with four-digit years.
pub fn last_writable_day() -> NaiveDate {
    ymd(9999, 12, 31)
}

impl Deadline {
    /// The day the commitment falls due, for a commitment made on `made`; `None` when
    /// that is beyond the calendar chrono can count in.
    pub fn checked_due(&self, made: &PartialDate) -> Option<NaiveDate> {
        let base = made.last_day();
        match *self {
            Deadline::By(date) => Some(date.last_day()),
            Deadline::WithinDays(n) => base.checked_add_days(chrono::Days::new(u64::from(n))),
            Deadline::WithinMonths(n) => base.checked_add_months(Months::new(n)),
        }
    }

    /// The day the commitment falls due, for a commitment made on `made`. New events
    /// are refused a deadline beyond [`last_writable_day`] (see `event::validate`); a
    /// deadline beyond the calendar, which only an older log can hold, never falls due.
    pub fn due(&self, made: &PartialDate) -> NaiveDate {
        self.checked_due(made).unwrap_or(NaiveDate::MAX)
    }

    /// Why this deadline is out of range for an event dated `made`, naming the part
    /// of it (`within_days`) at fault; `None` when it is in range.
    pub fn out_of_range(&self, made: &PartialDate) -> Option<(&'static str, String)> {
        match *self {
            Deadline::WithinDays(n) if n > MAX_WITHIN_DAYS => Some((
                "within_days",
                format!("{n} days is more than the {MAX_WITHIN_DAYS} (one hundred years) a deadline may span"),
            )),
            Deadline::WithinMonths(n) if n > MAX_WITHIN_MONTHS => Some((
                "within_months",
                format!("{n} months is more than the {MAX_WITHIN_MONTHS} (one hundred years) a deadline may span"),
            )),
            _ => match self.checked_due(made) {
                Some(due) if due <= last_writable_day() => None,
                _ => Some((
                    "",
                    format!("it would fall due after {}, the last day a date can be written", last_writable_day()),
                )),
            },
        }
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deadline::By(d) => write!(f, "by {d}"),
            Deadline::WithinDays(n) => write!(f, "within {n} day{}", plural(*n)),
            Deadline::WithinMonths(n) => write!(f, "within {n} month{}", plural(*n)),
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_precision_round_trips_as_written() {
        for text in ["2021", "2021-12", "2021-12-14", "2020-11-09/2020-11-10", "2021-12/2022"] {
            assert_eq!(d(text).to_string(), text);
        }
    }

    #[test]
    fn a_month_is_the_interval_of_its_days() {
        assert_eq!(d("2022-02").first_day(), ymd(2022, 2, 1));
        assert_eq!(d("2022-02").last_day(), ymd(2022, 2, 28));
        assert_eq!(d("2024-02").last_day(), ymd(2024, 2, 29));
        assert_eq!(d("2021").last_day(), ymd(2021, 12, 31));
    }

    #[test]
    fn impossible_dates_say_why() {
        let err = "2022-02-30".parse::<PartialDate>().unwrap_err().to_string();
        assert!(err.contains("2022-02 has 28 days"), "{err}");
        let err = "2022-13".parse::<PartialDate>().unwrap_err().to_string();
        assert!(err.contains("no month 13"), "{err}");
        let err = "22-01-01".parse::<PartialDate>().unwrap_err().to_string();
        assert!(err.contains("year must be 4 digits"), "{err}");
        let err = "2022-04-06/2022-04-01".parse::<PartialDate>().unwrap_err().to_string();
        assert!(err.contains("ends before it starts"), "{err}");
        assert!("6 April 2022".parse::<PartialDate>().is_err());
        assert!("".parse::<PartialDate>().is_err());
    }

    #[test]
    fn ordering_is_by_interval_start() {
        let mut dates = [d("2022-01-14"), d("2021-12"), d("2022"), d("2021-12-14")];
        dates.sort();
        let shown: Vec<String> = dates.iter().map(|x| x.to_string()).collect();
        assert_eq!(shown, ["2021-12", "2021-12-14", "2022", "2022-01-14"]);
    }

    #[test]
    fn deadlines_at_the_edge_of_the_calendar_never_panic() {
        let made = d("9999-12");
        for deadline in [Deadline::WithinDays(u32::MAX), Deadline::WithinMonths(u32::MAX), Deadline::WithinDays(1)] {
            let _ = deadline.due(&made);
            assert!(deadline.out_of_range(&made).is_some(), "{deadline}");
        }
        assert!(Deadline::WithinDays(MAX_WITHIN_DAYS).out_of_range(&d("2022-04-06")).is_none());
        assert!(Deadline::WithinDays(MAX_WITHIN_DAYS + 1).out_of_range(&d("2022-04-06")).is_some());
        assert!(Deadline::WithinMonths(MAX_WITHIN_MONTHS).out_of_range(&d("2022-04-06")).is_none());
        assert!("0000".parse::<PartialDate>().unwrap_err().to_string().contains("no year 0000"));
        assert!("0001-01-01".parse::<PartialDate>().is_ok());
    }

    #[test]
    fn a_deadline_by_month_means_its_last_day() {
        let made = d("2022-04-06");
        assert_eq!(Deadline::By(d("2022-04")).due(&made), ymd(2022, 4, 30));
        assert_eq!(Deadline::WithinMonths(1).due(&made), ymd(2022, 5, 6));
        assert_eq!(Deadline::WithinDays(30).due(&made), ymd(2022, 5, 6));
    }
}
