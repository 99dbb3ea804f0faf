//! The command line: one file per subcommand, each owning its clap `Args` (whose doc
//! comments are the help text) and one `run` function; a flat dispatch below.
//!
//! This is the only layer that prints. Errors travel up as [`CommandError`] and are
//! printed once, in [`main`], as `error: …` with an exit code.

mod amend;
mod append;
mod audit;
mod brief;
mod deadlines;
mod demo;
mod diff;
mod explain;
mod export;
mod history;
mod import;
mod init;
mod log;
mod output;
mod replay;
mod reports;
mod sheet;
mod shell;
mod show;
mod sources;
mod summary;
mod trend;
mod verify;
mod view;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::app::AppError;
use crate::app::resolve::ReferenceError;
use crate::env::{Env, EnvError};
use crate::event::{FieldError, Hint, Kind};
use crate::log::{AppendPolicy, Class, LineProblem, LogError, Recorder};
use crate::store::{AnyLog, Postgres, Sqlite};

/// entente: track diplomatic normalization processes as an append-only, hash-chained
/// log of events.
///
/// Start with `entente demo` to see the bundled scenario, or `entente init` to create a
/// log of your own. Every command that reads or writes a log takes --db: a file, or
/// postgres://USER@HOST/DATABASE for a team's log on PostgreSQL (completed by PGHOST,
/// PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT as libpq does;
/// sslmode=require|verify-ca|verify-full in the URL secures it). On a team log the
/// server records who appends — the role you connect as — and when, by its own clock:
/// ENTENTE_USER is ignored there.
#[derive(Debug, Parser)]
#[command(name = "entente", version, max_term_width = 100)]
pub struct Cli {
    /// The log: a file, or postgres://USER@HOST/DATABASE [default: $ENTENTE_DB, else the
    /// project's: the db its entente.toml names, or the entente.db in this folder or the
    /// nearest folder above with one; else ./entente.db]
    #[arg(long, global = true, value_name = "FILE|URL")]
    db: Option<PathBuf>,

    /// Colour what states mean in text output: auto (on a terminal, unless NO_COLOR
    /// is set; CLICOLOR_FORCE colours a pipe too), always or never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto", hide_possible_values = true)]
    color: ColorWhen,

    /// Print straight to the terminal: never page long output (ENTENTE_PAGER, PAGER,
    /// else less).
    #[arg(long, global = true)]
    no_pager: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::Args),
    Append(Box<append::Args>),
    Import(import::Args),
    Export(export::Args),
    Log(log::Args),
    Show(show::Args),
    Correct(amend::CorrectArgs),
    Retract(amend::RetractArgs),
    Dispute(amend::DisputeArgs),
    Cite(amend::CiteArgs),
    History(history::Args),
    Sources(sources::Args),
    Verify(verify::Args),
    Audit(audit::Args),
    /// Where each track stands: stage, activity, principles, commitments.
    ///
    /// Per track: parties, stage and since when (with the event that moved it), last
    /// activity, envoys, meetings and calls, principles open and addressed, commitments by
    /// state, and the next deadline.
    Status(reports::ReportArgs),
    /// Every principle of every proposal, with its state.
    ///
    /// Every principle of every proposal: its state (tabled, acknowledged, accepted,
    /// agreed, reaffirmed ×n, codified, contested), since when, and the events behind it.
    Principles(reports::ReportArgs),
    Commitments(reports::CommitmentsArgs),
    Conditions(reports::ConditionsArgs),
    /// Every instrument, with its derived stage and each party's steps.
    ///
    /// Track by track, every instrument: its type, parent, principal or side text, its
    /// stage and since when (negotiating, text_agreed, initialled, signed, ratification,
    /// rejected, ratified, in_force, suspended, withdrawn, terminated, annulled,
    /// superseded) with its history, each party's signature, ratification steps (procedure
    /// and outcome), ratification, entry into force, suspension and withdrawal, suspensions
    /// in part, its successor, its articles with their states, and the events behind it.
    /// events/README.md ("Instruments: derived stage") gives the rules.
    Instruments(reports::ReportArgs),
    /// Events in world order, per track.
    ///
    /// By date, each at its own precision; ties broken by seq.
    Timeline(reports::ReportArgs),
    Occasion(reports::OccasionArgs),
    Explain(explain::Args),
    Diff(diff::Args),
    Trend(trend::Args),
    Replay(replay::Args),
    Demo(demo::Args),
    Deadlines(deadlines::Args),
    Brief(brief::Args),
    Completions(shell::CompletionsArgs),
    Man(shell::ManArgs),
}

/// When text output is coloured (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ColorWhen {
    // On a terminal, unless NO_COLOR is set; CLICOLOR_FORCE colours a pipe too.
    // (Plain comments: doc comments would make clap list the values a second time.)
    Auto,
    // Always, even into a pipe or a file.
    Always,
    Never,
}

