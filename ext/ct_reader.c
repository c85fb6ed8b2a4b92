/*
** ct_reader.c — turn a file into a sequence of records.
**
** A file is read as a sequence of top-level JSON values.  A top-level array
** holds one record per element.  A top-level object is probed member by
** member: if it has a "Records" or "Events" array it is a wrapper (an S3
** delivery file or lookup-events output) and that array is streamed element
** by element; otherwise the object itself is one record.  So the same code
** reads delivery files, JSON Lines, bare arrays, single-object files and
** files of several delivery objects one per line.
**
** Each record is then classified (ctReaderClassify) and unwrapped by
** ctRecordUnwrap() (ct_fields.c): EventBridge envelopes yield their
** "detail", search hits their "_source", lookup-events items their decoded
** "CloudTrailEvent"; digest files yield nothing.
**
** Every record is fully validated before it is returned, and every error
** names the file and the byte offset (in decompressed bytes for gzip).
*/
#include <stdarg.h>
#include <string.h>
#include "ct_fields.h"
#include "ct_reader.h"
SQLITE_EXTENSION_INIT3

/* Parser states. */
#define CT_S_TOP          0   /* between top-level values */
#define CT_S_MEMBER       1   /* top-level object: expecting a key (or '}') */
#define CT_S_AFTER_MEMBER 2   /* top-level object: expecting ',' or '}' */
#define CT_S_ELEM         3   /* record array: expecting an element (or ']') */
#define CT_S_AFTER_ELEM   4   /* record array: expecting ',' or ']' */
#define CT_S_DONE         5

/* Which array the elements come from. */
#define CT_CONT_ARRAY   0     /* a top-level array */
#define CT_CONT_RECORDS 1     /* the "Records" member of a wrapper */
#define CT_CONT_EVENTS  2     /* the "Events" member of a wrapper */

/* ctPeek() results besides a byte value. */
#define CT_PEEK_EOF (-1)
#define CT_PEEK_ERR (-2)

/* ctReaderEmit() and friends: keep looping instead of returning a row. */
#define CT_CONTINUE (-1)

/* What the file is, decided by its first value (or first bytes). */
#define CT_CLASS_UNKNOWN    0   /* nothing complete seen yet */
#define CT_CLASS_CLOUDTRAIL 1   /* a record, a wrapper or a digest was */
#define CT_CLASS_OTHER      2   /* something else was: no rows, zNote */

/* Bytes looked at to recognise SQLite's files: the -shm file's two copies
** of its 48-byte header. */
#define CT_SNIFF_BYTES 96

/* Keys a note names, and how much of each. */
#define CT_NOTE_KEYS    4
#define CT_NOTE_KEY_MAX 40

const char *ctFormatName(int eFormat){
  static const char *const azName[] = {
    0, "empty", "records", "lookup-events", "eventbridge", "ecs",
    "json-lines", "json-array", "json-object", "digest", "not_cloudtrail",
    "sqlite", "sqlite-wal", "sqlite-shm", "sqlite-journal"
  };
  if( eFormat<=0 || eFormat>CT_FMT_LAST ) return 0;
  return azName[eFormat];
}

/* "byte" or "decompressed byte", for offsets in messages. */
static const char *ctByteWord(CtReader *p){
  return p->s.bGzip ? "decompressed byte" : "byte";
}

/* Set p->zErr to "cloudtrail: FILE: <message>" and return SQLITE_ERROR. */
static int ctReaderError(CtReader *p, const char *zFmt, ...){
  va_list ap;
  char *zMsg;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  sqlite3_free(p->zErr);
  p->zErr = zMsg ? sqlite3_mprintf("cloudtrail: %s: %s", p->zPath, zMsg) : 0;
  sqlite3_free(zMsg);
  p->rc = p->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  p->eState = CT_S_DONE;
  return p->rc;
}

/* Out of memory: end the reading with SQLITE_NOMEM. */
static int ctReaderNoMem(CtReader *p){
  p->rc = SQLITE_NOMEM;
  p->eState = CT_S_DONE;
  return SQLITE_NOMEM;
}

/* The first decoded byte the parser may still need. */
static sqlite3_int64 ctAnchor(CtReader *p){
  return p->bProbing ? p->iObj : p->iPos;
}

static int ctReaderNotRecord(CtReader *p, CtSpan obj, sqlite3_int64 iStart);

/*
** The file's first object cannot fit in the window.  If the members read
** so far already show it is no record (none of a record's, an Elastic
** document's or a wrapper's keys, which come first in every export), mark
** the file not CloudTrail: 1.  0 if it may be a record (then it is an
** error), or, with p->rc set, when out of memory.
*/
static int ctReaderTooBigOther(CtReader *p){
  CtShape shape;
  CtSpan obj;
  if( p->eClass!=CT_CLASS_UNKNOWN || !p->bProbing || p->nTop!=1
   || p->mem.n==0 || p->mem.bOverflow ){
    return 0;
  }
  obj.z = p->s.aBuf + (p->iObj - p->s.iBase);
  obj.n = p->s.nData - (size_t)(p->iObj - p->s.iBase);
  if( ctRecordShape(obj, &p->mem, &shape)!=CT_SHAPE_NONE || p->mSeenKeys ) return 0;
  return ctReaderNotRecord(p, obj, p->iObj)==SQLITE_DONE;
}

