import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, DELIVERY_FAILED, retryAfterMs, verdictOf } from './delivery-outcome.js';

describe('delivery outcomes', () => {
  it('retries 408/425/429/5xx, gives up on other 4xx and on redirects', () => {
    for (const s of [408, 425, 429, 500, 502, 503]) assert.equal(verdictOf(s, undefined, 0).kind, 'retry', String(s));
    for (const s of [400, 401, 403, 404, 410, 301, 302, 307])
      assert.equal(verdictOf(s, undefined, 0).kind, 'permanent', String(s));
    assert.equal(verdictOf(202, undefined, 0).kind, 'delivered');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('3', 0), 3000);
    assert.equal(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000), 6000);
    assert.equal(retryAfterMs('soon', 0), null);
    assert.equal(retryAfterMs(undefined, 0), null);
    assert.deepEqual(verdictOf(429, '2', 0), {
      kind: 'retry',
      retryAfterMs: 2000,
      error: 'delivery failed: the receiver answered HTTP 429',
    });
    assert.deepEqual(verdictOf(302, undefined, 0), {
      kind: 'permanent',
      error: 'delivery failed: the receiver answered HTTP 302 (redirects are not followed)',
    });
    assert.equal(DELIVERY_FAILED.answered(410), 'delivery failed: the receiver answered HTTP 410');
  });

  it('backs off exponentially with full jitter, capped', () => {
    assert.equal(
      backoffMs(1, 500, 30_000, () => 1),
      500,
    );
    assert.equal(
      backoffMs(4, 500, 30_000, () => 1),
      4000,
    );
    assert.equal(
      backoffMs(10, 500, 30_000, () => 1),
      30_000,
    );
    assert.equal(
      backoffMs(4, 500, 30_000, () => 0.5),
      2000,
    );
  });
});
