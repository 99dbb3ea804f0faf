//! `entente audit`: the report a reviewer reads.

use chrono::{DateTime, Utc};

use super::view::FormatArg;
use super::{CommandError, Ctx};
use crate::log::Filter;
use crate::projection::LogHead;
use crate::projection::audit::Audit;
use crate::report;

/// The reviewer's report on how the log was built.
///
/// Who recorded what and when, corrections and retractions with their reasons,
/// disputes, and unsourced events.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only what was recorded from then on: a timestamp, or a day (its start, UTC).
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    #[command(flatten)]
    format: FormatArg,
}

fn parse_since(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(day) = super::view::parse_day(text) {
        return day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).ok_or_else(|| format!("`{text}` is out of range"));
    }
    super::view::parse_known_at(text)
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let format = args.format.only(ctx, "audit", crate::report::Projection::Audit.formats())?;
    let store = ctx.open_to_read()?;
    // Streamed: only the report's entries are held, never the log.
    let mut audit = Audit::new(args.since);
    let head = store.consistent(|reader| {
        let mut head = LogHead::default();
        reader.records(&Filter::default(), |record| {
            let target = match record.event.facts.payload.target() {
                Some(id) => reader.seq_of(id)?,
                None => None,
            };
            head = LogHead::at(record);
            audit.push(record, target);
            Ok::<(), CommandError>(())
        })?;
        Ok::<_, CommandError>(head)
    })?;
    super::print(ctx, &report::audit::render(head, &audit, format, ctx.layout), format)
}
