//! PLOVER interchange: every event of a view written as a PLOVER-JSON record, one a
//! line (what `export --format plover` and `replay` write).
//!
//! The mapping is written here once, as data-shaped `match`es: each kind's event type,
//! modes, contexts, actors and recipients (`docs/plover.md` gives it as a table, and
//! `tests/it/plover.rs` holds the records against the closed sets of the PLOVER
//! manual, vendored in `tests/data/plover/`). What PLOVER has no field for goes in the
//! `entente` extension object, so nothing is lost silently: the event's whole body as
//! it stands, its seq, its date's precision and interval, the names it refers to, its
//! amendments, and whether it is disputed.
//!
//! Records are the log as the view sees it: corrections and corroborations applied,
//! retracted events left out, disputed events flagged. A meta event (a correction,
//! retraction, dispute or corroboration) is no PLOVER event: it is listed in the
//! `amendments` of the event it speaks about. Pure: no I/O.

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::event::codes::EventType;
use serde_json::{Map, Value};

use crate::event::payload::{
    ConditionOutcome, DecisionEffect, Finding, Format as MeetingFormat, Mode as MeetingMode, Outcome, Participant,
    Payload, Procedure, Reporter, Response, Role, RulingEffect, Stage,
};
use crate::event::{Event, Party, Record, format_recorded_at};
use crate::names::Named;
use crate::projection::Replay;

crate::names::closed_set! {
    /// What `export` writes.
    pub enum ExportFormat {
        /// The log's own JSON Lines, with its chain: what `import` reads.
        Jsonl => "jsonl",
        /// PLOVER-JSON records of the events as they stand.
        Plover => "plover",
    }
}

/// One actor or recipient: PLOVER's entity object, with the role entente knows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Entity {
    /// The party's code as the log writes it (`am`, `eu`): entente's own codes, not
    /// necessarily ISO 3166 alpha-3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The name: the person's (a participant, an envoy), else the body's or the party's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_text: Option<String>,
    /// The office held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// An extension: what the entity was in the event (`party`, `mediator`, `host`,
    /// `observer`, `envoy`, `speaker`, `court`, `body`, `monitor`, `authority`, or a
    /// third party's role).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entente_role: Option<&'static str>,
}

/// PLOVER's location object, as far as entente knows a place: its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The place as recorded.
    pub extracted_place: String,
}

/// PLOVER's citation object, for an event's first source (every source is in the
/// extension's `sources`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CiteInfo {
    /// Title of the source.
    pub title: String,
    /// Where to read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Who published it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication: Option<String>,
    /// Its author, date and locator, in that order, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
}

/// One PLOVER-JSON record. Field names and order are the manual's ("PLOVER JSON"
/// table); `entente` is the extension object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PloverRecord {
    /// The event's id.
    pub id: String,
    /// False when the kind has no PLOVER category (then `event` is empty).
    pub has_event: bool,
    /// The first day of the event's date interval.
    pub date: String,
    /// The last day, when the date is not a single day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enddate: Option<String>,
    /// Who acted.
    pub actor: Vec<Entity>,
    /// To whom, when that is clear.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipient: Vec<Entity>,
    /// The event category (one, or none when `has_event` is false).
    pub event: Vec<EventType>,
    /// Where it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_loc: Option<Location>,
    /// The event in words (its headline).
    pub event_text: Vec<String>,
    /// The quad category of the event type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quad_code: Option<u8>,
    /// Modes of the event type.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mode: Vec<&'static str>,
    /// Contexts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<&'static str>,
    /// The occasion the event belongs to, shared with the other events of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The first source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cite_info: Option<CiteInfo>,
    /// Who recorded the event.
    pub coder: String,
    /// The day it was recorded (UTC).
    pub coded_date: String,
    /// The time it was recorded (UTC, ISO 8601).
    pub coded_time: String,
    /// What a reader must know: a dispute, a code that is not PLOVER's, no category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Everything else entente knows (see the module doc and `docs/plover.md`).
    pub entente: Map<String, Value>,
}

