#!/usr/bin/env bash
# Build the libFuzzer harnesses and run each for SECONDS (default 60).
#
#   bash tests/fuzz/run.sh [SECONDS]
#
# Harnesses (tests/fuzz/*.c, each linked with every ext/*.c):
#   reader  ext/ct_reader.c + ext/ct_stream.c directly: plain, gzip,
#           multi-member gzip and piped input, small windows, threads 0/1
#   json    ext/ct_json.c + ext/ct_fields.c directly, ec2_console_login()
#           and cloudtrail_value() through SQL
#   sql     the cloudtrail / cloudtrail_files table-valued functions over
#           temp files holding the input, bounded by a progress handler
#   validate cloudtrail_validate() over a digest, keys and signatures file
#           cut from the input (ext/ct_digest.c, ext/ct_validate.c)
#   ecs     cloudtrail_ecs() on the input as JSON text: the document, paths,
#           options (ext/ct_ecs.c, ext/ct_ecs_entity.c, ext/ct_jvalue.c)
#
# Built with clang-14 into dist/fuzz/.  Seeds: every file of fixtures/
# plus a decompressed copy of each .gz, copied into dist/fuzz/corpus-NAME/,
# which keeps what the fuzzer adds between runs.  Dictionary:
# tests/fuzz/ct.dict, plus tests/fuzz/NAME.dict if there is one.  fuzz_ecs
# is also seeded with each record of fixtures/demo and fixtures/formats,
# one per file.  Before fuzzing, every reproducer saved as
# tests/fuzz/crashes/NAME-* is replayed: a regression fails the harness.
#
# With llvm-14's llvm-profdata/llvm-cov (Debian llvm-14; FUZZ_COVERAGE=0 to
# skip), each corpus is then replayed through a source-coverage build and
# the lines of ext/ it reaches are printed per file, and for all of them.
#
# Prints one summary line per harness and finally "fuzz: P passed, F failed";
# exits non-zero if a harness found a crash, leak, timeout or out-of-memory
# (the input is saved under dist/fuzz/artifacts/) or a regression failed.
# Installs nothing.
set -u
cd "$(dirname "$0")/../.." || exit 1

seconds=${1:-60}
case $seconds in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

CC=${FUZZ_CC:-clang-14}
out=dist/fuzz
harnesses="reader json sql validate ecs"

# ---- prerequisites ----------------------------------------------------------
probe=$(mktemp -d "${TMPDIR:-/tmp}/ctfuzz-probe.XXXXXX") || exit 1
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
  > "$probe/probe.c"
if ! command -v "$CC" >/dev/null 2>&1 \
   || ! "$CC" -fsanitize=fuzzer,address,undefined -o "$probe/probe" "$probe/probe.c" >/dev/null 2>&1; then
  echo "fuzz: $CC with the libFuzzer runtime is needed; install it with:" >&2
  echo "  sudo apt-get install -y clang-14 libclang-rt-14-dev" >&2
  exit 1
fi

# libdeflate, as the Makefile detects it.
defs=(-DSQLITE_CORE '-DCT_VERSION="fuzz"' -Iext)
libs=(-lsqlite3)
if printf '#include <libdeflate.h>\n' | "$CC" -E - >/dev/null 2>&1; then
  defs+=(-DCT_HAVE_LIBDEFLATE=1)
  libs+=(-ldeflate)
  deflate_note="libdeflate"
else
  deflate_note="no libdeflate (zlib only)"
fi
# libcrypto (required by default, as in the Makefile), and libmaxminddb
# (ext/ct_geoip.c: cloudtrail_ecs()'s geoip= and asn= options).
defs+=(-DCT_HAVE_CRYPTO=1)
libs+=(-lcrypto -lmaxminddb -lpcre2-8 -lm -lz -pthread)

# ---- build --------------------------------------------------------------------
mkdir -p "$out/artifacts"
cflags=(-std=c11 -g -O1 -fno-omit-frame-pointer '-fsanitize=fuzzer,address,undefined'
        -fno-sanitize-recover=undefined -Wall -Wextra "${defs[@]}")
