import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@telemetryflow/http-kit';
import { applyRetentionUpdate, defaultRetention } from './retention-policy.js';

function rejects(body: unknown, parameter: string): void {
  assert.throws(
    () => applyRetentionUpdate(defaultRetention(), body),
    (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 400);
      assert.deepEqual(e.details, { parameter });
      return true;
    },
  );
}

test('defaults: raw 15, hourly 90, daily 400 days for every signal', () => {
  assert.deepEqual(defaultRetention().logs, { rawDays: 15, hourlyDays: 90, dailyDays: 400 });
  assert.deepEqual(Object.keys(defaultRetention()), ['spans', 'logs', 'metrics']);
});

test('an update changes only the fields it names', () => {
  const next = applyRetentionUpdate(defaultRetention(), { logs: { rawDays: 7 }, metrics: { dailyDays: 730 } });
  assert.deepEqual(next, {
    spans: { rawDays: 15, hourlyDays: 90, dailyDays: 400 },
    logs: { rawDays: 7, hourlyDays: 90, dailyDays: 400 },
    metrics: { rawDays: 15, hourlyDays: 90, dailyDays: 730 },
  });
});

test('bad updates name the field', () => {
  rejects([], 'body');
  rejects({ traces: {} }, 'traces');
  rejects({ logs: 7 }, 'logs');
  rejects({ logs: { raw: 7 } }, 'logs.raw');
  rejects({ logs: { rawDays: 0 } }, 'logs.rawDays');
  rejects({ logs: { rawDays: 1.5 } }, 'logs.rawDays');
  rejects({ logs: { rawDays: '7' } }, 'logs.rawDays');
  rejects({ logs: { rawDays: 3651 } }, 'logs.rawDays');
  rejects({ logs: { rawDays: 100 } }, 'logs.hourlyDays');
  rejects({ spans: { hourlyDays: 500 } }, 'spans.dailyDays');
});
