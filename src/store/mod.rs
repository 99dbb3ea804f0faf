//! The log on disk: one SQLite file, append-only, hash-chained. The only module that
//! speaks SQL.
//!
//! Every append runs in one `BEGIN IMMEDIATE` transaction: a batch lands whole or not
//! at all, and concurrent writers queue on the lock (up to the busy timeout) instead of
//! failing. Triggers reject UPDATE and DELETE, and a gap in `seq`. This module decides
//! nothing about what an event means: validation is `event::validate`, a pure function
//! it calls with the names it looked up.

mod schema;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::env::Ids;
use crate::event::payload::{EventCorrected, Payload};
use crate::event::{
    Event, EventId, FieldError, Hash, Incoming, Kind, Line, Name, Record, chain_hash, parse_line, record_line, validate,
};

pub use schema::LATEST as SCHEMA_VERSION;

/// A failure of the log, in words a user can act on.
#[expect(missing_docs, reason = "variant fields are self-describing and shown in the messages")]
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// No file at the path.
    #[error(
        "there is no log at {path}; create one with `entente init` (or point --db / ENTENTE_DB at an existing log)"
    )]
    NotFound { path: PathBuf },
    /// `init` on an existing path.
    #[error(
        "{path} already exists; `entente init` never overwrites a file: use it as it is, or choose another path with --db"
    )]
    Exists { path: PathBuf },
    /// The path is a directory.
    #[error("{path} is a directory, not a log file; point --db at a file such as {path}/entente.db")]
    IsDirectory { path: PathBuf },
    /// Not an SQLite file at all.
    #[error("{path} is not an entente log (not an SQLite database at all); check the path")]
    NotSqlite { path: PathBuf },
    /// An SQLite file, but someone else's.
    #[error("{path} is an SQLite database of another program, not an entente log; check the path")]
    Foreign { path: PathBuf },
    /// Written by a newer entente.
    #[error(
        "{path} was written by a newer entente (log schema {found}; this entente knows up to {known}); upgrade entente to read it"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    /// Another process held the lock for longer than the busy timeout.
    #[error(
        "{path} is locked by another entente process and stayed locked for {waited_ms} ms; try again, or raise ENTENTE_BUSY_TIMEOUT_MS"
    )]
    Busy { path: PathBuf, waited_ms: u32 },
    /// The file or its folder cannot be written.
    #[error(
        "{path} is read-only; entente needs to write the log file and its folder (for the -wal and -shm files). Check the permissions"
    )]
    ReadOnly { path: PathBuf },
    /// The disk is full.
    #[error("the disk holding {path} is full; nothing was written. Free some space and try again")]
    DiskFull { path: PathBuf },
    /// The operating system refused a read or write.
    #[error(
        "{path}: the disk refused a read or write while {context} (full, failing, or over a file-size limit); nothing was written. Check the disk and try again"
    )]
    Io { path: PathBuf, context: &'static str },
    /// A thread of entente's own died (it panicked and said why above): a bug.
    #[error(
        "{path}: entente failed while {context}; this is a bug in entente, please report it with the message above. The log was not changed"
    )]
    Bug { path: PathBuf, context: &'static str },
    /// `--expect-head` did not match.
    #[error(
        "the log has moved on: you expected it to end at seq {expected}, but it ends at seq {actual}; nothing was written. Read the new events (`entente log`) and retry with --expect-head {actual}"
    )]
    Conflict { expected: u64, actual: u64 },
    /// One or more input lines were rejected; nothing was written.
    #[error("{} rejected; nothing was written", rejected_summary(.problems, *.unchecked))]
    Rejected {
        /// The problems, in line order.
        problems: Vec<LineProblem>,
        /// True when checking stopped early because there were too many problems.
        unchecked: bool,
    },
    /// A stored row does not read back as an event.
    #[error(
        "{path}: the event at seq {seq} cannot be read ({message}); the file was changed outside entente — run `entente verify`"
    )]
    Corrupt { path: PathBuf, seq: u64, message: String },
    /// The file as a whole no longer holds what entente wrote (its schema, its version).
    #[error(
        "{path}: {what}; the file was changed outside entente — run `entente verify`, and restore it from a verified export or backup"
    )]
    Tampered { path: PathBuf, what: String },
    /// The folder the log should be created in does not exist.
    #[error(
        "cannot create {path}: the folder {folder} does not exist; create it first (mkdir -p {folder}) or point --db elsewhere"
    )]
    NoFolder { path: PathBuf, folder: PathBuf },
    /// The path names something other than a regular file.
    #[error("{path} is {what}, not a log file; point --db at an entente log (a regular file)")]
    NotAFile { path: PathBuf, what: &'static str },
    /// A read-only log from an older entente: it would need migrating first.
    #[error(
        "{path} is from an older entente (log schema {found}; this entente writes {known}) and is read-only here; open it once with write access to upgrade it"
    )]
    NeedsUpgrade { path: PathBuf, found: i64, known: i64 },
    /// An empty file: not a log (perhaps truncated by a shell redirection).
    #[error(
        "{path} is empty (0 bytes), not an entente log; if it was one, it was truncated (a shell `>` onto it does that): restore it from a backup or export"
    )]
    Empty { path: PathBuf },
    /// The file has several names.
    #[error(
        "{path} has {links} hard links; SQLite keeps a log's write-ahead file beside the name it was opened by, so writers through two names would corrupt it. Use one name: remove the other links (or copy the file)"
    )]
    HardLinked { path: PathBuf, links: u64 },
    /// A read-only log whose write-ahead file holds events not yet in the file.
    #[error(
        "{path} is read-only, and its write-ahead file ({path}-wal) holds committed events that SQLite can only read with write access to the folder; copy the log and its -wal to a writable place, or open it once where it can be written"
    )]
    UnreadableWal { path: PathBuf },
    /// The file at the path was deleted or replaced while the command ran.
    #[error(
        "{path} was deleted or replaced while entente was using it; what this command read or wrote went to the file that was there before. Check what is at {path} now"
    )]
    Replaced { path: PathBuf },
    /// Anything else SQLite reported.
    #[error("unexpected SQLite failure on {path} while {context}: {message}")]
    Sqlite { path: PathBuf, context: &'static str, message: String },
}

/// One rejected input line: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    /// The line number in its input, from 1.
    pub line: usize,
    /// What was wrong and with which field.
    pub error: FieldError,
}

fn rejected_summary(problems: &[LineProblem], unchecked: bool) -> String {
    let mut lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    lines.dedup();
    let more = if unchecked { " (checking stopped there)" } else { "" };
    match lines.len() {
        1 => format!("line {} was{more}", lines[0]),
        n => format!("{n} lines were{more}"),
    }
}

/// What the derived tables hold (or should): each declared name with the seq that
/// declared it first, and each (target id, seq) of a correction, retraction or dispute.
#[derive(Default)]
struct Derived {
    names: BTreeMap<(String, String), u64>,
    amendments: BTreeSet<(Vec<u8>, u64)>,
    /// The first event that declares a name again where the log allows one
    /// declaration: its seq, and what it declares.
    twice: Option<(u64, String)>,
}

/// Rows `verify` reads at a time: enough to share the parsing across cores, few enough
/// to keep memory small.
const VERIFY_CHUNK: usize = 8192;

/// One row as `verify` reads it.
#[derive(Default)]
struct VerifyRow {
    seq: u64,
    body: String,
    hash: Option<Hash>,
    id: Vec<u8>,
    kind: String,
}

impl VerifyRow {
    /// Reads `row` (seq, body, hash, id, kind) into this buffer, reusing its memory. A
    /// value of the wrong type reads as empty, which fails the checks that follow.
    fn read(&mut self, row: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
        self.seq = row.get_ref(0)?.as_i64().unwrap_or(0) as u64;
        self.body.clear();
        self.body.push_str(row.get_ref(1)?.as_str().unwrap_or_default());
        self.hash = row.get_ref(2)?.as_blob().ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).map(Hash);
        self.id.clear();
        self.id.extend_from_slice(row.get_ref(3)?.as_blob().unwrap_or_default());
        self.kind.clear();
        self.kind.push_str(row.get_ref(4)?.as_str().unwrap_or_default());
        Ok(())
    }
}

/// The threads worth running at once for work spread over the machine's cores.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How far `verify` got: the rows checked so far, the last one's stored hash, and the
/// last recording time.
#[derive(Default)]
struct Chain {
    count: u64,
    head: Option<Hash>,
    last_recorded: Option<DateTime<Utc>>,
}

