/* ct_ingest.h — cloudtrail_ls() and cloudtrail_sha256(), for sql/ingest.sql. */
#ifndef CT_INGEST_H
#define CT_INGEST_H
#include "sqlite3ext.h"
int ctRegisterIngest(sqlite3 *db);
#endif
