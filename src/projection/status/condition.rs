//! A condition's status: open, met (by a resolution, or automatically when what it
//! waits on is reached), unmet or dropped, judged at the view's date from what the
//! [`super::Fold`] accumulated; and whether its subject is blocked by it. What is
//! accumulated, and when, is the fold's, not this file's.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{At, CommitmentState, Fold, TrackStatus};
use crate::event::payload::{ConditionOutcome, ConditionSet, Ref, Target};
use crate::event::{CommitmentId, ConditionId, Party, TrackId};
use crate::projection::View;

crate::names::closed_set! {
    /// The state of a condition.
    pub enum ConditionState {
        /// Neither resolved nor reached.
        Open => "open",
        /// Met: declared so, or what it waits on was reached.
        Met => "met",
        /// Declared unmet.
        Unmet => "unmet",
        /// Dropped: its subject no longer waits on it.
        Dropped => "dropped",
    }
}

/// A condition at the report's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionStatus {
    /// Its id.
    pub id: ConditionId,
    /// The track of the event that set it (its first).
    pub track: TrackId,
    /// The condition in words.
    pub text: String,
    /// The party that set it, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
    /// What waits on it.
    pub subject: Ref,
    /// What it waits on.
    pub on: Ref,
    /// When it was set, and the event that set it.
    pub set: At,
    /// Its state.
    pub state: ConditionState,
    /// When it reached its state: the resolution, the event that reached `on`, or (open)
    /// the event that set it.
    pub since: At,
    /// True when met because `on` was reached, with no resolution.
    pub automatic: bool,
    /// When `on` was reached, if it was (whatever the resolutions say).
    pub on_reached: Option<At>,
    /// When the subject was reached, if it was (a commitment fulfilled, a step taken).
    pub subject_reached: Option<At>,
    /// True when its subject is not yet reached and it is open or unmet: the subject is
    /// blocked by it.
    pub blocking: bool,
    /// True when its subject was reached while the condition stood (set, and neither
    /// met nor dropped by then): it went ahead regardless.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub went_ahead: bool,
    /// Every event behind its state, by seq, in world order.
    pub evidence: Vec<u64>,
    /// True when every event behind it is unsourced or disputed.
    pub unsupported: bool,
}

/// A condition a commitment waits on, as its status lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// The condition.
    pub condition: ConditionId,
    /// Its state.
    pub state: ConditionState,
    /// True when it blocks the commitment.
    pub blocking: bool,
}

