// Test fixtures against real services: a throwaway Postgres database per test file and
// an embedded ClickHouse with its own temporary data directory.
import { Readable } from 'node:stream';
import { createClickHouse, migrate, migrationsComplete, type ClickHouseClient } from '@telemetryflow/clickhouse';
import {
  createApiKey,
  createTenant,
  openControlPlane,
  type ControlPlane,
  type ControlPlaneConfig,
} from '@telemetryflow/identity';
import { startQueryServer, type QueryServer, type QueryServerConfig } from '../src/app/index.js';
import { DASHBOARDS_FEATURE, SAVED_SEARCHES_FEATURE } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '@telemetryflow/identity/test-helpers';

export { ADMIN_URL, createTestDatabase, tempDir, type TestDatabase } from '@telemetryflow/identity/test-helpers';

export async function startClickHouse(dataDir: string): Promise<ClickHouseClient> {
  const client = await createClickHouse({ dataDir });
  await migrate(client);
  return client;
}

/** Inserts rows by column name; a column missing from a row (null) takes its default. */
export async function insertRows(
  client: ClickHouseClient,
  table: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const body =
    rows.map((r) => JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])))).join('\n') + '\n';
  await client.exec({
    query: `INSERT INTO ${table} (${columns.join(', ')}) SETTINGS async_insert = 0 FORMAT JSONEachRow`,
    values: Readable.from([body]),
  });
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Untyped JSON for assertions on ad-hoc shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function call<T = Json>(
  base: string,
  path: string,
  opts: { key?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method: opts.method ?? 'GET',
    headers,
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The stores and the query API of one test file; tenant `default` (bootstrap key) and `beta`. */
export interface TestApi {
  db: TestDatabase;
  ch: ClickHouseClient;
  cp: ControlPlane;
  server: QueryServer;
  /** A read-only key of tenant `beta`. */
  betaKey: string;
  close(): Promise<void>;
}

/** Starts Postgres, ClickHouse (data put in by `load` before the API starts) and the API. */
export async function startTestApi(
  dataDir: string,
  bootstrapKey: string,
  load: (ch: ClickHouseClient) => Promise<void>,
  serverOptions: Partial<QueryServerConfig> = {},
  controlPlaneOptions: Pick<ControlPlaneConfig, 'auth'> = {},
): Promise<TestApi> {
  const db = await createTestDatabase();
  const ch = await startClickHouse(dataDir);
  const cp = await openControlPlane({
    databaseUrl: db.url,
    dataDir,
    bootstrap: { apiKey: bootstrapKey },
    features: [DASHBOARDS_FEATURE, SAVED_SEARCHES_FEATURE],
    ...controlPlaneOptions,
  });
  await createTenant(cp.dataSource, { id: 'beta', name: 'Beta' });
  const betaKey = (await createApiKey(cp.dataSource, { tenantId: 'beta', name: 'reader', scopes: ['read'] })).key;
  await load(ch);
  const server = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: ch,
    controlPlane: cp,
    clickhouseMigrated: () => migrationsComplete(ch),
    ...serverOptions,
  });
  return {
    db,
    ch,
    cp,
    server,
    betaKey,
    async close() {
      await server.close();
      await cp.close();
      await ch.close();
      await db.drop();
    },
  };
}
