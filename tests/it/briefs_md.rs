//! Markdown briefs say where they come from, and Mermaid diagrams stay diagrams: the
//! header names the head and the verification (a tampered log is refused), every
//! footnote reference has one definition numbered in order of first use, hostile
//! sources cannot break a footnote or a link, and every Mermaid label is safe on a log
//! whose every text field is hostile.

use std::collections::BTreeSet;

use rusqlite::Connection;
use serde_json::{Value, json};

use crate::common::Sandbox;
use crate::hostile_text::{load, scenario};

/// Every report that writes Markdown with footnotes, with its extra arguments.
const CITING: &[&[&str]] = &[
    &["status"],
    &["principles"],
    &["commitments"],
    &["instruments"],
    &["conditions"],
    &["timeline"],
    &["explain", "am-az-joint-border-commission"],
];

fn markdown(s: &Sandbox, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--format", "markdown"]);
    s.ok(&all)
}

/// The footnote numbers referred to, in order of first reference, and those defined.
fn footnotes(doc: &str) -> (Vec<usize>, Vec<usize>) {
    let (mut refs, mut defs) = (Vec::new(), Vec::new());
    for line in doc.lines() {
        let body = match line.strip_prefix("[^").and_then(|l| l.split_once("]: ")) {
            Some((n, _)) => {
                defs.push(n.parse().expect("a footnote number"));
                continue;
            }
            None => line,
        };
        let mut rest = body;
        while let Some(at) = rest.find("[^") {
            // An escaped `\[` is text, not a reference.
            let escaped = rest[..at].ends_with('\\');
            rest = &rest[at + 2..];
            let Some(end) = rest.find(']') else { break };
            if let (false, Ok(n)) = (escaped, rest[..end].parse::<usize>())
                && !refs.contains(&n)
            {
                refs.push(n);
            }
        }
    }
    (refs, defs)
}

#[test]
fn every_footnote_is_defined_once_and_numbered_in_order_of_first_use() {
    let mut citing: BTreeSet<String> = BTreeSet::new();
    for (name, contents) in crate::common::scenarios() {
        let s = Sandbox::new();
        s.ok(&["import", s.file("scenario.jsonl", &contents).to_str().expect("path")]);
        for args in &CITING[..CITING.len() - 1] {
            let doc = markdown(&s, args);
            let (refs, defs) = footnotes(&doc);
            if !refs.is_empty() {
                citing.insert(args[0].to_owned());
            }
            let expected: Vec<usize> = (1..=refs.len()).collect();
            assert_eq!(refs, expected, "{name} {args:?}: references numbered in order of first use");
            assert_eq!(defs, expected, "{name} {args:?}: one definition per reference, in order");
            // One footnote per event: no seq is defined twice.
            let seqs: Vec<&str> = doc
                .lines()
                .filter(|l| l.starts_with("[^"))
                .map(|l| l.split_once("]: seq ").expect("a footnote names its seq").1.split(' ').next().expect("seq"))
                .collect();
            let unique: BTreeSet<&str> = seqs.iter().copied().collect();
            assert_eq!(unique.len(), seqs.len(), "{name} {args:?}: an event cited twice has one footnote");
        }
    }
    let all: BTreeSet<String> = CITING[..CITING.len() - 1].iter().map(|a| a[0].to_owned()).collect();
    assert_eq!(citing, all, "every report cites its events in some scenario");
    let s = Sandbox::seeded();
    let (refs, _) = footnotes(&markdown(&s, CITING[CITING.len() - 1]));
    assert!(refs.len() > 1, "explain cites the events behind the state");
}

#[test]
fn the_header_names_the_head_and_says_the_log_was_verified() {
    let s = Sandbox::seeded();
    let (seq, hash) = s.fingerprint();
    for args in CITING {
        let doc = markdown(&s, args);
        assert!(doc.contains(&format!("> **head:** seq {seq}, hash {hash}  \n")), "{args:?}:\n{doc}");
        assert!(
            doc.contains(&format!("> **verified:** chain and snapshots intact through seq {seq}\n")),
            "{args:?}:\n{doc}"
        );
    }
    // A view before the first recording has no head event, and says so.
    let doc = markdown(&s, &["status", "--known-at", "2000-01-01T00:00:00Z"]);
    assert!(doc.contains("> **head:** seq 0 (hash not known)  \n"), "{doc}");
}

