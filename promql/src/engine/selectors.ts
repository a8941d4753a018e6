import type { MatrixSelector, VectorSelector } from '../parser/ast.js';
import type { RawSeries } from '../source/series-source.js';
import { isStaleNaN, type Matrix, type Point, type Series } from '../values.js';
import { tooManySamples } from './errors.js';
import type { Evaluation } from './evaluation.js';
import { effectiveOffset } from './state.js';

/** Index of the last sample at or before t, or -1. */
export function lastIndexAtOrBefore(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The sample an instant selector sees at refTime: the latest one within the lookback window
 * [refTime - lookback, refTime], unless it is a staleness marker.
 */
export function sampleAt(series: RawSeries, refTime: number, lookback: number): Point | null {
  const i = lastIndexAtOrBefore(series.timestamps, refTime);
  if (i < 0) return null;
  const t = series.timestamps[i]!;
  if (t < refTime - lookback) return null;
  if (isStaleNaN(series.values, i)) return null;
  return { t, v: series.values[i]! };
}

/** Samples in [mint, maxt], staleness markers left out. */
export function samplesIn(series: RawSeries, mint: number, maxt: number): Point[] {
  const out: Point[] = [];
  const last = lastIndexAtOrBefore(series.timestamps, maxt);
  let i = last;
  while (i >= 0 && series.timestamps[i]! >= mint) i--;
  for (let j = i + 1; j <= last; j++) {
    if (!isStaleNaN(series.values, j)) out.push({ t: series.timestamps[j]!, v: series.values[j]! });
  }
  return out;
}

export function seriesOf(ev: Evaluation, node: VectorSelector): RawSeries[] {
  return ev.state.series.get(node) ?? [];
}

/** An instant vector selector over all steps: one point per step where a sample is in lookback. */
export function evalVectorSelector(ev: Evaluation, node: VectorSelector): Matrix {
  const offset = effectiveOffset(ev.state, node);
  const lookback = ev.state.limits.lookbackDelta;
  const mat: Matrix = [];
  for (const series of seriesOf(ev, node)) {
    const points: Point[] = [];
    for (let ts = ev.start; ts <= ev.end; ts += ev.interval) {
      const p = sampleAt(series, ts - offset, lookback);
      if (!p) continue;
      if (ev.currentSamples >= ev.state.limits.maxSamples) throw tooManySamples();
      points.push({ t: ts, v: p.v });
      ev.currentSamples++;
    }
    if (points.length > 0) mat.push({ metric: series.labels, points });
  }
  return mat;
}

/** A range selector in an instant query: the raw samples of each series with their own timestamps. */
export function evalMatrixSelector(ev: Evaluation, node: MatrixSelector): Matrix {
  const offset = effectiveOffset(ev.state, node.selector);
  const maxt = ev.start - offset;
  const mint = maxt - node.range;
  const mat: Matrix = [];
  for (const series of seriesOf(ev, node.selector)) {
    ev.checkDone();
    const points = samplesIn(series, mint, maxt);
    ev.addSamples(points.length);
    if (points.length > 0) mat.push({ metric: series.labels, points } satisfies Series);
  }
  return mat;
}
