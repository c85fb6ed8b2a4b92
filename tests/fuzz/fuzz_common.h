/*
** fuzz_common.h — what the libFuzzer harnesses share:
**
**   - an exact-size allocator for SQLite (fuzzExactMalloc());
**   - a per-process scratch directory under $TMPDIR (or /tmp), removed at
**     exit (fuzzTempDir(), fuzzPath());
**   - writers for a plain file, a gzip copy and a multi-member gzip copy;
**   - FUZZ_CHECK(), an invariant that aborts with a message, so libFuzzer
**     saves the input as a crash.
**
** Header-only: each harness is one translation unit, linked with ext/ sources.
*/
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H
#define _GNU_SOURCE 1
#include <dirent.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <zlib.h>

#define FUZZ_CHECK(x) do{ if(!(x)){ \
  fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #x, __FILE__, __LINE__); \
  abort(); } }while(0)

/* ---- exact-size allocator ---------------------------------------------
** SQLite's default allocator rounds every request up to 8 bytes and keeps
** a size header in front, so a read one byte past a 13-byte buffer that
** the extension got from sqlite3_malloc() lands in SQLite's padding and
** ASan sees nothing.  With this allocator every sqlite3_malloc'd buffer
** ends exactly where ASan's redzone starts.  Must run before
** sqlite3_initialize().  (Under ASan malloc_usable_size() is the requested
** size, which is what SQLite's xSize must return.) */
static inline void *fuzzXMalloc(int n){ return malloc(n>0 ? (size_t)n : 1); }
static inline void fuzzXFree(void *p){ free(p); }
static inline void *fuzzXRealloc(void *p, int n){ return realloc(p, n>0 ? (size_t)n : 1); }
static inline int fuzzXSize(void *p){ return p ? (int)malloc_usable_size(p) : 0; }
static inline int fuzzXRoundup(int n){ return n; }
static inline int fuzzXInit(void *p){ (void)p; return SQLITE_OK; }
static inline void fuzzXShutdown(void *p){ (void)p; }
static const sqlite3_mem_methods fuzzExactMem = {
  fuzzXMalloc, fuzzXFree, fuzzXRealloc, fuzzXSize, fuzzXRoundup,
  fuzzXInit, fuzzXShutdown, 0
};

static inline void fuzzExactMalloc(void){
  if( sqlite3_config(SQLITE_CONFIG_MALLOC, &fuzzExactMem)!=SQLITE_OK ) abort();
  /* Lookaside hands out slices of one big block: no redzones between them. */
  if( sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0)!=SQLITE_OK ) abort();
  if( sqlite3_initialize()!=SQLITE_OK ) abort();
}

/* ---- per-process scratch directory ------------------------------------ */
static char fuzzDir[512];

/* Remove every entry of fuzzDir (one level, plus one level of
** subdirectories) and the directory itself. */
static inline void fuzzRmTree(const char *zDir, int nDepth){
  DIR *d = opendir(zDir);
  struct dirent *e;
  char zSub[1024];
  if( d==0 ) return;
  while( (e = readdir(d))!=0 ){
    struct stat st;
    if( strcmp(e->d_name, ".")==0 || strcmp(e->d_name, "..")==0 ) continue;
    snprintf(zSub, sizeof(zSub), "%s/%s", zDir, e->d_name);
    if( lstat(zSub, &st)==0 && S_ISDIR(st.st_mode) && nDepth>0 ){
      fuzzRmTree(zSub, nDepth-1);
    }else{
      unlink(zSub);
    }
  }
  closedir(d);
  rmdir(zDir);
}

static inline void fuzzTempCleanup(void){
  if( fuzzDir[0] ) fuzzRmTree(fuzzDir, 2);
  fuzzDir[0] = 0;
}

/* Create $TMPDIR/ctfuzz-<name>.XXXXXX once and remove it at exit.  A crash
** (ASan's _exit) skips atexit handlers: tests/fuzz/run.sh points TMPDIR
** at a directory it deletes after each harness for that reason. */
static inline const char *fuzzTempDir(const char *zName){
  if( fuzzDir[0]==0 ){
    const char *zTmp = getenv("TMPDIR");
    if( zTmp==0 || zTmp[0]==0 ) zTmp = "/tmp";
    snprintf(fuzzDir, sizeof(fuzzDir), "%s/ctfuzz-%s.XXXXXX", zTmp, zName);
    if( mkdtemp(fuzzDir)==0 ){
      fprintf(stderr, "fuzz: cannot create %s\n", fuzzDir);
      abort();
    }
    atexit(fuzzTempCleanup);
  }
  return fuzzDir;
}

