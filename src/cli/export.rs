//! `entente export`: the whole log as JSON Lines, the format `import` reads.

use std::io::Write;
use std::path::PathBuf;

use super::{CommandError, Ctx, output, stdout};
use crate::log::{Head, ReadTxn, Reader};

/// Write the whole log as JSON Lines, one event per line, in log order.
///
/// Importing the output into a fresh log reproduces it byte for byte, with the same
/// head hash.
///
/// Files are replaced whole (a new file renamed over the name, with the mode a plain
/// create gives, or the replaced file's mode). Refused, before anything is written: an
/// output that is the log or its -wal, -shm or -journal file (however spelled: through
/// symlinks, `..`, hard links), --out and --manifest naming one file, and any output
/// that exists but is not a regular file — a directory, FIFO, socket, device, or any
/// symbolic link (even to a regular file: renaming over the name would replace the link,
/// not write through it; give the path the link points to).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to this regular file (atomically: it appears whole or not at all) instead of
    /// stdout, and its manifest to FILE.manifest.json.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Write the manifest (count, head seq, head hash, entente version) here [default:
    /// beside --out as FILE.manifest.json; none for stdout].
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
}

/// Where the manifest of an export at `path` goes unless told otherwise.
pub fn manifest_path(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

fn write_manifest(head: Head, path: &std::path::Path) -> Result<(), CommandError> {
    let manifest = crate::event::Manifest {
        format: "entente-export".to_owned(),
        entente_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema: crate::store::SCHEMA_VERSION,
        // seq is gap-free: the head's seq is the count.
        count: head.seq,
        head_seq: head.seq,
        head_hash: head.hash.to_hex(),
    };
    // Never written empty: a manifest that cannot be rendered is an error, not "".
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| CommandError::Io {
        path: path.display().to_string(),
        message: format!("cannot render the manifest: {e}"),
    })?;
    text.push('\n');
    output::write_atomically(path, |out| out.write_all(text.as_bytes()).map_err(CommandError::Output))
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    // Before the log is opened: nothing about it is touched if an output is refused.
    let manifest = args.manifest.clone().or_else(|| args.out.as_deref().map(manifest_path));
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(out) = &args.out {
        outputs.push(("--out", out));
    }
    if let Some(m) = &manifest {
        outputs.push((if args.manifest.is_some() { "--manifest" } else { "--out's manifest" }, m));
    }
    output::guard(&ctx.db, &outputs)?;
    let store = ctx.open_to_read()?;
    // One read transaction: the lines and the manifest describe the same log, however
    // many writers append meanwhile.
    store.consistent(|store| export(store, args.out.as_deref(), manifest.as_deref()))
}

fn export<T: ReadTxn + ?Sized>(
    store: &Reader<'_, T>,
    out: Option<&std::path::Path>,
    manifest: Option<&std::path::Path>,
) -> Result<(), CommandError> {
    let head = store.head()?;
    match out {
        None => {
            let mut out = stdout();
            write_all(store, &mut out)?;
            out.flush()?;
            if let Some(manifest) = manifest {
                write_manifest(head, manifest)?;
            }
        }
        Some(path) => {
            output::write_atomically(path, |out| write_all(store, out))?;
            let manifest = manifest.map_or_else(|| manifest_path(path), ToOwned::to_owned);
            write_manifest(head, &manifest)?;
            eprintln!(
                "exported {} events to {} (head hash {}); manifest in {}",
                head.seq,
                super::shown_path(path),
                head.hash,
                super::shown_path(&manifest)
            );
        }
    }
    Ok(())
}

fn write_all<T: ReadTxn + ?Sized>(store: &Reader<'_, T>, out: &mut dyn Write) -> Result<(), CommandError> {
    store.export_lines(|line| writeln!(out, "{line}").map_err(CommandError::Output))
}
