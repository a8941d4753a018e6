// What readers read: the raw and rollup tables, their time columns and the columns the
// query API and alerting use, named once (the insert side is `INSERT_COLUMNS`, tables.ts).
// Identifiers only: every value a reader filters by stays a bound `{name:Type}` parameter.
// read-catalog.test.ts checks every name here against the migrated schema.

/** A column vocabulary: each name maps to itself, so readers spell `C.Count`, never `'Count'`. */
export type Columns<K extends string> = { readonly [C in K]: C };

function columns<const K extends string>(...names: K[]): Columns<K> {
  return Object.freeze(Object.fromEntries(names.map((n) => [n, n]))) as Columns<K>;
}

/** The resolutions a planned query reads (planner/query-plan.ts in query). */
export type ReadResolution = 'raw' | 'hourly' | 'daily';

/** A table a planned query reads and the time column its segments filter. */
export interface TableAt {
  table: string;
  time: string;
}

/** A signal's table and time column at each resolution: fixed names, never from input. */
export type ResolutionTables = Readonly<Record<ReadResolution, TableAt>>;

/** Every read table's tenant column: each read is filtered by it. */
export const TENANT_COLUMN = 'TenantId';

/** Raw tables (migrations 0001–0004, 0009). */
export const RAW_TABLES = {
  spans: 'spans',
  traceIndex: 'trace_index',
  logs: 'logs',
  metricSeries: 'metric_series',
  alertHistory: 'alert_history',
} as const;

/** Raw point table per metric type (migration 0004). */
export const METRIC_POINT_TABLES = {
  gauge: 'metrics_gauge',
  sum: 'metrics_sum',
  histogram: 'metrics_histogram',
  exponential_histogram: 'metrics_exp_histogram',
  summary: 'metrics_summary',
} as const;

export type MetricPointType = keyof typeof METRIC_POINT_TABLES;

/** Time columns: of raw spans, raw logs, raw metric points, and of hourly and daily rollups. */
export const TIME_COLUMNS = {
  spans: 'StartTime',
  logs: 'Timestamp',
  points: 'Time',
  hourly: 'Hour',
  daily: 'Day',
} as const;

function rollup<const N extends string>(name: N) {
  return { hourly: `${name}_hourly`, daily: `${name}_daily` } as const;
}

/**
 * Rollups, each an hourly and a daily table: spans per service, operation and kind and per
 * service (0006, 0013), log volume (0007), metric values and distributions (0008), the
 * points cumulative distributions keep and delta exponential histograms per scale (0011).
 */
export const ROLLUP_TABLES = {
  spanRed: rollup('spans_red'),
  serviceRed: rollup('spans_service_red'),
  logVolume: rollup('logs_volume'),
  metricValue: rollup('metrics_value'),
  histogram: rollup('metrics_histogram'),
  expHistogram: rollup('metrics_exp_histogram'),
  summary: rollup('metrics_summary'),
  histogramCumulative: rollup('metrics_histogram_cumulative'),
  expHistogramCumulative: rollup('metrics_exp_histogram_cumulative'),
  expHistogramScaled: rollup('metrics_exp_histogram_scaled'),
  summaryCumulative: rollup('metrics_summary_cumulative'),
} as const;

export type RollupName = keyof typeof ROLLUP_TABLES;

/** A raw table (with its time column) and a rollup, as the query planner reads them. */
export function resolutionTables(raw: TableAt, rollupName: RollupName): ResolutionTables {
  const r = ROLLUP_TABLES[rollupName];
  return {
    raw,
    hourly: { table: r.hourly, time: TIME_COLUMNS.hourly },
    daily: { table: r.daily, time: TIME_COLUMNS.daily },
  };
}

const RAW_SPANS: TableAt = { table: RAW_TABLES.spans, time: TIME_COLUMNS.spans };

/** Spans per service (rollups without operations: far fewer sketches to merge). */
export const SERVICE_SPAN_TABLES: ResolutionTables = resolutionTables(RAW_SPANS, 'serviceRed');

/** Spans per service, operation and kind. */
export const OPERATION_SPAN_TABLES: ResolutionTables = resolutionTables(RAW_SPANS, 'spanRed');

export const LOG_TABLES: ResolutionTables = resolutionTables(
  { table: RAW_TABLES.logs, time: TIME_COLUMNS.logs },
  'logVolume',
);

/** A metric type's raw points and one of its rollups. */
export function metricTables(type: MetricPointType, rollupName: RollupName): ResolutionTables {
  return resolutionTables({ table: METRIC_POINT_TABLES[type], time: TIME_COLUMNS.points }, rollupName);
}

/** Cumulative rollups (0011) per distribution type: the points they keep per series and bucket. */
export const CUMULATIVE_ROLLUPS = {
  histogram: 'histogramCumulative',
  exponential_histogram: 'expHistogramCumulative',
  summary: 'summaryCumulative',
} as const satisfies Record<'histogram' | 'exponential_histogram' | 'summary', RollupName>;

/** Columns of raw spans that readers use. */
export const SPAN_COLUMNS = columns(
  'TenantId',
  'TraceId',
  'SpanId',
  'ParentSpanId',
  'StartTime',
  'ServiceName',
  'Name',
  'Kind',
  'StatusCode',
  'DurationNs',
  'Attributes',
  'ResourceAttributes',
);

