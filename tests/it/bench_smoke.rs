//! A 10,000-event run of the throughput benchmark (benches/throughput.rs), so the
//! benchmark cannot rot: it completes, and its figures are sane. Never a timing
//! threshold: the machine is shared, and performance is judged by `cargo bench`.

#[path = "../../benches/support/mod.rs"]
#[expect(dead_code, reason = "the benchmark's table printer is not needed here")]
mod support;

#[test]
fn the_benchmark_runs_at_10k_and_its_figures_are_sane() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_entente"));
    let f = support::measure(bin, 10_000, dir.path(), None);
    for (name, value) in [
        ("import", f.import_eps),
        ("raw insert", f.raw_insert_eps),
        ("replay", f.replay_eps),
        ("raw scan", f.raw_scan_parse_eps),
        ("verify", f.verify_eps),
        ("verify --deep", f.verify_deep_eps),
        ("raw sha", f.raw_scan_sha_eps),
        ("status", f.status_ms),
        ("version", f.version_ms),
        ("append", f.append_ms),
        ("raw commit", f.raw_commit_ms),
    ] {
        assert!(value.is_finite() && value > 0.0, "{name} = {value}");
    }
    // The log holds more than the raw JSON (ids, hashes, recording fields, indexes)
    // but not wildly more; the synthetic events are a few hundred bytes each.
    assert!((150.0..1_000.0).contains(&f.raw_json_bytes_per_event), "{}", f.raw_json_bytes_per_event);
    assert!(f.disk_bytes_per_event > f.raw_json_bytes_per_event, "{f:?}");
    assert!(f.disk_bytes_per_event < 5.0 * f.raw_json_bytes_per_event, "{f:?}");
    let table = support::table(std::slice::from_ref(&f), "smoke");
    assert!(table.contains("| import, events/s |") && table.contains("N = 10000"), "{table}");
}

/// The PostgreSQL run (`--backend postgres`) at 1,000 events, two appends per writer: it
/// completes, its figures are sane, and it drops the database it made.
#[test]
#[cfg_attr(not(entente_test_pg), ignore = "PostgreSQL: set ENTENTE_TEST_PG=postgres://postgres@127.0.0.1/postgres")]
fn the_postgres_benchmark_runs_and_drops_its_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_entente"));
    let server = crate::pg::server();
    let f = support::measure_postgres(bin, 1_000, dir.path(), &server, 2);
    let pg = f.postgres.as_ref().expect("the PostgreSQL figures");
    for (name, value) in [
        ("import", f.import_eps),
        ("raw insert", f.raw_insert_eps),
        ("replay", f.replay_eps),
        ("raw scan", f.raw_scan_parse_eps),
        ("verify", f.verify_eps),
        ("raw sha", f.raw_scan_sha_eps),
        ("status", f.status_ms),
        ("append", f.append_ms),
        ("raw commit", f.raw_commit_ms),
        ("one writer", pg.one_writer_eps),
        ("eight writers", pg.eight_writers_eps),
        ("disk", f.disk_bytes_per_event),
    ] {
        assert!(value.is_finite() && value > 0.0, "{name} = {value}");
    }
    let table = support::table(std::slice::from_ref(&f), "smoke");
    assert!(table.contains("N = 1000 on PostgreSQL") && table.contains("| 8 writers at once"), "{table}");
    let left: i64 = crate::pg::admin()
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&format!("entente_bench_1000_{}", std::process::id())],
        )
        .expect("count databases")
        .get(0);
    assert_eq!(left, 0, "the benchmark's database was not dropped");
}
