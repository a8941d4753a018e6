import { durationMs } from '@telemetryflow/schemas';
import type { QueryRunner } from '@telemetryflow/query';
import type { GroupSample } from '../evaluation/evaluate-rule.js';
import type { MetricReader } from './clickhouse-condition-reader.js';

const NS_PER_MS = 1_000_000n;

/** The value of a series: its last step with data (null when none had any). */
export function lastValue(points: readonly [number, number | null][]): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]![1];
    if (v !== null) return v;
  }
  return null;
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
    return answer.data.series.map((s): GroupSample => ({ labels: s.labels, value: lastValue(s.points) }));
  };
}
