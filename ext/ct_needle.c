/*
** ct_needle.c — the prefilter of the rules: reject an event that lacks a
** text every match contains, before any field is located.
**
**   SELECT eql_match('any where event.provider == "signin.amazonaws.com"', raw)
**     FROM cloudtrail('AWSLogs/');   -- most records never reach the ECS mapping
**
** ct_qeval.c derives a rule's needle from its query's literals; this file
** finds it, with SSE2 where the machine has it.
*/
#include <string.h>
#if defined(__SSE2__) && !defined(CT_NO_SIMD)
# include <emmintrin.h>
#endif
#include "ct_needle.h"

/* How common a byte is in CloudTrail JSON, roughly: punctuation of the JSON
** itself and the commonest lower-case letters are everywhere, other
** lower-case letters and digits often, capitals and the rest seldom. */
static int ctNeedleWeight(unsigned char c){
  if( strchr("\":,.aeinorst", c) ) return 10;
  if( (c>='a' && c<='z') || (c>='0' && c<='9') || c=='-' ) return 5;
  return 1;
}

/* The offset of zNeedle's rarest pair of bytes by ctNeedleWeight(), the
** first of equals ("ig" of "signin.amazonaws.com"). */
size_t ctNeedlePair(const char *zNeedle){
  size_t i, iBest = 0, n = strlen(zNeedle);
  int best = 1000;
  for(i=0; i+1<n; i++){
    int w = ctNeedleWeight((unsigned char)zNeedle[i])*ctNeedleWeight((unsigned char)zNeedle[i+1]);
    if( w<best ){ best = w; iBest = i; }
  }
  return iBest;
}

/*
** The first place the needle occurs in z[0..n), or 0 (needles are at
** least two bytes).  The search looks for the needle's
** distinctive pair of bytes at iPair ("gn" of "signin.amazonaws.com" occurs
** about once in five CloudTrail records, while each single letter of it
** occurs several times in every record) and checks each hit in place.
** With SSE2 the pair is matched 16 positions at a time in a single pass.
*/
const char *ctNeedleFind(const char *z, size_t n, const char *zNeedle, size_t iPair){
  size_t nNeedle = strlen(zNeedle), i = iPair, iLast;
  const char c1 = zNeedle[iPair], c2 = zNeedle[iPair+1];
  if( n<nNeedle || nNeedle<2 ) return 0;
  iLast = n - (nNeedle - iPair);       /* last position the pair may start */
#if defined(__SSE2__) && !defined(CT_NO_SIMD)
  {
    const __m128i v1 = _mm_set1_epi8(c1), v2 = _mm_set1_epi8(c2);
    while( i+17<=n ){
      __m128i a = _mm_loadu_si128((const __m128i*)(z+i));
      __m128i b = _mm_loadu_si128((const __m128i*)(z+i+1));
      unsigned bits = (unsigned)_mm_movemask_epi8(
          _mm_and_si128(_mm_cmpeq_epi8(a, v1), _mm_cmpeq_epi8(b, v2)));
      while( bits ){
        size_t k = i + (size_t)__builtin_ctz(bits);
        if( k<=iLast && memcmp(z+k-iPair, zNeedle, nNeedle)==0 ) return z+k-iPair;
        bits &= bits-1;
      }
      i += 16;
    }
  }
#endif
  for(; i<=iLast; i++){
    if( z[i]==c1 && z[i+1]==c2 && memcmp(z+i-iPair, zNeedle, nNeedle)==0 ) return z+i-iPair;
  }
  return 0;
}

static int ctHasNeedle(const char *z, size_t n, const char *zNeedle, size_t iPair){
  return ctNeedleFind(z, n, zNeedle, iPair)!=0;
}

/*
** True if the valid JSON z[0..n) cannot hold a string equal to zNeedle
** (a needle: ctQNeedleSafe() in ct_qeval.c says which texts qualify).  A value equal to the needle after unescaping either contains it
** literally or contains a \u escape (no other escape yields the letters,
** digits and dots of a needle).  A record can also be JSON inside a JSON
** string (a lookup-events item), where its own \u escapes appear as
** "\\u": so any backslash followed by 'u' or by another backslash means the
** needle may be there.  This rejects almost every record before any field
** is located.
*/
int ctNeedleExcluded(const char *z, size_t n, const char *zNeedle, size_t iPair){
  const char *q, *zEnd = z+n;
  if( ctHasNeedle(z, n, zNeedle, iPair) ) return 0;
  for(q=memchr(z, '\\', n); q && q+1<zEnd; q=memchr(q+2, '\\', (size_t)(zEnd-q-2))){
    if( q[1]=='u' || q[1]=='\\' ) return 0;
    if( q+2>=zEnd ) break;
  }
  return 1;
}

