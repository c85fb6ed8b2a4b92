/*
** ct_rules.h — the detection rules the extension implements, as data:
** metadata, ATT&CK mappings and the rule's query text, which the generic
** evaluator of ct_qeval.c compiles and runs.
*/
#ifndef CT_RULES_H
#define CT_RULES_H
#include "sqlite3ext.h"
#include "ct_json.h"
#include "ct_qeval.h"

/* One ATT&CK mapping: a tactic, optionally a technique and sub-technique
** (0 when absent).  URLs on attack.mitre.org are derived from the ids. */
typedef struct CtMitre CtMitre;
struct CtMitre {
  const char *zTacticId, *zTacticName;
  const char *zTechniqueId, *zTechniqueName;
  const char *zSubId, *zSubName;
};

/* Longest list of mappings one rule carries (a bound for the table). */
#define CT_MAX_MITRE 8

typedef struct CtRule CtRule;
struct CtRule {
  const char *zRule;          /* SQL function name, e.g. ec2_console_login */
  const char *zRuleId;        /* the upstream rule id */
  const char *zName, *zDescription;
  const char *zType;          /* "eql" or "kuery": the language of zQuery */
  const char *zQuery;         /* the upstream query: what the function runs */
  const char *zIndices;
  const char *zSeverity;
  int iRiskScore;
  const char *zInterval, *zLookback;
  int nMaxAlerts, iVersion;
  const char *zAuthor, *zLicense, *zTags, *zReferences;
  CtMitre aMitre[CT_MAX_MITRE];
};

/* One rule's query, compiled: read-only once ctRuleCompile() returns, so
** any number of threads may evaluate it at once (each with its own
** CtQDoc). */
typedef struct CtRuleProg CtRuleProg;

int ctRuleCount(void);
const CtRule *ctRule(int i);

/* Parse and compile p->zQuery.  SQLITE_NOMEM, or SQLITE_ERROR with
** *pzErr (sqlite3_malloc'd) when the query does not compile. */
int ctRuleCompile(const CtRule *p, CtRuleProg **pp, char **pzErr);
void ctRuleProgFree(CtRuleProg *pProg);
/* The prefilter text the evaluator derived from the query, or 0. */
const char *ctRuleProgNeedle(const CtRuleProg *pProg);
/* Evaluate the compiled rule on the valid JSON object obj of any shape,
** without the prefilter.  *ppDoc: 0 or a document of an earlier call to
** reuse (the caller frees it with ctQDocFree()).  1, 0, or -1 when out of
** memory. */
int ctRuleProgEval(const CtRuleProg *pProg, CtQDoc **ppDoc, CtSpan obj);
/* ctRuleProgEval() of rule p, compiled for this call (the fuzz tests
** compare it with the SQL function). */
int ctRuleEvaluate(const CtRule *p, CtSpan obj);
int ctRegisterRules(sqlite3 *db);

#endif
