/*
** ct_geoip.c — source.geo.* and source.as.* from MaxMind databases, the
** way Elasticsearch's geoip processor fills them (libmaxminddb).
**
**   SELECT cloudtrail_ecs(raw, 'source.geo.city_name',
**                         'geoip=GeoLite2-City.mmdb asn=GeoLite2-ASN.mmdb')
**     FROM cloudtrail('AWSLogs');
**
** City or Country database: continent_name, country_name,
** country_iso_code, region_iso_code ("<country>-<subdivision>" of the most
** specific subdivision), region_name, city_name, location {lat, lon} —
** the processor's default properties.  ASN database: asn and
** organization_name, which the pipeline renames to source.as.number and
** source.as.organization.name.  English names, as Elasticsearch.
*/
#include <string.h>
#include <maxminddb.h>
#include "ct_ecs.h"
SQLITE_EXTENSION_INIT3

struct CtGeoDb {
  MMDB_s mmdb;
  int bAsn;                 /* an ASN database (else City or Country) */
};

/* Open zFile as a MaxMind database; bAsn says which kind the option
** wants, and a database of the other kind is refused.  On error *pzErr
** names the file. */
int ctGeoOpen(const char *zFile, int bAsn, CtGeoDb **ppDb, char **pzErr){
  CtGeoDb *p = sqlite3_malloc64(sizeof(*p));
  const char *zType;
  int rc, bIsAsn;
  *ppDb = 0;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  rc = MMDB_open(zFile, MMDB_MODE_MMAP, &p->mmdb);
  if( rc!=MMDB_SUCCESS ){
    *pzErr = sqlite3_mprintf("cloudtrail: cannot open the MaxMind database "
                             "'%s': %s", zFile, MMDB_strerror(rc));
    sqlite3_free(p);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  zType = p->mmdb.metadata.database_type ? p->mmdb.metadata.database_type : "";
  bIsAsn = strstr(zType, "ASN")!=0;
  if( bIsAsn!=bAsn || (!bAsn && !strstr(zType, "City") && !strstr(zType, "Country")) ){
    *pzErr = sqlite3_mprintf("cloudtrail: '%s' is a %s database; %s needs %s",
                             zFile, zType, bAsn ? "asn=" : "geoip=",
                             bAsn ? "an ASN database" : "a City or Country database");
    MMDB_close(&p->mmdb);
    sqlite3_free(p);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  p->bAsn = bAsn;
  *ppDb = p;
  return SQLITE_OK;
}

void ctGeoClose(CtGeoDb *p){
  if( p==0 ) return;
  MMDB_close(&p->mmdb);
  sqlite3_free(p);
}

/* The string at a path below entry e, or an absent span. */
static CtSpan ctGeoString(MMDB_entry_s *e, const char *const *azPath){
  MMDB_entry_data_s d;
  CtSpan s = {0, 0};
  if( MMDB_aget_value(e, &d, azPath)==MMDB_SUCCESS && d.has_data
   && d.type==MMDB_DATA_TYPE_UTF8_STRING && d.data_size>0 ){
    s.z = d.utf8_string;
    s.n = d.data_size;
  }
  return s;
}

/* A double at a path below e: 1 and *pR if there is one. */
static int ctGeoDouble(MMDB_entry_s *e, const char *const *azPath, double *pR){
  MMDB_entry_data_s d;
  if( MMDB_aget_value(e, &d, azPath)!=MMDB_SUCCESS || !d.has_data ) return 0;
  if( d.type==MMDB_DATA_TYPE_DOUBLE ){ *pR = d.double_value; return 1; }
  if( d.type==MMDB_DATA_TYPE_FLOAT ){ *pR = d.float_value; return 1; }
  return 0;
}

/* Maximum digits of a subdivision index in a path. */
#define CT_GEO_INDEX 12

static void ctGeoCity(MMDB_entry_s *e, CtGeo *g){
  static const char *const azCont[] = { "continent", "names", "en", 0 };
  static const char *const azCountry[] = { "country", "names", "en", 0 };
  static const char *const azIso[] = { "country", "iso_code", 0 };
  static const char *const azCity[] = { "city", "names", "en", 0 };
  static const char *const azSubs[] = { "subdivisions", 0 };
  static const char *const azLat[] = { "location", "latitude", 0 };
  static const char *const azLon[] = { "location", "longitude", 0 };
  MMDB_entry_data_s d;
  g->continent = ctGeoString(e, azCont);
  g->country = ctGeoString(e, azCountry);
  g->countryIso = ctGeoString(e, azIso);
  g->city = ctGeoString(e, azCity);
  if( MMDB_aget_value(e, &d, azSubs)==MMDB_SUCCESS && d.has_data
   && d.type==MMDB_DATA_TYPE_ARRAY && d.data_size>0 ){
    char zIdx[CT_GEO_INDEX];
    const char *azIsoSub[] = { "subdivisions", zIdx, "iso_code", 0 };
    const char *azName[] = { "subdivisions", zIdx, "names", "en", 0 };
    sqlite3_snprintf(sizeof(zIdx), zIdx, "%u", d.data_size-1);  /* most specific */
    g->subIso = ctGeoString(e, azIsoSub);
    g->region = ctGeoString(e, azName);
  }
  g->bLocation = ctGeoDouble(e, azLat, &g->lat) && ctGeoDouble(e, azLon, &g->lon);
}

static void ctGeoAsn(MMDB_entry_s *e, CtGeo *g){
  static const char *const azNum[] = { "autonomous_system_number", 0 };
  static const char *const azOrg[] = { "autonomous_system_organization", 0 };
  MMDB_entry_data_s d;
  if( MMDB_aget_value(e, &d, azNum)==MMDB_SUCCESS && d.has_data ){
    if( d.type==MMDB_DATA_TYPE_UINT32 ){ g->bAsn = 1; g->asn = d.uint32; }
    else if( d.type==MMDB_DATA_TYPE_UINT64 ){ g->bAsn = 1; g->asn = (sqlite3_int64)d.uint64; }
  }
  g->org = ctGeoString(e, azOrg);
}

/* Fill the fields of *pOut that database p has for address zIp (a valid
** IP address).  An address it does not hold leaves them absent. */
int ctGeoLookup(CtGeoDb *p, const char *zIp, CtGeo *pOut){
  int gai = 0, mm = 0;
  MMDB_lookup_result_s r = MMDB_lookup_string(&p->mmdb, zIp, &gai, &mm);
  if( gai!=0 || mm!=MMDB_SUCCESS || !r.found_entry ) return SQLITE_OK;
  if( p->bAsn ) ctGeoAsn(&r.entry, pOut);
  else ctGeoCity(&r.entry, pOut);
  return SQLITE_OK;
}
