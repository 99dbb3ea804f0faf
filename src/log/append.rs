//! Appending: the checks only the log can make, for every backend. A batch is one
//! write transaction; each line is admitted against the log and the lines before it
//! (idempotent ids, chain continuation, recording-time order, the names it refers to,
//! `event::validate`, a correction's result), stamped by the [`AppendPolicy`], chained
//! and handed to the backend to write. Any rejected line rolls the whole batch back.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::date::PartialDate;
use crate::event::correct::{Change, apply_changes};
use crate::event::payload::{EventCorrected, EventCorroborated, Payload, ThirdPartyRole};
use crate::event::{
    ChainBreak, ChainCursor, CommitmentId, Event, EventId, Facts, FieldError, Hint, Incoming, InstrumentFacts,
    InstrumentId, Known, Name, Party, Record, TrackId, Turn, validate,
};

use super::backend::{Backend, NewRow, ReadTxn, StoredRow, WriteTxn};
use super::read::stored_event;
use super::{AppendPolicy, Head, LineProblem, Log, LogError, Outcome, Reader, Recorder};

/// Stop checking a batch after this many problems: enough to fix in one go.
const MAX_PROBLEMS: usize = 50;

/// How far ahead of the clock a recording time may be: enough for clocks of a team's
/// machines to disagree a little, not enough to hide events from `--known-at` today.
pub const FUTURE_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

impl<B: Backend> Log<B> {
    /// Appends a batch in one transaction: every line is checked (parsed lines against
    /// the log and the lines before it), and only if all pass is anything committed.
    ///
    /// `lines` yields each input line's number and its parse result. A line whose id
    /// is already in the log with the same facts is skipped as [`Outcome::Existing`];
    /// with other facts it is rejected. `expect_head`, when given, is the seq the log
    /// must still end at. `on_outcome` sees each accepted line, which is how a front
    /// end drives a progress bar.
    pub fn append(
        &mut self,
        lines: impl IntoIterator<Item = (usize, Result<impl Into<Incoming>, FieldError>)>,
        policy: AppendPolicy<'_>,
        expect_head: Option<u64>,
        on_outcome: &mut dyn FnMut(&Outcome),
    ) -> Result<(), LogError> {
        self.batch(lines, policy, expect_head, on_outcome, true)
    }

    /// Checks a batch exactly as [`Log::append`] does — every rule, the lines before
    /// each included, `on_outcome` told what each would be — and then rolls it back:
    /// nothing is written (a dry run).
    pub fn trial(
        &mut self,
        lines: impl IntoIterator<Item = (usize, Result<impl Into<Incoming>, FieldError>)>,
        policy: AppendPolicy<'_>,
        expect_head: Option<u64>,
        on_outcome: &mut dyn FnMut(&Outcome),
    ) -> Result<(), LogError> {
        self.batch(lines, policy, expect_head, on_outcome, false)
    }

    fn batch(
        &mut self,
        lines: impl IntoIterator<Item = (usize, Result<impl Into<Incoming>, FieldError>)>,
        policy: AppendPolicy<'_>,
        expect_head: Option<u64>,
        on_outcome: &mut dyn FnMut(&Outcome),
        commit: bool,
    ) -> Result<(), LogError> {
        let location = self.backend.location().to_owned();
        let mut tx = self.backend.write()?;
        // A server's word on who appends and when, read under its lock.
        let vouched = match policy.recorder {
            Recorder::Server => Some(tx.vouched()?.ok_or_else(|| LogError::Bug {
                path: location.clone(),
                context: "asking the backend who is appending (it vouches for nobody)",
            })?),
            _ => None,
        };
        let policy = match &vouched {
            Some(v) => AppendPolicy {
                now: v.now,
                recorder: Recorder::Vouched { user: &v.user, keeps_history: v.keeps_history },
                ..policy
            },
            None => policy,
        };
        let mut head = Reader::new(tx.reads(), &location).head()?;
        if let Some(expected) = expect_head
            && expected != head.seq
        {
            return Err(LogError::Conflict { expected, actual: head.seq });
        }
        let mut problems = Vec::new();
        let mut unchecked = false;
        let mut cache = KnownCache::default();
        for (line_no, parsed) in lines {
            if problems.len() >= MAX_PROBLEMS {
                unchecked = true;
                break;
            }
            let mut fail = |error: FieldError| problems.push(LineProblem { line: line_no, error });
            // What stored bodies need not meet but new lines must, checked here, where
            // every way in passes.
            let parsed = parsed.map(Into::into).and_then(|incoming: Incoming| {
                crate::event::check_incoming(&incoming.line)?;
                Ok(incoming)
            });
            let incoming = match parsed {
                Ok(incoming) => incoming,
                Err(e) => {
                    fail(e);
                    continue;
                }
            };
            match admit(tx.reads(), incoming, &head, policy, &mut cache)? {
                Admit::Existing(outcome) => on_outcome(&outcome),
                Admit::Rejected(errors) => errors.into_iter().for_each(&mut fail),
                Admit::New(new) => {
                    let (record, body) = *new;
                    let event = &record.event;
                    tx.insert(NewRow {
                        seq: record.seq,
                        id: event.id,
                        kind: event.facts.kind(),
                        body: &body,
                        hash: record.hash,
                        declares: &event.declarations(),
                        target: event.facts.payload.target(),
                    })?;
                    // Declarations only: a name is declared once, events number as many
                    // as the batch (a reference to one is a lookup in this transaction).
                    cache.learn(&record);
                    match &event.facts.payload {
                        Payload::EventRetracted(r) => cache.forget_retracted(tx.reads(), r.target, record.seq)?,
                        Payload::EventCorrected(c) => cache.forget_corrected(tx.reads(), c.target)?,
                        _ => {}
                    }
                    head = Head { seq: record.seq, hash: record.hash, recorded_at: Some(event.recorded_at) };
                    on_outcome(&Outcome::Appended { seq: record.seq, id: event.id });
                }
            }
        }
        if !problems.is_empty() {
            // Dropping the transaction rolls back everything this batch wrote.
            return Err(LogError::Rejected { problems, unchecked });
        }
        // Without a commit, dropping the transaction rolls the batch back.
        if commit { tx.commit() } else { Ok(()) }
    }
}

