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
    let before = db.fingerprint();
    let out = db.cmd(&bob, &["import", path]).output().expect("run");
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("may only read this log"), "{}", stderr(&out));
    assert_eq!(db.fingerprint(), before, "nothing written");
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
        assert_eq!(db.fingerprint(), before, "nothing written");
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
    let before = db.fingerprint();
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
    assert_eq!(db.fingerprint(), before, "nothing changed");
    let out = db.cmd(&alice, &["verify"]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn verify_finds_a_guard_dropped_or_a_row_the_owner_edited() {
    let db = Database::with_log();
    let roles = db.log_roles.clone().expect("a log");
    let seed = repo("events/scenarios/seed.jsonl");
    let out = db.cmd("postgres", &["import", seed.to_str().expect("utf-8")]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let owner = db.login(Some(&roles.owner));
    let verify = |words: &str| {
        let out = db.cmd(&owner, &["verify"]).output().expect("run");
        assert_eq!(out.status.code(), Some(5), "{}\n{}", stdout(&out), stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(all.contains(words), "expected `{words}` in:\n{all}");
    };
    // The owner role may disable its own table's triggers: verify says so.
    let mut raw = postgres::Client::connect(&db.url_as(&owner), postgres::NoTls).expect("owner connects");
    raw.batch_execute(&format!(
        "SET ROLE \"{}\"; ALTER TABLE entente.events DISABLE TRIGGER events_append_only",
        roles.owner
    ))
    .expect("the owner role owns the table");
    verify("was disabled");
    // …and edit a row with them off: the chain breaks there.
    raw.batch_execute(
        "UPDATE entente.events SET body = replace(body, 'Armenia', 'Armenja') WHERE seq = 5;
         ALTER TABLE entente.events ENABLE TRIGGER events_append_only",
    )
    .expect("edit");
    verify("seq 5");
    // A trigger dropped (by a superuser) is named.
    let db2 = Database::with_log();
    db2.client().batch_execute("DROP TRIGGER events_no_truncate ON entente.events").expect("drop");
    let out = db2.cmd("postgres", &["verify"]).output().expect("run");
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(format!("{}{}", stdout(&out), stderr(&out)).contains("events_no_truncate"));
    // Every other way to change what the tables are or who may touch them.
    for (tamper, words) in [
        ("CREATE POLICY hide ON entente.events USING (seq <= 1)", "row-level security"),
        ("GRANT SELECT (seq, body) ON entente.events TO PUBLIC", "column"),
        ("CREATE RULE quiet AS ON INSERT TO entente.names DO INSTEAD NOTHING", "rule"),
        ("ALTER FUNCTION entente.admit_event() OWNER TO {recorder}", "function"),
        ("GRANT CREATE ON SCHEMA entente TO {recorder}", "schema"),
        ("ALTER TABLE entente.events DROP CONSTRAINT events_id_key", "events_id_key"),
        ("CREATE INDEX extra ON entente.events (kind)", "extra"),
    ] {
        let db = Database::with_log();
        let r = db.log_roles.clone().expect("a log");
        db.client().batch_execute(&tamper.replace("{recorder}", &format!("\"{}\"", r.recorder))).expect(tamper);
        let out = db.cmd("postgres", &["verify"]).output().expect("run");
        assert_eq!(out.status.code(), Some(5), "{tamper}: {}", stderr(&out));
        assert!(format!("{}{}", stdout(&out), stderr(&out)).contains(words), "{tamper}: {}", stderr(&out));
    }
    // A privilege granted behind entente's back is named too.
    let db3 = Database::with_log();
    let r3 = db3.log_roles.clone().expect("a log");
    db3.client().batch_execute(&format!("GRANT UPDATE ON entente.events TO \"{}\"", r3.recorder)).expect("grant");
    let out = db3.cmd("postgres", &["verify"]).output().expect("run");
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(format!("{}{}", stdout(&out), stderr(&out)).contains("UPDATE"));
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn every_scenario_moves_to_postgres_and_back_with_its_head_hash_and_byte_identical_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut scenarios: Vec<_> = std::fs::read_dir(repo("events/scenarios"))
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    scenarios.sort();
    for scenario in scenarios {
        let name = scenario.file_stem().expect("stem").to_string_lossy().into_owned();
        let sqlite = dir.path().join(format!("{name}.db"));
        let on_sqlite = |args: &[&str]| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
                .args(args)
                .env_clear()
                .env("ENTENTE_DB", &sqlite)
                .env("ENTENTE_NOW", crate::common::NOW)
                .env("USER", "t")
                .output()
                .expect("run");
            assert!(out.status.success(), "{name}: {args:?}: {}", stderr(&out));
            out.stdout
        };
        on_sqlite(&["init"]);
        on_sqlite(&["import", scenario.to_str().expect("utf-8")]);
        let export = dir.path().join(format!("{name}.export.jsonl"));
        on_sqlite(&["export", "--out", export.to_str().expect("utf-8")]);
        let db = Database::with_log();
        let on_pg = |args: &[&str]| {
            let out = db.cmd("postgres", args).env("ENTENTE_NOW", crate::common::NOW).output().expect("run");
            assert!(out.status.success(), "{name}: {args:?}: {}", stderr(&out));
            out.stdout
        };
        on_pg(&["import", "--verify", export.to_str().expect("utf-8")]);
        assert_eq!(on_pg(&["export"]), std::fs::read(&export).expect("read"), "{name}: the export round-trips");
        for report in [
            vec!["status", "--as-of", "2026-01-01"],
            vec!["commitments", "--as-of", "2026-01-01", "--format", "json"],
            vec!["principles", "--format", "markdown"],
            vec!["instruments"],
            vec!["timeline"],
            vec!["audit"],
            vec!["sources"],
            vec!["verify"],
        ] {
            let pg = on_pg(&report);
            let lite = on_sqlite(&report);
            let (pg, lite) = (String::from_utf8_lossy(&pg), String::from_utf8_lossy(&lite));
            // The one line that names the log: its location.
            let strip = |s: &str| {
                s.lines().filter(|l| !l.contains(".db") && !l.contains("postgres://")).collect::<Vec<_>>().join("\n")
            };
            assert_eq!(strip(&pg), strip(&lite), "{name}: {report:?} differs between the backends");
        }
        // And back: the PostgreSQL export into a fresh SQLite file keeps the head.
        let back = dir.path().join(format!("{name}.back.jsonl"));
        on_pg(&["export", "--out", back.to_str().expect("utf-8")]);
        let again = dir.path().join(format!("{name}.again.db"));
        for args in [vec!["init"], vec!["import", "--verify", back.to_str().expect("utf-8")]] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
                .args(&args)
                .env_clear()
                .env("ENTENTE_DB", &again)
                .env("ENTENTE_NOW", crate::common::NOW)
                .output()
                .expect("run");
            assert!(out.status.success(), "{name}: back: {}", stderr(&out));
        }
    }
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn every_failure_to_reach_a_log_is_told_in_words_with_its_exit_code() {
    let server = crate::pg::server();
    let run = |url: &str, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_entente"))
            .args(args)
            .env_clear()
            .env("ENTENTE_DB", url)
            .env("PGCONNECT_TIMEOUT", "3")
            .output()
            .expect("run")
    };
    let expect = |url: &str, args: &[&str], code: i32, words: &str| {
        let out = run(url, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{url} {args:?}: {err}");
        assert!(err.contains(words), "{url} {args:?}: expected `{words}` in: {err}");
        assert!(!err.contains("db error") && !err.contains("DbError"), "raw driver words: {err}");
    };
    // Nobody listens on the port.
    expect("postgres://postgres@127.0.0.1:1/x", &["status"], 3, "cannot be reached");
    // No such database.
    let missing = crate::pg::with_database(&server, &crate::pg::unique("entente_missing"));
    expect(&missing, &["status"], 4, "there is no log at");
    // A database without a log; one whose `entente` schema is someone else's.
    let empty = Database::empty();
    expect(&empty.url, &["status"], 4, "there is no log at");
    empty
        .client()
        .batch_execute("CREATE SCHEMA entente; CREATE TABLE entente.meta (key text, value text)")
        .expect("schema");
    expect(&empty.url, &["status"], 4, "not an entente log");
    // A log from a newer entente.
    let newer = Database::with_log();
    newer.client().batch_execute("INSERT INTO entente.migrations (version) VALUES (99)").expect("newer");
    expect(&newer.url, &["status"], 4, "newer entente");
    // A bad address.
    expect("postgres://u:hunter2@h/d?sslmode=sometimes", &["status"], 4, "sslmode `sometimes`");
    let out = run("postgres://u:hunter2@h/d?sslmode=sometimes", &["status"]);
    assert!(!stderr(&out).contains("hunter2"), "the password is never shown");
    // TLS demanded of a server address that does not offer it is refused in words.
    expect(&format!("{}?sslmode=verify-full&sslrootcert=/nonexistent.pem", newer.url), &["status"], 4, "TLS");
    // init twice.
    expect(&newer.url, &["init"], 4, "already exists");
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn init_print_sql_is_what_init_runs_and_a_dba_can_run_it() {
    let db = Database::empty();
    let prefix = db.name.clone();
    let out = db.cmd("postgres", &["init", "--print-sql", "--roles", &prefix]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let sql = stdout(&out);
    assert!(sql.starts_with("\\set ON_ERROR_STOP on\nBEGIN;") && sql.trim_end().ends_with("COMMIT;"), "{sql}");
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), &sql).expect("write");
    let psql = |url: &str| {
        std::process::Command::new("psql")
            .args(["-X", "-q", "-d", url, "-f"])
            .arg(file.path())
            .output()
            .expect("psql (PostgreSQL's client) runs")
    };
    // Run in another database, it stops at once and says where to run it.
    let other = Database::empty();
    let out = psql(&other.url);
    assert!(!out.status.success(), "psql ran it in the wrong database");
    assert!(stderr(&out).contains(&format!("connect to the database {}", db.name)), "{}", stderr(&out));
    let out = psql(&db.url);
    assert!(out.status.success(), "a DBA runs it: {}", stderr(&out));
    let out = db.cmd("postgres", &["verify"]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let admin = &mut crate::pg::admin();
    for role in ["reader", "recorder", "owner"] {
        let _ = admin.batch_execute(&format!("DROP OWNED BY \"{prefix}_{role}\""));
    }
    drop(db);
    for role in ["reader", "recorder", "owner"] {
        let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS \"{prefix}_{role}\""));
    }
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn tls_is_used_as_sslmode_says() {
    let db = Database::with_log();
    let ssl_on: String = db.client().query_one("SHOW ssl", &[]).expect("show ssl").get(0);
    if ssl_on != "on" {
        panic!("the test server has ssl = off: TLS cannot be tested here (turn it on, as Debian's default is)");
    }
    let url = format!("{}?sslmode=require", db.url);
    let out = db.cmd("postgres", &["status"]).env("ENTENTE_DB", &url).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    // The connection really is encrypted as the mode says: the server says so.
    use entente::store::postgres::connect;
    for (mode, encrypted) in [("require", true), ("prefer", true), ("disable", false)] {
        let target = connect::target(&format!("{}?sslmode={mode}", db.url), &[], "postgres").expect("parses");
        let mut client = connect::connect(&target).expect("connects");
        let ssl: bool = client
            .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
            .expect("pg_stat_ssl")
            .get(0);
        assert_eq!(ssl, encrypted, "sslmode={mode}");
    }
    let out =
        db.cmd("postgres", &["status"]).env("ENTENTE_DB", format!("{}?sslmode=disable", db.url)).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    // verify-full against a certificate no trusted CA signed is refused, in words.
    let ca = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(ca.path(), "not a certificate\n").expect("write");
    let out = db
        .cmd("postgres", &["status"])
        .env("ENTENTE_DB", format!("{}?sslmode=verify-full&sslrootcert={}", db.url, ca.path().display()))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("TLS"), "{}", stderr(&out));
    let out = db
        .cmd("postgres", &["status"])
        .env("ENTENTE_DB", format!("{}?sslmode=verify-full", db.url))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(4), "a self-signed certificate is not trusted: {}", stderr(&out));
    assert!(stderr(&out).contains("TLS"), "{}", stderr(&out));
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn a_writer_kept_waiting_for_the_append_lock_is_told_to_try_again_and_writes_nothing() {
    let db = Database::with_log();
    let input = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(input.path(), format!("{CONTEXT}\n")).expect("write");
    let mut holder = db.client();
    let mut tx = holder.transaction().expect("begin");
    tx.execute(entente::store::postgres::schema::TAKE_APPEND_LOCK, &[]).expect("lock");
    let before = db.fingerprint();
    let out = db
        .cmd("postgres", &["import", input.path().to_str().expect("utf-8")])
        .env("ENTENTE_BUSY_TIMEOUT_MS", "300")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("try again"), "{}", stderr(&out));
    assert_eq!(db.fingerprint(), before);
    // A raw INSERT queues behind the same lock: the trigger takes it too.
    let mut raw = db.client();
    raw.batch_execute("SET lock_timeout = 300").expect("set");
    let e = raw
        .batch_execute(
            "INSERT INTO entente.events (seq, id, kind, body, hash, recorded_at, recorded_by)
             VALUES (1, '\\x00000000000000000000000000000001', 'x', '{}', '\\x00', now(), 'x')",
        )
        .expect_err("waits for the lock");
    assert_eq!(e.code(), Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE), "{e}");
    tx.rollback().expect("release");
    let out = db.cmd("postgres", &["import", input.path().to_str().expect("utf-8")]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn each_role_reads_only_the_snapshots_it_saved_so_none_can_forge_anothers_status() {
    let db = Database::with_log();
    let roles = db.log_roles.clone().expect("a log");
    let seed = repo("events/scenarios/seed.jsonl");
    let out = db.cmd("postgres", &["import", seed.to_str().expect("utf-8")]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let alice = db.login(Some(&roles.recorder));
    let bob = db.login(Some(&roles.reader));
    let status = |user: &str| {
        let out = db.cmd(user, &["status", "--format", "json"]).output().expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let honest = status(&bob);
    assert_eq!(status(&alice), honest);
    // Both saved their own snapshot (a reader too: best effort, its own).
    let saved: i64 =
        db.client().query_one("SELECT count(DISTINCT saved_by) FROM entente.snapshots", &[]).expect("count").get(0);
    assert_eq!(saved, 2);
    // Alice forges hers, and tries to write one in Bob's name.
    let mut raw = postgres::Client::connect(&db.url_as(&alice), postgres::NoTls).expect("alice connects");
    raw.batch_execute("UPDATE entente.snapshots SET state = replace(state, 'am-az', 'xx-yy')").expect("her own");
    let e = raw
        .execute(
            "INSERT INTO entente.snapshots (saved_by, name, seq, hash, state) SELECT $1, name, seq, hash, state FROM entente.snapshots",
            &[&bob],
        )
        .expect_err("not in another's name");
    assert!(e.as_db_error().is_some(), "{e}");
    let updated =
        raw.execute("UPDATE entente.snapshots SET state = '' WHERE saved_by <> session_user", &[]).expect("sees none");
    assert_eq!(updated, 0);
    assert_eq!(status(&bob), honest, "Bob's status does not read Alice's snapshot");
}

/// Inserts `body` as the next event over `client`, chained as the trigger computes it:
/// what a recorder with psql could send.
fn raw_append(client: &mut postgres::Client, body: &str) -> Result<u64, postgres::Error> {
    let mut tx = client.transaction()?;
    tx.batch_execute(entente::store::postgres::schema::TAKE_APPEND_LOCK)?;
    let landed = tx.execute(
        "WITH h AS (SELECT coalesce(max(seq), 0) AS s,
                           coalesce((SELECT hash FROM entente.events ORDER BY seq DESC LIMIT 1), '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) AS hh
                    FROM entente.events)
         INSERT INTO entente.events (seq, id, kind, body, hash)
         SELECT s + 1, decode(replace($1::text::jsonb ->> 'id', '-', ''), 'hex'), $1::text::jsonb ->> 'kind', $1::text,
                sha256(hh || int8send(s + 1) || convert_to($1::text, 'UTF8'))
         FROM h",
        &[&body],
    )?;
    tx.commit()?;
    Ok(landed)
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn the_database_refuses_bodies_entente_would_never_write_and_index_rows_for_others_events() {
    let db = Database::with_log();
    let roles = db.log_roles.clone().expect("a log");
    let alice = db.login(Some(&roles.recorder));
    let bob = db.login(Some(&roles.reader));
    let mut raw = postgres::Client::connect(&db.url_as(&alice), postgres::NoTls).expect("alice connects");
    let at: String = raw
        .query_one("SELECT to_char((clock_timestamp() + interval '700 milliseconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", &[])
        .expect("now")
        .get(0);
    let body = |id: &str, middle: &str, tail: &str| {
        format!(
            r#"{{"id":"{id}","kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020",{middle}"sources":[],"unsourced":true,"payload":{{"title":"X–Y","parties":[{{"code":"x","name":"X"}},{{"code":"y","name":"Y"}}]}}{tail}}}"#
        )
    };
    let honest =
        body("00000000-0000-7000-8000-000000000001", &format!(r#""recorded_at":"{at}","recorded_by":"{alice}","#), "");
    // Each a valid JSON object the trigger's old checks let through: a recorder named
    // twice (jsonb keeps the last, entente's parser refuses), another key twice, a
    // decoy recording time before the real one, export fields in a body.
    for (what, forged) in [
        (
            "recorded_by twice",
            body(
                "00000000-0000-7000-8000-000000000002",
                &format!(r#""recorded_at":"{at}","recorded_by":"{bob}","#),
                &format!(r#","recorded_by":"{alice}""#),
            ),
        ),
        (
            "a key twice at the top",
            honest
                .replace(r#""unsourced":true"#, r#""unsourced":true,"unsourced":false"#)
                .replace("-000000000001", "-000000000003"),
        ),
        (
            "a decoy recording time",
            body(
                "00000000-0000-7000-8000-000000000004",
                &format!(
                    r#""payload0":{{"recorded_at":"9000-01-01T00:00:00.000000Z"}},"recorded_at":"{at}","recorded_by":"{alice}","#
                ),
                "",
            ),
        ),
        ("a seq in the body", honest.replace(r#"{"id""#, r#"{"seq":1,"id""#)),
    ] {
        let e = raw_append(&mut raw, &forged).expect_err(what);
        assert_eq!(e.code().map(|c| c.code()), Some("EN002"), "{what}: {e:?}");
    }
    // The honest body lands; its index rows come only with it, in its transaction.
    assert_eq!(raw_append(&mut raw, &honest).expect("an honest body lands"), 1);
    for sql in [
        "INSERT INTO entente.names (namespace, key, seq) VALUES ('track', 'squat', 1)",
        "INSERT INTO entente.amendments (target, seq) VALUES ('\\x00000000000000000000000000000001', 1)",
    ] {
        let e = raw.batch_execute(sql).expect_err(sql);
        assert!(e.as_db_error().is_some_and(|d| d.message().contains("must come with the event")), "{sql}: {e}");
    }
    // A role granted nothing, and a reader, cannot take the append lock.
    let nobody = db.login(None);
    let mut stranger = postgres::Client::connect(&db.url_as(&nobody), postgres::NoTls).expect("PUBLIC may connect");
    let e = stranger.batch_execute(entente::store::postgres::schema::TAKE_APPEND_LOCK).expect_err("no USAGE");
    assert_eq!(e.code(), Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{e}");
    let mut reader = postgres::Client::connect(&db.url_as(&bob), postgres::NoTls).expect("bob connects");
    let e = reader.batch_execute(entente::store::postgres::schema::TAKE_APPEND_LOCK).expect_err("no UPDATE");
    assert_eq!(e.code(), Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{e}");
}
