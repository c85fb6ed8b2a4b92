/*
** ct_time.h — event times as instants: the parser behind the collation
** cloudtrail_time, the function cloudtrail_time() and the event_time
** pushdown, and the calendar arithmetic the other files share.
*/
#ifndef CT_TIME_H
#define CT_TIME_H
#include "sqlite3ext.h"

/* An instant: seconds since 1970-01-01T00:00:00Z and the fraction of the
** second in units of 10^-18 s (18 fraction digits are kept exactly). */
typedef struct CtInstant CtInstant;
struct CtInstant {
  sqlite3_int64 iSec;
  sqlite3_int64 iAtto;
};

/* The collation's name, declared on every event time column. */
#define CT_TIME_COLLATION "cloudtrail_time"

int ctTimeParse(const char *z, int n, CtInstant *p, const char **pzWhy);
int ctInstantCmp(const CtInstant *a, const CtInstant *b);
int ctTimeCompare(const char *a, int na, const char *b, int nb);
int ctTimeCompareInstant(const char *z, int n, const CtInstant *pBound);
sqlite3_int64 ctDaysFromCivil(int y, int m, int d);
int ctDigits(const char *z, int n, int lo, int hi, int *pV);
int ctIsoSeconds(const char *z, sqlite3_int64 *pT);
int ctInstantFormat(const CtInstant *p, int nFrac, char *zOut, int nOut);
int ctRegisterTime(sqlite3 *db);

#endif