impl ColorWhen {
    /// Whether stdout is coloured: the flag beats the variables; NO_COLOR beats
    /// CLICOLOR_FORCE.
    fn stdout(self, env: &Env) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => !env.no_color && (env.clicolor_force || env.stdout_is_terminal),
        }
    }

    /// Whether error messages on stderr are coloured: as stdout is, for stderr.
    fn stderr(self, env: &Env) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => !env.no_color && (env.clicolor_force || env.stderr_is_terminal),
        }
    }
}

/// Everything a command can fail with, each turned into one message and an exit code.
#[expect(missing_docs, reason = "variant fields are self-describing and shown in the messages")]
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The log refused or failed; the message gains the CLI's hint.
    #[error("{}", hinted(.0))]
    Log(#[from] LogError),
    /// Input lines were rejected; `input` names where they came from. `source` is
    /// always [`LogError::Rejected`].
    #[error("{input}: {}", hinted(.source))]
    Rejected { input: String, source: LogError },
    /// The environment is malformed.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// The arguments make no sense together.
    #[error("{0}")]
    Usage(String),
    /// What was asked for (an event, a reference) is not in the log.
    #[error("{0}")]
    NotFound(String),
    /// `verify` found the log changed behind entente's back.
    #[error("the log fails verification{}: {what}; do not trust it — restore it from a verified export or backup", seq.map(|s| format!(" at seq {s}")).unwrap_or_default())]
    Tampered { seq: Option<u64>, what: String },
    /// `import --verify` found the file is not a whole, unedited export.
    #[error("{what}; nothing was imported")]
    Unverified { what: String },
    /// `brief --check` found the brief is not what the log gives.
    #[error("{what}")]
    Mismatch { what: String },
    /// No log was named, and none was found from the working folder up.
    #[error(
        "there is no log here: no --db, no ENTENTE_DB, and no entente.db or entente.toml in this folder or any \
         folder above it; create one with `entente init` (or point --db / ENTENTE_DB at an existing log)"
    )]
    NoLogHere,
    /// Another error, with a note on where it happened (which log, found how).
    #[error("{0} {1}")]
    Noted(Box<CommandError>, String),
    /// Writing to stdout failed (a closed pipe is not an error: see [`main`]).
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

impl CommandError {
    /// The exit code: 1 rejected input or failure, 2 usage, 3 try again (busy,
    /// conflict), 4 the log itself is unusable as given, 5 the log fails verification,
    /// 6 what was asked for is not in the log. Every variant and class is named: a new
    /// one must be given its code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::NotFound(_) => 6,
            CommandError::NoLogHere => 4,
            CommandError::Noted(inner, _) => inner.exit_code(),
            CommandError::Tampered { .. } | CommandError::Unverified { .. } => 5,
            CommandError::Usage(_) | CommandError::Env(_) => 2,
            CommandError::Log(e) | CommandError::Rejected { source: e, .. } => match e.class() {
                Class::Retry => 3,
                Class::Unusable => 4,
                Class::Tampered => 5,
                Class::Rejected | Class::Bug => 1,
            },
            CommandError::Io { .. } | CommandError::Output(_) | CommandError::Mismatch { .. } => 1,
        }
    }

    /// The error as the value of `flag`: its message prefixed with the flag, its kind
    /// (and exit code) kept.
    fn for_flag(self, flag: &str) -> CommandError {
        match self {
            CommandError::NotFound(m) => CommandError::NotFound(format!("{flag}: {m}")),
            CommandError::Usage(m) => CommandError::Usage(format!("{flag}: {m}")),
            other => other,
        }
    }

    /// This error with `note` after its message.
    fn with_note(self, note: &str) -> CommandError {
        CommandError::Noted(Box::new(self), note.to_owned())
    }

    /// The lines after the headline: one per rejected input line, `input:line: field: why`.
    fn details(&self) -> Vec<String> {
        let (input, problems) = match self {
            CommandError::Noted(inner, _) => return inner.details(),
            CommandError::Rejected { input, source: LogError::Rejected { problems, .. } } => (input, problems),
            _ => return Vec::new(),
        };
        problems.iter().map(|p| describe(input, p)).collect()
    }
}

fn describe(input: &str, p: &LineProblem) -> String {
    match &p.error.field {
        Some(field) => format!("{input}:{}: {field}: {}", p.line, problem_message(&p.error)),
        None => format!("{input}:{}: {}", p.line, problem_message(&p.error)),
    }
}

