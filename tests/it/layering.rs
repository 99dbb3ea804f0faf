//! The layers of src/, checked by reading the source: what each layer must not
//! mention (ARCHITECTURE.md's invariants, stated as what is absent). The pure core
//! touches no SQLite, no clap, no files, no environment and no clock, and knows nothing
//! of the log, the use cases or the CLI above it; the log knows no backend and no CLI;
//! only `src/store/sqlite/` speaks rusqlite, only `src/store/postgres/` speaks TLS
//! (the `postgres` crate shares its name with that module, so the scanner cannot tell
//! them apart: the core's and the log's bans on `crate::store` cover it), and only
//! `src/cli/` speaks clap.
//!
//! Every path a file names is read — through `use` trees (`use crate::{log::Filter}`),
//! `super::` and `self::` resolved, in code and attributes — with comments and string
//! literals left out. A folder of src/ without a rule here fails the test, so a new
//! layer gets one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::repo;

/// What the pure core must not mention.
const CORE: &[&str] = &[
    "rusqlite",
    "rustls",
    "clap",
    "std::fs",
    "std::env",
    "Utc::now",
    "SystemTime",
    "crate::store",
    "crate::log",
    "crate::app",
    "crate::cli",
];

/// What the backend-independent log must not mention.
const LOG: &[&str] = &["rusqlite", "rustls", "clap", "crate::store", "crate::cli"];

/// What the use cases must not mention: they run over any backend, for any front end.
const APP: &[&str] = &["crate::store", "crate::cli"];

/// What a storage backend must not mention: it stores rows for the log, and knows
/// nothing of who uses it.
const STORE: &[&str] = &["crate::app", "crate::cli"];

/// Every folder of src/, and the files of the pure core, with what they must not
/// mention (a folder's rule covers its files, not its subfolders). A rule for a path
/// that does not exist is an error, but for the alternatives of [`LAYOUTS`].
const RULES: &[(&str, &[&str])] = &[
    ("src/event/", CORE),
    ("src/date.rs", CORE),
    ("src/projection/", CORE),
    ("src/projection/status/", CORE),
    ("src/report/", CORE),
    ("src/report/html/", CORE),
    ("src/render.rs", CORE),
    ("src/text.rs", CORE),
    ("src/names.rs", CORE),
    ("src/log/", LOG),
    ("src/app/", APP),
    ("src/store/", STORE),
    ("src/store/sqlite/", STORE),
    ("src/store/postgres/", STORE),
    ("src/cli/", &[]),
];

/// Paths of which one exists, when a module moves from a file into a folder (none now).
const LAYOUTS: &[&[&str]] = &[];

/// Names only one folder may mention, wherever else in src/ they appear.
const ONLY_IN: &[(&str, &str)] = &[
    ("rusqlite", "src/store/sqlite/"),
    ("rustls", "src/store/postgres/"),
    ("tokio_postgres_rustls", "src/store/postgres/"),
    ("rustls_native_certs", "src/store/postgres/"),
    ("clap", "src/cli/"),
    ("clap_complete", "src/cli/"),
    ("clap_mangen", "src/cli/"),
    ("rustix", "src/env.rs"),
    ("toml", "src/app/"),
    ("maud", "src/report/html/"),
    // Display width is measured in one place, so every layout agrees on it.
    ("unicode_width", "src/text.rs"),
    // The terminal is ambient state: only env.rs asks for its size.
    ("terminal_size", "src/env.rs"),
    // Colour is decided and written by the CLI; the core only marks what means what.
    ("anstyle", "src/cli/"),
];

#[test]
fn every_layer_mentions_only_what_it_may() {
    let src = repo("src");
    let mut found: BTreeMap<(String, usize, String), Vec<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let rel = relative(&file);
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let module = module_of(&rel);
        for (line, path) in paths(&code_only(&text), &module) {
            let shown = path.join("::");
            let mut flag = |ban: &str, why: String| {
                if mentions(&path, ban) {
                    found.entry((rel.clone(), line, format!("`{ban}` (in `{shown}`)"))).or_default().push(why);
                }
            };
            if let Some((layer, bans)) = rule_of(&rel) {
                for ban in bans {
                    flag(ban, format!("{layer} must not mention it"));
                }
            }
            for (name, home) in ONLY_IN {
                if !rel.starts_with(home) {
                    flag(name, format!("only {home} may"));
                }
            }
        }
    }
    let report: Vec<String> = found
        .into_iter()
        .map(|((file, line, what), why)| format!("{file}:{line}: mentions {what}: {}", why.join("; ")))
        .collect();
    assert!(report.is_empty(), "layering broken:\n{}", report.join("\n"));
}

