//! `entente completions` and `entente man`: the shell's completion script and the
//! manual pages, both generated from the same clap definition as `--help`, so they
//! never fall behind it.

use std::io::Write;

use clap::CommandFactory;

use super::{Cli, CommandError, stdout};

/// Print a completion script for a shell
///
/// Completes commands, flags and the values of flags that take a closed set. Install it
/// where the shell looks, e.g.:
///
///   entente completions bash > ~/.local/share/bash-completion/completions/entente
///   entente completions zsh > ~/.zfunc/_entente   # with fpath+=~/.zfunc before compinit
///   entente completions fish > ~/.config/fish/completions/entente.fish
///   entente completions powershell >> $PROFILE
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

/// Print a manual page (roff), for `man`.
///
/// Without a command, the page of entente itself, which lists the commands; with one,
/// that command's page (entente-status(1)). Install with, e.g.,
/// `entente man > ~/.local/share/man/man1/entente.1` and
/// `entente man status > ~/.local/share/man/man1/entente-status.1`, or read one now with
/// `entente man status | man -l -`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The command whose page to print (`status`, `append`); none: entente's own.
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

pub fn completions(args: CompletionsArgs) -> Result<(), CommandError> {
    // Generated in memory: clap_complete panics on a failed write (a closed pipe), which
    // stdout's own write reports as an error instead.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "entente", &mut script);
    let mut out = stdout();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

pub fn man(args: ManArgs) -> Result<(), CommandError> {
    let mut cli = Cli::command();
    cli.build();
    let page = match &args.command {
        None => cli,
        Some(name) => {
            let Some(sub) = cli.find_subcommand(name) else {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).filter(|n| *n != "help").collect();
                return Err(CommandError::Usage(format!(
                    "`{name}` is not an entente command; the commands are {}",
                    names.join(", ")
                )));
            };
            // The page is entente-COMMAND(1), and its synopsis reads `entente COMMAND …`.
            sub.clone()
                .name(format!("entente-{name}"))
                .bin_name(format!("entente {name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff)?;
    let mut out = stdout();
    out.write_all(&roff)?;
    out.flush()?;
    Ok(())
}
