//! `entente import --format csv --map MAPPING.toml`: the CLI's way into
//! `app::sheet` — the mapping and the sheet read, the rows appended (or, with
//! `--dry-run`, checked and shown), and what happened printed.

use std::io::{Read, Write};
use std::path::Path;

use super::import::open_input;
use super::{CommandError, Ctx};
use crate::app::sheet::{Mapping, import, rows};
use crate::event::Event;
use crate::log::Outcome;

/// The most a mapping file may hold: a few dozen lines; anything near this is not one.
const MAX_MAPPING_BYTES: u64 = 1 << 20;

pub fn run(
    ctx: &Ctx<'_>,
    file: &Path,
    map: &Path,
    expect_head: Option<u64>,
    dry_run: bool,
    verify: bool,
    quiet: bool,
) -> Result<(), CommandError> {
    if verify {
        return Err(CommandError::Usage(
            "--verify checks an export of the log; a spreadsheet is none (leave --verify out)".to_owned(),
        ));
    }
    let mapping = read_mapping(map)?;
    let input = open_input(file)?;
    let sheet = rows(&mapping, &input.name, input.reader)?;
    let mut log = ctx.open()?;
    let policy = ctx.policy(&log);
    let planned = import(&mut log, policy, &input.name, &sheet, expect_head, dry_run)?;
    let new = planned.iter().filter(|p| matches!(p.outcome, Outcome::Appended { .. })).count();
    let existing = planned.len() - new;
    if quiet {
        return Ok(());
    }
    let mut out = ctx.stdout();
    let name = crate::text::shown(&input.name);
    if dry_run {
        for p in &planned {
            let facts = &p.event.facts;
            let event = Event {
                id: p.event.id.unwrap_or(crate::event::EventId(uuid::Uuid::nil())),
                recorded_at: policy.now,
                recorded_by: String::new(),
                facts: facts.clone(),
            };
            let tracks: Vec<&str> = facts.tracks.iter().map(|t| t.as_str()).collect();
            let line = format!(
                "line {}: {} {} {} [{}] {}",
                p.line,
                match p.outcome {
                    Outcome::Appended { .. } => "new     ",
                    Outcome::Existing { .. } => "present ",
                },
                facts.occurred,
                facts.kind(),
                tracks.join(", "),
                crate::render::headline(&event)
            );
            writeln!(out, "{}", crate::text::shown(&line))?;
        }
        writeln!(
            out,
            "dry run: {new} new event{} would be recorded from {name}; {existing} already present; nothing was written",
            if new == 1 { "" } else { "s" },
        )?;
    } else {
        let head = log.head()?;
        writeln!(
            out,
            "imported {new} new event{} from {name}; {existing} already present; log ends at seq {} (hash {})",
            if new == 1 { "" } else { "s" },
            head.seq,
            head.hash
        )?;
    }
    out.flush()?;
    Ok(())
}

fn read_mapping(path: &Path) -> Result<Mapping, CommandError> {
    let fail = |message: String| CommandError::Io { path: path.display().to_string(), message };
    if path.is_dir() {
        return Err(fail("is a directory; give the mapping file (TOML)".to_owned()));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let mut text = String::new();
    file.take(MAX_MAPPING_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(format!("cannot read it as UTF-8 text: {e}")))?;
    if text.len() as u64 > MAX_MAPPING_BYTES {
        return Err(fail("is larger than 1 MiB: not a column mapping".to_owned()));
    }
    Mapping::parse(&text).map_err(fail)
}
