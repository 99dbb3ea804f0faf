//! A spreadsheet in: an analyst's timeline (CSV, one event a row) made into events
//! through a column mapping (TOML), for `import --format csv`.
//!
//! Each row becomes one JSON line handed to the one ingest path — [`parse_line`], then
//! the log's own append — so validation, idempotency and atomicity are the log's: this
//! module only lays cells out as fields, and words the log's objections by line and
//! column. It does not guess: a cell a row's kind has no field for, a header missing,
//! a header twice, a cell that is a spreadsheet formula, or text that is not UTF-8 is
//! refused, naming its line and column. The mapping's format is documented in the
//! README ("Import from a spreadsheet").
//!
//! Each row's event id is stable: the row's `id` cell (a UUID as it is, any other text
//! hashed), else a hash of the row's facts. Importing the same sheet twice records
//! nothing new; a row edited since gets a new id and is recorded as a new event.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::AppError;
use crate::event::{EventId, FieldError, Kind, Line, parse_line};
use crate::log::{AppendPolicy, Backend, LineProblem, Log, LogError, Outcome};
use crate::names::Named;

/// The largest sheet read: far beyond any analyst's timeline, small enough to hold.
pub const MAX_SHEET_BYTES: u64 = 64 << 20;

/// The longest line of a sheet: as long as the longest JSON line an import takes.
pub const MAX_LINE_BYTES: usize = super::ingest::MAX_LINE_BYTES;

crate::names::closed_set! {
    /// What `import` reads.
    pub enum ImportFormat {
        /// entente's JSON Lines: what `export` writes, or new events one a line.
        Jsonl => "jsonl",
        /// A spreadsheet as CSV, read through a column mapping.
        Csv => "csv",
    }
}

crate::names::closed_set! {
    /// A field of an event a column (or a default) can give.
    pub enum Field {
        /// The event's id: a UUID, or any text (hashed into one).
        Id => "id",
        /// When it happened: YYYY, YYYY-MM, YYYY-MM-DD or FROM/TO.
        Date => "date",
        /// Its track, or tracks separated by the list separator.
        Track => "track",
        /// Its kind: a kind's name, or a word the `[kinds]` table maps.
        Kind => "kind",
        /// What happened: a summary, a commitment's text.
        Summary => "summary",
        /// Who: party codes, or people as `Name (code)`, separated by the list separator.
        Participants => "participants",
        /// Where.
        Place => "place",
        /// The commitment an event makes or works on.
        Commitment => "commitment",
        /// A meeting's format (bilateral, trilateral, multilateral, sidelines).
        Format => "format",
        /// A meeting's mode (in_person, phone, video).
        Mode => "mode",
        /// The source's URL.
        SourceUrl => "source_url" / "source URL",
        /// The source's title (the URL when none).
        SourceTitle => "source_title" / "source title",
        /// Who published the source.
        Publisher => "publisher",
        /// Who wrote the source.
        Author => "author",
        /// When the source was published.
        Published => "published",
        /// Where in the source.
        Locator => "locator",
        /// `true` when the row has no source and the analyst vouches for it.
        Unsourced => "unsourced",
        /// confirmed, reported or unverified.
        Confidence => "confidence",
        /// The party whose account it is.
        Attribution => "attribution",
        /// The occasion it belongs to.
        Occasion => "occasion",
    }
}

/// The kinds a row can be, and the fields each takes beyond date, track, kind, id,
/// sources and account.
fn takes(kind: Kind) -> Option<&'static [Field]> {
    use Field::{Commitment, Format, Mode, Participants, Place, Summary};
    Some(match kind {
        Kind::ContextNoted | Kind::ImplementationStep => &[Summary],
        Kind::StatementMade => &[Summary, Participants, Place],
        Kind::MeetingHeld => &[Summary, Participants, Place, Format, Mode],
        Kind::CommitmentMade => &[Summary, Participants, Commitment],
        Kind::CommitmentProgressed | Kind::CommitmentFulfilled => &[Summary, Participants, Commitment],
        Kind::EnvoyAppointed => &[Participants],
        _ => return None,
    })
}

/// Fields every row may give, whatever its kind.
const COMMON: &[Field] = &[
    Field::Id,
    Field::Date,
    Field::Track,
    Field::Kind,
    Field::SourceUrl,
    Field::SourceTitle,
    Field::Publisher,
    Field::Author,
    Field::Published,
    Field::Locator,
    Field::Unsourced,
    Field::Confidence,
    Field::Attribution,
    Field::Occasion,
];

