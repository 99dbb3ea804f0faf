//! The status report: per track, its parties, stage and since when, last activity,
//! envoys, contacts, principles and commitments in brief, and the next deadline ahead
//! with the count of commitments overdue beside it.
//!
//! Presentation only: the status is the fold's (`projection::status`).

use super::doc::Doc;
use super::provenance::{self, Notes};
use super::{Output, Scope, at, in_scope, mark_notes, marks, tracks_json, view_line};
use crate::projection::Header;
use crate::projection::status::{CommitmentStatus, PrincipleStatus, TrackStatus};

/// The status report of `tracks` (those in `scope`) in `format`.
pub fn render(
    head: &Header,
    tracks: Vec<TrackStatus>,
    scope: &Scope,
    format: super::Format,
    layout: super::Layout,
    notes: &Notes,
) -> String {
    let tracks = in_scope(tracks, scope);
    if format == super::Format::Csv {
        return csv(&tracks);
    }
    match Output::of(format, layout) {
        Output::Json => tracks_json(head, &tracks, |t| t),
        Output::Doc(doc) => document(doc, head, &tracks, notes),
    }
}

fn document(mut doc: Doc, head: &Header, tracks: &[TrackStatus], notes: &Notes) -> String {
    doc.title(&format!("Status — {}", view_line(head)));
    doc.stamp(head, &notes.stamp);
    if tracks.is_empty() {
        doc.para("No track is known in this view.");
    }
    for t in tracks {
        let parties: Vec<&str> = t.parties.iter().map(|p| p.name.as_str()).collect();
        doc.heading(&format!("{} [{}]: {}", t.title, t.id, parties.join(", ")));
        let open = t.principles.iter().filter(|p| p.state.is_open()).count();
        let envoys: Vec<String> = t.envoys.iter().map(|e| format!("{} ({}, {})", e.name, e.party, e.since)).collect();
        let mut next = match &t.next_deadline {
            None => "none ahead".to_owned(),
            Some(n) => format!("{} ({})", n.due, n.commitment),
        };
        if t.overdue > 0 {
            next.push_str(&format!(" · {} overdue", t.overdue));
        }
        let seqs = |list: &[u64]| match list.len() {
            0 => "none".to_owned(),
            _ => list.iter().map(|s| format!("seq {s}")).collect::<Vec<_>>().join(", "),
        };
        let mut fields = vec![
            ("stage", format!("{} since {}", t.stage.name(), at(&t.stage_since))),
            ("last activity", at(&t.last_activity)),
            ("envoys", if envoys.is_empty() { "none recorded".to_owned() } else { envoys.join("; ") }),
            ("contacts", format!("{} meeting{}, {} call{}", t.meetings, s(t.meetings), t.calls, s(t.calls))),
            ("instruments", instruments(t)),
            ("principles", format!("{open} open, {} addressed", t.principles.len() - open)),
            ("commitments", commitment_counts(&t.commitments)),
            ("next deadline", next),
            ("unsourced", seqs(&t.unsourced)),
            ("disputed", seqs(&t.disputed)),
        ];
        if !t.third_parties.is_empty() {
            let third: Vec<String> =
                t.third_parties.iter().map(|x| format!("{} ({}, {})", x.name, x.code, x.role.words())).collect();
            fields.push(("third parties", third.join("; ")));
        }
        if !t.rulings.is_empty() {
            let rulings: Vec<String> = t
                .rulings
                .iter()
                .map(|r| {
                    let reference = r.reference.as_ref().map(|x| format!(" {x}")).unwrap_or_default();
                    let on = r.on.as_ref().map(|x| format!(" {x}")).unwrap_or_default();
                    format!("{}{reference} {}{on} ({})", r.by, r.effect, at(&r.at))
                })
                .collect();
            fields.push(("rulings", rulings.join("; ")));
        }
        doc.fields_citing(&fields, &[("stage", provenance::track_stage(t))]);
        let cites: Vec<Vec<u64>> = t.principles.iter().map(provenance::principle_state).collect();
        doc.table_citing(&["principle", "state", "since", "text"], &principle_rows(&t.principles), 1, &cites);
        let cites: Vec<Vec<u64>> = t.commitments.iter().map(provenance::commitment_state).collect();
        doc.table_citing(&["commitment", "state", "due", "made", "text"], &commitment_rows(&t.commitments), 1, &cites);
        let blocked: Vec<Vec<String>> = t
            .conditions
            .iter()
            .filter(|c| c.blocking)
            .map(|c| vec![c.subject.to_string(), c.id.to_string(), c.state.name().to_owned(), c.on.to_string()])
            .collect();
        if !blocked.is_empty() {
            doc.table(&["blocked", "by condition", "state", "waiting on"], &blocked);
        }
    }
    let weak = tracks
        .iter()
        .any(|t| t.principles.iter().any(|p| p.unsupported) || t.commitments.iter().any(|c| c.unsupported));
    let one_sided =
        tracks.iter().any(|t| t.principles.iter().any(|p| p.one_sided) || t.commitments.iter().any(|c| c.one_sided));
    mark_notes(&mut doc, weak, one_sided);
    doc.finish_citing(notes)
}

