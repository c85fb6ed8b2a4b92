#!/bin/bash
# sql/schema.sql + sql/ingest.sql on a scratch copy of the demo logs:
# re-ingesting adds nothing; a new file is the only one read; a changed file
# is reported and not merged; a re-delivered record is stored once; an
# unreadable entry is accounted for; an interrupted ingest leaves the
# database as it was and a rerun completes it; the saved views work over the
# ingested table.  Prints "ingest: N passed, M failed".
# Usage: tests/test_ingest.sh EXTENSION
set -u
ext=$1
cd "$(dirname "$0")/.." || exit 1
sqlite=${SQLITE3:-sqlite3}
. tests/check.sh
dir=dist/scratch/ingest
rm -rf "$dir" && mkdir -p "$dir" && cp -R fixtures/demo "$dir/tree"
db=$dir/case.db
q() { $sqlite -batch -init /dev/null "$db" -cmd ".load $ext" "$@" 2>&1; }
ingest() {  # ingest PATH: prints the summary's values, |-separated
  q "CREATE TEMP TABLE ingest_paths AS SELECT '$1' AS path" ".read sql/ingest.sql" \
    | cut -d'|' -f2 | paste -sd'|'; }
counts() { q "SELECT (SELECT count(*) FROM cloudtrail_events), (SELECT count(*) FROM cloudtrail_ingested_files), (SELECT count(*) FROM cloudtrail_ingest_changes)"; }
# summary items, in order: found|already_ingested|ingested|read_again|unverified|
# changed|with_errors|not_cloudtrail|unreadable|own_database_files|records_read|
# records_stored|duplicates|conflicts

q ".read sql/schema.sql" >/dev/null
# cloudtrail_sha256 agrees with coreutils on every fixture (0 bytes to
# tens of kilobytes; tests/sql/ingest_functions.sql has the FIPS vectors).
want=$(find fixtures -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sed 's/^\([0-9a-f]*\)  \(.*\)$/\2|\1/')
got=$($sqlite -batch -init /dev/null :memory: -cmd ".load $ext" \
  "$(find fixtures -type f | LC_ALL=C sort | awk '{printf "%sSELECT %c%s%c, cloudtrail_sha256(%c%s%c)", (NR>1?" UNION ALL ":""), 39, $0, 39, 39, $0, 39}')")
check "cloudtrail_sha256 equals sha256sum on all $(printf '%s\n' "$want" | wc -l) fixture files" "$want" "$got"
check "regression: the summary names its items in the shell's default mode" \
  "files_found|24
files_already_ingested|0
files_ingested|24
files_read_again|0
files_unverified|0
files_changed|0
files_with_errors|0
files_not_cloudtrail|0
entries_unreadable|0
own_database_files|0
records_read|177
records_stored|177
duplicates|0
conflicts|0" "$(q "CREATE TEMP TABLE ingest_paths AS SELECT '$dir/tree' AS path" ".read sql/ingest.sql")"
q "DELETE FROM cloudtrail_events; DELETE FROM cloudtrail_ingested_files; DELETE FROM cloudtrail_ingest_summary; DELETE FROM cloudtrail_ingest_runs"
check "first ingest reads every file" "24|0|24|0|0|0|0|0|0|0|177|177|0|0" "$(ingest "$dir/tree")"
check "the table holds every record" "177|24|0" "$(counts)"
check "every stored row equals the virtual table's (read by canonical path)" "0" "$(q "
  SELECT count(*) FROM (SELECT * FROM cloudtrail('$(realpath "$dir/tree")') EXCEPT
    SELECT event_time, event_source, event_name, aws_region, source_ip, user_agent,
       identity_type, principal_id, identity_arn, account_id, access_key_id,
       session_issuer_arn, session_issuer_name, error_code, error_message, outcome,
       event_id, request_id, event_type, read_only, recipient_account_id, raw,
       file, record_index FROM cloudtrail_events)")"
