import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { QueryResult } from '@telemetryflow/contract';
import { ApiError } from '@telemetryflow/http-kit';
import { ClickHouseReader } from '../src/clickhouse-reader.js';
import { createApiKey, createTenant } from '@telemetryflow/identity';
import { QueryRunner, queryLimits } from '../src/index.js';
import { GAUGE_POINTS, M0, METRIC_SERIES, MIN, SUM_POINTS, ns } from './fixtures.js';
import { call, insertRows, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_query_runner_test_key_default_01';
const HOUR = 3_600_000;
/** Three whole hours ago: the hours H0 .. H0+2h are complete, so rollups answer them. */
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const dir = tempDir('tf-query-runner-');
let api: TestApi;

let n = 0;
function span(
  tenant: string,
  o: {
    service: string;
    name: string;
    kind?: string;
    ms: number;
    durMs: number;
    error?: boolean;
    attrs?: Record<string, string>;
    parent?: string;
  },
) {
  n++;
  return {
    TenantId: tenant,
    TraceIdHex: n.toString(16).padStart(32, '0'),
    SpanIdHex: n.toString(16).padStart(16, '0'),
    ParentSpanIdHex: o.parent ?? '',
    ServiceName: o.service,
    Name: o.name,
    Kind: o.kind ?? 'SPAN_KIND_SERVER',
    StartTime: ns(o.ms),
    EndTimeNs: ns(o.ms + o.durMs),
    DurationNs: String(o.durMs * 1_000_000),
    StatusCode: o.error ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
    ResourceAttributes: { 'service.name': o.service, 'deployment.environment': o.service === 'api' ? 'prod' : 'dev' },
    Attributes: o.attrs ?? {},
  };
}

function log(
  tenant: string,
  ms: number,
  service: string,
  sev: number,
  body: string,
  attrs: Record<string, string> = {},
) {
  return {
    TenantId: tenant,
    Timestamp: ns(ms),
    ObservedTimestamp: ns(ms),
    ServiceName: service,
    SeverityNumber: sev,
    SeverityText: '',
    Body: body,
    Attributes: attrs,
    ResourceAttributes: { 'service.name': service },
  };
}

// api: 10 spans per hour in each of the three hours (1 error per hour, 10 ms … 100 ms); worker: 5 in the first hour.
const SPANS = [
  ...[0, 1, 2].flatMap((h) =>
    Array.from({ length: 10 }, (_, i) =>
      span('default', {
        service: 'api',
        name: 'GET /',
        ms: H0 + h * HOUR + i * MIN,
        durMs: (i + 1) * 10,
        error: i === 0,
        attrs: { 'http.route': i < 5 ? '/a' : '/b' },
      }),
    ),
  ),
  ...Array.from({ length: 5 }, (_, i) =>
    span('default', { service: 'worker', name: 'job', kind: 'SPAN_KIND_CONSUMER', ms: H0 + i * MIN, durMs: 5 }),
  ),
  span('beta', { service: 'api', name: 'GET /', ms: H0, durMs: 1 }),
];

/**
 * Tenant gamma, per hour: api serves 10 requests (server spans of 10 … 100 ms, one failed),
 * each with three 1 ms internal children (two failed per hour); cron has no server spans:
 * 4 root client spans (one failed) and 4 client children; worker consumes 5 messages in the
 * first hour.
 */
const PARENT = 'aa'.repeat(8);
const GAMMA_SPANS = [0, 1, 2].flatMap((h) => [
  ...Array.from({ length: 10 }, (_, i) => [
    span('gamma', { service: 'api', name: 'GET /', ms: H0 + h * HOUR + i * MIN, durMs: (i + 1) * 10, error: i === 0 }),
    ...[0, 1, 2].map((c) =>
      span('gamma', {
        service: 'api',
        name: 'render',
        kind: 'SPAN_KIND_INTERNAL',
        ms: H0 + h * HOUR + i * MIN + c,
        durMs: 1,
        error: i < 2 && c === 0,
        parent: PARENT,
      }),
    ),
  ]).flat(),
  ...Array.from({ length: 4 }, (_, i) => [
    span('gamma', {
      service: 'cron',
      name: 'sync',
      kind: 'SPAN_KIND_CLIENT',
      ms: H0 + h * HOUR + i * MIN,
      durMs: 200,
      error: i === 0,
    }),
    span('gamma', {
      service: 'cron',
      name: 'fetch',
      kind: 'SPAN_KIND_CLIENT',
      ms: H0 + h * HOUR + i * MIN + 1,
      durMs: 5,
      parent: PARENT,
    }),
  ]).flat(),
  ...(h === 0
    ? Array.from({ length: 5 }, (_, i) =>
        span('gamma', { service: 'worker', name: 'job', kind: 'SPAN_KIND_CONSUMER', ms: H0 + i * MIN, durMs: 5 }),
      )
    : []),
]);

const LOGS = [
  log('default', H0 + MIN, 'api', 17, 'Payment failed: card-declined for order 42', { order: '42' }),
  log('default', H0 + 2 * MIN, 'api', 9, 'payment accepted'),
  log('default', H0 + HOUR + MIN, 'worker', 13, 'Retrying payments queue'),
  log('default', H0 + HOUR + 2 * MIN, 'worker', 21, 'worker crashed'),
  log('beta', H0 + MIN, 'api', 17, 'Payment failed'),
];

const TRACE = 'ab'.repeat(16);
/** Two more points of http.requests (api) at M0+10 min and +11 min, with exemplars. */
const EXEMPLAR_POINTS = [
  {
    TenantId: 'default',
    MetricName: 'http.requests',
    Fingerprint: '2001',
    StartTime: ns(M0 - 60 * MIN),
    Time: ns(M0 + 10 * MIN),
    Value: 150,
    Temporality: 2,
    IsMonotonic: true,
    ExemplarTimesNs: [ns(M0 + 10 * MIN - 500)],
    ExemplarValues: [1],
    ExemplarIntValues: ['1'],
    ExemplarTraceIdsHex: [TRACE],
    ExemplarSpanIdsHex: ['cd'.repeat(8)],
    ExemplarAttributes: [{ 'http.route': '/pay' }],
    ExemplarAttributeTypes: [{}],
  },
  {
    TenantId: 'default',
    MetricName: 'http.requests',
    Fingerprint: '2001',
    StartTime: ns(M0 - 60 * MIN),
    Time: ns(M0 + 11 * MIN),
    Value: 160,
    Temporality: 2,
    IsMonotonic: true,
    ExemplarTimesNs: [ns(M0 + 11 * MIN - 100), ns(M0 + 11 * MIN - 50)],
    ExemplarValues: [2, 3],
    ExemplarIntValues: [null, null],
    ExemplarTraceIdsHex: [TRACE, ''],
    ExemplarSpanIdsHex: ['ef'.repeat(8), ''],
    ExemplarAttributes: [{}, {}],
    ExemplarAttributeTypes: [{}, {}],
  },
];

/** A cumulative counter every 10 min from H0 - 1h: +10 per point, reset to 5 at H0 + 1h30m. */
const COUNTER_SERIES = {
  TenantId: 'default',
  MetricName: 'req.total',
  Fingerprint: '5001',
  MetricType: 'sum',
  Temporality: 2,
  IsMonotonic: true,
  ResourceAttributes: { 'service.name': 'api' },
  Attributes: {},
  FirstSeen: ns(H0 - HOUR),
  LastSeen: ns(H0 + 3 * HOUR),
};
const COUNTER_POINTS = Array.from({ length: 24 }, (_, k) => ({
  TenantId: 'default',
  MetricName: 'req.total',
  Fingerprint: '5001',
  StartTime: ns(H0 - 2 * HOUR),
  Time: ns(H0 - HOUR + k * 10 * MIN),
  Value: k < 15 ? 10 * k : 10 * (k - 15) + 5,
  Temporality: 2,
  IsMonotonic: true,
}));

before(async () => {
  api = await startTestApi(dir.path, KEY, async (ch) => {
    await insertRows(ch, 'spans', SPANS);
    await insertRows(ch, 'spans', GAMMA_SPANS);
    await insertRows(ch, 'logs', LOGS);
    await insertRows(ch, 'metric_series', [...METRIC_SERIES, COUNTER_SERIES]);
    await insertRows(ch, 'metrics_sum', COUNTER_POINTS);
    await insertRows(ch, 'metrics_gauge', GAUGE_POINTS);
    await insertRows(ch, 'metrics_sum', [...SUM_POINTS, ...EXEMPLAR_POINTS]);
  });
});

after(async () => {
  await api?.close();
  dir.remove();
});

const window = { from: H0, to: H0 + 3 * HOUR - 1, step: 3600 };
const query = (q: unknown, key = KEY, w: Record<string, unknown> = window) =>
  call(api.server.url, '/api/v1/query', { key, method: 'POST', body: { query: q, ...w } });
const values = (r: QueryResult, labels: Record<string, string> = {}) =>
  r.series.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels))?.points.map((p) => p[1]);

