/*
** ct_filter.h — constraints pushed down into the cloudtrail table: ranges,
** equality and IN on event_time, equality and IN on event_name and
** event_source; and
** pruning of S3 delivery files by the time in their names.
*/
#ifndef CT_FILTER_H
#define CT_FILTER_H
#include "sqlite3ext.h"
#include "ct_fields.h"
#include "ct_time.h"

/* Operators a constraint may have. */
#define CT_OP_EQ 0
#define CT_OP_GT 1
#define CT_OP_GE 2
#define CT_OP_LT 3
#define CT_OP_LE 4
#define CT_OP_IN 5

/* Most constraints kept; more are simply not pushed (SQLite checks all). */
#define CT_MAX_FILTERS 8

/* One pushed constraint: column (a CT_F_* field) OP value(s). */
typedef struct CtFilterTerm CtFilterTerm;
struct CtFilterTerm {
  int iField;
  int op;
  int bInstant;        /* event_time under cloudtrail_time: compare instants */
  int nVal;
  char **azVal;        /* nVal texts (one unless op is CT_OP_IN) */
  int *anVal;          /* their lengths */
  CtInstant *aTime;    /* bInstant: the instants they name */
};

typedef struct CtFilter CtFilter;
struct CtFilter {
  int nTerm;
  CtFilterTerm aTerm[CT_MAX_FILTERS];
  sqlite3_int64 iPruneBefore;  /* files delivered before this (epoch s) … */
  int bPrune;                  /* … are skipped, if set */
};

int ctFilterPlan(sqlite3_index_info *pInfo, int iArg, char **pzIdx);
int ctFilterInit(CtFilter *p, const char *zIdx, sqlite3_value **argv,
                 int bPrune, char **pzErr);
void ctFilterClear(CtFilter *p);
int ctFilterRecord(const CtFilter *p, const CtFields *pF, char *aBuf,
                   size_t nBuf);
int ctFilterFile(const CtFilter *p, const char *zPath);
int ctDeliveryStamp(const char *zBase, sqlite3_int64 *pT);

#endif
