//! The log as a view sees it: streamed (only the state and the few amendments held in
//! memory), replayed (every record held, for commands that list events), or — for the
//! latest state — served from the status snapshot the log keeps, caught up with what
//! was recorded since. The snapshot policy lives here and only here: when a snapshot is
//! read, rebuilt, saved and checked.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::event::correct::amend;
use crate::event::{EventId, Hash, Record};
use crate::log::{Backend, Filter, Log, ReadTxn, Reader};
use crate::projection::judged::Judged;
use crate::projection::status::{FOLD_VERSION, Fold, TrackStatus};
use crate::projection::{DEFAULT_STALL_DAYS, Header, LogHead, Replay, View};

use super::AppError;

/// Replays the whole log into `view`; `tick` is called once per record.
pub fn replay<B: Backend>(log: &Log<B>, view: View, tick: &mut dyn FnMut()) -> Result<Replay, AppError> {
    let mut replay = Replay::new(view);
    log.records(&Filter::default(), |record| {
        tick();
        // Replay holds every record; the log lends them.
        replay.push(record.clone());
        Ok::<(), AppError>(())
    })?;
    Ok(replay)
}

/// The name of the status snapshot in the log.
const STATUS_SNAPSHOT: &str = "status";

/// A saved fold and the version of the fold code that made it: written from a borrowed
/// fold (`Snapshot<&Fold>`), read into an owned one.
#[derive(serde::Serialize, serde::Deserialize)]
struct Snapshot<F> {
    version: u32,
    fold: F,
}

/// Folds the whole log into the status accumulator as `view` sees it, streaming, in
/// one read transaction. `tick` is called once per record read.
pub fn fold<B: Backend>(log: &Log<B>, view: View, tick: &mut dyn FnMut()) -> Result<(Fold, Header), AppError> {
    log.consistent(|reader| fold_until(reader, view, None, tick))
}

/// [`fold`] of the log up to seq `until` only (all of it when `None`).
fn fold_until<T: ReadTxn + ?Sized>(
    reader: &Reader<'_, T>,
    view: View,
    until: Option<u64>,
    tick: &mut dyn FnMut(),
) -> Result<(Fold, Header), AppError> {
    let mut fold = Fold::default();
    let header = stream_in(reader, view, until, tick, &mut |record, disputed| fold.push(record, disputed))?;
    Ok((fold, header))
}

/// Streams the log as `view` sees it — every event as it stands, in log order, with
/// whether a source disputes it — in one read transaction, holding only the (few)
/// corrections, retractions and disputes in memory.
pub fn stream<B: Backend>(
    log: &Log<B>,
    view: View,
    tick: &mut dyn FnMut(),
    each: &mut dyn FnMut(&Record, bool),
) -> Result<Header, AppError> {
    log.consistent(|reader| stream_in(reader, view, None, tick, each))
}

fn stream_in<T: ReadTxn + ?Sized>(
    reader: &Reader<'_, T>,
    view: View,
    until: Option<u64>,
    tick: &mut dyn FnMut(),
    each: &mut dyn FnMut(&Record, bool),
) -> Result<Header, AppError> {
    let mut amendments: HashMap<EventId, Vec<Record>> = HashMap::new();
    for a in reader.all_amendments()? {
        if view.knows(a.event.recorded_at)
            && until.is_none_or(|until| a.seq <= until)
            && let Some(target) = a.event.facts.payload.target()
        {
            amendments.entry(target).or_default().push(a);
        }
    }
    let mut head = LogHead::default();
    reader.records(&Filter { until, ..Filter::default() }, |record| {
        tick();
        if !view.knows(record.event.recorded_at) {
            return Ok::<(), AppError>(());
        }
        head = LogHead::at(record);
        if record.event.facts.kind().is_meta() {
            return Ok(());
        }
        let list = amendments.get(&record.event.id).map(Vec::as_slice).unwrap_or_default();
        if let Some((record, disputed)) = amend(record, list)
            && view.sees(&record)
        {
            each(&record, disputed);
        }
        Ok(())
    })?;
    Ok(Header { view, head })
}

