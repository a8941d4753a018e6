// Export jobs against real Postgres and the embedded ClickHouse: 1M spans as Parquet read
// back by ClickHouse equal the query's rows; ndjson and csv shape; byte ranges; tenant
// isolation; jobs outlive a restart of their worker; finished files expire.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { createApiKey, createTenant, openControlPlane, type ControlPlane } from '@telemetryflow/identity';
import { startQueryServer, type QueryServer } from '../src/app/index.js';
import { DASHBOARDS_FEATURE } from '../src/index.js';
import { ExportJobs } from '../src/exports/export-jobs.js';
import { exportFilePath, ExportWorker, DEFAULT_EXPORT_OPTIONS } from '../src/exports/export-worker.js';
import { DATA_JOBS_FEATURE, ExportsModule } from '../src/exports/exports-module.js';
import { call, createTestDatabase, startClickHouse, tempDir, type Json, type TestDatabase } from './helpers.js';

const KEY = 'tf_exports_test_key_default_0001';
const N = 1_000_000;
/** A whole hour that ended at least an hour ago, within every retention. */
const START = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
const END = START + 3_600_000;
const dir = tempDir('tf-exports-');
const exportDir = join(dir.path, 'exports');
let db: TestDatabase;
let ch: ClickHouseClient;
let cp: ControlPlane;
let server: QueryServer;
let base: string;
let betaAdmin: string;
let reader: string;

