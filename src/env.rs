//! The only place that reads ambient state: the clock, randomness, environment
//! variables and whether a stream is a terminal.
//!
//! Everything else receives these as values, which is what lets tests fix them:
//! `ENTENTE_NOW` pins the clock and `ENTENTE_SEED` makes event ids a pure function of
//! the seed and the position they land at. Clippy's `disallowed-methods` (clippy.toml)
//! keeps the ambient calls from creeping back elsewhere.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};

use crate::event::EventId;

/// Where time comes from.
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant (`ENTENTE_NOW`).
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current instant, to the microsecond (the log's precision).
    pub fn now(self) -> DateTime<Utc> {
        match self {
            #[expect(clippy::disallowed_methods, reason = "env.rs is the one place that reads the clock")]
            Clock::System => Utc::now().trunc_subsecs(6),
            Clock::Fixed(t) => t,
        }
    }
}

/// Where new event ids come from.
#[derive(Clone, Copy, Debug)]
pub enum Ids {
    /// Random version-4 UUIDs.
    Random,
    /// Deterministic ids from a seed (`ENTENTE_SEED`), for tests and transcripts.
    Seeded(u64),
}

impl Ids {
    /// A new id for the event that will land at `seq`: a version-7 UUID, ordered by
    /// time, so the log's id index grows at its end instead of all over (random ids make
    /// every insert a random B-tree write). Seeded ids put `seq` where the time goes and
    /// depend only on the seed and `seq`, so separate processes with one seed never
    /// collide on one log.
    pub fn event_id(self, seq: u64) -> EventId {
        match self {
            #[expect(
                clippy::disallowed_methods,
                reason = "env.rs is the one place that reads the clock and draws randomness"
            )]
            Ids::Random => EventId(uuid::Uuid::now_v7()),
            Ids::Seeded(seed) => {
                let digest = Sha256::new().chain_update(seed.to_be_bytes()).chain_update(seq.to_be_bytes()).finalize();
                let mut random = [0u8; 10];
                random.copy_from_slice(&digest[..10]);
                EventId(uuid::Builder::from_unix_timestamp_millis(seq, &random).into_uuid())
            }
        }
    }
}

/// Measures how long something took (monotonic; for reports, never for logic).
#[derive(Clone, Copy, Debug)]
pub struct Stopwatch(std::time::Instant);

impl Stopwatch {
    /// Starts measuring.
    pub fn start() -> Stopwatch {
        #[expect(clippy::disallowed_methods, reason = "env.rs is the one place that reads the clock")]
        Stopwatch(std::time::Instant::now())
    }

    /// Time since the start.
    pub fn elapsed(&self) -> std::time::Duration {
        self.0.elapsed()
    }
}

/// The ambient state a command runs in.
#[derive(Clone, Debug)]
pub struct Env {
    /// The clock.
    pub clock: Clock,
    /// The id generator.
    pub ids: Ids,
    /// The log named by `ENTENTE_DB`, if set.
    pub db: Option<PathBuf>,
    /// Who is recording: `ENTENTE_USER`, else `USER`, else `LOGNAME`, else the name of
    /// the account the process runs as; `None` when none of them names anyone (a
    /// container's nameless account), and then a command that records refuses.
    pub user: Option<String>,
    /// Whether `user` is `ENTENTE_USER`'s (which beats a project file's `user`).
    pub user_is_entente: bool,
    /// The working folder, where log discovery starts (`None` when it is gone).
    pub cwd: Option<PathBuf>,
    /// The account the process runs as (its effective user id), whose files log
    /// discovery takes; `None` where the system has no such ids.
    pub account: Option<u32>,
    /// How long a writer waits for another writer's lock, in milliseconds
    /// (`ENTENTE_BUSY_TIMEOUT_MS`, default 10000).
    pub busy_timeout_ms: u32,
    /// True when `NO_COLOR` is set (and not empty): no colour unless `--color always`.
    pub no_color: bool,
    /// True when `CLICOLOR_FORCE` is set (not empty, not `0`): colour even into a pipe,
    /// unless `NO_COLOR` is set or `--color never` given.
    pub clicolor_force: bool,
    /// The width to lay text out at, unclamped: `COLUMNS` when it is a whole number
    /// above 0 (even when stdout is piped: the user chose it), else the terminal's
    /// width when stdout is a terminal; `None` otherwise (piped: 100 columns).
    pub width: Option<usize>,
    /// The pager to page a reading command's output through on a terminal:
    /// `ENTENTE_PAGER`, else `PAGER`, else `less`; `None` when either is set to `cat`,
    /// or `ENTENTE_PAGER` is set empty (paging is off).
    pub pager: Option<String>,
    /// True when `LESS` is set: entente then leaves less's options to it (else it sets
    /// `LESS=FRX` for the pager).
    pub less_set: bool,
    /// True when stderr is a terminal (progress bars go there).
    pub stderr_is_terminal: bool,
    /// True when stdout is a terminal (CSV and iCalendar are shown escaped there).
    pub stdout_is_terminal: bool,
    /// The libpq variables that complete a `postgres://` log's address (`PGHOST`,
    /// `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT`,
    /// `PGAPPNAME`, `PGCONNECT_TIMEOUT`), those set, by name.
    pub pg: Vec<(String, String)>,
    /// The operating system account the process runs as, which libpq falls back to
    /// for a server's user name.
    pub os_user: String,
}

