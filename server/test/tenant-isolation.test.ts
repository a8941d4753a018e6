// Two tenants on one all-in-one: the API key decides the tenant, and neither tenant can
// read the other's traces, logs or metrics, whatever the payload claims.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ServiceDto, TraceSummaryDto } from '@telemetryflow/contract';
import {
  API_KEY,
  buildSignals,
  createTenantWithKeys,
  exportSignals,
  api,
  assertLogs,
  assertMetrics,
  assertTrace,
  buildTrace,
  exportWith,
  exporters,
  freshDataDir,
  getTrace,
  listMetrics,
  pointValues,
  queryMetric,
  removeDir,
  searchLogs,
  startServer,
  type Started,
  type SignalFixtures,
} from './helpers.js';

let server: Started;
let dataDir: string;
let otherKey: string;
let a: SignalFixtures;
let b: SignalFixtures;

before(async () => {
  dataDir = freshDataDir();
  server = await startServer(dataDir);
  otherKey = (await createTenantWithKeys(server.running.apiUrl, 'Second', [['ingest', 'read']])).keys[0]!;

  // The same service and metric names for both tenants.
  a = await buildSignals('shared-svc', 'e2e.iso');
  b = await buildSignals('shared-svc', 'e2e.iso');
  await exportSignals(server.running, 'proto', API_KEY, a);
  await exportSignals(server.running, 'grpc', otherKey, b);
});

after(async () => {
  await server?.running.close();
  if (dataDir) removeDir(dataDir);
});

test('each tenant reads its own trace; the other tenant gets 404 for it', async () => {
  assertTrace((await getTrace(server.running.apiUrl, API_KEY, a.trace.traceId)).body.data, a.trace);
  assertTrace((await getTrace(server.running.apiUrl, otherKey, b.trace.traceId)).body.data, b.trace);
  const crossAB = await getTrace(server.running.apiUrl, otherKey, a.trace.traceId);
  assert.equal(crossAB.status, 404, JSON.stringify(crossAB.body));
  const crossBA = await getTrace(server.running.apiUrl, API_KEY, b.trace.traceId);
  assert.equal(crossBA.status, 404, JSON.stringify(crossBA.body));
});

test("trace search and services list only the caller's traces", async () => {
  const range = `from=${a.logs.fromMs}&to=${a.logs.toMs}`;
  for (const [key, own, other] of [
    [API_KEY, a, b],
    [otherKey, b, a],
  ] as const) {
    const found = await api<{ data: TraceSummaryDto[] }>(
      server.running.apiUrl,
      `/api/v1/traces?service=shared-svc&${range}`,
      key,
    );
    assert.equal(found.status, 200);
    const ids = found.body.data.map((t) => t.traceId);
    assert.deepEqual(ids, [own.trace.traceId]);
    assert.ok(!ids.includes(other.trace.traceId));
    const services = await api<{ data: ServiceDto[] }>(server.running.apiUrl, `/api/v1/services?${range}`, key);
    // Its two spans; one request (the failed server span), a client span under it.
    assert.deepEqual(
      services.body.data.map((s) => [s.name, s.spanCount, s.requestCount, s.errorCount]),
      [['shared-svc', 2, 1, 1]],
    );
  }
});

test('logs: each tenant sees only its own records', async () => {
  assertLogs(
    await searchLogs(server.running.apiUrl, API_KEY, { service: 'shared-svc', from: a.logs.fromMs, to: a.logs.toMs }),
    a.logs,
  );
  assertLogs(
    await searchLogs(server.running.apiUrl, otherKey, { service: 'shared-svc', from: b.logs.fromMs, to: b.logs.toMs }),
    b.logs,
  );
});

test('metrics: same names in both tenants, values never mix', async () => {
  // Each tenant recorded counter total 12 etc.; a mix-up would double them.
  await assertMetrics(server.running.apiUrl, API_KEY, a.metrics);
  await assertMetrics(server.running.apiUrl, otherKey, b.metrics);
});

test('a tenant with no data sees nothing at all', async () => {
  const emptyKey = (await createTenantWithKeys(server.running.apiUrl, 'Empty', [['read']])).keys[0]!;
  assert.equal((await getTrace(server.running.apiUrl, emptyKey, a.trace.traceId)).status, 404);
  assert.deepEqual(
    await searchLogs(server.running.apiUrl, emptyKey, { service: 'shared-svc', from: a.logs.fromMs, to: a.logs.toMs }),
    [],
  );
  assert.deepEqual(await searchLogs(server.running.apiUrl, emptyKey, { from: a.logs.fromMs, to: a.logs.toMs }), []);
  assert.deepEqual(await listMetrics(server.running.apiUrl, emptyKey, a.metrics.fromMs, a.metrics.toMs), []);
  const q = await queryMetric(server.running.apiUrl, emptyKey, {
    metric: 'e2e.iso.requests',
    aggregation: 'last',
    from: a.metrics.fromMs,
    to: a.metrics.toMs,
    stepSeconds: 3600,
  });
  assert.deepEqual(pointValues(q), []);
  const traces = await api<{ data: TraceSummaryDto[] }>(
    server.running.apiUrl,
    `/api/v1/traces?from=${a.logs.fromMs}&to=${a.logs.toMs}`,
    emptyKey,
  );
  assert.deepEqual(traces.body.data, []);
});

test('a read-only key cannot ingest', async () => {
  const readKey = (await createTenantWithKeys(server.running.apiUrl, 'ReadOnly', [['read']])).keys[0]!;
  const f = buildTrace('readonly-svc');
  const ex = exporters(server.running, 'http', readKey);
  try {
    const result = await exportWith(ex.traces, f.spans);
    assert.notEqual(result.code, 0);
    assert.equal((result.error as { code?: number } | undefined)?.code, 403, String(result.error));
  } finally {
    await ex.shutdown();
  }
  assert.equal((await getTrace(server.running.apiUrl, readKey, f.traceId)).status, 404);
});
