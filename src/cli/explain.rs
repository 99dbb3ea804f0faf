//! `entente explain`: the chain of events behind a derived state.

use super::view::{self, FormatArg, ViewArgs};
use super::{CommandError, Ctx};
use crate::event::Kind;
use crate::projection::amend;
use crate::report::{Evidence, explain, subject};

/// Show the evidence behind a track's, principle's or commitment's state.
///
/// Every event behind it,
/// in world order, with seq, date and sources. No derived state without evidence.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A track (`am-az`), a principle (`az-five-principles#4`) or a commitment id.
    #[arg(value_name = "REF")]
    reference: String,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let store = ctx.open_to_read()?;
    let view = args.view.view(ctx);
    // The status (from the snapshot when it can) names the events; only those are read.
    let (tracks, header) = view::status(&store, view)?;
    let subject = subject(&tracks, &args.reference).map_err(CommandError::Usage)?;
    let mut evidence = Vec::new();
    for seq in &subject.seqs {
        let Some(record) = store.by_seq(*seq)? else { continue };
        let amendments: Vec<_> = store
            .amendments_of(record.event.id)?
            .into_iter()
            .filter(|a| view.known_at.is_none_or(|cut| a.event.recorded_at <= cut))
            .collect();
        let corrected = amendments.iter().any(|a| a.event.facts.kind() == Kind::EventCorrected);
        if let Some((record, disputed)) = amend(&record, &amendments) {
            evidence.push(Evidence { record: record.into_owned(), disputed, corrected });
        }
    }
    let text = explain(&header, &args.reference, &subject, &evidence, args.format.format);
    super::print(&text, args.format.format)
}
