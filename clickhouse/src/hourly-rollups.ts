// Hourly metric rollups built from closed hours (migration 0022; ADR 0027). Each hourly
// table is filled by one INSERT … SELECT per closed hour, from the raw points, with the
// aggregate states its views computed on every insert; the views now take only late points
// (hours before the table's watermark in `rollup_watermarks`). The query planner reads
// hourly rows only before the watermark and raw points after it.
import type { ClickHouseClient } from '@clickhouse/client';
import { clusterOf } from './client.js';
import { ROLLUP_TABLES as T, TIME_COLUMNS } from './read-catalog.js';
import {
  advanceWatermark,
  closedPeriodInsertSettings,
  readWatermarks,
  type ClosedPeriodOptions,
  type ClosedPeriodPass,
} from './rollup-watermarks.js';

/** A raw table a rollup's view reads, and the points that view skips (its own WHERE). */
export interface RawSource {
  table: string;
  where?: string;
}

/** An hourly table, the raw points its views aggregate, and each column's aggregate (as the 0008/0011/0013/0014 views). */
export interface HourlyRollup {
  hourly: string;
  /** One per view; several are read as one UNION ALL of `columns`. */
  sources: readonly RawSource[];
  /** The raw columns the aggregates read, when there are several sources. */
  columns?: readonly string[];
  /** A key column besides tenant, metric, series and hour (cumulative rollups: StartTime; scaled: Scale). */
  extraKey?: string;
  /** Column → aggregate of the raw points, written exactly as the view's. */
  aggregates: Readonly<Record<string, string>>;
}

// The views' select lists, with the columns they shadow by alias qualified as there.
const HISTOGRAM_POINT =
  'CAST((metrics_histogram.Count, ifNull(metrics_histogram.Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)))';
const SUMMARY_POINT =
  'CAST((metrics_summary.Count, metrics_summary.Sum, Quantiles, QuantileValues) AS Tuple(Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)))';
const CUMULATIVE_HISTOGRAM_POINT =
  'CAST((Time, metrics_histogram.Count, ifNull(metrics_histogram.Sum, 0), ExplicitBounds, BucketCounts) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Bounds Array(Float64), Counts Array(UInt64)))';
const CUMULATIVE_EXP_HISTOGRAM_POINT =
  'CAST((Time, Count, ifNull(Sum, 0), Min, Max, Scale, ZeroCount, ZeroThreshold, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Min Nullable(Float64), Max Nullable(Float64), Scale Int32, ZeroCount UInt64, ZeroThreshold Float64, PositiveOffset Int32, Positive Array(UInt64), NegativeOffset Int32, Negative Array(UInt64)))';
const CUMULATIVE_SUMMARY_POINT =
  'CAST((Time, metrics_summary.Count, metrics_summary.Sum, Quantiles, QuantileValues) AS Tuple(Time DateTime64(9), Count UInt64, Sum Float64, Quantiles Array(Float64), Values Array(Float64)))';
const kept = (point: string, count: string) => ({
  First: `argMinState(${point}, Time)`,
  Last: `argMaxState(${point}, Time)`,
  Peak: `argMaxState(${point}, (${count}, Time))`,
});
const toScale4 = (offset: string) =>
  `arrayMap(i -> toInt32(if(Scale >= 4, bitShiftRight(toInt64(${offset}Offset) + i - 1, Scale - 4), bitShiftLeft(toInt64(${offset}Offset) + i - 1, 4 - Scale))), arrayEnumerate(${offset}BucketCounts))`;
const RECORDED_VALUE = 'bitAnd(Flags, 1) = 0';

