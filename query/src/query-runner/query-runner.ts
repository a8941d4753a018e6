import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import type { LogsQuery, MetricsQuery, QueryDto, QueryMeta, QueryResult, SpansQuery } from '@telemetryflow/contract';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { toNumber } from '../clickhouse-rows.js';
import { assertRangeWithin, resultTooLarge } from '@telemetryflow/http-kit';
import { logCount } from '../logs/log-volume.js';
import { bucketStarts } from '../metrics/metric-math.js';
import { seriesStepMs } from '../metrics/metric-query.js';
import { MetricsRepository } from '../metrics/metrics.repository.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { LOG_TABLES, plannedUnion, stepBucket, type SignalTables } from '../planner/plan-sql.js';
import type { QueryPlan, Resolution } from '../planner/query-plan.js';
import { QueryPlanner, type RetentionLookup } from '../planner/query-planner.js';
import { queryLimits, type QueryLimits } from '../query-limits.js';
import type { TimeRange } from '../request-params.js';
import { entrySpans, serviceAndClass } from '../services/span-aggregates.js';
import { clickHouseRetention } from './clickhouse-retention.js';
import { allOf, type SqlPart } from './filter-sql.js';
import { logConditions, logLabelExpr, logsNeedRaw } from './log-series.js';
import { assembleSeries, type GroupedValue } from './series.js';
import {
  emptySpanValue,
  mergedSpanAggregates,
  spanAggregates,
  spanFilter,
  spanLabelExpr,
  spanMeasureValue,
  spanTables,
} from './span-series.js';

export interface QueryRunnerDeps {
  clickhouse: ClickHouseClient;
  /** Overrides of the default query limits. */
  limits?: Partial<QueryLimits>;
  /** Tenants' retention for the planner; default: ClickHouse's copy of the policies. */
  retention?: RetentionLookup;
}

export interface QueryWindow {
  /** Inclusive bounds, nanoseconds. */
  fromNs: bigint;
  toNs: bigint;
  /** Default: about 120 points over the range. */
  stepSeconds?: number;
}

export interface QueryAnswer {
  data: QueryResult;
  meta: QueryMeta;
}

const NS_PER_MS = 1_000_000n;

/**
 * Runs the one query DTO (dashboards, alert rules, `POST /api/v1/query`) for a tenant:
 * through the planner, so whole hours and days come from rollups where the query's labels
 * allow it; bound parameters only; under the query limits. Plain class: the API makes it
 * a provider, the alerting role constructs it with a ClickHouse client.
 */
export class QueryRunner {
  private readonly reader: ClickHouseReader;
  private readonly planner: QueryPlanner;
  private readonly metrics: MetricsService;
  readonly limits: QueryLimits;

  constructor(deps: QueryRunnerDeps) {
    this.limits = queryLimits(deps.limits);
    this.reader = new ClickHouseReader(deps.clickhouse, this.limits);
    this.planner = new QueryPlanner(deps.retention ?? clickHouseRetention(deps.clickhouse), deps.clickhouse);
    this.metrics = new MetricsService(new MetricsRepository(this.reader), this.planner, this.limits);
  }

  async run(tenantId: string, query: QueryDto, window: QueryWindow): Promise<QueryAnswer> {
    const range: TimeRange = { fromNs: window.fromNs, toNs: window.toNs };
    assertRangeWithin(range, this.limits.maxRangeDays, 'maxRangeDays');
    const stepMs = seriesStepMs(range, window.stepSeconds, 'step');
    switch (query.signal) {
      case 'metrics':
        return this.runMetrics(tenantId, query, range, stepMs);
      case 'spans':
        return this.runSpans(tenantId, query, range, stepMs);
      case 'logs':
        return this.runLogs(tenantId, query, range, stepMs);
    }
  }

  private async runMetrics(tenant: string, q: MetricsQuery, range: TimeRange, stepMs: number): Promise<QueryAnswer> {
    const { data, meta } = await this.metrics.run(tenant, {
      ...range,
      metric: q.metric,
      aggregation: q.aggregation,
      groupBy: [...new Set(q.groupBy ?? [])],
      filters: q.filters ?? [],
      stepMs,
    });
    return { data, meta: { resolution: meta.resolution, step: stepMs / 1000 } };
  }

  private async runSpans(tenant: string, q: SpansQuery, range: TimeRange, stepMs: number): Promise<QueryAnswer> {
    const { tables, rawOnly } = spanTables(q);
    const plan = await this.plan(tenant, 'spans', range, stepMs, rawOnly);
    const groupBy = [...new Set(q.groupBy ?? [])];
    const entry = q.spans === 'entry';
    const rows = await this.grouped(tenant, plan, tables, stepMs, groupBy, {
      partial: (s) => ({
        labels: groupBy.map((l, i) => spanLabelExpr(l, s, `gk${i}`)),
        where: (q.filters ?? []).map((f, i) => spanFilter(f, i, s)),
        aggregates: entry
          ? `${serviceAndClass(s, tables)}, ${spanAggregates(q.measure, s)}`
          : spanAggregates(q.measure, s),
        ...(entry ? { keys: ['service', 'class'] } : {}),
      }),
      // Each service's entry spans: chosen over the whole range, then merged like any rows.
      ...(entry ? { source: (union: string) => ({ from: entrySpans(union), where: 'entry' }) } : {}),
      merged: mergedSpanAggregates(q.measure),
      value: (r) =>
        spanMeasureValue(
          q.measure,
          {
            n: toNumber(r.n as string),
            errors: toNumber(r.errors as string),
            dsum: toNumber(r.dsum as string),
            q: r.q as number[],
          },
          stepMs,
        ),
    });
    return this.answer(groupBy, rows, range, stepMs, plan, emptySpanValue(q.measure));
  }

