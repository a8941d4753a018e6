import { xxh64 } from '@node-rs/xxhash';
import type { MetricType } from '@telemetryflow/contract';
import {
  cleanString,
  int64ToString,
  keyValuesToStored,
  type Exemplar,
  type ExponentialHistogramDataPoint,
  type HistogramDataPoint,
  type NumberDataPoint,
  type SummaryDataPoint,
  type ExportMetricsServiceRequest,
  type Int64Like,
  type KeyValue,
  type Metric,
  type StoredAttributes,
} from '@telemetryflow/otlp';
import {
  envelopeColumns,
  float,
  idHex,
  InvalidItemError,
  nanos,
  nullableFloat,
  resourceEnvelope,
  rowTime,
  timeText,
  uint32,
  uint64,
  withScope,
  type Envelope,
  type TimeWindow,
} from './fields.js';
import type { InsertRow } from './columns.js';
import {
  writeExpHistogramColumns,
  writeGaugeColumns,
  writeHistogramColumns,
  writeSeriesColumns,
  writeSumColumns,
  writeSummaryColumns,
  type MetricColumnWriter,
  type MetricTable,
} from './metric-columns.js';
import { RowBatchBuilder, windowOf, type RowBatch, type RowContext } from './row-batch.js';

function sortedEntries(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The resource and scope part of a series identity, computed once per scope of a request. */
export function envelopeKey(env: Envelope): string {
  return JSON.stringify([
    sortedEntries(env.resourceValues),
    sortedEntries(env.resourceTypes),
    env.scopeName,
    env.scopeVersion,
  ]).slice(1, -1);
}

/**
 * Series identity: xxHash64 over metric name, resource, scope and point attributes
 * (values and types, keys sorted), as an unsigned decimal string. The hashed text is
 * `JSON.stringify([name, resource, resourceTypes, scopeName, scopeVersion, values, types])`.
 */
export function seriesFingerprint(
  name: string,
  envKey: string,
  values: Record<string, string>,
  types: Record<string, string>,
): string {
  return xxh64(
    `[${JSON.stringify(name)},${envKey},${JSON.stringify(sortedEntries(values))},${JSON.stringify(sortedEntries(types))}]`,
  ).toString();
}

function isIntExemplar(e: Exemplar): boolean {
  return e.value === 'asInt' || (e.value === undefined && e.asInt !== null && e.asInt !== undefined);
}

/** The exemplar columns of a data point; throws InvalidItemError for an invalid exemplar. */
export function exemplarColumns(exemplars: Exemplar[] | null | undefined): unknown[] {
  const list = exemplars ?? [];
  const attrs = list.map((e) => keyValuesToStored(e.filteredAttributes));
  return [
    list.map((e) => nanos(e.timeUnixNano, 'exemplar time_unix_nano')),
    list.map((e) => (isIntExemplar(e) ? Number(int64ToString(e.asInt)) : float(e.asDouble))),
    list.map((e) => (isIntExemplar(e) ? int64ToString(e.asInt) : null)),
    list.map((e) => idHex(e.traceId, 16, 'exemplar trace_id', false)),
    list.map((e) => idHex(e.spanId, 8, 'exemplar span_id', false)),
    attrs.map((a) => a.values),
    attrs.map((a) => a.types),
  ];
}

/** Any kind of data point; only the fields of the metric's own kind are present. */
type AnyPoint = NumberDataPoint & HistogramDataPoint & ExponentialHistogramDataPoint & SummaryDataPoint;

function numberValue(p: NumberDataPoint): [number | string, string | null] {
  const isInt = p.value === 'asInt' || (p.value === undefined && p.asInt !== null && p.asInt !== undefined);
  if (isInt) {
    const s = int64ToString(p.asInt);
    return [Number(s), s];
  }
  return [float(p.asDouble), null];
}

const TYPE_OF: Record<NonNullable<Metric['data']>, MetricType> = {
  gauge: 'gauge',
  sum: 'sum',
  histogram: 'histogram',
  exponentialHistogram: 'exponential_histogram',
  summary: 'summary',
};

function dataOf(metric: Metric): NonNullable<Metric['data']> | undefined {
  if (metric.data) return metric.data;
  return (['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const).find((k) => metric[k]);
}

/** One series of the request: its metric_series row's values. */
interface SeriesState {
  tenantId: string;
  name: string;
  fingerprint: string;
  type: MetricType;
  unit: string;
  description: string;
  temporality: number;
  isMonotonic: boolean;
  env: Envelope;
  attrs: StoredAttributes;
  metadata: StoredAttributes;
  firstSeen: bigint;
  lastSeen: bigint;
}

const SERIES_VALUES: MetricColumnWriter<'metric_series', unknown[], SeriesState> = {
  series: (row, s) =>
    void row.push(
      s.tenantId,
      s.name,
      s.fingerprint,
      s.type,
      s.unit,
      s.description,
      s.temporality,
      s.isMonotonic,
      s.env.serviceName,
    ),
  envelope: (row, s) => void row.push(...envelopeColumns(s.env)),
  attributes: (row, s) => void row.push(s.attrs.values, s.attrs.types),
  metadata: (row, s) => void row.push(s.metadata.values, s.metadata.types),
  seen: (row, s) => void row.push(s.firstSeen, s.lastSeen),
};

/** The data point being written, and what its row takes from its metric. One per metric, reused for its points. */
interface PointSource {
  tenantId: string;
  name: string;
  fingerprint: string;
  start: bigint;
  time: bigint;
  point: AnyPoint;
  temporality: number;
  isMonotonic: boolean;
  /** A histogram's bucket counts and bounds, checked before any column is written. */
  counts: string[];
  bounds: number[];
}

type PointTable = Exclude<MetricTable, 'metric_series'>;
type PointValues = MetricColumnWriter<'metrics_gauge', unknown[], PointSource> &
  MetricColumnWriter<'metrics_sum', unknown[], PointSource> &
  MetricColumnWriter<'metrics_histogram', unknown[], PointSource> &
  MetricColumnWriter<'metrics_exp_histogram', unknown[], PointSource> &
  MetricColumnWriter<'metrics_summary', unknown[], PointSource>;

/** The object path's column writer of the metrics point tables: each group's values, appended to a row array. */
const POINT_VALUES: PointValues = {
  head: (row, s) => void row.push(s.tenantId, s.name, s.fingerprint, s.start, s.time, uint32(s.point.flags)),
  value: (row, s) => void row.push(...numberValue(s.point)),
  count: (row, s) => void row.push(uint64(s.point.count)),
  sumMinMax: (row, s) =>
    void row.push(nullableFloat(s.point.sum), nullableFloat(s.point.min), nullableFloat(s.point.max)),
  sum: (row, s) => void row.push(float(s.point.sum)),
  temporality: (row, s) => void row.push(s.temporality),
  isMonotonic: (row, s) => void row.push(s.isMonotonic),
  buckets: (row, s) => void row.push(s.counts, s.bounds),
  scale: (row, s) => void row.push(Number(s.point.scale ?? 0)),
  zero: (row, s) => void row.push(uint64(s.point.zeroCount), float(s.point.zeroThreshold)),
  positive: (row, s) =>
    void row.push(Number(s.point.positive?.offset ?? 0), (s.point.positive?.bucketCounts ?? []).map(uint64)),
  negative: (row, s) =>
    void row.push(Number(s.point.negative?.offset ?? 0), (s.point.negative?.bucketCounts ?? []).map(uint64)),
  quantiles: (row, s) => {
    const qs = s.point.quantileValues ?? [];
    row.push(
      qs.map((q) => float(q.quantile)),
      qs.map((q) => float(q.value)),
    );
  },
  exemplars: (row, s) => void row.push(...exemplarColumns(s.point.exemplars)),
};

function pointRow<T extends PointTable>(
  write: (row: unknown[], c: PointValues, s: PointSource) => void,
  s: PointSource,
): InsertRow<T> {
  const row: unknown[] = [];
  write(row, POINT_VALUES, s);
  return row as InsertRow<T>;
}

/** Rows for every data point of one metric, plus one metric_series row per distinct series. */
/** A data point's time and start time; the start may be unknown (0) but not after the time. */
function pointTimes(
  p: { startTimeUnixNano?: Int64Like | null; timeUnixNano?: Int64Like | null },
  window: TimeWindow,
): [bigint, bigint] {
  const time = rowTime(p.timeUnixNano, 'time_unix_nano', window);
  const start = nanos(p.startTimeUnixNano, 'start_time_unix_nano');
  if (start > time)
    throw new InvalidItemError(`start_time_unix_nano ${timeText(start)} is after time_unix_nano ${timeText(time)}`);
  return [start, time];
}

function metricRows(
  tenantId: string,
  env: Envelope,
  envKey: string,
  metric: Metric,
  out: RowBatchBuilder,
  series: Map<string, SeriesState>,
  window: TimeWindow,
  admit?: (fingerprint: string) => boolean,
  refusedPoints?: Set<object>,
): void {
  const data = dataOf(metric);
  const name = cleanString(metric.name);
  if (!data) {
    out.reject(`metric ${JSON.stringify(name)}: no data`, 1);
    return;
  }
  if (!name) {
    const points = (metric[data] as { dataPoints?: unknown[] | null } | null)?.dataPoints?.length ?? 1;
    out.reject('metric: name is empty', points);
    return;
  }
  const type = TYPE_OF[data];
  const body = metric[data] as {
    dataPoints?: { attributes?: KeyValue[] | null }[] | null;
    aggregationTemporality?: number | null;
    isMonotonic?: boolean | null;
  };
  const temporality = uint32(body.aggregationTemporality) & 0xff;
  const metadata = keyValuesToStored(metric.metadata);
  const isMonotonic = Boolean(body.isMonotonic);
  const source: PointSource = {
    tenantId,
    name,
    fingerprint: '',
    start: 0n,
    time: 0n,
    point: {},
    temporality,
    isMonotonic,
    counts: [],
    bounds: [],
  };
  for (const point of body.dataPoints ?? []) {
    try {
      const attrs = keyValuesToStored(point.attributes);
      const fingerprint = seriesFingerprint(name, envKey, attrs.values, attrs.types);
      if (admit && !admit(fingerprint)) {
        out.rejectOverQuota("new series over this tenant's active series quota (existing series are still accepted)");
        refusedPoints?.add(point);
        continue;
      }
      const p = point as AnyPoint;
      const [start, time] = pointTimes(p, window);
      source.fingerprint = fingerprint;
      source.start = start;
      source.time = time;
      source.point = p;
      switch (data) {
        case 'gauge':
          out.add('metrics_gauge', pointRow<'metrics_gauge'>(writeGaugeColumns, source));
          break;
        case 'sum':
          out.add('metrics_sum', pointRow<'metrics_sum'>(writeSumColumns, source));
          break;
        case 'histogram': {
          source.counts = (p.bucketCounts ?? []).map(uint64);
          source.bounds = (p.explicitBounds ?? []).map(float);
          if (source.counts.length !== 0 && source.counts.length !== source.bounds.length + 1) {
            throw new InvalidItemError(
              `histogram has ${source.counts.length} bucket counts for ${source.bounds.length} bounds`,
            );
          }
          out.add('metrics_histogram', pointRow<'metrics_histogram'>(writeHistogramColumns, source));
          break;
        }
        case 'exponentialHistogram':
          out.add('metrics_exp_histogram', pointRow<'metrics_exp_histogram'>(writeExpHistogramColumns, source));
          break;
        case 'summary':
          out.add('metrics_summary', pointRow<'metrics_summary'>(writeSummaryColumns, source));
          break;
      }
      out.accept();
      const seen = time;
      const known = series.get(fingerprint);
      if (known) {
        if (seen < known.firstSeen) known.firstSeen = seen;
        if (seen > known.lastSeen) known.lastSeen = seen;
      } else {
        series.set(fingerprint, {
          tenantId,
          name,
          fingerprint,
          type,
          unit: cleanString(metric.unit),
          description: cleanString(metric.description),
          temporality,
          isMonotonic,
          env,
          attrs,
          metadata,
          firstSeen: seen,
          lastSeen: seen,
        });
      }
    } catch (err) {
      if (!(err instanceof InvalidItemError)) throw err;
      out.reject(`data point of ${JSON.stringify(name)}: ${err.message}`);
    }
  }
}

export function metricsRequestToRows(
  tenantId: string,
  request: ExportMetricsServiceRequest,
  context: RowContext = {},
): RowBatch {
  const out = new RowBatchBuilder(context.refused);
  const window = windowOf(context);
  const series = new Map<string, SeriesState>();
  for (const rm of request.resourceMetrics ?? []) {
    const res = resourceEnvelope(rm.resource, rm.schemaUrl);
    for (const sm of rm.scopeMetrics ?? []) {
      const env = withScope(res, sm.scope, sm.schemaUrl);
      const envKey = envelopeKey(env);
      for (const metric of sm.metrics ?? [])
        metricRows(tenantId, env, envKey, metric, out, series, window, context.admitSeries, context.refusedPoints);
    }
  }
  for (const s of series.values()) {
    const row: unknown[] = [];
    writeSeriesColumns(row, SERIES_VALUES, s);
    out.add('metric_series', row as InsertRow<'metric_series'>);
  }
  return out.build();
}
