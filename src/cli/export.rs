//! `entente export`: the whole log as JSON Lines, the format `import` reads; or, with
//! `--format plover`, every event as it stands as a PLOVER-JSON record.

use std::io::Write;
use std::path::PathBuf;

use super::summary::Say;
use super::{CommandError, Ctx, output};
use crate::log::{Head, ReadTxn, Reader};
use crate::projection::LogHead;
use crate::report::Format;
use crate::report::plover::ExportFormat;

/// Write the whole log as JSON Lines, one event per line, in log order.
///
/// Importing the output into a fresh log reproduces it byte for byte, with the same
/// head hash.
///
/// With --format plover, write instead one PLOVER-JSON record per event as it stands
/// (corrections applied, retracted events left out, disputed ones flagged), in world
/// order, with no manifest: an interchange file for event-data tools, not a backup
/// (docs/plover.md gives the mapping of every kind).
///
/// Files are replaced whole (a new file renamed over the name, with the mode a plain
/// create gives, or the replaced file's mode). Refused, before anything is written: an
/// output that is the log or its -wal, -shm or -journal file (however spelled: through
/// symlinks, `..`, hard links), --out and --manifest naming one file, and any output
/// that exists but is not a regular file — a directory, FIFO, socket, device, or any
/// symbolic link (even to a regular file: renaming over the name would replace the link,
/// not write through it; give the path the link points to).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to this regular file (atomically: it appears whole or not at all) instead of
    /// stdout, and its manifest to FILE.manifest.json.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Write the manifest (count, head seq, head hash, entente version) here [default:
    /// beside --out as FILE.manifest.json; none for stdout].
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,

    /// jsonl: the log itself, which `import` reads back; plover: PLOVER-JSON records;
    /// json: the log as jsonl, and the summary as one JSON object — on stdout with
    /// --out, on stderr when the events go to stdout.
    #[arg(long, value_name = "FORMAT", default_value = "jsonl", value_parser = export_format)]
    format: (ExportFormat, Format),
    /// Print no summary (the events are still written: they are the output). Errors
    /// still go to stderr, with their exit code.
    #[arg(short, long)]
    quiet: bool,
}

impl Args {
    /// True when a failure should be written as JSON on stdout as well.
    pub fn json_errors(&self) -> bool {
        self.format.1 == Format::Json && !self.quiet
    }
}

/// Parses `--format`: what is written (jsonl, plover) and how the summary is (`json`:
/// the log as JSON Lines, the summary in JSON).
fn export_format(text: &str) -> Result<(ExportFormat, Format), String> {
    match text {
        "json" => Ok((ExportFormat::Jsonl, Format::Json)),
        _ => crate::names::parse::<ExportFormat>(text).map(|output| (output, Format::Text)).map_err(|_| {
            format!(
                "`{text}` is not a format export writes: `jsonl` (the log), `plover` (PLOVER-JSON records) or \
                 `json` (the log as jsonl, with the summary as JSON)"
            )
        }),
    }
}

/// `export`'s JSON summary.
#[derive(serde::Serialize)]
struct Exported<'a> {
    command: &'static str,
    /// How many events were written.
    events: u64,
    /// The file written (`null`: stdout).
    out: Option<&'a str>,
    /// The manifest written (`null`: none).
    manifest: Option<&'a str>,
}

