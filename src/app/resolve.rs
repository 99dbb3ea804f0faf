//! Finding the event a user means: a full id, a unique id prefix of 4 or more hex
//! digits, or a seq number.

use crate::event::{EventId, Record};
use crate::log::{Backend, Log};

use super::AppError;

/// The largest seq a log can hold (a signed 64-bit integer in every backend).
pub const MAX_SEQ: u64 = i64::MAX as u64;

/// Why a reference finds no one event.
#[expect(missing_docs, reason = "variant fields are self-describing and shown in the messages")]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// A seq beyond any log.
    #[error("seq {seq} is beyond the largest a log can hold ({MAX_SEQ})")]
    SeqTooLarge { seq: String },
    /// An id prefix that matches more than one event.
    #[error("`{reference}` matches several events; give more of the id")]
    Ambiguous { reference: String },
    /// Not the shape of any reference.
    #[error("`{reference}` is neither an event id, an id prefix of 4 or more hex digits, nor a seq number")]
    Malformed { reference: String },
    /// Well formed, but no event in the log has it.
    #[error("no event `{reference}` in {log}")]
    NoSuchEvent { reference: String, log: String },
}

/// The event `reference` means (surrounding spaces ignored).
pub fn resolve<B: Backend>(log: &Log<B>, reference: &str) -> Result<Record, AppError> {
    let r = reference.trim();
    // Digits are a seq (an id prefix made only of digits is not told apart from one).
    let digits = !r.is_empty() && r.len() < 32 && r.bytes().all(|b| b.is_ascii_digit());
    let too_large = || ReferenceError::SeqTooLarge { seq: r.to_owned() };
    let record = log.consistent(|reader| -> Result<Option<Record>, AppError> {
        Ok(if digits {
            let seq = r.parse::<u64>().ok().filter(|s| *s <= MAX_SEQ).ok_or_else(too_large)?;
            reader.by_seq(seq)?
        } else if let Ok(seq) = r.parse::<u64>() {
            if seq > MAX_SEQ {
                return Err(ReferenceError::SeqTooLarge { seq: seq.to_string() }.into());
            }
            reader.by_seq(seq)?
        } else if let Ok(uuid) = uuid::Uuid::parse_str(r) {
            reader.by_id(EventId(uuid))?
        } else if r.len() >= 4 && r.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            match reader.ids_with_prefix(r, 2)?.as_slice() {
                [one] => reader.by_id(*one)?,
                [] => None,
                _ => return Err(ReferenceError::Ambiguous { reference: r.to_owned() }.into()),
            }
        } else {
            return Err(ReferenceError::Malformed { reference: r.to_owned() }.into());
        })
    })?;
    record.ok_or_else(|| {
        ReferenceError::NoSuchEvent { reference: r.to_owned(), log: log.backend().location().display().to_string() }
            .into()
    })
}
