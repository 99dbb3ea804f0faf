//! The trend report: state over time — per track, for each day of the series, its
//! stage and its commitments and principles counted by state.
//!
//! Presentation only: the points are `projection::trend`'s.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Format, Output, ViewHead, json, view_line};
use crate::names::Named;
use crate::projection::Header;
use crate::projection::trend::{Every, Point};

#[derive(Serialize)]
struct Trend<'a> {
    #[serde(flatten)]
    view: ViewHead,
    every: Every,
    points: &'a [Point],
}

/// The trend report of `points`, a series taken every `every`, in `format`.
pub fn render(head: &Header, every: Every, points: &[Point], format: Format) -> String {
    match Output::of(format) {
        Output::Json => json(&Trend { view: ViewHead::of(head), every, points }),
        Output::Doc(mut doc) => {
            doc.title(&format!("State over time, every {} — {}", every.name(), view_line(head)));
            let mut tracks: BTreeMap<&str, Vec<&Point>> = BTreeMap::new();
            for p in points {
                tracks.entry(p.track.as_str()).or_default().push(p);
            }
            if tracks.is_empty() {
                doc.para("No track is open in this series.");
            }
            for (track, points) in tracks {
                doc.heading(track);
                let rows: Vec<Vec<String>> = points
                    .iter()
                    .map(|p| {
                        vec![
                            p.day.to_string(),
                            p.stage.name().to_owned(),
                            counts(&p.commitments),
                            counts(&p.principles),
                        ]
                    })
                    .collect();
                doc.table(&["as of", "stage", "commitments", "principles"], &rows);
            }
            doc.finish()
        }
    }
}

/// Counts by state in words: `open 3, fulfilled 1`; `none` when there are none.
fn counts<S: Named>(by: &BTreeMap<S, u32>) -> String {
    if by.is_empty() {
        return "none".to_owned();
    }
    by.iter().map(|(state, n)| format!("{} {n}", state.name())).collect::<Vec<_>>().join(", ")
}
