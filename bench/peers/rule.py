#!/usr/bin/python3
"""Peer: the EC2 instance-role console-login rule in Python's stdlib `json`.

    bench/peers/rule.py DIR [SINCE]

Reads every *.json.gz below DIR (a CloudTrail S3 tree), loads each file with
json.load, and prints how many records match the rule (and, with SINCE, have
eventTime >= SINCE).  Same logic as ec2_console_login() on raw records.
"""

import gzip
import json
import os
import sys


def present(value):
    """An error field counts when it is there and not null or empty."""
    return value is not None and value != ""


def outcome(rec):
    """event.outcome as Elastic's aws.cloudtrail pipeline computes it."""
    result = "failure" if present(rec.get("errorCode")) or present(rec.get("errorMessage")) else "success"
    if rec.get("eventName") == "ConsoleLogin":
        resp = rec.get("responseElements")
        if isinstance(resp, dict) and isinstance(resp.get("ConsoleLogin"), str):
            # ASCII lower-casing, as the extension does.
            result = resp["ConsoleLogin"].translate(ASCII_LOWER)
    return result


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def matches(rec):
    if rec.get("eventSource") != "signin.amazonaws.com":
        return False
    if rec.get("eventName") not in ("ConsoleLogin", "GetSigninToken"):
        return False
    ident = rec.get("userIdentity")
    if not isinstance(ident, dict) or ident.get("type") != "AssumedRole":
        return False
    pid = ident.get("principalId")
    if not isinstance(pid, str) or ":i-" not in pid:
        return False
    return outcome(rec) == "success"


def gz_files(top):
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".json.gz"):
                yield os.path.join(dirpath, name)


def main():
    top = sys.argv[1]
    since = sys.argv[2] if len(sys.argv) > 2 else None
    count = 0
    for path in gz_files(top):
        with gzip.open(path, "rb") as f:
            doc = json.load(f)
        for rec in doc.get("Records", []):
            if matches(rec) and (since is None or (rec.get("eventTime") or "") >= since):
                count += 1
    print(count)


if __name__ == "__main__":
    main()