enum Admit {
    /// A new record, with its canonical body (serialized once, for hash and row).
    New(Box<(Record, String)>),
    Existing(Outcome),
    Rejected(Vec<FieldError>),
}

fn problem(field: &str, message: String) -> Admit {
    Admit::Rejected(vec![FieldError { field: Some(field.to_owned()), message, hint: None }])
}

/// Decides what to do with one parsed line, given where the log (and the batch so
/// far) ends.
fn admit(
    txn: &impl ReadTxn,
    Incoming { line, template }: Incoming,
    head: &Head,
    policy: AppendPolicy<'_>,
    cache: &mut KnownCache,
) -> Result<Admit, LogError> {
    if let Some(id) = line.id
        && let Some((seq, stored)) = stored_facts(txn, id)?
    {
        // An export line is the same event only with the same place in the chain: the
        // same facts recorded at another time, by another recorder, are another log.
        if let Some(claimed) = line.hash
            && txn.hash_at(seq)?.flatten() != Some(claimed)
        {
            return Ok(problem(
                "hash",
                format!(
                    "event {id} is already in the log at seq {seq}, but with another hash: it was recorded \
                     differently there (another time, recorder or place in the chain), so this file is not an \
                     export of this log"
                ),
            ));
        }
        return Ok(if stored == line.facts {
            Admit::Existing(Outcome::Existing { seq, id })
        } else {
            problem(
                "id",
                format!(
                    "event {id} is already in the log at seq {seq} with different content; \
                     logged events are never edited: give this event a new id"
                ),
            )
        });
    }
    let cursor = ChainCursor::after(head.seq, head.hash);
    let seq = cursor.next_seq();
    if line.seq.is_some() || line.prev_hash.is_some() || line.hash.is_some() {
        match cursor.claims(line.seq, line.prev_hash) {
            Ok(()) => {}
            Err(ChainBreak::Seq { .. }) => {
                let claimed = line.seq.map_or("no seq".to_owned(), |s| format!("seq {s}"));
                return Ok(problem(
                    "seq",
                    format!(
                        "the line carries {claimed} but would land at seq {seq}: an exported log imports \
                         only where it continues the log (a fresh log for a whole export). \
                         To import its events as new ones, remove seq, prev_hash and hash from each line"
                    ),
                ));
            }
            Err(ChainBreak::PrevHash | ChainBreak::Hash) => {
                return Ok(problem(
                    "prev_hash",
                    format!(
                        "the line does not follow the log's head (hash {}): lines are missing or out of order",
                        head.hash
                    ),
                ));
            }
        }
    }
    if line.recorded_at.is_some() && !policy.recorder.keeps_recording_times() {
        return Ok(problem(
            "recorded_at",
            "on this team log the server's clock stamps every event; drop recorded_at, or have the log's owner \
             role move a history in"
                .to_owned(),
        ));
    }
    let recorded_at = match recorded_at(line.recorded_at, head.recorded_at, policy.now) {
        Ok(at) => at,
        Err(error) => return Ok(Admit::Rejected(vec![error])),
    };
    cache.learn_names(txn, &line.facts.references())?;
    // A line that uses what part 9 brought was made under part 9's rules: judged by all.
    cache.exported =
        line.hash.is_some() && line.recorded_at.is_some_and(|at| at < rules_of_part_9()) && !line.facts.uses_part_9();
    cache.exported_before_9 = cache.exported;
    let verdict = match validate(&line.facts, &*cache) {
        Err(errors) => Some(errors),
        Ok(()) => match &line.facts.payload {
            Payload::EventCorrected(correction) => check_correction(txn, correction, cache)?,
            Payload::EventCorroborated(corroboration) => check_corroboration(txn, corroboration, &line.facts.sources)?,
            _ => None,
        },
    };
    cache.exported = false;
    cache.exported_before_9 = false;
    if let Some(errors) = verdict {
        return Ok(Admit::Rejected(errors));
    }
    let claimed = line.hash;
    let event = Event {
        id: line.id.unwrap_or_else(|| policy.ids.event_id(seq)),
        recorded_at,
        recorded_by: match policy.recorder.recorded_by(line.recorded_by) {
            Ok(by) => by,
            Err(error) => return Ok(Admit::Rejected(vec![error])),
        },
        facts: line.facts,
    };
    let body = template.fill(&event.id, &event.recorded_at, &event.recorded_by);
    let hash = cursor.hash_of(&body);
    if claimed.is_some_and(|claimed| claimed != hash) {
        return Ok(problem(
            "hash",
            "the line's hash does not match its content: it was changed after export (or exported by a broken tool)"
                .to_owned(),
        ));
    }
    let record = Record { seq, hash, prev_hash: head.hash, event };
    Ok(Admit::New(Box::new((record, body))))
}

