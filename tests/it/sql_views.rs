//! The log as SQL (README, "The log as SQL"): the views over a scenario give the rows
//! the events say, the README's queries give the output it shows through the `sqlite3`
//! CLI, the views write nothing, and `verify` catches a view dropped or replaced, or a
//! judged snapshot that is not what the events judge.

use std::io::Write;
use std::process::{Command, Stdio};

use rusqlite::Connection;

use crate::common::{Sandbox, repo};

/// A seeded log whose status and judged snapshots have been saved.
fn judged() -> Sandbox {
    let s = Sandbox::seeded();
    s.ok(&["status"]);
    s
}

/// The rows `sql` gives on the log, each column as text (NULL as `NULL`), joined by `|`.
fn rows(s: &Sandbox, sql: &str) -> Vec<String> {
    let conn = Connection::open(&s.db).expect("open");
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        let cells: Vec<String> = (0..columns)
            .map(|i| match r.get_ref(i).expect("cell") {
                rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Real(x) => x.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(b) => hex::encode(b),
            })
            .collect();
        Ok(cells.join("|"))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

/// Runs `sql` on the log behind entente's back (its triggers left in place).
fn behind_its_back(s: &Sandbox, sql: &str) {
    Connection::open(&s.db).expect("open").execute_batch(sql).unwrap_or_else(|e| panic!("tamper {sql}: {e}"));
}

/// Asserts `verify` exits 5 naming `expected`.
fn verify_fails(s: &Sandbox, expected: &str) {
    let out = s.run(&["verify"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "verify passed a tampered log: {stderr}");
    assert!(stderr.contains(expected), "expected {expected:?}:\n{stderr}");
}

#[test]
fn event_view_reads_each_event_with_its_dates_at_their_precision() {
    let s = judged();
    assert_eq!(rows(&s, "SELECT count(*) FROM event_view"), ["28"]);
    assert_eq!(
        rows(
            &s,
            "SELECT seq, kind, occurred, occurred_first, occurred_last, precision, tracks, source_count, unsourced
             FROM event_view WHERE seq IN (1, 2, 6, 14, 21) ORDER BY seq"
        ),
        [
            "1|track_opened|2020-11-09/2020-11-10|2020-11-09|2020-11-10|range|[\"am-az\"]|1|0",
            "2|track_opened|2021-12|2021-12-01|2021-12-31|month|[\"am-tr\"]|1|0",
            "6|context_noted|2021-06-20|2021-06-20|2021-06-20|day|[\"am-az\",\"am-tr\"]|1|0",
            "14|instrument_stage_reached|1992|1992-01-01|1992-12-31|year|[\"am-az\"]|1|0",
            "21|meeting_held|2022-03-30|2022-03-30|2022-03-30|day|[\"am-az\"]|2|0",
        ]
    );
    assert_eq!(
        rows(&s, "SELECT headline, subject FROM event_view WHERE seq IN (1, 26) ORDER BY seq"),
        [
            "Armenia–Azerbaijan normalization|NULL",
            "Convene a Joint Border Commission, in line with the Sochi Statement of 26 November 2021, to delimit \
             the bilateral border and ensure a stable security situation along and near the borderline.|\
             am-az-joint-border-commission",
        ]
    );
    // The hash is the one `show` prints; the body the one `export` writes.
    let show = s.ok(&["show", "28"]);
    let hash = rows(&s, "SELECT hash FROM event_view WHERE seq = 28").remove(0);
    assert!(show.contains(&hash), "{hash} not in\n{show}");
    let export = s.ok(&["export"]);
    let body = rows(&s, "SELECT id, recorded_by, body FROM event_view WHERE seq = 28").remove(0);
    let id = body.split('|').next().expect("id");
    assert!(export.lines().last().is_some_and(|line| line.contains(id)), "{body}");
}

#[test]
fn the_track_and_source_views_have_a_row_per_pair() {
    let s = judged();
    assert_eq!(
        rows(&s, "SELECT track, kind FROM event_track_view WHERE seq = 6"),
        ["am-az|context_noted", "am-tr|context_noted"]
    );
    assert_eq!(rows(&s, "SELECT count(*) FROM event_track_view"), ["29"]);
    assert_eq!(
        rows(&s, "SELECT count(*), sum(source_count) FROM event_view"),
        rows(&s, "SELECT count(DISTINCT seq), count(*) FROM event_source_view")
    );
    assert_eq!(rows(&s, "SELECT position FROM event_source_view WHERE seq = 21 ORDER BY position"), ["1", "2"]);
}

#[test]
fn commitment_and_principle_views_hold_the_state_judged_at_the_latest_event() {
    let s = judged();
    assert_eq!(
        rows(
            &s,
            "SELECT track, commitment, state, schedule, due, as_of, judged_at FROM commitment_view ORDER BY commitment"
        ),
        [
            "am-az|am-az-joint-border-commission|in_progress|due|2022-04-30|2022-04-11|28",
            "am-az|am-az-peace-treaty-preparation|in_progress|no_deadline|NULL|2022-04-11|28",
            "am-az|am-az-senior-representatives-engagement|open|no_deadline|NULL|2022-04-11|28",
        ]
    );
    let principles = rows(&s, "SELECT principle, state, as_of FROM principle_view ORDER BY principle");
    assert_eq!(principles.len(), 5, "{principles:?}");
    assert!(principles.iter().all(|p| p.ends_with("|2022-04-11")), "{principles:?}");
    // Judged as the commitments report judges as of the same day.
    let report: serde_json::Value =
        serde_json::from_str(&s.ok(&["commitments", "--as-of", "2022-04-11", "--format", "json"])).expect("json");
    let states: Vec<String> = report["tracks"][0]["commitments"]
        .as_array()
        .expect("commitments")
        .iter()
        .map(|c| format!("{}|{}", c["id"].as_str().expect("id"), c["state"].as_str().expect("state")))
        .collect();
    let mut from_view = rows(&s, "SELECT commitment, state FROM commitment_view");
    let mut from_report = states;
    from_view.sort();
    from_report.sort();
    assert_eq!(from_view, from_report);
}

#[test]
fn the_judged_views_follow_the_log_and_show_nothing_unbound() {
    let s = Sandbox::seeded();
    // Nothing judged yet: import saves no snapshot.
    assert_eq!(rows(&s, "SELECT count(*) FROM commitment_view"), ["0"]);
    s.ok(&["status"]);
    assert_eq!(rows(&s, "SELECT DISTINCT judged_at FROM commitment_view"), ["28"]);
    s.ok(&[
        "append",
        "commitment-fulfilled",
        "--track",
        "am-az",
        "--occurred",
        "2022-04-20",
        "--commitment",
        "am-az-joint-border-commission",
        "--summary",
        "The commission met.",
        "--unsourced",
    ]);
    s.ok(&["status"]);
    assert_eq!(
        rows(
            &s,
            "SELECT state, as_of, judged_at FROM commitment_view WHERE commitment = 'am-az-joint-border-commission'"
        ),
        ["fulfilled|2022-04-20|29"]
    );
    assert!(s.ok(&["verify"]).contains("verified 29 events"));
    // A judged snapshot moved to another seq is no longer bound: the views show nothing.
    behind_its_back(&s, "UPDATE snapshots SET seq = 28 WHERE name = 'judged'");
    assert_eq!(rows(&s, "SELECT count(*) FROM commitment_view"), ["0"]);
    assert_eq!(rows(&s, "SELECT count(*) FROM principle_view"), ["0"]);
}

#[test]
fn the_views_write_nothing() {
    let s = judged();
    let before = s.fingerprint();
    let conn = Connection::open(&s.db).expect("open");
    for sql in [
        "INSERT INTO event_view (seq) VALUES (29)",
        "UPDATE event_view SET kind = 'meeting_held'",
        "DELETE FROM event_track_view",
        "DELETE FROM commitment_view",
        "UPDATE principle_view SET state = 'agreed'",
    ] {
        let err = conn.execute_batch(sql).expect_err(sql).to_string();
        assert!(err.contains("cannot modify"), "{sql}: {err}");
    }
    drop(conn);
    assert_eq!(s.fingerprint(), before);
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
}

#[test]
fn verify_catches_a_view_dropped_replaced_or_added() {
    let cases: &[(&str, &str)] = &[
        ("DROP VIEW event_view", "the view `event_view` is missing"),
        (
            "DROP VIEW commitment_view; CREATE VIEW commitment_view AS SELECT 'x' AS track, 'overdue' AS state",
            "the view `commitment_view` differs from the one entente creates",
        ),
        (
            "DROP VIEW event_source_view; CREATE VIEW event_source_view AS
             SELECT e.seq AS seq, 1 AS position, 'Trusted Wire' AS title FROM events e",
            "the view `event_source_view` differs",
        ),
        ("CREATE VIEW helpful AS SELECT seq FROM events", "a view `helpful` that entente never creates"),
    ];
    for (sql, expected) in cases {
        let s = judged();
        behind_its_back(&s, sql);
        verify_fails(&s, expected);
    }
}

#[test]
fn verify_catches_a_judged_snapshot_the_events_do_not_say() {
    let s = judged();
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
    behind_its_back(
        &s,
        "UPDATE snapshots SET state = replace(state, '\"state\":\"open\"', '\"state\":\"fulfilled\"')
         WHERE name = 'judged'",
    );
    assert_eq!(
        rows(&s, "SELECT state FROM commitment_view WHERE commitment = 'am-az-senior-representatives-engagement'"),
        ["fulfilled"],
        "the forgery shows in the view"
    );
    verify_fails(&s, "judged snapshot is not what the events up to seq 28 judge");
    // `replay` rebuilds it from the events.
    s.ok(&["replay"]);
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
    assert_eq!(
        rows(&s, "SELECT state FROM commitment_view WHERE commitment = 'am-az-senior-representatives-engagement'"),
        ["open"]
    );
}

#[test]
fn a_frozen_log_gets_the_views_and_a_failed_migration_leaves_it_as_it_was() {
    let s = Sandbox::empty();
    std::fs::copy(repo("tests/frozen/schema1.db"), &s.db).expect("copy frozen log");
    s.ok(&["status"]);
    assert_eq!(rows(&s, "SELECT count(*), max(seq) FROM event_view"), ["28|28"]);
    assert_eq!(rows(&s, "SELECT count(*) FROM commitment_view"), ["3"]);
    assert!(s.ok(&["verify"]).contains("verified 28 events"));

    // A log of an older schema that already holds an object of a view's name is not
    // the schema its version says: opening it migrates nothing and changes no byte.
    let t = Sandbox::empty();
    std::fs::copy(repo("tests/frozen/schema3.db"), &t.db).expect("copy frozen log");
    behind_its_back(&t, "CREATE TABLE event_view (seq INTEGER)");
    let before = std::fs::read(&t.db).expect("read");
    let out = t.run(&["log"]);
    assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&t.db).expect("read"), before, "the refused migration changed the file");
    let version: i64 =
        Connection::open(&t.db).expect("open").query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, 3);
}

