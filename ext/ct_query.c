/*
** ct_query.c — the nodes of a parsed KQL or EQL query (ct_query.h): making,
** freeing and printing them.  The printed form is what the SQL function
** cloudtrail_query_tree() returns (ct_qeval.c), so a user can see how a
** rule's query was read:
**
**   SELECT cloudtrail_query_tree('kql', 'a: (x or "y")');
**   -- (or (kmatch a "x") (kmatch a "y" quoted))
*/
#include <string.h>
#include "ct_query.h"
#include "ct_jvalue.h"
SQLITE_EXTENSION_INIT3

CtQNode *ctQNodeNew(int eOp, int iOffset){
  CtQNode *p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return 0;
  memset(p, 0, sizeof(*p));
  p->eOp = eOp;
  p->iOffset = iOffset;
  p->iSlot = -1;
  return p;
}

int ctQNodeAddArg(CtQNode *p, CtQNode *pArg){
  CtQNode **aNew;
  if( pArg==0 ) return SQLITE_NOMEM;
  aNew = sqlite3_realloc64(p->apArg, sizeof(CtQNode*)*(sqlite3_uint64)(p->nArg+1));
  if( aNew==0 ){ ctQNodeFree(pArg); return SQLITE_NOMEM; }
  p->apArg = aNew;
  p->apArg[p->nArg++] = pArg;
  return SQLITE_OK;
}

void ctQNodeFree(CtQNode *p){
  int k;
  if( p==0 ) return;
  ctQNodeFree(p->pLeft);
  ctQNodeFree(p->pRight);
  for(k=0; k<p->nArg; k++) ctQNodeFree(p->apArg[k]);
  sqlite3_free(p->apArg);
  sqlite3_free(p->zField);
  sqlite3_free(p->z);
  if( p->xAuxFree ) p->xAuxFree(p->pAux);
  sqlite3_free(p);
}

CtQuery *ctQueryNew(int eLang){
  CtQuery *p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return 0;
  memset(p, 0, sizeof(*p));
  p->eLang = eLang;
  return p;
}

static void ctQStepClear(CtQStep *s){
  int k;
  sqlite3_free(s->zCategory);
  ctQNodeFree(s->pWhere);
  for(k=0; k<s->nBy; k++) ctQNodeFree(s->apBy[k]);
  sqlite3_free(s->apBy);
}

void ctQueryFree(CtQuery *p){
  int k;
  if( p==0 ) return;
  sqlite3_free(p->zCategory);
  ctQNodeFree(p->pWhere);
  for(k=0; k<p->nStep; k++) ctQStepClear(&p->aStep[k]);
  sqlite3_free(p->aStep);
  for(k=0; k<p->nBy; k++) ctQNodeFree(p->apBy[k]);
  sqlite3_free(p->apBy);
  if( p->pUntil ){ ctQStepClear(p->pUntil); sqlite3_free(p->pUntil); }
  sqlite3_free(p);
}

/* ---------------------------------------------------------------------
** Printing
*/

/* A string literal: quoted, with '"' and '\' escaped and control bytes as
** \xHH, so the dump is one line whatever the query holds. */
static void ctQDumpStr(sqlite3_str *pOut, const char *z, int n){
  int k;
  sqlite3_str_appendchar(pOut, 1, '"');
  for(k=0; k<n; k++){
    unsigned char c = (unsigned char)z[k];
    if( c=='"' || c=='\\' ) sqlite3_str_appendf(pOut, "\\%c", c);
    else if( c<0x20 ) sqlite3_str_appendf(pOut, "\\x%02x", c);
    else sqlite3_str_appendchar(pOut, 1, (char)c);
  }
  sqlite3_str_appendchar(pOut, 1, '"');
}

static const char *ctQCmpName(int iCmp){
  switch( iCmp ){
    case CT_QC_EQ: return "==";
    case CT_QC_NE: return "!=";
    case CT_QC_LT: return "<";
    case CT_QC_LE: return "<=";
    case CT_QC_GT: return ">";
    case CT_QC_GE: return ">=";
  }
  return "?";
}

static void ctQDumpNode(sqlite3_str *pOut, const CtQNode *p);

static void ctQDumpArgs(sqlite3_str *pOut, const CtQNode *p){
  int k;
  for(k=0; k<p->nArg; k++){
    sqlite3_str_appendchar(pOut, 1, ' ');
    ctQDumpNode(pOut, p->apArg[k]);
  }
}

