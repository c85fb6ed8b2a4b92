/*
** ct_eql.c — placeholder: the EQL parser is being written (issue 13).
*/
#include "ct_query.h"
SQLITE_EXTENSION_INIT3

int ctEqlParse(const char *zQuery, CtQuery **ppQuery, char **pzErr){
  (void)zQuery;
  *ppQuery = 0;
  *pzErr = sqlite3_mprintf("cloudtrail: eql: not implemented yet at offset 0");
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}
