/*
** ct_rules.c — the detection rules, as one table of data, and the SQL
** functions that evaluate them.
**
** Each rule is an entry of ctRules[]: its upstream metadata, its ATT&CK
** mappings, and two predicates — one over a raw CloudTrail record, one over
** an Elastic (ECS) document.  ctRegisterRules() creates one scalar SQL
** function per entry, named after the rule, which accepts any record shape
** the reader knows (raw, ECS, search hit, EventBridge envelope, lookup-events
** item), unwraps it and calls the right predicate.  Adding a rule is adding
** an entry and its two predicates.
**
** Predicates never build a tree: they use the one-pass field scan of
** ct_fields.c (raw) or dotted-path lookups (ECS) and stop at the first
** condition that fails.  All comparisons are case-sensitive and made on
** JSON-unescaped text, as Elasticsearch compares keyword fields.
*/
#define _GNU_SOURCE 1   /* memmem() */
#include <string.h>
#include "ct_fields.h"
#include "ct_rules.h"
#include "ct_needle.h"
SQLITE_EXTENSION_INIT3

/* Longest string the helpers below decode on the stack; longer values are
** decoded into heap memory.  Principal ids are at most a few hundred bytes. */
#define CT_RULE_STACK_STR 512

/* True if JSON value v is a string whose decoded text is exactly z. */
static int ctStrIs(CtSpan v, const char *z){
  CtSpan b = ctJsonStringBody(v);
  return b.z!=0 && ct_json_key_eq(b, z, strlen(z));
}

/* True if JSON value v is a string whose decoded text, ASCII lower-cased,
** is exactly the lower-case z (Elastic lower-cases ConsoleLogin results). */
static int ctStrIsLower(CtSpan v, const char *z){
  CtSpan b = ctJsonStringBody(v);
  char aBuf[CT_RULE_STACK_STR];
  size_t n, i, nZ = strlen(z);
  if( b.z==0 || b.n>sizeof(aBuf) ) return 0;
  n = ct_json_unescape(b.z, b.n, aBuf);
  if( n!=nZ ) return 0;
  for(i=0; i<n; i++){
    char c = aBuf[i];
    if( c>='A' && c<='Z' ) c = (char)(c+32);
    if( c!=z[i] ) return 0;
  }
  return 1;
}

/* True if JSON value v is a string whose decoded text contains zNeedle
** (EQL stringContains, case-sensitive).  Returns -1 if out of memory. */
static int ctStrContains(CtSpan v, const char *zNeedle){
  CtSpan b = ctJsonStringBody(v);
  char aBuf[CT_RULE_STACK_STR], *zText = aBuf;
  size_t n;
  int bFound;
  if( b.z==0 ) return 0;
  if( memchr(b.z, '\\', b.n)==0 ){
    return memmem(b.z, b.n, zNeedle, strlen(zNeedle))!=0;
  }
  if( b.n>sizeof(aBuf) ){
    zText = sqlite3_malloc64(b.n);
    if( zText==0 ) return -1;
  }
  n = ct_json_unescape(b.z, b.n, zText);
  bFound = memmem(zText, n, zNeedle, strlen(zNeedle))!=0;
  if( zText!=aBuf ) sqlite3_free(zText);
  return bFound;
}

/* Tests for ctEcsAny(). */
#define CT_TEST_IS       0
#define CT_TEST_CONTAINS 1

static int ctTest(CtSpan v, int eTest, const char *zArg){
  return eTest==CT_TEST_IS ? ctStrIs(v, zArg) : ctStrContains(v, zArg)>0;
}

/*
** Elasticsearch keyword semantics: the field at zPath satisfies the test if
** its value does or, for an array, if any element does.
*/
static int ctEcsAny(CtSpan doc, const char *zPath, int eTest, const char *zArg){
  CtSpan v = ct_json_lookup(doc, zPath), e;
  size_t i = 1;
  if( v.z==0 ) return 0;
  if( v.z[0]!='[' ) return ctTest(v, eTest, zArg);
  while( ct_json_next_element(v.z, v.n, &i, &e) ){
    if( ctTest(e, eTest, zArg) ) return 1;
  }
  return 0;
}

