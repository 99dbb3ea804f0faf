//! The audit report: who recorded what and when, corrections and retractions with
//! their reasons, disputes with their sources, corroborations with the sources they
//! add, unsourced events, and events dated
//! before their track was opened on purpose.
//!
//! Presentation only: the entries are `projection::audit`'s.

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output};
use crate::event::format_recorded_at;
use crate::event::payload::Payload;
use crate::projection::LogHead;
use crate::projection::audit::{Audit, Entry};

#[derive(Serialize)]
struct AuditRecorder {
    name: String,
    events: u64,
    first: String,
    last: String,
}

#[derive(Serialize)]
struct AuditEntry {
    seq: u64,
    recorded_at: String,
    recorded_by: String,
    kind: &'static str,
    what: String,
}

#[derive(Serialize)]
struct AuditOut {
    since: Option<String>,
    events: u64,
    recorders: Vec<AuditRecorder>,
    corrections: Vec<AuditEntry>,
    retractions: Vec<AuditEntry>,
    disputes: Vec<AuditEntry>,
    corroborations: Vec<AuditEntry>,
    unsourced: Vec<AuditEntry>,
    before_opening: Vec<AuditEntry>,
}

/// An entry in words: for an amendment, the seq it speaks about (0 when the log does
/// not hold it) and why; for an unsourced event, the event.
fn entry(e: &Entry) -> AuditEntry {
    entry_with(e, None)
}

/// An event dated before its track was opened: its date and tracks, then the event.
fn dated_entry(e: &Entry) -> AuditEntry {
    let facts = &e.event.facts;
    let tracks: Vec<&str> = facts.tracks.iter().map(|t| t.as_str()).collect();
    entry_with(e, Some(format!("{} ({}): {}", facts.occurred, tracks.join(", "), crate::render::headline(&e.event))))
}

/// An entry, its `what` given (or, when `None`, in words as [`entry`] says).
fn entry_with(e: &Entry, what: Option<String>) -> AuditEntry {
    let target = e.target.unwrap_or(0);
    let event = &e.event;
    let what = what.unwrap_or_else(|| match &event.facts.payload {
        Payload::EventCorrected(c) => {
            let fields: Vec<&str> = c.changes.iter().map(|x| x.field.as_str()).collect();
            format!("seq {target} ({}): {}", fields.join(", "), c.reason)
        }
        Payload::EventRetracted(x) => format!("seq {target}: {}", x.reason),
        Payload::EventDisputed(x) => {
            let by: Vec<&str> = event.facts.sources.iter().map(|s| s.title.as_str()).collect();
            format!("seq {target}: {} (per {})", x.note, by.join("; "))
        }
        Payload::EventCorroborated(x) => {
            let added: Vec<&str> = event.facts.sources.iter().map(|s| s.title.as_str()).collect();
            match &x.note {
                Some(note) => format!("seq {target}: added {} ({note})", added.join("; ")),
                None => format!("seq {target}: added {}", added.join("; ")),
            }
        }
        _ => crate::render::headline(event),
    });
    AuditEntry {
        seq: e.seq,
        recorded_at: format_recorded_at(&event.recorded_at),
        recorded_by: event.recorded_by.clone(),
        kind: event.facts.kind().name(),
        what,
    }
}

fn out(audit: &Audit) -> AuditOut {
    let entries = |list: &[Entry]| list.iter().map(entry).collect();
    AuditOut {
        since: audit.since.as_ref().map(format_recorded_at),
        events: audit.events,
        recorders: audit
            .recorders
            .iter()
            .map(|r| AuditRecorder {
                name: r.name.clone(),
                events: r.events,
                first: format_recorded_at(&r.first),
                last: format_recorded_at(&r.last),
            })
            .collect(),
        corrections: entries(&audit.corrections),
        retractions: entries(&audit.retractions),
        disputes: entries(&audit.disputes),
        corroborations: entries(&audit.corroborations),
        unsourced: entries(&audit.unsourced),
        before_opening: audit.before_opening.iter().map(dated_entry).collect(),
    }
}

/// The audit in `format`.
pub fn render(head: LogHead, audit: &Audit, format: Format, layout: super::Layout) -> String {
    let out = out(audit);
    if format == Format::Csv {
        return csv(&out);
    }
    match Output::of(format, layout) {
        Output::Json => super::document(head, &out),
        Output::Doc(doc) => document(doc, &out),
    }
}

/// One row per finding, its `section` first: a recorder (`recorded_by`, `events`,
/// `first`, `last`), or an entry of a list (`seq`, `recorded_at`, `recorded_by`,
/// `kind`, `what`); projections/README.md names each column.
fn csv(out: &AuditOut) -> String {
    let mut table = super::csv::Table::new([
        "section",
        "seq",
        "recorded_at",
        "recorded_by",
        "kind",
        "what",
        "events",
        "first",
        "last",
    ]);
    for r in &out.recorders {
        table.row([
            "recorder".to_owned(),
            String::new(),
            String::new(),
            r.name.clone(),
            String::new(),
            String::new(),
            r.events.to_string(),
            r.first.clone(),
            r.last.clone(),
        ]);
    }
    for (section, list) in [
        ("correction", &out.corrections),
        ("retraction", &out.retractions),
        ("dispute", &out.disputes),
        ("corroboration", &out.corroborations),
        ("unsourced", &out.unsourced),
        ("before_opening", &out.before_opening),
    ] {
        for e in list {
            table.row([
                section.to_owned(),
                e.seq.to_string(),
                e.recorded_at.clone(),
                e.recorded_by.clone(),
                e.kind.to_owned(),
                e.what.clone(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    table.finish()
}

fn document(mut doc: Doc, out: &AuditOut) -> String {
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
    // What a reviewer should look at, coloured on a terminal when there is any:
    // disputes and unsourced events (attention), retractions (no longer count).
    use crate::text::Tone::{Dim, Warn};
    for (title, list, empty, tone) in [
        ("Corrections", &out.corrections, "No corrections.", None),
        ("Retractions", &out.retractions, "No retractions.", Some(Dim)),
        ("Disputes", &out.disputes, "No disputes.", Some(Warn)),
        ("Corroborations", &out.corroborations, "No corroborations.", None),
        ("Unsourced events", &out.unsourced, "No unsourced events.", Some(Warn)),
        (
            "Dated before their track was opened, on purpose",
            &out.before_opening,
            "No events dated before their track was opened.",
            None,
        ),
    ] {
        match tone {
            Some(tone) if !list.is_empty() => doc.toned_heading(title, tone),
            _ => doc.heading(title),
        }
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
