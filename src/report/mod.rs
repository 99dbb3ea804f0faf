//! Reports: projections laid out for a reader — aligned text (at the width of a
//! [`Layout`]: the terminal's, 100 columns when piped), JSON (stable keys, documented
//! in projections/README.md) and Markdown (for a brief).
//!
//! Presentation only: each report module takes what a projection computed and writes
//! it, as JSON through serde or as a document through [`doc::Doc`]; none reads the
//! log, folds events or decides a state. Pure functions from data to strings; the CLI
//! prints them and `replay` writes them as golden files.
//!
//! `mod.rs` holds the closed sets of formats and of the reports `replay` writes, and
//! what several reports share (the header line, the JSON envelope, a source in words).

pub mod audit;
pub mod commitments;
pub mod conditions;
pub mod csv;
pub mod deadlines;
pub mod diff;
pub mod doc;
pub mod explain;
pub mod history;
pub mod html;
pub mod ics;
pub mod instruments;
pub mod mermaid;
pub mod occasion;
pub mod plover;
pub mod principles;
pub mod provenance;
pub mod sources;
pub mod status;
pub mod timeline;
pub mod trend;

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use crate::event::format_recorded_at;
use crate::projection::status::{At, TrackStatus};
use crate::projection::{Header, LogHead, Replay};
use doc::Doc;
pub use doc::Layout;

crate::names::closed_set! {
    /// An output format.
    pub enum Format {
        /// Aligned text for a terminal.
        Text => "text",
        /// JSON for scripts and jq.
        Json => "json",
        /// Markdown for a brief.
        Markdown => "markdown",
        /// CSV (RFC 4180) for a spreadsheet: a header row, one row per item.
        Csv => "csv",
        /// iCalendar (RFC 5545) for a calendar: one all-day event per deadline.
        Ics => "ics",
        /// One self-contained HTML page (inline CSS and SVG, no script).
        Html => "html",
        /// A Mermaid diagram in a fenced block, for Markdown (`commitments`, `timeline`).
        Mermaid => "mermaid",
    }
}

impl Format {
    /// The file extension reports in this format take.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Ics => "ics",
            Format::Html => "html",
            // A fenced block is Markdown; the name says which diagram it holds.
            Format::Mermaid => "mermaid.md",
        }
    }
}

/// How a report is written in a format: serialized, or laid out as a document.
enum Output {
    /// Serialized with serde, exact.
    Json,
    /// Laid out through a document writer in the format's medium.
    Doc(Doc),
}

impl Output {
    fn of(format: Format, layout: Layout) -> Output {
        // Only the text format is coloured: a report that falls back to text for
        // another format (below) never is.
        let text = |color| Doc::new(Box::new(doc::Text { width: layout.width, color }));
        match format {
            Format::Json => Output::Json,
            Format::Text => Output::Doc(text(layout.color)),
            Format::Markdown => Output::Doc(Doc::new(Box::new(doc::Markdown))),
            // A report that takes CSV or iCalendar writes it before it gets here; the
            // CLI refuses a format a command does not take (`cli::view::FormatArg::only`)
            // and `replay` writes only a projection's `formats`, so these never reach a
            // report that has no such writer, which would lay itself out as text.
            Format::Csv | Format::Ics => Output::Doc(text(false)),
            // Pages are `html`'s, never a report's own layout: the CLI sends `--format
            // html` there or refuses it (`cli/view.rs`), and `replay` writes each report
            // only in its formats (`Projection::formats`). Asked anyway, a report gives
            // its Markdown rather than a page without its parts.
            Format::Html => Output::Doc(Doc::new(Box::new(doc::Markdown))),
            // A diagram is the commitments' and the timeline's, written before here,
            // as CSV is; asked anyway, a report gives its Markdown.
            Format::Mermaid => Output::Doc(Doc::new(Box::new(doc::Markdown))),
        }
    }
}

crate::names::closed_set! {
    /// A report `replay` writes; its name is the command and the folder of its golden
    /// files. Declared in the order `replay` writes them.
    pub enum Projection {
        /// Per track: stage, activity, principles and commitments in brief.
        Status => "status",
        /// Every principle with its state.
        Principles => "principles",
        /// Every commitment with its state and deadlines.
        Commitments => "commitments",
        /// Every instrument with its derived stage and each party's steps.
        Instruments => "instruments",
        /// Events in world order.
        Timeline => "timeline",
        /// Every condition with its state and what it blocks.
        Conditions => "conditions",
        /// Every occasion with its dates, tracks and kinds of events.
        Occasions => "occasions",
        /// The reviewer's report over the whole log.
        Audit => "audit",
        /// The history of every event that was corrected, retracted or disputed.
        History => "history",
        /// Every deadline, past and ahead, with its outcome.
        Deadlines => "deadlines",
        /// The brief: one HTML page per log, with charts (`entente brief`).
        Brief => "brief",
    }
}

