//! JSON from every command, and `--quiet`: the head a document names is the log's
//! (seq and chain hash), a failure asked for in JSON is one JSON object on stdout and
//! leaves the log as it was, and `--quiet` prints nothing on success.

use serde_json::Value;

use crate::common::{Sandbox, repo, scenarios};

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON document: {e}\n{text}"))
}

#[test]
fn a_golden_names_the_head_its_scenario_has_once_imported() {
    for (name, _) in scenarios() {
        let s = Sandbox::new();
        s.ok(&["import", repo(&format!("events/scenarios/{name}")).to_str().expect("utf-8")]);
        let (seq, hash) = s.fingerprint();
        let stem = name.trim_end_matches(".jsonl");
        let golden = json(&std::fs::read_to_string(repo(&format!("projections/status/{stem}.json"))).expect("golden"));
        assert_eq!(golden["head"]["seq"], seq, "{name}");
        assert_eq!(golden["head"]["hash"], hash.as_str(), "{name}");
    }
}

#[test]
fn every_document_names_the_log_head_and_an_empty_log_names_none() {
    let s = Sandbox::new();
    let empty = json(&s.ok(&["status", "--format", "json"]));
    assert_eq!(empty["format_version"], 1);
    assert_eq!(empty["head"], serde_json::json!({"seq": 0, "hash": null}));
    let s = Sandbox::seeded();
    let (seq, hash) = s.fingerprint();
    for args in [
        &["status", "--format", "json"][..],
        &["sources", "--format", "json"],
        &["audit", "--format", "json"],
        &["history", "3", "--format", "json"],
        &["show", "3", "--format", "json"],
        &["diff", "--from", "2021-01-01", "--to", "2023-01-01", "--format", "json"],
        &["verify", "--format", "json"],
    ] {
        let doc = json(&s.ok(args));
        assert_eq!(doc["format_version"], 1, "{args:?}");
        assert_eq!(doc["head"]["seq"], seq, "{args:?}");
        assert_eq!(doc["head"]["hash"], hash.as_str(), "{args:?}");
    }
    // A view that knew less names the head it knew.
    let past = json(&s.ok(&["status", "--format", "json", "--known-at", "2000-01-01"]));
    assert_eq!(past["head"], serde_json::json!({"seq": 0, "hash": null}));
}

#[test]
fn an_append_in_json_lists_what_it_appended_and_the_head_after() {
    let s = Sandbox::seeded();
    let file = s.file(
        "two.jsonl",
        "{\"kind\":\"context_noted\",\"version\":1,\"tracks\":[\"am-az\"],\"occurred\":\"2023-07\",\"unsourced\":true,\"payload\":{\"summary\":\"One.\"}}\n\
         {\"kind\":\"context_noted\",\"version\":1,\"tracks\":[\"am-az\"],\"occurred\":\"2023-08\",\"unsourced\":true,\"payload\":{\"summary\":\"Two.\"}}\n",
    );
    let doc = json(&s.ok(&["append", "--format", "json", "--json", file.to_str().expect("utf-8")]));
    let (seq, hash) = s.fingerprint();
    assert_eq!(doc["command"], "append");
    assert_eq!(doc["appended_count"], 2);
    let appended = doc["appended"].as_array().expect("list");
    assert_eq!(appended.iter().map(|a| a["seq"].as_u64().expect("seq")).collect::<Vec<_>>(), [29, 30]);
    assert!(appended.iter().all(|a| a["kind"] == "context_noted"));
    assert_eq!((doc["head"]["seq"].as_u64(), doc["head"]["hash"].as_str()), (Some(seq), Some(hash.as_str())));
}

