//! The SQLite backend: one file, append-only, hash-chained — the only SQL in entente.
//!
//! It opens and creates log files (with the identity checks a file needs: a directory,
//! a FIFO, an empty file, a hard link, another program's database, a newer schema, a
//! read-only mount), migrates older schemas by `user_version`, and offers the
//! [`Backend`] primitives. Every append runs in one `BEGIN IMMEDIATE` transaction:
//! concurrent writers queue on the lock (up to the busy timeout) instead of failing.
//! Triggers reject UPDATE and DELETE, and a gap in `seq`. It decides nothing about
//! events: the rules live in [`crate::log`].

mod schema;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::event::{EventId, Hash, Kind, Name};
use crate::log::backend::{
    AmendmentRows, Backend, LastRow, NameRows, NewRow, ReadTxn, RowRef, Scan, StoredRow, StoredSnapshot, WriteTxn,
};
use crate::log::{Log, LogError};

pub use schema::LATEST as SCHEMA_VERSION;

/// A log in an SQLite file.
pub type SqliteLog = Log<Sqlite>;

/// How a log is opened: read-write, and without SQLite's per-call connection mutex
/// (a `Connection` is never used by two threads at once: it is not `Sync`), which took
/// a tenth of a full read.
const OPEN: OpenFlags = OpenFlags::SQLITE_OPEN_READ_WRITE.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// An open SQLite log file.
pub struct Sqlite {
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

impl Sqlite {
    /// Creates a new, empty log at `path`; refuses to touch an existing file.
    pub fn init(path: &Path, busy_timeout_ms: u32) -> Result<SqliteLog, LogError> {
        if let Some(what) = not_a_file(path) {
            return Err(LogError::NotAFile { path: path.to_owned(), what });
        }
        // A dangling symlink does not "exist", but SQLite would create its target.
        if path.exists() || path.symlink_metadata().is_ok() {
            return Err(LogError::Exists { path: path.to_owned() });
        }
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !folder.is_dir() {
            return Err(LogError::NoFolder { path: path.to_owned(), folder: folder.to_owned() });
        }
        let conn = Connection::open_with_flags(path, OPEN | OpenFlags::SQLITE_OPEN_CREATE)
            .map_err(|e| map_err(path, busy_timeout_ms, "creating the log", e))?;
        let store = Sqlite { conn, path: path.to_owned(), busy_timeout_ms, identity: identity(path) };
        store.configure()?;
        store.migrate()?;
        Ok(Log::new(store))
    }

    /// Opens an existing log, migrating an older schema forward.
    pub fn open(path: &Path, busy_timeout_ms: u32) -> Result<SqliteLog, LogError> {
        Sqlite::check_path(path)?;
        let conn = Connection::open_with_flags(path, OPEN)
            .map_err(|e| map_err(path, busy_timeout_ms, "opening the log", e))?;
        let store = Sqlite { conn, path: path.to_owned(), busy_timeout_ms, identity: identity(path) };
        store.check_identity()?;
        store.configure()?;
        store.migrate()?;
        Ok(Log::new(store))
    }

    /// Opens an existing log for commands that only read: like [`Sqlite::open`] where
    /// the file can be written (so an older schema is migrated and snapshots are
    /// saved), and read-only where it cannot — a read-only file, folder or mount.
    pub fn open_to_read(path: &Path, busy_timeout_ms: u32) -> Result<SqliteLog, LogError> {
        match Sqlite::open(path, busy_timeout_ms) {
            Err(LogError::ReadOnly { .. }) => Sqlite::open_read_only(path, busy_timeout_ms).map(Log::new),
            other => other,
        }
    }

    fn open_read_only(path: &Path, busy_timeout_ms: u32) -> Result<Sqlite, LogError> {
        Sqlite::check_path(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let err = |e| map_err(path, busy_timeout_ms, "opening the log to read", e);
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        let mut store = Sqlite { conn, path: path.to_owned(), busy_timeout_ms, identity: identity(path) };
        if store.check_identity().is_err() || store.version().is_err() {
            // A WAL log on a read-only mount: SQLite cannot create the shared-memory
            // file it reads through. Nobody can write there either, so read the file
            // as immutable — unless events committed to its write-ahead log have not
            // reached the file yet: read as immutable, they would silently be missing.
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                return Err(LogError::UnreadableWal { path: path.to_owned() });
            }
            store.conn =
                Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI).map_err(err)?;
        }
        store.check_identity()?;
        store
            .conn
            .busy_timeout(Duration::from_millis(u64::from(busy_timeout_ms)))
            .map_err(store.err("setting the busy timeout"))?;
        let version = store.version()?;
        if version > schema::LATEST {
            return Err(LogError::TooNew { path: path.to_owned(), found: version, known: schema::LATEST });
        }
        store.check_schema_of(&store.conn, version, "reading the schema")?;
        if version < schema::LATEST {
            return Err(LogError::NeedsUpgrade { path: path.to_owned(), found: version, known: schema::LATEST });
        }
        Ok(store)
    }

