//! PLOVER interchange: every golden record (projections/plover/) parses and holds
//! against the closed sets of the PLOVER manual (vendored in tests/data/plover/), and
//! nothing an event says is lost on the way.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{Sandbox, repo, scenarios};

/// The closed sets and field tables of the manual, as vendored.
struct Spec(Value);

impl Spec {
    fn load() -> Spec {
        let text = std::fs::read_to_string(repo("tests/data/plover/plover-base.json")).expect("read the vendored spec");
        Spec(serde_json::from_str(&text).expect("the vendored spec is JSON"))
    }

    fn strings(&self, key: &str) -> BTreeSet<String> {
        self.0[key].as_array().expect(key).iter().map(|v| v.as_str().expect("a string").to_owned()).collect()
    }

    /// Every way `record` breaks the manual's rules; empty when it holds.
    fn problems(&self, record: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let Some(object) = record.as_object() else { return vec!["not a JSON object".to_owned()] };
        let fields = self.0["fields"].as_object().expect("fields");
        for (name, required) in fields {
            if required.as_bool() == Some(true) && !object.contains_key(name) {
                out.push(format!("required field `{name}` missing"));
            }
        }
        for key in object.keys() {
            if !fields.contains_key(key) && key != "entente" {
                out.push(format!("`{key}` is neither a PLOVER field nor the `entente` extension"));
            }
        }
        for key in ["date", "enddate"] {
            if let Some(v) = object.get(key) {
                let ok = v
                    .as_str()
                    .is_some_and(|d| d.len() == 10 && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
                if !ok {
                    out.push(format!("`{key}` {v} is not a YYYY-MM-DD date"));
                }
            }
        }
        if let (Some(a), Some(b)) = (object.get("date"), object.get("enddate"))
            && a.as_str() >= b.as_str()
        {
            out.push(format!("enddate {b} is not after date {a}"));
        }
        let types = self.0["event_types"].as_object().expect("event_types");
        let events: Vec<&str> = object
            .get("event")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let has_event = object.get("has_event").and_then(Value::as_bool).unwrap_or(true);
        if has_event == events.is_empty() {
            out.push(format!("has_event {has_event} but event {events:?}"));
        }
        let recipients = object.get("recipient").and_then(Value::as_array).map_or(0, Vec::len);
        let actors = object.get("actor").and_then(Value::as_array);
        if actors.is_none() {
            out.push("actor is not a list".to_owned());
        }
        if has_event && actors.is_some_and(Vec::is_empty) {
            out.push("an event with no actor".to_owned());
        }
        for event in &events {
            let Some(spec) = types.get(*event) else {
                out.push(format!("event `{event}` is not a PLOVER event type"));
                continue;
            };
            if spec["requires_recipient"] == true && recipients == 0 {
                out.push(format!("{event} requires a recipient"));
            }
            if let Some(quad) = object.get("quad_code")
                && *quad != spec["quad"]
            {
                out.push(format!("quad_code {quad} is not {event}'s {}", spec["quad"]));
            }
            for mode in object.get("mode").and_then(Value::as_array).into_iter().flatten() {
                if !spec["modes"].as_array().expect("modes").contains(mode) {
                    out.push(format!("mode {mode} is not one of {event}'s"));
                }
            }
        }
        if events.is_empty() && (object.contains_key("mode") || object.contains_key("quad_code")) {
            out.push("mode or quad_code without an event".to_owned());
        }
        let contexts = self.strings("contexts");
        for context in object.get("context").and_then(Value::as_array).into_iter().flatten() {
            if !context.as_str().is_some_and(|c| contexts.contains(c)) {
                out.push(format!("context {context} is not a PLOVER context"));
            }
        }
        let mut entity_fields = self.strings("entity_fields");
        entity_fields.insert("entente_role".to_owned());
        for key in ["actor", "recipient"] {
            for entity in object.get(key).and_then(Value::as_array).into_iter().flatten() {
                for field in entity.as_object().map(|o| o.keys().collect::<Vec<_>>()).unwrap_or_default() {
                    if !entity_fields.contains(field) {
                        out.push(format!("{key} field `{field}` is not an entity field"));
                    }
                }
            }
        }
        for (key, table) in [("cite_info", "cite_info_fields"), ("event_loc", "location_fields")] {
            let allowed = self.strings(table);
            for field in object.get(key).and_then(Value::as_object).into_iter().flat_map(|o| o.keys()) {
                if !allowed.contains(field) {
                    out.push(format!("{key} field `{field}` is not one of PLOVER's"));
                }
            }
        }
        out
    }
}

/// Every golden PLOVER file, as (scenario, records).
fn goldens() -> Vec<(String, Vec<Value>)> {
    let mut out = Vec::new();
    for (name, _) in scenarios() {
        let stem = name.trim_end_matches(".jsonl");
        let path = repo(&format!("projections/plover/{stem}.jsonl"));
        let text = std::fs::read_to_string(&path).expect("a golden PLOVER file per scenario");
        let records = text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{}:{}: not JSON: {e}", path.display(), i + 1))
            })
            .collect();
        out.push((stem.to_owned(), records));
    }
    out
}

