/*
** ct_kql.c — the KQL (Kibana Query Language) parser: the text of a rule's
** "kuery" query becomes the tree of ct_query.h, which ct_qeval.c evaluates.
** The grammar is Kibana's (kbn-es-query's kuery grammar), read as Kibana
** reads it, quirks included; docs/kql.md lists what is accepted and how
** each construct appears in the tree.
**
**   SELECT cloudtrail_query_tree('kql',
**     'event.action: (Stop* or "Delete") and not user.name: admin');
**   -- (and (or (kmatch event.action "Stop*" wild)
**   --          (kmatch event.action "Delete" quoted))
**   --      (not (kmatch user.name "admin")))
**
** The parser is recursive descent over the query text, one function per
** rule of the grammar.  A parenthesised value list (f: (a or not b)) is
** parsed by the same or/and/not functions as a query, with the field
** passed down, so each value becomes its own leaf on that field.
*/
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include "ct_query.h"
SQLITE_EXTENSION_INIT3

/* Groups ("(...)", "f:(...)", "f:{...}") open at once.  Each costs a few
** C stack frames; 200 is far beyond any rule (Elastic's AWS rules nest
** three deep) and keeps hostile input well inside a thread's stack. */
#define CT_KQL_MAX_DEPTH 200

/* Height of the tree built.  "a or b or c ..." is a left-deep chain as
** tall as it is long, and freeing, printing and evaluating a tree recurse
** over its height; the longest chain in Elastic's AWS rules has 58
** operands. */
#define CT_KQL_MAX_HEIGHT 2000

typedef struct CtKqlParser CtKqlParser;
struct CtKqlParser {
  const char *z;            /* the query, NUL-terminated */
  int i;                    /* the cursor: byte offset in z */
  int nDepth;               /* groups open at the cursor */
  int rc;                   /* SQLITE_OK, or the first error */
  char *zErr;               /* message of the first SQLITE_ERROR */
};

/* A literal (a field name or a value) read from the query. */
typedef struct CtKqlLit CtKqlLit;
struct CtKqlLit {
  char *z;                  /* decoded text, NUL-terminated, sqlite3_malloc'd */
  int n;                    /* bytes of z */
  int iStart;               /* offset of the literal in the query */
  int bQuoted;              /* it was a "quoted string" */
  int bWild;                /* unquoted with an unescaped '*': z is a pattern */
};

/* The field a value list applies to (0 while parsing a query). */
typedef struct CtKqlField CtKqlField;
struct CtKqlField {
  const char *z;            /* the field name, decoded */
  int bAll;                 /* the unquoted name "*": "*:*" matches all */
  int iOffset;              /* offset for a single value's node, -1 in a list */
};

/* Output of the literal decoders.  z is 0 on the pass that measures. */
typedef struct CtKqlOut CtKqlOut;
struct CtKqlOut {
  char *z;
  int n;
};

/* ---------------------------------------------------------------------
** Errors
*/

