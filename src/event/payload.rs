//! The closed set of event kinds and their payloads (schema version 1).
//!
//! These shapes are persisted and hashed: they are frozen. Add kinds and optional
//! fields; a change of meaning is a new version with an upcast on read. The catalogue
//! that users read is `events/README.md`; a test keeps the two in step.

use serde::{Deserialize, Serialize};

use crate::date::Deadline;
use crate::event::ids::{
    CommissionId, CommitmentId, ConditionId, EventId, InstrumentId, Party, PrincipleRef, ProposalId,
};

macro_rules! kinds {
    ($($variant:ident => $name:literal, $payload:ident;)*) => {
        /// The kind of an event, as written in the `kind` field.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl Kind {
            /// Every kind, in catalogue order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            /// The name written in the `kind` field.
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }

            /// Parses a kind name; `None` for a name outside the closed set.
            pub fn from_name(name: &str) -> Option<Kind> {
                match name { $($name => Some(Kind::$variant),)* _ => None }
            }
        }

        // The same table for JSON (the canonical body's `kind`) as for parsing.
        impl crate::names::Named for Kind {
            const ALL: &'static [Kind] = Kind::ALL;
            const NAMES: &'static [&'static str] = &[$($name,)*];

            fn name(self) -> &'static str {
                Kind::name(self)
            }

            fn words(self) -> &'static str {
                Kind::name(self)
            }

            fn from_name(name: &str) -> Option<Kind> {
                Kind::from_name(name)
            }
        }

        crate::names::named_serde!(Kind);

        /// The kind-specific part of an event.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
        #[serde(untagged)]
        pub enum Payload {
            $(#[doc = concat!("`", $name, "`")] $variant($payload),)*
        }

        impl Payload {
            /// The kind this payload belongs to.
            pub fn kind(&self) -> Kind {
                match self { $(Payload::$variant(_) => Kind::$variant,)* }
            }

            /// Parses the payload of `kind` from JSON text, naming the path of a bad field.
            pub fn parse(kind: Kind, json: &str) -> Result<Payload, (String, String)> {
                // The fast path; only a failure pays for tracking the path.
                let fast = match kind {
                    $(Kind::$variant => serde_json::from_str(json).map(Payload::$variant),)*
                };
                if let Ok(payload) = fast {
                    return Ok(payload);
                }
                let mut de = serde_json::Deserializer::from_str(json);
                let parsed = match kind {
                    $(Kind::$variant => serde_path_to_error::deserialize(&mut de).map(Payload::$variant),)*
                };
                parsed.map_err(|e| (e.path().to_string(), e.into_inner().to_string()))
            }
        }
    };
}

kinds! {
    TrackOpened => "track_opened", TrackOpened;
    EnvoyAppointed => "envoy_appointed", EnvoyAppointed;
    MeetingHeld => "meeting_held", MeetingHeld;
    StatementMade => "statement_made", StatementMade;
    ProposalTabled => "proposal_tabled", ProposalTabled;
    ProposalAnswered => "proposal_answered", ProposalAnswered;
    CommitmentMade => "commitment_made", CommitmentMade;
    CommitmentProgressed => "commitment_progressed", CommitmentProgressed;
    CommitmentFulfilled => "commitment_fulfilled", CommitmentFulfilled;
    DeadlineAmended => "deadline_amended", DeadlineAmended;
    CommitmentWithdrawn => "commitment_withdrawn", CommitmentWithdrawn;
    CommitmentPartiallyFulfilled => "commitment_partially_fulfilled", CommitmentPartiallyFulfilled;
    CommitmentReaffirmed => "commitment_reaffirmed", CommitmentReaffirmed;
    CommitmentReportedUnmet => "commitment_reported_unmet", CommitmentReportedUnmet;
    CommitmentSuspended => "commitment_suspended", CommitmentSuspended;
    CommitmentResumed => "commitment_resumed", CommitmentResumed;
    CommitmentSuperseded => "commitment_superseded", CommitmentSuperseded;
    CommissionEstablished => "commission_established", CommissionEstablished;
    CommissionConvened => "commission_convened", CommissionConvened;
    InstrumentStageReached => "instrument_stage_reached", InstrumentStageReached;
    ImplementationStep => "implementation_step", ImplementationStep;
    ContextNoted => "context_noted", ContextNoted;
    EventCorrected => "event_corrected", EventCorrected;
    EventRetracted => "event_retracted", EventRetracted;
    EventDisputed => "event_disputed", EventDisputed;
    EventCorroborated => "event_corroborated", EventCorroborated;
    ConditionSet => "condition_set", ConditionSet;
    ConditionResolved => "condition_resolved", ConditionResolved;
    PartyJoined => "party_joined", PartyJoined;
    RulingIssued => "ruling_issued", RulingIssued;
    DecisionAdopted => "decision_adopted", DecisionAdopted;
}

