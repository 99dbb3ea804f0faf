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

    /// How precisely it is known: a day, a month, a year, or a range of those.
    pub fn precision(&self) -> Precision {
        match (self.start, self.end) {
            (_, Some(_)) => Precision::Range,
            (DatePoint::Day(_), None) => Precision::Day,
            (DatePoint::Month(..), None) => Precision::Month,
            (DatePoint::Year(_), None) => Precision::Year,
        }
    }
}

crate::names::closed_set! {
    /// How precisely a [`PartialDate`] is known; CSV writes it beside each date.
    pub enum Precision {
        /// One day (`2021-12-14`).
        Day => "day",
        /// A month (`2021-12`).
        Month => "month",
        /// A year (`2021`).
        Year => "year",
        /// A range of two such dates (`2020-11-09/2020-11-10`).
        Range => "range",
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

crate::names::closed_set! {
    /// Which step of a commitment a deadline is for.
    pub enum Milestone {
        /// The work must begin by then ("begin within a month"); met by the first step.
        Begin => "begin",
        /// The work must be complete by then; met by the fulfilment. The default.
        Complete => "complete",
    }
}

crate::names::closed_set! {
    /// Which point of another commitment a relative deadline counts from.
    pub enum AnchorPoint {
        /// Its first step (progress, partial fulfilment or fulfilment).
        Start => "start",
        /// Its fulfilment. The default.
        Fulfilment => "fulfilment",
    }
}

/// What a relative deadline counts from, when not from the event that sets it: another
/// commitment's start or fulfilment ("within 14 days of the ceasefire"), or a stage of
/// an instrument ("within 90 days of entry into force"). Resolved when that event is
/// recorded; until then the deadline is awaiting it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "AnchorWire")]
pub enum Anchor {
    /// `{"commitment": ID, "on": "start"|"fulfilment"}`.
    Commitment(crate::event::CommitmentId, AnchorPoint),
    /// `{"instrument": ID, "stage": STAGE}`.
    Instrument(crate::event::InstrumentId, crate::event::payload::Stage),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnchorWire {
    #[serde(default, deserialize_with = "present")]
    commitment: Option<crate::event::CommitmentId>,
    #[serde(default, deserialize_with = "present")]
    on: Option<AnchorPoint>,
    #[serde(default, deserialize_with = "present")]
    instrument: Option<crate::event::InstrumentId>,
    #[serde(default, deserialize_with = "present")]
    stage: Option<crate::event::payload::Stage>,
}

impl TryFrom<AnchorWire> for Anchor {
    type Error = String;

    fn try_from(w: AnchorWire) -> Result<Anchor, String> {
        match (w.commitment, w.on, w.instrument, w.stage) {
            (Some(c), on, None, None) => Ok(Anchor::Commitment(c, on.unwrap_or(AnchorPoint::Fulfilment))),
            (None, None, Some(i), Some(stage)) => Ok(Anchor::Instrument(i, stage)),
            (None, None, Some(_), None) => {
                Err("an anchor on an instrument names its `stage` (`in_force`, `signed`, …)".to_owned())
            }
            _ => Err("an anchor is {\"commitment\": ID} (with \"on\": \"start\" or \"fulfilment\") or \
                      {\"instrument\": ID, \"stage\": STAGE}"
                .to_owned()),
        }
    }
}

impl Serialize for Anchor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        match self {
            Anchor::Commitment(c, on) => {
                m.serialize_entry("commitment", c)?;
                if *on != AnchorPoint::Fulfilment {
                    m.serialize_entry("on", on)?;
                }
            }
            Anchor::Instrument(i, stage) => {
                m.serialize_entry("instrument", i)?;
                m.serialize_entry("stage", stage)?;
            }
        }
        m.end()
    }
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anchor::Commitment(c, AnchorPoint::Start) => write!(f, "the start of commitment {c}"),
            Anchor::Commitment(c, AnchorPoint::Fulfilment) => write!(f, "the fulfilment of commitment {c}"),
            Anchor::Instrument(i, stage) => write!(f, "instrument {i} reaching {}", stage.words()),
        }
    }
}

