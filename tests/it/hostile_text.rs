//! Text from the log is hostile where it is shown (issue 10, class 5; class 7's name
//! tables). A log whose every user-text field holds terminal escapes, a carriage
//! return and a line feed with a forged row, and bidirectional controls is run through
//! every human-readable command: nothing reaches stdout or stderr raw, the escaped
//! form is visible, and JSON still holds the exact text. Names that differ only by
//! Unicode normalization match in filters and group once. Invisible-only text is
//! refused like empty text. Closed sets have one name each.

use std::collections::BTreeSet;
use std::process::Output;

use entente::names::Named;
use entente::text::{is_unsafe, shown, unshown};
use proptest::prelude::*;
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

use crate::common::Sandbox;

/// What every hostile field holds after its tag: an OSC that retitles the window, a
/// CSI that clears the screen, CR LF and a forged `log` row, bidi override and
/// isolate, RLM, C1 NEL and CSI, DEL.
pub(crate) const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n  99  2099-01-01  x-y  forged_row  fake \u{202e}gnp.exe\u{2066}\u{200f}\u{85}\u{9b}31m\u{7f}";

/// The part of a hostile field every human-readable output must show, escaped: the
/// tag and the escapes before the first space (so wrapping cannot split it).
fn visible(tag: &str) -> String {
    shown(&format!("{tag}\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n")).into_owned()
}

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A log touching every user-text field of every kind; `t(tag)` is the text of the
/// field tagged `tag` (tags are letters only, so Markdown leaves them alone).
pub(crate) fn scenario(t: &dyn Fn(&str) -> String) -> Vec<Value> {
    let src = json!([{"title": t("Stitle"), "author": t("Sauthor"), "publisher": t("Spublisher"),
                      "url": t("Surl"), "locator": t("Slocator")}]);
    let ev = |n: u32, kind: &str, occurred: &str, payload: Value| {
        json!({"id": id(n), "kind": kind, "version": 1, "tracks": ["x-y"], "occurred": occurred,
               "unsourced": true, "payload": payload})
    };
    let mut lines = vec![
        json!({"id": id(1), "kind": "track_opened", "version": 1, "tracks": ["x-y"], "occurred": "2021",
               "recorded_by": t("Recorder"), "unsourced": true,
               "payload": {"title": t("Ttitle"), "parties": [{"code": "x", "name": t("Pname")}, {"code": "y", "name": "Yland"}],
                           "summary": t("Tsummary")}}),
        json!({"id": id(2), "kind": "envoy_appointed", "version": 1, "tracks": ["x-y"], "occurred": "2021-12",
               "sources": src, "payload": {"party": "x", "envoy": t("Envoy"), "office": t("Office")}}),
        ev(
            3,
            "meeting_held",
            "2022-01-14",
            json!({"participants": [
                {"name": t("Pone"), "party": "x", "role": "party", "office": t("Poffice")},
                {"name": "Phone Operator", "role": "host"}],
            "format": "bilateral", "mode": "phone", "place": t("Mplace"), "occasion": t("Moccasion"), "summary": t("Msummary")}),
        ),
        ev(
            4,
            "statement_made",
            "2022-01-15",
            json!({"actor": {"name": t("Aname"), "party": "x", "office": t("Aoffice")},
            "summary": t("Ssummary"), "quote": t("Quote"), "venue": t("Venue")}),
        ),
        ev(
            5,
            "proposal_tabled",
            "2022-02",
            json!({"proposal": "p", "by": "x", "to": ["y"], "title": t("Ptitle"),
            "principles": [{"number": 1, "text": t("Ptext")}]}),
        ),
        ev(
            6,
            "proposal_answered",
            "2022-03",
            json!({"proposal": "p", "by": "y", "response": "accepted_in_principle", "summary": t("Asummary")}),
        ),
        ev(
            7,
            "commitment_made",
            "2022-03",
            json!({"commitment": "c-one", "parties": ["x", "y"], "text": t("Ctext"), "deadline": {"by": "2022-06"}}),
        ),
        ev(8, "commitment_progressed", "2022-04", json!({"commitment": "c-one", "summary": t("Cprogress")})),
        ev(
            9,
            "deadline_amended",
            "2022-04",
            json!({"commitment": "c-one", "deadline": {"by": "2022-12"}, "reason": t("Dreason")}),
        ),
        ev(10, "commitment_made", "2022-03", json!({"commitment": "c-two", "parties": ["x"], "text": "Second"})),
        ev(11, "commitment_fulfilled", "2022-05", json!({"commitment": "c-two", "summary": t("Cfulfilled")})),
        ev(12, "commitment_made", "2022-03", json!({"commitment": "c-three", "parties": ["y"], "text": "Third"})),
        ev(13, "commitment_withdrawn", "2022-05", json!({"commitment": "c-three", "by": "y", "reason": t("Wreason")})),
        ev(
            14,
            "commission_established",
            "2022-05",
            json!({"commission": "k", "name": t("Kname"), "parties": ["x", "y"], "mandate": t("Kmandate")}),
        ),
        ev(
            15,
            "commission_convened",
            "2022-06",
            json!({"commission": "k", "place": t("Kplace"), "summary": t("Ksummary")}),
        ),
        ev(
            16,
            "instrument_stage_reached",
            "2022-07",
            json!({"instrument": "i", "title": t("Ititle"), "type": "treaty",
            "stage": "ratification_step", "party": "x", "step": t("Istep"), "summary": t("Isummary")}),
        ),
        ev(17, "implementation_step", "2022-08", json!({"summary": t("Implementation"), "instrument": "i"})),
        ev(18, "context_noted", "2022-09", json!({"summary": t("Context")})),
        ev(
            19,
            "event_corrected",
            "2022-09",
            json!({"target": id(18), "reason": t("Creason"),
            "changes": [{"field": "payload.summary", "to": t("Correctedto")}]}),
        ),
        json!({"id": id(20), "kind": "event_disputed", "version": 1, "tracks": ["x-y"], "occurred": "2022-09",
               "sources": [{"title": t("Dsource")}], "payload": {"target": id(17), "note": t("Note")}}),
        ev(21, "context_noted", "2022-10", json!({"summary": "To be retracted"})),
        ev(22, "event_retracted", "2022-10", json!({"target": id(21), "reason": t("Rreason")})),
    ];
    // An unsourced event's `unsourced` and a sourced one's `sources` cannot both be.
    for line in &mut lines {
        if line.get("sources").is_some() {
            line.as_object_mut().expect("object").remove("unsourced");
        }
    }
    lines
}