/// The recording time of a new event: the line's own (an import), or the clock's,
/// never earlier than the log's last (`last`) and strictly after it when stamped — so
/// any two stamped events can be told apart by a `--known-at` cut-off, even under a
/// fixed clock. Never later than the clock plus [`FUTURE_TOLERANCE`], and always a time
/// the canonical encoding can write; `Err` says why not.
fn recorded_at(
    claimed: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldError> {
    use crate::event::{format_recorded_at as show, recordable};
    let fail = |message: String| FieldError { field: Some("recorded_at".to_owned()), message, hint: None };
    let limit = now.checked_add_signed(FUTURE_TOLERANCE).unwrap_or(now);
    let at = match (claimed, last) {
        (Some(at), _) if !recordable(&at) => {
            return Err(fail(format!(
                "{} lies outside the years 0001 to 9999 (UTC) that a recording time is written in",
                at.to_rfc3339()
            )));
        }
        (Some(at), Some(last)) if at < last => {
            return Err(fail(format!(
                "{} is earlier than the log's last recording ({}); recording times never go back. \
                 Import into a fresh log, or drop recorded_at to have the event stamped now",
                show(&at),
                show(&last)
            )));
        }
        (Some(at), _) if at > limit => {
            return Err(fail(format!(
                "{} is later than this machine's clock ({}) by more than {} minutes; a log records when \
                 events were recorded, never a time to come. Check the line (or the clock), or drop \
                 recorded_at to have the event stamped now",
                show(&at),
                show(&now),
                FUTURE_TOLERANCE.num_minutes()
            )));
        }
        (Some(at), _) => at,
        (None, Some(last)) => {
            let next = last.checked_add_signed(chrono::TimeDelta::microseconds(1)).map(|next| next.max(now));
            match next {
                Some(next) if next <= limit && recordable(&next) => next,
                Some(next) if next <= limit || !recordable(&next) => {
                    return Err(fail(format!(
                        "the log's last event was recorded at {}, the last instant a recording time can be \
                         written in (years 0001 to 9999), so no later event can be stamped",
                        show(&last)
                    )));
                }
                _ => {
                    return Err(fail(format!(
                        "the log's last event was recorded at {}, later than this machine's clock ({}); \
                         recording times never go back, so no event can be stamped now. Check the clock",
                        show(&last),
                        show(&now)
                    ))
                    .with_hint(Hint::Clock));
                }
            }
        }
        (None, None) => now,
    };
    if recordable(&at) {
        Ok(at)
    } else {
        Err(fail(format!(
            "{} lies outside the years 0001 to 9999 (UTC) that a recording time is written in",
            at.to_rfc3339()
        )))
    }
}

/// A correction must leave its target a valid event that declares what it declared
/// before (ids are never corrected). `None` when it does.
fn check_correction(
    txn: &impl ReadTxn,
    correction: &EventCorrected,
    cache: &mut KnownCache,
) -> Result<Option<Vec<FieldError>>, LogError> {
    // A target whose stored body no longer reads cannot be judged: refused, never
    // let through unchecked.
    if let Some(row) = txn.row_of(correction.target)?
        && stored_event(&row.body).is_none()
    {
        return Ok(Some(vec![FieldError {
            field: Some("payload.target".to_owned()),
            message: format!(
                "the event it corrects (seq {}) no longer reads as an event: the log was changed outside \
                 entente, and no correction can be judged against it",
                row.seq
            ),
            hint: None,
        }]));
    }
    let Some(seq) = txn.seq_of(correction.target)? else { return Ok(None) };
    let Some(current) = current_event(txn, correction.target)? else {
        // validate() has already said the target is unknown.
        return Ok(None);
    };
    let corrected = match current.corrected(&correction.changes) {
        Ok(e) => e,
        Err(e) => return Ok(Some(vec![e])),
    };
    if corrected.declarations() != current.declarations() {
        return Ok(Some(vec![FieldError {
            field: Some("payload.changes".to_owned()),
            message: "the correction would change an id the event declares (a track, proposal, principle, \
                      commitment, commission or instrument); retract the event and record it anew instead"
                .to_owned(),
            hint: None,
        }]));
    }
    cache.learn_names(txn, &corrected.facts.references())?;
    // The corrected event is judged as if recorded anew: what the event itself says (a
    // suspension moved to another date) does not stand against it.
    // Nor do the names it declares: they are its own, not taken by another event.
    cache.judged = Some(seq);
    // An instrument is declared again by each of its stages: it stays known to a
    // correction of any stage but the first.
    let mut own = Vec::new();
    for name in current.declarations() {
        if matches!(name, Name::Instrument(_)) && declared_by(txn, &name)?.is_some_and(|(first, _)| first != seq) {
            continue;
        }
        if let Some(standing) = cache.names.remove(&name) {
            own.push((name, standing));
        }
    }
    let mut errors = validate(&corrected.facts, &*cache).err().unwrap_or_default();
    cache.names.extend(own);
    cache.judged = None;
    // A code the correction gives is given now: it must be its standard's, as a new
    // event's must (`check_incoming`); codes it leaves as they were stand as history.
    if corrected.facts.codes != current.facts.codes
        && let Some(codes) = &corrected.facts.codes
    {
        let cameo = codes.cameo.as_deref().and_then(crate::event::codes::cameo_problem);
        let plover = codes.plover.as_deref().and_then(crate::event::codes::plover_problem);
        for (field, why) in [("code.cameo", cameo), ("code.plover", plover)] {
            if let Some(message) = why {
                errors.push(FieldError { field: Some(field.to_owned()), message, hint: None });
            }
        }
    }
    Ok((!errors.is_empty()).then_some(errors).map(|errors| {
        errors
            .into_iter()
            .map(|e| FieldError {
                field: Some(format!("payload.changes (the corrected event's {})", e.field.unwrap_or_default())),
                message: e.message,
                hint: e.hint,
            })
            .collect()
    }))
}

/// A corroboration adds something: none of its sources is one the target already
/// cites as it now stands (every field alike), nor repeats an earlier one of its own.
/// `None` when it does.
fn check_corroboration(
    txn: &impl ReadTxn,
    corroboration: &EventCorroborated,
    sources: &[crate::event::Source],
) -> Result<Option<Vec<FieldError>>, LogError> {
    let Some(current) = current_event(txn, corroboration.target)? else {
        // validate() has already said the target is unknown (or it no longer reads,
        // which validate or verify reports).
        return Ok(None);
    };
    let mut problems = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let cited = current.facts.sources.iter().position(|s| s == source);
        let repeated = sources[..i].iter().position(|s| s == source);
        let message = match (cited, repeated) {
            (Some(at), _) => format!(
                "the event already cites this source (its sources[{at}]: same title, author, publisher, url, \
                 published and locator), so corroborating with it says nothing new; cite another source"
            ),
            (None, Some(at)) => format!("this source repeats sources[{at}] of the same corroboration; cite it once"),
            (None, None) => continue,
        };
        problems.push(FieldError { field: Some(format!("sources[{i}]")), message, hint: None });
    }
    Ok((!problems.is_empty()).then_some(problems))
}

