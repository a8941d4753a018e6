import { Inject, Injectable } from '@nestjs/common';
import type { LabelFilter, MetricDto, MetricType } from '@telemetryflow/contract';
import { toNumber } from '../clickhouse-rows.js';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { plannedUnion, stepBucket, type SignalTables } from '../planner/plan-sql.js';
import { rollupPart, type QueryPlan } from '../planner/query-plan.js';
import type { TimeRange } from '../request-params.js';
import { allOf, metricLabelFilter } from '../query-runner/filter-sql.js';
import { sparseRun, type ExpHistogram, type ExpHistogramPoint } from './exp-histogram.js';
import {
  CUMULATIVE_ROLLUPS, DISTRIBUTION_COLUMNS, EXP_BUCKET_COLUMNS, RAW_SCALED_EXP, ROLLUP_SCALED_EXP, type DistributionType, type PointColumns,
} from './metric-point-columns.js';
import type { CounterRollup, Extremes, HistogramPoint, StepStats } from './metric-math.js';

/** Point table per metric type: a fixed map, never built from input. */
const POINT_TABLES: Record<MetricType, string> = {
  gauge: 'metrics_gauge',
  sum: 'metrics_sum',
  histogram: 'metrics_histogram',
  exponential_histogram: 'metrics_exp_histogram',
  summary: 'metrics_summary',
};

const SEEN_IN_RANGE =
  'max(LastSeen) >= fromUnixTimestamp64Nano({fromNs:Int64}) AND min(FirstSeen) <= fromUnixTimestamp64Nano({toNs:Int64})';
/** Columns every raw point query starts with, and their conversion. */
const POINT_HEAD = 'toString(Fingerprint) AS fingerprint, toUnixTimestamp64Milli(Time) AS t, toUnixTimestamp64Milli(StartTime) AS start';

function pointHead(r: { fingerprint: string | number; t: string | number; start: string | number }): { fingerprint: string; t: number; start: number } {
  return { fingerprint: String(r.fingerprint), t: toNumber(r.t), start: toNumber(r.start) };
}

/** Raw point table and hourly / daily rollups of a metric type, for the query planner. */
function plannedTables(raw: string, rollup: string): SignalTables {
  return { raw: { table: raw, time: 'Time' }, hourly: { table: `${rollup}_hourly`, time: 'Hour' }, daily: { table: `${rollup}_daily`, time: 'Day' } };
}

/** The chosen series of one metric (the tenant filter comes with each table's query). */
const SERIES_WHERE = 'MetricName = {metric:String} AND Fingerprint IN (SELECT toUInt64(arrayJoin({fps:Array(String)})))';

const POINTS_WHERE = `TenantId = {tenant:String} AND ${SERIES_WHERE}
  AND Time >= fromUnixTimestamp64Nano({fromNs:Int64}) AND Time <= fromUnixTimestamp64Nano({toNs:Int64})`;

export interface SeriesRow {
  fingerprint: string;
  type: MetricType;
  temporality: number;
  monotonic: boolean;
  attributes: Record<string, string>;
  resource: Record<string, string>;
}

export interface StatsRow extends StepStats {
  fingerprint: string;
  bucket: number;
}

export interface RawPoint {
  fingerprint: string;
  t: number;
  start: number;
  value: number;
  temporality: number;
}

export interface RawDistributionPoint extends HistogramPoint {
  fingerprint: string;
  temporality: number;
}

export interface RawExpHistogramPoint extends ExpHistogramPoint {
  fingerprint: string;
  temporality: number;
}

/**
 * Bucket counts of a series in one step: finite upper bounds, and one more count (the +Inf
 * bucket); the step's extremes, known only when every point recorded them.
 */
export interface BucketsRow extends Extremes {
  fingerprint: string;
  bucket: number;
  bounds: number[];
  counts: number[];
}

export interface TotalsRow {
  fingerprint: string;
  bucket: number;
  count: number;
  sum: number;
}

