//! The sources report: every source cited, most-cited first, with the events that rest
//! on it, and the events that rest on one source or on none.
//!
//! Presentation only: the accumulation is `projection::sources`'s.

use serde::Serialize;

use super::doc::Doc;
use super::provenance::Stamp;
use super::{Format, Output, ViewHead, view_line};
use crate::projection::Header;
use crate::projection::sources::{Cited, Provenance};

#[derive(Serialize)]
struct Out<'a> {
    #[serde(flatten)]
    view: ViewHead,
    sources: &'a [Cited],
    single_source: &'a [u64],
    unsourced: &'a [u64],
}

/// The sources of the view `head` describes, in `format`.
pub fn render(provenance: &Provenance, head: &Header, format: Format, layout: super::Layout, stamp: &Stamp) -> String {
    if format == Format::Csv {
        return csv(provenance);
    }
    match Output::of(format, layout) {
        Output::Json => super::document(
            head.head,
            &Out {
                view: ViewHead::of(head),
                sources: &provenance.cited,
                single_source: &provenance.single_source,
                unsourced: &provenance.unsourced,
            },
        ),
        Output::Doc(doc) => document(doc, provenance, head, stamp),
    }
}

/// One row per source cited, most-cited first (projections/README.md names each
/// column); the events on one source or none are in the text and JSON reports.
fn csv(p: &Provenance) -> String {
    use super::csv::{Table, maybe_date, seqs};
    let mut table = Table::new(["title", "publisher", "published", "published_precision", "url", "events", "seqs"]);
    for c in &p.cited {
        let [published, precision] = maybe_date(c.published.as_ref());
        table.row([
            c.title.clone(),
            c.publisher.clone().unwrap_or_default(),
            published,
            precision,
            c.url.clone().unwrap_or_default(),
            c.events.len().to_string(),
            seqs(&c.events),
        ]);
    }
    table.finish()
}

fn document(mut doc: Doc, p: &Provenance, head: &Header, stamp: &Stamp) -> String {
    let seqs = |list: &[u64]| {
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
        }
    };
    doc.title(&format!("Sources — {}", view_line(head)));
    doc.stamp(head, stamp);
    let rows: Vec<Vec<String>> = p
        .cited
        .iter()
        .map(|c| {
            let by =
                [c.publisher.clone(), c.published.map(|p| p.to_string())].into_iter().flatten().collect::<Vec<_>>();
            vec![c.events.len().to_string(), seqs(&c.events), format!("\u{201c}{}\u{201d} {}", c.title, by.join(", "))]
        })
        .collect();
    doc.table(&["events", "seqs", "source"], &rows);
    doc.fields(&[
        ("one source", format!("{} event(s): seq {}", p.single_source.len(), seqs(&p.single_source))),
        ("no source", format!("{} event(s): seq {}", p.unsourced.len(), seqs(&p.unsourced))),
    ]);
    doc.finish()
}
