/*
** ct_validate.h — cloudtrail_validate(PATH [, OPTIONS]), offline log file
** integrity validation against CloudTrail digest files (ct_validate.c).
*/
#ifndef CT_VALIDATE_H
#define CT_VALIDATE_H
#include "sqlite3ext.h"

int ctRegisterValidate(sqlite3 *db);

#endif
