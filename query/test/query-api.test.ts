import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClickHouse, migrationsComplete, type ClickHouseClient } from '@telemetryflow/clickhouse';
import type { LogDto, MetricQueryResultDto, ServiceDto, TraceDto, TraceSummaryDto } from '@telemetryflow/contract';
import { isStoreUnavailable } from '@telemetryflow/http-kit';
import { createApiKey, type ControlPlane } from '@telemetryflow/identity';
import { startQueryServer, type QueryServer } from '../src/app/index.js';
import {
  CHILD_SPAN,
  EXP_HISTOGRAM_POINTS,
  GAUGE_POINTS,
  HISTOGRAM_POINTS,
  KVLIST_BODY,
  LOGS,
  M0,
  METRIC_SERIES,
  MIN,
  ROOT_SPAN,
  SPANS,
  SUM_POINTS,
  T0,
  TRACE_1,
  TRACE_2,
  TRACE_BETA,
  ns,
} from './fixtures.js';
import { call, type Json, insertRows, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_query_api_test_key_default_0001';
const dir = tempDir('tf-query-');
let ch: ClickHouseClient;
let cp: ControlPlane;
let server: QueryServer;
let base: string;
let betaKey: string;
let ingestOnlyKey: string;

let api: TestApi | undefined;

before(async () => {
  api = await startTestApi(dir.path, KEY, async (c) => {
    await insertRows(c, 'spans', SPANS);
    await insertRows(c, 'logs', LOGS);
    await insertRows(c, 'metric_series', METRIC_SERIES);
    await insertRows(c, 'metrics_gauge', GAUGE_POINTS);
    await insertRows(c, 'metrics_sum', SUM_POINTS);
    await insertRows(c, 'metrics_histogram', HISTOGRAM_POINTS);
    await insertRows(c, 'metrics_exp_histogram', EXP_HISTOGRAM_POINTS);
  });
  ({ ch, cp, server, betaKey } = api);
  ingestOnlyKey = (await createApiKey(cp.dataSource, { tenantId: 'default', name: 'collector', scopes: ['ingest'] }))
    .key;
  base = server.url;
});

after(async () => {
  await api?.close();
  dir.remove();
});

function assertError(
  res: { status: number; headers: Headers; body: Json },
  status: number,
  code: string,
  mentions?: string,
): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.requestId.length > 0);
  assert.equal(res.headers.get('x-request-id'), res.body.error.requestId);
  if (mentions)
    assert.ok(res.body.error.message.includes(mentions), `"${res.body.error.message}" should name ${mentions}`);
}

describe('health and readiness', () => {
  test('GET /health is open and ok', async () => {
    const res = await call(base, '/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
    assert.ok(res.headers.get('x-request-id'));
  });

  test('GET /ready is 200 when both stores answer and are migrated', async () => {
    const res = await call(base, '/ready');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.checks, {
      clickhouse: true,
      postgres: true,
      clickhouseMigrations: true,
      postgresMigrations: true,
    });
  });

  test('GET /ready is 503 when ClickHouse migrations have not run', async () => {
    const other = await startQueryServer({
      host: '127.0.0.1',
      port: 0,
      clickhouse: ch,
      controlPlane: cp,
      clickhouseMigrated: async () => false,
    });
    try {
      const res = await call(other.url, '/ready');
      assertError(res, 503, 'not_ready');
      assert.equal(res.body.error.details.checks.clickhouseMigrations, false);
    } finally {
      await other.close();
    }
  });
});

describe('authentication', () => {
  test('no credential → 401', async () => assertError(await call(base, '/api/v1/traces'), 401, 'unauthenticated'));
  test('unknown key → 401', async () =>
    assertError(await call(base, '/api/v1/logs', { key: 'tf_not_a_real_key_000000' }), 401, 'unauthenticated'));
  test('not a bearer scheme → 401', async () =>
    assertError(
      await call(base, '/api/v1/services', { headers: { authorization: `Basic ${KEY}` } }),
      401,
      'unauthenticated',
    ));
  test('key without read scope → 403', async () => {
    assertError(await call(base, '/api/v1/traces', { key: ingestOnlyKey }), 403, 'forbidden', 'read');
    assertError(
      await call(base, '/api/v1/metrics/query', {
        key: ingestOnlyKey,
        method: 'POST',
        body: { metric: 'x', aggregation: 'avg' },
      }),
      403,
      'forbidden',
    );
  });
  test('client request id is echoed', async () => {
    const res = await call(base, '/api/v1/traces/zz', { key: KEY, headers: { 'x-request-id': 'my-req-1' } });
    assert.equal(res.body.error.requestId, 'my-req-1');
    assert.equal(res.headers.get('x-request-id'), 'my-req-1');
  });
  test('unknown route → 404 in the error shape', async () =>
    assertError(await call(base, '/api/v1/nope', { key: KEY }), 404, 'not_found'));
});

