/*
** test_oom.c — out-of-memory is SQLITE_NOMEM everywhere.  For each SQL
** statement, run it once for reference, then again with the Nth memory
** allocation failing, for N = 1, 2, … until a run no longer reaches the
** failure.  Every run must either give exactly the reference rows or fail
** with SQLITE_NOMEM: never another error, and never other rows (a NULL where
** a value was, a row lost).  Built with -DSQLITE_CORE against the system
** SQLite; prints "oom: N passed, N failed".
**
**   dist/test_oom                         the built-in statements
**   dist/test_oom "SELECT … FROM …" …     these statements instead
**
** Every allocation of SQLite and of the extension goes through SQLite's
** allocator, which this program replaces (SQLITE_CONFIG_MALLOC) with one
** that fails on a countdown.  The statements use threads=0, so that no
** inflate thread allocates behind the countdown's back.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

int sqlite3_cloudtrail_init(sqlite3*, char**, const sqlite3_api_routines*);

static sqlite3_mem_methods gReal;       /* SQLite's own allocator */
static long long gnCountdown = -1;      /* fail when it reaches 0; -1: never */
static int gbFailed;                    /* the failure happened this run */

static void *oomMalloc(int n){
  if( gnCountdown>0 && --gnCountdown==0 ){ gbFailed = 1; return 0; }
  return gReal.xMalloc(n);
}
static void *oomRealloc(void *p, int n){
  if( gnCountdown>0 && --gnCountdown==0 ){ gbFailed = 1; return 0; }
  return gReal.xRealloc(p, n);
}
static void oomFree(void *p){ gReal.xFree(p); }
static int oomSize(void *p){ return gReal.xSize(p); }
static int oomRoundup(int n){ return gReal.xRoundup(n); }
static int oomInit(void *p){ return gReal.xInit(p); }
static void oomShutdown(void *p){ gReal.xShutdown(p); }

static int nPass = 0, nFail = 0;

/* Run zSql to its end on db; *pzOut receives every value, '|' and '\n'
** separated (malloc'd, outside SQLite's allocator).  Returns the last
** step's code (SQLITE_DONE on success). */
static int runSql(sqlite3 *db, const char *zSql, char **pzOut){
  sqlite3_stmt *pStmt = 0;
  size_t n = 0, nAlloc = 1024;
  char *zOut = malloc(nAlloc);
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0), i;
  zOut[0] = 0;
  if( rc==SQLITE_OK ) rc = SQLITE_ROW;
  while( rc==SQLITE_ROW && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const char *z = (const char*)sqlite3_column_text(pStmt, i);
      size_t nz = z ? strlen(z) : 6;
      if( z==0 && sqlite3_errcode(db)==SQLITE_NOMEM ){ rc = SQLITE_NOMEM; break; }
      while( n+nz+2>=nAlloc ){ nAlloc *= 2; zOut = realloc(zOut, nAlloc); }
      memcpy(zOut+n, z ? z : "(null)", nz);
      n += nz;
      zOut[n++] = i+1<sqlite3_column_count(pStmt) ? '|' : '\n';
      zOut[n] = 0;
    }
    if( rc==SQLITE_NOMEM ) break;
  }
  if( rc!=SQLITE_DONE && rc!=SQLITE_NOMEM ) rc = sqlite3_errcode(db);
  sqlite3_finalize(pStmt);
  *pzOut = zOut;
  return rc;
}

