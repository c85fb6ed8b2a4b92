/*
** test_oldhost.c — the loadable refuses a host SQLite older than 3.38.0
** (regression: before the check it would call sqlite3_vtab_in() through an
** API table too short to hold it).
**
** dlopen()s the built extension and calls each entry point with an API
** table whose libversion_number() reports an old library.  Every other
** entry is NULL, so the test also shows nothing else is called first: a
** crash here is a failure.  Usage: test_oldhost ./dist/cloudtrail.so
*/
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
/* The real library functions, taken before sqlite3ext.h turns their names
** into macros that go through an API table. */
static char *(*const xRealMprintf)(const char*, ...) = sqlite3_mprintf;
static void (*const xRealFree)(void*) = sqlite3_free;
#include <sqlite3ext.h>

typedef int (*InitFn)(sqlite3*, char**, const sqlite3_api_routines*);

static int nPass = 0, nFail = 0;

static int oldVersionNumber(void){ return 3031001; }
static const char *oldVersion(void){ return "3.31.1"; }

static void check(const char *zName, int bOk){
  if( bOk ){ nPass++; printf("ok: %s\n", zName); }
  else{ nFail++; printf("FAIL: %s\n", zName); }
}

/* Calls entry point zSym with the old-host API table; checks it fails with
** the version message. */
static void tryEntry(void *pLib, const char *zSym){
  sqlite3_api_routines api;
  char *zErr = 0;
  char zName[128];
  InitFn xInit = (InitFn)dlsym(pLib, zSym);
  int rc;
  memset(&api, 0, sizeof(api));
  api.libversion_number = oldVersionNumber;
  api.libversion = oldVersion;
  api.mprintf = xRealMprintf;
  snprintf(zName, sizeof(zName), "%s is exported", zSym);
  check(zName, xInit!=0);
  if( xInit==0 ) return;
  rc = xInit(0, &zErr, &api);
  snprintf(zName, sizeof(zName), "%s refuses SQLite 3.31.1", zSym);
  check(zName, rc==SQLITE_ERROR);
  snprintf(zName, sizeof(zName), "%s says why", zSym);
  check(zName, zErr!=0 && strcmp(zErr, "cloudtrail: needs SQLite 3.38.0 or "
                                  "later, this process has 3.31.1")==0);
  if( zErr ) printf("     message: %s\n", zErr);
  xRealFree(zErr);
}

int main(int argc, char **argv){
  void *pLib;
  if( argc!=2 ){ fprintf(stderr, "usage: %s EXTENSION.so\n", argv[0]); return 2; }
  pLib = dlopen(argv[1], RTLD_NOW|RTLD_LOCAL);
  if( pLib==0 ){ fprintf(stderr, "FAIL: dlopen: %s\n", dlerror()); return 1; }
  tryEntry(pLib, "sqlite3_cloudtrail_init");
  tryEntry(pLib, "sqlite3_cloudtrail_nofs_init");
  dlclose(pLib);
  printf("oldhost: %d passed, %d failed\n", nPass, nFail);
  return nFail!=0;
}
