#!/usr/bin/env python3
"""Independent conformance oracle for the cloudtrail SQLite extension.

Every input file is parsed a second time with Python's own ``json`` module,
following the documented reading rules, and the result is compared column by
column with ``cloudtrail(file, 'errors=skip')`` and ``cloudtrail_files(file)``.

    /usr/bin/python3 tests/conformance.py --ext ./dist/cloudtrail.so --fixtures
    /usr/bin/python3 tests/conformance.py --ext ./dist/cloudtrail.so --datasets DIR [-v]

Standard library only.  Use Debian's /usr/bin/python3: the interpreter must
be able to load SQLite extensions.
"""
import argparse
import fnmatch
import json
import os
import sqlite3
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_time import instant  # noqa: E402  (the documented time forms, in Python)

# The cloudtrail table's visible columns, in order: read from the extension
# (PRAGMA table_xinfo, which its table of fields declares) by main(), so
# there is one list; the semantics below stay the oracle's own.
COLUMNS = ()
FILE_COLUMNS = ("file", "format", "compression", "compressed_bytes", "bytes",
                "records", "first_event_time", "last_event_time", "error")

# Raw CloudTrail record: column -> dotted key path inside the record.
SI = "userIdentity.sessionContext.sessionIssuer."
RAW_PATHS = {
    "event_time": "eventTime", "event_source": "eventSource", "event_name": "eventName",
    "aws_region": "awsRegion", "source_ip": "sourceIPAddress", "user_agent": "userAgent",
    "identity_type": "userIdentity.type", "principal_id": "userIdentity.principalId",
    "identity_arn": "userIdentity.arn", "account_id": "userIdentity.accountId",
    "access_key_id": "userIdentity.accessKeyId", "session_issuer_arn": SI + "arn",
    "session_issuer_name": SI + "userName", "error_code": "errorCode",
    "error_message": "errorMessage", "event_id": "eventID", "request_id": "requestID",
    "event_type": "eventType", "recipient_account_id": "recipientAccountId"}
# ECS document: column -> dotted paths, tried in order.
UI, CT = "aws.cloudtrail.user_identity.", "aws.cloudtrail."
ECS_PATHS = {
    "event_time": ["@timestamp"], "event_source": ["event.provider"],
    "event_name": ["event.action"], "aws_region": ["cloud.region"],
    "source_ip": ["source.ip", "source.address"], "user_agent": ["user_agent.original"],
    "identity_type": [UI + "type"], "principal_id": ["user.id"],
    "identity_arn": [UI + "arn"], "account_id": ["cloud.account.id"],
    "access_key_id": [UI + "access_key_id"],
    "session_issuer_arn": [UI + "session_context.session_issuer.arn"],
    "error_code": [CT + "error_code"], "error_message": [CT + "error_message"],
    "outcome": ["event.outcome"], "event_id": ["event.id"],
    "request_id": [CT + "request_id"], "event_type": [CT + "event_type"],
    "recipient_account_id": [CT + "recipient_account_id"]}
# Columns expected_row() computes rather than reads at a path.
RAW_COMPUTED = ("outcome", "read_only", "raw", "file", "record_index")
ECS_COMPUTED = ("session_issuer_name", "read_only", "raw", "file", "record_index")
RAW_MARKERS = ("eventVersion", "eventTime", "eventSource", "eventName", "eventID",
               "userIdentity", "awsRegion", "eventType")
ECS_PREFIXES = ("@timestamp", "event", "ecs", "data_stream", "aws", "cloud", "user")
JSON_WS = " \t\r\n"
SURROGATES = {c: 0xFFFD for c in range(0xD800, 0xE000)}
ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
MAX_SHOWN = 20


class BadFile(Exception):
    """The file is not readable under the rules (Python cannot parse it)."""


class JsonObject(dict):
    """A parsed object; dup_wrapper: a repeated Records/Events key holds an array."""
    dup_wrapper = False


def first_wins(pairs):
    """object_pairs_hook keeping the FIRST value of a duplicated key."""
    obj = JsonObject()
    for key, value in pairs:
        if key in obj and key in ("Records", "Events") and isinstance(value, list):
            obj.dup_wrapper = True
        obj.setdefault(key, value)
    return obj


