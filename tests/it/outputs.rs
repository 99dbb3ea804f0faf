//! Part 6, class 2: no command destroys the log or what an output path points at.
//! `export` refuses the log and its companions however they are spelled, any
//! non-regular file, and one file for both outputs; it writes with the umask's mode,
//! atomically, and a killed export leaves no temporary behind the next one.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::Sandbox;

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn mkfifo(at: &Path) -> bool {
    Command::new("mkfifo").arg(at).status().is_ok_and(|s| s.success())
}

/// The temporaries export leaves in `dir`, if any.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".entente-tmp-"))
        .collect()
}

/// Runs `export` with `args`; asserts it is refused with exit 2 and every fragment,
/// and that the log is as it was and still verifies.
fn refused(s: &Sandbox, args: &[&str], fragments: &[&str]) {
    let before = s.fingerprint();
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    let out = s.run(&all);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "export {args:?} was not refused: {err}");
    for f in fragments {
        assert!(err.contains(f), "export {args:?}: stderr lacks {f:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(s.fingerprint(), before, "export {args:?} changed the log");
    assert!(s.ok(&["verify"]).contains("verified 28 events"), "export {args:?} damaged the log");
    assert!(temporaries(s.dir.path()).is_empty(), "export {args:?} left a temporary");
}

#[test]
fn export_refuses_every_spelling_of_the_log_and_its_companions() {
    let s = Sandbox::seeded();
    let dir = s.dir.path();
    std::os::unix::fs::symlink(&s.db, dir.join("link.db")).expect("symlink");
    std::fs::create_dir(dir.join("sub")).expect("dir");
    std::os::unix::fs::symlink(dir, dir.join("sub/up")).expect("symlink to the folder");
    let here = dir.file_name().expect("name").to_string_lossy().into_owned();
    let spellings = [
        "entente.db".to_owned(),
        "./entente.db".to_owned(),
        format!("../{here}/entente.db"),
        "sub/../entente.db".to_owned(),
        "sub/up/entente.db".to_owned(),
        path(&s.db).to_owned(),
        "link.db".to_owned(),
        "entente.db-wal".to_owned(),
        "./entente.db-shm".to_owned(),
        // Absent now, and still the log's: SQLite would create and trust it.
        "entente.db-journal".to_owned(),
        "sub/up/entente.db-wal".to_owned(),
    ];
    for spelling in &spellings {
        refused(&s, &["--out", spelling], &["is the log", "writing there would destroy it"]);
        refused(&s, &["--out", "fine.jsonl", "--manifest", spelling], &["--manifest", "is the log"]);
        refused(&s, &["--manifest", spelling], &["--manifest", "is the log"]);
    }
    // A hard link is the log by another name. (While it exists the log itself refuses
    // to open, so the log is checked once the link is gone.)
    let before = s.fingerprint();
    let hard = dir.join("hard.db");
    std::fs::hard_link(&s.db, &hard).expect("hard link");
    for args in [&["--out", "hard.db"][..], &["--out", "fine.jsonl", "--manifest", "hard.db"]] {
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        let out = s.run(&all);
        assert_eq!(out.status.code(), Some(2), "export {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("is the log"), "{args:?}");
    }
    std::fs::remove_file(&hard).expect("unlink");
    assert_eq!(s.fingerprint(), before);
    assert!(temporaries(dir).is_empty());
    // `--out X` puts its manifest at X.manifest.json: that is checked too.
    std::fs::rename(&s.db, dir.join("x.manifest.json")).expect("rename");
    let moved = Sandbox { dir: tempfile::tempdir().expect("unused"), db: dir.join("x.manifest.json") };
    let out = s.cmd(&["export", "--out", "x"]).env("ENTENTE_DB", &moved.db).output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--out's manifest x.manifest.json: is the log"), "{err}");
    assert!(!dir.join("x").exists(), "nothing is written when an output is refused");
    assert_eq!(moved.fingerprint().0, 28);
}

#[test]
fn export_refuses_outputs_that_are_not_regular_files() {
    let s = Sandbox::seeded();
    let dir = s.dir.path();
    let target = s.file("target.txt", "keep me\n");
    std::os::unix::fs::symlink(&target, dir.join("to-file")).expect("symlink");
    std::os::unix::fs::symlink("/dev/null", dir.join("to-null")).expect("symlink");
    std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("dangling")).expect("symlink");
    std::fs::create_dir(dir.join("folder")).expect("dir");
    let _socket = std::os::unix::net::UnixListener::bind(dir.join("socket")).expect("socket");
    let fifo = mkfifo(&dir.join("fifo"));
    let mut cases: Vec<(&str, &str)> = vec![
        ("to-file", "is a symbolic link"),
        ("to-null", "is a symbolic link"),
        ("dangling", "is a symbolic link"),
        ("folder", "is a directory"),
        (".", "is a directory"),
        ("/dev/null", "is a device"),
        ("socket", "is a socket"),
    ];
    assert!(fifo, "mkfifo (coreutils) is needed");
    cases.push(("fifo", "is a FIFO"));
    for (output, why) in cases {
        refused(&s, &["--out", output], &[why]);
        refused(&s, &["--manifest", output], &[why]);
        refused(&s, &["--out", "fine.jsonl", "--manifest", output], &[why]);
    }
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep me\n", "the link's target is untouched");
    assert!(std::fs::symlink_metadata(dir.join("to-file")).expect("stat").file_type().is_symlink());
    assert!(std::fs::metadata("/dev/null").expect("stat").file_type().is_char_device(), "/dev/null is still a device");
    if fifo {
        assert!(std::fs::symlink_metadata(dir.join("fifo")).expect("stat").file_type().is_fifo());
    }
}

#[test]
fn out_and_manifest_must_be_two_files() {
    let s = Sandbox::seeded();
    std::fs::create_dir(s.dir.path().join("sub")).expect("dir");
    for (out, manifest) in [("x.jsonl", "x.jsonl"), ("x.jsonl", "./x.jsonl"), ("x.jsonl", "sub/../x.jsonl")] {
        refused(&s, &["--out", out, "--manifest", manifest], &["is the same file as --out"]);
    }
    let a = s.file("a.jsonl", "old\n");
    std::fs::hard_link(&a, s.dir.path().join("b.jsonl")).expect("hard link");
    refused(&s, &["--out", "a.jsonl", "--manifest", "b.jsonl"], &["is the same file as --out"]);
    assert_eq!(std::fs::read_to_string(&a).expect("read"), "old\n");
}

/// Runs `export --out OUT` under `sh` with `umask` set first.
fn export_with_umask(s: &Sandbox, umask: &str, out: &str) {
    let status = Command::new("sh")
        .args(["-c", &format!("umask {umask} && exec \"$0\" export --out {out}"), env!("CARGO_BIN_EXE_entente")])
        .current_dir(s.dir.path())
        .env_clear()
        .env("ENTENTE_DB", &s.db)
        .env("ENTENTE_NOW", crate::common::NOW)
        .stderr(Stdio::null())
        .status()
        .expect("run sh");
    assert!(status.success(), "export under umask {umask} failed");
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
}

#[test]
fn exports_get_the_mode_a_plain_create_would_give() {
    let s = Sandbox::seeded();
    let dir = s.dir.path();
    export_with_umask(&s, "022", "a.jsonl");
    assert_eq!(mode(&dir.join("a.jsonl")), 0o644, "0666 less umask 022");
    assert_eq!(mode(&dir.join("a.jsonl.manifest.json")), 0o644);
    export_with_umask(&s, "027", "b.jsonl");
    assert_eq!(mode(&dir.join("b.jsonl")), 0o640, "0666 less umask 027");
    assert_eq!(mode(&dir.join("b.jsonl.manifest.json")), 0o640);
    // A replaced file keeps the mode it had, as `>` would.
    std::fs::set_permissions(dir.join("a.jsonl"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    export_with_umask(&s, "022", "a.jsonl");
    assert_eq!(mode(&dir.join("a.jsonl")), 0o600);
    assert!(temporaries(dir).is_empty());
}

/// A log of `n` events, large enough for an export to be caught mid-write.
fn big_log(n: usize) -> Sandbox {
    let s = Sandbox::new();
    let mut text = String::from(
        r#"{"kind":"track_opened","version":1,"tracks":["x-y"],"occurred":"2020","unsourced":true,"payload":{"title":"X–Y","parties":[{"code":"x","name":"X"},{"code":"y","name":"Y"}]}}"#,
    );
    text.push('\n');
    for i in 0..n {
        text.push_str(&format!(
            r#"{{"kind":"context_noted","version":1,"tracks":["x-y"],"occurred":"2021","unsourced":true,"payload":{{"summary":"note {i} {}"}}}}"#,
            "padding ".repeat(40)
        ));
        text.push('\n');
    }
    let file = s.file("big.jsonl", &text);
    s.ok(&["import", path(&file)]);
    s
}

#[test]
fn a_killed_export_leaves_no_temporary_after_the_next() {
    let s = big_log(60_000);
    let dir = s.dir.path();
    let out = dir.join("out.jsonl");
    let mut caught = 0;
    for run in 0..3 {
        let mut child = s
            .cmd(&["export", "--out", "out.jsonl"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Kill it as soon as its temporary exists: mid-write.
        let start = entente::env::Stopwatch::start();
        while temporaries(dir).is_empty() && start.elapsed() < Duration::from_secs(20) {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if !temporaries(dir).is_empty() {
            caught += 1;
        }
        eprintln!("run {run}: temporaries after the kill: {:?}", temporaries(dir));
    }
    assert!(caught > 0, "no export was caught mid-write; the test proved nothing");
    // A live writer's temporary (locked) is left alone; a dead one's is removed.
    let live = dir.join(".out.jsonl.entente-tmp-live01");
    let held = std::fs::File::create(&live).expect("create");
    held.lock().expect("lock");
    s.ok(&["export", "--out", "out.jsonl"]);
    assert_eq!(
        temporaries(dir),
        [".out.jsonl.entente-tmp-live01"],
        "stale temporaries remain, or a live one was taken"
    );
    drop(held);
    s.ok(&["export", "--out", "out.jsonl"]);
    assert!(temporaries(dir).is_empty(), "{:?}", temporaries(dir));
    let text = std::fs::read_to_string(&out).expect("read export");
    assert_eq!(text.lines().count(), 60_001, "the export is whole");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.jsonl.manifest.json")).expect("read"))
            .expect("the manifest is whole JSON");
    assert_eq!(manifest["count"], 60_001);
    // And it imports, verified, into a fresh log.
    let t = Sandbox::new();
    t.ok(&["import", "--verify", path(&out)]);
    assert_eq!(t.fingerprint(), s.fingerprint());
}

#[test]
fn an_export_replaces_a_regular_file_whole_and_leaves_the_rest_alone() {
    let s = Sandbox::seeded();
    let dir = s.dir.path();
    let old = s.file("old.jsonl", "not an export\n");
    let other: PathBuf = dir.join("other-name");
    std::fs::hard_link(&old, &other).expect("hard link");
    s.ok(&["export", "--out", "old.jsonl"]);
    assert_eq!(std::fs::read_to_string(&old).expect("read").lines().count(), 28);
    // A new file was renamed over the name; the other link keeps the old contents.
    assert_eq!(std::fs::read_to_string(&other).expect("read"), "not an export\n");
    let t = Sandbox::new();
    t.ok(&["import", "--verify", path(&old)]);
    assert_eq!(t.fingerprint(), s.fingerprint());
}

#[test]
fn replay_out_refuses_a_report_path_that_is_the_log_or_not_a_regular_file() {
    let s = Sandbox::seeded();
    let reports = s.dir.path().join("reports");
    std::fs::create_dir(&reports).expect("dir");
    // A planted link where a report goes: the old writer followed it into the log.
    std::os::unix::fs::symlink(&s.db, reports.join("status.txt")).expect("symlink");
    let before = s.fingerprint();
    let out = s.run(&["replay", "--out", path(&reports)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("status.txt: is the log"), "{err}");
    assert_eq!(s.fingerprint(), before);
    assert!(s.ok(&["verify"]).contains("verified 28 events"));
    std::fs::remove_file(reports.join("status.txt")).expect("remove");
    std::os::unix::fs::symlink("/dev/null", reports.join("status.txt")).expect("symlink");
    let out = s.run(&["replay", "--out", path(&reports)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("status.txt: is a symbolic link"));
    std::fs::remove_file(reports.join("status.txt")).expect("remove");
    s.ok(&["replay", "--out", path(&reports)]);
    assert!(std::fs::read_to_string(reports.join("status.txt")).expect("read").contains("Status"));
    assert!(temporaries(&reports).is_empty());
}