impl Chain {
    /// Checks the next chunk of rows; the verdict when one of them fails.
    ///
    /// Each row is checked against the stored hash of the row before it, so rows can be
    /// checked independently (and, when `deep`, on every core): if every row's hash
    /// follows from its predecessor's stored hash, the whole chain is intact.
    /// `Err` when a checking thread died (a bug).
    fn check(&mut self, rows: &[VerifyRow], deep: bool) -> Result<Option<Verdict>, ()> {
        let first_seq = self.count + 1;
        let before = self.head.unwrap_or(Hash::GENESIS);
        let prev = |i: usize| if i == 0 { before } else { rows[i - 1].hash.unwrap_or(Hash::GENESIS) };
        let check = |i: usize| check_row(first_seq + i as u64, prev(i), &rows[i], deep);
        let results: Vec<Result<Option<DateTime<Utc>>, Tamper>> = if deep {
            let per = rows.len().div_ceil(cores()).max(1);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..rows.len())
                    .step_by(per)
                    .map(|start| {
                        scope.spawn(move || (start..(start + per).min(rows.len())).map(check).collect::<Vec<_>>())
                    })
                    .collect();
                // A checking thread that died has said why on stderr; its rows must not be
                // paired with another thread's results.
                handles.into_iter().map(|h| h.join()).collect::<Result<Vec<_>, _>>().map(|r| r.concat())
            })
            .map_err(|_| ())?
        } else {
            (0..rows.len()).map(check).collect()
        };
        for (row, result) in rows.iter().zip(results) {
            let problem = match result {
                Err(tamper) => Some(tamper),
                Ok(at) if at.is_some_and(|at| self.last_recorded.is_some_and(|last| last > at)) => Some(Tamper {
                    seq: Some(row.seq),
                    what: "it was recorded before the event ahead of it: recording times go back".to_owned(),
                }),
                Ok(at) => {
                    self.last_recorded = at.or(self.last_recorded);
                    None
                }
            };
            if problem.is_some() {
                return Ok(Some(self.verdict(problem)));
            }
            self.count += 1;
            self.head = row.hash;
        }
        Ok(None)
    }

    fn verdict(&self, problem: Option<Tamper>) -> Verdict {
        Verdict { count: self.count, head: self.head.unwrap_or(Hash::GENESIS), problem }
    }
}

/// Checks one row: it sits at `expected` seq, its hash follows from `prev` (the stored
/// hash of the row before) and its body, and its body agrees with its indexed columns
/// (and, when `deep`, reads against the schema). Its recording time when it passes.
fn check_row(expected: u64, prev: Hash, row: &VerifyRow, deep: bool) -> Result<Option<DateTime<Utc>>, Tamper> {
    if row.seq != expected {
        return Err(Tamper {
            seq: Some(expected),
            what: format!(
                "seq {expected} is missing (the next row is seq {}): rows were deleted or renumbered",
                row.seq
            ),
        });
    }
    if row.hash != Some(chain_hash(prev, row.seq, &row.body)) {
        return Err(Tamper {
            seq: Some(row.seq),
            what: "its hash does not match its content and place in the chain: the event was changed, \
                   moved or reordered outside entente"
                .to_owned(),
        });
    }
    let read = if deep { None } else { check_head(row) };
    read.unwrap_or_else(|| read_body(row)).map_err(|what| Tamper { seq: Some(row.seq), what })
}

/// The full check of a row: its body still reads as an event, and the indexed columns
/// agree with it. Its recording time when it does.
fn read_body(row: &VerifyRow) -> Result<Option<DateTime<Utc>>, String> {
    match parse_line(&row.body) {
        Err(e) => Err(format!("it no longer reads as an event: {}", e.message)),
        Ok(line) if line.id.is_none_or(|i| i.0.as_bytes().as_slice() != row.id.as_slice()) => {
            Err(ID_DIFFERS.to_owned())
        }
        Ok(line) if line.facts.kind().name() != row.kind => Err(KIND_DIFFERS.to_owned()),
        Ok(line) => Ok(line.recorded_at),
    }
}

const ID_DIFFERS: &str = "its id column differs from the id in its body";
const KIND_DIFFERS: &str = "its kind column differs from the kind in its body";

/// The quick check of a row: the indexed columns agree with the head of its body, read
/// from the canonical layout without parsing the rest (the hash already proves the rest
/// is what was appended). `None` when the body is not laid out canonically: then
/// [`read_body`] decides.
fn check_head(row: &VerifyRow) -> Option<Result<Option<DateTime<Utc>>, String>> {
    let head = crate::event::canonical_head(&row.body)?;
    let recorded_at = DateTime::parse_from_rfc3339(head.recorded_at).ok()?.with_timezone(&Utc);
    let id = uuid::Uuid::from_slice(&row.id).ok()?;
    let mut buf = uuid::Uuid::encode_buffer();
    Some(if head.id != id.hyphenated().encode_lower(&mut buf) {
        Err(ID_DIFFERS.to_owned())
    } else if head.kind != row.kind {
        Err(KIND_DIFFERS.to_owned())
    } else {
        Ok(Some(recorded_at))
    })
}

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Rows verified before any problem.
    pub count: u64,
    /// The hash of the last verified row.
    pub head: Hash,
    /// The first problem, if any.
    pub problem: Option<Tamper>,
}

/// A sign that the file was changed behind entente's back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tamper {
    /// The first bad seq (`None` for a problem with the file as a whole).
    pub seq: Option<u64>,
    /// What differs.
    pub what: String,
}

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

/// What the log stamps on new events.
#[derive(Clone, Copy, Debug)]
pub struct Stamp<'a> {
    /// The clock reading for events that carry no `recorded_at`.
    pub now: DateTime<Utc>,
    /// Ids for events that carry none.
    pub ids: Ids,
    /// Recorder for events that carry no `recorded_by`.
    pub recorded_by: &'a str,
}

/// Which events `records` returns; every field narrows.
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
    /// Whether `record` passes the filters SQL could not apply: tracks and dates.
    fn matches(&self, record: &Record) -> bool {
        let facts = &record.event.facts;
        // Dates are intervals: an event matches when its interval reaches the range.
        self.track.as_ref().is_none_or(|track| facts.tracks.iter().any(|t| t.as_str() == track))
            && self.from.is_none_or(|from| facts.occurred.last_day() >= from)
            && self.to.is_none_or(|to| facts.occurred.first_day() <= to)
    }
}

/// What [`Store::records`] sends a parsing thread: rows to parse, or records it parsed
/// earlier, to free.
enum Lane {
    Parse(Vec<RawRow>),
    Free(Parsed),
}

/// A chunk of rows as a parsing thread hands it back.
type Parsed = Vec<Result<Record, StoreError>>;

/// Rows [`Store::records`] hands to a parsing thread at a time, and chunks out at once.
const RECORDS_CHUNK: usize = 256;
const CHUNKS_AHEAD: usize = 8;

/// Stop checking a batch after this many problems: enough to fix in one go.
const MAX_PROBLEMS: usize = 50;

/// How a log is opened: read-write, and without SQLite's per-call connection mutex
/// (a `Connection` is never used by two threads at once: it is not `Sync`), which took
/// a tenth of a full read.
const OPEN: OpenFlags = OpenFlags::SQLITE_OPEN_READ_WRITE.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// An open log.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    busy_timeout_ms: u32,
    /// The file's identity (device, inode) when opened, to notice it being replaced.
    identity: Option<(u64, u64)>,
}

/// Device and inode of the file at `path` (following symlinks), if there is one.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// The SQLite URI that opens `path` read-only as immutable. The characters a URI gives
/// meaning to (`%`, `?`, `#`) are percent-encoded, so no path can smuggle in another
/// file name or query parameter.
fn immutable_uri(path: &Path) -> PathBuf {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let mut uri = b"file:".to_vec();
    for &b in path.as_os_str().as_bytes() {
        match b {
            b'%' | b'?' | b'#' => uri.extend_from_slice(format!("%{b:02x}").as_bytes()),
            _ => uri.push(b),
        }
    }
    uri.extend_from_slice(b"?immutable=1");
    PathBuf::from(std::ffi::OsString::from_vec(uri))
}

/// Fails when the file at `path` is no longer the one opened as `opened` (see
/// [`Store::ensure_in_place`]); a log in memory (`None`) always is.
fn in_place(path: &Path, opened: Option<(u64, u64)>) -> Result<(), StoreError> {
    match opened {
        Some(opened) if identity(path) != Some(opened) => Err(StoreError::Replaced { path: path.to_owned() }),
        _ => Ok(()),
    }
}

/// Checks that the schema of `conn` is the one its `version` says (what an untouched
/// log of that version holds): a migration runs only on the schema it was written for,
/// and a read-only log is read only as what it claims to be.
fn check_schema_of(conn: &Connection, version: i64, path: &Path) -> Result<(), ReadError> {
    let expected = schema::expected(version).map_err(ReadError::Sqlite)?;
    if version >= 0 && schema::objects(conn).map_err(ReadError::Sqlite)? == expected {
        return Ok(());
    }
    Err(ReadError::Store(StoreError::Tampered {
        path: path.to_owned(),
        what: format!(
            "its schema version says {version}, but its tables and triggers are not those of version {version} \
             (PRAGMA user_version was changed, or the schema edited)"
        ),
    }))
}