#[test]
fn a_failure_asked_for_in_json_is_one_json_object_and_the_log_is_untouched() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let bad = s.file(
        "bad.jsonl",
        "{\"kind\":\"context_noted\",\"version\":1,\"tracks\":[\"am-az\"],\"occurred\":\"2023-07\",\"unsourced\":true,\"payload\":{\"summary\":\"Fine.\"}}\n\
         {\"kind\":\"context_noted\",\"version\":1,\"tracks\":[\"am-az\"],\"occurred\":\"2023-08\",\"unsourced\":true,\"payload\":{\"summary\":\"  \"}}\n",
    );
    let out = s.run(&["import", "--format", "json", bad.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["error"]["exit_code"], 1);
    let problems = doc["error"]["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 1, "{doc}");
    assert_eq!(problems[0]["line"], 2);
    assert_eq!(problems[0]["field"], "payload.summary");
    assert!(problems[0]["input"].as_str().expect("input").ends_with("bad.jsonl"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "stderr keeps the words: {stderr}");
    assert_eq!(s.fingerprint(), before, "a rejected import left the log as it was");
    // Without --format json, stdout stays empty.
    let out = s.run(&["import", bad.to_str().expect("utf-8")]);
    assert!(out.stdout.is_empty());
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn quiet_prints_nothing_on_success_and_errors_still_go_to_stderr() {
    let s = Sandbox::empty();
    let seed = repo("events/scenarios/seed.jsonl");
    for args in [
        &["init", "-q"][..],
        &["import", "--quiet", seed.to_str().expect("utf-8")],
        &[
            "append",
            "-q",
            "context-noted",
            "--track",
            "am-az",
            "--occurred",
            "2023-07",
            "--summary",
            "x",
            "--unsourced",
        ],
        &["correct", "29", "--reason", "r", "--occurred", "2023-06", "-q"],
        &["dispute", "29", "--source", "S", "--note", "n", "-q"],
        &["cite", "29", "--source", "T", "-q"],
        &["retract", "29", "--reason", "r", "-q"],
        &["verify", "-q"],
        &["replay", "-q"],
        &["replay", "--out", "reports", "-q"],
        &["brief", "--out", "brief.html", "-q"],
        &["brief", "--check", "brief.html", "-q"],
        &["export", "--out", "out.jsonl", "-q"],
    ] {
        let out = s.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{args:?} printed something");
    }
    // `export -q` to stdout still writes the events.
    let out = s.run(&["export", "-q"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 33);
    assert!(out.stderr.is_empty());
    let before = s.fingerprint();
    let out = s.run(&["retract", "999", "--reason", "r", "-q"]);
    assert_eq!(out.status.code(), Some(6), "not found");
    assert!(out.stdout.is_empty() && !out.stderr.is_empty());
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn quiet_with_json_is_refused_naming_which_to_drop() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    for args in [
        &["verify", "-q", "--format", "json"][..],
        &["export", "-q", "--format", "json"],
        &["import", "-q", "--format", "json", "x.jsonl"],
        &["append", "-q", "--format", "json", "--json", "x.jsonl"],
        &["retract", "3", "--reason", "r", "-q", "--format", "json"],
    ] {
        let out = s.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("drop one of them") && stderr.contains("--quiet"), "{args:?}: {stderr}");
    }
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn export_in_json_keeps_the_events_on_stdout_and_puts_the_summary_beside_them() {
    let s = Sandbox::seeded();
    // To stdout: the events are stdout's, one record a line; the summary is stderr's.
    let out = s.run(&["export", "--format", "json"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 28);
    assert!(stdout.lines().all(|l| json(l)["seq"].is_u64()), "the events stay JSON Lines");
    let summary = json(&String::from_utf8_lossy(&out.stderr));
    assert_eq!((summary["command"].as_str(), summary["events"].as_u64()), (Some("export"), Some(28)));
    // To --out: the summary is stdout's, and the file is the plain export.
    let doc = json(&s.ok(&["export", "--out", "out.jsonl", "--format", "json"]));
    assert_eq!(doc["out"], "out.jsonl");
    assert_eq!(std::fs::read_to_string(s.dir.path().join("out.jsonl")).expect("export"), stdout);
}
