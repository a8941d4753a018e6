import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { RESOLVER_NOT_ALLOWED, TARGET_NOT_ALLOWED } from '../src/index.js';
import { checker, DEFAULT_GUARD } from './check-harness.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import {
  makeCertificate,
  startHttpsServer,
  startTcpListener,
  type TestCertificate,
  type WebServer,
} from './targets.js';

let dns: DnsServer;
let cert: TestCertificate;
let tlsServer: WebServer;

before(async () => {
  dns = await startDnsServer({
    'example.test': {
      A: ['93.184.215.14', '151.101.1.69'],
      AAAA: ['2001:db8:0:0::1'],
      NS: ['ns1.example.test.'],
      TXT: ['v=spf1 -all'],
      MX: [
        { preference: 10, exchange: 'mail.example.test' },
        { preference: 20, exchange: 'backup.example.test' },
      ],
    },
    'www.example.test': { CNAME: ['example.test'] },
    '_sip._tcp.example.test': { SRV: [{ priority: 10, weight: 5, port: 5060, target: 'sip.example.test' }] },
    'empty.example.test': {},
    'db.internal.test': { A: ['10.0.3.4'] },
    'localhost.test': { A: ['127.0.0.1'] },
  });
  cert = await makeCertificate(3);
  tlsServer = await startHttpsServer((_req, res) => void res.end(), cert);
});
after(async () => {
  await tlsServer.close();
  await dns.close();
});

describe('TCP check', () => {
  it('is up while the port accepts connections and "connection refused" once it is closed', async () => {
    const listener = await startTcpListener();
    const check = checker();
    const up = await check({ kind: 'tcp', host: '127.0.0.1', port: listener.port });
    assert.equal(up.up, true, up.error);
    assert.equal(listener.connections, 1);
    await listener.close();
    const down = await check({ kind: 'tcp', host: '127.0.0.1', port: listener.port });
    assert.deepEqual([down.up, down.error], [false, 'connection refused']);
  });

  it('connects to a name through the guarded lookup', async () => {
    const listener = await startTcpListener();
    const r = await checker({ resolve: (h) => dns.resolve(h) })({
      kind: 'tcp',
      host: 'localhost.test',
      port: listener.port,
    });
    assert.equal(r.up, true, r.error);
    await listener.close();
  });

  it('a target at 127.0.0.1 or 169.254.169.254, or a name resolving to a private address, is refused', async () => {
    const listener = await startTcpListener();
    const guarded = checker({ guard: DEFAULT_GUARD, resolve: (h) => dns.resolve(h) });
    for (const host of ['127.0.0.1', '169.254.169.254', 'localhost.test', 'db.internal.test']) {
      const r = await guarded({ kind: 'tcp', host, port: listener.port });
      assert.deepEqual([r.up, r.error], [false, TARGET_NOT_ALLOWED], host);
    }
    assert.equal(listener.connections, 0);
    await listener.close();
  });
});

