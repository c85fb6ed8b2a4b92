/*
** ct_catalog.c — the rule table of ct_rules.c as SQL: cloudtrail_rules()
** (one row per rule) and mitre_tags([RULE]) (one row per ATT&CK mapping of
** a built-in rule, of a rule this connection loaded with elastic_rules()
** or cloudtrail_detect(), or of a Kibana "threat" array given as JSON):
**
**   SELECT tactic_id, technique_id FROM mitre_tags('ec2_console_login');
**   SELECT a.rule_id, m.technique_id
**     FROM cloudtrail_detect('logs', 'rules') AS a, mitre_tags(a.rule_id) AS m;
**
** Both are eponymous and read-only and open no file (the rules a
** connection loaded are remembered here by the readers that opened them),
** so they are marked SQLITE_VTAB_INNOCUOUS: saved views may join them even
** with PRAGMA trusted_schema=OFF.
*/
#include <string.h>
#include "ct_json.h"
#include "ct_rules.h"
#include "ct_catalog.h"
#include "ct_module.h"
#include "ct_options.h"
SQLITE_EXTENSION_INIT3

static const char ctRulesSchema[] =
  "CREATE TABLE x(rule TEXT, rule_id TEXT, name TEXT, description TEXT,"
  " type TEXT, query TEXT, indices TEXT, severity TEXT, risk_score INTEGER,"
  " interval TEXT, lookback TEXT, max_alerts INTEGER, version INTEGER,"
  " author TEXT, license TEXT, tags TEXT, \"references\" TEXT)";

static const char ctMitreSchema[] =
  "CREATE TABLE x(rule TEXT, tactic_id TEXT, tactic_name TEXT,"
  " tactic_reference TEXT, technique_id TEXT, technique_name TEXT,"
  " technique_reference TEXT, subtechnique_id TEXT, subtechnique_name TEXT,"
  " subtechnique_reference TEXT, rule_name HIDDEN)";

/* mitre_tags' columns: the visible ones, then the hidden argument. */
#define CT_MITRE_NCOL 10
#define CT_MITRE_ARG CT_MITRE_NCOL

/* Rules this connection loaded (ct_catalog.h): rule_id → threat JSON. */
typedef struct CtRuleRegEntry CtRuleRegEntry;
struct CtRuleRegEntry { char *zRuleId, *zThreat; };
struct CtRuleReg {
  int n, nAlloc;
  CtRuleRegEntry *a;      /* in the order the rule ids were first loaded */
};

typedef struct CtCatTab CtCatTab;
struct CtCatTab {
  sqlite3_vtab base;
  CtRuleReg *pReg;        /* mitre_tags: the connection's loaded rules */
};

/* One mitre_tags row: the visible columns, each owned or 0. */
typedef struct CtMitreRow CtMitreRow;
struct CtMitreRow { char *az[CT_MITRE_NCOL]; };

typedef struct CtCatCursor CtCatCursor;
struct CtCatCursor {
  sqlite3_vtab_cursor base;
  int iRow;               /* cloudtrail_rules: rule; mitre_tags: row */
  CtMitreRow *aRow;       /* mitre_tags: the rows, made by xFilter */
  int nRow, nAlloc;
  char *zFilter;          /* mitre_tags(RULE): the argument, or 0 */
  int bFilter;            /* RULE was given (NULL matches no rule) */
};

static int ctCatConnect(sqlite3 *db, void *pAux, int argc,
                        const char *const *argv, sqlite3_vtab **ppVtab,
                        char **pzErr){
  CtCatTab *p;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, pAux ? ctMitreSchema : ctRulesSchema);
  if( rc ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->pReg = (CtRuleReg*)pAux;
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int ctCatDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* mitre_tags(RULE): equality on the hidden column goes to xFilter. */
static int ctCatBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  CtCatTab *p = (CtCatTab*)pVtab;
  int rc, mArgs;
  pInfo->estimatedCost = 10;
  pInfo->estimatedRows = 10;
  if( p->pReg==0 ) return SQLITE_OK;
  rc = ctPlanArgs(pInfo, CT_MITRE_ARG, 1, 0, &mArgs);
  if( rc ) return rc;
  if( mArgs ){
    pInfo->idxNum = 1;
    pInfo->estimatedCost = 1;
  }
  return SQLITE_OK;
}

