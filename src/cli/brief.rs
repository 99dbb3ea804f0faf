//! `entente brief`: the HTML brief of the log, written to a file — or, with `--check`,
//! a brief read back and compared, byte for byte, with what the log gives.

use std::path::{Path, PathBuf};

use super::summary::{Say, SummaryArgs};
use super::view::ViewArgs;
use super::{CommandError, Ctx};
use crate::app::brief::replay_until;
use crate::projection::LogHead;
use crate::projection::View;
use crate::projection::status::TrackStatus;
use crate::report::html::{self, Stamp};

/// Write the brief: one HTML page with charts, to mail, archive or print.
///
/// Per track: parties and third parties, principal instrument and stage, last activity;
/// a timeline chart (stage bands, events as marks by kind, each titled with its date,
/// the event and its sources); a deadline chart (each commitment from made to due,
/// fulfilment on time or late, overdue red and cross-hatched, suspended hatched, stalled
/// faded); commitments and principles by state month by month; the principles and
/// commitments with every axis, each linking to its evidence; and the evidence with its
/// sources as links. The footer names the view, the log head (seq and hash) and the
/// version. One file: inline CSS and SVG, no script, nothing fetched.
///
/// `--check FILE` re-renders a brief from the log, with the view and tracks the file
/// records and the log as it stood at the head the file names, and compares the bytes.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only this track (repeat the flag for several) [default: every track].
    #[arg(long = "track", value_name = "TRACK")]
    tracks: Vec<String>,
    /// Write the brief to this file (an .html file; replaced atomically).
    #[arg(long, value_name = "FILE", required_unless_present = "check")]
    out: Option<PathBuf>,
    /// Check that this brief is what the log gives, byte for byte, instead of writing one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["out", "tracks"])]
    check: Option<PathBuf>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    pub summary: SummaryArgs,
}

/// `brief`'s JSON summary: the page written (`--out`), or the page checked (`--check`).
#[derive(serde::Serialize)]
struct Briefed<'a> {
    command: &'static str,
    /// The page written (`null` with --check).
    wrote: Option<&'a str>,
    /// The page checked and found identical (`null` with --out).
    checked: Option<&'a str>,
    /// Tracks on the page (`null` with --check).
    tracks: Option<usize>,
    /// Events on its timeline (`null` with --check).
    events: Option<usize>,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let say = args.summary.say("brief")?;
    if let Some(file) = &args.check {
        if args.view.as_of.is_some() || args.view.known_at.is_some() {
            return Err(CommandError::Usage(
                "--check reads the view from the brief; drop --as-of and --known-at".to_owned(),
            ));
        }
        return check(ctx, file, say);
    }
    let Some(out) = &args.out else {
        return Err(CommandError::Usage(
            "name the file to write with --out FILE (or check one with --check FILE)".to_owned(),
        ));
    };
    super::output::guard(&ctx.db, &[("--out", out)])?;
    let page = render(ctx, args.view.view(ctx), &args.tracks, None)?;
    super::output::write_atomically(out, |w| {
        std::io::Write::write_all(w, page.text.as_bytes()).map_err(CommandError::Output)
    })?;
    let path = out.display().to_string();
    let summary = Briefed {
        command: "brief",
        wrote: Some(&path),
        checked: None,
        tracks: Some(page.tracks),
        events: Some(page.events),
    };
    say.print(page.head, &summary, || {
        format!(
            "wrote {} ({} track{}, {} events, log head seq {})\n",
            super::shown_path(out),
            page.tracks,
            if page.tracks == 1 { "" } else { "s" },
            page.events,
            page.head.seq
        )
    })
}

/// A brief rendered, and what the CLI says about it.
struct Rendered {
    text: String,
    tracks: usize,
    events: usize,
    head: LogHead,
}

