// Saved searches (Postgres, per tenant): viewers list and apply them, editors save and delete
// them; a body the traces route would refuse is refused. And the two answers the console's
// empty states need: whether a tenant has any trace at all, and this instance's OTLP ports.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SavedSearchDto, TokenPair } from '@telemetryflow/contract';
import { addMembership, createApiKey, createTenant, createUser } from '@telemetryflow/identity';
import { SPANS } from './fixtures.js';
import { call, insertRows, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_saved_searches_test_key_0001';
const PASSWORD = 'correct horse battery staple';
const dir = tempDir('tf-saved-searches-');
let api: TestApi;
let base: string;
const tokens: Record<'viewer' | 'editor' | 'betaEditor', string> = { viewer: '', editor: '', betaEditor: '' };
let emptyKey: string;

before(async () => {
  api = await startTestApi(dir.path, KEY, (ch) => insertRows(ch, 'spans', SPANS), {
    ingestEndpoints: () => ({ otlpHttpPort: 14318, otlpGrpcPort: 14317 }),
  });
  base = api.server.url;
  const ds = api.cp.dataSource;
  const members = [
    ['viewer', 'default', 'viewer'],
    ['editor', 'default', 'editor'],
    ['betaEditor', 'beta', 'editor'],
  ] as const;
  for (const [name, tenantId, role] of members) {
    const email = `${name.toLowerCase()}@saved.test`;
    const user = await createUser(ds, { email, password: PASSWORD });
    await addMembership(ds, { userId: user.id, tenantId, role });
    const res = await call(base, '/api/v1/auth/login', { method: 'POST', body: { email, password: PASSWORD } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    tokens[name] = (res.body.data as TokenPair).accessToken;
  }
  await createTenant(ds, { id: 'gamma', name: 'Gamma' });
  emptyKey = (await createApiKey(ds, { tenantId: 'gamma', name: 'reader', scopes: ['read'] })).key;
});

after(async () => {
  await api?.close();
  dir.remove();
});

const CHECKOUT_ERRORS = {
  name: 'Checkout errors',
  signal: 'traces',
  filters: { service: 'frontend', operation: 'GET /checkout', status: 'error', minDurationMs: '100' },
  range: '6h',
};

describe('saved searches', () => {
  test('an editor saves a search; a viewer of the tenant lists it with its filters and range; another tenant does not see it', async () => {
    const created = await call<{ data: SavedSearchDto }>(base, '/api/v1/saved-searches', {
      key: tokens.editor,
      method: 'POST',
      body: CHECKOUT_ERRORS,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.data.id, /^[0-9a-f-]{36}$/);
    assert.match(created.body.data.createdBy ?? '', /^user:/);

    const listed = await call<{ data: SavedSearchDto[] }>(base, '/api/v1/saved-searches?signal=traces', {
      key: tokens.viewer,
    });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.data.map(({ name, signal, filters, range }) => ({ name, signal, filters, range })),
      [CHECKOUT_ERRORS],
    );
    const beta = await call<{ data: SavedSearchDto[] }>(base, '/api/v1/saved-searches', { key: tokens.betaEditor });
    assert.deepEqual(beta.body.data, []);
    // Beta may keep a search of the same name: names are per tenant.
    assert.equal(
      (await call(base, '/api/v1/saved-searches', { key: tokens.betaEditor, method: 'POST', body: CHECKOUT_ERRORS }))
        .status,
      201,
    );
  });

  test('a viewer can neither save nor delete; a taken name is a conflict on the name', async () => {
    const refused = await call(base, '/api/v1/saved-searches', {
      key: tokens.viewer,
      method: 'POST',
      body: { ...CHECKOUT_ERRORS, name: 'Mine' },
    });
    assert.equal(refused.status, 403);
    const [own] = (await call<{ data: SavedSearchDto[] }>(base, '/api/v1/saved-searches', { key: tokens.viewer })).body
      .data;
    assert.equal(
      (await call(base, `/api/v1/saved-searches/${own!.id}`, { key: tokens.viewer, method: 'DELETE' })).status,
      403,
    );
    const taken = await call<Json>(base, '/api/v1/saved-searches', {
      key: tokens.editor,
      method: 'POST',
      body: { ...CHECKOUT_ERRORS, range: '1h' },
    });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'conflict');
    assert.deepEqual(taken.body.error.details, { field: 'name' });
  });

  test('the body must be a search the traces route runs, with a relative range', async () => {
    const bad = async (body: unknown) => {
      const res = await call<Json>(base, '/api/v1/saved-searches', { key: tokens.editor, method: 'POST', body });
      assert.equal(res.status, 400, JSON.stringify(body));
      return JSON.stringify(res.body.error);
    };
    assert.match(await bad({ ...CHECKOUT_ERRORS, name: '  ' }), /name/);
    assert.match(await bad({ ...CHECKOUT_ERRORS, name: 'a', range: '1w' }), /range/);
    assert.match(await bad({ ...CHECKOUT_ERRORS, name: 'b', filters: { minDurationMs: 'NaN' } }), /minDurationMs/);
    assert.match(await bad({ ...CHECKOUT_ERRORS, name: 'c', filters: { status: 'broken' } }), /status/);
    assert.match(await bad({ ...CHECKOUT_ERRORS, name: 'd', filters: { from: '0' } }), /from/);
    assert.match(await bad({ ...CHECKOUT_ERRORS, name: 'e', filters: { colour: 'red' } }), /colour/);
    assert.match(await bad({ ...CHECKOUT_ERRORS, name: 'f', signal: 'logs' }), /signal/);
    // Attribute filters are filters too.
    const ok = await call(base, '/api/v1/saved-searches', {
      key: tokens.editor,
      method: 'POST',
      body: { name: 'Declined cards', signal: 'traces', filters: { 'attr.card.result': 'declined' }, range: '7d' },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });

  test('an editor deletes a saved search of the tenant; another tenant’s id is not found', async () => {
    const list = async (key: string) =>
      (await call<{ data: SavedSearchDto[] }>(base, '/api/v1/saved-searches', { key })).body.data;
    const [betaSearch] = await list(tokens.betaEditor);
    assert.equal(
      (await call(base, `/api/v1/saved-searches/${betaSearch!.id}`, { key: tokens.editor, method: 'DELETE' })).status,
      404,
    );
    assert.equal((await list(tokens.betaEditor)).length, 1);
    const target = (await list(tokens.editor)).find((s) => s.name === 'Declined cards')!;
    assert.equal(
      (await call(base, `/api/v1/saved-searches/${target.id}`, { key: tokens.editor, method: 'DELETE' })).status,
      204,
    );
    assert.deepEqual(
      (await list(tokens.viewer)).map((s) => s.name),
      ['Checkout errors'],
    );
    assert.equal(
      (await call(base, `/api/v1/saved-searches/${target.id}`, { key: tokens.editor, method: 'DELETE' })).status,
      404,
    );
  });
});

describe('what the empty states need', () => {
  test('whether a tenant has any trace at all, whatever the range', async () => {
    const presence = async (key: string) =>
      (await call<{ data: { stored: boolean } }>(base, '/api/v1/traces/presence', { key })).body.data.stored;
    assert.equal(await presence(KEY), true);
    assert.equal(await presence(api.betaKey), true);
    assert.equal(await presence(emptyKey), false);
  });

  test('the OTLP ports of this instance', async () => {
    const res = await call(base, '/api/v1/ingest-endpoints', { key: tokens.viewer });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { otlpHttpPort: 14318, otlpGrpcPort: 14317 });
  });
});