/// A mapping file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    columns: BTreeMap<String, String>,
    #[serde(default)]
    kinds: BTreeMap<String, String>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    lists: Lists,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lists {
    separator: Option<String>,
}

/// A column mapping, checked: which header gives each field, the sheet's words for
/// kinds, constant fields, and the list separator.
#[derive(Debug, Clone)]
pub struct Mapping {
    columns: BTreeMap<Field, String>,
    kinds: BTreeMap<String, Kind>,
    defaults: BTreeMap<Field, String>,
    separator: String,
}

impl Mapping {
    /// Reads a mapping from TOML text; `Err` says what is wrong and what to write.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let file: MappingFile = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        let field = |table: &str, name: &str| {
            Field::from_name(name).ok_or_else(|| {
                format!("[{table}] `{name}` is not a field a column can give; use one of {}", Field::NAMES.join(", "))
            })
        };
        let mut columns = BTreeMap::new();
        for (name, header) in &file.columns {
            if header.trim().is_empty() {
                return Err(format!(
                    "[columns] `{name}` names an empty header; write the column's header as the sheet's first row has it"
                ));
            }
            columns.insert(field("columns", name)?, header.clone());
        }
        let mut defaults = BTreeMap::new();
        for (name, value) in &file.defaults {
            defaults.insert(field("defaults", name)?, value.clone());
        }
        let mut kinds = BTreeMap::new();
        for (word, kind) in &file.kinds {
            let k = Kind::from_name(kind).filter(|k| takes(*k).is_some()).ok_or_else(|| {
                format!("[kinds] `{word}` = `{kind}`: a row can be one of {}", importable().join(", "))
            })?;
            kinds.insert(word.trim().to_owned(), k);
        }
        for needed in [Field::Date, Field::Track, Field::Kind] {
            if !columns.contains_key(&needed) && !defaults.contains_key(&needed) {
                return Err(format!(
                    "nothing gives `{}`: name its column in [columns] or give it in [defaults]",
                    needed.name()
                ));
            }
        }
        let separator = file.lists.separator.unwrap_or_else(|| ";".to_owned());
        if separator.is_empty() {
            return Err("[lists] separator is empty; write one, such as \";\"".to_owned());
        }
        Ok(Mapping { columns, kinds, defaults, separator })
    }
}

/// The kinds a row can be.
fn importable() -> Vec<&'static str> {
    Kind::ALL.iter().filter(|k| takes(**k).is_some()).map(|k| k.name()).collect()
}

/// Where a field's value came from in a row, for messages.
#[derive(Debug, Clone)]
enum Origin {
    Column { number: usize, header: String },
    Default,
}

impl Origin {
    fn describe(&self, field: Field) -> String {
        match self {
            Origin::Column { number, header } => format!("column {number} \"{header}\""),
            Origin::Default => format!("[defaults] {}", field.name()),
        }
    }
}

/// One row, made into a JSON line, with where each field came from.
#[derive(Debug, Clone)]
pub struct Row {
    /// The line of the sheet the row starts on.
    pub line: usize,
    /// The event as a JSON line.
    pub json: String,
    origins: BTreeMap<Field, Origin>,
}

impl Row {
    /// The column (or default) a JSON field path came from, in words, with the path.
    fn locate(&self, path: Option<&str>) -> Option<String> {
        let path = path?;
        let field = field_of(path);
        let words = match field.and_then(|f| self.origins.get(&f).map(|o| o.describe(f))) {
            Some(origin) => origin,
            None => match field {
                Some(f) => format!("no column gives {} (map one in [columns] or give it in [defaults])", f.name()),
                None => return Some(path.to_owned()),
            },
        };
        Some(format!("{words} ({path})"))
    }
}

