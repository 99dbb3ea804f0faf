//! Mermaid diagrams, each in a fenced ```` ```mermaid ```` block that pastes into
//! Markdown and renders on GitHub, GitLab and Obsidian: the commitments as a `gantt`
//! chart (a section per track, a bar per commitment from made to its latest deadline,
//! a milestone per deadline) and the timeline as a `timeline` (a section per track, an
//! entry per date with its events' headlines).
//!
//! Every label is log text and goes through [`label`], the one escaper of this medium;
//! every id is generated here (`c1`, `m1`), never taken from the log. Presentation only,
//! and pure: what is drawn is the status's and the timeline's.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::date::{PartialDate, Precision};
use crate::projection::Header;
use crate::projection::status::{CommitmentState, CommitmentStatus, TrackStatus};
use crate::projection::timeline::TrackEvents;

/// The longest label, in characters; a longer one is cut with `…`.
pub const LABEL_MAX: usize = 80;

/// `text` as a Mermaid label: line breaks and controls made spaces, and every
/// character Mermaid's grammars or an HTML renderer would read (`:` `;` `#` `%` `<`
/// `>` `&` `"` `` ` `` `{` `}` `[` `]` `(` `)` `|` and `\`) replaced by a look-alike
/// that is plain text to both — entity codes (`#58;`) would depend on every renderer
/// decoding them — then cut at [`LABEL_MAX`] characters. Never empty.
pub fn label(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let safe = match c {
            ':' => '\u{2236}',                   // ∶ ratio
            ';' => '\u{204f}',                   // ⁏ reversed semicolon
            '#' => '\u{266f}',                   // ♯ sharp
            '%' => '\u{2052}',                   // ⁒ commercial minus sign
            '<' => '\u{2039}',                   // ‹
            '>' => '\u{203a}',                   // ›
            '&' => '\u{214b}',                   // ⅋ turned ampersand
            '"' => '\u{201d}',                   // ”
            '`' => '\u{2035}',                   // ‵
            '{' => '\u{2774}',                   // ❴
            '}' => '\u{2775}',                   // ❵
            '[' => '\u{27e6}',                   // ⟦
            ']' => '\u{27e7}',                   // ⟧
            '(' => '\u{2768}',                   // ❨
            ')' => '\u{2769}',                   // ❩
            '|' => '\u{2223}',                   // ∣
            '\\' => '\u{29f5}',                  // ⧵
            c if c.is_control() => ' ',          // line breaks and every other control
            c if is_invisible(c) => ' ',         // bidi and zero-width format characters
            c if crate::text::is_mark(c) => ' ', // entente's own colour marks, never log text's
            c => c,
        };
        out.push(safe);
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let mut out = words.join(" ");
    if out.chars().count() > LABEL_MAX {
        out = out.chars().take(LABEL_MAX - 1).collect::<String>().trim_end().to_owned();
        out.push('…');
    }
    if out.is_empty() { "(blank)".to_owned() } else { out }
}

/// Format characters that would reorder or hide a label: bidirectional controls and
/// zero-width characters.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// The commitments of `tracks` as a `gantt` chart in a fenced block.
pub fn gantt(
    head: &Header,
    tracks: &[TrackStatus],
    commitments: impl Fn(&TrackStatus) -> Vec<&CommitmentStatus>,
) -> String {
    let mut out = String::from("```mermaid\ngantt\n");
    let _ = writeln!(out, "    title {}", label(&format!("Commitments, as of {}", head.view.as_of)));
    out.push_str("    dateFormat YYYY-MM-DD\n    axisFormat %Y-%m\n");
    out.push_str("    %% A date known to the month or year is drawn on its first day and noted.\n");
    let (mut bars, mut marks) = (0, 0);
    for t in tracks {
        let list = commitments(t);
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "    section {}", label(&format!("{} ({})", t.title, t.id)));
        for c in list {
            bars += 1;
            let start = c.made.first_day();
            let last = c.deadlines.iter().filter_map(|d| d.due).max();
            // Without a deadline, a fulfilled commitment's bar ends at its fulfilment,
            // an open one's at the as-of day.
            let fulfilled = c.fulfilled.as_ref().map(|f| f.date.last_day());
            let end = last.or(fulfilled).unwrap_or(head.view.as_of).max(start);
            let mut text = format!("{}: {}", c.id, c.state.words());
            if let Some(note) = noted(&c.made) {
                let _ = write!(text, " (made {note})");
            }
            let _ = write!(text, ": {}", c.text);
            let _ =
                writeln!(out, "    c{bars} {} :{}c{bars}, {}, {}", label(&text), tags(c.state), day(start), day(end));
            for d in &c.deadlines {
                let Some(due) = d.due else { continue };
                marks += 1;
                let what = format!("{} {} due", c.id, d.milestone.name());
                let _ = writeln!(out, "    m{marks} {} :milestone, m{marks}, {}, 0d", label(&what), day(due));
            }
        }
    }
    if bars == 0 {
        out.push_str("    section No commitment matches in this view\n");
    }
    out.push_str("```\n");
    out
}

