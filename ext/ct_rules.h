/*
** ct_rules.h — the detection rules the extension implements, as data:
** metadata, ATT&CK mappings and a predicate per rule.
*/
#ifndef CT_RULES_H
#define CT_RULES_H
#include "sqlite3ext.h"
#include "ct_json.h"

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
  const char *zName, *zDescription, *zType, *zQuery, *zIndices;
  const char *zSeverity;
  int iRiskScore;
  const char *zInterval, *zLookback;
  int nMaxAlerts, iVersion;
  const char *zAuthor, *zLicense, *zTags, *zReferences;
  const char *zNeedle;        /* text every match contains (see ctRuleFunc) */
  size_t iNeedlePair;         /* offset of its rarest pair of bytes */
  int (*xRaw)(CtSpan rec);    /* predicate on a raw CloudTrail record */
  int (*xEcs)(CtSpan doc);    /* predicate on an Elastic document */
  CtMitre aMitre[CT_MAX_MITRE];
};

int ctRuleCount(void);
const CtRule *ctRule(int i);
int ctRuleEvaluate(const CtRule *p, CtSpan obj);
int ctRegisterRules(sqlite3 *db);

#endif
