#!/usr/bin/python3
"""Write a small CloudTrail trail with log file integrity validation, as
CloudTrail delivers it to S3, for tests/test_validate.sh.

  gen_trail.py OUTDIR [--hours N] [--plain-digests] [--keydir DIR]
               [--gap-after H] [--millis]

OUTDIR gets:
  AWSLogs/111122223333/CloudTrail/us-east-1/YYYY/MM/DD/*.json.gz   2 per hour
  AWSLogs/111122223333/CloudTrail-Digest/us-east-1/…/*.json.gz      1 per hour
  keys.json        `aws cloudtrail list-public-keys` output with the key
  signatures.txt   "DIGEST-OBJECT SIGNATURE" for the newest digest (what
                   x-amz-meta-signature holds in S3)
  manifest.json    every log file and digest with its expected SHA-256

Digests are chained and signed the way the CloudTrail user guide describes
("Custom implementations of CloudTrail log file integrity validation"):
SHA256withRSA over
  digestEndTime \\n digestS3Bucket/digestS3Object \\n hex(SHA-256(digest))
  \\n previousDigestSignature        ("null" for the first digest)
with the signature hex-encoded.  The RSA key pair is made here with the
openssl CLI (in --keydir, reused if present); signing is `openssl dgst
-sha256 -sign`.  Hashes here use Python's hashlib, independently of the
extension.  --plain-digests writes digests uncompressed (.json), as after
`gunzip`.
"""
import argparse
import base64
import datetime
import gzip
import hashlib
import json
import os
import subprocess
import sys

ACCOUNT = "111122223333"
REGION = "us-east-1"
TRAIL = "evidence-trail"
BUCKET = "ct-evidence-bucket"
# The first digest period starts here; AWS periods start when validation
# was enabled, so the seconds are not round.
T0 = datetime.datetime(2026, 11, 20, 9, 5, 17, tzinfo=datetime.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, check=True,
                          capture_output=True).stdout


def make_key(keydir, name):
    """A 2048-bit RSA key pair; returns (private PEM path, list-public-keys
    entry).  The Value is the base64 of the PKCS#1 RSAPublicKey DER, which
    is what AWS documents; the fingerprint is our own choice (MD5 of that
    DER), since the validator only looks it up."""
    os.makedirs(keydir, exist_ok=True)
    pem = os.path.join(keydir, name + ".pem")
    if not os.path.exists(pem):
        openssl("genrsa", "-out", pem, "2048")
    der = openssl("rsa", "-in", pem, "-RSAPublicKey_out", "-outform", "DER")
    return pem, {
        "Value": base64.b64encode(der).decode(),
        "ValidityStartTime": "2026-01-01T00:00:00+00:00",
        "ValidityEndTime": "2027-01-01T00:00:00+00:00",
        "Fingerprint": hashlib.md5(der).hexdigest(),
    }


def sign(pem, text):
    return openssl("dgst", "-sha256", "-sign", pem, data=text.encode()).hex()


def gz(data):
    return gzip.compress(data, mtime=0)


