import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from './login-throttle.js';

const rule = { freeFailures: 3, maxDelaySeconds: 8, forgetAfterSeconds: 600 };

test('failures beyond the free ones double the wait before the next attempt, up to the maximum', () => {
  const t = new LoginThrottle(rule);
  let now = 0;
  for (let i = 0; i < 3; i++) {
    assert.equal(t.wait('ann@x.io', '10.0.0.1', now), 0);
    t.failed('ann@x.io', '10.0.0.1', now);
  }
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    const w = t.wait('ann@x.io', '10.0.0.1', now);
    waits.push(w);
    now += w * 1000;
    assert.equal(
      t.wait('ann@x.io', '10.0.0.1', now),
      0,
      'after the wait the next attempt is allowed: slowed, never locked',
    );
    t.failed('ann@x.io', '10.0.0.1', now);
  }
  assert.deepEqual(waits, [1, 2, 4, 8, 8, 8]);
  assert.equal(t.wait('ann@x.io', '10.0.0.1', now + 3_500), 5, 'the wait counts from the last failure');
});

test('the same email from another address, and another email from the same address, are not slowed', () => {
  const t = new LoginThrottle(rule);
  for (let i = 0; i < 10; i++) t.failed('ann@x.io', '10.0.0.1', 0);
  assert.ok(t.wait('ann@x.io', '10.0.0.1', 0) > 0);
  assert.equal(t.wait('ann@x.io', '10.0.0.2', 0), 0);
  assert.equal(t.wait('bob@x.io', '10.0.0.1', 0), 0);
});

test('a success, or forgetAfterSeconds without failures, starts the pair afresh', () => {
  const t = new LoginThrottle(rule);
  for (let i = 0; i < 5; i++) t.failed('ann@x.io', '10.0.0.1', 0);
  t.succeeded('ann@x.io', '10.0.0.1');
  assert.equal(t.wait('ann@x.io', '10.0.0.1', 0), 0);
  for (let i = 0; i < 5; i++) t.failed('bob@x.io', '10.0.0.1', 0);
  t.failed('bob@x.io', '10.0.0.1', 600_000);
  assert.equal(t.wait('bob@x.io', '10.0.0.1', 600_000), 0, 'older failures were forgotten: this is the first again');
});

test('the number of pairs kept is bounded', () => {
  const t = new LoginThrottle(rule, 10);
  for (let i = 0; i < 100; i++) for (let j = 0; j < 5; j++) t.failed(`u${i}@x.io`, '10.0.0.1', 0);
  assert.equal(t.wait('u0@x.io', '10.0.0.1', 0), 0, 'the oldest pair was dropped');
  assert.ok(t.wait('u99@x.io', '10.0.0.1', 0) > 0);
});
