//! The PostgreSQL backend: a team log in a database IT already runs — the only code
//! that speaks to PostgreSQL.
//!
//! The synchronous `postgres` client: entente's log is synchronous all the way up (one
//! write transaction per batch, reads handed to parsing threads), and the crate is
//! tokio-postgres (the maintained, widely used PostgreSQL driver for Rust) behind a
//! blocking facade, so no async runtime leaks into the seams.
//!
//! What the database itself guarantees (`schema.rs`): the log's tables refuse UPDATE,
//! DELETE and TRUNCATE; every insert takes one lock held to commit and must
//! continue the log (seq, chain hash, recording time), so seq is gap-free and in commit
//! order; a role that does not own the log records only as itself, at the server's
//! clock; each role sees only the snapshots it saved. A write transaction takes the
//! same lock before it reads the head, and reads the server's clock and the connected
//! role under it ([`WriteTxn::vouched`]).

pub mod connect;
pub mod schema;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{Client, Statement};

use crate::event::{EventId, Hash, Kind, Name};
use crate::log::backend::{
    AmendmentRows, Backend, LastRow, NameRows, NewRow, ReadTxn, RowRef, Scan, StoredRow, StoredSnapshot, Vouched,
    WriteTxn,
};
use crate::log::{Log, LogError};

pub use connect::is_url;
pub use schema::{LATEST as SCHEMA_VERSION, Roles};

/// A log in a PostgreSQL database.
pub type PostgresLog = Log<Postgres>;

/// Rows a write transaction buffers before sending them in one statement.
const BATCH: usize = 1_000;
/// Rows a scan fetches from its server-side cursor at a time.
const FETCH: usize = 2_000;
/// How often, half a second apart, a writer whose connection was lost while it
/// committed tries to reach the server again to learn whether the commit landed.
const RECONNECTS: u32 = 20;
/// Sent with every BEGIN: the log's statements are index lookups, cursors and batched
/// inserts, which JIT compilation never speeds up. Right after a bulk import, before
/// autovacuum has analysed the tables, the planner overestimates them past
/// `jit_above_cost` and compiles: `status` on a fresh 1,000,000-event log took ~60 ms
/// instead of ~25.
const NO_JIT: &str = "SET LOCAL jit = off";

/// How to reach a log's server: the URL, the `PG*` variables, the OS user name libpq
/// falls back to, and how long a writer waits for the append lock.
#[derive(Clone, Debug)]
pub struct Address<'a> {
    /// `postgres://…` or `postgresql://…`.
    pub url: &'a str,
    /// The `PG*` variables, by name.
    pub env: &'a [(String, String)],
    /// The OS user name.
    pub os_user: &'a str,
    /// How long a writer waits for another's lock, in milliseconds.
    pub lock_timeout_ms: u32,
}

/// An open connection to a team log.
pub struct Postgres {
    client: RefCell<Client>,
    location: PathBuf,
    lock_timeout_ms: u32,
    /// Rows written by the open write transaction and not yet sent.
    pending: RefCell<Pending>,
    /// Whether a transaction is open on the connection.
    in_txn: Cell<bool>,
    /// The seq and hash of the last row the open write transaction sent: what a writer
    /// looks for when the connection is lost while it commits.
    last_sent: RefCell<Option<(i64, Vec<u8>)>>,
    /// Where the server is, to reach it again after a lost commit.
    target: connect::Target,
    cursors: Cell<u64>,
    /// The statements a log sends again and again (a batch's inserts, lookups of one
    /// row, a scan's fetches), prepared once on this connection: each later use is one
    /// round trip to the server instead of two (prepare, then execute). A statement sent
    /// once per command (opening the log, taking the lock) goes as `query_typed`, parse
    /// and execute in one round trip.
    statements: RefCell<HashMap<String, Statement>>,
    /// Hashes by seq read alongside other rows in the open transaction — the row before
    /// each amendment, which the log looks up next to chain the amendment: answered
    /// here rather than by a round trip each. A stored row's hash never changes; the
    /// map is emptied when the transaction ends all the same (a rolled-back append's
    /// seq is taken again).
    hashes: RefCell<HashMap<u64, Option<Hash>>>,
    user: String,
    roles: Roles,
}

#[derive(Default)]
struct Pending {
    seq: Vec<i64>,
    id: Vec<Vec<u8>>,
    kind: Vec<&'static str>,
    body: Vec<String>,
    hash: Vec<Vec<u8>>,
    name_ns: Vec<String>,
    name_key: Vec<String>,
    name_seq: Vec<i64>,
    target: Vec<Vec<u8>>,
    target_seq: Vec<i64>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.seq.is_empty()
    }
}

