//! The explain report: how a track, principle, commitment, instrument or condition came
//! to its state — the state in words (a commitment's with its three axes and score and
//! the conditions it waits on; a condition's with what it blocks) and the chain of events
//! behind it, each with seq, date, how it relates to a commitment, whose account
//! it is and how far confirmed, caveats and sources.
//!
//! Presentation only: the subject and its evidence are `projection::explain`'s.

use chrono::NaiveDate;
use serde::Serialize;

use super::doc::Doc;
use super::provenance::{Notes, Stamp};
use super::{Format, Output, ViewHead, at, source_line, view_line};
use crate::date::PartialDate;
use crate::event::{Confidence, Party, Source};
use crate::projection::Header;
use crate::projection::explain::{Evidence, Subject};
use crate::projection::status::{Activity, ConditionStatus, Progress, Relation, Schedule, Waiting};

#[derive(Serialize)]
struct Explained<'a> {
    #[serde(flatten)]
    view: ViewHead,
    reference: &'a str,
    subject: &'static str,
    state: String,
    /// A commitment's three axes and score; `null` for a track or principle.
    axes: Option<Axes>,
    /// The conditions a commitment waits on (left out when none).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    conditions: &'a [Waiting],
    evidence: Vec<EvidenceEvent<'a>>,
}

/// A commitment's axes, by name, its score and its ruling due day.
#[derive(Serialize)]
struct Axes {
    progress: Progress,
    schedule: Schedule,
    activity: Activity,
    pam: u8,
    due: Option<NaiveDate>,
}

#[derive(Serialize)]
struct EvidenceEvent<'a> {
    seq: u64,
    id: String,
    occurred: PartialDate,
    kind: &'static str,
    what: String,
    /// How it relates to a commitment (empty for a track or principle).
    relations: Vec<Relating<'a>>,
    confidence: Option<Confidence>,
    attribution: Option<&'a Party>,
    unsourced: bool,
    disputed: bool,
    corrected: bool,
    sources: &'a [Source],
    /// The occasion it belongs to, when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    occasion: Option<&'a crate::event::OccasionId>,
}

/// One way an event relates to a commitment, and whose act it is.
#[derive(Serialize)]
struct Relating<'a> {
    relation: Relation,
    /// The parties acting; empty for all that owe it (or none in particular).
    by: &'a [Party],
}

impl Relating<'_> {
    /// "reaffirms (by am)".
    fn words(&self) -> String {
        let by: Vec<&str> = self.by.iter().map(|p| p.as_str()).collect();
        match by.as_slice() {
            [] => self.relation.words().to_owned(),
            by => format!("{} (by {})", self.relation.words(), by.join(", ")),
        }
    }
}