describe('POST /api/v1/query: spans', () => {
  test('count by service over whole hours comes from rollups and equals the raw answer', async () => {
    const r = await query({ signal: 'spans', measure: 'count', groupBy: ['service'] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.meta.resolution, 'hourly');
    assert.equal(r.body.meta.step, 3600);
    assert.deepEqual(
      r.body.data.series.map((s: Json) => s.labels),
      [{ service: 'api' }, { service: 'worker' }],
    );
    assert.deepEqual(values(r.body.data, { service: 'api' }), [10, 10, 10]);
    assert.deepEqual(values(r.body.data, { service: 'worker' }), [5, 0, 0]);
    assert.deepEqual(
      r.body.data.series[0].points.map((p: Json) => p[0]),
      [H0, H0 + HOUR, H0 + 2 * HOUR],
    );
  });

  test('error rate, errors and p95 per step; a kind filter in short form', async () => {
    const rate = await query({
      signal: 'spans',
      measure: 'error_rate',
      filters: [{ label: 'service', op: '=', value: 'api' }],
    });
    assert.deepEqual(values(rate.body.data), [0.1, 0.1, 0.1]);
    const errors = await query({
      signal: 'spans',
      measure: 'errors',
      filters: [{ label: 'kind', op: 'in', value: ['consumer'] }],
    });
    assert.deepEqual(values(errors.body.data), [0, 0, 0]);
    const p95 = await query({
      signal: 'spans',
      measure: 'p95',
      filters: [{ label: 'service', op: '=', value: 'api' }],
    });
    // Ten spans of 10 … 100 ms: the sketch (1% accuracy) ranks p95 at the 9th or 10th value.
    for (const v of values(p95.body.data)!) assert.ok(v! >= 88 && v! <= 101, `p95 ${v}`);
    const avg = await query({
      signal: 'spans',
      measure: 'avg',
      filters: [{ label: 'service', op: '=', value: 'worker' }],
    });
    assert.deepEqual(values(avg.body.data), [5, null, null]);
  });

  test('attribute and resource labels read raw spans: filters with regex and !=, groupBy attr', async () => {
    const r = await query({
      signal: 'spans',
      measure: 'count',
      groupBy: ['attr.http.route'],
      filters: [
        { label: 'resource.deployment.environment', op: '=~', value: '^pr' },
        { label: 'status', op: '!=', value: 'error' },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.meta.resolution, 'raw');
    assert.deepEqual(values(r.body.data, { 'attr.http.route': '/a' }), [4, 4, 4]);
    assert.deepEqual(values(r.body.data, { 'attr.http.route': '/b' }), [5, 5, 5]);
  });

  test('the tenant comes from the key: beta sees only its own span', async () => {
    const r = await query({ signal: 'spans', measure: 'count', groupBy: ['service'] }, api.betaKey);
    assert.deepEqual(r.body.data.series, [
      {
        labels: { service: 'api' },
        points: [
          [H0, 1],
          [H0 + HOUR, 0],
          [H0 + 2 * HOUR, 0],
        ],
      },
    ]);
  });
});

describe("POST /api/v1/query: spans 'entry', the spans a service's RED is over", () => {
  let gammaKey: string;
  before(async () => {
    await createTenant(api.cp.dataSource, { id: 'gamma', name: 'Gamma' });
    gammaKey = (await createApiKey(api.cp.dataSource, { tenantId: 'gamma', name: 'reader', scopes: ['read'] })).key;
  });
  const entry = (q: Record<string, unknown>, extra: Record<string, unknown>[] = []) =>
    query({ signal: 'spans', spans: 'entry', ...q, ...(extra.length ? { filters: extra } : {}) }, gammaKey);
  /** A filter on a label the rollups do not keep: the same query answered from raw spans. */
  const RAW = { label: 'resource.deployment.environment', op: '=~', value: '.*' };

  test('requests per service: server and consumer spans, or root spans where a service has none; rollups and raw spans agree', async () => {
    for (const [extra, resolution] of [
      [[], 'hourly'],
      [[RAW], 'raw'],
    ] as const) {
      const r = await entry({ measure: 'count', groupBy: ['service'] }, [...extra]);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.meta.resolution, resolution);
      assert.deepEqual(values(r.body.data, { service: 'api' }), [10, 10, 10], resolution);
      assert.deepEqual(values(r.body.data, { service: 'cron' }), [4, 4, 4], resolution);
      assert.deepEqual(values(r.body.data, { service: 'worker' }), [5, 0, 0], resolution);
    }
    // All spans, for contrast: children included.
    const all = await query({ signal: 'spans', measure: 'count', groupBy: ['service'] }, gammaKey);
    assert.deepEqual(values(all.body.data, { service: 'api' }), [40, 40, 40]);
  });

  test("error rate and p95 are the requests', not their children's", async () => {
    const api_ = [{ label: 'service', op: '=', value: 'api' }];
    for (const extra of [[], [RAW]]) {
      const rate = await entry({ measure: 'error_rate' }, [...api_, ...extra]);
      assert.deepEqual(values(rate.body.data), [0.1, 0.1, 0.1]);
      const p95 = await entry({ measure: 'p95' }, [...api_, ...extra]);
      for (const v of values(p95.body.data)!) assert.ok(v! >= 88 && v! <= 101, `p95 ${v}`);
    }
    const cron = await entry({ measure: 'error_rate', groupBy: ['service'] }, [
      { label: 'service', op: '=', value: 'cron' },
    ]);
    assert.deepEqual(values(cron.body.data, { service: 'cron' }), [0.25, 0.25, 0.25]);
    // Over all spans the same service reads 3 failed of 40.
    const all = await query({ signal: 'spans', measure: 'error_rate', filters: api_ }, gammaKey);
    assert.deepEqual(values(all.body.data), [0.075, 0.075, 0.075]);
  });

  test('by operation (per-operation rollups): only the entry operations, all services together', async () => {
    const r = await entry({ measure: 'count', groupBy: ['operation'] });
    assert.equal(r.body.meta.resolution, 'hourly');
    assert.deepEqual(
      r.body.data.series.map((x: Json) => x.labels.operation),
      ['GET /', 'job', 'sync'],
    );
    assert.deepEqual(values(r.body.data, { operation: 'sync' }), [4, 4, 4]);
    const total = await entry({ measure: 'count' });
    assert.deepEqual(values(total.body.data), [19, 14, 14]);
  });
});

describe('POST /api/v1/query: logs', () => {
  test('count by severity with rollups; text search, prefix and attribute filters read raw logs', async () => {
    const bySeverity = await query({ signal: 'logs', measure: 'count', groupBy: ['severity'], minSeverity: 'WARN' });
    assert.equal(bySeverity.body.meta.resolution, 'hourly');
    assert.deepEqual(
      bySeverity.body.data.series.map((s: Json) => s.labels.severity),
      ['ERROR', 'FATAL', 'WARN'],
    );
    assert.deepEqual(values(bySeverity.body.data, { severity: 'ERROR' }), [1, 0, 0]);
    const words = await query({ signal: 'logs', measure: 'count', search: 'PAYMENT "card declined"' });
    assert.equal(words.body.meta.resolution, 'raw');
    assert.deepEqual(values(words.body.data), [1, 0, 0]);
    const prefix = await query({ signal: 'logs', measure: 'count', search: 'paym*', groupBy: ['service'] });
    assert.deepEqual(values(prefix.body.data, { service: 'api' }), [2, 0, 0]);
    assert.deepEqual(values(prefix.body.data, { service: 'worker' }), [0, 1, 0]);
    const attr = await query({
      signal: 'logs',
      measure: 'count',
      filters: [{ label: 'attr.order', op: 'in', value: ['41', '42'] }],
    });
    assert.deepEqual(values(attr.body.data), [1, 0, 0]);
  });
});

describe('POST /api/v1/query: metrics and validation', () => {
  test('a metrics query with a regex filter and groupBy', async () => {
    const r = await query(
      {
        signal: 'metrics',
        metric: 'system.memory.usage',
        aggregation: 'max',
        filters: [{ label: 'host.name', op: '!~', value: '^h3$' }],
        groupBy: ['host.name'],
      },
      KEY,
      { from: M0, to: M0 + 2 * MIN - 1, step: 120 },
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.data.series, [
      { labels: { 'host.name': 'h1' }, points: [[M0, 40]] },
      { labels: { 'host.name': 'h2' }, points: [[M0, 400]] },
    ]);
  });

  test('bad queries are 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ signal: 'traces', measure: 'count' }, 'query.signal'],
      [{ signal: 'spans', measure: 'median' }, 'query.measure'],
      [
        { signal: 'spans', measure: 'count', filters: [{ label: 'service', op: 'in', value: 'api' }] },
        'query.filters.0.value',
      ],
      [
        { signal: 'spans', measure: 'count', filters: [{ label: 'host', op: '=', value: 'x' }] },
        'query.filters.0.label',
      ],
      [
        { signal: 'logs', measure: 'count', filters: [{ label: 'service', op: '=~', value: '(' }] },
        'query.filters.0.value',
      ],
    ];
    for (const [q, parameter] of cases) {
      const r = await query(q);
      assert.equal(r.status, 400, JSON.stringify(q));
      assert.equal(r.body.error.details.parameter, parameter, JSON.stringify(r.body));
    }
    const noKey = await call(api.server.url, '/api/v1/query', {
      method: 'POST',
      body: { query: { signal: 'logs', measure: 'count' }, ...window },
    });
    assert.equal(noKey.status, 401);
    const tooFine = await query({ signal: 'logs', measure: 'count' }, KEY, { from: 0, to: Date.now(), step: 1 });
    assert.equal(tooFine.status, 400);
    assert.match(tooFine.body.error.message, /maxRangeDays|step/);
  });
});

