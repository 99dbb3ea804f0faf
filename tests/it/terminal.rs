//! Output on a terminal (issue 16): tables sized by display width, the width from
//! `COLUMNS`, colour that means something (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`) and
//! the pager, run under a real pseudo-terminal (`script` from util-linux).

use entente::report::doc::{Medium, Text};
use entente::text::{shown, width};
use proptest::prelude::*;

use crate::common::{Sandbox, repo};

/// Cells mixing ASCII, CJK, combining marks, emoji (with a variation selector and a
/// joiner), controls, bidirectional overrides and backslashes.
fn cell() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "Z",
        " ",
        "7",
        "日",
        "本",
        "語",
        "한",
        "e\u{301}",
        "\u{308}",
        "x\u{327}\u{30c}",
        "👍",
        "❤\u{fe0f}",
        "👩\u{200d}💻",
        "\u{1b}[2J",
        "\r\n",
        "\u{202e}",
        "\\u{1b}",
        "—",
        "\u{fdd0}",
        "\t",
    ]);
    prop::collection::vec(pieces, 0..30).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn every_table_line_fits_and_every_cell_is_kept_or_cut_with_the_marker(
        rows in prop::collection::vec(prop::collection::vec(cell(), 3), 1..6),
        columns in 60usize..=160,
    ) {
        let narrow = Text { width: columns, color: false };
        let wide = Text { width: 100_000, color: false };
        let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| narrow.escape(c)).collect()).collect();
        let header = ["first", "second", "what"];
        let (mut cut, mut whole) = (String::new(), String::new());
        narrow.table(&mut cut, &header, &rows);
        wide.table(&mut whole, &header, &rows);
        let lines: Vec<&str> = cut.lines().collect();
        let full: Vec<&str> = whole.lines().collect();
        prop_assert_eq!(lines.len(), full.len());
        for (line, full) in lines.iter().zip(&full) {
            prop_assert!(width(line) <= columns, "{} columns: {:?}", width(line), line);
            if line != full {
                let kept = line.strip_suffix('…');
                prop_assert!(kept.is_some_and(|k| full.starts_with(k)), "{:?} is not a marked cut of {:?}", line, full);
            }
        }
        for (row, full) in rows.iter().zip(&full[1..]) {
            for c in row {
                prop_assert!(full.contains(c.trim_end()), "{:?} lost from {:?}", c, full);
            }
        }
    }
}

