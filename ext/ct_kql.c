/*
** ct_kql.c — placeholder: the KQL parser is being written (issue 13).
*/
#include "ct_query.h"
SQLITE_EXTENSION_INIT3

int ctKqlParse(const char *zQuery, CtQuery **ppQuery, char **pzErr){
  (void)zQuery;
  *ppQuery = 0;
  *pzErr = sqlite3_mprintf("cloudtrail: kql: not implemented yet at offset 0");
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}
