//! The status projection: per track, its stage and since when, envoys, contact counts,
//! principles and commitments with their states and the events behind them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::{View, world_order};
use crate::date::{Deadline, PartialDate};
use crate::event::payload::{InstrumentType, Mode, PartyName, Payload, Response, Stage as InstrumentStage};
use crate::event::{CommitmentId, Party, PrincipleRef, Record, TrackId};

/// A date and the event behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct At {
    /// The event's date, at its own precision.
    pub date: PartialDate,
    /// The event's seq.
    pub seq: u64,
}

impl At {
    fn key(&self) -> (NaiveDate, NaiveDate, u64) {
        (self.date.first_day(), self.date.last_day(), self.seq)
    }

    fn of(record: &Record) -> At {
        At { date: record.event.facts.occurred, seq: record.seq }
    }
}

/// Where a track stands (domain.md, "Track stage").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Opened, nothing since.
    Dormant,
    /// Envoys, contacts, talks about talks.
    PreNegotiation,
    /// Proposals exchanged, commitments made.
    Negotiation,
    /// A proposal accepted by the other side.
    FrameworkAgreed,
    /// The principal instrument's text is agreed.
    TextAgreed,
    /// Initialled.
    Initialled,
    /// Signed.
    Signed,
    /// Ratification under way.
    Ratification,
    /// In force.
    InForce,
    /// Implementation steps after entry into force.
    Implementation,
    /// Suspended.
    Suspended,
    /// A party withdrew.
    Withdrawn,
    /// Annulled.
    Annulled,
}

/// The state of a commitment at the report's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentState {
    /// Made; no step yet; not due.
    Open,
    /// A step taken; not due.
    InProgress,
    /// Met by its deadline (or it had none).
    Fulfilled,
    /// Met after its deadline.
    FulfilledLate,
    /// Deadline passed, not met.
    Overdue,
    /// No progress for longer than the stall period.
    Stalled,
    /// Withdrawn.
    Withdrawn,
}

/// The state of a principle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipleState {
    /// Proposed by one party.
    Tabled,
    /// Another party took note of it or answered it in principle.
    Acknowledged,
    /// Another party accepted it.
    Accepted,
    /// Agreed in a joint text.
    Agreed,
    /// Agreed, then reaffirmed.
    Reaffirmed,
    /// Written into a signed instrument.
    Codified,
    /// Rejected or countered.
    Contested,
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
    #[serde(skip)]
    last_activity: PartialDate,
    #[serde(skip)]
    steps: u32,
    #[serde(skip)]
    withdrawn: bool,
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
    #[serde(skip)]
    proposer: Party,
}

/// An envoy in office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
    /// The earliest due date among commitments not yet met or withdrawn.
    pub next_deadline: Option<NextDeadline>,
    /// Events on this track recorded without a source.
    pub unsourced: Vec<u64>,
    /// Events on this track that a source contradicts.
    pub disputed: Vec<u64>,
    #[serde(skip)]
    principal: bool,
}

