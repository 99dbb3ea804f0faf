//! The occasions projection: events grouped by the occasion (a summit, a visit) they
//! say they belong to, each occasion with its dates, tracks and kinds, and what it
//! produced — commitments made, instrument steps, proposals, statements.
//!
//! It selects and groups the view's events as they stand; the layout is
//! `report::occasion`'s.

use std::collections::BTreeMap;

use super::Replay;
use crate::date::PartialDate;
use crate::event::{Kind, OccasionId, Record, TrackId};

/// One occasion and its events, in world order.
#[derive(Clone, Debug)]
pub struct Occasion<'a> {
    /// Its id.
    pub id: &'a OccasionId,
    /// Its events, as they stand, in world order.
    pub events: Vec<&'a Record>,
}

impl<'a> Occasion<'a> {
    /// The date of its first event (world order).
    pub fn first(&self) -> Option<PartialDate> {
        self.events.first().map(|r| r.event.facts.occurred)
    }

    /// The date of its last event (world order).
    pub fn last(&self) -> Option<PartialDate> {
        self.events.last().map(|r| r.event.facts.occurred)
    }

    /// The tracks its events are on, in id order.
    pub fn tracks(&self) -> Vec<&'a TrackId> {
        let mut tracks: Vec<&TrackId> = self.events.iter().flat_map(|r| &r.event.facts.tracks).collect();
        tracks.sort();
        tracks.dedup();
        tracks
    }

    /// How many of its events are of each kind, in catalogue order.
    pub fn kinds(&self) -> Vec<(Kind, usize)> {
        let mut counts: BTreeMap<Kind, usize> = BTreeMap::new();
        for r in &self.events {
            *counts.entry(r.event.facts.kind()).or_default() += 1;
        }
        counts.into_iter().collect()
    }
}

/// Every occasion the view's events name (only events on `track`, when given), in id
/// order, each with its events in world order.
pub fn occasions<'a>(replay: &'a Replay, track: Option<&TrackId>) -> Vec<Occasion<'a>> {
    let mut by_id: BTreeMap<&OccasionId, Vec<&Record>> = BTreeMap::new();
    for r in replay.timeline() {
        let f = &r.event.facts;
        if let Some(id) = &f.occasion
            && track.is_none_or(|t| f.tracks.contains(t))
        {
            by_id.entry(id).or_default().push(r);
        }
    }
    by_id.into_iter().map(|(id, events)| Occasion { id, events }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Ids;
    use crate::event::{Event, parse_line};
    use crate::projection::View;

    fn replay(lines: &[&str]) -> Replay {
        let view = View { as_of: "2030-01-01".parse().expect("a date"), known_at: None, stall_days: 180 };
        let mut replay = Replay::new(view);
        let mut prev = crate::event::Hash::GENESIS;
        for (i, line) in lines.iter().enumerate() {
            let facts = parse_line(line).expect("parses").facts;
            let seq = i as u64 + 1;
            let event = Event {
                id: Ids::Seeded(7).event_id(seq),
                recorded_at: "2030-01-01T00:00:00Z".parse().expect("a time"),
                recorded_by: "t".to_owned(),
                facts,
            };
            let record = crate::event::Record::chain(seq, event, prev);
            prev = record.hash;
            replay.push(record);
        }
        replay
    }

    fn ev(track: &str, occurred: &str, occasion: &str) -> String {
        let occasion = if occasion.is_empty() { String::new() } else { format!(r#","occasion":"{occasion}""#) };
        format!(
            r#"{{"kind":"context_noted","version":1,"tracks":["{track}"],"occurred":"{occurred}","unsourced":true,"payload":{{"summary":"s"}}{occasion}}}"#
        )
    }

    #[test]
    fn events_of_one_occasion_are_grouped_in_world_order_across_tracks() {
        // Given three events of one summit on two tracks (recorded out of order) and one
        // of no occasion,
        let lines = [ev("a", "2025-08-16", "summit"), ev("b", "2025-08-15", "summit"), ev("a", "2025-08-15", "")];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let replay = replay(&lines);
        // when grouped,
        let all = occasions(&replay, None);
        // then one occasion holds both, first day first, on both tracks.
        assert_eq!(all.len(), 1);
        let summit = &all[0];
        assert_eq!(summit.id.as_str(), "summit");
        assert_eq!(summit.events.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(summit.first().map(|d| d.to_string()).as_deref(), Some("2025-08-15"));
        assert_eq!(summit.last().map(|d| d.to_string()).as_deref(), Some("2025-08-16"));
        assert_eq!(summit.tracks().iter().map(|t| t.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(summit.kinds(), [(Kind::ContextNoted, 2)]);
        // And on track b only, it holds b's event.
        let b = TrackId::new("b").expect("an id");
        assert_eq!(occasions(&replay, Some(&b))[0].events.iter().map(|r| r.seq).collect::<Vec<_>>(), [2]);
    }
}