/*
** Fetch more input, keeping everything from the anchor on.  Returns
** SQLITE_OK, or an error already recorded in p.
*/
static int ctReaderMore(CtReader *p){
  int rc = ctStreamMore(&p->s, (size_t)(ctAnchor(p) - p->s.iBase));
  if( rc==CT_STREAM_OK ) return SQLITE_OK;
  if( rc==CT_STREAM_TOOBIG ){
    if( ctReaderTooBigOther(p) ){
      return ctReaderError(p, "the object at %s %lld is larger than "
          "max_record_size (%lld bytes)", ctByteWord(p), p->iObj,
          (sqlite3_int64)p->mxRecord);
    }
    if( p->rc ) return p->rc;
    return ctReaderError(p, "record %lld at %s %lld is larger than "
        "max_record_size (%lld bytes)", p->nRecord, ctByteWord(p),
        ctAnchor(p), (sqlite3_int64)p->mxRecord);
  }
  if( rc==CT_STREAM_ERROR ) return ctReaderError(p, "%s", p->s.zErr);
  return ctReaderNoMem(p);
}

/* Skip whitespace; return the next byte, CT_PEEK_EOF or CT_PEEK_ERR. */
static int ctPeek(CtReader *p){
  for(;;){
    size_t i = (size_t)(p->iPos - p->s.iBase);
    i = ct_json_skip_ws(p->s.aBuf, p->s.nData, i);
    p->iPos = p->s.iBase + (sqlite3_int64)i;
    if( i<p->s.nData ) return (unsigned char)p->s.aBuf[i];
    if( p->s.bEof ) return CT_PEEK_EOF;
    if( ctReaderMore(p) ) return CT_PEEK_ERR;
  }
}

/* Report a syntax error at the current position. */
static int ctReaderSyntax(CtReader *p, sqlite3_int64 iOff, const char *zWhy){
  if( p->bProbing || p->eState==CT_S_ELEM ){
    return ctReaderError(p, "invalid JSON at %s %lld in record %lld: %s",
                         ctByteWord(p), iOff, p->nRecord, zWhy);
  }
  if( p->nTop==0 ){
    return ctReaderError(p, "not JSON: %s at %s %lld", zWhy, ctByteWord(p), iOff);
  }
  return ctReaderError(p, "invalid JSON at %s %lld: %s", ctByteWord(p), iOff, zWhy);
}

/* The input ended inside a structure. */
static int ctReaderEnds(CtReader *p){
  if( p->bProbing || p->eState==CT_S_ELEM ){
    sqlite3_int64 iStart = p->bProbing ? p->iObj : p->iPos;
    return ctReaderError(p, "JSON ends inside record %lld, which starts at "
        "%s %lld", p->nRecord, ctByteWord(p), iStart);
  }
  return ctReaderError(p, "JSON ends at %s %lld before the enclosing %s is "
      "closed (records read: %lld)", ctByteWord(p), p->iPos,
      p->eState==CT_S_AFTER_ELEM ? "array" : "object", p->nRecord);
}

/*
** Validate the value at iPos with the given depth budget, fetching input
** as needed.  On success *piEnd is the decoded offset just past it and, if
** pM is not 0, *pM lists the object's top-level members.
*/
static int ctReaderValue(CtReader *p, int mxDepth, sqlite3_int64 *piEnd,
                         CtMembers *pM){
  for(;;){
    size_t i = (size_t)(p->iPos - p->s.iBase), iEnd;
    CtJsonError e;
    int rc = ct_json_validate_members(p->s.aBuf, p->s.nData, i, p->s.bEof,
                                      mxDepth, &iEnd, &e, pM);
    if( rc==CT_JSON_OK ){
      *piEnd = p->s.iBase + (sqlite3_int64)iEnd;
      return SQLITE_OK;
    }
    if( rc==CT_JSON_ERROR ){
      if( e.iOff>=p->s.nData && p->s.bEof ) return ctReaderEnds(p);
      return ctReaderSyntax(p, p->s.iBase + (sqlite3_int64)e.iOff, e.zWhy);
    }
    if( ctReaderMore(p) ) return p->rc;
  }
}

