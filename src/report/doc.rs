//! The document writer every text and Markdown report is written through: a [`Doc`]
//! takes the few shapes reports need (a title, headings, labelled fields, tables,
//! paragraphs), escapes every string it is handed for its [`Medium`], and has the
//! medium lay it out. Another medium (HTML, CSV) is another `Medium` beside [`Text`]
//! and [`Markdown`].
//!
//! It neither decides what a report says (each report module does) nor writes JSON
//! (reports serialize their data with serde, never through a `Doc`).

use std::fmt::Write as _;

use crate::text;

/// A medium documents are laid out in: its one escaper, and how it lays out each shape.
///
/// The layout methods are handed text already escaped by [`Medium::escape`] (field
/// labels and table headers, entente's own words, are not escaped), so widths count
/// the escaped form.
pub trait Medium {
    /// `text` as this medium shows it. Every escaper starts from [`text::shown`].
    fn escape(&self, text: &str) -> String;

    /// The document's title.
    fn title(&self, out: &mut String, text: &str);

    /// A section heading.
    fn heading(&self, out: &mut String, text: &str);

    /// A section heading that says something of `tone` (a problem, a retraction):
    /// coloured where the medium colours, else a plain heading.
    fn toned_heading(&self, out: &mut String, text: &str, tone: text::Tone) {
        let _ = tone;
        self.heading(out, text);
    }

    /// A block of labelled fields.
    fn fields(&self, out: &mut String, rows: &[(&str, String)]);

    /// A table with at least one row.
    fn table(&self, out: &mut String, header: &[&str], rows: &[Vec<String>]);

    /// A paragraph.
    fn para(&self, out: &mut String, text: &str) {
        let _ = writeln!(out, "{text}\n");
    }

    /// A reference to footnotes `numbers` (from 1), put after a stated state; nothing
    /// in a medium without footnotes, which then keeps no ledger of citations.
    fn cite(&self, _numbers: &[usize]) -> Option<String> {
        None
    }

    /// The provenance header, fields of entente's words and escaped values; nothing in
    /// a medium without provenance.
    fn stamp(&self, _out: &mut String, _rows: &[(&str, String)]) {}

    /// Footnote `number`, whose text is already Markdown (escaped by its writer).
    fn footnote(&self, _out: &mut String, _number: usize, _text: &str) {}

    /// The finished document: here, without trailing blank lines.
    fn finish(&self, out: &mut String) {
        while out.ends_with("\n\n") {
            out.pop();
        }
    }
}

/// Aligned text for a terminal, laid out to a width (by display width: see
/// [`text::width`]), with what its states mean marked for colour when asked
/// ([`text::marked`]; the CLI styles the marks or drops them).
#[derive(Clone, Copy, Debug)]
pub struct Text {
    /// The most columns a line takes.
    pub width: usize,
    /// Whether states are marked with their [`text::Tone`].
    pub color: bool,
}

/// How text reports are laid out: the width of a line, and whether what states mean
/// is marked for colour. Markdown ignores both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The most columns a line takes: the terminal's width, [`WIDTH`] when piped.
    pub width: usize,
    /// Whether states are marked for colour.
    pub color: bool,
}

impl Layout {
    /// What files and pipes get: [`WIDTH`] columns, no colour. `replay`'s golden files
    /// are always laid out so.
    pub const PLAIN: Layout = Layout { width: WIDTH, color: false };
}

/// Markdown for a brief.
#[derive(Clone, Copy, Debug)]
pub struct Markdown;

/// The width of a text line when no terminal says otherwise.
pub const WIDTH: usize = 100;

/// The narrowest width text is laid out at: the fixed columns of a table and the
/// labels of fields need about this much.
pub const MIN_WIDTH: usize = 60;

/// What a state or a count of states means, for colour: commitments' headline states
/// (overdue and breached wrong, suspended and stalled need attention, fulfilled,
/// fulfilled late and in effect done, withdrawn and superseded no longer count), and
/// the kinds of events that take others back (retracted) or put them in doubt
/// (disputed). One table, used by every text layout that colours.
pub fn tone(word: &str) -> Option<text::Tone> {
    use text::Tone::{Bad, Dim, Good, Warn};
    match word {
        "overdue" | "breached" | "tampered" => Some(Bad),
        "suspended" | "stalled" | "event_disputed" | "disputed" => Some(Warn),
        "fulfilled" | "fulfilled_late" | "in_effect" => Some(Good),
        "withdrawn" | "superseded" | "event_retracted" | "retracted" => Some(Dim),
        _ => None,
    }
}