static int ctCatOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  CtCatCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/* The one reset path: frees the rows and the argument. */
static void ctCatReset(CtCatCursor *pCur){
  int i, k;
  for(i=0; i<pCur->nRow; i++){
    for(k=0; k<CT_MITRE_NCOL; k++) sqlite3_free(pCur->aRow[i].az[k]);
  }
  sqlite3_free(pCur->aRow);
  sqlite3_free(pCur->zFilter);
  pCur->aRow = 0;
  pCur->nRow = pCur->nAlloc = 0;
  pCur->zFilter = 0;
  pCur->bFilter = 0;
  pCur->iRow = 0;
}

static int ctCatClose(sqlite3_vtab_cursor *cur){
  ctCatReset((CtCatCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* The attack.mitre.org page of a tactic or (sub-)technique id:
** TA0008 → tactics/TA0008/, T1021 → techniques/T1021/,
** T1021.007 → techniques/T1021/007/.  0 for no id. */
static char *ctMitreUrl(const char *zId, int bTactic){
  const char *zDot;
  if( zId==0 ) return 0;
  zDot = strchr(zId, '.');
  if( bTactic ) return sqlite3_mprintf("https://attack.mitre.org/tactics/%s/", zId);
  if( zDot ){
    return sqlite3_mprintf("https://attack.mitre.org/techniques/%.*s/%s/",
                           (int)(zDot-zId), zId, zDot+1);
  }
  return sqlite3_mprintf("https://attack.mitre.org/techniques/%s/", zId);
}

/* A new, empty row at the end of pCur->aRow, or 0 (out of memory). */
static CtMitreRow *ctMitreRowNew(CtCatCursor *pCur){
  if( pCur->nRow==pCur->nAlloc ){
    int nNew = pCur->nAlloc ? pCur->nAlloc*2 : 16;
    CtMitreRow *aNew = sqlite3_realloc64(pCur->aRow, sizeof(*aNew)*(sqlite3_uint64)nNew);
    if( aNew==0 ) return 0;
    pCur->aRow = aNew;
    pCur->nAlloc = nNew;
  }
  memset(&pCur->aRow[pCur->nRow], 0, sizeof(CtMitreRow));
  return &pCur->aRow[pCur->nRow++];
}

/* Column k of row r := a copy of z (0 stays 0).  SQLITE_NOMEM or OK. */
static int ctMitreSet(CtMitreRow *r, int k, const char *z){
  if( z==0 ) return SQLITE_OK;
  r->az[k] = sqlite3_mprintf("%s", z);
  return r->az[k] ? SQLITE_OK : SQLITE_NOMEM;
}

/* The rows of a built-in rule's mappings. */
static int ctMitreBuiltin(CtCatCursor *pCur, const CtRule *r){
  int i, k;
  for(i=0; i<CT_MAX_MITRE && r->aMitre[i].zTacticId; i++){
    const CtMitre *m = &r->aMitre[i];
    const char *az[CT_MITRE_NCOL] = { r->zRule, m->zTacticId, m->zTacticName, 0,
        m->zTechniqueId, m->zTechniqueName, 0, m->zSubId, m->zSubName, 0 };
    CtMitreRow *pRow = ctMitreRowNew(pCur);
    if( pRow==0 ) return SQLITE_NOMEM;
    for(k=0; k<CT_MITRE_NCOL; k++){
      if( ctMitreSet(pRow, k, az[k]) ) return SQLITE_NOMEM;
    }
    pRow->az[3] = ctMitreUrl(m->zTacticId, 1);
    pRow->az[6] = ctMitreUrl(m->zTechniqueId, 0);
    pRow->az[9] = ctMitreUrl(m->zSubId, 0);
    if( (pRow->az[3]==0)
     || (m->zTechniqueId && pRow->az[6]==0) || (m->zSubId && pRow->az[9]==0) ){
      return SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

/* Parsing a threat array: the text, where an error is, and what went wrong. */
typedef struct CtThreat CtThreat;
struct CtThreat {
  const char *zRule;       /* the rule column, or 0 */
  CtSpan v;                /* the whole JSON text */
  const char *zWhy;        /* static: why the text is not a threat array */
  size_t iOff;             /* where, from the start of the text */
};

/* The decoded string at key zKey of object obj, copied into column k of
** pRow; absent or null leaves 0.  A non-string is an error (p->zWhy). */
static int ctThreatStr(CtThreat *p, CtSpan obj, const char *zKey,
                       CtMitreRow *pRow, int k){
  CtSpan v = ct_json_lookup(obj, zKey);
  if( v.z==0 ) return SQLITE_OK;
  if( v.z[0]!='"' ){
    p->zWhy = "an id, name or reference is not a string";
    p->iOff = (size_t)(v.z - p->v.z);
    return SQLITE_ERROR;
  }
  pRow->az[k] = sqlite3_malloc64(v.n);
  if( pRow->az[k]==0 ) return SQLITE_NOMEM;
  pRow->az[k][ct_json_unescape(v.z+1, v.n-2, pRow->az[k])] = 0;
  return SQLITE_OK;
}

/* The value at key zKey of obj when it is of the JSON kind cOpen ('{' or
** '['); absent or null gives an absent span; another kind is an error. */
static int ctThreatPart(CtThreat *p, CtSpan obj, const char *zKey, char cOpen,
                        CtSpan *pOut){
  *pOut = ct_json_lookup(obj, zKey);
  if( pOut->z==0 || pOut->z[0]==cOpen ) return SQLITE_OK;
  p->zWhy = cOpen=='{' ? "a tactic is not an object"
                       : "a technique or subtechnique list is not an array";
  p->iOff = (size_t)(pOut->z - p->v.z);
  return SQLITE_ERROR;
}

/* One row: the tactic's columns, and those of a technique and a
** subtechnique object when given (absent spans otherwise). */
static int ctThreatRow(CtCatCursor *pCur, CtThreat *p, CtSpan tactic,
                       CtSpan tech, CtSpan sub){
  static const char *const azKey[3] = { "id", "name", "reference" };
  const CtSpan aObj[3] = { tactic, tech, sub };
  int i, k, rc = SQLITE_OK;
  CtMitreRow *pRow = ctMitreRowNew(pCur);
  if( pRow==0 ) return SQLITE_NOMEM;
  rc = ctMitreSet(pRow, 0, p->zRule);
  for(i=0; rc==SQLITE_OK && i<3; i++){
    if( aObj[i].z==0 ) continue;
    for(k=0; rc==SQLITE_OK && k<3; k++){
      rc = ctThreatStr(p, aObj[i], azKey[k], pRow, 1+3*i+k);
    }
    /* a reference left out is derived from the id, as for built-in rules */
    if( rc==SQLITE_OK && pRow->az[3*i+3]==0 && pRow->az[3*i+1] ){
      pRow->az[3*i+3] = ctMitreUrl(pRow->az[3*i+1], i==0);
      if( pRow->az[3*i+3]==0 ) rc = SQLITE_NOMEM;
    }
  }
  return rc;
}

/* The rows of one technique: one per subtechnique, or one without. */
static int ctThreatTechnique(CtCatCursor *pCur, CtThreat *p, CtSpan tactic,
                             CtSpan tech){
  CtSpan subs, sub, none = { 0, 0 };
  size_t i = 1;
  int rc, nSub = 0;
  if( tech.z[0]!='{' ){
    p->zWhy = "a technique is not an object";
    p->iOff = (size_t)(tech.z - p->v.z);
    return SQLITE_ERROR;
  }
  rc = ctThreatPart(p, tech, "subtechnique", '[', &subs);
  while( rc==SQLITE_OK && subs.z && ct_json_next_element(subs.z, subs.n, &i, &sub) ){
    if( sub.z[0]!='{' ){
      p->zWhy = "a subtechnique is not an object";
      p->iOff = (size_t)(sub.z - p->v.z);
      return SQLITE_ERROR;
    }
    rc = ctThreatRow(pCur, p, tactic, tech, sub);
    nSub++;
  }
  if( rc==SQLITE_OK && nSub==0 ) rc = ctThreatRow(pCur, p, tactic, tech, none);
  return rc;
}

/* The rows of a Kibana threat array, [{framework, tactic, technique}, …]:
** one per subtechnique, per technique without subtechniques, and per
** tactic without techniques — the shape of the built-in rules' rows. */
static int ctThreatRows(CtCatCursor *pCur, CtThreat *p){
  CtJsonError e = { 0, 0 };
  size_t iEnd = 0, i = 1, j, i0;
  CtSpan elt, tactic, techs, tech, none = { 0, 0 };
  int rc = SQLITE_OK, nTech;
  if( ct_json_validate(p->v.z, p->v.n, 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e)!=CT_JSON_OK ){
    p->zWhy = e.zWhy ? e.zWhy : "not JSON";
    p->iOff = e.iOff;
    return SQLITE_ERROR;
  }
  i0 = ct_json_skip_ws(p->v.z, p->v.n, 0);
  if( p->v.z[i0]!='[' ){
    p->zWhy = "not a JSON array";
    p->iOff = 0;
    return SQLITE_ERROR;
  }
  if( ct_json_skip_ws(p->v.z, p->v.n, iEnd)<p->v.n ){
    p->zWhy = "text after the array";
    p->iOff = ct_json_skip_ws(p->v.z, p->v.n, iEnd);
    return SQLITE_ERROR;
  }
  while( rc==SQLITE_OK && ct_json_next_element(p->v.z+i0, iEnd-i0, &i, &elt) ){
    if( elt.z[0]!='{' ){
      p->zWhy = "an element is not an object";
      p->iOff = (size_t)(elt.z - p->v.z);
      return SQLITE_ERROR;
    }
    rc = ctThreatPart(p, elt, "tactic", '{', &tactic);
    if( rc==SQLITE_OK ) rc = ctThreatPart(p, elt, "technique", '[', &techs);
    if( rc==SQLITE_OK && tactic.z==0 ){
      p->zWhy = "an element has no tactic";
      p->iOff = (size_t)(elt.z - p->v.z);
      return SQLITE_ERROR;
    }
    nTech = 0;
    j = 1;
    while( rc==SQLITE_OK && techs.z && ct_json_next_element(techs.z, techs.n, &j, &tech) ){
      rc = ctThreatTechnique(pCur, p, tactic, tech);
      nTech++;
    }
    if( rc==SQLITE_OK && nTech==0 ) rc = ctThreatRow(pCur, p, tactic, none, none);
  }
  return rc;
}

/* Rows from threat JSON; a text that is not a threat array is an error
** naming the rule (or the argument) and the offset. */
static int ctMitreThreat(CtCatCursor *pCur, const char *zRule,
                         const char *zThreat){
  CtThreat t = { .zRule = zRule, .v = { zThreat, strlen(zThreat) } };
  int rc = ctThreatRows(pCur, &t);
  if( rc==SQLITE_ERROR ){
    ctVtabError(pCur->base.pVtab, rc, "cloudtrail: mitre_tags: the threat "
        "JSON of %s is not Kibana's threat array: %s at offset %lld",
        zRule ? zRule : "the argument", t.zWhy, (long long)t.iOff);
  }
  return rc;
}

/* The loaded rule with this rule id, or 0. */
static const CtRuleRegEntry *ctRuleRegFind(const CtRuleReg *p, const char *zId){
  int i;
  for(i=0; i<p->n; i++){
    if( strcmp(p->a[i].zRuleId, zId)==0 ) return &p->a[i];
  }
  return 0;
}

/* The rows for mitre_tags(zArg), or for every rule when zArg is 0: a
** built-in rule by its name or rule id, a loaded rule by its rule id, or
** a threat array itself. */
static int ctMitreRows(CtCatCursor *pCur, const CtRuleReg *pReg,
                       const char *zArg){
  const char *z = zArg;
  int i, rc = SQLITE_OK;
  while( z && CT_JSON_IS_WS(*z) ) z++;
  if( z && *z=='[' ) return ctMitreThreat(pCur, 0, zArg);
  for(i=0; rc==SQLITE_OK && i<ctRuleCount(); i++){
    const CtRule *r = ctRule(i);
    if( zArg==0 || strcmp(r->zRule, zArg)==0 || strcmp(r->zRuleId, zArg)==0 ){
      rc = ctMitreBuiltin(pCur, r);
      if( zArg ) return rc;
    }
  }
  for(i=0; rc==SQLITE_OK && i<pReg->n; i++){
    if( zArg && strcmp(pReg->a[i].zRuleId, zArg)!=0 ) continue;
    if( pReg->a[i].zThreat ){
      rc = ctMitreThreat(pCur, pReg->a[i].zRuleId, pReg->a[i].zThreat);
    }
  }
  return rc;
}

static int ctCatFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv){
  CtCatCursor *pCur = (CtCatCursor*)cur;
  CtRuleReg *pReg = ((CtCatTab*)cur->pVtab)->pReg;
  const char *z = 0;
  (void)idxStr;
  ctCatReset(pCur);
  if( pReg==0 ) return SQLITE_OK;
  pCur->bFilter = idxNum==1 && argc>0;
  if( pCur->bFilter ){
    z = (const char*)sqlite3_value_text(argv[0]);
    if( z==0 && sqlite3_value_type(argv[0])!=SQLITE_NULL ) return SQLITE_NOMEM;
    /* NULL matches no rule, as NULL = x is never true. */
    pCur->zFilter = sqlite3_mprintf("%s", z ? z : "");
    if( pCur->zFilter==0 ) return SQLITE_NOMEM;
    if( z==0 ) return SQLITE_OK;
  }
  return ctMitreRows(pCur, pReg, z ? pCur->zFilter : 0);
}

static int ctCatNext(sqlite3_vtab_cursor *cur){
  ((CtCatCursor*)cur)->iRow++;
  return SQLITE_OK;
}

static int ctCatEof(sqlite3_vtab_cursor *cur){
  CtCatCursor *pCur = (CtCatCursor*)cur;
  if( ((CtCatTab*)cur->pVtab)->pReg ) return pCur->iRow>=pCur->nRow;
  return pCur->iRow>=ctRuleCount();
}

static int ctCatRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  *pRowid = ((CtCatCursor*)cur)->iRow + 1;
  return SQLITE_OK;
}

static void ctText(sqlite3_context *ctx, const char *z){
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_STATIC);
}

static void ctRulesColumn(sqlite3_context *ctx, const CtRule *r, int i){
  switch( i ){
    case 0:  ctText(ctx, r->zRule); break;
    case 1:  ctText(ctx, r->zRuleId); break;
    case 2:  ctText(ctx, r->zName); break;
    case 3:  ctText(ctx, r->zDescription); break;
    case 4:  ctText(ctx, r->zType); break;
    case 5:  ctText(ctx, r->zQuery); break;
    case 6:  ctText(ctx, r->zIndices); break;
    case 7:  ctText(ctx, r->zSeverity); break;
    case 8:  sqlite3_result_int(ctx, r->iRiskScore); break;
    case 9:  ctText(ctx, r->zInterval); break;
    case 10: ctText(ctx, r->zLookback); break;
    case 11: sqlite3_result_int(ctx, r->nMaxAlerts); break;
    case 12: sqlite3_result_int(ctx, r->iVersion); break;
    case 13: ctText(ctx, r->zAuthor); break;
    case 14: ctText(ctx, r->zLicense); break;
    case 15: ctText(ctx, r->zTags); break;
    case 16: ctText(ctx, r->zReferences); break;
  }
}

static int ctCatColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  CtCatCursor *pCur = (CtCatCursor*)cur;
  if( ((CtCatTab*)cur->pVtab)->pReg==0 ){
    ctRulesColumn(ctx, ctRule(pCur->iRow), i);
  }else if( i==CT_MITRE_ARG ){
    return ctResultArgument(ctx, "mitre_tags", "rule_name", pCur->bFilter,
                            pCur->zFilter);
  }else if( i>=0 && i<CT_MITRE_NCOL ){
    const char *z = pCur->aRow[pCur->iRow].az[i];
    if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
  }
  return SQLITE_OK;
}

static sqlite3_module ctCatModule = {
  0,                  /* iVersion */
  0,                  /* xCreate: eponymous only */
  ctCatConnect,
  ctCatBestIndex,
  ctCatDisconnect,
  0,                  /* xDestroy */
  ctCatOpen,
  ctCatClose,
  ctCatFilter,
  ctCatNext,
  ctCatEof,
  ctCatColumn,
  ctCatRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

int ctRuleRegRemember(CtRuleReg *p, const char *zRuleId, const char *zThreat){
  CtRuleRegEntry *e;
  char *zCopy = 0;
  if( p==0 || zRuleId==0 ) return SQLITE_OK;
  if( zThreat && (zCopy = sqlite3_mprintf("%s", zThreat))==0 ) return SQLITE_NOMEM;
  e = (CtRuleRegEntry*)ctRuleRegFind(p, zRuleId);
  if( e ){
    sqlite3_free(e->zThreat);
    e->zThreat = zCopy;
    return SQLITE_OK;
  }
  if( p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 64;
    CtRuleRegEntry *aNew = sqlite3_realloc64(p->a, sizeof(*aNew)*(sqlite3_uint64)nNew);
    if( aNew==0 ){ sqlite3_free(zCopy); return SQLITE_NOMEM; }
    p->a = aNew;
    p->nAlloc = nNew;
  }
  e = &p->a[p->n];
  e->zThreat = zCopy;
  e->zRuleId = sqlite3_mprintf("%s", zRuleId);
  if( e->zRuleId==0 ){ sqlite3_free(zCopy); return SQLITE_NOMEM; }
  p->n++;
  return SQLITE_OK;
}

/* The registry's destructor, run when the connection closes. */
static void ctRuleRegFree(void *pArg){
  CtRuleReg *p = (CtRuleReg*)pArg;
  int i;
  for(i=0; i<p->n; i++){
    sqlite3_free(p->a[i].zRuleId);
    sqlite3_free(p->a[i].zThreat);
  }
  sqlite3_free(p->a);
  sqlite3_free(p);
}

int ctRegisterCatalog(sqlite3 *db, CtRuleReg **ppReg){
  CtRuleReg *pReg = sqlite3_malloc64(sizeof(*pReg));
  int rc;
  *ppReg = 0;
  if( pReg==0 ) return SQLITE_NOMEM;
  memset(pReg, 0, sizeof(*pReg));
  rc = sqlite3_create_module(db, "cloudtrail_rules", &ctCatModule, 0);
  if( rc!=SQLITE_OK ){ sqlite3_free(pReg); return rc; }
  /* the registry lives as long as the module: freed on close, or now if
  ** the module cannot be made (create_module_v2 calls the destructor) */
  rc = sqlite3_create_module_v2(db, "mitre_tags", &ctCatModule, pReg, ctRuleRegFree);
  if( rc==SQLITE_OK ) *ppReg = pReg;
  return rc;
}
