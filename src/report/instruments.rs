//! The instruments report: track by track, every instrument with its type, parent,
//! whether it is principal or a side text, its derived stage and since when, its stage
//! history, each party's own steps (signature, ratification steps with their procedure
//! and outcome, ratification, entry into force, suspension, withdrawal), suspensions in
//! part, its successor, its articles with their states, and the events behind it.
//!
//! Presentation only: the stages are the fold's (`projection::status`).

use serde::Serialize;

use super::doc::Doc;
use super::provenance::{self, Notes};
use super::{Format, Output, Scope, at, in_scope, tracks_json, view_line};
use crate::projection::Header;
use crate::projection::status::{InstrumentStatus, PartyStatus, TrackStatus};

#[derive(Serialize)]
struct InstrumentsOf<'a> {
    id: &'a str,
    title: &'a str,
    instruments: &'a [InstrumentStatus],
}

/// The instruments report of `tracks` (those in `scope`) in `format`.
pub fn render(
    head: &Header,
    tracks: Vec<TrackStatus>,
    scope: &Scope,
    format: Format,
    layout: super::Layout,
    notes: &Notes,
) -> String {
    let tracks = in_scope(tracks, scope);
    if format == Format::Csv {
        return csv(&tracks);
    }
    match Output::of(format, layout) {
        Output::Json => tracks_json(head, &tracks, |t| InstrumentsOf {
            id: t.id.as_str(),
            title: &t.title,
            instruments: &t.instruments,
        }),
        Output::Doc(doc) => document(doc, head, &tracks, notes),
    }
}

/// One row per instrument (projections/README.md names each column); each party's
/// steps are in the text, JSON and Markdown reports.
fn csv(tracks: &[TrackStatus]) -> String {
    use super::csv::{Table, date, flag, seqs};
    let mut table = Table::new([
        "track",
        "instrument",
        "title",
        "type",
        "parent",
        "principal",
        "stage",
        "stage_since",
        "stage_since_precision",
        "stage_since_seq",
        "parties",
        "articles",
        "superseded_by",
        "evidence",
    ]);
    for t in tracks {
        for i in &t.instruments {
            let [since, precision] = date(&i.stage_since.date);
            let parties: Vec<&str> = i.parties.iter().map(|p| p.party.as_str()).collect();
            table.row([
                t.id.to_string(),
                i.id.to_string(),
                i.title.clone(),
                i.instrument_type.name().to_owned(),
                i.parent.as_ref().map_or(String::new(), ToString::to_string),
                flag(i.principal),
                i.stage.name().to_owned(),
                since,
                precision,
                i.stage_since.seq.to_string(),
                parties.join(" "),
                i.articles.len().to_string(),
                i.superseded_by.as_ref().map_or(String::new(), ToString::to_string),
                seqs(&i.evidence),
            ]);
        }
    }
    table.finish()
}

fn document(mut doc: Doc, head: &Header, tracks: &[TrackStatus], notes: &Notes) -> String {
    doc.title(&format!("Instruments — {}", view_line(head)));
    doc.stamp(head, &notes.stamp);
    for t in tracks.iter().filter(|t| !t.instruments.is_empty()) {
        doc.heading(&format!("{} [{}]", t.title, t.id));
        for i in &t.instruments {
            let role = match (&i.parent, i.principal) {
                (_, true) => "principal".to_owned(),
                (Some(parent), false) => format!("side text of {parent}"),
                (None, false) => "side text".to_owned(),
            };
            let history: Vec<String> =
                i.stage_history.iter().map(|m| format!("{} {}", m.stage.name(), at(&m.at))).collect();
            let mut fields = vec![
                ("instrument", i.id.to_string()),
                ("title", i.title.clone()),
                ("type", format!("{} · {role}", i.instrument_type.name())),
                ("stage", format!("{} since {}", i.stage.name(), at(&i.stage_since))),
                ("history", history.join(" → ")),
            ];
            for p in &i.parties {
                fields.push(("party", party_line(p)));
            }
            for s in &i.suspended_in_part {
                let by = s.party.as_ref().map_or("every party".to_owned(), |p| p.to_string());
                let resumed = s.resumed.as_ref().map_or(String::new(), |r| format!(", resumed {}", at(r)));
                let what = s.note.as_deref().map_or(String::new(), |n| format!(": {n}"));
                fields.push(("suspended in part", format!("{} by {by}{resumed}{what}", at(&s.at))));
            }
            if let Some(next) = &i.superseded_by {
                fields.push(("superseded by", next.to_string()));
            }
            let evidence: Vec<String> = i.evidence.iter().map(|s| format!("seq {s}")).collect();
            fields.push(("evidence", evidence.join(", ")));
            doc.fields_citing(&fields, &[("stage", provenance::instrument_stage(i))]);
            let rows: Vec<Vec<String>> = i
                .articles
                .iter()
                .map(|a| {
                    let addressed: Vec<String> = a.addressed.iter().map(|s| format!("seq {s}")).collect();
                    let addressed = if addressed.is_empty() { "—".to_owned() } else { addressed.join(", ") };
                    let stances: Vec<String> =
                        a.stances.iter().map(|s| format!("{} {}", s.party, s.stance.name())).collect();
                    vec![a.id.to_string(), a.state.name().to_owned(), stances.join(", "), addressed, a.text.clone()]
                })
                .collect();
            doc.table(&["article", "state", "parties", "addressed", "text"], &rows);
        }
    }
    if tracks.iter().all(|t| t.instruments.is_empty()) {
        doc.para("No instrument is known in this view.");
    }
    doc.finish_citing(notes)
}

/// One party's steps in words: `xa: signed 2020-06-01 (seq 5); parliament approved
/// 2020-09 (seq 6); in force 2021-01-01 (seq 8)`.
fn party_line(p: &PartyStatus) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &p.signed {
        parts.push(format!("signed {}", at(a)));
    }
    for s in &p.steps {
        let how = s.procedure.map_or("step".to_owned(), |x| x.words().to_owned());
        parts.push(format!("{how} {} {}", s.outcome.name(), at(&s.at)));
    }
    for (what, when) in
        [("ratified", &p.ratified), ("in force", &p.in_force), ("suspended", &p.suspended), ("withdrew", &p.withdrawn)]
    {
        if let Some(a) = when {
            parts.push(format!("{what} {}", at(a)));
        }
    }
    if parts.is_empty() {
        parts.push("no step of its own".to_owned());
    }
    format!("{}: {}", p.party, parts.join("; "))
}
