#!/usr/bin/python3
"""Inputs of make bench's rule-engine rows (bench/run.sh).

    bench/peers/rule_counts.py EXT RULES_DIR OUT_DIR CORPUS_DIR

Converts Elastic's detection-rules TOML files in RULES_DIR with
tools/elastic-rules-ndjson into OUT_DIR/all.ndjson, OUT_DIR/event.ndjson
(the supported single-event rules: query and non-sequence eql) and
OUT_DIR/seed.ndjson (the seed rule), then prints the number of alerts the
single-event rules give over CORPUS_DIR, counted independently of
cloudtrail_detect: one kql_match()/eql_match() scan per rule over a table
of the corpus's records.
"""
import json
import os
import sqlite3
import subprocess
import sys

SEED = "d1e5e410-3e34-412e-9b1f-dd500b3b55cd"


def main():
    ext, rules_dir, out, corpus = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    allf = os.path.join(out, "all.ndjson")
    with open(allf, "w") as f:
        subprocess.run(["/usr/bin/python3", "tools/elastic-rules-ndjson", rules_dir], stdout=f, check=True)
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(ext)
    rows = db.execute("SELECT rule_id, type, language, query, event_category_override, line "
                      "FROM elastic_rules(?) WHERE supported", (allf,)).fetchall()
    lines = open(allf).read().splitlines()
    single = [r for r in rows if r[1] == "query" or (r[1] == "eql" and not r[3].lstrip().startswith("sequence"))]
    with open(os.path.join(out, "event.ndjson"), "w") as f:
        for r in single:
            f.write(lines[r[5]-1] + "\n")
    with open(os.path.join(out, "seed.ndjson"), "w") as f:
        for r in rows:
            if r[0] == SEED:
                f.write(lines[r[5]-1] + "\n")
    db.execute("CREATE TEMP TABLE ev AS SELECT raw FROM cloudtrail(?)", (corpus,))
    total = 0
    for rid, typ, lang, q, cat, line in single:
        if lang == "eql":
            n = db.execute("SELECT count(*) FROM ev WHERE eql_match(?, raw, ?)",
                           (q, cat or "event.category")).fetchone()[0]
        else:
            n = db.execute("SELECT count(*) FROM ev WHERE kql_match(?, raw)", (q,)).fetchone()[0]
        total += n
    print(len(single), total)


if __name__ == "__main__":
    main()
