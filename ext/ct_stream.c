/*
** ct_stream.c — read a file as a sliding window of decoded bytes.
**
** The caller parses aBuf[0..nData).  When it needs more, it calls
** ctStreamMore() naming the first byte it still needs; earlier bytes are
** dropped, the rest moves to the front, and new bytes are appended.  The
** buffer only grows when the kept span fills it, and never past mxAlloc,
** so memory is bounded by the largest record, not by the file.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ct_stream.h"
SQLITE_EXTENSION_INIT3

/* read(2) that retries on EINTR.  Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t ctRead(int fd, void *pBuf, size_t n){
  ssize_t got;
  do{ got = read(fd, pBuf, n); }while( got<0 && errno==EINTR );
  return got;
}

static int ctStreamIoError(CtStream *p){
  sqlite3_free(p->zErr);
  p->zErr = sqlite3_mprintf("read error at byte %lld: %s",
                            p->nFileRead, strerror(errno));
  return CT_STREAM_ERROR;
}

static int ctStreamGzError(CtStream *p, const char *zWhat){
  sqlite3_free(p->zErr);
  p->zErr = sqlite3_mprintf("%s at compressed byte %lld",
                            zWhat, p->nFileRead - (sqlite3_int64)p->zs.avail_in);
  return CT_STREAM_ERROR;
}

/*
** Open zPath.  nBuf is the initial window size, mxAlloc the most it may
** grow to.  Reads the first bytes to decide between plain and gzip.
** On error p->zErr is set (the caller adds the file name).
*/
int ctStreamOpen(CtStream *p, const char *zPath, size_t nBuf, size_t mxAlloc){
  ssize_t got;
  struct stat st;
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  p->nFileSize = -1;
  if( nBuf>mxAlloc ) nBuf = mxAlloc;
  p->mxAlloc = mxAlloc;
  p->nAlloc = nBuf;
  p->aBuf = sqlite3_malloc64(nBuf);
  if( p->aBuf==0 ) return SQLITE_NOMEM;
  p->fd = open(zPath, O_RDONLY|O_CLOEXEC);
  if( p->fd<0 ){
    p->zErr = sqlite3_mprintf("cannot open: %s", strerror(errno));
    return CT_STREAM_ERROR;
  }
  if( fstat(p->fd, &st)==0 && S_ISREG(st.st_mode) ) p->nFileSize = st.st_size;
  /* Fill the window (or reach EOF) so two magic bytes are seen even on a
  ** pipe that returns one byte at a time. */
  while( p->nData<2 ){
    got = ctRead(p->fd, p->aBuf+p->nData, p->nAlloc-p->nData);
    if( got<0 ) return ctStreamIoError(p);
    if( got==0 ){ p->bEof = 1; break; }
    p->nData += (size_t)got;
    p->nFileRead += got;
  }
  if( p->nData>=2 && (unsigned char)p->aBuf[0]==0x1f
                  && (unsigned char)p->aBuf[1]==0x8b ){
    p->bGzip = 1;
    p->bEof = 0;
    /* The bytes read so far are compressed input, not output: move them
    ** to aIn, which is at least one read chunk long. */
    p->aIn = sqlite3_malloc64(p->nData>CT_STREAM_INPUT_CHUNK
                              ? p->nData : CT_STREAM_INPUT_CHUNK);
    if( p->aIn==0 ) return SQLITE_NOMEM;
    if( inflateInit2(&p->zs, 16+MAX_WBITS)!=Z_OK ){
      return ctStreamGzError(p, "cannot start inflate");
    }
    p->bZInit = 1;
    memcpy(p->aIn, p->aBuf, p->nData);
    p->zs.next_in = p->aIn;
    p->zs.avail_in = (uInt)p->nData;
    p->nData = 0;
  }else if( p->nData==0 ){
    size_t nName = strlen(zPath);
    if( nName>=3 && strcmp(zPath+nName-3, ".gz")==0 ){
      p->zErr = sqlite3_mprintf("empty file with a .gz name (0 bytes)");
      return CT_STREAM_ERROR;
    }
  }
  return CT_STREAM_OK;
}