/// The status of every track as `view` sees it. Without `--known-at` it comes from
/// the snapshot in the log, caught up with what was recorded since (rebuilt when a
/// correction, retraction or dispute arrived since, or when its version differs): the
/// fold of every event judges any as-of day as a fold of the events dated by then would
/// (`Fold::finish`). A view with a recording cut-off folds the log.
pub fn status<B: Backend>(log: &Log<B>, view: View) -> Result<(Vec<TrackStatus>, Header), AppError> {
    let (tracks, header) =
        statuses(log, &[view])?.pop().unwrap_or_else(|| (Vec::new(), Header { view, head: LogHead::default() }));
    Ok((tracks, header))
}

/// [`status`] at each of `views`, in order: every view without a recording cut-off is
/// judged from one fold (the snapshot's, caught up), read once — what `diff` and a
/// chart of state over time need.
pub fn statuses<B: Backend>(log: &Log<B>, views: &[View]) -> Result<Vec<(Vec<TrackStatus>, Header)>, AppError> {
    let mut everything_known: Option<(Fold, LogHead)> = None;
    let mut out = Vec::with_capacity(views.len());
    for &view in views {
        if view.known_at.is_some() {
            let (fold, header) = fold(log, view, &mut || {})?;
            out.push((resolved(log, fold, view)?.finish(&view), header));
            continue;
        }
        if everything_known.is_none() {
            let latest = latest(log)?;
            let head = latest.head();
            everything_known = Some((resolved(log, latest.fold, everything())?, head));
        }
        let Some((fold, head)) = &everything_known else { continue };
        out.push((fold.finish(&view), Header { view, head: *head }));
    }
    Ok(out)
}

/// The status of every track at each of `days`, everything recorded (no `--known-at`):
/// one entry per day, in the order given, and the header of the log read — what a chart
/// of state over time draws, from one fold.
pub fn over_time<B: Backend>(
    log: &Log<B>,
    days: &[NaiveDate],
    stall_days: u32,
) -> Result<(Vec<Vec<TrackStatus>>, Header), AppError> {
    let views: Vec<View> = days.iter().map(|&as_of| View { as_of, known_at: None, stall_days }).collect();
    let all = statuses(log, &views)?;
    let head = match all.first() {
        Some((_, header)) => header.head,
        None => {
            let head = log.head()?;
            LogHead::of(head.seq, head.hash)
        }
    };
    let header = Header { view: View { stall_days, ..everything() }, head };
    Ok((all.into_iter().map(|(tracks, _)| tracks).collect(), header))
}

/// `fold`, once the events conditions wait on that the fold could not date itself
/// (pushed before the condition) are read from the log as the view sees them — few,
/// each by id.
fn resolved<B: Backend>(log: &Log<B>, mut fold: Fold, view: View) -> Result<Fold, AppError> {
    if !fold.unresolved_events().is_empty() {
        log.consistent(|reader| resolve_in(reader, &mut fold, view, None))?;
    }
    Ok(fold)
}

/// Dates in `fold` the events conditions wait on that it could not date itself, read
/// by id as `view` sees them, in the log up to seq `until` only (all of it when `None`).
fn resolve_in<T: ReadTxn + ?Sized>(
    reader: &Reader<'_, T>,
    fold: &mut Fold,
    view: View,
    until: Option<u64>,
) -> Result<(), AppError> {
    let within = |seq: u64| until.is_none_or(|until| seq <= until);
    for id in fold.unresolved_events() {
        let Some(record) = reader.by_id(id)?.filter(|r| within(r.seq) && view.knows(r.event.recorded_at)) else {
            continue;
        };
        let mut amendments = reader.amendments_of(id)?;
        amendments.retain(|a| within(a.seq) && view.knows(a.event.recorded_at));
        if let Some((record, _)) = amend(&record, &amendments)
            && view.sees(&record)
        {
            fold.resolve_event(&record);
        }
    }
    Ok(())
}

