// Partial aggregates of spans at each resolution, as sub-selects of a planned query
// (planner/plan-sql.ts) produce them, and their merge. Rollup columns: migration 0006.
import type { Resolution } from '../planner/query-plan.js';

/** The rollups' DDSketch state type: 1% relative accuracy; levels p50, p90, p95, p99. */
const SKETCH = '0.01, 0.5, 0.9, 0.95, 0.99';

/** `n` spans and `errors` among them. */
export function spanCounts(source: Resolution): string {
  return source === 'raw' ? "count() AS n, countIf(StatusCode = 'STATUS_CODE_ERROR') AS errors" : 'sum(Count) AS n, sum(ErrorCount) AS errors';
}

/** `q`: a mergeable duration sketch. Raw spans are sketched too, so every resolution answers alike. */
export function durationSketch(source: Resolution): string {
  return source === 'raw' ? `quantilesDDState(${SKETCH})(DurationNs) AS q` : `quantilesDDMergeState(${SKETCH})(DurationQuantiles) AS q`;
}

/** `operation` and `kind` of a row. */
export function operationKeys(source: Resolution): string {
  return source === 'raw' ? 'Name AS operation, Kind AS kind' : 'SpanName AS operation, SpanKind AS kind';
}

/** Outer select: the merged quantiles of the segments' sketches, in nanoseconds. */
export const MERGED_QUANTILES = `quantilesDDMerge(${SKETCH})(q) AS q`;

/** p50 / p95 / p99 in milliseconds from merged quantiles (levels as in SKETCH); null without spans. */
export function latencyMs(count: number, q: readonly (number | string)[]): { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null } {
  const at = (i: number) => (count > 0 && q[i] !== undefined ? Number(q[i]) / 1e6 : null);
  return { p50Ms: at(0), p95Ms: at(2), p99Ms: at(3) };
}