/// The libpq variables entente reads.
pub const PG_VARIABLES: [&str; 9] = [
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "PGAPPNAME",
    "PGCONNECT_TIMEOUT",
];

/// A problem with an environment variable.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}={value:?} is not valid: {reason}")]
pub struct EnvError {
    name: &'static str,
    value: String,
    reason: String,
}

/// The most `ENTENTE_BUSY_TIMEOUT_MS` may be: SQLite counts the wait in a signed 32-bit
/// number of milliseconds (about 24.8 days).
pub const MAX_BUSY_TIMEOUT_MS: u32 = i32::MAX as u32;

#[expect(clippy::disallowed_methods, reason = "env.rs is the one place that reads the environment")]
fn var_os(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// A variable as text: `None` when unset or empty; refused when it is not Unicode
/// (never silently taken as unset).
fn var(name: &'static str) -> Result<Option<String>, EnvError> {
    var_os(name)
        .map(|v| {
            v.into_string().map_err(|v| EnvError {
                name,
                value: v.to_string_lossy().into_owned(),
                reason: "it is not valid Unicode".to_owned(),
            })
        })
        .transpose()
}

/// The effective user id of the process.
#[cfg(unix)]
fn account() -> Option<u32> {
    Some(rustix::process::geteuid().as_raw())
}

#[cfg(not(unix))]
fn account() -> Option<u32> {
    None
}

/// Where the process runs, for `--help` (which reads no other variable): the working
/// folder, the account, and `ENTENTE_DB`.
pub fn where_run() -> (Option<PathBuf>, Option<u32>, Option<PathBuf>) {
    #[expect(clippy::disallowed_methods, reason = "env.rs is the one place that reads ambient state")]
    let cwd = std::env::current_dir().ok();
    (cwd, account(), var_os("ENTENTE_DB").map(PathBuf::from))
}

/// `COLUMNS` when it is a whole number above 0, else the terminal's width when stdout
/// is a terminal. A `COLUMNS` that is not a number is ignored, as shells set it.
fn width() -> Option<usize> {
    let columns = var("COLUMNS").ok().flatten().and_then(|v| v.trim().parse::<usize>().ok()).filter(|w| *w > 0);
    columns.or_else(|| {
        if !std::io::stdout().is_terminal() {
            return None;
        }
        terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w)).filter(|w| *w > 0)
    })
}

/// The pager: `ENTENTE_PAGER` (set empty: no pager), else `PAGER`, else `less`; a pager
/// of `cat` is no pager.
fn pager() -> Option<String> {
    #[expect(clippy::disallowed_methods, reason = "env.rs is the one place that reads the environment")]
    let chosen = match std::env::var_os("ENTENTE_PAGER") {
        Some(v) => v.into_string().ok()?,
        None => var("PAGER").ok().flatten().unwrap_or_else(|| "less".to_owned()),
    };
    let chosen = chosen.trim();
    (!chosen.is_empty() && chosen != "cat").then(|| chosen.to_owned())
}

