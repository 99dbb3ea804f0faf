//! CLI behaviour as transcripts: the README and tests/cmd/*.md, run under a sealed
//! environment (fixed clock, seeded ids, a fresh log per file).
//!
//! Regenerate after a deliberate change with `TRYCMD=overwrite cargo test --test it cli`
//! and review the diff.

use crate::common::{NOW, repo};

/// Runs one transcript. A transcript named `project*.md` finds its log as a user's
/// command would, from its `.in` folder up, so it gets no `ENTENTE_DB`.
fn transcript(path: &std::path::Path) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("entente.db").to_string_lossy().into_owned();
    let cases = trycmd::TestCases::new();
    cases.insert_var("[DB]", db.clone()).expect("a valid variable");
    let discovers = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("project"));
    if !discovers {
        cases.env("ENTENTE_DB", db);
    }
    cases
        .register_bin("entente", trycmd::cargo::cargo_bin!("entente"))
        .env("ENTENTE_NOW", NOW)
        .env("ENTENTE_SEED", "7")
        .env("ENTENTE_USER", "analyst")
        .env("NO_COLOR", "1")
        // Set but empty: as if unset, whatever the shell running the tests exports
        // (COLUMNS applies even into a pipe).
        .env("COLUMNS", "")
        .env("CLICOLOR_FORCE", "")
        .case(path)
        .run();
}

#[test]
fn readme() {
    transcript(&repo("README.md"));
}

#[test]
fn transcripts() {
    let mut files: Vec<_> = std::fs::read_dir(repo("tests/cmd"))
        .expect("tests/cmd")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        transcript(&file);
    }
}
