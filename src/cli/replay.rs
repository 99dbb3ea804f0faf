//! `entente replay`: rebuild every projection from the whole log, and write them as
//! files; over `events/scenarios/` this writes the golden reports in `projections/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::import::{append_lines, open_input};
use super::summary::{Say, SummaryArgs};
use super::view::ViewArgs;
use super::{CommandError, Ctx};
use crate::app::status::{rebuild, replay};
use crate::env::Stopwatch;
use crate::names::Named;
use crate::projection::LogHead;
use crate::projection::Replay;
use crate::report::provenance::{Check, Stamp};
use crate::report::{Format, Projection, Scope, render};
use crate::store::{AnyLog, Sqlite};

/// Rebuild every projection from the whole log.
///
/// Status, principles, commitments and timeline, from the whole log; report how many
/// events and how long it took. Every table derived from the events (declared names, the
/// index of corrections, the status snapshot) is rebuilt from the hash chain on the way,
/// which mends one that `verify` found edited. With --out, write each report in every
/// format it takes as DIR/<projection>.<txt|json|md|csv|ics>.
///
/// Every event is also written as PLOVER-JSON records (docs/plover.md), DIR/plover.jsonl.
///
/// With --scenarios DIR, replay each scenario file of DIR in a scratch log instead and
/// write OUT/<projection>/<scenario>.<ext> and OUT/plover/<scenario>.jsonl: the golden
/// reports. Regenerate them with
///   cargo run -- replay --scenarios events/scenarios --out projections --as-of 2026-01-01
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Write the reports into this folder (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replay every *.jsonl scenario of this folder instead of the log.
    #[arg(long, value_name = "DIR", requires = "out")]
    scenarios: Option<PathBuf>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    pub summary: SummaryArgs,
}

/// `replay`'s JSON summary.
#[derive(serde::Serialize)]
struct Replayed {
    command: &'static str,
    /// Events replayed (over every scenario with --scenarios).
    events: u64,
    /// Every file written, in the order written.
    written: Vec<String>,
    /// Per scenario file (--scenarios): its events and the files written from it.
    scenarios: Vec<Scenario>,
}

#[derive(serde::Serialize)]
struct Scenario {
    file: String,
    events: u64,
    written: Vec<String>,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let say = args.summary.say("replay")?;
    if let Some(dir) = &args.scenarios {
        return scenarios(ctx, &args, dir, say);
    }
    let mut store = ctx.open()?;
    let total = store.count()?;
    let bar = if say.shows() { super::event_progress(ctx, total) } else { indicatif::ProgressBar::hidden() };
    let clock = Stopwatch::start();
    let (count, written) = match &args.out {
        Some(out) => {
            // Every report path is checked before anything is rebuilt or written.
            let target = |p: Projection, f: Format| out.join(format!("{}.{}", p.name(), f.extension()));
            check_targets(&ctx.db, out, &target)?;
            super::output::guard(&ctx.db, &[("--out", &out.join("plover.jsonl"))])?;
            // The Markdown reports say the log was verified: it is, before anything
            // is rebuilt (a rebuild would hide a forged index or snapshot).
            let through = super::verify::chain_intact(ctx, &store, true)?.count;
            // The derived tables are rebuilt from the chain whatever is written.
            rebuild(&mut store, &mut || {})?;
            let replay = replay(&store, args.view.view(ctx), &mut || bar.inc(1))?;
            let stamp = Stamp { head_hash: replay.head().hash, check: Check::Verified { through } };
            let mut written = write_reports(&ctx.db, &replay, out, &stamp, |p, f| {
                out.join(format!("{}.{}", p.name(), f.extension()))
            })?;
            written.push(write_plover(&ctx.db, &replay, &out.join("plover.jsonl"))?);
            (replay.count(), written)
        }
        None => {
            // Streaming: the derived tables are rebuilt from the chain, and the status
            // fold (which serves status, principles and commitments) from the whole log,
            // saved as the snapshot — once the chain is verified: a rebuild from a
            // tampered log would make its derived tables agree with the forgery.
            super::verify::chain_intact(ctx, &store, say.shows())?;
            rebuild(&mut store, &mut || bar.inc(1))?;
            (total, Vec::new())
        }
    };
    bar.finish_and_clear();
    let elapsed = clock.elapsed();
    let head = store.head()?;
    let summary = Replayed { command: "replay", events: count, written: names(&written), scenarios: Vec::new() };
    say.print(LogHead::of(head.seq, head.hash), &summary, || {
        let rate = count as f64 / elapsed.as_secs_f64().max(1e-9);
        let mut text = format!("replayed {count} events in {} ms ({rate:.0} events/s)\n", elapsed.as_millis());
        if let Some(dir) = &args.out {
            text.push_str(&format!("wrote {} reports to {}\n", written.len(), super::shown_path(dir)));
        }
        text
    })
}

