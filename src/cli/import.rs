//! `entente import`: append a JSON Lines file in one transaction, all or nothing.
//!
//! Also home of the line reader that `append --json` and `demo` share, so every way
//! events come in goes through one parser and one append path.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{CommandError, Ctx, stdout};
use crate::event::{ExportCheck, FieldError, Incoming, Line, Manifest, parse_line};
use crate::store::{Outcome, Stamp, Store, StoreError};

/// Append every event of a JSON Lines file, in one transaction: all lines land or none.
///
/// Each line is one event in the format `entente export` writes (see events/README.md).
/// Lines without seq, recorded_at, prev_hash and hash are new events, stamped by the
/// log. Lines with them (an export) must continue the log exactly where it ends.
/// A line whose id is already in the log with the same content is skipped, so
/// re-importing a file is a no-op; the same id with other content is an error.
/// Errors name the file, the line and the field; nothing is written unless every line
/// passes.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The JSON Lines file, or `-` for stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Append only if the log still ends at this seq (0 to 9223372036854775807; optimistic
    /// concurrency).
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,

    /// Refuse the file unless it is a whole, unedited export: its chain must hold from
    /// seq 1 and match its manifest (FILE.manifest.json, or --manifest). The file is read
    /// once, checked as it is imported, and the import rolled back if the check fails.
    #[arg(long)]
    verify: bool,

    /// The manifest to verify against.
    #[arg(long, value_name = "FILE", requires = "verify")]
    manifest: Option<PathBuf>,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let mut store = ctx.open()?;
    let manifest = if args.verify { Some(read_manifest(&args)?) } else { None };
    let Input { name, reader, size } = open_input(&args.file)?;
    let progress = progress_bar(ctx, size);
    let advance = progress.clone();
    let lines = JsonLines::new(reader, Box::new(move |n| advance.inc(n)));
    let tally = match manifest {
        None => append_stream(ctx, &mut store, &name, lines, args.expect_head)?,
        Some((manifest, manifest_path)) => {
            // The file is read once: the lines checked are the lines appended, and the
            // batch is refused (rolled back whole) if the chain or manifest fails.
            let failure = Arc::new(OnceLock::new());
            let lines =
                Verified { lines, check: ExportCheck::default(), manifest, failure: failure.clone(), done: false };
            match append_stream(ctx, &mut store, &name, lines, args.expect_head) {
                Ok(tally) => tally,
                Err(e) => {
                    return Err(match failure.get() {
                        Some((0, what)) => CommandError::Unverified {
                            what: format!("{name} fails its manifest {}: {what}", manifest_path.display()),
                        },
                        Some((line, what)) => CommandError::Unverified { what: format!("{name}:{line}: {what}") },
                        None => e,
                    });
                }
            }
        }
    };
    progress.finish_and_clear();
    let head = store.head()?;
    let mut out = stdout();
    writeln!(
        out,
        "imported {} new event{} from {}; {} already present; log ends at seq {} (hash {})",
        tally.appended,
        if tally.appended == 1 { "" } else { "s" },
        crate::text::shown(&name),
        tally.existing,
        head.seq,
        head.hash
    )?;
    Ok(())
}

/// The most a manifest may hold: it is a few hundred bytes; anything near this is not one.
const MAX_MANIFEST_BYTES: u64 = 64 << 10;

/// Reads the manifest `--verify` checks against (once, and no more than
/// [`MAX_MANIFEST_BYTES`]), and where it came from.
fn read_manifest(args: &Args) -> Result<(Manifest, PathBuf), CommandError> {
    let path = match &args.manifest {
        Some(p) => p.clone(),
        None if args.file.as_os_str() == "-" => {
            return Err(CommandError::Usage("--verify on stdin needs --manifest FILE".to_owned()));
        }
        None => super::export::manifest_path(&args.file),
    };
    let fail = |message: String| CommandError::Io { path: path.display().to_string(), message };
    if path.is_dir() {
        return Err(fail("is a directory; give the export's manifest file".to_owned()));
    }
    let file = std::fs::File::open(&path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let mut text = String::new();
    file.take(MAX_MANIFEST_BYTES + 1).read_to_string(&mut text).map_err(|e| fail(format!("cannot read it: {e}")))?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(fail(format!(
            "is larger than {} KiB: not an entente manifest (give the FILE.manifest.json written by export)",
            MAX_MANIFEST_BYTES >> 10
        )));
    }
    let manifest = serde_json::from_str(&text).map_err(|e| fail(format!("is not an entente manifest: {e}")))?;
    Ok((manifest, path))
}