/** Columns of the span rollups: per operation (`Root`) and per service (`Entry`). */
export const SPAN_ROLLUP_COLUMNS = columns(
  'TenantId',
  'ServiceName',
  'SpanName',
  'SpanKind',
  'Count',
  'ErrorCount',
  'DurationSum',
  'DurationQuantiles',
  'Root',
  'Entry',
);

/** Columns of raw logs that readers use. */
export const LOG_COLUMNS = columns('TenantId', 'Timestamp', 'ServiceName', 'SeverityText', 'SeverityNumber', 'Body');

/** Columns of the log volume rollups (0007): records per service and severity. */
export const LOG_ROLLUP_COLUMNS = columns('TenantId', 'ServiceName', 'SeverityNumber', 'SeverityText', 'Count');

/**
 * The catalog's seen times are written coarsely: a writer writes a series' `metric_series`
 * row again only when its LastSeen (or FirstSeen) moves to another bucket of this length
 * (rows/src/series-catalog-gate.ts). The stored LastSeen is then up to a bucket before the
 * series' last point and FirstSeen up to a bucket after its first, so a reader asking for
 * series seen in [from, to] widens that range by a bucket on each side.
 */
export const SERIES_SEEN_BUCKET_MS = 600_000;

/** Columns of `metric_series`. */
export const SERIES_COLUMNS = columns(
  'TenantId',
  'MetricName',
  'MetricType',
  'Fingerprint',
  'Unit',
  'Description',
  'Temporality',
  'IsMonotonic',
  'ServiceName',
  'Attributes',
  'ResourceAttributes',
  'FirstSeen',
  'LastSeen',
);

/** Columns of raw metric points (each type has those of its kind). */
export const POINT_COLUMNS = columns(
  'TenantId',
  'MetricName',
  'Fingerprint',
  'Time',
  'StartTime',
  'Temporality',
  'Value',
  'IntValue',
  'Count',
  'Sum',
  'Min',
  'Max',
  'ExplicitBounds',
  'BucketCounts',
  'Scale',
  'ZeroCount',
  'ZeroThreshold',
  'PositiveOffset',
  'PositiveBucketCounts',
  'NegativeOffset',
  'NegativeBucketCounts',
);

/**
 * Columns of the metric rollups (each rollup has those of its kind): value aggregates and
 * integer ones (0013), summed buckets and the count of points lacking extremes, the kept
 * points of cumulative rollups (`First`, `Peak`, `Last`), and exponential buckets per scale.
 */
export const METRIC_ROLLUP_COLUMNS = columns(
  'TenantId',
  'MetricName',
  'Fingerprint',
  'StartTime',
  'Count',
  'Sum',
  'Min',
  'Max',
  'First',
  'Last',
  'Peak',
  'IntCount',
  'IntMin',
  'IntMax',
  'IntLast',
  'Buckets',
  'MinMissing',
  'MaxMissing',
  'Scale',
  'ZeroCount',
  'ZeroThreshold',
  'Positive',
  'Negative',
);

/** Fields of a point a cumulative rollup keeps (the tuple in `First`, `Peak`, `Last`). */
export const KEPT_POINT_FIELDS = columns(
  'Time',
  'Count',
  'Sum',
  'Bounds',
  'Counts',
  'Min',
  'Max',
  'Scale',
  'ZeroCount',
  'ZeroThreshold',
  'PositiveOffset',
  'Positive',
  'NegativeOffset',
  'Negative',
);

/** Columns of `alert_history` (0009). */
export const ALERT_HISTORY_COLUMNS = columns(
  'TenantId',
  'Time',
  'RuleId',
  'RuleName',
  'GroupKey',
  'Labels',
  'Event',
  'FromState',
  'ToState',
  'Value',
  'ChannelId',
  'Outcome',
  'Message',
);

const S = SPAN_COLUMNS;
const R = SPAN_ROLLUP_COLUMNS;
const ENTRY_KINDS = "('SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER')";

/** The class of one raw span (a row of `spans`): 'server_consumer', 'root' (a root span of another kind) or 'other'. */
export const RAW_SPAN_CLASS = `multiIf(${S.Kind} IN ${ENTRY_KINDS}, 'server_consumer', ${S.ParentSpanId} = toFixedString('', 8), 'root', 'other')`;

const OPERATION_SPAN_CLASS = `multiIf(${R.SpanKind} IN ${ENTRY_KINDS}, 'server_consumer', ${R.Root}, 'root', 'other')`;
const SERVICE_SPAN_CLASS = `toString(${R.Entry})`;

/**
 * The class of the spans a row aggregates, keyed by the table a segment reads: raw spans
 * are classed one by one, per-operation rollups by kind and `Root`, and the per-service
 * rollups store it (`Entry`, 0013).
 */
export const SPAN_CLASS: Readonly<Record<string, string>> = {
  [RAW_TABLES.spans]: RAW_SPAN_CLASS,
  [ROLLUP_TABLES.spanRed.hourly]: OPERATION_SPAN_CLASS,
  [ROLLUP_TABLES.spanRed.daily]: OPERATION_SPAN_CLASS,
  [ROLLUP_TABLES.serviceRed.hourly]: SERVICE_SPAN_CLASS,
  [ROLLUP_TABLES.serviceRed.daily]: SERVICE_SPAN_CLASS,
};
