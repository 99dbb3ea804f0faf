//! The storage seam: what a backend offers the log. Primitives only — transactions,
//! scans, lookups by seq, id and name, the derived indexes, snapshots, and the
//! integrity of the backend's own guards. Every rule (what may be appended, how the
//! chain is checked, what an amendment means) lives above, in [`super::Log`], once for
//! every backend. A backend decides nothing about events: it stores and finds rows.
//!
//! Rows are handed out as stored, unparsed and unchecked: a backend another program
//! can write to is hostile, and the log checks what it reads.

use std::ops::ControlFlow;

use crate::event::{EventId, Hash, Kind, Name};

use super::LogError;

/// One stored event, borrowed from the backend while a scan visits it. A column of the
/// wrong type reads as empty (seq 0, no hash), which the log's checks then refuse.
#[derive(Clone, Copy, Debug)]
pub struct RowRef<'r> {
    /// Its place in the log.
    pub seq: u64,
    /// Its canonical body, as stored (`None` when not text).
    pub body: Option<&'r str>,
    /// Its stored chain hash (`None` when not 32 bytes).
    pub hash: Option<Hash>,
    /// Its id column (16 bytes when intact).
    pub id: &'r [u8],
    /// Its kind column.
    pub kind: &'r str,
}

/// One stored event, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRow {
    /// Its place in the log.
    pub seq: u64,
    /// Its canonical body, as stored.
    pub body: String,
    /// Its stored chain hash (`None` when not 32 bytes).
    pub hash: Option<Hash>,
}

/// The rows a scan visits, in seq order; every field narrows.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scan<'a> {
    /// Only rows after this seq.
    pub after: Option<u64>,
    /// Only rows up to this seq.
    pub until: Option<u64>,
    /// Only rows whose kind column is one of these (any, when empty).
    pub kinds: &'a [Kind],
}

/// The last row of the log, for its head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastRow {
    /// Its seq.
    pub seq: u64,
    /// Its stored hash (`None` when not 32 bytes).
    pub hash: Option<Hash>,
    /// Its body, as stored (`None` when not text).
    pub body: Option<String>,
}

/// What the derived indexes hold: each declared name (namespace, key) with the seq
/// that holds it, and each (target id, seq) of a correction, retraction or dispute.
pub type NameRows = std::collections::BTreeMap<(String, String), u64>;
/// See [`NameRows`].
pub type AmendmentRows = std::collections::BTreeSet<(Vec<u8>, u64)>;

/// A snapshot as stored: its name, the seq it claims to be folded at, the hash it was
/// saved with (`None` when not 32 bytes) and its state. Whether it is still bound to
/// the log is the log's to judge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSnapshot {
    /// The snapshot's name.
    pub name: String,
    /// The seq it claims to be folded at.
    pub seq: u64,
    /// The chain hash it was saved with.
    pub hash: Option<Hash>,
    /// What was saved.
    pub state: String,
}

/// A new event as the log hands it to a backend to write: the row, and what its
/// derived indexes get.
#[derive(Clone, Copy, Debug)]
pub struct NewRow<'a> {
    /// Its place.
    pub seq: u64,
    /// Its id.
    pub id: EventId,
    /// Its kind.
    pub kind: Kind,
    /// Its canonical body.
    pub body: &'a str,
    /// Its chain hash.
    pub hash: Hash,
    /// The names it declares (the first declaration of a name holds it).
    pub declares: &'a [Name],
    /// The event it corrects, retracts or disputes.
    pub target: Option<EventId>,
}

/// A storage engine for the log.
pub trait Backend {
    /// A read transaction: every read inside sees one state of the log.
    type Read<'a>: ReadTxn
    where
        Self: 'a;
    /// A write transaction: it holds the log's one write lock until it commits or is
    /// dropped (which rolls it back).
    type Write<'a>: WriteTxn
    where
        Self: 'a;

    /// Where the log lives, as messages name it.
    fn location(&self) -> &std::path::Path;

    /// Begins a read transaction.
    fn read(&self) -> Result<Self::Read<'_>, LogError>;

    /// Begins a write transaction, waiting for the write lock up to the backend's
    /// timeout.
    fn write(&mut self) -> Result<Self::Write<'_>, LogError>;

