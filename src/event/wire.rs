//! The JSON Lines wire format: one parser for every way an event comes in (a log
//! export, an import file, `append --json`, a stored body), and the canonical writer.
//!
//! Canonical means: fields in catalogue order, optional fields left out when empty,
//! `recorded_at` in UTC with microseconds. Parsing a canonical line and writing it back
//! gives the same bytes; the contract tests hold every scenario line to that.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{
    Account, Codes, CommitmentId, Confidence, Event, EventId, Facts, Hash, Hint, Kind, Links, OccasionId, Party,
    Payload, PrincipleRef, Source, TrackId,
};
use crate::date::PartialDate;

/// One parsed line: the facts, and whatever log fields it carried.
///
/// An export line carries all of them; a new event typically none, and the log stamps
/// them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Position it claims in its log.
    pub seq: Option<u64>,
    /// Its id; the log generates one when absent.
    pub id: Option<EventId>,
    /// When it was recorded; the log stamps the clock when absent.
    pub recorded_at: Option<DateTime<Utc>>,
    /// Who recorded it; the caller's name when absent.
    pub recorded_by: Option<String>,
    /// The facts.
    pub facts: Facts,
    /// The hash of the record before it, as exported.
    pub prev_hash: Option<Hash>,
    /// Its hash, as exported.
    pub hash: Option<Hash>,
}

/// Why a line could not be read as an event, or was refused: the field (a JSON path),
/// what was wrong with it, and what would help next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The JSON path of the bad field (`payload.participants[0].role`), if known.
    pub field: Option<String>,
    /// What was wrong, in words.
    pub message: String,
    /// What a user could do next, as data the front end words; `None` when the message
    /// says all there is.
    pub hint: Option<Hint>,
}

impl FieldError {
    fn at(field: &str, message: impl Into<String>) -> FieldError {
        FieldError { field: Some(field.to_owned()), message: message.into(), hint: None }
    }

    /// This error, with `hint` for a front end to word.
    pub fn with_hint(self, hint: Hint) -> FieldError {
        FieldError { hint: Some(hint), ..self }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn<'a> {
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    id: Option<EventId>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    version: u32,
    tracks: Vec<TrackId>,
    occurred: PartialDate,
    #[serde(default, borrow)]
    recorded_at: Option<Cow<'a, str>>,
    #[serde(default)]
    recorded_by: Option<String>,
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default)]
    unsourced: bool,
    #[serde(borrow)]
    payload: &'a RawValue,
    #[serde(default)]
    addresses: Vec<PrincipleRef>,
    #[serde(default)]
    advances: Vec<CommitmentId>,
    #[serde(default)]
    fulfils: Vec<CommitmentId>,
    #[serde(default)]
    partially_fulfils: Vec<CommitmentId>,
    #[serde(default)]
    reaffirms: Vec<CommitmentId>,
    #[serde(default)]
    follows: Vec<EventId>,
    #[serde(default)]
    code: Option<Codes>,
    #[serde(default)]
    confidence: Option<Confidence>,
    #[serde(default)]
    attribution: Option<Party>,
    #[serde(default)]
    before_opening: bool,
    #[serde(default)]
    occasion: Option<OccasionId>,
    #[serde(default, borrow)]
    prev_hash: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    hash: Option<Cow<'a, str>>,
}