impl Fold {
    /// The status of every condition set in the view, each on its track, judged at the
    /// view's date; `tracks` already hold their commitments.
    pub(super) fn conditions(&self, tracks: &mut BTreeMap<TrackId, TrackStatus>, view: &View) {
        // A commitment is reached when it is fulfilled (on time or late).
        let fulfilled: BTreeMap<CommitmentId, At> = tracks
            .values()
            .flat_map(|t| &t.commitments)
            .filter(|c| matches!(c.state, CommitmentState::Fulfilled | CommitmentState::FulfilledLate))
            .filter_map(|c| Some((c.id.clone(), c.fulfilled?)))
            .collect();
        let reached = |r: &Ref| -> Option<At> {
            let at = match r.target().ok()? {
                Target::Commitment(c) => fulfilled.get(c).copied(),
                Target::Instrument(i, stage, party) => self.instrument_step_reached(i, stage, party),
                Target::Event(e) => self.event_ats.get(&e).copied(),
            }?;
            (at.date.last_day() <= view.as_of).then_some(at)
        };
        let mut waiting: Vec<(CommitmentId, Waiting)> = Vec::new();
        for (id, acc) in &self.conditions {
            let Some((track, set, c)) = &acc.set else { continue };
            let Some(t) = tracks.get_mut(track) else { continue };
            let mut resolutions = acc.resolutions.clone();
            resolutions.sort_by_key(|(at, _)| at.key());
            let on_reached = reached(&c.on);
            let subject_reached = reached(&c.subject);
            let (state, since, automatic) = match (resolutions.last(), on_reached) {
                (Some((at, outcome)), _) => (state_of(*outcome), *at, false),
                // Met from when both were there: what it waits on, and the condition.
                (None, Some(at)) => (ConditionState::Met, if at.key() > set.key() { at } else { *set }, true),
                (None, None) => (ConditionState::Open, *set, false),
            };
            let mut evidence: Vec<At> = std::iter::once(*set).chain(resolutions.iter().map(|(at, _)| *at)).collect();
            if let Some(at) = on_reached.filter(|_| automatic) {
                evidence.push(at);
            }
            evidence.sort_by_key(At::key);
            let blocking = subject_reached.is_none() && matches!(state, ConditionState::Open | ConditionState::Unmet);
            // The subject went ahead while the condition stood (set, neither met nor
            // dropped by then): what an analyst must see, since nothing blocks any more.
            let went_ahead = subject_reached.is_some_and(|s| {
                let before = |at: &At| at.key() <= s.key();
                let resolved = resolutions.iter().rev().find(|(at, _)| before(at)).map(|(_, o)| state_of(*o));
                let satisfied = match resolved {
                    Some(state) => matches!(state, ConditionState::Met | ConditionState::Dropped),
                    None => on_reached.is_some_and(|at| before(&at)),
                };
                before(set) && !satisfied
            });
            if let Some(c) = &c.subject.commitment {
                waiting.push((c.clone(), Waiting { condition: id.clone(), state, blocking }));
            }
            t.conditions.push(ConditionStatus {
                id: id.clone(),
                track: track.clone(),
                text: c.text.clone(),
                by: c.by.clone(),
                subject: c.subject.clone(),
                on: c.on.clone(),
                set: *set,
                state,
                since,
                automatic,
                on_reached,
                subject_reached,
                blocking,
                went_ahead,
                evidence: evidence.iter().map(|at| at.seq).collect(),
                unsupported: evidence.iter().all(|at| self.weak.contains(&at.seq)),
            });
        }
        for c in tracks.values_mut().flat_map(|t| &mut t.commitments) {
            c.conditions.extend(waiting.iter().filter(|(id, _)| *id == c.id).map(|(_, w)| w.clone()));
        }
    }

    /// When instrument `id` first reached `stage`: by `party`, when named (that party's
    /// step, or a step of all its parties); else by every party (a step of all of them,
    /// or the last of each party's own); with no stage, when it entered into force. A
    /// failed step (a referendum that rejected) reaches nothing.
    fn instrument_step_reached(
        &self,
        id: &crate::event::InstrumentId,
        stage: Option<crate::event::payload::Stage>,
        party: Option<&Party>,
    ) -> Option<At> {
        let stage = stage.unwrap_or(crate::event::payload::Stage::InForce);
        let acc = self.instruments.get(id)?;
        let first =
            |of: Option<&Party>| acc.reached(stage, |s| s.party.is_none() || (of.is_some() && s.party.as_ref() == of));
        if party.is_some() {
            return first(party);
        }
        let whole = first(None);
        let parties = self.instrument_parties(acc);
        let each = match parties.is_empty() {
            true => None,
            false => parties
                .iter()
                .map(|p| first(Some(p)))
                .collect::<Option<Vec<At>>>()
                .and_then(|ats| ats.into_iter().max_by_key(At::key)),
        };
        [whole, each].into_iter().flatten().min_by_key(At::key)
    }
}

fn state_of(outcome: ConditionOutcome) -> ConditionState {
    match outcome {
        ConditionOutcome::Met => ConditionState::Met,
        ConditionOutcome::Unmet => ConditionState::Unmet,
        ConditionOutcome::Dropped => ConditionState::Dropped,
    }
}

/// What a condition is kept as in the fold: the event that set it, and its resolutions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub(super) struct ConditionAcc {
    /// The track, date and payload of the `condition_set`.
    pub(super) set: Option<(TrackId, At, ConditionSet)>,
    /// Every resolution, in push order.
    pub(super) resolutions: Vec<(At, ConditionOutcome)>,
}

