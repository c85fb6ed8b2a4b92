/*
** ct_ecs.h — Elastic's ECS document for a raw CloudTrail record, as the
** aws.cloudtrail ingest pipeline writes it (ct_ecs.c: the fields and the
** SQL function; ct_ecs_entity.c: the actor and target entities;
** ct_geoip.c: source.geo and source.as from MaxMind databases).
*/
#ifndef CT_ECS_H
#define CT_ECS_H
#include "sqlite3ext.h"
#include "ct_json.h"
#include "ct_jvalue.h"

/* Pipeline generations (option pipeline=), as bits of CtEcsField.mGen. */
#define CT_ECS_PREVIOUS 1      /* pipeline=previous, the default */
#define CT_ECS_900      2      /* pipeline=9.0.0 */
#define CT_ECS_BOTH     3

/* A MaxMind database (ct_geoip.c). */
typedef struct CtGeoDb CtGeoDb;

/* What one address resolves to; spans point into the open database. */
typedef struct CtGeo CtGeo;
struct CtGeo {
  CtSpan continent, country, countryIso, subIso, region, city, org;
  int bLocation;
  double lat, lon;
  int bAsn;
  sqlite3_int64 asn;
};

/* How a document is made: the generation and the databases. */
typedef struct CtEcsConf CtEcsConf;
struct CtEcsConf {
  int eGen;                   /* CT_ECS_PREVIOUS or CT_ECS_900 */
  CtGeoDb *pCity;             /* geoip=: City or Country database, or 0 */
  CtGeoDb *pAsn;              /* asn=: ASN database, or 0 */
  int eRetain;                /* retain=: CT_RETAIN_* */
};

/* What the pipeline's _conf.retain keeps of the request, response and
** event data: both forms (all), the text form (keyword), the objects
** (flattened), the objects' fields that Elastic's rules read (minimal),
** or neither (none). */
#define CT_RETAIN_ALL       0
#define CT_RETAIN_KEYWORD   1
#define CT_RETAIN_FLATTENED 2
#define CT_RETAIN_MINIMAL   3
#define CT_RETAIN_NONE      4

/* A list of texts: an ordered list, or a sorted set (Java's TreeSet). */
typedef struct CtEcsList CtEcsList;
struct CtEcsList {
  int n, nAlloc;
  char **az;                  /* NUL-terminated copies */
};

/* Kinds of field value. */
#define CT_EV_NONE 0          /* absent */
#define CT_EV_RAW  1          /* raw: a value of the record, after the removal pass */
#define CT_EV_TEXT 2          /* z[0..n): text */
#define CT_EV_BOOL 3          /* b */
#define CT_EV_LIST 4          /* pList: texts, as a JSON array */
#define CT_EV_JSON 5          /* z[0..n): JSON text */
#define CT_EV_REAL 6          /* r */
#define CT_EV_INT  7          /* i */

typedef struct CtEcsVal CtEcsVal;
struct CtEcsVal {
  int eKind;
  CtSpan raw;
  const char *z;
  size_t n;
  char *zFree;                /* owned text, freed by ctEcsValClear() */
  int b;
  double r;
  sqlite3_int64 i;
  const CtEcsList *pList;
};

/* The entity lists the actor_target_mapping script fills (ct_ecs_entity.c). */
#define CT_EN_RELATED     0   /* related.entity */
#define CT_EN_TARGET      1   /* target.entity.id */
#define CT_EN_USER_T      2   /* user.target.entity.id */
#define CT_EN_HOST_T      3   /* host.target.entity.id */
#define CT_EN_HOST_T_ID   4   /* host.target.id */
#define CT_EN_SERVICE_T   5   /* service.target.entity.id */
#define CT_EN_GENERIC_T   6   /* entity.target.id */
#define CT_EN_ACTOR       7   /* actor.entity.id */
#define CT_EN_USER        8   /* user.entity.id */
#define CT_EN_SERVICE     9   /* service.entity.id */
#define CT_EN_HOST        10  /* host.entity.id */
#define CT_EN_GENERIC     11  /* entity.id */
#define CT_EN_N           12