/// Parses one JSON Lines line into an event and its log fields.
///
/// Checks form only (types, closed sets, dates, versions); whether the references
/// resolve is [`super::validate`]'s job.
pub fn parse_line(text: &str) -> Result<Line, FieldError> {
    // serde would read an array positionally, as the fields in declaration order.
    if !text.trim_start().starts_with('{') {
        let what = json_kind(text);
        return Err(FieldError {
            field: None,
            message: format!("the line is {what}, not an event: each line holds one event as a JSON object, {{…}}"),
            hint: None,
        });
    }
    // The fast path; only a failure pays for tracking the path of the bad field.
    let wire: WireIn<'_> = match serde_json::from_str(text) {
        Ok(wire) => wire,
        Err(_) => {
            let mut de = serde_json::Deserializer::from_str(text);
            let wire: WireIn<'_> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                FieldError {
                    field: (path != "." && !path.is_empty()).then_some(path),
                    message: clean_serde_message(&inner.to_string()),
                    hint: None,
                }
            })?;
            de.end().map_err(|e| FieldError {
                field: None,
                message: clean_serde_message(&e.to_string()),
                hint: None,
            })?;
            wire
        }
    };

    let kind = Kind::from_name(&wire.kind).ok_or_else(|| {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        FieldError::at("kind", format!("unknown kind `{}`; the kinds are {}", wire.kind, known.join(", ")))
    })?;
    let current = kind.current_version();
    if wire.version == 0 || wire.version > current {
        return Err(FieldError::at(
            "version",
            format!(
                "{kind} has no version {}; this entente reads versions 1 to {current} \
                 (a newer entente may have written it: upgrade entente)",
                wire.version
            ),
        ));
    }
    if !wire.payload.get().trim_start().starts_with('{') {
        return Err(FieldError::at(
            "payload",
            format!(
                "the payload is {}, not an object: write it as {{…}} with the fields of {kind}",
                json_kind(wire.payload.get())
            ),
        ));
    }
    let payload = Payload::parse(kind, wire.payload.get()).map_err(|(path, message)| {
        let field = if path == "." { "payload".to_owned() } else { format!("payload.{path}") };
        FieldError { field: Some(field), message: clean_serde_message(&message), hint: None }
    })?;
    let recorded_at = match wire.recorded_at {
        None => None,
        Some(text) => Some(parse_recording_time(&text).map_err(|e| FieldError::at("recorded_at", e))?),
    };
    let hash_field = |field: &str, text: Option<Cow<'_, str>>| -> Result<Option<Hash>, FieldError> {
        text.map(|t| {
            Hash::from_hex(&t)
                .ok_or_else(|| FieldError::at(field, format!("`{t}` is not a SHA-256 hash (64 hex digits)")))
        })
        .transpose()
    };
    Ok(Line {
        seq: wire.seq,
        id: wire.id,
        recorded_at,
        recorded_by: wire.recorded_by,
        prev_hash: hash_field("prev_hash", wire.prev_hash)?,
        hash: hash_field("hash", wire.hash)?,
        facts: Facts {
            version: wire.version,
            tracks: wire.tracks,
            occurred: wire.occurred,
            sources: wire.sources,
            unsourced: wire.unsourced,
            payload,
            links: Links {
                addresses: wire.addresses,
                advances: wire.advances,
                fulfils: wire.fulfils,
                partially_fulfils: wire.partially_fulfils,
                reaffirms: wire.reaffirms,
                follows: wire.follows,
            },
            codes: wire.code,
            account: Account { confidence: wire.confidence, attribution: wire.attribution },
            before_opening: wire.before_opening,
            occasion: wire.occasion,
        },
    })
}

/// What a JSON text is, in words, for messages: "a JSON array", "a number".
fn json_kind(text: &str) -> &'static str {
    match text.trim_start().bytes().next() {
        None => "empty",
        Some(b'[') => "a JSON array",
        Some(b'"') => "a JSON string",
        Some(b'{') => "a JSON object",
        Some(b't' | b'f') => "a JSON boolean",
        Some(b'n') => "JSON null",
        Some(b'-' | b'0'..=b'9') => "a number",
        Some(_) => "not JSON",
    }
}

/// The earliest and latest recording times the canonical encoding writes: four-digit
/// years, 0001 to 9999 (RFC 3339 cannot write others; year 0000 is no time anyone
/// recorded anything).
pub fn recording_time_range() -> (DateTime<Utc>, DateTime<Utc>) {
    let first = chrono::NaiveDate::from_ymd_opt(1, 1, 1).and_then(|d| d.and_hms_micro_opt(0, 0, 0, 0));
    let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).and_then(|d| d.and_hms_micro_opt(23, 59, 59, 999_999));
    match (first, last) {
        (Some(first), Some(last)) => (first.and_utc(), last.and_utc()),
        // Both are valid dates; chrono's own range is far wider.
        _ => (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC),
    }
}