#[test]
fn every_folder_of_src_has_a_rule_and_every_rule_a_place() {
    let root = repo("");
    let mut folders = Vec::new();
    let mut stack = vec![repo("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(format!("{}/", relative(&path)));
                stack.push(path);
            }
        }
    }
    folders.sort();
    for folder in &folders {
        assert!(
            RULES.iter().any(|(path, _)| path == folder),
            "{folder} has no rule in tests/it/layering.rs: say what this layer must not mention"
        );
    }
    let alternative = |path: &str| LAYOUTS.iter().any(|paths| paths.contains(&path));
    for (path, _) in RULES {
        assert!(alternative(path) || root.join(path).exists(), "the rule for {path} names nothing in src/");
    }
    for paths in LAYOUTS {
        assert!(paths.iter().any(|p| root.join(p).exists()), "none of {paths:?} is in src/");
    }
}

/// The rule for the file `rel` (a path from the repository root): its layer's name and
/// what it must not mention.
fn rule_of(rel: &str) -> Option<(&'static str, &'static [&'static str])> {
    let folder = rel.rfind('/').map_or("", |i| &rel[..=i]);
    RULES.iter().find(|(path, _)| *path == rel || *path == folder).map(|(path, bans)| (*path, *bans))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// `path` from the repository root, with forward slashes.
fn relative(path: &Path) -> String {
    path.strip_prefix(repo("")).expect("inside the repository").to_string_lossy().replace('\\', "/")
}

/// The module path of the source file `rel`: `src/log/mod.rs` is `crate::log`,
/// `src/log/append.rs` is `crate::log::append`.
fn module_of(rel: &str) -> Vec<String> {
    let inner = rel.strip_prefix("src/").unwrap_or(rel).strip_suffix(".rs").unwrap_or(rel);
    let mut module = vec!["crate".to_owned()];
    module.extend(inner.split('/').filter(|s| !matches!(*s, "mod" | "lib" | "main")).map(str::to_owned));
    module
}

/// Whether `path` mentions `ban`: holds its segments in a row.
fn mentions(path: &[String], ban: &str) -> bool {
    let ban: Vec<&str> = ban.split("::").collect();
    path.windows(ban.len()).any(|w| w.iter().zip(&ban).all(|(a, b)| a == b))
}

/// The source with comments and the contents of string and character literals blanked
/// out (lines kept, so line numbers still hold). Lifetimes stay.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&chars, i) {
            // r"…", r#"…"#, br"…": up to the quote followed by as many hashes.
            let open = chars[i..].iter().position(|&c| c == '"').expect("a quote") + i;
            out.push('"');
            i = open + 1;
            while i < chars.len()
                && !(chars[i] == '"' && chars[i + 1..].iter().take(hashes).filter(|&&c| c == '#').count() == hashes)
            {
                blank(&mut out, chars[i]);
                i += 1;
            }
            out.push('"');
            i += 1 + hashes;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal ('x', '\n', '\u{2028}'); a lifetime has no closing quote.
            out.push('\'');
            i += 1;
            if chars.get(i) == Some(&'\\') {
                // The escape and the character after it, which may be a quote.
                i += 2;
            }
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            out.push('\'');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// How many hashes open the raw string literal at `i`, if one starts there.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    if is_ident(i.checked_sub(1).map(|j| chars[j])) {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some(hashes)
}

fn is_ident(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// A token of code: an identifier, `::`, or any other character.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Ident(String),
    Colons,
    Punct(char),
}

fn tokens(code: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = code.chars().collect();
    let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push((line, Token::Colons));
            i += 2;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && is_ident(Some(chars[i])) {
                i += 1;
            }
            let ident: String = chars[start..i].iter().collect();
            out.push((line, Token::Ident(ident.strip_prefix("r#").unwrap_or(&ident).to_owned())));
        } else {
            out.push((line, Token::Punct(c)));
            i += 1;
        }
    }
    out
}

/// Every path the code names, with its line: each `use` tree expanded into the paths it
/// imports, and every other `a::b::c` in the code; `self` and `super` resolved against
/// `module`, a leading `::` dropped.
fn paths(code: &str, module: &[String]) -> Vec<(usize, Vec<String>)> {
    let tokens = tokens(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            (_, Token::Ident(word)) if word == "use" => {
                let mut trees = Vec::new();
                i = use_tree(&tokens, i + 1, Vec::new(), &mut trees);
                out.extend(trees.into_iter().map(|(line, path)| (line, resolve(path, module))));
            }
            (line, Token::Ident(_)) | (line, Token::Colons) => {
                let line = *line;
                let mut path = Vec::new();
                while let Some((_, token)) = tokens.get(i) {
                    match token {
                        Token::Ident(word) => path.push(word.clone()),
                        Token::Colons => {}
                        Token::Punct(_) => break,
                    }
                    i += 1;
                    // A path goes on only through `::`.
                    let joined = matches!(tokens.get(i), Some((_, Token::Colons)))
                        || matches!(tokens.get(i - 1), Some((_, Token::Colons)));
                    if !joined {
                        break;
                    }
                }
                out.push((line, resolve(path, module)));
            }
            _ => i += 1,
        }
    }
    out
}

