import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  rollupCounterPoints,
  bucketStart,
  bucketStarts,
  counterIncreases,
  foldExtreme,
  histogramIncreases,
  histogramQuantile,
  mergeBuckets,
  mergedHistogramQuantile,
  addStats,
  emptyStats,
  exactStatValue,
  statValue,
  type HistogramPoint,
} from './metric-math.js';

test('buckets align to the epoch', () => {
  assert.equal(bucketStart(125_000, 60_000), 120_000);
  assert.deepEqual(bucketStarts(59_000, 180_000, 60_000), [0, 60_000, 120_000, 180_000]);
});

test('counter increases across a reset', () => {
  const pts = [0, 60, 120, 30, 90].map((value, i) => ({ t: i * 60_000, value, start: 1 }));
  assert.deepEqual(
    counterIncreases(pts, 10).map((p) => p.value),
    [60, 60, 30, 60],
  );
  // A later start time is a reset even when the value did not drop.
  const restarted = [
    { t: 0, value: 10, start: 1 },
    { t: 60_000, value: 50, start: 30_000 },
  ];
  assert.deepEqual(counterIncreases(restarted, 5), [{ t: 60_000, value: 50 }]);
  // A series that started inside the window counts its first value fully.
  assert.deepEqual(counterIncreases([{ t: 100, value: 7, start: 50 }], 0), [{ t: 100, value: 7 }]);
});

test('histogram quantile interpolates like histogram_quantile', () => {
  const h = { bounds: [0.1, 0.5, 1, 5], counts: [50, 30, 15, 5, 0] };
  assert.equal(histogramQuantile(0.5, h), 0.1);
  assert.ok(Math.abs(histogramQuantile(0.9, h)! - (0.5 + 0.5 * (10 / 15))) < 1e-12);
  assert.equal(histogramQuantile(0.95, h), 1);
  assert.equal(histogramQuantile(0.99, h), 1 + 4 * (4 / 5));
  assert.equal(histogramQuantile(0.25, h), 0.05);
  // rank in +Inf bucket → highest finite bound
  assert.equal(histogramQuantile(0.99, { bounds: [1], counts: [1, 99] }), 1);
  assert.equal(histogramQuantile(0.5, { bounds: [1], counts: [0, 0] }), null);
});

test("histogram quantiles are interpolated within the points' recorded min and max", () => {
  // Bounds [10, 100, 1000], counts [2, 5, 3, 0], max 300: the top bucket is (100, 300], not (100, 1000].
  const h = { bounds: [10, 100, 1000], counts: [2, 5, 3, 0] };
  assert.ok(Math.abs(histogramQuantile(0.95, h)! - 850) < 1e-9, 'without extremes, as histogram_quantile');
  const p95 = histogramQuantile(0.95, h, { min: 5, max: 300 })!;
  const p99 = histogramQuantile(0.99, h, { min: 5, max: 300 })!;
  assert.ok(Math.abs(p95 - (100 + 200 * (2.5 / 3))) < 1e-9, `p95 ${p95}`);
  assert.ok(Math.abs(p99 - (100 + 200 * (2.9 / 3))) < 1e-9, `p99 ${p99}`);
  assert.ok(p99 <= 300 && p95 < p99);
  // The first bucket starts at the minimum; the +Inf bucket ends at the maximum.
  assert.equal(histogramQuantile(0.25, { bounds: [10, 100], counts: [4, 0, 0] }, { min: 6, max: 9 }), 6 + 3 * 0.25);
  assert.equal(histogramQuantile(0.5, { bounds: [10], counts: [0, 2] }, { min: 12, max: 30 }), 12 + 18 * 0.5);
  assert.equal(histogramQuantile(0.5, { bounds: [-5], counts: [2, 0] }, { min: -15, max: -5 }), -10);
  // Only one extreme known: the other end as before.
  assert.equal(histogramQuantile(0.99, { bounds: [1], counts: [1, 99] }, { min: 0.5, max: null }), 1);
  // Merged histograms are narrowed only when every one recorded its extremes.
  const a = { bounds: [10, 100, 1000], counts: [2, 5, 3, 0], min: 5, max: 300 };
  assert.ok(Math.abs(mergedHistogramQuantile(0.95, [a, { ...a, max: 400 }])! - (100 + 300 * (5 / 6))) < 1e-9);
  assert.ok(Math.abs(mergedHistogramQuantile(0.95, [a, { ...a, max: null }])! - (100 + 900 * (5 / 6))) < 1e-9);
});

