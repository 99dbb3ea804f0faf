//! `entente import`: append a JSON Lines file in one transaction, all or nothing.
//!
//! Also the CLI's way into `app::ingest` that `append` and `demo` share: the policy
//! taken from the environment, and a rejection worded for flags.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{CommandError, Ctx};
use crate::app::AppError;
use crate::app::ingest::{Expected, Tally, append_batch, ingest};
use crate::app::sheet::ImportFormat;
use crate::event::{Line, Manifest};
use crate::log::LogError;
use crate::store::AnyLog;

/// Append every event of a JSON Lines file, in one transaction: all lines land or none.
///
/// Each line is one event in the format `entente export` writes (see events/README.md).
/// Lines without seq, recorded_at, prev_hash and hash are new events, stamped by the
/// log. Lines with them (an export) must continue the log exactly where it ends.
/// A line whose id is already in the log with the same content is skipped, so
/// re-importing a file is a no-op; the same id with other content is an error.
/// Errors name the file, the line and the field; nothing is written unless every line
/// passes.
///
/// With --format csv --map MAPPING.toml, FILE is a spreadsheet exported as CSV, one
/// event a row, made into events through the column mapping (README: "Import from a
/// spreadsheet"); --dry-run shows what would be recorded and writes nothing. A row that
/// does not map is named by its line and column, and nothing is written.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The JSON Lines file, or `-` for stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Append only if the log still ends at this seq (0 to 9223372036854775807; optimistic
    /// concurrency).
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,

    /// Refuse the file unless it is a whole, unedited export: its chain must hold from
    /// seq 1 and match its manifest (FILE.manifest.json, or --manifest). The file is read
    /// once, checked as it is imported, and the import rolled back if the check fails.
    #[arg(long)]
    verify: bool,

    /// The manifest to verify against.
    #[arg(long, value_name = "FILE", requires = "verify")]
    manifest: Option<PathBuf>,

    /// jsonl: entente's JSON Lines; csv: a spreadsheet's rows, read through --map.
    #[arg(long, value_name = "FORMAT", default_value = "jsonl", value_parser = crate::names::parse::<ImportFormat>)]
    format: ImportFormat,

    /// The column mapping (TOML) a CSV sheet is read through.
    #[arg(long, value_name = "MAPPING.toml")]
    map: Option<PathBuf>,

    /// Show what would be recorded, one line per event, and write nothing (--format csv).
    #[arg(long)]
    dry_run: bool,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    match (args.format, &args.map) {
        (ImportFormat::Csv, Some(map)) => {
            return super::sheet::run(ctx, &args.file, map, args.expect_head, args.dry_run, args.verify);
        }
        (ImportFormat::Csv, None) => {
            return Err(CommandError::Usage(
                "--format csv needs --map MAPPING.toml, the file that says which column gives which field".to_owned(),
            ));
        }
        (ImportFormat::Jsonl, Some(_)) => {
            return Err(CommandError::Usage("--map is for --format csv; a JSON Lines file needs none".to_owned()));
        }
        (ImportFormat::Jsonl, None) if args.dry_run => {
            return Err(CommandError::Usage("--dry-run is for --format csv".to_owned()));
        }
        (ImportFormat::Jsonl, None) => {}
    }
    let mut log = ctx.open()?;
    let manifest = if args.verify { Some(read_manifest(&args)?) } else { None };
    let Input { name, reader, size } = open_input(&args.file)?;
    let progress = progress_bar(ctx, size);
    let advance = progress.clone();
    let manifest_name = manifest.as_ref().map(|(_, path)| path.display().to_string()).unwrap_or_default();
    let expected = manifest.map(|(manifest, _)| Expected { manifest, name: &manifest_name });
    let policy = ctx.policy(&log);
    let tally = ingest(&mut log, policy, &name, reader, move |n| advance.inc(n), args.expect_head, expected)?;
    progress.finish_and_clear();
    let head = log.head()?;
    let mut out = ctx.stdout();
    writeln!(
        out,
        "imported {} new event{} from {}; {} already present; log ends at seq {} (hash {})",
        tally.appended,
        if tally.appended == 1 { "" } else { "s" },
        crate::text::shown(&name),
        tally.existing,
        head.seq,
        head.hash
    )?;
    Ok(())
}

