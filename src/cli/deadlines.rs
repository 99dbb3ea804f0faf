//! `entente deadlines`: every deadline with a day, for a calendar or a spreadsheet.

use chrono::NaiveDate;

use super::view::{FormatArg, ViewArgs};
use super::{CommandError, Ctx};
use crate::app::status::replay;
use crate::projection::deadlines::{Window, deadlines};
use crate::report::{self, Projection};

/// Every deadline ahead, as a list, a spreadsheet or a calendar.
///
/// Every commitment's deadline that has a day, by day: its commitment, milestone
/// (begin or complete), where the commitment stands against it (due, met on time, met
/// late, missed, undetermined, suspended, withdrawn, superseded) and the event that set
/// it. Only the ruling deadline of each milestone is listed: an amended deadline is the
/// same entry, amended. A deadline given as a month (or a year) falls on its last day,
/// and says so. Deadlines without a day (vague, or counting from an event not yet
/// seen) cannot go on a calendar: `entente commitments` shows them.
///
/// --format ics writes an iCalendar (RFC 5545) of all-day events a calendar can
/// subscribe to: each event's UID names the track, the commitment and the milestone,
/// so a calendar that reads the file again updates its entries instead of adding new
/// ones.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    /// Only deadlines on or after this day [default: the --as-of day; with --all, none].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::view::parse_day)]
    from: Option<NaiveDate>,
    /// Only deadlines on or before this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::view::parse_day)]
    to: Option<NaiveDate>,
    /// Past deadlines too, each with its outcome.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let format = args.format.only(ctx, "deadlines", Projection::Deadlines.formats())?;
    let view = args.view.view(ctx);
    let from = args.from.or(if args.all { None } else { Some(view.as_of) });
    if let (Some(from), Some(to)) = (from, args.to)
        && to < from
    {
        return Err(CommandError::Usage(format!(
            "--to {to} is before the first day listed ({from}, {}); give a later --to{}",
            if args.from.is_some() { "--from" } else { "the --as-of day" },
            if args.from.is_some() || args.all { "" } else { ", or --all for past deadlines" }
        )));
    }
    let store = ctx.open_to_read()?;
    // The calendar names the recording time and sources of the event that set each
    // deadline, which only a replay holds.
    let replay = replay(&store, view, &mut || {})?;
    let mut tracks = replay.status();
    super::reports::known(&tracks, &report::Scope { track: args.track.clone(), state: None })?;
    if let Some(track) = &args.track {
        tracks.retain(|t| t.id.as_str() == track);
    }
    let list = deadlines(&tracks, &Window { from, to: args.to }, replay.timeline(), &replay.all_records());
    super::print(ctx, &report::deadlines::render(&replay.header(), &list, format, ctx.layout), format)
}
