#!/usr/bin/python3
"""Elastic's CloudTrail detection rules against the extension (make conformance).

    tests/rules_conformance.py --ext ./dist/cloudtrail.so --shared ../shared

1. Converts ../shared/elastic-rules/*.toml with tools/elastic-rules-ndjson
   (into dist/conformance/, never into the repository).
2. Loads them with elastic_rules(): every query, eql, threshold and
   new_terms rule must be supported=1; esql and machine_learning rules must
   be listed with their reason.  Any other outcome fails.
3. Runs cloudtrail_detect() with all of them over each shared dataset and
   the demo, and prints per rule its alert count (informative: the datasets
   are not labelled with expected alerts).
4. Checks the one-pass detect against per-rule kql_match()/eql_match() over
   the same events for the single-event rules: the alert counts must agree.
5. For Elastic's own pipeline tests (elastic-pipeline/tests: a raw record and
   the document the pipeline made of it), the single-event rules must give
   the same answer on the raw record (mapped by cloudtrail_ecs, pipeline=
   9.0.0, the generation of those files) as on Elastic's document, with the
   data stream's constant fields added as the index's mapping answers them.
Exits 1 on any failure.
"""
import argparse
import os
import sqlite3
import subprocess
import sys

SUPPORTED = ("query", "eql", "threshold", "new_terms")
UNSUPPORTED = {"esql": "esql rules are not supported",
               "machine_learning": "machine_learning rules need Elastic's anomaly jobs"}


def connect(ext):
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(ext)
    return db


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ext", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    rules_dir = os.path.join(a.shared, "elastic-rules")
    if not os.path.isdir(rules_dir):
        print("rules: %s not found, skipped" % rules_dir)
        return 0
    os.makedirs("dist/conformance", exist_ok=True)
    nd = "dist/conformance/elastic-rules.ndjson"
    with open(nd, "w") as out:
        subprocess.run(["/usr/bin/python3", "tools/elastic-rules-ndjson", rules_dir],
                       stdout=out, check=True)
    db = connect(a.ext)
    fails = 0
    rows = db.execute("SELECT rule_id, name, type, language, supported, why_unsupported, "
                      "query, event_category_override FROM elastic_rules(?)", (nd,)).fetchall()
    by_type = {}
    for rid, name, typ, lang, sup, why, q, cat in rows:
        by_type[(typ, sup)] = by_type.get((typ, sup), 0) + 1
        if typ in SUPPORTED and sup != 1:
            print("FAIL load: %s (%s) unsupported: %s" % (name, typ, why))
            fails += 1
        elif typ in UNSUPPORTED and (sup != 0 or why != UNSUPPORTED[typ]):
            print("FAIL load: %s (%s) should be unsupported with its reason, got %r" % (name, typ, why))
            fails += 1
        elif typ not in SUPPORTED and typ not in UNSUPPORTED:
            print("FAIL load: %s has unexpected type %s" % (name, typ))
            fails += 1
    print("rules: %d loaded; by type and supported: %s" % (
        len(rows), ", ".join("%s=%d:%d" % (t, s, n) for (t, s), n in sorted(by_type.items()))))

    sources = [("demo", "fixtures/demo")]
    ds = os.path.join(a.shared, "datasets")
    for d in sorted(os.listdir(ds)) if os.path.isdir(ds) else []:
        if os.path.isdir(os.path.join(ds, d)):
            sources.append((d, os.path.join(ds, d)))
    names = {r[0]: (r[1], r[2]) for r in rows}
    single = [r for r in rows if r[4] == 1 and (r[2] == "query" or
              (r[2] == "eql" and not r[6].lstrip().startswith("sequence")))]
    for label, path in sources:
        counts = dict(db.execute(
            "SELECT rule_id, count(*) FROM cloudtrail_detect(?, ?, 'errors=skip') GROUP BY 1",
            (path, nd)).fetchall())
        total = sum(counts.values())
        print("\n%s: %d alerts from %d rules" % (label, total, len(counts)))
        for rid, n in sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]][0])):
            print("  %6d  %-10s %s" % (n, names[rid][1], names[rid][0]))
        # the one-pass engine against one function call per rule and event
        db.execute("DROP TABLE IF EXISTS ev")
        db.execute("CREATE TEMP TABLE ev AS SELECT raw FROM cloudtrail(?, 'errors=skip')", (path,))
        bad = 0
        for rid, name, typ, lang, sup, why, q, cat in single:
            if lang == "eql":
                n = db.execute("SELECT count(*) FROM ev WHERE eql_match(?, raw, ?)",
                               (q, cat or "event.category")).fetchone()[0]
            else:
                n = db.execute("SELECT count(*) FROM ev WHERE kql_match(?, raw)", (q,)).fetchone()[0]
            if n != counts.get(rid, 0):
                print("  FAIL %s: cloudtrail_detect %d, %s_match %d" % (name, counts.get(rid, 0), lang, n))
                bad += 1
        print("  single-event rules: cloudtrail_detect agrees with kql_match/eql_match "
              "for %d of %d" % (len(single) - bad, len(single)))
        fails += bad
    fails += raw_vs_elastic(db, a.shared, nd)
    return 1 if fails else 0


def raw_vs_elastic(db, shared, nd):
    import glob
    import json
    tests = sorted(glob.glob(os.path.join(shared, "elastic-pipeline", "tests", "*.log")))
    db.execute("DROP TABLE IF EXISTS rawev")
    db.execute("DROP TABLE IF EXISTS ecsev")
    db.execute("CREATE TEMP TABLE rawev(raw, file, record_index)")
    db.execute("CREATE TEMP TABLE ecsev(raw, file, record_index)")
    n = 0
    for t in tests:
        exp = t + "-expected.json"
        if not os.path.exists(exp):
            continue
        docs = json.load(open(exp))["expected"]
        lines = open(t).read().split("\n")
        for i, (line, doc) in enumerate(zip(lines, docs)):
            if not line.strip() or "event" not in doc or doc["event"].get("kind") == "pipeline_error":
                continue
            doc.setdefault("data_stream", {"type": "logs", "dataset": "aws.cloudtrail",
                                           "namespace": "default"})
            db.execute("INSERT INTO rawev VALUES (?, ?, ?)", (line, t, i))
            db.execute("INSERT INTO ecsev VALUES (?, ?, ?)", (json.dumps(doc), t, i))
            n += 1
    q = ("SELECT rule_id, rule_name, file, record_index FROM cloudtrail_detect(?, ?, ?) "
         "WHERE rule_type IN ('query', 'eql') AND sequence IS NULL")
    a = set(db.execute(q, ("rawev", nd, "pipeline=9.0.0")).fetchall())
    b = set(db.execute(q, ("ecsev", nd, "")).fetchall())
    print("\nelastic-pipeline tests: %d records; single-event alerts on the raw record %d, "
          "on Elastic's document %d, both %d" % (n, len(a), len(b), len(a & b)))
    for r in sorted(a ^ b):
        print("  FAIL %s on %s #%d: only on the %s" % (r[1], os.path.basename(r[2]), r[3],
                                                      "raw record" if r in a else "document"))
    return len(a ^ b)


if __name__ == "__main__":
    sys.exit(main())
