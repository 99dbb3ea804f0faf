//! The store's promises, checked with plain SQL behind its back: triggers reject
//! edits, seq is gap-free, migrations are idempotent, recording time never goes back,
//! and concurrent writers each land exactly once.

use chrono::{DateTime, Utc};
use entente::env::Ids;
use entente::event::parse_line;
use entente::log::{AppendPolicy, Outcome, Recorder};
use entente::store::{Sqlite, SqliteLog};
use rusqlite::Connection;

use crate::common::{Sandbox, repo};

fn stamp(now: &str) -> AppendPolicy<'static> {
    let now: DateTime<Utc> = now.parse().expect("timestamp");
    AppendPolicy { now, ids: Ids::Seeded(3), recorder: Recorder::Default("tester") }
}

fn append_text(store: &mut SqliteLog, text: &str, now: &str) -> Result<Vec<Outcome>, entente::log::LogError> {
    let mut outcomes = Vec::new();
    let lines = text.lines().enumerate().map(|(i, l)| (i + 1, parse_line(l)));
    store.append(lines, stamp(now), None, &mut |o| outcomes.push(*o))?;
    Ok(outcomes)
}

const TRACK: &str = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020","unsourced":true,"payload":{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#;

fn context(summary: &str) -> String {
    format!(
        r#"{{"kind":"context_noted","version":1,"tracks":["x-y"],"occurred":"2021","unsourced":true,"payload":{{"summary":"{summary}"}}}}"#
    )
}

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
fn seq_is_gap_free_across_batches() {
    let mut store = Sqlite::in_memory().expect("store");
    append_text(&mut store, TRACK, "2026-01-01T00:00:00Z").expect("track");
    for i in 0..5 {
        let batch = format!("{}\n{}", context(&format!("a{i}")), context(&format!("b{i}")));
        append_text(&mut store, &batch, "2026-01-01T00:00:00Z").expect("batch");
    }
    let mut seqs = Vec::new();
    store
        .records(&Default::default(), |r| {
            seqs.push(r.seq);
            Ok::<_, entente::log::LogError>(())
        })
        .expect("scan");
    assert_eq!(seqs, (1..=11).collect::<Vec<u64>>());
}

#[test]
fn records_come_out_in_log_order_across_parsing_threads() {
    // records() parses chunks of rows on several threads; order must survive, with and
    // without filters, and a consumer that stops early stops the reading.
    let mut store = Sqlite::in_memory().expect("store");
    append_text(&mut store, TRACK, "2026-01-01T00:00:00Z").expect("track");
    let batch: Vec<String> = (0..3_000).map(|i| context(&format!("n{i}"))).collect();
    append_text(&mut store, &batch.join("\n"), "2026-01-01T00:00:00Z").expect("batch");
    let seqs = |filter: &entente::log::Filter| {
        let mut seqs = Vec::new();
        store
            .records(filter, |r| {
                seqs.push(r.seq);
                Ok::<_, entente::log::LogError>(())
            })
            .expect("scan");
        seqs
    };
    assert_eq!(seqs(&Default::default()), (1..=3_001).collect::<Vec<u64>>());
    let on_track = entente::log::Filter { track: Some("x-y".to_owned()), ..Default::default() };
    assert_eq!(seqs(&on_track), (1..=3_001).collect::<Vec<u64>>());
    let after = entente::log::Filter { after: Some(2_500), ..Default::default() };
    assert_eq!(seqs(&after), (2_501..=3_001).collect::<Vec<u64>>());
    let mut seen = 0;
    let stopped = store.records(&Default::default(), |_| {
        seen += 1;
        if seen == 1_000 { Err(entente::log::LogError::Conflict { expected: 0, actual: 0 }) } else { Ok(()) }
    });
    assert!(stopped.is_err());
    assert_eq!(seen, 1_000);
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
fn recording_time_never_goes_back_even_when_the_clock_does() {
    let mut store = Sqlite::in_memory().expect("store");
    append_text(&mut store, TRACK, "2026-05-01T00:02:00Z").expect("track");
    // A clock a little behind the head (within the tolerance): stamped just after it.
    append_text(&mut store, &context("later"), "2026-05-01T00:00:00Z").expect("append");
    let mut times = Vec::new();
    store
        .records(&Default::default(), |r| {
            times.push(r.event.recorded_at);
            Ok::<_, entente::log::LogError>(())
        })
        .expect("scan");
    assert!(times[1] > times[0], "a clock behind the head is lifted past the head: {times:?}");
    // A clock far behind the head: stamping after the head would record a time to
    // come, so the event is refused in words and nothing is written.
    let head = store.head().expect("head");
    let err = append_text(&mut store, &context("much later"), "2026-01-01T00:00:00Z").expect_err("refused");
    assert!(err.to_string().contains("line 1 was rejected"), "{err}");
    let entente::log::LogError::Rejected { problems, .. } = err else { unreachable!() };
    assert!(problems[0].error.message.contains("later than this machine's clock"), "{problems:?}");
    assert_eq!(store.head().expect("head"), head);
}

#[test]
fn a_retry_with_the_same_id_is_a_no_op() {
    let mut store = Sqlite::in_memory().expect("store");
    append_text(&mut store, TRACK, "2026-01-01T00:00:00Z").expect("track");
    let line = context("x").replacen('{', r#"{"id":"11111111-1111-4111-8111-111111111111","#, 1);
    let first = append_text(&mut store, &line, "2026-01-01T00:00:00Z").expect("first");
    let again = append_text(&mut store, &line, "2026-02-01T00:00:00Z").expect("retry");
    assert!(matches!(first[..], [Outcome::Appended { seq: 2, .. }]));
    assert!(matches!(again[..], [Outcome::Existing { seq: 2, .. }]));
    assert_eq!(store.count().expect("count"), 2);
}

#[test]
fn concurrent_writers_each_land_exactly_once() {
    let s = Sandbox::new();
    {
        let mut store = Sqlite::open(&s.db, 10_000).expect("open");
        append_text(&mut store, TRACK, "2026-01-01T00:00:00Z").expect("track");
    }
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let db = s.db.clone();
            std::thread::spawn(move || {
                let mut store = Sqlite::open(&db, 30_000).expect("open");
                for i in 0..25 {
                    let line = context(&format!("writer {t} event {i}"));
                    let lines = [(1, parse_line(&line))];
                    let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("time").to_utc();
                    let stamp = AppendPolicy { now, ids: Ids::Random, recorder: Recorder::Default("w") };
                    store.append(lines, stamp, None, &mut |_| {}).expect("append");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer");
    }
    let store = Sqlite::open(&s.db, 1000).expect("open");
    let mut seqs = Vec::new();
    let mut summaries = std::collections::BTreeSet::new();
    store
        .records(&Default::default(), |r| {
            seqs.push(r.seq);
            if let entente::event::Payload::ContextNoted(c) = &r.event.facts.payload {
                summaries.insert(c.summary.clone());
            }
            Ok::<_, entente::log::LogError>(())
        })
        .expect("scan");
    assert_eq!(seqs, (1..=101).collect::<Vec<u64>>());
    assert_eq!(summaries.len(), 100, "every event landed exactly once");
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
