//! Projections: the golden reports in projections/ are what `replay` writes, and the
//! fold's invariants hold for arbitrary logs.

use std::collections::BTreeMap;

use entente::env::Ids;
use entente::event::{Event, Hash, Record, parse_line};
use entente::projection::status::Fold;
use entente::projection::{Replay, View};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, repo};

/// The day the golden reports are judged at; `projections/README.md` gives the command.
pub const GOLDEN_AS_OF: &str = "2026-01-01";

fn files_under(root: &std::path::Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for dir in std::fs::read_dir(root).expect("read dir") {
        let dir = dir.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).expect("read dir") {
            let file = file.expect("entry").path();
            let rel = file.strip_prefix(root).expect("prefix").to_string_lossy().into_owned();
            out.insert(rel, std::fs::read_to_string(&file).expect("read"));
        }
    }
    out
}

#[test]
fn golden_reports_equal_what_replay_writes() {
    let s = Sandbox::empty();
    let out = s.dir.path().join("projections");
    let scenarios = repo("events/scenarios");
    s.ok(&[
        "replay",
        "--scenarios",
        scenarios.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--as-of",
        GOLDEN_AS_OF,
    ]);
    let fresh = files_under(&out);
    let golden = files_under(&repo("projections"));
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        golden.keys().collect::<Vec<_>>(),
        "the set of golden files differs; regenerate (projections/README.md) and review the diff"
    );
    for (name, text) in &fresh {
        assert!(
            golden[name] == *text,
            "projections/{name} differs from what replay writes; regenerate with\n  \
             cargo run -- replay --scenarios events/scenarios --out projections --as-of {GOLDEN_AS_OF}\n\
             and review the diff"
        );
    }
}

#[test]
fn the_worked_example_of_the_domain_holds_on_the_seed() {
    let s = Sandbox::seeded();
    let state = |as_of: &str| {
        let json = s.ok(&["commitments", "--format", "json", "--as-of", as_of]);
        let v: Value = serde_json::from_str(&json).expect("json");
        let track =
            v["tracks"].as_array().expect("tracks").iter().find(|t| t["id"] == "am-az").cloned().expect("am-az");
        let c = track["commitments"]
            .as_array()
            .expect("commitments")
            .iter()
            .find(|c| c["id"] == "am-az-joint-border-commission")
            .cloned()
            .expect("jbc");
        (c["state"].as_str().expect("state").to_owned(), c["due"].as_str().map(str::to_owned))
    };
    assert_eq!(state("2022-04-10"), ("open".to_owned(), Some("2022-04-30".to_owned())));
    // The foreign ministers' call of 11 April discussed establishing the commission.
    assert_eq!(state("2022-04-20"), ("in_progress".to_owned(), Some("2022-04-30".to_owned())));
    assert_eq!(state("2022-05-02"), ("overdue".to_owned(), Some("2022-04-30".to_owned())));
    let convened = s.file(
        "convened.jsonl",
        concat!(
            r#"{"kind":"commission_established","version":1,"tracks":["am-az"],"occurred":"2022-05","unsourced":true,"payload":{"commission":"jbc","name":"Joint Border Commission","parties":["am","az"]}}"#,
            "\n",
            r#"{"kind":"commission_convened","version":1,"tracks":["am-az"],"occurred":"2022-05-24","unsourced":true,"payload":{"commission":"jbc"},"fulfils":["am-az-joint-border-commission"]}"#,
        ),
    );
    s.ok(&["import", convened.to_str().expect("path")]);
    assert_eq!(state("2022-06-01"), ("fulfilled_late".to_owned(), Some("2022-04-30".to_owned())));
    assert_eq!(state("2022-05-02"), ("overdue".to_owned(), Some("2022-04-30".to_owned())), "the past does not move");
}