/// The most a manifest may hold: it is a few hundred bytes; anything near this is not one.
const MAX_MANIFEST_BYTES: u64 = 64 << 10;

/// Reads the manifest `--verify` checks against (once, and no more than
/// [`MAX_MANIFEST_BYTES`]), and where it came from.
fn read_manifest(args: &Args) -> Result<(Manifest, PathBuf), CommandError> {
    let path = match &args.manifest {
        Some(p) => p.clone(),
        None if args.file.as_os_str() == "-" => {
            return Err(CommandError::Usage("--verify on stdin needs --manifest FILE".to_owned()));
        }
        None => super::export::manifest_path(&args.file),
    };
    let fail = |message: String| CommandError::Io { path: path.display().to_string(), message };
    if path.is_dir() {
        return Err(fail("is a directory; give the export's manifest file".to_owned()));
    }
    let file = std::fs::File::open(&path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let mut text = String::new();
    file.take(MAX_MANIFEST_BYTES + 1).read_to_string(&mut text).map_err(|e| fail(format!("cannot read it: {e}")))?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(fail(format!(
            "is larger than {} KiB: not an entente manifest (give the FILE.manifest.json written by export)",
            MAX_MANIFEST_BYTES >> 10
        )));
    }
    let manifest = serde_json::from_str(&text).map_err(|e| fail(format!("is not an entente manifest: {e}")))?;
    Ok((manifest, path))
}

/// Reads `reader` as JSON Lines and appends it to `log` as one batch, stamped from
/// the environment; `name` is how errors refer to the input.
pub fn append_lines(
    ctx: &Ctx<'_>,
    log: &mut AnyLog,
    name: &str,
    reader: impl BufRead + Send + 'static,
    expect_head: Option<u64>,
) -> Result<Tally, CommandError> {
    let policy = ctx.policy(&*log);
    Ok(ingest(log, policy, name, reader, |_| {}, expect_head, None)?)
}

/// Appends one event built from a command's arguments rather than read from a file.
/// A rejection becomes a usage error opening with `headline`, listing each problem with
/// its field as `field` names it (a flag, say) instead of "line 1".
pub fn append_one(
    ctx: &Ctx<'_>,
    log: &mut AnyLog,
    line: Line,
    expect_head: Option<u64>,
    headline: &str,
    field: &dyn Fn(&str) -> String,
) -> Result<Tally, CommandError> {
    let policy = ctx.policy(&*log);
    match append_batch(log, policy, "the command", [(1, Ok(line))], expect_head) {
        Err(AppError::Rejected { source: LogError::Rejected { problems, .. }, .. }) => {
            let details: Vec<String> = problems
                .iter()
                .map(|p| match &p.error.field {
                    Some(f) => format!("{}: {}", field(f), super::problem_message(&p.error)),
                    None => super::problem_message(&p.error),
                })
                .collect();
            Err(CommandError::Usage(format!("{headline}: {}", details.join("; "))))
        }
        other => Ok(other?),
    }
}

/// An opened input: a file or stdin.
pub struct Input {
    /// How messages name it.
    pub name: String,
    /// Its lines.
    pub reader: Box<dyn BufRead + Send>,
    /// Its size in bytes, when known (for the progress bar).
    pub size: Option<u64>,
}

/// Opens a file or stdin (`-`).
pub fn open_input(path: &std::path::Path) -> Result<Input, CommandError> {
    if path.as_os_str() == "-" {
        let reader = Box::new(std::io::BufReader::new(std::io::stdin()));
        return Ok(Input { name: "<stdin>".to_owned(), reader, size: None });
    }
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(CommandError::Io { path: name, message: "is a directory; give a JSON Lines file".to_owned() });
    }
    let file = std::fs::File::open(path)
        .map_err(|e| CommandError::Io { path: name.clone(), message: format!("cannot read it: {e}") })?;
    let size = file.metadata().map(|m| m.len()).ok();
    Ok(Input { name, reader: Box::new(std::io::BufReader::with_capacity(1 << 16, file)), size })
}

fn progress_bar(ctx: &Ctx<'_>, size: Option<u64>) -> ProgressBar {
    // Only large inputs on a terminal get a bar; scripts and small files stay quiet.
    let worth_it = size.is_some_and(|s| s > 1 << 20);
    if !ctx.env.stderr_is_terminal || !worth_it {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(size, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}") {
        bar.set_style(style);
    }
    bar
}
