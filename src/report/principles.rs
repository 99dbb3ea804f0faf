//! The principles report: every principle of every proposal, track by track, with its
//! state, since when, whether it is still open, and the events behind it; a state that
//! rests only on unsourced or disputed events is marked †, one that rests only on one
//! side's account (or an unverified one) ‡.
//!
//! Presentation only: the states are the fold's (`projection::status`).

use serde::Serialize;

use super::doc::Doc;
use super::provenance::{self, Notes};
use super::{Format, Output, Scope, in_scope, mark_notes, marks, tracks_json, view_line};
use crate::projection::Header;
use crate::projection::status::{PrincipleStatus, TrackStatus};

#[derive(Serialize)]
struct PrinciplesOf<'a> {
    id: &'a str,
    title: &'a str,
    principles: &'a [PrincipleStatus],
}

/// The principles report of `tracks` (those in `scope`) in `format`.
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
        Output::Json => tracks_json(head, &tracks, |t| PrinciplesOf {
            id: t.id.as_str(),
            title: &t.title,
            principles: &t.principles,
        }),
        Output::Doc(doc) => document(doc, head, &tracks, notes),
    }
}

/// One row per principle (projections/README.md names each column).
fn csv(tracks: &[TrackStatus]) -> String {
    use super::csv::{Table, date, flag, seqs};
    let mut table = Table::new([
        "track",
        "principle",
        "text",
        "state",
        "standing",
        "since",
        "since_precision",
        "open",
        "reaffirmed",
        "unsupported",
        "one_sided",
        "evidence",
    ]);
    for t in tracks {
        for p in &t.principles {
            let [since, precision] = date(&p.last);
            table.row([
                t.id.to_string(),
                p.id.to_string(),
                p.text.clone(),
                p.state.name().to_owned(),
                p.standing(),
                since,
                precision,
                flag(p.state.is_open()),
                p.reaffirmed.to_string(),
                flag(p.unsupported),
                flag(p.one_sided),
                seqs(&p.evidence),
            ]);
        }
    }
    table.finish()
}

fn document(mut doc: Doc, head: &Header, tracks: &[TrackStatus], notes: &Notes) -> String {
    doc.title(&format!("Principles — {}", view_line(head)));
    doc.stamp(head, &notes.stamp);
    for t in tracks.iter().filter(|t| !t.principles.is_empty()) {
        doc.heading(&format!("{} [{}]", t.title, t.id));
        for p in &t.principles {
            let evidence: Vec<String> = p.evidence.iter().map(|s| format!("seq {s}")).collect();
            let mut fields = vec![
                ("principle", p.id.to_string()),
                ("text", p.text.clone()),
                ("state", format!("{} since {}{}", p.standing(), p.last, marks(p.unsupported, p.one_sided))),
                ("open", if p.state.is_open() { "yes" } else { "no: addressed" }.to_owned()),
            ];
            if !p.stances.is_empty() {
                let stances: Vec<String> =
                    p.stances.iter().map(|s| format!("{} {} (seq {})", s.party, s.stance.words(), s.seq)).collect();
                fields.push(("stances", stances.join("; ")));
            }
            fields.push(("evidence", evidence.join(", ")));
            doc.fields_citing(&fields, &[("state", provenance::principle_state(p))]);
        }
    }
    if tracks.iter().all(|t| t.principles.is_empty()) {
        doc.para("No principle has been tabled in this view.");
    }
    let any = |marked: fn(&PrincipleStatus) -> bool| tracks.iter().any(|t| t.principles.iter().any(marked));
    mark_notes(&mut doc, any(|p| p.unsupported), any(|p| p.one_sided));
    doc.finish_citing(notes)
}

#[cfg(test)]
mod tests {
    //! The marks on a principle's state.

    use super::*;
    use crate::projection::View;
    use crate::report::commitments::tests::{ev, tracks};

    #[test]
    fn a_principle_resting_only_on_one_sides_account_is_marked() {
        let tabled = |extra: &str| {
            ev(
                "proposal_tabled",
                "2000-02-01",
                r#"{"proposal":"p","by":"x","to":["y"],"title":"P","principles":[{"number":1,"text":"One"}]}"#,
                extra,
            )
        };
        let head = Header {
            view: View { as_of: "2000-03-01".parse().expect("day"), known_at: None, stall_days: 180 },
            head: crate::projection::LogHead { seq: 2, hash: None },
        };
        let text = |extra: &str| {
            render(
                &head,
                tracks(&[tabled(extra)], "2000-03-01"),
                &Scope::default(),
                Format::Text,
                crate::report::Layout::PLAIN,
                &Notes::none(),
            )
        };
        let marked = text(r#","attribution":"x""#);
        assert!(marked.contains("tabled since 2000-02-01 ‡"), "{marked}");
        assert!(marked.contains("‡ rests only on one side's account"), "{marked}");
        let confirmed = text(r#","confidence":"confirmed","attribution":"x""#);
        assert!(!confirmed.contains('‡'), "{confirmed}");
    }
}
