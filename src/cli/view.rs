//! The options every read command shares (`--as-of`, `--known-at`, `--stall-days`,
//! `--format`), and the ways a command reads the log as a view (from `app::status`).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{CommandError, Ctx};

use crate::projection::{DEFAULT_STALL_DAYS, View};
use crate::report::Format;

/// How a read command sees the log.
#[derive(Debug, Clone, clap::Args)]
pub struct ViewArgs {
    /// Judge the world as of this day: only events whose date has surely passed count
    /// (an event dated 2022-04 counts from 2022-04-30), and deadlines are judged then
    /// [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub as_of: Option<NaiveDate>,

    /// Only what the log had recorded by then: an RFC 3339 timestamp, or a day (its end,
    /// UTC) [default: everything].
    #[arg(long, value_name = "TIME", value_parser = parse_known_at)]
    pub known_at: Option<DateTime<Utc>>,

    /// Days without progress after which an open commitment counts as stalled (0 to
    /// 36525, one hundred years) [default: the project file's stall_days, else 180].
    #[arg(long, value_name = "DAYS",
          value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::date::MAX_WITHIN_DAYS)), allow_negative_numbers = true)]
    pub stall_days: Option<u32>,
}

/// Parses a day given as a flag: YYYY-MM-DD, years 0001 to 9999 (what the log's dates
/// can be written as).
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let four_digit_year = text.len() == 10 && text.as_bytes().first().is_some_and(u8::is_ascii_digit);
    match text.parse::<NaiveDate>() {
        Ok(day) if four_digit_year && day.year() >= 1 => Ok(day),
        Ok(_) => Err(format!("`{text}` is outside the years 0001 to 9999; write YYYY-MM-DD")),
        Err(_) => Err(not_a_day(text)),
    }
}

/// Why `text` is not a day, in words: a month or a year is named as such, with the
/// days that would do (chrono's own reasons, "premature end of input", say nothing to
/// an analyst).
fn not_a_day(text: &str) -> String {
    // `text` goes in as given: the CLI escapes the whole message as it prints it.
    match text.parse::<crate::date::PartialDate>() {
        Ok(date) if date.first_day() != date.last_day() => format!(
            "`{text}` is {}, not a day; write a day as YYYY-MM-DD, such as {} (its last) or {} (its first)",
            match date.precision() {
                crate::date::Precision::Month => "a month",
                crate::date::Precision::Year => "a year",
                _ => "a span",
            },
            date.last_day(),
            date.first_day()
        ),
        _ => format!("`{text}` is not a day; write it as YYYY-MM-DD, such as 2023-05-31"),
    }
}

/// Parses `--known-at`: an RFC 3339 timestamp or a day (its end, UTC), within the times
/// the log can record (years 0001 to 9999).
pub fn parse_known_at(text: &str) -> Result<DateTime<Utc>, String> {
    let at = match DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => {
            let day: NaiveDate = text
                .parse()
                .map_err(|_| format!("`{text}` is neither an RFC 3339 timestamp nor a date (YYYY-MM-DD)"))?;
            let end = day.and_hms_micro_opt(23, 59, 59, 999_999).ok_or_else(|| format!("`{text}` is out of range"))?;
            end.and_utc()
        }
    };
    let (first, last) = crate::event::recording_time_range();
    if at < first || at > last {
        return Err(format!("`{text}` is outside the years 0001 to 9999 (UTC), the times the log can record"));
    }
    Ok(at)
}

/// The formats of a command that writes a document only: no CSV, no calendar.
pub const DOCUMENTS: &[Format] = &[Format::Text, Format::Json, Format::Markdown];

/// The output format of a read command.
#[derive(Debug, Clone, clap::Args)]
pub struct FormatArg {
    /// The output format; each command writes some of these, and refuses the others
    /// naming those it writes [default: the project file's format where the command
    /// writes it, else text].
    #[arg(long, value_parser = format_parser())]
    pub format: Option<Format>,
}