/// Which mapped field a JSON path of an event comes from.
fn field_of(path: &str) -> Option<Field> {
    let head = path.split(['.', '[']).next().unwrap_or(path);
    Some(match head {
        "id" => Field::Id,
        "occurred" => Field::Date,
        "tracks" => Field::Track,
        "kind" => Field::Kind,
        "unsourced" => Field::Unsourced,
        "confidence" => Field::Confidence,
        "attribution" => Field::Attribution,
        "occasion" => Field::Occasion,
        "sources" => match path.rsplit('.').next() {
            Some("title") => Field::SourceTitle,
            Some("publisher") => Field::Publisher,
            Some("author") => Field::Author,
            Some("published") => Field::Published,
            Some("locator") => Field::Locator,
            _ => Field::SourceUrl,
        },
        "payload" => {
            let inner = path.strip_prefix("payload.").unwrap_or("");
            match inner.split(['.', '[']).next().unwrap_or("") {
                "summary" | "text" => Field::Summary,
                "participants" | "actor" | "parties" | "party" | "envoy" | "by" => Field::Participants,
                "place" | "venue" => Field::Place,
                "commitment" => Field::Commitment,
                "format" => Field::Format,
                "mode" => Field::Mode,
                // A payload missing a field: the kind asks for more than the row gives.
                _ => Field::Kind,
            }
        }
        _ => return None,
    })
}

/// A problem at a line, worded as the CLI prints any rejected line.
fn problem(line: usize, field: Option<String>, message: String) -> LineProblem {
    LineProblem { line, error: FieldError { field, message, hint: None } }
}

/// A sheet read: the rows that map, and what is wrong with those that do not.
#[derive(Debug, Default)]
pub struct Sheet {
    /// The rows made into JSON lines.
    pub rows: Vec<Row>,
    /// Every cell that does not map, by line and column.
    pub problems: Vec<LineProblem>,
}

/// Reads a sheet into rows. Whole-sheet problems (too large, no header row, a header
/// missing or twice) are `Err(AppError::Io)`; problems of single rows are collected
/// in the [`Sheet`], which [`import`] reports with the parser's, every line at once.
pub fn rows(mapping: &Mapping, name: &str, reader: impl Read) -> Result<Sheet, AppError> {
    let io = |message: String| AppError::Io { path: name.to_owned(), message };
    let mut bytes = Vec::new();
    reader.take(MAX_SHEET_BYTES + 1).read_to_end(&mut bytes).map_err(|e| io(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_SHEET_BYTES {
        return Err(io(format!("is larger than {} MiB; split the sheet and import each part", MAX_SHEET_BYTES >> 20)));
    }
    if let Some(line) = long_line(&bytes) {
        return Err(io(format!(
            "line {line} is longer than {} MiB, the most one row may take; shorten its cells or link to the text in a source",
            MAX_LINE_BYTES >> 20
        )));
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    if let Some(line) = unclosed_quote(text) {
        return Err(io(format!(
            "line {line} opens a quoted cell that is never closed, so every line after it would be read into that \
             one cell; close the quote (a quote inside a quoted cell is written twice: \"\")"
        )));
    }
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text);
    let headers = csv.byte_headers().map_err(|e| io(format!("cannot read its header row: {e}")))?.clone();
    let mut header_names = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = std::str::from_utf8(h).map_err(|_| {
            io(format!("line 1, column {}: the header is not UTF-8; save the sheet as UTF-8 CSV", i + 1))
        })?;
        header_names.push(h.trim().to_owned());
    }
    if header_names.iter().all(String::is_empty) {
        return Err(io("has no header row; its first line must name the columns".to_owned()));
    }
    let mut index: BTreeMap<Field, usize> = BTreeMap::new();
    for (field, header) in &mapping.columns {
        let found: Vec<usize> =
            header_names.iter().enumerate().filter(|(_, h)| *h == header.trim()).map(|(i, _)| i).collect();
        match found.as_slice() {
            [i] => {
                index.insert(*field, *i);
            }
            [] => {
                return Err(io(format!(
                    "has no column \"{header}\", which [columns] {} names; its columns are {}",
                    field.name(),
                    header_names.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ")
                )));
            }
            several => {
                let numbers: Vec<String> = several.iter().map(|i| (i + 1).to_string()).collect();
                return Err(io(format!(
                    "has the header \"{header}\" in columns {}; rename all but one, so [columns] {} names one column",
                    numbers.join(" and "),
                    field.name()
                )));
            }
        }
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Lines counted so far, up to byte `counted` (rows come in order: counting each
    // from the start of the file made a large sheet quadratic).
    let (mut counted, mut lines_before) = (0usize, 0usize);
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(problem(line, None, format!("cannot read the row: {e}")));
                break;
            }
        }
        // The line the row starts on, counted in the bytes themselves (a quoted cell
        // may hold line breaks).
        let mut start = record.position().map_or(0, |p| p.byte() as usize).min(text.len());
        // After a CRLF the reader may place a row at the line feed ending the last.
        while text.get(start).is_some_and(|b| *b == b'\r' || *b == b'\n') {
            start += 1;
        }
        let start = start.max(counted);
        lines_before += text[counted..start].iter().filter(|b| **b == b'\n').count();
        counted = start;
        let line = 1 + lines_before;
        if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        // More cells than the header has columns: most often a comma in a cell left
        // unquoted, which would cut its text short; nothing is dropped silently.
        if let Some(extra) =
            (header_names.len()..record.len()).find(|i| !record[*i].iter().all(u8::is_ascii_whitespace))
        {
            problems.push(problem(
                line,
                None,
                format!(
                    "the row has a cell in column {} but the header names {} columns; a comma inside a cell needs \
                     the cell in quotes (\"Armenia agreed, Azerbaijan refused\")",
                    extra + 1,
                    header_names.len()
                ),
            ));
            continue;
        }
        match row(mapping, &index, &header_names, &record, line) {
            // An event must fit on one line of an export, with the fields the log adds.
            Ok(row) if row.json.len() > MAX_LINE_BYTES - LOG_FIELDS_ROOM => problems.push(problem(
                line,
                None,
                format!(
                    "the event this row makes is longer than {} MiB, the most one event may take; shorten its \
                     cells or link to the text in a source",
                    MAX_LINE_BYTES >> 20
                ),
            )),
            Ok(row) => out.push(row),
            Err(mut errors) => problems.append(&mut errors),
        }
    }
    Ok(Sheet { rows: out, problems })
}

