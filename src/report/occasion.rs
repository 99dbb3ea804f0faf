//! The occasions report: without an id, every occasion (id, first and last date,
//! tracks, events, kinds); with one, what it produced — commitments made, instrument
//! steps, proposals, statements … — each event with its seq, date and sources.
//!
//! Presentation only: which events belong to an occasion is `projection::occasion`'s.

use serde::Serialize;

use super::doc::Doc;
use super::provenance::Stamp;
use super::{Format, Output, ViewHead, source_line, view_line};
use crate::date::PartialDate;
use crate::event::{OccasionId, Record, Source, TrackId};
use crate::projection::Replay;
use crate::projection::occasion::Occasion;

#[derive(Serialize)]
struct OccasionsJson<'a> {
    #[serde(flatten)]
    view: ViewHead,
    occasions: Vec<OccasionJson<'a>>,
}

#[derive(Serialize)]
struct OccasionJson<'a> {
    id: &'a OccasionId,
    first: Option<PartialDate>,
    last: Option<PartialDate>,
    tracks: Vec<&'a TrackId>,
    kinds: Vec<KindCount>,
    /// Every event, with `--occasion ID` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<EventJson<'a>>>,
}

#[derive(Serialize)]
struct KindCount {
    kind: &'static str,
    events: usize,
}

#[derive(Serialize)]
struct EventJson<'a> {
    seq: u64,
    occurred: PartialDate,
    kind: &'static str,
    tracks: &'a [TrackId],
    what: String,
    sources: &'a [Source],
    unsourced: bool,
}

impl<'a> OccasionJson<'a> {
    fn of(o: &'a Occasion<'a>, with_events: bool) -> OccasionJson<'a> {
        OccasionJson {
            id: o.id,
            first: o.first(),
            last: o.last(),
            tracks: o.tracks(),
            kinds: o.kinds().into_iter().map(|(k, n)| KindCount { kind: k.name(), events: n }).collect(),
            events: with_events.then(|| o.events.iter().map(|r| EventJson::of(r)).collect()),
        }
    }
}

impl<'a> EventJson<'a> {
    fn of(r: &'a Record) -> EventJson<'a> {
        let f = &r.event.facts;
        EventJson {
            seq: r.seq,
            occurred: f.occurred,
            kind: f.kind().name(),
            tracks: &f.tracks,
            what: crate::render::headline(&r.event),
            sources: &f.sources,
            unsourced: f.unsourced,
        }
    }
}

/// The occasions `occasions` of `replay` in `format`; with `one`, the occasion asked
/// for, with every event it produced.
pub fn render<'a>(
    replay: &Replay,
    occasions: &'a [Occasion<'a>],
    one: bool,
    format: Format,
    layout: super::Layout,
    stamp: &Stamp,
) -> String {
    match Output::of(format, layout) {
        Output::Json => super::document(
            replay.head(),
            &OccasionsJson {
                view: ViewHead::of(&replay.header()),
                occasions: occasions.iter().map(|o| OccasionJson::of(o, one)).collect(),
            },
        ),
        Output::Doc(doc) => document(doc, replay, occasions, one, stamp),
    }
}

fn span(o: &Occasion<'_>) -> String {
    match (o.first(), o.last()) {
        (Some(first), Some(last)) if first == last => first.to_string(),
        (Some(first), Some(last)) => format!("{first} to {last}"),
        _ => "—".to_owned(),
    }
}

fn document(mut doc: Doc, replay: &Replay, occasions: &[Occasion<'_>], one: bool, stamp: &Stamp) -> String {
    doc.title(&format!("Occasions — {}", view_line(&replay.header())));
    doc.stamp(&replay.header(), stamp);
    if occasions.is_empty() {
        doc.para("No event of this view names an occasion (`--occasion ID` on append).");
    }
    let kinds = |o: &Occasion<'_>| o.kinds().iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ");
    let tracks = |o: &Occasion<'_>| o.tracks().iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
    if !one {
        let rows: Vec<Vec<String>> = occasions
            .iter()
            .map(|o| vec![o.id.to_string(), span(o), tracks(o), o.events.len().to_string(), kinds(o)])
            .collect();
        if !rows.is_empty() {
            doc.table(&["occasion", "dates", "tracks", "events", "kinds"], &rows);
        }
        return doc.finish();
    }
    for o in occasions {
        doc.heading(&format!("{} ({})", o.id, span(o)));
        doc.fields(&[("tracks", tracks(o)), ("events", kinds(o))]);
        for r in &o.events {
            let f = &r.event.facts;
            let sources = if f.unsourced {
                "unsourced".to_owned()
            } else {
                f.sources.iter().map(source_line).collect::<Vec<_>>().join("; ")
            };
            doc.fields(&[
                ("seq", format!("{} · {} · {}", r.seq, f.occurred, f.kind())),
                ("what", crate::render::headline(&r.event)),
                ("sources", sources),
            ]);
        }
    }
    doc.finish()
}
