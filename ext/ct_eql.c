/*
** ct_eql.c — the EQL (Elastic's Event Query Language) parser: query text
** to the tree of ct_query.h.  It reads the single-event language
** ("<category> where <condition>") and sequences (by, with maxspan, steps
** with their own by and with runs, until); samples, pipes, missing events
** and lineage are refused with an error naming them.  It knows syntax
** only; what the nodes mean is ct_qeval.c's business.  docs/eql.md lists
** what is accepted and how each construct prints:
**
**   SELECT cloudtrail_query_tree('eql',
**     'iam where event.action : "Attach*" and not stringContains~(x, "y")');
**   -- (where iam (and (like~ (field event.action) "Attach*")
**   --                 (not (call ~stringcontains (field x) "y"))))
**
** A recursive descent over a small hand lexer.  Precedence, loosest first:
** or, and, not, one comparison or lookup (== != < <= > >= : in in~ not in
** like like~ regex regex~), + -, * / %, unary - +, primary.
*/
#include <float.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "ct_query.h"
SQLITE_EXTENSION_INIT3

/* Nesting bound: parentheses, not, unary minus and call arguments, and
** also the height of the tree built (a chain of 300 "or" is 300 deep), so
** that neither this parser nor the recursive free/print/evaluate of the
** tree can exhaust the stack.  Far above any rule's nesting (the deepest
** of the shipped rules is under 20). */
#define CT_EQL_MAX_DEPTH 200

/* "with runs=N": the docs say N must be between 1 and 100. */
#define CT_EQL_MAX_RUNS 100

/* "\u{X}": 2 to 8 hex digits (docs), a Unicode scalar value. */
#define CT_EQL_UHEX_MIN 2
#define CT_EQL_UHEX_MAX 8
#define CT_EQL_UNICODE_MAX 0x10FFFF

/* Bytes of an offending token quoted in an error message. */
#define CT_EQL_ERR_TOKEN 24

/* Offsets are ints (ct_query.h); longer text is refused. */
#define CT_EQL_MAX_QUERY 0x7fff0000

/* Tokens. */
#define CT_ETK_EOF      0
#define CT_ETK_WORD     1   /* identifier or keyword */
#define CT_ETK_TWORD    2   /* identifier immediately followed by "~" */
#define CT_ETK_QNAME    3   /* `backtick name` */
#define CT_ETK_STRING   4   /* "..." with escapes */
#define CT_ETK_RAW      5   /* """...""" */
#define CT_ETK_INT      6
#define CT_ETK_REAL     7
#define CT_ETK_LP       8
#define CT_ETK_RP       9
#define CT_ETK_LB      10
#define CT_ETK_RB      11
#define CT_ETK_COMMA   12
#define CT_ETK_DOT     13
#define CT_ETK_EQ      14   /* == */
#define CT_ETK_NE      15
#define CT_ETK_LT      16
#define CT_ETK_LE      17
#define CT_ETK_GT      18
#define CT_ETK_GE      19
#define CT_ETK_COLON   20
#define CT_ETK_ASSIGN  21   /* = */
#define CT_ETK_PLUS    22
#define CT_ETK_MINUS   23
#define CT_ETK_STAR    24
#define CT_ETK_SLASH   25
#define CT_ETK_PERCENT 26
#define CT_ETK_PIPE    27
#define CT_ETK_QMARK   28
#define CT_ETK_BANG    29

typedef struct CtEqlToken CtEqlToken;
struct CtEqlToken {
  int eType;                /* CT_ETK_* */
  int iOff;                 /* byte offset of its first byte */
  int iEnd;                 /* byte offset just past it */
};

typedef struct CtEqlParser CtEqlParser;
struct CtEqlParser {
  const char *z;            /* the query, NUL-terminated */
  CtEqlToken t;             /* the current token */
  int nDepth;               /* current nesting, bounded by CT_EQL_MAX_DEPTH */
  int rc;                   /* SQLITE_OK until the first error */
  char *zErr;               /* that error's message */
};

/* A parsed expression and the height of its tree (a leaf is 1). */
typedef struct CtEqlExpr CtEqlExpr;
struct CtEqlExpr {
  CtQNode *p;               /* 0 after an error */
  int h;
};

/* ---------------------------------------------------------------------
** Errors
*/

