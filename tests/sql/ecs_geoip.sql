-- cloudtrail_ecs() with geoip= and asn=: source.geo.* and source.as.* from
-- the tiny MaxMind databases tests/gen_mmdb.py writes into dist/mmdb/
-- (invented networks: 192.0.2.0/24 London, two subdivisions; 198.51.100.0/24
-- New Zealand, country only; 2001:db8::/32 Sao Paulo; ASN 64496 with an
-- organization, 64511 without, 65536 over IPv6).  Every expected value
-- below is what mmdblookup shows in those files.
.mode list
CREATE TEMP TABLE ips(n INTEGER PRIMARY KEY, ip TEXT);
INSERT INTO ips(ip) VALUES ('192.0.2.7'), ('198.51.100.23'), ('2001:db8::1234'),
  ('203.0.113.5'), ('2001:db9::1'), ('::ffff:192.0.2.200'),
  ('AWS Internal'), ('ec2.amazonaws.com');
CREATE TEMP VIEW rec AS
  SELECT n, ip, json_object('eventVersion', '1.09', 'eventTime', '2026-11-20T10:00:00Z',
                            'eventSource', 's3.amazonaws.com', 'eventName', 'ListBuckets',
                            'awsRegion', 'eu-west-2', 'sourceIPAddress', ip) AS j
    FROM ips;
CREATE TEMP TABLE paths(k INTEGER PRIMARY KEY, p TEXT);
INSERT INTO paths(p) VALUES ('source.geo.city_name'), ('source.geo.continent_name'),
  ('source.geo.country_iso_code'), ('source.geo.country_name'),
  ('source.geo.location.lat'), ('source.geo.location.lon'),
  ('source.geo.region_iso_code'), ('source.geo.region_name'),
  ('source.as.number'), ('source.as.organization.name');

SELECT '-- City + ASN: every field for an address in each network (value, type)';
SELECT ip, p, quote(cloudtrail_ecs(j, p, 'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb')),
       typeof(cloudtrail_ecs(j, p, 'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb'))
  FROM rec, paths WHERE n<=3 ORDER BY n, k;

SELECT '-- in no network (203.0.113.5, 2001:db9::1), or no IP: no field at all (count of present fields)';
SELECT ip, count(cloudtrail_ecs(j, p, 'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb'))
  FROM rec, paths WHERE n IN (4, 5, 7, 8) GROUP BY n ORDER BY n;

SELECT '-- an IPv4-mapped IPv6 address finds the IPv4 network (::ffff:0:0/96 leads there)';
SELECT cloudtrail_ecs(j, 'source', 'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb')
  FROM rec WHERE n=6;

SELECT '-- region_iso_code and region_name are the LAST (most specific) subdivision';
SELECT cloudtrail_ecs(j, 'source.geo.region_iso_code', 'geoip=dist/mmdb/Test-City.mmdb'),
       cloudtrail_ecs(j, 'source.geo.region_name', 'geoip=dist/mmdb/Test-City.mmdb')
  FROM rec WHERE n=1;

SELECT '-- the whole source object: City + ASN, for every address';
SELECT ip, cloudtrail_ecs(j, 'source', 'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb')
  FROM rec ORDER BY n;

SELECT '-- Country database: continent and country fields only';
SELECT ip, cloudtrail_ecs(j, 'source', 'geoip=dist/mmdb/Test-Country.mmdb')
  FROM rec WHERE n<=4 ORDER BY n;
SELECT ip, p, quote(cloudtrail_ecs(j, p, 'geoip=dist/mmdb/Test-Country.mmdb'))
  FROM rec, paths WHERE n=1 ORDER BY k;

SELECT '-- geoip= alone: no source.as; asn= alone: no source.geo';
SELECT ip, cloudtrail_ecs(j, 'source', 'geoip=dist/mmdb/Test-City.mmdb') FROM rec WHERE n<=3 ORDER BY n;
SELECT ip, cloudtrail_ecs(j, 'source', 'asn=dist/mmdb/Test-ASN.mmdb') FROM rec WHERE n<=3 ORDER BY n;

SELECT '-- the objects below source, and the whole document';
SELECT cloudtrail_ecs(j, 'source.geo', 'geoip=dist/mmdb/Test-City.mmdb'),
       cloudtrail_ecs(j, 'source.geo.location', 'geoip=dist/mmdb/Test-City.mmdb'),
       cloudtrail_ecs(j, 'source.as', 'asn=dist/mmdb/Test-ASN.mmdb')
  FROM rec WHERE n=1;
SELECT cloudtrail_ecs(j, NULL, 'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb')->'$.source'
  FROM rec WHERE n=3;

