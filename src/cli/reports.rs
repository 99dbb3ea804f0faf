//! `entente status`, `principles`, `commitments`, `conditions`, `instruments` and
//! `timeline`: six reports of one view. They share the read of the status and the check
//! of `--track` (and four of them one `ReportArgs`) here rather than six near-identical
//! files; each calls its own report.

use super::view::{FormatArg, ViewArgs};
use super::{CommandError, Ctx};
use crate::app::status::{self, replay};
use crate::projection::Header;
use crate::projection::status::{CommitmentState, TrackStatus};
use crate::report::provenance::{Check, Notes, Stamp};
use crate::report::{self, Format, Projection, Scope};
use crate::store::AnyLog;

/// The options of `status`, `principles` and `timeline`; each command's help is on its
/// variant of the command enum.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Only this track.
    #[arg(long)]
    pub(super) track: Option<String>,
    #[command(flatten)]
    pub(super) view: ViewArgs,
    #[command(flatten)]
    pub(super) format: FormatArg,
}

/// Every commitment, with its deadlines and state.
///
/// Every commitment: who owes it, when it was made, its headline state and the three
/// answers it is derived from — progress (not started … fulfilled, or suspended,
/// withdrawn, superseded), schedule (due, overdue, met on time or late, …) and activity
/// (active, stalled, closed) — its Peace Accords Matrix score (0 not initiated … 3
/// full), its deadlines as written (the latest of each milestone rules), who met,
/// suspended, withdrew, reaffirmed or reported it unmet, and the events behind it.
/// events/README.md ("Commitments: three axes and one headline") gives the rules.
#[derive(Debug, clap::Args)]
pub struct CommitmentsArgs {
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    /// Only commitments whose headline state is this: open, in_progress,
    /// partially_fulfilled, fulfilled, fulfilled_late, overdue, stalled, suspended,
    /// withdrawn, superseded, or (a standing obligation) in_effect or breached.
    #[arg(long, value_parser = parse_state)]
    state: Option<CommitmentState>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

/// Every condition, with what waits on what and its state.
///
/// Every condition set with condition_set: its subject (a commitment or an instrument
/// step) and what it waits on (a commitment, an instrument step or an event, perhaps
/// on another track), who set it, its state — open, met (declared, or reached: the
/// commitment fulfilled, the stage reached by the party named, the event happened),
/// unmet or dropped; the latest condition_resolved in world order rules — since when,
/// whether its subject is blocked by it (not yet reached, and the condition open or
/// unmet), and the events behind it. Listed on the track of the event that set it.
#[derive(Debug, clap::Args)]
pub struct ConditionsArgs {
    /// Only this track.
    #[arg(long)]
    track: Option<String>,
    /// Only conditions still in their subject's way: open or unmet.
    #[arg(long)]
    open: bool,
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
    if a.format.is(Format::Html) {
        return page(ctx, &a.view, a.track, report::html::status);
    }
    let scope = Scope { track: a.track, state: None };
    let format = a.format.only(ctx, "status", Projection::Status.formats())?;
    let (tracks, header, notes) = status_of(ctx, &a.view, &scope, format)?;
    super::print(ctx, &report::status::render(&header, tracks, &scope, format, ctx.layout, &notes), format)
}

pub fn principles(ctx: &Ctx<'_>, a: ReportArgs) -> Result<(), CommandError> {
    if a.format.is(Format::Html) {
        return page(ctx, &a.view, a.track, report::html::principles);
    }
    let scope = Scope { track: a.track, state: None };
    let format = a.format.only(ctx, "principles", Projection::Principles.formats())?;
    let (tracks, header, notes) = status_of(ctx, &a.view, &scope, format)?;
    super::print(ctx, &report::principles::render(&header, tracks, &scope, format, ctx.layout, &notes), format)
}

pub fn instruments(ctx: &Ctx<'_>, a: ReportArgs) -> Result<(), CommandError> {
    let scope = Scope { track: a.track, state: None };
    let format = a.format.only(ctx, "instruments", Projection::Instruments.formats())?;
    let (tracks, header, notes) = status_of(ctx, &a.view, &scope, format)?;
    super::print(ctx, &report::instruments::render(&header, tracks, &scope, format, ctx.layout, &notes), format)
}

pub fn commitments(ctx: &Ctx<'_>, a: CommitmentsArgs) -> Result<(), CommandError> {
    if a.format.is(Format::Html) {
        if a.state.is_some() {
            return Err(CommandError::Usage(
                "--state narrows the text, JSON and Markdown reports; the HTML page shows every commitment (drop --state)"
                    .to_owned(),
            ));
        }
        return page(ctx, &a.view, a.track, report::html::commitments);
    }
    let scope = Scope { track: a.track, state: a.state };
    let format = a.format.only(ctx, "commitments", Projection::Commitments.formats())?;
    let (tracks, header, notes) = status_of(ctx, &a.view, &scope, format)?;
    super::print(ctx, &report::commitments::render(&header, tracks, &scope, format, ctx.layout, &notes), format)
}

pub fn conditions(ctx: &Ctx<'_>, a: ConditionsArgs) -> Result<(), CommandError> {
    let scope = Scope { track: a.track, state: None };
    let format = a.format.only(ctx, "conditions", Projection::Conditions.formats())?;
    let (tracks, header, notes) = status_of(ctx, &a.view, &scope, format)?;
    super::print(ctx, &report::conditions::render(&header, tracks, &scope, a.open, format, ctx.layout, &notes), format)
}

pub fn timeline(ctx: &Ctx<'_>, a: ReportArgs) -> Result<(), CommandError> {
    if a.format.is(Format::Html) {
        return page(ctx, &a.view, a.track, report::html::timeline);
    }
    let scope = Scope { track: a.track, state: None };
    let format = a.format.only(ctx, "timeline", Projection::Timeline.formats())?;
    let store = ctx.open_to_read()?;
    let verified = verified(ctx, &store, format)?;
    // The timeline lists the events themselves, which only a replay holds.
    let replay = replay(&store, a.view.view(ctx), &mut || {})?;
    let tracks = replay.status();
    known(&tracks, &scope)?;
    let stamp = stamp(&replay.header(), verified);
    super::print(ctx, &report::timeline::render(&replay, tracks, &scope, format, ctx.layout, &stamp), format)
}

/// The occasions (summits, visits) events were recorded under, or what one produced.
///
/// Without an id: every occasion the view's events name — its dates, tracks, events
/// and kinds. With an id: every event of it (commitments made, instrument steps,
/// statements, …) with its seq, date and sources. Events name their occasion with
/// `--occasion ID` on `append` (`"occasion"` in JSON).
#[derive(Debug, clap::Args)]
pub struct OccasionArgs {
    /// The occasion to show in full.
    id: Option<String>,
    /// Only events on this track.
    #[arg(long)]
    track: Option<String>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn occasion(ctx: &Ctx<'_>, a: OccasionArgs) -> Result<(), CommandError> {
    let scope = Scope { track: a.track, state: None };
    let format = a.format.only(ctx, "occasion", Projection::Occasions.formats())?;
    let store = ctx.open_to_read()?;
    let verified = verified(ctx, &store, format)?;
    let replay = replay(&store, a.view.view(ctx), &mut || {})?;
    let tracks = replay.status();
    known(&tracks, &scope)?;
    let stamp = stamp(&replay.header(), verified);
    let track = scope.track.as_deref().and_then(|t| crate::event::TrackId::new(t).ok());
    let mut occasions = crate::projection::occasion::occasions(&replay, track.as_ref());
    if let Some(id) = &a.id {
        occasions.retain(|o| o.id.as_str() == id);
        if occasions.is_empty() {
            return Err(CommandError::NotFound(format!(
                "no event of this view names occasion `{id}`; `entente occasion` lists the occasions"
            )));
        }
    }
    let text = report::occasion::render(&replay, &occasions, a.id.is_some(), format, ctx.layout, &stamp);
    super::print(ctx, &text, format)
}

/// A report as an HTML page (`report::html`): a page lists the events behind each
/// state with their sources, which only a replay holds.
fn page(
    ctx: &Ctx<'_>,
    view: &ViewArgs,
    track: Option<String>,
    render: fn(&crate::projection::Replay, &[TrackStatus]) -> String,
) -> Result<(), CommandError> {
    let scope = Scope { track, state: None };
    let store = ctx.open_to_read()?;
    verified(ctx, &store, Format::Html)?;
    let replay = replay(&store, view.view(ctx), &mut || {})?;
    let tracks = replay.status();
    known(&tracks, &scope)?;
    let tracks: Vec<TrackStatus> =
        tracks.into_iter().filter(|t| scope.track.as_ref().is_none_or(|x| t.id.as_str() == x)).collect();
    super::print(ctx, &render(&replay, &tracks), Format::Html)
}

/// The status as the view sees it, for the reports that need only the status fold
/// (which the snapshot serves without reading the log); in Markdown, with the
/// provenance of its states (`provenance`).
fn status_of(
    ctx: &Ctx<'_>,
    view_args: &ViewArgs,
    scope: &Scope,
    format: Format,
) -> Result<(Vec<TrackStatus>, Header, Notes), CommandError> {
    let store = ctx.open_to_read()?;
    let verified = verified(ctx, &store, format)?;
    let view = view_args.view(ctx);
    let (tracks, header) = status::status(&store, view)?;
    known(&tracks, scope)?;
    let notes = match verified {
        Some(_) => {
            let stamp = stamp(&header, verified);
            let cited = crate::report::provenance::cited(&tracks);
            Notes::of_evidence(stamp, &crate::app::explain::evidence(&store, view, cited)?)
        }
        None => Notes::none(),
    };
    Ok((tracks, header, notes))
}

/// For a Markdown document (which says where it comes from): the log verified as
/// `entente verify` verifies it, refused with exit 5 when it fails (a brief from a
/// tampered log must not look fine), and the last seq verified. `None` for any other
/// format, which carries no provenance.
pub(super) fn verified(ctx: &Ctx<'_>, store: &AnyLog, format: Format) -> Result<Option<u64>, CommandError> {
    match format {
        // Every document meant to be pasted or sent: never from a log that fails
        // verification (the page of `--format html` as the brief, Mermaid as Markdown).
        Format::Markdown | Format::Mermaid | Format::Html => {
            Ok(Some(super::verify::intact(ctx, store, false, true)?.count))
        }
        _ => Ok(None),
    }
}

/// The header of a Markdown document of the view `header`: the hash of its head event,
/// and how far the log was verified.
pub(super) fn stamp(header: &Header, verified: Option<u64>) -> Stamp {
    let Some(through) = verified else { return Stamp::unchecked() };
    // The view's head already carries its hash: nothing to read again.
    Stamp { head_hash: header.head.hash, check: Check::Verified { through } }
}

/// Refuses a `--track` the view does not know.
pub(super) fn known(tracks: &[TrackStatus], scope: &Scope) -> Result<(), CommandError> {
    match &scope.track {
        Some(track) if !tracks.iter().any(|t| t.id.as_str() == track) => Err(no_track(track)),
        _ => Ok(()),
    }
}

/// A `--track` the view does not know: not found.
pub(super) fn no_track(track: &str) -> CommandError {
    CommandError::NotFound(format!(
        "no track `{track}` in this view; `entente status` lists the tracks (an --as-of before the track opened hides it)"
    ))
}
