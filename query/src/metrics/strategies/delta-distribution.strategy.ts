// Delta distributions' points are intervals already: their counts, sums and buckets add up,
// so rollups summed per step bucket answer exactly, through the planner.
import { mergedHistogramQuantile } from '../metric-math.js';
import { quantileOf } from '../metric-query.js';
import { expQuantile } from './distribution-intervals.js';
import type { MetricStrategy } from './metric-strategy.js';
import { getOr, groupBy, mapValues, rowsPerStep } from './series-maps.js';

/** Quantiles of delta explicit-bucket histograms: bucket counts summed per upper bound and step. */
export const deltaHistogramQuantileStrategy: MetricStrategy = {
  async read(read) {
    const rows = await read.repo.distributionBuckets(read.scope(), await read.planned(), read.q.stepMs);
    const byFp = groupBy(rows, (r) => r.fingerprint);
    const quantile = quantileOf(read.q.aggregation);
    return {
      values: (g) => mapValues(rowsPerStep(byFp, g.fingerprints), (hs) => mergedHistogramQuantile(quantile, hs)),
    };
  },
};

/** Quantiles of delta exponential histograms: buckets summed per scale and step, merged per group. */
export const deltaExpHistogramQuantileStrategy: MetricStrategy = {
  async read(read) {
    const rows = await read.repo.deltaExpHistograms(read.scope(), await read.planned(), read.q.stepMs);
    const byFp = groupBy(rows, (r) => r.fingerprint);
    const quantile = quantileOf(read.q.aggregation);
    return {
      values: (g) =>
        mapValues(rowsPerStep(byFp, g.fingerprints), (rs) =>
          expQuantile(
            quantile,
            rs.map((r) => r.histogram),
            rs,
          ),
        ),
    };
  },
};

/** Count, sum and average of delta histograms and exponential histograms: counts and sums per step. */
export const deltaDistributionTotalsStrategy: MetricStrategy = {
  async read(read) {
    const { q } = read;
    const rows = await read.repo.distributionTotals(
      read.type as 'histogram',
      read.scope(),
      await read.planned(),
      q.stepMs,
    );
    const byFp = groupBy(rows, (r) => r.fingerprint);
    return {
      values: (g) => {
        const acc = new Map<number, { count: number; sum: number }>();
        for (const fp of g.fingerprints) {
          for (const r of byFp.get(fp) ?? []) {
            const t = getOr(acc, r.bucket, () => ({ count: 0, sum: 0 }));
            t.count += r.count;
            t.sum += r.sum;
          }
        }
        return mapValues(acc, (t) =>
          q.aggregation === 'count' ? t.count : q.aggregation === 'sum' ? t.sum : t.count > 0 ? t.sum / t.count : null,
        );
      },
    };
  },
};