/// An event as it stands now: its original with every correction and corroboration
/// so far applied.
fn current_event(txn: &impl ReadTxn, id: EventId) -> Result<Option<Event>, LogError> {
    let Some(StoredRow { body, .. }) = txn.row_of(id)? else { return Ok(None) };
    let Some(event) = stored_event(&body) else { return Ok(None) };
    corrected(txn, event).map(Some)
}

/// `event`, read from the log, with every correction and corroboration of it so far
/// applied, in log order (the same rule as `event::correct::amend`).
fn corrected(txn: &impl ReadTxn, event: Event) -> Result<Event, LogError> {
    let mut rows = txn.amendment_rows(Some(event.id), Some(crate::event::Kind::EventCorrected))?;
    rows.extend(txn.amendment_rows(Some(event.id), Some(crate::event::Kind::EventCorroborated))?);
    rows.sort_by_key(|row| row.seq);
    // The index is a cache: an amendment counts only if it names this event itself.
    let amendments: Vec<Facts> = rows
        .iter()
        .filter_map(|row| crate::event::parse_line(&row.body).ok().map(|line| line.facts))
        .filter(|facts| facts.payload.target() == Some(event.id))
        .collect();
    let changes = amendments.iter().filter_map(|f| Change::of(&f.payload, &f.sources));
    Ok(apply_changes(Cow::Owned(event), changes).into_owned())
}

