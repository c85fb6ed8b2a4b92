/*
** ct_json.c — a JSON scanner that never builds a tree.
**
** Two kinds of routine live here:
**   - ct_json_validate() checks one value strictly (RFC 8259 grammar, the
**     same depth limit as SQLite's json1) and tells whether the buffer ended
**     too early, so the streaming reader can fetch more and try again;
**   - the rest (skip, next_member, lookup, unescape) assume their input was
**     validated already and are written for speed, not for error reports.
** Nothing here recurses on the input's nesting, so hostile depth cannot
** overflow the C stack.
*/
#include <stdint.h>
#include <string.h>
#include "ct_json.h"

/* Bytes that end the fast part of a string scan: '"', '\\' and the
** control characters that JSON forbids inside strings. */
static const unsigned char ctStrStop[256] = {
  1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
  0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
};

/*
** Most of a CloudTrail record is string contents, so the string scanners
** below test many bytes per step: 16 with SSE2, else 8 with SWAR ("SIMD
** within a register") arithmetic on a 64-bit word.
*/
#if defined(__SSE2__) && !defined(CT_NO_SIMD)
#include <emmintrin.h>
/*
** With SSE2 (every x86-64) 16 bytes are tested at once and the position of
** the first special byte comes from a bit mask, with no byte loop.
*/
static size_t ctStrScan(const char *z, size_t n, size_t j){
  const __m128i vQuote = _mm_set1_epi8('"');
  const __m128i vBack = _mm_set1_epi8('\\');
  const __m128i v1F = _mm_set1_epi8(0x1F);
  while( j+16<=n ){
    __m128i x = _mm_loadu_si128((const __m128i*)(z+j));
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vQuote),
                                          _mm_cmpeq_epi8(x, vBack)),
                             _mm_cmpeq_epi8(_mm_min_epu8(x, v1F), x));
    int bits = _mm_movemask_epi8(m);
    if( bits ) return j + (size_t)__builtin_ctz((unsigned)bits);
    j += 16;
  }
  while( j<n && !ctStrStop[(unsigned char)z[j]] ) j++;
  return j;
}

static size_t ctQuoteScan(const char *z, size_t n, size_t j){
  const __m128i vQuote = _mm_set1_epi8('"');
  const __m128i vBack = _mm_set1_epi8('\\');
  while( j+16<=n ){
    __m128i x = _mm_loadu_si128((const __m128i*)(z+j));
    int bits = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, vQuote),
                                              _mm_cmpeq_epi8(x, vBack)));
    if( bits ) return j + (size_t)__builtin_ctz((unsigned)bits);
    j += 16;
  }
  while( j<n && z[j]!='"' && z[j]!='\\' ) j++;
  return j;
}
#else
#define CT_ONES  0x0101010101010101ULL
#define CT_HIGHS 0x8080808080808080ULL

/* Non-zero if any byte of x is zero. */
#define CT_HAS_ZERO(x)    (((x) - CT_ONES) & ~(x) & CT_HIGHS)
/* Non-zero if any byte of x equals c. */
#define CT_HAS_BYTE(x,c)  CT_HAS_ZERO((x) ^ (CT_ONES*(unsigned char)(c)))
/* Non-zero if any byte of x is below c (c <= 128). */
#define CT_HAS_LESS(x,c)  (((x) - CT_ONES*(c)) & ~(x) & CT_HIGHS)

static uint64_t ctLoad8(const char *z){
  uint64_t x;
  memcpy(&x, z, 8);
  return x;
}

/* Index of the first byte at or after j that is '"', '\\' or a control
** character, or n. */
static size_t ctStrScan(const char *z, size_t n, size_t j){
  while( j+8<=n ){
    uint64_t x = ctLoad8(z+j);
    if( CT_HAS_BYTE(x,'"') | CT_HAS_BYTE(x,'\\') | CT_HAS_LESS(x,0x20) ) break;
    j += 8;
  }
  while( j<n && !ctStrStop[(unsigned char)z[j]] ) j++;
  return j;
}

