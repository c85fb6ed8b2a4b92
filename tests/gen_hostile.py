#!/usr/bin/python3
"""Write the generated inputs of the hostile-input and nothing-lost tests.

    /usr/bin/python3 tests/gen_hostile.py OUTDIR

Deterministic; takes a few seconds; the tests' runner calls it once and
keeps OUTDIR (dist/hostile) between runs.  What each input is for:

  deep-array.json, deep-object.json   1,000,000 levels of [ or { in a record
  bomb-zeros.json.gz                  gzip members inflating to 10 GiB of zeros
  bomb-record.json.gz                 a record that never ends: 10 GiB of 'x'
  digits.jsonl                        numbers with 10,000 digits
  strings.jsonl                       invalid UTF-8, a raw NUL, escaped NULs
  many/                               100,000 one-record files
  seq/                                records numbered 0..N-1 in every format,
                                      plain and gzip, plus damaged files
"""
import gzip
import io
import json
import os
import sys
import zlib

GIB = 1 << 30
BLOCK = 64 << 20          # bytes of content per gzip member in the bombs


def gz(data, level=6):
    """One gzip member, reproducible (no name, mtime 0)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0,
                       compresslevel=level) as f:
        f.write(data)
    return buf.getvalue()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def record(seq, **extra):
    r = {"eventVersion": "1.09", "eventTime": "2026-11-20T10:%02d:%02dZ" % (seq // 60 % 60, seq % 60),
         "eventSource": "ec2.amazonaws.com", "eventName": "DescribeRegions",
         "awsRegion": "eu-west-1", "eventID": "seq-%06d" % seq,
         "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLESEQ000001"}}
    r.update(extra)
    return r


def ecs(seq):
    return {"@timestamp": "2026-11-20T10:00:00.000Z",
            "event": {"dataset": "aws.cloudtrail", "provider": "ec2.amazonaws.com",
                      "action": "DescribeRegions", "id": "seq-%06d" % seq}}


def compact(o):
    return json.dumps(o, separators=(",", ":"))


def bombs(out):
    zeros = gz(b"\0" * BLOCK, 9)
    write(os.path.join(out, "bomb-zeros.json.gz"), zeros * (10 * GIB // BLOCK))
    head = gz(b'{"Records":[{"eventName":"', 9)
    xs = gz(b"x" * BLOCK, 9)
    write(os.path.join(out, "bomb-record.json.gz"), head + xs * (10 * GIB // BLOCK))


def deep(out):
    n = 1000000
    write(os.path.join(out, "deep-array.json"),
          '{"Records":[{"a":' + "[" * n + "]" * n + "}]}")
    write(os.path.join(out, "deep-object.json"), '{"a":' * n + "1" + "}" * n + "\n")


def odd_values(out):
    write(os.path.join(out, "digits.jsonl"),
          compact(record(0, eventName="Big", readOnly=None)).replace(
              '"readOnly":null', '"readOnly":' + "9" * 10000) + "\n"
          + '{"eventName":"Frac","n":-0.' + "1" * 10000 + "e-" + "9" * 100 + "}\n")
    write(os.path.join(out, "strings.jsonl"),
          b'{"eventName":"bad \xff\xfe utf-8 \xc3\x28","eventID":"u1"}\n'
          b'{"eventName":"escaped nul \\u0000 here","eventID":"u2"}\n'
          b'{"eventName":"raw nul \x00 here","eventID":"u3"}\n')


def many(out, n=100000):
    d = os.path.join(out, "many")
    for i in range(n):
        sub = os.path.join(d, "%03d" % (i // 1000))
        if i % 1000 == 0:
            os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, "f%06d.json" % i), "w") as f:
            f.write(compact(record(i)))


def seq(out, n=3000):
    """Records 0..n-1 spread over every format, plain and gzip; damaged
    files hold further records whose fate cloudtrail_files accounts for."""
    d = os.path.join(out, "seq")
    chunks = [list(range(i, min(i + 100, n))) for i in range(0, n, 100)]
    forms = ["records", "records-pretty", "jsonl", "array", "lookup", "eventbridge",
             "ecs-nested", "ecs-dotted", "ecs-hits", "records-per-line"]
    for k, chunk in enumerate(chunks):
        form = forms[k % len(forms)]
        if form == "records":
            text = compact({"Records": [record(s) for s in chunk]})
        elif form == "records-pretty":
            text = json.dumps({"Records": [record(s) for s in chunk]}, indent=2)
        elif form == "jsonl":
            text = "\r\n".join(compact(record(s)) for s in chunk) + "\r\n"
        elif form == "array":
            text = json.dumps([record(s) for s in chunk])
        elif form == "lookup":
            text = json.dumps({"Events": [{"EventId": "seq-%06d" % s,
                                           "CloudTrailEvent": compact(record(s))} for s in chunk]})
        elif form == "eventbridge":
            text = "\n".join(compact({"detail-type": "AWS API Call via CloudTrail",
                                      "source": "aws.ec2", "detail": record(s)}) for s in chunk)
        elif form == "ecs-nested":
            text = "\n".join(compact(ecs(s)) for s in chunk)
        elif form == "ecs-dotted":
            text = json.dumps([{"@timestamp": "2026-11-20T10:00:00Z", "event.dataset": "aws.cloudtrail",
                                "event.id": "seq-%06d" % s} for s in chunk])
        elif form == "ecs-hits":
            text = json.dumps([{"_index": "logs-aws.cloudtrail-x", "_id": str(s), "_source": ecs(s)}
                               for s in chunk])
        else:
            text = "\n".join(compact({"Records": [record(s)]}) for s in chunk)
        name = os.path.join(d, "%02d-%s.json" % (k, form))
        data = text.encode()
        if k % 3 == 0:
            write(name + ".gz", gz(data))
        elif k % 3 == 1:
            cut = len(data) // 3
            write(name + ".gz", gz(data[:cut]) + gz(data[cut:]))   # two members
        else:
            write(name, data)
    # Damaged files: each holds 50 records numbered from 100000 up.
    text = compact({"Records": [record(s) for s in range(100000, 100050)]}).encode()
    whole = gz(text)
    write(os.path.join(d, "x1-truncated.json.gz"), whole[: len(whole) // 2])
    crc = bytearray(whole)
    crc[-8] ^= 0xFF
    write(os.path.join(d, "x2-bad-crc.json.gz"), bytes(crc))
    write(os.path.join(d, "x3-cut.json"), text[: len(text) * 2 // 3])
    write(os.path.join(d, "x4-garbage.json.gz"), whole + b"garbage")


def main(argv):
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    deep(out)
    odd_values(out)
    seq(out)
    bombs(out)
    many(out)
    with open(os.path.join(out, "DONE"), "w") as f:
        f.write("complete\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
