/*
** ct_erules.c — Elastic detection rules from Kibana's JSON forms: the
** loader behind cloudtrail_detect (ctERulesLoad()) and the table
** elastic_rules(PATH) that lists what it read.
**
**   SELECT rule_id, name, type, language, supported, why_unsupported
**     FROM elastic_rules('fixtures/rules') ORDER BY file, line;
**   SELECT type, supported, count(*) FROM elastic_rules('rules.ndjson')
**    GROUP BY 1, 2;
**
** Every file below PATH gives at least one row: a rule per rule object
** (a prebuilt-package file {"id":…,"type":"security-rule","attributes":
** {…}}, a bare rule object, a JSON array of either, or one per line of a
** Kibana .ndjson export), and a row with supported=0 and the reason for
** anything else: an export's summary line, a detection-rules .toml file
** (convert it with tools/elastic-rules-ndjson), text that is not JSON
** (with the offset), JSON that is not a rule.  Nothing is skipped but
** blank NDJSON lines.  A rule is supported when its type and language are
** ones cloudtrail_detect runs, its schedule reads, and its query parses
** (ctKqlParse/ctEqlParse, ct_query.h).  docs/elastic_rules.md lists every
** default and every reason.
**
** The table reads files, so it is not innocuous and not registered by
** sqlite3_cloudtrail_nofs_init().
*/
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include "ct_erules.h"
#include "ct_qeval.h"
#include "ct_json.h"
#include "ct_module.h"
#include "ct_options.h"
#include "ct_walk.h"

/* Largest rule file read.  Kibana's whole prebuilt package as one NDJSON
** export is a few tens of MB; a bigger file is listed, not read (the
** table lowers this to SQLITE_LIMIT_LENGTH when that is smaller). */
#define CT_ER_MAX_FILE ((sqlite3_int64)256*1024*1024)

/* Kibana's defaults for a rule that leaves these out. */
#define CT_ER_DEFAULT_INTERVAL    "5m"
#define CT_ER_DEFAULT_FROM        "now-6m"
#define CT_ER_DEFAULT_MAX_SIGNALS 100

/* Digits read in a duration: 9 keep n*86400000 far inside 64 bits. */
#define CT_ER_MAX_DURATION_DIGITS 9

/* The command a .toml file's reason names. */
#define CT_ER_TOOL "tools/elastic-rules-ndjson"

/* ------------------------------------------------------------- the set */

/* A load in progress. */
typedef struct CtLoad CtLoad;
struct CtLoad {
  CtERuleSet *pSet;
  int nAlloc;               /* entries allocated in pSet->a */
  const CtOwnDb *pOwn;      /* the connection's database files, or 0 */
  sqlite3_int64 nMax;       /* largest file read */
};

static void ctERuleClear(CtERule *p){
  char **az[] = { &p->zFile, &p->zRuleId, &p->zName, &p->zType,
    &p->zLanguage, &p->zQuery, &p->zIndex, &p->zSeverity, &p->zInterval,
    &p->zFrom, &p->zCategoryOverride, &p->zTimestampOverride,
    &p->zThreshold, &p->zNewTermsFields, &p->zHistoryWindowStart,
    &p->zThreat, &p->zTags, &p->zWhy };
  size_t k;
  for(k=0; k<sizeof(az)/sizeof(az[0]); k++) sqlite3_free(*az[k]);
  ctQueryFree(p->pQuery);
  memset(p, 0, sizeof(*p));
}

void ctERulesFree(CtERuleSet *pSet){
  int i;
  if( pSet==0 ) return;
  for(i=0; i<pSet->n; i++) ctERuleClear(&pSet->a[i]);
  sqlite3_free(pSet->a);
  sqlite3_free(pSet);
}

/* A new entry for zFile, line iLine, with every number absent; valid until
** the next ctAdd().  0 when out of memory. */
static CtERule *ctAdd(CtLoad *L, const char *zFile, int iLine){
  CtERuleSet *s = L->pSet;
  CtERule *p;
  if( s->n==L->nAlloc ){
    int nNew = L->nAlloc ? L->nAlloc*2 : 16;
    CtERule *aNew = sqlite3_realloc64(s->a, (sqlite3_uint64)nNew*sizeof(CtERule));
    if( aNew==0 ) return 0;
    s->a = aNew;
    L->nAlloc = nNew;
  }
  p = &s->a[s->n];
  memset(p, 0, sizeof(*p));
  p->zFile = sqlite3_mprintf("%s", zFile);
  if( p->zFile==0 ) return 0;
  s->n++;
  p->iLine = iLine;
  p->iVersion = p->iRiskScore = p->nMaxSignals = -1;
  return p;
}

/* Mark p unsupported with the reason zFmt…, unless it has one already
** (the first problem found is the one told).  SQLITE_OK or SQLITE_NOMEM. */
static int ctWhy(CtERule *p, const char *zFmt, ...){
  va_list ap;
  p->bSupported = 0;
  if( p->zWhy ) return SQLITE_OK;
  va_start(ap, zFmt);
  p->zWhy = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return p->zWhy ? SQLITE_OK : SQLITE_NOMEM;
}

