//! Text from the log as entente shows it, compares it and judges it blank.
//!
//! Everything in an event that a person typed — names, titles, summaries, reasons,
//! sources — is hostile where it is shown: it may hold terminal escapes (`ESC ] 0;…`
//! retitles the window, `ESC [2J` clears the screen), a carriage return or line feed
//! that forges a row, or bidirectional overrides that make text read backwards.
//! [`shown`] is the one escaper every human-readable writer (text and Markdown: the
//! report `Doc`, `show`, `log` rows, error messages) puts such text through; JSON output
//! never does (serde's escaping keeps it exact).
//!
//! Stored text is never rewritten (bodies are hash-chained): Unicode normalization
//! happens only in comparison keys ([`same`], [`folded`]), so "Kılıç" typed composed
//! (NFC) and decomposed (NFD) match in filters and group once in reports.
//!
//! Layouts measure text here by display width ([`width`], [`pad`], [`cut`]: a CJK
//! character takes two columns, a combining mark none), and mark what means something
//! for colour ([`marked`]) without writing a single escape sequence: the CLI does that.
//!
//! Pure; no I/O.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Whether `c` must never reach a terminal or a Markdown reader raw: C0 controls (tab,
/// line feed and carriage return included), DEL, C1 controls, the line and paragraph
/// separators, and the bidirectional marks, embeddings, overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` made safe to show: every [`is_unsafe`] character (and every [`is_mark`],
/// so that the log's text cannot colour itself) is written visibly as
/// `\u{HEX}` (lower-case hex, as Rust writes it), and a backslash that would start such
/// a sequence is itself written `\u{5c}`, so the escaping is reversible ([`unshown`]):
/// no two texts are shown alike. Text without either is returned as it is.
pub fn shown(text: &str) -> Cow<'_, str> {
    let needs = |i: usize, c: char| is_unsafe(c) || is_mark(c) || (c == '\\' && text[i + 1..].starts_with("u{"));
    let Some(first) = text.char_indices().position(|(i, c)| needs(i, c)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    for (n, (i, c)) in text.char_indices().enumerate() {
        if n >= first && needs(i, c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The text [`shown`] was given: every `\u{HEX}` sequence read back as its character.
/// `None` when `shown` could not have written `text`.
pub fn unshown(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let end = after.find('}')?;
        let c = char::from_u32(u32::from_str_radix(&after[..end], 16).ok()?)?;
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// How a span of a laid-out document is coloured, by what it means: the CLI turns
/// each into a terminal style, or drops it, when it prints ([`marked`] spans).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Something is wrong: overdue, breached, tampered.
    Bad,
    /// Something needs attention: suspended, stalled, disputed.
    Warn,
    /// Something went as it should: fulfilled, in effect, verified.
    Good,
    /// Something no longer counts: withdrawn, superseded, retracted.
    Dim,
}

/// The characters that open a span of each [`Tone`] and the one that closes it:
/// Unicode noncharacters, which no text is meant to hold, and which [`shown`] escapes
/// wherever the log's text holds them — so only entente's own layout can colour.
const TONE_MARKS: [(Tone, char); 4] =
    [(Tone::Bad, '\u{fdd0}'), (Tone::Warn, '\u{fdd1}'), (Tone::Good, '\u{fdd2}'), (Tone::Dim, '\u{fdd3}')];

/// The character that closes a [`marked`] span.
pub const MARK_END: char = '\u{fddf}';

/// Whether `c` opens or closes a [`marked`] span.
pub fn is_mark(c: char) -> bool {
    c == MARK_END || TONE_MARKS.iter().any(|(_, m)| *m == c)
}

/// The tone a mark opens, or `None` for [`MARK_END`] and any other character.
pub fn tone_of(c: char) -> Option<Tone> {
    TONE_MARKS.iter().find(|(_, m)| *m == c).map(|(t, _)| *t)
}

/// `text` (already escaped) marked as a span of `tone`. Marks take no width.
pub fn marked(tone: Tone, text: &str) -> String {
    let open = TONE_MARKS.iter().find(|(t, _)| *t == tone).map_or(MARK_END, |(_, m)| *m);
    format!("{open}{text}{MARK_END}")
}

/// `text` without its [`marked`] spans' marks.
pub fn unmarked(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_mark) {
        Cow::Owned(text.chars().filter(|c| !is_mark(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// One piece of shown text as it is laid out: an escape sequence (ASCII, as wide as it
/// is long), a mark (no width), or a character with the zero-width characters that
/// follow it (combining marks, variation selectors, a zero-width joiner and what it
/// joins), which a cut never separates.
struct Piece<'a> {
    text: &'a str,
    width: usize,
}

/// The pieces of `text`, in order.
fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let len = if rest.starts_with("\\u{")
            && let Some(end) = rest.find('}')
        {
            end + 1
        } else if is_mark(first) {
            first.len_utf8()
        } else {
            let mut len = first.len_utf8();
            let mut joined = first == '\u{200d}';
            for c in rest[len..].chars() {
                let zero = !is_mark(c) && c != '\\' && c.width() == Some(0);
                if !(zero || joined) {
                    break;
                }
                joined = c == '\u{200d}';
                len += c.len_utf8();
            }
            len
        };
        let (piece, after) = rest.split_at(len);
        rest = after;
        let width = if is_mark(first) {
            0
        } else if piece.starts_with("\\u{") {
            piece.len()
        } else {
            piece.width()
        };
        Some(Piece { text: piece, width })
    })
}

/// How many columns `text` takes on a terminal: by display width (a CJK character
/// takes two, a combining mark none), escape sequences by their length, marks none.
pub fn width(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    pieces(text).map(|p| p.width).sum()
}

/// `text` followed by spaces up to `columns` display columns (none when it is as wide
/// or wider).
pub fn pad(text: &str, columns: usize) -> String {
    let mut out = text.to_owned();
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(width(text))));
    out
}

/// Cuts text that [`shown`] wrote to at most `columns` display columns ([`width`]),
/// marking the cut with an ellipsis: an escape sequence is kept whole or left out,
/// never split, a wide character never halved, a combining mark never parted from its
/// base, and a [`marked`] span cut short is closed.
pub fn cut(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    let room = columns.saturating_sub(1);
    let mut out = String::new();
    let mut used = 0;
    let mut open = false;
    for piece in pieces(text) {
        if used + piece.width > room {
            break;
        }
        if let Some(c) = piece.text.chars().next()
            && is_mark(c)
        {
            open = c != MARK_END;
        }
        out.push_str(piece.text);
        used += piece.width;
    }
    if open {
        out.push(MARK_END);
    }
    out.push('…');
    out
}

/// A last line of defence for a whole document that writers built from [`shown`]
/// pieces: any unsafe character still in it (but the line feeds that separate its
/// lines) is escaped. Backslashes are left alone, so shown text passes unchanged.
pub fn net(document: &str) -> Cow<'_, str> {
    if !document.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(document);
    }
    let mut out = String::with_capacity(document.len() + 8);
    for c in document.chars() {
        if c != '\n' && is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The comparison key of a name or title: its canonical composition (NFC), so that
/// texts that differ only in how their accents are encoded are the same text. Used to
/// group; the text shown is always the one recorded.
pub fn same(text: &str) -> Cow<'_, str> {
    if unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// The key filters compare: [`same`], and lower case (full Unicode, not only ASCII).
pub fn folded(text: &str) -> String {
    same(&text.to_lowercase()).into_owned()
}

/// Whether `c` shows nothing by itself: whitespace, controls, combining marks (with
/// no letter to sit on), zero-width spaces and joiners (U+200B–U+200D, U+2060,
/// U+FEFF), invisible operators, fillers, the soft hyphen, variation selectors, tag
/// characters and the bidirectional controls.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || is_unsafe(c)
        || is_combining_mark(c)
        || matches!(c,
            '\u{ad}' | '\u{34f}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}' | '\u{180e}'
            | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
            | '\u{e0000}'..='\u{e007f}' | '\u{e0100}'..='\u{e01ef}')
}

