#!/usr/bin/python3
"""The expected counts of the field-lookup rows, in Python's stdlib `json`.

    bench/peers/field_counts.py DIR

Reads every *.json.gz below DIR (a CloudTrail S3 tree) and prints, on one
line, how many records have

  1. a non-null `userIdentity.userName`: what
     count(cloudtrail_value(raw, 'userIdentity.userName')) must find;
  2. an ECS `user.name` as the `previous` generation of Elastic's pipeline
     sets it (docs/ecs.md): what count(cloudtrail_ecs(raw, 'user.name'))
     must find.

Not timed: `make bench` uses it to check those rows before timing them.
"""

import gzip
import json
import os
import sys

SERVICE_ROLE = ":role/aws-service-role/"


def gz_files(top):
    """Every *.json.gz below TOP, in order (as bench/peers/rule.py walks)."""
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".json.gz"):
                yield os.path.join(dirpath, name)


def get(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def service_actor(ident):
    """script_aws_service_actor (previous generation): an AWS service calling."""
    if ident.get("type") == "AWSService":
        return ident.get("invokedBy") is not None
    if ident.get("type") == "AssumedRole":
        arn = get(ident, "sessionContext", "sessionIssuer", "arn")
        if not isinstance(arn, str) or SERVICE_ROLE not in arn:
            return False
        if ident.get("invokedBy") is not None:
            return True
        rest = arn.split(SERVICE_ROLE, 1)[1]
        return "/" in rest and not rest.startswith("/")
    return False


def user_name(rec):
    """ECS user.name: userIdentity.userName, the session issuer's for
    AssumedRole and FederatedUser, not for AWS-service callers; for a
    UserAuthentication event with neither, additionalEventData.UserName."""
    ident = rec.get("userIdentity")
    name = None
    if isinstance(ident, dict) and not service_actor(ident):
        name = ident.get("userName")
        if ident.get("type") in ("AssumedRole", "FederatedUser"):
            issuer = get(ident, "sessionContext", "sessionIssuer", "userName")
            if issuer is not None:
                name = issuer
    if name is None and rec.get("eventName") == "UserAuthentication":
        name = get(rec, "additionalEventData", "UserName")
    return name


def main():
    value_count = ecs_count = 0
    for path in gz_files(sys.argv[1]):
        with gzip.open(path, "rb") as f:
            doc = json.load(f)
        for rec in doc.get("Records", []):
            if get(rec, "userIdentity", "userName") is not None:
                value_count += 1
            if user_name(rec) is not None:
                ecs_count += 1
    print(value_count, ecs_count)


if __name__ == "__main__":
    main()