/// When a date falls: a day or month (`by`), or a span counted from a base day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Span {
    /// Due by the last day of this date.
    By(PartialDate),
    /// Due this many days after the base day.
    Days(u32),
    /// Due this many calendar months after the base day.
    Months(u32),
}

/// A deadline as the source wrote it: which milestone it is for (`begin`, or
/// `complete` by default), when it falls due — by a date, or within a span counted
/// from the event that sets it or from an [`Anchor`] — and the source's own words.
/// A deadline with words and no date is vague ("as soon as possible"); with words and
/// a date marked `interpreted`, the date is the analyst's reading of the words.
///
/// JSON: `{"by": "2022-04"}`, `{"within_days": 30}`, `{"within_months": 1}` (the forms
/// of version 1, written back byte for byte), and with any of `milestone`, `of`,
/// `words`, `interpreted` beside them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "DeadlineWire")]
pub struct Deadline {
    /// The milestone it is for; `None` means `complete`.
    pub milestone: Option<Milestone>,
    /// When it falls due, if a date or span was given.
    pub span: Option<Span>,
    /// What a span counts from, when not from the event that sets it.
    pub of: Option<Anchor>,
    /// The source's words ("as soon as possible", "before the winter").
    pub words: Option<String>,
    /// The date was read into the words by the analyst, not stated by the source.
    pub interpreted: bool,
}

impl Serialize for Deadline {
    /// The fields in one order, those not given left out: a version 1 deadline is
    /// written back as it was.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        if let Some(milestone) = &self.milestone {
            m.serialize_entry("milestone", milestone)?;
        }
        match &self.span {
            Some(Span::By(d)) => m.serialize_entry("by", d)?,
            Some(Span::Days(n)) => m.serialize_entry("within_days", n)?,
            Some(Span::Months(n)) => m.serialize_entry("within_months", n)?,
            None => {}
        }
        if let Some(of) = &self.of {
            m.serialize_entry("of", of)?;
        }
        if let Some(words) = &self.words {
            m.serialize_entry("words", words)?;
        }
        if self.interpreted {
            m.serialize_entry("interpreted", &true)?;
        }
        m.end()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineWire {
    #[serde(default, deserialize_with = "present")]
    milestone: Option<Milestone>,
    #[serde(default, deserialize_with = "present")]
    by: Option<PartialDate>,
    #[serde(default, deserialize_with = "present")]
    within_days: Option<u32>,
    #[serde(default, deserialize_with = "present")]
    within_months: Option<u32>,
    #[serde(default, deserialize_with = "present")]
    of: Option<Anchor>,
    #[serde(default, deserialize_with = "present")]
    words: Option<String>,
    #[serde(default)]
    interpreted: bool,
}

/// An optional field that, when written, must hold a value: `null` is refused with the
/// field's path (a missing field is `None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl TryFrom<DeadlineWire> for Deadline {
    type Error = String;

    fn try_from(w: DeadlineWire) -> Result<Deadline, String> {
        let span = match (w.by, w.within_days, w.within_months) {
            (Some(d), None, None) => Some(Span::By(d)),
            (None, Some(n), None) => Some(Span::Days(n)),
            (None, None, Some(n)) => Some(Span::Months(n)),
            (None, None, None) => None,
            _ => return Err("a deadline gives one of `by`, `within_days` and `within_months`, not several".to_owned()),
        };
        if span.is_none() && w.words.is_none() {
            return Err("a deadline gives `by`, `within_days` or `within_months`, or the source's `words` \
                        (\"as soon as possible\")"
                .to_owned());
        }
        if w.of.is_some() && !matches!(span, Some(Span::Days(_) | Span::Months(_))) {
            return Err("`of` says what a span counts from: give `within_days` or `within_months` with it".to_owned());
        }
        if w.interpreted && (w.words.is_none() || span.is_none()) {
            return Err("`interpreted` marks a date read into the source's `words`: give both".to_owned());
        }
        Ok(Deadline { milestone: w.milestone, span, of: w.of, words: w.words, interpreted: w.interpreted })
    }
}

