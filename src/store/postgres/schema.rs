//! The PostgreSQL schema of a team log: tables, the triggers that keep it append-only,
//! gap-free, chained and honest about who recorded what, the three roles and their
//! privileges — as SQL `init` runs (or prints for a DBA), and as what `verify` expects
//! to find in the catalogs.
//!
//! Everything lives in the schema `entente` of one database. The statements here are
//! written in the form PostgreSQL prints them back (`pg_get_triggerdef`, `prosrc`), so
//! the one text serves to create a guard and to check it was not changed.

/// The schema's version: what `entente.migrations` records last. 1: the log; 2: the
/// views of "The log as SQL" ([`VIEWS`]).
pub const LATEST: i64 = 2;

/// The lock every append takes and holds to commit, in the client and again in the
/// insert trigger (so a raw INSERT queues behind it too): seqs are taken one writer at a
/// time, in commit order. A row lock on `append_lock`, which only roles that may append
/// can take (it needs UPDATE there, and a trigger refuses any real update): an advisory
/// lock anyone who can connect could take and hold, stopping every append.
pub const TAKE_APPEND_LOCK: &str = "SELECT 1 FROM entente.append_lock FOR UPDATE";

/// The names of a log's three roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roles {
    /// Reads every report, exports, verifies.
    pub reader: String,
    /// Also appends, corrects, retracts, disputes.
    pub recorder: String,
    /// Owns the schema: migrations, rebuilding the indexes, moving a log in with its
    /// recorders.
    pub owner: String,
}

impl Roles {
    /// The roles named `PREFIX_reader`, `PREFIX_recorder`, `PREFIX_owner`.
    pub fn with_prefix(prefix: &str) -> Roles {
        Roles {
            reader: format!("{prefix}_reader"),
            recorder: format!("{prefix}_recorder"),
            owner: format!("{prefix}_owner"),
        }
    }
}

/// `name` quoted as an SQL identifier.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` quoted as an SQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The tables of the log, in the order they are created.
pub const TABLES: [&str; 7] = ["meta", "migrations", "append_lock", "events", "names", "amendments", "snapshots"];

/// The body of `entente.admit_event()`, the insert trigger of `events`: it takes the
/// append lock, reads `recorded_at` and `recorded_by` from the body itself, and refuses
/// a row that does not continue the log (seq, chain hash, recording time), whose id or
/// kind columns differ from its body, or — for any role but the owner's — that names
/// another recorder than the role connected, or a recording time off the server's
/// clock.
const ADMIT_EVENT: &str = r#"
DECLARE
  doc jsonb;
  head text;
  last record;
