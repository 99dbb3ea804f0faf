//! A principle's status: the state machine over the answers to its proposal and the
//! events that address it, taken in world order, from what the [`super::Fold`]
//! accumulated for it. What is accumulated, and when, is the fold's, not this file's.

use serde::Serialize;

use super::{At, PrincipleAcc, Touch};
use crate::date::PartialDate;
use crate::event::payload::{PartyName, Response};
use crate::event::{Party, PrincipleRef};

crate::names::closed_set! {
    /// The state of a principle.
    pub enum PrincipleState {
        /// Proposed by one party.
        Tabled => "tabled",
        /// Another party took note of it or answered it in principle.
        Acknowledged => "acknowledged",
        /// Another party accepted it.
        Accepted => "accepted",
        /// Agreed in a joint text.
        Agreed => "agreed",
        /// Agreed, then reaffirmed.
        Reaffirmed => "reaffirmed",
        /// Written into a signed instrument.
        Codified => "codified",
        /// Rejected or countered.
        Contested => "contested",
    }
}

impl PrincipleState {
    /// Open principles still await agreement.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            PrincipleState::Tabled
                | PrincipleState::Acknowledged
                | PrincipleState::Accepted
                | PrincipleState::Contested
        )
    }
}

/// A principle at the report's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrincipleStatus {
    /// `proposal#n`.
    pub id: PrincipleRef,
    /// Its state.
    pub state: PrincipleState,
    /// Its text.
    pub text: String,
    /// How many times it was reaffirmed, and the last date.
    pub reaffirmed: u32,
    /// When its state last changed or it was last reaffirmed.
    pub last: PartialDate,
    /// Every event behind this state, by seq, in world order.
    pub evidence: Vec<u64>,
    /// True when every event behind it is unsourced or disputed.
    pub unsupported: bool,
    /// True when every event behind it is one side's account (or an unverified one).
    pub one_sided: bool,
    /// Each party's latest answer to it (the proposer's is its proposal, not listed), in
    /// the order the parties first answered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stances: Vec<Stance>,
}

/// One party's latest answer to a principle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stance {
    /// The party.
    pub party: Party,
    /// Its answer.
    pub stance: Response,
    /// The answer's seq.
    pub seq: u64,
}

impl PrincipleStatus {
    /// Its state as diffs compare it and reports show it: the state's name, and
    /// ` ×n` once reaffirmed n times.
    pub fn standing(&self) -> String {
        match self.reaffirmed {
            0 => self.state.name().to_owned(),
            n => format!("{} ×{n}", self.state.name()),
        }
    }
}

/// The status of principle `id`, tabled at `tabled` by `proposer`: the answers to its
/// proposal and the events that address it, in world order, move its state.
///
/// Its parties are the proposer and those the proposal is addressed to (`to`; none
/// named: the other parties of its track). Each party's latest answer is its stance (an
/// answer naming principles counts only for those). While it is open: contested when
/// any party's stance rejects or counters it; agreed when every addressee accepted (the
/// proposer accepts by proposing); accepted when some accepted; acknowledged when some
/// accepted in principle. A joint text addressing it agrees it too.
pub(super) fn principle(
    id: &PrincipleRef,
    tabled: At,
    text: &str,
    proposer: &Party,
    acc: &PrincipleAcc,
    answers: Option<&Vec<super::Answer>>,
    track_parties: &[PartyName],
) -> PrincipleStatus {
    enum Step<'a> {
        Answer(&'a Party, Response),
        Addressed { joint: bool, signed: bool },
    }
    let mut steps: Vec<(At, Step<'_>)> = acc
        .touches
        .iter()
        .map(|(at, Touch::Addressed { joint, signed })| (*at, Step::Addressed { joint: *joint, signed: *signed }))
        .collect();
    steps.extend(
        answers
            .into_iter()
            .flatten()
            .filter(|(_, _, _, only)| only.is_empty() || only.contains(&id.number))
            .map(|(at, by, r, _)| (*at, Step::Answer(by, *r))),
    );
    let mut addressees: Vec<&Party> =
        if acc.to.is_empty() { track_parties.iter().map(|p| &p.code).collect() } else { acc.to.iter().collect() };
    addressees.retain(|p| *p != proposer);
    steps.sort_by_key(|(at, _)| at.key());
    let mut p = PrincipleStatus {
        id: id.clone(),
        state: PrincipleState::Tabled,
        text: text.to_owned(),
        reaffirmed: 0,
        last: tabled.date,
        evidence: vec![tabled.seq],
        unsupported: false,
        one_sided: false,
        stances: Vec::new(),
    };
    for (at, step) in steps {
        cite(&mut p.evidence, at.seq);
        match step {
            Step::Answer(by, response) => {
                if by == proposer {
                    continue;
                }
                match p.stances.iter_mut().find(|s| &s.party == by) {
                    Some(s) => *s = Stance { party: by.clone(), stance: response, seq: at.seq },
                    None => p.stances.push(Stance { party: by.clone(), stance: response, seq: at.seq }),
                }
                if p.state.is_open() {
                    let any = |r: &[Response]| p.stances.iter().any(|s| r.contains(&s.stance));
                    let accepted =
                        |party: &&Party| p.stances.iter().any(|s| &s.party == *party && s.stance == Response::Accepted);
                    let next = if any(&[Response::Rejected, Response::CounterProposal]) {
                        PrincipleState::Contested
                    } else if !addressees.is_empty() && addressees.iter().all(accepted) {
                        PrincipleState::Agreed
                    } else if any(&[Response::Accepted]) {
                        PrincipleState::Accepted
                    } else {
                        PrincipleState::Acknowledged
                    };
                    p.state = next;
                    p.last = at.date;
                }
            }
            Step::Addressed { joint, signed } => {
                let before = (p.state, p.reaffirmed);
                p.state = match (p.state, signed, joint) {
                    (_, true, _) => PrincipleState::Codified,
                    (PrincipleState::Codified, _, _) => PrincipleState::Codified,
                    // Only a joint act reaffirms what was agreed jointly: one party's
                    // statement about it is that party's, evidence but not a reaffirmation.
                    (PrincipleState::Agreed | PrincipleState::Reaffirmed, _, true) => {
                        p.reaffirmed += 1;
                        PrincipleState::Reaffirmed
                    }
                    (_, _, true) => PrincipleState::Agreed,
                    (PrincipleState::Tabled, _, false) => PrincipleState::Acknowledged,
                    (state, _, false) => state,
                };
                // The state's date is the event that moved it, not a later mention.
                if (p.state, p.reaffirmed) != before {
                    p.last = at.date;
                }
            }
        }
    }
    p
}

/// Adds an event to an evidence list once, however many ways it bears on the subject.
fn cite(evidence: &mut Vec<u64>, seq: u64) {
    if evidence.last() != Some(&seq) {
        evidence.push(seq);
    }
}
