/*
** ct_query.h — one tree for Elastic's two rule query languages.
**
** ct_kql.c parses KQL (Kibana Query Language) and ct_eql.c parses EQL
** (Event Query Language) into the same nodes; ct_qeval.c evaluates them
** against a document with Elasticsearch's semantics (docs/detection.md).
** A parser knows syntax only: field types, case folding of keyword
** values, arrays and missing fields are the evaluator's business.
**
**   KQL  data_stream.dataset: "aws.cloudtrail" and not user.name: adm*
**   EQL  iam where event.action in ("A", "B") and stringContains(x, "y")
*/
#ifndef CT_QUERY_H
#define CT_QUERY_H
#include "sqlite3ext.h"

/* Node kinds.  Operands are pLeft/pRight; lists are apArg[0..nArg). */
#define CT_QOP_AND      1   /* pLeft and pRight */
#define CT_QOP_OR       2   /* pLeft or pRight */
#define CT_QOP_NOT      3   /* not pLeft */
#define CT_QOP_TRUE     4   /* matches every document (KQL "*", "*:*") */

/* KQL.  A parenthesised value list is expanded by the parser:
** f:(a or b and not c) is OR(MATCH f a, AND(MATCH f b, NOT(MATCH f c))),
** and f:* in a value list is EXISTS f. */
#define CT_QOP_KMATCH  10   /* zField : value z[0..n) (see CT_QF_QUOTED/WILD) */
#define CT_QOP_KRANGE  11   /* zField iCmp value z (CT_QC_LT..GE) */
#define CT_QOP_KEXISTS 12   /* zField:* */
#define CT_QOP_KNESTED 13   /* zField:{ pLeft }, field names in pLeft relative */
#define CT_QOP_KFREE   14   /* a value with no field: z, searched in every field */

/* EQL expressions. */
#define CT_QOP_FIELD   20   /* the value(s) of field zField (CT_QF_OPTIONAL: ?f) */
#define CT_QOP_STR     21   /* string literal z[0..n), escapes decoded */
#define CT_QOP_INT     22   /* integer literal i */
#define CT_QOP_REAL    23   /* decimal literal r */
#define CT_QOP_BOOL    24   /* true/false: i = 1/0 */
#define CT_QOP_NULL    25   /* null */
#define CT_QOP_CMP     26   /* pLeft iCmp pRight; CT_QF_CASELESS for ":" */
#define CT_QOP_IN      27   /* pLeft in (apArg); CT_QF_CASELESS in~, CT_QF_NEGATED not in */
#define CT_QOP_LIKE    28   /* pLeft like (apArg) / : with wildcards; CT_QF_CASELESS like~ */
#define CT_QOP_REGEX   29   /* pLeft regex (apArg); CT_QF_CASELESS regex~ */
#define CT_QOP_CALL    30   /* function z (lower-cased, without "~") (apArg);
                            ** CT_QF_CASELESS when written with "~" */
#define CT_QOP_ARITH   31   /* pLeft iCmp pRight, iCmp one of '+','-','*','/','%' */
#define CT_QOP_NEG     32   /* -pLeft */

/* Comparisons (iCmp of CMP and KRANGE). */
#define CT_QC_EQ 1
#define CT_QC_NE 2
#define CT_QC_LT 3
#define CT_QC_LE 4
#define CT_QC_GT 5
#define CT_QC_GE 6

/* Flags. */
#define CT_QF_CASELESS 0x01 /* EQL ":", "in~", "like~", "regex~", "fn~()" */
#define CT_QF_NEGATED  0x02 /* EQL "not in", "!=" is CMP/CT_QC_NE instead */
#define CT_QF_QUOTED   0x04 /* KQL value was a quoted string */
#define CT_QF_WILD     0x08 /* KQL unquoted value holds an unescaped '*'.  Then z
                            ** is a pattern: '*' is the wildcard and '\\' escapes
                            ** the next byte ('\\*' a literal star, '\\\\' a
                            ** backslash).  Without the flag z is plain text,
                            ** every escape decoded. */
#define CT_QF_OPTIONAL 0x10 /* EQL ?field: a field not in the mapping is null */

typedef struct CtQNode CtQNode;
struct CtQNode {
  int eOp;                  /* CT_QOP_* */
  int iOffset;              /* byte offset of the node in the query text */
  int flags;                /* CT_QF_* */
  int iCmp;                 /* CT_QC_* or an arithmetic operator */
  CtQNode *pLeft, *pRight;
  CtQNode **apArg;          /* list operands */
  int nArg;
  char *zField;             /* field name, as written (KQL escapes decoded) */
  char *z;                  /* literal text or function name, NUL-terminated */
  int n;                    /* bytes of z (a string may hold NUL) */
  sqlite3_int64 i;
  double r;
  int iSlot;                /* ct_qeval.c: the field's slot, -1 until compiled */
  void *pAux;               /* ct_qeval.c: compiled pattern etc., freed by xAuxFree */
  void (*xAuxFree)(void*);
};

/* One step of an EQL sequence. */
typedef struct CtQStep CtQStep;
struct CtQStep {
  char *zCategory;          /* event category, 0 for "any" */
  CtQNode *pWhere;          /* the condition */
  CtQNode **apBy;           /* the step's own "by" keys (after the shared ones) */
  int nBy;
  int nRuns;                /* "with runs=N", 1 when absent */
};

/* Query languages. */
#define CT_QL_KQL 1
#define CT_QL_EQL 2

/* A parsed query. */
typedef struct CtQuery CtQuery;
struct CtQuery {
  int eLang;                /* CT_QL_* */
  /* single event: KQL, or EQL "<category> where <cond>" */
  char *zCategory;          /* EQL category, 0 for "any" and for KQL */
  CtQNode *pWhere;          /* the condition; 0 for an empty KQL query (all) */
  /* EQL sequence (nStep>0; then pWhere is 0) */
  int nStep;
  CtQStep *aStep;
  CtQNode **apBy;           /* "sequence by k1, k2": keys shared by all steps */
  int nBy;
  sqlite3_int64 iMaxspanMs; /* "with maxspan=15m", 0 when absent */
  CtQStep *pUntil;          /* "until [ ... ]", or 0 */
};

/* Parse zQuery (NUL-terminated).  On success *ppQuery is the query and
** SQLITE_OK is returned.  On a syntax error or a construct the parser does
** not implement, SQLITE_ERROR and *pzErr (sqlite3_malloc'd) reads
** "cloudtrail: kql: <what> at offset N" / "cloudtrail: eql: ...", N the byte
** offset in zQuery.  SQLITE_NOMEM when out of memory. */
int ctKqlParse(const char *zQuery, CtQuery **ppQuery, char **pzErr);
int ctEqlParse(const char *zQuery, CtQuery **ppQuery, char **pzErr);

/* ct_query.c: nodes and queries. */
CtQNode *ctQNodeNew(int eOp, int iOffset);    /* zeroed, iSlot -1; 0 if OOM */
int ctQNodeAddArg(CtQNode *p, CtQNode *pArg); /* SQLITE_OK or SQLITE_NOMEM */
void ctQNodeFree(CtQNode *p);
CtQuery *ctQueryNew(int eLang);
void ctQueryFree(CtQuery *p);
/* An S-expression of the tree, for tests: "(and (kmatch a \"x\") ...)";
** sqlite3_malloc'd, 0 if OOM. */
char *ctQueryDump(const CtQuery *p);
/* Registers cloudtrail_query_tree(). */
int ctRegisterQuery(sqlite3 *db);

#endif
