//! `entente explain`: the chain of events behind a derived state.

use super::view::{FormatArg, ViewArgs};
use super::{CommandError, Ctx};
use crate::app::AppError;
use crate::app::explain::explain;
use crate::report;

/// Show the evidence behind a track's, principle's, commitment's, instrument's or condition's state.
///
/// Every event behind it, in world order, with seq, date and sources; for a commitment,
/// the conditions it waits on. No derived state without evidence.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A track (`am-az`), a principle (`az-five-principles#4`), a commitment, an
    /// instrument or a condition id; prefix its kind (`instrument:jcpoa`) when several
    /// share it (unprefixed, a track comes first, then a principle, a commitment, an
    /// instrument, a condition).
    #[arg(value_name = "REF")]
    reference: String,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    if args.reference.trim().is_empty() {
        return Err(CommandError::Usage(
            "name what to explain: a track, a principle (PROPOSAL#N), a commitment, an instrument or a condition"
                .to_owned(),
        ));
    }
    // HTML is a page of the same evidence (`report::html`); the rest are the report's.
    let format = if args.format.is(report::Format::Html) {
        report::Format::Html
    } else {
        args.format.only(ctx, "explain", super::view::DOCUMENTS)?
    };
    let store = ctx.open_to_read()?;
    let verified = super::reports::verified(ctx, &store, format)?;
    let shown = explain(&store, args.view.view(ctx), &args.reference, |header, subject, evidence| {
        let stamp = super::reports::stamp(header, verified);
        Ok::<_, CommandError>(match format {
            report::Format::Html => report::html::explain(header, &args.reference, subject, evidence),
            _ => report::explain::render(header, &args.reference, subject, evidence, format, ctx.layout, &stamp),
        })
    });
    let text = match shown {
        Err(AppError::NoSubject) => {
            return Err(CommandError::NotFound(format!(
                "`{}` is not a track, principle (PROPOSAL#N), commitment, instrument or condition in this view; \
                 `entente status`, `entente principles`, `entente commitments`, `entente instruments` and \
                 `entente conditions` list them",
                args.reference
            )));
        }
        other => other??,
    };
    super::print(ctx, &text, format)
}