/// A refused field's message followed by its hint in this CLI's words: the command
/// that would help, which the core only names as data.
fn problem_message(error: &FieldError) -> String {
    let Some(hint) = error.hint else { return error.message.clone() };
    let words = match hint {
        Hint::RecordHelp(kind) => format!(" (`entente {} --help`)", command_recording(kind)),
        Hint::ListKind(kind) => format!(" (`entente log --kind {kind}` lists them)"),
        Hint::RetractWithdrawal { seq } => format!(
            ". If the withdrawal was recorded by mistake, retract it (`entente retract {seq} --reason …`); if the \
             parties took it up again, record a new {}",
            Kind::CommitmentMade
        ),
        Hint::UseReplacement { seq } => {
            format!(". If the supersession was recorded by mistake, retract it (`entente retract {seq} --reason …`)")
        }
        Hint::ResumeFirst { seq } => format!(
            ". If it was resumed, record that first (`entente append commitment-resumed`); if the suspension was \
             recorded by mistake, retract it (`entente retract {seq} --reason …`)"
        ),
        Hint::BeforeOpening => " (`--before-opening`, or `\"before_opening\": true` in JSON)".to_owned(),
        Hint::History => " (`entente history ID` shows it)".to_owned(),
        Hint::Clock => " (and ENTENTE_NOW)".to_owned(),
        Hint::DefaultRecorder => " as ENTENTE_USER".to_owned(),
        Hint::NoRecorder => {
            "; set ENTENTE_USER to your name (or `user` in the project's entente.toml; `append` also takes \
             --recorded-by NAME)"
                .to_owned()
        }
    };
    format!("{}{words}", error.message)
}

/// The command that records an event of `kind` from flags (`append track-opened`).
fn command_recording(kind: Kind) -> String {
    match kind {
        Kind::EventCorrected => "correct".to_owned(),
        Kind::EventRetracted => "retract".to_owned(),
        Kind::EventDisputed => "dispute".to_owned(),
        Kind::EventCorroborated => "cite".to_owned(),
        _ => format!("append {}", kind.name().replace('_', "-")),
    }
}

/// Whether a log's location is a server's URL.
fn is_server(path: &std::path::Path) -> bool {
    path.to_str().is_some_and(crate::store::postgres::is_url)
}

/// Refuses a `--db` that looks like an attempt at a server's address but is not a
/// `postgres://` URL, which would otherwise be taken as a file name.
fn check_db(db: &std::path::Path) -> Result<(), CommandError> {
    let Some(text) = db.to_str() else { return Ok(()) };
    if crate::store::postgres::is_url(text) {
        return Ok(());
    }
    let lower = text.to_ascii_lowercase();
    let scheme = lower.split_once("://").map(|(scheme, _)| scheme);
    let keyword_form =
        ["host=", "dbname=", "user=", "port="].iter().any(|k| lower.starts_with(k) || lower.contains(&format!(" {k}")));
    let near_miss = lower.starts_with("postgres") || lower.starts_with("postgre:") || lower.starts_with("pg://");
    if scheme.is_some() || keyword_form || near_miss {
        return Err(CommandError::Usage(format!(
            "--db `{}` is neither a file name nor a server's URL: a team log is named \
             postgres://USER@HOST:PORT/DATABASE (or postgresql://…); libpq's `key=value` form is not taken",
            crate::text::shown(text)
        )));
    }
    Ok(())
}

/// A log error's message with the words that say which command, flag or variable
/// helps (the log's own messages name none).
fn hinted(e: &LogError) -> String {
    let hint = match e {
        LogError::NotFound { path } if is_server(path) => {
            " (no such database, or no entente log in it): check the URL; whoever sets up the team log runs \
             `entente init --db URL` once"
                .to_owned()
        }
        LogError::NotFound { .. } => {
            "; create one with `entente init` (or point --db / ENTENTE_DB at an existing log)".to_owned()
        }
        LogError::Exists { path } if is_server(path) => {
            ": that database holds a team log already; use it as it is (`entente status --db URL`)".to_owned()
        }
        LogError::Exists { .. } => {
            "; `entente init` never overwrites a file: use it as it is, or choose another path with --db".to_owned()
        }
        LogError::IsDirectory { path } => format!("; point --db at a file such as {}/entente.db", path.display()),
        LogError::Busy { .. } => "; try again, or raise ENTENTE_BUSY_TIMEOUT_MS".to_owned(),
        LogError::Conflict { actual, .. } => {
            format!(". Read the new events (`entente log`) and retry with --expect-head {actual}")
        }
        LogError::Corrupt { .. } => " — run `entente verify`".to_owned(),
        LogError::Tampered { .. } => {
            " — run `entente verify`, and restore it from a verified export or backup".to_owned()
        }
        LogError::NoFolder { .. } => " or point --db elsewhere".to_owned(),
        LogError::NotAFile { .. } => "; point --db at an entente log (a regular file)".to_owned(),
        LogError::RoleMayNot { needs: "", .. } => String::new(),
        LogError::RoleMayNot { needs, role, .. } => format!(
            ". Ask whoever administers the database to grant you the log's {needs} role (`GRANT <prefix>_{needs} TO \
             {role}`; `entente init` named the roles, see \"Team use\" in the README)"
        ),
        LogError::Refused { .. } | LogError::Unreachable { .. } | LogError::BadTarget { .. } => {
            ". The server is named by --db or ENTENTE_DB and the PG* variables (PGHOST, PGUSER, PGPASSWORD, \
             PGSSLMODE…)"
                .to_owned()
        }
        LogError::CommitUnknown { .. } => " (`entente verify` ends with the head seq)".to_owned(),
        LogError::NotSqlite { .. }
        | LogError::Foreign { .. }
        | LogError::Disconnected { .. }
        | LogError::GuardRefused { .. }
        | LogError::NotEntente { .. }
        | LogError::TooNew { .. }
        | LogError::ReadOnly { .. }
        | LogError::DiskFull { .. }
        | LogError::Io { .. }
        | LogError::Bug { .. }
        | LogError::Rejected { .. }
        | LogError::NeedsUpgrade { .. }
        | LogError::NeedsOwner { .. }
        | LogError::Empty { .. }
        | LogError::HardLinked { .. }
        | LogError::UnreadableWal { .. }
        | LogError::Replaced { .. }
        | LogError::Unexpected { .. } => String::new(),
    };
    format!("{e}{hint}")
}

