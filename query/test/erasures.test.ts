// Erasure jobs against real Postgres and the embedded ClickHouse: a dry run counts exactly
// what matches; the job leaves no matching span, log, metric point, series or rollup row
// (checked through the API and in ClickHouse); another tenant's equal data stays.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { createApiKey, createTenant, openControlPlane, type ControlPlane } from '@telemetryflow/identity';
import { startQueryServer, type QueryServer } from '../src/app/index.js';
import { DASHBOARDS_FEATURE } from '../src/index.js';
import { DATA_JOBS_FEATURE, ExportsModule } from '../src/exports/exports-module.js';
import { call, createTestDatabase, startClickHouse, tempDir, type Json, type TestDatabase } from './helpers.js';

const KEY = 'tf_erasures_test_key_default_001';
const N = 50_000;
const USERS = 1000;
const START = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
const END = START + 3_600_000;
const dir = tempDir('tf-erasures-');
let db: TestDatabase;
let ch: ClickHouseClient;
let cp: ControlPlane;
let server: QueryServer;
let base: string;
let betaAdmin: string;

/** enduser.id u<k> on every USERS-th span and log (k = number % USERS); u7 also as a resource attribute on logs. */
async function load(tenant: string): Promise<void> {
  const params = { tenant, n: N, start: START, users: USERS };
  const t = `toUInt64({start:UInt64} + intDiv(number * 3600000, {n:UInt64})) * 1000000`;
  await ch.command({
    query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode, Attributes)
            SETTINGS async_insert = 0
            SELECT {tenant:String}, concat(leftPad(hex(cityHash64(number, 1)), 16, '0'), leftPad(hex(cityHash64(number, 2)), 16, '0')),
                   lower(hex(number + 1)), 'shop', 'GET /', 'SPAN_KIND_SERVER', ${t}, ${t} + 1000, 1000, 'STATUS_CODE_UNSET',
                   map('enduser.id', concat('u', toString(number % {users:UInt32})))
            FROM numbers({n:UInt64})`,
    query_params: params,
  });
  await ch.command({
    query: `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, SeverityText, SeverityNumber, ServiceName, Body, Attributes, ResourceAttributes)
            SETTINGS async_insert = 0
            SELECT {tenant:String}, ${t}, ${t}, 'INFO', 9, 'shop', concat('line ', toString(number)),
                   map('enduser.id', concat('u', toString(number % {users:UInt32}))), map('enduser.id', if(number % 500 = 1, 'u42', ''))
            FROM numbers({n:UInt64})`,
    query_params: params,
  });
  // One gauge series per user, 60 points each (one a minute); the rollup views fire on insert.
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, ServiceName, Attributes, FirstSeenNs, LastSeenNs) SETTINGS async_insert = 0
            SELECT {tenant:String}, 'cart_items', number + 1, 'gauge', 'shop', map('enduser.id', concat('u', toString(number))),
                   toUInt64({start:UInt64}) * 1000000, toUInt64({start:UInt64} + 3600000) * 1000000 FROM numbers({users:UInt32})`,
    query_params: params,
  });
  await ch.command({
    query: `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value) SETTINGS async_insert = 0
            SELECT {tenant:String}, 'cart_items', number % {users:UInt32} + 1, toUInt64({start:UInt64} + intDiv(number, {users:UInt32}) * 60000) * 1000000, number % 13
            FROM numbers(60 * {users:UInt32})`,
    query_params: params,
  });
}

async function count(sql: string, params: Record<string, unknown> = {}): Promise<number> {
  const rs = await ch.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]!.n);
}

/** What matches enduser.id = u42 in a tenant, counted independently of the job's statements. */
async function matching(tenant: string) {
  const p = { tenant };
  return {
    traces: await count(
      `SELECT count() AS n FROM spans WHERE TenantId = {tenant:String} AND Attributes['enduser.id'] = 'u42'`,
      p,
    ),
    logs: await count(
      `SELECT count() AS n FROM logs WHERE TenantId = {tenant:String} AND (Attributes['enduser.id'] = 'u42' OR ResourceAttributes['enduser.id'] = 'u42')`,
      p,
    ),
    metrics: await count(
      `SELECT count() AS n FROM metrics_gauge WHERE TenantId = {tenant:String} AND Fingerprint = 43`,
      p,
    ),
    series: await count(
      `SELECT count() AS n FROM metric_series WHERE TenantId = {tenant:String} AND Attributes['enduser.id'] = 'u42'`,
      p,
    ),
    rollups: await count(
      `SELECT (SELECT count() FROM metrics_value_hourly WHERE TenantId = {tenant:String} AND Fingerprint = 43)
            + (SELECT count() FROM metrics_value_daily WHERE TenantId = {tenant:String} AND Fingerprint = 43) AS n`,
      p,
    ),
  };
}