#[test]
fn the_checker_accepts_the_manuals_example_and_refuses_what_breaks_it() {
    let spec = Spec::load();
    let example = &spec.0["examples"][0]["record"];
    assert_eq!(spec.problems(example), Vec::<String>::new());
    let broken = [
        ("event", serde_json::json!(["PROPOSE"])),
        ("date", serde_json::json!("2016-7-24")),
        ("mode", serde_json::json!(["allege"])),
        ("context", serde_json::json!(["diplomacy"])),
        ("actor", serde_json::json!("USA")),
        ("wibble", serde_json::json!(1)),
    ];
    for (key, value) in broken {
        let mut record = example.clone();
        record[key] = value;
        assert!(!spec.problems(&record).is_empty(), "{key} should break the record");
    }
    let mut sanction = example.clone();
    sanction["event"] = serde_json::json!(["SANCTION"]);
    sanction.as_object_mut().expect("object").remove("recipient");
    assert!(!spec.problems(&sanction).is_empty(), "SANCTION needs a recipient");
    let mut no_id = example.clone();
    no_id.as_object_mut().expect("object").remove("id");
    assert!(!spec.problems(&no_id).is_empty(), "id is required");
}

#[test]
fn every_golden_record_round_trips_and_holds_against_the_manual() {
    let spec = Spec::load();
    let mut seen_types = BTreeSet::new();
    for (scenario, records) in goldens() {
        let mut ids = BTreeSet::new();
        for record in &records {
            let id = record["id"].as_str().expect("id").to_owned();
            let problems = spec.problems(record);
            assert!(problems.is_empty(), "projections/plover/{scenario}.jsonl, record {id}: {problems:?}");
            assert!(ids.insert(id.clone()), "{scenario}: id {id} twice");
            // A record read back writes the same text: nothing depends on key order or
            // on anything serde_json would not keep.
            let again: Value = serde_json::from_str(&serde_json::to_string(record).expect("write")).expect("read");
            assert_eq!(&again, record);
            for event in record["event"].as_array().expect("event") {
                seen_types.insert(event.as_str().expect("type").to_owned());
            }
        }
    }
    // The scenarios exercise the mapping well beyond one category.
    for expected in ["AGREE", "CONSULT", "SUPPORT", "REJECT", "ACCUSE", "REQUEST"] {
        assert!(seen_types.contains(expected), "no scenario gives a {expected} record: {seen_types:?}");
    }
}

