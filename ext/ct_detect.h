/*
** ct_detect.h — the cloudtrail_detect table (ct_detect.c).
*/
#ifndef CT_DETECT_H
#define CT_DETECT_H
#include "sqlite3ext.h"

int ctRegisterDetect(sqlite3 *db);

#endif
