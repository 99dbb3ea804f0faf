//! The explain report: how a track, principle or commitment came to its state — the
//! state in words and the chain of events behind it, each with seq, date, caveats and
//! sources.
//!
//! Presentation only: the subject and its evidence are `projection::explain`'s.

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output, ViewHead, at, json, source_line, view_line};
use crate::date::PartialDate;
use crate::event::Source;
use crate::projection::Header;
use crate::projection::explain::{Evidence, Subject};

#[derive(Serialize)]
struct Explained<'a> {
    #[serde(flatten)]
    view: ViewHead,
    reference: &'a str,
    subject: &'static str,
    state: String,
    evidence: Vec<EvidenceEvent<'a>>,
}

#[derive(Serialize)]
struct EvidenceEvent<'a> {
    seq: u64,
    id: String,
    occurred: PartialDate,
    kind: &'static str,
    what: String,
    unsourced: bool,
    disputed: bool,
    corrected: bool,
    sources: &'a [Source],
}

/// What kind of thing the subject is, as the report names it.
fn kind(subject: &Subject<'_>) -> &'static str {
    match subject {
        Subject::Track(_) => "track",
        Subject::Principle(_) => "principle",
        Subject::Commitment(_) => "commitment",
    }
}

/// The subject's state, in words.
fn state(subject: &Subject<'_>) -> String {
    match subject {
        Subject::Track(t) => format!("{} since {}", t.stage.name(), at(&t.stage_since)),
        Subject::Principle(p) => format!("{} since {}", p.state.name(), p.last),
        Subject::Commitment(c) => {
            let due = c.due.map_or(String::new(), |d| format!(", due {d}"));
            format!("{}{due}", c.state.name())
        }
    }
}

/// Explains how `subject` (what `reference` names) came to its state, from the events
/// behind it (`evidence`, in world order), in `format`.
pub fn render(head: &Header, reference: &str, subject: &Subject<'_>, evidence: &[Evidence], format: Format) -> String {
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
    match Output::of(format) {
        Output::Json => json(&Explained {
            view: ViewHead::of(head),
            reference,
            subject: kind(subject),
            state: state(subject),
            evidence,
        }),
        Output::Doc(doc) => document(doc, head, reference, subject, &evidence),
    }
}

fn document(
    mut doc: Doc,
    head: &Header,
    reference: &str,
    subject: &Subject<'_>,
    evidence: &[EvidenceEvent<'_>],
) -> String {
    doc.title(&format!("Explain {} {reference} — {}", kind(subject), view_line(head)));
    doc.fields(&[("state", state(subject))]);
    doc.heading("Evidence, in world order");
    for e in evidence {
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