/* Index of the first '"' or '\\' at or after j, or n. */
static size_t ctQuoteScan(const char *z, size_t n, size_t j){
  while( j+8<=n ){
    uint64_t x = ctLoad8(z+j);
    if( CT_HAS_BYTE(x,'"') | CT_HAS_BYTE(x,'\\') ) break;
    j += 8;
  }
  while( j<n && z[j]!='"' && z[j]!='\\' ) j++;
  return j;
}
#endif

static int ctIsHex(char c){
  return (c>='0' && c<='9') || (c>='a' && c<='f') || (c>='A' && c<='F');
}

static int ctHexVal(char c){
  if( c<='9' ) return c-'0';
  if( c>='a' ) return c-'a'+10;
  return c-'A'+10;
}

/* The value 0..15 of hex digit c, or -1 if c is not one. */
int ct_json_hex_digit(char c){
  return ctIsHex(c) ? ctHexVal(c) : -1;
}

/* Return the index of the first non-whitespace byte at or after i. */
static inline size_t ctWs(const char *z, size_t n, size_t i){
  while( i<n && CT_JSON_IS_WS(z[i]) ) i++;
  return i;
}
size_t ct_json_skip_ws(const char *z, size_t n, size_t i){
  return ctWs(z, n, i);
}

static int ctFail(CtJsonError *pErr, size_t i, const char *zWhy){
  if( pErr ){ pErr->iOff = i; pErr->zWhy = zWhy; }
  return CT_JSON_ERROR;
}

/*
** z[i] is '"'.  Find the end of the string and check its escapes.
** On CT_JSON_OK *piEnd is one past the closing quote.  CT_JSON_INCOMPLETE
** means the buffer ended inside the string.
*/
static inline int ctStringEnd(const char *z, size_t n, size_t i,
                              size_t *piEnd, CtJsonError *pErr){
  size_t j = i+1;
  for(;;){
    unsigned char c;
    j = ctStrScan(z, n, j);
    if( j>=n ) return CT_JSON_INCOMPLETE;
    c = (unsigned char)z[j];
    if( c=='"' ){ *piEnd = j+1; return CT_JSON_OK; }
    if( c!='\\' ) return ctFail(pErr, j, "control character in string");
    if( j+1>=n ) return CT_JSON_INCOMPLETE;
    c = (unsigned char)z[j+1];
    if( c=='u' ){
      int k;
      for(k=2; k<6; k++){
        if( j+k>=n ) return CT_JSON_INCOMPLETE;
        if( !ctIsHex(z[j+k]) ) return ctFail(pErr, j, "bad \\u escape");
      }
      j += 6;
    }else if( strchr("\"\\/bfnrt", c) && c ){
      j += 2;
    }else{
      return ctFail(pErr, j, "bad escape in string");
    }
  }
}

int ct_json_string_end(const char *z, size_t n, size_t i, size_t *piEnd,
                       CtJsonError *pErr){
  return ctStringEnd(z, n, i, piEnd, pErr);
}

/* Check a number at z[i].  Same result codes as ct_json_validate(). */
static int ctNumberEnd(const char *z, size_t n, size_t i, int bEof,
                       size_t *piEnd, CtJsonError *pErr){
  size_t j = i;
  size_t nDigit;
  if( z[j]=='-' ) j++;
  if( j>=n ) goto short_input;
  if( z[j]=='0' ){
    j++;
  }else if( z[j]>='1' && z[j]<='9' ){
    while( j<n && z[j]>='0' && z[j]<='9' ) j++;
  }else{
    return ctFail(pErr, j, "bad number");
  }
  if( j<n && z[j]=='.' ){
    j++;
    for(nDigit=0; j<n && z[j]>='0' && z[j]<='9'; nDigit++) j++;
    if( j>=n ) goto short_input;
    if( nDigit==0 ) return ctFail(pErr, j, "bad number");
  }
  if( j<n && (z[j]=='e' || z[j]=='E') ){
    j++;
    if( j<n && (z[j]=='+' || z[j]=='-') ) j++;
    for(nDigit=0; j<n && z[j]>='0' && z[j]<='9'; nDigit++) j++;
    if( j>=n ) goto short_input;
    if( nDigit==0 ) return ctFail(pErr, j, "bad number");
  }
  if( j>=n ) goto short_input;
  *piEnd = j;
  return CT_JSON_OK;
short_input:
  /* A number may continue in the next chunk; only EOF settles it, and only
  ** if the digits seen so far form a whole number. */
  if( !bEof ) return CT_JSON_INCOMPLETE;
  if( z[n-1]<'0' || z[n-1]>'9' ) return ctFail(pErr, n, "bad number");
  *piEnd = n;
  return CT_JSON_OK;
}

