//! The audit projection: what a reviewer reads about how the log was built — who
//! recorded how many events and when, every correction, retraction, dispute and
//! corroboration (each in its own list: adding a source is not correcting), every
//! unsourced event, and every event dated before its track was opened on purpose — over the whole log (views do not apply: it is about the
//! recording, not the world), or over what was recorded since a time.
//!
//! Streamed: push every record in log order; only the entries are held, never the
//! log. Laying it out is `report::audit`'s job.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::event::payload::Payload;
use crate::event::{Event, EventId, Record};
use crate::text;

/// One recorder: who, how many events, and the first and last recording time.
#[derive(Clone, Debug)]
pub struct Recorder {
    /// The name, as first recorded (names that differ only in how accents are encoded
    /// are one recorder).
    pub name: String,
    /// How many events they recorded.
    pub events: u64,
    /// When they recorded their first.
    pub first: DateTime<Utc>,
    /// When they recorded their last.
    pub last: DateTime<Utc>,
}

/// One event the reviewer is shown.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its seq.
    pub seq: u64,
    /// The event, as recorded.
    pub event: Event,
    /// The seq of the event it corrects, retracts, disputes or corroborates, when the
    /// log holds it.
    pub target: Option<u64>,
}

/// The audit of the records pushed so far.
#[derive(Clone, Debug)]
pub struct Audit {
    /// Only what was recorded from then on counts (`None`: everything).
    pub since: Option<DateTime<Utc>>,
    /// How many records counted.
    pub events: u64,
    /// Who recorded them, in order of first appearance.
    pub recorders: Vec<Recorder>,
    /// Every correction, in log order.
    pub corrections: Vec<Entry>,
    /// Every retraction, in log order.
    pub retractions: Vec<Entry>,
    /// Every dispute, in log order.
    pub disputes: Vec<Entry>,
    /// Every corroboration, in log order.
    pub corroborations: Vec<Entry>,
    /// Every event recorded as unsourced, in log order.
    pub unsourced: Vec<Entry>,
    /// Every event recorded as dated before its track was opened, on purpose
    /// (`before_opening`), in log order.
    pub before_opening: Vec<Entry>,
}

impl Audit {
    /// An empty audit of what was recorded since `since` (everything when `None`).
    pub fn new(since: Option<DateTime<Utc>>) -> Audit {
        Audit {
            since,
            events: 0,
            recorders: Vec::new(),
            corrections: Vec::new(),
            retractions: Vec::new(),
            disputes: Vec::new(),
            corroborations: Vec::new(),
            unsourced: Vec::new(),
            before_opening: Vec::new(),
        }
    }

    /// The audit of `records` (all of a log, in log order), each amendment's target
    /// found among them.
    pub fn of(records: &[&Record], since: Option<DateTime<Utc>>) -> Audit {
        let seq_of: HashMap<EventId, u64> = records.iter().map(|r| (r.event.id, r.seq)).collect();
        let mut audit = Audit::new(since);
        for r in records {
            audit.push(r, r.event.facts.payload.target().and_then(|t| seq_of.get(&t).copied()));
        }
        audit
    }

    /// Takes one record into account; `target_seq` is the seq of the event it
    /// corrects, retracts, disputes or corroborates, if it does.
    pub fn push(&mut self, r: &Record, target_seq: Option<u64>) {
        if self.since.is_some_and(|s| r.event.recorded_at < s) {
            return;
        }
        self.events += 1;
        let at = r.event.recorded_at;
        let by = text::same(&r.event.recorded_by);
        match self.recorders.iter_mut().find(|x| text::same(&x.name) == by) {
            Some(x) => {
                x.events += 1;
                x.last = at;
            }
            None => self.recorders.push(Recorder { name: r.event.recorded_by.clone(), events: 1, first: at, last: at }),
        }
        if r.event.facts.before_opening {
            self.before_opening.push(Entry { seq: r.seq, event: r.event.clone(), target: None });
        }
        let list = match r.event.facts.payload {
            Payload::EventCorrected(_) => &mut self.corrections,
            Payload::EventRetracted(_) => &mut self.retractions,
            Payload::EventDisputed(_) => &mut self.disputes,
            Payload::EventCorroborated(_) => &mut self.corroborations,
            _ if r.event.facts.unsourced => &mut self.unsourced,
            _ => return,
        };
        list.push(Entry { seq: r.seq, event: r.event.clone(), target: target_seq });
    }
}
