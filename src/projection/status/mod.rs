//! The status projection: per track, its stage and since when, envoys, contact counts,
//! principles and commitments with their states and the events behind them.
//!
//! `mod.rs` is the [`Fold`]: what is accumulated from each event, in any order (its
//! shape is saved in snapshots), and the order in which [`Fold::finish`] derives the
//! rest. The rules that derive each entity's state from what was accumulated, and the
//! shapes reports read, are in `track.rs`, `principle.rs` and `commitment.rs`. Nothing
//! here words a state for a reader beyond its name.

mod commitment;
mod condition;
mod instrument;
mod principle;
mod track;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::View;
use crate::date::{Anchor, AnchorPoint, Deadline, PartialDate};
use crate::event::Kind;
use crate::event::payload::{Finding, RulingEffect, RulingIssued};
use crate::event::payload::{InstrumentStageReached, Mode, PartyName, Payload, Response, Stage as InstrumentStage};
use crate::event::{CommitmentId, Party, PrincipleRef, Record, TrackId};
use commitment::{Act, Anchors, by_one, commitment, fulfilment, reporter_name, start};
pub use commitment::{
    Activity, CommitmentState, CommitmentStatus, DeadlineEntry, PartialStep, PartyAct, Progress, Related, Relation,
    Replacement, Schedule, Suspension, UnmetReport, headline,
};
use condition::ConditionAcc;
pub use condition::{ConditionState, ConditionStatus, Waiting};
pub use instrument::{
    ArticleStance, ArticleStatus, InstrumentMove, InstrumentStage as InstrumentState, InstrumentStatus, PartSuspension,
    PartyStatus, PartyStep,
};
use instrument::{Gave, InstrumentAcc, StepAcc, instrument};
use principle::principle;
pub use principle::{PrincipleState, PrincipleStatus, Stance};
pub use track::{Envoy, NextDeadline, RulingEntry, Stage, StageMove, ThirdPartyEntry, TrackStatus};

/// A date and the event behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct At {
    /// The event's date, at its own precision.
    pub date: PartialDate,
    /// The event's seq.
    pub seq: u64,
}

impl At {
    fn key(&self) -> Key {
        (self.date.first_day(), self.date.last_day(), self.seq)
    }

    fn of(record: &Record) -> At {
        At { date: record.event.facts.occurred, seq: record.seq }
    }
}

impl Anchors for Fold {
    fn at_of(&self, anchor: &Anchor) -> Option<At> {
        let at = match anchor {
            Anchor::Commitment(id, point) => {
                let acc = self.commitments.get(id)?;
                let owing = acc.made.as_ref().map(|m| m.2.as_slice()).unwrap_or_default();
                match point {
                    AnchorPoint::Start => start(&acc.acts),
                    AnchorPoint::Fulfilment => fulfilment(&acc.acts, owing).0,
                }?
            }
            // What relative deadlines count from: the earliest event reaching the stage,
            // whoever's step it was.
            Anchor::Instrument(id, stage) => self.instruments.get(id)?.reached(*stage, |_| true)?,
        };
        Some(at)
    }
}

/// What a ruling does to an instrument, fed to the instrument path as if the
/// instrument had reached a stage: a suspension suspends it, an annulment annuls it;
/// the other effects are evidence only (`None`). One place, so the instrument fold can
/// take it over whole.
fn ruling_on_instrument(r: &RulingIssued) -> Option<(&crate::event::InstrumentId, InstrumentStage)> {
    let instrument = r.on.instrument.as_ref()?;
    let stage = match r.effect {
        RulingEffect::Suspends => InstrumentStage::Suspended,
        RulingEffect::Annuls => InstrumentStage::Annulled,
        RulingEffect::Upholds | RulingEffect::RequiresChanges => return None,
    };
    Some((instrument, stage))
}

/// The articles of instrument `i` as principles: each in the state the text gives it,
/// since the move of the text that gave it, with the text's steps and the events that
/// address it as evidence.
fn article_principles(i: &InstrumentStatus) -> Vec<PrincipleStatus> {
    let history = &i.stage_history;
    // The first move after which the articles stood as they stand now.
    let settled = (0..history.len())
        .find(|k| instrument::article_state(&history[..=*k]) == instrument::article_state(history))
        .map(|k| history[k].at.date)
        .unwrap_or(i.stage_since.date);
    i.articles
        .iter()
        .map(|a| {
            // The text's steps, then the events addressing it, each in world order.
            let mut evidence = i.evidence.clone();
            evidence.extend(a.addressed.iter().filter(|s| !i.evidence.contains(s)));
            PrincipleStatus {
                id: a.id.clone(),
                state: a.state,
                text: a.text.clone(),
                reaffirmed: 0,
                last: settled,
                evidence,
                unsupported: false,
                one_sided: false,
                stances: Vec::new(),
            }
        })
        .collect()
}

/// Derives the status of every track from `records` (as they stand) as seen by
/// `view`; `disputed` holds the seqs of events a source contradicts.
pub fn status<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    disputed: &BTreeSet<u64>,
    view: &View,
) -> Vec<TrackStatus> {
    folded(records, disputed, view).finish(view)
}

/// The status of every track at each of `days` (everything recorded), from `records`
/// as they stand: one entry per day, in the order given. What a chart of state over time
/// draws.
pub fn over_time<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    disputed: &BTreeSet<u64>,
    days: &[NaiveDate],
    stall_days: u32,
) -> Vec<Vec<TrackStatus>> {
    let all = View { as_of: NaiveDate::MAX, known_at: None, stall_days };
    let fold = folded(records, disputed, &all);
    days.iter().map(|&as_of| fold.finish(&View { as_of, ..all })).collect()
}

/// The fold of what `view` sees of `records`, with the events conditions wait on
/// dated.
fn folded<'a>(records: impl IntoIterator<Item = &'a Record>, disputed: &BTreeSet<u64>, view: &View) -> Fold {
    let mut fold = Fold::default();
    let seen: Vec<&Record> = records.into_iter().filter(|r| view.sees(r)).collect();
    for r in &seen {
        fold.push(r, disputed.contains(&r.seq));
    }
    let unresolved = fold.unresolved_events();
    for r in seen.iter().filter(|r| unresolved.contains(&r.event.id)) {
        fold.resolve_event(r);
    }
    fold
}

