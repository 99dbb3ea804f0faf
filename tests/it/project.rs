//! Finding the log without `--db` (from the working folder up, as git finds `.git`) and
//! the project file's defaults, through the binary in real folders.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::NOW;

/// The binary run in `dir` with no `ENTENTE_DB` (and no `ENTENTE_USER` unless given).
fn entente(dir: &Path, args: &[&str], user: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_entente"));
    cmd.args(args).current_dir(dir).env_clear().env("ENTENTE_NOW", NOW).env("ENTENTE_SEED", "7").env("USER", "os-user");
    if let Some(user) = user {
        cmd.env("ENTENTE_USER", user);
    }
    cmd.output().expect("run entente")
}

fn ok(dir: &Path, args: &[&str], user: Option<&str>) -> String {
    let out = entente(dir, args, user);
    assert!(out.status.success(), "entente {args:?} in {}: {}", dir.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

const OPENED: &[&str] = &[
    "append",
    "track-opened",
    "--track",
    "rt-fd",
    "--occurred",
    "2023-01-10",
    "--title",
    "Ruritania–Freedonia",
    "--party",
    "rt=Ruritania",
    "--party",
    "fd=Freedonia",
    "--unsourced",
];

#[test]
fn a_command_in_a_subfolder_finds_the_log_above_and_init_creates_one_here() {
    let root = tempfile::tempdir().expect("tempdir");
    let deep = root.path().join("notes/2023");
    std::fs::create_dir_all(&deep).expect("mkdir");
    // Given a log at the project's root, when a command runs two folders below, then it
    // uses that log.
    ok(root.path(), &["init"], None);
    ok(&deep, OPENED, None);
    let log = ok(&deep, &["log"], None);
    assert!(log.contains("rt-fd"), "{log}");
    assert!(root.path().join("entente.db").exists() && !deep.join("entente.db").exists());
    // Recorded by the system's user name when nothing else names one.
    let shown = ok(&deep, &["show", "1", "--format", "json"], None);
    assert!(shown.contains(r#""recorded_by":"os-user""#), "{shown}");
    // When `init` runs in the subfolder, then it creates a log there, never reusing the one above.
    let created = ok(&deep, &["init"], None);
    assert!(created.contains("entente.db") && deep.join("entente.db").exists(), "{created}");
    assert!(ok(&deep, &["log"], None).lines().count() == 1, "the new log is empty");
}

#[test]
fn a_project_file_names_the_log_and_sets_the_defaults_flags_and_variables_beat() {
    let root = tempfile::tempdir().expect("tempdir");
    let sub = root.path().join("drafts");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(
        root.path().join("entente.toml"),
        "db = \"logs/team.db\"\nuser = \"ana\"\nstall_days = 30\nformat = \"markdown\"\n",
    )
    .expect("write");
    std::fs::create_dir_all(root.path().join("logs")).expect("mkdir");
    // Given a project file naming logs/team.db, when init runs in a subfolder, then it
    // creates that log.
    ok(&sub, &["init"], None);
    assert!(root.path().join("logs/team.db").exists());
    ok(&sub, OPENED, None);
    // The file's user records when ENTENTE_USER is unset; ENTENTE_USER beats it.
    ok(
        &sub,
        &["append", "context-noted", "--track", "rt-fd", "--occurred", "2023-02", "--summary", "x", "--unsourced"],
        Some("bo"),
    );
    let log = ok(&sub, &["log", "--format", "json"], None);
    assert!(log.contains(r#""recorded_by":"ana""#) && log.contains(r#""recorded_by":"bo""#), "{log}");
    // Its format is the default where a command writes it (status: Markdown), not where
    // it does not (log: text); --format beats it.
    assert!(ok(&sub, &["status", "--as-of", "2023-06-01"], None).starts_with("# "), "status defaults to Markdown");
    assert!(ok(&sub, &["log"], None).starts_with(" seq"), "log has no Markdown: text");
    assert!(ok(&sub, &["status", "--as-of", "2023-06-01", "--format", "text"], None).starts_with("Status"));
    // --help says which log a command run here would use, and who named it.
    let help = ok(&sub, &["--help"], None).split_whitespace().collect::<Vec<_>>().join(" ");
    let named = format!(
        "[now: {}, named by {}]",
        root.path().join("logs/team.db").display(),
        root.path().join("entente.toml").display()
    );
    assert!(help.contains(&named), "{help}");
    // An explicit --db and ENTENTE_DB beat the project file.
    let other = root.path().join("other.db");
    ok(&sub, &["init", "--db", other.to_str().expect("utf-8")], None);
    assert!(other.exists());
}

#[test]
fn no_log_anywhere_says_where_entente_looked() {
    let root = tempfile::tempdir().expect("tempdir");
    let out = entente(root.path(), &["status"], None);
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no entente.db or entente.toml in this folder or any folder above it"), "{err}");
}

#[test]
#[ignore = "needs root to give a file to another account (.ci/run runs it as root)"]
fn as_root_a_log_another_account_owns_is_passed_over_and_said_so() {
    let root = tempfile::tempdir().expect("tempdir");
    let deep = root.path().join("shared/me");
    std::fs::create_dir_all(&deep).expect("mkdir");
    // Given an entente.db in a shared folder above, owned by another account (as anyone
    // could leave in /tmp), when a command runs below it, then it is not used, and said so.
    ok(&root.path().join("shared"), &["init"], None);
    let planted = root.path().join("shared/entente.db");
    let status = Command::new("chown").arg("65534").arg(&planted).status().expect("chown");
    assert!(status.success(), "chown needs root");
    let out = entente(&deep, &["log"], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not yours") && err.contains("shared/entente.db"), "{err}");
    assert_eq!(out.status.code(), Some(4), "no log of its own: {err}");
    // Given the stranger's log in the working folder itself, then ./entente.db is not
    // taken for it either.
    let here = entente(&root.path().join("shared"), &["log"], None);
    let err = String::from_utf8_lossy(&here.stderr);
    assert_eq!(here.status.code(), Some(2), "{err}");
    assert!(err.contains("is not yours") && here.stdout.is_empty(), "{err}");
    // Given a link another account made to this account's own log, then it is passed
    // over too (the link could lead anywhere).
    let trap = root.path().join("trap");
    std::fs::create_dir_all(trap.join("work")).expect("mkdir");
    let mine = root.path().join("mine");
    std::fs::create_dir_all(&mine).expect("mkdir");
    ok(&mine, &["init"], None);
    std::os::unix::fs::symlink(mine.join("entente.db"), trap.join("entente.db")).expect("link");
    let status = Command::new("chown").arg("-h").arg("65534").arg(trap.join("entente.db")).status().expect("chown");
    assert!(status.success());
    let out = entente(&trap.join("work"), &["log"], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not yours") && err.contains("trap/entente.db"), "{err}");
    // A project file that is a link into /proc is read no further than its limit.
    std::fs::remove_file(trap.join("entente.db")).expect("rm");
    std::os::unix::fs::symlink("/proc/self/pagemap", trap.join("entente.toml")).expect("link");
    let out = entente(&trap.join("work"), &["log"], None);
    assert!(out.status.code().is_some_and(|c| c != 0), "refused, not read whole");
}
