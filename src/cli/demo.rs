//! `entente demo`: the bundled seed scenario, loaded into a scratch log in memory
//! through the same append path as `import`, then reported on.

use std::io::Write;

use super::import::append_lines;
use super::view::{FormatArg, ViewArgs};
use super::{CommandError, Ctx};
use crate::app::status::replay;
use crate::report::provenance::{Notes, Stamp};
use crate::report::{self, Format, Scope};
use crate::store::{AnyLog, Sqlite};

/// The canonical seed scenario, compiled into the binary.
pub const SEED_NAME: &str = "events/scenarios/seed.jsonl";
/// Its contents.
pub const SEED: &str = include_str!("../../events/scenarios/seed.jsonl");

/// Show the status report of the bundled seed scenario.
///
/// Loads the seed scenario (every dated fact of the article the project started from)
/// into a scratch log in memory and prints its status report.
///
/// Nothing is written to disk; --db is ignored. Takes the options of `entente status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let mut store: AnyLog = Sqlite::in_memory()?.into();
    let tally = append_lines(ctx, &mut store, SEED_NAME, SEED.as_bytes(), None)?;
    let head = store.head()?;
    let replay = replay(&store, args.view.view(ctx), &mut || {})?;
    let format = args.format.only(ctx, "demo", super::view::DOCUMENTS)?;
    let notes = match format {
        Format::Markdown => Notes::of_replay(Stamp::replayed(&replay, SEED_NAME), &replay),
        _ => Notes::none(),
    };
    let report =
        report::status::render(&replay.header(), replay.status(), &Scope::default(), format, ctx.layout, &notes);
    // Text is framed by what the demo did and what to try next; JSON and Markdown are
    // the report alone.
    let framed = match format {
        Format::Text => true,
        Format::Json | Format::Markdown | Format::Csv | Format::Ics | Format::Html | Format::Mermaid => false,
    };
    let mut out = ctx.stdout();
    if framed {
        writeln!(out, "entente demo: {SEED_NAME} loaded into a scratch log in memory")?;
        writeln!(out, "{} events, head hash {}\n", tally.appended, head.hash)?;
    }
    // The report is printed as every report is; what came before goes out first.
    out.flush()?;
    super::print(ctx, &report, format)?;
    if framed {
        writeln!(out, "\nNext: `entente demo --as-of 2022-04-20`, or load it into a log of your own with")?;
        writeln!(
            out,
            "`entente init && entente import {SEED_NAME}` and try `entente explain am-az-joint-border-commission`."
        )?;
    }
    Ok(())
}
