//! Every field of every kind can be set from the command line, or the catalogue says
//! why not.
//!
//! The fields are read off the one parser, not listed here: a line holding an unknown
//! key at some place is refused with the fields that place takes ("unknown field `…`,
//! expected one of …"), so probing every place, and every object or list of objects
//! found there, lists every field of the envelope and of each payload; a field added
//! to the code shows up with no edit to this file. Each field is then looked for among
//! the flags of the command that records its kind (`entente append <kind> --help`;
//! `correct`, `retract` and `dispute` for the kinds about other events), or in the
//! table "Fields without a flag" of events/README.md, which says why there is none.

use std::collections::{BTreeMap, BTreeSet};

use entente::event::{Kind, parse_line};

use crate::common::{Sandbox, repo};

/// The key no struct has, whose refusal lists the keys a place does have.
const PROBE: &str = "zz-probe";

/// A valid envelope around a payload under test: `parse_line` reads the kind's payload
/// only once the envelope before it has passed.
fn line_with_payload(kind: Kind, payload: &str) -> String {
    format!(
        r#"{{"kind":"{}","version":1,"tracks":["t"],"occurred":"2020","unsourced":true,"payload":{payload}}}"#,
        kind.name()
    )
}

/// One step down from a place: into a field, or into the elements of a list.
#[derive(Clone)]
enum Step {
    Key(String),
    Each,
}

/// JSON holding `inner` at `path`, each object opening with the key on the path, so
/// the parser meets `inner` before anything else.
fn nested(path: &[Step], inner: &str) -> String {
    path.iter().rev().fold(inner.to_owned(), |inner, step| match step {
        Step::Key(key) => format!(r#"{{"{key}":{inner}}}"#),
        Step::Each => format!("[{inner}]"),
    })
}

/// How a field is written in this test and in the catalogue's table:
/// `payload.participants[].office`.
fn dotted(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) if out.is_empty() => out.push_str(key),
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Each => out.push_str("[]"),
        }
    }
    out
}

/// The fields (or, for an enum like a deadline, the variants) the parser names when it
/// refuses the probe key in `text`; `None` when it refuses `text` for another reason.
fn named_by_refusal(text: &str) -> Option<Vec<String>> {
    let error = match parse_line(text) {
        Ok(_) => return None,
        Err(e) => e.message,
    };
    let rest = [format!("unknown field `{PROBE}`"), format!("unknown variant `{PROBE}`")]
        .iter()
        .find_map(|opening| error.strip_prefix(opening.as_str()).map(str::to_owned))?;
    // "…, expected one of `a`, `b`", "…, expected `a`" or "…, there are no fields".
    Some(rest.split('`').skip(1).step_by(2).map(str::to_owned).collect())
}