/// The most days a `within_days` deadline may span: one hundred years.
pub const MAX_WITHIN_DAYS: u32 = 36_525;
/// The most months a `within_months` deadline may span: one hundred years.
pub const MAX_WITHIN_MONTHS: u32 = 1_200;

/// The last day a date or deadline may fall on: dates are written with four-digit years.
pub fn last_writable_day() -> NaiveDate {
    ymd(9999, 12, 31)
}

impl Span {
    /// The day it falls due, counted from `base`; `None` beyond chrono's calendar.
    pub fn due_from(self, base: NaiveDate) -> Option<NaiveDate> {
        match self {
            Span::By(date) => Some(date.last_day()),
            Span::Days(n) => base.checked_add_days(chrono::Days::new(u64::from(n))),
            Span::Months(n) => base.checked_add_months(Months::new(n)),
        }
    }
}

impl Deadline {
    /// A deadline of version 1's forms: `span` for the whole commitment, no words.
    pub fn plain(span: Span) -> Deadline {
        Deadline { milestone: None, span: Some(span), of: None, words: None, interpreted: false }
    }

    /// The milestone it is for (`complete` when not said).
    pub fn milestone(&self) -> Milestone {
        self.milestone.unwrap_or(Milestone::Complete)
    }

    /// The day it falls due when the event that sets it is dated `set` and its anchor
    /// (if it has one) fell on `anchor`: `None` when vague, when the anchor has not
    /// happened, or beyond the calendar chrono can count in.
    pub fn due_at(&self, set: &PartialDate, anchor: Option<NaiveDate>) -> Option<NaiveDate> {
        let span = self.span?;
        let base = match (&self.of, span) {
            (_, Span::By(_)) => set.last_day(),
            (None, _) => set.last_day(),
            (Some(_), _) => anchor?,
        };
        // A span counted from an anchor is checked only when the anchor is known: one
        // that would fall due after the last writable day never falls due.
        span.due_from(base).filter(|due| *due <= last_writable_day())
    }

    /// Why this deadline is out of range for an event dated `made`, naming the part
    /// of it (`within_days`) at fault; `None` when it is in range.
    pub fn out_of_range(&self, made: &PartialDate) -> Option<(&'static str, String)> {
        match self.span? {
            Span::Days(n) if n > MAX_WITHIN_DAYS => Some((
                "within_days",
                format!("{n} days is more than the {MAX_WITHIN_DAYS} (one hundred years) a deadline may span"),
            )),
            Span::Months(n) if n > MAX_WITHIN_MONTHS => Some((
                "within_months",
                format!("{n} months is more than the {MAX_WITHIN_MONTHS} (one hundred years) a deadline may span"),
            )),
            // An anchored span counts from an event not yet known; its range is checked above.
            _ if self.of.is_some() => None,
            span => match span.due_from(made.last_day()) {
                Some(due) if due <= last_writable_day() => None,
                _ => Some((
                    "",
                    format!("it would fall due after {}, the last day a date can be written", last_writable_day()),
                )),
            },
        }
    }

