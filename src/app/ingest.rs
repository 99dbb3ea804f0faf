//! Taking events in: every way events enter a log (a JSON Lines file or stream, one
//! event built from flags, a bundled seed) ends in [`append_batch`], so every line
//! goes through one parser, the checks new lines must pass, and one append path.
//! Reading and parsing run on a thread of their own, ahead of the appender.

use std::io::BufRead;
use std::sync::{Arc, OnceLock};

use crate::event::{ExportCheck, FieldError, Incoming, Manifest, parse_line};
use crate::log::{AppendPolicy, Backend, Log, LogError, Outcome};

use super::AppError;

/// An export's manifest to check an input against, and how messages name it.
pub struct Expected<'a> {
    /// The manifest.
    pub manifest: Manifest,
    /// Where it came from, as messages show it.
    pub name: &'a str,
}

/// Reads `reader` as JSON Lines and appends it to `log` as one batch; `name` is how
/// errors refer to the input; `advance` is told how many bytes were consumed. With
/// `expected`, the input must be a whole, unedited export matching that manifest: it
/// is read once, checked as it is appended, and the batch refused if the check fails.
pub fn ingest<B: Backend>(
    log: &mut Log<B>,
    policy: AppendPolicy<'_>,
    name: &str,
    reader: impl BufRead + Send + 'static,
    advance: impl FnMut(u64) + Send + 'static,
    expect_head: Option<u64>,
    expected: Option<Expected<'_>>,
) -> Result<Tally, AppError> {
    let lines = JsonLines::new(reader, Box::new(advance));
    let Some(Expected { manifest, name: manifest_name }) = expected else {
        return append_stream(log, policy, name, lines, expect_head);
    };
    let failure = Arc::new(OnceLock::new());
    let lines = Verified { lines, check: ExportCheck::default(), manifest, failure: failure.clone(), done: false };
    append_stream(log, policy, name, lines, expect_head).map_err(|e| match failure.get() {
        Some((0, what)) => AppError::Unverified { what: format!("{name} fails its manifest {manifest_name}: {what}") },
        Some((line, what)) => AppError::Unverified { what: format!("{name}:{line}: {what}") },
        None => e,
    })
}

/// Appends `lines` as one batch, reading and parsing them on a thread of their own.
fn append_stream<B: Backend>(
    log: &mut Log<B>,
    policy: AppendPolicy<'_>,
    name: &str,
    mut lines: impl Iterator<Item = (usize, ParsedLine)> + Send + 'static,
    expect_head: Option<u64>,
) -> Result<Tally, AppError> {
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
        .map_err(|e| AppError::Io { path: name.to_owned(), message: format!("cannot start reading it: {e}") })?;
    append_batch(log, policy, name, received.into_iter().flatten(), expect_head)
}

/// A line as the reading thread hands it over.
type ParsedLine = Result<Incoming, FieldError>;

/// Appends numbered, parsed lines as one batch, stamped as `policy` says; every way
/// events come in (a file, flags, a seed) ends here.
pub fn append_batch<B: Backend>(
    log: &mut Log<B>,
    policy: AppendPolicy<'_>,
    name: &str,
    lines: impl IntoIterator<Item = (usize, Result<impl Into<Incoming>, FieldError>)>,
    expect_head: Option<u64>,
) -> Result<Tally, AppError> {
    let mut tally = Tally::default();
    let result = log.append(lines, policy, expect_head, &mut |outcome| {
        match outcome {
            Outcome::Appended { seq, .. } => {
                tally.appended += 1;
                // One batch is one transaction under the append lock: its seqs are
                // consecutive.
                tally.first_appended.get_or_insert(*seq);
                tally.last_appended = Some(*seq);
            }
            Outcome::Existing { .. } => tally.existing += 1,
        }
        tally.last = Some(*outcome);
    });
    match result {
        Ok(()) => Ok(tally),
        Err(source @ LogError::Rejected { .. }) => Err(AppError::Rejected { input: name.to_owned(), source }),
        Err(e) => Err(e.into()),
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
    /// The seq of the first event appended (`None`: none was).
    pub first_appended: Option<u64>,
    /// The seq of the last event appended: the batch appended every seq from
    /// `first_appended` to it.
    pub last_appended: Option<u64>,
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