#[test]
fn a_brief_from_a_tampered_log_is_refused_as_verify_refuses_it() {
    let s = Sandbox::seeded();
    let conn = Connection::open(&s.db).expect("open");
    conn.execute_batch(
        "DROP TRIGGER events_no_update;
         UPDATE events SET body = replace(body, 'Vienna', 'Prague') WHERE seq = 17;
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;",
    )
    .expect("tamper");
    drop(conn);
    let stamped: &[&[&str]] = &[&["occasion"], &["sources"], &["trend"]];
    for args in CITING.iter().chain(stamped) {
        let mut all = args.to_vec();
        all.extend(["--format", "markdown"]);
        let out = s.run(&all);
        assert_eq!(out.status.code(), Some(5), "{args:?} wrote a brief from a tampered log");
        assert!(out.stdout.is_empty(), "{args:?} printed part of a brief");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("seq 17"), "{args:?} names the bad seq: {err}");
    }
    // The other documents meant to be pasted or sent, and a rebuild (which would make
    // the derived tables agree with the forgery), refuse it too.
    let before = s.fingerprint();
    let others: &[&[&str]] = &[
        &["commitments", "--format", "mermaid"],
        &["timeline", "--format", "mermaid"],
        &["status", "--format", "html"],
        &["explain", "eg-il", "--format", "html"],
        &["brief", "--out", "b.html"],
        &["replay"],
    ];
    for args in others {
        let out = s.run(args);
        assert_eq!(out.status.code(), Some(5), "{args:?} went ahead on a tampered log");
        assert!(out.stdout.is_empty(), "{args:?} printed from a tampered log");
    }
    assert!(!s.dir.path().join("b.html").exists(), "no brief written");
    assert_eq!(s.fingerprint(), before, "nothing rebuilt or written");
}

/// A track and a commitment whose sources hold every character that could end a
/// footnote, forge one, or break a link.
fn hostile_sources() -> Vec<Value> {
    let source = |title: &str, url: &str| json!([{"title": title, "publisher": "P ^ | > # x", "url": url}]);
    vec![
        json!({"id": "00000000-0000-4000-8000-000000000001", "kind": "track_opened", "version": 1,
               "tracks": ["x-y"], "occurred": "2021-01-01",
               "sources": source("T]: [^9]: forged\n[^1]: <b>bold</b> `code` *em*", "https://x.example/a b)<c>\"d\\e"),
               "payload": {"title": "X–Y", "parties": [{"code": "x", "name": "X"}, {"code": "y", "name": "Y"}]}}),
        json!({"id": "00000000-0000-4000-8000-000000000002", "kind": "commitment_made", "version": 1,
               "tracks": ["x-y"], "occurred": "2021-02",
               "sources": source("[click](javascript:alert(1))", "javascript:alert(1)"),
               "payload": {"commitment": "c", "parties": ["x"], "text": "Do it"}}),
    ]
}

#[test]
fn hostile_sources_cannot_forge_a_footnote_or_break_a_link() {
    let s = Sandbox::new();
    load(&s, &hostile_sources());
    let doc = markdown(&s, &["timeline"]);
    let (refs, defs) = footnotes(&doc);
    assert_eq!(refs, vec![1, 2], "{doc}");
    assert_eq!(defs, vec![1, 2], "no forged definition:\n{doc}");
    assert_eq!(doc.lines().filter(|l| l.starts_with("[^")).count(), 2, "{doc}");
    assert!(doc.contains("<https://x.example/a%20b)%3Cc%3E%22d%5Ce>"), "a web link percent-encoded:\n{doc}");
    assert!(!doc.contains("<javascript:"), "only http and https become links:\n{doc}");
    assert!(doc.contains("\\[click\\](javascript:alert(1))"), "{doc}");
    for raw in ["<b>", "`code`", "*em*", "| >"] {
        assert!(!doc.contains(raw), "{raw} unescaped:\n{doc}");
    }
}

