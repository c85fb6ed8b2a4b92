/* ct_vtab.h — registration of the cloudtrail table (ct_vtab.c), and the
** record it hands this extension's own C code. */
#ifndef CT_VTAB_H
#define CT_VTAB_H
#include "sqlite3ext.h"
#include "ct_json.h"

/*
** The hidden column record_ptr passes the current record as the reader
** holds it, through SQLite's pointer passing (sqlite3_result_pointer()
** with this type): SQL sees NULL, and only C code that names the type
** gets the pointer.  cloudtrail_detect reads its events this way, so it
** neither copies each record nor finds its top-level members again.  The
** pointer is valid until the cursor moves.
*/
#define CT_RECORD_PTR_TYPE "cloudtrail-record"
typedef struct CtRecordRef CtRecordRef;
struct CtRecordRef {
  CtSpan rec;             /* the record (or ECS document) the reader unwrapped */
  const CtMembers *pMem;  /* its top-level members, or 0 (more than fit) */
};

int ctRegisterVtabs(sqlite3 *db);
#endif