impl Projection {
    /// The formats this report is written in, by `replay` and by its command.
    pub fn formats(self) -> &'static [Format] {
        use Format::{Csv, Ics, Json, Markdown, Mermaid, Text};
        match self {
            Projection::Status | Projection::Principles | Projection::Instruments | Projection::Audit => {
                &[Text, Json, Markdown, Csv]
            }
            Projection::Commitments => &[Text, Json, Markdown, Csv, Mermaid],
            Projection::Deadlines => &[Text, Json, Csv, Ics],
            Projection::Timeline => &[Text, Json, Markdown, Mermaid],
            Projection::Conditions | Projection::Occasions | Projection::History => &[Text, Json, Markdown],
            // The brief is a page; `--format html` of the reports above is their part of
            // one, which their commands write but `replay` does not.
            Projection::Brief => &[Format::Html],
        }
    }
}

/// What narrows a report beyond its view.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Only this track.
    pub track: Option<String>,
    /// Only commitments in this state (the commitments report).
    pub state: Option<crate::projection::status::CommitmentState>,
}

/// Renders one report of `replay` (whose status is `tracks`) in `format`: what
/// `replay --out` writes.
pub fn render(
    replay: &Replay,
    tracks: Vec<TrackStatus>,
    projection: Projection,
    format: Format,
    scope: &Scope,
    layout: Layout,
    stamp: &provenance::Stamp,
) -> String {
    let head = replay.header();
    // Only a Markdown document cites events; the others are written without notes.
    let notes = match format {
        Format::Markdown => provenance::Notes::of_replay(stamp.clone(), replay),
        _ => provenance::Notes::none(),
    };
    let notes = &notes;
    if format == Format::Html {
        let tracks = in_scope(tracks, scope);
        return match projection {
            Projection::Status => html::status(replay, &tracks),
            Projection::Principles => html::principles(replay, &tracks),
            Projection::Commitments => html::commitments(replay, &tracks),
            Projection::Timeline => html::timeline(replay, &tracks),
            _ => html::brief(replay, &tracks, &scope.track.iter().cloned().collect::<Vec<_>>()),
        };
    }
    match projection {
        Projection::Status => status::render(&head, tracks, scope, format, layout, notes),
        Projection::Principles => principles::render(&head, tracks, scope, format, layout, notes),
        Projection::Commitments => commitments::render(&head, tracks, scope, format, layout, notes),
        Projection::Instruments => instruments::render(&head, tracks, scope, format, layout, notes),
        Projection::Timeline => timeline::render(replay, tracks, scope, format, layout, stamp),
        Projection::Conditions => conditions::render(&head, tracks, scope, false, format, layout, notes),
        Projection::Occasions => {
            let track = scope.track.as_deref().and_then(|t| crate::event::TrackId::new(t).ok());
            occasion::render(
                replay,
                &crate::projection::occasion::occasions(replay, track.as_ref()),
                false,
                format,
                layout,
                stamp,
            )
        }
        Projection::Audit => {
            let audit = crate::projection::audit::Audit::of(&replay.all_records(), None);
            audit::render(replay.head(), &audit, format, layout)
        }
        Projection::History => {
            history::render_all(replay.head(), &crate::projection::history::histories(replay), format, layout)
        }
        Projection::Deadlines => {
            let list = crate::projection::deadlines::deadlines(
                &tracks,
                &crate::projection::deadlines::Window::all(),
                replay.timeline(),
                &replay.all_records(),
            );
            deadlines::render(&head, &list, format, layout)
        }
        Projection::Brief => {
            html::brief(replay, &in_scope(tracks, scope), &scope.track.iter().cloned().collect::<Vec<_>>())
        }
    }
}

/// The tracks a scope asks for.
fn in_scope(mut tracks: Vec<TrackStatus>, scope: &Scope) -> Vec<TrackStatus> {
    if let Some(t) = &scope.track {
        tracks.retain(|x| x.id.as_str() == t);
    }
    tracks
}

/// The version of the shape of every JSON document entente writes (reports, the
/// writing commands' summaries, errors): bumped when a key is removed or changes
/// meaning; a key added leaves it as it is.
pub const FORMAT_VERSION: u32 = 1;

