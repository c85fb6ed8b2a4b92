/*
** ct_options.h — the options both table forms accept, e.g.
** cloudtrail('dir', 'errors=skip, max_record_size=1M') or
** CREATE VIRTUAL TABLE t USING cloudtrail('dir', errors=skip).
*/
#ifndef CT_OPTIONS_H
#define CT_OPTIONS_H
#include "sqlite3ext.h"

/* CloudTrail events are at most a few hundred KiB; 16 MiB leaves ample
** room for odd exports while keeping a hostile file from taking gigabytes. */
#define CT_DEFAULT_MAX_RECORD (16*1024*1024)
/* Below this no real record fits; tests use it to provoke the error. */
#define CT_MIN_MAX_RECORD     64
/* Initial read window: amortises read(2) and memmove for ~1.5 KB records. */
#define CT_DEFAULT_BUFFER     (256*1024)
/* Tiny windows exercise every refill path; tests set buffer_size=16. */
#define CT_MIN_BUFFER         16
/* No size option may exceed 1 TiB: far above SQLITE_LIMIT_LENGTH's 2 GiB
** ceiling, and small enough that no size arithmetic can overflow. */
#define CT_MAX_SIZE           ((sqlite3_int64)1<<40)

typedef struct CtOptions CtOptions;
struct CtOptions {
  int bSkip;                  /* errors=skip: go on past bad files */
  sqlite3_int64 mxRecord;     /* max_record_size */
  sqlite3_int64 nBuffer;      /* buffer_size (initial window) */
  int nThreads;               /* threads: 1 inflates gzip on a second thread */
  int bPrune;                 /* prune: skip files delivered before event_time bounds */
  int eNotCt;                 /* not_cloudtrail: CT_NOTCT_* */
  int bQuiet;                 /* quiet=1: no warning lines on stderr */
  int bEcs;                   /* pipeline=, retain=, geoip= or asn= given:
                              ** for the ecs column (ct_ecs.c reads them) */
};

/* What a file that is not CloudTrail does to a scan (not_cloudtrail=). */
#define CT_NOTCT_AUTO   0     /* ignored if a walk found it, an error if PATH named it */
#define CT_NOTCT_IGNORE 1     /* not_cloudtrail=ignore */
#define CT_NOTCT_ERROR  2     /* not_cloudtrail=error */

void ctOptionsInit(CtOptions *p);
int ctOptionsSet(CtOptions *p, const char *zKey, size_t nKey,
                 const char *zVal, size_t nVal, char **pzErr);
int ctOptionsParse(CtOptions *p, const char *zText, char **pzErr);
int ctOptionsEach(const char *z,
                  int (*xSet)(void*, const char*, size_t, const char*, size_t,
                              char**),
                  void *pArg, char **pzErr);
char *ctDequote(const char *z, size_t n);
int ctResultArgument(sqlite3_context *ctx, const char *zTable,
                     const char *zArg, int bGiven, const char *z);
int ctParseSize(const char *z, size_t n, sqlite3_int64 *pN);
int ctParseSizeOption(const char *zName, const char *zV, sqlite3_int64 nMin,
                      sqlite3_int64 *pN, char **pzErr);

#endif
