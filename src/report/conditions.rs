//! The conditions report: every condition, track by track (the track of the event that
//! set it), with what waits on what, its state and since when, whether its subject is
//! blocked by it, and the events behind it; a state that rests only on unsourced or
//! disputed events is marked †.
//!
//! Presentation only: the states are the fold's (`projection::status`).

use serde::Serialize;

use super::doc::Doc;
use super::provenance::{self, Notes};
use super::{Format, Output, Scope, at, in_scope, mark, mark_notes, tracks_json, view_line};
use crate::projection::Header;
use crate::projection::status::{ConditionState, ConditionStatus, TrackStatus};

#[derive(Serialize)]
struct ConditionsOf<'a> {
    id: &'a str,
    title: &'a str,
    conditions: Vec<&'a ConditionStatus>,
}

/// True when a condition is still in its subject's way: open or declared unmet (what
/// `--open` keeps).
pub fn outstanding(c: &ConditionStatus) -> bool {
    matches!(c.state, ConditionState::Open | ConditionState::Unmet)
}

/// The conditions report of `tracks` (those in `scope`; with `open`, only the
/// conditions open or unmet) in `format`.
pub fn render(
    head: &Header,
    tracks: Vec<TrackStatus>,
    scope: &Scope,
    open: bool,
    format: Format,
    layout: super::Layout,
    notes: &Notes,
) -> String {
    let tracks = in_scope(tracks, scope);
    let shown = |t: &TrackStatus| -> Vec<usize> {
        (0..t.conditions.len()).filter(|i| !open || outstanding(&t.conditions[*i])).collect()
    };
    match Output::of(format, layout) {
        Output::Json => tracks_json(head, &tracks, |t| ConditionsOf {
            id: t.id.as_str(),
            title: &t.title,
            conditions: shown(t).into_iter().map(|i| &t.conditions[i]).collect(),
        }),
        Output::Doc(mut doc) => {
            doc.title(&format!("Conditions — {}", view_line(head)));
            doc.stamp(head, &notes.stamp);
            let mut any = false;
            let mut weak = false;
            for t in &tracks {
                let list = shown(t);
                if list.is_empty() {
                    continue;
                }
                any = true;
                doc.heading(&format!("{} [{}]", t.title, t.id));
                for c in list.into_iter().map(|i| &t.conditions[i]) {
                    weak |= c.unsupported;
                    document(&mut doc, c);
                }
            }
            if !any {
                doc.para(if open {
                    "No condition is open or unmet in this view."
                } else {
                    "No condition has been set in this view."
                });
            }
            mark_notes(&mut doc, weak, false);
            doc.finish_citing(notes)
        }
    }
}

fn document(doc: &mut Doc, c: &ConditionStatus) {
    let evidence: Vec<String> = c.evidence.iter().map(|s| format!("seq {s}")).collect();
    let how = if c.automatic { ": reached" } else { "" };
    let set = match &c.by {
        Some(by) => format!("by {by}, {}", at(&c.set)),
        None => at(&c.set),
    };
    let reached = |r: &Option<crate::projection::status::At>| r.as_ref().map_or("not yet".to_owned(), at);
    doc.fields_citing(
        &[
            ("condition", c.id.to_string()),
            ("text", c.text.clone()),
            ("subject", format!("{} (reached: {})", c.subject, reached(&c.subject_reached))),
            ("on", format!("{} (reached: {})", c.on, reached(&c.on_reached))),
            ("set", set),
            ("state", format!("{}{how} since {}{}", c.state.name(), at(&c.since), mark(c.unsupported))),
            (
                "blocking",
                match (c.blocking, c.went_ahead) {
                    (true, _) => "yes: its subject waits".to_owned(),
                    (false, true) => "no: its subject went ahead while the condition stood".to_owned(),
                    (false, false) => "no".to_owned(),
                },
            ),
            ("evidence", evidence.join(", ")),
        ],
        &[("state", provenance::condition_state(c))],
    );
}
