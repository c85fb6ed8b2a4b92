/*
** ct_walk.c — find the files a PATH names.
**
** Order: depth first, the entries of each directory sorted bytewise, so a
** scan of the same tree always returns rows in the same order.  Only one
** directory listing per level is held, so memory follows the tree's depth
** and width, not its total size, and no directory handle stays open
** between calls (a scan works with a low open-file limit).
**
** Symbolic links are followed (evidence folders are often assembled with
** them); a link back to a directory that is already being walked is
** reported as an entry with an error instead of being entered again.
**
** Entries that are not readable regular files (a FIFO, a dangling link, an
** unreadable directory) are returned with an error text, never dropped: the
** caller decides whether that fails the query or is only reported.
*/
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sqlite3ext.h"
#include "ct_walk.h"
SQLITE_EXTENSION_INIT3

/* One directory being walked. */
typedef struct CtWalkFrame CtWalkFrame;
struct CtWalkFrame {
  char *zDir;          /* its path as shown to the user ("" = current dir) */
  const char *zName;   /* its name in the parent's listing (0 for the base) */
  char **azName;       /* sorted entry names */
  int nName;
  int iNext;           /* next entry to look at */
  int bAll;            /* everything below matches (directory walk) */
  dev_t dev;           /* identity, for loop detection */
  ino_t ino;
};

struct CtWalk {
  char *zPath;         /* the PATH argument, for messages */
  int bSingle;         /* PATH is one file: return it once */
  int bGlob;           /* PATH is a pattern */
  char **azSeg;        /* glob: pattern segments below the base */
  int nSeg;
  CtWalkFrame *aFrame; /* the directories being walked, base first */
  int nFrame;
  int nFrameAlloc;
  const char **azComp; /* scratch: path components below the base */
  int nCompAlloc;
  char *zCur;          /* the entry last returned */
  char *zCurErr;       /* its error, or 0 */
  struct stat stCur;   /* its stat(2), when bStatCur */
  int bStatCur;
  sqlite3_int64 nFound;/* entries returned */
};

static int ctIsGlobChar(char c){ return c=='*' || c=='?' || c=='['; }

static int ctCmpName(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

/* Join a directory and a name into a new string ("" means no prefix). */
static char *ctJoin(const char *zDir, const char *zName){
  size_t n = strlen(zDir);
  if( n==0 ) return sqlite3_mprintf("%s", zName);
  if( zDir[n-1]=='/' ) return sqlite3_mprintf("%s%s", zDir, zName);
  return sqlite3_mprintf("%s/%s", zDir, zName);
}

/* True if components azComp[0..nComp) match segments azSeg[0..nSeg). */
static int ctGlobMatch(char **azSeg, int nSeg, const char **azComp, int nComp){
  int k;
  if( nSeg==0 ) return nComp==0;
  if( strcmp(azSeg[0], "**")==0 ){
    /* "**" spans any number of components, but, like "*", none that
    ** starts with a dot. */
    for(k=0; k<=nComp; k++){
      if( ctGlobMatch(azSeg+1, nSeg-1, azComp+k, nComp-k) ) return 1;
      if( k<nComp && azComp[k][0]=='.' ) return 0;
    }
    return 0;
  }
  return nComp>0 && fnmatch(azSeg[0], azComp[0], FNM_PERIOD)==0
      && ctGlobMatch(azSeg+1, nSeg-1, azComp+1, nComp-1);
}

/* True if a directory at azComp could contain a match. */
static int ctGlobPrefix(char **azSeg, int nSeg, const char **azComp, int nComp){
  if( nComp==0 ) return 1;
  if( nSeg==0 ) return 0;
  if( strcmp(azSeg[0], "**")==0 ) return 1;
  return fnmatch(azSeg[0], azComp[0], FNM_PERIOD)==0
      && ctGlobPrefix(azSeg+1, nSeg-1, azComp+1, nComp-1);
}

/* Read and sort the entries of zDir into a new frame.  Returns an errno
** value (0 on success, -1 for out of memory). */
static int ctWalkPush(CtWalk *p, const char *zDir, const char *zName,
                      int bAll, const struct stat *pSt){
  DIR *pDir;
  struct dirent *pEnt;
  CtWalkFrame *f;
  int nAlloc = 0;
  if( p->nFrame==p->nFrameAlloc ){
    int nNew = p->nFrameAlloc ? p->nFrameAlloc*2 : 16;
    CtWalkFrame *aNew = sqlite3_realloc64(p->aFrame, nNew*sizeof(CtWalkFrame));
    if( aNew==0 ) return -1;
    p->aFrame = aNew;
    p->nFrameAlloc = nNew;
  }
  pDir = opendir(zDir[0] ? zDir : ".");
  if( pDir==0 ) return errno ? errno : EIO;
  f = &p->aFrame[p->nFrame];
  memset(f, 0, sizeof(*f));
  f->zName = zName;
  f->bAll = bAll;
  f->dev = pSt->st_dev;
  f->ino = pSt->st_ino;
  f->zDir = sqlite3_mprintf("%s", zDir);
  if( f->zDir==0 ) goto nomem;
  while( (pEnt = readdir(pDir))!=0 ){
    if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ) continue;
    if( f->nName==nAlloc ){
      int nNew = nAlloc ? nAlloc*2 : 32;
      char **azNew = sqlite3_realloc64(f->azName, nNew*sizeof(char*));
      if( azNew==0 ) goto nomem;
      f->azName = azNew;
      nAlloc = nNew;
    }
    f->azName[f->nName] = sqlite3_mprintf("%s", pEnt->d_name);
    if( f->azName[f->nName]==0 ) goto nomem;
    f->nName++;
  }
  closedir(pDir);
  if( f->nName>1 ) qsort(f->azName, (size_t)f->nName, sizeof(char*), ctCmpName);
  p->nFrame++;
  return 0;
nomem:
  closedir(pDir);
  p->nFrame++;            /* let ctWalkPop() free the partial frame */
  return -1;
}