/// What the thing at `path` is when it is neither a regular file nor a directory.
fn not_a_file(path: &Path) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(path).ok()?.file_type();
    if kind.is_file() || kind.is_dir() {
        None
    } else if kind.is_fifo() {
        Some("a named pipe (FIFO)")
    } else if kind.is_char_device() || kind.is_block_device() {
        Some("a device")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

impl Store {
    /// Creates a new, empty log at `path`; refuses to touch an existing file.
    pub fn init(path: &Path, busy_timeout_ms: u32) -> Result<Store, StoreError> {
        if let Some(what) = not_a_file(path) {
            return Err(StoreError::NotAFile { path: path.to_owned(), what });
        }
        // A dangling symlink does not "exist", but SQLite would create its target.
        if path.exists() || path.symlink_metadata().is_ok() {
            return Err(StoreError::Exists { path: path.to_owned() });
        }
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !folder.is_dir() {
            return Err(StoreError::NoFolder { path: path.to_owned(), folder: folder.to_owned() });
        }
        let conn = Connection::open_with_flags(path, OPEN | OpenFlags::SQLITE_OPEN_CREATE)
            .map_err(|e| map_err(path, busy_timeout_ms, "creating the log", e))?;
        let mut store = Store { conn, path: path.to_owned(), busy_timeout_ms, identity: identity(path) };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing log, migrating an older schema forward.
    pub fn open(path: &Path, busy_timeout_ms: u32) -> Result<Store, StoreError> {
        Store::check_path(path)?;
        let conn = Connection::open_with_flags(path, OPEN)
            .map_err(|e| map_err(path, busy_timeout_ms, "opening the log", e))?;
        let mut store = Store { conn, path: path.to_owned(), busy_timeout_ms, identity: identity(path) };
        store.check_identity()?;
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing log for commands that only read: like [`Store::open`] where
    /// the file can be written (so an older schema is migrated and snapshots are
    /// saved), and read-only where it cannot — a read-only file, folder or mount.
    pub fn open_to_read(path: &Path, busy_timeout_ms: u32) -> Result<Store, StoreError> {
        match Store::open(path, busy_timeout_ms) {
            Err(StoreError::ReadOnly { .. }) => Store::open_read_only(path, busy_timeout_ms),
            other => other,
        }
    }

    fn open_read_only(path: &Path, busy_timeout_ms: u32) -> Result<Store, StoreError> {
        Store::check_path(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let err = |e| map_err(path, busy_timeout_ms, "opening the log to read", e);
        let conn = match Connection::open_with_flags(path, flags) {
            Ok(conn) => conn,
            Err(e) => return Err(err(e)),
        };
        let mut store = Store { conn, path: path.to_owned(), busy_timeout_ms, identity: identity(path) };
        if store.check_identity().is_err() || store.version().is_err() {
            // A WAL log on a read-only mount: SQLite cannot create the shared-memory
            // file it reads through. Nobody can write there either, so read the file
            // as immutable — unless events committed to its write-ahead log have not
            // reached the file yet: read as immutable, they would silently be missing.
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                return Err(StoreError::UnreadableWal { path: path.to_owned() });
            }
            let conn =
                Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI).map_err(err)?;
            store.conn = conn;
        }
        store.check_identity()?;
        store
            .conn
            .busy_timeout(Duration::from_millis(u64::from(busy_timeout_ms)))
            .map_err(store.err("setting the busy timeout"))?;
        let version = store.version()?;
        if version > schema::LATEST {
            return Err(StoreError::TooNew { path: path.to_owned(), found: version, known: schema::LATEST });
        }
        check_schema_of(&store.conn, version, path)
            .map_err(|e| e.into_store(path, busy_timeout_ms, "reading the schema"))?;
        if version < schema::LATEST {
            return Err(StoreError::NeedsUpgrade { path: path.to_owned(), found: version, known: schema::LATEST });
        }
        Ok(store)
    }

    /// Refuses a path that cannot be a log before SQLite opens it (SQLite would block
    /// on a FIFO, or read a device).
    fn check_path(path: &Path) -> Result<(), StoreError> {
        if path.is_dir() {
            return Err(StoreError::IsDirectory { path: path.to_owned() });
        }
        if let Some(what) = not_a_file(path) {
            return Err(StoreError::NotAFile { path: path.to_owned(), what });
        }
        if !path.exists() {
            return Err(StoreError::NotFound { path: path.to_owned() });
        }
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.len() == 0 {
                return Err(StoreError::Empty { path: path.to_owned() });
            }
            // SQLite keeps the write-ahead log beside the name it opened: writers
            // through two names of one file would each keep their own and corrupt it.
            if meta.nlink() > 1 {
                return Err(StoreError::HardLinked { path: path.to_owned(), links: meta.nlink() });
            }
        }
        Ok(())
    }

    /// A log in memory, for `demo` and tests: the same schema and code paths.
    pub fn in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| map_err(&path, 0, "creating the log", e))?;
        let mut store = Store { conn, path, busy_timeout_ms: 0, identity: None };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Fails when the file at the log's path is no longer the one this store opened
    /// (deleted, or replaced by another): then what was read or written went to a file
    /// nobody will find at the path.
    pub fn ensure_in_place(&self) -> Result<(), StoreError> {
        in_place(&self.path, self.identity)
    }

    /// The path the log lives at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |e| map_err(&self.path, self.busy_timeout_ms, context, e)
    }

    fn check_identity(&self) -> Result<(), StoreError> {
        let app_id: i32 =
            self.conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(self.err("reading its header"))?;
        if app_id == schema::APPLICATION_ID {
            return Ok(());
        }
        Err(StoreError::Foreign { path: self.path.clone() })
    }

    fn configure(&self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(Duration::from_millis(u64::from(self.busy_timeout_ms)))
            .map_err(self.err("setting the busy timeout"))?;
        // WAL lets readers see a consistent snapshot while one writer appends;
        // synchronous=FULL makes every commit durable across power loss.
        let _: String =
            self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(self.err("switching to WAL"))?;
        self.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(self.err("configuring durability"))
    }

    fn version(&self) -> Result<i64, StoreError> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(self.err("reading the schema version"))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version = self.version()?;
        if version > schema::LATEST {
            return Err(StoreError::TooNew { path: self.path.clone(), found: version, known: schema::LATEST });
        }
        if version == schema::LATEST {
            return Ok(());
        }
        let path = self.path.clone();
        let timeout = self.busy_timeout_ms;
        let err = |e| map_err(&path, timeout, "migrating the schema", e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        // Another process may have migrated while we waited for the lock.
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        // A migration runs only on the schema it was written for: a version number set
        // back (or a schema edited) would make it fail half-way, or do the wrong thing.
        check_schema_of(&tx, version, &path).map_err(|e| e.into_store(&path, timeout, "migrating the schema"))?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(err)?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(err)?;
        }
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Where the log ends.
    pub fn head(&self) -> Result<Head, StoreError> {
        head_of(&self.conn, &self.path).map_err(|e| e.into_store(&self.path, self.busy_timeout_ms, "reading the head"))
    }

    /// The number of events in the log (equal to the head's seq: seq is gap-free).
    pub fn count(&self) -> Result<u64, StoreError> {
        self.conn
            // seq is gap-free, so the last one is the count: one lookup, not a scan.
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(self.err("counting events"))
    }

    /// Appends a batch in one transaction: every line is checked (parsed lines against
    /// the log and the lines before it), and only if all pass is anything committed.
    ///
    /// `lines` yields each input line's number and its parse result. A line whose id
    /// is already in the log with the same facts is skipped as [`Outcome::Existing`];
    /// with other facts it is rejected. `on_outcome` sees each accepted line, which is
    /// how the CLI drives a progress bar.
    pub fn append(
        &mut self,
        lines: impl IntoIterator<Item = (usize, Result<impl Into<Incoming>, FieldError>)>,
        stamp: Stamp<'_>,
        expect_head: Option<u64>,
        on_outcome: &mut dyn FnMut(&Outcome),
    ) -> Result<(), StoreError> {
        let path = &self.path.clone();
        let timeout = self.busy_timeout_ms;
        let err = |context| move |e| map_err(path, timeout, context, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("waiting for the write lock"))?;
        let mut head = head_of(&tx, path).map_err(|e| e.into_store(path, timeout, "reading the head"))?;
        if let Some(expected) = expect_head
            && expected != head.seq
        {
            return Err(StoreError::Conflict { expected, actual: head.seq });
        }
        let mut problems = Vec::new();
        let mut unchecked = false;
        let mut cache = KnownCache::new();
        let mut inserts = Inserts::prepare(&tx).map_err(err("appending an event"))?;
        for (line_no, parsed) in lines {
            if problems.len() >= MAX_PROBLEMS {
                unchecked = true;
                break;
            }
            let mut fail = |error: FieldError| problems.push(LineProblem { line: line_no, error });
            let incoming = match parsed {
                Ok(line) => line.into(),
                Err(e) => {
                    fail(e);
                    continue;
                }
            };
            match admit(&tx, incoming, &head, stamp, &mut cache).map_err(err("checking an event"))? {
                Admit::Existing(outcome) => on_outcome(&outcome),
                Admit::Rejected(errors) => errors.into_iter().for_each(&mut fail),
                Admit::New(new) => {
                    let (record, body) = *new;
                    inserts.run(&record, &body).map_err(|e| match e {
                        rusqlite::Error::StatementChangedRows(_) => StoreError::Tampered {
                            path: path.clone(),
                            what: format!(
                                "the event for seq {} was not stored although the insert ran: a trigger that is \
                                 not entente's intercepts appends; nothing was written",
                                record.seq
                            ),
                        },
                        e => err("appending an event")(e),
                    })?;
                    // Declarations only: a name is declared once, events number as many
                    // as the batch (a reference to one is a lookup in this transaction).
                    cache.learn(&record);
                    if let Payload::EventRetracted(r) = &record.event.facts.payload {
                        forget_retracted(&tx, r.target, record.seq, &mut cache).map_err(err("checking an event"))?;
                    }
                    head = Head { seq: record.seq, hash: record.hash, recorded_at: Some(record.event.recorded_at) };
                    on_outcome(&Outcome::Appended { seq: record.seq, id: record.event.id });
                }
            }
        }
        drop(inserts);
        if !problems.is_empty() {
            // Dropping the transaction rolls back everything this batch wrote.
            return Err(StoreError::Rejected { problems, unchecked });
        }
        // Before committing: a log replaced meanwhile gets nothing (the batch rolls
        // back); after: the narrow window between the two is reported too.
        in_place(path, self.identity)?;
        tx.commit().map_err(err("committing"))?;
        self.ensure_in_place()
    }

    /// Calls `each` with every record matching `filter`, in log order. The records are
    /// lent: each is freed by the thread that parsed it, which is cheaper than freeing
    /// it here.
    pub fn records<E: From<StoreError>>(
        &self,
        filter: &Filter,
        mut each: impl FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), E> {
        use rusqlite::types::Value;
        // Each record's previous hash is the hash of the row before it in a full scan;
        // only after a gap left by a filter is it looked up.
        let mut sql = "SELECT e.seq, e.body, e.hash FROM events e".to_owned();
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if !filter.kinds.is_empty() {
            clauses.push(format!("e.kind IN ({})", vec!["?"; filter.kinds.len()].join(",")));
            args.extend(filter.kinds.iter().map(|k| Value::Text(k.name().to_owned())));
        }
        // The text filter compares folded keys, which SQL cannot (its lower() knows only
        // ASCII, and nothing of NFC): it runs on the parsing threads, on each stored body
        // before it is parsed, so only matching events are parsed.
        let needle = filter.text.as_deref().map(crate::text::folded);
        let needle = needle.as_deref();
        if let Some(after) = filter.after {
            clauses.push("e.seq > ?".to_owned());
            args.push(Value::Integer(after as i64));
        }
        if let Some(until) = filter.until {
            clauses.push("e.seq <= ?".to_owned());
            args.push(Value::Integer(until as i64));
        }
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY e.seq");
        let mut stmt = self.conn.prepare(&sql).map_err(self.err("reading events"))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(self.err("reading events"))?;
        let mut hash_at = self.conn.prepare(HASH_AT).map_err(self.err("reading events"))?;
        let mut last: Option<(u64, Vec<u8>)> = None;
        // This thread reads rows and hands them out in order; parsing threads (one per
        // core) parse them meanwhile, taking chunks in turn (parsing is most of the
        // cost of reading the log).
        let path = &self.path;
        let parsers = cores().min(4);
        std::thread::scope(|scope| {
            let mut lanes = Vec::with_capacity(parsers);
            for _ in 0..parsers {
                // Twice as deep as needed for chunks to parse, so the chunks coming
                // back to be freed never make the reader wait.
                let (raw_out, raw_in) = std::sync::mpsc::sync_channel::<Lane>(2 * CHUNKS_AHEAD);
                let (parsed_out, parsed_in) = std::sync::mpsc::sync_channel::<Parsed>(CHUNKS_AHEAD);
                scope.spawn(move || {
                    for work in raw_in {
                        let chunk = match work {
                            Lane::Parse(chunk) => chunk,
                            Lane::Free(parsed) => {
                                drop(parsed);
                                continue;
                            }
                        };
                        let parsed = chunk
                            .iter()
                            .filter(|raw| needle.is_none_or(|n| crate::text::folded(&raw.body).contains(n)))
                            .map(|raw| {
                                raw.to_record().map_err(|message| StoreError::Corrupt {
                                    path: path.clone(),
                                    seq: raw.seq,
                                    message,
                                })
                            })
                            .collect();
                        // A closed channel means the reader stopped early.
                        if parsed_out.send(parsed).is_err() {
                            return;
                        }
                    }
                });
                lanes.push((raw_out, parsed_in));
            }
            let mut hand_out = |chunk: &Parsed| -> Result<(), E> {
                for record in chunk {
                    let record = record.as_ref().map_err(StoreError::clone)?;
                    if filter.matches(record) {
                        each(record)?;
                    }
                }
                Ok(())
            };
            // Chunk n goes to lane n % parsers and comes back from it in the same turn,
            // so records come out in log order. At most CHUNKS_AHEAD chunks are out at
            // once, so no channel fills.
            let (mut sent, mut received) = (0usize, 0usize);
            let mut done = false;
            while !done {
                let mut chunk = Vec::with_capacity(RECORDS_CHUNK);
                while chunk.len() < RECORDS_CHUNK {
                    let Some(row) = rows.next().map_err(self.err("reading events"))? else {
                        done = true;
                        break;
                    };
                    // The track filter reads the head of each body, so only matching
                    // events are parsed whole (a canonical body always has one;
                    // `Filter::matches` covers any other).
                    if let Some(track) = &filter.track
                        && let Ok(body) = row.get_ref(RECORD_BODY).and_then(|v| Ok(v.as_str()?))
                        && let Some(head) = crate::event::canonical_head(body)
                        && !head.tracks().any(|t| t == track)
                    {
                        continue;
                    }
                    let raw = read_after(row, last.as_ref(), &mut hash_at).map_err(self.err("reading events"))?;
                    last = Some((raw.seq, raw.hash.clone()));
                    chunk.push(raw);
                }
                if !chunk.is_empty() {
                    lanes[sent % parsers].0.send(Lane::Parse(chunk)).map_err(|_| self.parser_gone())?;
                    sent += 1;
                }
                while received < sent && (sent - received == CHUNKS_AHEAD || done) {
                    let (to_lane, from_lane) = &lanes[received % parsers];
                    let parsed = from_lane.recv().map_err(|_| self.parser_gone())?;
                    hand_out(&parsed)?;
                    to_lane.send(Lane::Free(parsed)).map_err(|_| self.parser_gone())?;
                    received += 1;
                }
            }
            Ok(())
        })
    }

    /// A parsing thread of [`Store::records`] ended before its reader: it panicked.
    fn parser_gone(&self) -> StoreError {
        StoreError::Bug { path: self.path.clone(), context: "parsing events" }
    }

    /// The record with this id.
    pub fn by_id(&self, id: EventId) -> Result<Option<Record>, StoreError> {
        self.one(&format!("SELECT {RECORD} FROM events e WHERE e.id = ?"), id.0.as_bytes().to_vec())
    }

    /// The seq of the event with this id.
    pub fn seq_of(&self, id: EventId) -> Result<Option<u64>, StoreError> {
        self.conn
            .prepare_cached("SELECT seq FROM events WHERE id = ?")
            .and_then(|mut stmt| stmt.query_row([id.0.as_bytes().as_slice()], |r| r.get::<_, i64>(0)).optional())
            .map(|seq| seq.map(|s| s as u64))
            .map_err(self.err("looking up an id"))
    }

    /// The record at this seq.
    pub fn by_seq(&self, seq: u64) -> Result<Option<Record>, StoreError> {
        self.one(&format!("SELECT {RECORD} FROM events e WHERE e.seq = ?"), seq as i64)
    }

    /// The ids that start with `prefix` (lower-case hex with dashes), at most `limit`.
    pub fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<EventId>, StoreError> {
        // Ids are stored as 16-byte blobs; hex(id) is upper-case without dashes.
        let needle = prefix.replace('-', "").to_ascii_uppercase();
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM events WHERE substr(hex(id), 1, ?) = ? LIMIT ?")
            .map_err(self.err("looking up an id"))?;
        let rows = stmt
            .query_map(params![needle.len() as i64, needle, limit as i64], |r| r.get::<_, Vec<u8>>(0))
            .map_err(self.err("looking up an id"))?;
        let mut ids = Vec::new();
        for row in rows {
            let bytes = row.map_err(self.err("looking up an id"))?;
            if let Ok(uuid) = uuid::Uuid::from_slice(&bytes) {
                ids.push(EventId(uuid));
            }
        }
        Ok(ids)
    }

    fn one<P: rusqlite::ToSql>(&self, sql: &str, arg: P) -> Result<Option<Record>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err("reading an event"))?;
        let mut rows = stmt.query([arg]).map_err(self.err("reading an event"))?;
        match rows.next().map_err(self.err("reading an event"))? {
            Some(row) => self.record_from_row(row).map(Some),
            None => Ok(None),
        }
    }

    fn record_from_row(&self, row: &rusqlite::Row<'_>) -> Result<Record, StoreError> {
        let raw = read_raw(row).map_err(self.err("reading an event"))?;
        raw.to_record().map_err(|message| StoreError::Corrupt { path: self.path.clone(), seq: raw_seq(row), message })
    }

    /// Every correction, retraction and dispute of the event `id`, in log order.
    pub fn amendments_of(&self, id: EventId) -> Result<Vec<Record>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD} FROM amendments a JOIN events e ON e.seq = a.seq WHERE a.target = ? ORDER BY a.seq"
            ))
            .map_err(self.err("reading an event's history"))?;
        let mut rows = stmt.query([id.0.as_bytes().as_slice()]).map_err(self.err("reading an event's history"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(self.err("reading an event's history"))? {
            out.push(self.record_from_row(row)?);
        }
        Ok(out)
    }

    /// Recomputes the hash chain in log order, checks that each body agrees with its
    /// indexed columns and that recording times never go back, and that the append-only
    /// triggers are in place; when `deep`, also re-reads every event against its schema.
    /// Stops at the first problem. `tick` is told how many rows were read, a batch at a time.
    pub fn verify(&self, deep: bool, tick: &mut dyn FnMut(u64)) -> Result<Verdict, StoreError> {
        // One read transaction: the schema, the chain and the derived tables are all
        // checked as of the same state of the log.
        self.consistent(|store| {
            if let Some(problem) = store.check_schema()? {
                return Ok(Chain::default().verdict(Some(problem)));
            }
            let verdict = store.check_chain(deep, tick)?;
            if verdict.problem.is_some() {
                return Ok(verdict);
            }
            let problem = store.check_derived()?;
            Ok(Verdict { problem, ..verdict })
        })
    }

    /// Compares the file's tables, indexes and triggers — each by its full SQL — with
    /// what this entente's migrations create: a trigger dropped, replaced by a no-op of
    /// the same name, or added (one that writes behind each append), an index or a
    /// table changed, all differ.
    fn check_schema(&self) -> Result<Option<Tamper>, StoreError> {
        let expected = schema::expected(schema::LATEST).map_err(self.err("reading the schema"))?;
        let actual = schema::objects(&self.conn).map_err(self.err("reading the schema"))?;
        let describe = |o: &schema::Object| format!("{} `{}`", o.0, o.1);
        let what = if let Some(missing) = expected.iter().find(|e| !actual.iter().any(|a| a.1 == e.1)) {
            let guard = if missing.0 == "trigger" { " that keeps the log append-only" } else { "" };
            format!("the {}{guard} is missing", describe(missing))
        } else if let Some(changed) = expected.iter().find(|e| !actual.contains(e)) {
            format!("the {} differs from the one entente creates (its SQL was replaced)", describe(changed))
        } else if let Some(extra) = actual.iter().find(|a| !expected.contains(a)) {
            format!("the log holds a {} that entente never creates", describe(extra))
        } else {
            return Ok(None);
        };
        Ok(Some(Tamper { seq: None, what: format!("{what}: the file was changed outside entente") }))
    }

    /// Checks every table derived from the events against what the events imply: the
    /// declared names, the index of corrections, retractions and disputes, and that each
    /// snapshot is bound to the hash the log has at its seq. The first disagreement.
    fn check_derived(&self) -> Result<Option<Tamper>, StoreError> {
        let implied = self.derived_from_chain()?;
        if let Some((seq, what)) = implied.twice {
            return Ok(Some(Tamper { seq: Some(seq), what: format!("it {what}") }));
        }
        let stored = self.derived_in_tables()?;
        let problem = |what: String| Ok(Some(Tamper { seq: None, what }));
        for (name, seq) in &stored.names {
            match implied.names.get(name) {
                None => {
                    return problem(format!(
                        "the `names` table lists {} `{}` (at seq {seq}), which no event declares",
                        name.0, name.1
                    ));
                }
                Some(declared) if declared != seq => {
                    return problem(format!(
                        "the `names` table says {} `{}` was declared at seq {seq}; the events declare it at seq {declared}",
                        name.0, name.1
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some((name, seq)) = implied.names.iter().find(|(name, _)| !stored.names.contains_key(*name)) {
            return problem(format!(
                "the `names` table lacks {} `{}`, which the event at seq {seq} declares",
                name.0, name.1
            ));
        }
        if let Some((target, seq)) = stored.amendments.difference(&implied.amendments).next() {
            return problem(format!(
                "the `amendments` table lists seq {seq} as speaking about event {}, which the events do not say",
                hex::encode(target)
            ));
        }
        if let Some((_, seq)) = implied.amendments.difference(&stored.amendments).next() {
            return problem(format!(
                "the `amendments` table lacks the correction, retraction or dispute at seq {seq}: \
                 reports would ignore it"
            ));
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.name, s.seq, s.hash IS (SELECT e.hash FROM events e WHERE e.seq = s.seq) FROM snapshots s
                 ORDER BY s.name",
            )
            .map_err(self.err("checking snapshots"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, bool>(2)?)))
            .map_err(self.err("checking snapshots"))?;
        for row in rows {
            let (name, seq, bound) = row.map_err(self.err("checking snapshots"))?;
            if !bound {
                return problem(format!(
                    "the `snapshots` table's `{name}` snapshot claims to be folded at seq {seq}, but its hash is not \
                     the log's hash at that seq"
                ));
            }
        }
        Ok(None)
    }

    /// The names and amendments the events imply: what the log's own appends wrote.
    /// A name the log lets be declared once, declared twice, means an append was let
    /// through while the `names` index was edited: that is a problem of the chain
    /// itself, which no rebuild mends.
    fn derived_from_chain(&self) -> Result<Derived, StoreError> {
        let mut derived = Derived::default();
        let filter =
            Filter { kinds: Kind::ALL.iter().copied().filter(|k| k.declares()).collect(), ..Filter::default() };
        self.records(&filter, |record| {
            for name in record.event.declarations() {
                // The first declaration holds the name (INSERT OR IGNORE).
                let key = (name.namespace().to_owned(), name.key());
                match derived.names.get(&key) {
                    Some(first)
                        if derived.twice.is_none() && !matches!(name, Name::Instrument(_) | Name::Withdrawn(_)) =>
                    {
                        derived.twice = Some((
                            record.seq,
                            format!(
                                "declares {} `{}` again, which seq {first} declared: the log refuses that, so it \
                                 was appended while the `names` table had been edited. Reports about `{}` mix both; \
                                 retract the one that is wrong",
                                key.0, key.1, key.1
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        derived.names.insert(key, record.seq);
                    }
                }
            }
            if let Some(target) = record.event.facts.payload.target() {
                derived.amendments.insert((target.0.as_bytes().to_vec(), record.seq));
            }
            Ok::<(), StoreError>(())
        })?;
        Ok(derived)
    }

    /// The names and amendments the derived tables hold.
    fn derived_in_tables(&self) -> Result<Derived, StoreError> {
        let err = self.err("reading the derived tables");
        let mut derived = Derived::default();
        let mut stmt = self.conn.prepare("SELECT namespace, key, seq FROM names").map_err(&err)?;
        let rows = stmt
            .query_map([], |r| Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, i64>(2)? as u64)))
            .map_err(&err)?;
        for row in rows {
            let (name, seq) = row.map_err(&err)?;
            derived.names.insert(name, seq);
        }
        let mut stmt = self.conn.prepare("SELECT target, seq FROM amendments").map_err(&err)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)? as u64))).map_err(&err)?;
        for row in rows {
            derived.amendments.insert(row.map_err(&err)?);
        }
        Ok(derived)
    }

    /// Rebuilds every derived table from the events, in one transaction: names and
    /// amendments are written anew (their triggers lifted for the rebuild and restored
    /// with the SQL entente creates them with), and snapshots are dropped.
    pub fn rebuild_derived(&self) -> Result<(), StoreError> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(self.err("waiting for the write lock"))?;
        let derived = self.derived_from_chain()?;
        if let Some((seq, what)) = derived.twice {
            // Rebuilding would hide it; `verify` names it.
            return Err(StoreError::Tampered {
                path: self.path.clone(),
                what: format!("the event at seq {seq} {what}; nothing was rebuilt"),
            });
        }
        let err = self.err("rebuilding the derived tables");
        let triggers: Vec<String> = schema::expected(schema::LATEST)
            .map_err(&err)?
            .into_iter()
            .filter(|o| o.0 == "trigger" && schema::DERIVED.contains(&o.2.as_str()))
            .filter_map(|o| o.3)
            .collect();
        for table in schema::DERIVED {
            let mut stmt =
                tx.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?").map_err(&err)?;
            let names: Vec<String> =
                stmt.query_map([table], |r| r.get(0)).map_err(&err)?.collect::<Result<_, _>>().map_err(&err)?;
            for name in names {
                tx.execute_batch(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\""))).map_err(&err)?;
            }
            tx.execute_batch(&format!("DELETE FROM {table}")).map_err(&err)?;
        }
        tx.execute_batch("DELETE FROM snapshots").map_err(&err)?;
        {
            let mut names = tx.prepare("INSERT INTO names (namespace, key, seq) VALUES (?, ?, ?)").map_err(&err)?;
            for ((namespace, key), seq) in &derived.names {
                names.execute(params![namespace, key, *seq as i64]).map_err(&err)?;
            }
            let mut amendments = tx.prepare("INSERT INTO amendments (target, seq) VALUES (?, ?)").map_err(&err)?;
            for (target, seq) in &derived.amendments {
                amendments.execute(params![target, *seq as i64]).map_err(&err)?;
            }
        }
        for sql in triggers {
            tx.execute_batch(&sql).map_err(&err)?;
        }
        tx.commit().map_err(self.err("committing"))
    }

    /// Recomputes the hash chain; see [`Store::verify`].
    fn check_chain(&self, deep: bool, tick: &mut dyn FnMut(u64)) -> Result<Verdict, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, body, hash, id, kind FROM events ORDER BY seq")
            .map_err(self.err("verifying"))?;
        let mut rows = stmt.query([]).map_err(self.err("verifying"))?;
        // This thread reads chunks of rows; a second one checks them meanwhile. Chunk
        // buffers go back and forth, so reading allocates only for the first two.
        let (full, to_check) = std::sync::mpsc::sync_channel::<Vec<VerifyRow>>(1);
        let (checked, empty) = std::sync::mpsc::channel::<Vec<VerifyRow>>();
        std::thread::scope(|scope| {
            let checker = scope.spawn(move || {
                let mut chain = Chain::default();
                for chunk in to_check {
                    if let Some(verdict) = chain.check(&chunk, deep)? {
                        return Ok(verdict);
                    }
                    // The reader may have finished: then nobody needs the buffer back.
                    checked.send(chunk).ok();
                }
                Ok(chain.verdict(None))
            });
            let mut read = || -> Result<(), StoreError> {
                loop {
                    let mut chunk = empty.try_recv().unwrap_or_default();
                    let mut filled = 0;
                    while filled < VERIFY_CHUNK {
                        let Some(row) = rows.next().map_err(self.err("verifying"))? else { break };
                        if filled == chunk.len() {
                            chunk.push(VerifyRow::default());
                        }
                        chunk[filled].read(row).map_err(self.err("verifying"))?;
                        filled += 1;
                    }
                    chunk.truncate(filled);
                    if filled == 0 {
                        return Ok(());
                    }
                    tick(filled as u64);
                    if full.send(chunk).is_err() {
                        // The checker stopped at a problem.
                        return Ok(());
                    }
                }
            };
            let outcome = read();
            drop(full);
            let bug = || StoreError::Bug { path: self.path.clone(), context: "verifying" };
            let verdict = checker.join().map_err(|_| bug())?.map_err(|()| bug())?;
            outcome.map(|()| verdict)
        })
    }

    /// Runs `reads` in one read transaction: every query inside sees the same state of
    /// the log, however many writers commit meanwhile (WAL snapshot isolation).
    pub fn consistent<T, E: From<StoreError>>(&self, reads: impl FnOnce(&Store) -> Result<T, E>) -> Result<T, E> {
        let tx = self.conn.unchecked_transaction().map_err(self.err("starting a read"))?;
        let result = reads(self)?;
        tx.commit().map_err(self.err("ending a read"))?;
        self.ensure_in_place()?;
        Ok(result)
    }

    /// The saved snapshot `name`: the seq it was taken at and its state — only while it
    /// is bound to the log, that is, the log still has at that seq the hash the snapshot
    /// was folded at. A snapshot whose seq was moved, or that outlived a log rewritten
    /// under it, is not returned (the caller rebuilds it).
    pub fn snapshot(&self, name: &str) -> Result<Option<(u64, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT s.seq, s.state FROM snapshots s JOIN events e ON e.seq = s.seq AND e.hash = s.hash
                 WHERE s.name = ?",
                [name],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(self.err("reading a snapshot"))
    }

    /// Saves snapshot `name` folded at `seq`, bound to the log's hash there, replacing
    /// the previous one. Best effort for a reader, and never a wait: when another
    /// process holds the write lock, or the file is read-only, the snapshot is not saved
    /// and `Ok(false)` says so.
    pub fn save_snapshot(&self, name: &str, seq: u64, state: &str) -> Result<bool, StoreError> {
        let no_wait = self.conn.busy_timeout(Duration::ZERO);
        let saved = no_wait.and_then(|()| {
            self.conn.execute(
                "INSERT INTO snapshots (name, seq, hash, state) SELECT ?1, seq, hash, ?3 FROM events WHERE seq = ?2
                 ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, state = excluded.state",
                params![name, seq as i64, state],
            )
        });
        self.conn
            .busy_timeout(Duration::from_millis(u64::from(self.busy_timeout_ms)))
            .map_err(self.err("setting the busy timeout"))?;
        match saved {
            Ok(_) => Ok(true),
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::ReadOnly)
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(self.err("saving a snapshot")(e)),
        }
    }

    /// The saved snapshot `name` as stored, bound or not, with the seq it claims: for
    /// `verify`, which checks its state against the events.
    pub fn stored_snapshot(&self, name: &str) -> Result<Option<(u64, String)>, StoreError> {
        self.conn
            .query_row("SELECT seq, state FROM snapshots WHERE name = ?", [name], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
            })
            .optional()
            .map_err(self.err("reading a snapshot"))
    }

    /// Every correction, retraction and dispute in the log, in log order.
    pub fn all_amendments(&self) -> Result<Vec<Record>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {RECORD} FROM amendments a JOIN events e ON e.seq = a.seq ORDER BY a.seq"))
            .map_err(self.err("reading amendments"))?;
        let mut rows = stmt.query([]).map_err(self.err("reading amendments"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(self.err("reading amendments"))? {
            out.push(self.record_from_row(row)?);
        }
        Ok(out)
    }

    /// True when a correction, retraction or dispute was recorded after `seq`.
    /// Read from the events themselves (their kind column, which `verify` holds to each
    /// body), not the `amendments` index: a snapshot is never kept past an amendment
    /// because a derived row went missing. Only the events after `seq` are looked at.
    pub fn amended_after(&self, seq: u64) -> Result<bool, StoreError> {
        let meta: Vec<String> = Kind::ALL.iter().filter(|k| k.is_meta()).map(|k| format!("'{}'", k.name())).collect();
        self.conn
            .query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM events WHERE seq > ? AND kind IN ({}))", meta.join(", ")),
                [seq as i64],
                |r| r.get(0),
            )
            .map_err(self.err("reading amendments"))
    }

    /// Every record as an export line, in log order.
    pub fn export_lines<E: From<StoreError>>(&self, mut each: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let mut stmt = self
            .conn
            .prepare("SELECT e.seq, e.body, e.hash FROM events e ORDER BY e.seq")
            .map_err(self.err("exporting"))?;
        let mut hash_at = self.conn.prepare(HASH_AT).map_err(self.err("exporting"))?;
        let mut rows = stmt.query([]).map_err(self.err("exporting"))?;
        let mut last: Option<(u64, Vec<u8>)> = None;
        while let Some(row) = rows.next().map_err(self.err("exporting"))? {
            let raw = read_after(row, last.as_ref(), &mut hash_at).map_err(self.err("exporting"))?;
            let (prev, hash) = match (raw.prev_hash(), raw.hash()) {
                (Some(p), Some(h)) => (p, h),
                _ => {
                    return Err(StoreError::Corrupt {
                        path: self.path.clone(),
                        seq: raw.seq,
                        message: "a stored hash is not 32 bytes".to_owned(),
                    }
                    .into());
                }
            };
            each(&record_line(raw.seq, &raw.body, prev, hash))?;
            last = Some((raw.seq, raw.hash));
        }
        Ok(())
    }
}

