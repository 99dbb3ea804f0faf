//! Every party code an event names is checked against its tracks' registry: no field
//! typed `Party` is left unchecked.
//!
//! The fields are found in the catalogue's examples, not listed here: every string in
//! an example's payload (and its `attribution`) is set in turn to a code no track
//! knows. Where the parser takes it as an id (it refuses the same text in capitals),
//! validation against a log that knows the tracks and nothing else must refuse it —
//! as an unknown party where `Facts::party_fields` lists the field, as an unknown
//! commitment, proposal, … elsewhere — unless the field declares what it names. A
//! `Party` field added to a kind and left out of `party_fields` is accepted there, and
//! fails this test.

use entente::event::payload::ThirdPartyRole;
use entente::event::{Kind, Known, Name, Party, TrackId, parse_line, validate};
use serde_json::Value;

use crate::common::repo;

/// Knows the tracks and nothing else: no party, no commitment, no instrument.
struct TracksOnly;

impl Known for TracksOnly {
    fn knows(&self, name: &Name) -> bool {
        matches!(name, Name::Track(_))
    }

    fn parties(&self, _tracks: &[TrackId]) -> Option<Vec<Party>> {
        Some(Vec::new())
    }

    fn third_parties(&self, _tracks: &[TrackId]) -> Option<Vec<(Party, ThirdPartyRole)>> {
        Some(Vec::new())
    }
}

/// Fields that declare what they name (a new id, a party the event registers).
const DECLARING: &[(&str, &str)] = &[
    ("track_opened", "payload.parties[].code"),
    ("track_opened", "payload.third_parties[].code"),
    ("party_joined", "payload.party.code"),
    ("proposal_tabled", "payload.proposal"),
    ("commitment_made", "payload.commitment"),
    ("commission_established", "payload.commission"),
    ("instrument_stage_reached", "payload.instrument"),
    ("condition_set", "payload.condition"),
    // A condition may wait on another track's step: the party inside its references is
    // that track's (the reference must resolve; whose party it is, is not this event's).
    ("condition_set", "payload.subject.party"),
    ("condition_set", "payload.on.party"),
];

/// Every string leaf under `value`, by path as validation writes it (`payload.to[0]`).
fn leaves(value: &Value, path: String, out: &mut Vec<String>) {
    match value {
        Value::String(_) => out.push(path),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                leaves(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                leaves(item, format!("{path}.{key}"), out);
            }
        }
        _ => {}
    }
}

/// `value` with the leaf at `path` set to `to`.
fn with_leaf(value: &Value, path: &str, to: &str) -> Value {
    let mut value = value.clone();
    let mut at = &mut value;
    for part in path.split('.') {
        let (key, indices) = part.split_once('[').map_or((part, ""), |(k, rest)| (k, rest));
        at = &mut at[key];
        for index in indices.split('[').filter(|i| !i.is_empty()) {
            at = &mut at[index.trim_end_matches(']').parse::<usize>().expect("an index")];
        }
    }
    *at = Value::String(to.to_owned());
    value
}

/// `path` without its indices (`payload.to[]`).
fn unindexed(path: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push_str("[]");
            }
            ']' => skipping = false,
            _ if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn every_party_code_in_an_event_is_checked_against_its_tracks() {
    let readme = std::fs::read_to_string(repo("events/README.md")).expect("events/README.md");
    let mut checked = 0;
    let mut problems = Vec::new();
    for kind in Kind::ALL {
        let heading = format!("### `{}`", kind.name());
        let at = readme.find(&heading).expect("a section");
        let example = readme[at..].lines().find(|l| l.starts_with('{')).expect("an example");
        let line: Value = serde_json::from_str(example).expect("JSON");
        let mut paths = Vec::new();
        leaves(&line["payload"], "payload".to_owned(), &mut paths);
        paths.push("attribution".to_owned());
        for path in paths {
            if DECLARING.contains(&(kind.name(), unindexed(&path).as_str())) {
                continue;
            }
            // A participant who is not there for a party carries a label, not a code.
            if path.contains("participants[") && path.ends_with(".party") {
                let role = with_leaf(&line, &path, "x");
                let role_path = path.trim_end_matches(".party").to_owned() + ".role";
                let mut at = &role;
                for part in role_path.split('.') {
                    let (key, rest) = part.split_once('[').unwrap_or((part, ""));
                    at = &at[key];
                    if !rest.is_empty() {
                        at = &at[rest.trim_end_matches(']').parse::<usize>().expect("index")];
                    }
                }
                if at != "party" {
                    continue;
                }
            }
            let slug = parse_line(&with_leaf(&line, &path, "zz-unknown").to_string());
            let capitals = parse_line(&with_leaf(&line, &path, "ZZ UNKNOWN").to_string());
            let (Ok(slug), Err(_)) = (slug, capitals) else { continue };
            checked += 1;
            let listed = slug.facts.party_fields().iter().any(|(field, _)| *field == path);
            let errors = validate(&slug.facts, &TracksOnly).err().unwrap_or_default();
            let at_path: Vec<&str> = errors
                .iter()
                .filter(|e| e.field.as_deref() == Some(path.as_str()))
                .map(|e| e.message.as_str())
                .collect();
            let as_party = at_path.iter().any(|m| m.starts_with("unknown party `zz-unknown`"));
            match (listed, as_party, at_path.is_empty()) {
                (true, true, _) | (false, false, false) => {}
                (true, false, _) => problems.push(format!("{kind} {path}: listed as a party but not refused as one")),
                (false, _, true) => problems.push(format!(
                    "{kind} {path}: an id no track knows is accepted; if it is a party code, list it in \
                     Facts::party_fields"
                )),
                (false, true, false) => problems.push(format!("{kind} {path}: refused as a party but not listed")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 20, "only {checked} id fields were found in the examples");
}