check "re-ingesting the same tree adds nothing" "24|24|0|0|0|0|0|0|0|0|0|0|0|0" "$(ingest "$dir/tree")"
check "row counts are identical after the second ingest" "177|24|0" "$(counts)"
check "re-reading schema.sql changes nothing" "177|24|0" "$(q ".read sql/schema.sql" >/dev/null; counts)"

# Old files are not read again: only the new file is hashed and read.
new=$dir/tree/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/new-delivery.json
cp fixtures/formats/array.json "$new"
n_new=$($sqlite -batch -init /dev/null :memory: -cmd ".load $ext" "SELECT count(*) FROM cloudtrail('$new')")
out=$(q "CREATE TEMP TABLE ingest_paths AS SELECT '$dir/tree' AS path" ".read sql/ingest.sql" \
        "SELECT 'hashed', (SELECT count(*) FROM temp.ct_new) + (SELECT count(*) FROM temp.ct_recheck)")
check "a new file is the only file read" "25|24|1|0|0|0|0|0|0|0|$n_new|$n_new|0|0" \
  "$(printf '%s\n' "$out" | grep -v '^hashed|' | cut -d'|' -f2 | paste -sd'|')"
check "... and the only file hashed" "hashed|1" "$(printf '%s\n' "$out" | grep '^hashed|')"

# regression: a file rewritten in place with its size and mtime kept
# (touch -r) was never looked at again; its status change time moved.
old=$(find "$dir/tree" -path '*/CloudTrail/*' -name '*.json.gz' | sort | head -1)
cp -p "$old" "$dir/keep.gz"
head -c "$(stat -c %s "$old")" /dev/zero > "$old" && touch -r "$dir/keep.gz" "$old"
check "a file rewritten with its size and mtime kept is found changed" \
  "25|25|0|0|0|1|0|0|0|0|0|0|0|0" "$(ingest "$dir/tree")"
cp -p "$dir/keep.gz" "$old"
check "... and back to its ingested bytes, it is no longer reported" \
  "25|25|0|0|0|0|0|0|0|0|0|0|0|0" "$(ingest "$dir/tree")"

# A file whose bytes changed is reported, not merged.
printf '\n' >> "$new"
check "a changed file is reported" "25|25|0|0|0|1|0|0|0|0|0|0|0|0" "$(ingest "$dir/tree")"
check "its new content is not merged" "$((177+n_new))|25|2" "$(counts)"
check "the change names the file (canonical), both hashes and that it was not merged" \
  "$(realpath "$new")|1|1|not merged" "$(q "
  SELECT file, ingested_sha256 = (SELECT sha256 FROM cloudtrail_ingested_files WHERE file = c.file),
         current_sha256 = cloudtrail_sha256(file), action FROM cloudtrail_ingest_changes AS c
   WHERE file = '$(realpath "$new")'")"

# CloudTrail delivering records twice: a copy under another name.
cp "$old" "$dir/tree/redelivered.json.gz"
n_old=$($sqlite -batch -init /dev/null :memory: -cmd ".load $ext" "SELECT count(*) FROM cloudtrail('$old')")
check "the copied file holds records" 1 "$([ "$n_old" -gt 0 ] && echo 1)"
check "a re-delivered file's records are counted as duplicates" "26|25|1|0|0|1|0|0|0|0|$n_old|0|$n_old|0" \
  "$(ingest "$dir/tree")"
check "and stored once" "$((177+n_new))" "$(q "SELECT count(*) FROM cloudtrail_events")"

# An entry that cannot be read is accounted for, once, and retried.
ln -s "$dir/tree/nowhere.json" "$dir/tree/dangling.json"
out=$(ingest "$dir/tree")
check "an unreadable entry is counted" "1" "$(printf '%s' "$out" | cut -d'|' -f9)"
ingest "$dir/tree" >/dev/null
check "and recorded once with its error" "1|cannot stat: No such file or directory" \
  "$(q "SELECT count(*), error FROM cloudtrail_ingested_files WHERE file LIKE '%dangling.json'")"

