//! The diff projection: what changed from one status to another — a track's stage,
//! each principle's state, each commitment's headline state and every one of its axes
//! (progress, schedule, activity), its PAM score and its due day, and each condition's
//! state — track by track, in a stable order.
//!
//! It compares two finished statuses; it neither folds the log (the caller folds each
//! side, from the snapshot when it can) nor lays the changes out (`report::diff`).

use serde::Serialize;

use super::status::{CommitmentStatus, TrackStatus};

crate::names::closed_set! {
    /// Which aspect of a commitment changed, beside its headline state: an axis, its score
/// or its due day.
    pub enum Aspect {
        /// How far it was carried out (a suspension is a change of progress).
        Progress => "progress",
        /// Where it stands against its deadlines.
        Schedule => "schedule",
        /// Whether anything moves on it.
        Activity => "activity",
        /// Its Peace Accords Matrix score.
        Pam => "pam" / "PAM score",
        /// Its ruling due day (an amendment moves it; an anchor's event sets it).
        Due => "due",
    }
}

impl Aspect {
    /// The value of this axis of `c`, by name.
    fn of(self, c: &CommitmentStatus) -> String {
        match self {
            Aspect::Progress => c.progress.name().to_owned(),
            Aspect::Schedule => c.schedule.name().to_owned(),
            Aspect::Activity => c.activity.name().to_owned(),
            Aspect::Pam => c.pam.to_string(),
            Aspect::Due => c.due.map_or_else(|| "none".to_owned(), |d| d.to_string()),
        }
    }
}

/// One difference between two statuses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The track.
    pub track: String,
    /// What changed: `stage`, or a principle, commitment or condition id.
    pub subject: String,
    /// Which axis of a commitment changed; `None` for the subject's state itself (a
    /// track's stage, a principle's state, a commitment's headline state).
    pub aspect: Option<Aspect>,
    /// Its value before (`None`: it did not exist).
    pub from: Option<String>,
    /// Its value after (`None`: it no longer exists).
    pub to: Option<String>,
}

/// What changed from `before` to `after`, track by track (by id), the stage first, then
/// principles, commitments and conditions (each by id). A commitment's headline comes first, then
/// each axis that changed; axes are compared only for a commitment both sides have
/// (one that appears or goes is told by its headline alone).
pub fn diff(before: &[TrackStatus], after: &[TrackStatus]) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut ids: Vec<&str> = before.iter().chain(after).map(|t| t.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let a = before.iter().find(|t| t.id.as_str() == id);
        let b = after.iter().find(|t| t.id.as_str() == id);
        let mut push = |subject: &str, aspect: Option<Aspect>, from: Option<String>, to: Option<String>| {
            if from != to {
                changes.push(Change { track: id.to_owned(), subject: subject.to_owned(), aspect, from, to });
            }
        };
        push("stage", None, a.map(|t| t.stage.name().to_owned()), b.map(|t| t.stage.name().to_owned()));
        let principles = |t: Option<&TrackStatus>| -> Vec<(String, String)> {
            t.map(|t| t.principles.iter().map(|p| (p.id.to_string(), p.standing())).collect()).unwrap_or_default()
        };
        let (old, new) = (principles(a), principles(b));
        for k in keys(old.iter().chain(&new).map(|(k, _)| k.as_str())) {
            let get = |v: &[(String, String)]| v.iter().find(|(x, _)| x == k).map(|(_, s)| s.clone());
            push(k, None, get(&old), get(&new));
        }
        let old = a.map(|t| t.commitments.as_slice()).unwrap_or_default();
        let new = b.map(|t| t.commitments.as_slice()).unwrap_or_default();
        for k in keys(old.iter().chain(new).map(|c| c.id.as_str())) {
            let get = |v: &[CommitmentStatus]| v.iter().find(|c| c.id.as_str() == k).cloned();
            let (from, to) = (get(old), get(new));
            let state = |c: &CommitmentStatus| c.state.name().to_owned();
            push(k, None, from.as_ref().map(state), to.as_ref().map(state));
            if let (Some(from), Some(to)) = (&from, &to) {
                for aspect in <Aspect as crate::names::Named>::ALL {
                    push(k, Some(*aspect), Some(aspect.of(from)), Some(aspect.of(to)));
                }
            }
        }
        let conditions = |t: Option<&TrackStatus>| -> Vec<(String, String)> {
            t.map(|t| t.conditions.iter().map(|c| (c.id.to_string(), c.state.name().to_owned())).collect())
                .unwrap_or_default()
        };
        let (old, new) = (conditions(a), conditions(b));
        for k in keys(old.iter().chain(&new).map(|(k, _)| k.as_str())) {
            let get = |v: &[(String, String)]| v.iter().find(|(x, _)| x == k).map(|(_, s)| s.clone());
            push(k, None, get(&old), get(&new));
        }
    }
    changes
}

/// The distinct keys, sorted.
fn keys<'a>(all: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = all.collect();
    keys.sort();
    keys.dedup();
    keys
}
