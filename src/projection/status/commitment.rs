//! A commitment's status as analysts judge it: three questions with three answers —
//! *progress* (how far it was carried out), *schedule* (against its deadlines) and
//! *activity* (whether anything moves) — one headline derived from them by the rule
//! in `events/README.md`, its Peace Accords Matrix score, and every event related to it
//! with the word for how. What is accumulated, and when, is the [`super::Fold`]'s; this
//! file derives, at the view's date, from the acts the fold kept.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{At, View};
use crate::date::{Anchor, Deadline, Milestone, PartialDate};
use crate::event::payload::{Finding, Reporter};
use crate::event::{CommitmentId, Party};

crate::names::closed_set! {
    /// The headline state of a commitment at the report's date, derived from its three
    /// axes (see [`headline`]).
    pub enum CommitmentState {
        /// Made; no step yet; nothing overdue.
        Open => "open",
        /// A step taken; nothing overdue.
        InProgress => "in_progress" / "in progress",
        /// Partly met (a part, or some of the parties owing it); nothing overdue.
        PartiallyFulfilled => "partially_fulfilled" / "partially fulfilled",
        /// Met by its deadline (or it had none, or the dates cannot tell).
        Fulfilled => "fulfilled",
        /// Met after its deadline.
        FulfilledLate => "fulfilled_late" / "fulfilled late",
        /// A deadline passed unmet.
        Overdue => "overdue",
        /// No movement for longer than the stall period, and no deadline ahead.
        Stalled => "stalled",
        /// Suspended, and not resumed.
        Suspended => "suspended",
        /// Withdrawn by every party owing it (or as a whole).
        Withdrawn => "withdrawn",
        /// Replaced by another commitment.
        Superseded => "superseded",
        /// A standing obligation in effect, no breach reported within the stall period.
        InEffect => "in_effect" / "in effect",
        /// A standing obligation with a breach reported within the stall period.
        Breached => "breached",
    }
}

crate::names::closed_set! {
    /// How far a commitment was carried out.
    pub enum Progress {
        /// No step recorded.
        NotStarted => "not_started" / "not started",
        /// Steps taken.
        InProgress => "in_progress" / "in progress",
        /// Partly met: a part of it, or the part of some of the parties owing it.
        PartiallyFulfilled => "partially_fulfilled" / "partially fulfilled",
        /// Met.
        Fulfilled => "fulfilled",
        /// Suspended by a party, a court or a body, and not resumed.
        Suspended => "suspended",
        /// Withdrawn by every party owing it, or as a whole.
        Withdrawn => "withdrawn",
        /// Replaced by another commitment.
        Superseded => "superseded",
        /// A standing obligation, in effect, with no breach reported within the stall
        /// period.
        InEffect => "in_effect" / "in effect",
        /// A standing obligation with a breach reported within the stall period.
        Breached => "breached",
    }
}

crate::names::closed_set! {
    /// Where a commitment stands against its deadlines.
    pub enum Schedule {
        /// It has no deadline.
        NoDeadline => "no_deadline" / "no deadline",
        /// A deadline is ahead and unmet.
        Due => "due",
        /// A deadline passed unmet.
        Overdue => "overdue",
        /// Every deadline was met in time.
        MetOnTime => "met_on_time" / "met on time",
        /// A deadline was met, after it had passed.
        MetLate => "met_late" / "met late",
        /// Met, but the dates' precision cannot tell whether in time (a month that
        /// straddles the due day).
        Undetermined => "undetermined",
        /// A deadline counts from an event that has not happened yet.
        Awaiting => "awaiting",
        /// A deadline only in words ("as soon as possible"), with no date.
        Vague => "vague",
    }
}

crate::names::closed_set! {
    /// Whether anything moves on a commitment.
    pub enum Activity {
        /// Something moved within the stall period.
        Active => "active",
        /// Nothing moved for longer than the stall period (a deadline may still be ahead).
        Stalled => "stalled",
        /// Nothing more is expected: fulfilled, withdrawn or superseded.
        Closed => "closed",
    }
}

crate::names::closed_set! {
    /// How an event relates to a commitment: the word `explain` shows beside it.
    pub enum Relation {
        /// Made it.
        Made => "made",
        /// Set or moved a deadline.
        SetsDeadline => "sets_deadline" / "sets a deadline",
        /// Started the clock of a deadline that counts from it.
        StartsClock => "starts_clock" / "starts the clock of a deadline",
        /// A step towards it.
        Advances => "advances",
        /// Met part of it.
        PartiallyFulfils => "partially_fulfils" / "partially fulfils",
        /// Met it (or one party's part).
        Fulfils => "fulfils",
        /// Said again it will be kept: evidence of intent, not progress.
        Reaffirms => "reaffirms",
        /// Reported it unmet.
        ReportsUnmet => "reports_unmet" / "reports it unmet",
        /// Reported it breached.
        ReportsBreach => "reports_breach" / "reports a breach",
        /// Suspended it.
        Suspends => "suspends",
        /// Resumed it.
        Resumes => "resumes",
        /// Replaced it by another commitment.
        SupersededBy => "superseded_by" / "supersedes it with another",
        /// Made it the replacement of another commitment.
        Supersedes => "supersedes" / "makes it the replacement of another",
        /// Withdrew it (one party, or all; a court annulling it).
        Withdraws => "withdraws",
        /// A court required changes to it: evidence only.
        RequiresChanges => "requires_changes" / "requires changes to it",
        /// A body's decision bears on it: evidence only.
        Decides => "decides" / "decides on it",
    }
}

/// One act on a commitment, as the fold keeps it: when, how, by whom and what else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(super) struct Act {
    pub at: At,
    pub relation: Relation,
    /// The parties acting; empty for all that owe it (or nobody in particular).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<Party>,
    /// An analyst's partial score (1–2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// The other commitment (a replacement, or the one replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<CommitmentId>,
    /// A court, body or monitor acting, or the reporter's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
    /// The party a report names as not keeping it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<Party>,
    /// A suspension's stated conditions for resuming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
}