impl From<AppError> for CommandError {
    fn from(e: AppError) -> CommandError {
        match e {
            AppError::Log(e) => CommandError::Log(e),
            AppError::Rejected { input, source } => CommandError::Rejected { input, source },
            AppError::Io { path, message } => CommandError::Io { path, message },
            AppError::Unverified { what } => CommandError::Unverified { what },
            AppError::Reference(e) => reference_error(e),
            AppError::NoSubject => CommandError::NotFound(
                "no such track, principle, commitment, instrument or condition in this view".to_owned(),
            ),
        }
    }
}

fn reference_error(e: ReferenceError) -> CommandError {
    match &e {
        ReferenceError::NoSuchEvent { .. } => CommandError::NotFound(format!("{e}; `entente log` lists them")),
        ReferenceError::SeqTooLarge { .. } | ReferenceError::Ambiguous { .. } | ReferenceError::Malformed { .. } => {
            CommandError::Usage(e.to_string())
        }
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> CommandError {
        CommandError::Output(e)
    }
}

/// Runs the process: parses arguments, reads the environment, dispatches, and maps
/// the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help names the log this folder would use; help and version are otherwise
        // clap's own words, printed as clap prints them.
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            let now = crate::text::shown(&log_here()).into_owned();
            let db = Cli::command().get_arguments().find(|a| a.get_id() == "db").and_then(|a| a.get_help().cloned());
            let db_help = format!("{} [now: {now}]", db.map(|h| h.to_string()).unwrap_or_default());
            match Cli::command().mut_arg("db", |a| a.help(db_help)).try_get_matches() {
                Err(e) => e.exit(),
                Ok(_) => e.exit(),
            }
        }
        Err(e) if !e.use_stderr() => e.exit(),
        // An argument error quotes what was typed: printed plain, through the net.
        Err(e) => {
            let _ = write!(std::io::stderr().lock(), "{}", crate::text::net(&e.render().to_string()));
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let json_errors = cli.command.json_errors();
    let when = cli.color;
    let env = Env::from_process();
    let color = env.as_ref().is_ok_and(|env| when.stderr(env));
    let result = env.map_err(CommandError::from).and_then(|env| run(cli, &env));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that went away (`entente log | head`, or the pager quit) is not a
        // failure.
        Err(CommandError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            // A script that asked for JSON gets the failure as JSON too (exact text:
            // JSON escapes what it must); the person reading stderr gets the words.
            if json_errors {
                let mut out = stdout();
                let _ = write!(out, "{}", error_json(&err));
                let _ = out.flush();
            }
            // Messages quote what the user gave and what the log holds: each line is
            // shown escaped, so neither can write to the terminal or forge a line;
            // colour goes on after, around entente's own words.
            let mut stderr = std::io::stderr().lock();
            let mut message = crate::text::shown(&err.to_string()).into_owned();
            if err.exit_code() == 5 {
                message = crate::text::marked(crate::text::Tone::Bad, &message);
            }
            let _ =
                writeln!(stderr, "{} {}", paint(&crate::text::marked(ERROR, "error:"), color), paint(&message, color));
            for line in err.details() {
                let _ = writeln!(stderr, "  {}", crate::text::shown(&line));
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// Where the log a command uses was named.
#[derive(Clone, Debug, PartialEq, Eq)]
enum DbFrom {
    /// `--db`.
    Flag,
    /// `ENTENTE_DB`.
    Variable,
    /// A project file's `db` (the file).
    ProjectFile(PathBuf),
    /// Found: an `entente.db` in the working folder or a parent.
    Found,
    /// Nothing named or found: `./entente.db`.
    Default,
}

/// Which log a command run here without --db would use, in words, for `--help`.
fn log_here() -> String {
    let (cwd, account, variable) = crate::env::where_run();
    if let Some(db) = variable {
        return format!("$ENTENTE_DB, {}", db.display());
    }
    let Some(cwd) = cwd else { return "none: the working folder is gone".to_owned() };
    match crate::app::project::discover(&cwd, account) {
        Ok(found) => match found.project {
            Some(p) if p.settings.db.is_some() => {
                format!("{}, named by {}", p.log().display(), p.file.unwrap_or_default().display())
            }
            Some(p) => p.log().display().to_string(),
            None => "none found here; `entente init` creates ./entente.db".to_owned(),
        },
        Err(e) => e.to_string(),
    }
}

/// A failure as the JSON object a writing command given `--format json` prints on
/// stdout: `{"format_version": 1, "error": {"exit_code", "message", "problems"}}`,
/// one problem per rejected input line (`input`, `line`, `field`, `message`).
fn error_json(err: &CommandError) -> String {
    #[derive(serde::Serialize)]
    struct Failure<'a> {
        format_version: u32,
        error: Error<'a>,
    }
    #[derive(serde::Serialize)]
    struct Error<'a> {
        exit_code: u8,
        message: String,
        problems: Vec<Problem<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Problem<'a> {
        input: &'a str,
        line: usize,
        field: Option<&'a str>,
        message: String,
    }
    let problems = match err {
        CommandError::Rejected { input, source: LogError::Rejected { problems, .. } } => problems
            .iter()
            .map(|p| Problem {
                input,
                line: p.line,
                field: p.error.field.as_deref(),
                message: problem_message(&p.error),
            })
            .collect(),
        _ => Vec::new(),
    };
    let failure = Failure {
        format_version: crate::report::FORMAT_VERSION,
        error: Error { exit_code: err.exit_code(), message: err.to_string(), problems },
    };
    // Strings and numbers only: this always serializes.
    let mut text = serde_json::to_string_pretty(&failure).unwrap_or_default();
    text.push('\n');
    text
}

impl Command {
    /// True when this command line asked for its summary as JSON (and not `--quiet`),
    /// so a failure is printed as JSON on stdout as well.
    fn json_errors(&self) -> bool {
        match self {
            Command::Init(a) => a.summary.json_errors(),
            Command::Append(a) => a.summary.json_errors(),
            Command::Import(a) => a.json_errors(),
            Command::Export(a) => a.json_errors(),
            Command::Verify(a) => a.summary.json_errors(),
            Command::Correct(a) => a.summary().json_errors(),
            Command::Retract(a) => a.summary().json_errors(),
            Command::Dispute(a) => a.summary().json_errors(),
            Command::Cite(a) => a.summary().json_errors(),
            Command::Replay(a) => a.summary.json_errors(),
            Command::Brief(a) => a.summary.json_errors(),
            Command::Log(_)
            | Command::Show(_)
            | Command::History(_)
            | Command::Sources(_)
            | Command::Audit(_)
            | Command::Status(_)
            | Command::Principles(_)
            | Command::Commitments(_)
            | Command::Conditions(_)
            | Command::Instruments(_)
            | Command::Timeline(_)
            | Command::Occasion(_)
            | Command::Explain(_)
            | Command::Diff(_)
            | Command::Trend(_)
            | Command::Demo(_)
            | Command::Deadlines(_)
            | Command::Completions(_)
            | Command::Man(_) => false,
        }
    }
}

/// Runs one parsed command line in `env`.
pub fn run(cli: Cli, env: &Env) -> Result<(), CommandError> {
    // Completions and manual pages read no log and no project.
    match cli.command {
        Command::Completions(args) => return shell::completions(args),
        Command::Man(args) => return shell::man(args),
        _ => {}
    }
    // A log named by --db or ENTENTE_DB is no project's: nothing is looked for (and no
    // project file above can stand in its way).
    let named = cli.db.is_some() || env.db.is_some();
    let discovery = match &env.cwd {
        Some(cwd) if !named => {
            crate::app::project::discover(cwd, env.account).map_err(|e| CommandError::Usage(e.to_string()))?
        }
        _ => crate::app::project::Discovery::default(),
    };
    let project = discovery.project.as_ref();
    let (db, from) = if let Some(db) = cli.db {
        (db, DbFrom::Flag)
    } else if let Some(db) = env.db.clone() {
        (db, DbFrom::Variable)
    } else if let Some(p) = project.filter(|p| p.settings.db.is_some()) {
        (p.log(), DbFrom::ProjectFile(p.file.clone().unwrap_or_default()))
    } else if let Some(p) = project.filter(|_| !matches!(cli.command, Command::Init(_))) {
        // `init` creates a log here, never opens one found above.
        (p.log(), DbFrom::Found)
    } else {
        (PathBuf::from(crate::app::project::LOG_NAME), DbFrom::Default)
    };
    if (from == DbFrom::Default || from == DbFrom::Found) && !discovery.passed_over.is_empty() {
        // A stranger's file is never used silently: say what was passed over, and
        // which log is used instead.
        let mut stderr = std::io::stderr().lock();
        for (_, note) in &discovery.passed_over {
            let _ = writeln!(stderr, "note: {}", crate::text::shown(note));
        }
        let _ = writeln!(stderr, "note: using {}", shown_path(&db));
    }
    // The fallback ./entente.db is never a stranger's file discovery passed over.
    if from == DbFrom::Default
        && let Some((path, _)) = discovery
            .passed_over
            .iter()
            .find(|(p, _)| p.file_name() == db.file_name() && p.parent() == env.cwd.as_deref())
    {
        return Err(CommandError::Usage(format!(
            "{} is not yours (another account owns it, or a link to it); give --db {} to use it deliberately",
            shown_path(path),
            shown_path(path)
        )));
    }
    check_db(&db)?;
    let settings = project.map(|p| p.settings.clone()).unwrap_or_default();
    let user = if env.user_is_entente { env.user.clone() } else { settings.user.clone().or_else(|| env.user.clone()) };
    let defaults = Defaults {
        user,
        stall_days: settings.stall_days,
        format: settings.format.as_deref().and_then(|f| crate::names::parse(f).ok()),
    };
    let color = cli.color.stdout(env);
    let width = env.width.map_or(crate::report::doc::WIDTH, |w| w.clamp(MIN_WIDTH, MAX_WIDTH));
    let mut pager = match &env.pager {
        Some(command) if env.stdout_is_terminal && !cli.no_pager && cli.command.reads() => start_pager(command, env),
        _ => None,
    };
    let ctx = Ctx {
        env,
        db,
        from,
        defaults,
        layout: crate::report::Layout { width, color },
        color,
        pager: pager.as_mut().and_then(|p| p.stdin.take()),
    };
    let from = ctx.from.clone();
    let project_file = project.and_then(|p| p.file.clone());
    let result = dispatch(&ctx, cli.command);
    // Closing its input tells the pager the output is whole; it ends when the reader
    // quits it.
    drop(ctx);
    if let Some(mut pager) = pager {
        let _ = pager.wait();
    }
    match result {
        // A log not found where none was named: say where entente looked.
        Err(CommandError::Log(LogError::NotFound { .. })) if from == DbFrom::Default => Err(CommandError::NoLogHere),
        Err(CommandError::Log(e)) => match &from {
            DbFrom::ProjectFile(file) => {
                Err(CommandError::Log(e).with_note(&format!("(the log named by {})", shown_path(file))))
            }
            DbFrom::Found => Err(CommandError::Log(e).with_note(&found_note(project_file.as_deref()))),
            _ => Err(CommandError::Log(e)),
        },
        other => other,
    }
}

/// How a log found without `--db` was found, for a message about it.
fn found_note(project_file: Option<&std::path::Path>) -> String {
    match project_file {
        Some(file) => format!("(the project's log, beside {}, which names no db)", shown_path(file)),
        None => "(the entente.db found from the working folder up)".to_owned(),
    }
}

/// What a project file sets, where no flag or variable does.
#[derive(Debug, Default)]
struct Defaults {
    /// Who records, when `ENTENTE_USER` is unset (else the system's user name).
    user: Option<String>,
    /// `--stall-days`.
    stall_days: Option<u32>,
    /// `--format`, where the command writes it.
    format: Option<crate::report::Format>,
}

/// The widest a text report is laid out, however wide the terminal.
const MAX_WIDTH: usize = 250;

/// The narrowest a text report is laid out, however narrow the terminal.
const MIN_WIDTH: usize = crate::report::doc::MIN_WIDTH;

/// The style of the `error:` that opens a message (clap's: bold red).
const ERROR: crate::text::Tone = crate::text::Tone::Bad;

impl Command {
    /// Whether the command only reads and may print long output: what goes through
    /// the pager on a terminal.
    fn reads(&self) -> bool {
        match self {
            Command::Log(_)
            | Command::Show(_)
            | Command::History(_)
            | Command::Sources(_)
            | Command::Audit(_)
            | Command::Status(_)
            | Command::Principles(_)
            | Command::Commitments(_)
            | Command::Conditions(_)
            | Command::Instruments(_)
            | Command::Timeline(_)
            | Command::Occasion(_)
            | Command::Explain(_)
            | Command::Diff(_)
            | Command::Trend(_)
            | Command::Deadlines(_) => true,
            Command::Init(_)
            | Command::Append(_)
            | Command::Import(_)
            | Command::Export(_)
            | Command::Correct(_)
            | Command::Retract(_)
            | Command::Dispute(_)
            | Command::Cite(_)
            | Command::Verify(_)
            | Command::Replay(_)
            | Command::Demo(_)
            | Command::Brief(_)
            | Command::Completions(_)
            | Command::Man(_) => false,
        }
    }
}

/// Starts the pager `command` reading from a pipe, writing to the terminal. A command
/// with shell syntax in it (quotes, `|`, `$`…) runs through `sh -c`, as git runs it;
/// a plain one (`less -R`) is run directly, so that one that does not exist is known
/// here. `LESS` is set to `FRX` when unset: quit if the output fits one screen, show
/// colour, leave the screen as it was. A pager that cannot start is warned about on
/// stderr, and the output printed directly.
fn start_pager(command: &str, env: &Env) -> Option<std::process::Child> {
    const SHELL: &[char] =
        &['|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', '*', '?', '[', '#', '~', '=', '%', '\n'];
    let mut process = if command.contains(SHELL) {
        let mut p = std::process::Command::new("sh");
        p.arg("-c").arg(command);
        p
    } else {
        let mut words = command.split_whitespace();
        let mut p = std::process::Command::new(words.next()?);
        p.args(words);
        p
    };
    if !env.less_set {
        process.env("LESS", "FRX");
    }
    match process.stdin(std::process::Stdio::piped()).spawn() {
        Ok(child) => Some(child),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "warning: cannot start the pager `{}` ({e}); printing directly. Set ENTENTE_PAGER to a pager that \
                 works, or pass --no-pager",
                crate::text::shown(command)
            );
            None
        }
    }
}

