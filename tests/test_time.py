#!/usr/bin/env python3
"""Time filters, differentially: every generated bound, with every
operator, against fixtures/time (events on month, leap-day and year edges,
a few minutes before their S3 delivery stamps, and a file of other forms).

For each (operator, bound) it runs
  pushed and pruned   cloudtrail(T) WHERE event_time OP bound
  pushed, unpruned    cloudtrail(T, 'prune=0') WHERE event_time OP bound
  unpushed            cloudtrail(T) WHERE +event_time OP bound
  ingested            cloudtrail_events WHERE event_time OP bound (sql/schema.sql)
and checks that the four agree, and that they equal an independent oracle:
this file's own parser of the forms docs/time.md lists, with Python's
datetime.  A bound that is not a time must make the two pushed queries fail
with the same error naming it, and the other two must order it before every
time (docs/time.md).  Prints "time: N passed, M failed".

    /usr/bin/python3 tests/test_time.py ./dist/cloudtrail.so
"""
import datetime
import itertools
import os
import re
import sqlite3
import sys

TREE = "fixtures/time"
OPS = [">=", ">", "=", "<", "<=", "BETWEEN"]
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

# The forms of docs/time.md, written again from the documentation.
EXT = re.compile(r"(\d{4})(?:-(\d\d)(?:-(\d\d)(?:[Tt ](\d\d)(?::(\d\d)(?::(\d\d)"
                 r"(?:[.,](\d{1,18}))?)?)?(Z|z|[+-]\d\d(?::?\d\d)?)?)?)?)?")
BASIC = re.compile(r"(\d{4})(\d\d)(\d\d)(?:[Tt](\d\d)(?:(\d\d)(?:(\d\d)"
                   r"(?:[.,](\d{1,18}))?)?)?(Z|z|[+-]\d\d(?::?\d\d)?)?)?")


def instant(text):
    """(seconds, attoseconds) since the epoch, or None if not a time."""
    for rx in (EXT, BASIC):
        m = rx.fullmatch(text)
        if not m:
            continue
        y, mo, d, h, mi, s, frac, zone = m.groups()
        try:
            t = datetime.datetime(int(y), int(mo or 1), int(d or 1), int(h or 0),
                                  int(mi or 0), int(s or 0), tzinfo=datetime.timezone.utc)
        except ValueError:
            return None
        off = 0
        if zone and zone not in "Zz":
            sign = -1 if zone[0] == "-" else 1
            hh, mm = int(zone[1:3]), int(zone[-2:]) if len(zone) > 3 else 0
            if hh > 23 or mm > 59:
                return None
            off = sign * (hh * 3600 + mm * 60)
        secs = (t - EPOCH) // datetime.timedelta(seconds=1) - off
        return (secs, int((frac or "").ljust(18, "0")))
    return None


def compare(a, b):
    """The documented order: non-times first (bytewise), then instants."""
    x, y = instant(a), instant(b)
    if x is not None and y is not None:
        return (x > y) - (x < y)
    if (x is None) != (y is None):
        return 1 if x is not None else -1
    a, b = a.encode(), b.encode()
    return (a > b) - (a < b)


def oracle(events, op, b1, b2=None):
    """The (file, record_index) pairs an exact filter returns."""
    test = {">=": lambda c: c >= 0, ">": lambda c: c > 0, "=": lambda c: c == 0,
            "<": lambda c: c < 0, "<=": lambda c: c <= 0}
    out = set()
    for key, t in events:
        if t is None:
            continue                     # NULL satisfies no comparison
        if op == "BETWEEN":
            ok = compare(t, b1) >= 0 and compare(t, b2) <= 0
        else:
            ok = test[op](compare(t, b1))
        if ok:
            out.add(key)
    return out