/** Every metric hourly table: the job rolls each, and metric queries read hourly rows before the lowest watermark. */
export const HOURLY_ROLLUPS: readonly HourlyRollup[] = [
  {
    hourly: T.metricValue.hourly,
    sources: [
      { table: 'metrics_gauge', where: RECORDED_VALUE },
      { table: 'metrics_sum', where: RECORDED_VALUE },
    ],
    columns: ['TenantId', 'MetricName', 'Fingerprint', 'Time', 'Value', 'IntValue'],
    aggregates: {
      Min: 'min(Value)',
      Max: 'max(Value)',
      Sum: 'sum(Value)',
      Count: 'count()',
      First: 'argMinState(Value, Time)',
      Last: 'argMaxState(Value, Time)',
      IntCount: 'countIf(isNotNull(IntValue))',
      IntMin: 'min(IntValue)',
      IntMax: 'max(IntValue)',
      IntLast: 'argMaxState(ifNull(IntValue, 0), Time)',
    },
  },
  {
    hourly: T.histogram.hourly,
    sources: [{ table: 'metrics_histogram' }],
    aggregates: {
      Count: 'sum(Count)',
      Sum: 'sum(ifNull(Sum, 0))',
      Min: 'min(Min)',
      Max: 'max(Max)',
      MinMissing: 'countIf(isNull(metrics_histogram.Min))',
      MaxMissing: 'countIf(isNull(metrics_histogram.Max))',
      Buckets: 'sumMap(arrayPushBack(ExplicitBounds, inf), BucketCounts)',
      First: `argMinState(${HISTOGRAM_POINT}, Time)`,
      Last: `argMaxState(${HISTOGRAM_POINT}, Time)`,
    },
  },
  {
    hourly: T.expHistogram.hourly,
    sources: [{ table: 'metrics_exp_histogram' }],
    aggregates: {
      Count: 'sum(Count)',
      Sum: 'sum(ifNull(Sum, 0))',
      Min: 'min(Min)',
      Max: 'max(Max)',
      ZeroCount: 'sum(ZeroCount)',
      Positive: `sumMap(${toScale4('Positive')}, PositiveBucketCounts)`,
      Negative: `sumMap(${toScale4('Negative')}, NegativeBucketCounts)`,
    },
  },
  {
    hourly: T.summary.hourly,
    sources: [{ table: 'metrics_summary' }],
    aggregates: { First: `argMinState(${SUMMARY_POINT}, Time)`, Last: `argMaxState(${SUMMARY_POINT}, Time)` },
  },
  {
    hourly: T.histogramCumulative.hourly,
    sources: [{ table: 'metrics_histogram', where: 'Temporality != 1' }],
    extraKey: 'StartTime',
    aggregates: {
      ...kept(CUMULATIVE_HISTOGRAM_POINT, 'metrics_histogram.Count'),
      Min: 'min(Min)',
      Max: 'max(Max)',
      MinMissing: 'countIf(isNull(metrics_histogram.Min))',
      MaxMissing: 'countIf(isNull(metrics_histogram.Max))',
    },
  },
  {
    hourly: T.expHistogramCumulative.hourly,
    sources: [{ table: 'metrics_exp_histogram', where: 'Temporality != 1' }],
    extraKey: 'StartTime',
    aggregates: kept(CUMULATIVE_EXP_HISTOGRAM_POINT, 'Count'),
  },
  {
    hourly: T.summaryCumulative.hourly,
    sources: [{ table: 'metrics_summary' }],
    extraKey: 'StartTime',
    aggregates: kept(CUMULATIVE_SUMMARY_POINT, 'metrics_summary.Count'),
  },
  {
    hourly: T.expHistogramScaled.hourly,
    sources: [{ table: 'metrics_exp_histogram', where: 'Temporality = 1' }],
    extraKey: 'Scale',
    aggregates: {
      Count: 'sum(Count)',
      Sum: 'sum(ifNull(Sum, 0))',
      Min: 'min(Min)',
      Max: 'max(Max)',
      MinMissing: 'countIf(isNull(metrics_exp_histogram.Min))',
      MaxMissing: 'countIf(isNull(metrics_exp_histogram.Max))',
      ZeroCount: 'sum(ZeroCount)',
      ZeroThreshold: 'max(ZeroThreshold)',
      Positive:
        'sumMap(arrayMap(i -> toInt32(PositiveOffset + i - 1), arrayEnumerate(PositiveBucketCounts)), PositiveBucketCounts)',
      Negative:
        'sumMap(arrayMap(i -> toInt32(NegativeOffset + i - 1), arrayEnumerate(NegativeBucketCounts)), NegativeBucketCounts)',
    },
  },
];

const HOUR_MS = 3_600_000;
const HOUR = TIME_COLUMNS.hourly;
const TIME = TIME_COLUMNS.points;
const IN_HOUR = `${TIME} >= toDateTime({hour:UInt32}, 'UTC') AND ${TIME} < toDateTime({hour:UInt32} + 3600, 'UTC')`;

