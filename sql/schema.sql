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

-- The cloudtrail table's columns, typed.  Every row keeps the file and the
-- 0-based record index it came from.  CloudTrail may deliver a record twice
-- (same eventID, in the same or another file): it is stored once, and the
-- file's `duplicates` count in cloudtrail_ingested_files says so.  Records
-- without an eventID are keyed by (file, record_index) alone.
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
  file                 TEXT NOT NULL,
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

-- One row per file a walk found, once its records are all accounted for in
-- cloudtrail_events (stored here, or stored earlier from another file as the
-- same eventID).  sha256 is of the file's bytes as found, compressed or not.
-- An entry that could not be read as a file (walk error) has error set and
-- no sha256; the next ingest tries it again.
CREATE TABLE IF NOT EXISTS cloudtrail_ingested_files (
  file         TEXT PRIMARY KEY,
  size         INTEGER,           -- bytes on disk
  mtime        INTEGER,           -- modification time, Unix seconds
  sha256       TEXT,
  format       TEXT,              -- as cloudtrail_files reports it
  records      INTEGER NOT NULL,  -- records the file holds (read before any error)
  stored       INTEGER NOT NULL,  -- of those, rows now in cloudtrail_events from this file
  duplicates   INTEGER NOT NULL,  -- records - stored: eventIDs already stored
  error        TEXT,              -- NULL when the file read cleanly
  ingested_at  TEXT NOT NULL      -- UTC, ISO 8601
);

-- Files whose bytes changed after they were ingested.  Their new content is
-- not merged; the analyst decides (the old rows stay, traceable to the file).
CREATE TABLE IF NOT EXISTS cloudtrail_ingest_changes (
  file             TEXT NOT NULL,
  ingested_sha256  TEXT NOT NULL,
  current_sha256   TEXT NOT NULL,
  current_size     INTEGER,
  current_mtime    INTEGER,
  seen_at          TEXT NOT NULL,
  PRIMARY KEY (file, current_sha256)
);