    /// Refuses a path that cannot be a log before SQLite opens it (SQLite would block
    /// on a FIFO, or read a device).
    fn check_path(path: &Path) -> Result<(), LogError> {
        if path.is_dir() {
            return Err(LogError::IsDirectory { path: path.to_owned() });
        }
        if let Some(what) = not_a_file(path) {
            return Err(LogError::NotAFile { path: path.to_owned(), what });
        }
        if !path.exists() {
            return Err(LogError::NotFound { path: path.to_owned() });
        }
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.len() == 0 {
                return Err(LogError::Empty { path: path.to_owned() });
            }
            // SQLite keeps the write-ahead log beside the name it opened: writers
            // through two names of one file would each keep their own and corrupt it.
            if meta.nlink() > 1 {
                return Err(LogError::HardLinked { path: path.to_owned(), links: meta.nlink() });
            }
        }
        Ok(())
    }

    /// A log in memory, for `demo` and tests: the same schema and code paths.
    pub fn in_memory() -> Result<SqliteLog, LogError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| map_err(&path, 0, "creating the log", e))?;
        let store = Sqlite { conn, path, busy_timeout_ms: 0, identity: None };
        store.configure()?;
        store.migrate()?;
        Ok(Log::new(store))
    }

    /// Fails when the file at the log's path is no longer the one this backend opened
    /// (deleted, or replaced by another): then what was read or written went to a file
    /// nobody will find at the path. A log in memory always is in place.
    fn in_place(&self) -> Result<(), LogError> {
        match self.identity {
            Some(opened) if identity(&self.path) != Some(opened) => Err(LogError::Replaced { path: self.path.clone() }),
            _ => Ok(()),
        }
    }

    fn err(&self, context: &'static str) -> impl Fn(rusqlite::Error) -> LogError + '_ {
        move |e| map_err(&self.path, self.busy_timeout_ms, context, e)
    }

    fn check_identity(&self) -> Result<(), LogError> {
        let app_id: i32 =
            self.conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(self.err("reading its header"))?;
        if app_id == schema::APPLICATION_ID {
            return Ok(());
        }
        Err(LogError::Foreign { path: self.path.clone() })
    }

    fn configure(&self) -> Result<(), LogError> {
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

    fn version(&self) -> Result<i64, LogError> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(self.err("reading the schema version"))
    }

    /// Checks that the schema of `conn` is the one its `version` says (what an untouched
    /// log of that version holds): a migration runs only on the schema it was written
    /// for, and a read-only log is read only as what it claims to be.
    fn check_schema_of(&self, conn: &Connection, version: i64, context: &'static str) -> Result<(), LogError> {
        let expected = schema::expected(version).map_err(self.err(context))?;
        if version >= 0 && schema::objects(conn).map_err(self.err(context))? == expected {
            return Ok(());
        }
        Err(LogError::Tampered {
            path: self.path.clone(),
            what: format!(
                "its schema version says {version}, but its tables and triggers are not those of version {version} \
                 (PRAGMA user_version was changed, or the schema edited)"
            ),
        })
    }

    fn migrate(&self) -> Result<(), LogError> {
        let version = self.version()?;
        if version > schema::LATEST {
            return Err(LogError::TooNew { path: self.path.clone(), found: version, known: schema::LATEST });
        }
        if version == schema::LATEST {
            return Ok(());
        }
        let err = self.err("migrating the schema");
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate).map_err(&err)?;
        // Another process may have migrated while we waited for the lock.
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(&err)?;
        // A migration runs only on the schema it was written for: a version number set
        // back (or a schema edited) would make it fail half-way, or do the wrong thing.
        self.check_schema_of(&tx, version, "migrating the schema")?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(&err)?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(&err)?;
        }
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID).map_err(&err)?;
        tx.commit().map_err(&err)
    }
}

