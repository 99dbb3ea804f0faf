//! Projections: what the log means at a date. Pure folds over records — no SQL, no
//! clock, no I/O, and no words laid out for a reader (that is `report`'s job); the date
//! a report is judged at and the recording cut-off come in as a [`View`].
//!
//! `mod.rs` holds the view, the header every report carries, and [`Replay`] (the log
//! in memory, for commands that list events). One file per projection: [`status`] (the
//! fold: tracks, principles, commitments), [`timeline`] (events per track), [`diff`]
//! (what changed between two statuses), [`explain`] (what stands behind a state),
//! [`history`] (an event's amendments step by step), [`sources`] (what rests on each
//! source), [`audit`] (who recorded what, and the amendments), [`judged`] (the
//! judged commitments and principles as rows, for the SQL views), [`deadlines`] (every
//! deadline with a day, for a calendar) and [`trend`] (state over time).
//!
//! Rule for partial dates: an event counts as of day D only once its whole interval has
//! passed (`last_day <= D`). An event dated `2021-12` has not surely happened "as of
//! 2021-12-15", so it is left out of that view; as of 2021-12-31 it is in.

pub mod audit;
pub mod deadlines;
pub mod diff;
pub mod explain;
pub mod history;
pub mod judged;
pub mod occasion;
pub mod sources;
pub mod status;
pub mod timeline;
pub mod trend;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::event::correct::amend;
use crate::event::{EventId, Hash, Record};

/// Which slice of the log a report sees, and the date it judges deadlines at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    /// The world date: only events whose date interval has ended by then count, and
    /// overdue and stalled are judged at it.
    pub as_of: NaiveDate,
    /// The recording cut-off: only events recorded by then count (`None`: all).
    pub known_at: Option<DateTime<Utc>>,
    /// Days without progress after which an open commitment is `stalled`.
    pub stall_days: u32,
}

/// The default for [`View::stall_days`].
pub const DEFAULT_STALL_DAYS: u32 = 180;

impl View {
    /// True when `record` belongs in this view: dated by its world date and known at
    /// its recording cut-off.
    pub fn sees(&self, record: &Record) -> bool {
        record.event.facts.occurred.last_day() <= self.as_of && self.knows(record.event.recorded_at)
    }

    /// True when what was recorded at `recorded_at` is known at the view's recording
    /// cut-off: the one known-at rule, for events and their amendments alike.
    pub fn knows(&self, recorded_at: DateTime<Utc>) -> bool {
        self.known_at.is_none_or(|cut| recorded_at <= cut)
    }
}

fn world_key(r: &Record) -> (NaiveDate, NaiveDate, u64) {
    let d = r.event.facts.occurred;
    (d.first_day(), d.last_day(), r.seq)
}

/// What a report says about the slice of the log it derives from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The view.
    pub view: View,
    /// The last event known at the view's recording cut-off.
    pub head: LogHead,
}

/// The last event a view knew: its seq and its chain hash as the log stores it (seq 0
/// and no hash for an empty log, or a cut-off before the first event).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogHead {
    /// The last seq known (0: none).
    pub seq: u64,
    /// The chain hash of the event at `seq` (`None` when `seq` is 0).
    pub hash: Option<Hash>,
}

impl LogHead {
    /// The head at `record`.
    pub fn at(record: &Record) -> LogHead {
        LogHead { seq: record.seq, hash: Some(record.hash) }
    }

    /// The head a log reports as its last `seq` and `hash` ([`Hash::GENESIS`] and seq 0
    /// for an empty log).
    pub fn of(seq: u64, hash: Hash) -> LogHead {
        LogHead { seq, hash: (seq > 0).then_some(hash) }
    }
}

/// Rebuilds projections from records pushed in any order: what it derives depends only
/// on the set of records pushed, never on the order they came in.
///
/// Corrections, retractions and disputes count from the moment they were recorded: a
/// view with `known_at` before a correction shows the event as it was first recorded.
#[derive(Debug)]
pub struct Replay {
    view: View,
    base: Vec<Record>,
    amendments: BTreeMap<EventId, Vec<Record>>,
    head: LogHead,
    count: u64,
    /// The effective log, derived once per set of records (reset by `push`).
    effective: std::cell::OnceCell<Effective>,
}

/// The log as a view sees it: corrections applied, retractions dropped, the date
/// filter applied after correction (a corrected date moves an event in or out).
#[derive(Debug, Default)]
pub struct Effective {
    /// The events, as they stand, in world order.
    pub records: Vec<Record>,
    /// The seqs of events a dispute contradicts.
    pub disputed: BTreeSet<u64>,
}

impl Replay {
    /// An empty replay for `view`.
    pub fn new(view: View) -> Replay {
        Replay {
            view,
            base: Vec::new(),
            amendments: BTreeMap::new(),
            head: LogHead::default(),
            count: 0,
            effective: Default::default(),
        }
    }

    /// Takes one record of the log into account.
    pub fn push(&mut self, record: Record) {
        if !self.view.knows(record.event.recorded_at) {
            return;
        }
        self.count += 1;
        if record.seq >= self.head.seq {
            self.head = LogHead::at(&record);
        }
        self.effective.take();
        match record.event.facts.payload.target() {
            Some(target) => self.amendments.entry(target).or_default().push(record),
            None => self.base.push(record),
        }
    }

    /// The last seq known at the view's recording cut-off.
    pub fn head_seq(&self) -> u64 {
        self.head.seq
    }

    /// The last event known at the view's recording cut-off, with its chain hash.
    pub fn head(&self) -> LogHead {
        self.head
    }

    /// How many records were known at the cut-off.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The log as this view sees it.
    pub fn effective(&self) -> &Effective {
        self.effective.get_or_init(|| self.derive_effective())
    }

    fn derive_effective(&self) -> Effective {
        let mut out = Effective::default();
        for record in &self.base {
            let amendments = self.amendments.get(&record.event.id).map(Vec::as_slice).unwrap_or_default();
            let Some((record, disputed)) = amend(record, amendments) else { continue };
            if disputed {
                out.disputed.insert(record.seq);
            }
            if self.view.sees(&record) {
                out.records.push(record.into_owned());
            }
        }
        out.records.sort_by_key(world_key);
        out
    }

    /// The view and where the log ends in it, for report headers.
    pub fn header(&self) -> Header {
        Header { view: self.view, head: self.head }
    }

    /// Every correction, retraction and dispute of `id` this view knows, by seq.
    pub fn amendments_of(&self, id: EventId) -> Vec<&Record> {
        let mut list: Vec<&Record> = self.amendments.get(&id).map(|v| v.iter().collect()).unwrap_or_default();
        list.sort_by_key(|r| r.seq);
        list
    }

    /// Every record the view knows (as recorded, amendments included), in log order.
    pub fn all_records(&self) -> Vec<&Record> {
        let mut all: Vec<&Record> = self.base.iter().chain(self.amendments.values().flatten()).collect();
        all.sort_by_key(|r| r.seq);
        all
    }

    /// The records the view sees, as they stand, in world order.
    pub fn timeline(&self) -> &[Record] {
        &self.effective().records
    }

    /// The status of every track at each of `days` (none later than the view's as-of),
    /// one entry per day: state over time.
    pub fn over_time(&self, days: &[NaiveDate]) -> Vec<Vec<status::TrackStatus>> {
        let effective = self.effective();
        status::over_time(&effective.records, &effective.disputed, days, self.view.stall_days)
    }

    /// The status of every track.
    pub fn status(&self) -> Vec<status::TrackStatus> {
        let effective = self.effective();
        status::status(&effective.records, &effective.disputed, &self.view)
    }
}
