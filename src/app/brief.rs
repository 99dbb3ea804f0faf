//! The brief's read of the log: a replay of the log as it stood at a seq, which is what
//! `brief --check` re-renders a brief from (a log that has grown since still gives the
//! brief it gave then). Rendering is `report::html`'s.

use crate::log::{Backend, Filter, Log};
use crate::projection::{Replay, View};

use super::AppError;

/// Replays the log up to seq `until` (all of it when `None`) into `view`.
pub fn replay_until<B: Backend>(log: &Log<B>, view: View, until: Option<u64>) -> Result<Replay, AppError> {
    let mut replay = Replay::new(view);
    log.records(&Filter { until, ..Filter::default() }, |record| {
        // Replay holds every record; the log lends them.
        replay.push(record.clone());
        Ok::<(), AppError>(())
    })?;
    Ok(replay)
}
