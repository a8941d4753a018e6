import { readMonitorCondition } from './monitor-condition.js';
import { readUsageCondition } from './usage-condition.js';
import { durationMs, type AlertCondition, type AlertRuleInput, type PromqlCondition } from '@telemetryflow/contract';
import { ApiError } from '@telemetryflow/http-kit';
import {
  embeddedInfo,
  LOG_COLUMNS as L,
  RAW_SPAN_CLASS,
  RAW_TABLES,
  SERIES_COLUMNS as M,
  SPAN_COLUMNS as S,
  TENANT_COLUMN,
  TIME_COLUMNS,
  type ClickHouseClient,
  METRIC_POINT_TABLES,
  POINT_COLUMNS as P,
} from '@telemetryflow/clickhouse';
import { burnWindowLengths } from '../evaluation/burn-rate.js';
import { groupKey, type GroupSample } from '../evaluation/evaluate-rule.js';
import { assertRuleWithinLimits } from '../rules/rule-limits.js';
import type { ConditionReader } from './condition-reader.js';
import { groupColumns } from './group-columns.js';
import { PromqlConditionReader } from './promql-condition-reader.js';
import type { PromqlReads } from './promql-reads.js';
import type { LimitedReader, QueryExecutor, QueryReads, ReadLimits } from './query-reads.js';
import { runOverWindow } from './query-runner-reader.js';
import { ReadGate } from './read-gate.js';

/** A service's entry spans in order of preference (DESIGN: RED over entry spans). */
const ENTRY_CLASSES = ['server_consumer', 'root'] as const;
import { spanConditionQuery, spanMeasure } from './span-condition-query.js';

/** 503 where the server was composed without PromQL reads: its PromQL rules cannot be read. */
export class PromqlUnavailableError extends ApiError {
  constructor() {
    super(503, 'unavailable', 'PromQL alert rules cannot be evaluated: this server has no PromQL reads');
  }
}

export interface ConditionReaderOptions {
  /** PromQL over the tenant's metrics (the query package's PromqlQueries): reads PromQL conditions. */
  promql?: PromqlReads;
  /** Reads at once, rule evaluations and previews together (default: 1 on the embedded engine, else 4). */
  concurrency?: number;
  /** Reads that may wait for their turn before more are refused (default 64). */
  maxWaiting?: number;
}

interface Selection {
  table: typeof RAW_TABLES.spans | typeof RAW_TABLES.logs;
  where: string[];
  params: Record<string, unknown>;
}

/**
 * Query, span and availability burn-rate conditions go through the QueryRunner (the query
 * planner, rollups for whole hours); log matches, absence and latency burn rates read raw
 * logs, spans and series with bound parameters, never concatenated values; PromQL
 * conditions go through the PromQL reads (`opts.promql`). Every read runs
 * under the query API's limits, and at most `concurrency` of them at once: one reader serves
 * the scheduler and the previews of a process.
 */
export class ClickHouseConditionReader implements ConditionReader {
  readonly limits: ReadLimits;
  readonly concurrency: number;
  private readonly runner: QueryExecutor;
  private readonly reader: LimitedReader;
  private readonly gate: ReadGate;
  private readonly promql: PromqlConditionReader | undefined;

  /** `reads`: the query API's reads over `ch` and their limits (wired by the server's composition root). */
  constructor(ch: ClickHouseClient, reads: QueryReads, opts: ConditionReaderOptions = {}) {
    this.limits = reads.limits;
    this.runner = reads.executor;
    this.reader = reads.reader;
    this.concurrency = opts.concurrency ?? (embeddedInfo(ch) ? 1 : 4);
    this.gate = new ReadGate(this.concurrency, opts.maxWaiting ?? 64);
    this.promql = opts.promql && new PromqlConditionReader(opts.promql, this.limits);
  }

  /**
   * Refuses a rule whose window is past the query limits (one stored before they applied),
   * then reads under the limits (ClickHouse settings, 422 past them) when the gate lets it.
   */
  async read(tenant: string, rule: AlertRuleInput, atMs: number): Promise<GroupSample[]> {
    assertRuleWithinLimits(rule, this.limits);
    if (rule.condition.kind === 'promql') {
      const promql = this.promqlReader();
      return this.gate.run(() => promql.read(tenant, rule, atMs));
    }
    return this.gate.run(() => this.readNow(tenant, rule, atMs));
  }

