import { Inject, Injectable } from '@nestjs/common';
import type { Variable } from '@telemetryflow/contract';
import { SERIES_SEEN_BUCKET_MS } from '@telemetryflow/clickhouse';
import { ClickHouseReader } from '../clickhouse-reader.js';
import type { TimeRange } from '../request-params.js';

export const MAX_VARIABLE_VALUES = 1000;
/** Rows an attribute variable reads at most (the values of that many spans or logs of the range). */
export const ATTRIBUTE_SCAN_ROWS = 100_000;

interface ValuesSql {
  sql: string;
  params: Record<string, unknown>;
}

const FROM = 'fromUnixTimestamp64Nano({fromNs:Int64})';
const TO = 'fromUnixTimestamp64Nano({toNs:Int64})';
/** metric_series' seen times are a bucket coarse (SERIES_SEEN_BUCKET_MS). */
const SEEN_SLACK = `toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS})`;

/** `attr.<key>` / `resource.<key>` → the map column and the key. */
function attributeColumn(label: string): { column: string; key: string } | null {
  const m = /^(attr|resource)\.(.+)$/.exec(label);
  if (!m) return null;
  return { column: m[1] === 'attr' ? 'Attributes' : 'ResourceAttributes', key: m[2]! };
}

/**
 * The SELECT of a variable's values. Services and operations come from the hourly
 * rollups (small), metric labels from the series table; attribute values from at most
 * ATTRIBUTE_SCAN_ROWS raw rows of the range. Every value is a bound parameter.
 */
export function variableValuesSql(source: Variable['source']): ValuesSql {
  const params: Record<string, unknown> = {};
  const pick = (expr: string, table: string, where: string[]) => ({
    sql: `SELECT DISTINCT ${expr} AS v FROM ${table} WHERE TenantId = {tenant:String} AND ${where.join(' AND ')} AND v != '' ORDER BY v LIMIT {limit:UInt32}`,
    params,
  });
  const hours = ['Hour >= toStartOfHour(' + FROM + ')', 'Hour <= ' + TO];
  if (source.signal === 'metrics') {
    params.key = source.label;
    const where = [
      `LastSeen >= ${FROM} - ${SEEN_SLACK}`,
      `FirstSeen <= ${TO} + ${SEEN_SLACK}`,
      '(mapContains(Attributes, {key:String}) OR mapContains(ResourceAttributes, {key:String}))',
    ];
    if (source.metric !== undefined) {
      where.push('MetricName = {metric:String}');
      params.metric = source.metric;
    }
    return pick(
      'if(mapContains(Attributes, {key:String}), Attributes[{key:String}], ResourceAttributes[{key:String}])',
      'metric_series',
      where,
    );
  }
  if (source.label === 'service')
    return pick('ServiceName', source.signal === 'spans' ? 'spans_service_red_hourly' : 'logs_volume_hourly', hours);
  if (source.label === 'operation') return pick('SpanName', 'spans_red_hourly', hours);
  const attr = attributeColumn(source.label);
  if (!attr) throw new Error(`unsupported variable label ${source.label}`);
  params.key = attr.key;
  params.scan = ATTRIBUTE_SCAN_ROWS;
  const time = source.signal === 'spans' ? 'StartTime' : 'Timestamp';
  // A bounded scan: a key with millions of values costs what one with ten does.
  const scanned = `(SELECT ${attr.column} FROM ${source.signal} WHERE TenantId = {tenant:String} AND ${time} >= ${FROM} AND ${time} <= ${TO}
    AND mapContains(${attr.column}, {key:String}) LIMIT {scan:UInt32})`;
  return {
    sql: `SELECT DISTINCT ${attr.column}[{key:String}] AS v FROM ${scanned} WHERE v != '' ORDER BY v LIMIT {limit:UInt32}`,
    params,
  };
}

@Injectable()
export class VariableValuesRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  async values(tenant: string, source: Variable['source'], range: TimeRange): Promise<string[]> {
    const { sql, params } = variableValuesSql(source);
    const rows = await this.ch.select<{ v: string }>(sql, {
      ...params,
      tenant,
      fromNs: range.fromNs.toString(),
      toNs: range.toNs.toString(),
      limit: MAX_VARIABLE_VALUES,
    });
    return rows.map((r) => r.v);
  }
}
