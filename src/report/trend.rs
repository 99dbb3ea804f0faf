//! The trend report: state over time — per track, for each day of the series, its
//! stage and its commitments and principles counted by state.
//!
//! Presentation only: the points are `projection::trend`'s.

use std::collections::BTreeMap;

use serde::Serialize;

use super::csv::Table;
use super::provenance::Stamp;
use super::{Format, Output, ViewHead, view_line};
use crate::names::Named;
use crate::projection::Header;
use crate::projection::status::{CommitmentState, PrincipleState};
use crate::projection::trend::{Every, Point};

#[derive(Serialize)]
struct Trend<'a> {
    #[serde(flatten)]
    view: ViewHead,
    every: Every,
    points: &'a [Point],
}

/// The trend report of `points`, a series taken every `every`, in `format`.
pub fn render(
    head: &Header,
    every: Every,
    points: &[Point],
    format: Format,
    layout: super::Layout,
    stamp: &Stamp,
) -> String {
    if format == Format::Csv {
        return csv(points);
    }
    match Output::of(format, layout) {
        Output::Json => super::document(head.head, &Trend { view: ViewHead::of(head), every, points }),
        Output::Doc(mut doc) => {
            doc.title(&format!("State over time, every {} — {}", every.name(), view_line(head)));
            doc.stamp(head, stamp);
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

/// The columns of the CSV: the day, the track, its stage, then a count per commitment
/// state and per principle state, every state (zero when none).
const COLUMNS: usize = 3 + CommitmentState::ALL.len() + PrincipleState::ALL.len();

/// One row per point, every state a column of its own (`commitments_open`,
/// `principles_agreed`), so a spreadsheet charts them as they come.
fn csv(points: &[Point]) -> String {
    let names: Vec<String> = ["day", "track", "stage"]
        .into_iter()
        .map(str::to_owned)
        .chain(CommitmentState::ALL.iter().map(|s| format!("commitments_{}", s.name())))
        .chain(PrincipleState::ALL.iter().map(|s| format!("principles_{}", s.name())))
        .collect();
    let mut table = Table::<COLUMNS>::new(std::array::from_fn(|i| names[i].as_str()));
    for p in points {
        let cells: Vec<String> = [p.day.to_string(), p.track.to_string(), p.stage.name().to_owned()]
            .into_iter()
            .chain(CommitmentState::ALL.iter().map(|s| p.commitments.get(s).copied().unwrap_or(0).to_string()))
            .chain(PrincipleState::ALL.iter().map(|s| p.principles.get(s).copied().unwrap_or(0).to_string()))
            .collect();
        table.row(std::array::from_fn(|i| cells[i].clone()));
    }
    table.finish()
}
