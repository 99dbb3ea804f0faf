//! The HTML brief from the command line: `--check` holds a brief to the log it names
//! (and says what differs), hostile text and URLs come out inert, `--track` narrows it,
//! and `--format html` is taken by the reports that have a page and refused, with the
//! formats named, by those that have none. The golden briefs are `report_paths.rs`'s,
//! the browser's view of them `browser.rs`'s.

use serde_json::{Value, json};

use crate::common::Sandbox;
use crate::projections::GOLDEN_AS_OF;

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A small log: a track opened, and a statement whose sources are hostile — markup in
/// the title, a `javascript:` URL, and a URL with characters HTML must escape.
fn hostile_log(s: &Sandbox) {
    let lines: Vec<Value> = vec![
        json!({"id": id(1), "kind": "track_opened", "version": 1, "tracks": ["x-y"], "occurred": "2021",
               "unsourced": true,
               "payload": {"title": "X–Y <b>bold</b>", "parties": [{"code": "x", "name": "Xland"}, {"code": "y", "name": "Yland"}]}}),
        json!({"id": id(2), "kind": "statement_made", "version": 1, "tracks": ["x-y"], "occurred": "2022-03",
               "sources": [
                   {"title": "<script>alert(1)</script>", "url": "javascript:alert(document.cookie)"},
                   {"title": "A \"quoted\" source", "url": "https://example.org/a?b=1&c=\"><img/src=x>"}],
               "payload": {"actor": {"name": "<img src=x onerror=alert(1)>", "party": "x"}, "summary": "S </title><script>x</script>"}}),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    let file = s.file("hostile.jsonl", &(text.join("\n") + "\n"));
    s.ok(&["import", file.to_str().expect("path")]);
}

/// Runs `entente brief` writing `name` in the sandbox; the file's contents.
fn brief(s: &Sandbox, name: &str, extra: &[&str]) -> String {
    let out = s.dir.path().join(name);
    let mut args = vec!["brief", "--as-of", GOLDEN_AS_OF, "--out", out.to_str().expect("path")];
    args.extend_from_slice(extra);
    s.ok(&args);
    std::fs::read_to_string(&out).expect("read the brief")
}

#[test]
fn hostile_text_and_urls_in_a_brief_are_inert() {
    let s = Sandbox::new();
    hostile_log(&s);
    let page = brief(&s, "brief.html", &[]);
    assert!(!page.to_lowercase().contains("<script"), "no script element, whatever the log says:\n{page}");
    assert!(!page.contains("<img"), "no image element:\n{page}");
    assert!(!page.contains("<b>bold"), "markup in a title is text:\n{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the title is shown, escaped:\n{page}");
    assert!(!page.contains("href=\"javascript:"), "a javascript: URL never becomes a link:\n{page}");
    assert!(page.contains("&lt;javascript:alert(document.cookie)&gt;"), "it is shown as text:\n{page}");
    assert!(
        page.contains("href=\"https://example.org/a?b=1&amp;c=&quot;&gt;&lt;img/src=x&gt;\""),
        "an https URL is a link, its attribute escaped:\n{page}"
    );
    // The statement's two sources are listed under it, and its mark carries them too.
    assert_eq!(page.matches("class=\"tl-mark").count(), 2, "one mark per event:\n{page}");
}

#[test]
fn a_brief_checks_against_its_log_and_says_what_differs() {
    let s = Sandbox::seeded();
    let file = s.dir.path().join("brief.html");
    let written = brief(&s, "brief.html", &[]);
    let path = file.to_str().expect("path");
    assert!(s.ok(&["brief", "--check", path]).contains(": identical"));

    // A brief edited by hand: the line that differs is named, exit 1.
    let edited = written.replacen("Armenia (am)", "Armenia (AM)", 1);
    assert_ne!(edited, written, "the seed brief names Armenia");
    std::fs::write(&file, &edited).expect("write");
    let out = s.run(&["brief", "--check", path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("differs from the brief this log gives at seq 28: line "), "{stderr}");
    assert!(stderr.contains("Armenia (AM)") && stderr.contains("Armenia (am)"), "both lines shown: {stderr}");

    // Another log, whose head at that seq is another event: named as such.
    std::fs::write(&file, &written).expect("write");
    let other = Sandbox::new();
    hostile_log(&other);
    let out = other.run(&["brief", "--check", path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("was written from a log whose head was seq 28"), "{stderr}");
    assert!(stderr.contains("no such event in this view"), "{stderr}");

    // Not a brief at all.
    let not = s.file("not.html", "<!DOCTYPE html><html><head></head><body></body></html>");
    let out = s.run(&["brief", "--check", not.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a brief entente wrote"));
}

#[test]
fn a_brief_known_at_a_time_and_of_one_track_checks_too() {
    let s = Sandbox::seeded();
    let page = brief(&s, "one.html", &["--track", "am-tr", "--known-at", "2026-11-28"]);
    assert_eq!(page.matches("<section class=\"track\"").count(), 1, "one track:\n{page}");
    assert!(page.contains("<meta name=\"entente-track\" content=\"am-tr\">"), "{page}");
    assert!(page.contains("<meta name=\"entente-known-at\" content=\"2026-11-28T23:59:59.999999Z\">"), "{page}");
    let path = s.dir.path().join("one.html");
    assert!(s.ok(&["brief", "--check", path.to_str().expect("path")]).contains(": identical"));

    let out = s.run(&["brief", "--track", "nowhere", "--out", "x.html"]);
    assert_eq!(out.status.code(), Some(6), "not found");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no track `nowhere` in this view"));
    assert!(!s.dir.path().join("x.html").exists(), "nothing written");
}

#[test]
fn format_html_is_a_page_where_a_report_has_one_and_refused_elsewhere() {
    let s = Sandbox::seeded();
    for args in [
        vec!["status"],
        vec!["principles"],
        vec!["commitments"],
        vec!["timeline"],
        vec!["explain", "am-az"],
        vec!["explain", "am-az-joint-border-commission"],
    ] {
        let mut all = args.clone();
        all.extend(["--format", "html", "--as-of", GOLDEN_AS_OF]);
        let page = s.ok(&all);
        assert!(page.starts_with("<!DOCTYPE html>"), "{args:?}: {page}");
        assert!(page.ends_with("</html>\n"), "{args:?}");
        assert!(!page.contains("<script"), "{args:?}");
    }
    let commitments = s.ok(&["commitments", "--format", "html", "--as-of", GOLDEN_AS_OF]);
    assert!(commitments.contains("class=\"deadline-row\""), "the commitments page draws the deadline chart");
    for args in [
        vec!["audit"],
        vec!["sources"],
        vec!["conditions"],
        vec!["instruments"],
        vec!["occasion"],
        vec!["history", "1"],
        vec!["diff", "--from", "2021-01-01", "--to", "2026-01-01"],
        vec!["demo"],
        vec!["trend"],
    ] {
        let mut all = args.clone();
        all.extend(["--format", "html"]);
        let out = s.run(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("`entente {}` does not write --format html; it writes text, json", args[0])),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
