import { foldExtreme } from '../metric-math.js';
import type { MetricStrategy } from './metric-strategy.js';
import { groupBy } from './series-maps.js';

/** Min and max of histograms and exponential histograms: the recorded extremes per step, computed in ClickHouse. */
export const distributionExtremesStrategy: MetricStrategy = {
  async read(read) {
    const { aggregation } = read.q;
    const rows = await read.repo.distributionExtremes(
      read.type as 'histogram',
      read.scope(),
      await read.planned(),
      read.q.stepMs,
    );
    const byFp = groupBy(rows, (r) => r.fingerprint);
    return {
      values: (g) => {
        const acc = new Map<number, number | null>();
        for (const fp of g.fingerprints) {
          for (const r of byFp.get(fp) ?? []) {
            acc.set(
              r.bucket,
              foldExtreme(
                acc.get(r.bucket) ?? null,
                aggregation === 'min' ? r.min : r.max,
                aggregation as 'min' | 'max',
              ),
            );
          }
        }
        return acc;
      },
    };
  },
};
