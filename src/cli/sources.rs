//! `entente sources`: provenance — every source cited and what rests on it.

use super::view::{FormatArg, ViewArgs};
use super::{CommandError, Ctx};
use crate::app::status::stream;
use crate::projection::sources::Sources;
use crate::report::{self, Format};

/// List every source cited and what rests on it.
///
/// Every source cited, how many events rest on it, and the events that rest on a single
/// source or on none (recorded --unsourced). Retracted events are left out; corrected
/// ones count as they stand.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

/// The formats `sources` writes.
const FORMATS: &[Format] = &[Format::Text, Format::Json, Format::Markdown, Format::Csv];

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let format = args.format.only(ctx, "sources", FORMATS)?;
    let store = ctx.open_to_read()?;
    let verified = super::reports::verified(ctx, &store, format)?;
    let mut sources = Sources::default();
    let header = stream(&store, args.view.view(ctx), &mut || {}, &mut |record, _| sources.push(record))?;
    let stamp = super::reports::stamp(&header, verified);
    super::print(ctx, &report::sources::render(&sources.finish(), &header, format, ctx.layout, &stamp), format)
}
