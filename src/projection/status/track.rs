//! A track's status: its stage (moved by activity until a principal instrument rules
//! it), envoys, contact counts and the events behind them, derived from what the
//! [`Fold`] accumulated for it. Its principles and commitments are derived beside it
//! (`principle.rs`, `commitment.rs`) and gathered onto it by [`Fold::finish`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::{
    At, CommitmentStatus, ConditionStatus, Fold, InstrumentState, InstrumentStatus, PrincipleStatus, TrackAcc,
};
use crate::date::PartialDate;
use crate::event::payload::{PartyName, Ref, ThirdPartyRole};
use crate::event::{CommitmentId, InstrumentId, Kind, Party, TrackId};

crate::names::closed_set! {
    /// Where a track stands (domain.md, "Track stage").
    pub enum Stage {
        /// Opened, nothing since.
        Dormant => "dormant",
        /// Envoys, contacts, talks about talks.
        PreNegotiation => "pre_negotiation" / "pre-negotiation",
        /// Proposals exchanged, commitments made.
        Negotiation => "negotiation",
        /// A proposal accepted by the other side.
        FrameworkAgreed => "framework_agreed" / "framework agreed",
        /// The principal instrument's text is agreed.
        TextAgreed => "text_agreed" / "text agreed",
        /// Initialled.
        Initialled => "initialled",
        /// Signed.
        Signed => "signed",
        /// Ratification under way.
        Ratification => "ratification",
        /// In force.
        InForce => "in_force" / "in force",
        /// Implementation steps after entry into force.
        Implementation => "implementation",
        /// Suspended.
        Suspended => "suspended",
        /// A party withdrew.
        Withdrawn => "withdrawn",
        /// Annulled.
        Annulled => "annulled",
        /// A ratification step of the principal instrument failed.
        Rejected => "rejected",
        /// The principal instrument was ratified by every party.
        Ratified => "ratified",
        /// The principal instrument was terminated.
        Terminated => "terminated",
        /// The principal instrument was superseded by a text not (yet) known.
        Superseded => "superseded",
    }
}

/// An envoy in office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Envoy {
    /// Appointing party.
    pub party: Party,
    /// Name.
    pub name: String,
    /// Since when.
    pub since: PartialDate,
    /// The appointing event.
    pub seq: u64,
}

/// One stage a track reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StageMove {
    /// The stage.
    pub stage: Stage,
    /// When, and the event that moved the track there.
    pub at: At,
}

/// The nearest deadline of a track.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NextDeadline {
    /// The day it falls due.
    pub due: NaiveDate,
    /// The commitment.
    pub commitment: CommitmentId,
}

/// A third party of a track, in one role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ThirdPartyEntry {
    /// Its code.
    pub code: Party,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: ThirdPartyRole,
    /// When it was registered, and the event that registered it.
    pub at: At,
}

/// A court's ruling or a body's decision on a track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RulingEntry {
    /// `ruling_issued` or `decision_adopted`.
    pub kind: Kind,
    /// The court or body.
    pub by: String,
    /// Its reference (`S/RES/2231 (2015)`), for a decision that has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// What it is on, when on one thing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<Ref>,
    /// Its effect's name (`suspends`, `endorses`).
    pub effect: String,
    /// When, and the event.
    pub at: At,
}

/// One track at the report's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackStatus {
    /// Its id.
    pub id: TrackId,
    /// Its title.
    pub title: String,
    /// The parties normalizing their relations.
    pub parties: Vec<PartyName>,
    /// Its stage.
    pub stage: Stage,
    /// When it reached the stage, and the event that moved it there.
    pub stage_since: At,
    /// Every stage it has been at, oldest first, with the event that moved it.
    pub stage_history: Vec<StageMove>,
    /// The latest event on the track.
    pub last_activity: At,
    /// Envoys appointed.
    pub envoys: Vec<Envoy>,
    /// Meetings in person.
    pub meetings: u32,
    /// Calls by phone or video.
    pub calls: u32,
    /// Principles of proposals on this track.
    pub principles: Vec<PrincipleStatus>,
    /// Commitments on this track.
    pub commitments: Vec<CommitmentStatus>,
    /// Conditions set on this track (on whatever track their subject and `on` are).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionStatus>,
    /// The next due day still ahead among its commitments not yet met, withdrawn or
    /// superseded.
    pub next_deadline: Option<NextDeadline>,
    /// How many of its commitments (not met, withdrawn or superseded) are overdue.
    pub overdue: u32,
    /// Events on this track recorded without a source.
    pub unsourced: Vec<u64>,
    /// Events on this track that a source contradicts.
    pub disputed: Vec<u64>,
    /// Its third parties (mediators, guarantors, courts, …), in the order registered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub third_parties: Vec<ThirdPartyEntry>,
    /// Rulings of courts and decisions of bodies on this track, in world order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rulings: Vec<RulingEntry>,
    /// The instruments on this track, each with its derived stage, principal ones
    /// first (in JSON in brief: the instruments report has the rest).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "briefly")]
    pub instruments: Vec<InstrumentStatus>,
}

/// An instrument as the status report lists it.
#[derive(Serialize)]
struct Brief<'a> {
    id: &'a InstrumentId,
    title: &'a str,
    #[serde(rename = "type")]
    instrument_type: crate::event::payload::InstrumentType,
    principal: bool,
    stage: InstrumentState,
    stage_since: At,
}

