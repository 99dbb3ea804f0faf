//! Reports: projections turned into text (aligned, readable at 100 columns), JSON
//! (stable keys, documented in projections/README.md) and Markdown (for a brief).
//!
//! Pure functions from data to strings; the CLI prints them and `replay` writes them
//! as golden files.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::event::payload::Payload;
use crate::event::{Event, Record, format_recorded_at};
use crate::projection::status::{CommitmentState, CommitmentStatus, PrincipleStatus, TrackStatus};
use crate::projection::{Header, Replay, View};
use crate::text;

crate::names::closed_set! {
    /// An output format.
    pub enum Format {
        /// Aligned text for a terminal.
        Text => "text",
        /// JSON for scripts and jq.
        Json => "json",
        /// Markdown for a brief.
        Markdown => "markdown",
    }
}

/// `--format`, named from the one table.
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Format] {
        <Format as crate::names::Named>::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let help = match self {
            Format::Text => "Aligned text for a terminal",
            Format::Json => "JSON for scripts and jq",
            Format::Markdown => "Markdown for a brief",
        };
        Some(clap::builder::PossibleValue::new(self.name()).help(help))
    }
}

impl Format {
    /// The file extension reports in this format take.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Markdown => "md",
        }
    }

    /// Every format.
    pub const ALL: [Format; 3] = [Format::Text, Format::Json, Format::Markdown];
}

/// Which report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Projection {
    /// Per track: stage, activity, principles and commitments in brief.
    Status,
    /// Every principle with its state.
    Principles,
    /// Every commitment with its state and deadlines.
    Commitments,
    /// Events in world order.
    Timeline,
    /// The reviewer's report over the whole log.
    Audit,
    /// The history of every event that was corrected, retracted or disputed.
    History,
}

impl Projection {
    /// Every projection, in the order `replay` writes them.
    pub const ALL: [Projection; 6] = [
        Projection::Status,
        Projection::Principles,
        Projection::Commitments,
        Projection::Timeline,
        Projection::Audit,
        Projection::History,
    ];

    /// Its name: the command and the folder of its golden files.
    pub fn name(self) -> &'static str {
        match self {
            Projection::Status => "status",
            Projection::Principles => "principles",
            Projection::Commitments => "commitments",
            Projection::Timeline => "timeline",
            Projection::Audit => "audit",
            Projection::History => "history",
        }
    }
}

/// What narrows a report beyond its view.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Only this track.
    pub track: Option<String>,
    /// Only commitments in this state.
    pub state: Option<CommitmentState>,
}

#[derive(Serialize)]
struct Envelope<T: Serialize> {
    as_of: NaiveDate,
    known_at: Option<String>,
    head_seq: u64,
    tracks: Vec<T>,
}

#[derive(Serialize)]
struct PrinciplesOf<'a> {
    id: &'a str,
    title: &'a str,
    principles: &'a [PrincipleStatus],
}

#[derive(Serialize)]
struct CommitmentsOf<'a> {
    id: &'a str,
    title: &'a str,
    commitments: Vec<&'a CommitmentStatus>,
}

#[derive(Serialize)]
struct TimelineOf {
    id: String,
    events: Vec<TimelineEvent>,
}

#[derive(Serialize)]
struct TimelineEvent {
    seq: u64,
    occurred: crate::date::PartialDate,
    kind: &'static str,
    what: String,
    unsourced: bool,
}

/// Renders one projection of `replay` (whose status is `tracks`) in `format`.
pub fn render(
    replay: &Replay,
    tracks: Vec<TrackStatus>,
    projection: Projection,
    format: Format,
    scope: &Scope,
) -> String {
    match (projection, format) {
        (Projection::Timeline, Format::Json) => {
            json(&envelope(&replay.header(), timeline_of(replay, &in_scope(tracks, scope))))
        }
        (Projection::Timeline, f) => timeline_doc(replay, &in_scope(tracks, scope), f),
        (Projection::Audit, f) => audit(&replay.all_records(), None, f),
        (Projection::History, f) => histories(replay, f),
        (p, f) => render_status(&replay.header(), tracks, p, f, scope),
    }
}

/// The tracks a scope asks for.
fn in_scope(mut tracks: Vec<TrackStatus>, scope: &Scope) -> Vec<TrackStatus> {
    if let Some(t) = &scope.track {
        tracks.retain(|x| x.id.as_str() == t);
    }
    tracks
}

/// Renders a projection that needs only the status (status, principles, commitments):
/// what `status` serves from a snapshot without reading the log.
pub fn render_status(
    head: &Header,
    tracks: Vec<TrackStatus>,
    projection: Projection,
    format: Format,
    scope: &Scope,
) -> String {
    let tracks = in_scope(tracks, scope);
    match (projection, format) {
        (Projection::Status, Format::Json) => json(&envelope(head, tracks.iter().collect::<Vec<_>>())),
        (Projection::Principles, Format::Json) => json(&envelope(
            head,
            tracks
                .iter()
                .map(|t| PrinciplesOf { id: t.id.as_str(), title: &t.title, principles: &t.principles })
                .collect::<Vec<_>>(),
        )),
        (Projection::Commitments, Format::Json) => json(&envelope(
            head,
            tracks
                .iter()
                .map(|t| CommitmentsOf { id: t.id.as_str(), title: &t.title, commitments: filtered(t, scope) })
                .collect::<Vec<_>>(),
        )),
        (Projection::Status, f) => status_doc(head, &tracks, f),
        (Projection::Principles, f) => principles_doc(head, &tracks, f),
        (Projection::Commitments, f) => commitments_doc(head, &tracks, scope, f),
        // The timeline, audit and history list events, which a status does not hold:
        // `render` serves them from a replay; asked here, the status is the answer.
        (Projection::Timeline | Projection::Audit | Projection::History, f) => status_doc(head, &tracks, f),
    }
}

