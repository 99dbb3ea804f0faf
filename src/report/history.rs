//! The history report: one event as first recorded, each correction, retraction,
//! dispute and corroboration of it (who, when, why, what changed or which sources were
//! added), and the event as it now stands; and
//! the histories of every amended event, for `replay`.
//!
//! Presentation only: the steps are `projection::history`'s.

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output, source_line};
use crate::event::{Event, Kind, Source, format_recorded_at};
use crate::projection::LogHead;
use crate::projection::history::{Changed, History, body};

#[derive(Serialize)]
struct Step<'a> {
    seq: u64,
    kind: &'static str,
    recorded_at: String,
    recorded_by: &'a str,
    reason: Option<&'a str>,
    changes: &'a [Changed],
    sources: &'a [Source],
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

fn out<'a>(h: &'a History<'_>) -> Out<'a> {
    let steps = h
        .steps
        .iter()
        .map(|s| {
            let e = &s.amendment.event;
            Step {
                seq: s.amendment.seq,
                kind: e.facts.kind().name(),
                recorded_at: format_recorded_at(&e.recorded_at),
                recorded_by: &e.recorded_by,
                reason: s.reason,
                changes: &s.changes,
                sources: &e.facts.sources,
            }
        })
        .collect();
    Out {
        id: h.original.event.id.to_string(),
        seq: h.original.seq,
        first_recorded: body(&h.original.event),
        retracted: h.retracted,
        disputed: h.disputed,
        now: (!h.retracted).then(|| body(&h.current)),
        amendments: steps,
    }
}

/// One event's history in `format`.
pub fn render(head: LogHead, history: &History<'_>, format: Format, layout: super::Layout) -> String {
    match Output::of(format, layout) {
        Output::Json => super::document(head, &out(history)),
        Output::Doc(doc) => document(doc, history),
    }
}

/// The histories of every amended event (in log order) in `format`: a JSON array, or
/// the documents one after another.
pub fn render_all(head: LogHead, histories: &[History<'_>], format: Format, layout: super::Layout) -> String {
    #[derive(Serialize)]
    struct All<T: Serialize> {
        histories: Vec<T>,
    }
    match Output::of(format, layout) {
        Output::Json => super::document(head, &All { histories: histories.iter().map(out).collect() }),
        Output::Doc(_) if histories.is_empty() => "No event has been corrected, retracted or disputed.\n".to_owned(),
        Output::Doc(_) => histories.iter().map(|h| render(head, h, format, layout)).collect::<Vec<_>>().join("\n"),
    }
}

fn document(mut doc: Doc, h: &History<'_>) -> String {
    let original = &h.original.event;
    doc.title(&format!("History of event {} (seq {})", original.id, h.original.seq));
    doc.heading(&format!(
        "As first recorded, {} by {}",
        format_recorded_at(&original.recorded_at),
        original.recorded_by
    ));
    doc.fields(&event_fields(original));
    for step in &h.steps {
        let e = &step.amendment.event;
        let kind = e.facts.kind();
        let verb = match kind {
            Kind::EventCorrected => "Corrected",
            Kind::EventRetracted => "Retracted",
            Kind::EventCorroborated => "Corroborated",
            _ => "Disputed",
        };
        doc.heading(&format!(
            "{verb} at seq {}, {} by {}",
            step.amendment.seq,
            format_recorded_at(&e.recorded_at),
            e.recorded_by
        ));
        let mut rows = Vec::new();
        match kind {
            // A corroboration's note is optional; its sources are what it adds.
            Kind::EventCorroborated => rows.extend(step.reason.map(|note| ("note", note.to_owned()))),
            Kind::EventDisputed => rows.push(("note", step.reason.unwrap_or_default().to_owned())),
            _ => rows.push(("reason", step.reason.unwrap_or_default().to_owned())),
        }
        for c in &step.changes {
            rows.push(("changed", format!("{}: {} → {}", c.field, c.from, c.to)));
        }
        let label = if kind == Kind::EventCorroborated { "added source" } else { "source" };
        for src in &e.facts.sources {
            rows.push((label, source_line(src)));
        }
        doc.fields(&rows);
    }
    if h.retracted {
        doc.toned_heading("As it now stands: retracted", crate::text::Tone::Dim);
        doc.para("Reports ignore this event from the time of its retraction (and, asked --known-at an earlier time, still show it).");
    } else {
        if h.disputed {
            doc.toned_heading("As it now stands (disputed)", crate::text::Tone::Warn);
        } else {
            doc.heading("As it now stands");
        }
        doc.fields(&event_fields(&h.current));
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
