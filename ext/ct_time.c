/*
** ct_time.c — event times compared as the instants they name.
**
**   SELECT cloudtrail_time('2023-07-10T18:00:00+02:00');  -- 2023-07-10T16:00:00Z
**   SELECT count(*) FROM cloudtrail('evidence')
**    WHERE event_time >= '2023-07-10 16:00:00';         -- SQLite's datetime() form
**
** Every event time column (cloudtrail.event_time, cloudtrail_files'
** first/last_event_time, the ingested cloudtrail_events.event_time) is
** declared COLLATE cloudtrail_time.  SQLite compares a column with the
** column's collation, so `event_time >= X`, BETWEEN, IN, ORDER BY, min(),
** max() and an index on the column all order by instant, whatever ISO 8601
** or SQLite form each side is written in ('T' or space, Z or an offset or
** nothing, a fraction or not).  Texts that are not times sort before every
** time, byte by byte among themselves, so the order is total and a lower
** time bound never matches them.  The forms are listed in docs/time.md.
**
** The cloudtrail table also refuses a pushed-down bound that is not a time
** (ct_filter.c), so a typo fails loudly instead of matching everything.
*/
#include <string.h>
#include "ct_time.h"
SQLITE_EXTENSION_INIT3

/* Fraction digits kept: 10^18 attoseconds still fit in 64 bits. */
#define CT_TIME_MAX_FRAC 18
#define CT_ATTO_PER_SEC  1000000000000000000LL

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), for any year. */
sqlite3_int64 ctDaysFromCivil(int y, int m, int d){
  sqlite3_int64 era, yoe, doy, doe;
  y -= m<=2;
  era = (y>=0 ? y : y-399) / 400;
  yoe = y - era*400;
  doy = (153*(m + (m>2 ? -3 : 9)) + 2)/5 + d - 1;
  doe = yoe*365 + yoe/4 - yoe/100 + doy;
  return era*146097 + doe - 719468;
}

/* The inverse: y-m-d of a day number. */
static void ctCivilFromDays(sqlite3_int64 z, sqlite3_int64 *pY, int *pM, int *pD){
  sqlite3_int64 era, doe, yoe, doy, mp, y;
  z += 719468;
  era = (z>=0 ? z : z-146096) / 146097;
  doe = z - era*146097;
  yoe = (doe - doe/1460 + doe/36524 - doe/146096) / 365;
  y = yoe + era*400;
  doy = doe - (365*yoe + yoe/4 - yoe/100);
  mp = (5*doy + 2)/153;
  *pD = (int)(doy - (153*mp + 2)/5 + 1);
  *pM = (int)(mp<10 ? mp+3 : mp-9);
  *pY = y + (*pM<=2);
}

/* Parse n digits at z into *pV if they are all digits in [lo,hi]. */
int ctDigits(const char *z, int n, int lo, int hi, int *pV){
  int v = 0, k;
  for(k=0; k<n; k++){
    if( z[k]<'0' || z[k]>'9' ) return 0;
    v = v*10 + (z[k]-'0');
  }
  if( v<lo || v>hi ) return 0;
  *pV = v;
  return 1;
}

static int ctIsLeap(int y){ return (y%4==0 && y%100!=0) || y%400==0; }

static int ctDaysInMonth(int y, int m){
  static const unsigned char aDays[12] = {31,28,31,30,31,30,31,31,30,31,30,31};
  return m==2 && ctIsLeap(y) ? 29 : aDays[m-1];
}

/* What ctTimeParse() is reading. */
typedef struct CtTimeText CtTimeText;
struct CtTimeText {
  const char *z;
  int n, i;               /* the text, its length, the next byte */
  const char *zWhy;       /* why it is not a time (static text) */
};

static int ctTimeFail(CtTimeText *t, const char *zWhy){
  t->zWhy = zWhy;
  return 0;
}

/* Two digits in [lo,hi] at t->i; zWhat names them in the message. */
static int ctTime2(CtTimeText *t, int lo, int hi, int *pV, const char *zWhy){
  if( t->i+2>t->n || !ctDigits(t->z+t->i, 2, lo, hi, pV) ) return ctTimeFail(t, zWhy);
  t->i += 2;
  return 1;
}