def _reject_constant(name):
    """NaN/Infinity are not JSON; Python would otherwise accept them."""
    raise ValueError("non-JSON constant " + name)


DECODER = json.JSONDecoder(object_pairs_hook=first_wins, parse_constant=_reject_constant)


def loads(text):
    """json.loads with first-wins duplicate keys and strict constants."""
    start = len(text) - len(text.lstrip(JSON_WS))
    value, end = DECODER.raw_decode(text, start)
    if text[end:].strip(JSON_WS):
        raise ValueError("extra data after JSON value")
    return value


def norm(value):
    """Map lone surrogates to U+FFFD (the extension's decoding), recursively."""
    if isinstance(value, str):
        return value.translate(SURROGATES)
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, dict):
        return {norm(k): norm(v) for k, v in value.items()}
    return value


def same(a, b):
    """Strict JSON equality: true/1/1.0 all differ, and key order matters."""
    return json.dumps(a) == json.dumps(b)


def read_bytes(path):
    """Return (decompressed bytes, is_gzip) for a file on disk."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:2] == b"\x1f\x8b":
        return gunzip_members(data), True
    return data, False


def gunzip_members(data):
    """Inflate every gzip member with zlib itself, which (unlike the gzip
    module) also checks a member's optional header CRC."""
    out, rest = [], data
    while rest:
        if rest[:2] != b"\x1f\x8b":
            raise BadFile("gzip: trailing data after a member")
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out.append(d.decompress(rest))
        except zlib.error as exc:
            raise BadFile("gzip: %s" % exc)
        if not d.eof:
            raise BadFile("gzip: truncated member")
        rest = d.unused_data
    return b"".join(out)


def top_level_values(data):
    """Split decompressed bytes into the list of top-level JSON values."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = BadFile("utf-8: %s" % exc)
        bad.values = []
        raise bad
    values, pos = [], 0
    while True:
        while pos < len(text) and text[pos] in JSON_WS:
            pos += 1
        if pos >= len(text):
            return values
        try:
            value, pos = DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            bad = BadFile("json: %s" % exc)
            bad.values = values          # the values before the damage
            raise bad
        values.append(value)


def lookup_item(obj):
    """A lookup-events item: its CloudTrailEvent string holds the record."""
    text = obj.get("CloudTrailEvent") if isinstance(obj, dict) else None
    if not isinstance(text, str):
        raise BadFile("lookup item without a CloudTrailEvent string")
    try:
        record = loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadFile("CloudTrailEvent: %s" % exc)
    if not isinstance(record, dict):
        raise BadFile("CloudTrailEvent is not an object")
    return "lookup", record, text.strip(JSON_WS)


def bare_shape(obj):
    """'raw', 'ecs' or None: what an object's own keys say it is."""
    if any(k in obj for k in RAW_MARKERS):
        return "raw"
    for key in obj:
        if any(key == p or key.startswith(p + ".") for p in ECS_PREFIXES):
            return "ecs"
    return None


def classify(obj):
    """Classify one record object: (kind, record, exact_raw_text_or_None).

    kind is 'envelope', 'hit', 'hit-raw', 'lookup', 'digest', 'raw', 'ecs',
    or None for an object that is not a record (docs/formats.md).
    """
    if not isinstance(obj, dict):
        raise BadFile("record is not an object")
    if "detail-type" in obj and isinstance(obj.get("detail"), dict):
        if bare_shape(obj["detail"]) == "raw":
            return "envelope", obj["detail"], None
        return None, obj, None
    if isinstance(obj.get("_source"), dict):
        shape = bare_shape(obj["_source"])
        kind = {"raw": "hit-raw", "ecs": "hit"}.get(shape)
        return kind, obj["_source"], None
    if isinstance(obj.get("CloudTrailEvent"), str):
        return lookup_item(obj)
    if "digestStartTime" in obj and "logFiles" in obj:
        return "digest", obj, None
    return bare_shape(obj), obj, None


