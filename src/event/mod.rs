//! The event contract: the envelope every event carries, its canonical encoding, and the
//! hash chain over it.
//!
//! Plain data and pure functions only: no SQLite, no clock, no I/O. The log (`store`)
//! stamps `seq`, `recorded_at` and the hashes; this module says what they mean.

pub mod chain;
pub mod codes;
pub mod correct;
pub mod ids;
pub mod payload;
mod validate;
mod wire;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::date::PartialDate;
pub use chain::{ChainBreak, ChainCursor};
pub use ids::{
    CommissionId, CommitmentId, ConditionId, EventId, InstrumentId, OccasionId, Party, PrincipleRef, ProposalId,
    TrackId,
};
pub use payload::{Kind, Payload};
pub use validate::{Hint, InstrumentFacts, Known, Name, Turn, article_ref, validate};
pub use wire::{
    BodyTemplate, CanonicalHead, FieldError, Incoming, Line, canonical_head, check_incoming, format_recorded_at,
    parse_line, parse_recording_time, recording_time_range,
};

/// Where a fact was reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Title of the article, statement or document.
    pub title: String,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Who published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Where to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was published, at its own precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PartialDate>,
    /// Where in the source (`footnote 10`, `p. 4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
}

/// Codes for interchange with event-data tools (CAMEO, PLOVER).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codes {
    /// A CAMEO event code (`036`, `057`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cameo: Option<String>,
    /// A PLOVER event type (`CONSULT`, `AGREE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plover: Option<String>,
}

/// What an event says it bears on, beyond its own payload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    /// Principles this event addresses.
    pub addresses: Vec<PrincipleRef>,
    /// Commitments this event advances (a step, not the whole).
    pub advances: Vec<CommitmentId>,
    /// Commitments this event fulfils.
    pub fulfils: Vec<CommitmentId>,
    /// Commitments this event fulfils in part.
    pub partially_fulfils: Vec<CommitmentId>,
    /// Commitments this event reaffirms (evidence of intent, not progress).
    pub reaffirms: Vec<CommitmentId>,
    /// Earlier events this one follows up.
    pub follows: Vec<EventId>,
}

crate::names::closed_set! {
    /// How far the recorder vouches for an event.
    pub enum Confidence {
        /// Confirmed by the parties concerned (a joint statement, both readouts).
        Confirmed => "confirmed",
        /// Reported by one side or one outlet only.
        Reported => "reported",
        /// Not verified: a rumour, an anonymous source.
        Unverified => "unverified",
    }
}

/// Whose account an event is, and how far it is confirmed. Both optional: an event
/// that says neither makes no claim either way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Confirmed, reported or unverified.
    pub confidence: Option<Confidence>,
    /// The party whose account this is (its readout, its ministry's statement).
    pub attribution: Option<Party>,
}

impl Account {
    /// True when the event rests on one side's account or on an unverified one.
    pub fn one_sided(&self) -> bool {
        match self.confidence {
            Some(Confidence::Confirmed) => false,
            Some(Confidence::Reported | Confidence::Unverified) => true,
            None => self.attribution.is_some(),
        }
    }

    /// True when the event is marked unverified.
    pub fn unverified(&self) -> bool {
        self.confidence == Some(Confidence::Unverified)
    }
}

/// The facts of an event: everything a caller states, nothing the log stamps.
///
/// Two submissions with the same id are the same event exactly when their facts are
/// equal; that is what makes a retry idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Schema version of the payload.
    pub version: u32,
    /// The tracks the event belongs to (one or more).
    pub tracks: Vec<TrackId>,
    /// When it happened in the world, at its own precision.
    pub occurred: PartialDate,
    /// Where it was reported.
    pub sources: Vec<Source>,
    /// The recorder vouches for it without a source; reports show this.
    pub unsourced: bool,
    /// The kind-specific part.
    pub payload: Payload,
    /// Principles addressed, commitments advanced or fulfilled, events followed up.
    pub links: Links,
    /// Event-data codes.
    pub codes: Option<Codes>,
    /// Whose account it is, and how far confirmed.
    pub account: Account,
    /// Dated before its track was opened, on purpose (`audit` lists such events).
    pub before_opening: bool,
    /// The occasion (a summit, a visit) it belongs to, with the other events of it.
    pub occasion: Option<OccasionId>,
}

