// Partial aggregates of spans at each resolution, as sub-selects of a planned query
// (planner/plan-sql.ts) produce them, and their merge. Rollup columns: migrations 0006, 0013.
import { SPAN_CLASS, SPAN_COLUMNS as S, SPAN_ROLLUP_COLUMNS as R } from '@telemetryflow/clickhouse';
import type { SignalTables } from '../planner/plan-sql.js';
import type { Resolution } from '../planner/query-plan.js';

/** The rollups' DDSketch state type: 1% relative accuracy; levels p50, p90, p95, p99. */
const SKETCH = '0.01, 0.5, 0.9, 0.95, 0.99';

/** `n` spans and `errors` among them. */
export function spanCounts(source: Resolution): string {
  return source === 'raw'
    ? `count() AS n, countIf(${S.StatusCode} = 'STATUS_CODE_ERROR') AS errors`
    : `sum(${R.Count}) AS n, sum(${R.ErrorCount}) AS errors`;
}

/** `q`: a mergeable duration sketch. Raw spans are sketched too, so every resolution answers alike. */
export function durationSketch(source: Resolution): string {
  return source === 'raw'
    ? `quantilesDDState(${SKETCH})(${S.DurationNs}) AS q`
    : `quantilesDDMergeState(${SKETCH})(${R.DurationQuantiles}) AS q`;
}

/** `operation` and `kind` of a row. */
export function operationKeys(source: Resolution): string {
  return source === 'raw'
    ? `${S.Name} AS operation, ${S.Kind} AS kind`
    : `${R.SpanName} AS operation, ${R.SpanKind} AS kind`;
}

/** Outer select: the merged quantiles of the segments' sketches, in nanoseconds. */
export const MERGED_QUANTILES = `quantilesDDMerge(${SKETCH})(q) AS q`;

/** `service` and `class` of a segment's rows, for grouping before entrySpans. */
export function serviceAndClass(source: Resolution, tables: SignalTables): string {
  const spanClass = SPAN_CLASS[tables[source].table];
  if (spanClass === undefined) throw new Error(`no span class for table ${tables[source].table}`);
  return `${S.ServiceName} AS service, ${spanClass} AS class`;
}

/**
 * Rows of a union grouped by `service` and `class` (serviceAndClass), each marked `entry`
 * when its class is its service's entry spans over the whole union: the server and consumer
 * spans, or the root spans where the service has neither (DESIGN: a service's RED is over
 * its entry spans). `entryClass` names the class chosen.
 */
export function entrySpans(union: string): string {
  return `SELECT *, if(max(class = 'server_consumer') OVER (PARTITION BY service), 'server_consumer', 'root') AS entryClass, class = entryClass AS entry
    FROM (${union})`;
}

/**
 * Outer select over entrySpans: requests, the failed ones and their merged duration
 * quantiles in ns (names apart from the partial aggregates', which they read).
 */
export const ENTRY_RED = `sumIf(n, entry) AS requests, sumIf(errors, entry) AS failed, quantilesDDMergeIf(${SKETCH})(q, entry) AS quantiles`;

/** p50 / p95 / p99 in milliseconds from merged quantiles (levels as in SKETCH); null without spans. */
export function latencyMs(
  count: number,
  q: readonly (number | string)[],
): { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null } {
  const at = (i: number) => (count > 0 && q[i] !== undefined ? Number(q[i]) / 1e6 : null);
  return { p50Ms: at(0), p95Ms: at(2), p99Ms: at(3) };
}
