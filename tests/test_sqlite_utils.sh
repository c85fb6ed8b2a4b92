#!/bin/bash
# The sqlite-utils examples of docs/python.md, run for real: query the alert
# view of a case database with --load-extension, query logs in memory, and
# ingest into a table whose views then give the same alerts.  The sqlite3
# shell's answer is the reference.  Prints "sqlite-utils: N passed, M failed".
# Usage: tests/test_sqlite_utils.sh EXTENSION   (e.g. ./dist/cloudtrail.so)
set -u
ext=$1
cd "$(dirname "$0")/.." || exit 1
sqlite=${SQLITE3:-sqlite3}
su=${SQLITE_UTILS:-sqlite-utils}
. tests/check.sh
command -v "$su" >/dev/null || { echo "FAIL: $su not found (apt-get install sqlite-utils)"; exit 1; }

alerts="SELECT event_time, event_name, instance_id FROM ec2_console_login_alerts ORDER BY event_time, event_name"
dir=dist/scratch/sqlite-utils
rm -rf "$dir" && mkdir -p "$dir"

# Reference: the shell over a case database holding the virtual table and views.
$sqlite -batch -init /dev/null "$dir/case.db" -cmd ".load $ext" \
  "CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/demo')" \
  ".read sql/ec2_console_login.sql" || exit 1
ref=$($sqlite -batch -init /dev/null -csv -header "$dir/case.db" -cmd ".load $ext" "$alerts")
check "the shell finds two alerts" 3 "$(printf '%s\n' "$ref" | wc -l)"

check "sqlite-utils query reads the alert view" "$ref" \
  "$($su query "$dir/case.db" --load-extension "$ext" --csv "$alerts" | tr -d '\r')"

check "sqlite-utils memory queries logs directly" "n
177" "$($su memory --load-extension "$ext" --csv \
  "SELECT count(*) AS n FROM cloudtrail('fixtures/demo')" | tr -d '\r')"

# Ingest with sqlite-utils, then the saved views work over the copy.
$su query "$dir/ingested.db" --load-extension "$ext" \
  "CREATE TABLE cloudtrail_events AS SELECT * FROM cloudtrail('fixtures/demo')" >/dev/null
check "sqlite-utils ingest copies every record" "table,count
cloudtrail_events,177" "$($su tables "$dir/ingested.db" --counts --csv | tr -d '\r')"
$sqlite -batch -init /dev/null "$dir/ingested.db" -cmd ".load $ext" ".read sql/ec2_console_login.sql" || exit 1
check "the views over the ingested copy give the same alerts" "$ref" \
  "$($su query "$dir/ingested.db" --load-extension "$ext" --csv "$alerts" | tr -d '\r')"

# A bad path is an error with the extension's message, and a non-zero exit.
out=$($su memory --load-extension "$ext" "SELECT * FROM cloudtrail('no/such/dir')" 2>&1); rc=$?
check "a missing path fails" 1 "$([ $rc -ne 0 ] && echo 1 || echo 0)"
check "the failure carries the extension's message" 1 \
  "$(printf '%s' "$out" | grep -c "cloudtrail: no/such/dir")"

check_summary sqlite-utils
