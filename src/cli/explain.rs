//! `entente explain`: the chain of events behind a derived state.

use super::view::{FormatArg, ViewArgs};
use super::{CommandError, Ctx};
use crate::report::explain;

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
    let found = crate::app::explain::explain(&store, args.view.view(ctx), &args.reference)?;
    let text = explain(&found.header, &args.reference, &found.subject, &found.evidence, args.format.format);
    super::print(&text, args.format.format)
}
