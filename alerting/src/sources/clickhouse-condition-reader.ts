import { durationMs, type AlertCondition, type AlertRuleInput } from '@telemetryflow/schemas';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { QueryRunner } from '@telemetryflow/query';
import { burnWindowLengths } from '../evaluation/burn-rate.js';
import type { GroupSample } from '../evaluation/evaluate-rule.js';
import { groupColumns } from './group-columns.js';
import { queryRunnerReader } from './query-runner-reader.js';

/** DI token of the ConditionReader in the API (preview). */
export const CONDITION_READER = Symbol('ConditionReader');

/** Reads what a rule's condition measures at one instant, per group. */
export interface ConditionReader {
  read(tenant: string, rule: AlertRuleInput, atMs: number): Promise<GroupSample[]>;
}

/** Reads threshold conditions on a query DTO (through the query API's QueryRunner). */
export type MetricReader = (tenant: string, rule: AlertRuleInput & { condition: Extract<AlertCondition, { kind: 'metric_threshold' }> }, atMs: number) => Promise<GroupSample[]>;

interface Selection {
  table: 'spans' | 'logs';
  time: string;
  where: string[];
  params: Record<string, unknown>;
}

const SPAN_MEASURE_SQL = {
  error_rate: "if(count() = 0, NULL, countIf(StatusCode = 'STATUS_CODE_ERROR') / count())",
  p95_latency_ms: 'if(count() = 0, NULL, quantile(0.95)(DurationNs) / 1e6)',
  p99_latency_ms: 'if(count() = 0, NULL, quantile(0.99)(DurationNs) / 1e6)',
  request_rate: 'count() / {windowSeconds:Float64}',
} as const;

/**
 * Span, log, absence and burn-rate conditions read raw spans and logs over their windows
 * (values bound as parameters, never concatenated); query conditions go to the QueryRunner.
 */
export class ClickHouseConditionReader implements ConditionReader {
  private readonly metrics: MetricReader;

  constructor(
    private readonly ch: ClickHouseClient,
    metrics?: MetricReader,
  ) {
    this.metrics = metrics ?? queryRunnerReader(new QueryRunner({ clickhouse: ch }));
  }

  async read(tenant: string, rule: AlertRuleInput, atMs: number): Promise<GroupSample[]> {
    const c = rule.condition;
    if (c.kind === 'metric_threshold') return this.metrics(tenant, { ...rule, condition: c }, atMs);
    const groups = groupColumns(c, rule.groupBy);
    if (c.kind === 'slo_burn_rate') return this.burnRatios(tenant, c, groups, atMs);
    const windowMs = durationMs(c.window);
    if (c.kind === 'absence' && c.signal === 'metric') return [{ labels: {}, value: await this.liveSeries(tenant, c.metric!, c.service, atMs - windowMs) }];
    const sel = selection(tenant, c, atMs - windowMs, atMs);
    const value = c.kind === 'span' ? SPAN_MEASURE_SQL[c.measure] : 'count()';
    const rows = await this.select(sel, groups, `${value} AS value`, { windowSeconds: windowMs / 1000 });
    return rows.map((r) => ({ labels: labelsOf(r, groups), value: r.value === null ? null : Number(r.value) }));
  }

  /** One pass over the longest window: the bad-event ratio of every window length. */
  private async burnRatios(tenant: string, c: Extract<AlertCondition, { kind: 'slo_burn_rate' }>, groups: [string, string][], atMs: number): Promise<GroupSample[]> {
    const lengths = burnWindowLengths(c.windows);
    const sel = selection(tenant, c, atMs - Math.max(...lengths), atMs);
    const bad = c.objective === 'availability' ? "StatusCode = 'STATUS_CODE_ERROR'" : 'DurationNs > {thresholdNs:Int64}';
    const params: Record<string, unknown> = c.objective === 'latency' ? { thresholdNs: Math.round(c.latencyThresholdMs! * 1e6) } : {};
    const columns = lengths.map((ms, i) => {
      params[`since${i}`] = atMs - ms;
      const inWindow = `StartTime > fromUnixTimestamp64Milli({since${i}:Int64})`;
      return `if(countIf(${inWindow}) = 0, NULL, countIf(${inWindow} AND ${bad}) / countIf(${inWindow})) AS r${i}`;
    });
    const rows = await this.select(sel, groups, columns.join(', '), params);
    return rows.map((r) => ({
      labels: labelsOf(r, groups),
      value: null,
      badRatios: new Map(lengths.map((ms, i) => [ms, r[`r${i}`] === null || r[`r${i}`] === undefined ? null : Number(r[`r${i}`])])),
    }));
  }

  /** Series of a metric that received points after `sinceMs`. */
  private async liveSeries(tenant: string, metric: string, service: string | undefined, sinceMs: number): Promise<number> {
    const rs = await this.ch.query({
      query: `SELECT count() AS n FROM (
                SELECT Fingerprint, max(LastSeen) AS seen FROM metric_series
                WHERE TenantId = {tenant:String} AND MetricName = {metric:String}${service !== undefined ? ' AND ServiceName = {service:String}' : ''}
                GROUP BY Fingerprint)
              WHERE seen > fromUnixTimestamp64Milli({sinceMs:Int64})`,
      query_params: { tenant, metric, sinceMs, ...(service !== undefined ? { service } : {}) },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }

  private async select(sel: Selection, groups: [string, string][], value: string, extra: Record<string, unknown>): Promise<Record<string, string | number | null>[]> {
    const keys = groups.map(([, column], i) => `toString(${column}) AS g${i}`);
    const query = `SELECT ${[...keys, value].join(', ')} FROM ${sel.table} WHERE ${sel.where.join(' AND ')}${keys.length ? ` GROUP BY ${groups.map((_, i) => `g${i}`).join(', ')}` : ''} LIMIT 10000`;
    const rs = await this.ch.query({ query, query_params: { ...sel.params, ...extra }, format: 'JSONEachRow' });
    return rs.json<Record<string, string | number | null>>();
  }
}

function selection(tenant: string, c: Exclude<AlertCondition, { kind: 'metric_threshold' }>, fromMs: number, toMs: number): Selection {
  const table = c.kind === 'log_count' || (c.kind === 'absence' && c.signal === 'logs') ? 'logs' : 'spans';
  const time = table === 'logs' ? 'Timestamp' : 'StartTime';
  const where = [
    'TenantId = {tenant:String}',
    `${time} > fromUnixTimestamp64Milli({fromMs:Int64})`,
    `${time} <= fromUnixTimestamp64Milli({toMs:Int64})`,
  ];
  const params: Record<string, unknown> = { tenant, fromMs, toMs };
  if ('service' in c && c.service !== undefined) {
    where.push('ServiceName = {service:String}');
    params.service = c.service;
  }
  if ((c.kind === 'span' || c.kind === 'slo_burn_rate') && c.operation !== undefined) {
    where.push('Name = {operation:String}');
    params.operation = c.operation;
  }
  if (c.kind === 'log_count') {
    if (c.severity !== undefined) {
      where.push('lower(SeverityText) = lower({severity:String})');
      params.severity = c.severity;
    }
    (c.search ?? '').split(/\s+/).filter(Boolean).slice(0, 20).forEach((word, i) => {
      where.push(`positionCaseInsensitiveUTF8(Body, {w${i}:String}) > 0`);
      params[`w${i}`] = word;
    });
  }
  return { table, time, where, params };
}

function labelsOf(row: Record<string, string | number | null>, groups: [string, string][]): Record<string, string> {
  return Object.fromEntries(groups.map(([label], i) => [label, String(row[`g${i}`] ?? '')]));
}
