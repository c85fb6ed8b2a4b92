/*
** ct_walk.h — expand a PATH argument (a file, a directory walked
** recursively, or a glob with *, ?, […] and **) into files, in a
** reproducible order.
*/
#ifndef CT_WALK_H
#define CT_WALK_H

typedef struct CtWalk CtWalk;

int ctWalkOpen(const char *zPath, CtWalk **ppWalk, char **pzErr);
int ctWalkNext(CtWalk *p, const char **pzFile, const char **pzFileErr,
               char **pzErr);
void ctWalkClose(CtWalk *p);

#endif