/// Numbered, parsed lines checked as an export while they pass: the first line that
/// breaks the chain, or a manifest that does not match at the end, is recorded in
/// `failure` and handed on as a rejected line, which rolls the batch back; reading
/// stops there.
struct Verified<I> {
    lines: I,
    check: ExportCheck,
    manifest: Manifest,
    failure: Arc<OnceLock<(usize, String)>>,
    done: bool,
}

impl<I: Iterator<Item = (usize, ParsedLine)>> Iterator for Verified<I> {
    type Item = (usize, ParsedLine);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let (line, what) = match self.lines.next() {
            Some((no, Ok(incoming))) => match self.check.line(&incoming.line, &incoming.template) {
                Ok(()) => return Some((no, Ok(incoming))),
                Err(what) => (no, what),
            },
            Some((no, Err(e))) => (no, e.field.map_or(e.message.clone(), |f| format!("{f}: {}", e.message))),
            None => match self.check.finish(&self.manifest) {
                Ok(()) => return None,
                Err(what) => (0, what),
            },
        };
        self.done = true;
        let message = format!("the file fails verification here: {what}");
        let _ = self.failure.set((line, what));
        Some((line, Err(FieldError { field: None, message, hint: None })))
    }
}

/// How a batch went.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Events appended.
    pub appended: u64,
    /// Events already present (same id, same content).
    pub existing: u64,
    /// The last outcome, for single-event reports.
    pub last: Option<Outcome>,
}

/// Reads `reader` as JSON Lines and appends it to `store` as one batch; `name` is how
/// errors refer to the input; `advance` is told how many bytes were consumed.
///
/// Reading, parsing and rendering each line's body run on a thread of their own, ahead
/// of the appending thread (which validates, chains and writes, in order).
pub fn append_lines(
    ctx: &Ctx<'_>,
    store: &mut Store,
    name: &str,
    reader: impl BufRead + Send + 'static,
    expect_head: Option<u64>,
    advance: impl FnMut(u64) + Send + 'static,
) -> Result<Tally, CommandError> {
    append_stream(ctx, store, name, JsonLines::new(reader, Box::new(advance)), expect_head)
}