/// Each ```sql block of README's "The log as SQL" with the ```text block after it.
fn readme_queries() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(repo("README.md")).expect("README.md");
    let heading = "### The log as SQL\n";
    let at = readme.find(heading).expect("README.md has a section `The log as SQL`") + heading.len();
    let section = &readme[at..readme[at..].find("\n### ").map_or(readme.len(), |end| at + end)];
    let block = |from: usize, fence: &str| -> Option<(String, usize)> {
        let start = section[from..].find(fence)? + from + fence.len();
        let end = section[start..].find("```\n")? + start;
        Some((section[start..end].to_owned(), end + 4))
    };
    let mut queries = Vec::new();
    let mut from = 0;
    while let Some((sql, after)) = block(from, "```sql\n") {
        let (output, next) = block(after, "```text\n").expect("each query is followed by its output");
        queries.push((sql, output));
        from = next;
    }
    queries
}

#[test]
fn the_readme_queries_give_the_rows_shown() {
    let s = judged();
    let queries = readme_queries();
    assert_eq!(queries.len(), 3, "the README shows three queries");
    for (sql, expected) in queries {
        let mut child = Command::new("sqlite3")
            .args(["-readonly", "-bail"])
            .arg(&s.db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sqlite3 CLI runs (.ci/run installs it)");
        child.stdin.take().expect("stdin").write_all(sql.as_bytes()).expect("write query");
        let out = child.wait_with_output().expect("sqlite3");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.is_empty(), "{sql}: {stderr}");
        let got = String::from_utf8(out.stdout).expect("utf-8");
        assert!(!got.is_empty(), "{sql} gave no rows");
        assert_eq!(got, expected, "{sql}");
    }
}