BEGIN
  PERFORM 1 FROM entente.append_lock FOR UPDATE;
  doc := NEW.body::jsonb;
  -- The head entente writes, rebuilt from what jsonb reads: the body must begin so.
  head := '{"id":' || to_json(doc ->> 'id')::text || ',"kind":' || to_json(doc ->> 'kind')::text
    || ',"version":' || (doc -> 'version')::text || ',"tracks":' || replace((doc -> 'tracks')::text, '", "', '","')
    || ',"occurred":' || to_json(doc ->> 'occurred')::text || ',"recorded_at":' || to_json(doc ->> 'recorded_at')::text
    || ',"recorded_by":';
  IF head IS NULL OR left(NEW.body, length(head)) IS DISTINCT FROM head OR doc ?| array['seq', 'prev_hash', 'hash'] THEN
    RAISE EXCEPTION 'entente: the body of seq % is not laid out as entente writes an event', NEW.seq USING ERRCODE = 'EN002';
  END IF;
  IF (SELECT count(*) FROM json_object_keys(NEW.body::json)) <> (SELECT count(*) FROM jsonb_object_keys(doc)) THEN
    RAISE EXCEPTION 'entente: the body of seq % names a key twice', NEW.seq USING ERRCODE = 'EN002';
  END IF;
  NEW.recorded_by := doc ->> 'recorded_by';
  NEW.recorded_at := (doc ->> 'recorded_at')::timestamptz;
  IF NEW.id IS DISTINCT FROM decode(replace(doc ->> 'id', '-', ''), 'hex') OR NEW.kind IS DISTINCT FROM doc ->> 'kind' THEN
    RAISE EXCEPTION 'entente: the id or kind of seq % differs from its body', NEW.seq USING ERRCODE = 'EN002';
  END IF;
  SELECT e.seq, e.hash, e.recorded_at INTO last FROM entente.events e ORDER BY e.seq DESC LIMIT 1;
  IF NEW.seq IS DISTINCT FROM coalesce(last.seq, 0) + 1 THEN
    RAISE EXCEPTION 'entente: seq % does not follow the last seq of the log (%)', NEW.seq, coalesce(last.seq, 0) USING ERRCODE = 'EN001';
  END IF;
  IF NEW.hash IS DISTINCT FROM sha256(coalesce(last.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) || int8send(NEW.seq) || convert_to(NEW.body, 'UTF8')) THEN
    RAISE EXCEPTION 'entente: the hash of seq % does not chain to the event before it', NEW.seq USING ERRCODE = 'EN002';
  END IF;
  IF NEW.recorded_at IS NULL OR NEW.recorded_at < last.recorded_at THEN
    RAISE EXCEPTION 'entente: seq % was recorded before the event before it', NEW.seq USING ERRCODE = 'EN003';
  END IF;
  IF pg_has_role(session_user, (SELECT m.value FROM entente.meta m WHERE m.key = 'owner_role'), 'MEMBER') IS NOT TRUE THEN
    IF NEW.recorded_by IS DISTINCT FROM session_user::text THEN
      RAISE EXCEPTION 'entente: seq % names % as its recorder, but % is connected', NEW.seq, NEW.recorded_by, session_user USING ERRCODE = 'EN004';
    END IF;
    IF NEW.recorded_at < transaction_timestamp()
       OR NEW.recorded_at > greatest(clock_timestamp(), last.recorded_at) + interval '1 second' THEN
      RAISE EXCEPTION 'entente: seq % was not stamped with the server''s clock', NEW.seq USING ERRCODE = 'EN003';
    END IF;
  END IF;
  RETURN NEW;
END
"#;

/// The body of `entente.admit_index_row()`, the insert trigger of `names` and
/// `amendments`: a role that does not own the log adds index rows only for the events
/// its own transaction appended, so nobody squats a name or lists an amendment for
/// another's event (the owner's rebuild writes them all).
const ADMIT_INDEX_ROW: &str = r#"
BEGIN
  IF pg_has_role(session_user, (SELECT m.value FROM entente.meta m WHERE m.key = 'owner_role'), 'MEMBER') IS TRUE THEN
    RETURN NEW;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM entente.events e WHERE e.seq = NEW.seq AND e.xmin::text = (txid_current() % 4294967296)::text) THEN
    RAISE EXCEPTION 'entente: an index row for seq % must come with the event, in the transaction that appends it', NEW.seq USING ERRCODE = 'EN005';
  END IF;
  RETURN NEW;
END
"#;

/// The body of `entente.refuse_change()`: what UPDATE, DELETE and TRUNCATE on the log
/// meet.
const REFUSE_CHANGE: &str = r#"
BEGIN
  RAISE EXCEPTION 'entente: the log is append-only: % on %.% is refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'EN000';
END
"#;

/// The body of `entente.refuse_index_change()`: the derived indexes are append-only
/// too, but for the owner's rebuild (`entente replay`), which says so for its own
/// transaction.
const REFUSE_INDEX_CHANGE: &str = r#"
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('entente.rebuilding', true) = 'on'
     AND pg_has_role(session_user, (SELECT m.value FROM entente.meta m WHERE m.key = 'owner_role'), 'MEMBER') IS TRUE THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'entente: the log is append-only: % on %.% is refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'EN000';
END
"#;

/// The functions: name and body.
pub const FUNCTIONS: [(&str, &str); 4] = [
    ("admit_event", ADMIT_EVENT),
    ("admit_index_row", ADMIT_INDEX_ROW),
    ("refuse_change", REFUSE_CHANGE),
    ("refuse_index_change", REFUSE_INDEX_CHANGE),
];

