/*
** ct_digest.h — a copy of a CloudTrail trail as cloudtrail_validate() sees
** it (ct_digest.c): every file under PATH with the SHA-256 of its
** uncompressed bytes, the digest files among them parsed, and the public
** keys and signatures its options name.  The checks are in ct_validate.c.
*/
#ifndef CT_DIGEST_H
#define CT_DIGEST_H
#include "sqlite3ext.h"
#include "ct_crypto.h"

/* A digest lists an hour of log files, about 300 bytes each: even a busy
** trail's is well under a megabyte.  A larger file is hashed but not kept
** for parsing, so it counts as a log file (max_digest_size raises this). */
#define CT_V_MAX_DIGEST   (16*1024*1024)
/* The keys and signatures files are a few KiB per region and year. */
#define CT_V_MAX_AUX_FILE (16*1024*1024)
/* Read window for hashing: as the cloudtrail table's default. */
#define CT_V_BUFFER       (256*1024)

/* A file under PATH. */
typedef struct CtVFile CtVFile;
struct CtVFile {
  char *zPath;                 /* as the walk gave it */
  const char *zKey;            /* its base name, inside zPath … */
  int nKey;                    /* … and its length without ".gz" */
  char zSha[CT_SHA256_HEX+1];  /* SHA-256 of the decoded bytes; "" if unread */
  char *zErr;                  /* why it could not be read, or 0 */
  char *zNote;                 /* not read on purpose (this connection's
                               ** own database file): why, or 0 */
  int iDigest;                 /* index in aDigest, or -1 */
  int nNamed;                  /* times a digest names it */
};

/* One entry of a digest's logFiles. */
typedef struct CtVLog CtVLog;
struct CtVLog {
  char *zObject;               /* s3Object */
  char *zHash;                 /* hashValue */
};

/* A file whose content is a digest. */
typedef struct CtVDigest CtVDigest;
struct CtVDigest {
  int iFile;
  char *zAccount, *zRegion;
  char *zStart, *zEnd;         /* digestStartTime, digestEndTime */
  sqlite3_int64 tStart, tEnd;  /* the same as epoch seconds … */
  int bTimes;                  /* … if both are YYYY-MM-DDTHH:MM:SSZ */
  char *zBucket, *zObject;     /* digestS3Bucket, digestS3Object */
  char *zFinger, *zAlgo;       /* digestPublicKeyFingerprint, …Algorithm */
  char *zPrevObject, *zPrevHash, *zPrevSig;  /* previousDigest… */
  char *zBad;                  /* a field the signature covers is missing */
  CtVLog *aLog;
  int nLog;
  int iPrevFile;               /* file the previous name matches, or -1 */
  int iNext;                   /* digest naming this one as previous, or -1 */
  const char *zSigStatus;      /* valid, invalid or unverified */
  char *zSigWhy;               /* reason when not valid */
};

/* A public key from list-public-keys output. */
typedef struct CtVKey CtVKey;
struct CtVKey {
  char *zFinger;
  CtPubKey *pKey;
};

/* A digest's signature given by the signatures file. */
typedef struct CtVSig CtVSig;
struct CtVSig {
  char *zObject;               /* the digest's S3 key (or name) */
  char *zSig;                  /* hex */
};


/* A trail as read for one query; freed by ctTrailClear(). */
typedef struct CtTrail CtTrail;
struct CtTrail {
  char *zKeysFile, *zSigsFile; /* options */
  sqlite3_int64 mxDigest;
  CtVFile *aFile;  int nFile, nFileAlloc;
  int *aiSorted;               /* aFile indices ordered by key */
  CtVDigest *aDigest; int nDigest, nDigestAlloc;
  CtVKey *aKey;  int nKey, nKeyAlloc;
  CtVSig *aSig;  int nSig;
};

int ctTrailGrow(void **pa, int n, int *pnAlloc, size_t sz);
const char *ctTrailKeyOf(const char *z, int *pn);
int ctTrailKeyCmp(const char *a, int na, const char *b, int nb);
char *ctTrailNameField(const char *zName, int iField);
int ctTrailOption(void *pTrail, const char *zKey, size_t nKey,
                  const char *zVal, size_t nVal, char **pzErr);
int ctTrailLoadKeys(CtTrail *p, char **pzErr);
int ctTrailLoadSigs(CtTrail *p, char **pzErr);
int ctTrailRead(CtTrail *p, const char *zPath, sqlite3_stmt *pPing,
                char **pzErr);
int ctTrailFind(CtTrail *p, const char *zName, int *pnMatch);
void ctTrailClear(CtTrail *p);

#endif
