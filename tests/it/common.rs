//! Helpers every test goes through: a sandboxed log, the binary under a sealed
//! environment, and the log's fingerprint (count and head hash).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use entente::store::Sqlite;

/// The fixed clock every test runs under.
pub const NOW: &str = "2026-11-28T12:00:00Z";

/// A repository file's path.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A temporary folder holding one log.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Sandbox {
    /// An empty folder; the log does not exist yet.
    pub fn empty() -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("entente.db");
        Sandbox { dir, db }
    }

    /// A fresh log.
    pub fn new() -> Sandbox {
        let s = Sandbox::empty();
        s.ok(&["init"]);
        s
    }

    /// A log holding the seed scenario.
    pub fn seeded() -> Sandbox {
        let s = Sandbox::new();
        s.ok(&["import", repo("events/scenarios/seed.jsonl").to_str().expect("utf-8 path")]);
        s
    }

    /// A file in the sandbox with these contents.
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }

    /// The binary with a sealed environment, pointed at this sandbox's log.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_entente"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("ENTENTE_DB", &self.db)
            .env("ENTENTE_NOW", NOW)
            .env("ENTENTE_SEED", "7")
            .env("ENTENTE_USER", "tester")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs the binary; returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run entente")
    }

    /// Runs the binary and insists it succeeds; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "entente {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Count and head hash of the log.
    pub fn fingerprint(&self) -> (u64, String) {
        fingerprint(&self.db)
    }
}

/// Count and head hash of the log at `db`.
pub fn fingerprint(db: &Path) -> (u64, String) {
    let store = Sqlite::open(db, 1000).expect("open log");
    let head = store.head().expect("head");
    (head.seq, head.hash.to_hex())
}

/// The scenarios in events/scenarios, as (name, contents).
pub fn scenarios() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(repo("events/scenarios"))
        .expect("read scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read scenario"))
        })
        .collect();
    out.sort();
    out
}
