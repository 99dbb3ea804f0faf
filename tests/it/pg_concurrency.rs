//! Part 4's promises on a team log, proven with real processes against a real
//! PostgreSQL server (the SQLite equivalents are in `reliability.rs`): concurrent
//! writers — superuser and recorder roles, whole files and single lines — each land
//! exactly once, in one contiguous run per batch; readers polling for what is new never
//! see a gap that later fills (the "high water mark" failure of logs that take a seq
//! before they commit); a writer behind a held lock is told busy while readers read on;
//! an import or append killed at any moment, or cut off by a server restart, leaves none
//! or all of itself; a connection lost while the commit lands is found out, never
//! reported as rolled back.
//!
//! Each test makes a database of its own (`pg.rs`). The `pg_restart_` tests stop the
//! shared server or change its settings, so they are ignored by default and run alone
//! (they refuse to start while other clients are connected):
//! `cargo test --test it -- --ignored pg_restart`.

#![allow(
    clippy::disallowed_methods,
    reason = "tests sleep and read the clock to time kills and polls against real processes"
)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use entente::event::{Hash, parse_line};

use crate::pg::Database;

const TRACK: &str = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020","unsourced":true,"payload":{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn utf8(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A new `context_noted` line on track x-y (no seq, hash or recording time).
fn context_line(summary: &str) -> String {
    format!(
        r#"{{"kind":"context_noted","version":1,"tracks":["x-y"],"occurred":"2021","unsourced":true,"payload":{{"summary":"{summary}"}}}}"#
    )
}

/// A file in `dir` of `n` new events whose summaries are `{prefix} {i}`.
fn batch_file(dir: &Path, name: &str, prefix: &str, n: usize) -> PathBuf {
    let file = dir.join(name);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
    for i in 0..n {
        writeln!(out, "{}", context_line(&format!("{prefix} {i}"))).expect("write");
    }
    out.flush().expect("flush");
    file
}

/// A log holding only the x-y track, and a folder for input files.
fn track_log() -> (Database, tempfile::TempDir) {
    let db = Database::with_log();
    let dir = tempfile::tempdir().expect("tempdir");
    let track = dir.path().join("track.jsonl");
    std::fs::write(&track, format!("{TRACK}\n")).expect("write");
    let out = db.cmd("postgres", &["import", utf8(&track)]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    (db, dir)
}

/// Runs `entente verify` as the superuser and insists it passes over `count` events.
fn verifies(db: &Database, count: i64) {
    let out = db.cmd("postgres", &["verify"]).output().expect("run verify");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "verify failed: {said}{}", stderr(&out));
    assert!(said.contains(&format!("verified {count} events")), "{said}");
}

/// Checks JSON Lines text is a gap-free, chained prefix of the log from seq 1; returns
/// the seqs it holds.
fn chained_prefix(text: &str) -> Vec<u64> {
    let mut prev = Hash::GENESIS;
    let mut seqs = Vec::new();
    for line in text.lines() {
        let l = parse_line(line).expect("a reader sees whole events");
        let seq = l.seq.expect("seq");
        assert_eq!(seq, seqs.len() as u64 + 1, "a reader saw a gap");
        assert_eq!(l.prev_hash, Some(prev), "a reader saw a broken chain at seq {seq}");
        prev = l.hash.expect("hash");
        seqs.push(seq);
    }
    seqs
}

/// What a reader polling "everything after the last seq I saw" learned: its polls, and
/// the distinct heads it saw on the way.
#[derive(Debug)]
struct Polled {
    polls: usize,
    heads: usize,
    last: u64,
}

/// One poll of a reader that has seen everything up to `seen`: what is new must start
/// right after it and be gap-free, or a seq the reader skipped could commit later and
/// never be read.
fn advance(seen: &mut u64, new: &[u64], who: &str) {
    for (k, seq) in new.iter().enumerate() {
        assert_eq!(
            *seq,
            *seen + 1 + k as u64,
            "{who}: after seq {seen} a poll showed {new:?}: a gap that a later commit could fill behind the reader"
        );
    }
    *seen += new.len() as u64;
}