def dig(obj, path):
    """Follow a key path through nested objects; None if anything is missing."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def ecs_get(obj, path):
    """Elasticsearch-style lookup of a dotted path (nested or flat keys, mixed).

    The first non-null match in document order wins.
    """
    if not isinstance(obj, dict):
        return None
    for key, value in obj.items():
        if key == path:
            if value is not None:
                return value
        elif path.startswith(key + "."):
            found = ecs_get(value, path[len(key) + 1:])
            if found is not None:
                return found
    return None


def as_bool(value):
    """read_only rule: true/false or "true"/"false" -> 1/0, else NULL."""
    if value is True or value == "true":
        return 1
    if value is False or value == "false":
        return 0
    return None


def raw_outcome(rec):
    """Elastic's event.outcome rule for a raw CloudTrail record."""
    failed = any(rec.get(k) is not None and rec.get(k) != ""
                 for k in ("errorCode", "errorMessage"))
    outcome = "failure" if failed else "success"
    response = rec.get("responseElements")
    if rec.get("eventName") == "ConsoleLogin" and isinstance(response, dict) \
            and isinstance(response.get("ConsoleLogin"), str):
        outcome = response["ConsoleLogin"].translate(ASCII_LOWER)
    return outcome


def expected_row(kind, rec, exact_raw, path, index):
    """Expected values of one row: column -> (mode, value).

    mode 'json': a JSON value (NULL, string, or JSON text to re-parse);
    'exact': compare as is; 'jsontext': the text must parse to the value.
    """
    row = {}
    if kind in ("hit", "ecs"):  # a hit-raw reads as raw below
        for col, alternatives in ECS_PATHS.items():
            value = None
            for alt in alternatives:
                value = ecs_get(rec, alt)
                if value is not None:
                    break
            row[col] = ("json", value)
        arn = row["session_issuer_arn"][1]
        name = arn.rsplit("/", 1)[1] if isinstance(arn, str) and "/" in arn else None
        row["session_issuer_name"] = ("exact", name)
        row["read_only"] = ("exact", as_bool(ecs_get(rec, "aws.cloudtrail.read_only")))
    else:
        for col, keys in RAW_PATHS.items():
            row[col] = ("json", dig(rec, keys.split(".")))
        row["outcome"] = ("exact", raw_outcome(rec))
        row["read_only"] = ("exact", as_bool(rec.get("readOnly")))
    row["raw"] = ("exact", exact_raw) if exact_raw is not None else ("jsontext", rec)
    row["file"] = ("exact", path)
    row["record_index"] = ("exact", index)
    return row


# Documented rule (docs/formats.md): names and places that say "CloudTrail log".
LOG_DIRS = ("CloudTrail", "CloudTrail-Insight", "CloudTrail-Digest")
ANY = object()          # an expected value that is not compared


def is_log_name(path):
    """'ct' for a CloudTrail object name or S3 place (a CloudTrail* folder
    right below a 12-digit account folder), 'gz' for only a .json.gz name."""
    base = os.path.basename(path)
    parts = path.split("/")[:-1]
    if any(s in base for s in ("_CloudTrail_", "_CloudTrail-Insight_", "_CloudTrail-Digest_")) \
            or any(d in LOG_DIRS and p.isdigit() and len(p) == 12
                   for p, d in zip(parts, parts[1:])):
        return "ct"
    return "gz" if path.endswith(".json.gz") else None


def sniff(data):
    """What a file's first bytes say: a format that is not CloudTrail, or None."""
    if data.startswith(b"SQLite format 3\0"):
        return "sqlite"
    if data[:3] in (b"\x37\x7f\x06",) and data[3:4] in (b"\x82", b"\x83"):
        return "sqlite-wal"
    if data.startswith(bytes([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7])):
        return "sqlite-journal"
    if len(data) >= 96 and int.from_bytes(data[:4], sys.byteorder) == 3007000 \
            and data[:48] == data[48:96]:
        return "sqlite-shm"
    utf16 = None
    probe = data[:16]
    ascii_ = lambda bs: all(b in b" \t\r\n" or 0x20 <= b < 0x7f for b in bs)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        utf16 = "utf-16"
    elif len(probe) == 16 and not any(probe[1::2]) and ascii_(probe[0::2]):
        utf16 = "utf-16-le"
    elif len(probe) == 16 and not any(probe[0::2]) and ascii_(probe[1::2]):
        utf16 = "utf-16-be"
    if utf16:
        if data.decode(utf16, "replace").lstrip(" \t\r\n\ufeff")[:1] in ("{", "["):
            raise BadFile("JSON in UTF-16")
        return "not_cloudtrail"
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    head = text.lstrip(b" \t\r\n")
    if head[:1] in (b"{", b"[") or not head:
        return None
    try:                              # a JSON scalar first: JSON, read on
        DECODER.raw_decode(head.decode("utf-8", "replace"))
        return None
    except ValueError:
        return "not_cloudtrail"