def write(outdir, key, data):
    path = os.path.join(outdir, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def log_file(hour, k, t):
    """Log file k of hour `hour`, delivered at t: two events, plain JSON."""
    records = [{
        "eventVersion": "1.08",
        "eventTime": iso(t - datetime.timedelta(minutes=4, seconds=i)),
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": REGION,
        "eventID": "00000000-0000-4000-8000-%012d" % (hour * 100 + k * 10 + i),
        "recipientAccountId": ACCOUNT,
    } for i in range(2)]
    name = "%s_CloudTrail_%s_%s_h%dk%d.json.gz" % (
        ACCOUNT, REGION, t.strftime("%Y%m%dT%H%MZ"), hour, k)
    key = "AWSLogs/%s/CloudTrail/%s/%s/%s" % (ACCOUNT, REGION,
                                              t.strftime("%Y/%m/%d"), name)
    return key, json.dumps({"Records": records}).encode(), records


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--hours", type=int, default=4)
    ap.add_argument("--plain-digests", action="store_true")
    ap.add_argument("--keydir", default=None)
    ap.add_argument("--millis", action="store_true",
                    help="write digest times with milliseconds (not the "
                         "documented form), still signed correctly")
    ap.add_argument("--gap-after", type=int, default=None,
                    help="digests after this hour start an hour late "
                         "(logging stopped for an hour), still chained")
    a = ap.parse_args()
    keydir = a.keydir or os.path.join(a.outdir, "keys")
    pem, entry = make_key(keydir, "signing")
    _, other = make_key(keydir, "other")
    manifest = {"logs": [], "digests": []}
    prev = None                   # (object, sha256, signature) of the last digest
    for h in range(a.hours):
        late = a.gap_after is not None and h > a.gap_after
        start = T0 + datetime.timedelta(hours=h + (1 if late else 0))
        end = start + datetime.timedelta(hours=1)
        logs = []
        for k, minute in enumerate((10, 40)):
            t = start + datetime.timedelta(minutes=minute)
            key, body, records = log_file(h, k, t)
            write(a.outdir, key, gz(body))
            sha = hashlib.sha256(body).hexdigest()
            logs.append({"s3Bucket": BUCKET, "s3Object": key, "hashValue": sha,
                         "hashAlgorithm": "SHA-256",
                         "newestEventTime": records[0]["eventTime"],
                         "oldestEventTime": records[-1]["eventTime"]})
            manifest["logs"].append({"key": key, "sha256": sha, "hour": h})
        dname = "%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz" % (
            ACCOUNT, REGION, TRAIL, REGION, end.strftime("%Y%m%dT%H%M%SZ"))
        dkey = "AWSLogs/%s/CloudTrail-Digest/%s/%s/%s" % (
            ACCOUNT, REGION, end.strftime("%Y/%m/%d"), dname)
        dstart, dend = iso(start), iso(end)
        if a.millis:
            dstart, dend = dstart[:-1] + ".000Z", dend[:-1] + ".000Z"
        digest = {
            "awsAccountId": ACCOUNT,
            "digestStartTime": dstart,
            "digestEndTime": dend,
            "digestS3Bucket": BUCKET,
            "digestS3Object": dkey,
            "digestPublicKeyFingerprint": entry["Fingerprint"],
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": logs[-1]["newestEventTime"],
            "oldestEventTime": logs[0]["oldestEventTime"],
            "previousDigestS3Bucket": BUCKET if prev else None,
            "previousDigestS3Object": prev[0] if prev else None,
            "previousDigestHashValue": prev[1] if prev else None,
            "previousDigestHashAlgorithm": "SHA-256" if prev else None,
            "previousDigestSignature": prev[2] if prev else None,
            "logFiles": logs,
        }
        body = json.dumps(digest).encode()
        sha = hashlib.sha256(body).hexdigest()
        sig = sign(pem, "%s\n%s/%s\n%s\n%s" % (
            dend, BUCKET, dkey, sha, prev[2] if prev else "null"))
        if a.plain_digests:
            path = write(a.outdir, dkey[:-3], body)
        else:
            path = write(a.outdir, dkey, gz(body))
        manifest["digests"].append({"key": dkey, "path": path, "sha256": sha,
                                    "signature": sig, "hour": h})
        prev = (dkey, sha, sig)
    with open(os.path.join(a.outdir, "keys.json"), "w") as f:
        json.dump({"PublicKeyList": [entry]}, f, indent=2)
    with open(os.path.join(a.outdir, "other-keys.json"), "w") as f:
        json.dump({"PublicKeyList": [other]}, f, indent=2)
    with open(os.path.join(a.outdir, "signatures.txt"), "w") as f:
        f.write("# newest digest's x-amz-meta-signature\n%s %s\n" % (prev[0], prev[2]))
    with open(os.path.join(a.outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
