#!/usr/bin/env python3
"""docs/ecs.md's field table must be the extension's table of ECS fields.

The rows between the markers "<!-- fields -->" and "<!-- /fields -->" of
docs/ecs.md are made from cloudtrail_ecs_fields() (ext/ct_ecs.c), so the
page cannot drift from the code:

    /usr/bin/python3 tests/check_ecs_docs.py dist/cloudtrail.so            # check
    /usr/bin/python3 tests/check_ecs_docs.py dist/cloudtrail.so --update   # rewrite

Exit status 1 (and a diff) when they differ.
"""
import difflib
import json
import os
import sqlite3
import sys

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "ecs.md")
BEGIN, END = "<!-- fields -->", "<!-- /fields -->"


def rows(ext):
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(os.path.abspath(ext))
    fields = json.loads(db.execute("SELECT cloudtrail_ecs_fields()").fetchone()[0])
    out = ["| field | pipeline | derived | from the record | ignore_above |",
           "|---|---|---|---|---|"]
    for f in fields:
        src = f["source"].replace("|", " or ")
        if f["how"] in ("rename", "date", "toString", "flattened"):
            src = " or ".join("`%s`" % s for s in f["source"].split("|"))
        out.append("| `%s` | %s | %s | %s | %s |" % (
            f["path"], f["pipeline"], f["how"], src,
            f["ignore_above"] or ""))
    return out


def main(argv):
    ext, update = argv[1], "--update" in argv
    text = open(DOC, encoding="utf-8").read()
    head, rest = text.split(BEGIN + "\n", 1)
    body, tail = rest.split(END, 1)
    want = rows(ext)
    have = body.rstrip("\n").split("\n")
    if update:
        with open(DOC, "w", encoding="utf-8") as f:
            f.write(head + BEGIN + "\n" + "\n".join(want) + "\n" + END + tail)
        print("docs/ecs.md: %d fields written" % (len(want) - 2))
        return 0
    if have != want:
        sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(
            have, want, "docs/ecs.md", "cloudtrail_ecs_fields()", lineterm=""))
        print("FAIL: docs/ecs.md's field table differs from the code "
              "(tests/check_ecs_docs.py --update rewrites it)")
        return 1
    print("ecs docs: %d fields, as in the code" % (len(want) - 2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