impl Facts {
    /// The event's kind.
    pub fn kind(&self) -> Kind {
        self.payload.kind()
    }
}

/// An event as the log holds it, before its place in the chain is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Its identity.
    pub id: EventId,
    /// When the log recorded it (UTC, non-decreasing along the log).
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: String,
    /// What it states.
    pub facts: Facts,
}

/// A SHA-256 digest in the hash chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The `prev_hash` of the first event.
    pub const GENESIS: Hash = Hash([0; 32]);

    /// Lower-case hex, as written in exports.
    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Hash> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out).ok()?;
        Some(Hash(out))
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl std::fmt::Display for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// True when `at` is a recording time the log can write: within
/// [`recording_time_range`] (years 0001 to 9999, UTC).
pub fn recordable(at: &DateTime<Utc>) -> bool {
    let (first, last) = recording_time_range();
    (first..=last).contains(at)
}

/// An event in its place in the log: position, chain link and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Gap-free position in the log, from 1.
    pub seq: u64,
    /// The event.
    pub event: Event,
    /// The hash of the record before it ([`Hash::GENESIS`] for seq 1).
    pub prev_hash: Hash,
    /// SHA-256 of `prev_hash`, `seq` and the canonical body.
    pub hash: Hash,
}

impl Event {
    /// The names this event declares, its own identity as a correction, retraction
    /// or dispute included.
    pub fn declarations(&self) -> Vec<Name> {
        let mut names = self.facts.declarations();
        if self.facts.kind().is_meta() {
            names.push(Name::Meta(self.id));
        }
        // Each suspension, resumption and party's withdrawal is a name of its own, keyed
        // by the commitment first, so the log finds all of one commitment's by one range
        // of keys.
        match &self.facts.payload {
            Payload::CommitmentSuspended(s) => names.push(Name::Suspension(s.commitment.clone(), self.id)),
            // A court's suspension of a commitment is one of its suspensions.
            Payload::RulingIssued(payload::RulingIssued {
                on: payload::Ref { commitment: Some(c), .. },
                effect: payload::RulingEffect::Suspends,
                ..
            }) => names.push(Name::Suspension(c.clone(), self.id)),
            Payload::CommitmentResumed(r) => names.push(Name::Resumption(r.commitment.clone(), self.id)),
            Payload::CommitmentWithdrawn(w) if w.by.is_some() => {
                names.push(Name::WithdrawnBy(w.commitment.clone(), self.id))
            }
            _ => {}
        }
        names
    }

    /// This event with a correction's changes applied, checked like any new event's
    /// form. The identity and recording fields never change.
    pub fn corrected(&self, changes: &[payload::FieldChange]) -> Result<Event, FieldError> {
        wire::apply_changes(self, changes)
    }

    /// The canonical body: the JSON object of every field but `seq`, `prev_hash` and
    /// `hash`, in the catalogue's field order. Hashes and exports are built on it.
    pub fn body_json(&self) -> String {
        wire::body_json(self)
    }
}

/// The chain hash of an event at `seq` after `prev`: SHA-256 over the previous hash
/// (32 bytes), `seq` (8 bytes, big-endian) and the canonical body (UTF-8).
pub fn chain_hash(prev: Hash, seq: u64, body_json: &str) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(prev.0);
    hasher.update(seq.to_be_bytes());
    hasher.update(body_json.as_bytes());
    Hash(hasher.finalize().into())
}

impl Record {
    /// Places `event` at `seq` after `prev`, computing its hash.
    pub fn chain(seq: u64, event: Event, prev: Hash) -> Record {
        let hash = chain_hash(prev, seq, &event.body_json());
        Record { seq, event, prev_hash: prev, hash }
    }