fn raw_seq(row: &rusqlite::Row<'_>) -> u64 {
    row.get::<_, i64>(0).map(|s| s as u64).unwrap_or(0)
}

/// The columns every record read selects from `events e`: seq, body, the previous
/// row's hash (zeros before seq 1), hash.
const RECORD: &str =
    "e.seq, e.body, COALESCE((SELECT p.hash FROM events p WHERE p.seq = e.seq - 1), zeroblob(32)), e.hash";
/// The column of [`RECORD`] that holds the body.
const RECORD_BODY: usize = 1;

/// A row as stored, before it is parsed.
struct RawRow {
    seq: u64,
    body: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

/// Looks up the hash at a seq: for [`read_after`], when a scan skipped the row before.
const HASH_AT: &str = "SELECT hash FROM events WHERE seq = ?";

/// Reads a row of `seq, body, hash` that comes after `last` (seq and hash) in a scan;
/// its previous hash is `last`'s when they are adjacent, else looked up with `hash_at`
/// (a statement of [`HASH_AT`]).
fn read_after(
    row: &rusqlite::Row<'_>,
    last: Option<&(u64, Vec<u8>)>,
    hash_at: &mut rusqlite::Statement<'_>,
) -> rusqlite::Result<RawRow> {
    let seq = row.get::<_, i64>(0)? as u64;
    let prev_hash = match last {
        Some((before, hash)) if before + 1 == seq => hash.clone(),
        _ if seq <= 1 => Hash::GENESIS.0.to_vec(),
        // As in RECORD: zeros when there is no row before.
        _ => hash_at.query_row([seq as i64 - 1], |r| r.get(0)).optional()?.unwrap_or_else(|| Hash::GENESIS.0.to_vec()),
    };
    Ok(RawRow { seq, body: row.get(1)?, prev_hash, hash: row.get(2)? })
}

fn read_raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow { seq: row.get::<_, i64>(0)? as u64, body: row.get(1)?, prev_hash: row.get(2)?, hash: row.get(3)? })
}

