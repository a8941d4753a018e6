import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planQuery, rawPlan, withRawLookback, type RetentionDays } from './query-plan.js';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2026, 10, 25, 15, 20);
const KEEP: RetentionDays = { rawDays: 15, hourlyDays: 90, dailyDays: 400 };
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
/** Segments as [source, fromMs, toMs) for readable assertions. */
const plan = (fromMs: number, toMs: number, stepMs?: number, retention = KEEP) => {
  const p = planQuery({
    fromNs: ns(fromMs),
    toNs: ns(toMs) - 1n,
    nowMs: NOW,
    retention,
    ...(stepMs !== undefined ? { stepMs } : {}),
  });
  return {
    resolution: p.resolution,
    segments: p.segments.map((s) => [s.source, Number(s.fromNs / 1_000_000n), Number(s.toNs / 1_000_000n)]),
  };
};

test('the last hour reads raw data', () => {
  assert.deepEqual(plan(NOW - H, NOW), { resolution: 'raw', segments: [['raw', NOW - H, NOW]] });
});

test('a small step reads raw data whatever the range', () => {
  assert.equal(plan(NOW - 7 * D, NOW, 60_000).resolution, 'raw');
});

test('an hourly step over a day reads whole hours from the hourly rollup and the partial hours at both ends raw', () => {
  const hour = Math.floor(NOW / H) * H;
  assert.deepEqual(plan(NOW - D, NOW, H), {
    resolution: 'hourly',
    segments: [
      ['raw', NOW - D, hour - 23 * H],
      ['hourly', hour - 23 * H, hour],
      ['raw', hour, NOW],
    ],
  });
});

test('without a step, 7 days read whole days daily, whole hours hourly, and raw at the ends', () => {
  const day = Math.floor(NOW / D) * D;
  const hour = Math.floor(NOW / H) * H;
  assert.deepEqual(plan(NOW - 7 * D, NOW), {
    resolution: 'daily',
    segments: [
      ['raw', NOW - 7 * D, hour - 7 * D + H],
      ['hourly', hour - 7 * D + H, day - 6 * D],
      ['daily', day - 6 * D, day],
      ['hourly', day, hour],
      ['raw', hour, NOW],
    ],
  });
});

test('aligned ranges need no raw edges; adjacent segments of one source merge', () => {
  const day = Math.floor(NOW / D) * D;
  assert.deepEqual(plan(day - 30 * D, day, D), { resolution: 'daily', segments: [['daily', day - 30 * D, day]] });
  assert.deepEqual(plan(day - 2 * D, day - D, H), {
    resolution: 'hourly',
    segments: [['hourly', day - 2 * D, day - D]],
  });
});

test('a step that is not a whole number of hours stays raw; 2 h steps use hourly, 2 d steps daily', () => {
  assert.equal(plan(NOW - 7 * D, NOW, 90 * 60_000).resolution, 'raw');
  assert.equal(plan(NOW - 7 * D, NOW, 2 * H).resolution, 'hourly');
  assert.equal(plan(NOW - 30 * D, NOW, 2 * D).resolution, 'daily');
});

test('where raw data has expired, the old end widens to whole hours; where hourly has, to whole days', () => {
  const hour = Math.floor(NOW / H) * H;
  const p = plan(NOW - 20 * D - 10 * 60_000, NOW - 19 * D, 60_000);
  assert.equal(p.resolution, 'hourly');
  assert.deepEqual(p.segments, [['hourly', hour - 20 * D, hour - 19 * D + H]]);
  const day = Math.floor(NOW / D) * D;
  const old = plan(NOW - 100 * D, NOW - 99 * D, H);
  assert.equal(old.resolution, 'daily');
  assert.deepEqual(old.segments, [['daily', day - 100 * D, day - 98 * D]]);
});

test('raw retention of 0 (unknown) never forces a rollup', () => {
  assert.equal(
    plan(NOW - 300 * D, NOW - 300 * D + 60_000, 60_000, { rawDays: 0, hourlyDays: 0, dailyDays: 0 }).resolution,
    'raw',
  );
});

test('segments are disjoint, ordered and cover the range exactly when nothing expired', () => {
  for (const [from, to, step] of [
    [NOW - 3 * D - 17, NOW + 5, undefined],
    [NOW - 40 * H + 1, NOW - 2 * H - 3, H],
    [NOW - 10 * D, NOW, D],
  ] as const) {
    const p = planQuery({
      fromNs: ns(from),
      toNs: ns(to),
      nowMs: NOW,
      retention: KEEP,
      ...(step !== undefined ? { stepMs: step } : {}),
    });
    assert.equal(p.segments[0]!.fromNs, ns(from));
    assert.equal(p.segments.at(-1)!.toNs, ns(to) + 1n);
    p.segments.slice(1).forEach((s, i) => assert.equal(s.fromNs, p.segments[i]!.toNs));
  }
});