check "the saved views work over the ingested table" "$($sqlite -batch -init /dev/null :memory: \
  -cmd ".load $ext" -cmd "CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/demo')" \
  -cmd ".read sql/ec2_console_login.sql" "SELECT event_id FROM ec2_console_login_alerts ORDER BY 1")" \
  "$(q ".read sql/ec2_console_login.sql" "SELECT event_id FROM ec2_console_login_alerts ORDER BY 1")"

# --- issue 11: the case database in the evidence folder, cut downloads,
# paths typed two ways, conflicting copies, an old layout.
absext=$(realpath "$ext")
top=$(realpath dist/scratch)/ingest-real
rm -rf "$top" && mkdir -p "$top"
qin() {  # qin DIR DB SQL...: run in DIR, like an analyst who cd'ed there
  local d=$1 b=$2; shift 2
  (cd "$d" && $sqlite -batch -init /dev/null "$b" -cmd ".load $absext" "$@" 2>&1); }
ingest_in() {  # ingest_in DIR DB PATH: the summary's values
  qin "$1" "$2" "CREATE TEMP TABLE ingest_paths AS SELECT '$3' AS path" \
      ".read $(realpath sql/ingest.sql)" | cut -d'|' -f2 | paste -sd'|'; }
schema="$(realpath sql/schema.sql)"
log=AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20
big=111122223333_CloudTrail_us-east-1_20261120T0817Z_FW9AIGPyCbYNKp64.json.gz
ev=$top/evidence
mkdir -p "$ev" && cp -R fixtures/messy/. "$ev/" && rm "$ev/lookup-powershell.json"
qin "$ev" case.db "PRAGMA journal_mode=wal" ".read $schema" >/dev/null
check "regression: the case database inside the evidence folder was read as evidence" \
  "9|0|9|0|0|0|1|7|0|3|11|11|0|0" "$(ingest_in "$ev" case.db .)"
check "... and every later ingest reported it changed (files_changed=1)" \
  "9|9|0|0|0|0|1|7|0|3|0|0|0|0" "$(ingest_in "$ev" case.db .)"
check "the files that are not CloudTrail are recorded, with what they are" \
  "LICENSE.source|not_cloudtrail|0|not JSON: expected '{' or '[' at byte 0