/* An entry that is no rule: zFile, iLine and the reason zFmt… only.
** SQLITE_OK or SQLITE_NOMEM. */
static int ctNote(CtLoad *L, const char *zFile, int iLine, const char *zFmt, ...){
  va_list ap;
  CtERule *p = ctAdd(L, zFile, iLine);
  if( p==0 ) return SQLITE_NOMEM;
  va_start(ap, zFmt);
  p->zWhy = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return p->zWhy ? SQLITE_OK : SQLITE_NOMEM;
}

/* ------------------------------------------------------- JSON helpers */

/* The value of the first member zKey of the validated object obj; absent
** (z 0) when there is none or it is null, as Kibana treats null. */
static CtSpan ctObjGet(CtSpan obj, const char *zKey){
  CtSpan key, val, none = {0, 0};
  size_t i = 1, nKey = strlen(zKey);
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    if( ct_json_key_eq(key, zKey, nKey) ){
      return ct_json_is_null(val) ? none : val;
    }
  }
  return none;
}

/* What kind of JSON value v is, in words. */
static const char *ctJsonKind(CtSpan v){
  switch( v.z[0] ){
    case '{': return "object";
    case '[': return "array";
    case '"': return "string";
    case 't': case 'f': return "boolean";
    case 'n': return "null";
    default:  return "number";
  }
}

/* The decoded text of the JSON string v, NUL-terminated, in *pz; *pbNul
** set when it holds a NUL character.  SQLITE_OK or SQLITE_NOMEM. */
static int ctStrDup(CtSpan v, char **pz, int *pbNul){
  size_t n;
  char *z = sqlite3_malloc64(v.n);
  if( z==0 ) return SQLITE_NOMEM;
  n = ct_json_unescape(v.z+1, v.n-2, z);
  z[n] = 0;
  *pbNul = memchr(z, 0, n)!=0;
  *pz = z;
  return SQLITE_OK;
}

/* The validated JSON value v without the whitespace between its tokens,
** so a pretty-printed file and a one-line export give the same text.
** 0 when out of memory. */
static char *ctMinify(CtSpan v){
  char *z = sqlite3_malloc64(v.n+1);
  size_t i = 0, o = 0;
  if( z==0 ) return 0;
  while( i<v.n ){
    if( v.z[i]=='"' ){
      size_t iEnd = i+1;
      while( iEnd<v.n && v.z[iEnd]!='"' ) iEnd += v.z[iEnd]=='\\' ? 2 : 1;
      if( iEnd<v.n ) iEnd++;
      memcpy(z+o, v.z+i, iEnd-i);
      o += iEnd-i;
      i = iEnd;
    }else if( CT_JSON_IS_WS(v.z[i]) ){
      i++;
    }else{
      z[o++] = v.z[i++];
    }
  }
  z[o] = 0;
  return z;
}

/* The JSON number v as an int in *pi; 0 if it is no integer or does not
** fit one. */
static int ctJsonInt(CtSpan v, int *pi){
  sqlite3_int64 x = 0;
  size_t k = v.z[0]=='-';
  if( k>=v.n ) return 0;
  for(; k<v.n; k++){
    if( v.z[k]<'0' || v.z[k]>'9' ) return 0;
    x = x*10 + (v.z[k]-'0');
    if( x>0x7fffffff ) return 0;
  }
  *pi = (int)(v.z[0]=='-' ? -x : x);
  return 1;
}

/* ------------------------------------------------------ rule fields */

/* How a Kibana rule field is kept. */
#define CT_RF_STR    1   /* a string, decoded */
#define CT_RF_ARRAY  2   /* an array, as minified JSON text */
#define CT_RF_OBJECT 3   /* an object, as minified JSON text */
#define CT_RF_INT    4   /* an integer */

typedef struct CtRuleField CtRuleField;
struct CtRuleField {
  const char *zKey;        /* Kibana's attribute name */
  int eKind;               /* CT_RF_* */
  size_t iOff;             /* where CtERule keeps it */
};

#define CT_RF(KEY, KIND, MEMBER) \
  { .zKey = KEY, .eKind = KIND, .iOff = offsetof(CtERule, MEMBER) }
static const CtRuleField aRuleField[] = {
  CT_RF("rule_id", CT_RF_STR, zRuleId),
  CT_RF("version", CT_RF_INT, iVersion),
  CT_RF("name", CT_RF_STR, zName),
  CT_RF("type", CT_RF_STR, zType),
  CT_RF("language", CT_RF_STR, zLanguage),
  CT_RF("query", CT_RF_STR, zQuery),
  CT_RF("index", CT_RF_ARRAY, zIndex),
  CT_RF("severity", CT_RF_STR, zSeverity),
  CT_RF("risk_score", CT_RF_INT, iRiskScore),
  CT_RF("interval", CT_RF_STR, zInterval),
  CT_RF("from", CT_RF_STR, zFrom),
  CT_RF("max_signals", CT_RF_INT, nMaxSignals),
  CT_RF("event_category_override", CT_RF_STR, zCategoryOverride),
  CT_RF("timestamp_override", CT_RF_STR, zTimestampOverride),
  CT_RF("threshold", CT_RF_OBJECT, zThreshold),
  CT_RF("new_terms_fields", CT_RF_ARRAY, zNewTermsFields),
  CT_RF("history_window_start", CT_RF_STR, zHistoryWindowStart),
  CT_RF("threat", CT_RF_ARRAY, zThreat),
  CT_RF("tags", CT_RF_ARRAY, zTags),
};

