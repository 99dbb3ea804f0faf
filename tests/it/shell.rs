//! The completion script works in a real shell, and each manual page renders in `man`:
//! substance, not only exit 0.

use std::process::Command;

/// What bash completes for `words` (the last one being completed) with entente's script.
fn bash_completes(words: &[&str]) -> String {
    let script = Command::new(env!("CARGO_BIN_EXE_entente")).args(["completions", "bash"]).output().expect("run");
    assert!(script.status.success());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("entente.bash");
    std::fs::write(&path, &script.stdout).expect("write");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let last = words.len() - 1;
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={last}; _entente entente '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        quoted.join(" "),
        words[last],
        words[last - 1],
    );
    let out =
        Command::new("bash").arg("-c").arg(&program).output().expect("bash runs (it is on every machine CI uses)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn bash_completes_commands_flags_and_closed_values() {
    assert_eq!(bash_completes(&["entente", "sta"]).trim(), "status");
    assert_eq!(bash_completes(&["entente", "status", "--as"]).trim(), "--as-of");
    let formats = bash_completes(&["entente", "status", "--format", ""]);
    assert!(formats.contains("markdown") && formats.contains("csv"), "{formats}");
    let shells = bash_completes(&["entente", "completions", ""]);
    assert!(shells.contains("zsh") && shells.contains("powershell"), "{shells}");
}

#[test]
fn every_command_has_a_manual_page_naming_its_flags() {
    let page = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_entente")).args(args).output().expect("run");
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let main = page(&["man"]);
    for command in ["init", "append", "status", "verify", "brief", "completions"] {
        assert!(main.contains(&format!("entente\\-{command}(1)")), "entente(1) lists {command}");
        let own = page(&["man", command]);
        assert!(own.contains(&format!(".TH entente-{command} 1")), "{command}: {own}");
        assert!(own.contains(".SH SYNOPSIS") && own.contains(".SH OPTIONS"), "{command}");
        assert!(own.contains("\\-\\-db"), "{command} names the global --db");
    }
    assert!(page(&["man", "status"]).contains("\\-\\-as\\-of"));
}