/// Runs one command.
fn dispatch(ctx: &Ctx<'_>, command: Command) -> Result<(), CommandError> {
    match command {
        Command::Init(args) => init::run(ctx, args),
        Command::Append(args) => append::run(ctx, *args),
        Command::Import(args) => import::run(ctx, args),
        Command::Export(args) => export::run(ctx, args),
        Command::Log(args) => log::run(ctx, args),
        Command::Show(args) => show::run(ctx, args),
        Command::Correct(args) => amend::correct(ctx, args),
        Command::Retract(args) => amend::retract(ctx, args),
        Command::Dispute(args) => amend::dispute(ctx, args),
        Command::Cite(args) => amend::cite(ctx, args),
        Command::History(args) => history::run(ctx, args),
        Command::Sources(args) => sources::run(ctx, args),
        Command::Verify(args) => verify::run(ctx, args),
        Command::Audit(args) => audit::run(ctx, args),
        Command::Status(args) => reports::status(ctx, args),
        Command::Principles(args) => reports::principles(ctx, args),
        Command::Conditions(args) => reports::conditions(ctx, args),
        Command::Instruments(args) => reports::instruments(ctx, args),
        Command::Commitments(args) => reports::commitments(ctx, args),
        Command::Timeline(args) => reports::timeline(ctx, args),
        Command::Occasion(args) => reports::occasion(ctx, args),
        Command::Explain(args) => explain::run(ctx, args),
        Command::Diff(args) => diff::run(ctx, args),
        Command::Trend(args) => trend::run(ctx, args),
        Command::Replay(args) => replay::run(ctx, args),
        Command::Demo(args) => demo::run(ctx, args),
        Command::Deadlines(args) => deadlines::run(ctx, args),
        Command::Brief(args) => brief::run(ctx, args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    }
}

/// What every command gets: the environment, the log path and where it was named,
/// the project file's defaults, how text is laid out and where stdout goes.
struct Ctx<'a> {
    env: &'a Env,
    db: PathBuf,
    from: DbFrom,
    defaults: Defaults,
    /// How text reports are laid out: the width, and whether states are marked.
    layout: crate::report::Layout,
    /// Whether stdout is coloured (decided once, from `--color` and the variables).
    color: bool,
    /// The pager's input, when output is paged.
    pager: Option<std::process::ChildStdin>,
}

