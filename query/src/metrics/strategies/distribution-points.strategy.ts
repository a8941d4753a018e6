// Distributions from their points (raw, or kept by the cumulative rollups): cumulative
// series become increases per interval, then merge per group and step.
import type { ExpHistogramPoint } from '../exp-histogram.js';
import { bucketStart, mergedHistogramQuantile, type HistogramPoint } from '../metric-math.js';
import { quantileOf } from '../metric-query.js';
import { distributionPointsPlan, expIntervals, expQuantile, intervals } from './distribution-intervals.js';
import { NS_PER_MS, type Group, type MetricRead, type MetricStrategy, type StepValues } from './metric-strategy.js';
import { getOr, groupBy, mapValues } from './series-maps.js';

/** Each group's interval distributions per step bucket, from the points of explicit histograms or summaries. */
async function distributionsPerStep(read: MetricRead): Promise<(g: Group) => Map<number, HistogramPoint[]>> {
  const { q } = read;
  const raw = await read.repo.distributionPoints(
    read.type as 'histogram' | 'exponential_histogram' | 'summary',
    read.scope(),
    await distributionPointsPlan(read),
    read.maxPoints + 1,
  );
  const points = groupBy(read.capped(raw), (p) => p.fingerprint);
  const windowStart = Number(read.lookback.fromNs / NS_PER_MS);
  return (g) => {
    const perBucket = new Map<number, HistogramPoint[]>();
    for (const fp of g.fingerprints) {
      for (const h of intervals(points.get(fp) ?? [], windowStart)) {
        if (h.t >= read.fromMs) getOr(perBucket, bucketStart(h.t, q.stepMs), () => []).push(h);
      }
    }
    return perBucket;
  };
}

/** Quantiles of cumulative explicit-bucket histograms (or of a metric mixing temporalities). */
export const histogramQuantileStrategy: MetricStrategy = {
  async read(read): Promise<StepValues> {
    const perStep = await distributionsPerStep(read);
    const quantile = quantileOf(read.q.aggregation);
    return { values: (g) => mapValues(perStep(g), (hs) => mergedHistogramQuantile(quantile, hs)) };
  },
};

/** Count, sum and average of summaries, and of cumulative (or mixed) histograms and exponential histograms. */
export const distributionTotalsStrategy: MetricStrategy = {
  async read(read): Promise<StepValues> {
    const perStep = await distributionsPerStep(read);
    const { aggregation } = read.q;
    return {
      values: (g) =>
        mapValues(perStep(g), (hs) => {
          const count = hs.reduce((a, h) => a + h.count, 0);
          const sum = hs.reduce((a, h) => a + h.sum, 0);
          if (aggregation === 'count') return count;
          if (aggregation === 'sum') return sum;
          return count > 0 ? sum / count : null;
        }),
    };
  },
};

/** Quantiles of cumulative (or mixed) exponential histograms, from their points with buckets. */
export const expHistogramQuantileStrategy: MetricStrategy = {
  async read(read): Promise<StepValues> {
    const { q } = read;
    const raw = await read.repo.expHistogramPoints(
      read.scope(),
      await distributionPointsPlan(read),
      read.maxPoints + 1,
    );
    const points = groupBy(read.capped(raw), (p) => p.fingerprint);
    const windowStart = Number(read.lookback.fromNs / NS_PER_MS);
    const quantile = quantileOf(q.aggregation);
    return {
      values: (g) => {
        const perBucket = new Map<number, ExpHistogramPoint[]>();
        for (const fp of g.fingerprints) {
          for (const h of expIntervals(points.get(fp) ?? [], windowStart)) {
            if (h.t >= read.fromMs) getOr(perBucket, bucketStart(h.t, q.stepMs), () => []).push(h);
          }
        }
        return mapValues(perBucket, (hs) => expQuantile(quantile, hs, hs));
      },
    };
  },
};
