//! The options every read command shares (`--as-of`, `--known-at`, `--stall-days`,
//! `--format`) and the one way a command turns the log into a [`Replay`].

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{CommandError, Ctx};
use std::collections::HashMap;

use crate::event::{EventId, Record};
use crate::projection::status::{FOLD_VERSION, Fold, TrackStatus};
use crate::projection::{DEFAULT_STALL_DAYS, Header, Replay, View, amend};
use crate::report::Format;
use crate::store::{Filter, Store};

/// How a read command sees the log.
#[derive(Debug, Clone, clap::Args)]
pub struct ViewArgs {
    /// Judge the world as of this day: only events whose date has surely passed count
    /// (an event dated 2022-04 counts from 2022-04-30), and deadlines are judged then
    /// [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub as_of: Option<NaiveDate>,

    /// Only what the log had recorded by then: an RFC 3339 timestamp, or a day (its end,
    /// UTC) [default: everything].
    #[arg(long, value_name = "TIME", value_parser = parse_known_at)]
    pub known_at: Option<DateTime<Utc>>,

    /// Days without progress after which an open commitment counts as stalled (0 to
    /// 36525, one hundred years).
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_STALL_DAYS,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::date::MAX_WITHIN_DAYS)), allow_negative_numbers = true)]
    pub stall_days: u32,
}

/// Parses a day given as a flag: YYYY-MM-DD, years 0001 to 9999 (what the log's dates
/// can be written as).
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let four_digit_year = text.len() == 10 && text.as_bytes().first().is_some_and(u8::is_ascii_digit);
    match text.parse::<NaiveDate>() {
        Ok(day) if four_digit_year && day.year() >= 1 => Ok(day),
        Ok(_) => Err(format!("`{text}` is outside the years 0001 to 9999; write YYYY-MM-DD")),
        Err(e) => Err(format!("`{text}` is not a day ({e}); write YYYY-MM-DD")),
    }
}

/// Parses `--known-at`: an RFC 3339 timestamp or a day (its end, UTC), within the times
/// the log can record (years 0001 to 9999).
pub fn parse_known_at(text: &str) -> Result<DateTime<Utc>, String> {
    let at = match DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => {
            let day: NaiveDate = text
                .parse()
                .map_err(|_| format!("`{text}` is neither an RFC 3339 timestamp nor a date (YYYY-MM-DD)"))?;
            let end = day.and_hms_micro_opt(23, 59, 59, 999_999).ok_or_else(|| format!("`{text}` is out of range"))?;
            end.and_utc()
        }
    };
    let (first, last) = crate::event::recording_time_range();
    if at < first || at > last {
        return Err(format!("`{text}` is outside the years 0001 to 9999 (UTC), the times the log can record"));
    }
    Ok(at)
}

/// The output format of a read command.
#[derive(Debug, Clone, clap::Args)]
pub struct FormatArg {
    /// text (aligned, 100 columns), json (for scripts) or markdown (for a brief).
    #[arg(long, value_parser = format_parser(), default_value = "text")]
    pub format: Format,
}

/// Parses `--format` into a [`Format`], exactly as clap parses and refuses a closed set.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser as _;
    clap::builder::EnumValueParser::<FormatValue>::new().map(|value| value.0)
}

/// A value of `--format`: a [`Format`], named from its one table, with a line of help.
#[derive(Clone, Copy, Debug)]
struct FormatValue(Format);

impl FormatValue {
    /// Every format, in the table's order.
    const ALL: [FormatValue; <Format as crate::names::Named>::ALL.len()] = {
        let formats = <Format as crate::names::Named>::ALL;
        let mut all = [FormatValue(Format::Text); <Format as crate::names::Named>::ALL.len()];
        let mut i = 0;
        while i < formats.len() {
            all[i] = FormatValue(formats[i]);
            i += 1;
        }
        all
    };
}

impl clap::ValueEnum for FormatValue {
    fn value_variants<'a>() -> &'a [FormatValue] {
        &FormatValue::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let help = match self.0 {
            Format::Text => "Aligned text for a terminal",
            Format::Json => "JSON for scripts and jq",
            Format::Markdown => "Markdown for a brief",
        };
        Some(clap::builder::PossibleValue::new(self.0.name()).help(help))
    }
}

