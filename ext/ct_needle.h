/*
** ct_needle.h — the rules' prefilter (ct_needle.c).
*/
#ifndef CT_NEEDLE_H
#define CT_NEEDLE_H
#include <stddef.h>

size_t ctNeedlePair(const char *zNeedle);
const char *ctNeedleFind(const char *z, size_t n, const char *zNeedle, size_t iPair);
int ctNeedleExcluded(const char *z, size_t n, const char *zNeedle, size_t iPair);

#endif
