//! Amendments applied: an event as it stands after the corrections, retractions,
//! disputes and corroborations that speak about it. The one place corrections and
//! corroborations are applied — the projections, `history` and the log's own check of a
//! new correction or corroboration all come here.
//!
//! Pure, and deliberately not a judge: it neither validates a correction (the log did,
//! when it took it) nor decides which amendments a view knows (the caller passes only
//! those; see `projection::View::knows`).

use std::borrow::Cow;

use super::payload::{FieldChange, Payload};
use super::{Event, Record, Source};

/// One amendment that changes what an event says, as applied in log order.
#[derive(Clone, Copy, Debug)]
pub enum Change<'c> {
    /// An `event_corrected`'s changes: fields replaced.
    Corrected(&'c [FieldChange]),
    /// An `event_corroborated`'s sources: added to the event's own, which is then
    /// sourced (`unsourced` false).
    Corroborated(&'c [Source]),
}

impl<'c> Change<'c> {
    /// The change an amendment's payload makes; `None` for a retraction or dispute,
    /// which change nothing the event says.
    pub fn of(payload: &'c Payload, sources: &'c [Source]) -> Option<Change<'c>> {
        match payload {
            Payload::EventCorrected(c) => Some(Change::Corrected(&c.changes)),
            Payload::EventCorroborated(_) => Some(Change::Corroborated(sources)),
            _ => None,
        }
    }
}

/// `event` with `changes` (corrections and corroborations, in log order) applied one
/// after another: borrowed as given when none applied. A correction that does not
/// apply is skipped, as [`apply_corrections`] says.
pub fn apply_changes<'a, 'c>(event: Cow<'a, Event>, changes: impl IntoIterator<Item = Change<'c>>) -> Cow<'a, Event> {
    let mut current = event;
    for change in changes {
        match change {
            Change::Corrected(fields) => {
                if let Ok(next) = current.corrected(fields) {
                    current = Cow::Owned(next);
                }
            }
            Change::Corroborated(sources) => {
                let mut next = current.into_owned();
                next.facts.sources.extend(sources.iter().cloned());
                next.facts.unsourced = false;
                current = Cow::Owned(next);
            }
        }
    }
    current
}

/// `event` with `corrections` (each the changes of one `event_corrected`, in log order)
/// applied one after another: borrowed as given when none applied.
///
/// A correction that does not apply to the event as it then stands is skipped, and the
/// next applies to the event as it was before it. The log refused every correction
/// whose result would be invalid when it took it, so this happens only to a log
/// written by an older version with looser checks; skipping, rather than failing the
/// whole report, is the rule here and nowhere else.
pub fn apply_corrections<'a, C: AsRef<[FieldChange]>>(
    event: Cow<'a, Event>,
    corrections: impl IntoIterator<Item = C>,
) -> Cow<'a, Event> {
    let mut current = event;
    for changes in corrections {
        current = apply_changes(current, [Change::Corrected(changes.as_ref())]);
    }
    current
}

/// An event as it stands after its amendments (`amendments`, in any order): `None`
/// when retracted; otherwise the event with its corrections and corroborations applied
/// in log order (borrowed when there are none) and whether a source disputes it.
pub fn amend<'a>(record: &'a Record, amendments: &[Record]) -> Option<(Cow<'a, Record>, bool)> {
    if amendments.is_empty() {
        return Some((Cow::Borrowed(record), false));
    }
    let mut ordered: Vec<&Record> = amendments.iter().collect();
    ordered.sort_by_key(|r| r.seq);
    let payloads = || ordered.iter().map(|a| &a.event.facts.payload);
    if payloads().any(|p| matches!(p, Payload::EventRetracted(_))) {
        return None;
    }
    let disputed = payloads().any(|p| matches!(p, Payload::EventDisputed(_)));
    let changes = ordered.iter().filter_map(|a| Change::of(&a.event.facts.payload, &a.event.facts.sources));
    let current = match apply_changes(Cow::Borrowed(&record.event), changes) {
        Cow::Borrowed(_) => Cow::Borrowed(record),
        Cow::Owned(event) => {
            Cow::Owned(Record { seq: record.seq, event, prev_hash: record.prev_hash, hash: record.hash })
        }
    };
    Some((current, disputed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventId, Hash, parse_line};

    /// A record at `seq` from an event line without log fields.
    fn record(seq: u64, line: &str) -> Record {
        let line = parse_line(line).expect("a valid line");
        let id = EventId(uuid::Uuid::from_u128(u128::from(seq)));
        let at = chrono::DateTime::from_timestamp(1_700_000_000 + i64::try_from(seq).expect("small"), 0).expect("time");
        let event = Event { id, recorded_at: at, recorded_by: "t".to_owned(), facts: line.facts };
        Record::chain(seq, event, Hash::GENESIS)
    }

    #[test]
    fn corroborations_add_sources_in_log_order_with_corrections_and_source_an_unsourced_event() {
        let target = EventId(uuid::Uuid::from_u128(1));
        let original = record(
            1,
            r#"{"kind":"context_noted","version":1,"tracks":["t"],"occurred":"2024","unsourced":true,"payload":{"summary":"s"}}"#,
        );
        let cite = |seq: u64, title: &str| {
            record(
                seq,
                &format!(
                    r#"{{"kind":"event_corroborated","version":1,"tracks":["t"],"occurred":"2024","sources":[{{"title":"{title}"}}],"payload":{{"target":"{target}"}}}}"#
                ),
            )
        };
        let replace = record(
            3,
            &format!(
                r#"{{"kind":"event_corrected","version":1,"tracks":["t"],"occurred":"2024","payload":{{"target":"{target}","reason":"r","changes":[{{"field":"sources","to":[{{"title":"B"}}]}}]}}}}"#
            ),
        );
        let titles = |amendments: &[Record]| -> Vec<String> {
            let (now, disputed) = amend(&original, amendments).expect("stands");
            assert!(!disputed);
            assert_eq!(now.event.facts.unsourced, now.event.facts.sources.is_empty());
            now.event.facts.sources.iter().map(|s| s.title.clone()).collect()
        };
        // Known before the corroboration: unsourced; after it, sourced by what it added.
        assert_eq!(titles(&[]), Vec::<String>::new());
        assert_eq!(titles(&[cite(2, "A")]), ["A"]);
        // In log order, whatever order they are handed in: the correction replaces A,
        // the later corroboration adds C.
        assert_eq!(titles(&[cite(4, "C"), replace.clone(), cite(2, "A")]), ["B", "C"]);
    }
}