/* Records the first error: "cloudtrail: eql: <what> at offset N".  A
** failed allocation of the message itself is SQLITE_NOMEM. */
static void ctEqlError(CtEqlParser *p, int iOff, const char *zFmt, ...){
  va_list ap;
  char *zWhat;
  if( p->rc!=SQLITE_OK ) return;
  va_start(ap, zFmt);
  zWhat = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( zWhat ) p->zErr = sqlite3_mprintf("cloudtrail: eql: %s at offset %d", zWhat, iOff);
  sqlite3_free(zWhat);
  p->rc = p->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static void ctEqlNoMem(CtEqlParser *p){
  if( p->rc==SQLITE_OK ) p->rc = SQLITE_NOMEM;
}

/* The current token as an error message shows it. */
static void ctEqlTokenText(CtEqlParser *p, char *zBuf, int nBuf){
  int n = p->t.iEnd - p->t.iOff;
  if( p->t.eType==CT_ETK_EOF ){
    sqlite3_snprintf(nBuf, zBuf, "end of query");
  }else if( n>CT_EQL_ERR_TOKEN ){
    sqlite3_snprintf(nBuf, zBuf, "'%.*s...'", CT_EQL_ERR_TOKEN, p->z + p->t.iOff);
  }else{
    sqlite3_snprintf(nBuf, zBuf, "'%.*s'", n, p->z + p->t.iOff);
  }
}

static int ctEqlIsKeyword(const char *z, int n);

/* "expected X, found 'tok'" at the current token; an upper-case keyword
** gets a hint, since EQL keywords are lower case only. */
static void ctEqlExpected(CtEqlParser *p, const char *zWhat){
  char zTok[CT_EQL_ERR_TOKEN+8];
  const char *zHint = "";
  int n = p->t.iEnd - p->t.iOff, k;
  char zLow[16];
  ctEqlTokenText(p, zTok, (int)sizeof(zTok));
  if( p->t.eType==CT_ETK_WORD && n<(int)sizeof(zLow) ){
    for(k=0; k<n; k++) zLow[k] = (char)(p->z[p->t.iOff+k] | 0x20);
    if( ctEqlIsKeyword(zLow, n) && memcmp(zLow, p->z+p->t.iOff, (size_t)n)!=0 ){
      zHint = " (keywords are lower case)";
    }
  }
  ctEqlError(p, p->t.iOff, "expected %s, found %s%s", zWhat, zTok, zHint);
}

/* ---------------------------------------------------------------------
** Lexer
*/

static int ctEqlIsLetter(char c){ return (c>='a' && c<='z') || (c>='A' && c<='Z'); }
static int ctEqlIsDigit(char c){ return c>='0' && c<='9'; }
static int ctEqlIsWordChar(char c){ return ctEqlIsLetter(c) || ctEqlIsDigit(c) || c=='_'; }

/* Words the grammar reserves: never a field name or an event category. */
static int ctEqlIsKeyword(const char *z, int n){
  static const char *const azKw[] = {
    "and", "any", "by", "false", "in", "join", "like", "maxspan", "not",
    "null", "of", "or", "regex", "sample", "sequence", "true", "until",
    "where", "with"
  };
  size_t k;
  for(k=0; k<sizeof(azKw)/sizeof(azKw[0]); k++){
    if( (int)strlen(azKw[k])==n && memcmp(azKw[k], z, (size_t)n)==0 ) return 1;
  }
  return 0;
}

/* Skips whitespace and comments from i; "/ * ... * /" nests as in
** Elasticsearch's lexer.  Returns the next offset, or -1 after an error. */
static int ctEqlSkipSpace(CtEqlParser *p, int i){
  const char *z = p->z;
  for(;;){
    if( z[i]==' ' || z[i]=='\t' || z[i]=='\r' || z[i]=='\n' ){
      i++;
    }else if( z[i]=='/' && z[i+1]=='/' ){
      while( z[i] && z[i]!='\n' ) i++;
    }else if( z[i]=='/' && z[i+1]=='*' ){
      int iStart = i, nOpen = 1;
      i += 2;
      while( nOpen>0 ){
        if( z[i]==0 ){ ctEqlError(p, iStart, "unterminated comment"); return -1; }
        if( z[i]=='/' && z[i+1]=='*' ){ nOpen++; i += 2; }
        else if( z[i]=='*' && z[i+1]=='/' ){ nOpen--; i += 2; }
        else i++;
      }
    }else{
      return i;
    }
  }
}

/* The end of a "..." string starting at i, or -1 (error set).  Escapes
** are checked when the string is decoded. */
static int ctEqlStringEnd(CtEqlParser *p, int i){
  int iStart = i;
  for(i++; ; i++){
    char c = p->z[i];
    if( c=='"' ) return i+1;
    if( c=='\\' && p->z[i+1]!=0 && p->z[i+1]!='\r' && p->z[i+1]!='\n' ){ i++; continue; }
    if( c==0 || c=='\r' || c=='\n' ){
      ctEqlError(p, iStart, "unterminated string");
      return -1;
    }
  }
}

/* The end of a """raw""" string starting at i: it closes at the first
** """ and takes up to two more quotes into its text, as Elasticsearch's
** lexer does; it cannot hold a line break.  -1 after an error. */
static int ctEqlRawEnd(CtEqlParser *p, int i){
  const char *z = p->z;
  int k;
  for(k=i+3; z[k] && z[k]!='\r' && z[k]!='\n'; k++){
    if( z[k]=='"' && z[k+1]=='"' && z[k+2]=='"' ){
      k += 3;
      if( z[k]=='"' ) k++;
      if( z[k]=='"' ) k++;
      return k;
    }
  }
  ctEqlError(p, i, "unterminated raw string");
  return -1;
}

/* A number at i: digits [. digits] [e [+-] digits], or . digits [...]. */
static int ctEqlNumberEnd(const char *z, int i, int *peType){
  int bReal = 0;
  while( ctEqlIsDigit(z[i]) ) i++;
  if( z[i]=='.' ){
    bReal = 1;
    for(i++; ctEqlIsDigit(z[i]); i++){}
  }
  if( (z[i]=='e' || z[i]=='E')
   && (ctEqlIsDigit(z[i+1]) || ((z[i+1]=='+' || z[i+1]=='-') && ctEqlIsDigit(z[i+2]))) ){
    bReal = 1;
    for(i+=2; ctEqlIsDigit(z[i]); i++){}
  }
  *peType = bReal ? CT_ETK_REAL : CT_ETK_INT;
  return i;
}

/* Operators and punctuation at i: the token type and its length, or 0. */
static int ctEqlPunct(const char *z, int i, int *pn){
  static const struct { char a, b; int eType; } aOp[] = {
    {'=', '=', CT_ETK_EQ}, {'!', '=', CT_ETK_NE}, {'<', '=', CT_ETK_LE},
    {'>', '=', CT_ETK_GE}, {'<', 0, CT_ETK_LT}, {'>', 0, CT_ETK_GT},
    {'=', 0, CT_ETK_ASSIGN}, {'!', 0, CT_ETK_BANG}, {':', 0, CT_ETK_COLON},
    {'(', 0, CT_ETK_LP}, {')', 0, CT_ETK_RP}, {'[', 0, CT_ETK_LB},
    {']', 0, CT_ETK_RB}, {',', 0, CT_ETK_COMMA}, {'.', 0, CT_ETK_DOT},
    {'+', 0, CT_ETK_PLUS}, {'-', 0, CT_ETK_MINUS}, {'*', 0, CT_ETK_STAR},
    {'/', 0, CT_ETK_SLASH}, {'%', 0, CT_ETK_PERCENT}, {'|', 0, CT_ETK_PIPE},
    {'?', 0, CT_ETK_QMARK}
  };
  size_t k;
  for(k=0; k<sizeof(aOp)/sizeof(aOp[0]); k++){
    if( z[i]!=aOp[k].a ) continue;
    if( aOp[k].b==0 ){ *pn = 1; return aOp[k].eType; }
    if( z[i+1]==aOp[k].b ){ *pn = 2; return aOp[k].eType; }
  }
  return 0;
}

/* Reads the token that starts at or after offset i into *pTok.
** SQLITE_OK, or the error code with the parser's error set. */
static int ctEqlLex(CtEqlParser *p, int i, CtEqlToken *pTok){
  const char *z = p->z;
  int e = 0, n = 0;
  i = ctEqlSkipSpace(p, i);
  if( i<0 ) return p->rc;
  pTok->iOff = i;
  if( z[i]==0 ){
    e = CT_ETK_EOF;
  }else if( ctEqlIsLetter(z[i]) || z[i]=='_' || z[i]=='@' ){
    for(n=i+1; ctEqlIsWordChar(z[n]); n++){}
    e = CT_ETK_WORD;
    if( z[n]=='~' && ctEqlIsLetter(z[i]) ){ n++; e = CT_ETK_TWORD; }
  }else if( ctEqlIsDigit(z[i]) || (z[i]=='.' && ctEqlIsDigit(z[i+1])) ){
    n = ctEqlNumberEnd(z, i, &e);
  }else if( z[i]=='`' ){
    for(n=i+1; z[n] && !(z[n]=='`' && z[n+1]!='`'); n += (z[n]=='`') ? 2 : 1){}
    if( z[n]==0 ){ ctEqlError(p, i, "unterminated `quoted` field name"); return p->rc; }
    n++;
    e = CT_ETK_QNAME;
  }else if( z[i]=='"' && z[i+1]=='"' && z[i+2]=='"' ){
    if( (n = ctEqlRawEnd(p, i))<0 ) return p->rc;
    e = CT_ETK_RAW;
  }else if( z[i]=='"' ){
    if( (n = ctEqlStringEnd(p, i))<0 ) return p->rc;
    e = CT_ETK_STRING;
  }else if( z[i]=='\'' ){
    ctEqlError(p, i, "single-quoted strings are not supported (use \"...\")");
    return p->rc;
  }else if( z[i]=='?' && (z[i+1]=='"' || z[i+1]=='\'') ){
    ctEqlError(p, i, "?\"...\" raw strings are not supported (use \"\"\"...\"\"\")");
    return p->rc;
  }else if( (e = ctEqlPunct(z, i, &n))!=0 ){
    n += i;
  }else{
    if( (unsigned char)z[i]<0x20 || (unsigned char)z[i]>=0x7f ){
      ctEqlError(p, i, "unexpected byte 0x%02x", (unsigned char)z[i]);
    }else{
      ctEqlError(p, i, "unexpected character '%c'", z[i]);
    }
    return p->rc;
  }
  pTok->eType = e;
  pTok->iEnd = e==CT_ETK_EOF ? i : n;
  return SQLITE_OK;
}

/* Moves to the next token. */
static int ctEqlNext(CtEqlParser *p){
  if( p->rc!=SQLITE_OK ) return p->rc;
  return ctEqlLex(p, p->t.iEnd, &p->t);
}

/* The token after the current one, without moving; CT_ETK_EOF-typed
** with the error set if it cannot be read. */
static CtEqlToken ctEqlPeek(CtEqlParser *p){
  CtEqlToken t;
  memset(&t, 0, sizeof(t));
  if( p->rc==SQLITE_OK && ctEqlLex(p, p->t.iEnd, &t)!=SQLITE_OK ) t.eType = CT_ETK_EOF;
  return t;
}

/* True if the current token is the word zWord. */
static int ctEqlIsWord(CtEqlParser *p, const char *zWord){
  int n = p->t.iEnd - p->t.iOff;
  return p->rc==SQLITE_OK
      && (p->t.eType==CT_ETK_WORD || p->t.eType==CT_ETK_TWORD)
      && (int)strlen(zWord)==n && memcmp(p->z + p->t.iOff, zWord, (size_t)n)==0;
}

/* Consumes token eType or fails with "expected zWhat". */
static int ctEqlExpect(CtEqlParser *p, int eType, const char *zWhat){
  if( p->rc!=SQLITE_OK ) return p->rc;
  if( p->t.eType!=eType ){ ctEqlExpected(p, zWhat); return p->rc; }
  return ctEqlNext(p);
}

static int ctEqlExpectWord(CtEqlParser *p, const char *zWord){
  if( p->rc!=SQLITE_OK ) return p->rc;
  if( !ctEqlIsWord(p, zWord) ){ ctEqlExpected(p, zWord); return p->rc; }
  return ctEqlNext(p);
}

/* ---------------------------------------------------------------------
** Literal text
*/

/* Appends code point c as UTF-8 to z[*pn]. */
static void ctEqlPutUtf8(char *z, int *pn, unsigned c){
  int n = *pn;
  if( c<0x80 ){
    z[n++] = (char)c;
  }else if( c<0x800 ){
    z[n++] = (char)(0xC0 | (c>>6));
    z[n++] = (char)(0x80 | (c & 0x3F));
  }else if( c<0x10000 ){
    z[n++] = (char)(0xE0 | (c>>12));
    z[n++] = (char)(0x80 | ((c>>6) & 0x3F));
    z[n++] = (char)(0x80 | (c & 0x3F));
  }else{
    z[n++] = (char)(0xF0 | (c>>18));
    z[n++] = (char)(0x80 | ((c>>12) & 0x3F));
    z[n++] = (char)(0x80 | ((c>>6) & 0x3F));
    z[n++] = (char)(0x80 | (c & 0x3F));
  }
  *pn = n;
}

static int ctEqlHexVal(char c){
  if( c>='0' && c<='9' ) return c-'0';
  if( c>='a' && c<='f' ) return c-'a'+10;
  if( c>='A' && c<='F' ) return c-'A'+10;
  return -1;
}

/* Decodes "\u{X...}" at z[*pi] (the backslash) into zOut[*pn]; moves *pi
** past the "}".  The escape's UTF-8 is never longer than its text. */
static int ctEqlUnicodeEscape(CtEqlParser *p, int *pi, char *zOut, int *pn){
  const char *z = p->z;
  int i = *pi, nHex = 0, v;
  unsigned c = 0;
  if( z[i+2]!='{' ){ ctEqlError(p, i, "\\u needs braces: \\u{XXXX}"); return p->rc; }
  for(i+=3; (v = ctEqlHexVal(z[i]))>=0; i++, nHex++){
    if( nHex<CT_EQL_UHEX_MAX ) c = c*16 + (unsigned)v;
  }
  if( z[i]!='}' || nHex<CT_EQL_UHEX_MIN || nHex>CT_EQL_UHEX_MAX ){
    ctEqlError(p, *pi, "\\u{...} needs %d to %d hex digits", CT_EQL_UHEX_MIN, CT_EQL_UHEX_MAX);
    return p->rc;
  }
  if( c>CT_EQL_UNICODE_MAX || (c>=0xD800 && c<=0xDFFF) ){
    ctEqlError(p, *pi, "\\u{%x} is not a Unicode scalar value", c);
    return p->rc;
  }
  ctEqlPutUtf8(zOut, pn, c);
  *pi = i+1;
  return SQLITE_OK;
}

/* The text of string token t, escapes decoded (raw strings as they are):
** *pz is sqlite3_malloc'd and NUL-terminated, *pn its length. */
static int ctEqlStringValue(CtEqlParser *p, const CtEqlToken *t, char **pz, int *pn){
  const char *z = p->z;
  int bRaw = t->eType==CT_ETK_RAW, q = bRaw ? 3 : 1;
  int i = t->iOff + q, iEnd = t->iEnd - q, n = 0;
  char *zOut = sqlite3_malloc64((sqlite3_uint64)(iEnd - i) + 1);
  *pz = 0;
  if( zOut==0 ){ ctEqlNoMem(p); return p->rc; }
  while( i<iEnd ){
    char c = z[i];
    if( bRaw || c!='\\' ){ zOut[n++] = c; i++; continue; }
    switch( z[i+1] ){
      case 'n':  zOut[n++] = '\n'; i += 2; break;
      case 'r':  zOut[n++] = '\r'; i += 2; break;
      case 't':  zOut[n++] = '\t'; i += 2; break;
      case '\\': zOut[n++] = '\\'; i += 2; break;
      case '"':  zOut[n++] = '"';  i += 2; break;
      case 'u':
        if( ctEqlUnicodeEscape(p, &i, zOut, &n) ){ sqlite3_free(zOut); return p->rc; }
        break;
      default:
        ctEqlError(p, i, "unknown escape '\\%c' in string (known: \\n \\r \\t \\\\ \\\" \\u{X})",
                   z[i+1]);
        sqlite3_free(zOut);
        return p->rc;
    }
  }
  zOut[n] = 0;
  *pz = zOut;
  *pn = n;
  return SQLITE_OK;
}

/* The name of a `quoted` field or category, `` read as one backtick. */
static char *ctEqlQuotedName(CtEqlParser *p, const CtEqlToken *t){
  int i, n = 0;
  char *zOut = sqlite3_malloc64((sqlite3_uint64)(t->iEnd - t->iOff));
  if( zOut==0 ){ ctEqlNoMem(p); return 0; }
  for(i=t->iOff+1; i<t->iEnd-1; i++){
    zOut[n++] = p->z[i];
    if( p->z[i]=='`' ) i++;
  }
  zOut[n] = 0;
  return zOut;
}

/* ---------------------------------------------------------------------
** Expressions
*/

static CtEqlExpr ctEqlOr(CtEqlParser *p);

static CtEqlExpr ctEqlFail(void){
  CtEqlExpr e = {0, 0};
  return e;
}

static CtEqlExpr ctEqlLeaf(CtEqlParser *p, int eOp, int iOff){
  CtEqlExpr e;
  e.p = ctQNodeNew(eOp, iOff);
  e.h = 1;
  if( e.p==0 ) ctEqlNoMem(p);
  return e;
}

/* A node over operands a and (optionally) b, freeing them if it cannot
** be made or would be deeper than CT_EQL_MAX_DEPTH. */
static CtEqlExpr ctEqlNode(CtEqlParser *p, int eOp, int iOff, CtEqlExpr a, CtEqlExpr b){
  CtEqlExpr e = {0, 0};
  e.h = 1 + (a.h>b.h ? a.h : b.h);
  if( p->rc==SQLITE_OK && e.h>CT_EQL_MAX_DEPTH ){
    ctEqlError(p, iOff, "expression nested too deeply (limit %d)", CT_EQL_MAX_DEPTH);
  }
  if( p->rc==SQLITE_OK && a.p ) e.p = ctQNodeNew(eOp, iOff);
  if( e.p==0 ){
    ctEqlNoMem(p);
    ctQNodeFree(a.p);
    ctQNodeFree(b.p);
    return ctEqlFail();
  }
  e.p->pLeft = a.p;
  e.p->pRight = b.p;
  return e;
}

/* Appends argument a to list node *pE, keeping its height; on failure
** frees both and leaves pE->p 0. */
static void ctEqlAddArg(CtEqlParser *p, CtEqlExpr *pE, CtEqlExpr a){
  if( pE->p==0 ){ ctQNodeFree(a.p); return; }
  if( a.p==0 || p->rc!=SQLITE_OK ){
    ctQNodeFree(a.p);
  }else if( ctQNodeAddArg(pE->p, a.p)!=SQLITE_OK ){  /* a.p freed */
    ctEqlNoMem(p);
  }else{
    if( a.h+1>pE->h ) pE->h = a.h+1;
    if( pE->h<=CT_EQL_MAX_DEPTH ) return;
    ctEqlError(p, a.p->iOffset, "expression nested too deeply (limit %d)", CT_EQL_MAX_DEPTH);
  }
  ctQNodeFree(pE->p);
  pE->p = 0;
}

/* Enters one level of nesting at iOff; 0 (error set) past the bound. */
static int ctEqlEnter(CtEqlParser *p, int iOff){
  if( ++p->nDepth>CT_EQL_MAX_DEPTH ){
    ctEqlError(p, iOff, "expression nested too deeply (limit %d)", CT_EQL_MAX_DEPTH);
    return 0;
  }
  return 1;
}

/* A string literal node from the current (string) token. */
static CtEqlExpr ctEqlString(CtEqlParser *p){
  CtEqlExpr e = ctEqlLeaf(p, CT_QOP_STR, p->t.iOff);
  if( e.p && ctEqlStringValue(p, &p->t, &e.p->z, &e.p->n)==SQLITE_OK && ctEqlNext(p)==SQLITE_OK ){
    return e;
  }
  ctQNodeFree(e.p);
  return ctEqlFail();
}

/* Reads the n decimal digits at z as a non-negative 64-bit integer;
** 0 if the value does not fit. */
static int ctEqlInt64(const char *z, int n, sqlite3_int64 *pv){
  const sqlite3_uint64 mx = 0x7fffffffffffffffULL;
  sqlite3_uint64 u = 0;
  int k;
  for(k=0; k<n; k++){
    unsigned d = (unsigned)(z[k]-'0');
    if( u > (mx - d)/10 ) return 0;
    u = u*10 + d;
  }
  *pv = (sqlite3_int64)u;
  return 1;
}

/* An integer or decimal literal from the current token.  An integer too
** large for 64 bits is read as a decimal, as Elasticsearch does; a
** decimal beyond the range of a double is an error. */
static CtEqlExpr ctEqlNumber(CtEqlParser *p){
  const char *z = p->z + p->t.iOff;
  int n = p->t.iEnd - p->t.iOff;
  CtEqlExpr e = ctEqlLeaf(p, CT_QOP_INT, p->t.iOff);
  char *zNum;
  if( e.p==0 ) return e;
  if( p->t.eType==CT_ETK_INT && ctEqlInt64(z, n, &e.p->i) ){
    if( ctEqlNext(p)==SQLITE_OK ) return e;
    ctQNodeFree(e.p);
    return ctEqlFail();
  }
  e.p->eOp = CT_QOP_REAL;
  zNum = sqlite3_mprintf("%.*s", n, z);
  if( zNum==0 ){
    ctEqlNoMem(p);
  }else{
    e.p->r = strtod(zNum, 0);
    if( e.p->r > DBL_MAX ) ctEqlError(p, p->t.iOff, "number out of range");
  }
  sqlite3_free(zNum);
  if( p->rc==SQLITE_OK && ctEqlNext(p)==SQLITE_OK ) return e;
  ctQNodeFree(e.p);
  return ctEqlFail();
}

/* True if the current token can name a field: a `quoted` name, or a
** word that is no keyword (after a dot any word is, so event.sequence
** and x.by read as field names). */
static int ctEqlAtName(CtEqlParser *p, int bFirst){
  if( p->rc!=SQLITE_OK ) return 0;
  if( p->t.eType==CT_ETK_QNAME ) return 1;
  return p->t.eType==CT_ETK_WORD
      && (!bFirst || !ctEqlIsKeyword(p->z + p->t.iOff, p->t.iEnd - p->t.iOff));
}

/* Appends the current name token to pStr and moves past it. */
static int ctEqlFieldPart(CtEqlParser *p, sqlite3_str *pStr){
  if( p->t.eType==CT_ETK_QNAME ){
    char *zName = ctEqlQuotedName(p, &p->t);
    if( zName==0 ) return p->rc;
    sqlite3_str_appendall(pStr, zName);
    sqlite3_free(zName);
  }else{
    sqlite3_str_append(pStr, p->z + p->t.iOff, p->t.iEnd - p->t.iOff);
  }
  return ctEqlNext(p);
}

/* A field reference at the current name token: name(.name)*, starting
** at iOff (the "?" of an optional field). */
static CtEqlExpr ctEqlField(CtEqlParser *p, int iOff, int bOptional){
  sqlite3_str *pStr = sqlite3_str_new(0);
  CtEqlExpr e = ctEqlLeaf(p, CT_QOP_FIELD, iOff);
  ctEqlFieldPart(p, pStr);
  while( p->rc==SQLITE_OK && p->t.eType==CT_ETK_DOT ){
    sqlite3_str_appendchar(pStr, 1, '.');
    if( ctEqlNext(p)!=SQLITE_OK ) break;
    if( !ctEqlAtName(p, 0) ){ ctEqlExpected(p, "a field name after '.'"); break; }
    ctEqlFieldPart(p, pStr);
  }
  if( sqlite3_str_errcode(pStr) ){
    ctEqlNoMem(p);
  }else if( p->rc==SQLITE_OK && sqlite3_str_length(pStr)==0 ){
    ctEqlError(p, iOff, "empty field name");
  }
  if( p->rc==SQLITE_OK && e.p ){
    e.p->zField = sqlite3_str_finish(pStr);
    if( bOptional ) e.p->flags |= CT_QF_OPTIONAL;
    return e;
  }
  sqlite3_free(sqlite3_str_finish(pStr));
  ctQNodeFree(e.p);
  return ctEqlFail();
}

/* The functions of Elastic's EQL function reference, with their argument
** counts (nMax -1: any number) and whether "name~" (case-insensitive) is
** allowed: the docs give "~" for exactly these five matching functions. */
typedef struct CtEqlFunc CtEqlFunc;
struct CtEqlFunc {
  const char *zName;        /* as documented */
  int nMin, nMax;
  int bCaseless;
};
static const CtEqlFunc aCtEqlFunc[] = {
  {"add",            2,  2, 0},
  {"between",        3,  4, 1},
  {"cidrMatch",      2, -1, 0},
  {"concat",         1, -1, 0},
  {"divide",         2,  2, 0},
  {"endsWith",       2,  2, 1},
  {"indexOf",        2,  3, 1},
  {"length",         1,  1, 0},
  {"modulo",         2,  2, 0},
  {"multiply",       2,  2, 0},
  {"number",         1,  2, 0},
  {"startsWith",     2,  2, 1},
  {"string",         1,  1, 0},
  {"stringContains", 2,  2, 1},
  {"substring",      2,  3, 0},
  {"subtract",       2,  2, 0},
};

/* The function named z[0..n), matched without regard to case. */
static const CtEqlFunc *ctEqlFindFunc(const char *z, int n){
  size_t k;
  for(k=0; k<sizeof(aCtEqlFunc)/sizeof(aCtEqlFunc[0]); k++){
    const char *zName = aCtEqlFunc[k].zName;
    if( (int)strlen(zName)==n && sqlite3_strnicmp(zName, z, n)==0 ) return &aCtEqlFunc[k];
  }
  return 0;
}

/* Checks the argument count of call e to f (error at iOff). */
static void ctEqlCheckArgs(CtEqlParser *p, const CtEqlFunc *f, CtQNode *pCall, int iOff){
  int n = pCall->nArg;
  if( n>=f->nMin && (f->nMax<0 || n<=f->nMax) ) return;
  if( f->nMax<0 ){
    ctEqlError(p, iOff, "%s takes at least %d argument%s, found %d", f->zName, f->nMin,
               f->nMin==1 ? "" : "s", n);
  }else if( f->nMin==f->nMax ){
    ctEqlError(p, iOff, "%s takes %d argument%s, found %d", f->zName, f->nMin,
               f->nMin==1 ? "" : "s", n);
  }else{
    ctEqlError(p, iOff, "%s takes %d to %d arguments, found %d", f->zName, f->nMin, f->nMax, n);
  }
}

/* Parses "(expr, ...)" after a function name or "in" into list node *pE. */
static void ctEqlArgList(CtEqlParser *p, CtEqlExpr *pE, int bNonEmpty){
  if( ctEqlExpect(p, CT_ETK_LP, "'('")!=SQLITE_OK ) goto fail;
  if( p->t.eType==CT_ETK_RP && !bNonEmpty ){ ctEqlNext(p); return; }
  for(;;){
    CtEqlExpr a;
    if( !ctEqlEnter(p, p->t.iOff) ) goto fail;
    a = ctEqlOr(p);
    p->nDepth--;
    ctEqlAddArg(p, pE, a);
    if( pE->p==0 ) return;
    if( p->t.eType!=CT_ETK_COMMA ) break;
    if( ctEqlNext(p)!=SQLITE_OK ) goto fail;
  }
  if( ctEqlExpect(p, CT_ETK_RP, "',' or ')'")==SQLITE_OK ) return;
fail:
  ctQNodeFree(pE->p);
  pE->p = 0;
}

/* A call at the current word (or word~); the next token is "(". */
static CtEqlExpr ctEqlCall(CtEqlParser *p){
  int iOff = p->t.iOff, bTilde = p->t.eType==CT_ETK_TWORD;
  int n = p->t.iEnd - iOff - bTilde, k;
  const CtEqlFunc *f = ctEqlFindFunc(p->z + iOff, n);
  CtEqlExpr e;
  if( f==0 ){
    ctEqlError(p, iOff, "unknown function '%.*s'", n, p->z + iOff);
    return ctEqlFail();
  }
  if( bTilde && !f->bCaseless ){
    ctEqlError(p, iOff, "%s has no case-insensitive form (%s~)", f->zName, f->zName);
    return ctEqlFail();
  }
  e = ctEqlLeaf(p, CT_QOP_CALL, iOff);
  if( e.p==0 ) return e;
  if( bTilde ) e.p->flags |= CT_QF_CASELESS;
  e.p->z = sqlite3_mprintf("%s", f->zName);
  if( e.p->z==0 ){ ctEqlNoMem(p); ctQNodeFree(e.p); return ctEqlFail(); }
  for(k=0; e.p->z[k]; k++) e.p->z[k] = (char)(e.p->z[k] | 0x20);
  e.p->n = k;
  if( ctEqlNext(p)!=SQLITE_OK ){ ctQNodeFree(e.p); return ctEqlFail(); }
  ctEqlArgList(p, &e, 0);
  if( e.p ) ctEqlCheckArgs(p, f, e.p, iOff);
  if( p->rc==SQLITE_OK ) return e;
  ctQNodeFree(e.p);
  return ctEqlFail();
}

/* True if token t is the word zWord. */
static int ctEqlTokIsWord(CtEqlParser *p, const CtEqlToken *t, const char *zWord){
  int n = t->iEnd - t->iOff;
  return t->eType==CT_ETK_WORD && (int)strlen(zWord)==n
      && memcmp(p->z + t->iOff, zWord, (size_t)n)==0;
}

/* "( expr )" at the current token. */
static CtEqlExpr ctEqlParens(CtEqlParser *p){
  CtEqlExpr e;
  if( !ctEqlEnter(p, p->t.iOff) || ctEqlNext(p)!=SQLITE_OK ) return ctEqlFail();
  e = ctEqlOr(p);
  p->nDepth--;
  if( e.p && ctEqlExpect(p, CT_ETK_RP, "')'")!=SQLITE_OK ){
    ctQNodeFree(e.p);
    return ctEqlFail();
  }
  return e;
}

/* A word: true, false, null, a call, or a field. */
static CtEqlExpr ctEqlWordValue(CtEqlParser *p){
  int iOff = p->t.iOff;
  CtEqlToken next = ctEqlPeek(p);
  CtEqlExpr e;
  if( p->rc!=SQLITE_OK ) return ctEqlFail();
  if( ctEqlIsWord(p, "true") || ctEqlIsWord(p, "false") || ctEqlIsWord(p, "null") ){
    int bNull = ctEqlIsWord(p, "null");
    e = ctEqlLeaf(p, bNull ? CT_QOP_NULL : CT_QOP_BOOL, iOff);
    if( e.p ) e.p->i = ctEqlIsWord(p, "true");
    if( e.p && ctEqlNext(p)==SQLITE_OK ) return e;
    ctQNodeFree(e.p);
    return ctEqlFail();
  }
  if( ctEqlIsKeyword(p->z + iOff, p->t.iEnd - iOff) ){
    ctEqlExpected(p, "a value");
    return ctEqlFail();
  }
  if( ctEqlTokIsWord(p, &next, "of") ){
    ctEqlError(p, iOff, "lineage queries ('%.*s of [...]') are not supported",
               p->t.iEnd - iOff, p->z + iOff);
    return ctEqlFail();
  }
  if( next.eType==CT_ETK_LP ) return ctEqlCall(p);
  return ctEqlField(p, iOff, 0);
}

/* A primary: literal, field, ?field, call or parenthesised expression. */
static CtEqlExpr ctEqlPrimary(CtEqlParser *p){
  int iOff = p->t.iOff;
  if( p->rc!=SQLITE_OK ) return ctEqlFail();
  switch( p->t.eType ){
    case CT_ETK_LP:     return ctEqlParens(p);
    case CT_ETK_STRING:
    case CT_ETK_RAW:    return ctEqlString(p);
    case CT_ETK_INT:
    case CT_ETK_REAL:   return ctEqlNumber(p);
    case CT_ETK_QNAME:  return ctEqlField(p, iOff, 0);
    case CT_ETK_WORD:   return ctEqlWordValue(p);
    case CT_ETK_TWORD: {
      CtEqlToken next = ctEqlPeek(p);
      if( p->rc==SQLITE_OK && next.eType==CT_ETK_LP ) return ctEqlCall(p);
      ctEqlError(p, iOff, "'~' is only allowed after a function name, before '('");
      return ctEqlFail();
    }
    case CT_ETK_QMARK:
      if( ctEqlNext(p)!=SQLITE_OK ) return ctEqlFail();
      if( ctEqlAtName(p, 1) ) return ctEqlField(p, iOff, 1);
      ctEqlExpected(p, "a field name after '?'");
      return ctEqlFail();
  }
  ctEqlExpected(p, "a value");
  return ctEqlFail();
}

/* Unary minus (a NEG node) and plus (no node). */
static CtEqlExpr ctEqlUnary(CtEqlParser *p){
  CtEqlExpr e, none = {0, 0};
  int iOff = p->t.iOff, bNeg = p->t.eType==CT_ETK_MINUS;
  if( p->rc!=SQLITE_OK ) return ctEqlFail();
  if( !bNeg && p->t.eType!=CT_ETK_PLUS ) return ctEqlPrimary(p);
  if( !ctEqlEnter(p, iOff) || ctEqlNext(p)!=SQLITE_OK ) return ctEqlFail();
  e = ctEqlUnary(p);
  p->nDepth--;
  if( !bNeg || e.p==0 ) return e;
  return ctEqlNode(p, CT_QOP_NEG, iOff, e, none);
}

/* Binary operator tables for ctEqlChain: whether the current token is
** one, and the node it makes. */
static int ctEqlMulOp(CtEqlParser *p, int *peOp, int *piCmp){
  int e = p->t.eType;
  if( e!=CT_ETK_STAR && e!=CT_ETK_SLASH && e!=CT_ETK_PERCENT ) return 0;
  *peOp = CT_QOP_ARITH;
  *piCmp = p->z[p->t.iOff];
  return 1;
}
static int ctEqlAddOp(CtEqlParser *p, int *peOp, int *piCmp){
  int e = p->t.eType;
  if( e!=CT_ETK_PLUS && e!=CT_ETK_MINUS ) return 0;
  *peOp = CT_QOP_ARITH;
  *piCmp = p->z[p->t.iOff];
  return 1;
}
static int ctEqlAndOp(CtEqlParser *p, int *peOp, int *piCmp){
  *peOp = CT_QOP_AND;
  *piCmp = 0;
  return ctEqlIsWord(p, "and");
}
static int ctEqlOrOp(CtEqlParser *p, int *peOp, int *piCmp){
  *peOp = CT_QOP_OR;
  *piCmp = 0;
  return ctEqlIsWord(p, "or");
}

/* operand (op operand)*, left-associative: the loop of each binary level. */
static CtEqlExpr ctEqlChain(CtEqlParser *p, CtEqlExpr (*xOperand)(CtEqlParser*),
                            int (*xOp)(CtEqlParser*, int*, int*)){
  CtEqlExpr e = xOperand(p);
  int eOp, iCmp;
  while( e.p && p->rc==SQLITE_OK && xOp(p, &eOp, &iCmp) ){
    int iOff = p->t.iOff;
    CtEqlExpr r;
    if( ctEqlNext(p)!=SQLITE_OK ){ ctQNodeFree(e.p); return ctEqlFail(); }
    r = xOperand(p);
    if( r.p==0 ){ ctQNodeFree(e.p); return ctEqlFail(); }
    e = ctEqlNode(p, eOp, iOff, e, r);
    if( e.p ) e.p->iCmp = iCmp;
  }
  return e;
}

static CtEqlExpr ctEqlMul(CtEqlParser *p){ return ctEqlChain(p, ctEqlUnary, ctEqlMulOp); }
static CtEqlExpr ctEqlAdd(CtEqlParser *p){ return ctEqlChain(p, ctEqlMul, ctEqlAddOp); }

/* The comparison (CT_QC_*) of the current token, or 0. */
static int ctEqlCmpOp(CtEqlParser *p){
  switch( p->t.eType ){
    case CT_ETK_EQ: return CT_QC_EQ;
    case CT_ETK_NE: return CT_QC_NE;
    case CT_ETK_LT: return CT_QC_LT;
    case CT_ETK_LE: return CT_QC_LE;
    case CT_ETK_GT: return CT_QC_GT;
    case CT_ETK_GE: return CT_QC_GE;
  }
  return 0;
}

/* The pattern operator at the current token (":", like, like~, regex,
** regex~): its node kind and flags, or 0. */
static int ctEqlPatternOp(CtEqlParser *p, int *pFlags){
  *pFlags = CT_QF_CASELESS;
  if( p->t.eType==CT_ETK_COLON || ctEqlIsWord(p, "like~") ) return CT_QOP_LIKE;
  if( ctEqlIsWord(p, "regex~") ) return CT_QOP_REGEX;
  *pFlags = 0;
  if( ctEqlIsWord(p, "like") ) return CT_QOP_LIKE;
  if( ctEqlIsWord(p, "regex") ) return CT_QOP_REGEX;
  return 0;
}

/* The lookup at the current token: "in", "in~", "not in", "not in~".
** Returns 1 and the flags, or 0. */
static int ctEqlLookupOp(CtEqlParser *p, int *pFlags){
  *pFlags = 0;
  if( ctEqlIsWord(p, "not") ){
    CtEqlToken next = ctEqlPeek(p);
    int n = next.iEnd - next.iOff;
    if( n==2 && next.eType==CT_ETK_WORD && memcmp(p->z+next.iOff, "in", 2)==0 ){
      *pFlags = CT_QF_NEGATED;
    }else if( n==3 && next.eType==CT_ETK_TWORD && memcmp(p->z+next.iOff, "in~", 3)==0 ){
      *pFlags = CT_QF_NEGATED|CT_QF_CASELESS;
    }else{
      return 0;
    }
    return 1;
  }
  if( ctEqlIsWord(p, "in") ) return 1;
  if( ctEqlIsWord(p, "in~") ){ *pFlags = CT_QF_CASELESS; return 1; }
  return 0;
}

/* True if the current token starts a comparison or a lookup. */
static int ctEqlAtComparison(CtEqlParser *p){
  int f;
  return ctEqlCmpOp(p) || ctEqlPatternOp(p, &f) || ctEqlLookupOp(p, &f);
}

/* The patterns after ":", like or regex: one string literal or a
** parenthesised list of them (Elasticsearch takes only literals here). */
static void ctEqlPatterns(CtEqlParser *p, CtEqlExpr *pE){
  int bList = p->t.eType==CT_ETK_LP;
  if( bList && ctEqlNext(p)!=SQLITE_OK ) goto fail;
  for(;;){
    if( p->t.eType!=CT_ETK_STRING && p->t.eType!=CT_ETK_RAW ){
      ctEqlExpected(p, "a string pattern");
      goto fail;
    }
    ctEqlAddArg(p, pE, ctEqlString(p));
    if( pE->p==0 ) return;
    if( !bList || p->t.eType!=CT_ETK_COMMA ) break;
    if( ctEqlNext(p)!=SQLITE_OK ) goto fail;
  }
  if( !bList || ctEqlExpect(p, CT_ETK_RP, "',' or ')'")==SQLITE_OK ) return;
fail:
  ctQNodeFree(pE->p);
  pE->p = 0;
}

/* The comparison or lookup whose left operand is l, at its operator. */
static CtEqlExpr ctEqlPredicate(CtEqlParser *p, CtEqlExpr l){
  int iOff = p->t.iOff, iCmp = ctEqlCmpOp(p), flags, eOp;
  CtEqlExpr e, none = {0, 0};
  if( iCmp ){
    CtEqlExpr r;
    if( ctEqlNext(p)!=SQLITE_OK ){ ctQNodeFree(l.p); return ctEqlFail(); }
    r = ctEqlAdd(p);
    if( r.p==0 ){ ctQNodeFree(l.p); return ctEqlFail(); }
    e = ctEqlNode(p, CT_QOP_CMP, iOff, l, r);
    if( e.p ) e.p->iCmp = iCmp;
    return e;
  }
  if( (eOp = ctEqlPatternOp(p, &flags))!=0 ){
    e = ctEqlNode(p, eOp, iOff, l, none);
    if( e.p==0 || ctEqlNext(p)!=SQLITE_OK ){ ctQNodeFree(e.p); return ctEqlFail(); }
    e.p->flags = flags;
    ctEqlPatterns(p, &e);
    return e;
  }
  ctEqlLookupOp(p, &flags);
  e = ctEqlNode(p, CT_QOP_IN, iOff, l, none);
  if( e.p==0 ) return e;
  e.p->flags = flags;
  if( ((flags & CT_QF_NEGATED) && ctEqlNext(p)!=SQLITE_OK) || ctEqlNext(p)!=SQLITE_OK ){
    ctQNodeFree(e.p);
    return ctEqlFail();
  }
  ctEqlArgList(p, &e, 1);
  return e;
}

/* additive [comparison-or-lookup additive]; comparisons do not chain. */
static CtEqlExpr ctEqlCompare(CtEqlParser *p){
  CtEqlExpr e = ctEqlAdd(p);
  if( e.p==0 ) return e;
  if( p->t.eType==CT_ETK_ASSIGN ){
    ctEqlError(p, p->t.iOff, "'=' is not an operator (use == or :)");
  }else if( ctEqlAtComparison(p) ){
    e = ctEqlPredicate(p, e);
    if( e.p && ctEqlAtComparison(p) ){
      ctEqlError(p, p->t.iOff, "comparisons cannot be chained (join them with and)");
    }
  }
  if( p->rc==SQLITE_OK ) return e;
  ctQNodeFree(e.p);
  return ctEqlFail();
}

/* not* comparison. */
static CtEqlExpr ctEqlNot(CtEqlParser *p){
  CtEqlExpr e, none = {0, 0};
  int iOff = p->t.iOff;
  if( !ctEqlIsWord(p, "not") ) return ctEqlCompare(p);
  if( !ctEqlEnter(p, iOff) || ctEqlNext(p)!=SQLITE_OK ) return ctEqlFail();
  e = ctEqlNot(p);
  p->nDepth--;
  if( e.p==0 ) return e;
  return ctEqlNode(p, CT_QOP_NOT, iOff, e, none);
}

static CtEqlExpr ctEqlAnd(CtEqlParser *p){ return ctEqlChain(p, ctEqlNot, ctEqlAndOp); }
static CtEqlExpr ctEqlOr(CtEqlParser *p){ return ctEqlChain(p, ctEqlAnd, ctEqlOrOp); }

/* ---------------------------------------------------------------------
** Queries
*/

/* The event category at the current token: a name, a string, or any
** (*pz 0). */
static int ctEqlCategory(CtEqlParser *p, char **pz){
  int iOff = p->t.iOff, n = p->t.iEnd - iOff;
  *pz = 0;
  if( ctEqlIsWord(p, "any") ) return ctEqlNext(p);
  if( p->t.eType==CT_ETK_WORD && !ctEqlIsKeyword(p->z + iOff, n) ){
    *pz = sqlite3_mprintf("%.*s", n, p->z + iOff);
    if( *pz==0 ){ ctEqlNoMem(p); return p->rc; }
  }else if( p->t.eType==CT_ETK_STRING || p->t.eType==CT_ETK_RAW ){
    if( ctEqlStringValue(p, &p->t, pz, &n)!=SQLITE_OK ) return p->rc;
    if( (int)strlen(*pz)!=n ) ctEqlError(p, iOff, "event category holds a NUL");
  }else{
    ctEqlExpected(p, "an event category (a name, a \"string\" or any)");
    return p->rc;
  }
  return ctEqlNext(p);
}

/* "<category> where <condition>". */
static int ctEqlFilter(CtEqlParser *p, char **pzCategory, CtQNode **ppWhere){
  CtEqlExpr e;
  if( ctEqlCategory(p, pzCategory)!=SQLITE_OK ) return p->rc;
  if( ctEqlExpectWord(p, "where")!=SQLITE_OK ) return p->rc;
  e = ctEqlOr(p);
  *ppWhere = e.p;
  return p->rc;
}

/* "by key, ..." at the word by: fields (?field allowed) appended to
** *papBy. */
static int ctEqlJoinKeys(CtEqlParser *p, CtQNode ***papBy, int *pnBy){
  do{
    int iOff, bOptional;
    CtEqlExpr e;
    CtQNode **aNew;
    if( ctEqlNext(p)!=SQLITE_OK ) return p->rc;
    iOff = p->t.iOff;
    bOptional = p->t.eType==CT_ETK_QMARK;
    if( bOptional && ctEqlNext(p)!=SQLITE_OK ) return p->rc;
    if( !ctEqlAtName(p, 1) ){ ctEqlExpected(p, "a field name as join key"); return p->rc; }
    e = ctEqlField(p, iOff, bOptional);
    if( e.p==0 ) return p->rc;
    aNew = sqlite3_realloc64(*papBy, sizeof(CtQNode*)*(sqlite3_uint64)(*pnBy+1));
    if( aNew==0 ){ ctQNodeFree(e.p); ctEqlNoMem(p); return p->rc; }
    *papBy = aNew;
    aNew[(*pnBy)++] = e.p;
  }while( p->t.eType==CT_ETK_COMMA );
  return SQLITE_OK;
}

/* "with runs=N" at the word with. */
static int ctEqlRuns(CtEqlParser *p, CtQStep *s, int bUntil){
  int iOff = p->t.iOff;
  sqlite3_int64 v = 0;
  if( ctEqlNext(p)!=SQLITE_OK || ctEqlExpectWord(p, "runs")!=SQLITE_OK ) return p->rc;
  if( bUntil ){ ctEqlError(p, iOff, "with runs is not allowed on until"); return p->rc; }
  if( ctEqlExpect(p, CT_ETK_ASSIGN, "'='")!=SQLITE_OK ) return p->rc;
  if( p->t.eType!=CT_ETK_INT
   || !ctEqlInt64(p->z + p->t.iOff, p->t.iEnd - p->t.iOff, &v)
   || v<1 || v>CT_EQL_MAX_RUNS ){
    ctEqlError(p, p->t.iOff, "runs must be a whole number from 1 to %d", CT_EQL_MAX_RUNS);
    return p->rc;
  }
  s->nRuns = (int)v;
  return ctEqlNext(p);
}

/* One step "[ <category> where <cond> ] [by keys] [with runs=N]". */
static int ctEqlStep(CtEqlParser *p, CtQStep *s, int bUntil){
  s->nRuns = 1;
  if( ctEqlExpect(p, CT_ETK_LB, "'['")!=SQLITE_OK ) return p->rc;
  if( ctEqlFilter(p, &s->zCategory, &s->pWhere)!=SQLITE_OK ) return p->rc;
  if( ctEqlExpect(p, CT_ETK_RB, "']'")!=SQLITE_OK ) return p->rc;
  if( ctEqlIsWord(p, "by") && ctEqlJoinKeys(p, &s->apBy, &s->nBy)!=SQLITE_OK ) return p->rc;
  if( ctEqlIsWord(p, "with") ) ctEqlRuns(p, s, bUntil);
  return p->rc;
}

/* "with maxspan=<n><unit>" at the word with. */
static int ctEqlMaxspan(CtEqlParser *p, sqlite3_int64 *piMs){
  static const struct { const char *zUnit; sqlite3_int64 iMs; } aUnit[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}
  };
  int iOff, k;
  sqlite3_int64 v = 0;
  if( ctEqlNext(p)!=SQLITE_OK || ctEqlExpectWord(p, "maxspan")!=SQLITE_OK
   || ctEqlExpect(p, CT_ETK_ASSIGN, "'='")!=SQLITE_OK ) return p->rc;
  iOff = p->t.iOff;
  if( p->t.eType!=CT_ETK_INT || !ctEqlInt64(p->z + iOff, p->t.iEnd - iOff, &v) ){
    ctEqlError(p, iOff, "maxspan must be a whole number and a unit (ms, s, m, h, d)");
    return p->rc;
  }
  if( v==0 ){ ctEqlError(p, iOff, "maxspan must be positive"); return p->rc; }
  if( ctEqlNext(p)!=SQLITE_OK ) return p->rc;
  for(k=0; k<(int)(sizeof(aUnit)/sizeof(aUnit[0])); k++){
    if( ctEqlIsWord(p, aUnit[k].zUnit) ) break;
  }
  if( k==(int)(sizeof(aUnit)/sizeof(aUnit[0])) ){
    ctEqlExpected(p, "a maxspan unit (ms, s, m, h, d)");
    return p->rc;
  }
  if( v > 0x7fffffffffffffffLL / aUnit[k].iMs ){
    ctEqlError(p, iOff, "maxspan too large");
    return p->rc;
  }
  *piMs = v * aUnit[k].iMs;
  return ctEqlNext(p);
}

