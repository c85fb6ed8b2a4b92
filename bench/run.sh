#!/usr/bin/env bash
# bench/run.sh — `make bench`: the extension against its peers, on one corpus.
#
#   make bench                      # ~100 MB uncompressed corpus, 5 timed runs
#   make bench BENCH_MB=1000        # 1 GB
#   BENCH_RUNS=10 BENCH_SEED=7 make bench
#
# Steps:
#   1. tools: installs hyperfine, jq and GNU time with apt-get when missing
#      (as root, or with password-less sudo; otherwise says how), and the npm
#      package @duckdb/node-api into dist/bench/node/ when npm exists;
#   2. builds dist/cloudtrail.so (make) and the inflate floor bench/inflate.c;
#   3. generates the corpus into dist/bench/corpus-<MB>mb/ (bench/gen_corpus.py,
#      reused when its manifest matches size, seed and generator) and an
#      uncompressed copy for the JSON1 peer;
#   4. runs every row once and compares its count with the manifest (the
#      field-lookup rows: with bench/peers/field_counts.py) — any difference
#      fails the bench before anything is timed;
#   5. times every row with hyperfine (one warm-up, BENCH_RUNS runs, median)
#      and measures peak RSS with /usr/bin/time -f %M (one more run);
#   6. prints the markdown table and writes it to dist/bench/results-<MB>mb.md.
set -euo pipefail

cd "$(dirname "$0")/.."                      # the repository root

MB=${BENCH_MB:-100}
RUNS=${BENCH_RUNS:-5}
SEED=${BENCH_SEED:-1}
PY=/usr/bin/python3                          # Debian's: can load SQLite extensions
SQLITE3=${SQLITE3:-sqlite3}
WORK=dist/bench
CORPUS=$WORK/corpus-${MB}mb
PLAIN=$WORK/corpus-${MB}mb-plain
NODE_DIR=$WORK/node
RUN_DIR=$WORK/run-${MB}mb
RESULTS=$WORK/results-${MB}mb.md
THREADS=$(nproc 2>/dev/null || echo 2)
STARTED=$SECONDS

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# 1. Tools
# ---------------------------------------------------------------------------

# Run a command as root: directly, or through password-less sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo "$@"
    else
        return 1
    fi
}

# apt-get install, refreshing the package lists once if the first try fails.
APT_UPDATED=
apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
        >>"$WORK/apt.log" 2>&1 && return 0
    [ -z "$APT_UPDATED" ] || return 1
    APT_UPDATED=1
    as_root apt-get update -q >>"$WORK/apt.log" 2>&1 || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
        >>"$WORK/apt.log" 2>&1
}

have() { command -v "$1" >/dev/null 2>&1; }

# ensure_tool COMMAND DEBIAN_PACKAGE: 0 when COMMAND is (now) available.
ensure_tool() {
    have "$1" && return 0
    log "$1 is missing: installing the Debian package $2 (log: $WORK/apt.log)"
    apt_install "$2" && have "$1"
}

JQ_MISSING=
DUCKDB_MISSING=
DUCKDB_VERSION=
ensure_tools() {
    local prereq="install the README's prerequisites: sudo apt-get install -y build-essential zlib1g-dev libdeflate-dev libsqlite3-dev sqlite3 python3"
    for tool in cc make "$SQLITE3" "$PY"; do
        have "$tool" || die "$tool not found; $prereq"
    done
    ensure_tool hyperfine hyperfine ||
        die "hyperfine is required and could not be installed: sudo apt-get install -y hyperfine"
    ensure_tool /usr/bin/time time ||
        die "GNU time (/usr/bin/time) is required and could not be installed: sudo apt-get install -y time"
    ensure_tool jq jq || JQ_MISSING="jq is not installed (sudo apt-get install -y jq)"
    ensure_duckdb
}

