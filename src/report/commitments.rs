//! The commitments report: every commitment (or those in one headline state), track by
//! track — who owes it, when it was made, its headline state and the three axes it is
//! derived from (progress, schedule, activity), its Peace Accords Matrix score, its
//! deadlines (the latest of each milestone rules), and what parties, courts and
//! monitors did or said about it: fulfilments, suspensions, withdrawals, replacements,
//! reaffirmations, reports that it is not kept, and the events behind it.
//!
//! Presentation only: the states are the fold's (`projection::status`). The words for
//! a commitment's axes are here, and `status` and `explain` use them too.

use serde::Serialize;

use super::doc::Doc;
use super::provenance::{self, Notes};
use super::{Format, Output, Scope, at, in_scope, mark_notes, marks, tracks_json, view_line};
use crate::date::{Deadline, Span};
use crate::projection::Header;
use crate::projection::status::{Activity, CommitmentStatus, DeadlineEntry, PartyAct, Progress, Schedule, TrackStatus};

#[derive(Serialize)]
struct CommitmentsOf<'a> {
    id: &'a str,
    title: &'a str,
    commitments: Vec<&'a CommitmentStatus>,
}

/// The commitments report of `tracks` (those in `scope`, and of them the commitments
/// in its state) in `format`.
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
        return csv(&tracks, scope);
    }
    if format == Format::Mermaid {
        return super::mermaid::gantt(head, &tracks, |t| filtered(t, scope));
    }
    match Output::of(format, layout) {
        Output::Json => tracks_json(head, &tracks, |t| CommitmentsOf {
            id: t.id.as_str(),
            title: &t.title,
            commitments: filtered(t, scope),
        }),
        Output::Doc(doc) => document(doc, head, &tracks, scope, notes),
    }
}

fn filtered<'a>(t: &'a TrackStatus, scope: &Scope) -> Vec<&'a CommitmentStatus> {
    t.commitments.iter().filter(|c| scope.state.is_none_or(|s| c.state == s)).collect()
}

/// One row per commitment, with every axis (projections/README.md names each column).
fn csv(tracks: &[TrackStatus], scope: &Scope) -> String {
    use super::csv::{Table, date, flag, maybe_date, seqs};
    let mut table = Table::new([
        "track",
        "commitment",
        "text",
        "parties",
        "made",
        "made_precision",
        "state",
        "progress",
        "schedule",
        "activity",
        "pam",
        "standing",
        "due",
        "next_due",
        "fulfilled",
        "fulfilled_precision",
        "fulfilled_seq",
        "quiet_since",
        "unsupported",
        "one_sided",
        "evidence",
    ]);
    for t in tracks {
        for c in filtered(t, scope) {
            let [made, made_precision] = date(&c.made);
            let [fulfilled, fulfilled_precision] = maybe_date(c.fulfilled.as_ref().map(|f| &f.date));
            let day = |d: Option<chrono::NaiveDate>| d.map_or(String::new(), |d| d.to_string());
            table.row([
                t.id.to_string(),
                c.id.to_string(),
                c.text.clone(),
                parties_cell(c),
                made,
                made_precision,
                c.state.name().to_owned(),
                c.progress.name().to_owned(),
                c.schedule.name().to_owned(),
                c.activity.name().to_owned(),
                c.pam.to_string(),
                flag(c.standing),
                day(c.due),
                day(c.next_due),
                fulfilled,
                fulfilled_precision,
                c.fulfilled.as_ref().map_or(String::new(), |f| f.seq.to_string()),
                c.quiet_since.to_string(),
                flag(c.unsupported),
                flag(c.one_sided),
                seqs(&c.evidence),
            ]);
        }
    }
    table.finish()
}

/// The parties owing a commitment, by code, in one cell.
fn parties_cell(c: &CommitmentStatus) -> String {
    c.parties.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" ")
}

fn document(mut doc: Doc, head: &Header, tracks: &[TrackStatus], scope: &Scope, notes: &Notes) -> String {
    doc.title(&format!("Commitments — {}", view_line(head)));
    doc.stamp(head, &notes.stamp);
    let mut any = false;
    for t in tracks {
        let cs = filtered(t, scope);
        if cs.is_empty() {
            continue;
        }
        any = true;
        doc.heading(&format!("{} [{}]", t.title, t.id));
        for c in cs {
            doc.fields_citing(&rows(c), &[("state", provenance::commitment_state(c))]);
        }
    }
    if !any {
        doc.para("No commitment matches in this view.");
    }
    let shown = || tracks.iter().flat_map(|t| filtered(t, scope));
    mark_notes(&mut doc, shown().any(|c| c.unsupported), shown().any(|c| c.one_sided));
    doc.finish_citing(notes)
}

