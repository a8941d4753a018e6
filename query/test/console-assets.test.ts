// The query service serving a built console at `/`: files of the build, index.html for every
// other page path (history-mode routes), and the API's own 404s left alone.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_console_assets_key_0123456789';
const INDEX = '<!doctype html><title>console</title>';

describe('console served at /', () => {
  const data = tempDir('tf-console-assets-');
  const consoleDir = join(data.path, 'web');
  let api: TestApi;
  let base: string;

  before(async () => {
    mkdirSync(join(consoleDir, 'assets'), { recursive: true });
    writeFileSync(join(consoleDir, 'index.html'), INDEX);
    writeFileSync(join(consoleDir, 'assets', 'index-3f2a.js'), 'console.log(1)');
    api = await startTestApi(join(data.path, 'ch'), KEY, async () => {}, { consoleDir });
    base = api.server.url;
  });
  after(async () => {
    await api?.close();
    data.remove();
  });

  test('a deep link of the console answers its page, not cached', async () => {
    for (const path of [
      '/',
      '/services',
      '/traces/0af7651916cd43dd8448eb211c80319c?span=b7ad6b7169203331',
      '/dashboards/x/y',
    ]) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.equal(await res.text(), INDEX);
    }
  });

  test('hashed assets are served for a year; a missing one is a 404, not the page', async () => {
    const res = await fetch(`${base}/assets/index-3f2a.js`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await res.text(), 'console.log(1)');
    const missing = await fetch(`${base}/assets/gone-1234.js`);
    assert.equal(missing.status, 404);
  });

  test('console pages and assets carry CSP, framing, sniffing and referrer headers', async () => {
    for (const path of ['/', '/services', '/assets/index-3f2a.js']) {
      const res = await fetch(`${base}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "connect-src 'self'",
      ]) {
        assert.ok(csp.split('; ').includes(directive), `${path}: ${directive} in ${csp}`);
      }
      assert.doesNotMatch(csp, /script-src[^;]*unsafe/, 'no inline or eval scripts');
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    }
    assert.equal(
      (await fetch(`${base}/api/v1/services`)).headers.get('x-content-type-options'),
      'nosniff',
      'API answers too',
    );
  });

  test('the API, its unknown paths and the probes keep their answers', async () => {
    const unknown = await fetch(`${base}/api/v1/no-such-route`);
    assert.equal(unknown.status, 404);
    const body = (await unknown.json()) as { error: { code: string; requestId: string } };
    assert.equal(body.error.code, 'not_found');
    assert.ok(body.error.requestId);
    assert.equal((await fetch(`${base}/api/v1/services`)).status, 401);
    assert.equal((await fetch(`${base}/health`)).status, 200);
    const traversal = await fetch(`${base}/..%2f..%2fpackage.json`);
    assert.equal(await traversal.text(), INDEX);
  });
});
