import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { createQueryMetrics } from '../src/index.js';
import { call, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_cache_test_key_0123456789abcdefghij';
const dir = tempDir('tf-result-cache-');
const registry = new Registry();
const NOW_MS = Date.now();
let api: TestApi;

before(async () => {
  api = await startTestApi(
    dir.path,
    KEY,
    async (ch) => {
      await ch.command({
        query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode) SETTINGS async_insert = 0
                SELECT 'default', lower(hex(number + 4096)), lower(hex(number + 1)), 'checkout', 'GET /cart', 'SPAN_KIND_SERVER', s, s + 1000000, 1000000, 'STATUS_CODE_OK'
                FROM (SELECT number, toUInt64({t:UInt64} - number * 1000) * 1000000 AS s FROM numbers(50))`,
        query_params: { t: NOW_MS - 60_000 },
      });
    },
    { metrics: createQueryMetrics(registry), resultCache: { ttlMs: 60_000 } },
  );
});
after(async () => {
  await api.close();
  dir.remove();
});

async function cacheCount(result: 'hit' | 'miss'): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'tf_query_cache_requests_total');
  return (metric?.values.find((v) => v.labels.result === result)?.value as number | undefined) ?? 0;
}

test('a repeated query is answered from the cache and counted at /metrics', async () => {
  const path = `/api/v1/services?from=${NOW_MS - 3_600_000}&to=${NOW_MS}`;
  const first = await call<Json>(api.server.url, path, { key: KEY });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-cache'), 'miss');
  assert.equal(first.body.data[0].name, 'checkout');
  const second = await call<Json>(api.server.url, path, { key: KEY });
  assert.equal(second.headers.get('x-cache'), 'hit');
  assert.deepEqual(second.body, first.body);
  assert.equal(await cacheCount('miss'), 1);
  assert.equal(await cacheCount('hit'), 1);
});

test("the cache never answers one tenant with another tenant's result", async () => {
  const path = `/api/v1/services?from=${NOW_MS - 3_600_000}&to=${NOW_MS}`;
  const beta = await call<Json>(api.server.url, path, { key: api.betaKey });
  assert.equal(beta.status, 200);
  assert.equal(beta.headers.get('x-cache'), 'miss');
  assert.deepEqual(beta.body.data, []);
});

test('errors are not cached and unauthenticated requests never reach the cache', async () => {
  const bad = await call<Json>(api.server.url, '/api/v1/services?from=yesterday', { key: KEY });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('x-cache'), null);
  const anonymous = await call<Json>(api.server.url, `/api/v1/services?from=${NOW_MS - 3_600_000}&to=${NOW_MS}`);
  assert.equal(anonymous.status, 401);
});
