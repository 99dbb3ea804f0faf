//! The golden briefs in a real browser: each `projections/brief/*.html` is loaded in
//! headless Chromium (the one `ENTENTE_TEST_BROWSER` names; `.ci/run` installs Debian's
//! `chromium`), with a fresh profile, and must log no console message, make no network
//! request, and hold — in the DOM the browser built — as many timeline marks, stage
//! bands, deadline rows, state-over-time columns and table rows as the status and
//! timeline reports of the scenario say. A screenshot of each is written to
//! `target/brief/<scenario>.png` for review.
//!
//! How the browser is watched: `--dump-dom` prints the DOM after load;
//! `--enable-logging=stderr --v=0` prints every console message (`:CONSOLE`) and
//! uncaught error; `--log-net-log` writes every request the network stack starts, and a
//! request a page made is one whose network isolation key is the page's `file://` site
//! or whose initiator is an origin (the browser's own background requests have none).
//! `the_watch_sees_a_request_a_console_message_and_a_missing_mark` proves each check
//! can fail. Chromium runs under a time limit and is killed if it hangs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::{Datelike, Months, NaiveDate};
use serde_json::Value;

use crate::common::{Sandbox, repo};
use crate::projections::GOLDEN_AS_OF;

/// The browser, as `ENTENTE_TEST_BROWSER` names it.
fn chromium() -> PathBuf {
    #[expect(clippy::disallowed_methods, reason = "the test reads which browser to drive, as pg.rs reads its server")]
    let path = std::env::var_os("ENTENTE_TEST_BROWSER");
    PathBuf::from(path.expect("ENTENTE_TEST_BROWSER names a Chromium, e.g. /usr/bin/chromium"))
}

/// How long Chromium may take over one page before it is killed, in tenths of a second.
const LIMIT_TENTHS: u32 = 600;

/// What the browser made of a page.
struct Loaded {
    /// The DOM after load, serialized.
    dom: String,
    /// Console messages and uncaught errors.
    console: Vec<String>,
    /// URLs the page asked the network for.
    requests: Vec<String>,
}