/// The fields of one commitment: the state, its axes, its score and its deadlines
/// always; every other row only when it has something to say.
fn rows(c: &CommitmentStatus) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("commitment", c.id.to_string()),
        ("text", c.text.clone()),
        ("owed by", parties(c.parties.iter().map(|p| p.as_str()))),
        ("made", c.made.to_string()),
        ("state", format!("{}{}", c.state.name(), marks(c.unsupported, c.one_sided))),
        ("progress", progress(c)),
        ("schedule", c.schedule.words().to_owned()),
        ("activity", activity(c)),
        ("PAM score", format!("{} of 3", c.pam)),
    ];
    rows.extend(deadline_rows(c));
    if let Some(due) = c.next_due {
        rows.push(("next due", due.to_string()));
    }
    if let Some(f) = &c.fulfilled {
        rows.push(("fulfilled", at(f)));
    }
    if !c.partly_fulfilled.is_empty() {
        let steps: Vec<String> = c
            .partly_fulfilled
            .iter()
            .map(|p| {
                let by = p.party.as_ref().map_or(String::new(), |x| format!("{x} "));
                let score = p.score.map_or(String::new(), |s| format!(", scored {s}"));
                format!("{by}{}{score}", at(&p.at))
            })
            .collect();
        rows.push(("partly met", steps.join("; ")));
    }
    if !c.fulfilled_by.is_empty() {
        let mut line = party_acts(&c.fulfilled_by);
        let owing: Vec<&str> = c
            .parties
            .iter()
            .filter(|p| !c.fulfilled_by.iter().any(|f| f.party.as_ref() == Some(p)))
            .map(|p| p.as_str())
            .collect();
        if c.fulfilled.is_none() && !owing.is_empty() {
            line.push_str(&format!("; still owed by {}", parties(owing)));
        }
        rows.push(("fulfilled by", line));
    }
    for s in &c.suspensions {
        let mut line = at(&s.since);
        if let Some(by) = &s.by {
            line.push_str(&format!(" by {by}"));
        }
        if let Some(authority) = &s.authority {
            line.push_str(&format!(" by {authority}"));
        }
        if let Some(conditions) = &s.conditions {
            line.push_str(&format!("; to resume: {conditions}"));
        }
        match &s.resumed {
            Some(r) => {
                line.push_str(&format!("; resumed {}", at(r)));
                if let Some(by) = &s.resumed_by {
                    line.push_str(&format!(" by {by}"));
                }
            }
            None => line.push_str("; not resumed"),
        }
        rows.push(("suspended", line));
    }
    if !c.withdrawn_by.is_empty() {
        let mut line = party_acts(&c.withdrawn_by);
        if !matches!(c.progress, Progress::Withdrawn | Progress::Superseded) {
            let standing: Vec<&str> = c
                .parties
                .iter()
                .filter(|p| !c.withdrawn_by.iter().any(|w| w.party.as_ref() == Some(p)))
                .map(|p| p.as_str())
                .collect();
            line.push_str(&format!("; it stands for {}", parties(standing)));
        }
        rows.push(("withdrawn by", line));
    }
    if let Some(s) = &c.superseded_by {
        rows.push(("superseded by", format!("{} on {}", s.commitment, at(&s.at))));
    }
    if !c.supersedes.is_empty() {
        let replaced: Vec<String> = c.supersedes.iter().map(|s| format!("{} on {}", s.commitment, at(&s.at))).collect();
        rows.push(("supersedes", replaced.join("; ")));
    }
    if !c.reaffirmed.is_empty() {
        rows.push(("reaffirmed", party_acts(&c.reaffirmed)));
    }
    for r in &c.reported_unmet {
        let against = r.against.as_ref().map_or(String::new(), |p| format!(" against {p}"));
        rows.push(("reported", format!("{} by {}{against}, {}", r.finding.words(), r.reporter, at(&r.at))));
    }
    rows.push(("evidence", c.evidence.iter().map(|s| format!("seq {s}")).collect::<Vec<_>>().join(", ")));
    rows
}

