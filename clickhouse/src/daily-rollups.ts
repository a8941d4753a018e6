// Daily metric rollups built from closed hours (migration 0019; ADR 0024, "Measured after:
// daily rollups from closed hours"). Each daily table is filled by one INSERT … SELECT per
// closed day, from its hourly table (itself rolled from raw points by hourly-rollups.ts once
// an hour is closed, 0022), merging the hourly states as the views did. `rollup_watermarks` holds per daily
// table the first day not yet rolled; the query planner reads daily rows only before it.
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

/** A daily table, the hourly table it is rolled from, and the aggregate each column takes (as the 0008/0011/0013 views). */
export interface DailyRollup {
  daily: string;
  hourly: string;
  /** A key column besides tenant, metric, series and day (cumulative rollups: StartTime; scaled: Scale). */
  extraKey?: string;
  /** Column → merge of the hourly column's values or states. */
  merges: Readonly<Record<string, string>>;
}

const min = (c: string) => `min(${c})`;
const max = (c: string) => `max(${c})`;
const sum = (c: string) => `sum(${c})`;
const KEPT_POINTS = {
  First: 'argMinMergeState(First)',
  Last: 'argMaxMergeState(Last)',
  Peak: 'argMaxMergeState(Peak)',
} as const;

/** Every metric daily table: the job rolls each, and metric queries read daily rows before the lowest watermark. */
export const DAILY_ROLLUPS: readonly DailyRollup[] = [
  {
    ...T.metricValue,
    merges: {
      Min: min('Min'),
      Max: max('Max'),
      Sum: sum('Sum'),
      Count: sum('Count'),
      First: KEPT_POINTS.First,
      Last: KEPT_POINTS.Last,
      IntCount: sum('IntCount'),
      IntMin: min('IntMin'),
      IntMax: max('IntMax'),
      IntLast: 'argMaxMergeState(IntLast)',
    },
  },
  {
    ...T.histogram,
    merges: {
      Count: sum('Count'),
      Sum: sum('Sum'),
      Min: min('Min'),
      Max: max('Max'),
      MinMissing: sum('MinMissing'),
      MaxMissing: sum('MaxMissing'),
      Buckets: 'sumMap(Buckets)',
      First: KEPT_POINTS.First,
      Last: KEPT_POINTS.Last,
    },
  },
  {
    ...T.expHistogram,
    merges: {
      Count: sum('Count'),
      Sum: sum('Sum'),
      Min: min('Min'),
      Max: max('Max'),
      ZeroCount: sum('ZeroCount'),
      Positive: 'sumMap(Positive)',
      Negative: 'sumMap(Negative)',
    },
  },
  { ...T.summary, merges: { First: KEPT_POINTS.First, Last: KEPT_POINTS.Last } },
  {
    ...T.histogramCumulative,
    extraKey: 'StartTime',
    merges: {
      ...KEPT_POINTS,
      Min: min('Min'),
      Max: max('Max'),
      MinMissing: sum('MinMissing'),
      MaxMissing: sum('MaxMissing'),
    },
  },
  { ...T.expHistogramCumulative, extraKey: 'StartTime', merges: KEPT_POINTS },
  { ...T.summaryCumulative, extraKey: 'StartTime', merges: KEPT_POINTS },
  {
    ...T.expHistogramScaled,
    extraKey: 'Scale',
    merges: {
      Count: sum('Count'),
      Sum: sum('Sum'),
      Min: min('Min'),
      Max: max('Max'),
      MinMissing: sum('MinMissing'),
      MaxMissing: sum('MaxMissing'),
      ZeroCount: sum('ZeroCount'),
      ZeroThreshold: max('ZeroThreshold'),
      Positive: 'sumMap(Positive)',
      Negative: 'sumMap(Negative)',
    },
  },
];

const DAY_MS = 86_400_000;
const DAY = TIME_COLUMNS.daily;
const HOUR = TIME_COLUMNS.hourly;