    /// The export line: `{"seq":…, <body>, "prev_hash":…, "hash":…}` with no newline.
    pub fn to_line(&self) -> String {
        wire::record_line(self.seq, &self.event.body_json(), self.prev_hash, self.hash)
    }
}

/// Builds an export line from a stored body without re-serializing it.
pub fn record_line(seq: u64, body_json: &str, prev: Hash, hash: Hash) -> String {
    wire::record_line(seq, body_json, prev, hash)
}

/// What `export` writes beside a JSON Lines export, so an import can prove it holds the
/// whole log, unedited: the count, the head and the version that wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `entente-export`.
    pub format: String,
    /// The entente version that wrote the export.
    pub entente_version: String,
    /// The log schema version it was written from.
    pub schema: i64,
    /// How many events (lines) it holds.
    pub count: u64,
    /// The seq of its last event.
    pub head_seq: u64,
    /// The hash of its last event.
    pub head_hash: String,
}

/// Checks an export's lines against their manifest: every line carries its chain
/// fields, seq runs from 1 without gaps, each hash links to the one before and matches
/// the line's content, and the count and head match. `Err` names the first bad line
/// (0 for the manifest itself) and what differs.
pub fn check_export(
    lines: impl IntoIterator<Item = (usize, impl AsRef<str>)>,
    manifest: &Manifest,
) -> Result<(), (usize, String)> {
    let mut check = ExportCheck::default();
    for (no, text) in lines {
        let line = parse_line(text.as_ref())
            .map_err(|e| (no, e.field.map_or(e.message.clone(), |f| format!("{f}: {}", e.message))))?;
        check.line(&line, &BodyTemplate::of(&line.facts)).map_err(|what| (no, what))?;
    }
    check.finish(manifest).map_err(|what| (0, what))
}

/// The chain check of an export, one parsed line at a time, so a reader can verify the
/// very lines it hands on (an input is read once: a second read of a path may serve
/// other bytes). Call [`ExportCheck::line`] for every line in order, then
/// [`ExportCheck::finish`].
#[derive(Clone, Debug, Default)]
pub struct ExportCheck {
    cursor: ChainCursor,
}

impl ExportCheck {
    /// Checks the next line, whose body (but for the stamped fields) is `template`:
    /// it carries its chain fields, continues the seq and links to the hash before,
    /// and its hash matches its content.
    pub fn line(&mut self, line: &Line, template: &BodyTemplate) -> Result<(), String> {
        let (Some(seq), Some(_), Some(h), Some(id), Some(at), Some(by)) =
            (line.seq, line.prev_hash, line.hash, line.id, line.recorded_at, line.recorded_by.as_deref())
        else {
            return Err(
                "the line lacks seq, prev_hash, hash, id, recorded_at or recorded_by: it is not an export line"
                    .to_owned(),
            );
        };
        let expected = self.cursor.next_seq();
        self.cursor.claims(line.seq, line.prev_hash).map_err(|e| match e {
            ChainBreak::Seq { .. } => {
                format!("seq {seq} where {expected} was expected: lines are missing or out of order")
            }
            ChainBreak::PrevHash | ChainBreak::Hash => {
                "prev_hash does not link to the line before: lines are missing or out of order".to_owned()
            }
        })?;
        self.cursor
            .step(seq, &template.fill(&id, &at, by), Some(h))
            .map_err(|_| "the hash does not match the line's content: it was edited after export".to_owned())?;
        Ok(())
    }

    /// Checks what was seen against the manifest: its format, count and head.
    pub fn finish(&self, manifest: &Manifest) -> Result<(), String> {
        let (count, prev) = (self.cursor.count(), self.cursor.prev());
        if manifest.format != "entente-export" {
            return Err(format!("the manifest's format is `{}`, not `entente-export`", manifest.format));
        }
        if count != manifest.count || count != manifest.head_seq || prev.to_hex() != manifest.head_hash {
            return Err(format!(
                "the file holds {count} events ending in hash {prev}, but its manifest promises {} ending at seq {} in hash {}: \
                 lines were added or removed",
                manifest.count, manifest.head_seq, manifest.head_hash
            ));
        }
        Ok(())
    }
}