/// The version of [`Fold`]'s shape and rules; a snapshot of another version is never
/// used. Bump it with any change to what the fold accumulates or derives.
pub const FOLD_VERSION: u32 = 5;

/// An answer to a proposal: its date, party, response and the numbers of the principles
/// it answers (none: all).
type Answer = (At, Party, Response, Vec<u32>);

/// A sort key for world order: the date interval, then seq.
type Key = (NaiveDate, NaiveDate, u64);

/// What the status projection has accumulated from the events pushed so far.
///
/// Accumulation is commutative: every event adds to per-entity lists, counts, minima
/// and maxima, and everything that depends on order (a principle's state machine, a
/// track's stage history, the ruling deadline) is derived in [`Fold::finish`] after
/// sorting. So the result depends only on the set of events pushed, which is what
/// lets a snapshot be caught up with whatever was recorded since, in any order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Fold {
    tracks: BTreeMap<TrackId, TrackAcc>,
    principles: BTreeMap<PrincipleRef, PrincipleAcc>,
    /// Every answer to each proposal: its date, party, response and the numbers of the
    /// principles it answers (none: all).
    answers: BTreeMap<crate::event::ProposalId, Vec<Answer>>,
    commitments: BTreeMap<CommitmentId, CommitmentAcc>,
    /// What each instrument's events say (its declaration, parties, steps).
    #[serde(default)]
    instruments: BTreeMap<crate::event::InstrumentId, InstrumentAcc>,
    /// Every condition set, with its resolutions.
    #[serde(default)]
    conditions: BTreeMap<crate::event::ConditionId, ConditionAcc>,
    /// The events conditions wait on (`on: {event}`), and the date and seq of those
    /// seen. Only these: one entry per event of the log would swell every snapshot. An
    /// event pushed before the condition that waits on it is found by the caller
    /// ([`Fold::unresolved_events`], [`Fold::resolve_event`]).
    #[serde(default)]
    wanted_events: BTreeSet<crate::event::EventId>,
    #[serde(default)]
    event_ats: BTreeMap<crate::event::EventId, At>,
    weak: BTreeSet<u64>,
    /// Events that are one side's account, or unverified.
    one_sided: BTreeSet<u64>,
    max_day: Option<NaiveDate>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
struct TrackAcc {
    opened: Option<(At, String, Vec<PartyName>)>,
    /// The events that may be the earliest reaching each activity stage as of some
    /// day ([`add_earliest`]).
    activity: BTreeMap<Stage, Vec<At>>,
    instrument: Vec<(At, crate::event::InstrumentId, InstrumentStage)>,
    implementation: Vec<At>,
    envoys: Vec<Envoy>,
    /// Its meetings and calls, and its latest event in world order: the totals of
    /// `days`, kept so the latest state reads no day.
    #[serde(default)]
    totals: (u32, u32, Option<At>),
    /// Per day events' dates end on: the contacts and the latest event in world order,
    /// so the counts and the last activity can be judged as of any day ([`Days`]).
    days: Days,
    unsourced: Vec<At>,
    disputed: Vec<At>,
    #[serde(default)]
    third_parties: Vec<ThirdPartyEntry>,
    #[serde(default)]
    rulings: Vec<RulingEntry>,
}

/// What a track's events dated to end on one day add up to: its meetings, its calls
/// and the latest of them in world order.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Day(u32, u32, At);

/// A track's days: decoded while the fold takes events in, and kept as read from a
/// snapshot while a report only judges — a dense log has one per track and day, and
/// the latest state needs none of them (the totals), an earlier one only those up to
/// its day, read in order without building anything ([`Days::totals_until`]).
///
/// Written as one string, `;` between days, each `DAYS,MEETINGS,CALLS,SEQ[,DATE]`: the
/// days since the previous day written (since 0001-01-01 for the first), the counts,
/// the latest event's seq less the previous day's (signed), and its date only when it
/// is not that very day. As JSON objects they made the latest `status` of a million
/// events read 12 MB.
#[derive(Clone, Debug, Default)]
struct Days {
    /// The days decoded (empty while `text` holds them).
    decoded: BTreeMap<NaiveDate, Day>,
    /// The days as read from a snapshot, not yet decoded.
    text: Option<String>,
}

impl PartialEq for Days {
    fn eq(&self, other: &Days) -> bool {
        self.text() == other.text()
    }
}

impl Serialize for Days {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> serde::Deserialize<'de> for Days {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Days, D::Error> {
        Ok(Days { decoded: BTreeMap::new(), text: Some(String::deserialize(d)?) })
    }
}

impl Days {
    /// The days, decoded (once) to take in more.
    fn decoded(&mut self) -> &mut BTreeMap<NaiveDate, Day> {
        if let Some(text) = self.text.take() {
            self.decoded = Days::read(&text).collect();
        }
        &mut self.decoded
    }

