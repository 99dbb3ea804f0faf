//! The SQLite schema and its migrations, keyed by `PRAGMA user_version`.
//!
//! Migrations only ever get appended to [`MIGRATIONS`]; a shipped one is never edited.

/// `PRAGMA application_id` of an entente log: "ente" in ASCII.
pub const APPLICATION_ID: i32 = 0x656e_7465;

/// The migrations, in order; migration `i` takes `user_version` from `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the append-only log.
    r#"
    -- One row per event: the canonical body and its chain hash. The previous hash is
    -- the row before's `hash`; everything else (dates, recording time) is in the body.
    CREATE TABLE events (
        seq  INTEGER PRIMARY KEY,
        id   BLOB    NOT NULL UNIQUE,
        kind TEXT    NOT NULL,
        body TEXT    NOT NULL,
        hash BLOB    NOT NULL
    ) STRICT;

    -- Which tracks each event belongs to, for `log --track`.
    CREATE TABLE event_tracks (
        track TEXT    NOT NULL,
        seq   INTEGER NOT NULL,
        PRIMARY KEY (track, seq)
    ) STRICT, WITHOUT ROWID;

    -- What the log has declared (tracks, proposals, principles, commitments,
    -- commissions, instruments), so validating a reference is one lookup.
    CREATE TABLE names (
        namespace TEXT    NOT NULL,
        key       TEXT    NOT NULL,
        seq       INTEGER NOT NULL,
        PRIMARY KEY (namespace, key)
    ) STRICT, WITHOUT ROWID;

    -- seq is gap-free: each new event takes the next position.
    CREATE TRIGGER events_gap_free BEFORE INSERT ON events
    WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events)
    BEGIN SELECT RAISE(ABORT, 'entente: seq must be the next position in the log'); END;

    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
    CREATE TRIGGER event_tracks_no_update BEFORE UPDATE ON event_tracks
    BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
    CREATE TRIGGER event_tracks_no_delete BEFORE DELETE ON event_tracks
    BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
    CREATE TRIGGER names_no_update BEFORE UPDATE ON names
    BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
    CREATE TRIGGER names_no_delete BEFORE DELETE ON names
    BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
    "#,
    // 2: corrections, retractions and disputes, by the event they speak about, so the
    // history of an event is one lookup.
    r#"
    CREATE TABLE amendments (
        target BLOB    NOT NULL,
        seq    INTEGER NOT NULL,
        PRIMARY KEY (target, seq)
    ) STRICT, WITHOUT ROWID;

    INSERT INTO amendments (target, seq)
    SELECT unhex(replace(json_extract(body, '$.payload.target'), '-', '')), seq FROM events
    WHERE kind IN ('event_corrected', 'event_retracted', 'event_disputed');

    CREATE TRIGGER amendments_no_update BEFORE UPDATE ON amendments
    BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
    CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments
    BEGIN SELECT RAISE(ABORT, 'entente: the event log is append-only'); END;
    "#,
    // 3: snapshots of projection state. Derived data, not part of the log: a snapshot
    // is replaced as the log grows, never trusted when stale, and `replay` rebuilds it.
    r#"
    CREATE TABLE snapshots (
        name  TEXT    PRIMARY KEY,
        seq   INTEGER NOT NULL,
        state TEXT    NOT NULL
    ) STRICT;
    "#,
    // 4: no track index. Writing a row per event into a B-tree keyed by track took a
    // third of an import's SQLite time; `log --track` reads the tracks from the head
    // of each body instead. The index was derived data (not in the hash chain), so
    // dropping it loses nothing.
    r#"
    DROP TRIGGER IF EXISTS event_tracks_no_update;
    DROP TRIGGER IF EXISTS event_tracks_no_delete;
    DROP TABLE IF EXISTS event_tracks;
    "#,
    // 5: snapshots bound to the chain: each records the hash of the event it was
    // folded at, so a snapshot whose seq was moved, or that outlived a log rewritten
    // under it, no longer matches and is discarded. Earlier snapshots are dropped
    // (they are caches; the next `status` rebuilds one). And a name for each
    // commitment withdrawn as a whole, so an event working on it after its withdrawal
    // is refused: what `commitment_withdrawn` declares from now on.
    r#"
    INSERT OR IGNORE INTO names (namespace, key, seq)
    SELECT 'withdrawn', json_extract(body, '$.payload.commitment'), seq FROM events
    WHERE kind = 'commitment_withdrawn' AND json_extract(body, '$.payload.by') IS NULL
    ORDER BY seq;

    DROP TABLE snapshots;
    CREATE TABLE snapshots (
        name  TEXT    PRIMARY KEY,
        seq   INTEGER NOT NULL,
        hash  BLOB    NOT NULL,
        state TEXT    NOT NULL
    ) STRICT;
    "#,
    // 6: a name for each withdrawal by one party (`withdrawn_by`, keyed `COMMITMENT
    // EVENT` like suspensions), so an event working on a commitment every party owing
    // it has withdrawn from is refused: what such a `commitment_withdrawn` declares
    // from now on. Only the names index changes, not the schema.
    r#"
    INSERT OR IGNORE INTO names (namespace, key, seq)
    SELECT 'withdrawn_by', json_extract(body, '$.payload.commitment') || ' ' || json_extract(body, '$.id'), seq
    FROM events
    WHERE kind = 'commitment_withdrawn' AND json_extract(body, '$.payload.by') IS NOT NULL
    ORDER BY seq;
    "#,
    // 7: the log as SQL (README, "The log as SQL"): read-only views over the bodies —
    // one row per event, per event and track, per event and source — and over the
    // judged state of every commitment and principle the `judged` snapshot caches.
    // Views only: nothing is written, no trigger changes, and `verify` compares each
    // view's SQL as it compares the triggers'.
    r#"
    CREATE VIEW event_view AS
    SELECT seq, id, kind, version, occurred,
           CASE length(occurred_from)
               WHEN 4 THEN occurred_from || '-01-01'
               WHEN 7 THEN occurred_from || '-01'
               ELSE occurred_from
           END AS occurred_first,
           CASE length(occurred_to)
               WHEN 4 THEN occurred_to || '-12-31'
               WHEN 7 THEN CASE substr(occurred_to, 6, 2)
                   WHEN '12' THEN substr(occurred_to, 1, 4) || '-12-31'
                   ELSE date(occurred_to || '-01', '+1 month', '-1 day')
               END
               ELSE occurred_to
           END AS occurred_last,
           CASE
               WHEN instr(occurred, '/') > 0 THEN 'range'
               WHEN length(occurred) = 4 THEN 'year'
               WHEN length(occurred) = 7 THEN 'month'
               ELSE 'day'
           END AS precision,
           tracks, headline, subject, sources, source_count, unsourced, confidence, attribution, occasion,
           recorded_at, recorded_by, hash, body
    FROM (
        SELECT e.seq AS seq,
               json_extract(e.body, '$.id') AS id,
               e.kind AS kind,
               json_extract(e.body, '$.version') AS version,
               json_extract(e.body, '$.occurred') AS occurred,
               CASE WHEN instr(json_extract(e.body, '$.occurred'), '/') > 0
                   THEN substr(json_extract(e.body, '$.occurred'), 1, instr(json_extract(e.body, '$.occurred'), '/') - 1)
                   ELSE json_extract(e.body, '$.occurred')
               END AS occurred_from,
               CASE WHEN instr(json_extract(e.body, '$.occurred'), '/') > 0
                   THEN substr(json_extract(e.body, '$.occurred'), instr(json_extract(e.body, '$.occurred'), '/') + 1)
                   ELSE json_extract(e.body, '$.occurred')
               END AS occurred_to,
               json_extract(e.body, '$.tracks') AS tracks,
               coalesce(json_extract(e.body, '$.payload.title'), json_extract(e.body, '$.payload.text'),
                        json_extract(e.body, '$.payload.summary'), json_extract(e.body, '$.payload.reason'),
                        json_extract(e.body, '$.payload.name'), json_extract(e.body, '$.payload.note'),
                        json_extract(e.body, '$.payload.envoy'), json_extract(e.body, '$.payload.place'))
                   AS headline,
               coalesce(json_extract(e.body, '$.payload.commitment'), json_extract(e.body, '$.payload.proposal'),
                        json_extract(e.body, '$.payload.instrument'), json_extract(e.body, '$.payload.commission'),
                        json_extract(e.body, '$.payload.condition'), json_extract(e.body, '$.payload.target'))
                   AS subject,
               coalesce(json_extract(e.body, '$.sources'), '[]') AS sources,
               coalesce(json_array_length(e.body, '$.sources'), 0) AS source_count,
               coalesce(json_extract(e.body, '$.unsourced'), 0) AS unsourced,
               json_extract(e.body, '$.confidence') AS confidence,
               json_extract(e.body, '$.attribution') AS attribution,
               json_extract(e.body, '$.occasion') AS occasion,
               json_extract(e.body, '$.recorded_at') AS recorded_at,
               json_extract(e.body, '$.recorded_by') AS recorded_by,
               lower(hex(e.hash)) AS hash,
               e.body AS body
        FROM events e
    );

    CREATE VIEW event_track_view AS
    SELECT e.seq AS seq, t.value AS track, e.kind AS kind
    FROM events e, json_each(e.body, '$.tracks') t;

    CREATE VIEW event_source_view AS
    SELECT e.seq AS seq, s.key + 1 AS position,
           json_extract(s.value, '$.title') AS title,
           json_extract(s.value, '$.author') AS author,
           json_extract(s.value, '$.publisher') AS publisher,
           json_extract(s.value, '$.url') AS url,
           json_extract(s.value, '$.published') AS published,
           json_extract(s.value, '$.locator') AS locator
    FROM events e, json_each(e.body, '$.sources') s;

    CREATE VIEW commitment_view AS
    SELECT json_extract(c.value, '$.track') AS track,
           json_extract(c.value, '$.commitment') AS commitment,
           json_extract(c.value, '$.state') AS state,
           json_extract(c.value, '$.progress') AS progress,
           json_extract(c.value, '$.schedule') AS schedule,
           json_extract(c.value, '$.activity') AS activity,
           json_extract(c.value, '$.parties') AS parties,
           json_extract(c.value, '$.text') AS text,
           json_extract(c.value, '$.standing') AS standing,
           json_extract(c.value, '$.made') AS made,
           json_extract(c.value, '$.due') AS due,
           json_extract(c.value, '$.next_due') AS next_due,
           json_extract(c.value, '$.fulfilled') AS fulfilled,
           json_extract(c.value, '$.pam') AS pam,
           json_extract(c.value, '$.quiet_since') AS quiet_since,
           json_extract(c.value, '$.unsupported') AS unsupported,
           json_extract(c.value, '$.one_sided') AS one_sided,
           json_extract(s.state, '$.as_of') AS as_of,
           s.seq AS judged_at
    FROM snapshots s JOIN events e ON e.seq = s.seq AND e.hash = s.hash, json_each(s.state, '$.commitments') c
    WHERE s.name = 'judged';

    CREATE VIEW principle_view AS
    SELECT json_extract(p.value, '$.track') AS track,
           json_extract(p.value, '$.principle') AS principle,
           json_extract(p.value, '$.state') AS state,
           json_extract(p.value, '$.text') AS text,
           json_extract(p.value, '$.reaffirmed') AS reaffirmed,
           json_extract(p.value, '$.last') AS last,
           json_extract(p.value, '$.unsupported') AS unsupported,
           json_extract(p.value, '$.one_sided') AS one_sided,
           json_extract(s.state, '$.as_of') AS as_of,
           s.seq AS judged_at
    FROM snapshots s JOIN events e ON e.seq = s.seq AND e.hash = s.hash, json_each(s.state, '$.principles') p
    WHERE s.name = 'judged';
    "#,
];

