//! The log, whatever stores it: append-only, hash-chained, every rule in one place.
//!
//! [`Log`] wraps a [`Backend`] (SQLite in `store::sqlite`; any other storage engine
//! behind the same trait) and owns what the log means: what may be appended
//! ([`append`]: idempotent ids, chain continuation, recording-time order, stamping,
//! validation, a correction's result), how rows read back ([`read`]: through the one
//! parser, on every core), and what `verify` proves ([`verify`]). A backend only
//! stores and finds rows. Nothing here speaks SQL, reads the clock or prints.

mod append;
pub mod backend;
mod error;
mod read;
mod verify;

use std::ops::ControlFlow;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use crate::env::Ids;
use crate::event::{EventId, Hash, Kind, Record, record_line};

pub use append::FUTURE_TOLERANCE;
pub use backend::{Backend, ReadTxn, Vouched, WriteTxn};
pub use error::{Class, LineProblem, LogError};
pub use verify::{Tamper, Verdict};

use backend::{Scan, StoredRow};

/// Where the log ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// The last seq (0 for an empty log).
    pub seq: u64,
    /// The last hash ([`Hash::GENESIS`] for an empty log).
    pub hash: Hash,
    /// When the last event was recorded.
    pub recorded_at: Option<DateTime<Utc>>,
}

/// What happened to one submitted event.
#[expect(missing_docs, reason = "variant fields are self-describing and shown in the messages")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Appended at `seq`.
    Appended { seq: u64, id: EventId },
    /// Already in the log with the same content: nothing to do.
    Existing { seq: u64, id: EventId },
}

/// Who decides what an append stamps on new events: the clock reading, the ids, and
/// the recorder. A local command line passes the user's name and clock; a shared log
/// passes the identity and clock the server vouches for. A value, so the rules of
/// [`Log::append`] never branch on who is calling.
#[derive(Clone, Copy, Debug)]
pub struct AppendPolicy<'a> {
    /// The clock reading: events that carry no `recorded_at` are stamped with it (or
    /// just after the log's last), and none may claim a time much beyond it.
    pub now: DateTime<Utc>,
    /// Ids for events that carry none.
    pub ids: Ids,
    /// Who is recorded as having recorded each event.
    pub recorder: Recorder<'a>,
}

/// How `recorded_by` is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorder<'a> {
    /// A line's own `recorded_by` stands (an import keeps its recorders); a line
    /// without one is recorded by this name, and refused when there is none.
    Default(Option<&'a str>),
    /// The backend vouches for the recorder and the clock ([`WriteTxn::vouched`]): a
    /// team log on a server records the role that connected, at the server's time. A
    /// line naming another recorder or its own recording time is refused, unless the
    /// role owns the log (moving a log in keeps its history).
    Server,
    /// What the backend vouched for, under the write lock.
    Vouched {
        /// The authenticated role.
        user: &'a str,
        /// Whether it owns the log (see [`Vouched::keeps_history`]).
        keeps_history: bool,
    },
}

impl Recorder<'_> {
    /// The recorder of an event whose line claims `claimed`, or why the claim is refused.
    pub fn recorded_by(&self, claimed: Option<String>) -> Result<String, crate::event::FieldError> {
        match (self, claimed) {
            (Recorder::Default(_), Some(claimed)) => Ok(claimed),
            (Recorder::Default(Some(name)), None) => Ok((*name).to_owned()),
            (Recorder::Default(None), None) => Err(crate::event::FieldError {
                field: Some("recorded_by".to_owned()),
                message: "is not given, and no one is known to record it as (no user name in the environment)"
                    .to_owned(),
                hint: Some(crate::event::Hint::NoRecorder),
            }),
            (Recorder::Vouched { user, .. }, None) => Ok((*user).to_owned()),
            (Recorder::Vouched { keeps_history: true, .. }, Some(claimed)) => Ok(claimed),
            (Recorder::Vouched { user, .. }, Some(claimed)) if claimed == *user => Ok(claimed),
            (Recorder::Vouched { user, .. }, Some(claimed)) => Err(crate::event::FieldError {
                field: Some("recorded_by".to_owned()),
                message: format!(
                    "on this team log events are recorded by the role that connects (`{user}`); the line names \
                     `{claimed}`. Drop recorded_by, or have the log's owner role move a history in"
                ),
                hint: None,
            }),
            // Resolved by `Log::append` before any line is admitted.
            (Recorder::Server, claimed) => Ok(claimed.unwrap_or_default()),
        }
    }

    /// Whether a line may bring its own recording time.
    fn keeps_recording_times(&self) -> bool {
        !matches!(self, Recorder::Vouched { keeps_history: false, .. })
    }
}

