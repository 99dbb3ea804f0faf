//! Every key of every JSON document entente writes is documented: each object key of
//! every JSON golden in projections/, and of the JSON of every command — reading and
//! writing, success and failure — run over logs built from the scenarios, must appear
//! in backticks in a JSON section of projections/README.md (a heading with "JSON" in
//! it). A failure names each key with the command and its JSON path.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{Sandbox, repo, scenarios};

/// JSON paths whose object keys are data, not names a script looks for: what is under
/// them is not checked against the README. A path is the keys from the top, `[]` for
/// any element of an array.
const DATA_KEYED: &[&str] = &[
    // trend: {headline state: count} and {principle state: count}, states as keys.
    "points[].commitments",
    "points[].principles",
    // An event's body, as events/README.md catalogues every kind and field: history's
    // first recording and present form (one history, and every amended event's), and
    // `show`'s record line.
    "first_recorded",
    "now",
    "histories[].first_recorded",
    "histories[].now",
    "event",
    // A correction's `from` and `to` are the corrected field's values, which may be
    // objects of the event's own fields (sources, a deadline).
    "amendments[].changes[].from",
    "amendments[].changes[].to",
    "histories[].amendments[].changes[].from",
    "histories[].amendments[].changes[].to",
    // A rule's reference object as the event wrote it ({`commitment`} / {`instrument`,
    // ...}) is documented; the payload an explain's evidence carries is not shown.
];

/// Every word in backticks in the JSON sections of projections/README.md.
fn documented() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(repo("projections/README.md")).expect("read projections/README.md");
    // The sections' text joined: a span in backticks may run over a line break.
    let mut sections = String::new();
    let mut in_json = false;
    for line in readme.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            in_json = heading.contains("JSON");
            continue;
        }
        if in_json {
            sections.push_str(line);
            sections.push('\n');
        }
    }
    let mut words = BTreeSet::new();
    for span in sections.split('`').skip(1).step_by(2) {
        for word in span.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !word.is_empty() {
                words.insert(word.to_owned());
            }
        }
    }
    words
}

/// Each key of `value` (walked from `path`) that `documented` lacks, as
/// `SOURCE: PATH.KEY`; the subtrees at [`DATA_KEYED`] paths are skipped.
fn undocumented(documented: &BTreeSet<String>, source: &str, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(documented, source, "", value, &mut out);
    out
}

fn walk(documented: &BTreeSet<String>, source: &str, path: &str, value: &Value, out: &mut Vec<String>) {
    if DATA_KEYED.contains(&path) {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let at = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                if !documented.contains(key) {
                    out.push(format!("{source}: {at}"));
                }
                walk(documented, source, &at, inner, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(documented, source, &format!("{path}[]"), item, out);
            }
        }
        _ => {}
    }
}

/// Parses a command's stdout as one JSON document.
fn parse(source: &str, text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{source} did not print one JSON document: {e}\n{text}"))
}

/// Runs `args` in `s` (expecting `ok`) and collects what its JSON stdout leaves undocumented.
fn check(s: &Sandbox, args: &[&str], ok: bool, documented: &BTreeSet<String>, missing: &mut Vec<String>) -> Value {
    let out = s.run(args);
    let source = format!("entente {}", args.join(" "));
    assert_eq!(out.status.success(), ok, "{source}: {}", String::from_utf8_lossy(&out.stderr));
    let value = parse(&source, &String::from_utf8_lossy(&out.stdout));
    assert_eq!(value["format_version"], 1, "{source}");
    missing.extend(undocumented(documented, &source, &value));
    value
}

#[test]
fn a_key_missing_from_the_readme_is_reported_with_its_command_and_path() {
    let documented: BTreeSet<String> =
        ["format_version", "head", "seq", "tracks", "commitments"].map(str::to_owned).into();
    let value = serde_json::json!({
        "format_version": 1,
        "head": {"seq": 1},
        "tracks": [{"seq": 2, "fake_key": true}],
        "points": [{"commitments": {"open": 1}}],
    });
    // `points` is reported; `open` under `points[].commitments` is data, never checked.
    let missing = undocumented(&documented, "entente status", &value);
    assert_eq!(missing, ["entente status: points", "entente status: tracks[].fake_key"]);
}

