//! Part 6's promises: no edit of a derived table, no clock or recorded time, no
//! reference and no state of the log file makes the log or its reports lie, and each
//! is refused or caught in words.

use std::process::Output;

use rusqlite::Connection;

use crate::common::{NOW, Sandbox, repo};

/// An append that is valid on the seed log (a context note on am-az).
const CONTEXT: &[&str] =
    &["append", "context-noted", "--track", "am-az", "--occurred", "2022", "--summary", "x", "--unsourced"];

/// An append that fulfils `commitment` on am-az in May 2022.
fn fulfil(commitment: &str) -> [&str; 11] {
    [
        "append",
        "commitment-fulfilled",
        "--track",
        "am-az",
        "--occurred",
        "2022-05",
        "--commitment",
        commitment,
        "--summary",
        "met",
        "--unsourced",
    ]
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `sql` on the log behind entente's back, as an attacker with the file would:
/// every trigger lifted first and put back afterwards exactly as it was (same SQL), so
/// only what `sql` changes differs.
fn behind_its_back(s: &Sandbox, sql: &str) {
    let conn = Connection::open(&s.db).expect("open");
    let triggers: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("triggers")
        .collect::<Result<_, _>>()
        .expect("triggers");
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).expect("drop trigger");
    }
    conn.execute_batch(sql).unwrap_or_else(|e| panic!("tamper {sql}: {e}"));
    for (_, sql) in &triggers {
        conn.execute_batch(sql).expect("restore trigger");
    }
}

