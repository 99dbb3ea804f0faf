//! `entente explain`: the chain of events behind a derived state.

use std::io::Write;

use super::view::{FormatArg, ViewArgs, replay};
use super::{CommandError, Ctx, stdout};
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
    let store = ctx.open()?;
    let replay = replay(&store, args.view.view(ctx), &mut || {})?;
    let text = explain(&replay, &replay.status(), &args.reference, args.format.format).map_err(CommandError::Usage)?;
    let mut out = stdout();
    write!(out, "{text}")?;
    out.flush()?;
    Ok(())
}
