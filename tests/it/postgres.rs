//! What only the PostgreSQL backend has: roles, the database's own guards, identity
//! from the server. Each test makes a database of its own on the server
//! `ENTENTE_TEST_PG` names (see `pg.rs`) and runs the binary against it as the roles a
//! team would have.

use crate::common::repo;
use crate::pg::Database;

const NEEDS_PG: &str = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The log's count and head hash, read by the superuser straight from the table.
fn fingerprint(db: &Database) -> (i64, Vec<u8>) {
    let row = db
        .client()
        .query_one(
            "SELECT count(*), coalesce((SELECT hash FROM entente.events ORDER BY seq DESC LIMIT 1), '')
             FROM entente.events",
            &[],
        )
        .expect("fingerprint");
    (row.get(0), row.get(1))
}

const CONTEXT: &str = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020","unsourced":true,"payload":{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#;

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn a_recorder_records_as_itself_at_the_servers_clock_and_a_reader_may_only_read() {
    let _ = NEEDS_PG;
    let db = Database::with_log();
    let roles = db.log_roles.clone().expect("a log");
    let alice = db.login(Some(&roles.recorder));
    let bob = db.login(Some(&roles.reader));
    let input = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(input.path(), format!("{CONTEXT}\n")).expect("write");
    let path = input.path().to_str().expect("utf-8");
    // ENTENTE_USER is not who records on a team log: the role that connects is.
    let out = db.cmd(&alice, &["import", path]).env("ENTENTE_USER", "mallory").output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let by: String =
        db.client().query_one("SELECT recorded_by FROM entente.events WHERE seq = 1", &[]).expect("row").get(0);
    assert_eq!(by, alice);
    let before = fingerprint(&db);
    let out = db.cmd(&bob, &["import", path]).output().expect("run");
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("may only read this log"), "{}", stderr(&out));
    assert_eq!(fingerprint(&db), before, "nothing written");
    let out = db.cmd(&bob, &["status"]).output().expect("run");
    assert!(out.status.success() && stdout(&out).contains("x-y"), "{}", stderr(&out));
    // A role granted nothing reads nothing.
    let eve = db.login(None);
    let out = db.cmd(&eve, &["status"]).output().expect("run");
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("may not read this log"), "{}", stderr(&out));
    // A line keeps its own recorder or recording time only when the owner moves it in.
    for (claim, words) in [
        (r#""recorded_by":"mallory""#, "recorded by the role that connects"),
        (r#""recorded_at":"2026-01-01T00:00:00.000000Z""#, "the server's clock stamps every event"),
    ] {
        let line = format!(
            r#"{{"kind":"context_noted","version":1,"tracks":["x-y"],"occurred":"2021","unsourced":true,{claim},"payload":{{"summary":"s"}}}}"#
        );
        std::fs::write(input.path(), format!("{line}\n")).expect("write");
        let out = db.cmd(&alice, &["import", path]).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains(words), "{}", stderr(&out));
        assert_eq!(fingerprint(&db), before, "nothing written");
    }
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn a_recorder_cannot_rewrite_history_or_forge_a_recorder_even_with_raw_sql() {
    let db = Database::with_log();
    let roles = db.log_roles.clone().expect("a log");
    let alice = db.login(Some(&roles.recorder));
    let seed = repo("events/scenarios/seed.jsonl");
    let out = db.cmd("postgres", &["import", seed.to_str().expect("utf-8")]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let before = fingerprint(&db);
    let mut raw = postgres::Client::connect(&db.url_as(&alice), postgres::NoTls).expect("alice connects");
    for sql in [
        "UPDATE entente.events SET body = body WHERE seq = 1",
        "DELETE FROM entente.events WHERE seq = 28",
        "TRUNCATE entente.events",
        "DELETE FROM entente.names",
        "UPDATE entente.meta SET value = 'x'",
        "INSERT INTO entente.events (seq, id, kind, body, hash, recorded_at, recorded_by)
           SELECT seq + 1, id, kind, body, hash, recorded_at, recorded_by FROM entente.events WHERE seq = 28",
        "ALTER TABLE entente.events DISABLE TRIGGER events_append_only",
        "DROP TRIGGER events_admit ON entente.events",
    ] {
        let e = raw.batch_execute(sql).expect_err(sql);
        assert!(e.as_db_error().is_some(), "{sql}: {e}");
    }
    assert_eq!(fingerprint(&db), before, "nothing changed");
    let out = db.cmd(&alice, &["verify"]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
}
