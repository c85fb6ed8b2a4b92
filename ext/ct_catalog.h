/* ct_catalog.h — registration of cloudtrail_rules() and mitre_tags(), and
** the connection's registry of loaded rules that mitre_tags() reads. */
#ifndef CT_CATALOG_H
#define CT_CATALOG_H
#include "sqlite3ext.h"

/* The rules a connection loaded (elastic_rules(), cloudtrail_detect()),
** by rule id, with their threat JSON, so mitre_tags(rule_id) answers for
** them.  One per connection; freed when the connection closes. */
typedef struct CtRuleReg CtRuleReg;

/* Remember (or, for a rule id seen before, replace) a rule's threat JSON
** (0: the rule has none).  p or zRuleId 0: nothing to do.  SQLITE_OK or
** SQLITE_NOMEM. */
int ctRuleRegRemember(CtRuleReg *p, const char *zRuleId, const char *zThreat);

/* Register both tables; *ppReg gets the connection's registry. */
int ctRegisterCatalog(sqlite3 *db, CtRuleReg **ppReg);
#endif