/// Maps a client error to what the log says, `context` naming what was being done.
fn map_err(location: &Path, user: &str, lock_timeout_ms: u32, context: &'static str, e: &postgres::Error) -> LogError {
    let path = location.to_owned();
    let Some(db) = e.as_db_error() else {
        if e.is_closed() {
            return LogError::Disconnected { path, context };
        }
        // The client's own words, with what lies under them (rustls says why it refused
        // a certificate there).
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(e);
        while let Some(inner) = cause {
            let words = inner.to_string();
            if !message.contains(&words) {
                message = format!("{message}: {words}");
            }
            cause = inner.source();
        }
        // Errors of the client itself: the socket, TLS, the protocol.
        let lower = message.to_ascii_lowercase();
        return if lower.contains("tls") || lower.contains("certificate") || lower.contains("handshake") {
            LogError::Refused { path, message: format!("TLS failed: {message}") }
        } else if lower.contains("connect") || lower.contains("timed out") || lower.contains("refused") {
            LogError::Unreachable { path, message }
        } else if lower.contains("connection closed") || lower.contains("unexpected eof") {
            LogError::Disconnected { path, context }
        } else {
            LogError::Unexpected { path, engine: "PostgreSQL", context, message }
        };
    };
    let code = db.code();
    let says = db.message().to_owned();
    match code.code() {
        "EN000" => LogError::RoleMayNot {
            path,
            role: user.to_owned(),
            may: "may not change what the log holds (only the owner role rebuilds its indexes)",
            needs: "owner",
        },
        "EN001" | "EN002" | "EN003" | "EN004" => {
            LogError::GuardRefused { path, message: says.trim_start_matches("entente: ").to_owned() }
        }
        _ if *code == SqlState::INSUFFICIENT_PRIVILEGE => {
            let (may, needs) = match context {
                "appending an event" | "waiting for the write lock" | "committing" => {
                    ("may only read this log", "recorder")
                }
                "rebuilding the derived tables" => {
                    ("may not rebuild the derived tables (only the owner role may)", "owner")
                }
                "creating the log" => (
                    "may not create roles or a schema here; print the SQL with --print-sql and have a database \
                     administrator run it",
                    "",
                ),
                _ => ("may not read this log (it is not granted the log's reader, recorder or owner role)", "reader"),
            };
            LogError::RoleMayNot { path, role: user.to_owned(), may, needs }
        }
        _ if *code == SqlState::LOCK_NOT_AVAILABLE
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::QUERY_CANCELED =>
        {
            LogError::Busy { path, waited_ms: lock_timeout_ms }
        }
        _ if *code == SqlState::INVALID_CATALOG_NAME => LogError::NotFound { path },
        _ if *code == SqlState::INVALID_PASSWORD => {
            LogError::Refused { path, message: format!("wrong password for `{user}` ({says})") }
        }
        _ if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => LogError::Refused {
            path,
            message: format!(
                "no access for `{user}` from here ({says}); the server may require TLS (add ?sslmode=require) or \
                 its pg_hba.conf does not admit this user, host or database"
            ),
        },
        _ if *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
            || code.code().starts_with("08") =>
        {
            LogError::Disconnected { path, context }
        }
        _ if *code == SqlState::TOO_MANY_CONNECTIONS => {
            LogError::Unreachable { path, message: format!("the server has too many connections ({says})") }
        }
        _ if *code == SqlState::DISK_FULL => LogError::DiskFull { path },
        _ if *code == SqlState::READ_ONLY_SQL_TRANSACTION => LogError::RoleMayNot {
            path,
            role: user.to_owned(),
            may: "is connected to a read-only server (a standby); connect to the primary to write",
            needs: "",
        },
        _ => LogError::Unexpected { path, engine: "PostgreSQL", context, message: says },
    }
}

