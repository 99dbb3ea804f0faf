//! Old logs keep loading: files written by earlier versions (tests/frozen/, never
//! regenerated) open, migrate, verify with their head hash and re-export byte for byte.

use crate::common::{Sandbox, repo};

fn copy_in(s: &Sandbox, name: &str) {
    std::fs::copy(repo(&format!("tests/frozen/{name}")), &s.db).expect("copy frozen log");
}

#[test]
fn a_schema_1_log_migrates_on_open_and_verifies() {
    let s = Sandbox::empty();
    copy_in(&s, "schema1.db");
    let out = s.ok(&["verify"]);
    assert!(out.contains("verified 28 events"), "{out}");
    assert!(out.contains("43d7ef76e59d37cd7aa97bd55b5382ce4bca37d76aac0298ef6323fbb852e822"), "{out}");
    let conn = rusqlite::Connection::open(&s.db).expect("open");
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(v, entente::store::SCHEMA_VERSION);
    let appended =
        s.ok(&["correct", "17", "--set", "payload.place=Wien", "--reason", "migrated logs take corrections"]);
    assert!(appended.contains("as seq 29"), "{appended}");
}

#[test]
fn a_schema_3_log_keeps_its_corrections_disputes_and_retractions() {
    let s = Sandbox::empty();
    copy_in(&s, "schema3.db");
    let out = s.ok(&["verify"]);
    assert!(out.contains("f914d5570f12f51d924de031d97e1cd0e0d346c6395fc1b961918f79521c5e89"), "{out}");
    let status: serde_json::Value =
        serde_json::from_str(&s.ok(&["status", "--track", "am-tr", "--format", "json"])).expect("json");
    assert_eq!(status["tracks"][0]["disputed"], serde_json::json!([19]));
    let timeline = s.ok(&["timeline", "--track", "am-tr"]);
    assert!(!timeline.contains("to be retracted"), "{timeline}");
    assert!(s.ok(&["history", "17"]).contains("Frozen fixture: a correction"));
    let export = std::fs::read_to_string(repo("tests/frozen/schema3-export.jsonl")).expect("export");
    assert_eq!(s.ok(&["export"]), export);
}

#[test]
fn frozen_exports_import_and_export_byte_for_byte() {
    for name in ["schema3-export.jsonl", "corrections-v1.jsonl"] {
        let s = Sandbox::new();
        let file = repo(&format!("tests/frozen/{name}"));
        s.ok(&["import", file.to_str().expect("path")]);
        assert_eq!(s.ok(&["export"]), std::fs::read_to_string(&file).expect("read"), "{name}");
    }
}