/// How one event is coded, before the record is laid out.
struct Coding {
    event: Option<EventType>,
    mode: Vec<&'static str>,
    context: Vec<&'static str>,
    actor: Vec<Entity>,
    recipient: Vec<Entity>,
    place: Option<String>,
    /// Why the kind has no category, when it has none.
    no_event: Option<&'static str>,
}

impl Coding {
    fn new(event: EventType, context: &[&'static str], actor: Vec<Entity>) -> Coding {
        Coding {
            event: Some(event),
            mode: Vec::new(),
            context: context.to_vec(),
            actor,
            recipient: Vec::new(),
            place: None,
            no_event: None,
        }
    }

    fn none(why: &'static str, actor: Vec<Entity>) -> Coding {
        Coding { event: None, no_event: Some(why), ..Coding::new(EventType::Support, &[], actor) }
    }
}

const DIPLOMATIC: &[&str] = &["diplomatic"];

/// What the mapping looks up across the view: party names, and who is behind a
/// track, proposal, commitment, commission, instrument or condition.
#[derive(Default)]
struct Index {
    names: BTreeMap<String, String>,
    tracks: BTreeMap<String, Vec<String>>,
    proposals: BTreeMap<String, String>,
    commitments: BTreeMap<String, Vec<String>>,
    commissions: BTreeMap<String, Vec<String>>,
    instruments: BTreeMap<String, Vec<String>>,
    conditions: BTreeMap<String, String>,
}

impl Index {
    fn of(records: &[Record]) -> Index {
        let mut index = Index::default();
        let codes = |parties: &[Party]| parties.iter().map(|p| p.as_str().to_owned()).collect::<Vec<_>>();
        for record in records {
            let facts = &record.event.facts;
            match &facts.payload {
                Payload::TrackOpened(p) => {
                    for party in &p.parties {
                        index.names.insert(party.code.as_str().to_owned(), party.name.clone());
                    }
                    for third in &p.third_parties {
                        index.names.insert(third.code.as_str().to_owned(), third.name.clone());
                    }
                    for track in &facts.tracks {
                        index
                            .tracks
                            .insert(track.to_string(), p.parties.iter().map(|x| x.code.as_str().to_owned()).collect());
                    }
                }
                Payload::PartyJoined(p) => {
                    index.names.insert(p.party.code.as_str().to_owned(), p.party.name.clone());
                }
                Payload::ProposalTabled(p) => {
                    index.proposals.insert(p.proposal.to_string(), p.by.as_str().to_owned());
                }
                Payload::CommitmentMade(p) => {
                    index.commitments.insert(p.commitment.to_string(), codes(&p.parties));
                }
                Payload::CommissionEstablished(p) => {
                    index.commissions.insert(p.commission.to_string(), codes(&p.parties));
                }
                Payload::InstrumentStageReached(p) if !p.parties.is_empty() => {
                    index.instruments.entry(p.instrument.to_string()).or_insert_with(|| codes(&p.parties));
                }
                Payload::ConditionSet(p) => {
                    if let Some(by) = &p.by {
                        index.conditions.insert(p.condition.to_string(), by.as_str().to_owned());
                    }
                }
                _ => {}
            }
        }
        index
    }

    /// A party as an entity, named when the log names it.
    fn party(&self, code: &str) -> Entity {
        Entity { code: Some(code.to_owned()), entity_text: self.names.get(code).cloned(), ..Entity::default() }
    }

    fn parties<'a>(&self, codes: impl IntoIterator<Item = &'a str>) -> Vec<Entity> {
        codes.into_iter().map(|c| self.party(c)).collect()
    }

