import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashApiKey } from './api-key-secrets.js';
import { ApiKeyAuthenticator, type ApiKeyStore, type StoredKey } from './authenticator.js';

function fakeStore(keys: Record<string, StoredKey>) {
  const calls = { find: 0, touch: [] as string[] };
  const store: ApiKeyStore = {
    async findActiveByPrefix(prefix) {
      calls.find++;
      return Object.entries(keys)
        .filter(([k]) => k.startsWith(prefix))
        .map(([, v]) => v);
    },
    async touch(id) {
      calls.touch.push(id);
    },
  };
  return { store, calls };
}

const KEY = 'tf_abcdefghijklmnop';
const stored: StoredKey = { id: 'k1', tenantId: 't1', keyHash: hashApiKey(KEY), scopes: ['read'] };

test('known key → credential; unknown and look-alike prefix → null', async () => {
  const { store } = fakeStore({ [KEY]: stored });
  const auth = new ApiKeyAuthenticator(store);
  assert.deepEqual(await auth.authenticate(KEY), { tenantId: 't1', scopes: ['read'] });
  assert.equal(await auth.authenticate('tf_abcdeXXXXXX'), null);
  assert.equal(await auth.authenticate(''), null);
  await auth.drain();
});

test('the tenant retention of a key travels with its credential, cached with it', async () => {
  const { store, calls } = fakeStore({
    [KEY]: { ...stored, scopes: ['ingest'], rawRetentionDays: { traces: 3, logs: 7, metrics: 30 } },
  });
  const auth = new ApiKeyAuthenticator(store);
  assert.deepEqual(await auth.authenticate(KEY), {
    tenantId: 't1',
    scopes: ['ingest'],
    rawRetentionDays: { traces: 3, logs: 7, metrics: 30 },
  });
  await auth.authenticate(KEY);
  assert.equal(calls.find, 1);
  await auth.drain();
});

test('results are cached for the TTL, then looked up again', async () => {
  let now = 1_000_000;
  const { store, calls } = fakeStore({ [KEY]: stored });
  const auth = new ApiKeyAuthenticator(store, { ttlMs: 10_000, now: () => now });
  await auth.authenticate(KEY);
  await auth.authenticate(KEY);
  assert.equal(calls.find, 1);
  now += 10_001;
  await auth.authenticate(KEY);
  assert.equal(calls.find, 2);
  await auth.drain();
});

test('last_used_at is touched at most once per interval', async () => {
  let now = 1_000_000;
  const { store, calls } = fakeStore({ [KEY]: stored });
  const auth = new ApiKeyAuthenticator(store, { now: () => now, touchIntervalMs: 60_000 });
  await auth.authenticate(KEY);
  now += 30_000;
  await auth.authenticate(KEY);
  await auth.drain();
  assert.deepEqual(calls.touch, ['k1']);
  now += 31_000;
  await auth.authenticate(KEY);
  await auth.drain();
  assert.deepEqual(calls.touch, ['k1', 'k1']);
});

test('cache is bounded', async () => {
  const { store, calls } = fakeStore({ [KEY]: stored });
  const auth = new ApiKeyAuthenticator(store, { maxEntries: 2 });
  await auth.authenticate(KEY);
  await auth.authenticate('tf_other1');
  await auth.authenticate('tf_other2');
  await auth.authenticate(KEY); // evicted → looked up again
  assert.equal(calls.find, 4);
  await auth.drain();
});

test('concurrent cold look-ups of one key share a single query', async () => {
  const { store, calls } = fakeStore({ [KEY]: stored });
  const auth = new ApiKeyAuthenticator(store);
  const results = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(KEY)));
  assert.equal(calls.find, 1);
  assert.ok(results.every((r) => r?.tenantId === 't1'));
  await auth.drain();
});

test('invalidate drops a cached key at once, and a look-up under way when it is called is not cached', async () => {
  const keys: Record<string, StoredKey> = { [KEY]: stored };
  const { store, calls } = fakeStore(keys);
  const auth = new ApiKeyAuthenticator(store, { ttlMs: 60_000 });
  assert.ok(await auth.resolveKey(KEY));
  assert.deepEqual(await auth.resolveKey(KEY), { keyId: 'k1', tenantId: 't1', scopes: ['read'] });
  delete keys[KEY]; // revoked in the database
  assert.ok(await auth.authenticate(KEY), 'still cached before invalidate');
  auth.invalidate('k1');
  assert.equal(await auth.authenticate(KEY), null);
  assert.equal(calls.find, 2);

  await auth.drain();

  const fresh = fakeStore({ [KEY]: stored });
  const racing = new ApiKeyAuthenticator(fresh.store, { ttlMs: 60_000 });
  const pending = racing.authenticate(KEY);
  racing.invalidate('k1');
  await pending;
  await racing.authenticate(KEY);
  assert.equal(fresh.calls.find, 2, 'the look-up that raced the invalidation was not kept');
  await racing.authenticate(KEY);
  assert.equal(fresh.calls.find, 2, 'later look-ups are cached again');
  await racing.drain();
});
