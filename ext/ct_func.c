/*
** ct_func.c — pure SQL functions over JSON text.
**
**   cloudtrail_value(JSON, PATH)   the value at a dotted PATH
**
** SQLite's own JSON functions are not innocuous in the SQLite versions this
** extension targets (3.40 refuses "->>" in a view under
** PRAGMA trusted_schema=OFF), so saved views that must keep working there
** read fields with this function instead.
*/
#include <string.h>
#include "ct_fields.h"
#include "ct_func.h"
SQLITE_EXTENSION_INIT3

/*
** cloudtrail_value(JSON, PATH): the value at the dotted PATH of the JSON
** object, looked up as Elasticsearch reads a document (nested objects,
** dotted keys or a mix; the first of duplicate keys; nulls skipped).  A
** string comes back decoded, any other value as its JSON text
** (true/false/numbers/objects/arrays); NULL if JSON is not a JSON object or
** nothing is at PATH.
*/
static void ctValueFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *z = (const char*)sqlite3_value_text(argv[0]);
  const char *zPath = (const char*)sqlite3_value_text(argv[1]);
  size_t n = (size_t)sqlite3_value_bytes(argv[0]), i, iEnd;
  CtSpan obj, v, b;
  (void)argc;
  if( z==0 || zPath==0 ) return;
  i = ct_json_skip_ws(z, n, 0);
  if( i>=n || z[i]!='{' ) return;
  if( ct_json_validate(z, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, 0)!=CT_JSON_OK
   || ct_json_skip_ws(z, n, iEnd)!=n ){
    return;
  }
  obj.z = z+i;
  obj.n = iEnd-i;
  v = ct_json_lookup(obj, zPath);
  if( ct_json_is_null(v) ) return;
  b = ctJsonStringBody(v);
  if( b.z==0 ){
    sqlite3_result_text(ctx, v.z, (int)v.n, SQLITE_TRANSIENT);
  }else if( memchr(b.z, '\\', b.n)==0 ){
    sqlite3_result_text(ctx, b.z, (int)b.n, SQLITE_TRANSIENT);
  }else{
    char *zOut = sqlite3_malloc64(b.n+1);
    if( zOut==0 ){ sqlite3_result_error_nomem(ctx); return; }
    sqlite3_result_text(ctx, zOut, (int)ct_json_unescape(b.z, b.n, zOut),
                        sqlite3_free);
  }
}

/* Reads only its arguments: deterministic and innocuous. */
int ctRegisterFuncs(sqlite3 *db){
  return sqlite3_create_function(db, "cloudtrail_value", 2,
      SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS, 0, ctValueFunc, 0, 0);
}
