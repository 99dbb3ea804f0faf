//! `entente show`: one event in full.

use std::io::Write;

use super::{CommandError, Ctx};
use crate::event::Record;
use crate::projection::LogHead;
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
        let head = store.head()?;
        write!(out, "{}", show_json(LogHead::of(head.seq, head.hash), &record))?;
    } else {
        write!(out, "{}", crate::text::net(&detail(&record)))?;
    }
    Ok(())
}

/// The JSON document of `show`: the head, then `event`, the record exactly as `export`
/// writes its line (seq, the stored body, prev_hash, hash).
fn show_json(head: LogHead, record: &Record) -> String {
    #[derive(serde::Serialize)]
    struct Shown {
        event: Box<serde_json::value::RawValue>,
    }
    // An export line is one JSON object, always valid JSON; null is a fallback never taken.
    let event = serde_json::value::RawValue::from_string(record.to_line())
        .unwrap_or_else(|_| serde_json::value::RawValue::from_string("null".to_owned()).expect("null is JSON"));
    crate::report::document(head, &Shown { event })
}
