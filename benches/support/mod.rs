//! The throughput benchmark's engine, shared by `cargo bench --bench throughput` and the
//! 10k smoke test in `cargo test`: a deterministic synthetic log, each entente figure
//! measured next to its baseline in the same run, and the peer when it is installed.

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

fn run(bin: &Path, db: &Path, args: &[&str]) -> f64 {
    let clock = Stopwatch::start();
    let out = Command::new(bin)
        .args(args)
        .env("ENTENTE_DB", db)
        .env("ENTENTE_SEED", "1")
        .env("ENTENTE_NOW", "2026-01-01T00:00:00Z")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run entente");
    let secs = clock.elapsed().as_secs_f64();
    assert!(out.status.success(), "entente {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    secs
}

/// Peak resident set of one command, in MB, through GNU time when it is installed.
fn peak_rss(bin: &Path, db: &Path, args: &[&str]) -> Option<f64> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let report = db.with_extension("rss");
    let status = Command::new(time)
        .args(["-f", "%M", "-o"])
        .arg(&report)
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
    let kib: f64 = std::fs::read_to_string(&report).ok()?.trim().lines().last()?.parse().ok()?;
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
