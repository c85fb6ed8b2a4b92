#!/usr/bin/python3
"""Print the `make bench` results table (markdown).

    bench/report.py WORKDIR MANIFEST

WORKDIR holds what bench/run.sh wrote:
  cases.tsv          one line per row: id, tool, what, count, status, note, command
  hf-<id>.json       hyperfine's --export-json for that row
  rss-<id>.txt       /usr/bin/time -f %M output (peak RSS in KiB)
  env.txt            lines printed above the table (machine, versions)

Throughput is uncompressed corpus bytes / median wall time (1 MB = 10^6
bytes); events/s is corpus records / median; ratio is the row's median over
the median of ours-rule.  Peak RSS is in MB (10^6 bytes) too.

A second table puts the field-lookup rows (cloudtrail_value(), cloudtrail_ecs()
with a path, the ecs column) beside the plain scan: their medians over those of
ours-count (count(*)) and ours-count-raw (count(raw)).
"""

import json
import os
import sys


def read_cases(workdir):
    cases = []
    with open(os.path.join(workdir, "cases.tsv")) as f:
        for line in f:
            case_id, tool, what, count, status, note, command = line.rstrip("\n").split("\t")
            cases.append({"id": case_id, "tool": tool, "what": what, "count": count,
                          "status": status, "note": note, "command": command})
    return cases


def load_timing(workdir, case):
    """Median (and spread) from hyperfine, peak RSS from /usr/bin/time."""
    with open(os.path.join(workdir, "hf-%s.json" % case["id"])) as f:
        result = json.load(f)["results"][0]
    times = result["times"]
    case["median"] = result["median"]
    case["cpu"] = result["user"] + result["system"]     # mean CPU seconds per run
    case["min"], case["max"], case["runs"] = min(times), max(times), len(times)
    with open(os.path.join(workdir, "rss-%s.txt" % case["id"])) as f:
        # /usr/bin/time may print "Command exited…" lines first; the figure is last.
        case["rss_kib"] = int(f.read().split()[-1])


def cell(text):
    """A markdown table cell: a literal | must be escaped."""
    return text.replace("|", "\\|")


def fmt_int(n):
    return "{:,}".format(int(round(n)))


# The field-lookup rows (issue 12): one field of every record over the same
# scan, against the plain scan of the same run.
SCAN_IDS = ("ours-count", "ours-count-raw")
FIELD_IDS = ("ours-count", "ours-count-raw", "ours-value", "ours-ecs-field", "ours-ecs-doc")


def field_lookups(cases, mb):
    """Lines of the 'one field per record' table; none without its rows."""
    by_id = {c["id"]: c for c in cases}
    rows = [by_id[i] for i in FIELD_IDS if i in by_id and by_id[i]["status"] == "ok"]
    if not all(i in by_id and by_id[i]["status"] == "ok" for i in SCAN_IDS) or len(rows) <= 2:
        return []
    star, raw = by_id["ours-count"], by_id["ours-count-raw"]
    out = ["", "### One field of every record, over the same scan", "",
           "| what | count | median s | MB/s | ÷ count(\\*) | ÷ count(raw) |",
           "|---|---:|---:|---:|---:|---:|"]
    for c in rows:
        out.append("| %s | %s | %.3f | %s | %.2f | %.2f |" % (
            cell(c["what"]), c["count"], c["median"], fmt_int(mb / c["median"]),
            c["median"] / star["median"], c["median"] / raw["median"]))
    out.append("")
    out.append("Same runs as the table above; ÷ = the row's median over the median of the plain "
               "scan (`SELECT count(*)` or `SELECT count(raw)` of the same tree), above 1 = slower.")
    return out


def main():
    workdir, manifest_path = sys.argv[1], sys.argv[2]
    with open(manifest_path) as f:
        manifest = json.load(f)
    cases = read_cases(workdir)
    for case in cases:
        if case["status"] == "ok":
            load_timing(workdir, case)
    ours = next(c for c in cases if c["id"] == "ours-rule")
    mb = manifest["uncompressed_bytes"] / 1e6

    out = []
    with open(os.path.join(workdir, "env.txt")) as f:
        out.extend(line.rstrip("\n") for line in f)
    out.append("")
    out.append("| tool | what | count | median s | MB/s | events/s | peak RSS MB | ratio |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for c in cases:
        if c["status"] != "ok":
            out.append("| %s | %s | not available: %s | | | | | |"
                       % (cell(c["tool"]), cell(c["what"]), cell(c["note"])))
            continue
        out.append("| %s | %s | %s | %.3f | %s | %s | %.1f | %.2f |" % (
            cell(c["tool"]), cell(c["what"]), c["count"], c["median"], fmt_int(mb / c["median"]),
            fmt_int(manifest["records"] / c["median"]), c["rss_kib"] * 1024 / 1e6,
            c["median"] / ours["median"]))
    out.append("")
    out.append("Median of %d runs after one warm-up (hyperfine); peak RSS from one more run under "
               "`/usr/bin/time -f %%M` (for a pipeline: its largest process). MB/s = %s uncompressed "
               "bytes / median; events/s = %s records / median; ratio = median / median of "
               "ours-rule (above 1 = slower than ours)."
               % (ours["runs"], fmt_int(manifest["uncompressed_bytes"]), fmt_int(manifest["records"])))
    out.extend(field_lookups(cases, mb))
    out.append("")
    out.append("Commands (from the repository root), with the spread of the timed runs and their mean "
               "CPU time (hyperfine's user + system):")
    out.append("")
    for c in cases:
        if c["status"] == "ok":
            out.append("- `%s`: `%s` — min %.3f s, max %.3f s, CPU (user+sys) %.3f s = %.1f cores busy"
                       % (c["id"], c["command"], c["min"], c["max"], c["cpu"], c["cpu"] / c["median"]))
    print("\n".join(out))


if __name__ == "__main__":
    main()
