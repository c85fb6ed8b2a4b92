#!/bin/sh
# tests/c/make_corpus.sh OUTDIR MB — the generated S3 tree test_threads scans.
#
# bench/gen_corpus.py writes a deterministic, realistic corpus of gzip
# CloudTrail delivery files (OUTDIR/AWSLogs/…) and OUTDIR/manifest.json with
# its record count and rule matches.  A corpus already in OUTDIR is reused
# when its manifest matches MB, the seed and the generator (--check); a new
# one is written to OUTDIR.tmp and renamed, so an interrupted generation is
# never taken for a finished corpus.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 OUTDIR MB" >&2
    exit 2
fi
out=$1
mb=$2
py=${PYTHON:-/usr/bin/python3}
gen=$(cd "$(dirname "$0")/../.." && pwd)/bench/gen_corpus.py
if "$py" "$gen" "$out" --mb "$mb" --check; then
    exit 0
fi
mkdir -p "$(dirname "$out")"
rm -rf "$out" "$out.tmp"
# gen_corpus.py with several workers can fail at random near the end: a
# worker may still be writing a file past the target into a folder the
# main process has just removed as empty (its _remove()).  One worker
# (the output is the same whatever --jobs is) makes that rare, and a failed
# attempt is simply run again.
for attempt in 1 2 3; do
    if "$py" "$gen" "$out.tmp" --mb "$mb" --jobs 1; then
        mv "$out.tmp" "$out"
        exit 0
    fi
    echo "make_corpus.sh: gen_corpus.py failed (attempt $attempt), retrying" >&2
    rm -rf "$out.tmp"
done
exit 1
