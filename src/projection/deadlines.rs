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
    /// Every event behind the commitment's state, by seq.
    pub evidence: Vec<u64>,
    /// The sources of the event that set the deadline, as it stands.
    pub sources: Vec<Source>,
}

/// Every ruling deadline with a day in `window`, of the commitments of `tracks`, by
/// day, then track, commitment and milestone; `events` (the view's, as they stand)
/// give the recording time and sources of the event that set each.
pub fn deadlines(tracks: &[TrackStatus], window: &Window, events: &[Record]) -> Vec<DeadlineItem> {
    let by_seq: BTreeMap<u64, &Record> = events.iter().map(|r| (r.seq, r)).collect();
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