/// A bar's tags by its state: `crit` when overdue or breached, `done` when fulfilled,
/// `active` while in progress; the trailing comma is the grammar's.
fn tags(state: CommitmentState) -> &'static str {
    match state {
        CommitmentState::Overdue | CommitmentState::Breached => "crit, ",
        CommitmentState::Fulfilled | CommitmentState::FulfilledLate => "done, ",
        CommitmentState::InProgress | CommitmentState::PartiallyFulfilled => "active, ",
        CommitmentState::Open
        | CommitmentState::Stalled
        | CommitmentState::Suspended
        | CommitmentState::Withdrawn
        | CommitmentState::Superseded
        | CommitmentState::InEffect => "",
    }
}

/// How a date short of a day is noted beside the first day it is drawn on.
fn noted(date: &PartialDate) -> Option<String> {
    match date.precision() {
        Precision::Day => None,
        Precision::Month | Precision::Year | Precision::Range => Some(format!("{date}, drawn from its first day")),
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The events of `timeline` as a Mermaid `timeline` in a fenced block: a section per
/// track, an entry per date with each event's seq and headline.
pub fn timeline(head: &Header, timeline: &[TrackEvents<'_>]) -> String {
    let mut out = String::from("```mermaid\ntimeline\n");
    let _ = writeln!(out, "    title {}", label(&format!("Timeline, as of {}", head.view.as_of)));
    let mut any = false;
    for t in timeline.iter().filter(|t| !t.events.is_empty()) {
        any = true;
        let _ = writeln!(out, "    section {}", label(&format!("{} ({})", t.track.title, t.track.id)));
        let mut events = t.events.iter().peekable();
        while let Some(first) = events.next() {
            let date = first.event.facts.occurred;
            let _ = write!(out, "        {}", label(&date.to_string()));
            let mut entry = |seq: u64, what: String| {
                let _ = write!(out, " : {}", label(&format!("seq {seq} {what}")));
            };
            entry(first.seq, crate::render::headline(&first.event));
            while let Some(next) = events.next_if(|r| r.event.facts.occurred == date) {
                entry(next.seq, crate::render::headline(&next.event));
            }
            out.push('\n');
        }
    }
    if !any {
        out.push_str("    %% No event in this view.\n");
    }
    out.push_str("```\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_keep_no_character_a_grammar_or_a_renderer_reads() {
        let hostile = "a: b; c # d\n%%{init}%% <script>&amp;\"`x`[y](z)|w\\\u{202e}\u{1b}";
        let l = label(hostile);
        for bad in [':', ';', '#', '%', '<', '>', '&', '"', '`', '{', '}', '[', ']', '(', ')', '|', '\\', '\n'] {
            assert!(!l.contains(bad), "{bad:?} in {l:?}");
        }
        assert!(!l.chars().any(|c| c.is_control() || is_invisible(c)), "{l:?}");
        assert!(l.starts_with("a\u{2236} b\u{204f} c \u{266f} d"), "{l:?}");
    }

    #[test]
    fn labels_are_capped_and_never_empty() {
        let l = label(&"x".repeat(500));
        assert_eq!(l.chars().count(), LABEL_MAX);
        assert!(l.ends_with('…'));
        assert_eq!(label(" \n\t"), "(blank)");
    }
}
