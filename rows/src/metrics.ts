import { xxh64 } from '@node-rs/xxhash';
import type { InsertTable } from '@telemetryflow/clickhouse';
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
  type MetricType,
} from '@telemetryflow/schemas';
import {
  envelopeColumns, float, idHex, InvalidItemError, nanos, nullableFloat, resourceEnvelope, rowTime, timeText, uint32, uint64, withScope, type Envelope, type TimeWindow,
} from './fields.js';
import { RowBatchBuilder, windowOf, type RowBatch, type RowContext } from './row-batch.js';

function sortedEntries(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The resource and scope part of a series identity, computed once per scope of a request. */
export function envelopeKey(env: Envelope): string {
  return JSON.stringify([sortedEntries(env.resourceValues), sortedEntries(env.resourceTypes), env.scopeName, env.scopeVersion]).slice(1, -1);
}

/**
 * Series identity: xxHash64 over metric name, resource, scope and point attributes
 * (values and types, keys sorted), as an unsigned decimal string. The hashed text is
 * `JSON.stringify([name, resource, resourceTypes, scopeName, scopeVersion, values, types])`.
 */
export function seriesFingerprint(name: string, envKey: string, values: Record<string, string>, types: Record<string, string>): string {
  return xxh64(`[${JSON.stringify(name)},${envKey},${JSON.stringify(sortedEntries(values))},${JSON.stringify(sortedEntries(types))}]`).toString();
}

function isIntExemplar(e: Exemplar): boolean {
  return e.value === 'asInt' || (e.value === undefined && e.asInt !== null && e.asInt !== undefined);
}

function exemplarColumns(exemplars: Exemplar[] | null | undefined): unknown[] {
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

const TYPE_OF: Record<NonNullable<Metric['data']>, [MetricType, InsertTable]> = {
  gauge: ['gauge', 'metrics_gauge'],
  sum: ['sum', 'metrics_sum'],
  histogram: ['histogram', 'metrics_histogram'],
  exponentialHistogram: ['exponential_histogram', 'metrics_exp_histogram'],
  summary: ['summary', 'metrics_summary'],
};

function dataOf(metric: Metric): NonNullable<Metric['data']> | undefined {
  if (metric.data) return metric.data;
  return (['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const).find((k) => metric[k]);
}

interface SeriesState {
  row: unknown[];
  firstSeen: bigint;
  lastSeen: bigint;
}

/** Rows for every data point of one metric, plus one metric_series row per distinct series. */
/** A data point's time and start time; the start may be unknown (0) but not after the time. */
function pointTimes(p: { startTimeUnixNano?: Int64Like | null; timeUnixNano?: Int64Like | null }, window: TimeWindow): [bigint, bigint] {
  const time = rowTime(p.timeUnixNano, 'time_unix_nano', window);
  const start = nanos(p.startTimeUnixNano, 'start_time_unix_nano');
  if (start > time) throw new InvalidItemError(`start_time_unix_nano ${timeText(start)} is after time_unix_nano ${timeText(time)}`);
  return [start, time];
}

function metricRows(
  tenantId: string, env: Envelope, envKey: string, metric: Metric, out: RowBatchBuilder, series: Map<string, SeriesState>, window: TimeWindow,
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
  const [type, table] = TYPE_OF[data];
  const body = metric[data] as { dataPoints?: { attributes?: KeyValue[] | null }[] | null; aggregationTemporality?: number | null; isMonotonic?: boolean | null };
  const temporality = uint32(body.aggregationTemporality) & 0xff;
  const metadata = keyValuesToStored(metric.metadata);
  const isMonotonic = Boolean(body.isMonotonic);
  for (const point of body.dataPoints ?? []) {
    try {
      const attrs = keyValuesToStored(point.attributes);
      const fingerprint = seriesFingerprint(name, envKey, attrs.values, attrs.types);
      const p = point as AnyPoint;
      const [start, time] = pointTimes(p, window);
      const head = [tenantId, name, fingerprint, start, time, uint32(p.flags)];
      let row: unknown[];
      switch (data) {
        case 'gauge':
          row = [...head, ...numberValue(p), ...exemplarColumns(p.exemplars)];
          break;
        case 'sum':
          row = [...head, ...numberValue(p), temporality, isMonotonic, ...exemplarColumns(p.exemplars)];
          break;
        case 'histogram': {
          const counts = (p.bucketCounts ?? []).map(uint64);
          const bounds = (p.explicitBounds ?? []).map(float);
          if (counts.length !== 0 && counts.length !== bounds.length + 1) {
            throw new InvalidItemError(`histogram has ${counts.length} bucket counts for ${bounds.length} bounds`);
          }
          row = [...head, uint64(p.count), nullableFloat(p.sum), nullableFloat(p.min), nullableFloat(p.max), counts, bounds, temporality, ...exemplarColumns(p.exemplars)];
          break;
        }
        case 'exponentialHistogram': {
          const pos = p.positive;
          const neg = p.negative;
          row = [
            ...head, uint64(p.count), nullableFloat(p.sum), nullableFloat(p.min), nullableFloat(p.max), Number(p.scale ?? 0),
            uint64(p.zeroCount), float(p.zeroThreshold), Number(pos?.offset ?? 0), (pos?.bucketCounts ?? []).map(uint64),
            Number(neg?.offset ?? 0), (neg?.bucketCounts ?? []).map(uint64), temporality, ...exemplarColumns(p.exemplars),
          ];
          break;
        }
        case 'summary': {
          const qs = p.quantileValues ?? [];
          row = [...head, uint64(p.count), float(p.sum), qs.map((q) => float(q.quantile)), qs.map((q) => float(q.value))];
          break;
        }
      }
      out.add(table, row);
      out.accept();
      const seen = head[4] as bigint;
      const known = series.get(fingerprint);
      if (known) {
        if (seen < known.firstSeen) known.firstSeen = seen;
        if (seen > known.lastSeen) known.lastSeen = seen;
      } else {
        series.set(fingerprint, {
          firstSeen: seen,
          lastSeen: seen,
          row: [
            tenantId, name, fingerprint, type, cleanString(metric.unit), cleanString(metric.description), temporality, isMonotonic,
            env.serviceName, ...envelopeColumns(env), attrs.values, attrs.types, metadata.values, metadata.types,
          ],
        });
      }
    } catch (err) {
      if (!(err instanceof InvalidItemError)) throw err;
      out.reject(`data point of ${JSON.stringify(name)}: ${err.message}`);
    }
  }
}

export function metricsRequestToRows(tenantId: string, request: ExportMetricsServiceRequest, context: RowContext = {}): RowBatch {
  const out = new RowBatchBuilder(context.refused);
  const window = windowOf(context);
  const series = new Map<string, SeriesState>();
  for (const rm of request.resourceMetrics ?? []) {
    const res = resourceEnvelope(rm.resource, rm.schemaUrl);
    for (const sm of rm.scopeMetrics ?? []) {
      const env = withScope(res, sm.scope, sm.schemaUrl);
      const envKey = envelopeKey(env);
      for (const metric of sm.metrics ?? []) metricRows(tenantId, env, envKey, metric, out, series, window);
    }
  }
  for (const s of series.values()) out.add('metric_series', [...s.row, s.firstSeen, s.lastSeen]);
  return out.build();
}