/* Appends a zeroed step to q (counted at once, so that ctQueryFree frees
** a step left half-parsed by an error). */
static CtQStep *ctEqlNewStep(CtEqlParser *p, CtQuery *q){
  CtQStep *aNew = sqlite3_realloc64(q->aStep, sizeof(CtQStep)*(sqlite3_uint64)(q->nStep+1));
  if( aNew==0 ){ ctEqlNoMem(p); return 0; }
  q->aStep = aNew;
  memset(&aNew[q->nStep], 0, sizeof(CtQStep));
  return &aNew[q->nStep++];
}

/* The steps of a sequence, each checked to have as many join keys as
** the first (the keys pair up by position). */
static int ctEqlSteps(CtEqlParser *p, CtQuery *q){
  while( p->rc==SQLITE_OK && (p->t.eType==CT_ETK_LB || p->t.eType==CT_ETK_BANG) ){
    int iOff = p->t.iOff;
    CtQStep *s;
    if( p->t.eType==CT_ETK_BANG ){
      ctEqlError(p, iOff, "missing events (![ ... ]) are not supported");
      break;
    }
    if( (s = ctEqlNewStep(p, q))==0 || ctEqlStep(p, s, 0)!=SQLITE_OK ) break;
    if( s->nBy!=q->aStep[0].nBy ){
      ctEqlError(p, iOff, "this step has %d join keys, the first step %d (they pair up)",
                 s->nBy, q->aStep[0].nBy);
    }
  }
  return p->rc;
}