static void ctWalkPop(CtWalk *p){
  CtWalkFrame *f = &p->aFrame[--p->nFrame];
  int i;
  for(i=0; i<f->nName; i++) sqlite3_free(f->azName[i]);
  sqlite3_free(f->azName);
  sqlite3_free(f->zDir);
}

/* The end of the longest leading part of z, ending before a '/', that
** holds a glob character yet names an existing directory (the folder
** "case [1]" of a pattern below it), 0 if there is none (such a prefix is
** taken literally), or -1 when out of memory. */
static sqlite3_int64 ctLiteralDirPrefix(const char *z){
  size_t n = strlen(z), i;
  for(i=n; i>0; i--){
    struct stat st;
    char *zPre;
    int bDir;
    if( z[i]!='/' ) continue;
    zPre = sqlite3_mprintf("%.*s", (int)i, z);
    if( zPre==0 ) return -1;
    bDir = strpbrk(zPre, "*?[")!=0 && stat(zPre, &st)==0 && S_ISDIR(st.st_mode);
    sqlite3_free(zPre);
    if( bDir ) return (sqlite3_int64)i;
  }
  return 0;
}

/* Split the glob PATH into a base directory and pattern segments.  The
** base ends at the last '/' before the first glob character, or later if
** a longer prefix with glob characters exists as a directory. */
static int ctWalkSplitGlob(CtWalk *p, char **pzBase){
  const char *z = p->zPath;
  size_t iGlob = 0, iSlash = 0, i;
  int bSlash = 0;
  char *zPat, *zTok, *zSave = 0;
  while( z[iGlob] && !ctIsGlobChar(z[iGlob]) ) iGlob++;
  for(i=0; i<iGlob; i++){ if( z[i]=='/' ){ iSlash = i; bSlash = 1; } }
  {
    sqlite3_int64 iLit = ctLiteralDirPrefix(z);
    if( iLit<0 ) return SQLITE_NOMEM;
    if( (size_t)iLit>iSlash ){ iSlash = (size_t)iLit; bSlash = 1; }
  }
  if( !bSlash ){
    *pzBase = sqlite3_mprintf("");
  }else if( iSlash==0 ){
    *pzBase = sqlite3_mprintf("/");
  }else{
    *pzBase = sqlite3_mprintf("%.*s", (int)iSlash, z);
  }
  zPat = sqlite3_mprintf("%s", z + (bSlash ? iSlash+1 : 0));
  if( *pzBase==0 || zPat==0 ){ sqlite3_free(zPat); return SQLITE_NOMEM; }
  for(zTok=strtok_r(zPat, "/", &zSave); zTok; zTok=strtok_r(0, "/", &zSave)){
    char **azNew = sqlite3_realloc64(p->azSeg, (p->nSeg+1)*sizeof(char*));
    if( azNew==0 ){ sqlite3_free(zPat); return SQLITE_NOMEM; }
    p->azSeg = azNew;
    p->azSeg[p->nSeg] = sqlite3_mprintf("%s", zTok);
    if( p->azSeg[p->nSeg]==0 ){ sqlite3_free(zPat); return SQLITE_NOMEM; }
    p->nSeg++;
  }
  sqlite3_free(zPat);
  return SQLITE_OK;
}