fn envelope<T: Serialize>(head: &Header, tracks: Vec<T>) -> Envelope<T> {
    let view = head.view;
    let known_at = view.known_at.as_ref().map(format_recorded_at);
    Envelope { as_of: view.as_of, known_at, head_seq: head.head_seq, tracks }
}

fn json<T: Serialize>(value: &T) -> String {
    // Plain structs of strings, numbers and dates (maps keyed by strings) always
    // serialize; a report is never written empty.
    let mut text = serde_json::to_string_pretty(value).expect("a report is plain data, which always serializes");
    text.push('\n');
    text
}

fn filtered<'a>(t: &'a TrackStatus, scope: &Scope) -> Vec<&'a CommitmentStatus> {
    t.commitments.iter().filter(|c| scope.state.is_none_or(|s| c.state == s)).collect()
}

fn timeline_of(replay: &Replay, tracks: &[TrackStatus]) -> Vec<TimelineOf> {
    tracks
        .iter()
        .map(|t| TimelineOf {
            id: t.id.to_string(),
            events: replay
                .timeline()
                .iter()
                .filter(|r| r.event.facts.tracks.contains(&t.id))
                .map(|r| TimelineEvent {
                    seq: r.seq,
                    occurred: r.event.facts.occurred,
                    kind: r.event.facts.kind().name(),
                    what: crate::render::headline(&r.event),
                    unsourced: r.event.facts.unsourced,
                })
                .collect(),
        })
        .collect()
}

/// A document being written: text or Markdown, with the few shapes reports need.
///
/// Every string handed to it — titles, headings, field values, table cells,
/// paragraphs — may hold text from the log, and goes through [`text::shown`] (in
/// Markdown, [`md`], which builds on it) before it is laid out, so widths count the
/// escaped form.
/// Only field labels and table headers, which are entente's own words, do not.
struct Doc {
    format: Format,
    out: String,
}

impl Doc {
    fn new(format: Format) -> Doc {
        Doc { format, out: String::new() }
    }

    /// `text` as this document shows it: escaped, and in Markdown marked up safely.
    fn shown(&self, text: &str) -> String {
        match self.format {
            Format::Markdown => md(text),
            _ => text::shown(text).into_owned(),
        }
    }

    fn title(&mut self, text: &str) {
        let text = self.shown(text);
        match self.format {
            Format::Markdown => {
                let _ = writeln!(self.out, "# {text}\n");
            }
            _ => {
                let _ = writeln!(self.out, "{text}\n");
            }
        }
    }

    fn heading(&mut self, text: &str) {
        let text = self.shown(text);
        match self.format {
            Format::Markdown => {
                let _ = writeln!(self.out, "## {text}\n");
            }
            _ => {
                let _ = writeln!(self.out, "{text}");
                let _ = writeln!(self.out, "{}", "=".repeat(text.chars().count().min(100)));
            }
        }
    }

    fn fields(&mut self, rows: &[(&str, String)]) {
        for (k, v) in rows {
            let v = self.shown(v);
            match self.format {
                Format::Markdown => {
                    let _ = writeln!(self.out, "- **{k}:** {v}");
                }
                _ => {
                    let mut lines = wrap(&v, 100 - 17).into_iter();
                    let _ = writeln!(self.out, "  {k:<14} {}", lines.next().unwrap_or_default());
                    for more in lines {
                        let _ = writeln!(self.out, "  {:<14} {more}", "");
                    }
                }
            }
        }
        self.out.push('\n');
    }

    /// A table; the last column takes what width is left (text) or everything (Markdown).
    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        if rows.is_empty() {
            return;
        }
        let rows: Vec<Vec<String>> = rows.iter().map(|row| row.iter().map(|c| self.shown(c)).collect()).collect();
        match self.format {
            Format::Markdown => {
                let _ = writeln!(self.out, "| {} |", header.join(" | "));
                let _ = writeln!(self.out, "|{}", "---|".repeat(header.len()));
                for row in &rows {
                    let _ = writeln!(self.out, "| {} |", row.join(" | "));
                }
            }
            _ => {
                let n = header.len();
                let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
                for row in &rows {
                    for (i, cell) in row.iter().enumerate().take(n - 1) {
                        widths[i] = widths[i].max(cell.chars().count());
                    }
                }
                let line = |cells: &[String]| {
                    let mut s = String::from(" ");
                    for (i, cell) in cells.iter().enumerate() {
                        if i + 1 < n {
                            let _ = write!(s, " {cell:<w$} ", w = widths[i]);
                        } else {
                            let _ = write!(s, " {cell}");
                        }
                    }
                    text::cut(s.trim_end(), 100)
                };
                let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
                let _ = writeln!(self.out, "{}", line(&head));
                for row in &rows {
                    let _ = writeln!(self.out, "{}", line(row));
                }
            }
        }
        self.out.push('\n');
    }

    fn para(&mut self, text: &str) {
        let text = self.shown(text);
        let _ = writeln!(self.out, "{text}\n");
    }

    fn finish(mut self) -> String {
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        self.out
    }
}