/// Every tag `scenario` uses.
fn tags() -> BTreeSet<String> {
    let seen = std::cell::RefCell::new(BTreeSet::new());
    scenario(&|tag| {
        seen.borrow_mut().insert(tag.to_owned());
        tag.to_owned()
    });
    seen.into_inner()
}

/// Fields that no human-readable output shows (only JSON and `show --format json`
/// carry them); every other field must be visible, escaped, somewhere.
const NOT_SHOWN: &[&str] =
    &["Aoffice", "Asummary", "Dreason", "Istep", "Isummary", "Kmandate", "Ksummary", "Tsummary", "Venue"];

fn hostile(tag: &str) -> String {
    format!("{tag}{HOSTILE}")
}

pub(crate) fn load(s: &Sandbox, lines: &[Value]) {
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let file = s.file("scenario.jsonl", &(text.join("\n") + "\n"));
    s.ok(&["import", file.to_str().expect("path")]);
}

/// Every human-readable command, in text and (where it has it) Markdown.
fn human_commands() -> Vec<Vec<String>> {
    let mut cmds: Vec<Vec<&str>> = vec![vec!["log"], vec!["log", "--actor", "envoy"], vec!["log", "--text", "pwned"]];
    let seqs: Vec<String> = (1..=22).map(|n| n.to_string()).collect();
    for n in &seqs {
        cmds.push(vec!["show", n]);
    }
    let reports: Vec<Vec<&str>> = vec![
        vec!["status"],
        vec!["principles"],
        vec!["commitments"],
        vec!["timeline"],
        vec!["sources"],
        vec!["audit"],
        vec!["history", "17"],
        vec!["history", "18"],
        vec!["history", "21"],
        vec!["explain", "x-y"],
        vec!["explain", "c-one"],
        vec!["explain", "p#1"],
        vec!["diff", "--from", "2021-01-01", "--to", "2026-01-01"],
    ];
    for r in reports {
        cmds.push(r.clone());
        cmds.push([r.clone(), vec!["--format", "markdown"]].concat());
        // The HTML pages escape through the same `shown`, then maud.
        if ["status", "principles", "commitments", "timeline", "explain"].contains(&r[0]) {
            cmds.push([r, vec!["--format", "html"]].concat());
        }
    }
    // `deadlines` writes no Markdown; its text is a document like the others.
    cmds.push(vec!["deadlines", "--all"]);
    cmds.into_iter().map(|c| c.into_iter().map(str::to_owned).collect()).collect()
}