impl Postgres {
    fn err(&self, context: &'static str) -> impl Fn(postgres::Error) -> LogError + '_ {
        move |e| map_err(&self.location, &self.user, self.lock_timeout_ms, context, &e)
    }

    /// Connects to the server `address` names, as `context` says.
    fn connect(address: &Address<'_>, context: &'static str) -> Result<(Client, connect::Target), LogError> {
        let target = connect::target(address.url, address.env, address.os_user)?;
        let location = PathBuf::from(&target.shown);
        let user = target.config.get_user().unwrap_or_default().to_owned();
        match connect::connect(&target) {
            Ok(client) => Ok((client, target)),
            Err(connect::ConnectFailure::Tls(message)) => {
                Err(LogError::Refused { path: location, message: format!("TLS cannot be set up: {message}") })
            }
            Err(connect::ConnectFailure::Server(e)) => {
                Err(map_err(&location, &user, address.lock_timeout_ms, context, &e))
            }
        }
    }

    /// Opens the log in the database `address` names.
    pub fn open(address: &Address<'_>) -> Result<PostgresLog, LogError> {
        let (mut client, target) = Postgres::connect(address, "opening the log")?;
        let location = PathBuf::from(&target.shown);
        let user = target.config.get_user().unwrap_or_default().to_owned();
        let err = |e: postgres::Error| map_err(&location, &user, address.lock_timeout_ms, "opening the log", &e);
        let row = client
            .query_typed_one(
                "SELECT to_regnamespace('entente') IS NOT NULL, to_regclass('entente.meta') IS NOT NULL, session_user::text",
                &[],
            )
            .map_err(err)?;
        let (schema, meta, session): (bool, bool, String) = (row.get(0), row.get(1), row.get(2));
        if !schema {
            return Err(LogError::NotFound { path: location });
        }
        if !meta {
            return Err(LogError::NotEntente { path: location });
        }
        let rows = client.query_typed("SELECT key, value FROM entente.meta", &[]).map_err(err)?;
        let meta = |key: &str| rows.iter().find(|r| r.get::<_, &str>(0) == key).map(|r| r.get::<_, String>(1));
        if meta("application").as_deref() != Some("entente") {
            return Err(LogError::NotEntente { path: location });
        }
        let version: Option<i64> =
            client.query_typed_one("SELECT max(version) FROM entente.migrations", &[]).map_err(err)?.get(0);
        let version = version.unwrap_or(0);
        if version > schema::LATEST {
            return Err(LogError::TooNew { path: location, found: version, known: schema::LATEST });
        }
        let roles = Roles {
            reader: meta("reader_role").unwrap_or_default(),
            recorder: meta("recorder_role").unwrap_or_default(),
            owner: meta("owner_role").unwrap_or_default(),
        };
        if version < schema::LATEST {
            Postgres::migrate(&mut client, &roles).map_err(|e| match e {
                Migration::Failed(e) => err(e),
                Migration::NotOwner => LogError::NeedsOwner {
                    path: location.clone(),
                    found: version,
                    known: schema::LATEST,
                    owner: roles.owner.clone(),
                },
            })?;
        }
        Ok(Log::new(Postgres {
            client: RefCell::new(client),
            location,
            lock_timeout_ms: address.lock_timeout_ms,
            pending: RefCell::default(),
            in_txn: Cell::new(false),
            last_sent: RefCell::default(),
            target,
            cursors: Cell::new(0),
            statements: RefCell::default(),
            hashes: RefCell::default(),
            user: session,
            roles,
        }))
    }

    /// Takes a log of an older schema to [`schema::LATEST`] in one transaction, under
    /// the lock of the migrations table (another process migrating meanwhile is waited
    /// for, and its work seen). Only a member of the owner role may: the schema is the
    /// owner's. A failed migration rolls back whole, leaving the log as it was.
    fn migrate(client: &mut postgres::Client, roles: &Roles) -> Result<(), Migration> {
        let owner: bool = client
            .query_one("SELECT pg_has_role(session_user, $1, 'MEMBER') IS TRUE", &[&roles.owner])
            .map_err(Migration::Failed)?
            .get(0);
        if !owner {
            return Err(Migration::NotOwner);
        }
        let migrated = (|| {
            client.batch_execute(&format!(
                "BEGIN; SET LOCAL ROLE {}; LOCK TABLE entente.migrations IN EXCLUSIVE MODE",
                schema::ident(&roles.owner)
            ))?;
            let version: Option<i64> = client.query_one("SELECT max(version) FROM entente.migrations", &[])?.get(0);
            if version == Some(1) {
                client.batch_execute(&schema::migrate_from_1(roles))?;
            }
            client.batch_execute("COMMIT")
        })();
        if migrated.is_err() {
            let _ = client.batch_execute("ROLLBACK");
        }
        migrated.map_err(Migration::Failed)
    }

    /// Creates a log in the database `address` names (creating the database too when
    /// the server has none of that name): the roles `roles` names, the schema owned by
    /// the owner role, and its guards. Refuses a database that already holds one.
    pub fn init(address: &Address<'_>, roles: &Roles) -> Result<PostgresLog, LogError> {
        let (mut client, target) = match Postgres::connect(address, "creating the log") {
            Err(LogError::NotFound { path }) => {
                Postgres::create_database(address, &path)?;
                Postgres::connect(address, "creating the log")?
            }
            other => other?,
        };
        let location = PathBuf::from(&target.shown);
        let user = target.config.get_user().unwrap_or_default().to_owned();
        let err = |e: postgres::Error| map_err(&location, &user, address.lock_timeout_ms, "creating the log", &e);
        let row = client
            .query_one("SELECT to_regnamespace('entente') IS NOT NULL, current_setting('server_encoding')", &[])
            .map_err(err)?;
        let (exists, encoding): (bool, String) = (row.get(0), row.get(1));
        if exists {
            return Err(LogError::Exists { path: location });
        }
        if encoding != "UTF8" {
            return Err(LogError::BadTarget {
                target: target.shown.clone(),
                message: format!(
                    "the database's encoding is {encoding}; a log stores its events as UTF-8 text. Create the \
                     database with ENCODING 'UTF8'"
                ),
            });
        }
        let sql = format!("BEGIN;\n{}COMMIT;\n", schema::create(&target.database, roles));
        if let Err(e) = client.batch_execute(&sql) {
            let _ = client.batch_execute("ROLLBACK");
            return Err(err(e));
        }
        drop(client);
        Postgres::open(address)
    }

    /// Creates the database a log's URL names, through the server's `postgres`
    /// database, as `createdb` would.
    fn create_database(address: &Address<'_>, location: &Path) -> Result<(), LogError> {
        let target = connect::target(address.url, address.env, address.os_user)?;
        let mut maintenance = target.clone();
        maintenance.config.dbname("postgres");
        let user = target.config.get_user().unwrap_or_default().to_owned();
        let err = |e: postgres::Error| map_err(location, &user, address.lock_timeout_ms, "creating the log", &e);
        let mut client = match connect::connect(&maintenance) {
            Ok(client) => client,
            Err(connect::ConnectFailure::Server(e)) => return Err(err(e)),
            Err(connect::ConnectFailure::Tls(message)) => {
                return Err(LogError::Refused { path: location.to_owned(), message });
            }
        };
        client
            .batch_execute(&format!(
                "CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0",
                schema::ident(&target.database)
            ))
            .map_err(err)
    }

    /// The log's roles, as its metadata names them.
    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// `sql` prepared on this connection, once (see the `statements` field).
    fn prepared(&self, sql: &str, context: &'static str) -> Result<Statement, LogError> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.borrow_mut().prepare(sql).map_err(self.err(context))?;
        self.statements.borrow_mut().insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Runs `sql` with no result rows wanted.
    fn run(&self, sql: &str, context: &'static str) -> Result<(), LogError> {
        self.client.borrow_mut().batch_execute(sql).map_err(self.err(context))
    }

    /// Sends the rows the write transaction buffered: events first, then their names
    /// and amendments, each in one statement.
    fn flush(&self) -> Result<(), LogError> {
        let mut pending = self.pending.borrow_mut();
        if pending.is_empty() {
            return Ok(());
        }
        let p = std::mem::take(&mut *pending);
        drop(pending);
        let context = "appending an event";
        let err = self.err(context);
        let events = self.prepared(
            "INSERT INTO entente.events (seq, id, kind, body, hash)
             SELECT * FROM unnest($1::int8[], $2::bytea[], $3::text[], $4::text[], $5::bytea[])",
            context,
        )?;
        // Prepared before the client is borrowed to send them; names and amendments
        // only when the batch has some.
        let names = (!p.name_seq.is_empty())
            .then(|| {
                self.prepared(
                    "INSERT INTO entente.names (namespace, key, seq)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::int8[]) ON CONFLICT DO NOTHING",
                    context,
                )
            })
            .transpose()?;
        let amendments = (!p.target_seq.is_empty())
            .then(|| {
                self.prepared(
                    "INSERT INTO entente.amendments (target, seq) SELECT * FROM unnest($1::bytea[], $2::int8[])",
                    context,
                )
            })
            .transpose()?;
        let mut client = self.client.borrow_mut();
        let landed = client.execute(&events, &[&p.seq, &p.id, &p.kind, &p.body, &p.hash]).map_err(&err)?;
        if landed != p.seq.len() as u64 {
            return Err(LogError::Tampered {
                path: self.location.clone(),
                what: format!(
                    "{} of {} events were stored although the insert ran: a trigger that is not entente's \
                     intercepts appends; nothing was written",
                    landed,
                    p.seq.len()
                ),
            });
        }
        if let (Some(seq), Some(hash)) = (p.seq.last(), p.hash.last()) {
            *self.last_sent.borrow_mut() = Some((*seq, hash.clone()));
        }
        if let Some(names) = names {
            client.execute(&names, &[&p.name_ns, &p.name_key, &p.name_seq]).map_err(&err)?;
        }
        if let Some(amendments) = amendments {
            client.execute(&amendments, &[&p.target, &p.target_seq]).map_err(&err)?;
        }
        Ok(())
    }

    /// Rows of `seq, body, hash` that `sql` selects.
    fn rows(&self, sql: &str, args: &[&(dyn ToSql + Sync)], context: &'static str) -> Result<Vec<StoredRow>, LogError> {
        self.flush()?;
        let statement = self.prepared(sql, context)?;
        let rows = self.client.borrow_mut().query(&statement, args).map_err(self.err(context))?;
        Ok(rows.iter().map(|r| stored_row(r, 0)).collect())
    }

    fn one(
        &self,
        sql: &str,
        args: &[&(dyn ToSql + Sync)],
        context: &'static str,
    ) -> Result<Option<StoredRow>, LogError> {
        Ok(self.rows(sql, args, context)?.into_iter().next())
    }

    fn begin(&self, sql: &str, context: &'static str) -> Result<(), LogError> {
        self.run(sql, context)?;
        self.in_txn.set(true);
        Ok(())
    }

    fn end(&self, sql: &str, context: &'static str) -> Result<(), LogError> {
        self.in_txn.set(false);
        *self.pending.borrow_mut() = Pending::default();
        *self.last_sent.borrow_mut() = None;
        self.hashes.borrow_mut().clear();
        self.run(sql, context)
    }

    /// Whether a write transaction whose connection was lost while it committed landed,
    /// its last row being `seq` with `hash`: the server may have committed it before the
    /// connection went (a restart, a network failure), and told nobody. Reaches the
    /// server again, waits for the append lock (held by the lost transaction until the
    /// server has ended it, one way or the other) and looks. Landed, the new connection
    /// serves what follows; not landed, the connection is lost and the batch rolled
    /// back; the server out of reach, nobody can tell yet.
    fn commit_outcome(&self, seq: i64, hash: &[u8]) -> Result<(), LogError> {
        for attempt in 0..RECONNECTS {
            if attempt > 0 {
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            let Ok(mut client) = connect::connect(&self.target) else { continue };
            let landed = (|| -> Result<bool, postgres::Error> {
                let look = "SELECT hash FROM entente.events WHERE seq = $1";
                let ours = |row: Option<postgres::Row>| row.is_some_and(|r| r.get::<_, &[u8]>(0) == hash);
                // A committed row stays: there, the batch landed.
                if ours(client.query_opt(look, &[&seq])?) {
                    return Ok(true);
                }
                // Not there yet: once the lost transaction is over, its lock free, it never
                // will be.
                let mut tx = client.transaction()?;
                tx.batch_execute(&format!("SET LOCAL lock_timeout = {}", self.lock_timeout_ms.max(1)))?;
                tx.execute(schema::TAKE_APPEND_LOCK, &[])?;
                let row = tx.query_opt(look, &[&seq])?;
                tx.commit()?;
                Ok(ours(row))
            })();
            match landed {
                Ok(landed) => {
                    *self.client.borrow_mut() = client;
                    // Statements prepared on the lost connection do not exist on this one.
                    self.statements.borrow_mut().clear();
                    return if landed {
                        Ok(())
                    } else {
                        Err(LogError::Disconnected { path: self.location.clone(), context: "committing" })
                    };
                }
                // Another writer holds the lock, or the server went again: ask again.
                Err(_) => continue,
            }
        }
        Err(LogError::CommitUnknown { path: self.location.clone(), seq: seq.max(0) as u64 })
    }
}

fn seq_of_row(row: &postgres::Row, at: usize) -> u64 {
    row.get::<_, i64>(at).max(0) as u64
}

fn hash_of(bytes: &[u8]) -> Option<Hash> {
    <[u8; 32]>::try_from(bytes).ok().map(Hash)
}

/// A row whose columns from `at` are `seq, body, hash`.
fn stored_row(row: &postgres::Row, at: usize) -> StoredRow {
    StoredRow { seq: seq_of_row(row, at), body: row.get(at + 1), hash: hash_of(row.get(at + 2)) }
}

fn snapshot_row(row: &postgres::Row) -> StoredSnapshot {
    StoredSnapshot { name: row.get(0), seq: seq_of_row(row, 1), hash: hash_of(row.get(2)), state: row.get(3) }
}

fn db_seq(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// A read transaction (REPEATABLE READ, read-only: one snapshot of the log), or the
/// reads of a write transaction.
pub struct PgRead<'a> {
    db: &'a Postgres,
    open: Cell<bool>,
}

impl Drop for PgRead<'_> {
    fn drop(&mut self) {
        if self.open.get() {
            let _ = self.db.end("ROLLBACK", "ending a read");
        }
    }
}

/// A write transaction: it holds the append lock from its start to its commit.
pub struct PgWrite<'a> {
    read: PgRead<'a>,
}

impl Backend for Postgres {
    type Read<'a> = PgRead<'a>;
    type Write<'a> = PgWrite<'a>;

