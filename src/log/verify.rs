//! What `verify` proves, for every backend, in one read transaction: the backend's own
//! guards are those it creates; every row's hash follows from its predecessor's and its
//! body, its indexed columns agree with its body, and recording times never go back;
//! and every derived index and snapshot binding is what the events imply. Also the
//! rebuild of the derived indexes from the events (what `replay` runs).

use std::ops::ControlFlow;

use chrono::{DateTime, Utc};

use crate::event::{ChainBreak, ChainCursor, Hash, Kind, Name, parse_line};

use super::backend::{AmendmentRows, Backend, NameRows, ReadTxn, RowRef, Scan, WriteTxn};
use super::read::cores;
use super::{Filter, Log, LogError, Reader};

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Rows verified before any problem.
    pub count: u64,
    /// The hash of the last verified row.
    pub head: Hash,
    /// The first problem, if any.
    pub problem: Option<Tamper>,
}

/// A sign that the log was changed behind entente's back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tamper {
    /// The first bad seq (`None` for a problem with the log as a whole).
    pub seq: Option<u64>,
    /// What differs.
    pub what: String,
}

/// What the derived indexes should hold, as the events imply it.
#[derive(Default)]
struct Derived {
    names: NameRows,
    amendments: AmendmentRows,
    /// The first event that declares a name again where the log allows one
    /// declaration: its seq, and what it declares.
    twice: Option<(u64, String)>,
}

/// Rows `verify` reads at a time: enough to share the parsing across cores, few enough
/// to keep memory small.
const VERIFY_CHUNK: usize = 8192;

/// One row as `verify` reads it, in a buffer reused from chunk to chunk.
#[derive(Default)]
struct VerifyRow {
    seq: u64,
    body: String,
    hash: Option<Hash>,
    id: Vec<u8>,
    kind: String,
}

impl VerifyRow {
    fn read(&mut self, row: &RowRef<'_>) {
        self.seq = row.seq;
        self.body.clear();
        // A body that is not text reads as empty: its hash then fails.
        self.body.push_str(row.body.unwrap_or_default());
        self.hash = row.hash;
        self.id.clear();
        self.id.extend_from_slice(row.id);
        self.kind.clear();
        self.kind.push_str(row.kind);
    }
}

/// How far `verify` got: the cursor past the rows checked so far, and the last
/// recording time.
#[derive(Default)]
struct Chain {
    cursor: ChainCursor,
    last_recorded: Option<DateTime<Utc>>,
}

impl Chain {
    /// Checks the next chunk of rows; the verdict when one of them fails.
    ///
    /// Each row is checked against the stored hash of the row before it, so rows can be
    /// checked independently (and, when `deep`, on every core): if every row's hash
    /// follows from its predecessor's stored hash, the whole chain is intact.
    /// `Err` when a checking thread died (a bug).
    fn check(&mut self, rows: &[VerifyRow], deep: bool) -> Result<Option<Verdict>, ()> {
        let start = self.cursor;
        let at = |i: usize| match i {
            0 => start,
            _ => ChainCursor::after(start.count() + i as u64, rows[i - 1].hash.unwrap_or(Hash::GENESIS)),
        };
        let check = |i: usize| check_row(at(i), &rows[i], deep);
        let results: Vec<Result<Option<DateTime<Utc>>, Tamper>> = if deep {
            let per = rows.len().div_ceil(cores()).max(1);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..rows.len())
                    .step_by(per)
                    .map(|start| {
                        scope.spawn(move || (start..(start + per).min(rows.len())).map(check).collect::<Vec<_>>())
                    })
                    .collect();
                // A checking thread that died has said why on stderr; its rows must not be
                // paired with another thread's results.
                handles.into_iter().map(|h| h.join()).collect::<Result<Vec<_>, _>>().map(|r| r.concat())
            })
            .map_err(|_| ())?
        } else {
            (0..rows.len()).map(check).collect()
        };
        for (row, result) in rows.iter().zip(results) {
            let problem = match result {
                Err(tamper) => Some(tamper),
                Ok(at) if at.is_some_and(|at| self.last_recorded.is_some_and(|last| last > at)) => Some(Tamper {
                    seq: Some(row.seq),
                    what: "it was recorded before the event ahead of it: recording times go back".to_owned(),
                }),
                Ok(at) => {
                    self.last_recorded = at.or(self.last_recorded);
                    None
                }
            };
            if problem.is_some() {
                return Ok(Some(self.verdict(problem)));
            }
            self.cursor.advance(row.hash.unwrap_or(Hash::GENESIS));
        }
        Ok(None)
    }

    fn verdict(&self, problem: Option<Tamper>) -> Verdict {
        Verdict { count: self.cursor.count(), head: self.cursor.prev(), problem }
    }
}

