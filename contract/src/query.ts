// The one query shape that dashboards panels, alert rules and `POST /api/v1/query` share:
// a discriminated union on `signal`, answered by time series `{ labels, points }`.
import { z } from 'zod';

export const METRIC_AGGREGATIONS = [
  'avg',
  'sum',
  'min',
  'max',
  'count',
  'last',
  'rate',
  'increase',
  'p50',
  'p90',
  'p95',
  'p99',
] as const;
export type MetricAggregation = (typeof METRIC_AGGREGATIONS)[number];

export const SPAN_MEASURES = ['count', 'rate', 'errors', 'error_rate', 'avg', 'p50', 'p90', 'p95', 'p99'] as const;
export type SpanMeasure = (typeof SPAN_MEASURES)[number];

export const FILTER_OPS = ['=', '!=', '=~', '!~', 'in'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** OTel severity ranges by their lowest number: TRACE 1–4, DEBUG 5–8, … FATAL 21–24. */
export const SEVERITY_LEVELS = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 } as const;
export type SeverityName = keyof typeof SEVERITY_LEVELS;

const MAX_FILTERS = 20;
const MAX_GROUP_BY = 10;
const Value = z.string().max(1024);

/**
 * `label op value`. `=~` / `!~` match a RE2 regular expression anywhere in the value
 * (anchor it with `^…$`); `in` takes an array of values, the others one string.
 */
function filterSchema(label: z.ZodString) {
  return z
    .object({
      label,
      op: z.enum(FILTER_OPS),
      value: z.union([Value, z.array(Value).min(1).max(100)]),
    })
    .refine((f) => (f.op === 'in') === Array.isArray(f.value), {
      message: "'in' takes an array of values, the other operators one string",
      path: ['value'],
    })
    .refine((f) => (f.op !== '=~' && f.op !== '!~') || typeof f.value !== 'string' || isRegex(f.value), {
      message: 'not a valid regular expression',
      path: ['value'],
    });
}

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A metric label: a point attribute, else a resource attribute of the series. */
const MetricLabel = z.string().min(1).max(256);
/** Span dimensions; `attr.<key>` = span attribute, `resource.<key>` = resource attribute. */
const SpanLabel = z
  .string()
  .max(256)
  .regex(
    /^(service|operation|kind|status|attr\..+|resource\..+)$/,
    'must be service, operation, kind, status, attr.<key> or resource.<key>',
  );
/** Log dimensions; `severity` is the OTel range name (INFO, ERROR, …). */
const LogLabel = z
  .string()
  .max(256)
  .regex(/^(service|severity|attr\..+|resource\..+)$/, 'must be service, severity, attr.<key> or resource.<key>');

export const LabelFilterSchema = filterSchema(MetricLabel);
export type LabelFilter = z.infer<typeof LabelFilterSchema>;

export const MetricsQuerySchema = z.object({
  signal: z.literal('metrics'),
  metric: z.string().min(1).max(1024),
  aggregation: z.enum(METRIC_AGGREGATIONS),
  filters: z.array(LabelFilterSchema).max(MAX_FILTERS).optional(),
  groupBy: z.array(MetricLabel).max(MAX_GROUP_BY).optional(),
});
export type MetricsQuery = z.infer<typeof MetricsQuerySchema>;

/**
 * Which spans a spans query measures: all of them, or each service's entry spans — its
 * server and consumer spans, or its root spans where it has none in the range — over which
 * the API states a service's RED (rate, errors, duration).
 */
export const SPAN_SETS = ['all', 'entry'] as const;
export type SpanSet = (typeof SPAN_SETS)[number];

export const SpansQuerySchema = z.object({
  signal: z.literal('spans'),
  measure: z.enum(SPAN_MEASURES),
  /** Default `all`. With filters, the entry spans are chosen among the spans that pass them. */
  spans: z.enum(SPAN_SETS).optional(),
  filters: z.array(filterSchema(SpanLabel)).max(MAX_FILTERS).optional(),
  groupBy: z.array(SpanLabel).max(MAX_GROUP_BY).optional(),
});
export type SpansQuery = z.infer<typeof SpansQuerySchema>;