/* "sequence [by keys] [with maxspan=..] step step... [until step]". */
static int ctEqlSequence(CtEqlParser *p, CtQuery *q){
  int iOff = p->t.iOff, nRuns = 0, k;
  if( ctEqlNext(p)!=SQLITE_OK ) return p->rc;
  if( ctEqlIsWord(p, "by") && ctEqlJoinKeys(p, &q->apBy, &q->nBy)!=SQLITE_OK ) return p->rc;
  if( ctEqlIsWord(p, "with") && ctEqlMaxspan(p, &q->iMaxspanMs)!=SQLITE_OK ) return p->rc;
  if( ctEqlIsWord(p, "by") ){
    ctEqlError(p, p->t.iOff, "sequence by must come before with maxspan");
    return p->rc;
  }
  if( p->t.eType!=CT_ETK_LB && p->t.eType!=CT_ETK_BANG ){
    ctEqlExpected(p, "'[' (a sequence step)");
    return p->rc;
  }
  if( ctEqlSteps(p, q)!=SQLITE_OK ) return p->rc;
  for(k=0; k<q->nStep; k++) nRuns += q->aStep[k].nRuns;
  if( nRuns<2 ){
    ctEqlError(p, iOff, "a sequence needs at least two steps");
    return p->rc;
  }
  if( ctEqlIsWord(p, "until") ){
    int iUntil = p->t.iOff;
    if( ctEqlNext(p)!=SQLITE_OK ) return p->rc;
    q->pUntil = sqlite3_malloc64(sizeof(CtQStep));
    if( q->pUntil==0 ){ ctEqlNoMem(p); return p->rc; }
    memset(q->pUntil, 0, sizeof(CtQStep));
    if( ctEqlStep(p, q->pUntil, 1)!=SQLITE_OK ) return p->rc;
    if( q->pUntil->nBy!=q->aStep[0].nBy ){
      ctEqlError(p, iUntil, "until has %d join keys, the first step %d (they pair up)",
                 q->pUntil->nBy, q->aStep[0].nBy);
    }
  }
  return p->rc;
}

