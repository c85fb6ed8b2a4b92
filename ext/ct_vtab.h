/* ct_vtab.h — registration of the cloudtrail table (ct_vtab.c). */
#ifndef CT_VTAB_H
#define CT_VTAB_H
#include "sqlite3ext.h"
int ctRegisterVtabs(sqlite3 *db);
#endif
