//! iCalendar read back by a real parser (the `ical` crate): every golden calendar in
//! projections/deadlines/ and one written from a hostile log (long lines, multibyte
//! characters at fold boundaries, `;` `,` `\` and line breaks in text). Every physical
//! line is at most 75 octets and ends with CRLF, the parser finds every event with its
//! all-day dates and a unique UID, each property's value is the writer's logical line,
//! and the text of the log comes back from SUMMARY and DESCRIPTION once unescaped.

use std::collections::BTreeSet;

use entente::report::ics::{LINE_OCTETS, unfold};
use ical::parser::ical::component::IcalCalendar;

use crate::common::{Sandbox, repo, scenarios};
use crate::hostile_text::{load, scenario};

/// The calendars in `text`, as the parser reads them.
fn parsed(what: &str, text: &str) -> Vec<IcalCalendar> {
    ical::IcalParser::new(text.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{what}: the parser refused it: {e}"))
}

/// A TEXT value unescaped (RFC 5545 3.3.11).
fn unescaped(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// Checks a calendar's lines and what the parser reads from it; its events' unescaped
/// SUMMARY and DESCRIPTION values.
fn check(what: &str, text: &str) -> Vec<(String, String)> {
    assert!(text.ends_with("\r\n"), "{what}: not ended by CRLF");
    for line in text.split_terminator("\r\n") {
        assert!(line.len() <= LINE_OCTETS, "{what}: a line of {} octets: {line:?}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'), "{what}: a bare line break in {line:?}");
    }
    let logical = unfold(text);
    let calendars = parsed(what, text);
    assert_eq!(calendars.len(), 1, "{what}: one calendar");
    let cal = &calendars[0];
    let events = text.matches("\r\nBEGIN:VEVENT\r\n").count();
    assert_eq!(cal.events.len(), events, "{what}: the events");
    let mut uids = BTreeSet::new();
    let mut texts = Vec::new();
    for event in &cal.events {
        let get = |name: &str| {
            event.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default()
        };
        assert!(uids.insert(get("UID")), "{what}: UID {} twice", get("UID"));
        for p in &event.properties {
            // Each value the parser read is the one the writer folded.
            let params: String = p.params.iter().flatten().map(|(k, v)| format!(";{k}={}", v.join(","))).collect();
            let line = format!("{}{params}:{}", p.name, p.value.clone().unwrap_or_default());
            assert!(logical.contains(&line), "{what}: the parser read {line:?}, which the writer did not write");
        }
        let start = chrono::NaiveDate::parse_from_str(&get("DTSTART"), "%Y%m%d").expect("an all-day DTSTART");
        let end = chrono::NaiveDate::parse_from_str(&get("DTEND"), "%Y%m%d").expect("an all-day DTEND");
        assert_eq!(end, start.succ_opt().expect("a next day"), "{what}: an event of one day");
        assert!(get("SEQUENCE").parse::<u32>().is_ok(), "{what}: SEQUENCE");
        texts.push((unescaped(&get("SUMMARY")), unescaped(&get("DESCRIPTION"))));
    }
    texts
}

#[test]
fn every_golden_calendar_parses_with_one_all_day_event_per_deadline() {
    let mut events = 0;
    let mut month = false;
    for (name, _) in scenarios() {
        let stem = name.strip_suffix(".jsonl").expect("jsonl");
        let path = repo(&format!("projections/deadlines/{stem}.ics"));
        let text = std::fs::read_to_string(&path).expect("golden calendar");
        let csv = std::fs::read_to_string(repo(&format!("projections/deadlines/{stem}.csv"))).expect("golden CSV");
        let texts = check(&path.display().to_string(), &text);
        // One event per deadline the CSV lists (its rows have no line break: the
        // scenarios' texts have none).
        assert_eq!(texts.len(), csv.lines().count() - 1, "{stem}: events and CSV rows");
        events += texts.len();
        month |= texts.iter().any(|(summary, _)| summary.contains("(month precision: by end of "));
    }
    assert!(events >= 10, "the golden calendars hold only {events} events");
    assert!(month, "no golden calendar shows a month-precision deadline");
}

#[test]
fn a_calendar_of_a_hostile_log_parses_and_keeps_its_text() {
    // Long texts with `;` `,` `\` and line breaks, and multibyte characters at every
    // offset, so that folds fall inside them.
    let hostile = |tag: &str| format!("{tag} a;b,c\\d\ne\r\n{}", "Kılıç €😀 ".repeat(9 + tag.len() % 7));
    let s = Sandbox::new();
    load(&s, &scenario(&hostile));
    let text = s.ok(&["deadlines", "--all", "--format", "ics"]);
    let texts = check("the hostile calendar", &text);
    assert!(!texts.is_empty(), "no event in the hostile calendar:\n{text}");
    let ctext = entente::text::shown(&hostile("Ctext")).into_owned();
    assert!(texts.iter().any(|(summary, _)| summary.starts_with(&ctext)), "SUMMARY lost the text: {texts:?}");
    assert!(texts.iter().any(|(_, description)| description.contains(&ctext)), "DESCRIPTION lost the text: {texts:?}");
    // The amended deadline is the same entry, one amendment on.
    assert!(text.contains("\r\nSEQUENCE:1\r\n"), "{text}");
}

#[test]
fn an_amended_deadline_only_ever_moves_forward_in_a_calendar() {
    // RFC 5546: a calendar ignores an entry whose SEQUENCE is not higher than the one it
    // holds, so a retracted amendment must raise SEQUENCE too, never take it back.
    let s = Sandbox::new();
    let append = |args: &[&str]| {
        let out = s.ok(args);
        out.split_whitespace().nth(4).expect("the id appended").to_owned()
    };
    append(&[
        "append",
        "track-opened",
        "--track",
        "x-y",
        "--title",
        "X–Y",
        "--party",
        "x=X",
        "--party",
        "y=Y",
        "--occurred",
        "2026-01-10",
        "--unsourced",
    ]);
    append(&[
        "append",
        "commitment-made",
        "--track",
        "x-y",
        "--commitment",
        "c1",
        "--party",
        "x",
        "--text",
        "Do it",
        "--by",
        "2026-12-20",
        "--occurred",
        "2026-02-01",
        "--unsourced",
    ]);
    let sequence = |s: &Sandbox| -> (u32, String) {
        let text = s.ok(&["deadlines", "--all", "--format", "ics"]);
        let line = |key: &str| {
            text.split("\r\n")
                .find_map(|l| l.strip_prefix(key))
                .unwrap_or_else(|| panic!("{key} in\n{text}"))
                .to_owned()
        };
        (line("SEQUENCE:").parse().expect("a number"), line("DTSTART;VALUE=DATE:"))
    };
    assert_eq!(sequence(&s), (0, "20261220".to_owned()));
    let amended = append(&[
        "append",
        "deadline-amended",
        "--track",
        "x-y",
        "--commitment",
        "c1",
        "--by",
        "2027-03-01",
        "--reason",
        "More time",
        "--occurred",
        "2026-03-01",
        "--unsourced",
    ]);
    assert_eq!(sequence(&s), (1, "20270301".to_owned()));
    s.ok(&["retract", &amended, "--reason", "Misreported"]);
    assert_eq!(sequence(&s), (2, "20261220".to_owned()), "a retraction took SEQUENCE back");
}