/* A lookup-events item whose CloudTrailEvent gave no record (u->eBad):
** the error. */
static int ctReaderBadEvent(CtReader *p, const CtUnwrapped *u){
  if( u->eBad==CT_UNWRAP_NOT_OBJECT ){
    return ctReaderError(p, "record %lld at %s %lld: CloudTrailEvent is not a"
        " JSON object", p->nRecord, ctByteWord(p), p->iRecOff);
  }
  return ctReaderError(p, "record %lld at %s %lld: CloudTrailEvent is not"
      " valid JSON: %s at offset %lld of the decoded string", p->nRecord,
      ctByteWord(p), p->iRecOff, u->err.zWhy, (sqlite3_int64)u->err.iOff);
}

/* Mark the file as not CloudTrail: format eFormat, zNote a new string
** (taken over; 0 after an out-of-memory).  SQLITE_DONE (the caller decides
** whether reading stops), or SQLITE_NOMEM. */
static int ctReaderOther(CtReader *p, int eFormat, char *zNote){
  p->eClass = CT_CLASS_OTHER;
  p->eFormat = eFormat;
  sqlite3_free(p->zNote);
  p->zNote = zNote;
  if( zNote==0 ) return ctReaderNoMem(p);
  return SQLITE_DONE;
}

/* How many bytes of the key k to show: at most CT_NOTE_KEY_MAX, never
** cutting a UTF-8 sequence or a \u escape in two. */
static int ctNoteKeyLen(CtSpan k){
  size_t n = k.n<CT_NOTE_KEY_MAX ? k.n : CT_NOTE_KEY_MAX, i;
  if( n==k.n ) return (int)n;
  while( n>0 && ((unsigned char)k.z[n]&0xC0)==0x80 ) n--;
  for(i=n>6 ? n-6 : 0; i<n; i++){
    if( k.z[i]=='\\' ){ n = i; break; }
  }
  return (int)n;
}

/* "its keys: a, b, c, …" (or "no keys") for the object obj, for notes:
** from the member table pM when it has the object's members (also for an
** object not yet complete), else by scanning obj. */
static char *ctDescribeKeys(CtSpan obj, const CtMembers *pM){
  CtSpan key, val;
  size_t i = 1;
  int n = 0, k = 0;
  char *z = sqlite3_mprintf("its keys:");
  for(;;){
    if( pM && !pM->bOverflow ){
      if( k>=pM->n ) break;
      key.z = obj.z + pM->a[k].iKey;
      key.n = pM->a[k++].nKey;
    }else if( !ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
      break;
    }
    if( z==0 ) break;
    if( n++==CT_NOTE_KEYS ){ z = sqlite3_mprintf("%z …", z); break; }
    z = sqlite3_mprintf("%z%s %.*s%s", z, n>1 ? "," : "", ctNoteKeyLen(key),
                        key.z, (size_t)ctNoteKeyLen(key)<key.n ? "…" : "");
  }
  if( z && n==0 ){ sqlite3_free(z); z = sqlite3_mprintf("no keys"); }
  return z;
}

/* The object obj at iStart, JSON but no record, makes the file not
** CloudTrail (ctReaderOther()). */
static int ctReaderNotRecord(CtReader *p, CtSpan obj, sqlite3_int64 iStart){
  char *zKeys = ctDescribeKeys(obj, &p->mem);
  p->bOtherJson = 1;
  return ctReaderOther(p, CT_FMT_NOT_CLOUDTRAIL, zKeys ? sqlite3_mprintf(
      "JSON, but not a CloudTrail record, an Elastic document or an export of "
      "them (the object at %s %lld: %z)", ctByteWord(p), iStart, zKeys) : 0);
}

/*
** The first top-level object (or element of a top-level array) decides
** whether the file is CloudTrail; every later one must agree, so a record
** is never dropped from a file taken for something else, nor an object
** that is not a record turned into a row.  bRecord: obj has the shape of a
** record (or is a digest).  SQLITE_ROW to go on with obj as a record,
** CT_CONTINUE to pass over it, or an error.
*/
static int ctReaderClassify(CtReader *p, CtSpan obj, int bRecord,
                            sqlite3_int64 iStart){
  if( p->eClass==CT_CLASS_UNKNOWN ){
    CtSpan hits = bRecord ? obj : ct_json_lookup(obj, "hits.hits");
    if( bRecord ){
      p->eClass = CT_CLASS_CLOUDTRAIL;
    }else if( hits.z && hits.z[0]=='[' ){
      /* It may hold records, which would otherwise be passed over. */
      return ctReaderError(p, "a whole Elasticsearch search response, which is "
          "not read: export its hits array instead (jq '.hits.hits')");
    }else{
      int rc = ctReaderNotRecord(p, obj, iStart);
      return rc==SQLITE_DONE ? CT_CONTINUE : rc;
    }
  }
  if( p->eClass==CT_CLASS_CLOUDTRAIL && !bRecord ){
    char *zKeys = ctDescribeKeys(obj, &p->mem);
    if( zKeys==0 ) return ctReaderNoMem(p);
    ctReaderError(p, "record %lld at %s %lld is not a CloudTrail record, an "
        "Elastic document or an export of them (%s)", p->nRecord,
        ctByteWord(p), iStart, zKeys);
    sqlite3_free(zKeys);
    return p->rc;
  }
  if( p->eClass==CT_CLASS_OTHER ){
    if( !bRecord ) return CT_CONTINUE;
    p->bMixed = 1;
    return ctReaderError(p, "the object at %s %lld is a CloudTrail record, but"
        " the file's first value is not (%s): a file mixing them is not read",
        ctByteWord(p), iStart, p->zNote);
  }
  return SQLITE_ROW;
}

