// Pure computations on OTLP exponential histograms: downscaling, merging, per-interval
// increases of cumulative series and quantiles.
//
// OTLP semantics: base = 2^(2^-scale); the positive bucket with absolute index i covers
// (base^i, base^(i+1)], the negative bucket with index i covers [-base^(i+1), -base^i),
// and the zero bucket counts values in [-zeroThreshold, zeroThreshold].

/** A run of bucket counts starting at absolute index `offset`. */
export interface ExpBucketRun {
  offset: number;
  counts: number[];
}

export interface ExpHistogram {
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: ExpBucketRun;
  negative: ExpBucketRun;
}

export interface ExpHistogramPoint extends ExpHistogram {
  /** Point time, epoch ms. */
  t: number;
  /** Series start time in epoch ms; 0 when unknown. */
  start: number;
  count: number;
  sum: number;
  /** Smallest / largest recorded observation, when the producer sent them. */
  min: number | null;
  max: number | null;
}

/** A dense run from sparse (index, count) pairs in ascending index order, such as ClickHouse's sumMap returns. */
export function sparseRun(indexes: readonly number[], counts: readonly number[]): ExpBucketRun {
  if (indexes.length === 0) return { offset: 0, counts: [] };
  const offset = indexes[0]!;
  const dense = new Array<number>(indexes[indexes.length - 1]! - offset + 1).fill(0);
  indexes.forEach((index, i) => (dense[index - offset]! += counts[i]!));
  return { offset, counts: dense };
}

/** The same buckets at a lower (coarser) scale: index i becomes i >> (scale - toScale). */
export function downscaleRun(run: ExpBucketRun, shift: number): ExpBucketRun {
  if (shift <= 0 || run.counts.length === 0) return run;
  const offset = run.offset >> shift;
  const last = (run.offset + run.counts.length - 1) >> shift;
  const counts = new Array<number>(last - offset + 1).fill(0);
  run.counts.forEach((c, i) => {
    counts[((run.offset + i) >> shift) - offset]! += c;
  });
  return { offset, counts };
}

export function downscale(h: ExpHistogram, toScale: number): ExpHistogram {
  if (toScale >= h.scale) return h;
  const shift = h.scale - toScale;
  return { ...h, scale: toScale, positive: downscaleRun(h.positive, shift), negative: downscaleRun(h.negative, shift) };
}

/** Adds (sign 1) or subtracts (sign -1) runs index by index. */
function combineRuns(a: ExpBucketRun, b: ExpBucketRun, sign: 1 | -1): ExpBucketRun {
  if (b.counts.length === 0) return a;
  if (a.counts.length === 0 && sign === 1) return b;
  const lo = a.counts.length === 0 ? b.offset : Math.min(a.offset, b.offset);
  const hi =
    a.counts.length === 0
      ? b.offset + b.counts.length
      : Math.max(a.offset + a.counts.length, b.offset + b.counts.length);
  const counts = new Array<number>(hi - lo).fill(0);
  a.counts.forEach((c, i) => (counts[a.offset + i - lo]! += c));
  b.counts.forEach((c, i) => (counts[b.offset + i - lo]! += sign * c));
  return { offset: lo, counts };
}

/**
 * Sums histograms of possibly different scales: every one is downscaled to the smallest
 * scale of the list, then counts are added per bucket index. The merged zero threshold
 * is the largest one (buckets are not folded into the widened zero bucket).
 */
export function mergeExpHistograms(list: readonly ExpHistogram[]): ExpHistogram | undefined {
  if (list.length === 0) return undefined;
  const scale = Math.min(...list.map((h) => h.scale));
  let acc: ExpHistogram = {
    scale,
    zeroCount: 0,
    zeroThreshold: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
  };
  for (const raw of list) {
    const h = downscale(raw, scale);
    acc = {
      scale,
      zeroCount: acc.zeroCount + h.zeroCount,
      zeroThreshold: Math.max(acc.zeroThreshold, h.zeroThreshold),
      positive: combineRuns(acc.positive, h.positive, 1),
      negative: combineRuns(acc.negative, h.negative, 1),
    };
  }
  return acc;
}

/**
 * Per-interval histograms from a cumulative series (oldest first after sorting). As for
 * explicit histograms and counters: the first point counts only when its series started
 * inside the fetched window; a later start time, a lower count or any bucket that
 * decreased (compared at the coarser of the two scales) is a reset, and the new point is
 * then the interval's histogram.
 */