/*
** ec2_console_login over a raw CloudTrail record.  The EQL clauses, in
** order: provider, action, outcome (computed as Elastic's pipeline does),
** identity type, user id.  event.dataset is aws.cloudtrail by definition.
*/
static int ctEc2ConsoleLoginRaw(CtSpan rec){
  CtFields f;
  const char *zOutcome;
  int bLower;
  ctFieldsRaw(rec, 0, &f);
  if( !ctStrIs(f.a[CT_F_EVENT_SOURCE], "signin.amazonaws.com") ) return 0;
  if( !ctStrIs(f.a[CT_F_EVENT_NAME], "ConsoleLogin")
   && !ctStrIs(f.a[CT_F_EVENT_NAME], "GetSigninToken") ) return 0;
  zOutcome = ctOutcomeRaw(&f, &bLower);
  if( bLower ){
    if( !ctStrIsLower(f.a[CT_F_CONSOLE_LOGIN], "success") ) return 0;
  }else if( strcmp(zOutcome, "success")!=0 ){
    return 0;
  }
  if( !ctStrIs(f.a[CT_F_IDENTITY_TYPE], "AssumedRole") ) return 0;
  return ctStrContains(f.a[CT_F_PRINCIPAL_ID], ":i-");
}

/* ec2_console_login over an Elastic document: the EQL query as written. */
static int ctEc2ConsoleLoginEcs(CtSpan doc){
  if( !ctEcsAny(doc, "event.dataset", CT_TEST_IS, "aws.cloudtrail")
   && !ctEcsAny(doc, "data_stream.dataset", CT_TEST_IS, "aws.cloudtrail") ){
    return 0;
  }
  if( !ctEcsAny(doc, "event.provider", CT_TEST_IS, "signin.amazonaws.com") ){
    return 0;
  }
  if( !ctEcsAny(doc, "event.action", CT_TEST_IS, "ConsoleLogin")
   && !ctEcsAny(doc, "event.action", CT_TEST_IS, "GetSigninToken") ){
    return 0;
  }
  if( !ctEcsAny(doc, "event.outcome", CT_TEST_IS, "success") ) return 0;
  if( !ctEcsAny(doc, "aws.cloudtrail.user_identity.type", CT_TEST_IS,
                "AssumedRole") ){
    return 0;
  }
  return ctEcsAny(doc, "user.id", CT_TEST_CONTAINS, ":i-");
}

/*
** The rule table.  Metadata is Elastic's "AWS EC2 Instance Console Login via
** Assumed Role", version 1 (prebuilt rule d1e5e410-…_1): name, id, query,
** index patterns, severity, risk, schedule, tags, references and threat
** mapping as Elastic published them; the description is ours.
*/
static const CtRule ctRules[] = {
  {
    "ec2_console_login",
    "d1e5e410-3e34-412e-9b1f-dd500b3b55cd",
    "AWS EC2 Instance Console Login via Assumed Role",
    "A successful AWS console sign-in (ConsoleLogin or GetSigninToken) by an "
    "assumed-role session whose session name is an EC2 instance id "
    "(principal id AROA…:i-…). Instance-profile credentials serve API calls "
    "from the instance, never interactive sign-in: such a login means the "
    "instance's temporary credentials were taken, typically from the "
    "instance metadata service, and used to open a console session.",
    "eql",
    "any where event.dataset == \"aws.cloudtrail\"\n"
    "   and event.provider == \"signin.amazonaws.com\"\n"
    "   and event.action in (\"ConsoleLogin\", \"GetSigninToken\") \n"
    "   and event.outcome == \"success\"\n"
    "   and aws.cloudtrail.user_identity.type == \"AssumedRole\"\n"
    "   and stringContains (user.id, \":i-\")\n",
    "[\"filebeat-*\",\"logs-aws.cloudtrail-*\"]",
    "high", 73, "5m", "now-6m", 100, 1, "Elastic", "Elastic License v2",
    "[\"Domain: Cloud\",\"Data Source: AWS\",\"Data Source: Amazon Web Services\","
    "\"Data Source: AWS EC2\",\"Data Source: AWS STS\","
    "\"Use Case: Identity and Access Audit\",\"Tactic: Lateral Movement\","
    "\"Tactic: Credential Access\"]",
    "[\"https://redcanary.com/blog/aws-sts/\","
    "\"https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "id_roles_providers_enable-console-custom-url.html/\"]",
    "signin.amazonaws.com", 2,
    ctEc2ConsoleLoginRaw, ctEc2ConsoleLoginEcs,
    {
      { "TA0008", "Lateral Movement", "T1021", "Remote Services",
        "T1021.007", "Cloud Services" },
      { "TA0008", "Lateral Movement", "T1550",
        "Use Alternate Authentication Material",
        "T1550.001", "Application Access Token" },
      { "TA0006", "Credential Access", 0, 0, 0, 0 },
    }
  },
};

