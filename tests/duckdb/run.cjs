// Runs SQL through DuckDB (npm @duckdb/node-api) and prints the rows of the
// last statement, '|'-separated, NULL as empty: the sqlite3 shell's list mode.
//
//   node tests/duckdb/run.cjs NODE_DIR SCRIPT.sql... -- QUERY
//
// NODE_DIR is where `npm install @duckdb/node-api` was run.  Each SCRIPT is
// run whole before QUERY.  Errors go to stderr prefixed "duckdb:", exit 1.
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const nodeDir = args.shift();
const cut = args.indexOf('--');
const scripts = cut < 0 ? args : args.slice(0, cut);
const query = cut < 0 ? '' : args.slice(cut + 1).join(' ');
const { DuckDBInstance } = require(path.resolve(nodeDir, 'node_modules', '@duckdb', 'node-api'));

async function main() {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  for (const f of scripts) await conn.run(fs.readFileSync(f, 'utf8'));
  if (!query) return;
  const reader = await conn.runAndReadAll(query);
  for (const row of reader.getRows()) {
    console.log(row.map((v) => (v === null ? '' : String(v))).join('|'));
  }
}

main().catch((err) => {
  console.error('duckdb: ' + (err && err.message ? err.message : err));
  process.exit(1);
});