    /// The days as written.
    fn text(&self) -> std::borrow::Cow<'_, str> {
        use std::fmt::Write as _;
        if let Some(text) = &self.text {
            return std::borrow::Cow::Borrowed(text);
        }
        let map = &self.decoded;
        let mut out = String::with_capacity(map.len() * 12);
        let (mut prev_day, mut prev_seq) = (0i64, 0i64);
        for (day, Day(meetings, calls, at)) in map {
            let n = i64::from(chrono::Datelike::num_days_from_ce(day));
            let seq = at.seq as i64;
            if !out.is_empty() {
                out.push(';');
            }
            let _ = write!(out, "{},{meetings},{calls},{}", n - prev_day, seq - prev_seq);
            if at.date != PartialDate::day(*day) {
                let _ = write!(out, ",{}", at.date);
            }
            (prev_day, prev_seq) = (n, seq);
        }
        std::borrow::Cow::Owned(out)
    }

    /// The days of `text` in order, up to the first that does not read (a snapshot
    /// is a cache `verify` compares with the events, so a forged one is caught there).
    fn read(text: &str) -> impl Iterator<Item = (NaiveDate, Day)> + '_ {
        let (mut prev_day, mut prev_seq) = (0i64, 0i64);
        text.split(';').filter(|e| !e.is_empty()).map_while(move |entry| {
            let mut fields = entry.split(',');
            let mut number = || fields.next().and_then(|f| f.parse::<i64>().ok());
            let (n, meetings, calls, seq) = (prev_day + number()?, number()?, number()?, prev_seq + number()?);
            let day = i32::try_from(n).ok().and_then(NaiveDate::from_num_days_from_ce_opt)?;
            let date = match fields.next() {
                Some(date) => date.parse::<PartialDate>().ok()?,
                None => PartialDate::day(day),
            };
            let day_acc = Day(
                u32::try_from(meetings).ok()?,
                u32::try_from(calls).ok()?,
                At { date, seq: u64::try_from(seq).ok()? },
            );
            (prev_day, prev_seq) = (n, seq);
            Some((day, day_acc))
        })
    }

    /// The meetings, calls and latest event of the days up to `day`.
    fn totals_until(&self, day: NaiveDate) -> (u32, u32, Option<At>) {
        let add = |(m, c, last): (u32, u32, Option<At>), d: &Day| {
            (m + d.0, c + d.1, Some(last.filter(|l| l.key() >= d.2.key()).unwrap_or(d.2)))
        };
        match &self.text {
            None => self.decoded.range(..=day).map(|(_, d)| d).fold((0, 0, None), add),
            Some(text) => {
                Days::read(text).take_while(|(d, _)| *d <= day).fold((0, 0, None), |acc, (_, d)| add(acc, &d))
            }
        }
    }
}

impl TrackAcc {
    /// What was accumulated from the events dated by `day` only.
    fn until(&self, day: NaiveDate) -> TrackAcc {
        let seen = |at: &At| at.date.last_day() <= day;
        let ats = |list: &[At]| list.iter().filter(|a| seen(a)).copied().collect::<Vec<At>>();
        TrackAcc {
            opened: self.opened.clone().filter(|o| seen(&o.0)),
            activity: (self.activity.iter())
                .map(|(stage, ats_)| (*stage, ats(ats_)))
                .filter(|(_, ats)| !ats.is_empty())
                .collect(),
            instrument: self.instrument.iter().filter(|i| seen(&i.0)).cloned().collect(),
            implementation: ats(&self.implementation),
            envoys: self.envoys.iter().filter(|e| e.since.last_day() <= day).cloned().collect(),
            totals: self.days.totals_until(day),
            // Only the totals are judged; a cut fold takes in no more events.
            days: Days::default(),
            unsourced: ats(&self.unsourced),
            disputed: ats(&self.disputed),
            third_parties: self.third_parties.iter().filter(|x| seen(&x.at)).cloned().collect(),
            rulings: self.rulings.iter().filter(|x| seen(&x.at)).cloned().collect(),
        }
    }

    /// Its meetings and calls.
    fn contacts(&self) -> (u32, u32) {
        (self.totals.0, self.totals.1)
    }

    /// Its latest event in world order.
    fn last(&self) -> Option<At> {
        self.totals.2
    }
}

/// Adds `at` to `frontier`, the events that may be the earliest in world order among
/// those dated by some day: an event no other both precedes in world order and is dated
/// to end no later. The earliest event dated by any day is among them, so the frontier
/// of every event, cut at a day, is the frontier of the events dated by it.
fn add_earliest(frontier: &mut Vec<At>, at: At) {
    let covers = |a: &At, b: &At| a.date.last_day() <= b.date.last_day() && a.key() <= b.key();
    if frontier.iter().any(|x| covers(x, &at)) {
        return;
    }
    frontier.retain(|x| !covers(&at, x));
    frontier.push(at);
    frontier.sort_by_key(At::key);
}

#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
enum Touch {
    Addressed { joint: bool, signed: bool },
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
struct PrincipleAcc {
    tabled: Option<(TrackId, At, String, Party)>,
    /// The parties its proposal is addressed to.
    #[serde(default)]
    to: Vec<Party>,
    touches: Vec<(At, Touch)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
struct CommitmentAcc {
    made: Option<(TrackId, At, Vec<Party>, String)>,
    /// Made as a standing obligation.
    #[serde(default)]
    standing: bool,
    deadlines: Vec<(At, Deadline)>,
    /// Every act on it but its making and its deadlines, in push order.
    acts: Vec<Act>,
}

/// Adds `act` to commitment `id`.
fn act(commitments: &mut BTreeMap<CommitmentId, CommitmentAcc>, id: &CommitmentId, act: Act) {
    commitments.entry(id.clone()).or_default().acts.push(act);
}

impl Fold {
    /// The events a condition waits on that were not pushed after it: the caller finds
    /// each (as the view sees it) and hands it to [`Fold::resolve_event`] before
    /// [`Fold::finish`].
    pub fn unresolved_events(&self) -> Vec<crate::event::EventId> {
        self.wanted_events.iter().filter(|e| !self.event_ats.contains_key(e)).copied().collect()
    }

    /// Notes the date of an event a condition waits on (see [`Fold::unresolved_events`]).
    pub fn resolve_event(&mut self, record: &Record) {
        if self.wanted_events.contains(&record.event.id) {
            self.event_ats.insert(record.event.id, At::of(record));
        }
    }

    /// The last day of the latest-dated event pushed: a view as of this day or later
    /// sees every pushed event.
    pub fn max_day(&self) -> Option<NaiveDate> {
        self.max_day
    }