export const LogsQuerySchema = z.object({
  signal: z.literal('logs'),
  measure: z.literal('count'),
  /** Words, "quoted phrases" and prefix* terms that must all match the body. */
  search: z.string().max(1024).optional(),
  /** Severity at or above: an OTel severity number (1–24) or range name. */
  minSeverity: z
    .union([z.number().int().min(1).max(24), z.enum(Object.keys(SEVERITY_LEVELS) as [SeverityName, ...SeverityName[]])])
    .optional(),
  filters: z.array(filterSchema(LogLabel)).max(MAX_FILTERS).optional(),
  groupBy: z.array(LogLabel).max(MAX_GROUP_BY).optional(),
});
export type LogsQuery = z.infer<typeof LogsQuerySchema>;

export const QuerySchema = z.discriminatedUnion('signal', [MetricsQuerySchema, SpansQuerySchema, LogsQuerySchema]);
export type QueryDto = z.infer<typeof QuerySchema>;

/** Longest PromQL expression accepted in a panel or an alert rule (Prometheus has no limit; 8 KiB holds any sane one). */
export const PROMQL_MAX_CHARS = 8192;

/**
 * A PromQL expression, evaluated like Prometheus' `query_range` over the tenant's metrics (remote-written
 * series as written, OTLP series under their Prometheus names). `legend` names each series from its
 * labels: `{{job}} {{instance}}` as in Grafana; without it the series' label set is its name.
 */
export const PromqlQuerySchema = z
  .object({
    signal: z.literal('promql'),
    expr: z.string().trim().min(1).max(PROMQL_MAX_CHARS),
    legend: z.string().max(256).optional(),
  })
  .strict();
export type PromqlQuery = z.infer<typeof PromqlQuerySchema>;

/** What a series panel charts: a query of the query API, or PromQL. */
export const PanelQuerySchema = z.discriminatedUnion('signal', [
  MetricsQuerySchema,
  SpansQuerySchema,
  LogsQuerySchema,
  PromqlQuerySchema,
]);
export type PanelQuery = z.infer<typeof PanelQuerySchema>;

/** RFC 3339 or epoch milliseconds. */
export const TimeInputSchema = z.union([z.string().max(64), z.number().int().nonnegative()]);

/** `POST /api/v1/query`. `step` in seconds; by default about 120 points over the range. */
export const QueryRequestSchema = z.object({
  query: QuerySchema,
  from: TimeInputSchema,
  to: TimeInputSchema,
  step: z.number().int().min(1).max(31_536_000).optional(),
});
export type QueryRequest = z.infer<typeof QueryRequestSchema>;

/** One series: `points` are `[step start in epoch ms, value]`, null where the step has no data. */
export const QuerySeriesSchema = z.object({
  labels: z.record(z.string(), z.string()),
  points: z.array(z.tuple([z.number(), z.number().nullable()])),
  /** Exact int64 values as decimal strings, one per point (see MetricSeriesDto.intValues). */
  intValues: z.array(z.string().nullable()).optional(),
  /** How the series is shown, where its query names it (a PromQL panel: its legend, else `name{a="b"}`). */
  name: z.string().optional(),
});
export type QuerySeries = z.infer<typeof QuerySeriesSchema>;

export const QueryResultSchema = z.object({ series: z.array(QuerySeriesSchema) });
export type QueryResult = z.infer<typeof QueryResultSchema>;

/** Which stored data answered (`raw`, `hourly`, `daily` rollups) and the step in seconds. */
export const QueryMetaSchema = z.object({ resolution: z.enum(['raw', 'hourly', 'daily']), step: z.number() });
export type QueryMeta = z.infer<typeof QueryMetaSchema>;