/// A reader polling `entente status` and `entente log --format json` until `stop` (then
/// once more), keeping only what is after the last seq it saw (`log` has no `--after`:
/// the filter is here).
fn cli_reader(mut log: Command, mut status: Command, stop: Arc<AtomicBool>) -> thread::JoinHandle<Polled> {
    thread::spawn(move || {
        let (mut seen, mut polls, mut heads) = (0u64, 0usize, 0usize);
        loop {
            let last_round = stop.load(Ordering::SeqCst);
            // A report under load too (it reads and may save its snapshot as it goes).
            let st = status.output().expect("run status");
            assert!(st.status.success(), "status failed: {}", stderr(&st));
            let v: serde_json::Value = serde_json::from_slice(&st.stdout).expect("status json");
            assert!(v["head"]["seq"].as_u64().expect("head") >= seen, "status went back in time");
            let out = log.output().expect("run log");
            assert!(out.status.success(), "log failed: {}", stderr(&out));
            let seqs = chained_prefix(&String::from_utf8_lossy(&out.stdout));
            assert!(seqs.len() as u64 >= seen, "a reader went back in time: {} after {seen}", seqs.len());
            let new: Vec<u64> = seqs.into_iter().filter(|s| *s > seen).collect();
            if !new.is_empty() {
                heads += 1;
            }
            advance(&mut seen, &new, "entente log");
            polls += 1;
            if last_round {
                return Polled { polls, heads, last: seen };
            }
            thread::sleep(Duration::from_millis(20));
        }
    })
}

/// A reader polling `SELECT seq … WHERE seq > $seen` as fast as it can, as the reader
/// role, each poll a statement of its own (READ COMMITTED): the query a projector or a
/// subscriber runs.
fn sql_reader(url: String, stop: Arc<AtomicBool>) -> thread::JoinHandle<Polled> {
    thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("the reader connects");
        let (mut seen, mut polls, mut heads) = (0u64, 0usize, 0usize);
        loop {
            let last_round = stop.load(Ordering::SeqCst);
            let after = i64::try_from(seen).expect("seq");
            let new: Vec<u64> = client
                .query("SELECT seq FROM entente.events WHERE seq > $1 ORDER BY seq", &[&after])
                .expect("poll")
                .iter()
                .map(|r| u64::try_from(r.get::<_, i64>(0)).expect("seq"))
                .collect();
            if !new.is_empty() {
                heads += 1;
            }
            advance(&mut seen, &new, "SQL poll");
            polls += 1;
            if last_round {
                return Polled { polls, heads, last: seen };
            }
            thread::sleep(Duration::from_millis(2));
        }
    })
}

