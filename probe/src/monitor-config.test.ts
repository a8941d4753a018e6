import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIP } from 'node:net';
import { isIpLiteral, MonitorInputSchema, parseResolver } from '@telemetryflow/contract/monitors';

const http = { kind: 'http', url: 'https://example.com/health' };
const issues = (input: unknown) => {
  const r = MonitorInputSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('monitor config', () => {
  it('fills the defaults: every 60 s, 10 s timeout, no retries, GET expecting 2xx', () => {
    const m = MonitorInputSchema.parse({ name: 'site', check: http });
    assert.deepEqual([m.interval, m.timeout, m.retries, m.retryInterval], ['60s', '10s', 0, undefined]);
    assert.deepEqual(m.check, {
      ...http,
      method: 'GET',
      headers: {},
      maxRedirects: 5,
      ignoreTlsErrors: false,
      acceptedStatus: ['200-299'],
    });
  });

  it('takes intervals from 10 s to 24 h only', () => {
    assert.deepEqual(issues({ name: 's', interval: '10s', check: http }), []);
    assert.deepEqual(issues({ name: 's', interval: '24h', check: http }), []);
    assert.deepEqual(issues({ name: 's', interval: '9s', timeout: '5s', check: http }), [
      'interval: interval must be between 10s and 86400s',
    ]);
    assert.deepEqual(issues({ name: 's', interval: '25h', check: http }), [
      'interval: interval must be between 10s and 86400s',
    ]);
    assert.deepEqual(issues({ name: 's', interval: 'soon', timeout: 'later', check: http }), [
      'interval: a duration such as 30s, 5m, 1h or 1d',
      'timeout: a duration such as 30s, 5m, 1h or 1d',
    ]);
    assert.deepEqual(issues({ name: 's', interval: 'soon', check: http }), [
      'interval: a duration such as 30s, 5m, 1h or 1d',
    ]);
  });

  it('refuses a timeout longer than the interval, retries beyond 10 and a retry interval under 10 s', () => {
    assert.deepEqual(issues({ name: 's', interval: '30s', timeout: '45s', check: http }), [
      'timeout: timeout must not exceed the interval',
    ]);
    assert.deepEqual(issues({ name: 's', retries: 11, check: http }), ['retries: Too big: expected number to be <=10']);
    assert.deepEqual(issues({ name: 's', retryInterval: '5s', check: http }), [
      'retryInterval: retryInterval must be between 10s and 86400s',
    ]);
  });

  it('validates each kind of check', () => {
    assert.deepEqual(issues({ name: 's', check: { kind: 'http', url: 'ftp://example.com/' } }), [
      'check.url: an http or https URL',
    ]);
    assert.deepEqual(issues({ name: 's', check: { ...http, bodyRegex: '(unclosed' } }).length, 1);
    assert.deepEqual(issues({ name: 's', check: { ...http, headers: { 'x-a': 'one\r\nInjected: yes' } } }), [
      'check.headers.x-a: a header value without line breaks',
    ]);
    assert.deepEqual(issues({ name: 's', check: { ...http, acceptedStatus: ['2xx'] } }), [
      'check.acceptedStatus.0: a status code such as 200 or a range such as 200-299',
    ]);
    assert.deepEqual(
      issues({ name: 's', check: { kind: 'http', url: 'http://example.com/', certificateMinDaysLeft: 7 } }),
      ['check.certificateMinDaysLeft: certificateMinDaysLeft needs an https URL'],
    );
    assert.deepEqual(issues({ name: 's', check: { ...http, body: 'x' } }), ['check.body: a GET request has no body']);
    assert.deepEqual(issues({ name: 's', check: { kind: 'tcp', host: 'db.example.com', port: 70_000 } }), [
      'check.port: Too big: expected number to be <=65535',
    ]);
    assert.deepEqual(issues({ name: 's', check: { kind: 'tcp', host: 'bad host', port: 5432 } }), [
      'check.host: a host name or an IP address',
    ]);
    assert.deepEqual(issues({ name: 's', check: { kind: 'dns', name: 'example.com', recordType: 'SOA' } }).length, 1);
    assert.deepEqual(issues({ name: 's', check: { kind: 'dns', name: 'example.com', resolver: 'dns.google' } }), [
      'check.resolver: an IP address, optionally with :port',
    ]);
    assert.deepEqual(MonitorInputSchema.parse({ name: 's', check: { kind: 'tls', host: 'example.com' } }).check, {
      kind: 'tls',
      host: 'example.com',
      port: 443,
      minDaysLeft: 14,
      ignoreTlsErrors: false,
    });
    assert.deepEqual(MonitorInputSchema.parse({ name: 's', check: { kind: 'heartbeat' } }).check, {
      kind: 'heartbeat',
      grace: '1m',
    });
  });

  it('reads resolver addresses with and without a port', () => {
    assert.deepEqual(parseResolver('1.1.1.1'), { address: '1.1.1.1', port: 53 });
    assert.deepEqual(parseResolver('1.1.1.1:5353'), { address: '1.1.1.1', port: 5353 });
    assert.deepEqual(parseResolver('2606:4700::1111'), { address: '2606:4700::1111', port: 53 });
    assert.deepEqual(parseResolver('[2606:4700::1111]:853'), { address: '2606:4700::1111', port: 853 });
    assert.equal(parseResolver('1.1.1.1:0'), null);
    assert.equal(parseResolver('one.one'), null);
  });
});

describe('isIpLiteral', () => {
  it('agrees with node:net isIP on addresses and near-misses', () => {
    const samples = [
      '1.2.3.4',
      '255.255.255.255',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3',
      '::',
      '::1',
      '1::',
      'fe80::1%eth0',
      '2001:db8::8a2e:370:7334',
      '2001:0db8:0000:0000:0000:ff00:0042:8329',
      '::ffff:192.0.2.1',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::',
      '1::2::3',
      '12345::',
      'example.com',
      '',
      ':',
      ':::',
      '1:2:3:4:5:6:1.2.3.4',
      '1:2:3:4:5:6:7:1.2.3.4',
      'g::1',
      '::1.2.3.4',
      '1.2.3.4::',
    ];
    for (const s of samples) assert.equal(isIpLiteral(s), isIP(s) !== 0, s);
  });
});