/// The brief of the log as `view` sees it, of `asked` tracks (none: all), from the log
/// up to seq `until` (all of it when `None`).
fn render(ctx: &Ctx<'_>, view: View, asked: &[String], until: Option<u64>) -> Result<Rendered, CommandError> {
    let store = ctx.open_to_read()?;
    // A brief says what the log holds: never from a log that fails verification.
    super::verify::intact(ctx, &store, false, false)?;
    let replay = replay_until(&store, view, until)?;
    let mut tracks: Vec<TrackStatus> = replay.status();
    for t in asked {
        if !tracks.iter().any(|x| x.id.as_str() == t) {
            return Err(super::reports::no_track(t));
        }
    }
    if !asked.is_empty() {
        tracks.retain(|x| asked.iter().any(|t| t == x.id.as_str()));
    }
    let text = html::brief(&replay, &tracks, asked);
    Ok(Rendered { text, tracks: tracks.len(), events: replay.timeline().len(), head: replay.head() })
}

/// `--check FILE`: re-renders the brief FILE records and compares.
fn check(ctx: &Ctx<'_>, file: &Path, say: Say) -> Result<(), CommandError> {
    let shown = super::shown_path(file);
    let written = std::fs::read_to_string(file)
        .map_err(|e| CommandError::Io { path: file.display().to_string(), message: e.to_string() })?;
    let Some(stamp) = Stamp::read(&written) else {
        return Err(CommandError::Usage(format!(
            "{shown} is not a brief entente wrote: it has no entente-as-of, entente-head-seq or entente-version meta tag"
        )));
    };
    let known_at =
        match &stamp.known_at {
            None => None,
            Some(k) => Some(super::view::parse_known_at(k).map_err(|e| {
                CommandError::Usage(format!("{shown}: its entente-known-at meta tag does not read: {e}"))
            })?),
        };
    let view = View { as_of: stamp.as_of, known_at, stall_days: stamp.stall_days };
    let store = ctx.open_to_read()?;
    let replay = replay_until(&store, view, Some(stamp.head_seq))?;
    let head_hash = replay.all_records().iter().find(|r| r.seq == stamp.head_seq).map(|r| r.hash.to_hex());
    if replay.head_seq() != stamp.head_seq || head_hash != stamp.head_hash {
        return Err(CommandError::Mismatch {
            what: format!(
                "{shown} was written from a log whose head was seq {} (hash {}); this log has {} there: it is not \
                 this log, or not as it stood then",
                stamp.head_seq,
                stamp.head_hash.as_deref().unwrap_or("none"),
                head_hash.map_or_else(|| "no such event in this view".to_owned(), |h| format!("hash {h}")),
            ),
        });
    }
    let head = replay.head();
    drop(replay);
    let again = render(ctx, view, &stamp.tracks, Some(stamp.head_seq))?;
    if again.text == written {
        let path = file.display().to_string();
        let summary = Briefed { command: "brief", wrote: None, checked: Some(&path), tracks: None, events: None };
        return say.print(head, &summary, || {
            format!(
                "{shown} is the brief of this log at seq {} (hash {}), as of {}: identical\n",
                stamp.head_seq,
                stamp.head_hash.as_deref().unwrap_or("none"),
                stamp.as_of
            )
        });
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (written.split('\n').collect(), again.text.split('\n').collect());
    let line = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let cut =
        |l: Option<&&str>| l.map_or("(end of file)".to_owned(), |l| crate::text::cut(&crate::text::shown(l), 120));
    let version = if stamp.version == html::VERSION {
        String::new()
    } else {
        format!(
            " (it was written by entente {}, this is {}: the layout may have changed)",
            stamp.version,
            html::VERSION
        )
    };
    Err(CommandError::Mismatch {
        what: format!(
            "{shown} differs from the brief this log gives at seq {}{version}: line {} has {}; the log gives {}",
            stamp.head_seq,
            line + 1,
            cut(a.get(line)),
            cut(b.get(line)),
        ),
    })
}