#[cfg(test)]
mod tests {
    //! Given events, when judged at a date, then a condition's state — each test names
    //! its rule.

    use super::super::tests::{ev, made, track};
    use super::*;
    use crate::env::Ids;

    fn set(on: &str, subject: &str) -> String {
        ev(
            "condition_set",
            "2022-05-01",
            &format!(
                r#"{{"condition":"k","subject":{subject},"on":{on},"by":"x","text":"Only once the other is done"}}"#
            ),
            "",
        )
    }

    fn resolved(date: &str, outcome: &str) -> String {
        ev("condition_resolved", date, &format!(r#"{{"condition":"k","outcome":"{outcome}"}}"#), "")
    }

    fn other() -> String {
        ev("commitment_made", "2022-04-07", r#"{"commitment":"d","parties":["y"],"text":"Other"}"#, "")
    }

    fn treaty(date: &str, stage: &str, party: &str) -> String {
        ev(
            "instrument_stage_reached",
            date,
            &format!(r#"{{"instrument":"t","title":"T","type":"treaty","stage":"{stage}"{party}}}"#),
            "",
        )
    }

    const ON_C: &str = r#"{"commitment":"c"}"#;
    const SUBJECT_D: &str = r#"{"commitment":"d"}"#;

    fn condition(lines: &[String], as_of: &str) -> ConditionStatus {
        track(lines, as_of).conditions.remove(0)
    }

    #[test]
    fn a_condition_nothing_has_reached_is_open_and_blocks_its_subject() {
        let k = condition(&[made(""), other(), set(ON_C, SUBJECT_D)], "2022-06-01");
        assert_eq!((k.state, k.blocking, k.automatic), (ConditionState::Open, true, false));
        assert_eq!(k.since.seq, 4);
    }

    #[test]
    fn it_is_met_when_the_commitment_it_waits_on_is_fulfilled_and_not_before() {
        let done = ev("commitment_fulfilled", "2022-07-01", r#"{"commitment":"c","summary":"Done"}"#, "");
        let given = [made(""), other(), set(ON_C, SUBJECT_D), done];
        let before = condition(&given, "2022-06-15");
        assert_eq!((before.state, before.on_reached), (ConditionState::Open, None));
        let after = condition(&given, "2022-07-02");
        assert_eq!((after.state, after.automatic, after.blocking), (ConditionState::Met, true, false));
        assert_eq!((after.since.seq, after.evidence.clone()), (5, vec![4, 5]));
        let early = ev("commitment_fulfilled", "2022-04-30", r#"{"commitment":"c","summary":"Done"}"#, "");
        let k = condition(&[made(""), other(), early, set(ON_C, SUBJECT_D)], "2022-06-01");
        assert_eq!((k.state, k.since.seq), (ConditionState::Met, 5), "met from when it was set");
    }

    #[test]
    fn it_is_met_by_an_instrument_step_of_the_named_party_only() {
        let on = r#"{"instrument":"t","stage":"ratification_step","party":"y"}"#;
        let by_x = treaty("2022-06-01", "ratification_step", r#","party":"x""#);
        let by_y = treaty("2022-06-10", "ratification_step", r#","party":"y""#);
        let k = condition(&[other(), by_x.clone(), set(on, SUBJECT_D)], "2022-07-01");
        assert_eq!(k.state, ConditionState::Open);
        let k = condition(&[other(), by_x, set(on, SUBJECT_D), by_y], "2022-07-01");
        assert_eq!((k.state, k.on_reached.map(|a| a.seq)), (ConditionState::Met, Some(5)));
    }

    #[test]
    fn it_is_met_by_the_event_it_waits_on_once_that_has_happened() {
        let id = Ids::Seeded(1).event_id(3);
        let on = format!(r#"{{"event":"{id}"}}"#);
        let noted = ev("context_noted", "2022-08", r#"{"summary":"Elections held"}"#, "");
        let given = [other(), noted, set(&on, SUBJECT_D)];
        assert_eq!(condition(&given, "2022-08-31").state, ConditionState::Met);
        // Before the month is over the election has not surely been held.
        assert_eq!(condition(&given, "2022-08-15").state, ConditionState::Open);
    }

    #[test]
    fn a_declared_resolution_rules_over_what_was_reached_and_the_latest_rules() {
        let done = ev("commitment_fulfilled", "2022-07-01", r#"{"commitment":"c","summary":"Done"}"#, "");
        let given = [made(""), other(), set(ON_C, SUBJECT_D), done.clone(), resolved("2022-07-05", "unmet")];
        let k = condition(&given, "2022-08-01");
        assert_eq!((k.state, k.blocking, k.automatic), (ConditionState::Unmet, true, false));
        let mut later = given.to_vec();
        later.push(resolved("2022-07-20", "dropped"));
        let k = condition(&later, "2022-08-01");
        assert_eq!((k.state, k.blocking, k.since.seq), (ConditionState::Dropped, false, 7));
        assert_eq!(condition(&later, "2022-07-10").state, ConditionState::Unmet, "as of before the drop");
    }

    #[test]
    fn a_subject_already_reached_is_not_blocked() {
        let subject_done = ev("commitment_fulfilled", "2022-05-10", r#"{"commitment":"d","summary":"Done"}"#, "");
        let k = condition(&[made(""), other(), set(ON_C, SUBJECT_D), subject_done], "2022-06-01");
        assert_eq!((k.state, k.blocking), (ConditionState::Open, false));
        assert_eq!(k.subject_reached.map(|a| a.seq), Some(5));
    }

    #[test]
    fn a_condition_may_wait_on_a_commitment_of_another_track() {
        let open_z = r#"{"kind":"track_opened","version":1,"tracks":["z-w"],"occurred":"2022-01","unsourced":true,"payload":{"title":"Z–W","parties":[{"code":"z","name":"Z"},{"code":"w","name":"W"}]}}"#;
        let far = r#"{"kind":"commitment_made","version":1,"tracks":["z-w"],"occurred":"2022-02","unsourced":true,"payload":{"commitment":"e","parties":["z"],"text":"Far"}}"#;
        let done = r#"{"kind":"commitment_fulfilled","version":1,"tracks":["z-w"],"occurred":"2022-06-01","unsourced":true,"payload":{"commitment":"e","summary":"Done"}}"#;
        let given =
            [open_z.to_owned(), far.to_owned(), other(), set(r#"{"commitment":"e"}"#, SUBJECT_D), done.to_owned()];
        let k = condition(&given, "2022-07-01");
        assert_eq!((k.state, k.automatic, k.track.as_str()), (ConditionState::Met, true, "x-y"));
    }
    #[test]
    fn a_condition_on_signature_is_not_met_by_one_partys_signature() {
        let on = r#"{"instrument":"t","stage":"signed"}"#;
        let agreed = treaty("2022-05-01", "text_agreed", "");
        let by_x =
            ev("instrument_stage_reached", "2022-06-01", r#"{"instrument":"t","stage":"signed","party":"x"}"#, "");
        let given = [other(), agreed, set(on, SUBJECT_D), by_x];
        let t = track(&given, "2022-07-01");
        let stage = t.instruments[0].stage;
        let k = t.conditions[0].clone();
        // The treaty is not signed (only x signed), so what waits on its signature is still blocked.
        assert_eq!((stage, k.state), (super::super::InstrumentState::TextAgreed, ConditionState::Open));
    }

    #[test]
    fn a_subject_reached_while_its_condition_stood_went_ahead() {
        let on = r#"{"instrument":"t","stage":"signed"}"#;
        let ahead = ev("commitment_fulfilled", "2022-06-10", r#"{"commitment":"d","summary":"Done anyway"}"#, "");
        let given = [other(), treaty("2022-05-01", "text_agreed", ""), set(on, SUBJECT_D), ahead];
        let t = track(&given, "2022-07-01");
        let k = &t.conditions[0];
        assert_eq!((k.state, k.blocking, k.went_ahead), (ConditionState::Open, false, true));
    }
}