keys.json|not_cloudtrail|0|JSON, but not a CloudTrail record, an Elastic document or an export of them (the object at byte 0: its keys: PublicKeyList)" \
  "$(qin "$ev" case.db "SELECT walked_as, format, records, note FROM cloudtrail_ingested_files
                        WHERE walked_as IN ('./LICENSE.source', './keys.json') ORDER BY 1" | sed 's|^\./||')"
n_full=$($sqlite -batch -init /dev/null :memory: -cmd ".load $ext" \
  "SELECT count(*) FROM cloudtrail('fixtures/demo/$log/$big')")
check "regression: a cut download, then the repaired file: its records were never all stored" \
  "4|truncated gzip stream at compressed byte 1791" \
  "$(qin "$ev" case.db "SELECT stored, error FROM cloudtrail_ingested_files WHERE walked_as LIKE '%$big'")"
cp "fixtures/demo/$log/$big" "$ev/$log/$big"
check "the repaired file is read again, whole" "9|9|0|1|0|0|0|7|0|3|$n_full|$((n_full-4))|0|0" \
  "$(ingest_in "$ev" case.db .)"
check "... all its records stored, the error gone, the change recorded as read again" \
  "$n_full|$n_full||read again|truncated gzip stream at compressed byte 1791" \
  "$(qin "$ev" case.db "SELECT f.records, f.stored, f.error, c.action, c.previous_error
                        FROM cloudtrail_ingested_files AS f JOIN cloudtrail_ingest_changes AS c USING (file)
                        WHERE f.walked_as LIKE '%$big'")"
check "... and the next ingest finds nothing to do" "9|9|0|0|0|0|0|7|0|3|0|0|0|0" \
  "$(ingest_in "$ev" case.db .)"
# A damaged file replaced by other bytes than its own is a change, not merged.
rm -rf "$top/cut" && mkdir -p "$top/cut/$log"
head -c 1800 "fixtures/demo/$log/$big" > "$top/cut/$log/$big"
qin "$top" cut.db ".read $schema" >/dev/null
ingest_in "$top" cut.db cut >/dev/null
other=111122223333_CloudTrail_us-east-1_20261120T0832Z_tx5BJe8WGx9ryiwe.json.gz
cp "fixtures/demo/$log/$other" "$top/cut/$log/$big"
check "a damaged file replaced by another file's bytes is not merged" "1|1|0|0|0|1|1|0|0|0|0|0|0|0" \
  "$(ingest_in "$top" cut.db cut)"
check "... reported as not merged, with the earlier error" "not merged|1" \
  "$(qin "$top" cut.db "SELECT action, previous_error IS NOT NULL FROM cloudtrail_ingest_changes")"

# The same file by any spelling of its path is one file.
rm -rf "$top/e" && mkdir -p "$top/e/$log" && cp fixtures/formats/records-pretty.json "$top/e/$log/edited.json"
qin "$top" spell.db ".read $schema" >/dev/null
ingest_in "$top" spell.db "$top/e" >/dev/null
sed -i 's/198\.51\.100\.10/198.51.100.66/' "$top/e/$log/edited.json"
check "regression: a file ingested by its absolute path, edited, then ingested by a relative one was 'new', its records 'duplicates'" \
  "1|1|0|0|0|1|0|0|0|0|0|0|0|0" "$(ingest_in "$top" spell.db e)"
check "... the edit is in cloudtrail_ingest_changes, under the canonical path" \
  "$top/e/$log/edited.json|not merged" \
  "$(qin "$top" spell.db "SELECT file, action FROM cloudtrail_ingest_changes")"
ln -s "$top/e" "$top/link-to-e"
check "... and through a symbolic link it is the same file still" "1|1|0|0|0|1|0|0|0|0|0|0|0|0" \
  "$(ingest_in "$top" spell.db link-to-e)"
# Two case folders whose relative paths coincide are different files.
mkdir -p "$top/caseA/logs" "$top/caseB/logs"
cp fixtures/formats/array.json "$top/caseA/logs/x.json"
cp fixtures/formats/lines-crlf.jsonl "$top/caseB/logs/x.json"
qin "$top" two.db ".read $schema" >/dev/null
ingest_in "$top/caseA" ../two.db logs >/dev/null
check "regression: a second case folder's file with the same relative path was 'changed' and never read" \
  "1|0|1|0|0|0|0|0|0|0|3|3|0|0" "$(ingest_in "$top/caseB" ../two.db logs)"

# The same eventID with other bytes is a conflict, kept whole; the same
# bytes under another name is a duplicate.
rm -rf "$top/dup" && mkdir -p "$top/dup"
cp fixtures/formats/array.json "$top/dup/a.json"
cp fixtures/formats/array.json "$top/dup/b.json"
sed 's/198\.51\.100\.50/198.51.100.66/' fixtures/formats/array.json > "$top/dup/c.json"
qin "$top" dup.db ".read $schema" >/dev/null
check "a copy is counted as duplicates, an edited copy as conflicts" \
  "3|0|3|0|0|0|0|0|0|0|6|2|3|1" \
  "$(ingest_in "$top" dup.db dup)"
check "... and the edited records are kept with where the stored one is" \
  "1|1" \
  "$(qin "$top" dup.db "SELECT count(*), count(DISTINCT stored_file) FROM cloudtrail_event_conflicts
                       WHERE file LIKE '%/c.json' AND raw LIKE '%198.51.100.66%'")"

# A database with the tables of the earlier layout is refused, with a message.
qin "$top" old.db "CREATE TABLE cloudtrail_ingested_files(file TEXT PRIMARY KEY, size, mtime, sha256, format, records, stored, duplicates, error, ingested_at)" >/dev/null
out=$(qin "$top" old.db "CREATE TEMP TABLE ingest_paths AS SELECT 'e' AS path" ".read $(realpath sql/ingest.sql)")
check "an old layout is refused with a message, and nothing is written" \
  "1|0" "$(printf '%s\n' "$out" | grep -c 'this database lacks the tables of sql/schema.sql')|$(qin "$top" old.db "SELECT count(*) FROM cloudtrail_ingested_files")"

# Progress: on stderr only when asked for (here: a line at most every
# microsecond, so the small demo prints some).
rm -f "$dir/progress.db"
q2() { $sqlite -batch -init /dev/null "$dir/progress.db" -cmd ".load $ext" "$@"; }
q2 ".read sql/schema.sql" >/dev/null
err=$(q2 "CREATE TEMP TABLE ingest_paths AS SELECT 'fixtures/demo' AS path" ".read sql/ingest.sql" 2>&1 >/dev/null)
check "no progress unless asked for" "" "$err"
rm -f "$dir/progress.db"; q2 ".read sql/schema.sql" >/dev/null
err=$(q2 "CREATE TEMP TABLE ingest_paths AS SELECT 'fixtures/demo' AS path" \
         "CREATE TEMP TABLE ingest_options AS SELECT 0.000001 AS progress" ".read sql/ingest.sql" 2>&1 >/dev/null)
check "progress lines go to stderr when asked for" 1 \
  "$(printf '%s\n' "$err" | grep -Eq '^cloudtrail: ingest: file [0-9]+/24, [0-9]+ records, [0-9.]+ MB/s, ETA ([0-9]+:[0-9]{2}:[0-9]{2}|unknown)$' && echo 1)"
check "every stderr line is a progress line" 0 \
  "$(printf '%s\n' "$err" | grep -cv '^cloudtrail: ingest: ')"
check "files and records only go up, records stay within the 177" 1 \
  "$(printf '%s\n' "$err" | awk '{ split($4, f, "/"); r = $5 + 0
      if (f[1] < lf || r <= lr || r > 177) bad = 1; lf = f[1]; lr = r }
      END { print (NR > 0 && !bad) ? 1 : 0 }')"