    /// The parties of the event's tracks: the actors of a kind that names none.
    fn track_parties(&self, event: &Event) -> Vec<Entity> {
        let mut codes: Vec<&str> = Vec::new();
        for track in &event.facts.tracks {
            for code in self.tracks.get(track.as_str()).into_iter().flatten() {
                if !codes.contains(&code.as_str()) {
                    codes.push(code);
                }
            }
        }
        self.parties(codes)
    }

    /// The parties behind a commitment, else the track's.
    fn commitment_parties(&self, commitment: &str, event: &Event) -> Vec<Entity> {
        match self.commitments.get(commitment) {
            Some(codes) if !codes.is_empty() => self.parties(codes.iter().map(String::as_str)),
            _ => self.track_parties(event),
        }
    }

    /// `by` when given, else the commitment's parties.
    fn by_or_commitment(&self, by: Option<&Party>, commitment: &str, event: &Event) -> Vec<Entity> {
        match by {
            Some(party) => vec![self.party(party.as_str())],
            None => self.commitment_parties(commitment, event),
        }
    }
}

/// A participant of a meeting as an entity.
fn participant(p: &Participant) -> Entity {
    Entity {
        code: p.party.as_ref().map(|x| x.as_str().to_owned()),
        entity_text: Some(p.name.clone()),
        office: p.office.clone(),
        entente_role: Some(p.role.name()),
    }
}

/// A named body or person acting for a party (a court, an international body, a
/// monitor, an authority).
fn named(name: &str, party: Option<&Party>, role: &'static str) -> Entity {
    Entity {
        code: party.map(|p| p.as_str().to_owned()),
        entity_text: Some(name.to_owned()),
        office: None,
        entente_role: Some(role),
    }
}

/// A meeting's coding: CONSULT with its modes; a host who is not the mediator makes
/// the others visitors (actor) and the host the recipient, as the manual asks.
fn consult(participants: &[Participant], mode: Option<MeetingMode>, format: Option<MeetingFormat>) -> Coding {
    let mut modes = Vec::new();
    let hosts: Vec<&Participant> = participants.iter().filter(|p| p.role == Role::Host).collect();
    let party_codes: Vec<_> =
        participants.iter().filter(|p| p.role == Role::Party).filter_map(|p| p.party.as_ref()).collect();
    let host_is_a_party =
        !hosts.is_empty() && hosts.iter().all(|h| h.party.as_ref().is_some_and(|c| party_codes.contains(&c)));
    let third_party = participants.iter().any(|p| p.role == Role::Mediator) || (!hosts.is_empty() && !host_is_a_party);
    if host_is_a_party && !third_party {
        modes.push("visit");
    }
    if third_party {
        modes.push("third-party");
    }
    if format == Some(MeetingFormat::Multilateral) {
        modes.push("multilateral");
    }
    if matches!(mode, Some(MeetingMode::Phone | MeetingMode::Video)) {
        modes.push("phone");
    }
    let (actor, recipient) = if modes.contains(&"visit") {
        (
            participants.iter().filter(|p| p.role != Role::Host).map(participant).collect(),
            hosts.into_iter().map(participant).collect(),
        )
    } else {
        (participants.iter().map(participant).collect(), Vec::new())
    };
    Coding { mode: modes, recipient, ..Coding::new(EventType::Consult, DIPLOMATIC, actor) }
}