/* Check the literal zLit (true/false/null) at z[i]. */
static int ctLiteralEnd(const char *z, size_t n, size_t i, const char *zLit,
                        size_t *piEnd, CtJsonError *pErr){
  size_t k, nLit = strlen(zLit);
  for(k=0; k<nLit; k++){
    if( i+k>=n ) return CT_JSON_INCOMPLETE;
    if( z[i+k]!=zLit[k] ) return ctFail(pErr, i, "expected a JSON value");
  }
  *piEnd = i+nLit;
  return CT_JSON_OK;
}

/*
** Validate the one JSON value that starts at or after z[i] (leading
** whitespace allowed).  On CT_JSON_OK, *piEnd is one past its last byte.
** If the buffer ends first: CT_JSON_INCOMPLETE when more input may follow
** (bEof==0), otherwise an error at offset n.  mxDepth (at most
** CT_JSON_MAX_DEPTH) bounds the nesting.
*/
int ct_json_validate(const char *z, size_t n, size_t i, int bEof, int mxDepth,
                     size_t *piEnd, CtJsonError *pErr){
  return ct_json_validate_members(z, n, i, bEof, mxDepth, piEnd, pErr, 0);
}

/* Append one member to pM (or mark it overflowing). */
void ct_members_add(CtMembers *pM, size_t iKey, size_t nKey, size_t iVal,
                    size_t nVal){
  CtMember *m;
  if( pM->n>=CT_MAX_MEMBERS ){
    pM->bOverflow = 1;
    return;
  }
  m = &pM->a[pM->n++];
  m->iKey = iKey;
  m->nKey = nKey;
  m->iVal = iVal;
  m->nVal = nVal;
}