describe('traces', () => {
  test('GET /api/v1/traces/:id returns every span with names, typed attributes, events and links', async () => {
    const res = await call<{ data: TraceDto }>(base, `/api/v1/traces/${TRACE_1.toUpperCase()}`, { key: KEY });
    assert.equal(res.status, 200);
    const trace = res.body.data;
    assert.equal(trace.traceId, TRACE_1);
    assert.deepEqual(
      trace.spans.map((s) => s.spanId),
      [ROOT_SPAN, CHILD_SPAN],
    );
    const [root, child] = trace.spans as [TraceDto['spans'][0], TraceDto['spans'][0]];
    assert.equal(root.parentSpanId, '');
    assert.equal(child.parentSpanId, ROOT_SPAN);
    assert.equal(root.kind, 'SPAN_KIND_SERVER');
    assert.equal(child.kind, 'SPAN_KIND_CLIENT');
    assert.equal(root.startTimeUnixNano, ns(T0, 123n));
    assert.equal(root.endTimeUnixNano, ns(T0 + 250, 123n));
    assert.equal(root.durationNs, '250000000');
    assert.deepEqual(child.status, { code: 'STATUS_CODE_ERROR', message: 'card declined' });
    assert.deepEqual(root.attributes, [
      { key: 'http.method', value: { stringValue: 'GET' } },
      { key: 'http.status_code', value: { intValue: '200' } },
    ]);
    assert.deepEqual(root.resource, [{ key: 'service.name', value: { stringValue: 'frontend' } }]);
    assert.deepEqual(root.scope, {
      name: 'io.opentelemetry.test',
      version: '1.2.3',
      attributes: [],
      droppedAttributesCount: 0,
    });
    assert.deepEqual(root.events, [
      {
        timeUnixNano: ns(T0 + 10),
        name: 'cache miss',
        attributes: [
          { key: 'hit', value: { boolValue: false } },
          { key: 'key', value: { stringValue: 'cart' } },
        ],
        droppedAttributesCount: 0,
      },
    ]);
    assert.deepEqual(root.links, [
      {
        traceId: TRACE_2,
        spanId: 'a1a2a3a4a5a6a7a8',
        traceState: 'vendor=1',
        attributes: [],
        droppedAttributesCount: 0,
        flags: 0,
      },
    ]);
    assert.equal(root.flags, 1);
    assert.equal(root.serviceName, 'frontend');
  });

  test("trace ids: malformed → 400 naming traceId; unknown → 404; another tenant's → 404", async () => {
    assertError(await call(base, '/api/v1/traces/xyz', { key: KEY }), 400, 'invalid_parameter', 'traceId');
    assertError(await call(base, `/api/v1/traces/${TRACE_1}00`, { key: KEY }), 400, 'invalid_parameter', 'traceId');
    assertError(await call(base, `/api/v1/traces/${'12'.repeat(16)}`, { key: KEY }), 404, 'not_found');
    // All zeros is 32 hex characters: a well-formed id that no trace has → 404, not 400.
    assertError(await call(base, `/api/v1/traces/${'0'.repeat(32)}`, { key: KEY }), 404, 'not_found');
    assertError(await call(base, `/api/v1/traces/${TRACE_BETA}`, { key: KEY }), 404, 'not_found');
    assertError(await call(base, `/api/v1/traces/${TRACE_1}`, { key: betaKey }), 404, 'not_found');
    const own = await call<{ data: TraceDto }>(base, `/api/v1/traces/${TRACE_BETA}`, { key: betaKey });
    assert.equal(own.status, 200);
    assert.equal(own.body.data.spans[0]!.serviceName, 'beta-svc');
  });

  test('GET /api/v1/traces summarizes traces newest first', async () => {
    const res = await call<{ data: TraceSummaryDto[] }>(base, '/api/v1/traces', { key: KEY });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, [
      {
        traceId: TRACE_2,
        rootServiceName: 'payments',
        rootName: 'refund',
        startTimeUnixNano: ns(T0 + MIN, 123n),
        durationNs: '20000000',
        spanCount: 1,
        errorCount: 0,
      },
      {
        traceId: TRACE_1,
        rootServiceName: 'frontend',
        rootName: 'GET /checkout',
        startTimeUnixNano: ns(T0, 123n),
        durationNs: '250000000',
        spanCount: 2,
        errorCount: 1,
      },
    ]);
  });

  test('trace search filters', async () => {
    const ids = async (qs: string, key = KEY) => {
      const res = await call<{ data: TraceSummaryDto[] }>(base, `/api/v1/traces?${qs}`, { key });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.map((t) => t.traceId);
    };
    assert.deepEqual(await ids('status=error'), [TRACE_1]);
    assert.deepEqual(await ids('status=ok'), [TRACE_2]);
    assert.deepEqual(await ids('service=payments'), [TRACE_2, TRACE_1]);
    assert.deepEqual(await ids('service=payments&operation=charge'), [TRACE_1]);
    assert.deepEqual(await ids('operation=refund'), [TRACE_2]);
    assert.deepEqual(await ids('minDurationMs=100'), [TRACE_1]);
    assert.deepEqual(await ids('maxDurationMs=100'), [TRACE_2]);
    assert.deepEqual(await ids('minDurationMs=20&maxDurationMs=20'), [TRACE_2]);
    assert.deepEqual(await ids('limit=1'), [TRACE_2]);
    assert.deepEqual(await ids(`from=${T0 + 30_000}`), [TRACE_2]);
    assert.deepEqual(await ids(`from=${new Date(T0 - MIN).toISOString()}&to=${new Date(T0 + 1000).toISOString()}`), [
      TRACE_1,
    ]);
    assert.deepEqual(await ids('from=0&to=1000'), []);
    assert.deepEqual(await ids('', betaKey), [TRACE_BETA]);
  });

  test('trace search: bad parameters → 400 naming them', async () => {
    for (const [qs, name] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=abc', 'limit'],
      ['status=broken', 'status'],
      ['from=yesterday', 'from'],
      ['to=2024-02-30T00:00:00Z', 'to'],
      ['from=2024-02-31T00:00:00%2B00:00', 'from'],
      ['to=2024-11-25T10:00:00-24:00', 'to'],
      ['minDurationMs=-1', 'minDurationMs'],
      ['maxDurationMs=x', 'maxDurationMs'],
      ['minDurationMs=10&maxDurationMs=5', 'minDurationMs'],
      ['from=2000&to=1000', 'from'],
    ] as const) {
      assertError(await call(base, `/api/v1/traces?${qs}`, { key: KEY }), 400, 'invalid_parameter', name);
    }
  });

  test('GET /api/v1/services counts spans per service, and requests and errors of its entry spans', async () => {
    const res = await call<{ data: ServiceDto[] }>(base, '/api/v1/services', { key: KEY });
    assert.equal(res.status, 200);
    const counts = (list: ServiceDto[]) =>
      list.map(({ name, spanCount, requestCount, errorCount, entrySpans }) => ({
        name,
        spanCount,
        requestCount,
        errorCount,
        entrySpans,
      }));
    // payments' failed span is a client span of frontend's request: not one of payments' requests.
    assert.deepEqual(counts(res.body.data), [
      { name: 'frontend', spanCount: 1, requestCount: 1, errorCount: 0, entrySpans: 'server_consumer' },
      { name: 'payments', spanCount: 2, requestCount: 1, errorCount: 0, entrySpans: 'server_consumer' },
    ]);
    assert.ok(
      Math.abs(res.body.data[1]!.p95Ms! - 20) / 20 <= 0.02,
      `payments p95 ${res.body.data[1]!.p95Ms} is its refund request's 20 ms`,
    );
    const beta = await call<{ data: ServiceDto[] }>(base, '/api/v1/services', { key: betaKey });
    // An internal root span is the entry span of a service without server or consumer spans.
    assert.deepEqual(counts(beta.body.data), [
      { name: 'beta-svc', spanCount: 1, requestCount: 1, errorCount: 0, entrySpans: 'root' },
    ]);
    assertError(await call(base, '/api/v1/services?to=soon', { key: KEY }), 400, 'invalid_parameter', 'to');
  });
});