describe('QueryRunner outside the API', () => {
  test('constructed with a ClickHouse client: rate and increase of a counter across a reset', async () => {
    const runner = new QueryRunner({ clickhouse: api.ch });
    const w = { fromNs: BigInt(M0 + MIN) * 1_000_000n, toNs: BigInt(M0 + 5 * MIN - 1) * 1_000_000n, stepSeconds: 60 };
    // Cumulative 0, 60, 120, 30 (reset), 90 at M0 + i min.
    const inc = await runner.run('default', { signal: 'metrics', metric: 'http.requests', aggregation: 'increase' }, w);
    assert.deepEqual(
      inc.data.series[0]!.points.map((p) => p[1]),
      [60, 60, 30, 60],
    );
    const rate = await runner.run('default', { signal: 'metrics', metric: 'http.requests', aggregation: 'rate' }, w);
    assert.deepEqual(
      rate.data.series[0]!.points.map((p) => p[1]),
      [1, 1, 0.5, 1],
    );
    assert.deepEqual(rate.meta, { resolution: 'raw', step: 60 });
  });

  test('increase and rate over whole hours read the value rollups and stay reset-aware', async () => {
    const runner = new QueryRunner({ clickhouse: api.ch });
    const w = { fromNs: BigInt(H0) * 1_000_000n, toNs: BigInt(H0 + 3 * HOUR - 1) * 1_000_000n, stepSeconds: 3600 };
    const inc = await runner.run('default', { signal: 'metrics', metric: 'req.total', aggregation: 'increase' }, w);
    assert.equal(inc.meta.resolution, 'hourly');
    // Exact per hour, the hour with the reset included: 10 + 10 + 10 + 5 (after the reset) + 10 + 10.
    assert.deepEqual(inc.data.series[0]!.points, [
      [H0, 60],
      [H0 + HOUR, 55],
      [H0 + 2 * HOUR, 60],
    ]);
    const rate = await runner.run('default', { signal: 'metrics', metric: 'req.total', aggregation: 'rate' }, w);
    assert.deepEqual(
      rate.data.series[0]!.points.map((p) => p[1]),
      [60 / 3600, 55 / 3600, 60 / 3600],
    );
    // Ten-minute steps fit no rollup: raw points, the same totals.
    const fine = await runner.run(
      'default',
      { signal: 'metrics', metric: 'req.total', aggregation: 'increase' },
      { ...w, stepSeconds: 600 },
    );
    assert.equal(fine.meta.resolution, 'raw');
    const perHour = [0, 1, 2].map((h) =>
      fine.data.series[0]!.points.slice(h * 6, h * 6 + 6).reduce((a, p) => a + p[1]!, 0),
    );
    assert.deepEqual(perHour, [60, 55, 60]);
  });

  test('limits: past maxRowsToRead or maxExecutionSeconds a 422 naming the limit; past maxSearchRangeDays a 400', async () => {
    const runner = new QueryRunner({ clickhouse: api.ch, limits: { maxRowsToRead: 5 } });
    await assert.rejects(
      runner.run(
        'default',
        { signal: 'spans', measure: 'count', filters: [{ label: 'attr.http.route', op: '=', value: '/a' }] },
        { fromNs: BigInt(H0) * 1_000_000n, toNs: BigInt(H0 + 3 * HOUR) * 1_000_000n },
      ),
      (e: unknown) => e instanceof ApiError && e.status === 422 && (e.details as Json).limit === 'maxRowsToRead',
    );
    // A query that would run for minutes stops at max_execution_time.
    const slow = new ClickHouseReader(
      api.ch,
      queryLimits({ maxExecutionSeconds: 1, maxRowsToRead: 2_000_000_000_000_000 }),
    );
    await assert.rejects(
      slow.select('SELECT count() FROM numbers_mt(1000000000000)', {}),
      (e: unknown) => e instanceof ApiError && e.status === 422 && (e.details as Json).limit === 'maxExecutionSeconds',
    );
    const short = new QueryRunner({ clickhouse: api.ch, limits: { maxSearchRangeDays: 1 } });
    await assert.rejects(
      short.run(
        'default',
        { signal: 'logs', measure: 'count', search: 'x' },
        { fromNs: 0n, toNs: BigInt(3 * 86_400_000) * 1_000_000n },
      ),
      (e: unknown) => e instanceof ApiError && e.status === 400 && (e.details as Json).limit === 'maxSearchRangeDays',
    );
  });
});