/// The paths written, as JSON names them.
fn names(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

fn scenarios(ctx: &Ctx<'_>, args: &Args, dir: &Path, say: Say) -> Result<(), CommandError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |e: std::io::Error| CommandError::Io { path: path.clone(), message: e.to_string() }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("projections"));
    let mut out = super::stdout();
    let mut summary = Replayed { command: "replay", events: 0, written: Vec::new(), scenarios: Vec::new() };
    for file in files {
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let mut store: AnyLog = Sqlite::in_memory()?.into();
        let input = open_input(&file)?;
        append_lines(ctx, &mut store, &input.name, input.reader, None)?;
        let replay = replay(&store, args.view.view(ctx), &mut || {})?;
        let name = file.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let stamp = Stamp::replayed(&replay, &name);
        let mut written = write_reports(&ctx.db, &replay, &out_dir, &stamp, |p, f| {
            out_dir.join(p.name()).join(format!("{stem}.{}", f.extension()))
        })?;
        written.push(write_plover(&ctx.db, &replay, &out_dir.join("plover").join(format!("{stem}.jsonl")))?);
        if say == Say::Text {
            writeln!(out, "{}: {} events, {} reports", super::shown_path(&file), replay.count(), written.len())?;
        }
        summary.events += replay.count();
        summary.written.extend(names(&written));
        summary.scenarios.push(Scenario {
            file: file.display().to_string(),
            events: replay.count(),
            written: names(&written),
        });
    }
    out.flush()?;
    if say == Say::Json {
        // Each scenario is its own scratch log: the document names no one log's head.
        say.print(LogHead::default(), &summary, String::new)?;
    }
    Ok(())
}

/// Writes every report of `replay` where `path` says, each refused if it is the log at
/// `db` or not a regular file, each written atomically (see [`super::output`]).
/// Refuses, before anything is written, an output folder that is a file, and any
/// report path [`write_reports`] would refuse (the log, or not a regular file).
fn check_targets(db: &Path, root: &Path, path: &impl Fn(Projection, Format) -> PathBuf) -> Result<(), CommandError> {
    if root.exists() && !root.is_dir() {
        return Err(CommandError::Usage(format!(
            "--out {}: that is a file, not a folder; name a folder for the reports (it is created if missing)",
            super::shown_path(root)
        )));
    }
    for &projection in Projection::ALL {
        for &format in projection.formats() {
            super::output::guard(db, &[("--out", &path(projection, format))])?;
        }
    }
    Ok(())
}

fn write_reports(
    db: &Path,
    replay: &Replay,
    root: &Path,
    stamp: &Stamp,
    path: impl Fn(Projection, Format) -> PathBuf,
) -> Result<Vec<PathBuf>, CommandError> {
    let tracks = replay.status();
    let mut written = Vec::new();
    for &projection in Projection::ALL {
        for &format in projection.formats() {
            let target = path(projection, format);
            let parent = target.parent().unwrap_or(root);
            std::fs::create_dir_all(parent)
                .map_err(|e| CommandError::Io { path: parent.display().to_string(), message: e.to_string() })?;
            super::output::guard(db, &[("--out", &target)])?;
            let text = render(
                replay,
                tracks.clone(),
                projection,
                format,
                &Scope::default(),
                crate::report::Layout::PLAIN,
                stamp,
            );
            super::output::write_atomically(&target, |out| {
                out.write_all(text.as_bytes()).map_err(CommandError::Output)
            })?;
            written.push(target);
        }
    }
    Ok(written)
}

/// Writes the PLOVER records of `replay` to `target` (its folder created if missing),
/// refused and written as [`write_reports`] writes a report.
fn write_plover(db: &Path, replay: &Replay, target: &Path) -> Result<PathBuf, CommandError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CommandError::Io { path: parent.display().to_string(), message: e.to_string() })?;
    }
    super::output::guard(db, &[("--out", target)])?;
    let text = crate::report::plover::render(replay);
    super::output::write_atomically(target, |out| out.write_all(text.as_bytes()).map_err(CommandError::Output))?;
    Ok(target.to_path_buf())
}