describe('logs', () => {
  const bodies = async (qs: string, key = KEY) => {
    const res = await call<{ data: LogDto[] }>(base, `/api/v1/logs?${qs}`, { key });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.data.map((l) => l.body);
  };

  test("GET /api/v1/logs returns the tenant's logs newest first with full fields", async () => {
    const res = await call<{ data: LogDto[] }>(base, '/api/v1/logs', { key: KEY });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.data.map((l) => l.severityText),
      ['Warn', 'INFO', 'ERROR'],
    );
    const [structured, info, error] = res.body.data as [LogDto, LogDto, LogDto];
    assert.deepEqual(structured.body, KVLIST_BODY);
    assert.deepEqual(info.body, { stringValue: 'Checkout completed' });
    assert.equal(info.traceId, '');
    assert.equal(info.spanId, '');
    assert.deepEqual(error, {
      timeUnixNano: ns(T0 + 1000, 7n),
      observedTimeUnixNano: ns(T0 + 1001),
      severityNumber: 17,
      severityText: 'ERROR',
      body: { stringValue: 'Payment failed: card declined' },
      serviceName: 'payments',
      traceId: TRACE_1,
      spanId: CHILD_SPAN,
      attributes: [{ key: 'order_id', value: { intValue: '42' } }],
      resource: [{ key: 'service.name', value: { stringValue: 'payments' } }],
      scope: { name: 'logger', version: '', attributes: [], droppedAttributesCount: 0 },
      eventName: '',
      flags: 0,
      droppedAttributesCount: 0,
    });
  });

  test('q matches whole words, case-insensitively, all words required', async () => {
    assert.deepEqual(await bodies('q=PAYMENT%20failed'), [{ stringValue: 'Payment failed: card declined' }]);
    assert.deepEqual(await bodies('q=declined'), [{ stringValue: 'Payment failed: card declined' }]);
    assert.deepEqual(await bodies('q=pay'), []);
    assert.deepEqual(await bodies('q=payment%20completed'), []);
    assert.deepEqual(await bodies('q=payment', betaKey), [{ stringValue: 'Payment failed for beta' }]);
  });

  test('q folds non-ASCII capitals too: "Éclair" is found by éclair and ÉCLAIR', async () => {
    const at = T0 - 120 * MIN; // outside the default range, so the other log tests do not see these
    await insertRows(ch, 'logs', [
      {
        ...LOGS[1],
        Timestamp: ns(at + 1000),
        ObservedTimestamp: ns(at + 1000),
        ServiceName: 'bakery',
        Body: 'Éclair au chocolat sold out',
      },
      {
        ...LOGS[1],
        Timestamp: ns(at + 2000),
        ObservedTimestamp: ns(at + 2000),
        ServiceName: 'bakery',
        Body: 'ÉCLAIR restocked',
      },
      {
        ...LOGS[1],
        Timestamp: ns(at + 3000),
        ObservedTimestamp: ns(at + 3000),
        ServiceName: 'bakery',
        Body: 'eclair without accent',
      },
      {
        ...LOGS[1],
        Timestamp: ns(at + 4000),
        ObservedTimestamp: ns(at + 4000),
        ServiceName: 'bakery',
        Body: 'Croissant DELIVERED',
      },
    ]);
    const window = `from=${at}&to=${at + MIN}`;
    const found = async (q: string) =>
      (await bodies(`${window}&q=${encodeURIComponent(q)}`)).map((b) => (b as { stringValue: string }).stringValue);
    assert.deepEqual(await found('éclair'), ['ÉCLAIR restocked', 'Éclair au chocolat sold out']);
    assert.deepEqual(await found('Éclair'), ['ÉCLAIR restocked', 'Éclair au chocolat sold out']);
    assert.deepEqual(await found('ÉCLAIR chocolat'), ['Éclair au chocolat sold out']);
    assert.deepEqual(await found('eclair'), ['eclair without accent']);
    assert.deepEqual(await found('clair'), []);
    assert.deepEqual(await found('delivered'), ['Croissant DELIVERED']);
    assert.deepEqual(await found('Croissant'), ['Croissant DELIVERED']);
  });

  test('severity, service and traceId filters', async () => {
    assert.deepEqual(await bodies('severity=error'), [{ stringValue: 'Payment failed: card declined' }]);
    assert.deepEqual(await bodies('severity=WARN'), [KVLIST_BODY]);
    assert.deepEqual(await bodies('service=frontend'), [KVLIST_BODY, { stringValue: 'Checkout completed' }]);
    assert.deepEqual(await bodies(`traceId=${TRACE_1}`), [{ stringValue: 'Payment failed: card declined' }]);
    assert.deepEqual(await bodies(`traceId=${TRACE_1}`, betaKey), []);
    assert.deepEqual(await bodies('limit=1'), [KVLIST_BODY]);
  });

  test('bad parameters → 400 naming them', async () => {
    assertError(await call(base, '/api/v1/logs?traceId=123', { key: KEY }), 400, 'invalid_parameter', 'traceId');
    assertError(await call(base, '/api/v1/logs?limit=100000', { key: KEY }), 400, 'invalid_parameter', 'limit');
    assertError(await call(base, '/api/v1/logs?from=tomorrow', { key: KEY }), 400, 'invalid_parameter', 'from');
  });
});

