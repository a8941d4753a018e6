import { durationMs } from '@telemetryflow/schemas';
import type { QueryRunner } from '@telemetryflow/query';
import type { GroupSample } from '../evaluation/evaluate-rule.js';
import type { MetricReader } from './clickhouse-condition-reader.js';

const NS_PER_MS = 1_000_000n;

/**
 * A series' value for the window (at - window, at]: the query steps are one window long but
 * aligned to the epoch, so two of them share the window; the one covering more of it
 * answers (the later on a tie), the other when it has no data.
 */
export function windowValue(points: readonly [number, number | null][], atMs: number, windowMs: number): number | null {
  const covered = (start: number) => Math.max(0, Math.min(start + windowMs, atMs) - Math.max(start, atMs - windowMs));
  const ranked = points.filter(([, v]) => v !== null).sort((a, b) => covered(b[0]) - covered(a[0]) || b[0] - a[0]);
  const best = ranked[0];
  return best !== undefined && covered(best[0]) > 0 ? best[1] : null;
}

/**
 * Threshold conditions on any query DTO, run by the query API's QueryRunner (rollups where
 * the planner can use them) over the window before the evaluation, one step per window.
 */
export function queryRunnerReader(runner: QueryRunner): MetricReader {
  return async (tenant, rule, atMs) => {
    const windowMs = durationMs(rule.condition.window);
    const answer = await runner.run(tenant, rule.condition.query, {
      fromNs: BigInt(atMs - windowMs) * NS_PER_MS,
      toNs: BigInt(atMs) * NS_PER_MS,
      stepSeconds: Math.max(1, Math.round(windowMs / 1000)),
    });
    return answer.data.series.map((s): GroupSample => ({ labels: s.labels, value: windowValue(s.points, atMs, windowMs) }));
  };
}