/// Where the manifest of an export at `path` goes unless told otherwise.
pub fn manifest_path(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

fn write_manifest(head: Head, path: &std::path::Path) -> Result<(), CommandError> {
    let manifest = crate::event::Manifest {
        format: "entente-export".to_owned(),
        entente_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema: crate::store::SCHEMA_VERSION,
        // seq is gap-free: the head's seq is the count.
        count: head.seq,
        head_seq: head.seq,
        head_hash: head.hash.to_hex(),
    };
    // Never written empty: a manifest that cannot be rendered is an error, not "".
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| CommandError::Io {
        path: path.display().to_string(),
        message: format!("cannot render the manifest: {e}"),
    })?;
    text.push('\n');
    output::write_atomically(path, |out| out.write_all(text.as_bytes()).map_err(CommandError::Output))
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let say = super::summary::say("export", args.format.1, args.quiet)?;
    if args.format.0 == ExportFormat::Plover {
        return plover(ctx, &args, say);
    }
    // Before the log is opened: nothing about it is touched if an output is refused.
    let manifest = args.manifest.clone().or_else(|| args.out.as_deref().map(manifest_path));
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(out) = &args.out {
        outputs.push(("--out", out));
    }
    if let Some(m) = &manifest {
        outputs.push((if args.manifest.is_some() { "--manifest" } else { "--out's manifest" }, m));
    }
    output::guard(&ctx.db, &outputs)?;
    let store = ctx.open_to_read()?;
    // One read transaction: the lines and the manifest describe the same log, however
    // many writers append meanwhile.
    store.consistent(|store| export(ctx, store, args.out.as_deref(), manifest.as_deref(), say))
}

fn export<T: ReadTxn + ?Sized>(
    ctx: &Ctx<'_>,
    store: &Reader<'_, T>,
    out: Option<&std::path::Path>,
    manifest: Option<&std::path::Path>,
    say: Say,
) -> Result<(), CommandError> {
    let head = store.head()?;
    let log_head = LogHead::of(head.seq, head.hash);
    match out {
        None => {
            let mut out = ctx.stdout();
            write_all(store, &mut out)?;
            out.flush()?;
            if let Some(manifest) = manifest {
                write_manifest(head, manifest)?;
            }
            // The events are stdout's: a JSON summary goes to stderr (text has none).
            if say == Say::Json {
                let manifest = manifest.map(|m| m.display().to_string());
                let summary =
                    Exported { command: "export", events: head.seq, out: None, manifest: manifest.as_deref() };
                eprint!("{}", crate::report::document(log_head, &summary));
            }
        }
        Some(path) => {
            output::write_atomically(path, |out| write_all(store, out))?;
            let manifest = manifest.map_or_else(|| manifest_path(path), ToOwned::to_owned);
            write_manifest(head, &manifest)?;
            let (out, manifest_name) = (path.display().to_string(), manifest.display().to_string());
            let summary =
                Exported { command: "export", events: head.seq, out: Some(&out), manifest: Some(&manifest_name) };
            match say {
                // The events went to a file: the JSON summary is stdout's.
                Say::Json => say.print(log_head, &summary, String::new)?,
                Say::Text => eprintln!(
                    "exported {} events to {} (head hash {}); manifest in {}",
                    head.seq,
                    super::shown_path(path),
                    head.hash,
                    super::shown_path(&manifest)
                ),
                Say::Quiet => {}
            }
        }
    }
    Ok(())
}

fn write_all<T: ReadTxn + ?Sized>(store: &Reader<'_, T>, out: &mut dyn Write) -> Result<(), CommandError> {
    store.export_lines(|line| writeln!(out, "{line}").map_err(CommandError::Output))
}

/// `--format plover`: the events as they stand, as PLOVER records, seen from the last
/// day a date can name, with everything recorded.
fn plover(ctx: &Ctx<'_>, args: &Args, say: Say) -> Result<(), CommandError> {
    if args.manifest.is_some() {
        return Err(CommandError::Usage(
            "--manifest goes with an export of the log (--format jsonl); a PLOVER file has none".to_owned(),
        ));
    }
    if let Some(out) = &args.out {
        output::guard(&ctx.db, &[("--out", out)])?;
    }
    let store = ctx.open_to_read()?;
    let view = crate::projection::View {
        as_of: crate::date::last_writable_day(),
        known_at: None,
        stall_days: crate::projection::DEFAULT_STALL_DAYS,
    };
    let replay = crate::app::status::replay(&store, view, &mut || {})?;
    let text = crate::report::plover::render(&replay);
    match &args.out {
        None => {
            let mut out = ctx.stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
        Some(path) => {
            output::write_atomically(path, |out| out.write_all(text.as_bytes()).map_err(CommandError::Output))?;
            if say.shows() {
                eprintln!("exported {} PLOVER records to {}", text.lines().count(), super::shown_path(path));
            }
        }
    }
    Ok(())
}