/// Runs each command in turn; all must succeed.
fn run_all(who: String, cmds: Vec<Command>) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for mut c in cmds {
            let out = c.output().expect("run");
            assert!(out.status.success(), "{who} failed (exit {:?}): {}", out.status.code(), stderr(&out));
        }
    })
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn pg_concurrent_writers_land_once_in_commit_order_and_readers_never_see_a_gap() {
    const BATCH: usize = 200;
    const SINGLES: usize = 12;
    let started = Instant::now();
    let (db, dir) = track_log();
    let roles = db.log_roles.clone().expect("a log");
    let recorder = || db.login(Some(&roles.recorder));
    // Eight writers at once: four importers of a file each (two as the superuser, two
    // as recorders), two appending one event a process, two importing one line a
    // process (one of each kind as the superuser, one as a recorder).
    let importers: Vec<(String, String)> = vec![
        ("postgres".into(), "importer-0".into()),
        ("postgres".into(), "importer-1".into()),
        (recorder(), "importer-2".into()),
        (recorder(), "importer-3".into()),
    ];
    let appenders: Vec<(String, String)> =
        vec![("postgres".into(), "appender-0".into()), (recorder(), "appender-1".into())];
    let singles: Vec<(String, String)> = vec![("postgres".into(), "single-0".into()), (recorder(), "single-1".into())];
    let reader = db.login(Some(&roles.reader));

    let mut writers = Vec::new();
    for (user, name) in &importers {
        let file = batch_file(dir.path(), name, name, BATCH);
        let mut c = db.cmd(user, &["import", utf8(&file)]);
        // Seeded ids depend on where a line lands: give each process random ids.
        c.env_remove("ENTENTE_SEED");
        writers.push(run_all(name.clone(), vec![c]));
    }
    for (user, name) in &appenders {
        let cmds = (0..SINGLES)
            .map(|i| {
                let summary = format!("{name} {i}");
                let mut c = db.cmd(user, &["append", "context-noted", "--track", "x-y", "--occurred", "2021"]);
                c.args(["--summary", &summary, "--unsourced"]).env_remove("ENTENTE_SEED");
                c
            })
            .collect();
        writers.push(run_all(name.clone(), cmds));
    }
    for (user, name) in &singles {
        let cmds = (0..SINGLES)
            .map(|i| {
                let file = batch_file(dir.path(), &format!("{name}-{i}"), &format!("{name} {i} of"), 1);
                let mut c = db.cmd(user, &["import", utf8(&file)]);
                c.env_remove("ENTENTE_SEED");
                c
            })
            .collect();
        writers.push(run_all(name.clone(), cmds));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let readers = [
        cli_reader(
            db.cmd(&reader, &["log", "--format", "json"]),
            db.cmd(&reader, &["status", "--format", "json"]),
            stop.clone(),
        ),
        sql_reader(db.url_as(&reader), stop.clone()),
    ];
    for w in writers {
        w.join().expect("a writer failed");
    }
    stop.store(true, Ordering::SeqCst);
    let total = 1 + (importers.len() * BATCH + (appenders.len() + singles.len()) * SINGLES) as u64;
    for (r, which) in readers.into_iter().zip(["entente log", "SQL poll"]) {
        let polled = r.join().expect("a reader failed");
        eprintln!("{which}: {polled:?}");
        assert_eq!(polled.last, total, "{which} read every event in the end");
        assert!(polled.polls >= 2, "{which} polled while the writers ran: {polled:?}");
        if which == "SQL poll" {
            assert!(polled.heads >= 2, "the SQL poll saw the log grow under it: {polled:?}");
        }
    }

    // Every event landed exactly once, seq 1..=N gap-free, each batch in one run.
    let rows = db
        .client()
        .query("SELECT seq, body::jsonb -> 'payload' ->> 'summary', recorded_by FROM entente.events ORDER BY seq", &[])
        .expect("read the log");
    assert_eq!(rows.len() as u64, total, "count = the sum of what the writers wrote");
    let mut seq_of: BTreeMap<String, i64> = BTreeMap::new();
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for (k, row) in rows.iter().enumerate() {
        let seq: i64 = row.get(0);
        assert_eq!(seq, k as i64 + 1, "seq is gap-free from 1");
        *by.entry(row.get(2)).or_default() += 1;
        if let Some(summary) = row.get::<_, Option<String>>(1) {
            assert!(seq_of.insert(summary.clone(), seq).is_none(), "`{summary}` landed twice");
        }
    }
    assert_eq!(seq_of.len() as u64, total - 1, "every event landed exactly once");
    for (_, name) in &importers {
        let seqs: Vec<i64> = (0..BATCH).map(|i| seq_of[&format!("{name} {i}")]).collect();
        let first = seqs[0];
        assert_eq!(
            seqs,
            (first..first + BATCH as i64).collect::<Vec<_>>(),
            "{name}'s batch is one contiguous run, in file order: one transaction"
        );
    }
    // Each writer recorded as the role it connected as.
    for (user, name) in importers.iter().chain(&appenders).chain(&singles) {
        let prefix = format!("{name} ");
        let mine = rows
            .iter()
            .filter(|r| r.get::<_, Option<String>>(1).is_some_and(|s| s.starts_with(&prefix)))
            .filter(|r| r.get::<_, String>(2) == *user)
            .count();
        let expected = if name.starts_with("importer") { BATCH } else { SINGLES };
        assert_eq!(mine, expected, "{name}'s events are recorded by {user}");
    }
    verifies(&db, i64::try_from(total).expect("count"));
    let export = db.cmd("postgres", &["export"]).output().expect("run export");
    assert!(export.status.success(), "{}", stderr(&export));
    assert_eq!(chained_prefix(&String::from_utf8_lossy(&export.stdout)).len() as u64, total);
    eprintln!("concurrency: {total} events by 8 writers in {:?}", started.elapsed());
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn pg_concurrency_one_batch_with_ids_imported_by_four_at_once_lands_once() {
    const N: usize = 200;
    let (db, dir) = track_log();
    let recorder = db.login(Some(&db.log_roles.clone().expect("a log").recorder));
    // Lines that carry their ids: a retry, or a second importer, is a no-op.
    let file = dir.path().join("with-ids.jsonl");
    let lines: Vec<String> = (0..N)
        .map(|i| {
            let line = context_line(&format!("retried {i}"));
            format!(r#"{{"id":"00000000-0000-4000-8000-{:012x}",{}"#, i + 1, &line[1..])
        })
        .collect();
    std::fs::write(&file, lines.join("\n") + "\n").expect("write");
    let importers: Vec<Child> = ["postgres", recorder.as_str(), "postgres", recorder.as_str()]
        .into_iter()
        .map(|user| {
            db.cmd(user, &["import", utf8(&file)]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn")
        })
        .collect();
    let outs: Vec<Output> = importers.into_iter().map(|c| c.wait_with_output().expect("wait")).collect();
    let mut landed = 0;
    for out in &outs {
        assert!(out.status.success(), "{}", stderr(out));
        let said = String::from_utf8_lossy(&out.stdout);
        if said.contains(&format!("imported {N} new events")) {
            landed += 1;
        } else {
            assert!(
                said.contains(&format!("imported 0 new events from {}; {N} already present", utf8(&file))),
                "{said}"
            );
        }
    }
    assert_eq!(landed, 1, "one importer landed the batch, the others found it there");
    assert_eq!(db.fingerprint().0, 1 + N as i64);
    verifies(&db, 1 + N as i64);
}

/// Whether a session other than `admin`'s in `db` holds the append lock (the row lock
/// on `append_lock`: `admin` cannot take it at once), and whether its transaction has
/// written (has an xid).
fn writer_state(admin: &mut postgres::Client) -> (bool, bool) {
    let locked = {
        let mut probe = admin.transaction().expect("begin");
        let taken = probe.batch_execute(&format!("{} NOWAIT", entente::store::postgres::schema::TAKE_APPEND_LOCK));
        let _ = probe.rollback();
        match taken {
            Ok(()) => false,
            Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => true,
            Err(e) => panic!("probing the append lock: {e}"),
        }
    };
    let row = admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = current_database()
                              AND a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid())",
            &[],
        )
        .expect("look at the server");
    (locked, row.get(0))
}

/// When in an import's life a test strikes.
#[derive(Clone, Copy, Debug)]
enum Moment {
    /// This long after the process starts, whatever it is doing.
    After(Duration),
    /// Once it holds the append lock.
    Locked,
    /// Once its transaction has sent rows (an xid), this much later.
    Writing(Duration),
}

/// Waits for `moment` in the life of `child`, an import against `db`; false if the
/// child ended first.
fn wait_for(db: &Database, child: &mut Child, moment: Moment) -> bool {
    let started = Instant::now();
    let mut admin = db.client();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        let (locked, writing) = writer_state(&mut admin);
        match moment {
            Moment::After(d) if started.elapsed() >= d => return true,
            Moment::Locked if locked => return true,
            Moment::Writing(d) if writing => {
                thread::sleep(d);
                return child.try_wait().expect("wait").is_none();
            }
            _ => {}
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the import never reached {moment:?}");
        thread::sleep(Duration::from_millis(2));
    }
}

/// Waits until no session but the test's own is connected to `db`: a killed client's
/// server process noticed and let go of its transaction and its lock.
fn sessions_gone(db: &Database) {
    let mut admin = db.client();
    let started = Instant::now();
    loop {
        let others: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .expect("look")
            .get(0);
        if others == 0 {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "a killed client's session still lingers");
        thread::sleep(Duration::from_millis(20));
    }
}

/// A random number below `bound`, from the standard library's per-process hash keys.
fn jitter(bound: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish() % bound
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn pg_concurrency_an_import_killed_at_any_moment_leaves_none_or_all_of_it() {
    const BIG: usize = 50_000;
    let started = Instant::now();
    let (db, dir) = track_log();
    let recorder = db.login(Some(&db.log_roles.clone().expect("a log").recorder));
    let big = batch_file(dir.path(), "big.jsonl", "big", BIG);
    // Moments over an import's life: connecting, holding the lock before it writes,
    // with rows sent but not committed, and about when it commits; the moments are
    // printed so a failure can be replayed. The superuser and a recorder take turns.
    let moments = [
        Moment::After(Duration::from_millis(5 + jitter(30))),
        Moment::Locked,
        Moment::Writing(Duration::ZERO),
        Moment::Writing(Duration::from_millis(200 + jitter(600))),
        // About when it commits (a 50,000-line import takes ~4 s here): either way.
        Moment::Writing(Duration::from_millis(2_500 + jitter(2_500))),
    ];
    // The moments surely before the commit, which must leave nothing.
    let early = 4;
    for (run, moment) in moments.into_iter().enumerate() {
        let user = if run % 2 == 0 { "postgres" } else { recorder.as_str() };
        eprintln!("crash run {run}: SIGKILL at {moment:?} as {user}");
        let before = db.fingerprint();
        let mut child = db
            .cmd(user, &["import", utf8(&big)])
            .env_remove("ENTENTE_SEED")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let struck = wait_for(&db, &mut child, moment);
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().expect("wait");
        let after = db.fingerprint();
        eprintln!("crash run {run}: struck mid-way: {struck}, the log went from {} to {} events", before.0, after.0);
        if struck {
            assert!(!status.success(), "run {run}: the import was killed, yet exited {status}");
        }
        // Killed before its commit, it left nothing; had it committed, all of it.
        let all = before.0 + BIG as i64;
        assert!(
            after == before || after.0 == all,
            "run {run} ({moment:?}): the log holds {} events from {}, neither none nor all of the import",
            after.0,
            before.0
        );
        if struck && run < early {
            assert_eq!(after, before, "run {run} ({moment:?}): killed before its commit, it left nothing");
        }
        sessions_gone(&db);
        assert_eq!(db.fingerprint(), after, "run {run}: nothing landed after the client died");
        verifies(&db, after.0);
    }
    // A following import succeeds, and lands right after what was there.
    let before = db.fingerprint();
    let next = batch_file(dir.path(), "next.jsonl", "next", 10);
    let out = db.cmd(&recorder, &["import", utf8(&next)]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(db.fingerprint().0, before.0 + 10);
    verifies(&db, before.0 + 10);
    eprintln!("crash: {:?}", started.elapsed());
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn pg_concurrency_a_killed_import_lets_the_writer_queued_behind_it_in() {
    let (db, dir) = track_log();
    let big = batch_file(dir.path(), "big.jsonl", "big", 50_000);
    let before = db.fingerprint();
    let mut child =
        db.cmd("postgres", &["import", utf8(&big)]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    assert!(wait_for(&db, &mut child, Moment::Writing(Duration::ZERO)), "the import ended before it wrote");
    // A writer queues behind the import's lock; the import dies holding it.
    let queued = db
        .cmd("postgres", &["append", "context-noted", "--track", "x-y", "--occurred", "2021"])
        .args(["--summary", "queued", "--unsourced"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let out = queued.wait_with_output().expect("wait");
    assert!(out.status.success(), "the queued writer got the lock once the import died: {}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("appended seq {}", before.0 + 1)));
    verifies(&db, before.0 + 1);
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn pg_concurrency_a_writer_behind_a_held_lock_is_told_busy_while_readers_read_on() {
    let (db, _dir) = track_log();
    let roles = db.log_roles.clone().expect("a log");
    let (recorder, reader) = (db.login(Some(&roles.recorder)), db.login(Some(&roles.reader)));
    // An import from a pipe that has sent one line and waits for more: its batch is one
    // transaction, and it holds the append lock while it waits.
    let mut held = db
        .cmd(&recorder, &["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = held.stdin.take().expect("stdin");
    writeln!(input, "{}", context_line("from the pipe")).expect("write");
    input.flush().expect("flush");
    assert!(wait_for(&db, &mut held, Moment::Locked), "the piped import ended before it took the lock");
    let before = db.fingerprint();
    // A writer waits its busy timeout, then says so and writes nothing.
    let started = Instant::now();
    let out = db
        .cmd("postgres", &["append", "context-noted", "--track", "x-y", "--occurred", "2021"])
        .args(["--summary", "waited", "--unsourced"])
        .env("ENTENTE_BUSY_TIMEOUT_MS", "700")
        .output()
        .expect("run");
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "busy is `try again`: {}", stderr(&out));
    assert!(stderr(&out).contains("stayed locked for 700 ms"), "{}", stderr(&out));
    assert!(waited >= Duration::from_millis(700), "it waited its timeout first: {waited:?}");
    // Readers never wait for the lock: they read the log as it was.
    for args in [&["verify"][..], &["log", "--format", "json"], &["status", "--format", "json"]] {
        let started = Instant::now();
        let out = db.cmd(&reader, args).output().expect("run");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(started.elapsed() < Duration::from_secs(5), "{args:?} waited for the writer");
        if args[0] == "verify" {
            assert!(String::from_utf8_lossy(&out.stdout).contains("verified 1 events"));
        }
    }
    assert_eq!(db.fingerprint(), before, "nothing was written meanwhile");
    // The input ends: the import lands, all of it.
    writeln!(input, "{}", context_line("from the pipe, last")).expect("write");
    drop(input);
    let out = held.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(db.fingerprint().0, before.0 + 2);
    verifies(&db, before.0 + 2);
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn pg_concurrency_a_single_append_killed_mid_way_leaves_none_or_all_of_it() {
    let (db, _dir) = track_log();
    let recorder = db.login(Some(&db.log_roles.clone().expect("a log").recorder));
    for (run, base_ms) in [0u64, 5, 10, 20, 40, 80].into_iter().enumerate() {
        let delay = Duration::from_micros(base_ms * 1_000 + jitter(5_000));
        let user = if run % 2 == 0 { "postgres" } else { recorder.as_str() };
        eprintln!("append kill {run}: after {delay:?} as {user}");
        let before = db.fingerprint();
        let mut child = db
            .cmd(user, &["append", "context-noted", "--track", "x-y", "--occurred", "2021"])
            .args(["--summary", &format!("killed {run}"), "--unsourced"])
            .env_remove("ENTENTE_SEED")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        sessions_gone(&db);
        let after = db.fingerprint();
        eprintln!("append kill {run}: the log went from {} to {} events", before.0, after.0);
        assert!(
            after == before || after.0 == before.0 + 1,
            "kill after {delay:?} left {} events from {}",
            after.0,
            before.0
        );
        verifies(&db, after.0);
    }
}

/// The tests that stop the server or change its settings take turns (they run alone,
/// `--ignored pg_restart`, but in one process, on parallel threads).
static SERVER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A turn at the server, taken before the test makes its database.
type Turn = std::sync::MutexGuard<'static, ()>;

/// When it goes, the server's settings are back as they were and the cluster runs
/// again, even when the test failed. Made after the test's database, so dropped before
/// it: the database is dropped by a running server.
struct ServerBack;

impl ServerBack {
    /// Takes the turn, once no other client is connected: a test that restarts the
    /// server would break whatever another test run is doing on it.
    fn take() -> Turn {
        let turn = SERVER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut admin = crate::pg::admin();
        let started = Instant::now();
        loop {
            let others: Vec<String> = admin
                .query(
                    "SELECT coalesce(datname, '') || ' (pid ' || pid || ')' FROM pg_stat_activity
                     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
                    &[],
                )
                .expect("look at the server")
                .iter()
                .map(|r| r.get(0))
                .collect();
            if others.is_empty() {
                return turn;
            }
            // A session a test just closed takes a moment to go.
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "other clients are connected to the server ({}): this test stops it; run it alone, \
                 `cargo test --test it -- --ignored pg_restart`",
                others.join(", ")
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn cluster(action: &str, extra: &[&str]) -> bool {
        Command::new("pg_ctlcluster")
            .arg("--skip-systemctl-redirect")
            .args(extra)
            .args(["15", "main", action])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Waits until the server takes connections again; false if it did not in a minute.
    fn wait_up() -> bool {
        let started = Instant::now();
        while postgres::Client::connect(&crate::pg::server(), postgres::NoTls).is_err() {
            if started.elapsed() > Duration::from_secs(60) {
                return false;
            }
            thread::sleep(Duration::from_millis(100));
        }
        true
    }

    /// Runs each statement on its own (ALTER SYSTEM refuses a transaction block).
    fn admin(statements: &[&str]) {
        let mut admin = crate::pg::admin();
        for sql in statements {
            admin.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
}

impl Drop for ServerBack {
    fn drop(&mut self) {
        if !ServerBack::cluster("status", &[]) {
            ServerBack::cluster("start", &[]);
        }
        if ServerBack::wait_up()
            && let Ok(mut admin) = postgres::Client::connect(&crate::pg::server(), postgres::NoTls)
        {
            for sql in [
                "ALTER SYSTEM RESET synchronous_standby_names",
                "ALTER SYSTEM RESET synchronous_commit",
                "SELECT pg_reload_conf()",
            ] {
                let _ = admin.batch_execute(sql);
            }
        }
    }
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
#[cfg_attr(entente_test_pg, ignore = "restarts the PostgreSQL server: run alone with --ignored pg_restart")]
fn pg_restart_mid_import_is_a_clear_try_again_and_leaves_none_or_all() {
    const BIG: usize = 50_000;
    let started = Instant::now();
    let _turn = ServerBack::take();
    let (db, dir) = track_log();
    let _server = ServerBack;
    let big = batch_file(dir.path(), "big.jsonl", "big", BIG);
    let before = db.fingerprint();
    let mut child = db
        .cmd("postgres", &["import", utf8(&big)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    assert!(wait_for(&db, &mut child, Moment::Writing(Duration::ZERO)), "the import ended before it wrote");
    assert!(ServerBack::cluster("restart", &["--mode", "fast"]), "pg_ctlcluster restart failed");
    assert!(ServerBack::wait_up(), "the server came back");
    let out = child.wait_with_output().expect("wait");
    let err = stderr(&out);
    eprintln!("the cut-off import said: {err}");
    assert_eq!(out.status.code(), Some(3), "a lost connection is `try again` (exit 3): {err}");
    assert!(err.contains("the connection to the server was lost"), "{err}");
    assert!(err.contains("Try again"), "{err}");
    assert!(err.lines().count() <= 3, "a few words, not a trace: {err}");
    let after = db.fingerprint();
    assert!(after == before || after.0 == before.0 + BIG as i64, "none or all: {} from {}", after.0, before.0);
    assert_eq!(after, before, "cut off before its commit, it left nothing");
    verifies(&db, after.0);
    // The next run succeeds.
    let out = db.cmd("postgres", &["import", utf8(&big)]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(db.fingerprint().0, before.0 + BIG as i64);
    verifies(&db, before.0 + BIG as i64);
    eprintln!("restart: {:?}", started.elapsed());
}

/// The server process of the import in `db` once its COMMIT waits for a standby (the
/// commit is already durable on the server, the client not told yet).
fn committing(db: &Database, child: &mut Child) -> i32 {
    let mut admin = db.client();
    let started = Instant::now();
    loop {
        assert!(child.try_wait().expect("wait").is_none(), "the import ended before its commit waited");
        let rows = admin
            .query(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'SyncRep'",
                &[],
            )
            .expect("look");
        if let Some(row) = rows.first() {
            return row.get(0);
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the import's commit never waited for the standby");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
#[cfg_attr(entente_test_pg, ignore = "restarts the PostgreSQL server: run alone with --ignored pg_restart")]
fn pg_restart_while_committing_never_says_rolled_back_of_a_batch_that_landed() {
    const N: usize = 1_000;
    let _turn = ServerBack::take();
    let (db, dir) = track_log();
    let _server = ServerBack;
    let recorder = db.login(Some(&db.log_roles.clone().expect("a log").recorder));
    // Commits in this database wait for a synchronous standby that never comes: each
    // is durable on the server before the client hears of it, and the test cuts the
    // connection right there — the one moment a client cannot know the outcome by
    // itself. Every other database commits as before.
    ServerBack::admin(&[
        &format!("ALTER DATABASE \"{}\" SET synchronous_commit = 'on'", db.name),
        "ALTER SYSTEM SET synchronous_commit = 'local'",
        "ALTER SYSTEM SET synchronous_standby_names = 'entente_test_no_standby'",
        "SELECT pg_reload_conf()",
    ]);
    let started = Instant::now();
    while db.client().query_one("SHOW synchronous_standby_names", &[]).expect("show").get::<_, String>(0)
        != "entente_test_no_standby"
    {
        assert!(started.elapsed() < Duration::from_secs(10), "the server did not reload its settings");
        thread::sleep(Duration::from_millis(20));
    }
    for (run, cut) in ["terminate the session", "restart the server", "stop the server"].into_iter().enumerate() {
        let before = db.fingerprint();
        let file = batch_file(dir.path(), &format!("batch-{run}.jsonl"), &format!("batch {run}"), N);
        let mut child = db
            .cmd(&recorder, &["import", utf8(&file)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let pid = committing(&db, &mut child);
        let out = match run {
            0 => {
                let mut admin = crate::pg::admin();
                let done: bool = admin.query_one("SELECT pg_terminate_backend($1)", &[&pid]).expect("kill").get(0);
                assert!(done, "the import's session was terminated");
                child.wait_with_output().expect("wait")
            }
            1 => {
                assert!(ServerBack::cluster("restart", &["--mode", "fast"]), "pg_ctlcluster restart failed");
                assert!(ServerBack::wait_up(), "the server came back");
                child.wait_with_output().expect("wait")
            }
            _ => {
                // Down for longer than the client keeps asking: it cannot know, and says so.
                assert!(ServerBack::cluster("stop", &["--mode", "fast"]), "pg_ctlcluster stop failed");
                // Meanwhile a new command cannot reach it, and says so.
                let down = db.cmd(&recorder, &["verify"]).output().expect("run");
                assert_eq!(down.status.code(), Some(3), "an unreachable server is `try again`: {}", stderr(&down));
                assert!(stderr(&down).contains("the server cannot be reached"), "{}", stderr(&down));
                let out = child.wait_with_output().expect("wait");
                assert!(ServerBack::cluster("start", &[]), "pg_ctlcluster start failed");
                assert!(ServerBack::wait_up(), "the server came back");
                out
            }
        };
        let (said, err) = (String::from_utf8_lossy(&out.stdout), stderr(&out));
        eprintln!("{cut} while committing: exit {:?}: {said}{err}", out.status.code());
        let after = db.fingerprint();
        let landed = before.0 + N as i64;
        assert_eq!(after.0, landed, "{cut}: the commit was durable before the cut: all of it landed");
        verifies(&db, after.0);
        // Told "rolled back, try again", a user would run the import again and record the
        // batch twice (its lines carry no ids): the client finds out what happened, or
        // says it cannot know and how to tell.
        assert!(!err.contains("rolled back"), "{cut}: the batch landed, yet the client says it was rolled back: {err}");
        if run < 2 {
            assert!(out.status.success(), "{cut}: the batch landed, so the import succeeded: {err}");
            assert!(said.contains(&format!("imported {N} new events")), "{said}");
        } else {
            assert_eq!(out.status.code(), Some(3), "{err}");
            assert!(err.contains("could not be reached again to see whether the batch was recorded"), "{err}");
            assert!(err.contains(&format!("if it ends at seq {landed}, the batch was recorded")), "{err}");
            assert!(err.contains("`entente verify` ends with the head seq"), "{err}");
        }
    }
}