impl ViewArgs {
    /// The view these options describe, today taken from the clock.
    pub fn view(&self, ctx: &Ctx<'_>) -> View {
        View {
            as_of: self.as_of.unwrap_or_else(|| ctx.env.clock.now().date_naive()),
            known_at: self.known_at,
            stall_days: self.stall_days,
        }
    }
}

/// Replays the whole of `store` into `view`; `tick` is called once per record.
pub fn replay(store: &Store, view: View, tick: &mut dyn FnMut()) -> Result<Replay, CommandError> {
    let mut replay = Replay::new(view);
    store.records(&Filter::default(), |record| {
        tick();
        // Replay holds every record; the log lends them.
        replay.push(record.clone());
        Ok::<(), CommandError>(())
    })?;
    Ok(replay)
}

/// The name of the status snapshot in the log file.
const STATUS_SNAPSHOT: &str = "status";

/// A saved fold and the version of the fold code that made it: written from a borrowed
/// fold (`Snapshot<&Fold>`), read into an owned one.
#[derive(serde::Serialize, serde::Deserialize)]
struct Snapshot<F> {
    version: u32,
    fold: F,
}

/// Folds the whole log into the status accumulator as `view` sees it, streaming: only
/// the accumulated state and the (few) corrections, retractions and disputes are held
/// in memory, never the log. `tick` is called once per record read.
pub fn fold(store: &Store, view: View, tick: &mut dyn FnMut()) -> Result<(Fold, Header), CommandError> {
    // One read transaction: the amendments read first and the events streamed after
    // come from the same state of the log.
    store.consistent(|store| fold_in(store, view, tick))
}

fn fold_in(store: &Store, view: View, tick: &mut dyn FnMut()) -> Result<(Fold, Header), CommandError> {
    fold_until(store, view, None, tick)
}

/// [`fold_in`] of the log up to seq `until` only (all of it when `None`).
fn fold_until(
    store: &Store,
    view: View,
    until: Option<u64>,
    tick: &mut dyn FnMut(),
) -> Result<(Fold, Header), CommandError> {
    let mut fold = Fold::default();
    let header = stream_in(store, view, until, tick, &mut |record, disputed| fold.push(record, disputed))?;
    Ok((fold, header))
}

/// Streams the log as `view` sees it — every event as it stands, in log order, with
/// whether a source disputes it — in one read transaction, holding only the (few)
/// corrections, retractions and disputes in memory.
pub fn stream(
    store: &Store,
    view: View,
    tick: &mut dyn FnMut(),
    each: &mut dyn FnMut(&Record, bool),
) -> Result<Header, CommandError> {
    store.consistent(|store| stream_in(store, view, None, tick, each))
}