/// The tables derived from the events (caches of the chain, rebuilt by `replay`), with
/// the triggers that keep them from being edited in place. `snapshots` is derived too,
/// but replaced as the log grows, so it has no triggers.
pub const DERIVED: &[&str] = &["names", "amendments"];

/// The schema version this build writes and reads.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// One object of a schema as `sqlite_master` lists it: type, name, table, SQL.
pub type Object = (String, String, String, Option<String>);

/// The schema at `version` as `sqlite_master` lists it (sorted), built by running the
/// migrations on an empty database in memory: what an untouched log of that version
/// holds, to compare a file's schema with.
pub fn expected(version: i64) -> rusqlite::Result<Vec<Object>> {
    let conn = rusqlite::Connection::open_in_memory()?;
    for sql in MIGRATIONS.iter().take(version.clamp(0, LATEST) as usize) {
        conn.execute_batch(sql)?;
    }
    objects(&conn)
}

/// The schema of `conn` as `sqlite_master` lists it, sorted; SQLite's own bookkeeping
/// tables (exactly `sqlite_sequence` and `sqlite_stat1` to `sqlite_stat4`, as tables)
/// left out — a trigger or a table that only looks like one of them is listed.
pub fn objects(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<Object>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_master
         WHERE NOT (type = 'table' AND name IN ('sqlite_sequence', 'sqlite_stat1', 'sqlite_stat2', 'sqlite_stat3',
                                                'sqlite_stat4'))
         ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Option<String>>(3)?.as_deref().map(normalize)))
    })?;
    rows.collect()
}

