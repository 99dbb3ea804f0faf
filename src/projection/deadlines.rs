//! Deadlines as a calendar sees them: every ruling deadline of every commitment that
//! has a day, with the day it falls due, how precisely the source gave it, where the
//! commitment stands against it (its outcome), how often it was amended, and the event
//! that set it (its recording time and sources), within a window of days.
//!
//! Computed from the status (`status::CommitmentStatus::deadlines`, judged at the
//! view's date) and the events that set the deadlines; nothing is laid out here
//! (`report::deadlines` does). A deadline with no day — vague ("as soon as possible"),
//! or counting from an event not yet seen — cannot be put on a calendar and is left
//! out (the commitments report shows it). Pure.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::status::{CommitmentState, Progress, Schedule, TrackStatus};
use crate::date::{Milestone, PartialDate, Precision, Span};
use crate::event::{CommitmentId, Party, Record, Source, TrackId};

crate::names::closed_set! {
    /// Where a commitment stands against one of its deadlines.
    pub enum Outcome {
        /// Ahead, and not met yet.
        Due => "due",
        /// Met by the day.
        MetOnTime => "met_on_time" / "met on time",
        /// Met after the day.
        MetLate => "met_late" / "met late",
        /// Passed unmet.
        Missed => "missed",
        /// Met, but the dates' precision cannot tell whether in time.
        Undetermined => "undetermined",
        /// The commitment is suspended.
        Suspended => "suspended",
        /// The commitment was withdrawn.
        Withdrawn => "withdrawn",
        /// The commitment was replaced by another.
        Superseded => "superseded",
    }
}

/// The days a list of deadlines covers; `None` leaves that end open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// The first day.
    pub from: Option<NaiveDate>,
    /// The last day.
    pub to: Option<NaiveDate>,
}

impl Window {
    /// Every day, past and ahead.
    pub fn all() -> Window {
        Window::default()
    }

    fn holds(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| day >= from) && self.to.is_none_or(|to| day <= to)
    }
}

/// Per commitment, how many times the log revised its deadlines (less one) and when
/// it last did: the events that set one, and every amendment of those.
fn revisions(all: &[&Record]) -> BTreeMap<CommitmentId, (u32, Option<DateTime<Utc>>)> {
    use crate::event::payload::Payload;
    let mut setters: std::collections::HashMap<crate::event::EventId, CommitmentId> = Default::default();
    for r in all {
        let commitment = match &r.event.facts.payload {
            Payload::CommitmentMade(c) => &c.commitment,
            Payload::DeadlineAmended(d) => &d.commitment,
            _ => continue,
        };
        setters.insert(r.event.id, commitment.clone());
    }
    let mut out: BTreeMap<CommitmentId, (u32, Option<DateTime<Utc>>)> = BTreeMap::new();
    for r in all {
        let id = r.event.facts.payload.target().unwrap_or(r.event.id);
        let Some(commitment) = setters.get(&id) else { continue };
        let entry = out.entry(commitment.clone()).or_insert((0, None));
        entry.0 += 1;
        entry.1 = entry.1.max(Some(r.event.recorded_at));
    }
    for entry in out.values_mut() {
        entry.0 = entry.0.saturating_sub(1);
    }
    out
}

/// One deadline on a calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeadlineItem {
    /// The track of the commitment.
    pub track: TrackId,
    /// The commitment.
    pub commitment: CommitmentId,
    /// The milestone it is for.
    pub milestone: Milestone,
    /// The day it falls due: for a month or a year, its last day.
    pub due: NaiveDate,
    /// How precisely the source gave it: `day` for a day or a span of days or months.
    pub precision: Precision,
    /// The date as the source gave it, when it gave one (`by`).
    pub stated: Option<PartialDate>,
    /// The source's words, when it gave words.
    pub words: Option<String>,
    /// The date is the analyst's reading of the words.
    pub interpreted: bool,
    /// Where the commitment stands against it at the view's date.
    pub outcome: Outcome,
    /// The commitment's headline state.
    pub state: CommitmentState,
    /// What was undertaken.
    pub text: String,
    /// Who owes it.
    pub parties: Vec<Party>,
    /// The event that set this deadline.
    pub seq: u64,
    /// When that event was recorded (`None` when the view does not hold it); the
    /// report writes it as every recording time is written.
    #[serde(skip)]
    pub recorded_at: Option<DateTime<Utc>>,
    /// How many times the deadline of this milestone was amended before it.
    pub amendments: u32,
    /// How many times the log has revised the commitment's deadlines: every event that
    /// set one (its making, each `deadline_amended`, kept or since retracted) and every
    /// correction, retraction or dispute of those, less one. It only grows as the log
    /// does, which a calendar's `SEQUENCE` must.
    #[serde(skip)]
    pub revision: u32,
    /// When the latest of those was recorded.
    #[serde(skip)]
    pub revised_at: Option<DateTime<Utc>>,
    /// Every event behind the commitment's state, by seq.
    pub evidence: Vec<u64>,
    /// The sources of the event that set the deadline, as it stands.
    pub sources: Vec<Source>,
}

