import {
  addStats,
  emptyStats,
  exactStatValue,
  statValue,
  type StatAggregation,
  type StepStats,
} from '../metric-math.js';
import type { Group, MetricStrategy } from './metric-strategy.js';
import { getOr, groupBy, mapValues } from './series-maps.js';

/**
 * Gauges and sums, per step: sum, count, min, max, average or latest value over the
 * planner's plan (raw points and the value rollups), exact int64 values where every point
 * of a step was an integer.
 */
export const statsStrategy: MetricStrategy = {
  async read(read) {
    const { q } = read;
    const rows = await read.repo.stepStats(read.type as 'gauge' | 'sum', read.scope(), await read.planned(), q.stepMs);
    const byFp = groupBy(rows, (r) => r.fingerprint);
    const perGroup = new Map<Group, Map<number, StepStats>>();
    const stats = (g: Group) =>
      getOr(perGroup, g, () => {
        const acc = new Map<number, StepStats>();
        for (const fp of g.fingerprints) {
          for (const r of byFp.get(fp) ?? []) addStats(getOr(acc, r.bucket, emptyStats), r);
        }
        return acc;
      });
    return {
      values: (g) => mapValues(stats(g), (s) => statValue(s, q.aggregation as StatAggregation)),
      intValues: (g) => mapValues(stats(g), (s) => exactStatValue(s, q.aggregation as StatAggregation)),
    };
  },
};
