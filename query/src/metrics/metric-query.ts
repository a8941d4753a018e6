import { METRIC_AGGREGATIONS, type MetricAggregation, type MetricType } from '@telemetryflow/schemas';
import { invalidParameter } from '../http/api-error.js';
import { niceStepSeconds, parseTimeRange, type TimeRange } from '../request-params.js';

export interface MetricQuery extends TimeRange {
  metric: string;
  aggregation: MetricAggregation;
  groupBy: string[];
  filters: [string, string][];
  stepMs: number;
}

const MAX_BUCKETS = 11_000;
const MAX_KEYS = 20;

/** Pure: POST body → MetricQuery, 400 naming the field on bad input. */
export function parseMetricQuery(body: unknown, nowMs = Date.now()): MetricQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParameter('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.metric !== 'string' || b.metric.length === 0 || b.metric.length > 1024) {
    throw invalidParameter('metric', 'must be a non-empty string');
  }
  if (typeof b.aggregation !== 'string' || !(METRIC_AGGREGATIONS as readonly string[]).includes(b.aggregation)) {
    throw invalidParameter('aggregation', `must be one of ${METRIC_AGGREGATIONS.join(', ')}`);
  }
  let groupBy: string[] = [];
  if (b.groupBy !== undefined) {
    if (!Array.isArray(b.groupBy) || b.groupBy.length > MAX_KEYS || !b.groupBy.every((k) => typeof k === 'string' && k.length > 0 && k.length <= 256)) {
      throw invalidParameter('groupBy', `must be an array of at most ${MAX_KEYS} attribute keys`);
    }
    groupBy = [...new Set(b.groupBy as string[])];
  }
  let filters: [string, string][] = [];
  if (b.filters !== undefined) {
    if (typeof b.filters !== 'object' || b.filters === null || Array.isArray(b.filters)) {
      throw invalidParameter('filters', 'must be an object of attribute key → value');
    }
    filters = Object.entries(b.filters as Record<string, unknown>).map(([k, v]) => {
      if (typeof v !== 'string' || k.length === 0 || k.length > 256 || v.length > 1024) {
        throw invalidParameter('filters', `value of ${JSON.stringify(k)} must be a string`);
      }
      return [k, v];
    });
    if (filters.length > MAX_KEYS) throw invalidParameter('filters', `at most ${MAX_KEYS} filters`);
  }
  for (const name of ['from', 'to'] as const) {
    if (b[name] !== undefined && typeof b[name] !== 'string' && typeof b[name] !== 'number') {
      throw invalidParameter(name, 'must be an RFC 3339 time or epoch milliseconds');
    }
  }
  const range = parseTimeRange({ from: b.from, to: b.to }, nowMs);
  const rangeMs = Number((range.toNs - range.fromNs) / 1_000_000n);
  let stepSeconds = niceStepSeconds(rangeMs / 1000);
  if (b.stepSeconds !== undefined) {
    if (typeof b.stepSeconds !== 'number' || !Number.isInteger(b.stepSeconds) || b.stepSeconds < 1 || b.stepSeconds > 31_536_000) {
      throw invalidParameter('stepSeconds', 'must be an integer number of seconds from 1 to 31536000');
    }
    stepSeconds = b.stepSeconds;
  }
  if (rangeMs / (stepSeconds * 1000) > MAX_BUCKETS) {
    throw invalidParameter('stepSeconds', `too small for the range: at most ${MAX_BUCKETS} points per series`);
  }
  return {
    ...range,
    metric: b.metric,
    aggregation: b.aggregation as MetricAggregation,
    groupBy,
    filters,
    stepMs: stepSeconds * 1000,
  };
}

export type PointsPlan = 'stats' | 'counter' | 'histogram-quantile' | 'exp-histogram-quantile' | 'distribution-totals' | 'distribution-extremes';

/**
 * Which computation answers an aggregation on a metric type, or a message when the
 * combination makes no sense (400).
 */
export function planFor(type: MetricType, agg: MetricAggregation): PointsPlan | string {
  const quantile = agg === 'p50' || agg === 'p90' || agg === 'p95' || agg === 'p99';
  const totals = agg === 'count' || agg === 'sum' || agg === 'avg';
  switch (type) {
    case 'gauge':
      return agg === 'rate' ? 'rate needs a sum (counter) metric' : quantile ? 'quantiles need a histogram metric' : 'stats';
    case 'sum':
      return agg === 'rate' ? 'counter' : quantile ? 'quantiles need a histogram metric' : 'stats';
    case 'histogram':
    case 'exponential_histogram':
      if (quantile) return type === 'histogram' ? 'histogram-quantile' : 'exp-histogram-quantile';
      if (agg === 'min' || agg === 'max') return 'distribution-extremes';
      return totals ? 'distribution-totals' : `${agg} is not supported on histograms (use count, sum, avg, min, max or p50..p99)`;
    case 'summary':
      return totals ? 'distribution-totals' : `${agg} is not supported on summary metrics yet (use count, sum or avg)`;
  }
}

export function quantileOf(agg: MetricAggregation): number {
  return { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 }[agg as 'p50'] ?? NaN;
}

/** Labels of a series for the requested keys: point attributes first, then resource attributes. */
export function seriesLabels(groupBy: readonly string[], attributes: Record<string, string>, resource: Record<string, string>): Record<string, string> {
  // fromEntries defines own properties, so a key such as "__proto__" stays a plain label.
  return Object.fromEntries(
    groupBy.map((k) => [k, Object.hasOwn(attributes, k) ? attributes[k]! : Object.hasOwn(resource, k) ? resource[k]! : '']),
  );
}