/**
 * Pure: the statement that rolls one hour of `rollup` from the raw points (`{hour:UInt32}`,
 * epoch seconds of the hour's start). As for a day (daily-rollups.ts), the deduplication
 * token names the table and the hour and the hour is inserted as one block, so a second run
 * of the same hour — a crash before the watermark moved, or another process rolling it at
 * the same time — is dropped by ClickHouse instead of counted twice (within the hourly
 * table's deduplication window: its last 1,000 blocks on one node, Keeper's on a cluster).
 */
export function rollHourStatement(rollup: HourlyRollup, hourStartMs: number, cluster?: string): string {
  if (!Number.isSafeInteger(hourStartMs) || hourStartMs % HOUR_MS !== 0)
    throw new Error(`not a UTC hour start: ${hourStartMs}`);
  const extra = rollup.extraKey ? [rollup.extraKey] : [];
  const keys = ['TenantId', 'MetricName', 'Fingerprint', HOUR, ...extra];
  const select = [
    'TenantId',
    'MetricName',
    'Fingerprint',
    `toStartOfHour(toDateTime(${TIME}, 'UTC')) AS ${HOUR}`,
    ...extra,
    ...Object.values(rollup.aggregates),
  ];
  const settings = closedPeriodInsertSettings(`hourly:${rollup.hourly}:${hourStartMs / 1000}`, cluster);
  const filtered = (s: RawSource) => [IN_HOUR, ...(s.where ? [s.where] : [])].join(' AND ');
  const from =
    rollup.sources.length === 1
      ? `${rollup.sources[0]!.table} WHERE ${filtered(rollup.sources[0]!)}`
      : `(${rollup.sources.map((s) => `SELECT ${(rollup.columns ?? []).join(', ')} FROM ${s.table} WHERE ${filtered(s)}`).join(' UNION ALL ')})`;
  // Aggregates go by position: the views' aliases would shadow the raw columns they read.
  return `INSERT INTO ${rollup.hourly} (${[...keys, ...Object.keys(rollup.aggregates)].join(', ')}) SETTINGS ${settings}
SELECT ${select.join(', ')}
FROM ${from}
GROUP BY TenantId, MetricName, Fingerprint, ${HOUR}${extra.map((k) => `, ${k}`).join('')}`;
}

/**
 * The first hour metric queries may not read from hourly rows: the lowest watermark of the
 * metric hourly tables. Undefined when none is known (before 0022 the views fill every hour).
 */
export function metricsHourlyUntil(watermarks: ReadonlyMap<string, number>): number | undefined {
  const known = HOURLY_ROLLUPS.map((r) => watermarks.get(r.hourly)).filter((w) => w !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}

export type HourlyRollupOptions = ClosedPeriodOptions;
export type HourlyRollupPass = ClosedPeriodPass;

/**
 * Five minutes after an hour ends. Scrapes and OTLP exports arrive within seconds; a point
 * later than this goes through the late-point views (correct, at the views' cost per point).
 */
export const DEFAULT_HOUR_CLOSED_AFTER_MS = 300_000;

/**
 * Rolls every closed hour at or after each table's watermark, oldest first, one hour and one
 * table at a time, moving the table's watermark after each hour. Safe to run from any number
 * of processes at once and again after a crash: an hour's insert is deduplicated by its
 * token, and a watermark only grows.
 */
export async function rollClosedHours(
  client: ClickHouseClient,
  options: HourlyRollupOptions = {},
): Promise<HourlyRollupPass> {
  const closedAfter = options.closedAfterMs ?? DEFAULT_HOUR_CLOSED_AFTER_MS;
  const now = options.now ?? Date.now;
  const cluster = clusterOf(client);
  const watermarks = await readWatermarks(client);
  const rolled: Record<string, number> = {};
  for (const rollup of HOURLY_ROLLUPS) {
    let hour = watermarks.get(rollup.hourly);
    // No watermark: migration 0022 has not run here; the views still fill the table.
    if (hour === undefined) continue;
    rolled[rollup.hourly] = 0;
    while (hour + HOUR_MS + closedAfter <= now()) {
      await client.command({ query: rollHourStatement(rollup, hour, cluster), query_params: { hour: hour / 1000 } });
      hour += HOUR_MS;
      await advanceWatermark(client, rollup.hourly, hour);
      watermarks.set(rollup.hourly, hour);
      rolled[rollup.hourly]!++;
    }
  }
  return { rolled, watermarks };
}
