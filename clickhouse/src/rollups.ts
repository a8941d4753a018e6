import type { ClickHouseClient } from '@clickhouse/client';
import { clusterOf } from './client.js';
import { onCluster } from './cluster-ddl.js';
import { ROLLUP_TABLES as T, TIME_COLUMNS } from './read-catalog.js';

/**
 * Each rollup: its hourly table, the materialized views that fill it from raw tables, and
 * the tables filled from it by cascade views (daily; per service) — migrations 0006–0008, 0011.
 * Table names come from the read catalog; the views are this module's own.
 */
export const ROLLUPS = [
  {
    hourly: T.spanRed.hourly,
    views: ['spans_red_hourly_mv'],
    cascaded: [T.spanRed.daily, T.serviceRed.hourly, T.serviceRed.daily],
  },
  { hourly: T.logVolume.hourly, views: ['logs_volume_hourly_mv'], cascaded: [T.logVolume.daily] },
  {
    hourly: T.metricValue.hourly,
    views: ['metrics_value_hourly_gauge_mv', 'metrics_value_hourly_sum_mv'],
    cascaded: [T.metricValue.daily],
  },
  { hourly: T.histogram.hourly, views: ['metrics_histogram_hourly_mv'], cascaded: [T.histogram.daily] },
  { hourly: T.expHistogram.hourly, views: ['metrics_exp_histogram_hourly_mv'], cascaded: [T.expHistogram.daily] },
  { hourly: T.summary.hourly, views: ['metrics_summary_hourly_mv'], cascaded: [T.summary.daily] },
  {
    hourly: T.histogramCumulative.hourly,
    views: ['metrics_histogram_cumulative_hourly_mv'],
    cascaded: [T.histogramCumulative.daily],
  },
  {
    hourly: T.expHistogramCumulative.hourly,
    views: ['metrics_exp_histogram_cumulative_hourly_mv'],
    cascaded: [T.expHistogramCumulative.daily],
  },
  {
    hourly: T.expHistogramScaled.hourly,
    views: ['metrics_exp_histogram_scaled_hourly_mv'],
    cascaded: [T.expHistogramScaled.daily],
  },
  {
    hourly: T.summaryCumulative.hourly,
    views: ['metrics_summary_cumulative_hourly_mv'],
    cascaded: [T.summaryCumulative.daily],
  },
] as const;

export type Rollup = (typeof ROLLUPS)[number];

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
 * the hourly table, whose insert fills the cascaded tables through their views. The metric
 * daily views (0019) take only days before their table's watermark; later days are rolled
 * from the rebuilt hourly rows by the daily rollup job (daily-rollups.ts), as on ingest. The
 * metric hourly views (0022) likewise take only hours before their watermark: later hours
 * have no rows yet and are rolled from raw points by the hourly rollup job (hourly-rollups.ts).
 * Running it twice gives the same rows. Rows ingested into the range while it runs may be counted
 * twice or not at all: backfill ranges that no longer receive data.
 */
export async function backfillRollups(
  client: ClickHouseClient,
  req: BackfillRequest,
): Promise<{ fromMs: number; toMs: number }> {
  const days = backfillDays(req.fromMs, req.toMs);
  const params = { from: days.fromMs / 1000, to: days.toMs / 1000, tenant: req.tenant ?? '' };
  const cluster = clusterOf(client);
  for (const rollup of ROLLUPS) {
    const views = await Promise.all(rollup.views.map((v) => viewQuery(client, v)));
    const statements = backfillStatements(rollup, {
      views,
      columns: await viewColumns(client, rollup.hourly),
      tenant: req.tenant !== undefined,
      cluster,
    });
    for (const query of statements) await client.command({ query, query_params: params });
  }
  return days;
}

export interface BackfillSql {
  /** Each view's stored SELECT (`system.tables.as_select`), in the order of `rollup.views`. */
  views: readonly string[];
  /** Columns of the hourly table the views write. */
  columns: readonly string[];
  /** Whether to limit the rebuild to `{tenant:String}`. */
  tenant: boolean;
  /** TF_CLICKHOUSE_CLUSTER, when the schema lives on a cluster (cluster-ddl.ts). */
  cluster?: string | undefined;
}

/**
 * Pure: the statements that rebuild one rollup for `[{from:UInt32}, {to:UInt32})`.
 * On a cluster the deletes run ON CLUSTER on every shard's `_local` tables, and the views'
 * queries read the Distributed raw tables instead of their shard's `_local` one, so every
 * shard's raw rows are aggregated; the result goes through the Distributed hourly table to
 * the shards (synchronously), whose local cascade views fill the daily tables. A series'
 * rows of one hour may then sit on two shards; every read merges them, as it merges shards.
 */
export function backfillStatements(rollup: Rollup, sql: BackfillSql): string[] {
  const range = (time: string) =>
    `${time} >= toDateTime({from:UInt32}, 'UTC') AND ${time} < toDateTime({to:UInt32}, 'UTC')${sql.tenant ? ' AND TenantId = {tenant:String}' : ''}`;
  const local = sql.cluster ? (t: string) => `${t}_local${onCluster(sql.cluster)}` : (t: string) => t;
  const deletes = [...rollup.cascaded, rollup.hourly].map(
    (table) =>
      `ALTER TABLE ${local(table)} DELETE WHERE ${range(table.endsWith('_daily') ? TIME_COLUMNS.daily : TIME_COLUMNS.hourly)} SETTINGS mutations_sync = 2`,
  );
  // insert_deduplicate = 0: a rebuilt block equal to an earlier one must land, not be dropped as a retry.
  const settings = [
    'async_insert = 0',
    'insert_deduplicate = 0',
    'throw_on_max_partitions_per_insert_block = 0',
    ...(sql.cluster ? ['distributed_foreground_insert = 1'] : []),
  ];
  const columns = sql.columns.join(', ');
  // The range and tenant filter the view's grouped output by its keys; ClickHouse pushes
  // them down to the raw table's scan.
  const inserts = sql.views.map(
    (select) => `INSERT INTO ${rollup.hourly} (${columns}) SETTINGS ${settings.join(', ')}
SELECT ${columns} FROM (${sql.cluster ? distributedSources(select) : select}) WHERE ${range(TIME_COLUMNS.hourly)}`,
  );
  return [...deletes, ...inserts];
}

/** A view query of a cluster node with its shard-local sources replaced by the Distributed tables over them. */
function distributedSources(select: string): string {
  return select.replace(/\b(FROM|JOIN)\s+((?:`?\w+`?\.)?`?)(\w+)_local\b/g, '$1 $2$3');
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