/// Room left on an event's line for what the log adds to it (seq, id, recording time
/// and recorder, hashes), so an event made from a row always exports on a line
/// `import` reads back.
const LOG_FIELDS_ROOM: usize = 4096;

/// The line (from 1) on which a quoted cell opens that is never closed, if one is: RFC
/// 4180's quoting, as the CSV reader reads it (a quote opens a cell only at its start;
/// inside it, `""` is a quote and `"` closes it).
fn unclosed_quote(text: &[u8]) -> Option<usize> {
    enum State {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let (mut state, mut line, mut opened) = (State::CellStart, 1, 0);
    for &b in text {
        state = match (state, b) {
            (State::CellStart, b'"') => {
                opened = line;
                State::Quoted
            }
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::QuoteInQuoted, b'\r') => State::QuoteInQuoted,
            (_, b',' | b'\n') => State::CellStart,
            (_, _) => State::Unquoted,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    matches!(state, State::Quoted).then_some(opened)
}

/// The first line longer than [`MAX_LINE_BYTES`], counting from 1.
fn long_line(bytes: &[u8]) -> Option<usize> {
    bytes.split(|b| *b == b'\n').position(|line| line.len() > MAX_LINE_BYTES).map(|i| i + 1)
}

/// One row as a JSON line, or every problem of its cells.
fn row(
    mapping: &Mapping,
    index: &BTreeMap<Field, usize>,
    headers: &[String],
    record: &csv::ByteRecord,
    line: usize,
) -> Result<Row, Vec<LineProblem>> {
    let mut problems = Vec::new();
    let mut values: BTreeMap<Field, (String, Origin)> = BTreeMap::new();
    for (field, value) in &mapping.defaults {
        values.insert(*field, (value.clone(), Origin::Default));
    }
    for (field, column) in index {
        let origin = Origin::Column { number: column + 1, header: headers[*column].clone() };
        let at = Some(origin.describe(*field));
        let cell = record.get(*column).unwrap_or_default();
        let Ok(cell) = std::str::from_utf8(cell) else {
            problems.push(problem(line, at, "is not UTF-8 text; save the sheet as UTF-8 CSV".to_owned()));
            continue;
        };
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        if cell.starts_with('=') {
            problems.push(problem(
                line,
                at,
                format!(
                    "`{}` is a spreadsheet formula, not a value; export the sheet with values (or quote the text with a leading ')",
                    crate::text::shown(cell)
                ),
            ));
            continue;
        }
        // The quote that keeps a spreadsheet from running a cell (what entente's own CSV
        // writes before `=`, `+`, `-`, `@`, tab and carriage return) is taken off; any
        // other leading quote is the text's own ('Tis).
        let cell = match cell.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
            _ => cell,
        };
        values.insert(*field, (cell.to_owned(), origin));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let kind_cell = values.get(&Field::Kind).cloned();
    let Some((word, kind_origin)) = kind_cell else {
        return Err(vec![problem(
            line,
            None,
            "names no kind; fill the kind column or give one in [defaults]".to_owned(),
        )]);
    };
    let kind = mapping.kinds.get(&word).copied().or_else(|| Kind::from_name(&word));
    let Some((kind, fields)) = kind.and_then(|k| takes(k).map(|f| (k, f))) else {
        let words: Vec<String> = mapping.kinds.keys().map(|w| format!("\"{w}\"")).collect();
        return Err(vec![problem(
            line,
            Some(kind_origin.describe(Field::Kind)),
            format!(
                "\"{}\" is no kind a row can be: write one of the sheet's words [kinds] maps ({}) or one of {}; record other kinds with `entente append`",
                crate::text::shown(&word),
                if words.is_empty() { "none".to_owned() } else { words.join(", ") },
                importable().join(", ")
            ),
        )]);
    };
    // A cell the kind has no field for would be lost: refused (defaults apply only
    // where the kind takes them).
    for (field, (_, origin)) in &values {
        if COMMON.contains(field) || fields.contains(field) {
            continue;
        }
        if let Origin::Column { .. } = origin {
            problems.push(problem(
                line,
                Some(origin.describe(*field)),
                format!("a {kind} has no {}; leave the cell empty or record it another way", field.words()),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let origins: BTreeMap<Field, Origin> = values.iter().map(|(f, (_, o))| (*f, o.clone())).collect();
    let get = |f: Field| values.get(&f).map(|(v, _)| v.as_str()).filter(|_| COMMON.contains(&f) || fields.contains(&f));
    let list = |f: Field| -> Vec<String> {
        get(f)
            .map(|v| {
                v.split(mapping.separator.as_str())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let people: Vec<(String, Option<String>)> = list(Field::Participants).iter().map(|p| person(p)).collect();
    let codes: Vec<String> = people.iter().map(|(name, code)| code.clone().unwrap_or_else(|| name.clone())).collect();
    let mut payload = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            payload.insert(key.to_owned(), v);
        }
    };
    let text = |f: Field| get(f).map(Value::from);
    match kind {
        Kind::ContextNoted | Kind::ImplementationStep => put("summary", text(Field::Summary)),
        Kind::StatementMade => {
            put("actor", people.first().map(|(name, party)| json!({"name": name, "party": party})));
            put("summary", text(Field::Summary));
            put("venue", text(Field::Place));
        }
        Kind::MeetingHeld => {
            let participants: Vec<Value> =
                people.iter().map(|(name, party)| json!({"name": name, "party": party, "role": "party"})).collect();
            put("participants", Some(Value::from(participants)));
            put("format", text(Field::Format));
            put("mode", text(Field::Mode));
            put("place", text(Field::Place));
            put("summary", text(Field::Summary));
        }
        Kind::CommitmentMade => {
            put("commitment", text(Field::Commitment));
            put("parties", Some(Value::from(codes.clone())));
            put("text", text(Field::Summary));
        }
        Kind::CommitmentProgressed | Kind::CommitmentFulfilled => {
            put("commitment", text(Field::Commitment));
            put("summary", text(Field::Summary));
            put("by", codes.first().cloned().map(Value::from));
        }
        Kind::EnvoyAppointed => {
            put("party", people.first().and_then(|(_, code)| code.clone()).map(Value::from));
            put("envoy", people.first().map(|(name, _)| Value::from(name.as_str())));
        }
        _ => {}
    }
    // `null` party: a person whose party the sheet does not say.
    for v in payload.values_mut() {
        strip_nulls(v);
    }
    let mut event = Map::new();
    event.insert("kind".to_owned(), Value::from(kind.name()));
    event.insert("version".to_owned(), Value::from(kind.current_version()));
    event.insert("tracks".to_owned(), Value::from(list(Field::Track)));
    if let Some(date) = get(Field::Date) {
        event.insert("occurred".to_owned(), Value::from(date));
    }
    let url = get(Field::SourceUrl);
    let title = get(Field::SourceTitle).or(url);
    if let Some(title) = title {
        let mut source = Map::new();
        source.insert("title".to_owned(), Value::from(title));
        for (key, field) in [
            ("author", Field::Author),
            ("publisher", Field::Publisher),
            ("url", Field::SourceUrl),
            ("published", Field::Published),
            ("locator", Field::Locator),
        ] {
            if let Some(v) = get(field) {
                source.insert(key.to_owned(), Value::from(v));
            }
        }
        event.insert("sources".to_owned(), Value::Array(vec![Value::Object(source)]));
    }
    match get(Field::Unsourced).map(|v| v.to_ascii_lowercase()) {
        None => {}
        Some(v) if matches!(v.as_str(), "false" | "no" | "n" | "0") => {}
        Some(v) if matches!(v.as_str(), "true" | "yes" | "y" | "x" | "1") => {
            event.insert("unsourced".to_owned(), Value::Bool(true));
        }
        Some(v) => {
            let at = origins.get(&Field::Unsourced).map(|o| o.describe(Field::Unsourced));
            return Err(vec![problem(
                line,
                at,
                format!("`{}` is neither yes nor no; write true or false", crate::text::shown(&v)),
            )]);
        }
    }
    event.insert("payload".to_owned(), Value::Object(payload));
    for (key, field) in
        [("confidence", Field::Confidence), ("attribution", Field::Attribution), ("occasion", Field::Occasion)]
    {
        if let Some(v) = get(field) {
            event.insert(key.to_owned(), Value::from(v));
        }
    }
    // The id: the row's own, else the hash of what the row says.
    let id = match get(Field::Id) {
        Some(text) => uuid::Uuid::parse_str(text).map(EventId).unwrap_or_else(|_| hashed(&format!("id\0{text}"))),
        None => hashed(&format!("row\0{}", Value::Object(event.clone()))),
    };
    event.insert("id".to_owned(), Value::from(id.to_string()));
    Ok(Row { line, json: Value::Object(event).to_string(), origins })
}

/// `Name (code)` → the name and the code; anything else → itself, with no code.
fn person(text: &str) -> (String, Option<String>) {
    if let Some(open) = text.rfind('(')
        && let Some(code) = text[open + 1..].strip_suffix(')')
        && !text[..open].trim().is_empty()
    {
        return (text[..open].trim().to_owned(), Some(code.trim().to_owned()));
    }
    (text.to_owned(), None)
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(list) => list.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// A stable event id for `text`: the first 16 bytes of its SHA-256, as a version 8
/// (custom) UUID.
fn hashed(text: &str) -> EventId {
    let digest = Sha256::digest(text.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    EventId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

/// What happened, or would happen, to each row.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The row's line in the sheet.
    pub line: usize,
    /// The event as parsed.
    pub event: Line,
    /// Recorded now (or would be), or already in the log.
    pub outcome: Outcome,
}

/// Appends the rows as one batch (or, with `dry_run`, checks them as the log would and
/// writes nothing). A rejection names each row's line and the column behind each
/// refused field.
pub fn import<B: Backend>(
    log: &mut Log<B>,
    policy: AppendPolicy<'_>,
    name: &str,
    sheet: &Sheet,
    expect_head: Option<u64>,
    dry_run: bool,
) -> Result<Vec<Planned>, AppError> {
    let rows = &sheet.rows;
    let parsed: Vec<(usize, Result<Line, FieldError>)> = rows.iter().map(|r| (r.line, parse_line(&r.json))).collect();
    let rejected = |problems: Vec<LineProblem>, unchecked: bool| {
        let by_line: BTreeMap<usize, &Row> = rows.iter().map(|r| (r.line, r)).collect();
        let mut problems: Vec<LineProblem> = problems
            .into_iter()
            .map(|mut p| {
                if let Some(row) = by_line.get(&p.line) {
                    p.error.field = row.locate(p.error.field.as_deref());
                    // A column within the row's JSON line means nothing in a sheet.
                    if let Some((message, _)) = p.error.message.rsplit_once(" (at column ") {
                        p.error.message = message.to_owned();
                    }
                }
                p
            })
            .chain(sheet.problems.iter().cloned())
            .collect();
        problems.sort_by_key(|p| p.line);
        AppError::Rejected { input: name.to_owned(), source: LogError::Rejected { problems, unchecked } }
    };
    // Rows that do not map: the log is not asked, but every row the parser refuses is
    // named too, so one run shows every problem of the sheet.
    if !sheet.problems.is_empty() {
        let refused =
            parsed.into_iter().filter_map(|(line, p)| p.err().map(|error| LineProblem { line, error })).collect();
        return Err(rejected(refused, false));
    }
    let events: Vec<Option<Line>> = parsed.iter().map(|(_, p)| p.as_ref().ok().cloned()).collect();
    let mut outcomes = Vec::new();
    let mut on_outcome = |o: &Outcome| outcomes.push(*o);
    let result = if dry_run {
        log.trial(parsed, policy, expect_head, &mut on_outcome)
    } else {
        log.append(parsed, policy, expect_head, &mut on_outcome)
    };
    match result {
        Ok(()) => {}
        Err(LogError::Rejected { problems, unchecked }) => return Err(rejected(problems, unchecked)),
        Err(e) => return Err(e.into()),
    }
    Ok(rows
        .iter()
        .zip(events)
        .zip(outcomes)
        .filter_map(|((row, event), outcome)| Some(Planned { line: row.line, event: event?, outcome }))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = r#"
        [columns]
        date = "Date"
        track = "Track"
        kind = "Type"
        summary = "What"
        participants = "Who"
        source_url = "Link"

        [kinds]
        Meeting = "meeting_held"
        Note = "context_noted"

        [defaults]
        format = "bilateral"
        mode = "in_person"
    "#;

    fn mapping() -> Mapping {
        Mapping::parse(MAP).expect("mapping")
    }

    fn rows_of(csv: &str) -> Result<Vec<Row>, AppError> {
        rows(&mapping(), "t.csv", csv.as_bytes()).map(|sheet| {
            assert!(sheet.problems.is_empty(), "{:?}", sheet.problems);
            sheet.rows
        })
    }

    fn problems(sheet: Result<Sheet, AppError>) -> Vec<(usize, Option<String>, String)> {
        let sheet = sheet.expect("read");
        sheet.problems.into_iter().map(|p| (p.line, p.error.field, p.error.message)).collect()
    }

    #[test]
    fn a_row_becomes_the_json_line_of_its_kind() {
        let rows = rows_of(
            "\u{feff}Date,Track,Type,What,Who,Link\r\n2022-04-06,am-az,Meeting,\"Talks, at last\",Nikol Pashinyan (am); Ilham Aliyev (az),https://x.example/a\r\n\r\n,,,,,\r\n",
        )
        .expect("rows");
        assert_eq!(rows.len(), 1, "blank rows are skipped");
        let line = parse_line(&rows[0].json).expect("the parser takes it");
        assert_eq!(line.facts.kind(), Kind::MeetingHeld);
        assert_eq!(rows[0].line, 2);
        let v: Value = serde_json::from_str(&rows[0].json).expect("json");
        assert_eq!(v["payload"]["participants"][1], json!({"name": "Ilham Aliyev", "party": "az", "role": "party"}));
        assert_eq!(v["payload"]["summary"], "Talks, at last");
        assert_eq!(v["sources"][0]["title"], "https://x.example/a");
        // The same row gives the same id; another row another.
        let again = rows_of("Date,Track,Type,What,Who,Link\n2022-04-06,am-az,Meeting,\"Talks, at last\",Nikol Pashinyan (am); Ilham Aliyev (az),https://x.example/a\n").expect("rows");
        assert_eq!(line.id, parse_line(&again[0].json).expect("parse").id);
        let other = rows_of(
            "Date,Track,Type,What,Who,Link\n2022-04-07,am-az,Meeting,Talks,Nikol Pashinyan (am),https://x.example/a\n",
        )
        .expect("rows");
        assert_ne!(line.id, parse_line(&other[0].json).expect("parse").id);
    }

    #[test]
    fn a_cell_that_does_not_map_is_named_by_line_and_column() {
        let p = problems(rows(&mapping(), "t.csv", "Date,Track,Type,What,Who,Link\n2022-04-06,am-az,Note,x,Someone (am),u\n2022-04-06,am-az,Dinner,x,,u\n2022-04-06,am-az,Note,=HYPERLINK(\"x\"),,u\n".as_bytes()));
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!((p[0].0, p[0].1.as_deref()), (2, Some("column 5 \"Who\"")));
        assert!(p[0].2.contains("context_noted has no participants"), "{}", p[0].2);
        assert_eq!((p[1].0, p[1].1.as_deref()), (3, Some("column 3 \"Type\"")));
        assert!(p[1].2.contains("\"Dinner\" is no kind"), "{}", p[1].2);
        assert_eq!((p[2].0, p[2].1.as_deref()), (4, Some("column 4 \"What\"")));
        assert!(p[2].2.contains("formula"), "{}", p[2].2);
    }

    #[test]
    fn text_that_is_not_utf8_is_named_by_line_and_column() {
        let sheet = b"Date,Track,Type,What,Who,Link\n2022-04-06,am-az,Note,caf\xe9,,u\n";
        let p = problems(rows(&mapping(), "t.csv", &sheet[..]));
        assert_eq!((p[0].0, p[0].1.as_deref()), (2, Some("column 4 \"What\"")));
        assert!(p[0].2.contains("UTF-8"));
    }

    #[test]
    fn a_header_missing_or_twice_and_an_overlong_line_are_refused_whole() {
        let io = |r: Result<Vec<Row>, AppError>| match r {
            Err(AppError::Io { message, .. }) => message,
            other => panic!("not refused whole: {other:?}"),
        };
        assert!(io(rows_of("Date,Track,What,Who,Link\n")).contains("has no column \"Type\""));
        assert!(io(rows_of("Date,Track,Type,Type,What,Who,Link\n")).contains("columns 3 and 4"));
        let long = format!("Date,Track,Type,What,Who,Link\n2022,am-az,Note,{},,u\n", "a".repeat(MAX_LINE_BYTES + 1));
        assert!(io(rows_of(&long)).contains("line 2 is longer than 1 MiB"));
    }

    #[test]
    fn given_a_leading_quote_then_only_a_formula_guard_is_taken_off() {
        let rows = rows_of("Date,Track,Type,What,Who,Link\n2022,am-az,Note,'=1+1,,u\n2022,am-az,Note,'Tis so,,u\n")
            .expect("reads");
        assert!(rows[0].json.contains(r#""summary":"=1+1""#), "{}", rows[0].json);
        assert!(rows[1].json.contains(r#""summary":"'Tis so""#), "{}", rows[1].json);
    }

    #[test]
    fn given_a_quote_never_closed_then_the_sheet_is_refused_naming_where_it_opened() {
        let sheet = "Date,Track,Type,What,Who,Link\n2022,am-az,Note,A,,\"https://a.example/x\n2023,am-az,Note,B,,u\n";
        let message = match rows_of(sheet) {
            Err(AppError::Io { message, .. }) => message,
            other => panic!("read on: {other:?}"),
        };
        assert!(message.contains("line 2 opens a quoted cell that is never closed"), "{message}");
        // Quotes written twice inside a quoted cell, and a quoted line break, are fine.
        let fine = "Date,Track,Type,What,Who,Link\n2022,am-az,Note,\"He said \"\"no\"\"\nthen left\",,u\n";
        assert_eq!(rows_of(fine).expect("reads").len(), 1);
    }

    #[test]
    fn given_more_cells_than_the_header_then_the_row_is_refused_not_cut_short() {
        let sheet = "Date,Track,Type,What,Who,Link\n2022,am-az,Note,Armenia agreed, Azerbaijan refused,,u\n";
        let found = problems(rows(&mapping(), "t.csv", sheet.as_bytes()));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(found[0].2.contains("column 7 but the header names 6 columns"), "{found:?}");
    }

    #[test]
    fn given_a_row_whose_event_would_not_fit_an_export_line_then_it_is_refused() {
        // A quoted cell of many short lines: no physical line is long, the event is.
        let cell = "a".repeat(1000) + "\n";
        let sheet = format!("Date,Track,Type,What,Who,Link\n2022,am-az,Note,\"{}\",,u\n", cell.repeat(1100));
        let found = problems(rows(&mapping(), "t.csv", sheet.as_bytes()));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("longer than 1 MiB"), "{found:?}");
    }

    #[test]
    fn a_mapping_says_what_is_wrong_with_it() {
        assert!(
            Mapping::parse("[columns]\ndate = \"D\"\nwhen = \"W\"\n")
                .expect_err("unknown")
                .contains("`when` is not a field")
        );
        assert!(Mapping::parse("[columns]\ndate = \"D\"\n").expect_err("no track").contains("nothing gives `track`"));
        let bad_kind = format!("{MAP}\n[kinds.extra]\n");
        assert!(Mapping::parse(&bad_kind).is_err());
        assert!(
            Mapping::parse("[columns]\ndate=\"D\"\ntrack=\"T\"\nkind=\"K\"\n[kinds]\nX = \"event_retracted\"\n")
                .expect_err("not importable")
                .contains("a row can be one of")
        );
    }
}