/// Checks one row: it is the next after `cursor` (its seq, and its hash follows from
/// the stored hash of the row before and its body), and its body agrees with its
/// indexed columns (and, when `deep`, reads against the schema). Its recording time
/// when it passes.
fn check_row(mut cursor: ChainCursor, row: &VerifyRow, deep: bool) -> Result<Option<DateTime<Utc>>, Tamper> {
    match cursor.step(row.seq, &row.body, row.hash) {
        Ok(_) => {}
        Err(ChainBreak::Seq { expected, .. }) => {
            return Err(Tamper {
                seq: Some(expected),
                what: format!(
                    "seq {expected} is missing (the next row is seq {}): rows were deleted or renumbered",
                    row.seq
                ),
            });
        }
        Err(ChainBreak::Hash | ChainBreak::PrevHash) => {
            return Err(Tamper {
                seq: Some(row.seq),
                what: "its hash does not match its content and place in the chain: the event was changed, \
                       moved or reordered outside entente"
                    .to_owned(),
            });
        }
    }
    let read = if deep { None } else { check_head(row) };
    read.unwrap_or_else(|| read_body(row)).map_err(|what| Tamper { seq: Some(row.seq), what })
}

/// The full check of a row: its body still reads as an event, and the indexed columns
/// agree with it. Its recording time when it does.
fn read_body(row: &VerifyRow) -> Result<Option<DateTime<Utc>>, String> {
    match parse_line(&row.body) {
        Err(e) => Err(format!("it no longer reads as an event: {}", e.message)),
        Ok(line) if line.id.is_none_or(|i| i.0.as_bytes().as_slice() != row.id.as_slice()) => {
            Err(ID_DIFFERS.to_owned())
        }
        Ok(line) if line.facts.kind().name() != row.kind => Err(KIND_DIFFERS.to_owned()),
        Ok(line) => Ok(line.recorded_at),
    }
}

const ID_DIFFERS: &str = "its id column differs from the id in its body";
const KIND_DIFFERS: &str = "its kind column differs from the kind in its body";

/// The quick check of a row: the indexed columns agree with the head of its body, read
/// from the canonical layout without parsing the rest (the hash already proves the rest
/// is what was appended). `None` when the body is not laid out canonically: then
/// [`read_body`] decides.
fn check_head(row: &VerifyRow) -> Option<Result<Option<DateTime<Utc>>, String>> {
    let head = crate::event::canonical_head(&row.body)?;
    let recorded_at = DateTime::parse_from_rfc3339(head.recorded_at).ok()?.with_timezone(&Utc);
    let id = uuid::Uuid::from_slice(&row.id).ok()?;
    let mut buf = uuid::Uuid::encode_buffer();
    Some(if head.id != id.hyphenated().encode_lower(&mut buf) {
        Err(ID_DIFFERS.to_owned())
    } else if head.kind != row.kind {
        Err(KIND_DIFFERS.to_owned())
    } else {
        Ok(Some(recorded_at))
    })
}