/// A read transaction on an SQLite log (WAL snapshot isolation).
pub struct SqliteRead<'a> {
    db: &'a Sqlite,
    tx: rusqlite::Transaction<'a>,
}

/// A write transaction on an SQLite log (`BEGIN IMMEDIATE`), with the statements that
/// write one event prepared once.
pub struct SqliteWrite<'a> {
    // Declared first, so dropped (finalized) before the transaction rolls back.
    inserts: Inserts<'a>,
    read: SqliteRead<'a>,
}

impl Backend for Sqlite {
    type Read<'a> = SqliteRead<'a>;
    type Write<'a> = SqliteWrite<'a>;

    fn location(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<SqliteRead<'_>, LogError> {
        let tx = self.conn.unchecked_transaction().map_err(self.err("starting a read"))?;
        Ok(SqliteRead { db: self, tx })
    }

    fn write(&mut self) -> Result<SqliteWrite<'_>, LogError> {
        let db: &Sqlite = self;
        let tx = rusqlite::Transaction::new_unchecked(&db.conn, TransactionBehavior::Immediate)
            .map_err(db.err("waiting for the write lock"))?;
        // Prepared at once: a log whose tables were changed fails here, before a line
        // is looked at, however few lines there are.
        let inserts = Inserts::prepare(&db.conn).map_err(db.err("appending an event"))?;
        Ok(SqliteWrite { inserts, read: SqliteRead { db, tx } })
    }

    fn save_snapshot(&self, name: &str, seq: u64, hash: Hash, state: &str) -> Result<bool, LogError> {
        let no_wait = self.conn.busy_timeout(Duration::ZERO);
        let saved = no_wait.and_then(|()| {
            self.conn.execute(
                "INSERT INTO snapshots (name, seq, hash, state) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, state = excluded.state",
                params![name, seq.min(i64::MAX as u64) as i64, hash.0.as_slice(), state],
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
}

/// A stored hash column as a hash: `None` unless it is a 32-byte blob.
fn hash_of(value: rusqlite::types::ValueRef<'_>) -> Option<Hash> {
    value.as_blob().ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).map(Hash)
}

/// A row of `name, seq, hash, state` of the snapshots table.
fn stored_snapshot(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredSnapshot> {
    Ok(StoredSnapshot {
        name: row.get(0)?,
        // A negative seq (written behind entente's back) reads as 0, where no event is.
        seq: u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
        hash: hash_of(row.get_ref(2)?),
        state: row.get(3)?,
    })
}

/// A row of `seq, body, hash`. A column of the wrong type reads as empty.
fn stored_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRow> {
    Ok(StoredRow {
        seq: row.get_ref(0)?.as_i64().unwrap_or(0) as u64,
        body: row.get_ref(1)?.as_str().unwrap_or_default().to_owned(),
        hash: hash_of(row.get_ref(2)?),
    })
}

impl SqliteRead<'_> {
    fn err(&self, context: &'static str) -> impl Fn(rusqlite::Error) -> LogError + '_ {
        self.db.err(context)
    }

    fn rows<P: rusqlite::Params>(&self, sql: &str, args: P, context: &'static str) -> Result<Vec<StoredRow>, LogError> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(self.err(context))?;
        let rows = stmt.query_map(args, stored_row).map_err(self.err(context))?;
        rows.collect::<Result<_, _>>().map_err(self.err(context))
    }

    fn one<P: rusqlite::Params>(
        &self,
        sql: &str,
        args: P,
        context: &'static str,
    ) -> Result<Option<StoredRow>, LogError> {
        self.tx
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(args, stored_row).optional())
            .map_err(self.err(context))
    }
}

impl ReadTxn for SqliteRead<'_> {
    fn last_seq(&self) -> Result<u64, LogError> {
        self.tx
            // seq is gap-free, so the last one is the count: one lookup, not a scan.
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(self.err("counting events"))
    }

    fn last_row(&self) -> Result<Option<LastRow>, LogError> {
        self.tx
            .query_row("SELECT seq, hash, body FROM events ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok(LastRow {
                    seq: r.get::<_, i64>(0)? as u64,
                    hash: hash_of(r.get_ref(1)?),
                    body: r.get_ref(2)?.as_str().ok().map(str::to_owned),
                })
            })
            .optional()
            .map_err(self.err("reading the head"))
    }

    fn scan(&self, scan: Scan<'_>, each: &mut dyn FnMut(RowRef<'_>) -> ControlFlow<()>) -> Result<(), LogError> {
        use rusqlite::types::Value;
        let mut sql = "SELECT seq, body, hash, id, kind FROM events".to_owned();
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if !scan.kinds.is_empty() {
            clauses.push(format!("kind IN ({})", vec!["?"; scan.kinds.len()].join(",")));
            args.extend(scan.kinds.iter().map(|k| Value::Text(k.name().to_owned())));
        }
        if let Some(after) = scan.after {
            clauses.push("seq > ?".to_owned());
            args.push(Value::Integer(after.min(i64::MAX as u64) as i64));
        }
        if let Some(until) = scan.until {
            clauses.push("seq <= ?".to_owned());
            args.push(Value::Integer(until.min(i64::MAX as u64) as i64));
        }
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY seq");
        let err = self.err("reading events");
        let mut stmt = self.tx.prepare(&sql).map_err(&err)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(&err)?;
        while let Some(row) = rows.next().map_err(&err)? {
            let row = RowRef {
                seq: row.get_ref(0).map_err(&err)?.as_i64().unwrap_or(0) as u64,
                body: row.get_ref(1).map_err(&err)?.as_str().ok(),
                hash: hash_of(row.get_ref(2).map_err(&err)?),
                id: row.get_ref(3).map_err(&err)?.as_blob().unwrap_or_default(),
                kind: row.get_ref(4).map_err(&err)?.as_str().unwrap_or_default(),
            };
            if each(row).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn row_at(&self, seq: u64) -> Result<Option<StoredRow>, LogError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        self.one("SELECT seq, body, hash FROM events WHERE seq = ?", [seq], "reading an event")
    }

    fn hash_at(&self, seq: u64) -> Result<Option<Option<Hash>>, LogError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        self.tx
            .prepare_cached("SELECT hash FROM events WHERE seq = ?")
            .and_then(|mut s| s.query_row([seq], |r| Ok(hash_of(r.get_ref(0)?))).optional())
            .map_err(self.err("reading events"))
    }

    fn row_of(&self, id: EventId) -> Result<Option<StoredRow>, LogError> {
        self.one("SELECT seq, body, hash FROM events WHERE id = ?", [id.0.as_bytes().as_slice()], "reading an event")
    }

    fn seq_of(&self, id: EventId) -> Result<Option<u64>, LogError> {
        self.tx
            .prepare_cached("SELECT seq FROM events WHERE id = ?")
            .and_then(|mut stmt| stmt.query_row([id.0.as_bytes().as_slice()], |r| r.get::<_, i64>(0)).optional())
            .map(|seq| seq.map(|s| s as u64))
            .map_err(self.err("looking up an id"))
    }

    fn ids_with_prefix(&self, hex: &str, limit: usize) -> Result<Vec<EventId>, LogError> {
        // Ids are stored as 16-byte blobs; hex(id) is upper-case without dashes.
        let needle = hex.to_ascii_uppercase();
        let err = self.err("looking up an id");
        let mut stmt =
            self.tx.prepare("SELECT id FROM events WHERE substr(hex(id), 1, ?) = ? LIMIT ?").map_err(&err)?;
        let rows = stmt
            .query_map(params![needle.len() as i64, needle, limit.min(i64::MAX as usize) as i64], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .map_err(&err)?;
        let mut ids = Vec::new();
        for row in rows {
            if let Ok(uuid) = uuid::Uuid::from_slice(&row.map_err(&err)?) {
                ids.push(EventId(uuid));
            }
        }
        Ok(ids)
    }

    fn amendment_rows(&self, target: Option<EventId>, kind: Option<Kind>) -> Result<Vec<StoredRow>, LogError> {
        let target = target.map(|t| t.0.as_bytes().to_vec());
        self.rows(
            "SELECT e.seq, e.body, e.hash FROM amendments a JOIN events e ON e.seq = a.seq
             WHERE (?1 IS NULL OR a.target = ?1) AND (?2 IS NULL OR e.kind = ?2) ORDER BY a.seq",
            params![target, kind.map(Kind::name)],
            "reading amendments",
        )
    }

    fn declarer_row(&self, name: &Name) -> Result<Option<StoredRow>, LogError> {
        self.one(
            "SELECT e.seq, e.body, e.hash FROM names n JOIN events e ON e.seq = n.seq
             WHERE n.namespace = ? AND n.key = ?",
            params![name.namespace(), name.key()],
            "checking an event",
        )
    }

    fn declarer_rows(&self, namespace: &str, prefix: &str) -> Result<Vec<(String, StoredRow)>, LogError> {
        // A range of the primary key (namespace, key): keys from `prefix` up to the
        // first string after every one that starts with it. Text compares bytewise
        // (BINARY), so that bound is `prefix` with its last character stepped up; a
        // prefix that cannot be stepped (empty, or ending in U+10FFFF) reads to the end
        // of the namespace, and the rows are filtered by prefix either way.
        let upper = prefix.char_indices().next_back().and_then(|(at, last)| {
            let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32)?;
            Some(format!("{}{next}", &prefix[..at]))
        });
        let context = "looking up names";
        let err = self.err(context);
        // Two statements, so SQLite bounds the range on both ends when it can (an
        // `?3 IS NULL OR …` would leave the upper end unbounded).
        let sql = match upper {
            Some(_) => {
                "SELECT n.key, e.seq, e.body, e.hash FROM names n JOIN events e ON e.seq = n.seq
                 WHERE n.namespace = ?1 AND n.key >= ?2 AND n.key < ?3 ORDER BY n.key"
            }
            None => {
                "SELECT n.key, e.seq, e.body, e.hash FROM names n JOIN events e ON e.seq = n.seq
                 WHERE n.namespace = ?1 AND n.key >= ?2 ORDER BY n.key"
            }
        };
        let mut stmt = self.tx.prepare_cached(sql).map_err(&err)?;
        let args: Vec<rusqlite::types::Value> = [Some(namespace.to_owned()), Some(prefix.to_owned()), upper]
            .into_iter()
            .flatten()
            .map(rusqlite::types::Value::Text)
            .collect();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((
                    r.get_ref(0)?.as_str().ok().map(str::to_owned),
                    StoredRow {
                        seq: r.get_ref(1)?.as_i64().unwrap_or(0) as u64,
                        body: r.get_ref(2)?.as_str().unwrap_or_default().to_owned(),
                        hash: hash_of(r.get_ref(3)?),
                    },
                ))
            })
            .map_err(&err)?;
        let mut found = Vec::new();
        for row in rows {
            if let (Some(key), row) = row.map_err(&err)?
                && key.starts_with(prefix)
            {
                found.push((key, row));
            }
        }
        Ok(found)
    }

    fn indexes(&self) -> Result<(NameRows, AmendmentRows), LogError> {
        let err = self.err("reading the derived tables");
        let mut names = NameRows::new();
        let mut stmt = self.tx.prepare("SELECT namespace, key, seq FROM names").map_err(&err)?;
        let rows = stmt
            .query_map([], |r| Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, i64>(2)? as u64)))
            .map_err(&err)?;
        for row in rows {
            let (name, seq) = row.map_err(&err)?;
            names.insert(name, seq);
        }
        let mut amendments = AmendmentRows::new();
        let mut stmt = self.tx.prepare("SELECT target, seq FROM amendments").map_err(&err)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)? as u64))).map_err(&err)?;
        for row in rows {
            amendments.insert(row.map_err(&err)?);
        }
        Ok((names, amendments))
    }

    fn snapshot(&self, name: &str) -> Result<Option<StoredSnapshot>, LogError> {
        self.tx
            .query_row("SELECT name, seq, hash, state FROM snapshots WHERE name = ?", [name], stored_snapshot)
            .optional()
            .map_err(self.err("reading a snapshot"))
    }

    fn snapshots(&self) -> Result<Vec<StoredSnapshot>, LogError> {
        let err = self.err("checking snapshots");
        let mut stmt = self.tx.prepare("SELECT name, seq, hash, state FROM snapshots ORDER BY name").map_err(&err)?;
        let rows = stmt.query_map([], stored_snapshot).map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)
    }

    /// Compares the file's tables, indexes and triggers — each by its full SQL — with
    /// what this entente's migrations create: a trigger dropped, replaced by a no-op of
    /// the same name, or added (one that writes behind each append), an index or a
    /// table changed, all differ.
    fn guards(&self) -> Result<Option<String>, LogError> {
        let expected = schema::expected(schema::LATEST).map_err(self.err("reading the schema"))?;
        let actual = schema::objects(&self.tx).map_err(self.err("reading the schema"))?;
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
        Ok(Some(format!("{what}: the file was changed outside entente")))
    }

    fn finish(self) -> Result<(), LogError> {
        let db = self.db;
        self.tx.commit().map_err(db.err("ending a read"))?;
        db.in_place()
    }
}