impl Act {
    pub(super) fn new(at: At, relation: Relation) -> Act {
        Act { at, relation, by: Vec::new(), score: None, other: None, who: None, against: None, conditions: None }
    }

    /// An act that counts as movement for the stall clock. Words are not movement: a
    /// reaffirmation says it will be done, a report says it is not, and neither does
    /// anything — counting them would keep a commitment that is only ever reaffirmed
    /// from ever reading stalled, the very pattern the activity axis is there to show.
    fn moves(&self) -> bool {
        !matches!(
            self.relation,
            Relation::Reaffirms
                | Relation::ReportsUnmet
                | Relation::ReportsBreach
                | Relation::RequiresChanges
                | Relation::Decides
        )
    }
}

/// One deadline a commitment had: as stated, the event that set it, and when it falls
/// due at the report's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeadlineEntry {
    /// As stated.
    pub deadline: Deadline,
    /// The milestone it is for.
    pub milestone: Milestone,
    /// The day it falls due (`None`: vague, or counting from an event not yet seen).
    pub due: Option<NaiveDate>,
    /// The event its span counts from, when it counts from another event than its own
    /// (`None` until that event is seen).
    pub counts_from: Option<At>,
    /// The event that set it.
    pub seq: u64,
    /// The latest for its milestone, which rules; earlier ones stay as history.
    pub rules: bool,
    /// Where the commitment stands against it (for the ruling deadlines).
    pub schedule: Option<Schedule>,
}

/// A party's act on the commitment, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartyAct {
    /// The party; `None` for all that owe it, jointly (or for `who`).
    pub party: Option<Party>,
    /// Who acted when not a party of the track (a mediator's statement); `None` else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
    /// When, and the event.
    pub at: At,
}

/// A partial fulfilment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartialStep {
    /// When, and the event.
    pub at: At,
    /// The party that met its part, when one did.
    pub party: Option<Party>,
    /// The analyst's score for it (1 or 2), when given.
    pub score: Option<u8>,
}

/// A period of suspension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suspension {
    /// Since when, and the event.
    pub since: At,
    /// The suspending party, if a party suspended it.
    pub by: Option<Party>,
    /// The suspending court or body.
    pub authority: Option<String>,
    /// On what it would be resumed, as the suspension said.
    pub conditions: Option<String>,
    /// When it was resumed (`None`: still suspended).
    pub resumed: Option<At>,
    /// Who resumed it: a party's code, or a court's or body's name (`None`: not said).
    pub resumed_by: Option<String>,
}

/// A report that the commitment is not kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnmetReport {
    /// When, and the event.
    pub at: At,
    /// Unmet, or a breach.
    pub finding: Finding,
    /// Who reports it: a party code, a monitor's name, or `analyst`.
    pub reporter: String,
    /// The party said not to keep it.
    pub against: Option<Party>,
}

/// A commitment it replaced, or the one that replaced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Replacement {
    /// The other commitment.
    pub commitment: CommitmentId,
    /// When, and the event.
    pub at: At,
}

/// An event related to the commitment, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    /// The event.
    pub seq: u64,
    /// How it relates.
    pub relation: Relation,
    /// The parties whose act it is; empty for all that owe it (or none in particular).
    pub by: Vec<Party>,
}

/// A commitment at the report's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitmentStatus {
    /// Its id.
    pub id: CommitmentId,
    /// Its headline state, derived from the three axes.
    pub state: CommitmentState,
    /// How far it was carried out.
    pub progress: Progress,
    /// Where it stands against its deadlines.
    pub schedule: Schedule,
    /// Whether anything moves on it.
    pub activity: Activity,
    /// Who owes it.
    pub parties: Vec<Party>,
    /// What was undertaken.
    pub text: String,
    /// An ongoing obligation (kept while nothing breaches it).
    pub standing: bool,
    /// When it was made.
    pub made: PartialDate,
    /// Every deadline it had, oldest first; the latest of each milestone rules.
    pub deadlines: Vec<DeadlineEntry>,
    /// The due day that decides its schedule: the earliest missed one when overdue, the
    /// next one ahead when due, else that of its completion (of its beginning, when
    /// only that has one).
    pub due: Option<NaiveDate>,
    /// The next due day still ahead, of a milestone not yet met.
    pub next_due: Option<NaiveDate>,
    /// When it was fulfilled, and by which event.
    pub fulfilled: Option<At>,
    /// Each party's fulfilment of its part, where parties met theirs separately.
    pub fulfilled_by: Vec<PartyAct>,
    /// Each partial fulfilment: when, by which party (or `null`), and the analyst's score.
    pub partly_fulfilled: Vec<PartialStep>,
    /// Every suspension, oldest first, with its resumption.
    pub suspensions: Vec<Suspension>,
    /// Each withdrawal: by a party, or (`party: None`) as a whole.
    pub withdrawn_by: Vec<PartyAct>,
    /// The commitment that replaced it.
    pub superseded_by: Option<Replacement>,
    /// The commitments it replaced.
    pub supersedes: Vec<Replacement>,
    /// Each reaffirmation: by a party, or (`party: None`) jointly.
    pub reaffirmed: Vec<PartyAct>,
    /// Reports that it is not kept (by a party, a monitor or the analyst).
    pub reported_unmet: Vec<UnmetReport>,
    /// The day of its last movement (reaffirmations and reports are not movement),
    /// from which stalling is counted.
    pub quiet_since: NaiveDate,
    /// The Peace Accords Matrix score: 0 not initiated, 1 minimal, 2 intermediate, 3 full.
    pub pam: u8,
    /// Every event behind this state, by seq, in world order.
    pub evidence: Vec<u64>,
    /// Every event behind this state with how it relates, in world order.
    pub relations: Vec<Related>,
    /// The events that decide its progress, by seq.
    pub decisive: Vec<u64>,
    /// True when every event behind it is unsourced or disputed.
    pub unsupported: bool,
    /// True when its progress rests only on one side's account (or an unverified one).
    pub one_sided: bool,
    /// The conditions it waits on (it is their subject), on whatever track they were set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<super::Waiting>,
}