for h in $harnesses; do
  if ! "$CC" "${cflags[@]}" -o "$out/fuzz_$h" "tests/fuzz/fuzz_$h.c" ext/*.c "${libs[@]}"; then
    echo "fuzz: cannot build tests/fuzz/fuzz_$h.c" >&2
    exit 1
  fi
done

rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if git diff --quiet HEAD -- ext 2>/dev/null; then dirty=""; else dirty=" + uncommitted ext/ changes"; fi
exthash=$(cat ext/*.c ext/*.h | sha256sum | cut -c1-12)
echo "fuzz: $CC, $deflate_note, tree $rev$dirty (ext/ sha256 $exthash), ${seconds} s per harness"

# ---- seeds ------------------------------------------------------------------------
seed_corpus() {   # $1: corpus directory
  local dir=$1 f name
  mkdir -p "$dir"
  while IFS= read -r f; do
    name=seed-$(printf '%s' "${f#fixtures/}" | tr '/' '_')
    [ -e "$dir/$name" ] || cp "$f" "$dir/$name"
    case $f in
      *.gz)
        name=${name%.gz}
        [ -e "$dir/$name" ] || gzip -dc "$f" > "$dir/$name" 2>/dev/null || true
        ;;
    esac
  done < <(find fixtures -type f ! -name '*.md' | LC_ALL=C sort)
}

# fuzz_validate's input is DIGEST "\n--\n" KEYS "\n--\n" SIGNATURES: seed it
# with each digest of a small signed trail (tests/gen_trail.py) and the
# trail's keys and newest signature, so it starts from valid signatures.
seed_validate() {   # $1: corpus directory
  local dir=$1 t=$out/seed-trail d i=0
  [ -e "$dir/seed-trail-0" ] && return 0
  rm -rf "$t"
  /usr/bin/python3 tests/gen_trail.py "$t" --hours 3 >/dev/null 2>&1 || return 0
  for d in $(find "$t/AWSLogs" -path '*CloudTrail-Digest*' -type f | LC_ALL=C sort); do
    { gzip -dc "$d"; printf '\n--\n'; cat "$t/keys.json"; printf '\n--\n'
      cat "$t/signatures.txt"; } > "$dir/seed-trail-$i"
    i=$((i+1))
  done
  rm -rf "$t"
}

# fuzz_ecs's input is one record: seed it with each record (a Records item,
# a lookup item, an EventBridge envelope, an Elastic document or hit) of
# fixtures/demo and fixtures/formats, one per file.
seed_ecs() {   # $1: corpus directory
  local dir=$1
  [ -e "$dir/seed-ecs-0" ] && return 0
  /usr/bin/python3 - "$dir" <<'PY' || return 0
import gzip, json, os, sys
out = sys.argv[1]
files = []
for top in ("fixtures/demo", "fixtures/formats"):
    for root, _, names in os.walk(top):
        files += [os.path.join(root, n) for n in names if not n.endswith(".md")]
seen, i = set(), 0
for f in sorted(files):
    raw = (gzip.open if f.endswith(".gz") else open)(f, "rb").read()
    text = raw.decode("utf-8", "replace").lstrip("\ufeff")
    try:
        docs = [json.loads(text)]
    except ValueError:
        docs = []
        for line in text.splitlines():
            try: docs.append(json.loads(line))
            except ValueError: pass
    for d in docs:
        items = [d]
        if isinstance(d, dict):
            for k in ("Records", "Events"):
                if isinstance(d.get(k), list): items = d[k]
            if isinstance(d.get("hits"), dict): items = d["hits"].get("hits", [d])
        elif isinstance(d, list):
            items = d
        for r in items:
            t = json.dumps(r, separators=(",", ":"))
            if not t.startswith("{") or t in seen: continue
            seen.add(t)
            with open(os.path.join(out, "seed-ecs-%d" % i), "w") as o: o.write(t)
            i += 1
PY
}

# The dictionary of harness NAME: ct.dict, and NAME.dict's entries if any.
dict_of() {   # $1: harness
  if [ -e "tests/fuzz/$1.dict" ]; then
    cat tests/fuzz/ct.dict "tests/fuzz/$1.dict" > "$out/$1.dict"
    echo "$out/$1.dict"
  else
    echo tests/fuzz/ct.dict
  fi
}

# ---- line coverage of ext/ by a corpus ---------------------------------------------
PROFDATA=llvm-profdata-14
LLVMCOV=llvm-cov-14
coverage=${FUZZ_COVERAGE:-1}
if [ "$coverage" = 1 ] && ! { command -v "$PROFDATA" && command -v "$LLVMCOV"; } >/dev/null 2>&1; then
  echo "fuzz: no line coverage ($PROFDATA/$LLVMCOV not found: sudo apt-get install -y llvm-14)"
  coverage=0
fi
covdir=$out/cov
cov_objects=()

# "ct_reader.c 95.4%, …" for the ext/ files with any line covered.
cov_report() {   # $1: profdata, then the binaries
  local prof=$1 first=$2; shift 2
  local objs=() o
  for o in "$@"; do objs+=(-object "$o"); done
  "$LLVMCOV" report "$first" "${objs[@]}" -instr-profile="$prof" \
      -ignore-filename-regex='(tests/|\.h$)' 2>/dev/null \
    | awk '$1 ~ /\.c$/ && $10 != "0.00%" { printf "%s%s %s", sep, $1, $10; sep=", " }
           $1 == "TOTAL" { total=$10 }
           END { printf "; all of ext/: %s\n", total }'
}

cov_run() {   # $1: harness; replays its corpus, prints its coverage line
  local h=$1 bin=$covdir/fuzz_$1 tmp=$out/tmp-cov-$1
  "$CC" -std=c11 -g -O1 -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
      "${defs[@]}" -o "$bin" "tests/fuzz/fuzz_$h.c" ext/*.c "${libs[@]}" || return 1
  rm -rf "$tmp" "$covdir/$h.profraw"; mkdir -p "$tmp"
  TMPDIR=$tmp LLVM_PROFILE_FILE=$covdir/$h.profraw \
    "$bin" -runs=0 -max_len=65536 "$out/corpus-$h" > "$covdir/$h.log" 2>&1
  rm -rf "$tmp"
  "$PROFDATA" merge -sparse "$covdir/$h.profraw" -o "$covdir/$h.profdata" || return 1
  cov_objects+=("$bin")
  printf 'fuzz_%s: lines of ext/ reached by its corpus: %s' "$h" \
    "$(cov_report "$covdir/$h.profdata" "$bin")"
  echo
}

# ---- run ------------------------------------------------------------------------------
stat_of() {   # $1: log, $2: stat name
  sed -n "s/^stat::$2: *//p" "$1" | tail -1
}

