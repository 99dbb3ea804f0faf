//! The history projection: one event as first recorded, each correction, retraction,
//! dispute and corroboration of it in order — what each correction changed, from what
//! to what; the sources each corroboration added (its own) — and the event as it now
//! stands.
//!
//! Corrections and corroborations are applied by [`crate::event::correct`], the one applier, step by
//! step. Which amendments count is the caller's choice (`history` shows every one the
//! log holds); laying it out is `report::history`'s job.

use std::borrow::Cow;

use serde::Serialize;

use super::Replay;
use crate::event::correct::{Change, apply_changes, apply_corrections};
use crate::event::payload::Payload;
use crate::event::{Event, Record};

/// One field a correction changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changed {
    /// The field, as the correction names it (`occurred`, `payload.title`).
    pub field: String,
    /// Its value before, as the canonical body writes it (`null`: absent).
    pub from: serde_json::Value,
    /// Its value after.
    pub to: serde_json::Value,
}

/// One correction, retraction, dispute or corroboration, and what it did.
#[derive(Clone, Debug)]
pub struct Step<'a> {
    /// The amendment, as recorded.
    pub amendment: &'a Record,
    /// Its reason (a correction's or retraction's) or note (a dispute's, or a
    /// corroboration's when it has one).
    pub reason: Option<&'a str>,
    /// The fields a correction changed (empty for the others: a corroboration's added
    /// sources are its own `sources`).
    pub changes: Vec<Changed>,
}

/// An event's history.
#[derive(Clone, Debug)]
pub struct History<'a> {
    /// The event as first recorded.
    pub original: &'a Record,
    /// Every amendment, in the order given (log order).
    pub steps: Vec<Step<'a>>,
    /// A retraction is among them.
    pub retracted: bool,
    /// A dispute is among them.
    pub disputed: bool,
    /// The event with every correction and corroboration applied.
    pub current: Event,
}

/// An event's canonical body as a JSON value: what a history shows an event, and each
/// changed field, as.
pub fn body(e: &Event) -> serde_json::Value {
    serde_json::from_str(&e.body_json()).expect("a canonical body is the JSON entente wrote")
}

/// The history of `original` through `amendments` (in log order).
pub fn history<'a>(original: &'a Record, amendments: impl IntoIterator<Item = &'a Record>) -> History<'a> {
    let field_of = |v: &serde_json::Value, field: &str| match field.split_once('.') {
        Some((head, key)) => v[head][key].clone(),
        None => v[field].clone(),
    };
    let mut current = original.event.clone();
    let mut steps = Vec::new();
    let mut retracted = false;
    let mut disputed = false;
    for amendment in amendments {
        let (reason, changes) = match &amendment.event.facts.payload {
            Payload::EventCorrected(c) => {
                let before = body(&current);
                current = apply_corrections(Cow::Owned(current), [&c.changes]).into_owned();
                let after = body(&current);
                let changes = c
                    .changes
                    .iter()
                    .map(|ch| Changed {
                        field: ch.field.clone(),
                        from: field_of(&before, &ch.field),
                        to: field_of(&after, &ch.field),
                    })
                    .collect();
                (Some(c.reason.as_str()), changes)
            }
            Payload::EventRetracted(r) => {
                retracted = true;
                (Some(r.reason.as_str()), Vec::new())
            }
            Payload::EventDisputed(d) => {
                disputed = true;
                (Some(d.note.as_str()), Vec::new())
            }
            Payload::EventCorroborated(c) => {
                current = apply_changes(Cow::Owned(current), [Change::Corroborated(&amendment.event.facts.sources)])
                    .into_owned();
                (c.note.as_deref(), Vec::new())
            }
            _ => (None, Vec::new()),
        };
        steps.push(Step { amendment, reason, changes });
    }
    History { original, steps, retracted, disputed, current }
}

/// The history of every event `replay` knows to have been corrected, retracted or
/// disputed, in log order.
pub fn histories(replay: &Replay) -> Vec<History<'_>> {
    replay
        .all_records()
        .into_iter()
        .filter_map(|r| {
            let amendments = replay.amendments_of(r.event.id);
            (!amendments.is_empty()).then(|| history(r, amendments))
        })
        .collect()
}
