//! The explain projection: what stands behind a derived state — the track, principle,
//! commitment, condition or instrument a reference names in a status, the seqs of the events behind it, how
//! each relates to a commitment, and each of those events as it stands.
//!
//! It finds and amends; reading the events named from the log is the caller's (only
//! those are read), and wording the state is `report::explain`'s.

use crate::event::correct::amend;
use crate::event::{Kind, Record};

use super::status::{CommitmentStatus, ConditionStatus, InstrumentStatus, PrincipleStatus, Related, TrackStatus};

/// What `explain` is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject<'a> {
    /// A track: its stage.
    Track(&'a TrackStatus),
    /// A principle (`PROPOSAL#N`): its state.
    Principle(&'a PrincipleStatus),
    /// A commitment: its state and due day.
    Commitment(&'a CommitmentStatus),
    /// A condition: its state, and whether it blocks its subject.
    Condition(&'a ConditionStatus),
    /// An instrument: its derived stage and every event on it.
    Instrument(&'a InstrumentStatus),
}

/// The kinds an `explain` reference may name before its id (`instrument:jcpoa`).
const KINDS: [&str; 5] = ["track", "principle", "commitment", "instrument", "condition"];

impl<'a> Subject<'a> {
    /// The track, principle, commitment, instrument or condition `reference` names in
    /// `tracks`. An id may be given its kind (`track:`, `principle:`, `commitment:`,
    /// `instrument:`, `condition:`) to tell apart things that share it; without one,
    /// tracks come first, then principles, commitments, instruments and conditions.
    pub fn find(tracks: &'a [TrackStatus], reference: &str) -> Option<Subject<'a>> {
        let (kind, id) = match reference.split_once(':') {
            Some((kind, id)) if KINDS.contains(&kind) => (Some(kind), id),
            _ => (None, reference),
        };
        let wants = |k: &str| kind.is_none_or(|kind| kind == k);
        let found = tracks.iter().find_map(|t| {
            if wants("track") && t.id.as_str() == id {
                return Some(Subject::Track(t));
            }
            if wants("principle")
                && let Some(p) = t.principles.iter().find(|p| p.id.to_string() == id)
            {
                return Some(Subject::Principle(p));
            }
            if wants("commitment")
                && let Some(c) = t.commitments.iter().find(|c| c.id.as_str() == id)
            {
                return Some(Subject::Commitment(c));
            }
            let instrument = t.instruments.iter().find(|i| i.id.as_str() == id);
            instrument.filter(|_| wants("instrument")).map(Subject::Instrument)
        });
        found.or_else(|| {
            let condition = tracks.iter().flat_map(|t| &t.conditions).find(|c| c.id.as_str() == id);
            condition.filter(|_| wants("condition")).map(Subject::Condition)
        })
    }

    /// The seqs of the events behind its state, in world order: for a track, each
    /// event that moved its stage.
    pub fn seqs(&self) -> Vec<u64> {
        match self {
            Subject::Track(t) => {
                let mut seqs: Vec<u64> = t.stage_history.iter().map(|m| m.at.seq).collect();
                seqs.dedup();
                seqs
            }
            Subject::Principle(p) => p.evidence.clone(),
            Subject::Commitment(c) => c.evidence.clone(),
            Subject::Condition(c) => c.evidence.clone(),
            Subject::Instrument(i) => i.evidence.clone(),
        }
    }

    /// How the event `seq` relates to the subject, each way it does (an event may
    /// reaffirm a commitment and start the clock of one of its deadlines): for a
    /// commitment, from its status's relations; nothing for a track or a principle,
    /// whose evidence is one kind of thing.
    pub fn relations(&self, seq: u64) -> Vec<&'a Related> {
        match self {
            Subject::Commitment(c) => c.relations.iter().filter(|r| r.seq == seq).collect(),
            Subject::Track(_) | Subject::Principle(_) | Subject::Condition(_) | Subject::Instrument(_) => Vec::new(),
        }
    }
}

/// One event behind a subject, as it stands.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The event, corrections applied.
    pub record: Record,
    /// A source disputes it.
    pub disputed: bool,
    /// It was corrected since first recorded.
    pub corrected: bool,
}

impl Evidence {
    /// `record` with `amendments` (those the view knows) applied; `None` when retracted.
    pub fn of(record: &Record, amendments: &[Record]) -> Option<Evidence> {
        let corrected = amendments.iter().any(|a| a.event.facts.kind() == Kind::EventCorrected);
        amend(record, amendments).map(|(record, disputed)| Evidence {
            record: record.into_owned(),
            disputed,
            corrected,
        })
    }
}