/// One row per track: its stage, activity, contacts and counts (projections/README.md
/// names each column).
fn csv(tracks: &[TrackStatus]) -> String {
    use super::csv::{Table, date, seqs};
    let mut table = Table::new([
        "track",
        "title",
        "parties",
        "stage",
        "stage_since",
        "stage_since_precision",
        "stage_since_seq",
        "last_activity",
        "last_activity_precision",
        "last_activity_seq",
        "meetings",
        "calls",
        "principles_open",
        "principles_addressed",
        "commitments",
        "overdue",
        "next_deadline",
        "next_deadline_commitment",
        "unsourced",
        "disputed",
    ]);
    for t in tracks {
        let open = t.principles.iter().filter(|p| p.state.is_open()).count();
        let parties: Vec<&str> = t.parties.iter().map(|p| p.code.as_str()).collect();
        let [since, since_precision] = date(&t.stage_since.date);
        let [last, last_precision] = date(&t.last_activity.date);
        table.row([
            t.id.to_string(),
            t.title.clone(),
            parties.join(" "),
            t.stage.name().to_owned(),
            since,
            since_precision,
            t.stage_since.seq.to_string(),
            last,
            last_precision,
            t.last_activity.seq.to_string(),
            t.meetings.to_string(),
            t.calls.to_string(),
            open.to_string(),
            (t.principles.len() - open).to_string(),
            t.commitments.len().to_string(),
            t.overdue.to_string(),
            t.next_deadline.as_ref().map_or(String::new(), |n| n.due.to_string()),
            t.next_deadline.as_ref().map_or(String::new(), |n| n.commitment.to_string()),
            seqs(&t.unsourced),
            seqs(&t.disputed),
        ]);
    }
    table.finish()
}

/// The principal instruments, then the side texts, each with its stage.
fn instruments(t: &TrackStatus) -> String {
    if t.instruments.is_empty() {
        return "none".to_owned();
    }
    let list: Vec<String> = t
        .instruments
        .iter()
        .map(|i| {
            let role = if i.principal { ", principal" } else { "" };
            format!("{} ({}{role}) {} since {}", i.id, i.instrument_type.name(), i.stage.name(), at(&i.stage_since))
        })
        .collect();
    list.join("; ")
}

fn s(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn commitment_counts(cs: &[CommitmentStatus]) -> String {
    if cs.is_empty() {
        return "none".to_owned();
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for c in cs {
        let name = c.state.name().to_owned();
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, k)) => *k += 1,
            None => counts.push((name, 1)),
        }
    }
    counts.sort();
    counts.iter().map(|(n, k)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
}

fn principle_rows(ps: &[PrincipleStatus]) -> Vec<Vec<String>> {
    ps.iter()
        .map(|p| {
            let state = format!("{}{}", p.standing(), marks(p.unsupported, p.one_sided));
            vec![p.id.to_string(), state, p.last.to_string(), p.text.clone()]
        })
        .collect()
}

fn commitment_rows(cs: &[CommitmentStatus]) -> Vec<Vec<String>> {
    cs.iter()
        .map(|c| {
            let due = c.due.map_or("—".to_owned(), |d| d.to_string());
            let state = format!("{}{}", c.state.name(), marks(c.unsupported, c.one_sided));
            vec![c.id.to_string(), state, due, c.made.to_string(), c.text.clone()]
        })
        .collect()
}
