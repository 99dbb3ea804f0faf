//! Reading the log back: every stored body goes through the one parser
//! (`event::parse_line`), on one thread per core in turn, and comes out in log order.
//! What a backend hands out is checked here, never trusted.

use std::ops::ControlFlow;

use crate::event::{Event, Hash, Line, Record, parse_line};

use super::backend::{ReadTxn, RowRef, Scan};
use super::{Filter, LogError, Reader};

/// A row as stored, before it is parsed.
struct RawRow {
    seq: u64,
    body: String,
    prev_hash: Option<Hash>,
    hash: Option<Hash>,
}

/// What [`Reader::records`] sends a parsing thread: rows to parse, or records it
/// parsed earlier, to free.
enum Lane {
    Parse(Vec<RawRow>),
    Free(Parsed),
}

/// A chunk of rows as a parsing thread hands it back.
type Parsed = Vec<Result<Record, LogError>>;

/// Rows handed to a parsing thread at a time, and chunks out at once.
const RECORDS_CHUNK: usize = 256;
const CHUNKS_AHEAD: usize = 8;

/// The threads worth running at once for work spread over the machine's cores.
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A stored row as a record: its body parsed and stamped, its hashes 32 bytes each.
pub(super) fn to_record(seq: u64, body: &str, prev_hash: Option<Hash>, hash: Option<Hash>) -> Result<Record, String> {
    let line = parse_line(body).map_err(|e| match e.field {
        Some(f) => format!("{f}: {}", e.message),
        None => e.message,
    })?;
    let event = event_from_stored(line)?;
    match (prev_hash, hash) {
        (Some(prev_hash), Some(hash)) => Ok(Record { seq, event, prev_hash, hash }),
        _ => Err("a stored hash is not 32 bytes".to_owned()),
    }
}

/// A stored body as an event; `None` when it does not read (`verify` says why).
pub(super) fn stored_event(body: &str) -> Option<Event> {
    parse_line(body).ok().and_then(|line| event_from_stored(line).ok())
}

fn event_from_stored(line: Line) -> Result<Event, String> {
    match (line.id, line.recorded_at, line.recorded_by) {
        (Some(id), Some(recorded_at), Some(recorded_by)) => {
            Ok(Event { id, recorded_at, recorded_by, facts: line.facts })
        }
        _ => Err("the stored body lacks its id, recorded_at or recorded_by".to_owned()),
    }
}

impl<T: ReadTxn + ?Sized> Reader<'_, T> {
    /// Calls `each` with every record matching `filter`, in log order. The records are
    /// lent: each is freed by the thread that parsed it, which is cheaper than freeing
    /// it here.
    pub fn records<E: From<LogError>>(
        &self,
        filter: &Filter,
        mut each: impl FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), E> {
        // The text filter compares folded keys, which a backend cannot (SQL's lower()
        // knows only ASCII, and nothing of NFC): it runs on the parsing threads, on
        // each stored body before it is parsed, so only matching events are parsed.
        let needle = filter.text.as_deref().map(crate::text::folded);
        let needle = needle.as_deref();
        let scan = Scan { after: filter.after, until: filter.until, kinds: &filter.kinds };
        let location = self.location;
        // This thread reads rows and hands them out in order; parsing threads (one per
        // core, up to four) parse them meanwhile, taking chunks in turn (parsing is
        // most of the cost of reading the log).
        let parsers = cores().min(4);
        let parser_gone = || LogError::Bug { path: location.to_owned(), context: "parsing events" };
        std::thread::scope(|scope| {
            let mut lanes = Vec::with_capacity(parsers);
            for _ in 0..parsers {
                // Twice as deep as needed for chunks to parse, so the chunks coming
                // back to be freed never make the reader wait.
                let (raw_out, raw_in) = std::sync::mpsc::sync_channel::<Lane>(2 * CHUNKS_AHEAD);
                let (parsed_out, parsed_in) = std::sync::mpsc::sync_channel::<Parsed>(CHUNKS_AHEAD);
                scope.spawn(move || {
                    for work in raw_in {
                        let chunk = match work {
                            Lane::Parse(chunk) => chunk,
                            Lane::Free(parsed) => {
                                drop(parsed);
                                continue;
                            }
                        };
                        let parsed = chunk
                            .iter()
                            .filter(|raw| needle.is_none_or(|n| crate::text::folded(&raw.body).contains(n)))
                            .map(|raw| {
                                to_record(raw.seq, &raw.body, raw.prev_hash, raw.hash).map_err(|message| {
                                    LogError::Corrupt { path: location.to_owned(), seq: raw.seq, message }
                                })
                            })
                            .collect();
                        // A closed channel means the reader stopped early.
                        if parsed_out.send(parsed).is_err() {
                            return;
                        }
                    }
                });
                lanes.push((raw_out, parsed_in));
            }
            let mut hand_out = |chunk: &Parsed| -> Result<(), E> {
                for record in chunk {
                    let record = record.as_ref().map_err(LogError::clone)?;
                    if filter.matches(record) {
                        each(record)?;
                    }
                }
                Ok(())
            };
            // Chunk n goes to lane n % parsers and comes back from it in the same turn,
            // so records come out in log order. At most CHUNKS_AHEAD chunks are out at
            // once, so no channel fills.
            let (mut sent, mut received) = (0usize, 0usize);
            let mut pump = |chunk: Vec<RawRow>, done: bool| -> Result<(), E> {
                if !chunk.is_empty() {
                    lanes[sent % parsers].0.send(Lane::Parse(chunk)).map_err(|_| parser_gone())?;
                    sent += 1;
                }
                while received < sent && (sent - received == CHUNKS_AHEAD || done) {
                    let (to_lane, from_lane) = &lanes[received % parsers];
                    let parsed = from_lane.recv().map_err(|_| parser_gone())?;
                    hand_out(&parsed)?;
                    to_lane.send(Lane::Free(parsed)).map_err(|_| parser_gone())?;
                    received += 1;
                }
                Ok(())
            };
            let mut chunk = Vec::with_capacity(RECORDS_CHUNK);
            let mut last = None;
            let mut failed: Option<E> = None;
            let mut take = |row: RowRef<'_>| -> Result<(), E> {
                let Some(body) = row.body else {
                    let message = "its stored body is not text".to_owned();
                    return Err(LogError::Corrupt { path: location.to_owned(), seq: row.seq, message }.into());
                };
                // The track filter reads the head of each body, so only matching events
                // are parsed whole (a canonical body always has one; `Filter::matches`
                // covers any other).
                if let Some(track) = &filter.track
                    && let Some(head) = crate::event::canonical_head(body)
                    && !head.tracks().any(|t| t == track)
                {
                    return Ok(());
                }
                let prev_hash = self.prev_after(last, row.seq)?;
                last = Some((row.seq, row.hash));
                chunk.push(RawRow { seq: row.seq, body: body.to_owned(), prev_hash, hash: row.hash });
                if chunk.len() == RECORDS_CHUNK {
                    pump(std::mem::replace(&mut chunk, Vec::with_capacity(RECORDS_CHUNK)), false)?;
                }
                Ok(())
            };
            self.txn.scan(scan, &mut |row| match take(row) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => {
                    failed = Some(e);
                    ControlFlow::Break(())
                }
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
            pump(chunk, true)
        })
    }
}