#[test]
fn a_suspension_reads_on_every_report_and_diff_across_it_is_a_change() {
    let s = Sandbox::seeded();
    let suspended = s.file(
        "suspended.jsonl",
        concat!(
            r#"{"kind":"commitment_suspended","version":1,"tracks":["am-az"],"occurred":"2022-04-20","unsourced":true,"payload":{"commitment":"am-az-peace-treaty-preparation","by":"az","reason":"Talks paused","conditions":"a new round of talks"},"confidence":"reported","attribution":"az"}"#,
            "\n",
        ),
    );
    s.ok(&["import", suspended.to_str().expect("path")]);
    let json = |args: &[&str]| -> Value { serde_json::from_str(&s.ok(args)).expect("json") };

    let diff = json(&["diff", "--from", "2022-04-15", "--to", "2022-04-25", "--track", "am-az", "--format", "json"]);
    let changes: Vec<(String, Value, String, String)> = diff["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            (s("subject"), c["aspect"].clone(), s("from"), s("to"))
        })
        .collect();
    let treaty = "am-az-peace-treaty-preparation".to_owned();
    assert_eq!(
        changes,
        [
            (treaty.clone(), Value::Null, "in_progress".to_owned(), "suspended".to_owned()),
            (treaty.clone(), Value::from("progress"), "in_progress".to_owned(), "suspended".to_owned()),
        ]
    );
    let text = s.ok(&["diff", "--from", "2022-04-15", "--to", "2022-04-25", "--track", "am-az"]);
    assert!(!text.contains("Nothing changed"), "{text}");

    let all = json(&["commitments", "--format", "json", "--as-of", "2022-05-02"]);
    let c = all["tracks"][0]["commitments"]
        .as_array()
        .expect("commitments")
        .iter()
        .find(|c| c["id"] == treaty.as_str())
        .cloned()
        .expect("commitment");
    assert_eq!(
        (&c["state"], &c["progress"], &c["schedule"], &c["activity"], &c["pam"]),
        (
            &Value::from("suspended"),
            &Value::from("suspended"),
            &Value::from("no_deadline"),
            &Value::from("active"),
            &Value::from(1)
        )
    );
    assert_eq!(c["suspensions"][0]["conditions"], "a new round of talks");
    assert_eq!(c["one_sided"], true);
    let text = s.ok(&["commitments", "--track", "am-az", "--state", "suspended", "--as-of", "2022-05-02"]);
    assert!(text.contains("state          suspended ‡"), "{text}");
    assert!(text.contains("2022-04-20 (seq 29) by az; to resume: a new round of talks; not resumed"), "{text}");

    let status = json(&["status", "--track", "am-az", "--format", "json", "--as-of", "2022-04-20"]);
    assert_eq!(status["tracks"][0]["next_deadline"]["due"], "2022-04-30");
    assert_eq!(status["tracks"][0]["overdue"], 0);
    let status = json(&["status", "--track", "am-az", "--format", "json", "--as-of", "2022-05-02"]);
    assert_eq!(
        (&status["tracks"][0]["next_deadline"], &status["tracks"][0]["overdue"]),
        (&Value::Null, &Value::from(1))
    );

    let explain = json(&["explain", &treaty, "--format", "json", "--as-of", "2022-05-02"]);
    let last = explain["evidence"].as_array().and_then(|e| e.last()).cloned().expect("evidence");
    assert_eq!(last["relations"][0]["relation"], "suspends");
    assert_eq!((&last["confidence"], &last["attribution"]), (&Value::from("reported"), &Value::from("az")));
    assert_eq!(explain["axes"]["progress"], "suspended");
}

/// Builds records from lines, assigning seq in the order given and a recording time
/// one second apart.
fn records(lines: &[String]) -> Vec<Record> {
    let mut prev = Hash::GENESIS;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let seq = i as u64 + 1;
            let line = parse_line(l).expect("generated lines are valid");
            let event = Event {
                id: line.id.unwrap_or_else(|| Ids::Seeded(9).event_id(seq)),
                recorded_at: chrono::DateTime::UNIX_EPOCH + chrono::Duration::seconds(seq as i64),
                recorded_by: "prop".to_owned(),
                facts: line.facts,
            };
            let r = Record::chain(seq, event, prev);
            prev = r.hash;
            r
        })
        .collect()
}