    fn location(&self) -> &Path {
        &self.location
    }

    fn read(&self) -> Result<PgRead<'_>, LogError> {
        // A lock another role holds (a reader may lock the snapshots it can write) makes
        // a read wait the busy timeout at most, then say so, never hang.
        self.begin(
            &format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {NO_JIT}; SET LOCAL lock_timeout = {}",
                self.lock_timeout_ms.max(1)
            ),
            "starting a read",
        )?;
        Ok(PgRead { db: self, open: Cell::new(true) })
    }

    fn write(&mut self) -> Result<PgWrite<'_>, LogError> {
        let db: &Postgres = self;
        db.begin(
            &format!(
                "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = {}; {NO_JIT}",
                db.lock_timeout_ms.max(1)
            ),
            "waiting for the write lock",
        )?;
        let read = PgRead { db, open: Cell::new(true) };
        let may_append = db
            .client
            .borrow_mut()
            .query_typed_one("SELECT has_table_privilege('entente.events', 'INSERT')", &[])
            .map_err(db.err("waiting for the write lock"))?
            .get::<_, bool>(0);
        if !may_append {
            return Err(LogError::RoleMayNot {
                path: db.location.clone(),
                role: db.user.clone(),
                may: "may only read this log",
                needs: "recorder",
            });
        }
        db.client.borrow_mut().batch_execute(schema::TAKE_APPEND_LOCK).map_err(db.err("waiting for the write lock"))?;
        Ok(PgWrite { read })
    }

    fn save_snapshot(&self, name: &str, seq: u64, hash: Hash, state: &str) -> Result<bool, LogError> {
        if self.in_txn.get() {
            return Ok(false);
        }
        let saved = (|| -> Result<(), postgres::Error> {
            let mut client = self.client.borrow_mut();
            let mut tx = client.transaction()?;
            tx.batch_execute("SET LOCAL lock_timeout = 100")?;
            tx.execute(
                "INSERT INTO entente.snapshots (name, seq, hash, state) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (saved_by, name) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, state = excluded.state",
                &[&name, &db_seq(seq), &hash.0.as_slice(), &state],
            )?;
            tx.commit()
        })();
        match saved {
            Ok(()) => Ok(true),
            Err(e)
                if e.code().is_some_and(|c| {
                    [
                        SqlState::INSUFFICIENT_PRIVILEGE,
                        SqlState::READ_ONLY_SQL_TRANSACTION,
                        SqlState::LOCK_NOT_AVAILABLE,
                        SqlState::T_R_SERIALIZATION_FAILURE,
                        SqlState::T_R_DEADLOCK_DETECTED,
                        SqlState::UNIQUE_VIOLATION,
                    ]
                    .contains(c)
                }) =>
            {
                Ok(false)
            }
            Err(e) => Err(self.err("saving a snapshot")(e)),
        }
    }
}