/// The fold of the whole log at `seq`, whose event has the chain hash `hash`.
struct Latest {
    fold: Fold,
    seq: u64,
    hash: Hash,
}

impl Latest {
    fn head(&self) -> LogHead {
        LogHead::of(self.seq, self.hash)
    }
}

/// The fold of the whole log, from the snapshot when it is still good.
fn latest<B: Backend>(log: &Log<B>) -> Result<Latest, AppError> {
    // Read in one transaction, so the snapshot, the head and the events caught up all
    // describe the same log; save afterwards (a reader may not get the write lock).
    let (latest, changed, judged) = log.consistent(|reader| {
        let log_head = reader.head()?;
        let head = log_head.seq;
        let saved = match reader.snapshot(STATUS_SNAPSHOT)? {
            Some((seq, state)) if seq <= head && !reader.amended_after(seq)? => {
                serde_json::from_str::<Snapshot<Fold>>(&state)
                    .ok()
                    .filter(|s| s.version == FOLD_VERSION)
                    .map(|s| (s.fold, seq))
            }
            _ => None,
        };
        let (latest, changed) = match saved {
            Some((mut fold, seq)) if seq < head => {
                reader.records(&Filter { after: Some(seq), ..Filter::default() }, |record| {
                    if !record.event.facts.kind().is_meta() {
                        fold.push(record, false);
                    }
                    Ok::<(), AppError>(())
                })?;
                (Latest { fold, seq: head, hash: log_head.hash }, true)
            }
            // A snapshot is read only at the head (`seq <= head`, and caught up above).
            Some((fold, seq)) => (Latest { fold, seq, hash: log_head.hash }, false),
            None => {
                let (fold, header) = fold_until(reader, everything(), None, &mut || {})?;
                (Latest { fold, seq: header.head.seq, hash: header.head.hash.unwrap_or(Hash::GENESIS) }, true)
            }
        };
        let judged = match reader.snapshot(JUDGED_SNAPSHOT)? {
            Some((seq, _)) if seq == latest.seq && !changed => None,
            _ => judged_state(reader, &latest.fold, latest.seq)?,
        };
        Ok::<_, AppError>((latest, changed, judged))
    })?;
    if changed {
        save(log, &latest.fold, latest.seq)?;
    }
    if let Some(judged) = judged {
        log.save_snapshot(JUDGED_SNAPSHOT, latest.seq, &judged)?;
    }
    Ok(latest)
}

/// Rebuilds every table derived from the log, the status snapshot last (what `replay`
/// does).
pub fn rebuild<B: Backend>(log: &mut Log<B>, tick: &mut dyn FnMut()) -> Result<Fold, AppError> {
    log.rebuild_derived()?;
    // `fold` reads in one transaction; the snapshot is saved for exactly what it read.
    let (fold, header) = fold(log, everything(), tick)?;
    save(log, &fold, header.head.seq)?;
    if let Some(judged) = log.consistent(|reader| judged_state(reader, &fold, header.head.seq))? {
        log.save_snapshot(JUDGED_SNAPSHOT, header.head.seq, &judged)?;
    }
    Ok(fold)
}

/// The view of everything: every event recorded, whatever its date.
fn everything() -> View {
    View { as_of: NaiveDate::MAX, known_at: None, stall_days: DEFAULT_STALL_DAYS }
}

fn save<B: Backend>(log: &Log<B>, fold: &Fold, seq: u64) -> Result<(), AppError> {
    // The fold is plain data (maps with string keys): serializing it cannot fail, and a
    // snapshot that did not serialize would be skipped rather than saved empty.
    let Ok(state) = serde_json::to_string(&Snapshot { version: FOLD_VERSION, fold }) else { return Ok(()) };
    // A reader that cannot write (read-only file, another writer) simply does not save.
    log.save_snapshot(STATUS_SNAPSHOT, seq, &state)?;
    Ok(())
}