    /// Adds one event (as it stands); `disputed` when a source contradicts it.
    pub fn push(&mut self, record: &Record, disputed: bool) {
        let f = &record.event.facts;
        let at = At::of(record);
        self.max_day = self.max_day.max(Some(f.occurred.last_day()));
        if self.wanted_events.contains(&record.event.id) {
            self.event_ats.insert(record.event.id, at);
        }
        if f.unsourced || disputed {
            self.weak.insert(record.seq);
        }
        for track in &f.tracks {
            let t = self.tracks.entry(track.clone()).or_default();
            let day = t.days.decoded().entry(at.date.last_day()).or_insert(Day(0, 0, at));
            if at.key() > day.2.key() {
                day.2 = at;
            }
            if t.totals.2.is_none_or(|last| at.key() > last.key()) {
                t.totals.2 = Some(at);
            }
            if f.unsourced {
                t.unsourced.push(at);
            }
            if disputed {
                t.disputed.push(at);
            }
            let activity = match &f.payload {
                Payload::TrackOpened(p) => {
                    t.opened = Some((at, p.title.clone(), p.parties.clone()));
                    t.third_parties.extend(p.third_parties.iter().map(|x| ThirdPartyEntry {
                        code: x.code.clone(),
                        name: x.name.clone(),
                        role: x.role,
                        at,
                    }));
                    None
                }
                Payload::PartyJoined(p) => {
                    let (code, name) = (p.party.code.clone(), p.party.name.clone());
                    t.third_parties.push(ThirdPartyEntry { code, name, role: p.role, at });
                    None
                }
                // A session of a commission is a contact of its tracks, like a meeting.
                Payload::CommissionConvened(c) => {
                    match c.mode.unwrap_or(Mode::InPerson) {
                        Mode::InPerson => (day.0, t.totals.0) = (day.0 + 1, t.totals.0 + 1),
                        Mode::Phone | Mode::Video => (day.1, t.totals.1) = (day.1 + 1, t.totals.1 + 1),
                    }
                    None
                }
                Payload::RulingIssued(r) => {
                    t.rulings.push(RulingEntry {
                        kind: Kind::RulingIssued,
                        by: r.court.clone(),
                        reference: None,
                        on: Some(r.on.clone()),
                        effect: r.effect.name().to_owned(),
                        at,
                    });
                    if let Some(stage) = ruling_on_instrument(r) {
                        t.instrument.push((at, stage.0.clone(), stage.1));
                    }
                    None
                }
                Payload::DecisionAdopted(d) => {
                    t.rulings.push(RulingEntry {
                        kind: Kind::DecisionAdopted,
                        by: d.body.clone(),
                        reference: d.reference.clone(),
                        on: d.on.clone(),
                        effect: d.effect.name().to_owned(),
                        at,
                    });
                    None
                }
                Payload::EnvoyAppointed(p) => {
                    t.envoys.push(Envoy {
                        party: p.party.clone(),
                        name: p.envoy.clone(),
                        since: f.occurred,
                        seq: record.seq,
                    });
                    Some(Stage::PreNegotiation)
                }
                Payload::MeetingHeld(m) => {
                    match m.mode {
                        Mode::InPerson => (day.0, t.totals.0) = (day.0 + 1, t.totals.0 + 1),
                        Mode::Phone | Mode::Video => (day.1, t.totals.1) = (day.1 + 1, t.totals.1 + 1),
                    }
                    Some(Stage::PreNegotiation)
                }
                Payload::StatementMade(_) => Some(Stage::PreNegotiation),
                Payload::ProposalTabled(_) | Payload::CommitmentMade(_) => Some(Stage::Negotiation),
                // Accepting some principles only is not accepting the proposal.
                Payload::ProposalAnswered(a) => Some(match a.response {
                    Response::Accepted if a.principles.is_empty() => Stage::FrameworkAgreed,
                    _ => Stage::Negotiation,
                }),
                Payload::InstrumentStageReached(i) => {
                    t.instrument.push((at, i.instrument.clone(), i.stage));
                    None
                }
                Payload::ImplementationStep(_) => {
                    t.implementation.push(at);
                    None
                }
                _ => None,
            };
            if let Some(stage) = activity {
                add_earliest(t.activity.entry(stage).or_default(), at);
            }
        }
        let track0 = f.tracks.first().cloned();
        if let Payload::RulingIssued(r) = &f.payload
            && let Some((instrument, stage)) = ruling_on_instrument(r)
        {
            // The instrument's own history takes the ruling as a step of every party's.
            self.instruments.entry(instrument.clone()).or_default().steps.push(StepAcc {
                at,
                stage,
                party: None,
                procedure: None,
                outcome: None,
                scope: None,
                replacement: None,
                note: Some(format!("{} ({})", r.court, r.effect.name())),
            });
        }
        match &f.payload {
            Payload::InstrumentStageReached(i) => {
                self.push_instrument(i, at, &f.tracks);
            }
            Payload::ProposalTabled(p) => {
                for pr in &p.principles {
                    let id = PrincipleRef { proposal: p.proposal.clone(), number: pr.number };
                    let acc = self.principles.entry(id).or_default();
                    if let Some(track) = &track0 {
                        acc.tabled = Some((track.clone(), at, pr.text.clone(), p.by.clone()));
                    }
                    acc.to = p.to.clone();
                }
            }
            Payload::ProposalAnswered(a) => {
                let answer = (at, a.by.clone(), a.response, a.principles.clone());
                self.answers.entry(a.proposal.clone()).or_default().push(answer);
            }
            Payload::ConditionSet(c) => {
                self.wanted_events.extend(c.on.event.iter().chain(&c.subject.event).copied());
                let acc = self.conditions.entry(c.condition.clone()).or_default();
                if let Some(track) = &track0 {
                    acc.set = Some((track.clone(), at, c.clone()));
                }
            }
            Payload::ConditionResolved(c) => {
                self.conditions.entry(c.condition.clone()).or_default().resolutions.push((at, c.outcome));
            }
            Payload::CommitmentMade(c) => {
                let acc = self.commitments.entry(c.commitment.clone()).or_default();
                if let Some(track) = &track0 {
                    acc.made = Some((track.clone(), at, c.parties.clone(), c.text.clone()));
                }
                acc.standing = c.standing;
                acc.deadlines.extend(c.all_deadlines().map(|d| (at, d.clone())));
            }
            _ => {}
        }
        if f.account.one_sided() {
            self.one_sided.insert(record.seq);
        }
        let joint = matches!(f.payload, Payload::MeetingHeld(_) | Payload::CommitmentMade(_));
        let signed = matches!(&f.payload, Payload::InstrumentStageReached(i) if i.stage == InstrumentStage::Signed);
        let mut addressed: Vec<&PrincipleRef> = f.links.addresses.iter().collect();
        if let Payload::CommitmentMade(c) = &f.payload {
            addressed.extend(c.principle.as_ref());
        }
        for id in addressed {
            self.principles.entry(id.clone()).or_default().touches.push((at, Touch::Addressed { joint, signed }));
        }
        self.push_acts(record);
    }