impl<B: Backend> Log<B> {
    /// Checks the backend's guards, then recomputes the hash chain in log order
    /// (each body against its indexed columns, recording times never going back; when
    /// `deep`, every event re-read against its schema), then the derived indexes and
    /// snapshot bindings against what the events imply. Stops at the first problem.
    /// `tick` is told how many rows were read, a chunk at a time.
    pub fn verify(&self, deep: bool, tick: &mut dyn FnMut(u64)) -> Result<Verdict, LogError> {
        // One read transaction: the guards, the chain and the derived indexes are all
        // checked as of the same state of the log.
        self.consistent(|reader| {
            if let Some(what) = reader.txn.guards()? {
                return Ok(Chain::default().verdict(Some(Tamper { seq: None, what })));
            }
            let verdict = reader.check_chain(deep, tick)?;
            if verdict.problem.is_some() {
                return Ok(verdict);
            }
            let problem = reader.check_derived()?;
            Ok(Verdict { problem, ..verdict })
        })
    }

    /// Checks the backend's guards and recomputes the hash chain, as [`Log::verify`]
    /// does, but leaves the derived indexes and snapshots alone: what a rebuild of them
    /// must know first (that the events it rebuilds from were not changed).
    pub fn verify_chain(&self, tick: &mut dyn FnMut(u64)) -> Result<Verdict, LogError> {
        self.consistent(|reader| {
            if let Some(what) = reader.txn.guards()? {
                return Ok(Chain::default().verdict(Some(Tamper { seq: None, what })));
            }
            reader.check_chain(false, tick)
        })
    }

    /// Rebuilds every derived index from the events, in one write transaction, and
    /// drops every snapshot. Refuses when a name the log lets be declared once is
    /// declared twice: rebuilding would hide it (`verify` names it).
    pub fn rebuild_derived(&mut self) -> Result<(), LogError> {
        let location = self.backend.location().to_owned();
        let mut tx = self.backend.write()?;
        let derived = Reader::new(tx.reads(), &location).derived_from_chain()?;
        if let Some((seq, what)) = derived.twice {
            return Err(LogError::Tampered {
                path: location,
                what: format!("the event at seq {seq} {what}; nothing was rebuilt"),
            });
        }
        tx.replace_indexes(&derived.names, &derived.amendments)?;
        // Every snapshot was folded over what the indexes said: none is kept.
        tx.drop_snapshots()?;
        tx.commit()
    }
}

