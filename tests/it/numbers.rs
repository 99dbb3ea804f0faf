//! Part 6, class 4: no number or environment variable from outside reaches a panic.
//! Every numeric field of every kind, at its extremes, and every variable the program
//! reads, with hostile values, through the real binary: no panic, a refusal naming the
//! field or variable, and the log exactly as it was — or, for a value in range, one
//! event more.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::process::Output;
use std::sync::OnceLock;

use proptest::prelude::*;

use crate::common::Sandbox;

/// A seeded log, made once; each case works on a copy of it.
fn template() -> &'static Sandbox {
    static SEEDED: OnceLock<Sandbox> = OnceLock::new();
    SEEDED.get_or_init(Sandbox::seeded)
}

fn copy() -> Sandbox {
    let s = Sandbox::empty();
    std::fs::copy(&template().db, &s.db).expect("copy the log");
    s
}

fn no_panic(what: &str, out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_ne!(out.status.code(), Some(101), "{what}: exit 101 (a panic):\n{err}");
    assert!(out.status.code().is_some(), "{what}: killed by a signal:\n{err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    err
}

/// A numeric field of a kind: a line with `@` where the value goes, the field's path
/// as messages name it, and which values it takes.
struct Field {
    kind: &'static str,
    path: &'static str,
    line: &'static str,
    accepts: fn(&str) -> bool,
}

const MEETING: &str = r#"{"kind":"meeting_held","version":1,"tracks":["am-az"],"occurred":"2022-04-12","sources":[{"title":"A source"}],"payload":{"participants":[{"name":"A","party":"am","role":"party"},{"name":"B","party":"az","role":"party"}],"format":"bilateral","mode":"phone"}}"#;

fn whole(v: &str) -> Option<u64> {
    if v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0') || v == "0" { v.parse().ok() } else { None }
}

fn fields() -> Vec<Field> {
    vec![
        Field { kind: "any", path: "version", line: "version", accepts: |v| v == "1" },
        // `"seq":null` is no seq at all: a new event.
        Field { kind: "any", path: "seq", line: "seq", accepts: |v| v == "null" },
        Field {
            kind: "proposal_tabled",
            path: "payload.principles[0].number",
            line: r#"{"kind":"proposal_tabled","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{"proposal":"p-new","by":"am","title":"T","principles":[{"number":@,"text":"x"}]}}"#,
            accepts: |v| whole(v).is_some_and(|n| (1..=u64::from(u32::MAX)).contains(&n)),
        },
        Field {
            kind: "commitment_made",
            path: "payload.deadline.within_days",
            line: r#"{"kind":"commitment_made","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{"commitment":"c-new","parties":["am","az"],"text":"t","deadline":{"within_days":@}}}"#,
            accepts: |v| whole(v).is_some_and(|n| n <= 36_525),
        },
        Field {
            kind: "commitment_made",
            path: "payload.deadline.within_months",
            line: r#"{"kind":"commitment_made","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{"commitment":"c-new","parties":["am","az"],"text":"t","deadline":{"within_months":@}}}"#,
            accepts: |v| whole(v).is_some_and(|n| n <= 1_200),
        },
        Field {
            kind: "deadline_amended",
            path: "payload.deadline.within_days",
            line: r#"{"kind":"deadline_amended","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{"commitment":"am-az-joint-border-commission","deadline":{"within_days":@}}}"#,
            accepts: |v| whole(v).is_some_and(|n| n <= 36_525),
        },
        Field {
            kind: "deadline_amended",
            path: "payload.deadline.within_months",
            line: r#"{"kind":"deadline_amended","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{"commitment":"am-az-joint-border-commission","deadline":{"within_months":@}}}"#,
            accepts: |v| whole(v).is_some_and(|n| n <= 1_200),
        },
        Field {
            kind: "commitment_made",
            path: "payload.deadlines[0].within_days",
            line: r#"{"kind":"commitment_made","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{"commitment":"c-new","parties":["am","az"],"text":"t","deadlines":[{"milestone":"begin","within_days":@}]}}"#,
            accepts: |v| whole(v).is_some_and(|n| n <= 36_525),
        },
        Field {
            kind: "commitment_partially_fulfilled",
            path: "payload.score",
            line: r#"{"kind":"commitment_partially_fulfilled","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{"commitment":"am-az-joint-border-commission","summary":"s","score":@}}"#,
            // `"score":null` is no score given: the rule's 2.
            accepts: |v| v == "null" || whole(v).is_some_and(|n| (1..=2).contains(&n)),
        },
        // Numbers written inside strings: principle references.
        Field {
            kind: "any (addresses)",
            path: "addresses[0]",
            line: "addresses",
            accepts: |v| whole(v).is_some_and(|n| (1..=5).contains(&n)),
        },
        Field {
            kind: "commitment_made",
            path: "payload.principle",
            line: r#"{"kind":"commitment_made","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{"commitment":"c-new","parties":["am","az"],"text":"t","principle":"az-five-principles#@"}}"#,
            accepts: |v| whole(v).is_some_and(|n| (1..=5).contains(&n)),
        },
    ]
}

/// The values every numeric field is tried with: 0, 1, the range ends of u32, i64 and
/// u64 and one past each, negative, huge, float, exponent, string, null.
const VALUES: &[&str] = &[
    "0",
    "1",
    "5",
    "1200",
    "1201",
    "36525",
    "36526",
    "100000000",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999",
    "-1",
    "-9223372036854775809",
    "1.5",
    "1e300",
    "1.0",
    "\"5\"",
    "null",
];

/// The line of `field` with `value` in it.
fn line_with(field: &Field, value: &str) -> String {
    match field.line {
        "version" => MEETING.replacen(r#""version":1"#, &format!(r#""version":{value}"#), 1),
        "seq" => MEETING.replacen('{', &format!(r#"{{"seq":{value},"#), 1),
        "addresses" => {
            MEETING.replacen(r#","payload""#, &format!(r#","addresses":["az-five-principles#{value}"],"payload""#), 1)
        }
        line => line.replace('@', value),
    }
}

/// Appends `line` to a copy of the seeded log; checks the outcome against `accept`.
fn try_line(what: &str, line: &str, field: &str, accept: bool) {
    let s = copy();
    let before = s.fingerprint();
    let file = s.file("case.jsonl", &format!("{line}\n"));
    let out = s.run(&["import", file.to_str().expect("path")]);
    let err = no_panic(what, &out);
    if accept {
        assert!(out.status.success(), "{what}: a value in range was refused:\n{err}");
        assert_eq!(s.fingerprint().0, before.0 + 1, "{what}");
    } else {
        assert_eq!(out.status.code(), Some(1), "{what}: a value out of range was accepted:\n{err}");
        assert!(err.contains(&format!("case.jsonl:1: {field}")), "{what}: the message does not name {field}:\n{err}");
        assert_eq!(s.fingerprint(), before, "{what}: the log changed");
    }
}

#[test]
fn every_numeric_field_at_its_extremes_is_taken_or_refused_by_name() {
    for field in fields() {
        for value in VALUES {
            // Inside a string the quotes of a JSON string are not a number's.
            let value =
                if field.line.contains('#') || field.line == "addresses" { value.trim_matches('"') } else { value };
            let what = format!("{} {} = {value}", field.kind, field.path);
            try_line(&what, &line_with(&field, value), field.path, (field.accepts)(value));
        }
    }
}

#[test]
fn the_issue_example_within_days_100000000_is_refused_not_a_panic() {
    let field = &fields()[3];
    try_line("within_days 100000000", &line_with(field, "100000000"), "payload.deadline.within_days", false);
}

/// Dates are numbers too: years 0001 to 9999, months and days that exist.
#[test]
fn dates_and_times_at_their_extremes_are_taken_or_refused_by_name() {
    let occurred = |d: &str| MEETING.replacen(r#""occurred":"2022-04-12""#, &format!(r#""occurred":"{d}""#), 1);
    // The earliest date is before the track was opened: it says so.
    let early = |d: &str| occurred(d).replacen(r#","payload""#, r#","before_opening":true,"payload""#, 1);
    let recorded = |t: &str| MEETING.replacen('{', &format!(r#"{{"recorded_at":"{t}","#), 1);
    let by = |d: &str| {
        format!(
            r#"{{"kind":"commitment_made","version":1,"tracks":["am-az"],"occurred":"2022-04-12","unsourced":true,"payload":{{"commitment":"c-new","parties":["am","az"],"text":"t","deadline":{{"by":"{d}"}}}}}}"#
        )
    };
    let cases: Vec<(String, &str, bool)> = vec![
        (occurred("0000"), "occurred", false),
        (early("0001"), "occurred", true),
        (occurred("9999-12-31"), "occurred", true),
        (occurred("10000"), "occurred", false),
        (occurred("-0001"), "occurred", false),
        (occurred("+2022"), "occurred", false),
        (occurred("2022-00"), "occurred", false),
        (occurred("2022-13"), "occurred", false),
        (occurred("2022-02-29"), "occurred", false),
        (occurred("2022-04-4294967296"), "occurred", false),
        (by("9999-12"), "", true),
        (by("0000-01"), "payload.deadline.by", false),
        (recorded("2026-11-28T12:00:00Z"), "", true),
        (recorded("9999-12-31T23:59:59-01:00"), "recorded_at", false),
        (recorded("0000-01-01T00:00:00Z"), "recorded_at", false),
        (recorded("0001-01-01T00:00:00+01:00"), "recorded_at", false),
        (recorded("2026-11-28T12:00:00.0000001Z"), "recorded_at", false),
        (recorded("2026-11-28T12:00:00.123456789Z"), "recorded_at", false),
        (recorded("2016-12-31T23:59:60Z"), "recorded_at", false),
        (recorded("+10000-01-01T00:00:00Z"), "recorded_at", false),
    ];
    for (line, field, accept) in cases {
        let field = if field.is_empty() { "recorded_at" } else { field };
        try_line(&line, &line, field, accept);
    }
}

/// Runs `append` with one environment variable set on a copy of the seeded log.
fn with_env(name: &str, value: impl Into<OsString>) -> (Sandbox, (u64, String), Output) {
    let s = copy();
    let before = s.fingerprint();
    let out = s
        .cmd(&["append", "context-noted", "--track", "am-az", "--occurred", "2022", "--summary", "x", "--unsourced"])
        .env(name, value.into())
        .output()
        .expect("run");
    (s, before, out)
}

#[test]
fn every_environment_variable_with_hostile_values_is_refused_by_name_or_taken() {
    let not_unicode = || OsString::from_vec(vec![b'a', 0xff, 0xfe]);
    // (variable, value, taken)
    let mut cases: Vec<(&str, OsString, bool)> = Vec::new();
    for (v, ok) in [
        ("2026-11-28T12:00:00Z", true),
        // A clock fixed ahead of the real one would stamp times to come.
        ("9999-12-31T23:59:59.999999Z", false),
        ("2099-01-01T00:00:00Z", false),
        ("0000-12-31T23:59:59Z", false),
        ("9999-12-31T23:59:59-01:00", false),
        ("10000-01-01T00:00:00Z", false),
        ("+10000-01-01T00:00:00Z", false),
        ("-0001-01-01T00:00:00Z", false),
        ("2026-11-28T12:00:00.0000001Z", false),
        ("2016-12-31T23:59:60Z", false),
        ("2026-11-28", false),
        ("  ", false),
        ("now", false),
        ("99999999999999999999", false),
    ] {
        cases.push(("ENTENTE_NOW", v.into(), ok));
    }
    for (v, ok) in [
        ("0", true),
        ("18446744073709551615", true),
        ("18446744073709551616", false),
        ("-1", false),
        ("1.5", false),
        (" 7", false),
        ("seven", false),
    ] {
        cases.push(("ENTENTE_SEED", v.into(), ok));
    }
    for (v, ok) in [
        ("0", true),
        ("2147483647", true),
        ("2147483648", false),
        ("4294967296", false),
        ("-1", false),
        ("1e3", false),
        ("10s", false),
    ] {
        cases.push(("ENTENTE_BUSY_TIMEOUT_MS", v.into(), ok));
    }
    for (v, ok) in [("analyst", true), (" ", false), ("\t\n", false)] {
        cases.push(("ENTENTE_USER", v.into(), ok));
    }
    for name in ["ENTENTE_NOW", "ENTENTE_SEED", "ENTENTE_BUSY_TIMEOUT_MS", "ENTENTE_USER"] {
        cases.push((name, not_unicode(), false));
    }
    // The first writable instant is a valid clock; but the seeded log was recorded in
    // 2026, and a recording time never goes back, so the log (not the environment)
    // refuses to stamp an event that long before its head.
    let (s, before, out) = with_env("ENTENTE_NOW", "0001-01-01T00:00:00Z");
    let err = no_panic("ENTENTE_NOW=0001", &out);
    assert!(!err.contains("environment variable"), "{err}");
    assert!(err.contains("later than this machine's clock"), "{err}");
    assert_eq!(s.fingerprint(), before);
    for (name, value, taken) in cases {
        let what = format!("{name}={value:?}");
        let (s, before, out) = with_env(name, value);
        let err = no_panic(&what, &out);
        if taken {
            assert!(out.status.success(), "{what} was refused:\n{err}");
            assert_eq!(s.fingerprint().0, before.0 + 1, "{what}");
        } else {
            assert_eq!(out.status.code(), Some(2), "{what} was taken:\n{err}");
            assert!(err.contains(&format!("environment variable {name}=")), "{what}: not named:\n{err}");
            assert_eq!(s.fingerprint(), before, "{what}: the log changed");
        }
    }
}

#[test]
fn user_and_db_and_no_color_are_read_as_documented() {
    // A blank USER (the system's, not entente's) is ignored: recorded as LOGNAME says,
    // and without one as the account's own name (as git does), never as `unknown`.
    let s = copy();
    let out = s
        .cmd(&["append", "context-noted", "--track", "am-az", "--occurred", "2022", "--summary", "x", "--unsourced"])
        .env_remove("ENTENTE_USER")
        .env("USER", "   ")
        .env("LOGNAME", "from-logname")
        .output()
        .expect("run");
    no_panic("USER blank", &out);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(s.ok(&["show", "29"]).contains("by from-logname"));
    // A non-Unicode ENTENTE_DB is a path like any other, never silently ./entente.db.
    let (s, before, out) = with_env("ENTENTE_DB", OsString::from_vec(b"/nonexistent/\xff.db".to_vec()));
    let err = no_panic("ENTENTE_DB not Unicode", &out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert_eq!(s.fingerprint(), before);
    // NO_COLOR takes any value.
    let (_, _, out) = with_env("NO_COLOR", OsString::from_vec(vec![0xff]));
    no_panic("NO_COLOR not Unicode", &out);
    assert!(out.status.success());
}

#[test]
fn the_issue_example_busy_timeout_2147483648_is_refused_not_a_panic() {
    let (s, before, out) = with_env("ENTENTE_BUSY_TIMEOUT_MS", "2147483648");
    let err = no_panic("ENTENTE_BUSY_TIMEOUT_MS=2147483648", &out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("ENTENTE_BUSY_TIMEOUT_MS") && err.contains("0 to 2147483647"), "{err}");
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn numeric_flags_are_ranged_and_named() {
    let s = copy();
    let before = s.fingerprint();
    let append = ["append", "commitment-made", "--track", "am-az", "--occurred", "2022-04-12", "--unsourced"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["status", "--stall-days", "36526"], "--stall-days"),
        (vec!["status", "--stall-days=-1"], "--stall-days"),
        (vec!["status", "--stall-days", "-1"], "--stall-days"),
        (vec!["import", "x.jsonl", "--expect-head", "-1"], "--expect-head"),
        (vec!["status", "--stall-days", "99999999999999999999"], "--stall-days"),
        (vec!["status", "--as-of", "+10000-01-01"], "--as-of"),
        (vec!["status", "--as-of", "0000-01-01"], "--as-of"),
        (vec!["status", "--known-at", "0000-01-01T00:00:00Z"], "--known-at"),
        (vec!["log", "--from", "+99999-01-01"], "--from"),
        (vec!["audit", "--since", "0000-01-01"], "--since"),
        (vec!["show", "99999999999999999999"], "seq 99999999999999999999"),
        (vec!["show", "9223372036854775808"], "seq 9223372036854775808"),
        (vec!["history", "18446744073709551616"], "seq 18446744073709551616"),
        (vec!["diff", "--from", "2022-01-01", "--to", "+10000-01-01"], "+10000-01-01"),
        (vec!["import", "x.jsonl", "--expect-head", "9223372036854775808"], "--expect-head"),
        (vec!["import", "x.jsonl", "--expect-head=-1"], "--expect-head"),
    ];
    let with_deadline = |flag: &'static str, value: &'static str| {
        let mut args = append.to_vec();
        args.extend_from_slice(&["--commitment", "c-new", "--party", "am", "--text", "t", flag, value]);
        (args, flag.split('=').next().unwrap_or(flag))
    };
    let mut cases = cases;
    cases.push(with_deadline("--within-days", "36526"));
    cases.push(with_deadline("--within-days", "4294967296"));
    cases.push(with_deadline("--within-months", "1201"));
    cases.push(with_deadline("--within-months=-5", "--unsourced"));
    cases.push(with_deadline("--within-days", "-5"));
    for (args, named) in cases {
        let out = s.run(&args);
        let err = no_panic(&format!("{args:?}"), &out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(named), "{args:?}: the message does not name {named}:\n{err}");
        assert_eq!(s.fingerprint(), before, "{args:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any integer or float, in any numeric field: taken when in range, else refused
    /// by name; never a panic, never a change on refusal.
    #[test]
    fn any_number_in_any_numeric_field_is_taken_or_refused_cleanly(
        field in 0usize..9,
        value in prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            (0u32..40_000).prop_map(|n| n.to_string()),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
        ],
    ) {
        let fields = fields();
        let field = &fields[field];
        try_line(&format!("{} = {value}", field.path), &line_with(field, &value), field.path, (field.accepts)(&value));
    }
}
