//! The rules an event must satisfy before the log takes it: every text field present
//! shows something (not empty, not only invisible characters),
//! sources or an explicit `unsourced`, deadlines not before their event, and every
//! reference resolving to something the log already names.
//!
//! Pure: the caller looks up the [`Name`]s an event refers to (see
//! [`Facts::references`]) and passes what it found as a [`Known`]. A problem says what
//! is wrong in the words of the contract (fields, kinds, ids); where a command would
//! help, it carries a [`Hint`] as data, and the front end puts it in its own words.

use std::collections::HashSet;

use super::payload::{
    InstrumentStageReached, Kind, Payload, Ref, Reporter, Response, RulingEffect, RulingIssued, Stage, Target,
    ThirdPartyRole,
};
use super::{
    CommissionId, CommitmentId, ConditionId, EventId, Facts, FieldError, InstrumentId, Party, PrincipleRef, ProposalId,
    TrackId,
};
use crate::date::{Anchor, AnchorPoint, Deadline, PartialDate};

/// Something an event can declare or refer to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Name {
    /// A track, declared by `track_opened`.
    Track(TrackId),
    /// A proposal, declared by `proposal_tabled`.
    Proposal(ProposalId),
    /// A numbered principle, declared with its proposal.
    Principle(PrincipleRef),
    /// A commitment, declared by `commitment_made`.
    Commitment(CommitmentId),
    /// A commission, declared by `commission_established`.
    Commission(CommissionId),
    /// An instrument, declared by its first `instrument_stage_reached`.
    Instrument(InstrumentId),
    /// An event, by id.
    Event(EventId),
    /// An event that is a correction, retraction or dispute (declared by itself).
    Meta(EventId),
    /// An event that has been retracted (declared by its retraction).
    Retracted(EventId),
    /// A commitment withdrawn as a whole (declared by a `commitment_withdrawn` that
    /// names no single withdrawing party).
    Withdrawn(CommitmentId),
    /// One party's withdrawal from a commitment: declared by that `commitment_withdrawn`
    /// (one that names its party in `by`) itself, keyed like [`Name::Suspension`], so a
    /// party may withdraw again after its withdrawal was retracted, and the party is read
    /// from the event as corrected.
    WithdrawnBy(CommitmentId, EventId),
    /// A commitment replaced by another (declared by its `commitment_superseded`).
    Superseded(CommitmentId),
    /// One suspension of a commitment: declared by that `commitment_suspended` event
    /// itself, keyed `COMMITMENT EVENT`, so the suspensions of one commitment are the
    /// names whose key starts with `COMMITMENT ` (a commitment id holds no space).
    Suspension(CommitmentId, EventId),
    /// One resumption of a commitment, declared by that `commitment_resumed` event;
    /// keyed like [`Name::Suspension`].
    Resumption(CommitmentId, EventId),
    /// A condition, declared by `condition_set`.
    Condition(ConditionId),
    /// A third party of a track in one role, declared by the `track_opened` that lists
    /// it or by a `party_joined`; keyed `TRACK CODE ROLE`, so the third parties of one
    /// track are the names whose key starts with `TRACK ` (a track id holds no space),
    /// and one code may hold several roles.
    ThirdParty(TrackId, Party, ThirdPartyRole),
}

impl Name {
    /// The namespace of [`Name::Suspension`].
    pub const SUSPENSION: &'static str = "suspension";
    /// The namespace of [`Name::Resumption`].
    pub const RESUMPTION: &'static str = "resumption";
    /// The namespace of [`Name::WithdrawnBy`].
    pub const WITHDRAWN_BY: &'static str = "withdrawn_by";
    /// The namespace of [`Name::ThirdParty`].
    pub const THIRD_PARTY: &'static str = "third_party";

    /// The namespace, as stored (`track`, `proposal`, …).
    pub fn namespace(&self) -> &'static str {
        match self {
            Name::Track(_) => "track",
            Name::Proposal(_) => "proposal",
            Name::Principle(_) => "principle",
            Name::Commitment(_) => "commitment",
            Name::Commission(_) => "commission",
            Name::Instrument(_) => "instrument",
            Name::Event(_) => "event",
            Name::Meta(_) => "meta",
            Name::Retracted(_) => "retracted",
            Name::Withdrawn(_) => "withdrawn",
            Name::Superseded(_) => "superseded",
            Name::Suspension(..) => Name::SUSPENSION,
            Name::Resumption(..) => Name::RESUMPTION,
            Name::WithdrawnBy(..) => Name::WITHDRAWN_BY,
            Name::Condition(_) => "condition",
            Name::ThirdParty(..) => Name::THIRD_PARTY,
        }
    }

    /// The key within the namespace, as written in events.
    pub fn key(&self) -> String {
        match self {
            Name::Track(x) => x.to_string(),
            Name::Proposal(x) => x.to_string(),
            Name::Principle(x) => x.to_string(),
            Name::Commitment(x) | Name::Withdrawn(x) | Name::Superseded(x) => x.to_string(),
            Name::Commission(x) => x.to_string(),
            Name::Instrument(x) => x.to_string(),
            Name::Condition(x) => x.to_string(),
            Name::Event(x) | Name::Meta(x) | Name::Retracted(x) => x.to_string(),
            Name::Suspension(c, e) | Name::Resumption(c, e) | Name::WithdrawnBy(c, e) => {
                format!("{}{e}", Name::turns_of(c))
            }
            Name::ThirdParty(t, code, role) => format!("{}{code} {role}", Name::third_parties_of(t)),
        }
    }

    /// What the key of every third party of `track` starts with.
    pub fn third_parties_of(track: &TrackId) -> String {
        format!("{track} ")
    }

    /// What the key of every suspension, resumption and party's withdrawal of
    /// `commitment` starts with.
    pub fn turns_of(commitment: &CommitmentId) -> String {
        format!("{commitment} ")
    }
}

impl Name {
    /// What an event that works on `commitment` (progress, fulfilment, a new deadline)
    /// depends on: that it was made, and whether it was withdrawn or superseded since.
    fn kept(commitment: &CommitmentId) -> [Name; 3] {
        [
            Name::Commitment(commitment.clone()),
            Name::Withdrawn(commitment.clone()),
            Name::Superseded(commitment.clone()),
        ]
    }
}

/// What a user could do next about a refused field, as data: which command, with which
/// arguments, would help. The core names no command; the front end words the hint and
/// appends it to the message (the CLI: `cli::problem_message`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    /// The help on recording this kind, which declares what a reference is missing
    /// (`track_opened` for an unknown track).
    RecordHelp(Kind),
    /// The events of this kind, which list the ids a reference may name
    /// (`commitment_made` for an unknown commitment).
    ListKind(Kind),
    /// Retracting the withdrawal at `seq`, if it was recorded by mistake; else the
    /// commitment is made anew.
    RetractWithdrawal {
        /// The seq of the withdrawal.
        seq: u64,
    },
    /// Recording the work against the commitment that replaced this one; or retracting
    /// the supersession at `seq`, if it was recorded by mistake.
    UseReplacement {
        /// The seq of the supersession.
        seq: u64,
    },
    /// Marking the event as dated before its track was opened, on purpose.
    BeforeOpening,
    /// Recording the resumption first (`commitment_resumed`), if the commitment was
    /// resumed; the suspension is at `seq`.
    ResumeFirst {
        /// The seq of the suspension.
        seq: u64,
    },
    /// The history of an event, which names the original event a correction,
    /// retraction or dispute speaks about.
    History,
    /// Where the clock reading comes from (a front end may fix it for tests).
    Clock,
    /// Who an event is recorded by when its line names no one.
    DefaultRecorder,
    /// How to name who records, when the environment names no one.
    NoRecorder,
}

/// The names that already exist, as far as validation needs to know.
pub trait Known {
    /// True if the log (or an earlier line of the same batch) declares `name`, by an
    /// event that still stands (not retracted).
    fn knows(&self, name: &Name) -> bool;

    /// The seq of the retraction when `name` was declared by an event since retracted:
    /// it is neither known nor free to declare again.
    fn retracted(&self, _name: &Name) -> Option<u64> {
        None
    }

    /// When `commitment` was withdrawn, as a whole or by every party owing it (each by a
    /// withdrawal that stands): the seq and date of the withdrawal that did it (for every
    /// party, the latest of theirs in world order).
    fn withdrawn(&self, _commitment: &CommitmentId) -> Option<(u64, PartialDate)> {
        None
    }

    /// When `commitment` was superseded, by an event that stands: its seq, its date and
    /// the replacement.
    fn superseded(&self, _commitment: &CommitmentId) -> Option<(u64, PartialDate, CommitmentId)> {
        None
    }

    /// The parties of `tracks` (every party any of them was opened with, and every
    /// third party registered on any of them); `None` when the caller cannot tell, and
    /// then party codes go unchecked.
    fn parties(&self, _tracks: &[TrackId]) -> Option<Vec<crate::event::Party>> {
        None
    }

    /// The third parties of `tracks`, each with its role (every declaration that
    /// stands); `None` when the caller cannot tell.
    fn third_parties(&self, _tracks: &[TrackId]) -> Option<Vec<(Party, ThirdPartyRole)>> {
        None
    }

    /// The parties owing `commitment`, as its making now stands; `None` when the caller
    /// cannot tell (and then who acted on it goes unchecked).
    fn owing(&self, _commitment: &CommitmentId) -> Option<Vec<crate::event::Party>> {
        None
    }