# DuckDB's Node API from npm, installed under dist/bench/node/ (never the repo root).
ensure_duckdb() {
    if ! have node || ! have npm; then
        DUCKDB_MISSING="node/npm not found (sudo apt-get install -y nodejs npm)"
        return
    fi
    if [ ! -f "$NODE_DIR/node_modules/@duckdb/node-api/package.json" ]; then
        log "installing @duckdb/node-api into $NODE_DIR (log: $NODE_DIR/npm.log)"
        mkdir -p "$NODE_DIR"
        if ! ( cd "$NODE_DIR" && { [ -f package.json ] || npm init -y; } &&
               npm install @duckdb/node-api ) >"$NODE_DIR/npm.log" 2>&1; then
            DUCKDB_MISSING="npm install @duckdb/node-api failed (see $NODE_DIR/npm.log)"
            return
        fi
    fi
    DUCKDB_VERSION=$(node -e 'console.log(require(process.argv[1]).version)' \
                         "$PWD/$NODE_DIR/node_modules/@duckdb/node-api/package.json" 2>/dev/null) ||
        DUCKDB_MISSING="@duckdb/node-api is installed but cannot be read"
}

# ---------------------------------------------------------------------------
# 2. Builds
# ---------------------------------------------------------------------------

build() {
    log "building dist/cloudtrail.so (make) and $WORK/inflate"
    make -s >&2
    cc -O2 -Wall -Wextra -o "$WORK/inflate" bench/inflate.c -lz
    # The extension inflates files up to 4 MiB whole with libdeflate when it
    # was built with it; that is then the floor that matters.
    if printf '#include <libdeflate.h>\n' | cc -E - >/dev/null 2>&1; then
        cc -O2 -Wall -Wextra -o "$WORK/inflate_whole" bench/inflate_whole.c -ldeflate
    fi
}

# ---------------------------------------------------------------------------
# 3. Corpus
# ---------------------------------------------------------------------------

# A manifest field: mf KEY
mf() {
    "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$CORPUS/manifest.json" "$1"
}

ensure_corpus() {
    if "$PY" bench/gen_corpus.py "$CORPUS" --mb "$MB" --seed "$SEED" --check; then
        log "reusing $CORPUS (manifest matches size $MB MB, seed $SEED and the generator)"
    else
        log "generating $CORPUS ($MB MB uncompressed, seed $SEED)"
        rm -rf "$CORPUS.tmp" "$CORPUS" "$PLAIN"
        "$PY" bench/gen_corpus.py "$CORPUS.tmp" --mb "$MB" --seed "$SEED"
        mv "$CORPUS.tmp" "$CORPUS"         # only a finished corpus gets its final name
    fi
    make_plain_copy
}

# The JSON1 peer reads an uncompressed mirror of the tree (*.json); it is
# current when it holds a copy of the corpus's manifest.
make_plain_copy() {
    if cmp -s "$CORPUS/manifest.json" "$PLAIN/manifest.json"; then
        return
    fi
    log "writing the uncompressed copy $PLAIN"
    rm -rf "$PLAIN" "$PLAIN.tmp"
    local f
    (cd "$CORPUS" && find AWSLogs -name '*.json.gz' | sort) | while IFS= read -r f; do
        mkdir -p "$PLAIN.tmp/$(dirname "$f")"
        gzip -dc "$CORPUS/$f" >"$PLAIN.tmp/${f%.gz}"
    done
    cp "$CORPUS/manifest.json" "$PLAIN.tmp/manifest.json"
    mv "$PLAIN.tmp" "$PLAIN"
}

# ---------------------------------------------------------------------------
# 4. The rows: what each runs and what it must print
# ---------------------------------------------------------------------------

IDS=() TOOLS=() WHATS=() STATUS=() NOTES=() EXPECT=() KINDS=() CHECKS=() TIMED=() GOT=()

# add_row ID TOOL WHAT KIND EXPECTED CHECK_CMD TIMED_CMD
#   KIND is count (CHECK_CMD prints a count) or bytes (it prints a byte total);
#   TIMED_CMD is what hyperfine and /usr/bin/time run, output discarded.
add_row() {
    IDS+=("$1") TOOLS+=("$2") WHATS+=("$3") KINDS+=("$4") EXPECT+=("$5")
    CHECKS+=("$6") TIMED+=("$7") STATUS+=(ok) NOTES+=("") GOT+=("")
}