/*
** Start walking zPath.  A path that exists is taken literally (a file, or
** a directory walked whole); otherwise, if it has glob characters, it is a
** pattern.  On error *pzErr gets a "cloudtrail: …" message.
*/
int ctWalkOpen(const char *zPath, CtWalk **ppWalk, char **pzErr){
  CtWalk *p;
  struct stat st;
  char *zBase = 0;
  int rc = SQLITE_OK, e;
  *ppWalk = 0;
  p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->zPath = sqlite3_mprintf("%s", zPath);
  if( p->zPath==0 ){ ctWalkClose(p); return SQLITE_NOMEM; }
  if( stat(zPath, &st)==0 ){
    if( !S_ISDIR(st.st_mode) ){
      p->bSingle = 1;
      p->stCur = st;
    }else{
      e = ctWalkPush(p, zPath, 0, 1, &st);
      if( e==-1 ) rc = SQLITE_NOMEM;
      else if( e ){
        *pzErr = sqlite3_mprintf("cloudtrail: cannot read directory %s: %s",
                                 zPath, strerror(e));
        rc = SQLITE_ERROR;
      }
    }
  }else if( strpbrk(zPath, "*?[")==0 ){
    *pzErr = sqlite3_mprintf("cloudtrail: %s: %s", zPath, strerror(errno));
    rc = SQLITE_ERROR;
  }else{
    p->bGlob = 1;
    rc = ctWalkSplitGlob(p, &zBase);
    if( rc==SQLITE_OK && stat(zBase[0] ? zBase : ".", &st)==0
     && S_ISDIR(st.st_mode) ){
      e = ctWalkPush(p, zBase, 0, 0, &st);
      if( e==-1 ) rc = SQLITE_NOMEM;
    }
    /* An unreadable or missing base simply matches nothing. */
  }
  sqlite3_free(zBase);
  if( rc ){ ctWalkClose(p); return rc; }
  *ppWalk = p;
  return SQLITE_OK;
}

/* Collect the path components below the base for entry zName of the top
** frame into p->azComp; return how many. */
static int ctWalkComps(CtWalk *p, const char *zName){
  int n = p->nFrame, i;
  if( n>p->nCompAlloc ){
    const char **azNew = sqlite3_realloc64(p->azComp, n*2*sizeof(char*));
    if( azNew==0 ) return -1;
    p->azComp = azNew;
    p->nCompAlloc = n*2;
  }
  for(i=1; i<p->nFrame; i++) p->azComp[i-1] = p->aFrame[i].zName;
  p->azComp[n-1] = zName;
  return n;
}

/* Set the current entry to zFull (taken over) with no error. */
static int ctWalkFound(CtWalk *p, char *zFull){
  p->zCur = zFull;
  p->zCurErr = 0;
  p->nFound++;
  return SQLITE_ROW;
}

/* The same with the error zErr (taken over; 0 after an out-of-memory, then
** the entry is dropped and SQLITE_NOMEM returned, never an entry without
** its error). */
static int ctWalkFoundErr(CtWalk *p, char *zFull, char *zErr){
  if( zErr==0 ){ sqlite3_free(zFull); return SQLITE_NOMEM; }
  ctWalkFound(p, zFull);
  p->zCurErr = zErr;
  return SQLITE_ROW;
}