    /// Adds one stage of an instrument: its declaration (the earliest event that gives
    /// a title and a type, in world order), what it declares, and the step itself.
    fn push_instrument(&mut self, i: &InstrumentStageReached, at: At, tracks: &[TrackId]) {
        let acc = self.instruments.entry(i.instrument.clone()).or_default();
        acc.take(Gave {
            at,
            declares: i.title.clone().zip(i.instrument_type),
            parties: i.parties.clone(),
            parent: i.parent.clone(),
            principal: i.principal,
            articles: i.articles.clone(),
            tracks: tracks.to_vec(),
        });
        acc.steps.push(StepAcc {
            at,
            stage: i.stage,
            party: i.party.clone(),
            procedure: i.procedure,
            outcome: i.outcome,
            scope: i.scope,
            replacement: i.replacement.clone(),
            note: i.step.clone().or_else(|| i.summary.clone()),
        });
    }

    /// An instrument's parties: those it declares, else its tracks'.
    fn instrument_parties(&self, acc: &InstrumentAcc) -> Vec<Party> {
        let mut parties = acc.parties.clone();
        if parties.is_empty() {
            for t in &acc.tracks {
                let opened = self.tracks.get(t).and_then(|t| t.opened.as_ref());
                for p in opened.map(|o| o.2.as_slice()).unwrap_or_default() {
                    if !parties.contains(&p.code) {
                        parties.push(p.code.clone());
                    }
                }
            }
        }
        parties
    }

    /// The status of every instrument declared, judged from every event pushed; an
    /// instrument's parties are those it declares, else its tracks'.
    fn instruments(&self) -> BTreeMap<crate::event::InstrumentId, InstrumentStatus> {
        let mut out = BTreeMap::new();
        for (id, acc) in &self.instruments {
            let parties = self.instrument_parties(acc);
            if let Some(mut status) = instrument(id, acc, &parties) {
                for a in &mut status.articles {
                    let mut touches: Vec<At> =
                        self.principles.get(&a.id).map(|p| p.touches.iter().map(|t| t.0).collect()).unwrap_or_default();
                    touches.sort_by_key(At::key);
                    a.addressed = touches.iter().map(|t| t.seq).collect();
                }
                out.insert(id.clone(), status);
            }
        }
        out
    }

    /// Adds what an event does to the commitments it names, each with its relation.
    fn push_acts(&mut self, record: &Record) {
        let f = &record.event.facts;
        let at = At::of(record);
        let new = |relation| Act::new(at, relation);
        let commitments = &mut self.commitments;
        match &f.payload {
            Payload::CommitmentProgressed(p) => {
                act(commitments, &p.commitment, Act { by: by_one(&p.by), ..new(Relation::Advances) })
            }
            Payload::CommitmentFulfilled(p) => {
                act(commitments, &p.commitment, Act { by: by_one(&p.by), ..new(Relation::Fulfils) })
            }
            Payload::CommitmentPartiallyFulfilled(p) => act(
                commitments,
                &p.commitment,
                Act { by: by_one(&p.by), score: p.score, ..new(Relation::PartiallyFulfils) },
            ),
            Payload::CommitmentReaffirmed(p) => {
                act(commitments, &p.commitment, Act { by: p.by.clone(), ..new(Relation::Reaffirms) })
            }
            Payload::CommitmentReportedUnmet(p) => {
                let relation = match p.finding {
                    Finding::Unmet => Relation::ReportsUnmet,
                    Finding::Breach => Relation::ReportsBreach,
                };
                let reported = Act {
                    by: by_one(&p.by),
                    who: reporter_name(p.reporter, &p.monitor),
                    against: p.against.clone(),
                    ..new(relation)
                };
                act(commitments, &p.commitment, reported)
            }
            Payload::CommitmentSuspended(p) => {
                let suspension = Act {
                    by: by_one(&p.by),
                    who: p.authority.clone(),
                    conditions: p.conditions.clone(),
                    ..new(Relation::Suspends)
                };
                act(commitments, &p.commitment, suspension)
            }
            Payload::CommitmentResumed(p) => {
                let resumption = Act { by: by_one(&p.by), who: p.authority.clone(), ..new(Relation::Resumes) };
                act(commitments, &p.commitment, resumption)
            }
            Payload::CommitmentSuperseded(p) => {
                act(
                    commitments,
                    &p.commitment,
                    Act { other: Some(p.replacement.clone()), ..new(Relation::SupersededBy) },
                );
                act(
                    commitments,
                    &p.replacement,
                    Act { other: Some(p.commitment.clone()), ..new(Relation::Supersedes) },
                );
            }
            Payload::CommitmentWithdrawn(p) => {
                act(commitments, &p.commitment, Act { by: by_one(&p.by), ..new(Relation::Withdraws) })
            }
            Payload::DeadlineAmended(p) => {
                commitments.entry(p.commitment.clone()).or_default().deadlines.push((at, (*p.deadline).clone()))
            }
            Payload::RulingIssued(p) => {
                if let Some(c) = &p.on.commitment {
                    let relation = match p.effect {
                        RulingEffect::Upholds => Relation::Reaffirms,
                        RulingEffect::Suspends => Relation::Suspends,
                        RulingEffect::Annuls => Relation::Withdraws,
                        RulingEffect::RequiresChanges => Relation::RequiresChanges,
                    };
                    act(commitments, c, Act { who: Some(p.court.clone()), ..new(relation) });
                }
            }
            Payload::DecisionAdopted(p) => {
                if let Some(c) = p.on.as_ref().and_then(|on| on.commitment.as_ref()) {
                    act(commitments, c, Act { who: Some(p.body.clone()), ..new(Relation::Decides) });
                }
            }
            _ => {}
        }
        let links = &f.links;
        for (ids, relation) in [
            (&links.advances, Relation::Advances),
            (&links.fulfils, Relation::Fulfils),
            (&links.partially_fulfils, Relation::PartiallyFulfils),
        ] {
            for id in ids {
                act(commitments, id, new(relation));
            }
        }
        // A reaffirmation is the act of whoever made it: a statement's speaker (a party,
        // or a third party by name), the party whose account the event is, or — for a
        // meeting, a commitment or an instrument, which are joint — all owing it.
        let (by, who) = match &f.payload {
            Payload::StatementMade(s) => match &s.actor.party {
                Some(party) => (vec![party.clone()], None),
                None => (Vec::new(), Some(s.actor.name.clone())),
            },
            Payload::MeetingHeld(_)
            | Payload::CommitmentMade(_)
            | Payload::InstrumentStageReached(_)
            | Payload::CommissionConvened(_) => (Vec::new(), None),
            // A court's or a body's reaffirmation is its own, by name.
            Payload::RulingIssued(r) => (Vec::new(), Some(r.court.clone())),
            Payload::DecisionAdopted(d) => (Vec::new(), Some(d.body.clone())),
            _ => (by_one(&f.account.attribution), None),
        };
        for id in &links.reaffirms {
            act(commitments, id, Act { by: by.clone(), who: who.clone(), ..new(Relation::Reaffirms) });
        }
    }

