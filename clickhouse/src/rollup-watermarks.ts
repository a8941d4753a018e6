// `rollup_watermarks` (migrations 0019, 0022): per rollup table the start of the first bucket
// (day or hour) its job has not rolled yet. Every advance inserts a row; readers take the
// maximum, so a watermark only grows, even with several processes rolling at once.
import type { ClickHouseClient } from '@clickhouse/client';
import { clusterOf } from './client.js';

export const WATERMARK_TABLE = 'rollup_watermarks';

/** Each rollup table's watermark (epoch ms of the first bucket not rolled); tables without one are left out. */
export async function readWatermarks(client: ClickHouseClient): Promise<Map<string, number>> {
  const rs = await client.query({
    query: `SELECT DailyTable AS table, toUnixTimestamp(max(RolledUntil)) AS until FROM ${WATERMARK_TABLE} GROUP BY DailyTable`,
    format: 'JSONEachRow',
  });
  return new Map(
    (await rs.json<{ table: string; until: number | string }>()).map((r) => [r.table, Number(r.until) * 1000]),
  );
}

/** Moves `table`'s watermark to `untilMs` (a bucket start); a lower one written concurrently does not win. */
export async function advanceWatermark(client: ClickHouseClient, table: string, untilMs: number): Promise<void> {
  const cluster = clusterOf(client);
  await client.command({
    query: `INSERT INTO ${WATERMARK_TABLE} (DailyTable, RolledUntil) SETTINGS async_insert = 0, insert_deduplicate = 0${cluster ? ', distributed_foreground_insert = 1' : ''}
            VALUES ({table:String}, toDateTime({until:UInt32}, 'UTC'))`,
    query_params: { table, until: untilMs / 1000 },
  });
}

/**
 * The settings of a job's insert of one closed period (an hour or a day) into a rollup table:
 * one block, so a second run of the same period under the same `token` — a crash before the
 * watermark moved, or another process rolling it at the same time — is dropped by ClickHouse
 * instead of counted twice (within the table's deduplication window). `token` is built from a
 * table name and a period start, never request input.
 */
export function closedPeriodInsertSettings(token: string, cluster: string | undefined): string {
  return [
    'async_insert = 0',
    'insert_deduplicate = 1',
    `insert_deduplication_token = '${token}'`,
    'max_threads = 1',
    'max_insert_threads = 1',
    'min_insert_block_size_rows = 1000000000000',
    'min_insert_block_size_bytes = 1000000000000',
    ...(cluster ? ['distributed_foreground_insert = 1'] : []),
  ].join(', ');
}

export interface ClosedPeriodOptions {
  /** A period is closed, and rolled, this long after it ends (points that late go through the late-point views). */
  closedAfterMs?: number;
  /** Epoch ms now (tests move it). */
  now?: () => number;
}

export interface ClosedPeriodPass {
  /** Periods rolled per rollup table in this pass. */
  rolled: Record<string, number>;
  /** Each table's watermark after the pass. */
  watermarks: Map<string, number>;
}