# add_missing ID TOOL WHAT WHY: a row that cannot run here.
add_missing() {
    IDS+=("$1") TOOLS+=("$2") WHATS+=("$3") KINDS+=(none) EXPECT+=("")
    CHECKS+=("") TIMED+=("") STATUS+=(missing) NOTES+=("$4") GOT+=("")
}

# A double-quoted shell word; the texts quoted here never hold $ ` " or \.
dq() { printf '"%s"' "$1"; }

define_rows() {
    local d="$CORPUS/AWSLogs" p="$PLAIN/AWSLogs"
    local window records bytes matches wmatches
    window=$(mf window_start)
    records=$(mf records)
    bytes=$(mf uncompressed_bytes)
    matches=$(mf expected_matches)
    wmatches=$(mf expected_window_matches)
    WINDOW=$window
    local zcat_all="find $d -name '*.json.gz' -print0 | xargs -0 zcat"
    local ours="$SQLITE3 -init /dev/null :memory: -cmd '.load ./dist/cloudtrail'"
    local rule_sql="SELECT count(*) FROM cloudtrail('$d') WHERE ec2_console_login(raw)"
    local count_sql="SELECT count(*) FROM cloudtrail('$d')"
    local proj_sql="SELECT event_time, event_source, event_name, principal_id, source_ip, outcome FROM cloudtrail('$d')"
    local window_sql="SELECT count(*) FROM cloudtrail('$d') WHERE event_time >= '$window' AND ec2_console_login(raw)"

    # 1. the floor: decompression only
    add_row floor-zcat "zcat (gzip)" "decompression only: find | xargs zcat > /dev/null" bytes "$bytes" \
        "$zcat_all | wc -c" "$zcat_all"
    add_row floor-zlib "C, zlib inflate" "decompression only: bench/inflate.c, streaming, 128 KiB buffers" \
        bytes "$bytes" "$WORK/inflate $d" "$WORK/inflate $d"
    if [ -x "$WORK/inflate_whole" ]; then
        add_row floor-libdeflate "C, libdeflate" "decompression only: bench/inflate_whole.c, whole files (the extension's inflate)" \
            bytes "$bytes" "$WORK/inflate_whole $d" "$WORK/inflate_whole $d"
    fi
    # 2-4. ours
    add_row ours-rule "ours (cloudtrail.so)" "count(*) WHERE ec2_console_login(raw)" count "$matches" \
        "$ours $(dq "$rule_sql")" "$ours $(dq "$rule_sql")"
    add_row ours-count "ours (cloudtrail.so)" "count(*) of all rows" count "$records" \
        "$ours $(dq "$count_sql")" "$ours $(dq "$count_sql")"
    add_row ours-project "ours (cloudtrail.so)" "6-column projection of all rows, printed to /dev/null" count "$records" \
        "$ours $(dq "$proj_sql") | wc -l" "$ours $(dq "$proj_sql")"
    add_row ours-window "ours (cloudtrail.so)" "the rule with event_time >= '$window' (last 10 % of the time range)" \
        count "$wmatches" "$ours $(dq "$window_sql")" "$ours $(dq "$window_sql")"
    # 4b. ours: one field of every record over the same scan (issue 12), against
    #     count(*) and count(raw) above; the expected counts from bench/peers/field_counts.py
    local raw_sql="SELECT count(raw) FROM cloudtrail('$d')"
    local value_sql="SELECT count(cloudtrail_value(raw, 'userIdentity.userName')) FROM cloudtrail('$d')"
    local ecs_name_sql="SELECT count(cloudtrail_ecs(raw, 'user.name')) FROM cloudtrail('$d')"
    local ecs_doc_sql="SELECT count(ecs) FROM cloudtrail('$d')"
    local value_count ecs_count
    read -r value_count ecs_count < <("$PY" bench/peers/field_counts.py "$d")
    [ -n "$ecs_count" ] || die "bench/peers/field_counts.py $d printed no counts"
    add_row ours-count-raw "ours (cloudtrail.so)" "count(raw) of all rows" count "$records" \
        "$ours $(dq "$raw_sql")" "$ours $(dq "$raw_sql")"
    add_row ours-value "ours (cloudtrail.so)" "count(cloudtrail_value(raw, 'userIdentity.userName'))" count "$value_count" \
        "$ours $(dq "$value_sql")" "$ours $(dq "$value_sql")"
    add_row ours-ecs-field "ours (cloudtrail.so)" "count(cloudtrail_ecs(raw, 'user.name')): one ECS field" count "$ecs_count" \
        "$ours $(dq "$ecs_name_sql")" "$ours $(dq "$ecs_name_sql")"
    add_row ours-ecs-doc "ours (cloudtrail.so)" "count(ecs): the whole ECS document of every row" count "$records" \
        "$ours $(dq "$ecs_doc_sql")" "$ours $(dq "$ecs_doc_sql")"
    # 4c. ours: Elastic's rules through the engine (issue 13), when
    #     ../shared/elastic-rules is here: the seed rule alone, every supported
    #     single-event rule in one pass, and every supported rule (with the
    #     stateful ones); the single-event alert count is checked against one
    #     kql_match()/eql_match() scan per rule (bench/peers/rule_counts.py).
    if [ -d ../shared/elastic-rules ]; then
        local rdir="$WORK/rules" nsingle esingle
        read -r nsingle esingle < <("$PY" bench/peers/rule_counts.py ./dist/cloudtrail "../shared/elastic-rules" "$rdir" "$d")
        [ -n "$esingle" ] || die "bench/peers/rule_counts.py printed no counts"
        RULES_SINGLE=$nsingle
        local dseed="SELECT count(*) FROM cloudtrail_detect('$d', '$rdir/seed.ndjson')"
        local devent="SELECT count(*) FROM cloudtrail_detect('$d', '$rdir/event.ndjson')"
        local dall="SELECT count(*) FROM cloudtrail_detect('$d', '$rdir/all.ndjson')"
        local dall_check="SELECT count(*) FROM cloudtrail_detect('$d', '$rdir/all.ndjson') WHERE rule_type IN ('query', 'eql') AND sequence IS NULL"
        add_row ours-detect-seed "ours (cloudtrail.so)" "cloudtrail_detect: the seed rule as a rule file" count "$matches" \
            "$ours $(dq "$dseed")" "$ours $(dq "$dseed")"
        add_row ours-detect-event "ours (cloudtrail.so)" "cloudtrail_detect: $nsingle single-event Elastic rules, one pass" count "$esingle" \
            "$ours $(dq "$devent")" "$ours $(dq "$devent")"
        add_row ours-detect-all "ours (cloudtrail.so)" "cloudtrail_detect: every supported Elastic rule (with threshold, new_terms, sequence)" count "$esingle" \
            "$ours $(dq "$dall_check")" "$ours $(dq "$dall")"
    else
        add_missing ours-detect-event "ours (cloudtrail.so)" "cloudtrail_detect: Elastic's rules" "../shared/elastic-rules is not here"
    fi
    # 5. SQLite JSON1 only, on the uncompressed copy
    local json1
    json1="$SQLITE3 -init /dev/null :memory: -cmd $(dq ".parameter set :dir '$p'") -cmd $(dq ".parameter set :since ''") < bench/peers/rule_json1.sql"
    add_row json1 "sqlite3 JSON1" "fsdir + readfile + json_each + ->> on the uncompressed copy" count "$matches" \
        "$json1" "$json1"
    # 6. jq
    local jq_cmd="$zcat_all | jq -n --arg since '' -f bench/peers/rule.jq"
    if [ -z "$JQ_MISSING" ]; then
        add_row jq "jq $(jq --version 2>/dev/null | sed 's/^jq-//')" "zcat | jq, same filter" count "$matches" "$jq_cmd" "$jq_cmd"
    else
        add_missing jq "jq" "zcat | jq, same filter" "$JQ_MISSING"
    fi
    # 7. Python stdlib json
    local py_cmd="$PY bench/peers/rule.py $d"
    add_row python "Python $("$PY" -c 'import platform; print(platform.python_version())')" \
        "stdlib gzip + json per file, same filter" count "$matches" "$py_cmd" "$py_cmd"
    # 8. DuckDB through npm, both threads and one
    local duck="node bench/peers/rule_duckdb.cjs $NODE_DIR $d"
    local what="read_json(glob, columns={Records:'JSON[]'}) + unnest + json_extract_string"
    if [ -z "$DUCKDB_MISSING" ]; then
        add_row "duckdb-${THREADS}t" "DuckDB $DUCKDB_VERSION (node), $THREADS threads" "$what" count "$matches" \
            "$duck $THREADS" "$duck $THREADS"
        add_row duckdb-1t "DuckDB $DUCKDB_VERSION (node), 1 thread" "$what" count "$matches" \
            "$duck 1" "$duck 1"
    else
        add_missing "duckdb-${THREADS}t" "DuckDB (node), $THREADS threads" "$what" "$DUCKDB_MISSING"
    fi
}

