#!/bin/bash
# tools/elastic-rules-ndjson: converts the repo's TOML fixtures into the
# package form elastic_rules() reads; a file it cannot read is named on
# stderr, the others are still written, and it exits 1.
# Usage: tests/test_rules_tool.sh EXTENSION
set -u
ext=$1
cd "$(dirname "$0")/.." || exit 1
sqlite=${SQLITE3:-sqlite3}
tool="/usr/bin/python3 tools/elastic-rules-ndjson"
out=dist/rules-tool
rm -rf "$out"; mkdir -p "$out"
pass=0 fail=0
check(){  # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass=$((pass+1)); else
    fail=$((fail+1)); printf 'FAIL: %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"; fi
}
q(){ $sqlite -batch -init /dev/null :memory: -cmd ".load $ext" "$1"; }

$tool fixtures/rules > "$out/rules.ndjson" 2> "$out/err"
check "fixtures convert" "0" "$?"
check "no messages" "" "$(cat "$out/err")"
check "one line per TOML file" "2" "$(wc -l < "$out/rules.ndjson" | tr -d ' ')"
check "loaded" "$(printf '%s\n' \
  '1|0c5a1b20-0000-4a6e-9a01-000000000031||threshold|kuery|900000|1200000||{"field":["cloud.account.id"],"value":10,"cardinality":[{"field":"source.ip","value":3}]}' \
  '2|0c5a1b20-0000-4a6e-9a01-000000000030|2|new_terms|kuery|300000|540000|604800000|["user.name","aws.cloudtrail.resources.arn"]')" \
  "$(q "SELECT line, rule_id, version, type, language, interval_ms, lookback_ms, history_ms,
               coalesce(threshold, new_terms_fields) FROM elastic_rules('$out/rules.ndjson')")"
check "package form" "0c5a1b20-0000-4a6e-9a01-000000000030_2|security-rule|now-7d" \
  "$(sed -n 2p "$out/rules.ndjson" | /usr/bin/python3 -c 'import json,sys; o=json.load(sys.stdin); a=o["attributes"]; print(o["id"]+"|"+o["type"]+"|"+a["history_window_start"]) if "new_terms" not in a else print("new_terms kept")')"
check "a glob" "2" "$($tool 'fixtures/rules/*.toml' | wc -l | tr -d ' ')"

# A broken file among good ones: named on stderr, the others written, exit 1.
mkdir -p "$out/mixed"
cp fixtures/rules/s3_public_acl.toml "$out/mixed/a.toml"
printf '[rule\nname = "cut"\n' > "$out/mixed/b.toml"
printf '[metadata]\nmaturity = "x"\n' > "$out/mixed/c.toml"
cp fixtures/rules/bursty_failures.toml "$out/mixed/d.toml"
$tool "$out/mixed" "$out/no-such-file.toml" > "$out/mixed.ndjson" 2> "$out/mixed.err"
check "exit status" "1" "$?"
check "the good ones written" "2" "$(wc -l < "$out/mixed.ndjson" | tr -d ' ')"
check "stderr names each" "4" "$(grep -c -e 'b.toml: ' -e 'c.toml: no \[rule\] table' -e 'no-such-file.toml: no such file' -e '3 file(s) not converted' "$out/mixed.err")"
echo "rules tool: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
