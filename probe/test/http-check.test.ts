import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TARGET_NOT_ALLOWED } from '../src/index.js';
import { checker, DEFAULT_GUARD } from './check-harness.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { makeCertificate, startHttpServer, startHttpsServer, type TestCertificate, type WebServer } from './targets.js';

const servers: WebServer[] = [];
let dns: DnsServer;
let nearExpiry: TestCertificate;

async function http(handler: Parameters<typeof startHttpServer>[0], host?: string): Promise<WebServer> {
  const s = await startHttpServer(handler, host);
  servers.push(s);
  return s;
}

before(async () => {
  dns = await startDnsServer({
    'localhost.test': { A: ['127.0.0.1'] },
    'internal.test': { A: ['10.1.2.3'] },
    'metadata.test': { A: ['169.254.169.254'] },
  });
  nearExpiry = await makeCertificate(3);
});
after(async () => {
  for (const s of servers) await s.close();
  await dns.close();
});

describe('HTTP check', () => {
  it('sends the configured method, headers and body, and is up when every assertion holds', async () => {
    const s = await http((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', build: 'v2.3.1', items: [{ n: 3 }] }));
    });
    const r = await checker()({
      kind: 'http',
      url: `${s.url}/health?deep=1`,
      method: 'POST',
      headers: { 'x-probe': 'yes', 'content-type': 'application/json' },
      body: '{"ping":1}',
      keyword: { value: 'OK', caseSensitive: false },
      bodyRegex: 'v\\d+\\.\\d+\\.\\d+',
      jsonPath: { path: '$.items[0].n', op: '>=', value: '3' },
    });
    assert.equal(r.up, true, r.error);
    assert.equal(r.statusCode, 200);
    assert.equal(r.monitorId, 'mon-1');
    assert.equal(r.location, 'test');
    assert.equal(r.kind, 'http');
    assert.ok(r.latencyMs >= 0);
    assert.equal(r.error, undefined);
    assert.deepEqual(
      s.seen.map((x) => [x.method, x.path, x.headers['x-probe'], x.body]),
      [['POST', '/health?deep=1', 'yes', '{"ping":1}']],
    );
  });

  it('each assertion that fails is the error, with the status code kept', async () => {
    const s = await http((req, res) => {
      if (req.path === '/down') return void res.writeHead(503).end('maintenance');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"degraded","items":[]}');
    });
    const check = checker();
    const down = await check({ kind: 'http', url: `${s.url}/down` });
    assert.deepEqual([down.up, down.statusCode, down.error], [false, 503, 'HTTP 503, expected 200-299']);
    assert.equal(
      (await check({ kind: 'http', url: `${s.url}/down`, acceptedStatus: ['200-299', '503'] })).up,
      true,
      'an accepted status',
    );
    assert.equal(
      (await check({ kind: 'http', url: s.url, keyword: { value: '"ok"' } })).error,
      'keyword "\\"ok\\"" not found in the body',
    );
    assert.equal(
      (await check({ kind: 'http', url: s.url, keyword: { value: 'degraded', present: false } })).error,
      'keyword "degraded" found in the body',
    );
    assert.equal(
      (await check({ kind: 'http', url: s.url, bodyRegex: '"status":"ok"' })).error,
      'body does not match /"status":"ok"/',
    );
    assert.equal(
      (await check({ kind: 'http', url: s.url, jsonPath: { path: '$.status', value: 'ok' } })).error,
      '$.status is "degraded", expected == "ok"',
    );
    assert.equal(
      (await check({ kind: 'http', url: s.url, jsonPath: { path: '$.items[0].n', value: '3' } })).error,
      '$.items[0].n not found in the body',
    );
    const r = await check({ kind: 'http', url: s.url, jsonPath: { path: '$.status', value: 'degraded' } });
    assert.equal(r.up, true);
  });

  it('a response slower than maxResponseMs is down', async () => {
    const s = await http((_req, res) => void setTimeout(() => res.end('late'), 400));
    const r = await checker()({ kind: 'http', url: s.url, maxResponseMs: 100 });
    assert.equal(r.up, false);
    assert.match(r.error!, /^responded in \d+ ms, more than 100 ms$/);
    assert.ok(r.latencyMs >= 400);
  });

  it('a server that does not answer within the timeout is down with "timed out"', async () => {
    const s = await http(() => {});
    const r = await checker()({ kind: 'http', url: s.url }, { timeout: '1s' });
    assert.deepEqual([r.up, r.error], [false, 'timed out after 1 s']);
  });

  it('a closed port is "connection refused", without the socket message', async () => {
    const s = await http((_req, res) => void res.end());
    await s.close();
    const check = checker();
    const r = await check({ kind: 'http', url: s.url });
    assert.deepEqual([r.up, r.error], [false, 'connection refused']);
    assert.match(check.logged.join('\n'), /ECONNREFUSED/, 'the detail goes to the log');
  });
});

