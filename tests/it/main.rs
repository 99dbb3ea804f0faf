//! The one integration-test binary. Every file in this folder is a module of it; a
//! test below fails when one is left out.

mod audit;
mod bad_input;
mod bench_smoke;
mod brief;
mod briefs_md;
mod browser;
mod calendar;
mod cli;
mod common;
mod conformance;
mod contract;
mod csv_files;
mod frozen;
mod hardening;
mod hostile_text;
mod import_verify;
mod json_keys;
mod json_output;
mod layering;
mod numbers;
mod outputs;
mod party_fields;
mod payload_fields;
mod pg;
mod pg_concurrency;
mod plover;
mod postgres;
mod project;
mod projections;
mod properties;
mod reliability;
mod report_paths;
mod sheet;
mod shell;
mod sql_views;
mod store;
mod terminal;
mod wire_input;

#[test]
fn every_test_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let main = std::fs::read_to_string(dir.join("main.rs")).expect("read main.rs");
    for entry in std::fs::read_dir(&dir).expect("read tests/it") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main") {
            assert!(main.contains(&format!("mod {module};")), "tests/it/{name} is not declared in main.rs");
        }
    }
}
