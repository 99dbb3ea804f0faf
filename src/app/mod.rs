//! The use cases, over any [`crate::log::Backend`]: what a command line, a server or
//! any other front end runs to take events in ([`ingest`]), see where the tracks stand
//! ([`status`]: the snapshot policy), gather the evidence behind a state ([`explain`])
//! and find the event a user means ([`resolve`]); a spreadsheet's rows become events
//! through a column mapping ([`sheet`]). Each returns an [`AppError`] that
//! carries data; the words that name commands and flags are the front end's.

pub mod brief;
pub mod explain;
pub mod ingest;
pub mod project;
pub mod resolve;
pub mod sheet;
pub mod status;

use crate::log::LogError;

/// A failure of a use case.
#[expect(missing_docs, reason = "variant fields are self-describing and shown in the messages")]
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The log refused or failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// Input lines were rejected (nothing was written); `input` names where they came
    /// from.
    /// `source` is always [`LogError::Rejected`].
    #[error("{input}: {source}")]
    Rejected { input: String, source: LogError },
    /// An input could not be read.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// An input that had to be a whole, unedited export is not one.
    #[error("{what}; nothing was imported")]
    Unverified { what: String },
    /// A reference names no event, or several.
    #[error(transparent)]
    Reference(#[from] resolve::ReferenceError),
    /// What `explain` was asked about is no track, principle, commitment, condition or instrument in the view.
    #[error("no such track, principle, commitment, condition or instrument in this view")]
    NoSubject,
}