impl Env {
    /// Reads the process environment. Every variable is checked here, with a message
    /// naming it: `ENTENTE_NOW` a recording time the log can write (RFC 3339, years
    /// 0001–9999 in UTC, at most microseconds), `ENTENTE_SEED` 0 to 2^64−1,
    /// `ENTENTE_BUSY_TIMEOUT_MS` 0 to [`MAX_BUSY_TIMEOUT_MS`], `ENTENTE_USER` not blank.
    /// `ENTENTE_DB` is a path (any bytes); a blank or non-Unicode `USER` is ignored.
    pub fn from_process() -> Result<Env, EnvError> {
        let clock = match var("ENTENTE_NOW")? {
            None => Clock::System,
            Some(v) => {
                let at = crate::event::parse_recording_time(&v).map_err(|reason| EnvError {
                    name: "ENTENTE_NOW",
                    value: v.clone(),
                    reason,
                })?;
                // The clock may be fixed in the past (tests, reproducible runs), never
                // ahead of the real one: a log records when things were recorded, and a
                // stamp from the future would stop every later append until then.
                let real = Clock::System.now();
                if at > real + crate::log::FUTURE_TOLERANCE {
                    return Err(EnvError {
                        name: "ENTENTE_NOW",
                        value: v,
                        reason: format!(
                            "it is later than this machine's clock ({}); fix the clock at a time that has come, or unset it",
                            crate::event::format_recorded_at(&real)
                        ),
                    });
                }
                Clock::Fixed(at)
            }
        };
        let ids = match var("ENTENTE_SEED")? {
            None => Ids::Random,
            Some(v) => Ids::Seeded(v.parse().map_err(|_| EnvError {
                name: "ENTENTE_SEED",
                value: v.clone(),
                reason: "write a whole number from 0 to 18446744073709551615".to_owned(),
            })?),
        };
        let busy_timeout_ms = match var("ENTENTE_BUSY_TIMEOUT_MS")? {
            None => 10_000,
            Some(v) => v.parse().ok().filter(|ms| *ms <= MAX_BUSY_TIMEOUT_MS).ok_or_else(|| EnvError {
                name: "ENTENTE_BUSY_TIMEOUT_MS",
                value: v.clone(),
                reason: format!("write a whole number of milliseconds from 0 to {MAX_BUSY_TIMEOUT_MS} (about 24 days)"),
            })?,
        };
        let entente_user = var("ENTENTE_USER")?;
        let user_is_entente = entente_user.is_some();
        let user = match entente_user {
            Some(v) if v.trim().is_empty() => {
                return Err(EnvError {
                    name: "ENTENTE_USER",
                    value: v,
                    reason: "it is blank; name who records events, or unset it to use USER".to_owned(),
                });
            }
            Some(v) => Some(v),
            // USER and LOGNAME are the system's, not entente's: a blank or non-Unicode
            // one is ignored, and the account's own name is the last resort (as git's).
            None => ["USER", "LOGNAME"]
                .into_iter()
                .find_map(|name| var(name).ok().flatten().filter(|u| !u.trim().is_empty()))
                .or_else(|| whoami::username().ok().filter(|u| !u.trim().is_empty())),
        };
        let mut pg = Vec::new();
        for name in PG_VARIABLES {
            if let Some(value) = var(name)? {
                pg.push((name.to_owned(), value));
            }
        }
        Ok(Env {
            clock,
            ids,
            db: var_os("ENTENTE_DB").map(PathBuf::from),
            user,
            user_is_entente,
            #[expect(clippy::disallowed_methods, reason = "env.rs is the one place that reads ambient state")]
            cwd: std::env::current_dir().ok(),
            account: account(),
            busy_timeout_ms,
            no_color: var_os("NO_COLOR").is_some(),
            // As the CLICOLOR convention has it: `0` does not force.
            clicolor_force: var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
            width: width(),
            pager: pager(),
            less_set: var_os("LESS").is_some(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            pg,
            // libpq's fallback: the account the process runs as, not $USER.
            os_user: whoami::username().unwrap_or_else(|_| "unknown".to_owned()),
        })
    }

    /// A sealed environment for tests: fixed clock, seeded ids, no terminal.
    pub fn fixed(now: DateTime<Utc>, seed: u64) -> Env {
        Env {
            clock: Clock::Fixed(now),
            ids: Ids::Seeded(seed),
            db: None,
            user: Some("test".to_owned()),
            user_is_entente: true,
            cwd: None,
            account: None,
            busy_timeout_ms: 10_000,
            no_color: false,
            clicolor_force: false,
            width: None,
            pager: None,
            less_set: false,
            stderr_is_terminal: false,
            stdout_is_terminal: false,
            pg: Vec::new(),
            os_user: "test".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_ids_depend_on_seed_and_position_only() {
        assert_eq!(Ids::Seeded(7).event_id(1), Ids::Seeded(7).event_id(1));
        assert_ne!(Ids::Seeded(7).event_id(1), Ids::Seeded(7).event_id(2));
        assert_ne!(Ids::Seeded(7).event_id(1), Ids::Seeded(8).event_id(1));
        assert_eq!(Ids::Seeded(7).event_id(1).0.get_version_num(), 7);
        assert!(Ids::Seeded(7).event_id(2) > Ids::Seeded(7).event_id(1), "ids grow with seq");
    }
}
