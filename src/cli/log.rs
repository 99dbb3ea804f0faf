//! `entente log`: list events, filtered, in log order.

use std::io::Write;

use chrono::NaiveDate;

use super::{CommandError, Ctx};
use crate::event::{Kind, Record};
use crate::log::Filter;
use crate::render::{headline, mentions_actor};
use crate::report::csv::Table;

/// List the events in the log, oldest recorded first.
///
/// Filters combine (all must match). Dates compare by interval: an event dated
/// 2021-12 matches --from 2021-12-15, since it may have happened then.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only events on this track.
    #[arg(long)]
    track: Option<String>,

    /// Only events of this kind (repeatable), e.g. meeting_held.
    #[arg(long, value_parser = parse_kind)]
    kind: Vec<Kind>,

    /// Only events naming this person (part of a name) or party code.
    #[arg(long)]
    actor: Option<String>,

    /// Only events that may have occurred on or after this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::view::parse_day)]
    from: Option<NaiveDate>,

    /// Only events that may have occurred on or before this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::view::parse_day)]
    to: Option<NaiveDate>,

    /// Only events containing this text anywhere (in any case, with accents composed or
    /// decomposed alike).
    #[arg(long)]
    text: Option<String>,

    /// Only events that had surely happened by this day (their whole date interval).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::view::parse_day)]
    as_of: Option<NaiveDate>,

    /// Only events after this seq (0 to 9223372036854775807). Seq is gap-free and follows
    /// commit order, on a file and on a team server alike: a reader that polls
    /// `--after` the last seq it saw never misses an event.
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser())]
    after: Option<u64>,

    /// Only events the log had recorded by then (a timestamp, or a day's end, UTC).
    #[arg(long, value_name = "TIME", value_parser = super::view::parse_known_at)]
    known_at: Option<chrono::DateTime<chrono::Utc>>,

    /// text (a table), json (JSON Lines, as `entente export` writes) or csv (one row
    /// per event, for a spreadsheet).
    #[arg(long, default_value = "text", value_parser = ["text", "json", "csv"])]
    format: String,
}

pub(super) fn parse_kind(text: &str) -> Result<Kind, String> {
    Kind::from_name(&text.replace('-', "_")).ok_or_else(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown kind; the kinds are {}", names.join(", "))
    })
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let store = ctx.open_to_read()?;
    if let Some(track) = &args.track
        && !on_track(&store, track)?
    {
        return Err(CommandError::NotFound(format!(
            "no event in the log is on track `{track}`; `entente status` lists the tracks"
        )));
    }
    // The text filter compares folded keys (any case, composed or decomposed accents)
    // on each stored body, before it is parsed (see `Filter::text`).
    let filter = Filter {
        track: args.track,
        kinds: args.kind,
        from: args.from,
        to: args.to,
        text: args.text,
        after: args.after,
        until: None,
    };
    let mut out = ctx.stdout();
    // The seq column is as wide as the log's last seq: every seq shown fits.
    let columns = Columns { seq: seq_width(store.count()?), width: ctx.layout.width, color: ctx.layout.color };
    let view =
        crate::projection::View { as_of: args.as_of.unwrap_or(NaiveDate::MAX), known_at: args.known_at, stall_days: 0 };
    let json = args.format == "json";
    let mut csv = (args.format == "csv").then(csv_table);
    if !json && csv.is_none() {
        writeln!(out, "{}", header(columns))?;
    }
    // CSV holds the log's text exactly: on a terminal it is shown through the net, as
    // `print` shows every CSV.
    let terminal = ctx.env.stdout_is_terminal;
    let flush_csv = |out: &mut dyn Write, table: &mut Table<10>| -> std::io::Result<()> {
        let chunk = table.take();
        if terminal {
            write!(out, "{}", crate::text::net(&chunk.replace("\r\n", "\n")))
        } else {
            write!(out, "{chunk}")
        }
    };
    store.records(&filter, |record| {
        if !view.sees(record) || args.actor.as_deref().is_some_and(|who| !mentions_actor(&record.event, who)) {
            return Ok(());
        }
        if json {
            writeln!(out, "{}", record.to_line())?;
        } else if let Some(table) = csv.as_mut() {
            table.row(csv_row(record));
            flush_csv(&mut out, table)?;
        } else {
            writeln!(out, "{}", super::paint(&row(record, columns), ctx.color))?;
        }
        Ok::<(), CommandError>(())
    })?;
    if let Some(table) = csv.as_mut() {
        // The header, when no event matched.
        flush_csv(&mut out, table)?;
    }
    out.flush()?;
    Ok(())
}

