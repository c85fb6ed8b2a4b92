#!/usr/bin/env python3
"""cloudtrail_ecs() against Elastic's own pipeline tests, field by field.

Each raw line of each pipeline test (``<name>.log``) goes through
``cloudtrail_ecs(line, NULL, 'pipeline=… geoip=… asn=…')`` and the result is
compared with the test's expected document (``<name>.log-expected.json``),
leaf by leaf (lists compared whole, in order).  Each test is compared in the
generation of its expected file:

    /usr/bin/python3 tests/ecs_conformance.py --ext ./dist/cloudtrail.so \\
        --shared ../shared [-v]

Left out of every comparison, as docs/ecs.md says: fields set by the test's
configuration or at ingest time (``event.created``, ``event.ingested``,
``tags``) and the user-agent parser's fields (``user_agent.name``,
``user_agent.version``, ``user_agent.os.*``, ``user_agent.device.*``).
Expected files made by an older pipeline than either generation are checked
too but reported apart: their differences are that pipeline's, not ours.
Exit status 1 if any field of a current-generation test differs.
"""
import argparse
import glob
import json
import os
import sqlite3
import sys

EXCLUDED = ("event.created", "event.ingested", "tags")
EXCLUDED_PREFIXES = ("user_agent.name", "user_agent.version", "user_agent.os.",
                     "user_agent.os", "user_agent.device")

# Where each expected file comes from (../shared READMEs): the generation
# to map with, or None for an older pipeline than both.
PREVIOUS_COMMIT_TESTS = ("test-open-control-channel-instance-arn-json",)


def leaves(doc, prefix=""):
    """Flatten nested objects to dotted paths; lists are values."""
    out = {}
    for k, v in doc.items():
        p = prefix + k
        if isinstance(v, dict):
            out.update(leaves(v, p + "."))
        else:
            out[p] = v
    return out


def excluded(path):
    return path in EXCLUDED or any(path == e or path.startswith(e + ".") or
                                   path.startswith(e) and e.endswith(".")
                                   for e in EXCLUDED_PREFIXES)


def compare(got, want):
    g, w = leaves(got), leaves(want)
    res = {"equal": [], "differ": [], "missing": [], "extra": []}
    for p in sorted(set(g) | set(w)):
        if excluded(p):
            continue
        if p not in g:
            res["missing"].append(p)
        elif p not in w:
            res["extra"].append(p)
        elif g[p] == w[p] and type(g[p]) is type(w[p]) or \
                (isinstance(g[p], (int, float)) and isinstance(w[p], (int, float))
                 and not isinstance(g[p], bool) and g[p] == w[p]):
            res["equal"].append(p)
        else:
            res["differ"].append(p)
    return res, g, w


def tests_in(shared):
    """(name, log, expected, generation, current) for every pipeline test."""
    out = []
    for exp in sorted(glob.glob(os.path.join(shared, "elastic-pipeline/tests/*-expected.json"))):
        name = os.path.basename(exp)[:-len(".log-expected.json")]
        out.append((name, exp[:-len("-expected.json")], exp, "9.0.0", True))
    for exp in sorted(glob.glob(os.path.join(
            shared, "datasets/elastic-cloudtrail-pipeline-tests/*-expected.json"))):
        name = os.path.basename(exp)[:-len(".log-expected.json")]
        cur = name in PREVIOUS_COMMIT_TESTS
        out.append((name, exp[:-len("-expected.json")], exp, "previous", cur))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ext", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(os.path.abspath(a.ext))
    geo = os.path.join(a.shared, "geoip")
    tot = {"current": [0, 0, 0, 0], "older": [0, 0, 0, 0]}
    failed = False
    print("%-52s %-8s %5s %5s %5s %5s" % ("test", "pipeline", "equal", "diff", "miss", "extra"))
    for name, log, exp, gen, current in tests_in(a.shared):
        retain = None
        cfg = log + "-config.yml"
        if os.path.exists(cfg):
            for ln in open(cfg, encoding="utf-8"):
                if ln.strip().startswith("retain:"):
                    retain = ln.split(":", 1)[1].strip()
        opts = "pipeline=%s retain=%s geoip='%s' asn='%s'" % (
            gen, retain or "all", os.path.join(geo, "GeoLite2-City-Test.mmdb"),
            os.path.join(geo, "GeoLite2-ASN-Test.mmdb"))
        with open(log, encoding="utf-8") as f:
            lines = f.read().split("\n")
        expected = json.load(open(exp, encoding="utf-8"))["expected"]
        counts = [0, 0, 0, 0]
        notes = []
        for i, want in enumerate(expected):
            line = lines[i] if i < len(lines) else ""
            if not line.strip():
                notes.append("doc %d: a blank line, not a record (no document)" % i)
                continue
            got = db.execute("SELECT cloudtrail_ecs(?, NULL, ?)", (line, opts)).fetchone()[0]
            res, g, w = compare(json.loads(got), want)
            for k, key in enumerate(("equal", "differ", "missing", "extra")):
                counts[k] += len(res[key])
            if a.verbose or (current and (res["differ"] or res["missing"] or res["extra"])):
                for p in res["differ"]:
                    notes.append("doc %d differ  %s: ours %s, Elastic's %s" % (
                        i, p, json.dumps(g[p])[:160], json.dumps(w[p])[:160]))
                for p in res["missing"]:
                    notes.append("doc %d missing %s: Elastic's %s" % (i, p, json.dumps(w[p])[:160]))
                for p in res["extra"]:
                    notes.append("doc %d extra   %s: ours %s" % (i, p, json.dumps(g[p])[:160]))
        label = name + ("" if current else " (older pipeline)")
        if retain:
            label += " [retain=%s]" % retain
        print("%-52s %-8s %5d %5d %5d %5d" % (label[:52], gen, *counts))
        key = "current" if current else "older"
        tot[key] = [x + y for x, y in zip(tot[key], counts)]
        if current and (counts[1] or counts[2] or counts[3]):
            failed = True
        if notes and (a.verbose or current):
            for n in notes:
                print("    " + n)
    for key in ("current", "older"):
        print("TOTAL %-8s equal %d, differing %d, missing %d, extra %d" % (key, *tot[key]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
