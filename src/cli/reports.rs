//! `entente status`, `principles`, `commitments` and `timeline`: four views of one
//! replay. They share one `run` (and three of them one `ReportArgs`) here rather than
//! four near-identical files.

use super::view::{self, FormatArg, ViewArgs, replay};
use super::{CommandError, Ctx};
use crate::projection::status::{CommitmentState, TrackStatus};
use crate::report::{Format, Projection, Scope, render, render_status};

/// The options of `status`, `principles` and `timeline`; each command's help is on its
/// variant of the command enum.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

/// Every commitment, with its deadlines and state.
///
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

fn parse_state(text: &str) -> Result<CommitmentState, String> {
    use crate::names::Named;
    crate::names::parse(text)
        .map_err(|_| format!("unknown state; the states are {}", CommitmentState::NAMES.join(", ")))
}

pub fn status(ctx: &Ctx<'_>, a: ReportArgs) -> Result<(), CommandError> {
    run(ctx, Projection::Status, &a.view, a.format.format, Scope { track: a.track, state: None })
}

pub fn principles(ctx: &Ctx<'_>, a: ReportArgs) -> Result<(), CommandError> {
    run(ctx, Projection::Principles, &a.view, a.format.format, Scope { track: a.track, state: None })
}

pub fn commitments(ctx: &Ctx<'_>, a: CommitmentsArgs) -> Result<(), CommandError> {
    run(ctx, Projection::Commitments, &a.view, a.format.format, Scope { track: a.track, state: a.state })
}

pub fn timeline(ctx: &Ctx<'_>, a: ReportArgs) -> Result<(), CommandError> {
    run(ctx, Projection::Timeline, &a.view, a.format.format, Scope { track: a.track, state: None })
}

fn run(
    ctx: &Ctx<'_>,
    projection: Projection,
    view_args: &ViewArgs,
    format: Format,
    scope: Scope,
) -> Result<(), CommandError> {
    let store = ctx.open_to_read()?;
    // The timeline lists the events themselves; the others need only the status fold,
    // which the snapshot serves without reading the log.
    let known = |tracks: &[TrackStatus]| match &scope.track {
        Some(track) if !tracks.iter().any(|t| t.id.as_str() == track) => Err(CommandError::Usage(format!(
            "no track `{track}` in this view; `entente status` lists the tracks (an --as-of before the track opened hides it)"
        ))),
        _ => Ok(()),
    };
    let text = if projection == Projection::Timeline {
        let replay = replay(&store, view_args.view(ctx), &mut || {})?;
        let tracks = replay.status();
        known(&tracks)?;
        render(&replay, tracks, projection, format, &scope)
    } else {
        let (tracks, header) = view::status(&store, view_args.view(ctx))?;
        known(&tracks)?;
        render_status(&header, tracks, projection, format, &scope)
    };
    super::print(&text, format)
}
