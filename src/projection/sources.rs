//! The sources projection: every source cited by the events a view sees (as they
//! stand; retracted ones are never pushed), how many events rest on each, and the
//! events that rest on one source or on none.
//!
//! Streamed: push the events in log order, then [`Sources::finish`]; only the sources
//! and seqs are held, never the events. Laying it out is `report::sources`'s job.

use std::collections::HashMap;

use serde::Serialize;

use crate::date::PartialDate;
use crate::event::Record;
use crate::text;

/// One source, and the events that cite it.
#[derive(Clone, Debug, Serialize)]
pub struct Cited {
    /// Its title, as first cited.
    pub title: String,
    /// Its publisher, as first cited.
    pub publisher: Option<String>,
    /// When it was published, as first cited.
    pub published: Option<PartialDate>,
    /// Its URL, as first cited.
    pub url: Option<String>,
    /// The seqs of the events that cite it, in log order.
    pub events: Vec<u64>,
}

/// What the events pushed so far cite.
#[derive(Debug, Default)]
pub struct Sources {
    cited: Vec<Cited>,
    index: HashMap<(String, Option<String>, Option<String>), usize>,
    single: Vec<u64>,
    none: Vec<u64>,
}

/// The sources of a view, most-cited first.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// Every source, most-cited first (ties by title).
    pub cited: Vec<Cited>,
    /// The seqs of events that rest on exactly one source.
    pub single_source: Vec<u64>,
    /// The seqs of events recorded as unsourced.
    pub unsourced: Vec<u64>,
}

impl Sources {
    /// Takes one event, as it stands, into account.
    pub fn push(&mut self, r: &Record) {
        let f = &r.event.facts;
        match f.sources.len() {
            0 if f.unsourced => self.none.push(r.seq),
            1 => self.single.push(r.seq),
            _ => {}
        }
        for src in &f.sources {
            // Sources that differ only in how accents are encoded (NFC, NFD) are one.
            let same = |x: &str| text::same(x).into_owned();
            let key = (same(&src.title), src.publisher.as_deref().map(same), src.url.as_deref().map(same));
            match self.index.get(&key) {
                Some(&i) => self.cited[i].events.push(r.seq),
                None => {
                    self.index.insert(key, self.cited.len());
                    self.cited.push(Cited {
                        title: src.title.clone(),
                        publisher: src.publisher.clone(),
                        published: src.published,
                        url: src.url.clone(),
                        events: vec![r.seq],
                    });
                }
            }
        }
    }

    /// What was cited, most-cited sources first.
    pub fn finish(self) -> Provenance {
        let mut cited = self.cited;
        cited.sort_by(|a, b| b.events.len().cmp(&a.events.len()).then(a.title.cmp(&b.title)));
        Provenance { cited, single_source: self.single, unsourced: self.none }
    }
}