/// Every ruling deadline with a day in `window`, of the commitments of `tracks`, by
/// day, then track, commitment and milestone; `events` (the view's, as they stand)
/// give the recording time and sources of the event that set each.
/// `all` is every record the view knows, as recorded (amendments and what they
/// retracted included): what counts the revisions of each commitment's deadlines.
pub fn deadlines(tracks: &[TrackStatus], window: &Window, events: &[Record], all: &[&Record]) -> Vec<DeadlineItem> {
    let by_seq: BTreeMap<u64, &Record> = events.iter().map(|r| (r.seq, r)).collect();
    let revisions = revisions(all);
    let mut list = Vec::new();
    for t in tracks {
        for c in &t.commitments {
            for (i, d) in c.deadlines.iter().enumerate() {
                let Some(due) = d.due.filter(|due| d.rules && window.holds(*due)) else { continue };
                let amendments = c.deadlines[..i].iter().filter(|e| e.milestone == d.milestone).count();
                let stated = match d.deadline.span {
                    Some(Span::By(date)) => Some(date),
                    _ => None,
                };
                let outcome = match (c.progress, d.schedule) {
                    (Progress::Suspended, _) => Outcome::Suspended,
                    (Progress::Withdrawn, _) => Outcome::Withdrawn,
                    (Progress::Superseded, _) => Outcome::Superseded,
                    (_, Some(Schedule::MetOnTime)) => Outcome::MetOnTime,
                    (_, Some(Schedule::MetLate)) => Outcome::MetLate,
                    (_, Some(Schedule::Overdue)) => Outcome::Missed,
                    (_, Some(Schedule::Undetermined)) => Outcome::Undetermined,
                    (_, _) => Outcome::Due,
                };
                let setter = by_seq.get(&d.seq);
                list.push(DeadlineItem {
                    track: t.id.clone(),
                    commitment: c.id.clone(),
                    milestone: d.milestone,
                    due,
                    precision: stated.map_or(Precision::Day, |s| s.precision()),
                    stated,
                    words: d.deadline.words.clone(),
                    interpreted: d.deadline.interpreted,
                    outcome,
                    state: c.state,
                    text: c.text.clone(),
                    parties: c.parties.clone(),
                    seq: d.seq,
                    recorded_at: setter.map(|r| r.event.recorded_at),
                    amendments: u32::try_from(amendments).unwrap_or(u32::MAX),
                    revision: revisions.get(&c.id).map_or(0, |r| r.0),
                    revised_at: revisions.get(&c.id).and_then(|r| r.1),
                    evidence: c.evidence.clone(),
                    sources: setter.map(|r| r.event.facts.sources.clone()).unwrap_or_default(),
                });
            }
        }
    }
    list.sort_by(|a, b| {
        (a.due, a.track.as_str(), a.commitment.as_str(), a.milestone).cmp(&(
            b.due,
            b.track.as_str(),
            b.commitment.as_str(),
            b.milestone,
        ))
    });
    list
}

#[cfg(test)]
mod tests {
    //! Given events, when the deadlines are listed in a window, then each has its day,
    //! precision, outcome and amendments.

    use std::collections::BTreeSet;

    use super::*;
    use crate::env::Ids;
    use crate::event::{Event, Hash, parse_line};
    use crate::projection::View;
    use crate::projection::status::status;

    fn ev(kind: &str, occurred: &str, payload: &str) -> String {
        format!(
            r#"{{"kind":"{kind}","version":1,"tracks":["x-y"],"occurred":"{occurred}","payload":{payload},"sources":[{{"title":"S","url":"https://example.org/s"}}]}}"#
        )
    }