fn text_of(out: &Output) -> (String, String) {
    (
        String::from_utf8(out.stdout.clone()).expect("utf-8 stdout"),
        String::from_utf8(out.stderr.clone()).expect("utf-8 stderr"),
    )
}

/// No unsafe character but the line feeds between lines; every `\u{` a whole escape.
fn assert_clean(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|&c| c != '\n' && is_unsafe(c)) {
        panic!("{what}: raw U+{:04X} reached the output:\n{text}", c as u32);
    }
    let mut rest = text;
    while let Some(at) = rest.find("\\u{") {
        let after = &rest[at + 3..];
        let end = after.find('}').unwrap_or_else(|| panic!("{what}: an escape was cut:\n{text}"));
        assert!(
            end > 0 && after[..end].bytes().all(|b| b.is_ascii_hexdigit()),
            "{what}: a broken escape `{}`:\n{text}",
            &rest[at..at + 3 + end.min(8)]
        );
        rest = &after[end..];
    }
}

#[test]
fn no_human_readable_output_lets_hostile_text_through_raw() {
    let s = Sandbox::new();
    load(&s, &scenario(&hostile));
    let mut all = String::new();
    for cmd in human_commands() {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let out = s.run(&args);
        let (stdout, stderr) = text_of(&out);
        assert!(out.status.success(), "entente {args:?} failed:\n{stderr}");
        assert_clean(&format!("entente {args:?} stdout"), &stdout);
        assert_clean(&format!("entente {args:?} stderr"), &stderr);
        // diff shows only ids and states; `show` of some events no hostile field (the
        // union below holds every field to being shown somewhere).
        let plain = args[0] == "diff" || args[0] == "show";
        if !plain {
            // Markdown escapes the escape's backslash; either way it shows.
            let escaped = stdout.contains(r"\u{1b}]0;pwned") || stdout.contains(r"\\u{1b}\]0;pwned");
            assert!(escaped, "entente {args:?} shows no escaped text:\n{stdout}");
        }
        if args == ["log"] {
            // One row per event and the header: the forged row stays inside its cell.
            assert_eq!(stdout.lines().count(), 1 + 22, "{stdout}");
        }
        all.push_str(&stdout);
    }
    let markdown = all.replace("\\\\", "\\");
    let unseen: Vec<String> =
        tags().into_iter().filter(|tag| !all.contains(&visible(tag)) && !markdown.contains(&visible(tag))).collect();
    assert_eq!(unseen, NOT_SHOWN, "fields not shown escaped anywhere");
}

#[test]
fn json_output_keeps_the_exact_text() {
    let s = Sandbox::new();
    let lines = scenario(&hostile);
    load(&s, &lines);
    // Every hostile string comes back byte for byte from `log --format json` ...
    let export = s.ok(&["log", "--format", "json"]);
    let mut strings = BTreeSet::new();
    for line in export.lines() {
        collect(&serde_json::from_str(line).expect("a JSON line"), &mut strings);
    }
    for tag in tags() {
        assert!(strings.contains(&hostile(&tag)), "field {tag} not exact in log --format json");
    }
    // ... and from the reports.
    let status: Value = serde_json::from_str(&s.ok(&["status", "--format", "json"])).expect("json");
    assert_eq!(status["tracks"][0]["title"], hostile("Ttitle"));
    let timeline: Value = serde_json::from_str(&s.ok(&["timeline", "--format", "json"])).expect("json");
    let whats: Vec<&str> =
        timeline["tracks"][0]["events"].as_array().expect("events").iter().filter_map(|e| e["what"].as_str()).collect();
    assert!(whats.iter().any(|w| w.contains(&hostile("Envoy"))), "{whats:?}");
    let shown: Value = serde_json::from_str(&s.ok(&["show", "4", "--format", "json"])).expect("json");
    assert_eq!(shown["event"]["payload"]["quote"], hostile("Quote"));
}

fn collect(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(xs) => xs.iter().for_each(|x| collect(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect(x, out)),
        _ => {}
    }
}