/// The coding of one event by its kind: the mapping `docs/plover.md` tabulates.
fn code(event: &Event, index: &Index) -> Coding {
    let tracks = || index.track_parties(event);
    let one = |p: &Party| vec![index.party(p.as_str())];
    match &event.facts.payload {
        Payload::TrackOpened(p) => {
            let mut actor: Vec<Entity> = p
                .parties
                .iter()
                .map(|x| Entity { entente_role: Some("party"), ..index.party(x.code.as_str()) })
                .collect();
            actor.extend(
                p.third_parties
                    .iter()
                    .map(|x| Entity { entente_role: Some(x.role.name()), ..index.party(x.code.as_str()) }),
            );
            Coding::new(EventType::Support, DIPLOMATIC, actor)
        }
        Payload::EnvoyAppointed(p) => {
            let envoy = Entity {
                code: Some(p.party.as_str().to_owned()),
                entity_text: Some(p.envoy.clone()),
                office: p.office.clone(),
                entente_role: Some("envoy"),
            };
            Coding::new(EventType::Support, &["diplomatic", "executive"], vec![envoy])
        }
        Payload::MeetingHeld(p) => {
            Coding { place: p.place.clone(), ..consult(&p.participants, Some(p.mode), Some(p.format)) }
        }
        Payload::StatementMade(p) => Coding::none(
            "a statement has no PLOVER category (CAMEO's MAKE PUBLIC STATEMENT was dropped); give `code.plover` to code it",
            vec![Entity { office: p.actor.office.clone(), ..named(&p.actor.name, p.actor.party.as_ref(), "speaker") }],
        ),
        Payload::ProposalTabled(p) => Coding {
            recipient: index.parties(p.to.iter().map(Party::as_str)),
            ..Coding::new(EventType::Agree, DIPLOMATIC, one(&p.by))
        },
        Payload::ProposalAnswered(p) => {
            let event = match p.response {
                Response::Accepted | Response::AcceptedInPrinciple => EventType::Agree,
                Response::Rejected | Response::CounterProposal => EventType::Reject,
            };
            let recipient =
                index.proposals.get(p.proposal.as_str()).map(|by| vec![index.party(by)]).unwrap_or_default();
            Coding { recipient, ..Coding::new(event, DIPLOMATIC, one(&p.by)) }
        }
        Payload::CommitmentMade(p) => {
            Coding::new(EventType::Agree, DIPLOMATIC, index.parties(p.parties.iter().map(Party::as_str)))
        }
        Payload::CommitmentProgressed(p) => Coding::new(
            EventType::Support,
            DIPLOMATIC,
            index.by_or_commitment(p.by.as_ref(), p.commitment.as_str(), event),
        ),
        Payload::CommitmentFulfilled(p) => Coding::new(
            EventType::Support,
            DIPLOMATIC,
            index.by_or_commitment(p.by.as_ref(), p.commitment.as_str(), event),
        ),
        Payload::CommitmentPartiallyFulfilled(p) => Coding::new(
            EventType::Support,
            DIPLOMATIC,
            index.by_or_commitment(p.by.as_ref(), p.commitment.as_str(), event),
        ),
        Payload::DeadlineAmended(p) => {
            Coding::new(EventType::Agree, DIPLOMATIC, index.commitment_parties(p.commitment.as_str(), event))
        }
        Payload::CommitmentWithdrawn(p) => Coding::new(
            EventType::Reject,
            DIPLOMATIC,
            index.by_or_commitment(p.by.as_ref(), p.commitment.as_str(), event),
        ),
        Payload::CommitmentReaffirmed(p) => {
            let actor = if p.by.is_empty() {
                index.commitment_parties(p.commitment.as_str(), event)
            } else {
                index.parties(p.by.iter().map(Party::as_str))
            };
            Coding::new(EventType::Agree, DIPLOMATIC, actor)
        }
        Payload::CommitmentReportedUnmet(p) => {
            let actor = match (p.reporter, &p.by, &p.monitor) {
                (Reporter::Party, Some(by), _) => one(by),
                (Reporter::Monitor, _, Some(monitor)) => vec![named(monitor, None, "monitor")],
                _ => Vec::new(),
            };
            let recipient = p.against.iter().map(|a| index.party(a.as_str())).collect();
            if p.reporter == Reporter::Analyst {
                return Coding {
                    recipient,
                    ..Coding::none("the analyst's own finding is no event between actors", actor)
                };
            }
            let mode = match p.finding {
                Finding::Breach => "allege",
                Finding::Unmet => "disapprove",
            };
            Coding { mode: vec![mode], recipient, ..Coding::new(EventType::Accuse, DIPLOMATIC, actor) }
        }
        Payload::CommitmentSuspended(p) => {
            let (actor, context): (Vec<Entity>, &[&'static str]) = match (&p.by, &p.authority) {
                (Some(by), _) => (one(by), DIPLOMATIC),
                (None, Some(authority)) => (vec![named(authority, None, "authority")], &["diplomatic", "legal"]),
                (None, None) => (index.commitment_parties(p.commitment.as_str(), event), DIPLOMATIC),
            };
            Coding::new(EventType::Reject, context, actor)
        }
        Payload::CommitmentResumed(p) => {
            let actor = match (&p.by, &p.authority) {
                (Some(by), _) => one(by),
                (None, Some(authority)) => vec![named(authority, None, "authority")],
                (None, None) => index.commitment_parties(p.commitment.as_str(), event),
            };
            Coding::new(EventType::Support, DIPLOMATIC, actor)
        }
        Payload::CommitmentSuperseded(p) => {
            Coding::new(EventType::Agree, DIPLOMATIC, index.commitment_parties(p.replacement.as_str(), event))
        }
        Payload::CommissionEstablished(p) => Coding::new(
            EventType::Support,
            &["diplomatic", "political_institutions"],
            index.parties(p.parties.iter().map(Party::as_str)),
        ),
        Payload::CommissionConvened(p) => {
            let mut coding = consult(&p.participants, p.mode, None);
            if coding.actor.is_empty() {
                coding.actor = match index.commissions.get(p.commission.as_str()) {
                    Some(codes) => index.parties(codes.iter().map(String::as_str)),
                    None => tracks(),
                };
            }
            Coding { place: p.place.clone(), ..coding }
        }
        Payload::InstrumentStageReached(p) => {
            let event_type = match (p.stage, p.outcome) {
                (Stage::Negotiating, _) => EventType::Consult,
                (Stage::TextAgreed | Stage::Initialled, _) => EventType::Agree,
                (Stage::RatificationStep, Some(Outcome::Rejected)) => EventType::Reject,
                (Stage::Signed | Stage::RatificationStep | Stage::Ratified | Stage::InForce, _) => EventType::Support,
                (Stage::Resumed | Stage::Superseded, _) => EventType::Support,
                (Stage::Suspended | Stage::Withdrawn | Stage::Terminated | Stage::Annulled, _) => EventType::Reject,
            };
            let mut context = vec!["diplomatic"];
            context.extend(match p.procedure {
                Some(Procedure::Parliament) => Some("legislative"),
                Some(Procedure::Referendum) => Some("election"),
                Some(Procedure::CourtReview) => Some("legal"),
                Some(Procedure::Executive | Procedure::Promulgation) => Some("executive"),
                Some(Procedure::Deposit | Procedure::Other) | None => None,
            });
            let actor = match (&p.party, p.parties.is_empty(), index.instruments.get(p.instrument.as_str())) {
                (Some(party), _, _) => one(party),
                (None, false, _) => index.parties(p.parties.iter().map(Party::as_str)),
                (None, true, Some(codes)) => index.parties(codes.iter().map(String::as_str)),
                (None, true, None) => tracks(),
            };
            Coding { context, ..Coding::new(event_type, &[], actor) }
        }
        Payload::ImplementationStep(_) => Coding::new(EventType::Support, DIPLOMATIC, tracks()),
        Payload::ContextNoted(_) => Coding::none("a note of context is background, not an event", Vec::new()),
        Payload::ConditionSet(p) => {
            let actor = p.by.as_ref().map_or_else(tracks, one);
            Coding::new(EventType::Request, DIPLOMATIC, actor)
        }
        Payload::ConditionResolved(p) => {
            let event_type = match p.outcome {
                ConditionOutcome::Met => EventType::Support,
                ConditionOutcome::Unmet => EventType::Reject,
                ConditionOutcome::Dropped => EventType::Concede,
            };
            let actor = index.conditions.get(p.condition.as_str()).map_or_else(tracks, |by| vec![index.party(by)]);
            Coding::new(event_type, DIPLOMATIC, actor)
        }
        Payload::PartyJoined(p) => {
            let joined = Entity { entente_role: Some(p.role.name()), ..index.party(p.party.code.as_str()) };
            Coding::new(EventType::Support, DIPLOMATIC, vec![joined])
        }
        Payload::RulingIssued(p) => {
            let (event_type, mode) = match p.effect {
                RulingEffect::Upholds => (EventType::Support, None),
                RulingEffect::Suspends | RulingEffect::Annuls => (EventType::Reject, None),
                RulingEffect::RequiresChanges => (EventType::Request, Some("change")),
            };
            let court = named(&p.court, p.party.as_ref(), "court");
            Coding { mode: mode.into_iter().collect(), ..Coding::new(event_type, &["legal"], vec![court]) }
        }
        Payload::DecisionAdopted(p) => {
            let event_type = match p.effect {
                DecisionEffect::Endorses | DecisionEffect::Mandates | DecisionEffect::Extends => EventType::Support,
                DecisionEffect::WindsUp => EventType::Reject,
            };
            let body = named(&p.body, p.party.as_ref(), "body");
            Coding::new(event_type, &["diplomatic", "political_institutions"], vec![body])
        }
        Payload::EventCorrected(_)
        | Payload::EventRetracted(_)
        | Payload::EventDisputed(_)
        | Payload::EventCorroborated(_) => Coding::none("an amendment is no event", Vec::new()),
    }
}

/// Every event the view sees, as it stands, as a PLOVER record, in world order.
pub fn records(replay: &Replay) -> Vec<PloverRecord> {
    let effective = replay.effective();
    let index = Index::of(&effective.records);
    effective.records.iter().map(|r| record(replay, r, &index, effective.disputed.contains(&r.seq))).collect()
}

/// The records as JSON Lines: what `export --format plover` writes.
pub fn render(replay: &Replay) -> String {
    let mut out = String::new();
    for record in records(replay) {
        // Strings, numbers and maps of them always serialize.
        out.push_str(&serde_json::to_string(&record).expect("a PLOVER record is plain data"));
        out.push('\n');
    }
    out
}

fn record(replay: &Replay, record: &Record, index: &Index, disputed: bool) -> PloverRecord {
    let event = &record.event;
    let facts = &event.facts;
    let mut coding = code(event, index);
    let mut comments: Vec<String> = Vec::new();
    // The analyst's own PLOVER code wins when it is one of PLOVER's and the record can
    // carry it (a category that requires a recipient needs one); modes belong to a
    // category, so they go with the mapping's when the category changes.
    if let Some(given) = facts.codes.as_ref().and_then(|c| c.plover.as_deref()) {
        match EventType::from_name(given) {
            Some(t) if t.requires_recipient() && coding.recipient.is_empty() => comments.push(format!(
                "code.plover `{given}` requires a recipient this event does not name; coded by entente's mapping"
            )),
            Some(t) => {
                if coding.event != Some(t) {
                    coding.mode.clear();
                }
                coding.event = Some(t);
                coding.no_event = None;
            }
            None => {
                comments.push(format!("code.plover `{given}` is not a PLOVER event type; coded by entente's mapping"))
            }
        }
    }
    if let Some(why) = coding.no_event {
        comments.push(format!("no PLOVER event: {why}"));
    }
    if disputed {
        comments.push("disputed: an event_disputed contradicts it (see entente.amendments)".to_owned());
    }
    let (first, last) = (facts.occurred.first_day(), facts.occurred.last_day());
    let source = facts.sources.first();
    let recorded = format_recorded_at(&event.recorded_at);
    let (coded_date, coded_time) = recorded.split_once('T').unwrap_or((&recorded, ""));
    PloverRecord {
        id: event.id.to_string(),
        has_event: coding.event.is_some(),
        date: first.format("%Y-%m-%d").to_string(),
        enddate: (last != first).then(|| last.format("%Y-%m-%d").to_string()),
        actor: coding.actor,
        recipient: coding.recipient,
        event: coding.event.into_iter().collect(),
        event_loc: coding.place.map(|extracted_place| Location { extracted_place }),
        event_text: vec![crate::render::headline(event)],
        quad_code: coding.event.map(EventType::quad),
        mode: coding.mode,
        context: if coding.event.is_some() { coding.context } else { Vec::new() },
        link: facts.occasion.as_ref().map(ToString::to_string),
        cite_info: source.map(|s| CiteInfo {
            title: s.title.clone(),
            url: s.url.clone(),
            publication: s.publisher.clone(),
            citation: {
                let parts: Vec<String> = [s.author.clone(), s.published.map(|d| d.to_string()), s.locator.clone()]
                    .into_iter()
                    .flatten()
                    .collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            },
        }),
        coder: event.recorded_by.clone(),
        coded_date: coded_date.to_owned(),
        coded_time: coded_time.to_owned(),
        comment: (!comments.is_empty()).then(|| comments.join("; ")),
        entente: extension(replay, record, disputed),
    }
}

/// The extension object: the event's canonical body as it stands (every field entente
/// writes, but its id, which is the record's), then what PLOVER has no field for.
fn extension(replay: &Replay, record: &Record, disputed: bool) -> Map<String, Value> {
    let event = &record.event;
    let mut out = match serde_json::from_str::<Value>(&event.body_json()) {
        Ok(Value::Object(map)) => map,
        // The canonical body is always an object; an empty extension would be a bug
        // the round-trip test sees.
        _ => Map::new(),
    };
    out.remove("id");
    let date = &event.facts.occurred;
    out.insert("seq".to_owned(), Value::from(record.seq));
    out.insert("precision".to_owned(), Value::from(date.precision().name()));
    out.insert("first_day".to_owned(), Value::from(date.first_day().format("%Y-%m-%d").to_string()));
    out.insert("last_day".to_owned(), Value::from(date.last_day().format("%Y-%m-%d").to_string()));
    let mut references: Map<String, Value> = Map::new();
    // An instrument's id is checked against proposals too (and a proposal's against
    // instruments), since a text may be both; that check is no reference.
    let echo = match event.facts.kind() {
        crate::event::Kind::InstrumentStageReached => Some("proposal"),
        crate::event::Kind::ProposalTabled => Some("instrument"),
        _ => None,
    };
    for name in event.facts.references() {
        let namespace = name.namespace();
        if echo == Some(namespace) {
            continue;
        }
        if matches!(
            namespace,
            "proposal" | "principle" | "commitment" | "commission" | "instrument" | "condition" | "event"
        ) {
            let list = references.entry(namespace).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                let key = Value::from(name.key());
                if !list.contains(&key) {
                    list.push(key);
                }
            }
        }
    }
    if !references.is_empty() {
        out.insert("references".to_owned(), Value::Object(references));
    }
    let amendments: Vec<Value> = replay
        .amendments_of(event.id)
        .into_iter()
        .map(|a| {
            let mut entry = Map::new();
            entry.insert("seq".to_owned(), Value::from(a.seq));
            entry.insert("id".to_owned(), Value::from(a.event.id.to_string()));
            entry.insert("kind".to_owned(), Value::from(a.event.facts.kind().name()));
            entry.insert("recorded_at".to_owned(), Value::from(format_recorded_at(&a.event.recorded_at)));
            entry.insert("payload".to_owned(), serde_json::to_value(&a.event.facts.payload).unwrap_or(Value::Null));
            Value::Object(entry)
        })
        .collect();
    if !amendments.is_empty() {
        out.insert("amendments".to_owned(), Value::Array(amendments));
    }
    out.insert("disputed".to_owned(), Value::from(disputed));
    out
}