impl RawRow {
    fn prev_hash(&self) -> Option<Hash> {
        self.prev_hash.as_slice().try_into().ok().map(Hash)
    }

    fn hash(&self) -> Option<Hash> {
        self.hash.as_slice().try_into().ok().map(Hash)
    }

    fn to_record(&self) -> Result<Record, String> {
        let line = parse_line(&self.body).map_err(|e| match e.field {
            Some(f) => format!("{f}: {}", e.message),
            None => e.message,
        })?;
        let event = event_from_stored(line)?;
        let (prev_hash, hash) = match (self.prev_hash(), self.hash()) {
            (Some(p), Some(h)) => (p, h),
            _ => return Err("a stored hash is not 32 bytes".to_owned()),
        };
        Ok(Record { seq: self.seq, event, prev_hash, hash })
    }
}

/// A stored body as an event; `None` when it does not read (`verify` says why).
fn stored_event(body: &str) -> Option<Event> {
    parse_line(body).ok().and_then(|line| event_from_stored(line).ok())
}

fn event_from_stored(line: Line) -> Result<Event, String> {
    match (line.id, line.recorded_at, line.recorded_by) {
        (Some(id), Some(recorded_at), Some(recorded_by)) => {
            Ok(Event { id, recorded_at, recorded_by, facts: line.facts })
        }
        _ => Err("the stored body lacks its id, recorded_at or recorded_by".to_owned()),
    }
}