describe('HTTPS check', () => {
  it('a certificate near expiry: its expiry is reported and the check is down under certificateMinDaysLeft', async () => {
    const s = await startHttpsServer((_req, res) => void res.end('secure'), nearExpiry);
    servers.push(s);
    const check = checker({ extraCa: [nearExpiry.cert] });
    const strict = await check({ kind: 'http', url: s.url, certificateMinDaysLeft: 14 });
    assert.equal(strict.up, false);
    assert.equal(strict.statusCode, 200);
    assert.equal(strict.error, 'TLS certificate expires in 2 day(s), fewer than 14');
    assert.equal(strict.certificateExpiresAt, nearExpiry.notAfter.toISOString());
    const lenient = await check({ kind: 'http', url: s.url, certificateMinDaysLeft: 2 });
    assert.equal(lenient.up, true, lenient.error);
    assert.equal(lenient.certificateExpiresAt, nearExpiry.notAfter.toISOString());
  });

  it('an untrusted certificate is down unless ignoreTlsErrors, which still reports its expiry', async () => {
    const s = await startHttpsServer((_req, res) => void res.end('secure'), nearExpiry);
    servers.push(s);
    const r = await checker()({ kind: 'http', url: s.url });
    assert.deepEqual([r.up, r.error], [false, 'TLS certificate is not trusted (self-signed)']);
    const ignored = await checker()({ kind: 'http', url: s.url, ignoreTlsErrors: true });
    assert.equal(ignored.up, true, ignored.error);
    assert.equal(ignored.certificateExpiresAt, nearExpiry.notAfter.toISOString());
  });

  it('a certificate for another name is refused', async () => {
    const s = await startHttpsServer((_req, res) => void res.end('secure'), nearExpiry);
    servers.push(s);
    const r = await checker({ extraCa: [nearExpiry.cert], resolve: (h) => dns.resolve(h) })({
      kind: 'http',
      url: `https://localhost.test:${s.port}/`,
    });
    assert.deepEqual([r.up, r.error], [false, 'TLS certificate does not match the host name']);
  });
});

describe('HTTP redirects', () => {
  it('are followed to the final response, with 303 turning a POST into a GET', async () => {
    const s = await http((req, res) => {
      if (req.path === '/start') return void res.writeHead(303, { location: '/middle' }).end();
      if (req.path === '/middle') return void res.writeHead(307, { location: `${s.url}/final` }).end();
      res.end('arrived');
    });
    const r = await checker()({
      kind: 'http',
      url: `${s.url}/start`,
      method: 'POST',
      body: 'x',
      keyword: { value: 'arrived' },
    });
    assert.equal(r.up, true, r.error);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(
      s.seen.map((x) => `${x.method} ${x.path} ${x.body}`),
      ['POST /start x', 'GET /middle ', 'GET /final '],
    );
  });

  it('stop at the hop limit', async () => {
    const s = await http((req, res) => void res.writeHead(302, { location: `/loop${req.path.length}` }).end());
    const r = await checker()({ kind: 'http', url: `${s.url}/`, maxRedirects: 2 });
    assert.deepEqual([r.up, r.error], [false, 'more than 2 redirect(s)']);
    assert.equal(s.seen.length, 3);
  });

  it('with maxRedirects 0 the redirect itself is the response', async () => {
    const s = await http((_req, res) => void res.writeHead(301, { location: '/elsewhere' }).end());
    const check = checker();
    const r = await check({ kind: 'http', url: s.url, maxRedirects: 0 });
    assert.deepEqual([r.up, r.statusCode, r.error], [false, 301, 'HTTP 301, expected 200-299']);
    assert.equal((await check({ kind: 'http', url: s.url, maxRedirects: 0, acceptedStatus: ['301'] })).up, true);
  });

  it('to a private address are refused, though the first target was allowed', async () => {
    const inner = await http((_req, res) => void res.end('internal secret'), '127.0.0.2');
    const targets = [
      `${inner.url}/`,
      'http://169.254.169.254/latest/meta-data/',
      `http://internal.test:${inner.port}/`,
      `http://metadata.test/`,
    ];
    const s = await http(
      (req, res) => void res.writeHead(302, { location: targets[Number(req.path.slice(1))]! }).end(),
    );
    const check = checker({ resolve: (h) => dns.resolve(h) });
    for (const [i, target] of targets.entries()) {
      const r = await check({ kind: 'http', url: `${s.url}/${i}` });
      assert.deepEqual([r.up, r.error], [false, TARGET_NOT_ALLOWED], target);
      assert.equal(r.statusCode, undefined);
      assert.ok(!r.error!.includes('10.1.2.3') && !r.error!.includes('169.254'), 'no address in the error');
    }
    assert.equal(inner.seen.length, 0, 'the private server was never reached');
  });

  it('to another origin do not carry credentials', async () => {
    const other = await http((_req, res) => void res.end('other'));
    const s = await http(
      (_req, res) => void res.writeHead(302, { location: `http://localhost.test:${other.port}/` }).end(),
    );
    const r = await checker({ resolve: (h) => dns.resolve(h) })({
      kind: 'http',
      url: s.url,
      headers: { authorization: 'Bearer s3cret', 'x-trace': '1' },
    });
    assert.equal(r.up, true, r.error);
    assert.equal(s.seen[0]!.headers.authorization, 'Bearer s3cret');
    assert.equal(other.seen[0]!.headers.authorization, undefined);
    assert.equal(other.seen[0]!.headers['x-trace'], '1');
  });
});

describe('SSRF guard on HTTP targets', () => {
  it('a monitor aimed at 127.0.0.1 or 169.254.169.254 is refused without a connection', async () => {
    const s = await http((_req, res) => void res.end('loopback'));
    const check = checker({ guard: DEFAULT_GUARD });
    for (const url of [s.url, 'http://169.254.169.254/latest/meta-data/', `http://[::ffff:127.0.0.1]:${s.port}/`]) {
      const r = await check({ kind: 'http', url });
      assert.deepEqual([r.up, r.error], [false, TARGET_NOT_ALLOWED], url);
    }
    assert.equal(s.seen.length, 0);
  });

  it('a name that resolves to a private address is refused at connect time', async () => {
    const r = await checker({ resolve: (h) => dns.resolve(h) })({ kind: 'http', url: 'http://internal.test/' });
    assert.deepEqual([r.up, r.error], [false, TARGET_NOT_ALLOWED]);
  });
});