#[test]
fn columns_count_the_escaped_form() {
    let s = Sandbox::new();
    let short = |tag: &str| format!("{tag}\u{1b}[2J\r\u{202e}\u{9b}");
    load(&s, &scenario(&short));
    // The audit's first table starts with the recorder: a hostile one must not shift
    // the columns after it.
    let audit = s.ok(&["audit"]);
    let table: Vec<&str> = audit.lines().skip_while(|l| !l.contains("recorded by")).take(3).collect();
    let at = table[0].find("events").expect("header");
    for row in &table[1..] {
        let cell: String = row.chars().skip(at).take(2).collect();
        assert!(cell.starts_with(|c: char| c.is_ascii_digit()), "column moved in {row:?}\n{audit}");
    }
    assert!(table.iter().any(|r| r.contains(r"Recorder\u{1b}[2J\u{d}\u{202e}\u{9b}")), "{audit}");
}

#[test]
fn arguments_echoed_in_messages_are_escaped() {
    let s = Sandbox::new();
    load(&s, &scenario(&|t| t.to_owned()));
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\rx\u{202e}y";
    let bad_code = json!({"kind": "context_noted", "version": 1, "tracks": ["x-y"], "occurred": "2023",
                          "unsourced": true, "code": {"cameo": evil}, "payload": {"summary": "A"}});
    let file = s.file(&format!("bad{evil}.jsonl"), &format!("{bad_code}\n"));
    let participant = format!("chair::{evil}");
    // What each message must show of it: clap strips escape sequences from its own
    // messages, so of a flag value it rejects only the rest is left to escape.
    let (ours, clap) = ("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{d}x\\u{202e}y", "\\u{d}x\\u{202e}y");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["status", "--track", evil], ours),
        (vec!["explain", evil], ours),
        (vec!["show", evil], ours),
        (vec!["history", evil], ours),
        (vec!["log", "--kind", evil], clap),
        (vec!["commitments", "--state", evil], clap),
        (vec!["diff", "--from", evil, "--to", "2022-01-01"], ours),
        (
            vec![
                "append",
                "meeting-held",
                "--track",
                "x-y",
                "--occurred",
                "2023",
                "--unsourced",
                "--format",
                "bilateral",
                "--participant",
                &participant,
                "--participant",
                "party:x:B",
            ],
            ours,
        ),
        (vec!["import", file.to_str().expect("path")], ours),
    ];
    let before = s.fingerprint();
    for (args, echo) in cases {
        let out = s.run(&args);
        let (stdout, stderr) = text_of(&out);
        assert!(!out.status.success(), "entente {args:?} succeeded");
        assert_clean(&format!("entente {args:?} stderr"), &stderr);
        assert_clean(&format!("entente {args:?} stdout"), &stdout);
        assert!(stderr.contains(echo), "entente {args:?}: the echo is not visible:\n{stderr}");
    }
    assert_eq!(s.fingerprint(), before);
}

proptest! {
    #[test]
    fn the_escaper_leaves_nothing_unsafe_and_can_be_read_back(text in any::<String>(), tail in "[\\\\u{}a-f0-9\u{1b}\u{202e}\n]{0,12}") {
        let text = format!("{text}{tail}");
        let s = shown(&text);
        prop_assert!(!s.chars().any(is_unsafe), "{s:?}");
        prop_assert_eq!(unshown(&s), Some(text.clone()));
    }

    #[test]
    fn the_escaper_is_injective(a in "[a\\\\u{}1b\u{1b}\n]{0,10}", b in "[a\\\\u{}1b\u{1b}\n]{0,10}") {
        prop_assume!(a != b);
        prop_assert_ne!(shown(&a), shown(&b));
    }
}

// --- Unicode normalization: comparison keys, never stored text ---------------------

fn nfd(s: &str) -> String {
    s.nfd().collect()
}