# Run every row once; its output must equal the manifest's figure.  A second,
# independent check of the window count: the Python peer with the window.
check_counts() {
    local i got failed=0 err
    log "checking every row against $CORPUS/manifest.json"
    for i in "${!IDS[@]}"; do
        [ "${STATUS[$i]}" = ok ] || continue
        err="$RUN_DIR/check-${IDS[$i]}.err"
        if ! got=$(bash -c "set -o pipefail; ${CHECKS[$i]}" 2>"$err"); then
            log "FAIL ${IDS[$i]}: the command failed: ${CHECKS[$i]}"
            sed 's/^/    /' "$err" >&2
            failed=1
            continue
        fi
        got=$(printf '%s' "$got" | tr -d '[:space:]')
        GOT[i]=$got
        if [ "$got" = "${EXPECT[$i]}" ]; then
            log "  ok  ${IDS[$i]}: $got"
        else
            log "FAIL ${IDS[$i]}: printed '$got', the manifest says ${EXPECT[$i]} (${KINDS[$i]})"
            log "     command: ${CHECKS[$i]}"
            failed=1
        fi
    done
    got=$("$PY" bench/peers/rule.py "$CORPUS/AWSLogs" "$WINDOW")
    if [ "$got" = "$(mf expected_window_matches)" ]; then
        log "  ok  python with eventTime >= $WINDOW: $got"
    else
        log "FAIL python with eventTime >= $WINDOW printed $got, the manifest says $(mf expected_window_matches)"
        failed=1
    fi
    [ "$failed" -eq 0 ] || die "counts differ from the manifest: nothing timed (see above)"
}

