//! Invariants of the pure core over arbitrary input: the parser never panics and dates
//! round-trip. What the log makes of arbitrary batches is in `conformance.rs`, for
//! every backend.

use entente::date::PartialDate;
use entente::event::parse_line;
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
    fn well_formed_dates_round_trip(y in 1000i32..9999, m in 1u32..=12, d in 1u32..=28, precision in 0usize..3) {
        let text = [format!("{y}"), format!("{y}-{m:02}"), format!("{y}-{m:02}-{d:02}")][precision].clone();
        let date: PartialDate = text.parse().expect("valid");
        prop_assert_eq!(date.to_string(), text);
        prop_assert!(date.first_day() <= date.last_day());
    }
}
