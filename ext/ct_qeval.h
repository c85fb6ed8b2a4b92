/*
** ct_qeval.h — evaluating parsed KQL and EQL queries (ct_query.h) against
** one event with Elasticsearch's semantics on the aws.cloudtrail mapping.
**
** A program (CtQProg) holds compiled queries that share one table of
** fields ("slots"), so a field read by a hundred rules is computed once per
** event.  A document (CtQDoc) is one event being evaluated: a raw record
** mapped to ECS on demand (ct_ecs.c), or an Elastic document.
*/
#ifndef CT_QEVAL_H
#define CT_QEVAL_H
#include "sqlite3ext.h"
#include "ct_json.h"
#include "ct_ecs.h"
#include "ct_query.h"

typedef struct CtQProg CtQProg;
typedef struct CtQDoc CtQDoc;

/* One value of a field, as Elasticsearch indexed it. */
#define CT_QV_STR  1          /* z[0..n): text (keyword, text, ip, date as written) */
#define CT_QV_NUM  2          /* r; z[0..n) its text */
#define CT_QV_BOOL 3          /* r is 1 or 0; z "true"/"false" */
typedef struct CtQV CtQV;
struct CtQV {
  int eType;
  const char *z;
  int n;
  double r;
};
typedef struct CtQVals CtQVals;
struct CtQVals {
  int n, nAlloc;
  CtQV *a;
};

/* A new program mapping raw records with pConf (copied; geo databases are
** borrowed and must outlive the program). */
int ctQProgNew(const CtEcsConf *pConf, CtQProg **pp);
void ctQProgFree(CtQProg *p);
/* Compile pQuery (borrowed: it must outlive the program) as rule *piRule.
** zCategoryField: the field an EQL "<category> where" tests, 0 for
** event.category.  Errors (a value a field's type cannot hold, a construct
** the evaluator refuses) set *pzErr "cloudtrail: ... at offset N". */
int ctQProgAdd(CtQProg *p, CtQuery *pQuery, const char *zCategoryField,
               int *piRule, char **pzErr);
/* The slot of field zPath (added if new), for grouping keys. */
int ctQProgSlot(CtQProg *p, const char *zPath, int *piSlot, char **pzErr);
/* Rule iRule's dispatch: returns the slot of a field that must hold one of
** the rule's literals (-1 if none) and, for 0 <= k < their number, sets
** *pz and *pn to literal k (left alone past the last); *pbPrefix says the
** value need only start with it (a KQL pattern "A*"). */
int ctQProgDispatch(const CtQProg *p, int iRule, int k, const char **pz, int *pn,
                    int *pbPrefix);
/* Texts one of which every event rule iRule matches contains (a wider
** prefilter than its needle: "or" terms, substrings, KQL wildcards). */
int ctQProgNeedles(const CtQProg *p, int iRule, const char *const **pazNeedle);
/* The raw record's top-level key slot iSlot copies, or 0 (ctEcsTopKey()). */
const char *ctQProgSlotTopKey(const CtQProg *p, int iSlot);
/* The field name of slot iSlot. */
const char *ctQProgSlotName(const CtQProg *p, int iSlot);
/* The top-level key of a raw record whose value holds the field needle j
** of rule iRule is of (*pz; the length returned), or 0: a record holds the
** needle there, not merely somewhere (ctEcsTopContainer()). */
int ctQProgNeedleKey(const CtQProg *p, int iRule, int j, const char **pz);
/* Text every event rule iRule matches must contain, or 0 (see ct_qeval.c). */
const char *ctQProgNeedle(const CtQProg *p, int iRule);

/* Start evaluating the object obj (any shape ctRecordUnwrap() knows; pM
** its members, borrowed until ctQDocEnd(), or 0).  *pp is 0 or a document
** of the same program to reuse
** (its memory is kept from event to event). */
int ctQDocBegin(CtQDoc **pp, const CtQProg *pProg, CtSpan obj, const CtMembers *pM);
/* The same for an object the caller knows ctRecordShape() reads as a raw
** record (cloudtrail_detect's plain records): the shape is not looked for. */
int ctQDocBeginRaw(CtQDoc **pp, const CtQProg *pProg, CtSpan obj, const CtMembers *pM);
/* 1 if single-event rule iRule matches, 0 if not, <0 (-SQLITE_NOMEM) on
** error.  For a sequence rule, step iStep's condition (0-based; -1: until). */
int ctQMatch(CtQDoc *pDoc, int iRule, int iStep);
/* The values of slot iSlot (valid until ctQDocEnd), or 0 if out of memory. */
const CtQVals *ctQDocValues(CtQDoc *pDoc, int iSlot);
/* Values are read as if a raw record had no duplicate key (the check is a
** pass over the whole record, and almost every event is ruled out first).
** ctQMatch() settles it when its answer depends on it; call this before
** reading values to report (keys, times) after a match. */
int ctQDocSettle(CtQDoc *pDoc);
/* True when the object was no event (a digest, an undecodable item). */
int ctQDocEmpty(const CtQDoc *pDoc);
/* Forget the event (the document may be begun again); ctQDocFree() frees it. */
void ctQDocEnd(CtQDoc *pDoc);
void ctQDocFree(CtQDoc *pDoc);

/* The JSON object an SQL argument holds (validated, or trusted when it
** carries CT_SUBTYPE_RECORD), or z==0 for NULL or not one JSON object. */
CtSpan ctQJsonArg(sqlite3_value *pVal);

/* kql_match(), eql_match(), cloudtrail_query_tree() are registered here. */
int ctRegisterQEval(sqlite3 *db);

#endif
