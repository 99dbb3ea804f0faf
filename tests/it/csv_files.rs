//! CSV read back by a real CSV reader (Python's `csv` module): every golden CSV in
//! projections/, and every CSV the CLI writes from a hostile log — cells that start
//! with `=`, `+`, `-`, `@`, a tab or a carriage return, quotes, commas, line breaks,
//! terminal escapes, bidi controls and non-ASCII text. Every row has the header's
//! width, no cell starts as a formula, and every text of the log comes back exactly
//! (with the neutralising `'` where it starts as a formula). The CLI's CSV of every
//! scenario is its golden file, byte for byte.
//!
//! Without python3 these tests fail, saying so: they never pass without the reader.

use std::path::{Path, PathBuf};

use crate::common::{Sandbox, repo, scenarios};
use crate::hostile_text::{HOSTILE, load, scenario};
use crate::projections::GOLDEN_AS_OF;

/// The reports that write CSV, and the header each starts with (projections/README.md).
const HEADERS: &[(&str, &str)] = &[
    (
        "status",
        "track,title,parties,stage,stage_since,stage_since_precision,stage_since_seq,last_activity,\
         last_activity_precision,last_activity_seq,meetings,calls,principles_open,principles_addressed,\
         commitments,overdue,next_deadline,next_deadline_commitment,unsourced,disputed",
    ),
    (
        "principles",
        "track,principle,text,state,standing,since,since_precision,open,reaffirmed,unsupported,one_sided,evidence",
    ),
    (
        "commitments",
        "track,commitment,text,parties,made,made_precision,state,progress,schedule,activity,pam,standing,due,\
         next_due,fulfilled,fulfilled_precision,fulfilled_seq,quiet_since,unsupported,one_sided,evidence",
    ),
    (
        "instruments",
        "track,instrument,title,type,parent,principal,stage,stage_since,stage_since_precision,stage_since_seq,\
         parties,articles,superseded_by,evidence",
    ),
    ("audit", "section,seq,recorded_at,recorded_by,kind,what,events,first,last"),
    (
        "deadlines",
        "due,due_precision,stated,stated_precision,track,commitment,milestone,outcome,state,parties,text,words,\
         interpreted,seq,recorded_at,amendments,evidence",
    ),
    ("sources", "title,publisher,published,published_precision,url,events,seqs"),
    ("log", "seq,id,recorded_at,recorded_by,occurred,occurred_precision,tracks,kind,unsourced,headline"),
];

/// Reads each file with Python's `csv` module; the rows of each, in order.
fn python_rows(files: &[PathBuf]) -> Vec<Vec<Vec<String>>> {
    const READER: &str = "import csv, json, sys\n\
        out = []\n\
        for name in sys.argv[1:]:\n\
        \x20   with open(name, newline='', encoding='utf-8') as f:\n\
        \x20       out.append([row for row in csv.reader(f, strict=True)])\n\
        print(json.dumps(out))\n";
    let output =
        std::process::Command::new("python3").arg("-c").arg(READER).args(files).output().unwrap_or_else(|e| {
            panic!("python3 could not run ({e}): these tests need it (apt-get install -y python3)")
        });
    assert!(output.status.success(), "python3's csv reader failed:\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("python3 printed JSON")
}

/// The header the report writes.
fn header(report: &str) -> Vec<String> {
    let (_, h) = HEADERS.iter().find(|(r, _)| *r == report).expect("a report that writes CSV");
    h.split(',').map(str::to_owned).collect()
}

/// Every row has the header's width, and no cell starts as a formula.
fn check_shape(what: &str, rows: &[Vec<String>], header: &[String]) {
    assert_eq!(rows.first().map(Vec::as_slice), Some(header), "{what}: the header");
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), header.len(), "{what}: row {n} has {} cells: {row:?}", row.len());
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{what}: row {n} has a formula cell {cell:?}");
        }
    }
}

#[test]
fn every_golden_csv_reads_back_with_its_header_and_width() {
    let mut files = Vec::new();
    for (report, _) in HEADERS.iter().filter(|(r, _)| !matches!(*r, "sources" | "log")) {
        for (name, _) in scenarios() {
            let stem = name.strip_suffix(".jsonl").expect("jsonl");
            files.push((report, repo(&format!("projections/{report}/{stem}.csv"))));
        }
    }
    let paths: Vec<PathBuf> = files.iter().map(|(_, p)| p.clone()).collect();
    let tables = python_rows(&paths);
    let mut rows = 0;
    for ((report, path), table) in files.iter().zip(&tables) {
        check_shape(&path.display().to_string(), table, &header(report));
        rows += table.len() - 1;
    }
    assert!(rows > 50, "the golden CSVs hold only {rows} rows");
}

