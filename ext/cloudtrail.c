/*
** cloudtrail.c — the extension's entry point.
**
**   .load ./dist/cloudtrail
**
** registers the cloudtrail, cloudtrail_files and elastic_rules tables, the
** rule functions (ec2_console_login()), the rule catalog
** (cloudtrail_rules(), mitre_tags()) cloudtrail_value(), cloudtrail_version(), and the ingest helpers
** cloudtrail_ls() and cloudtrail_sha256().  sqlite3_cloudtrail_nofs_init()
** registers all but what reads the filesystem.  Built with -DSQLITE_CORE the same code
** links statically into a test harness, which then calls
** sqlite3_cloudtrail_init() itself.
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1
#include "ct_catalog.h"
#include "ct_files.h"
#include "ct_func.h"
#include "ct_ecs.h"
#include "ct_erules.h"
#include "ct_ingest.h"
#include "ct_validate.h"
#include "ct_query.h"
#include "ct_detect.h"
#include "ct_qeval.h"
#include "ct_rules.h"
#include "ct_time.h"
#include "ct_vtab.h"

#ifndef CT_VERSION
# error "CT_VERSION must be defined (the Makefile reads it from VERSION)"
#endif

/* cloudtrail_version(): the extension's version string. */
static void ctVersionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, CT_VERSION, -1, SQLITE_STATIC);
}

/*
** Everything that reads only its arguments or constant data: the rule
** functions, cloudtrail_value(), cloudtrail_version(), cloudtrail_rules()
** and mitre_tags().  All are innocuous.
*/
static int ctRegisterPure(sqlite3 *db, CtRuleReg **ppReg){
  /* A constant with no side effects: safe anywhere, including schema
  ** objects under trusted_schema=OFF, hence INNOCUOUS. */
  int rc = sqlite3_create_function(db, "cloudtrail_version", 0,
      SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS, 0,
      ctVersionFunc, 0, 0);
  if( rc==SQLITE_OK ) rc = ctRegisterTime(db);
  if( rc==SQLITE_OK ) rc = ctRegisterFuncs(db);
  if( rc==SQLITE_OK ) rc = ctRegisterQuery(db);
  if( rc==SQLITE_OK ) rc = ctRegisterQEval(db);
  if( rc==SQLITE_OK ) rc = ctRegisterRules(db);
  if( rc==SQLITE_OK ) rc = ctRegisterCatalog(db, ppReg);
  return rc;
}

/*
** The oldest SQLite the extension may be loaded into.  3.38.0 added
** sqlite3_vtab_in(), which the IN pushdown calls through the API table; an
** older library's table has no such entry, so calling it would jump
** through memory past the table's end.  Refuse to load instead.
*/
#define CT_MIN_SQLITE_VERSION 3038000

/* SQLITE_OK if the host library is new enough, else SQLITE_ERROR with a
** message in *pzErrMsg (which SQLite frees) naming both versions. */
static int ctCheckVersion(char **pzErrMsg){
  if( sqlite3_libversion_number()>=CT_MIN_SQLITE_VERSION ) return SQLITE_OK;
  if( pzErrMsg ){
    *pzErrMsg = sqlite3_mprintf("cloudtrail: needs SQLite 3.38.0 or later, "
                                "this process has %s", sqlite3_libversion());
  }
  return SQLITE_ERROR;
}

/* The full extension: the pure functions and the file-reading tables. */
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_cloudtrail_init(sqlite3 *db, char **pzErrMsg,
                            const sqlite3_api_routines *pApi){
  CtRuleReg *pReg = 0;      /* the rules this connection loads */
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  rc = ctCheckVersion(pzErrMsg);
  if( rc==SQLITE_OK ) rc = ctRegisterPure(db, &pReg);
  if( rc==SQLITE_OK ) rc = ctRegisterEcs(db, 1);
  if( rc==SQLITE_OK ) rc = ctRegisterVtabs(db);
  if( rc==SQLITE_OK ) rc = ctRegisterFiles(db);
  if( rc==SQLITE_OK ) rc = ctRegisterERules(db, pReg);
  if( rc==SQLITE_OK ) rc = ctRegisterDetect(db, pReg);
  if( rc==SQLITE_OK ) rc = ctRegisterIngest(db);
  if( rc==SQLITE_OK ) rc = ctRegisterValidate(db);
  return rc;
}

/*
** Only what does not touch the filesystem, for hosts that load extensions
** on behalf of users they do not trust with the server's files:
**
**   .load ./dist/cloudtrail sqlite3_cloudtrail_nofs_init
*/
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_cloudtrail_nofs_init(sqlite3 *db, char **pzErrMsg,
                                 const sqlite3_api_routines *pApi){
  CtRuleReg *pReg = 0;      /* nothing loads rules without the filesystem */
  SQLITE_EXTENSION_INIT2(pApi);
  if( ctCheckVersion(pzErrMsg)!=SQLITE_OK ) return SQLITE_ERROR;
  if( ctRegisterPure(db, &pReg)!=SQLITE_OK ) return SQLITE_ERROR;
  return ctRegisterEcs(db, 0);
}