impl Kind {
    /// True for the kinds that speak about another event (corrections, retractions,
    /// disputes, corroborations) rather than about the world.
    pub fn is_meta(self) -> bool {
        matches!(self, Kind::EventCorrected | Kind::EventRetracted | Kind::EventDisputed | Kind::EventCorroborated)
    }

    /// True for the kinds whose events declare names later events may refer to (or, as
    /// corrections, retractions and disputes, speak about another event): the events the
    /// log's derived tables are built from.
    pub fn declares(self) -> bool {
        self.is_meta()
            || matches!(
                self,
                Kind::TrackOpened
                    | Kind::ProposalTabled
                    | Kind::CommitmentMade
                    | Kind::CommitmentWithdrawn
                    | Kind::CommitmentSuspended
                    | Kind::CommitmentResumed
                    | Kind::CommitmentSuperseded
                    | Kind::CommissionEstablished
                    | Kind::InstrumentStageReached
                    | Kind::ConditionSet
                    | Kind::PartyJoined
                    | Kind::RulingIssued
            )
    }

    /// The newest schema version of this kind that this build reads and writes.
    pub fn current_version(self) -> u32 {
        1
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A party to a track: its code and its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyName {
    /// Short code used everywhere else (`am`).
    pub code: Party,
    /// Full name (`Armenia`).
    pub name: String,
}

/// `track_opened`: a normalization track begins to be followed. Its id is the event's
/// one track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackOpened {
    /// Human title (`Armenia–Azerbaijan normalization`).
    pub title: String,
    /// The parties normalizing their relations (at least two).
    pub parties: Vec<PartyName>,
    /// Optional context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Third parties to the track from its opening (mediators, guarantors, a court),
    /// each with its role: they are registered as [`PartyJoined`] registers them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub third_parties: Vec<ThirdParty>,
}

crate::names::closed_set! {
    /// What a third party is to a track.
    pub enum ThirdPartyRole {
        /// Mediates between the parties.
        Mediator => "mediator",
        /// Facilitates the talks (less than a mediator).
        Facilitator => "facilitator",
        /// Hosts the talks.
        Host => "host",
        /// Guarantees an agreement.
        Guarantor => "guarantor",
        /// Observes.
        Observer => "observer",
        /// Witnesses a signature.
        Witness => "witness",
        /// An international organisation with a part in the track (the UN, the OSCE).
        InternationalOrganisation => "international_organisation" / "international organisation",
        /// A court whose rulings bear on the track.
        Court => "court",
    }
}

/// A third party to a track: its code, its name and its role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThirdParty {
    /// Short code used everywhere else (`us`, `un`, `icj`).
    pub code: Party,
    /// Full name (`United States`).
    pub name: String,
    /// Mediator, facilitator, host, guarantor, observer, witness, international
    /// organisation or court.
    pub role: ThirdPartyRole,
}

/// `party_joined`: a third party (or a party of a track in another role) joins the
/// event's tracks; from then on its code may stand wherever a party's may.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyJoined {
    /// Its code and name.
    pub party: PartyName,
    /// Its role.
    pub role: ThirdPartyRole,
    /// How it joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// `envoy_appointed`: a party names a special envoy or representative for the track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvoyAppointed {
    /// The appointing party.
    pub party: Party,
    /// The envoy's name.
    pub envoy: String,
    /// The office (`Special Envoy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
}

crate::names::closed_set! {
    /// What a participant was at a meeting.
    pub enum Role {
        /// Represents one of the parties.
        Party => "party",
        /// Mediates or facilitates between the parties.
        Mediator => "mediator",
        /// Hosts the meeting.
        Host => "host",
        /// Attends without a stake in the talks.
        Observer => "observer",
    }
}