/// Parties by code, or "none".
fn parties<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    let codes: Vec<&str> = codes.into_iter().collect();
    if codes.is_empty() { "none".to_owned() } else { codes.join(", ") }
}

/// Each party's act and when; `jointly` for all owing it together.
fn party_acts(acts: &[PartyAct]) -> String {
    acts.iter()
        .map(|a| match (&a.party, &a.who) {
            (Some(p), _) => format!("{p} {}", at(&a.at)),
            (None, Some(who)) => format!("by {who} {}", at(&a.at)),
            (None, None) => format!("jointly {}", at(&a.at)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Its progress in words, with since when it is suspended or what replaced it.
pub(super) fn progress(c: &CommitmentStatus) -> String {
    match (c.progress, c.suspensions.last(), &c.superseded_by) {
        (Progress::Suspended, Some(s), _) => format!("suspended since {}", at(&s.since)),
        (Progress::Superseded, _, Some(r)) => format!("superseded by {}", r.commitment),
        (p, _, _) => p.words().to_owned(),
    }
}

/// Its activity in words, with since when it is stalled.
pub(super) fn activity(c: &CommitmentStatus) -> String {
    match c.activity {
        Activity::Stalled => format!("stalled since {}", c.quiet_since),
        a => a.words().to_owned(),
    }
}

/// The headline and its three axes and score on one line, as `explain` states it.
pub(super) fn axes(c: &CommitmentStatus) -> String {
    format!(
        "{} · progress {} · schedule {} · activity {} · PAM {}",
        c.state.name(),
        progress(c),
        c.schedule.words(),
        activity(c),
        c.pam
    )
}

/// One row per deadline, oldest first: the ruling one of each milestone (`deadline`)
/// with its verdict, and the earlier ones a later amendment replaced (`superseded`).
fn deadline_rows(c: &CommitmentStatus) -> Vec<(&'static str, String)> {
    if c.deadlines.is_empty() {
        return vec![("deadline", "none".to_owned())];
    }
    c.deadlines
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut line = format!("{} → {}", stated(&d.deadline, d), when(d));
            if let Some(verdict) = d.schedule.filter(|s| !matches!(s, Schedule::Awaiting | Schedule::Vague)) {
                line.push_str(&format!(": {}", verdict.words()));
            }
            line.push_str(&format!(" (seq {})", d.seq));
            let replaced = c.deadlines[i + 1..].iter().find(|later| later.milestone == d.milestone);
            match replaced {
                Some(later) if !d.rules => {
                    line.push_str(&format!(", replaced by seq {}", later.seq));
                    ("superseded", line)
                }
                _ => ("deadline", line),
            }
        })
        .collect()
}

/// A deadline as stated: its milestone, the source's words, its date or span and what
/// the span counts from, and whether the date is the analyst's reading of the words.
fn stated(d: &Deadline, entry: &DeadlineEntry) -> String {
    let mut out = entry.milestone.words().to_owned();
    if let Some(words) = &d.words {
        out.push_str(&format!(" \u{201c}{words}\u{201d}"));
    }
    if let Some(span) = d.span {
        out.push_str(&format!(" {span}"));
    }
    if let Some(anchor) = &d.of {
        out.push_str(&format!(" of {anchor}"));
    }
    if d.interpreted {
        out.push_str(" (the analyst's interpretation)");
    }
    out
}

/// When a deadline falls due: its day, what it awaits, or no date at all.
fn when(d: &DeadlineEntry) -> String {
    match (d.due, d.deadline.span, &d.deadline.of) {
        (Some(due), _, _) => match &d.counts_from {
            Some(from) => format!("due {due}, counted from {}", at(from)),
            None => format!("due {due}"),
        },
        (None, None, _) => "no date (vague)".to_owned(),
        (None, Some(Span::Days(_) | Span::Months(_)), Some(anchor)) => format!("awaiting {anchor}"),
        // A span beyond the calendar chrono counts in; validation keeps such dates out.
        (None, Some(_), _) => "no date".to_owned(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    //! The rows a commitment's acts bring, from events through the fold to the text.

    use std::collections::BTreeSet;

    use super::*;
    use crate::env::Ids;
    use crate::event::{Event, Hash, Record, parse_line};
    use crate::projection::View;
    use crate::projection::status::status;

    const OPEN: &str = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2000-01","payload":{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]},"sources":[{"title":"S"}]}"#;

    pub(in crate::report) fn ev(kind: &str, occurred: &str, payload: &str, extra: &str) -> String {
        format!(
            r#"{{"kind":"{kind}","version":1,"tracks":["x-y"],"occurred":"{occurred}","payload":{payload},"sources":[{{"title":"S"}}]{extra}}}"#
        )
    }

    pub(in crate::report) fn made(deadlines: &str) -> String {
        ev(
            "commitment_made",
            "2000-01-10",
            &format!(r#"{{"commitment":"c","parties":["x","y"],"text":"Do it"{deadlines}}}"#),
            "",
        )
    }

    /// The tracks the events `given` (after the track's opening) give as of `as_of`.
    pub(in crate::report) fn tracks(given: &[String], as_of: &str) -> Vec<TrackStatus> {
        let view = View { as_of: as_of.parse().expect("day"), known_at: None, stall_days: 180 };
        status(&records(given), &BTreeSet::new(), &view)
    }

    /// The records of the track's opening (seq 1) and the events `given` (seq 2 on).
    pub(in crate::report) fn records(given: &[String]) -> Vec<Record> {
        let mut prev = Hash::GENESIS;
        [OPEN.to_owned()]
            .iter()
            .chain(given)
            .enumerate()
            .map(|(i, l)| {
                let seq = i as u64 + 1;
                let event = Event {
                    id: Ids::Seeded(1).event_id(seq),
                    recorded_at: chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(seq as i64),
                    recorded_by: "t".to_owned(),
                    facts: parse_line(l).expect("valid line").facts,
                };
                let r = Record::chain(seq, event, prev);
                prev = r.hash;
                r
            })
            .collect()
    }

    fn text(given: &[String], as_of: &str) -> Vec<(&'static str, String)> {
        rows(&tracks(given, as_of)[0].commitments[0])
    }

    fn row(rows: &[(&'static str, String)], label: &str) -> Vec<String> {
        rows.iter().filter(|(k, _)| *k == label).map(|(_, v)| v.clone()).collect()
    }

    #[test]
    fn the_state_its_axes_score_and_deadline_are_always_shown_and_empty_rows_never() {
        let rows = text(&[made("")], "2000-02-01");
        let labels: Vec<&str> = rows.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            labels,
            ["commitment", "text", "owed by", "made", "state", "progress", "schedule", "activity", "PAM score"]
                .into_iter()
                .chain(["deadline", "evidence"])
                .collect::<Vec<_>>()
        );
        assert_eq!(row(&rows, "deadline"), ["none"]);
        assert_eq!(row(&rows, "progress"), ["not started"]);
    }

    #[test]
    fn a_suspension_shows_who_on_what_terms_and_its_resumption() {
        let suspend = ev(
            "commitment_suspended",
            "2000-02-11",
            r#"{"commitment":"c","authority":"the High Court","reason":"R","conditions":"a ruling on appeal"}"#,
            "",
        );
        let resume = ev("commitment_resumed", "2000-05-30", r#"{"commitment":"c","by":"x"}"#, "");
        let rows = text(&[made(""), suspend.clone()], "2000-03-01");
        assert_eq!(row(&rows, "state"), ["suspended"]);
        assert_eq!(row(&rows, "progress"), ["suspended since 2000-02-11 (seq 3)"]);
        assert_eq!(
            row(&rows, "suspended"),
            ["2000-02-11 (seq 3) by the High Court; to resume: a ruling on appeal; not resumed"]
        );
        let rows = text(&[made(""), suspend, resume], "2000-06-01");
        assert_eq!(row(&rows, "progress"), ["not started"]);
        assert!(row(&rows, "suspended")[0].ends_with("; resumed 2000-05-30 (seq 4) by x"));
    }

    #[test]
    fn one_partys_withdrawal_leaves_it_standing_for_the_others() {
        let w = ev("commitment_withdrawn", "2000-03", r#"{"commitment":"c","by":"x","reason":"R"}"#, "");
        let rows = text(&[made(""), w], "2000-04-01");
        assert_eq!(row(&rows, "withdrawn by"), ["x 2000-03 (seq 3); it stands for y"]);
        assert_ne!(row(&rows, "state"), ["withdrawn"]);
    }

    #[test]
    fn deadlines_show_milestone_verdict_words_anchor_and_the_amended_one() {
        let deadlines = r#","deadline":{"by":"2000-03"},"deadlines":[{"milestone":"begin","within_days":14,"of":{"commitment":"d"}}]"#;
        let amend = ev(
            "deadline_amended",
            "2000-02-20",
            r#"{"commitment":"c","deadline":{"by":"2000-06","words":"before the summer","interpreted":true}}"#,
            "",
        );
        let rows = text(&[made(deadlines), amend], "2000-04-01");
        assert_eq!(row(&rows, "superseded"), ["complete by 2000-03 → due 2000-03-31 (seq 2), replaced by seq 3"]);
        assert_eq!(
            row(&rows, "deadline"),
            [
                "begin within 14 days of the fulfilment of commitment d → awaiting the fulfilment of commitment d \
                 (seq 2)",
                "complete \u{201c}before the summer\u{201d} by 2000-06 (the analyst's interpretation) → due \
                 2000-06-30: due (seq 3)",
            ]
        );
        assert_eq!(row(&rows, "next due"), ["2000-06-30"]);
        let vague = text(&[made(r#","deadlines":[{"words":"as soon as possible"}]"#)], "2000-04-01");
        assert_eq!(row(&vague, "deadline"), ["complete \u{201c}as soon as possible\u{201d} → no date (vague) (seq 2)"]);
        assert_eq!(row(&vague, "schedule"), ["vague"]);
    }

    #[test]
    fn reaffirmations_reports_and_partial_fulfilments_have_their_rows() {
        let reaffirm = ev("commitment_reaffirmed", "2000-02", r#"{"commitment":"c","by":[]}"#, "");
        let by_x = ev("commitment_reaffirmed", "2000-03", r#"{"commitment":"c","by":["x"]}"#, "");
        let report = ev(
            "commitment_reported_unmet",
            "2000-04",
            r#"{"commitment":"c","reporter":"monitor","monitor":"SMM","finding":"breach","against":"y","summary":"S"}"#,
            "",
        );
        let part = ev("commitment_fulfilled", "2000-05", r#"{"commitment":"c","by":"x","summary":"S"}"#, "");
        let rows = text(&[made(""), reaffirm, by_x, report, part], "2000-06-01");
        assert_eq!(row(&rows, "reaffirmed"), ["jointly 2000-02 (seq 3); x 2000-03 (seq 4)"]);
        assert_eq!(row(&rows, "reported"), ["breach by SMM against y, 2000-04 (seq 5)"]);
        assert_eq!(row(&rows, "fulfilled by"), ["x 2000-05 (seq 6); still owed by y"]);
        assert_eq!(row(&rows, "progress"), ["partially fulfilled"]);
    }

    #[test]
    fn a_replacement_is_shown_both_ways() {
        let other = ev("commitment_made", "2000-01-20", r#"{"commitment":"d","parties":["x"],"text":"Other"}"#, "");
        let sup = ev("commitment_superseded", "2000-02", r#"{"commitment":"c","replacement":"d"}"#, "");
        let t = &tracks(&[made(""), other, sup], "2000-03-01")[0];
        let by_id = |id: &str| rows(t.commitments.iter().find(|c| c.id.as_str() == id).expect("commitment"));
        assert_eq!(row(&by_id("c"), "superseded by"), ["d on 2000-02 (seq 4)"]);
        assert_eq!(row(&by_id("c"), "progress"), ["superseded by d"]);
        assert_eq!(row(&by_id("d"), "supersedes"), ["c on 2000-02 (seq 4)"]);
    }

    #[test]
    fn json_gives_the_headline_and_every_axis() {
        let head = Header {
            view: View { as_of: "2000-02-01".parse().expect("day"), known_at: None, stall_days: 180 },
            head: crate::projection::LogHead { seq: 2, hash: None },
        };
        let json = render(
            &head,
            tracks(&[made("")], "2000-02-01"),
            &Scope::default(),
            Format::Json,
            crate::report::Layout::PLAIN,
            &Notes::none(),
        );
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        let c = &v["tracks"][0]["commitments"][0];
        for key in ["state", "progress", "schedule", "activity", "pam", "deadlines", "relations", "one_sided"] {
            assert!(c.get(key).is_some(), "{key} missing from {c}");
        }
        assert_eq!((c["progress"].as_str(), c["schedule"].as_str()), (Some("not_started"), Some("no_deadline")));
    }
}