#[test]
fn names_in_either_normal_form_match_in_filters_and_group_once() {
    let s = Sandbox::new();
    let (kilic, cavusoglu) = ("Serdar Kılıç", "Mevlüt Çavuşoğlu");
    assert_ne!(nfd(cavusoglu), cavusoglu);
    let src = |title: &str| json!([{"title": title, "publisher": "Anadolu Ajansı"}]);
    let lines = vec![
        json!({"kind": "track_opened", "version": 1, "tracks": ["am-tr"], "occurred": "2021", "unsourced": true,
               "recorded_by": "Ayşe Çelik",
               "payload": {"title": "Armenia–Turkey", "parties": [{"code": "am", "name": "Armenia"}, {"code": "tr", "name": "Türkiye"}]}}),
        json!({"kind": "envoy_appointed", "version": 1, "tracks": ["am-tr"], "occurred": "2021-12", "recorded_by": nfd("Ayşe Çelik"),
               "sources": src("Kılıç atandı"), "payload": {"party": "tr", "envoy": kilic, "office": "Special Envoy"}}),
        json!({"kind": "envoy_appointed", "version": 1, "tracks": ["am-tr"], "occurred": "2022-01",
               "sources": src(&nfd("Kılıç atandı")), "payload": {"party": "tr", "envoy": nfd(kilic)}}),
        json!({"kind": "statement_made", "version": 1, "tracks": ["am-tr"], "occurred": "2022-03-12", "unsourced": true,
               "payload": {"actor": {"name": nfd(cavusoglu), "party": "tr"}, "summary": "Görüşme olumluydu"}}),
    ];
    load(&s, &lines);
    let rows = |args: &[&str]| -> Vec<String> {
        s.ok(args).lines().skip(1).map(|l| l.split_whitespace().next().unwrap_or_default().to_owned()).collect()
    };
    // A filter in one form finds events recorded in the other (and in any case).
    assert_eq!(rows(&["log", "--actor", "Kılıç"]), ["2", "3"]);
    assert_eq!(rows(&["log", "--actor", &nfd("Kılıç")]), ["2", "3"]);
    assert_eq!(rows(&["log", "--actor", "Çavuşoğlu"]), ["4"]);
    assert_eq!(rows(&["log", "--actor", "ÇAVUŞOĞLU"]), ["4"]);
    assert_eq!(rows(&["log", "--text", "görüşme"]), ["4"]);
    assert_eq!(rows(&["log", "--text", &nfd("Görüşme")]), ["4"]);
    assert_eq!(rows(&["log", "--text", "Kılıç atandı"]), ["2", "3"]);
    // Reports list the name once.
    let status = s.ok(&["status"]);
    let envoys = status.lines().find(|l| l.trim_start().starts_with("envoys")).expect("envoys line");
    assert_eq!(envoys.matches("Kılıç").count() + envoys.matches(&nfd("Kılıç")).count(), 1, "{envoys}");
    let json: Value = serde_json::from_str(&s.ok(&["status", "--format", "json"])).expect("json");
    assert_eq!(json["tracks"][0]["envoys"].as_array().expect("envoys").len(), 1, "{json}");
    let sources: Value = serde_json::from_str(&s.ok(&["sources", "--format", "json"])).expect("json");
    let cited = sources["sources"].as_array().expect("sources");
    assert_eq!(cited.len(), 1, "{sources}");
    assert_eq!(cited[0]["events"], json!([2, 3]));
    let audit: Value = serde_json::from_str(&s.ok(&["audit", "--format", "json"])).expect("json");
    let by: Vec<&str> =
        audit["recorders"].as_array().expect("recorders").iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(by.iter().filter(|n| n.nfc().collect::<String>() == "Ayşe Çelik").count(), 1, "{by:?}");
    // What was recorded stays as it was recorded.
    let third: Value = serde_json::from_str(&s.ok(&["show", "3", "--format", "json"])).expect("json");
    assert_eq!(third["event"]["payload"]["envoy"], nfd(kilic));
    let fourth: Value = serde_json::from_str(&s.ok(&["show", "4", "--format", "json"])).expect("json");
    assert_eq!(fourth["event"]["payload"]["actor"]["name"], nfd(cavusoglu));
}

// --- Closed sets: one name each; user text never rewritten ---------------------------

#[test]
fn a_participant_named_phone_operator_is_printed_as_written() {
    let s = Sandbox::new();
    let names = ["Phone Operator", "Video Editor", "InPerson Ltd", "Bilateral Desk", "Host Observer", "Mediator"];
    let mut lines =
        vec![json!({"kind": "track_opened", "version": 1, "tracks": ["x-y"], "occurred": "2021", "unsourced": true,
        "payload": {"title": "X–Y", "parties": [{"code": "x", "name": "Phone Land"}, {"code": "y", "name": "Y"}]}})];
    for mode in ["phone", "video", "in_person"] {
        let people: Vec<Value> = names.iter().map(|n| json!({"name": n, "role": "observer"})).collect();
        lines.push(
            json!({"kind": "meeting_held", "version": 1, "tracks": ["x-y"], "occurred": "2022", "unsourced": true,
            "payload": {"participants": people, "format": "trilateral", "mode": mode, "place": "Phone Booth"}}),
        );
    }
    load(&s, &lines);
    let expected = |mode: &str| {
        let who: Vec<String> = names.iter().map(|n| format!("{n} (observer)")).collect();
        format!("trilateral {mode} meeting: {} in Phone Booth", who.join(", "))
    };
    for (seq, mode) in [("2", "phone"), ("3", "video"), ("4", "in-person")] {
        let show = s.ok(&["show", seq]);
        assert!(show.contains(&expected(mode)), "{show}");
    }
    let timeline = s.ok(&["timeline", "--format", "markdown"]);
    assert!(timeline.contains("Phone Operator (observer)"), "{timeline}");
    assert!(s.ok(&["status"]).contains("Phone Land"));
}