/// One person at a meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// The person's name.
    pub name: String,
    /// Whom the person represents (`am`, `eu`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    /// Party, mediator, host or observer.
    pub role: Role,
    /// The office held (`Foreign Minister`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
}

crate::names::closed_set! {
    /// How many sides a meeting had.
    pub enum Format {
        /// Two sides.
        Bilateral => "bilateral",
        /// Three sides, or two with a mediator.
        Trilateral => "trilateral",
        /// More than three sides.
        Multilateral => "multilateral",
        /// On the sidelines of another gathering.
        Sidelines => "sidelines",
    }
}

crate::names::closed_set! {
    /// How a meeting was held.
    pub enum Mode {
        /// Face to face.
        InPerson => "in_person" / "in-person",
        /// A phone call.
        Phone => "phone",
        /// A video call.
        Video => "video",
    }
}

/// `meeting_held`: a meeting, call or video conference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingHeld {
    /// Who took part, with their roles.
    pub participants: Vec<Participant>,
    /// Bilateral, trilateral, multilateral or on the sidelines.
    pub format: Format,
    /// In person, phone or video.
    pub mode: Mode,
    /// Where it took place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The gathering it was part of (`Antalya Diplomacy Forum`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occasion: Option<String>,
    /// What was discussed or decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// Who made a statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The person's (or body's) name.
    pub name: String,
    /// Whom the actor speaks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    /// The office held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
}

/// `statement_made`: a public statement, interview or press conference remark.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementMade {
    /// Who spoke.
    pub actor: Actor,
    /// What was said, in the recorder's words.
    pub summary: String,
    /// The exact words, when a source quotes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Where it was said (`online press conference`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
}

/// One numbered principle in a proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    /// Its number, from 1, unique in the proposal.
    pub number: u32,
    /// Its text.
    pub text: String,
}

/// `proposal_tabled`: a party puts forward a proposal with numbered principles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalTabled {
    /// The new proposal's id.
    pub proposal: ProposalId,
    /// The proposing party.
    pub by: Party,
    /// The parties it is addressed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Party>,
    /// Its title.
    pub title: String,
    /// Its numbered principles (at least one).
    pub principles: Vec<Principle>,
}

crate::names::closed_set! {
    /// How a party answered a proposal.
    pub enum Response {
        /// Accepted as it stands.
        Accepted => "accepted",
        /// Accepted as a basis, with reservations.
        AcceptedInPrinciple => "accepted_in_principle" / "accepted in principle",
        /// Rejected.
        Rejected => "rejected",
        /// Answered with a proposal of its own.
        CounterProposal => "counter_proposal" / "counter-proposal",
    }
}

/// `proposal_answered`: a party responds to a proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalAnswered {
    /// The proposal answered.
    pub proposal: ProposalId,
    /// The answering party.
    pub by: Party,
    /// Accepted, accepted in principle, rejected or a counter-proposal.
    pub response: Response,
    /// The counter-proposal, tabled earlier, when `response` is `counter_proposal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<ProposalId>,
    /// What the answer said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The numbers of the principles answered, when the answer is to these only (none:
    /// the whole proposal).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principles: Vec<u32>,
}

/// `commitment_made`: parties undertake to do something, perhaps by a deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentMade {
    /// The new commitment's id.
    pub commitment: CommitmentId,
    /// Who owes it.
    pub parties: Vec<Party>,
    /// What was undertaken.
    pub text: String,
    /// When it falls due, if a deadline was set (boxed: most commitments have none,
    /// and every event is as large as the largest payload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Box<Deadline>>,
    /// Further deadlines (milestones: `begin` by one date, `complete` by another).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<Deadline>,
    /// The principle it implements, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principle: Option<PrincipleRef>,
    /// An ongoing obligation — to refrain from something or keep something up (a
    /// ceasefire, a cap, not objecting) — kept while nothing breaches it: it is in
    /// effect from when it is made, never stalls, and reads breached while a breach
    /// reported within the stall period stands.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub standing: bool,
}

impl CommitmentMade {
    /// Every deadline it sets: `deadline`, then `deadlines`.
    pub fn all_deadlines(&self) -> impl Iterator<Item = &Deadline> {
        self.deadline.as_deref().into_iter().chain(&self.deadlines)
    }
}

/// `commitment_progressed`: a first or further step towards a commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentProgressed {
    /// The commitment.
    pub commitment: CommitmentId,
    /// What was done.
    pub summary: String,
    /// The party that took the step, when one of several owing it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
}

