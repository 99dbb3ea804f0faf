//! `entente export`: the whole log as JSON Lines, the format `import` reads.

use std::io::Write;
use std::path::PathBuf;

use super::{CommandError, Ctx, stdout};

/// Write the whole log as JSON Lines, one event per line, in log order.
///
/// Importing the output into a fresh log reproduces it byte for byte, with the same
/// head hash.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to this file (atomically: it appears whole or not at all) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let store = ctx.open()?;
    match args.out {
        None => {
            let mut out = stdout();
            write_all(&store, &mut out)?;
            out.flush()?;
        }
        Some(path) => {
            let io = |e: std::io::Error| CommandError::Io { path: path.display().to_string(), message: e.to_string() };
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
            {
                let mut out = std::io::BufWriter::new(tmp.as_file_mut());
                write_all(&store, &mut out).map_err(|e| match e {
                    CommandError::Output(e) => io(e),
                    other => other,
                })?;
                out.flush().map_err(io)?;
            }
            tmp.as_file().sync_all().map_err(io)?;
            tmp.persist(&path).map_err(|e| io(e.error))?;
            let head = store.head()?;
            eprintln!("exported {} events to {} (head hash {})", head.seq, path.display(), head.hash);
        }
    }
    Ok(())
}

fn write_all(store: &crate::store::Store, out: &mut impl Write) -> Result<(), CommandError> {
    store.export_lines(|line| writeln!(out, "{line}").map_err(CommandError::Output))
}
