import type { Point } from '../values.js';
import { executionError } from '../engine/errors.js';
import { kahanSumInc } from './kahan.js';
import { scalarArg, single, type FunctionImpl, type FunctionInput } from './types.js';

// rate, increase, delta with Prometheus' extrapolation to the window edges; irate/idelta; the
// regression and smoothing functions; resets and changes.

function extrapolatedRate(input: FunctionInput, isCounter: boolean, isRate: boolean) {
  const points = input.series!.points;
  if (points.length < 2) return [];
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let result = last.v - first.v;
  if (isCounter) {
    let prev = first.v;
    for (let i = 1; i < points.length; i++) {
      const v = points[i]!.v;
      if (v < prev) result += prev;
      prev = v;
    }
  }
  const window: RateWindow = { end: input.ts - input.offset, range: input.range, isCounter, isRate };
  return single(extrapolate(result, first, last, points.length, window));
}

/** The window of a rate-like function: its end (ms, the step's time less the offset) and range (ms). */
export interface RateWindow {
  readonly end: number;
  readonly range: number;
  readonly isCounter: boolean;
  readonly isRate: boolean;
}

/**
 * Prometheus' extrapolatedRate after the increase is known: `result` (last − first, plus for counters
 * the value before each reset, added in sample order) extrapolated to the window's edges from the
 * first and last of its `count` samples. Shared with sources that find windows their own way, so
 * their answers equal the engine's to the bit.
 */
export function extrapolate(result: number, first: Point, last: Point, count: number, w: RateWindow): number {
  const rangeStart = w.end - w.range;
  let durationToStart = (first.t - rangeStart) / 1000;
  const durationToEnd = (w.end - last.t) / 1000;
  const sampledInterval = (last.t - first.t) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (count - 1);
  if (w.isCounter && result > 0 && first.v >= 0) {
    // A counter cannot go below zero: do not extrapolate past the point where it would be zero.
    const durationToZero = sampledInterval * (first.v / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  let factor = extrapolateToInterval / sampledInterval;
  if (w.isRate) factor /= w.range / 1000;
  return result * factor;
}

function instantValue(input: FunctionInput, isRate: boolean) {
  const points = input.series!.points;
  if (points.length < 2) return [];
  const last = points[points.length - 1]!;
  const previous = points[points.length - 2]!;
  let result = isRate && last.v < previous.v ? last.v : last.v - previous.v;
  const sampledInterval = last.t - previous.t;
  if (sampledInterval === 0) return [];
  if (isRate) result /= sampledInterval / 1000;
  return single(result);
}

/** Least-squares slope and intercept at interceptTime (Prometheus' linearRegression). */
export function linearRegression(points: readonly Point[], interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0,
    cX = 0,
    sumY = 0,
    cY = 0,
    sumXY = 0,
    cXY = 0,
    sumX2 = 0,
    cX2 = 0;
  const initY = points[0]!.v;
  let constY = true;
  points.forEach((p, i) => {
    if (constY && i > 0 && p.v !== initY) constY = false;
    n += 1;
    const x = (p.t - interceptTime) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(p.v, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * p.v, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  });
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

/** Go's %f: six decimals. */
function percentF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}

const holtWinters: FunctionImpl = (input) => {
  const points = input.series!.points;
  const sf = scalarArg(input, 1);
  const tf = scalarArg(input, 2);
  if (sf <= 0 || sf >= 1) throw executionError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${percentF(sf)}`);
  if (tf <= 0 || tf >= 1) throw executionError(`invalid trend factor. Expected: 0 < tf < 1, got: ${percentF(tf)}`);
  if (points.length < 2) return [];
  let s0 = 0;
  let s1 = points[0]!.v;
  let b = points[1]!.v - points[0]!.v;
  for (let i = 1; i < points.length; i++) {
    const x = sf * points[i]!.v;
    // The trend at i-1 (calcTrendValue): the initial trend for the first step.
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return single(s1);
};

export const RATE_FUNCTIONS: Record<string, FunctionImpl> = {
  rate: (i) => extrapolatedRate(i, true, true),
  increase: (i) => extrapolatedRate(i, true, false),
  delta: (i) => extrapolatedRate(i, false, false),
  irate: (i) => instantValue(i, true),
  idelta: (i) => instantValue(i, false),
  deriv: (input) => {
    const points = input.series!.points;
    if (points.length < 2) return [];
    return single(linearRegression(points, points[0]!.t)[0]);
  },
  predict_linear: (input) => {
    const points = input.series!.points;
    if (points.length < 2) return [];
    const [slope, intercept] = linearRegression(points, input.ts);
    return single(slope * scalarArg(input, 1) + intercept);
  },
  holt_winters: holtWinters,
  resets: (input) => {
    const points = input.series!.points;
    let resets = 0;
    for (let i = 1; i < points.length; i++) if (points[i]!.v < points[i - 1]!.v) resets++;
    return single(resets);
  },
  changes: (input) => {
    const points = input.series!.points;
    let changes = 0;
    for (let i = 1; i < points.length; i++) {
      const cur = points[i]!.v;
      const prev = points[i - 1]!.v;
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
    }
    return single(changes);
  },
};
