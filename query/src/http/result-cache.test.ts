import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResultCache, resultCacheKey } from './result-cache.js';

test('a kept result is served until its TTL, then computed again', async () => {
  let now = 1000;
  const cache = new ResultCache({ ttlMs: 80, maxBytes: 1 << 20, now: () => now });
  let runs = 0;
  const compute = async () => ({ data: ++runs });
  assert.deepEqual(await cache.get('k', compute), { value: { data: 1 }, outcome: 'miss' });
  now += 79;
  assert.deepEqual(await cache.get('k', compute), { value: { data: 1 }, outcome: 'hit' });
  now += 41;
  assert.deepEqual(await cache.get('k', compute), { value: { data: 2 }, outcome: 'miss' });
});

test('identical queries in flight share one execution', async () => {
  const cache = new ResultCache({ ttlMs: 10_000, maxBytes: 1 << 20 });
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const compute = async () => {
    runs++;
    await gate;
    return { data: 'x' };
  };
  const all = Promise.all([cache.get('k', compute), cache.get('k', compute), cache.get('k', compute)]);
  release();
  const outcomes = (await all).map((r) => r.outcome);
  assert.equal(runs, 1);
  assert.deepEqual(outcomes, ['miss', 'coalesced', 'coalesced']);
});

test('failures are not kept, and results above a tenth of the bound are not kept', async () => {
  const cache = new ResultCache({ ttlMs: 10_000, maxBytes: 1000 });
  await assert.rejects(
    cache.get('k', async () => Promise.reject(new Error('store down'))),
    /store down/,
  );
  assert.equal((await cache.get('k', async () => 'ok')).outcome, 'miss');
  const big = 'x'.repeat(200);
  await cache.get('big', async () => big);
  assert.equal((await cache.get('big', async () => big)).outcome, 'miss');
  assert.equal(cache.size, 1);
});

test('ttl 0 turns the cache off', async () => {
  const cache = new ResultCache({ ttlMs: 0, maxBytes: 1000 });
  let runs = 0;
  await cache.get('k', async () => ++runs);
  await cache.get('k', async () => ++runs);
  assert.equal(runs, 2);
});

test('the key separates tenants and ignores query parameter order', () => {
  const a = resultCacheKey('t1', 'GET', '/api/v1/logs?from=1&q=err', undefined);
  assert.equal(a, resultCacheKey('t1', 'GET', '/api/v1/logs?q=err&from=1', undefined));
  assert.notEqual(a, resultCacheKey('t2', 'GET', '/api/v1/logs?from=1&q=err', undefined));
  assert.notEqual(a, resultCacheKey('t1', 'GET', '/api/v1/logs?from=1&q=error', undefined));
  assert.notEqual(
    resultCacheKey('t1', 'POST', '/api/v1/metrics/query', { metric: 'a' }),
    resultCacheKey('t1', 'POST', '/api/v1/metrics/query', { metric: 'b' }),
  );
});
