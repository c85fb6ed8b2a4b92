/* ct_catalog.h — registration of cloudtrail_rules() and mitre_tags(). */
#ifndef CT_CATALOG_H
#define CT_CATALOG_H
#include "sqlite3ext.h"
int ctRegisterCatalog(sqlite3 *db);
#endif