/// Runs Chromium headless over `page` with `extra` flags and a fresh profile in `work`;
/// its stdout and stderr.
fn run_chromium(page: &Path, work: &Path, extra: &[String]) -> (String, String) {
    let profile = tempfile::tempdir_in(work).expect("profile dir");
    let (out_path, err_path) = (work.join("stdout.txt"), work.join("stderr.txt"));
    let url = format!("file://{}", page.canonicalize().expect("the page").display());
    let mut child = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        .args(["--disable-component-update", "--disable-sync", "--no-default-browser-check", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(&url)
        .stdin(Stdio::null())
        // Files, not pipes: a DOM larger than a pipe's buffer would block the browser.
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("start ENTENTE_TEST_BROWSER");
    let mut waited = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the browser") {
            break status;
        }
        if waited >= LIMIT_TENTHS {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{}: the browser took longer than {}s and was killed", page.display(), LIMIT_TENTHS / 10);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    };
    let stdout = std::fs::read_to_string(&out_path).expect("read stdout");
    let stderr = std::fs::read_to_string(&err_path).expect("read stderr");
    assert!(status.success(), "{}: the browser failed ({status}):\n{stderr}", page.display());
    (stdout, stderr)
}

/// Loads `page`, watching its console and its requests, and writes a screenshot of it
/// to `shot` when given (in the same run: one start of the browser per page).
fn load(page: &Path, work: &Path, shot: Option<&Path>) -> Loaded {
    let net = work.join("net.json");
    let mut extra = vec![
        "--enable-logging=stderr".to_owned(),
        "--v=0".to_owned(),
        format!("--log-net-log={}", net.display()),
        "--dump-dom".to_owned(),
    ];
    if let Some(png) = shot {
        extra.push(format!("--screenshot={}", png.display()));
        extra.push("--window-size=1280,2400".to_owned());
    }
    let (dom, stderr) = run_chromium(page, work, &extra);
    if let Some(png) = shot {
        let size = std::fs::metadata(png).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{}: the screenshot is empty ({size} bytes)", png.display());
    }
    let console =
        stderr.lines().filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught")).map(str::to_owned).collect();
    let log = std::fs::read_to_string(&net).expect("read the net log");
    Loaded { dom, console, requests: page_requests(&log) }
}

/// The URLs a page (not the browser itself) asked for, from a Chromium net log.
fn page_requests(log: &str) -> Vec<String> {
    // Chromium may leave the last event unterminated; the events before it are whole.
    let value: Value = serde_json::from_str(log)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", log.trim_end().trim_end_matches(','))))
        .expect("the net log is JSON");
    let mut urls = Vec::new();
    for event in value["events"].as_array().expect("net log events") {
        let params = &event["params"];
        let Some(url) = params["url"].as_str() else { continue };
        let key = params["network_isolation_key"].as_str().unwrap_or_default();
        let initiator = params["initiator"].as_str().unwrap_or("not an origin");
        if key.contains("file://") || initiator != "not an origin" {
            urls.push(url.to_owned());
        }
    }
    urls.sort();
    urls.dedup();
    urls
}

/// What a track of a brief must hold, from the scenario's status and timeline reports.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    marks: usize,
    bands: usize,
    deadline_rows: usize,
    over_time_columns: usize,
    principle_rows: usize,
    commitment_rows: usize,
}

/// The first and last day of a date as JSON writes it (`2021`, `2021-12`, `2021-12-14`,
/// or two of those as `FROM/TO`).
fn days(date: &str) -> (NaiveDate, NaiveDate) {
    let point = |p: &str| -> (NaiveDate, NaiveDate) {
        let parts: Vec<u32> = p.split('-').map(|x| x.parse().expect("a number")).collect();
        let y = parts[0] as i32;
        match parts[1..] {
            [] => (NaiveDate::from_ymd_opt(y, 1, 1).expect("day"), NaiveDate::from_ymd_opt(y, 12, 31).expect("day")),
            [m] => {
                let first = NaiveDate::from_ymd_opt(y, m, 1).expect("day");
                (first, first + Months::new(1) - chrono::Days::new(1))
            }
            [m, d, ..] => {
                let day = NaiveDate::from_ymd_opt(y, m, d).expect("day");
                (day, day)
            }
        }
    };
    match date.split_once('/') {
        Some((a, b)) => (point(a).0, point(b).1),
        None => point(date),
    }
}

/// The days a track's state-over-time chart has a column for: each month's end from
/// the month the first track opened that the track had opened by, before the as-of,
/// then the as-of.
fn columns(first_opening: NaiveDate, opened_by: NaiveDate, as_of: NaiveDate) -> usize {
    let mut n = 0;
    let mut month = first_opening.with_day(1).expect("day");
    loop {
        let end = month + Months::new(1) - chrono::Days::new(1);
        if end >= as_of {
            break;
        }
        if end >= opened_by {
            n += 1;
        }
        month = month + Months::new(1);
    }
    n + 1
}

/// What each track of the scenario `contents` must show, in the brief's order.
fn expected(contents: &str) -> Vec<Counts> {
    let s = Sandbox::new();
    s.ok(&["import", s.file("scenario.jsonl", contents).to_str().expect("path")]);
    let status: Value =
        serde_json::from_str(&s.ok(&["status", "--format", "json", "--as-of", GOLDEN_AS_OF])).expect("status JSON");
    let timeline: Value =
        serde_json::from_str(&s.ok(&["timeline", "--format", "json", "--as-of", GOLDEN_AS_OF])).expect("timeline JSON");
    let as_of: NaiveDate = GOLDEN_AS_OF.parse().expect("day");
    let tracks = status["tracks"].as_array().expect("tracks");
    let opening = |t: &Value| days(t["stage_history"][0]["at"]["date"].as_str().expect("opening date"));
    let first = tracks.iter().map(|t| opening(t).0).min().unwrap_or(as_of);
    tracks
        .iter()
        .zip(timeline["tracks"].as_array().expect("timeline tracks"))
        .map(|(t, events)| {
            let count = |key: &str| t[key].as_array().map_or(0, Vec::len);
            let charts = usize::from(count("commitments") > 0) + usize::from(count("principles") > 0);
            Counts {
                marks: events["events"].as_array().expect("events").len(),
                bands: count("stage_history"),
                deadline_rows: count("commitments"),
                over_time_columns: charts * columns(first, opening(t).1, as_of),
                principle_rows: count("principles"),
                commitment_rows: count("commitments"),
            }
        })
        .collect()
}

/// What each track of a brief's DOM holds.
fn found(dom: &str) -> Vec<Counts> {
    dom.split("<section class=\"track\"")
        .skip(1)
        .map(|section| {
            let n = |needle: &str| section.matches(needle).count();
            Counts {
                marks: n("class=\"tl-mark "),
                bands: n("class=\"stage-band\""),
                deadline_rows: n("class=\"deadline-row\""),
                over_time_columns: n("class=\"ot-col\""),
                principle_rows: n("class=\"principle-row\""),
                commitment_rows: n("class=\"commitment-row\""),
            }
        })
        .collect()
}

/// Everything wrong with `loaded` as the brief whose tracks should hold `expected`.
fn problems(loaded: &Loaded, expected: &[Counts]) -> Vec<String> {
    let mut out = Vec::new();
    if !loaded.console.is_empty() {
        out.push(format!("console: {:?}", loaded.console));
    }
    if !loaded.requests.is_empty() {
        out.push(format!("network requests: {:?}", loaded.requests));
    }
    if loaded.dom.contains("<script") {
        out.push("a script element".to_owned());
    }
    let found = found(&loaded.dom);
    if found != expected {
        out.push(format!("counts differ:\n  expected {expected:?}\n  found    {found:?}"));
    }
    out
}

/// Where screenshots go: `target/brief/`, beside this test binary's `target/<profile>/`.
fn screenshots() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    // target/<profile>/deps/it-<hash>
    let target = exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(|| repo("target"));
    let dir = target.join("brief");
    std::fs::create_dir_all(&dir).expect("target/brief");
    dir
}

