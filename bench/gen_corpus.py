#!/usr/bin/python3
"""Generate a deterministic CloudTrail corpus for `make bench`.

    bench/gen_corpus.py OUTDIR [--mb N] [--seed S] [--jobs J]

Writes S3 delivery files

    OUTDIR/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/
        <acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<rand>.json.gz

(gzip level 6, about 500 records of 1-1.5 KB per file, `{"Records":[...]}`)
until the uncompressed total reaches N MB (10^6 bytes), and OUTDIR/manifest.json
with what every tool in the benchmark must find:

    records, files, uncompressed_bytes, compressed_bytes,
    first_event_time, last_event_time,
    expected_matches           rule matches (EC2 instance-role console logins)
    window_start               the event time 90 % into [first, last]
    expected_window_matches    rule matches with eventTime >= window_start
    kinds                      how many records of each planted kind

The output depends only on (--mb, --seed): file k is drawn from its own
random.Random("<seed>/<k>"), so files can be generated in parallel and the
corpus is byte-for-byte the same on every machine (gzip mtime is 0).

What the corpus contains
------------------------
Background traffic of several accounts and regions: S3 object reads and
writes, EC2/SSM calls by instance roles, STS, KMS, IAM, Lambda, DynamoDB,
CloudFormation, SNS, occasional RunInstances, console sign-ins by IAM users
and SSO roles, and about 5 % API errors.  Records carry the real nesting:
userIdentity (with sessionContext for role sessions), requestParameters,
responseElements, resources, additionalEventData and tlsDetails.

About 1 % of records are delivered late: their eventTime is 1-6 hours before
the file's delivery time.

Planted rule matches (about 0.2 % of records), counted by construction:
  hit_console_login       ConsoleLogin, instance-role session, "Success"
  hit_get_signin_token    GetSigninToken, instance-role session, success
  hit_token_null_error    GetSigninToken with "errorCode": null (null = absent)
  hit_token_empty_error   GetSigninToken with "errorMessage": "" (empty = absent)
  hit_login_success_err   ConsoleLogin "Success" that also has an errorMessage
                          (for ConsoleLogin the response decides the outcome)
The last three are rare edge cases of the outcome logic, not something AWS
is known to write; they make sure every peer implements the same rule.

Decoys, which a sloppy filter would count:
  decoy_login_failed      instance role, ConsoleLogin "Failure" + errorMessage
  decoy_login_failure_only instance role, ConsoleLogin "Failure", no error field
  decoy_sso_login         ConsoleLogin success by an SSO AssumedRole session
  decoy_token_denied      GetSigninToken by an instance role with errorCode
  decoy_federated_token   GetSigninToken success by a FederatedUser "…:i-…"
  decoy_switch_role       SwitchRole (signin) success by an instance role
  decoy_lookup_events     cloudtrail LookupEvents asking for ConsoleLogin by
                          an instance role (the words appear nested only)
"""

import argparse
import calendar
import gzip
import hashlib
import json
import math
import multiprocessing
import os
import random
import shutil
import sys
import time


def generator_digest():
    """SHA-256 of this script: a corpus is reused only by the same generator."""
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


RECORDS_PER_FILE = 500
# Nominal mean record size, used only to spread file times over the span:
# the corpus stops when the real uncompressed total reaches the target.
NOMINAL_RECORD_BYTES = 1475
CORPUS_START = 1794787200          # 2026-11-16T00:00:00Z
CORPUS_SPAN = 3 * 24 * 3600        # file delivery times cover three days
GZIP_LEVEL = 6

# Rates per record.
P_HIT = 0.002
P_DECOY = 0.0012
P_BACKGROUND_LOGIN = 0.003
P_LATE = 0.01
P_ERROR = 0.05

