/* ct_files.h — registration of the cloudtrail_files table (ct_files.c). */
#ifndef CT_FILES_H
#define CT_FILES_H
#include "sqlite3ext.h"
int ctRegisterFiles(sqlite3 *db);
#endif
