import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  downscale,
  expHistogramIncreases,
  expHistogramQuantile,
  knownExtremes,
  mergeExpHistograms,
  sparseRun,
  type ExpHistogram,
  type ExpHistogramPoint,
} from './exp-histogram.js';

const close = (actual: number | null, expected: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
const hist = (o: Partial<ExpHistogram>): ExpHistogram => ({
  scale: 0,
  zeroCount: 0,
  zeroThreshold: 0,
  positive: { offset: 0, counts: [] },
  negative: { offset: 0, counts: [] },
  ...o,
});

test('downscaling maps index i to i >> shift, negative indices included', () => {
  // Scale 1 indices -3..2 → scale 0 indices -2, -1, -1, 0, 0, 1 (floor of i / 2).
  const h = hist({ scale: 1, positive: { offset: -3, counts: [1, 2, 3, 4, 5, 6] } });
  assert.deepEqual(downscale(h, 0).positive, { offset: -2, counts: [1, 5, 9, 6] });
  // Scale -1 (floor of i / 4): -1, -1, -1, 0, 0, 0.
  assert.deepEqual(downscale(h, -1).positive, { offset: -1, counts: [6, 15] });
  assert.equal(downscale(h, 3), h);
});

test('merging histograms of different scales sums at the smallest scale', () => {
  const fine = hist({ scale: 2, zeroCount: 1, zeroThreshold: 0.001, positive: { offset: 4, counts: [1, 1, 1, 1] } }); // all in (2, 4]
  const coarse = hist({
    scale: 0,
    zeroCount: 2,
    positive: { offset: 0, counts: [5] },
    negative: { offset: 1, counts: [3] },
  });
  const m = mergeExpHistograms([fine, coarse])!;
  assert.equal(m.scale, 0);
  assert.equal(m.zeroCount, 3);
  assert.equal(m.zeroThreshold, 0.001);
  assert.deepEqual(m.positive, { offset: 0, counts: [5, 4] });
  assert.deepEqual(m.negative, { offset: 1, counts: [3] });
  assert.equal(mergeExpHistograms([]), undefined);
});

test('quantiles walk negative, zero, then positive buckets with exponential interpolation', () => {
  // Scale 0 (base 2): 10 in (1,2], 10 in (2,4].
  const h = hist({ positive: { offset: 0, counts: [10, 10] } });
  close(expHistogramQuantile(0.5, h), 2);
  close(expHistogramQuantile(0.75, h), 2 ** 1.5); // halfway through (2,4] on the log scale
  close(expHistogramQuantile(1, h), 4);
  // Scale 1 (base √2): bucket 2 is (2, 2√2].
  close(expHistogramQuantile(0.5, hist({ scale: 1, positive: { offset: 2, counts: [4] } })), 2 ** 1.25);
  // Negatives come first, most negative first: [-4,-2) holds 5, [-2,-1) holds 5, zero 5, (1,2] 5.
  const signed = hist({
    zeroCount: 5,
    zeroThreshold: 0.5,
    negative: { offset: 0, counts: [5, 5] },
    positive: { offset: 0, counts: [5] },
  });
  close(expHistogramQuantile(0.1, signed), -(2 ** 1.6)); // 2/5 of the way from -4 towards -2
  close(expHistogramQuantile(0.25, signed), -2);
  close(expHistogramQuantile(0.625, signed), 0); // middle of the zero bucket [-0.5, 0.5]
  close(expHistogramQuantile(0.9, signed), 2 ** 0.6);
  // Zero bucket alone interpolates from 0 to its threshold.
  close(expHistogramQuantile(0.5, hist({ zeroCount: 4, zeroThreshold: 1 })), 0.5);
  assert.equal(expHistogramQuantile(0.5, hist({})), null);
  // Recorded extremes bound the estimate.
  close(expHistogramQuantile(0.99, h, { min: 1.5, max: 3 }), 3);
  close(expHistogramQuantile(0.01, h, { min: 1.5, max: 3 }), 1.5);
});

const point = (t: number, o: Partial<ExpHistogramPoint>): ExpHistogramPoint => ({
  t,
  start: 1,
  count: 0,
  sum: 0,
  min: null,
  max: null,
  ...hist({}),
  ...o,
});

test('cumulative increases subtract per bucket, across a scale change, and restart on a reset', () => {
  const pts = [
    point(0, { count: 5, scale: 0, zeroCount: 1, positive: { offset: 2, counts: [4] } }),
    // The SDK downscaled to -1: index 2 at scale 0 is index 1 at scale -1, now holding 14.
    point(60, {
      count: 20,
      scale: -1,
      zeroCount: 1,
      positive: { offset: 1, counts: [14] },
      negative: { offset: 0, counts: [5] },
    }),
    // Fewer observations than before: the process restarted.
    point(120, { count: 2, scale: -1, zeroCount: 2 }),
  ];
  const inc = expHistogramIncreases(pts, 10);
  assert.equal(inc.length, 2);
  assert.equal(inc[0]!.count, 15);
  assert.equal(inc[0]!.scale, -1);
  assert.equal(inc[0]!.zeroCount, 0);
  assert.deepEqual(inc[0]!.positive, { offset: 1, counts: [10] });
  assert.deepEqual(inc[0]!.negative, { offset: 0, counts: [5] });
  assert.equal(inc[1], pts[2]);
  // A series that started inside the window counts its first point whole.
  assert.deepEqual(
    expHistogramIncreases([point(100, { start: 50, count: 3 })], 0).map((p) => p.count),
    [3],
  );
});

test('knownExtremes: bounds only when every interval recorded them', () => {
  assert.deepEqual(
    knownExtremes([
      { min: 2, max: 5 },
      { min: -1, max: 3 },
    ]),
    { min: -1, max: 5 },
  );
  assert.deepEqual(
    knownExtremes([
      { min: 2, max: 5 },
      { min: null, max: 9 },
    ]),
    { min: null, max: 9 },
  );
  assert.deepEqual(knownExtremes([]), { min: null, max: null });
});

test('sparse (index, count) pairs become a dense run from the lowest index, gaps as zeros', () => {
  assert.deepEqual(sparseRun([-2, 1, 2], [4, 5, 6]), { offset: -2, counts: [4, 0, 0, 5, 6] });
  assert.deepEqual(sparseRun([], []), { offset: 0, counts: [] });
});
