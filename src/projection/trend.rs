//! State over time: for each track and day of a series, its stage and how many of its
//! commitments and principles stand in each state — the series a chart or a
//! spreadsheet draws. Counted from one status per day; `app::status::over_time` judges
//! them all from one fold (the snapshot's), so a series of any length costs one read
//! of the log at most.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::status::{CommitmentState, PrincipleState, Stage, TrackStatus};
use crate::event::TrackId;

crate::names::closed_set! {
    /// How far apart the days of a series are.
    pub enum Every {
        /// The last day of each month.
        Month => "month",
        /// The last day of each quarter.
        Quarter => "quarter",
        /// The last day of each year.
        Year => "year",
    }
}

impl Every {
    fn months(self) -> u32 {
        match self {
            Every::Month => 1,
            Every::Quarter => 3,
            Every::Year => 12,
        }
    }
}

/// The days of a series from `from` to `to`: the last day of each period (month,
/// quarter, year) ending on or after `from` and before `to`, then `to` itself.
/// Empty when `to` is before `from`.
pub fn days(from: NaiveDate, to: NaiveDate, every: Every) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    if to < from {
        return out;
    }
    let months = every.months();
    // The first day of the period `from` falls in (periods align to the year).
    let start_month = (from.month0() / months) * months + 1;
    let mut period = NaiveDate::from_ymd_opt(from.year(), start_month, 1);
    while let Some(first) = period {
        let Some(next) = first.checked_add_months(Months::new(months)) else { break };
        let Some(end) = next.pred_opt() else { break };
        if end >= to {
            break;
        }
        out.push(end);
        period = Some(next);
    }
    out.push(to);
    out
}

/// One track on one day of a series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Point {
    /// The day it is judged as of.
    pub day: NaiveDate,
    /// The track.
    pub track: TrackId,
    /// Its stage that day.
    pub stage: Stage,
    /// How many of its commitments stand in each headline state (states with none
    /// left out).
    pub commitments: BTreeMap<CommitmentState, u32>,
    /// How many of its principles stand in each state (states with none left out).
    pub principles: BTreeMap<PrincipleState, u32>,
}

/// The points of a series: `series[i]` is the status of every track as of `days[i]`.
/// A track appears from the first day it is open, in the order of days, then tracks.
pub fn points(days: &[NaiveDate], series: &[Vec<TrackStatus>]) -> Vec<Point> {
    let mut out = Vec::new();
    for (day, tracks) in days.iter().zip(series) {
        for t in tracks {
            let mut commitments = BTreeMap::new();
            for c in &t.commitments {
                *commitments.entry(c.state).or_insert(0) += 1;
            }
            let mut principles = BTreeMap::new();
            for p in &t.principles {
                *principles.entry(p.state).or_insert(0) += 1;
            }
            out.push(Point { day: *day, track: t.id.clone(), stage: t.stage, commitments, principles });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("day")
    }

    #[test]
    fn given_a_span_when_monthly_then_each_month_end_and_the_last_day() {
        assert_eq!(
            days(day("2023-01-15"), day("2023-04-10"), Every::Month),
            [day("2023-01-31"), day("2023-02-28"), day("2023-03-31"), day("2023-04-10")]
        );
    }

    #[test]
    fn given_a_span_ending_on_a_period_end_when_quarterly_then_that_end_once() {
        assert_eq!(days(day("2023-02-01"), day("2023-06-30"), Every::Quarter), [day("2023-03-31"), day("2023-06-30")]);
    }

    #[test]
    fn given_ten_years_when_monthly_then_one_hundred_and_twenty_points() {
        assert_eq!(days(day("2016-01-01"), day("2025-12-31"), Every::Month).len(), 120);
    }

    #[test]
    fn given_the_end_before_the_start_then_no_day() {
        assert!(days(day("2023-02-01"), day("2023-01-01"), Every::Year).is_empty());
    }

    #[test]
    fn given_the_last_representable_year_then_the_series_stops_there() {
        assert_eq!(days(day("9999-11-15"), day("9999-12-31"), Every::Month), [day("9999-11-30"), day("9999-12-31")]);
    }
}
