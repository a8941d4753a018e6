import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from './rate-limiter.js';

test('a burst uses the whole budget, then the wait until one request is refilled is reported', () => {
  const limiter = new RateLimiter({ requests: 3, perSeconds: 60 });
  assert.deepEqual(
    [0, 0, 0].map(() => limiter.take('a', 1_000)),
    [0, 0, 0],
  );
  assert.equal(limiter.take('a', 1_000), 20, 'one request refills every 20 s');
  assert.equal(limiter.take('a', 11_000), 10);
  assert.equal(limiter.take('a', 21_001), 0, 'refilled after 20 s');
  assert.equal(limiter.take('b', 21_001), 0, 'keys have their own budgets');
});

test('the budget refills up to its size, not beyond', () => {
  const limiter = new RateLimiter({ requests: 2, perSeconds: 1 });
  limiter.take('a', 0);
  const after = [0, 0, 0].map(() => limiter.take('a', 3_600_000));
  assert.deepEqual(
    after.map((w) => w === 0),
    [true, true, false],
  );
});

test('waits are whole seconds, at least 1', () => {
  const limiter = new RateLimiter({ requests: 10, perSeconds: 1 });
  for (let i = 0; i < 10; i++) limiter.take('a', 0);
  assert.equal(limiter.take('a', 0), 1);
});

test('the least recently used key is forgotten beyond maxKeys', () => {
  const limiter = new RateLimiter({ requests: 1, perSeconds: 3600 }, 2);
  limiter.take('a', 0);
  limiter.take('b', 0);
  limiter.take('c', 0);
  assert.equal(limiter.take('a', 0), 0, 'a was dropped and starts full');
  assert.ok(limiter.take('c', 0) > 0, 'c is still limited');
});

test('a rule that allows nothing is refused', () => {
  assert.throws(() => new RateLimiter({ requests: 0, perSeconds: 1 }));
});
