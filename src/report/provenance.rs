//! Provenance for Markdown briefs: the header that says which log a document was
//! written from and whether it was verified ([`Stamp`]), and the footnotes that say
//! which events each stated state rests on, with their sources ([`Notes`]).
//!
//! Which events each state cites is said once here ([`track_stage`],
//! [`principle_state`], [`commitment_state`], [`instrument_stage`],
//! [`condition_state`]), so a report and the reader that fetches the events
//! ([`cited`]) agree. Pure: the events come in as values; reading them from a log is
//! `app::explain::evidence`'s, from a replay [`Notes::of_replay`]'s. Text and JSON never
//! show any of this (JSON will carry the head by its own key).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::date::PartialDate;
use crate::event::{Account, Hash, Record, Source};
use crate::projection::Replay;
use crate::projection::explain::Evidence;
use crate::projection::status::{CommitmentStatus, ConditionStatus, InstrumentStatus, PrincipleStatus, TrackStatus};

use super::doc::md;

/// Whether the log a document was written from was verified, and where it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The hash of the view's head event, when known.
    pub head_hash: Option<Hash>,
    /// How far the log was checked.
    pub check: Check,
}

/// How far the log behind a document was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// `verify` passed: chain and snapshots intact through this seq.
    Verified {
        /// The last seq verified (the log's head).
        through: u64,
    },
    /// Written by `replay` from a scenario file: no stored log to verify.
    Replayed {
        /// The scenario's file name.
        scenario: String,
    },
    /// Not checked (a document that is not written from a log, or a format that does
    /// not show provenance).
    Unchecked,
}

impl Stamp {
    /// A stamp that says nothing was checked.
    pub fn unchecked() -> Stamp {
        Stamp { head_hash: None, check: Check::Unchecked }
    }

    /// The stamp of a replay of the scenario file `scenario`: the hash its chain has
    /// at the view's head, and no stored log to verify.
    pub fn replayed(replay: &Replay, scenario: &str) -> Stamp {
        let head = replay.head_seq();
        let head_hash = replay.all_records().iter().find(|r| r.seq == head).map(|r| r.hash);
        Stamp { head_hash, check: Check::Replayed { scenario: scenario.to_owned() } }
    }

    /// The words of the `verified` line of the header.
    pub fn check_words(&self) -> String {
        match &self.check {
            Check::Verified { through } => format!("chain and snapshots intact through seq {through}"),
            Check::Replayed { scenario } => {
                format!("not applicable: replayed from the scenario {scenario} (no stored log to verify)")
            }
            Check::Unchecked => "not checked".to_owned(),
        }
    }
}

/// What a footnote says of one event: as it stands at the view.
#[derive(Clone, Debug)]
pub struct Note {
    /// Its seq.
    pub seq: u64,
    /// When it happened.
    pub occurred: PartialDate,
    /// Its kind's name.
    pub kind: &'static str,
    /// The event in words.
    pub headline: String,
    /// Where it was reported.
    pub sources: Vec<Source>,
    /// Recorded without a source.
    pub unsourced: bool,
    /// A source disputes it.
    pub disputed: bool,
    /// Whose account it is and how far confirmed.
    pub account: Account,
}

impl Note {
    /// The note of `record` as it stands (`disputed` when a dispute contradicts it).
    pub fn of(record: &Record, disputed: bool) -> Note {
        let facts = &record.event.facts;
        Note {
            seq: record.seq,
            occurred: facts.occurred,
            kind: facts.kind().name(),
            headline: crate::render::headline(&record.event),
            sources: facts.sources.clone(),
            unsourced: facts.unsourced,
            disputed,
            account: facts.account.clone(),
        }
    }

    /// The footnote's text in Markdown: every piece of log text escaped, links only
    /// for http and https URLs.
    pub fn markdown(&self) -> String {
        let mut out = format!("seq {} · {} · {} · {}", self.seq, self.occurred, self.kind, md(&self.headline));
        if !self.sources.is_empty() {
            let list: Vec<String> = self.sources.iter().map(source_markdown).collect();
            end_sentence(&mut out);
            let _ = write!(out, " Source{}: {}", if list.len() == 1 { "" } else { "s" }, list.join("; "));
        }
        let mut marks = Vec::new();
        if self.unsourced {
            marks.push("unsourced".to_owned());
        }
        if self.disputed {
            marks.push("disputed by another source".to_owned());
        }
        if self.account.one_sided() {
            marks.push(match (self.account.confidence, &self.account.attribution) {
                (Some(c), Some(p)) => format!("{}, {}'s account", c.words(), md(p.as_str())),
                (Some(c), None) => c.words().to_owned(),
                (None, Some(p)) => format!("{}'s account", md(p.as_str())),
                (None, None) => "one side's account".to_owned(),
            });
        }
        if !marks.is_empty() {
            end_sentence(&mut out);
            let _ = write!(out, " Marked: {}", marks.join("; "));
        }
        end_sentence(&mut out);
        out
    }
}

/// Ends a sentence with a full stop unless it already ends with one (or with `!`, `?`).
fn end_sentence(out: &mut String) {
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
}