impl Ctx<'_> {
    /// Where every command's output goes, through a buffer: the pager's input when
    /// output is paged, else stdout.
    fn stdout(&self) -> std::io::BufWriter<Sink<'_>> {
        std::io::BufWriter::new(match &self.pager {
            Some(pager) => Sink::Pager(pager),
            None => Sink::Stdout(std::io::stdout().lock()),
        })
    }

    /// The `postgres://` URL `--db` names, when it names a server rather than a file.
    fn server(&self) -> Option<&str> {
        self.db.to_str().filter(|db| crate::store::postgres::is_url(db))
    }

    /// How to reach the server at `url`.
    fn address<'u>(&'u self, url: &'u str) -> crate::store::postgres::Address<'u> {
        crate::store::postgres::Address {
            url,
            env: &self.env.pg,
            os_user: &self.env.os_user,
            lock_timeout_ms: self.env.busy_timeout_ms,
        }
    }

    fn open(&self) -> Result<AnyLog, CommandError> {
        match self.server() {
            Some(url) => Ok(Postgres::open(&self.address(url))?.into()),
            None => Ok(Sqlite::open(&self.db, self.env.busy_timeout_ms)?.into()),
        }
    }

    /// Opens the log for a command that only reads it: read-only files and mounts work.
    fn open_to_read(&self) -> Result<AnyLog, CommandError> {
        match self.server() {
            Some(url) => Ok(Postgres::open(&self.address(url))?.into()),
            None => Ok(Sqlite::open_to_read(&self.db, self.env.busy_timeout_ms)?.into()),
        }
    }

    /// What appends to `log` from this command line stamp: the clock, ids and user of
    /// the environment, a line that names its own recorder (an import) keeping it — or,
    /// on a server, the role it authenticated and its clock.
    fn policy(&self, log: &AnyLog) -> AppendPolicy<'_> {
        let recorder =
            if log.backend().vouches() { Recorder::Server } else { Recorder::Default(self.defaults.user.as_deref()) };
        AppendPolicy { now: self.env.clock.now(), ids: self.env.ids, recorder }
    }
}