async function waitForJob(id: string, key = KEY, timeoutMs = 60_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(base, `/api/v1/erasures/${id}`, { key });
    assert.equal(res.status, 200);
    if (['succeeded', 'failed'].includes(res.body.data.status)) return res.body.data;
    if (Date.now() > deadline) throw new Error(`erasure ${id} still ${res.body.data.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  db = await createTestDatabase();
  ch = await startClickHouse(dir.path);
  cp = await openControlPlane({
    databaseUrl: db.url,
    dataDir: dir.path,
    bootstrap: { apiKey: KEY },
    features: [DASHBOARDS_FEATURE, DATA_JOBS_FEATURE],
  });
  await createTenant(cp.dataSource, { id: 'beta', name: 'Beta' });
  betaAdmin = (await createApiKey(cp.dataSource, { tenantId: 'beta', name: 'admin', scopes: ['admin'] })).key;
  await load('default');
  await load('beta');
  server = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: ch,
    controlPlane: cp,
    clickhouseMigrated: async () => true,
    resultCache: { ttlMs: 0 },
    modules: [
      ExportsModule.forRoot({
        controlPlane: cp,
        clickhouse: ch,
        options: { dir: join(dir.path, 'exports') },
        erasure: { pollMs: 50, mutationPollMs: 20 },
      }),
    ],
  });
  base = server.url;
});

after(async () => {
  await server?.close();
  await cp?.close();
  await ch?.close();
  await db?.drop();
  dir.remove();
});

const match = { attribute: 'enduser.id', value: 'u42' };
const range = `from=${START}&to=${END}`;

describe('erasures', () => {
  test('a dry run counts exactly what matches, per signal, and deletes nothing', async () => {
    const before = await matching('default');
    // One hourly rollup row, and a daily row only for a day before the migration's watermark (the
    // test's hour is yesterday between 00:00 and 02:00 UTC): today's daily row is written by the
    // daily job once the day has closed (clickhouse migration 0019), not on insert.
    const dailyRows = START < Math.floor(Date.now() / 86_400_000) * 86_400_000 ? 1 : 0;
    assert.deepEqual(before, {
      traces: N / USERS,
      logs: N / USERS + N / 500,
      metrics: 60,
      series: 1,
      rollups: 1 + dailyRows,
    });
    const res = await call(base, '/api/v1/erasures', { key: KEY, method: 'POST', body: { match, dryRun: true } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const job = await waitForJob(res.body.data.id);
    assert.equal(job.status, 'succeeded', job.error);
    assert.deepEqual(job.counts, { traces: before.traces, logs: before.logs, metrics: before.metrics });
    assert.deepEqual(await matching('default'), before);
  });

  test('the job deletes every matching span, log, point, series and rollup row; other tenants keep theirs', async () => {
    const beta = await matching('beta');
    const spansBefore = await count(`SELECT count() AS n FROM spans WHERE TenantId = 'default'`);
    const traces = await call(base, `/api/v1/traces?${range}&attr.enduser.id=u42`, { key: KEY });
    assert.equal(traces.status, 200);
    assert.ok(traces.body.data.length > 0);
    const logsBefore = await call(base, `/api/v1/logs?${range}&attr.enduser.id=u42`, { key: KEY });
    assert.ok(logsBefore.body.data.length > 0);

    const res = await call(base, '/api/v1/erasures', { key: KEY, method: 'POST', body: { match } });
    const job = await waitForJob(res.body.data.id);
    assert.equal(job.status, 'succeeded', job.error);
    assert.equal(job.progress, 1);
    assert.deepEqual(job.counts, { traces: N / USERS, logs: N / USERS + N / 500, metrics: 60 });

    assert.deepEqual(await matching('default'), { traces: 0, logs: 0, metrics: 0, series: 0, rollups: 0 });
    assert.equal(await count(`SELECT count() AS n FROM spans WHERE TenantId = 'default'`), spansBefore - N / USERS);
    assert.deepEqual(await matching('beta'), beta);

    const after = await call(base, `/api/v1/traces?${range}&attr.enduser.id=u42`, { key: KEY });
    assert.deepEqual(after.body.data, []);
    const logs = await call(base, `/api/v1/logs?${range}&attr.enduser.id=u42`, { key: KEY });
    assert.equal(logs.status, 200);
    assert.deepEqual(logs.body.data, []);
    const betaTraces = await call(base, `/api/v1/traces?${range}&attr.enduser.id=u42`, { key: betaAdmin });
    assert.ok(betaTraces.body.data.length > 0);
  });

  test('tenants and bad input: jobs are private; a clear 400', async () => {
    const listed = await call(base, '/api/v1/erasures', { key: KEY });
    assert.equal(listed.body.data.length, 2);
    assert.equal((await call(base, `/api/v1/erasures/${listed.body.data[0].id}`, { key: betaAdmin })).status, 404);
    for (const body of [
      { match: { attribute: 'enduser.id' } },
      { match, signals: ['spans'] },
      { match, from: 'soon' },
      { match, from: END, to: START },
    ]) {
      assert.equal(
        (await call(base, '/api/v1/erasures', { key: KEY, method: 'POST', body })).status,
        400,
        JSON.stringify(body),
      );
    }
  });
});
