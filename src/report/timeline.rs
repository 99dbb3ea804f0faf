//! The timeline report: each track's events in world order — seq, date at its own
//! precision, kind, and the event in words (marked when unsourced).
//!
//! Presentation only: which events, in which order, is `projection::timeline`'s.

use serde::Serialize;

use super::doc::Doc;
use super::provenance::{Notes, Stamp};
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
    stamp: &Stamp,
) -> String {
    let tracks = in_scope(tracks, scope);
    let timeline = per_track(replay, &tracks);
    if format == Format::Mermaid {
        return super::mermaid::timeline(&replay.header(), &timeline);
    }
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
        Output::Doc(doc) => document(doc, replay, &timeline, stamp),
    }
}

fn document(mut doc: Doc, replay: &Replay, timeline: &[TrackEvents<'_>], stamp: &Stamp) -> String {
    doc.title(&format!("Timeline — {}", view_line(&replay.header())));
    doc.stamp(&replay.header(), stamp);
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
        let cites: Vec<Vec<u64>> = t.events.iter().map(|r| vec![r.seq]).collect();
        doc.table_citing(&["seq", "occurred", "kind", "what"], &rows, 3, &cites);
    }
    if doc.cites() {
        return doc.finish_citing(&Notes::of_replay(stamp.clone(), replay));
    }
    doc.finish()
}
