/*
** ct_module.h — what the extension's table-valued functions share: the
** planning of their hidden argument columns and their error messages.
**
**   SELECT file FROM cloudtrail_ls('fixtures/demo') LIMIT 1;
*/
#ifndef CT_MODULE_H
#define CT_MODULE_H
#include "sqlite3ext.h"

int ctPlanArgs(sqlite3_index_info *pInfo, int iFirst, int nArg, int bInOrder,
               int *pmArgs);
int ctVtabError(sqlite3_vtab *pVtab, int rc, const char *zFmt, ...);
int ctVtabErrorTake(sqlite3_vtab *pVtab, int rc, char *zMsg);

#endif
