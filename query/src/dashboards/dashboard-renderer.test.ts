import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DashboardDefinition } from '@telemetryflow/contract';
import { planQuery } from '../planner/query-plan.js';
import { renderWindow, stepAlignedFromNs, wholeRangeStepSeconds } from './dashboard-renderer.js';

const HOUR = 3_600_000;
const def = (timeRange?: DashboardDefinition['timeRange']): DashboardDefinition => ({
  title: 't',
  panels: [],
  ...(timeRange ? { timeRange } : {}),
});

test("the window: the request's from/to, else the dashboard's last seconds ending now (default 1 h)", () => {
  const now = 1_764_000_000_000;
  assert.deepEqual(renderWindow(def(), {}, now), { fromMs: now - HOUR, toMs: now, step: undefined });
  assert.deepEqual(renderWindow(def({ lastSeconds: 86_400, stepSeconds: 300 }), {}, now), {
    fromMs: now - 24 * HOUR,
    toMs: now,
    step: 300,
  });
  assert.deepEqual(renderWindow(def({ lastSeconds: 86_400 }), { from: '1000', to: '5000', step: 60 }, now), {
    fromMs: 1000,
    toMs: 5000,
    step: 60,
  });
});

test('series panels start at a whole step, so hour steps read no raw partial hour at the old end', () => {
  const now = 1_764_001_234_567;
  const fromMs = now - 7 * 24 * HOUR;
  assert.equal(stepAlignedFromNs(fromMs, HOUR) % (BigInt(HOUR) * 1_000_000n), 0n);
  const plan = planQuery({
    fromNs: stepAlignedFromNs(fromMs, HOUR),
    toNs: BigInt(now) * 1_000_000n,
    stepMs: HOUR,
    nowMs: now,
    retention: { rawDays: 15, hourlyDays: 90, dailyDays: 400 },
  });
  assert.deepEqual(
    plan.segments.map((s) => s.source),
    ['hourly', 'raw'],
  );
});

test('a whole-range stat reads every row of its range into one bucket at 0, and the step is whole days (rollups apply)', () => {
  const now = 1_764_001_234_567;
  const step = wholeRangeStepSeconds(now);
  assert.equal(step % 86_400, 0);
  assert.ok(step * 1000 > now, 'every epoch-ms time of the range divides to bucket 0');
  assert.equal(Math.floor(now / (step * 1000)), 0);
});
