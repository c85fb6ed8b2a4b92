/*
** ct_module.c — what the extension's table-valued functions share.
**
**   SELECT * FROM cloudtrail_files('fixtures/demo', 'errors=skip');
**   SELECT status, count(*) FROM cloudtrail_validate('fixtures/demo')
**    GROUP BY status;
**
** Their arguments (PATH, OPTIONS, a rule name) are hidden columns that
** the planner hands to xFilter as equality constraints (ctPlanArgs()),
** and their errors are "cloudtrail: …" messages set on the table
** (ctVtabError()).
*/
#include <stdarg.h>
#include "ct_module.h"
SQLITE_EXTENSION_INIT3

/* Most hidden argument columns a table has. */
#define CT_MAX_ARGS 8

/*
** Plan the hidden argument columns iFirst … iFirst+nArg-1 of a
** table-valued function: each usable equality on one of them is passed to
** xFilter, omitted from SQLite's checks, in column order (argv[0] is the
** first argument given; of two equalities on one column, the last).  With
** bInOrder, an argument is passed only when every one before it is, for an
** xFilter that reads its argv by position.  *pmArgs gets bit k set for
** each argument k passed.  An equality that is not usable (its value comes
** from a table not yet reached in this join order) makes this plan
** impossible, as in series.c: answering without that argument would be
** another query.  Returns SQLITE_OK or SQLITE_CONSTRAINT.  Costs are the
** caller's.
*/
int ctPlanArgs(sqlite3_index_info *pInfo, int iFirst, int nArg, int bInOrder,
               int *pmArgs){
  int aIdx[CT_MAX_ARGS], i, k, nPassed = 0;
  const struct sqlite3_index_constraint *pC = pInfo->aConstraint;
  *pmArgs = 0;
  for(k=0; k<nArg && k<CT_MAX_ARGS; k++) aIdx[k] = -1;
  for(i=0; i<pInfo->nConstraint; i++, pC++){
    k = pC->iColumn - iFirst;
    if( k<0 || k>=nArg || k>=CT_MAX_ARGS ) continue;
    if( pC->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( !pC->usable ) return SQLITE_CONSTRAINT;
    aIdx[k] = i;
  }
  for(k=0; k<nArg && k<CT_MAX_ARGS; k++){
    if( aIdx[k]<0 ){
      if( bInOrder ) break;
      continue;
    }
    pInfo->aConstraintUsage[aIdx[k]].argvIndex = ++nPassed;
    pInfo->aConstraintUsage[aIdx[k]].omit = 1;
    *pmArgs |= 1<<k;
  }
  return SQLITE_OK;
}

/*
** The table's error message becomes zMsg ("cloudtrail: …", from
** sqlite3_mprintf(), taken over).  Returns rc, or SQLITE_NOMEM when zMsg
** is 0 (the message could not be made).
*/
int ctVtabErrorTake(sqlite3_vtab *pVtab, int rc, char *zMsg){
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = zMsg;
  return zMsg ? rc : SQLITE_NOMEM;
}

/* The same with the message made from zFmt as by sqlite3_mprintf(). */
int ctVtabError(sqlite3_vtab *pVtab, int rc, const char *zFmt, ...){
  va_list ap;
  char *zMsg;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return ctVtabErrorTake(pVtab, rc, zMsg);
}
