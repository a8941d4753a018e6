import { Inject, Injectable } from '@nestjs/common';
import {
  METRIC_POINT_TABLES,
  RAW_TABLES,
  SERIES_COLUMNS as M,
  SERIES_SEEN_BUCKET_MS,
  TENANT_COLUMN,
} from '@telemetryflow/clickhouse';
import type { AttributeKeyDto, ExemplarDto, MetricType } from '@telemetryflow/contract';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { idOrEmpty, toNumber } from '../clickhouse-rows.js';
import { assertRangeWithin, invalidParameter } from '@telemetryflow/http-kit';
import { attributeParams } from '../page-cursor.js';
import { QUERY_LIMITS } from '../http/tokens.js';
import type { QueryLimits } from '../query-limits.js';
import { parseInteger, parseString, parseTimeRange, type RawParams } from '../request-params.js';
import { MetricsRepository } from './metrics.repository.js';

/** Series of one metric seen in the range, one row per fingerprint. */
const SERIES = `SELECT ${M.Fingerprint}, any(${M.Attributes}) AS a, any(${M.ResourceAttributes}) AS r FROM ${RAW_TABLES.metricSeries}
  WHERE ${TENANT_COLUMN} = {tenant:String} AND ${M.MetricName} = {metric:String}
  GROUP BY ${M.Fingerprint}
  HAVING max(${M.LastSeen}) >= fromUnixTimestamp64Nano({fromNs:Int64}) - toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS}) AND min(${M.FirstSeen}) <= fromUnixTimestamp64Nano({toNs:Int64}) + toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS})`;

/** Point tables that keep exemplars (summaries have none). */
const EXEMPLAR_TABLES: Partial<Record<MetricType, string>> = {
  gauge: METRIC_POINT_TABLES.gauge,
  sum: METRIC_POINT_TABLES.sum,
  histogram: METRIC_POINT_TABLES.histogram,
  exponential_histogram: METRIC_POINT_TABLES.exponential_histogram,
};

const MAX_EXEMPLAR_SERIES = 1000;

/**
 * Label discovery (keys and values of a metric's series: point attributes and resource
 * attributes, as queries resolve labels) and exemplars, so a chart can jump to a trace.
 */
