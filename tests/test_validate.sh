#!/bin/bash
# cloudtrail_validate() on trails written by tests/gen_trail.py with a key
# pair made here by the openssl CLI, then damaged one way at a time: the
# clean trail validates completely; one changed byte → that file only is
# modified; a deleted log file → missing; extra files → not_in_digest /
# no_digest; a deleted digest → a chain gap; a digest edited after signing →
# invalid signature and a broken chain after it; a key with another
# fingerprint → unverified; plain (gunzipped) digests validate as gzipped
# ones do.  Also sql/integrity.sql's views, the awk program docs/integrity.md
# gives for collecting signatures, and the build without libcrypto.
# Prints "validate: N passed, M failed".
# Usage: tests/test_validate.sh EXTENSION [NOCRYPTO-EXTENSION]
set -u
ext=$1
nocrypto=${2:-}
cd "$(dirname "$0")/.." || exit 1
sqlite=${SQLITE3:-sqlite3}
python=${PYTHON:-/usr/bin/python3}
. tests/check.sh
if ! command -v openssl >/dev/null; then
  echo "validate: FAIL: the openssl CLI is needed (apt-get install openssl)"; exit 1
fi
dir=dist/scratch/validate
rm -rf "$dir" && mkdir -p "$dir"
$python tests/gen_trail.py "$dir/clean" --keydir "$dir/keys" || exit 1
$python tests/gen_trail.py "$dir/plain" --keydir "$dir/keys" --plain-digests || exit 1
keys=$dir/clean/keys.json sigs=$dir/clean/signatures.txt
q() { $sqlite -batch -init /dev/null :memory: -cmd ".load $ext" "$@" 2>&1; }
# v TREE [OPTIONS]: one line per row, kind|status|signature|chain|name
v() {
  q "SELECT kind, status, coalesce(signature_status,''), coalesce(chain,''),
            replace(coalesce(file, s3_object), rtrim(coalesce(file, s3_object),
              replace(coalesce(file, s3_object), '/', '')), '')
     FROM cloudtrail_validate('$1', '${2:-public_keys=$keys signatures=$sigs}')"; }
# counts TREE [OPTIONS]: kind:status=count, sorted
counts() {
  q "SELECT group_concat(k, ' ') FROM (SELECT kind||':'||status||'='||count(*) k
     FROM cloudtrail_validate('$1', '${2:-public_keys=$keys signatures=$sigs}')
     GROUP BY kind, status ORDER BY kind, status)"; }
copy() { rm -rf "$dir/$1"; cp -R "$dir/clean/AWSLogs" "$dir/$1"; echo "$dir/$1"; }
log() { find "$1" -path '*/CloudTrail/*' -name "*_h$2k$3.json.gz"; }
digest() { find "$1" -path '*/CloudTrail-Digest/*' -name '*.json*' | LC_ALL=C sort | sed -n "$(($2+1))p"; }

# --- the clean trail ---------------------------------------------------------
clean=$dir/clean/AWSLogs
check "clean trail: every digest and log file valid" \
  "digest:valid=4 log:valid=8" "$(counts "$clean")"
check "clean trail: the first digest starts the chain, the others link" \
  "start ok ok ok" "$(v "$clean" | awk -F'|' '$1=="digest"{printf "%s%s", s, $4; s=" "}')"
check "actual_sha256 of every log file is sha256sum of its gunzipped bytes" \
  "$(for f in $(find "$clean" -path '*/CloudTrail/*' -type f | LC_ALL=C sort); do
       printf '%s|%s\n' "$f" "$(gzip -dc "$f" | sha256sum | cut -c1-64)"; done)" \
  "$(q "SELECT file, actual_sha256 FROM cloudtrail_validate('$clean', 'public_keys=$keys')
        WHERE kind='log' ORDER BY file")"
check "expected_sha256 of every log row is the generator's hash" \
  "$($python -c "import json,sys; m=json.load(open('$dir/clean/manifest.json'));
print('\n'.join(sorted(l['key'].split('/')[-1]+'|'+l['sha256'] for l in m['logs'])))")" \
  "$(q "SELECT replace(s3_object, rtrim(s3_object, replace(s3_object, '/', '')), ''), expected_sha256
        FROM cloudtrail_validate('$clean') WHERE kind='log' ORDER BY 1")"
check "without the signatures file the newest digest is unverified, only it" \
  "digest:unverified=1 digest:valid=3 log:valid=8" "$(counts "$clean" "public_keys=$keys")"
check "... and says where its signature lives" \
  "signature: no signature: no later digest names this one, and the signatures file does not give its x-amz-meta-signature" \
  "$(q "SELECT detail FROM cloudtrail_validate('$clean', 'public_keys=$keys') WHERE status='unverified'")"
check "without public keys every digest is unverified, log hashes still checked" \
  "digest:unverified=4 log:valid=8" "$(counts "$clean" "signatures=$sigs")"
check "log rows carry the signature status of the digest that names them" \
  "unverified" "$(q "SELECT group_concat(DISTINCT signature_status) FROM cloudtrail_validate('$clean') WHERE kind='log'")"
check "plain (gunzipped) digests validate like gzipped ones" \
  "digest:valid=4 log:valid=8" \
  "$(counts "$dir/plain/AWSLogs" "public_keys=$dir/plain/keys.json signatures=$dir/plain/signatures.txt")"
t=$(copy gunzipped)
find "$t" -name '*.gz' -exec gzip -d {} +
check "a tree gunzipped whole still validates (names match without .gz)" \
  "digest:valid=4 log:valid=8" "$(counts "$t")"
t=$(copy recompressed)
f=$(log "$t" 1 0); gzip -dc "$f" | gzip -9 > "$f.new"; mv "$f.new" "$f"
check "recompressing a log file changes nothing (the hash is of its content)" \
  "digest:valid=4 log:valid=8" "$(counts "$t")"

# --- damage, one kind at a time -----------------------------------------------
t=$(copy onebyte)
f=$(log "$t" 2 1)
check "(the edit below changes exactly one byte)" "1" \
  "$(cmp -l <(gzip -dc "$f") <(gzip -dc "$f" | sed '0,/DescribeInstances/s//DescribeInstanceS/') | wc -l)"
gzip -dc "$f" | sed '0,/DescribeInstances/s//DescribeInstanceS/' | gzip > "$f.new"; mv "$f.new" "$f"
check "one byte changed in one log file: that file only is modified" \
  "digest:valid=4 log:modified=1 log:valid=7" "$(counts "$t")"
check "... and it is the file that was changed" \
  "$f" "$(q "SELECT file FROM cloudtrail_validate('$t', 'public_keys=$keys') WHERE status='modified'")"

t=$(copy deletedlog)
rm "$(log "$t" 1 1)"
check "a deleted log file is missing" \
  "digest:valid=4 log:missing=1 log:valid=7" "$(counts "$t")"
check "... named by its S3 key, with no file" \
  "|$(basename "$(log "$clean" 1 1)")" \
  "$(q "SELECT coalesce(file,''), replace(s3_object, rtrim(s3_object, replace(s3_object, '/', '')), '')
        FROM cloudtrail_validate('$t') WHERE status='missing'")"

t=$(copy extra)
d=$(dirname "$(log "$t" 2 0)")
cp "$(log "$t" 2 0)" "$d/111122223333_CloudTrail_us-east-1_20261120T1130Z_planted.json.gz"
cp "$(log "$t" 2 0)" "$d/111122223333_CloudTrail_us-east-1_20261120T2330Z_later.json.gz"
echo '{"Records":[]}' > "$d/notes.json"
check "extra files: not_in_digest inside a digest's period, no_digest outside" \
  "digest:valid=4 log:no_digest=2 log:not_in_digest=1 log:valid=8" "$(counts "$t")"
check "... the planted one is not_in_digest, with the digest whose period holds it" \
  "111122223333_CloudTrail_us-east-1_20261120T1130Z_planted.json.gz|2026-11-20T11:05:17Z" \
  "$(q "SELECT replace(file, rtrim(file, replace(file, '/', '')), ''), period_start
        FROM cloudtrail_validate('$t') WHERE status='not_in_digest'")"

t=$(copy oddname)
cp "$(log "$t" 2 0)" "$(dirname "$(log "$t" 2 0)")/111122223333_CloudTrail__20261120T1130Z_noregion.json.gz"
check "a CloudTrail-like name with an empty region field is no_digest (regression: crashed)" \
  "no_digest" "$(q "SELECT status FROM cloudtrail_validate('$t') WHERE file LIKE '%noregion%'")"

t=$(copy deleteddigest)
rm "$(digest "$t" 1)"
check "a deleted digest: a gap in the chain, its log files covered by no digest" \
  "digest:gap=1 digest:unverified=1 digest:valid=1 log:no_digest=2 log:valid=6" "$(counts "$t")"
check "... the gap is at the next digest, whose previous digest is missing" \
  "missing|gap" "$(q "SELECT previous_digest_hash, chain FROM cloudtrail_validate('$t', 'public_keys=$keys') WHERE status='gap'")"
check "... and the digest before it has lost its signature (held by the deleted one)" \
  "unverified" "$(q "SELECT signature_status FROM cloudtrail_validate('$t', 'public_keys=$keys signatures=$sigs')
                     WHERE kind='digest' AND period_start='2026-11-20T09:05:17Z'")"

t=$(copy editeddigest)
f=$(digest "$t" 1)
gzip -dc "$f" | sed 's/"hashValue": "\(.\)/"hashValue": "0/' | gzip > "$f.new"; mv "$f.new" "$f"
check "a digest edited after signing: invalid signature, broken chain after it" \
  "digest|invalid|invalid|ok|$(basename "$f")
digest|broken|valid|broken|$(basename "$(digest "$t" 2)")" \
  "$(v "$t" | grep '^digest' | sed -n 2,3p)"
check "... the next digest's previous_digest_hash is modified" \
  "modified" "$(q "SELECT previous_digest_hash FROM cloudtrail_validate('$t') WHERE chain='broken'")"
check "... the log file whose recorded hash was edited no longer matches" \
  "1" "$(q "SELECT count(*) FROM cloudtrail_validate('$t') WHERE kind='log' AND status='modified'")"

$python tests/gen_trail.py "$dir/gap" --keydir "$dir/keys" --gap-after 1 || exit 1
check "a digest whose period starts after the previous one ended is a gap" \
  "digest|gap|valid|gap|no digest covers 2026-11-20T11:05:17Z to 2026-11-20T12:05:17Z" \
  "$(q "SELECT kind, status, signature_status, chain, detail FROM cloudtrail_validate('$dir/gap/AWSLogs',
          'public_keys=$dir/gap/keys.json signatures=$dir/gap/signatures.txt') WHERE chain NOT IN ('ok', 'start')")"

cat "$dir/clean/other-keys.json" "$keys" > "$dir/both-keys.json"
check "list-public-keys outputs concatenated in one keys file (several regions)" \
  "digest:valid=4 log:valid=8" "$(counts "$clean" "public_keys=$dir/both-keys.json signatures=$sigs")"
$python tests/gen_trail.py "$dir/millis" --keydir "$dir/keys" --millis || exit 1
check "digest times in another form: signatures still verify, periods not compared" \
  "digest:valid=4 log:valid=8" \
  "$(counts "$dir/millis/AWSLogs" "public_keys=$dir/millis/keys.json signatures=$dir/millis/signatures.txt")"
check "... and each digest says its period was not compared" "4" \
  "$(q "SELECT count(*) FROM cloudtrail_validate('$dir/millis/AWSLogs') WHERE detail LIKE '%its period was not compared%'")"

check "a key with another fingerprint leaves every digest unverified" \
  "digest:unverified=4 log:valid=8" \
  "$(counts "$clean" "public_keys=$dir/clean/other-keys.json signatures=$sigs")"
check "... saying which fingerprint it needed" \
  "1" "$(q "SELECT count(DISTINCT detail) FROM cloudtrail_validate('$clean', 'public_keys=$dir/clean/other-keys.json')
           WHERE kind='digest' AND detail LIKE 'signature: no public key with fingerprint ________________________________ in %other-keys.json%'")"

# --- sql/integrity.sql -------------------------------------------------------------
db=$dir/case.db
rm -f "$db"
integrity() {  # integrity TREE...: run sql/integrity.sql over the trees into $db
  local sql="CREATE TEMP TABLE validate_paths(path TEXT);" t
  for t in "$@"; do sql="$sql INSERT INTO validate_paths VALUES('$t');"; done
  $sqlite -batch -init /dev/null "$db" -cmd ".load $ext" -cmd "$sql" \
    -cmd "CREATE TEMP TABLE validate_options AS SELECT 'public_keys=$keys signatures=$sigs' AS options" \
    ".read sql/integrity.sql" 2>&1; }
check "integrity.sql prints the summary: counts, first and last validated hour" \
  "111122223333|us-east-1|4|4|8|7|7|1|0|0|0|0|0|0|0|0|1|2026-11-20T09:05:17Z|2026-11-20T13:05:17Z" \
  "$(integrity "$dir/onebyte")"
check "integrity_problems lists the modified file, with the reason" \
  "log|modified|$(log "$dir/onebyte" 2 1)|SHA-256 of the uncompressed file differs from the digest's" \
  "$($sqlite -batch -init /dev/null "$db" "SELECT kind, status, name, detail FROM integrity_problems")"
integrity "$dir/onebyte" >/dev/null
check "re-running replaces the path's rows rather than adding to them" \
  "12" "$($sqlite -batch -init /dev/null "$db" "SELECT count(*) FROM cloudtrail_integrity")"
integrity "$dir/onebyte" "$dir/deletedlog" >/dev/null
check "several paths: rows kept apart by root" \
  "$dir/deletedlog|12
$dir/onebyte|12" \
  "$($sqlite -batch -init /dev/null "$db" "SELECT root, count(*) FROM cloudtrail_integrity GROUP BY root ORDER BY root")"
check "the views work without the extension, under trusted_schema=OFF" \
  "2" "$($sqlite -batch -init /dev/null "$db" -cmd "PRAGMA trusted_schema=OFF" "SELECT count(*) FROM integrity_problems")"

# --- docs/integrity.md: the awk program that picks each trail's newest digest ---------
prog=$($python - <<'PY'
import re
text = open("docs/integrity.md").read()
print(re.search(r"\| awk '(.*?)' \\\n", text, re.S).group(1))
PY
)
listing=$(for k in \
  AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/20/1_CloudTrail-Digest_us-east-1_a_us-east-1_20261120T230517Z.json.gz \
  AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/21/1_CloudTrail-Digest_us-east-1_a_us-east-1_20261121T000517Z.json.gz \
  AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/21/1_CloudTrail-Digest_us-east-1_a_us-east-1_20261121T000517Z_backfill.json.gz \
  AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/20/1_CloudTrail-Digest_us-east-1_b_c_us-east-1_20261120T100000Z.json.gz \
  AWSLogs/1/CloudTrail-Digest/eu-west-1/2026/11/19/1_CloudTrail-Digest_eu-west-1_a_us-east-1_20261119T230517Z.json.gz \
  AWSLogs/1/CloudTrail/us-east-1/2026/11/21/1_CloudTrail_us-east-1_20261121T0000Z_x.json.gz; do
  echo "2026-11-21 00:05:20       1234 $k"; done)
check "docs/integrity.md's awk picks the newest digest per trail and region, no backfill" \
  "AWSLogs/1/CloudTrail-Digest/eu-west-1/2026/11/19/1_CloudTrail-Digest_eu-west-1_a_us-east-1_20261119T230517Z.json.gz
AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/20/1_CloudTrail-Digest_us-east-1_b_c_us-east-1_20261120T100000Z.json.gz
AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/21/1_CloudTrail-Digest_us-east-1_a_us-east-1_20261121T000517Z.json.gz" \
  "$(printf '%s\n' "$listing" | awk "$prog" | LC_ALL=C sort)"

# --- the build without libcrypto -------------------------------------------------
if [ -n "$nocrypto" ]; then
  msg="cloudtrail: cloudtrail_validate needs OpenSSL's libcrypto, and this build has none (install libssl-dev and rebuild with CRYPTO=1)"
  check "without libcrypto cloudtrail_validate fails saying so" "1" \
    "$($sqlite -batch -init /dev/null :memory: -cmd ".load $nocrypto" \
       "SELECT * FROM cloudtrail_validate('$clean')" 2>&1 | grep -cF "$msg")"
  check "... and so does cloudtrail_sha256" "1" \
    "$($sqlite -batch -init /dev/null :memory: -cmd ".load $nocrypto" \
       "SELECT cloudtrail_sha256('VERSION')" 2>&1 | grep -cF "${msg/cloudtrail_validate/cloudtrail_sha256}")"
  check "... while reading logs works" "177" \
    "$($sqlite -batch -init /dev/null :memory: -cmd ".load $nocrypto" \
       "SELECT count(*) FROM cloudtrail('fixtures/demo')" 2>&1)"
fi

# regression: out-of-memory while decoding a signature was "not a hex
# string".  Every allocation of a full validation fails in turn
# (tests/c/test_oom.c, when it is built): only the right rows or SQLITE_NOMEM.
oom=${TEST_OOM:-dist/test_oom}
if [ -x "$oom" ]; then
  out=$("$oom" "SELECT file, status, detail, signature_status FROM cloudtrail_validate('$dir/clean', 'public_keys=$keys signatures=$sigs')" 2>&1)
  check "out-of-memory at any allocation of a validation is SQLITE_NOMEM" 1 \
    "$(printf '%s\n' "$out" | grep -c '^oom: 1 passed, 0 failed')"
fi

check_summary validate