/* Accept the byte c at t->i. */
static int ctTimeByte(CtTimeText *t, char c){
  if( t->i<t->n && t->z[t->i]==c ){ t->i++; return 1; }
  return 0;
}

/* The fraction after '.' or ',' into *pAtto. */
static int ctTimeFraction(CtTimeText *t, sqlite3_int64 *pAtto){
  sqlite3_int64 v = 0;
  int k = 0;
  while( t->i<t->n && t->z[t->i]>='0' && t->z[t->i]<='9' ){
    if( ++k>CT_TIME_MAX_FRAC ) return ctTimeFail(t, "more than 18 fraction digits");
    v = v*10 + (t->z[t->i++]-'0');
  }
  if( k==0 ) return ctTimeFail(t, "no digit after the decimal point");
  for(; k<CT_TIME_MAX_FRAC; k++) v *= 10;
  *pAtto = v;
  return 1;
}

static int ctIsZoneStart(char c){
  return c=='Z' || c=='z' || c=='+' || c=='-';
}

/* A zone at the end: nothing (UTC), Z, or +HH, +HHMM, +HH:MM (or -).
** *pOff receives the offset east of UTC in seconds. */
static int ctTimeZone(CtTimeText *t, int *pOff){
  int sign, oh, om = 0;
  *pOff = 0;
  if( t->i==t->n ) return 1;
  if( t->z[t->i]=='Z' || t->z[t->i]=='z' ){
    t->i++;
  }else if( t->z[t->i]=='+' || t->z[t->i]=='-' ){
    sign = t->z[t->i++]=='-' ? -1 : 1;
    if( !ctTime2(t, 0, 23, &oh, "a UTC offset must be +HH, +HHMM or +HH:MM") ) return 0;
    if( t->i<t->n ){
      ctTimeByte(t, ':');
      if( !ctTime2(t, 0, 59, &om, "a UTC offset must be +HH, +HHMM or +HH:MM") ) return 0;
    }
    *pOff = sign*(oh*3600 + om*60);
  }
  if( t->i<t->n ) return ctTimeFail(t, "unexpected text after the time");
  return 1;
}

/*
** Parse z[0..n) as a time (the forms of docs/time.md: ISO 8601 extended or
** basic, SQLite's "YYYY-MM-DD HH:MM:SS").  1 and *p on success; 0 with
** *pzWhy (a static reason, if pzWhy is not 0) otherwise.
*/
int ctTimeParse(const char *z, int n, CtInstant *p, const char **pzWhy){
  CtTimeText t = {z, n, 0, 0};
  int y, mo = 1, d = 1, h = 0, mi = 0, s = 0, off = 0, bBasic;
  sqlite3_int64 iAtto = 0;
  int ok = 1;
  if( n<4 || !ctDigits(z, 4, 0, 9999, &y) ){
    ok = ctTimeFail(&t, "it does not start with a four-digit year");
    goto done;
  }
  t.i = 4;
  bBasic = n>=8 && z[4]>='0' && z[4]<='9';
  if( t.i<n ){
    if( !bBasic && !ctTimeByte(&t, '-') ){ ok = ctTimeFail(&t, "expected '-' after the year"); goto done; }
    if( !ctTime2(&t, 1, 12, &mo, "the month is not 01 to 12") ){ ok = 0; goto done; }
  }
  if( t.i<n ){
    if( !bBasic && !ctTimeByte(&t, '-') ){ ok = ctTimeFail(&t, "expected '-' after the month"); goto done; }
    if( !ctTime2(&t, 1, 31, &d, "the day is not 01 to 31") ){ ok = 0; goto done; }
    if( d>ctDaysInMonth(y, mo) ){
      ok = ctTimeFail(&t, mo==2 ? (d==29 ? "February has 28 days in that year"
                                         : "February has at most 29 days")
                                : "that month has 30 days");
      goto done;
    }
  }
  if( t.i<n ){
    if( !(ctTimeByte(&t, 'T') || ctTimeByte(&t, 't') || (!bBasic && ctTimeByte(&t, ' ')))
     || t.i!=(bBasic ? 9 : 11) ){
      ok = ctTimeFail(&t, "expected 'T' or a space between the date and the time");
      goto done;
    }
    if( !ctTime2(&t, 0, 23, &h, "the hour is not 00 to 23") ){ ok = 0; goto done; }
    if( t.i<n && !ctIsZoneStart(z[t.i]) ){   /* else "THH", the hour alone */
      if( !bBasic && !ctTimeByte(&t, ':') ){ ok = ctTimeFail(&t, "expected ':' after the hour"); goto done; }
      if( !ctTime2(&t, 0, 59, &mi, "the minute is not 00 to 59") ){ ok = 0; goto done; }
    }
    if( t.i<n && (bBasic ? (z[t.i]>='0' && z[t.i]<='9') : z[t.i]==':') ){
      if( !bBasic ) t.i++;
      if( !ctTime2(&t, 0, 59, &s, "the second is not 00 to 59") ){ ok = 0; goto done; }
      if( ctTimeByte(&t, '.') || ctTimeByte(&t, ',') ){
        if( !ctTimeFraction(&t, &iAtto) ){ ok = 0; goto done; }
      }
    }
    if( !ctTimeZone(&t, &off) ){ ok = 0; goto done; }
  }
done:
  if( !ok ){
    if( pzWhy ) *pzWhy = t.zWhy;
    return 0;
  }
  p->iSec = ctDaysFromCivil(y, mo, d)*86400 + h*3600 + mi*60 + s - off;
  p->iAtto = iAtto;
  return 1;
}

