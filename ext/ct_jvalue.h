/*
** ct_jvalue.h — JSON values as Elasticsearch's ingest pipeline holds them
** (Java maps, lists, strings, numbers): what survives the pipeline's
** removal of empty values, java.util.HashMap key order, Java's toString().
*/
#ifndef CT_JVALUE_H
#define CT_JVALUE_H
#include "sqlite3ext.h"
#include "ct_json.h"

/* One member of an object, with what HashMap ordering needs. */
typedef struct CtJvMember CtJvMember;
struct CtJvMember {
  CtSpan key, val;
  unsigned int h;        /* Java String.hashCode() of the decoded key */
  int iIns;              /* insertion order (position in the object) */
  int iBin;              /* HashMap bucket at the map's final capacity */
};

/* Scratch shared by the recursive renderers: a stack of member arrays. */
typedef struct CtJv CtJv;
struct CtJv {
  sqlite3_str *pOut;     /* where the renderers write */
  CtJvMember *a;         /* member stack */
  int nAlloc, nUsed;
  int rc;                /* SQLITE_NOMEM once an allocation failed */
  const char *zSkip;     /* a key left out of the next object rendered */
};

void ctJvInit(CtJv *p, sqlite3_str *pOut);
void ctJvFree(CtJv *p);
int ctJvReserve(CtJv *p, int n);
int ctJvKept(CtSpan v);
int ctJvStringIs(CtSpan v, const char *zText);
char *ctJvDecode(CtSpan v, size_t *pn);
unsigned int ctJvHash(CtSpan key);
unsigned int ctJvHash16(const char *z, size_t n);
int ctJvSortHashMap(CtJvMember *a, int n);
int ctJvDuplicate(CtJv *p, CtSpan v, CtSpan *pKey);
int ctJvOrder(CtJv *p, CtSpan obj, int *pn);
void ctJvToString(CtJv *p, CtSpan v);
void ctJvJson(CtJv *p, CtSpan v);
void ctJvNumber(sqlite3_str *pOut, CtSpan v);
void ctJvDouble(sqlite3_str *pOut, double r);
/* "-1.2345678901234567e-308" is 24 bytes; room for ".0" and the NUL */
#define CT_JV_REAL17_SZ 32
void ctJvReal17(char *zBuf, double r);
void ctJvQuote(sqlite3_str *pOut, const char *z, size_t n);
sqlite3_int64 ctJvLength16(const char *z, size_t n);
int ctJvCompare16(const char *a, size_t na, const char *b, size_t nb);
CtSpan ctJvGet(CtSpan obj, const char *zPath);

#endif
