import type { AlertCondition, SpansQuery } from '@telemetryflow/contract';

const MEASURES = {
  error_rate: 'error_rate',
  p95_latency_ms: 'p95',
  p99_latency_ms: 'p99',
  request_rate: 'rate',
} as const;

type SpanScoped = Extract<AlertCondition, { kind: 'span' | 'slo_burn_rate' }>;

/**
 * The query DTO of a span-derived condition: its service and operation as filters, grouped
 * as the rule says. Without an operation it measures the service's RED, over its entry spans
 * (server and consumer spans, or root spans where it has none); an operation names its own
 * spans, whatever their kind, as the service's operations list counts them.
 */
export function spanConditionQuery(
  c: SpanScoped,
  measure: SpansQuery['measure'],
  groupBy: readonly string[],
): SpansQuery {
  const filters: NonNullable<SpansQuery['filters']> = [];
  if (c.service !== undefined) filters.push({ label: 'service', op: '=', value: c.service });
  if (c.operation !== undefined) filters.push({ label: 'operation', op: '=', value: c.operation });
  return {
    signal: 'spans',
    measure,
    ...(c.operation === undefined ? { spans: 'entry' as const } : {}),
    ...(filters.length ? { filters } : {}),
    ...(groupBy.length ? { groupBy: [...groupBy] } : {}),
  };
}

/** The QueryRunner measure of an alert span measure. */
export function spanMeasure(m: Extract<AlertCondition, { kind: 'span' }>['measure']): SpansQuery['measure'] {
  return MEASURES[m];
}
