#!/bin/bash
# sql/duckdb/ec2_console_login.sql agrees with the extension on the demo
# logs: the same alerts (file, record index, event id and alert columns) and,
# for every record of the CloudTrail/ folders, the same column values,
# outcome included.  DuckDB comes from npm (@duckdb/node-api, pinned below)
# into dist/duckdb-node; when npm is missing or the install fails the test
# prints why and counts as skipped, not passed.
# Prints "duckdb: N passed, M failed[, skipped: REASON]".
# Usage: tests/test_duckdb.sh EXTENSION
set -u
ext=$1
cd "$(dirname "$0")/.." || exit 1
sqlite=${SQLITE3:-sqlite3}
node_dir=dist/duckdb-node
pkg=@duckdb/node-api@1.5.6-r.1
skip() { echo "duckdb: 0 passed, 0 failed, skipped: $1"; exit 0; }

if [ ! -f "$node_dir/node_modules/@duckdb/node-api/package.json" ]; then
  command -v npm >/dev/null && command -v node >/dev/null || skip "node/npm not installed"
  mkdir -p "$node_dir"
  ( cd "$node_dir" && [ -f package.json ] || echo '{"private":true}' > package.json
    npm install --no-audit --no-fund "$pkg" ) > "$node_dir/npm.log" 2>&1 ||
    skip "npm install $pkg failed (see $node_dir/npm.log)"
fi

. tests/check.sh
setvar=dist/scratch/duckdb-glob.sql
mkdir -p dist/scratch
echo "SET VARIABLE cloudtrail_glob = 'fixtures/demo/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz';" > "$setvar"
duck() { node tests/duckdb/run.cjs "$node_dir" "$setvar" sql/duckdb/ec2_console_login.sql -- "$1"; }
lite() { $sqlite -batch -init /dev/null :memory: -cmd ".load $ext" \
  -cmd "CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/demo')" \
  -cmd ".read sql/ec2_console_login.sql" "$1"; }

alert_cols="file, record_index, event_id, event_time, account_id, aws_region, instance_id,
  role_name, role_arn, principal_id, identity_arn, source_ip, user_agent, event_name,
  mfa_used, rule_id, rule_name, severity, risk_score"
want=$(lite "SELECT $alert_cols FROM ec2_console_login_alerts ORDER BY file, record_index")
check "the extension finds the demo's two alerts" 2 "$(printf '%s\n' "$want" | grep -c .)"
check "DuckDB finds the same alerts, column for column" "$want" \
  "$(duck "SELECT $alert_cols FROM ec2_console_login_alerts ORDER BY file, record_index")"

cols="file, record_index, event_time, event_source, event_name, aws_region, source_ip,
  user_agent, identity_type, principal_id, identity_arn, account_id, access_key_id,
  session_issuer_arn, session_issuer_name, error_code, error_message, outcome, event_id,
  request_id, event_type, read_only, recipient_account_id"
want=$(lite "SELECT $cols FROM cloudtrail_events WHERE file GLOB '*/CloudTrail/*' ORDER BY file, record_index")
check "the CloudTrail/ folders hold 175 records" 175 "$(printf '%s\n' "$want" | grep -c .)"
check "DuckDB's cloudtrail_events equals the extension's on every record" "$want" \
  "$(duck "SELECT $cols FROM cloudtrail_events ORDER BY file, record_index")"

# A damaged file stops DuckDB's query with the file's name (docs/scale-out.md
# relies on this: nothing is dropped silently).
bad=dist/scratch/duckdb-bad/AWSLogs/1/CloudTrail/r/2026/11/20
rm -rf dist/scratch/duckdb-bad && mkdir -p "$bad"
printf '{"Records":[{"eventName":"x"},' | gzip > "$bad/cut.json.gz"
echo "SET VARIABLE cloudtrail_glob = 'dist/scratch/duckdb-bad/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz';" > "$setvar"
out=$(duck "SELECT count(*) FROM cloudtrail_events" 2>&1)
check "a cut file fails the DuckDB query, naming the file" 1 \
  "$(printf '%s' "$out" | grep -c "Malformed JSON in file \"$bad/cut.json.gz\"")"

check_summary duckdb
