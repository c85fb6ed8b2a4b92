#!/usr/bin/python3
"""gen_demo.py -- write the bundled CloudTrail sample evidence.

Usage: /usr/bin/python3 tests/gen_demo.py OUTDIR

Writes OUTDIR/AWSLogs/... laid out as CloudTrail delivers to S3:

  AWSLogs/<acct>/CloudTrail/<region>/2026/11/20/<acct>_CloudTrail_<region>_<stamp>_<rand>.json.gz
  AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/..._20261120T100000Z.json.gz
  AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/20/...json.gz

Everything is invented: accounts 111122223333 and 444455556666, documentation
address ranges (198.51.100.0/24, 203.0.113.0/24, 192.0.2.0/24), private 10.x
addresses, example ids.  The output is byte-for-byte reproducible: a fixed
random seed, fixed timestamps, gzip with mtime=0 and no file name.

The tree holds one planted incident (EC2 instance role credentials used to
sign in to the console from outside AWS) plus decoys; fixtures/demo.md
describes it.  The generator prints a summary in Markdown, which is pasted
into fixtures/demo.md.

Python 3 standard library only.
"""

import gzip
import hashlib
import io
import json
import os
import random
import shutil
import string
import sys
import uuid
from datetime import datetime, timedelta, timezone

SEED = 20261120
DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)
WINDOW = timedelta(minutes=15)

ACCT_A = "111122223333"     # "prod": the planted incident happens here
ACCT_B = "444455556666"     # "dev"
BUCKET = "aws-cloudtrail-logs-111122223333-demo"
TRAIL = "org-management-trail"

rng = random.Random(SEED)


# --------------------------------------------------------------------------
# Small helpers

def T(hms):
    """A time of day on 2026-11-20 (UTC) from "HH:MM:SS"."""
    h, m, s = (int(x) for x in hms.split(":"))
    return DAY + timedelta(hours=h, minutes=m, seconds=s)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def aws_date(t):
    """The date format AWS uses inside responseElements."""
    h12 = t.hour % 12 or 12
    ampm = "AM" if t.hour < 12 else "PM"
    return "%s %d, %d, %d:%02d:%02d %s" % (
        t.strftime("%b"), t.day, t.year, h12, t.minute, t.second, ampm)


def new_uuid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def alnum(n, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def s3_request_id():
    return alnum(16, string.ascii_uppercase + string.digits)


def amz_id_2():
    # base64-looking, ends with '=' (which the writer escapes as \u003d)
    return alnum(75, string.ascii_letters + string.digits + "+/") + "="


def tls(host):
    if rng.random() < 0.7:
        return {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host}
    return {"tlsVersion": "TLSv1.2", "cipherSuite": "ECDHE-RSA-AES128-GCM-SHA256",
            "clientProvidedHostHeader": host}


def jitter(t, lo, hi):
    return t + timedelta(seconds=rng.randint(lo, hi))


# --------------------------------------------------------------------------
# Identities

def iam_user(acct, name, pid, key=None, console_since=None, mfa=False):
    ui = {"type": "IAMUser", "principalId": pid,
          "arn": "arn:aws:iam::%s:user/%s" % (acct, name), "accountId": acct}
    if key is not None:
        ui["accessKeyId"] = key
    ui["userName"] = name
    if console_since is not None:
        ui["sessionContext"] = {
            "sessionIssuer": {}, "webIdFederationData": {},
            "attributes": {"creationDate": iso(console_since),
                           "mfaAuthenticated": "true" if mfa else "false"}}
    return ui


def assumed_role(acct, role, role_id, session, key, created, path="/",
                 ec2=False):
    ctx = {"sessionIssuer": {"type": "Role", "principalId": role_id,
                             "arn": "arn:aws:iam::%s:role%s%s" % (acct, path, role),
                             "accountId": acct, "userName": role},
           "webIdFederationData": {},
           "attributes": {"creationDate": iso(created),
                          "mfaAuthenticated": "false"}}
    if ec2:
        ctx["ec2RoleDelivery"] = "2.0"
    return {"type": "AssumedRole", "principalId": "%s:%s" % (role_id, session),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role, session),
            "accountId": acct, "accessKeyId": key, "sessionContext": ctx}


def aws_service(svc):
    return {"type": "AWSService", "invokedBy": svc}


# Account A (prod) ---------------------------------------------------------
ALICE_LOGIN = T("08:03:12")
BOB_LOGIN = T("08:41:37")
JANE_LOGIN = T("08:27:09")

ALICE_ID = "AIDAEXAMPLEALICE00001"
BOB_A_ID = "AIDAEXAMPLEBOBPROD001"

WEB_ROLE = "demo-web-role"
WEB_ROLE_ID = "AROAEXAMPLEWEBROLE01"
WEB_INSTANCE = "i-0a1b2c3d4e5f60718"
WEB_KEY = "ASIAEXAMPLEWEBKEY001"          # the instance's role credentials
WEB_CREDS_AT = T("07:46:18")              # when EC2 delivered them
WEB_IP = "10.0.12.34"                     # the instance's private address
WEB_VPCE_S3 = "vpce-0a1b2c3d4e5f6a7b8"
WEB_VPCE_SSM = "vpce-0f1e2d3c4b5a69788"

ATTACKER_IP = "203.0.113.77"
ATTACKER_CONSOLE_KEY = "ASIAEXAMPLECONSOLE77"   # console session key
ATTACKER_CLI_UA = ("aws-cli/2.17.38 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-45-generic "
                   "md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard "
                   "md/installer#exe md/distrib#kali.2024 md/prompt#off md/command#sts.get-caller-identity")
ATTACKER_PY_UA = "python-requests/2.32.3"
ATTACKER_BROWSER = ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
                    "Firefox/128.0")

SSO_ROLE = "AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b"
SSO_ROLE_ID = "AROAEXAMPLESSO000001"
SSO_PATH = "/aws-reserved/sso.amazonaws.com/"
JANE = "jane@example.com"
JANE_IP = "192.0.2.10"
JANE_KEY = "ASIAEXAMPLEJANE00001"

ALICE_IP = "198.51.100.23"
BOB_IP = "198.51.100.45"
ALICE_KEY = "ASIAEXAMPLEALICE0001"
BOB_A_KEY = "ASIAEXAMPLEBOBPROD01"

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")
SAFARI = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
          "Gecko) Version/18.1 Safari/605.1.15")
EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")
SSM_AGENT_UA = "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.987.0"
APP_UA = ("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.112-122.189.amzn2023.x86_64 "
          "md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy "
          "Botocore/1.35.36")