fn briefly<S: serde::Serializer>(list: &[InstrumentStatus], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(list.iter().map(|i| Brief {
        id: &i.id,
        title: &i.title,
        instrument_type: i.instrument_type,
        principal: i.principal,
        stage: i.stage,
        stage_since: i.stage_since,
    }))
}

impl Fold {
    /// The status of track `id`, opened at `opened`, before its principles and
    /// commitments are gathered onto it.
    pub(super) fn track(
        &self,
        id: &TrackId,
        acc: &TrackAcc,
        opened: At,
        title: &str,
        parties: &[PartyName],
        instruments: &BTreeMap<InstrumentId, InstrumentStatus>,
    ) -> TrackStatus {
        // Every event that may move the stage, in world order; activity counts only
        // through the first event reaching each level (later ones never move it). A
        // principal instrument's event sets the track to that instrument's stage after
        // it; a side text's event is activity at negotiation.
        enum Move<'a> {
            Activity(Stage),
            Instrument(InstrumentState, &'a InstrumentStatus),
            Implementation,
        }
        let mut moves: Vec<(At, Move)> = Vec::new();
        moves.extend(acc.activity.iter().filter_map(|(s, ats)| Some((*ats.first()?, Move::Activity(*s)))));
        for (at, instrument, _) in &acc.instrument {
            let Some(status) = instruments.get(instrument) else { continue };
            let after = status.after.iter().find(|(a, _)| a.seq == at.seq).map(|(_, s)| *s);
            match after {
                Some(stage) if status.principal => moves.push((*at, Move::Instrument(stage, status))),
                // A side text recorded from before the track was opened (an old
                // agreement recalled) is history, not activity on the track.
                _ if at.date.last_day() < opened.date.first_day() => {}
                _ => moves.push((*at, Move::Activity(Stage::Negotiation))),
            }
        }
        moves.extend(acc.implementation.iter().map(|at| (*at, Move::Implementation)));
        moves.sort_by_key(|(at, _)| at.key());
        let mut stage = Stage::Dormant;
        let mut since = opened;
        let mut history = vec![StageMove { stage, at: opened }];
        let mut principal = false;
        for (at, m) in moves {
            let next = match m {
                Move::Activity(s) if !principal && s > stage => Some(s),
                Move::Instrument(s, status) => {
                    principal = true;
                    match s {
                        InstrumentState::Negotiating => Some(Stage::Negotiation),
                        InstrumentState::TextAgreed => Some(Stage::TextAgreed),
                        InstrumentState::Initialled => Some(Stage::Initialled),
                        InstrumentState::Signed => Some(Stage::Signed),
                        InstrumentState::Ratification => Some(Stage::Ratification),
                        InstrumentState::Rejected => Some(Stage::Rejected),
                        InstrumentState::Ratified => Some(Stage::Ratified),
                        // Implementation is in force and more.
                        InstrumentState::InForce if stage == Stage::Implementation => None,
                        InstrumentState::InForce => Some(Stage::InForce),
                        InstrumentState::Suspended => Some(Stage::Suspended),
                        InstrumentState::Withdrawn => Some(Stage::Withdrawn),
                        InstrumentState::Terminated => Some(Stage::Terminated),
                        InstrumentState::Annulled => Some(Stage::Annulled),
                        // Its successor rules, once known.
                        InstrumentState::Superseded => match &status.superseded_by {
                            Some(next) if instruments.contains_key(next) => None,
                            _ => Some(Stage::Superseded),
                        },
                    }
                }
                Move::Implementation if stage == Stage::InForce => Some(Stage::Implementation),
                _ => None,
            };
            if let Some(next) = next
                && next != stage
            {
                stage = next;
                since = at;
                history.push(StageMove { stage, at });
            }
        }
        let mut on_track: Vec<InstrumentStatus> =
            instruments.values().filter(|i| i.tracks.contains(id)).cloned().collect();
        on_track.sort_by_key(|i| (!i.principal, i.evidence.first().copied()));
        let mut envoys = acc.envoys.clone();
        envoys.sort_by_key(|e| (e.since.first_day(), e.since.last_day(), e.seq));
        // One envoy per party and name, first appointment first; names that differ only
        // in how their accents are encoded (NFC, NFD) are one name.
        let mut seen = BTreeSet::new();
        envoys.retain(|e| seen.insert((e.party.clone(), crate::text::same(&e.name).into_owned())));
        let sorted = |list: &[At]| {
            let mut v = list.to_vec();
            v.sort_by_key(|a| a.key());
            v.into_iter().map(|a| a.seq).collect::<Vec<u64>>()
        };
        TrackStatus {
            id: id.clone(),
            title: title.to_owned(),
            parties: parties.to_vec(),
            stage,
            stage_since: since,
            stage_history: history,
            last_activity: acc.last().unwrap_or(opened),
            envoys,
            meetings: acc.contacts().0,
            calls: acc.contacts().1,
            principles: Vec::new(),
            commitments: Vec::new(),
            conditions: Vec::new(),
            next_deadline: None,
            overdue: 0,
            unsourced: sorted(&acc.unsourced),
            disputed: sorted(&acc.disputed),
            third_parties: {
                let mut v = acc.third_parties.clone();
                v.sort_by_key(|x| x.at.key());
                v
            },
            rulings: {
                let mut v = acc.rulings.clone();
                v.sort_by_key(|x| x.at.key());
                v
            },
            instruments: on_track,
        }
    }
}