describe('DNS check', () => {
  const ask = () => checker();
  const at = () => dns.address;

  it('answers every record type, and is up when the expected values are among the answers', async () => {
    const cases: [string, string, string[]][] = [
      ['example.test', 'A', ['151.101.1.69']],
      ['example.test', 'AAAA', ['2001:db8::1']],
      ['www.example.test', 'CNAME', ['example.test']],
      ['example.test', 'MX', ['10 mail.example.test.', '20 backup.example.test']],
      ['example.test', 'NS', ['ns1.example.test']],
      ['example.test', 'TXT', ['v=spf1 -all']],
      ['_sip._tcp.example.test', 'SRV', ['10 5 5060 sip.example.test']],
    ];
    for (const [name, recordType, expected] of cases) {
      const r = await ask()({ kind: 'dns', name, recordType, resolver: at(), expected });
      assert.equal(r.up, true, `${name} ${recordType}: ${r.error}`);
    }
    assert.ok(dns.questions.includes('_sip._tcp.example.test SRV'), 'the test server was asked');
  });

  it('an unexpected answer, a missing record and an unknown name are down with what was found', async () => {
    const wrong = await ask()({ kind: 'dns', name: 'example.test', resolver: at(), expected: ['93.184.215.99'] });
    assert.deepEqual(
      [wrong.up, wrong.error],
      [false, 'expected "93.184.215.99" among the A answers, got "93.184.215.14", "151.101.1.69"'],
    );
    const none = await ask()({ kind: 'dns', name: 'empty.example.test', recordType: 'MX', resolver: at() });
    assert.deepEqual([none.up, none.error], [false, 'empty.example.test has no MX record']);
    const unknown = await ask()({ kind: 'dns', name: 'nope.example.test', resolver: at() });
    assert.deepEqual([unknown.up, unknown.error], [false, 'nope.example.test: no such domain (NXDOMAIN)']);
  });

  it('a resolver at a private address is refused unless allow-listed', async () => {
    const r = await checker({ guard: DEFAULT_GUARD })({ kind: 'dns', name: 'example.test', resolver: at() });
    assert.deepEqual([r.up, r.error], [false, RESOLVER_NOT_ALLOWED]);
    const before = dns.questions.length;
    const meta = await checker()({ kind: 'dns', name: 'example.test', resolver: '169.254.169.254' });
    assert.deepEqual([meta.up, meta.error], [false, RESOLVER_NOT_ALLOWED]);
    assert.equal(dns.questions.length, before);
  });

  it("the probe's own resolvers do not reveal internal addresses", async () => {
    const probeDns = checker({ dnsServers: [dns.address] });
    const r = await probeDns({ kind: 'dns', name: 'db.internal.test', expected: ['10.0.3.4'] });
    assert.deepEqual(
      [r.up, r.error],
      [false, 'db.internal.test resolves to a private, loopback, link-local or reserved address'],
    );
    assert.equal(
      (await probeDns({ kind: 'dns', name: 'example.test', expected: ['93.184.215.14'] })).up,
      true,
      'public answers are checked as usual',
    );
  });

  it('a resolver that does not answer times out', async () => {
    const silent = createSocket('udp4');
    let asked = 0;
    silent.on('message', () => asked++);
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const r = await ask()(
      { kind: 'dns', name: 'example.test', resolver: `127.0.0.1:${silent.address().port}` },
      { timeout: '1s' },
    );
    assert.deepEqual([r.up, r.error], [false, 'timed out after 1 s']);
    assert.ok(asked >= 1);
    silent.close();
  });
});

describe('TLS expiry check', () => {
  it('reports the expiry and is down when fewer than minDaysLeft remain', async () => {
    const check = checker({ extraCa: [cert.cert] });
    const soon = await check({ kind: 'tls', host: '127.0.0.1', port: tlsServer.port });
    assert.deepEqual([soon.up, soon.error], [false, 'TLS certificate expires in 2 day(s), fewer than 14']);
    assert.equal(soon.certificateExpiresAt, cert.notAfter.toISOString());
    const ok = await check({ kind: 'tls', host: '127.0.0.1', port: tlsServer.port, minDaysLeft: 2 });
    assert.equal(ok.up, true, ok.error);
  });

  it('an expired certificate is down even when TLS errors are ignored', async () => {
    const expired = await makeCertificate(-2);
    const s = await startHttpsServer((_req, res) => void res.end(), expired);
    const strict = await checker({ extraCa: [expired.cert] })({ kind: 'tls', host: '127.0.0.1', port: s.port });
    assert.deepEqual([strict.up, strict.error], [false, 'TLS certificate has expired']);
    const lenient = await checker()({
      kind: 'tls',
      host: '127.0.0.1',
      port: s.port,
      ignoreTlsErrors: true,
      minDaysLeft: 0,
    });
    assert.deepEqual([lenient.up, lenient.error], [false, 'TLS certificate expired 2 day(s) ago']);
    await s.close();
  });

  it('checks the certificate against the servername', async () => {
    const r = await checker({ extraCa: [cert.cert] })({
      kind: 'tls',
      host: '127.0.0.1',
      port: tlsServer.port,
      servername: 'other.example',
      minDaysLeft: 0,
    });
    assert.deepEqual([r.up, r.error], [false, 'TLS certificate does not match the host name']);
  });

  it('a target at 127.0.0.1 is refused by the default guard', async () => {
    const r = await checker({ guard: DEFAULT_GUARD, extraCa: [cert.cert] })({
      kind: 'tls',
      host: '127.0.0.1',
      port: tlsServer.port,
    });
    assert.deepEqual([r.up, r.error], [false, TARGET_NOT_ALLOWED]);
  });
});