/// Every trigger, as `pg_get_triggerdef` prints it: (table, name, definition).
pub const TRIGGERS: [(&str, &str, &str); 12] = [
    (
        "amendments",
        "amendments_admit",
        "CREATE TRIGGER amendments_admit BEFORE INSERT ON entente.amendments FOR EACH ROW EXECUTE FUNCTION entente.admit_index_row()",
    ),
    (
        "amendments",
        "amendments_append_only",
        "CREATE TRIGGER amendments_append_only BEFORE DELETE OR UPDATE ON entente.amendments FOR EACH ROW EXECUTE FUNCTION entente.refuse_index_change()",
    ),
    (
        "amendments",
        "amendments_no_truncate",
        "CREATE TRIGGER amendments_no_truncate BEFORE TRUNCATE ON entente.amendments FOR EACH STATEMENT EXECUTE FUNCTION entente.refuse_change()",
    ),
    (
        "append_lock",
        "append_lock_unchanged",
        "CREATE TRIGGER append_lock_unchanged BEFORE INSERT OR DELETE OR UPDATE OR TRUNCATE ON entente.append_lock FOR EACH STATEMENT EXECUTE FUNCTION entente.refuse_change()",
    ),
    (
        "events",
        "events_admit",
        "CREATE TRIGGER events_admit BEFORE INSERT ON entente.events FOR EACH ROW EXECUTE FUNCTION entente.admit_event()",
    ),
    (
        "events",
        "events_append_only",
        "CREATE TRIGGER events_append_only BEFORE DELETE OR UPDATE ON entente.events FOR EACH ROW EXECUTE FUNCTION entente.refuse_change()",
    ),
    (
        "events",
        "events_no_truncate",
        "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON entente.events FOR EACH STATEMENT EXECUTE FUNCTION entente.refuse_change()",
    ),
    (
        "meta",
        "meta_append_only",
        "CREATE TRIGGER meta_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON entente.meta FOR EACH STATEMENT EXECUTE FUNCTION entente.refuse_change()",
    ),
    (
        "migrations",
        "migrations_append_only",
        "CREATE TRIGGER migrations_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON entente.migrations FOR EACH STATEMENT EXECUTE FUNCTION entente.refuse_change()",
    ),
    (
        "names",
        "names_admit",
        "CREATE TRIGGER names_admit BEFORE INSERT ON entente.names FOR EACH ROW EXECUTE FUNCTION entente.admit_index_row()",
    ),
    (
        "names",
        "names_append_only",
        "CREATE TRIGGER names_append_only BEFORE DELETE OR UPDATE ON entente.names FOR EACH ROW EXECUTE FUNCTION entente.refuse_index_change()",
    ),
    (
        "names",
        "names_no_truncate",
        "CREATE TRIGGER names_no_truncate BEFORE TRUNCATE ON entente.names FOR EACH STATEMENT EXECUTE FUNCTION entente.refuse_change()",
    ),
];

