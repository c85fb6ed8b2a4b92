/*
** ct_detect.h — the cloudtrail_detect table (ct_detect.c).
*/
#ifndef CT_DETECT_H
#define CT_DETECT_H
#include "sqlite3ext.h"
#include "ct_catalog.h"

/* The rules each scan loads are remembered in pReg (mitre_tags()). */
int ctRegisterDetect(sqlite3 *db, CtRuleReg *pReg);

#endif