/// `cell` marked with the tone its state has (the state is its first word: marks
/// such as † follow it), or as it is.
fn toned(cell: &str) -> String {
    let word = cell.split(' ').next().unwrap_or_default();
    match tone(word) {
        Some(t) => format!("{}{}", text::marked(t, word), &cell[word.len()..]),
        None => cell.to_owned(),
    }
}

/// A list of counts (`3 fulfilled, 1 overdue`) with each count of a toned state marked
/// (a count of none is left plain).
fn toned_counts(value: &str) -> String {
    value
        .split(", ")
        .map(|part| match part.split_once(' ') {
            Some((n, word)) if n != "0" && n.bytes().all(|b| b.is_ascii_digit()) => match tone(word) {
                Some(t) => text::marked(t, part),
                None => part.to_owned(),
            },
            _ => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Medium for Text {
    fn escape(&self, text: &str) -> String {
        text::shown(text).into_owned()
    }

    fn title(&self, out: &mut String, text: &str) {
        let _ = writeln!(out, "{text}\n");
    }

    fn heading(&self, out: &mut String, text: &str) {
        let _ = writeln!(out, "{text}");
        let _ = writeln!(out, "{}", "=".repeat(text::width(text).min(self.width)));
    }

    fn toned_heading(&self, out: &mut String, text: &str, tone: text::Tone) {
        if self.color {
            let _ = writeln!(out, "{}", text::marked(tone, text));
            let _ = writeln!(out, "{}", "=".repeat(text::width(text).min(self.width)));
        } else {
            self.heading(out, text);
        }
    }

    /// Values wrap at the width (a word wider than it, such as a long URL, stands
    /// whole on its line); a `state`, and a count
    /// of states (`commitments`, `next deadline`), is coloured by what the state means.
    fn fields(&self, out: &mut String, rows: &[(&str, String)]) {
        for (k, v) in rows {
            let counts = self.color && matches!(*k, "commitments" | "next deadline");
            let state = self.color && *k == "state";
            let mut lines = wrap(v, self.width.saturating_sub(17)).into_iter().enumerate().map(|(i, line)| {
                if counts {
                    line.split(" · ").map(toned_counts).collect::<Vec<_>>().join(" · ")
                } else if state && i == 0 {
                    toned(&line)
                } else {
                    line
                }
            });
            let _ = writeln!(out, "  {} {}", text::pad(k, 14), lines.next().unwrap_or_default());
            for more in lines {
                let _ = writeln!(out, "  {:<14} {more}", "");
            }
        }
        out.push('\n');
    }

    /// The last column takes what width is left; a row too wide is cut at the
    /// width. Columns are sized by display width; a `state` column is coloured by
    /// what its state means, after it is padded, so colour never moves a column.
    fn table(&self, out: &mut String, header: &[&str], rows: &[Vec<String>]) {
        let n = header.len();
        let mut widths: Vec<usize> = header.iter().map(|h| text::width(h)).collect();
        for row in rows {
            for (i, cell) in row.iter().enumerate().take(n - 1) {
                widths[i] = widths[i].max(text::width(cell));
            }
        }
        let line = |cells: &[String], head: bool| {
            let mut s = String::from(" ");
            for (i, cell) in cells.iter().enumerate() {
                let cell =
                    if self.color && !head && header.get(i) == Some(&"state") { toned(cell) } else { cell.clone() };
                if i + 1 < n {
                    let _ = write!(s, " {} ", text::pad(&cell, widths[i]));
                } else {
                    let _ = write!(s, " {cell}");
                }
            }
            text::cut(s.trim_end(), self.width)
        };
        let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let _ = writeln!(out, "{}", line(&head, true));
        for row in rows {
            let _ = writeln!(out, "{}", line(row, false));
        }
        out.push('\n');
    }
}

impl Medium for Markdown {
    fn escape(&self, text: &str) -> String {
        md(text)
    }

    fn title(&self, out: &mut String, text: &str) {
        let _ = writeln!(out, "# {text}\n");
    }

    fn heading(&self, out: &mut String, text: &str) {
        let _ = writeln!(out, "## {text}\n");
    }

    fn fields(&self, out: &mut String, rows: &[(&str, String)]) {
        for (k, v) in rows {
            let _ = writeln!(out, "- **{k}:** {v}");
        }
        out.push('\n');
    }

    /// The last column takes everything.
    fn table(&self, out: &mut String, header: &[&str], rows: &[Vec<String>]) {
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
        for row in rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        out.push('\n');
    }

    /// GFM footnote references, `[^1][^2]`.
    fn cite(&self, numbers: &[usize]) -> Option<String> {
        Some(numbers.iter().map(|n| format!("[^{n}]")).collect())
    }

    /// A quoted block of fields under the title.
    fn stamp(&self, out: &mut String, rows: &[(&str, String)]) {
        for (k, v) in rows {
            let _ = writeln!(out, "> **{k}:** {v}  ");
        }
        // The last line's hard break would join the next block; end the quote.
        if out.ends_with("  \n") {
            out.truncate(out.len() - 3);
            out.push('\n');
        }
        out.push('\n');
    }

    /// A GFM footnote definition, one line.
    fn footnote(&self, out: &mut String, number: usize, text: &str) {
        let _ = writeln!(out, "[^{number}]: {text}");
    }
}

/// A document being written in a medium.
///
/// Every string handed to it — titles, headings, field values, table cells,
/// paragraphs — may hold text from the log, and goes through the medium's escaper
/// ([`text::shown`]; in Markdown, [`md`], which builds on it) before it is laid out.
/// Only field labels and table headers, which are entente's own words, do not.
pub struct Doc {
    medium: Box<dyn Medium>,
    out: String,
    /// The seqs cited so far, in order of first citation: footnote `i + 1` is `cited[i]`.
    cited: Vec<u64>,
}

impl Doc {
    /// An empty document in `medium`.
    pub fn new(medium: Box<dyn Medium>) -> Doc {
        Doc { medium, out: String::new(), cited: Vec::new() }
    }

    /// The title.
    pub fn title(&mut self, text: &str) {
        let text = self.medium.escape(text);
        self.medium.title(&mut self.out, &text);
    }

    /// A section heading.
    pub fn heading(&mut self, text: &str) {
        let text = self.medium.escape(text);
        self.medium.heading(&mut self.out, &text);
    }

    /// A section heading that says something of `tone`: a problem, a retraction.
    pub fn toned_heading(&mut self, text: &str, tone: text::Tone) {
        let text = self.medium.escape(text);
        self.medium.toned_heading(&mut self.out, &text, tone);
    }

    /// Labelled fields: each label, entente's own word, with its value.
    pub fn fields(&mut self, rows: &[(&str, String)]) {
        self.fields_citing(rows, &[]);
    }

    /// Labelled fields, the value of each label in `cites` followed by references to
    /// the events it rests on (in a medium with footnotes).
    pub fn fields_citing(&mut self, rows: &[(&str, String)], cites: &[(&str, Vec<u64>)]) {
        let rows: Vec<(&str, String)> = rows
            .iter()
            .map(|(k, v)| {
                let mut v = self.medium.escape(v);
                if let Some((_, seqs)) = cites.iter().find(|(label, _)| label == k) {
                    v.push_str(&self.cite(seqs));
                }
                (*k, v)
            })
            .collect();
        self.medium.fields(&mut self.out, &rows);
    }

    /// A table under `header` (entente's own words); nothing when there are no rows.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        self.table_citing(header, rows, 0, &[]);
    }

    /// A table whose cell in `column` of row `i` is followed by references to the
    /// events `cites[i]` (in a medium with footnotes).
    pub fn table_citing(&mut self, header: &[&str], rows: &[Vec<String>], column: usize, cites: &[Vec<u64>]) {
        if rows.is_empty() {
            return;
        }
        let rows: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut row: Vec<String> = row.iter().map(|c| self.medium.escape(c)).collect();
                if let (Some(cell), Some(seqs)) = (row.get_mut(column), cites.get(i)) {
                    cell.push_str(&self.cite(seqs));
                }
                row
            })
            .collect();
        self.medium.table(&mut self.out, header, &rows);
    }

    /// True when this document's medium cites events in footnotes (and its reader
    /// should gather their notes).
    pub fn cites(&self) -> bool {
        self.medium.cite(&[]).is_some()
    }

    /// References to the events `seqs`, each numbered at its first citation: empty
    /// in a medium without footnotes.
    fn cite(&mut self, seqs: &[u64]) -> String {
        if !self.cites() {
            return String::new();
        }
        let mut numbers = Vec::new();
        for &seq in seqs {
            let n = match self.cited.iter().position(|&s| s == seq) {
                Some(i) => i + 1,
                None => {
                    self.cited.push(seq);
                    self.cited.len()
                }
            };
            if !numbers.contains(&n) {
                numbers.push(n);
            }
        }
        self.medium.cite(&numbers).unwrap_or_default()
    }

    /// The provenance header (in a medium that shows it): the view, the head and
    /// whether the log was verified. Put right under the title.
    pub fn stamp(&mut self, head: &crate::projection::Header, stamp: &super::provenance::Stamp) {
        let view = &head.view;
        let known = match &view.known_at {
            Some(t) => crate::event::format_recorded_at(t),
            None => "everything recorded".to_owned(),
        };
        let head_line = match stamp.head_hash {
            Some(hash) => format!("seq {}, hash {}", head.head.seq, hash.to_hex()),
            None => format!("seq {} (hash not known)", head.head.seq),
        };
        let rows = [
            ("as of", view.as_of.to_string()),
            ("known at", known),
            ("head", head_line),
            ("verified", stamp.check_words()),
        ];
        let rows: Vec<(&str, String)> = rows.iter().map(|(k, v)| (*k, self.medium.escape(v))).collect();
        self.medium.stamp(&mut self.out, &rows);
    }

    /// The document, ending with the footnotes of the events it cited (an event
    /// `notes` lacks is named by its seq alone).
    pub fn finish_citing(mut self, notes: &super::provenance::Notes) -> String {
        self.medium.finish(&mut self.out);
        self.out.push('\n');
        for (i, &seq) in self.cited.iter().enumerate() {
            let text = match notes.get(seq) {
                Some(note) => note.markdown(),
                None => format!("seq {seq} (not read for this document)."),
            };
            self.medium.footnote(&mut self.out, i + 1, &text);
        }
        self.finish()
    }

    /// A paragraph.
    pub fn para(&mut self, text: &str) {
        let text = self.medium.escape(text);
        self.medium.para(&mut self.out, &text);
    }

    /// The document.
    pub fn finish(mut self) -> String {
        self.medium.finish(&mut self.out);
        self.out
    }
}