impl FormatArg {
    /// Whether `--format` asked for exactly `format`.
    pub fn is(&self, format: Format) -> bool {
        self.format == Some(format)
    }

    /// The format asked for, when `command` writes it (`formats`); a usage error naming
    /// the formats it writes otherwise. Without `--format`, the project file's format
    /// where the command writes it, else text. Every read command calls this:
    /// `--format` lists every format, and no command writes them all.
    pub fn only(&self, ctx: &Ctx<'_>, command: &str, formats: &[Format]) -> Result<Format, CommandError> {
        match self.format {
            None => Ok(ctx.defaults.format.filter(|f| formats.contains(f)).unwrap_or(Format::Text)),
            Some(format) => written(command, format, formats),
        }
    }
}

/// `format`, when `command` writes it (`formats`); a usage error naming the formats it
/// writes otherwise.
pub fn written(command: &str, format: Format, formats: &[Format]) -> Result<Format, CommandError> {
    if formats.contains(&format) {
        return Ok(format);
    }
    let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
    let list = match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "nothing".to_owned(),
    };
    Err(CommandError::Usage(format!("`entente {command}` does not write --format {}; it writes {list}", format.name())))
}

/// Parses `--format` into a [`Format`], exactly as clap parses and refuses a closed set.
pub fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser as _;
    clap::builder::EnumValueParser::<FormatValue>::new().map(|value| value.0)
}

/// A value of `--format`: a [`Format`], named from its one table, with a line of help.
#[derive(Clone, Copy, Debug)]
struct FormatValue(Format);

impl FormatValue {
    /// Every format, in the table's order.
    const ALL: [FormatValue; <Format as crate::names::Named>::ALL.len()] = {
        let formats = <Format as crate::names::Named>::ALL;
        let mut all = [FormatValue(Format::Text); <Format as crate::names::Named>::ALL.len()];
        let mut i = 0;
        while i < formats.len() {
            all[i] = FormatValue(formats[i]);
            i += 1;
        }
        all
    };
}

impl clap::ValueEnum for FormatValue {
    fn value_variants<'a>() -> &'a [FormatValue] {
        &FormatValue::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let help = match self.0 {
            Format::Text => "Aligned text for a terminal",
            Format::Json => "JSON for scripts and jq",
            Format::Markdown => "Markdown for a brief",
            Format::Csv => "CSV (RFC 4180) for a spreadsheet",
            Format::Ics => "iCalendar (RFC 5545) for a calendar: `deadlines` only",
            Format::Html => "One self-contained HTML page: status, principles, commitments, timeline, explain",
            Format::Mermaid => "A Mermaid diagram in a fenced block: commitments (gantt), timeline",
        };
        Some(clap::builder::PossibleValue::new(self.0.name()).help(help))
    }
}

impl ViewArgs {
    /// The view these options describe, today taken from the clock.
    pub fn view(&self, ctx: &Ctx<'_>) -> View {
        View {
            as_of: self.as_of.unwrap_or_else(|| ctx.env.clock.now().date_naive()),
            known_at: self.known_at,
            stall_days: self.stall_days.or(ctx.defaults.stall_days).unwrap_or(DEFAULT_STALL_DAYS),
        }
    }
}

#[cfg(test)]
mod day_tests {
    use super::parse_day;

    #[test]
    fn a_month_or_a_year_given_for_a_day_is_named_with_the_days_that_would_do() {
        let month = parse_day("2023-05").expect_err("a month");
        assert!(
            month.contains("`2023-05` is a month, not a day") && month.contains("2023-05-31 (its last)"),
            "{month}"
        );
        let year = parse_day("2023").expect_err("a year");
        assert!(year.contains("is a year, not a day") && year.contains("2023-01-01 (its first)"), "{year}");
        let garbage = parse_day("yesterday").expect_err("not a date");
        assert!(garbage.contains("`yesterday` is not a day; write it as YYYY-MM-DD"), "{garbage}");
        assert!(!garbage.contains("premature"), "{garbage}");
    }
}