/// Derives the status of every track from `records` (as they stand) as seen by
/// `view`; `disputed` holds the seqs of events a source contradicts.
pub fn status(records: &[Record], disputed: &BTreeSet<u64>, view: &View) -> Vec<TrackStatus> {
    let mut tracks: BTreeMap<TrackId, TrackStatus> = BTreeMap::new();
    let mut principles: BTreeMap<PrincipleRef, (TrackId, PrincipleStatus)> = BTreeMap::new();
    let mut commitments: BTreeMap<CommitmentId, (TrackId, CommitmentStatus)> = BTreeMap::new();
    for record in world_order(records, view) {
        let f = &record.event.facts;
        let at = At::of(record);
        let seq = record.seq;
        for track in &f.tracks {
            if let Payload::TrackOpened(p) = &f.payload {
                tracks.insert(
                    track.clone(),
                    TrackStatus {
                        id: track.clone(),
                        title: p.title.clone(),
                        parties: p.parties.clone(),
                        stage: Stage::Dormant,
                        stage_since: at,
                        stage_history: vec![StageMove { stage: Stage::Dormant, at }],
                        last_activity: at,
                        envoys: Vec::new(),
                        meetings: 0,
                        calls: 0,
                        principles: Vec::new(),
                        commitments: Vec::new(),
                        next_deadline: None,
                        unsourced: Vec::new(),
                        disputed: Vec::new(),
                        principal: false,
                    },
                );
            }
            // An event dated before its track's opening still belongs to the track.
            let Some(t) = tracks.get_mut(track) else { continue };
            if at.key() > t.last_activity.key() {
                t.last_activity = at;
            }
            if f.unsourced {
                t.unsourced.push(seq);
            }
            if disputed.contains(&seq) {
                t.disputed.push(seq);
            }
            apply_to_track(t, record);
        }
        apply_principles(&mut principles, record);
        apply_commitments(&mut commitments, record);
    }
    let weak: BTreeSet<u64> =
        records.iter().filter(|r| r.event.facts.unsourced || disputed.contains(&r.seq)).map(|r| r.seq).collect();
    let unsupported = |evidence: &[u64]| evidence.iter().all(|s| weak.contains(s));
    for (_, (track, mut p)) in principles {
        p.unsupported = unsupported(&p.evidence);
        if let Some(t) = tracks.get_mut(&track) {
            t.principles.push(p);
        }
    }
    for (_, (track, mut c)) in commitments {
        c.state = judge(&c, view);
        c.score = score(&c);
        c.unsupported = unsupported(&c.evidence);
        if let Some(t) = tracks.get_mut(&track) {
            t.commitments.push(c);
        }
    }
    for t in tracks.values_mut() {
        t.next_deadline = t
            .commitments
            .iter()
            .filter(|c| {
                !matches!(
                    c.state,
                    CommitmentState::Fulfilled | CommitmentState::FulfilledLate | CommitmentState::Withdrawn
                )
            })
            .filter_map(|c| c.due.map(|due| NextDeadline { due, commitment: c.id.clone() }))
            .min();
    }
    tracks.into_values().collect()
}

fn move_to(t: &mut TrackStatus, stage: Stage, at: At) {
    if t.stage != stage {
        t.stage = stage;
        t.stage_since = at;
        t.stage_history.push(StageMove { stage, at });
    }
}

fn apply_to_track(t: &mut TrackStatus, record: &Record) {
    let f = &record.event.facts;
    let at = At::of(record);
    // Activity moves an uninstrumented track forward only; an instrument rules once there.
    let activity = match &f.payload {
        Payload::EnvoyAppointed(p) => {
            t.envoys.push(Envoy { party: p.party.clone(), name: p.envoy.clone(), since: f.occurred, seq: record.seq });
            Some(Stage::PreNegotiation)
        }
        Payload::MeetingHeld(m) => {
            match m.mode {
                Mode::InPerson => t.meetings += 1,
                Mode::Phone | Mode::Video => t.calls += 1,
            }
            Some(Stage::PreNegotiation)
        }
        Payload::StatementMade(_) => Some(Stage::PreNegotiation),
        Payload::ProposalTabled(_) | Payload::CommitmentMade(_) => Some(Stage::Negotiation),
        Payload::ProposalAnswered(a) => Some(match a.response {
            Response::Accepted => Stage::FrameworkAgreed,
            _ => Stage::Negotiation,
        }),
        Payload::InstrumentStageReached(i) => {
            let principal = matches!(i.instrument_type, Some(InstrumentType::Treaty | InstrumentType::Framework));
            if principal || t.principal {
                t.principal = true;
                let stage = match i.stage {
                    InstrumentStage::TextAgreed => Stage::TextAgreed,
                    InstrumentStage::Initialled => Stage::Initialled,
                    InstrumentStage::Signed => Stage::Signed,
                    InstrumentStage::RatificationStep => Stage::Ratification,
                    InstrumentStage::InForce => Stage::InForce,
                    InstrumentStage::Suspended => Stage::Suspended,
                    InstrumentStage::Withdrawn => Stage::Withdrawn,
                    InstrumentStage::Annulled => Stage::Annulled,
                };
                move_to(t, stage, at);
            }
            None
        }
        Payload::ImplementationStep(_) if t.stage == Stage::InForce => {
            move_to(t, Stage::Implementation, at);
            None
        }
        _ => None,
    };
    if let Some(stage) = activity
        && !t.principal
        && stage > t.stage
    {
        move_to(t, stage, at);
    }
}