/*
** ct_json_validate(), and if the value is an object and pM is not 0, also
** record its top-level members in *pM (offsets from the '{').
*/
int ct_json_validate_members(const char *z, size_t n, size_t i, int bEof,
                             int mxDepth, size_t *piEnd, CtJsonError *pErr,
                             CtMembers *pM){
  char aStack[CT_JSON_MAX_DEPTH];   /* '{' or '[' per open container */
  int nDepth = 0;
  int rc;
  size_t iObj = 0, iKey = 0, nKey = 0, iVal = 0;
  if( mxDepth>CT_JSON_MAX_DEPTH ) mxDepth = CT_JSON_MAX_DEPTH;
  if( pM ){
    pM->n = 0;
    pM->bOverflow = 0;
    iObj = ctWs(z, n, i);
    if( iObj>=n || z[iObj]!='{' ) pM = 0;
  }

value:
  i = ctWs(z, n, i);
  if( i>=n ) goto short_input;
  if( nDepth==1 && pM ) iVal = i;
  switch( z[i] ){
    case '{':
    case '[':
      if( nDepth>=mxDepth ) return ctFail(pErr, i, "nested too deeply");
      aStack[nDepth++] = z[i];
      i = ctWs(z, n, i+1);
      if( i>=n ) goto short_input;
      if( z[i]==(aStack[nDepth-1]=='{' ? '}' : ']') ){
        i++;
        nDepth--;
        goto after;
      }
      if( aStack[nDepth-1]=='{' ) goto key;
      goto value;
    case '"':
      rc = ctStringEnd(z, n, i, &i, pErr);
      break;
    case 't': rc = ctLiteralEnd(z, n, i, "true", &i, pErr);  break;
    case 'f': rc = ctLiteralEnd(z, n, i, "false", &i, pErr); break;
    case 'n': rc = ctLiteralEnd(z, n, i, "null", &i, pErr);  break;
    default:
      if( z[i]=='-' || (z[i]>='0' && z[i]<='9') ){
        rc = ctNumberEnd(z, n, i, bEof && nDepth==0, &i, pErr);
        break;
      }
      return ctFail(pErr, i, "expected a JSON value");
  }
  if( rc==CT_JSON_INCOMPLETE ) goto short_input;
  if( rc!=CT_JSON_OK ) return rc;
  goto after;

key:
  i = ctWs(z, n, i);
  if( i>=n ) goto short_input;
  if( z[i]!='"' ) return ctFail(pErr, i, "expected a string key");
  if( nDepth==1 ) iKey = i+1;
  rc = ctStringEnd(z, n, i, &i, pErr);
  if( rc==CT_JSON_INCOMPLETE ) goto short_input;
  if( rc!=CT_JSON_OK ) return rc;
  if( nDepth==1 ) nKey = i-1-iKey;
  i = ctWs(z, n, i);
  if( i>=n ) goto short_input;
  if( z[i]!=':' ) return ctFail(pErr, i, "expected ':'");
  i++;
  goto value;

after:
  if( nDepth==0 ){
    *piEnd = i;
    return CT_JSON_OK;
  }
  if( nDepth==1 && pM ){
    ct_members_add(pM, iKey-iObj, nKey, iVal-iObj, i-iVal);
  }
  i = ctWs(z, n, i);
  if( i>=n ) goto short_input;
  if( z[i]==',' ){
    i++;
    if( aStack[nDepth-1]=='{' ) goto key;
    goto value;
  }
  if( z[i]==(aStack[nDepth-1]=='{' ? '}' : ']') ){
    i++;
    nDepth--;
    goto after;
  }
  return ctFail(pErr, i, aStack[nDepth-1]=='{' ? "expected ',' or '}'"
                                                : "expected ',' or ']'");

short_input:
  if( bEof ) return ctFail(pErr, n, "unexpected end of input");
  return CT_JSON_INCOMPLETE;
}

/* Index one past the end of the string that starts at the '"' at z[i].
** Meant for validated input, but safe on any: an unterminated string ends
** at n. */
static size_t ctSkipString(const char *z, size_t n, size_t i){
  i++;
  for(;;){
    i = ctQuoteScan(z, n, i);
    if( i>=n ) return n;
    if( z[i]=='"' ) return i+1;
    i += 2;                       /* a backslash and the byte it escapes */
  }
}

/*
** Index one past the end of the (already validated) value at z[i].  Nested
** containers are skipped with a counter, not recursion.
*/
size_t ct_json_skip(const char *z, size_t n, size_t i){
  int nDepth = 0;
  if( i>=n ) return n;
  if( z[i]=='"' ) return ctSkipString(z, n, i);
  if( z[i]!='{' && z[i]!='[' ){
    while( i<n && z[i]!=',' && z[i]!='}' && z[i]!=']' && !CT_JSON_IS_WS(z[i]) ){
      i++;
    }
    return i;
  }
  while( i<n ){
    char c = z[i];
    if( c=='"' ){
      i = ctSkipString(z, n, i);
      continue;
    }
    if( c=='{' || c=='[' ) nDepth++;
    else if( c=='}' || c==']' ){
      if( --nDepth==0 ) return i+1;
    }
    i++;
  }
  return n;
}

/*
** Step through the members of a validated object z[0..n) whose '{' is at
** z[0].  Start with *pi==1.  Returns 1 and sets *pKey (the key's bytes
** between the quotes, still escaped) and *pVal (the value's text, never
** empty) for each member, then 0 at the closing brace.  On input that is
** not valid JSON it stops early but never reads outside z[0..n).
*/
int ct_json_next_member(const char *z, size_t n, size_t *pi,
                        CtSpan *pKey, CtSpan *pVal){
  size_t i = ct_json_skip_ws(z, n, *pi);
  size_t iEnd;
  if( i<n && z[i]==',' ) i = ct_json_skip_ws(z, n, i+1);
  if( i>=n || z[i]!='"' ) return 0;
  iEnd = ctSkipString(z, n, i);
  if( iEnd<i+2 || z[iEnd-1]!='"' ) return 0;
  pKey->z = z+i+1;
  pKey->n = iEnd-i-2;
  i = ct_json_skip_ws(z, n, iEnd);
  if( i>=n || z[i]!=':' ) return 0;
  i = ct_json_skip_ws(z, n, i+1);
  if( i>=n ) return 0;
  iEnd = ct_json_skip(z, n, i);
  if( iEnd<=i ) return 0;
  pVal->z = z+i;
  pVal->n = iEnd-i;
  *pi = iEnd;
  return 1;
}

