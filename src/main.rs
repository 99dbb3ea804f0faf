//! The `entente` binary: a shell around [`entente::cli::run`].

use std::process::ExitCode;

/// mimalloc: entente allocates many small strings per event, and frees them on
/// another thread than the one that parsed them (import, replay); glibc's allocator
/// spends a tenth of an import there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    entente::cli::main()
}
