/*
** ct_catalog.c — the rule table of ct_rules.c as SQL: cloudtrail_rules()
** (one row per rule) and mitre_tags([RULE]) (one row per ATT&CK mapping).
**
** Both are eponymous, read-only, and read nothing but constant data, so they
** are marked SQLITE_VTAB_INNOCUOUS: saved views may join them even with
** PRAGMA trusted_schema=OFF.
*/
#include <string.h>
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

/* mitre_tags' hidden argument column. */
#define CT_MITRE_ARG 10

typedef struct CtCatTab CtCatTab;
struct CtCatTab {
  sqlite3_vtab base;
  int bMitre;             /* mitre_tags, else cloudtrail_rules */
};

typedef struct CtCatCursor CtCatCursor;
struct CtCatCursor {
  sqlite3_vtab_cursor base;
  int iRule;              /* current rule */
  int iMap;               /* current mapping (mitre_tags) */
  char *zFilter;          /* mitre_tags(RULE): only this rule, or 0 */
  int bFilter;            /* RULE was given (NULL matches no rule) */
};

/* Marker passed as pAux for mitre_tags. */
static int ctMitreMarker;

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
  p->bMitre = pAux!=0;
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
  if( !p->bMitre ) return SQLITE_OK;
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

static int ctCatClose(sqlite3_vtab_cursor *cur){
  CtCatCursor *pCur = (CtCatCursor*)cur;
  sqlite3_free(pCur->zFilter);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* True if the cursor's current rule passes the filter. */
static int ctCatRuleOk(CtCatCursor *pCur){
  return pCur->zFilter==0 || strcmp(ctRule(pCur->iRule)->zRule, pCur->zFilter)==0;
}

/* Move to the first valid row at or after (iRule, iMap). */
static void ctCatSettle(CtCatCursor *pCur, int bMitre){
  while( pCur->iRule<ctRuleCount() ){
    const CtRule *r = ctRule(pCur->iRule);
    if( ctCatRuleOk(pCur) ){
      if( !bMitre ) return;
      if( pCur->iMap<CT_MAX_MITRE && r->aMitre[pCur->iMap].zTacticId ) return;
    }
    pCur->iRule++;
    pCur->iMap = 0;
  }
}

static int ctCatFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv){
  CtCatCursor *pCur = (CtCatCursor*)cur;
  int bMitre = ((CtCatTab*)cur->pVtab)->bMitre;
  (void)idxStr;
  sqlite3_free(pCur->zFilter);
  pCur->zFilter = 0;
  pCur->iRule = pCur->iMap = 0;
  pCur->bFilter = idxNum==1 && argc>0;
  if( pCur->bFilter ){
    const char *z = (const char*)sqlite3_value_text(argv[0]);
    /* NULL matches no rule, as NULL = x is never true. */
    pCur->zFilter = sqlite3_mprintf("%s", z ? z : "");
    if( pCur->zFilter==0 ) return SQLITE_NOMEM;
    if( z==0 ){ pCur->iRule = ctRuleCount(); return SQLITE_OK; }
  }
  ctCatSettle(pCur, bMitre);
  return SQLITE_OK;
}

static int ctCatNext(sqlite3_vtab_cursor *cur){
  CtCatCursor *pCur = (CtCatCursor*)cur;
  int bMitre = ((CtCatTab*)cur->pVtab)->bMitre;
  if( bMitre ){
    pCur->iMap++;
  }else{
    pCur->iRule++;
  }
  ctCatSettle(pCur, bMitre);
  return SQLITE_OK;
}

static int ctCatEof(sqlite3_vtab_cursor *cur){
  return ((CtCatCursor*)cur)->iRule>=ctRuleCount();
}

static int ctCatRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  CtCatCursor *pCur = (CtCatCursor*)cur;
  *pRowid = (sqlite3_int64)pCur->iRule*CT_MAX_MITRE + pCur->iMap + 1;
  return SQLITE_OK;
}

static void ctText(sqlite3_context *ctx, const char *z){
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_STATIC);
}

/* The attack.mitre.org page of a tactic or (sub-)technique id:
** TA0008 → tactics/TA0008/, T1021 → techniques/T1021/,
** T1021.007 → techniques/T1021/007/. */
static void ctMitreUrl(sqlite3_context *ctx, const char *zId, int bTactic){
  const char *zDot;
  char *zUrl;
  if( zId==0 ) return;
  zDot = strchr(zId, '.');
  if( bTactic ){
    zUrl = sqlite3_mprintf("https://attack.mitre.org/tactics/%s/", zId);
  }else if( zDot ){
    zUrl = sqlite3_mprintf("https://attack.mitre.org/techniques/%.*s/%s/",
                           (int)(zDot-zId), zId, zDot+1);
  }else{
    zUrl = sqlite3_mprintf("https://attack.mitre.org/techniques/%s/", zId);
  }
  if( zUrl==0 ){ sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, zUrl, -1, sqlite3_free);
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

static void ctMitreColumn(sqlite3_context *ctx, const CtRule *r,
                          const CtMitre *m, int i){
  switch( i ){
    case 0: ctText(ctx, r->zRule); break;
    case 1: ctText(ctx, m->zTacticId); break;
    case 2: ctText(ctx, m->zTacticName); break;
    case 3: ctMitreUrl(ctx, m->zTacticId, 1); break;
    case 4: ctText(ctx, m->zTechniqueId); break;
    case 5: ctText(ctx, m->zTechniqueName); break;
    case 6: ctMitreUrl(ctx, m->zTechniqueId, 0); break;
    case 7: ctText(ctx, m->zSubId); break;
    case 8: ctText(ctx, m->zSubName); break;
    case 9: ctMitreUrl(ctx, m->zSubId, 0); break;
  }
}

static int ctCatColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  CtCatCursor *pCur = (CtCatCursor*)cur;
  const CtRule *r = ctRule(pCur->iRule);
  if( ((CtCatTab*)cur->pVtab)->bMitre ){
    if( i==CT_MITRE_ARG ){
      return ctResultArgument(ctx, "mitre_tags", "rule_name", pCur->bFilter,
                              pCur->zFilter);
    }
    else ctMitreColumn(ctx, r, &r->aMitre[pCur->iMap], i);
  }else{
    ctRulesColumn(ctx, r, i);
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

int ctRegisterCatalog(sqlite3 *db){
  int rc = sqlite3_create_module(db, "cloudtrail_rules", &ctCatModule, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module(db, "mitre_tags", &ctCatModule, &ctMitreMarker);
  }
  return rc;
}
