//! `cargo bench --bench throughput [-- N ...]`: entente's throughput and latency next to
//! raw-SQLite baselines measured in the same run on the same data, and next to the peer
//! (Python `eventsourcing`) when it is installed. Prints one table per size and writes
//! all figures to target/bench/throughput.json.
//!
//! Sizes default to 10,000 and 100,000 events; pass 1000000 for the full run. Set
//! ENTENTE_PEER_PYTHON to a Python that has `eventsourcing` (see ../shared/bench).

#[path = "support/mod.rs"]
mod support;

#[expect(clippy::disallowed_methods, reason = "a benchmark's own switches come from its environment")]
fn switch(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os(name).map(Into::into)
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_entente"));
    // ENTENTE_BENCH_DIR keeps the generated logs for a closer look.
    let scratch = tempfile::tempdir().expect("tempdir");
    let dir = switch("ENTENTE_BENCH_DIR").unwrap_or_else(|| scratch.path().to_owned());
    std::fs::create_dir_all(&dir).expect("bench dir");
    let peer = support::Peer::find(switch("ENTENTE_PEER_PYTHON"), None);
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
        rows.push(support::measure(bin, n, &dir, peer.as_ref().ok()));
        println!("{}", support::table(std::slice::from_ref(rows.last().expect("row")), &machine));
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&out).expect("create target/bench");
    let json = serde_json::json!({ "machine": machine, "runs": rows });
    std::fs::write(out.join("throughput.json"), serde_json::to_string_pretty(&json).expect("json"))
        .expect("write json");
    println!("figures written to target/bench/throughput.json");
}