    /// When `commitment` was made, as that event now stands; `None` when unknown.
    fn made(&self, _commitment: &CommitmentId) -> Option<PartialDate> {
        None
    }

    /// When `track` was opened, as that event now stands; `None` when unknown.
    fn opened(&self, _track: &TrackId) -> Option<PartialDate> {
        None
    }

    /// True while judging a line exported (with its hash) from a log that admitted it
    /// before part 9's rules on instruments and proposal ids existed: those are skipped.
    fn before_part_9(&self) -> bool {
        false
    }

    /// What the event that declared `instrument` says of it (type, parent, parties,
    /// principal), as that event now stands; `None` when unknown, or when the caller
    /// cannot tell (then the rules that compare with it are skipped).
    fn instrument(&self, _instrument: &InstrumentId) -> Option<InstrumentFacts> {
        None
    }

    /// The suspensions and resumptions of `commitment` that stand (not retracted),
    /// each dated as it now stands; `None` when the caller cannot tell (and then
    /// suspensions go unchecked).
    fn turns(&self, _commitment: &CommitmentId) -> Option<Vec<Turn>> {
        None
    }
}

/// What an instrument's declaring event says of it, as [`Known::instrument`] answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstrumentFacts {
    /// Its type.
    pub instrument_type: Option<super::payload::InstrumentType>,
    /// Its parent.
    pub parent: Option<InstrumentId>,
    /// Its parties as declared (empty: its tracks').
    pub parties: Vec<crate::event::Party>,
    /// Principal or side, as declared.
    pub principal: Option<bool>,
    /// The tracks its declaring event is on.
    pub tracks: Vec<TrackId>,
}

impl InstrumentFacts {
    /// What `event`, on `tracks`, declares of its instrument.
    pub fn of(event: &super::payload::InstrumentStageReached, tracks: &[TrackId]) -> InstrumentFacts {
        InstrumentFacts {
            instrument_type: event.instrument_type,
            parent: event.parent.clone(),
            parties: event.parties.clone(),
            principal: event.principal,
            tracks: tracks.to_vec(),
        }
    }
}

/// One suspension or resumption of a commitment, as [`Known::turns`] lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Turn {
    /// The event's seq.
    pub seq: u64,
    /// Its date, as it now stands.
    pub occurred: PartialDate,
    /// True for a suspension, false for a resumption.
    pub suspends: bool,
}

impl Turn {
    /// Its place in world order: first day, last day, seq.
    fn order(&self) -> (chrono::NaiveDate, chrono::NaiveDate, u64) {
        (self.occurred.first_day(), self.occurred.last_day(), self.seq)
    }

    /// The suspension standing after the `turns` that `before` admits: the latest of
    /// them in world order, when it is a suspension.
    fn standing(turns: &[Turn], before: impl Fn(&Turn) -> bool) -> Option<Turn> {
        turns.iter().filter(|t| before(t)).max_by_key(|t| t.order()).filter(|t| t.suspends).copied()
    }
}

impl Checker<'_> {
    /// The suspension of `id` surely standing on `on`: of its turns that surely came
    /// before that date (their last day before its first), the latest in world order.
    fn suspended(&self, id: &CommitmentId, on: &PartialDate) -> Option<Turn> {
        Turn::standing(&self.known.turns(id)?, |t| t.occurred.last_day() < on.first_day())
    }
}

impl Known for HashSet<Name> {
    fn knows(&self, name: &Name) -> bool {
        self.contains(name)
    }
}

impl Facts {
    /// The names this event declares: what later events may refer to.
    pub fn declarations(&self) -> Vec<Name> {
        match &self.payload {
            Payload::TrackOpened(p) => {
                self.tracks
                    .iter()
                    .cloned()
                    .map(Name::Track)
                    .chain(self.tracks.iter().flat_map(|t| {
                        p.third_parties.iter().map(|x| Name::ThirdParty(t.clone(), x.code.clone(), x.role))
                    }))
                    .collect()
            }
            Payload::PartyJoined(p) => {
                self.tracks.iter().map(|t| Name::ThirdParty(t.clone(), p.party.code.clone(), p.role)).collect()
            }
            Payload::RulingIssued(RulingIssued {
                on: Ref { commitment: Some(c), .. },
                effect: RulingEffect::Annuls,
                ..
            }) => vec![Name::Withdrawn(c.clone())],
            Payload::ProposalTabled(p) => std::iter::once(Name::Proposal(p.proposal.clone()))
                .chain(
                    p.principles
                        .iter()
                        .map(|pr| Name::Principle(PrincipleRef { proposal: p.proposal.clone(), number: pr.number })),
                )
                .collect(),
            Payload::CommitmentMade(c) => vec![Name::Commitment(c.commitment.clone())],
            Payload::CommissionEstablished(c) => vec![Name::Commission(c.commission.clone())],
            Payload::InstrumentStageReached(i) => std::iter::once(Name::Instrument(i.instrument.clone()))
                .chain(i.articles.iter().map(|a| Name::Principle(article_ref(&i.instrument, a.number))))
                .collect(),
            Payload::EventRetracted(r) => vec![Name::Retracted(r.target)],
            Payload::CommitmentWithdrawn(w) if w.by.is_none() => vec![Name::Withdrawn(w.commitment.clone())],
            Payload::CommitmentSuperseded(s) => vec![Name::Superseded(s.commitment.clone())],
            Payload::ConditionSet(c) => vec![Name::Condition(c.condition.clone())],
            _ => Vec::new(),
        }
    }

    /// Every name whose existence decides whether this event is valid.
    pub fn references(&self) -> Vec<Name> {
        let mut names: Vec<Name> = self.tracks.iter().cloned().map(Name::Track).collect();
        names.extend(self.declarations());
        match &self.payload {
            Payload::ProposalAnswered(a) => {
                names.push(Name::Proposal(a.proposal.clone()));
                names.extend(a.counter.clone().map(Name::Proposal));
                names.extend(
                    a.principles
                        .iter()
                        .map(|n| Name::Principle(PrincipleRef { proposal: a.proposal.clone(), number: *n })),
                );
            }
            Payload::ConditionSet(c) => names.extend([&c.subject, &c.on].into_iter().filter_map(ref_name)),
            Payload::ConditionResolved(c) => names.push(Name::Condition(c.condition.clone())),
            Payload::CommitmentMade(c) => {
                names.extend(c.principle.clone().map(Name::Principle));
                for d in c.all_deadlines() {
                    names.extend(anchor_name(d, Some(&c.commitment)));
                }
            }
            Payload::CommitmentProgressed(c) => names.extend(Name::kept(&c.commitment)),
            Payload::CommitmentFulfilled(c) => names.extend(Name::kept(&c.commitment)),
            Payload::CommitmentPartiallyFulfilled(c) => names.extend(Name::kept(&c.commitment)),
            Payload::CommitmentReaffirmed(c) => names.extend(Name::kept(&c.commitment)),
            Payload::CommitmentReportedUnmet(c) => names.push(Name::Commitment(c.commitment.clone())),
            Payload::CommitmentSuspended(c) => names.extend(Name::kept(&c.commitment)),
            Payload::CommitmentResumed(c) => names.extend(Name::kept(&c.commitment)),
            Payload::CommitmentSuperseded(c) => {
                names.extend(Name::kept(&c.commitment));
                names.extend(Name::kept(&c.replacement));
            }
            Payload::DeadlineAmended(c) => {
                names.extend(Name::kept(&c.commitment));
                names.extend(anchor_name(&c.deadline, None));
            }
            Payload::CommitmentWithdrawn(c) => names.push(Name::Commitment(c.commitment.clone())),
            Payload::CommissionConvened(c) => names.push(Name::Commission(c.commission.clone())),
            Payload::ImplementationStep(s) => names.extend(s.instrument.clone().map(Name::Instrument)),
            Payload::RulingIssued(r) => names.extend(r.on.names()),
            Payload::DecisionAdopted(d) => names.extend(d.on.iter().flat_map(Ref::names)),
            Payload::InstrumentStageReached(i) => {
                names.extend(i.parent.clone().map(Name::Instrument));
                names.extend(i.replacement.clone().map(Name::Instrument));
                names.extend(ProposalId::new(i.instrument.as_str()).ok().map(Name::Proposal));
            }
            Payload::ProposalTabled(p) => {
                names.extend(InstrumentId::new(p.proposal.as_str()).ok().map(Name::Instrument))
            }
            _ => {}
        }
        if let Some(target) = self.payload.target() {
            names.extend([Name::Event(target), Name::Meta(target), Name::Retracted(target)]);
        }
        let links = &self.links;
        names.extend(links.addresses.iter().cloned().map(Name::Principle));
        names.extend(
            links
                .advances
                .iter()
                .chain(&links.fulfils)
                .chain(&links.partially_fulfils)
                .chain(&links.reaffirms)
                .flat_map(Name::kept),
        );
        names.extend(links.follows.iter().copied().map(Name::Event));
        names.sort();
        names.dedup();
        names
    }
}

/// The name a reference refers to: its commitment, instrument or event; none when it
/// names none or more than one (validation says so).
fn ref_name(r: &Ref) -> Option<Name> {
    Some(match r.target().ok()? {
        Target::Commitment(c) => Name::Commitment(c.clone()),
        Target::Instrument(i, ..) => Name::Instrument(i.clone()),
        Target::Event(e) => Name::Event(e),
    })
}

