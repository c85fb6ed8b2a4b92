/*
** ct_erules.h — Elastic detection rules read from Kibana's JSON forms:
** the C API that cloudtrail_detect uses, and the elastic_rules(PATH)
** table (docs/elastic_rules.md).
**
**   SELECT rule_id, type, supported, why_unsupported
**     FROM elastic_rules('fixtures/rules') ORDER BY file, line;
*/
#ifndef CT_ERULES_H
#define CT_ERULES_H
#include "ct_catalog.h"
#include "sqlite3ext.h"
#include "ct_query.h"

/*
** One rule, or one file or line that is not a rule (then only zFile,
** iLine, bSupported 0 and zWhy are set).  Every string is NUL-terminated
** and sqlite3_malloc'd; 0 means absent.
*/
typedef struct CtERule CtERule;
struct CtERule {
  char *zFile; int iLine;            /* file, and 1-based line for NDJSON (0 for a whole-file JSON/TOML) */
  char *zRuleId, *zName, *zType, *zLanguage, *zQuery, *zIndex /*JSON array text*/;
  int iVersion;                       /* -1 when absent */
  char *zSeverity; int iRiskScore;    /* -1 when absent */
  char *zInterval, *zFrom;            /* as written ("5m", "now-6m"); defaults "5m", "now-6m" when absent (Kibana's) */
  sqlite3_int64 iIntervalMs, iLookbackMs;  /* interval; (now - from) as a duration, e.g. now-6m -> 360000 */
  int nMaxSignals;                    /* default 100 */
  char *zCategoryOverride, *zTimestampOverride;
  /* JSON text (minified) or 0; zHistoryWindowStart alone is the decoded
  ** string as written ("now-7d"), since Kibana's value is a string. */
  char *zThreshold, *zNewTermsFields, *zHistoryWindowStart, *zThreat, *zTags;
  sqlite3_int64 iHistoryMs;           /* new_terms: now-7d -> 604800000; 0 if none */
  int bSupported; char *zWhy;         /* why_unsupported, 0 if supported */
  CtQuery *pQuery;                    /* parsed query when supported, else 0 */
};

typedef struct CtERuleSet CtERuleSet;
struct CtERuleSet { int n; CtERule *a; };

/*
** Read every file below zPath (a file, a directory walked recursively, or
** a glob: ct_walk.h) into *ppSet, one entry per rule and one per file or
** NDJSON line that holds none, in walk order.  Never skips a file.
** SQLITE_OK; SQLITE_ERROR with *pzErr ("cloudtrail: …", sqlite3_malloc'd)
** when zPath names nothing; SQLITE_NOMEM.  Free with ctERulesFree().
*/
int ctERulesLoad(const char *zPath, CtERuleSet **ppSet, char **pzErr);
void ctERulesFree(CtERuleSet*);

/* Remember every rule of the set in the connection's registry, for
** mitre_tags(rule_id).  SQLITE_OK or SQLITE_NOMEM. */
int ctERulesRemember(const CtERuleSet *pSet, CtRuleReg *pReg);

/* Registers the elastic_rules table; the rules it lists are remembered in
** pReg.  It reads files: not innocuous, and not part of
** sqlite3_cloudtrail_nofs_init(). */
int ctRegisterERules(sqlite3 *db, CtRuleReg *pReg);

#endif
