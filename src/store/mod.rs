//! Storage backends of the log: each implements [`crate::log::Backend`] and holds all
//! of its engine's code (SQL, schema, migrations, error mapping). SQLite is the
//! embedded default; PostgreSQL holds a team's shared log. [`Store`] is either, for a
//! front end that learns which from the `--db` it is given.

pub mod postgres;
pub mod sqlite;

use std::ops::ControlFlow;
use std::path::Path;

pub use self::postgres::{Postgres, PostgresLog};
pub use sqlite::{SCHEMA_VERSION, Sqlite, SqliteLog};

use crate::event::{EventId, Hash, Kind, Name};
use crate::log::backend::{
    AmendmentRows, Backend, LastRow, NameRows, NewRow, ReadTxn, RowRef, Scan, StoredRow, StoredSnapshot, Vouched,
    WriteTxn,
};
use crate::log::{Log, LogError};

/// A log in either backend.
pub type AnyLog = Log<Store>;

/// Either backend.
pub enum Store {
    /// An SQLite file (or memory).
    Sqlite(Sqlite),
    /// A PostgreSQL database.
    Postgres(Box<Postgres>),
}

impl Store {
    /// Whether the backend vouches for who appends and when (a server), so appends
    /// ask it ([`crate::log::Recorder::Server`]).
    pub fn vouches(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }
}

impl From<SqliteLog> for AnyLog {
    fn from(log: SqliteLog) -> AnyLog {
        Log::new(Store::Sqlite(log.into_backend()))
    }
}

impl From<PostgresLog> for AnyLog {
    fn from(log: PostgresLog) -> AnyLog {
        Log::new(Store::Postgres(Box::new(log.into_backend())))
    }
}

/// A read transaction of either backend.
pub enum StoreRead<'a> {
    /// SQLite's.
    Sqlite(sqlite::SqliteRead<'a>),
    /// PostgreSQL's.
    Postgres(self::postgres::PgRead<'a>),
}

/// A write transaction of either backend; its reads are its own.
pub enum StoreWrite<'a> {
    /// SQLite's.
    Sqlite(sqlite::SqliteWrite<'a>),
    /// PostgreSQL's.
    Postgres(self::postgres::PgWrite<'a>),
}

impl Backend for Store {
    type Read<'a> = StoreRead<'a>;
    type Write<'a> = StoreWrite<'a>;

    fn location(&self) -> &Path {
        match self {
            Store::Sqlite(b) => b.location(),
            Store::Postgres(b) => b.location(),
        }
    }

    fn read(&self) -> Result<StoreRead<'_>, LogError> {
        Ok(match self {
            Store::Sqlite(b) => StoreRead::Sqlite(b.read()?),
            Store::Postgres(b) => StoreRead::Postgres(b.read()?),
        })
    }

    fn write(&mut self) -> Result<StoreWrite<'_>, LogError> {
        Ok(match self {
            Store::Sqlite(b) => StoreWrite::Sqlite(b.write()?),
            Store::Postgres(b) => StoreWrite::Postgres(b.write()?),
        })
    }

    fn save_snapshot(&self, name: &str, seq: u64, hash: Hash, state: &str) -> Result<bool, LogError> {
        match self {
            Store::Sqlite(b) => b.save_snapshot(name, seq, hash, state),
            Store::Postgres(b) => b.save_snapshot(name, seq, hash, state),
        }
    }
}

