//! `entente export`: the whole log as JSON Lines, the format `import` reads.

use std::io::Write;
use std::path::PathBuf;

use super::{CommandError, Ctx, stdout};
use crate::store::{Head, Store};

/// Write the whole log as JSON Lines, one event per line, in log order.
///
/// Importing the output into a fresh log reproduces it byte for byte, with the same
/// head hash.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to this file (atomically: it appears whole or not at all) instead of stdout,
    /// and its manifest to FILE.manifest.json.
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
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| CommandError::Io { path: path.display().to_string(), message: e.to_string() })
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let store = ctx.open_to_read()?;
    // One read transaction: the lines and the manifest describe the same log, however
    // many writers append meanwhile.
    store.consistent(|store| export(store, args))
}

fn export(store: &Store, args: Args) -> Result<(), CommandError> {
    let head = store.head()?;
    match args.out {
        None => {
            let mut out = stdout();
            write_all(store, &mut out)?;
            out.flush()?;
            if let Some(manifest) = &args.manifest {
                write_manifest(head, manifest)?;
            }
        }
        Some(path) => {
            let io = |e: std::io::Error| CommandError::Io { path: path.display().to_string(), message: e.to_string() };
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
            {
                let mut out = std::io::BufWriter::new(tmp.as_file_mut());
                write_all(store, &mut out).map_err(|e| match e {
                    CommandError::Output(e) => io(e),
                    other => other,
                })?;
                out.flush().map_err(io)?;
            }
            tmp.as_file().sync_all().map_err(io)?;
            tmp.persist(&path).map_err(|e| io(e.error))?;
            let manifest = args.manifest.clone().unwrap_or_else(|| manifest_path(&path));
            write_manifest(head, &manifest)?;
            eprintln!(
                "exported {} events to {} (head hash {}); manifest in {}",
                head.seq,
                path.display(),
                head.hash,
                manifest.display()
            );
        }
    }
    Ok(())
}

fn write_all(store: &Store, out: &mut impl Write) -> Result<(), CommandError> {
    store.export_lines(|line| writeln!(out, "{line}").map_err(CommandError::Output))
}
