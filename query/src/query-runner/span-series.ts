// Span queries of the query DTO: label expressions per resolution, and whether rollups
// (which keep service, operation and kind only) can answer.
import { SPAN_COLUMNS as S, SPAN_ROLLUP_COLUMNS as R } from '@telemetryflow/clickhouse';
import type { LabelFilter, SpanMeasure, SpansQuery } from '@telemetryflow/contract';
import { OPERATION_SPAN_TABLES, SERVICE_SPAN_TABLES, type SignalTables } from '../planner/plan-sql.js';
import type { Resolution } from '../planner/query-plan.js';
import { filterCondition, type SqlPart } from './filter-sql.js';

const ROLLUP_LABELS = new Set(['service', 'operation', 'kind']);

/** The tables a spans query reads: per-service rollups, per-operation rollups, or raw spans only. */
export function spanTables(q: SpansQuery): { tables: SignalTables; rawOnly: boolean } {
  const labels = [...(q.filters ?? []).map((f) => f.label), ...(q.groupBy ?? [])];
  if (!labels.every((l) => ROLLUP_LABELS.has(l))) return { tables: OPERATION_SPAN_TABLES, rawOnly: true };
  return { tables: labels.every((l) => l === 'service') ? SERVICE_SPAN_TABLES : OPERATION_SPAN_TABLES, rawOnly: false };
}

/** The SQL expression of a span label; `attr.` / `resource.` keys are bound as `param`. */
export function spanLabelExpr(label: string, source: Resolution, param: string): SqlPart {
  const raw = source === 'raw';
  if (label === 'service') return { sql: S.ServiceName, params: {} };
  if (label === 'operation') return { sql: raw ? S.Name : R.SpanName, params: {} };
  if (label === 'kind') return { sql: raw ? S.Kind : R.SpanKind, params: {} };
  if (label === 'status') return { sql: S.StatusCode, params: {} };
  const [map, key] = label.startsWith('attr.')
    ? [S.Attributes, label.slice(5)]
    : [S.ResourceAttributes, label.slice(9)];
  return { sql: `${map}[{${param}:String}]`, params: { [param]: key } };
}

/** `server` → `SPAN_KIND_SERVER`, `error` → `STATUS_CODE_ERROR`: short names accepted for kind and status. */
export function normalizeSpanValue(label: string, value: string): string {
  const upper = value.toUpperCase();
  if (label === 'kind' && !upper.startsWith('SPAN_KIND_')) return `SPAN_KIND_${upper}`;
  if (label === 'status' && !upper.startsWith('STATUS_CODE_')) return `STATUS_CODE_${upper}`;
  return label === 'kind' || label === 'status' ? upper : value;
}

export function spanFilter(f: LabelFilter, i: number, source: Resolution): SqlPart {
  const expr = spanLabelExpr(f.label, source, `fk${i}`);
  const regex = f.op === '=~' || f.op === '!~';
  const value = regex
    ? f.value
    : Array.isArray(f.value)
      ? f.value.map((v) => normalizeSpanValue(f.label, v))
      : normalizeSpanValue(f.label, f.value);
  const cond = filterCondition(expr.sql, f.op, value, `fv${i}`);
  return { sql: cond.sql, params: { ...expr.params, ...cond.params } };
}

const SKETCH = '0.01, 0.5, 0.9, 0.95, 0.99';
const QUANTILE_INDEX: Partial<Record<SpanMeasure, number>> = { p50: 0, p90: 1, p95: 2, p99: 3 };

/** Partial aggregates of one segment: n, errors, duration sum and (for quantiles) a sketch. */
export function spanAggregates(measure: SpanMeasure, source: Resolution): string {
  const sketch = QUANTILE_INDEX[measure] !== undefined;
  if (source === 'raw') {
    return `count() AS n, countIf(${S.StatusCode} = 'STATUS_CODE_ERROR') AS errors, sum(${S.DurationNs}) AS dsum${sketch ? `, quantilesDDState(${SKETCH})(${S.DurationNs}) AS q` : ''}`;
  }
  return `sum(${R.Count}) AS n, sum(${R.ErrorCount}) AS errors, sum(${R.DurationSum}) AS dsum${sketch ? `, quantilesDDMergeState(${SKETCH})(${R.DurationQuantiles}) AS q` : ''}`;
}

export function mergedSpanAggregates(measure: SpanMeasure): string {
  return `sum(n) AS n, sum(errors) AS errors, sum(dsum) AS dsum${QUANTILE_INDEX[measure] !== undefined ? `, quantilesDDMerge(${SKETCH})(q) AS q` : ''}`;
}

export interface SpanStepRow {
  n: number;
  errors: number;
  dsum: number;
  q?: number[];
}

/** A measure's value from one step's aggregates; latencies in milliseconds. */
export function spanMeasureValue(measure: SpanMeasure, r: SpanStepRow, stepMs: number): number | null {
  switch (measure) {
    case 'count':
      return r.n;
    case 'rate':
      return r.n / (stepMs / 1000);
    case 'errors':
      return r.errors;
    case 'error_rate':
      return r.n > 0 ? r.errors / r.n : null;
    case 'avg':
      return r.n > 0 ? r.dsum / r.n / 1e6 : null;
    default: {
      const v = r.q?.[QUANTILE_INDEX[measure]!];
      return r.n > 0 && v !== undefined ? Number(v) / 1e6 : null;
    }
  }
}

/** What a step without spans reads as. */
export function emptySpanValue(measure: SpanMeasure): number | null {
  return measure === 'count' || measure === 'rate' || measure === 'errors' ? 0 : null;
}