/// Every leaf field at or below `path`, found by probing: `wrap` makes a whole line of
/// JSON standing at the top of `path`.
fn leaves(path: Vec<Step>, wrap: &dyn Fn(&str) -> String, out: &mut Vec<String>) {
    let probe = format!(r#"{{"{PROBE}":0}}"#);
    let mut inner = path.clone();
    let mut children = named_by_refusal(&wrap(&nested(&path, &probe)));
    if children.is_none() {
        inner.push(Step::Each);
        children = named_by_refusal(&wrap(&nested(&inner, &probe)));
    }
    match children {
        Some(names) if !names.is_empty() => {
            for name in names {
                let mut child = inner.clone();
                child.push(Step::Key(name));
                leaves(child, wrap, out);
            }
        }
        _ => out.push(dotted(&path)),
    }
}

/// Every field a line of `kind` can hold, envelope and payload, as dotted paths.
fn fields_of(kind: Kind) -> Vec<String> {
    let mut out = Vec::new();
    let top = |json: &str| json.to_owned();
    let envelope = named_by_refusal(&format!(r#"{{"{PROBE}":0}}"#)).expect("the envelope names its fields");
    assert!(envelope.iter().any(|f| f == "payload"), "the envelope has a payload: {envelope:?}");
    for field in envelope {
        if field == "payload" {
            // The payload is read by kind, once the envelope around it has passed.
            let in_payload = |json: &str| line_with_payload(kind, json);
            let payload = named_by_refusal(&in_payload(&format!(r#"{{"{PROBE}":0}}"#)))
                .unwrap_or_else(|| panic!("{kind}: the payload names its fields"));
            for name in payload {
                let mut found = Vec::new();
                leaves(vec![Step::Key(name)], &in_payload, &mut found);
                out.extend(found.into_iter().map(|f| format!("payload.{f}")));
            }
        } else {
            leaves(vec![Step::Key(field)], &top, &mut out);
        }
    }
    out
}

/// The command that records `kind` from flags.
fn command_of(kind: Kind) -> Vec<String> {
    match kind {
        Kind::EventCorrected => vec!["correct".to_owned()],
        Kind::EventRetracted => vec!["retract".to_owned()],
        Kind::EventDisputed => vec!["dispute".to_owned()],
        Kind::EventCorroborated => vec!["cite".to_owned()],
        _ => vec!["append".to_owned(), kind.name().replace('_', "-")],
    }
}

/// The long flags a command's `--help` lists.
fn flags_of(s: &Sandbox, command: &[String]) -> BTreeSet<String> {
    let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
    args.push("--help");
    let help = s.ok(&args);
    help.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("-h, ").unwrap_or(line);
            line.starts_with("--").then(|| line.split([' ', '=']).next().unwrap_or(line).to_owned())
        })
        .collect()
}

/// Fields whose flag is not named after the field's last part (`payload.place` is set by
/// `--place`). An entry covers the fields below it too; the longest entry that covers a
/// field rules.
const FLAG_OF: &[(&str, &str)] = &[
    ("tracks", "--track"),
    ("sources[].title", "--source"),
    ("payload.parties", "--party"),
    ("payload.participants", "--participant"),
    ("payload.actor.name", "--actor"),
    ("payload.actor.party", "--actor-party"),
    ("payload.actor.office", "--actor-office"),
    ("payload.principles[].text", "--principle"),
    // `proposal_answered`'s numbers; `proposal_tabled`'s are numbered by order (no flag).
    ("payload.principles", "--principle"),
    ("payload.principles[].number", "--number"),
    // A reference is one flag: `--subject commitment:ID`, `--on instrument:ID:STAGE`.
    ("payload.subject", "--subject"),
    ("payload.on", "--on"),
    ("payload.articles[].text", "--article"),
    ("payload.deadline.of.commitment", "--of-commitment"),
    ("payload.deadline.of.on", "--of-start"),
    ("payload.deadline.of.instrument", "--of-instrument"),
    ("payload.deadline.of.stage", "--of-stage"),
    ("payload.deadlines[].by", "--begin-by"),
    ("payload.deadlines[].within_days", "--begin-within-days"),
    ("payload.deadlines[].within_months", "--begin-within-months"),
    ("payload.deadlines[].words", "--begin-words"),
    ("payload.deadlines[].interpreted", "--begin-interpreted"),
    ("payload.deadlines[].of.commitment", "--of-commitment"),
    ("payload.deadlines[].of.on", "--of-start"),
    ("payload.deadlines[].of.instrument", "--of-instrument"),
    ("payload.deadlines[].of.stage", "--of-stage"),
];

/// The flag that would set `field`.
fn flag_for(field: &str) -> String {
    let covers =
        |entry: &str| field == entry || field.strip_prefix(entry).is_some_and(|rest| rest.starts_with(['.', '[']));
    match FLAG_OF.iter().filter(|(entry, _)| covers(entry)).max_by_key(|(entry, _)| entry.len()) {
        Some((_, flag)) => (*flag).to_owned(),
        None => {
            let last = field.rsplit('.').next().unwrap_or(field).trim_end_matches("[]");
            format!("--{}", last.replace('_', "-"))
        }
    }
}

/// The rows of events/README.md's "Fields without a flag": each (field, kind) it
/// covers, with its reason.
fn documented() -> BTreeMap<(String, Kind), String> {
    let readme = std::fs::read_to_string(repo("events/README.md")).expect("events/README.md");
    let heading = "## Fields without a flag";
    let at = readme.find(heading).unwrap_or_else(|| panic!("events/README.md lacks a section `{heading}`"));
    let backticked = |cell: &str| -> Vec<String> { cell.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    let mut rows = BTreeMap::new();
    let table = readme[at..].lines().skip(1).skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|'));
    for row in table.skip(2) {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        let [fields, kinds, reason] = cells.as_slice() else { panic!("a row of three cells: {row}") };
        assert!(!reason.is_empty(), "a row without a reason: {row}");
        let kinds: Vec<Kind> = if *kinds == "every kind" {
            Kind::ALL.to_vec()
        } else {
            backticked(kinds)
                .iter()
                .map(|k| Kind::from_name(k).unwrap_or_else(|| panic!("`{k}` is not a kind: {row}")))
                .collect()
        };
        assert!(!kinds.is_empty(), "a row naming no kind: {row}");
        for field in backticked(fields) {
            for kind in &kinds {
                rows.insert((field.clone(), *kind), (*reason).to_owned());
            }
        }
    }
    rows
}

#[test]
fn the_fields_are_read_off_the_parser() {
    // The probe itself, on fields known to be there: nested, in lists, in enums.
    let meeting = fields_of(Kind::MeetingHeld);
    for field in ["tracks", "sources[].author", "code.plover", "payload.participants[].office", "payload.mode"] {
        assert!(meeting.iter().any(|f| f == field), "meeting_held lacks {field}: {meeting:?}");
    }
    let made = fields_of(Kind::CommitmentMade);
    for field in ["payload.deadline.by", "payload.deadline.within_days", "payload.parties"] {
        assert!(made.iter().any(|f| f == field), "commitment_made lacks {field}: {made:?}");
    }
    assert!(!made.iter().any(|f| f == "payload"), "the payload is walked, not a field: {made:?}");
}

#[test]
fn every_field_of_every_kind_has_a_flag_or_a_reason() {
    let s = Sandbox::empty();
    let table = documented();
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    let mut seen = BTreeSet::new();
    for kind in Kind::ALL {
        let command = command_of(*kind);
        let flags = flags_of(&s, &command);
        for field in fields_of(*kind) {
            seen.insert((field.clone(), *kind));
            let flag = flag_for(&field);
            let offered = flags.contains(&flag);
            match (offered, table.contains_key(&(field.clone(), *kind))) {
                (false, false) => missing.push(format!(
                    "{kind} field `{field}`: `entente {} --help` offers no {flag}, and events/README.md's \
                     \"Fields without a flag\" does not give a reason",
                    command.join(" ")
                )),
                // `correct --track` and the like set the target's fields, not the correction's own.
                (true, true) if !kind.is_meta() => stale.push(format!(
                    "{kind} field `{field}`: `entente {} {flag}` sets it; drop its row from \"Fields without a flag\"",
                    command.join(" ")
                )),
                _ => {}
            }
        }
    }
    let unknown: Vec<String> = table
        .keys()
        .filter(|key| !seen.contains(*key))
        .map(|(field, kind)| format!("\"Fields without a flag\" names `{field}` of {kind}, which has no such field"))
        .collect();
    let problems: Vec<String> = missing.into_iter().chain(stale).chain(unknown).collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The last event of the log, as exported.
fn last_event(s: &Sandbox) -> serde_json::Value {
    let export = s.ok(&["export"]);
    serde_json::from_str(export.lines().last().expect("an event")).expect("an export line is JSON")
}

/// A log holding one track, `rt-fd`.
fn one_track() -> Sandbox {
    let s = Sandbox::new();
    s.ok(&[
        "append",
        "track-opened",
        "--track",
        "rt-fd",
        "--occurred",
        "2023",
        "--title",
        "Ruritania–Freedonia",
        "--party",
        "rt=Ruritania",
        "--party",
        "fd=Freedonia",
        "--source",
        "Communiqué",
        "--author",
        "A. Writer",
        "--locator",
        "p. 2",
    ]);
    s
}

#[test]
fn author_describes_the_one_source_like_publisher() {
    let s = one_track();
    let source = &last_event(&s)["sources"][0];
    assert_eq!(source["title"], "Communiqué");
    assert_eq!(source["author"], "A. Writer");
    assert_eq!(source["locator"], "p. 2");
    // `show` gives the event in full: the author too.
    assert!(s.ok(&["show", "1"]).contains("\u{201c}Communiqué\u{201d} by A. Writer"), "{}", s.ok(&["show", "1"]));
    let before = s.fingerprint();
    let out = s.run(&[
        "append",
        "context-noted",
        "--track",
        "rt-fd",
        "--occurred",
        "2023",
        "--summary",
        "x",
        "--source",
        "One",
        "--source",
        "Two",
        "--author",
        "A. Writer",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--author, --publisher, --url, --published and --locator describe one --source"),
        "{stderr}"
    );
    assert_eq!(s.fingerprint(), before);
}

#[test]
fn office_gives_a_participant_of_a_meeting_its_office() {
    let s = one_track();
    let meeting = |extra: &[&str]| {
        let mut args = vec![
            "append",
            "meeting-held",
            "--track",
            "rt-fd",
            "--occurred",
            "2023-05",
            "--format",
            "bilateral",
            "--participant",
            "party:rt:A. Minister",
            "--participant",
            "party:fd:B. Minister",
            "--unsourced",
        ];
        args.extend_from_slice(extra);
        s.run(&args)
    };
    assert!(meeting(&["--office", "A. Minister = Foreign Minister"]).status.success());
    let participants = &last_event(&s)["payload"]["participants"];
    assert_eq!(participants[0]["office"], "Foreign Minister");
    assert!(participants[1].get("office").is_none(), "{participants}");
    let shown = s.ok(&["show", "2"]);
    assert!(shown.contains("offices      A. Minister: Foreign Minister\n"), "{shown}");
    let before = s.fingerprint();
    for (extra, says) in [
        (&["--office", "C. Nobody=Envoy"][..], "--office `C. Nobody=Envoy`: no --participant is named `C. Nobody`"),
        (&["--office", "Foreign Minister"][..], "write NAME=OFFICE"),
        (&["--office", "A. Minister=X", "--office", "A. Minister=Y"][..], "that participant's office is given twice"),
        (&["--office", "A. Minister= "][..], "--office: must not be empty"),
    ] {
        let out = meeting(extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
        assert_eq!(s.fingerprint(), before, "{extra:?}");
    }
}

#[test]
fn dispute_takes_the_same_source_flags_as_append() {
    let s = one_track();
    s.ok(&[
        "dispute",
        "1",
        "--source",
        "Freedonian readout",
        "--author",
        "F. Spokesman",
        "--publisher",
        "Freedonia MFA",
        "--locator",
        "para. 4",
        "--note",
        "No such track was agreed.",
    ]);
    let source = &last_event(&s)["sources"][0];
    assert_eq!(source["title"], "Freedonian readout");
    assert_eq!(source["author"], "F. Spokesman");
    assert_eq!(source["publisher"], "Freedonia MFA");
    assert_eq!(source["locator"], "para. 4");
}