fn apply_principles(principles: &mut BTreeMap<PrincipleRef, (TrackId, PrincipleStatus)>, record: &Record) {
    let f = &record.event.facts;
    let seq = record.seq;
    if let Payload::ProposalTabled(p) = &f.payload {
        for pr in &p.principles {
            let id = PrincipleRef { proposal: p.proposal.clone(), number: pr.number };
            let status = PrincipleStatus {
                id: id.clone(),
                state: PrincipleState::Tabled,
                text: pr.text.clone(),
                reaffirmed: 0,
                last: f.occurred,
                evidence: vec![seq],
                unsupported: false,
                proposer: p.by.clone(),
            };
            principles.insert(id, (f.tracks[0].clone(), status));
        }
        return;
    }
    if let Payload::ProposalAnswered(a) = &f.payload {
        for (id, (_, p)) in principles.range_mut(PrincipleRef { proposal: a.proposal.clone(), number: 0 }..) {
            if id.proposal != a.proposal {
                break;
            }
            if a.by == p.proposer {
                continue;
            }
            let to = match a.response {
                Response::Accepted => PrincipleState::Accepted,
                Response::AcceptedInPrinciple => PrincipleState::Acknowledged,
                Response::Rejected | Response::CounterProposal => PrincipleState::Contested,
            };
            if p.state.is_open() {
                p.state = to;
                p.last = f.occurred;
            }
            cite(&mut p.evidence, seq);
        }
    }
    let joint = matches!(f.payload, Payload::MeetingHeld(_) | Payload::CommitmentMade(_));
    let signed = matches!(&f.payload, Payload::InstrumentStageReached(i) if i.stage == InstrumentStage::Signed);
    let mut addressed: Vec<&PrincipleRef> = f.links.addresses.iter().collect();
    if let Payload::CommitmentMade(c) = &f.payload {
        addressed.extend(c.principle.as_ref());
    }
    for id in addressed {
        let Some((_, p)) = principles.get_mut(id) else { continue };
        cite(&mut p.evidence, seq);
        p.last = f.occurred;
        p.state = match (p.state, signed, joint) {
            (_, true, _) => PrincipleState::Codified,
            (PrincipleState::Codified, _, _) => PrincipleState::Codified,
            (PrincipleState::Agreed | PrincipleState::Reaffirmed, _, _) => {
                p.reaffirmed += 1;
                PrincipleState::Reaffirmed
            }
            (_, _, true) => PrincipleState::Agreed,
            (PrincipleState::Tabled, _, false) => PrincipleState::Acknowledged,
            (state, _, false) => state,
        };
    }
}

fn apply_commitments(commitments: &mut BTreeMap<CommitmentId, (TrackId, CommitmentStatus)>, record: &Record) {
    let f = &record.event.facts;
    let seq = record.seq;
    if let Payload::CommitmentMade(c) = &f.payload {
        let deadlines =
            c.deadline.iter().map(|d| DeadlineEntry { deadline: *d, due: d.due(&f.occurred), seq }).collect::<Vec<_>>();
        let status = CommitmentStatus {
            id: c.commitment.clone(),
            state: CommitmentState::Open,
            parties: c.parties.clone(),
            text: c.text.clone(),
            made: f.occurred,
            due: deadlines.last().map(|d| d.due),
            deadlines,
            fulfilled: None,
            score: 0,
            evidence: vec![seq],
            unsupported: false,
            last_activity: f.occurred,
            steps: 0,
            withdrawn: false,
        };
        commitments.insert(c.commitment.clone(), (f.tracks[0].clone(), status));
        return;
    }
    let at = At::of(record);
    match &f.payload {
        Payload::CommitmentProgressed(p) => {
            touch(commitments, &p.commitment, at, Touch::Step);
        }
        Payload::CommitmentFulfilled(p) => {
            touch(commitments, &p.commitment, at, Touch::Fulfil);
        }
        Payload::CommitmentWithdrawn(p) => {
            if let Some(c) = touch(commitments, &p.commitment, at, Touch::Note) {
                c.withdrawn = true;
            }
        }
        Payload::DeadlineAmended(p) => {
            if let Some(c) = touch(commitments, &p.commitment, at, Touch::Note) {
                let due = p.deadline.due(&f.occurred);
                c.deadlines.push(DeadlineEntry { deadline: p.deadline, due, seq });
                c.due = Some(due);
            }
        }
        _ => {}
    }
    for id in &f.links.advances {
        touch(commitments, id, at, Touch::Step);
    }
    for id in &f.links.fulfils {
        touch(commitments, id, at, Touch::Fulfil);
    }
}