/* Look at entry zName of the top frame.  Returns SQLITE_ROW if it is to be
** reported, SQLITE_OK to go on, or SQLITE_NOMEM. */
static int ctWalkEntry(CtWalk *p, const char *zName){
  CtWalkFrame *f = &p->aFrame[p->nFrame-1];
  int bAll = f->bAll, nComp = 0, bMatch, i, e;
  struct stat st;
  char *zFull = ctJoin(f->zDir, zName);
  if( zFull==0 ) return SQLITE_NOMEM;
  if( !bAll ){
    nComp = ctWalkComps(p, zName);
    if( nComp<0 ){ sqlite3_free(zFull); return SQLITE_NOMEM; }
  }
  bMatch = bAll || ctGlobMatch(p->azSeg, p->nSeg, p->azComp, nComp);
  if( stat(zFull, &st)!=0 ){
    if( bMatch ){
      return ctWalkFoundErr(p, zFull, sqlite3_mprintf("cannot stat: %s", strerror(errno)));
    }
  }else if( S_ISDIR(st.st_mode) ){
    if( bAll || ctGlobPrefix(p->azSeg, p->nSeg, p->azComp, nComp) ){
      for(i=0; i<p->nFrame; i++){
        if( p->aFrame[i].dev==st.st_dev && p->aFrame[i].ino==st.st_ino ){
          return ctWalkFoundErr(p, zFull, sqlite3_mprintf(
              "symbolic link loop: directory is already being walked"));
        }
      }
      e = ctWalkPush(p, zFull, zName, bMatch, &st);
      if( e==-1 ){ sqlite3_free(zFull); return SQLITE_NOMEM; }
      if( e ){
        return ctWalkFoundErr(p, zFull, sqlite3_mprintf("cannot read directory: %s",
                                                        strerror(e)));
      }
    }
  }else if( bMatch ){
    if( S_ISREG(st.st_mode) ){
      p->stCur = st;
      p->bStatCur = 1;
      return ctWalkFound(p, zFull);
    }
    return ctWalkFoundErr(p, zFull, sqlite3_mprintf("not a regular file"));
  }
  sqlite3_free(zFull);
  return SQLITE_OK;
}

/*
** Advance to the next file.  Returns SQLITE_ROW with *pzFile (and, if the
** entry cannot be read as a file, *pzFileErr) valid until the next call;
** SQLITE_DONE at the end; SQLITE_ERROR with *pzErr when a glob matched
** nothing at all; SQLITE_NOMEM.
*/
int ctWalkNext(CtWalk *p, const char **pzFile, const char **pzFileErr,
               char **pzErr){
  sqlite3_free(p->zCur);
  sqlite3_free(p->zCurErr);
  p->zCur = p->zCurErr = 0;
  p->bStatCur = 0;
  if( p->bSingle ){
    if( p->nFound ) return SQLITE_DONE;
    p->bStatCur = 1;
    ctWalkFound(p, sqlite3_mprintf("%s", p->zPath));
    if( p->zCur==0 ) return SQLITE_NOMEM;
  }else{
    int rc = SQLITE_OK;
    while( rc==SQLITE_OK && p->nFrame>0 ){
      CtWalkFrame *f = &p->aFrame[p->nFrame-1];
      if( f->iNext>=f->nName ){
        ctWalkPop(p);
        continue;
      }
      rc = ctWalkEntry(p, f->azName[f->iNext++]);
    }
    if( rc==SQLITE_NOMEM ) return rc;
    if( rc==SQLITE_OK ){
      if( p->bGlob && p->nFound==0 ){
        *pzErr = sqlite3_mprintf("cloudtrail: no file matches %s", p->zPath);
        return SQLITE_ERROR;
      }
      return SQLITE_DONE;
    }
    if( p->zCur==0 ) return SQLITE_NOMEM;
  }
  *pzFile = p->zCur;
  *pzFileErr = p->zCurErr;
  return SQLITE_ROW;
}

void ctWalkClose(CtWalk *p){
  int i;
  if( p==0 ) return;
  while( p->nFrame>0 ) ctWalkPop(p);
  for(i=0; i<p->nSeg; i++) sqlite3_free(p->azSeg[i]);
  sqlite3_free(p->azSeg);
  sqlite3_free(p->aFrame);
  sqlite3_free(p->azComp);
  sqlite3_free(p->zCur);
  sqlite3_free(p->zCurErr);
  sqlite3_free(p->zPath);
  sqlite3_free(p);
}

/* True if PATH is a pattern (it does not exist as it is written). */
int ctWalkIsGlob(const CtWalk *p){
  return p->bGlob;
}

/* True if PATH named one file, which the walk returns alone. */
int ctWalkIsSingle(const CtWalk *p){
  return p->bSingle;
}

