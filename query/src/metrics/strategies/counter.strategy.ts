import { bucketStart, counterIncreases, rollupCounterPoints } from '../metric-math.js';
import type { RawPoint } from '../metrics.repository.js';
import { DELTA, NS_PER_MS, type MetricStrategy } from './metric-strategy.js';
import { groupBy, mapValues } from './series-maps.js';

/**
 * Rates and increases of sums (counters). Whole hours and days of the range come from the
 * value rollups (first, last, min, max per bucket); the edges, and everything when no
 * rollup fits the step, from raw points.
 */
export const counterStrategy: MetricStrategy = {
  async read(read) {
    const { q } = read;
    const plan = await read.plannedWithLookback();
    const rawSegments = plan.segments.filter((s) => s.source === 'raw');
    const raw: RawPoint[] = [];
    for (const seg of rawSegments)
      raw.push(
        ...(await read.repo.sumPoints(read.scope({ fromNs: seg.fromNs, toNs: seg.toNs - 1n }), read.maxPoints + 1)),
      );
    const points = groupBy(read.capped(raw), (p) => p.fingerprint);
    const rollups = groupBy(await read.repo.counterRollups(read.scope(), plan), (r) => r.fingerprint);
    const series = new Map(read.series.map((s) => [s.fingerprint, s]));
    const perSecond = q.aggregation === 'rate' ? q.stepMs / 1000 : 1;
    return {
      values: (g) => {
        const acc = new Map<number, number>();
        for (const fp of g.fingerprints) {
          const s = series.get(fp)!;
          const pts = points.get(fp) ?? [];
          const buckets = rollups.get(fp) ?? [];
          const increases =
            s.temporality === DELTA
              ? [...pts.map((p) => ({ t: p.t, value: p.value })), ...buckets.map((b) => ({ t: b.t, value: b.sum }))]
              : counterIncreases(
                  [...pts, ...buckets.flatMap(rollupCounterPoints)],
                  Number(read.lookback.fromNs / NS_PER_MS),
                  s.monotonic,
                );
          for (const inc of increases) {
            if (inc.t < read.fromMs) continue;
            const b = bucketStart(inc.t, q.stepMs);
            acc.set(b, (acc.get(b) ?? 0) + inc.value);
          }
        }
        return mapValues(acc, (v) => v / perSecond);
      },
    };
  },
};