/// Checks the saved snapshots against the events (for `verify`): the status snapshot
/// must be the fold of the log up to the seq it claims, the judged one what the log up
/// to its seq judges. `verify` has already checked each is bound to the log's hash at
/// its seq. What differs, when something does. Both are normally saved at one seq, and
/// the log is then folded once for the two.
pub fn check_snapshots<B: Backend>(log: &Log<B>) -> Result<Option<String>, AppError> {
    log.consistent(|reader| {
        let mut folded: Option<(u64, Fold)> = None;
        if let Some((seq, state)) = reader.stored_snapshot(STATUS_SNAPSHOT)? {
            let saved = match serde_json::from_str::<Snapshot<Fold>>(&state) {
                Ok(saved) => Some(saved),
                Err(e) => return Ok(Some(format!("the `snapshots` table's status snapshot does not read ({e})"))),
            };
            // A snapshot of another fold version is never read (status rebuilds it).
            if let Some(saved) = saved.filter(|s| s.version == FOLD_VERSION)
                && *fold_at(reader, &mut folded, seq)? != saved.fold
            {
                return Ok(Some(format!(
                    "the `snapshots` table's status snapshot is not what the events up to seq {seq} fold to: \
                     status would report what the log does not say"
                )));
            }
        }
        if let Some((seq, state)) = reader.stored_snapshot(JUDGED_SNAPSHOT)? {
            let fold = fold_at(reader, &mut folded, seq)?;
            if judged_state(reader, fold, seq)?.as_deref() != Some(state.as_str()) {
                return Ok(Some(format!(
                    "the `snapshots` table's judged snapshot is not what the events up to seq {seq} judge: \
                     `commitment_view` and `principle_view` would show what the log does not say"
                )));
            }
        }
        Ok(None)
    })
}

/// The fold of the log up to `seq`, kept in `folded` for the next snapshot at the same
/// seq.
fn fold_at<'f, T: ReadTxn + ?Sized>(
    reader: &Reader<'_, T>,
    folded: &'f mut Option<(u64, Fold)>,
    seq: u64,
) -> Result<&'f Fold, AppError> {
    if folded.as_ref().is_none_or(|(at, _)| *at != seq) {
        let (fold, _) = fold_until(reader, everything(), Some(seq), &mut || {})?;
        *folded = Some((seq, fold));
    }
    Ok(&folded.as_ref().expect("folded just above").1)
}

/// The name of the judged snapshot: every commitment and principle as judged at the
/// latest-dated event, which the SQL views `commitment_view` and `principle_view` read
/// (README, "The log as SQL"). Saved, like the status snapshot, whenever that is, and
/// for the same seq and hash; checked by `verify` like it.
const JUDGED_SNAPSHOT: &str = "judged";

/// The judged snapshot of `fold`, the whole log up to seq `until`: every commitment
/// and principle judged as of the last day of the latest-dated event, but never after
/// the day the event at `until` was recorded (an event dated in the future — a typo, a
/// planned summit — would otherwise judge every deadline at that day): what the log
/// itself says, no clock — with the events conditions wait on resolved as the log up
/// to `until` has them. `None` for a log with no event to date it by.
fn judged_state<T: ReadTxn + ?Sized>(
    reader: &Reader<'_, T>,
    fold: &Fold,
    until: u64,
) -> Result<Option<String>, AppError> {
    let Some(latest) = fold.max_day() else { return Ok(None) };
    let recorded = reader.by_seq(until)?.map(|r| r.event.recorded_at.date_naive());
    let as_of = recorded.map_or(latest, |day| latest.min(day));
    let view = View { as_of, known_at: None, stall_days: DEFAULT_STALL_DAYS };
    let mut fold = fold.clone();
    resolve_in(reader, &mut fold, view, Some(until))?;
    let tracks = fold.finish(&view);
    // Plain data (strings, numbers, dates): serializing it cannot fail, and a snapshot
    // that did not serialize is skipped rather than saved empty.
    Ok(serde_json::to_string(&Judged::of(as_of, &tracks)).ok())
}