impl PgRead<'_> {
    /// The snapshots the connected role saved (only `name`, when given), by name: the
    /// policy keeps each role to its own, and so does the query, for a superuser whom
    /// the policy does not bind.
    fn own_snapshots(&self, name: Option<&str>, context: &'static str) -> Result<Vec<StoredSnapshot>, LogError> {
        self.db.flush()?;
        let rows = self
            .db
            .client
            .borrow_mut()
            .query_typed(
                "SELECT name, seq, hash, state FROM entente.snapshots
                 WHERE saved_by = session_user AND ($1::text IS NULL OR name = $1) ORDER BY name",
                &[(&name, Type::TEXT)],
            )
            .map_err(self.db.err(context))?;
        Ok(rows.iter().map(snapshot_row).collect())
    }
}

impl ReadTxn for PgRead<'_> {
    fn last_seq(&self) -> Result<u64, LogError> {
        self.db.flush()?;
        let row = self
            .db
            .client
            .borrow_mut()
            .query_typed_one("SELECT coalesce(max(seq), 0) FROM entente.events", &[])
            .map_err(self.db.err("counting events"))?;
        Ok(seq_of_row(&row, 0))
    }

    fn last_row(&self) -> Result<Option<LastRow>, LogError> {
        Ok(self
            .db
            .one("SELECT seq, body, hash FROM entente.events ORDER BY seq DESC LIMIT 1", &[], "reading the head")?
            .map(|r| LastRow { seq: r.seq, hash: r.hash, body: Some(r.body) }))
    }

    fn scan(&self, scan: Scan<'_>, each: &mut dyn FnMut(RowRef<'_>) -> ControlFlow<()>) -> Result<(), LogError> {
        self.db.flush()?;
        let mut clauses = Vec::new();
        if !scan.kinds.is_empty() {
            let kinds: Vec<String> = scan.kinds.iter().map(|k| schema::literal(k.name())).collect();
            clauses.push(format!("kind IN ({})", kinds.join(", ")));
        }
        if let Some(after) = scan.after {
            clauses.push(format!("seq > {}", db_seq(after)));
        }
        if let Some(until) = scan.until {
            clauses.push(format!("seq <= {}", db_seq(until)));
        }
        let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let cursor = format!("entente_scan_{}", self.db.cursors.get());
        self.db.cursors.set(self.db.cursors.get() + 1);
        let err = self.db.err("reading events");
        // A scan of some kinds skips rows: the hash of the row before each comes with it
        // (see the `hashes` field), as the log looks it up to chain the row.
        let before = !scan.kinds.is_empty();
        let with_before = if before { ", (SELECT p.hash FROM entente.events p WHERE p.seq = e.seq - 1)" } else { "" };
        self.db.run(
            &format!("DECLARE {cursor} NO SCROLL CURSOR FOR SELECT seq, body, hash, id, kind{with_before} FROM entente.events e{filter} ORDER BY seq"),
            "reading events",
        )?;
        let fetch = format!("FETCH {FETCH} FROM {cursor}");
        'fetching: loop {
            let fetch = self.db.prepared(&fetch, "reading events")?;
            let rows = self.db.client.borrow_mut().query(&fetch, &[]).map_err(&err)?;
            for row in &rows {
                if before && let Some(hash) = row.get::<_, Option<&[u8]>>(5) {
                    self.db.hashes.borrow_mut().insert(seq_of_row(row, 0).saturating_sub(1), hash_of(hash));
                }
                let hash: &[u8] = row.get(2);
                let row = RowRef {
                    seq: seq_of_row(row, 0),
                    body: Some(row.get(1)),
                    hash: hash_of(hash),
                    id: row.get(3),
                    kind: row.get(4),
                };
                if each(row).is_break() {
                    break 'fetching;
                }
            }
            if rows.len() < FETCH {
                break;
            }
        }
        self.db.run(&format!("CLOSE {cursor}"), "reading events")
    }

    fn row_at(&self, seq: u64) -> Result<Option<StoredRow>, LogError> {
        self.db.one("SELECT seq, body, hash FROM entente.events WHERE seq = $1", &[&db_seq(seq)], "reading an event")
    }

    fn hash_at(&self, seq: u64) -> Result<Option<Option<Hash>>, LogError> {
        if let Some(hash) = self.db.hashes.borrow().get(&seq) {
            return Ok(Some(*hash));
        }
        self.db.flush()?;
        let context = "reading an event";
        let statement = self.db.prepared("SELECT hash FROM entente.events WHERE seq = $1", context)?;
        let rows = self.db.client.borrow_mut().query(&statement, &[&db_seq(seq)]).map_err(self.db.err(context))?;
        Ok(rows.first().map(|r| hash_of(r.get(0))))
    }

    fn row_of(&self, id: EventId) -> Result<Option<StoredRow>, LogError> {
        let id = id.0.as_bytes().as_slice();
        self.db.one("SELECT seq, body, hash FROM entente.events WHERE id = $1", &[&id], "reading an event")
    }

    fn seq_of(&self, id: EventId) -> Result<Option<u64>, LogError> {
        self.db.flush()?;
        let id = id.0.as_bytes().as_slice();
        let context = "looking up an id";
        let statement = self.db.prepared("SELECT seq FROM entente.events WHERE id = $1", context)?;
        let rows = self.db.client.borrow_mut().query(&statement, &[&id]).map_err(self.db.err(context))?;
        Ok(rows.first().map(|r| seq_of_row(r, 0)))
    }

    fn ids_with_prefix(&self, hex: &str, limit: usize) -> Result<Vec<EventId>, LogError> {
        // A range of the id index: the prefix padded with 0s up to with fs.
        let hex = hex.to_ascii_lowercase();
        if hex.len() > 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let bound = |pad: char| {
            let full = format!("{hex}{}", pad.to_string().repeat(32 - hex.len()));
            (0..16).filter_map(|i| u8::from_str_radix(&full[2 * i..2 * i + 2], 16).ok()).collect::<Vec<u8>>()
        };
        let (low, high) = (bound('0'), bound('f'));
        self.db.flush()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .db
            .client
            .borrow_mut()
            .query(
                "SELECT id FROM entente.events WHERE id >= $1 AND id <= $2 ORDER BY id LIMIT $3",
                &[&low, &high, &limit],
            )
            .map_err(self.db.err("looking up an id"))?;
        Ok(rows.iter().filter_map(|r| uuid::Uuid::from_slice(r.get::<_, &[u8]>(0)).ok()).map(EventId).collect())
    }

    fn amendment_rows(&self, target: Option<EventId>, kind: Option<Kind>) -> Result<Vec<StoredRow>, LogError> {
        let target = target.map(|t| t.0.as_bytes().to_vec());
        let kind = kind.map(Kind::name);
        self.db.flush()?;
        // With the hash of the row before each (see the `hashes` field).
        let context = "reading amendments";
        let statement = self.db.prepared(
            "SELECT e.seq, e.body, e.hash, p.hash FROM entente.amendments a JOIN entente.events e ON e.seq = a.seq
             LEFT JOIN entente.events p ON p.seq = e.seq - 1
             WHERE ($1::bytea IS NULL OR a.target = $1) AND ($2::text IS NULL OR e.kind = $2) ORDER BY a.seq",
            context,
        )?;
        let rows = self.db.client.borrow_mut().query(&statement, &[&target, &kind]).map_err(self.db.err(context))?;
        let mut hashes = self.db.hashes.borrow_mut();
        Ok(rows
            .iter()
            .map(|r| {
                let row = stored_row(r, 0);
                if let Some(before) = r.get::<_, Option<&[u8]>>(3) {
                    hashes.insert(row.seq.saturating_sub(1), hash_of(before));
                }
                row
            })
            .collect())
    }

    fn declarer_row(&self, name: &Name) -> Result<Option<StoredRow>, LogError> {
        self.db.one(
            "SELECT e.seq, e.body, e.hash FROM entente.names n JOIN entente.events e ON e.seq = n.seq
             WHERE n.namespace = $1 AND n.key = $2",
            &[&name.namespace(), &name.key()],
            "checking an event",
        )
    }

    fn declarer_rows(&self, namespace: &str, prefix: &str) -> Result<Vec<(String, StoredRow)>, LogError> {
        // Keys compare bytewise (the columns are COLLATE "C"): a range of the primary
        // key from `prefix` to the first string after every one that starts with it.
        let upper = prefix.char_indices().next_back().and_then(|(at, last)| {
            let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32)?;
            Some(format!("{}{next}", &prefix[..at]))
        });
        self.db.flush()?;
        let context = "looking up names";
        let statement = self.db.prepared(
            "SELECT n.key, e.seq, e.body, e.hash FROM entente.names n JOIN entente.events e ON e.seq = n.seq
             WHERE n.namespace = $1 AND n.key >= $2 AND ($3::text IS NULL OR n.key < $3) ORDER BY n.key",
            context,
        )?;
        let rows = self
            .db
            .client
            .borrow_mut()
            .query(&statement, &[&namespace, &prefix, &upper])
            .map_err(self.db.err(context))?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<_, String>(0), stored_row(r, 1)))
            .filter(|(key, _)| key.starts_with(prefix))
            .collect())
    }

    fn indexes(&self) -> Result<(NameRows, AmendmentRows), LogError> {
        self.db.flush()?;
        let err = self.db.err("reading the derived tables");
        let mut client = self.db.client.borrow_mut();
        let names = client
            .query("SELECT namespace, key, seq FROM entente.names", &[])
            .map_err(&err)?
            .iter()
            .map(|r| ((r.get(0), r.get(1)), seq_of_row(r, 2)))
            .collect();
        let amendments = client
            .query("SELECT target, seq FROM entente.amendments", &[])
            .map_err(&err)?
            .iter()
            .map(|r| (r.get(0), seq_of_row(r, 1)))
            .collect();
        Ok((names, amendments))
    }

    fn snapshot(&self, name: &str) -> Result<Option<StoredSnapshot>, LogError> {
        Ok(self.own_snapshots(Some(name), "reading a snapshot")?.into_iter().next())
    }

    fn snapshots(&self) -> Result<Vec<StoredSnapshot>, LogError> {
        self.own_snapshots(None, "checking snapshots")
    }

    fn guards(&self) -> Result<Option<String>, LogError> {
        guards::check(&mut self.db.client.borrow_mut(), &self.db.roles).map_err(self.db.err("reading the schema"))
    }

    fn finish(self) -> Result<(), LogError> {
        self.open.set(false);
        self.db.end("COMMIT", "ending a read")
    }
}