  async readPromqlEvaluations(
    tenant: string,
    condition: PromqlCondition,
    times: readonly number[],
    signal?: AbortSignal,
  ): Promise<GroupSample[][]> {
    const promql = this.promqlReader();
    return this.gate.run(() => promql.readPromqlEvaluations(tenant, condition, times, signal));
  }

  private promqlReader(): PromqlConditionReader {
    if (!this.promql) throw new PromqlUnavailableError();
    return this.promql;
  }

  private async readNow(tenant: string, rule: AlertRuleInput, atMs: number): Promise<GroupSample[]> {
    const c = rule.condition;
    if (c.kind === 'promql') throw new Error('PromQL conditions are read by the PromqlConditionReader');
    if (c.kind === 'monitor') return readMonitorCondition(this.reader, tenant, c, atMs);
    if (c.kind === 'usage') return readUsageCondition(this.reader, tenant, c, atMs);
    if (c.kind === 'metric_threshold') return runOverWindow(this.runner, tenant, c.query, atMs, durationMs(c.window));
    const groups = groupColumns(c, rule.groupBy);
    if (c.kind === 'span')
      return runOverWindow(
        this.runner,
        tenant,
        spanConditionQuery(c, spanMeasure(c.measure), rule.groupBy),
        atMs,
        durationMs(c.window),
      );
    if (c.kind === 'slo_burn_rate') {
      return c.objective === 'availability'
        ? this.errorRatios(tenant, c, rule.groupBy, atMs)
        : this.burnRatios(tenant, c, groups, atMs);
    }
    const windowMs = durationMs(c.window);
    if (c.kind === 'absence' && c.signal === 'metric')
      return [{ labels: {}, value: await this.liveSeries(tenant, c.metric!, c.service, atMs - windowMs) }];
    const rows = await this.select(selection(tenant, c, atMs - windowMs, atMs), groups, 'count() AS value', {});
    return rows.map((r) => ({ labels: labelsOf(r, groups), value: r.value === null ? null : Number(r.value) }));
  }

  /** Availability burn rate: the error ratio of every window length, one planned query each. */
  private async errorRatios(
    tenant: string,
    c: Extract<AlertCondition, { kind: 'slo_burn_rate' }>,
    groupBy: string[],
    atMs: number,
  ): Promise<GroupSample[]> {
    const query = spanConditionQuery(c, 'error_rate', groupBy);
    const lengths = burnWindowLengths(c.windows);
    const byGroup = new Map<string, GroupSample & { badRatios: Map<number, number | null> }>();
    for (const ms of lengths) {
      for (const s of await runOverWindow(this.runner, tenant, query, atMs, ms)) {
        const key = groupKey(s.labels);
        const g = byGroup.get(key) ?? {
          labels: s.labels,
          value: null,
          badRatios: new Map(lengths.map((l) => [l, null])),
        };
        g.badRatios.set(ms, s.value);
        byGroup.set(key, g);
      }
    }
    return [...byGroup.values()];
  }

  /**
   * Latency burn rate, one pass over raw spans of the longest window: the share slower than
   * the threshold per window length. Without an operation it is the service's requests: its
   * server and consumer spans, or its root spans where the group has none in the longest window
   * (as the services table counts them); an operation names its own spans.
   */
  private async burnRatios(
    tenant: string,
    c: Extract<AlertCondition, { kind: 'slo_burn_rate' }>,
    groups: [string, string][],
    atMs: number,
  ): Promise<GroupSample[]> {
    const lengths = burnWindowLengths(c.windows);
    const sel = selection(tenant, c, atMs - Math.max(...lengths), atMs);
    const bad = `${S.DurationNs} > {thresholdNs:Int64}`;
    const params: Record<string, unknown> = { thresholdNs: Math.round(c.latencyThresholdMs! * 1e6) };
    const classes = c.operation === undefined ? ENTRY_CLASSES : [undefined];
    const columns = lengths.flatMap((ms, i) => {
      params[`since${i}`] = atMs - ms;
      const inWindow = `${S.StartTime} > fromUnixTimestamp64Milli({since${i}:Int64})`;
      return classes.map((cls, k) => {
        const spans = cls === undefined ? inWindow : `${inWindow} AND ${RAW_SPAN_CLASS} = '${cls}'`;
        return `countIf(${spans}) AS n${i}_${k}, countIf(${spans} AND ${bad}) AS bad${i}_${k}`;
      });
    });
    const longest = lengths.indexOf(Math.max(...lengths));
    const rows = await this.select(sel, groups, columns.join(', '), params);
    return rows.map((r) => {
      const k = classes.findIndex((_, j) => Number(r[`n${longest}_${j}`]) > 0);
      const ratio = (i: number) =>
        k < 0 || Number(r[`n${i}_${k}`]) === 0 ? null : Number(r[`bad${i}_${k}`]) / Number(r[`n${i}_${k}`]);
      return { labels: labelsOf(r, groups), value: null, badRatios: new Map(lengths.map((ms, i) => [ms, ratio(i)])) };
    });
  }