/// One source in Markdown: as [`super::source_line`] words it, each part escaped,
/// the URL a link only when it is http or https.
pub fn source_markdown(s: &Source) -> String {
    let mut line = format!("\u{201c}{}\u{201d}", md(&s.title));
    for part in [&s.author, &s.publisher, &s.locator].into_iter().flatten() {
        let _ = write!(line, ", {}", md(part));
    }
    if let Some(p) = &s.published {
        let _ = write!(line, ", {p}");
    }
    if let Some(u) = &s.url {
        let _ = write!(line, " {}", link(u));
    }
    line
}

/// A URL as a Markdown autolink when it is http or https (controls, spaces, `<`,
/// `>` and backslashes percent-encoded, so the link cannot end early or carry
/// markup); any other URL as escaped text.
pub fn link(url: &str) -> String {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let web = (lower.starts_with("http://") && url.len() > 7) || (lower.starts_with("https://") && url.len() > 8);
    if !web {
        return md(url);
    }
    let mut out = String::from("<");
    for c in url.chars() {
        if c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '\\' | '`' | '"') {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out.push('>');
    out
}

/// The events a document may cite, by seq, and the stamp of the log they come from.
#[derive(Clone, Debug)]
pub struct Notes {
    /// The header's facts.
    pub stamp: Stamp,
    /// Each event, by seq.
    pub events: BTreeMap<u64, Note>,
}

impl Notes {
    /// No events and nothing checked: what text, JSON and CSV are written with.
    pub fn none() -> Notes {
        Notes { stamp: Stamp::unchecked(), events: BTreeMap::new() }
    }

    /// Notes of `evidence` (events as they stand, read for a view) under `stamp`.
    pub fn of_evidence(stamp: Stamp, evidence: &[Evidence]) -> Notes {
        let events = evidence.iter().map(|e| (e.record.seq, Note::of(&e.record, e.disputed))).collect();
        Notes { stamp, events }
    }

    /// Notes of every event `replay` sees, under `stamp`.
    pub fn of_replay(stamp: Stamp, replay: &Replay) -> Notes {
        let effective = replay.effective();
        let events =
            effective.records.iter().map(|r| (r.seq, Note::of(r, effective.disputed.contains(&r.seq)))).collect();
        Notes { stamp, events }
    }

    /// The note of `seq`, when this document has it.
    pub fn get(&self, seq: u64) -> Option<&Note> {
        self.events.get(&seq)
    }
}

/// The event behind a track's stage: the one that moved it there.
pub fn track_stage(t: &TrackStatus) -> Vec<u64> {
    vec![t.stage_since.seq]
}

/// The events behind a principle's state.
pub fn principle_state(p: &PrincipleStatus) -> Vec<u64> {
    p.evidence.clone()
}

/// The events behind a commitment's state: those that decide its progress.
pub fn commitment_state(c: &CommitmentStatus) -> Vec<u64> {
    if c.decisive.is_empty() { c.evidence.clone() } else { c.decisive.clone() }
}

/// The event behind an instrument's stage: the one that moved it there.
pub fn instrument_stage(i: &InstrumentStatus) -> Vec<u64> {
    vec![i.stage_since.seq]
}

/// The events behind a condition's state.
pub fn condition_state(c: &ConditionStatus) -> Vec<u64> {
    c.evidence.clone()
}

/// Every seq a Markdown report of `tracks` may cite: what its reader fetches.
pub fn cited(tracks: &[TrackStatus]) -> BTreeSet<u64> {
    let mut seqs = BTreeSet::new();
    for t in tracks {
        seqs.extend(track_stage(t));
        t.principles.iter().for_each(|p| seqs.extend(principle_state(p)));
        t.commitments.iter().for_each(|c| seqs.extend(commitment_state(c)));
        t.instruments.iter().for_each(|i| seqs.extend(instrument_stage(i)));
        t.conditions.iter().for_each(|c| seqs.extend(condition_state(c)));
    }
    seqs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links_and_none_can_break_out() {
        assert_eq!(link("https://example.org/a_(b)"), "<https://example.org/a_(b)>");
        assert_eq!(link("HTTP://x.org/a b<c>d"), "<HTTP://x.org/a%20b%3Cc%3Ed>");
        assert_eq!(link("https://x.org/\n# h"), "<https://x.org/%0A#%20h>");
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(link("file:///etc/[x]"), "file:///etc/\\[x\\]");
        assert_eq!(link("https://"), "https://");
    }

    #[test]
    fn a_source_is_escaped_part_by_part() {
        let s = Source {
            title: "A [link](https://evil) ^1 | `x`".to_owned(),
            author: None,
            publisher: Some("<b>P</b>".to_owned()),
            url: Some("ftp://x".to_owned()),
            published: None,
            locator: Some("# 3".to_owned()),
        };
        assert_eq!(
            source_markdown(&s),
            "\u{201c}A \\[link\\](https://evil) \\^1 \\| \\`x\\`\u{201d}, &lt;b&gt;P&lt;/b&gt;, \\# 3 ftp://x"
        );
    }
}