static const char *ctKindName(int eKind){
  switch( eKind ){
    case CT_RF_STR:   return "a string";
    case CT_RF_ARRAY: return "an array";
    case CT_RF_OBJECT: return "an object";
    default:          return "an integer";
  }
}

/* Read field f of rule object obj into p.  A value of another JSON type
** makes p unsupported, naming the field.  SQLITE_OK or SQLITE_NOMEM. */
static int ctReadField(CtERule *p, CtSpan obj, const CtRuleField *f){
  CtSpan v = ctObjGet(obj, f->zKey);
  char **pz = (char**)((char*)p + f->iOff);
  int bNul = 0;
  if( v.z==0 ) return SQLITE_OK;
  switch( f->eKind ){
    case CT_RF_STR:
      if( v.z[0]!='"' ) break;
      if( ctStrDup(v, pz, &bNul) ) return SQLITE_NOMEM;
      if( bNul ) return ctWhy(p, "field %s holds a NUL character", f->zKey);
      return SQLITE_OK;
    case CT_RF_ARRAY:
    case CT_RF_OBJECT:
      if( v.z[0]!=(f->eKind==CT_RF_ARRAY ? '[' : '{') ) break;
      *pz = ctMinify(v);
      return *pz ? SQLITE_OK : SQLITE_NOMEM;
    case CT_RF_INT:
      if( ctJsonInt(v, (int*)((char*)p + f->iOff)) ) return SQLITE_OK;
      if( v.z[0]=='-' || (v.z[0]>='0' && v.z[0]<='9') ){
        return ctWhy(p, "field %s is not an integer that fits 32 bits", f->zKey);
      }
      break;
  }
  return ctWhy(p, "field %s is %s %s, not %s", f->zKey,
               v.z[0]=='{' || v.z[0]=='[' ? "an" : "a", ctJsonKind(v),
               ctKindName(f->eKind));
}

/* Replace an absent *pz by a copy of zDefault.  SQLITE_NOMEM. */
static int ctDefault(char **pz, const char *zDefault){
  if( *pz ) return SQLITE_OK;
  *pz = sqlite3_mprintf("%s", zDefault);
  return *pz ? SQLITE_OK : SQLITE_NOMEM;
}

/* --------------------------------------------------------- schedule */

/*
** The duration z ("5m", "90s", "1h", "7d": a positive count and one of
** the units s m h d, as Kibana's date math writes them) in ms in *pMs.
** 0 if z is not one.
*/
static int ctDuration(const char *z, sqlite3_int64 *pMs){
  sqlite3_int64 n = 0;
  int k;
  for(k=0; z[k]>='0' && z[k]<='9'; k++){
    if( k>=CT_ER_MAX_DURATION_DIGITS ) return 0;
    n = n*10 + (z[k]-'0');
  }
  if( k==0 || n==0 || z[k]==0 || z[k+1]!=0 ) return 0;
  switch( z[k] ){
    case 's': *pMs = n*1000; return 1;
    case 'm': *pMs = n*60000; return 1;
    case 'h': *pMs = n*3600000; return 1;
    case 'd': *pMs = n*86400000; return 1;
  }
  return 0;
}

/* The date-math start "now-<duration>" z as a duration back from now. */
static int ctNowMinus(const char *z, sqlite3_int64 *pMs){
  return strncmp(z, "now-", 4)==0 && ctDuration(z+4, pMs);
}

/* interval, from and (new_terms) history_window_start.  SQLITE_NOMEM. */
static int ctSchedule(CtERule *p){
  if( !ctDuration(p->zInterval, &p->iIntervalMs) ){
    p->iIntervalMs = 0;
    return ctWhy(p, "cannot read interval '%s': expected a number and one "
                 "of s m h d, like 5m", p->zInterval);
  }
  if( !ctNowMinus(p->zFrom, &p->iLookbackMs) ){
    p->iLookbackMs = 0;
    return ctWhy(p, "cannot read from '%s': expected now- and a duration, "
                 "like now-6m", p->zFrom);
  }
  if( p->zHistoryWindowStart
   && !ctNowMinus(p->zHistoryWindowStart, &p->iHistoryMs) ){
    p->iHistoryMs = 0;
    return ctWhy(p, "cannot read history_window_start '%s': expected now- "
                 "and a duration, like now-7d", p->zHistoryWindowStart);
  }
  return SQLITE_OK;
}

/* ----------------------------------------------------------- judging */