/// A hostile text: a formula start (each of the six on a text every CSV carries), then the tag, a
/// quote, a comma and a line feed, the terminal escapes and bidi controls of
/// `hostile_text`, and non-ASCII letters.
fn hostile(tag: &str) -> String {
    let start = match tag {
        "Ttitle" => "=",
        "Ptext" => "+",
        "Ctext" => "-",
        "Ititle" => "@",
        "Stitle" => "\t",
        "Recorder" => "\r",
        _ => ["=", "+", "-", "@", "\t", "\r", ""][tag.len() % 7],
    };
    format!("{start}{tag}\"q\", x\n{HOSTILE} Kılıç ✓")
}

#[test]
fn csv_of_a_hostile_log_reads_back_exactly() {
    let s = Sandbox::new();
    load(&s, &scenario(&hostile));
    // Each report and the texts of the log it carries.
    let commands: Vec<(&str, Vec<&str>, &[&str])> = vec![
        ("status", vec!["status"], &["Ttitle"]),
        ("principles", vec!["principles"], &["Ptext"]),
        ("commitments", vec!["commitments"], &["Ctext"]),
        ("instruments", vec!["instruments"], &["Ititle"]),
        ("audit", vec!["audit"], &["Recorder", "Creason", "Rreason", "Note", "Dsource"]),
        ("deadlines", vec!["deadlines", "--all"], &["Ctext"]),
        ("sources", vec!["sources"], &["Stitle", "Spublisher", "Surl"]),
        ("log", vec!["log"], &["Recorder"]),
    ];
    let mut files = Vec::new();
    for (report, args, _) in &commands {
        let csv: Vec<&str> = args.iter().copied().chain(["--format", "csv"]).collect();
        files.push(s.file(&format!("{report}.csv"), &s.ok(&csv)));
    }
    let tables = python_rows(&files);
    for ((report, _, tags), table) in commands.iter().zip(&tables) {
        check_shape(report, table, &header(report));
        assert!(table.len() > 1, "{report}: no rows");
        let cells: Vec<&String> = table.iter().flatten().collect();
        // The whole cell (neutralised when it starts as a formula), or within one.
        for tag in *tags {
            let text = hostile(tag);
            let neutral = entente::report::csv::neutral(&text);
            assert!(
                cells.iter().any(|c| **c == *neutral || c.contains(text.as_str())),
                "{report}: no cell holds {text:?} exactly"
            );
        }
    }
    // The neutralising quote was needed, and is there.
    let all: Vec<&String> = tables.iter().flatten().flatten().collect();
    for start in ["'=", "'+", "'-", "'@", "'\t", "'\r"] {
        assert!(all.iter().any(|c| c.starts_with(start)), "no cell starts with {start:?}");
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn the_cli_writes_each_golden_csv_and_calendar() {
    let mut differ = Vec::new();
    for (name, contents) in scenarios() {
        let stem = name.strip_suffix(".jsonl").expect("jsonl");
        let s = Sandbox::new();
        s.ok(&["import", path(&s.file("scenario.jsonl", &contents))]);
        let mut runs: Vec<(String, Vec<&str>)> = ["status", "principles", "commitments", "instruments"]
            .into_iter()
            .map(|r| (format!("{r}/{stem}.csv"), vec![r, "--format", "csv", "--as-of", GOLDEN_AS_OF]))
            .collect();
        runs.push((format!("audit/{stem}.csv"), vec!["audit", "--format", "csv"]));
        for (format, ext) in [("text", "txt"), ("json", "json"), ("csv", "csv"), ("ics", "ics")] {
            runs.push((
                format!("deadlines/{stem}.{ext}"),
                vec!["deadlines", "--all", "--format", format, "--as-of", GOLDEN_AS_OF],
            ));
        }
        for (golden, args) in runs {
            let expected = std::fs::read_to_string(repo(&format!("projections/{golden}"))).expect("golden file");
            if s.ok(&args) != expected {
                differ.push(format!("{golden} (entente {})", args.join(" ")));
            }
        }
    }
    assert!(differ.is_empty(), "the CLI differs from the golden files:\n{}", differ.join("\n"));
}

#[test]
fn a_command_refuses_a_format_it_does_not_write_and_names_those_it_does() {
    let s = Sandbox::new();
    for (args, expected) in [
        (
            vec!["timeline", "--format", "csv"],
            "`entente timeline` does not write --format csv; it writes text, json, markdown or mermaid",
        ),
        (
            vec!["status", "--format", "ics"],
            "`entente status` does not write --format ics; it writes text, json, markdown or csv",
        ),
        (
            vec!["deadlines", "--format", "markdown"],
            "`entente deadlines` does not write --format markdown; it writes text, json, csv or ics",
        ),
    ] {
        let out = s.run(&args);
        assert_eq!(out.status.code(), Some(2), "entente {args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "entente {args:?}: {stderr}");
    }
}
