//! Every path the CLI takes to a report gives the golden file, byte for byte.
//!
//! `projections.rs` holds the golden files to what `replay --scenarios` writes (a log
//! in memory, replayed whole). The CLI reaches the same reports other ways, each of
//! which must say the same: `status`, `principles` and `commitments` from the status
//! snapshot (the run that builds it, and the runs that read it), from a snapshot caught
//! up with (or, after an amendment, rebuilt for) events imported since, and from a
//! streaming fold (`--known-at`, which never reads a snapshot); `timeline` and `audit`
//! as their commands list the log; and all six as `replay --out` writes them from a log
//! file. Each runs over every scenario of events/scenarios in a log file, under the view
//! the golden files were written with: `--as-of` [`GOLDEN_AS_OF`], the tests' clock.
//!
//! Every difference is collected, then the test fails naming each (scenario, report,
//! format, path) with the first line that differs.

use std::path::Path;

use entente::log::LogError;
use entente::names::Named;
use entente::report::Projection;
use entente::store::Sqlite;

use crate::common::{Sandbox, repo, scenarios};
use crate::projections::GOLDEN_AS_OF;

/// Each `--format` and the extension of its golden file.
const FORMATS: [(&str, &str); 3] = [("text", "txt"), ("json", "json"), ("markdown", "md")];

/// The reports the status fold serves (and with it, the snapshot).
const FOLDED: [&str; 5] = ["status", "principles", "commitments", "conditions", "instruments"];

/// A `--known-at` later than anything a log can record: it sees every event, but is a
/// view into the past, which the snapshot never answers.
const KNOWN_AT_THE_END: &str = "9999-12-31T23:59:59.999999Z";

/// A scenario's name without `.jsonl`.
fn stem(name: &str) -> &str {
    name.strip_suffix(".jsonl").expect("a .jsonl scenario")
}

/// The golden file as the CLI writes it from a log file holding the scenario: a
/// Markdown document's header says the log was verified through its last seq where
/// `replay --scenarios` says there was no stored log to verify; nothing else differs.
fn golden(projection: &str, scenario: &str, ext: &str) -> String {
    let path = repo(&format!("projections/{projection}/{}.{ext}", stem(scenario)));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let replayed =
        format!("> **verified:** not applicable: replayed from the scenario {scenario} (no stored log to verify)\n");
    if ext != "md" || !text.contains(&replayed) {
        return text;
    }
    let events = std::fs::read_to_string(repo(&format!("events/scenarios/{scenario}"))).expect("read scenario");
    let verified = format!("> **verified:** chain and snapshots intact through seq {}\n", events.lines().count());
    text.replacen(&replayed, &verified, 1)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A log file holding `contents` (a scenario), imported whole.
fn imported(contents: &str) -> Sandbox {
    let s = Sandbox::new();
    s.ok(&["import", path(&s.file("scenario.jsonl", contents))]);
    s
}

/// The seq of the status snapshot the log at `db` holds, while it is bound to the log.
fn snapshot_seq(db: &Path) -> Option<u64> {
    let log = Sqlite::open(db, 1000).expect("open log");
    log.consistent(|r| Ok::<_, LogError>(r.snapshot("status")?.map(|(seq, _)| seq))).expect("read the snapshot")
}

/// Runs `projection` in `format` under the golden view, with `extra` flags.
fn report(s: &Sandbox, projection: &str, format: &str, extra: &[&str]) -> String {
    let mut args = vec![projection, "--format", format, "--as-of", GOLDEN_AS_OF];
    args.extend_from_slice(extra);
    s.ok(&args)
}

/// The differences found so far, each a paragraph.
#[derive(Default)]
struct Differences(Vec<String>);

impl Differences {
    /// Notes a difference between what `path` produced and the golden file.
    fn compare(&mut self, what: &str, expected: &str, actual: &str) {
        if expected == actual {
            return;
        }
        let (e, a): (Vec<&str>, Vec<&str>) = (expected.split('\n').collect(), actual.split('\n').collect());
        let line = e.iter().zip(&a).position(|(e, a)| e != a).unwrap_or(e.len().min(a.len()));
        let at = |lines: &[&str]| lines.get(line).map_or("(end of file)".to_owned(), |l| format!("{l:?}"));
        self.0.push(format!(
            "{what}: line {} differs\n  golden: {}\n  actual: {}\n  ({} lines golden, {} lines actual)",
            line + 1,
            at(&e),
            at(&a),
            e.len(),
            a.len()
        ));
    }

    fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} report(s) differ from the golden files:\n\n{}",
            self.0.len(),
            self.0.join("\n\n")
        );
    }
}