/* fuzzDir/zName into a static-lifetime buffer of the caller's. */
static inline void fuzzPath(char *zOut, size_t nOut, const char *zName){
  snprintf(zOut, nOut, "%s/%s", fuzzDir, zName);
}

/* ---- files ------------------------------------------------------------- */
static inline void fuzzWriteFile(const char *zPath, const void *a, size_t n){
  FILE *f = fopen(zPath, "wb");
  if( f==0 ){ perror(zPath); abort(); }
  if( n && fwrite(a, 1, n, f)!=n ){ perror(zPath); abort(); }
  if( fclose(f)!=0 ){ perror(zPath); abort(); }
}

/* A growing byte buffer. */
typedef struct FuzzBuf FuzzBuf;
struct FuzzBuf {
  unsigned char *a;
  size_t n, nAlloc;
};

static inline void fuzzBufReserve(FuzzBuf *p, size_t nMore){
  if( p->n+nMore > p->nAlloc ){
    size_t nNew = (p->n+nMore)*2 + 64;
    p->a = realloc(p->a, nNew);
    if( p->a==0 ) abort();
    p->nAlloc = nNew;
  }
}

static inline void fuzzBufFree(FuzzBuf *p){
  free(p->a);
  memset(p, 0, sizeof(*p));
}

/* Append one complete gzip member (zlib's deflate, gzip wrapper, mtime 0)
** holding a[0..n).  One deflate state per level is kept for the life of
** the process (reachable, so not a leak) and reset per member: a fresh
** deflateInit2() per member would cost more than reading the file. */
static inline void fuzzGzMember(FuzzBuf *p, const unsigned char *a, size_t n, int iLevel){
  static z_stream aZs[10];
  static int abInit[10];
  z_stream *zs = &aZs[iLevel];
  int rc;
  if( !abInit[iLevel] ){
    if( deflateInit2(zs, iLevel, Z_DEFLATED, 16+MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY)!=Z_OK ) abort();
    abInit[iLevel] = 1;
  }else if( deflateReset(zs)!=Z_OK ){
    abort();
  }
  zs->next_in = (Bytef*)a;
  zs->avail_in = (uInt)n;
  do{
    fuzzBufReserve(p, 4096 + n/2);
    zs->next_out = p->a + p->n;
    zs->avail_out = (uInt)(p->nAlloc - p->n);
    rc = deflate(zs, Z_FINISH);
    p->n = p->nAlloc - zs->avail_out;
  }while( rc==Z_OK || rc==Z_BUF_ERROR );
  if( rc!=Z_STREAM_END ) abort();
}

/* a[0..n) as one gzip member. */
static inline void fuzzGzip(FuzzBuf *p, const unsigned char *a, size_t n){
  p->n = 0;
  fuzzGzMember(p, a, n, 6);
}

/* a[0..n) as consecutive gzip members of nPiece bytes (the last may be
** shorter), as `cat a.gz b.gz …` makes.  Decoded, it is a[0..n) again. */
static inline void fuzzGzipMulti(FuzzBuf *p, const unsigned char *a, size_t n,
                          size_t nPiece){
  size_t i = 0;
  p->n = 0;
  if( nPiece==0 ) nPiece = 1;
  do{
    size_t k = n-i < nPiece ? n-i : nPiece;
    fuzzGzMember(p, a+i, k, 1);
    i += k;
  }while( i<n );
}

/* A cheap, stable hash of a byte range, chained through h. */
static inline uint64_t fuzzHash(uint64_t h, const void *pv, size_t n){
  const unsigned char *a = (const unsigned char*)pv;
  size_t i;
  for(i=0; i<n; i++){ h ^= a[i]; h *= 0x100000001b3ULL; }
  return h;
}

#endif /* FUZZ_COMMON_H */