/// The facts of the stored event with this id, and its seq. A stored body that does not
/// parse cannot equal anything: it reads as no event (the id then counts as new, and
/// the insert fails on the id).
fn stored_facts(txn: &impl ReadTxn, id: EventId) -> Result<Option<(u64, Facts)>, LogError> {
    Ok(txn.row_of(id)?.and_then(|row| crate::event::parse_line(&row.body).ok().map(|line| (row.seq, line.facts))))
}

/// What the batch knows of a name it looked up or declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    /// Declared by an event that stands.
    Live,
    /// Declared by an event since retracted (at this seq).
    Retracted(u64),
}

/// One party's withdrawal from a commitment that stands, dated as corrected.
#[derive(Clone, Debug)]
struct PartyWithdrawal {
    seq: u64,
    occurred: PartialDate,
    party: Party,
}

/// A track as its `track_opened` event now stands (corrections applied).
#[derive(Clone, Debug)]
struct Opened {
    occurred: PartialDate,
    parties: Vec<Party>,
    /// Its third parties that stand, each with its role.
    third: Vec<(Party, ThirdPartyRole)>,
}

/// Names this batch has seen exist, and what validation asks of the events behind
/// them. Only names found are remembered: a name never stops being declared, but one
/// that is missing may be declared by a later line of the batch (and one declared may
/// be retracted by a later line: see [`KnownCache::forget_retracted`]).
///
/// What a declaring event says (a withdrawal's date, a track's parties, the
/// suspensions of a commitment) is read from the log as that event now stands, the
/// first time a line refers to it, and forgotten when a line of the batch corrects or
/// retracts it (or adds a suspension or resumption): the next line reads it again, from
/// the transaction, which sees what the batch wrote so far.
#[derive(Default)]
struct KnownCache {
    names: HashMap<Name, Standing>,
    /// For each commitment withdrawn as a whole (by a withdrawal that stands): the
    /// withdrawal's seq and date.
    withdrawals: HashMap<CommitmentId, (u64, PartialDate)>,
    /// For each commitment superseded (by a supersession that stands): its seq, date and
    /// the replacement.
    supersessions: HashMap<CommitmentId, (u64, PartialDate, CommitmentId)>,
    /// For each commitment referred to: its suspensions and resumptions that stand.
    turns: HashMap<CommitmentId, Vec<Turn>>,
    /// For each commitment referred to that stands: when it was made, as corrected.
    made: HashMap<CommitmentId, PartialDate>,
    /// For each commitment referred to that stands: the parties owing it, as corrected.
    owing: HashMap<CommitmentId, Vec<Party>>,
    /// For each commitment referred to: its withdrawals by one party that stand.
    withdrawals_by: HashMap<CommitmentId, Vec<PartyWithdrawal>>,
    /// For each track referred to that stands: when it was opened, and by whom.
    tracks: HashMap<TrackId, Opened>,
    /// The seq of the event a correction has validation judge anew: what that event
    /// itself declares (its own suspension, supersession, withdrawal) does not count
    /// against it.
    judged: Option<u64>,
    /// True while the line being admitted carries its hash: an event exported from a
    /// log that admitted it, perhaps before the rules on dates before a track's opening,
    /// on party codes and on work after every owing party withdrew existed. Those are not judged again (the hooks answer that
    /// they cannot tell), so every export imports; its hash proves it is what was
    /// exported. Every other rule depends only on the events before it, which an
    /// import replays in the same order, so it judges the line as the log did.
    exported: bool,
    /// Like `exported`, for part 9's rules on instruments and proposal ids.
    exported_before_9: bool,
    /// For each instrument referred to that stands: what its declaring event says.
    instruments: HashMap<InstrumentId, InstrumentFacts>,
}

impl Known for KnownCache {
    fn before_part_9(&self) -> bool {
        self.exported_before_9
    }

    fn instrument(&self, instrument: &InstrumentId) -> Option<InstrumentFacts> {
        if self.exported_before_9 {
            return None;
        }
        self.instruments.get(instrument).cloned()
    }

    fn knows(&self, name: &Name) -> bool {
        self.names.get(name) == Some(&Standing::Live)
    }

    fn retracted(&self, name: &Name) -> Option<u64> {
        match self.names.get(name) {
            Some(Standing::Retracted(seq)) => Some(*seq),
            _ => None,
        }
    }

    fn withdrawn(&self, commitment: &CommitmentId) -> Option<(u64, PartialDate)> {
        let whole = self.withdrawals.get(commitment).copied().filter(|(seq, _)| Some(*seq) != self.judged);
        // As the commitments report reads it: withdrawn when the first of the two came.
        [whole, self.withdrawn_by_every_party(commitment)]
            .into_iter()
            .flatten()
            .min_by_key(|(seq, occurred)| (occurred.first_day(), occurred.last_day(), *seq))
    }