/// Runs `check` on every scenario (its file name and contents), then fails naming each
/// difference it noted.
fn every_scenario(mut check: impl FnMut(&str, &str, &mut Differences)) {
    let mut differences = Differences::default();
    for (name, contents) in scenarios() {
        check(&name, &contents, &mut differences);
    }
    differences.assert_none();
}

#[test]
fn folded_reports_from_the_status_snapshot_equal_the_golden_files() {
    every_scenario(|name, contents, differences| {
        let s = imported(contents);
        let head = s.fingerprint().0;
        assert_eq!(snapshot_seq(&s.db), None, "{name}: an import saves no snapshot");
        for projection in FOLDED {
            for (format, ext) in FORMATS {
                let expected = golden(projection, name, ext);
                // The first report of the log folds the events and saves the snapshot;
                // every report after it reads the snapshot.
                let first = report(&s, projection, format, &[]);
                assert_eq!(snapshot_seq(&s.db), Some(head), "{name}: {projection} saved the snapshot at the head");
                let again = report(&s, projection, format, &[]);
                differences.compare(&format!("{name} {projection} --format {format}, run once"), &expected, &first);
                differences.compare(&format!("{name} {projection} --format {format}, run again"), &expected, &again);
            }
        }
    });
}

#[test]
fn folded_reports_from_a_snapshot_caught_up_or_rebuilt_equal_the_golden_files() {
    every_scenario(|name, contents, differences| {
        let lines: Vec<&str> = contents.lines().collect();
        for tail in [1, 3] {
            // The snapshot saved before the last `tail` events were imported: caught up
            // with them, or rebuilt when one of them is an amendment.
            let (before, after) = lines.split_at(lines.len() - tail);
            let s = imported(&format!("{}\n", before.join("\n")));
            report(&s, "status", "json", &[]);
            assert_eq!(snapshot_seq(&s.db), Some(before.len() as u64), "{name}: the snapshot before the tail");
            s.ok(&["import", path(&s.file("tail.jsonl", &format!("{}\n", after.join("\n"))))]);
            for projection in FOLDED {
                for (format, ext) in FORMATS {
                    let actual = report(&s, projection, format, &[]);
                    let what = format!("{name} {projection} --format {format}, snapshot {tail} event(s) behind");
                    differences.compare(&what, &golden(projection, name, ext), &actual);
                }
            }
            assert_eq!(snapshot_seq(&s.db), Some(lines.len() as u64), "{name}: the snapshot saved again at the head");
        }
    });
}

/// The golden file as a view known at `known_at` heads it: the header names the
/// cut-off (text and Markdown: "as known at …" for "everything recorded"; JSON: the
/// `known_at` key), and nothing else may differ.
fn as_known_at(golden: &str, ext: &str, known_at: &str) -> String {
    let (from, to) = match ext {
        "json" => ("\n  \"known_at\": null,\n".to_owned(), format!("\n  \"known_at\": \"{known_at}\",\n")),
        _ => (" · everything recorded · ".to_owned(), format!(" · as known at {known_at} · ")),
    };
    assert!(golden.contains(&from), "the golden header names no view: {golden}");
    let golden = golden.replacen(&from, &to, 1);
    match ext {
        "md" => {
            golden.replacen("> **known at:** everything recorded  \n", &format!("> **known at:** {known_at}  \n"), 1)
        }
        _ => golden,
    }
}

