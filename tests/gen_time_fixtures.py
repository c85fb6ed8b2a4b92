#!/usr/bin/env python3
"""Write fixtures/time/: S3 delivery files whose events sit on calendar
edges (month ends, a leap day, a year end) a few minutes before their
delivery stamp, plus one JSON Lines file of event times in other forms.
tests/test_time.py runs generated bounds against them.

    /usr/bin/python3 tests/gen_time_fixtures.py fixtures/time

The output is plain JSON, byte for byte the same on every run."""
import json
import os
import sys

ACCOUNT = "111122223333"

# (delivery stamp YYYYMMDDTHHMMZ, [event times]) — each file delivered
# after its events, as CloudTrail does (the late one hours after), but for
# two events that test the allowance pruning leaves for clock skew.
FILES = [
    ("20240501T0505Z", ["2024-05-01T05:00:00Z", "2024-04-30T23:59:59Z"]),
    ("20240501T0200Z", ["2024-04-30T23:00:00Z"]),            # late delivery
    ("20240301T0003Z", ["2024-02-29T23:58:30Z", "2024-02-29T00:00:00Z"]),
    ("20230301T0004Z", ["2023-02-28T23:59:59Z", "2023-03-01T00:00:00Z"]),
    ("20260101T0004Z", ["2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z"]),
    ("20241101T0010Z", ["2024-10-31T23:59:00Z", "2024-11-01T00:05:00Z",
                        # later than the stamp: in its minute, and the
                        # last second the 15-minute skew allowance covers
                        "2024-11-01T00:10:59Z", "2024-11-01T00:25:59Z"]),
    ("20240701T0016Z", ["2024-07-01T00:00:00Z"]),            # 16 min: the margin's edge
]
# Event times a hand-made export may hold: not CloudTrail's own form.
OTHER = ["2024-05-01T05:00:00.250Z", "2024-05-01T07:00:00+02:00",
         "2024-05-01 05:00:01", "2024-05-01T05:00:00.000Z", "20240501T050002Z",
         "2024-04-31T10:00:00Z", "not a time", ""]


def record(n, t, tag):
    return {"eventVersion": "1.09",
            "userIdentity": {"type": "Root", "principalId": ACCOUNT,
                             "arn": "arn:aws:iam::%s:root" % ACCOUNT,
                             "accountId": ACCOUNT},
            "eventTime": t, "eventSource": "ec2.amazonaws.com",
            "eventName": "DescribeRegions", "awsRegion": "us-east-1",
            "sourceIPAddress": "192.0.2.9", "userAgent": "console.amazonaws.com",
            "requestID": "time-req-%s-%d" % (tag, n),
            "eventID": "time-%s-%d" % (tag, n), "readOnly": True,
            "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT}


def main(out):
    for stamp, times in FILES:
        d = os.path.join(out, "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1",
                         stamp[0:4], stamp[4:6], stamp[6:8])
        os.makedirs(d, exist_ok=True)
        name = "%s_CloudTrail_us-east-1_%s_TIME%s.json" % (ACCOUNT, stamp, stamp[:8])
        recs = [record(i, t, stamp) for i, t in enumerate(times)]
        with open(os.path.join(d, name), "w") as f:
            json.dump({"Records": recs}, f, separators=(",", ":"))
            f.write("\n")
    with open(os.path.join(out, "other-forms.jsonl"), "w") as f:
        for i, t in enumerate(OTHER):
            f.write(json.dumps(record(i, t, "other"), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
