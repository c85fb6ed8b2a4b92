/* ct_func.h — registration of the pure JSON functions (cloudtrail_value). */
#ifndef CT_FUNC_H
#define CT_FUNC_H
#include "sqlite3ext.h"
int ctRegisterFuncs(sqlite3 *db);
#endif