    /// The status of every track, judged at the view's date from the events dated by
    /// then: a fold of later events too (the snapshot's) judges any earlier day as a
    /// fold of those events alone would ([`Fold::until`]).
    pub fn finish(&self, view: &View) -> Vec<TrackStatus> {
        match self.max_day {
            Some(max) if max > view.as_of => self.until(view.as_of).judge(view),
            _ => self.judge(view),
        }
    }

    /// What was accumulated from the events dated by `day` only (their whole interval
    /// ended by then): what a fold of those events alone holds, for [`Fold::finish`].
    /// Every accumulated fact carries the date of the event behind it, or is kept per
    /// day (contacts), or — for what the earliest event rules — as the few events that
    /// may be the earliest as of some day.
    pub fn until(&self, day: NaiveDate) -> Fold {
        let seen = |at: &At| at.date.last_day() <= day;
        let conditions: BTreeMap<_, _> = (self.conditions.iter())
            .map(|(id, c)| {
                let c = ConditionAcc {
                    set: c.set.clone().filter(|s| seen(&s.1)),
                    resolutions: c.resolutions.iter().filter(|r| seen(&r.0)).cloned().collect(),
                };
                (id.clone(), c)
            })
            .collect();
        let wanted_events = (conditions.values())
            .filter_map(|c| c.set.as_ref())
            .flat_map(|(_, _, c)| c.on.event.iter().chain(&c.subject.event).copied())
            .collect();
        Fold {
            tracks: self.tracks.iter().map(|(id, t)| (id.clone(), t.until(day))).collect(),
            principles: (self.principles.iter())
                .map(|(id, p)| {
                    let p = PrincipleAcc {
                        tabled: p.tabled.clone().filter(|t| seen(&t.1)),
                        to: p.to.clone(),
                        touches: p.touches.iter().filter(|t| seen(&t.0)).cloned().collect(),
                    };
                    (id.clone(), p)
                })
                .collect(),
            answers: (self.answers.iter())
                .map(|(id, list)| (id.clone(), list.iter().filter(|a| seen(&a.0)).cloned().collect()))
                .collect(),
            commitments: (self.commitments.iter())
                .map(|(id, c)| {
                    let c = CommitmentAcc {
                        made: c.made.clone().filter(|m| seen(&m.1)),
                        standing: c.standing,
                        deadlines: c.deadlines.iter().filter(|d| seen(&d.0)).cloned().collect(),
                        acts: c.acts.iter().filter(|a| seen(&a.at)).cloned().collect(),
                    };
                    (id.clone(), c)
                })
                .collect(),
            instruments: self.instruments.iter().map(|(id, i)| (id.clone(), i.until(day))).collect(),
            conditions,
            wanted_events,
            event_ats: self.event_ats.iter().filter(|(_, at)| seen(at)).map(|(id, at)| (*id, *at)).collect(),
            weak: self.weak.clone(),
            one_sided: self.one_sided.clone(),
            max_day: self.max_day.map(|max| max.min(day)),
        }
    }

    /// The status of every track, judged at the view's date from everything pushed.
    fn judge(&self, view: &View) -> Vec<TrackStatus> {
        let mut tracks: BTreeMap<TrackId, TrackStatus> = BTreeMap::new();
        let instruments = self.instruments();
        for (id, acc) in &self.tracks {
            let Some((opened, title, parties)) = &acc.opened else { continue };
            tracks.insert(id.clone(), self.track(id, acc, *opened, title, parties, &instruments));
        }
        let unsupported = |evidence: &[u64]| evidence.iter().all(|s| self.weak.contains(s));
        for (id, acc) in &self.principles {
            let Some((track, tabled, text, proposer)) = &acc.tabled else { continue };
            let Some(t) = tracks.get_mut(track) else { continue };
            let mut p = principle(id, *tabled, text, proposer, acc, self.answers.get(&id.proposal), &t.parties);
            p.unsupported = unsupported(&p.evidence);
            p.one_sided = !p.evidence.is_empty() && p.evidence.iter().all(|s| self.one_sided.contains(s));
            t.principles.push(p);
        }
        // An instrument's articles are principles of its tracks: their state follows
        // the text (tabled while negotiated, agreed with the text, codified once signed),
        // their evidence is the instrument's steps and every event addressing them.
        for t in tracks.values_mut() {
            let articles: Vec<PrincipleStatus> = t.instruments.iter().flat_map(article_principles).collect();
            for mut p in articles {
                p.unsupported = unsupported(&p.evidence);
                p.one_sided = !p.evidence.is_empty() && p.evidence.iter().all(|s| self.one_sided.contains(s));
                t.principles.push(p);
            }
            t.principles
                .sort_by(|a, b| (a.id.proposal.as_str(), a.id.number).cmp(&(b.id.proposal.as_str(), b.id.number)));
        }
        for (id, acc) in &self.commitments {
            let Some((track, made, parties, text)) = &acc.made else { continue };
            let Some(t) = tracks.get_mut(track) else { continue };
            let mut c = commitment(id, *made, parties, text, acc.standing, &acc.acts, &acc.deadlines, self, view);
            c.unsupported = unsupported(&c.evidence);
            c.one_sided = !c.decisive.is_empty() && c.decisive.iter().all(|s| self.one_sided.contains(s));
            t.commitments.push(c);
        }
        self.conditions(&mut tracks, view);
        for t in tracks.values_mut() {
            let open = || t.commitments.iter().filter(|c| !c.closed());
            t.next_deadline =
                open().filter_map(|c| c.next_due.map(|due| NextDeadline { due, commitment: c.id.clone() })).min();
            t.overdue = open().filter(|c| c.state == CommitmentState::Overdue).count() as u32;
        }
        tracks.into_values().collect()
    }
}

#[cfg(test)]
pub(super) mod tests {
    //! Given events, when judged at a date, then a state — each test names its rule.

