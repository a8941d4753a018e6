import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failedAssertion, statusInRange } from './http-assertions.js';
import { parseJsonPath, readJsonPath } from './json-path.js';

const DAY = 86_400_000;
const ok = {
  statusCode: 200,
  body: '{"status":"ok","n":12,"tags":["a","b"],"nested":{"odd key":true}}',
  bodyTruncated: false,
  latencyMs: 80,
  atMs: 0,
};
const accept = { acceptedStatus: ['200-299'] };

describe('HTTP assertions', () => {
  it('status ranges are inclusive', () => {
    assert.equal(statusInRange(200, '200-299'), true);
    assert.equal(statusInRange(299, '200-299'), true);
    assert.equal(statusInRange(300, '200-299'), false);
    assert.equal(statusInRange(404, '404'), true);
    assert.equal(failedAssertion({ acceptedStatus: ['200', '301-302'] }, { ...ok, statusCode: 302 }), null);
    assert.equal(
      failedAssertion({ acceptedStatus: ['200', '301-302'] }, { ...ok, statusCode: 500 }),
      'HTTP 500, expected 200 or 301-302',
    );
  });

  it('keyword: present or absent, case-sensitive by default; a truncated body says so', () => {
    assert.equal(
      failedAssertion({ ...accept, keyword: { value: 'OK', present: true, caseSensitive: true } }, ok),
      'keyword "OK" not found in the body',
    );
    assert.equal(
      failedAssertion({ ...accept, keyword: { value: 'OK', present: true, caseSensitive: false } }, ok),
      null,
    );
    assert.equal(
      failedAssertion({ ...accept, keyword: { value: 'error', present: false, caseSensitive: true } }, ok),
      null,
    );
    assert.equal(
      failedAssertion(
        { ...accept, keyword: { value: 'zzz', present: true, caseSensitive: true } },
        { ...ok, bodyTruncated: true },
      ),
      'keyword "zzz" not found in the body (in the first part of the body that was read)',
    );
  });

  it('bodyRegex is RE2, searched anywhere', () => {
    assert.equal(failedAssertion({ ...accept, bodyRegex: '"n":\\d{2}' }, ok), null);
    assert.equal(failedAssertion({ ...accept, bodyRegex: '^ok$' }, ok), 'body does not match /^ok$/');
  });

  it('jsonPath compares strings, numbers and arrays', () => {
    const jp = (path: string, op: '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains', value: string) =>
      failedAssertion({ ...accept, jsonPath: { path, op, value } }, ok);
    assert.equal(jp('$.status', '==', 'ok'), null);
    assert.equal(jp('status', '!=', 'down'), null);
    assert.equal(jp('$.n', '>', '10'), null);
    assert.equal(jp('$.n', '<=', '11'), '$.n is 12, expected <= "11"');
    assert.equal(jp('$.tags', 'contains', 'b'), null);
    assert.equal(jp("$.nested['odd key']", '==', 'true'), null);
    assert.equal(jp('$.status', '>', '1'), '> compares numbers: "ok" and "1"');
    assert.equal(jp('$.missing', '==', 'x'), '$.missing not found in the body');
    assert.equal(
      failedAssertion({ ...accept, jsonPath: { path: '$.a', op: '==', value: 'x' } }, { ...ok, body: '<html>' }),
      'body is not JSON',
    );
  });

  it('response time and certificate days left', () => {
    assert.equal(failedAssertion({ ...accept, maxResponseMs: 50 }, ok), 'responded in 80 ms, more than 50 ms');
    assert.equal(
      failedAssertion({ ...accept, certificateMinDaysLeft: 14 }, { ...ok, certificateExpiresAtMs: 20 * DAY }),
      null,
    );
    assert.equal(
      failedAssertion({ ...accept, certificateMinDaysLeft: 14 }, { ...ok, certificateExpiresAtMs: 13.5 * DAY }),
      'TLS certificate expires in 13 day(s), fewer than 14',
    );
    assert.equal(
      failedAssertion(
        { ...accept, certificateMinDaysLeft: 0 },
        { ...ok, atMs: 3.2 * DAY, certificateExpiresAtMs: DAY },
      ),
      'TLS certificate expired 2 day(s) ago',
    );
  });
});

describe('JSON path', () => {
  it('parses dots, indexes and quoted keys', () => {
    assert.deepEqual(parseJsonPath('$.data.items[0].status'), ['data', 'items', 0, 'status']);
    assert.deepEqual(parseJsonPath(`$['a.b']["c\\"d"]`), ['a.b', 'c"d']);
    assert.deepEqual(parseJsonPath('status'), ['status']);
    assert.deepEqual(parseJsonPath('$'), []);
    assert.throws(() => parseJsonPath('$.a[b]'), /not a JSON path/);
  });

  it('reads own properties only, and tells a missing step from a null value', () => {
    assert.deepEqual(readJsonPath({ a: [{ b: null }] }, ['a', 0, 'b']), { found: true, value: null });
    assert.deepEqual(readJsonPath({ a: [] }, ['a', 0]), { found: false, value: undefined });
    assert.deepEqual(readJsonPath({}, ['constructor']), { found: false, value: undefined });
    assert.deepEqual(readJsonPath({ a: 'text' }, ['a', 'length']), { found: false, value: undefined });
  });
});
