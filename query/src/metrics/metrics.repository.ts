import { Inject, Injectable } from '@nestjs/common';
import {
  CUMULATIVE_ROLLUPS,
  KEPT_POINT_FIELDS as K,
  METRIC_POINT_TABLES,
  METRIC_ROLLUP_COLUMNS as R,
  metricTables,
  POINT_COLUMNS as P,
  RAW_TABLES,
  SERIES_COLUMNS as M,
  TENANT_COLUMN,
  type MetricPointType,
  type RollupName,
  SERIES_SEEN_BUCKET_MS,
} from '@telemetryflow/clickhouse';
import type { LabelFilter, MetricDto, MetricType } from '@telemetryflow/contract';
import { toNumber } from '../clickhouse-rows.js';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { plannedUnion, stepBucket, type SignalTables } from '../planner/plan-sql.js';
import { rollupPart, type QueryPlan } from '../planner/query-plan.js';
import type { TimeRange } from '../request-params.js';
import { allOf, metricLabelFilter } from '../query-runner/filter-sql.js';
import { sparseRun, type ExpHistogram, type ExpHistogramPoint } from './exp-histogram.js';
import {
  DISTRIBUTION_COLUMNS,
  EXP_BUCKET_COLUMNS,
  RAW_SCALED_EXP,
  ROLLUP_SCALED_EXP,
  type DistributionType,
  type PointColumns,
} from './metric-point-columns.js';
import type { CounterRollup, Extremes, HistogramPoint, StepStats } from './metric-math.js';

/** Point table per metric type (read catalog): a fixed map, never built from input. */
const POINT_TABLES: Record<MetricType, string> = METRIC_POINT_TABLES;

const SEEN_IN_RANGE = `max(${M.LastSeen}) >= fromUnixTimestamp64Nano({fromNs:Int64}) - toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS}) AND min(${M.FirstSeen}) <= fromUnixTimestamp64Nano({toNs:Int64}) + toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS})`;
/** Columns every raw point query starts with, and their conversion. */
const POINT_HEAD = `toString(${P.Fingerprint}) AS fingerprint, toUnixTimestamp64Milli(${P.Time}) AS t, toUnixTimestamp64Milli(${P.StartTime}) AS start`;

function pointHead(r: { fingerprint: string | number; t: string | number; start: string | number }): {
  fingerprint: string;
  t: number;
  start: number;
} {
  return { fingerprint: String(r.fingerprint), t: toNumber(r.t), start: toNumber(r.start) };
}

/** Raw point table and hourly / daily rollups of a metric type, for the query planner. */
function plannedTables(type: MetricPointType, rollup: RollupName): SignalTables {
  return metricTables(type, rollup);
}

/** The chosen series of one metric (the tenant filter comes with each table's query; raw and rollup tables name these columns alike). */
const SERIES_WHERE = `${P.MetricName} = {metric:String} AND ${P.Fingerprint} IN (SELECT toUInt64(arrayJoin({fps:Array(String)})))`;

/**
 * Raw points that carry a value: a point flagged "no recorded value" (a Prometheus staleness
 * marker, migration 0014) ends a series for PromQL and is no sample here, as in the rollups.
 */
const RECORDED = `bitAnd(Flags, 1) = 0`;

/** The chosen series at a plan segment's resolution. */
const seriesWhere = (source: 'raw' | 'hourly' | 'daily') =>
  source === 'raw' ? `${SERIES_WHERE} AND ${RECORDED}` : SERIES_WHERE;

const POINTS_WHERE = `${TENANT_COLUMN} = {tenant:String} AND ${SERIES_WHERE} AND ${RECORDED}
  AND ${P.Time} >= fromUnixTimestamp64Nano({fromNs:Int64}) AND ${P.Time} <= fromUnixTimestamp64Nano({toNs:Int64})`;

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

export interface SeriesScope {
  tenant: string;
  metric: string;
  fingerprints: string[];
}