/// What an event does to a commitment it names.
enum Touch {
    /// Evidence only.
    Note,
    /// A step towards it.
    Step,
    /// Its fulfilment (the first one counts).
    Fulfil,
}

fn touch<'a>(
    commitments: &'a mut BTreeMap<CommitmentId, (TrackId, CommitmentStatus)>,
    id: &CommitmentId,
    at: At,
    how: Touch,
) -> Option<&'a mut CommitmentStatus> {
    let (_, c) = commitments.get_mut(id)?;
    cite(&mut c.evidence, at.seq);
    c.last_activity = at.date;
    match how {
        Touch::Note => {}
        Touch::Step => c.steps += 1,
        Touch::Fulfil => {
            c.fulfilled.get_or_insert(at);
        }
    }
    Some(c)
}

/// Adds an event to an evidence list once, however many ways it bears on the subject.
fn cite(evidence: &mut Vec<u64>, seq: u64) {
    if evidence.last() != Some(&seq) {
        evidence.push(seq);
    }
}

/// The derived state of a commitment at the view's date (never stored).
fn judge(c: &CommitmentStatus, view: &View) -> CommitmentState {
    if c.withdrawn {
        return CommitmentState::Withdrawn;
    }
    if let Some(done) = c.fulfilled {
        // Late only when the fulfilment surely came after the due day.
        return match c.due {
            Some(due) if done.date.first_day() > due => CommitmentState::FulfilledLate,
            _ => CommitmentState::Fulfilled,
        };
    }
    if c.due.is_some_and(|due| due < view.as_of) {
        return CommitmentState::Overdue;
    }
    let quiet_since = c.last_activity.last_day();
    if (view.as_of - quiet_since).num_days() > i64::from(view.stall_days) {
        return CommitmentState::Stalled;
    }
    if c.steps > 0 { CommitmentState::InProgress } else { CommitmentState::Open }
}

/// The Peace Accords Matrix 0–3 implementation score.
fn score(c: &CommitmentStatus) -> u8 {
    match (c.fulfilled.is_some(), c.steps) {
        (true, _) => 3,
        (false, 0) => 0,
        (false, 1) => 1,
        (false, _) => 2,
    }
}

#[cfg(test)]
mod tests {
    //! Given events, when judged at a date, then a state — each test names its rule.

    use super::*;
    use crate::env::Ids;
    use crate::event::{Event, parse_line};
    use crate::projection::DEFAULT_STALL_DAYS;

    const OPEN: &str = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2022-01","unsourced":true,"payload":{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#;