# ---------------------------------------------------------------------------
# 5. Timing
# ---------------------------------------------------------------------------

LOAD_BEFORE=
time_rows() {
    local i id median
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
    log "timing: hyperfine --warmup 1 --runs $RUNS, then one run under /usr/bin/time -f %M"
    for i in "${!IDS[@]}"; do
        [ "${STATUS[$i]}" = ok ] || continue
        id=${IDS[$i]}
        hyperfine --shell bash --warmup 1 --runs "$RUNS" --style none \
            --export-json "$RUN_DIR/hf-$id.json" --command-name "$id" "${TIMED[$i]}" >/dev/null
        /usr/bin/time -f %M -o "$RUN_DIR/rss-$id.txt" bash -c "${TIMED[$i]}" >/dev/null
        median=$("$PY" -c 'import json, sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' \
                     "$RUN_DIR/hf-$id.json")
        log "  $id: median $median s, peak RSS $(tail -n 1 "$RUN_DIR/rss-$id.txt") KiB"
    done
}

# ---------------------------------------------------------------------------
# 5b. The function alone: ec2_console_login(raw) against the same rule as a
#     JSON1 expression, over a table of 1,000,000 raw records (the corpus's
#     records, repeated), in one database, same run.
# ---------------------------------------------------------------------------

