//! The throughput benchmark's engine, shared by `cargo bench --bench throughput` and the
//! 10k smoke test in `cargo test`: a deterministic synthetic log, each entente figure
//! measured next to its baseline in the same run, and the peer when it is installed —
//! on SQLite ([`measure`]) or on a PostgreSQL server ([`measure_postgres`]).

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use entente::env::{Ids, Stopwatch};
use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Tracks in the synthetic log.
const TRACKS: usize = 50;

/// One run's figures at one size.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub n: usize,
    pub import_eps: f64,
    pub raw_insert_eps: f64,
    pub replay_eps: f64,
    pub raw_scan_parse_eps: f64,
    pub status_ms: f64,
    pub version_ms: f64,
    pub append_ms: f64,
    pub raw_commit_ms: f64,
    pub verify_eps: f64,
    pub verify_deep_eps: f64,
    pub raw_scan_sha_eps: f64,
    pub replay_rss_mb: Option<f64>,
    pub import_rss_mb: Option<f64>,
    pub disk_bytes_per_event: f64,
    pub raw_json_bytes_per_event: f64,
    pub peer: Option<serde_json::Value>,
    /// Time travel: status and diff as of past days, state over time.
    pub time_travel: TimeTravel,
    /// What only the PostgreSQL run measures; absent on SQLite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postgres: Option<PgFigures>,
}

/// Time travel, process wall times in ms (medians of five), each judged from the
/// status snapshot: `status --as-of` the middle of the log's span, `diff` between its
/// first and third quarters, and `trend` over 120 month ends.
#[derive(Debug, Clone, Serialize)]
pub struct TimeTravel {
    pub as_of_ms: f64,
    pub diff_ms: f64,
    pub trend_ms: f64,
    /// How many points the trend judged.
    pub trend_points: usize,
}

