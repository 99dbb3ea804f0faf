//! The deadlines report: every deadline with a day, by day — its commitment, milestone,
//! outcome and the event that set it — as text, JSON, CSV, or an iCalendar of all-day
//! events a calendar can subscribe to.
//!
//! In the calendar each deadline is one `VEVENT` whose `UID` names the track, the
//! commitment and the milestone (`TRACK/COMMITMENT/MILESTONE@entente`), so an amended
//! deadline moves the same entry: its `SEQUENCE` counts the revisions of the
//! commitment's deadlines (every event that set one and every amendment of those, so it
//! never goes down, not even when an amendment is retracted), its `DTSTAMP` is when
//! the latest of them was recorded (stable, so the file is too). A date
//! given as a month (or a year) falls on its last day, and says so.
//!
//! Presentation only: the list is `projection::deadlines`'s.

use serde::Serialize;

use super::doc::Doc;
use super::{Format, Output, ViewHead, view_line};
use crate::date::Precision;
use crate::event::{Source, format_recorded_at};
use crate::projection::Header;
use crate::projection::deadlines::DeadlineItem;

#[derive(Serialize)]
struct Item<'a> {
    #[serde(flatten)]
    item: &'a DeadlineItem,
    recorded_at: Option<String>,
}

#[derive(Serialize)]
struct Out<'a> {
    #[serde(flatten)]
    view: ViewHead,
    deadlines: Vec<Item<'a>>,
}

/// The deadlines `list` of the view `head` describes, in `format`.
pub fn render(head: &Header, list: &[DeadlineItem], format: Format, layout: super::Layout) -> String {
    match format {
        Format::Csv => return csv(list),
        Format::Ics => return ics(list),
        Format::Text | Format::Json | Format::Markdown | Format::Html | Format::Mermaid => {}
    }
    match Output::of(format, layout) {
        Output::Json => super::document(
            head.head,
            &Out {
                view: ViewHead::of(head),
                deadlines: list
                    .iter()
                    .map(|item| Item { item, recorded_at: item.recorded_at.as_ref().map(format_recorded_at) })
                    .collect(),
            },
        ),
        Output::Doc(doc) => document(doc, head, list),
    }
}

/// The day it falls due, with the date as given when that was less precise than a day.
fn due(d: &DeadlineItem) -> String {
    match (&d.stated, d.precision) {
        (Some(stated), p) if p != Precision::Day => format!("{} (by end of {stated})", d.due),
        _ => d.due.to_string(),
    }
}

fn document(mut doc: Doc, head: &Header, list: &[DeadlineItem]) -> String {
    doc.title(&format!("Deadlines — {}", view_line(head)));
    if list.is_empty() {
        doc.para("No deadline with a day falls in this window.");
        return doc.finish();
    }
    for d in list {
        let set = match d.amendments {
            0 => format!("seq {}", d.seq),
            n => format!("seq {} (amended {n}×)", d.seq),
        };
        let mut fields = vec![
            ("due", due(d)),
            ("commitment", format!("{} [{}]", d.commitment, d.track)),
            ("milestone", d.milestone.words().to_owned()),
            ("outcome", format!("{} · state {}", d.outcome.words(), d.state.words())),
            ("set by", set),
        ];
        if let Some(words) = &d.words {
            let reading = if d.interpreted { " (the date is the analyst's interpretation)" } else { "" };
            fields.push(("words", format!("\u{201c}{words}\u{201d}{reading}")));
        }
        fields.push(("text", d.text.clone()));
        doc.fields(&fields);
    }
    doc.finish()
}

/// One row per deadline (projections/README.md names each column).
fn csv(list: &[DeadlineItem]) -> String {
    use super::csv::{Table, flag, maybe_date, seqs};
    let mut table = Table::new([
        "due",
        "due_precision",
        "stated",
        "stated_precision",
        "track",
        "commitment",
        "milestone",
        "outcome",
        "state",
        "parties",
        "text",
        "words",
        "interpreted",
        "seq",
        "recorded_at",
        "amendments",
        "evidence",
    ]);
    for d in list {
        let [stated, stated_precision] = maybe_date(d.stated.as_ref());
        table.row([
            d.due.to_string(),
            d.precision.name().to_owned(),
            stated,
            stated_precision,
            d.track.to_string(),
            d.commitment.to_string(),
            d.milestone.name().to_owned(),
            d.outcome.name().to_owned(),
            d.state.name().to_owned(),
            d.parties.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" "),
            d.text.clone(),
            d.words.clone().unwrap_or_default(),
            flag(d.interpreted),
            d.seq.to_string(),
            d.recorded_at.as_ref().map_or(String::new(), format_recorded_at),
            d.amendments.to_string(),
            seqs(&d.evidence),
        ]);
    }
    table.finish()
}

