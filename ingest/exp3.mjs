import { decodeAndEncode } from '@telemetryflow/ingest'
import { buildTemplates } from '../bench/dist/src/payloads.js'
const t = buildTemplates('traces', { itemsPerRequest: 1000, templates: 8, seed: 1 })
for (let round = 0; round < 3; round++) {
  const t0 = performance.now()
  for (let i = 0; i < 50; i++) decodeAndEncode({ tenantId: 'default', signal: 'traces', encoding: 'protobuf', payload: t[i % 8].bytes, receivedAtNs: '1' })
  console.log('50k spans decode+rows+rowbinary ms', (performance.now() - t0).toFixed(0))
}
