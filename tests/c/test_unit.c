/*
** test_unit.c — C tests for what SQL cannot reach: the JSON validator's
** streaming contract (every prefix of a valid document is INCOMPLETE, never
** an error), its strictness, and the string decoder.  Built with
** -DSQLITE_CORE against the system SQLite; prints "N passed, N failed".
*/
#include <stdio.h>
#include <string.h>
#include "ct_json.h"

static int nPass = 0, nFail = 0;

static void check(int bOk, const char *zWhat, const char *zInput){
  if( bOk ){ nPass++; return; }
  nFail++;
  printf("FAIL: %s: %s\n", zWhat, zInput);
}

/* Valid documents: whole is OK and ends at the end; each strict prefix is
** INCOMPLETE without EOF and an error with EOF. */
static void testValid(const char *z){
  size_t n = strlen(z), i, iEnd = 0;
  CtJsonError e;
  int rc = ct_json_validate(z, n, 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e);
  check(rc==CT_JSON_OK && iEnd==n, "valid document accepted", z);
  for(i=1; i<n; i++){
    /* A prefix that is itself a complete top-level number is fine. */
    int rcA = ct_json_validate(z, i, 0, 0, CT_JSON_MAX_DEPTH, &iEnd, &e);
    int rcB = ct_json_validate(z, i, 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e);
    if( z[0]=='-' || (z[0]>='0' && z[0]<='9') ) continue;
    check(rcA==CT_JSON_INCOMPLETE, "prefix is incomplete", z);
    check(rcB==CT_JSON_ERROR, "prefix at EOF is an error", z);
  }
}

static void testInvalid(const char *z, const char *zWhy){
  size_t iEnd;
  CtJsonError e;
  int rc = ct_json_validate(z, strlen(z), 0, 1, CT_JSON_MAX_DEPTH, &iEnd, &e);
  check(rc==CT_JSON_ERROR && strcmp(e.zWhy, zWhy)==0, zWhy, z);
}

static void testUnescape(const char *zIn, const char *zOut, size_t nOut){
  char aBuf[256];
  size_t n = ct_json_unescape(zIn, strlen(zIn), aBuf);
  check(n==nOut && memcmp(aBuf, zOut, nOut)==0, "unescape", zIn);
}

static void testDepth(void){
  static char aDoc[2*(CT_JSON_MAX_DEPTH+1)+1];
  size_t iEnd;
  CtJsonError e;
  int d;
  for(d=0; d<CT_JSON_MAX_DEPTH; d++){ aDoc[d] = '['; aDoc[CT_JSON_MAX_DEPTH*2-1-d] = ']'; }
  check(ct_json_validate(aDoc, CT_JSON_MAX_DEPTH*2, 0, 1, CT_JSON_MAX_DEPTH,
                         &iEnd, &e)==CT_JSON_OK, "depth at the limit", "[[…]]");
  memmove(aDoc+1, aDoc, CT_JSON_MAX_DEPTH*2);
  aDoc[0] = '[';
  aDoc[CT_JSON_MAX_DEPTH*2+1] = ']';
  check(ct_json_validate(aDoc, CT_JSON_MAX_DEPTH*2+2, 0, 1, CT_JSON_MAX_DEPTH,
                         &iEnd, &e)==CT_JSON_ERROR, "depth over the limit", "[[…]]");
}

static void testLookup(void){
  const char *z = "{\"event.action\":null,\"event\":{\"action\":\"A\"},"
                  "\"aws.cloudtrail\":{\"user_identity.type\":\"T\"}}";
  CtSpan obj = { z, strlen(z) }, v;
  v = ct_json_lookup(obj, "event.action");
  check(v.z && v.n==3 && memcmp(v.z, "\"A\"", 3)==0, "lookup skips null, finds nested", z);
  v = ct_json_lookup(obj, "aws.cloudtrail.user_identity.type");
  check(v.z && v.n==3 && memcmp(v.z, "\"T\"", 3)==0, "lookup mixes dotted and nested", z);
  v = ct_json_lookup(obj, "event.outcome");
  check(v.z==0, "lookup of a missing path", z);
}

int main(void){
  testValid("{\"a\":[1,-2.5e+3,true,false,null,\"x\\\"y\\u00e9\"],\"b\":{}}");
  testValid("[{\"k\":\"\\ud83d\\ude00\"},[],{}]");
  testValid("\"str\\n\"");
  testValid("{ \"sp\" : [ 0 , 0.0 , 1E5 ] }");
  testValid("-12.5e7");
  testInvalid("{\"a\":1,}", "expected a string key");
  testInvalid("[1,]", "expected a JSON value");
  testInvalid("{\"a\" 1}", "expected ':'");
  testInvalid("[01]", "expected ',' or ']'");
  testInvalid("[1.]", "bad number");
  testInvalid("[-]", "bad number");
  testInvalid("[tru]", "expected a JSON value");
  testInvalid("[\"a\tb\"]", "control character in string");
  testInvalid("[\"\\x\"]", "bad escape in string");
  testInvalid("[\"\\u12G4\"]", "bad \\u escape");
  testInvalid("{\"a\":1]", "expected ',' or '}'");
  testInvalid("'single'", "expected a JSON value");
  testUnescape("plain", "plain", 5);
  testUnescape("a\\n\\t\\\"\\\\\\/", "a\n\t\"\\/", 6);
  testUnescape("\\u003a", ":", 1);
  testUnescape("\\u00e9", "\xc3\xa9", 2);
  testUnescape("\\ud83d\\ude00", "\xf0\x9f\x98\x80", 4);
  testUnescape("\\ud800x", "\xef\xbf\xbdx", 4);
  testUnescape("\\ude00", "\xef\xbf\xbd", 3);
  testUnescape("a\\u0000b", "a\0b", 3);
  testDepth();
  testLookup();
  printf("unit: %d passed, %d failed\n", nPass, nFail);
  return nFail!=0;
}