/// Asserts `verify` exits 5 naming `expected`.
fn verify_fails(s: &Sandbox, expected: &str) {
    let out = s.run(&["verify"]);
    assert_eq!(out.status.code(), Some(5), "verify passed a tampered log:\n{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains(expected), "expected {expected:?}:\n{}", stderr(&out));
}

/// A seeded log whose status snapshot has been saved.
fn with_snapshot() -> Sandbox {
    let s = Sandbox::seeded();
    s.ok(&["status"]);
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
    s
}

#[test]
fn verify_checks_every_derived_table_against_the_chain() {
    // (what an attacker does with plain SQL, the words verify must say)
    let cases: &[(&str, &str)] = &[
        // The issue's examples.
        (r#"UPDATE snapshots SET state = replace(state, '"negotiation"', '"signed"')"#, "status snapshot"),
        ("UPDATE snapshots SET seq = seq - 5", "`snapshots` table"),
        ("DELETE FROM amendments", "`amendments` table lacks"),
        ("INSERT INTO names VALUES ('commitment', 'never-made', 3)", "`names` table lists commitment `never-made`"),
        // Their relatives.
        ("UPDATE snapshots SET state = replace(state, 'Kılıç', 'Kilic')", "status snapshot"),
        ("UPDATE snapshots SET hash = zeroblob(32)", "`snapshots` table"),
        ("UPDATE snapshots SET seq = 99", "`snapshots` table"),
        ("DELETE FROM names WHERE namespace = 'track' AND key = 'am-tr'", "`names` table lacks track `am-tr`"),
        ("UPDATE names SET seq = seq + 1 WHERE namespace = 'track' AND key = 'am-az'", "declared at seq 2"),
        ("INSERT INTO amendments VALUES (zeroblob(16), 5)", "`amendments` table lists seq 5"),
    ];
    for (sql, expected) in cases {
        let s = with_snapshot();
        if sql.contains("amendments") {
            s.ok(&["retract", "28", "--reason", "test"]);
            s.ok(&["status"]);
        }
        let before = s.fingerprint();
        behind_its_back(&s, sql);
        verify_fails(&s, expected);
        // The chain itself was never touched; replay rebuilds what derives from it.
        assert_eq!(s.fingerprint(), before, "{sql}");
        s.ok(&["replay"]);
        let out = s.ok(&["verify"]);
        assert!(out.contains("the hash chain is intact"), "after replay, {sql}: {out}");
    }
}

#[test]
fn a_snapshot_moved_back_is_discarded_not_counted_twice() {
    let s = with_snapshot();
    let honest = s.ok(&["status", "--format", "json"]);
    behind_its_back(&s, "UPDATE snapshots SET seq = seq - 5");
    assert_eq!(s.ok(&["status", "--format", "json"]), honest, "the moved snapshot was used");
    // status rebuilt and re-saved it: the log verifies again.
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
}

#[test]
fn a_deleted_amendment_is_restored_by_replay_and_the_retraction_counts_again() {
    let s = Sandbox::seeded();
    // seq 28 is the phone call of 11 April 2022 on am-az; once retracted, status
    // counts no call and an earlier last activity.
    let honest = s.ok(&["status", "--track", "am-az", "--format", "json"]);
    s.ok(&["retract", "28", "--reason", "recorded by mistake"]);
    let retracted = s.ok(&["status", "--track", "am-az", "--format", "json"]);
    assert_ne!(strip_head(&retracted), strip_head(&honest));
    behind_its_back(&s, "DELETE FROM amendments");
    verify_fails(&s, "`amendments` table lacks the correction, retraction or dispute at seq 29");
    s.ok(&["replay"]);
    assert_eq!(s.ok(&["status", "--track", "am-az", "--format", "json"]), retracted);
    assert!(s.ok(&["verify"]).contains("verified 29 events"));
}

/// A JSON report without the lines that name the log's head (which moves with every append).
fn strip_head(json: &str) -> String {
    json.lines().filter(|l| !l.contains("head")).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_forged_name_cannot_make_the_log_accept_what_its_events_refuse() {
    let s = Sandbox::seeded();
    behind_its_back(&s, "INSERT INTO names VALUES ('commitment', 'never-made', 3)");
    let before = s.fingerprint();
    let out = s.run(&fulfil("never-made"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("unknown commitment `never-made`"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before);
    // The log's own export still re-imports: nothing it holds rests on the forged row.
    let export = s.dir.path().join("log.jsonl");
    s.ok(&["export", "--out", export.to_str().expect("utf-8")]);
    let fresh = Sandbox::new();
    fresh.ok(&["import", "--verify", export.to_str().expect("utf-8")]);
}

#[test]
fn verify_compares_every_trigger_by_its_sql_and_refuses_extra_ones() {
    let cases: &[(&str, &str)] = &[
        (
            "DROP TRIGGER events_no_update; CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN 0
             BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;",
            "the trigger `events_no_update` differs",
        ),
        (
            "DROP TRIGGER events_gap_free; CREATE TRIGGER events_gap_free BEFORE INSERT ON events WHEN 0
             BEGIN SELECT RAISE(ABORT, 'entente: seq must be the next position in the log'); END;",
            "the trigger `events_gap_free` differs",
        ),
        (
            "DROP TRIGGER names_no_delete; CREATE TRIGGER names_no_delete BEFORE DELETE ON names
             BEGIN SELECT 1; END;",
            "the trigger `names_no_delete` differs",
        ),
        (
            "CREATE TRIGGER helpful AFTER INSERT ON events BEGIN
             INSERT OR IGNORE INTO names VALUES ('commitment', 'forged', NEW.seq); END;",
            "trigger `helpful` that entente never creates",
        ),
        ("CREATE INDEX events_kind ON events (kind);", "index `events_kind` that entente never creates"),
        (
            "DROP TRIGGER amendments_no_update;",
            "the trigger `amendments_no_update` that keeps the log append-only is missing",
        ),
    ];
    for (sql, expected) in cases {
        let s = Sandbox::seeded();
        Connection::open(&s.db).expect("open").execute_batch(sql).expect("tamper");
        verify_fails(&s, expected);
    }
}

#[test]
fn a_schema_version_set_back_is_refused_in_words_not_migrated_half_way() {
    for version in [-1, 0, 1, 2, 3, 4] {
        let s = Sandbox::seeded();
        let before = s.fingerprint();
        Connection::open(&s.db).expect("open").pragma_update(None, "user_version", version).expect("set back");
        for args in [&["status"][..], &["verify"], &["log"]] {
            let out = s.run(args);
            assert_eq!(out.status.code(), Some(5), "{args:?} at version {version}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(&format!("its schema version says {version}, but its tables")),
                "{}",
                stderr(&out)
            );
            assert!(!stderr(&out).contains("SQLite"), "{}", stderr(&out));
        }
        Connection::open(&s.db)
            .expect("open")
            .pragma_update(None, "user_version", entente::store::SCHEMA_VERSION)
            .expect("restore");
        assert_eq!(s.fingerprint(), before);
    }
}

// ---------------------------------------------------------------- time

#[test]
fn a_clock_at_the_end_of_time_cannot_brick_the_log() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    // The clock may be fixed in the past, never ahead of the real one: a stamp from
    // the future would stop every later append until then (at 9999, for ever).
    for now in ["9999-12-31T23:59:59.999999Z", "2035-01-01T00:00:00Z"] {
        let mut cmd = s.cmd(CONTEXT);
        cmd.env("ENTENTE_NOW", now);
        let out = cmd.output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{now}: {}", stderr(&out));
        assert!(stderr(&out).contains("later than this machine's clock"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("+10000"), "{}", stderr(&out));
        assert_eq!(s.fingerprint(), before);
    }
    // A log already stamped at the last writable instant (by an older entente, or a
    // tool) still reads and verifies, and refuses in words to stamp past it.
    let mut store = entente::store::Sqlite::open(&s.db, 1000).expect("open");
    let end = chrono::DateTime::parse_from_rfc3339("9999-12-31T23:59:59.999999Z").expect("time").to_utc();
    let line = r#"{"kind":"context_noted","version":1,"tracks":["am-az"],"occurred":"2022","unsourced":true,"payload":{"summary":"x"}}"#;
    let stamp = |now| entente::log::AppendPolicy {
        now,
        ids: entente::env::Ids::Seeded(3),
        recorder: entente::log::Recorder::Default(Some("t")),
    };
    store.append([(1, entente::event::parse_line(line))], stamp(end), None, &mut |_| {}).expect("at the end");
    let err = store.append([(1, entente::event::parse_line(line))], stamp(end), None, &mut |_| {}).expect_err("past");
    assert!(format!("{err:?}").contains("the last instant a recording time can be written in"), "{err:?}");
    drop(store);
    for args in [&["verify"][..], &["status"], &["log"], &["audit"]] {
        s.ok(args);
    }
}

#[test]
fn an_imported_recording_time_from_the_future_or_out_of_range_is_refused() {
    let line = std::fs::read_to_string(repo("events/scenarios/seed.jsonl")).expect("seed");
    let first = line.lines().next().expect("a line");
    // Strip the chain fields so the line imports as a new event with its own time.
    let mut value: serde_json::Value = serde_json::from_str(first).expect("json");
    for field in ["seq", "prev_hash", "hash"] {
        value.as_object_mut().expect("object").remove(field);
    }
    for (at, expected) in [
        ("2035-01-01T00:00:00Z", "later than this machine's clock"),
        ("2026-11-28T12:05:01Z", "later than this machine's clock"),
        ("9999-12-31T23:59:59.999999Z", "later than this machine's clock"),
        ("9999-12-31T23:59:59-01:00", "outside the years 0001 to 9999"),
        ("0000-01-01T00:00:00+01:00", "outside the years 0001 to 9999"),
    ] {
        let s = Sandbox::new();
        value["recorded_at"] = at.into();
        let file = s.file("line.jsonl", &format!("{value}\n"));
        let before = s.fingerprint();
        let out = s.run(&["import", file.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(1), "{at}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{at}: {}", stderr(&out));
        assert_eq!(s.fingerprint(), before);
    }
    // Within the tolerance of five minutes, a time just ahead of the clock is taken.
    let s = Sandbox::new();
    value["recorded_at"] = "2026-11-28T12:04:59Z".into();
    let file = s.file("line.jsonl", &format!("{value}\n"));
    s.ok(&["import", file.to_str().expect("utf-8")]);
    assert!(NOW.starts_with("2026-11-28T12:00:00"), "the tolerance above is measured from the tests' clock");
}

#[test]
fn an_unreadable_head_is_corruption_not_an_empty_log() {
    let cases: &[(&str, &str)] = &[
        (
            "UPDATE events SET body = replace(body, '\"recorded_at\":\"2026-11-28T09:00:00.000000Z\"', '\"recorded_at\":\"soon\"') WHERE seq = 28",
            "recorded_at is missing or not an RFC 3339 time",
        ),
        ("UPDATE events SET hash = x'00' WHERE seq = 28", "stored hash is not 32 bytes"),
    ];
    for (sql, expected) in cases {
        let s = Sandbox::seeded();
        behind_its_back(&s, sql);
        let out = s.run(CONTEXT);
        assert_eq!(out.status.code(), Some(5), "{sql}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert!(stderr(&out).contains("seq 28"), "{}", stderr(&out));
        let count: i64 = Connection::open(&s.db)
            .expect("open")
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .expect("count");
        assert_eq!(count, 28, "nothing was appended after a corrupt head");
    }
}

// ---------------------------------------------------------------- references

#[test]
fn a_reference_to_a_retracted_declaration_is_refused_with_what_to_do() {
    let s = Sandbox::seeded();
    // seq 2 opened am-tr; seq 26 made am-az-joint-border-commission.
    s.ok(&["retract", "2", "--reason", "opened twice by mistake"]);
    s.ok(&["retract", "26", "--reason", "not a commitment after all"]);
    let before = s.fingerprint();
    let cases: &[(&[&str], &str)] = &[
        (
            &["append", "context-noted", "--track", "am-tr", "--occurred", "2022", "--summary", "x", "--unsourced"],
            "track `am-tr` was declared by an event that was retracted (seq 29)",
        ),
        (
            &fulfil("am-az-joint-border-commission"),
            "commitment `am-az-joint-border-commission` was declared by an event that was retracted (seq 30)",
        ),
        (
            &[
                "append",
                "context-noted",
                "--track",
                "am-az",
                "--occurred",
                "2022",
                "--summary",
                "x",
                "--advances",
                "am-az-joint-border-commission",
                "--unsourced",
            ],
            "was retracted (seq 30)",
        ),
        (
            &[
                "append",
                "track-opened",
                "--track",
                "am-tr",
                "--occurred",
                "2022",
                "--title",
                "again",
                "--party",
                "am=Armenia",
                "--party",
                "tr=Turkey",
                "--unsourced",
            ],
            "an id is never reused",
        ),
    ];
    for (args, expected) in cases {
        let out = s.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("declare it anew") || expected.contains("reused"), "{}", stderr(&out));
        assert_eq!(s.fingerprint(), before);
    }
}

#[test]
fn a_retraction_earlier_in_the_same_batch_counts_for_the_lines_after_it() {
    let s = Sandbox::seeded();
    let id = {
        let out = s.ok(&["show", "2"]);
        out.lines().find_map(|l| l.strip_prefix("id")).expect("id line").trim().to_owned()
    };
    let batch = format!(
        "{}\n{}\n",
        serde_json::json!({"kind":"context_noted","version":1,"tracks":["am-tr"],"occurred":"2022","unsourced":true,"payload":{"summary":"before"}}),
        serde_json::json!({"kind":"event_retracted","version":1,"tracks":["am-tr"],"occurred":"2026","unsourced":true,"payload":{"target":id,"reason":"wrong"}}),
    ) + &format!(
        "{}\n",
        serde_json::json!({"kind":"context_noted","version":1,"tracks":["am-tr"],"occurred":"2022","unsourced":true,"payload":{"summary":"after"}})
    );
    let file = s.file("batch.jsonl", &batch);
    let before = s.fingerprint();
    let out = s.run(&["import", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(":3: tracks[0]: track `am-tr` was declared by an event that was retracted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn work_on_a_commitment_after_its_withdrawal_as_a_whole_is_refused_not_lost() {
    let c = "am-az-senior-representatives-engagement";
    let append = |s: &Sandbox, kind: &str, occurred: &str, extra: &[&str]| {
        let mut args =
            vec!["append", kind, "--track", "am-az", "--occurred", occurred, "--commitment", c, "--unsourced"];
        args.extend_from_slice(extra);
        s.run(&args)
    };
    let s = Sandbox::seeded();
    let withdrawn = append(&s, "commitment-withdrawn", "2023-01", &["--reason", "talks broke off"]);
    assert!(withdrawn.status.success(), "{}", stderr(&withdrawn));
    let before = s.fingerprint();
    for (kind, extra) in [
        ("commitment-fulfilled", &["--summary", "met"][..]),
        ("commitment-progressed", &["--summary", "a step"][..]),
        ("deadline-amended", &["--by", "2024-01-01"][..]),
    ] {
        let out = append(&s, kind, "2023-06-01", extra);
        assert_eq!(out.status.code(), Some(2), "{kind}: {}", stderr(&out));
        assert!(stderr(&out).contains("was withdrawn on 2023-01 (seq 29)"), "{kind}: {}", stderr(&out));
        assert!(stderr(&out).contains("retract it (`entente retract 29"), "{}", stderr(&out));
        assert_eq!(s.fingerprint(), before);
    }
    // A link says the same.
    let out = s.run(&[
        "append",
        "context-noted",
        "--track",
        "am-az",
        "--occurred",
        "2023-06",
        "--summary",
        "x",
        "--fulfils",
        c,
        "--unsourced",
    ]);
    assert!(stderr(&out).contains("fulfils: commitment"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before);
    // Work from before the withdrawal, or not surely after it, is recorded late but counts.
    assert!(append(&s, "commitment-progressed", "2022-12-01", &["--summary", "earlier"]).status.success());
    assert!(append(&s, "commitment-progressed", "2023", &["--summary", "that year"]).status.success());
    // Once the withdrawal is retracted, the commitment is worked on again.
    s.ok(&["retract", "29", "--reason", "it was a rumour"]);
    let out = append(&s, "commitment-fulfilled", "2023-06-01", &["--summary", "met"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // One party's withdrawal is not everyone's: the other may still meet it.
    let s = Sandbox::seeded();
    assert!(append(&s, "commitment-withdrawn", "2023-01", &["--reason", "r", "--by", "az"]).status.success());
    assert!(append(&s, "commitment-fulfilled", "2023-06-01", &["--summary", "met"]).status.success());
    assert!(s.ok(&["verify"]).contains("verified 30 events"));
}

// ---------------------------------------------------------------- the log file

#[test]
fn the_log_path_is_wrong_in_words() {
    let s = Sandbox::empty();
    let missing = s.dir.path().join("no/such/dir/log.db");
    let fifo = s.dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--db".into(), missing.display().to_string(), "init".into()], "does not exist; create it first"),
        (vec!["--db".into(), fifo.display().to_string(), "status".into()], "is a named pipe (FIFO), not a log file"),
        (vec!["--db".into(), fifo.display().to_string(), "init".into()], "is a named pipe (FIFO), not a log file"),
        (vec!["--db".into(), "/dev/null".into(), "verify".into()], "/dev/null is a device, not a log file"),
        (vec!["--db".into(), "/dev/null".into(), "init".into()], "/dev/null is a device, not a log file"),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = s
            .cmd(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        // A FIFO opened by SQLite would block: the command must answer at once.
        let mut waited = 0;
        while child.try_wait().expect("wait").is_none() {
            assert!(waited < 300, "{args:?} hangs");
            std::thread::sleep(std::time::Duration::from_millis(100));
            waited += 1;
        }
        let out = child.wait_with_output().expect("output");
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("SQLite"), "{}", stderr(&out));
    }
    assert!(!missing.parent().expect("parent").exists());
}

#[test]
fn a_log_replaced_while_a_command_runs_is_noticed_before_success() {
    use entente::env::Ids;
    use entente::event::parse_line;
    use entente::log::{AppendPolicy, LogError, Recorder};
    use entente::store::Sqlite;
    let s = Sandbox::seeded();
    let mut store = Sqlite::open(&s.db, 1000).expect("open");
    // Someone moves the log away and puts another file in its place.
    std::fs::rename(&s.db, s.dir.path().join("moved.db")).expect("move");
    std::fs::write(&s.db, "").expect("replace");
    let line = r#"{"kind":"context_noted","version":1,"tracks":["am-az"],"occurred":"2022","unsourced":true,"payload":{"summary":"x"}}"#;
    let now = chrono::DateTime::parse_from_rfc3339(NOW).expect("now").to_utc();
    let stamp = AppendPolicy { now, ids: Ids::Seeded(1), recorder: Recorder::Default(Some("t")) };
    let err = store.append([(1, parse_line(line))], stamp, None, &mut |_| {}).expect_err("noticed");
    assert!(matches!(err, LogError::Replaced { .. }), "{err}");
    assert!(err.to_string().contains("was deleted or replaced while entente was using it"), "{err}");
    let err = store.head().expect_err("noticed on a read too");
    assert!(matches!(err, LogError::Replaced { .. }), "{err}");
    // Deleted outright.
    std::fs::remove_file(&s.db).expect("delete");
    assert!(matches!(store.head(), Err(LogError::Replaced { .. })));
}

#[test]
fn status_never_waits_behind_another_writer_to_save_its_snapshot() {
    let s = Sandbox::seeded();
    s.ok(&["status"]);
    // The snapshot is now behind the log: status will fold the new event in and try to save.
    s.ok(CONTEXT);
    let conn = Connection::open(&s.db).expect("open");
    conn.execute_batch("BEGIN IMMEDIATE").expect("hold the write lock");
    let started = entente::env::Stopwatch::start();
    let mut cmd = s.cmd(&["status", "--format", "json"]);
    cmd.env("ENTENTE_BUSY_TIMEOUT_MS", "60000");
    let out = cmd.output().expect("run");
    let waited = started.elapsed();
    conn.execute_batch("ROLLBACK").expect("release");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), s.ok(&["status", "--format", "json"]), "the same report, snapshot saved or not");
    // A busy timeout of a minute would have been waited for in full.
    assert!(waited < std::time::Duration::from_secs(30), "status waited {waited:?} for the lock");
}

#[test]
#[ignore = "needs root to mount a read-only tmpfs (.ci/run runs it as root)"]
fn as_root_read_commands_work_on_a_read_only_mount_and_writes_say_why_not() {
    let s = Sandbox::seeded();
    s.ok(&["status"]);
    let dir = s.dir.path().join("ro");
    std::fs::create_dir(&dir).expect("mkdir");
    let db = mount_read_only(&s, &dir).expect("cannot mount a read-only tmpfs: run this test as root");
    read_only_log(&s, &db);
    let _ = std::process::Command::new("umount").arg(&dir).status();
}

#[test]
#[ignore = "needs a non-root user: root ignores file permissions (.ci/run runs it when not root)"]
fn as_user_read_commands_work_on_a_read_only_file_and_writes_say_why_not() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::seeded();
    s.ok(&["status"]);
    let dir = s.dir.path().join("ro");
    std::fs::create_dir(&dir).expect("mkdir");
    let db = dir.join("entente.db");
    std::fs::copy(&s.db, &db).expect("copy");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let root = std::fs::write(dir.join("probe"), "x").is_ok();
    if !root {
        read_only_log(&s, &db);
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(!root, "run as a non-root user: permissions do not make the log read-only for root");
}

/// Read commands work on the read-only log at `db`; a write says why not.
fn read_only_log(s: &Sandbox, db: &std::path::Path) {
    let run = |args: &[&str]| {
        let mut cmd = s.cmd(args);
        cmd.env("ENTENTE_DB", db);
        cmd.output().expect("run")
    };
    for args in [&["verify"][..], &["status"], &["log"], &["show", "3"], &["audit"], &["export"], &["timeline"]] {
        let out = run(args);
        assert!(out.status.success(), "{args:?} on a read-only log: {}", stderr(&out));
    }
    assert!(stdout(&run(&["verify"])).contains("verified 28 events"));
    let out = run(CONTEXT);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
}

/// Mounts a small tmpfs at `dir` holding a copy of the log (with no -wal or -shm
/// beside it), then makes it read-only; the log's path there. `None` where mounting is
/// not allowed.
fn mount_read_only(s: &Sandbox, dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let mount =
        |args: &[&str]| std::process::Command::new("mount").args(args).arg(dir).status().is_ok_and(|s| s.success());
    if !mount(&["-t", "tmpfs", "-o", "size=8m", "tmpfs"]) {
        return None;
    }
    // Checkpoint first, so the copy is the whole log without its WAL.
    Connection::open(&s.db).expect("open").execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint");
    let db = dir.join("entente.db");
    std::fs::copy(&s.db, &db).expect("copy");
    if !mount(&["-o", "remount,ro"]) {
        let _ = std::process::Command::new("umount").arg(dir).status();
        return None;
    }
    Some(db)
}

#[test]
fn a_log_from_schema_4_migrates_to_exactly_the_derived_tables_its_chain_implies() {
    let s = Sandbox::seeded();
    s.ok(&[
        "append",
        "commitment-withdrawn",
        "--track",
        "am-az",
        "--occurred",
        "2023",
        "--commitment",
        "am-az-peace-treaty-preparation",
        "--reason",
        "superseded",
        "--unsourced",
    ]);
    s.ok(&["status"]);
    let before = s.fingerprint();
    // Back to schema 4: no `withdrawn` names, snapshots without their hash.
    behind_its_back(
        &s,
        "DELETE FROM names WHERE namespace = 'withdrawn';
         DROP VIEW event_view; DROP VIEW event_track_view; DROP VIEW event_source_view;
         DROP VIEW commitment_view; DROP VIEW principle_view;
         DROP TABLE snapshots;
         CREATE TABLE snapshots (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, state TEXT NOT NULL) STRICT;
         INSERT INTO snapshots VALUES ('status', 1, '{}');
         PRAGMA user_version = 4;",
    );
    let conn = Connection::open(&s.db).expect("open");
    let names = |conn: &Connection| -> i64 {
        conn.query_row("SELECT COUNT(*) FROM names WHERE namespace = 'withdrawn'", [], |r| r.get(0)).expect("count")
    };
    assert_eq!(names(&conn), 0);
    drop(conn);
    let out = s.ok(&["verify"]);
    assert_eq!(names(&Connection::open(&s.db).expect("open")), 1, "migration 5 wrote the withdrawal's name");
    assert!(out.contains("the hash chain is intact"), "{out}");
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn a_log_from_schema_5_gets_a_name_for_each_partys_withdrawal_and_refuses_work_after_all_withdrew() {
    let s = Sandbox::seeded();
    let withdraw = |party: &str, occurred: &str| {
        s.ok(&[
            "append",
            "commitment-withdrawn",
            "--track",
            "am-az",
            "--occurred",
            occurred,
            "--commitment",
            "am-az-peace-treaty-preparation",
            "--by",
            party,
            "--reason",
            "out",
            "--unsourced",
        ])
    };
    withdraw("am", "2023-01");
    withdraw("az", "2023-02");
    let before = s.fingerprint();
    // Back to schema 5: no `withdrawn_by` names.
    behind_its_back(
        &s,
        "DELETE FROM names WHERE namespace = 'withdrawn_by';
         DROP VIEW event_view; DROP VIEW event_track_view; DROP VIEW event_source_view;
         DROP VIEW commitment_view; DROP VIEW principle_view;
         PRAGMA user_version = 5;",
    );
    let names = || -> i64 {
        Connection::open(&s.db)
            .expect("open")
            .query_row("SELECT COUNT(*) FROM names WHERE namespace = 'withdrawn_by'", [], |r| r.get(0))
            .expect("count")
    };
    assert_eq!(names(), 0);
    let out = s.ok(&["verify"]);
    assert!(out.contains("the hash chain is intact"), "{out}");
    assert_eq!(names(), 2, "migration 6 wrote a name for each party's withdrawal");
    assert_eq!(s.fingerprint(), before);
    let out = s.run(&[
        "append",
        "commitment-progressed",
        "--track",
        "am-az",
        "--occurred",
        "2023-03",
        "--commitment",
        "am-az-peace-treaty-preparation",
        "--summary",
        "talks",
        "--unsourced",
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("was withdrawn on 2023-02 (seq 30), before this event (2023-03)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.fingerprint(), before);
}

// ---------------------------------------------------------------- found by attacking the above

#[test]
fn a_trigger_disguised_as_sqlite_bookkeeping_is_caught_and_cannot_swallow_appends() {
    for sql in [
        "CREATE TRIGGER sqlitexstat_evil BEFORE INSERT ON events WHEN NEW.kind = 'context_noted'
         BEGIN SELECT RAISE(IGNORE); END;",
        // SQLite reserves sqlite_ names, but not against an edit of its schema table.
        "PRAGMA writable_schema = ON;
         INSERT INTO sqlite_master VALUES ('trigger', 'sqlite_sequence', 'events', 0,
           'CREATE TRIGGER sqlite_sequence BEFORE INSERT ON events WHEN NEW.kind = ''context_noted''
            BEGIN SELECT RAISE(IGNORE); END');",
    ] {
        let s = Sandbox::seeded();
        Connection::open(&s.db).expect("open").execute_batch(sql).expect("tamper");
        verify_fails(&s, "that entente never creates");
        let before = s.fingerprint();
        let out = s.run(CONTEXT);
        assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
        assert!(stderr(&out).contains("was not stored although the insert ran"), "{}", stderr(&out));
        assert_eq!(s.fingerprint(), before);
    }
    let s = Sandbox::seeded();
    Connection::open(&s.db).expect("open").execute_batch("CREATE TABLE sqlitexstat_t (x)").expect("tamper");
    verify_fails(&s, "table `sqlitexstat_t` that entente never creates");
}

#[test]
fn a_declaration_let_through_by_a_deleted_name_is_caught_for_good_not_mended_away() {
    let s = Sandbox::seeded();
    behind_its_back(&s, "DELETE FROM names WHERE namespace = 'track' AND key = 'am-az'");
    // The log cannot see the first declaration without its index row: it takes a second.
    s.ok(&[
        "append",
        "track-opened",
        "--track",
        "am-az",
        "--occurred",
        "2020",
        "--title",
        "Forged",
        "--party",
        "am=Armenia",
        "--party",
        "ru=Russia",
        "--unsourced",
    ]);
    verify_fails(&s, "at seq 29: it declares track `am-az` again, which seq 1 declared");
    let before = s.fingerprint();
    let out = s.run(&["replay"]);
    assert_eq!(out.status.code(), Some(5), "replay mended it away: {}", stderr(&out));
    assert!(stderr(&out).contains("nothing was rebuilt"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before);
    verify_fails(&s, "declares track `am-az` again");
}

#[test]
fn an_export_whose_events_were_recorded_differently_is_not_this_log() {
    let s = Sandbox::seeded();
    let export = s.dir.path().join("e.jsonl");
    s.ok(&["export", "--out", export.to_str().expect("utf-8")]);
    // Another log holding the same facts, recorded by someone else at another time.
    let other = Sandbox::new();
    let restamped: String = std::fs::read_to_string(&export)
        .expect("read")
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
            // Recorded anew, a code must be its standard's: the seed's PROPOSE (history,
            // kept as it was recorded) is no PLOVER type, so the new recording says AGREE.
            if v.pointer("/code/plover").is_some_and(|c| c == "PROPOSE") {
                v["code"]["plover"] = serde_json::json!("AGREE");
            }
            for field in ["seq", "prev_hash", "hash", "recorded_at"] {
                v.as_object_mut().expect("object").remove(field);
            }
            v["recorded_by"] = "mallory".into();
            format!("{v}\n")
        })
        .collect();
    other.ok(&["import", other.file("r.jsonl", &restamped).to_str().expect("utf-8")]);
    let before = other.fingerprint();
    let out = other.run(&["import", "--verify", export.to_str().expect("utf-8")]);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("with another hash"), "{}", stderr(&out));
    assert_eq!(other.fingerprint(), before);
}

#[test]
fn a_hard_linked_or_empty_log_is_refused_in_words() {
    let s = Sandbox::seeded();
    let link = s.dir.path().join("other-name.db");
    std::fs::hard_link(&s.db, &link).expect("link");
    for db in [&s.db, &link] {
        let out = s.cmd(&["status"]).env("ENTENTE_DB", db).output().expect("run");
        assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
        assert!(stderr(&out).contains("has 2 hard links"), "{}", stderr(&out));
    }
    std::fs::remove_file(&link).expect("unlink");
    s.ok(&["status"]);
    let empty = s.file("empty.db", "");
    let out = s.cmd(&["verify"]).env("ENTENTE_DB", &empty).output().expect("run");
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("is empty (0 bytes)"), "{}", stderr(&out));
}

#[test]
fn a_log_named_like_an_export_temporary_is_never_cleaned_up() {
    let s = Sandbox::seeded();
    let log = s.dir.path().join(".report.jsonl.entente-tmp-mydb01");
    std::fs::copy(&s.db, &log).expect("copy");
    let out = s.dir.path().join("report.jsonl");
    let run = s.cmd(&["export", "--out", out.to_str().expect("utf-8")]).env("ENTENTE_DB", &log).output().expect("run");
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(log.exists(), "the export's clean-up deleted the log");
    assert!(s.cmd(&["verify"]).env("ENTENTE_DB", &log).output().expect("run").status.success());
}

#[test]
#[ignore = "needs root to mount a read-only tmpfs (.ci/run runs it as root)"]
fn as_root_a_read_only_log_with_events_still_in_its_wal_is_refused_not_read_stale() {
    let s = Sandbox::seeded();
    let dir = s.dir.path().join("ro");
    std::fs::create_dir(&dir).expect("mkdir");
    // A reader holds the WAL open, so the append's frames stay in it, uncheckpointed.
    let reader = Connection::open(&s.db).expect("open");
    reader.execute_batch("BEGIN; SELECT COUNT(*) FROM events;").expect("read");
    s.ok(CONTEXT);
    let mount =
        |args: &[&str]| std::process::Command::new("mount").args(args).arg(&dir).status().is_ok_and(|s| s.success());
    assert!(mount(&["-t", "tmpfs", "-o", "size=8m", "tmpfs"]), "cannot mount a tmpfs: run this test as root");
    for suffix in ["", "-wal"] {
        let from = format!("{}{suffix}", s.db.display());
        std::fs::copy(&from, dir.join(format!("entente.db{suffix}"))).expect("copy");
    }
    assert!(mount(&["-o", "remount,ro"]), "remount read-only");
    let out = s.cmd(&["verify"]).env("ENTENTE_DB", dir.join("entente.db")).output().expect("run");
    let _ = std::process::Command::new("umount").arg(&dir).status();
    drop(reader);
    assert_eq!(out.status.code(), Some(4), "a stale read passed: {}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("its write-ahead file"), "{}", stderr(&out));
}

#[test]
fn replay_out_checks_every_report_path_before_writing_or_rebuilding_anything() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let out = s.run(&["replay", "--out", s.db.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("that is a file, not a folder"), "{}", stderr(&out));
    let dir = s.dir.path().join("reports");
    std::fs::create_dir(&dir).expect("mkdir");
    std::os::unix::fs::symlink(&s.db, dir.join("timeline.md")).expect("symlink");
    let out = s.run(&["replay", "--out", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let written: Vec<_> = std::fs::read_dir(&dir).expect("read").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(written, ["timeline.md"], "reports were written before the refusal");
    assert_eq!(s.fingerprint(), before);
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
}

#[test]
fn a_clock_far_behind_the_log_is_named_as_such_not_as_a_flag() {
    let s = Sandbox::seeded();
    let mut cmd = s.cmd(CONTEXT);
    cmd.env("ENTENTE_NOW", "2020-01-01T00:00:00Z");
    let out = cmd.output().expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("the recording time: the log's last event was recorded at"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--recorded-at"), "{}", stderr(&out));
}

// ---------------------------------------------------------------- part 8 refusals, in words

#[test]
fn a_suspended_commitment_and_a_date_before_the_opening_are_refused_with_what_to_do() {
    let s = Sandbox::seeded();
    let c = "am-az-senior-representatives-engagement";
    let line = |kind: &str, occurred: &str, payload: serde_json::Value| {
        serde_json::json!({"kind": kind, "version": 1, "tracks": ["am-az"], "occurred": occurred, "unsourced": true,
                           "payload": payload})
        .to_string()
    };
    let import = |name: &str, lines: &[String]| {
        let file = s.file(name, &(lines.join("\n") + "\n"));
        s.run(&["import", file.to_str().expect("utf-8")])
    };
    let suspended = import(
        "s.jsonl",
        &[line("commitment_suspended", "2023-01", serde_json::json!({"commitment": c, "reason": "talks broke off"}))],
    );
    assert!(suspended.status.success(), "{}", stderr(&suspended));
    let before = s.fingerprint();
    let fulfilled = line("commitment_fulfilled", "2023-06", serde_json::json!({"commitment": c, "summary": "met"}));
    let out = import("f.jsonl", std::slice::from_ref(&fulfilled));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for words in [
        &format!("payload.commitment: commitment `{c}` is suspended since 2023-01 (seq 29)"),
        "record that first (`entente append commitment-resumed`)",
        "retract it (`entente retract 29 --reason …`)",
    ] {
        assert!(stderr(&out).contains(words), "{words}: {}", stderr(&out));
    }
    assert_eq!(s.fingerprint(), before);
    let out = import("r.jsonl", &[line("commitment_resumed", "2022-12", serde_json::json!({"commitment": c}))]);
    assert!(stderr(&out).contains(&format!("commitment `{c}` is not suspended on 2022-12")), "{}", stderr(&out));
    assert!(stderr(&out).contains("`entente log --kind commitment_suspended` lists them"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before);
    // Before the opening of am-az (2020-11-09/2020-11-10).
    let out = import("o.jsonl", &[line("context_noted", "2019", serde_json::json!({"summary": "x"}))]);
    assert!(stderr(&out).contains("occurred: 2019 is before track `am-az` was opened"), "{}", stderr(&out));
    assert!(stderr(&out).contains("(`--before-opening`, or `\"before_opening\": true` in JSON)"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before);
    // Resumed, the commitment is worked on again; the seed's early events are audited.
    let resumed = line("commitment_resumed", "2023-03", serde_json::json!({"commitment": c}));
    let out = import("ok.jsonl", &[resumed, fulfilled]);
    assert!(out.status.success(), "{}", stderr(&out));
    let audit: serde_json::Value = serde_json::from_str(&s.ok(&["audit", "--format", "json"])).expect("json");
    let seqs: Vec<u64> =
        audit["before_opening"].as_array().expect("list").iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(seqs, [6, 14]);
    assert!(s.ok(&["verify"]).contains("verified 31 events"));
    // The suspensions and resumptions are names of the index, which verify recomputes
    // and replay rebuilds.
    behind_its_back(&s, "DELETE FROM names WHERE namespace = 'suspension'");
    verify_fails(&s, &format!("the `names` table lacks suspension `{c} "));
    s.ok(&["replay"]);
    assert!(s.ok(&["verify"]).contains("verified 31 events"));
}
