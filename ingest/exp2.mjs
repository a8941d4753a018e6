import { createClickHouse, migrate, insertStatement } from '@telemetryflow/clickhouse'
import { decodeToRows } from '@telemetryflow/ingest'
import { buildTemplates } from '../bench/dist/src/payloads.js'
import { Readable } from 'node:stream'
import { writeFileSync } from 'node:fs'
const dir = '/tmp/tfexp2-' + Date.now()
const ch = await createClickHouse({ dataDir: dir }); await migrate(ch)
const t = buildTemplates('traces', { itemsPerRequest: 1000, templates: 8, seed: 1 })
let lines = ''
for (let i = 0; i < 50; i++) { const r = decodeToRows({ tenantId: 'default', signal: 'traces', encoding: 'protobuf', payload: t[i % 8].bytes, receivedAtNs: '1' }); lines += r.batch.tables.spans.lines }
async function time(label, q, body) {
  const t0 = performance.now()
  const r = await ch.exec({ query: q, values: body === undefined ? undefined : Readable.from([body]) }); r.stream.resume()
  console.log(label, (performance.now() - t0).toFixed(0), 'ms')
}
await time('json', insertStatement('spans'), lines)
await time('json', insertStatement('spans'), lines)
const rs = await ch.exec({ query: "SELECT * EXCEPT (TenantId) , TenantId FROM spans LIMIT 50000 FORMAT RowBinary" })
const chunks = []; for await (const c of rs.stream) chunks.push(c); const bin = Buffer.concat(chunks)
console.log('rowbinary bytes', bin.length)
const colsInfo = await (await ch.query({ query: "SELECT name, type FROM system.columns WHERE table = 'spans' AND database = currentDatabase() AND default_kind != 'EPHEMERAL' ORDER BY position", format: 'JSONEachRow' })).json()
const ordered2 = [...colsInfo.filter(c => c.name !== 'TenantId'), colsInfo.find(c => c.name === 'TenantId')]
const ordered = ordered2.map(c => c.name)
const structure = ordered2.map(c => c.name + ' ' + c.type).join(', ')
writeFileSync('/dev/shm/tf-rb.bin', bin)
await time('rowbinary file()', `INSERT INTO spans (${ordered.join(', ')}) SETTINGS async_insert=0 SELECT * FROM file('/dev/shm/tf-rb.bin', 'RowBinary', '${structure}')`)
writeFileSync('/dev/shm/tf-rb.bin', bin)
await time('rowbinary file() again', `INSERT INTO spans (${ordered.join(', ')}) SETTINGS async_insert=0 SELECT * FROM file('/dev/shm/tf-rb.bin', 'RowBinary', '${structure}')`)
console.log(await (await ch.query({ query: 'SELECT count() c FROM spans', format: 'JSONEachRow' })).json())
await ch.close()