/// Text from the log as a calendar holds it: control characters, line breaks and bidi
/// controls shown escaped (`text::shown`), then escaped as iCalendar TEXT.
fn shown(text: &str) -> String {
    super::ics::text(&crate::text::shown(text))
}

/// A URL a calendar may link: http or https, with nothing in it that could end or
/// break the line (no control, space or bidi character).
fn link(sources: &[Source]) -> Option<&str> {
    sources.iter().filter_map(|s| s.url.as_deref()).find(|u| {
        let lower = u.to_ascii_lowercase();
        (lower.starts_with("http://") || lower.starts_with("https://"))
            && !u.chars().any(|c| c.is_whitespace() || crate::text::is_unsafe(c))
    })
}

/// The calendar: one all-day event per deadline.
fn ics(list: &[DeadlineItem]) -> String {
    let mut cal = super::ics::Calendar::new("entente deadlines");
    for d in list {
        // The latest revision of its deadlines, as SEQUENCE counts them: a calendar
        // takes the entry with the higher SEQUENCE, and a retraction raises it too.
        let stamp = d
            .revised_at
            .or(d.recorded_at)
            .map_or_else(|| d.due.format("%Y%m%dT000000Z").to_string(), |t| t.format("%Y%m%dT%H%M%SZ").to_string());
        let uid = format!("{}/{}/{}@entente", d.track, d.commitment, d.milestone.name());
        let mut summary = format!("{} — {} ({})", d.text, d.milestone.words(), d.commitment);
        if let (Some(stated), p) = (&d.stated, d.precision)
            && p != Precision::Day
        {
            summary.push_str(&format!(" ({} precision: by end of {stated})", p.name()));
        }
        let mut description = vec![
            format!("Commitment {} on track {}: {}", d.commitment, d.track, d.text),
            format!("Owed by: {}", d.parties.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")),
            format!("Outcome: {}; state: {}", d.outcome.words(), d.state.words()),
            format!("Deadline ({}) set by seq {}, amended {} time(s)", d.milestone.words(), d.seq, d.amendments),
        ];
        if let Some(words) = &d.words {
            let reading = if d.interpreted { " (the date is the analyst's interpretation)" } else { "" };
            description.push(format!("Words: \u{201c}{words}\u{201d}{reading}"));
        }
        description.push(format!(
            "Evidence: {}",
            d.evidence.iter().map(|s| format!("seq {s}")).collect::<Vec<_>>().join(", ")
        ));
        for s in &d.sources {
            description.push(format!("Source: {}", super::source_line(s)));
        }
        let description: Vec<String> = description.iter().map(|line| shown(line)).collect();
        cal.line("BEGIN", "VEVENT");
        cal.line("UID", &shown(&uid));
        cal.line("DTSTAMP", &stamp);
        cal.line("SEQUENCE", &d.revision.to_string());
        cal.line("DTSTART;VALUE=DATE", &d.due.format("%Y%m%d").to_string());
        // RFC 5545 dates have four-digit years: a deadline on 9999-12-31 has no next
        // day to end on, and a date-valued DTSTART alone lasts that one day.
        if let Some(next) = d.due.succ_opt().filter(|next| chrono::Datelike::year(next) <= 9999) {
            cal.line("DTEND;VALUE=DATE", &next.format("%Y%m%d").to_string());
        }
        cal.line("SUMMARY", &shown(&summary));
        cal.line("DESCRIPTION", &description.join("\\n"));
        cal.line("TRANSP", "TRANSPARENT");
        cal.line("X-ENTENTE-PRECISION", d.precision.name());
        cal.line("X-ENTENTE-OUTCOME", d.outcome.name());
        if let Some(url) = link(&d.sources) {
            cal.line("URL", url);
        }
        cal.line("END", "VEVENT");
    }
    cal.finish()
}
