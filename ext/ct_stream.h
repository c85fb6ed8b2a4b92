/*
** ct_stream.h — a file as a window of decoded bytes.  Plain files are read
** as they are; gzip files (detected by their magic bytes, any name) are
** inflated member after member, as gzip -d does for `cat a.gz b.gz`,
** optionally on a second thread.
*/
#ifndef CT_STREAM_H
#define CT_STREAM_H
#include <zlib.h>
#include "sqlite3ext.h"

/* Compressed bytes read from the file per read(2): large enough that the
** syscall cost vanishes against inflate, small enough to stay in L2. */
#define CT_STREAM_INPUT_CHUNK (128*1024)

/* Inflate gzip on a second thread where POSIX threads exist. */
#ifndef CT_STREAM_THREADS
# if defined(__unix__) || defined(__APPLE__)
#  define CT_STREAM_THREADS 1
# else
#  define CT_STREAM_THREADS 0
# endif
#endif

/* libdeflate is used when the build found it (the Makefile sets this). */
#ifndef CT_HAVE_LIBDEFLATE
# define CT_HAVE_LIBDEFLATE 0
#endif

/* A window that grew past this (for one huge record) is freed when the
** next file is opened rather than kept for the rest of the scan. */
#define CT_STREAM_KEEP_MAX (1024*1024)

#define CT_STREAM_OK     0
#define CT_STREAM_TOOBIG 1   /* the kept span cannot grow: record too large */
#define CT_STREAM_ERROR  2   /* I/O or gzip error; zErr says which */

typedef struct CtStream CtStream;
typedef struct CtRing CtRing;
typedef struct CtWhole CtWhole;
struct CtStream {
  int fd;                     /* open file, or -1 */
  char *zErr;                 /* last error, from sqlite3_mprintf() */
  int bGzip;                  /* file starts with the gzip magic */
  int bInflating;             /* inside a gzip member */
  int bZInit;                 /* zs needs inflateEnd() */
  z_stream zs;
  unsigned char *aIn;         /* compressed input, CT_STREAM_INPUT_CHUNK */
  size_t nInAlloc;            /* its size */
  sqlite3_int64 nFileRead;    /* bytes read from the file so far */
  sqlite3_int64 nFileSize;    /* size on disk, -1 if not a regular file */
  char *aBuf;                 /* decoded bytes; aBuf[0] is at offset iBase */
  size_t nAlloc;              /* size of aBuf */
  size_t nData;               /* valid bytes in aBuf */
  size_t mxAlloc;             /* aBuf never grows past this */
  sqlite3_int64 iBase;        /* decoded offset of aBuf[0] */
  int bEof;                   /* every decoded byte is in aBuf */
  int rcPending;              /* sticky error of ctStreamMore() */
  int rcStash;                /* inflate error held back behind good bytes */
  const char *zErrWhat;       /* recorded error (static texts), … */
  const char *zErrDetail;
  sqlite3_int64 iErrOff;      /* … its offset … */
  int iErrno;                 /* … and errno for read errors */
  CtRing *pRing;              /* inflate thread's ring, or 0 */
  int bRingActive;            /* this file is inflated on that thread */
  CtWhole *pWhole;            /* whole-file inflate state (libdeflate), or 0 */
  int bWholeActive;           /* this file is inflated that way */
  int nRefill;                /* calls of ctStreamMore() that read (tests) */
};

int ctStreamOpen(CtStream *p, const char *zPath, size_t nBuf, size_t mxAlloc,
                 int bThread);
sqlite3_int64 ctStreamFileRead(CtStream *p);
void ctStreamEnd(CtStream *p);
int ctStreamMore(CtStream *p, size_t iKeep);
void ctStreamClose(CtStream *p);

#endif