    /// The day a deadline that counts from its own event falls due before that event:
    /// `Some(due)` only for such a deadline (an anchored or vague one is never judged so).
    pub fn due_before(&self, made: &PartialDate) -> Option<NaiveDate> {
        if self.of.is_some() {
            return None;
        }
        self.due_at(made, None).filter(|due| *due < made.first_day())
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Span::By(d) => write!(f, "by {d}"),
            Span::Days(n) => write!(f, "within {n} day{}", plural(*n)),
            Span::Months(n) => write!(f, "within {n} month{}", plural(*n)),
        }
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = self.milestone {
            write!(f, "{}: ", m.words())?;
        }
        match (&self.words, self.span) {
            (Some(words), None) => return write!(f, "\"{words}\" (no date)"),
            (Some(words), Some(_)) => write!(f, "\"{words}\" ")?,
            (None, _) => {}
        }
        if let Some(span) = self.span {
            write!(f, "{span}")?;
        }
        if let Some(anchor) = &self.of {
            write!(f, " of {anchor}")?;
        }
        if self.interpreted {
            write!(f, " (the analyst's interpretation)")?;
        }
        Ok(())
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
        let days = |n| Deadline::plain(Span::Days(n));
        for deadline in [days(u32::MAX), Deadline::plain(Span::Months(u32::MAX)), days(1)] {
            let _ = deadline.due_at(&made, None);
            assert!(deadline.out_of_range(&made).is_some(), "{deadline}");
        }
        assert!(days(MAX_WITHIN_DAYS).out_of_range(&d("2022-04-06")).is_none());
        assert!(days(MAX_WITHIN_DAYS + 1).out_of_range(&d("2022-04-06")).is_some());
        assert!(Deadline::plain(Span::Months(MAX_WITHIN_MONTHS)).out_of_range(&d("2022-04-06")).is_none());
        assert!("0000".parse::<PartialDate>().unwrap_err().to_string().contains("no year 0000"));
        assert!("0001-01-01".parse::<PartialDate>().is_ok());
    }

    #[test]
    fn a_deadline_by_month_means_its_last_day() {
        let made = d("2022-04-06");
        let due = |span| Deadline::plain(span).due_at(&made, None);
        assert_eq!(due(Span::By(d("2022-04"))), Some(ymd(2022, 4, 30)));
        assert_eq!(due(Span::Months(1)), Some(ymd(2022, 5, 6)));
        assert_eq!(due(Span::Days(30)), Some(ymd(2022, 5, 6)));
    }

    fn deadline(json: &str) -> Result<Deadline, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn version_one_deadlines_are_written_back_byte_for_byte() {
        for json in [r#"{"by":"2022-04"}"#, r#"{"within_days":14}"#, r#"{"within_months":1}"#] {
            assert_eq!(serde_json::to_string(&deadline(json).unwrap()).unwrap(), json);
        }
        let rich = r#"{"milestone":"begin","within_days":2,"of":{"instrument":"minsk","stage":"in_force"},"words":"no later than the second day"}"#;
        assert_eq!(serde_json::to_string(&deadline(rich).unwrap()).unwrap(), rich);
        let start = r#"{"within_months":2,"of":{"commitment":"c","on":"start"}}"#;
        assert_eq!(serde_json::to_string(&deadline(start).unwrap()).unwrap(), start);
    }

    #[test]
    fn a_deadline_says_what_is_wrong_with_its_form() {
        assert!(deadline(r#"{"by":"2022","within_days":3}"#).unwrap_err().contains("not several"));
        assert!(deadline(r#"{}"#).unwrap_err().contains("words"));
        assert!(deadline(r#"{"by":"2022","of":{"commitment":"c"}}"#).unwrap_err().contains("within_days"));
        assert!(deadline(r#"{"words":"soon","interpreted":true}"#).unwrap_err().contains("give both"));
        assert!(deadline(r#"{"within_days":3,"of":{"instrument":"i"}}"#).unwrap_err().contains("stage"));
        assert!(deadline(r#"{"when":"2022"}"#).is_err());
    }

    #[test]
    fn an_anchored_deadline_falls_due_from_its_anchor_and_a_vague_one_never() {
        let made = d("2015-02-12");
        let anchored = deadline(r#"{"within_days":14,"of":{"commitment":"ceasefire"}}"#).unwrap();
        assert_eq!(anchored.due_at(&made, None), None);
        assert_eq!(anchored.due_at(&made, Some(ymd(2015, 2, 15))), Some(ymd(2015, 3, 1)));
        let vague = deadline(r#"{"words":"as soon as possible"}"#).unwrap();
        assert_eq!(vague.due_at(&made, Some(ymd(2015, 2, 15))), None);
        assert_eq!(vague.to_string(), "\"as soon as possible\" (no date)");
        let read = deadline(r#"{"words":"before the winter","by":"2015-11","interpreted":true}"#).unwrap();
        assert_eq!(read.due_at(&made, None), Some(ymd(2015, 11, 30)));
        assert_eq!(read.to_string(), "\"before the winter\" by 2015-11 (the analyst's interpretation)");
    }
}