/* Sweep one statement; returns the number of failure points tried. */
static int sweep(const char *zSql){
  sqlite3 *db = 0;
  char *zRef = 0, *zOut = 0;
  long long k;
  int rc;
  sqlite3_open(":memory:", &db);
  sqlite3_cloudtrail_init(db, 0, 0);
  rc = runSql(db, zSql, &zRef);
  if( rc!=SQLITE_DONE ){
    nFail++;
    printf("FAIL: the reference run failed (%s): %s\n", sqlite3_errmsg(db), zSql);
    free(zRef);
    sqlite3_close(db);
    return 0;
  }
  for(k=1; ; k++){
    gbFailed = 0;
    gnCountdown = k;
    rc = runSql(db, zSql, &zOut);
    gnCountdown = -1;
    if( !(rc==SQLITE_NOMEM || (rc==SQLITE_DONE && strcmp(zOut, zRef)==0)) ){
      nFail++;
      printf("FAIL: allocation %lld failing: %s%s: %s\n", k,
             rc==SQLITE_DONE ? "other rows" : "error ",
             rc==SQLITE_DONE ? "" : sqlite3_errmsg(db), zSql);
      if( rc==SQLITE_DONE ) printf("  expected:\n%s  got:\n%s", zRef, zOut);
      free(zOut);
      break;
    }
    free(zOut);
    if( !gbFailed ) break;                   /* the run completed: all tried */
  }
  if( k>1 ) nPass++;
  free(zRef);
  sqlite3_close(db);
  return (int)k;
}

/* A raw record for the cloudtrail_ecs() statements: an assumed role
** creating a user (entities, related.*), escapes, a key longer than 32
** bytes with an escape and a number longer than 64 characters (the
** allocations of ct_jvalue.c), duplicate resources. */
#define OOM_REC \
  "'{\"eventVersion\":\"1.09\",\"eventTime\":\"2026-11-20T09:51:20Z\",\"eventSource\":\"iam.amazonaws." \
  "com\",\"eventName\":\"CreateUser\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"203.0.113.9\",\"u" \
  "serAgent\":\"aws-cli/2\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAX:i-012345" \
  "6789abcdef0\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/Admin/bob@example.com\",\"accou" \
  "ntId\":\"111122223333\",\"accessKeyId\":\"ASIAEXAMPLE\",\"sessionContext\":{\"sessionIssuer\":{\"typ" \
  "e\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/Admin\",\"userName\":\"Admin\"},\"attributes\":" \
  "{\"creationDate\":\"2026-11-20T09:00:00Z\",\"mfaAuthenticated\":\"false\"}}},\"requestParameters\"" \
  ":{\"userName\":\"al\\u0069ce\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"},null,\"-\"],\"a\":{\"b\":1.50,\"c\":[t" \
  "rue,false]},\"a_key_longer_than_thirty_two_bytes_\\u0041\":1.000000000000000000000000000000" \
  "000000000000000000000000000000000001,\"instanceId\":\"i-0123456789abcdef0\"},\"responseElemen" \
  "ts\":{\"user\":{\"userName\":\"alice\",\"userId\":\"AIDAX\",\"arn\":\"arn:aws:iam::111122223333:user/a" \
  "lice\"}},\"additionalEventData\":{\"x\":\"y\"},\"resources\":[{\"ARN\":\"arn:aws:ec2:us-east-1:11112" \
  "2223333:instance/i-0123456789abcdef0\",\"accountId\":\"111122223333\",\"type\":\"AWS::EC2::Insta" \
  "nce\"},{\"ARN\":\"arn:aws:iam::111122223333:user/alice\",\"type\":\"AWS::IAM::User\"},{\"ARN\":\"arn" \
  ":aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0\",\"accountId\":\"111122223333\"" \
  ",\"type\":\"AWS::EC2::Instance\"}],\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"clientProvidedHostH" \
  "eader\":\"example.org\"},\"recipientAccountId\":\"111122223333\"}'"