describe('metric label discovery and exemplars', () => {
  const get = (path: string, key = KEY) => call<Json>(api.server.url, path, { key });
  const range = `from=${M0 - MIN}&to=${M0 + 20 * MIN}`;

  test('label keys and values of a metric, point and resource attributes together', async () => {
    const keys = await get(`/api/v1/metrics/labels?metric=system.memory.usage&${range}`);
    assert.equal(keys.status, 200, JSON.stringify(keys.body));
    assert.deepEqual(keys.body.data, [
      { key: 'host.name', count: 3 },
      { key: 'service.name', count: 3 },
      { key: 'state', count: 3 },
    ]);
    const hosts = await get(`/api/v1/metrics/labels/host.name/values?metric=system.memory.usage&${range}`);
    assert.deepEqual(hosts.body.data, ['h1', 'h2', 'h3']);
    const services = await get(
      `/api/v1/metrics/labels/service.name/values?metric=system.memory.usage&prefix=w&${range}`,
    );
    assert.deepEqual(services.body.data, ['worker']);
    const beta = await get(`/api/v1/metrics/labels/host.name/values?metric=system.memory.usage&${range}`, api.betaKey);
    assert.deepEqual(beta.body.data, ['b1']);
    assert.equal((await get(`/api/v1/metrics/labels?${range}`)).status, 400);
  });

  test('exemplars of a series, newest first, with the trace to jump to', async () => {
    const r = await get(`/api/v1/metrics/exemplars?metric=http.requests&resource.service.name=api&${range}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.data.map((e: Json) => [e.value, e.traceId, e.spanId]),
      [
        [3, '', ''],
        [2, TRACE, 'ef'.repeat(8)],
        [1, TRACE, 'cd'.repeat(8)],
      ],
    );
    // An integer exemplar also comes back exactly, as a string; double ones have none.
    assert.deepEqual(
      r.body.data.map((e: Json) => e.intValue),
      [undefined, undefined, '1'],
    );
    assert.equal(r.body.data[2].timeUnixNano, ns(M0 + 10 * MIN - 500));
    assert.deepEqual(r.body.data[2].attributes, { 'http.route': '/pay' });
    assert.deepEqual(r.body.data[2].seriesLabels, { 'service.name': 'api' });
    const none = await get(`/api/v1/metrics/exemplars?metric=http.requests&resource.service.name=worker&${range}`);
    assert.deepEqual(none.body.data, []);
    const other = await get(`/api/v1/metrics/exemplars?metric=http.requests&${range}`, api.betaKey);
    assert.deepEqual(other.body.data, []);
  });
});
