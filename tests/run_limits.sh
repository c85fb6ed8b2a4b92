#!/bin/bash
# Resource limits the SQL tests cannot express (inputs: tests/gen_hostile.py):
#  - a scan of 100,000 files works with only 64 file descriptors;
#  - memory stays bounded on a gzip bomb (10 GiB of one endless record) and
#    and on the nothing-lost corpus: peak RSS of the whole process.
# Usage: tests/run_limits.sh EXTENSION
set -u
ext=$1
cd "$(dirname "$0")/.." || exit 1
sqlite=${SQLITE3:-sqlite3}
[ -f dist/hostile/DONE ] || /usr/bin/python3 tests/gen_hostile.py dist/hostile || exit 1
pass=0 fail=0
check() {   # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass=$((pass+1)); echo "ok: $1"
  else fail=$((fail+1)); echo "FAIL: $1: expected $2, got $3"; fi
}

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
echo "limits: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
