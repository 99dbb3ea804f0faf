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
];

/// The triggers that keep the log append-only; `verify` checks they are all there.
pub const TRIGGERS: &[&str] = &[
    "events_gap_free",
    "events_no_update",
    "events_no_delete",
    "names_no_update",
    "names_no_delete",
    "amendments_no_update",
    "amendments_no_delete",
];

/// The schema version this build writes and reads.
pub const LATEST: i64 = MIGRATIONS.len() as i64;
