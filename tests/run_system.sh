#!/bin/bash
# Checks the SQL tests cannot express (inputs: tests/gen_hostile.py):
#  - files and directories without read permission, read as an unprivileged
#    user (root reads everything): reported, strict mode fails naming them;
#  - a scan of 100,000 files works with only 64 file descriptors;
#  - memory stays bounded on a gzip bomb (10 GiB of one endless record) and
#    on the nothing-lost corpus: peak RSS of the whole process.
# Prints "system: N passed, M failed".  Usage: tests/run_system.sh EXTENSION
set -u
ext=$1
cd "$(dirname "$0")/.." || exit 1
sqlite=${SQLITE3:-sqlite3}
[ -f dist/hostile/DONE ] || /usr/bin/python3 tests/gen_hostile.py dist/hostile || exit 1
. tests/check.sh

# Unreadable entries.  As root, run the queries as "nobody" via setpriv.
perm=dist/scratch/perm
rm -rf "$perm" && mkdir -p "$perm/locked"
cp fixtures/formats/array.json "$perm/ok.json"
cp fixtures/formats/array.json "$perm/secret.json"
cp fixtures/formats/array.json "$perm/locked/inside.json"
chmod 000 "$perm/secret.json" "$perm/locked"
as_user=
if [ "$(id -u)" = 0 ]; then as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"; fi
q() { $as_user $sqlite -batch -init /dev/null :memory: -cmd ".load $ext" "$1" 2>&1; }
qerr() { $as_user $sqlite -batch -init /dev/null :memory: -cmd ".load $ext" "$1" 2>&1 >/dev/null; }
check "strict mode names the first unreadable entry" \
  "Error: stepping, cloudtrail: $perm/locked: cannot read directory: Permission denied (errors=skip reads past it; cloudtrail_files('$perm') lists every file's problem; or read only the logs, with a glob such as '$perm/**/*_CloudTrail_*')" \
  "$(q "SELECT count(*) FROM cloudtrail('$perm')")"
check "strict mode names an unreadable file" \
  "Error: stepping, cloudtrail: $perm/secret.json: cannot open: Permission denied (errors=skip reads past it; cloudtrail_files('$perm/*.json') lists every file's problem)" \
  "$(q "SELECT count(*) FROM cloudtrail('$perm/*.json')")"
check "errors=skip reads the rest" 2 "$(q "SELECT count(*) FROM cloudtrail('$perm', 'errors=skip, quiet=1')")"
check "... and says on stderr what it skipped" \
  "cloudtrail: $perm/locked: cannot read directory: Permission denied (errors=skip: skipped after 0 records; cloudtrail_files lists it)
cloudtrail: $perm/secret.json: cannot open: Permission denied (errors=skip: skipped after 0 records; cloudtrail_files lists it)" \
  "$(qerr "SELECT count(*) FROM cloudtrail('$perm', 'errors=skip')")"
check "cloudtrail_files reports both" \
  "$perm/locked|0|cannot read directory: Permission denied
$perm/ok.json|2|
$perm/secret.json|0|cannot open: Permission denied" \
  "$(q "SELECT file, records, error FROM cloudtrail_files('$perm')")"
chmod 755 "$perm/locked"; chmod 644 "$perm/secret.json"

got=$( (ulimit -n 64; $sqlite -batch -init /dev/null :memory: -cmd ".load $ext" \
        "SELECT count(*) FROM cloudtrail('dist/hostile/many')") 2>&1 )
check "100,000 files with ulimit -n 64" 100000 "$got"
got=$( (ulimit -n 64; $sqlite -batch -init /dev/null :memory: -cmd ".load $ext" \
        "SELECT count(*), count(error) FROM cloudtrail_files('dist/hostile/many')") 2>&1 )
check "cloudtrail_files over them with ulimit -n 64" "100000|0" "$got"

# Peak resident memory (KiB) of one sqlite3 process running SQL.
peak_kib() {
  /usr/bin/python3 - "$sqlite" "$ext" "$1" <<'PY'
import resource, subprocess, sys
sqlite, ext, sql = sys.argv[1:4]
subprocess.run(sqlite.split() + ["-batch", "-init", "/dev/null", ":memory:",
                                 "-cmd", ".load " + ext, sql],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
# The bound: a 16 MiB record window, its 128 KiB slack, decompression
# buffers, SQLite and the shell; 48 MiB leaves room for all of them.
limit=$((48*1024))
for q in "SELECT count(*) FROM cloudtrail('dist/hostile/bomb-record.json.gz')" \
         "SELECT count(*) FROM cloudtrail('dist/hostile/bomb-record.json.gz', 'threads=0')" \
         "SELECT count(*) FROM cloudtrail('dist/hostile/seq', 'errors=skip')"; do
  kib=$(peak_kib "$q")
  check "peak RSS under 48 MiB: $q" yes "$([ "$kib" -lt "$limit" ] && echo yes || echo "no ($kib KiB)")"
done
check_summary system
