import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { isolatedQueries, type EngineConnection } from './isolated-queries.js';

export type { ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseConfig {
  /** `CLICKHOUSE_URL`; unset → the embedded engine. */
  url?: string | undefined;
  /** Root of the all-in-one's data; the embedded engine keeps its files in `<dataDir>/clickhouse`. */
  dataDir: string;
  /** Maximum time a query may run on a server connection. */
  requestTimeoutMs?: number;
  /**
   * `TF_CLICKHOUSE_CLUSTER`: the server is a node of this cluster; migrations create
   * replicated local tables behind Distributed ones (see cluster-ddl.ts).
   */
  cluster?: string | undefined;
}

/** Settings every session gets: 64-bit integers as JSON strings (nanosecond timestamps stay exact). */
const SESSION_SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

/**
 * One `@clickhouse/client` for both deployments: a ClickHouse server when a URL is
 * given, otherwise the in-process engine (`chdb`) bound to this process's data dir.
 */
export async function createClickHouse(config: ClickHouseConfig): Promise<ClickHouseClient> {
  if (config.url) {
    const client = createClient({
      url: config.url,
      request_timeout: config.requestTimeoutMs ?? 60_000,
      clickhouse_settings: SESSION_SETTINGS,
      compression: { request: false, response: true },
    });
    if (config.cluster) clusters.set(client, config.cluster);
    return client;
  }
  if (config.cluster)
    throw new Error('a ClickHouse cluster needs CLICKHOUSE_URL: the embedded engine is a single node');
  const path = join(config.dataDir, 'clickhouse');
  mkdirSync(path, { recursive: true });
  // chdb is optional at install time for server-only images; load it only when needed.
  const { createChdbConnection } = await import('chdb/connection');
  // chdb types its Connection against @clickhouse/client-common, which the client now
  // bundles under another path; the shapes are the same contract.
  const connection = createChdbConnection({ path }) as unknown as EngineConnection;
  const client = createClient({
    connection: isolatedQueries(connection),
    clickhouse_settings: SESSION_SETTINGS,
  });
  embeddedClients.set(client, { spoolDir: spoolDirectory(config.dataDir) });
  return client;
}

interface EmbeddedInfo {
  /** Where RowBinary inserts are staged as files for the engine to read. */
  spoolDir: string;
}

const embeddedClients = new WeakMap<ClickHouseClient, EmbeddedInfo>();
const clusters = new WeakMap<ClickHouseClient, string>();

/** The cluster a client's server belongs to, when migrations must place tables on it. */
export function clusterOf(client: ClickHouseClient): string | undefined {
  return clusters.get(client);
}

/**
 * Inserts are staged under the data dir, which this process owns (the engine binds one
 * process to it); files a crash left behind are removed at start.
 */
function spoolDirectory(dataDir: string): string {
  const dir = join(dataDir, 'insert-spool');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The embedded engine's details, or undefined for a server connection. */
export function embeddedInfo(client: ClickHouseClient): EmbeddedInfo | undefined {
  return embeddedClients.get(client);
}
