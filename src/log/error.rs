//! What can go wrong with a log, as data: each failure names where (the log's
//! location), what, and the values involved, and belongs to a [`Class`] that decides
//! what a caller may do about it. The words that name commands, flags and environment
//! variables are not here: a front end adds them (the CLI's `hint`).

use std::path::PathBuf;

use crate::event::FieldError;

/// A failure of the log.
#[expect(missing_docs, reason = "variant fields are self-describing and shown in the messages")]
#[derive(Clone, Debug, thiserror::Error)]
pub enum LogError {
    /// No log at the location.
    #[error("there is no log at {path}")]
    NotFound { path: PathBuf },
    /// Creating a log where something already is.
    #[error("{path} already exists")]
    Exists { path: PathBuf },
    /// The path is a directory.
    #[error("{path} is a directory, not a log file")]
    IsDirectory { path: PathBuf },
    /// Not a database at all.
    #[error("{path} is not an entente log (not an SQLite database at all); check the path")]
    NotSqlite { path: PathBuf },
    /// A database, but someone else's.
    #[error("{path} is an SQLite database of another program, not an entente log; check the path")]
    Foreign { path: PathBuf },
    /// Written by a newer entente.
    #[error(
        "{path} was written by a newer entente (log schema {found}; this entente knows up to {known}); upgrade entente to read it"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    /// Another process held the lock for longer than the busy timeout.
    #[error("{path} is locked by another entente process and stayed locked for {waited_ms} ms")]
    Busy { path: PathBuf, waited_ms: u32 },
    /// The log or its folder cannot be written.
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
    /// The log did not end where the caller expected.
    #[error(
        "the log has moved on: you expected it to end at seq {expected}, but it ends at seq {actual}; nothing was written"
    )]
    Conflict { expected: u64, actual: u64 },
    /// One or more input lines were rejected; nothing was written.
    #[error("{}; nothing was written", rejected_summary(.problems, *.unchecked))]
    Rejected {
        /// The problems, in line order.
        problems: Vec<LineProblem>,
        /// True when checking stopped early because there were too many problems.
        unchecked: bool,
    },
    /// A stored row does not read back as an event.
    #[error("{path}: the event at seq {seq} cannot be read ({message}); the file was changed outside entente")]
    Corrupt { path: PathBuf, seq: u64, message: String },
    /// The log as a whole no longer holds what entente wrote (its schema, its version).
    #[error("{path}: {what}; the file was changed outside entente")]
    Tampered { path: PathBuf, what: String },
    /// The folder the log should be created in does not exist.
    #[error("cannot create {path}: the folder {folder} does not exist; create it first (mkdir -p {folder})")]
    NoFolder { path: PathBuf, folder: PathBuf },
    /// The path names something other than a regular file.
    #[error("{path} is {what}, not a log file")]
    NotAFile { path: PathBuf, what: &'static str },
    /// A read-only log from an older entente: it would need migrating first.
    #[error(
        "{path} is from an older entente (log schema {found}; this entente writes {known}) and is read-only here; open it once with write access to upgrade it"
    )]
    NeedsUpgrade { path: PathBuf, found: i64, known: i64 },
    /// A team log of an older schema, opened by a role that may not migrate it.
    #[error(
        "{path} is a team log of an older schema ({found}; this entente uses {known}), which only its owner role may upgrade: have a member of `{owner}` run any entente command on it once, then try again"
    )]
    NeedsOwner { path: PathBuf, found: i64, known: i64, owner: String },
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
    /// A server URL that does not parse, or settings that contradict it.
    #[error("{target} cannot be used as a log's address: {message}")]
    BadTarget { target: String, message: String },
    /// The server could not be reached (down, starting, or the network in between).
    #[error(
        "{path}: the server cannot be reached ({message}); check that it runs and the host and port are right, then try again"
    )]
    Unreachable { path: PathBuf, message: String },
    /// The server refused who we are, or how we came (password, pg_hba, TLS).
    #[error("{path}: the server refused the connection: {message}")]
    Refused { path: PathBuf, message: String },
    /// The connection broke while a command ran (a server restart, the network).
    #[error(
        "{path}: the connection to the server was lost while {context} (the server restarted, or the network failed); what the server had not committed it rolled back. Try again"
    )]
    Disconnected { path: PathBuf, context: &'static str },
    /// The connection broke while a batch was committing, and the server could not be
    /// reached again to learn whether the commit landed before it broke.
    #[error(
        "{path}: the connection to the server was lost while committing, and the server could not be reached again to see whether the batch was recorded. When the server is back, look at where the log ends: if it ends at seq {seq}, the batch was recorded and must not be run again"
    )]
    CommitUnknown { path: PathBuf, seq: u64 },
    /// The connected role lacks a privilege the command needs.
    #[error("{path}: your role `{role}` {may}; nothing was written")]
    RoleMayNot {
        path: PathBuf,
        role: String,
        may: &'static str,
        /// Which of the log's roles would allow it: `reader`, `recorder`, `owner`, or
        /// empty when no grant helps.
        needs: &'static str,
    },
    /// The server refused a row by one of the log's own triggers.
    #[error("{path}: the server's guards refused the append ({message}); nothing was written")]
    GuardRefused { path: PathBuf, message: String },
    /// A database whose `entente` schema entente did not make.
    #[error("{path} holds an `entente` schema that is not an entente log (no entente metadata); check the database")]
    NotEntente { path: PathBuf },
    /// Anything else the storage engine reported, in its own words.
    #[error("unexpected {engine} failure on {path} while {context}: {message}")]
    Unexpected { path: PathBuf, engine: &'static str, context: &'static str, message: String },
}

/// What a caller may do about a [`LogError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Try again: the log was busy, or moved on meanwhile.
    Retry,
    /// The log cannot be used as given (wrong path, permissions, disk, version).
    Unusable,
    /// The input was refused; nothing was written.
    Rejected,
    /// The log was changed behind entente's back.
    Tampered,
    /// entente itself failed.
    Bug,
}

impl LogError {
    /// The class of this failure. Every variant is named, so a new one must be
    /// classed here.
    pub fn class(&self) -> Class {
        match self {
            LogError::Busy { .. }
            | LogError::Conflict { .. }
            | LogError::Unreachable { .. }
            | LogError::Disconnected { .. }
            | LogError::CommitUnknown { .. } => Class::Retry,
            LogError::NotFound { .. }
            | LogError::Exists { .. }
            | LogError::IsDirectory { .. }
            | LogError::NotSqlite { .. }
            | LogError::Foreign { .. }
            | LogError::TooNew { .. }
            | LogError::NeedsUpgrade { .. }
            | LogError::NeedsOwner { .. }
            | LogError::ReadOnly { .. }
            | LogError::DiskFull { .. }
            | LogError::Io { .. }
            | LogError::NoFolder { .. }
            | LogError::NotAFile { .. }
            | LogError::Empty { .. }
            | LogError::HardLinked { .. }
            | LogError::UnreadableWal { .. }
            | LogError::Replaced { .. }
            | LogError::BadTarget { .. }
            | LogError::Refused { .. }
            | LogError::RoleMayNot { .. }
            | LogError::NotEntente { .. } => Class::Unusable,
            LogError::GuardRefused { .. } => Class::Rejected,
            LogError::Rejected { .. } => Class::Rejected,
            LogError::Corrupt { .. } | LogError::Tampered { .. } => Class::Tampered,
            LogError::Bug { .. } | LogError::Unexpected { .. } => Class::Bug,
        }
    }
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
        1 => format!("line {} was rejected{more}", lines[0]),
        n => format!("{n} lines were rejected{more}"),
    }
}