/// Which events [`Reader::records`] returns; every field narrows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only events on this track.
    pub track: Option<String>,
    /// Only events of these kinds (any, when empty).
    pub kinds: Vec<Kind>,
    /// Only events whose date interval reaches this day or later.
    pub from: Option<NaiveDate>,
    /// Only events whose date interval starts on or before this day.
    pub to: Option<NaiveDate>,
    /// Only events whose canonical body contains this text, compared as
    /// [`crate::text::folded`] keys: in any case, accents composed or decomposed alike.
    pub text: Option<String>,
    /// Only events recorded after this seq.
    pub after: Option<u64>,
    /// Only events up to this seq.
    pub until: Option<u64>,
}

impl Filter {
    /// Whether `record` passes the filters a backend's scan does not apply: tracks
    /// and dates.
    fn matches(&self, record: &Record) -> bool {
        let facts = &record.event.facts;
        // Dates are intervals: an event matches when its interval reaches the range.
        self.track.as_ref().is_none_or(|track| facts.tracks.iter().any(|t| t.as_str() == track))
            && self.from.is_none_or(|from| facts.occurred.last_day() >= from)
            && self.to.is_none_or(|to| facts.occurred.first_day() <= to)
    }
}

/// The `recorded_at` field of a stored body: read from its canonical head, or from the
/// body as any JSON object when it is not laid out canonically.
fn recorded_at_of(body: &str) -> Option<String> {
    if let Some(head) = crate::event::canonical_head(body) {
        return Some(head.recorded_at.to_owned());
    }
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value.get("recorded_at")?.as_str().map(str::to_owned)
}

/// A log over a storage backend.
pub struct Log<B> {
    backend: B,
}

impl<B: Backend> Log<B> {
    /// The log `backend` stores.
    pub fn new(backend: B) -> Log<B> {
        Log { backend }
    }

    /// The backend, for what only it knows how to do.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, the log given up.
    pub fn into_backend(self) -> B {
        self.backend
    }

    /// Runs `reads` in one read transaction: every read inside sees the same state of
    /// the log, however many writers commit meanwhile.
    pub fn consistent<T, E: From<LogError>>(
        &self,
        reads: impl FnOnce(&Reader<'_, B::Read<'_>>) -> Result<T, E>,
    ) -> Result<T, E> {
        let txn = self.backend.read()?;
        let result = reads(&Reader { txn: &txn, location: self.backend.location() })?;
        txn.finish()?;
        Ok(result)
    }

    /// Where the log ends.
    pub fn head(&self) -> Result<Head, LogError> {
        self.consistent(|r| r.head())
    }

    /// The number of events in the log: its last seq (seq is gap-free), read without
    /// judging the last row (`verify` does that).
    pub fn count(&self) -> Result<u64, LogError> {
        self.consistent(|r| r.txn.last_seq())
    }

    /// The record at this seq.
    pub fn by_seq(&self, seq: u64) -> Result<Option<Record>, LogError> {
        self.consistent(|r| r.by_seq(seq))
    }

    /// Calls `each` with every record matching `filter`, in log order, in one read
    /// transaction (see [`Reader::records`]).
    pub fn records<E: From<LogError>>(
        &self,
        filter: &Filter,
        each: impl FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), E> {
        self.consistent(|r| r.records(filter, each))
    }

    /// Saves snapshot `name` folded at `seq`, bound to the log's hash there (the event
    /// at a seq never changes, so the hash read here is the one it was folded at).
    /// Best effort and never a wait: `Ok(false)` when nothing was saved — the log is
    /// locked by a writer or read-only, or has no intact event at `seq`.
    pub fn save_snapshot(&self, name: &str, seq: u64, state: &str) -> Result<bool, LogError> {
        let Some(Some(hash)) = self.consistent(|r| r.txn.hash_at(seq))? else { return Ok(false) };
        self.backend.save_snapshot(name, seq, hash, state)
    }
}

