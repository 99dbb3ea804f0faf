//! The options every read command shares (`--as-of`, `--known-at`, `--stall-days`,
//! `--format`) and the one way a command turns the log into a [`Replay`].

use chrono::{DateTime, NaiveDate, Utc};

use super::{CommandError, Ctx};
use crate::event::Record;
use crate::projection::{DEFAULT_STALL_DAYS, Replay, View};
use crate::report::{Format, parse_known_at};
use crate::store::{Filter, Store};

/// How a read command sees the log.
#[derive(Debug, Clone, clap::Args)]
pub struct ViewArgs {
    /// Judge the world as of this day: only events whose date has surely passed count
    /// (an event dated 2022-04 counts from 2022-04-30), and deadlines are judged then
    /// [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,

    /// Only what the log had recorded by then: an RFC 3339 timestamp, or a day (its end,
    /// UTC) [default: everything].
    #[arg(long, value_name = "TIME", value_parser = parse_known_at)]
    pub known_at: Option<DateTime<Utc>>,

    /// Days without progress after which an open commitment counts as stalled.
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_STALL_DAYS)]
    pub stall_days: u32,
}

/// The output format of a read command.
#[derive(Debug, Clone, clap::Args)]
pub struct FormatArg {
    /// text (aligned, 100 columns), json (for scripts) or markdown (for a brief).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
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
        replay.push(record);
        Ok::<(), CommandError>(())
    })?;
    Ok(replay)
}

/// Every record of `store`, in log order, for commands that fold it more than once.
pub fn all_records(store: &Store) -> Result<Vec<Record>, CommandError> {
    let mut records = Vec::new();
    store.records(&Filter::default(), |record| {
        records.push(record);
        Ok::<(), CommandError>(())
    })?;
    Ok(records)
}