/// Where the log ends, read from its last row. A last row whose hash or recording time
/// does not read is corruption, never an empty log: appending after it would chain onto
/// the genesis hash, or stamp a time earlier than the log's own.
fn head_of(conn: &Connection, path: &Path) -> Result<Head, ReadError> {
    let row = conn
        .query_row(
            "SELECT seq, hash, json_extract(body, '$.recorded_at') FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get_ref(1)?.as_blob().ok().map(<[u8]>::to_vec),
                    r.get_ref(2)?.as_str().ok().map(str::to_owned),
                ))
            },
        )
        .optional()
        .map_err(ReadError::Sqlite)?;
    let Some((seq, hash, at)) = row else { return Ok(Head { seq: 0, hash: Hash::GENESIS, recorded_at: None }) };
    let seq = seq as u64;
    let corrupt = |message: &str| {
        ReadError::Store(StoreError::Corrupt { path: path.to_owned(), seq, message: message.to_owned() })
    };
    let hash = hash
        .and_then(|h| <[u8; 32]>::try_from(h.as_slice()).ok())
        .map(Hash)
        .ok_or_else(|| corrupt("its stored hash is not 32 bytes"))?;
    let recorded_at = at
        .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| corrupt("its recorded_at is missing or not an RFC 3339 time"))?;
    Ok(Head { seq, hash, recorded_at: Some(recorded_at) })
}

