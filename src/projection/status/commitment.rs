//! A commitment's status: its ruling deadline, its state judged at the view's date
//! (fulfilled, late, overdue, stalled …) and its Peace Accords Matrix score, from what
//! the [`super::Fold`] accumulated for it. What is accumulated, and when, is the
//! fold's, not this file's.

use chrono::NaiveDate;
use serde::Serialize;

use super::{At, CommitmentAcc, View};
use crate::date::{Deadline, PartialDate};
use crate::event::{CommitmentId, Party};

crate::names::closed_set! {
    /// The state of a commitment at the report's date.
    pub enum CommitmentState {
        /// Made; no step yet; not due.
        Open => "open",
        /// A step taken; not due.
        InProgress => "in_progress" / "in progress",
        /// Met by its deadline (or it had none).
        Fulfilled => "fulfilled",
        /// Met after its deadline.
        FulfilledLate => "fulfilled_late" / "fulfilled late",
        /// Deadline passed, not met.
        Overdue => "overdue",
        /// No progress for longer than the stall period.
        Stalled => "stalled",
        /// Withdrawn.
        Withdrawn => "withdrawn",
    }
}

/// One deadline a commitment had, and the event that set it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeadlineEntry {
    /// As stated.
    pub deadline: Deadline,
    /// The day it fell due.
    pub due: NaiveDate,
    /// The event that set it.
    pub seq: u64,
}

/// A commitment at the report's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitmentStatus {
    /// Its id.
    pub id: CommitmentId,
    /// Its state.
    pub state: CommitmentState,
    /// Who owes it.
    pub parties: Vec<Party>,
    /// What was undertaken.
    pub text: String,
    /// When it was made.
    pub made: PartialDate,
    /// Every deadline it had, oldest first; the last one rules.
    pub deadlines: Vec<DeadlineEntry>,
    /// The ruling due date.
    pub due: Option<NaiveDate>,
    /// When it was fulfilled, and by which event.
    pub fulfilled: Option<At>,
    /// The Peace Accords Matrix score: 0 not initiated, 1 minimal, 2 intermediate, 3 full.
    pub score: u8,
    /// Every event behind this state, by seq, in world order.
    pub evidence: Vec<u64>,
    /// True when every event behind it is unsourced or disputed.
    pub unsupported: bool,
}

impl CommitmentStatus {
    /// Its state as diffs compare it: the state's name, and its ruling due day.
    pub fn standing(&self) -> String {
        match self.due {
            Some(due) => format!("{} (due {due})", self.state.name()),
            None => self.state.name().to_owned(),
        }
    }
}

/// The status of commitment `id`, made at `made`, judged at the view's date.
pub(super) fn commitment(
    id: &CommitmentId,
    made: At,
    parties: &[Party],
    text: &str,
    acc: &CommitmentAcc,
    view: &View,
) -> CommitmentStatus {
    let mut deadlines = acc.deadlines.clone();
    deadlines.sort_by_key(|d| d.at.key());
    let mut evidence = acc.evidence.clone();
    evidence.sort_by_key(|a| a.key());
    evidence.dedup_by_key(|a| a.seq);
    let fulfilled = acc.fulfils.iter().copied().min_by_key(|a| a.key());
    let due = deadlines.last().map(|d| d.due);
    let quiet_since = acc.last.unwrap_or(made).date.last_day();
    let state = if acc.withdrawn.is_some() {
        CommitmentState::Withdrawn
    } else if let Some(done) = fulfilled {
        // Late only when the fulfilment surely came after the due day.
        match due {
            Some(due) if done.date.first_day() > due => CommitmentState::FulfilledLate,
            _ => CommitmentState::Fulfilled,
        }
    } else if due.is_some_and(|due| due < view.as_of) {
        CommitmentState::Overdue
    } else if (view.as_of - quiet_since).num_days() > i64::from(view.stall_days) {
        CommitmentState::Stalled
    } else if acc.steps > 0 {
        CommitmentState::InProgress
    } else {
        CommitmentState::Open
    };
    let score = match (fulfilled.is_some(), acc.steps) {
        (true, _) => 3,
        (false, 0) => 0,
        (false, 1) => 1,
        (false, _) => 2,
    };
    CommitmentStatus {
        id: id.clone(),
        state,
        parties: parties.to_vec(),
        text: text.to_owned(),
        made: made.date,
        deadlines: deadlines
            .into_iter()
            .map(|d| DeadlineEntry { deadline: d.deadline, due: d.due, seq: d.at.seq })
            .collect(),
        due,
        fulfilled,
        score,
        evidence: evidence.into_iter().map(|a| a.seq).collect(),
        unsupported: false,
    }
}