/// Escapes text for a Markdown table cell or line: first as every shown text is
/// ([`text::shown`]: controls, line breaks and bidirectional controls written
/// `\u{HEX}`), then pipes, markup characters (the escapes' backslashes included) and
/// HTML.
pub fn md(text: &str) -> String {
    let text = text::shown(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// Breaks `text` into lines of at most `width` characters at spaces (a longer word
/// stands alone on its line).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed =
            if line.is_empty() { word.chars().count() } else { line.chars().count() + 1 + word.chars().count() };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

fn view_line(head: &Header) -> String {
    let view: &View = &head.view;
    let known = match view.known_at {
        Some(t) => format!("as known at {}", format_recorded_at(&t)),
        None => "everything recorded".to_owned(),
    };
    format!("As of {} · {known} · log head seq {}", view.as_of, head.head_seq)
}

fn at(a: &crate::projection::status::At) -> String {
    format!("{} (seq {})", a.date, a.seq)
}

fn status_doc(head: &Header, tracks: &[TrackStatus], format: Format) -> String {
    let mut doc = Doc::new(format);
    doc.title(&format!("Status — {}", view_line(head)));
    if tracks.is_empty() {
        doc.para("No track is known in this view.");
    }
    for t in tracks {
        let parties: Vec<&str> = t.parties.iter().map(|p| p.name.as_str()).collect();
        doc.heading(&format!("{} [{}]: {}", t.title, t.id, parties.join(", ")));
        let open = t.principles.iter().filter(|p| p.state.is_open()).count();
        let envoys: Vec<String> = t.envoys.iter().map(|e| format!("{} ({}, {})", e.name, e.party, e.since)).collect();
        let next = match &t.next_deadline {
            None => "none".to_owned(),
            Some(n) => {
                let state = t.commitments.iter().find(|c| c.id == n.commitment).map(|c| c.state.name().to_owned());
                format!("{} {} ({})", n.due, n.commitment, state.unwrap_or_default())
            }
        };
        let seqs = |list: &[u64]| match list.len() {
            0 => "none".to_owned(),
            _ => list.iter().map(|s| format!("seq {s}")).collect::<Vec<_>>().join(", "),
        };
        doc.fields(&[
            ("stage", format!("{} since {}", t.stage.name(), at(&t.stage_since))),
            ("last activity", at(&t.last_activity)),
            ("envoys", if envoys.is_empty() { "none recorded".to_owned() } else { envoys.join("; ") }),
            ("contacts", format!("{} meeting{}, {} call{}", t.meetings, s(t.meetings), t.calls, s(t.calls))),
            ("principles", format!("{open} open, {} addressed", t.principles.len() - open)),
            ("commitments", commitment_counts(&t.commitments)),
            ("next deadline", next),
            ("unsourced", seqs(&t.unsourced)),
            ("disputed", seqs(&t.disputed)),
        ]);
        doc.table(&["principle", "state", "since", "text"], &principle_rows(&t.principles));
        doc.table(&["commitment", "state", "due", "made", "text"], &commitment_rows(t.commitments.iter()));
    }
    let weak = tracks
        .iter()
        .any(|t| t.principles.iter().any(|p| p.unsupported) || t.commitments.iter().any(|c| c.unsupported));
    if weak {
        doc.para(UNSUPPORTED_NOTE);
    }
    doc.finish()
}

/// The mark on a state that rests only on unsourced or disputed events.
const UNSUPPORTED: &str = " †";

const UNSUPPORTED_NOTE: &str = "† rests only on unsourced or disputed events";

fn mark(unsupported: bool) -> &'static str {
    if unsupported { UNSUPPORTED } else { "" }
}

fn s(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn commitment_counts(cs: &[CommitmentStatus]) -> String {
    if cs.is_empty() {
        return "none".to_owned();
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for c in cs {
        let name = c.state.name().to_owned();
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, k)) => *k += 1,
            None => counts.push((name, 1)),
        }
    }
    counts.sort();
    counts.iter().map(|(n, k)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
}

fn principle_rows(ps: &[PrincipleStatus]) -> Vec<Vec<String>> {
    ps.iter()
        .map(|p| {
            let state = format!("{}{}", principle_state(p), mark(p.unsupported));
            vec![p.id.to_string(), state, p.last.to_string(), p.text.clone()]
        })
        .collect()
}

fn commitment_rows<'a>(cs: impl Iterator<Item = &'a CommitmentStatus>) -> Vec<Vec<String>> {
    cs.map(|c| {
        let due = c.due.map_or("—".to_owned(), |d| d.to_string());
        let state = format!("{}{}", c.state.name(), mark(c.unsupported));
        vec![c.id.to_string(), state, due, c.made.to_string(), c.text.clone()]
    })
    .collect()
}