TABLE_ROWS=1000000
table_bench() {
    local db="$WORK/rows-1m.db" ours json1 floor a b ma mb mf0
    if [ ! -s "$db" ] || [ "$("$SQLITE3" "$db" 'SELECT count(*) FROM ev' 2>/dev/null)" != "$TABLE_ROWS" ]; then
        log "building $db: $TABLE_ROWS raw records from $CORPUS"
        rm -f "$db"
        "$SQLITE3" -init /dev/null "$db" -cmd '.load ./dist/cloudtrail' \
            "CREATE TABLE one AS SELECT raw FROM cloudtrail('$CORPUS/AWSLogs');
             CREATE TABLE ev(raw TEXT);
             WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM k
                                     WHERE i+1 < ($TABLE_ROWS + (SELECT count(*) FROM one) - 1)
                                                 / (SELECT count(*) FROM one))
             INSERT INTO ev SELECT raw FROM k, one;
             DELETE FROM ev WHERE rowid > $TABLE_ROWS;
             DROP TABLE one; VACUUM;" >/dev/null
    fi
    ours="$SQLITE3 -init /dev/null $db -cmd '.load ./dist/cloudtrail' < bench/peers/table_ours.sql"
    json1="$SQLITE3 -init /dev/null $db < bench/peers/table_json1.sql"
    a=$(bash -c "$ours") b=$(bash -c "$json1")
    [ "$a" = "$b" ] || die "over the 1M-row table ec2_console_login() counts $a, the JSON1 expression $b"
    log "  ok  1M-row table: both count $a"
    floor="$SQLITE3 -init /dev/null $db 'SELECT count(*) FROM ev WHERE length(raw) > 0'"
    hyperfine --shell bash --warmup 1 --runs "$RUNS" --style none \
        --export-json "$RUN_DIR/hf-table.json" --command-name table-ours "$ours" \
        --command-name table-json1 "$json1" --command-name table-floor "$floor" >/dev/null
    read -r ma mb mf0 < <("$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"]
print("%.3f %.3f %.3f" % (r[0]["median"], r[1]["median"], r[2]["median"]))' "$RUN_DIR/hf-table.json")
    {
        echo
        echo "### The function alone: $TABLE_ROWS raw records in a table ($a matches)"
        echo
        echo "| what | median s | rows/s | ratio |"
        echo "|---|---:|---:|---:|"
        echo "| \`SELECT count(*) FROM ev WHERE ec2_console_login(raw)\` | $ma | $("$PY" -c "print(f'{$TABLE_ROWS/$ma:,.0f}')") | 1.00 |"
        echo "| the same rule as a JSON1 expression (bench/peers/table_json1.sql) | $mb | $("$PY" -c "print(f'{$TABLE_ROWS/$mb:,.0f}')") | $("$PY" -c "print('%.2f' % ($mb/$ma))") |"
        echo "| floor: reading the rows, \`WHERE length(raw) > 0\` | $mf0 | $("$PY" -c "print(f'{$TABLE_ROWS/$mf0:,.0f}')") | $("$PY" -c "print('%.2f' % ($mf0/$ma))") |"
        echo
        echo "Above the floor: ec2_console_login() $("$PY" -c "print('%.3f' % ($ma-$mf0))") s, JSON1 $("$PY" -c "print('%.3f' % ($mb-$mf0))") s" \
             "(ratio $("$PY" -c "print('%.1f' % (($mb-$mf0)/max($ma-$mf0,1e-9)))"))."
    } >"$RUN_DIR/table.md"
}

# ---------------------------------------------------------------------------
# 6. Report
# ---------------------------------------------------------------------------