  private async runLogs(tenant: string, q: LogsQuery, range: TimeRange, stepMs: number): Promise<QueryAnswer> {
    const plan = await this.plan(tenant, 'logs', range, stepMs, logsNeedRaw(q));
    const groupBy = [...new Set(q.groupBy ?? [])];
    const conditions = logConditions(q);
    const rows = await this.grouped(tenant, plan, LOG_TABLES, stepMs, groupBy, {
      partial: (s) => ({
        labels: groupBy.map((l, i) => logLabelExpr(l, `gk${i}`)),
        where: conditions,
        aggregates: logCount(s),
      }),
      merged: 'sum(n) AS n',
      value: (r) => toNumber(r.n as string),
    });
    return this.answer(groupBy, rows, range, stepMs, plan, 0);
  }

  /** The planner's split into rollups and raw data, or all raw when the query needs raw columns. */
  private async plan(
    tenant: string,
    signal: 'spans' | 'logs',
    range: TimeRange,
    stepMs: number,
    rawOnly: boolean,
  ): Promise<QueryPlan> {
    if (rawOnly) {
      assertRangeWithin(range, this.limits.maxSearchRangeDays, 'maxSearchRangeDays');
      return { resolution: 'raw', segments: [{ source: 'raw', fromNs: range.fromNs, toNs: range.toNs + 1n }] };
    }
    return this.planner.plan(tenant, signal, range, {}, stepMs);
  }

  /**
   * One query over the plan: per segment, partial aggregates by step and label values;
   * merged outside. Past `maxMetricPoints` rows → 422 rather than a truncated answer.
   */
  private async grouped(
    tenant: string,
    plan: QueryPlan,
    tables: SignalTables,
    stepMs: number,
    groupBy: string[],
    spec: {
      /** Per segment: label expressions, filters, partial aggregates and further grouping keys they select. */
      partial: (s: Resolution) => { labels: SqlPart[]; where: SqlPart[]; aggregates: string; keys?: string[] };
      /** What the outer query merges: the union of the segments, or a query over it. */
      source?: (union: string) => { from: string; where: string };
      merged: string;
      value: (row: Record<string, unknown>) => number | null;
    },
  ): Promise<GroupedValue[]> {
    const extra: Record<string, unknown> = {};
    const { union, params } = plannedUnion(plan, tables, (s) => {
      const p = spec.partial(s);
      const where = allOf(p.where);
      Object.assign(extra, where.params, ...p.labels.map((l) => l.params));
      const keys = p.labels.map((l, i) => `, ${l.sql} AS g${i}`).join('');
      return {
        select: `${stepBucket(s, tables)} AS bucket${keys}, ${p.aggregates}`,
        ...(p.where.length > 0 ? { where: where.sql } : {}),
        groupBy: ['bucket', ...groupBy.map((_l, i) => `g${i}`), ...(p.keys ?? [])].join(', '),
      };
    });
    const keys = groupBy.map((_l, i) => `, g${i}`).join('');
    const source = spec.source?.(union);
    const cap = this.limits.maxMetricPoints;
    const rows = await this.reader.select<Record<string, unknown>>(
      `SELECT bucket${keys}, ${spec.merged} FROM (${source?.from ?? union})${source ? ` WHERE ${source.where}` : ''}
       GROUP BY bucket${keys} ORDER BY bucket LIMIT {cap:UInt32}`,
      { ...params, ...extra, tenant, stepMs, cap: cap + 1 },
    );
    if (rows.length > cap)
      throw resultTooLarge(
        `the query would return more than ${cap} points; add filters, fewer groupBy labels or a larger step`,
        cap,
        ['filters', 'groupBy', 'step'],
      );
    return rows.map((r) => ({
      bucket: toNumber(r.bucket as string),
      keys: groupBy.map((_l, i) => String(r[`g${i}`])),
      value: spec.value(r),
    }));
  }

  private answer(
    groupBy: string[],
    rows: GroupedValue[],
    range: TimeRange,
    stepMs: number,
    plan: QueryPlan,
    empty: number | null,
  ): QueryAnswer {
    const buckets = bucketStarts(Number(range.fromNs / NS_PER_MS), Number(range.toNs / NS_PER_MS), stepMs);
    return {
      data: { series: assembleSeries(groupBy, rows, buckets, empty) },
      meta: { resolution: plan.resolution, step: stepMs / 1000 },
    };
  }
}
