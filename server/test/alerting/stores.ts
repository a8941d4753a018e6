// Real Postgres (a throwaway database), embedded ClickHouse and the query API with the
// alerting routes, for the alerting integration tests.
import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { migrationsComplete } from '@telemetryflow/clickhouse';
import { createApiKey, createTenant, openControlPlane, type ControlPlane } from '@telemetryflow/identity';
import { createQueryReads, DashboardsRepository, DASHBOARDS_FEATURE, type QueryReads } from '@telemetryflow/query';
import { startQueryServer, type QueryServer } from '@telemetryflow/query/app';
import {
  createTestDatabase,
  insertRows,
  startClickHouse,
  tempDir,
  type TestDatabase,
} from '@telemetryflow/query/test-helpers';
import {
  AddressGuard,
  ALERTING_FEATURE,
  AlertingApiModule,
  ClickHouseConditionReader,
  HttpDelivery,
  parseCidrs,
  TenantConfigModule,
} from '@telemetryflow/alerting';

export { call, type Json } from '@telemetryflow/query/test-helpers';
export { createQueryReads };

export interface AlertingStores {
  db: TestDatabase;
  ch: ClickHouseClient;
  cp: ControlPlane;
  /** The query API's reads over `ch`, default limits (what the server wires into alerting). */
  reads: QueryReads;
  api: QueryServer;
  /** Bootstrap key of tenant `default` (read, write, admin). */
  key: string;
  /** Read-only key of `default`. */
  readKey: string;
  /** Admin key of tenant `beta`. */
  betaKey: string;
  /** Loopback allowed; short backoff. */
  delivery: HttpDelivery;
  /** What `delivery` logged: the details of failed attempts. */
  deliveryLog: string[];
  close(): Promise<void>;
}

export async function startAlertingStores(prefix: string): Promise<AlertingStores> {
  const dir = tempDir(prefix);
  const db = await createTestDatabase();
  const ch = await startClickHouse(dir.path);
  const key = `tf_${randomBytes(16).toString('hex')}`;
  const cp = await openControlPlane({
    databaseUrl: db.url,
    dataDir: dir.path,
    bootstrap: { apiKey: key },
    features: [DASHBOARDS_FEATURE, ALERTING_FEATURE],
  });
  await createTenant(cp.dataSource, { id: 'beta', name: 'Beta' });
  const betaKey = (await createApiKey(cp.dataSource, { tenantId: 'beta', name: 'admin', scopes: ['admin'] })).key;
  const readKey = (await createApiKey(cp.dataSource, { tenantId: 'default', name: 'reader', scopes: ['read'] })).key;
  const reads = createQueryReads(ch);
  const reader = new ClickHouseConditionReader(ch, reads);
  // Tests play Slack, PagerDuty and webhooks on loopback: allowed explicitly, as a self-hoster would.
  const deliveryLog: string[] = [];
  const delivery = new HttpDelivery({
    guard: new AddressGuard(parseCidrs('127.0.0.0/8')),
    baseDelayMs: 10,
    maxDelayMs: 2000,
    requestTimeoutMs: 2000,
    log: (m) => deliveryLog.push(m),
  });
  const api = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: ch,
    controlPlane: cp,
    clickhouseMigrated: () => migrationsComplete(ch),
    modules: [
      AlertingApiModule.forRoot({ controlPlane: cp, clickhouse: ch, reader, reads, delivery }),
      TenantConfigModule.forRoot({
        controlPlane: cp,
        clickhouse: ch,
        reader,
        reads,
        delivery,
        dashboards: new DashboardsRepository(cp),
      }),
    ],
  });
  return {
    db,
    ch,
    cp,
    reads,
    api,
    key,
    readKey,
    betaKey,
    delivery,
    deliveryLog,
    async close() {
      await api.close();
      await delivery.close();
      await cp.close();
      await ch.close();
      await db.drop();
      dir.remove();
    },
  };
}

const NS = 1_000_000n;

/** `n` spans of one service and operation starting at `atMs`, `errors` of them failed. */
export async function insertSpans(
  ch: ClickHouseClient,
  o: {
    tenant?: string;
    service: string;
    name?: string;
    kind?: string;
    parentHex?: string;
    atMs: number;
    n: number;
    errors?: number;
    durMs?: number;
  },
): Promise<void> {
  const rows = Array.from({ length: o.n }, (_, i) => ({
    TenantId: o.tenant ?? 'default',
    TraceIdHex: randomBytes(16).toString('hex'),
    SpanIdHex: randomBytes(8).toString('hex'),
    ServiceName: o.service,
    Name: o.name ?? 'GET /',
    Kind: o.kind ?? 'SPAN_KIND_SERVER',
    ParentSpanIdHex: o.parentHex ?? '',
    StartTimeNs: (BigInt(o.atMs + i) * NS).toString(),
    EndTimeNs: (BigInt(o.atMs + i + (o.durMs ?? 10)) * NS).toString(),
    DurationNs: (BigInt(o.durMs ?? 10) * NS).toString(),
    StatusCode: i < (o.errors ?? 0) ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
  }));
  await insertRows(ch, 'spans', rows);
}

/** Log records of one service at `atMs` (one per body). */
export async function insertLogs(
  ch: ClickHouseClient,
  o: { tenant?: string; service: string; atMs: number; severity: string; bodies: string[] },
): Promise<void> {
  await insertRows(
    ch,
    'logs',
    o.bodies.map((body, i) => ({
      TenantId: o.tenant ?? 'default',
      TimestampNs: (BigInt(o.atMs + i) * NS).toString(),
      ObservedTimestampNs: (BigInt(o.atMs + i) * NS).toString(),
      SeverityText: o.severity,
      SeverityNumber: 17,
      ServiceName: o.service,
      Body: body,
    })),
  );
}

/** One series of a metric last seen at `lastSeenMs`. */
export async function insertSeries(
  ch: ClickHouseClient,
  o: { tenant?: string; metric: string; service: string; fingerprint: string; lastSeenMs: number },
): Promise<void> {
  await insertRows(ch, 'metric_series', [
    {
      TenantId: o.tenant ?? 'default',
      MetricName: o.metric,
      Fingerprint: o.fingerprint,
      MetricType: 'gauge',
      ServiceName: o.service,
      FirstSeenNs: (BigInt(o.lastSeenMs - 60_000) * NS).toString(),
      LastSeenNs: (BigInt(o.lastSeenMs) * NS).toString(),
    },
  ]);
  // Its first and last points: an absence is read from the point tables.
  await insertRows(
    ch,
    'metrics_gauge',
    [o.lastSeenMs - 60_000, o.lastSeenMs].map((ms) => ({
      TenantId: o.tenant ?? 'default',
      MetricName: o.metric,
      Fingerprint: o.fingerprint,
      TimeNs: (BigInt(ms) * NS).toString(),
      Value: 1,
    })),
  );
}