impl CommitmentStatus {
    /// True when nothing more is expected of it (fulfilled, withdrawn, superseded).
    pub fn closed(&self) -> bool {
        matches!(self.progress, Progress::Fulfilled | Progress::Withdrawn | Progress::Superseded)
    }
}

/// What a commitment's deadlines count from: the dates of other commitments' starts and
/// fulfilments, and of instruments' stages, as the fold has them.
pub(super) trait Anchors {
    /// When `anchor` happened, and the event, if it has.
    fn at_of(&self, anchor: &Anchor) -> Option<At>;
}

/// The commitment's start, from its acts: its first step, partial fulfilment or
/// fulfilment.
pub(super) fn start(acts: &[Act]) -> Option<At> {
    acts.iter()
        .filter(|a| matches!(a.relation, Relation::Advances | Relation::PartiallyFulfils | Relation::Fulfils))
        .map(|a| a.at)
        .min_by_key(At::key)
}

/// When it was fulfilled — by a joint fulfilment, or when the last party owing it met
/// its part (parties that withdrew without meeting theirs owe nothing more) — and each
/// party's own fulfilment.
pub(super) fn fulfilment(acts: &[Act], owing: &[Party]) -> (Option<At>, Vec<PartyAct>) {
    let withdrew = |p: &Party| acts.iter().any(|a| a.relation == Relation::Withdraws && a.by.contains(p));
    let fulfils = || acts.iter().filter(|a| a.relation == Relation::Fulfils);
    let joint = fulfils().filter(|a| a.by.is_empty()).map(|a| a.at).min_by_key(At::key);
    let mut by_party: BTreeMap<&Party, At> = BTreeMap::new();
    for a in fulfils() {
        for p in &a.by {
            let slot = by_party.entry(p).or_insert(a.at);
            if a.at.key() < slot.key() {
                *slot = a.at;
            }
        }
    }
    // Every party owing it met its part, or withdrew without meeting it (a part met and
    // then withdrawn from stays met); at least one met its part.
    let all_parties = owing
        .iter()
        .all(|p| by_party.contains_key(p) || withdrew(p))
        .then(|| owing.iter().filter_map(|p| by_party.get(p).copied()).max_by_key(At::key))
        .flatten();
    let at = [joint, all_parties].into_iter().flatten().min_by_key(At::key);
    let mut each: Vec<PartyAct> =
        by_party.into_iter().map(|(p, at)| PartyAct { party: Some(p.clone()), who: None, at }).collect();
    each.sort_by_key(|p| p.at.key());
    (at, each)
}