/// The views of the log as SQL (README, "The log as SQL"), each as `pg_get_viewdef`
/// prints it — the text that creates it and that `verify` compares (PostgreSQL 15
/// prints it back the same). Each is created `security_invoker`, so a role reading
/// one reads the tables with its own privileges and row-level security: its own
/// snapshots only. Granted SELECT to the reader and recorder roles, like the tables;
/// nobody may write through them (a view of a join or a set-returning function is not
/// updatable, and entente adds no rule or trigger to one).
pub const VIEWS: [(&str, &str); 5] = [
    (
        "event_view",
        r#" SELECT e.seq,
    (j.d ->> 'id'::text) AS id,
    e.kind,
    ((j.d ->> 'version'::text))::integer AS version,
    o.occurred,
        CASE length(o.occurred_from)
            WHEN 4 THEN (o.occurred_from || '-01-01'::text)
            WHEN 7 THEN (o.occurred_from || '-01'::text)
            ELSE o.occurred_from
        END AS occurred_first,
        CASE length(o.occurred_to)
            WHEN 4 THEN (o.occurred_to || '-12-31'::text)
            WHEN 7 THEN to_char(((((o.occurred_to || '-01'::text))::date + '1 mon'::interval) - '1 day'::interval), 'YYYY-MM-DD'::text)
            ELSE o.occurred_to
        END AS occurred_last,
        CASE
            WHEN (strpos(o.occurred, '/'::text) > 0) THEN 'range'::text
            WHEN (length(o.occurred) = 4) THEN 'year'::text
            WHEN (length(o.occurred) = 7) THEN 'month'::text
            ELSE 'day'::text
        END AS "precision",
    (j.d -> 'tracks'::text) AS tracks,
    COALESCE(((j.d -> 'payload'::text) ->> 'title'::text), ((j.d -> 'payload'::text) ->> 'text'::text), ((j.d -> 'payload'::text) ->> 'summary'::text), ((j.d -> 'payload'::text) ->> 'reason'::text), ((j.d -> 'payload'::text) ->> 'name'::text), ((j.d -> 'payload'::text) ->> 'note'::text), ((j.d -> 'payload'::text) ->> 'envoy'::text), ((j.d -> 'payload'::text) ->> 'place'::text)) AS headline,
    COALESCE(((j.d -> 'payload'::text) ->> 'commitment'::text), ((j.d -> 'payload'::text) ->> 'proposal'::text), ((j.d -> 'payload'::text) ->> 'instrument'::text), ((j.d -> 'payload'::text) ->> 'commission'::text), ((j.d -> 'payload'::text) ->> 'condition'::text), ((j.d -> 'payload'::text) ->> 'target'::text)) AS subject,
    COALESCE((j.d -> 'sources'::text), '[]'::json) AS sources,
    COALESCE(json_array_length((j.d -> 'sources'::text)), 0) AS source_count,
    COALESCE(((j.d ->> 'unsourced'::text))::boolean, false) AS unsourced,
    (j.d ->> 'confidence'::text) AS confidence,
    (j.d ->> 'attribution'::text) AS attribution,
    (j.d ->> 'occasion'::text) AS occasion,
    (j.d ->> 'recorded_at'::text) AS recorded_at,
    e.recorded_by,
    encode(e.hash, 'hex'::text) AS hash,
    e.body
   FROM ((entente.events e
     CROSS JOIN LATERAL ( SELECT (e.body)::json AS d) j)
     CROSS JOIN LATERAL ( SELECT (j.d ->> 'occurred'::text) AS occurred,
            split_part((j.d ->> 'occurred'::text), '/'::text, 1) AS occurred_from,
            COALESCE(NULLIF(split_part((j.d ->> 'occurred'::text), '/'::text, 2), ''::text), (j.d ->> 'occurred'::text)) AS occurred_to) o);"#,
    ),
    (
        "event_track_view",
        r#" SELECT e.seq,
    t.track,
    e.kind
   FROM (entente.events e
     CROSS JOIN LATERAL json_array_elements_text(((e.body)::json -> 'tracks'::text)) t(track));"#,
    ),
    (
        "event_source_view",
        r#" SELECT e.seq,
    s."position",
    (s.source ->> 'title'::text) AS title,
    (s.source ->> 'author'::text) AS author,
    (s.source ->> 'publisher'::text) AS publisher,
    (s.source ->> 'url'::text) AS url,
    (s.source ->> 'published'::text) AS published,
    (s.source ->> 'locator'::text) AS locator
   FROM (entente.events e
     CROSS JOIN LATERAL json_array_elements(((e.body)::json -> 'sources'::text)) WITH ORDINALITY s(source, "position"));"#,
    ),
    (
        "commitment_view",
        r#" SELECT (c.value ->> 'track'::text) AS track,
    (c.value ->> 'commitment'::text) AS commitment,
    (c.value ->> 'state'::text) AS state,
    (c.value ->> 'progress'::text) AS progress,
    (c.value ->> 'schedule'::text) AS schedule,
    (c.value ->> 'activity'::text) AS activity,
    (c.value -> 'parties'::text) AS parties,
    (c.value ->> 'text'::text) AS text,
    ((c.value ->> 'standing'::text))::boolean AS standing,
    (c.value ->> 'made'::text) AS made,
    (c.value ->> 'due'::text) AS due,
    (c.value ->> 'next_due'::text) AS next_due,
    (c.value ->> 'fulfilled'::text) AS fulfilled,
    ((c.value ->> 'pam'::text))::integer AS pam,
    (c.value ->> 'quiet_since'::text) AS quiet_since,
    ((c.value ->> 'unsupported'::text))::boolean AS unsupported,
    ((c.value ->> 'one_sided'::text))::boolean AS one_sided,
    ((s.state)::json ->> 'as_of'::text) AS as_of,
    s.seq AS judged_at
   FROM ((entente.snapshots s
     JOIN entente.events e ON (((e.seq = s.seq) AND (e.hash = s.hash))))
     CROSS JOIN LATERAL json_array_elements(((s.state)::json -> 'commitments'::text)) c(value))
  WHERE (s.name = 'judged'::text);"#,
    ),
    (
        "principle_view",
        r#" SELECT (p.value ->> 'track'::text) AS track,
    (p.value ->> 'principle'::text) AS principle,
    (p.value ->> 'state'::text) AS state,
    (p.value ->> 'text'::text) AS text,
    ((p.value ->> 'reaffirmed'::text))::bigint AS reaffirmed,
    (p.value ->> 'last'::text) AS last,
    ((p.value ->> 'unsupported'::text))::boolean AS unsupported,
    ((p.value ->> 'one_sided'::text))::boolean AS one_sided,
    ((s.state)::json ->> 'as_of'::text) AS as_of,
    s.seq AS judged_at
   FROM ((entente.snapshots s
     JOIN entente.events e ON (((e.seq = s.seq) AND (e.hash = s.hash))))
     CROSS JOIN LATERAL json_array_elements(((s.state)::json -> 'principles'::text)) p(value))
  WHERE (s.name = 'judged'::text);"#,
    ),
];