def forms(dt, frac=""):
    """Ways to write the instant dt (a UTC datetime)."""
    z = dt.strftime("%Y-%m-%dT%H:%M:%S")
    plus2 = (dt + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
    minus530 = (dt - datetime.timedelta(hours=5, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S")
    out = [z + frac + "Z", z + frac, z.replace("T", " ") + frac, plus2 + frac + "+02:00",
           minus530 + frac + "-05:30", plus2 + frac + "+0200", z + frac + "+00",
           dt.strftime("%Y%m%dT%H%M%S") + frac + "Z"]
    if dt.second == 0 and not frac:
        out += [dt.strftime("%Y-%m-%dT%H:%M"), dt.strftime("%Y-%m-%d %H:%M"),
                dt.strftime("%Y%m%dT%H%MZ")]
    if dt.minute == 0 and dt.second == 0 and not frac:
        out.append(dt.strftime("%Y-%m-%dT%H"))
    if dt.hour == dt.minute == dt.second == 0 and not frac:
        out.append(dt.strftime("%Y-%m-%d"))
        if dt.day == 1:
            out.append(dt.strftime("%Y-%m"))
            if dt.month == 1:
                out.append(dt.strftime("%Y"))
    return out


def bounds(events):
    """Bounds around every event time and calendar edge of the fixtures:
    every form at the edge and one second either side, the canonical form
    further out (the pruning margin is 960 s)."""
    edges = set()
    for _, t in events:
        i = instant(t or "")
        if i:
            edges.add(EPOCH + datetime.timedelta(seconds=i[0]))
    for y, m in ((2023, 3), (2024, 3), (2024, 5), (2024, 7), (2024, 11), (2026, 1)):
        edges.add(datetime.datetime(y, m, 1, tzinfo=datetime.timezone.utc))
    edges.add(datetime.datetime(2024, 2, 29, tzinfo=datetime.timezone.utc))
    out = []
    for e in sorted(edges):
        for delta in (-961, -960, -60, 60, 960, 961, 3600):
            out.append((e + datetime.timedelta(seconds=delta)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for delta in (-1, 0, 1):
            out += forms(e + datetime.timedelta(seconds=delta))
        out += forms(e, ".000")[:3] + forms(e, ".5")[:3]
        out += forms(e - datetime.timedelta(seconds=1), ".999999999999999999")[:3]
    # Not times: invalid dates and fields, other notations, junk.
    out += ["2024-04-31T10:00", "2023-02-29", "2024-02-30T00:00:00Z", "2024-13-01",
            "2024-00-10", "2024-05-01T24:00:00Z", "2024-05-01T05:60", "2024-05-01T05:00:61Z",
            "2024-05-01T05:00:00+24:00", "2024-5-1", "05/01/2024", "yesterday", "now", "",
            "2024-05-01T05:00:00.", "2024-05-01T05:00:00.1234567890123456789Z",
            "2024-05-01T05:00:00 Z", " 2024-05-01", "2024-05-01T05:00:00ZZ", "2024/05/01"]
    return sorted(set(out))


def main(ext):
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    passed = failed = 0
    shown = [0]

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            return
        failed += 1
        if shown[0] < 30:
            print("FAIL: %s %s" % (name, detail))
            shown[0] += 1

    con = sqlite3.connect(":memory:")
    con.enable_load_extension(True)
    con.load_extension(ext)
    con.executescript(open("sql/schema.sql").read())
    con.execute("INSERT INTO cloudtrail_events SELECT * FROM cloudtrail(?)", (TREE,))
    events = [((f, i), t) for f, i, t in con.execute(
        "SELECT file, record_index, event_time FROM cloudtrail_events")]
    check("the fixtures are ingested", len(events) == 22, str(len(events)))

    def run(sql, args):
        try:
            return set(con.execute(sql, args).fetchall())
        except sqlite3.OperationalError as e:
            return "error: " + str(e)

    cases = 0
    bl = bounds(events)
    for op in OPS:
        for b1 in bl:
            b2 = None
            args = (b1,)
            where = "%s ?" % op
            if op == "BETWEEN":
                # Each bound with the instant an hour later, in another form.
                i = instant(b1)
                b2 = (EPOCH + datetime.timedelta(seconds=i[0] + 3600)).strftime(
                    "%Y-%m-%d %H:%M:%S") if i else "2099-01-01"
                args = (b1, b2)
                where = "BETWEEN ? AND ?"
            cases += 1
            pruned = run("SELECT file, record_index FROM cloudtrail(?) WHERE event_time "
                         + where, (TREE,) + args)
            unpruned = run("SELECT file, record_index FROM cloudtrail(?, 'prune=0') WHERE "
                           "event_time " + where, (TREE,) + args)
            unpushed = run("SELECT file, record_index FROM cloudtrail(?) WHERE +event_time "
                           + where, (TREE,) + args)
            ingested = run("SELECT file, record_index FROM cloudtrail_events WHERE event_time "
                           + where, args)
            want = oracle(events, op, b1, b2)
            label = "event_time %s %r%s" % (op, b1, "" if b2 is None else " AND %r" % b2)
            check("unpushed = oracle: " + label, unpushed == want,
                  "got %s want %s" % (sorted(unpushed) if isinstance(unpushed, set)
                                      else unpushed, sorted(want)))
            check("ingested = oracle: " + label, ingested == want, str(ingested))
            if instant(b1) is None or (b2 is not None and instant(b2) is None):
                check("a bound that is not a time fails the pushed query, naming it: " + label,
                      isinstance(pruned, str) and ("'%s'" % b1) in pruned, str(pruned))
                check("... with prune=0 too: " + label, pruned == unpruned, str(unpruned))
            else:
                check("pruned = oracle: " + label, pruned == want, str(pruned))
                check("unpruned = oracle: " + label, unpruned == want, str(unpruned))
    check("every operator ran over many bounds", cases > 1500, str(cases))
    # Numbers are refused by the pushed form too (SQLite alone would turn
    # 1714539600 into the text '1714539600' and order it before every time).
    err = run("SELECT file, record_index FROM cloudtrail(?) WHERE event_time >= ?",
              (TREE, 1714539600))
    check("a number as bound fails, naming it", isinstance(err, str) and "1714539600" in err, err)
    print("time: %d passed, %d failed (%d filters)" % (passed, failed, cases))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