/* The stat(2) of the entry ctWalkNext() last returned, or 0 if it could
** not be taken (an entry with an error). */
const struct stat *ctWalkStat(const CtWalk *p){
  return p->bStatCur ? &p->stCur : 0;
}

/* True if z[0..n) is a 12-digit AWS account id. */
static int ctIsAccountId(const char *z, size_t n){
  size_t i;
  if( n!=12 ) return 0;
  for(i=0; i<n; i++){ if( z[i]<'0' || z[i]>'9' ) return 0; }
  return 1;
}

/*
** What zPath's name or place says about it (CT_LOGNAME_*): CloudTrail's
** own — an S3 object name with "_CloudTrail_", "_CloudTrail-Insight_" or
** "_CloudTrail-Digest_", or a folder CloudTrail, CloudTrail-Insight or
** CloudTrail-Digest right below a 12-digit account folder (the S3 layout
** AWSLogs/[o-…/]ACCOUNT/CloudTrail/…, wherever the evidence sits) — or only
** a ".json.gz" name, which AWS Config's deliveries share.
*/
int ctIsLogName(const char *zPath){
  static const char *const azDir[] = { "CloudTrail", "CloudTrail-Insight",
                                       "CloudTrail-Digest", 0 };
  const char *zBase = strrchr(zPath, '/'), *z, *zPrev = 0;
  size_t n = strlen(zPath);
  int k;
  zBase = zBase ? zBase+1 : zPath;
  if( strstr(zBase, "_CloudTrail_") || strstr(zBase, "_CloudTrail-Insight_")
   || strstr(zBase, "_CloudTrail-Digest_") ){
    return CT_LOGNAME_CLOUDTRAIL;
  }
  for(z=zPath; z<zBase; ){
    const char *zEnd = strchr(z, '/');
    for(k=0; azDir[k] && zPrev; k++){
      size_t nDir = strlen(azDir[k]);
      if( (size_t)(zEnd-z)==nDir && memcmp(z, azDir[k], nDir)==0
       && ctIsAccountId(zPrev, (size_t)(z-1-zPrev)) ){
        return CT_LOGNAME_CLOUDTRAIL;
      }
    }
    zPrev = z;
    z = zEnd+1;
  }
  if( n>=8 && strcmp(zPath+n-8, ".json.gz")==0 ) return CT_LOGNAME_GZ;
  return CT_LOGNAME_NONE;
}

/* ------------------------------------------------ the connection's files */

/* One database file of the connection. */
typedef struct CtOwnFile CtOwnFile;
struct CtOwnFile {
  dev_t dev;
  ino_t ino;
  char *zSchema;       /* "main", "temp" or an ATTACH name */
};
struct CtOwnDb {
  int n;
  CtOwnFile *a;
};

void ctOwnDbFree(CtOwnDb *p){
  int i;
  if( p==0 ) return;
  for(i=0; i<p->n; i++) sqlite3_free(p->a[i].zSchema);
  sqlite3_free(p->a);
  sqlite3_free(p);
}

/*
** The database files of connection db (PRAGMA database_list), by device
** and inode, so that a walk over a folder holding the case database
** recognises it (and its -wal, -shm and -journal) under any path.  *pp is
** 0 when no attached database has a file.  SQLITE_NOMEM or the pragma's
** error.
*/
int ctOwnDbLoad(sqlite3 *db, CtOwnDb **pp){
  sqlite3_stmt *pStmt = 0;
  CtOwnDb *p;
  int rc;
  *pp = 0;
  p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  rc = sqlite3_prepare_v2(db, "PRAGMA database_list", -1, &pStmt, 0);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zFile = (const char*)sqlite3_column_text(pStmt, 2);
    struct stat st;
    CtOwnFile *aNew;
    rc = SQLITE_OK;
    if( zName==0 || zFile==0 ){
      rc = sqlite3_errcode(db)==SQLITE_NOMEM ? SQLITE_NOMEM : SQLITE_OK;
      continue;
    }
    if( zFile[0]==0 || stat(zFile, &st)!=0 ) continue;
    aNew = sqlite3_realloc64(p->a, (p->n+1)*sizeof(CtOwnFile));
    if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
    p->a = aNew;
    p->a[p->n].dev = st.st_dev;
    p->a[p->n].ino = st.st_ino;
    p->a[p->n].zSchema = sqlite3_mprintf("%s", zName);
    if( p->a[p->n++].zSchema==0 ){ rc = SQLITE_NOMEM; break; }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK || p->n==0 ){
    ctOwnDbFree(p);
    return rc;
  }
  *pp = p;
  return SQLITE_OK;
}