fn principles_doc(head: &Header, tracks: &[TrackStatus], format: Format) -> String {
    let mut doc = Doc::new(format);
    doc.title(&format!("Principles — {}", view_line(head)));
    for t in tracks.iter().filter(|t| !t.principles.is_empty()) {
        doc.heading(&format!("{} [{}]", t.title, t.id));
        for p in &t.principles {
            let evidence: Vec<String> = p.evidence.iter().map(|s| format!("seq {s}")).collect();
            let mut state = p.state.name().to_owned();
            if p.reaffirmed > 0 {
                let _ = write!(state, " ×{}", p.reaffirmed);
            }
            doc.fields(&[
                ("principle", p.id.to_string()),
                ("text", p.text.clone()),
                ("state", format!("{state} since {}{}", p.last, mark(p.unsupported))),
                ("open", if p.state.is_open() { "yes" } else { "no: addressed" }.to_owned()),
                ("evidence", evidence.join(", ")),
            ]);
        }
    }
    if tracks.iter().all(|t| t.principles.is_empty()) {
        doc.para("No principle has been tabled in this view.");
    }
    if tracks.iter().any(|t| t.principles.iter().any(|p| p.unsupported)) {
        doc.para(UNSUPPORTED_NOTE);
    }
    doc.finish()
}

fn commitments_doc(head: &Header, tracks: &[TrackStatus], scope: &Scope, format: Format) -> String {
    let mut doc = Doc::new(format);
    doc.title(&format!("Commitments — {}", view_line(head)));
    let mut any = false;
    for t in tracks {
        let cs = filtered(t, scope);
        if cs.is_empty() {
            continue;
        }
        any = true;
        doc.heading(&format!("{} [{}]", t.title, t.id));
        for c in cs {
            let parties: Vec<&str> = c.parties.iter().map(|p| p.as_str()).collect();
            let mut rows = vec![
                ("commitment", c.id.to_string()),
                ("text", c.text.clone()),
                ("owed by", parties.join(", ")),
                ("made", c.made.to_string()),
                ("state", format!("{}{}", c.state.name(), mark(c.unsupported))),
            ];
            match c.deadlines.as_slice() {
                [] => rows.push(("deadline", "none".to_owned())),
                ds => {
                    for (i, d) in ds.iter().enumerate() {
                        let label = if i + 1 == ds.len() { "deadline" } else { "superseded" };
                        rows.push((label, format!("{} → due {} (seq {})", d.deadline, d.due, d.seq)));
                    }
                }
            }
            rows.push(("fulfilled", c.fulfilled.as_ref().map_or("no".to_owned(), at)));
            rows.push(("PAM score", format!("{} of 3", c.score)));
            rows.push(("evidence", c.evidence.iter().map(|s| format!("seq {s}")).collect::<Vec<_>>().join(", ")));
            doc.fields(&rows);
        }
    }
    if !any {
        doc.para("No commitment matches in this view.");
    }
    if tracks.iter().any(|t| filtered(t, scope).iter().any(|c| c.unsupported)) {
        doc.para(UNSUPPORTED_NOTE);
    }
    doc.finish()
}

fn timeline_doc(replay: &Replay, tracks: &[TrackStatus], format: Format) -> String {
    let mut doc = Doc::new(format);
    doc.title(&format!("Timeline — {}", view_line(&replay.header())));
    for t in timeline_of(replay, tracks) {
        let title = tracks.iter().find(|x| x.id.as_str() == t.id).map_or("", |x| x.title.as_str());
        doc.heading(&format!("{title} [{}]", t.id));
        let rows: Vec<Vec<String>> = t
            .events
            .iter()
            .map(|e| {
                let mark = if e.unsourced { "[unsourced] " } else { "" };
                vec![e.seq.to_string(), e.occurred.to_string(), e.kind.to_owned(), format!("{mark}{}", e.what)]
            })
            .collect();
        doc.table(&["seq", "occurred", "kind", "what"], &rows);
    }
    doc.finish()
}

#[derive(Serialize)]
struct Explained<'a> {
    as_of: NaiveDate,
    known_at: Option<String>,
    head_seq: u64,
    reference: &'a str,
    subject: &'static str,
    state: String,
    evidence: Vec<EvidenceEvent<'a>>,
}

#[derive(Serialize)]
struct EvidenceEvent<'a> {
    seq: u64,
    id: String,
    occurred: crate::date::PartialDate,
    kind: &'static str,
    what: String,
    unsourced: bool,
    disputed: bool,
    corrected: bool,
    sources: &'a [crate::event::Source],
}

/// What `explain` is asked about: its kind, its state in words, and the seqs of the
/// events behind it, in world order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// `track`, `principle` or `commitment`.
    pub kind: &'static str,
    /// Its state, in words.
    pub state: String,
    /// The events behind it.
    pub seqs: Vec<u64>,
}

/// Finds the track, principle (`PROPOSAL#N`) or commitment `reference` names in
/// `tracks`; `Err` says it names none.
pub fn subject(tracks: &[TrackStatus], reference: &str) -> Result<Subject, String> {
    let found = tracks.iter().find_map(|t| {
        if t.id.as_str() == reference {
            let mut seqs: Vec<u64> = t.stage_history.iter().map(|m| m.at.seq).collect();
            seqs.dedup();
            let state = format!("{} since {}", t.stage.name(), at(&t.stage_since));
            return Some(Subject { kind: "track", state, seqs });
        }
        if let Some(p) = t.principles.iter().find(|p| p.id.to_string() == reference) {
            let state = format!("{} since {}", p.state.name(), p.last);
            return Some(Subject { kind: "principle", state, seqs: p.evidence.clone() });
        }
        t.commitments.iter().find(|c| c.id.as_str() == reference).map(|c| {
            let due = c.due.map_or(String::new(), |d| format!(", due {d}"));
            Subject { kind: "commitment", state: format!("{}{due}", c.state.name()), seqs: c.evidence.clone() }
        })
    });
    found.ok_or_else(|| {
        format!(
            "`{reference}` is not a track, principle (PROPOSAL#N) or commitment in this view; \
             `entente status`, `entente principles` and `entente commitments` list them"
        )
    })
}

