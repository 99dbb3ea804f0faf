//! Where commands write files of their own (`export --out` and `--manifest`, `replay
//! --out`): the checks
//! that keep an output from destroying the log or whatever a path points at, and the
//! one atomic writer.
//!
//! An output path is refused when it is the log or one of its companions (`-wal`,
//! `-shm`, `-journal`) — by file identity (device and inode), so no spelling, symlink,
//! `..` or hard link gets past — and when it exists but is not a plain regular file
//! (a directory, FIFO, socket, device, or a symbolic link of any kind). Files are
//! written beside their target under a recognisable temporary name, locked while
//! written, and renamed into place whole; a temporary left by a killed writer (its
//! lock died with it) is removed by the next write to the same target. This module
//! does not decide what is written.

use std::fs::{File, Metadata};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::CommandError;

/// What makes two paths the same file: device and inode on Unix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId(u64, u64);

#[cfg(unix)]
fn file_id(meta: &Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId(meta.dev(), meta.ino()))
}

// Elsewhere std exposes no stable identity without opening the file (which blocks on
// a FIFO); the canonical-name comparison below still applies there.
#[cfg(not(unix))]
fn file_id(_: &Metadata) -> Option<FileId> {
    None
}

/// The suffixes SQLite gives the files that belong to a log.
const COMPANIONS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// A path's directory, resolved (symlinks, `.`, `..`), joined with its file name: two
/// spellings of one place give the same name, whether or not the file exists yet.
fn canonical_name(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(dir.canonicalize().ok()?.join(name))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The files that are the log: by identity where they exist, by canonical name always
/// (a `-wal` that does not exist now is created by the next write).
struct LogFiles {
    ids: Vec<FileId>,
    names: Vec<PathBuf>,
}

impl LogFiles {
    fn of(db: &Path) -> LogFiles {
        let mut bases = vec![db.to_owned()];
        // SQLite resolves a symlinked log and keeps its companions beside the target.
        if let Ok(real) = db.canonicalize() {
            bases.push(real);
        }
        let mut files = LogFiles { ids: Vec::new(), names: Vec::new() };
        for base in &bases {
            for suffix in COMPANIONS {
                let path = with_suffix(base, suffix);
                if let Some(id) = std::fs::metadata(&path).ok().as_ref().and_then(file_id) {
                    files.ids.push(id);
                }
                files.names.extend(canonical_name(&path));
            }
        }
        files
    }
}

/// What an existing non-regular file is, in words.
fn describe(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_symlink() {
        return "a symbolic link";
    }
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    "not a regular file"
}

/// Refuses outputs that would destroy the log at `db` or replace something other than
/// a regular file, and two outputs that are one file. Each output is `(flag, path)`;
/// messages name the flag.
pub fn guard(db: &Path, outputs: &[(&str, &Path)]) -> Result<(), CommandError> {
    let log = LogFiles::of(db);
    let refuse =
        |flag: &str, path: &Path, why: String| CommandError::Usage(format!("{flag} {}: {why}", path.display()));
    let mut seen: Vec<(&str, Option<FileId>, Option<PathBuf>)> = Vec::new();
    for &(flag, path) in outputs {
        let followed = std::fs::metadata(path).ok();
        let id = followed.as_ref().and_then(file_id);
        let name = canonical_name(path);
        let is_log = id.is_some_and(|id| log.ids.contains(&id)) || name.as_ref().is_some_and(|n| log.names.contains(n));
        if is_log {
            return Err(refuse(
                flag,
                path,
                format!(
                    "is the log {} (or one of its -wal, -shm, -journal files); writing there would destroy it. \
                     Write somewhere else",
                    db.display()
                ),
            ));
        }
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_file() => {}
            Ok(meta) => {
                let hint = if meta.file_type().is_symlink() {
                    "entente replaces its output whole, by renaming a new file over the name, which would \
                     replace the link itself; give the path of the file the link points to"
                } else {
                    "entente writes only regular files and never replaces anything else; give a file path"
                };
                return Err(refuse(flag, path, format!("is {}; {hint}", describe(&meta))));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CommandError::Io { path: path.display().to_string(), message: e.to_string() }),
        }
        for (other_flag, other_id, other_name) in &seen {
            let same_id = id.is_some() && id == *other_id;
            let same_name = name.is_some() && name == *other_name;
            if same_id || same_name {
                return Err(refuse(
                    flag,
                    path,
                    format!("is the same file as {other_flag}; give the export and its manifest different paths"),
                ));
            }
        }
        seen.push((flag, id, name));
    }
    Ok(())
}

/// The prefix of temporaries written for `target`: `.NAME.entente-tmp-`.
/// How many random letters and digits end a temporary's name.
const TEMP_SUFFIX: usize = 6;

fn temp_prefix(target: &Path) -> String {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}.entente-tmp-")
}

/// Removes temporaries of `target` left by writers that were killed: a live writer
/// holds a lock on its temporary, a dead one's lock died with it.
fn remove_stale(dir: &Path, target: &Path) {
    let prefix = temp_prefix(target);
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Exactly what `write_atomically` creates: the prefix and six random letters or
        // digits, a regular file, and never an SQLite file (a log named like one).
        let ours = name
            .strip_prefix(&prefix)
            .is_some_and(|rest| rest.len() == TEMP_SUFFIX && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !ours || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let mut head = [0u8; 16];
        if File::open(&path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
            && &head == b"SQLite format 3\0"
        {
            continue;
        }
        if let Ok(file) = File::open(&path)
            && file.try_lock().is_ok()
        {
            // Best effort: a temporary that cannot be removed is only clutter.
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Writes `path` atomically: `write` fills a temporary beside it, which is synced and
/// renamed over `path` only when whole. A new file gets the mode a plain create would
/// (0666 less the umask), a replaced one keeps its mode. Call [`guard`] first.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    let io = |e: std::io::Error| CommandError::Io { path: path.display().to_string(), message: e.to_string() };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    remove_stale(dir, path);
    let prefix = temp_prefix(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode open(2) is given, to which the kernel applies the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    // Held until the temporary is renamed or the process dies: how the next writer
    // tells a live temporary from a stale one.
    tmp.as_file().lock().map_err(io)?;
    if let Ok(existing) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(existing.permissions()).map_err(io)?;
    }
    {
        let mut out = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut out).map_err(|e| match e {
            CommandError::Output(e) => io(e),
            other => other,
        })?;
        out.flush().map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    // The rename is durable once the directory is synced (not possible everywhere).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
