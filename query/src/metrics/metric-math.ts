// Pure computations behind POST /api/v1/metrics/query: step alignment, counter
// increases with resets, histogram merging and quantile interpolation.
import { knownExtremes } from './exp-histogram.js';

/** The smallest and largest observation, where the producer recorded them. */
export interface Extremes {
  min: number | null;
  max: number | null;
}

/** Start of the step bucket holding `tMs`; buckets are aligned to the epoch. */
export function bucketStart(tMs: number, stepMs: number): number {
  return Math.floor(tMs / stepMs) * stepMs;
}

/** Every bucket start from the one holding `fromMs` to the one holding `toMs`. */
export function bucketStarts(fromMs: number, toMs: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let b = bucketStart(fromMs, stepMs); b <= toMs; b += stepMs) out.push(b);
  return out;
}

export interface CounterPoint {
  /** Point time, epoch ms. */
  t: number;
  value: number;
  /** Series start time (OTLP StartTimeUnixNano) in epoch ms; 0 when unknown. */
  start: number;
}

export interface Increase {
  t: number;
  value: number;
}

/**
 * Increases of one cumulative counter series, attributed to the later point's time.
 * A decrease, or a later start time, is a reset: the new value is then the increase
 * since the reset. The first point contributes only when its series started inside
 * the fetched window (`windowStartMs`), since then its whole value is new.
 * Non-monotonic sums (`detectResets = false`) use plain differences.
 */
export function counterIncreases(
  points: readonly CounterPoint[],
  windowStartMs: number,
  detectResets = true,
): Increase[] {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const out: Increase[] = [];
  let prev: CounterPoint | undefined;
  for (const p of sorted) {
    if (!prev) {
      if (p.start > 0 && p.start >= windowStartMs) out.push({ t: p.t, value: p.value });
    } else {
      const reset = detectResets && (p.value < prev.value || (p.start > 0 && prev.start > 0 && p.start > prev.start));
      out.push({ t: p.t, value: reset ? p.value : p.value - prev.value });
    }
    prev = p;
  }
  return out;
}

/** One rollup bucket (hour or day) of a sum series: metrics_value_hourly / _daily. */
export interface CounterRollup {
  /** Bucket start and end, epoch ms. */
  t: number;
  endT: number;
  first: number;
  last: number;
  min: number;
  max: number;
}

/**
 * Points standing in for a rollup bucket of a cumulative counter, for counterIncreases:
 * its first value at the start and its last at the end, so increases inside the bucket
 * and across its edges come out as from raw points. A reset inside the bucket shows as a
 * peak above the last value (then the growth up to the peak counts, and the last value
 * after the reset) or a low below the first (then the growth before the reset is lost).
 * Exact without a reset inside the bucket.
 */
export function rollupCounterPoints(b: CounterRollup): CounterPoint[] {
  const points: CounterPoint[] = [{ t: b.t, value: b.first, start: 0 }];
  if (b.max > b.last) points.push({ t: b.t + 1, value: b.max, start: 0 });
  else if (b.min < b.first) points.push({ t: b.t + 1, value: b.min, start: 0 });
  points.push({ t: b.endT - 1, value: b.last, start: 0 });
  return points;
}

export interface HistogramPoint extends Extremes {
  t: number;
  start: number;
  count: number;
  sum: number;
  /** Explicit upper bounds; counts has one more entry (the +Inf bucket). */
  bounds: number[];
  counts: number[];
}

/** Per-interval histograms from a cumulative series, with the same reset rules as counters. */
export function histogramIncreases(points: readonly HistogramPoint[], windowStartMs: number): HistogramPoint[] {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const out: HistogramPoint[] = [];
  let prev: HistogramPoint | undefined;
  for (const p of sorted) {
    if (!prev) {
      if (p.start > 0 && p.start >= windowStartMs) out.push(p);
    } else {
      const sameLayout = p.bounds.length === prev.bounds.length && p.bounds.every((b, i) => b === prev!.bounds[i]);
      const reset =
        !sameLayout ||
        p.count < prev.count ||
        p.counts.some((c, i) => c < (prev!.counts[i] ?? 0)) ||
        (p.start > 0 && prev.start > 0 && p.start > prev.start);
      out.push(
        reset
          ? p
          : {
              t: p.t,
              start: p.start,
              count: p.count - prev.count,
              sum: p.sum - prev.sum,
              // The cumulative extremes bound every observation of the interval.
              min: p.min,
              max: p.max,
              bounds: p.bounds,
              counts: p.counts.map((c, i) => c - (prev!.counts[i] ?? 0)),
            },
      );
    }
    prev = p;
  }
  return out;
}

export interface Buckets {
  bounds: number[];
  counts: number[];
}

/**
 * Sums histograms. Equal layouts add bucket by bucket; differing layouts are merged on
 * the union of bounds, each histogram contributing its cumulative count at its largest
 * bound not above the union bound (never over-counting below a bound).
 */