export function expHistogramIncreases(
  points: readonly ExpHistogramPoint[],
  windowStartMs: number,
): ExpHistogramPoint[] {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const out: ExpHistogramPoint[] = [];
  let prev: ExpHistogramPoint | undefined;
  for (const p of sorted) {
    if (!prev) {
      if (p.start > 0 && p.start >= windowStartMs) out.push(p);
    } else {
      const scale = Math.min(p.scale, prev.scale);
      const cur = downscale(p, scale);
      const before = downscale(prev, scale);
      const positive = combineRuns(cur.positive, before.positive, -1);
      const negative = combineRuns(cur.negative, before.negative, -1);
      const zeroCount = cur.zeroCount - before.zeroCount;
      const reset =
        p.count < prev.count ||
        (p.start > 0 && prev.start > 0 && p.start > prev.start) ||
        zeroCount < 0 ||
        positive.counts.some((c) => c < 0) ||
        negative.counts.some((c) => c < 0);
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
              scale,
              zeroCount,
              zeroThreshold: Math.max(cur.zeroThreshold, before.zeroThreshold),
              positive,
              negative,
            },
      );
    }
    prev = p;
  }
  return out;
}

/** Lower bound of positive bucket `index` at `scale`, i.e. base^index = 2^(index * 2^-scale). */
function bucketBoundary(index: number, scale: number): number {
  return 2 ** (index * 2 ** -scale);
}

/**
 * The q-quantile (0..1) of an exponential histogram: rank = q × total, walking negative
 * buckets from the most negative, then the zero bucket, then positive buckets ascending.
 * Inside a bucket the value is interpolated exponentially (linearly in the bucket index,
 * base^(index + fraction)), which matches the buckets' log scale; inside the zero bucket
 * linearly between its bounds (from 0 when nothing is negative; up to 0 when values are
 * negative and none positive). The result is clamped to the recorded min/max when they are known.
 * Null when there are no observations.
 */
export function expHistogramQuantile(
  q: number,
  h: ExpHistogram,
  extremes: { min?: number | null; max?: number | null } = {},
): number | null {
  const neg = h.negative.counts.reduce((a, b) => a + b, 0);
  const pos = h.positive.counts.reduce((a, b) => a + b, 0);
  const total = neg + h.zeroCount + pos;
  if (total <= 0) return null;
  const clamp = (v: number): number => {
    let out = v;
    if (extremes.min !== undefined && extremes.min !== null && out < extremes.min) out = extremes.min;
    if (extremes.max !== undefined && extremes.max !== null && out > extremes.max) out = extremes.max;
    return out;
  };
  const rank = q * total;
  let cum = 0;
  // Negative buckets, most negative (highest index) first: [-base^(i+1), -base^i).
  for (let i = h.negative.counts.length - 1; i >= 0; i--) {
    const c = h.negative.counts[i]!;
    if (c > 0 && cum + c >= rank) {
      const index = h.negative.offset + i;
      const f = (rank - cum) / c;
      return clamp(-(2 ** ((index + 1 - f) * 2 ** -h.scale)));
    }
    cum += c;
  }
  if (h.zeroCount > 0 && cum + h.zeroCount >= rank) {
    const lower = neg > 0 ? -h.zeroThreshold : 0;
    const upper = pos > 0 || neg === 0 ? h.zeroThreshold : 0;
    return clamp(lower + (upper - lower) * ((rank - cum) / h.zeroCount));
  }
  cum += h.zeroCount;
  for (let i = 0; i < h.positive.counts.length; i++) {
    const c = h.positive.counts[i]!;
    if (c > 0 && cum + c >= rank) {
      const index = h.positive.offset + i;
      const f = (rank - cum) / c;
      return clamp(2 ** ((index + f) * 2 ** -h.scale));
    }
    cum += c;
  }
  // Only reachable through rounding: the top of the highest non-empty bucket.
  for (let i = h.positive.counts.length - 1; i >= 0; i--) {
    if (h.positive.counts[i]! > 0) return clamp(bucketBoundary(h.positive.offset + i + 1, h.scale));
  }
  return clamp(
    h.zeroCount > 0 ? (pos > 0 || neg === 0 ? h.zeroThreshold : 0) : -bucketBoundary(h.negative.offset, h.scale),
  );
}

/**
 * The range every observation of these intervals lies in: the smallest min and largest
 * max, each known only when every interval recorded it.
 */
export function knownExtremes(list: readonly { min: number | null; max: number | null }[]): {
  min: number | null;
  max: number | null;
} {
  let min: number | null = Infinity;
  let max: number | null = -Infinity;
  for (const h of list) {
    min = min === null || h.min === null ? null : Math.min(min, h.min);
    max = max === null || h.max === null ? null : Math.max(max, h.max);
  }
  return list.length === 0 ? { min: null, max: null } : { min, max };
}