#[test]
#[cfg_attr(not(entente_test_browser), ignore = "browser: set ENTENTE_TEST_BROWSER=/usr/bin/chromium")]
fn every_golden_brief_loads_in_a_browser_clean_and_whole() {
    let work = tempfile::tempdir().expect("work dir");
    let shots = screenshots();
    let mut failures = Vec::new();
    for (name, contents) in crate::common::scenarios() {
        let stem = name.trim_end_matches(".jsonl");
        let page = repo(&format!("projections/brief/{stem}.html"));
        let loaded = load(&page, work.path(), Some(&shots.join(format!("{stem}.png"))));
        let expected = expected(&contents);
        assert!(!expected.is_empty(), "{stem}: the scenario has tracks");
        for p in problems(&loaded, &expected) {
            failures.push(format!("{stem}: {p}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[cfg_attr(not(entente_test_browser), ignore = "browser: set ENTENTE_TEST_BROWSER=/usr/bin/chromium")]
fn the_watch_sees_a_request_a_console_message_and_a_missing_mark() {
    let work = tempfile::tempdir().expect("work dir");
    // A golden brief with an image from the network, a script that logs, and one mark
    // fewer: each must be reported.
    let golden = std::fs::read_to_string(repo("projections/brief/seed.html")).expect("the seed brief");
    let injected = golden
        .replacen("<body>", "<body><img src=\"http://example.invalid/x.png\"><script>console.log(\"hi\")</script>", 1)
        .replacen("class=\"tl-mark ", "class=\"gone ", 1)
        // Without the policy that forbids both, so the browser tries.
        .replacen("<meta http-equiv=\"Content-Security-Policy\"", "<meta name=\"was-csp\"", 1);
    let page = work.path().join("injected.html");
    std::fs::write(&page, injected).expect("write the page");
    let loaded = load(&page, work.path(), None);
    let expected = expected(&std::fs::read_to_string(repo("events/scenarios/seed.jsonl")).expect("seed"));
    let found = problems(&loaded, &expected).join("\n");
    assert!(found.contains("http://example.invalid/x.png"), "the request is seen:\n{found}");
    assert!(found.contains("console: ") && found.contains("hi"), "the console message is seen:\n{found}");
    assert!(found.contains("a script element"), "{found}");
    assert!(found.contains("counts differ"), "the missing mark is seen:\n{found}");

    // And the golden brief itself, with its policy, is clean.
    let clean = load(&repo("projections/brief/seed.html"), work.path(), None);
    assert_eq!(problems(&clean, &expected), Vec::<String>::new());
}