/*
** Step through the elements of a validated array z[0..n) whose '[' is at
** z[0].  Start with *pi==1.  Returns 1 and sets *pVal per element, then 0.
*/
int ct_json_next_element(const char *z, size_t n, size_t *pi, CtSpan *pVal){
  size_t i = ct_json_skip_ws(z, n, *pi);
  size_t iEnd;
  if( i<n && z[i]==',' ) i = ct_json_skip_ws(z, n, i+1);
  if( i>=n || z[i]==']' ) return 0;
  iEnd = ct_json_skip(z, n, i);
  if( iEnd<=i ) return 0;
  pVal->z = z+i;
  pVal->n = iEnd-i;
  *pi = iEnd;
  return 1;
}

/* Longest key we compare after unescaping; every key the extension looks
** for is far shorter, so a longer escaped key can never match. */
#define CT_JSON_MAX_KEY 256

/*
** Return the unescaped text of a key: the key itself when it holds no
** backslash, else its decoding in aBuf.  Returns 0 if it does not fit.
*/
static const char *ctKeyText(CtSpan key, char *aBuf, size_t *pn){
  if( memchr(key.z, '\\', key.n)==0 ){
    *pn = key.n;
    return key.z;
  }
  if( key.n>CT_JSON_MAX_KEY ) return 0;
  *pn = ct_json_unescape(key.z, key.n, aBuf);
  return aBuf;
}

/* True if the escaped key (or any string body) decodes to exactly
** zName[0..nName).  No allocation: a body longer than CT_JSON_MAX_KEY bytes
** is only compared when it holds no escapes. */
int ct_json_key_eq(CtSpan key, const char *zName, size_t nName){
  char aBuf[CT_JSON_MAX_KEY];
  size_t nKey;
  const char *zKey;
  if( key.n==nName ) return memcmp(key.z, zName, nName)==0;
  if( key.n<nName ) return 0;
  zKey = ctKeyText(key, aBuf, &nKey);
  return zKey && nKey==nName && memcmp(zKey, zName, nName)==0;
}

/* True for an absent value or JSON null. */
int ct_json_is_null(CtSpan v){
  return v.z==0 || (v.n==4 && memcmp(v.z, "null", 4)==0);
}

/* Append code point c to zOut as UTF-8; return the bytes written. */
static size_t ctPutUtf8(unsigned c, char *zOut){
  if( c<0x80 ){ zOut[0] = (char)c; return 1; }
  if( c<0x800 ){
    zOut[0] = (char)(0xC0 | (c>>6));
    zOut[1] = (char)(0x80 | (c&0x3F));
    return 2;
  }
  if( c<0x10000 ){
    zOut[0] = (char)(0xE0 | (c>>12));
    zOut[1] = (char)(0x80 | ((c>>6)&0x3F));
    zOut[2] = (char)(0x80 | (c&0x3F));
    return 3;
  }
  zOut[0] = (char)(0xF0 | (c>>18));
  zOut[1] = (char)(0x80 | ((c>>12)&0x3F));
  zOut[2] = (char)(0x80 | ((c>>6)&0x3F));
  zOut[3] = (char)(0x80 | (c&0x3F));
  return 4;
}

static unsigned ctHex4(const char *z){
  return (unsigned)((ctHexVal(z[0])<<12) | (ctHexVal(z[1])<<8)
                    | (ctHexVal(z[2])<<4) | ctHexVal(z[3]));
}