/// The largest seq a log can hold.
const MAX_SEQ: u64 = crate::app::resolve::MAX_SEQ;

/// Parses a seq given as a flag (`--expect-head`): 0 to [`MAX_SEQ`].
fn seq_parser() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(0..=MAX_SEQ)
}

/// Finds the event a user means: a full id, a unique id prefix of 4 or more hex
/// digits, or a seq number.
fn resolve(log: &AnyLog, reference: &str) -> Result<crate::event::Record, CommandError> {
    Ok(crate::app::resolve::resolve(log, reference)?)
}

/// A progress bar over `total` events on stderr, shown only on a terminal and only for
/// logs large enough to keep someone waiting.
fn event_progress(ctx: &Ctx<'_>, total: u64) -> indicatif::ProgressBar {
    if ctx.env.stderr_is_terminal && total > 100_000 {
        indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr())
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// Prints a whole report in `format` to stdout. Text and Markdown, built from escaped
/// pieces, pass [`crate::text::net`] on the way out, so nothing a renderer forgot to
/// escape reaches the terminal raw; JSON is printed exactly as serde wrote it. CSV and
/// iCalendar hold the log's text exactly (only CSV's formula neutralisation): printed
/// exactly into a file or a pipe, and on a terminal through the net too, their CRLF
/// record ends as plain line ends.
///
/// Text carries the marks of what its states mean ([`crate::text::marked`]), which
/// [`paint`] turns into colour or drops.
fn print(ctx: &Ctx<'_>, text: &str, format: crate::report::Format) -> Result<(), CommandError> {
    use crate::report::Format;
    let mut out = ctx.stdout();
    match format {
        Format::Json => write!(out, "{text}")?,
        Format::Text | Format::Markdown => write!(out, "{}", paint(&crate::text::net(text), ctx.color))?,
        // A diagram is pasted into Markdown: never coloured.
        Format::Mermaid => write!(out, "{}", paint(&crate::text::net(text), false))?,
        Format::Csv | Format::Ics if ctx.env.stdout_is_terminal => {
            write!(out, "{}", crate::text::net(&text.replace("\r\n", "\n")))?;
        }
        Format::Csv | Format::Ics => write!(out, "{text}")?,
        // A page escapes its log text itself (`report::html`: shown, then maud).
        Format::Html => write!(out, "{text}")?,
    }
    out.flush()?;
    Ok(())
}

/// A path as a message shows it: escaped like any text the user gave
/// ([`crate::text::shown`]), since a file name may hold anything but `/` and NUL.
fn shown_path(path: &std::path::Path) -> String {
    crate::text::shown(&path.display().to_string()).into_owned()
}

/// Where output goes: stdout, or the pager's input.
enum Sink<'a> {
    Stdout(std::io::StdoutLock<'static>),
    Pager(&'a std::process::ChildStdin),
}

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(buf),
            Sink::Pager(pager) => pager.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::Pager(pager) => pager.flush(),
        }
    }
}

