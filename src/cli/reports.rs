//! `entente status`, `principles`, `commitments` and `timeline`: four views of one
//! replay. They share one `run` here rather than four near-identical files; each keeps
//! its own `Args` and help text.

use std::io::Write;

use super::view::{self, FormatArg, ViewArgs, replay};
use super::{CommandError, Ctx, stdout};
use crate::projection::status::CommitmentState;
use crate::report::{Format, Projection, Scope, render, render_status};

/// Per track: parties, stage and since when (with the event that moved it), last
/// activity, envoys, meetings and calls, principles open and addressed, commitments by
/// state, and the next deadline.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

/// Every principle of every proposal: its state (tabled, acknowledged, accepted,
/// agreed, reaffirmed ×n, codified, contested), since when, and the events behind it.
#[derive(Debug, clap::Args)]
pub struct PrinciplesArgs {
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

/// Every commitment: who owes it, when it was made, its deadline and the amendments
/// before it (the latest rules), its state, when it was fulfilled, its Peace Accords
/// Matrix score (0 not initiated … 3 full) and the events behind it.
#[derive(Debug, clap::Args)]
pub struct CommitmentsArgs {
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    /// Only commitments in this state.
    #[arg(long, value_parser = parse_state)]
    state: Option<CommitmentState>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

/// Events in world order (by date, each at its own precision; ties by seq), per track.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

fn parse_state(text: &str) -> Result<CommitmentState, String> {
    serde_json::from_value(serde_json::Value::String(text.replace('-', "_"))).map_err(|_| {
        "unknown state; the states are open, in_progress, fulfilled, fulfilled_late, overdue, stalled, withdrawn"
            .to_owned()
    })
}

pub fn status(ctx: &Ctx<'_>, a: StatusArgs) -> Result<(), CommandError> {
    run(ctx, Projection::Status, &a.view, a.format.format, Scope { track: a.track, state: None })
}

pub fn principles(ctx: &Ctx<'_>, a: PrinciplesArgs) -> Result<(), CommandError> {
    run(ctx, Projection::Principles, &a.view, a.format.format, Scope { track: a.track, state: None })
}

pub fn commitments(ctx: &Ctx<'_>, a: CommitmentsArgs) -> Result<(), CommandError> {
    run(ctx, Projection::Commitments, &a.view, a.format.format, Scope { track: a.track, state: a.state })
}

pub fn timeline(ctx: &Ctx<'_>, a: TimelineArgs) -> Result<(), CommandError> {
    run(ctx, Projection::Timeline, &a.view, a.format.format, Scope { track: a.track, state: None })
}

fn run(
    ctx: &Ctx<'_>,
    projection: Projection,
    view_args: &ViewArgs,
    format: Format,
    scope: Scope,
) -> Result<(), CommandError> {
    let store = ctx.open()?;
    // The timeline lists the events themselves; the others need only the status fold,
    // which the snapshot serves without reading the log.
    let (text, tracks) = if projection == Projection::Timeline {
        let replay = replay(&store, view_args.view(ctx), &mut || {})?;
        let tracks = replay.status();
        (render(&replay, tracks.clone(), projection, format, &scope), tracks)
    } else {
        let (tracks, header) = view::status(&store, view_args.view(ctx))?;
        (render_status(&header, tracks.clone(), projection, format, &scope), tracks)
    };
    if let Some(track) = &scope.track
        && !tracks.iter().any(|t| t.id.as_str() == track)
    {
        return Err(CommandError::Usage(format!(
            "no track `{track}` in this view; `entente status` lists the tracks (an --as-of before the track opened hides it)"
        )));
    }
    let mut out = stdout();
    write!(out, "{text}")?;
    out.flush()?;
    Ok(())
}