impl<'a> WriteTxn for PgWrite<'a> {
    type Read = PgRead<'a>;

    fn reads(&self) -> &PgRead<'a> {
        &self.read
    }

    fn insert(&mut self, row: NewRow<'_>) -> Result<(), LogError> {
        let db = self.read.db;
        let full = {
            let mut p = db.pending.borrow_mut();
            let seq = db_seq(row.seq);
            p.seq.push(seq);
            p.id.push(row.id.0.as_bytes().to_vec());
            p.kind.push(row.kind.name());
            p.body.push(row.body.to_owned());
            p.hash.push(row.hash.0.to_vec());
            for name in row.declares {
                p.name_ns.push(name.namespace().to_owned());
                p.name_key.push(name.key());
                p.name_seq.push(seq);
            }
            if let Some(target) = row.target {
                p.target.push(target.0.as_bytes().to_vec());
                p.target_seq.push(seq);
            }
            p.seq.len() >= BATCH
        };
        if full { db.flush() } else { Ok(()) }
    }

    fn replace_indexes(&mut self, names: &NameRows, amendments: &AmendmentRows) -> Result<(), LogError> {
        let db = self.read.db;
        db.flush()?;
        let context = "rebuilding the derived tables";
        db.run(
            "SET LOCAL entente.rebuilding = 'on'; DELETE FROM entente.names; DELETE FROM entente.amendments; \
             SET LOCAL entente.rebuilding = 'off'",
            context,
        )?;
        let (mut ns, mut keys, mut seqs) = (Vec::new(), Vec::new(), Vec::new());
        for ((namespace, key), seq) in names {
            ns.push(namespace.as_str());
            keys.push(key.as_str());
            seqs.push(db_seq(*seq));
        }
        let mut client = db.client.borrow_mut();
        client
            .execute(
                "INSERT INTO entente.names (namespace, key, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::int8[])",
                &[&ns, &keys, &seqs],
            )
            .map_err(db.err(context))?;
        let (targets, seqs): (Vec<&[u8]>, Vec<i64>) =
            amendments.iter().map(|(t, s)| (t.as_slice(), db_seq(*s))).unzip();
        client
            .execute(
                "INSERT INTO entente.amendments (target, seq) SELECT * FROM unnest($1::bytea[], $2::int8[])",
                &[&targets, &seqs],
            )
            .map_err(db.err(context))?;
        Ok(())
    }

    fn drop_snapshots(&mut self) -> Result<(), LogError> {
        self.read.db.run("DELETE FROM entente.snapshots", "rebuilding the derived tables")
    }

    fn commit(self) -> Result<(), LogError> {
        let db = self.read.db;
        db.flush()?;
        self.read.open.set(false);
        let sent = db.last_sent.borrow_mut().take();
        match (db.end("COMMIT", "committing"), sent) {
            (Err(LogError::Disconnected { .. }), Some((seq, hash))) => db.commit_outcome(seq, &hash),
            (outcome, _) => outcome,
        }
    }

    fn vouched(&self) -> Result<Option<Vouched>, LogError> {
        let db = self.read.db;
        let row = db
            .client
            .borrow_mut()
            .query_typed_one(
                "SELECT clock_timestamp(), session_user::text,
                        pg_has_role(session_user, (SELECT value FROM entente.meta WHERE key = 'owner_role'), 'MEMBER') IS TRUE",
                &[],
            )
            .map_err(db.err("waiting for the write lock"))?;
        Ok(Some(Vouched { now: row.get(0), user: row.get(1), keeps_history: row.get(2) }))
    }
}

