//! The diff report: what changed between two views, as a table of track, subject (a
//! commitment's axis beside its id) and `from → to`.
//!
//! Presentation only: the changes are `projection::diff`'s.

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output};
use crate::projection::LogHead;
use crate::projection::diff::Change;

/// The changes between two views, described by `from` and `to`, in `format`.
pub fn render(
    head: LogHead,
    changes: &[Change],
    from: &str,
    to: &str,
    format: Format,
    layout: super::Layout,
) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        from: &'a str,
        to: &'a str,
        changes: &'a [Change],
    }
    match Output::of(format, layout) {
        Output::Json => super::document(head, &Out { from, to, changes }),
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
            let what = match c.aspect {
                None => c.subject.clone(),
                Some(aspect) => format!("{} · {}", c.subject, aspect.words()),
            };
            vec![c.track.clone(), what, format!("{from} → {to}")]
        })
        .collect();
    doc.table(&["track", "what", "change"], &rows);
    doc.finish()
}

#[cfg(test)]
mod tests {
    //! A suspension, a step and a stall seen through `diff`.

    use super::*;
    use crate::projection::diff::{Aspect, diff};
    use crate::report::commitments::tests::{ev, made, tracks};

    #[test]
    fn across_a_suspension_the_diff_names_the_headline_and_progress() {
        let step = ev("commitment_progressed", "2000-01-20", r#"{"commitment":"c","summary":"S"}"#, "");
        let suspend = ev("commitment_suspended", "2000-02-11", r#"{"commitment":"c","by":"x","reason":"R"}"#, "");
        let given = [made(""), step, suspend];
        let changes = diff(&tracks(&given, "2000-02-01"), &tracks(&given, "2000-03-01"));
        let found: Vec<(Option<Aspect>, Option<&str>, Option<&str>)> =
            changes.iter().map(|c| (c.aspect, c.from.as_deref(), c.to.as_deref())).collect();
        assert_eq!(
            found,
            [
                (None, Some("in_progress"), Some("suspended")),
                (Some(Aspect::Progress), Some("in_progress"), Some("suspended")),
            ]
        );
        let text = render(
            LogHead::default(),
            &changes,
            "as of 2000-02-01",
            "as of 2000-03-01",
            Format::Text,
            crate::report::Layout::PLAIN,
        );
        assert!(!text.contains("Nothing changed"), "{text}");
        assert!(text.contains("c · progress  in_progress → suspended"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&render(
            LogHead::default(),
            &changes,
            "a",
            "b",
            Format::Json,
            crate::report::Layout::PLAIN,
        ))
        .expect("json");
        assert_eq!(json["changes"][0]["aspect"], serde_json::Value::Null);
        assert_eq!(json["changes"][1]["aspect"], "progress");
    }

    #[test]
    fn schedule_activity_score_and_due_day_changes_are_each_a_row() {
        let step = ev("commitment_progressed", "2000-03-01", r#"{"commitment":"c","summary":"S"}"#, "");
        let amend = ev("deadline_amended", "2000-03-02", r#"{"commitment":"c","deadline":{"by":"2000-04"}}"#, "");
        let given = [made(r#","deadline":{"by":"2000-02"}"#), step, amend];
        let changes = diff(&tracks(&given, "2000-02-15"), &tracks(&given, "2000-09-15"));
        let aspects: Vec<Option<Aspect>> = changes.iter().map(|c| c.aspect).collect();
        assert_eq!(
            aspects,
            [
                None,
                Some(Aspect::Progress),
                Some(Aspect::Schedule),
                Some(Aspect::Activity),
                Some(Aspect::Pam),
                Some(Aspect::Due)
            ]
        );
        let values: Vec<(Option<&str>, Option<&str>)> =
            changes.iter().map(|c| (c.from.as_deref(), c.to.as_deref())).collect();
        assert_eq!(values[0], (Some("open"), Some("overdue")));
        assert_eq!(values[4], (Some("0"), Some("1")));
        assert_eq!(values[5], (Some("2000-02-29"), Some("2000-04-30")));
    }
}
