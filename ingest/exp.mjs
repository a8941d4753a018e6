import { createClickHouse, migrate, insertStatement } from '@telemetryflow/clickhouse'
import { decodeToRows } from '@telemetryflow/ingest'
import { buildTemplates } from '../bench/dist/src/payloads.js'
import { Readable } from 'node:stream'
const dir = '/tmp/tfexp-' + Date.now()
const ch = await createClickHouse({ dataDir: dir }); await migrate(ch)
const t = buildTemplates('traces', { itemsPerRequest: 1000, templates: 8, seed: 1 })
let lines = ''
let t0 = performance.now()
for (let i = 0; i < 50; i++) { const r = decodeToRows({ tenantId: 'default', signal: 'traces', encoding: 'protobuf', payload: t[i % 8].bytes, receivedAtNs: '1' }); lines += r.batch.tables.spans.lines }
console.log('build 50k rows ms', (performance.now() - t0).toFixed(0), 'bytes', lines.length)
async function time(label, q) {
  const t0 = performance.now()
  const r = await ch.exec({ query: q, values: Readable.from([lines]) }); r.stream.resume()
  console.log(label, (performance.now() - t0).toFixed(0), 'ms')
}
const cols = insertStatement('spans').match(/\(([^)]*)\)/)[1]
await ch.command({ query: 'CREATE TABLE spans_null AS spans ENGINE = Null' })
await ch.command({ query: 'CREATE TABLE spans_noidx AS spans' })
for (const i of ['idx_trace_id','idx_attr_keys','idx_attr_values','idx_res_attr_keys','idx_res_attr_values','idx_duration']) await ch.command({ query: `ALTER TABLE spans_noidx DROP INDEX ${i}` })
await ch.command({ query: `CREATE TABLE spans_plain AS spans_noidx` })
lines = lines.replace(/\{"service\.name":[^}]*\}/g, '{}')
console.log('bytes now', lines.length)
await time('spans (with MV)', insertStatement('spans'))
await time('spans again', insertStatement('spans'))
await time('null', `INSERT INTO spans_null (${cols}) SETTINGS async_insert=0 FORMAT JSONCompactEachRow`)
await time('no index', `INSERT INTO spans_noidx (${cols}) SETTINGS async_insert=0 FORMAT JSONCompactEachRow`)
await time('no index again', `INSERT INTO spans_noidx (${cols}) SETTINGS async_insert=0 FORMAT JSONCompactEachRow`)
import { readFileSync } from 'node:fs'
let ddl = readFileSync('clickhouse/migrations/0001_spans.sql','utf8').replace(/--.*\n/g,'').replace(/ CODEC\((?:[^()]|\([^()]*\))*\)/g, '').replace('IF NOT EXISTS spans', 'IF NOT EXISTS spans_lz4').replace(/;\s*$/, '')
await ch.command({ query: ddl })
await time('lz4', `INSERT INTO spans_lz4 (${cols}) SETTINGS async_insert=0 FORMAT JSONCompactEachRow`)
await time('lz4 again', `INSERT INTO spans_lz4 (${cols}) SETTINGS async_insert=0 FORMAT JSONCompactEachRow`)

function q(str) { return "'" + str.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'" }
function inner(v) {
  if (v === null) return 'NULL'
  if (typeof v === 'string') return q(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return '[' + v.map(inner).join(',') + ']'
  return '{' + Object.entries(v).map(([k, x]) => q(k) + ':' + inner(x)).join(',') + '}'
}
function field(v) {
  if (v === null) return '\\N'
  if (typeof v === 'string') return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return inner(v).replace(/\t/g, '\\t').replace(/\n/g, '\\n')
}
let ddl2 = readFileSync('clickhouse/migrations/0001_spans.sql','utf8').replace(/--.*\n/g,'').replace(/Map\(LowCardinality\(String\), LowCardinality\(String\)\)/g, 'Map(String, String)').replace(/Map\(LowCardinality\(String\), String\)/g, 'Map(String, String)').replace('IF NOT EXISTS spans', 'IF NOT EXISTS spans_nolc').replace(/;\s*$/, '')
await ch.command({ query: ddl2 })
await time('no LC in maps', `INSERT INTO spans_nolc (${cols}) SETTINGS async_insert=0 FORMAT JSONCompactEachRow`)
await time('no LC in maps again', `INSERT INTO spans_nolc (${cols}) SETTINGS async_insert=0 FORMAT JSONCompactEachRow`)
let t1 = performance.now()
const tsv = lines.split('\n').filter(Boolean).map(l => JSON.parse(l).map(field).join('\t')).join('\n') + '\n'
console.log('tsv convert ms', (performance.now() - t1).toFixed(0), 'bytes', tsv.length)
lines = tsv
await time('null tsv', `INSERT INTO spans_null (${cols}) SETTINGS async_insert=0 FORMAT TabSeparated`)
await time('spans tsv', `INSERT INTO spans (${cols}) SETTINGS async_insert=0 FORMAT TabSeparated`)
await time('spans tsv again', `INSERT INTO spans (${cols}) SETTINGS async_insert=0 FORMAT TabSeparated`)
const rs = await ch.query({ query: "SELECT name, value FROM system.settings WHERE name IN ('max_threads','input_format_parallel_parsing','max_insert_threads','min_insert_block_size_rows','min_insert_block_size_bytes')", format: 'JSONEachRow' }); console.log(await rs.json())
await ch.close()
