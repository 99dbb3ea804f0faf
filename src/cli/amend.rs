//! `entente correct`, `retract`, `dispute` and `cite`: events about earlier events. Nothing is
//! ever edited; these record what was wrong, and reports honour them from the moment
//! they are recorded. They share one file because they share how they are built: the
//! target is resolved, the new event takes its tracks and today's date, and it goes
//! through the one append path.

use std::io::Write;

use super::append::SourceDetail;
use super::import::append_one;
use super::{CommandError, Ctx, resolve};
use crate::date::PartialDate;
use crate::event::payload::{EventCorrected, EventCorroborated, EventDisputed, EventRetracted, FieldChange, Payload};
use crate::event::{Facts, Line, Links, Record, Source};
use crate::log::Outcome;

/// Correct an earlier event (date, tracks, sources or any payload field).
///
/// The original stays in the log untouched; reports use the corrected event from
/// now on (and, asked --known-at an earlier time, what was believed then).
///
/// Example: entente correct 3f2a --occurred 2022-02-24 --set payload.place=Vienna \
///              --reason "Second envoys' meeting was in Vienna, not Moscow"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CorrectArgs {
    /// The event to correct: its id, a unique prefix of it, or its seq.
    #[arg(value_name = "ID|SEQ")]
    target: String,
    /// Why the event was wrong (required; shown in history and audit).
    #[arg(long)]
    reason: String,
    /// The corrected date.
    #[arg(long, value_name = "DATE")]
    occurred: Option<PartialDate>,
    /// The corrected tracks (repeat for several; replaces all).
    #[arg(long = "track", value_name = "TRACK")]
    tracks: Vec<String>,
    /// A corrected source title (repeat for several). REPLACES all the event's sources;
    /// to add a source that corroborates it, use `entente cite` instead.
    #[arg(long = "source", value_name = "TITLE")]
    sources: Vec<String>,
    /// Set a field: FIELD=VALUE, FIELD one of payload.KEY, addresses, advances, fulfils,
    /// follows, code; VALUE as JSON, or else as text; `null` removes an optional field.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Append only if the log still ends at this seq (0 to 9223372036854775807).
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,
}

/// Retract an event that should not have been recorded.
///
/// For a duplicate, a fabrication, a misattribution. It stays in the log; reports ignore it from now on.
#[derive(Debug, clap::Args)]
pub struct RetractArgs {
    /// The event to retract: its id, a unique prefix of it, or its seq.
    #[arg(value_name = "ID|SEQ")]
    target: String,
    /// Why (required).
    #[arg(long)]
    reason: String,
    /// Append only if the log still ends at this seq (0 to 9223372036854775807).
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,
}

/// Record that a source contradicts an earlier event.
///
/// The event still counts; every report that uses it says it is disputed.
#[derive(Debug, clap::Args)]
pub struct DisputeArgs {
    /// The event disputed: its id, a unique prefix of it, or its seq.
    #[arg(value_name = "ID|SEQ")]
    target: String,
    /// The contradicting source's title.
    #[arg(long, value_name = "TITLE")]
    source: String,
    #[command(flatten)]
    detail: SourceDetail,
    /// What the source says instead (required).
    #[arg(long)]
    note: String,
    /// Append only if the log still ends at this seq (0 to 9223372036854775807).
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,
}

/// Add a source that corroborates an earlier event.
///
/// The source is added to the event's own from now on (correct --source replaces them
/// instead); an unsourced event so cited is sourced. A source the event already cites
/// is refused. Audit lists corroborations apart from corrections.
///
/// Example: entente cite 3f2a --source "Joint communiqué" --publisher "Lorien MFA"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CiteArgs {
    /// The event corroborated: its id, a unique prefix of it, or its seq.
    #[arg(value_name = "ID|SEQ")]
    target: String,
    /// The corroborating source's title.
    #[arg(long, value_name = "TITLE")]
    source: String,
    #[command(flatten)]
    detail: SourceDetail,
    /// What the source adds, if worth saying (shown in history and audit).
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// Append only if the log still ends at this seq (0 to 9223372036854775807).
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,
}

