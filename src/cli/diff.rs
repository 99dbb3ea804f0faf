//! `entente diff`: what changed in the status between two dates.

use super::view::{FormatArg, ViewArgs};
use super::view::{parse_day, parse_known_at};
use super::{CommandError, Ctx};
use crate::app::status::statuses;
use crate::projection::diff::diff;
use crate::report;

/// What changed in the status between two dates.
///
/// Stages, principle and commitment states, between two world dates; with --known, between two recording times: what the log had
/// learnt in between, judged as of --as-of.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The earlier date (a day; with --known a timestamp or a day's end).
    #[arg(long, value_name = "WHEN")]
    from: String,
    /// The later date.
    #[arg(long, value_name = "WHEN")]
    to: String,
    /// Compare what was known at two recording times instead of two world dates.
    #[arg(long)]
    known: bool,
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let format = args.format.only(ctx, "diff", super::view::DOCUMENTS)?;
    let store = ctx.open_to_read()?;
    let base = args.view.view(ctx);
    let (before, after) = if args.known {
        let when = |s: &str| parse_known_at(s).map_err(CommandError::Usage);
        (
            crate::projection::View { known_at: Some(when(&args.from)?), ..base },
            crate::projection::View { known_at: Some(when(&args.to)?), ..base },
        )
    } else {
        let day = |s: &str| {
            parse_day(s).map_err(|e| CommandError::Usage(format!("{e} (or use --known for recording times)")))
        };
        (
            crate::projection::View { as_of: day(&args.from)?, ..base },
            crate::projection::View { as_of: day(&args.to)?, ..base },
        )
    };
    // Both sides judged from one fold — the snapshot's — unless a side has a recording
    // cut-off (then that side streams its own): memory stays the fold's, whatever the
    // size of the log.
    let mut both = statuses(&store, &[before, after])?.into_iter().map(|(tracks, header)| (tracks, header.head));
    let ((a, from_head), (b, to_head)) = (both.next().unwrap_or_default(), both.next().unwrap_or_default());
    // The later of the two sides' heads: the last event either view knew.
    let head = if to_head.seq >= from_head.seq { to_head } else { from_head };
    let axis = if args.known { "known at " } else { "as of " };
    // A track neither side knows is not found (a typo must not read "Nothing changed").
    if let Some(t) = &args.track
        && !a.iter().chain(&b).any(|x| x.id.as_str() == t)
    {
        return Err(super::reports::no_track(t));
    }
    let mut changes = diff(&a, &b);
    changes.retain(|c| args.track.as_ref().is_none_or(|t| &c.track == t));
    let text = report::diff::render(
        head,
        &changes,
        &format!("{axis}{}", args.from),
        &format!("{axis}{}", args.to),
        format,
        ctx.layout,
    );
    super::print(ctx, &text, format)
}

#[cfg(test)]
mod tests {
    use super::parse_known_at;
    use crate::event::format_recorded_at;

    #[test]
    fn a_known_at_date_means_the_end_of_that_day() {
        // `diff --known` (like every --known-at) reads a day as its end.
        let t = parse_known_at("2022-04-06").expect("date");
        assert_eq!(format_recorded_at(&t), "2022-04-06T23:59:59.999999Z");
        assert!(parse_known_at("yesterday").is_err());
    }
}