/// `commitment_fulfilled`: the commitment was met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentFulfilled {
    /// The commitment.
    pub commitment: CommitmentId,
    /// How it was met.
    pub summary: String,
    /// The party that met its part, when one of several owing it did: the commitment
    /// is fulfilled when every party owing it has (or one event says so for all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
}

/// `deadline_amended`: a commitment's deadline moves; the latest amendment rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineAmended {
    /// The commitment.
    pub commitment: CommitmentId,
    /// The new deadline, relative spans counted from this event's date.
    pub deadline: Box<Deadline>,
    /// Why it moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `commitment_withdrawn`: a party backs out of a commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentWithdrawn {
    /// The commitment.
    pub commitment: CommitmentId,
    /// The withdrawing party, if one party withdrew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
    /// Why.
    pub reason: String,
}

/// `commitment_partially_fulfilled`: part of a commitment was met (one of three
/// checkpoints opened; a withdrawal completed but for one district).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentPartiallyFulfilled {
    /// The commitment.
    pub commitment: CommitmentId,
    /// What was met.
    pub summary: String,
    /// What is still outstanding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outstanding: Option<String>,
    /// The analyst's Peace Accords Matrix score for it: 1 minimal or 2 intermediate
    /// (2 when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// The party that met its part, when one of several owing it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
}

/// `commitment_reaffirmed`: parties say again that they will keep a commitment —
/// evidence of intent, not progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentReaffirmed {
    /// The commitment.
    pub commitment: CommitmentId,
    /// The parties reaffirming it; none means all that owe it, jointly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<Party>,
    /// What was said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

crate::names::closed_set! {
    /// Who reports a commitment unmet.
    pub enum Reporter {
        /// One of the parties (name it in `by`).
        Party => "party",
        /// A monitor, a mediator or an international body (name it in `monitor`).
        Monitor => "monitor",
        /// The analyst recording the log, on the evidence cited.
        Analyst => "analyst",
    }
}

crate::names::closed_set! {
    /// What a report of non-implementation finds.
    pub enum Finding {
        /// Not implemented (yet), whatever its deadline says.
        Unmet => "unmet",
        /// Broken: acted against.
        Breach => "breach",
    }
}

/// `commitment_reported_unmet`: a party, a monitor or the analyst reports that a
/// commitment is not being kept, or was breached. A claim with its source, distinct
/// from "overdue" (which the dates decide).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentReportedUnmet {
    /// The commitment.
    pub commitment: CommitmentId,
    /// A party, a monitor or the analyst.
    pub reporter: Reporter,
    /// The reporting party (with `reporter: party`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
    /// The monitor's name (with `reporter: monitor`): `IAEA`, `OSCE SMM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<String>,
    /// Unmet, or a breach.
    pub finding: Finding,
    /// The party said not to keep it, when the report names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<Party>,
    /// What the report says.
    pub summary: String,
}

/// `commitment_suspended`: a party, a court or a body suspends a commitment; it stays
/// suspended until a `commitment_resumed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentSuspended {
    /// The commitment.
    pub commitment: CommitmentId,
    /// The suspending party, when a party suspended it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
    /// The suspending court or body, when not a party (`Constitutional Court`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Why.
    pub reason: String,
    /// On what it would be resumed, when the suspension says (`reversible once …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
}

/// `commitment_resumed`: a suspended commitment is in effect again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentResumed {
    /// The commitment.
    pub commitment: CommitmentId,
    /// The resuming party, when a party resumed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
    /// The court or body that resumed it, when not a party (a judgment lifting a
    /// suspension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// How it was resumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// `commitment_superseded`: a commitment is replaced by another (made before); the
/// original stays, linked to its replacement both ways.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentSuperseded {
    /// The commitment replaced.
    pub commitment: CommitmentId,
    /// The commitment that replaces it.
    pub replacement: CommitmentId,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `commission_established`: a joint body is set up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommissionEstablished {
    /// The new commission's id.
    pub commission: CommissionId,
    /// Its name.
    pub name: String,
    /// The parties sitting on it.
    pub parties: Vec<Party>,
    /// Its mandate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate: Option<String>,
}