fn status_json(records: &[Record], view: View) -> Value {
    let mut replay = Replay::new(view);
    records.iter().cloned().for_each(|r| replay.push(r));
    serde_json::to_value(replay.status()).expect("serializes")
}

/// Replaces every seq in a status with the event id it stands for.
fn by_id(value: &Value, ids: &BTreeMap<u64, String>) -> Value {
    let id = |v: &Value| v.as_u64().and_then(|s| ids.get(&s)).map_or(Value::Null, |s| Value::String(s.clone()));
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("seq", n) => id(n),
                        ("evidence" | "unsourced" | "disputed" | "decisive", Value::Array(xs)) => {
                            Value::Array(xs.iter().map(id).collect())
                        }
                        _ => by_id(v, ids),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(xs) => Value::Array(xs.iter().map(|x| by_id(x, ids)).collect()),
        other => other.clone(),
    }
}

fn day(n: u32) -> String {
    (chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("date") + chrono::Days::new(u64::from(n))).to_string()
}

/// A random log on one track: three commitments — one owed by both parties, one with a
/// `begin` milestone, one whose deadline counts from the first one's start — then
/// steps of every kind that acts on a commitment, on distinct days, each with a fixed
/// id so different recording orders can be compared.
fn log() -> impl Strategy<Value = Vec<String>> {
    let step = (0u8..13, 0usize..3, 1u32..60);
    (prop::collection::vec(1u32..90, 3), prop::collection::vec(step, 0..16)).prop_map(|(deadlines, steps)| {
        let mut lines = vec![format!(
            r#"{{"id":"{}","kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"{}","unsourced":true,"payload":{{"title":"X","parties":[{{"code":"x","name":"X"}},{{"code":"y","name":"Y"}}]}}}}"#,
            uuid(0),
            day(0)
        )];
        for (i, d) in deadlines.iter().enumerate() {
            let (parties, deadline) = match i {
                0 => (r#"["x","y"]"#, format!(r#""deadline":{{"within_days":{d}}}"#)),
                1 => (
                    r#"["x"]"#,
                    format!(
                        r#""standing":true,"deadline":{{"within_days":{d}}},"deadlines":[{{"milestone":"begin","within_days":{}}}]"#,
                        d / 2
                    ),
                ),
                _ => (r#"["y"]"#, format!(r#""deadline":{{"within_days":{d},"of":{{"commitment":"c0","on":"start"}}}}"#)),
            };
            lines.push(format!(
                r#"{{"id":"{}","kind":"commitment_made","version":1,"tracks":["x-y"],"occurred":"{}","unsourced":true,"payload":{{"commitment":"c{i}","parties":{parties},"text":"T",{deadline}}}}}"#,
                uuid(i + 1),
                day(i as u32 + 1)
            ));
        }
        for (j, (kind, target, extra)) in steps.iter().enumerate() {
            let (id, when) = (uuid(j + 10), day(10 + 7 * j as u32));
            let head = |kind: &str| format!(r#""kind":"{kind}","version":1,"tracks":["x-y"],"occurred":"{when}","unsourced":true"#);
            let on = |kind: &str, fields: &str| format!(r#"{},"payload":{{"commitment":"c{target}"{fields}}}"#, head(kind));
            let party = if extra % 2 == 0 { "x" } else { "y" };
            let payload = match kind {
                0 => on("commitment_progressed", r#","summary":"s""#),
                1 => on("commitment_fulfilled", r#","summary":"s""#),
                2 => on("deadline_amended", &format!(r#","deadline":{{"within_days":{extra}}}"#)),
                3 => format!(r#"{},"payload":{{"participants":[{{"name":"A","role":"party"}},{{"name":"B","role":"party"}}],"format":"bilateral","mode":"phone"}},"advances":["c{target}"]"#, head("meeting_held")),
                4 => on("commitment_withdrawn", r#","reason":"r""#),
                5 => on("commitment_partially_fulfilled", &format!(r#","summary":"s","score":{}"#, 1 + extra % 2)),
                6 => on("commitment_reaffirmed", &format!(r#","by":["{party}"]"#)),
                7 => on(
                    "commitment_reported_unmet",
                    &format!(
                        r#","reporter":"analyst","finding":"{}","summary":"s""#,
                        if extra % 2 == 0 { "unmet" } else { "breach" }
                    ),
                ),
                8 => on("commitment_suspended", &format!(r#","by":"{party}","reason":"r""#)),
                9 => on("commitment_resumed", r#","summary":"s""#),
                10 => on("commitment_superseded", &format!(r#","replacement":"c{}""#, (target + 1) % 3)),
                11 => on("commitment_fulfilled", &format!(r#","summary":"s","by":"{party}""#)),
                _ => on("commitment_withdrawn", &format!(r#","by":"{party}","reason":"r""#)),
            };
            lines.push(format!(r#"{{"id":"{id}",{payload}}}"#));
        }
        lines
    })
}

fn uuid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn view(as_of_days: u32) -> View {
    View { as_of: day(as_of_days).parse().expect("day"), known_at: None, stall_days: 30 }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_prefix_then_the_rest_equals_the_whole(lines in log(), cut in 0usize..20, as_of in 0u32..200) {
        let all = records(&lines);
        let cut = cut.min(all.len());
        let mut replay = Replay::new(view(as_of));
        all[..cut].iter().cloned().for_each(|r| replay.push(r));
        let _ = replay.status();
        all[cut..].iter().cloned().for_each(|r| replay.push(r));
        prop_assert_eq!(serde_json::to_value(replay.status()).expect("json"), status_json(&all, view(as_of)));
    }

    #[test]
    fn recording_order_of_different_days_does_not_matter(
        (lines, shuffled) in log().prop_flat_map(|l| (Just(l.clone()), Just(l).prop_shuffle())),
        as_of in 0u32..200,
    ) {
        let ids = |rs: &[Record]| rs.iter().map(|r| (r.seq, r.event.id.to_string())).collect::<BTreeMap<_, _>>();
        let (a, b) = (records(&lines), records(&shuffled));
        prop_assert_eq!(by_id(&status_json(&a, view(as_of)), &ids(&a)), by_id(&status_json(&b, view(as_of)), &ids(&b)));
    }

    #[test]
    fn a_snapshot_caught_up_equals_a_full_fold(lines in log(), cut in 0usize..20, as_of in 0u32..400) {
        let all = records(&lines);
        let cut = cut.min(all.len());
        let mut prefix = Fold::default();
        all[..cut].iter().for_each(|r| prefix.push(r, false));
        let saved = serde_json::to_string(&prefix).expect("serializes");
        let mut restored: Fold = serde_json::from_str(&saved).expect("deserializes");
        all[cut..].iter().for_each(|r| restored.push(r, false));
        let mut full = Fold::default();
        all.iter().for_each(|r| full.push(r, false));
        prop_assert_eq!(&restored, &full);
        prop_assert_eq!(restored.finish(&view(as_of)), full.finish(&view(as_of)));
    }

    #[test]
    fn known_at_the_head_equals_no_known_at(lines in log(), as_of in 0u32..200) {
        let all = records(&lines);
        let head = all.last().expect("non-empty").event.recorded_at;
        let known = View { known_at: Some(head), ..view(as_of) };
        prop_assert_eq!(status_json(&all, known), status_json(&all, view(as_of)));
    }
}

#[test]
fn the_status_snapshot_is_caught_up_and_rebuilt_never_stale() {
    let s = Sandbox::seeded();
    let status = |s: &Sandbox| s.ok(&["status", "--format", "json", "--as-of", "2026-01-01"]);
    let first = status(&s);
    // Backdated and current events after the snapshot: caught up incrementally.
    let more = s.file(
        "more.jsonl",
        concat!(
            r#"{"kind":"meeting_held","version":1,"tracks":["am-tr"],"occurred":"2021-12-20","unsourced":true,"payload":{"participants":[{"name":"A","party":"am","role":"party"},{"name":"B","party":"tr","role":"party"}],"format":"bilateral","mode":"video"}}"#,
            "\n",
            r#"{"kind":"commitment_fulfilled","version":1,"tracks":["am-az"],"occurred":"2022-05-24","unsourced":true,"payload":{"commitment":"am-az-joint-border-commission","summary":"Convened"}}"#,
        ),
    );
    s.ok(&["import", more.to_str().expect("path")]);
    let caught_up = status(&s);
    assert_ne!(caught_up, first);
    s.ok(&["replay"]);
    assert_eq!(status(&s), caught_up, "a rebuilt snapshot equals the caught-up one");
    // A correction arriving after the snapshot forces a rebuild.
    s.ok(&["correct", "30", "--occurred", "2022-04-25", "--reason", "earlier than thought"]);
    let corrected = status(&s);
    let v: serde_json::Value = serde_json::from_str(&corrected).expect("json");
    let jbc = v["tracks"][0]["commitments"]
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["id"] == "am-az-joint-border-commission")
        .cloned()
        .expect("jbc");
    assert_eq!(jbc["state"], "fulfilled");
    // And the snapshot never answers time travel.
    let past = s.ok(&["status", "--format", "json", "--as-of", "2022-05-02", "--known-at", "2026-11-28T09:00:00Z"]);
    assert!(past.contains("\"seq\": 28"), "{past}");
}

#[test]
fn text_reaching_an_output_format_is_escaped_for_it() {
    let s = Sandbox::new();
    let hostile = s.file(
        "hostile.jsonl",
        concat!(
            r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020","unsourced":true,"payload":{"title":"X | Y <script>alert(1)</script>","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#,
            "\n",
            r#"{"kind":"commitment_made","version":1,"tracks":["x-y"],"occurred":"2021","unsourced":true,"payload":{"commitment":"c","parties":["x"],"text":"Pay | *now* \"quoted\"\nsecond line"}}"#,
        ),
    );
    s.ok(&["import", hostile.to_str().expect("path")]);
    let md = s.ok(&["status", "--format", "markdown", "--as-of", "2022-01-01"]);
    assert!(md.contains(r"X \| Y &lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    // The line break is shown escaped (its backslash escaped for Markdown).
    assert!(md.contains(r#"Pay \| \*now\* "quoted"\\u{a}second line"#), "{md}");
    assert!(!md.contains("<script>"), "{md}");
    let json = s.ok(&["commitments", "--format", "json", "--as-of", "2022-01-01"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["tracks"][0]["commitments"][0]["text"], "Pay | *now* \"quoted\"\nsecond line");
}

/// Every value of a commitment's headline and three axes, and every relation an event
/// can have to a commitment, appears in some golden commitments report: the canonical
/// scenarios reach the whole model.
#[test]
fn the_golden_reports_reach_every_commitment_state_axis_value_and_relation() {
    use entente::names::Named;
    use entente::projection::status::{Activity, CommitmentState, Progress, Relation, Schedule};
    let mut seen: BTreeMap<&str, std::collections::BTreeSet<String>> = BTreeMap::new();
    let dir = repo("projections/commitments");
    for entry in std::fs::read_dir(&dir).expect("projections/commitments") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        for c in
            v["tracks"].as_array().into_iter().flatten().flat_map(|t| t["commitments"].as_array().into_iter().flatten())
        {
            for key in ["state", "progress", "schedule", "activity"] {
                seen.entry(key).or_default().insert(c[key].as_str().unwrap_or_default().to_owned());
            }
            for r in c["relations"].as_array().into_iter().flatten() {
                seen.entry("relation").or_default().insert(r["relation"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
    fn names<T: Named>() -> Vec<&'static str> {
        T::NAMES.to_vec()
    }
    for (key, all) in [
        ("state", names::<CommitmentState>()),
        ("progress", names::<Progress>()),
        ("schedule", names::<Schedule>()),
        ("activity", names::<Activity>()),
        ("relation", names::<Relation>()),
    ] {
        let missing: Vec<&str> = all.into_iter().filter(|n| !seen.get(key).is_some_and(|s| s.contains(*n))).collect();
        assert!(missing.is_empty(), "no golden commitments report shows {key} {missing:?}: add it to a scenario");
    }
}

/// The records of a canonical scenario log, as recorded.
fn scenario(name: &str) -> Vec<Record> {
    let text = std::fs::read_to_string(repo("events/scenarios").join(name)).expect("scenario");
    let mut prev = Hash::GENESIS;
    text.lines()
        .map(|l| {
            let line = parse_line(l).expect("scenario lines are valid");
            let event = Event {
                id: line.id.expect("scenario lines carry ids"),
                recorded_at: line.recorded_at.expect("scenario lines carry recording times"),
                recorded_by: line.recorded_by.expect("scenario lines carry recorders"),
                facts: line.facts,
            };
            let r = Record::chain(line.seq.expect("scenario lines carry seqs"), event, prev);
            prev = r.hash;
            r
        })
        .collect()
}

/// Every scenario's file name.
fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo("events/scenarios"))
        .expect("scenarios")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    names.sort();
    names
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Time travel at snapshot speed rests on this: the fold of every event, judged as
    /// of a day, says what a fold of the events dated by then says.
    #[test]
    fn a_fold_of_every_event_judges_any_day_as_the_events_dated_by_then(lines in log(), as_of in 0u32..400) {
        let all = records(&lines);
        let mut full = Fold::default();
        all.iter().for_each(|r| full.push(r, false));
        let mut seen = Fold::default();
        all.iter().filter(|r| view(as_of).sees(r)).for_each(|r| seen.push(r, false));
        prop_assert_eq!(full.finish(&view(as_of)), seen.finish(&view(as_of)));
    }

    /// The same over the real processes, at any day of their span (and a little
    /// beyond), with their corrections, retractions and disputes applied.
    #[test]
    fn every_scenario_judged_at_any_day_from_one_fold_equals_its_replay(pick in 0usize..64, offset in 0u32..20_000) {
        let names = scenario_names();
        let all = scenario(&names[pick % names.len()]);
        let first = all.iter().map(|r| r.event.facts.occurred.first_day()).min().expect("non-empty");
        let last = all.iter().map(|r| r.event.facts.occurred.last_day()).max().expect("non-empty");
        let span = (last - first).num_days().max(1) as u32 + 60;
        let as_of = first - chrono::Days::new(30) + chrono::Days::new(u64::from(offset % span));
        let everything = View { as_of: chrono::NaiveDate::MAX, known_at: None, stall_days: 180 };
        let mut replay = Replay::new(everything);
        all.iter().cloned().for_each(|r| replay.push(r));
        let at = View { as_of, ..everything };
        let mut dated = Replay::new(at);
        all.iter().cloned().for_each(|r| dated.push(r));
        prop_assert_eq!(&replay.over_time(&[as_of])[0], &dated.status(), "as of {}", as_of);
    }
}

#[test]
fn state_over_time_equals_a_replay_per_day_on_every_scenario() {
    for name in scenario_names() {
        let all = scenario(&name);
        let everything = View { as_of: chrono::NaiveDate::MAX, known_at: None, stall_days: 180 };
        let mut replay = Replay::new(everything);
        all.iter().cloned().for_each(|r| replay.push(r));
        // Every day an event's date ends on, and the day before it: where states move.
        let mut days: Vec<chrono::NaiveDate> = all
            .iter()
            .flat_map(|r| {
                let d = r.event.facts.occurred.last_day();
                [d.pred_opt().expect("day"), d]
            })
            .collect();
        days.sort();
        days.dedup();
        let series = replay.over_time(&days);
        for (day, tracks) in days.iter().zip(&series) {
            let mut dated = Replay::new(View { as_of: *day, ..everything });
            all.iter().cloned().for_each(|r| dated.push(r));
            assert_eq!(tracks, &dated.status(), "{name} as of {day}");
        }
    }
}