/// One event behind a subject, as it stands.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The event, corrections applied.
    pub record: Record,
    /// A source disputes it.
    pub disputed: bool,
    /// It was corrected since first recorded.
    pub corrected: bool,
}

/// Explains how a subject came to its state: the chain of events behind it, each with
/// seq, date and sources.
pub fn explain(head: &Header, reference: &str, subject: &Subject, evidence: &[Evidence], format: Format) -> String {
    let evidence: Vec<EvidenceEvent<'_>> = evidence
        .iter()
        .map(|e| {
            let r = &e.record;
            EvidenceEvent {
                disputed: e.disputed,
                corrected: e.corrected,
                seq: r.seq,
                id: r.event.id.to_string(),
                occurred: r.event.facts.occurred,
                kind: r.event.facts.kind().name(),
                what: crate::render::headline(&r.event),
                unsourced: r.event.facts.unsourced,
                sources: &r.event.facts.sources,
            }
        })
        .collect();
    if format == Format::Json {
        let view = head.view;
        return json(&Explained {
            as_of: view.as_of,
            known_at: view.known_at.as_ref().map(format_recorded_at),
            head_seq: head.head_seq,
            reference,
            subject: subject.kind,
            state: subject.state.clone(),
            evidence,
        });
    }
    let mut doc = Doc::new(format);
    doc.title(&format!("Explain {} {reference} — {}", subject.kind, view_line(head)));
    doc.fields(&[("state", subject.state.clone())]);
    doc.heading("Evidence, in world order");
    for e in &evidence {
        let mut rows =
            vec![("event", format!("seq {} · {} · {}", e.seq, e.occurred, e.kind)), ("what", e.what.clone())];
        if e.unsourced {
            rows.push(("source", "none: recorded as unsourced".to_owned()));
        }
        if e.disputed {
            rows.push(("caveat", "disputed by another source (`entente history` shows it)".to_owned()));
        }
        if e.corrected {
            rows.push(("caveat", "corrected since first recorded (`entente history` shows how)".to_owned()));
        }
        for src in e.sources {
            rows.push(("source", source_line(src)));
        }
        doc.fields(&rows);
    }
    doc.finish()
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

/// One difference between two status reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The track.
    pub track: String,
    /// What changed: `stage`, or a principle or commitment id.
    pub subject: String,
    /// Its state before (`None`: it did not exist).
    pub from: Option<String>,
    /// Its state after (`None`: it no longer exists).
    pub to: Option<String>,
}

/// What changed from one status to another, track by track, in a stable order.
pub fn diff(before: &[TrackStatus], after: &[TrackStatus]) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut ids: Vec<&str> = before.iter().chain(after).map(|t| t.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let a = before.iter().find(|t| t.id.as_str() == id);
        let b = after.iter().find(|t| t.id.as_str() == id);
        let mut push = |subject: String, from: Option<String>, to: Option<String>| {
            if from != to {
                changes.push(Change { track: id.to_owned(), subject, from, to });
            }
        };
        push("stage".to_owned(), a.map(|t| t.stage.name().to_owned()), b.map(|t| t.stage.name().to_owned()));
        let principles = |t: Option<&TrackStatus>| -> Vec<(String, String)> {
            t.map(|t| t.principles.iter().map(|p| (p.id.to_string(), principle_state(p))).collect()).unwrap_or_default()
        };
        let commitments = |t: Option<&TrackStatus>| -> Vec<(String, String)> {
            t.map(|t| t.commitments.iter().map(|c| (c.id.to_string(), commitment_state(c))).collect())
                .unwrap_or_default()
        };
        for (old, new) in [(principles(a), principles(b)), (commitments(a), commitments(b))] {
            let mut keys: Vec<&String> = old.iter().chain(&new).map(|(k, _)| k).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let get = |v: &[(String, String)]| v.iter().find(|(x, _)| x == k).map(|(_, s)| s.clone());
                push(k.clone(), get(&old), get(&new));
            }
        }
    }
    changes
}

fn principle_state(p: &PrincipleStatus) -> String {
    match p.reaffirmed {
        0 => p.state.name().to_owned(),
        n => format!("{} ×{n}", p.state.name()),
    }
}

fn commitment_state(c: &CommitmentStatus) -> String {
    match c.due {
        Some(due) => format!("{} (due {due})", c.state.name()),
        None => c.state.name().to_owned(),
    }
}

/// Renders a diff between two views, described by `from` and `to`.
pub fn render_diff(changes: &[Change], from: &str, to: &str, format: Format) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        from: &'a str,
        to: &'a str,
        changes: &'a [Change],
    }
    if format == Format::Json {
        return json(&Out { from, to, changes });
    }
    let mut doc = Doc::new(format);
    doc.title(&format!("Changes from {from} to {to}"));
    if changes.is_empty() {
        doc.para("Nothing changed.");
    }
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let from = c.from.clone().unwrap_or_else(|| "—".to_owned());
            let to = c.to.clone().unwrap_or_else(|| "—".to_owned());
            vec![c.track.clone(), c.subject.clone(), format!("{from} → {to}")]
        })
        .collect();
    doc.table(&["track", "what", "change"], &rows);
    doc.finish()
}