#[test]
fn no_field_of_any_event_is_lost() {
    for ((_, text), (scenario, records)) in scenarios().into_iter().zip(goldens()) {
        let lines: Vec<Value> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("scenario line"))
            .collect();
        let by_id: BTreeMap<&str, &Value> = records.iter().map(|r| (r["id"].as_str().expect("id"), r)).collect();
        let targets = |kind: &str| -> BTreeSet<&str> {
            lines.iter().filter(|l| l["kind"] == kind).filter_map(|l| l["payload"]["target"].as_str()).collect()
        };
        let retracted = targets("event_retracted");
        let amended: BTreeSet<&str> =
            targets("event_corrected").union(&targets("event_corroborated")).copied().collect();
        for line in &lines {
            let id = line["id"].as_str().expect("id");
            let kind = line["kind"].as_str().expect("kind");
            if kind.starts_with("event_") {
                // A meta event is listed in the amendments of the event it speaks about.
                let target = line["payload"]["target"].as_str().expect("target");
                if retracted.contains(target) {
                    assert!(!by_id.contains_key(target), "{scenario}: retracted {target} is still written");
                    continue;
                }
                let listed = by_id[target]["entente"]["amendments"].as_array().is_some_and(|a| {
                    a.iter().any(|x| x["id"] == id && x["kind"] == kind && x["payload"] == line["payload"])
                });
                assert!(listed, "{scenario}: {kind} {id} is not among the amendments of {target}");
                continue;
            }
            if retracted.contains(id) {
                continue;
            }
            let record = by_id.get(id).unwrap_or_else(|| panic!("{scenario}: {kind} {id} has no PLOVER record"));
            let ext = &record["entente"];
            assert_eq!(ext["seq"], line["seq"], "{scenario}: {id}");
            for (key, value) in line.as_object().expect("object") {
                if matches!(key.as_str(), "id" | "seq" | "prev_hash" | "hash") {
                    continue;
                }
                if amended.contains(id) {
                    assert!(ext.get(key).is_some(), "{scenario}: {kind} {id}: `{key}` lost");
                } else {
                    assert_eq!(&ext[key], value, "{scenario}: {kind} {id}: `{key}` not carried as it is");
                }
            }
            // The payload's every field, at every depth, is in the record.
            if !amended.contains(id) {
                assert_eq!(ext["payload"], line["payload"], "{scenario}: {kind} {id}");
            }
            assert_eq!(record["date"].as_str(), ext["first_day"].as_str(), "{scenario}: {id}");
        }
    }
}

#[test]
fn export_writes_plover_records_and_its_default_stays_the_log() {
    let s = Sandbox::seeded();
    let plain = s.ok(&["export"]);
    assert_eq!(s.ok(&["export", "--format", "jsonl"]), plain, "the default is the log's JSON Lines");
    let plover = s.ok(&["export", "--format", "plover"]);
    let spec = Spec::load();
    let records: Vec<Value> = plover.lines().map(|l| serde_json::from_str(l).expect("record")).collect();
    assert!(!records.is_empty());
    for record in &records {
        assert_eq!(spec.problems(record), Vec::<String>::new(), "{record}");
    }
    // Every event of the seed (it has no amendments) is one record.
    assert_eq!(records.len(), plain.lines().count());
    let out = s.run(&["export", "--format", "plover", "--manifest", "m.json"]);
    assert_eq!(out.status.code(), Some(2), "a PLOVER file has no manifest");
    let out = s.run(&["export", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`jsonl`"), "the error names the formats");
}

#[test]
fn an_analysts_code_that_is_not_plovers_is_said_and_the_mapping_used() {
    let records: Vec<Value> = goldens().into_iter().flat_map(|(_, r)| r).collect();
    let propose = records
        .iter()
        .find(|r| r["entente"]["code"]["plover"] == "PROPOSE")
        .expect("a scenario codes an event PROPOSE");
    assert!(propose["comment"].as_str().is_some_and(|c| c.contains("`PROPOSE` is not a PLOVER event type")));
    assert_eq!(propose["has_event"], true);
    let statement = records.iter().find(|r| r["entente"]["kind"] == "statement_made" && r["entente"]["code"].is_null());
    let statement = statement.expect("an uncoded statement");
    assert_eq!(
        (statement["has_event"].clone(), statement["event"].clone()),
        (Value::Bool(false), serde_json::json!([]))
    );
}
