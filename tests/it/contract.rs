//! The event contract: every scenario line is canonical and chained; every kind is
//! used and catalogued; import then export reproduces a scenario byte for byte.

use std::collections::BTreeSet;

use entente::event::{Hash, Kind, Record, canonical_head, chain_hash, format_recorded_at, parse_line};

use crate::common::{Sandbox, repo, scenarios};

#[test]
fn every_scenario_line_round_trips_byte_for_byte_and_chains() {
    for (name, text) in scenarios() {
        let mut prev = Hash::GENESIS;
        for (i, line) in text.lines().enumerate() {
            let parsed = parse_line(line).unwrap_or_else(|e| panic!("{name}:{}: {e:?}", i + 1));
            let seq = parsed.seq.expect("scenario lines carry seq");
            assert_eq!(seq, i as u64 + 1, "{name}:{}: seq is gap-free from 1", i + 1);
            assert_eq!(parsed.prev_hash, Some(prev), "{name}:{}: prev_hash links to the line before", i + 1);
            let event = entente::event::Event {
                id: parsed.id.expect("id"),
                recorded_at: parsed.recorded_at.expect("recorded_at"),
                recorded_by: parsed.recorded_by.clone().expect("recorded_by"),
                facts: parsed.facts.clone(),
            };
            let record = Record::chain(seq, event, prev);
            assert_eq!(Some(record.hash), parsed.hash, "{name}:{}: hash matches content", i + 1);
            assert_eq!(record.hash, chain_hash(prev, seq, &record.event.body_json()));
            assert_eq!(record.to_line(), line, "{name}:{}: canonical form", i + 1);
            // verify reads these three from a canonical body without parsing it.
            let body = record.event.body_json();
            let head = canonical_head(&body).unwrap_or_else(|| panic!("{name}:{}: canonical head", i + 1));
            assert_eq!(head.id, record.event.id.to_string(), "{name}:{}: head id", i + 1);
            assert_eq!(head.kind, record.event.facts.kind().name(), "{name}:{}: head kind", i + 1);
            let tracks: Vec<&str> = record.event.facts.tracks.iter().map(|t| t.as_str()).collect();
            assert_eq!(head.tracks().collect::<Vec<_>>(), tracks, "{name}:{}: head tracks", i + 1);
            assert_eq!(head.recorded_at, format_recorded_at(&record.event.recorded_at), "{name}:{}", i + 1);
            prev = record.hash;
        }
    }
}

#[test]
fn every_kind_appears_in_some_scenario() {
    let mut seen = BTreeSet::new();
    for (_, text) in scenarios() {
        for line in text.lines() {
            seen.insert(parse_line(line).expect("parses").facts.kind());
        }
    }
    let missing: Vec<&str> = Kind::ALL.iter().filter(|k| !seen.contains(k)).map(|k| k.name()).collect();
    assert!(missing.is_empty(), "kinds in no scenario: {missing:?}");
}

#[test]
fn the_catalogue_documents_every_kind_with_an_example_that_parses() {
    let readme = std::fs::read_to_string(repo("events/README.md")).expect("events/README.md");
    for kind in Kind::ALL {
        let heading = format!("### `{}`", kind.name());
        let at = readme.find(&heading).unwrap_or_else(|| panic!("events/README.md lacks a section `{heading}`"));
        let section = &readme[at..];
        let example = section
            .lines()
            .find(|l| l.starts_with('{'))
            .unwrap_or_else(|| panic!("section {heading} has no example line"));
        let parsed = parse_line(example).unwrap_or_else(|e| panic!("{heading} example: {e:?}"));
        assert_eq!(parsed.facts.kind(), *kind, "{heading} example is of another kind");
    }
}

#[test]
fn import_then_export_reproduces_each_scenario_with_its_head_hash() {
    for (name, text) in scenarios() {
        let s = Sandbox::new();
        let file = s.file(&name, &text);
        s.ok(&["import", file.to_str().expect("path")]);
        assert_eq!(s.ok(&["export"]), text, "{name}: export differs from the scenario");
        let last = parse_line(text.lines().last().expect("non-empty")).expect("parses");
        assert_eq!(s.fingerprint(), (text.lines().count() as u64, last.hash.expect("hash").to_hex()));
    }
}

#[test]
fn log_track_lists_exactly_the_events_on_that_track() {
    // `log --track` reads tracks from the head of each stored body; it must agree with
    // the parsed events, multi-track events included.
    for (name, text) in scenarios() {
        let s = Sandbox::new();
        let file = s.file(&name, &text);
        s.ok(&["import", file.to_str().expect("path")]);
        let lines: Vec<_> = text.lines().map(|l| parse_line(l).expect("parses")).collect();
        let tracks: BTreeSet<String> =
            lines.iter().flat_map(|l| l.facts.tracks.iter().map(|t| t.as_str().to_owned())).collect();
        for track in tracks {
            let expected: Vec<u64> = lines
                .iter()
                .filter(|l| l.facts.tracks.iter().any(|t| t.as_str() == track))
                .map(|l| l.seq.expect("seq"))
                .collect();
            let listed: Vec<u64> = s
                .ok(&["log", "--track", &track, "--format", "json"])
                .lines()
                .map(|l| parse_line(l).expect("log line parses").seq.expect("seq"))
                .collect();
            assert_eq!(listed, expected, "{name}: log --track {track}");
        }
    }
}
