//! Part 6, class 2: `import --verify` verifies what it imports. The input is read
//! once (a FIFO or stdin serves other bytes on a second read), under import's 1 MiB
//! line limit, and any failure — a bad line, a manifest that does not match — leaves
//! the log exactly as it was.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{Sandbox, repo};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The seed scenario exported, with its manifest, from a log of its own.
fn seed_export(into: &Sandbox) -> (PathBuf, PathBuf) {
    let from = Sandbox::seeded();
    let out = into.dir.path().join("seed-export.jsonl");
    from.ok(&["export", "--out", path(&out)]);
    let manifest = into.dir.path().join("seed-export.jsonl.manifest.json");
    (out, manifest)
}

#[cfg(target_os = "linux")]
#[test]
fn a_fifo_is_read_once_and_what_was_verified_is_what_is_imported() {
    let s = Sandbox::new();
    let (good, manifest) = seed_export(&s);
    // A second, different export: a valid chain of its own, which the manifest does
    // not describe.
    let other = Sandbox::new();
    let lines = repo("events/scenarios/lifecycle.jsonl");
    other.ok(&["import", path(&lines)]);
    let evil_text = other.ok(&["export"]);
    let fifo = s.dir.path().join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().is_ok_and(|st| st.success()), "mkfifo (coreutils) is needed");
    let good_text = std::fs::read_to_string(&good).expect("read");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let server = {
        let (fifo, stop) = (fifo.clone(), stop.clone());
        std::thread::spawn(move || {
            // The first open gets the verified export.
            let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).expect("open fifo");
            let _ = w.write_all(good_text.as_bytes());
            drop(w);
            // Time for that reader to see the end and close; then any second open
            // (polled without blocking, so no reader means no wait) gets another log.
            std::thread::sleep(std::time::Duration::from_secs(1));
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                use std::os::unix::fs::OpenOptionsExt;
                const O_NONBLOCK: i32 = 0o4000; // Linux
                match std::fs::OpenOptions::new().write(true).custom_flags(O_NONBLOCK).open(&fifo) {
                    Ok(mut w) => {
                        let _ = w.write_all(evil_text.as_bytes());
                        return true;
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
                }
            }
            false
        })
    };
    let out = s.run(&["import", "--verify", path(&fifo), "--manifest", path(&manifest)]);
    let err = String::from_utf8_lossy(&out.stderr);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let served_twice = server.join().expect("server");
    assert!(out.status.success(), "{err}");
    assert!(!served_twice, "the import opened its input a second time");
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest).expect("read")).expect("json");
    assert_eq!(s.fingerprint(), (28, m["head_hash"].as_str().expect("hash").to_owned()), "imported what was verified");
}

#[test]
fn stdin_is_verified_as_it_is_imported() {
    let s = Sandbox::new();
    let (good, manifest) = seed_export(&s);
    let run = |input: &str| {
        let mut child = s
            .cmd(&["import", "--verify", "-", "--manifest", path(&manifest)])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.to_owned();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
        let out = child.wait_with_output().expect("wait");
        feeder.join().expect("feeder");
        out
    };
    let text = std::fs::read_to_string(&good).expect("read");
    let tampered = text.replacen("Kılıç", "Kilic", 1);
    assert_ne!(tampered, text);
    let out = run(&tampered);
    assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s.fingerprint().0, 0);
    let out = run(&text);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s.fingerprint().0, 28);
}

#[test]
fn an_over_long_line_is_refused_under_verify_as_under_import() {
    let s = Sandbox::new();
    let (good, manifest) = seed_export(&s);
    let mut text = std::fs::read_to_string(&good).expect("read");
    // 2 MiB of a JSON string on line 29: valid JSON, longer than an event may be.
    text.push_str(&format!("{{\"note\":\"{}\"}}\n", "x".repeat(2 << 20)));
    let file = s.file("long.jsonl", &text);
    let out = s.run(&["import", "--verify", path(&file), "--manifest", path(&manifest)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("long.jsonl:29:"), "names the line: {err}");
    assert!(err.contains("longer than 1 MiB"), "the import limit applies: {err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(s.fingerprint(), (0, entente::event::Hash::GENESIS.to_hex()));
}

#[test]
fn every_verification_failure_leaves_the_log_unchanged() {
    let s = Sandbox::new();
    let (good, manifest) = seed_export(&s);
    let text = std::fs::read_to_string(&good).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let manifest_text = std::fs::read_to_string(&manifest).expect("read");
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    let mut dropped_middle = lines.clone();
    dropped_middle.remove(10);
    let mut swapped = lines.clone();
    swapped.swap(3, 4);
    let new_event = r#"{"kind":"context_noted","version":1,"tracks":["am-az"],"occurred":"2022","unsourced":true,"payload":{"summary":"added"}}"#;
    // (name, export text, manifest text, expected fragment)
    let cases: Vec<(&str, String, String, &str)> = vec![
        ("edited line", text.replacen("Pashinyan", "Pashinian", 1), manifest_text.clone(), "edited after export"),
        ("last line dropped", join(&lines[..27]), manifest_text.clone(), "lines were added or removed"),
        ("middle line dropped", join(&dropped_middle), manifest_text.clone(), "lines are missing or out of order"),
        ("lines swapped", join(&swapped), manifest_text.clone(), "lines are missing or out of order"),
        ("a new event added", format!("{text}{new_event}\n"), manifest_text.clone(), "not an export line"),
        ("malformed line", format!("{text}{{\"kind\":\n"), manifest_text.clone(), "EOF while parsing"),
        ("empty file", String::new(), manifest_text.clone(), "the file holds 0 events"),
        ("manifest count", text.clone(), manifest_text.replace("\"count\": 28", "\"count\": 27"), "promises 27"),
        (
            "manifest format",
            text.clone(),
            manifest_text.replace("\"entente-export\"", "\"other\""),
            "format is `other`",
        ),
    ];
    // Onto a fresh log, and onto one that already holds the first ten events.
    let t = Sandbox::new();
    t.ok(&["import", path(&s.file("prefix.jsonl", &join(&lines[..10])))]);
    for target in [&s, &t] {
        for (name, export, manifest, fragment) in &cases {
            let before = target.fingerprint();
            let file = target.file("case.jsonl", export);
            let m = target.file("case.manifest.json", manifest);
            let out = target.run(&["import", "--verify", path(&file), "--manifest", path(&m)]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(5), "{name}: {err}");
            assert!(err.contains(fragment), "{name}: stderr lacks {fragment:?}: {err}");
            assert!(err.contains("nothing was imported"), "{name}: {err}");
            assert!(!err.contains("panicked"), "{name}: {err}");
            assert_eq!(target.fingerprint(), before, "{name}: the log changed");
        }
    }
    // A manifest that is not one is refused before anything is read.
    let huge = s.file("huge.manifest.json", &" ".repeat(100 << 10));
    let out = s.run(&["import", "--verify", path(&good), "--manifest", path(&huge)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is larger than 64 KiB"), "{err}");
    assert_eq!(s.fingerprint().0, 0);
}