/// The status of commitment `id`, made at `made` by `parties`, from its `acts` and
/// `deadlines`, judged at the view's date.
#[expect(clippy::too_many_arguments, reason = "the parts of one accumulator, borrowed apart")]
pub(super) fn commitment(
    id: &CommitmentId,
    made: At,
    parties: &[Party],
    text: &str,
    standing: bool,
    acts: &[Act],
    deadlines: &[(At, Deadline)],
    anchors: &dyn Anchors,
    view: &View,
) -> CommitmentStatus {
    let mut acts = acts.to_vec();
    acts.sort_by_key(|a| (a.at.key(), a.relation));
    let of = |r: Relation| acts.iter().filter(move |a| a.relation == r);

    let start = start(&acts);
    let (fulfilled, fulfilled_by) = fulfilment(&acts, parties);

    // Suspensions and resumptions in world order: a suspension opens a period, a
    // resumption closes the open one; a fulfilment after a suspension does not end it.
    let mut suspensions: Vec<Suspension> = Vec::new();
    for a in acts.iter().filter(|a| matches!(a.relation, Relation::Suspends | Relation::Resumes)) {
        let open = suspensions.last_mut().filter(|s| s.resumed.is_none());
        match (a.relation, open) {
            (Relation::Suspends, None) => suspensions.push(Suspension {
                since: a.at,
                by: a.by.first().cloned(),
                authority: a.who.clone(),
                conditions: a.conditions.clone(),
                resumed: None,
                resumed_by: None,
            }),
            (Relation::Resumes, Some(s)) => {
                s.resumed = Some(a.at);
                s.resumed_by = a.by.first().map(|p| p.to_string()).or_else(|| a.who.clone());
            }
            _ => {}
        }
    }
    let suspended = suspensions.last().filter(|s| s.resumed.is_none());

    let withdrawals: Vec<PartyAct> =
        of(Relation::Withdraws).map(|a| PartyAct { party: a.by.first().cloned(), who: None, at: a.at }).collect();
    let whole = withdrawals.iter().filter(|w| w.party.is_none()).map(|w| w.at).min_by_key(At::key);
    let every_party = (!parties.is_empty()
        && parties.iter().all(|p| withdrawals.iter().any(|w| w.party.as_ref() == Some(p))))
    .then(|| withdrawals.iter().map(|w| w.at).max_by_key(At::key))
    .flatten();
    let withdrawn = [whole, every_party].into_iter().flatten().min_by_key(At::key);
    let superseded_by = of(Relation::SupersededBy)
        .min_by_key(|a| a.at.key())
        .and_then(|a| Some(Replacement { commitment: a.other.clone()?, at: a.at }));
    let supersedes: Vec<Replacement> =
        of(Relation::Supersedes).filter_map(|a| Some(Replacement { commitment: a.other.clone()?, at: a.at })).collect();

    let partial = of(Relation::PartiallyFulfils).next().is_some() || !fulfilled_by.is_empty();
    let steps = of(Relation::Advances).count();
    // A standing obligation is kept by nothing happening: what tells is a breach reported
    // within the stall period (an older one tells of the past, not of now).
    let recent_breach = of(Relation::ReportsBreach)
        .any(|a| (view.as_of - a.at.date.last_day()).num_days() <= i64::from(view.stall_days));
    let progress = if superseded_by.is_some() {
        Progress::Superseded
    } else if withdrawn.is_some() {
        Progress::Withdrawn
    } else if suspended.is_some() {
        Progress::Suspended
    } else if fulfilled.is_some() {
        Progress::Fulfilled
    } else if standing && recent_breach {
        Progress::Breached
    } else if standing {
        Progress::InEffect
    } else if partial {
        Progress::PartiallyFulfilled
    } else if steps > 0 {
        Progress::InProgress
    } else {
        Progress::NotStarted
    };
    // The score follows what was achieved, whatever happened to it since; a standing
    // obligation kept scores full, breached of late intermediate.
    let pam = if fulfilled.is_some() || progress == Progress::InEffect {
        3
    } else if progress == Progress::Breached {
        2
    } else if partial {
        of(Relation::PartiallyFulfils).filter_map(|a| a.score.map(|s| (a.at.key(), s))).max().map_or(2, |(_, s)| s)
    } else {
        match steps {
            0 => 0,
            1 => 1,
            _ => 2,
        }
    };

    // Deadlines: the latest of each milestone rules. A closed commitment is judged at
    // the day it closed (a deadline it was withdrawn before was never missed).
    let closed_on = [superseded_by.as_ref().map(|s| s.at), withdrawn].into_iter().flatten().min_by_key(At::key);
    let judged_at = closed_on.map_or(view.as_of, |c| c.date.last_day().min(view.as_of));
    let mut entries: Vec<(At, &Deadline)> = deadlines.iter().map(|(at, d)| (*at, d)).collect();
    entries.sort_by_key(|(at, d)| (at.key(), d.milestone()));
    let mut ruling: BTreeMap<Milestone, usize> = BTreeMap::new();
    for (i, (_, d)) in entries.iter().enumerate() {
        ruling.insert(d.milestone(), i);
    }
    let mut clocks: Vec<At> = Vec::new();
    let mut deadline_entries = Vec::new();
    for (i, (at, d)) in entries.iter().enumerate() {
        let anchor = d.of.as_ref().and_then(|a| anchors.at_of(a));
        let due = d.due_at(&at.date, anchor.map(|a| a.date.last_day()));
        let rules = ruling.get(&d.milestone()) == Some(&i);
        let schedule = rules.then(|| {
            if let Some(a) = anchor {
                clocks.push(a);
            }
            let met = match d.milestone() {
                Milestone::Begin => start,
                Milestone::Complete => fulfilled,
            };
            match (standing, d.milestone(), met, due) {
                // A standing obligation takes effect on its own when its day comes (or
                // when it is first acted on, if sooner).
                (true, Milestone::Begin, met, Some(due)) if due < judged_at || met.is_some() => Schedule::MetOnTime,
                _ => judge(due, d, met, judged_at),
            }
        });
        deadline_entries.push(DeadlineEntry {
            deadline: (*d).clone(),
            milestone: d.milestone(),
            due,
            counts_from: anchor,
            seq: at.seq,
            rules,
            schedule,
        });
    }
    let verdicts: Vec<Schedule> = deadline_entries.iter().filter_map(|d| d.schedule).collect();
    let schedule = [
        Schedule::Overdue,
        Schedule::Due,
        Schedule::Awaiting,
        Schedule::Vague,
        Schedule::MetLate,
        Schedule::Undetermined,
        Schedule::MetOnTime,
    ]
    .into_iter()
    .find(|s| verdicts.contains(s))
    .unwrap_or(Schedule::NoDeadline);
    let ruling_due = |m: Milestone| deadline_entries.iter().find(|d| d.rules && d.milestone == m).and_then(|d| d.due);
    // The due day that decides the schedule: the earliest missed, else the next ahead,
    // else that of its completion (of its beginning, when only that has one).
    let deciding = |s: Schedule| deadline_entries.iter().filter(|d| d.schedule == Some(s)).filter_map(|d| d.due).min();
    let due = match schedule {
        Schedule::Overdue | Schedule::Due => deciding(schedule),
        _ => None,
    }
    .or_else(|| ruling_due(Milestone::Complete))
    .or_else(|| ruling_due(Milestone::Begin));
    let next_due = deadline_entries
        .iter()
        .filter(|d| d.schedule == Some(Schedule::Due))
        .filter_map(|d| d.due)
        .min()
        .filter(|_| closed_on.is_none());

    let last_move = acts.iter().filter(|a| a.moves()).map(|a| a.at).chain([made]).max_by_key(At::key);
    let quiet_since = last_move.unwrap_or(made).date.last_day();
    let activity = if matches!(progress, Progress::Fulfilled | Progress::Withdrawn | Progress::Superseded) {
        Activity::Closed
    } else if (view.as_of - quiet_since).num_days() > i64::from(view.stall_days) && !standing {
        Activity::Stalled
    } else {
        Activity::Active
    };
    let state = headline(progress, schedule, activity);

    // The events that decide its progress, for "rests only on one side's account".
    let decisive: Vec<u64> = match progress {
        Progress::Superseded => superseded_by.iter().map(|s| s.at.seq).collect(),
        Progress::Withdrawn => withdrawals.iter().map(|w| w.at.seq).collect(),
        Progress::Suspended => suspended.iter().map(|s| s.since.seq).collect(),
        Progress::Fulfilled | Progress::PartiallyFulfilled => {
            of(Relation::Fulfils).chain(of(Relation::PartiallyFulfils)).map(|a| a.at.seq).collect()
        }
        Progress::InProgress => of(Relation::Advances).map(|a| a.at.seq).collect(),
        Progress::Breached => of(Relation::ReportsBreach).map(|a| a.at.seq).collect(),
        Progress::NotStarted | Progress::InEffect => vec![made.seq],
    };

    let mut related: Vec<(At, Related)> =
        vec![(made, Related { seq: made.seq, relation: Relation::Made, by: Vec::new() })];
    related.extend(acts.iter().map(|a| (a.at, Related { seq: a.at.seq, relation: a.relation, by: a.by.clone() })));
    for (at, _) in deadlines.iter().filter(|(at, _)| at.seq != made.seq) {
        related.push((*at, Related { seq: at.seq, relation: Relation::SetsDeadline, by: Vec::new() }));
    }
    related.extend(
        clocks.into_iter().map(|at| (at, Related { seq: at.seq, relation: Relation::StartsClock, by: Vec::new() })),
    );
    related.sort_by_key(|(at, r)| (at.key(), r.relation));
    let mut relations: Vec<Related> = related.into_iter().map(|(_, r)| r).collect();
    relations.dedup();
    let mut evidence: Vec<u64> = Vec::new();
    for r in &relations {
        if !evidence.contains(&r.seq) {
            evidence.push(r.seq);
        }
    }

    let party_acts = |r: Relation| -> Vec<PartyAct> {
        let mut v: Vec<PartyAct> = Vec::new();
        for a in of(r) {
            if a.by.is_empty() {
                v.push(PartyAct { party: None, who: a.who.clone(), at: a.at });
            }
            v.extend(a.by.iter().map(|p| PartyAct { party: Some(p.clone()), who: None, at: a.at }));
        }
        v
    };
    let reported_unmet = acts
        .iter()
        .filter(|a| matches!(a.relation, Relation::ReportsUnmet | Relation::ReportsBreach))
        .map(|a| UnmetReport {
            at: a.at,
            finding: if a.relation == Relation::ReportsBreach { Finding::Breach } else { Finding::Unmet },
            reporter: a.by.first().map(|p| p.to_string()).or_else(|| a.who.clone()).unwrap_or_default(),
            against: a.against.clone(),
        })
        .collect();
    CommitmentStatus {
        id: id.clone(),
        state,
        progress,
        schedule,
        activity,
        parties: parties.to_vec(),
        text: text.to_owned(),
        standing,
        made: made.date,
        deadlines: deadline_entries,
        due,
        next_due,
        fulfilled,
        fulfilled_by,
        partly_fulfilled: of(Relation::PartiallyFulfils)
            .map(|a| PartialStep { at: a.at, party: a.by.first().cloned(), score: a.score })
            .collect(),
        withdrawn_by: withdrawals,
        suspensions,
        superseded_by,
        supersedes,
        reaffirmed: party_acts(Relation::Reaffirms),
        reported_unmet,
        quiet_since,
        pam,
        evidence,
        relations,
        decisive,
        unsupported: false,
        one_sided: false,
        conditions: Vec::new(),
    }
}