impl Ref {
    /// The names whose existence decides whether this reference resolves.
    fn names(&self) -> Vec<Name> {
        let mut names = Vec::new();
        if let Some(c) = &self.commitment {
            names.extend(Name::kept(c));
        }
        names.extend(self.instrument.clone().map(Name::Instrument));
        if let Some(e) = self.event {
            names.extend([Name::Event(e), Name::Retracted(e)]);
        }
        names
    }
}

impl Facts {
    /// True when the event uses anything part 9 brought (its kinds, the envelope's
    /// occasion, an instrument's new fields, stages and types, per-principle answers,
    /// third parties, a commission session's participants). No log made before part 9
    /// holds such a line, so one is always judged by every rule, exported or not.
    pub fn uses_part_9(&self) -> bool {
        use super::payload::InstrumentType as T;
        let new_kind = matches!(
            self.kind(),
            Kind::PartyJoined
                | Kind::RulingIssued
                | Kind::DecisionAdopted
                | Kind::ConditionSet
                | Kind::ConditionResolved
        );
        let new_fields = match &self.payload {
            Payload::InstrumentStageReached(i) => {
                !i.parties.is_empty()
                    || i.parent.is_some()
                    || i.principal.is_some()
                    || i.procedure.is_some()
                    || i.outcome.is_some()
                    || i.scope.is_some()
                    || i.replacement.is_some()
                    || !i.articles.is_empty()
                    || matches!(
                        i.stage,
                        Stage::Negotiating | Stage::Ratified | Stage::Resumed | Stage::Terminated | Stage::Superseded
                    )
                    || i.instrument_type.is_some_and(|t| {
                        !matches!(
                            t,
                            T::Ceasefire | T::JointStatement | T::Framework | T::Treaty | T::Protocol | T::Other
                        )
                    })
            }
            Payload::ProposalAnswered(a) => !a.principles.is_empty(),
            Payload::TrackOpened(t) => !t.third_parties.is_empty(),
            Payload::CommissionConvened(c) => !c.participants.is_empty() || c.mode.is_some(),
            _ => false,
        };
        new_kind || new_fields || self.occasion.is_some()
    }

    /// Every party code this event names that must be a party (or a registered third
    /// party) of its tracks, with the field that names it: every field typed [`Party`]
    /// but those that declare one (a track's parties and third parties, the party that
    /// joins). Each payload is destructured whole, so a field added to a kind must be
    /// placed here or left out knowingly.
    pub fn party_fields(&self) -> Vec<(String, &Party)> {
        use super::payload::*;
        let mut out: Vec<(String, &Party)> = Vec::new();
        fn opt<'a>(out: &mut Vec<(String, &'a Party)>, field: &str, party: &'a Option<Party>) {
            if let Some(p) = party {
                out.push((field.to_owned(), p));
            }
        }
        fn list<'a>(out: &mut Vec<(String, &'a Party)>, field: &str, parties: &'a [Party]) {
            out.extend(parties.iter().enumerate().map(|(i, p)| (format!("{field}[{i}]"), p)));
        }
        // A participant who represents a party names one of the tracks'; a mediator's,
        // host's or observer's affiliation (`eu`, `ru`) is who they came from, recorded
        // long before third parties were registered, and stays a label.
        fn participants<'a>(out: &mut Vec<(String, &'a Party)>, field: &str, who: &'a [Participant]) {
            for (i, Participant { name: _, party, role, office: _ }) in who.iter().enumerate() {
                if *role == Role::Party {
                    opt(out, &format!("{field}[{i}].party"), party);
                }
            }
        }
        fn reference<'a>(out: &mut Vec<(String, &'a Party)>, field: &str, on: &'a Ref) {
            let Ref { commitment: _, instrument: _, stage: _, party, event: _ } = on;
            opt(out, &format!("{field}.party"), party);
        }
        opt(&mut out, "attribution", &self.account.attribution);
        match &self.payload {
            // These declare parties rather than name them.
            Payload::TrackOpened(TrackOpened { title: _, parties: _, summary: _, third_parties: _ }) => {}
            Payload::PartyJoined(PartyJoined { party: _, role: _, summary: _ }) => {}
            Payload::EnvoyAppointed(EnvoyAppointed { party, envoy: _, office: _ }) => {
                out.push(("payload.party".to_owned(), party))
            }
            Payload::MeetingHeld(MeetingHeld {
                participants: who,
                format: _,
                mode: _,
                place: _,
                occasion: _,
                summary: _,
            }) => participants(&mut out, "payload.participants", who),
            Payload::StatementMade(StatementMade { actor, summary: _, quote: _, venue: _ }) => {
                let Actor { name: _, party, office: _ } = actor;
                opt(&mut out, "payload.actor.party", party);
            }
            Payload::ProposalTabled(ProposalTabled { proposal: _, by, to, title: _, principles: _ }) => {
                out.push(("payload.by".to_owned(), by));
                list(&mut out, "payload.to", to);
            }
            Payload::ProposalAnswered(ProposalAnswered {
                proposal: _,
                by,
                response: _,
                counter: _,
                summary: _,
                principles: _,
            }) => out.push(("payload.by".to_owned(), by)),
            Payload::CommitmentMade(CommitmentMade {
                commitment: _,
                parties,
                text: _,
                deadline: _,
                deadlines: _,
                principle: _,
                standing: _,
            }) => list(&mut out, "payload.parties", parties),
            Payload::CommitmentProgressed(CommitmentProgressed { commitment: _, summary: _, by })
            | Payload::CommitmentFulfilled(CommitmentFulfilled { commitment: _, summary: _, by })
            | Payload::CommitmentWithdrawn(CommitmentWithdrawn { commitment: _, by, reason: _ })
            | Payload::CommitmentPartiallyFulfilled(CommitmentPartiallyFulfilled {
                commitment: _,
                summary: _,
                outstanding: _,
                score: _,
                by,
            })
            | Payload::CommitmentSuspended(CommitmentSuspended {
                commitment: _,
                by,
                authority: _,
                reason: _,
                conditions: _,
            })
            | Payload::CommitmentResumed(CommitmentResumed { commitment: _, by, authority: _, summary: _ }) => {
                opt(&mut out, "payload.by", by)
            }
            Payload::CommitmentReaffirmed(CommitmentReaffirmed { commitment: _, by, summary: _ }) => {
                list(&mut out, "payload.by", by)
            }
            Payload::CommitmentReportedUnmet(CommitmentReportedUnmet {
                commitment: _,
                reporter: _,
                by,
                monitor: _,
                finding: _,
                against,
                summary: _,
            }) => {
                opt(&mut out, "payload.by", by);
                opt(&mut out, "payload.against", against);
            }
            Payload::DeadlineAmended(DeadlineAmended { commitment: _, deadline: _, reason: _ })
            | Payload::CommitmentSuperseded(CommitmentSuperseded { commitment: _, replacement: _, reason: _ })
            | Payload::ImplementationStep(ImplementationStep { summary: _, instrument: _ })
            | Payload::ContextNoted(ContextNoted { summary: _ })
            | Payload::EventCorrected(EventCorrected { target: _, reason: _, changes: _ })
            | Payload::EventRetracted(EventRetracted { target: _, reason: _ })
            | Payload::EventDisputed(EventDisputed { target: _, note: _ })
            | Payload::EventCorroborated(EventCorroborated { target: _, note: _ }) => {}
            Payload::CommissionEstablished(CommissionEstablished { commission: _, name: _, parties, mandate: _ }) => {
                list(&mut out, "payload.parties", parties)
            }
            Payload::CommissionConvened(CommissionConvened {
                commission: _,
                participants: who,
                mode: _,
                place: _,
                summary: _,
            }) => participants(&mut out, "payload.participants", who),
            Payload::InstrumentStageReached(InstrumentStageReached {
                instrument: _,
                title: _,
                instrument_type: _,
                stage: _,
                party,
                step: _,
                summary: _,
                parties,
                parent: _,
                principal: _,
                procedure: _,
                outcome: _,
                scope: _,
                replacement: _,
                articles: _,
            }) => {
                opt(&mut out, "payload.party", party);
                list(&mut out, "payload.parties", parties);
            }
            Payload::RulingIssued(RulingIssued { court: _, party, on, effect: _, summary: _ }) => {
                opt(&mut out, "payload.party", party);
                reference(&mut out, "payload.on", on);
            }
            // A condition may wait on another track's commitment or instrument: the
            // parties inside its references are that track's, and only `by` is this one's.
            Payload::ConditionSet(ConditionSet { condition: _, subject: _, on: _, by, text: _ }) => {
                opt(&mut out, "payload.by", by)
            }
            Payload::ConditionResolved(ConditionResolved { condition: _, outcome: _, summary: _ }) => {}
            Payload::DecisionAdopted(DecisionAdopted { body: _, party, reference: _, on, effect: _, summary: _ }) => {
                opt(&mut out, "payload.party", party);
                if let Some(on) = on {
                    reference(&mut out, "payload.on", on);
                }
            }
        }
        out
    }
}

/// Article `number` of `instrument`, as a principle ref (`INSTRUMENT#N`): proposal and
/// instrument ids share one namespace there.
pub fn article_ref(instrument: &InstrumentId, number: u32) -> PrincipleRef {
    let proposal = ProposalId::new(instrument.as_str()).unwrap_or_else(|_| unreachable!("both are slugs"));
    PrincipleRef { proposal, number }
}