/// Why a migration did not happen.
enum Migration {
    /// The server refused a statement; nothing was changed.
    Failed(postgres::Error),
    /// The connected role does not own the log.
    NotOwner,
}

/// The guards as the catalogs hold them, against what `schema.rs` creates.
mod guards {
    use super::schema::{self, Roles};

    /// What differs, first difference only.
    pub fn check(client: &mut postgres::Client, roles: &Roles) -> Result<Option<String>, postgres::Error> {
        let found = |what: String| Ok(Some(format!("{what}: the database was changed outside entente")));
        // Triggers: each by its definition, and enabled.
        let rows = client.query(
            "SELECT c.relname::text, t.tgname::text, pg_get_triggerdef(t.oid), t.tgenabled::text
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE c.relnamespace = 'entente'::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2",
            &[],
        )?;
        let actual: Vec<(String, String, String, String)> =
            rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
        for (table, name, definition) in schema::TRIGGERS {
            match actual.iter().find(|a| a.0 == table && a.1 == name) {
                None => return found(format!("the trigger `{name}` that keeps the log append-only is missing")),
                Some(a) if a.2 != definition => {
                    return found(format!("the trigger `{name}` differs from the one entente creates"));
                }
                Some(a) if a.3 != "O" => return found(format!("the trigger `{name}` was disabled")),
                Some(_) => {}
            }
        }
        if let Some(extra) = actual.iter().find(|a| !schema::TRIGGERS.iter().any(|t| t.0 == a.0 && t.1 == a.1)) {
            return found(format!("the table `{}` has a trigger `{}` that entente never creates", extra.0, extra.1));
        }
        // Functions: by their source and settings.
        let rows = client.query(
            "SELECT p.proname::text, p.prosrc, coalesce(array_to_string(p.proconfig, ','), ''), p.prosecdef
             FROM pg_proc p WHERE p.pronamespace = 'entente'::regnamespace ORDER BY 1",
            &[],
        )?;
        for (name, body) in schema::FUNCTIONS {
            match rows.iter().find(|r| r.get::<_, &str>(0) == name) {
                None => return found(format!("the function `{name}` the log's triggers run is missing")),
                Some(r)
                    if r.get::<_, &str>(1) != body
                        || r.get::<_, &str>(2) != "search_path=pg_catalog, pg_temp"
                        || r.get::<_, bool>(3) =>
                {
                    return found(format!("the function `{name}` differs from the one entente creates"));
                }
                Some(_) => {}
            }
        }
        if rows.len() != schema::FUNCTIONS.len() {
            return found("the schema holds a function entente never creates".to_owned());
        }
        // Views: each by its definition and options.
        let rows = client.query(
            "SELECT c.relname::text, pg_get_viewdef(c.oid), coalesce(array_to_string(c.reloptions, ','), '')
             FROM pg_class c WHERE c.relnamespace = 'entente'::regnamespace AND c.relkind IN ('v', 'm') ORDER BY 1",
            &[],
        )?;
        for (name, definition) in schema::VIEWS {
            match rows.iter().find(|r| r.get::<_, &str>(0) == name) {
                None => return found(format!("the view `{name}` is missing")),
                Some(r) if r.get::<_, &str>(1) != definition || r.get::<_, &str>(2) != schema::VIEW_OPTIONS => {
                    return found(format!("the view `{name}` differs from the one entente creates"));
                }
                Some(_) => {}
            }
        }
        if let Some(extra) = rows.iter().find(|r| !schema::VIEWS.iter().any(|v| v.0 == r.get::<_, &str>(0))) {
            return found(format!("the schema holds a view `{}` that entente never creates", extra.get::<_, &str>(0)));
        }
        // Who owns the functions and the schema, and who may use the schema.
        let row = client.query_one(
            "SELECT
               (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'entente'::regnamespace
                  AND (pg_get_userbyid(p.proowner) <> $1 OR p.provolatile <> 'v' OR p.proacl IS NOT NULL)),
               (SELECT pg_get_userbyid(n.nspowner)::text FROM pg_namespace n WHERE n.nspname = 'entente'),
               (SELECT coalesce(string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END
                                           || ' ' || a.privilege_type, ',' ORDER BY 1), '')
                  FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'entente' AND a.grantee <> n.nspowner)",
            &[&roles.owner],
        )?;
        if row.get::<_, i64>(0) != 0 {
            return found("a function of the log changed owner, volatility or privileges".to_owned());
        }
        if row.get::<_, Option<String>>(1).as_deref() != Some(roles.owner.as_str()) {
            return found("the schema `entente` is no longer owned by the log's owner role".to_owned());
        }
        let mut usage = [format!("{} USAGE", roles.reader), format!("{} USAGE", roles.recorder)];
        usage.sort();
        if row.get::<_, String>(2) != usage.join(",") {
            return found("the privileges on the schema `entente` are not those entente grants".to_owned());
        }
        // Constraints, indexes, defaults, NOT NULL, collations; rules; row security.
        let shape: Vec<String> = client.query(schema::SHAPE_QUERY, &[])?.iter().map(|r| r.get(0)).collect();
        if let Some(extra) = shape.iter().find(|s| !schema::SHAPE.contains(&s.as_str())) {
            return found(format!("the log's tables hold `{extra}`, which entente never creates"));
        }
        if let Some(missing) = schema::SHAPE.iter().find(|s| !shape.iter().any(|a| a == *s)) {
            return found(format!("the log's tables no longer hold `{missing}`"));
        }
        let row = client.query_one(
            "SELECT
               (SELECT count(*) FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
                  WHERE c.relnamespace = 'entente'::regnamespace AND NOT (c.relkind = 'v' AND r.rulename = '_RETURN')),
               (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'entente'::regnamespace AND c.relkind = 'r'
                  AND (c.relforcerowsecurity OR (c.relrowsecurity <> (c.relname = 'snapshots')))),
               (SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
                  WHERE c.relnamespace = 'entente'::regnamespace),
               (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  WHERE c.relnamespace = 'entente'::regnamespace AND a.attacl IS NOT NULL)",
            &[],
        )?;
        if row.get::<_, i64>(0) != 0 {
            return found("a rule rewrites what is done to the log's tables".to_owned());
        }
        if row.get::<_, i64>(1) != 0 || row.get::<_, i64>(2) != 1 {
            return found("row-level security on the log's tables is not what entente sets".to_owned());
        }
        if row.get::<_, i64>(3) != 0 {
            return found("a privilege on some column of the log was granted, which entente never grants".to_owned());
        }
        // Tables and columns.
        let rows = client.query(
            "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relnamespace = 'entente'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
               AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, a.attnum",
            &[],
        )?;
        let columns: Vec<(String, String, String)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
        let expected: Vec<(String, String, String)> =
            schema::COLUMNS.iter().map(|(t, c, y)| ((*t).to_owned(), (*c).to_owned(), (*y).to_owned())).collect();
        let (mut sorted_actual, mut sorted_expected) = (columns.clone(), expected);
        sorted_actual.sort();
        sorted_expected.sort();
        if sorted_actual != sorted_expected {
            return found("its tables or columns are not those entente creates".to_owned());
        }
        // Owners, privileges and the snapshots' policy.
        let rows = client.query(
            "SELECT c.relname::text, pg_get_userbyid(c.relowner)::text, c.relrowsecurity
             FROM pg_class c WHERE c.relnamespace = 'entente'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1",
            &[],
        )?;
        for row in &rows {
            let (table, owner): (&str, &str) = (row.get(0), row.get(1));
            if owner != roles.owner {
                return found(format!("the table `{table}` is owned by `{owner}`, not the log's owner role"));
            }
            if table == "snapshots" && !row.get::<_, bool>(2) {
                return found("row-level security on `snapshots` was turned off".to_owned());
            }
        }
        let rows = client.query(
            "SELECT c.relname::text, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END,
                    a.privilege_type
             FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.relnamespace = 'entente'::regnamespace AND c.relkind IN ('r', 'v') AND a.grantee <> c.relowner
             ORDER BY 1, 2, 3",
            &[],
        )?;
        let mut granted: Vec<(String, String, String)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
        granted.sort();
        let expected = schema::privileges(roles);
        if let Some(extra) = granted.iter().find(|g| !expected.contains(g)) {
            return found(format!(
                "`{}` was granted {} on `{}`, which entente never grants",
                extra.1, extra.2, extra.0
            ));
        }
        if let Some(missing) = expected.iter().find(|e| !granted.contains(e)) {
            return found(format!("`{}` no longer holds {} on `{}`", missing.1, missing.2, missing.0));
        }
        let rows = client.query(
            "SELECT polname::text, polcmd::text, pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid),
                    polpermissive
             FROM pg_policy WHERE polrelid = 'entente.snapshots'::regclass",
            &[],
        )?;
        let policy_ok = rows.len() == 1 && {
            let r = &rows[0];
            r.get::<_, &str>(0) == "own_snapshots"
                && r.get::<_, &str>(1) == "*"
                && r.get::<_, Option<&str>>(2) == Some(schema::SNAPSHOT_POLICY)
                && r.get::<_, Option<&str>>(3) == Some(schema::SNAPSHOT_POLICY)
                && r.get::<_, bool>(4)
        };
        if !policy_ok {
            return found("the policy that keeps each role to its own snapshots was changed".to_owned());
        }
        Ok(None)
    }
}