/// Whether any event in the log is on `track`: the scan stops at the first.
fn on_track(store: &crate::store::AnyLog, track: &str) -> Result<bool, CommandError> {
    /// Stops the scan: not an error.
    enum Stop {
        Found,
        Failed(crate::log::LogError),
    }
    impl From<crate::log::LogError> for Stop {
        fn from(e: crate::log::LogError) -> Stop {
            Stop::Failed(e)
        }
    }
    let filter = Filter { track: Some(track.to_owned()), ..Filter::default() };
    match store.records(&filter, |_| Err(Stop::Found)) {
        Ok(()) => Ok(false),
        Err(Stop::Found) => Ok(true),
        Err(Stop::Failed(e)) => Err(e.into()),
    }
}

/// The CSV of `log`: a header (projections/README.md names each column), one row per
/// event.
fn csv_table() -> Table<10> {
    Table::new([
        "seq",
        "id",
        "recorded_at",
        "recorded_by",
        "occurred",
        "occurred_precision",
        "tracks",
        "kind",
        "unsourced",
        "headline",
    ])
}

/// One event as a CSV row: its headline as the log's text, exactly.
fn csv_row(record: &Record) -> [String; 10] {
    let f = &record.event.facts;
    let [occurred, precision] = crate::report::csv::date(&f.occurred);
    [
        record.seq.to_string(),
        record.event.id.to_string(),
        crate::event::format_recorded_at(&record.event.recorded_at),
        record.event.recorded_by.clone(),
        occurred,
        precision,
        f.tracks.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" "),
        f.kind().name().to_owned(),
        crate::report::csv::flag(f.unsourced),
        headline(&record.event),
    ]
}

/// How the table [`row`] writes is laid out: the seq column's width, the width a row
/// is cut to (the terminal's, or 100 columns: `show` and `--format json` give every
/// field in full), and whether kinds are marked for colour.
#[derive(Clone, Copy, Debug)]
pub(super) struct Columns {
    /// The seq column's width.
    pub seq: usize,
    /// The most display columns a row takes.
    pub width: usize,
    /// Whether kinds that take an event back or put it in doubt are marked.
    pub color: bool,
}

/// The width of a seq column that fits every seq up to `last` (at least the header's).
pub(super) fn seq_width(last: u64) -> usize {
    last.to_string().len().max(4)
}

/// The header of the table [`row`] writes.
pub(super) fn header(columns: Columns) -> String {
    format!("{:>w$}  {:<10}  {:<11}  {:<24}  what", "seq", "occurred", "tracks", "kind", w = columns.seq)
}

/// One table row: seq, date, tracks, kind, headline (escaped, so no text in it can
/// break the row), cut to the width by display width.
pub(super) fn row(record: &Record, columns: Columns) -> String {
    let f = &record.event.facts;
    let tracks: Vec<&str> = f.tracks.iter().map(|t| t.as_str()).collect();
    let mark = if f.unsourced { "[unsourced] " } else { "" };
    let kind = f.kind().name();
    // Padded first, marked after: colour never moves a column.
    let padded = crate::text::pad(kind, 24);
    let kind = match crate::report::doc::tone(kind) {
        Some(tone) if columns.color => format!("{}{}", crate::text::marked(tone, kind), &padded[kind.len()..]),
        _ => padded,
    };
    let line = format!(
        "{:>w$}  {}  {}  {kind}  {mark}{}",
        record.seq,
        crate::text::pad(&f.occurred.to_string(), 10),
        crate::text::pad(&crate::text::shown(&tracks.join(",")), 11),
        crate::text::shown(&headline(&record.event)),
        w = columns.seq
    );
    crate::text::cut(&line, columns.width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seq_column_fits_the_last_seq() {
        assert_eq!(seq_width(36), 4);
        assert_eq!(seq_width(9_999), 4);
        assert_eq!(seq_width(10_000), 5);
        let columns = Columns { seq: seq_width(123_456), width: 100, color: false };
        assert!(header(columns).starts_with("   seq  occurred"), "{}", header(columns));
    }
}