/// Whether `text` shows nothing: empty, or made only of [`is_invisible`] characters.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(is_invisible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_visible_and_reversible() {
        let hostile = "a\u{1b}]0;owned\u{7}b\u{1b}[2J\r\n 99  fake\u{202e}txt\u{2066}";
        let s = shown(hostile);
        assert_eq!(s, "a\\u{1b}]0;owned\\u{7}b\\u{1b}[2J\\u{d}\\u{a} 99  fake\\u{202e}txt\\u{2066}");
        assert_eq!(unshown(&s).as_deref(), Some(hostile));
    }

    #[test]
    fn a_backslash_that_looks_like_an_escape_is_escaped_itself() {
        assert_eq!(shown(r"C:\new \u{1b}"), r"C:\new \u{5c}u{1b}");
        assert_eq!(unshown(&shown(r"\u{1b}")).as_deref(), Some(r"\u{1b}"));
        assert_ne!(shown("\u{1b}"), shown(r"\u{1b}"));
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(shown("Serdar Kılıç — “Sochi”"), Cow::Borrowed(_)));
    }

    #[test]
    fn cut_never_splits_an_escape() {
        let s = shown("abc\u{1b}def");
        assert_eq!(cut(&s, 6), "abc…");
        assert_eq!(cut(&s, 10), "abc\\u{1b}…");
        assert_eq!(cut(&s, 99), s);
    }

    #[test]
    fn composed_and_decomposed_are_the_same_name() {
        let nfc = "Kılıç Çavuşoğlu";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(same(nfc), same(&nfd));
        assert_eq!(folded("ÇAVUŞOĞLU"), folded(&"çavuşoğlu".nfd().collect::<String>()));
    }

    #[test]
    fn invisible_only_text_is_blank() {
        for blank in ["", " \t\n", "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}", "\u{301}\u{308}", "\u{202e}\u{2066}"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in ["a", "\u{200b}x", "e\u{301}", "—", "١"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }
}
