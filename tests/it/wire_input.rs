//! Part 6, class 6 (wire input): a line that is not an event object, a payload that
//! is not an object, a blank `recorded_by`, and a recording time finer than the log's
//! microsecond are refused with a message naming the line and field — never read
//! positionally, stamped as nobody, or silently cut. The log is unchanged.

use crate::common::Sandbox;

/// Imports each line alone into a copy of one seeded log; `Some(fragment)` expects a
/// refusal naming line 1 with that fragment, `None` acceptance.
fn check(cases: &[(String, Option<&str>)]) {
    let seeded = Sandbox::seeded();
    for (line, expected) in cases {
        let s = Sandbox::empty();
        std::fs::copy(&seeded.db, &s.db).expect("copy");
        let before = s.fingerprint();
        let file = s.file("in.jsonl", &format!("{line}\n"));
        let out = s.run(&["import", file.to_str().expect("path")]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{line}: {err}");
        match expected {
            Some(fragment) => {
                assert_eq!(out.status.code(), Some(1), "{line} was not refused: {err}");
                assert!(err.contains(&format!("in.jsonl:1: {fragment}")), "{line}: lacks {fragment:?}: {err}");
                assert_eq!(s.fingerprint(), before, "{line}: the log changed");
            }
            None => {
                assert!(out.status.success(), "{line} was refused: {err}");
                assert_eq!(s.fingerprint().0, before.0 + 1);
            }
        }
    }
}

const NOTE: &str = r#"{"kind":"context_noted","version":1,"tracks":["am-az"],"occurred":"2022","unsourced":true,"payload":{"summary":"x"}}"#;

#[test]
fn only_an_object_is_an_event() {
    // The old parser read this array positionally, field by field, and logged it.
    let positional = r#"[null,null,"context_noted",1,["am-az"],"2022",null,null,[],true,{"summary":"x"},[],[],[],[],null,null,null]"#;
    let not_objects = [
        (positional, "the line is a JSON array, not an event"),
        ("[]", "the line is a JSON array"),
        (r#""an event""#, "the line is a JSON string"),
        ("42", "the line is a number"),
        ("-1", "the line is a number"),
        ("null", "the line is JSON null"),
        ("true", "the line is a JSON boolean"),
    ];
    let mut cases: Vec<(String, Option<&str>)> =
        not_objects.iter().map(|(l, what)| (l.to_string(), Some(*what))).collect();
    cases.push((NOTE.replace(r#"{"summary":"x"}"#, r#"["x"]"#), Some("payload: the payload is a JSON array")));
    cases.push((NOTE.replace(r#"{"summary":"x"}"#, "7"), Some("payload: the payload is a number")));
    cases.push((NOTE.to_owned(), None));
    check(&cases);
}

#[test]
fn a_blank_recorder_is_refused() {
    let by = |who: &str| NOTE.replacen(r#""unsourced""#, &format!(r#""recorded_by":{who},"unsourced""#), 1);
    check(&[
        (by(r#""""#), Some("recorded_by: is blank")),
        (by(r#""   ""#), Some("recorded_by: is blank")),
        (by(r#""\t\n""#), Some("recorded_by: is blank")),
        (by(r#""analyst""#), None),
    ]);
}

#[test]
fn a_recording_time_finer_than_a_microsecond_is_refused_not_cut() {
    let at = |t: &str| NOTE.replacen(r#""unsourced""#, &format!(r#""recorded_at":"{t}","unsourced""#), 1);
    check(&[
        (
            at("2026-11-28T12:00:00.0000001Z"),
            Some("recorded_at: `2026-11-28T12:00:00.0000001Z` is finer than a microsecond"),
        ),
        (at("2026-11-28T12:00:00.000000999Z"), Some("recorded_at:")),
        (at("2026-11-28T12:00:00.123456Z"), None),
        (at("2026-11-28T12:00:00.123456000Z"), None),
    ]);
}