/**
 * Pure: the statement that rolls one day of `rollup` from its hourly rows (`{day:UInt32}`,
 * epoch seconds of the day's start). The deduplication token names the table and the day,
 * and the day is inserted as one block (one thread, squashed whole), so a second run of the
 * same day — a crash before the watermark moved, or another replica rolling it at the same
 * time — is dropped by ClickHouse instead of counted twice (within the daily table's
 * deduplication window: its last 1,000 blocks on one node, Keeper's window on a cluster).
 */
export function rollDayStatement(rollup: DailyRollup, dayStartMs: number, cluster?: string): string {
  if (!Number.isSafeInteger(dayStartMs) || dayStartMs % DAY_MS !== 0)
    throw new Error(`not a UTC day start: ${dayStartMs}`);
  const keys = ['TenantId', 'MetricName', 'Fingerprint', DAY, ...(rollup.extraKey ? [rollup.extraKey] : [])];
  const columns = [...keys, ...Object.keys(rollup.merges)];
  const select = [
    'TenantId',
    'MetricName',
    'Fingerprint',
    `toStartOfDay(${HOUR}) AS ${DAY}`,
    ...(rollup.extraKey ? [rollup.extraKey] : []),
    ...Object.entries(rollup.merges).map(([column, merge]) => `${merge} AS ${column}`),
  ];
  const settings = closedPeriodInsertSettings(`daily:${rollup.daily}:${dayStartMs / 1000}`, cluster);
  return `INSERT INTO ${rollup.daily} (${columns.join(', ')}) SETTINGS ${settings}
SELECT ${select.join(', ')}
FROM ${rollup.hourly}
WHERE ${HOUR} >= toDateTime({day:UInt32}, 'UTC') AND ${HOUR} < toDateTime({day:UInt32} + 86400, 'UTC')
GROUP BY ${keys.join(', ')}`;
}

/**
 * The first day metric queries may not read from daily rows: the lowest watermark of the
 * metric daily tables (a query reads one of them; all move together). 0 when none is known.
 */
export function metricsDailyUntil(watermarks: ReadonlyMap<string, number>): number {
  let until = Infinity;
  for (const r of DAILY_ROLLUPS) until = Math.min(until, watermarks.get(r.daily) ?? 0);
  return until === Infinity ? 0 : until;
}

export type DailyRollupOptions = ClosedPeriodOptions;
export type DailyRollupPass = ClosedPeriodPass;

/** One hour after a day ends: later points reach the daily table through the late-data views. */
export const DEFAULT_CLOSED_AFTER_MS = 3_600_000;

/**
 * Rolls every closed day at or after each table's watermark whose hours are all rolled
 * (before the hourly table's watermark), oldest first, one day and one
 * table at a time, moving the table's watermark after each day. Safe to run from any number
 * of processes at once and again after a crash: a day's insert is deduplicated by its token,
 * and a watermark only grows (readers take the maximum).
 */
export async function rollClosedDays(
  client: ClickHouseClient,
  options: DailyRollupOptions = {},
): Promise<DailyRollupPass> {
  const closedAfter = options.closedAfterMs ?? DEFAULT_CLOSED_AFTER_MS;
  const now = options.now ?? Date.now;
  const cluster = clusterOf(client);
  const watermarks = await readWatermarks(client);
  const rolled: Record<string, number> = {};
  for (const rollup of DAILY_ROLLUPS) {
    let day = watermarks.get(rollup.daily);
    // No watermark: migration 0019 has not run here; the views still fill the table.
    if (day === undefined) continue;
    // A day is rolled from its hourly rows only once all its hours are rolled (0022); no
    // hourly watermark: the hourly views fill every hour on insert.
    const hoursUntil = watermarks.get(rollup.hourly) ?? Infinity;
    rolled[rollup.daily] = 0;
    while (day + DAY_MS + closedAfter <= now() && day + DAY_MS <= hoursUntil) {
      await client.command({ query: rollDayStatement(rollup, day, cluster), query_params: { day: day / 1000 } });
      day += DAY_MS;
      await advanceWatermark(client, rollup.daily, day);
      watermarks.set(rollup.daily, day);
      rolled[rollup.daily]!++;
    }
  }
  return { rolled, watermarks };
}