/* Records the first error: "cloudtrail: kql: <what> at offset N". */
static void kqlError(CtKqlParser *p, int iOff, const char *zFmt, ...){
  va_list ap;
  char *zWhat;
  if( p->rc!=SQLITE_OK ) return;
  va_start(ap, zFmt);
  zWhat = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( zWhat ) p->zErr = sqlite3_mprintf("cloudtrail: kql: %s at offset %d", zWhat, iOff);
  sqlite3_free(zWhat);
  p->rc = p->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static void kqlNoMem(CtKqlParser *p){
  if( p->rc==SQLITE_OK ) p->rc = SQLITE_NOMEM;
}

/* ---------------------------------------------------------------------
** Characters
*/

/* Bytes of the KQL whitespace at z (space, tab, CR, LF, U+00A0), or 0. */
static int kqlSpaceLen(const char *z){
  if( z[0]==' ' || z[0]=='\t' || z[0]=='\r' || z[0]=='\n' ) return 1;
  if( (unsigned char)z[0]==0xC2 && (unsigned char)z[1]==0xA0 ) return 2;
  return 0;
}

static int kqlSkipSpace(const char *z, int i){
  int m;
  while( (m = kqlSpaceLen(z+i))>0 ) i += m;
  return i;
}

/* Characters that end an unquoted literal unless escaped ('\\' and '*'
** are special too, handled by the literal scanner itself). */
static int kqlIsStop(char c){
  return c!=0 && strchr("():<>\"{}", c)!=0;
}

/* True if word zWord (ASCII, any case) is at z+i. */
static int kqlWordAt(const char *z, int i, const char *zWord){
  return sqlite3_strnicmp(z+i, zWord, (int)strlen(zWord))==0;
}

/* True if Kibana's Keyword lookahead holds at z+i, ending an unquoted
** literal there: whitespace "or"/"and" whitespace, or "not" whitespace
** (without whitespace before it, so "knot x" stops after "k"). */
static int kqlKeywordAt(const char *z, int i){
  int m = kqlSpaceLen(z+i);
  if( m>0 ){
    if( kqlWordAt(z, i+m, "or") && kqlSpaceLen(z+i+m+2) ) return 1;
    if( kqlWordAt(z, i+m, "and") && kqlSpaceLen(z+i+m+3) ) return 1;
    return 0;
  }
  return kqlWordAt(z, i, "not") && kqlSpaceLen(z+i+3);
}

/* The operator zWord ("or", "and") at the cursor, with at least one
** whitespace on each side: the offset after it and its trailing
** whitespace, or -1. */
static int kqlOperatorAt(const CtKqlParser *p, const char *zWord){
  int i = kqlSkipSpace(p->z, p->i);
  int n = (int)strlen(zWord);
  if( i==p->i || !kqlWordAt(p->z, i, zWord) || !kqlSpaceLen(p->z+i+n) ) return -1;
  return kqlSkipSpace(p->z, i+n);
}

/* "not" and whitespace at the cursor: the offset after them, or -1. */
static int kqlNotAt(const CtKqlParser *p){
  if( !kqlWordAt(p->z, p->i, "not") || !kqlSpaceLen(p->z+p->i+3) ) return -1;
  return kqlSkipSpace(p->z, p->i+3);
}

/* ---------------------------------------------------------------------
** Literals
*/

static void kqlPut(CtKqlOut *pOut, char c){
  if( pOut->z ) pOut->z[pOut->n] = c;
  pOut->n++;
}

/* A decoded byte; in a wildcard pattern a literal '*' or '\\' is escaped. */
static void kqlPutLiteral(CtKqlOut *pOut, char c, int bPattern){
  if( bPattern && (c=='*' || c=='\\') ) kqlPut(pOut, '\\');
  kqlPut(pOut, c);
}

static void kqlPutUtf8(CtKqlOut *pOut, unsigned cp, int bPattern){
  if( cp<0x80 ){
    kqlPutLiteral(pOut, (char)cp, bPattern);
  }else if( cp<0x800 ){
    kqlPut(pOut, (char)(0xC0 | (cp>>6)));
    kqlPut(pOut, (char)(0x80 | (cp & 0x3F)));
  }else if( cp<0x10000 ){
    kqlPut(pOut, (char)(0xE0 | (cp>>12)));
    kqlPut(pOut, (char)(0x80 | ((cp>>6) & 0x3F)));
    kqlPut(pOut, (char)(0x80 | (cp & 0x3F)));
  }else{
    kqlPut(pOut, (char)(0xF0 | (cp>>18)));
    kqlPut(pOut, (char)(0x80 | ((cp>>12) & 0x3F)));
    kqlPut(pOut, (char)(0x80 | ((cp>>6) & 0x3F)));
    kqlPut(pOut, (char)(0x80 | (cp & 0x3F)));
  }
}

/* The code unit of "\\uXXXX" at z (any case of hex digits), or -1. */
static int kqlHex4At(const char *z){
  int k, v = 0;
  if( z[0]!='\\' || z[1]!='u' ) return -1;
  for(k=2; k<6; k++){
    char c = z[k];
    if( c>='0' && c<='9' ) v = v*16 + (c-'0');
    else if( c>='a' && c<='f' ) v = v*16 + (c-'a'+10);
    else if( c>='A' && c<='F' ) v = v*16 + (c-'A'+10);
    else return -1;
  }
  return v;
}

/* A "\\uXXXX" escape at z+i, read as JavaScript reads UTF-16: a high
** surrogate joins the low one escaped right after it.  Sets *pCp and
** returns the bytes used (6 or 12); 0 if there is no such escape; -1 for
** a surrogate without its partner (no character, so an error). */
static int kqlUnicodeAt(const char *z, int i, unsigned *pCp){
  int hi = kqlHex4At(z+i), lo;
  if( hi<0 ) return 0;
  if( hi<0xD800 || hi>0xDFFF ){ *pCp = (unsigned)hi; return 6; }
  lo = hi<0xDC00 ? kqlHex4At(z+i+6) : -1;
  if( lo<0xDC00 || lo>0xDFFF ) return -1;
  *pCp = 0x10000 + (((unsigned)hi-0xD800)<<10) + ((unsigned)lo-0xDC00);
  return 12;
}

/* The escape at z[i]=='\\' in an unquoted literal, decoded to pOut: bytes
** used, or -1 after an error.  Kibana tries, in this order: \t \r \n,
** an escaped special character, \uXXXX, an escaped keyword (so "\not"
** is a newline and "ot", while "\NOT" is "NOT"). */
static int kqlUnquotedEscape(CtKqlParser *p, int i, CtKqlOut *pOut, int bPattern){
  static const char *const azKeyword[] = { "or", "and", "not" };
  const char *z = p->z;
  char c = z[i+1];
  unsigned cp;
  int m, k;
  if( c=='t' ){ kqlPut(pOut, '\t'); return 2; }
  if( c=='r' ){ kqlPut(pOut, '\r'); return 2; }
  if( c=='n' ){ kqlPut(pOut, '\n'); return 2; }
  if( c=='\\' || c=='*' || kqlIsStop(c) ){ kqlPutLiteral(pOut, c, bPattern); return 2; }
  m = kqlUnicodeAt(z, i, &cp);
  if( m>0 ){ kqlPutUtf8(pOut, cp, bPattern); return m; }
  if( m<0 ){ kqlError(p, i, "'\\u' escape of half a surrogate pair"); return -1; }
  for(k=0; k<3; k++){
    int n = (int)strlen(azKeyword[k]);
    if( kqlWordAt(z, i+1, azKeyword[k]) ){
      for(m=0; m<n; m++) kqlPut(pOut, z[i+1+m]);
      return n+1;
    }
  }
  if( c=='u' ) kqlError(p, i, "invalid '\\u' escape (4 hex digits expected)");
  else if( c>=0x20 && c<0x7F ) kqlError(p, i, "invalid escape '\\%c'", c);
  else if( c==0 ) kqlError(p, i, "'\\' at the end of the query escapes nothing");
  else kqlError(p, i, "invalid escape after '\\'");
  return -1;
}

/* Scans the unquoted literal at the cursor (Kibana's UnquotedLiteral),
** decoding it into pOut (pOut->z 0: measure only; escaped '*' and '\\'
** are counted as two bytes then, so the measure bounds both forms).
** Returns the offset just past it, or -1 after an error.  Sets *pbWild if
** the literal holds an unescaped '*'; bPattern writes the pattern form.
** Whitespace before a keyword is not taken, other whitespace is (the
** caller trims). */
static int kqlUnquotedScan(CtKqlParser *p, CtKqlOut *pOut, int bPattern, int *pbWild){
  const char *z = p->z;
  int i = p->i;
  for(;;){
    char c = z[i];
    if( c=='\\' ){
      int m = kqlUnquotedEscape(p, i, pOut, pOut->z ? bPattern : 1);
      if( m<0 ) return -1;
      i += m;
    }else if( c=='*' ){
      *pbWild = 1;
      kqlPut(pOut, '*');
      i++;
    }else if( c==0 || kqlIsStop(c) || kqlKeywordAt(z, i) ){
      return i;
    }else{
      kqlPut(pOut, c);
      i++;
    }
  }
}

/* Scans the quoted string at the cursor (z[p->i]=='"'), decoding it into
** pOut (pOut->z 0: measure only).  Kibana decodes \t \r \n, \uXXXX, \\
** and \"; any other backslash is itself, and a '*' is a plain star.
** Returns the offset past the closing quote, or -1 after an error. */
static int kqlQuotedScan(CtKqlParser *p, CtKqlOut *pOut){
  const char *z = p->z;
  int i = p->i + 1;
  for(;;){
    char c = z[i];
    unsigned cp;
    int m;
    if( c==0 ){ kqlError(p, p->i, "unterminated quoted string"); return -1; }
    if( c=='"' ) return i+1;
    if( c=='\\' ){
      char c1 = z[i+1];
      if( c1=='t' || c1=='r' || c1=='n' ){
        kqlPut(pOut, c1=='t' ? '\t' : c1=='r' ? '\r' : '\n');
        i += 2;
        continue;
      }
      m = kqlUnicodeAt(z, i, &cp);
      if( m<0 ){ kqlError(p, i, "'\\u' escape of half a surrogate pair"); return -1; }
      if( m>0 ){ kqlPutUtf8(pOut, cp, 0); i += m; continue; }
      if( c1=='\\' || c1=='"' ){ kqlPut(pOut, c1); i += 2; continue; }
    }
    kqlPut(pOut, c);
    i++;
  }
}

/* True for the code points JavaScript's String.prototype.trim() removes;
** Kibana trims every unquoted literal with it. */
static int kqlIsJsSpace(unsigned cp){
  return (cp>=0x09 && cp<=0x0D) || cp==0x20 || cp==0xA0 || cp==0x1680
      || (cp>=0x2000 && cp<=0x200A) || cp==0x2028 || cp==0x2029
      || cp==0x202F || cp==0x205F || cp==0x3000 || cp==0xFEFF;
}

/* The code point of the UTF-8 sequence at z[i] (before n), its length in
** *pLen.  A malformed byte is U+FFFD of length 1 (no space, so kept). */
static unsigned kqlUtf8At(const unsigned char *z, int n, int i, int *pLen){
  int len = z[i]<0x80 ? 1 : z[i]>=0xF0 ? 4 : z[i]>=0xE0 ? 3 : z[i]>=0xC0 ? 2 : 0;
  unsigned cp;
  int k;
  if( len==0 || i+len>n ){ *pLen = 1; return 0xFFFD; }
  cp = len==1 ? z[i] : (unsigned)(z[i] & (0x7F>>len));
  for(k=1; k<len; k++){
    if( (z[i+k] & 0xC0)!=0x80 ){ *pLen = 1; return 0xFFFD; }
    cp = (cp<<6) | (z[i+k] & 0x3F);
  }
  *pLen = len;
  return cp;
}

/* Trims JavaScript whitespace from both ends of pLit's text, in place. */
static void kqlTrim(CtKqlLit *pLit){
  const unsigned char *z = (const unsigned char*)pLit->z;
  int iFirst = 0, iEnd = pLit->n, len;
  while( iFirst<iEnd && kqlIsJsSpace(kqlUtf8At(z, iEnd, iFirst, &len)) ) iFirst += len;
  while( iEnd>iFirst ){
    int j = iEnd-1;
    while( j>iFirst && j>iEnd-4 && (z[j] & 0xC0)==0x80 ) j--;
    if( !kqlIsJsSpace(kqlUtf8At(z, iEnd, j, &len)) || j+len!=iEnd ) break;
    iEnd = j;
  }
  pLit->n = iEnd - iFirst;
  memmove(pLit->z, pLit->z+iFirst, (size_t)pLit->n);
  pLit->z[pLit->n] = 0;
}

/* Reads the literal at the cursor: a quoted string or an unquoted literal
** (then trimmed).  On success the cursor is past it and pLit->z is set,
** or 0 if no literal starts at the cursor (an unquoted literal cannot
** start at a special character or at "not "). */
static int kqlLiteral(CtKqlParser *p, CtKqlLit *pLit){
  CtKqlOut out = {0, 0};
  int iEnd, bWild = 0;
  memset(pLit, 0, sizeof(*pLit));
  pLit->iStart = p->i;
  pLit->bQuoted = p->z[p->i]=='"';
  iEnd = pLit->bQuoted ? kqlQuotedScan(p, &out) : kqlUnquotedScan(p, &out, 1, &bWild);
  if( iEnd<0 ) return p->rc;
  if( iEnd==p->i ) return SQLITE_OK;
  out.z = sqlite3_malloc64((sqlite3_uint64)out.n + 1);
  if( out.z==0 ){ kqlNoMem(p); return p->rc; }
  out.n = 0;
  if( pLit->bQuoted ) kqlQuotedScan(p, &out);
  else kqlUnquotedScan(p, &out, bWild, &bWild);
  out.z[out.n] = 0;
  pLit->z = out.z;
  pLit->n = out.n;
  pLit->bWild = bWild;
  if( !pLit->bQuoted ) kqlTrim(pLit);
  p->i = iEnd;
  return SQLITE_OK;
}

/* Decodes a wildcard pattern to plain text in place (field names and
** range bounds are text; "\\*" becomes "*"). */
static void kqlUnpattern(CtKqlLit *pLit){
  int i, j = 0;
  if( !pLit->bWild ) return;
  for(i=0; i<pLit->n; i++){
    if( pLit->z[i]=='\\' && i+1<pLit->n ) i++;
    pLit->z[j++] = pLit->z[i];
  }
  pLit->z[j] = 0;
  pLit->n = j;
}

static int kqlIsLoneWildcard(const CtKqlLit *pLit){
  return pLit->bWild && pLit->n==1 && pLit->z[0]=='*';
}

/* ---------------------------------------------------------------------
** Nodes
*/

static char *kqlStrDup(const char *z){
  size_t n = strlen(z);
  char *zNew = sqlite3_malloc64(n+1);
  if( zNew ) memcpy(zNew, z, n+1);
  return zNew;
}

/* A leaf on field zField (0: none) holding pVal's text (taken: pVal->z is
** 0 after; a KEXISTS or TRUE leaf holds no text).  0 after an error. */
static CtQNode *kqlLeaf(CtKqlParser *p, int eOp, int iOff, const char *zField,
                        CtKqlLit *pVal){
  CtQNode *pNew = ctQNodeNew(eOp, iOff);
  if( pNew && zField ){
    pNew->zField = kqlStrDup(zField);
    if( pNew->zField==0 ){ ctQNodeFree(pNew); pNew = 0; }
  }
  if( pNew==0 ){
    sqlite3_free(pVal->z);
    pVal->z = 0;
    kqlNoMem(p);
    return 0;
  }
  if( eOp==CT_QOP_KEXISTS || eOp==CT_QOP_TRUE ){
    sqlite3_free(pVal->z);
  }else{
    pNew->z = pVal->z;
    pNew->n = pVal->n;
    if( pVal->bQuoted ) pNew->flags |= CT_QF_QUOTED;
    if( pVal->bWild ) pNew->flags |= CT_QF_WILD;
  }
  pVal->z = 0;
  return pNew;
}

/* Node eOp over pLeft and pRight (0 for NOT and KNESTED), of height *pH
** given the heights of its operands.  The operands are freed if it cannot
** be made: on an error before (either is 0), or if too tall or no memory. */
static CtQNode *kqlJoin(CtKqlParser *p, int eOp, int iOff, CtQNode *pLeft,
                        CtQNode *pRight, int hLeft, int hRight, int *pH){
  CtQNode *pNew = 0;
  int bBinary = eOp==CT_QOP_AND || eOp==CT_QOP_OR;
  *pH = 1 + (hLeft>hRight ? hLeft : hRight);
  if( p->rc==SQLITE_OK && *pH>CT_KQL_MAX_HEIGHT ){
    kqlError(p, iOff, "query deeper than %d levels of and/or/not", CT_KQL_MAX_HEIGHT);
  }
  if( p->rc==SQLITE_OK && pLeft && (pRight || !bBinary) ){
    pNew = ctQNodeNew(eOp, iOff);
    if( pNew==0 ) kqlNoMem(p);
  }
  if( pNew==0 ){
    ctQNodeFree(pLeft);
    ctQNodeFree(pRight);
    return 0;
  }
  pNew->pLeft = pLeft;
  pNew->pRight = pRight;
  return pNew;
}

/* ---------------------------------------------------------------------
** The grammar.  zAfter names what came before, for "expected ... after".
*/

static CtQNode *kqlOr(CtKqlParser *p, const CtKqlField *pF, const char *zAfter, int *pH);

/* A group at the cursor (z[p->i] is '(' or '{'): a query in parentheses,
** a value list on pF in parentheses, or a nested query in braces. */
static CtQNode *kqlGroup(CtKqlParser *p, const CtKqlField *pF, int *pH){
  int iOpen = p->i;
  char cOpen = p->z[iOpen];
  char cClose = cOpen=='(' ? ')' : '}';
  CtKqlField list;
  CtQNode *pNode;
  *pH = 1;
  if( p->nDepth>=CT_KQL_MAX_DEPTH ){
    kqlError(p, iOpen, "more than %d nested groups", CT_KQL_MAX_DEPTH);
    return 0;
  }
  if( pF ){ list = *pF; list.iOffset = -1; pF = &list; }
  p->nDepth++;
  p->i = kqlSkipSpace(p->z, iOpen+1);
  pNode = kqlOr(p, pF, cOpen=='(' ? "'('" : "'{'", pH);
  p->nDepth--;
  if( pNode==0 ) return 0;
  p->i = kqlSkipSpace(p->z, p->i);
  if( p->z[p->i]==cClose ){
    p->i++;
    return pNode;
  }
  if( p->z[p->i]==0 ) kqlError(p, iOpen, "unbalanced '%c'", cOpen);
  else kqlError(p, p->i, "expected 'and', 'or' or '%c'", cClose);
  ctQNodeFree(pNode);
  return 0;
}

/* One value of a value list on pF: a quoted string or an unquoted literal
** ("*" alone: the field exists, or everything for "*:*"). */
static CtQNode *kqlValue(CtKqlParser *p, const CtKqlField *pF, const char *zAfter){
  CtKqlLit val;
  int iOff = pF->iOffset>=0 ? pF->iOffset : p->i;
  int eOp = CT_QOP_KMATCH;
  if( kqlLiteral(p, &val) ) return 0;
  if( val.z==0 ){
    kqlError(p, p->i, "expected a value after %s", zAfter);
    return 0;
  }
  if( kqlIsLoneWildcard(&val) ) eOp = pF->bAll ? CT_QOP_TRUE : CT_QOP_KEXISTS;
  return kqlLeaf(p, eOp, iOff, eOp==CT_QOP_TRUE ? 0 : pF->z, &val);
}

/* A value or a parenthesised value list on pF. */
static CtQNode *kqlValues(CtKqlParser *p, const CtKqlField *pF, const char *zAfter, int *pH){
  *pH = 1;
  if( p->z[p->i]=='(' ) return kqlGroup(p, pF, pH);
  return kqlValue(p, pF, zAfter);
}

/* "field < value" etc. with the field read; the cursor at the operator. */
static CtQNode *kqlRange(CtKqlParser *p, CtKqlLit *pField){
  const char *z = p->z;
  int iOp = p->i;
  int iCmp = z[iOp]=='<' ? CT_QC_LT : CT_QC_GT;
  int bEq = z[iOp+1]=='=';
  CtKqlLit val;
  CtQNode *pNode;
  if( bEq ) iCmp = iCmp==CT_QC_LT ? CT_QC_LE : CT_QC_GE;
  p->i = kqlSkipSpace(z, iOp + 1 + bEq);
  if( kqlLiteral(p, &val) ) return 0;
  if( val.z==0 ){
    kqlError(p, p->i, "expected a value after '%c%s'", z[iOp], bEq ? "=" : "");
    return 0;
  }
  kqlUnpattern(&val);
  val.bWild = 0;
  pNode = kqlLeaf(p, CT_QOP_KRANGE, pField->iStart, pField->z, &val);
  if( pNode ) pNode->iCmp = iCmp;
  return pNode;
}

/* "field: value", "field: (values)" or "field: { query }" with the field
** read (bAll: it is the unquoted "*"); the cursor after ':' and its
** whitespace. */
static CtQNode *kqlFieldValue(CtKqlParser *p, CtKqlLit *pField, int bAll, int *pH){
  CtKqlField f;
  CtQNode *pNode;
  int h = 0;
  f.bAll = bAll;
  f.z = pField->z;
  f.iOffset = pField->iStart;
  if( p->z[p->i]!='{' ) return kqlValues(p, &f, "':'", pH);
  pNode = kqlGroup(p, 0, &h);
  pNode = kqlJoin(p, CT_QOP_KNESTED, pField->iStart, pNode, 0, h, 0, pH);
  if( pNode ){
    pNode->zField = kqlStrDup(pField->z);
    if( pNode->zField==0 ){ ctQNodeFree(pNode); kqlNoMem(p); pNode = 0; }
  }
  return pNode;
}

/* The message for a query expected at the cursor where none starts. */
static void kqlNoQuery(CtKqlParser *p, const char *zAfter){
  char c = p->z[p->i];
  if( (c==')' || c=='}') && p->nDepth==0 ){
    kqlError(p, p->i, "unbalanced '%c'", c);
  }else if( c==':' || c=='<' || c=='>' || c=='{' ){
    kqlError(p, p->i, "expected a field name before '%c'", c);
  }else if( c!=0 && c!=')' && c!='}' && zAfter && strcmp(zAfter, "'not'")==0 ){
    kqlError(p, p->i, "'not' after 'not' needs parentheses: not (not ...)");
  }else if( zAfter ){
    kqlError(p, p->i, "expected a query after %s", zAfter);
  }else{
    kqlError(p, p->i, "expected a query");
  }
}

/* An expression: "field: ...", "field < value" or a value with no field
** ("*" alone matches everything). */
static CtQNode *kqlExpression(CtKqlParser *p, const char *zAfter, int *pH){
  CtKqlLit lit;
  CtQNode *pNode;
  int j;
  *pH = 1;
  if( kqlLiteral(p, &lit) ) return 0;
  if( lit.z==0 ){ kqlNoQuery(p, zAfter); return 0; }
  j = kqlSkipSpace(p->z, p->i);
  if( p->z[j]==':' || p->z[j]=='<' || p->z[j]=='>' ){
    int bAll = !lit.bQuoted && kqlIsLoneWildcard(&lit);
    kqlUnpattern(&lit);
    if( memchr(lit.z, 0, (size_t)lit.n) ){
      kqlError(p, lit.iStart, "field name holds a NUL character");
      sqlite3_free(lit.z);
      return 0;
    }
    p->i = j;
    if( p->z[j]==':' ){
      p->i = kqlSkipSpace(p->z, j+1);
      pNode = kqlFieldValue(p, &lit, bAll, pH);
    }else{
      pNode = kqlRange(p, &lit);
    }
    sqlite3_free(lit.z);
    return pNode;
  }
  if( kqlIsLoneWildcard(&lit) ) return kqlLeaf(p, CT_QOP_TRUE, lit.iStart, 0, &lit);
  return kqlLeaf(p, CT_QOP_KFREE, lit.iStart, 0, &lit);
}

/* Kibana's NotQuery / NotListOfValues: "not" and whitespace, then one
** group or expression (or value); "not not x" is not KQL. */
static CtQNode *kqlNot(CtKqlParser *p, const CtKqlField *pF, const char *zAfter, int *pH){
  int iNot = p->i;
  int iAfter = kqlNotAt(p);
  CtQNode *pNode;
  int h = 0;
  if( iAfter>=0 ){
    p->i = iAfter;
    zAfter = "'not'";
  }
  if( pF ) pNode = kqlValues(p, pF, zAfter, &h);
  else if( p->z[p->i]=='(' ) pNode = kqlGroup(p, 0, &h);
  else pNode = kqlExpression(p, zAfter, &h);
  if( iAfter<0 || pNode==0 ){ *pH = h; return pNode; }
  return kqlJoin(p, CT_QOP_NOT, iNot, pNode, 0, h, 0, pH);
}

/* Operands joined by "and" (bAnd) or "or", left-associative; "and" binds
** tighter.  pF: the field of a value list, 0 for a query. */
static CtQNode *kqlChain(CtKqlParser *p, int bAnd, const CtKqlField *pF,
                         const char *zAfter, int *pH){
  const char *zWord = bAnd ? "and" : "or";
  int iStart = p->i, iNext, h = 0;
  CtQNode *pNode = bAnd ? kqlNot(p, pF, zAfter, pH) : kqlChain(p, 1, pF, zAfter, pH);
  while( pNode && (iNext = kqlOperatorAt(p, zWord))>=0 ){
    CtQNode *pRight;
    p->i = iNext;
    pRight = bAnd ? kqlNot(p, pF, "'and'", &h) : kqlChain(p, 1, pF, "'or'", &h);
    pNode = kqlJoin(p, bAnd ? CT_QOP_AND : CT_QOP_OR, iStart, pNode, pRight, *pH, h, pH);
  }
  return pNode;
}

static CtQNode *kqlOr(CtKqlParser *p, const CtKqlField *pF, const char *zAfter, int *pH){
  return kqlChain(p, 0, pF, zAfter, pH);
}

/* ---------------------------------------------------------------------
** The entry point (ct_query.h).
*/
int ctKqlParse(const char *zQuery, CtQuery **ppQuery, char **pzErr){
  CtKqlParser p;
  CtQuery *pQuery;
  int h = 0;
  *ppQuery = 0;
  *pzErr = 0;
  memset(&p, 0, sizeof(p));
  p.z = zQuery;
  if( strlen(zQuery)>(size_t)INT_MAX/2 ){
    *pzErr = sqlite3_mprintf("cloudtrail: kql: query too long at offset 0");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  pQuery = ctQueryNew(CT_QL_KQL);
  if( pQuery==0 ) return SQLITE_NOMEM;
  p.i = kqlSkipSpace(zQuery, 0);
  if( zQuery[p.i] ){
    pQuery->pWhere = kqlOr(&p, 0, 0, &h);
    p.i = kqlSkipSpace(zQuery, p.i);
    if( p.rc==SQLITE_OK && zQuery[p.i] ){
      char c = zQuery[p.i];
      if( c==')' || c=='}' ) kqlError(&p, p.i, "unbalanced '%c'", c);
      else kqlError(&p, p.i, "expected 'and', 'or' or the end of the query");
    }
  }
  if( p.rc!=SQLITE_OK ){
    ctQueryFree(pQuery);
    *pzErr = p.zErr;
    return p.rc;
  }
  *ppQuery = pQuery;
  return SQLITE_OK;
}