/* The file format implied by a record of this shape in this container. */
static int ctFormatOf(CtReader *p, int eShape){
  if( p->eCont==CT_CONT_RECORDS && !p->bProbing ) return CT_FMT_RECORDS;
  if( p->eCont==CT_CONT_EVENTS && !p->bProbing ) return CT_FMT_LOOKUP;
  switch( eShape ){
    case CT_SHAPE_ENVELOPE: return CT_FMT_EVENTBRIDGE;
    case CT_SHAPE_HIT:
    case CT_SHAPE_ECS:      return CT_FMT_ECS;
    case CT_SHAPE_LOOKUP:   return CT_FMT_LOOKUP;
    case CT_SHAPE_DIGEST:   return CT_FMT_DIGEST;
  }
  if( p->bProbing ) return p->nTop>1 ? CT_FMT_LINES : CT_FMT_OBJECT;
  return CT_FMT_ARRAY;
}

/*
** The object at decoded offsets [iStart,iEnd) is complete and valid.
** Classify and unwrap it.  Returns SQLITE_ROW with p->rec set,
** CT_CONTINUE for objects that are not records (digests), or an error.
*/
static int ctReaderEmit(CtReader *p, sqlite3_int64 iStart, sqlite3_int64 iEnd){
  CtUnwrapped u;
  int eShape;
  CtSpan obj;
  obj.z = p->s.aBuf + (iStart - p->s.iBase);
  obj.n = (size_t)(iEnd - iStart);
  p->iRecOff = iStart;
  if( ctRecordUnwrap(obj, &p->mem, &p->dec, &u) ){
    p->rc = SQLITE_NOMEM;
    return SQLITE_NOMEM;
  }
  eShape = u.eShape;
  if( p->eCont==CT_CONT_EVENTS && !p->bProbing && eShape!=CT_SHAPE_LOOKUP ){
    return ctReaderError(p, "record %lld at %s %lld has no CloudTrailEvent "
        "string", p->nRecord, ctByteWord(p), iStart);
  }
  if( p->eCont==CT_CONT_RECORDS && !p->bProbing ){
    /* An element of a delivery file's Records is a record by place (and
    ** ctRecordUnwrap() reads an object of no known shape as raw). */
    if( eShape==CT_SHAPE_NONE ) eShape = CT_SHAPE_RAW;
  }else{
    int rc = ctReaderClassify(p, obj, eShape!=CT_SHAPE_NONE, iStart);
    if( rc!=SQLITE_ROW ) return rc;
  }
  /* Only a record is held to max_record_size: what is passed over is not
  ** one (and still fits the window, which is larger). */
  if( obj.n>p->mxRecord ){
    return ctReaderError(p, "record %lld at %s %lld is larger than "
        "max_record_size (%lld bytes)", p->nRecord, ctByteWord(p), iStart,
        (sqlite3_int64)p->mxRecord);
  }
  if( p->nRecord==0 && p->eFormat!=CT_FMT_RECORDS
   && p->eFormat!=CT_FMT_LOOKUP ){
    p->eFormat = ctFormatOf(p, eShape);
  }
  if( eShape==CT_SHAPE_DIGEST ) return CT_CONTINUE;
  if( u.eBad ) return ctReaderBadEvent(p, &u);
  p->eKind = u.bEcs ? CT_KIND_ECS : CT_KIND_RAW;
  p->rec = u.rec;
  p->bMem = u.bMem;
  p->iRecord = p->nRecord++;
  return SQLITE_ROW;
}

/* A top-level object just closed at iPos. */
static int ctReaderEndObject(CtReader *p){
  p->eState = CT_S_TOP;
  if( p->bWrapper ){
    p->bWrapper = 0;
    return CT_CONTINUE;
  }
  {
    int rc = ctReaderEmit(p, p->iObj, p->iPos);
    p->bProbing = 0;
    return rc;
  }
}