/* Inflate into the free part of aBuf until something is produced or the
** input ends.  Handles member boundaries and trailing data. */
static int ctStreamInflate(CtStream *p){
  size_t nBefore = p->nData;
  while( p->nData==nBefore ){
    int rc;
    if( p->zs.avail_in==0 ){
      ssize_t got = ctRead(p->fd, p->aIn, CT_STREAM_INPUT_CHUNK);
      if( got<0 ) return ctStreamIoError(p);
      if( got==0 ){
        if( p->bInflating ) return ctStreamGzError(p, "truncated gzip stream");
        p->bEof = 1;
        return CT_STREAM_OK;
      }
      p->nFileRead += got;
      p->zs.next_in = p->aIn;
      p->zs.avail_in = (uInt)got;
    }
    if( !p->bInflating ){
      if( p->zs.next_in[0]!=0x1f ){
        return ctStreamGzError(p, "trailing data after gzip member");
      }
      p->bInflating = 1;
    }
    p->zs.next_out = (Bytef*)(p->aBuf + p->nData);
    p->zs.avail_out = (uInt)(p->nAlloc - p->nData);
    rc = inflate(&p->zs, Z_NO_FLUSH);
    p->nData = p->nAlloc - p->zs.avail_out;
    if( rc==Z_STREAM_END ){
      p->bInflating = 0;
      if( inflateReset(&p->zs)!=Z_OK ) return ctStreamGzError(p, "inflate reset");
    }else if( rc==Z_MEM_ERROR ){
      return SQLITE_NOMEM;
    }else if( rc!=Z_OK && rc!=Z_BUF_ERROR ){
      char *zWhy = sqlite3_mprintf("corrupt gzip data (%s)",
                                   p->zs.msg ? p->zs.msg : "zlib error");
      int rc2;
      if( zWhy==0 ) return SQLITE_NOMEM;
      rc2 = ctStreamGzError(p, zWhy);
      sqlite3_free(zWhy);
      /* Hand over what was decoded before the damage first, so the records
      ** returned do not depend on the window size. */
      if( p->nData>nBefore ){
        p->rcPending = rc2;
        return CT_STREAM_OK;
      }
      return rc2;
    }
  }
  return CT_STREAM_OK;
}

/*
** Drop aBuf[0..iKeep), then append more decoded bytes, growing the window
** if the kept span fills it.  Sets bEof when the file is exhausted.
** Returns CT_STREAM_TOOBIG when the window is full at mxAlloc.
*/
int ctStreamMore(CtStream *p, size_t iKeep){
  if( iKeep>0 ){
    memmove(p->aBuf, p->aBuf+iKeep, p->nData-iKeep);
    p->nData -= iKeep;
    p->iBase += (sqlite3_int64)iKeep;
  }
  if( p->bEof ) return CT_STREAM_OK;
  if( p->rcPending ) return p->rcPending;
  if( p->nData==p->nAlloc ){
    size_t nNew = p->nAlloc*2;
    char *aNew;
    if( p->nAlloc>=p->mxAlloc ) return CT_STREAM_TOOBIG;
    if( nNew>p->mxAlloc ) nNew = p->mxAlloc;
    aNew = sqlite3_realloc64(p->aBuf, nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->aBuf = aNew;
    p->nAlloc = nNew;
  }
  if( p->bGzip ) return ctStreamInflate(p);
  {
    ssize_t got = ctRead(p->fd, p->aBuf+p->nData, p->nAlloc-p->nData);
    if( got<0 ) return ctStreamIoError(p);
    if( got==0 ) p->bEof = 1;
    p->nData += (size_t)got;
    p->nFileRead += got;
  }
  return CT_STREAM_OK;
}

/* Release everything; safe on a zeroed or half-opened stream. */
void ctStreamClose(CtStream *p){
  if( p->fd>=0 ) close(p->fd);
  if( p->bZInit ) inflateEnd(&p->zs);
  sqlite3_free(p->aIn);
  sqlite3_free(p->aBuf);
  sqlite3_free(p->zErr);
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  p->nFileSize = -1;
}