/* "(NAME" with the caseless "~" and negation spelled as EQL does. */
static void ctQDumpHead(sqlite3_str *pOut, const char *zName, const CtQNode *p){
  sqlite3_str_appendf(pOut, "(%s%s%s", (p->flags & CT_QF_NEGATED) ? "not-" : "",
                      zName, (p->flags & CT_QF_CASELESS) ? "~" : "");
}

static void ctQDumpKValue(sqlite3_str *pOut, const CtQNode *p){
  ctQDumpStr(pOut, p->z, p->n);
  if( p->flags & CT_QF_QUOTED ) sqlite3_str_appendall(pOut, " quoted");
  if( p->flags & CT_QF_WILD ) sqlite3_str_appendall(pOut, " wild");
}

static void ctQDumpNode(sqlite3_str *pOut, const CtQNode *p){
  if( p==0 ){ sqlite3_str_appendall(pOut, "()"); return; }
  switch( p->eOp ){
    case CT_QOP_AND: case CT_QOP_OR:
      sqlite3_str_appendall(pOut, p->eOp==CT_QOP_AND ? "(and " : "(or ");
      ctQDumpNode(pOut, p->pLeft);
      sqlite3_str_appendchar(pOut, 1, ' ');
      ctQDumpNode(pOut, p->pRight);
      sqlite3_str_appendchar(pOut, 1, ')');
      return;
    case CT_QOP_NOT:
      sqlite3_str_appendall(pOut, "(not ");
      ctQDumpNode(pOut, p->pLeft);
      sqlite3_str_appendchar(pOut, 1, ')');
      return;
    case CT_QOP_TRUE: sqlite3_str_appendall(pOut, "(true)"); return;
    case CT_QOP_KMATCH:
      sqlite3_str_appendf(pOut, "(kmatch %s ", p->zField);
      ctQDumpKValue(pOut, p);
      break;
    case CT_QOP_KRANGE:
      sqlite3_str_appendf(pOut, "(krange %s %s ", p->zField, ctQCmpName(p->iCmp));
      ctQDumpKValue(pOut, p);
      break;
    case CT_QOP_KEXISTS: sqlite3_str_appendf(pOut, "(kexists %s", p->zField); break;
    case CT_QOP_KNESTED:
      sqlite3_str_appendf(pOut, "(knested %s ", p->zField);
      ctQDumpNode(pOut, p->pLeft);
      break;
    case CT_QOP_KFREE:
      sqlite3_str_appendall(pOut, "(kfree ");
      ctQDumpKValue(pOut, p);
      break;
    case CT_QOP_FIELD:
      sqlite3_str_appendf(pOut, "(field %s%s", p->zField,
                          (p->flags & CT_QF_OPTIONAL) ? " optional" : "");
      break;
    case CT_QOP_STR: ctQDumpStr(pOut, p->z, p->n); return;
    case CT_QOP_INT: sqlite3_str_appendf(pOut, "%lld", p->i); return;
    case CT_QOP_REAL: {
      char aNum[CT_JV_REAL17_SZ];
      ctJvReal17(aNum, p->r);
      sqlite3_str_appendall(pOut, aNum);
      return;
    }
    case CT_QOP_BOOL: sqlite3_str_appendall(pOut, p->i ? "true" : "false"); return;
    case CT_QOP_NULL: sqlite3_str_appendall(pOut, "null"); return;
    case CT_QOP_CMP:
      sqlite3_str_appendf(pOut, "(%s ", (p->flags & CT_QF_CASELESS) ? ":"
                                                  : ctQCmpName(p->iCmp));
      ctQDumpNode(pOut, p->pLeft);
      sqlite3_str_appendchar(pOut, 1, ' ');
      ctQDumpNode(pOut, p->pRight);
      break;
    case CT_QOP_IN: case CT_QOP_LIKE: case CT_QOP_REGEX:
      ctQDumpHead(pOut, p->eOp==CT_QOP_IN ? "in" : p->eOp==CT_QOP_LIKE ? "like" : "regex", p);
      sqlite3_str_appendchar(pOut, 1, ' ');
      ctQDumpNode(pOut, p->pLeft);
      ctQDumpArgs(pOut, p);
      break;
    case CT_QOP_CALL:
      ctQDumpHead(pOut, "call ", p);
      sqlite3_str_appendall(pOut, p->z);
      ctQDumpArgs(pOut, p);
      break;
    case CT_QOP_ARITH:
      sqlite3_str_appendf(pOut, "(%c ", (char)p->iCmp);
      ctQDumpNode(pOut, p->pLeft);
      sqlite3_str_appendchar(pOut, 1, ' ');
      ctQDumpNode(pOut, p->pRight);
      break;
    case CT_QOP_NEG:
      sqlite3_str_appendall(pOut, "(neg ");
      ctQDumpNode(pOut, p->pLeft);
      break;
    default:
      sqlite3_str_appendf(pOut, "(op%d", p->eOp);
      break;
  }
  sqlite3_str_appendchar(pOut, 1, ')');
}