/// The options every view of [`VIEWS`] is created with, as `pg_class.reloptions` lists
/// them.
pub const VIEW_OPTIONS: &str = "security_invoker=true";

/// The row-level security policy of `snapshots`, as `pg_get_expr` prints it: each role
/// reads and writes only the snapshots it saved, so a snapshot another role forged
/// never serves anyone else's report.
pub const SNAPSHOT_POLICY: &str = "(saved_by = SESSION_USER)";

/// The columns of each table: (table, column, type as `format_type` prints it).
pub const COLUMNS: &[(&str, &str, &str)] = &[
    ("amendments", "target", "bytea"),
    ("amendments", "seq", "bigint"),
    ("append_lock", "id", "boolean"),
    ("events", "seq", "bigint"),
    ("events", "id", "bytea"),
    ("events", "kind", "text"),
    ("events", "body", "text"),
    ("events", "hash", "bytea"),
    ("events", "recorded_at", "timestamp with time zone"),
    ("events", "recorded_by", "text"),
    ("meta", "key", "text"),
    ("meta", "value", "text"),
    ("migrations", "version", "bigint"),
    ("migrations", "applied_at", "timestamp with time zone"),
    ("names", "namespace", "text"),
    ("names", "key", "text"),
    ("names", "seq", "bigint"),
    ("snapshots", "saved_by", "text"),
    ("snapshots", "name", "text"),
    ("snapshots", "seq", "bigint"),
    ("snapshots", "hash", "bytea"),
    ("snapshots", "state", "text"),
    // The views (schema 2).
    ("commitment_view", "track", "text"),
    ("commitment_view", "commitment", "text"),
    ("commitment_view", "state", "text"),
    ("commitment_view", "progress", "text"),
    ("commitment_view", "schedule", "text"),
    ("commitment_view", "activity", "text"),
    ("commitment_view", "parties", "json"),
    ("commitment_view", "text", "text"),
    ("commitment_view", "standing", "boolean"),
    ("commitment_view", "made", "text"),
    ("commitment_view", "due", "text"),
    ("commitment_view", "next_due", "text"),
    ("commitment_view", "fulfilled", "text"),
    ("commitment_view", "pam", "integer"),
    ("commitment_view", "quiet_since", "text"),
    ("commitment_view", "unsupported", "boolean"),
    ("commitment_view", "one_sided", "boolean"),
    ("commitment_view", "as_of", "text"),
    ("commitment_view", "judged_at", "bigint"),
    ("event_source_view", "seq", "bigint"),
    ("event_source_view", "position", "bigint"),
    ("event_source_view", "title", "text"),
    ("event_source_view", "author", "text"),
    ("event_source_view", "publisher", "text"),
    ("event_source_view", "url", "text"),
    ("event_source_view", "published", "text"),
    ("event_source_view", "locator", "text"),
    ("event_track_view", "seq", "bigint"),
    ("event_track_view", "track", "text"),
    ("event_track_view", "kind", "text"),
    ("event_view", "seq", "bigint"),
    ("event_view", "id", "text"),
    ("event_view", "kind", "text"),
    ("event_view", "version", "integer"),
    ("event_view", "occurred", "text"),
    ("event_view", "occurred_first", "text"),
    ("event_view", "occurred_last", "text"),
    ("event_view", "precision", "text"),
    ("event_view", "tracks", "json"),
    ("event_view", "headline", "text"),
    ("event_view", "subject", "text"),
    ("event_view", "sources", "json"),
    ("event_view", "source_count", "integer"),
    ("event_view", "unsourced", "boolean"),
    ("event_view", "confidence", "text"),
    ("event_view", "attribution", "text"),
    ("event_view", "occasion", "text"),
    ("event_view", "recorded_at", "text"),
    ("event_view", "recorded_by", "text"),
    ("event_view", "hash", "text"),
    ("event_view", "body", "text"),
    ("principle_view", "track", "text"),
    ("principle_view", "principle", "text"),
    ("principle_view", "state", "text"),
    ("principle_view", "text", "text"),
    ("principle_view", "reaffirmed", "bigint"),
    ("principle_view", "last", "text"),
    ("principle_view", "unsupported", "boolean"),
    ("principle_view", "one_sided", "boolean"),
    ("principle_view", "as_of", "text"),
    ("principle_view", "judged_at", "bigint"),
];