/* The schema whose database file is (dev, ino), or 0. */
static const char *ctOwnDbFind(const CtOwnDb *p, dev_t dev, ino_t ino){
  int i;
  for(i=0; p && i<p->n; i++){
    if( p->a[i].dev==dev && p->a[i].ino==ino ) return p->a[i].zSchema;
  }
  return 0;
}

/*
** If zPath (whose stat is *pSt, or 0) is one of the connection's database
** files, its format (CT_OWN_DB, _WAL, _SHM, _JOURNAL) and *pzSchema; else
** CT_OWN_NONE.  The -wal, -shm and -journal files are found by name next
** to the database, as SQLite names them, so one created after the walk
** began (a journal, during an ingest) is recognised too.
*/
int ctOwnDbKind(const CtOwnDb *p, const char *zPath, const struct stat *pSt,
                const char **pzSchema){
  static const struct { const char *zSuffix; int eKind; } aSuffix[] = {
    { "-wal", CT_OWN_WAL }, { "-shm", CT_OWN_SHM }, { "-journal", CT_OWN_JOURNAL },
  };
  size_t n = strlen(zPath), k;
  if( p==0 ) return CT_OWN_NONE;
  if( pSt && (*pzSchema = ctOwnDbFind(p, pSt->st_dev, pSt->st_ino))!=0 ){
    return CT_OWN_DB;
  }
  for(k=0; k<sizeof(aSuffix)/sizeof(aSuffix[0]); k++){
    size_t nSuffix = strlen(aSuffix[k].zSuffix);
    struct stat st;
    char *zDb;
    int bOwn;
    if( n<=nSuffix || strcmp(zPath+n-nSuffix, aSuffix[k].zSuffix)!=0 ) continue;
    zDb = sqlite3_mprintf("%.*s", (int)(n-nSuffix), zPath);
    bOwn = zDb && stat(zDb, &st)==0
        && (*pzSchema = ctOwnDbFind(p, st.st_dev, st.st_ino))!=0;
    sqlite3_free(zDb);
    if( bOwn ) return aSuffix[k].eKind;
  }
  return CT_OWN_NONE;
}

/* What an entry of kind eOwn (CT_OWN_*, not NONE) of schema zSchema is,
** in words: "the write-ahead log of this connection's database 'main'". */
char *ctOwnDbNote(int eOwn, const char *zSchema){
  static const char *const azWhat[] = { "", "", "the write-ahead log of ",
      "the WAL index of ", "the rollback journal of " };
  return sqlite3_mprintf("%sthis connection's database '%s'",
                         azWhat[eOwn>=0 && eOwn<=CT_OWN_JOURNAL ? eOwn : 0], zSchema);
}

/*
** The canonical location of zPath: its absolute path with every symbolic
** link and "."/".." resolved (realpath(3)), so the same file has one name
** however PATH was typed.  An entry that does not resolve (a dangling
** link) is named by its resolved folder and its own name.  0 and *pbNoMem
** 0 if even the folder does not resolve; 0 and *pbNoMem 1 when out of
** memory.
*/
char *ctCanonicalPath(const char *zPath, int *pbNoMem){
  char *zReal = realpath(zPath, 0), *zOut, *zDir;
  const char *zBase = strrchr(zPath, '/');
  *pbNoMem = 0;
  if( zReal ){
    zOut = sqlite3_mprintf("%s", zReal);
    free(zReal);
    *pbNoMem = zOut==0;
    return zOut;
  }
  zDir = zBase ? sqlite3_mprintf("%.*s", (int)(zBase-zPath), zPath)
               : sqlite3_mprintf(".");
  if( zDir==0 ){ *pbNoMem = 1; return 0; }
  zReal = realpath(zDir[0] ? zDir : "/", 0);
  sqlite3_free(zDir);
  if( zReal==0 ) return 0;
  zOut = sqlite3_mprintf("%s%s%s", zReal, strcmp(zReal, "/") ? "/" : "",
                         zBase ? zBase+1 : zPath);
  free(zReal);
  *pbNoMem = zOut==0;
  return zOut;
}
