#!/bin/sh
# Run every tests/sql/*.sql through the sqlite3 shell, with the extension
# loaded first, and compare stdout+stderr with tests/sql/*.expected.
# Usage: tests/run_sql.sh EXTENSION [TEST.sql ...]
# Set UPDATE=1 to write the .expected files instead (then review the diff!).
set -u
ext=$1; shift
cd "$(dirname "$0")/.." || exit 1
sqlite=${SQLITE3:-sqlite3}   # may hold a command and its arguments (make valgrind)

# Scratch space the tests may write to, rebuilt on every run.
scratch=dist/scratch
rm -rf "$scratch"
mkdir -p "$scratch/loop/sub" "$scratch/special"
ln -s .. "$scratch/loop/sub/up"                  # a symlink loop
cp fixtures/formats/array.json "$scratch/loop/sub/a.json"
ln -s nowhere "$scratch/special/dangling.json"   # a dangling link
mkfifo "$scratch/special/fifo.json"              # never opened by a walk
cp fixtures/formats/array.json "$scratch/special/ok.json"

# Large generated inputs (tests/gen_hostile.py), built once and kept.
if [ ! -f dist/hostile/DONE ]; then
  rm -rf dist/hostile
  /usr/bin/python3 tests/gen_hostile.py dist/hostile || exit 1
fi

# Tiny MaxMind databases of invented networks (tests/gen_mmdb.py), for the
# geoip= and asn= tests; built once and kept.
if [ ! -f dist/mmdb/DONE ]; then
  rm -rf dist/mmdb
  /usr/bin/python3 tests/gen_mmdb.py dist/mmdb || exit 1
fi

tests=${*:-tests/sql/*.sql}
pass=0 fail=0
for t in $tests; do
  exp=${t%.sql}.expected
  # A test that reopens a database loads the extension again with @EXT@.
  out=$( { printf '.load %s\n' "$ext"; sed "s|@EXT@|$ext|g" "$t"; } \
         | $sqlite -batch -init /dev/null :memory: 2>&1 )
  if [ "${UPDATE:-0}" = 1 ]; then
    printf '%s\n' "$out" > "$exp"
  fi
  if [ -f "$exp" ] && [ "$out" = "$(cat "$exp")" ]; then
    pass=$((pass+1))
  else
    fail=$((fail+1))
    echo "FAIL: $t"
    printf '%s\n' "$out" | diff -u "$exp" - | head -40
  fi
done
echo "sql: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