/// Parses a recording time as the log writes it: RFC 3339, converted to UTC, no finer
/// than a microsecond (the log's precision: finer digits are refused, not cut), no leap
/// second, and within [`recording_time_range`]. The error says what is wrong, in words.
pub fn parse_recording_time(text: &str) -> Result<DateTime<Utc>, String> {
    let at = DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("`{text}` is not an RFC 3339 timestamp ({e}); write it like 2022-04-06T12:00:00Z"))?
        .with_timezone(&Utc);
    let nanos = chrono::Timelike::nanosecond(&at);
    if nanos >= 1_000_000_000 {
        return Err(format!("`{text}` is a leap second, which the log cannot write; use the second before"));
    }
    if nanos % 1_000 != 0 {
        return Err(format!(
            "`{text}` is finer than a microsecond, the log's precision; write at most six digits after the seconds"
        ));
    }
    let (first, last) = recording_time_range();
    if at < first || at > last {
        return Err(format!(
            "`{text}` is outside the years 0001 to 9999 (in UTC), the only times RFC 3339 and the log can write"
        ));
    }
    Ok(at)
}

/// Checks what a line entering the log must meet beyond [`parse_line`]'s form (which
/// stored bodies, written by older versions, need not): a `recorded_by` that names
/// someone, and a new event's codes from their standards. The error names the field.
pub fn check_incoming(line: &Line) -> Result<(), FieldError> {
    // A new event's codes must be their standards' (PLOVER's closed set, CAMEO's
    // pattern); a line of an exported chain (it carries its hash) is history, and keeps
    // the codes it was recorded with.
    if line.hash.is_none()
        && let Some(codes) = &line.facts.codes
    {
        if let Some(why) = codes.cameo.as_deref().and_then(super::codes::cameo_problem) {
            return Err(FieldError::at("code.cameo", &why));
        }
        if let Some(why) = codes.plover.as_deref().and_then(super::codes::plover_problem) {
            return Err(FieldError::at("code.plover", &why));
        }
    }
    match &line.recorded_by {
        Some(by) if by.trim().is_empty() => Err(FieldError::at(
            "recorded_by",
            "is blank; name who recorded the event, or leave the field out to be recorded",
        )
        .with_hint(Hint::DefaultRecorder)),
        _ => Ok(()),
    }
}

/// serde_json appends " at line 1 column 57" to its messages; for a JSON Lines file
/// the line is ours to report, and the column is kept as a position within it.
fn clean_serde_message(message: &str) -> String {
    // Integer types in words, with their ranges.
    let message = message
        .replace("expected u8", "expected a whole number from 0 to 255")
        .replace("expected u32", "expected a whole number from 0 to 4294967295")
        .replace("expected u64", "expected a whole number from 0 to 18446744073709551615");
    let message = message.as_str();
    match message.rsplit_once(" at line ") {
        Some((head, tail)) => match tail.split_once(" column ") {
            Some((_, column)) => format!("{head} (at column {column})"),
            None => head.to_owned(),
        },
        None => message.to_owned(),
    }
}

/// The fields of a canonical body before the log's own (id first, then these).
#[derive(Serialize)]
struct Front<'a> {
    kind: Kind,
    version: u32,
    tracks: &'a [TrackId],
    occurred: &'a PartialDate,
}

/// The fields of a canonical body after the log's own (`recorded_at`, `recorded_by`).
#[derive(Serialize)]
struct Back<'a> {
    #[serde(skip_serializing_if = "<[Source]>::is_empty")]
    sources: &'a [Source],
    #[serde(skip_serializing_if = "is_false")]
    unsourced: bool,
    payload: &'a Payload,
    #[serde(skip_serializing_if = "<[PrincipleRef]>::is_empty")]
    addresses: &'a [PrincipleRef],
    #[serde(skip_serializing_if = "<[CommitmentId]>::is_empty")]
    advances: &'a [CommitmentId],
    #[serde(skip_serializing_if = "<[CommitmentId]>::is_empty")]
    fulfils: &'a [CommitmentId],
    #[serde(skip_serializing_if = "<[CommitmentId]>::is_empty")]
    partially_fulfils: &'a [CommitmentId],
    #[serde(skip_serializing_if = "<[CommitmentId]>::is_empty")]
    reaffirms: &'a [CommitmentId],
    #[serde(skip_serializing_if = "<[EventId]>::is_empty")]
    follows: &'a [EventId],
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a Codes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<Confidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attribution: Option<&'a Party>,
    #[serde(skip_serializing_if = "is_false")]
    before_opening: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    occasion: Option<&'a OccasionId>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Formats a recording time the one canonical way.