ACCOUNTS = ["111122223333", "222233334444", "333344445555", "444455556666"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
# (account, region) streams and their share of the traffic.
STREAMS = [(a, r) for a in ACCOUNTS for r in REGIONS]
STREAM_WEIGHTS = [(4 if r == "us-east-1" else 2 if r == "eu-west-1" else 1) *
                  (3 if a == ACCOUNTS[0] else 1) for a, r in STREAMS]

HEX = "0123456789abcdef"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def iso(t):
    """Epoch seconds -> CloudTrail's eventTime format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# ---------------------------------------------------------------------------
# Identities.  Built per account from a fixed RNG so every file of an account
# sees the same users, roles and instances.
# ---------------------------------------------------------------------------

def _ids(rng, prefix, n=16):
    return prefix + "".join(rng.choice(UPPER_DIGITS) for _ in range(n))


def build_account(acct):
    rng = random.Random("identities/" + acct)
    users = []
    for name in ["alice", "bob", "carol", "deploy-bot", "ci-runner", "backup-svc"]:
        users.append({"name": name, "id": _ids(rng, "AIDA"), "key": _ids(rng, "AKIA")})
    roles = []
    for name in ["app-backend", "data-pipeline", "lambda-orders", "ecs-task-api"]:
        roles.append({"name": name, "id": _ids(rng, "AROA")})
    instance_roles = []
    for name in ["web-tier-instance", "batch-worker-instance", "bastion-instance"]:
        instances = ["i-0" + "".join(rng.choice(HEX) for _ in range(16)) for _ in range(6)]
        instance_roles.append({"name": name, "id": _ids(rng, "AROA"), "instances": instances})
    sso_roles = []
    for perm in ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess"]:
        suffix = "".join(rng.choice(HEX) for _ in range(16))
        sso_roles.append({"name": "AWSReservedSSO_%s_%s" % (perm, suffix), "id": _ids(rng, "AROA")})
    return {"acct": acct, "users": users, "roles": roles,
            "instance_roles": instance_roles, "sso_roles": sso_roles,
            "buckets": ["%s-%s" % (b, acct) for b in ["app-assets", "data-lake", "logs-archive"]],
            "kms_keys": [_uuid(rng) for _ in range(3)],
            "tables": ["orders", "sessions", "inventory"],
            "functions": ["orders-handler", "thumbnailer", "nightly-report"]}


def _uuid(rng):
    """A version-4 style UUID drawn from `rng`."""
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) & 3], h[17:20], h[20:])


SSO_USERS = ["alice@example.com", "bob@example.com", "dana@example.com", "eve.ops@example.com"]

USER_AGENTS_SDK = [
    "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/s3#1.48.0",
    "Boto3/1.34.22 md/Botocore#1.34.22 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 "
    "lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.22",
    "aws-cli/2.15.10 Python/3.11.6 Linux/6.1.66-91.160.amzn2023.x86_64 exe/x86_64.amzn.2023 "
    "prompt/off command/s3.cp",
    "aws-sdk-java/2.21.45 Linux/5.10.205-195.807.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS "
    "Java/17.0.9 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard",
]
USER_AGENTS_BROWSER = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
]
TLS_SUITES = [("TLSv1.3", "TLS_AES_128_GCM_SHA256"), ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"),
              ("TLSv1.3", "TLS_AES_256_GCM_SHA384")]


class FileGen:
    """Draws the records of one delivery file."""

    def __init__(self, rng, account, region, file_time):
        self.rng = rng
        self.a = account
        self.acct = account["acct"]
        self.region = region
        self.file_time = file_time

    # -- small helpers -------------------------------------------------------

    def uuid(self):
        return _uuid(self.rng)

    def public_ip(self):
        r = self.rng
        return "%d.%d.%d.%d" % (r.choice([3, 18, 34, 52, 54, 198, 203]), r.randrange(256),
                                r.randrange(256), r.randrange(1, 255))

    def private_ip(self):
        r = self.rng
        return "10.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def tls(self, host):
        version, suite = self.rng.choice(TLS_SUITES)
        return {"tlsVersion": version, "cipherSuite": suite, "clientProvidedHostHeader": host}

    def creation_date(self, t):
        return iso(t - self.rng.randrange(60, 6 * 3600))

    def session_context(self, role, t, mfa="false", ec2=False):
        ctx = {"sessionIssuer": {"type": "Role", "principalId": role["id"],
                                 "arn": "arn:aws:iam::%s:role/%s" % (self.acct, role["name"]),
                                 "accountId": self.acct, "userName": role["name"]},
               "webIdFederationData": {},
               "attributes": {"creationDate": self.creation_date(t), "mfaAuthenticated": mfa}}
        if ec2:
            ctx["ec2RoleDelivery"] = "2.0"
        return ctx

    # -- identities ----------------------------------------------------------

    def iam_user(self, user=None):
        u = user or self.rng.choice(self.a["users"])
        return {"type": "IAMUser", "principalId": u["id"],
                "arn": "arn:aws:iam::%s:user/%s" % (self.acct, u["name"]),
                "accountId": self.acct, "accessKeyId": u["key"], "userName": u["name"]}

    def role_session(self, t, role=None):
        role = role or self.rng.choice(self.a["roles"])
        session = "%s-%d" % (role["name"], self.rng.randrange(10 ** 9, 10 ** 10))
        return {"type": "AssumedRole", "principalId": "%s:%s" % (role["id"], session),
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.acct, role["name"], session),
                "accountId": self.acct, "accessKeyId": _ids(self.rng, "ASIA"),
                "sessionContext": self.session_context(role, t)}

    def instance_session(self, t):
        role = self.rng.choice(self.a["instance_roles"])
        inst = self.rng.choice(role["instances"])
        return {"type": "AssumedRole", "principalId": "%s:%s" % (role["id"], inst),
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.acct, role["name"], inst),
                "accountId": self.acct, "accessKeyId": _ids(self.rng, "ASIA"),
                "sessionContext": self.session_context(role, t, ec2=True)}

    def sso_session(self, t):
        role = self.rng.choice(self.a["sso_roles"])
        user = self.rng.choice(SSO_USERS)
        ident = {"type": "AssumedRole", "principalId": "%s:%s" % (role["id"], user),
                 "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.acct, role["name"], user),
                 "accountId": self.acct, "accessKeyId": _ids(self.rng, "ASIA"),
                 "sessionContext": self.session_context(role, t, mfa="true")}
        ident["sessionContext"]["sessionIssuer"]["arn"] = (
            "arn:aws:iam::%s:role/aws-reserved/sso.amazonaws.com/%s" % (self.acct, role["name"]))
        return ident

    def service(self, name):
        return {"type": "AWSService", "invokedBy": name}

    # -- the record skeleton, keys in CloudTrail's order ---------------------

    def record(self, t, ident, source, name, *, ip, ua, req, resp, ro=True, err=None,
               extra=None, resources=None, data=False, etype="AwsApiCall",
               host=None, version="1.08", console=False):
        r = {"eventVersion": version, "userIdentity": ident, "eventTime": iso(t),
             "eventSource": source, "eventName": name, "awsRegion": self.region,
             "sourceIPAddress": ip, "userAgent": ua}
        if err:
            r.update(err)
        r["requestParameters"] = req
        r["responseElements"] = resp
        if extra is not None:
            r["additionalEventData"] = extra
        r["requestID"] = self.uuid()
        r["eventID"] = self.uuid()
        r["readOnly"] = ro
        if resources is not None:
            r["resources"] = resources
        r["eventType"] = etype
        r["managementEvent"] = not data
        r["recipientAccountId"] = self.acct
        r["eventCategory"] = "Data" if data else "Management"
        if host:
            r["tlsDetails"] = self.tls(host)
        if console:
            r["sessionCredentialFromConsole"] = "true"
        return r

    def maybe_error(self, ident, action, resource):
        """About P_ERROR of API calls fail: an errorCode/errorMessage pair."""
        x = self.rng.random()
        if x >= P_ERROR:
            return None
        if x < P_ERROR * 0.6:
            arn = ident.get("arn", "")
            return {"errorCode": "AccessDenied",
                    "errorMessage": "User: %s is not authorized to perform: %s on resource: %s "
                                    "because no identity-based policy allows the %s action"
                                    % (arn, action, resource, action)}
        if x < P_ERROR * 0.85:
            return {"errorCode": "ThrottlingException", "errorMessage": "Rate exceeded"}
        return {"errorCode": "ValidationException",
                "errorMessage": "1 validation error detected: Value at '%s' failed to satisfy "
                                "constraint" % resource.rsplit(":", 1)[-1]}

    # -- background traffic --------------------------------------------------

    def s3_object(self, t, name):
        rng = self.rng
        ident = self.role_session(t) if rng.random() < 0.7 else self.iam_user()
        bucket = rng.choice(self.a["buckets"])
        key = "%s/2026/%02d/part-%05d.parquet" % (rng.choice(["raw", "curated", "exports"]),
                                                   rng.randrange(1, 13), rng.randrange(100000))
        host = "%s.s3.%s.amazonaws.com" % (bucket, self.region)
        err = self.maybe_error(ident, "s3:" + name, "arn:aws:s3:::%s/%s" % (bucket, key))
        if err and err["errorCode"] == "ValidationException":
            err = {"errorCode": "NoSuchKey", "errorMessage": "The specified key does not exist."}
        nbytes = rng.randrange(1000, 50_000_000)
        return self.record(
            t, ident, "s3.amazonaws.com", name, ip=self.private_ip(), ua=rng.choice(USER_AGENTS_SDK),
            req={"bucketName": bucket, "Host": host, "key": key,
                 **({"x-amz-server-side-encryption": "aws:kms"} if name == "PutObject" else {})},
            resp=None if name == "GetObject" else {"x-amz-server-side-encryption": "aws:kms",
                                                   "x-amz-version-id": self.uuid().replace("-", "")[:32]},
            ro=name == "GetObject", err=err,
            extra={"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                   "bytesTransferredIn": 0 if name == "GetObject" else nbytes, "AuthenticationMethod": "AuthHeader",
                   "x-amz-id-2": "".join(rng.choice(ALNUM) for _ in range(40)),
                   "bytesTransferredOut": nbytes if name == "GetObject" else 0},
            resources=[{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)},
                       {"accountId": self.acct, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket}],
            data=True, host=host)

    def ec2_describe(self, t):
        rng = self.rng
        ident = self.instance_session(t) if rng.random() < 0.6 else self.iam_user()
        host = "ec2.%s.amazonaws.com" % self.region
        inst = rng.choice(rng.choice(self.a["instance_roles"])["instances"])
        return self.record(
            t, ident, "ec2.amazonaws.com", "DescribeInstances", ip=self.private_ip(),
            ua=rng.choice(USER_AGENTS_SDK),
            req={"instancesSet": {"items": [{"instanceId": inst}]},
                 "filterSet": {"items": [{"name": "instance-state-name",
                                          "valueSet": {"items": [{"value": "running"}]}}]}},
            resp=None, err=self.maybe_error(ident, "ec2:DescribeInstances", "*"), host=host)

    def ssm_update(self, t):
        rng = self.rng
        ident = self.instance_session(t)
        inst = ident["principalId"].split(":", 1)[1]
        host = "ssm.%s.amazonaws.com" % self.region
        return self.record(
            t, ident, "ssm.amazonaws.com", "UpdateInstanceInformation", ip=self.private_ip(),
            ua="amazon-ssm-agent/3.2.2016.0", ro=False,
            req={"instanceId": inst, "agentVersion": "3.2.2016.0", "agentStatus": "Active",
                 "platformType": "Linux", "platformName": "Amazon Linux", "platformVersion": "2023",
                 "iPAddress": self.private_ip(), "computerName": "ip-%s.ec2.internal" % inst[2:10],
                 "agentName": "amazon-ssm-agent", "availabilityZone": self.region + rng.choice("abc")},
            resp=None, resources=[{"accountId": self.acct, "type": "AWS::EC2::Instance",
                                   "ARN": "arn:aws:ec2:%s:%s:instance/%s" % (self.region, self.acct, inst)}],
            host=host)

    def sts_assume_role(self, t):
        rng = self.rng
        role = rng.choice(self.a["roles"])
        session = "%s-%d" % (role["name"], rng.randrange(10 ** 9, 10 ** 10))
        ident = self.service(rng.choice(["lambda.amazonaws.com", "ecs-tasks.amazonaws.com",
                                         "ec2.amazonaws.com"]))
        role_arn = "arn:aws:iam::%s:role/%s" % (self.acct, role["name"])
        return self.record(
            t, ident, "sts.amazonaws.com", "AssumeRole", ip=ident["invokedBy"], ua=ident["invokedBy"],
            req={"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600},
            resp={"credentials": {"accessKeyId": _ids(rng, "ASIA"),
                                  "sessionToken": "".join(rng.choice(ALNUM) for _ in range(96)),
                                  "expiration": "%s" % time.strftime("%b %d, %Y, %I:%M:%S %p",
                                                                     time.gmtime(t + 3600))},
                  "assumedRoleUser": {"assumedRoleId": "%s:%s" % (role["id"], session),
                                      "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.acct, role["name"], session)}},
            resources=[{"accountId": self.acct, "type": "AWS::IAM::Role", "ARN": role_arn}],
            etype="AwsApiCall", host="sts.%s.amazonaws.com" % self.region)

    def kms_decrypt(self, t):
        rng = self.rng
        key = "arn:aws:kms:%s:%s:key/%s" % (self.region, self.acct, rng.choice(self.a["kms_keys"]))
        if rng.random() < 0.5:
            ident, ip = self.service("s3.amazonaws.com"), "s3.amazonaws.com"
        else:
            ident, ip = self.role_session(t), self.private_ip()
        return self.record(
            t, ident, "kms.amazonaws.com", "Decrypt", ip=ip, ua=ip if ident["type"] == "AWSService"
            else rng.choice(USER_AGENTS_SDK),
            req={"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::%s/%s" % (
                rng.choice(self.a["buckets"]), self.uuid())},
                 "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            resp=None, err=self.maybe_error(ident, "kms:Decrypt", key),
            resources=[{"accountId": self.acct, "type": "AWS::KMS::Key", "ARN": key}],
            host="kms.%s.amazonaws.com" % self.region if ident["type"] != "AWSService" else None)

    def iam_read(self, t):
        rng = self.rng
        ident = self.iam_user() if rng.random() < 0.5 else self.sso_session(t)
        role = rng.choice(self.a["roles"])
        name = rng.choice(["GetRole", "ListRoles", "ListAttachedRolePolicies"])
        req = None if name == "ListRoles" else {"roleName": role["name"]}
        return self.record(
            t, ident, "iam.amazonaws.com", name, ip=self.public_ip(), ua=rng.choice(USER_AGENTS_SDK),
            req=req, resp=None, err=self.maybe_error(ident, "iam:" + name,
                                                     "arn:aws:iam::%s:role/%s" % (self.acct, role["name"])),
            host="iam.amazonaws.com")

    def lambda_invoke(self, t):
        rng = self.rng
        fn = rng.choice(self.a["functions"])
        arn = "arn:aws:lambda:%s:%s:function:%s" % (self.region, self.acct, fn)
        ident = self.role_session(t)
        return self.record(
            t, ident, "lambda.amazonaws.com", "Invoke", ip=self.private_ip(), ua=rng.choice(USER_AGENTS_SDK),
            req={"functionName": arn, "invocationType": "Event"},
            resp=None, ro=False, extra={"functionVersion": arn + ":$LATEST"},
            resources=[{"accountId": self.acct, "type": "AWS::Lambda::Function", "ARN": arn}],
            data=True, host="lambda.%s.amazonaws.com" % self.region)

    def dynamodb(self, t):
        rng = self.rng
        table = rng.choice(self.a["tables"])
        arn = "arn:aws:dynamodb:%s:%s:table/%s" % (self.region, self.acct, table)
        name = rng.choice(["GetItem", "PutItem", "Query"])
        ident = self.role_session(t)
        return self.record(
            t, ident, "dynamodb.amazonaws.com", name, ip=self.private_ip(), ua=rng.choice(USER_AGENTS_SDK),
            req={"tableName": table, "key": {"pk": "ORDER#%08d" % rng.randrange(10 ** 8)},
                 "consistentRead": False},
            resp=None, ro=name != "PutItem", err=self.maybe_error(ident, "dynamodb:" + name, arn),
            resources=[{"accountId": self.acct, "type": "AWS::DynamoDB::Table", "ARN": arn}],
            data=True, host="dynamodb.%s.amazonaws.com" % self.region)

    def cloudformation(self, t):
        rng = self.rng
        ident = self.sso_session(t) if rng.random() < 0.5 else self.iam_user()
        stack = rng.choice(["network-base", "orders-service", "data-lake", "observability"])
        return self.record(
            t, ident, "cloudformation.amazonaws.com", "DescribeStacks", ip=self.public_ip(),
            ua=rng.choice(USER_AGENTS_BROWSER), req={"stackName": stack}, resp=None,
            err=self.maybe_error(ident, "cloudformation:DescribeStacks",
                                 "arn:aws:cloudformation:%s:%s:stack/%s/*" % (self.region, self.acct, stack)),
            host="cloudformation.%s.amazonaws.com" % self.region, console=ident["type"] == "AssumedRole")

    def sns_publish(self, t):
        rng = self.rng
        topic = "arn:aws:sns:%s:%s:%s" % (self.region, self.acct, rng.choice(["alerts", "orders-events"]))
        ident = self.role_session(t)
        return self.record(
            t, ident, "sns.amazonaws.com", "Publish", ip=self.private_ip(), ua=rng.choice(USER_AGENTS_SDK),
            req={"topicArn": topic, "messageStructure": "json", "subject": "order update"},
            resp={"messageId": self.uuid()}, ro=False, err=self.maybe_error(ident, "sns:Publish", topic),
            host="sns.%s.amazonaws.com" % self.region)

    def run_instances(self, t):
        rng = self.rng
        ident = self.iam_user(self.a["users"][3])     # deploy-bot
        inst = "i-0" + "".join(rng.choice(HEX) for _ in range(16))
        subnet = "subnet-0" + "".join(rng.choice(HEX) for _ in range(16))
        ami = "ami-0" + "".join(rng.choice(HEX) for _ in range(16))
        return self.record(
            t, ident, "ec2.amazonaws.com", "RunInstances", ip=self.public_ip(), ua=rng.choice(USER_AGENTS_SDK),
            req={"instancesSet": {"items": [{"imageId": ami, "minCount": 1, "maxCount": 1}]},
                 "instanceType": "m6i.large", "blockDeviceMapping": {}, "monitoring": {"enabled": False},
                 "disableApiTermination": False, "subnetId": subnet,
                 "iamInstanceProfile": {"name": "web-tier-instance"}},
            resp={"requestId": self.uuid(), "reservationId": "r-0" + "".join(rng.choice(HEX) for _ in range(16)),
                  "ownerId": self.acct, "groupSet": {},
                  "instancesSet": {"items": [{"instanceId": inst, "imageId": ami,
                                              "currentInstanceBoundary": {}, "instanceState": {"code": 0, "name": "pending"},
                                              "privateDnsName": "ip-10-0-1-23.ec2.internal", "amiLaunchIndex": 0,
                                              "productCodes": {}, "instanceType": "m6i.large",
                                              "launchTime": int(t) * 1000,
                                              "placement": {"availabilityZone": self.region + "a", "tenancy": "default"},
                                              "subnetId": subnet, "privateIpAddress": self.private_ip(),
                                              "architecture": "x86_64", "rootDeviceType": "ebs",
                                              "rootDeviceName": "/dev/xvda", "virtualizationType": "hvm",
                                              "hypervisor": "xen", "ebsOptimized": False,
                                              "enaSupport": True}]}},
            ro=False, host="ec2.%s.amazonaws.com" % self.region)

    # -- sign-in events ------------------------------------------------------

    def signin(self, t, ident, name, *, ok=True, err=None, resp=None, ua=None, ip=None):
        """A signin.amazonaws.com event (ConsoleLogin, GetSigninToken, ...)."""
        rng = self.rng
        if resp is None:
            if name == "ConsoleLogin":
                resp = {"ConsoleLogin": "Success" if ok else "Failure"}
            elif name == "GetSigninToken":
                resp = {"credentials": {"accessKeyId": ident.get("accessKeyId", _ids(rng, "ASIA"))},
                        "GetSigninToken": "Success"} if ok else None
            else:
                resp = {name: "Success" if ok else "Failure"}
        extra = None
        if name == "ConsoleLogin":
            extra = {"LoginTo": "https://console.aws.amazon.com/console/home?region=%s&state=hashArgs"
                                "%%23&isauthcode=true" % self.region,
                     "MobileVersion": "No", "MFAUsed": "Yes" if ident.get("type") == "IAMUser" else "No"}
        elif name == "SwitchRole":
            extra = {"SwitchFrom": ident.get("arn", ""), "RedirectTo": "https://console.aws.amazon.com/"}
        # Only calls made from an existing console session carry
        # sessionCredentialFromConsole; a ConsoleLogin starts one.
        return self.record(t, ident, "signin.amazonaws.com", name, ip=ip or self.public_ip(),
                           ua=ua or rng.choice(USER_AGENTS_BROWSER), req=None, resp=resp, ro=False,
                           err=err, extra=extra, etype="AwsConsoleSignIn", version="1.09",
                           host="signin.aws.amazon.com", console=name != "ConsoleLogin")

    def background_login(self, t):
        x = self.rng.random()
        if x < 0.4:
            ok = self.rng.random() < 0.9
            return self.signin(t, self.iam_user(), "ConsoleLogin", ok=ok,
                               err=None if ok else {"errorMessage": "Failed authentication"})
        if x < 0.8:
            return self.signin(t, self.sso_session(t), "GetSigninToken")
        root = {"type": "Root", "principalId": self.acct, "arn": "arn:aws:iam::%s:root" % self.acct,
                "accountId": self.acct, "accessKeyId": ""}
        return self.signin(t, root, "ConsoleLogin")

    # The stolen instance-role session used in the console: browser UA from
    # an address outside AWS.
    def planted(self, t, kind):
        ident = self.instance_session(t)
        ident["sessionContext"]["attributes"]["mfaAuthenticated"] = "false"
        ip = "%d.%d.%d.%d" % (self.rng.choice([45, 91, 185, 193]), self.rng.randrange(256),
                              self.rng.randrange(256), self.rng.randrange(1, 255))
        ua = self.rng.choice(USER_AGENTS_BROWSER)
        denied = {"errorCode": "AccessDenied",
                  "errorMessage": "User: %s is not authorized to perform: signin:GetSigninToken" % ident["arn"]}
        if kind == "hit_console_login":
            return self.signin(t, ident, "ConsoleLogin", ip=ip, ua=ua)
        if kind == "hit_get_signin_token":
            return self.signin(t, ident, "GetSigninToken", ip=ip, ua=ua)
        if kind == "hit_token_null_error":
            return self.signin(t, ident, "GetSigninToken", ip=ip, ua=ua, err={"errorCode": None})
        if kind == "hit_token_empty_error":
            return self.signin(t, ident, "GetSigninToken", ip=ip, ua=ua, err={"errorMessage": ""})
        if kind == "hit_login_success_err":
            return self.signin(t, ident, "ConsoleLogin", ip=ip, ua=ua,
                               err={"errorMessage": "Session expired, signed in again"})
        if kind == "decoy_login_failed":
            return self.signin(t, ident, "ConsoleLogin", ok=False, ip=ip, ua=ua,
                               err={"errorMessage": "Failed authentication"})
        if kind == "decoy_login_failure_only":
            return self.signin(t, ident, "ConsoleLogin", ok=False, ip=ip, ua=ua)
        if kind == "decoy_sso_login":
            return self.signin(t, self.sso_session(t), "ConsoleLogin", ip=ip, ua=ua)
        if kind == "decoy_token_denied":
            return self.signin(t, ident, "GetSigninToken", ok=False, ip=ip, ua=ua, err=denied)
        if kind == "decoy_federated_token":
            fed = {"type": "FederatedUser", "principalId": "%s:%s" % (self.acct, ident["principalId"].split(":")[1]),
                   "arn": "arn:aws:sts::%s:federated-user/%s" % (self.acct, ident["principalId"].split(":")[1]),
                   "accountId": self.acct, "accessKeyId": _ids(self.rng, "ASIA"),
                   "sessionContext": {"sessionIssuer": {"type": "IAMUser", "principalId": self.a["users"][4]["id"],
                                                        "arn": "arn:aws:iam::%s:user/ci-runner" % self.acct,
                                                        "accountId": self.acct, "userName": "ci-runner"},
                                      "webIdFederationData": {},
                                      "attributes": {"creationDate": self.creation_date(t),
                                                     "mfaAuthenticated": "false"}}}
            return self.signin(t, fed, "GetSigninToken", ip=ip, ua=ua)
        if kind == "decoy_switch_role":
            return self.signin(t, ident, "SwitchRole", ip=ip, ua=ua)
        if kind == "decoy_lookup_events":
            analyst = self.sso_session(t)
            return self.record(
                t, analyst, "cloudtrail.amazonaws.com", "LookupEvents", ip=self.public_ip(),
                ua=self.rng.choice(USER_AGENTS_BROWSER),
                req={"lookupAttributes": [{"attributeKey": "EventName", "attributeValue": "ConsoleLogin"},
                                          {"attributeKey": "EventSource", "attributeValue": "signin.amazonaws.com"}],
                     "eventName": "ConsoleLogin", "principalId": ident["principalId"],
                     "outcome": "success", "maxResults": 50},
                resp=None, host="cloudtrail.%s.amazonaws.com" % self.region, console=True)
        raise ValueError(kind)


HIT_KINDS = [("hit_console_login", 50), ("hit_get_signin_token", 44), ("hit_token_null_error", 2),
             ("hit_token_empty_error", 2), ("hit_login_success_err", 2)]
DECOY_KINDS = [("decoy_login_failed", 20), ("decoy_login_failure_only", 10), ("decoy_sso_login", 25),
               ("decoy_token_denied", 20), ("decoy_federated_token", 8), ("decoy_switch_role", 7),
               ("decoy_lookup_events", 10)]

BACKGROUND = [("s3_get", 14), ("s3_put", 5), ("ec2_describe", 12), ("ssm_update", 8), ("sts", 12),
              ("kms", 13), ("iam", 6), ("lambda", 5), ("dynamodb", 7), ("cloudformation", 5),
              ("sns", 3), ("run_instances", 0.3)]


def _cumulative(pairs):
    total, out = 0.0, []
    for name, w in pairs:
        total += w
        out.append((total, name))
    return [(c / total, n) for c, n in out]


HIT_CUM, DECOY_CUM, BG_CUM = _cumulative(HIT_KINDS), _cumulative(DECOY_KINDS), _cumulative(BACKGROUND)
STREAM_CUM = _cumulative(list(zip(range(len(STREAMS)), STREAM_WEIGHTS)))


def pick(cum, x):
    for c, name in cum:
        if x < c:
            return name
    return cum[-1][1]


ACCOUNT_CACHE = {}


def file_spec(seed, index, n_files_nominal):
    """Stream, delivery time and RNG of file number `index`."""
    rng = random.Random("%s/%d" % (seed, index))
    acct, region = STREAMS[pick(STREAM_CUM, rng.random())]
    step = CORPUS_SPAN / n_files_nominal
    file_time = int(CORPUS_START + (index + 0.5) * step + rng.uniform(-0.4, 0.4) * step)
    return rng, acct, region, file_time


def generate_file(args):
    """Write file number `index` below `outdir`; return its metadata."""
    outdir, seed, index, n_files_nominal = args
    rng, acct, region, file_time = file_spec(seed, index, n_files_nominal)
    if acct not in ACCOUNT_CACHE:
        ACCOUNT_CACHE[acct] = build_account(acct)
    g = FileGen(rng, ACCOUNT_CACHE[acct], region, file_time)

    # Event times: on time is 1-15 minutes before delivery, late is 1-6 hours.
    entries = []
    for _ in range(RECORDS_PER_FILE):
        late = rng.random() < P_LATE
        t = file_time - (rng.uniform(3600, 6 * 3600) if late else rng.uniform(60, 900))
        entries.append((int(t), late))
    ontime = sorted(t for t, late in entries if not late)
    late_ts = [t for t, late in entries if late]
    times = ontime
    for t in late_ts:
        times.insert(rng.randrange(len(times) + 1), t)

    kinds = {}
    hit_times = []
    records = []
    for t in times:
        x = rng.random()
        if x < P_HIT:
            kind = pick(HIT_CUM, rng.random())
            rec = g.planted(t, kind)
            hit_times.append(rec["eventTime"])
        elif x < P_HIT + P_DECOY:
            kind = pick(DECOY_CUM, rng.random())
            rec = g.planted(t, kind)
        elif x < P_HIT + P_DECOY + P_BACKGROUND_LOGIN:
            kind = "background_login"
            rec = g.background_login(t)
        else:
            kind = pick(BG_CUM, rng.random())
            rec = background_record(g, kind, t)
        kinds[kind] = kinds.get(kind, 0) + 1
        records.append(json.dumps(rec, separators=(",", ":")))
    text = ('{"Records":[' + ",".join(records) + "]}").encode()

    stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(file_time))
    day = time.strftime("%Y/%m/%d", time.gmtime(file_time))
    suffix = "".join(rng.choice(ALNUM) for _ in range(16))
    rel = "AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz" % (
        acct, region, day, acct, region, stamp, suffix)
    path = os.path.join(outdir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    gz = gzip.compress(text, compresslevel=GZIP_LEVEL, mtime=0)
    with open(path, "wb") as f:
        f.write(gz)
    all_times = [iso(t) for t in times]
    return {"index": index, "path": rel, "late": len(late_ts), "records": len(records), "bytes": len(text), "gz_bytes": len(gz),
            "kinds": kinds, "hit_times": hit_times, "first": min(all_times), "last": max(all_times)}


def background_record(g, kind, t):
    if kind == "s3_get":
        return g.s3_object(t, "GetObject")
    if kind == "s3_put":
        return g.s3_object(t, "PutObject")
    return {"ec2_describe": g.ec2_describe, "ssm_update": g.ssm_update, "sts": g.sts_assume_role,
            "kms": g.kms_decrypt, "iam": g.iam_read, "lambda": g.lambda_invoke, "dynamodb": g.dynamodb,
            "cloudformation": g.cloudformation, "sns": g.sns_publish,
            "run_instances": g.run_instances}[kind](t)


def is_current(opts):
    """True if OUTDIR's manifest was written for these parameters by this
    version of the generator and the tree still has its files."""
    try:
        with open(os.path.join(opts.outdir, "manifest.json")) as f:
            m = json.load(f)
    except (OSError, ValueError):
        return False
    if (m.get("generator_sha256") != generator_digest() or m.get("seed") != opts.seed
            or m.get("mb") != opts.mb):
        return False
    n = sum(1 for _, _, names in os.walk(os.path.join(opts.outdir, "AWSLogs"))
            for name in names if name.endswith(".json.gz"))
    return n == m.get("files")


def _remove(outdir, rel):
    """Delete one generated file.  Its folder stays, even if empty: another
    worker may be about to write into it (removing it raced with that)."""
    os.remove(os.path.join(outdir, rel))


def parse_iso(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--mb", type=float, default=100, help="uncompressed size in MB (10^6 bytes), default 100")
    ap.add_argument("--seed", default="1", help="seed (any string), default 1")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--check", action="store_true",
                    help="generate nothing: exit 0 if OUTDIR already holds this corpus, else 1")
    opts = ap.parse_args()
    if opts.check:
        sys.exit(0 if is_current(opts) else 1)

    target = int(opts.mb * 1_000_000)
    n_nominal = max(1, math.ceil(target / (RECORDS_PER_FILE * NOMINAL_RECORD_BYTES)))
    if os.path.exists(opts.outdir):
        shutil.rmtree(opts.outdir)
    os.makedirs(opts.outdir)

    # Generate files in order, in batches, until the target is reached; the
    # result is the same whatever --jobs is.
    results, total, index = [], 0, 0
    batch = max(4, 4 * opts.jobs)
    started = time.time()
    with multiprocessing.Pool(opts.jobs) as pool:
        while total < target:
            args = [(opts.outdir, opts.seed, i, n_nominal) for i in range(index, index + batch)]
            for res in pool.imap(generate_file, args):
                if total >= target:
                    # Written by this batch past the target: drop it.
                    _remove(opts.outdir, res["path"])
                    continue
                results.append(res)
                total += res["bytes"]
            index += batch

    manifest = summarize(opts, results)
    with open(os.path.join(opts.outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    print("generated %d files, %d records, %.2f MB uncompressed (%.2f MB gzip) in %.1f s; "
          "%d rule matches, %d in the window from %s"
          % (manifest["files"], manifest["records"], manifest["uncompressed_bytes"] / 1e6,
             manifest["compressed_bytes"] / 1e6, time.time() - started, manifest["expected_matches"],
             manifest["expected_window_matches"], manifest["window_start"]), file=sys.stderr)


def summarize(opts, results):
    """The manifest: totals, time range, the window of query 4, expected counts."""
    kinds = {}
    for res in results:
        for k, n in res["kinds"].items():
            kinds[k] = kinds.get(k, 0) + n
    hit_times = [t for res in results for t in res["hit_times"]]
    first = min(res["first"] for res in results)
    last = max(res["last"] for res in results)
    t0, t1 = parse_iso(first), parse_iso(last)
    window_start = iso(t0 + int(0.9 * (t1 - t0)))
    return {
        "generator_sha256": generator_digest(),
        "seed": opts.seed,
        "mb": opts.mb,
        "files": len(results),
        "records": sum(res["records"] for res in results),
        "uncompressed_bytes": sum(res["bytes"] for res in results),
        "compressed_bytes": sum(res["gz_bytes"] for res in results),
        "first_event_time": first,
        "last_event_time": last,
        "window_start": window_start,
        "expected_matches": len(hit_times),
        "expected_window_matches": sum(1 for t in hit_times if t >= window_start),
        "late_records": sum(res["late"] for res in results),
        "kinds": dict(sorted(kinds.items())),
    }


if __name__ == "__main__":
    main()
