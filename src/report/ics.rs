//! iCalendar (RFC 5545) for calendars: a small writer of exactly what entente needs —
//! a `VCALENDAR` of all-day `VEVENT`s — with the escaping and line folding the RFC asks
//! for, written here rather than through a crate because it is only this.
//!
//! A content line is `NAME[;PARAM=VALUE]:VALUE`; a TEXT value escapes backslash,
//! semicolon, comma and line feed (`\\`, `\;`, `\,`, `\n`); every line ends with CRLF and
//! is folded so that no physical line is longer than 75 octets, a continuation line
//! starting with one space, never inside a UTF-8 character. What a calendar cannot
//! hold in TEXT (control characters) is kept out by the caller, which hands it text
//! from the log through `text::shown`. Pure: returns strings.

/// The most octets a physical line may hold, its CRLF not counted.
pub const LINE_OCTETS: usize = 75;

/// An iCalendar document being written.
pub struct Calendar {
    out: String,
}

impl Calendar {
    /// A calendar published (`METHOD:PUBLISH`) under `name`, by entente.
    pub fn new(name: &str) -> Calendar {
        let mut calendar = Calendar { out: String::new() };
        calendar.line("BEGIN", "VCALENDAR");
        calendar.line("VERSION", "2.0");
        calendar.line("PRODID", "-//entente//deadlines//EN");
        calendar.line("CALSCALE", "GREGORIAN");
        calendar.line("METHOD", "PUBLISH");
        calendar.line("X-WR-CALNAME", &text(name));
        calendar
    }

    /// Adds one content line: `name` (with its parameters) and its value, written as
    /// given (a TEXT value goes through [`text`] first), folded.
    pub fn line(&mut self, name: &str, value: &str) {
        self.out.push_str(&fold(&format!("{name}:{value}")));
    }

    /// The whole document.
    pub fn finish(mut self) -> String {
        self.line("END", "VCALENDAR");
        self.out
    }
}

/// A TEXT value escaped: backslash, semicolon, comma and line feed (a carriage return
/// before a line feed is dropped, a lone one is a line break too).
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// One logical line folded into physical lines of at most [`LINE_OCTETS`] octets,
/// each ended by CRLF, each continuation starting with a space (which counts), none
/// ending with a space or a tab.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut rest = line;
    let mut room = LINE_OCTETS;
    loop {
        if rest.len() <= room {
            out.push_str(rest);
            out.push_str("\r\n");
            return out;
        }
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        // Some readers trim the end of each physical line: a fold never leaves a
        // space or tab at the end of one (RFC 5545 lets a fold fall anywhere).
        let mut kept = cut;
        while kept > 1 && rest[..kept].ends_with([' ', '\t']) {
            kept -= 1;
        }
        if kept > 1 {
            cut = kept;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = LINE_OCTETS - 1;
    }
}

/// The physical lines of a folded document joined back into its logical lines.
pub fn unfold(document: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in document.split("\r\n").filter(|l| !l.is_empty()) {
        match (physical.strip_prefix(' '), lines.last_mut()) {
            (Some(more), Some(last)) => last.push_str(more),
            _ => lines.push(physical.to_owned()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn text_escapes_what_the_rfc_says() {
        assert_eq!(text("a\\b;c,d\ne\r\nf\rg"), "a\\\\b\\;c\\,d\\ne\\nf\\ng");
    }

    #[test]
    fn a_line_of_75_octets_stays_whole_and_one_more_folds() {
        let line = "x".repeat(75);
        assert_eq!(fold(&line), format!("{line}\r\n"));
        assert_eq!(fold(&format!("{line}y")), format!("{line}\r\n y\r\n"));
    }

    #[test]
    fn a_fold_never_splits_a_character() {
        // 74 ASCII octets then a 3-octet character: it cannot fit in the first line.
        let line = format!("{}€€", "x".repeat(74));
        let folded = fold(&line);
        assert_eq!(folded, format!("{}\r\n €€\r\n", "x".repeat(74)));
    }

    proptest! {
        #[test]
        fn folded_lines_fit_and_unfold_to_the_line(line in "[a-z€😀ı;,\\\\ ]{1,400}") {
            let folded = fold(&line);
            for physical in folded.split_terminator("\r\n") {
                prop_assert!(physical.len() <= LINE_OCTETS, "{physical:?} is {} octets", physical.len());
            }
            prop_assert!(folded.ends_with("\r\n"));
            prop_assert_eq!(unfold(&folded), vec![line.clone()]);
        }
    }
}