/*
** At the '"' of a key in a top-level object: read the key and ':'.  A
** "Records" or "Events" key whose value is an array turns the object into
** a wrapper and starts streaming that array; any other value is validated
** and stepped over.
*/
static int ctReaderMember(CtReader *p){
  int eCont = -1, c, rc;
  const char *zDup = 0;       /* a repeated "Records" or "Events" key */
  sqlite3_int64 iKey = 0, nKey = 0;
  for(;;){
    size_t i = (size_t)(p->iPos - p->s.iBase), iEnd;
    CtJsonError e;
    rc = ct_json_string_end(p->s.aBuf, p->s.nData, i, &iEnd, &e);
    if( rc==CT_JSON_OK ){
      CtSpan key;
      key.z = p->s.aBuf + i + 1;
      key.n = iEnd - i - 2;
      iKey = p->iPos + 1;
      nKey = (sqlite3_int64)key.n;
      /* Only the first "Records" or "Events" key can make a wrapper, as
      ** only the first of duplicate keys counts everywhere else; a later
      ** one holding an array is refused below (zDup). */
      if( ct_json_key_eq(key, "Records", 7) ){
        if( !(p->mSeenKeys & 1) ) eCont = CT_CONT_RECORDS; else zDup = "Records";
        p->mSeenKeys |= 1;
      }else if( ct_json_key_eq(key, "Events", 6) ){
        if( !(p->mSeenKeys & 2) ) eCont = CT_CONT_EVENTS; else zDup = "Events";
        p->mSeenKeys |= 2;
      }
      p->iPos = p->s.iBase + (sqlite3_int64)iEnd;
      break;
    }
    if( rc==CT_JSON_ERROR ){
      return ctReaderSyntax(p, p->s.iBase + (sqlite3_int64)e.iOff, e.zWhy);
    }
    if( p->s.bEof ) return ctReaderEnds(p);
    if( ctReaderMore(p) ) return p->rc;
  }
  c = ctPeek(p);
  if( c==CT_PEEK_ERR ) return p->rc;
  if( c==CT_PEEK_EOF ) return ctReaderEnds(p);
  if( c!=':' ) return ctReaderSyntax(p, p->iPos, "expected ':'");
  p->iPos++;
  c = ctPeek(p);
  if( c==CT_PEEK_ERR ) return p->rc;
  if( c==CT_PEEK_EOF ) return ctReaderEnds(p);
  if( zDup && c=='[' ){
    p->bMixed |= p->eClass==CT_CLASS_OTHER;
    /* Readers that keep the last of duplicate keys would read these
    ** records, those that keep the first would not: refuse to choose. */
    return ctReaderError(p, "a second \"%s\" key at %s %lld holds an array: "
        "which of the two holds the records is ambiguous", zDup, ctByteWord(p),
        iKey-1);
  }
  if( eCont>=0 && c=='[' ){
    /* In a file taken for something else, the array's first element (if
    ** it has one) is the mixing error (ctReaderElement()). */
    if( p->eClass==CT_CLASS_UNKNOWN ) p->eClass = CT_CLASS_CLOUDTRAIL;
    if( p->nRecord==0 && p->eClass==CT_CLASS_CLOUDTRAIL ){
      p->eFormat = eCont==CT_CONT_RECORDS ? CT_FMT_RECORDS : CT_FMT_LOOKUP;
    }
    p->bWrapper = 1;
    p->bProbing = 0;
    p->eCont = eCont;
    p->bFirst = 1;
    p->iPos++;
    p->eState = CT_S_ELEM;
    return CT_CONTINUE;
  }
  {
    sqlite3_int64 iEnd;
    /* The object itself is one level, so members get one level less. */
    int mxDepth = p->bWrapper ? CT_JSON_MAX_DEPTH : CT_JSON_MAX_DEPTH-1;
    if( ctReaderValue(p, mxDepth, &iEnd, 0) ) return p->rc;
    if( p->bProbing ){
      ct_members_add(&p->mem, (size_t)(iKey - p->iObj), (size_t)nKey,
                     (size_t)(p->iPos - p->iObj), (size_t)(iEnd - p->iPos));
    }
    p->iPos = iEnd;
  }
  p->eState = CT_S_AFTER_MEMBER;
  return CT_CONTINUE;
}