/// `commission_convened`: a session of a commission; it counts as a meeting (or a
/// call, by its mode) of its tracks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommissionConvened {
    /// The commission.
    pub commission: CommissionId,
    /// Who took part, with their roles (as at a meeting).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    /// In person (when not given), phone or video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Where it met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// What it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

crate::names::closed_set! {
    /// What sort of text an instrument is.
    pub enum InstrumentType {
        /// A ceasefire statement or agreement (kept for old logs; see `agreement`).
        Ceasefire => "ceasefire",
        /// A joint statement or declaration.
        JointStatement => "joint_statement" / "joint statement",
        /// A framework agreement or agreed principles.
        Framework => "framework",
        /// A treaty (a peace treaty, a treaty on relations).
        Treaty => "treaty",
        /// A protocol.
        Protocol => "protocol",
        /// Anything else.
        Other => "other",
        /// An agreement (not styled a treaty).
        Agreement => "agreement",
        /// A unilateral or joint declaration.
        Declaration => "declaration",
        /// A memorandum (of understanding).
        Memorandum => "memorandum",
        /// A regulation or implementing rule.
        Regulation => "regulation",
        /// A roadmap.
        Roadmap => "roadmap",
        /// An annex to another text.
        Annex => "annex",
        /// A package of measures.
        PackageOfMeasures => "package_of_measures" / "package of measures",
    }
}

impl InstrumentType {
    /// Whether a text of this type is principal by default (when it has no parent and
    /// declares nothing): a treaty, an agreement or a framework.
    pub fn principal_by_default(self) -> bool {
        matches!(self, InstrumentType::Treaty | InstrumentType::Agreement | InstrumentType::Framework)
    }
}

crate::names::closed_set! {
    /// A stage an instrument reaches.
    pub enum Stage {
        /// The negotiators agreed the text.
        TextAgreed => "text_agreed" / "text agreed",
        /// Initialled: authenticated, not binding.
        Initialled => "initialled",
        /// Signed.
        Signed => "signed",
        /// One party took a ratification step (needs `party`).
        RatificationStep => "ratification_step" / "ratification step",
        /// In force.
        InForce => "in_force" / "in force",
        /// Suspended.
        Suspended => "suspended",
        /// A party withdrew.
        Withdrawn => "withdrawn",
        /// Annulled.
        Annulled => "annulled",
        /// Under negotiation: the text is being drafted.
        Negotiating => "negotiating",
        /// Ratified (by `party`, or by every party).
        Ratified => "ratified",
        /// Resumed after a suspension.
        Resumed => "resumed",
        /// Terminated.
        Terminated => "terminated",
        /// Replaced by another text (`replacement`).
        Superseded => "superseded",
    }
}

impl Stage {
    /// Whether an event at this stage may name the party whose step it is.
    pub fn takes_party(self) -> bool {
        matches!(
            self,
            Stage::Signed
                | Stage::RatificationStep
                | Stage::Ratified
                | Stage::InForce
                | Stage::Suspended
                | Stage::Resumed
                | Stage::Withdrawn
        )
    }
}

crate::names::closed_set! {
    /// How a party takes a ratification step.
    pub enum Procedure {
        /// A vote in parliament.
        Parliament => "parliament",
        /// A referendum.
        Referendum => "referendum",
        /// A court's review (a constitutional court).
        CourtReview => "court_review" / "court review",
        /// Promulgation by the head of state.
        Promulgation => "promulgation",
        /// An executive act.
        Executive => "executive",
        /// Deposit of the instrument of ratification.
        Deposit => "deposit",
        /// Another procedure.
        Other => "other",
    }
}

crate::names::closed_set! {
    /// How a ratification step ended.
    pub enum Outcome {
        /// Approved (the default).
        Approved => "approved",
        /// Rejected: the step failed.
        Rejected => "rejected",
    }
}

crate::names::closed_set! {
    /// What part of an instrument a suspension or resumption concerns.
    pub enum Scope {
        /// Part of the text (the instrument's stage is unchanged; the suspension is listed).
        Text => "text",
    }
}

/// One numbered article (provision) of an instrument: a principle `INSTRUMENT#N`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// Its number, from 1, unique in the instrument.
    pub number: u32,
    /// Its text.
    pub text: String,
}

