//! The SQLite backend's own promises, checked with plain SQL behind its back: triggers
//! reject edits, an insert that leaves a gap in seq is refused, migrations are
//! idempotent. What every backend promises is in `conformance.rs`.

use entente::event::parse_line;
use entente::store::Sqlite;
use rusqlite::Connection;

use crate::common::{Sandbox, repo};

#[test]
fn triggers_reject_update_and_delete_of_events() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let conn = Connection::open(&s.db).expect("open");
    for sql in ["UPDATE events SET body = '{}' WHERE seq = 3", "DELETE FROM events WHERE seq = 28", "DELETE FROM names"]
    {
        let err = conn.execute(sql, []).expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn an_insert_that_would_leave_a_gap_in_seq_is_rejected() {
    let s = Sandbox::seeded();
    let conn = Connection::open(&s.db).expect("open");
    let err = conn
        .execute(
            "INSERT INTO events (seq, id, kind, body, hash) SELECT 30, x'00', kind, body, hash FROM events WHERE seq = 1",
            [],
        )
        .expect_err("gap")
        .to_string();
    assert!(err.contains("next position"), "{err}");
}

#[test]
fn opening_twice_migrates_once_and_changes_nothing() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    for _ in 0..3 {
        let store = Sqlite::open(&s.db, 1000).expect("reopen");
        drop(store);
    }
    let conn = Connection::open(&s.db).expect("open");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, entente::store::SCHEMA_VERSION);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn the_seed_scenario_file_is_what_demo_embeds() {
    let s = Sandbox::empty();
    let out = s.ok(&["demo"]);
    let seed = std::fs::read_to_string(repo("events/scenarios/seed.jsonl")).expect("seed");
    let last = parse_line(seed.lines().last().expect("line")).expect("parse");
    assert!(out.contains(&last.hash.expect("hash").to_hex()), "demo reports the seed's head hash:\n{out}");
    assert!(!s.db.exists(), "demo writes no log to disk");
}