/// What else the tables are, as the catalogs print it: constraints, indexes, column
/// defaults, NOT NULL and collations (sorted). A constraint dropped, an index added, a
/// default changed, all differ.
pub const SHAPE: &[&str] = &[
    "collation names.key C",
    "collation names.namespace C",
    "constraint amendments.amendments_pkey PRIMARY KEY (target, seq)",
    "constraint append_lock.append_lock_id_check CHECK (id)",
    "constraint append_lock.append_lock_pkey PRIMARY KEY (id)",
    "constraint events.events_hash_check CHECK ((length(hash) = 32))",
    "constraint events.events_id_check CHECK ((length(id) = 16))",
    "constraint events.events_id_key UNIQUE (id)",
    "constraint events.events_pkey PRIMARY KEY (seq)",
    "constraint events.events_seq_check CHECK ((seq > 0))",
    "constraint meta.meta_pkey PRIMARY KEY (key)",
    "constraint migrations.migrations_pkey PRIMARY KEY (version)",
    "constraint names.names_pkey PRIMARY KEY (namespace, key)",
    "constraint snapshots.snapshots_pkey PRIMARY KEY (saved_by, name)",
    "default migrations.applied_at now()",
    "default snapshots.saved_by SESSION_USER",
    "index CREATE UNIQUE INDEX amendments_pkey ON entente.amendments USING btree (target, seq)",
    "index CREATE UNIQUE INDEX append_lock_pkey ON entente.append_lock USING btree (id)",
    "index CREATE UNIQUE INDEX events_id_key ON entente.events USING btree (id)",
    "index CREATE UNIQUE INDEX events_pkey ON entente.events USING btree (seq)",
    "index CREATE UNIQUE INDEX meta_pkey ON entente.meta USING btree (key)",
    "index CREATE UNIQUE INDEX migrations_pkey ON entente.migrations USING btree (version)",
    "index CREATE UNIQUE INDEX names_pkey ON entente.names USING btree (namespace, key)",
    "index CREATE UNIQUE INDEX snapshots_pkey ON entente.snapshots USING btree (saved_by, name)",
    "not null amendments.seq",
    "not null amendments.target",
    "not null append_lock.id",
    "not null events.body",
    "not null events.hash",
    "not null events.id",
    "not null events.kind",
    "not null events.recorded_at",
    "not null events.recorded_by",
    "not null events.seq",
    "not null meta.key",
    "not null meta.value",
    "not null migrations.applied_at",
    "not null migrations.version",
    "not null names.key",
    "not null names.namespace",
    "not null names.seq",
    "not null snapshots.hash",
    "not null snapshots.name",
    "not null snapshots.saved_by",
    "not null snapshots.seq",
    "not null snapshots.state",
];