describe('metrics', () => {
  const query = async (body: Record<string, unknown>, key = KEY) => {
    const res = await call<{ data: MetricQueryResultDto }>(base, '/api/v1/metrics/query', {
      key,
      method: 'POST',
      body,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.data.series;
  };
  const range = { from: M0, to: M0 + 2 * MIN - 1, stepSeconds: 60 };

  test("GET /api/v1/metrics lists the tenant's metrics seen in the range", async () => {
    const res = await call(base, `/api/v1/metrics?from=${M0}&to=${M0 + MIN}`, { key: KEY });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, [
      { name: 'http.requests', type: 'sum', unit: '{request}', description: 'http.requests description' },
      { name: 'http.server.duration', type: 'histogram', unit: 's', description: 'http.server.duration description' },
      { name: 'jobs.processed', type: 'sum', unit: '', description: 'jobs.processed description' },
      { name: 'rpc.duration', type: 'exponential_histogram', unit: 'ms', description: 'rpc.duration description' },
      { name: 'system.memory.usage', type: 'gauge', unit: 'By', description: 'system.memory.usage description' },
    ]);
    const beta = await call(base, `/api/v1/metrics?from=${M0}&to=${M0 + MIN}`, { key: betaKey });
    assert.deepEqual(
      beta.body.data.map((m: { name: string }) => m.name),
      ['system.memory.usage'],
    );
    const old = await call(base, `/api/v1/metrics?from=0&to=1000`, { key: KEY });
    assert.deepEqual(old.body.data, []);
  });

  test('gauge aggregations per step, grouped by a resource attribute', async () => {
    const avg = await query({ metric: 'system.memory.usage', aggregation: 'avg', groupBy: ['service.name'], ...range });
    assert.deepEqual(avg, [
      {
        labels: { 'service.name': 'api' },
        points: [
          [M0, 82.5],
          [M0 + MIN, 192.5],
        ],
      },
      {
        labels: { 'service.name': 'worker' },
        points: [
          [M0, 5],
          [M0 + MIN, 5],
        ],
      },
    ]);
    const pick = async (aggregation: string) =>
      (await query({ metric: 'system.memory.usage', aggregation, groupBy: ['service.name'], ...range }))[0]!.points.map(
        (p) => p[1],
      );
    assert.deepEqual(await pick('max'), [200, 400]);
    assert.deepEqual(await pick('min'), [10, 30]);
    assert.deepEqual(await pick('sum'), [330, 770]);
    assert.deepEqual(await pick('count'), [4, 4]);
    assert.deepEqual(await pick('last'), [220, 440]); // latest per host, summed: 20+200, 40+400
  });

  test('filters select series by attribute or resource attribute; no groupBy → one series', async () => {
    assert.deepEqual(
      await query({ metric: 'system.memory.usage', aggregation: 'sum', filters: { 'host.name': 'h1' }, ...range }),
      [
        {
          labels: {},
          points: [
            [M0, 30],
            [M0 + MIN, 70],
          ],
        },
      ],
    );
    assert.deepEqual(
      await query({
        metric: 'system.memory.usage',
        aggregation: 'max',
        filters: { state: 'used', 'service.name': 'worker' },
        ...range,
      }),
      [
        {
          labels: {},
          points: [
            [M0, 5],
            [M0 + MIN, 5],
          ],
        },
      ],
    );
    assert.deepEqual(
      await query({ metric: 'system.memory.usage', aggregation: 'max', filters: { state: 'free' }, ...range }),
      [],
    );
  });

  test("tenant isolation: the other tenant's series never mix in", async () => {
    assert.deepEqual(await query({ metric: 'system.memory.usage', aggregation: 'max', ...range }, betaKey), [
      {
        labels: {},
        points: [
          [M0, 7777],
          [M0 + MIN, null],
        ],
      },
    ]);
    const mine = await query({ metric: 'system.memory.usage', aggregation: 'max', ...range });
    assert.deepEqual(mine[0]!.points, [
      [M0, 200],
      [M0 + MIN, 400],
    ]);
  });

  test('rate of a cumulative counter across a reset', async () => {
    // Counter 0, 60, 120 | reset | 30, 90 once a minute: 60/60 s, 60/60 s, 30/60 s, 60/60 s.
    const series = await query({
      metric: 'http.requests',
      aggregation: 'rate',
      from: M0,
      to: M0 + 5 * MIN - 1,
      stepSeconds: 60,
    });
    assert.deepEqual(series, [
      {
        labels: {},
        points: [
          [M0, null],
          [M0 + MIN, 1],
          [M0 + 2 * MIN, 1],
          [M0 + 3 * MIN, 0.5],
          [M0 + 4 * MIN, 1],
        ],
      },
    ]);
    // Over a 5-minute step the increases add up to 210 requests: 0.7/s.
    const wide = await query({
      metric: 'http.requests',
      aggregation: 'rate',
      from: M0 + MIN,
      to: M0 + 5 * MIN - 1,
      stepSeconds: 300,
    });
    assert.deepEqual(wide[0]!.points, [[M0, 0.7]]);
  });

  test('rate of a delta sum is its values per second', async () => {
    const series = await query({ metric: 'jobs.processed', aggregation: 'rate', groupBy: ['service.name'], ...range });
    assert.deepEqual(series, [
      {
        labels: { 'service.name': 'worker' },
        points: [
          [M0, 2],
          [M0 + MIN, 1],
        ],
      },
    ]);
  });

  test('histogram quantiles from bucket increases', async () => {
    const q = async (aggregation: string) =>
      (
        await query({
          metric: 'http.server.duration',
          aggregation,
          from: M0 + MIN,
          to: M0 + 3 * MIN - 1,
          stepSeconds: 60,
        })
      )[0]!.points;
    // First minute: 100 observations in buckets (0,0.1]:50 (0.1,0.5]:30 (0.5,1]:10 (1,5]:10, max 4.5.
    // p95 → rank 95 falls halfway through (1,5], narrowed to (1,4.5] by the max → 2.75; second
    // minute: 10 observations all ≤ 0.1, min 0.002 → the bucket is [0.002,0.1] → p95 = 0.002 + 0.098 × 0.95.
    const p95 = await q('p95');
    assert.equal(p95[0]![1], 2.75);
    assert.ok(Math.abs(p95[1]![1]! - (0.002 + 0.098 * 0.95)) < 1e-12);
    const p50 = (await q('p50')).map((p) => p[1]);
    assert.equal(p50[0], 0.1);
    assert.ok(Math.abs(p50[1]! - (0.002 + 0.098 * 0.5)) < 1e-12);
    assert.deepEqual((await q('p90')).map((p) => p[1])[0], 1);
    assert.deepEqual(
      (await q('count')).map((p) => p[1]),
      [100, 10],
    );
    assert.deepEqual(
      (await q('sum')).map((p) => p[1]),
      [60, 0.5],
    );
    assert.deepEqual(
      (await q('avg')).map((p) => p[1]),
      [0.6, 0.05],
    );
  });

  test('histogram min and max from the recorded Min/Max per step', async () => {
    const pick = async (aggregation: string, from: number) =>
      (await query({ metric: 'http.server.duration', aggregation, from, to: from + 2 * MIN - 1, stepSeconds: 60 }))[0]!
        .points;
    assert.deepEqual(await pick('min', M0 + MIN), [
      [M0 + MIN, 0.004],
      [M0 + 2 * MIN, 0.002],
    ]);
    assert.deepEqual(await pick('max', M0 + MIN), [
      [M0 + MIN, 4.5],
      [M0 + 2 * MIN, 4.5],
    ]);
    // The point at M0 recorded no Min/Max: null, not 0 or ±Infinity.
    assert.deepEqual(await pick('min', M0), [
      [M0, null],
      [M0 + MIN, 0.004],
    ]);
  });

  test('exponential histogram quantiles merge series of different scales', async () => {
    const points = async (aggregation: string, groupBy?: string[]) =>
      (await query({ metric: 'rpc.duration', aggregation, ...(groupBy ? { groupBy } : {}), ...range })).map((s) => ({
        labels: s.labels,
        values: s.points.map((p) => p[1]),
      }));
    const near = (actual: (number | null)[], expected: number[]) => {
      assert.equal(actual.length, expected.length);
      expected.forEach((e, i) =>
        assert.ok(actual[i] !== null && Math.abs(actual[i]! - e) < 1e-9, `${actual[i]} ≠ ${e} at ${i}`),
      );
    };
    // Minute 1 at scale 0: [-2,-1):5, zero:5, (2,4]:10, (4,8]:5. p50 → rank 12.5, a quarter into (2,4] on the log scale.
    // Minute 2 (cumulative increase across the scale change, base 4): (4,16]:10 → p50 halfway → 8.
    near((await points('p50'))[0]!.values, [2 ** 1.25, 8]);
    near((await points('p90'))[0]!.values, [2 ** 2.5, 4 ** 1.9]);
    near((await points('p95'))[0]!.values, [2 ** 2.75, 4 ** 1.95]);
    // p99 estimates (2^2.95, 4^1.99) lie above the recorded maxima (7, 15): clamped to them.
    assert.deepEqual((await points('p99'))[0]!.values, [7, 15]);
    assert.deepEqual((await points('count'))[0]!.values, [25, 10]);
    assert.deepEqual((await points('sum'))[0]!.values, [50, 100]);
    assert.deepEqual((await points('min'))[0]!.values, [-1.5, -1.5]);
    assert.deepEqual((await points('max'))[0]!.values, [7, 15]);
    // Grouped: the api series alone is 4 values in (2, 2√2] and 6 in (2√2, 4] at scale 1.
    const grouped = await points('p50', ['service.name']);
    assert.deepEqual(
      grouped.map((g) => g.labels),
      [{ 'service.name': 'api' }, { 'service.name': 'worker' }],
    );
    near([grouped[0]!.values[0]!], [2 ** ((3 + 1 / 6) / 2)]);
    assert.equal(grouped[0]!.values[1], null);
    // The worker series alone, minute 1: [-2,-1):5, zero:5, (4,8]:5 → rank 7.5 is in the zero bucket [-0.001, 0.001].
    near(grouped[1]!.values, [0, 8]);
  });

  test('unknown metric → no series', async () => {
    assert.deepEqual(await query({ metric: 'no.such.metric', aggregation: 'avg' }), []);
    assert.deepEqual(await query({ metric: 'http.requests', aggregation: 'rate', ...range }, betaKey), []);
  });

  test('metric query validation → 400 naming the field', async () => {
    const post = (body: unknown) => call(base, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
    assertError(await post({ aggregation: 'avg' }), 400, 'invalid_parameter', 'metric');
    assertError(await post({ metric: 'm', aggregation: 'median' }), 400, 'invalid_parameter', 'aggregation');
    assertError(
      await post({ metric: 'system.memory.usage', aggregation: 'p95', ...range }),
      400,
      'invalid_parameter',
      'aggregation',
    );
    assertError(
      await post({ metric: 'system.memory.usage', aggregation: 'rate', ...range }),
      400,
      'invalid_parameter',
      'aggregation',
    );
    assertError(
      await post({ metric: 'm', aggregation: 'avg', stepSeconds: 'big' }),
      400,
      'invalid_parameter',
      'stepSeconds',
    );
    assertError(await post({ metric: 'm', aggregation: 'avg', from: 'soon' }), 400, 'invalid_parameter', 'from');
    assertError(await post({ metric: 'm', aggregation: 'avg', filters: ['a'] }), 400, 'invalid_parameter', 'filters');
    assertError(await post([1, 2]), 400, 'invalid_parameter', 'body');
    assertError(await post('{not json'), 400, 'bad_request');
    assertError(await call(base, '/api/v1/metrics?from=x', { key: KEY }), 400, 'invalid_parameter', 'from');
  });
});

describe('caps: past a limit the answer is 422 naming what to narrow, never a truncated result', () => {
  let capped: QueryServer;
  before(async () => {
    capped = await startQueryServer({
      host: '127.0.0.1',
      port: 0,
      clickhouse: ch,
      controlPlane: cp,
      clickhouseMigrated: () => migrationsComplete(ch),
      limits: { maxMetricPoints: 4, maxMetrics: 2, maxTraceSpans: 1, maxServices: 1 },
    });
  });
  after(async () => capped?.close());

  test('services', async () => {
    const res = await call(capped.url, '/api/v1/services', { key: KEY });
    assertError(res, 422, 'result_too_large', 'from');
    assert.deepEqual(res.body.error.details, { limit: 1, narrow: ['from', 'to'] });
    const narrowed = await call(capped.url, `/api/v1/services?from=${T0 + 30_000}`, { key: KEY });
    assert.deepEqual(
      narrowed.body.data.map((d: ServiceDto) => [d.name, d.spanCount, d.requestCount, d.errorCount]),
      [['payments', 1, 1, 0]],
    );
  });

  test('spans of one trace', async () => {
    assertError(await call(capped.url, `/api/v1/traces/${TRACE_1}`, { key: KEY }), 422, 'result_too_large', 'spans');
    const small = await call<{ data: TraceDto }>(capped.url, `/api/v1/traces/${TRACE_2}`, { key: KEY });
    assert.equal(small.status, 200);
    assert.equal(small.body.data.spans.length, 1);
  });

  test('metric points and the metric list', async () => {
    const post = (body: unknown) => call(capped.url, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
    // 5 counter points (plus the step before from) exceed the cap of 4.
    const wide = await post({
      metric: 'http.requests',
      aggregation: 'rate',
      from: M0,
      to: M0 + 5 * MIN - 1,
      stepSeconds: 60,
    });
    assertError(wide, 422, 'result_too_large', 'from');
    assert.ok(wide.body.error.message.includes('filters'));
    const narrow = await post({
      metric: 'http.requests',
      aggregation: 'rate',
      from: M0 + 3 * MIN,
      to: M0 + 5 * MIN - 1,
      stepSeconds: 60,
    });
    assert.equal(narrow.status, 200, JSON.stringify(narrow.body));
    assert.deepEqual(narrow.body.data.series[0].points, [
      [M0 + 3 * MIN, 0.5],
      [M0 + 4 * MIN, 1],
    ]);
    assertError(
      await call(capped.url, `/api/v1/metrics?from=${M0}&to=${M0 + MIN}`, { key: KEY }),
      422,
      'result_too_large',
      'from',
    );
  });
});

describe('ClickHouse failures', () => {
  test('an unreachable ClickHouse → 503 with Retry-After in the standard error shape', async () => {
    const down = await createClickHouse({ url: 'http://127.0.0.1:1', dataDir: dir.path, requestTimeoutMs: 5000 });
    const other = await startQueryServer({
      host: '127.0.0.1',
      port: 0,
      clickhouse: down,
      controlPlane: cp,
      clickhouseMigrated: async () => true,
      log: () => {},
    });
    try {
      for (const res of [
        await call(other.url, '/api/v1/services', { key: KEY }),
        await call(other.url, `/api/v1/traces/${TRACE_1}`, { key: KEY }),
        await call(other.url, '/api/v1/logs?q=payment', { key: KEY }),
        await call(other.url, '/api/v1/metrics/query', {
          key: KEY,
          method: 'POST',
          body: { metric: 'system.memory.usage', aggregation: 'avg' },
        }),
      ]) {
        assertError(res, 503, 'unavailable');
        assert.equal(res.headers.get('retry-after'), '5');
      }
    } finally {
      await other.close();
      await down.close();
    }
  });

  test("the engine's own errors: a timeout is transient, a bad query is not", async () => {
    const failure = async (query: string) => {
      try {
        await (await ch.query({ query, format: 'JSONEachRow' })).json();
      } catch (e) {
        return e;
      }
      assert.fail(`${query} should fail`);
    };
    const timeout = await failure(
      'SELECT count() FROM numbers_mt(100000000000) SETTINGS max_execution_time = 0.2, timeout_before_checking_execution_speed = 0',
    );
    assert.equal(isStoreUnavailable(timeout), true, String(timeout));
    const syntax = await failure('SELEC 1');
    assert.equal(isStoreUnavailable(syntax), false, String(syntax));
  });
});
