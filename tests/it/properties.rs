//! Invariants over arbitrary input: the parser never panics, dates round-trip, and
//! whatever a batch holds, a rejected batch changes nothing.

use entente::date::PartialDate;
use entente::env::Ids;
use entente::event::parse_line;
use entente::log::{AppendPolicy, Recorder};
use entente::store::Sqlite;
use proptest::prelude::*;

proptest! {
    #[test]
    fn the_parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = parse_line(&text);
    }

    #[test]
    fn the_parser_never_panics_on_near_valid_events(
        kind in prop::sample::select(vec!["meeting_held", "track_opened", "commitment_made", "x"]),
        version in 0u32..3,
        occurred in "[0-9]{4}(-[0-9]{2}){0,2}",
        payload in prop::sample::select(vec!["{}", "[]", "null", "{\"summary\":\"s\"}", "{\"participants\":[]}"]),
    ) {
        let line = format!(r#"{{"kind":"{kind}","version":{version},"tracks":["a"],"occurred":"{occurred}","unsourced":true,"payload":{payload}}}"#);
        if let Err(e) = parse_line(&line) {
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn arbitrary_bytes_fed_to_the_importer_are_rejected_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut store = Sqlite::in_memory().expect("store");
        let before = store.head().expect("head");
        let lines: Vec<(usize, Result<entente::event::Line, entente::event::FieldError>)> = bytes
            .split(|b| *b == b'\n')
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(i, l)| match std::str::from_utf8(l) {
                Ok(text) => (i + 1, parse_line(text)),
                Err(_) => (i + 1, Err(entente::event::FieldError { field: None, message: "not UTF-8".to_owned(), hint: None })),
            })
            .collect();
        let stamp = AppendPolicy { now: chrono::DateTime::UNIX_EPOCH, ids: Ids::Seeded(1), recorder: Recorder::Default("p") };
        match store.append(lines, stamp, None, &mut |_| ()) {
            Ok(()) => {}
            Err(entente::log::LogError::Rejected { problems, .. }) => {
                prop_assert!(problems.iter().all(|p| !p.error.message.is_empty()));
                prop_assert_eq!(store.head().expect("head"), before);
            }
            Err(other) => prop_assert!(false, "not a rejection: {other}"),
        }
    }

    #[test]
    fn near_valid_events_fed_to_the_importer_are_accepted_or_rejected_cleanly(
        field in prop::sample::select(vec!["kind", "version", "tracks", "occurred", "sources", "payload", "id", "recorded_at", "addresses", "follows"]),
        value in prop::sample::select(vec!["null", "1", "-1", "\"\"", "\"x\"", "[]", "{}", "[\"x-y\"]", "\"2021-13\"", "\"9999-12-31\"", "1e999", "\"\\u0000\""]),
    ) {
        let mut store = Sqlite::in_memory().expect("store");
        let track = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020","unsourced":true,"payload":{"title":"X","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#;
        let stamp = AppendPolicy { now: chrono::DateTime::UNIX_EPOCH, ids: Ids::Seeded(1), recorder: Recorder::Default("p") };
        store.append([(1, parse_line(track))], stamp, None, &mut |_| ()).expect("track");
        let before = store.head().expect("head");
        let mut event: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            r#"{"kind":"context_noted","version":1,"tracks":["x-y"],"occurred":"2021","unsourced":true,"payload":{"summary":"s"}}"#,
        ).expect("json");
        match serde_json::from_str::<serde_json::Value>(value) {
            Ok(v) => { event.insert(field.to_owned(), v); }
            Err(_) => { event.insert(field.to_owned(), serde_json::Value::String(value.to_owned())); }
        }
        let line = serde_json::Value::Object(event).to_string();
        match store.append([(1, parse_line(&line))], stamp, None, &mut |_| ()) {
            Ok(()) => prop_assert_eq!(store.count().expect("count"), 2),
            Err(entente::log::LogError::Rejected { problems, .. }) => {
                prop_assert!(problems.iter().all(|p| !p.error.message.is_empty()));
                prop_assert_eq!(store.head().expect("head"), before);
            }
            Err(other) => prop_assert!(false, "not a rejection: {other}"),
        }
    }

    #[test]
    fn well_formed_dates_round_trip(y in 1000i32..9999, m in 1u32..=12, d in 1u32..=28, precision in 0usize..3) {
        let text = [format!("{y}"), format!("{y}-{m:02}"), format!("{y}-{m:02}-{d:02}")][precision].clone();
        let date: PartialDate = text.parse().expect("valid");
        prop_assert_eq!(date.to_string(), text);
        prop_assert!(date.first_day() <= date.last_day());
    }

    #[test]
    fn a_rejected_batch_changes_nothing(good in 0usize..5, bad_at in 0usize..5) {
        let mut store = Sqlite::in_memory().expect("store");
        let track = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020","unsourced":true,"payload":{"title":"X","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#;
        let stamp = AppendPolicy { now: chrono::DateTime::UNIX_EPOCH, ids: Ids::Seeded(1), recorder: Recorder::Default("p") };
        store.append([(1, parse_line(track))], stamp, None, &mut |_| {}).expect("track");
        let before = store.head().expect("head");
        let mut lines: Vec<String> = (0..good)
            .map(|i| format!(r#"{{"kind":"context_noted","version":1,"tracks":["x-y"],"occurred":"2021","unsourced":true,"payload":{{"summary":"{i}"}}}}"#))
            .collect();
        lines.insert(bad_at.min(good), r#"{"kind":"context_noted","version":1,"tracks":["nope"],"occurred":"2021","unsourced":true,"payload":{"summary":"bad"}}"#.to_owned());
        let batch = lines.iter().enumerate().map(|(i, l)| (i + 1, parse_line(l)));
        let result = store.append(batch, stamp, None, &mut |_| ());
        prop_assert!(result.is_err());
        prop_assert_eq!(store.head().expect("head"), before);
        prop_assert_eq!(store.count().expect("count"), 1);
    }
}
