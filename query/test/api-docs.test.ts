import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startQueryServer } from '../src/index.js';
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
  const undescribed = Object.entries(res.body.paths as Record<string, Record<string, { summary: string; operationId: string }>>)
    .filter(([path]) => path.startsWith('/api/v1/') && path !== '/api/v1/openapi.json')
    .flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => op.summary === op.operationId).map(([method]) => `${method} ${path}`));
  assert.deepEqual(undescribed, [], 'every API route declares its request schema with @ApiRoute');
  assert.equal(res.body.paths['/api/v1/services/{service}/red'].get.parameters.find((p: Json) => p.name === 'resolution').schema.enum.join(), 'auto,raw');
  const login = res.body.paths['/api/v1/auth/login'].post;
  assert.deepEqual(login.security, []);
  assert.ok(login.responses['429'], 'the rate-limited login documents its 429');
  assert.equal(trace.responses['429'], undefined);
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

test('searches and series queries are rate limited per credential: 429 with Retry-After beyond the budget', async () => {
  const limited = await startQueryServer({
    host: '127.0.0.1', port: 0, clickhouse: api.ch, controlPlane: api.cp, clickhouseMigrated: async () => true,
    rateLimits: { heavy: { requests: 2, perSeconds: 3600 } },
  });
  try {
    for (let i = 0; i < 2; i++) assert.equal((await call(limited.url, `/api/v1/logs?limit=${i + 1}`, { key: KEY })).status, 200);
    const blocked = await call<Json>(limited.url, '/api/v1/traces', { key: KEY });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, 'rate_limited');
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    assert.equal((await call(limited.url, '/api/v1/logs', { key: api.betaKey })).status, 200, 'another credential has its own budget');
    assert.equal((await call(limited.url, '/api/v1/services', { key: KEY })).status, 200, 'light reads are not counted');
  } finally {
    await limited.close();
  }
});