/** Spans of two services spread over one hour; attribute `enduser.id` takes 1000 values. */
async function loadSpans(tenant: string, n: number): Promise<void> {
  await ch.command({
    query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode, ResourceAttributes, Attributes)
            SETTINGS async_insert = 0
            SELECT {tenant:String}, concat(leftPad(hex(cityHash64(number, 1)), 16, '0'), leftPad(hex(cityHash64(number, 2)), 16, '0')), lower(hex(number + 1)), if(number % 4 = 0, 'db', 'shop'),
                   'GET /', 'SPAN_KIND_SERVER', t, t + 1000, 1000, 'STATUS_CODE_UNSET',
                   map('host.name', concat('h', toString(number % 7))), map('enduser.id', concat('u', toString(number % 1000)), 'line', 'a,"b"\nc')
            FROM (SELECT number, toUInt64({start:UInt64} + intDiv(number * 3600000, {n:UInt64})) * 1000000 + number % 1000 AS t FROM numbers({n:UInt64}))`,
    query_params: { tenant, n, start: START },
  });
}

async function startServer(pollMs = 50, leaseMs = 1_000): Promise<void> {
  server = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: ch,
    controlPlane: cp,
    clickhouseMigrated: async () => true,
    modules: [
      ExportsModule.forRoot({ controlPlane: cp, clickhouse: ch, options: { dir: exportDir, pollMs, leaseMs } }),
    ],
  });
  base = server.url;
}

async function waitForJob(id: string, key = KEY, timeoutMs = 60_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(base, `/api/v1/exports/${id}`, { key });
    assert.equal(res.status, 200);
    if (['succeeded', 'failed', 'expired'].includes(res.body.data.status)) return res.body.data;
    if (Date.now() > deadline) throw new Error(`export ${id} still ${res.body.data.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rawDownload(id: string, headers: Record<string, string> = {}, key = KEY) {
  const res = await fetch(`${base}/api/v1/exports/${id}/download`, {
    headers: { authorization: `Bearer ${key}`, ...headers },
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const window = { from: new Date(START).toISOString(), to: END };

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
  reader = (await createApiKey(cp.dataSource, { tenantId: 'default', name: 'reader', scopes: ['read'] })).key;
  await loadSpans('default', N);
  await loadSpans('beta', 1000);
  await ch.command({
    query: `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, TraceIdHex, SpanIdHex, SeverityText, SeverityNumber, ServiceName, Body,
              Attributes, AttributeTypes) SETTINGS async_insert = 0
            SELECT 'default', t, t, '0102030405060708090a0b0c0d0e0f10', '', 'WARN', 13, 'shop', 'hello',
                   map('n', '42', 'ok', 'true', 'name', 'x'), map('n', 'int', 'ok', 'bool')
            FROM (SELECT toUInt64({start:UInt64} + number * 1000) * 1000000 AS t FROM numbers(3))`,
    query_params: { start: START },
  });
  await startServer();
});

after(async () => {
  await server?.close();
  await cp?.close();
  await ch?.close();
  await db?.drop();
  dir.remove();
});

describe('exports', () => {
  let parquetId: string;

  test('1M spans as Parquet: ClickHouse reads the file back and it equals the query rows', async () => {
    const started = Date.now();
    const res = await call(base, '/api/v1/exports', {
      key: KEY,
      method: 'POST',
      body: { signal: 'traces', format: 'parquet', ...window },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.data.status, 'queued');
    parquetId = res.body.data.id;
    const job = await waitForJob(parquetId);
    assert.equal(job.status, 'succeeded', job.error);
    assert.equal(job.rows, N);
    assert.equal(job.progress, 1);
    const path = exportFilePath(exportDir, { id: parquetId, format: 'parquet' });
    assert.equal(job.bytes, statSync(path).size);
    process.stdout.write(`# 1M spans to Parquet: ${Date.now() - started} ms, ${job.bytes} bytes\n`);

    const fromFile = await ch.query({
      query: `SELECT count() AS n, toString(sum(cityHash64(TraceId, SpanId, ServiceName, StartTimeNs, EndTimeNs, Attributes, ResourceAttributes))) AS h
              FROM file({path:String}, Parquet)`,
      query_params: { path },
      format: 'JSONEachRow',
    });
    const fromTable = await ch.query({
      query: `SELECT count() AS n, toString(sum(cityHash64(lower(hex(TraceId)), lower(hex(SpanId)), toString(ServiceName), toUnixTimestamp64Nano(StartTime),
                toUnixTimestamp64Nano(EndTime), CAST(Attributes, 'Map(String, String)'), CAST(ResourceAttributes, 'Map(String, String)')))) AS h
              FROM spans WHERE TenantId = 'default'`,
      format: 'JSONEachRow',
    });
    const [file] = await fromFile.json<{ n: string; h: string }>();
    const [table] = await fromTable.json<{ n: string; h: string }>();
    assert.equal(file!.n, String(N));
    assert.deepEqual(file, table);

    // The embedded engine keeps a request's settings for its session: the export's must not stay.
    const after = await ch.query({
      query: `SELECT toString(getSetting('max_execution_time')) AS t`,
      format: 'JSONEachRow',
    });
    assert.deepEqual(await after.json(), [{ t: '0' }], "the export's time limit is not left on the session");
  });

  test('download: whole file, byte ranges (206 with Content-Range), 416 outside the file', async () => {
    const path = exportFilePath(exportDir, { id: parquetId, format: 'parquet' });
    const bytes = readFileSync(path);
    const whole = await rawDownload(parquetId);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(whole.headers.get('content-type'), 'application/vnd.apache.parquet');
    assert.ok(whole.body.equals(bytes));

    const first = await rawDownload(parquetId, { range: 'bytes=0-99' });
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('content-range'), `bytes 0-99/${bytes.length}`);
    assert.ok(first.body.equals(bytes.subarray(0, 100)));
    assert.equal(first.body.subarray(0, 4).toString(), 'PAR1');

    const middle = await rawDownload(parquetId, { range: 'bytes=1000-' });
    assert.equal(middle.status, 206);
    assert.equal(middle.headers.get('content-range'), `bytes 1000-${bytes.length - 1}/${bytes.length}`);
    assert.ok(middle.body.equals(bytes.subarray(1000)));

    const tail = await rawDownload(parquetId, { range: 'bytes=-8' });
    assert.equal(tail.status, 206);
    assert.ok(tail.body.equals(bytes.subarray(bytes.length - 8)));
    assert.equal(tail.body.subarray(4).toString(), 'PAR1');

    const outside = await rawDownload(parquetId, { range: `bytes=${bytes.length}-` });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers.get('content-range'), `bytes */${bytes.length}`);
  });

  test('ndjson and csv: one object per line with hex ids and nanosecond strings; csv with a header', async () => {
    const filters = { service: 'db', attributes: { 'enduser.id': 'u4' } };
    const nd = await call(base, '/api/v1/exports', {
      key: KEY,
      method: 'POST',
      body: { signal: 'traces', format: 'ndjson', filters, ...window },
    });
    const csv = await call(base, '/api/v1/exports', {
      key: KEY,
      method: 'POST',
      body: { signal: 'traces', format: 'csv', filters, ...window },
    });
    const ndJob = await waitForJob(nd.body.data.id);
    const csvJob = await waitForJob(csv.body.data.id);
    // enduser.id u4 is every 1000th span from 4 on, all of service db (4 divides 4 + 1000k).
    assert.equal(ndJob.rows, N / 1000);
    assert.equal(csvJob.rows, N / 1000);

    const text = (await rawDownload(ndJob.id)).body.toString();
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, N / 1000);
    const row = JSON.parse(lines[0]!) as Json;
    assert.match(row.TraceId, /^[0-9a-f]{32}$/);
    assert.match(row.SpanId, /^[0-9a-f]{16}$/);
    assert.match(row.StartTimeNs, /^\d{19}$/);
    assert.equal(row.ServiceName, 'db');
    assert.deepEqual(row.Attributes, { 'enduser.id': 'u4', line: 'a,"b"\nc' });

    const csvFile = await rawDownload(csvJob.id);
    assert.equal(csvFile.headers.get('content-type'), 'text/csv; charset=utf-8');
    const csvText = csvFile.body.toString();
    assert.ok(
      csvText.startsWith('"TraceId","SpanId","ParentSpanId","TraceState","ServiceName",'),
      csvText.slice(0, 80),
    );
    const back = await ch.query({
      query: `SELECT count() AS n FROM format(CSVWithNames, {text:String}) WHERE ServiceName = 'db'`,
      query_params: { text: csvText },
      format: 'JSONEachRow',
    });
    assert.deepEqual(await back.json(), [{ n: String(N / 1000) }]);
  });

  test('otlp-json: one OTLP/JSON trace request per line, ids hex, times nanosecond strings, kinds as numbers', async () => {
    const filters = { service: 'db', attributes: { 'enduser.id': 'u4' } };
    const res = await call(base, '/api/v1/exports', {
      key: KEY,
      method: 'POST',
      body: { signal: 'traces', format: 'otlp-json', filters, ...window },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const job = await waitForJob(res.body.data.id);
    assert.equal(job.status, 'succeeded', job.error);
    assert.equal(job.rows, N / 1000);
    const lines = (await rawDownload(job.id)).body.toString().trimEnd().split('\n');
    assert.equal(lines.length, N / 1000);
    const request = JSON.parse(lines[0]!) as Json;
    const rs = request.resourceSpans[0];
    assert.deepEqual(
      rs.resource.attributes.map((a: Json) => a.key),
      ['host.name'],
    );
    const span = rs.scopeSpans[0].spans[0];
    assert.match(span.traceId, /^[0-9a-f]{32}$/);
    assert.equal(span.parentSpanId, '');
    assert.equal(span.kind, 2);
    assert.equal(span.status.code, 0);
    assert.match(span.startTimeUnixNano, /^\d{19}$/);
    assert.equal(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano), 1000n);
    assert.deepEqual(span.attributes, [
      { key: 'enduser.id', value: { stringValue: 'u4' } },
      { key: 'line', value: { stringValue: 'a,"b"\nc' } },
    ]);
    const metrics = await call(base, '/api/v1/exports', {
      key: KEY,
      method: 'POST',
      body: { signal: 'metrics', format: 'otlp-json', ...window },
    });
    assert.equal(metrics.status, 400);
    assert.match(metrics.body.error.message, /otlp-json covers traces and logs/);
  });

  test('tenants: another tenant sees none of the jobs; its export holds only its rows; read keys are refused', async () => {
    assert.equal((await call(base, `/api/v1/exports/${parquetId}`, { key: betaAdmin })).status, 404);
    assert.equal((await rawDownload(parquetId, {}, betaAdmin)).status, 404);
    const listed = await call(base, '/api/v1/exports', { key: betaAdmin });
    assert.deepEqual(listed.body.data, []);
    const res = await call(base, '/api/v1/exports', {
      key: betaAdmin,
      method: 'POST',
      body: { signal: 'traces', format: 'ndjson', ...window },
    });
    const job = await waitForJob(res.body.data.id, betaAdmin);
    assert.equal(job.rows, 1000);
    assert.equal((await call(base, '/api/v1/exports', { key: reader })).status, 403);
  });

  test('every export and erasure route is for admins and documented', async () => {
    const ours = server.routes().filter((r) => /^\/api\/v1\/(exports|erasures)\b/.test(r.path));
    assert.equal(ours.length, 7);
    for (const r of ours) assert.equal(r.access, 'admin', `${r.method} ${r.path}`);
    const doc = await call(base, '/api/v1/openapi.json');
    for (const path of ['/api/v1/exports', '/api/v1/exports/{id}/download', '/api/v1/erasures/{id}'])
      assert.ok(doc.body.paths[path], path);
  });

  test('bad input: a clear 400', async () => {
    const bad = [
      { signal: 'spans', format: 'ndjson', ...window },
      { signal: 'traces', format: 'xml', ...window },
      { signal: 'traces', format: 'ndjson', from: 'yesterday', to: END },
      { signal: 'traces', format: 'ndjson', from: END, to: START },
      { signal: 'traces', format: 'ndjson', ...window, filters: { tenant: 'beta' } },
    ];
    for (const body of bad) {
      const res = await call(base, '/api/v1/exports', { key: KEY, method: 'POST', body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(typeof res.body.error.message, 'string');
    }
    assert.equal((await call(base, '/api/v1/exports/not-a-uuid', { key: KEY })).status, 404);
  });

  test('a queued job and one whose worker died mid-run are finished by the worker of the next start', async () => {
    await server.close();
    const jobs = new ExportJobs(cp.dataSource);
    const range = { fromNs: BigInt(START) * 1_000_000n, toNs: BigInt(END) * 1_000_000n };
    const orphan = await jobs.create('default', {
      signal: 'traces',
      format: 'ndjson',
      ...range,
      filters: { service: 'db', attributes: { 'enduser.id': 'u8' } },
    });
    assert.ok(await jobs.claim('a-worker-that-died', 300));
    const queued = await jobs.create('default', { signal: 'logs', format: 'csv', ...range, filters: {} });
    const otlpLogs = await jobs.create('default', { signal: 'logs', format: 'otlp-json', ...range, filters: {} });
    await startServer();
    assert.equal((await waitForJob(orphan.id, KEY, 30_000)).rows, N / 1000);
    const logs = await waitForJob(queued.id, KEY, 30_000);
    assert.equal(logs.status, 'succeeded');
    assert.equal(logs.rows, 3);
    const otlp = await waitForJob(otlpLogs.id, KEY, 30_000);
    assert.equal(otlp.rows, 3);
    const lines = (await rawDownload(otlp.id)).body.toString().trimEnd().split('\n');
    const record = (JSON.parse(lines[0]!) as Json).resourceLogs[0].scopeLogs[0].logRecords[0];
    assert.equal(record.traceId, '0102030405060708090a0b0c0d0e0f10');
    assert.equal(record.spanId, '');
    assert.equal(record.severityNumber, 13);
    assert.deepEqual(record.body, { stringValue: 'hello' });
    assert.deepEqual(record.attributes, [
      { key: 'n', value: { intValue: '42' } },
      { key: 'ok', value: { boolValue: true } },
      { key: 'name', value: { stringValue: 'x' } },
    ]);
  });

  test('a finished file expires: deleted, the job says expired, the download is 410', async () => {
    const jobs = new ExportJobs(cp.dataSource);
    const worker = new ExportWorker(jobs, ch, { ...DEFAULT_EXPORT_OPTIONS, dir: exportDir, ttlMs: 200 });
    await server.close();
    const job = await jobs.create('default', {
      signal: 'traces',
      format: 'ndjson',
      fromNs: BigInt(START) * 1_000_000n,
      toNs: BigInt(START + 1000) * 1_000_000n,
      filters: {},
    });
    await worker.runOnce();
    const path = exportFilePath(exportDir, job);
    assert.ok(existsSync(path));
    assert.equal((await jobs.get('default', job.id))!.status, 'succeeded');
    await new Promise((r) => setTimeout(r, 300));
    await worker.runOnce();
    assert.equal(existsSync(path), false);
    await startServer();
    assert.equal((await call(base, `/api/v1/exports/${job.id}`, { key: KEY })).body.data.status, 'expired');
    assert.equal((await rawDownload(job.id)).status, 410);
  });
});