write_report_inputs() {
    local i count
    : >"$RUN_DIR/cases.tsv"
    for i in "${!IDS[@]}"; do
        count=${GOT[$i]}
        [ "${KINDS[$i]}" = bytes ] && count="($count bytes)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${IDS[$i]}" "${TOOLS[$i]}" "${WHATS[$i]}" \
            "$count" "${STATUS[$i]}" "${NOTES[$i]}" "${TIMED[$i]}" >>"$RUN_DIR/cases.tsv"
    done
    {
        echo "## make bench — $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "- machine: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), $THREADS cores," \
             "$(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB RAM"}'), $(uname -sr)"
        echo "- corpus: \`$CORPUS\` (seed $SEED): $(mf files) files, $(mf records) records," \
             "$(mf uncompressed_bytes) bytes uncompressed, $(mf compressed_bytes) gzip -6;" \
             "events $(mf first_event_time) … $(mf last_event_time); $(mf expected_matches) rule matches," \
             "$(mf expected_window_matches) from $(mf window_start)"
        echo "- versions: cloudtrail $("$SQLITE3" -init /dev/null :memory: -cmd '.load ./dist/cloudtrail' 'SELECT cloudtrail_version()')," \
             "sqlite3 $("$SQLITE3" --version | cut -d' ' -f1), zlib $("$PY" -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)')," \
             "$(hyperfine --version)${DUCKDB_VERSION:+, node $(node --version), @duckdb/node-api $DUCKDB_VERSION}"
        echo "- source: commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')," \
             "$(git status --porcelain -- ext 2>/dev/null | wc -l) uncommitted change(s) in ext/;" \
             "load average before timing: $LOAD_BEFORE"
    } >"$RUN_DIR/env.txt"
}

# The rule engine's targets (issue 13): the one-pass scan of every
# single-event rule at >= 50 % of the seed rule's throughput, peak RSS
# under 32 MB; printed as measured, met or missed.
rule_targets() {
    [ -f "$RUN_DIR/hf-ours-detect-event.json" ] || return 0
    "$PY" - "$RUN_DIR" "${RULES_SINGLE:-?}" <<'PYEOF' | tee "$RUN_DIR/rule_targets.md" >&2
import json, sys
d, n = sys.argv[1], sys.argv[2]
def med(i): return json.load(open("%s/hf-%s.json" % (d, i)))["results"][0]["median"]
def rss(i): return int(open("%s/rss-%s.txt" % (d, i)).read().split()[-1])
seed = med("ours-rule")
print("| target | measured | |")
print("|---|---|---|")
for i, what in (("ours-detect-event", "%s single-event rules, one pass" % n), ("ours-detect-all", "every supported rule")):
    r = seed / med(i)
    print("| %s: >= 0.50 x the seed-rule scan's throughput | %.2f (%.3f s vs %.3f s) | %s |"
          % (what, r, med(i), seed, "met" if r >= 0.5 else "missed"))
    print("| %s: peak RSS < 32 MB | %.1f MB | %s |" % (what, rss(i)/1024, "met" if rss(i) < 32768 else "missed"))
PYEOF
}

main() {
    mkdir -p "$WORK"
    case $MB in ''|*[!0-9.]*) die "BENCH_MB must be a number of MB, not '$MB'" ;; esac
    case $RUNS in ''|*[!0-9]*|0) die "BENCH_RUNS must be a positive integer, not '$RUNS'" ;; esac
    [ "$RUNS" -ge 5 ] || log "note: BENCH_RUNS=$RUNS (the reference figures use at least 5)"

    ensure_tools
    build
    ensure_corpus
    rm -rf "$RUN_DIR"
    mkdir -p "$RUN_DIR"
    define_rows
    check_counts
    time_rows
    table_bench
    rule_targets
    write_report_inputs
    { "$PY" bench/report.py "$RUN_DIR" "$CORPUS/manifest.json"; cat "$RUN_DIR/table.md";
      [ -f "$RUN_DIR/rule_targets.md" ] && { echo; cat "$RUN_DIR/rule_targets.md"; }; } | tee "$RESULTS"
    echo
    log "table written to $RESULTS; make bench took $((SECONDS - STARTED)) s"
}

main "$@"
