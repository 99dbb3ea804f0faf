//! The evidence behind a derived state: the status (from the snapshot when it can)
//! names the events, and only those are read, each as it stands at the view.

use crate::event::Kind;
use crate::log::{Backend, Log};
use crate::projection::status::TrackStatus;
use crate::projection::{Header, View, amend};
use crate::report::{Evidence, Subject, subject};

use super::AppError;

/// What `explain` shows about `reference`: the view's header, the subject and its
/// evidence, in the order the subject names it.
pub struct Explained {
    /// The view and where the log ends in it.
    pub header: Header,
    /// The track, principle or commitment.
    pub subject: Subject,
    /// The events behind its state, as they stand at the view.
    pub evidence: Vec<Evidence>,
}

/// Gathers the evidence behind the state of `reference` (a track, principle or
/// commitment) as `view` sees it.
pub fn explain<B: Backend>(log: &Log<B>, view: View, reference: &str) -> Result<Explained, AppError> {
    let (tracks, header): (Vec<TrackStatus>, Header) = super::status::status(log, view)?;
    let subject = subject(&tracks, reference).map_err(AppError::Subject)?;
    let evidence = log.consistent(|reader| {
        let mut evidence = Vec::new();
        for seq in &subject.seqs {
            let Some(record) = reader.by_seq(*seq)? else { continue };
            let amendments: Vec<_> = reader
                .amendments_of(record.event.id)?
                .into_iter()
                .filter(|a| view.known_at.is_none_or(|cut| a.event.recorded_at <= cut))
                .collect();
            let corrected = amendments.iter().any(|a| a.event.facts.kind() == Kind::EventCorrected);
            if let Some((record, disputed)) = amend(&record, &amendments) {
                evidence.push(Evidence { record: record.into_owned(), disputed, corrected });
            }
        }
        Ok::<_, AppError>(evidence)
    })?;
    Ok(Explained { header, subject, evidence })
}
