//! `entente trend`: state over time — each track's stage and its commitments and
//! principles counted by state, at the end of every month (quarter, year).

use chrono::NaiveDate;

use super::reports::{ReportArgs, known};
use super::view::parse_day;
use super::{CommandError, Ctx};
use crate::app::status;
use crate::names::Named;
use crate::projection::Header;
use crate::projection::trend::{self, Every};
use crate::report::{self, Format, Scope};

/// The most days a series may have: a century of months.
const MOST_DAYS: usize = 1200;

/// State over time: stage and states counted, month by month.
///
/// For each track, at the end of every month (or quarter, or year) from --from to the
/// as-of day (and on that day), its stage and how many of its commitments and principles
/// stand in each state — what a chart of the process draws, or a spreadsheet sums.
/// Every point is judged as `status --as-of` that day would judge it (from one fold of
/// the log, however many points); with --known-at, as the log stood then.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The first day of the series [default: the day the earliest track opened].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    from: Option<NaiveDate>,
    /// How far apart the points are: month, quarter or year.
    #[arg(long, value_name = "PERIOD", default_value = "month", value_parser = parse_every)]
    every: Every,
    #[command(flatten)]
    report: ReportArgs,
}

fn parse_every(text: &str) -> Result<Every, String> {
    crate::names::parse(text).map_err(|_| format!("`{text}` is not a period; write {}", Every::NAMES.join(", ")))
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let ReportArgs { track, view, format } = args.report;
    let format = format.only(ctx, "trend", &[Format::Text, Format::Json, Format::Markdown, Format::Csv])?;
    let store = ctx.open_to_read()?;
    let verified = super::reports::verified(ctx, &store, format)?;
    let view = view.view(ctx);
    let (latest, header) = status::status(&store, view)?;
    known(&latest, &Scope { track: track.clone(), ..Scope::default() })?;
    let opened = latest.iter().map(|t| t.stage_history[0].at.date.last_day()).min();
    let from = args.from.or(opened).unwrap_or(view.as_of);
    if from > view.as_of {
        return Err(CommandError::Usage(format!(
            "--from {from} is after the as-of day {}; give an earlier --from or a later --as-of",
            view.as_of
        )));
    }
    let days = trend::days(from, view.as_of, args.every);
    if days.len() > MOST_DAYS {
        return Err(CommandError::Usage(format!(
            "a series from {from} to {} every {} has {} points, more than {MOST_DAYS}; give a later --from{}",
            view.as_of,
            args.every.name(),
            days.len(),
            match args.every {
                Every::Month => " or --every quarter or year",
                Every::Quarter => " or --every year",
                Every::Year => "",
            }
        )));
    }
    let series = match view.known_at {
        None => status::over_time(&store, &days, view.stall_days)?.0,
        // What was known then: the log as it stood, replayed once.
        Some(_) => status::replay(&store, view, &mut || {})?.over_time(&days),
    };
    let mut points = trend::points(&days, &series);
    if let Some(track) = &track {
        points.retain(|p| p.track.as_str() == track);
    }
    let head = Header { view, head: header.head };
    let stamp = super::reports::stamp(&head, verified);
    let text = report::trend::render(&head, args.every, &points, format, ctx.layout, &stamp);
    super::print(ctx, &text, format)
}