    fn superseded(&self, commitment: &CommitmentId) -> Option<(u64, PartialDate, CommitmentId)> {
        self.supersessions.get(commitment).filter(|(seq, ..)| Some(*seq) != self.judged).cloned()
    }

    fn parties(&self, tracks: &[TrackId]) -> Option<Vec<Party>> {
        if self.exported {
            return None;
        }
        let mut parties = Vec::new();
        for track in tracks {
            // A track not known: validation says so; its parties cannot be told.
            let opened = self.tracks.get(track)?;
            parties.extend(opened.parties.iter().cloned());
            parties.extend(opened.third.iter().map(|(code, _)| code.clone()));
        }
        Some(parties)
    }

    fn third_parties(&self, tracks: &[TrackId]) -> Option<Vec<(Party, ThirdPartyRole)>> {
        if self.exported {
            return None;
        }
        let mut third = Vec::new();
        for track in tracks {
            third.extend(self.tracks.get(track)?.third.iter().cloned());
        }
        Some(third)
    }

    fn owing(&self, commitment: &CommitmentId) -> Option<Vec<Party>> {
        if self.exported {
            return None;
        }
        self.owing.get(commitment).filter(|owing| !owing.is_empty()).cloned()
    }

    fn made(&self, commitment: &CommitmentId) -> Option<PartialDate> {
        if self.exported {
            return None;
        }
        self.made.get(commitment).copied()
    }

    fn opened(&self, track: &TrackId) -> Option<PartialDate> {
        if self.exported {
            return None;
        }
        self.tracks.get(track).map(|t| t.occurred)
    }

    fn turns(&self, commitment: &CommitmentId) -> Option<Vec<Turn>> {
        // What the event a correction judges anew says does not stand against it.
        Some(self.turns.get(commitment)?.iter().filter(|t| Some(t.seq) != self.judged).copied().collect())
    }
}

impl KnownCache {
    /// When every party owing `commitment` has withdrawn from it, each by a withdrawal
    /// that stands: the latest of the party withdrawals in world order (first day, last
    /// day, seq), as the commitments report dates it. `None` for an exported line
    /// recorded before the rule (see [`KnownCache::exported`]).
    fn withdrawn_by_every_party(&self, commitment: &CommitmentId) -> Option<(u64, PartialDate)> {
        if self.exported {
            return None;
        }
        let owing = self.owing.get(commitment).filter(|owing| !owing.is_empty())?;
        let withdrawals: Vec<&PartyWithdrawal> =
            self.withdrawals_by.get(commitment)?.iter().filter(|w| Some(w.seq) != self.judged).collect();
        if !owing.iter().all(|party| withdrawals.iter().any(|w| &w.party == party)) {
            return None;
        }
        let last = withdrawals.iter().max_by_key(|w| (w.occurred.first_day(), w.occurred.last_day(), w.seq))?;
        Some((last.seq, last.occurred))
    }

    /// What a line of this batch declares. What its declarations say is read when a
    /// later line refers to them; a suspension, resumption or party's withdrawal is
    /// added to what was read of its commitment.
    fn learn(&mut self, record: &Record) {
        for name in record.event.declarations() {
            if let Name::WithdrawnBy(c, _) = &name
                && let Payload::CommitmentWithdrawn(w) = &record.event.facts.payload
                && let Some(by) = &w.by
                && let Some(withdrawals) = self.withdrawals_by.get_mut(c)
            {
                let occurred = record.event.facts.occurred;
                withdrawals.push(PartyWithdrawal { seq: record.seq, occurred, party: by.clone() });
            }
            if let Name::ThirdParty(t, code, role) = &name
                && let Some(opened) = self.tracks.get_mut(t)
            {
                opened.third.push((code.clone(), *role));
            }
            if let Name::Suspension(c, _) | Name::Resumption(c, _) = &name
                && let Some(turns) = self.turns.get_mut(c)
            {
                // Added to what was read, not read again: a batch of many turns of one
                // commitment stays linear.
                let suspends = matches!(name, Name::Suspension(..));
                turns.push(Turn { seq: record.seq, occurred: record.event.facts.occurred, suspends });
            }
            self.names.entry(name).or_insert(Standing::Live);
        }
    }

