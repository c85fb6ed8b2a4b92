// Peer: the EC2 instance-role console-login rule in DuckDB (npm @duckdb/node-api).
//
//   node bench/peers/rule_duckdb.cjs NODE_DIR DIR THREADS [SINCE]
//
// NODE_DIR is where `npm install @duckdb/node-api` was run (dist/bench/node).
// Reads every *.json.gz below DIR with read_json, declaring Records as JSON[]
// (auto-detected STRUCTs break on real CloudTrail), unnests the records and
// filters with json_extract_string (`->` is DuckDB's lambda arrow).  Same
// logic as ec2_console_login() on raw records.  Prints the count.
'use strict';
const path = require('path');

const [nodeDir, dir, threads, since = ''] = process.argv.slice(2);
const { DuckDBInstance } = require(path.resolve(nodeDir, 'node_modules', '@duckdb', 'node-api'));

// SQL string literal.
const lit = (s) => "'" + String(s).replace(/'/g, "''") + "'";

const field = (p) => `json_extract_string(r, ${lit(p)})`;
const sql = `
SELECT count(*) AS n
  FROM (SELECT unnest(Records) AS r
          FROM read_json(${lit(path.join(dir, '**', '*.json.gz'))},
                         columns = {Records: 'JSON[]'}, format = 'unstructured'))
 WHERE ${field('$.eventSource')} = 'signin.amazonaws.com'
   AND ${field('$.eventName')} IN ('ConsoleLogin', 'GetSigninToken')
   AND ${field('$.userIdentity.type')} = 'AssumedRole'
   AND json_type(r, '$.userIdentity.principalId') = 'VARCHAR'
   AND contains(${field('$.userIdentity.principalId')}, ':i-')
   AND CASE
         WHEN ${field('$.eventName')} = 'ConsoleLogin'
              AND json_type(r, '$.responseElements.ConsoleLogin') = 'VARCHAR'
           THEN lower(${field('$.responseElements.ConsoleLogin')})
         WHEN coalesce(${field('$.errorCode')}, '') <> ''
              OR coalesce(${field('$.errorMessage')}, '') <> ''
           THEN 'failure'
         ELSE 'success'
       END = 'success'
   ${since ? `AND ${field('$.eventTime')} >= ${lit(since)}` : ''}`;

async function main() {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`SET threads = ${Number(threads) || 1}`);
  const reader = await conn.runAndReadAll(sql);
  console.log(String(reader.getRows()[0][0]));
}

main().catch((err) => {
  console.error('duckdb: ' + (err && err.message ? err.message : err));
  process.exit(1);
});