#[test]
fn cuts_never_halve_a_wide_character_or_part_a_mark_from_its_letter() {
    assert_eq!(entente::text::cut("日本語です", 6), "日本…");
    assert_eq!(entente::text::cut("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
    assert_eq!(width("日本"), 4);
    assert_eq!(width("e\u{301}"), 1);
    assert_eq!(width(&shown("\u{202e}")), "\\u{202e}".len());
}

/// The largest ANSI-free width of `text`'s lines.
fn widest(text: &str) -> usize {
    text.lines().map(width).max().unwrap_or(0)
}

#[test]
fn columns_sets_the_width_even_into_a_pipe_within_60_to_250() {
    let s = Sandbox::new();
    s.ok(&["import", repo("events/scenarios/camp-david.jsonl").to_str().expect("utf-8")]);
    let at = |columns: &str| {
        let out = s.cmd(&["status", "--as-of", "2026-01-01"]).env("COLUMNS", columns).output().expect("run");
        assert!(out.status.success());
        widest(&String::from_utf8(out.stdout).expect("utf-8"))
    };
    let plain = widest(&s.ok(&["status", "--as-of", "2026-01-01"]));
    assert!(plain <= 100 && plain > 90, "piped: 100 columns ({plain})");
    let wide = at("140");
    assert!(wide > 100 && wide <= 140, "COLUMNS=140 gives {wide}");
    assert_eq!(at("20"), at("60"), "below 60 lays out at 60");
    assert!(at("60") < plain);
    assert_eq!(at("wide"), plain, "a COLUMNS that is not a number is ignored");
}

#[test]
fn log_seq_column_is_as_wide_as_the_last_seq() {
    let s = Sandbox::new();
    s.ok(&["import", repo("events/scenarios/camp-david.jsonl").to_str().expect("utf-8")]);
    let log = s.ok(&["log"]);
    for line in log.lines() {
        let (seq, rest) = line.split_at(4);
        assert!(seq.trim_start().parse::<u64>().is_ok() || seq == " seq", "{line}");
        assert!(rest.starts_with("  ") && !rest[2..].starts_with(' '), "{line}");
        assert!(width(line) <= 100, "{line}");
    }
}

const RED_BOLD: &str = "\u{1b}[1m\u{1b}[31m";
const RESET: &str = "\u{1b}[0m";

/// `text` without SGR sequences.
fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after.find('m').expect("an SGR sequence ends with m");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn colour_means_something_and_never_moves_a_column() {
    let s = Sandbox::new();
    s.ok(&["import", repo("events/scenarios/camp-david.jsonl").to_str().expect("utf-8")]);
    let run = |args: &[&str], vars: &[(&str, &str)]| {
        let mut cmd = s.cmd(args);
        cmd.env_remove("NO_COLOR");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run");
        (String::from_utf8(out.stdout).expect("utf-8"), String::from_utf8(out.stderr).expect("utf-8"), out.status)
    };
    let never = run(&["commitments", "--as-of", "2026-01-01", "--color", "never"], &[]).0;
    let always = run(&["commitments", "--as-of", "2026-01-01", "--color", "always"], &[]).0;
    assert!(!never.contains('\u{1b}'));
    assert!(always.contains(&format!("{RED_BOLD}overdue{RESET}")), "{always}");
    assert!(always.contains("\u{1b}[32mfulfilled\u{1b}[0m"));
    assert!(always.contains("\u{1b}[33mstalled\u{1b}[0m"));
    assert_eq!(strip(&always), never, "colour changes no character and moves no column");
    let status = run(&["status", "--as-of", "2026-01-01", "--color", "always"], &[]).0;
    assert!(status.contains(&format!("{RED_BOLD}1 overdue{RESET}")), "{status}");
    // Piped, auto is off; NO_COLOR beats CLICOLOR_FORCE; the flag beats both.
    assert!(!run(&["status"], &[]).0.contains('\u{1b}'));
    assert!(run(&["status"], &[("CLICOLOR_FORCE", "1")]).0.contains('\u{1b}'));
    assert!(!run(&["status"], &[("CLICOLOR_FORCE", "0")]).0.contains('\u{1b}'), "0 does not force");
    assert!(!run(&["status"], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).0.contains('\u{1b}'));
    assert!(run(&["status", "--color", "always"], &[("NO_COLOR", "1")]).0.contains('\u{1b}'));
    assert!(!run(&["status", "--color", "never"], &[("CLICOLOR_FORCE", "1")]).0.contains('\u{1b}'));
    // Never JSON, CSV or Markdown.
    for format in ["json", "csv", "markdown"] {
        let out = run(&["commitments", "--format", format, "--color", "always"], &[]).0;
        assert!(!out.contains('\u{1b}'), "{format} is never coloured");
    }
    let (out, _, _) = run(&["verify", "--color", "always"], &[]);
    assert!(out.starts_with("\u{1b}[32mverified 36 events"), "{out}");
    let (_, err, status) = run(&["show", "999", "--color", "always"], &[]);
    assert!(!status.success());
    assert!(err.starts_with(&format!("{RED_BOLD}error:{RESET} ")), "{err:?}");
    let bogus = run(&["status", "--color", "bogus"], &[]);
    assert_eq!(bogus.2.code(), Some(2));
}

#[test]
fn the_logs_text_cannot_colour_itself() {
    let s = Sandbox::new();
    let hostile = "\u{fdd0}red\u{fddf} and \u{1b}[31mred";
    s.ok(&[
        "append",
        "track-opened",
        "--track",
        "x-y",
        "--occurred",
        "2023-01",
        "--title",
        hostile,
        "--party",
        "x=X",
        "--party",
        "y=Y",
        "--unsourced",
    ]);
    let mut cmd = s.cmd(&["log", "--color", "always"]);
    let out = String::from_utf8(cmd.output().expect("run").stdout).expect("utf-8");
    assert!(out.contains("\\u{fdd0}red\\u{fddf} and \\u{1b}"), "{out}");
    assert!(!out.contains('\u{1b}'), "only entente's own marks colour: {out:?}");
}

/// Whether `script` (util-linux) is here to give the binary a pseudo-terminal.
fn have_script() -> bool {
    std::process::Command::new("script").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Runs `entente ARGS` under a pseudo-terminal with `ENTENTE_PAGER` set to `pager`
/// (`script`: a script that notes it ran, with `LESS`, and copies what it reads to
/// paged.txt); returns what reached the terminal, and what the pager got (if it ran).
fn under_pty(s: &Sandbox, args: &str, pager: &str) -> (String, Option<String>) {
    let script = s.file("pager.sh", "#!/bin/sh\necho \"paged LESS=$LESS\" > ran.txt\ncat > paged.txt\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let bin = env!("CARGO_BIN_EXE_entente");
    let pager = if pager == "script" { script.to_string_lossy().into_owned() } else { pager.to_owned() };
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .current_dir(s.dir.path())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "dumb")
        .env("ENTENTE_DB", &s.db)
        .env("ENTENTE_NOW", crate::common::NOW)
        .env("ENTENTE_PAGER", pager)
        .env("NO_COLOR", "1")
        .output()
        .expect("run script");
    let paged = std::fs::read_to_string(s.dir.path().join("paged.txt")).ok();
    if paged.is_some() {
        let ran = std::fs::read_to_string(s.dir.path().join("ran.txt")).expect("ran.txt");
        assert_eq!(ran.trim(), "paged LESS=FRX", "LESS is set to FRX when unset");
        std::fs::remove_file(s.dir.path().join("paged.txt")).expect("remove paged.txt");
    }
    (String::from_utf8_lossy(&out.stdout).into_owned(), paged)
}

#[test]
fn reading_commands_on_a_terminal_go_through_the_pager() {
    if !have_script() {
        eprintln!("skipped: `script` (util-linux) is not installed, so no pseudo-terminal can be made");
        return;
    }
    let s = Sandbox::new();
    s.ok(&["import", repo("events/scenarios/camp-david.jsonl").to_str().expect("utf-8")]);
    let (shown, paged) = under_pty(&s, "log", "script");
    let paged = paged.expect("the pager ran");
    assert!(paged.contains("track_opened") && paged.lines().count() == 37, "{paged}");
    assert!(!shown.contains("track_opened"), "nothing bypassed the pager: {shown}");

    let (shown, paged) = under_pty(&s, "log --no-pager", "script");
    assert!(paged.is_none(), "--no-pager prints directly");
    assert!(shown.contains("track_opened"));

    for off in ["", "cat"] {
        let (shown, paged) = under_pty(&s, "status", off);
        assert!(paged.is_none() && shown.contains("Status"), "ENTENTE_PAGER={off:?} turns paging off");
    }

    let (shown, paged) = under_pty(&s, "verify", "script");
    assert!(paged.is_none() && shown.contains("verified 36 events"), "verify is not paged");

    let (shown, paged) = under_pty(&s, "status", "no-such-pager-here");
    assert!(paged.is_none());
    assert!(shown.contains("warning: cannot start the pager `no-such-pager-here`"), "{shown}");
    assert!(shown.contains("Status"), "printed directly: {shown}");
}