static void ctQDumpStep(sqlite3_str *pOut, const char *zHead, const CtQStep *s){
  int k;
  sqlite3_str_appendf(pOut, " (%s %s ", zHead, s->zCategory ? s->zCategory : "any");
  ctQDumpNode(pOut, s->pWhere);
  if( s->nBy ){
    sqlite3_str_appendall(pOut, " (by");
    for(k=0; k<s->nBy; k++){
      sqlite3_str_appendchar(pOut, 1, ' ');
      ctQDumpNode(pOut, s->apBy[k]);
    }
    sqlite3_str_appendchar(pOut, 1, ')');
  }
  if( s->nRuns>1 ) sqlite3_str_appendf(pOut, " (runs %d)", s->nRuns);
  sqlite3_str_appendchar(pOut, 1, ')');
}

char *ctQueryDump(const CtQuery *p){
  sqlite3_str *pOut = sqlite3_str_new(0);
  int k;
  if( p->eLang==CT_QL_KQL ){
    if( p->pWhere ) ctQDumpNode(pOut, p->pWhere);
    else sqlite3_str_appendall(pOut, "(true)");
  }else if( p->nStep==0 ){
    sqlite3_str_appendf(pOut, "(where %s ", p->zCategory ? p->zCategory : "any");
    ctQDumpNode(pOut, p->pWhere);
    sqlite3_str_appendchar(pOut, 1, ')');
  }else{
    sqlite3_str_appendall(pOut, "(sequence");
    if( p->nBy ){
      sqlite3_str_appendall(pOut, " (by");
      for(k=0; k<p->nBy; k++){
        sqlite3_str_appendchar(pOut, 1, ' ');
        ctQDumpNode(pOut, p->apBy[k]);
      }
      sqlite3_str_appendchar(pOut, 1, ')');
    }
    if( p->iMaxspanMs ) sqlite3_str_appendf(pOut, " (maxspan %lldms)", p->iMaxspanMs);
    for(k=0; k<p->nStep; k++) ctQDumpStep(pOut, "step", &p->aStep[k]);
    if( p->pUntil ) ctQDumpStep(pOut, "until", p->pUntil);
    sqlite3_str_appendchar(pOut, 1, ')');
  }
  if( sqlite3_str_errcode(pOut) ){
    sqlite3_free(sqlite3_str_finish(pOut));
    return 0;
  }
  return sqlite3_str_finish(pOut);
}

/* ---------------------------------------------------------------------
** cloudtrail_query_tree(LANGUAGE, QUERY): how the extension reads a query,
** as the S-expression of ctQueryDump(); LANGUAGE is 'kql' (or 'kuery', as
** rule files name it) or 'eql'.  A query it cannot parse is an error naming
** the construct and its byte offset.  NULL if QUERY is NULL.
*/
static void ctQueryTreeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zLang = (const char*)sqlite3_value_text(argv[0]);
  const char *zQuery = (const char*)sqlite3_value_text(argv[1]);
  CtQuery *pQuery = 0;
  char *zErr = 0, *zTree;
  int rc;
  (void)argc;
  if( zQuery==0 ) return;
  if( zLang && (sqlite3_stricmp(zLang, "kql")==0 || sqlite3_stricmp(zLang, "kuery")==0) ){
    rc = ctKqlParse(zQuery, &pQuery, &zErr);
  }else if( zLang && sqlite3_stricmp(zLang, "eql")==0 ){
    rc = ctEqlParse(zQuery, &pQuery, &zErr);
  }else{
    sqlite3_result_error(ctx, "cloudtrail: unknown query language (expected 'kql' or 'eql')", -1);
    return;
  }
  if( rc!=SQLITE_OK ){
    if( rc==SQLITE_NOMEM ) sqlite3_result_error_nomem(ctx);
    else sqlite3_result_error(ctx, zErr ? zErr : "cloudtrail: query error", -1);
    sqlite3_free(zErr);
    return;
  }
  zTree = ctQueryDump(pQuery);
  ctQueryFree(pQuery);
  if( zTree==0 ){ sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, zTree, -1, sqlite3_free);
}

/* Reads only its arguments: deterministic and innocuous. */
int ctRegisterQuery(sqlite3 *db){
  return sqlite3_create_function(db, "cloudtrail_query_tree", 2,
      SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS, 0, ctQueryTreeFunc, 0, 0);
}
