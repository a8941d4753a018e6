import {
  LabelFilterSchema,
  METRIC_AGGREGATIONS,
  TimeInputSchema,
  type LabelFilter,
  type MetricAggregation,
  type MetricType,
} from '@telemetryflow/contract';
import { z } from 'zod';
import { invalidParameter, validate } from '@telemetryflow/http-kit';
import { niceStepSeconds, parseTimeRange, type TimeRange } from '../request-params.js';

export interface MetricQuery extends TimeRange {
  metric: string;
  aggregation: MetricAggregation;
  groupBy: string[];
  filters: LabelFilter[];
  stepMs: number;
}

const MAX_BUCKETS = 11_000;
const MAX_KEYS = 20;

/**
 * `POST /api/v1/metrics/query`: the metrics query of the shared DTO (without `signal`),
 * with `filters` also accepted as `{ key: value }` equalities, plus the range and step.
 */
export const MetricQueryBodySchema = z.object({
  metric: z.string().min(1).max(1024),
  aggregation: z.enum(METRIC_AGGREGATIONS),
  groupBy: z.array(z.string().min(1).max(256)).max(MAX_KEYS).optional(),
  filters: z
    .union([z.record(z.string().min(1).max(256), z.string().max(1024)), z.array(LabelFilterSchema).max(MAX_KEYS)])
    .optional(),
  from: TimeInputSchema.optional(),
  to: TimeInputSchema.optional(),
  stepSeconds: z.number().int().min(1).max(31_536_000).optional(),
  /** `raw` reads raw points only (to compare with, or while rollups are rebuilt). */
  resolution: z.enum(['auto', 'raw']).optional(),
});

/** Label filters from either accepted form. */
export function labelFilters(filters: Record<string, string> | LabelFilter[] | undefined): LabelFilter[] {
  if (filters === undefined) return [];
  const list = Array.isArray(filters)
    ? filters
    : Object.entries(filters).map(([label, value]) => ({ label, op: '=' as const, value }));
  if (list.length > MAX_KEYS) throw invalidParameter('filters', `at most ${MAX_KEYS} filters`);
  return list;
}

/** The step of a series over `range`: given, or about 120 points; 400 past 11,000 points. */
export function seriesStepMs(range: TimeRange, stepSeconds: number | undefined, parameter = 'stepSeconds'): number {
  const rangeMs = Number((range.toNs - range.fromNs) / 1_000_000n);
  const step = stepSeconds ?? niceStepSeconds(rangeMs / 1000);
  if (rangeMs / (step * 1000) > MAX_BUCKETS)
    throw invalidParameter(parameter, `too small for the range: at most ${MAX_BUCKETS} points per series`);
  return step * 1000;
}

/** Pure: POST body → MetricQuery, 400 naming the field on bad input. */
export function parseMetricQuery(body: unknown, nowMs = Date.now()): MetricQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidParameter('body', 'must be a JSON object');
  const b = validate(MetricQueryBodySchema, body, 'body');
  const range = parseTimeRange({ from: b.from, to: b.to }, nowMs);
  return {
    ...range,
    metric: b.metric,
    aggregation: b.aggregation,
    groupBy: [...new Set(b.groupBy ?? [])],
    filters: labelFilters(b.filters),
    stepMs: seriesStepMs(range, b.stepSeconds),
  };
}

export type PointsPlan =
  | 'stats'
  | 'counter'
  | 'histogram-quantile'
  | 'exp-histogram-quantile'
  | 'distribution-totals'
  | 'distribution-extremes';

/**
 * Which computation answers an aggregation on a metric type, or a message when the
 * combination makes no sense (400).
 */
export function planFor(type: MetricType, agg: MetricAggregation): PointsPlan | string {
  const quantile = agg === 'p50' || agg === 'p90' || agg === 'p95' || agg === 'p99';
  const totals = agg === 'count' || agg === 'sum' || agg === 'avg';
  switch (type) {
    case 'gauge':
      return agg === 'rate' || agg === 'increase'
        ? `${agg} needs a sum (counter) metric`
        : quantile
          ? 'quantiles need a histogram metric'
          : 'stats';
    case 'sum':
      return agg === 'rate' || agg === 'increase'
        ? 'counter'
        : quantile
          ? 'quantiles need a histogram metric'
          : 'stats';
    case 'histogram':
    case 'exponential_histogram':
      if (quantile) return type === 'histogram' ? 'histogram-quantile' : 'exp-histogram-quantile';
      if (agg === 'min' || agg === 'max') return 'distribution-extremes';
      return totals
        ? 'distribution-totals'
        : `${agg} is not supported on histograms (use count, sum, avg, min, max or p50..p99)`;
    case 'summary':
      return totals ? 'distribution-totals' : `${agg} is not supported on summary metrics yet (use count, sum or avg)`;
  }
}

export function quantileOf(agg: MetricAggregation): number {
  return { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 }[agg as 'p50'] ?? NaN;
}

/** Labels of a series for the requested keys: point attributes first, then resource attributes. */
export function seriesLabels(
  groupBy: readonly string[],
  attributes: Record<string, string>,
  resource: Record<string, string>,
): Record<string, string> {
  // fromEntries defines own properties, so a key such as "__proto__" stays a plain label.
  return Object.fromEntries(
    groupBy.map((k) => [
      k,
      Object.hasOwn(attributes, k) ? attributes[k]! : Object.hasOwn(resource, k) ? resource[k]! : '',
    ]),
  );
}