/* After the query: the end, or a pipe (refused, named). */
static int ctEqlEnd(CtEqlParser *p){
  if( p->rc!=SQLITE_OK || p->t.eType==CT_ETK_EOF ) return p->rc;
  if( p->t.eType==CT_ETK_PIPE ){
    CtEqlToken next = ctEqlPeek(p);
    if( p->rc==SQLITE_OK && next.eType==CT_ETK_WORD ){
      ctEqlError(p, p->t.iOff, "pipes are not supported (| %.*s)",
                 next.iEnd - next.iOff, p->z + next.iOff);
    }else{
      ctEqlError(p, p->t.iOff, "pipes are not supported");
    }
    return p->rc;
  }
  ctEqlExpected(p, "end of query");
  return p->rc;
}

int ctEqlParse(const char *zQuery, CtQuery **ppQuery, char **pzErr){
  CtEqlParser p;
  CtQuery *q;
  memset(&p, 0, sizeof(p));
  p.z = zQuery;
  *ppQuery = 0;
  *pzErr = 0;
  q = ctQueryNew(CT_QL_EQL);
  if( q==0 ) return SQLITE_NOMEM;
  if( strlen(zQuery)>CT_EQL_MAX_QUERY ){
    ctEqlError(&p, 0, "query longer than %d bytes", CT_EQL_MAX_QUERY);
  }else if( ctEqlLex(&p, 0, &p.t)==SQLITE_OK ){
    if( ctEqlIsWord(&p, "sequence") ){
      ctEqlSequence(&p, q);
    }else if( ctEqlIsWord(&p, "sample") || ctEqlIsWord(&p, "join") ){
      ctEqlError(&p, p.t.iOff, "%.*s queries are not supported",
                 p.t.iEnd - p.t.iOff, zQuery + p.t.iOff);
    }else{
      ctEqlFilter(&p, &q->zCategory, &q->pWhere);
    }
    ctEqlEnd(&p);
  }
  if( p.rc!=SQLITE_OK ){
    ctQueryFree(q);
    *pzErr = p.zErr;
    return p.rc;
  }
  *ppQuery = q;
  return SQLITE_OK;
}
