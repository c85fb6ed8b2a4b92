/*
** ct_rules.c — the detection rules, as one table of data, and the SQL
** functions that evaluate them.
**
** Each rule is an entry of ctRules[]: its upstream metadata, its ATT&CK
** mappings and its upstream query text.  ctRegisterRules() compiles each
** query with the generic evaluator (ct_qeval.c) and creates one scalar SQL
** function per entry, named after the rule, which accepts any record shape
** the reader knows (raw, ECS, search hit, EventBridge envelope, lookup-events
** item) and runs the compiled query on it, behind the prefilter the
** evaluator derives from the query's literals (ct_needle.c).  Adding a rule
** is adding an entry.
*/
#include <string.h>
#include "ct_rules.h"
#include "ct_needle.h"
SQLITE_EXTENSION_INIT3

/*
** The rule table.  Metadata is Elastic's "AWS EC2 Instance Console Login via
** Assumed Role", version 1 (prebuilt rule d1e5e410-…_1): name, id, query,
** index patterns, severity, risk, schedule, tags, references and threat
** mapping as Elastic published them; the description is ours.  The query
** text is what ec2_console_login() evaluates.
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

struct CtRuleProg {
  CtQuery *pQuery;            /* the parsed zQuery, owned */
  CtQProg *pProg;             /* a program of this one rule, owned */
  int iRule;                  /* the rule in pProg */
  const char *zNeedle;        /* ctQProgNeedle(), or 0 */
  size_t iPair;               /* its rarest pair of bytes (ctNeedlePair) */
};

void ctRuleProgFree(CtRuleProg *p){
  if( p==0 ) return;
  ctQProgFree(p->pProg);
  ctQueryFree(p->pQuery);
  sqlite3_free(p);
}

/* Raw records are mapped as the "previous" pipeline generation does, as
** for eql_match() (ct_qeval.c). */
int ctRuleCompile(const CtRule *pRule, CtRuleProg **pp, char **pzErr){
  static const CtEcsConf def = { .eGen = CT_ECS_PREVIOUS };
  CtRuleProg *p = sqlite3_malloc64(sizeof(*p));
  int rc;
  *pp = 0;
  *pzErr = 0;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  rc = strcmp(pRule->zType, "eql")==0 ? ctEqlParse(pRule->zQuery, &p->pQuery, pzErr)
                                       : ctKqlParse(pRule->zQuery, &p->pQuery, pzErr);
  if( rc==SQLITE_OK ) rc = ctQProgNew(&def, &p->pProg);
  if( rc==SQLITE_OK ) rc = ctQProgAdd(p->pProg, p->pQuery, 0, &p->iRule, pzErr);
  if( rc ){ ctRuleProgFree(p); return rc; }
  p->zNeedle = ctQProgNeedle(p->pProg, p->iRule);
  if( p->zNeedle ) p->iPair = ctNeedlePair(p->zNeedle);
  *pp = p;
  return SQLITE_OK;
}

const char *ctRuleProgNeedle(const CtRuleProg *p){
  return p->zNeedle;
}

/* An object that holds no event (a digest, a lookup item whose
** CloudTrailEvent is no record) matches nothing: 0. */
int ctRuleProgEval(const CtRuleProg *p, CtQDoc **ppDoc, CtSpan obj){
  int r;
  if( ctQDocBegin(ppDoc, p->pProg, obj, 0) ){
    ctQDocEnd(*ppDoc);
    return -1;
  }
  r = ctQMatch(*ppDoc, p->iRule, 0);
  ctQDocEnd(*ppDoc);
  return r<0 ? -1 : r;
}

int ctRuleEvaluate(const CtRule *pRule, CtSpan obj){
  CtRuleProg *p = 0;
  CtQDoc *pDoc = 0;
  char *zErr = 0;
  int r;
  if( ctRuleCompile(pRule, &p, &zErr) ){
    sqlite3_free(zErr);
    return -1;
  }
  r = ctRuleProgEval(p, &pDoc, obj);
  ctQDocFree(pDoc);
  ctRuleProgFree(p);
  return r;
}

/*
** The SQL function of one rule: RULE(json) is 1 if the event matches, 0 if
** not, NULL if json is NULL or not a JSON object — never an error but
** out-of-memory, so a scan over mixed data keeps going.  The user data is
** the rule's compiled program, shared read-only; each call that passes the
** prefilter evaluates with a document of its own.
*/
static void ctRuleFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const CtRuleProg *p = (const CtRuleProg*)sqlite3_user_data(ctx);
  CtSpan obj = ctQJsonArg(argv[0]);
  CtQDoc *pDoc = 0;
  int r;
  (void)argc;
  if( obj.z==0 ) return;
  if( p->zNeedle && ctNeedleExcluded(obj.z, obj.n, p->zNeedle, p->iPair) ){
    sqlite3_result_int(ctx, 0);
    return;
  }
  r = ctRuleProgEval(p, &pDoc, obj);
  ctQDocFree(pDoc);
  if( r<0 ) sqlite3_result_error_nomem(ctx);
  else sqlite3_result_int(ctx, r);
}

static void ctRuleProgDestroy(void *pArg){
  ctRuleProgFree((CtRuleProg*)pArg);
}

/* Register rule p's function on db, its query compiled for the connection
** (freed with the function).  A query that does not compile is a bug of
** the table: SQLITE_ERROR. */
static int ctRegisterRule(sqlite3 *db, const CtRule *pRule){
  CtRuleProg *p = 0;
  char *zErr = 0;
  int rc = ctRuleCompile(pRule, &p, &zErr);
  sqlite3_free(zErr);
  if( rc ) return rc;
  /* On failure SQLite calls the destructor itself. */
  return sqlite3_create_function_v2(db, pRule->zRule, 1,
      SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS|SQLITE_SUBTYPE,
      p, ctRuleFunc, 0, 0, ctRuleProgDestroy);
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
    rc = ctRegisterRule(db, &ctRules[i]);
  }
  return rc;
}
