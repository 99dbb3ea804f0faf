//! `entente history`: one event as first recorded, every correction, retraction and
//! dispute of it, and the event as it now stands.

use super::view::FormatArg;
use super::{CommandError, Ctx, resolve};
use crate::projection::LogHead;

/// Show how an event was recorded, corrected, retracted, disputed or corroborated.
///
/// The event as first recorded, each correction, retraction and dispute in order
/// (who recorded it, when and why, what changed), and the event as it now stands.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event: its id, a unique prefix of it, or its seq.
    #[arg(value_name = "ID|SEQ")]
    reference: String,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let format = args.format.only(ctx, "history", super::view::DOCUMENTS)?;
    let store = ctx.open_to_read()?;
    let record = resolve(&store, &args.reference)?;
    let (record, amendments, head) = store.consistent(|reader| {
        // Asked about a correction, show the history of the event it corrects.
        let record = match record.event.facts.payload.target() {
            Some(target) => reader.by_id(target)?.unwrap_or(record),
            None => record,
        };
        let amendments = reader.amendments_of(record.event.id)?;
        let head = reader.head()?;
        Ok::<_, CommandError>((record, amendments, LogHead::of(head.seq, head.hash)))
    })?;
    let history = crate::projection::history::history(&record, &amendments);
    super::print(ctx, &crate::report::history::render(head, &history, format, ctx.layout), format)
}