/// The query that lists [`SHAPE`] from the catalogs.
pub const SHAPE_QUERY: &str = "
SELECT 'constraint ' || c.relname || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid)
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid WHERE c.relnamespace = 'entente'::regnamespace
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'entente'::regnamespace
UNION ALL
SELECT 'default ' || c.relname || '.' || a.attname || ' ' || pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE c.relnamespace = 'entente'::regnamespace
UNION ALL
SELECT 'not null ' || c.relname || '.' || a.attname
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace = 'entente'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attnotnull
UNION ALL
SELECT 'collation ' || c.relname || '.' || a.attname || ' ' || co.collname
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_collation co ON co.oid = a.attcollation
  WHERE c.relnamespace = 'entente'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    AND co.collname <> 'default'
ORDER BY 1";

/// The privileges each role holds on each table (the owner role owns them all):
/// (table, role, privilege), sorted.
pub fn privileges(roles: &Roles) -> Vec<(String, String, String)> {
    let mut grants = Vec::new();
    for table in TABLES {
        for role in [&roles.reader, &roles.recorder] {
            grants.push((table.to_owned(), role.clone(), "SELECT".to_owned()));
        }
    }
    // UPDATE only to lock its row ([`TAKE_APPEND_LOCK`]); a trigger refuses any update.
    grants.push(("append_lock".to_owned(), roles.recorder.clone(), "UPDATE".to_owned()));
    for table in ["events", "names", "amendments"] {
        grants.push((table.to_owned(), roles.recorder.clone(), "INSERT".to_owned()));
    }
    for privilege in ["INSERT", "UPDATE", "DELETE"] {
        for role in [&roles.reader, &roles.recorder] {
            grants.push(("snapshots".to_owned(), role.clone(), privilege.to_owned()));
        }
    }
    for (view, _) in VIEWS {
        for role in [&roles.reader, &roles.recorder] {
            grants.push((view.to_owned(), role.clone(), "SELECT".to_owned()));
        }
    }
    grants.sort();
    grants
}

/// The SQL that creates the views (run as the owner role) and grants them to the
/// reader and recorder roles.
fn create_views(roles: &Roles) -> String {
    let mut sql = String::new();
    for (name, definition) in VIEWS {
        sql.push_str(&format!("CREATE VIEW entente.{name} WITH (security_invoker = true) AS{definition}\n"));
    }
    let views = VIEWS.map(|(v, _)| format!("entente.{v}")).join(", ");
    sql.push_str(&format!("GRANT SELECT ON {views} TO {}, {};\n", ident(&roles.reader), ident(&roles.recorder)));
    sql
}

/// The SQL that takes a log of schema 1 to 2 (the views): run as the owner role, in
/// the transaction that holds the migrations table's lock and saw version 1 there.
pub fn migrate_from_1(roles: &Roles) -> String {
    format!("{}INSERT INTO entente.migrations (version) VALUES (2);\n", create_views(roles))
}