pub fn format_recorded_at(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// An event's canonical body with the fields the log stamps (id, `recorded_at`,
/// `recorded_by`) still to fill in. The facts are serialized once, wherever is
/// convenient (an import renders them on its reading thread); filling in is splicing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyTemplate {
    /// `"kind":…,"occurred":…`, without braces.
    front: String,
    /// `"sources":…,"payload":…}`: the rest, with the closing brace.
    back: String,
}

impl BodyTemplate {
    /// Renders everything of `facts` that goes into the body.
    pub fn of(facts: &Facts) -> BodyTemplate {
        let front =
            Front { kind: facts.kind(), version: facts.version, tracks: &facts.tracks, occurred: &facts.occurred };
        let back = Back {
            sources: &facts.sources,
            unsourced: facts.unsourced,
            payload: &facts.payload,
            addresses: &facts.links.addresses,
            advances: &facts.links.advances,
            fulfils: &facts.links.fulfils,
            partially_fulfils: &facts.links.partially_fulfils,
            reaffirms: &facts.links.reaffirms,
            follows: &facts.links.follows,
            code: facts.codes.as_ref(),
            confidence: facts.account.confidence,
            attribution: facts.account.attribution.as_ref(),
            before_opening: facts.before_opening,
            occasion: facts.occasion.as_ref(),
        };
        // Serializing plain structs of strings and integers (no maps with other keys)
        // to a String cannot fail; each is an object, `{…}`, and the payload makes
        // `back` non-empty. A body is hashed: it must never be written half or empty.
        const PLAIN: &str = "an event's fields are plain data, which always serialize";
        let mut front = serde_json::to_string(&front).expect(PLAIN);
        front.pop();
        front.remove(0);
        let mut back = serde_json::to_string(&back).expect(PLAIN);
        back.remove(0);
        BodyTemplate { front, back }
    }

    /// The canonical body: fields in catalogue order, optional ones left out when empty,
    /// `recorded_at` in UTC with microseconds.
    pub fn fill(&self, id: &EventId, recorded_at: &DateTime<Utc>, recorded_by: &str) -> String {
        let recorded_by = serde_json::to_string(recorded_by).expect("a string always serializes");
        let mut buf = uuid::Uuid::encode_buffer();
        let id = id.0.hyphenated().encode_lower(&mut buf);
        let recorded_at = format_recorded_at(recorded_at);
        let mut body = String::with_capacity(self.front.len() + self.back.len() + recorded_by.len() + 100);
        for part in [
            r#"{"id":""#,
            id,
            r#"","#,
            &self.front,
            r#","recorded_at":""#,
            &recorded_at,
            r#"","recorded_by":"#,
            &recorded_by,
            ",",
            &self.back,
        ] {
            body.push_str(part);
        }
        body
    }
}

/// A line read for appending, with its body rendered as far as it can be before the
/// log stamps it (see [`BodyTemplate`]).
#[derive(Clone, Debug)]
pub struct Incoming {
    /// The parsed line.
    pub line: Line,
    /// Its body, but for the fields the log stamps.
    pub template: BodyTemplate,
}

impl From<Line> for Incoming {
    fn from(line: Line) -> Incoming {
        let template = BodyTemplate::of(&line.facts);
        Incoming { line, template }
    }
}

pub(super) fn body_json(event: &Event) -> String {
    BodyTemplate::of(&event.facts).fill(&event.id, &event.recorded_at, &event.recorded_by)
}

/// The head of a stored body, read without parsing the rest: what `verify` checks on
/// every row (the full parse is `verify --deep`), and what `log --track` filters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CanonicalHead<'a> {
    /// The event id, hyphenated.
    pub id: &'a str,
    /// The kind's name.
    pub kind: &'a str,
    /// The tracks, as written inside the brackets: `"am-az","am-tr"`.
    tracks: &'a str,
    /// The recording time, as written.
    pub recorded_at: &'a str,
}

impl<'a> CanonicalHead<'a> {
    /// The event's track ids.
    pub fn tracks(&self) -> impl Iterator<Item = &'a str> {
        self.tracks.split(',').map(|t| t.trim_matches('"'))
    }
}