    use super::*;
    use crate::env::Ids;
    use crate::event::payload::Response;
    use crate::event::{Event, parse_line};
    use crate::projection::DEFAULT_STALL_DAYS;

    const OPEN: &str = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2022-01","unsourced":true,"payload":{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#;

    pub(super) fn records(lines: &[&str]) -> Vec<Record> {
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

    pub(super) fn ev(kind: &str, occurred: &str, payload: &str, extra: &str) -> String {
        format!(
            r#"{{"kind":"{kind}","version":1,"tracks":["x-y"],"occurred":"{occurred}","unsourced":true,"payload":{payload}{extra}}}"#
        )
    }

    pub(super) fn made(deadline: &str) -> String {
        ev(
            "commitment_made",
            "2022-04-06",
            &format!(r#"{{"commitment":"c","parties":["x","y"],"text":"Convene"{deadline}}}"#),
            "",
        )
    }

    pub(super) fn check(given: &[String], as_of: &str) -> CommitmentStatus {
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
        assert_eq!(c.pam, 3);
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
        assert_eq!((c.state, c.pam), (CommitmentState::InProgress, 1));
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

    pub(super) fn track(lines: &[String], as_of: &str) -> TrackStatus {
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

    pub(super) fn meeting(date: &str, extra: &str) -> String {
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
        // The proposer accepts by proposing: the one addressee's acceptance agrees it.
        assert_eq!(states(&track(&[tabled(), answered("y", "accepted")], "2022-04-01"))[0], PrincipleState::Agreed);
        let t = track(&[tabled(), answered("y", "accepted_in_principle")], "2022-04-01");
        assert_eq!(states(&t)[0], PrincipleState::Acknowledged);
        assert_eq!(states(&track(&[tabled(), answered("y", "rejected")], "2022-04-01"))[0], PrincipleState::Contested);
    }

    fn three() -> String {
        r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2022-01","unsourced":true,"payload":{"title":"X–Y–Z","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"},{"code":"z","name":"Z"}]}}"#.to_owned()
    }

    /// The track opened with parties x, y and z; then `lines`.
    fn track3(lines: &[String], as_of: &str) -> TrackStatus {
        let mut all = vec![three()];
        all.extend(lines.iter().cloned());
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let view = View { as_of: as_of.parse().expect("date"), known_at: None, stall_days: DEFAULT_STALL_DAYS };
        status(&records(&all), &BTreeSet::new(), &view).remove(0)
    }

    fn tabled_to_two() -> String {
        ev(
            "proposal_tabled",
            "2022-03-14",
            r#"{"proposal":"p","by":"x","to":["y","z"],"title":"P","principles":[{"number":1,"text":"One"},{"number":2,"text":"Two"}]}"#,
            "",
        )
    }

    fn answered_on(date: &str, by: &str, response: &str, only: &str) -> String {
        ev("proposal_answered", date, &format!(r#"{{"proposal":"p","by":"{by}","response":"{response}"{only}}}"#), "")
    }

    fn stances(p: &PrincipleStatus) -> Vec<(String, Response)> {
        p.stances.iter().map(|s| (s.party.to_string(), s.stance)).collect()
    }

    #[test]
    fn one_addressee_accepting_and_another_rejecting_is_contested_whatever_the_order() {
        let yes = answered_on("2022-03-20", "y", "accepted", "");
        let no = answered_on("2022-03-21", "z", "rejected", "");
        for given in [[tabled_to_two(), yes.clone(), no.clone()], [tabled_to_two(), no.clone(), yes.clone()]] {
            let t = track3(&given, "2022-04-01");
            assert_eq!(t.principles[0].state, PrincipleState::Contested);
            let mut both = stances(&t.principles[0]);
            both.sort();
            assert_eq!(both, [("y".to_owned(), Response::Accepted), ("z".to_owned(), Response::Rejected)]);
        }
    }

    #[test]
    fn one_of_two_addressees_accepting_is_accepted_and_both_is_agreed() {
        let y = answered_on("2022-03-20", "y", "accepted", "");
        let z = answered_on("2022-03-21", "z", "accepted", "");
        assert_eq!(track3(&[tabled_to_two(), y.clone()], "2022-04-01").principles[0].state, PrincipleState::Accepted);
        let t = track3(&[tabled_to_two(), y, z], "2022-04-01");
        assert_eq!(t.principles[0].state, PrincipleState::Agreed);
        assert_eq!(t.principles[0].evidence, [2, 3, 4]);
    }

    #[test]
    fn a_partys_latest_answer_is_its_stance() {
        let no = answered_on("2022-03-20", "z", "rejected", "");
        let yes_y = answered_on("2022-03-21", "y", "accepted", "");
        let yes_z = answered_on("2022-03-22", "z", "accepted", "");
        let t = track3(&[tabled_to_two(), no, yes_y, yes_z], "2022-04-01");
        assert_eq!(t.principles[0].state, PrincipleState::Agreed);
        assert_eq!(t.principles[0].stances.len(), 2);
    }

    #[test]
    fn an_answer_naming_principles_answers_only_those() {
        let only_two = answered_on("2022-03-20", "y", "rejected", r#","principles":[2]"#);
        let t = track(&[tabled(), only_two], "2022-04-01");
        assert_eq!(states(&t), [PrincipleState::Tabled, PrincipleState::Contested]);
        assert!(t.principles[0].stances.is_empty());
        assert_eq!(t.principles[0].evidence, [2], "the answer is no evidence about principle 1");
    }

    #[test]
    fn a_proposal_to_no_one_in_particular_is_agreed_when_every_other_party_of_its_track_accepts() {
        let untargeted = ev(
            "proposal_tabled",
            "2022-03-14",
            r#"{"proposal":"p","by":"x","title":"P","principles":[{"number":1,"text":"One"}]}"#,
            "",
        );
        let y = answered_on("2022-03-20", "y", "accepted", "");
        let z = answered_on("2022-03-21", "z", "accepted", "");
        assert_eq!(
            track3(&[untargeted.clone(), y.clone()], "2022-04-01").principles[0].state,
            PrincipleState::Accepted
        );
        assert_eq!(track3(&[untargeted, y, z], "2022-04-01").principles[0].state, PrincipleState::Agreed);
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
    fn one_partys_statement_about_an_agreed_principle_is_not_a_reaffirmation() {
        let agreed = meeting("2022-04-06", r#","addresses":["p#1"]"#);
        let said = ev(
            "statement_made",
            "2022-05-01",
            r#"{"actor":{"name":"A","party":"x"},"summary":"We stand by it"}"#,
            r#","addresses":["p#1"]"#,
        );
        let t = track(&[tabled(), agreed, said], "2022-06-01");
        let p = &t.principles[0];
        assert_eq!((p.state, p.reaffirmed, p.evidence.len()), (PrincipleState::Agreed, 0, 3));
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
    fn a_principal_instrument_rules_the_stage_and_a_ceasefire_is_negotiation_only() {
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
        assert_eq!(
            history,
            [
                Stage::Dormant,
                Stage::Negotiation,
                Stage::TextAgreed,
                Stage::Signed,
                Stage::InForce,
                Stage::Implementation
            ]
        );
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

    fn ruling(effect: &str, on: &str, date: &str) -> String {
        ev("ruling_issued", date, &format!(r#"{{"court":"Supreme Court","on":{on},"effect":"{effect}"}}"#), "")
    }

    #[test]
    fn a_commission_session_is_a_contact_by_its_mode() {
        // Given a commission convened in person (mode left out) and once by video,
        let established = ev(
            "commission_established",
            "2022-02",
            r#"{"commission":"k","name":"Joint Commission","parties":["x","y"]}"#,
            "",
        );
        let session =
            |date: &str, mode: &str| ev("commission_convened", date, &format!(r#"{{"commission":"k"{mode}}}"#), "");
        let t = track(&[established, session("2022-03", ""), session("2022-04", r#","mode":"video""#)], "2022-12-31");
        // then the track counts one meeting and one call.
        assert_eq!((t.meetings, t.calls), (1, 1));
    }

    #[test]
    fn a_ruling_that_suspends_a_commitment_is_a_suspension_by_the_court() {
        // Given a commitment a court suspends, and that is resumed later,
        let on = r#"{"commitment":"c"}"#;
        let given = [made(""), ruling("suspends", on, "2022-05")];
        // when judged while it stands, then the commitment is suspended by the court;
        let c = check(&given, "2022-06-30");
        assert_eq!(c.state, CommitmentState::Suspended);
        assert_eq!(c.suspensions[0].authority.as_deref(), Some("Supreme Court"));
        assert_eq!(c.suspensions[0].since.seq, 3);
        // and once resumed, no longer.
        let resumed = ev("commitment_resumed", "2022-07", r#"{"commitment":"c"}"#, "");
        let c = check(&[given[0].clone(), given[1].clone(), resumed], "2022-08-31");
        assert_ne!(c.state, CommitmentState::Suspended);
        assert_eq!(c.suspensions[0].resumed.map(|a| a.seq), Some(4));
    }

    #[test]
    fn a_ruling_that_annuls_a_commitment_withdraws_it_as_a_whole() {
        let c = check(&[made(""), ruling("annuls", r#"{"commitment":"c"}"#, "2022-05")], "2022-06-30");
        assert_eq!(c.state, CommitmentState::Withdrawn);
        assert_eq!(c.withdrawn_by[0].party, None);
    }

    #[test]
    fn a_ruling_that_upholds_a_commitment_is_the_courts_reaffirmation_and_changes_requested_are_evidence() {
        let given = [
            made(""),
            ruling("upholds", r#"{"commitment":"c"}"#, "2022-05"),
            ruling("requires_changes", r#"{"commitment":"c"}"#, "2022-06"),
        ];
        let c = check(&given, "2022-06-30");
        assert_eq!(c.reaffirmed.len(), 1);
        assert_eq!(c.reaffirmed[0].who.as_deref(), Some("Supreme Court"));
        let relations: Vec<(u64, Relation)> = c.relations.iter().map(|r| (r.seq, r.relation)).collect();
        assert!(relations.contains(&(3, Relation::Reaffirms)), "{relations:?}");
        assert!(relations.contains(&(4, Relation::RequiresChanges)), "{relations:?}");
        // Words are not movement: the commitment has not started.
        assert_eq!(c.progress, Progress::NotStarted);
    }

    #[test]
    fn a_decision_on_an_instrument_is_listed_with_the_tracks_rulings_and_a_courts_annulment_moves_it() {
        // Given a framework in force, a council endorsing it, then a court annulling it,
        let in_force = ev(
            "instrument_stage_reached",
            "2022-03",
            r#"{"instrument":"f","title":"Framework","type":"framework","stage":"in_force"}"#,
            "",
        );
        let endorsed = ev(
            "decision_adopted",
            "2022-04",
            r#"{"body":"Council","reference":"R/1","on":{"instrument":"f"},"effect":"endorses"}"#,
            "",
        );
        let t = track(&[in_force.clone(), endorsed.clone()], "2022-04-30");
        // then the decision is the instrument's evidence on the track, and it is still in force;
        assert_eq!(t.rulings.len(), 1);
        assert_eq!(
            (t.rulings[0].by.as_str(), t.rulings[0].effect.as_str(), t.rulings[0].at.seq),
            ("Council", "endorses", 3)
        );
        assert_eq!(t.rulings[0].on.as_ref().and_then(|r| r.instrument.as_ref()).map(|i| i.as_str()), Some("f"));
        assert_eq!(t.stage, Stage::InForce);
        // and the annulment moves the track as an annulled stage would.
        let t = track(&[in_force, endorsed, ruling("annuls", r#"{"instrument":"f"}"#, "2022-06")], "2022-06-30");
        assert_eq!(t.stage, Stage::Annulled);
        assert_eq!(t.rulings.len(), 2);
    }
}
