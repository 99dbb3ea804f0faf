//! `entente show`: one event in full.

use std::io::Write;

use super::{CommandError, Ctx, stdout};
use crate::event::EventId;
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
    let store = ctx.open()?;
    let r = args.reference.trim();
    let record = if let Ok(seq) = r.parse::<u64>() {
        store.by_seq(seq)?
    } else if let Ok(uuid) = uuid::Uuid::parse_str(r) {
        store.by_id(EventId(uuid))?
    } else if r.len() >= 4 && r.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        match store.ids_with_prefix(r, 2)?.as_slice() {
            [one] => store.by_id(*one)?,
            [] => None,
            _ => {
                return Err(CommandError::Usage(format!("`{r}` matches several events; give more of the id")));
            }
        }
    } else {
        return Err(CommandError::Usage(format!(
            "`{r}` is neither an event id, an id prefix of 4 or more hex digits, nor a seq number"
        )));
    };
    let Some(record) = record else {
        return Err(CommandError::Usage(format!("no event `{r}` in {}; `entente log` lists them", ctx.db.display())));
    };
    let mut out = stdout();
    if args.format == "json" {
        writeln!(out, "{}", record.to_line())?;
    } else {
        write!(out, "{}", detail(&record))?;
    }
    Ok(())
}
