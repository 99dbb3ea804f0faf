//! The project a command runs in, found as git finds `.git`: the nearest folder, from
//! the working folder up, that holds a project file (`entente.toml`) or a log
//! (`entente.db`). Its log is the one the file's `db` names, else its `entente.db`; the
//! file may also set the defaults of `--stall-days`, `--format` and who records.
//!
//! A file found this way is a stranger's unless this account owns it: in a shared
//! folder (`/tmp`), anyone could leave an `entente.db` or an `entente.toml` for the next
//! command run below it to use. Such a file is passed over — and said so — exactly as
//! git refuses a repository another user owns; `--db` still opens it deliberately.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The name of the log found by discovery.
pub const LOG_NAME: &str = "entente.db";
/// The name of the project file.
pub const FILE_NAME: &str = "entente.toml";

/// What a project file may set. Every key is optional; unknown keys are refused.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The log: a path (relative to the project folder) or a `postgres://` URL.
    pub db: Option<String>,
    /// Who records, when `ENTENTE_USER` is unset.
    pub user: Option<String>,
    /// The default of `--stall-days`.
    pub stall_days: Option<u32>,
    /// The default of `--format`, where a command writes it.
    pub format: Option<String>,
}

/// The project found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The folder that holds the project file or the log.
    pub dir: PathBuf,
    /// The project file, when there is one.
    pub file: Option<PathBuf>,
    /// What the file sets (nothing when there is no file).
    pub settings: Settings,
}

impl Project {
    /// The project's log: the file's `db` (a relative path taken from the project
    /// folder; a URL — anything with `://` — as it is, for the front end to check),
    /// else `entente.db` in the project folder.
    pub fn log(&self) -> PathBuf {
        match &self.settings.db {
            Some(db) if db.contains("://") => PathBuf::from(db),
            Some(db) => self.dir.join(db),
            None => self.dir.join(LOG_NAME),
        }
    }
}

/// What discovery found, and the files it passed over (each a sentence to show).
#[derive(Debug, Default)]
pub struct Discovery {
    /// The nearest project, if any.
    pub project: Option<Project>,
    /// Files passed over because this account does not own them: each path and a
    /// sentence to show.
    pub passed_over: Vec<(PathBuf, String)>,
}

/// A project file that cannot be used: the message names the file and the line.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}; see \"Project file\" in the README", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ProjectError {
    /// The file.
    pub path: String,
    /// The line, when the problem has one.
    pub line: Option<usize>,
    /// What is wrong and what to write.
    pub message: String,
}

/// Finds the project of `start` (the working folder): the nearest folder holding an
/// `entente.toml` or `entente.db` owned by `owner` (a user id; `None` where the system
/// has none, and then every file is taken).
pub fn discover(start: &Path, owner: Option<u32>) -> Result<Discovery, ProjectError> {
    let mut discovery = Discovery::default();
    for dir in start.ancestors() {
        let file = dir.join(FILE_NAME);
        let log = dir.join(LOG_NAME);
        let file_ok = usable(&file, owner, &mut discovery.passed_over);
        let log_ok = usable(&log, owner, &mut discovery.passed_over);
        if file_ok {
            let settings = read(&file)?;
            discovery.project = Some(Project { dir: dir.to_owned(), file: Some(file), settings });
            break;
        }
        if log_ok {
            discovery.project = Some(Project { dir: dir.to_owned(), file: None, settings: Settings::default() });
            break;
        }
    }
    Ok(discovery)
}

/// Whether `path` is a file discovery may use: it exists, is a regular file (after
/// links), and is owned by `owner` — and so is the link, when it is one (a link another
/// account made could lead to any of this account's files). One owned by someone else
/// is noted.
fn usable(path: &Path, owner: Option<u32>, passed_over: &mut Vec<(PathBuf, String)>) -> bool {
    let Ok(meta) = std::fs::metadata(path) else { return false };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    if let Some(owner) = owner {
        use std::os::unix::fs::MetadataExt;
        let link_owner = std::fs::symlink_metadata(path).map(|m| m.uid()).unwrap_or(owner);
        if meta.uid() != owner || link_owner != owner {
            passed_over.push((
                path.to_owned(),
                format!(
                    "{} is not yours (another account owns it), so it was not used; give --db to use a log there \
                 deliberately",
                    path.display()
                ),
            ));
            return false;
        }
    }
    let _ = (owner, passed_over);
    true
}

/// The most a project file may be: it is a handful of settings.
const MAX_FILE: u64 = 64 * 1024;