mod on_postgres {
    //! The same views in a team log's schema `entente`: each role reads them with its own
    //! privileges (its own judged snapshot), `verify` compares their definitions, and a
    //! log of schema 1 gets them when its owner opens it.

    use crate::common::repo;
    use crate::pg::Database;

    fn connect(db: &Database, user: &str) -> postgres::Client {
        postgres::Client::connect(&db.url_as(user), postgres::NoTls).expect("connect")
    }

    fn run(db: &Database, user: &str, args: &[&str]) -> std::process::Output {
        db.cmd(user, args).output().expect("run")
    }

    /// Asserts `verify` exits 5 naming `words`.
    fn verify_fails(db: &Database, words: &str) {
        let out = run(db, "postgres", &["verify"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "verify passed: {stderr}");
        assert!(stderr.contains(words), "expected `{words}` in:\n{stderr}");
    }

    /// A team log holding the seed scenario.
    fn seeded() -> Database {
        let db = Database::with_log();
        let seed = repo("events/scenarios/seed.jsonl");
        let out = run(&db, "postgres", &["import", seed.to_str().expect("utf-8")]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        db
    }

    #[test]
    #[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
    fn each_role_reads_the_views_and_only_its_own_judged_state() {
        let db = seeded();
        let roles = db.log_roles.clone().expect("a log");
        let bob = db.login(Some(&roles.reader));
        let alice = db.login(Some(&roles.recorder));
        assert!(run(&db, &bob, &["status"]).status.success());
        let mut as_bob = connect(&db, &bob);
        let row = as_bob
            .query_one(
                "SELECT count(*), max(occurred_last), count(*) FILTER (WHERE precision = 'month')
                 FROM entente.event_view",
                &[],
            )
            .expect("event_view");
        assert_eq!((row.get::<_, i64>(0), row.get::<_, Option<String>>(1)), (28, Some("2022-04-11".to_owned())));
        let month: i64 = row.get(2);
        assert!(month > 0);
        let tracks: i64 =
            as_bob.query_one("SELECT count(*) FROM entente.event_track_view", &[]).expect("tracks").get(0);
        assert_eq!(tracks, 29);
        let commitments: Vec<(String, String, Option<String>)> = as_bob
            .query("SELECT commitment, as_of, due FROM entente.commitment_view ORDER BY commitment", &[])
            .expect("commitment_view")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        assert_eq!(commitments.len(), 3, "{commitments:?}");
        assert_eq!(
            commitments[0],
            ("am-az-joint-border-commission".to_owned(), "2022-04-11".to_owned(), Some("2022-04-30".to_owned()))
        );
        let principles: i64 =
            as_bob.query_one("SELECT count(*) FROM entente.principle_view", &[]).expect("principles").get(0);
        assert_eq!(principles, 5);
        // Alice saved no snapshot: the views read hers (row-level security), none.
        let mut as_alice = connect(&db, &alice);
        let hers: i64 =
            as_alice.query_one("SELECT count(*) FROM entente.commitment_view", &[]).expect("alice reads").get(0);
        assert_eq!(hers, 0);
        // Nobody writes through a view.
        let before = db.fingerprint();
        for sql in ["DELETE FROM entente.event_view", "UPDATE entente.event_track_view SET track = 'x'"] {
            assert!(as_alice.batch_execute(sql).is_err(), "{sql}");
        }
        assert_eq!(db.fingerprint(), before);
        assert!(run(&db, &bob, &["verify"]).status.success());
    }

    #[test]
    #[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
    fn verify_catches_a_view_dropped_or_replaced_on_postgres() {
        for (tamper, words) in [
            ("DROP VIEW entente.principle_view", "the view `principle_view` is missing"),
            (
                "CREATE OR REPLACE VIEW entente.event_track_view AS SELECT e.seq, 'am-az'::text AS track, e.kind
                 FROM entente.events e",
                "the view `event_track_view` differs",
            ),
            ("ALTER VIEW entente.commitment_view SET (security_invoker = false)", "the view `commitment_view` differs"),
            (
                "CREATE VIEW entente.helpful AS SELECT seq FROM entente.events",
                "a view `helpful` that entente never creates",
            ),
        ] {
            let db = Database::with_log();
            db.client().batch_execute(tamper).expect(tamper);
            verify_fails(&db, words);
        }
    }

    #[test]
    #[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
    fn a_schema_1_log_gets_the_views_when_its_owner_opens_it() {
        let db = seeded();
        let roles = db.log_roles.clone().expect("a log");
        // Back to schema 1, as a log made before the views holds it.
        db.client()
            .batch_execute(
                "SET session_replication_role = replica;
                 DROP VIEW entente.event_view, entente.event_track_view, entente.event_source_view,
                           entente.commitment_view, entente.principle_view;
                 DELETE FROM entente.migrations;
                 INSERT INTO entente.migrations (version) VALUES (1);",
            )
            .expect("back to schema 1");
        let before = db.fingerprint();
        // A reader cannot migrate: told so, nothing changed.
        let bob = db.login(Some(&roles.reader));
        let out = run(&db, &bob, &["status"]);
        assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("older schema (1; this entente uses 2), which only its owner role may upgrade"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let views: i64 = db
            .client()
            .query_one("SELECT count(*) FROM pg_views WHERE schemaname = 'entente'", &[])
            .expect("views")
            .get(0);
        assert_eq!(views, 0);
        // The owner's first command migrates; then everyone reads.
        let owner = db.login(Some(&roles.owner));
        assert!(run(&db, &owner, &["verify"]).status.success());
        let version: i64 =
            db.client().query_one("SELECT max(version) FROM entente.migrations", &[]).expect("version").get(0);
        assert_eq!(version, entente::store::postgres::schema::LATEST);
        assert_eq!(db.fingerprint(), before, "the migration touched no event");
        assert!(run(&db, &bob, &["status"]).status.success());
        let rows: i64 =
            connect(&db, &bob).query_one("SELECT count(*) FROM entente.commitment_view", &[]).expect("reads").get(0);
        assert_eq!(rows, 3);
    }
}