/// Why a read of the log's state failed: SQLite failed, or what it read is corrupt.
enum ReadError {
    Sqlite(rusqlite::Error),
    Store(StoreError),
}

impl ReadError {
    fn into_store(self, path: &Path, waited_ms: u32, context: &'static str) -> StoreError {
        match self {
            ReadError::Sqlite(e) => map_err(path, waited_ms, context, e),
            ReadError::Store(e) => e,
        }
    }
}

enum Admit {
    /// A new record, with its canonical body (serialized once, for hash and row).
    New(Box<(Record, String)>),
    Existing(Outcome),
    Rejected(Vec<FieldError>),
}

fn problem(field: &str, message: String) -> Admit {
    Admit::Rejected(vec![FieldError { field: Some(field.to_owned()), message, hint: None }])
}

/// Decides what to do with one parsed line, given where the log (and the batch so
/// far) ends.
fn admit(
    conn: &Connection,
    Incoming { line, template }: Incoming,
    head: &Head,
    stamp: Stamp<'_>,
    cache: &mut KnownCache,
) -> rusqlite::Result<Admit> {
    if let Some(id) = line.id
        && let Some((seq, stored)) = stored_facts(conn, id)?
    {
        // An export line is the same event only with the same place in the chain: the
        // same facts recorded at another time, by another recorder, are another log.
        if let Some(claimed) = line.hash {
            let hash: Option<Vec<u8>> = conn
                .prepare_cached("SELECT hash FROM events WHERE seq = ?")?
                .query_row([seq as i64], |r| r.get(0))
                .optional()?;
            if hash.as_deref() != Some(claimed.0.as_slice()) {
                return Ok(problem(
                    "hash",
                    format!(
                        "event {id} is already in the log at seq {seq}, but with another hash: it was recorded \
                         differently there (another time, recorder or place in the chain), so this file is not an \
                         export of this log"
                    ),
                ));
            }
        }
        return Ok(if stored == line.facts {
            Admit::Existing(Outcome::Existing { seq, id })
        } else {
            problem(
                "id",
                format!(
                    "event {id} is already in the log at seq {seq} with different content; \
                     logged events are never edited: give this event a new id"
                ),
            )
        });
    }
    let seq = head.seq + 1;
    let carries_chain = line.seq.is_some() || line.prev_hash.is_some() || line.hash.is_some();
    if carries_chain {
        if line.seq != Some(seq) {
            let claimed = line.seq.map_or("no seq".to_owned(), |s| format!("seq {s}"));
            return Ok(problem(
                "seq",
                format!(
                    "the line carries {claimed} but would land at seq {seq}: an exported log imports \
                     only where it continues the log (a fresh log for a whole export). \
                     To import its events as new ones, remove seq, prev_hash and hash from each line"
                ),
            ));
        }
        if line.prev_hash != Some(head.hash) {
            return Ok(problem(
                "prev_hash",
                format!(
                    "the line does not follow the log's head (hash {}): lines are missing or out of order",
                    head.hash
                ),
            ));
        }
    }
    let recorded_at = match recorded_at(line.recorded_at, head.recorded_at, stamp.now) {
        Ok(at) => at,
        Err(message) => return Ok(problem("recorded_at", message)),
    };
    learn_names(conn, &line.facts.references(), cache)?;
    if let Err(errors) = validate(&line.facts, &*cache) {
        return Ok(Admit::Rejected(errors));
    }
    if let Payload::EventCorrected(correction) = &line.facts.payload
        && let Some(errors) = check_correction(conn, correction, cache)?
    {
        return Ok(Admit::Rejected(errors));
    }
    let claimed = line.hash;
    let event = Event {
        id: line.id.unwrap_or_else(|| stamp.ids.event_id(seq)),
        recorded_at,
        recorded_by: line.recorded_by.unwrap_or_else(|| stamp.recorded_by.to_owned()),
        facts: line.facts,
    };
    let body = template.fill(&event.id, &event.recorded_at, &event.recorded_by);
    let record = Record { seq, hash: chain_hash(head.hash, seq, &body), prev_hash: head.hash, event };
    if claimed.is_some_and(|claimed| claimed != record.hash) {
        return Ok(problem(
            "hash",
            "the line's hash does not match its content: it was changed after export (or exported by a broken tool)"
                .to_owned(),
        ));
    }
    Ok(Admit::New(Box::new((record, body))))
}

/// How far ahead of the clock a recording time may be: enough for clocks of a team's
/// machines to disagree a little, not enough to hide events from `--known-at` today.
pub const FUTURE_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The recording time of a new event: the line's own (an import), or the clock's,
/// never earlier than the log's last (`last`) and strictly after it when stamped — so
/// any two stamped events can be told apart by a `--known-at` cut-off, even under a
/// fixed clock. Never later than the clock plus [`FUTURE_TOLERANCE`], and always a time
/// the canonical encoding can write; `Err` says why not.
fn recorded_at(
    claimed: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    use crate::event::{format_recorded_at as show, recordable};
    let limit = now.checked_add_signed(FUTURE_TOLERANCE).unwrap_or(now);
    let at = match (claimed, last) {
        (Some(at), _) if !recordable(&at) => {
            return Err(format!(
                "{} lies outside the years 0001 to 9999 (UTC) that a recording time is written in",
                at.to_rfc3339()
            ));
        }
        (Some(at), Some(last)) if at < last => {
            return Err(format!(
                "{} is earlier than the log's last recording ({}); recording times never go back. \
                 Import into a fresh log, or drop recorded_at to have the event stamped now",
                show(&at),
                show(&last)
            ));
        }
        (Some(at), _) if at > limit => {
            return Err(format!(
                "{} is later than this machine's clock ({}) by more than {} minutes; a log records when \
                 events were recorded, never a time to come. Check the line (or the clock), or drop \
                 recorded_at to have the event stamped now",
                show(&at),
                show(&now),
                FUTURE_TOLERANCE.num_minutes()
            ));
        }
        (Some(at), _) => at,
        (None, Some(last)) => {
            let next = last.checked_add_signed(chrono::TimeDelta::microseconds(1)).map(|next| next.max(now));
            match next {
                Some(next) if next <= limit && recordable(&next) => next,
                Some(next) if next <= limit || !recordable(&next) => {
                    return Err(format!(
                        "the log's last event was recorded at {}, the last instant a recording time can be \
                         written in (years 0001 to 9999), so no later event can be stamped",
                        show(&last)
                    ));
                }
                _ => {
                    return Err(format!(
                        "the log's last event was recorded at {}, later than this machine's clock ({}); \
                         recording times never go back, so no event can be stamped now. Check the clock \
                         (and ENTENTE_NOW)",
                        show(&last),
                        show(&now)
                    ));
                }
            }
        }
        (None, None) => now,
    };
    if recordable(&at) {
        Ok(at)
    } else {
        Err(format!(
            "{} lies outside the years 0001 to 9999 (UTC) that a recording time is written in",
            at.to_rfc3339()
        ))
    }
}

/// A correction must leave its target a valid event that declares what it declared
/// before (ids are never corrected). `None` when it does.
fn check_correction(
    conn: &Connection,
    correction: &EventCorrected,
    cache: &mut KnownCache,
) -> rusqlite::Result<Option<Vec<FieldError>>> {
    let Some(current) = current_event(conn, correction.target)? else {
        // validate() has already said the target is unknown.
        return Ok(None);
    };
    let corrected = match current.corrected(&correction.changes) {
        Ok(e) => e,
        Err(e) => return Ok(Some(vec![e])),
    };
    if corrected.declarations() != current.declarations() {
        return Ok(Some(vec![FieldError {
            field: Some("payload.changes".to_owned()),
            message: "the correction would change an id the event declares (a track, proposal, principle, \
                      commitment, commission or instrument); retract the event and record it anew instead"
                .to_owned(),
            hint: None,
        }]));
    }
    learn_names(conn, &corrected.facts.references(), cache)?;
    Ok(validate(&corrected.facts, &*cache).err().map(|errors| {
        errors
            .into_iter()
            .map(|e| FieldError {
                field: Some(format!("payload.changes (the corrected event's {})", e.field.unwrap_or_default())),
                message: e.message,
                hint: e.hint,
            })
            .collect()
    }))
}

