//! The bad-input catalogue: each case gets a one-line message naming what, where and
//! what to do, a non-zero exit code, and leaves the log exactly as it was (same count,
//! same head hash).

use std::process::Output;

use crate::common::Sandbox;

/// A line that is valid against the seed scenario; cases break one thing in it.
const GOOD: &str = r#"{"kind":"meeting_held","version":1,"tracks":["am-az"],"occurred":"2022-04-12","sources":[{"title":"A source"}],"payload":{"participants":[{"name":"A","party":"am","role":"party"},{"name":"B","party":"az","role":"party"}],"format":"bilateral","mode":"phone"}}"#;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Imports `contents` into a seeded log; asserts the exit code, that stderr holds
/// every expected fragment, and that the log is unchanged.
fn rejects(contents: &str, code: i32, expected: &[&str]) {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let file = s.file("bad.jsonl", contents);
    let out = s.run(&["import", file.to_str().expect("path")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "exit code; stderr:\n{err}");
    assert!(err.starts_with("error: "), "{err}");
    for fragment in expected {
        assert!(err.contains(fragment), "stderr lacks {fragment:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(s.fingerprint(), before, "the log changed");
}

fn with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from} not in GOOD");
    GOOD.replacen(from, to, 1)
}

#[test]
fn the_good_line_is_accepted() {
    let s = Sandbox::seeded();
    let file = s.file("good.jsonl", GOOD);
    s.ok(&["import", file.to_str().expect("path")]);
    assert_eq!(s.fingerprint().0, 29);
}

#[test]
fn malformed_json_names_the_line() {
    rejects(&format!("{GOOD}\n{{\"kind\": \n"), 1, &["bad.jsonl:2:", "EOF while parsing", "nothing was written"]);
}

#[test]
fn unknown_kind_lists_the_kinds() {
    rejects(
        &with("meeting_held", "meeting_hold"),
        1,
        &["bad.jsonl:1: kind: unknown kind `meeting_hold`", "meeting_held"],
    );
}

#[test]
fn unknown_version_says_to_upgrade() {
    rejects(
        &with(r#""version":1"#, r#""version":2"#),
        1,
        &["version: meeting_held has no version 2", "upgrade entente"],
    );
}

#[test]
fn missing_field_is_named() {
    rejects(&with(r#","mode":"phone""#, ""), 1, &["bad.jsonl:1: payload: missing field `mode`"]);
}

#[test]
fn wrongly_typed_field_is_named_with_its_path() {
    rejects(
        &with(r#""role":"party"}]"#, r#""role":"chair"}]"#),
        1,
        &["payload.participants[1].role", "unknown variant `chair`"],
    );
    rejects(&with(r#""tracks":["am-az"]"#, r#""tracks":"am-az""#), 1, &["tracks: invalid type"]);
}

#[test]
fn unknown_envelope_field_is_a_typo_not_ignored() {
    rejects(&with(r#""occurred""#, r#""ocurred":"2022","occurred""#), 1, &["unknown field `ocurred`"]);
}

#[test]
fn impossible_and_ill_formed_dates() {
    rejects(&with("2022-04-12", "2022-02-30"), 1, &["occurred: `2022-02-30` is not a date: 2022-02 has 28 days"]);
    rejects(&with("2022-04-12", "12 April 2022"), 1, &["occurred: `12 April 2022` is not a date", "YYYY-MM-DD"]);
}

#[test]
fn deadline_before_its_event() {
    let line = r#"{"kind":"commitment_made","version":1,"tracks":["am-az"],"occurred":"2022-04-06","sources":[{"title":"S"}],"payload":{"commitment":"new-c","parties":["am"],"text":"T","deadline":{"by":"2022-03"}}}"#;
    rejects(
        line,
        1,
        &["payload.deadline: the deadline (by 2022-03, due 2022-03-31) falls before the event itself (2022-04-06)"],
    );
}

#[test]
fn references_to_unknown_things() {
    rejects(&with(r#"["am-az"]"#, r#"["am-ge"]"#), 1, &["tracks[0]: unknown track `am-ge`", "track_opened"]);
    let answer = r#"{"kind":"proposal_answered","version":1,"tracks":["am-az"],"occurred":"2022-04","sources":[{"title":"S"}],"payload":{"proposal":"nope","by":"am","response":"rejected"}}"#;
    rejects(answer, 1, &["payload.proposal: unknown proposal `nope`"]);
    rejects(
        &with(r#""payload""#, r#""addresses":["az-five-principles#6"],"payload""#),
        1,
        &["addresses[0]: unknown principle `az-five-principles#6`"],
    );
    rejects(
        &with(r#""payload""#, r#""fulfils":["no-such-commitment"],"payload""#),
        1,
        &["fulfils[0]: unknown commitment `no-such-commitment`"],
    );
    rejects(
        &with(r#""payload""#, r#""follows":["00000000-0000-4000-8000-000000000000"],"payload""#),
        1,
        &["follows[0]: unknown event `00000000-0000-4000-8000-000000000000`"],
    );
}

#[test]
fn sources_are_required_unless_unsourced() {
    rejects(
        &with(r#""sources":[{"title":"A source"}],"#, ""),
        1,
        &["sources: cite at least one source, or mark the event unsourced"],
    );
}

#[test]
fn duplicate_id_with_different_content() {
    let s = Sandbox::seeded();
    let seed_line = std::fs::read_to_string(crate::common::repo("events/scenarios/seed.jsonl")).expect("seed");
    let id = entente::event::parse_line(seed_line.lines().nth(3).expect("line")).expect("parse").id.expect("id");
    drop(s);
    rejects(
        &with("{", &format!(r#"{{"id":"{id}","#)),
        1,
        &[&format!("id: event {id} is already in the log at seq 4 with different content")],
    );
}

#[test]
fn a_batch_with_one_bad_line_writes_nothing() {
    let batch = format!("{GOOD}\n{}\n{}", GOOD.replace("04-12", "04-13"), with("bilateral", "round_table"));
    rejects(&batch, 1, &["bad.jsonl:3: payload.format: unknown variant `round_table`"]);
}

#[test]
fn an_export_line_that_does_not_continue_the_log() {
    let seed = std::fs::read_to_string(crate::common::repo("events/scenarios/lifecycle.jsonl")).expect("scenario");
    rejects(
        seed.lines().next().expect("line"),
        1,
        &["seq: the line carries seq 1 but would land at seq 29", "remove seq, prev_hash and hash"],
    );
}

#[test]
fn an_edited_export_line_fails_its_hash() {
    let s = Sandbox::new();
    let seed = std::fs::read_to_string(crate::common::repo("events/scenarios/seed.jsonl")).expect("seed");
    let tampered = seed.replacen("Armenia–Azerbaijan normalization", "Armenia–Azerbaijan normalisation", 1);
    let file = s.file("tampered.jsonl", &tampered);
    let out = s.run(&["import", file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("tampered.jsonl:1: hash: the line's hash does not match its content"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.fingerprint().0, 0);
}

#[test]
fn an_over_long_line_is_refused_without_reading_it_whole() {
    let long = with("A source", &"x".repeat(1 << 20));
    rejects(&format!("{GOOD}\n{long}\n"), 1, &["bad.jsonl:2: the line is longer than 1 MiB"]);
}

#[test]
fn invalid_utf8_is_named() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let path = s.dir.path().join("latin1.jsonl");
    std::fs::write(&path, b"{\"kind\":\"\xe9\"}\n").expect("write");
    let out = s.run(&["import", path.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("latin1.jsonl:1: the line is not valid UTF-8"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before);
}

fn log_file_error(prepare: impl FnOnce(&Sandbox), expected: &str) {
    let s = Sandbox::empty();
    prepare(&s);
    let before = std::fs::read(&s.db).ok();
    let out = s.run(&["log"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains(expected), "stderr lacks {expected:?}:\n{}", stderr(&out));
    assert_eq!(std::fs::read(&s.db).ok(), before, "the file changed");
}

#[test]
fn the_log_file_itself_is_wrong() {
    log_file_error(|_| {}, "there is no log at");
    log_file_error(|s| std::fs::create_dir(&s.db).expect("dir"), "is a directory, not a log file");
    log_file_error(
        |s| std::fs::write(&s.db, "just some text, long enough to not be a header at all......").expect("w"),
        "not an SQLite database at all",
    );
    log_file_error(
        |s| {
            let c = rusqlite::Connection::open(&s.db).expect("open");
            c.execute_batch("CREATE TABLE recipes (name TEXT)").expect("create");
        },
        "an SQLite database of another program",
    );
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let s = Sandbox::seeded();
    {
        let c = rusqlite::Connection::open(&s.db).expect("open");
        c.pragma_update(None, "user_version", 99).expect("bump");
    }
    let out = s.run(&["log"]);
    assert_eq!(out.status.code(), Some(4));
    let expected = format!(
        "written by a newer entente (log schema 99; this entente knows up to {})",
        entente::store::SCHEMA_VERSION
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    let c = rusqlite::Connection::open(&s.db).expect("open");
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(v, 99);
}

#[test]
fn init_never_clobbers() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let out = s.run(&["init"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("already exists; `entente init` never overwrites a file"));
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn a_locked_log_is_waited_for_then_reported_in_words() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let file = s.file("good.jsonl", GOOD);
    let holder = rusqlite::Connection::open(&s.db).expect("open");
    holder.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let out =
        s.cmd(&["import", file.to_str().expect("path")]).env("ENTENTE_BUSY_TIMEOUT_MS", "300").output().expect("run");
    holder.execute_batch("ROLLBACK").expect("unlock");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is locked by another entente process and stayed locked for 300 ms"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn expect_head_conflict_names_the_current_head() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let file = s.file("good.jsonl", GOOD);
    let out = s.run(&["import", file.to_str().expect("path"), "--expect-head", "27"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("you expected it to end at seq 27, but it ends at seq 28"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before);
    s.ok(&["import", file.to_str().expect("path"), "--expect-head", "28"]);
    assert_eq!(s.fingerprint().0, 29);
}

#[test]
#[ignore = "needs a non-root user: root ignores file permissions (.ci/run runs it when not root)"]
fn as_user_a_read_only_log_is_reported_in_words() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let file = s.file("good.jsonl", GOOD);
    let mut perms = std::fs::metadata(s.dir.path()).expect("meta").permissions();
    use std::os::unix::fs::PermissionsExt;
    perms.set_mode(0o555);
    std::fs::set_permissions(s.dir.path(), perms.clone()).expect("chmod dir");
    let mut db_perms = std::fs::metadata(&s.db).expect("meta").permissions();
    db_perms.set_mode(0o444);
    std::fs::set_permissions(&s.db, db_perms).expect("chmod db");
    let probe = s.dir.path().join("probe");
    let root_ignores_permissions = std::fs::write(&probe, "x").is_ok();
    assert!(!root_ignores_permissions, "run as a non-root user: permissions do not make the log read-only for root");
    let out = s.run(&["import", file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    perms.set_mode(0o755);
    std::fs::set_permissions(s.dir.path(), perms).expect("chmod back");
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn append_from_flags_names_the_flag() {
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let out = s.run(&[
        "append",
        "meeting-held",
        "--track",
        "am-ge",
        "--occurred",
        "2022-04-12",
        "--source",
        "S",
        "--participant",
        "party:am:A",
        "--participant",
        "party:az:B",
        "--format",
        "bilateral",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--track: unknown track `am-ge`"), "{}", stderr(&out));
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn an_import_that_cannot_land_exits_without_waiting_for_the_rest_of_a_pipe() {
    // The lines are read on a thread of their own; when the append fails at once (here
    // a stale --expect-head) the command must not wait for input nobody will read.
    use std::io::Write as _;
    use std::time::Duration;
    let s = Sandbox::seeded();
    let before = s.fingerprint();
    let mut child = s
        .cmd(&["import", "--expect-head", "3", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, r#"{{"kind":"context_noted","version":1,"tracks":["am-az"],"occurred":"2023","unsourced":true,"payload":{{"summary":"x"}}}}"#)
        .expect("write");
    // stdin stays open: a producer that has not finished.
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(waited < Duration::from_secs(20), "import still waits on its open stdin");
        std::thread::sleep(Duration::from_millis(50));
        waited += Duration::from_millis(50);
    };
    drop(stdin);
    assert_eq!(status.code(), Some(3));
    assert_eq!(s.fingerprint(), before);
}
