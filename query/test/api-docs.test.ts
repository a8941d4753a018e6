import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startQueryServer } from '../src/app/index.js';
import { call, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_docs_test_key_0123456789abcdefghijkl';
const dir = tempDir('tf-api-docs-');
let api: TestApi;

before(async () => {
  api = await startTestApi(dir.path, KEY, async () => {});
});
after(async () => {
  await api.close();
  dir.remove();
});

test('the OpenAPI document is public and lists the API routes with their permissions', async () => {
  const res = await call<Json>(api.server.url, '/api/v1/openapi.json');
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, '3.1.0');
  const trace = res.body.paths['/api/v1/traces/{traceId}'].get;
  assert.deepEqual(trace.security, [{ bearer: [] }]);
  assert.equal(trace['x-required-permission'], 'read');
  assert.equal(res.body.paths['/api/v1/retention'].put['x-required-permission'], 'admin');
  assert.deepEqual(res.body.paths['/health'].get.security, []);
  const undescribed = Object.entries(
    res.body.paths as Record<string, Record<string, { summary: string; operationId: string }>>,
  )
    .filter(([path]) => path.startsWith('/api/v1/') && path !== '/api/v1/openapi.json')
    .flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.summary === op.operationId)
        .map(([method]) => `${method} ${path}`),
    );
  assert.deepEqual(undescribed, [], 'every API route declares its request schema with @ApiRoute');
  assert.equal(
    res.body.paths['/api/v1/services/{service}/red'].get.parameters
      .find((p: Json) => p.name === 'resolution')
      .schema.enum.join(),
    'auto,raw',
  );
  const login = res.body.paths['/api/v1/auth/login'].post;
  assert.deepEqual(login.security, []);
  assert.ok(login.responses['429'], 'the rate-limited login documents its 429');
  assert.ok(trace.responses['429'], 'so does the rate-limited trace by id');
  assert.equal(
    res.body.paths['/api/v1/services'].get.responses['429'],
    undefined,
    'a route without a limit has no 429',
  );
});

test('/api/docs is a browsable page whose assets are served locally', async () => {
  const page = await fetch(`${api.server.url}/api/docs`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const html = await page.text();
  for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    const asset = await fetch(api.server.url + src[1]!);
    assert.equal(asset.status, 200, src[1]);
    assert.ok((await asset.arrayBuffer()).byteLength > 0, src[1]);
  }
  const missing = await call<Json>(api.server.url, '/api/docs/package.json');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'not_found');
});

test('every route that reads raw rows is rate limited per credential; attribute suggestions on a budget of their own', () => {
  const limited = (policy: string) =>
    api.server
      .routes()
      .filter((r) => r.rateLimit === policy)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
  assert.deepEqual(limited('heavy'), [
    'GET /api/v1/dashboards/:id/variables/:name/values',
    'GET /api/v1/logs',
    'GET /api/v1/logs/histogram',
    'GET /api/v1/logs/volume',
    'GET /api/v1/metrics/exemplars',
    'GET /api/v1/service-map',
    'GET /api/v1/traces',
    'GET /api/v1/traces/:traceId',
    'GET /api/v1/traces/heatmap',
    'GET /prometheus/api/v1/query',
    'GET /prometheus/api/v1/query_exemplars',
    'GET /prometheus/api/v1/query_range',
    'POST /api/v1/dashboards/:id/render',
    'POST /api/v1/metrics/query',
    'POST /api/v1/query',
    'POST /prometheus/api/v1/query',
    'POST /prometheus/api/v1/query_exemplars',
    'POST /prometheus/api/v1/query_range',
  ]);
  assert.deepEqual(limited('suggestions'), [
    'GET /api/v1/traces/attributes',
    'GET /api/v1/traces/attributes/:key/values',
    'GET /prometheus/api/v1/label/:name/values',
    'GET /prometheus/api/v1/labels',
    'GET /prometheus/api/v1/series',
    'POST /prometheus/api/v1/labels',
    'POST /prometheus/api/v1/series',
  ]);
});

test('trace by id, exemplars and attribute suggestions answer 429 with Retry-After beyond their budgets', async () => {
  const limited = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: api.ch,
    controlPlane: api.cp,
    clickhouseMigrated: async () => true,
    rateLimits: { heavy: { requests: 2, perSeconds: 3600 }, suggestions: { requests: 1, perSeconds: 3600 } },
  });
  try {
    const traceId = '0123456789abcdef0123456789abcdef';
    assert.equal((await call(limited.url, `/api/v1/traces/${traceId}`, { key: KEY })).status, 404);
    assert.equal((await call(limited.url, '/api/v1/metrics/exemplars?metric=m', { key: KEY })).status, 200);
    for (const path of [`/api/v1/traces/${traceId}`, '/api/v1/metrics/exemplars?metric=m']) {
      const blocked = await call<Json>(limited.url, path, { key: KEY });
      assert.equal(blocked.status, 429, path);
      assert.ok(Number(blocked.headers.get('retry-after')) >= 1, path);
    }
    assert.equal(
      (await call(limited.url, '/api/v1/traces/attributes', { key: KEY })).status,
      200,
      'suggestions have their own budget',
    );
    assert.equal(
      (await call(limited.url, '/api/v1/traces/attributes/attr.http.route/values', { key: KEY })).status,
      429,
    );
  } finally {
    await limited.close();
  }
});

test('searches and series queries are rate limited per credential: 429 with Retry-After beyond the budget', async () => {
  const limited = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: api.ch,
    controlPlane: api.cp,
    clickhouseMigrated: async () => true,
    rateLimits: { heavy: { requests: 2, perSeconds: 3600 } },
  });
  try {
    for (let i = 0; i < 2; i++)
      assert.equal((await call(limited.url, `/api/v1/logs?limit=${i + 1}`, { key: KEY })).status, 200);
    const blocked = await call<Json>(limited.url, '/api/v1/traces', { key: KEY });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, 'rate_limited');
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    assert.equal(
      (await call(limited.url, '/api/v1/logs', { key: api.betaKey })).status,
      200,
      'another credential has its own budget',
    );
    assert.equal(
      (await call(limited.url, '/api/v1/services', { key: KEY })).status,
      200,
      'light reads are not counted',
    );
  } finally {
    await limited.close();
  }
});