# Interrupted ingest: stop it part-way with a progress handler; the database
# is as before; a rerun gives the same result as an uninterrupted ingest.
rm -f "$dir/int.db"
out=$(/usr/bin/python3 - "$ext" "$dir/int.db" fixtures/demo <<'PY'
import sqlite3, sys
ext, db, tree = sys.argv[1:4]
def open_db():
    con = sqlite3.connect(db, isolation_level=None)
    con.enable_load_extension(True); con.load_extension(ext)
    return con
def ingest(con):
    con.execute("CREATE TEMP TABLE ingest_paths AS SELECT ? AS path", (tree,))
    con.executescript(open("sql/ingest.sql").read())
# Count the progress callbacks of a whole ingest into a throwaway database,
# then stop the real one half-way through.
calls = [0]
def count():
    calls[0] += 1
    return 0
con = sqlite3.connect(":memory:", isolation_level=None)
con.enable_load_extension(True); con.load_extension(ext)
con.executescript(open("sql/schema.sql").read())
con.set_progress_handler(count, 100)
ingest(con)
con.close()
half, calls[0] = calls[0] // 2, 0
def stop():
    calls[0] += 1
    return calls[0] > half
con = open_db()
con.executescript(open("sql/schema.sql").read())
con.set_progress_handler(stop, 100)
try:
    ingest(con); print("not interrupted")
except sqlite3.OperationalError as e:
    print("interrupted:", e)
con.close()
con = open_db()
print(con.execute("SELECT (SELECT count(*) FROM cloudtrail_events), (SELECT count(*) FROM cloudtrail_ingested_files)").fetchone())
ingest(con)
print(con.execute("SELECT (SELECT count(*) FROM cloudtrail_events), (SELECT count(*) FROM cloudtrail_ingested_files)").fetchone())
PY
)
check "an ingest can be interrupted" "interrupted: interrupted" "$(printf '%s\n' "$out" | sed -n 1p)"
check "the interrupted ingest left nothing behind" "(0, 0)" "$(printf '%s\n' "$out" | sed -n 2p)"
check "the rerun completes it" "(177, 24)" "$(printf '%s\n' "$out" | sed -n 3p)"

check_summary ingest