/// What kind of thing the subject is, as the report names it.
pub(super) fn kind(subject: &Subject<'_>) -> &'static str {
    match subject {
        Subject::Track(_) => "track",
        Subject::Principle(_) => "principle",
        Subject::Commitment(_) => "commitment",
        Subject::Condition(_) => "condition",
        Subject::Instrument(_) => "instrument",
    }
}

/// The subject's state, in words.
pub(super) fn state(subject: &Subject<'_>) -> String {
    match subject {
        Subject::Track(t) => format!("{} since {}", t.stage.name(), at(&t.stage_since)),
        Subject::Principle(p) => format!("{} since {}", p.state.name(), p.last),
        Subject::Commitment(c) => super::commitments::axes(c),
        Subject::Condition(c) => condition_state(c),
        Subject::Instrument(i) => format!("{} since {}", i.stage.name(), at(&i.stage_since)),
    }
}

/// A condition's state in words: `met (reached) since 2023-05-02 (seq 8) · blocks
/// commitment:ferry`, with what waits on what.
fn condition_state(c: &ConditionStatus) -> String {
    let how = if c.automatic { " (reached)" } else { "" };
    let blocks = if c.blocking { "blocks" } else { "does not block" };
    format!("{}{how} since {} · {blocks} {} · waits on {}", c.state.name(), at(&c.since), c.subject, c.on)
}

/// The conditions a commitment waits on, in words: `k open, blocking; m met`.
fn waiting_words(conditions: &[Waiting]) -> String {
    let each: Vec<String> = conditions
        .iter()
        .map(|w| format!("{} {}{}", w.condition, w.state.name(), if w.blocking { ", blocking" } else { "" }))
        .collect();
    each.join("; ")
}

/// Explains how `subject` (what `reference` names) came to its state, from the events
/// behind it (`evidence`, in world order), in `format`.
pub fn render(
    head: &Header,
    reference: &str,
    subject: &Subject<'_>,
    evidence: &[Evidence],
    format: Format,
    layout: super::Layout,
    stamp: &Stamp,
) -> String {
    let notes = Notes::of_evidence(stamp.clone(), evidence);
    let evidence: Vec<EvidenceEvent<'_>> = evidence
        .iter()
        .map(|e| {
            let r = &e.record;
            let facts = &r.event.facts;
            EvidenceEvent {
                disputed: e.disputed,
                corrected: e.corrected,
                seq: r.seq,
                id: r.event.id.to_string(),
                occurred: facts.occurred,
                kind: facts.kind().name(),
                what: crate::render::headline(&r.event),
                relations: subject
                    .relations(r.seq)
                    .into_iter()
                    .map(|rel| Relating { relation: rel.relation, by: &rel.by })
                    .collect(),
                confidence: facts.account.confidence,
                attribution: facts.account.attribution.as_ref(),
                unsourced: facts.unsourced,
                sources: &facts.sources,
                occasion: facts.occasion.as_ref(),
            }
        })
        .collect();
    let axes = match subject {
        Subject::Commitment(c) => {
            Some(Axes { progress: c.progress, schedule: c.schedule, activity: c.activity, pam: c.pam, due: c.due })
        }
        Subject::Track(_) | Subject::Principle(_) | Subject::Condition(_) | Subject::Instrument(_) => None,
    };
    let conditions: &[Waiting] = match subject {
        Subject::Commitment(c) => &c.conditions,
        _ => &[],
    };
    match Output::of(format, layout) {
        Output::Json => super::document(
            head.head,
            &Explained {
                view: ViewHead::of(head),
                reference,
                subject: kind(subject),
                state: state(subject),
                axes,
                conditions,
                evidence,
            },
        ),
        Output::Doc(doc) => document(doc, head, reference, subject, &evidence, &notes),
    }
}

fn document(
    mut doc: Doc,
    head: &Header,
    reference: &str,
    subject: &Subject<'_>,
    evidence: &[EvidenceEvent<'_>],
    notes: &Notes,
) -> String {
    doc.title(&format!("Explain {} {reference} — {}", kind(subject), view_line(head)));
    doc.stamp(head, &notes.stamp);
    let mut rows = vec![("state", state(subject))];
    if let Subject::Commitment(c) = subject {
        rows.extend(c.due.map(|d| ("due", d.to_string())));
        if !c.conditions.is_empty() {
            rows.push(("conditions", waiting_words(&c.conditions)));
        }
    }
    if let Subject::Instrument(i) = subject {
        let role = if i.principal { "principal" } else { "side text" };
        rows.push(("type", format!("{} · {role}", i.instrument_type.name())));
        for m in &i.stage_history {
            rows.push(("stage", format!("{} {}", m.stage.name(), at(&m.at))));
        }
    }
    doc.fields_citing(&rows, &[("state", subject.seqs())]);
    doc.heading("Evidence, in world order");
    for e in evidence {
        let mut rows =
            vec![("event", format!("seq {} · {} · {}", e.seq, e.occurred, e.kind)), ("what", e.what.clone())];
        if !e.relations.is_empty() {
            let words: Vec<String> = e.relations.iter().map(Relating::words).collect();
            rows.push(("relation", words.join("; ")));
        }
        let account = match (e.confidence, e.attribution) {
            (None, None) => None,
            (Some(c), None) => Some(c.words().to_owned()),
            (None, Some(p)) => Some(format!("{p}'s account")),
            (Some(c), Some(p)) => Some(format!("{}, {p}'s account", c.words())),
        };
        rows.extend(account.map(|a| ("account", a)));
        if let Some(o) = e.occasion {
            rows.push(("occasion", format!("{o} (`entente occasion {o}` lists its events)")));
        }
        if e.unsourced {
            rows.push(("source", "none: recorded as unsourced".to_owned()));
        }
        if e.disputed {
            rows.push(("caveat", "disputed by another source (`entente history` shows it)".to_owned()));
        }
        if e.corrected {
            rows.push(("caveat", "corrected since first recorded (`entente history` shows how)".to_owned()));
        }
        for src in e.sources {
            rows.push(("source", source_line(src)));
        }
        doc.fields(&rows);
    }
    doc.finish_citing(notes)
}

#[cfg(test)]
mod tests {
    //! A commitment explained: its axes, and each event with its relations and account.

    use super::*;
    use crate::projection::View;
    use crate::report::commitments::tests::{ev, made, records, tracks};

    #[test]
    fn each_event_says_how_it_relates_and_whose_account_it_is() {
        let reaffirm = ev(
            "statement_made",
            "2000-02-01",
            r#"{"actor":{"name":"A","party":"x"},"summary":"We stand by it"}"#,
            r#","reaffirms":["c"],"confidence":"reported","attribution":"x""#,
        );
        let suspend = ev("commitment_suspended", "2000-02-11", r#"{"commitment":"c","by":"y","reason":"R"}"#, "");
        let given = [made(r#","deadline":{"by":"2000-01"}"#), reaffirm, suspend];
        let (records, tracks) = (records(&given), tracks(&given, "2000-03-01"));
        let subject = Subject::find(&tracks, "c").expect("commitment");
        let evidence: Vec<Evidence> =
            subject.seqs().iter().filter_map(|s| Evidence::of(&records[*s as usize - 1], &[])).collect();
        let view = View { as_of: "2000-03-01".parse().expect("day"), known_at: None, stall_days: 180 };
        let head = Header { view, head: crate::projection::LogHead { seq: 4, hash: None } };
        let text =
            render(&head, "c", &subject, &evidence, Format::Text, crate::report::Layout::PLAIN, &Stamp::unchecked());
        assert!(
            text.contains(
                "state          suspended · progress suspended since 2000-02-11 (seq 4) · schedule overdue \
                 ·"
            ),
            "{text}"
        );
        assert!(text.contains("relation       reaffirms (by x)\n  account        reported, x's account"), "{text}");
        assert!(text.contains("relation       suspends (by y)"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&render(
            &head,
            "c",
            &subject,
            &evidence,
            Format::Json,
            crate::report::Layout::PLAIN,
            &Stamp::unchecked(),
        ))
        .expect("json");
        assert!(text.contains("\n  due            2000-01-31\n"), "{text}");
        assert_eq!(json["axes"]["progress"], "suspended");
        assert_eq!(json["axes"]["due"], "2000-01-31");
        let e = &json["evidence"][1];
        assert_eq!((e["confidence"].as_str(), e["attribution"].as_str()), (Some("reported"), Some("x")));
        assert_eq!(e["relations"][0]["relation"], "reaffirms");
        assert_eq!(e["relations"][0]["by"][0], "x");
        assert_eq!(json["evidence"][0]["relations"][0]["relation"], "made");
    }
}