static const char *const azDefault[] = {
  /* the ATT&CK reference URLs (were NULL on out-of-memory) */
  "SELECT tactic_reference, technique_reference, subtechnique_reference"
  "  FROM mitre_tags('ec2_console_login')",
  /* first/last_event_time (an unchecked copy) and the notes of files that
  ** are not CloudTrail */
  "SELECT file, format, records, first_event_time, last_event_time, error, note"
  "  FROM cloudtrail_files('fixtures/formats', 'threads=0')",
  "SELECT file, format, records, error, note"
  "  FROM cloudtrail_files('fixtures/messy', 'threads=0')",
  "SELECT file, format, records, error FROM cloudtrail_files('fixtures/bad', 'threads=0')",
  "SELECT count(*), sum(length(raw)) FROM cloudtrail('fixtures/messy', 'errors=skip, quiet=1, threads=0')",
  "SELECT event_time, event_name, principal_id, outcome FROM cloudtrail('fixtures/time', 'threads=0')"
  " WHERE event_time >= '2024-05-01 05:00:00' AND event_time IN ('2024-05-01T05:00:00Z', '2024-05-01T07:00:00+02:00')",
  "SELECT file, canonical, size, error, note FROM cloudtrail_ls('fixtures/tree')",
  "SELECT cloudtrail_time('2023-07-10T18:00:00.250+02:00'), cloudtrail_value('{\"a\":{\"b\":\"c\\u0041\"}}', 'a.b')",
  /* cloudtrail_ecs(): the whole document; paths (fields, lists, the entity
  ** script, resources, an object below a prefix, a path into a flattened
  ** object); options; a duplicate key (escaped); an Elastic document; the
  ** cloudtrail table's raw column (validated subtype) and ecs column */
  "SELECT cloudtrail_ecs(" OOM_REC ")",
  "SELECT cloudtrail_ecs(" OOM_REC ", 'user.name'), cloudtrail_ecs(" OOM_REC ", 'related.entity'),"
  " cloudtrail_ecs(" OOM_REC ", 'aws.cloudtrail.resources'), cloudtrail_ecs(" OOM_REC ", 'related.hosts')",
  "SELECT cloudtrail_ecs(" OOM_REC ", 'aws.cloudtrail.request_parameters'),"
  " cloudtrail_ecs(" OOM_REC ", 'aws.cloudtrail.flattened.request_parameters.a'),"
  " cloudtrail_ecs(" OOM_REC ", 'source'), cloudtrail_ecs(" OOM_REC ", 'related.user'),"
  " cloudtrail_ecs(" OOM_REC ", 'event.kind')",
  "SELECT cloudtrail_ecs(" OOM_REC ", NULL, 'pipeline=9.0.0 retain=minimal'),"
  " cloudtrail_ecs(" OOM_REC ", 'target.entity.id', 'pipeline=9.0.0')",
  "SELECT cloudtrail_ecs('{\"eventName\":\"X\",\"requestParameters\":{\"k\\u0065y_longer_than_the_short_buffer_of_32\":1,\"key_longer_than_the_short_buffer_of_32\":2}}'), cloudtrail_ecs('{\"eventName\":\"X\",\"requestParameters\":{\"k\\u0065y_longer_than_the_short_buffer_of_32\":1,\"key_longer_than_the_short_buffer_of_32\":2}}', 'error.message')",
  "SELECT cloudtrail_ecs('{\"_index\":\"logs-aws.cloudtrail-default\",\"_id\":\"1\",\"_source\":{\"event.action\":\"X\",\"event\":{\"id\":\"1\"},\"user\":{\"name\":\"u\",\"id\":[\"a\",\"b\"]},\"aws.cloudtrail.flattened.request_parameters\":{\"a\":{\"b\":1}}}}'),"
  " cloudtrail_ecs('{\"_index\":\"logs-aws.cloudtrail-default\",\"_id\":\"1\",\"_source\":{\"event.action\":\"X\",\"event\":{\"id\":\"1\"},\"user\":{\"name\":\"u\",\"id\":[\"a\",\"b\"]},\"aws.cloudtrail.flattened.request_parameters\":{\"a\":{\"b\":1}}}}', 'user.id'),"
  " cloudtrail_ecs('{\"_index\":\"logs-aws.cloudtrail-default\",\"_id\":\"1\",\"_source\":{\"event.action\":\"X\",\"event\":{\"id\":\"1\"},\"user\":{\"name\":\"u\",\"id\":[\"a\",\"b\"]},\"aws.cloudtrail.flattened.request_parameters\":{\"a\":{\"b\":1}}}}', 'aws.cloudtrail.flattened.request_parameters.a')",
  "SELECT cloudtrail_ecs(raw), cloudtrail_ecs(raw, 'related.entity'), ecs"
  "  FROM cloudtrail('fixtures/formats/records-pretty.json', 'threads=0')",
  /* elastic_rules(): every form and reason, the parsers' messages, the
  ** minified JSON columns */
  "SELECT * FROM elastic_rules('fixtures/rules')",
  "SELECT rule_id, why_unsupported, threat FROM elastic_rules('fixtures/rules/**/*.json')",
  /* kql_match() and eql_match(): compiling (slots, regex, needle), mapping
  ** fields of a raw record, flattened leaves, text tokens, functions; an
  ** Elastic search hit; the cloudtrail table's raw column */
  "SELECT kql_match('event.action: ConsoleLogin and not user.name: adm* and source.ip: 203.0.113.0/24"
  " and aws.cloudtrail.flattened.request_parameters: * and @timestamp >= \"2000-01-01\"', " OOM_REC "),"
  " kql_match('related.user: alice or tls.version: 1.3', " OOM_REC ")",
  "SELECT eql_match('iam where stringContains~(aws.cloudtrail.request_parameters, \"x\")"
  " or event.action regex~ \"console.*\" or concat(user.name, \"-\", length(event.action)) : \"a*\""
  " or between(source.ip, \".\", \".\") in (\"0\", \"113\")', " OOM_REC "),"
  " eql_match('change where cidrMatch(source.ip, \"10.0.0.0/8\")', " OOM_REC ", 'event.type')",
  "SELECT kql_match('message: \"sign in\" and event.dataset: aws.cloudtrail',"
  " '{\"_index\":\"logs-aws.cloudtrail-default\",\"_id\":\"1\",\"_source\":{\"message\":\"Sign in ok\",\"event\":{\"dataset\":\"aws.cloudtrail\"}}}')",
  "SELECT kql_match('event.action: *', raw), eql_match('any where event.provider : \"*.amazonaws.com\"', raw)"
  "  FROM cloudtrail('fixtures/formats/records-pretty.json', 'threads=0')",  /* cloudtrail_detect(): every rule kind of fixtures/detect over one demo
  ** log (a query, an eql, a threshold and a sequence alert; the clock from
  ** the delivery stamp), and the wrapped formats with a reader option */
  "SELECT rule_id, event_time, event_id, record_index, run_end, group_key, group_count, sequence"
  "  FROM cloudtrail_detect('fixtures/demo/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/"
  "111122223333_CloudTrail_us-east-1_20261120T0934Z_8wqGkGou2Mlrwu5V.json.gz', 'fixtures/detect', 'time=delivery')",
  "SELECT rule_id, file, record_index, event_id, cardinality, new_terms"
  "  FROM cloudtrail_detect('fixtures/formats', 'fixtures/detect', 'errors=skip, threads=0')",
  /* mitre_tags() of the rules loaded in this statement, and of a threat
  ** array (a subtechnique, a bare technique, a bare tactic) */
  "SELECT a.rule_id, m.* FROM elastic_rules('fixtures/rules') AS a, mitre_tags(a.rule_id) AS m",
  "SELECT * FROM mitre_tags('[{\"tactic\":{\"id\":\"TA0004\",\"name\":\"x\"},"
  "\"technique\":[{\"id\":\"T1098\",\"subtechnique\":[{\"id\":\"T1098.001\"}]},{\"id\":\"T1078\"}]},"
  "{\"tactic\":{\"id\":\"TA0003\"}}]')",
};

int main(int argc, char **argv){
  static sqlite3_mem_methods oom = { oomMalloc, oomFree, oomRealloc, oomSize,
                                     oomRoundup, oomInit, oomShutdown, 0 };
  int i, nTried = 0;
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &gReal);
  sqlite3_config(SQLITE_CONFIG_MALLOC, &oom);
  sqlite3_config(SQLITE_CONFIG_LOG, 0, 0);
  if( argc>1 ){
    for(i=1; i<argc; i++) nTried += sweep(argv[i]);
  }else{
    for(i=0; i<(int)(sizeof(azDefault)/sizeof(azDefault[0])); i++) nTried += sweep(azDefault[i]);
  }
  printf("oom: %d passed, %d failed (%d allocation failures tried)\n", nPass, nFail, nTried);
  return nFail!=0;
}
