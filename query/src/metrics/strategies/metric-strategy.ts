// One strategy per metric type × aggregation family answers a metrics query: it reads what
// it needs through the repository and returns each group's value per step bucket. The
// service picks the strategy (metric-strategies.ts) and shapes the answer.
import type { MetricType } from '@telemetryflow/contract';
import type { QueryLimits } from '../../query-limits.js';
import { rawPlan, withRawLookback, type QueryPlan, type Resolution } from '../../planner/query-plan.js';
import type { QueryPlanner } from '../../planner/query-planner.js';
import type { RawParams, TimeRange } from '../../request-params.js';
import { resultTooLarge } from '@telemetryflow/http-kit';
import type { MetricQuery } from '../metric-query.js';
import type { MetricsRepository, PointsScope, SeriesRow } from '../metrics.repository.js';

/** Temporality of delta series (OTLP AGGREGATION_TEMPORALITY_DELTA). */
export const DELTA = 1;
export const NS_PER_MS = 1_000_000n;

/** Series answered together: a group's labels and its series' fingerprints. */
export interface Group {
  labels: Record<string, string>;
  fingerprints: string[];
}

/** A strategy's answer: each group's value per step bucket (and exact int64 values where it keeps them). */
export interface StepValues {
  values(group: Group): Map<number, number | null>;
  /** Exact int64 values per step, where the aggregation picks stored integers. */
  intValues?(group: Group): Map<number, string | null>;
}

export interface MetricStrategy {
  read(read: MetricRead): Promise<StepValues>;
}

/**
 * One metrics query being answered: the query, its series (all of one type), and the plans
 * and reads strategies share. Remembers the resolution of the last plan taken, which the
 * answer reports.
 */
export class MetricRead {
  resolution: Resolution = 'raw';
  readonly fromMs: number;
  readonly toMs: number;
  /** Increases need the point before the first bucket: the query one step earlier. */
  readonly lookback: MetricQuery;

  constructor(
    readonly repo: MetricsRepository,
    private readonly planner: QueryPlanner,
    private readonly limits: QueryLimits,
    readonly tenant: string,
    readonly q: MetricQuery,
    private readonly params: RawParams,
    readonly type: MetricType,
    readonly series: readonly SeriesRow[],
  ) {
    this.fromMs = Number(q.fromNs / NS_PER_MS);
    this.toMs = Number(q.toNs / NS_PER_MS);
    this.lookback = { ...q, fromNs: q.fromNs - BigInt(q.stepMs) * NS_PER_MS };
  }

  /** The series' fingerprints over `range` (the query's own by default). */
  scope(range: TimeRange = this.q): PointsScope {
    return {
      tenant: this.tenant,
      metric: this.q.metric,
      fingerprints: this.series.map((s) => s.fingerprint),
      fromNs: range.fromNs,
      toNs: range.toNs,
    };
  }

  /** The planner's plan of the query: rollups for whole hours and days, raw points at the edges. */
  async planned(): Promise<QueryPlan> {
    return this.taken(await this.plannerPlan());
  }

  /** The planner's plan, reaching back one step in raw points (for increases). */
  async plannedWithLookback(): Promise<QueryPlan> {
    return this.taken(withRawLookback(await this.plannerPlan(), this.lookback.fromNs));
  }

  /** Raw points only, from one step before the query. */
  rawWithLookback(): QueryPlan {
    return this.taken(rawPlan(this.lookback.fromNs, this.lookback.toNs));
  }

  /** How many raw points a read may return before the answer is refused; reads ask for one more. */
  get maxPoints(): number {
    return this.limits.maxMetricPoints;
  }

  /** Raw points up to the cap; past it, 422 rather than a silently partial answer. */
  capped<T>(rows: T[]): T[] {
    const cap = this.limits.maxMetricPoints;
    if (rows.length > cap) {
      throw resultTooLarge(
        `the query would read more than ${cap} points; narrow it with from and to, or add filters`,
        cap,
        ['from', 'to', 'filters'],
      );
    }
    return rows;
  }

  private plannerPlan(): Promise<QueryPlan> {
    return this.planner.plan(this.tenant, 'metrics', this.q, this.params, this.q.stepMs);
  }

  private taken(plan: QueryPlan): QueryPlan {
    this.resolution = plan.resolution;
    return plan;
  }
}