/* At an element of a record array. */
static int ctReaderElement(CtReader *p, int c){
  sqlite3_int64 iStart = p->iPos, iEnd;
  if( c!='{' && p->eCont==CT_CONT_ARRAY && p->eClass!=CT_CLASS_CLOUDTRAIL ){
    /* A top-level array of values that are not objects: not CloudTrail
    ** (a later object that is a record still fails the file). */
    p->bOtherJson |= p->eClass==CT_CLASS_UNKNOWN;
    if( p->eClass==CT_CLASS_UNKNOWN
     && ctReaderOther(p, CT_FMT_NOT_CLOUDTRAIL, sqlite3_mprintf("JSON, but not "
          "CloudTrail: an array whose element at %s %lld is not an object",
          ctByteWord(p), iStart))==SQLITE_NOMEM ){
      return SQLITE_NOMEM;
    }
    if( ctReaderValue(p, CT_JSON_MAX_DEPTH, &iEnd, 0) ) return p->rc;
    p->iPos = iEnd;
    p->bFirst = 0;
    p->eState = CT_S_AFTER_ELEM;
    return CT_CONTINUE;
  }
  if( p->eClass==CT_CLASS_OTHER && p->eCont!=CT_CONT_ARRAY ){
    p->bMixed = 1;
    return ctReaderError(p, "the %s array holds a record at %s %lld, but the "
        "file's first value is not CloudTrail (%s): a file mixing them is not "
        "read", p->eCont==CT_CONT_RECORDS ? "Records" : "Events", ctByteWord(p),
        iStart, p->zNote);
  }
  if( c!='{' ){
    return ctReaderError(p, "record %lld at %s %lld is not a JSON object",
                         p->nRecord, ctByteWord(p), p->iPos);
  }
  if( ctReaderValue(p, CT_JSON_MAX_DEPTH, &iEnd, &p->mem) ) return p->rc;
  p->iPos = iEnd;
  p->bFirst = 0;
  p->eState = CT_S_AFTER_ELEM;
  return ctReaderEmit(p, iStart, iEnd);
}

/* A record array just closed. */
static void ctReaderCloseArray(CtReader *p){
  p->iPos++;
  p->eState = p->eCont==CT_CONT_ARRAY ? CT_S_TOP : CT_S_AFTER_MEMBER;
}

/* Code units looked at to tell UTF-16 without a byte order mark. */
#define CT_UTF16_PROBE 8

/* True if the CT_UTF16_PROBE code units at a (n bytes) look like ASCII
** text in UTF-16 with the zero byte at offset iZero (1: LE, 0: BE). */
static int ctLooksUtf16(const unsigned char *a, size_t n, int iZero){
  size_t i;
  if( n<2*CT_UTF16_PROBE ) return 0;
  for(i=0; i<2*CT_UTF16_PROBE; i+=2){
    unsigned c = a[i+1-iZero];
    if( a[i+iZero]!=0 || !(CT_JSON_IS_WS((char)c) || (c>=0x20 && c<0x7f)) ) return 0;
  }
  return 1;
}

/*
** UTF-16 text, with a byte order mark or (without one) ASCII in its first
** code units: 1 (little-endian) or 2 (big-endian), with *pbJson set if its
** first character that is not a space is '{' or '['; 0 if a[0..n) does not
** look like UTF-16.
*/
static int ctUtf16(const unsigned char *a, size_t n, int *pbJson){
  int e = 0;
  size_t i = 0;
  if( n>=2 && a[0]==0xFF && a[1]==0xFE ){ e = 1; i = 2; }
  else if( n>=2 && a[0]==0xFE && a[1]==0xFF ){ e = 2; i = 2; }
  else if( ctLooksUtf16(a, n, 1) ) e = 1;
  else if( ctLooksUtf16(a, n, 0) ) e = 2;
  if( e==0 ) return 0;
  for(; i+1<n; i+=2){
    unsigned lo = a[i + (e==2)], hi = a[i + (e==1)];
    if( hi==0 && CT_JSON_IS_WS((char)lo) ) continue;
    *pbJson = hi==0 && (lo=='{' || lo=='[');
    return e;
  }
  *pbJson = 0;
  return e;
}

/*
** Look at the first bytes: SQLite's files (by their headers) and UTF-16
** text are told apart before any JSON is parsed, and a UTF-8 byte order
** mark is skipped.  SQLITE_OK to go on parsing, SQLITE_DONE for a file
** that is not CloudTrail (p->zNote), or an error.
*/
static int ctReaderSniff(CtReader *p){
  static const unsigned char aJournal[8] = {0xd9,0xd5,0x05,0xf9,0x20,0xa1,0x63,0xd7};
  const unsigned char *a;
  size_t n;
  unsigned int iShmVersion;
  int bJson = 0;
  while( p->s.nData<CT_SNIFF_BYTES && !p->s.bEof ){
    if( ctReaderMore(p) ) return p->rc;
  }
  a = (const unsigned char*)p->s.aBuf;
  n = p->s.nData;
  if( n>=16 && memcmp(a, "SQLite format 3", 16)==0 ){
    return ctReaderOther(p, CT_FMT_SQLITE, sqlite3_mprintf("a SQLite database"));
  }
  if( n>=4 && a[0]==0x37 && a[1]==0x7f && a[2]==0x06 && (a[3]&0xfe)==0x82 ){
    return ctReaderOther(p, CT_FMT_SQLITE_WAL,
                         sqlite3_mprintf("a SQLite write-ahead log"));
  }
  if( n>=8 && memcmp(a, aJournal, 8)==0 ){
    return ctReaderOther(p, CT_FMT_SQLITE_JOURNAL,
                         sqlite3_mprintf("a SQLite rollback journal"));
  }
  /* The -shm file: a header of version 3007000 (native byte order) that
  ** appears twice. */
  if( n>=CT_SNIFF_BYTES ) memcpy(&iShmVersion, a, 4);
  if( n>=CT_SNIFF_BYTES && iShmVersion==3007000 && memcmp(a, a+48, 48)==0 ){
    return ctReaderOther(p, CT_FMT_SQLITE_SHM,
                         sqlite3_mprintf("a SQLite WAL index"));
  }
  if( ctUtf16(a, n, &bJson) ){
    if( !bJson ){
      return ctReaderOther(p, CT_FMT_NOT_CLOUDTRAIL,
                           sqlite3_mprintf("UTF-16 text, not JSON"));
    }
    return ctReaderError(p, "JSON in UTF-16 (as Windows PowerShell's > writes"
        " it), which is not read: convert it to UTF-8 first, e.g. with iconv -f"
        " UTF-16 -t UTF-8, or write it with Out-File -Encoding utf8");
  }
  if( n>=3 && memcmp(a, "\xEF\xBB\xBF", 3)==0 ) p->iPos = 3;
  return SQLITE_OK;
}