/* What each rule type needs: its query language when it has none, the
** language it must be, or why it cannot run (zWhy). */
typedef struct CtRuleType CtRuleType;
struct CtRuleType {
  const char *zType;
  const char *zLanguage;   /* the default and only language; 0: not run */
  const char *zWhy;        /* why a type that is not run is not */
};
static const CtRuleType aRuleType[] = {
  { .zType = "query",     .zLanguage = "kuery" },
  { .zType = "eql",       .zLanguage = "eql" },
  { .zType = "threshold", .zLanguage = "kuery" },
  { .zType = "new_terms", .zLanguage = "kuery" },
  { .zType = "esql", .zWhy = "esql rules are not supported" },
  { .zType = "machine_learning",
    .zWhy = "machine_learning rules need Elastic's anomaly jobs" },
  { .zType = "threat_match",
    .zWhy = "threat_match rules need an indicator index" },
  { .zType = "saved_query",
    .zWhy = "saved_query rules are not supported: their query is saved in Kibana" },
};

/* The type-specific parameters of threshold and new_terms rules. */
static int ctTypeParams(CtERule *p){
  if( strcmp(p->zType, "threshold")==0 ){
    CtSpan t, v;
    int n;
    if( p->zThreshold==0 ) return ctWhy(p, "threshold rule without threshold");
    t.z = p->zThreshold;
    t.n = strlen(t.z);
    v = ctObjGet(t, "value");
    if( v.z==0 || !ctJsonInt(v, &n) || n<1 ){
      return ctWhy(p, "threshold.value is not a positive integer");
    }
  }else if( strcmp(p->zType, "new_terms")==0 ){
    if( p->zNewTermsFields==0 || strcmp(p->zNewTermsFields, "[]")==0 ){
      return ctWhy(p, "new_terms rule without new_terms_fields");
    }
    if( p->zHistoryWindowStart==0 ){
      return ctWhy(p, "new_terms rule without history_window_start");
    }
  }
  return SQLITE_OK;
}

/* The evaluator accepts the parsed query: its literals suit their fields'
** types (ct_qeval.c).  SQLITE_ERROR with *pzErr saying why. */
static int ctCompiles(CtERule *p, char **pzErr){
  static const CtEcsConf def = { .eGen = CT_ECS_PREVIOUS };
  CtQProg *pProg = 0;
  int iRule, rc = ctQProgNew(&def, &pProg);
  if( rc==SQLITE_OK ) rc = ctQProgAdd(pProg, p->pQuery, p->zCategoryOverride, &iRule, pzErr);
  ctQProgFree(pProg);
  return rc;
}

/* Parse the query with the language's parser and compile it; the error is
** the reason. */
static int ctParse(CtERule *p){
  char *zErr = 0;
  int rc;
  const char *zQuery = p->zQuery ? p->zQuery : "";
  if( strcmp(p->zLanguage, "eql")==0 ){
    if( p->zQuery==0 ) return ctWhy(p, "eql rule without query");
    rc = ctEqlParse(zQuery, &p->pQuery, &zErr);
  }else{
    /* Kibana's default query is "": every document. */
    rc = ctKqlParse(zQuery, &p->pQuery, &zErr);
  }
  if( rc==SQLITE_OK ) rc = ctCompiles(p, &zErr);
  if( rc==SQLITE_OK ) return SQLITE_OK;
  ctQueryFree(p->pQuery);
  p->pQuery = 0;
  if( rc==SQLITE_NOMEM || zErr==0 ){ sqlite3_free(zErr); return SQLITE_NOMEM; }
  p->bSupported = 0;
  if( p->zWhy ) sqlite3_free(zErr);
  else p->zWhy = zErr;
  return SQLITE_OK;
}

/* Decide whether p can run; sets bSupported, zWhy, pQuery.  SQLITE_NOMEM. */
static int ctJudge(CtERule *p){
  const CtRuleType *t = 0;
  size_t k;
  int rc;
  if( p->zType==0 ) return ctWhy(p, "rule without type");
  for(k=0; k<sizeof(aRuleType)/sizeof(aRuleType[0]) && t==0; k++){
    if( strcmp(p->zType, aRuleType[k].zType)==0 ) t = &aRuleType[k];
  }
  if( t==0 ) return ctWhy(p, "rule type '%s' is not supported", p->zType);
  if( t->zWhy ) return ctWhy(p, "%s", t->zWhy);
  if( ctDefault(&p->zLanguage, t->zLanguage) ) return SQLITE_NOMEM;
  if( strcmp(p->zLanguage, "lucene")==0 ){
    return ctWhy(p, "lucene queries are not supported");
  }
  if( strcmp(p->zLanguage, t->zLanguage)!=0 ){
    return ctWhy(p, "language '%s' is not supported in %s rules",
                 p->zLanguage, p->zType);
  }
  if( p->nMaxSignals<1 ) return ctWhy(p, "max_signals is not a positive integer");
  if( (rc = ctSchedule(p))!=SQLITE_OK || p->zWhy ) return rc;
  if( (rc = ctTypeParams(p))!=SQLITE_OK || p->zWhy ) return rc;
  p->bSupported = 1;
  return ctParse(p);
}

/* Read the rule fields of obj into p and judge it.  SQLITE_NOMEM. */
static int ctReadRule(CtERule *p, CtSpan obj){
  size_t k;
  for(k=0; k<sizeof(aRuleField)/sizeof(aRuleField[0]); k++){
    if( ctReadField(p, obj, &aRuleField[k]) ) return SQLITE_NOMEM;
  }
  if( ctDefault(&p->zInterval, CT_ER_DEFAULT_INTERVAL)
   || ctDefault(&p->zFrom, CT_ER_DEFAULT_FROM) ){
    return SQLITE_NOMEM;
  }
  if( p->nMaxSignals==-1 ) p->nMaxSignals = CT_ER_DEFAULT_MAX_SIGNALS;
  if( p->zWhy ) return SQLITE_OK;
  return ctJudge(p);
}