/// The name a deadline's anchor refers to; none when it has no anchor, or anchors on
/// the commitment `own` that the same event makes (its own start).
fn anchor_name(deadline: &Deadline, own: Option<&CommitmentId>) -> Option<Name> {
    match deadline.of.as_ref()? {
        Anchor::Commitment(c, _) if Some(c) == own => None,
        Anchor::Commitment(c, _) => Some(Name::Commitment(c.clone())),
        Anchor::Instrument(i, _) => Some(Name::Instrument(i.clone())),
    }
}

/// Checks `facts` against the rules and against what is `known`; every problem found,
/// each with the field it concerns.
pub fn validate(facts: &Facts, known: &dyn Known) -> Result<(), Vec<FieldError>> {
    let mut v = Checker { known, errors: Vec::new() };
    v.envelope(facts);
    v.payload(facts);
    v.links(facts);
    v.parties(facts);
    if v.errors.is_empty() { Ok(()) } else { Err(v.errors) }
}

struct Checker<'a> {
    known: &'a dyn Known,
    errors: Vec<FieldError>,
}

impl Checker<'_> {
    fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.fail_hinted(field, message, None);
    }

    /// A problem with what would help next.
    fn fail_hinted(&mut self, field: impl Into<String>, message: impl Into<String>, hint: Option<Hint>) {
        self.errors.push(FieldError { field: Some(field.into()), message: message.into(), hint });
    }

    /// Required text must show something: empty, whitespace and text made only of
    /// invisible characters (zero-width spaces, bidirectional controls, combining marks
    /// with no letter, …: [`crate::text::is_invisible`]) are refused alike.
    fn text(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.fail(field, "must not be empty");
        } else if crate::text::is_blank(value) {
            let mut seen: Vec<String> = Vec::new();
            for c in value.chars() {
                let code = format!("U+{:04X}", c as u32);
                if !seen.contains(&code) {
                    seen.push(code);
                }
            }
            if seen.len() > 6 {
                seen.truncate(6);
                seen.push("…".to_owned());
            }
            self.fail(
                field,
                format!(
                    "must not be empty: it holds only invisible characters ({}); write the text, or leave an optional field out",
                    seen.join(" ")
                ),
            );
        }
    }

    fn opt_text(&mut self, field: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.text(field, v);
        }
    }

    fn must_exist(&mut self, field: &str, name: Name, how: &str, hint: Option<Hint>) {
        if let Some(retraction) = self.known.retracted(&name) {
            self.fail(
                field,
                format!(
                    "{} `{}` was declared by an event that was retracted (seq {retraction}), so nothing may refer \
                     to it: an event about it would count in no report. If it exists after all, declare it anew \
                     under another id",
                    name.namespace(),
                    name.key()
                ),
            );
        } else if !self.known.knows(&name) {
            self.fail_hinted(field, format!("unknown {} `{}`; {how}", name.namespace(), name.key()), hint);
        }
    }

    fn must_be_new(&mut self, field: &str, name: Name) {
        if let Some(retraction) = self.known.retracted(&name) {
            self.fail(
                field,
                format!(
                    "{} `{}` was declared before, by an event retracted at seq {retraction}; an id is never reused: \
                     choose another id",
                    name.namespace(),
                    name.key()
                ),
            );
        } else if self.known.knows(&name) {
            self.fail(field, format!("{} `{}` already exists; choose another id", name.namespace(), name.key()));
        }
    }

    fn envelope(&mut self, f: &Facts) {
        if f.tracks.is_empty() {
            self.fail("tracks", "name at least one track");
        }
        let mut seen = HashSet::new();
        for (i, t) in f.tracks.iter().enumerate() {
            if !seen.insert(t) {
                self.fail(format!("tracks[{i}]"), format!("track `{t}` is listed twice"));
            }
        }
        if let Payload::TrackOpened(_) = f.payload {
            if f.tracks.len() > 1 {
                self.fail("tracks", "track_opened opens exactly one track");
            }
            for (i, t) in f.tracks.iter().enumerate() {
                self.must_be_new(&format!("tracks[{i}]"), Name::Track(t.clone()));
            }
        } else {
            for (i, t) in f.tracks.iter().enumerate() {
                self.must_exist(
                    &format!("tracks[{i}]"),
                    Name::Track(t.clone()),
                    "open it first with a track_opened event",
                    Some(Hint::RecordHelp(Kind::TrackOpened)),
                );
            }
            self.after_opening(f);
        }
        // A correction or retraction rests on its reason; it may cite a source too. A
        // corroboration is its sources: its own rule says so.
        let may_be_unsourced = matches!(
            f.payload,
            Payload::EventCorrected(_) | Payload::EventRetracted(_) | Payload::EventCorroborated(_)
        );
        match (f.unsourced, f.sources.len()) {
            (false, 0) if !may_be_unsourced => {
                self.fail("sources", "cite at least one source, or mark the event unsourced (reports will say so)")
            }
            (true, n) if n > 0 => self.fail(
                "unsourced",
                format!("the event is marked unsourced but cites {n} source(s); drop one or the other"),
            ),
            _ => {}
        }
        for (i, s) in f.sources.iter().enumerate() {
            self.text(&format!("sources[{i}].title"), &s.title);
            self.opt_text(&format!("sources[{i}].author"), &s.author);
            self.opt_text(&format!("sources[{i}].publisher"), &s.publisher);
            self.opt_text(&format!("sources[{i}].url"), &s.url);
            self.opt_text(&format!("sources[{i}].locator"), &s.locator);
        }
        if let Some(codes) = &f.codes {
            // The form every stored code has had; a new event's code must also be its
            // standard's (`check_incoming`), history keeps the codes it was recorded with.
            if let Some(c) = &codes.cameo
                && (c.len() < 2 || c.len() > 4 || !c.bytes().all(|b| b.is_ascii_digit()))
            {
                self.fail("code.cameo", format!("`{c}` is not a CAMEO code (2 to 4 digits, like `036`)"));
            }
            if let Some(p) = &codes.plover
                && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
            {
                self.fail("code.plover", format!("`{p}` is not a PLOVER event type (upper case, like `CONSULT`)"));
            }
        }
    }

    /// An event surely dated before one of its tracks was opened is refused unless it
    /// says so (`before_opening`), and one that says so must be.
    fn after_opening(&mut self, f: &Facts) {
        if f.kind().is_meta() {
            return;
        }
        let mut before = None;
        let mut any_known = false;
        for t in &f.tracks {
            if let Some(opened) = self.known.opened(t) {
                any_known = true;
                if f.occurred.last_day() < opened.first_day() {
                    before = Some((t.clone(), opened));
                }
            }
        }
        match (before, f.before_opening) {
            (Some((track, opened)), false) => self.fail_hinted(
                "occurred",
                format!(
                    "{} is before track `{track}` was opened ({opened}); check the date, or mark the event \
                     before_opening if the track's history really starts earlier (audit lists such events)",
                    f.occurred
                ),
                Some(Hint::BeforeOpening),
            ),
            (None, true) if any_known => self.fail(
                "before_opening",
                "the event is not dated before its tracks were opened; leave before_opening out",
            ),
            _ => {}
        }
    }

    fn deadline_after_event(&mut self, field: &str, f: &Facts, deadline: &crate::date::Deadline) {
        if let Some((part, why)) = deadline.out_of_range(&f.occurred) {
            let at = if part.is_empty() { field.to_owned() } else { format!("{field}.{part}") };
            self.fail(at, format!("the deadline ({deadline}) is out of range: {why}"));
            return;
        }
        if let Some(d) = &deadline.words {
            self.text(&format!("{field}.words"), d);
        }
        if let Some(due) = deadline.due_before(&f.occurred) {
            self.fail(
                field,
                format!(
                    "the deadline ({deadline}, due {due}) falls before the event itself ({}); check both dates",
                    f.occurred
                ),
            );
        }
    }

    /// A commitment an event acts on: it exists, and the event is not surely dated
    /// before it was made.
    fn commitment(&mut self, field: &str, id: &CommitmentId, f: &Facts) {
        self.must_exist(
            field,
            Name::Commitment(id.clone()),
            "record it first with commitment_made",
            Some(Hint::ListKind(Kind::CommitmentMade)),
        );
        if let Some(made) = self.known.made(id)
            && f.occurred.last_day() < made.first_day()
        {
            self.fail(
                field,
                format!(
                    "this event ({}) is dated before commitment `{id}` was made ({made}); nothing can be done \
                     towards a commitment before it exists: check both dates",
                    f.occurred
                ),
            );
        }
    }

    /// The deadlines an event sets: each in range, each milestone once, and a deadline
    /// anchored on the commitment the event makes counts from its start, never from its
    /// own fulfilment; every anchor names a commitment or instrument the log knows.
    fn deadlines(&mut self, f: &Facts, own: Option<&CommitmentId>, deadlines: &[(String, &Deadline)]) {
        let mut milestones = HashSet::new();
        for (field, d) in deadlines {
            self.deadline_after_event(field, f, d);
            if !milestones.insert(d.milestone()) {
                self.fail(
                    field.as_str(),
                    format!(
                        "a second `{}` deadline in one event; give each milestone once (amend it later with \
                         deadline_amended)",
                        crate::names::Named::name(d.milestone())
                    ),
                );
            }
            match &d.of {
                Some(Anchor::Commitment(c, AnchorPoint::Fulfilment)) if Some(c) == own => self.fail(
                    format!("{field}.of"),
                    "a deadline cannot count from the fulfilment of its own commitment; count from its start \
                     (\"on\": \"start\") or from another event",
                ),
                Some(Anchor::Commitment(c, _)) if Some(c) != own => self.must_exist(
                    &format!("{field}.of.commitment"),
                    Name::Commitment(c.clone()),
                    "record it first with commitment_made",
                    Some(Hint::ListKind(Kind::CommitmentMade)),
                ),
                Some(Anchor::Instrument(i, _)) => self.must_exist(
                    &format!("{field}.of.instrument"),
                    Name::Instrument(i.clone()),
                    "record a stage of it first with instrument_stage_reached",
                    None,
                ),
                _ => {}
            }
        }
    }

    /// Every party code the event names (see [`Facts::party_fields`]) must be a party
    /// or a registered third party of one of the event's tracks; the log tells (see
    /// [`Known::parties`]).
    fn parties(&mut self, f: &Facts) {
        let Some(parties) = self.known.parties(&f.tracks) else { return };
        for (field, party) in f.party_fields() {
            if parties.contains(party) {
                continue;
            }
            let mut names: Vec<&str> = parties.iter().map(|p| p.as_str()).collect();
            names.sort();
            names.dedup();
            self.fail_hinted(
                field,
                format!(
                    "unknown party `{party}`: the parties of {} are {}; a third party (a mediator, a guarantor, \
                     a court) is named once it is declared with party_joined",
                    f.tracks.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "),
                    names.join(", ")
                ),
                Some(Hint::RecordHelp(Kind::PartyJoined)),
            );
        }
    }

    /// The third parties a track opens with: each named, none a party of the track,
    /// none twice in one role.
    fn third_parties(&mut self, p: &super::payload::TrackOpened) {
        let mut seen = HashSet::new();
        for (i, x) in p.third_parties.iter().enumerate() {
            self.text(&format!("payload.third_parties[{i}].name"), &x.name);
            if p.parties.iter().any(|party| party.code == x.code) {
                self.fail(
                    format!("payload.third_parties[{i}].code"),
                    format!("`{}` is a party of the track; a party is not also a third party", x.code),
                );
            }
            if !seen.insert((&x.code, x.role)) {
                self.fail(
                    format!("payload.third_parties[{i}]"),
                    format!("third party `{}` is listed twice as {}", x.code, x.role),
                );
            }
        }
    }

    /// The party named as having done work on a commitment (`by`) is one that owes it:
    /// another's act is no part of its fulfilment (a mediator's help is a statement or
    /// a meeting that `advances` it).
    fn owes(&mut self, field: &str, commitment: &CommitmentId, by: Option<&crate::event::Party>) {
        let Some(by) = by else { return };
        let Some(owing) = self.known.owing(commitment) else { return };
        if !owing.contains(by) {
            let list: Vec<String> = owing.iter().map(|p| format!("`{p}`")).collect();
            self.fail(
                field,
                format!(
                    "`{by}` does not owe commitment `{commitment}` (it is owed by {}); name one of them, or leave by \
                     out when the parties did it together",
                    list.join(", ")
                ),
            );
        }
    }

    /// A commitment worked on (progress, fulfilment, a new deadline) by an event that
    /// surely came after the commitment was superseded, or while it was suspended.
    fn in_effect(&mut self, field: &str, id: &CommitmentId, f: &Facts) {
        self.not_superseded(field, id, f);
        if let Some(Turn { seq, occurred: when, .. }) = self.suspended(id, &f.occurred) {
            self.fail_hinted(
                field,
                format!(
                    "commitment `{id}` is suspended since {when} (seq {seq}); nothing counts towards it until it is \
                     resumed"
                ),
                Some(Hint::ResumeFirst { seq }),
            );
        }
    }

    /// A suspension of a commitment in effect that is not suspended already on the
    /// suspension's date (a second suspension would say nothing new; a resumption in
    /// between is what is missing).
    fn suspendable(&mut self, field: &str, id: &CommitmentId, f: &Facts) {
        self.not_superseded(field, id, f);
        if let Some(Turn { seq, occurred: when, .. }) = self.suspended(id, &f.occurred) {
            self.fail_hinted(
                field,
                format!(
                    "commitment `{id}` is already suspended on {} (since {when}, seq {seq}); a second suspension \
                     says nothing new",
                    f.occurred
                ),
                Some(Hint::ResumeFirst { seq }),
            );
        }
    }

    /// A resumption of a commitment that may be suspended on the resumption's date: a
    /// suspension of it stands then (or on the same day or month, which cannot be told
    /// apart).
    fn resumable(&mut self, field: &str, id: &CommitmentId, f: &Facts) {
        self.still_kept(field, id, f);
        // The turns world order puts before a new event dated `on` (it will have the
        // largest seq): a resumption dated less precisely than its suspension, and so
        // ordered before it, would resume nothing.
        let on = &f.occurred;
        let before = |t: &Turn| (t.occurred.first_day(), t.occurred.last_day()) <= (on.first_day(), on.last_day());
        if self.known.knows(&Name::Commitment(id.clone()))
            && let Some(turns) = self.known.turns(id)
            && Turn::standing(&turns, before).is_none()
        {
            self.fail_hinted(
                field,
                format!(
                    "commitment `{id}` is not suspended on {}: no suspension of it stands then (none was recorded \
                     before that date, or the latest was already resumed); record the suspension first \
                     (commitment_suspended), or check the date",
                    f.occurred
                ),
                Some(Hint::ListKind(Kind::CommitmentSuspended)),
            );
        }
    }

    /// A commitment worked on by an event that surely came after the commitment was
    /// superseded (or withdrawn as a whole).
    fn not_superseded(&mut self, field: &str, id: &CommitmentId, f: &Facts) {
        self.still_kept(field, id, f);
        if let Some((seq, when, replacement)) = self.known.superseded(id)
            && f.occurred.first_day() > when.last_day()
        {
            self.fail_hinted(
                field,
                format!(
                    "commitment `{id}` was superseded by `{replacement}` on {when} (seq {seq}), before this event \
                     ({}); record it against `{replacement}`",
                    f.occurred
                ),
                Some(Hint::UseReplacement { seq }),
            );
        }
    }

    /// A commitment worked on (progress, fulfilment, a new deadline) by an event that
    /// surely came after the commitment was withdrawn, as a whole or by every party
    /// owing it: that event would count in no report.
    fn still_kept(&mut self, field: &str, id: &CommitmentId, f: &Facts) {
        if let Some((seq, when)) = self.known.withdrawn(id)
            && f.occurred.first_day() > when.last_day()
        {
            self.fail_hinted(
                field,
                format!(
                    "commitment `{id}` was withdrawn on {when} (seq {seq}), before this event ({}); nothing after \
                     a withdrawal counts towards it",
                    f.occurred
                ),
                Some(Hint::RetractWithdrawal { seq }),
            );
        }
    }

    fn payload(&mut self, f: &Facts) {
        match &f.payload {
            Payload::TrackOpened(p) => {
                self.text("payload.title", &p.title);
                if p.parties.len() < 2 {
                    self.fail("payload.parties", "a track needs at least two parties");
                }
                let mut seen = HashSet::new();
                for (i, party) in p.parties.iter().enumerate() {
                    self.text(&format!("payload.parties[{i}].name"), &party.name);
                    if !seen.insert(&party.code) {
                        self.fail(
                            format!("payload.parties[{i}].code"),
                            format!("party `{}` is listed twice", party.code),
                        );
                    }
                }
                self.opt_text("payload.summary", &p.summary);
                self.third_parties(p);
            }
            Payload::PartyJoined(p) => {
                self.text("payload.party.name", &p.party.name);
                self.opt_text("payload.summary", &p.summary);
                for t in &f.tracks {
                    let name = Name::ThirdParty(t.clone(), p.party.code.clone(), p.role);
                    let (code, role) = (&p.party.code, p.role.words());
                    if let Some(retraction) = self.known.retracted(&name) {
                        self.fail(
                            "payload.role",
                            format!(
                                "`{code}` joined `{t}` as {role} by an event retracted at seq {retraction}; a \
                                 registration is never made twice: register it under another code"
                            ),
                        );
                    } else if self.known.knows(&name) {
                        self.fail("payload.role", format!("`{code}` is already a {role} of `{t}`"));
                    }
                }
                if let Some(parties) = self.known.parties(&f.tracks) {
                    let third = self.known.third_parties(&f.tracks).unwrap_or_default();
                    if parties.contains(&p.party.code) && !third.iter().any(|(code, _)| code == &p.party.code) {
                        self.fail(
                            "payload.party.code",
                            format!(
                                "`{}` is already a party of {}; a party does not join as a third party",
                                p.party.code,
                                f.tracks.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                            ),
                        );
                    }
                }
            }
            Payload::RulingIssued(p) => {
                self.text("payload.court", &p.court);
                self.opt_text("payload.summary", &p.summary);
                self.reference("payload.on", &p.on, f);
                if let Some(court) = &p.party
                    && let Some(third) = self.known.third_parties(&f.tracks)
                    && !third.iter().any(|(code, role)| code == court && *role == ThirdPartyRole::Court)
                    && self.known.parties(&f.tracks).is_some_and(|all| all.contains(court))
                {
                    self.fail(
                        "payload.party",
                        format!("`{court}` is not registered as a court of these tracks; declare it with party_joined --role court"),
                    );
                }
                if let Some(c) = &p.on.commitment {
                    match p.effect {
                        RulingEffect::Suspends => self.suspendable("payload.on.commitment", c, f),
                        RulingEffect::Annuls | RulingEffect::Upholds => self.still_kept("payload.on.commitment", c, f),
                        RulingEffect::RequiresChanges => {}
                    }
                }
            }
            Payload::DecisionAdopted(p) => {
                self.text("payload.body", &p.body);
                self.opt_text("payload.reference", &p.reference);
                self.opt_text("payload.summary", &p.summary);
                if let Some(on) = &p.on {
                    self.reference("payload.on", on, f);
                }
            }
            Payload::EnvoyAppointed(p) => {
                self.text("payload.envoy", &p.envoy);
                self.opt_text("payload.office", &p.office);
            }
            Payload::MeetingHeld(p) => {
                if p.participants.len() < 2 {
                    self.fail("payload.participants", "a meeting needs at least two participants");
                }
                for (i, who) in p.participants.iter().enumerate() {
                    self.text(&format!("payload.participants[{i}].name"), &who.name);
                    self.opt_text(&format!("payload.participants[{i}].office"), &who.office);
                }
                self.opt_text("payload.place", &p.place);
                self.opt_text("payload.occasion", &p.occasion);
                self.opt_text("payload.summary", &p.summary);
            }
            Payload::StatementMade(p) => {
                self.text("payload.actor.name", &p.actor.name);
                self.opt_text("payload.actor.office", &p.actor.office);
                self.text("payload.summary", &p.summary);
                self.opt_text("payload.quote", &p.quote);
                self.opt_text("payload.venue", &p.venue);
            }
            Payload::ProposalTabled(p) => {
                self.must_be_new("payload.proposal", Name::Proposal(p.proposal.clone()));
                if !self.known.before_part_9()
                    && let Ok(instrument) = InstrumentId::new(p.proposal.as_str())
                    && self.known.knows(&Name::Instrument(instrument))
                {
                    self.fail(
                        "payload.proposal",
                        format!(
                            "`{}` is an instrument's id; proposals and instruments share one namespace (their \
                             principles and articles are both `ID#N`): choose another id",
                            p.proposal
                        ),
                    );
                }
                self.text("payload.title", &p.title);
                if p.principles.is_empty() {
                    self.fail("payload.principles", "a proposal needs at least one numbered principle");
                }
                let mut seen = HashSet::new();
                for (i, pr) in p.principles.iter().enumerate() {
                    if pr.number == 0 {
                        self.fail(format!("payload.principles[{i}].number"), "principles are numbered from 1");
                    }
                    if !seen.insert(pr.number) {
                        self.fail(
                            format!("payload.principles[{i}].number"),
                            format!("principle {} is numbered twice", pr.number),
                        );
                    }
                    self.text(&format!("payload.principles[{i}].text"), &pr.text);
                }
            }
            Payload::ProposalAnswered(p) => {
                self.must_exist(
                    "payload.proposal",
                    Name::Proposal(p.proposal.clone()),
                    "record it first with proposal_tabled",
                    None,
                );
                match (p.response, &p.counter) {
                    (Response::CounterProposal, None) => self.fail(
                        "payload.counter",
                        "a counter_proposal response names the counter-proposal (table it first)",
                    ),
                    (Response::CounterProposal, Some(c)) => self.must_exist(
                        "payload.counter",
                        Name::Proposal(c.clone()),
                        "table the counter-proposal first with proposal_tabled",
                        None,
                    ),
                    (_, Some(_)) => self.fail("payload.counter", "only a counter_proposal response names a counter"),
                    (_, None) => {}
                }
                self.opt_text("payload.summary", &p.summary);
                let mut seen = HashSet::new();
                for (i, n) in p.principles.iter().enumerate() {
                    let field = format!("payload.principles[{i}]");
                    if !seen.insert(n) {
                        self.fail(field, format!("principle {n} is listed twice"));
                        continue;
                    }
                    let name = Name::Principle(PrincipleRef { proposal: p.proposal.clone(), number: *n });
                    self.must_exist(
                        &field,
                        name,
                        "name numbers of principles of the proposal answered, or none to answer the whole \
                         proposal",
                        None,
                    );
                }
            }
            Payload::ConditionSet(p) => {
                self.must_be_new("payload.condition", Name::Condition(p.condition.clone()));
                self.text("payload.text", &p.text);
                self.reference("payload.subject", &p.subject, f);
                self.reference("payload.on", &p.on, f);
                if let Ok(Target::Event(_)) = p.subject.target() {
                    self.fail(
                        "payload.subject",
                        "the subject of a condition is what waits on it: a commitment or an instrument step, not an \
                         event that already happened",
                    );
                }
                if p.subject == p.on {
                    self.fail("payload.on", "a condition cannot make something conditional on itself");
                }
            }
            Payload::ConditionResolved(p) => {
                self.must_exist(
                    "payload.condition",
                    Name::Condition(p.condition.clone()),
                    "set it first with condition_set",
                    Some(Hint::ListKind(Kind::ConditionSet)),
                );
                self.opt_text("payload.summary", &p.summary);
            }
            Payload::CommitmentMade(p) => {
                self.must_be_new("payload.commitment", Name::Commitment(p.commitment.clone()));
                self.text("payload.text", &p.text);
                if p.parties.is_empty() {
                    self.fail("payload.parties", "name the parties that owe the commitment");
                }
                let mut deadlines: Vec<(String, &Deadline)> =
                    p.deadline.as_deref().map(|d| ("payload.deadline".to_owned(), d)).into_iter().collect();
                deadlines.extend(p.deadlines.iter().enumerate().map(|(i, d)| (format!("payload.deadlines[{i}]"), d)));
                self.deadlines(f, Some(&p.commitment), &deadlines);
                if let Some(pr) = &p.principle {
                    self.must_exist(
                        "payload.principle",
                        Name::Principle(pr.clone()),
                        "it must be a numbered principle of a tabled proposal",
                        None,
                    );
                }
            }
            Payload::CommitmentProgressed(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.in_effect("payload.commitment", &p.commitment, f);
                self.text("payload.summary", &p.summary);
                self.owes("payload.by", &p.commitment, p.by.as_ref());
            }
            Payload::CommitmentFulfilled(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.in_effect("payload.commitment", &p.commitment, f);
                self.text("payload.summary", &p.summary);
                self.owes("payload.by", &p.commitment, p.by.as_ref());
            }
            Payload::CommitmentPartiallyFulfilled(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.in_effect("payload.commitment", &p.commitment, f);
                self.owes("payload.by", &p.commitment, p.by.as_ref());
                self.text("payload.summary", &p.summary);
                self.opt_text("payload.outstanding", &p.outstanding);
                if let Some(score) = p.score
                    && !(1..=2).contains(&score)
                {
                    self.fail(
                        "payload.score",
                        format!(
                            "{score} is not a partial score: 1 (minimal) or 2 (intermediate); a fulfilled \
                             commitment (3) is recorded with commitment_fulfilled, one not begun (0) needs no event"
                        ),
                    );
                }
            }
            Payload::CommitmentReaffirmed(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.still_kept("payload.commitment", &p.commitment, f);
                let mut seen = HashSet::new();
                for (i, by) in p.by.iter().enumerate() {
                    if !seen.insert(by) {
                        self.fail(format!("payload.by[{i}]"), format!("party `{by}` is listed twice"));
                    }
                }
                self.opt_text("payload.summary", &p.summary);
            }
            Payload::CommitmentReportedUnmet(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.text("payload.summary", &p.summary);
                self.opt_text("payload.monitor", &p.monitor);
                match (p.reporter, &p.by, &p.monitor) {
                    (Reporter::Party, None, _) => self.fail("payload.by", "a report by a party names the party"),
                    (Reporter::Monitor, _, None) => {
                        self.fail("payload.monitor", "a report by a monitor names the monitor (`IAEA`)")
                    }
                    (Reporter::Party, Some(_), Some(_)) | (Reporter::Analyst, _, Some(_)) => {
                        self.fail("payload.monitor", "only a report by a monitor names a monitor")
                    }
                    (Reporter::Monitor | Reporter::Analyst, Some(_), _) => {
                        self.fail("payload.by", "only a report by a party names the reporting party in `by`")
                    }
                    _ => {}
                }
            }
            Payload::CommitmentSuspended(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.suspendable("payload.commitment", &p.commitment, f);
                self.text("payload.reason", &p.reason);
                self.opt_text("payload.authority", &p.authority);
                self.opt_text("payload.conditions", &p.conditions);
            }
            Payload::CommitmentResumed(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.resumable("payload.commitment", &p.commitment, f);
                self.opt_text("payload.summary", &p.summary);
                self.opt_text("payload.authority", &p.authority);
            }
            Payload::CommitmentSuperseded(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.commitment("payload.replacement", &p.replacement, f);
                self.in_effect("payload.commitment", &p.commitment, f);
                // A replacement must itself be in effect: never one replaced already (a
                // cycle of replacements would send every hint round in circles).
                self.not_superseded("payload.replacement", &p.replacement, f);
                // One supersession a commitment: a second, whatever its date, would
                // leave two answers to "replaced by what?".
                let name = Name::Superseded(p.commitment.clone());
                if let Some((seq, _, replacement)) = self.known.superseded(&p.commitment) {
                    self.fail(
                        "payload.commitment",
                        format!(
                            "commitment `{}` is already superseded by `{replacement}` (seq {seq}); to replace it \
                             otherwise, retract that supersession first",
                            p.commitment
                        ),
                    );
                } else if let Some(retraction) = self.known.retracted(&name) {
                    self.fail(
                        "payload.commitment",
                        format!(
                            "a supersession of commitment `{}` was recorded and retracted (seq {retraction}); a \
                             commitment is superseded once: record the new undertaking as a commitment of its own",
                            p.commitment
                        ),
                    );
                }
                if p.replacement == p.commitment {
                    self.fail("payload.replacement", "a commitment cannot replace itself");
                }
                self.opt_text("payload.reason", &p.reason);
            }
            Payload::DeadlineAmended(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                // A suspended commitment's deadline may still be moved: the parties
                // renegotiate the date of what is frozen (the suspension keeps running).
                self.not_superseded("payload.commitment", &p.commitment, f);
                self.deadlines(f, Some(&p.commitment), &[("payload.deadline".to_owned(), &p.deadline)]);
                self.opt_text("payload.reason", &p.reason);
            }
            Payload::CommitmentWithdrawn(p) => {
                self.commitment("payload.commitment", &p.commitment, f);
                self.text("payload.reason", &p.reason);
            }
            Payload::CommissionEstablished(p) => {
                self.must_be_new("payload.commission", Name::Commission(p.commission.clone()));
                self.text("payload.name", &p.name);
                if p.parties.is_empty() {
                    self.fail("payload.parties", "name the parties that sit on the commission");
                }
                self.opt_text("payload.mandate", &p.mandate);
            }
            Payload::CommissionConvened(p) => {
                self.must_exist(
                    "payload.commission",
                    Name::Commission(p.commission.clone()),
                    "record it first with commission_established",
                    None,
                );
                for (i, who) in p.participants.iter().enumerate() {
                    self.text(&format!("payload.participants[{i}].name"), &who.name);
                    self.opt_text(&format!("payload.participants[{i}].office"), &who.office);
                }
                self.opt_text("payload.place", &p.place);
                self.opt_text("payload.summary", &p.summary);
            }
            Payload::InstrumentStageReached(p) => self.instrument_stage(f, p),
            Payload::ImplementationStep(p) => {
                self.text("payload.summary", &p.summary);
                if let Some(i) = &p.instrument {
                    self.must_exist(
                        "payload.instrument",
                        Name::Instrument(i.clone()),
                        "record a stage of it first with instrument_stage_reached",
                        None,
                    );
                }
            }
            Payload::ContextNoted(p) => self.text("payload.summary", &p.summary),
            Payload::EventCorrected(p) => {
                self.target(p.target);
                self.text("payload.reason", &p.reason);
                if p.changes.is_empty() {
                    self.fail("payload.changes", "name at least one field to correct");
                }
                for (i, c) in p.changes.iter().enumerate() {
                    if !correctable(&c.field) {
                        self.fail(
                            format!("payload.changes[{i}].field"),
                            format!(
                                "`{}` cannot be corrected; correct occurred, tracks, sources, unsourced, addresses, \
                                 advances, fulfils, follows, code, payload or payload.KEY (to change an id, kind or \
                                 version, retract the event and record it anew)",
                                c.field
                            ),
                        );
                    }
                }
            }
            Payload::EventRetracted(p) => {
                self.target(p.target);
                self.text("payload.reason", &p.reason);
            }
            Payload::EventDisputed(p) => {
                self.target(p.target);
                self.text("payload.note", &p.note);
                if f.sources.is_empty() {
                    self.fail("sources", "a dispute cites the source that contradicts the event");
                }
            }
            Payload::EventCorroborated(p) => {
                self.target(p.target);
                if let Some(note) = &p.note {
                    self.text("payload.note", note);
                }
                if f.sources.is_empty() {
                    self.fail(
                        "sources",
                        "a corroboration cites the source it adds to the event (at least one); it cannot be unsourced",
                    );
                }
            }
        }
    }

    /// The event a correction, retraction or dispute speaks about: logged, not itself
    /// one of those, and not retracted.
    fn target(&mut self, target: EventId) {
        let field = "payload.target";
        if !self.known.knows(&Name::Event(target)) {
            self.fail(field, format!("unknown event `{target}`; it must be the id of an event already in the log"));
        } else if self.known.knows(&Name::Meta(target)) {
            self.fail_hinted(
                field,
                format!(
                    "event `{target}` is itself a correction, retraction, dispute or corroboration; speak about the original event \
                     instead"
                ),
                Some(Hint::History),
            );
        } else if self.known.knows(&Name::Retracted(target)) {
            self.fail(field, format!("event `{target}` is already retracted; a retracted event cannot be corrected, retracted, disputed or corroborated"));
        }
    }

    /// A reference: one target, which exists; a party named in it belongs to one of the
    /// event's tracks unless the reference is to an instrument of another track (the
    /// log checks names, not whose they are).
    fn reference(&mut self, field: &str, r: &Ref, _f: &Facts) {
        match r.target() {
            Err(why) => self.fail(field, why),
            Ok(Target::Commitment(c)) => self.must_exist(
                &format!("{field}.commitment"),
                Name::Commitment(c.clone()),
                "record it first with commitment_made",
                Some(Hint::ListKind(Kind::CommitmentMade)),
            ),
            Ok(Target::Instrument(i, ..)) => self.must_exist(
                &format!("{field}.instrument"),
                Name::Instrument(i.clone()),
                "record a stage of it first with instrument_stage_reached",
                None,
            ),
            Ok(Target::Event(e)) => self.must_exist(
                &format!("{field}.event"),
                Name::Event(e),
                "it must be the id of an event already in the log",
                None,
            ),
        }
    }

    /// The rules of an instrument stage: what its first appearance must give, what each
    /// stage takes, and that a later event repeats what the first declared.
    fn instrument_stage(&mut self, f: &Facts, p: &InstrumentStageReached) {
        let id = &p.instrument;
        let first = !self.known.knows(&Name::Instrument(id.clone()));
        if first && p.title.is_none() {
            self.fail("payload.title", format!("instrument `{id}` appears for the first time: give its title"));
        }
        if first && p.instrument_type.is_none() {
            self.fail("payload.type", format!("instrument `{id}` appears for the first time: give its type"));
        }
        self.opt_text("payload.title", &p.title);
        self.opt_text("payload.step", &p.step);
        self.opt_text("payload.summary", &p.summary);
        if matches!(p.stage, Stage::RatificationStep | Stage::Withdrawn) && p.party.is_none() {
            self.fail("payload.party", "a ratification step or a withdrawal names the party that took it");
        }
        // The rules below came with part 9; an exported line recorded before is not
        // judged by them again.
        if self.known.before_part_9() {
            return;
        }
        let stage = p.stage.name();
        if p.party.is_some() && !p.stage.takes_party() {
            self.fail(
                "payload.party",
                format!(
                    "a party's own step is one of signed, ratification_step, ratified, in_force, suspended, resumed \
                     or withdrawn, not {stage}; leave party out (the stage is every party's)"
                ),
            );
        }
        if p.stage != Stage::RatificationStep {
            if p.procedure.is_some() {
                self.fail("payload.procedure", format!("only a ratification_step has a procedure, not {stage}"));
            }
            if p.outcome.is_some() {
                self.fail("payload.outcome", format!("only a ratification_step has an outcome, not {stage}"));
            }
        }
        if p.scope.is_some() && !matches!(p.stage, Stage::Suspended | Stage::Resumed) {
            self.fail("payload.scope", format!("only a suspension or a resumption is in part, not {stage}"));
        }
        match (&p.replacement, p.stage) {
            (None, Stage::Superseded) => self.fail(
                "payload.replacement",
                "a superseded instrument names its replacement: record the new text first, then give its id",
            ),
            (Some(_), s) if s != Stage::Superseded => {
                self.fail("payload.replacement", format!("only a superseded instrument has a replacement, not {stage}"))
            }
            (Some(r), _) if r == id => self.fail("payload.replacement", "an instrument cannot replace itself"),
            (Some(r), _) => self.must_exist(
                "payload.replacement",
                Name::Instrument(r.clone()),
                "record a stage of the new text first with instrument_stage_reached",
                None,
            ),
            (None, _) => {}
        }
        if let Some(parent) = &p.parent {
            if parent == id {
                self.fail("payload.parent", format!("instrument `{id}` cannot be its own parent (a cycle)"));
            } else if self.known.instrument(parent).is_some_and(|d| d.parent.as_ref() == Some(id)) {
                // A correction may give a parent afterwards: never one whose own parent
                // is this instrument.
                self.fail(
                    "payload.parent",
                    format!("`{parent}` is itself a part of `{id}`; an instrument cannot be its part's part (a cycle)"),
                );
            } else {
                self.must_exist(
                    "payload.parent",
                    Name::Instrument(parent.clone()),
                    "record a stage of the parent first with instrument_stage_reached",
                    None,
                );
            }
        }
        let mut numbers = HashSet::new();
        for (i, a) in p.articles.iter().enumerate() {
            let field = format!("payload.articles[{i}]");
            if a.number == 0 {
                self.fail(format!("{field}.number"), "articles are numbered from 1");
            } else if !numbers.insert(a.number) {
                self.fail(format!("{field}.number"), format!("article {} is listed twice", a.number));
            } else if !first && self.known.knows(&Name::Principle(article_ref(id, a.number))) {
                self.fail(
                    format!("{field}.number"),
                    format!("article {} of `{id}` was given before; an article is given once", a.number),
                );
            }
            self.text(&format!("{field}.text"), &a.text);
        }
        if first
            && let Ok(proposal) = ProposalId::new(id.as_str())
            && self.known.knows(&Name::Proposal(proposal))
        {
            self.fail(
                "payload.instrument",
                format!(
                    "`{id}` is a proposal's id; proposals and instruments share one namespace (their principles and \
                     articles are both `ID#N`): choose another id"
                ),
            );
        }
        // A later event may repeat what the first declared, never change it.
        if let Some(declared) = self.known.instrument(id).filter(|_| !first) {
            // An instrument's stages are recorded on its tracks: another track's parties
            // would otherwise be credited with its steps.
            if !declared.tracks.is_empty() && !f.tracks.iter().any(|t| declared.tracks.contains(t)) {
                let list: Vec<String> = declared.tracks.iter().map(|t| format!("`{t}`")).collect();
                self.fail(
                    "tracks",
                    format!(
                        "instrument `{id}` is on {}; record its stages on that track (an event may list several \
                         tracks), or give this text its own id",
                        list.join(", ")
                    ),
                );
            }
            if let (Some(was), Some(now)) = (declared.instrument_type, p.instrument_type)
                && was != now
            {
                self.fail(
                    "payload.type",
                    format!("instrument `{id}` was declared a {was}; leave type out, or correct the first event"),
                );
            }
            if p.parent.is_some() && p.parent != declared.parent {
                self.fail(
                    "payload.parent",
                    format!("instrument `{id}` was declared with another parent; leave parent out, or correct the first event"),
                );
            }
            if !p.parties.is_empty() && p.parties != declared.parties {
                self.fail(
                    "payload.parties",
                    format!("instrument `{id}` was declared with other parties; leave parties out, or correct the first event"),
                );
            }
            if p.principal.is_some() && p.principal != declared.principal {
                self.fail(
                    "payload.principal",
                    format!("instrument `{id}` was declared otherwise principal or side; leave principal out"),
                );
            }
            if let Some(party) = &p.party
                && !declared.parties.is_empty()
                && !declared.parties.contains(party)
            {
                let list: Vec<String> = declared.parties.iter().map(|p| format!("`{p}`")).collect();
                self.fail(
                    "payload.party",
                    format!("`{party}` is not a party of instrument `{id}` (its parties: {})", list.join(", ")),
                );
            }
        }
        // Every code in `parties` is checked with the event's other party fields.
        if first
            && let Some(party) = &p.party
            && !p.parties.is_empty()
            && !p.parties.contains(party)
        {
            self.fail("payload.party", format!("`{party}` is not among the instrument's parties"));
        }
    }

    fn links(&mut self, f: &Facts) {
        for (i, p) in f.links.addresses.iter().enumerate() {
            self.must_exist(
                &format!("addresses[{i}]"),
                Name::Principle(p.clone()),
                "it must be a numbered principle of a tabled proposal",
                None,
            );
        }
        for (field, ids) in [
            ("advances", &f.links.advances),
            ("fulfils", &f.links.fulfils),
            ("partially_fulfils", &f.links.partially_fulfils),
        ] {
            for (i, c) in ids.iter().enumerate() {
                self.commitment(&format!("{field}[{i}]"), c, f);
                self.in_effect(&format!("{field}[{i}]"), c, f);
            }
        }
        for (i, c) in f.links.reaffirms.iter().enumerate() {
            self.commitment(&format!("reaffirms[{i}]"), c, f);
            self.still_kept(&format!("reaffirms[{i}]"), c, f);
        }
        for (i, e) in f.links.follows.iter().enumerate() {
            self.must_exist(
                &format!("follows[{i}]"),
                Name::Event(*e),
                "it must be the id of an event already in the log",
                None,
            );
        }
    }
}