test('histogram increases and merging', () => {
  const mk = (t: number, counts: number[]): HistogramPoint => ({
    t,
    start: 1,
    count: counts.reduce((a, b) => a + b, 0),
    sum: 0,
    bounds: [1, 2],
    counts,
    min: null,
    max: null,
  });
  const inc = histogramIncreases([mk(0, [1, 1, 0]), mk(60, [3, 2, 1]), mk(120, [1, 0, 0])], 10);
  assert.deepEqual(
    inc.map((h) => h.counts),
    [
      [2, 1, 1],
      [1, 0, 0],
    ],
  );
  assert.deepEqual(
    mergeBuckets([
      { bounds: [1, 2], counts: [1, 2, 3] },
      { bounds: [1, 2], counts: [1, 1, 1] },
    ]),
    {
      bounds: [1, 2],
      counts: [2, 3, 4],
    },
  );
  assert.deepEqual(
    mergeBuckets([
      { bounds: [1], counts: [2, 1] },
      { bounds: [2], counts: [1, 1] },
    ]),
    {
      bounds: [1, 2],
      counts: [2, 1, 2],
    },
  );
});

test('step statistics', () => {
  const s = { sum: 10, count: 4, min: 1, max: 4, last: 4, exact: null };
  assert.equal(statValue(s, 'avg'), 2.5);
  assert.equal(statValue(s, 'count'), 4);
  assert.equal(statValue(emptyStats(), 'max'), null);
});

test('min, max and last of integer points stay exact past 2^53; one non-integer point gives up exactness', () => {
  const big = 9_007_199_254_740_993n;
  const series = (v: bigint) => ({
    sum: Number(v),
    count: 1,
    min: Number(v),
    max: Number(v),
    last: Number(v),
    exact: { min: v, max: v, last: v },
  });
  const acc = emptyStats();
  addStats(acc, series(big));
  addStats(acc, series(big + 2n));
  assert.deepEqual(
    ['min', 'max', 'last'].map((a) => exactStatValue(acc, a as 'min')),
    ['9007199254740993', '9007199254740995', '18014398509481988'],
  );
  assert.equal(exactStatValue(acc, 'avg'), null, 'computed aggregates are floating point');
  addStats(acc, { sum: 1.5, count: 1, min: 1.5, max: 1.5, last: 1.5, exact: null });
  assert.equal(exactStatValue(acc, 'max'), null);
  assert.equal(exactStatValue(emptyStats(), 'max'), null);
});

test('foldExtreme ignores points without a recorded Min/Max', () => {
  assert.equal(foldExtreme(null, null, 'min'), null);
  assert.equal(foldExtreme(null, 3, 'min'), 3);
  assert.equal(foldExtreme(3, null, 'max'), 3);
  assert.equal(foldExtreme(3, -2, 'min'), -2);
  assert.equal(foldExtreme(3, -2, 'max'), 3);
});

test('rollup buckets of a counter stand in as first, peak or low, last', () => {
  const at = (b: Parameters<typeof rollupCounterPoints>[0]) => rollupCounterPoints(b).map((p) => [p.t, p.value]);
  assert.deepEqual(at({ t: 0, endT: 100, first: 5, last: 9, min: 5, max: 9 }), [
    [0, 5],
    [99, 9],
  ]);
  // 5 → 12, reset, → 3: the peak keeps the growth before the reset.
  assert.deepEqual(at({ t: 0, endT: 100, first: 5, last: 3, min: 0, max: 12 }), [
    [0, 5],
    [1, 12],
    [99, 3],
  ]);
  // 5 → 6, reset, → 20: only the low shows the reset.
  assert.deepEqual(at({ t: 0, endT: 100, first: 5, last: 20, min: 1, max: 20 }), [
    [0, 5],
    [1, 1],
    [99, 20],
  ]);
  const inc = counterIncreases([...rollupCounterPoints({ t: 0, endT: 100, first: 5, last: 3, min: 0, max: 12 })], 0);
  assert.equal(
    inc.reduce((a, p) => a + p.value, 0),
    7 + 3,
  );
});