export interface ExtremesRow {
  fingerprint: string;
  bucket: number;
  min: number | null;
  max: number | null;
}

interface SeriesScope {
  tenant: string;
  metric: string;
  fingerprints: string[];
}

interface PointsScope extends SeriesScope, TimeRange {}

/** A delta exponential histogram of one series and step bucket at one scale. */
export interface ExpBucketsRow {
  fingerprint: string;
  bucket: number;
  histogram: ExpHistogram;
  min: number | null;
  max: number | null;
}

@Injectable()
export class MetricsRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /** At most `limit` metrics; callers pass their cap + 1 to detect overflow. */
  async listMetrics(tenant: string, range: TimeRange, limit: number): Promise<MetricDto[]> {
    return this.ch.select<MetricDto>(`SELECT MetricName AS name, MetricType AS type, any(Unit) AS unit, any(Description) AS description
       FROM metric_series WHERE TenantId = {tenant:String}
       GROUP BY MetricName, MetricType
       HAVING ${SEEN_IN_RANGE}
       ORDER BY name, type
       LIMIT {limit:UInt32}`,
      { tenant, fromNs: range.fromNs, toNs: range.toNs, limit },
    );
  }

  /** Series of one metric seen in the range whose attributes (or else resource attributes) match every filter. */
  async findSeries(tenant: string, metric: string, filters: LabelFilter[], range: TimeRange, limit: number): Promise<SeriesRow[]> {
    const matched = allOf(filters.map(metricLabelFilter));
    const params: Record<string, unknown> = { tenant, metric, fromNs: range.fromNs, toNs: range.toNs, limit, ...matched.params };
    const where = ['TenantId = {tenant:String}', 'MetricName = {metric:String}', ...(filters.length > 0 ? [matched.sql] : [])];
    const rows = await this.ch.select<Omit<SeriesRow, 'monotonic' | 'temporality'> & { monotonic: boolean | number; temporality: number | string }>(`SELECT toString(Fingerprint) AS fingerprint, any(MetricType) AS type, any(Temporality) AS temporality,
              any(IsMonotonic) AS monotonic, any(Attributes) AS attributes, any(ResourceAttributes) AS resource
       FROM metric_series
       WHERE ${where.join(' AND ')}
       GROUP BY Fingerprint
       HAVING ${SEEN_IN_RANGE}
       ORDER BY Fingerprint
       LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) => ({ ...r, temporality: toNumber(r.temporality), monotonic: Boolean(r.monotonic) }));
  }

  /**
   * Per series and step bucket: sum, count, min, max and latest value of gauge or sum
   * points, over a query plan (raw points and the metrics_value rollups); min, max and
   * latest exactly when every point of the bucket was an integer (the rollups count
   * integer points since migration 0013).
   */
  async stepStats(type: 'gauge' | 'sum', scope: SeriesScope, plan: QueryPlan, stepMs: number): Promise<StatsRow[]> {
    const tables = plannedTables(POINT_TABLES[type], 'metrics_value');
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `Fingerprint, ${stepBucket(s, tables)} AS bucket, ${
        s === 'raw'
          ? `sum(Value) AS sum, count() AS count, min(Value) AS min, max(Value) AS max, argMaxState(Value, Time) AS last,
             countIf(isNotNull(IntValue)) AS ints, min(IntValue) AS imin, max(IntValue) AS imax, argMaxState(ifNull(IntValue, 0), Time) AS ilast`
          : `sum(Sum) AS sum, sum(Count) AS count, min(Min) AS min, max(Max) AS max, argMaxMergeState(Last) AS last,
             sum(IntCount) AS ints, min(IntMin) AS imin, max(IntMax) AS imax, argMaxMergeState(IntLast) AS ilast`
      }`,
      where: SERIES_WHERE,
      groupBy: 'Fingerprint, bucket',
    }));
    const rows = await this.ch.select<Record<'fingerprint' | 'bucket' | 'sum' | 'count' | 'min' | 'max' | 'last' | 'ints', string | number> & Record<'imin' | 'imax' | 'ilast', string | null>>(
      `SELECT toString(Fingerprint) AS fingerprint, bucket, sum(sum) AS sum, sum(count) AS count, min(min) AS min, max(max) AS max, argMaxMerge(last) AS last,
              sum(ints) AS ints, toString(min(imin)) AS imin, toString(max(imax)) AS imax, toString(argMaxMerge(ilast)) AS ilast
       FROM (${union})
       GROUP BY Fingerprint, bucket`,
      { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, stepMs },
    );
    return rows.map((r) => {
      const count = toNumber(r.count);
      const exact = count > 0 && toNumber(r.ints) === count && r.imin !== null && r.imax !== null && r.ilast !== null;
      return {
        fingerprint: String(r.fingerprint),
        bucket: toNumber(r.bucket),
        sum: toNumber(r.sum),
        count,
        min: toNumber(r.min),
        max: toNumber(r.max),
        last: toNumber(r.last),
        exact: exact ? { min: BigInt(r.imin!), max: BigInt(r.imax!), last: BigInt(r.ilast!) } : null,
      };
    });
  }

  /**
   * Per series and rollup bucket of the plan's hourly and daily segments: first, last,
   * min and max value and the sum (for delta series), for rates and increases.
   */
  async counterRollups(scope: SeriesScope, plan: QueryPlan): Promise<(CounterRollup & { fingerprint: string; sum: number })[]> {
    const rollups = rollupPart(plan);
    if (rollups.segments.length === 0) return [];
    const tables = plannedTables(POINT_TABLES.sum, 'metrics_value');
    const { union, params } = plannedUnion(rollups, tables, (s) => {
      const time = tables[s].time;
      const length = s === 'hourly' ? 3_600_000 : 86_400_000;
      return {
        select: `toString(Fingerprint) AS fingerprint, toInt64(toUnixTimestamp(${time})) * 1000 AS t, t + ${length} AS endT,
                 argMinMerge(First) AS first, argMaxMerge(Last) AS last, min(Min) AS min, max(Max) AS max, sum(Sum) AS sum`,
        where: SERIES_WHERE,
        groupBy: `Fingerprint, ${time}`,
      };
    });
    const rows = await this.ch.select<Record<string, string | number>>(`SELECT * FROM (${union})`, { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints });
    return rows.map((r) => ({
      fingerprint: String(r.fingerprint), t: toNumber(r.t!), endT: toNumber(r.endT!), first: toNumber(r.first!), last: toNumber(r.last!),
      min: toNumber(r.min!), max: toNumber(r.max!), sum: toNumber(r.sum!),
    }));
  }

  /** Raw sum points (for rates), oldest first; at most `limit` (callers pass cap + 1). */
  async sumPoints(scope: PointsScope, limit: number): Promise<RawPoint[]> {
    const rows = await this.pointRows<Record<keyof RawPoint, string | number>>('metrics_sum', 'Value AS value, Temporality AS temporality', scope, limit);
    return rows.map((r) => ({
      ...pointHead(r),
      value: toNumber(r.value),
      temporality: toNumber(r.temporality),
    }));
  }

  /**
   * Distribution points (count, sum and, for explicit histograms, buckets) over a query
   * plan, oldest first per series: raw points of its raw segments, and for its hourly and
   * daily segments the points the cumulative rollups kept (first, peak and last of each
   * bucket and series start), from which increases come out as from the raw points. Only
   * cumulative series are in those rollups: plans with rollup segments are for them alone.
   * At most `limit` points (callers pass cap + 1).
   */
  async distributionPoints(type: DistributionType, scope: SeriesScope, plan: QueryPlan, limit: number): Promise<RawDistributionPoint[]> {
    const columns = DISTRIBUTION_COLUMNS[type];
    const rows = await this.plannedPoints<{
      fingerprint: string; t: string; start: string; count: string; sum: number | null; bounds: number[]; counts: string[];
      min: number | null; max: number | null; temporality: number;
    }>(POINT_TABLES[type], CUMULATIVE_ROLLUPS[type], columns, scope, plan, limit);
    return rows.map((r) => ({
      ...pointHead(r),
      count: toNumber(r.count),
      sum: r.sum === null ? 0 : toNumber(r.sum),
      bounds: r.bounds.map(Number),
      counts: r.counts.map(Number),
      min: r.min === null ? null : toNumber(r.min),
      max: r.max === null ? null : toNumber(r.max),
      temporality: toNumber(r.temporality),
    }));
  }

  /** Exponential histogram points with their buckets over a query plan, as distributionPoints. */
  async expHistogramPoints(scope: SeriesScope, plan: QueryPlan, limit: number): Promise<RawExpHistogramPoint[]> {
    const rows = await this.plannedPoints<{
      fingerprint: string; t: string; start: string; count: string; sum: number | null; min: number | null; max: number | null;
      scale: number; zeroCount: string; zeroThreshold: number; posOffset: number; posCounts: string[]; negOffset: number; negCounts: string[];
      temporality: number;
    }>(POINT_TABLES.exponential_histogram, CUMULATIVE_ROLLUPS.exponential_histogram, EXP_BUCKET_COLUMNS, scope, plan, limit);
    return rows.map((r) => ({
      ...pointHead(r),
      count: toNumber(r.count),
      sum: r.sum === null ? 0 : toNumber(r.sum),
      min: r.min === null ? null : toNumber(r.min),
      max: r.max === null ? null : toNumber(r.max),
      scale: toNumber(r.scale),
      zeroCount: toNumber(r.zeroCount),
      zeroThreshold: toNumber(r.zeroThreshold),
      positive: { offset: toNumber(r.posOffset), counts: r.posCounts.map(Number) },
      negative: { offset: toNumber(r.negOffset), counts: r.negCounts.map(Number) },
      temporality: toNumber(r.temporality),
    }));
  }

  /**
   * Delta exponential histograms per series, step bucket and scale: buckets summed at the
   * scale they were sent (raw points and the scaled rollups add up the same way), with the
   * extremes known only when every point recorded them.
   */
  async deltaExpHistograms(scope: SeriesScope, plan: QueryPlan, stepMs: number): Promise<ExpBucketsRow[]> {
    const tables = plannedTables(POINT_TABLES.exponential_histogram, 'metrics_exp_histogram_scaled');
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `Fingerprint, ${stepBucket(s, tables)} AS bucket, Scale, ${s === 'raw' ? RAW_SCALED_EXP : ROLLUP_SCALED_EXP}`,
      where: s === 'raw' ? `${SERIES_WHERE} AND Temporality = 1` : SERIES_WHERE,
      groupBy: 'Fingerprint, bucket, Scale',
    }));
    const rows = await this.ch.select<{
      fingerprint: string; bucket: string | number; scale: number; zeroCount: string; zeroThreshold: number; min: number | null; max: number | null;
      minMissing: string; maxMissing: string; positive: [number[], string[]]; negative: [number[], string[]];
    }>(`SELECT toString(Fingerprint) AS fingerprint, bucket, Scale AS scale, sum(zero) AS zeroCount, max(threshold) AS zeroThreshold,
              min(min) AS min, max(max) AS max, sum(noMin) AS minMissing, sum(noMax) AS maxMissing, sumMap(pos) AS positive, sumMap(neg) AS negative
       FROM (${union}) GROUP BY Fingerprint, bucket, Scale`,
      { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, stepMs },
    );
    return rows.map((r) => ({
      fingerprint: String(r.fingerprint),
      bucket: toNumber(r.bucket),
      histogram: {
        scale: toNumber(r.scale),
        zeroCount: toNumber(r.zeroCount),
        zeroThreshold: toNumber(r.zeroThreshold),
        positive: sparseRun(r.positive[0], r.positive[1].map(Number)),
        negative: sparseRun(r.negative[0], r.negative[1].map(Number)),
      },
      min: r.min === null || toNumber(r.minMissing) > 0 ? null : toNumber(r.min),
      max: r.max === null || toNumber(r.maxMissing) > 0 ? null : toNumber(r.max),
    }));
  }

  /**
   * Per series and step bucket: the smallest recorded Min and largest recorded Max of
   * histogram points (null when no point of the bucket recorded one). Computed in
   * ClickHouse, so no point cap applies.
   */
  async distributionExtremes(type: 'histogram' | 'exponential_histogram', scope: SeriesScope, plan: QueryPlan, stepMs: number): Promise<ExtremesRow[]> {
    const tables = plannedTables(POINT_TABLES[type], type === 'histogram' ? 'metrics_histogram' : 'metrics_exp_histogram');
    // Raw points and rollup rows both have Min and Max columns: the same partial aggregate.
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `Fingerprint, ${stepBucket(s, tables)} AS bucket, min(Min) AS min, max(Max) AS max`,
      where: SERIES_WHERE,
      groupBy: 'Fingerprint, bucket',
    }));
    const rows = await this.ch.select<{ fingerprint: string; bucket: string | number; min: number | null; max: number | null }>(`SELECT toString(Fingerprint) AS fingerprint, bucket, min(min) AS min, max(max) AS max FROM (${union}) GROUP BY Fingerprint, bucket`,
      { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, stepMs },
    );
    return rows.map((r) => ({
      fingerprint: String(r.fingerprint),
      bucket: toNumber(r.bucket),
      min: r.min === null ? null : toNumber(r.min),
      max: r.max === null ? null : toNumber(r.max),
    }));
  }

  /**
   * Per series and step bucket: summed count and sum of histogram points — the counts and
   * sums of the step for delta temporality — over a query plan.
   */
  async distributionTotals(type: 'histogram' | 'exponential_histogram', scope: SeriesScope, plan: QueryPlan, stepMs: number): Promise<TotalsRow[]> {
    const tables = plannedTables(POINT_TABLES[type], type === 'histogram' ? 'metrics_histogram' : 'metrics_exp_histogram');
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `Fingerprint, ${stepBucket(s, tables)} AS bucket, sum(Count) AS count, ${s === 'raw' ? 'sum(ifNull(Sum, 0))' : 'sum(Sum)'} AS sum`,
      where: SERIES_WHERE,
      groupBy: 'Fingerprint, bucket',
    }));
    const rows = await this.ch.select<{ fingerprint: string; bucket: string | number; count: string | number; sum: number }>(`SELECT toString(Fingerprint) AS fingerprint, bucket, sum(count) AS count, sum(sum) AS sum FROM (${union}) GROUP BY Fingerprint, bucket`,
      { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, stepMs },
    );
    return rows.map((r) => ({ fingerprint: String(r.fingerprint), bucket: toNumber(r.bucket), count: toNumber(r.count), sum: toNumber(r.sum) }));
  }

  /**
   * Delta histograms' bucket counts per series and step, summed per upper bound (raw points
   * and the rollups' `Buckets` add up the same way), with the step's extremes and how many
   * points lacked them (rollups count those since migration 0013).
   */
  async distributionBuckets(scope: SeriesScope, plan: QueryPlan, stepMs: number): Promise<BucketsRow[]> {
    const tables = plannedTables(POINT_TABLES.histogram, 'metrics_histogram');
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `Fingerprint, ${stepBucket(s, tables)} AS bucket, ${
        s === 'raw'
          ? 'sumMap(arrayPushBack(ExplicitBounds, inf), BucketCounts) AS buckets, countIf(isNull(Min)) AS noMin, countIf(isNull(Max)) AS noMax'
          : 'sumMap(Buckets) AS buckets, sum(MinMissing) AS noMin, sum(MaxMissing) AS noMax'
      }, min(Min) AS min, max(Max) AS max`,
      where: SERIES_WHERE,
      groupBy: 'Fingerprint, bucket',
    }));
    const rows = await this.ch.select<{
      fingerprint: string; bucket: string | number; bounds: number[]; counts: (string | number)[]; min: number | null; max: number | null; noMin: string; noMax: string;
    }>(
      // JSON carries no infinity: the +Inf key (always last) is dropped from the bounds, its count kept.
      `SELECT toString(Fingerprint) AS fingerprint, bucket, sumMap(buckets) AS merged, arrayFilter(b -> isFinite(b), merged.1) AS bounds, merged.2 AS counts,
              min(min) AS min, max(max) AS max, sum(noMin) AS noMin, sum(noMax) AS noMax
       FROM (${union}) GROUP BY Fingerprint, bucket`,
      { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, stepMs },
    );
    return rows.map((r) => {
      const counts = r.counts.map(toNumber);
      if (counts.length === r.bounds.length) counts.push(0);
      return {
        fingerprint: String(r.fingerprint), bucket: toNumber(r.bucket), bounds: r.bounds.map(Number), counts,
        min: r.min === null || toNumber(r.noMin) > 0 ? null : toNumber(r.min),
        max: r.max === null || toNumber(r.noMax) > 0 ? null : toNumber(r.max),
      };
    });
  }

  /**
   * Raw points of the plan's raw segments from one point table (a constant name), plus the
   * points kept by the cumulative rollup `rollup` for its hourly and daily segments, oldest
   * first per series; at most `limit` in all.
   */
  private async plannedPoints<R>(table: string, rollup: string, columns: PointColumns, scope: SeriesScope, plan: QueryPlan, limit: number): Promise<R[]> {
    const out: R[] = [];
    for (const seg of plan.segments.filter((s) => s.source === 'raw')) {
      out.push(...(await this.pointRows<R>(table, columns.raw, { ...scope, fromNs: seg.fromNs, toNs: seg.toNs - 1n }, limit - out.length)));
      if (out.length >= limit) return out;
    }
    const rollups = rollupPart(plan);
    if (rollups.segments.length === 0) return out;
    const tables = plannedTables(table, rollup);
    const { union, params } = plannedUnion(rollups, tables, (s) => ({
      select: `Fingerprint, StartTime, argMinMerge(First) AS first, argMaxMerge(Last) AS last, argMaxMerge(Peak) AS peak${columns.rollupAggregates ? `, ${columns.rollupAggregates}` : ''}`,
      where: SERIES_WHERE,
      groupBy: `Fingerprint, ${tables[s].time}, StartTime`,
    }));
    out.push(...(await this.ch.select<R>(`SELECT toString(Fingerprint) AS fingerprint, toUnixTimestamp64Milli(p.Time) AS t, toUnixTimestamp64Milli(StartTime) AS start, ${columns.rollup}
       FROM (${union}) ARRAY JOIN arrayDistinct([first, peak, last]) AS p
       ORDER BY Fingerprint, t
       LIMIT {limit:UInt32}`,
      { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, limit: limit - out.length },
    )));
    return out;
  }

  /**
   * Raw points of the scope's series from one point table (a constant name), oldest first
   * per series, at most `limit`; `columns` are selected after the common head.
   */
  private pointRows<R>(table: string, columns: string, scope: PointsScope, limit: number): Promise<R[]> {
    return this.ch.select<R>(`SELECT ${POINT_HEAD}, ${columns}
       FROM ${table} WHERE ${POINTS_WHERE}
       ORDER BY Fingerprint, Time
       LIMIT {limit:UInt32}`,
      this.scopeParams(scope, { limit }),
    );
  }

  private scopeParams(s: PointsScope, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { tenant: s.tenant, metric: s.metric, fps: s.fingerprints, fromNs: s.fromNs, toNs: s.toNs, ...extra };
  }
}