/// What every JSON document says first: the version of its shape and the log head it
/// was made from, then `body`'s own keys.
#[derive(Serialize)]
struct Document<'a, T: Serialize> {
    format_version: u32,
    head: HeadJson,
    #[serde(flatten)]
    body: &'a T,
}

/// The log head in JSON: `{"seq": N, "hash": "<hex>"}`, `{"seq": 0, "hash": null}`
/// for an empty log.
#[derive(Serialize)]
struct HeadJson {
    seq: u64,
    hash: Option<String>,
}

/// `body` as a JSON document: `format_version` and `head` first, then its own keys
/// (`body` serializes as an object: a struct or a map).
pub fn document<T: Serialize>(head: LogHead, body: &T) -> String {
    json(&Document {
        format_version: FORMAT_VERSION,
        head: HeadJson { seq: head.seq, hash: head.hash.map(|h| h.to_hex()) },
        body,
    })
}

/// What every JSON report of a view says about it after the head: the world date and
/// the recording cut-off.
#[derive(Serialize)]
struct ViewHead {
    as_of: NaiveDate,
    known_at: Option<String>,
}

impl ViewHead {
    fn of(head: &Header) -> ViewHead {
        let view = head.view;
        ViewHead { as_of: view.as_of, known_at: view.known_at.as_ref().map(format_recorded_at) }
    }
}

/// A JSON report of tracks: the view, then the tracks.
#[derive(Serialize)]
struct Envelope<T: Serialize> {
    #[serde(flatten)]
    view: ViewHead,
    tracks: Vec<T>,
}

/// A JSON document of `tracks` as `head` sees them.
fn envelope<T: Serialize>(head: &Header, tracks: Vec<T>) -> String {
    document(head.head, &Envelope { view: ViewHead::of(head), tracks })
}

/// A JSON report of `tracks`, each written as `each` makes it.
fn tracks_json<'a, T: Serialize>(
    head: &Header,
    tracks: &'a [TrackStatus],
    each: impl Fn(&'a TrackStatus) -> T,
) -> String {
    envelope(head, tracks.iter().map(each).collect())
}

fn json<T: Serialize>(value: &T) -> String {
    // Plain structs of strings, numbers and dates (maps keyed by strings) always
    // serialize; a report is never written empty.
    let mut text = serde_json::to_string_pretty(value).expect("a report is plain data, which always serializes");
    text.push('\n');
    text
}

/// The view in words, for a document's title.
fn view_line(head: &Header) -> String {
    let view = &head.view;
    let known = match view.known_at {
        Some(t) => format!("as known at {}", format_recorded_at(&t)),
        None => "everything recorded".to_owned(),
    };
    format!("As of {} · {known} · log head seq {}", view.as_of, head.head.seq)
}

/// A date and the event behind it, in words.
fn at(a: &At) -> String {
    format!("{} (seq {})", a.date, a.seq)
}

/// The mark on a state that rests only on unsourced or disputed events.
const UNSUPPORTED: &str = " †";

/// What the mark means, said once under a document that shows it.
const UNSUPPORTED_NOTE: &str = "† rests only on unsourced or disputed events";

fn mark(unsupported: bool) -> &'static str {
    if unsupported { UNSUPPORTED } else { "" }
}

/// The mark on a state that rests only on one side's account or an unverified one.
const ONE_SIDED: &str = " ‡";

/// What that mark means, said once under a document that shows it.
const ONE_SIDED_NOTE: &str = "‡ rests only on one side's account, or an unverified one";

/// The marks on a state: unsupported (†), then one-sided (‡).
fn marks(unsupported: bool, one_sided: bool) -> String {
    let mut out = mark(unsupported).to_owned();
    if one_sided {
        out.push_str(ONE_SIDED);
    }
    out
}

/// The notes under a document for the marks it shows.
fn mark_notes(doc: &mut Doc, unsupported: bool, one_sided: bool) {
    if unsupported {
        doc.para(UNSUPPORTED_NOTE);
    }
    if one_sided {
        doc.para(ONE_SIDED_NOTE);
    }
}

/// One source in words: title, author, publisher, locator, date, URL.
pub fn source_line(s: &crate::event::Source) -> String {
    let mut line = format!("\u{201c}{}\u{201d}", s.title);
    for part in [&s.author, &s.publisher, &s.locator].into_iter().flatten() {
        let _ = write!(line, ", {part}");
    }
    if let Some(p) = &s.published {
        let _ = write!(line, ", {p}");
    }
    if let Some(u) = &s.url {
        let _ = write!(line, " <{u}>");
    }
    line
}