def entries_of(values):
    """(container, object) in file order; 'other' marks a value that is not
    an object (in a top-level array) and so no record."""
    entries = []
    for value in values:
        if isinstance(value, list):
            entries += [("array", e) for e in value]
        elif isinstance(value, dict) and value.dup_wrapper:
            raise BadFile("a second Records/Events key holds an array")
        elif isinstance(value, dict) and isinstance(value.get("Records"), list):
            entries += [("records", e) for e in value["Records"]]
        elif isinstance(value, dict) and isinstance(value.get("Events"), list):
            entries += [("events", e) for e in value["Events"]]
        elif isinstance(value, dict):
            entries.append(("bare", value))
        else:
            entries.append(("other", value))
    return entries


def expected_file(path):
    """Parse one file in Python: (file metadata dict, list of expected rows)."""
    data, gz = read_bytes(path)
    if not data and not gz and path.endswith(".gz"):
        # Documented rule: a zero-byte .gz is a failed download, not "empty".
        raise BadFile("empty file with a .gz name")
    meta = {"file": path, "compression": "gzip" if gz else None,
            "compressed_bytes": os.path.getsize(path), "bytes": len(data),
            "records": 0, "first_event_time": None, "last_event_time": None,
            "error": None}
    early = sniff(data)
    if early:
        if is_log_name(path):         # text or binary: damaged
            raise BadFile("named as a log, but " + early)
        meta.update(format=early, bytes=ANY)
        return meta, []
    # The first value decides: CloudTrail (a record, a wrapper, a digest)
    # or not; every later value must agree.
    try:
        values = top_level_values(data)
        broken = None
    except BadFile as exc:
        values, broken = exc.values, exc
    entries = entries_of(values)
    rows, firsts, verdict = [], {}, None
    for container, obj in entries:
        if container == "events":
            kind, rec, exact_raw = lookup_item(obj)
        elif container == "other" or (container == "array" and not isinstance(obj, dict)):
            if verdict:                  # in a CloudTrail file: damage
                raise BadFile("record is not an object")
            kind, rec, exact_raw = None, obj, None
        else:
            kind, rec, exact_raw = classify(obj)
            if kind is None and container == "records":
                kind = "raw"             # a Records element is a record by place
        is_ct = kind is not None or container in ("records", "events")
        if verdict is None:
            verdict = is_ct
        elif verdict != is_ct:
            raise BadFile("a file mixing records and other JSON")
        if not is_ct:
            continue
        firsts.setdefault(kind == "digest", (container, kind))
        if kind != "digest":
            rows.append(expected_row("raw" if kind == "hit-raw" else kind, rec,
                                     exact_raw, path, len(rows)))
    first = values[0] if values else None
    if verdict is False and isinstance(first, dict) and isinstance(first.get("hits"), dict) \
            and isinstance(first["hits"].get("hits"), list):
        raise BadFile("a whole Elasticsearch search response")
    if verdict is None and values and isinstance(values[0], dict) \
            and not any(isinstance(values[0].get(k), list) for k in ("Records", "Events")):
        verdict = False                  # an empty object
    if verdict is False:
        if is_log_name(path) == "ct":  # JSON of something else is only damage there
            raise BadFile("named as a log, but not CloudTrail")
        meta.update(format="not_cloudtrail", bytes=ANY if broken else len(data))
        return meta, []
    if broken:
        raise broken
    # A digest is not a record: the first real record decides, else a digest.
    first = firsts.get(False) or firsts.get(True)
    fmt = file_format(first[0], first[1], len(values)) if first else None
    if fmt is None and values:        # no record at all: the first value decides
        first = values[0]
        fmt = file_format("array" if isinstance(first, list) else "records"
                          if isinstance(first.get("Records"), list) else "events",
                          "raw", len(values))
    fmt = fmt or "empty"
    # Earliest and latest instant, texts that are not times left out
    # (docs/time.md); on ties the first record wins, as min()/max() do.
    times = [t for t in (norm(r["event_time"][1]) for r in rows
                         if isinstance(r["event_time"][1], str)) if instant(t) is not None]
    meta.update(format=fmt, records=len(rows),
                first_event_time=min(times, key=instant) if times else None,
                last_event_time=max(times, key=instant) if times else None)
    return meta, rows


