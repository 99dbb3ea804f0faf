//! Part 3's promises: corrections, retractions and disputes are events that reports
//! honour as known at the time; `verify` catches every edit made behind entente's back
//! with plain SQL; an export re-imports only whole and unedited.

use std::process::Output;

use rusqlite::Connection;

use crate::common::{Sandbox, repo};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A log holding the corrections scenario.
fn corrections() -> Sandbox {
    let s = Sandbox::new();
    s.ok(&["import", path(&repo("events/scenarios/corrections.jsonl"))]);
    s
}

/// Runs `verify` after `tamper` has done its SQL; asserts exit code 5 and the message.
fn caught(tamper: &str, expected: &str) {
    let s = Sandbox::seeded();
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
    let conn = Connection::open(&s.db).expect("open");
    conn.execute_batch(tamper).expect("tamper");
    drop(conn);
    let out = s.run(&["verify"]);
    assert_eq!(out.status.code(), Some(5), "verify passed a tampered log ({tamper}):\n{}", stderr(&out));
    assert!(stderr(&out).contains(expected), "expected {expected:?}:\n{}", stderr(&out));
}

#[test]
fn verify_passes_an_untouched_log_and_prints_the_head() {
    let s = Sandbox::seeded();
    let out = s.ok(&["verify"]);
    assert!(
        out.contains("head seq 28, hash 37df67d6a71407196e7b562d6a165d549536523d09e1981b6d7283d9704d46a7"),
        "{out}"
    );
}

#[test]
fn verify_catches_a_dropped_trigger() {
    caught(
        "DROP TRIGGER events_no_update;",
        "the trigger `events_no_update` that keeps the log append-only is missing",
    );
}

#[test]
fn verify_catches_a_changed_payload() {
    caught(
        "DROP TRIGGER events_no_update;
         UPDATE events SET body = replace(body, 'Vienna', 'Prague') WHERE seq = 17;
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;",
        "at seq 17: its hash does not match its content",
    );
}

#[test]
fn verify_catches_a_deleted_row() {
    caught(
        "DROP TRIGGER events_no_delete;
         DELETE FROM events WHERE seq = 12;
         CREATE TRIGGER events_no_delete BEFORE DELETE ON events
         BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;",
        "at seq 12: seq 12 is missing (the next row is seq 13)",
    );
}

#[test]
fn verify_catches_a_deleted_last_row_through_the_missing_trigger() {
    // Deleting the newest events leaves a valid, shorter chain. Here the trigger that
    // was dropped to do it gives it away; a tamperer who also restores the trigger is
    // caught only by comparing with a published head hash (README, "Proving the log
    // was only appended to").
    let s = Sandbox::seeded();
    let conn = Connection::open(&s.db).expect("open");
    conn.execute_batch("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 28;").expect("tamper");
    drop(conn);
    let out = s.run(&["verify"]);
    assert_eq!(out.status.code(), Some(5), "a dropped trigger is caught:\n{}", stderr(&out));
}

#[test]
fn verify_catches_an_indexed_column_that_disagrees_with_the_body() {
    // Lookups trust the id and kind columns; the hash covers only the body.
    caught(
        "DROP TRIGGER events_no_update;
         UPDATE events SET kind = 'statement_made' WHERE seq = 9;
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;",
        "at seq 9: its kind column differs from the kind in its body",
    );
    caught(
        "DROP TRIGGER events_no_update;
         UPDATE events SET id = randomblob(16) WHERE seq = 4;
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;",
        "at seq 4: its id column differs from the id in its body",
    );
}