/// Whether a correction may set `field`.
pub fn correctable(field: &str) -> bool {
    const TOP: &[&str] = &[
        "occurred",
        "tracks",
        "sources",
        "unsourced",
        "addresses",
        "advances",
        "fulfils",
        "partially_fulfils",
        "reaffirms",
        "follows",
        "code",
        "confidence",
        "attribution",
        "before_opening",
        "occasion",
        "payload",
    ];
    TOP.contains(&field) || field.strip_prefix("payload.").is_some_and(|k| !k.is_empty() && !k.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Knows every name but retractions; every commitment was withdrawn at seq 29.
    struct Withdrawn;

    impl Known for Withdrawn {
        fn knows(&self, name: &Name) -> bool {
            !matches!(name, Name::Retracted(_))
        }

        fn withdrawn(&self, _: &CommitmentId) -> Option<(u64, PartialDate)> {
            Some((29, "2023-01".parse().expect("a date")))
        }
    }

    fn hints(kind: &str, payload: &str, known: &dyn Known) -> Vec<(Option<String>, Option<Hint>)> {
        let line = format!(
            r#"{{"kind":"{kind}","version":1,"tracks":["t"],"occurred":"2024","unsourced":true,"payload":{payload}}}"#
        );
        let facts = super::super::parse_line(&line).expect("parses").facts;
        let errors = validate(&facts, known).expect_err("refused");
        assert!(errors.iter().all(|e| !e.message.contains("entente")), "the core names no command: {errors:?}");
        errors.into_iter().map(|e| (e.field, e.hint)).collect()
    }

    #[test]
    fn what_would_help_is_carried_as_a_hint_never_as_a_command() {
        let at = |field: &str, hint| (Some(field.to_owned()), Some(hint));
        let progress = r#"{"commitment":"c","summary":"s"}"#;
        assert_eq!(
            hints("commitment_progressed", progress, &HashSet::new()),
            [
                at("tracks[0]", Hint::RecordHelp(Kind::TrackOpened)),
                at("payload.commitment", Hint::ListKind(Kind::CommitmentMade))
            ]
        );
        assert_eq!(
            hints("commitment_progressed", progress, &Withdrawn),
            [at("payload.commitment", Hint::RetractWithdrawal { seq: 29 })]
        );
        let retraction = r#"{"target":"7a1e0000-0000-4000-8000-000000000002","reason":"r"}"#;
        assert_eq!(hints("event_retracted", retraction, &Withdrawn), [at("payload.target", Hint::History)]);
    }

    #[test]
    fn a_third_party_is_keyed_by_track_code_and_role_so_a_track_finds_all_of_its_own() {
        let t = TrackId::new("am-az").expect("id");
        let name = Name::ThirdParty(t.clone(), Party::new("eu").expect("code"), ThirdPartyRole::Mediator);
        assert_eq!((name.namespace(), name.key()), ("third_party", "am-az eu mediator".to_owned()));
        assert!(name.key().starts_with(&Name::third_parties_of(&t)));
    }

    #[test]
    fn a_reference_names_exactly_one_thing_and_a_stage_only_of_an_instrument() {
        let parse = |json: &str| serde_json::from_str::<Ref>(json);
        assert_eq!(parse(r#"{"commitment":"c"}"#).expect("parses").target().err(), None);
        assert_eq!(parse(r#"{"instrument":"i","stage":"signed","party":"x"}"#).expect("parses").target().err(), None);
        assert!(parse(r#"{}"#).expect("parses").target().is_err());
        assert!(
            parse(r#"{"commitment":"c","event":"7a1e0000-0000-4000-8000-000000000002"}"#)
                .expect("parses")
                .target()
                .is_err()
        );
        assert!(parse(r#"{"commitment":"c","party":"x"}"#).expect("parses").target().is_err());
        assert!(parse(r#"{"treaty":"t"}"#).is_err(), "unknown keys are refused");
    }

    /// Knows instrument `t`, declared a treaty of parties `x` and `y`, and proposal `t`
    /// too; `old` when judging a line exported before part 9.
    struct Declared {
        old: bool,
    }

    impl Known for Declared {
        fn knows(&self, name: &Name) -> bool {
            matches!(name, Name::Instrument(_) | Name::Track(_))
        }

        fn before_part_9(&self) -> bool {
            self.old
        }

        fn instrument(&self, _: &InstrumentId) -> Option<InstrumentFacts> {
            let parties = vec!["x".parse().expect("party"), "y".parse().expect("party")];
            let declared = InstrumentFacts {
                instrument_type: Some(super::super::payload::InstrumentType::Treaty),
                parent: None,
                parties,
                principal: None,
                tracks: vec!["t".parse().expect("track")],
            };
            (!self.old).then_some(declared)
        }
    }

    #[test]
    fn a_line_exported_before_part_9_is_not_judged_by_its_instrument_rules() {
        let line = r#"{"kind":"instrument_stage_reached","version":1,"tracks":["t"],"occurred":"2024","unsourced":true,"payload":{"instrument":"t","stage":"text_agreed","type":"protocol","party":"x"}}"#;
        let facts = super::super::parse_line(line).expect("parses").facts;
        let errors = validate(&facts, &Declared { old: false }).expect_err("a new line is judged");
        let fields: Vec<Option<String>> = errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, [Some("payload.party".to_owned()), Some("payload.type".to_owned())]);
        assert!(validate(&facts, &Declared { old: true }).is_ok(), "an old export imports as it is");
    }
}
