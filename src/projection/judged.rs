//! The judged state of every commitment and principle, flattened to rows: what the
//! `judged` snapshot holds for the SQL views `commitment_view` and `principle_view`
//! (README, "The log as SQL"). Pure: it lays out what [`super::status`] judged, and
//! judges nothing itself — the date it was judged at comes in with the tracks.
//!
//! The shape is read by SQL (`json_extract` by key), so it is frozen like a schema: a
//! key renamed or dropped is a new [`JUDGED_VERSION`] and a new migration of the views.

use chrono::NaiveDate;
use serde::Serialize;

use crate::date::PartialDate;
use crate::event::{CommitmentId, Party, PrincipleRef, TrackId};

use super::status::{Activity, CommitmentState, PrincipleState, Progress, Schedule, TrackStatus};

/// The version of the judged snapshot's shape.
pub const JUDGED_VERSION: u32 = 1;

/// Every commitment and principle as judged at `as_of`, track by track in the order the
/// status lists them (a commitment or principle on two tracks has a row on each).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Judged<'a> {
    /// [`JUDGED_VERSION`].
    pub version: u32,
    /// The day the states were judged at.
    pub as_of: NaiveDate,
    /// One row per track and commitment.
    pub commitments: Vec<CommitmentRow<'a>>,
    /// One row per track and principle.
    pub principles: Vec<PrincipleRow<'a>>,
}

/// A commitment as `commitment_view` lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CommitmentRow<'a> {
    /// The track it is listed on.
    pub track: &'a TrackId,
    /// Its id.
    pub commitment: &'a CommitmentId,
    /// Its headline state.
    pub state: CommitmentState,
    /// How far it was carried out.
    pub progress: Progress,
    /// Where it stands against its deadlines.
    pub schedule: Schedule,
    /// Whether anything moves on it.
    pub activity: Activity,
    /// Who owes it.
    pub parties: &'a [Party],
    /// What was undertaken.
    pub text: &'a str,
    /// An ongoing obligation.
    pub standing: bool,
    /// When it was made, at its own precision.
    pub made: PartialDate,
    /// The day its completion is due, when it has a deadline.
    pub due: Option<NaiveDate>,
    /// The next due day of any milestone still unmet.
    pub next_due: Option<NaiveDate>,
    /// When it was fulfilled, at its own precision.
    pub fulfilled: Option<PartialDate>,
    /// Its Peace Accords Matrix score, 0 to 3.
    pub pam: u8,
    /// The last day anything moved on it.
    pub quiet_since: NaiveDate,
    /// Every event behind it is unsourced or disputed.
    pub unsupported: bool,
    /// Every event behind it is one side's account.
    pub one_sided: bool,
}

/// A principle as `principle_view` lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrincipleRow<'a> {
    /// The track it is listed on.
    pub track: &'a TrackId,
    /// `PROPOSAL#N`.
    pub principle: &'a PrincipleRef,
    /// Its state.
    pub state: PrincipleState,
    /// Its text.
    pub text: &'a str,
    /// How many times it was reaffirmed.
    pub reaffirmed: u32,
    /// When its state last changed or it was last reaffirmed.
    pub last: PartialDate,
    /// Every event behind it is unsourced or disputed.
    pub unsupported: bool,
    /// Every event behind it is one side's account.
    pub one_sided: bool,
}

impl<'a> Judged<'a> {
    /// The rows of `tracks`, judged at `as_of`.
    pub fn of(as_of: NaiveDate, tracks: &'a [TrackStatus]) -> Judged<'a> {
        let commitments = tracks
            .iter()
            .flat_map(|t| t.commitments.iter().map(move |c| (&t.id, c)))
            .map(|(track, c)| CommitmentRow {
                track,
                commitment: &c.id,
                state: c.state,
                progress: c.progress,
                schedule: c.schedule,
                activity: c.activity,
                parties: &c.parties,
                text: &c.text,
                standing: c.standing,
                made: c.made,
                due: c.due,
                next_due: c.next_due,
                fulfilled: c.fulfilled.as_ref().map(|at| at.date),
                pam: c.pam,
                quiet_since: c.quiet_since,
                unsupported: c.unsupported,
                one_sided: c.one_sided,
            })
            .collect();
        let principles = tracks
            .iter()
            .flat_map(|t| t.principles.iter().map(move |p| (&t.id, p)))
            .map(|(track, p)| PrincipleRow {
                track,
                principle: &p.id,
                state: p.state,
                text: &p.text,
                reaffirmed: p.reaffirmed,
                last: p.last,
                unsupported: p.unsupported,
                one_sided: p.one_sided,
            })
            .collect();
        Judged { version: JUDGED_VERSION, as_of, commitments, principles }
    }
}
