/*
** ct_reader.h — split one file into CloudTrail records, whatever export
** format it is in, streaming: memory holds one record at a time.
*/
#ifndef CT_READER_H
#define CT_READER_H
#include "ct_fields.h"
#include "ct_json.h"
#include "ct_stream.h"

/* What a record is, which decides how its columns are read. */
#define CT_KIND_RAW 0      /* a CloudTrail record (eventName, userIdentity…) */
#define CT_KIND_ECS 1      /* an Elastic document (event.action, user.id…) */

/* File formats, as cloudtrail_files reports them (see ctFormatName()). */
#define CT_FMT_UNKNOWN     0
#define CT_FMT_EMPTY       1
#define CT_FMT_RECORDS     2   /* S3 delivery file {"Records":[…]} */
#define CT_FMT_LOOKUP      3   /* aws cloudtrail lookup-events {"Events":[…]} */
#define CT_FMT_EVENTBRIDGE 4   /* EventBridge envelopes {"detail-type",…,"detail"} */
#define CT_FMT_ECS         5   /* Elastic documents or search hits */
#define CT_FMT_LINES       6   /* JSON Lines (or concatenated objects) */
#define CT_FMT_ARRAY       7   /* a bare array of records */
#define CT_FMT_OBJECT      8   /* one record, the whole file */
#define CT_FMT_DIGEST      9   /* a CloudTrail digest file: no records */
/* Files that are not CloudTrail (no rows; zNote says what they are): */
#define CT_FMT_NOT_CLOUDTRAIL  10  /* anything else: text, binary, other JSON */
#define CT_FMT_SQLITE          11  /* a SQLite database ("SQLite format 3") */
#define CT_FMT_SQLITE_WAL      12  /* its write-ahead log (-wal) */
#define CT_FMT_SQLITE_SHM      13  /* its WAL index (-shm) */
#define CT_FMT_SQLITE_JOURNAL  14  /* its rollback journal (-journal) */
#define CT_FMT_LAST            14
#define ctFormatIsOther(e) ((e)>=CT_FMT_NOT_CLOUDTRAIL)

typedef struct CtReader CtReader;
struct CtReader {
  CtStream s;
  const char *zPath;        /* file name for messages (not owned) */
  size_t mxRecord;          /* largest record accepted, in bytes */
  char *zErr;               /* "cloudtrail: FILE: …", sqlite3_malloc'd */
  int rc;                   /* error code that goes with zErr */
  int eState;               /* parser state, CT_S_* in ct_reader.c */
  int eCont;                /* which array we are in (CT_CONT_*) */
  int bFirst;               /* next element/member is the first */
  int bProbing;             /* inside a top-level object that may be a record */
  int bWrapper;             /* that object turned out to wrap Records/Events */
  int mSeenKeys;            /* its keys so far: 1 "Records", 2 "Events" */
  sqlite3_int64 iPos;       /* decoded offset of the next byte to parse */
  sqlite3_int64 iObj;       /* decoded offset of the current top-level '{' */
  sqlite3_int64 nTop;       /* top-level JSON values seen */
  int eFormat;              /* CT_FMT_* so far */
  int eClass;               /* CT_CLASS_* in ct_reader.c: CloudTrail or not */
  char *zNote;              /* what a file that is not CloudTrail is */
  int bMixed;               /* it holds a CloudTrail record after all */
  int bStopped;             /* reading ended before the end of the file */
  int bOtherJson;           /* not CloudTrail, but JSON (not text or binary) */
  sqlite3_int64 nRecord;    /* records returned so far */
  /* The current record, valid until the next ctReaderNext(): */
  CtSpan rec;               /* its JSON text (the raw column) */
  int eKind;                /* CT_KIND_* */
  sqlite3_int64 iRecord;    /* 0-based index within the file */
  sqlite3_int64 iRecOff;    /* decoded offset where it starts */
  CtMembers mem;            /* top-level members of the current object … */
  int bMem;                 /* … valid for rec */
  int bBomDone;             /* a leading byte order mark was looked for */
  CtBuf dec;                /* decoded CloudTrailEvent text */
};

int ctReaderOpen(CtReader *p, const char *zPath, size_t nBuf, size_t mxRecord,
                 int bThread);
int ctReaderNext(CtReader *p);
void ctReaderEnd(CtReader *p);
void ctReaderClose(CtReader *p);
const char *ctFormatName(int eFormat);

#endif