/// `text` with its marks ([`crate::text::marked`]) turned into terminal styles when
/// `color`, else taken out. The rest of the text is left as it is: it was escaped
/// before it was marked, so the only escape sequences in the result are these.
fn paint(text: &str, color: bool) -> std::borrow::Cow<'_, str> {
    use crate::text::Tone;
    use anstyle::{AnsiColor, Effects, Style};
    if !color {
        return crate::text::unmarked(text);
    }
    let style = |tone: Tone| match tone {
        Tone::Bad => Style::new().fg_color(Some(AnsiColor::Red.into())).effects(Effects::BOLD),
        Tone::Warn => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Tone::Good => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Tone::Dim => Style::new().effects(Effects::DIMMED),
    };
    if !text.chars().any(crate::text::is_mark) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut open: Option<Style> = None;
    for c in text.chars() {
        if let Some(tone) = crate::text::tone_of(c) {
            let s = style(tone);
            out.push_str(&s.render().to_string());
            open = Some(s);
        } else if c == crate::text::MARK_END {
            if let Some(s) = open.take() {
                out.push_str(&s.render_reset().to_string());
            }
        } else {
            out.push(c);
        }
    }
    if let Some(s) = open {
        out.push_str(&s.render_reset().to_string());
    }
    std::borrow::Cow::Owned(out)
}

/// Writes to stdout through a lock and a buffer, never through the pager: what the
/// writing commands' summaries, completions and manual pages print.
fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}
