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