pass=0 fail=0
for h in $harnesses; do
  bin=$out/fuzz_$h
  corpus=$out/corpus-$h
  log=$out/$h.log
  seed_corpus "$corpus"
  [ "$h" = validate ] && seed_validate "$corpus"
  [ "$h" = ecs ] && seed_ecs "$corpus"
  # Scratch files the harness writes go below here; removed afterwards even
  # if the harness died before its own clean-up ran.
  tmp=$out/tmp-$h
  rm -rf "$tmp"; mkdir -p "$tmp"
  status=ok

  # Regressions: the saved reproducers of this harness.
  shopt -s nullglob
  repro=(tests/fuzz/crashes/"$h"-*)
  shopt -u nullglob
  nrepro=${#repro[@]}
  nbad=0
  for r in "${repro[@]}"; do
    if ! TMPDIR=$tmp "$bin" -runs=1 "$r" > "$out/$h.replay.log" 2>&1; then
      nbad=$((nbad+1))
      echo "fuzz_$h: regression $r fails:" >&2
      grep -E '^(fuzz|==[0-9]+==ERROR|SUMMARY)' "$out/$h.replay.log" | head -5 | sed 's/^/  /' >&2
      status=FAILED
    fi
  done

  TMPDIR=$tmp UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin" -dict="$(dict_of "$h")" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/$h-" "$corpus" > "$log" 2>&1
  rc=$?
  rm -rf "$tmp"

  execs=$(stat_of "$log" number_of_executed_units)
  rate=$(stat_of "$log" average_exec_per_sec)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  pcs=$(sed -n 's/.*PC tables (\([0-9]*\) PCs).*/\1/p' "$log" | head -1)
  covline=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
  cov=$(printf '%s' "$covline" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(printf '%s' "$covline" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(printf '%s' "$covline" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
  if [ "$rc" -ne 0 ]; then
    status=FAILED
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    what=$(grep -E '^(SUMMARY|fuzz:|fuzz invariant|==[0-9]+== ERROR: libFuzzer)' "$log" | head -2 | tr '\n' ' ')
    echo "fuzz_$h: harness exited with $rc: ${what:-see $log}" >&2
    [ -n "$artifact" ] && echo "fuzz_$h: input saved as $artifact (replay: $bin $artifact)" >&2
  fi
  printf 'fuzz_%s: %s, %s executions in %s s (%s/s), coverage %s of %s PCs, %s features, corpus %s inputs, regressions %d/%d passed (log %s)\n' \
    "$h" "$status" "${execs:-?}" "${secs:-?}" "${rate:-?}" "${cov:-?}" "${pcs:-?}" \
    "${ft:-?}" "${corp:-?}" $((nrepro-nbad)) "$nrepro" "$log"
  if [ "$coverage" = 1 ]; then
    mkdir -p "$covdir"
    cov_run "$h" || echo "fuzz_$h: line coverage failed (see $covdir/$h.log)"
  fi
  if [ "$status" = ok ]; then pass=$((pass+1)); else fail=$((fail+1)); fi
done

if [ "$coverage" = 1 ] && [ ${#cov_objects[@]} -gt 1 ]; then
  "$PROFDATA" merge -sparse "$covdir"/*.profraw -o "$covdir/all.profdata" \
    && printf 'fuzz: lines of ext/ reached by all the corpora: %s\n' \
         "$(cov_report "$covdir/all.profdata" "${cov_objects[@]}")"
fi

echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
