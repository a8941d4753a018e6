import type { ClickHouseClient } from '@clickhouse/client';
import { clusterOf } from './client.js';

/**
 * Each rollup: its hourly table, the materialized views that fill it from raw tables, and
 * the tables filled from it by cascade views (daily; per service) — migrations 0006–0008.
 */
export const ROLLUPS = [
  { hourly: 'spans_red_hourly', views: ['spans_red_hourly_mv'], cascaded: ['spans_red_daily', 'spans_service_red_hourly', 'spans_service_red_daily'] },
  { hourly: 'logs_volume_hourly', views: ['logs_volume_hourly_mv'], cascaded: ['logs_volume_daily'] },
  { hourly: 'metrics_value_hourly', views: ['metrics_value_hourly_gauge_mv', 'metrics_value_hourly_sum_mv'], cascaded: ['metrics_value_daily'] },
  { hourly: 'metrics_histogram_hourly', views: ['metrics_histogram_hourly_mv'], cascaded: ['metrics_histogram_daily'] },
  { hourly: 'metrics_exp_histogram_hourly', views: ['metrics_exp_histogram_hourly_mv'], cascaded: ['metrics_exp_histogram_daily'] },
  { hourly: 'metrics_summary_hourly', views: ['metrics_summary_hourly_mv'], cascaded: ['metrics_summary_daily'] },
] as const;

export interface BackfillRequest {
  /** Epoch milliseconds; widened to whole UTC days, since daily rows are rebuilt whole. */
  fromMs: number;
  toMs: number;
  /** Only this tenant's rollups; all tenants when absent. */
  tenant?: string;
}

const DAY_MS = 86_400_000;

/** The whole UTC days covering [fromMs, toMs): the range a backfill rebuilds. */
export function backfillDays(fromMs: number, toMs: number): { fromMs: number; toMs: number } {
  if (!(toMs > fromMs)) throw new Error('backfill range is empty: --to must be after --from');
  return { fromMs: Math.floor(fromMs / DAY_MS) * DAY_MS, toMs: Math.ceil(toMs / DAY_MS) * DAY_MS };
}

/**
 * Rebuilds hourly and daily rollups of whole days from raw data: deletes the rollup rows
 * of those days, then runs each view's own query over the raw rows of those hours into
 * the hourly table, whose insert fills the cascaded tables through their views. Running
 * it twice gives the same rows. Rows ingested into the range while it runs may be counted
 * twice or not at all: backfill ranges that no longer receive data.
 */
export async function backfillRollups(client: ClickHouseClient, req: BackfillRequest): Promise<{ fromMs: number; toMs: number }> {
  // On a cluster each shard would have to rebuild its local rollups from its own raw rows.
  if (clusterOf(client)) throw new Error('rollup backfill is not supported on a ClickHouse cluster yet (TF_CLICKHOUSE_CLUSTER is set)');
  const days = backfillDays(req.fromMs, req.toMs);
  const params = { from: days.fromMs / 1000, to: days.toMs / 1000, tenant: req.tenant ?? '' };
  const tenantFilter = req.tenant === undefined ? '' : ' AND TenantId = {tenant:String}';
  for (const rollup of ROLLUPS) {
    for (const table of [...rollup.cascaded, rollup.hourly]) {
      const time = table.endsWith('_daily') ? 'Day' : 'Hour';
      await client.command({
        query: `ALTER TABLE ${table} DELETE WHERE ${time} >= toDateTime({from:UInt32}, 'UTC') AND ${time} < toDateTime({to:UInt32}, 'UTC')${tenantFilter}
                SETTINGS mutations_sync = 2`,
        query_params: params,
      });
    }
    const columns = await viewColumns(client, rollup.hourly);
    for (const view of rollup.views) {
      const select = await viewQuery(client, view);
      // The range and tenant filter the view's grouped output by its keys; ClickHouse
      // pushes them down to the raw table's scan. insert_deduplicate = 0: a rebuilt block
      // equal to an earlier one must land, not be dropped as a retry.
      await client.command({
        query: `INSERT INTO ${rollup.hourly} (${columns.join(', ')})
                SETTINGS async_insert = 0, insert_deduplicate = 0, throw_on_max_partitions_per_insert_block = 0
                SELECT ${columns.join(', ')} FROM (${select})
                WHERE Hour >= toDateTime({from:UInt32}, 'UTC') AND Hour < toDateTime({to:UInt32}, 'UTC')${tenantFilter}`,
        query_params: params,
      });
    }
  }
  return days;
}

/** The SELECT a materialized view runs on each insert, as ClickHouse stored it. */
async function viewQuery(client: ClickHouseClient, view: string): Promise<string> {
  const rs = await client.query({
    query: 'SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = {view:String}',
    query_params: { view },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ as_select: string }>();
  if (!row?.as_select) throw new Error(`materialized view ${view} not found: have the migrations run?`);
  return row.as_select;
}

/** Columns a rollup's views write: all but the ones computed by DEFAULT (RetentionDays). */
async function viewColumns(client: ClickHouseClient, table: string): Promise<string[]> {
  const rs = await client.query({
    query: `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String} AND default_kind = ''
            ORDER BY position`,
    query_params: { table },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ name: string }>()).map((r) => r.name);
}