def file_format(container, kind, n_values):
    """The cloudtrail_files.format implied by the first record of a file."""
    if container == "records":
        return "records"
    if container == "events":
        return "lookup-events"
    special = {"envelope": "eventbridge", "hit": "ecs", "hit-raw": "ecs", "ecs": "ecs",
               "digest": "digest"}
    if kind in special:
        return special[kind]
    if container == "array":
        return "json-array"
    return "json-object" if n_values == 1 else "json-lines"


def value_agrees(mode, ext, py):
    """Does an extension value agree with the Python expectation?"""
    if mode == "exact":
        return type(ext) is type(py) and ext == norm(py)
    if py is None or ext is None:
        return py is None and ext is None
    if mode == "json" and isinstance(py, str):
        return isinstance(ext, str) and ext == norm(py)
    if not isinstance(ext, str):
        return False
    try:
        return same(norm(loads(ext)), norm(py))
    except (ValueError, RecursionError):
        return False


def show(value, limit=90):
    """Short printable form of a value for difference reports."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Group:
    """Agreement counters and the first differences for one dataset/subdir."""

    def __init__(self, name):
        self.name, self.files, self.records, self.agree, self.differ = name, 0, 0, 0, 0
        self.bad_agree, self.meta_differ, self.diffs, self.notes = 0, 0, [], []

    def diff(self, where, col, ext, py):
        """Record one difference (only the first MAX_SHOWN are kept for printing)."""
        if len(self.diffs) < MAX_SHOWN:
            self.diffs.append("%s %s: ext=%s py=%s" % (where, col, show(ext), show(py)))

    def ok(self):
        """True if every row and every file's metadata agreed."""
        return self.differ == 0 and self.meta_differ == 0

    def line(self):
        """The one-line summary for this group."""
        return ("%s: %d files, %d records, %d agree, %d differ; files: %d agree "
                "(%d bad files agree), %d differ" % (
                    self.name, self.files, self.records, self.agree, self.differ,
                    self.files - self.meta_differ, self.bad_agree, self.meta_differ))


def table_columns(con):
    """The cloudtrail table's visible columns, in the extension's order."""
    return tuple(r[0] for r in con.execute(
        "SELECT name FROM pragma_table_xinfo('cloudtrail') WHERE hidden=0 ORDER BY cid"))


def unknown_columns(columns):
    """Columns the oracle has no semantics for, raw or ECS."""
    return [c for c in columns
            if c not in RAW_PATHS and c not in RAW_COMPUTED
            or c not in ECS_PATHS and c not in ECS_COMPUTED]


def query_ext(con, path):
    """Return (cloudtrail_files rows, cloudtrail rows), each row as a dict."""
    # Each file is named as PATH, but is checked as a walk would find it.
    cur = con.execute("SELECT %s FROM cloudtrail_files(?, 'not_cloudtrail=ignore')"
                      % ", ".join(FILE_COLUMNS), (path,))
    metas = [dict(zip(FILE_COLUMNS, r)) for r in cur.fetchall()]
    cur = con.execute("SELECT %s FROM cloudtrail(?, 'errors=skip, quiet=1, "
                      "not_cloudtrail=ignore') ORDER BY rowid" % ", ".join(COLUMNS), (path,))
    return metas, [dict(zip(COLUMNS, r)) for r in cur.fetchall()]


