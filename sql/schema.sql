-- schema.sql — an evidence database: CloudTrail records copied once into an
-- ordinary table, plus the bookkeeping that lets sql/ingest.sql add new
-- files later without reading old ones again.  See docs/ingest.md.
--
--   sqlite3 case.db
--   .load ./dist/cloudtrail
--   .read sql/schema.sql          -- once; re-reading it changes nothing
--
-- The tables stay readable by any SQLite.  event_time is declared with the
-- extension's collation cloudtrail_time (time filters compare instants, in
-- any ISO 8601 or SQLite form: docs/time.md), so creating the tables,
-- inserting, and comparing or sorting event_time need the extension loaded;
-- without it such a statement fails ("no such collation sequence"), never
-- answers wrongly.
--
-- Files are known by their canonical location: the absolute path with
-- symbolic links resolved (cloudtrail_ls.canonical), the same whichever way
-- PATH was typed.  Every `file` column below holds it.

-- The cloudtrail table's columns, typed.  Every row keeps the file and the
-- 0-based record index it came from.  CloudTrail may deliver a record twice
-- (same eventID, in the same or another file): it is stored once, and the
-- file's `duplicates` count in cloudtrail_ingested_files says so.  A record
-- with a stored eventID but other bytes is not a duplicate: it goes to
-- cloudtrail_event_conflicts.  Records without an eventID are keyed by
-- (file, record_index) alone.
CREATE TABLE IF NOT EXISTS cloudtrail_events (
  event_time           TEXT COLLATE cloudtrail_time,  -- compared as instants (docs/time.md)
  event_source         TEXT,
  event_name           TEXT,
  aws_region           TEXT,
  source_ip            TEXT,
  user_agent           TEXT,
  identity_type        TEXT,
  principal_id         TEXT,
  identity_arn         TEXT,
  account_id           TEXT,
  access_key_id        TEXT,
  session_issuer_arn   TEXT,
  session_issuer_name  TEXT,
  error_code           TEXT,
  error_message        TEXT,
  outcome              TEXT,
  event_id             TEXT,
  request_id           TEXT,
  event_type           TEXT,
  read_only            INTEGER,
  recipient_account_id TEXT,
  raw                  TEXT NOT NULL,
  file                 TEXT NOT NULL,     -- canonical location
  record_index         INTEGER NOT NULL,
  UNIQUE (file, record_index)
);
-- UNIQUE, and NULLs are distinct in SQLite: one row per eventID, any number
-- of rows without one.
CREATE UNIQUE INDEX IF NOT EXISTS cloudtrail_events_event_id   ON cloudtrail_events(event_id);
CREATE INDEX IF NOT EXISTS cloudtrail_events_event_time        ON cloudtrail_events(event_time);
CREATE INDEX IF NOT EXISTS cloudtrail_events_event_name        ON cloudtrail_events(event_name);
CREATE INDEX IF NOT EXISTS cloudtrail_events_principal_id      ON cloudtrail_events(principal_id);
CREATE INDEX IF NOT EXISTS cloudtrail_events_source_ip         ON cloudtrail_events(source_ip);

-- One row per file a walk found, once its records are all accounted for:
-- stored here, stored earlier from another file as the same record (same
-- eventID, same bytes), or kept in cloudtrail_event_conflicts.  sha256 is of
-- the file's bytes as found, compressed or not.  A file read with an error
-- keeps it in `error` and is read again, whole, once its bytes change (a
-- repaired download).  An entry that could not be read as a file (walk
-- error) has error set and no sha256; the next ingest tries it again.
CREATE TABLE IF NOT EXISTS cloudtrail_ingested_files (
  file         TEXT PRIMARY KEY,  -- canonical location
  walked_as    TEXT,              -- the path as the walk gave it, that run
  size         INTEGER,           -- bytes on disk
  mtime        INTEGER,           -- modification time, Unix seconds
  mtime_ns     INTEGER,           -- the same, and the status change time
  ctime_ns     INTEGER,           --   and the inode: any change to them
  inode        INTEGER,           --   makes the next ingest hash the file
  sha256       TEXT,
  format       TEXT,              -- as cloudtrail_files reports it
  records      INTEGER NOT NULL,  -- records the file holds (read before any error)
  stored       INTEGER NOT NULL,  -- of those, rows now in cloudtrail_events from this file
  duplicates   INTEGER NOT NULL,  -- stored before from another file, byte for byte
  conflicts    INTEGER NOT NULL,  -- a stored eventID with other bytes (cloudtrail_event_conflicts)
  error        TEXT,              -- NULL when the file read cleanly
  note         TEXT,              -- what a file that is not CloudTrail is
  ingested_at  TEXT NOT NULL      -- UTC, ISO 8601
);

-- Files whose bytes changed after they were ingested.  action says what
-- the ingest did: 'not merged' (the old rows stay, traceable to the file;
-- the analyst decides), or 'read again' (the earlier copy had `error`, and
-- the rows stored from it are the first records of the new copy, which was
-- read whole: a repaired download).
CREATE TABLE IF NOT EXISTS cloudtrail_ingest_changes (
  file             TEXT NOT NULL,
  ingested_sha256  TEXT NOT NULL,
  current_sha256   TEXT NOT NULL,
  current_size     INTEGER,
  current_mtime    INTEGER,
  action           TEXT NOT NULL,
  previous_error   TEXT,
  seen_at          TEXT NOT NULL,
  PRIMARY KEY (file, current_sha256)
);

-- A record whose eventID is stored already, from another record with other
-- bytes: an edited copy, or the same event exported another way (an
-- Elastic document, a lookup-events item).  Kept whole, never dropped.
CREATE TABLE IF NOT EXISTS cloudtrail_event_conflicts (
  file                TEXT NOT NULL,
  record_index        INTEGER NOT NULL,
  event_id            TEXT NOT NULL,
  raw                 TEXT NOT NULL,
  stored_file         TEXT NOT NULL,     -- where the stored record with that eventID is
  stored_record_index INTEGER NOT NULL,
  seen_at             TEXT NOT NULL,
  PRIMARY KEY (file, record_index)
);

-- One row per run of sql/ingest.sql, and its summary as (item, value)
-- rows: what the script prints, kept.
CREATE TABLE IF NOT EXISTS cloudtrail_ingest_runs (
  run          INTEGER PRIMARY KEY,
  paths        TEXT NOT NULL,          -- JSON array of the ingest_paths
  started_at   TEXT NOT NULL,
  finished_at  TEXT
);
CREATE TABLE IF NOT EXISTS cloudtrail_ingest_summary (
  run    INTEGER NOT NULL REFERENCES cloudtrail_ingest_runs(run),
  item   TEXT NOT NULL,
  value  INTEGER,
  PRIMARY KEY (run, item)
);
