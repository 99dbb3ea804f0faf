//! The `entente` binary: a shell around [`entente::cli::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    entente::cli::main()
}