/// The SQL that creates a log in database `database`: the roles (unless they exist),
/// the schema owned by the owner role, its tables, functions, triggers, policy and
/// grants, and the first migration's row. One transaction's worth; run by a role that
/// may create roles and grant on the database (a superuser, or the database's owner
/// with CREATEROLE).
pub fn create(database: &str, roles: &Roles) -> String {
    let (reader, recorder, owner) = (ident(&roles.reader), ident(&roles.recorder), ident(&roles.owner));
    let db = ident(database);
    let mut sql = String::new();
    sql.push_str(
        "-- entente: a team log (schema 2). Run as one transaction by a role that may create roles, connected to\n\
         -- the database that will hold the log: psql -d DATABASE -f FILE. It stops at the first error.\n",
    );
    sql.push_str(&format!(
        "DO $$ BEGIN IF current_database() <> {} THEN RAISE EXCEPTION 'entente: connect to the database %, not %, to create its log', {}, current_database(); END IF; END $$;\n",
        literal(database),
        literal(database)
    ));
    for role in [&roles.reader, &roles.recorder, &roles.owner] {
        sql.push_str(&format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN CREATE ROLE {} NOLOGIN; END IF; END $$;\n",
            literal(role),
            ident(role)
        ));
    }
    sql.push_str(&format!("GRANT {owner} TO CURRENT_USER;\n"));
    sql.push_str(&format!("GRANT CONNECT, CREATE ON DATABASE {db} TO {owner};\n"));
    sql.push_str(&format!("GRANT CONNECT ON DATABASE {db} TO {reader}, {recorder};\n"));
    sql.push_str(&format!("CREATE SCHEMA entente AUTHORIZATION {owner};\n"));
    sql.push_str(&format!("SET LOCAL ROLE {owner};\n"));
    sql.push_str(
        "CREATE TABLE entente.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE entente.migrations (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE entente.append_lock (id boolean PRIMARY KEY CHECK (id));
INSERT INTO entente.append_lock (id) VALUES (true);
CREATE TABLE entente.events (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  id bytea NOT NULL UNIQUE CHECK (length(id) = 16),
  kind text NOT NULL,
  body text NOT NULL,
  hash bytea NOT NULL CHECK (length(hash) = 32),
  recorded_at timestamptz NOT NULL,
  recorded_by text NOT NULL
);
CREATE TABLE entente.names (namespace text COLLATE \"C\" NOT NULL, key text COLLATE \"C\" NOT NULL, seq bigint NOT NULL, PRIMARY KEY (namespace, key));
CREATE TABLE entente.amendments (target bytea NOT NULL, seq bigint NOT NULL, PRIMARY KEY (target, seq));
CREATE TABLE entente.snapshots (
  saved_by text NOT NULL DEFAULT session_user,
  name text NOT NULL,
  seq bigint NOT NULL,
  hash bytea NOT NULL,
  state text NOT NULL,
  PRIMARY KEY (saved_by, name)
);
ALTER TABLE entente.snapshots ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_snapshots ON entente.snapshots USING (saved_by = session_user) WITH CHECK (saved_by = session_user);
",
    );
    for (name, body) in FUNCTIONS {
        sql.push_str(&format!(
            "CREATE FUNCTION entente.{name}() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn${body}$fn$;\n"
        ));
    }
    for (_, _, definition) in TRIGGERS {
        sql.push_str(definition);
        sql.push_str(";\n");
    }
    sql.push_str(&format!(
        "INSERT INTO entente.meta (key, value) VALUES ('application', 'entente'), ('reader_role', {}), ('recorder_role', {}), ('owner_role', {});\n",
        literal(&roles.reader),
        literal(&roles.recorder),
        literal(&roles.owner)
    ));
    sql.push_str(&format!("INSERT INTO entente.migrations (version) VALUES ({LATEST});\n"));
    sql.push_str(&format!("GRANT USAGE ON SCHEMA entente TO {reader}, {recorder};\n"));
    let tables = TABLES.map(|t| format!("entente.{t}")).join(", ");
    sql.push_str(&format!("GRANT SELECT ON {tables} TO {reader}, {recorder};\n"));
    sql.push_str(&format!("GRANT INSERT ON entente.events, entente.names, entente.amendments TO {recorder};\n"));
    sql.push_str(&format!("GRANT UPDATE ON entente.append_lock TO {recorder};\n"));
    sql.push_str(&format!("GRANT INSERT, UPDATE, DELETE ON entente.snapshots TO {reader}, {recorder};\n"));
    sql.push_str(&create_views(roles));
    sql.push_str("RESET ROLE;\n");
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_append_lock_in_the_trigger_is_the_clients() {
        assert!(ADMIT_EVENT.contains(&format!("PERFORM {}", TAKE_APPEND_LOCK.trim_start_matches("SELECT "))));
    }

    #[test]
    fn identifiers_and_literals_cannot_break_out_of_their_quotes() {
        assert_eq!(ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(literal("it's"), "'it''s'");
        let sql = create("d\"b", &Roles::with_prefix("x'; DROP TABLE t; --"));
        assert!(sql.contains(r#""x'; DROP TABLE t; --_owner""#));
        assert!(sql.contains("'x''; DROP TABLE t; --_owner'"));
    }
}
