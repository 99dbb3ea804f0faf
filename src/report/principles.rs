//! The principles report: every principle of every proposal, track by track, with its
//! state, since when, whether it is still open, and the events behind it.
//!
//! Presentation only: the states are the fold's (`projection::status`).

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output, Scope, in_scope, mark_notes, marks, tracks_json, view_line};
use crate::projection::Header;
use crate::projection::status::{PrincipleStatus, TrackStatus};

#[derive(Serialize)]
struct PrinciplesOf<'a> {
    id: &'a str,
    title: &'a str,
    principles: &'a [PrincipleStatus],
}

/// The principles report of `tracks` (those in `scope`) in `format`.
pub fn render(head: &Header, tracks: Vec<TrackStatus>, scope: &Scope, format: Format) -> String {
    let tracks = in_scope(tracks, scope);
    match Output::of(format) {
        Output::Json => tracks_json(head, &tracks, |t| PrinciplesOf {
            id: t.id.as_str(),
            title: &t.title,
            principles: &t.principles,
        }),
        Output::Doc(doc) => document(doc, head, &tracks),
    }
}

fn document(mut doc: Doc, head: &Header, tracks: &[TrackStatus]) -> String {
    doc.title(&format!("Principles — {}", view_line(head)));
    for t in tracks.iter().filter(|t| !t.principles.is_empty()) {
        doc.heading(&format!("{} [{}]", t.title, t.id));
        for p in &t.principles {
            let evidence: Vec<String> = p.evidence.iter().map(|s| format!("seq {s}")).collect();
            doc.fields(&[
                ("principle", p.id.to_string()),
                ("text", p.text.clone()),
                ("state", format!("{} since {}{}", p.standing(), p.last, marks(p.unsupported, p.one_sided))),
                ("open", if p.state.is_open() { "yes" } else { "no: addressed" }.to_owned()),
                ("evidence", evidence.join(", ")),
            ]);
        }
    }
    if tracks.iter().all(|t| t.principles.is_empty()) {
        doc.para("No principle has been tabled in this view.");
    }
    let any = |marked: fn(&PrincipleStatus) -> bool| tracks.iter().any(|t| t.principles.iter().any(marked));
    mark_notes(&mut doc, any(|p| p.unsupported), any(|p| p.one_sided));
    doc.finish()
}