/// Reads id, kind, tracks and `recorded_at` from a body laid out the way [`body_json`]
/// writes it: `{"id":"…","kind":"…","version":…,"tracks":[…],"occurred":…`, then
/// `recorded_at` (track ids and dates hold no quotes, commas or brackets). `None` when
/// the body is not laid out so: then only a full parse can say what it is.
pub fn canonical_head(body: &str) -> Option<CanonicalHead<'_>> {
    let rest = body.strip_prefix(r#"{"id":""#)?;
    let (id, rest) = rest.split_at_checked(36)?;
    let rest = rest.strip_prefix(r#"","kind":""#)?;
    let (kind, rest) = rest.split_once('"')?;
    let rest = rest.strip_prefix(r#","version":"#)?;
    let (_, rest) = rest.split_once(r#","tracks":["#)?;
    let (tracks, rest) = rest.split_once(']')?;
    let rest = rest.strip_prefix(r#","occurred":"#)?;
    let (_, rest) = rest.split_once(r#","recorded_at":""#)?;
    let (recorded_at, _) = rest.split_once('"')?;
    Some(CanonicalHead { id, kind, tracks, recorded_at })
}

pub(super) fn record_line(seq: u64, body: &str, prev: Hash, hash: Hash) -> String {
    let inner = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')).unwrap_or(body);
    format!("{{\"seq\":{seq},{inner},\"prev_hash\":\"{prev}\",\"hash\":\"{hash}\"}}")
}

pub(super) fn apply_changes(event: &Event, changes: &[super::payload::FieldChange]) -> Result<Event, FieldError> {
    let mut body: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&body_json(event))
        .map_err(|e| FieldError { field: None, message: e.to_string(), hint: None })?;
    for (i, change) in changes.iter().enumerate() {
        let (object, key) = match change.field.split_once('.') {
            Some(("payload", key)) => match body.get_mut("payload").and_then(|p| p.as_object_mut()) {
                Some(payload) => (payload, key),
                None => {
                    return Err(FieldError::at(&format!("payload.changes[{i}]"), "the event has no payload object"));
                }
            },
            _ => (&mut body, change.field.as_str()),
        };
        if change.to.is_null() {
            object.remove(key);
        } else {
            object.insert(key.to_owned(), change.to.clone());
        }
    }
    let text = serde_json::Value::Object(body).to_string();
    let line = parse_line(&text).map_err(|e| FieldError {
        field: Some(match e.field {
            Some(f) => format!("payload.changes (the corrected event's {f})"),
            None => "payload.changes".to_owned(),
        }),
        message: e.message,
        hint: e.hint,
    })?;
    Ok(Event {
        id: event.id,
        recorded_at: event.recorded_at,
        recorded_by: event.recorded_by.clone(),
        facts: line.facts,
    })
}

#[cfg(test)]
mod tests {
    use super::{check_incoming, parse_line};

    const NEW: &str = r#"{"kind":"context_noted","version":1,"tracks":["t"],"occurred":"2020","unsourced":true,"code":{"plover":"PROPOSE"},"payload":{"summary":"s"}}"#;

    #[test]
    fn a_new_events_codes_are_their_standards_and_historys_stand() {
        // Given a new line coded PROPOSE (no PLOVER type), then it is refused at the code.
        let line = parse_line(NEW).expect("reads");
        let error = check_incoming(&line).expect_err("not a PLOVER type");
        assert_eq!(error.field.as_deref(), Some("code.plover"));
        // Given the same code on a line of an exported chain, then it is history and stands.
        let exported =
            NEW.replacen('{', &format!(r#"{{"seq":1,"prev_hash":"{z}","hash":"{z}","#, z = "0".repeat(64)), 1);
        let line = parse_line(&exported).expect("reads");
        assert!(check_incoming(&line).is_ok());
        // Given a CAMEO code outside its roots, then a new line is refused there.
        let cameo = NEW.replace(r#""plover":"PROPOSE""#, r#""cameo":"99""#);
        let error = check_incoming(&parse_line(&cameo).expect("reads")).expect_err("not a CAMEO root");
        assert_eq!(error.field.as_deref(), Some("code.cameo"));
    }
}