/// Reads the `use` tree at `i` under `prefix`, pushing each path it imports; the index
/// after it.
fn use_tree(
    tokens: &[(usize, Token)],
    mut i: usize,
    prefix: Vec<String>,
    out: &mut Vec<(usize, Vec<String>)>,
) -> usize {
    let mut path = prefix;
    let mut line = tokens.get(i).map_or(0, |t| t.0);
    while let Some((at, token)) = tokens.get(i) {
        match token {
            Token::Ident(word) if word == "as" => {
                // The alias is a new name, not a path: skip it.
                i += 2;
            }
            Token::Ident(word) => {
                line = *at;
                path.push(word.clone());
                i += 1;
            }
            Token::Colons => i += 1,
            Token::Punct('{') => {
                i += 1;
                loop {
                    i = use_tree(tokens, i, path.clone(), out);
                    match tokens.get(i) {
                        Some((_, Token::Punct(','))) => i += 1,
                        Some((_, Token::Punct('}'))) => return finish_group(tokens, i + 1),
                        _ => return i,
                    }
                    if matches!(tokens.get(i), Some((_, Token::Punct('}')))) {
                        return finish_group(tokens, i + 1);
                    }
                }
            }
            Token::Punct('*') => i += 1,
            Token::Punct(_) => break,
        }
    }
    if !path.is_empty() {
        out.push((line, path));
    }
    // Past the `;` that ends a whole `use`.
    if matches!(tokens.get(i), Some((_, Token::Punct(';')))) { i + 1 } else { i }
}

/// After a group's `}`: past a `;` ending the `use`, else where the outer group goes on.
fn finish_group(tokens: &[(usize, Token)], i: usize) -> usize {
    if matches!(tokens.get(i), Some((_, Token::Punct(';')))) { i + 1 } else { i }
}

/// `path` with a leading `self`/`super` read against `module`.
fn resolve(path: Vec<String>, module: &[String]) -> Vec<String> {
    match path.first().map(String::as_str) {
        Some("self") => module.iter().cloned().chain(path.into_iter().skip(1)).collect(),
        Some("super") => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let keep = module.len().saturating_sub(ups).max(1);
            module[..keep].iter().cloned().chain(path.into_iter().skip(ups)).collect()
        }
        _ => path,
    }
}

#[test]
fn the_scanner_reads_paths_through_use_trees_and_past_comments_and_strings() {
    let source = r##"
//! Mentions crate::store in a doc comment only.
use crate::{event::Hash, log::{Filter, Log as L}};
use super::super::app;
/* a block /* nested */ crate::cli */ use std::{fs, io::Write};
fn f<'a>(x: &'a str) -> char {
    let _ = "crate::store in a string";
    let _ = r#"rusqlite "in" a raw string"#;
    let _ = chrono::Utc::now();
    let _: Option<SystemTime> = None;
    '"'
}
#[derive(clap::Args)]
struct A;
"##;
    let module = module_of("src/projection/status.rs");
    assert_eq!(module, ["crate", "projection", "status"]);
    let found: Vec<(usize, String)> =
        paths(&code_only(source), &module).into_iter().map(|(line, p)| (line, p.join("::"))).collect();
    let has = |line: usize, path: &str| found.contains(&(line, path.to_owned()));
    assert!(has(3, "crate::event::Hash") && has(3, "crate::log::Filter") && has(3, "crate::log::Log"), "{found:?}");
    assert!(has(4, "crate::app"), "{found:?}");
    assert!(has(5, "std::fs") && has(5, "std::io::Write"), "{found:?}");
    assert!(has(9, "chrono::Utc::now") && has(10, "SystemTime") && has(13, "clap::Args"), "{found:?}");
    let joined: Vec<&str> = found.iter().map(|(_, p)| p.as_str()).collect();
    assert!(!joined.iter().any(|p| p.contains("store") || p.contains("cli") || p.contains("rusqlite")), "{found:?}");
    assert!(mentions(&["crate".into(), "log".into(), "Filter".into()], "crate::log"));
    assert!(!mentions(&["crate".into(), "logger".into()], "crate::log"));
}
