import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiError } from '@telemetryflow/http-kit';
import { boundRangeMs, QueryQuotaGuard } from './query-quotas.js';

test('the range of a query comes from its bound fromNs/toNs or startMs/endMs', () => {
  assert.equal(boundRangeMs({ fromNs: 0n, toNs: 3_600_000_000_000n }), 3_600_000);
  assert.equal(boundRangeMs({ fromNs: '1000000', toNs: '2000000' }), 1);
  assert.equal(boundRangeMs({ startMs: 1000, endMs: 61_000 }), 60_000);
  assert.equal(boundRangeMs({ tenant: 't' }), null);
});

test('concurrent queries: past the quota a 429, a slot frees when a query finishes', async () => {
  const guard = new QueryQuotaGuard(async (tenant) => (tenant === 'busy' ? { maxConcurrentQueries: 2 } : {}));
  const a = await guard.enter('busy', {});
  const b = await guard.enter('busy', {});
  await assert.rejects(guard.enter('busy', {}), (err: ApiError) => {
    assert.equal(err.status, 429);
    assert.equal(err.code, 'concurrent_query_quota_exceeded');
    return true;
  });
  // Another tenant is not limited by it.
  (await guard.enter('free', {}))();
  a();
  a(); // releasing twice frees one slot only
  const c = await guard.enter('busy', {});
  await assert.rejects(guard.enter('busy', {}), { status: 429 });
  b();
  c();
});

test('range quota: a wider query is a 422 naming the limit', async () => {
  const guard = new QueryQuotaGuard(async () => ({ maxQueryRangeSeconds: 60 }));
  (await guard.enter('t', { startMs: 0, endMs: 60_000 }))();
  await assert.rejects(guard.enter('t', { startMs: 0, endMs: 60_001 }), (err: ApiError) => {
    assert.equal(err.status, 422);
    assert.equal(err.code, 'query_range_quota_exceeded');
    assert.match(err.message, /spans 61 s; this tenant's queries may span at most 60 s/);
    return true;
  });
});