/// The reads of [`ReadTxn`], each passed to `$txn`, the inner transaction's reads.
macro_rules! delegate_reads {
    ($self:ident => $txn:ident) => {
        fn last_seq(&$self) -> Result<u64, LogError> {
            delegate_reads!(@ $self, $txn, last_seq())
        }
        fn last_row(&$self) -> Result<Option<LastRow>, LogError> {
            delegate_reads!(@ $self, $txn, last_row())
        }
        fn scan(&$self, scan: Scan<'_>, each: &mut dyn FnMut(RowRef<'_>) -> ControlFlow<()>) -> Result<(), LogError> {
            delegate_reads!(@ $self, $txn, scan(scan, each))
        }
        fn row_at(&$self, seq: u64) -> Result<Option<StoredRow>, LogError> {
            delegate_reads!(@ $self, $txn, row_at(seq))
        }
        fn hash_at(&$self, seq: u64) -> Result<Option<Option<Hash>>, LogError> {
            delegate_reads!(@ $self, $txn, hash_at(seq))
        }
        fn row_of(&$self, id: EventId) -> Result<Option<StoredRow>, LogError> {
            delegate_reads!(@ $self, $txn, row_of(id))
        }
        fn seq_of(&$self, id: EventId) -> Result<Option<u64>, LogError> {
            delegate_reads!(@ $self, $txn, seq_of(id))
        }
        fn ids_with_prefix(&$self, hex: &str, limit: usize) -> Result<Vec<EventId>, LogError> {
            delegate_reads!(@ $self, $txn, ids_with_prefix(hex, limit))
        }
        fn amendment_rows(&$self, target: Option<EventId>, kind: Option<Kind>) -> Result<Vec<StoredRow>, LogError> {
            delegate_reads!(@ $self, $txn, amendment_rows(target, kind))
        }
        fn declarer_row(&$self, name: &Name) -> Result<Option<StoredRow>, LogError> {
            delegate_reads!(@ $self, $txn, declarer_row(name))
        }
        fn declarer_rows(&$self, namespace: &str, prefix: &str) -> Result<Vec<(String, StoredRow)>, LogError> {
            delegate_reads!(@ $self, $txn, declarer_rows(namespace, prefix))
        }
        fn indexes(&$self) -> Result<(NameRows, AmendmentRows), LogError> {
            delegate_reads!(@ $self, $txn, indexes())
        }
        fn snapshot(&$self, name: &str) -> Result<Option<StoredSnapshot>, LogError> {
            delegate_reads!(@ $self, $txn, snapshot(name))
        }
        fn snapshots(&$self) -> Result<Vec<StoredSnapshot>, LogError> {
            delegate_reads!(@ $self, $txn, snapshots())
        }
        fn guards(&$self) -> Result<Option<String>, LogError> {
            delegate_reads!(@ $self, $txn, guards())
        }
    };
    (@ $self:ident, $txn:ident, $($call:tt)+) => {
        match $self {
            Self::Sqlite(t) => $txn!(t).$($call)+,
            Self::Postgres(t) => $txn!(t).$($call)+,
        }
    };
}

macro_rules! itself {
    ($t:ident) => {
        $t
    };
}

macro_rules! its_reads {
    ($t:ident) => {
        $t.reads()
    };
}

impl ReadTxn for StoreRead<'_> {
    delegate_reads!(self => itself);

    fn finish(self) -> Result<(), LogError> {
        match self {
            StoreRead::Sqlite(t) => t.finish(),
            StoreRead::Postgres(t) => t.finish(),
        }
    }
}

/// A write transaction reads through its own reads; `finish` (never reachable through
/// [`WriteTxn::reads`], which lends a reference) rolls back, as a drop does.
impl ReadTxn for StoreWrite<'_> {
    delegate_reads!(self => its_reads);

    fn finish(self) -> Result<(), LogError> {
        Ok(())
    }
}

impl WriteTxn for StoreWrite<'_> {
    type Read = Self;

    fn reads(&self) -> &Self {
        self
    }

    fn insert(&mut self, row: NewRow<'_>) -> Result<(), LogError> {
        match self {
            StoreWrite::Sqlite(t) => t.insert(row),
            StoreWrite::Postgres(t) => t.insert(row),
        }
    }

    fn replace_indexes(&mut self, names: &NameRows, amendments: &AmendmentRows) -> Result<(), LogError> {
        match self {
            StoreWrite::Sqlite(t) => t.replace_indexes(names, amendments),
            StoreWrite::Postgres(t) => t.replace_indexes(names, amendments),
        }
    }

    fn drop_snapshots(&mut self) -> Result<(), LogError> {
        match self {
            StoreWrite::Sqlite(t) => t.drop_snapshots(),
            StoreWrite::Postgres(t) => t.drop_snapshots(),
        }
    }

    fn commit(self) -> Result<(), LogError> {
        match self {
            StoreWrite::Sqlite(t) => t.commit(),
            StoreWrite::Postgres(t) => t.commit(),
        }
    }

    fn vouched(&self) -> Result<Option<Vouched>, LogError> {
        match self {
            StoreWrite::Sqlite(t) => t.vouched(),
            StoreWrite::Postgres(t) => t.vouched(),
        }
    }
}
