// What an erasure counts and deletes, per signal, as bound statements. A span or log matches
// when its own or its resource's attribute has the value; a metric series matches by its
// attributes, and then every point of it goes, with the rollup rows aggregated from them.
import { METRIC_POINT_TABLES, ROLLUP_TABLES } from '@telemetryflow/clickhouse';
import type { ErasureSignal } from '@telemetryflow/contract';

export interface ErasureScope {
  tenant: string;
  attribute: string;
  value: string;
  fromNs?: bigint | undefined;
  toNs?: bigint | undefined;
}

export interface SignalErasure {
  /** One count of the rows that match (the dry run's answer and the job's report). */
  count: string;
  /** Tables and the condition of their rows to delete, in order (points before their series). */
  deletes: { table: string; where: string }[];
}

const METRIC_ROLLUPS = Object.values(ROLLUP_TABLES).filter((r) => r.hourly.startsWith('metrics_'));

export function erasureParams(scope: ErasureScope): Record<string, string> {
  return {
    tenant: scope.tenant,
    attribute: scope.attribute,
    value: scope.value,
    ...(scope.fromNs !== undefined ? { fromNs: scope.fromNs.toString() } : {}),
    ...(scope.toNs !== undefined ? { toNs: scope.toNs.toString() } : {}),
  };
}

function timeRange(scope: ErasureScope, column: string, floor: (expr: string) => string = (e) => e): string[] {
  const at = (p: string) => `fromUnixTimestamp64Nano(toInt64({${p}:UInt64}))`;
  return [
    ...(scope.fromNs !== undefined ? [`${column} >= ${floor(at('fromNs'))}`] : []),
    ...(scope.toNs !== undefined ? [`${column} < ${at('toNs')}`] : []),
  ];
}

const MATCH = `(Attributes[{attribute:String}] = {value:String} OR ResourceAttributes[{attribute:String}] = {value:String})`;

function rowsMatching(scope: ErasureScope, table: string, time: string): SignalErasure {
  const where = ['TenantId = {tenant:String}', MATCH, ...timeRange(scope, time)].join(' AND ');
  return { count: `SELECT count() AS n FROM ${table} WHERE ${where}`, deletes: [{ table, where }] };
}

export function signalErasure(signal: ErasureSignal, scope: ErasureScope): SignalErasure {
  if (signal === 'traces') return rowsMatching(scope, 'spans', 'StartTime');
  if (signal === 'logs') return rowsMatching(scope, 'logs', 'Timestamp');
  const series = `(MetricName, Fingerprint) IN (SELECT MetricName, Fingerprint FROM metric_series WHERE TenantId = {tenant:String} AND ${MATCH})`;
  const pointWhere = ['TenantId = {tenant:String}', series, ...timeRange(scope, 'Time')].join(' AND ');
  const pointTables = Object.values(METRIC_POINT_TABLES);
  const count = `SELECT sum(n) AS n FROM (${pointTables.map((t) => `SELECT count() AS n FROM ${t} WHERE ${pointWhere}`).join(' UNION ALL ')})`;
  // A rollup row holds the aggregate of an hour or a day of one series: every row of an erased
  // series whose period overlaps the range goes (its aggregate contains erased points).
  const rollupWhere = (time: 'Hour' | 'Day') =>
    [
      'TenantId = {tenant:String}',
      series,
      ...timeRange(scope, time, (e) => (time === 'Hour' ? `toStartOfHour(${e})` : `toStartOfDay(${e})`)),
    ].join(' AND ');
  const rollups = METRIC_ROLLUPS.flatMap((r) => [
    { table: r.hourly, where: rollupWhere('Hour') },
    { table: r.daily, where: rollupWhere('Day') },
  ]);
  // The series rows (which hold the attribute itself) go only when all their points do.
  const seriesRows =
    scope.fromNs === undefined && scope.toNs === undefined
      ? [{ table: 'metric_series', where: `TenantId = {tenant:String} AND ${MATCH}` }]
      : [];
  return { count, deletes: [...pointTables.map((table) => ({ table, where: pointWhere })), ...rollups, ...seriesRows] };
}
