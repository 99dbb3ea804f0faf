//! The conformance suite of the log's storage backends: the suite a new backend
//! (SQLite in memory and in files, PostgreSQL) must pass unchanged.
//!
//! Every check here goes through [`Log`]'s API alone (append, reads, verify, the
//! rebuild of the derived indexes, snapshots, and the status use case built on them),
//! so it holds for any [`Backend`]: the rules live once in `entente::log`, and a
//! backend that stores and finds rows faithfully passes. Each check is a generic
//! function over a [`Harness`], the one thing a backend supplies; the `suite!` lines at
//! the bottom make one `#[test]` of every check for every backend.
//!
//! To add a backend: implement [`Harness`] (a fresh, empty log on every call, sharing
//! nothing with the others), and [`Shared`] where several handles (processes, threads)
//! can open one log at once; then add `suite!(name, Harness::new());` and
//! `shared_suite!(name_shared, Harness::new());` below. A check that fails
//! is a backend that breaks a promise of the log: mend the backend, never the check.
//!
//! Not here: what only one backend has — PostgreSQL's roles and guards are checked in
//! `postgres.rs` and `pg_concurrency.rs`; SQLite's triggers, schema, migrations and file
//! identity are checked with SQL behind its back in `store.rs`, `hardening.rs` and
//! `audit.rs` — and what the CLI adds on top.

use chrono::{DateTime, Utc};
use entente::app::status;
use entente::env::Ids;
use entente::event::correct::amend;
use entente::event::{EventId, FieldError, Hash, Hint, Kind, Line, Payload, Record, chain_hash, parse_line};
use entente::log::{AppendPolicy, Backend, Filter, Head, Log, LogError, Outcome, Recorder, Verdict};
use entente::projection::{DEFAULT_STALL_DAYS, View};
use entente::store::Sqlite;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::common::{NOW, repo};

// ---------------------------------------------------------------- what a backend supplies

/// A backend under test: where the suite gets its logs.
pub trait Harness {
    /// The backend.
    type B: Backend;
    /// A fresh, empty log that shares nothing with any other log it returned.
    fn fresh(&self) -> Log<Self::B>;

    /// How many of a property's `cases` to run, each on fresh logs: all of them, unless
    /// a fresh log is slow to make (then the same property runs in full on a faster
    /// harness of the same rules).
    fn cases(&self, cases: u32) -> u32 {
        cases
    }
}

/// A backend whose logs several handles can open at once.
pub trait Shared: Harness {
    /// A fresh, empty log, as a way to open it: each call a new handle onto the same
    /// log, as another process would open it.
    fn shared(&self) -> Box<dyn Fn() -> Log<Self::B> + Send + Sync>;
}

/// SQLite in memory: what `demo` and `replay --scenarios` use.
struct SqliteInMemory;

impl Harness for SqliteInMemory {
    type B = Sqlite;
    fn fresh(&self) -> Log<Sqlite> {
        Sqlite::in_memory().expect("a log in memory")
    }
}

/// SQLite files in a temporary folder: what every other command uses.
struct SqliteFile {
    dir: tempfile::TempDir,
    made: std::cell::Cell<u32>,
}

impl SqliteFile {
    fn new() -> SqliteFile {
        SqliteFile { dir: tempfile::tempdir().expect("tempdir"), made: std::cell::Cell::new(0) }
    }

    /// The path of a log not created yet.
    fn next_path(&self) -> std::path::PathBuf {
        self.made.set(self.made.get() + 1);
        self.dir.path().join(format!("log-{}.db", self.made.get()))
    }
}

impl Harness for SqliteFile {
    type B = Sqlite;
    fn fresh(&self) -> Log<Sqlite> {
        Sqlite::init(&self.next_path(), 5_000).expect("a log file")
    }

    /// Creating a file (its schema, synced to disk) costs some 50 ms: an eighth of the
    /// cases here, every case in memory.
    fn cases(&self, cases: u32) -> u32 {
        cases / 8
    }
}

impl Shared for SqliteFile {
    fn shared(&self) -> Box<dyn Fn() -> Log<Sqlite> + Send + Sync> {
        let path = self.next_path();
        drop(Sqlite::init(&path, 5_000).expect("a log file"));
        Box::new(move || Sqlite::open(&path, 30_000).expect("open the log again"))
    }
}

/// PostgreSQL: each log a database of its own, copied from a template that holds an
/// empty log, opened as the superuser `ENTENTE_TEST_PG` names (a member of every role,
/// so the log's owner: it appends under the suite's clocks and recorders, as a log
/// moved in keeps its history; what other roles may do is `postgres.rs`'s).
struct PostgresDb {
    databases: std::cell::RefCell<Vec<crate::pg::Database>>,
}

impl PostgresDb {
    fn new() -> PostgresDb {
        PostgresDb { databases: std::cell::RefCell::default() }
    }

    fn database(&self) -> String {
        let db = crate::pg::Database::from_template();
        let url = db.url.clone();
        self.databases.borrow_mut().push(db);
        url
    }
}

impl Harness for PostgresDb {
    type B = entente::store::Postgres;
    fn fresh(&self) -> Log<entente::store::Postgres> {
        crate::pg::open(&self.database(), 5_000)
    }

    /// A database costs some 100 ms to copy and as much to drop: a sixteenth of the
    /// cases here, every case in memory on SQLite.
    fn cases(&self, cases: u32) -> u32 {
        (cases / 16).max(2)
    }
}

impl Shared for PostgresDb {
    fn shared(&self) -> Box<dyn Fn() -> Log<entente::store::Postgres> + Send + Sync> {
        let url = self.database();
        Box::new(move || crate::pg::open(&url, 30_000))
    }
}

// ---------------------------------------------------------------- helpers

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("timestamp").to_utc()
}

/// Stamps under the clock `now`, with seeded ids.
fn policy(now: &str) -> AppendPolicy<'static> {
    AppendPolicy { now: at(now), ids: Ids::Seeded(3), recorder: Recorder::Default(Some("tester")) }
}

/// Appends the lines of `text` as one batch under the clock `now`, the log expected to
/// end at `expect_head` when given; what happened to each accepted line.
fn append_at<B: Backend>(
    log: &mut Log<B>,
    text: &str,
    now: &str,
    expect_head: Option<u64>,
) -> Result<Vec<Outcome>, LogError> {
    let mut outcomes = Vec::new();
    let lines = text.lines().enumerate().map(|(i, l)| (i + 1, parse_line(l)));
    log.append(lines, policy(now), expect_head, &mut |o| outcomes.push(*o))?;
    Ok(outcomes)
}

/// [`append_at`] with no expectation of the head.
fn append<B: Backend>(log: &mut Log<B>, text: &str, now: &str) -> Result<Vec<Outcome>, LogError> {
    append_at(log, text, now, None)
}