/* One step at the top level, between values. */
static int ctReaderTop(CtReader *p, int c){
  if( c==CT_PEEK_EOF ){
    p->eState = CT_S_DONE;
    if( p->nTop==0 ) p->eFormat = CT_FMT_EMPTY;
    return SQLITE_DONE;
  }
  if( c!='[' && c!='{' ){
    int bScalar = c=='"' || c=='-' || (c>='0' && c<='9') || c=='t' || c=='f' || c=='n';
    if( p->nTop==0 && !bScalar ){
      p->eState = CT_S_DONE;
      p->bStopped = 1;
      return ctReaderOther(p, CT_FMT_NOT_CLOUDTRAIL, sqlite3_mprintf("not "
          "JSON: expected '{' or '[' at %s %lld", ctByteWord(p), p->iPos));
    }
    if( p->eClass!=CT_CLASS_CLOUDTRAIL && bScalar ){
      /* A JSON value that is no object: not CloudTrail.  Read on, so that a
      ** record later in the file is not passed over.  As the first value,
      ** if it does not validate, the file is text, not JSON. */
      sqlite3_int64 iEnd, iStart = p->iPos;
      int bFirst = p->nTop==0;
      p->nTop++;
      if( ctReaderValue(p, CT_JSON_MAX_DEPTH, &iEnd, 0) ){
        if( !bFirst || p->rc==SQLITE_NOMEM ) return p->rc;
        sqlite3_free(p->zErr);
        p->zErr = 0;
        p->rc = SQLITE_OK;
        p->bStopped = 1;
        return ctReaderOther(p, CT_FMT_NOT_CLOUDTRAIL, sqlite3_mprintf("not "
            "JSON: expected '{' or '[' at %s %lld", ctByteWord(p), iStart));
      }
      if( bFirst ){
        p->bOtherJson = 1;
        if( ctReaderOther(p, CT_FMT_NOT_CLOUDTRAIL, sqlite3_mprintf("JSON, but "
              "not CloudTrail: a value that is not an object at %s %lld",
              ctByteWord(p), iStart))==SQLITE_NOMEM ){
          return SQLITE_NOMEM;
        }
      }
      p->iPos = iEnd;
      return CT_CONTINUE;
    }
    return ctReaderSyntax(p, p->iPos, "expected '{' or '['");
  }
  p->nTop++;
  if( p->nTop==2 && p->eFormat==CT_FMT_OBJECT ) p->eFormat = CT_FMT_LINES;
  if( c=='[' ){
    if( p->eFormat==CT_FMT_UNKNOWN ) p->eFormat = CT_FMT_ARRAY;
    p->iPos++;
    p->eCont = CT_CONT_ARRAY;
    p->bFirst = 1;
    p->eState = CT_S_ELEM;
    return CT_CONTINUE;
  }
  {
    p->iObj = p->iPos;
    p->mSeenKeys = 0;
    p->mem.n = 0;
    p->mem.bOverflow = 0;
    p->bProbing = 1;
    p->bWrapper = 0;
    p->bFirst = 1;
    p->iPos++;
    p->eState = CT_S_MEMBER;
  }
  return CT_CONTINUE;
}