#[test]
fn reports_folded_while_streaming_equal_the_golden_files() {
    every_scenario(|name, contents, differences| {
        let s = imported(contents);
        for projection in FOLDED.into_iter().chain(["timeline"]) {
            for (format, ext) in FORMATS {
                let actual = report(&s, projection, format, &["--known-at", KNOWN_AT_THE_END]);
                let expected = as_known_at(&golden(projection, name, ext), ext, KNOWN_AT_THE_END);
                let what = format!("{name} {projection} --format {format} --known-at {KNOWN_AT_THE_END}");
                differences.compare(&what, &expected, &actual);
            }
        }
        assert_eq!(snapshot_seq(&s.db), None, "{name}: a view into the past neither reads nor saves the snapshot");
    });
}

#[test]
fn the_timeline_and_the_audit_as_their_commands_list_them_equal_the_golden_files() {
    every_scenario(|name, contents, differences| {
        let s = imported(contents);
        for (format, ext) in FORMATS {
            let timeline = report(&s, "timeline", format, &[]);
            differences.compare(
                &format!("{name} timeline --format {format}"),
                &golden("timeline", name, ext),
                &timeline,
            );
            // The audit reads the whole log whatever the view: it takes no --as-of.
            let audit = s.ok(&["audit", "--format", format]);
            differences.compare(&format!("{name} audit --format {format}"), &golden("audit", name, ext), &audit);
        }
    });
}

#[test]
fn replay_out_from_a_log_file_writes_the_golden_files() {
    every_scenario(|name, contents, differences| {
        let s = imported(contents);
        let out = s.dir.path().join("reports");
        s.ok(&["replay", "--out", path(&out), "--as-of", GOLDEN_AS_OF]);
        let mut written: Vec<String> = std::fs::read_dir(&out)
            .expect("read the reports")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        let mut expected: Vec<String> = Vec::new();
        // Every report, in every format it takes (`Projection::formats`).
        for &projection in <Projection as Named>::ALL {
            for &format in projection.formats() {
                let file = format!("{}.{}", projection.name(), format.extension());
                expected.push(file.clone());
                let Ok(actual) = std::fs::read_to_string(out.join(&file)) else { continue };
                let golden = golden(projection.name(), name, format.extension());
                differences.compare(&format!("{name} replay --out: {file}"), &golden, &actual);
            }
        }
        // And every event as a PLOVER record (docs/plover.md).
        expected.push("plover.jsonl".to_owned());
        if let Ok(actual) = std::fs::read_to_string(out.join("plover.jsonl")) {
            differences.compare(
                &format!("{name} replay --out: plover.jsonl"),
                &golden("plover", name, "jsonl"),
                &actual,
            );
        }
        expected.sort();
        assert_eq!(written, expected, "{name}: replay --out writes every report in every format, and only those");
        assert_eq!(snapshot_seq(&s.db), Some(s.fingerprint().0), "{name}: replay rebuilt the snapshot at the head");
    });
}

#[test]
fn the_brief_as_its_command_writes_it_equals_the_golden_file_and_checks() {
    every_scenario(|name, contents, differences| {
        let s = imported(contents);
        let out = s.dir.path().join("brief.html");
        let said = s.ok(&["brief", "--as-of", GOLDEN_AS_OF, "--out", path(&out)]);
        assert!(said.starts_with(&format!("wrote {}", path(&out))), "{name}: brief says what it wrote: {said}");
        let actual = std::fs::read_to_string(&out).expect("read the brief");
        differences.compare(&format!("{name} brief --out"), &golden("brief", name, "html"), &actual);
        // The brief checks against the log it was written from, and still does once the
        // log has grown: --check re-renders it from the log as it stood at its head.
        let checked = s.ok(&["brief", "--check", path(&out)]);
        assert!(checked.ends_with(": identical\n"), "{name}: {checked}");
    });
}