def compare_rows(group, label, rows, ext_rows):
    """Compare expected rows with the extension's rows, position by position."""
    for index in range(max(len(rows), len(ext_rows))):
        where = "%s#%d" % (label, index)
        if index >= len(rows) or index >= len(ext_rows):
            group.diff(where, "row", "present" if index < len(ext_rows) else "missing",
                       "present" if index < len(rows) else "missing")
            row_ok = False
        else:
            row_ok = True
            for col in COLUMNS:
                mode, py = rows[index][col]
                if not value_agrees(mode, ext_rows[index][col], py):
                    row_ok = False
                    group.diff(where, col, ext_rows[index][col], py)
        group.records += index < len(rows)
        group.agree += row_ok
        group.differ += not row_ok


def check_file(con, path, label, group):
    """Compare one file (metadata and rows); update the group's counters."""
    group.files += 1
    try:
        meta, rows = expected_file(path)
        bad = None
    except (BadFile, OSError) as exc:
        meta, rows, bad = None, [], str(exc)
    try:
        metas, ext_rows = query_ext(con, path)
    except sqlite3.Error as exc:
        metas, ext_rows = [], []
        group.diff(label, "query", str(exc), "no SQLite error")
    ext_meta = metas[0] if len(metas) == 1 else {}
    meta_ok = len(metas) == 1
    if len(metas) != 1:
        group.diff(label, "cloudtrail_files rows", len(metas), 1)
    if bad is not None:
        # Unparseable: an error is expected.  Records read before the damage
        # may be returned (errors=skip keeps them); cloudtrail_files must
        # account for exactly those.
        if ext_meta.get("error") is None:
            group.diff(label, "error", None, "non-NULL (%s)" % bad)
            meta_ok = False
        if ext_meta and len(ext_rows) != ext_meta.get("records"):
            group.diff(label, "rows vs cloudtrail_files.records",
                       len(ext_rows), ext_meta.get("records"))
            meta_ok = False
        group.bad_agree += meta_ok
    else:
        for col in FILE_COLUMNS:
            if meta[col] is ANY:
                continue
            if ext_meta and not value_agrees("exact", ext_meta[col], meta[col]):
                group.diff(label, col, ext_meta[col], meta[col])
                meta_ok = False
        compare_rows(group, label, rows, ext_rows)
    group.meta_differ += not meta_ok
    group.notes.append("  %s: %s, %d records%s" % (
        label, "bad file" if bad else meta["format"], len(rows), "" if meta_ok else ", DIFFERS"))


def run_group(con, name, root, paths, verbose):
    """Check a list of files as one group and print its summary; True if it agrees."""
    group = Group(name)
    for path in paths:
        check_file(con, path, os.path.relpath(path, root), group)
    print(group.line())
    if verbose:
        print("\n".join(group.notes))
    if verbose or not group.ok():
        for text in group.diffs:
            print("  " + text)
    return group.ok()


def walk_files(top, skip=()):
    """Regular files below top (recursive, sorted) whose name matches no skip pattern."""
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        found += [os.path.join(dirpath, n) for n in sorted(filenames)
                  if os.path.isfile(os.path.join(dirpath, n))
                  and not any(fnmatch.fnmatchcase(n, pat) for pat in skip)]
    return found


def list_groups(top, skip_dirs=(), skip_files=()):
    """(name, root, files) per immediate subdirectory of top that holds files."""
    groups = []
    for name in sorted(os.listdir(top)):
        sub = os.path.join(top, name)
        if os.path.isdir(sub) and name not in skip_dirs:
            files = walk_files(sub, skip_files)
            if files:
                groups.append((name, sub, files))
    return groups


# Elastic's ingest output (the -expected.json beside each raw .log input):
# cloudtrail column -> ECS field Elastic wrote for the same record.
ELASTIC_FIELDS = (("outcome", "event.outcome"), ("principal_id", "user.id"),
                  ("event_name", "event.action"), ("event_source", "event.provider"),
                  ("identity_type", "aws.cloudtrail.user_identity.type"))


