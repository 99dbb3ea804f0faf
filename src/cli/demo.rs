//! `entente demo`: the bundled seed scenario, loaded into a scratch log in memory
//! through the same append path as `import`, then shown.

use std::io::Write;

use super::import::append_lines;
use super::log::{header, row};
use super::{CommandError, Ctx, stdout};
use crate::event::Record;
use crate::store::{Filter, Store};

/// The canonical seed scenario, compiled into the binary.
pub const SEED_NAME: &str = "events/scenarios/seed.jsonl";
/// Its contents.
pub const SEED: &str = include_str!("../../events/scenarios/seed.jsonl");

/// Load the bundled seed scenario into a scratch log and show what it holds.
///
/// Nothing is written to disk; --db is ignored.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx<'_>, _args: Args) -> Result<(), CommandError> {
    let mut store = Store::in_memory()?;
    let tally = append_lines(ctx, &mut store, SEED_NAME, SEED.as_bytes(), None, &mut |_| {})?;
    let head = store.head()?;
    let mut records: Vec<Record> = Vec::new();
    store.records(&Filter::default(), |r| {
        records.push(r);
        Ok::<(), CommandError>(())
    })?;
    // World order: by date interval, ties by seq.
    records.sort_by(|a, b| a.event.facts.occurred.cmp(&b.event.facts.occurred).then(a.seq.cmp(&b.seq)));

    let mut out = stdout();
    writeln!(out, "entente demo: the seed scenario ({SEED_NAME}), loaded into a scratch log")?;
    writeln!(out, "{} events, head seq {}, head hash {}", tally.appended, head.seq, head.hash)?;
    let mut tracks: Vec<String> = Vec::new();
    for r in &records {
        if let crate::event::Payload::TrackOpened(t) = &r.event.facts.payload {
            let n = records.iter().filter(|x| x.event.facts.tracks.contains(&r.event.facts.tracks[0])).count();
            tracks.push(format!("  {:<6} {} — {n} events", r.event.facts.tracks[0], t.title));
        }
    }
    writeln!(out, "\ntracks:")?;
    for t in tracks {
        writeln!(out, "{t}")?;
    }
    writeln!(out, "\ntimeline (world order; each date at its own precision):")?;
    writeln!(out, "{}", header())?;
    for r in &records {
        writeln!(out, "{}", row(r))?;
    }
    writeln!(out, "\nexplore: `entente init && entente import {SEED_NAME} && entente log --track am-tr`")?;
    Ok(())
}