/// Checks a Mermaid block line by line against the grammar this writer uses: every
/// label free of what the grammars or an HTML renderer read. Returns the lines inside.
fn checked_block(doc: &str, diagram: &str) -> Vec<String> {
    let inner = doc
        .strip_prefix(&format!("```mermaid\n{diagram}\n"))
        .and_then(|d| d.strip_suffix("```\n"))
        .unwrap_or_else(|| panic!("not one fenced {diagram} block:\n{doc}"));
    let unsafe_char = |c: char| ":;#%<>&\"`{}[]()|\\".contains(c) || c.is_control();
    let label_ok = |l: &str| !l.is_empty() && !l.chars().any(unsafe_char) && l.chars().count() <= 80;
    let lines: Vec<String> = inner.lines().map(str::to_owned).collect();
    for line in &lines {
        assert!(!line.contains("```"), "a fence inside the block: {line:?}");
        let t = line.trim_start();
        if t.starts_with("%%") || t == "dateFormat YYYY-MM-DD" || t == "axisFormat %Y-%m" {
            continue;
        }
        if let Some(l) = t.strip_prefix("title ").or_else(|| t.strip_prefix("section ")) {
            assert!(label_ok(l), "unsafe title or section: {line:?}");
            continue;
        }
        match diagram {
            "gantt" => {
                let (label, data) = t.split_once(" :").unwrap_or_else(|| panic!("not a task: {line:?}"));
                let (id, label) = label.split_once(' ').expect("an id, then the label");
                assert!(id.len() > 1 && id[1..].chars().all(|c| c.is_ascii_digit()), "generated id: {line:?}");
                assert!(label_ok(label), "unsafe label: {line:?}");
                let fields: Vec<&str> = data.split(", ").collect();
                let known = ["crit", "done", "active", "milestone"];
                let rest = if known.contains(&fields[0]) { &fields[1..] } else { &fields[..] };
                assert_eq!(rest.len(), 3, "id, start, end: {line:?}");
                assert_eq!(rest[0], id, "the task's id is its generated id: {line:?}");
                assert!(chrono::NaiveDate::parse_from_str(rest[1], "%Y-%m-%d").is_ok(), "{line:?}");
                assert!(rest[2] == "0d" || chrono::NaiveDate::parse_from_str(rest[2], "%Y-%m-%d").is_ok(), "{line:?}");
            }
            _ => {
                let mut parts = t.split(" : ");
                let period = parts.next().expect("a period");
                assert!(label_ok(period), "unsafe period: {line:?}");
                let events: Vec<&str> = parts.collect();
                assert!(!events.is_empty(), "a period without events: {line:?}");
                for e in events {
                    assert!(label_ok(e) && e.starts_with("seq "), "unsafe event: {line:?}");
                }
            }
        }
    }
    lines
}

#[test]
fn every_mermaid_label_is_safe_on_a_hostile_log() {
    let s = Sandbox::new();
    let nasty = "x: y; z # w %%{init}%% <img src=x onerror=alert(1)> & \"q\" `c` [l](u) | \\ \n```\nsection s";
    load(&s, &scenario(&|tag| format!("{tag}{nasty}{}", crate::hostile_text::HOSTILE)));
    let gantt = checked_block(&s.ok(&["commitments", "--format", "mermaid"]), "gantt");
    let commitments: Value = serde_json::from_str(&s.ok(&["commitments", "--format", "json"])).expect("json");
    let count: usize = commitments["tracks"]
        .as_array()
        .expect("tracks")
        .iter()
        .map(|t| t["commitments"].as_array().expect("list").len())
        .sum();
    let bars = gantt.iter().filter(|l| l.trim_start().starts_with('c') && !l.contains(":milestone")).count();
    assert_eq!(bars, count, "one bar per commitment:\n{}", gantt.join("\n"));
    let timeline = checked_block(&s.ok(&["timeline", "--format", "mermaid"]), "timeline");
    let entries: usize = timeline.iter().map(|l| l.matches(" : seq ").count()).sum();
    let listed: Value = serde_json::from_str(&s.ok(&["timeline", "--format", "json"])).expect("json");
    let events: usize = listed["tracks"]
        .as_array()
        .expect("tracks")
        .iter()
        .map(|t| t["events"].as_array().expect("events").len())
        .sum();
    assert_eq!(entries, events, "one entry per event:\n{}", timeline.join("\n"));
}

#[test]
fn the_golden_diagrams_keep_the_grammar() {
    for (name, _) in crate::common::scenarios() {
        let stem = name.trim_end_matches(".jsonl");
        for (dir, diagram) in [("commitments", "gantt"), ("timeline", "timeline")] {
            let path = crate::common::repo(&format!("projections/{dir}/{stem}.mermaid.md"));
            checked_block(&std::fs::read_to_string(&path).expect("a golden diagram"), diagram);
        }
    }
}

#[test]
fn only_commitments_and_timeline_write_mermaid() {
    let s = Sandbox::seeded();
    for command in ["status", "principles", "instruments", "conditions", "deadlines", "sources", "audit"] {
        let out = s.run(&[command, "--format", "mermaid"]);
        assert_eq!(out.status.code(), Some(2), "{command} --format mermaid");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("does not write --format mermaid"), "{command}: {err}");
    }
    let out = s.run(&["explain", "am-az", "--format", "mermaid"]);
    assert_eq!(out.status.code(), Some(2), "explain --format mermaid");
}