/// SQL as SQLite stored it, with layout that carries no meaning removed: runs of
/// whitespace outside quotes become one space, and none is kept next to `(`, `)`, `,`
/// or `;`. So the same statement laid out differently compares equal; any other change
/// (a `WHEN 0`, another message, another column) does not.
fn normalize(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut space = false;
    for c in sql.chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        let tight = |c: char| matches!(c, '(' | ')' | ',' | ';');
        if space && !out.is_empty() && !tight(c) && !out.ends_with(tight) {
            out.push(' ');
        }
        space = false;
        if matches!(c, '\'' | '"' | '`') {
            quote = Some(c);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The migrations that change only what the derived tables hold, not the schema: the
    /// versions before and after them have the same tables and triggers.
    const DATA_ONLY: &[i64] = &[6];

    #[test]
    fn every_version_has_a_schema_and_the_triggers_guard_the_log() {
        let latest = expected(LATEST).expect("the migrations run on an empty database");
        let triggers: Vec<&str> = latest.iter().filter(|o| o.0 == "trigger").map(|o| o.1.as_str()).collect();
        assert_eq!(
            triggers,
            [
                "amendments_no_delete",
                "amendments_no_update",
                "events_gap_free",
                "events_no_delete",
                "events_no_update",
                "names_no_delete",
                "names_no_update"
            ]
        );
        assert!(latest.iter().any(|o| o.1 == "sqlite_autoindex_events_1"), "the unique id index is listed");
        let views: Vec<&str> = latest.iter().filter(|o| o.0 == "view").map(|o| o.1.as_str()).collect();
        assert_eq!(views, ["commitment_view", "event_source_view", "event_track_view", "event_view", "principle_view"]);
        assert_eq!(
            normalize("CREATE  TABLE t (\n  a TEXT ,\n b ) STRICT;"),
            normalize("CREATE TABLE t(a TEXT, b) STRICT ;")
        );
        assert_ne!(normalize("SELECT 'a  b'"), normalize("SELECT 'a b'"), "quoted text is kept as written");
        assert_ne!(normalize("BEFORE UPDATE ON events BEGIN"), normalize("BEFORE UPDATE ON events WHEN 0 BEGIN"));
        for v in (0..LATEST).filter(|v| !DATA_ONLY.contains(&(v + 1))) {
            assert_ne!(expected(v).expect("migrations run"), latest, "version {v} differs from the latest");
        }
    }
}