impl<'a> WriteTxn for SqliteWrite<'a> {
    type Read = SqliteRead<'a>;

    fn reads(&self) -> &SqliteRead<'a> {
        &self.read
    }

    fn insert(&mut self, row: NewRow<'_>) -> Result<(), LogError> {
        let db = self.read.db;
        let err = db.err("appending an event");
        self.inserts.run(row).map_err(|e| match e {
            rusqlite::Error::StatementChangedRows(_) => LogError::Tampered {
                path: db.path.clone(),
                what: format!(
                    "the event for seq {} was not stored although the insert ran: a trigger that is \
                     not entente's intercepts appends; nothing was written",
                    row.seq
                ),
            },
            e => err(e),
        })
    }

    fn replace_indexes(&mut self, names: &NameRows, amendments: &AmendmentRows) -> Result<(), LogError> {
        let tx = &self.read.tx;
        let err = self.read.err("rebuilding the derived tables");
        // The triggers that keep the indexes from being edited are lifted for the
        // rebuild and restored with the SQL entente creates them with.
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
        {
            let mut insert = tx.prepare("INSERT INTO names (namespace, key, seq) VALUES (?, ?, ?)").map_err(&err)?;
            for ((namespace, key), seq) in names {
                insert.execute(params![namespace, key, *seq as i64]).map_err(&err)?;
            }
            let mut insert = tx.prepare("INSERT INTO amendments (target, seq) VALUES (?, ?)").map_err(&err)?;
            for (target, seq) in amendments {
                insert.execute(params![target, *seq as i64]).map_err(&err)?;
            }
        }
        for sql in triggers {
            tx.execute_batch(&sql).map_err(&err)?;
        }
        Ok(())
    }

    fn drop_snapshots(&mut self) -> Result<(), LogError> {
        self.read.tx.execute_batch("DELETE FROM snapshots").map_err(self.read.err("rebuilding the derived tables"))
    }

    fn commit(self) -> Result<(), LogError> {
        let SqliteWrite { inserts, read: SqliteRead { db, tx } } = self;
        drop(inserts);
        // Before committing: a log replaced meanwhile gets nothing (the batch rolls
        // back); after: the narrow window between the two is reported too.
        db.in_place()?;
        tx.commit().map_err(db.err("committing"))?;
        db.in_place()
    }
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

    /// Writes `row` and its index rows.
    fn run(&mut self, row: NewRow<'_>) -> rusqlite::Result<()> {
        let seq = row.seq as i64;
        let landed = self.events.execute(params![
            seq,
            row.id.0.as_bytes().as_slice(),
            row.kind.name(),
            row.body,
            row.hash.0.as_slice(),
        ])?;
        // A trigger that is not entente's (RAISE(IGNORE)) could drop the row silently;
        // then nothing of the batch may be committed.
        if landed != 1 {
            return Err(rusqlite::Error::StatementChangedRows(landed));
        }
        for name in row.declares {
            self.names.execute(params![name.namespace(), name.key(), seq])?;
        }
        if let Some(target) = row.target {
            self.amendments.execute(params![target.0.as_bytes().as_slice(), seq])?;
        }
        Ok(())
    }
}

fn map_err(path: &Path, waited_ms: u32, context: &'static str, e: rusqlite::Error) -> LogError {
    let path = path.to_owned();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => LogError::Busy { path, waited_ms },
        Some(ErrorCode::ReadOnly) => LogError::ReadOnly { path },
        Some(ErrorCode::NotADatabase) => LogError::NotSqlite { path },
        Some(ErrorCode::DiskFull) => LogError::DiskFull { path },
        Some(ErrorCode::SystemIoFailure) => LogError::Io { path, context },
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) if path.exists() => LogError::ReadOnly { path },
        _ => LogError::Unexpected { path, engine: "SQLite", context, message: e.to_string() },
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
