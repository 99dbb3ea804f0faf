//! `entente show`: one event in full.

use std::io::Write;

use super::{CommandError, Ctx};
use crate::render::detail;

/// Show one event in full: by id, a unique id prefix (at least 4 characters), or seq.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event's id, a unique prefix of it, or its seq number.
    #[arg(value_name = "ID|SEQ")]
    reference: String,

    /// text or json (the export line).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let store = ctx.open_to_read()?;
    let record = super::resolve(&store, &args.reference)?;
    let mut out = ctx.stdout();
    if args.format == "json" {
        writeln!(out, "{}", record.to_line())?;
    } else {
        write!(out, "{}", crate::text::net(&detail(&record)))?;
    }
    Ok(())
}
