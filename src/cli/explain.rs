//! `entente explain`: the chain of events behind a derived state.

use super::view::{self, FormatArg, ViewArgs};
use super::{CommandError, Ctx};
use crate::projection::explain::{Evidence, Subject};
use crate::report;

/// Show the evidence behind a track's, principle's or commitment's state.
///
/// Every event behind it,
/// in world order, with seq, date and sources. No derived state without evidence.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A track (`am-az`), a principle (`az-five-principles#4`) or a commitment id.
    #[arg(value_name = "REF")]
    reference: String,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let store = ctx.open_to_read()?;
    let view = args.view.view(ctx);
    // The status (from the snapshot when it can) names the events; only those are read.
    let (tracks, header) = view::status(&store, view)?;
    let subject = Subject::find(&tracks, &args.reference).ok_or_else(|| {
        CommandError::Usage(format!(
            "`{}` is not a track, principle (PROPOSAL#N) or commitment in this view; \
             `entente status`, `entente principles` and `entente commitments` list them",
            args.reference
        ))
    })?;
    let mut evidence = Vec::new();
    for seq in subject.seqs() {
        let Some(record) = store.by_seq(seq)? else { continue };
        let mut amendments = store.amendments_of(record.event.id)?;
        amendments.retain(|a| view.knows(a.event.recorded_at));
        evidence.extend(Evidence::of(&record, &amendments));
    }
    let text = report::explain::render(&header, &args.reference, &subject, &evidence, args.format.format);
    super::print(&text, args.format.format)
}