/* ------------------------------------------------------ JSON values */

/* True for the last line of a Kibana export: counts, no rule
** ({"exported_count":3,"missing_rules":[],…}). */
static int ctIsSummary(CtSpan obj){
  CtSpan key, val;
  size_t i = 1;
  while( ct_json_next_member(obj.z, obj.n, &i, &key, &val) ){
    if( (key.n>9 && memcmp(key.z, "exported_", 9)==0)
     || (key.n>8 && memcmp(key.z, "missing_", 8)==0) ) return 1;
  }
  return 0;
}

/* One object: a package file's saved object, a bare rule, an export
** summary, or something else.  SQLITE_NOMEM. */
static int ctLoadObject(CtLoad *L, CtSpan obj, const char *zFile, int iLine){
  CtSpan attr = ctObjGet(obj, "attributes");
  CtERule *p;
  if( ctObjGet(obj, "rule_id").z==0 && attr.z && attr.z[0]=='{' ){
    if( ctObjGet(attr, "rule_id").z==0 ){
      return ctNote(L, zFile, iLine, "not a rule: attributes without rule_id");
    }
    obj = attr;
  }else if( ctObjGet(obj, "rule_id").z==0 ){
    return ctNote(L, zFile, iLine, "%s", ctIsSummary(obj)
        ? "export summary, not a rule"
        : "not a rule: a JSON object without rule_id");
  }
  p = ctAdd(L, zFile, iLine);
  if( p==0 ) return SQLITE_NOMEM;
  return ctReadRule(p, obj);
}

/* One top-level JSON value v (validated) of a file or NDJSON line. */
static int ctLoadValue(CtLoad *L, CtSpan v, const char *zFile, int iLine){
  CtSpan el;
  size_t i = 1;
  int nEl = 0, rc = SQLITE_OK;
  if( v.z[0]=='{' ) return ctLoadObject(L, v, zFile, iLine);
  if( v.z[0]!='[' ){
    return ctNote(L, zFile, iLine, "not a rule: a JSON %s", ctJsonKind(v));
  }
  while( rc==SQLITE_OK && ct_json_next_element(v.z, v.n, &i, &el) ){
    nEl++;
    if( el.z[0]=='{' ){
      rc = ctLoadObject(L, el, zFile, iLine);
    }else{
      rc = ctNote(L, zFile, iLine, "not a rule: array element %d is a JSON %s",
                  nEl, ctJsonKind(el));
    }
  }
  if( rc==SQLITE_OK && nEl==0 ){
    rc = ctNote(L, zFile, iLine, "an empty JSON array, no rule");
  }
  return rc;
}

/* Validate z[i..n) as one JSON value followed by whitespace only, then
** load it; text that is not is listed with its offset (iBase added, so
** an NDJSON line names its offset in the file). */
static int ctLoadText(CtLoad *L, const char *z, size_t i, size_t n,
                      const char *zFile, int iLine){
  CtJsonError err;
  size_t iEnd = 0;
  CtSpan v;
  memset(&err, 0, sizeof(err));
  if( ct_json_validate(z, n, i, 1, CT_JSON_MAX_DEPTH, &iEnd, &err)!=CT_JSON_OK ){
    return ctNote(L, zFile, iLine, "invalid JSON at offset %lld: %s",
                  (sqlite3_int64)err.iOff, err.zWhy);
  }
  if( ct_json_skip_ws(z, n, iEnd)<n ){
    iEnd = ct_json_skip_ws(z, n, iEnd);
    return ctNote(L, zFile, iLine, "invalid JSON at offset %lld: text after "
                  "the value%s", (sqlite3_int64)iEnd, iLine ? ""
                  : " (an NDJSON export must be named .ndjson)");
  }
  i = ct_json_skip_ws(z, n, i);
  v.z = z+i;
  v.n = iEnd-i;
  return ctLoadValue(L, v, zFile, iLine);
}

/* ------------------------------------------------------------- files */

/* True if zFile's name ends with zExt. */
static int ctHasExt(const char *zFile, const char *zExt){
  size_t n = strlen(zFile), nExt = strlen(zExt);
  return n>nExt && sqlite3_stricmp(zFile+n-nExt, zExt)==0;
}

