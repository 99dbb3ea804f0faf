//! `cargo bench --bench throughput [-- N ...]`: entente's throughput and latency next to
//! raw-SQLite baselines measured in the same run on the same data, and next to the peer
//! (Python `eventsourcing`) when it is installed. Prints one table per size and writes
//! all figures to target/bench/throughput.json (throughput-postgres.json with
//! `--backend postgres`).
//!
//! Sizes default to 10,000 and 100,000 events; pass 1000000 for the full run. Set
//! ENTENTE_PEER_PYTHON to a Python that has `eventsourcing` (see ../shared/bench).
//!
//! `--backend postgres` measures a team log on a PostgreSQL server instead, against
//! raw-PostgreSQL baselines on the same server: ENTENTE_BENCH_PG (else ENTENTE_TEST_PG,
//! else postgres://postgres@127.0.0.1/postgres) names it, as a superuser's URL. Each
//! size gets a database of its own, dropped at the end with the roles `init` made.

#[path = "support/mod.rs"]
mod support;

#[expect(clippy::disallowed_methods, reason = "a benchmark's own switches come from its environment")]
fn switch(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os(name).map(Into::into)
}

/// The backend `--backend` names: `sqlite` (the default) or `postgres`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

fn main() {
    // Sizes and `--backend NAME` (or `--backend=NAME`); anything else (cargo's `--bench`)
    // is not ours.
    let mut backend = Backend::Sqlite;
    let mut sizes: Vec<usize> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let name = match arg.strip_prefix("--backend") {
            Some("") => args.next(),
            Some(rest) if rest.starts_with('=') => Some(rest[1..].to_owned()),
            _ => {
                sizes.extend(arg.replace('_', "").parse::<usize>().ok());
                continue;
            }
        };
        backend = match name.as_deref() {
            Some("sqlite") => Backend::Sqlite,
            Some("postgres" | "postgresql") => Backend::Postgres,
            other => panic!("--backend takes sqlite or postgres, not {other:?}"),
        };
    }
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_entente"));
    // ENTENTE_BENCH_DIR keeps the generated logs for a closer look.
    let scratch = tempfile::tempdir().expect("tempdir");
    let dir = switch("ENTENTE_BENCH_DIR").unwrap_or_else(|| scratch.path().to_owned());
    std::fs::create_dir_all(&dir).expect("bench dir");
    let server = switch("ENTENTE_BENCH_PG")
        .or_else(|| switch("ENTENTE_TEST_PG"))
        .map_or_else(|| support::DEFAULT_PG.to_owned(), |url| url.to_string_lossy().into_owned());
    let peer = match backend {
        Backend::Sqlite => support::Peer::find(switch("ENTENTE_PEER_PYTHON"), None),
        Backend::Postgres => Err("the peer runs on SQLite; it is compared on the SQLite run only".to_owned()),
    };
    if let Err(why) = &peer {
        println!("peer benchmark skipped: {why}");
    }
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let machine = format!("{machine}, {cores} cores");
    let mut rows = Vec::new();
    for n in sizes {
        eprintln!("measuring N = {n} …");
        rows.push(match backend {
            Backend::Sqlite => support::measure(bin, n, &dir, peer.as_ref().ok()),
            Backend::Postgres => support::measure_postgres(bin, n, &dir, &server, support::APPENDS_PER_WRITER),
        });
        println!("{}", support::table(std::slice::from_ref(rows.last().expect("row")), &machine));
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&out).expect("create target/bench");
    let (json, file) = match backend {
        Backend::Sqlite => (serde_json::json!({ "machine": machine, "runs": rows }), "throughput.json"),
        Backend::Postgres => {
            (serde_json::json!({ "machine": machine, "backend": "postgres", "runs": rows }), "throughput-postgres.json")
        }
    };
    std::fs::write(out.join(file), serde_json::to_string_pretty(&json).expect("json")).expect("write json");
    println!("figures written to target/bench/{file}");
}
