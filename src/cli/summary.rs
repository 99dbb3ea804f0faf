//! What a writing command says when it is done: a line for a person (`--format text`,
//! the default), one JSON document for a script (`--format json`), or nothing
//! (`--quiet`). The options every writing command shares, and the one printer of their
//! summaries; a failure's JSON object is [`super::error_json`]'s.
//!
//! It does not decide what a command did: each command builds its own summary, text
//! and JSON, from what the log told it.

use std::io::Write;

use serde::Serialize;

use super::{CommandError, stdout};
use crate::app::ingest::Tally;
use crate::event::{EventId, Kind, Record};
use crate::log::Filter;
use crate::projection::LogHead;
use crate::report::Format;
use crate::store::AnyLog;

/// How a writing command reports what it did.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Output")]
pub struct SummaryArgs {
    /// text (a line for a person) or json (one JSON object for a script, projections/README.md
    /// "Writing commands (JSON)"; a failure is one JSON object on stdout too).
    #[arg(long, value_parser = super::view::format_parser(), default_value = "text", hide_possible_values = true)]
    pub format: Format,
    /// Print nothing on success: no summary, no hint, no progress bar. Errors still go
    /// to stderr, with their exit code.
    #[arg(short, long)]
    pub quiet: bool,
}

/// How a writing command reports, once its options are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Say {
    /// Its summary in words.
    Text,
    /// Its summary as one JSON document.
    Json,
    /// Nothing on success.
    Quiet,
}

impl SummaryArgs {
    /// How `command` reports: text, JSON or nothing; a usage error for another format,
    /// or for `--quiet` with `--format json`.
    pub fn say(&self, command: &str) -> Result<Say, CommandError> {
        say(command, self.format, self.quiet)
    }

    /// True when a failure should be written as JSON on stdout as well.
    pub fn json_errors(&self) -> bool {
        self.format == Format::Json && !self.quiet
    }
}

/// [`SummaryArgs::say`] for a command whose `--format` is parsed its own way.
pub fn say(command: &str, format: Format, quiet: bool) -> Result<Say, CommandError> {
    let format = super::view::written(command, format, &[Format::Text, Format::Json])?;
    match (format, quiet) {
        (Format::Json, true) => Err(CommandError::Usage(
            "--quiet prints nothing and --format json prints a JSON summary: drop one of them".to_owned(),
        )),
        (_, true) => Ok(Say::Quiet),
        (Format::Json, false) => Ok(Say::Json),
        _ => Ok(Say::Text),
    }
}

impl Say {
    /// Prints the summary: `text` (built only when asked for, shown exactly as built:
    /// its pieces are escaped where they are put in) or `body` as a JSON document after
    /// `head`, or nothing.
    pub fn print<T: Serialize>(
        self,
        head: LogHead,
        body: &T,
        text: impl FnOnce() -> String,
    ) -> Result<(), CommandError> {
        let mut out = stdout();
        match self {
            Say::Quiet => return Ok(()),
            Say::Text => write!(out, "{}", text())?,
            Say::Json => write!(out, "{}", crate::report::document(head, body))?,
        }
        out.flush()?;
        Ok(())
    }

    /// False when nothing may be shown on success (no progress bar either).
    pub fn shows(self) -> bool {
        self != Say::Quiet
    }
}

/// One event a command appended, as its JSON summary lists it.
#[derive(Debug, Serialize)]
pub struct Appended {
    /// Where it landed.
    pub seq: u64,
    /// Its id.
    pub id: EventId,
    /// Its kind.
    pub kind: Kind,
}

impl Appended {
    /// The summary entry of `record`.
    pub fn of(record: &Record) -> Appended {
        Appended { seq: record.seq, id: record.event.id, kind: record.event.facts.kind() }
    }
}

/// What a batch appended, read back from `log` (every seq from the tally's first to
/// its last), and the log's head now: what a JSON summary lists. Read only for JSON.
pub fn appended(log: &AnyLog, tally: &Tally) -> Result<(Vec<Appended>, LogHead), CommandError> {
    log.consistent(|reader| {
        let mut list = Vec::new();
        if let (Some(first), Some(last)) = (tally.first_appended, tally.last_appended) {
            let filter = Filter { after: Some(first.saturating_sub(1)), until: Some(last), ..Filter::default() };
            reader.records(&filter, |record| {
                list.push(Appended::of(record));
                Ok::<(), CommandError>(())
            })?;
        }
        let head = reader.head()?;
        Ok((list, LogHead::of(head.seq, head.hash)))
    })
}

/// The JSON summary of a command that appended a batch (`append`, `import`).
#[derive(Debug, Serialize)]
pub struct AppendedSummary<'a> {
    /// The command's name.
    pub command: &'static str,
    /// Where the events came from (`null`: flags).
    pub input: Option<&'a str>,
    /// Each event appended, in log order.
    pub appended: Vec<Appended>,
    /// How many were appended.
    pub appended_count: u64,
    /// How many were already in the log with the same content (skipped).
    pub already_present: u64,
}