/// `instrument_stage_reached`: a text moves through agreement, signature, ratification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentStageReached {
    /// The instrument.
    pub instrument: InstrumentId,
    /// Its title; required the first time the instrument appears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What sort of text it is; required the first time the instrument appears.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub instrument_type: Option<InstrumentType>,
    /// The stage reached.
    pub stage: Stage,
    /// The party whose step it is (required for `ratification_step`, `withdrawn`);
    /// without one, the step is every party's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    /// The step, for a ratification (`parliament approved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The instrument's parties (default: the parties of its first event's tracks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<Party>,
    /// The instrument this one is an annex or protocol of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<InstrumentId>,
    /// Declared principal (true) or a side text (false); by default a treaty, an
    /// agreement or a framework with no parent is principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<bool>,
    /// How a ratification step was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<Procedure>,
    /// How a ratification step ended (default `approved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// A suspension or resumption of part of the text only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// The text that replaces this one (required with `superseded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<InstrumentId>,
    /// Its numbered articles, each a principle `INSTRUMENT#N`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub articles: Vec<Article>,
}

impl InstrumentStageReached {
    /// Whether the step failed (a rejected ratification step).
    pub fn failed(&self) -> bool {
        self.outcome == Some(Outcome::Rejected)
    }
}

crate::names::closed_set! {
    /// What a ruling does to what it is on.
    pub enum RulingEffect {
        /// Upholds it: on a commitment, a reaffirmation.
        Upholds => "upholds",
        /// Suspends it: a commitment's or an instrument's suspension.
        Suspends => "suspends",
        /// Annuls it: a commitment withdrawn, an instrument annulled.
        Annuls => "annuls",
        /// Requires changes to it: evidence only.
        RequiresChanges => "requires_changes" / "requires changes",
    }
}

/// `ruling_issued`: a court rules on a commitment, an instrument or an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulingIssued {
    /// The court's name (`Constitutional Court of Armenia`).
    pub court: String,
    /// The court's code, when it is registered as a third party of the tracks with the
    /// role `court`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    /// What it rules on.
    pub on: Ref,
    /// Upholds, suspends, annuls or requires changes.
    pub effect: RulingEffect,
    /// What it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

crate::names::closed_set! {
    /// What a decision of a body does.
    pub enum DecisionEffect {
        /// Endorses (a Security Council resolution endorsing a plan).
        Endorses => "endorses",
        /// Mandates something (a mission, a monitor).
        Mandates => "mandates",
        /// Extends a mandate or a deadline.
        Extends => "extends",
        /// Winds up a body or a process.
        WindsUp => "winds_up" / "winds up",
    }
}

/// `decision_adopted`: a body (a council, an assembly, an organisation) adopts a
/// decision or resolution bearing on the track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionAdopted {
    /// The body's name (`UN Security Council`).
    pub body: String,
    /// The body's code, when it is registered as a third party of the tracks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    /// Its reference (`S/RES/2231 (2015)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// What it is on, if on one thing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<Ref>,
    /// Endorses, mandates, extends or winds up.
    pub effect: DecisionEffect,
    /// What it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// `implementation_step`: something done to implement an instrument or commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImplementationStep {
    /// What was done.
    pub summary: String,
    /// The instrument implemented, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<InstrumentId>,
}

/// `context_noted`: a development that bears on a track without being a step in it
/// (an election, a change of government).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextNoted {
    /// What happened.
    pub summary: String,
}

/// One field of an event as a correction sets it: `field` names it (`occurred`,
/// `tracks`, `sources`, `unsourced`, `addresses`, `advances`, `fulfils`, `follows`,
/// `code`, `payload`, or `payload.KEY`), `to` is its new value as JSON (`null` removes
/// an optional field).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// The field.
    pub field: String,
    /// Its new value.
    pub to: serde_json::Value,
}

/// `event_corrected`: an earlier event was recorded wrongly in some fields; the
/// original stays in the log, and reports use the corrected fields from the time the
/// correction was recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventCorrected {
    /// The event corrected (never itself a correction, retraction or dispute).
    pub target: EventId,
    /// Why.
    pub reason: String,
    /// The fields and their new values, applied in order.
    pub changes: Vec<FieldChange>,
}

/// `event_retracted`: an earlier event should not have been recorded (a duplicate, a
/// fabrication, a misattribution); reports ignore it from the time this is recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRetracted {
    /// The event retracted.
    pub target: EventId,
    /// Why.
    pub reason: String,
}