/// Escapes text for a Markdown table cell or line: first as every shown text is
/// ([`text::shown`]: controls, line breaks and bidirectional controls written
/// `\u{HEX}`), then pipes, markup characters (`^` and `~` too, so no footnote reference
/// or strike-through can be forged; the escapes' backslashes included) and HTML.
pub fn md(text: &str) -> String {
    let text = text::shown(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '\\' | '#' | '^' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// Breaks `text` into lines of at most `width` display columns ([`text::width`]) at
/// spaces (a longer word stands alone on its line).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = if line.is_empty() { text::width(word) } else { text::width(&line) + 1 + text::width(word) };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_escape_pipes_markup_and_html() {
        assert_eq!(md("a|b *c* <script>&\nx"), "a\\|b \\*c\\* &lt;script&gt;&amp;\\\\u{a}x");
        assert_eq!(md("\u{1b}[2J"), "\\\\u{1b}\\[2J", "the escape's backslash is escaped for Markdown");
    }

    #[test]
    fn footnotes_are_numbered_at_first_use_and_reused() {
        use crate::report::provenance::Notes;
        let mut doc = Doc::new(Box::new(Markdown));
        doc.fields_citing(&[("a", "x".to_owned()), ("b", "y".to_owned())], &[("a", vec![7, 3]), ("b", vec![3, 9])]);
        doc.table_citing(&["k", "v"], &[vec!["1".to_owned(), "z".to_owned()]], 1, &[vec![9, 7]]);
        let out = doc.finish_citing(&Notes::none());
        assert!(out.contains("- **a:** x[^1][^2]\n- **b:** y[^2][^3]\n"), "{out}");
        assert!(out.contains("| 1 | z[^3][^1] |"), "{out}");
        assert!(out.ends_with("[^1]: seq 7 (not read for this document).\n[^2]: seq 3 (not read for this document).\n[^3]: seq 9 (not read for this document).\n"), "{out}");
        let mut text = Doc::new(Box::new(Text { width: WIDTH, color: false }));
        text.fields_citing(&[("a", "x".to_owned())], &[("a", vec![7])]);
        assert_eq!(text.finish_citing(&Notes::none()), "  a              x\n", "text cites nothing");
    }

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = "the Joint Border Commission by the end of April in line with the Sochi Statement";
        let lines = wrap(text, 20);
        assert!(lines.iter().all(|l| text::width(l) <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), text);
    }
}
