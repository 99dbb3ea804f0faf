//! `entente import`: append a JSON Lines file in one transaction, all or nothing.
//!
//! Also home of the line reader that `append --json` and `demo` share, so every way
//! events come in goes through one parser and one append path.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{CommandError, Ctx, stdout};
use crate::event::{FieldError, Incoming, Line, parse_line};
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

    /// Append only if the log still ends at this seq (optimistic concurrency).
    #[arg(long, value_name = "SEQ")]
    expect_head: Option<u64>,

    /// Refuse the file unless it is a whole, unedited export: its chain must hold from
    /// seq 1 and match its manifest (FILE.manifest.json, or --manifest).
    #[arg(long)]
    verify: bool,

    /// The manifest to verify against.
    #[arg(long, value_name = "FILE", requires = "verify")]
    manifest: Option<PathBuf>,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let mut store = ctx.open()?;
    if args.verify {
        verify_export(&args)?;
    }
    let Input { name, reader, size } = open_input(&args.file)?;
    let progress = progress_bar(ctx, size);
    let advance = progress.clone();
    let tally = append_lines(ctx, &mut store, &name, reader, args.expect_head, move |n| advance.inc(n))?;
    progress.finish_and_clear();
    let head = store.head()?;
    let mut out = stdout();
    writeln!(
        out,
        "imported {} new event{} from {name}; {} already present; log ends at seq {} (hash {})",
        tally.appended,
        if tally.appended == 1 { "" } else { "s" },
        tally.existing,
        head.seq,
        head.hash
    )?;
    Ok(())
}

/// Checks the file against its manifest before anything is imported.
fn verify_export(args: &Args) -> Result<(), CommandError> {
    let name = args.file.display().to_string();
    let manifest_path = match &args.manifest {
        Some(p) => p.clone(),
        None if args.file.as_os_str() == "-" => {
            return Err(CommandError::Usage("--verify on stdin needs --manifest FILE".to_owned()));
        }
        None => super::export::manifest_path(&args.file),
    };
    let io = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |e: std::io::Error| CommandError::Io { path: path.clone(), message: format!("cannot read it: {e}") }
    };
    let manifest_text = std::fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
    let manifest: crate::event::Manifest = serde_json::from_str(&manifest_text).map_err(|e| CommandError::Io {
        path: manifest_path.display().to_string(),
        message: format!("is not an entente manifest: {e}"),
    })?;
    // Streamed: an export may be larger than memory allows.
    let file = std::fs::File::open(&args.file).map_err(io(&args.file))?;
    let mut unread = None;
    let lines = std::io::BufReader::new(file)
        .lines()
        .map_while(|l| l.map_err(|e| unread = Some(e)).ok())
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let checked = crate::event::check_export(lines, &manifest);
    if let Some(e) = unread {
        return Err(io(&args.file)(e));
    }
    checked.map_err(|(line, what)| match line {
        0 => {
            CommandError::Unverified { what: format!("{name} fails its manifest {}: {what}", manifest_path.display()) }
        }
        n => CommandError::Unverified { what: format!("{name}:{n}: {what}") },
    })
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
    mut advance: impl FnMut(u64) + Send + 'static,
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
            let mut lines = JsonLines { reader, line_no: 0, advance: &mut advance };
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
                    Some(f) => format!("{}: {}", field(f), p.error.message),
                    None => p.error.message.clone(),
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
struct JsonLines<'a, R> {
    reader: R,
    line_no: usize,
    advance: &'a mut dyn FnMut(u64),
}

impl<R: BufRead> Iterator for JsonLines<'_, R> {
    type Item = (usize, ParsedLine);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.line_no += 1;
            let mut buf = Vec::new();
            let read = std::io::Read::take(&mut self.reader, MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buf);
            let problem = |message: String| Some((self.line_no, Err(FieldError { field: None, message })));
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
