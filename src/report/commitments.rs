//! The commitments report: every commitment (or those in one state), track by track —
//! who owes it, when it was made, its deadlines (the latest rules), its state, when it
//! was fulfilled, its Peace Accords Matrix score and the events behind it.
//!
//! Presentation only: the states are the fold's (`projection::status`).

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output, Scope, UNSUPPORTED_NOTE, at, in_scope, mark, tracks_json, view_line};
use crate::projection::Header;
use crate::projection::status::{CommitmentStatus, TrackStatus};

#[derive(Serialize)]
struct CommitmentsOf<'a> {
    id: &'a str,
    title: &'a str,
    commitments: Vec<&'a CommitmentStatus>,
}

/// The commitments report of `tracks` (those in `scope`, and of them the commitments
/// in its state) in `format`.
pub fn render(head: &Header, tracks: Vec<TrackStatus>, scope: &Scope, format: Format) -> String {
    let tracks = in_scope(tracks, scope);
    match Output::of(format) {
        Output::Json => tracks_json(head, &tracks, |t| CommitmentsOf {
            id: t.id.as_str(),
            title: &t.title,
            commitments: filtered(t, scope),
        }),
        Output::Doc(doc) => document(doc, head, &tracks, scope),
    }
}

fn filtered<'a>(t: &'a TrackStatus, scope: &Scope) -> Vec<&'a CommitmentStatus> {
    t.commitments.iter().filter(|c| scope.state.is_none_or(|s| c.state == s)).collect()
}

fn document(mut doc: Doc, head: &Header, tracks: &[TrackStatus], scope: &Scope) -> String {
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
                        rows.push((
                            label,
                            match d.due {
                                Some(due) => format!("{} → due {due} (seq {})", d.deadline, d.seq),
                                None => format!("{} (seq {})", d.deadline, d.seq),
                            },
                        ));
                    }
                }
            }
            rows.push(("fulfilled", c.fulfilled.as_ref().map_or("no".to_owned(), at)));
            rows.push(("PAM score", format!("{} of 3", c.pam)));
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
