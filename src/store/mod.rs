//! Storage backends of the log: each implements [`crate::log::Backend`] and holds all
//! of its engine's code (SQL, schema, migrations, error mapping). SQLite is the
//! embedded default.

pub mod sqlite;

pub use sqlite::{SCHEMA_VERSION, Sqlite, SqliteLog};