    /// The records of a track's opening and of `given`, seq 1 on.
    fn records(given: &[String]) -> Vec<Record> {
        let open = ev(
            "track_opened",
            "2000-01",
            r#"{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}"#,
        );
        let mut prev = Hash::GENESIS;
        std::iter::once(&open)
            .chain(given)
            .enumerate()
            .map(|(i, l)| {
                let seq = i as u64 + 1;
                let event = Event {
                    id: Ids::Seeded(1).event_id(seq),
                    recorded_at: chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(seq as i64),
                    recorded_by: "t".to_owned(),
                    facts: parse_line(l).expect("valid line").facts,
                };
                let r = Record::chain(seq, event, prev);
                prev = r.hash;
                r
            })
            .collect()
    }

    fn check(given: &[String], as_of: &str, window: Window) -> Vec<DeadlineItem> {
        let records = records(given);
        let view = View { as_of: as_of.parse().expect("day"), known_at: None, stall_days: 180 };
        deadlines(&status(&records, &BTreeSet::new(), &view), &window, &records, &records.iter().collect::<Vec<_>>())
    }

    fn made(id: &str, deadline: &str) -> String {
        ev(
            "commitment_made",
            "2000-02-01",
            &format!(r#"{{"commitment":"{id}","parties":["x"],"text":"T {id}"{deadline}}}"#),
        )
    }

    fn day(text: &str) -> Option<NaiveDate> {
        Some(text.parse().expect("day"))
    }

    #[test]
    fn a_month_falls_on_its_last_day_and_an_amendment_is_the_same_deadline_counted() {
        let amend = ev("deadline_amended", "2000-02-20", r#"{"commitment":"c","deadline":{"by":"2000-06"}}"#);
        let list = check(&[made("c", r#","deadline":{"by":"2000-03"}"#), amend], "2000-04-01", Window::all());
        assert_eq!(list.len(), 1, "{list:?}");
        let d = &list[0];
        assert_eq!(
            (d.due, d.precision, d.amendments, d.seq),
            (day("2000-06-30").expect("day"), Precision::Month, 1, 3)
        );
        assert_eq!(d.outcome, Outcome::Due);
        assert_eq!(d.recorded_at, Some(chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(3)));
        assert_eq!(d.sources[0].url.as_deref(), Some("https://example.org/s"));
    }

    #[test]
    fn outcomes_follow_the_schedule_and_the_progress() {
        let given = [
            made("late", r#","deadline":{"by":"2000-02-10"}"#),
            ev("commitment_fulfilled", "2000-02-20", r#"{"commitment":"late","summary":"S"}"#),
            made("missed", r#","deadline":{"within_days":5}"#),
            made("kept", r#","deadline":{"by":"2000-03-01"}"#),
            ev("commitment_fulfilled", "2000-02-15", r#"{"commitment":"kept","summary":"S"}"#),
            made("gone", r#","deadline":{"by":"2000-03-01"}"#),
            ev("commitment_withdrawn", "2000-02-15", r#"{"commitment":"gone","reason":"R"}"#),
        ];
        let list = check(&given, "2000-04-01", Window::all());
        let outcome = |id: &str| list.iter().find(|d| d.commitment.as_str() == id).map(|d| d.outcome);
        assert_eq!(outcome("late"), Some(Outcome::MetLate));
        assert_eq!(outcome("missed"), Some(Outcome::Missed));
        assert_eq!(outcome("kept"), Some(Outcome::MetOnTime));
        assert_eq!(outcome("gone"), Some(Outcome::Withdrawn));
        let days: Vec<NaiveDate> = list.iter().map(|d| d.due).collect();
        assert!(days.is_sorted(), "by day: {days:?}");
    }

    #[test]
    fn the_window_keeps_its_days_and_a_vague_deadline_is_left_out() {
        let given = [
            made("early", r#","deadline":{"by":"2000-02-10"}"#),
            made("late", r#","deadline":{"by":"2000-05-10"}"#),
            made("vague", r#","deadlines":[{"words":"as soon as possible"}]"#),
        ];
        let ahead = check(&given, "2000-03-01", Window { from: day("2000-03-01"), to: None });
        assert_eq!(ahead.iter().map(|d| d.commitment.as_str()).collect::<Vec<_>>(), ["late"]);
        let before = check(&given, "2000-03-01", Window { from: None, to: day("2000-05-09") });
        assert_eq!(before.iter().map(|d| d.commitment.as_str()).collect::<Vec<_>>(), ["early"]);
        assert_eq!(check(&given, "2000-03-01", Window::all()).len(), 2);
    }
}