/// Display, parsing and JSON of a closed set agree member by member; words (the form
/// in sentences) are the name, or where the name has `_` the words the table gives.
fn one_name_each<T>()
where
    T: Named + std::fmt::Display + std::fmt::Debug + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
{
    assert_eq!(T::ALL.len(), T::NAMES.len());
    let distinct: BTreeSet<&str> = T::NAMES.iter().copied().collect();
    assert_eq!(distinct.len(), T::NAMES.len(), "names repeat");
    for (&x, &name) in T::ALL.iter().zip(T::NAMES) {
        assert_eq!(x.name(), name);
        assert_eq!(x.to_string(), name, "display is the name");
        assert_eq!(T::from_name(&x.to_string()), Some(x), "display parses back");
        assert_eq!(entente::names::parse::<T>(&name.replace('_', "-")), Ok(x), "the command line's spelling parses");
        assert_eq!(serde_json::to_string(&x).expect("json"), format!("\"{name}\""), "JSON is the name");
        assert_eq!(serde_json::from_str::<T>(&format!("\"{name}\"")).expect("json"), x, "JSON parses back");
        assert!(!x.words().contains('_'), "{name}: words are for sentences");
        if !name.contains('_') {
            assert_eq!(x.words(), name);
        }
    }
    let err = serde_json::from_str::<T>("\"no_such_name\"").expect_err("unknown").to_string();
    assert!(err.contains("unknown variant `no_such_name`") && err.contains(T::NAMES[0]), "{err}");
    assert!(entente::names::parse::<T>("no-such-name").expect_err("unknown").contains("unknown value `no-such-name`"));
}

#[test]
fn meeting_format_has_one_name_each() {
    one_name_each::<entente::event::payload::Format>();
}

#[test]
fn meeting_mode_has_one_name_each() {
    one_name_each::<entente::event::payload::Mode>();
}

#[test]
fn participant_role_has_one_name_each() {
    one_name_each::<entente::event::payload::Role>();
}

#[test]
fn proposal_response_has_one_name_each() {
    one_name_each::<entente::event::payload::Response>();
}

#[test]
fn instrument_type_has_one_name_each() {
    one_name_each::<entente::event::payload::InstrumentType>();
}

#[test]
fn instrument_stage_has_one_name_each() {
    one_name_each::<entente::event::payload::Stage>();
}

#[test]
fn track_stage_has_one_name_each() {
    one_name_each::<entente::projection::status::Stage>();
}

#[test]
fn commitment_state_has_one_name_each() {
    one_name_each::<entente::projection::status::CommitmentState>();
}

#[test]
fn principle_state_has_one_name_each() {
    one_name_each::<entente::projection::status::PrincipleState>();
}

#[test]
fn output_format_has_one_name_each() {
    one_name_each::<entente::report::Format>();
}

// --- Invisible-only text is refused like empty text ----------------------------------

/// Texts that show nothing.
const INVISIBLE: &[&str] = &[
    "\u{200b}\u{200c}\u{200d}",
    "\u{2060}\u{feff}",
    " \u{202e}\u{2066}\u{200f} ",
    "\u{301}\u{308}",
    "\u{200b} \u{00a0}\u{3000}",
];

