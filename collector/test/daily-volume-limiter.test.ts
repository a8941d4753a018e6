// The daily volume quota's arithmetic: stored count + this process's count since the read,
// re-read after the refresh interval, a new count at UTC midnight, and an unreadable table
// never refusing telemetry. (The all-in-one test runs it against the real usage table.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DailyVolumeLimiter } from '../src/index.js';

const DAY = 86_400_000;

test('refuses once stored + local items reach the quota, until midnight UTC', async () => {
  let now = 10 * DAY + 3_600_000; // 01:00 UTC
  let stored = 40;
  const reads: number[] = [];
  const limiter = new DailyVolumeLimiter(
    async (_tenant, _signal, dayStart) => {
      reads.push(dayStart);
      return stored;
    },
    { now: () => now, refreshMs: 5_000 },
  );
  await limiter.check('t', 'logs', 50);
  limiter.charge('t', 'logs', 50, 9); // 49 of 50
  await limiter.check('t', 'logs', 50);
  limiter.charge('t', 'logs', 50, 1);
  await assert.rejects(limiter.check('t', 'logs', 50), { kind: 'over-quota', retryAfterSeconds: 23 * 3600 });
  assert.deepEqual(reads, [10 * DAY], 'one read within the refresh interval');

  // After the refresh the stored count replaces what this process counted (it was flushed).
  now += 5_000;
  stored = 45;
  await limiter.check('t', 'logs', 50);
  assert.equal(reads.length, 2);

  // A new UTC day starts from the table's count of that day.
  now = 11 * DAY + 1;
  stored = 0;
  await limiter.check('t', 'logs', 50);
  assert.equal(reads.at(-1), 11 * DAY);
});

test('an unreadable usage table does not refuse telemetry', async () => {
  const limiter = new DailyVolumeLimiter(() => Promise.reject(new Error('clickhouse down')), { now: () => 0 });
  await limiter.check('t', 'traces', 1);
  // No limit set: never reads.
  await limiter.check('t', 'traces', undefined);
});