    fn records(lines: &[&str]) -> Vec<Record> {
        let mut prev = crate::event::Hash::GENESIS;
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let line = parse_line(l).expect("valid line");
                let seq = i as u64 + 1;
                let event = Event {
                    id: Ids::Seeded(1).event_id(seq),
                    recorded_at: chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(seq as i64),
                    recorded_by: "t".to_owned(),
                    facts: line.facts,
                };
                let r = Record::chain(seq, event, prev);
                prev = r.hash;
                r
            })
            .collect()
    }

    fn ev(kind: &str, occurred: &str, payload: &str, extra: &str) -> String {
        format!(
            r#"{{"kind":"{kind}","version":1,"tracks":["x-y"],"occurred":"{occurred}","unsourced":true,"payload":{payload}{extra}}}"#
        )
    }

    fn made(deadline: &str) -> String {
        ev(
            "commitment_made",
            "2022-04-06",
            &format!(r#"{{"commitment":"c","parties":["x","y"],"text":"Convene"{deadline}}}"#),
            "",
        )
    }

    fn check(given: &[String], as_of: &str) -> CommitmentStatus {
        let mut lines = vec![OPEN];
        lines.extend(given.iter().map(String::as_str));
        let view = View { as_of: as_of.parse().expect("date"), known_at: None, stall_days: DEFAULT_STALL_DAYS };
        let tracks = status(&records(&lines), &BTreeSet::new(), &view);
        tracks[0].commitments[0].clone()
    }

    #[test]
    fn a_month_deadline_is_open_before_its_last_day_and_overdue_after() {
        let given = [made(r#","deadline":{"by":"2022-04"}"#)];
        assert_eq!(check(&given, "2022-04-20").state, CommitmentState::Open);
        assert_eq!(check(&given, "2022-04-30").state, CommitmentState::Open);
        assert_eq!(check(&given, "2022-05-02").state, CommitmentState::Overdue);
    }

    #[test]
    fn fulfilled_after_the_deadline_is_fulfilled_late() {
        let convened = ev("context_noted", "2022-05-24", r#"{"summary":"Commission meets"}"#, r#","fulfils":["c"]"#);
        let given = [made(r#","deadline":{"by":"2022-04"}"#), convened];
        let c = check(&given, "2022-06-01");
        assert_eq!(c.state, CommitmentState::FulfilledLate);
        assert_eq!(c.fulfilled.map(|f| f.seq), Some(3));
        assert_eq!(c.score, 3);
    }

    #[test]
    fn fulfilled_in_time_is_fulfilled() {
        let done = ev("commitment_fulfilled", "2022-04-28", r#"{"commitment":"c","summary":"Done"}"#, "");
        let given = [made(r#","deadline":{"by":"2022-04"}"#), done];
        assert_eq!(check(&given, "2022-06-01").state, CommitmentState::Fulfilled);
    }

    #[test]
    fn a_relative_deadline_counts_from_the_event() {
        let given = [made(r#","deadline":{"within_months":1}"#)];
        assert_eq!(check(&given, "2022-05-06").state, CommitmentState::Open);
        assert_eq!(check(&given, "2022-05-07").state, CommitmentState::Overdue);
    }

    #[test]
    fn the_latest_amendment_rules_and_both_stay_visible() {
        let amend = ev("deadline_amended", "2022-04-25", r#"{"commitment":"c","deadline":{"by":"2022-06"}}"#, "");
        let given = [made(r#","deadline":{"by":"2022-04"}"#), amend];
        let c = check(&given, "2022-05-15");
        assert_eq!(c.state, CommitmentState::Open);
        assert_eq!(c.deadlines.len(), 2);
        assert_eq!(c.due, "2022-06-30".parse().ok());
    }

    #[test]
    fn no_progress_for_the_stall_period_is_stalled() {
        let given = [made("")];
        assert_eq!(check(&given, "2022-09-01").state, CommitmentState::Open);
        assert_eq!(check(&given, "2022-10-04").state, CommitmentState::Stalled);
        let step = ev(
            "meeting_held",
            "2022-09-20",
            r#"{"participants":[{"name":"A","role":"party"},{"name":"B","role":"party"}],"format":"bilateral","mode":"phone"}"#,
            r#","advances":["c"]"#,
        );
        let c = check(&[made(""), step], "2022-10-04");
        assert_eq!((c.state, c.score), (CommitmentState::InProgress, 1));
    }

    #[test]
    fn withdrawn_is_a_state_not_a_deletion() {
        let w = ev("commitment_withdrawn", "2022-05", r#"{"commitment":"c","reason":"R"}"#, "");
        let c = check(&[made(""), w], "2022-06-01");
        assert_eq!(c.state, CommitmentState::Withdrawn);
        assert_eq!(c.evidence, vec![2, 3]);
    }

    #[test]
    fn a_month_dated_event_has_not_surely_happened_mid_month() {
        let done = ev("commitment_fulfilled", "2022-05", r#"{"commitment":"c","summary":"Done"}"#, "");
        let given = [made(""), done];
        assert_eq!(check(&given, "2022-05-15").state, CommitmentState::Open);
        assert_eq!(check(&given, "2022-05-31").state, CommitmentState::Fulfilled);
    }

    #[test]
    fn stage_can_move_backwards_to_suspended() {
        let text = ev(
            "instrument_stage_reached",
            "2022-06",
            r#"{"instrument":"t","title":"T","type":"treaty","stage":"signed"}"#,
            "",
        );
        let susp = ev("instrument_stage_reached", "2023-01", r#"{"instrument":"t","stage":"suspended"}"#, "");
        let lines = [OPEN, text.as_str(), susp.as_str()];
        let view = View { as_of: "2023-02-01".parse().expect("date"), known_at: None, stall_days: 180 };
        let t = &status(&records(&lines), &BTreeSet::new(), &view)[0];
        assert_eq!((t.stage, t.stage_since.seq), (Stage::Suspended, 3));
        let stages: Vec<Stage> = t.stage_history.iter().map(|m| m.stage).collect();
        assert_eq!(stages, [Stage::Dormant, Stage::Signed, Stage::Suspended]);
        let view = View { as_of: "2022-12-01".parse().expect("date"), ..view };
        assert_eq!(status(&records(&lines), &BTreeSet::new(), &view)[0].stage, Stage::Signed);
    }

    fn track(lines: &[String], as_of: &str) -> TrackStatus {
        let mut all = vec![OPEN];
        all.extend(lines.iter().map(String::as_str));
        let view = View { as_of: as_of.parse().expect("date"), known_at: None, stall_days: DEFAULT_STALL_DAYS };
        status(&records(&all), &BTreeSet::new(), &view).remove(0)
    }

    fn tabled() -> String {
        ev(
            "proposal_tabled",
            "2022-03-14",
            r#"{"proposal":"p","by":"x","to":["y"],"title":"P","principles":[{"number":1,"text":"One"},{"number":2,"text":"Two"}]}"#,
            "",
        )
    }

    fn answered(by: &str, response: &str) -> String {
        ev("proposal_answered", "2022-03-20", &format!(r#"{{"proposal":"p","by":"{by}","response":"{response}"}}"#), "")
    }

    fn meeting(date: &str, extra: &str) -> String {
        let payload = r#"{"participants":[{"name":"A","role":"party"},{"name":"B","role":"party"}],"format":"bilateral","mode":"in_person"}"#;
        ev("meeting_held", date, payload, extra)
    }

    fn states(t: &TrackStatus) -> Vec<PrincipleState> {
        t.principles.iter().map(|p| p.state).collect()
    }

    #[test]
    fn a_tabled_principle_is_open_until_the_other_side_answers() {
        let t = track(&[tabled()], "2022-04-01");
        assert_eq!(states(&t), [PrincipleState::Tabled, PrincipleState::Tabled]);
        assert!(t.principles.iter().all(|p| p.state.is_open()));
    }

    #[test]
    fn an_answer_by_the_proposer_changes_nothing_and_the_other_sides_answer_does() {
        assert_eq!(states(&track(&[tabled(), answered("x", "accepted")], "2022-04-01"))[0], PrincipleState::Tabled);
        assert_eq!(states(&track(&[tabled(), answered("y", "accepted")], "2022-04-01"))[0], PrincipleState::Accepted);
        let t = track(&[tabled(), answered("y", "accepted_in_principle")], "2022-04-01");
        assert_eq!(states(&t)[0], PrincipleState::Acknowledged);
        assert_eq!(states(&track(&[tabled(), answered("y", "rejected")], "2022-04-01"))[0], PrincipleState::Contested);
    }

    #[test]
    fn addressed_at_a_meeting_is_agreed_then_reaffirmed_counted_then_codified() {
        let agreed = meeting("2022-04-06", r#","addresses":["p#1"]"#);
        let again = meeting("2022-05-06", r#","addresses":["p#1"]"#);
        let third = meeting("2022-06-06", r#","addresses":["p#1"]"#);
        let t = track(&[tabled(), agreed.clone()], "2022-07-01");
        assert_eq!(states(&t), [PrincipleState::Agreed, PrincipleState::Tabled]);
        assert!(!t.principles[0].state.is_open());
        let t = track(&[tabled(), agreed.clone(), again.clone(), third], "2022-07-01");
        assert_eq!((t.principles[0].state, t.principles[0].reaffirmed), (PrincipleState::Reaffirmed, 2));
        assert_eq!(t.principles[0].last.to_string(), "2022-06-06");
        let signed = ev(
            "instrument_stage_reached",
            "2022-08-01",
            r#"{"instrument":"t","title":"T","type":"treaty","stage":"signed"}"#,
            r#","addresses":["p#1"]"#,
        );
        let t = track(&[tabled(), agreed, again, signed], "2022-09-01");
        assert_eq!(t.principles[0].state, PrincipleState::Codified);
        assert_eq!(t.principles[0].evidence, [2, 3, 4, 5]);
    }

    #[test]
    fn activity_moves_an_uninstrumented_track_forward_only() {
        let t = track(&[], "2022-02-01");
        assert_eq!(t.stage, Stage::Dormant);
        let t = track(&[meeting("2022-02-10", "")], "2022-03-01");
        assert_eq!((t.stage, t.stage_since.seq), (Stage::PreNegotiation, 2));
        let t = track(&[meeting("2022-02-10", ""), tabled(), meeting("2022-04-01", "")], "2022-05-01");
        assert_eq!((t.stage, t.stage_since.seq), (Stage::Negotiation, 3), "a later meeting does not move it back");
        let t = track(&[tabled(), answered("y", "accepted")], "2022-05-01");
        assert_eq!(t.stage, Stage::FrameworkAgreed);
    }

    #[test]
    fn a_principal_instrument_rules_the_stage_and_a_ceasefire_does_not() {
        let ceasefire = ev(
            "instrument_stage_reached",
            "2022-02-01",
            r#"{"instrument":"c","title":"C","type":"ceasefire","stage":"signed"}"#,
            "",
        );
        assert_eq!(track(&[ceasefire.clone(), tabled()], "2022-05-01").stage, Stage::Negotiation);
        let treaty = |date: &str, stage: &str| {
            ev(
                "instrument_stage_reached",
                date,
                &format!(r#"{{"instrument":"t","title":"T","type":"treaty","stage":"{stage}"}}"#),
                "",
            )
        };
        let steps = [
            ceasefire,
            treaty("2022-06-01", "text_agreed"),
            treaty("2022-07-01", "signed"),
            meeting("2022-07-15", ""),
            treaty("2022-08-01", "in_force"),
            ev("implementation_step", "2022-09-01", r#"{"summary":"Embassies open"}"#, ""),
        ];
        let t = track(&steps, "2022-10-01");
        assert_eq!(t.stage, Stage::Implementation);
        let history: Vec<Stage> = t.stage_history.iter().map(|m| m.stage).collect();
        assert_eq!(history, [Stage::Dormant, Stage::TextAgreed, Stage::Signed, Stage::InForce, Stage::Implementation]);
    }

    #[test]
    fn the_next_deadline_is_the_earliest_unmet_one() {
        let a = ev(
            "commitment_made",
            "2022-04-06",
            r#"{"commitment":"a","parties":["x"],"text":"A","deadline":{"by":"2022-06"}}"#,
            "",
        );
        let b = ev(
            "commitment_made",
            "2022-04-06",
            r#"{"commitment":"b","parties":["x"],"text":"B","deadline":{"by":"2022-05"}}"#,
            "",
        );
        let done = ev("commitment_fulfilled", "2022-04-20", r#"{"commitment":"b","summary":"Done"}"#, "");
        let t = track(&[a.clone(), b.clone()], "2022-04-10");
        assert_eq!(t.next_deadline.map(|n| n.commitment.to_string()), Some("b".to_owned()));
        let t = track(&[a, b, done], "2022-04-30");
        assert_eq!(t.next_deadline.map(|n| n.commitment.to_string()), Some("a".to_owned()));
    }
}
