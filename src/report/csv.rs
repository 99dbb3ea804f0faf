//! CSV for spreadsheets (RFC 4180, through the `csv` crate): a header row of stable
//! snake_case names, then one row per item, each record ended by CRLF, every cell in
//! quotes.
//!
//! Cells are the log's text exactly, but for one change made here and nowhere else
//! ([`neutral`]): a cell a spreadsheet would run as a formula — one that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return — gets a single quote `'` in front,
//! as OWASP recommends against CSV injection. Every cell goes through it; the cells
//! entente writes itself (seqs, counts, dates, names from closed sets, `true`/`false`)
//! never start with one of those characters (no number entente writes is negative), so
//! only text from the log is ever changed. A table's width is its header's, fixed by
//! the type ([`Table`]), so every row has the header's width.
//!
//! Pure: returns strings; the CLI prints them and `replay` writes them.

use std::borrow::Cow;

use crate::date::PartialDate;

/// A CSV document being written: the header row, then rows of the same width.
pub struct Table<const N: usize> {
    out: csv::Writer<Vec<u8>>,
}

impl<const N: usize> Table<N> {
    /// A table with this header row.
    pub fn new(header: [&str; N]) -> Table<N> {
        let mut table = Table { out: writer() };
        table.write(header.map(str::to_owned));
        table
    }

    /// Adds one row, each cell neutralised ([`neutral`]).
    pub fn row(&mut self, cells: [String; N]) {
        self.write(cells);
    }

    fn write(&mut self, cells: [String; N]) {
        // Writing to memory cannot fail, and every row has the header's width (N).
        self.out
            .write_record(cells.iter().map(|c| neutral(c).into_owned()))
            .expect("a row of the header's width, written to memory, always writes");
    }

    /// What was written since the last call (the header first): for a command that
    /// prints rows as it reads them.
    pub fn take(&mut self) -> String {
        // Flushing a writer into memory cannot fail.
        let bytes = std::mem::replace(&mut self.out, writer()).into_inner().expect("a CSV writer flushes into memory");
        // Every cell is a Rust string, and the writer adds only ASCII.
        String::from_utf8(bytes).expect("CSV written from strings is UTF-8")
    }

    /// The whole document.
    pub fn finish(mut self) -> String {
        self.take()
    }
}

/// A writer into memory: records ended by CRLF, every cell quoted — OWASP's advice
/// beside the leading `'`: a spreadsheet that splits on `;` (Excel in many European
/// locales) would otherwise read `a;=cmd…` in one unquoted cell as a formula cell.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new())
}

/// A cell as written: `'` put in front when it starts with a character that makes a
/// spreadsheet run it as a formula (`=`, `+`, `-`, `@`, tab, carriage return).
pub fn neutral(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cells of a date: the date as the log writes it, and its precision.
pub fn date(d: &PartialDate) -> [String; 2] {
    [d.to_string(), d.precision().name().to_owned()]
}

/// The cells of an optional date: both empty when there is none.
pub fn maybe_date(d: Option<&PartialDate>) -> [String; 2] {
    d.map_or([String::new(), String::new()], date)
}

/// A list of seqs in one cell, separated by spaces.
pub fn seqs(list: &[u64]) -> String {
    list.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
}

/// A yes/no in one cell.
pub fn flag(value: bool) -> String {
    if value { "true" } else { "false" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept_exactly() {
        for c in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutral(c), format!("'{c}"));
        }
        for c in ["", "1", "a=b", " =x", "'", "Kılıç", "\u{202e}x"] {
            assert_eq!(neutral(c), c);
        }
    }

    #[test]
    fn a_table_quotes_every_cell_and_ends_records_with_crlf() {
        let mut t = Table::new(["a", "b"]);
        t.row(["x,y".to_owned(), "say \"hi\"\nthen".to_owned()]);
        // A spreadsheet splitting on `;` keeps a quoted cell whole.
        t.row(["=cmd".to_owned(), "a;=cmd".to_owned()]);
        t.row(["1".to_owned(), String::new()]);
        assert_eq!(
            t.finish(),
            "\"a\",\"b\"\r\n\"x,y\",\"say \"\"hi\"\"\nthen\"\r\n\"'=cmd\",\"a;=cmd\"\r\n\"1\",\"\"\r\n"
        );
    }
}
