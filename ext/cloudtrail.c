/*
** cloudtrail.c — the extension's entry point.
**
**   .load ./dist/cloudtrail
**
** registers the cloudtrail and cloudtrail_files tables, the rule functions
** (ec2_console_login()), the rule catalog (cloudtrail_rules(), mitre_tags())
** cloudtrail_value() and cloudtrail_version().  sqlite3_cloudtrail_nofs_init()
** registers all but the file-reading tables.  Built with -DSQLITE_CORE the same code
** links statically into a test harness, which then calls
** sqlite3_cloudtrail_init() itself.
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1
#include "ct_catalog.h"
#include "ct_func.h"
#include "ct_rules.h"
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
static int ctRegisterPure(sqlite3 *db){
  /* A constant with no side effects: safe anywhere, including schema
  ** objects under trusted_schema=OFF, hence INNOCUOUS. */
  int rc = sqlite3_create_function(db, "cloudtrail_version", 0,
      SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS, 0,
      ctVersionFunc, 0, 0);
  if( rc==SQLITE_OK ) rc = ctRegisterFuncs(db);
  if( rc==SQLITE_OK ) rc = ctRegisterRules(db);
  if( rc==SQLITE_OK ) rc = ctRegisterCatalog(db);
  return rc;
}

/* The full extension: the pure functions and the file-reading tables. */
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_cloudtrail_init(sqlite3 *db, char **pzErrMsg,
                            const sqlite3_api_routines *pApi){
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pzErrMsg;
  rc = ctRegisterPure(db);
  if( rc==SQLITE_OK ) rc = ctRegisterVtabs(db);
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
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pzErrMsg;
  return ctRegisterPure(db);
}
