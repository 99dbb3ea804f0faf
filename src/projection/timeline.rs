//! The timeline projection: the events a view sees, as they stand, per track and in
//! world order (by date interval, ties broken by seq).
//!
//! It selects and orders; the words for each event are `render`'s and the layout is
//! `report::timeline`'s.

use super::Replay;
use super::status::TrackStatus;
use crate::event::Record;

/// One track and its events.
#[derive(Clone, Debug)]
pub struct TrackEvents<'a> {
    /// The track, as the status derives it.
    pub track: &'a TrackStatus,
    /// Its events, as they stand, in world order.
    pub events: Vec<&'a Record>,
}

/// The events of each of `tracks` (in their order) that `replay` sees.
pub fn per_track<'a>(replay: &'a Replay, tracks: &'a [TrackStatus]) -> Vec<TrackEvents<'a>> {
    tracks
        .iter()
        .map(|track| TrackEvents {
            track,
            events: replay.timeline().iter().filter(|r| r.event.facts.tracks.contains(&track.id)).collect(),
        })
        .collect()
}
