// The SELECT of an export: fixed projections per signal, the tenant and the time range always,
// and equality filters, every value a bound parameter (`{name:Type}`); never string-built values.
import type { ExportFilters, ExportSignal } from '@telemetryflow/contract';
import { LOG_LINE, SPAN_LINE } from './otlp-json-lines.js';

export interface BoundQuery {
  sql: string;
  params: Record<string, string>;
}

export interface ExportScope {
  signal: ExportSignal;
  tenant: string;
  fromNs: bigint;
  toNs: bigint;
  filters: ExportFilters;
  /** One OTLP/JSON line per row instead of columns (traces and logs). */
  otlpJson?: boolean;
}

const MAP = `'Map(String, String)'`;
const hex = (c: string) => `lower(hex(${c}))`;

/** Columns as a user reads them: hex ids, nanosecond times, plain string maps. */
const SPAN_COLUMNS = [
  `${hex('TraceId')} AS TraceId`,
  `${hex('SpanId')} AS SpanId`,
  `if(ParentSpanId = unhex('0000000000000000'), '', ${hex('ParentSpanId')}) AS ParentSpanId`,
  'TraceState',
  'toString(ServiceName) AS ServiceName',
  'toString(Name) AS Name',
  'toString(Kind) AS Kind',
  'toUnixTimestamp64Nano(StartTime) AS StartTimeNs',
  'toUnixTimestamp64Nano(EndTime) AS EndTimeNs',
  'DurationNs',
  'toString(StatusCode) AS StatusCode',
  'StatusMessage',
  'toString(ScopeName) AS ScopeName',
  `CAST(ResourceAttributes, ${MAP}) AS ResourceAttributes`,
  `CAST(Attributes, ${MAP}) AS Attributes`,
  'arrayMap(t -> toUnixTimestamp64Nano(t), EventTimes) AS EventTimesNs',
  `CAST(EventNames, 'Array(String)') AS EventNames`,
];

const LOG_COLUMNS = [
  'toUnixTimestamp64Nano(Timestamp) AS TimestampNs',
  'toUnixTimestamp64Nano(ObservedTimestamp) AS ObservedTimestampNs',
  `if(TraceId = unhex('00000000000000000000000000000000'), '', ${hex('TraceId')}) AS TraceId`,
  `if(SpanId = unhex('0000000000000000'), '', ${hex('SpanId')}) AS SpanId`,
  'toString(SeverityText) AS SeverityText',
  'SeverityNumber',
  'toString(ServiceName) AS ServiceName',
  'Body',
  'toString(ScopeName) AS ScopeName',
  `CAST(ResourceAttributes, ${MAP}) AS ResourceAttributes`,
  `CAST(Attributes, ${MAP}) AS Attributes`,
];

/** The value points (gauges and sums) with their series' name, type, service and attributes. */
const POINTS = `(
  SELECT TenantId, MetricName, Fingerprint, Time, Value FROM metrics_gauge
  UNION ALL
  SELECT TenantId, MetricName, Fingerprint, Time, Value FROM metrics_sum)`;

function filterClauses(
  filters: ExportFilters,
  columns: { service: string; attributes: string; resourceAttributes: string },
  params: Record<string, string>,
): string[] {
  const where: string[] = [];
  if (filters.service !== undefined) {
    params.service = filters.service;
    where.push(`${columns.service} = {service:String}`);
  }
  const maps = [
    ['a', columns.attributes, filters.attributes],
    ['r', columns.resourceAttributes, filters.resourceAttributes],
  ] as const;
  for (const [prefix, column, values] of maps) {
    Object.entries(values ?? {}).forEach(([key, value], i) => {
      params[`${prefix}k${i}`] = key;
      params[`${prefix}v${i}`] = value;
      where.push(`${column}[{${prefix}k${i}:String}] = {${prefix}v${i}:String}`);
    });
  }
  return where;
}

/** The export's SELECT (no FORMAT clause: the writer adds it) and its parameters. */
export function exportQuery(scope: ExportScope): BoundQuery {
  const params: Record<string, string> = {
    tenant: scope.tenant,
    fromNs: scope.fromNs.toString(),
    toNs: scope.toNs.toString(),
  };
  const range = (c: string) =>
    `${c} >= fromUnixTimestamp64Nano(toInt64({fromNs:UInt64})) AND ${c} < fromUnixTimestamp64Nano(toInt64({toNs:UInt64}))`;
  if (scope.signal === 'traces') {
    const where = [
      'TenantId = {tenant:String}',
      range('StartTime'),
      ...filterClauses(
        scope.filters,
        { service: 'ServiceName', attributes: 'Attributes', resourceAttributes: 'ResourceAttributes' },
        params,
      ),
    ];
    const columns = scope.otlpJson ? SPAN_LINE : SPAN_COLUMNS.join(', ');
    return { sql: `SELECT ${columns} FROM spans WHERE ${where.join(' AND ')}`, params };
  }
  if (scope.signal === 'logs') {
    const where = [
      'TenantId = {tenant:String}',
      range('Timestamp'),
      ...filterClauses(
        scope.filters,
        { service: 'ServiceName', attributes: 'Attributes', resourceAttributes: 'ResourceAttributes' },
        params,
      ),
    ];
    const columns = scope.otlpJson ? LOG_LINE : LOG_COLUMNS.join(', ');
    return { sql: `SELECT ${columns} FROM logs WHERE ${where.join(' AND ')}`, params };
  }
  const seriesWhere = [
    'TenantId = {tenant:String}',
    ...filterClauses(
      scope.filters,
      { service: 'ServiceName', attributes: 'Attributes', resourceAttributes: 'ResourceAttributes' },
      params,
    ),
  ];
  const sql = `SELECT p.MetricName AS MetricName, s.MetricType AS MetricType, s.ServiceName AS ServiceName,
      toUnixTimestamp64Nano(p.Time) AS TimeNs, p.Value AS Value, s.Attributes AS Attributes, s.ResourceAttributes AS ResourceAttributes
    FROM ${POINTS} AS p
    INNER JOIN (
      SELECT MetricName, Fingerprint, any(toString(MetricType)) AS MetricType, any(toString(ServiceName)) AS ServiceName,
             any(CAST(Attributes, ${MAP})) AS Attributes, any(CAST(ResourceAttributes, ${MAP})) AS ResourceAttributes
      FROM metric_series WHERE ${seriesWhere.join(' AND ')} GROUP BY MetricName, Fingerprint
    ) AS s ON p.MetricName = s.MetricName AND p.Fingerprint = s.Fingerprint
    WHERE p.TenantId = {tenant:String} AND ${range('p.Time')}`;
  return { sql, params };
}