/* One record being mapped.  Derived values are computed on first use. */
typedef struct CtEcsRec CtEcsRec;
struct CtEcsRec {
  CtSpan rec;                 /* the raw record (a validated object) */
  CtMembers top;              /* its top-level members, found once */
  CtSpan original;            /* its text, for event.original */
  const CtEcsConf *pConf;
  int bDupPending;            /* the duplicate-key check is still to make */
  int bFailed;                /* the pipeline failed as a whole */
  int rc;                     /* SQLITE_NOMEM once an allocation failed */
  CtJv jv;                    /* scratch of the renderers */
  int bErrors;                /* aErr computed */
  CtEcsList aErr;             /* error.message */
  int bEntity;                /* aEn computed (ct_ecs_entity.c) */
  int bEntityFailed;          /* the entity script failed on a value */
  CtEcsList aEn[CT_EN_N];
  CtEcsList scratch;          /* the list a computed field returns */
  CtEcsList keys;             /* ctEcsResources(): the resources' keys */
  int bGeo;                   /* geo computed */
  CtGeo geo;
};

int ctEcsListAdd(CtEcsRec *p, CtEcsList *pList, const char *z, size_t n,
                 int bSorted);
int ctEcsListAddSpan(CtEcsRec *p, CtEcsList *pList, CtSpan v, int bSorted);
void ctEcsListClear(CtEcsList *pList);
CtSpan ctEcsRaw(const CtEcsRec *p, const char *zPath);
int ctEcsIsString(CtSpan v);
int ctEcsEntity(CtEcsRec *p);
int ctEcsEntityCheck(CtEcsRec *p);

int ctGeoOpen(const char *zFile, int bAsn, CtGeoDb **ppDb, char **pzErr);
void ctGeoClose(CtGeoDb *pDb);
int ctGeoLookup(CtGeoDb *pDb, const char *zIp, CtGeo *pOut);

typedef struct CtEcsOpts CtEcsOpts;
int ctEcsOptsParse(const char *z, int bTable, int bFiles, CtEcsOpts **pp, char **pzErr);
const CtEcsConf *ctEcsOptsConf(const CtEcsOpts *p);
void ctEcsOptsFree(void *p);
int ctRegisterEcs(sqlite3 *db, int bFiles);
int ctEcsCheckFields(void);
int ctEcsColumn(sqlite3_context *ctx, CtSpan rec, const CtEcsConf *pConf);

/* The rule engine's access to a record's fields (ct_qeval.c). */
#define CT_LEAF_CLEAN 1       /* a JSON scalar of the raw record */
#define CT_LEAF_JSON  2       /* a JSON scalar */
#define CT_LEAF_TEXT  3       /* decoded text */
typedef int (*CtEcsLeafFn)(void *pArg, int eKind, CtSpan v);
void ctEcsRecInit(CtEcsRec *p, CtSpan rec, CtSpan orig, const CtEcsConf *pConf,
                  const CtMembers *pM);
void ctEcsRecFree(CtEcsRec *p);
int ctEcsRecFailed(CtEcsRec *p);
int ctEcsResolve(const char *zPath, int *piSub);
int ctEcsIgnoreAbove(int iField);
int ctEcsIsCopy(int iField);
const char *ctEcsTopKey(int iField);
int ctEcsTopContainer(int iField, const char **pz);
void ctEcsMembers(CtSpan obj, CtMembers *pM);
int ctEcsLeaves(CtEcsRec *p, int iField, const char *zSub, int bAll, int bPeek,
                CtEcsLeafFn xLeaf, void *pArg);
int ctEcsDocLeaves(CtSpan doc, const char *zPath, int bAll, CtEcsLeafFn xLeaf, void *pArg);

#endif