/// One line per text field, valid against the benign scenario but for `V`, and the
/// field the refusal must name.
fn field_cases() -> Vec<(&'static str, Value)> {
    let v = "\u{0}V";
    let ev = |kind: &str, payload: Value| json!({"kind": kind, "version": 1, "tracks": ["x-y"], "occurred": "2023", "unsourced": true, "payload": payload});
    let ctx = |src: Value| json!({"kind": "context_noted", "version": 1, "tracks": ["x-y"], "occurred": "2023", "sources": src, "payload": {"summary": "A"}});
    let two = |a: Value| json!([a, {"name": "B", "role": "party"}]);
    vec![
        (
            "payload.title",
            json!({"kind": "track_opened", "version": 1, "tracks": ["z-w"], "occurred": "2023", "unsourced": true,
            "payload": {"title": v, "parties": [{"code": "z", "name": "Z"}, {"code": "w", "name": "W"}]}}),
        ),
        (
            "payload.parties[0].name",
            json!({"kind": "track_opened", "version": 1, "tracks": ["z-w"], "occurred": "2023", "unsourced": true,
            "payload": {"title": "Z–W", "parties": [{"code": "z", "name": v}, {"code": "w", "name": "W"}]}}),
        ),
        (
            "payload.summary",
            json!({"kind": "track_opened", "version": 1, "tracks": ["z-w"], "occurred": "2023", "unsourced": true,
            "payload": {"title": "Z–W", "parties": [{"code": "z", "name": "Z"}, {"code": "w", "name": "W"}], "summary": v}}),
        ),
        ("payload.envoy", ev("envoy_appointed", json!({"party": "x", "envoy": v}))),
        ("payload.office", ev("envoy_appointed", json!({"party": "x", "envoy": "E", "office": v}))),
        (
            "payload.participants[0].name",
            ev(
                "meeting_held",
                json!({"participants": two(json!({"name": v, "role": "party"})), "format": "bilateral", "mode": "phone"}),
            ),
        ),
        (
            "payload.participants[0].office",
            ev(
                "meeting_held",
                json!({"participants": two(json!({"name": "A", "role": "party", "office": v})), "format": "bilateral", "mode": "phone"}),
            ),
        ),
        (
            "payload.place",
            ev(
                "meeting_held",
                json!({"participants": two(json!({"name": "A", "role": "party"})), "format": "bilateral", "mode": "phone", "place": v}),
            ),
        ),
        (
            "payload.occasion",
            ev(
                "meeting_held",
                json!({"participants": two(json!({"name": "A", "role": "party"})), "format": "bilateral", "mode": "phone", "occasion": v}),
            ),
        ),
        (
            "payload.summary",
            ev(
                "meeting_held",
                json!({"participants": two(json!({"name": "A", "role": "party"})), "format": "bilateral", "mode": "phone", "summary": v}),
            ),
        ),
        ("payload.actor.name", ev("statement_made", json!({"actor": {"name": v}, "summary": "S"}))),
        ("payload.actor.office", ev("statement_made", json!({"actor": {"name": "A", "office": v}, "summary": "S"}))),
        ("payload.summary", ev("statement_made", json!({"actor": {"name": "A"}, "summary": v}))),
        ("payload.quote", ev("statement_made", json!({"actor": {"name": "A"}, "summary": "S", "quote": v}))),
        ("payload.venue", ev("statement_made", json!({"actor": {"name": "A"}, "summary": "S", "venue": v}))),
        (
            "payload.title",
            ev(
                "proposal_tabled",
                json!({"proposal": "p2", "by": "x", "title": v, "principles": [{"number": 1, "text": "T"}]}),
            ),
        ),
        (
            "payload.principles[0].text",
            ev(
                "proposal_tabled",
                json!({"proposal": "p2", "by": "x", "title": "T", "principles": [{"number": 1, "text": v}]}),
            ),
        ),
        (
            "payload.summary",
            ev("proposal_answered", json!({"proposal": "p", "by": "y", "response": "rejected", "summary": v})),
        ),
        ("payload.text", ev("commitment_made", json!({"commitment": "c-new", "parties": ["x"], "text": v}))),
        ("payload.summary", ev("commitment_progressed", json!({"commitment": "c-one", "summary": v}))),
        ("payload.summary", ev("commitment_fulfilled", json!({"commitment": "c-one", "summary": v}))),
        (
            "payload.reason",
            ev("deadline_amended", json!({"commitment": "c-one", "deadline": {"by": "2024"}, "reason": v})),
        ),
        ("payload.reason", ev("commitment_withdrawn", json!({"commitment": "c-one", "reason": v}))),
        ("payload.name", ev("commission_established", json!({"commission": "k2", "name": v, "parties": ["x"]}))),
        (
            "payload.mandate",
            ev("commission_established", json!({"commission": "k2", "name": "K", "parties": ["x"], "mandate": v})),
        ),
        ("payload.place", ev("commission_convened", json!({"commission": "k", "place": v}))),
        ("payload.summary", ev("commission_convened", json!({"commission": "k", "summary": v}))),
        (
            "payload.title",
            ev(
                "instrument_stage_reached",
                json!({"instrument": "i2", "title": v, "type": "protocol", "stage": "signed"}),
            ),
        ),
        (
            "payload.step",
            ev(
                "instrument_stage_reached",
                json!({"instrument": "i", "stage": "ratification_step", "party": "x", "step": v}),
            ),
        ),
        (
            "payload.summary",
            ev("instrument_stage_reached", json!({"instrument": "i", "stage": "signed", "summary": v})),
        ),
        ("payload.summary", ev("implementation_step", json!({"summary": v}))),
        ("payload.summary", ev("context_noted", json!({"summary": v}))),
        (
            "payload.reason",
            ev(
                "event_corrected",
                json!({"target": id(18), "reason": v, "changes": [{"field": "occurred", "to": "2022-08"}]}),
            ),
        ),
        (
            "payload.changes (the corrected event's payload.summary)",
            ev(
                "event_corrected",
                json!({"target": id(18), "reason": "R", "changes": [{"field": "payload.summary", "to": v}]}),
            ),
        ),
        ("payload.reason", ev("event_retracted", json!({"target": id(18), "reason": v}))),
        (
            "payload.note",
            json!({"kind": "event_disputed", "version": 1, "tracks": ["x-y"], "occurred": "2023",
            "sources": [{"title": "S"}], "payload": {"target": id(18), "note": v}}),
        ),
        ("sources[0].title", ctx(json!([{"title": v}]))),
        ("sources[0].author", ctx(json!([{"title": "S", "author": v}]))),
        ("sources[0].publisher", ctx(json!([{"title": "S", "publisher": v}]))),
        ("sources[0].url", ctx(json!([{"title": "S", "url": v}]))),
        ("sources[0].locator", ctx(json!([{"title": "S", "locator": v}]))),
    ]
}

