//! The evidence behind a derived state: the status (from the snapshot when it can)
//! names the events, and only those are read, each as it stands at the view.

use crate::log::{Backend, Log};
use crate::projection::explain::{Evidence, Subject};
use crate::projection::{Header, View};

use super::AppError;

/// Gathers the evidence behind the state of `reference` (a track, principle, commitment,
/// condition or instrument) as `view` sees it, and hands the view's header, the subject
/// and its evidence (in the order the subject names it) to `show`.
/// [`AppError::NoSubject`] when the view has no such track, principle, commitment,
/// condition or instrument.
pub fn explain<B: Backend, T>(
    log: &Log<B>,
    view: View,
    reference: &str,
    show: impl FnOnce(&Header, &Subject<'_>, &[Evidence]) -> T,
) -> Result<T, AppError> {
    let (tracks, header) = super::status::status(log, view)?;
    let subject = Subject::find(&tracks, reference).ok_or(AppError::NoSubject)?;
    let evidence = evidence(log, view, subject.seqs())?;
    Ok(show(&header, &subject, &evidence))
}

/// The events `seqs`, in that order, each as it stands at `view` (its amendments the
/// view knows applied; a retracted one left out): the evidence behind a state, and
/// what a Markdown brief's footnotes cite.
pub fn evidence<B: Backend>(
    log: &Log<B>,
    view: View,
    seqs: impl IntoIterator<Item = u64>,
) -> Result<Vec<Evidence>, AppError> {
    log.consistent(|reader| {
        let mut evidence = Vec::new();
        for seq in seqs {
            let Some(record) = reader.by_seq(seq)? else { continue };
            let mut amendments = reader.amendments_of(record.event.id)?;
            amendments.retain(|a| view.knows(a.event.recorded_at));
            evidence.extend(Evidence::of(&record, &amendments));
        }
        Ok::<_, AppError>(evidence)
    })
}