impl<T: ReadTxn + ?Sized> Reader<'_, T> {
    /// Recomputes the hash chain; see [`Log::verify`].
    fn check_chain(&self, deep: bool, tick: &mut dyn FnMut(u64)) -> Result<Verdict, LogError> {
        // This thread reads chunks of rows; a second one checks them meanwhile. Chunk
        // buffers go back and forth, so reading allocates only for the first two.
        let (full, to_check) = std::sync::mpsc::sync_channel::<Vec<VerifyRow>>(1);
        let (checked, empty) = std::sync::mpsc::channel::<Vec<VerifyRow>>();
        std::thread::scope(|scope| {
            let checker = scope.spawn(move || {
                let mut chain = Chain::default();
                for chunk in to_check {
                    if let Some(verdict) = chain.check(&chunk, deep)? {
                        return Ok(verdict);
                    }
                    // The reader may have finished: then nobody needs the buffer back.
                    checked.send(chunk).ok();
                }
                Ok(chain.verdict(None))
            });
            let mut chunk: Vec<VerifyRow> = Vec::new();
            let mut filled = 0;
            // False once the checker stopped at a problem.
            let mut send = |mut chunk: Vec<VerifyRow>, filled: usize| -> bool {
                chunk.truncate(filled);
                tick(filled as u64);
                full.send(chunk).is_ok()
            };
            let outcome = self.txn.scan(Scan::default(), &mut |row| {
                if filled == chunk.len() {
                    chunk.push(VerifyRow::default());
                }
                chunk[filled].read(&row);
                filled += 1;
                if filled < VERIFY_CHUNK {
                    return ControlFlow::Continue(());
                }
                let next = empty.try_recv().unwrap_or_default();
                let sent = send(std::mem::replace(&mut chunk, next), filled);
                filled = 0;
                if sent { ControlFlow::Continue(()) } else { ControlFlow::Break(()) }
            });
            if outcome.is_ok() && filled > 0 {
                send(chunk, filled);
            }
            drop(full);
            let bug = || LogError::Bug { path: self.location.to_owned(), context: "verifying" };
            let verdict = checker.join().map_err(|_| bug())?.map_err(|()| bug())?;
            outcome.map(|()| verdict)
        })
    }

    /// Checks every index derived from the events against what the events imply: the
    /// declared names, the index of corrections, retractions and disputes, and that each
    /// snapshot is bound to the hash the log has at its seq. The first disagreement.
    fn check_derived(&self) -> Result<Option<Tamper>, LogError> {
        let implied = self.derived_from_chain()?;
        if let Some((seq, what)) = implied.twice {
            return Ok(Some(Tamper { seq: Some(seq), what: format!("it {what}") }));
        }
        let (names, amendments) = self.txn.indexes()?;
        let problem = |what: String| Ok(Some(Tamper { seq: None, what }));
        for (name, seq) in &names {
            match implied.names.get(name) {
                None => {
                    return problem(format!(
                        "the `names` table lists {} `{}` (at seq {seq}), which no event declares",
                        name.0, name.1
                    ));
                }
                Some(declared) if declared != seq => {
                    return problem(format!(
                        "the `names` table says {} `{}` was declared at seq {seq}; the events declare it at seq {declared}",
                        name.0, name.1
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some((name, seq)) = implied.names.iter().find(|(name, _)| !names.contains_key(*name)) {
            return problem(format!(
                "the `names` table lacks {} `{}`, which the event at seq {seq} declares",
                name.0, name.1
            ));
        }
        if let Some((target, seq)) = amendments.difference(&implied.amendments).next() {
            return problem(format!(
                "the `amendments` table lists seq {seq} as speaking about event {}, which the events do not say",
                hex::encode(target)
            ));
        }
        if let Some((_, seq)) = implied.amendments.difference(&amendments).next() {
            return problem(format!(
                "the `amendments` table lacks the correction, retraction or dispute at seq {seq}: \
                 reports would ignore it"
            ));
        }
        for unbound in self.txn.snapshots()? {
            if self.bound(&unbound)? {
                continue;
            }
            return problem(format!(
                "the `snapshots` table's `{}` snapshot claims to be folded at seq {}, but its hash is not \
                 the log's hash at that seq",
                unbound.name, unbound.seq
            ));
        }
        Ok(None)
    }

    /// The names and amendments the events imply: what the log's own appends wrote.
    /// A name the log lets be declared once, declared twice, means an append was let
    /// through while the names index was edited: that is a problem of the chain
    /// itself, which no rebuild mends.
    fn derived_from_chain(&self) -> Result<Derived, LogError> {
        let mut derived = Derived::default();
        let filter =
            Filter { kinds: Kind::ALL.iter().copied().filter(|k| k.declares()).collect(), ..Filter::default() };
        self.records(&filter, |record| {
            for name in record.event.declarations() {
                // The first declaration holds the name.
                let key = (name.namespace().to_owned(), name.key());
                match derived.names.get(&key) {
                    Some(first)
                        if derived.twice.is_none()
                            && !matches!(name, Name::Instrument(_) | Name::Withdrawn(_) | Name::Superseded(_)) =>
                    {
                        derived.twice = Some((
                            record.seq,
                            format!(
                                "declares {} `{}` again, which seq {first} declared: the log refuses that, so it \
                                 was appended while the `names` table had been edited. Reports about `{}` mix both; \
                                 retract the one that is wrong",
                                key.0, key.1, key.1
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        derived.names.insert(key, record.seq);
                    }
                }
            }
            if let Some(target) = record.event.facts.payload.target() {
                derived.amendments.insert((target.0.as_bytes().to_vec(), record.seq));
            }
            Ok::<(), LogError>(())
        })?;
        Ok(derived)
    }
}
