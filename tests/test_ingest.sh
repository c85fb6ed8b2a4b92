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
ingest() {  # ingest PATH: prints the summary row
  q "CREATE TEMP TABLE ingest_paths AS SELECT '$1' AS path" ".read sql/ingest.sql"; }
counts() { q "SELECT (SELECT count(*) FROM cloudtrail_events), (SELECT count(*) FROM cloudtrail_ingested_files), (SELECT count(*) FROM cloudtrail_ingest_changes)"; }
# summary columns: found|already|ingested|unverified|changed|unreadable|read|stored|duplicates

q ".read sql/schema.sql" >/dev/null
# cloudtrail_sha256 agrees with coreutils on every fixture (0 bytes to
# tens of kilobytes; tests/sql/ingest_functions.sql has the FIPS vectors).
want=$(find fixtures -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sed 's/^\([0-9a-f]*\)  \(.*\)$/\2|\1/')
got=$($sqlite -batch -init /dev/null :memory: -cmd ".load $ext" \
  "$(find fixtures -type f | LC_ALL=C sort | awk '{printf "%sSELECT %c%s%c, cloudtrail_sha256(%c%s%c)", (NR>1?" UNION ALL ":""), 39, $0, 39, 39, $0, 39}')")
check "cloudtrail_sha256 equals sha256sum on all $(printf '%s\n' "$want" | wc -l) fixture files" "$want" "$got"
check "first ingest reads every file" "24|0|24|0|0|0|177|177|0" "$(ingest "$dir/tree")"
check "the table holds every record" "177|24|0" "$(counts)"
check "every stored row equals the virtual table's" "0" "$(q "
  SELECT count(*) FROM (SELECT * FROM cloudtrail('$dir/tree') EXCEPT
    SELECT event_time, event_source, event_name, aws_region, source_ip, user_agent,
       identity_type, principal_id, identity_arn, account_id, access_key_id,
       session_issuer_arn, session_issuer_name, error_code, error_message, outcome,
       event_id, request_id, event_type, read_only, recipient_account_id, raw,
       file, record_index FROM cloudtrail_events)")"
check "re-ingesting the same tree adds nothing" "24|24|0|0|0|0|0|0|0" "$(ingest "$dir/tree")"
check "row counts are identical after the second ingest" "177|24|0" "$(counts)"
check "re-reading schema.sql changes nothing" "177|24|0" "$(q ".read sql/schema.sql" >/dev/null; counts)"

# Old files are not read again: overwrite one in place with garbage of the
# same size and mtime; only a read would notice.
old=$(find "$dir/tree" -path '*/CloudTrail/*' -name '*.json.gz' | sort | head -1)
cp -p "$old" "$dir/keep.gz"
head -c "$(stat -c %s "$old")" /dev/zero > "$old" && touch -r "$dir/keep.gz" "$old"
new=$dir/tree/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/new-delivery.json
cp fixtures/formats/array.json "$new"
n_new=$($sqlite -batch -init /dev/null :memory: -cmd ".load $ext" "SELECT count(*) FROM cloudtrail('$new')")
check "a new file is the only file read" "25|24|1|0|0|0|$n_new|$n_new|0" "$(ingest "$dir/tree")"
cp -p "$dir/keep.gz" "$old"

# A file whose bytes changed is reported, not merged.
printf '\n' >> "$new"
check "a changed file is reported" "25|25|0|0|1|0|0|0|0" "$(ingest "$dir/tree")"
check "its new content is not merged" "$((177+n_new))|25|1" "$(counts)"
check "the change names the file and both hashes" "$new|1|1" "$(q "
  SELECT file, ingested_sha256 = (SELECT sha256 FROM cloudtrail_ingested_files WHERE file = c.file),
         current_sha256 = cloudtrail_sha256(file) FROM cloudtrail_ingest_changes AS c")"

# CloudTrail delivering records twice: a copy under another name.
cp "$old" "$dir/tree/redelivered.json.gz"
n_old=$($sqlite -batch -init /dev/null :memory: -cmd ".load $ext" "SELECT count(*) FROM cloudtrail('$old')")
check "the copied file holds records" 1 "$([ "$n_old" -gt 0 ] && echo 1)"
check "a re-delivered file's records are counted as duplicates" "26|25|1|0|1|0|$n_old|0|$n_old" \
  "$(ingest "$dir/tree")"
check "and stored once" "$((177+n_new))" "$(q "SELECT count(*) FROM cloudtrail_events")"

# An entry that cannot be read is accounted for, once, and retried.
ln -s "$dir/tree/nowhere.json" "$dir/tree/dangling.json"
out=$(ingest "$dir/tree")
check "an unreadable entry is counted" "1" "$(printf '%s' "$out" | cut -d'|' -f6)"
ingest "$dir/tree" >/dev/null
check "and recorded once with its error" "1|cannot stat: No such file or directory" \
  "$(q "SELECT count(*), error FROM cloudtrail_ingested_files WHERE file LIKE '%dangling.json'")"

check "the saved views work over the ingested table" "$($sqlite -batch -init /dev/null :memory: \
  -cmd ".load $ext" -cmd "CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/demo')" \
  -cmd ".read sql/ec2_console_login.sql" "SELECT event_id FROM ec2_console_login_alerts ORDER BY 1")" \
  "$(q ".read sql/ec2_console_login.sql" "SELECT event_id FROM ec2_console_login_alerts ORDER BY 1")"

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