    /// Saves snapshot `name` folded at `seq` with the chain `hash` there, replacing the
    /// one before. Best effort and never a wait: `Ok(false)` when nothing was saved
    /// (the log is locked by a writer, or read-only).
    fn save_snapshot(&self, name: &str, seq: u64, hash: Hash, state: &str) -> Result<bool, LogError>;
}

/// What can be read inside a transaction.
pub trait ReadTxn {
    /// The log's last seq (0 for an empty log), read from nothing but the seq column.
    fn last_seq(&self) -> Result<u64, LogError>;

    /// The log's last row, if any.
    fn last_row(&self) -> Result<Option<LastRow>, LogError>;

    /// Visits the rows `scan` selects, in seq order, until `each` breaks.
    fn scan(&self, scan: Scan<'_>, each: &mut dyn FnMut(RowRef<'_>) -> ControlFlow<()>) -> Result<(), LogError>;

    /// The row at `seq`.
    fn row_at(&self, seq: u64) -> Result<Option<StoredRow>, LogError>;

    /// The stored hash at `seq` (`Some(None)`: a row whose hash is not 32 bytes).
    fn hash_at(&self, seq: u64) -> Result<Option<Option<Hash>>, LogError>;

    /// The row of the event with this id.
    fn row_of(&self, id: EventId) -> Result<Option<StoredRow>, LogError>;

    /// The seq of the event with this id.
    fn seq_of(&self, id: EventId) -> Result<Option<u64>, LogError>;

    /// At most `limit` ids whose hex form (lower-case, dashes dropped) starts with
    /// `hex`.
    fn ids_with_prefix(&self, hex: &str, limit: usize) -> Result<Vec<EventId>, LogError>;

    /// The rows the amendments index lists (of `target` only, when given; of `kind`
    /// only, when given), in seq order.
    fn amendment_rows(&self, target: Option<EventId>, kind: Option<Kind>) -> Result<Vec<StoredRow>, LogError>;

    /// The row the names index says declares `name`.
    fn declarer_row(&self, name: &Name) -> Result<Option<StoredRow>, LogError>;

    /// The rows the names index says declare a name of `namespace` whose key starts
    /// with `prefix`, each with that key, in key order: a range of the index, never a
    /// scan of the log.
    fn declarer_rows(&self, namespace: &str, prefix: &str) -> Result<Vec<(String, StoredRow)>, LogError>;

    /// What the names and amendments indexes hold.
    fn indexes(&self) -> Result<(NameRows, AmendmentRows), LogError>;

    /// Snapshot `name` as stored.
    fn snapshot(&self, name: &str) -> Result<Option<StoredSnapshot>, LogError>;

    /// Every stored snapshot, by name.
    fn snapshots(&self) -> Result<Vec<StoredSnapshot>, LogError>;

    /// The backend's own guards (schema, triggers, privileges) as the backend creates
    /// them: what differs, when something does.
    fn guards(&self) -> Result<Option<String>, LogError>;

    /// Ends the transaction, checking the log is still where it was opened.
    fn finish(self) -> Result<(), LogError>;
}

/// What can be written inside a write transaction.
pub trait WriteTxn {
    /// How the transaction reads: what it has written so far included.
    type Read: ReadTxn;

    /// The transaction's reads.
    fn reads(&self) -> &Self::Read;

    /// Writes one event and its index rows. Fails when the row was not stored.
    fn insert(&mut self, row: NewRow<'_>) -> Result<(), LogError>;

    /// Replaces what the derived indexes hold.
    fn replace_indexes(&mut self, names: &NameRows, amendments: &AmendmentRows) -> Result<(), LogError>;

    /// Drops every snapshot.
    fn drop_snapshots(&mut self) -> Result<(), LogError>;

    /// Commits everything written; dropping the transaction instead rolls it back.
    fn commit(self) -> Result<(), LogError>;

    /// Who the backend vouches is appending, and its clock, read under the write lock:
    /// a server that authenticates its clients says so ([`super::Recorder::Server`]
    /// asks); a file that anyone holding it can write vouches for nobody (`None`).
    fn vouched(&self) -> Result<Option<Vouched>, LogError> {
        Ok(None)
    }
}

/// What a backend vouches for about an append: read under the write lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vouched {
    /// The server's clock.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The authenticated role.
    pub user: String,
    /// Whether the role owns the log: it may append a history with its own recorders
    /// and recording times (moving a log in); any other role records as itself, now.
    pub keeps_history: bool,
}
