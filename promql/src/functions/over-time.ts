import type { Point } from '../values.js';
import { kahanSumInc } from './kahan.js';
import { quantile } from './quantile.js';
import { scalarArg, single, type FunctionImpl } from './types.js';

// The *_over_time functions: one value from the samples of a window.

function overTime(aggregate: (points: readonly Point[]) => number): FunctionImpl {
  return (input) => single(aggregate(input.series!.points));
}

function avg(points: readonly Point[]): number {
  let mean = 0;
  let c = 0;
  let count = 0;
  for (const p of points) {
    count++;
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      // An infinite mean stays as it is unless a NaN or an infinity of the other sign comes.
      if (!Number.isFinite(p.v) && !Number.isNaN(p.v) && mean > 0 === p.v > 0) continue;
      if (Number.isFinite(p.v)) continue;
    }
    [mean, c] = kahanSumInc(p.v / count - mean / count, mean, c);
  }
  if (!Number.isFinite(mean) && !Number.isNaN(mean)) return mean;
  return mean + c;
}

function sum(points: readonly Point[]): number {
  let s = 0;
  let c = 0;
  for (const p of points) [s, c] = kahanSumInc(p.v, s, c);
  if (!Number.isFinite(s) && !Number.isNaN(s)) return s;
  return s + c;
}

function variance(points: readonly Point[]): number {
  let count = 0;
  let mean = 0,
    cMean = 0,
    aux = 0,
    cAux = 0;
  for (const p of points) {
    count++;
    const delta = p.v - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (p.v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function max(points: readonly Point[]): number {
  let m = points[0]!.v;
  for (const p of points) if (p.v > m || Number.isNaN(m)) m = p.v;
  return m;
}

function min(points: readonly Point[]): number {
  let m = points[0]!.v;
  for (const p of points) if (p.v < m || Number.isNaN(m)) m = p.v;
  return m;
}

export const OVER_TIME_FUNCTIONS: Record<string, FunctionImpl> = {
  avg_over_time: overTime(avg),
  sum_over_time: overTime(sum),
  count_over_time: overTime((points) => points.length),
  max_over_time: overTime(max),
  min_over_time: overTime(min),
  stddev_over_time: overTime((points) => Math.sqrt(variance(points))),
  stdvar_over_time: overTime(variance),
  present_over_time: overTime(() => 1),
  absent_over_time: () => single(1),
  last_over_time: (input) => {
    const points = input.series!.points;
    return [{ metric: input.series!.metric, t: 0, v: points[points.length - 1]!.v }];
  },
  quantile_over_time: (input) =>
    single(
      quantile(
        scalarArg(input, 0),
        input.series!.points.map((p) => p.v),
      ),
    ),
};