int ctInstantCmp(const CtInstant *a, const CtInstant *b){
  if( a->iSec!=b->iSec ) return a->iSec<b->iSec ? -1 : 1;
  if( a->iAtto!=b->iAtto ) return a->iAtto<b->iAtto ? -1 : 1;
  return 0;
}

/* SQLite's BINARY order. */
static int ctBinaryCmp(const char *a, int na, const char *b, int nb){
  int c = memcmp(a, b, (size_t)(na<nb ? na : nb));
  return c ? c : na - nb;
}

/*
** The collation: times by instant (equal instants are equal, however
** written); texts that are not times before every time, in BINARY order.
*/
int ctTimeCompare(const char *a, int na, const char *b, int nb){
  CtInstant x, y;
  int bx = ctTimeParse(a, na, &x, 0);
  int by = ctTimeParse(b, nb, &y, 0);
  if( bx && by ) return ctInstantCmp(&x, &y);
  if( bx!=by ) return bx ? 1 : -1;
  return ctBinaryCmp(a, na, b, nb);
}

/* ctTimeCompare() of the text z against a bound already parsed. */
int ctTimeCompareInstant(const char *z, int n, const CtInstant *pBound){
  CtInstant x;
  if( !ctTimeParse(z, n, &x, 0) ) return -1;
  return ctInstantCmp(&x, pBound);
}

/*
** Epoch seconds of exactly "YYYY-MM-DDTHH:MM:SSZ", the form of a digest's
** digestStartTime and digestEndTime.  0 if z is anything else.
*/
int ctIsoSeconds(const char *z, sqlite3_int64 *pT){
  CtInstant t;
  if( z==0 || strlen(z)!=20 || z[4]!='-' || z[10]!='T' || z[13]!=':'
   || z[19]!='Z' || !ctTimeParse(z, 20, &t, 0) ){
    return 0;
  }
  *pT = t.iSec;
  return 1;
}

static int ctCollate(void *pArg, int na, const void *a, int nb, const void *b){
  (void)pArg;
  return ctTimeCompare((const char*)a, na, (const char*)b, nb);
}