@Injectable()
export class MetricDiscovery {
  constructor(
    @Inject(ClickHouseReader) private readonly ch: ClickHouseReader,
    @Inject(MetricsRepository) private readonly metrics: MetricsRepository,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  /** Label keys of the metric's series in the range, with how many series carry each. */
  async labels(tenant: string, q: RawParams): Promise<AttributeKeyDto[]> {
    const range = parseTimeRange(q);
    const rows = await this.ch.select<{ key: string; n: string }>(
      `SELECT key, count() AS n FROM (${SERIES}) ARRAY JOIN arrayDistinct(arrayConcat(mapKeys(a), mapKeys(r))) AS key
       GROUP BY key ORDER BY n DESC, key LIMIT {limit:UInt32}`,
      {
        tenant,
        metric: parseString(q, 'metric'),
        fromNs: range.fromNs,
        toNs: range.toNs,
        limit: parseInteger(q, 'limit', 1, 10_000) ?? 1000,
      },
    );
    return rows.map((r) => ({ key: r.key, count: toNumber(r.n) }));
  }

  /** Values of one label (point attribute, else resource attribute), most series first. */
  async labelValues(tenant: string, label: string, q: RawParams): Promise<string[]> {
    if (label.length === 0 || label.length > 256) throw invalidParameter('label', 'must be 1–256 characters');
    const range = parseTimeRange(q);
    const rows = await this.ch.select<{ value: string }>(
      `SELECT if(mapContains(a, {label:String}), a[{label:String}], r[{label:String}]) AS value FROM (${SERIES})
       WHERE (mapContains(a, {label:String}) OR mapContains(r, {label:String})) AND startsWith(value, {prefix:String})
       GROUP BY value ORDER BY count() DESC, value LIMIT {limit:UInt32}`,
      {
        tenant,
        metric: parseString(q, 'metric'),
        fromNs: range.fromNs,
        toNs: range.toNs,
        label,
        prefix: parseString(q, 'prefix', 256) ?? '',
        limit: parseInteger(q, 'limit', 1, 10_000) ?? 1000,
      },
    );
    return rows.map((r) => r.value);
  }

  /**
   * Exemplars of the metric's series in the range, newest first; `attr.<key>` /
   * `resource.<key>` pick series by label (point attribute, else resource attribute).
   * At most `limit`, spread over the whole range: the range is cut into `limit` buckets and
   * each bucket gives its first pick, then its second, and so on until `limit` are taken, so
   * a busy last five minutes cannot crowd out the rest of a day. A bucket's picks come in an
   * order fixed by a hash of the exemplar (a sample, the same on every request), those that
   * carry a trace first.
   */
  async exemplars(tenant: string, q: RawParams): Promise<ExemplarDto[]> {
    const range = parseTimeRange(q);
    assertRangeWithin(range, this.limits.maxSearchRangeDays, 'maxSearchRangeDays');
    const metric = parseString(q, 'metric') ?? '';
    const limit = parseInteger(q, 'limit', 1, 1000) ?? 100;
    const filters = attributeParams(q).map((f) => ({
      label: f.label.replace(/^(attr|resource)\./, ''),
      op: '=' as const,
      value: f.value,
    }));
    const series = await this.metrics.findSeries(tenant, metric, filters, range, MAX_EXEMPLAR_SERIES + 1);
    if (series.length > MAX_EXEMPLAR_SERIES)
      throw invalidParameter('metric', `matches more than ${MAX_EXEMPLAR_SERIES} series; add attr.<key> filters`);
    const table = series[0] ? EXEMPLAR_TABLES[series[0].type] : undefined;
    if (!table) return [];
    const labels = new Map(series.map((s) => [s.fingerprint, { ...s.resource, ...s.attributes }]));
    const rows = await this.ch.select<{
      fp: string;
      timeNs: string;
      value: number;
      intValue: string | null;
      traceId: string;
      spanId: string;
      attributes: Record<string, string>;
    }>(
      `SELECT fp, timeNs, value, intValue, traceId, spanId, attributes FROM (
         SELECT toString(Fingerprint) AS fp, t, toString(toUnixTimestamp64Nano(t)) AS timeNs, v AS value, toString(iv) AS intValue,
                lower(hex(tid)) AS traceId, lower(hex(sid)) AS spanId, attrs AS attributes,
                row_number() OVER (
                  PARTITION BY intDiv(toUnixTimestamp64Nano(t) - {fromNs:Int64}, {bucketNs:Int64})
                  ORDER BY tid = toFixedString('', 16), cityHash64(Fingerprint, t, tid, sid)
                ) AS pick
         FROM (
           SELECT Fingerprint, ExemplarTimes, ExemplarValues, ExemplarIntValues, ExemplarTraceIds, ExemplarSpanIds, ExemplarAttributes FROM ${table}
           WHERE TenantId = {tenant:String} AND MetricName = {metric:String} AND Fingerprint IN (SELECT toUInt64(arrayJoin({fps:Array(String)})))
             AND Time >= fromUnixTimestamp64Nano({fromNs:Int64}) AND Time <= fromUnixTimestamp64Nano({toNs:Int64}) AND notEmpty(ExemplarTimes)
         ) ARRAY JOIN ExemplarTimes AS t, ExemplarValues AS v, ExemplarIntValues AS iv, ExemplarTraceIds AS tid, ExemplarSpanIds AS sid, ExemplarAttributes AS attrs
         WHERE t >= fromUnixTimestamp64Nano({fromNs:Int64}) AND t <= fromUnixTimestamp64Nano({toNs:Int64})
         ORDER BY pick, t DESC, fp LIMIT {limit:UInt32}
       ) ORDER BY t DESC, fp`,
      {
        tenant,
        metric,
        fps: series.map((s) => s.fingerprint),
        fromNs: range.fromNs,
        toNs: range.toNs,
        // `limit` buckets cover the range (the last one may be short).
        bucketNs: (range.toNs - range.fromNs) / BigInt(limit) + 1n,
        limit,
      },
    );
    return rows.map((r) => ({
      timeUnixNano: r.timeNs,
      value: Number(r.value),
      ...(r.intValue !== null ? { intValue: r.intValue } : {}),
      traceId: idOrEmpty(r.traceId),
      spanId: idOrEmpty(r.spanId),
      seriesLabels: labels.get(r.fp) ?? {},
      attributes: r.attributes,
    }));
  }
}