export interface PointsScope extends SeriesScope, TimeRange {}

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
    return this.ch.select<MetricDto>(
      `SELECT ${M.MetricName} AS name, ${M.MetricType} AS type, any(${M.Unit}) AS unit, any(${M.Description}) AS description
       FROM ${RAW_TABLES.metricSeries} WHERE ${TENANT_COLUMN} = {tenant:String}
       GROUP BY ${M.MetricName}, ${M.MetricType}
       HAVING ${SEEN_IN_RANGE}
       ORDER BY name, type
       LIMIT {limit:UInt32}`,
      { tenant, fromNs: range.fromNs, toNs: range.toNs, limit },
    );
  }

  /** Series of one metric seen in the range whose attributes (or else resource attributes) match every filter. */
  async findSeries(
    tenant: string,
    metric: string,
    filters: LabelFilter[],
    range: TimeRange,
    limit: number,
  ): Promise<SeriesRow[]> {
    const matched = allOf(filters.map(metricLabelFilter));
    const params: Record<string, unknown> = {
      tenant,
      metric,
      fromNs: range.fromNs,
      toNs: range.toNs,
      limit,
      ...matched.params,
    };
    const where = [
      `${TENANT_COLUMN} = {tenant:String}`,
      `${M.MetricName} = {metric:String}`,
      ...(filters.length > 0 ? [matched.sql] : []),
    ];
    const rows = await this.ch.select<
      Omit<SeriesRow, 'monotonic' | 'temporality'> & { monotonic: boolean | number; temporality: number | string }
    >(
      `SELECT toString(${M.Fingerprint}) AS fingerprint, any(${M.MetricType}) AS type, any(${M.Temporality}) AS temporality,
              any(${M.IsMonotonic}) AS monotonic, any(${M.Attributes}) AS attributes, any(${M.ResourceAttributes}) AS resource
       FROM ${RAW_TABLES.metricSeries}
       WHERE ${where.join(' AND ')}
       GROUP BY ${M.Fingerprint}
       HAVING ${SEEN_IN_RANGE}
       ORDER BY ${M.Fingerprint}
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
    const tables = plannedTables(type, 'metricValue');
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `${P.Fingerprint}, ${stepBucket(s, tables)} AS bucket, ${
        s === 'raw'
          ? `sum(${P.Value}) AS sum, count() AS count, min(${P.Value}) AS min, max(${P.Value}) AS max, argMaxState(${P.Value}, ${P.Time}) AS last,
             countIf(isNotNull(${P.IntValue})) AS ints, min(${P.IntValue}) AS imin, max(${P.IntValue}) AS imax, argMaxState(ifNull(${P.IntValue}, 0), ${P.Time}) AS ilast`
          : `sum(${R.Sum}) AS sum, sum(${R.Count}) AS count, min(${R.Min}) AS min, max(${R.Max}) AS max, argMaxMergeState(${R.Last}) AS last,
             sum(${R.IntCount}) AS ints, min(${R.IntMin}) AS imin, max(${R.IntMax}) AS imax, argMaxMergeState(${R.IntLast}) AS ilast`
      }`,
      where: seriesWhere(s),
      groupBy: `${P.Fingerprint}, bucket`,
    }));
    const rows = await this.ch.select<
      Record<'fingerprint' | 'bucket' | 'sum' | 'count' | 'min' | 'max' | 'last' | 'ints', string | number> &
        Record<'imin' | 'imax' | 'ilast', string | null>
    >(
      `SELECT toString(${P.Fingerprint}) AS fingerprint, bucket, sum(sum) AS sum, sum(count) AS count, min(min) AS min, max(max) AS max, argMaxMerge(last) AS last,
              sum(ints) AS ints, toString(min(imin)) AS imin, toString(max(imax)) AS imax, toString(argMaxMerge(ilast)) AS ilast
       FROM (${union})
       GROUP BY ${P.Fingerprint}, bucket`,
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
  async counterRollups(
    scope: SeriesScope,
    plan: QueryPlan,
  ): Promise<(CounterRollup & { fingerprint: string; sum: number })[]> {
    const rollups = rollupPart(plan);
    if (rollups.segments.length === 0) return [];
    const tables = plannedTables('sum', 'metricValue');
    const { union, params } = plannedUnion(rollups, tables, (s) => {
      const time = tables[s].time;
      const length = s === 'hourly' ? 3_600_000 : 86_400_000;
      return {
        select: `toString(${R.Fingerprint}) AS fingerprint, toInt64(toUnixTimestamp(${time})) * 1000 AS t, t + ${length} AS endT,
                 argMinMerge(${R.First}) AS first, argMaxMerge(${R.Last}) AS last, min(${R.Min}) AS min, max(${R.Max}) AS max, sum(${R.Sum}) AS sum`,
        where: seriesWhere(s),
        groupBy: `${R.Fingerprint}, ${time}`,
      };
    });
    const rows = await this.ch.select<Record<string, string | number>>(`SELECT * FROM (${union})`, {
      ...params,
      tenant: scope.tenant,
      metric: scope.metric,
      fps: scope.fingerprints,
    });
    return rows.map((r) => ({
      fingerprint: String(r.fingerprint),
      t: toNumber(r.t!),
      endT: toNumber(r.endT!),
      first: toNumber(r.first!),
      last: toNumber(r.last!),
      min: toNumber(r.min!),
      max: toNumber(r.max!),
      sum: toNumber(r.sum!),
    }));
  }

  /** Raw sum points (for rates), oldest first; at most `limit` (callers pass cap + 1). */
  async sumPoints(scope: PointsScope, limit: number): Promise<RawPoint[]> {
    const rows = await this.pointRows<Record<keyof RawPoint, string | number>>(
      POINT_TABLES.sum,
      `${P.Value} AS value, ${P.Temporality} AS temporality`,
      scope,
      limit,
    );
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
  async distributionPoints(
    type: DistributionType,
    scope: SeriesScope,
    plan: QueryPlan,
    limit: number,
  ): Promise<RawDistributionPoint[]> {
    const columns = DISTRIBUTION_COLUMNS[type];
    const rows = await this.plannedPoints<{
      fingerprint: string;
      t: string;
      start: string;
      count: string;
      sum: number | null;
      bounds: number[];
      counts: string[];
      min: number | null;
      max: number | null;
      temporality: number;
    }>(type, CUMULATIVE_ROLLUPS[type], columns, scope, plan, limit);
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
      fingerprint: string;
      t: string;
      start: string;
      count: string;
      sum: number | null;
      min: number | null;
      max: number | null;
      scale: number;
      zeroCount: string;
      zeroThreshold: number;
      posOffset: number;
      posCounts: string[];
      negOffset: number;
      negCounts: string[];
      temporality: number;
    }>('exponential_histogram', CUMULATIVE_ROLLUPS.exponential_histogram, EXP_BUCKET_COLUMNS, scope, plan, limit);
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
    const tables = plannedTables('exponential_histogram', 'expHistogramScaled');
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `${P.Fingerprint}, ${stepBucket(s, tables)} AS bucket, ${P.Scale}, ${s === 'raw' ? RAW_SCALED_EXP : ROLLUP_SCALED_EXP}`,
      where: s === 'raw' ? `${seriesWhere(s)} AND ${P.Temporality} = 1` : SERIES_WHERE,
      groupBy: `${P.Fingerprint}, bucket, ${P.Scale}`,
    }));
    const rows = await this.ch.select<{
      fingerprint: string;
      bucket: string | number;
      scale: number;
      zeroCount: string;
      zeroThreshold: number;
      min: number | null;
      max: number | null;
      minMissing: string;
      maxMissing: string;
      positive: [number[], string[]];
      negative: [number[], string[]];
    }>(
      `SELECT toString(${P.Fingerprint}) AS fingerprint, bucket, ${P.Scale} AS scale, sum(zero) AS zeroCount, max(threshold) AS zeroThreshold,
              min(min) AS min, max(max) AS max, sum(noMin) AS minMissing, sum(noMax) AS maxMissing, sumMap(pos) AS positive, sumMap(neg) AS negative
       FROM (${union}) GROUP BY ${P.Fingerprint}, bucket, ${P.Scale}`,
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
  async distributionExtremes(
    type: 'histogram' | 'exponential_histogram',
    scope: SeriesScope,
    plan: QueryPlan,
    stepMs: number,
  ): Promise<ExtremesRow[]> {
    const tables = plannedTables(type, type === 'histogram' ? 'histogram' : 'expHistogram');
    // Raw points and rollup rows both have Min and Max columns: the same partial aggregate.
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `${P.Fingerprint}, ${stepBucket(s, tables)} AS bucket, min(${P.Min}) AS min, max(${P.Max}) AS max`,
      where: seriesWhere(s),
      groupBy: `${P.Fingerprint}, bucket`,
    }));
    const rows = await this.ch.select<{
      fingerprint: string;
      bucket: string | number;
      min: number | null;
      max: number | null;
    }>(
      `SELECT toString(${P.Fingerprint}) AS fingerprint, bucket, min(min) AS min, max(max) AS max FROM (${union}) GROUP BY ${P.Fingerprint}, bucket`,
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
  async distributionTotals(
    type: 'histogram' | 'exponential_histogram',
    scope: SeriesScope,
    plan: QueryPlan,
    stepMs: number,
  ): Promise<TotalsRow[]> {
    const tables = plannedTables(type, type === 'histogram' ? 'histogram' : 'expHistogram');
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `${P.Fingerprint}, ${stepBucket(s, tables)} AS bucket, sum(${P.Count}) AS count, ${s === 'raw' ? `sum(ifNull(${P.Sum}, 0))` : `sum(${R.Sum})`} AS sum`,
      where: seriesWhere(s),
      groupBy: `${P.Fingerprint}, bucket`,
    }));
    const rows = await this.ch.select<{
      fingerprint: string;
      bucket: string | number;
      count: string | number;
      sum: number;
    }>(
      `SELECT toString(${P.Fingerprint}) AS fingerprint, bucket, sum(count) AS count, sum(sum) AS sum FROM (${union}) GROUP BY ${P.Fingerprint}, bucket`,
      { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, stepMs },
    );
    return rows.map((r) => ({
      fingerprint: String(r.fingerprint),
      bucket: toNumber(r.bucket),
      count: toNumber(r.count),
      sum: toNumber(r.sum),
    }));
  }

  /**
   * Delta histograms' bucket counts per series and step, summed per upper bound (raw points
   * and the rollups' `Buckets` add up the same way), with the step's extremes and how many
   * points lacked them (rollups count those since migration 0013).
   */
  async distributionBuckets(scope: SeriesScope, plan: QueryPlan, stepMs: number): Promise<BucketsRow[]> {
    const tables = plannedTables('histogram', 'histogram');
    const { union, params } = plannedUnion(plan, tables, (s) => ({
      select: `${P.Fingerprint}, ${stepBucket(s, tables)} AS bucket, ${
        s === 'raw'
          ? `sumMap(arrayPushBack(${P.ExplicitBounds}, inf), ${P.BucketCounts}) AS buckets, countIf(isNull(${P.Min})) AS noMin, countIf(isNull(${P.Max})) AS noMax`
          : `sumMap(${R.Buckets}) AS buckets, sum(${R.MinMissing}) AS noMin, sum(${R.MaxMissing}) AS noMax`
      }, min(${P.Min}) AS min, max(${P.Max}) AS max`,
      where: seriesWhere(s),
      groupBy: `${P.Fingerprint}, bucket`,
    }));
    const rows = await this.ch.select<{
      fingerprint: string;
      bucket: string | number;
      bounds: number[];
      counts: (string | number)[];
      min: number | null;
      max: number | null;
      noMin: string;
      noMax: string;
    }>(
      // JSON carries no infinity: the +Inf key (always last) is dropped from the bounds, its count kept.
      `SELECT toString(${P.Fingerprint}) AS fingerprint, bucket, sumMap(buckets) AS merged, arrayFilter(b -> isFinite(b), merged.1) AS bounds, merged.2 AS counts,
              min(min) AS min, max(max) AS max, sum(noMin) AS noMin, sum(noMax) AS noMax
       FROM (${union}) GROUP BY ${P.Fingerprint}, bucket`,
      { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, stepMs },
    );
    return rows.map((r) => {
      const counts = r.counts.map(toNumber);
      if (counts.length === r.bounds.length) counts.push(0);
      return {
        fingerprint: String(r.fingerprint),
        bucket: toNumber(r.bucket),
        bounds: r.bounds.map(Number),
        counts,
        min: r.min === null || toNumber(r.noMin) > 0 ? null : toNumber(r.min),
        max: r.max === null || toNumber(r.noMax) > 0 ? null : toNumber(r.max),
      };
    });
  }

  /**
   * Raw points of the plan's raw segments from the point table of `type`, plus the points
   * kept by the cumulative rollup `rollup` for its hourly and daily segments, oldest first
   * per series; at most `limit` in all.
   */
  private async plannedPoints<Row>(
    type: MetricPointType,
    rollup: RollupName,
    columns: PointColumns,
    scope: SeriesScope,
    plan: QueryPlan,
    limit: number,
  ): Promise<Row[]> {
    const out: Row[] = [];
    for (const seg of plan.segments.filter((s) => s.source === 'raw')) {
      out.push(
        ...(await this.pointRows<Row>(
          POINT_TABLES[type],
          columns.raw,
          { ...scope, fromNs: seg.fromNs, toNs: seg.toNs - 1n },
          limit - out.length,
        )),
      );
      if (out.length >= limit) return out;
    }
    const rollups = rollupPart(plan);
    if (rollups.segments.length === 0) return out;
    const tables = plannedTables(type, rollup);
    const { union, params } = plannedUnion(rollups, tables, (s) => ({
      select: `${R.Fingerprint}, ${R.StartTime}, argMinMerge(${R.First}) AS first, argMaxMerge(${R.Last}) AS last, argMaxMerge(${R.Peak}) AS peak${columns.rollupAggregates ? `, ${columns.rollupAggregates}` : ''}`,
      where: seriesWhere(s),
      groupBy: `${R.Fingerprint}, ${tables[s].time}, ${R.StartTime}`,
    }));
    out.push(
      ...(await this.ch.select<Row>(
        `SELECT toString(${R.Fingerprint}) AS fingerprint, toUnixTimestamp64Milli(p.${K.Time}) AS t, toUnixTimestamp64Milli(${R.StartTime}) AS start, ${columns.rollup}
       FROM (${union}) ARRAY JOIN arrayDistinct([first, peak, last]) AS p
       ORDER BY ${R.Fingerprint}, t
       LIMIT {limit:UInt32}`,
        { ...params, tenant: scope.tenant, metric: scope.metric, fps: scope.fingerprints, limit: limit - out.length },
      )),
    );
    return out;
  }

  /**
   * Raw points of the scope's series from one point table (a constant name), oldest first
   * per series, at most `limit`; `columns` are selected after the common head.
   */
  private pointRows<Row>(table: string, columns: string, scope: PointsScope, limit: number): Promise<Row[]> {
    return this.ch.select<Row>(
      `SELECT ${POINT_HEAD}, ${columns}
       FROM ${table} WHERE ${POINTS_WHERE}
       ORDER BY ${P.Fingerprint}, ${P.Time}
       LIMIT {limit:UInt32}`,
      this.scopeParams(scope, { limit }),
    );
  }

  private scopeParams(s: PointsScope, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { tenant: s.tenant, metric: s.metric, fps: s.fingerprints, fromNs: s.fromNs, toNs: s.toNs, ...extra };
  }
}
