/*
** ct_walk.h — expand a PATH argument (a file, a directory walked
** recursively, or a glob with *, ?, […] and **) into files, in a
** reproducible order; and tell which of them are the connection's own
** database files, and which are named as CloudTrail logs.
*/
#ifndef CT_WALK_H
#define CT_WALK_H

#include <sys/stat.h>
#include "sqlite3ext.h"

typedef struct CtWalk CtWalk;
typedef struct CtOwnDb CtOwnDb;

/* Which of the connection's database files an entry is (ctOwnDbKind()). */
#define CT_OWN_NONE    0
#define CT_OWN_DB      1
#define CT_OWN_WAL     2
#define CT_OWN_SHM     3
#define CT_OWN_JOURNAL 4

/* What a file's name or place says it is (ctIsLogName()). */
#define CT_LOGNAME_NONE       0
#define CT_LOGNAME_GZ         1   /* only a ".json.gz" name */
#define CT_LOGNAME_CLOUDTRAIL 2   /* a CloudTrail object name or S3 place */

int ctWalkOpen(const char *zPath, CtWalk **ppWalk, char **pzErr);
int ctWalkNext(CtWalk *p, const char **pzFile, const char **pzFileErr,
               char **pzErr);
void ctWalkClose(CtWalk *p);
int ctWalkIsSingle(const CtWalk *p);
int ctWalkIsGlob(const CtWalk *p);
const struct stat *ctWalkStat(const CtWalk *p);
int ctIsLogName(const char *zPath);
char *ctCanonicalPath(const char *zPath, int *pbNoMem);
int ctOwnDbLoad(sqlite3 *db, CtOwnDb **pp);
int ctOwnDbKind(const CtOwnDb *p, const char *zPath, const struct stat *pSt,
                const char **pzSchema);
char *ctOwnDbNote(int eOwn, const char *zSchema);
void ctOwnDbFree(CtOwnDb *p);

#endif