/* The bytes of zFile in *pz (NUL-terminated), *pn; a file larger than
** L->nMax or one that cannot be read is listed instead (*pz 0).
** SQLITE_OK or SQLITE_NOMEM. */
static int ctReadAll(CtLoad *L, const char *zFile, char **pz, size_t *pn){
  FILE *in = fopen(zFile, "rb");
  struct stat st;
  char *z;
  size_t n;
  int e;
  *pz = 0;
  if( in==0 ){
    e = errno;
    return ctNote(L, zFile, 0, "cannot open: %s", strerror(e));
  }
  if( fstat(fileno(in), &st)!=0 || st.st_size>L->nMax ){
    fclose(in);
    return ctNote(L, zFile, 0, "file larger than %lld bytes, not read", L->nMax);
  }
  z = sqlite3_malloc64((sqlite3_uint64)st.st_size+1);
  if( z==0 ){ fclose(in); return SQLITE_NOMEM; }
  n = fread(z, 1, (size_t)st.st_size, in);
  e = ferror(in) ? errno : 0;
  fclose(in);
  if( e ){
    sqlite3_free(z);
    return ctNote(L, zFile, 0, "cannot read: %s", strerror(e));
  }
  z[n] = 0;
  *pz = z;
  *pn = n;
  return SQLITE_OK;
}

/* A UTF-8 byte order mark is skipped, as Windows tools write one. */
static size_t ctSkipBom(const char *z, size_t n){
  return n>=3 && memcmp(z, "\xEF\xBB\xBF", 3)==0 ? 3 : 0;
}

/* A Kibana .ndjson export: each non-blank line is one value. */
static int ctLoadLines(CtLoad *L, const char *z, size_t n, const char *zFile){
  size_t i = ctSkipBom(z, n);
  int iLine = 0, rc = SQLITE_OK;
  while( rc==SQLITE_OK && i<n ){
    const char *zNl = memchr(z+i, '\n', n-i);
    size_t iEnd = zNl ? (size_t)(zNl-z) : n;
    iLine++;
    if( ct_json_skip_ws(z, iEnd, i)<iEnd ){
      rc = ctLoadText(L, z, i, iEnd, zFile, iLine);
    }
    i = iEnd+1;
  }
  return rc;
}

/* Everything one file of the walk gives. */
static int ctLoadFile(CtLoad *L, const char *zFile, const char *zFileErr,
                      const struct stat *pSt){
  const char *zSchema = 0;
  char *z = 0;
  size_t n = 0;
  int rc;
  if( zFileErr ) return ctNote(L, zFile, 0, "%s", zFileErr);
  if( ctOwnDbKind(L->pOwn, zFile, pSt, &zSchema) ){
    return ctNote(L, zFile, 0, "this connection's database '%s', not read",
                  zSchema);
  }
  if( ctHasExt(zFile, ".toml") ){
    /* Never opened: there is no TOML parser here (docs/elastic_rules.md). */
    CtERule *p = ctAdd(L, zFile, 0);
    if( p==0 ) return SQLITE_NOMEM;
    return ctWhy(p, "detection-rules TOML is not read: convert it first with "
                 CT_ER_TOOL " %Q > rules.ndjson and load rules.ndjson", zFile);
  }
  rc = ctReadAll(L, zFile, &z, &n);
  if( rc || z==0 ) return rc;
  if( ct_json_skip_ws(z, n, ctSkipBom(z, n))>=n ){
    rc = ctNote(L, zFile, 0, "empty file, no rule");
  }else if( ctHasExt(zFile, ".ndjson") || ctHasExt(zFile, ".jsonl") ){
    rc = ctLoadLines(L, z, n, zFile);
  }else{
    rc = ctLoadText(L, z, ctSkipBom(z, n), n, zFile, 0);
  }
  sqlite3_free(z);
  return rc;
}

/* ctERulesLoad() with the connection's database files (never opened) and
** the largest file to read. */
static int ctERulesLoadEx(const char *zPath, const CtOwnDb *pOwn,
                          sqlite3_int64 nMax, CtERuleSet **ppSet, char **pzErr){
  CtLoad L;
  CtWalk *pWalk = 0;
  const char *zFile, *zFileErr;
  int rc;
  *ppSet = 0;
  *pzErr = 0;
  memset(&L, 0, sizeof(L));
  L.pOwn = pOwn;
  L.nMax = nMax;
  L.pSet = sqlite3_malloc64(sizeof(CtERuleSet));
  if( L.pSet==0 ) return SQLITE_NOMEM;
  memset(L.pSet, 0, sizeof(CtERuleSet));
  rc = ctWalkOpen(zPath, &pWalk, pzErr);
  while( rc==SQLITE_OK ){
    zFileErr = 0;
    rc = ctWalkNext(pWalk, &zFile, &zFileErr, pzErr);
    if( rc!=SQLITE_ROW ) break;
    rc = ctLoadFile(&L, zFile, zFileErr, ctWalkStat(pWalk));
  }
  ctWalkClose(pWalk);
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK ){
    ctERulesFree(L.pSet);
    if( rc!=SQLITE_NOMEM && *pzErr==0 ) rc = SQLITE_NOMEM;
    return rc;
  }
  *ppSet = L.pSet;
  return SQLITE_OK;
}

int ctERulesLoad(const char *zPath, CtERuleSet **ppSet, char **pzErr){
  return ctERulesLoadEx(zPath, 0, CT_ER_MAX_FILE, ppSet, pzErr);
}

/* ------------------------------------------------ the elastic_rules table */

/* How a column reads its entry. */
#define CT_EC_TEXT   1   /* char*, NULL when 0 */
#define CT_EC_INT    2   /* int, always */
#define CT_EC_OPTINT 3   /* int, NULL when -1 */
#define CT_EC_MS     4   /* sqlite3_int64 milliseconds, NULL when 0 */
#define CT_EC_PATH   5   /* the hidden PATH argument */

