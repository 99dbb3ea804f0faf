//! The timeline report: each track's events in world order — seq, date at its own
//! precision, kind, and the event in words (marked when unsourced).
//!
//! Presentation only: which events, in which order, is `projection::timeline`'s.

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output, Scope, envelope, in_scope, view_line};
use crate::date::PartialDate;
use crate::event::Record;
use crate::projection::Replay;
use crate::projection::status::TrackStatus;
use crate::projection::timeline::{TrackEvents, per_track};

#[derive(Serialize)]
struct TimelineOf<'a> {
    id: &'a str,
    events: Vec<TimelineEvent>,
}

#[derive(Serialize)]
struct TimelineEvent {
    seq: u64,
    occurred: PartialDate,
    kind: &'static str,
    what: String,
    unsourced: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    occasion: Option<String>,
}

impl TimelineEvent {
    fn of(r: &Record) -> TimelineEvent {
        TimelineEvent {
            seq: r.seq,
            occurred: r.event.facts.occurred,
            kind: r.event.facts.kind().name(),
            what: crate::render::headline(&r.event),
            unsourced: r.event.facts.unsourced,
            occasion: r.event.facts.occasion.as_ref().map(|o| o.to_string()),
        }
    }
}

/// The timeline of `replay` for `tracks` (its status; those in `scope`) in `format`.
pub fn render(
    replay: &Replay,
    tracks: Vec<TrackStatus>,
    scope: &Scope,
    format: Format,
    layout: super::Layout,
) -> String {
    let tracks = in_scope(tracks, scope);
    let timeline = per_track(replay, &tracks);
    match Output::of(format, layout) {
        Output::Json => envelope(
            &replay.header(),
            timeline
                .iter()
                .map(|t| TimelineOf {
                    id: t.track.id.as_str(),
                    events: t.events.iter().map(|r| TimelineEvent::of(r)).collect(),
                })
                .collect(),
        ),
        Output::Doc(doc) => document(doc, replay, &timeline),
    }
}

fn document(mut doc: Doc, replay: &Replay, timeline: &[TrackEvents<'_>]) -> String {
    doc.title(&format!("Timeline — {}", view_line(&replay.header())));
    for t in timeline {
        doc.heading(&format!("{} [{}]", t.track.title, t.track.id));
        let rows: Vec<Vec<String>> = t
            .events
            .iter()
            .map(|r| {
                let e = TimelineEvent::of(r);
                let mark = if e.unsourced { "[unsourced] " } else { "" };
                let occasion = e.occasion.as_ref().map(|o| format!("[{o}] ")).unwrap_or_default();
                vec![
                    e.seq.to_string(),
                    e.occurred.to_string(),
                    e.kind.to_owned(),
                    format!("{mark}{occasion}{}", e.what),
                ]
            })
            .collect();
        doc.table(&["seq", "occurred", "kind", "what"], &rows);
    }
    doc.finish()
}
