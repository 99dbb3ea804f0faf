//! `entente verify`: prove the log was only ever appended to.

use std::io::Write;

use super::{CommandError, Ctx, stdout};

/// Prove the log was only appended to.
///
/// Recompute the hash chain and re-read every event against its schema; check that the
/// append-only triggers are in place. Prints the count and the head hash; on any
/// mismatch, exits with code 5 and names the first bad seq and what differs.
///
/// Publish the head hash somewhere others can see it (a brief, a commit, an email);
/// anyone holding the log later can run verify and check that the event at that seq
/// still has that hash: the log was only appended to since.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx<'_>, _args: Args) -> Result<(), CommandError> {
    let store = ctx.open()?;
    let total = store.count()?;
    let bar = super::event_progress(ctx, total);
    let verdict = store.verify(&mut || bar.inc(1))?;
    bar.finish_and_clear();
    if let Some(problem) = verdict.problem {
        return Err(CommandError::Tampered { seq: problem.seq, what: problem.what });
    }
    let mut out = stdout();
    writeln!(
        out,
        "verified {} events: the hash chain is intact and every event reads against its schema",
        verdict.count
    )?;
    writeln!(out, "head seq {}, hash {}", verdict.count, verdict.head)?;
    Ok(())
}