/// Measures [`TimeTravel`] on the log `db` of `n` generated events (their days run
/// from 2000-01-01, 200 a day).
fn time_travel(bin: &Path, db: impl AsRef<OsStr> + Copy, n: usize) -> TimeTravel {
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    let day = |fraction: f64| (start + chrono::Days::new(((n / 200) as f64 * fraction) as u64)).to_string();
    let (middle, first, third) = (day(0.5), day(0.25), day(0.75));
    let median_ms = |args: &[&str]| median((0..5).map(|_| run(bin, db, args) * 1e3).collect());
    let trend = ["trend", "--from", "2000-01-01", "--as-of", "2009-12-31", "--format", "json"];
    let out = entente(bin, db, &trend).stdout(Stdio::piped()).output().expect("run entente trend");
    assert!(out.status.success(), "entente {trend:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("trend JSON");
    let days: std::collections::BTreeSet<&str> =
        json["points"].as_array().expect("points").iter().filter_map(|p| p["day"].as_str()).collect();
    TimeTravel {
        as_of_ms: median_ms(&["status", "--as-of", &middle]),
        diff_ms: median_ms(&["diff", "--from", &first, "--to", &third]),
        trend_ms: median_ms(&trend),
        trend_points: days.len(),
    }
}

/// The PostgreSQL run's own figures.
#[derive(Debug, Clone, Serialize)]
pub struct PgFigures {
    /// The server's `version()`.
    pub server: String,
    /// Appends each writer makes in the concurrency figures.
    pub appends_per_writer: usize,
    /// One writer alone: appends (one process each, one after another) per second.
    pub one_writer_eps: f64,
    /// Eight writers at once, each its own appends one after another: all their
    /// appends per second of the whole.
    pub eight_writers_eps: f64,
}

/// Writes the synthetic log of `n` events as JSON Lines (no log fields: the log stamps
/// them; ids come from `ENTENTE_SEED=1`, so the generator knows them in advance).
pub fn generate(n: usize, path: &Path) -> u64 {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create events file"));
    let mut bytes = 0u64;
    let mut commitments: Vec<Vec<usize>> = vec![Vec::new(); TRACKS];
    let mut proposals: Vec<Option<usize>> = vec![None; TRACKS];
    let mut meetings: Vec<usize> = Vec::new();
    let places = ["Vienna", "Brussels", "Moscow", "Antalya", "Geneva", "Tbilisi"];
    for i in 0..n {
        let t = i % TRACKS;
        let seq = i + 1;
        let day = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("date") + chrono::Days::new((i / 200) as u64);
        let src = format!(r#""sources":[{{"title":"Wire report {i}","publisher":"Wire"}}]"#);
        let head = |kind: &str| {
            format!(r#"{{"kind":"{kind}","version":1,"tracks":["t{t:03}"],"occurred":"{day}",{src},"payload":"#)
        };
        let line = if i < TRACKS {
            format!(
                r#"{}{{"title":"Track {t}","parties":[{{"code":"a{t}","name":"State A{t}"}},{{"code":"b{t}","name":"State B{t}"}}]}}}}"#,
                head("track_opened")
            )
        } else {
            let meeting = |extra: &str| {
                format!(
                    r#"{}{{"participants":[{{"name":"Envoy A{t}","party":"a{t}","role":"party"}},{{"name":"Envoy B{t}","party":"b{t}","role":"party"}}],"format":"bilateral","mode":"in_person","place":"{}"}}{extra}}}"#,
                    head("meeting_held"),
                    places[i % places.len()]
                )
            };
            let latest = commitments[t].last().copied();
            match (i % 100, latest, proposals[t]) {
                (60..=74, _, _) => format!(
                    r#"{}{{"actor":{{"name":"Minister A{t}","party":"a{t}"}},"summary":"Ready to continue talks, round {i}."}}}}"#,
                    head("statement_made")
                ),
                // Real tracks hold a few proposals and tens of commitments that later
                // events return to; the log grows by meetings, statements and steps.
                (75..=76, _, p) if p.is_none() || (i / TRACKS).is_multiple_of(400) => {
                    proposals[t] = Some(i);
                    format!(
                        r#"{}{{"proposal":"p{i}","by":"a{t}","title":"Proposal {i}","principles":[{{"number":1,"text":"Recognition."}},{{"number":2,"text":"Borders."}},{{"number":3,"text":"Transport."}}]}}}}"#,
                        head("proposal_tabled")
                    )
                }
                (77..=84, _, _) if commitments[t].len() < 40 && (i / TRACKS).is_multiple_of(25) => {
                    commitments[t].push(i);
                    let due = day + chrono::Days::new(60);
                    format!(
                        r#"{}{{"commitment":"c{i}","parties":["a{t}","b{t}"],"text":"Convene working group {i}.","deadline":{{"by":"{due}"}}}}}}"#,
                        head("commitment_made")
                    )
                }
                (85..=89, Some(c), _) => {
                    format!(r#"{}{{"commitment":"c{c}","summary":"Experts met."}}}}"#, head("commitment_progressed"))
                }
                (90..=92, Some(c), _) => {
                    format!(r#"{}{{"commitment":"c{c}","summary":"Group convened."}}}}"#, head("commitment_fulfilled"))
                }
                (93..=94, Some(c), _) => {
                    let due = day + chrono::Days::new(120);
                    format!(
                        r#"{}{{"commitment":"c{c}","deadline":{{"by":"{due}"}},"reason":"More time."}}}}"#,
                        head("deadline_amended")
                    )
                }
                (95, _, _) if !meetings.is_empty() => {
                    let target = Ids::Seeded(1).event_id(meetings[(i * 7919) % meetings.len()] as u64);
                    format!(
                        r#"{{"kind":"event_corrected","version":1,"tracks":["t{t:03}"],"occurred":"{day}","payload":{{"target":"{target}","reason":"Place misreported.","changes":[{{"field":"payload.place","to":"Geneva"}}]}}}}"#
                    )
                }
                (96..=99, _, Some(p)) => meeting(&format!(r#","addresses":["p{p}#{}"]"#, i % 3 + 1)),
                _ => {
                    meetings.push(seq);
                    meeting("")
                }
            }
        };
        // A corrected meeting must stay on its own track: the generator only corrects
        // meetings, and corrections keep the target's track in the envelope.
        bytes += line.len() as u64;
        writeln!(out, "{line}").expect("write");
    }
    out.flush().expect("flush");
    bytes
}

/// entente with `args` on the log `db` (a file or a `postgres://` URL), its ids seeded
/// and its clock fixed.
fn entente(bin: &Path, db: impl AsRef<OsStr>, args: &[&str]) -> Command {
    let mut command = Command::new(bin);
    command
        .args(args)
        .env("ENTENTE_DB", db)
        .env("ENTENTE_SEED", "1")
        .env("ENTENTE_NOW", "2026-01-01T00:00:00Z")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

fn run(bin: &Path, db: impl AsRef<OsStr>, args: &[&str]) -> f64 {
    run_command(entente(bin, db, args), args)
}

/// Runs `command` (entente with `args`), which must succeed: its wall time, in seconds.
fn run_command(mut command: Command, args: &[&str]) -> f64 {
    let clock = Stopwatch::start();
    let out = command.output().expect("run entente");
    let secs = clock.elapsed().as_secs_f64();
    assert!(out.status.success(), "entente {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    secs
}

/// Peak resident set of one command, in MB, through GNU time when it is installed.
fn peak_rss(bin: &Path, db: &Path, args: &[&str]) -> Option<f64> {
    peak_rss_to(bin, db, &db.with_extension("rss"), args)
}

/// [`peak_rss`] of entente on the log `db`, GNU time writing its report to `report`.
fn peak_rss_to(bin: &Path, db: impl AsRef<OsStr>, report: &Path, args: &[&str]) -> Option<f64> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let status = Command::new(time)
        .args(["-f", "%M", "-o"])
        .arg(report)
        .arg(bin)
        .args(args)
        .env("ENTENTE_DB", db)
        .env("ENTENTE_SEED", "1")
        .env("ENTENTE_NOW", "2026-01-01T00:00:00Z")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    let kib: f64 = std::fs::read_to_string(report).ok()?.trim().lines().last()?.parse().ok()?;
    Some(kib / 1024.0)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn raw_db(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open raw db");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE IF NOT EXISTS raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;")
        .expect("raw schema");
    conn
}

/// The baseline for parsing: the envelope into a plain struct, the payload as a value.
#[derive(serde::Deserialize)]
#[expect(dead_code, reason = "fields are parsed to measure parsing, not read")]
struct Plain {
    kind: String,
    version: u32,
    tracks: Vec<String>,
    occurred: String,
    #[serde(default)]
    sources: Vec<serde_json::Value>,
    payload: serde_json::Value,
}

/// Measures every figure at size `n`, in `dir`.
pub fn measure(bin: &Path, n: usize, dir: &Path, peer: Option<&Peer>) -> Figures {
    let events = dir.join(format!("events-{n}.jsonl"));
    let json_bytes = generate(n, &events);
    let text = std::fs::read_to_string(&events).expect("read events");

    // Import, and its baseline: the same strings into a bare table in one transaction.
    let db = dir.join(format!("entente-{n}.db"));
    let fresh = |db: &Path| {
        // A kept directory (ENTENTE_BENCH_DIR) holds the last run's log.
        for ext in ["db", "db-wal", "db-shm"] {
            std::fs::remove_file(db.with_extension(ext)).ok();
        }
        run(bin, db, &["init"]);
    };
    fresh(&db);
    let import_rss = peak_rss(bin, &db, &["import", events.to_str().expect("path")]);
    fresh(&db);
    let import_secs = run(bin, &db, &["import", events.to_str().expect("path")]);

    let raw_path = dir.join(format!("raw-{n}.db"));
    for ext in ["db", "db-wal", "db-shm"] {
        std::fs::remove_file(raw_path.with_extension(ext)).ok();
    }
    let clock = Stopwatch::start();
    {
        let mut conn = raw_db(&raw_path);
        let tx = conn.transaction().expect("tx");
        {
            let mut stmt = tx.prepare("INSERT INTO raw (body) VALUES (?)").expect("prepare");
            for line in text.lines() {
                stmt.execute([line]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let raw_insert_secs = clock.elapsed().as_secs_f64();

    // Replay, and its baseline: scan the bare table and parse every row.
    let replay_secs = run(bin, &db, &["replay"]);
    let replay_rss = peak_rss(bin, &db, &["replay"]);
    let clock = Stopwatch::start();
    {
        let conn = raw_db(&raw_path);
        let mut stmt = conn.prepare("SELECT body FROM raw ORDER BY id").expect("prepare");
        let mut rows = stmt.query([]).expect("query");
        let mut parsed = 0usize;
        while let Some(row) = rows.next().expect("row") {
            let body: String = row.get(0).expect("body");
            let _plain: Plain = serde_json::from_str(&body).expect("parse");
            parsed += 1;
        }
        assert_eq!(parsed, n);
    }
    let raw_scan_secs = clock.elapsed().as_secs_f64();

    // Verify, and its baseline: scan and hash every row.
    let verify_secs = run(bin, &db, &["verify"]);
    let verify_deep_secs = run(bin, &db, &["verify", "--deep"]);
    let clock = Stopwatch::start();
    {
        let conn = raw_db(&raw_path);
        let mut stmt = conn.prepare("SELECT body FROM raw ORDER BY id").expect("prepare");
        let mut rows = stmt.query([]).expect("query");
        let mut prev = [0u8; 32];
        while let Some(row) = rows.next().expect("row") {
            let body: String = row.get(0).expect("body");
            prev = Sha256::new().chain_update(prev).chain_update(body.as_bytes()).finalize().into();
        }
        std::hint::black_box(prev);
    }
    let raw_sha_secs = clock.elapsed().as_secs_f64();

    // Process figures, medians of five.
    let version_ms = median((0..5).map(|_| run(bin, &db, &["--version"]) * 1e3).collect());
    let status_ms = median((0..5).map(|_| run(bin, &db, &["status"]) * 1e3).collect());
    let time_travel = time_travel(bin, &db, n);
    let append_ms = median(
        (0..5)
            .map(|i| {
                let summary = format!("benchmark append {i}");
                run(
                    bin,
                    &db,
                    &[
                        "append",
                        "context-noted",
                        "--track",
                        "t000",
                        "--occurred",
                        "2020",
                        "--summary",
                        &summary,
                        "--unsourced",
                    ],
                ) * 1e3
            })
            .collect(),
    );
    let raw_commit_ms = median(
        (0..5)
            .map(|i| {
                let clock = Stopwatch::start();
                let conn = raw_db(&raw_path);
                conn.execute("INSERT INTO raw (body) VALUES (?)", [format!("append {i}")]).expect("insert");
                drop(conn);
                clock.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );

    let disk = file_bytes(&db);
    let peer = peer.map(|p| p.run(n, dir));
    Figures {
        n,
        import_eps: n as f64 / import_secs,
        raw_insert_eps: n as f64 / raw_insert_secs,
        replay_eps: n as f64 / replay_secs,
        raw_scan_parse_eps: n as f64 / raw_scan_secs,
        status_ms,
        version_ms,
        append_ms,
        raw_commit_ms,
        verify_eps: n as f64 / verify_secs,
        verify_deep_eps: n as f64 / verify_deep_secs,
        raw_scan_sha_eps: n as f64 / raw_sha_secs,
        replay_rss_mb: replay_rss,
        import_rss_mb: import_rss,
        disk_bytes_per_event: disk as f64 / n as f64,
        raw_json_bytes_per_event: json_bytes as f64 / n as f64,
        peer,
        time_travel,
        postgres: None,
    }
}

/// The server a PostgreSQL run measures on: a superuser's URL (any database of it).
pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1/postgres";

/// Appends each writer makes in the concurrency figures of a full run.
pub const APPENDS_PER_WRITER: usize = 12;

/// Rows per statement of the raw PostgreSQL insert, and per fetch of its raw scan (as
/// entente's backend batches its own).
const PG_BATCH: usize = 1_000;
const PG_FETCH: i32 = 2_000;

use entente::store::postgres::connect::with_database;

/// A raw client of `url`, connected as entente connects (its URL rules and `sslmode`,
/// TLS when the server offers it unless the URL says `sslmode=disable`): the baselines
/// pay for the same transport entente does.
fn pg_connect(url: &str) -> postgres::Client {
    use entente::store::postgres::connect;
    let target = connect::target(url, &[], "postgres").unwrap_or_else(|e| panic!("the URL {url}: {e}"));
    connect::connect(&target).unwrap_or_else(|e| panic!("connect to {url}: {e:?}"))
}

/// A database of the run's own on the server, dropped with the roles `entente init`
/// made for it (named after it) when it goes.
struct PgDatabase {
    server: String,
    name: String,
    /// The superuser's URL of it.
    url: String,
}

impl PgDatabase {
    /// An empty database named `name` (any left by an interrupted run is dropped first).
    fn create(server: &str, name: &str) -> PgDatabase {
        let db = PgDatabase { server: server.to_owned(), name: name.to_owned(), url: with_database(server, name) };
        db.drop_all();
        pg_connect(server)
            .batch_execute(&format!("CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
            .expect("create the benchmark's database");
        db
    }

    fn drop_all(&self) {
        let name = &self.name;
        let mut admin = pg_connect(&self.server);
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).expect("drop database");
        admin
            .batch_execute(&format!("DROP ROLE IF EXISTS \"{name}_reader\", \"{name}_recorder\", \"{name}_owner\""))
            .expect("drop the log's roles");
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        self.drop_all();
    }
}

/// Runs entente on `db` under GNU time when it is installed: wall seconds and peak RSS
/// in MB (the one process measured once for both; time(1) adds a fork).
fn timed_rss(bin: &Path, db: &str, report: &Path, args: &[&str]) -> (f64, Option<f64>) {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return (run(bin, db, args), None);
    }
    let mut command = entente(bin, db, args);
    let program = command.get_program().to_owned();
    let mut timed = Command::new(time);
    timed.args(["-f", "%M", "-o"]).arg(report).arg(program).args(command.get_args());
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            timed.env(key, value);
        }
    }
    timed.stdout(Stdio::null()).stderr(Stdio::piped());
    command = timed;
    let secs = run_command(command, args);
    let rss = std::fs::read_to_string(report).ok().and_then(|r| r.trim().lines().last()?.parse::<f64>().ok());
    (secs, rss.map(|kib| kib / 1024.0))
}

/// `k` appends, one process each, one after another, on `db` (random ids: a seeded id
/// depends on where the event lands, which racing writers do not know).
fn appends(bin: &Path, db: &str, writer: usize, k: usize) {
    for i in 0..k {
        let summary = format!("writer {writer} append {i}");
        let args =
            ["append", "context-noted", "--track", "t000", "--occurred", "2020", "--summary", &summary, "--unsourced"];
        let mut command = entente(bin, db, &args);
        command.env_remove("ENTENTE_SEED");
        run_command(command, &args);
    }
}

/// Every body of the raw table, in id order, through a server-side cursor (a portal
/// fetched `PG_FETCH` rows at a time), each handed to `each`.
fn raw_scan(url: &str, mut each: impl FnMut(&str)) -> usize {
    let mut client = pg_connect(url);
    let mut tx = client.transaction().expect("begin");
    let portal = tx.bind("SELECT body FROM raw ORDER BY id", &[]).expect("bind");
    let mut seen = 0;
    loop {
        let rows = tx.query_portal(&portal, PG_FETCH).expect("fetch");
        for row in &rows {
            each(row.get(0));
        }
        seen += rows.len();
        if rows.len() < PG_FETCH as usize {
            break;
        }
    }
    tx.commit().expect("end the scan");
    seen
}

/// Measures every figure at size `n` on the PostgreSQL server `server` (a superuser's
/// URL), in a database of its own that it drops at the end; every baseline in another
/// table of that database, on the same server, in the same run. The concurrency
/// figures make `per_writer` appends in each writer.
pub fn measure_postgres(bin: &Path, n: usize, dir: &Path, server: &str, per_writer: usize) -> Figures {
    let events = dir.join(format!("events-{n}.jsonl"));
    let json_bytes = generate(n, &events);
    let text = std::fs::read_to_string(&events).expect("read events");
    let lines: Vec<&str> = text.lines().collect();
    let events = events.to_str().expect("path");
    let version: String = pg_connect(server).query_one("SELECT version()", &[]).expect("version").get(0);
    let db = PgDatabase::create(server, &format!("entente_bench_{n}_{}", std::process::id()));
    let url = db.url.as_str();
    let report = dir.join(format!("pg-{n}.rss"));

    // Import, and its baseline: the same strings into a bare table (bigint primary key,
    // text) in one transaction, as multi-row INSERTs of unnest()ed arrays, 1,000 rows
    // each — how a careful client loads rows without COPY.
    run(bin, url, &["init"]);
    let (import_secs, import_rss) = timed_rss(bin, url, &report, &["import", events]);
    pg_connect(url).batch_execute("CREATE TABLE raw (id bigint PRIMARY KEY, body text NOT NULL)").expect("raw table");
    let clock = Stopwatch::start();
    {
        let mut client = pg_connect(url);
        let mut tx = client.transaction().expect("begin");
        let insert =
            tx.prepare("INSERT INTO raw (id, body) SELECT * FROM unnest($1::int8[], $2::text[])").expect("prepare");
        for (b, batch) in lines.chunks(PG_BATCH).enumerate() {
            let ids: Vec<i64> = (0..batch.len()).map(|i| (b * PG_BATCH + i + 1) as i64).collect();
            tx.execute(&insert, &[&ids, &batch]).expect("insert");
        }
        tx.commit().expect("commit");
    }
    let raw_insert_secs = clock.elapsed().as_secs_f64();

    // Replay, and its baseline: scan the bare table through a cursor, parse every row.
    let (replay_secs, replay_rss) = timed_rss(bin, url, &report, &["replay"]);
    let clock = Stopwatch::start();
    let parsed = raw_scan(url, |body| {
        let _plain: Plain = serde_json::from_str(body).expect("parse");
    });
    assert_eq!(parsed, n);
    let raw_scan_secs = clock.elapsed().as_secs_f64();

    // Verify, and its baseline: scan and hash every row.
    let verify_secs = run(bin, url, &["verify"]);
    let verify_deep_secs = run(bin, url, &["verify", "--deep"]);
    let clock = Stopwatch::start();
    let mut prev = [0u8; 32];
    raw_scan(url, |body| prev = Sha256::new().chain_update(prev).chain_update(body.as_bytes()).finalize().into());
    std::hint::black_box(prev);
    let raw_sha_secs = clock.elapsed().as_secs_f64();

    // Process figures, medians of five; status once first, to save its snapshot.
    let version_ms = median((0..5).map(|_| run(bin, url, &["--version"]) * 1e3).collect());
    run(bin, url, &["status"]);
    let status_ms = median((0..5).map(|_| run(bin, url, &["status"]) * 1e3).collect());
    let time_travel = time_travel(bin, url, n);
    let append_ms = median(
        (0..5)
            .map(|i| {
                let summary = format!("benchmark append {i}");
                let args = [
                    "append",
                    "context-noted",
                    "--track",
                    "t000",
                    "--occurred",
                    "2020",
                    "--summary",
                    &summary,
                    "--unsourced",
                ];
                run(bin, url, &args) * 1e3
            })
            .collect(),
    );
    // Its baseline: what any client process does for one event — connect, one INSERT
    // in a transaction, commit, disconnect.
    let raw_commit_ms = median(
        (0..5)
            .map(|i| {
                let clock = Stopwatch::start();
                let mut client = pg_connect(url);
                let mut tx = client.transaction().expect("begin");
                let id = (n + 1 + i) as i64;
                tx.execute("INSERT INTO raw (id, body) VALUES ($1, $2)", &[&id, &format!("append {i}")])
                    .expect("insert");
                tx.commit().expect("commit");
                drop(client);
                clock.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );

    // Concurrency: one writer alone, then eight at once, each making its appends one
    // after another (a process each).
    let clock = Stopwatch::start();
    appends(bin, url, 0, per_writer);
    let one_writer_eps = per_writer as f64 / clock.elapsed().as_secs_f64();
    let clock = Stopwatch::start();
    std::thread::scope(|s| {
        for w in 1..=8 {
            s.spawn(move || appends(bin, url, w, per_writer));
        }
    });
    let eight_writers_eps = (8 * per_writer) as f64 / clock.elapsed().as_secs_f64();
    let landed = 5 + 9 * per_writer;
    let out = Command::new(bin)
        .args(["verify"])
        .env("ENTENTE_DB", url)
        .env("NO_COLOR", "1")
        .output()
        .expect("run entente verify");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.contains(&format!("verified {} events", n + landed)), "{said}");

    // The log's tables with their indexes and TOAST, as the server stores them.
    let disk: i64 = pg_connect(url)
        .query_one(
            "SELECT sum(pg_total_relation_size(c.oid))::int8 FROM pg_class c
             WHERE c.relnamespace = 'entente'::regnamespace AND c.relkind = 'r'",
            &[],
        )
        .expect("table sizes")
        .get(0);
    drop(db);
    Figures {
        n,
        import_eps: n as f64 / import_secs,
        raw_insert_eps: n as f64 / raw_insert_secs,
        replay_eps: n as f64 / replay_secs,
        raw_scan_parse_eps: n as f64 / raw_scan_secs,
        status_ms,
        version_ms,
        append_ms,
        raw_commit_ms,
        verify_eps: n as f64 / verify_secs,
        verify_deep_eps: n as f64 / verify_deep_secs,
        raw_scan_sha_eps: n as f64 / raw_sha_secs,
        replay_rss_mb: replay_rss,
        import_rss_mb: import_rss,
        disk_bytes_per_event: disk as f64 / n as f64,
        raw_json_bytes_per_event: json_bytes as f64 / n as f64,
        peer: None,
        time_travel,
        postgres: Some(PgFigures {
            server: version,
            appends_per_writer: per_writer,
            one_writer_eps,
            eight_writers_eps,
        }),
    }
}

fn file_bytes(db: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .map(|suffix| {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(PathBuf::from(p)).map(|m| m.len()).unwrap_or(0)
        })
        .sum()
}

/// The peer benchmark: Python `eventsourcing` on SQLite, when installed.
pub struct Peer {
    python: PathBuf,
    script: PathBuf,
}

impl Peer {
    /// Finds the peer: `ENTENTE_PEER_PYTHON` (else `python3`) that can import
    /// `eventsourcing`, and the script in ../shared/bench (or `ENTENTE_PEER_SCRIPT`).
    /// `Err` says why it is absent.
    pub fn find(python: Option<PathBuf>, script: Option<PathBuf>) -> Result<Peer, String> {
        let script = script
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/peer_eventsourcing.py"));
        if !script.exists() {
            return Err(format!("the peer script {} is not there", script.display()));
        }
        let python = python.unwrap_or_else(|| PathBuf::from("python3"));
        let ok = Command::new(&python)
            .args(["-c", "import eventsourcing"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(format!("{} cannot import the `eventsourcing` package", python.display()));
        }
        Ok(Peer { python, script })
    }

    fn run(&self, n: usize, dir: &Path) -> serde_json::Value {
        let db = dir.join(format!("peer-{n}.db"));
        let out = Command::new(&self.python)
            .arg(&self.script)
            .arg(n.to_string())
            .arg(&db)
            .stderr(Stdio::null())
            .output()
            .expect("run the peer");
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines().last().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(serde_json::Value::Null)
    }
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// One row of the table: an entente figure, its baseline, their ratio and the target.
fn compare(s: &mut String, figure: &str, ours: f64, baseline: &str, theirs: f64, target: &str) {
    let _ = writeln!(s, "| {figure} | {ours:.0} | {baseline} {theirs:.0} | {} | {target} |", ratio(ours, theirs));
}

/// The table the benchmark prints.
pub fn table(rows: &[Figures], machine: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "entente throughput benchmark — {machine}");
    for f in rows {
        if let Some(pg) = &f.postgres {
            pg_rows(&mut s, f, pg);
            continue;
        }
        let _ = writeln!(s, "\nN = {}", f.n);
        let _ = writeln!(s, "| figure | entente | baseline (same run) | ratio | target |");
        let _ = writeln!(s, "|---|---|---|---|---|");
        compare(&mut s, "import, events/s", f.import_eps, "raw insert", f.raw_insert_eps, "≥ 0.5×");
        compare(&mut s, "full replay, events/s", f.replay_eps, "raw scan+parse", f.raw_scan_parse_eps, "≥ 0.5×");
        let _ = writeln!(
            s,
            "| status, ms (median of 5) | {:.1} | --version {:.1} | {} | ≤ 50 ms |",
            f.status_ms,
            f.version_ms,
            ratio(f.status_ms, f.version_ms)
        );
        time_travel_rows(&mut s, f);
        let base = f.raw_commit_ms + f.version_ms;
        let _ = writeln!(
            s,
            "| append, ms (median of 5) | {:.1} | raw commit {:.2} + --version {:.1} = {:.1} | {} | ≤ 2× |",
            f.append_ms,
            f.raw_commit_ms,
            f.version_ms,
            base,
            ratio(f.append_ms, base)
        );
        compare(&mut s, "verify, events/s", f.verify_eps, "raw scan+SHA-256", f.raw_scan_sha_eps, "≥ 0.5×");
        compare(
            &mut s,
            "verify --deep (schema re-read too), events/s",
            f.verify_deep_eps,
            "raw scan+SHA-256",
            f.raw_scan_sha_eps,
            "—",
        );
        let mb = |x: Option<f64>| x.map_or("n/a".to_owned(), |v| format!("{v:.0} MB"));
        let _ = writeln!(
            s,
            "| peak RSS, replay / import | {} / {} | — | — | replay ≤ 100 MB |",
            mb(f.replay_rss_mb),
            mb(f.import_rss_mb)
        );
        compare(&mut s, "disk, bytes/event", f.disk_bytes_per_event, "raw JSON", f.raw_json_bytes_per_event, "≤ 2×");
        match &f.peer {
            Some(p) if !p.is_null() => {
                let get = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);
                let peer = get("append_batched_per_s");
                compare(&mut s, "import vs peer batched append", f.import_eps, "peer", peer, "≥ 10×");
                let peer = get("replay_log_fold_per_s");
                compare(&mut s, "replay vs peer log fold", f.replay_eps, "peer", peer, "≥ 10×");
            }
            _ => {
                let _ = writeln!(s, "| peer (Python eventsourcing) | absent | — | — | — |");
            }
        }
    }
    s
}

/// The time-travel rows: each against the latest status, or one full replay, of the
/// same run.
fn time_travel_rows(s: &mut String, f: &Figures) {
    let t = &f.time_travel;
    let replay_ms = f.n as f64 / f.replay_eps * 1e3;
    let _ = writeln!(
        s,
        "| status --as-of a past day, ms | {:.1} | status {:.1} | {} | ≤ 2× |",
        t.as_of_ms,
        f.status_ms,
        ratio(t.as_of_ms, f.status_ms)
    );
    let _ = writeln!(
        s,
        "| diff of two past days, ms | {:.1} | status {:.1} | {} | ≤ 3× |",
        t.diff_ms,
        f.status_ms,
        ratio(t.diff_ms, f.status_ms)
    );
    let _ = writeln!(
        s,
        "| state over time, {} month ends (trend), ms | {:.1} | full replay {:.1} | {} | ≤ 1× |",
        t.trend_points,
        t.trend_ms,
        replay_ms,
        ratio(t.trend_ms, replay_ms)
    );
}

/// The rows of one PostgreSQL run: its own targets and baselines.
fn pg_rows(s: &mut String, f: &Figures, pg: &PgFigures) {
    let _ = writeln!(s, "\nN = {} on PostgreSQL ({})", f.n, pg.server.split(" on ").next().unwrap_or(&pg.server));
    let _ = writeln!(s, "| figure | entente | baseline (same run, same server) | ratio | target |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    compare(
        s,
        "import, events/s",
        f.import_eps,
        "raw INSERT … unnest, 1,000 rows/stmt, 1 txn",
        f.raw_insert_eps,
        "≥ 0.3×",
    );
    compare(s, "full replay, events/s", f.replay_eps, "raw cursor scan+parse", f.raw_scan_parse_eps, "≥ 0.5×");
    let _ = writeln!(
        s,
        "| status, ms (median of 5, snapshot saved) | {:.1} | --version {:.1} | {} | ≤ 50 ms, flat in N |",
        f.status_ms,
        f.version_ms,
        ratio(f.status_ms, f.version_ms)
    );
    time_travel_rows(s, f);
    let base = f.raw_commit_ms + f.version_ms;
    let _ = writeln!(
        s,
        "| append, ms (median of 5) | {:.1} | raw connect+INSERT+commit {:.2} + --version {:.1} = {:.1} | {} | ≤ 2× |",
        f.append_ms,
        f.raw_commit_ms,
        f.version_ms,
        base,
        ratio(f.append_ms, base)
    );
    let _ = writeln!(
        s,
        "| 8 writers at once ({} appends each), events/s | {:.1} | one writer alone {:.1} | {} | ≥ 0.5× |",
        pg.appends_per_writer,
        pg.eight_writers_eps,
        pg.one_writer_eps,
        ratio(pg.eight_writers_eps, pg.one_writer_eps)
    );
    compare(s, "verify, events/s", f.verify_eps, "raw cursor scan+SHA-256", f.raw_scan_sha_eps, "—");
    compare(s, "verify --deep, events/s", f.verify_deep_eps, "raw cursor scan+SHA-256", f.raw_scan_sha_eps, "—");
    let mb = |x: Option<f64>| x.map_or("n/a".to_owned(), |v| format!("{v:.0} MB"));
    let _ = writeln!(
        s,
        "| peak RSS, replay / import | {} / {} | — | — | replay ≤ 100 MB |",
        mb(f.replay_rss_mb),
        mb(f.import_rss_mb)
    );
    compare(
        s,
        "disk (tables+indexes+TOAST), bytes/event",
        f.disk_bytes_per_event,
        "raw JSON",
        f.raw_json_bytes_per_event,
        "—",
    );
}
