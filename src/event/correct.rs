//! Amendments applied: an event as it stands after the corrections, retractions and
//! disputes that speak about it. The one place corrections are applied — the
//! projections, `history` and the log's own check of a new correction all come here.
//!
//! Pure, and deliberately not a judge: it neither validates a correction (the log did,
//! when it took it) nor decides which amendments a view knows (the caller passes only
//! those; see `projection::View::knows`).

use std::borrow::Cow;

use super::payload::{FieldChange, Payload};
use super::{Event, Record};

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
        if let Ok(next) = current.corrected(changes.as_ref()) {
            current = Cow::Owned(next);
        }
    }
    current
}

/// An event as it stands after its amendments (`amendments`, in any order): `None`
/// when retracted; otherwise the corrected event (borrowed when uncorrected) and
/// whether a source disputes it.
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
    let corrections = payloads().filter_map(|p| match p {
        Payload::EventCorrected(c) => Some(&c.changes),
        _ => None,
    });
    let current = match apply_corrections(Cow::Borrowed(&record.event), corrections) {
        Cow::Borrowed(_) => Cow::Borrowed(record),
        Cow::Owned(event) => {
            Cow::Owned(Record { seq: record.seq, event, prev_hash: record.prev_hash, hash: record.hash })
        }
    };
    Some((current, disputed))
}