/// An event as it stands now: its original with every correction so far applied.
fn current_event(conn: &Connection, id: EventId) -> rusqlite::Result<Option<Event>> {
    let Some((_, body)) = stored_body(conn, id)? else { return Ok(None) };
    let Some(mut event) = stored_event(&body) else { return Ok(None) };
    let mut stmt = conn.prepare_cached(
        "SELECT e.body FROM amendments a JOIN events e ON e.seq = a.seq
         WHERE a.target = ? AND e.kind = 'event_corrected' ORDER BY a.seq",
    )?;
    let bodies = stmt.query_map([id.0.as_bytes().as_slice()], |r| r.get::<_, String>(0))?;
    for body in bodies {
        if let Ok(line) = parse_line(&body?)
            && let Payload::EventCorrected(c) = &line.facts.payload
            && let Ok(next) = event.corrected(&c.changes)
        {
            event = next;
        }
    }
    Ok(Some(event))
}

fn stored_body(conn: &Connection, id: EventId) -> rusqlite::Result<Option<(u64, String)>> {
    let mut stmt = conn.prepare_cached("SELECT seq, body FROM events WHERE id = ?")?;
    stmt.query_row([id.0.as_bytes().as_slice()], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))
        .optional()
}

fn stored_facts(conn: &Connection, id: EventId) -> rusqlite::Result<Option<(u64, crate::event::Facts)>> {
    let row = stored_body(conn, id)?;
    // A stored body that does not parse cannot equal anything: report it as different.
    Ok(row
        .map(|(seq, body)| {
            let facts = parse_line(&body).map(|l| l.facts).ok();
            (seq, facts)
        })
        .and_then(|(seq, facts)| facts.map(|f| (seq, f))))
}

/// What the batch knows of a name it looked up or declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    /// Declared by an event that stands.
    Live,
    /// Declared by an event since retracted (at this seq).
    Retracted(u64),
}

/// Names this batch has seen exist. Only names found are remembered: a name never
/// stops being declared, but one that is missing may be declared by a later line of
/// the batch (and one declared may be retracted by a later line: see [`forget_retracted`]).
#[derive(Default)]
struct KnownCache {
    names: HashMap<Name, Standing>,
    /// For each commitment withdrawn as a whole (by a withdrawal that stands): the
    /// withdrawal's seq and date.
    withdrawals: HashMap<crate::event::CommitmentId, (u64, crate::date::PartialDate)>,
}

impl crate::event::Known for KnownCache {
    fn knows(&self, name: &Name) -> bool {
        self.names.get(name) == Some(&Standing::Live)
    }

    fn retracted(&self, name: &Name) -> Option<u64> {
        match self.names.get(name) {
            Some(Standing::Retracted(seq)) => Some(*seq),
            _ => None,
        }
    }

    fn withdrawn(&self, commitment: &crate::event::CommitmentId) -> Option<(u64, crate::date::PartialDate)> {
        self.withdrawals.get(commitment).copied()
    }
}

impl KnownCache {
    fn new() -> KnownCache {
        KnownCache::default()
    }

    fn contains(&self, name: &Name) -> bool {
        self.names.contains_key(name)
    }

    /// What a line of this batch declares.
    fn learn(&mut self, record: &Record) {
        for name in record.event.declarations() {
            if let Name::Withdrawn(c) = &name {
                self.withdrawals.entry(c.clone()).or_insert((record.seq, record.event.facts.occurred));
            }
            self.names.entry(name).or_insert(Standing::Live);
        }
    }
}

/// Looks up in the log each of `names` the cache does not hold yet, and adds those
/// that exist: then the cache answers for all of them.
///
/// The `names` table is only an index: a name counts as declared when the event it
/// points at is in the chain and really declares it, so a row added behind entente's
/// back cannot make the log accept an event the events alone would refuse. A name
/// whose declaring event was retracted is remembered as such.
fn learn_names(conn: &Connection, names: &[Name], cache: &mut KnownCache) -> rusqlite::Result<()> {
    for name in names {
        if cache.contains(name) {
            continue;
        }
        let standing = match name {
            Name::Event(id) => conn
                .prepare_cached("SELECT 1 FROM events WHERE id = ?")?
                .exists([id.0.as_bytes().as_slice()])?
                .then_some(Standing::Live),
            _ => match declared_by(conn, name)? {
                None => None,
                // Retractions and the amendments themselves are never retracted; an
                // instrument is declared again by each of its stages, so the first
                // one's retraction does not undo it.
                Some(_) if matches!(name, Name::Meta(_) | Name::Retracted(_) | Name::Instrument(_)) => {
                    Some(Standing::Live)
                }
                Some(event) => Some(match declared_by(conn, &Name::Retracted(event.id))? {
                    Some(retraction) => Standing::Retracted(retraction.seq),
                    None => {
                        if let Name::Withdrawn(c) = name
                            && let Some(withdrawal) = current_event(conn, event.id)?
                        {
                            cache.withdrawals.insert(c.clone(), (event.seq, withdrawal.facts.occurred));
                        }
                        Standing::Live
                    }
                }),
            },
        };
        if let Some(standing) = standing {
            cache.names.insert(name.clone(), standing);
        }
    }
    Ok(())
}

/// The event that declares `name` (its seq and id), looked up in the `names` index
/// and confirmed against the event's own body; `None` when the index has no row for
/// it or the row points at an event that does not declare it.
fn declared_by(conn: &Connection, name: &Name) -> rusqlite::Result<Option<Declarer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, e.body FROM names n JOIN events e ON e.seq = n.seq WHERE n.namespace = ? AND n.key = ?",
    )?;
    let row = stmt
        .query_row(params![name.namespace(), name.key()], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))
        .optional()?;
    Ok(row.and_then(|(seq, body)| {
        let event = stored_event(&body)?;
        event.declarations().contains(name).then_some(Declarer { seq, id: event.id })
    }))
}

/// The event that declared a name.
struct Declarer {
    seq: u64,
    id: EventId,
}

/// After a retraction of `target` lands in a batch, the names `target` declared stand
/// retracted for the rest of the batch.
fn forget_retracted(
    conn: &Connection,
    target: EventId,
    retraction: u64,
    cache: &mut KnownCache,
) -> rusqlite::Result<()> {
    let Some((_, body)) = stored_body(conn, target)? else { return Ok(()) };
    let Some(event) = stored_event(&body) else { return Ok(()) };
    for name in event.declarations() {
        if let Name::Withdrawn(c) = &name {
            cache.withdrawals.remove(c);
        }
        if !matches!(name, Name::Meta(_) | Name::Instrument(_)) {
            cache.names.insert(name, Standing::Retracted(retraction));
        }
    }
    Ok(())
}

/// The statements that write one event, prepared once per batch.
struct Inserts<'c> {
    events: rusqlite::Statement<'c>,
    names: rusqlite::Statement<'c>,
    amendments: rusqlite::Statement<'c>,
}

impl<'c> Inserts<'c> {
    fn prepare(conn: &'c Connection) -> rusqlite::Result<Inserts<'c>> {
        Ok(Inserts {
            events: conn.prepare("INSERT INTO events (seq, id, kind, body, hash) VALUES (?, ?, ?, ?, ?)")?,
            names: conn.prepare("INSERT OR IGNORE INTO names (namespace, key, seq) VALUES (?, ?, ?)")?,
            amendments: conn.prepare("INSERT INTO amendments (target, seq) VALUES (?, ?)")?,
        })
    }

    /// Writes `record` (whose canonical body is `body`) and its index rows.
    fn run(&mut self, record: &Record, body: &str) -> rusqlite::Result<()> {
        let event = &record.event;
        let facts = &event.facts;
        let seq = record.seq as i64;
        let landed = self.events.execute(params![
            seq,
            event.id.0.as_bytes().as_slice(),
            facts.kind().name(),
            body,
            record.hash.0.as_slice(),
        ])?;
        // A trigger that is not entente's (RAISE(IGNORE)) could drop the row silently;
        // then nothing of the batch may be committed.
        if landed != 1 {
            return Err(rusqlite::Error::StatementChangedRows(landed));
        }
        for name in event.declarations() {
            self.names.execute(params![name.namespace(), name.key(), seq])?;
        }
        if let Some(target) = facts.payload.target() {
            self.amendments.execute(params![target.0.as_bytes().as_slice(), seq])?;
        }
        Ok(())
    }
}

fn map_err(path: &Path, waited_ms: u32, context: &'static str, e: rusqlite::Error) -> StoreError {
    let path = path.to_owned();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path, waited_ms },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
        Some(ErrorCode::NotADatabase) => StoreError::NotSqlite { path },
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
        Some(ErrorCode::SystemIoFailure) => StoreError::Io { path, context },
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) if path.exists() => StoreError::ReadOnly { path },
        _ => StoreError::Sqlite { path, context, message: e.to_string() },
    }
}

#[cfg(test)]
mod uri_tests {
    use super::*;

    #[test]
    fn a_path_cannot_smuggle_a_query_into_the_immutable_uri() {
        let uri = immutable_uri(Path::new("/mnt/a?mode=rw#x%41.db"));
        assert_eq!(uri, PathBuf::from("file:/mnt/a%3fmode=rw%23x%2541.db?immutable=1"));
    }
}