/// Rewrites the body of the log's last event with `edit` and re-hashes it, as a tamperer
/// who knows the chain would: the chain stays intact.
fn forge_last(s: &Sandbox, edit: impl Fn(&str) -> String) {
    let conn = Connection::open(&s.db).expect("open");
    let (seq, body, prev): (i64, String, Vec<u8>) = conn
        .query_row(
            "SELECT e.seq, e.body, p.hash FROM events e JOIN events p ON p.seq = e.seq - 1
             ORDER BY e.seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("last event");
    let body = edit(&body);
    let prev = entente::event::Hash(prev.try_into().expect("32-byte hash"));
    let hash = entente::event::chain_hash(prev, seq as u64, &body);
    conn.execute_batch("DROP TRIGGER events_no_update;").expect("drop trigger");
    conn.execute("UPDATE events SET body = ?, hash = ? WHERE seq = ?", rusqlite::params![body, &hash.0[..], seq])
        .expect("forge");
    conn.execute_batch(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;",
    )
    .expect("restore trigger");
}

#[test]
fn verify_catches_a_re_hashed_event_recorded_before_the_one_ahead_of_it() {
    let s = Sandbox::seeded();
    let out = s.ok(&["show", "28", "--format", "json"]);
    let recorded: serde_json::Value = serde_json::from_str(&out).expect("json");
    let at = recorded["event"]["recorded_at"].as_str().expect("recorded_at").to_owned();
    forge_last(&s, |body| body.replace(&at, "2001-01-01T00:00:00.000000Z"));
    let out = s.run(&["verify"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("at seq 28: it was recorded before the event ahead of it"), "{}", stderr(&out));
}

#[test]
fn only_verify_deep_reads_every_event_against_the_schema() {
    // A re-hashed event whose payload no longer means anything keeps the chain intact:
    // the quick verify passes it (the chain proves only that the log was appended to),
    // --deep reads it and fails.
    let s = Sandbox::seeded();
    forge_last(&s, |body| {
        let (head, _) = body.split_once(r#""payload":"#).expect("payload");
        format!(r#"{head}"payload":{{"no_such_field":1}}}}"#)
    });
    assert!(s.ok(&["verify"]).contains("verified 28 events: the hash chain is intact\n"));
    let out = s.run(&["verify", "--deep"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("at seq 28: it no longer reads as an event"), "{}", stderr(&out));
    let untouched = Sandbox::seeded();
    assert!(
        untouched
            .ok(&["verify", "--deep"])
            .contains("verified 28 events: the hash chain is intact and every event reads against its schema")
    );
}

#[test]
fn verify_catches_reordered_rows() {
    caught(
        "DROP TRIGGER events_no_update;
         UPDATE events SET seq = -1 WHERE seq = 5;
         UPDATE events SET seq = 5 WHERE seq = 6;
         UPDATE events SET seq = 6 WHERE seq = -1;
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;",
        "at seq 5: its hash does not match its content and place in the chain",
    );
}

#[test]
fn export_then_import_verify_round_trips_and_a_cut_export_is_refused() {
    let s = corrections();
    let file = s.dir.path().join("backup.jsonl");
    s.ok(&["export", "--out", path(&file)]);
    let manifest = s.dir.path().join("backup.jsonl.manifest.json");
    assert!(std::fs::read_to_string(&manifest).expect("manifest").contains("\"head_seq\": 11"));

    let fresh = Sandbox::new();
    fresh.ok(&["import", "--verify", path(&file)]);
    assert_eq!(fresh.fingerprint(), s.fingerprint());

    let text = std::fs::read_to_string(&file).expect("export");
    let cut: String = text.lines().take(9).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, cut).expect("cut");
    let other = Sandbox::new();
    let out = other.run(&["import", "--verify", path(&file)]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("fails its manifest"), "{}", stderr(&out));
    assert!(stderr(&out).contains("promises 11 ending at seq 11"), "{}", stderr(&out));
    assert_eq!(other.fingerprint().0, 0);

    let edited = text.replacen("Moscow", "Minsk", 1);
    std::fs::write(&file, edited).expect("edit");
    let out = other.run(&["import", "--verify", path(&file)]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("backup.jsonl:2: the hash does not match the line's content"), "{}", stderr(&out));
    assert_eq!(other.fingerprint().0, 0);
}

#[test]
fn reports_show_what_was_believed_before_a_correction() {
    let s = corrections();
    let state = |known_at: Option<&str>| {
        let mut args = vec!["commitments", "--format", "json", "--as-of", "2022-06-01"];
        if let Some(k) = known_at {
            args.extend(["--known-at", k]);
        }
        let v: serde_json::Value = serde_json::from_str(&s.ok(&args)).expect("json");
        v["tracks"][0]["commitments"][0]["state"].as_str().expect("state").to_owned()
    };
    assert_eq!(state(Some("2024-02-20")), "fulfilled_late", "as first recorded: fulfilled in May");
    assert_eq!(state(None), "fulfilled", "corrected: fulfilled on 20 April");
}

#[test]
fn a_corroboration_adds_its_source_from_when_it_was_recorded_and_is_no_correction() {
    // Seq 11 corroborates the fulfilment at seq 6 with Lorien's statement, recorded on
    // 2024-03-05.
    let s = corrections();
    let resting = |known_at: Option<&str>| {
        let mut args = vec!["sources", "--format", "json"];
        if let Some(k) = known_at {
            args.extend(["--known-at", k]);
        }
        let v: serde_json::Value = serde_json::from_str(&s.ok(&args)).expect("json");
        let added = v["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .find(|x| x["title"] == "Lorien MFA statement on the exchange of lists")
            .map(|x| x["events"].clone());
        (added, v["single_source"].as_array().expect("single").iter().any(|x| x == 6))
    };
    assert_eq!(resting(Some("2024-03-04")), (None, true), "before the corroboration: one source");
    assert_eq!(resting(None), (Some(serde_json::json!([6])), false), "after it: two, one of them added");
    let audit: serde_json::Value = serde_json::from_str(&s.ok(&["audit", "--format", "json"])).expect("json");
    let seqs = |key: &str| -> Vec<u64> {
        audit[key].as_array().expect(key).iter().map(|e| e["seq"].as_u64().expect("seq")).collect()
    };
    assert_eq!(seqs("corroborations"), [11]);
    assert_eq!(seqs("corrections"), [7, 8], "a corroboration is not a correction");
    let history = s.ok(&["history", "6"]);
    assert!(history.contains("Corroborated at seq 11") && history.contains("added source"), "{history}");
}

#[test]
fn a_retracted_event_leaves_reports_and_a_disputed_one_is_marked() {
    let s = corrections();
    let v: serde_json::Value = serde_json::from_str(&s.ok(&["timeline", "--format", "json"])).expect("json");
    let seqs: Vec<u64> =
        v["tracks"][0]["events"].as_array().expect("events").iter().map(|e| e["seq"].as_u64().expect("seq")).collect();
    assert!(!seqs.contains(&5), "the retracted duplicate is gone: {seqs:?}");
    let before: serde_json::Value =
        serde_json::from_str(&s.ok(&["timeline", "--format", "json", "--known-at", "2024-03-02"])).expect("json");
    assert!(before["tracks"][0]["events"].as_array().expect("events").iter().any(|e| e["seq"] == 5));
    let status: serde_json::Value = serde_json::from_str(&s.ok(&["status", "--format", "json"])).expect("json");
    assert_eq!(status["tracks"][0]["disputed"], serde_json::json!([3]));
}

fn refused(s: &Sandbox, args: &[&str], expected: &str) {
    refused_with(s, args, expected, 2);
}

fn refused_with(s: &Sandbox, args: &[&str], expected: &str, code: i32) {
    let before = s.fingerprint();
    let out = s.run(args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    assert!(stderr(&out).contains(expected), "{args:?}: expected {expected:?}:\n{}", stderr(&out));
    assert_eq!(s.fingerprint(), before, "{args:?} changed the log");
}

#[test]
fn impossible_amendments_are_refused_and_append_nothing() {
    let s = corrections();
    refused(
        &s,
        &["correct", "7", "--set", "payload.reason=x", "--reason", "r"],
        "is itself a correction, retraction, dispute or corroboration",
    );
    refused(&s, &["retract", "5", "--reason", "again"], "is already retracted");
    refused(&s, &["correct", "5", "--occurred", "2022", "--reason", "r"], "is already retracted");
    // Not found (6), not a usage error.
    refused_with(&s, &["correct", "99", "--occurred", "2022", "--reason", "r"], "no event `99`", 6);
    refused(
        &s,
        &["correct", "4", "--set", "payload.commitment=other", "--reason", "r"],
        "would change an id the event declares",
    );
    refused(
        &s,
        &["correct", "4", "--set", "payload.deadline={\"by\":\"2022-02\"}", "--reason", "r"],
        "falls before the event itself",
    );
    refused(&s, &["correct", "2", "--set", "kind=x", "--reason", "r"], "`kind` cannot be corrected");
    refused(&s, &["correct", "2", "--reason", "r"], "say what to correct");
}

#[test]
fn history_names_each_step_and_the_event_as_it_stands() {
    let s = corrections();
    let out = s.ok(&["history", "6"]);
    assert!(out.contains("As first recorded, 2024-02-04T09:00:00.000000Z by analyst-b"), "{out}");
    assert!(out.contains("changed        occurred: \"2022-05\" → \"2022-04-20\""), "{out}");
    assert!(out.contains("reason         Date off by a month"), "{out}");
    let asked_by_correction = s.ok(&["history", "8"]);
    assert_eq!(asked_by_correction, out, "history of a correction is the history of its target");
}

#[test]
fn sources_counts_citations_and_names_thin_evidence() {
    let s = Sandbox::seeded();
    let v: serde_json::Value = serde_json::from_str(&s.ok(&["sources", "--format", "json"])).expect("json");
    let first = &v["sources"][0];
    assert_eq!(first["title"], "Towards Armenian-Azerbaijani Rapprochement: Initial Steps");
    assert_eq!(first["events"].as_array().expect("events").len(), 9);
    assert_eq!(v["unsourced"], serde_json::json!([]));
    assert!(v["single_source"].as_array().expect("single").contains(&serde_json::json!(28)));
}

#[test]
fn an_older_schema_is_migrated_on_open_and_still_verifies() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    {
        // Take the log back to schema 1: what a log written before migration 2 holds
        // (with the track index that migration 4 drops).
        let conn = Connection::open(&s.db).expect("open");
        conn.execute_batch(
            "DROP VIEW event_view; DROP VIEW event_track_view; DROP VIEW event_source_view;
             DROP VIEW commitment_view; DROP VIEW principle_view;
             DROP TRIGGER amendments_no_update; DROP TRIGGER amendments_no_delete; DROP TABLE amendments;
             DROP TABLE snapshots;
             CREATE TABLE event_tracks (track TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (track, seq))
                 STRICT, WITHOUT ROWID;
             INSERT INTO event_tracks SELECT t.value, e.seq FROM events e, json_each(e.body, '$.tracks') t;
             CREATE TRIGGER event_tracks_no_update BEFORE UPDATE ON event_tracks
             BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
             CREATE TRIGGER event_tracks_no_delete BEFORE DELETE ON event_tracks
             BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
             PRAGMA user_version = 1;",
        )
        .expect("downgrade");
    }
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
    let conn = Connection::open(&s.db).expect("open");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, entente::store::SCHEMA_VERSION);
    assert_eq!(s.fingerprint(), before);
}

/// SQL that sets the last row's body to `value` behind entente's back, the trigger
/// restored after.
fn last_body(value: &str) -> String {
    format!(
        "DROP TRIGGER events_no_update;
         UPDATE events SET body = {value} WHERE seq = 28;
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;"
    )
}

#[test]
fn verify_judges_a_corrupt_last_row_itself_instead_of_failing_on_the_head() {
    // verify counts the log without reading the last row, so the chain check names it.
    caught(&last_body("'garbage'"), "at seq 28: its hash does not match its content");
    caught(&last_body("replace(body, 'recorded_at', 'recorded_on')"), "at seq 28: its hash does not match");
    caught("ALTER TABLE events RENAME COLUMN body TO b;", "the table `events` differs from the one entente creates");
}

#[test]
fn a_body_that_is_not_text_is_corruption_in_every_read() {
    let s = Sandbox::seeded();
    let conn = Connection::open(&s.db).expect("open");
    // STRICT tables refuse a blob body; lifting it takes the schema itself.
    conn.execute_batch(
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_master SET sql = replace(sql, ') STRICT', ')') WHERE name = 'events';
         PRAGMA writable_schema = OFF;",
    )
    .expect("unstrict");
    drop(conn);
    let conn = Connection::open(&s.db).expect("reopen");
    conn.execute_batch(&last_body("CAST(body AS BLOB)").replace("seq = 28", "seq = 9")).expect("tamper");
    drop(conn);
    for args in [&["export"][..], &["log", "--text", "Serdar"], &["log"]] {
        let out = s.run(args);
        assert_eq!(out.status.code(), Some(5), "{args:?} passed a blob body:\n{}", stderr(&out));
        assert!(stderr(&out).contains("seq 9 cannot be read (its stored body is not text)"), "{}", stderr(&out));
        assert!(!String::from_utf8_lossy(&out.stdout).contains(",,"), "{args:?} wrote a broken line");
    }
}

#[test]
fn a_correction_of_an_event_whose_body_no_longer_reads_is_refused() {
    let s = Sandbox::seeded();
    let conn = Connection::open(&s.db).expect("open");
    let id: String =
        conn.query_row("SELECT json_extract(body, '$.id') FROM events WHERE seq = 17", [], |r| r.get(0)).expect("id");
    conn.execute_batch(&last_body("'garbage'").replace("seq = 28", "seq = 17")).expect("tamper");
    drop(conn);
    let before = s.fingerprint();
    let line = format!(
        r#"{{"kind":"event_corrected","version":1,"tracks":["am-az"],"occurred":"2022","unsourced":true,"payload":{{"target":"{id}","reason":"move it","changes":[{{"field":"tracks","to":["nowhere"]}}]}}}}"#
    );
    let file = s.dir.path().join("correction.jsonl");
    std::fs::write(&file, line).expect("write");
    let out = s.run(&["import", path(&file)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no longer reads as an event"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before, "nothing was written");
}
