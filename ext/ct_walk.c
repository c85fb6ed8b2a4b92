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
** "case [1]" of a pattern below it), or 0 if there is none: such a prefix
** is taken literally. */
static size_t ctLiteralDirPrefix(const char *z){
  size_t n = strlen(z), i;
  for(i=n; i>0; i--){
    struct stat st;
    char *zPre;
    int bDir;
    if( z[i]!='/' ) continue;
    zPre = sqlite3_mprintf("%.*s", (int)i, z);
    if( zPre==0 ) return 0;
    bDir = strpbrk(zPre, "*?[")!=0 && stat(zPre, &st)==0 && S_ISDIR(st.st_mode);
    sqlite3_free(zPre);
    if( bDir ) return i;
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
  i = ctLiteralDirPrefix(z);
  if( i>iSlash ){ iSlash = i; bSlash = 1; }
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

/* Set the current entry to zFull (taken over) with an optional error. */
static int ctWalkFound(CtWalk *p, char *zFull, char *zErr){
  p->zCur = zFull;
  p->zCurErr = zErr;
  p->nFound++;
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
      return ctWalkFound(p, zFull, sqlite3_mprintf("cannot stat: %s", strerror(errno)));
    }
  }else if( S_ISDIR(st.st_mode) ){
    if( bAll || ctGlobPrefix(p->azSeg, p->nSeg, p->azComp, nComp) ){
      for(i=0; i<p->nFrame; i++){
        if( p->aFrame[i].dev==st.st_dev && p->aFrame[i].ino==st.st_ino ){
          return ctWalkFound(p, zFull, sqlite3_mprintf(
              "symbolic link loop: directory is already being walked"));
        }
      }
      e = ctWalkPush(p, zFull, zName, bMatch, &st);
      if( e==-1 ){ sqlite3_free(zFull); return SQLITE_NOMEM; }
      if( e ){
        return ctWalkFound(p, zFull, sqlite3_mprintf("cannot read directory: %s",
                                                     strerror(e)));
      }
    }
  }else if( bMatch ){
    return ctWalkFound(p, zFull, S_ISREG(st.st_mode) ? 0
                       : sqlite3_mprintf("not a regular file"));
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
  if( p->bSingle ){
    if( p->nFound ) return SQLITE_DONE;
    ctWalkFound(p, sqlite3_mprintf("%s", p->zPath), 0);
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
