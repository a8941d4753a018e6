import type { ClickHouseClient } from '@clickhouse/client';
import { clusterOf } from './client.js';
import { onCluster } from './cluster-ddl.js';

export const RETENTION_SIGNALS = ['spans', 'logs', 'metrics'] as const;
export type RetentionSignal = (typeof RETENTION_SIGNALS)[number];

/** Days each resolution of one signal of one tenant is kept. */
export interface RetentionPolicy {
  tenantId: string;
  signal: RetentionSignal;
  rawDays: number;
  hourlyDays: number;
  dailyDays: number;
}

const DICTIONARY = 'tenant_retention_dict';

/** The policies ClickHouse holds now (what writers stamp on new rows). */
export async function readRetentionPolicies(client: ClickHouseClient): Promise<RetentionPolicy[]> {
  const rs = await client.query({
    query: `SELECT TenantId AS tenantId, Signal AS signal, RawDays AS rawDays, HourlyDays AS hourlyDays, DailyDays AS dailyDays
            FROM ${DICTIONARY} ORDER BY tenantId, signal`,
    format: 'JSONEachRow',
  });
  return rs.json<RetentionPolicy>();
}

/**
 * Makes ClickHouse follow `policies`: new rows of those tenants get the new retention at
 * once (the dictionary is reloaded), and rows already stored get it by a mutation per
 * table, after which TTL merges delete what expired. `wait` blocks until the mutations
 * are done (tests); otherwise they run in the background.
 */
export async function applyRetentionPolicies(
  client: ClickHouseClient,
  policies: readonly RetentionPolicy[],
  opts: { wait?: boolean } = {},
): Promise<void> {
  if (policies.length === 0) return;
  await client.insert({
    table: 'tenant_retention',
    values: policies.map((p) => ({
      TenantId: p.tenantId,
      Signal: p.signal,
      RawDays: p.rawDays,
      HourlyDays: p.hourlyDays,
      DailyDays: p.dailyDays,
    })),
    format: 'JSONEachRow',
  });
  const cluster = onCluster(clusterOf(client));
  await client.command({ query: `SYSTEM RELOAD DICTIONARY ${DICTIONARY}${cluster}` });
  const tenants = [...new Set(policies.map((p) => p.tenantId))];
  for (const { table, expression } of await retentionColumns(client)) {
    // The expression is the column's own DEFAULT, read from the schema, never from input.
    await client.command({
      query: `ALTER TABLE {table:Identifier}${cluster} UPDATE RetentionDays = ${expression}
              WHERE TenantId IN {tenants:Array(String)} AND RetentionDays != ${expression}
              SETTINGS allow_nondeterministic_mutations = 1, mutations_sync = ${opts.wait ? 2 : 0}`,
      query_params: { table, tenants },
    });
  }
}

/** Every table with a RetentionDays column, and the DEFAULT that computes it. */
async function retentionColumns(client: ClickHouseClient): Promise<{ table: string; expression: string }[]> {
  const rs = await client.query({
    query: `SELECT table, default_expression AS expression FROM system.columns
            WHERE database = currentDatabase() AND name = 'RetentionDays' AND default_kind = 'DEFAULT'
              -- on a cluster, the shards' local tables (a Distributed table holds no rows)
              AND table IN (SELECT name FROM system.tables WHERE database = currentDatabase() AND engine != 'Distributed')
            ORDER BY table`,
    format: 'JSONEachRow',
  });
  return rs.json<{ table: string; expression: string }>();
}