/*
** Write the instant *p as UTC text "YYYY-MM-DDTHH:MM:SS[.fff…]Z" into
** zOut[nOut] (64 bytes always suffice).  nFrac<0: as many fraction digits
** as the instant has, in groups of three (none for a whole second);
** nFrac==3: exactly three, truncated, as Elasticsearch's date processor
** writes "@timestamp".  Returns 0 if the year falls outside 0000-9999.
*/
int ctInstantFormat(const CtInstant *p, int nFrac, char *zOut, int nOut){
  char zFrac[CT_TIME_MAX_FRAC+2];
  sqlite3_int64 y, iDay, iSod;
  int mo, d;
  iDay = p->iSec>=0 ? p->iSec/86400 : -((-p->iSec+86399)/86400);
  iSod = p->iSec - iDay*86400;
  ctCivilFromDays(iDay, &y, &mo, &d);
  if( y<0 || y>9999 ) return 0;
  zFrac[0] = 0;
  if( nFrac==3 ){
    sqlite3_snprintf(sizeof(zFrac), zFrac, ".%03lld", p->iAtto/1000000000000000LL);
  }else if( p->iAtto ){
    int k;
    sqlite3_snprintf(sizeof(zFrac), zFrac, ".%018lld", p->iAtto);
    for(k=CT_TIME_MAX_FRAC; k>3 && memcmp(zFrac+k-2, "000", 3)==0; k-=3){}
    zFrac[k+1] = 0;
  }
  sqlite3_snprintf(nOut, zOut, "%04lld-%02d-%02dT%02d:%02d:%02d%sZ",
                   y, mo, d, (int)(iSod/3600), (int)(iSod/60%60), (int)(iSod%60),
                   zFrac);
  return 1;
}

/*
** cloudtrail_time(X): the instant X names as "YYYY-MM-DDTHH:MM:SSZ" (UTC,
** with the fraction in groups of three digits when it has one), NULL for
** NULL, an error naming X if it is not a time.
*/
static void ctTimeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *z, *zWhy = 0;
  char zOut[64];
  CtInstant t;
  int n;
  (void)argc;
  switch( sqlite3_value_type(argv[0]) ){
    case SQLITE_NULL: return;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: {
      char *zErr = sqlite3_mprintf("cloudtrail: cloudtrail_time() takes a time "
          "as text, not the number %s (for Unix seconds: datetime(%s, "
          "'unixepoch'))", sqlite3_value_text(argv[0]), sqlite3_value_text(argv[0]));
      if( zErr==0 ){ sqlite3_result_error_nomem(ctx); return; }
      sqlite3_result_error(ctx, zErr, -1);
      sqlite3_free(zErr);
      return;
    }
  }
  z = (const char*)sqlite3_value_text(argv[0]);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
  n = sqlite3_value_bytes(argv[0]);
  if( !ctTimeParse(z, n, &t, &zWhy) ){
    char *zErr = sqlite3_mprintf("cloudtrail: '%s' is not a time: %s", z, zWhy);
    if( zErr==0 ){ sqlite3_result_error_nomem(ctx); return; }
    sqlite3_result_error(ctx, zErr, -1);
    sqlite3_free(zErr);
    return;
  }
  if( !ctInstantFormat(&t, -1, zOut, sizeof(zOut)) ){
    /* An offset moved it out of the four-digit years: the text would not
    ** be a time. */
    char *zErr = sqlite3_mprintf("cloudtrail: '%s' falls outside the years "
                                 "0000 to 9999 in UTC", z);
    if( zErr==0 ){ sqlite3_result_error_nomem(ctx); return; }
    sqlite3_result_error(ctx, zErr, -1);
    sqlite3_free(zErr);
    return;
  }
  sqlite3_result_text(ctx, zOut, -1, SQLITE_TRANSIENT);
}

/*
** The collation and cloudtrail_time() read only their arguments:
** cloudtrail_time() is deterministic and innocuous (collations need no
** such flag: trusted_schema does not restrict them).
*/
int ctRegisterTime(sqlite3 *db){
  int rc = sqlite3_create_collation_v2(db, CT_TIME_COLLATION, SQLITE_UTF8, 0,
                                       ctCollate, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "cloudtrail_time", 1,
        SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS, 0, ctTimeFunc, 0, 0);
  }
  return rc;
}
