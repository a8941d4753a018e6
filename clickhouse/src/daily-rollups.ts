// Daily metric rollups built from closed hours (migration 0019; ADR 0024, "Measured after:
// daily rollups from closed hours"). The hourly tables are still filled by views on every
// insert; each daily table is filled by one INSERT … SELECT per closed day, from its hourly
// table, merging the hourly states as the views did. `rollup_watermarks` holds per daily
// table the first day not yet rolled; the query planner reads daily rows only before it.
import type { ClickHouseClient } from '@clickhouse/client';
import { clusterOf } from './client.js';
import { ROLLUP_TABLES as T, TIME_COLUMNS } from './read-catalog.js';

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

export const WATERMARK_TABLE = 'rollup_watermarks';
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
  const settings = [
    'async_insert = 0',
    'insert_deduplicate = 1',
    `insert_deduplication_token = 'daily:${rollup.daily}:${dayStartMs / 1000}'`,
    'max_threads = 1',
    'max_insert_threads = 1',
    'min_insert_block_size_rows = 1000000000000',
    'min_insert_block_size_bytes = 1000000000000',
    ...(cluster ? ['distributed_foreground_insert = 1'] : []),
  ];
  return `INSERT INTO ${rollup.daily} (${columns.join(', ')}) SETTINGS ${settings.join(', ')}
SELECT ${select.join(', ')}
FROM ${rollup.hourly}
WHERE ${HOUR} >= toDateTime({day:UInt32}, 'UTC') AND ${HOUR} < toDateTime({day:UInt32} + 86400, 'UTC')
GROUP BY ${keys.join(', ')}`;
}

/** Each daily table's watermark (epoch ms of the first day not rolled); tables without one are left out. */
export async function readWatermarks(client: ClickHouseClient): Promise<Map<string, number>> {
  const rs = await client.query({
    query: `SELECT DailyTable AS table, toUnixTimestamp(max(RolledUntil)) AS until FROM ${WATERMARK_TABLE} GROUP BY DailyTable`,
    format: 'JSONEachRow',
  });
  return new Map(
    (await rs.json<{ table: string; until: number | string }>()).map((r) => [r.table, Number(r.until) * 1000]),
  );
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

export interface DailyRollupOptions {
  /** A day is closed, and rolled, this long after it ends (points that late go through the late-data view). */
  closedAfterMs?: number;
  /** Epoch ms now (tests move it). */
  now?: () => number;
  log?: (msg: string) => void;
}

export interface DailyRollupPass {
  /** Days rolled per daily table in this pass. */
  rolled: Record<string, number>;
  /** Each table's watermark after the pass. */
  watermarks: Map<string, number>;
}

/** One hour after a day ends: later points reach the daily table through the late-data views. */
export const DEFAULT_CLOSED_AFTER_MS = 3_600_000;

/**
 * Rolls every closed day at or after each table's watermark, oldest first, one day and one
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
    rolled[rollup.daily] = 0;
    while (day + DAY_MS + closedAfter <= now()) {
      await client.command({ query: rollDayStatement(rollup, day, cluster), query_params: { day: day / 1000 } });
      day += DAY_MS;
      await advanceWatermark(client, rollup.daily, day, cluster);
      watermarks.set(rollup.daily, day);
      rolled[rollup.daily]!++;
    }
  }
  return { rolled, watermarks };
}

async function advanceWatermark(
  client: ClickHouseClient,
  table: string,
  untilMs: number,
  cluster?: string,
): Promise<void> {
  await client.command({
    query: `INSERT INTO ${WATERMARK_TABLE} (DailyTable, RolledUntil) SETTINGS async_insert = 0, insert_deduplicate = 0${cluster ? ', distributed_foreground_insert = 1' : ''}
            VALUES ({table:String}, toDateTime({until:UInt32}, 'UTC'))`,
    query_params: { table, until: untilMs / 1000 },
  });
}

/**
 * Runs `rollClosedDays` now and then every `intervalMs` (default 5 minutes) until closed;
 * a failed pass is logged and retried at the next tick.
 */
export class DailyRollupJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly options: DailyRollupOptions & { intervalMs?: number } = {},
  ) {}

  start(): this {
    this.tick();
    return this;
  }

  /** One pass now (also what the timer runs). */
  async runOnce(): Promise<DailyRollupPass> {
    return rollClosedDays(this.client, this.options);
  }

  private tick(): void {
    if (this.closed) return;
    this.running = this.runOnce()
      .then((pass) => {
        const days = Object.values(pass.rolled).reduce((a, b) => a + b, 0);
        if (days > 0) this.options.log?.(`daily rollups: rolled ${days} table-day(s) from closed hours`);
      })
      .catch((err: unknown) => this.options.log?.(`daily rollups: pass failed, retried next tick: ${String(err)}`))
      .finally(() => {
        this.running = undefined;
        if (!this.closed) this.timer = setTimeout(() => this.tick(), this.options.intervalMs ?? 300_000).unref();
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