test('a raw lookback before the range ends where the plan starts, so no rollup bucket reaches across the range start', () => {
  const hour = Math.floor(NOW / H) * H;
  const p = planQuery({
    fromNs: ns(hour - 5 * H + 600_000),
    toNs: ns(hour) - 1n,
    nowMs: NOW,
    retention: KEEP,
    stepMs: H,
  });
  const back = withRawLookback(p, ns(hour - 6 * H + 600_000));
  assert.equal(back.resolution, 'hourly');
  assert.deepEqual(
    back.segments.map((s) => [s.source, Number(s.fromNs / 1_000_000n), Number(s.toNs / 1_000_000n)]),
    [
      ['raw', hour - 6 * H + 600_000, hour - 4 * H],
      ['hourly', hour - 4 * H, hour],
    ],
  );
  assert.equal(withRawLookback(p, p.segments[0]!.fromNs), p);
  assert.deepEqual(rawPlan(5n, 9n), { resolution: 'raw', segments: [{ source: 'raw', fromNs: 5n, toNs: 10n }] });
});

test('daily rows are read only for the days the daily rollup job has rolled; later whole days come from hourly rows', () => {
  const day = Math.floor(NOW / D) * D;
  const hour = Math.floor(NOW / H) * H;
  const until = (dailyUntilMs: number, fromMs: number, toMs: number, stepMs?: number) => {
    const p = planQuery({
      fromNs: ns(fromMs),
      toNs: ns(toMs) - 1n,
      nowMs: NOW,
      retention: KEEP,
      dailyUntilNs: ns(dailyUntilMs),
      ...(stepMs !== undefined ? { stepMs } : {}),
    });
    return {
      resolution: p.resolution,
      segments: p.segments.map((s) => [s.source, Number(s.fromNs / 1_000_000n), Number(s.toNs / 1_000_000n)]),
    };
  };
  // Rolled up to three days ago: the two days after come from hourly rows.
  assert.deepEqual(until(day - 2 * D, NOW - 7 * D, NOW), {
    resolution: 'daily',
    segments: [
      ['raw', NOW - 7 * D, hour - 7 * D + H],
      ['hourly', hour - 7 * D + H, day - 6 * D],
      ['daily', day - 6 * D, day - 2 * D],
      ['hourly', day - 2 * D, hour],
      ['raw', hour, NOW],
    ],
  });
  // A watermark past the range changes nothing; one before it leaves no daily bucket: hourly.
  assert.deepEqual(until(day + 5 * D, NOW - 7 * D, NOW), plan(NOW - 7 * D, NOW));
  assert.deepEqual(until(day - 6 * D, day - 6 * D, day, D), {
    resolution: 'hourly',
    segments: [['hourly', day - 6 * D, day]],
  });
  // Daily steps over days partly rolled: whole days up to the watermark daily, the rest hourly.
  assert.deepEqual(until(day - 3 * D, day - 6 * D, day, D), {
    resolution: 'daily',
    segments: [
      ['daily', day - 6 * D, day - 3 * D],
      ['hourly', day - 3 * D, day],
    ],
  });
  // A watermark inside a day (never written, but safe): only the whole days before it.
  assert.deepEqual(until(day - 3 * D + 5 * H, day - 6 * D, day, D), until(day - 3 * D, day - 6 * D, day, D));
});

test('hourly rows are read only for the hours the hourly rollup job has rolled; later whole hours come from raw points', () => {
  const day = Math.floor(NOW / D) * D;
  const hour = Math.floor(NOW / H) * H;
  const until = (hourlyUntilMs: number, dailyUntilMs: number, fromMs: number, toMs: number, stepMs?: number) => {
    const p = planQuery({
      fromNs: ns(fromMs),
      toNs: ns(toMs) - 1n,
      nowMs: NOW,
      retention: KEEP,
      hourlyUntilNs: ns(hourlyUntilMs),
      dailyUntilNs: ns(dailyUntilMs),
      ...(stepMs !== undefined ? { stepMs } : {}),
    });
    return {
      resolution: p.resolution,
      segments: p.segments.map((s) => [s.source, Number(s.fromNs / 1_000_000n), Number(s.toNs / 1_000_000n)]),
    };
  };
  // The job runs behind the clock: the hour before the current one is still read raw.
  assert.deepEqual(until(hour - H, day, NOW - 7 * D, NOW), {
    resolution: 'daily',
    segments: [
      ['raw', NOW - 7 * D, hour - 7 * D + H],
      ['hourly', hour - 7 * D + H, day - 6 * D],
      ['daily', day - 6 * D, day],
      ['hourly', day, hour - H],
      ['raw', hour - H, NOW],
    ],
  });
  // A watermark at or past the current hour changes nothing.
  assert.deepEqual(until(hour, day, NOW - 7 * D, NOW), plan(NOW - 7 * D, NOW));
  // Hourly steps with no hour rolled in the range: raw points only.
  assert.deepEqual(until(hour - 5 * H, day - D, hour - 4 * H, hour, H), {
    resolution: 'raw',
    segments: [['raw', hour - 4 * H, hour]],
  });
  // A daily watermark ahead of the hourly one (never written by the job): no day past the rolled hours.
  assert.deepEqual(until(day - 2 * D + 3 * H, day, day - 6 * D, day, D), {
    resolution: 'daily',
    segments: [
      ['daily', day - 6 * D, day - 2 * D],
      ['hourly', day - 2 * D, day - 2 * D + 3 * H],
      ['raw', day - 2 * D + 3 * H, day],
    ],
  });
  // A watermark inside an hour (never written, but safe): only the whole hours before it.
  assert.deepEqual(until(hour - 3 * H + 20 * 60_000, day, NOW - D, NOW), until(hour - 3 * H, day, NOW - D, NOW));
});
