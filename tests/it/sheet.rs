//! `import --format csv`: a spreadsheet's rows become events through a column mapping;
//! a row that does not map is named by line and column, and nothing is written.

use crate::common::{Sandbox, repo};

const MAP: &str = "examples/timeline.map.toml";

fn opened() -> Sandbox {
    let s = Sandbox::new();
    s.ok(&[
        "append",
        "track-opened",
        "--track",
        "am-az",
        "--occurred",
        "2020-11-10",
        "--title",
        "Armenia–Azerbaijan normalization",
        "--party",
        "am=Armenia",
        "--party",
        "az=Azerbaijan",
        "--unsourced",
    ]);
    s
}

fn import(s: &Sandbox, sheet: &str, extra: &[&str]) -> std::process::Output {
    let map = repo(MAP);
    let mut args = vec!["import", "--format", "csv", sheet, "--map", map.to_str().expect("path")];
    args.extend_from_slice(extra);
    s.run(&args)
}

const HEADER: &str = "Ref,Date,Track,Type,What happened,Who,Where,Format,Commitment,Source,Outlet,Link\n";

#[test]
fn a_sheet_imports_once_and_a_dry_run_writes_nothing() {
    let s = opened();
    let sheet = repo("examples/timeline.csv");
    let sheet = sheet.to_str().expect("path");
    let before = s.fingerprint();
    let dry = import(&s, sheet, &["--dry-run"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let shown = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(shown.lines().filter(|l| l.starts_with("line ")).count(), 4, "{shown}");
    assert!(shown.contains("nothing was written"));
    assert_eq!(s.fingerprint(), before, "a dry run writes nothing");
    let first = import(&s, sheet, &[]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let after = s.fingerprint();
    assert_eq!(after.0, before.0 + 4);
    let again = import(&s, sheet, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("imported 0 new events"));
    assert_eq!(s.fingerprint(), after, "the same sheet twice records nothing new");
    let dry = import(&s, sheet, &["--dry-run"]);
    let shown = String::from_utf8_lossy(&dry.stdout);
    assert!(shown.contains("0 new events would be recorded") && shown.contains("4 already present"), "{shown}");
    // What the sheet made is an ordinary log: its export imports into a fresh one.
    let export = s.ok(&["export"]);
    let fresh = Sandbox::new();
    let file = fresh.file("export.jsonl", &export);
    fresh.ok(&["import", file.to_str().expect("path")]);
    assert_eq!(fresh.fingerprint(), s.fingerprint());
}

#[test]
fn a_row_the_log_refuses_is_named_by_line_and_column_and_nothing_is_written() {
    let s = opened();
    // Row 3 names a party the track does not have: the log's own rule, worded by column.
    let sheet = s.file(
        "t.csv",
        &format!(
            "{HEADER}T-1,2022-04-06,am-az,Meeting,Talks,Ilham Aliyev (az); Nikol Pashinyan (am),Brussels,,,Communiqué,,\n\
             T-2,2022-04-07,am-az,Meeting,Talks,Someone (zz),Brussels,,,Communiqué,,\n"
        ),
    );
    let before = s.fingerprint();
    let out = import(&s, sheet.to_str().expect("path"), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("t.csv:3: column 6 \"Who\" (payload.participants[0].party)"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn hostile_sheets_are_refused_whole_with_their_line() {
    let s = opened();
    let before = s.fingerprint();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("no-type.csv", b"Ref,Date,Track,What happened\n1,2022,am-az,x\n".to_vec(), "has no column \"Type\""),
        (
            "twice.csv",
            HEADER.replace("Outlet", "Source").into_bytes(),
            "has the header \"Source\" in columns 10 and 11",
        ),
        (
            "latin1.csv",
            [HEADER.as_bytes(), b"T,2022-05,am-az,Note,caf\xe9,,,,,Notes,,\n"].concat(),
            "t:2: column 5 \"What happened\": is not UTF-8",
        ),
        ("empty.csv", Vec::new(), "has no header row"),
        ("quotes.csv", format!("{HEADER}T,2022-05,am-az,Note,\"unterminated,,,,,Notes,,\n").into_bytes(), ""),
    ];
    for (name, bytes, expected) in cases {
        let path = s.dir.path().join(name);
        std::fs::write(&path, &bytes).expect("write");
        let out = import(&s, path.to_str().expect("path"), &[]);
        let err = String::from_utf8_lossy(&out.stderr).replace(&format!("{}", path.display()), "t");
        assert!(!out.status.success(), "{name} was taken");
        assert!(err.contains(expected), "{name}: {err}");
        assert_eq!(s.fingerprint(), before, "{name} wrote something");
    }
}

#[test]
fn the_flags_go_together_or_are_refused() {
    let s = opened();
    let sheet = repo("examples/timeline.csv");
    let sheet = sheet.to_str().expect("path");
    for args in [
        vec!["import", "--format", "csv", sheet],
        vec!["import", sheet, "--map", MAP],
        vec!["import", sheet, "--dry-run"],
        vec!["import", "--format", "csv", sheet, "--map", MAP, "--verify"],
        vec!["import", "--format", "xlsx", sheet],
    ] {
        let out = s.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
