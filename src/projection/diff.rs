//! The diff projection: what changed from one status to another — a track's stage, and
//! each principle's and commitment's state — track by track, in a stable order.
//!
//! It compares two finished statuses; it neither folds the log (the caller folds each
//! side, from the snapshot when it can) nor lays the changes out (`report::diff`).

use serde::Serialize;

use super::status::TrackStatus;

/// One difference between two statuses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The track.
    pub track: String,
    /// What changed: `stage`, or a principle or commitment id.
    pub subject: String,
    /// Its state before (`None`: it did not exist).
    pub from: Option<String>,
    /// Its state after (`None`: it no longer exists).
    pub to: Option<String>,
}

/// What changed from `before` to `after`, track by track (by id), the stage first, then
/// principles and commitments (each by id).
pub fn diff(before: &[TrackStatus], after: &[TrackStatus]) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut ids: Vec<&str> = before.iter().chain(after).map(|t| t.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let a = before.iter().find(|t| t.id.as_str() == id);
        let b = after.iter().find(|t| t.id.as_str() == id);
        let mut push = |subject: String, from: Option<String>, to: Option<String>| {
            if from != to {
                changes.push(Change { track: id.to_owned(), subject, from, to });
            }
        };
        push("stage".to_owned(), a.map(|t| t.stage.name().to_owned()), b.map(|t| t.stage.name().to_owned()));
        let principles = |t: Option<&TrackStatus>| -> Vec<(String, String)> {
            t.map(|t| t.principles.iter().map(|p| (p.id.to_string(), p.standing())).collect()).unwrap_or_default()
        };
        let commitments = |t: Option<&TrackStatus>| -> Vec<(String, String)> {
            t.map(|t| t.commitments.iter().map(|c| (c.id.to_string(), c.standing())).collect()).unwrap_or_default()
        };
        for (old, new) in [(principles(a), principles(b)), (commitments(a), commitments(b))] {
            let mut keys: Vec<&String> = old.iter().chain(&new).map(|(k, _)| k).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let get = |v: &[(String, String)]| v.iter().find(|(x, _)| x == k).map(|(_, s)| s.clone());
                push(k.clone(), get(&old), get(&new));
            }
        }
    }
    changes
}