/// The words of a rejected append, one problem a line; anything but a rejection fails.
fn refused<T: std::fmt::Debug>(result: Result<T, LogError>) -> String {
    match result {
        Err(LogError::Rejected { problems, .. }) => {
            assert!(problems.iter().all(|p| !p.error.message.is_empty()), "{problems:?}");
            problems.iter().map(|p| format!("{}: {}", p.line, p.error.message)).collect::<Vec<_>>().join("\n")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn head<B: Backend>(log: &Log<B>) -> Head {
    log.head().expect("head")
}

/// The seqs `filter` selects, in the order the log hands them out.
fn seqs<B: Backend>(log: &Log<B>, filter: &Filter) -> Vec<u64> {
    let mut seqs = Vec::new();
    log.records(filter, |r| {
        seqs.push(r.seq);
        Ok::<_, LogError>(())
    })
    .expect("scan");
    seqs
}

fn all_records<B: Backend>(log: &Log<B>) -> Vec<Record> {
    let mut records = Vec::new();
    log.records(&Filter::default(), |r| {
        records.push(r.clone());
        Ok::<_, LogError>(())
    })
    .expect("scan");
    records
}

/// The log's export lines.
fn export<B: Backend>(log: &Log<B>) -> Vec<String> {
    let mut lines = Vec::new();
    log.consistent(|r| {
        r.export_lines(|line| {
            lines.push(line.to_owned());
            Ok::<_, LogError>(())
        })
    })
    .expect("export");
    lines
}

/// A verify that must pass, quick or deep; its verdict.
fn verified<B: Backend>(log: &Log<B>, deep: bool) -> Verdict {
    let mut ticked = 0;
    let verdict = log.verify(deep, &mut |n| ticked += n).expect("verify");
    assert_eq!(verdict.problem, None, "verify (deep: {deep})");
    assert_eq!(ticked, verdict.count, "verify ticks once per row read");
    verdict
}

fn scenario_text(name: &str) -> String {
    std::fs::read_to_string(repo(&format!("events/scenarios/{name}"))).expect("read scenario")
}

/// A fresh log holding the scenario `name` of events/scenarios, imported whole.
fn scenario<H: Harness>(h: &H, name: &str) -> Log<H::B> {
    let mut log = h.fresh();
    append(&mut log, &scenario_text(name), NOW).expect("import the scenario");
    log
}

/// The id of the event at `seq`.
fn id_at<B: Backend>(log: &Log<B>, seq: u64) -> EventId {
    log.by_seq(seq).expect("read").expect("an event at that seq").event.id
}

const TRACK: &str = r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020","unsourced":true,"payload":{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#;

/// A context note on the track of [`TRACK`].
fn context(summary: &str) -> String {
    format!(
        r#"{{"kind":"context_noted","version":1,"tracks":["x-y"],"occurred":"2021","unsourced":true,"payload":{{"summary":"{summary}"}}}}"#
    )
}

/// A fresh log holding [`TRACK`] and nothing else.
fn with_track<H: Harness>(h: &H) -> Log<H::B> {
    let mut log = h.fresh();
    append(&mut log, TRACK, "2026-01-01T00:00:00Z").expect("track");
    log
}

/// Runs the property `test` over `strategy` for `cases` cases, as many as `h` takes
/// (proptest's runner: `proptest!` cannot write a test generic over the backend).
fn property<H: Harness, S: Strategy>(
    h: &H,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config { cases: h.cases(cases), failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{failure}");
    }
}

// ---------------------------------------------------------------- appending

fn an_empty_log_ends_at_the_genesis_hash<H: Harness>(h: &H) {
    let log = h.fresh();
    assert_eq!(head(&log), Head { seq: 0, hash: Hash::GENESIS, recorded_at: None });
    assert_eq!(log.count().expect("count"), 0);
    assert_eq!(log.by_seq(1).expect("read"), None);
    assert!(seqs(&log, &Filter::default()).is_empty());
    assert!(export(&log).is_empty());
}

fn append_assigns_gap_free_seqs_and_chains_hashes<H: Harness>(h: &H) {
    let mut log = with_track(h);
    for i in 0..5 {
        let batch = format!("{}\n{}", context(&format!("a{i}")), context(&format!("b{i}")));
        let outcomes = append(&mut log, &batch, "2026-01-01T00:00:00Z").expect("batch");
        let landed: Vec<u64> = outcomes
            .iter()
            .map(|o| match o {
                Outcome::Appended { seq, .. } => *seq,
                Outcome::Existing { .. } => panic!("a new event was taken for a known one: {o:?}"),
            })
            .collect();
        assert_eq!(landed, [2 * i + 2, 2 * i + 3], "each accepted line is told where it landed");
    }
    let records = all_records(&log);
    assert_eq!(records.iter().map(|r| r.seq).collect::<Vec<_>>(), (1..=11).collect::<Vec<u64>>());
    // The chain, recomputed from the bodies: each hash follows from the one before.
    let mut prev = Hash::GENESIS;
    for r in &records {
        assert_eq!(r.prev_hash, prev, "seq {}", r.seq);
        assert_eq!(r.hash, chain_hash(prev, r.seq, &r.event.body_json()), "seq {}", r.seq);
        prev = r.hash;
    }
    let end = head(&log);
    assert_eq!((end.seq, end.hash), (11, prev), "the head is the end of the recomputed chain");
    assert_eq!(end.recorded_at, Some(records[10].event.recorded_at));
    assert_eq!(log.count().expect("count"), 11);
}

fn re_appending_the_same_id_is_a_no_op_and_other_facts_under_it_are_refused<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let line = context("x").replacen('{', r#"{"id":"11111111-1111-4111-8111-111111111111","#, 1);
    let first = append(&mut log, &line, "2026-01-01T00:00:00Z").expect("first");
    let before = head(&log);
    let again = append(&mut log, &line, "2026-02-01T00:00:00Z").expect("retry");
    assert!(matches!(first[..], [Outcome::Appended { seq: 2, .. }]), "{first:?}");
    assert!(matches!(again[..], [Outcome::Existing { seq: 2, .. }]), "{again:?}");
    assert_eq!(head(&log), before, "a retry writes nothing");
    let other = line.replace(r#""summary":"x""#, r#""summary":"y""#);
    let words = refused(append(&mut log, &other, "2026-02-01T00:00:00Z"));
    assert!(words.contains("is already in the log at seq 2 with different content"), "{words}");
    assert_eq!(head(&log), before);
}

fn expect_head_refuses_a_log_that_moved_on<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let before = head(&log);
    let err = append_at(&mut log, &context("late"), "2026-01-01T00:00:00Z", Some(0)).expect_err("moved on");
    assert!(matches!(err, LogError::Conflict { expected: 0, actual: 1 }), "{err:?}");
    assert_eq!(head(&log), before, "nothing was written");
    append_at(&mut log, &context("in time"), "2026-01-01T00:00:00Z", Some(1)).expect("where it was expected");
    assert_eq!(log.count().expect("count"), 2);
}

fn a_rejected_line_rolls_back_the_whole_batch<H: Harness>(h: &H) {
    // The properties below try every place; here, the words and the lines they name.
    let mut log = with_track(h);
    let before = head(&log);
    let bad = context("bad").replace(r#"["x-y"]"#, r#"["nope"]"#);
    let batch = [context("a"), bad.clone(), context("b"), bad].join("\n");
    let words = refused(append(&mut log, &batch, "2026-01-01T00:00:00Z"));
    assert!(words.starts_with("2: ") && words.contains("\n4: "), "both bad lines are named: {words}");
    assert!(words.contains("unknown track `nope`"), "{words}");
    assert_eq!(head(&log), before);
    assert_eq!(seqs(&log, &Filter::default()), [1]);
}

fn a_rejected_batch_changes_nothing<H: Harness>(h: &H) {
    property(h, 256, (0usize..5, 0usize..5), |(good, bad_at)| {
        let mut log = with_track(h);
        let before = head(&log);
        let mut lines: Vec<String> = (0..good).map(|i| context(&i.to_string())).collect();
        lines.insert(bad_at.min(good), context("bad").replace(r#"["x-y"]"#, r#"["nope"]"#));
        let result = append(&mut log, &lines.join("\n"), "2026-01-01T00:00:00Z");
        prop_assert!(result.is_err());
        prop_assert_eq!(head(&log), before);
        prop_assert_eq!(log.count().expect("count"), 1);
        Ok(())
    });
}

/// A failed append of arbitrary input: a rejection in words that left the log at
/// `before`, never another failure.
fn refused_cleanly<B: Backend>(log: &Log<B>, before: Head, err: LogError) -> Result<(), TestCaseError> {
    let LogError::Rejected { problems, .. } = err else {
        return Err(TestCaseError::fail(format!("not a rejection: {err}")));
    };
    prop_assert!(problems.iter().all(|p| !p.error.message.is_empty()));
    prop_assert_eq!(head(log), before);
    Ok(())
}

fn arbitrary_bytes_fed_to_the_importer_are_rejected_cleanly<H: Harness>(h: &H) {
    property(h, 256, prop::collection::vec(any::<u8>(), 0..400), |bytes| {
        let mut log = h.fresh();
        let before = head(&log);
        let lines: Vec<(usize, Result<Line, FieldError>)> = bytes
            .split(|b| *b == b'\n')
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(i, l)| match std::str::from_utf8(l) {
                Ok(text) => (i + 1, parse_line(text)),
                Err(_) => (i + 1, Err(FieldError { field: None, message: "not UTF-8".to_owned(), hint: None })),
            })
            .collect();
        let stamp =
            AppendPolicy { now: DateTime::UNIX_EPOCH, ids: Ids::Seeded(1), recorder: Recorder::Default(Some("p")) };
        match log.append(lines, stamp, None, &mut |_| ()) {
            Ok(()) => Ok(()),
            Err(e) => refused_cleanly(&log, before, e),
        }
    });
}

fn near_valid_events_fed_to_the_importer_are_accepted_or_rejected_cleanly<H: Harness>(h: &H) {
    let field = prop::sample::select(vec![
        "kind",
        "version",
        "tracks",
        "occurred",
        "sources",
        "payload",
        "id",
        "recorded_at",
        "addresses",
        "follows",
    ]);
    let value = prop::sample::select(vec![
        "null",
        "1",
        "-1",
        "\"\"",
        "\"x\"",
        "[]",
        "{}",
        "[\"x-y\"]",
        "\"2021-13\"",
        "\"9999-12-31\"",
        "1e999",
        "\"\\u0000\"",
    ]);
    property(h, 256, (field, value), |(field, value)| {
        let mut log = h.fresh();
        let stamp =
            AppendPolicy { now: DateTime::UNIX_EPOCH, ids: Ids::Seeded(1), recorder: Recorder::Default(Some("p")) };
        log.append([(1, parse_line(TRACK))], stamp, None, &mut |_| ()).expect("track");
        let before = head(&log);
        let mut event: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&context("s")).expect("json");
        let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        event.insert(field.to_owned(), value);
        let line = serde_json::Value::Object(event).to_string();
        match log.append([(1, parse_line(&line))], stamp, None, &mut |_| ()) {
            Ok(()) => {
                prop_assert_eq!(log.count().expect("count"), 2);
                Ok(())
            }
            Err(e) => refused_cleanly(&log, before, e),
        }
    });
}

// ---------------------------------------------------------------- recording time

fn recording_times_never_go_back_and_are_stamped_strictly_increasing_under_a_fixed_clock<H: Harness>(h: &H) {
    let mut log = h.fresh();
    append(&mut log, TRACK, "2026-05-01T00:02:00Z").expect("track");
    // A clock a little behind the head (within the tolerance): stamped just after it.
    append(&mut log, &context("behind"), "2026-05-01T00:00:00Z").expect("append");
    // A clock that stands still: every event still gets a time of its own.
    for i in 0..3 {
        let batch = format!("{}\n{}", context(&format!("a{i}")), context(&format!("b{i}")));
        append(&mut log, &batch, "2026-05-01T00:00:00Z").expect("append");
    }
    let times: Vec<DateTime<Utc>> = all_records(&log).iter().map(|r| r.event.recorded_at).collect();
    assert_eq!(times.len(), 8);
    assert!(times.windows(2).all(|w| w[0] < w[1]), "stamped times strictly increase: {times:?}");
    // A clock far behind the head: stamping after the head would record a time to
    // come, so the event is refused in words and nothing is written.
    let before = head(&log);
    let words = refused(append(&mut log, &context("much later"), "2026-01-01T00:00:00Z"));
    assert!(words.contains("later than this machine's clock"), "{words}");
    assert_eq!(head(&log), before);
    // A line claiming a time before the head's is refused too.
    let claimed = context("claimed").replacen('{', r#"{"recorded_at":"2026-04-01T00:00:00.000000Z","#, 1);
    let words = refused(append(&mut log, &claimed, "2026-05-01T00:00:00Z"));
    assert!(words.contains("recording times never go back"), "{words}");
    assert_eq!(head(&log), before);
}

/// An instant from a mix of the edges (the ends of the writable years, the tests'
/// clock) and anywhere in chrono's range.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let edges = vec![
        at("9999-12-31T23:59:59.999999Z"),
        at("9999-12-31T23:59:59.999998Z"),
        at("9999-12-31T23:55:00Z"),
        at("0000-01-01T00:00:00Z"),
        at(NOW),
        at("2035-01-01T00:00:00Z"),
    ];
    let min = DateTime::<Utc>::MIN_UTC.timestamp_micros();
    let max = DateTime::<Utc>::MAX_UTC.timestamp_micros();
    prop_oneof![
        prop::sample::select(edges),
        (min..=max).prop_map(|us| DateTime::from_timestamp_micros(us).expect("in range")),
        (-62_167_219_200_000_000i64..=253_402_300_799_999_999)
            .prop_map(|us| DateTime::from_timestamp_micros(us).expect("in range")),
    ]
}

/// Whatever the clock says and whatever times lines claim, recording times along the
/// log never go back, never leave the years 0001–9999, are never later than the clock
/// of the append that wrote them (plus the tolerance), and a refused append changes
/// nothing.
fn recording_times_stay_ordered_and_writable_whatever_the_clock_and_input_say<H: Harness>(h: &H) {
    use entente::event::{format_recorded_at, recordable};
    use entente::log::FUTURE_TOLERANCE;
    let steps = prop::collection::vec((instant(), prop::option::of(instant())), 1..12);
    property(h, 96, steps, |steps| {
        let mut log = h.fresh();
        let mut last = None;
        for (i, (now, claimed)) in steps.into_iter().enumerate() {
            let text = if i == 0 { TRACK.to_owned() } else { context("s") };
            let mut line: serde_json::Value = serde_json::from_str(&text).expect("json");
            if let Some(at) = claimed {
                line["recorded_at"] = format_recorded_at(&at).into();
            }
            let before = head(&log);
            let stamp = AppendPolicy { now, ids: Ids::Seeded(i as u64), recorder: Recorder::Default(Some("p")) };
            let result = log.append([(1, parse_line(&line.to_string()))], stamp, None, &mut |_| {});
            let after = log.head().expect("the head always reads");
            match result {
                Ok(()) if after.seq > before.seq => {
                    let at = after.recorded_at.expect("a recorded time");
                    prop_assert!(recordable(&at), "{at} is not writable");
                    prop_assert!(last.is_none_or(|last| at >= last), "{at} went back from {last:?}");
                    prop_assert!(at <= now + FUTURE_TOLERANCE, "{at} is ahead of the clock {now}");
                    last = Some(at);
                }
                Ok(()) => prop_assert_eq!(after, before),
                Err(_) => prop_assert_eq!(after, before, "a refused append changed the log"),
            }
        }
        let verdict = log.verify(true, &mut |_| {}).expect("verify");
        prop_assert!(verdict.problem.is_none(), "{:?}", verdict.problem);
        Ok(())
    });
}

// ---------------------------------------------------------------- export and import

fn export_lines_re_imported_into_a_fresh_log_reproduce_it_byte_for_byte<H: Harness>(h: &H) {
    let mut log = scenario(h, "corrections.jsonl");
    // The scenario is an export: the log hands back exactly its lines.
    assert_eq!(export(&log), scenario_text("corrections.jsonl").lines().collect::<Vec<_>>());
    // And events this log stamped itself export the same way.
    append(&mut log, &format!("{}\n{}", context("a"), context("b")).replace("x-y", "ka-lo"), NOW).expect("more");
    let lines = export(&log);
    assert_eq!(lines.len(), 13);
    let mut copy = h.fresh();
    append(&mut copy, &lines.join("\n"), NOW).expect("import the export");
    assert_eq!(head(&copy), head(&log), "the copy ends at the same seq, hash and time");
    assert_eq!(export(&copy), lines, "the copy exports the same bytes");
    assert_eq!(all_records(&copy), all_records(&log));
    // Imported again onto either log, the export is already there: nothing changes.
    for target in [&mut log, &mut copy] {
        let before = head(&*target);
        let outcomes = append(&mut *target, &lines.join("\n"), NOW).expect("again");
        assert!(outcomes.iter().all(|o| matches!(o, Outcome::Existing { .. })), "{outcomes:?}");
        assert_eq!(head(&*target), before);
    }
}

fn an_export_cut_or_edited_does_not_import<H: Harness>(h: &H) {
    let lines: Vec<String> = scenario_text("seed.jsonl").lines().map(str::to_owned).collect();
    let mut log = h.fresh();
    // A line edited after export: its hash no longer matches.
    let mut edited = lines.clone();
    edited[16] = edited[16].replacen("Vienna", "Prague", 1);
    let words = refused(append(&mut log, &edited.join("\n"), NOW));
    assert!(words.contains("17: the line's hash does not match its content"), "{words}");
    // Lines missing from the middle: the next does not continue the log.
    let cut: Vec<&str> = lines.iter().take(5).chain(lines.iter().skip(6)).map(String::as_str).collect();
    let words = refused(append(&mut log, &cut.join("\n"), NOW));
    assert!(words.contains("6: the line carries seq 7 but would land at seq 6"), "{words}");
    assert_eq!(head(&log).seq, 0, "nothing of either was written");
}

// ---------------------------------------------------------------- reading

fn records_come_in_log_order_and_every_filter_narrows<H: Harness>(h: &H) {
    let log = scenario(h, "seed.jsonl");
    let f = Filter::default;
    let day = |d: &str| Some(d.parse().expect("day"));
    assert_eq!(seqs(&log, &f()), (1..=28).collect::<Vec<u64>>());
    let am_tr = Filter { track: Some("am-tr".to_owned()), ..f() };
    assert_eq!(seqs(&log, &am_tr), [2, 6, 9, 10, 11, 15, 16, 17, 18, 19]);
    let meetings = Filter { kinds: vec![Kind::MeetingHeld], ..f() };
    assert_eq!(seqs(&log, &meetings), [4, 11, 17, 18, 21, 22, 24, 28]);
    let declarations = Filter { kinds: vec![Kind::TrackOpened, Kind::CommitmentMade], ..f() };
    assert_eq!(seqs(&log, &declarations), [1, 2, 25, 26, 27]);
    // Dates are intervals: an event matches when its interval reaches the range.
    assert_eq!(seqs(&log, &Filter { from: day("2022-04-01"), ..f() }), [24, 25, 26, 27, 28]);
    assert_eq!(seqs(&log, &Filter { to: day("2020-11-09"), ..f() }), [1, 3, 14]);
    assert_eq!(seqs(&log, &Filter { from: day("2021-12-15"), to: day("2021-12-20"), ..f() }), [2, 9, 10]);
    // Text is compared folded: any case, accents composed or decomposed alike.
    let text = |t: &str| Filter { text: Some(t.to_owned()), ..f() };
    assert_eq!(seqs(&log, &text("Kılıç")), [9, 11, 17]);
    assert_eq!(seqs(&log, &text("K\u{131}L\u{131}C\u{327}")), [9, 11, 17]);
    assert_eq!(seqs(&log, &text("no such words anywhere")), Vec::<u64>::new());
    assert_eq!(seqs(&log, &Filter { after: Some(25), ..f() }), [26, 27, 28]);
    assert_eq!(seqs(&log, &Filter { until: Some(3), ..f() }), [1, 2, 3]);
    assert_eq!(seqs(&log, &Filter { after: Some(3), until: Some(5), ..f() }), [4, 5]);
    // Every field narrows what the others let through.
    let all = Filter {
        track: Some("am-tr".to_owned()),
        kinds: vec![Kind::MeetingHeld],
        from: day("2022-02-01"),
        to: day("2022-12-31"),
        text: Some("kılıç".to_owned()),
        after: Some(11),
        until: Some(27),
    };
    assert_eq!(seqs(&log, &all), [17]);
}

fn records_keep_log_order_across_parsing_threads_and_an_error_stops_the_scan<H: Harness>(h: &H) {
    // records() parses chunks of rows on several threads; order must survive, with and
    // without filters, and a consumer that stops early stops the reading.
    let mut log = with_track(h);
    let batch: Vec<String> = (0..3_000).map(|i| context(&format!("n{i}"))).collect();
    append(&mut log, &batch.join("\n"), "2026-01-01T00:00:00Z").expect("batch");
    assert_eq!(seqs(&log, &Filter::default()), (1..=3_001).collect::<Vec<u64>>());
    let on_track = Filter { track: Some("x-y".to_owned()), ..Filter::default() };
    assert_eq!(seqs(&log, &on_track), (1..=3_001).collect::<Vec<u64>>());
    let after = Filter { after: Some(2_500), ..Filter::default() };
    assert_eq!(seqs(&log, &after), (2_501..=3_001).collect::<Vec<u64>>());
    let mut seen = 0;
    let stopped = log.records(&Filter::default(), |_| {
        seen += 1;
        if seen == 1_000 { Err(LogError::Conflict { expected: 0, actual: 0 }) } else { Ok(()) }
    });
    assert!(matches!(stopped, Err(LogError::Conflict { .. })), "the callback's own error comes back: {stopped:?}");
    assert_eq!(seen, 1_000, "no record is handed out after the error");
}

fn lookups_find_events_by_seq_id_prefix_and_target<H: Harness>(h: &H) {
    let log = scenario(h, "corrections.jsonl");
    let records = all_records(&log);
    assert_eq!(log.by_seq(0).expect("read"), None);
    assert_eq!(log.by_seq(12).expect("read"), None);
    log.consistent(|r| {
        for record in &records {
            assert_eq!(r.by_seq(record.seq)?.as_ref(), Some(record));
            assert_eq!(r.by_id(record.event.id)?.as_ref(), Some(record));
            assert_eq!(r.seq_of(record.event.id)?, Some(record.seq));
        }
        let unknown = EventId("00000000-0000-4000-8000-000000000099".parse().expect("uuid"));
        assert_eq!(r.by_id(unknown)?, None);
        assert_eq!(r.seq_of(unknown)?, None);
        // Prefixes: hex digits, in any case, with dashes anywhere; at most `limit`.
        let family: Vec<EventId> = [2, 3, 4, 5, 6].map(|seq| records[seq - 1].event.id).to_vec();
        let mut found = r.ids_with_prefix("7a1e0000", 10)?;
        found.sort_by_key(|id| id.0);
        let mut expected = family.clone();
        expected.sort_by_key(|id| id.0);
        assert_eq!(found, expected);
        assert_eq!(r.ids_with_prefix("7A1E-00-00", 10)?.len(), 5);
        assert_eq!(r.ids_with_prefix("7a1e0000", 2)?.len(), 2);
        assert_eq!(r.ids_with_prefix("7a1e00000000400080000000000000", 10)?.len(), 5);
        assert_eq!(r.ids_with_prefix(&records[0].event.id.to_string(), 10)?, [records[0].event.id]);
        assert_eq!(r.ids_with_prefix("ffff", 10)?, []);
        // Amendments: seq 7 corrects seq 2, 8 corrects 6, 9 retracts 5, 10 disputes 3,
        // 11 corroborates 6.
        let amended = |seq: usize| r.amendments_of(records[seq - 1].event.id).map(|a| seq_list(&a));
        assert_eq!(amended(2)?, [7]);
        assert_eq!(amended(6)?, [8, 11]);
        assert_eq!(amended(5)?, [9]);
        assert_eq!(amended(3)?, [10]);
        assert_eq!(amended(4)?, Vec::<u64>::new());
        assert_eq!(seq_list(&r.all_amendments()?), [7, 8, 9, 10, 11]);
        assert_eq!(r.all_amendments()?, records[6..].to_vec(), "amendments read back whole");
        assert!(r.amended_after(10)?);
        assert!(!r.amended_after(11)?);
        Ok::<_, LogError>(())
    })
    .expect("reads");
}

fn seq_list(records: &[Record]) -> Vec<u64> {
    records.iter().map(|r| r.seq).collect()
}

// ---------------------------------------------------------------- amendments

/// A correction of `target` on the corrections scenario's track.
fn correction(target: EventId, field: &str, to: &str) -> String {
    format!(
        r#"{{"kind":"event_corrected","version":1,"tracks":["ka-lo"],"occurred":"2024-03-05","unsourced":true,"payload":{{"target":"{target}","reason":"r","changes":[{{"field":"{field}","to":{to}}}]}}}}"#
    )
}

/// A retraction of `target` on the corrections scenario's track.
fn retraction(target: EventId) -> String {
    format!(
        r#"{{"kind":"event_retracted","version":1,"tracks":["ka-lo"],"occurred":"2024-03-05","unsourced":true,"payload":{{"target":"{target}","reason":"again"}}}}"#
    )
}

fn invalid_corrections_and_retractions_are_refused_and_append_nothing<H: Harness>(h: &H) {
    // Seq 4 made commitment ka-lo-detainee-lists on 2022-03-10, due by 2022-04; seq 5
    // is retracted (by seq 9); seq 7 is a correction.
    let mut log = scenario(h, "corrections.jsonl");
    let (commitment, retracted, a_correction) = (id_at(&log, 4), id_at(&log, 5), id_at(&log, 7));
    let unknown = EventId("00000000-0000-4000-8000-000000000099".parse().expect("uuid"));
    let before = head(&log);
    let cases = [
        (
            correction(a_correction, "occurred", r#""2024""#),
            "is itself a correction, retraction, dispute or corroboration",
        ),
        (retraction(a_correction), "is itself a correction, retraction, dispute or corroboration"),
        (retraction(retracted), "is already retracted"),
        (correction(retracted, "occurred", r#""2022""#), "is already retracted"),
        (retraction(unknown), "unknown event"),
        (correction(commitment, "payload.commitment", r#""other""#), "would change an id the event declares"),
        (correction(commitment, "payload.deadline", r#"{"by":"2022-02"}"#), "falls before the event itself"),
        (correction(commitment, "kind", r#""statement_made""#), "`kind` cannot be corrected"),
    ];
    for (line, expected) in &cases {
        let words = refused(append(&mut log, line, NOW));
        assert!(words.contains(expected), "{line}\nexpected {expected:?}: {words}");
        assert_eq!(head(&log), before, "{line}");
    }
    // A correction is judged on the event as it stands: moved to January, the deadline
    // of February no longer falls before it.
    append(&mut log, &correction(commitment, "occurred", r#""2022-01-05""#), NOW).expect("earlier");
    append(&mut log, &correction(commitment, "payload.deadline", r#"{"by":"2022-02"}"#), NOW).expect("now valid");
    // A retraction counts for the lines after it in the same batch.
    let batch = format!("{}\n{}", retraction(commitment), correction(commitment, "occurred", r#""2022""#));
    let before = head(&log);
    let words = refused(append(&mut log, &batch, NOW));
    assert!(words.starts_with("2: ") && words.contains("is already retracted"), "{words}");
    assert_eq!(head(&log), before);
}

/// A corroboration of `target` on the corrections scenario's track, citing `sources`
/// (a JSON array).
fn corroboration(target: EventId, sources: &str) -> String {
    format!(
        r#"{{"kind":"event_corroborated","version":1,"tracks":["ka-lo"],"occurred":"2024-03-06","sources":{sources},"payload":{{"target":"{target}"}}}}"#
    )
}

/// The event at `seq` as it stands after every amendment the log holds, read through
/// the log and `event::correct::amend` (the one applier).
fn standing<B: Backend>(log: &Log<B>, seq: u64) -> Option<Record> {
    log.consistent(|r| {
        let record = r.by_seq(seq)?.expect("the event");
        let amendments = r.amendments_of(record.event.id)?;
        Ok::<_, LogError>(amend(&record, &amendments).map(|(now, _)| now.into_owned()))
    })
    .expect("reads")
}

fn corroborations_add_a_new_source_and_refuse_the_rest<H: Harness>(h: &H) {
    // Seq 6 is a fulfilment (corroborated at seq 11 by the Lorien MFA statement), seq 5
    // is retracted (by seq 9), seq 7 is a correction, seq 3 is disputed (by seq 10).
    let mut log = scenario(h, "corrections.jsonl");
    let (disputed, fulfilled, retracted, a_correction) =
        (id_at(&log, 3), id_at(&log, 6), id_at(&log, 5), id_at(&log, 7));
    let a_corroboration = id_at(&log, 11);
    let unknown = EventId("00000000-0000-4000-8000-000000000099".parse().expect("uuid"));
    let fresh = r#"[{"title":"Kalmar state TV","publisher":"KTV","locator":"evening news"}]"#;
    let scenario_source = r#"[{"title":"Hand-made test scenario (fictional parties)","publisher":"entente"}]"#;
    let added = r#"[{"title":"Lorien MFA statement on the exchange of lists","publisher":"Lorien MFA","published":"2022-04-21"}]"#;
    refuses(
        &mut log,
        &corroboration(a_correction, fresh),
        "is itself a correction, retraction, dispute or corroboration",
    );
    refuses(
        &mut log,
        &corroboration(a_corroboration, fresh),
        "is itself a correction, retraction, dispute or corroboration",
    );
    refuses(&mut log, &corroboration(retracted, fresh), "is already retracted");
    refuses(&mut log, &corroboration(unknown, fresh), "unknown event");
    refuses(&mut log, &corroboration(fulfilled, "[]"), "a corroboration cites the source it adds");
    // The same source as one the event cites, as first recorded or as corroborated.
    refuses(
        &mut log,
        &corroboration(fulfilled, scenario_source),
        "sources[0]: the event already cites this source (its sources[0]",
    );
    refuses(
        &mut log,
        &corroboration(fulfilled, added),
        "sources[0]: the event already cites this source (its sources[1]",
    );
    let twice = format!("[{},{}]", &fresh[1..fresh.len() - 1], &fresh[1..fresh.len() - 1]);
    refuses(&mut log, &corroboration(fulfilled, &twice), "sources[1]: this source repeats sources[0]");
    // Accepted: the source is added to the event as it stands, a dispute stays.
    let before = standing(&log, 6).expect("stands");
    assert_eq!(before.event.facts.sources.len(), 2, "the scenario's own and the one seq 11 added");
    assert_eq!(before.event.facts.occurred.to_string(), "2022-04-20", "seq 8's correction stands");
    append(&mut log, &corroboration(fulfilled, fresh), NOW).expect("a new source");
    let after = standing(&log, 6).expect("stands");
    let titles: Vec<&str> = after.event.facts.sources.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Hand-made test scenario (fictional parties)",
            "Lorien MFA statement on the exchange of lists",
            "Kalmar state TV"
        ]
    );
    assert_eq!(after.event.facts.occurred, before.event.facts.occurred);
    append(&mut log, &corroboration(disputed, fresh), NOW).expect("a disputed event may be corroborated");
    log.consistent(|r| {
        let record = r.by_seq(3)?.expect("seq 3");
        let (now, still_disputed) = amend(&record, &r.amendments_of(record.event.id)?).expect("stands");
        assert!(still_disputed, "a corroboration does not settle a dispute");
        assert_eq!(now.event.facts.sources.len(), 2);
        Ok::<_, LogError>(())
    })
    .expect("reads");
    // An unsourced event so corroborated is sourced.
    let unsourced = r#"{"kind":"context_noted","version":1,"tracks":["ka-lo"],"occurred":"2022-06","unsourced":true,"payload":{"summary":"s"}}"#;
    append(&mut log, unsourced, NOW).expect("unsourced");
    let seq = head(&log).seq;
    let noted = id_at(&log, seq);
    append(&mut log, &corroboration(noted, fresh), NOW).expect("corroborated");
    let now = standing(&log, seq).expect("stands");
    assert!(!now.event.facts.unsourced && now.event.facts.sources.len() == 1, "{:?}", now.event.facts);
    // A correction after it applies to the event as corroborated.
    append(&mut log, &correction(noted, "sources", r#"[{"title":"Only this"}]"#), NOW).expect("replaced");
    let replaced = standing(&log, seq).expect("stands");
    assert_eq!(replaced.event.facts.sources.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(), ["Only this"]);
    for deep in [false, true] {
        let verdict = verified(&log, deep);
        assert_eq!((verdict.count, verdict.head, verdict.problem), (head(&log).seq, head(&log).hash, None));
    }
}

// ---------------------------------------------------------------- part 8 refusals

/// An event of `kind` on the track of [`TRACK`], dated `occurred`, with `payload` and
/// any `extra` envelope fields (each starting with a comma).
fn on_track(kind: &str, occurred: &str, payload: &str, extra: &str) -> String {
    format!(
        r#"{{"kind":"{kind}","version":1,"tracks":["x-y"],"occurred":"{occurred}","unsourced":true{extra},"payload":{payload}}}"#
    )
}

/// Commitment `c` made on 2020-06-01 by both parties of [`TRACK`].
fn made(c: &str) -> String {
    on_track("commitment_made", "2020-06-01", &format!(r#"{{"commitment":"{c}","text":"t","parties":["x","y"]}}"#), "")
}

/// An event of `kind` about commitment `c` (progress, fulfilment, …), dated `occurred`.
fn work(kind: &str, c: &str, occurred: &str) -> String {
    let payload = match kind {
        "deadline_amended" => format!(r#"{{"commitment":"{c}","deadline":{{"by":"2030"}}}}"#),
        "commitment_suspended" => format!(r#"{{"commitment":"{c}","reason":"r"}}"#),
        "commitment_resumed" => format!(r#"{{"commitment":"{c}"}}"#),
        _ => format!(r#"{{"commitment":"{c}","summary":"s"}}"#),
    };
    on_track(kind, occurred, &payload, "")
}

/// Appends `line`, which must be refused with words containing `expected`, leaving the
/// log as it was (count and head hash).
fn refuses<B: Backend>(log: &mut Log<B>, line: &str, expected: &str) {
    let before = head(log);
    let words = match append(log, line, NOW) {
        Err(LogError::Rejected { problems, .. }) => problems
            .iter()
            .map(|p| format!("{}: {}: {}", p.line, p.error.field.as_deref().unwrap_or("-"), p.error.message))
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("{line}\nexpected a rejection, got {other:?}"),
    };
    assert!(words.contains(expected), "{line}\nexpected {expected:?}: {words}");
    assert_eq!(head(log), before, "{line}");
}

/// A withdrawal from commitment `c` by `party` alone, dated `occurred`.
fn withdrawal_by(c: &str, party: &str, occurred: &str) -> String {
    on_track("commitment_withdrawn", occurred, &format!(r#"{{"commitment":"{c}","by":"{party}","reason":"out"}}"#), "")
}

/// The hints of a rejected append; anything but a rejection fails.
fn hints<B: Backend>(log: &mut Log<B>, line: &str) -> Vec<Option<Hint>> {
    match append(log, line, NOW) {
        Err(LogError::Rejected { problems, .. }) => problems.iter().map(|p| p.error.hint).collect(),
        other => panic!("{line}\nexpected a rejection, got {other:?}"),
    }
}

/// An instrument stage on [`TRACK`]: `fields` is the rest of the payload.
fn stage(instrument: &str, stage: &str, fields: &str) -> String {
    on_track(
        "instrument_stage_reached",
        "2021-01-01",
        &format!(r#"{{"instrument":"{instrument}","stage":"{stage}"{fields}}}"#),
        "",
    )
}

/// A chain hash has no key: an "exported" line can be written by hand. One that uses
/// what part 9 brought (here an instrument's parties and a procedure) is judged by every
/// rule whatever its recording time says, so the forgery is refused and appends nothing.
fn a_hand_made_export_line_with_part_9_fields_is_judged_by_every_rule<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let before = head(&log);
    let body = r#"{"id":"01a249c5-0000-7000-8000-000000000001","kind":"instrument_stage_reached","version":1,"tracks":["x-y"],"occurred":"2021-02-01","recorded_at":"2026-01-02T00:00:00.000000Z","recorded_by":"forger","unsourced":true,"payload":{"instrument":"a","title":"A","type":"treaty","stage":"text_agreed","parties":["qq","x"],"procedure":"referendum"}}"#;
    let hash = chain_hash(before.hash, before.seq + 1, body);
    let line = format!(
        r#"{{"seq":{},{},"prev_hash":"{}","hash":"{hash}"}}"#,
        before.seq + 1,
        &body[1..body.len() - 1],
        before.hash
    );
    let words = refused(append(&mut log, &line, NOW));
    assert!(words.contains("unknown party `qq`"), "{words}");
    assert!(words.contains("only a ratification_step has a procedure"), "{words}");
    assert_eq!(head(&log), before, "nothing appended");
}

fn instrument_stages_that_break_part_9s_rules_are_refused_and_append_nothing<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let proposal = on_track(
        "proposal_tabled",
        "2020-06-01",
        r#"{"proposal":"p","by":"x","to":["y"],"title":"P","principles":[{"number":1,"text":"One"}]}"#,
        "",
    );
    let treaty = stage("t", "signed", r#","title":"T","type":"treaty","articles":[{"number":1,"text":"Peace"}]"#);
    let memo = stage("m", "signed", r#","title":"M","type":"memorandum","parties":["x"],"party":"x""#);
    append(&mut log, &[proposal, treaty, memo].join("\n"), NOW).expect("the proposal, a treaty and a memorandum");
    refuses(
        &mut log,
        &stage("a", "signed", r#","title":"A","type":"annex","parent":"nope""#),
        "unknown instrument `nope`",
    );
    refuses(&mut log, &stage("c", "signed", r#","title":"C","type":"annex","parent":"c""#), "cannot be its own parent");
    refuses(
        &mut log,
        &stage("t", "superseded", ""),
        "payload.replacement: a superseded instrument names its replacement",
    );
    refuses(&mut log, &stage("t", "superseded", r#","replacement":"nope""#), "unknown instrument `nope`");
    refuses(&mut log, &stage("m", "ratified", r#","party":"y""#), "`y` is not a party of instrument `m`");
    refuses(&mut log, &stage("t", "in_force", r#","type":"protocol""#), "instrument `t` was declared a treaty");
    refuses(&mut log, &stage("t", "in_force", r#","parent":"m""#), "was declared with another parent");
    refuses(&mut log, &stage("p", "signed", r#","title":"P","type":"treaty""#), "`p` is a proposal's id");
    let tabled_as_t = on_track(
        "proposal_tabled",
        "2021-02-01",
        r#"{"proposal":"t","by":"x","title":"T","principles":[{"number":1,"text":"One"}]}"#,
        "",
    );
    refuses(&mut log, &tabled_as_t, "`t` is an instrument's id");
    refuses(&mut log, &stage("t", "text_agreed", r#","party":"x""#), "leave party out");
    let other = TRACK.replace("x-y", "v-w").replace(r#""x""#, r#""v""#).replace(r#""y""#, r#""w""#);
    append(&mut log, &other, NOW).expect("another track");
    refuses(&mut log, &stage("t", "in_force", "").replace("x-y", "v-w"), "instrument `t` is on `x-y`");
    refuses(&mut log, &stage("t", "in_force", r#","outcome":"rejected""#), "only a ratification_step has an outcome");
    refuses(
        &mut log,
        &stage("t", "in_force", r#","articles":[{"number":1,"text":"Again"}]"#),
        "article 1 of `t` was given before",
    );
    // What the rules allow: a protocol of the treaty, a failed step, an article addressed.
    let allowed = [
        stage("pr", "signed", r#","title":"Pr","type":"protocol","parent":"t""#),
        stage("t", "ratification_step", r#","party":"y","procedure":"referendum","outcome":"rejected""#),
        stage("t", "in_force", r#","type":"treaty","parties":[]"#),
        on_track("context_noted", "2021-02-01", r#"{"summary":"Article 1 observed"}"#, r#","addresses":["t#1"]"#),
    ];
    append(&mut log, &allowed.join("\n"), NOW).expect("allowed");
    // A later stage of an instrument corrected is judged as that stage, not as the
    // instrument's first appearance (which would want a title and a type).
    let in_force = id_at(&log, 8);
    let corrected = on_track(
        "event_corrected",
        "2021-03-01",
        &format!(r#"{{"target":"{in_force}","reason":"r","changes":[{{"field":"payload.summary","to":"In force"}}]}}"#),
        "",
    );
    append(&mut log, &corrected, NOW).expect("a later stage corrected");
    // `pr` is a protocol of `t`: a correction cannot make `t` a part of `pr`.
    let treaty = id_at(&log, 3);
    let cycle = on_track(
        "event_corrected",
        "2021-03-01",
        &format!(r#"{{"target":"{treaty}","reason":"r","changes":[{{"field":"payload.parent","to":"pr"}}]}}"#),
        "",
    );
    refuses(&mut log, &cycle, "`pr` is itself a part of `t`");
    verified(&log, true);
}

/// Who carried out a commitment (`by`) is one of those owing it: another party's act
/// would read as the owing party's part met.
fn work_by_a_party_that_does_not_owe_the_commitment_is_refused<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let owed_by_x = on_track("commitment_made", "2020-06-01", r#"{"commitment":"c","text":"t","parties":["x"]}"#, "");
    append(&mut log, &owed_by_x, NOW).expect("c, owed by x");
    for kind in ["commitment_progressed", "commitment_fulfilled", "commitment_partially_fulfilled"] {
        let by_y = on_track(kind, "2021-01-01", r#"{"commitment":"c","summary":"s","by":"y"}"#, "");
        refuses(&mut log, &by_y, "`y` does not owe commitment `c` (it is owed by `x`)");
    }
    let by_x = on_track("commitment_fulfilled", "2021-01-01", r#"{"commitment":"c","summary":"s","by":"x"}"#, "");
    append(&mut log, &by_x, NOW).expect("x's own fulfilment");
    verified(&log, true);
}

fn work_after_every_owing_party_withdrew_is_refused_like_after_a_whole_withdrawal<H: Harness>(h: &H) {
    let mut log = with_track(h);
    // Seq 2 makes `c`, owed by x and y; seq 3 is x's withdrawal.
    append(&mut log, &[made("c"), withdrawal_by("c", "x", "2021-03-01")].join("\n"), NOW).expect("x withdraws");
    append(&mut log, &work("commitment_progressed", "c", "2021-04"), NOW).expect("y still owes it");
    // y's withdrawal and work after it in one batch: the line after counts it.
    let batch = [withdrawal_by("c", "y", "2021-05-01"), work("commitment_progressed", "c", "2021-06")].join("\n");
    refuses(&mut log, &batch, "commitment `c` was withdrawn on 2021-05-01 (seq 5), before this event (2021-06)");
    append(&mut log, &withdrawal_by("c", "y", "2021-05-01"), NOW).expect("y withdraws");
    for kind in [
        "commitment_progressed",
        "commitment_fulfilled",
        "commitment_partially_fulfilled",
        "commitment_reaffirmed",
        "commitment_suspended",
        "deadline_amended",
    ] {
        refuses(
            &mut log,
            &work(kind, "c", "2021-06"),
            "commitment `c` was withdrawn on 2021-05-01 (seq 5), before this event (2021-06); nothing after a \
             withdrawal counts towards it",
        );
    }
    let before = head(&log);
    assert_eq!(
        hints(&mut log, &work("commitment_progressed", "c", "2021-06")),
        [Some(Hint::RetractWithdrawal { seq: 5 })]
    );
    assert_eq!(head(&log), before);
    // Not surely after: the same month as the withdrawal that completed it.
    append(&mut log, &work("commitment_progressed", "c", "2021-05"), NOW).expect("not surely after");
    // y's withdrawal retracted (seq 7): y owes it again, and work counts.
    let retract =
        on_track("event_retracted", "2021-06", &format!(r#"{{"target":"{}","reason":"r"}}"#, id_at(&log, 5)), "");
    append(&mut log, &retract, NOW).expect("retracted");
    append(&mut log, &work("commitment_progressed", "c", "2021-06"), NOW).expect("y owes it again");
    // y withdraws again (seq 9): the retracted withdrawal does not hide this one.
    append(&mut log, &withdrawal_by("c", "y", "2021-07-01"), NOW).expect("y withdraws again");
    refuses(&mut log, &work("commitment_progressed", "c", "2021-08"), "was withdrawn on 2021-07-01 (seq 9)");
    verified(&log, true);
    verified(&log, false);
    log.rebuild_derived().expect("rebuild");
    verified(&log, true);
}

fn work_on_a_superseded_commitment_is_refused_and_appends_nothing<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let supersession = on_track(
        "commitment_superseded",
        "2021-03-01",
        r#"{"commitment":"c","replacement":"d","reason":"replaced"}"#,
        "",
    );
    append(&mut log, &[made("c"), made("d"), supersession].join("\n"), NOW).expect("made and superseded");
    for kind in ["commitment_progressed", "commitment_fulfilled", "commitment_partially_fulfilled"] {
        refuses(
            &mut log,
            &work(kind, "c", "2021-06"),
            "commitment `c` was superseded by `d` on 2021-03-01 (seq 4), before this event (2021-06); record it \
             against `d`",
        );
    }
    refuses(&mut log, &on_track("context_noted", "2021-06", r#"{"summary":"s"}"#, r#","fulfils":["c"]"#), "superseded");
    // Work before the supersession counts; the replacement is worked on.
    append(&mut log, &work("commitment_progressed", "c", "2021-02"), NOW).expect("before the supersession");
    append(&mut log, &work("commitment_progressed", "d", "2021-06"), NOW).expect("the replacement");
    // Retracted, the supersession no longer stands.
    let retract = on_track(
        "event_retracted",
        "2021-07",
        &format!(r#"{{"target":"{}","reason":"a rumour"}}"#, id_at(&log, 4)),
        "",
    );
    append(&mut log, &retract, NOW).expect("retracted");
    append(&mut log, &work("commitment_fulfilled", "c", "2021-06"), NOW).expect("no longer superseded");
    verified(&log, false);
}

/// What the review of part 8 found the log let in, each now refused with the log left
/// as it was: a second supersession, a supersession again after a retracted one, a
/// replaced commitment as a replacement (a cycle), an amended deadline counting from
/// its own fulfilment, a resumption that world order puts before its suspension, work
/// dated before its commitment was made, and a commitment id made twice.
fn what_the_review_found_is_refused_and_appends_nothing<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let supersede = |c: &str, by: &str, occurred: &str| {
        on_track("commitment_superseded", occurred, &format!(r#"{{"commitment":"{c}","replacement":"{by}"}}"#), "")
    };
    append(&mut log, &[made("c"), made("d"), made("e"), supersede("c", "d", "2021-06-01")].join("\n"), NOW)
        .expect("made and superseded");
    refuses(&mut log, &supersede("c", "e", "2021-03-01"), "commitment `c` is already superseded by `d` (seq 5)");
    refuses(&mut log, &supersede("d", "c", "2021-07-01"), "payload.replacement: commitment `c` was superseded by `d`");
    let retract =
        on_track("event_retracted", "2021-08", &format!(r#"{{"target":"{}","reason":"r"}}"#, id_at(&log, 5)), "");
    append(&mut log, &retract, NOW).expect("retracted");
    refuses(&mut log, &supersede("c", "e", "2021-09-01"), "was recorded and retracted (seq 6)");
    let own = on_track(
        "deadline_amended",
        "2021-01",
        r#"{"commitment":"e","deadline":{"within_days":1,"of":{"commitment":"e"}}}"#,
        "",
    );
    refuses(&mut log, &own, "cannot count from the fulfilment of its own commitment");
    append(&mut log, &work("commitment_suspended", "e", "2021-06-01"), NOW).expect("suspended");
    refuses(&mut log, &work("commitment_resumed", "e", "2021"), "is not suspended on 2021");
    append(&mut log, &work("commitment_resumed", "e", "2021-06"), NOW).expect("the same month: may come after");
    refuses(
        &mut log,
        &work("commitment_progressed", "e", "2019"),
        "is dated before commitment `e` was made (2020-06-01)",
    );
    refuses(&mut log, &made("e"), "commitment `e` already exists");
    let commission =
        on_track("commission_established", "2021", r#"{"commission":"k","name":"K","parties":["x","y"]}"#, "");
    append(&mut log, &commission, NOW).expect("a commission");
    refuses(&mut log, &commission, "commission `k` already exists");
    verified(&log, false);
}

fn work_on_a_suspended_commitment_waits_for_its_resumption<H: Harness>(h: &H) {
    let mut log = with_track(h);
    // Suspended and resumed twice, as the Good Friday institutions were (seqs 3 to 6).
    let turns = [
        made("c"),
        work("commitment_suspended", "c", "2021-02-11"),
        work("commitment_resumed", "c", "2021-05-30"),
        work("commitment_suspended", "c", "2022-10-14"),
        work("commitment_resumed", "c", "2023-05"),
    ];
    append(&mut log, &turns.join("\n"), NOW).expect("suspended and resumed");
    for kind in ["commitment_progressed", "commitment_fulfilled", "commitment_partially_fulfilled"] {
        refuses(
            &mut log,
            &work(kind, "c", "2021-03"),
            "commitment `c` is suspended since 2021-02-11 (seq 3); nothing counts towards it until it is resumed",
        );
        refuses(&mut log, &work(kind, "c", "2022-11-01"), "is suspended since 2022-10-14 (seq 5)");
    }
    refuses(
        &mut log,
        &on_track("context_noted", "2021-03", r#"{"summary":"s"}"#, r#","advances":["c"]"#),
        "advances[0]: commitment `c` is suspended",
    );
    // The parties may still move the date of what is frozen.
    append(&mut log, &work("deadline_amended", "c", "2021-03"), NOW).expect("a new deadline while suspended");
    // Between and after the suspensions, and on the day of one (not surely after it).
    for occurred in ["2021-01", "2021-06", "2022-10-14", "2023-06"] {
        append(&mut log, &work("commitment_progressed", "c", occurred), NOW).expect(occurred);
    }
    // A resumption needs a suspension standing; a suspension, none.
    refuses(
        &mut log,
        &work("commitment_resumed", "c", "2021-07"),
        "commitment `c` is not suspended on 2021-07: no suspension of it stands then",
    );
    refuses(&mut log, &work("commitment_resumed", "c", "2020-07"), "is not suspended on 2020-07");
    refuses(
        &mut log,
        &work("commitment_suspended", "c", "2021-04"),
        "commitment `c` is already suspended on 2021-04 (since 2021-02-11, seq 3); a second suspension says nothing new",
    );
    // A resumption in the same month as its suspension may follow it.
    append(
        &mut log,
        &[work("commitment_suspended", "c", "2024-02"), work("commitment_resumed", "c", "2024-02-20")].join("\n"),
        NOW,
    )
    .expect("the same month");
    // Retracted, a suspension no longer blocks.
    let retract = on_track(
        "event_retracted",
        "2024-03",
        &format!(r#"{{"target":"{}","reason":"never happened"}}"#, id_at(&log, 5)),
        "",
    );
    append(&mut log, &retract, NOW).expect("retracted");
    append(&mut log, &work("commitment_fulfilled", "c", "2022-11-01"), NOW).expect("no longer suspended");
    verified(&log, false);
}

fn suspensions_earlier_in_a_batch_count_for_the_lines_after_it<H: Harness>(h: &H) {
    let mut log = with_track(h);
    append(&mut log, &made("c"), NOW).expect("made");
    let before = head(&log);
    let batch = [work("commitment_suspended", "c", "2021-02"), work("commitment_fulfilled", "c", "2021-03")];
    let words = refused(append(&mut log, &batch.join("\n"), NOW));
    assert!(words.starts_with("2: ") && words.contains("is suspended since 2021-02"), "{words}");
    assert_eq!(head(&log), before);
    let batch = [
        work("commitment_suspended", "c", "2021-02"),
        work("commitment_resumed", "c", "2021-03"),
        work("commitment_fulfilled", "c", "2021-04"),
    ];
    append(&mut log, &batch.join("\n"), NOW).expect("resumed before the fulfilment");
    // A suspension retracted, or moved later by a correction, earlier in the batch.
    let (first, second) = ("00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000a2");
    let suspend = |id: &str, occurred: &str| {
        work("commitment_suspended", "c", occurred).replacen('{', &format!(r#"{{"id":"{id}","#), 1)
    };
    let batch = [
        suspend(first, "2022-01"),
        on_track("event_retracted", "2022-02", &format!(r#"{{"target":"{first}","reason":"r"}}"#), ""),
        work("commitment_progressed", "c", "2022-03"),
        suspend(second, "2022-04"),
        on_track(
            "event_corrected",
            "2022-05",
            &format!(r#"{{"target":"{second}","reason":"r","changes":[{{"field":"occurred","to":"2022-08"}}]}}"#),
            "",
        ),
        work("commitment_progressed", "c", "2022-06"),
    ];
    append(&mut log, &batch.join("\n"), NOW).expect("retracted and moved in the batch");
    refuses(&mut log, &work("commitment_progressed", "c", "2022-09"), "is suspended since 2022-08");
    verified(&log, false);
}

fn unknown_party_codes_are_refused_and_append_nothing<H: Harness>(h: &H) {
    let mut log = with_track(h);
    append(&mut log, &made("c"), NOW).expect("made");
    let unknown = "unknown party `z`: the parties of `x-y` are x, y";
    refuses(
        &mut log,
        &on_track("commitment_made", "2021", r#"{"commitment":"e","text":"t","parties":["x","z"]}"#, ""),
        "payload.parties[1]",
    );
    refuses(
        &mut log,
        &on_track("commitment_made", "2021", r#"{"commitment":"e","text":"t","parties":["x","z"]}"#, ""),
        unknown,
    );
    refuses(
        &mut log,
        &on_track("commitment_progressed", "2021", r#"{"commitment":"c","summary":"s","by":"z"}"#, ""),
        unknown,
    );
    refuses(&mut log, &on_track("context_noted", "2021", r#"{"summary":"s"}"#, r#","attribution":"z""#), unknown);
    append(
        &mut log,
        &on_track("commitment_progressed", "2021", r#"{"commitment":"c","summary":"s","by":"x"}"#, ""),
        NOW,
    )
    .expect("a party of the track");
    append(&mut log, &on_track("context_noted", "2021", r#"{"summary":"s"}"#, r#","attribution":"y""#), NOW)
        .expect("a party's account");
}

// ---------------------------------------------------------------- part 9: third parties

/// `code` joins the track of [`TRACK`] as `role`, dated `occurred`.
fn joined(code: &str, role: &str, occurred: &str) -> String {
    on_track("party_joined", occurred, &format!(r#"{{"party":{{"code":"{code}","name":"N"}},"role":"{role}"}}"#), "")
}

fn third_parties_are_declared_before_they_are_named<H: Harness>(h: &H) {
    let mut log = with_track(h);
    // Given a track of x and y, a mediator m is unknown until it joins.
    let proposal = on_track(
        "proposal_tabled",
        "2021",
        r#"{"proposal":"p","by":"m","to":["x","y"],"title":"t","principles":[{"number":1,"text":"t"}]}"#,
        "",
    );
    refuses(&mut log, &proposal, "payload.by: unknown party `m`: the parties of `x-y` are x, y");
    refuses(&mut log, &proposal, "declared with party_joined");
    let owed = on_track("commitment_made", "2021", r#"{"commitment":"g","text":"t","parties":["x","m"]}"#, "");
    refuses(&mut log, &owed, "payload.parties[1]: unknown party `m`");
    // When m joins as mediator, it may table a proposal and owe a commitment.
    append(&mut log, &joined("m", "mediator", "2020-06"), NOW).expect("m joins");
    append(&mut log, &[proposal.clone(), owed].join("\n"), NOW).expect("a third party proposes and owes");
    // The refusal lists the known codes, the third party among them.
    refuses(
        &mut log,
        &on_track("context_noted", "2021", r#"{"summary":"s"}"#, r#","attribution":"z""#),
        "unknown party `z`: the parties of `x-y` are m, x, y",
    );
    // The same role twice is refused; another role is a registration of its own.
    refuses(&mut log, &joined("m", "mediator", "2021"), "payload.role: `m` is already a mediator of `x-y`");
    append(&mut log, &joined("m", "guarantor", "2021"), NOW).expect("another role");
    // A party of the track does not join as a third party.
    refuses(&mut log, &joined("x", "observer", "2021"), "`x` is already a party of `x-y`");
    // A track may open with its third parties; none of them one of its parties.
    let opened = |third: &str| {
        format!(
            r#"{{"kind":"track_opened","version":1,"tracks":["u-v"],"occurred":"2020","unsourced":true,"payload":{{"title":"U–V","parties":[{{"code":"u","name":"U"}},{{"code":"v","name":"V"}}],"third_parties":[{third}]}}}}"#
        )
    };
    refuses(&mut log, &opened(r#"{"code":"u","name":"U","role":"host"}"#), "is a party of the track");
    refuses(
        &mut log,
        &opened(r#"{"code":"c","name":"C","role":"court"},{"code":"c","name":"C","role":"court"}"#),
        "third party `c` is listed twice as court",
    );
    append(&mut log, &opened(r#"{"code":"c","name":"C","role":"court"}"#), NOW).expect("opened with a court");
    let first = id_at(&log, 1);
    let ruling = |party: &str| {
        format!(
            r#"{{"kind":"ruling_issued","version":1,"tracks":["u-v"],"occurred":"2021","unsourced":true,"payload":{{"court":"C","party":"{party}","on":{{"event":"{first}"}},"effect":"upholds"}}}}"#
        )
    };
    refuses(&mut log, &ruling("u"), "`u` is not registered as a court of these tracks");
    append(&mut log, &ruling("c"), NOW).expect("a registered court rules");
    // A retracted registration no longer counts.
    let seq = head(&log).seq;
    append(&mut log, &joined("w", "observer", "2021"), NOW).expect("w joins");
    let retract =
        on_track("event_retracted", "2022", &format!(r#"{{"target":"{}","reason":"r"}}"#, id_at(&log, seq + 1)), "");
    append(&mut log, &retract, NOW).expect("retracted");
    refuses(&mut log, &on_track("envoy_appointed", "2022", r#"{"party":"w","envoy":"E"}"#, ""), "unknown party `w`");
    verified(&log, false);
}

fn a_courts_suspension_or_annulment_stands_like_the_parties_own<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let ruling = |c: &str, effect: &str, occurred: &str| {
        on_track(
            "ruling_issued",
            occurred,
            &format!(r#"{{"court":"Court","on":{{"commitment":"{c}"}},"effect":"{effect}"}}"#),
            "",
        )
    };
    append(&mut log, &[made("c"), made("d"), ruling("c", "suspends", "2021-02")].join("\n"), NOW).expect("suspended");
    // Given a court suspended c, work on it waits for its resumption, and a second
    // suspension says nothing new.
    refuses(&mut log, &work("commitment_progressed", "c", "2021-03"), "commitment `c` is suspended since 2021-02");
    refuses(&mut log, &ruling("c", "suspends", "2021-04"), "is already suspended on 2021-04");
    append(&mut log, &work("commitment_resumed", "c", "2021-05"), NOW).expect("resumed");
    append(&mut log, &work("commitment_progressed", "c", "2021-06"), NOW).expect("in effect again");
    // Given a court annulled d, nothing after counts towards it.
    append(&mut log, &ruling("d", "annuls", "2021-02-01"), NOW).expect("annulled");
    refuses(&mut log, &work("commitment_progressed", "d", "2021-03"), "commitment `d` was withdrawn on 2021-02-01");
    // A reference names one thing the log knows.
    refuses(&mut log, &ruling("nope", "upholds", "2021-07"), "unknown commitment `nope`");
    refuses(
        &mut log,
        &on_track(
            "ruling_issued",
            "2021",
            r#"{"court":"C","on":{"commitment":"c","instrument":"i"},"effect":"upholds"}"#,
            "",
        ),
        "name exactly one of `commitment`, `instrument` or `event`",
    );
    refuses(
        &mut log,
        &on_track(
            "decision_adopted",
            "2021",
            r#"{"body":"B","on":{"commitment":"c","stage":"signed"},"effect":"endorses"}"#,
            "",
        ),
        "`stage` and `party` go only with `instrument`",
    );
    verified(&log, false);
}

fn an_event_before_its_track_was_opened_says_so_or_is_refused<H: Harness>(h: &H) {
    // The track was opened in 2020.
    let mut log = with_track(h);
    let note = |occurred: &str, extra: &str| on_track("context_noted", occurred, r#"{"summary":"s"}"#, extra);
    refuses(&mut log, &note("2019-12-31", ""), "2019-12-31 is before track `x-y` was opened (2020)");
    refuses(&mut log, &note("2021", r#","before_opening":true"#), "leave before_opening out");
    refuses(&mut log, &note("2020-03", r#","before_opening":true"#), "leave before_opening out");
    append(&mut log, &note("2019-12-31", r#","before_opening":true"#), NOW).expect("on purpose");
    append(&mut log, &note("2020-03", ""), NOW).expect("not surely before");
    // An export line was admitted by the log that exported it: it imports as it is.
    let mut again = h.fresh();
    let lines = export(&log).join("\n");
    append(&mut again, &lines, NOW).expect("the export imports");
    assert_eq!(head(&again), head(&log));
}

// ---------------------------------------------------------------- verify, rebuild, snapshots

fn verify_passes_on_a_fresh_and_a_grown_log<H: Harness>(h: &H) {
    let mut log = h.fresh();
    for deep in [false, true] {
        assert_eq!(verified(&log, deep), Verdict { count: 0, head: Hash::GENESIS, problem: None });
    }
    append(&mut log, &scenario_text("corrections.jsonl"), NOW).expect("import");
    let line = retraction(id_at(&log, 2));
    append(&mut log, &line, NOW).expect("retract");
    assert!(log.save_snapshot("status", 5, "{}").expect("save"));
    for deep in [false, true] {
        let verdict = verified(&log, deep);
        let end = head(&log);
        assert_eq!((verdict.count, verdict.head), (end.seq, end.hash), "deep: {deep}");
        assert_eq!(verdict.count, 12);
    }
}

fn rebuild_derived_keeps_verify_passing_and_drops_snapshots<H: Harness>(h: &H) {
    let mut log = scenario(h, "corrections.jsonl");
    assert!(log.save_snapshot("status", 10, "{}").expect("save"));
    let amendments = log.consistent(|r| r.all_amendments()).expect("amendments");
    log.rebuild_derived().expect("rebuild");
    verified(&log, false);
    verified(&log, true);
    assert_eq!(log.consistent(|r| r.all_amendments()).expect("amendments"), amendments);
    assert_eq!(log.consistent(|r| r.stored_snapshot("status")).expect("read"), None, "every snapshot is dropped");
    // The rebuilt names still admit what they should, and refuse what they should.
    let fulfil = r#"{"kind":"commitment_progressed","version":1,"tracks":["ka-lo"],"occurred":"2022-03-20","unsourced":true,"payload":{"commitment":"ka-lo-detainee-lists","summary":"s"}}"#;
    append(&mut log, fulfil, NOW).expect("a declared commitment");
    let words = refused(append(&mut log, &fulfil.replace("ka-lo-detainee-lists", "never-made"), NOW));
    assert!(words.contains("unknown commitment `never-made`"), "{words}");
    let line = retraction(id_at(&log, 5));
    let words = refused(append(&mut log, &line, NOW));
    assert!(words.contains("is already retracted"), "the rebuilt index still knows the retraction: {words}");
    // Rebuilding twice changes nothing.
    let end = head(&log);
    log.rebuild_derived().expect("again");
    assert_eq!(head(&log), end);
    verified(&log, false);
}

fn a_snapshot_is_bound_to_the_chain_where_it_was_saved<H: Harness>(h: &H) {
    let mut log = scenario(h, "seed.jsonl");
    let read = |log: &Log<H::B>, name: &str| {
        log.consistent(|r| Ok::<_, LogError>((r.snapshot(name)?, r.stored_snapshot(name)?))).expect("read")
    };
    assert_eq!(read(&log, "status"), (None, None));
    assert!(log.save_snapshot("status", 10, "state at ten").expect("save"));
    let at_ten = Some((10, "state at ten".to_owned()));
    assert_eq!(read(&log, "status"), (at_ten.clone(), at_ten.clone()));
    assert_eq!(read(&log, "other"), (None, None), "snapshots are kept by name");
    // Appends leave the chain at seq 10 as it was: the snapshot stays bound.
    append(&mut log, &context("after").replace("x-y", "am-az"), NOW).expect("append");
    assert_eq!(read(&log, "status"), (at_ten.clone(), at_ten));
    verified(&log, false);
    // Saving again replaces it.
    assert!(log.save_snapshot("status", 29, "state at the head").expect("save"));
    let at_head = Some((29, "state at the head".to_owned()));
    assert_eq!(read(&log, "status"), (at_head.clone(), at_head));
    assert!(log.save_snapshot("other", 1, "x").expect("save"));
    assert_eq!(read(&log, "other").0, Some((1, "x".to_owned())));
    assert_eq!(read(&log, "status").0.map(|s| s.0), Some(29), "each name its own");
    // Nothing to bind it to at a seq the log does not have: not saved, and said so.
    assert!(!log.save_snapshot("status", 1_000, "beyond the head").expect("save"));
    assert_eq!(read(&log, "status").0.map(|s| s.0), Some(29), "the one before stays");
    verified(&log, true);
}

/// A condition may wait on an event recorded long before it: the status snapshot does
/// not keep every event's date, so the event is read back by id — and the snapshot,
/// caught up, says what a full fold says.
fn a_condition_on_an_earlier_event_is_judged_alike_from_the_snapshot<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let event = context("Border posts withdrawn");
    append(&mut log, &[made("c"), event].join("\n"), NOW).expect("a commitment and an event");
    let view = View { as_of: "2026-01-01".parse().expect("day"), known_at: None, stall_days: DEFAULT_STALL_DAYS };
    status::status(&log, view).expect("status saves the snapshot");
    let on = id_at(&log, 3);
    let set = on_track(
        "condition_set",
        "2021-01-01",
        &format!(
            r#"{{"condition":"k","subject":{{"commitment":"c"}},"on":{{"event":"{on}"}},"text":"c once the posts go"}}"#
        ),
        "",
    );
    append(&mut log, &set, NOW).expect("the condition");
    let (latest, _) = status::status(&log, view).expect("from the snapshot, caught up");
    let known: DateTime<Utc> = "2030-01-01T00:00:00Z".parse().expect("time");
    let (full, _) = status::status(&log, View { known_at: Some(known), ..view }).expect("folded anew");
    assert_eq!(latest, full);
    let k = &latest[0].conditions[0];
    assert_eq!(k.state.name(), "met", "{k:?}");
}

fn the_status_snapshot_serves_what_the_events_fold_to<H: Harness>(h: &H) {
    // The snapshot policy lives above the backend, but rests on it: a snapshot saved,
    // bound and read back faithfully, and caught up with exactly what came after it.
    let mut log = scenario(h, "seed.jsonl");
    let view = View { as_of: "2026-01-01".parse().expect("day"), known_at: None, stall_days: DEFAULT_STALL_DAYS };
    let folded = |log: &Log<H::B>| {
        let (fold, header) = status::fold(log, view, &mut || {}).expect("fold");
        (fold.finish(&view), header)
    };
    let saved_at = |log: &Log<H::B>| log.consistent(|r| r.snapshot("status")).expect("read").map(|s| s.0);
    assert_eq!(saved_at(&log), None);
    assert_eq!(status::status(&log, view).expect("status"), folded(&log), "folded, snapshot saved");
    assert_eq!(saved_at(&log), Some(28));
    assert_eq!(status::status(&log, view).expect("status"), folded(&log), "from the snapshot");
    let more = [
        r#"{"kind":"meeting_held","version":1,"tracks":["am-tr"],"occurred":"2021-12-20","unsourced":true,"payload":{"participants":[{"name":"A","party":"am","role":"party"},{"name":"B","party":"tr","role":"party"}],"format":"bilateral","mode":"video"}}"#,
        r#"{"kind":"commitment_fulfilled","version":1,"tracks":["am-az"],"occurred":"2022-05-24","unsourced":true,"payload":{"commitment":"am-az-joint-border-commission","summary":"Convened"}}"#,
    ];
    append(&mut log, &more.join("\n"), NOW).expect("more");
    assert_eq!(status::status(&log, view).expect("status"), folded(&log), "caught up");
    assert_eq!(saved_at(&log), Some(30));
    let line = retraction(id_at(&log, 30)).replace("ka-lo", "am-az");
    append(&mut log, &line, NOW).expect("retract");
    assert_eq!(status::status(&log, view).expect("status"), folded(&log), "rebuilt after a retraction");
    assert_eq!(saved_at(&log), Some(31));
    assert_eq!(status::check_snapshots(&log).expect("check"), None, "verify's check of the snapshot agrees");
}

// ---------------------------------------------------------------- several handles

fn concurrent_writers_each_land_exactly_once<H: Shared>(h: &H) {
    let open = h.shared();
    append(&mut open(), TRACK, "2026-01-01T00:00:00Z").expect("track");
    std::thread::scope(|scope| {
        for t in 0..4 {
            let open = &open;
            scope.spawn(move || {
                let mut log = open();
                for i in 0..25 {
                    let lines = [(1, parse_line(&context(&format!("writer {t} event {i}"))))];
                    let stamp = AppendPolicy { ids: Ids::Random, ..policy("2026-01-01T00:00:00Z") };
                    log.append(lines, stamp, None, &mut |_| {}).expect("append");
                }
            });
        }
    });
    let log = open();
    let mut summaries = std::collections::BTreeSet::new();
    log.records(&Filter::default(), |r| {
        if let Payload::ContextNoted(c) = &r.event.facts.payload {
            summaries.insert(c.summary.clone());
        }
        Ok::<_, LogError>(())
    })
    .expect("scan");
    assert_eq!(seqs(&log, &Filter::default()), (1..=101).collect::<Vec<u64>>());
    assert_eq!(summaries.len(), 100, "every event landed exactly once");
    verified(&log, false);
}

fn a_reader_sees_one_state_while_a_writer_appends<H: Shared>(h: &H) {
    let open = h.shared();
    let mut writer = open();
    append(&mut writer, TRACK, "2026-01-01T00:00:00Z").expect("track");
    let reader = open();
    let seen = reader
        .consistent(|r| {
            let before = r.head()?;
            append(&mut writer, &context("meanwhile"), "2026-01-01T00:00:00Z")?;
            let mut count = 0;
            r.records(&Filter::default(), |_| {
                count += 1;
                Ok::<_, LogError>(())
            })?;
            Ok::<_, LogError>((before, r.head()?, count))
        })
        .expect("read");
    assert_eq!(seen.0, seen.1, "the head did not move inside one read");
    assert_eq!((seen.1.seq, seen.2), (1, 1), "nor did the records");
    assert_eq!(head(&reader).seq, 2, "the next read sees the append");
}

// ---------------------------------------------------------------- part 9 refusals

/// A condition `k` that commitment `b` waits on `on` (a reference, as JSON).
fn condition(k: &str, on: &str) -> String {
    on_track(
        "condition_set",
        "2020-07-01",
        &format!(r#"{{"condition":"{k}","subject":{{"commitment":"b"}},"on":{on},"text":"only after"}}"#),
        "",
    )
}

fn resolution(k: &str) -> String {
    on_track("condition_resolved", "2020-08-01", &format!(r#"{{"condition":"{k}","outcome":"met"}}"#), "")
}

fn conditions_refer_to_what_exists_and_are_declared_once<H: Harness>(h: &H) {
    let mut log = with_track(h);
    // Seqs 2 and 3 make `a` and `b`.
    append(&mut log, &[made("a"), made("b")].join("\n"), NOW).expect("made");
    refuses(&mut log, &resolution("k"), "payload.condition: unknown condition `k`; set it first with condition_set");
    refuses(
        &mut log,
        &condition("k", r#"{"commitment":"nowhere"}"#),
        "payload.on.commitment: unknown commitment `nowhere`",
    );
    refuses(
        &mut log,
        &condition("k", r#"{"instrument":"nowhere"}"#),
        "payload.on.instrument: unknown instrument `nowhere`",
    );
    let stray = "7a1e0000-0000-4000-8000-0000000000ff";
    refuses(
        &mut log,
        &condition("k", &format!(r#"{{"event":"{stray}"}}"#)),
        &format!("payload.on.event: unknown event `{stray}`"),
    );
    refuses(
        &mut log,
        &condition("k", r#"{"commitment":"a","event":"7a1e0000-0000-4000-8000-0000000000ff"}"#),
        "payload.on: name exactly one of `commitment`, `instrument` or `event`",
    );
    refuses(
        &mut log,
        &condition("k", r#"{"commitment":"a","stage":"signed"}"#),
        "payload.on: `stage` and `party` go only with `instrument`",
    );
    refuses(
        &mut log,
        &condition("k", r#"{"commitment":"b"}"#),
        "payload.on: a condition cannot make something conditional on itself",
    );
    refuses(&mut log, &condition("k", r#"{"commitment":"a","extra":1}"#), "unknown field `extra`");
    // Seq 4 sets it; a second with its id is refused; resolutions land, the latest rules.
    append(&mut log, &condition("k", r#"{"commitment":"a"}"#), NOW).expect("set");
    refuses(&mut log, &condition("k", r#"{"commitment":"a"}"#), "condition `k` already exists; choose another id");
    append(&mut log, &resolution("k"), NOW).expect("resolved");
    append(&mut log, &resolution("k"), NOW).expect("resolved again: the latest rules");
    // Retracted (seq 7): nothing may resolve it, and its id is never reused.
    let retract =
        on_track("event_retracted", "2020-09", &format!(r#"{{"target":"{}","reason":"r"}}"#, id_at(&log, 4)), "");
    append(&mut log, &retract, NOW).expect("retracted");
    refuses(&mut log, &resolution("k"), "condition `k` was declared by an event that was retracted (seq 7)");
    refuses(
        &mut log,
        &condition("k", r#"{"commitment":"a"}"#),
        "condition `k` was declared before, by an event retracted at seq 7",
    );
    verified(&log, true);
    log.rebuild_derived().expect("rebuild");
    verified(&log, true);
}

fn answers_name_principles_of_the_proposal_once<H: Harness>(h: &H) {
    let mut log = with_track(h);
    let tabled = on_track(
        "proposal_tabled",
        "2020-06-01",
        r#"{"proposal":"p","by":"x","to":["y"],"title":"P","principles":[{"number":1,"text":"One"},{"number":2,"text":"Two"}]}"#,
        "",
    );
    append(&mut log, &tabled, NOW).expect("tabled");
    let answer = |only: &str| {
        on_track(
            "proposal_answered",
            "2020-07-01",
            &format!(r#"{{"proposal":"p","by":"y","response":"accepted","principles":{only}}}"#),
            "",
        )
    };
    refuses(&mut log, &answer("[3]"), "payload.principles[0]: unknown principle `p#3`");
    refuses(&mut log, &answer("[1,1]"), "payload.principles[1]: principle 1 is listed twice");
    append(&mut log, &answer("[2]"), NOW).expect("answers principle 2");
}

// ---------------------------------------------------------------- the suite, per backend

/// One `#[test]` of every check in `$check`, for the backend `$harness` supplies, each
/// with the attributes in brackets.
macro_rules! checks {
    ($attrs:tt $backend:ident, $harness:expr; $($check:ident),+ $(,)?) => {
        mod $backend {
            use super::*;
            $(
                one_check!($attrs $check, $harness);
            )+
        }
    };
}

/// One `#[test]`.
macro_rules! one_check {
    ([$(#[$attr:meta])*] $check:ident, $harness:expr) => {
        #[test]
        $(#[$attr])*
        fn $check() {
            super::$check(&$harness);
        }
    };
}

/// Every check every backend must pass.
macro_rules! suite {
    ($(#[$attr:meta])* $backend:ident, $harness:expr) => {
        checks!([$(#[$attr])*] $backend, $harness;
            an_empty_log_ends_at_the_genesis_hash,
            append_assigns_gap_free_seqs_and_chains_hashes,
            re_appending_the_same_id_is_a_no_op_and_other_facts_under_it_are_refused,
            expect_head_refuses_a_log_that_moved_on,
            a_rejected_line_rolls_back_the_whole_batch,
            a_rejected_batch_changes_nothing,
            arbitrary_bytes_fed_to_the_importer_are_rejected_cleanly,
            near_valid_events_fed_to_the_importer_are_accepted_or_rejected_cleanly,
            recording_times_never_go_back_and_are_stamped_strictly_increasing_under_a_fixed_clock,
            recording_times_stay_ordered_and_writable_whatever_the_clock_and_input_say,
            export_lines_re_imported_into_a_fresh_log_reproduce_it_byte_for_byte,
            an_export_cut_or_edited_does_not_import,
            records_come_in_log_order_and_every_filter_narrows,
            records_keep_log_order_across_parsing_threads_and_an_error_stops_the_scan,
            lookups_find_events_by_seq_id_prefix_and_target,
            invalid_corrections_and_retractions_are_refused_and_append_nothing,
            corroborations_add_a_new_source_and_refuse_the_rest,
            work_on_a_superseded_commitment_is_refused_and_appends_nothing,
            work_after_every_owing_party_withdrew_is_refused_like_after_a_whole_withdrawal,
            what_the_review_found_is_refused_and_appends_nothing,
            work_on_a_suspended_commitment_waits_for_its_resumption,
            suspensions_earlier_in_a_batch_count_for_the_lines_after_it,
            unknown_party_codes_are_refused_and_append_nothing,
            third_parties_are_declared_before_they_are_named,
            a_courts_suspension_or_annulment_stands_like_the_parties_own,
            instrument_stages_that_break_part_9s_rules_are_refused_and_append_nothing,
            a_hand_made_export_line_with_part_9_fields_is_judged_by_every_rule,
            a_condition_on_an_earlier_event_is_judged_alike_from_the_snapshot,
            work_by_a_party_that_does_not_owe_the_commitment_is_refused,
            an_event_before_its_track_was_opened_says_so_or_is_refused,
            verify_passes_on_a_fresh_and_a_grown_log,
            rebuild_derived_keeps_verify_passing_and_drops_snapshots,
            a_snapshot_is_bound_to_the_chain_where_it_was_saved,
            the_status_snapshot_serves_what_the_events_fold_to,
            conditions_refer_to_what_exists_and_are_declared_once,
            answers_name_principles_of_the_proposal_once,
        );
    };
}

/// The checks of a backend whose logs several handles can open at once.
macro_rules! shared_suite {
    ($(#[$attr:meta])* $backend:ident, $harness:expr) => {
        checks!([$(#[$attr])*] $backend, $harness;
            concurrent_writers_each_land_exactly_once,
            a_reader_sees_one_state_while_a_writer_appends,
        );
    };
}

suite!(sqlite_in_memory, SqliteInMemory);
suite!(sqlite_file, SqliteFile::new());
shared_suite!(sqlite_file_shared, SqliteFile::new());
suite!(
    #[cfg_attr(
        not(entente_test_pg),
        ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres"
    )]
    postgres,
    PostgresDb::new()
);
shared_suite!(
    #[cfg_attr(
        not(entente_test_pg),
        ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres"
    )]
    postgres_shared,
    PostgresDb::new()
);