# Account B (dev) ----------------------------------------------------------
BOB_B_ID = "AIDAEXAMPLEBOBDEV0001"
BOB_B_KEY = "ASIAEXAMPLEBOBDEV001"
BOB_B_LOGIN = T("08:22:04")
CI_ID = "AIDAEXAMPLECIDEPLOY01"
CI_KEY = "AKIAEXAMPLECIDEPLOY1"
CI_IP = "192.0.2.80"
CI_UA = ("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.8.0-1014-azure md/arch#x86_64 "
         "lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36 "
         "inventory-sync/0.9 (job=\"nightly\")")

ETL_ROLE = "etl-worker-role"
ETL_ROLE_ID = "AROAEXAMPLEETLROLE01"
ETL_INSTANCE = "i-0d5e6f708192a3b4c"
ETL_KEY = "ASIAEXAMPLEETLKEY001"
ETL_CREDS_AT = T("07:58:40")
ETL_IP = "10.20.3.41"
ETL_VPCE_S3 = "vpce-0c0ffee00ba5eba11"


def web_role(key=WEB_KEY):
    return assumed_role(ACCT_A, WEB_ROLE, WEB_ROLE_ID, WEB_INSTANCE, key,
                        WEB_CREDS_AT, ec2=True)


def etl_role():
    return assumed_role(ACCT_B, ETL_ROLE, ETL_ROLE_ID, ETL_INSTANCE, ETL_KEY,
                        ETL_CREDS_AT, ec2=True)


def jane():
    return assumed_role(ACCT_A, SSO_ROLE, SSO_ROLE_ID, JANE, JANE_KEY,
                        JANE_LOGIN, path=SSO_PATH)


def alice(console=True):
    return iam_user(ACCT_A, "alice", ALICE_ID, ALICE_KEY,
                    ALICE_LOGIN if console else None, mfa=True)


def bob_a():
    return iam_user(ACCT_A, "bob", BOB_A_ID, BOB_A_KEY, BOB_LOGIN, mfa=True)


def bob_b():
    return iam_user(ACCT_B, "bob", BOB_B_ID, BOB_B_KEY, BOB_B_LOGIN, mfa=True)


def ci():
    return iam_user(ACCT_B, "ci-deployer", CI_ID, CI_KEY)


# --------------------------------------------------------------------------
# Events

EVENTS = []        # dicts: {"t", "acct", "region", "rec", "late", "tag", "note"}


def add(t, acct, region, ident, source, name, *, ip, ua, req=None, resp=None,
        ro, err=None, extra_data=None, resources=None, etype="AwsApiCall",
        data=False, version="1.08", host=None, vpce=None, console=False,
        request_id=True, shared=False, late=None, tag=None, note=None,
        service_details=None):
    """Build one CloudTrail record, with keys in the order AWS writes them."""
    r = {"eventVersion": version}
    r["userIdentity"] = ident
    r["eventTime"] = iso(t)
    r["eventSource"] = source
    r["eventName"] = name
    r["awsRegion"] = region
    r["sourceIPAddress"] = ip
    r["userAgent"] = ua
    if err is not None:
        code, msg = err
        if code is not None:
            r["errorCode"] = code
        if msg is not None:
            r["errorMessage"] = msg
    r["requestParameters"] = req
    r["responseElements"] = resp
    if extra_data is not None:
        r["additionalEventData"] = extra_data
    if request_id:
        r["requestID"] = s3_request_id() if source == "s3.amazonaws.com" else new_uuid()
    r["eventID"] = new_uuid()
    r["readOnly"] = ro
    if resources is not None:
        r["resources"] = resources
    r["eventType"] = etype
    r["managementEvent"] = not data
    r["recipientAccountId"] = acct
    if service_details is not None:
        r["serviceEventDetails"] = service_details
    if shared:
        r["sharedEventID"] = new_uuid()
    if vpce is not None:
        r["vpcEndpointId"] = vpce
        r["vpcEndpointAccountId"] = acct
    r["eventCategory"] = "Data" if data else "Management"
    if host is not None:
        r["tlsDetails"] = tls(host)
    if console:
        r["sessionCredentialFromConsole"] = "true"
    EVENTS.append({"t": t, "acct": acct, "region": region, "rec": r,
                   "late": late, "tag": tag, "note": note})
    return r


def access_denied(arn, action, resource, reason="no identity-based policy allows the %s action"):
    return ("AccessDenied", "User: %s is not authorized to perform: %s on resource: %s because %s"
            % (arn, action, resource, reason % action if "%s" in reason else reason))


