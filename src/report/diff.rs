//! The diff report: what changed between two views, as a table of track, subject and
//! `from → to`.
//!
//! Presentation only: the changes are `projection::diff`'s.

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output, json};
use crate::projection::diff::Change;

/// The changes between two views, described by `from` and `to`, in `format`.
pub fn render(changes: &[Change], from: &str, to: &str, format: Format) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        from: &'a str,
        to: &'a str,
        changes: &'a [Change],
    }
    match Output::of(format) {
        Output::Json => json(&Out { from, to, changes }),
        Output::Doc(doc) => document(doc, changes, from, to),
    }
}

fn document(mut doc: Doc, changes: &[Change], from: &str, to: &str) -> String {
    doc.title(&format!("Changes from {from} to {to}"));
    if changes.is_empty() {
        doc.para("Nothing changed.");
    }
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let from = c.from.clone().unwrap_or_else(|| "—".to_owned());
            let to = c.to.clone().unwrap_or_else(|| "—".to_owned());
            vec![c.track.clone(), c.subject.clone(), format!("{from} → {to}")]
        })
        .collect();
    doc.table(&["track", "what", "change"], &rows);
    doc.finish()
}