int ctRuleCount(void){
  return (int)(sizeof(ctRules)/sizeof(ctRules[0]));
}

const CtRule *ctRule(int i){
  return (i>=0 && i<ctRuleCount()) ? &ctRules[i] : 0;
}

/*
** Evaluate rule p on the validated object obj of any shape, unwrapped by
** ctRecordUnwrap() (a digest, or a lookup item whose CloudTrailEvent is no
** JSON object, matches nothing), without the needle prefilter of the SQL
** function (the fuzz tests compare the two).
** Returns 1, 0, or -1 when out of memory.
*/
int ctRuleEvaluate(const CtRule *p, CtSpan obj){
  CtUnwrapped u;
  CtBuf dec = {0, 0};
  int r = 0;
  if( ctRecordUnwrap(obj, 0, &dec, &u) ) return -1;
  if( u.rec.z ) r = u.bEcs ? p->xEcs(u.rec) : p->xRaw(u.rec);
  sqlite3_free(dec.a);
  return r;
}

/* True if json (valid JSON) cannot match rule p: it lacks the rule's
** needle (ct_needle.c). */
static int ctRuleExcluded(const CtRule *p, const char *z, size_t n){
  return p->zNeedle!=0 && ctNeedleExcluded(z, n, p->zNeedle, p->iNeedlePair);
}

/*
** The SQL function of one rule: RULE(json) is 1 if the event matches, 0 if
** not, NULL if json is NULL or not a JSON object — never an error, so a scan
** over mixed data keeps going.  A value straight from the cloudtrail
** table's raw column carries CT_SUBTYPE_RECORD and is not validated again.
*/
static void ctRuleFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const CtRule *p = (const CtRule*)sqlite3_user_data(ctx);
  int eType = sqlite3_value_type(argv[0]), r;
  const char *z;
  size_t n, i, iEnd;
  CtSpan obj;
  (void)argc;
  if( eType!=SQLITE_TEXT && eType!=SQLITE_BLOB ) return;
  z = eType==SQLITE_TEXT ? (const char*)sqlite3_value_text(argv[0])
                         : (const char*)sqlite3_value_blob(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( z==0 ) return;
  i = ct_json_skip_ws(z, n, 0);
  if( i>=n || z[i]!='{' ) return;
  if( eType==SQLITE_TEXT && sqlite3_value_subtype(argv[0])==CT_SUBTYPE_RECORD ){
    iEnd = n;
    while( iEnd>i && CT_JSON_IS_WS(z[iEnd-1]) ) iEnd--;
  }else if( ct_json_validate(z, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, 0)!=CT_JSON_OK
         || ct_json_skip_ws(z, n, iEnd)!=n ){
    return;
  }
  if( ctRuleExcluded(p, z, n) ){
    sqlite3_result_int(ctx, 0);
    return;
  }
  obj.z = z+i;
  obj.n = iEnd-i;
  r = ctRuleEvaluate(p, obj);
  if( r<0 ) sqlite3_result_error_nomem(ctx);
  else sqlite3_result_int(ctx, r);
}

/*
** One function per rule.  They read only their argument: deterministic and
** innocuous, so saved views and indexes may use them even with
** PRAGMA trusted_schema=OFF.  SQLITE_SUBTYPE: they look at the argument's
** subtype (CT_SUBTYPE_RECORD).
*/
int ctRegisterRules(sqlite3 *db){
  int i, rc = SQLITE_OK;
  for(i=0; i<ctRuleCount() && rc==SQLITE_OK; i++){
    rc = sqlite3_create_function(db, ctRules[i].zRule, 1,
        SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS|SQLITE_SUBTYPE,
        (void*)&ctRules[i], ctRuleFunc, 0, 0);
  }
  return rc;
}