/// Appends `lines` as one batch, reading and parsing them on a thread of their own.
fn append_stream(
    ctx: &Ctx<'_>,
    store: &mut Store,
    name: &str,
    mut lines: impl Iterator<Item = (usize, ParsedLine)> + Send + 'static,
    expect_head: Option<u64>,
) -> Result<Tally, CommandError> {
    /// Lines handed over at a time, and batches in flight: enough to keep both threads
    /// busy, little enough to keep memory flat.
    const LINES_PER_BATCH: usize = 256;
    const BATCHES_AHEAD: usize = 4;
    let (batches, received) = std::sync::mpsc::sync_channel::<Vec<(usize, ParsedLine)>>(BATCHES_AHEAD);
    // Not joined: when the appender stops early (the log is busy, too many problems)
    // the reader may be waiting on a pipe for input nobody needs; it stops at its next
    // hand-over, or ends with the process.
    std::thread::Builder::new()
        .name("entente-reader".to_owned())
        .spawn(move || {
            loop {
                let batch: Vec<_> = lines.by_ref().take(LINES_PER_BATCH).collect();
                // An empty batch is the end; a closed channel means the appender stopped.
                if batch.is_empty() || batches.send(batch).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| CommandError::Io { path: name.to_owned(), message: format!("cannot start reading it: {e}") })?;
    append_batch(ctx, store, name, received.into_iter().flatten(), expect_head)
}

/// A line as the reading thread hands it over.
type ParsedLine = Result<Incoming, FieldError>;

/// Appends numbered, parsed lines as one batch, stamped from the environment; every
/// way events come in (import, append, demo) ends here.
pub fn append_batch(
    ctx: &Ctx<'_>,
    store: &mut Store,
    name: &str,
    lines: impl IntoIterator<Item = (usize, Result<impl Into<Incoming>, FieldError>)>,
    expect_head: Option<u64>,
) -> Result<Tally, CommandError> {
    let stamp = Stamp { now: ctx.env.clock.now(), ids: ctx.env.ids, recorded_by: &ctx.env.user };
    let mut tally = Tally::default();
    // What stored bodies need not meet but new lines must, checked once, here, where
    // every way in (import, append, demo) passes.
    let lines = lines.into_iter().map(|(no, parsed)| {
        let parsed = parsed.map(Into::into).and_then(|incoming: Incoming| {
            crate::event::check_incoming(&incoming.line)?;
            Ok(incoming)
        });
        (no, parsed)
    });
    let result = store.append(lines, stamp, expect_head, &mut |outcome| {
        match outcome {
            Outcome::Appended { .. } => tally.appended += 1,
            Outcome::Existing { .. } => tally.existing += 1,
        }
        tally.last = Some(*outcome);
    });
    match result {
        Ok(()) => Ok(tally),
        Err(source @ StoreError::Rejected { .. }) => Err(CommandError::Rejected { input: name.to_owned(), source }),
        Err(e) => Err(e.into()),
    }
}

/// Appends one event built from a command's arguments rather than read from a file.
/// A rejection becomes a usage error opening with `headline`, listing each problem with
/// its field as `field` names it (a flag, say) instead of "line 1".
pub fn append_one(
    ctx: &Ctx<'_>,
    store: &mut Store,
    line: Line,
    expect_head: Option<u64>,
    headline: &str,
    field: &dyn Fn(&str) -> String,
) -> Result<Tally, CommandError> {
    match append_batch(ctx, store, "the command", [(1, Ok(line))], expect_head) {
        Err(CommandError::Rejected { source: StoreError::Rejected { problems, .. }, .. }) => {
            let details: Vec<String> = problems
                .iter()
                .map(|p| match &p.error.field {
                    Some(f) => format!("{}: {}", field(f), super::problem_message(&p.error)),
                    None => super::problem_message(&p.error),
                })
                .collect();
            Err(CommandError::Usage(format!("{headline}: {}", details.join("; "))))
        }
        other => other,
    }
}

/// The largest line (one event) entente reads: 1 MiB. Longer lines are rejected
/// without being held in memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// An iterator of numbered, parsed lines; blank lines are skipped.
struct JsonLines<R> {
    reader: R,
    line_no: usize,
    advance: Box<dyn FnMut(u64) + Send>,
}

impl<R> JsonLines<R> {
    fn new(reader: R, advance: Box<dyn FnMut(u64) + Send>) -> JsonLines<R> {
        JsonLines { reader, line_no: 0, advance }
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = (usize, ParsedLine);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.line_no += 1;
            let mut buf = Vec::new();
            let read = std::io::Read::take(&mut self.reader, MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buf);
            let problem = |message: String| Some((self.line_no, Err(FieldError { field: None, message, hint: None })));
            match read {
                Err(e) => return problem(format!("cannot read: {e}")),
                Ok(0) => return None,
                Ok(n) => (self.advance)(n as u64),
            }
            if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
                let skipped = skip_line(&mut self.reader);
                (self.advance)(skipped);
                return problem(format!(
                    "the line is longer than {} MiB, the most one event may take; split the text or link to it in a source",
                    MAX_LINE_BYTES >> 20
                ));
            }
            let Ok(text) = std::str::from_utf8(&buf) else {
                return problem("the line is not valid UTF-8; save the file as UTF-8".to_owned());
            };
            let text = text.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            return Some((self.line_no, parse_line(text).map(Incoming::from)));
        }
    }
}

/// Consumes the rest of an over-long line without keeping it; returns bytes skipped.
fn skip_line(reader: &mut impl BufRead) -> u64 {
    let mut skipped = 0u64;
    loop {
        let (used, done) = match reader.fill_buf() {
            Ok([]) | Err(_) => return skipped,
            Ok(chunk) => match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            },
        };
        reader.consume(used);
        skipped += used as u64;
        if done {
            return skipped;
        }
    }
}

/// An opened input: a file or stdin.
pub struct Input {
    /// How messages name it.
    pub name: String,
    /// Its lines.
    pub reader: Box<dyn BufRead + Send>,
    /// Its size in bytes, when known (for the progress bar).
    pub size: Option<u64>,
}

/// Opens a file or stdin (`-`).
pub fn open_input(path: &std::path::Path) -> Result<Input, CommandError> {
    if path.as_os_str() == "-" {
        let reader = Box::new(std::io::BufReader::new(std::io::stdin()));
        return Ok(Input { name: "<stdin>".to_owned(), reader, size: None });
    }
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(CommandError::Io { path: name, message: "is a directory; give a JSON Lines file".to_owned() });
    }
    let file = std::fs::File::open(path)
        .map_err(|e| CommandError::Io { path: name.clone(), message: format!("cannot read it: {e}") })?;
    let size = file.metadata().map(|m| m.len()).ok();
    Ok(Input { name, reader: Box::new(std::io::BufReader::with_capacity(1 << 16, file)), size })
}

fn progress_bar(ctx: &Ctx<'_>, size: Option<u64>) -> ProgressBar {
    // Only large inputs on a terminal get a bar; scripts and small files stay quiet.
    let worth_it = size.is_some_and(|s| s > 1 << 20);
    if !ctx.env.stderr_is_terminal || !worth_it {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(size, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}") {
        bar.set_style(style);
    }
    bar
}
