import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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