typedef struct CtERCol CtERCol;
struct CtERCol {
  const char *zName;
  const char *zDecl;       /* declared type */
  int eKind;               /* CT_EC_* */
  size_t iOff;             /* the CtERule member */
};

/* The table's columns, in order: the schema and xColumn come from here. */
#define CT_EC(NAME, DECL, KIND, MEMBER) \
  { .zName = NAME, .zDecl = DECL, .eKind = KIND, .iOff = offsetof(CtERule, MEMBER) }
static const CtERCol aERCol[] = {
  CT_EC("rule_id", "TEXT", CT_EC_TEXT, zRuleId),
  CT_EC("version", "INTEGER", CT_EC_OPTINT, iVersion),
  CT_EC("name", "TEXT", CT_EC_TEXT, zName),
  CT_EC("type", "TEXT", CT_EC_TEXT, zType),
  CT_EC("language", "TEXT", CT_EC_TEXT, zLanguage),
  CT_EC("query", "TEXT", CT_EC_TEXT, zQuery),
  CT_EC("index_patterns", "TEXT", CT_EC_TEXT, zIndex),
  CT_EC("severity", "TEXT", CT_EC_TEXT, zSeverity),
  CT_EC("risk_score", "INTEGER", CT_EC_OPTINT, iRiskScore),
  CT_EC("interval", "TEXT", CT_EC_TEXT, zInterval),
  CT_EC("interval_ms", "INTEGER", CT_EC_MS, iIntervalMs),
  CT_EC("from_time", "TEXT", CT_EC_TEXT, zFrom),
  CT_EC("lookback_ms", "INTEGER", CT_EC_MS, iLookbackMs),
  CT_EC("max_signals", "INTEGER", CT_EC_OPTINT, nMaxSignals),
  CT_EC("event_category_override", "TEXT", CT_EC_TEXT, zCategoryOverride),
  CT_EC("timestamp_override", "TEXT", CT_EC_TEXT, zTimestampOverride),
  CT_EC("threshold", "TEXT", CT_EC_TEXT, zThreshold),
  CT_EC("new_terms_fields", "TEXT", CT_EC_TEXT, zNewTermsFields),
  CT_EC("history_window_start", "TEXT", CT_EC_TEXT, zHistoryWindowStart),
  CT_EC("history_ms", "INTEGER", CT_EC_MS, iHistoryMs),
  CT_EC("threat", "TEXT", CT_EC_TEXT, zThreat),
  CT_EC("tags", "TEXT", CT_EC_TEXT, zTags),
  CT_EC("supported", "INTEGER", CT_EC_INT, bSupported),
  CT_EC("why_unsupported", "TEXT", CT_EC_TEXT, zWhy),
  CT_EC("file", "TEXT", CT_EC_TEXT, zFile),
  CT_EC("line", "INTEGER", CT_EC_INT, iLine),
  { .zName = "path", .zDecl = "HIDDEN", .eKind = CT_EC_PATH },
};
#define CT_ER_NCOL ((int)(sizeof(aERCol)/sizeof(aERCol[0])))
#define CT_ER_COL_PATH (CT_ER_NCOL-1)   /* the last column */

typedef struct CtERVtab CtERVtab;
struct CtERVtab {
  sqlite3_vtab base;
  sqlite3 *db;             /* for its database files and length limit */
  CtRuleReg *pReg;         /* where the loaded rules are remembered */
};

typedef struct CtERCursor CtERCursor;
struct CtERCursor {
  sqlite3_vtab_cursor base;
  CtERuleSet *pSet;        /* what PATH gave; 0 before xFilter */
  int i;                   /* current entry */
  char *zPath;             /* the PATH argument (copy) */
};

/* "CREATE TABLE x(rule_id TEXT, …, path HIDDEN)" from aERCol; 0 if OOM. */
static char *ctERSchema(void){
  sqlite3_str *s = sqlite3_str_new(0);
  int k;
  sqlite3_str_appendall(s, "CREATE TABLE x(");
  for(k=0; k<CT_ER_NCOL; k++){
    sqlite3_str_appendf(s, "%s\"%w\" %s", k ? ", " : "", aERCol[k].zName,
                        aERCol[k].zDecl);
  }
  sqlite3_str_appendall(s, ")");
  return sqlite3_str_finish(s);
}

static int ctERConnect(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  CtERVtab *pNew;
  char *zSchema = ctERSchema();
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  if( zSchema==0 ) return SQLITE_NOMEM;
  rc = sqlite3_declare_vtab(db, zSchema);
  sqlite3_free(zSchema);
  if( rc ) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  pNew->pReg = (CtRuleReg*)pAux;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int ctERDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* Equality on PATH goes to xFilter; an unusable one rules the plan out. */
static int ctERBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int rc, mArgs;
  (void)pVtab;
  rc = ctPlanArgs(pInfo, CT_ER_COL_PATH, 1, 0, &mArgs);
  if( rc ) return rc;
  pInfo->idxNum = mArgs;
  pInfo->estimatedCost = mArgs ? 1000.0 : 1e12;
  return SQLITE_OK;
}