    /// Looks up in the log each of `names` the cache does not hold yet, and adds those
    /// that exist: then the cache answers for all of them. For each that stands, what
    /// validation asks of it is read too: a withdrawal's or supersession's date, a
    /// track's opening and parties, a commitment's suspensions and resumptions.
    ///
    /// The names index is only an index: a name counts as declared when the event it
    /// points at is in the chain and really declares it, so a row added behind
    /// entente's back cannot make the log accept an event the events alone would
    /// refuse. A name whose declaring event was retracted is remembered as such.
    fn learn_names(&mut self, txn: &impl ReadTxn, names: &[Name]) -> Result<(), LogError> {
        for name in names {
            if !self.names.contains_key(name) {
                let standing = match name {
                    Name::Event(id) => txn.seq_of(*id)?.map(|_| Standing::Live),
                    _ => match declared_by(txn, name)? {
                        None => None,
                        // Retractions and the amendments themselves are never retracted;
                        // an instrument is declared again by each of its stages, so the
                        // first one's retraction does not undo it.
                        Some(_) if matches!(name, Name::Meta(_) | Name::Retracted(_) | Name::Instrument(_)) => {
                            Some(Standing::Live)
                        }
                        Some((_, event)) => Some(match declared_by(txn, &Name::Retracted(event.id))? {
                            Some((retraction, _)) => Standing::Retracted(retraction),
                            None => Standing::Live,
                        }),
                    },
                };
                if let Some(standing) = standing {
                    self.names.insert(name.clone(), standing);
                }
            }
            if self.knows(name) {
                self.learn_what_it_says(txn, name)?;
            }
        }
        Ok(())
    }

    /// Reads what validation asks of a name that stands, unless already read: from its
    /// declaring event as it now stands, or, for a commitment, from its suspensions and
    /// resumptions.
    fn learn_what_it_says(&mut self, txn: &impl ReadTxn, name: &Name) -> Result<(), LogError> {
        let read = match name {
            Name::Withdrawn(c) => self.withdrawals.contains_key(c),
            Name::Superseded(c) => self.supersessions.contains_key(c),
            Name::Track(t) => self.tracks.contains_key(t),
            Name::Commitment(c) => self.turns.contains_key(c),
            Name::Instrument(i) => self.instruments.contains_key(i),
            _ => return Ok(()),
        };
        if read {
            return Ok(());
        }
        if let Name::Commitment(c) = name {
            let turns = turns_of(txn, c)?;
            self.turns.insert(c.clone(), turns);
            let withdrawals = withdrawals_by(txn, c)?;
            self.withdrawals_by.insert(c.clone(), withdrawals);
            if let Some((_, event)) = declared_by(txn, name)? {
                let event = corrected(txn, event)?;
                self.made.insert(c.clone(), event.facts.occurred);
                if let Payload::CommitmentMade(m) = event.facts.payload {
                    self.owing.insert(c.clone(), m.parties);
                }
            }
            return Ok(());
        }
        let Some((seq, event)) = declared_by(txn, name)? else { return Ok(()) };
        let event = corrected(txn, event)?;
        let occurred = event.facts.occurred;
        let tracks = event.facts.tracks.clone();
        match (name, event.facts.payload) {
            (Name::Withdrawn(c), _) => {
                self.withdrawals.insert(c.clone(), (seq, occurred));
            }
            (Name::Superseded(c), Payload::CommitmentSuperseded(s)) => {
                self.supersessions.insert(c.clone(), (seq, occurred, s.replacement));
            }
            (Name::Track(t), Payload::TrackOpened(p)) => {
                let parties = p.parties.into_iter().map(|p| p.code).collect();
                let third = third_parties_of(txn, t)?;
                self.tracks.insert(t.clone(), Opened { occurred, parties, third });
            }
            (Name::Instrument(i), Payload::InstrumentStageReached(p)) => {
                self.instruments.insert(i.clone(), InstrumentFacts::of(&p, &tracks));
            }
            _ => {}
        }
        Ok(())
    }

    /// After a retraction of `target` lands in a batch, the names `target` declared
    /// stand retracted for the rest of the batch.
    fn forget_retracted(&mut self, txn: &impl ReadTxn, target: EventId, retraction: u64) -> Result<(), LogError> {
        let Some(row) = txn.row_of(target)? else { return Ok(()) };
        let Some(event) = stored_event(&row.body) else { return Ok(()) };
        for name in event.declarations() {
            self.forget_what_it_says(&name);
            if !matches!(name, Name::Meta(_) | Name::Instrument(_)) {
                self.names.insert(name, Standing::Retracted(retraction));
            }
        }
        Ok(())
    }

    /// After a correction of `target` lands in a batch, what `target` declared says
    /// something else: it is read again when a later line refers to it.
    fn forget_corrected(&mut self, txn: &impl ReadTxn, target: EventId) -> Result<(), LogError> {
        let Some(row) = txn.row_of(target)? else { return Ok(()) };
        let Some(event) = stored_event(&row.body) else { return Ok(()) };
        for name in event.declarations() {
            self.forget_what_it_says(&name);
        }
        Ok(())
    }