  /**
   * Series of a metric that received points after `sinceMs`, read from the point tables (the
   * catalog's LastSeen moves only once per SERIES_SEEN_BUCKET_MS, which would see an absence up to
   * that late). A staleness marker is not a point; a service's series come from the catalog.
   */
  private async liveSeries(
    tenant: string,
    metric: string,
    service: string | undefined,
    sinceMs: number,
  ): Promise<number> {
    const points = Object.values(METRIC_POINT_TABLES)
      .map(
        (table) =>
          `SELECT ${P.Fingerprint} AS fp FROM ${table} WHERE ${TENANT_COLUMN} = {tenant:String}
           AND ${P.MetricName} = {metric:String} AND ${P.Time} > fromUnixTimestamp64Milli({sinceMs:Int64})
           AND bitAnd(Flags, 1) = 0`,
      )
      .join(' UNION ALL ');
    const ofService =
      service === undefined
        ? ''
        : ` WHERE fp IN (SELECT ${M.Fingerprint} FROM ${RAW_TABLES.metricSeries} WHERE ${TENANT_COLUMN} = {tenant:String}
             AND ${M.MetricName} = {metric:String} AND ${M.ServiceName} = {service:String})`;
    const [row] = await this.reader.select<{ n: string | number }>(
      `SELECT uniqExact(fp) AS n FROM (${points})${ofService}`,
      { tenant, metric, sinceMs, ...(service !== undefined ? { service } : {}) },
    );
    return Number(row?.n ?? 0);
  }

  private async select(
    sel: Selection,
    groups: [string, string][],
    value: string,
    extra: Record<string, unknown>,
  ): Promise<Record<string, string | number | null>[]> {
    const keys = groups.map(([, column], i) => `toString(${column}) AS g${i}`);
    const query = `SELECT ${[...keys, value].join(', ')} FROM ${sel.table} WHERE ${sel.where.join(' AND ')}${keys.length ? ` GROUP BY ${groups.map((_, i) => `g${i}`).join(', ')}` : ''} LIMIT 10000`;
    return this.reader.select<Record<string, string | number | null>>(query, { ...sel.params, ...extra });
  }
}

function selection(
  tenant: string,
  c: Extract<AlertCondition, { kind: 'log_count' | 'absence' | 'slo_burn_rate' }>,
  fromMs: number,
  toMs: number,
): Selection {
  const logs = c.kind === 'log_count' || (c.kind === 'absence' && c.signal === 'logs');
  const table = logs ? RAW_TABLES.logs : RAW_TABLES.spans;
  const time = logs ? TIME_COLUMNS.logs : TIME_COLUMNS.spans;
  const columns = logs ? L : S;
  const where = [
    `${TENANT_COLUMN} = {tenant:String}`,
    `${time} > fromUnixTimestamp64Milli({fromMs:Int64})`,
    `${time} <= fromUnixTimestamp64Milli({toMs:Int64})`,
  ];
  const params: Record<string, unknown> = { tenant, fromMs, toMs };
  if ('service' in c && c.service !== undefined) {
    where.push(`${columns.ServiceName} = {service:String}`);
    params.service = c.service;
  }
  if (c.kind === 'slo_burn_rate' && c.operation !== undefined) {
    where.push(`${S.Name} = {operation:String}`);
    params.operation = c.operation;
  }
  if (c.kind === 'log_count') {
    if (c.severity !== undefined) {
      where.push(`lower(${L.SeverityText}) = lower({severity:String})`);
      params.severity = c.severity;
    }
    (c.search ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 20)
      .forEach((word, i) => {
        where.push(`positionCaseInsensitiveUTF8(${L.Body}, {w${i}:String}) > 0`);
        params[`w${i}`] = word;
      });
  }
  return { table, where, params };
}

function labelsOf(row: Record<string, string | number | null>, groups: [string, string][]): Record<string, string> {
  return Object.fromEntries(groups.map(([label], i) => [label, String(row[`g${i}`] ?? '')]));
}