def s3_object(t, acct, region, ident, name, bucket, key, *, ip, ua, nbytes, vpce=None,
              ro=True, late=None, tag=None, note=None, err=None):
    host = "%s.s3.%s.amazonaws.com" % (bucket, region)
    return add(t, acct, region, ident, "s3.amazonaws.com", name, ip=ip, ua=ua,
               req={"bucketName": bucket, "Host": host, "key": key},
               resp=None if name == "GetObject" else {"x-amz-server-side-encryption": "aws:kms"},
               ro=ro, err=err,
               extra_data={"SignatureVersion": "SigV4",
                           "CipherSuite": "TLS_AES_128_GCM_SHA256",
                           "bytesTransferredIn": 0 if name == "GetObject" else nbytes,
                           "AuthenticationMethod": "AuthHeader",
                           "x-amz-id-2": amz_id_2(),
                           "bytesTransferredOut": nbytes if name == "GetObject" else 0},
               resources=[{"type": "AWS::S3::Object",
                           "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)},
                          {"accountId": acct, "type": "AWS::S3::Bucket",
                           "ARN": "arn:aws:s3:::%s" % bucket}],
               data=True, version="1.09", host=host, vpce=vpce, late=late,
               tag=tag, note=note)


def list_buckets(t, acct, ident, *, ip, ua, console=False, tag=None, note=None):
    return add(t, acct, "us-east-1", ident, "s3.amazonaws.com", "ListBuckets",
               ip=ip, ua=ua, req={"Host": "s3.amazonaws.com"}, resp=None, ro=True,
               extra_data={"SignatureVersion": "SigV4",
                           "CipherSuite": "TLS_AES_128_GCM_SHA256",
                           "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                           "x-amz-id-2": amz_id_2(), "bytesTransferredOut": 1384},
               version="1.09", host="s3.amazonaws.com", console=console,
               tag=tag, note=note)


def caller_identity(t, acct, region, ident, *, ip, ua, vpce=None, tag=None, note=None):
    return add(t, acct, region, ident, "sts.amazonaws.com", "GetCallerIdentity",
               ip=ip, ua=ua, ro=True, host="sts.%s.amazonaws.com" % region,
               vpce=vpce, tag=tag, note=note)


def ssm_heartbeat(t, acct, region, ident, instance, ip, *, computer, vpce=None):
    return add(t, acct, region, ident, "ssm.amazonaws.com", "UpdateInstanceInformation",
               ip=ip, ua=SSM_AGENT_UA,
               req={"instanceId": instance, "agentVersion": "3.3.987.0",
                    "agentStatus": "Active", "platformType": "Linux",
                    "platformName": "Amazon Linux", "platformVersion": "2023",
                    "iPAddress": ip, "computerName": computer,
                    "agentName": "amazon-ssm-agent", "availabilityZone": region + "a",
                    "availabilityZoneId": ("use1-az4" if region == "us-east-1" else "euw1-az2"),
                    "sSMConnectionChannel": "ssmmessages"},
               ro=False, host="ssm.%s.amazonaws.com" % region, vpce=vpce)


def role_creds_delivery(t, acct, region, role, role_id, session, key, *, late=None):
    """sts:AssumeRole made by EC2 to hand instance-profile credentials over."""
    role_arn = "arn:aws:iam::%s:role/%s" % (acct, role)
    return add(t, acct, region, aws_service("ec2.amazonaws.com"), "sts.amazonaws.com",
               "AssumeRole", ip="ec2.amazonaws.com", ua="ec2.amazonaws.com",
               req={"roleArn": role_arn, "roleSessionName": session},
               resp={"credentials": {"accessKeyId": key,
                                     "sessionToken": "IQoJb3JpZ2luX2VjEEXAMPLE" + alnum(40),
                                     "expiration": aws_date(t + timedelta(hours=6))},
                     "assumedRoleUser": {"assumedRoleId": "%s:%s" % (role_id, session),
                                         "arn": "arn:aws:sts::%s:assumed-role/%s/%s"
                                                % (acct, role, session)}},
               ro=True, resources=[{"accountId": acct, "type": "AWS::IAM::Role",
                                    "ARN": role_arn}],
               shared=True, late=late)


def kms_rotate_key(t, acct, region, key_id):
    """KMS's scheduled key rotation: an AWS service event, no identity type."""
    return add(t, acct, region, {"accountId": acct, "invokedBy": "kms.amazonaws.com"},
               "kms.amazonaws.com", "RotateKey", ip="kms.amazonaws.com", ua="kms.amazonaws.com",
               ro=False, request_id=False, etype="AwsServiceEvent",
               resources=[{"accountId": acct, "type": "AWS::KMS::Key",
                           "ARN": "arn:aws:kms:%s:%s:key/%s" % (region, acct, key_id)}],
               service_details={"keyId": key_id})


def config_assume(t, acct, region, *, late=None):
    role_arn = ("arn:aws:iam::%s:role/aws-service-role/config.amazonaws.com/"
                "AWSServiceRoleForConfig" % acct)
    return add(t, acct, region, aws_service("config.amazonaws.com"), "sts.amazonaws.com",
               "AssumeRole", ip="config.amazonaws.com", ua="config.amazonaws.com",
               req={"roleArn": role_arn, "roleSessionName": "AWSConfig-Describe"},
               resp={"credentials": {"accessKeyId": "ASIAEXAMPLECONFIG" + alnum(3, string.ascii_uppercase),
                                     "sessionToken": "IQoJb3JpZ2luX2VjEEXAMPLE" + alnum(40),
                                     "expiration": aws_date(t + timedelta(hours=1))},
                     "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLECONFIG001:AWSConfig-Describe",
                                         "arn": "arn:aws:sts::%s:assumed-role/"
                                                "AWSServiceRoleForConfig/AWSConfig-Describe"
                                                % acct}},
               ro=True, resources=[{"accountId": acct, "type": "AWS::IAM::Role",
                                    "ARN": role_arn}],
               shared=True, late=late)


def console_login(t, acct, region, ident, *, ip, ua, ok=True, mfa="Yes", err_msg=None,
                  login_to=None, tag=None, note=None):
    if login_to is None:
        login_to = ("https://console.aws.amazon.com/console/home?hashArgs=%%23&isauthcode=true"
                    "&state=hashArgsFromTB_%s_%s" % (region, alnum(16, "0123456789abcdef")))
    return add(t, acct, region, ident, "signin.amazonaws.com", "ConsoleLogin",
               ip=ip, ua=ua, err=(None, err_msg) if err_msg else None,
               req=None, resp={"ConsoleLogin": "Success" if ok else "Failure"},
               extra_data={"LoginTo": login_to, "MobileVersion": "No", "MFAUsed": mfa},
               request_id=False, ro=False, etype="AwsConsoleSignIn",
               version="1.09", host="%s.signin.aws.amazon.com" % region,
               tag=tag, note=note)


# --------------------------------------------------------------------------
# The scenario

def scenario_account_a_us_east_1():
    A, R = ACCT_A, "us-east-1"
    web_computer = "ip-10-0-12-34.ec2.internal"

    # EC2 hands demo-web-role credentials to the instance.
    role_creds_delivery(WEB_CREDS_AT, A, R, WEB_ROLE, WEB_ROLE_ID, WEB_INSTANCE, WEB_KEY)

    # The web instance going about its business all morning, from inside the VPC.
    t = T("07:48:05")
    n = 0
    while t < T("10:12:00"):
        ssm_heartbeat(t, A, R, web_role(), WEB_INSTANCE, WEB_IP,
                      computer=web_computer, vpce=WEB_VPCE_SSM)
        if n % 2 == 0:
            s3_object(jitter(t, 20, 200), A, R, web_role(), "GetObject",
                      "demo-web-config-111122223333", "app/settings.json",
                      ip=WEB_IP, ua=APP_UA, nbytes=2311, vpce=WEB_VPCE_S3)
        if n % 4 == 1:
            caller_identity(jitter(t, 30, 240), A, R, web_role(), ip=WEB_IP, ua=APP_UA)
        n += 1
        t = jitter(t, 270, 330)

    # Nested decoy: an ec2 call by the instance role whose request carries an
    # object that looks like a successful console login record.
    add(T("08:18:44"), A, R, web_role(), "ec2.amazonaws.com", "CreateTags",
        ip=WEB_IP, ua=APP_UA,
        req={"resourcesSet": {"items": [{"resourceId": WEB_INSTANCE}]},
             "tagSet": {"items": [{"key": "last-audit", "value": "2026-11-20"}]},
             "auditRecord": {"eventSource": "signin.amazonaws.com",
                             "eventName": "ConsoleLogin",
                             "eventType": "AwsConsoleSignIn",
                             "userIdentity": {"type": "AssumedRole",
                                              "principalId": "%s:%s" % (WEB_ROLE_ID, WEB_INSTANCE)},
                             "responseElements": {"ConsoleLogin": "Success"}}},
        resp={"_return": True}, ro=False, host="ec2.us-east-1.amazonaws.com",
        tag="decoy", note="nested decoy: eventSource ec2, ConsoleLogin only inside requestParameters")

    # AWS Config's service-linked role, a few times.
    for hms in ("08:01:30", "08:47:12", "09:36:55", "10:08:03"):
        config_assume(T(hms), A, R)
    config_assume(T("07:58:02"), A, R, late=timedelta(hours=1, minutes=50))

    # alice: console login with MFA, then looks around.
    console_login(ALICE_LOGIN, A, R, iam_user(ACCT_A, "alice", ALICE_ID),
                  ip=ALICE_IP, ua=CHROME, mfa="Yes", tag="decoy",
                  note="IAMUser console login (success, MFA)")
    al = alice()
    for hms, src, name, req, host in (
            ("08:03:40", "ec2.amazonaws.com", "DescribeInstances",
             {"instancesSet": {}, "filterSet": {}, "maxResults": 50}, "ec2.us-east-1.amazonaws.com"),
            ("08:03:41", "ec2.amazonaws.com", "DescribeInstanceStatus",
             {"instancesSet": {}, "filterSet": {}, "includeAllInstances": True}, "ec2.us-east-1.amazonaws.com"),
            ("08:04:18", "ec2.amazonaws.com", "DescribeSecurityGroups",
             {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}}, "ec2.us-east-1.amazonaws.com"),
            ("08:06:02", "iam.amazonaws.com", "GetAccountSummary", None, "iam.amazonaws.com"),
            ("08:06:05", "iam.amazonaws.com", "ListRoles", {"maxItems": 1000}, "iam.amazonaws.com"),
            ("08:09:30", "kms.amazonaws.com", "ListAliases", {"limit": 100}, "kms.us-east-1.amazonaws.com"),
            ("08:11:52", "cloudtrail.amazonaws.com", "DescribeTrails",
             {"includeShadowTrails": True}, "cloudtrail.us-east-1.amazonaws.com"),
            ("08:12:10", "cloudtrail.amazonaws.com", "LookupEvents",
             {"maxResults": 50, "lookupAttributes": [{"attributeKey": "ReadOnly", "attributeValue": "false"}]},
             "cloudtrail.us-east-1.amazonaws.com")):
        add(T(hms), A, R, al, src, name, ip=ALICE_IP, ua="AWS Internal" if src != "ec2.amazonaws.com" else CHROME,
            req=req, ro=True, host=host, console=True)
    for hms in ("08:12:11", "08:12:11"):
        add(T(hms), A, R, al, "cloudtrail.amazonaws.com", "LookupEvents", ip=ALICE_IP,
            ua="AWS Internal", req={"maxResults": 50, "lookupAttributes": [
                {"attributeKey": "ReadOnly", "attributeValue": "false"}]},
            err=("ThrottlingException", "Rate exceeded"), ro=True,
            host="cloudtrail.us-east-1.amazonaws.com", console=True)
    list_buckets(T("08:14:27"), A, al, ip=ALICE_IP, ua="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.771 "
                 "Linux/5.10.227-198.884.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.432-b08 "
                 "java/1.8.0_432 vendor/Oracle_Corporation cfg/retry-mode/standard]", console=True)

    # jane (IAM Identity Center): an AssumedRole console login whose session
    # name is an e-mail address -- must not fire.
    console_login(JANE_LOGIN, A, R, assumed_role(ACCT_A, SSO_ROLE, SSO_ROLE_ID, JANE, JANE_KEY,
                                                 JANE_LOGIN, path=SSO_PATH),
                  ip=JANE_IP, ua=SAFARI, mfa="No",
                  login_to="https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1",
                  tag="decoy", note="AssumedRole console login, session name is an e-mail (SSO)")
    jn = jane()
    for hms, src, name, req, host in (
            ("08:27:55", "ec2.amazonaws.com", "DescribeVpcs", {"vpcSet": {}, "filterSet": {}},
             "ec2.us-east-1.amazonaws.com"),
            ("08:28:31", "ec2.amazonaws.com", "DescribeSubnets", {"subnetSet": {}, "filterSet": {}},
             "ec2.us-east-1.amazonaws.com"),
            ("08:29:02", "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100},
             "monitoring.us-east-1.amazonaws.com"),
            ("08:33:47", "iam.amazonaws.com", "ListUsers", None, "iam.amazonaws.com")):
        add(T(hms), A, R, jn, src, name, ip=JANE_IP, ua=SAFARI, req=req, ro=True,
            host=host, console=True)

    # bob: console login, an AccessDenied, some S3 reading.
    console_login(BOB_LOGIN, A, R, iam_user(ACCT_A, "bob", BOB_A_ID),
                  ip=BOB_IP, ua=EDGE, mfa="Yes", tag="decoy",
                  note="IAMUser console login (success, MFA)")
    bb = bob_a()
    bob_arn = bb["arn"]
    add(T("08:42:20"), A, R, bb, "iam.amazonaws.com", "ListUsers", ip=BOB_IP,
        ua="AWS Internal", err=access_denied(bob_arn, "iam:ListUsers",
                                             "arn:aws:iam::%s:user/" % A),
        ro=True, host="iam.amazonaws.com", console=True)
    list_buckets(T("08:43:02"), A, bb, ip=BOB_IP, ua="AWS Internal", console=True)
    add(T("08:43:15"), A, R, bb, "s3.amazonaws.com", "GetBucketPolicy", ip=BOB_IP,
        ua="AWS Internal", req={"bucketName": "demo-web-assets-111122223333",
                                "Host": "demo-web-assets-111122223333.s3.us-east-1.amazonaws.com",
                                "policy": ""},
        ro=True, version="1.09", host="demo-web-assets-111122223333.s3.us-east-1.amazonaws.com",
        console=True)
    s3_object(T("08:44:09"), A, R, bb, "GetObject", "demo-web-assets-111122223333",
              "reports/2026/Q3 Übersicht & summary.pdf", ip=BOB_IP, ua="AWS Internal",
              nbytes=184233)
    add(T("08:47:40"), A, R, bb, "kms.amazonaws.com", "DescribeKey", ip=BOB_IP,
        ua="AWS Internal", req={"keyId": "alias/demo-web-assets"},
        ro=True, host="kms.us-east-1.amazonaws.com", console=True)
    s3_object(T("08:36:21"), A, R, web_role(), "GetObject", "demo-web-config-111122223333",
              "app/feature-flags.json", ip=WEB_IP, ua=APP_UA, nbytes=904, vpce=WEB_VPCE_S3,
              late=timedelta(hours=1, minutes=35))

    # ---- the planted incident -------------------------------------------
    stolen = web_role()
    console = web_role(ATTACKER_CONSOLE_KEY)
    caller_identity(T("09:10:27"), A, R, stolen, ip=ATTACKER_IP, ua=ATTACKER_CLI_UA,
                    tag="incident", note="attacker checks the stolen credentials")
    add(T("09:11:50"), A, R, stolen, "signin.amazonaws.com", "GetSigninToken",
        ip=ATTACKER_IP, ua=ATTACKER_PY_UA,
        err=("AccessDenied", "SessionDuration is not supported for role session credentials"),
        req=None, resp=None, request_id=False, ro=False, etype="AwsConsoleSignIn",
        version="1.09", host="signin.aws.amazon.com",
        tag="decoy", note="GetSigninToken by the instance principal with errorCode AccessDenied")
    add(T("09:12:41"), A, R, stolen, "signin.amazonaws.com", "GetSigninToken",
        ip=ATTACKER_IP, ua=ATTACKER_PY_UA, req=None,
        resp={"credentials": {"accessKeyId": WEB_KEY}, "GetSigninToken": "Success"},
        extra_data={"MobileVersion": "No"}, request_id=False, ro=False,
        etype="AwsConsoleSignIn", version="1.09", host="signin.aws.amazon.com",
        tag="alert", note="GetSigninToken, success")
    console_login(T("09:12:52"), A, R, stolen, ip=ATTACKER_IP, ua=ATTACKER_BROWSER,
                  ok=False, mfa="No", tag="decoy",
                  note="ConsoleLogin by the instance principal, ConsoleLogin \"Failure\", "
                       "no errorCode/errorMessage (a replayed stale token)")
    console_login(T("09:13:05"), A, R, stolen, ip=ATTACKER_IP, ua=ATTACKER_BROWSER,
                  ok=True, mfa="No",
                  login_to="https://console.aws.amazon.com/console/home?region=us-east-1"
                           "&isauthcode=true",
                  tag="alert", note="ConsoleLogin, success")
    cn_arn = console["arn"]
    add(T("09:14:30"), A, R, console, "iam.amazonaws.com", "ListUsers", ip=ATTACKER_IP,
        ua="AWS Internal", ro=True, host="iam.amazonaws.com", console=True,
        tag="incident", note="enumerates IAM users")
    add(T("09:16:02"), A, R, console, "iam.amazonaws.com", "CreateUser", ip=ATTACKER_IP,
        ua="AWS Internal", req={"userName": "backup-admin"},
        resp={"user": {"path": "/", "userName": "backup-admin",
                       "userId": "AIDAEXAMPLEBACKUPADM1",
                       "arn": "arn:aws:iam::%s:user/backup-admin" % A,
                       "createDate": aws_date(T("09:16:02"))}},
        ro=False, host="iam.amazonaws.com", console=True,
        tag="incident", note="creates IAM user backup-admin")
    add(T("09:16:40"), A, R, console, "iam.amazonaws.com", "AttachUserPolicy",
        ip=ATTACKER_IP, ua="AWS Internal",
        req={"userName": "backup-admin",
             "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        ro=False, host="iam.amazonaws.com", console=True,
        tag="incident", note="attaches AdministratorAccess to backup-admin")
    add(T("09:17:15"), A, R, console, "iam.amazonaws.com", "CreateAccessKey",
        ip=ATTACKER_IP, ua="AWS Internal", req={"userName": "backup-admin"},
        resp={"accessKey": {"userName": "backup-admin",
                            "accessKeyId": "AKIAEXAMPLEBACKUP001", "status": "Active",
                            "createDate": aws_date(T("09:17:15"))}},
        ro=False, host="iam.amazonaws.com", console=True,
        tag="incident", note="creates an access key for backup-admin")
    list_buckets(T("09:21:10"), A, console, ip=ATTACKER_IP, ua="AWS Internal", console=True,
                 tag="incident", note="lists buckets")
    s3_object(T("09:23:44"), A, R, console, "GetObject", "demo-finance-records-111122223333",
              "exports/2026-11/customers.csv", ip=ATTACKER_IP,
              ua="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.771 "
                 "Linux/5.10.227-198.884.amzn2int.x86_64]",
              nbytes=5821177, tag="incident", note="downloads customers.csv from the finance bucket")
    add(T("09:31:05"), A, R, console, "ec2.amazonaws.com", "DescribeInstances",
        ip=ATTACKER_IP, ua=ATTACKER_BROWSER,
        req={"instancesSet": {}, "filterSet": {}, "maxResults": 1000}, ro=True,
        host="ec2.us-east-1.amazonaws.com", console=True,
        tag="incident", note="lists instances")
    add(T("09:34:20"), A, R, console, "secretsmanager.amazonaws.com", "GetSecretValue",
        ip=ATTACKER_IP, ua="AWS Internal",
        err=access_denied(cn_arn, "secretsmanager:GetSecretValue",
                          "arn:aws:secretsmanager:us-east-1:%s:secret:prod/db/master-AbCdEf" % A),
        req={"secretId": "prod/db/master"}, ro=True,
        host="secretsmanager.us-east-1.amazonaws.com", console=True,
        tag="incident", note="AccessDenied reading a secret")

    # KMS key rotation, an AWS service event without a userIdentity type.
    kms_rotate_key(T("10:05:00"), A, R, "1234abcd-12ab-34cd-56ef-1234567890ab")


def scenario_backup_admin_key():
    """Persistence: the access key the attacker created for backup-admin is
    used from the attacker's address half an hour later.  Drawn from its own
    random generator, so adding it changed no other id in the tree."""
    global rng
    saved, rng = rng, random.Random(SEED + 1)
    try:
        A, R = ACCT_A, "us-east-1"
        backup = iam_user(A, "backup-admin", "AIDAEXAMPLEBACKUPADM1",
                          key="AKIAEXAMPLEBACKUP001")
        caller_identity(T("09:41:12"), A, R, backup, ip=ATTACKER_IP,
                        ua=ATTACKER_CLI_UA, tag="incident",
                        note="backup-admin's new key used from the attacker's address")
        add(T("09:41:40"), A, R, backup, "iam.amazonaws.com",
            "ListAttachedUserPolicies", ip=ATTACKER_IP, ua=ATTACKER_CLI_UA,
            req={"userName": "backup-admin"}, ro=True, host="iam.amazonaws.com",
            tag="incident", note="backup-admin checks its AdministratorAccess")
    finally:
        rng = saved


def scenario_account_a_eu_west_1():
    A, R = ACCT_A, "eu-west-1"
    al = alice()
    for hms, src, name, req in (
            ("08:16:40", "ec2.amazonaws.com", "DescribeInstances",
             {"instancesSet": {}, "filterSet": {}, "maxResults": 50}),
            ("08:16:41", "ec2.amazonaws.com", "DescribeVolumes",
             {"volumeSet": {}, "filterSet": {}}),
            ("08:17:09", "ec2.amazonaws.com", "DescribeSnapshots",
             {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "filterSet": {}}),
            ("08:18:30", "rds.amazonaws.com", "DescribeDBInstances", None),
            ("08:19:02", "rds.amazonaws.com", "DescribeDBClusters", {"includeShared": False}),
            ("08:24:51", "kms.amazonaws.com", "ListKeys", {"limit": 1000}),
            ("08:31:20", "logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
            ("08:31:22", "logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
            ("08:52:14", "ec2.amazonaws.com", "DescribeInstances",
             {"instancesSet": {}, "filterSet": {}, "maxResults": 50}),
            ("08:53:40", "ec2.amazonaws.com", "DescribeSecurityGroups",
             {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}})):
        host = "%s.eu-west-1.amazonaws.com" % src.split(".")[0]
        err = None
        if name == "DescribeLogGroups" and hms == "08:31:22":
            err = ("ThrottlingException", "Rate exceeded")
        add(T(hms), A, R, al, src, name, ip=ALICE_IP,
            ua=CHROME if src == "ec2.amazonaws.com" else "AWS Internal",
            req=req, ro=True, err=err, host=host, console=True)
    kms_denied = access_denied(al["arn"], "kms:Decrypt",
                               "arn:aws:kms:eu-west-1:%s:key/5678efgh-56ef-78ab-90cd-5678901234cd" % A,
                               reason="of an explicit deny in a service control policy")
    add(T("08:25:33"), A, R, al, "kms.amazonaws.com", "Decrypt", ip=ALICE_IP, ua="AWS Internal",
        req={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, err=kms_denied, ro=True,
        host="kms.eu-west-1.amazonaws.com", console=True)
    for hms in ("08:20:51", "08:50:39", "09:35:10"):
        config_assume(T(hms), A, R)
    config_assume(T("08:18:15"), A, R, late=timedelta(hours=1, minutes=15))
    kms_rotate_key(T("09:30:00"), A, R, "5678efgh-56ef-78ab-90cd-5678901234cd")


def scenario_account_b_us_east_1():
    B, R = ACCT_B, "us-east-1"
    # bob mistypes his password, then gets in.
    console_login(T("08:21:30"), B, R, {"type": "IAMUser", "principalId": BOB_B_ID,
                                        "accountId": B, "accessKeyId": "", "userName": "bob"},
                  ip=BOB_IP, ua=EDGE, ok=False, mfa="No", err_msg="Failed authentication",
                  tag="decoy", note="IAMUser console login, failed (errorMessage set)")
    console_login(BOB_B_LOGIN, B, R, iam_user(B, "bob", BOB_B_ID), ip=BOB_IP, ua=EDGE,
                  mfa="Yes", tag="decoy", note="IAMUser console login (success, MFA)")
    bb = bob_b()
    for hms, src, name, req, host in (
            ("08:22:40", "ec2.amazonaws.com", "DescribeInstances",
             {"instancesSet": {}, "filterSet": {}}, "ec2.us-east-1.amazonaws.com"),
            ("08:23:12", "iam.amazonaws.com", "GetUser", {"userName": "bob"}, "iam.amazonaws.com"),
            ("08:23:13", "iam.amazonaws.com", "ListAccessKeys", {"userName": "bob"}, "iam.amazonaws.com"),
            ("08:23:13", "iam.amazonaws.com", "ListMFADevices", {"userName": "bob"}, "iam.amazonaws.com")):
        add(T(hms), B, R, bb, src, name, ip=BOB_IP, ua="AWS Internal", req=req, ro=True,
            host=host, console=True)
    add(T("08:25:01"), B, R, bb, "iam.amazonaws.com", "CreateRole", ip=BOB_IP, ua="AWS Internal",
        req={"roleName": "lambda-test",
             "assumeRolePolicyDocument": json.dumps(
                 {"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                      "Action": "sts:AssumeRole"}]}, indent=2)},
        err=access_denied(bb["arn"], "iam:CreateRole", "arn:aws:iam::%s:role/lambda-test" % B,
                          reason="no permissions boundary allows the %s action"),
        ro=False, host="iam.amazonaws.com", console=True)

    # ci-deployer: a CI job with long-term keys, from outside AWS.
    cd = ci()
    t = T("08:26:10")
    for i in range(4):
        caller_identity(t, B, R, cd, ip=CI_IP, ua=CI_UA)
        add(jitter(t, 2, 8), B, R, cd, "cloudformation.amazonaws.com", "DescribeStacks",
            ip=CI_IP, ua=CI_UA, req={"stackName": "demo-dev-api"}, ro=True,
            host="cloudformation.us-east-1.amazonaws.com")
        add(jitter(t, 9, 15), B, R, cd, "ecr.amazonaws.com", "GetAuthorizationToken",
            ip=CI_IP, ua=CI_UA, req={"registryIds": [B]},
            resp={"authorizationData": [{"authorizationToken": "HIDDEN_DUE_TO_SECURITY_REASONS",
                                         "expiresAt": aws_date(t + timedelta(hours=12)),
                                         "proxyEndpoint": "https://%s.dkr.ecr.us-east-1.amazonaws.com" % B}]},
            ro=True, host="api.ecr.us-east-1.amazonaws.com")
        if i in (1, 3):
            for k in range(3 if i == 1 else 2):
                add(jitter(t, 16, 20), B, R, cd, "ssm.amazonaws.com", "GetParametersByPath",
                    ip=CI_IP, ua=CI_UA,
                    req={"path": "/demo/dev/api/", "recursive": True, "withDecryption": True},
                    err=("ThrottlingException", "Rate exceeded") if k < 2 else None,
                    ro=True, host="ssm.us-east-1.amazonaws.com")
        t = jitter(t, 600, 700)
    config_assume(T("08:58:44"), B, R)


def scenario_account_b_eu_west_1():
    B, R = ACCT_B, "eu-west-1"
    computer = "ip-10-20-3-41.eu-west-1.compute.internal"
    role_creds_delivery(ETL_CREDS_AT, B, R, ETL_ROLE, ETL_ROLE_ID, ETL_INSTANCE, ETL_KEY,
                        late=timedelta(hours=1, minutes=5))
    er = etl_role()
    t = T("08:31:22")
    n = 0
    while t < T("09:28:00"):
        ssm_heartbeat(t, B, R, er, ETL_INSTANCE, ETL_IP, computer=computer)
        if n % 4 == 0:
            caller_identity(jitter(t, 5, 60), B, R, er, ip=ETL_IP, ua=APP_UA)
        n += 1
        t = jitter(t, 270, 330)
        if n % 2:
            continue
        batch = "batch-%04d" % (n // 2 + 311)
        s3_object(jitter(t, 60, 120), B, R, er, "GetObject", "demo-etl-staging-444455556666",
                  "incoming/%s/part-00000.parquet" % batch, ip=ETL_IP, ua=APP_UA,
                  nbytes=rng.randint(400000, 900000), vpce=ETL_VPCE_S3)
        add(jitter(t, 121, 150), B, R, er, "kms.amazonaws.com", "GenerateDataKey",
            ip=ETL_IP, ua=APP_UA,
            req={"keyId": "alias/demo-etl", "keySpec": "AES_256",
                 "encryptionContext": {"aws:s3:arn": "arn:aws:s3:::demo-etl-staging-444455556666/"
                                                     "processed/%s/part-00000.parquet" % batch}},
            ro=True, host="kms.eu-west-1.amazonaws.com",
            resources=[{"accountId": B, "type": "AWS::KMS::Key",
                        "ARN": "arn:aws:kms:eu-west-1:%s:key/9abc0123-9abc-0123-4567-89abcdef0123" % B}])
        s3_object(jitter(t, 151, 200), B, R, er, "PutObject", "demo-etl-staging-444455556666",
                  "processed/%s/part-00000.parquet" % batch, ip=ETL_IP, ua=APP_UA,
                  nbytes=rng.randint(200000, 500000), vpce=ETL_VPCE_S3, ro=False)
    # The ETL role tries to read a bucket it has no grant on.
    s3_object(T("09:12:07"), B, R, er, "GetObject", "demo-analytics-444455556666",
              "exports/daily.csv", ip=ETL_IP, ua=APP_UA, nbytes=0, vpce=ETL_VPCE_S3,
              err=("AccessDenied", "Access Denied"))
    add(T("09:03:15"), B, R, ci(), "ec2.amazonaws.com", "DescribeImages", ip=CI_IP, ua=CI_UA,
        req={"executableBySet": {}, "imagesSet": {}, "ownersSet": {"items": [{"owner": "self"}]},
             "filterSet": {"items": [{"name": "tag:app", "valueSet": {"items": [{"value": "demo-api"}]}}]}},
        ro=True, host="ec2.eu-west-1.amazonaws.com")


# --------------------------------------------------------------------------
# Writing

def dumps(obj):
    """Compact JSON the way CloudTrail writes it: UTF-8, and the characters
    Gson escapes for HTML safety (& = < > ') as \\u00XX."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for ch in "&=<>'":
        s = s.replace(ch, "\\u%04x" % ord(ch))
    return s


def gz_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", mtime=0, fileobj=buf) as f:
        f.write(data)
    return buf.getvalue()


def stamp(t):
    return t.strftime("%Y%m%dT%H%MZ")


def write(outdir, key, payload):
    path = os.path.join(outdir, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    blob = gz_bytes(payload)
    with open(path, "wb") as f:
        f.write(blob)
    return len(blob)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: gen_demo.py OUTDIR\n")
        return 2
    outdir = argv[1]
    root = os.path.join(outdir, "AWSLogs")
    if os.path.isdir(root):
        shutil.rmtree(root)

    scenario_account_a_us_east_1()
    scenario_account_a_eu_west_1()
    scenario_account_b_us_east_1()
    scenario_account_b_eu_west_1()
    scenario_backup_admin_key()

    # Bucket events into delivery files: one per (account, region, 15-minute
    # window of delivery).  Late events are delivered `late` after they happen.
    buckets = {}
    for e in EVENTS:
        deliver = e["t"] + (e["late"] or timedelta(0))
        win = int((deliver - DAY) / WINDOW)
        buckets.setdefault((e["acct"], e["region"], win), []).append(e)

    logfiles = []      # dicts: key, acct, region, stamp, events, raw
    for (acct, region, win) in sorted(buckets):
        evs = buckets[(acct, region, win)]
        on_time = sorted((e for e in evs if not e["late"]), key=lambda e: e["t"])
        late = [e for e in evs if e["late"]]
        ordered = on_time + late
        ts = DAY + (win + 1) * WINDOW + timedelta(minutes=rng.randint(0, 4))
        for e in late:
            lag = ts - e["t"]
            assert timedelta(hours=1) <= lag <= timedelta(hours=3), (e["rec"]["eventID"], lag)
        name = "%s_CloudTrail_%s_%s_%s.json.gz" % (acct, region, stamp(ts), alnum(16))
        key = "AWSLogs/%s/CloudTrail/%s/%s/%s" % (acct, region, ts.strftime("%Y/%m/%d"), name)
        raw = dumps({"Records": [e["rec"] for e in ordered]}).encode("utf-8")
        for e in ordered:
            e["file"] = key
        logfiles.append({"key": key, "acct": acct, "region": region, "stamp": ts,
                         "events": ordered, "raw": raw})

    total_gz = 0
    for lf in logfiles:
        lf["gz"] = write(outdir, lf["key"], lf["raw"])
        total_gz += lf["gz"]

    # CloudTrail Insights: an API call rate insight on AttachUserPolicy.
    ins_arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT_A, WEB_ROLE, WEB_INSTANCE)
    shared = new_uuid()

    def insight(state, t, duration=None):
        stats = {"baseline": {"average": 0.0}, "insight": {"average": 1.0}}
        if duration is not None:
            stats["insightDuration"] = duration
        stats["baselineDuration"] = 10079
        return {"eventVersion": "1.08", "eventTime": iso(t), "awsRegion": "us-east-1",
                "eventID": new_uuid(), "eventType": "AwsCloudTrailInsight",
                "recipientAccountId": ACCT_A, "sharedEventID": shared,
                "insightDetails": {
                    "state": state, "eventSource": "iam.amazonaws.com",
                    "eventName": "AttachUserPolicy", "insightType": "ApiCallRateInsight",
                    "insightContext": {
                        "statistics": stats,
                        "attributions": [
                            {"attribute": "userIdentityArn",
                             "insight": [{"value": ins_arn, "average": 1.0}], "baseline": []},
                            {"attribute": "userAgent",
                             "insight": [{"value": "AWS Internal", "average": 1.0}],
                             "baseline": [{"value": "console.amazonaws.com", "average": 0.0}]},
                            {"attribute": "errorCode",
                             "insight": [{"value": "null", "average": 1.0}],
                             "baseline": [{"value": "null", "average": 0.0}]}]}},
                "eventCategory": "Insight"}
    insights = [insight("Start", T("09:16:00")), insight("End", T("09:18:00"), duration=2)]
    ins_ts = T("09:36:00")
    ins_key = "AWSLogs/%s/CloudTrail-Insight/us-east-1/%s/%s_CloudTrail-Insight_us-east-1_%s_%s.json.gz" % (
        ACCT_A, ins_ts.strftime("%Y/%m/%d"), ACCT_A, stamp(ins_ts), alnum(16))
    ins_gz = write(outdir, ins_key, dumps({"Records": insights}).encode("utf-8"))
    total_gz += ins_gz

    # The digest for account A, us-east-1, 09:00-10:00.
    d_start, d_end = T("09:00:00"), T("10:00:00")
    dig_dir = "AWSLogs/%s/CloudTrail-Digest/us-east-1/%s" % (ACCT_A, d_end.strftime("%Y/%m/%d"))
    dig_name = "%s_CloudTrail-Digest_us-east-1_%s_us-east-1_%s.json.gz"
    dig_key = "%s/%s" % (dig_dir, dig_name % (ACCT_A, TRAIL, d_end.strftime("%Y%m%dT%H%M%SZ")))
    prev_key = "%s/%s" % (dig_dir, dig_name % (ACCT_A, TRAIL, d_start.strftime("%Y%m%dT%H%M%SZ")))
    covered = [lf for lf in logfiles if lf["acct"] == ACCT_A and lf["region"] == "us-east-1"
               and d_start <= lf["stamp"] < d_end]
    entries = []
    for lf in covered:
        times = sorted(e["rec"]["eventTime"] for e in lf["events"])
        entries.append({"s3Bucket": BUCKET, "s3Object": lf["key"],
                        "hashValue": hashlib.sha256(lf["raw"]).hexdigest(),
                        "hashAlgorithm": "SHA-256",
                        "newestEventTime": times[-1], "oldestEventTime": times[0]})
    digest = {"awsAccountId": ACCT_A,
              "digestStartTime": iso(d_start), "digestEndTime": iso(d_end),
              "digestS3Bucket": BUCKET, "digestS3Object": dig_key,
              "digestPublicKeyFingerprint": alnum(32, "0123456789abcdef"),
              "digestSignatureAlgorithm": "SHA256withRSA",
              "newestEventTime": max(x["newestEventTime"] for x in entries),
              "oldestEventTime": min(x["oldestEventTime"] for x in entries),
              "previousDigestS3Bucket": BUCKET, "previousDigestS3Object": prev_key,
              "previousDigestHashValue": alnum(64, "0123456789abcdef"),
              "previousDigestHashAlgorithm": "SHA-256",
              "previousDigestSignature": alnum(512, "0123456789abcdef"),
              "logFiles": entries}
    dig_gz = write(outdir, dig_key, dumps(digest).encode("utf-8"))
    total_gz += dig_gz

    summary(logfiles, insights, ins_key, dig_key, entries, total_gz)
    return 0


def summary(logfiles, insights, ins_key, dig_key, entries, total_gz):
    out = sys.stdout.write
    nrec = sum(len(lf["events"]) for lf in logfiles)
    out("## Summary (printed by tests/gen_demo.py)\n\n")
    out("| account | region | log files | records |\n|---|---|---:|---:|\n")
    groups = {}
    for lf in logfiles:
        g = groups.setdefault((lf["acct"], lf["region"]), [0, 0])
        g[0] += 1
        g[1] += len(lf["events"])
    for (acct, region), (nf, nr) in sorted(groups.items()):
        out("| %s | %s | %d | %d |\n" % (acct, region, nf, nr))
    out("| **total** | | **%d** | **%d** |\n\n" % (len(logfiles), nrec))
    out("- Insight file: 1 (`%s`), %d records\n" % (os.path.basename(ins_key), len(insights)))
    out("- Digest file: 1 (`%s`), covering %d log files (none are records)\n"
        % (os.path.basename(dig_key), len(entries)))
    out("- Rows `cloudtrail()` should return: %d log + %d insight = **%d**\n"
        % (nrec, len(insights), nrec + len(insights)))
    out("- Files in the tree: %d (%d log + 1 insight + 1 digest), %d bytes compressed\n\n"
        % (len(logfiles) + 2, len(logfiles), total_gz))

    out("### Log files\n\n| file | records | late records |\n|---|---:|---:|\n")
    for lf in logfiles:
        out("| `%s` | %d | %d |\n" % (os.path.basename(lf["key"]), len(lf["events"]),
                                     sum(1 for e in lf["events"] if e["late"])))
    out("\n")

    def row(e):
        r = e["rec"]
        return "| %s | %s | %s | %s | %s | `%s` | %s |\n" % (
            r["eventTime"], r["eventSource"].split(".")[0], r["eventName"],
            r.get("errorCode", ""), r["sourceIPAddress"], r["eventID"], e["note"])
    hdr = ("| eventTime | source | eventName | errorCode | sourceIP | eventID | what |\n"
           "|---|---|---|---|---|---|---|\n")
    for title, tag in (("Alerts (must fire)", "alert"),
                       ("Incident activity (must not fire)", "incident"),
                       ("Decoys (must not fire)", "decoy")):
        sel = sorted((e for e in EVENTS if e["tag"] == tag), key=lambda e: e["t"])
        out("### %s: %d\n\n" % (title, len(sel)) + hdr)
        for e in sel:
            out(row(e))
        out("\n")
    out("### Late-delivered records: %d\n\n| eventTime | eventName | eventID | file |\n"
        "|---|---|---|---|\n" % sum(1 for e in EVENTS if e["late"]))
    for e in sorted((e for e in EVENTS if e["late"]), key=lambda e: e["t"]):
        out("| %s | %s | `%s` | `%s` |\n" % (e["rec"]["eventTime"], e["rec"]["eventName"],
                                           e["rec"]["eventID"], os.path.basename(e["file"])))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