fn stream_in(
    store: &Store,
    view: View,
    until: Option<u64>,
    tick: &mut dyn FnMut(),
    each: &mut dyn FnMut(&Record, bool),
) -> Result<Header, CommandError> {
    let mut amendments: HashMap<EventId, Vec<Record>> = HashMap::new();
    for a in store.all_amendments()? {
        if view.known_at.is_none_or(|cut| a.event.recorded_at <= cut)
            && until.is_none_or(|until| a.seq <= until)
            && let Some(target) = a.event.facts.payload.target()
        {
            amendments.entry(target).or_default().push(a);
        }
    }
    let mut head_seq = 0;
    store.records(&Filter { until, ..Filter::default() }, |record| {
        tick();
        if view.known_at.is_some_and(|cut| record.event.recorded_at > cut) {
            return Ok::<(), CommandError>(());
        }
        head_seq = record.seq;
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
    Ok(Header { view, head_seq })
}

/// The status of every track as `view` sees it. The latest state (no `--known-at`, and
/// an `--as-of` no earlier than the latest-dated event) comes from the snapshot in the
/// log file, caught up with what was recorded since; it is rebuilt when a correction,
/// retraction or dispute arrived since, or when its version differs. Time travel folds
/// the log.
pub fn status(store: &Store, view: View) -> Result<(Vec<TrackStatus>, Header), CommandError> {
    if view.known_at.is_none() {
        let (fold, head_seq) = latest(store)?;
        if fold.max_day().is_none_or(|day| day <= view.as_of) {
            return Ok((fold.finish(&view), Header { view, head_seq }));
        }
    }
    let (fold, header) = fold(store, view, &mut || {})?;
    Ok((fold.finish(&view), header))
}

/// The fold of the whole log, from the snapshot when it is still good.
fn latest(store: &Store) -> Result<(Fold, u64), CommandError> {
    // Read in one transaction, so the snapshot, the head and the events caught up all
    // describe the same log; save afterwards (a reader may not get the write lock).
    let (fold, seq, changed) = store.consistent(|store| {
        let head = store.head()?.seq;
        let saved = match store.snapshot(STATUS_SNAPSHOT)? {
            Some((seq, state)) if seq <= head && !store.amended_after(seq)? => {
                serde_json::from_str::<Snapshot<Fold>>(&state)
                    .ok()
                    .filter(|s| s.version == FOLD_VERSION)
                    .map(|s| (s.fold, seq))
            }
            _ => None,
        };
        Ok::<_, CommandError>(match saved {
            Some((mut fold, seq)) if seq < head => {
                store.records(&Filter { after: Some(seq), ..Filter::default() }, |record| {
                    if !record.event.facts.kind().is_meta() {
                        fold.push(record, false);
                    }
                    Ok::<(), CommandError>(())
                })?;
                (fold, head, true)
            }
            Some((fold, seq)) => (fold, seq, false),
            None => {
                let (fold, header) = fold_in(store, everything(), &mut || {})?;
                (fold, header.head_seq, true)
            }
        })
    })?;
    if changed {
        save(store, &fold, seq)?;
    }
    Ok((fold, seq))
}

/// Rebuilds every table derived from the log, the status snapshot last (what `replay`
/// does).
pub fn rebuild_snapshot(store: &Store, tick: &mut dyn FnMut()) -> Result<Fold, CommandError> {
    store.rebuild_derived()?;
    // `fold` reads in one transaction; the snapshot is saved for exactly what it read.
    let (fold, header) = fold(store, everything(), tick)?;
    save(store, &fold, header.head_seq)?;
    Ok(fold)
}

fn everything() -> View {
    View { as_of: NaiveDate::MAX, known_at: None, stall_days: DEFAULT_STALL_DAYS }
}

fn save(store: &Store, fold: &Fold, seq: u64) -> Result<(), CommandError> {
    // The fold is plain data (maps with string keys): serializing it cannot fail, and a
    // snapshot that did not serialize would be skipped rather than saved empty.
    let Ok(state) = serde_json::to_string(&Snapshot { version: FOLD_VERSION, fold }) else { return Ok(()) };
    // A reader that cannot write (read-only file, another writer) simply does not save.
    store.save_snapshot(STATUS_SNAPSHOT, seq, &state)?;
    Ok(())
}

/// Checks the saved status snapshot against the events (for `verify`): it must be the
/// fold of the log up to the seq it claims. `verify` has already checked it is bound
/// to the log's hash at that seq. What differs, when it does.
pub fn check_snapshot(store: &Store) -> Result<Option<String>, CommandError> {
    store.consistent(|store| {
        let Some((seq, state)) = store.stored_snapshot(STATUS_SNAPSHOT)? else { return Ok(None) };
        let saved = match serde_json::from_str::<Snapshot<Fold>>(&state) {
            Ok(saved) => saved,
            Err(e) => return Ok(Some(format!("the `snapshots` table's status snapshot does not read ({e})"))),
        };
        // A snapshot of another fold version is never read (status rebuilds it).
        if saved.version != FOLD_VERSION {
            return Ok(None);
        }
        let (fold, _) = fold_until(store, everything(), Some(seq), &mut || {})?;
        Ok((fold != saved.fold).then(|| {
            format!(
                "the `snapshots` table's status snapshot is not what the events up to seq {seq} fold to: \
                 status would report what the log does not say"
            )
        }))
    })
}