/// The history of one event: as first recorded, each correction, retraction and
/// dispute in order (who, when, why, what changed), and the event as it now stands.
pub fn history(original: &Record, amendments: &[Record], format: Format) -> String {
    #[derive(Serialize)]
    struct Step<'a> {
        seq: u64,
        kind: &'static str,
        recorded_at: String,
        recorded_by: &'a str,
        reason: Option<&'a str>,
        changes: Vec<FieldDiff>,
        sources: &'a [crate::event::Source],
    }
    #[derive(Serialize)]
    struct FieldDiff {
        field: String,
        from: serde_json::Value,
        to: serde_json::Value,
    }
    #[derive(Serialize)]
    struct Out<'a> {
        id: String,
        seq: u64,
        first_recorded: serde_json::Value,
        amendments: Vec<Step<'a>>,
        retracted: bool,
        disputed: bool,
        now: Option<serde_json::Value>,
    }
    let as_json = |e: &Event| {
        serde_json::from_str::<serde_json::Value>(&e.body_json()).expect("a canonical body is the JSON entente wrote")
    };
    let field_of = |v: &serde_json::Value, field: &str| match field.split_once('.') {
        Some((head, key)) => v[head][key].clone(),
        None => v[field].clone(),
    };
    let mut current = original.event.clone();
    let mut steps = Vec::new();
    let mut retracted = false;
    let mut disputed = false;
    for a in amendments {
        let e = &a.event;
        let (reason, changes) = match &e.facts.payload {
            Payload::EventCorrected(c) => {
                let before = as_json(&current);
                if let Ok(next) = current.corrected(&c.changes) {
                    current = next;
                }
                let after = as_json(&current);
                let diffs = c
                    .changes
                    .iter()
                    .map(|ch| FieldDiff {
                        field: ch.field.clone(),
                        from: field_of(&before, &ch.field),
                        to: field_of(&after, &ch.field),
                    })
                    .collect();
                (Some(c.reason.as_str()), diffs)
            }
            Payload::EventRetracted(r) => {
                retracted = true;
                (Some(r.reason.as_str()), Vec::new())
            }
            Payload::EventDisputed(d) => {
                disputed = true;
                (Some(d.note.as_str()), Vec::new())
            }
            _ => (None, Vec::new()),
        };
        steps.push(Step {
            seq: a.seq,
            kind: e.facts.kind().name(),
            recorded_at: format_recorded_at(&e.recorded_at),
            recorded_by: &e.recorded_by,
            reason,
            changes,
            sources: &e.facts.sources,
        });
    }
    let out = Out {
        id: original.event.id.to_string(),
        seq: original.seq,
        first_recorded: as_json(&original.event),
        retracted,
        disputed,
        now: (!retracted).then(|| as_json(&current)),
        amendments: steps,
    };
    if format == Format::Json {
        return json(&out);
    }
    let mut doc = Doc::new(format);
    doc.title(&format!("History of event {} (seq {})", out.id, out.seq));
    doc.heading(&format!(
        "As first recorded, {} by {}",
        format_recorded_at(&original.event.recorded_at),
        original.event.recorded_by
    ));
    doc.fields(&event_fields(&original.event));
    for step in &out.amendments {
        let verb = match step.kind {
            "event_corrected" => "Corrected",
            "event_retracted" => "Retracted",
            _ => "Disputed",
        };
        doc.heading(&format!("{verb} at seq {}, {} by {}", step.seq, step.recorded_at, step.recorded_by));
        let mut rows = vec![(
            if step.kind == "event_disputed" { "note" } else { "reason" },
            step.reason.unwrap_or_default().to_owned(),
        )];
        for c in &step.changes {
            rows.push(("changed", format!("{}: {} → {}", c.field, c.from, c.to)));
        }
        for src in step.sources {
            rows.push(("source", source_line(src)));
        }
        doc.fields(&rows);
    }
    if retracted {
        doc.heading("As it now stands: retracted");
        doc.para("Reports ignore this event from the time of its retraction (and, asked --known-at an earlier time, still show it).");
    } else {
        doc.heading(if disputed { "As it now stands (disputed)" } else { "As it now stands" });
        doc.fields(&event_fields(&current));
    }
    doc.finish()
}

fn event_fields(e: &Event) -> Vec<(&'static str, String)> {
    let f = &e.facts;
    let tracks: Vec<&str> = f.tracks.iter().map(|t| t.as_str()).collect();
    let mut rows = vec![
        ("kind", f.kind().name().to_owned()),
        ("tracks", tracks.join(", ")),
        ("occurred", f.occurred.to_string()),
        ("what", crate::render::headline(e)),
    ];
    if f.unsourced {
        rows.push(("source", "none: recorded as unsourced".to_owned()));
    }
    for src in &f.sources {
        rows.push(("source", source_line(src)));
    }
    rows
}