SELECT '-- without options, or with other options only: no lookup';
SELECT cloudtrail_ecs(j, 'source'), cloudtrail_ecs(j, 'source', 'pipeline=9.0.0'),
       cloudtrail_ecs(j, 'source', '')
  FROM rec WHERE n=1;

SELECT '-- the options swapped: an ASN file given to geoip=, a City or Country file to asn=';
SELECT cloudtrail_ecs(j, 'source', 'geoip=dist/mmdb/Test-ASN.mmdb') FROM rec WHERE n=1;
SELECT cloudtrail_ecs(j, 'source', 'asn=dist/mmdb/Test-City.mmdb') FROM rec WHERE n=1;
SELECT cloudtrail_ecs(j, 'source', 'asn=dist/mmdb/Test-Country.mmdb') FROM rec WHERE n=1;
SELECT cloudtrail_ecs(j, 'source', 'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-City.mmdb') FROM rec WHERE n=1;

SELECT '-- a missing file, a file that is no database, an unknown option';
SELECT cloudtrail_ecs(j, 'source', 'geoip=dist/mmdb/missing.mmdb') FROM rec WHERE n=1;
SELECT cloudtrail_ecs(j, 'source', 'asn=dist/mmdb/missing-asn.mmdb') FROM rec WHERE n=1;
SELECT cloudtrail_ecs(j, 'source', 'geoip=fixtures/ecs-geoip/records.json') FROM rec WHERE n=1;
SELECT cloudtrail_ecs(j, 'source', 'geo=dist/mmdb/Test-City.mmdb') FROM rec WHERE n=1;
SELECT '-- the error comes even for a non-IP source (the options are read first)';
SELECT cloudtrail_ecs(j, 'source', 'geoip=dist/mmdb/missing.mmdb') FROM rec WHERE n=7;

SELECT '-- the hidden ecs column, options in the table-valued call';
SELECT source_ip, ecs->>'$.source.geo.city_name'
  FROM cloudtrail('fixtures/ecs-geoip/records.json', 'geoip=dist/mmdb/Test-City.mmdb');
SELECT source_ip, ecs->'$.source'
  FROM cloudtrail('fixtures/ecs-geoip/records.json',
                  'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb');
SELECT source_ip, ecs->'$.source.geo', ecs->>'$.source.as.number'
  FROM cloudtrail('fixtures/ecs-geoip/records.json', 'geoip=dist/mmdb/Test-Country.mmdb');
SELECT '-- the column agrees with the function, record by record';
SELECT count(*), sum(ecs->'$.source' IS cloudtrail_ecs(raw, 'source',
                 'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb'))
  FROM cloudtrail('fixtures/ecs-geoip/records.json',
                  'geoip=dist/mmdb/Test-City.mmdb asn=dist/mmdb/Test-ASN.mmdb');
SELECT '-- without ecs options the column has no geo or as';
SELECT source_ip, ecs->'$.source' FROM cloudtrail('fixtures/ecs-geoip/records.json') LIMIT 2;
SELECT '-- table errors: swapped, missing, unknown';
SELECT count(ecs) FROM cloudtrail('fixtures/ecs-geoip/records.json', 'geoip=dist/mmdb/Test-ASN.mmdb');
SELECT count(ecs) FROM cloudtrail('fixtures/ecs-geoip/records.json', 'asn=dist/mmdb/Test-City.mmdb');
SELECT count(ecs) FROM cloudtrail('fixtures/ecs-geoip/records.json', 'geoip=dist/mmdb/missing.mmdb');
SELECT count(ecs) FROM cloudtrail('fixtures/ecs-geoip/records.json', 'geo=dist/mmdb/Test-City.mmdb');

SELECT '-- trusted_schema=OFF: the 2-argument form is innocuous (a stored view works),';
SELECT '-- the 3-argument form may open files and is not (the view fails); typed directly it works';
.shell rm -f dist/scratch/ecs_geoip.db
.open dist/scratch/ecs_geoip.db
.load @EXT@
CREATE TABLE events AS SELECT raw FROM cloudtrail('fixtures/ecs-geoip/records.json');
CREATE VIEW user_names AS SELECT cloudtrail_ecs(raw, 'user.name') AS u FROM events;
CREATE VIEW cities AS
  SELECT cloudtrail_ecs(raw, 'source.geo.city_name', 'geoip=dist/mmdb/Test-City.mmdb') AS c
    FROM events;
.open dist/scratch/ecs_geoip.db
.load @EXT@
PRAGMA trusted_schema=OFF;
SELECT u FROM user_names LIMIT 1;
SELECT c FROM cities LIMIT 1;
SELECT cloudtrail_ecs(raw, 'source.geo.city_name', 'geoip=dist/mmdb/Test-City.mmdb') FROM events LIMIT 1;
PRAGMA trusted_schema=ON;
SELECT c FROM cities LIMIT 1;