/// `event_disputed`: a source (in this event's `sources`) contradicts an earlier
/// event; it still counts, and every report that uses it says it is disputed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDisputed {
    /// The event disputed.
    pub target: EventId,
    /// What the contradicting source says.
    pub note: String,
}

/// `event_corroborated`: the sources of this event (at least one) also report an earlier
/// event; they are added to its sources from the time this is recorded (a correction
/// of `sources` replaces them instead). An unsourced event so corroborated is sourced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventCorroborated {
    /// The event corroborated.
    pub target: EventId,
    /// What the corroborating source adds, if anything worth saying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a condition, a ruling or a decision speaks about: exactly one of a commitment,
/// an instrument (as a whole, or one step of it: a stage, perhaps one party's) or an
/// event. Written `{"commitment": "ID"}`, `{"instrument": "ID", "stage": "ratified",
/// "party": "mk"}` or `{"event": "UUID"}`; on the command line `commitment:ID`,
/// `instrument:ID[:STAGE[:PARTY]]` or `event:ID` (see [`Ref::parse_with`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ref {
    /// A commitment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<CommitmentId>,
    /// An instrument.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<InstrumentId>,
    /// With `instrument`: the stage it reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// With `instrument` and `stage`: the party whose step it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    /// An event, by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventId>,
}

/// What a [`Ref`] names, once checked (see [`Ref::target`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// A commitment.
    Commitment(&'a CommitmentId),
    /// An instrument, or one stage of it (perhaps one party's).
    Instrument(&'a InstrumentId, Option<Stage>, Option<&'a Party>),
    /// An event.
    Event(EventId),
}

impl Ref {
    /// A reference to commitment `id`.
    pub fn commitment(id: CommitmentId) -> Ref {
        Ref { commitment: Some(id), instrument: None, stage: None, party: None, event: None }
    }

    /// What it names; `Err` (in words) unless exactly one of commitment, instrument or
    /// event is given, `stage` only with `instrument` and `party` only with a stage.
    pub fn target(&self) -> Result<Target<'_>, String> {
        let named = [self.commitment.is_some(), self.instrument.is_some(), self.event.is_some()];
        if named.iter().filter(|n| **n).count() != 1 {
            return Err("name exactly one of `commitment`, `instrument` or `event`".to_owned());
        }
        if self.instrument.is_none() && (self.stage.is_some() || self.party.is_some()) {
            return Err("`stage` and `party` go only with `instrument`".to_owned());
        }
        if self.stage.is_none() && self.party.is_some() {
            return Err("`party` names whose step a `stage` is: give the stage too".to_owned());
        }
        Ok(match (&self.commitment, &self.instrument, self.event) {
            (Some(c), _, _) => Target::Commitment(c),
            (_, Some(i), _) => Target::Instrument(i, self.stage, self.party.as_ref()),
            (_, _, Some(e)) => Target::Event(e),
            _ => unreachable!("exactly one is named"),
        })
    }

    /// Parses the command line's form — `commitment:ID`, `instrument:ID`,
    /// `instrument:ID:STAGE`, `instrument:ID:STAGE:PARTY` or `event:E` — where
    /// `event` resolves `E` (an id, a seq or an id prefix) to an event's id.
    pub fn parse_with(text: &str, event: impl FnOnce(&str) -> Result<EventId, String>) -> Result<Ref, String> {
        let none = Ref { commitment: None, instrument: None, stage: None, party: None, event: None };
        let bad = || {
            format!(
                "`{text}` is not a reference: write commitment:ID, instrument:ID, instrument:ID:STAGE, \
                 instrument:ID:STAGE:PARTY or event:ID (an event id, seq or id prefix)"
            )
        };
        let (what, rest) = text.split_once(':').ok_or_else(bad)?;
        match what {
            "commitment" => Ok(Ref { commitment: Some(rest.parse()?), ..none }),
            "event" => Ok(Ref { event: Some(event(rest)?), ..none }),
            "instrument" => {
                let mut parts = rest.splitn(3, ':');
                let id = parts.next().ok_or_else(bad)?.parse()?;
                let stage = match parts.next() {
                    Some(s) => Some(crate::names::parse::<Stage>(s).map_err(|_| {
                        use crate::names::Named;
                        format!("unknown stage `{s}`; the stages are {}", Stage::NAMES.join(", "))
                    })?),
                    None => None,
                };
                let party = parts.next().map(str::parse).transpose()?;
                Ok(Ref { instrument: Some(id), stage, party, ..none })
            }
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for Ref {
    /// The command line's form (`commitment:ID`, `instrument:ID:STAGE:PARTY`, `event:UUID`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(c) = &self.commitment {
            write!(f, "commitment:{c}")?;
        }
        if let Some(i) = &self.instrument {
            write!(f, "instrument:{i}")?;
        }
        if let Some(s) = self.stage {
            write!(f, ":{}", s.name())?;
        }
        if let Some(p) = &self.party {
            write!(f, ":{p}")?;
        }
        if let Some(e) = &self.event {
            write!(f, "event:{e}")?;
        }
        Ok(())
    }
}

