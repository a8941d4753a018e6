// Usage counts the samples a PromQL query read, not the numbers it answered with: a
// count_over_time over 10,000 samples answers one number and is counted with at least 10,000 rows
// read, in `GET /api/v1/usage` (real embedded ClickHouse, the real usage recorder).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageRecorder } from '@telemetryflow/clickhouse';
import { call, insertRows, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_usagerr_' + 'r'.repeat(32);
const RECORDS = 10_000;
const HOUR = 3_600_000;

const dir = tempDir('tf-usage-rows-read-');
let api: TestApi;
let usage: UsageRecorder;
const now = Date.now();

before(async () => {
  api = await startTestApi(
    dir.path,
    KEY,
    async (ch) => {
      // The recorder the server roles use, flushed by hand below; the API reads what it wrote.
      usage = new UsageRecorder(ch);
      // 10,000 log records of one service within 0.6 s.
      await ch.command({
        query: `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, SeverityText, SeverityNumber, ServiceName, Body)
                  SELECT 'default', {endNs:UInt64} - number * 60000, {endNs:UInt64} - number * 60000,
                         'INFO', 9, 'bulk', concat('record ', toString(number))
                    FROM numbers({records:UInt64}) SETTINGS async_insert = 0`,
        query_params: { endNs: String(BigInt(now - 60_000) * 1_000_000n), records: RECORDS },
      });
      // One gauge series of 10,000 samples, 100 ms apart, over the last 17 minutes.
      const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
      await insertRows(ch, 'metric_series', [
        {
          TenantId: 'default',
          MetricName: 'bulk_gauge',
          Fingerprint: '777',
          MetricType: 'gauge',
          Unit: '',
          Description: '',
          Temporality: 0,
          IsMonotonic: false,
          ServiceName: 'bulk',
          ResourceAttributes: { 'service.name': 'bulk' },
          ResourceAttributeTypes: {},
          ScopeName: 'meter',
          ScopeVersion: '',
          Attributes: {},
          AttributeTypes: {},
          FirstSeen: ns(now - HOUR),
          LastSeen: ns(now),
        },
      ]);
      await ch.command({
        query: `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Flags, Value)
                  SELECT 'default', 'bulk_gauge', 777, {endNs:UInt64} - 3600000000000, {endNs:UInt64} - number * 100000000, 0, number
                    FROM numbers({records:UInt64}) SETTINGS async_insert = 0`,
        query_params: { endNs: ns(now - 1000), records: RECORDS },
      });
    },
    { usage: { add: (...args) => usage.add(...args) }, resultCache: { ttlMs: 0 } },
  );
});
after(async () => {
  await usage.close();
  await api?.close();
  dir.remove();
});

describe('usage counts samples read by PromQL', () => {
  test('count_over_time over 10,000 samples (one number) is counted with ≥ 10,000 rows read', async () => {
    const base = api.server.url;
    const before = await queriesRun(base);
    const res = await call<Json>(
      base,
      `/prometheus/api/v1/query?query=${encodeURIComponent('count_over_time(bulk_gauge[20m])')}&time=${now / 1000}`,
      { key: KEY },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.data.result.map((r: Json) => r.value[1]),
      [String(RECORDS)],
      'one series, every sample counted',
    );
    const counted = await queriesRun(base);
    const rowsRead = counted.rowsRead - before.rowsRead;
    assert.ok(rowsRead >= RECORDS, `rows read ${rowsRead} by ${counted.requests - before.requests} queries`);
  });
});

/** The tenant's queries and rows read so far, as `GET /api/v1/usage` shows them (after a flush). */
async function queriesRun(base: string): Promise<{ requests: number; rowsRead: number }> {
  await usage.flush();
  const now = Date.now();
  const got = await call<Json>(base, `/api/v1/usage?from=${now - HOUR}&to=${now + HOUR}`, { key: KEY });
  assert.equal(got.status, 200, JSON.stringify(got.body));
  const queries = (got.body.data.points as Json[]).filter((p) => p.signal === 'queries' && p.kind === 'run');
  return {
    requests: queries.reduce((n: number, p: Json) => n + p.requests, 0),
    rowsRead: queries.reduce((n: number, p: Json) => n + p.items, 0),
  };
}