/// Where a commitment stands against one ruling deadline, due on `due` (`None`: vague,
/// or its anchor not yet seen), met at `met`, judged on `on`. Met late only when the
/// meeting event surely came after the due day; undetermined when its dates straddle it.
fn judge(due: Option<NaiveDate>, deadline: &Deadline, met: Option<At>, on: NaiveDate) -> Schedule {
    match (due, met) {
        (None, _) if deadline.span.is_none() => Schedule::Vague,
        (None, Some(_)) => Schedule::MetOnTime,
        (None, None) => Schedule::Awaiting,
        (Some(due), Some(met)) if met.date.first_day() > due => Schedule::MetLate,
        (Some(due), Some(met)) if met.date.last_day() <= due => Schedule::MetOnTime,
        (Some(_), Some(_)) => Schedule::Undetermined,
        (Some(due), None) if due < on => Schedule::Overdue,
        (Some(_), None) => Schedule::Due,
    }
}

/// The headline state from the three axes (events/README.md, "The headline"): what
/// ended or froze it first (superseded, withdrawn, suspended); then fulfilled (late
/// when the schedule says so); then a standing obligation breached of late; then
/// overdue; then stalled — only when no deadline is still ahead, so that "stalled"
/// never stands in place of a due date — and last how far it got (a standing
/// obligation: in effect).
pub fn headline(progress: Progress, schedule: Schedule, activity: Activity) -> CommitmentState {
    match progress {
        Progress::Superseded => CommitmentState::Superseded,
        Progress::Withdrawn => CommitmentState::Withdrawn,
        Progress::Suspended => CommitmentState::Suspended,
        Progress::Fulfilled if schedule == Schedule::MetLate => CommitmentState::FulfilledLate,
        Progress::Fulfilled => CommitmentState::Fulfilled,
        Progress::Breached => CommitmentState::Breached,
        _ if schedule == Schedule::Overdue => CommitmentState::Overdue,
        _ if activity == Activity::Stalled && schedule != Schedule::Due => CommitmentState::Stalled,
        Progress::PartiallyFulfilled => CommitmentState::PartiallyFulfilled,
        Progress::InProgress => CommitmentState::InProgress,
        Progress::InEffect => CommitmentState::InEffect,
        Progress::NotStarted => CommitmentState::Open,
    }
}

/// The parties an act on a commitment is by, for an act whose event names one party.
pub(super) fn by_one(party: &Option<Party>) -> Vec<Party> {
    party.iter().cloned().collect()
}