/// The history of every event the view knows to have been corrected, retracted or
/// disputed, in log order.
fn histories(replay: &Replay, format: Format) -> String {
    let records = replay.all_records();
    let amended: Vec<&Record> = records.iter().filter(|r| !replay.amendments_of(r.event.id).is_empty()).collect();
    let parts: Vec<String> = amended
        .iter()
        .map(|r| {
            let amendments: Vec<Record> = replay.amendments_of(r.event.id).into_iter().cloned().collect();
            history(r, &amendments, format)
        })
        .collect();
    match format {
        Format::Json => {
            let values: Vec<serde_json::Value> = parts.iter().filter_map(|p| serde_json::from_str(p).ok()).collect();
            json(&values)
        }
        _ if parts.is_empty() => "No event has been corrected, retracted or disputed.\n".to_owned(),
        _ => parts.join("\n"),
    }
}

/// Every source cited by the events a view sees (as they stand, retracted ones left
/// out), how many events rest on each, and the events that rest on one source or none.
/// Push the events in log order, then render.
#[derive(Debug, Default)]
pub struct SourcesReport {
    cited: Vec<Cited>,
    index: std::collections::HashMap<(String, Option<String>, Option<String>), usize>,
    single: Vec<u64>,
    none: Vec<u64>,
}

#[derive(Debug, Serialize)]
struct Cited {
    title: String,
    publisher: Option<String>,
    published: Option<crate::date::PartialDate>,
    url: Option<String>,
    events: Vec<u64>,
}

impl SourcesReport {
    /// Takes one event, as it stands, into account.
    pub fn push(&mut self, r: &Record) {
        let f = &r.event.facts;
        match f.sources.len() {
            0 if f.unsourced => self.none.push(r.seq),
            1 => self.single.push(r.seq),
            _ => {}
        }
        for src in &f.sources {
            // Sources that differ only in how accents are encoded (NFC, NFD) are one.
            let same = |x: &str| text::same(x).into_owned();
            let key = (same(&src.title), src.publisher.as_deref().map(same), src.url.as_deref().map(same));
            match self.index.get(&key) {
                Some(&i) => self.cited[i].events.push(r.seq),
                None => {
                    self.index.insert(key, self.cited.len());
                    self.cited.push(Cited {
                        title: src.title.clone(),
                        publisher: src.publisher.clone(),
                        published: src.published,
                        url: src.url.clone(),
                        events: vec![r.seq],
                    });
                }
            }
        }
    }

    /// The report, most-cited sources first.
    pub fn render(mut self, head: &Header, format: Format) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            as_of: NaiveDate,
            known_at: Option<String>,
            head_seq: u64,
            sources: &'a [Cited],
            single_source: &'a [u64],
            unsourced: &'a [u64],
        }
        self.cited.sort_by(|a, b| b.events.len().cmp(&a.events.len()).then(a.title.cmp(&b.title)));
        let view = head.view;
        let out = Out {
            as_of: view.as_of,
            known_at: view.known_at.as_ref().map(format_recorded_at),
            head_seq: head.head_seq,
            sources: &self.cited,
            single_source: &self.single,
            unsourced: &self.none,
        };
        if format == Format::Json {
            return json(&out);
        }
        let seqs = |list: &[u64]| {
            if list.is_empty() {
                "none".to_owned()
            } else {
                list.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
            }
        };
        let mut doc = Doc::new(format);
        doc.title(&format!("Sources — {}", view_line(head)));
        let rows: Vec<Vec<String>> = out
            .sources
            .iter()
            .map(|c| {
                let by =
                    [c.publisher.clone(), c.published.map(|p| p.to_string())].into_iter().flatten().collect::<Vec<_>>();
                vec![
                    c.events.len().to_string(),
                    seqs(&c.events),
                    format!("\u{201c}{}\u{201d} {}", c.title, by.join(", ")),
                ]
            })
            .collect();
        doc.table(&["events", "seqs", "source"], &rows);
        doc.fields(&[
            ("one source", format!("{} event(s): seq {}", out.single_source.len(), seqs(out.single_source))),
            ("no source", format!("{} event(s): seq {}", out.unsourced.len(), seqs(out.unsourced))),
        ]);
        doc.finish()
    }
}

/// The reviewer's report: who recorded what and when, corrections and retractions
/// with their reasons, disputes, and unsourced events; `since` narrows it to what was
/// recorded from then on. Push every record in log order, then render.
#[derive(Debug)]
pub struct AuditReport {
    since: Option<DateTime<Utc>>,
    out: AuditOut,
}

#[derive(Debug, Serialize)]
struct AuditRecorder {
    name: String,
    events: u64,
    first: String,
    last: String,
}

#[derive(Debug, Serialize)]
struct AuditEntry {
    seq: u64,
    recorded_at: String,
    recorded_by: String,
    kind: &'static str,
    what: String,
}

#[derive(Debug, Serialize)]
struct AuditOut {
    since: Option<String>,
    events: u64,
    recorders: Vec<AuditRecorder>,
    corrections: Vec<AuditEntry>,
    retractions: Vec<AuditEntry>,
    disputes: Vec<AuditEntry>,
    unsourced: Vec<AuditEntry>,
}