/// Reads and checks a project file.
fn read(path: &Path) -> Result<Settings, ProjectError> {
    let error = |line: Option<usize>, message: String| ProjectError { path: path.display().to_string(), line, message };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE {
        return Err(error(None, format!("is {size} bytes; a project file is a few settings (at most 64 KiB)")));
    }
    // Read at most one byte past the limit: a file that says it is small (a link into
    // /proc) is held to it too.
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(|e| error(None, format!("cannot be read: {e}")))?,
            MAX_FILE + 1,
        ),
        &mut bytes,
    )
    .map_err(|e| error(None, format!("cannot be read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(error(None, "is over 64 KiB; a project file is a few settings".to_owned()));
    }
    let text = String::from_utf8(bytes).map_err(|_| error(None, "is not UTF-8 text".to_owned()))?;
    parse(&text).map_err(|(line, message)| error(line, message))
}

/// Parses a project file's text: the settings, or the line and what is wrong there.
pub fn parse(text: &str) -> Result<Settings, (Option<usize>, String)> {
    let settings: Settings = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        // toml's message repeats the line and a caret drawing; its first line is the reason.
        let reason = e.message().lines().next().unwrap_or("not valid TOML").to_owned();
        let keys = if reason.contains("expected one of") { "" } else { " (the keys are db, user, stall_days, format)" };
        (line, format!("{reason}{keys}"))
    })?;
    let line_of = |key: &str| text.lines().position(|l| l.trim_start().starts_with(key)).map(|i| i + 1);
    if let Some(user) = &settings.user
        && user.trim().is_empty()
    {
        return Err((line_of("user"), "user is blank; name who records, or leave the key out".to_owned()));
    }
    if let Some(db) = &settings.db
        && db.trim().is_empty()
    {
        return Err((
            line_of("db"),
            "db is blank; name the log (a path or a postgres:// URL), or leave the key out".to_owned(),
        ));
    }
    if let Some(days) = settings.stall_days
        && days > crate::date::MAX_WITHIN_DAYS
    {
        return Err((
            line_of("stall_days"),
            format!("stall_days is {days}; write 0 to {}", crate::date::MAX_WITHIN_DAYS),
        ));
    }
    if let Some(format) = &settings.format
        && crate::names::parse::<crate::report::Format>(format).is_err()
    {
        use crate::names::Named;
        return Err((
            line_of("format"),
            format!("format `{format}` is not one; the formats are {}", crate::report::Format::NAMES.join(", ")),
        ));
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_file_sets_its_keys_and_refuses_others_naming_the_line() {
        let s =
            parse("db = \"logs/team.db\"\nuser = \"ana\"\nstall_days = 90\nformat = \"markdown\"\n").expect("valid");
        assert_eq!(s.db.as_deref(), Some("logs/team.db"));
        assert_eq!(s.stall_days, Some(90));
        let (line, message) = parse("user = \"ana\"\ncolour = \"red\"\n").expect_err("unknown key");
        assert_eq!(line, Some(2), "{message}");
        assert!(message.contains("colour") && message.contains("`stall_days`"), "{message}");
        let (line, message) = parse("\n\nformat = \"pdf\"\n").expect_err("unknown format");
        assert_eq!(line, Some(3));
        assert!(message.contains("`pdf`") && message.contains("markdown"), "{message}");
        assert!(parse("stall_days = -1\n").is_err());
        assert!(parse("stall_days = 99999999\n").is_err());
        assert!(parse("user = \"  \"\n").is_err());
    }

    #[test]
    fn the_nearest_folder_with_a_project_file_or_a_log_is_the_project() {
        let root = tempfile::tempdir().expect("tempdir");
        let deep = root.path().join("a/b/c");
        std::fs::create_dir_all(&deep).expect("mkdir");
        // Given nothing, when discovering, then no project.
        assert!(discover(&deep, None).expect("ok").project.is_none_or(|p| !p.dir.starts_with(root.path())));
        // Given a log two folders up, then it is the project's log.
        std::fs::write(root.path().join("a/entente.db"), b"").expect("write");
        let found = discover(&deep, None).expect("ok").project.expect("found");
        assert_eq!(found.log(), root.path().join("a/entente.db"));
        // Given a project file nearer, naming a log elsewhere, then that rules.
        std::fs::write(root.path().join("a/b/entente.toml"), "db = \"../shared.db\"\n").expect("write");
        let found = discover(&deep, None).expect("ok").project.expect("found");
        assert_eq!(found.log(), root.path().join("a/b/../shared.db"));
        // Given the files owned by someone else, then they are passed over, and said so.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let mine = std::fs::metadata(root.path()).expect("meta").uid();
            let other = discover(&deep, Some(mine.wrapping_add(1))).expect("ok");
            assert!(other.project.is_none_or(|p| !p.dir.starts_with(root.path())));
            let passed: Vec<String> = other.passed_over.iter().map(|(_, note)| note.clone()).collect();
            let passed = passed.join("\n");
            assert!(passed.contains("b/entente.toml") && passed.contains("a/entente.db"), "{passed}");
        }
    }
}
