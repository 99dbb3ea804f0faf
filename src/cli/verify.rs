//! `entente verify`: prove the log was only ever appended to.

use super::summary::SummaryArgs;
use super::{CommandError, Ctx};
use crate::log::Verdict;
use crate::projection::LogHead;
use crate::store::AnyLog;

/// Prove the log was only appended to.
///
/// Recompute the hash chain; check that every event's id, kind and recording time agree
/// with the log's columns and order; that the schema (every table, index, trigger and
/// view, by its full SQL) is the one entente creates; and that every table derived from
/// the events (the declared names, the index of corrections, retractions and disputes,
/// the status snapshot, the judged snapshot the SQL views read) holds what the events
/// imply. With --deep, also re-read every event
/// against its schema. Prints the count and the head hash; on any mismatch, exits with
/// code 5 and names the first bad seq, or the table, and what differs.
///
/// Publish the head hash somewhere others can see it (a brief, a commit, an email);
/// anyone holding the log later can run verify and check that the event at that seq
/// still has that hash: the log was only appended to since.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also re-read every event against this entente's schema (a full parse of each
    /// event: several times slower). The hash chain already proves each event is what
    /// was appended; this proves this entente can still read it.
    #[arg(long)]
    deep: bool,
    #[command(flatten)]
    pub summary: SummaryArgs,
}

/// `verify`'s JSON summary when the log verifies (a failure is the error object, exit 5).
#[derive(serde::Serialize)]
struct Verified {
    command: &'static str,
    ok: bool,
    events_checked: u64,
    deep: bool,
    /// What failed verification: always empty here, since a problem fails the command.
    problems: Vec<String>,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let say = args.summary.say("verify")?;
    let store = ctx.open_to_read()?;
    let verdict = intact(ctx, &store, args.deep, say.shows())?;
    let head = LogHead::of(verdict.count, verdict.head);
    let verified =
        Verified { command: "verify", ok: true, events_checked: verdict.count, deep: args.deep, problems: Vec::new() };
    say.print(head, &verified, || {
        let read = if args.deep { " and every event reads against its schema" } else { "" };
        let verified = format!("verified {} events: the hash chain is intact{read}", verdict.count);
        let marked = crate::text::marked(crate::text::Tone::Good, &verified);
        format!("{}\nhead seq {}, hash {}\n", super::paint(&marked, ctx.color), verdict.count, verdict.head)
    })
}

/// Verifies `store` as `entente verify` does (the chain, the indexes, the snapshots;
/// with `deep`, every event against its schema): the verdict when the log is intact,
/// [`CommandError::Tampered`] (exit 5) naming the first problem otherwise. A Markdown
/// brief is written only from a log that passes.
/// The chain checked before derived tables are rebuilt from it (`replay`): the
/// guards and every event's hash, not the tables the rebuild replaces.
pub(super) fn chain_intact(ctx: &Ctx<'_>, store: &AnyLog, progress: bool) -> Result<Verdict, CommandError> {
    checked(ctx, store, progress, |tick| store.verify_chain(tick))
}

/// Runs one of the log's checks with a progress bar (when `progress`), a problem it
/// finds made the command's tampered error.
fn checked(
    ctx: &Ctx<'_>,
    store: &AnyLog,
    progress: bool,
    check: impl FnOnce(&mut dyn FnMut(u64)) -> Result<Verdict, crate::log::LogError>,
) -> Result<Verdict, CommandError> {
    let total = store.count()?;
    let bar = if progress { super::event_progress(ctx, total) } else { indicatif::ProgressBar::hidden() };
    let verdict = check(&mut |n| bar.inc(n))?;
    bar.finish_and_clear();
    if let Some(problem) = verdict.problem {
        return Err(CommandError::Tampered { seq: problem.seq, what: problem.what });
    }
    Ok(verdict)
}

pub(super) fn intact(ctx: &Ctx<'_>, store: &AnyLog, deep: bool, progress: bool) -> Result<Verdict, CommandError> {
    let verdict = checked(ctx, store, progress, |tick| store.verify(deep, tick))?;
    if let Some(what) = crate::app::status::check_snapshots(store)? {
        return Err(CommandError::Tampered { seq: None, what });
    }
    Ok(verdict)
}