impl AuditReport {
    /// An empty report of what was recorded since `since` (everything when `None`).
    pub fn new(since: Option<DateTime<Utc>>) -> AuditReport {
        AuditReport {
            since,
            out: AuditOut {
                since: since.as_ref().map(format_recorded_at),
                events: 0,
                recorders: Vec::new(),
                corrections: Vec::new(),
                retractions: Vec::new(),
                disputes: Vec::new(),
                unsourced: Vec::new(),
            },
        }
    }

    /// Takes one record into account; `target_seq` is the seq of the event it
    /// corrects, retracts or disputes, if it does.
    pub fn push(&mut self, r: &Record, target_seq: Option<u64>) {
        if self.since.is_some_and(|s| r.event.recorded_at < s) {
            return;
        }
        let out = &mut self.out;
        out.events += 1;
        let at = format_recorded_at(&r.event.recorded_at);
        let by = text::same(&r.event.recorded_by);
        match out.recorders.iter_mut().find(|x| text::same(&x.name) == by) {
            Some(x) => {
                x.events += 1;
                x.last = at;
            }
            None => out.recorders.push(AuditRecorder {
                name: r.event.recorded_by.clone(),
                events: 1,
                first: at.clone(),
                last: at,
            }),
        }
        let target = target_seq.unwrap_or(0);
        let what = match &r.event.facts.payload {
            Payload::EventCorrected(c) => {
                let fields: Vec<&str> = c.changes.iter().map(|x| x.field.as_str()).collect();
                format!("seq {target} ({}): {}", fields.join(", "), c.reason)
            }
            Payload::EventRetracted(x) => format!("seq {target}: {}", x.reason),
            Payload::EventDisputed(x) => {
                let by: Vec<&str> = r.event.facts.sources.iter().map(|s| s.title.as_str()).collect();
                format!("seq {target}: {} (per {})", x.note, by.join("; "))
            }
            _ => crate::render::headline(&r.event),
        };
        let entry = AuditEntry {
            seq: r.seq,
            recorded_at: format_recorded_at(&r.event.recorded_at),
            recorded_by: r.event.recorded_by.clone(),
            kind: r.event.facts.kind().name(),
            what,
        };
        match r.event.facts.payload {
            Payload::EventCorrected(_) => out.corrections.push(entry),
            Payload::EventRetracted(_) => out.retractions.push(entry),
            Payload::EventDisputed(_) => out.disputes.push(entry),
            _ if r.event.facts.unsourced => out.unsourced.push(entry),
            _ => {}
        }
    }

    /// The report.
    pub fn render(self, format: Format) -> String {
        let out = self.out;
        if format == Format::Json {
            return json(&out);
        }
        let mut doc = Doc::new(format);
        let scope = match &out.since {
            Some(s) => format!("recorded since {s}"),
            None => "the whole log".to_owned(),
        };
        doc.title(&format!("Audit — {scope}: {} events", out.events));
        doc.heading("Who recorded what");
        let rows: Vec<Vec<String>> = out
            .recorders
            .iter()
            .map(|r| vec![r.name.clone(), r.events.to_string(), r.first.clone(), r.last.clone()])
            .collect();
        doc.table(&["recorded by", "events", "first", "last"], &rows);
        for (title, list, empty) in [
            ("Corrections", &out.corrections, "No corrections."),
            ("Retractions", &out.retractions, "No retractions."),
            ("Disputes", &out.disputes, "No disputes."),
            ("Unsourced events", &out.unsourced, "No unsourced events."),
        ] {
            doc.heading(title);
            if list.is_empty() {
                doc.para(empty);
                continue;
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|e| vec![e.seq.to_string(), e.recorded_at.clone(), e.recorded_by.clone(), e.what.clone()])
                .collect();
            doc.table(&["seq", "recorded at", "by", "what"], &rows);
        }
        doc.finish()
    }
}

/// The audit of `records` (all of a log, in log order), for golden reports.
pub fn audit(records: &[Record], since: Option<DateTime<Utc>>, format: Format) -> String {
    let seq_of: std::collections::HashMap<crate::event::EventId, u64> =
        records.iter().map(|r| (r.event.id, r.seq)).collect();
    let mut report = AuditReport::new(since);
    for r in records {
        report.push(r, r.event.facts.payload.target().and_then(|t| seq_of.get(&t).copied()));
    }
    report.render(format)
}

/// The recording time a `--known-at` value means: a full timestamp, or a date meaning
/// the end of that day (UTC).
pub fn parse_known_at(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let day: NaiveDate =
        text.parse().map_err(|_| format!("`{text}` is neither an RFC 3339 timestamp nor a date (YYYY-MM-DD)"))?;
    let end = day.and_hms_micro_opt(23, 59, 59, 999_999).ok_or_else(|| format!("`{text}` is out of range"))?;
    Ok(end.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_escape_pipes_markup_and_html() {
        assert_eq!(md("a|b *c* <script>&\nx"), "a\\|b \\*c\\* &lt;script&gt;&amp;\\\\u{a}x");
        assert_eq!(md("\u{1b}[2J"), "\\\\u{1b}\\[2J", "the escape's backslash is escaped for Markdown");
    }

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = "the Joint Border Commission by the end of April in line with the Sochi Statement";
        let lines = wrap(text, 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_known_at_date_means_the_end_of_that_day() {
        let t = parse_known_at("2022-04-06").expect("date");
        assert_eq!(format_recorded_at(&t), "2022-04-06T23:59:59.999999Z");
        assert!(parse_known_at("yesterday").is_err());
    }
}