pub fn correct(ctx: &Ctx<'_>, a: CorrectArgs) -> Result<(), CommandError> {
    let mut changes = Vec::new();
    if let Some(d) = a.occurred {
        changes.push(FieldChange { field: "occurred".to_owned(), to: serde_json::Value::String(d.to_string()) });
    }
    if !a.tracks.is_empty() {
        changes.push(FieldChange { field: "tracks".to_owned(), to: serde_json::json!(a.tracks) });
    }
    if !a.sources.is_empty() {
        let sources: Vec<serde_json::Value> = a.sources.iter().map(|t| serde_json::json!({ "title": t })).collect();
        changes.push(FieldChange { field: "sources".to_owned(), to: serde_json::Value::Array(sources) });
    }
    for set in &a.set {
        let (field, value) = set.split_once('=').ok_or_else(|| {
            CommandError::Usage(format!("--set `{set}`: write FIELD=VALUE, like payload.place=Vienna"))
        })?;
        let to = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        changes.push(FieldChange { field: field.trim().to_owned(), to });
    }
    if changes.is_empty() {
        return Err(CommandError::Usage(
            "say what to correct: --occurred, --track, --source or --set FIELD=VALUE".to_owned(),
        ));
    }
    record(ctx, &a.target, a.expect_head, Vec::new(), |target| {
        Payload::EventCorrected(EventCorrected { target, reason: a.reason.clone(), changes: changes.clone() })
    })
}

pub fn retract(ctx: &Ctx<'_>, a: RetractArgs) -> Result<(), CommandError> {
    record(ctx, &a.target, a.expect_head, Vec::new(), |target| {
        Payload::EventRetracted(EventRetracted { target, reason: a.reason.clone() })
    })
}

pub fn dispute(ctx: &Ctx<'_>, a: DisputeArgs) -> Result<(), CommandError> {
    let source = a.detail.source(a.source.clone());
    record(ctx, &a.target, a.expect_head, vec![source], |target| {
        Payload::EventDisputed(EventDisputed { target, note: a.note.clone() })
    })
}

pub fn cite(ctx: &Ctx<'_>, a: CiteArgs) -> Result<(), CommandError> {
    let source = a.detail.source(a.source.clone());
    record(ctx, &a.target, a.expect_head, vec![source], |target| {
        Payload::EventCorroborated(EventCorroborated { target, note: a.note.clone() })
    })
}

/// Builds the event about `reference` and appends it; prints its seq and id.
fn record(
    ctx: &Ctx<'_>,
    reference: &str,
    expect_head: Option<u64>,
    sources: Vec<Source>,
    payload: impl Fn(crate::event::EventId) -> Payload,
) -> Result<(), CommandError> {
    let mut store = ctx.open()?;
    let target: Record = resolve(&store, reference)?;
    let payload = payload(target.event.id);
    let kind = payload.kind();
    let facts = Facts {
        version: kind.current_version(),
        tracks: target.event.facts.tracks.clone(),
        occurred: PartialDate::day(ctx.env.clock.now().date_naive()),
        sources,
        unsourced: false,
        payload,
        links: Links::default(),
        codes: None,
        account: Default::default(),
        before_opening: false,
        occasion: None,
    };
    let line = Line { seq: None, id: None, recorded_at: None, recorded_by: None, facts, prev_hash: None, hash: None };
    let tally = append_one(ctx, &mut store, line, expect_head, "nothing was recorded", &|f| f.to_owned())?;
    let mut out = ctx.stdout();
    if let Some(Outcome::Appended { seq, id }) = tally.last {
        writeln!(out, "recorded {} of seq {} as seq {seq} id {id}", noun(kind), target.seq)?;
    }
    Ok(())
}

fn noun(kind: crate::event::Kind) -> &'static str {
    match kind {
        crate::event::Kind::EventCorrected => "a correction",
        crate::event::Kind::EventRetracted => "the retraction",
        crate::event::Kind::EventCorroborated => "a corroboration",
        _ => "a dispute",
    }
}