/// `condition_set`: a step or commitment (`subject`) is made conditional on another
/// (`on`): a commitment fulfilled, an instrument's stage reached (by a party, if named)
/// or an event — perhaps on another track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSet {
    /// The new condition's id.
    pub condition: ConditionId,
    /// What is conditional: an instrument step or a commitment.
    pub subject: Ref,
    /// What it is conditional on: a commitment, an instrument step or an event.
    pub on: Ref,
    /// The party that set the condition, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Party>,
    /// The condition in words.
    pub text: String,
}

crate::names::closed_set! {
    /// How a condition was resolved.
    pub enum ConditionOutcome {
        /// Met: what it waited for is done, as someone with standing says.
        Met => "met",
        /// Declared unmet: the subject stays blocked.
        Unmet => "unmet",
        /// Dropped: the subject no longer waits for it.
        Dropped => "dropped",
    }
}

/// `condition_resolved`: a condition is declared met, unmet or dropped; the latest
/// resolution in world order rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionResolved {
    /// The condition.
    pub condition: ConditionId,
    /// Met, unmet or dropped.
    pub outcome: ConditionOutcome,
    /// What was said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl Payload {
    /// The event a correction, retraction, dispute or corroboration speaks about.
    pub fn target(&self) -> Option<EventId> {
        match self {
            Payload::EventCorrected(p) => Some(p.target),
            Payload::EventRetracted(p) => Some(p.target),
            Payload::EventDisputed(p) => Some(p.target),
            Payload::EventCorroborated(p) => Some(p.target),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(text: &str) -> Result<EventId, String> {
        match text {
            "6" => Ok(EventId(uuid::Uuid::from_u128(6))),
            other => Err(format!("no event `{other}`")),
        }
    }

    #[test]
    fn a_reference_is_written_on_the_command_line_as_what_colon_id() {
        let r = Ref::parse_with("commitment:c", event).expect("commitment");
        assert_eq!(r.target(), Ok(Target::Commitment(&"c".parse().expect("id"))));
        let r = Ref::parse_with("instrument:t:ratification_step:mk", event).expect("a party's step");
        assert_eq!((r.stage, r.party.as_ref().map(Party::as_str)), (Some(Stage::RatificationStep), Some("mk")));
        assert_eq!(r.to_string(), "instrument:t:ratification_step:mk");
        let r = Ref::parse_with("instrument:t", event).expect("an instrument");
        assert_eq!(serde_json::to_string(&r).expect("json"), r#"{"instrument":"t"}"#);
        let r = Ref::parse_with("event:6", event).expect("an event by seq");
        assert_eq!(r.event, Some(EventId(uuid::Uuid::from_u128(6))));
        for bad in ["c", "treaty:t", "instrument:t:nowhere", "commitment:C", "event:7", "instrument:t:signed:MK"] {
            assert!(Ref::parse_with(bad, event).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reference_names_exactly_one_thing() {
        let parse = |json: &str| {
            serde_json::from_str::<Ref>(json).map_err(|e| e.to_string()).and_then(|r| r.target().map(|_| ()))
        };
        assert!(parse(r#"{"commitment":"c"}"#).is_ok());
        assert!(parse(r#"{"instrument":"t","stage":"signed","party":"x"}"#).is_ok());
        assert!(parse(r#"{}"#).is_err());
        assert!(parse(r#"{"commitment":"c","instrument":"t"}"#).is_err());
        assert!(parse(r#"{"commitment":"c","stage":"signed"}"#).is_err());
        assert!(parse(r#"{"instrument":"t","party":"x"}"#).is_err());
        assert!(parse(r#"{"commitment":"c","other":1}"#).is_err());
    }
}