/*
** Decode the validated string contents z[0..n) (no quotes) into zOut, which
** must hold n bytes: no escape decodes to more bytes than it occupies.
** Input that is not a valid string body is copied as it is where it is not
** a well-formed escape, never read past n.
** A surrogate pair becomes one code point; a lone surrogate becomes U+FFFD,
** so the result is always valid UTF-8 where the input was.  \u0000 is kept
** as a NUL byte.  Returns the decoded length.
*/
size_t ct_json_unescape(const char *z, size_t n, char *zOut){
  size_t i = 0, o = 0;
  while( i<n ){
    const char *p = memchr(z+i, '\\', n-i);
    size_t nLit = p ? (size_t)(p-(z+i)) : n-i;
    unsigned c;
    memmove(zOut+o, z+i, nLit);
    o += nLit;
    i += nLit;
    if( i>=n ) break;
    if( i+1>=n ){                   /* a lone trailing backslash */
      zOut[o++] = z[i++];
      break;
    }
    if( z[i+1]=='u' && (i+6>n || !ctIsHex(z[i+2]) || !ctIsHex(z[i+3])
                        || !ctIsHex(z[i+4]) || !ctIsHex(z[i+5])) ){
      zOut[o++] = z[i++];           /* not an escape: copy, never overread */
      continue;
    }
    switch( z[i+1] ){
      case 'b': zOut[o++] = '\b'; i += 2; continue;
      case 'f': zOut[o++] = '\f'; i += 2; continue;
      case 'n': zOut[o++] = '\n'; i += 2; continue;
      case 'r': zOut[o++] = '\r'; i += 2; continue;
      case 't': zOut[o++] = '\t'; i += 2; continue;
      case 'u': break;
      default:  zOut[o++] = z[i+1]; i += 2; continue;
    }
    c = ctHex4(z+i+2);
    i += 6;
    if( c>=0xD800 && c<=0xDBFF && i+6<=n && z[i]=='\\' && z[i+1]=='u'
     && ctIsHex(z[i+2]) && ctIsHex(z[i+3]) && ctIsHex(z[i+4]) && ctIsHex(z[i+5]) ){
      unsigned c2 = ctHex4(z+i+2);
      if( c2>=0xDC00 && c2<=0xDFFF ){
        c = 0x10000 + ((c-0xD800)<<10) + (c2-0xDC00);
        i += 6;
      }
    }
    if( c>=0xD800 && c<=0xDFFF ) c = 0xFFFD;
    o += ctPutUtf8(c, zOut+o);
  }
  return o;
}

/*
** Find the value at the dotted path zPath inside the validated object obj,
** the way Elasticsearch reads a document: at each level a key may hold the
** next segment ("event": {"action": …}) or several segments at once
** ("event.action": …), in any mix.  Of duplicate keys only the first
** counts, as in json_extract(); a null value is skipped, because
** Elasticsearch indexes nothing for it, and the search goes on with the
** other spellings of the path.  Returns an absent span if nothing matches.  Recursion depth is bounded by the segments in zPath.
*/
CtSpan ct_json_lookup(CtSpan obj, const char *zPath){
  CtSpan key, val, none = {0, 0};
  size_t i = 1, nPath = strlen(zPath);
  unsigned seen = 0;     /* bit k: a key spanning k+1 segments was seen */
  char aBuf[CT_JSON_MAX_KEY];
  if( obj.z==0 || obj.n<2 || obj.z[0]!='{' ) return none;
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    size_t nKey, k;
    unsigned bit = 1;
    const char *zKey = ctKeyText(key, aBuf, &nKey);
    if( zKey==0 || nKey>nPath || memcmp(zKey, zPath, nKey)!=0 ) continue;
    if( nKey<nPath && zPath[nKey]!='.' ) continue;
    /* Only the first occurrence of a key counts (json_extract's rule). */
    for(k=0; k<nKey; k++){ if( zPath[k]=='.' ) bit <<= 1; }
    if( bit==0 || (seen & bit) ) continue;
    seen |= bit;
    if( nKey==nPath ){
      if( !ct_json_is_null(val) ) return val;
    }else if( val.z[0]=='{' ){
      CtSpan sub = ct_json_lookup(val, zPath+nKey+1);
      if( sub.z ) return sub;
    }
  }
  return none;
}