def nested_get(doc, dotted):
    """Value of a dotted path in a nested dict (Elastic's expected output), or None."""
    for part in dotted.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def check_elastic(con, root, verbose):
    """Compare our columns and rule with Elastic's own ECS output for each record.

    For every raw input line that Elastic turned into a document, the five
    fields the rule reads must equal Elastic's, and ec2_console_login() must
    give the same answer on the raw record and on Elastic's document (with
    the event.dataset the data stream adds).  True if everything agrees.
    """
    diffs, records, rule_agree = [], 0, 0
    for log in sorted(f for f in os.listdir(root) if f.endswith(".log")):
        expected = os.path.join(root, log + "-expected.json")
        if not os.path.isfile(expected):
            continue
        with open(expected, encoding="utf-8") as fh:
            docs = [d for d in json.load(fh)["expected"]
                    if nested_get(d, "event.original")]
        rows = con.execute(
            "SELECT outcome, principal_id, event_name, event_source, identity_type,"
            " ec2_console_login(raw) FROM cloudtrail(?, 'errors=skip') ORDER BY rowid",
            (os.path.join(root, log),)).fetchall()
        if len(rows) != len(docs):
            diffs.append("%s: %d rows, Elastic made %d documents" % (log, len(rows), len(docs)))
        for index, (row, doc) in enumerate(zip(rows, docs)):
            records += 1
            for col, (name, field) in enumerate(ELASTIC_FIELDS):
                if row[col] != nested_get(doc, field):
                    diffs.append("%s#%d %s: ext=%r elastic %s=%r" % (
                        log, index, name, row[col], field, nested_get(doc, field)))
            doc = json.loads(json.dumps(doc))
            doc.setdefault("event", {})["dataset"] = "aws.cloudtrail"
            on_doc = con.execute("SELECT ec2_console_login(?)", (json.dumps(doc),)).fetchone()[0]
            if on_doc == row[5]:
                rule_agree += 1
            else:
                diffs.append("%s#%d ec2_console_login: raw=%r elastic doc=%r" % (
                    log, index, row[5], on_doc))
    print("elastic-expected: %d records, %d fields compared with Elastic's ECS output, "
          "%d differ; rule on raw vs Elastic's document: %d/%d agree" % (
              records, records * len(ELASTIC_FIELDS),
              sum(1 for d in diffs if "ec2_console_login" not in d), rule_agree, records))
    for text in diffs if (verbose or diffs) else ():
        print("  " + text)
    return not diffs and records > 0


def main(argv=None):
    """Parse arguments, check each group, print the totals; return exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ext", required=True, help="path to dist/cloudtrail.so")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--fixtures", action="store_true", help="check the repo's fixtures/")
    where.add_argument("--datasets", metavar="DIR", help="one dataset per subdirectory")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    if args.datasets is not None:
        if not os.path.isdir(args.datasets):
            print("conformance: %s not found, nothing to check" % args.datasets)
            return 0
        groups = list_groups(args.datasets)
    else:
        top = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "fixtures")
        groups = list_groups(top) if os.path.isdir(top) else []
        loose = [os.path.join(top, n) for n in sorted(os.listdir(top)) if n != "README.md"
                 and not n.endswith(".md")
                 and os.path.isfile(os.path.join(top, n))] if os.path.isdir(top) else []
        groups = ([("fixtures", top, loose)] if loose else []) + groups
        if not groups:
            print("conformance: no fixtures found under %s" % top)
            return 1

    con = sqlite3.connect(":memory:")
    con.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
    try:
        con.enable_load_extension(True)
        con.load_extension(args.ext)
    except (AttributeError, sqlite3.Error) as exc:
        print("conformance: cannot load %s: %s" % (args.ext, exc))
        return 2
    global COLUMNS
    COLUMNS = table_columns(con)
    if unknown_columns(COLUMNS):
        print("conformance: no oracle for the column(s) %s: add them to RAW_PATHS/"
              "ECS_PATHS (or the computed ones)" % ", ".join(unknown_columns(COLUMNS)))
        return 1
    results = [run_group(con, name, root, files, args.verbose) for name, root, files in groups]
    elastic = os.path.join(args.datasets or "", "elastic-cloudtrail-pipeline-tests")
    if args.datasets is not None and os.path.isdir(elastic):
        results.append(check_elastic(con, elastic, args.verbose))
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