    fn forget_what_it_says(&mut self, name: &Name) {
        match name {
            Name::Withdrawn(c) => {
                self.withdrawals.remove(c);
            }
            Name::Superseded(c) => {
                self.supersessions.remove(c);
            }
            Name::Track(t) | Name::ThirdParty(t, ..) => {
                self.tracks.remove(t);
            }
            Name::Instrument(i) => {
                self.instruments.remove(i);
            }
            Name::Suspension(c, _) | Name::Resumption(c, _) => {
                self.turns.remove(c);
            }
            // Read again (turns, party withdrawals, date and parties) when a later line
            // refers to it; `turns` says whether it was read.
            Name::Commitment(c) | Name::WithdrawnBy(c, _) => {
                self.turns.remove(c);
                self.made.remove(c);
                self.owing.remove(c);
                self.withdrawals_by.remove(c);
            }
            _ => {}
        }
    }
}

/// The suspensions and resumptions of `commitment` that stand, each dated as
/// corrected: the names index's range of keys for the commitment, each row confirmed
/// against the body of the event it points at (as [`declared_by`] does), and those
/// retracted left out. As many lookups as the commitment has turns, whatever the
/// length of the log.
fn turns_of(txn: &impl ReadTxn, commitment: &CommitmentId) -> Result<Vec<Turn>, LogError> {
    let prefix = Name::turns_of(commitment);
    let mut turns = Vec::new();
    for (namespace, suspends) in [(Name::SUSPENSION, true), (Name::RESUMPTION, false)] {
        for (key, row) in txn.declarer_rows(namespace, &prefix)? {
            let Some(event) = stored_event(&row.body) else { continue };
            let name = if suspends {
                Name::Suspension(commitment.clone(), event.id)
            } else {
                Name::Resumption(commitment.clone(), event.id)
            };
            if name.key() != key || !event.declarations().contains(&name) {
                continue;
            }
            if declared_by(txn, &Name::Retracted(event.id))?.is_some() {
                continue;
            }
            let occurred = corrected(txn, event)?.facts.occurred;
            turns.push(Turn { seq: row.seq, occurred, suspends });
        }
    }
    Ok(turns)
}

/// The third parties of `track` that stand, each with its role: read like
/// [`turns_of`] reads suspensions. What each declaring event declares is what its body
/// says; a correction does not move a registration (it is an id, like a commitment's).
fn third_parties_of(txn: &impl ReadTxn, track: &TrackId) -> Result<Vec<(Party, ThirdPartyRole)>, LogError> {
    let mut third = Vec::new();
    for (key, row) in txn.declarer_rows(Name::THIRD_PARTY, &Name::third_parties_of(track))? {
        let Some(event) = stored_event(&row.body) else { continue };
        let Some(name) =
            event.declarations().into_iter().find(|n| n.namespace() == Name::THIRD_PARTY && n.key() == key)
        else {
            continue;
        };
        if declared_by(txn, &Name::Retracted(event.id))?.is_some() {
            continue;
        }
        if let Name::ThirdParty(_, code, role) = name {
            third.push((code, role));
        }
    }
    Ok(third)
}

/// The withdrawals from `commitment` by one party each that stand, each dated and
/// with its party as corrected: read like [`turns_of`] reads suspensions.
fn withdrawals_by(txn: &impl ReadTxn, commitment: &CommitmentId) -> Result<Vec<PartyWithdrawal>, LogError> {
    let mut withdrawals = Vec::new();
    for (key, row) in txn.declarer_rows(Name::WITHDRAWN_BY, &Name::turns_of(commitment))? {
        let Some(event) = stored_event(&row.body) else { continue };
        let name = Name::WithdrawnBy(commitment.clone(), event.id);
        if name.key() != key || !event.declarations().contains(&name) {
            continue;
        }
        if declared_by(txn, &Name::Retracted(event.id))?.is_some() {
            continue;
        }
        let event = corrected(txn, event)?;
        if let Payload::CommitmentWithdrawn(w) = event.facts.payload
            && let Some(party) = w.by
        {
            withdrawals.push(PartyWithdrawal { seq: row.seq, occurred: event.facts.occurred, party });
        }
    }
    Ok(withdrawals)
}

/// When part 9's rules came in — every party code an event names checked against its
/// tracks' registry (parties and third parties), a ruling's court registered as one,
/// the rules of instrument stages — which an exported line recorded earlier is not
/// judged by again, as part 8's rules were (2026-12-06T00:00Z, now within this one). A chain hash has no key:
/// anyone can compute one, so what the skip lets through is bounded instead — only
/// lines shaped as before part 9 ([`crate::event::Facts::uses_part_9`]), and only the
/// rules such lines could have been admitted without.
fn rules_of_part_9() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_796_536_800, 0).unwrap_or_default() // 2026-12-06T06:00:00Z
}

/// The event that declares `name` (its seq, and the event), looked up in the names
/// index and confirmed against the event's own body; `None` when the index has no row
/// for it or the row points at an event that does not declare it.
fn declared_by(txn: &impl ReadTxn, name: &Name) -> Result<Option<(u64, Event)>, LogError> {
    Ok(txn.declarer_row(name)?.and_then(|row| {
        let event = stored_event(&row.body)?;
        event.declarations().contains(name).then_some((row.seq, event))
    }))
}