/* One step of ctReaderNext(). */
static int ctReaderStep(CtReader *p){
  if( !p->bBomDone ){
    int rc;
    p->bBomDone = 1;
    rc = ctReaderSniff(p);
    if( rc==SQLITE_DONE ){ p->eState = CT_S_DONE; p->bStopped = 1; }
    if( rc ) return p->rc ? p->rc : rc;
  }
  for(;;){
    int c, rc = CT_CONTINUE;
    if( p->eState==CT_S_DONE ) return p->rc ? p->rc : SQLITE_DONE;
    c = ctPeek(p);
    if( c==CT_PEEK_ERR ) return p->rc;
    if( c==CT_PEEK_EOF && p->eState!=CT_S_TOP ) return ctReaderEnds(p);
    switch( p->eState ){
      case CT_S_TOP:
        rc = ctReaderTop(p, c);
        break;
      case CT_S_MEMBER:
        if( c=='}' && p->bFirst ){
          p->iPos++;
          rc = ctReaderEndObject(p);
        }else if( c!='"' ){
          rc = ctReaderSyntax(p, p->iPos, "expected a string key");
        }else{
          rc = ctReaderMember(p);
        }
        break;
      case CT_S_AFTER_MEMBER:
        p->bFirst = 0;
        if( c==',' ){
          p->iPos++;
          p->eState = CT_S_MEMBER;
        }else if( c=='}' ){
          p->iPos++;
          rc = ctReaderEndObject(p);
        }else{
          rc = ctReaderSyntax(p, p->iPos, "expected ',' or '}'");
        }
        break;
      case CT_S_ELEM:
        if( c==']' && p->bFirst ){
          ctReaderCloseArray(p);
        }else{
          rc = ctReaderElement(p, c);
        }
        break;
      case CT_S_AFTER_ELEM:
        if( c==',' ){
          p->iPos++;
          p->eState = CT_S_ELEM;
        }else if( c==']' ){
          ctReaderCloseArray(p);
        }else{
          rc = ctReaderSyntax(p, p->iPos, "expected ',' or ']'");
        }
        break;
    }
    if( rc!=CT_CONTINUE ) return rc;
  }
}

/*
** Advance to the next record.  Returns SQLITE_ROW (p->rec, p->eKind,
** p->iRecord describe it), SQLITE_DONE at the end of the file, or an error
** code with p->zErr set.  A file found not to be CloudTrail (its format
** ctFormatIsOther()) gives no rows and SQLITE_DONE, p->zNote saying what it
** is: damage later in it only ends the reading (the note says where), but
** a CloudTrail record found in it after all is an error.
*/
int ctReaderNext(CtReader *p){
  int rc = ctReaderStep(p);
  if( rc!=SQLITE_ROW && rc!=SQLITE_DONE && rc!=SQLITE_NOMEM
   && p->eClass==CT_CLASS_OTHER && !p->bMixed ){
    size_t nPrefix = strlen("cloudtrail: ") + strlen(p->zPath) + 2;
    const char *zWhy = p->zErr && strlen(p->zErr)>=nPrefix ? p->zErr+nPrefix : "";
    p->zNote = sqlite3_mprintf("%z; reading stopped: %s", p->zNote, zWhy);
    sqlite3_free(p->zErr);
    p->zErr = 0;
    p->bStopped = 1;
    p->rc = p->zNote ? SQLITE_OK : SQLITE_NOMEM;
    return p->zNote ? SQLITE_DONE : SQLITE_NOMEM;
  }
  return rc;
}

/*
** Open zPath for reading, reusing the buffers of a previous file if p was
** ended with ctReaderEnd() (p must be zeroed otherwise).  nBuf is the
** initial window, mxRecord the largest
** record accepted, bThread allows inflating on a second thread.  On error
** p->zErr names the file.
*/
int ctReaderOpen(CtReader *p, const char *zPath, size_t nBuf, size_t mxRecord,
                 int bThread){
  int rc;
  CtStream s = p->s;            /* buffers kept by ctReaderEnd() */
  CtBuf dec = p->dec;
  sqlite3_free(p->zErr);
  sqlite3_free(p->zNote);
  memset(p, 0, sizeof(*p));
  p->s = s;
  p->dec = dec;
  p->zPath = zPath;
  p->mxRecord = mxRecord;
  /* The window must hold a whole record plus the bytes around it that the
  ** parser is still looking at (a key, a separator). */
  rc = ctStreamOpen(&p->s, zPath, nBuf, mxRecord + CT_STREAM_INPUT_CHUNK,
                    bThread);
  if( rc==SQLITE_NOMEM ){ p->rc = rc; return rc; }
  if( rc!=CT_STREAM_OK ) return ctReaderError(p, "%s", p->s.zErr);
  /* The byte order mark is looked for by the first ctReaderNext(): reading
  ** here would wait for an inflate thread that was just started. */
  return SQLITE_OK;
}

/* Finish with the current file; keep the buffers for the next open. */
void ctReaderEnd(CtReader *p){
  ctStreamEnd(&p->s);
  sqlite3_free(p->zErr);
  sqlite3_free(p->zNote);
  p->zErr = 0;
  p->zNote = 0;
}

/* Release everything the reader holds; safe on a zeroed reader and after a
** failed open. */
void ctReaderClose(CtReader *p){
  ctStreamClose(&p->s);
  sqlite3_free(p->zErr);
  sqlite3_free(p->zNote);
  sqlite3_free(p->dec.a);
  memset(p, 0, sizeof(*p));
  p->s.fd = -1;
}