export function mergeBuckets(list: readonly Buckets[]): Buckets | undefined {
  if (list.length === 0) return undefined;
  const first = list[0]!;
  const same = list.every(
    (h) => h.bounds.length === first.bounds.length && h.bounds.every((b, i) => b === first.bounds[i]),
  );
  if (same) {
    const counts = new Array<number>(first.bounds.length + 1).fill(0);
    for (const h of list) h.counts.forEach((c, i) => (counts[i] = (counts[i] ?? 0) + c));
    return { bounds: [...first.bounds], counts };
  }
  const bounds = [...new Set(list.flatMap((h) => h.bounds))].sort((a, b) => a - b);
  const cumulative = new Array<number>(bounds.length + 1).fill(0);
  for (const h of list) {
    const own: number[] = [];
    let run = 0;
    for (const c of h.counts) own.push((run += c));
    bounds.forEach((u, i) => {
      let idx = -1;
      while (idx + 1 < h.bounds.length && h.bounds[idx + 1]! <= u) idx++;
      cumulative[i]! += idx >= 0 ? own[idx]! : 0;
    });
    cumulative[bounds.length]! += run;
  }
  const counts = cumulative.map((c, i) => (i === 0 ? c : c - cumulative[i - 1]!));
  return { bounds, counts };
}

/**
 * The q-quantile of several histograms together, within their extremes when every one
 * recorded them; those without bounds say nothing about it.
 */
export function mergedHistogramQuantile(q: number, list: readonly (Buckets & Extremes)[]): number | null {
  const bucketed = list.filter((h) => h.bounds.length > 0);
  const merged = mergeBuckets(bucketed);
  return merged ? histogramQuantile(q, merged, knownExtremes(bucketed)) : null;
}

/**
 * The q-quantile (0..1) of a bucketed distribution, interpolated linearly inside the
 * bucket that holds the rank, as Prometheus' histogram_quantile does: the first bucket
 * starts at 0 when its bound is positive; a rank in the +Inf bucket returns the highest
 * finite bound. Where the smallest and largest observation are known, every bucket is
 * first narrowed to them: the first bucket starts at the minimum, the +Inf bucket ends at
 * the maximum, and no answer lies outside [min, max]. Null when there are no observations.
 */
export function histogramQuantile(q: number, h: Buckets, extremes: Extremes = { min: null, max: null }): number | null {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (total <= 0 || h.counts.length === 0) return null;
  if (h.bounds.length === 0) return null;
  const clamp = (v: number): number => Math.min(Math.max(v, extremes.min ?? -Infinity), extremes.max ?? Infinity);
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const inBucket = h.counts[i]!;
    if (cum + inBucket >= rank && inBucket > 0) {
      const upperBound = h.bounds[i] ?? Infinity;
      const lowerBound = i > 0 ? h.bounds[i - 1]! : upperBound > 0 ? 0 : -Infinity;
      let lower = clamp(i === 0 && extremes.min !== null ? extremes.min : lowerBound);
      let upper = clamp(upperBound);
      // An open end without a recorded extreme: the finite bound is the answer.
      if (!Number.isFinite(lower)) lower = upper;
      if (!Number.isFinite(upper)) upper = lower;
      return lower + (upper - lower) * ((rank - cum) / inBucket);
    }
    cum += inBucket;
  }
  return clamp(h.bounds[h.bounds.length - 1]!);
}

/** Min, max and last of integer points, exactly (int64 values pass 2^53). */
export interface ExactStats {
  min: bigint;
  max: bigint;
  last: bigint;
}

/** Running statistics of one group in one step bucket. */
export interface StepStats {
  sum: number;
  count: number;
  min: number;
  max: number;
  /** Sum over the group's series of each series' latest value in the bucket. */
  last: number;
  /** The same exactly, when every point was an integer; else null. */
  exact: ExactStats | null;
}

export function emptyStats(): StepStats {
  return { sum: 0, count: 0, min: Infinity, max: -Infinity, last: 0, exact: null };
}

export function addStats(acc: StepStats, s: StepStats): void {
  acc.exact = acc.count === 0 ? s.exact : combineExact(acc.exact, s.exact);
  acc.sum += s.sum;
  acc.count += s.count;
  acc.min = Math.min(acc.min, s.min);
  acc.max = Math.max(acc.max, s.max);
  acc.last += s.last;
}

function combineExact(a: ExactStats | null, b: ExactStats | null): ExactStats | null {
  if (a === null || b === null) return null;
  return { min: a.min < b.min ? a.min : b.min, max: a.max > b.max ? a.max : b.max, last: a.last + b.last };
}

/** min, max or last as an exact decimal string, when every point was an integer; else null. */
export function exactStatValue(s: StepStats, agg: StatAggregation): string | null {
  if (s.count === 0 || s.exact === null || (agg !== 'min' && agg !== 'max' && agg !== 'last')) return null;
  return s.exact[agg].toString();
}

export type StatAggregation = 'avg' | 'sum' | 'min' | 'max' | 'count' | 'last';

export function statValue(s: StepStats, agg: StatAggregation): number | null {
  if (s.count === 0) return null;
  switch (agg) {
    case 'avg':
      return s.sum / s.count;
    case 'sum':
      return s.sum;
    case 'min':
      return s.min;
    case 'max':
      return s.max;
    case 'count':
      return s.count;
    case 'last':
      return s.last;
  }
}

/** Running min or max where null means "none recorded": a null value leaves the result as it is. */
export function foldExtreme(acc: number | null, value: number | null, agg: 'min' | 'max'): number | null {
  if (value === null) return acc;
  if (acc === null) return value;
  return agg === 'min' ? Math.min(acc, value) : Math.max(acc, value);
}