#[test]
fn every_json_golden_key_is_documented() {
    let documented = documented();
    let mut missing = Vec::new();
    for entry in walkdir(&repo("projections")) {
        if entry.extension().is_some_and(|x| x == "json") {
            let source = entry.strip_prefix(repo("")).unwrap_or(&entry).display().to_string();
            let value = parse(&source, &std::fs::read_to_string(&entry).expect("read golden"));
            assert_eq!(value["format_version"], 1, "{source}");
            assert!(value["head"]["seq"].is_u64(), "{source}: no head seq");
            missing.extend(undocumented(&documented, &source, &value));
        }
    }
    assert!(missing.is_empty(), "keys not documented in projections/README.md:\n{}", missing.join("\n"));
}

#[test]
fn every_command_json_key_is_documented() {
    let documented = documented();
    let mut missing = Vec::new();
    for (name, _) in scenarios() {
        let s = Sandbox::new();
        let file = repo(&format!("events/scenarios/{name}"));
        check(&s, &["import", "--format", "json", file.to_str().expect("utf-8")], true, &documented, &mut missing);
        let view = ["--format", "json", "--as-of", "2026-01-01"];
        let mut status = Value::Null;
        for command in [
            "status",
            "principles",
            "commitments",
            "conditions",
            "instruments",
            "timeline",
            "occasion",
            "sources",
            "deadlines",
            "trend",
        ] {
            let args: Vec<&str> = std::iter::once(command).chain(view).collect();
            let value = check(&s, &args, true, &documented, &mut missing);
            if command == "status" {
                status = value;
            }
        }
        if let Some(track) = status["tracks"][0]["id"].as_str() {
            let args: Vec<&str> = ["explain", track].into_iter().chain(view).collect();
            check(&s, &args, true, &documented, &mut missing);
        }
        let diff = ["diff", "--from", "2000-01-01", "--to", "2026-01-01", "--format", "json"];
        check(&s, &diff, true, &documented, &mut missing);
        for args in [
            &["audit", "--format", "json"][..],
            &["history", "1", "--format", "json"],
            &["show", "1", "--format", "json"],
            &["verify", "--format", "json"],
        ] {
            check(&s, args, true, &documented, &mut missing);
        }
    }
    // The writing commands, over the seed, and a failure of each kind.
    let s = Sandbox::empty();
    check(&s, &["init", "--format", "json"], true, &documented, &mut missing);
    let seed = repo("events/scenarios/seed.jsonl");
    check(&s, &["import", "--format", "json", seed.to_str().expect("utf-8")], true, &documented, &mut missing);
    // `append` takes --format before the kind (a meeting's kind has a --format of its own).
    let statement = [
        "append",
        "--format",
        "json",
        "statement-made",
        "--track",
        "am-az",
        "--occurred",
        "2022-05-01",
        "--actor",
        "am",
        "--summary",
        "A statement",
        "--source",
        "A paper",
    ];
    check(&s, &statement, true, &documented, &mut missing);
    for args in [
        &["correct", "29", "--reason", "typo", "--set", "payload.summary=Another", "--format", "json"][..],
        &["dispute", "29", "--source", "Another paper", "--note", "no", "--format", "json"],
        &["cite", "29", "--source", "A third paper", "--format", "json"],
        &["retract", "29", "--reason", "not said", "--format", "json"],
        &["history", "29", "--format", "json"],
        &["export", "--out", "out.jsonl", "--format", "json"],
        &["replay", "--out", "reports", "--as-of", "2026-01-01", "--format", "json"],
        &["brief", "--out", "brief.html", "--as-of", "2026-01-01", "--format", "json"],
        &["brief", "--check", "brief.html", "--format", "json"],
    ] {
        check(&s, args, true, &documented, &mut missing);
    }
    let bad = s.file("bad.jsonl", "{\"kind\":\"nope\"}\n");
    check(&s, &["import", "--format", "json", bad.to_str().expect("utf-8")], false, &documented, &mut missing);
    check(
        &s,
        &["append", "--json", bad.to_str().expect("utf-8"), "--format", "json"],
        false,
        &documented,
        &mut missing,
    );
    check(&s, &["retract", "999", "--reason", "x", "--format", "json"], false, &documented, &mut missing);
    let scenarios = repo("events/scenarios");
    let replay = ["replay", "--scenarios", scenarios.to_str().expect("utf-8"), "--out", "goldens", "--format", "json"];
    check(&s, &replay, true, &documented, &mut missing);
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "keys not documented in projections/README.md:\n{}", missing.join("\n"));
}

/// Every file under `dir`, recursively.
fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}