#[test]
fn invisible_only_text_is_refused_in_every_text_field_and_nothing_is_written() {
    let s = Sandbox::new();
    load(&s, &scenario(&|t| t.to_owned()));
    let before = s.fingerprint();
    for (field, line) in field_cases() {
        // The line is good with visible text ...
        let good = line.to_string().replace("\\u0000V", "Visible");
        assert!(!good.contains("\\u0000"), "{good}");
        for invisible in INVISIBLE {
            let bad =
                line.to_string().replace("\\u0000V", serde_json::to_string(invisible).expect("json").trim_matches('"'));
            let file = s.file("bad.jsonl", &format!("{bad}\n"));
            let out = s.run(&["import", file.to_str().expect("path")]);
            let (_, stderr) = text_of(&out);
            assert_eq!(out.status.code(), Some(1), "{field} ← {invisible:?} was accepted:\n{stderr}");
            assert!(stderr.contains(&format!("{field}: must not be empty")), "{field} ← {invisible:?}:\n{stderr}");
            assert!(stderr.contains("invisible characters (U+"), "{field}:\n{stderr}");
            assert_eq!(s.fingerprint(), before, "{field}: the log changed");
        }
        // ... which a dry run of the good line proves is not refused for another reason.
        let file = s.file("good.jsonl", &format!("{good}\n"));
        let scratch = Sandbox::new();
        load(&scratch, &scenario(&|t| t.to_owned()));
        let out = scratch.run(&["import", file.to_str().expect("path")]);
        assert!(out.status.success(), "{field}: the good line is refused:\n{}", text_of(&out).1);
    }
}

#[test]
fn a_path_in_a_message_is_escaped() {
    let s = Sandbox::empty();
    let db = s.dir.path().join("log\u{1b}[2J\r\u{202e}.db");
    let out = s.cmd(&["--db", db.to_str().expect("utf-8 path"), "init"]).output().expect("run entente");
    let (stdout, stderr) = text_of(&out);
    assert!(out.status.success(), "{stderr}");
    assert_clean("init stdout", &stdout);
    assert!(stdout.contains(r"log\u{1b}[2J\u{d}\u{202e}.db"), "{stdout}");
}

#[test]
fn event_kind_has_one_name_each() {
    use entente::event::Kind;
    for &k in <Kind as Named>::ALL {
        assert_eq!(k.to_string(), k.name());
        assert_eq!(Kind::from_name(&k.to_string()), Some(k));
        assert_eq!(serde_json::to_string(&k).expect("json"), format!("\"{}\"", k.name()), "JSON is the name");
        assert_eq!(serde_json::from_str::<Kind>(&format!("\"{}\"", k.name())).expect("json"), k);
    }
}