static int ctEROpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  CtERCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static void ctERReset(CtERCursor *pCur){
  ctERulesFree(pCur->pSet);
  sqlite3_free(pCur->zPath);
  pCur->pSet = 0;
  pCur->zPath = 0;
  pCur->i = 0;
}

static int ctERClose(sqlite3_vtab_cursor *cur){
  ctERReset((CtERCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Load every rule below PATH at once: rule files are small, and the
** loader is the one cloudtrail_detect uses. */
static int ctERFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv){
  CtERCursor *pCur = (CtERCursor*)cur;
  CtERVtab *pTab = (CtERVtab*)cur->pVtab;
  CtOwnDb *pOwn = 0;
  sqlite3_int64 nMax = sqlite3_limit(pTab->db, SQLITE_LIMIT_LENGTH, -1);
  const char *zPath;
  char *zErr = 0;
  int rc;
  (void)idxStr;
  ctERReset(pCur);
  if( idxNum==0 || argc<1 ){
    return ctVtabError(cur->pVtab, SQLITE_ERROR,
                       "cloudtrail: no PATH: use elastic_rules('dir')");
  }
  zPath = (const char*)sqlite3_value_text(argv[0]);
  if( zPath==0 ){
    if( sqlite3_value_type(argv[0])!=SQLITE_NULL ) return SQLITE_NOMEM;
    return ctVtabError(cur->pVtab, SQLITE_ERROR, "cloudtrail: PATH is NULL");
  }
  pCur->zPath = sqlite3_mprintf("%s", zPath);
  if( pCur->zPath==0 ) return SQLITE_NOMEM;
  rc = ctOwnDbLoad(pTab->db, &pOwn);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    return ctVtabError(cur->pVtab, rc, "cloudtrail: cannot list this "
        "connection's database files (PRAGMA database_list): %s",
        sqlite3_errmsg(pTab->db));
  }
  if( rc!=SQLITE_OK ) return rc;
  rc = ctERulesLoadEx(zPath, pOwn, nMax<CT_ER_MAX_FILE ? nMax : CT_ER_MAX_FILE,
                      &pCur->pSet, &zErr);
  ctOwnDbFree(pOwn);
  if( rc!=SQLITE_OK ) return zErr ? ctVtabErrorTake(cur->pVtab, rc, zErr) : rc;
  return ctERulesRemember(pCur->pSet, pTab->pReg);
}

static int ctERNext(sqlite3_vtab_cursor *cur){
  ((CtERCursor*)cur)->i++;
  return SQLITE_OK;
}

static int ctEREof(sqlite3_vtab_cursor *cur){
  CtERCursor *pCur = (CtERCursor*)cur;
  return pCur->pSet==0 || pCur->i>=pCur->pSet->n;
}

static int ctERColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  CtERCursor *pCur = (CtERCursor*)cur;
  const CtERule *p = &pCur->pSet->a[pCur->i];
  const char *pMember;
  if( i<0 || i>=CT_ER_NCOL ) return SQLITE_OK;
  pMember = (const char*)p + aERCol[i].iOff;
  switch( aERCol[i].eKind ){
    case CT_EC_TEXT: {
      const char *z = *(char *const*)pMember;
      if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
      break;
    }
    case CT_EC_INT:
      sqlite3_result_int(ctx, *(const int*)pMember);
      break;
    case CT_EC_OPTINT:
      if( *(const int*)pMember!=-1 ) sqlite3_result_int(ctx, *(const int*)pMember);
      break;
    case CT_EC_MS:
      if( *(const sqlite3_int64*)pMember>0 ){
        sqlite3_result_int64(ctx, *(const sqlite3_int64*)pMember);
      }
      break;
    case CT_EC_PATH:
      return ctResultArgument(ctx, "elastic_rules", "path", 1, pCur->zPath);
  }
  return SQLITE_OK;
}

static int ctERRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  *pRowid = ((CtERCursor*)cur)->i + 1;
  return SQLITE_OK;
}

static sqlite3_module ctERModule = {
  .iVersion = 0,
  .xCreate = 0,                 /* none: eponymous only */
  .xConnect = ctERConnect,
  .xBestIndex = ctERBestIndex,
  .xDisconnect = ctERDisconnect,
  .xOpen = ctEROpen,
  .xClose = ctERClose,
  .xFilter = ctERFilter,
  .xNext = ctERNext,
  .xEof = ctEREof,
  .xColumn = ctERColumn,
  .xRowid = ctERRowid,
};

/* Register elastic_rules.  It reads files, so it is never marked
** SQLITE_VTAB_INNOCUOUS (as cloudtrail_files). */
int ctERulesRemember(const CtERuleSet *pSet, CtRuleReg *pReg){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<pSet->n; i++){
    rc = ctRuleRegRemember(pReg, pSet->a[i].zRuleId, pSet->a[i].zThreat);
  }
  return rc;
}

int ctRegisterERules(sqlite3 *db, CtRuleReg *pReg){
  return sqlite3_create_module(db, "elastic_rules", &ctERModule, pReg);
}