/// How a report's reporter is named: its party's code, its monitor's name, or `analyst`.
pub(super) fn reporter_name(reporter: Reporter, monitor: &Option<String>) -> Option<String> {
    match reporter {
        Reporter::Party => None,
        Reporter::Monitor => monitor.clone(),
        Reporter::Analyst => Some("analyst".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    //! Given events, when judged at a date, then each axis — one rule a test.

    use super::super::tests::{check, ev, made, meeting, track};
    use super::*;

    fn on(kind: &str, date: &str, fields: &str) -> String {
        ev(kind, date, &format!(r#"{{"commitment":"c"{fields}}}"#), "")
    }

    /// A ceasefire, and a withdrawal due within 14 days of the ceasefire's start (Minsk II's
    /// heavy weapons, in short), both made on 2022-02-12.
    fn ceasefire_and_withdrawal() -> [String; 2] {
        let ceasefire = r#"{"commitment":"ceasefire","parties":["x","y"],"text":"Cease fire"}"#;
        let withdraw = r#"{"commitment":"c","parties":["x","y"],"text":"Withdraw","deadline":{"within_days":14,"of":{"commitment":"ceasefire","on":"start"}}}"#;
        [ev("commitment_made", "2022-02-12", ceasefire, ""), ev("commitment_made", "2022-02-12", withdraw, "")]
    }

    fn axes(c: &CommitmentStatus) -> (CommitmentState, Progress, Schedule, Activity, u8) {
        (c.state, c.progress, c.schedule, c.activity, c.pam)
    }

    #[test]
    fn a_suspension_freezes_progress_and_a_resumption_restores_it() {
        let done = on("commitment_fulfilled", "2022-05-01", r#","summary":"Set up""#);
        let suspended =
            on("commitment_suspended", "2022-07-01", r#","by":"x","reason":"Boycott","conditions":"Once y pays""#);
        let resumed = on("commitment_resumed", "2022-09-01", r#","by":"x""#);
        let given = [made(""), done, suspended.clone(), resumed.clone()];
        let c = check(&given[..3], "2022-08-01");
        assert_eq!(axes(&c).0, CommitmentState::Suspended);
        assert_eq!(c.progress, Progress::Suspended);
        assert_eq!(c.pam, 3, "the score follows what was achieved");
        let s = &c.suspensions[0];
        assert_eq!((s.since.seq, s.by.as_ref().map(|p| p.as_str()), s.resumed), (4, Some("x"), None));
        assert_eq!(s.conditions.as_deref(), Some("Once y pays"));
        let c = check(&given, "2022-10-01");
        assert_eq!((c.state, c.progress), (CommitmentState::Fulfilled, Progress::Fulfilled));
        assert_eq!(c.suspensions[0].resumed.map(|r| r.seq), Some(5));
        // Suspended twice, resumed once: suspended again, history kept.
        let again = on("commitment_suspended", "2022-11-01", r#","reason":"Again""#);
        let c = check(&[made(""), suspended, resumed, again], "2022-12-01");
        assert_eq!((c.progress, c.suspensions.len()), (Progress::Suspended, 2));
    }

    #[test]
    fn partial_fulfilment_scores_as_the_analyst_says_else_two() {
        let part = on("commitment_partially_fulfilled", "2022-05-01", r#","summary":"One of three""#);
        let c = check(&[made(""), part], "2022-06-01");
        assert_eq!(
            axes(&c),
            (
                CommitmentState::PartiallyFulfilled,
                Progress::PartiallyFulfilled,
                Schedule::NoDeadline,
                Activity::Active,
                2
            )
        );
        let scored = on("commitment_partially_fulfilled", "2022-05-01", r#","summary":"One of three","score":1"#);
        assert_eq!(check(&[made(""), scored.clone()], "2022-06-01").pam, 1);
        let more = on("commitment_partially_fulfilled", "2022-06-01", r#","summary":"Two of three","score":2"#);
        assert_eq!(check(&[made(""), scored, more], "2022-07-01").pam, 2, "the latest score rules");
        let link = meeting("2022-05-01", r#","partially_fulfils":["c"]"#);
        assert_eq!(check(&[made(""), link], "2022-06-01").progress, Progress::PartiallyFulfilled);
    }

    #[test]
    fn one_partys_fulfilment_of_a_joint_commitment_is_partial_until_all_have() {
        let by_x = on("commitment_fulfilled", "2022-05-01", r#","summary":"x did","by":"x""#);
        let by_y = on("commitment_fulfilled", "2022-06-01", r#","summary":"y did","by":"y""#);
        let c = check(&[made(r#","deadline":{"by":"2022-05"}"#), by_x.clone()], "2022-05-20");
        assert_eq!((c.progress, c.fulfilled_by.len()), (Progress::PartiallyFulfilled, 1));
        let c = check(&[made(r#","deadline":{"by":"2022-05"}"#), by_x, by_y], "2022-07-01");
        assert_eq!((c.state, c.fulfilled.map(|f| f.seq)), (CommitmentState::FulfilledLate, Some(4)));
    }

    #[test]
    fn one_partys_withdrawal_is_not_everyones() {
        let by_x = on("commitment_withdrawn", "2022-05-01", r#","by":"x","reason":"Out""#);
        let c = check(&[made(""), by_x.clone()], "2022-06-01");
        assert_eq!((c.progress, c.withdrawn_by.len()), (Progress::NotStarted, 1));
        let by_y = on("commitment_withdrawn", "2022-05-10", r#","by":"y","reason":"Out too""#);
        assert_eq!(check(&[made(""), by_x, by_y], "2022-06-01").state, CommitmentState::Withdrawn);
        let whole = on("commitment_withdrawn", "2022-05-01", r#","reason":"Both out""#);
        assert_eq!(check(&[made(""), whole], "2022-06-01").progress, Progress::Withdrawn);
        // The party still owing it meets its part: fulfilled by those who stayed.
        let x_out = on("commitment_withdrawn", "2022-05-01", r#","by":"x","reason":"Out""#);
        let y_done = on("commitment_fulfilled", "2022-06-01", r#","summary":"y did","by":"y""#);
        assert_eq!(check(&[made(""), x_out, y_done], "2022-07-01").progress, Progress::Fulfilled);
    }

    #[test]
    fn a_part_met_and_then_withdrawn_from_stays_met() {
        let met = |party: &str| on("commitment_fulfilled", "2022-09-01", &format!(r#","by":"{party}","summary":"s""#));
        let out =
            |party: &str, date: &str| on("commitment_withdrawn", date, &format!(r#","by":"{party}","reason":"r""#));
        let given = [
            made(r#","deadline":{"by":"2022-09-01"}"#),
            met("x"),
            met("y"),
            out("x", "2022-10-01"),
            out("y", "2022-11-01"),
        ];
        let c = check(&given, "2022-12-31");
        assert_eq!((c.fulfilled.map(|f| f.seq), c.pam, c.schedule), (Some(4), 3, Schedule::MetOnTime));
        assert_eq!(c.progress, Progress::Withdrawn, "both have since withdrawn");
    }

    #[test]
    fn a_third_partys_reaffirmation_is_its_own_and_one_partys_account_is_that_partys() {
        let mediator = ev(
            "statement_made",
            "2022-09-01",
            r#"{"actor":{"name":"A. Mediator"},"summary":"They must keep it"}"#,
            r#","reaffirms":["c"]"#,
        );
        let readout = ev(
            "context_noted",
            "2022-09-02",
            r#"{"summary":"x says all agreed"}"#,
            r#","attribution":"x","reaffirms":["c"]"#,
        );
        let c = check(&[made(""), mediator, readout], "2022-10-01");
        let who: Vec<(Option<&str>, Option<&str>)> =
            c.reaffirmed.iter().map(|r| (r.party.as_ref().map(|p| p.as_str()), r.who.as_deref())).collect();
        assert_eq!(who, [(None, Some("A. Mediator")), (Some("x"), None)]);
    }

    #[test]
    fn the_event_that_starts_a_clock_sits_in_world_order_and_the_deadline_says_so() {
        let [ceasefire, withdraw] = ceasefire_and_withdrawal();
        let start =
            ev("commitment_progressed", "2022-02-15", r#"{"commitment":"ceasefire","summary":"In effect"}"#, "");
        let step = ev("commitment_progressed", "2022-03-20", r#"{"commitment":"c","summary":"Some guns moved"}"#, "");
        let t = track(&[ceasefire, withdraw, step, start], "2022-04-01");
        let c = t.commitments.iter().find(|c| c.id.as_str() == "c").expect("c");
        assert_eq!(c.evidence, [3, 5, 4], "made, the clock's start, then the step");
        assert_eq!(c.deadlines[0].counts_from.map(|a| a.seq), Some(5));
    }

    #[test]
    fn a_standing_obligation_is_kept_by_nothing_happening_and_reads_breached_while_a_breach_is_recent() {
        let ceasefire = r#","standing":true,"deadline":{"milestone":"begin","by":"2022-04-07"}"#;
        let c = check(&[made(ceasefire)], "2023-06-01");
        assert_eq!(axes(&c), (CommitmentState::InEffect, Progress::InEffect, Schedule::MetOnTime, Activity::Active, 3));
        let breach = on(
            "commitment_reported_unmet",
            "2023-05-01",
            r#","reporter":"monitor","monitor":"OSCE SMM","finding":"breach","summary":"Shelling""#,
        );
        let given = [made(ceasefire), breach];
        let c = check(&given, "2023-06-01");
        assert_eq!(
            (c.state, c.progress, c.pam, c.one_sided),
            (CommitmentState::Breached, Progress::Breached, 2, false)
        );
        assert_eq!(c.decisive, [3], "the breach decides it");
        assert_eq!(check(&given, "2024-01-01").state, CommitmentState::InEffect, "an old breach tells of the past");
        let expired = on("commitment_fulfilled", "2023-12-31", r#","summary":"Its term ran out, kept""#);
        assert_eq!(check(&[made(ceasefire), expired], "2024-06-01").state, CommitmentState::Fulfilled);
    }

    #[test]
    fn a_superseded_commitment_links_to_its_replacement_both_ways() {
        let other = ev("commitment_made", "2022-06-01", r#"{"commitment":"d","parties":["x"],"text":"New"}"#, "");
        let replaced = on("commitment_superseded", "2022-06-01", r#","replacement":"d","reason":"Renegotiated""#);
        let t = track(&[made(r#","deadline":{"by":"2022-05"}"#), other, replaced], "2022-07-01");
        let (c, d) = (&t.commitments[0], &t.commitments[1]);
        assert_eq!((c.state, c.progress), (CommitmentState::Superseded, Progress::Superseded));
        assert_eq!(c.superseded_by.as_ref().map(|r| r.commitment.as_str()), Some("d"));
        assert_eq!(d.supersedes.iter().map(|r| r.commitment.as_str()).collect::<Vec<_>>(), ["c"]);
        assert_eq!(c.schedule, Schedule::Overdue, "its deadline had passed when it was replaced");
        assert_eq!(t.overdue, 0, "a replaced commitment is not counted overdue");
    }

    #[test]
    fn a_closed_commitment_is_judged_at_the_day_it_closed() {
        let whole = on("commitment_withdrawn", "2022-05-01", r#","reason":"Dropped""#);
        let c = check(&[made(r#","deadline":{"by":"2022-06"}"#), whole], "2023-01-01");
        assert_eq!((c.state, c.schedule, c.activity), (CommitmentState::Withdrawn, Schedule::Due, Activity::Closed));
        assert_eq!(c.next_due, None, "nothing is expected of it any more");
    }

    #[test]
    fn stalled_never_stands_in_place_of_a_deadline_ahead() {
        let given = [made(r#","deadline":{"by":"2025-12"}"#)];
        let c = check(&given, "2023-06-01");
        assert_eq!((c.state, c.schedule, c.activity), (CommitmentState::Open, Schedule::Due, Activity::Stalled));
        assert_eq!(c.next_due, "2025-12-31".parse().ok());
        let t = track(&given, "2023-06-01");
        assert_eq!(t.next_deadline.map(|n| n.due.to_string()), Some("2025-12-31".to_owned()));
        let c = check(&[made("")], "2023-06-01");
        assert_eq!((c.state, c.activity), (CommitmentState::Stalled, Activity::Stalled));
    }

    #[test]
    fn the_next_deadline_is_ahead_and_the_overdue_are_counted_beside_it() {
        let old = ev(
            "commitment_made",
            "2019-01-01",
            r#"{"commitment":"a","parties":["x"],"text":"A","deadline":{"by":"2019-06"}}"#,
            "",
        );
        let ahead = ev(
            "commitment_made",
            "2022-01-10",
            r#"{"commitment":"b","parties":["x"],"text":"B","deadline":{"by":"2024-06"}}"#,
            "",
        );
        let t = track(&[old, ahead], "2022-06-01");
        assert_eq!(t.next_deadline.map(|n| n.commitment.to_string()), Some("b".to_owned()));
        assert_eq!(t.overdue, 1);
    }

    #[test]
    fn a_reaffirmation_is_evidence_not_movement() {
        let again = on("commitment_reaffirmed", "2022-09-01", r#","by":["x"],"summary":"Still on""#);
        let c = check(&[made(""), again], "2022-12-01");
        assert_eq!((c.state, c.activity, c.pam), (CommitmentState::Stalled, Activity::Stalled, 0));
        assert_eq!(c.reaffirmed.iter().map(|r| r.party.as_ref().map(|p| p.as_str())).collect::<Vec<_>>(), [Some("x")]);
        assert!(c.relations.iter().any(|r| r.relation == Relation::Reaffirms && r.by.len() == 1));
        let joint = meeting("2022-09-01", r#","reaffirms":["c"]"#);
        assert_eq!(check(&[made(""), joint], "2022-12-01").reaffirmed[0].party, None, "a meeting's is joint");
    }

    #[test]
    fn a_report_of_non_implementation_is_its_own_relation_not_overdue() {
        let report = on(
            "commitment_reported_unmet",
            "2022-06-01",
            r#","reporter":"monitor","monitor":"OSCE SMM","finding":"breach","against":"y","summary":"Heavy weapons seen""#,
        );
        let c = check(&[made(""), report], "2022-07-01");
        assert_eq!((c.state, c.schedule), (CommitmentState::Open, Schedule::NoDeadline));
        let r = &c.reported_unmet[0];
        assert_eq!(
            (r.finding, r.reporter.as_str(), r.against.as_ref().map(|p| p.as_str())),
            (Finding::Breach, "OSCE SMM", Some("y"))
        );
        assert!(c.relations.iter().any(|r| r.relation == Relation::ReportsBreach));
    }

    #[test]
    fn a_begin_milestone_is_met_by_the_first_step_and_judged_on_its_own() {
        let window = r#","deadline":{"within_months":3},"deadlines":[{"milestone":"begin","by":"2022-04-30"}]"#;
        let c = check(&[made(window)], "2022-05-02");
        assert_eq!((c.state, c.schedule), (CommitmentState::Overdue, Schedule::Overdue), "begin-by missed");
        let step = on("commitment_progressed", "2022-04-20", r#","summary":"Started""#);
        let c = check(&[made(window), step], "2022-05-02");
        assert_eq!(
            (c.state, c.schedule, c.next_due),
            (CommitmentState::InProgress, Schedule::Due, "2022-07-06".parse().ok())
        );
        let begin = c.deadlines.iter().find(|d| d.milestone == Milestone::Begin).expect("begin");
        assert_eq!(begin.schedule, Some(Schedule::MetOnTime));
    }

    #[test]
    fn an_anchored_deadline_awaits_its_anchor_then_counts_from_it() {
        let [ceasefire, withdraw] = ceasefire_and_withdrawal();
        let t = track(&[ceasefire.clone(), withdraw.clone()], "2022-02-13");
        let c = t.commitments.iter().find(|c| c.id.as_str() == "c").expect("c");
        assert_eq!((c.schedule, c.due), (Schedule::Awaiting, None));
        let start =
            ev("commitment_progressed", "2022-02-15", r#"{"commitment":"ceasefire","summary":"In effect"}"#, "");
        let t = track(&[ceasefire, withdraw, start], "2022-03-02");
        let c = t.commitments.iter().find(|c| c.id.as_str() == "c").expect("c");
        assert_eq!((c.schedule, c.due), (Schedule::Overdue, "2022-03-01".parse().ok()));
        assert!(c.relations.iter().any(|r| r.relation == Relation::StartsClock && r.seq == 4));
    }

    #[test]
    fn a_vague_deadline_keeps_its_words_and_never_falls_due() {
        let c = check(&[made(r#","deadline":{"words":"as soon as possible"}"#)], "2030-01-01");
        assert_eq!((c.schedule, c.due, c.state), (Schedule::Vague, None, CommitmentState::Stalled));
        let read = r#","deadline":{"words":"before the winter","by":"2022-11","interpreted":true}"#;
        let c = check(&[made(read)], "2022-12-02");
        assert_eq!((c.schedule, c.deadlines[0].deadline.interpreted), (Schedule::Overdue, true));
    }

    #[test]
    fn a_fulfilment_dated_by_month_across_the_due_day_is_undetermined() {
        let done = on("commitment_fulfilled", "2022-04", r#","summary":"Sometime in April""#);
        let c = check(&[made(r#","deadline":{"by":"2022-04-15"}"#), done], "2022-06-01");
        assert_eq!((c.state, c.schedule), (CommitmentState::Fulfilled, Schedule::Undetermined));
    }

    #[test]
    fn the_headline_follows_the_written_order() {
        use Activity as A;
        use CommitmentState as S;
        use Progress as P;
        use Schedule as D;
        assert_eq!(headline(P::Superseded, D::Overdue, A::Closed), S::Superseded);
        assert_eq!(headline(P::Suspended, D::Overdue, A::Stalled), S::Suspended);
        assert_eq!(headline(P::Fulfilled, D::MetLate, A::Closed), S::FulfilledLate);
        assert_eq!(headline(P::Fulfilled, D::Undetermined, A::Closed), S::Fulfilled);
        assert_eq!(headline(P::PartiallyFulfilled, D::Overdue, A::Active), S::Overdue);
        assert_eq!(headline(P::InProgress, D::Due, A::Stalled), S::InProgress);
        assert_eq!(headline(P::InProgress, D::Awaiting, A::Stalled), S::Stalled);
        assert_eq!(headline(P::NotStarted, D::NoDeadline, A::Active), S::Open);
        assert_eq!(headline(P::Breached, D::Overdue, A::Active), S::Breached);
        assert_eq!(headline(P::InEffect, D::NoDeadline, A::Active), S::InEffect);
    }

    #[test]
    fn one_sided_accounts_are_marked_where_the_state_rests_on_them() {
        let claim = ev(
            "commitment_fulfilled",
            "2022-05-01",
            r#"{"commitment":"c","summary":"Done, says x"}"#,
            r#","confidence":"reported","attribution":"x""#,
        );
        let c = check(&[made(""), claim], "2022-06-01");
        assert!(c.one_sided, "{c:?}");
        let confirmed = on("commitment_fulfilled", "2022-05-02", r#","summary":"Both confirm""#);
        let c = check(&[made(""), confirmed], "2022-06-01");
        assert!(!c.one_sided);
    }
}