/// Reads inside one transaction of a log.
pub struct Reader<'a, T: ?Sized> {
    txn: &'a T,
    location: &'a Path,
}

impl<'a, T: ReadTxn + ?Sized> Reader<'a, T> {
    /// Reads through `txn`, naming the log `location` in errors.
    pub fn new(txn: &'a T, location: &'a Path) -> Reader<'a, T> {
        Reader { txn, location }
    }

    /// Where the log ends, read from its last row. A last row whose hash or recording
    /// time does not read is corruption, never an empty log: appending after it would
    /// chain onto the genesis hash, or stamp a time earlier than the log's own.
    pub fn head(&self) -> Result<Head, LogError> {
        let Some(last) = self.txn.last_row()? else {
            return Ok(Head { seq: 0, hash: Hash::GENESIS, recorded_at: None });
        };
        let corrupt = |message: &str| LogError::Corrupt {
            path: self.location.to_owned(),
            seq: last.seq,
            message: message.to_owned(),
        };
        let hash = last.hash.ok_or_else(|| corrupt("its stored hash is not 32 bytes"))?;
        let recorded_at = last
            .body
            .as_deref()
            .and_then(recorded_at_of)
            .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| corrupt("its recorded_at is missing or not an RFC 3339 time"))?;
        Ok(Head { seq: last.seq, hash, recorded_at: Some(recorded_at) })
    }

    /// The record with this id.
    pub fn by_id(&self, id: EventId) -> Result<Option<Record>, LogError> {
        self.txn.row_of(id)?.map(|row| self.record(row)).transpose()
    }

    /// The seq of the event with this id.
    pub fn seq_of(&self, id: EventId) -> Result<Option<u64>, LogError> {
        self.txn.seq_of(id)
    }

    /// The record at this seq.
    pub fn by_seq(&self, seq: u64) -> Result<Option<Record>, LogError> {
        self.txn.row_at(seq)?.map(|row| self.record(row)).transpose()
    }

    /// The ids that start with `prefix` (hex digits, dashes anywhere), at most `limit`.
    pub fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<EventId>, LogError> {
        self.txn.ids_with_prefix(&prefix.replace('-', "").to_ascii_lowercase(), limit)
    }

    /// Every correction, retraction and dispute of the event `id`, in log order.
    pub fn amendments_of(&self, id: EventId) -> Result<Vec<Record>, LogError> {
        // The index is a cache: an amendment counts only if it names this event itself.
        let mut records = self.records_of(self.txn.amendment_rows(Some(id), None)?)?;
        records.retain(|r| r.event.facts.payload.target() == Some(id));
        Ok(records)
    }

    /// Every correction, retraction and dispute in the log, in log order.
    pub fn all_amendments(&self) -> Result<Vec<Record>, LogError> {
        self.records_of(self.txn.amendment_rows(None, None)?)
    }

    /// True when a correction, retraction or dispute was recorded after `seq`.
    /// Read from the events themselves (their kind column, which `verify` holds to each
    /// body), not the amendments index: a snapshot is never kept past an amendment
    /// because a derived row went missing. Only the events after `seq` are looked at.
    pub fn amended_after(&self, seq: u64) -> Result<bool, LogError> {
        let meta: Vec<Kind> = Kind::ALL.iter().copied().filter(|k| k.is_meta()).collect();
        let mut found = false;
        self.txn.scan(Scan { after: Some(seq), until: None, kinds: &meta }, &mut |_| {
            found = true;
            ControlFlow::Break(())
        })?;
        Ok(found)
    }

    /// The saved snapshot `name` (its seq and state), only while it is bound to the
    /// log: the log still has at its seq the hash it was saved with. A snapshot whose
    /// seq was moved, or that outlived a log rewritten under it, is not returned (the
    /// caller rebuilds it).
    pub fn snapshot(&self, name: &str) -> Result<Option<(u64, String)>, LogError> {
        match self.txn.snapshot(name)? {
            Some(s) if self.bound(&s)? => Ok(Some((s.seq, s.state))),
            _ => Ok(None),
        }
    }

    /// The saved snapshot `name` as stored, bound or not, with the seq it claims: for
    /// `verify`, which checks its state against the events.
    pub fn stored_snapshot(&self, name: &str) -> Result<Option<(u64, String)>, LogError> {
        Ok(self.txn.snapshot(name)?.map(|s| (s.seq, s.state)))
    }

    /// Whether `snapshot` is bound to the log: its hash is the log's at its seq.
    fn bound(&self, snapshot: &backend::StoredSnapshot) -> Result<bool, LogError> {
        Ok(snapshot.hash.is_some() && self.txn.hash_at(snapshot.seq)?.flatten() == snapshot.hash)
    }

    /// Every record as an export line, in log order: the stored body, never written
    /// again.
    pub fn export_lines<E: From<LogError>>(&self, mut each: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let mut last = None;
        let mut failed: Option<E> = None;
        self.txn.scan(Scan::default(), &mut |row| {
            let line = self.prev_after(last, row.seq).and_then(|prev| match (prev, row.hash, row.body) {
                (Some(prev), Some(hash), Some(body)) => Ok(record_line(row.seq, body, prev, hash)),
                (_, _, None) => Err(self.corrupt(row.seq, "its stored body is not text".to_owned())),
                _ => Err(self.corrupt(row.seq, "a stored hash is not 32 bytes".to_owned())),
            });
            match line.map_err(E::from).and_then(|line| each(&line)) {
                Ok(()) => {
                    last = Some((row.seq, row.hash));
                    ControlFlow::Continue(())
                }
                Err(e) => {
                    failed = Some(e);
                    ControlFlow::Break(())
                }
            }
        })?;
        failed.map_or(Ok(()), Err)
    }

    fn corrupt(&self, seq: u64, message: String) -> LogError {
        LogError::Corrupt { path: self.location.to_owned(), seq, message }
    }

    /// A stored row as a record, its previous hash looked up.
    fn record(&self, row: StoredRow) -> Result<Record, LogError> {
        let prev = self.prev_hash(row.seq)?;
        read::to_record(row.seq, &row.body, prev, row.hash).map_err(|message| self.corrupt(row.seq, message))
    }

    fn records_of(&self, rows: Vec<StoredRow>) -> Result<Vec<Record>, LogError> {
        rows.into_iter().map(|row| self.record(row)).collect()
    }

    /// The hash of the row before `seq` in a scan whose last row was `last` (its seq
    /// and hash): that row's when they are adjacent, else looked up.
    fn prev_after(&self, last: Option<(u64, Option<Hash>)>, seq: u64) -> Result<Option<Hash>, LogError> {
        match last {
            Some((before, hash)) if before + 1 == seq => Ok(hash),
            _ => self.prev_hash(seq),
        }
    }

    /// The hash of the row before `seq`: the genesis hash before seq 1, and zeros
    /// where that row is missing (`verify` names the gap); `None` when it is not 32
    /// bytes.
    fn prev_hash(&self, seq: u64) -> Result<Option<Hash>, LogError> {
        if seq <= 1 {
            return Ok(Some(Hash::GENESIS));
        }
        Ok(self.txn.hash_at(seq - 1)?.unwrap_or(Some(Hash::GENESIS)))
    }
}

#[cfg(test)]
mod tests {
    use super::Recorder;

    #[test]
    fn a_line_without_a_recorder_is_refused_when_the_environment_names_no_one() {
        // Given no user name in the environment, when a line names no recorder, then it
        // is refused at recorded_by with how to name one; a line that names one stands.
        let error = Recorder::Default(None).recorded_by(None).expect_err("no one to record it as");
        assert_eq!(error.field.as_deref(), Some("recorded_by"));
        assert_eq!(error.hint, Some(crate::event::Hint::NoRecorder));
        assert_eq!(Recorder::Default(None).recorded_by(Some("ana".to_owned())).ok().as_deref(), Some("ana"));
        assert_eq!(Recorder::Default(Some("env")).recorded_by(None).ok().as_deref(), Some("env"));
    }
}
