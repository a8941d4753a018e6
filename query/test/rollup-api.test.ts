// The aggregate endpoints through the query planner against the same data read raw:
// counts exact, quantiles within 2%; tenant isolation; retention through the API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { call, type Json, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_rollup_api_test_key_default_01';
const H = 3_600_000;
const D = 24 * H;
const NOW = Date.now();
/** Three days of data ending a few minutes ago, so the newest partial hour comes from raw rows. */
const START = NOW - 3 * D;
const END = NOW - 5 * 60_000;
const dir = tempDir('tf-rollup-api-');
let ch: ClickHouseClient;
let base: string;
let betaKey: string;

/**
 * Spans of three services: shop and db serve requests (server spans; a third are internal
 * spans, half of them roots), cron has none (client spans, half of them roots: its
 * entry spans). Durations log-normal around 8 ms; every 7th span failed.
 */
async function loadSpans(tenant: string, n: number): Promise<void> {
  await ch.command({
    query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode)
            SETTINGS async_insert = 0
            SELECT {tenant:String}, hex(generateUUIDv4()), lower(hex(number + 1)),
                   if((number % 11 = 0 OR number % 3 = 2) AND number % 2 = 0, '0102030405060708', ''),
                   multiIf(number % 11 = 0, 'cron', number % 5 = 0, 'db', 'shop'), ['GET /cart', 'POST /pay', 'GET /'][number % 3 + 1],
                   multiIf(number % 11 = 0, 'SPAN_KIND_CLIENT', number % 3 = 2, 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER'),
                   start, start + d, d, if(number % 7 = 0, 'STATUS_CODE_ERROR', 'STATUS_CODE_OK')
            FROM (SELECT number, toUInt64({start:UInt64} + intDiv(number * ({end:UInt64} - {start:UInt64}), {n:UInt64})) * 1000000 AS start,
                         toInt64(exp(randNormal(log(8e6), 0.4))) AS d FROM numbers({n:UInt64}))`,
    query_params: { tenant, n, start: START, end: END },
  });
}

async function loadLogs(tenant: string, n: number): Promise<void> {
  await ch.command({
    query: `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, SeverityText, SeverityNumber, ServiceName, Body) SETTINGS async_insert = 0
            SELECT {tenant:String}, t, t, ['INFO', 'WARN', 'ERROR', ''][number % 4 + 1], [9, 13, 17, 0][number % 4 + 1], if(number % 2 = 0, 'shop', 'db'), 'line'
            FROM (SELECT number, toUInt64({start:UInt64} + intDiv(number * ({end:UInt64} - {start:UInt64}), {n:UInt64})) * 1000000 AS t FROM numbers({n:UInt64}))`,
    query_params: { tenant, n, start: START, end: END },
  });
}

let api: TestApi | undefined;

/** Two series of a gauge, a point every 30 s over the three days; integer values keep sums exact. */
async function loadGauge(): Promise<void> {
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, ServiceName, ResourceAttributes, FirstSeenNs, LastSeenNs)
            SETTINGS async_insert = 0
            SELECT 'default', 'queue.depth', number + 1, 'gauge', 'shop', map('service.name', 'shop', 'host.name', concat('h', toString(number))),
                   toUInt64({start:UInt64}) * 1000000, toUInt64({end:UInt64}) * 1000000 FROM numbers(2)`,
    query_params: { start: START, end: END },
  });
  await ch.command({
    query: `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value) SETTINGS async_insert = 0
            SELECT 'default', 'queue.depth', number % 2 + 1, toUInt64({start:UInt64} + intDiv(number, 2) * 30000) * 1000000, (number * 7919) % 1000
            FROM numbers({n:UInt64})`,
    query_params: { start: START, n: 2 * Math.floor((END - START) / 30_000) },
  });
}

/** A delta histogram series with a point every minute over the three days, Min and Max varying; every 50th point without Min. */
async function loadHistogram(): Promise<void> {
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, Temporality, ServiceName, FirstSeenNs, LastSeenNs) SETTINGS async_insert = 0
            VALUES ('default', 'rpc.latency', 77, 'histogram', 1, 'shop', toUInt64({start:UInt64}) * 1000000, toUInt64({end:UInt64}) * 1000000)`,
    query_params: { start: START, end: END },
  });
  await ch.command({
    query: `INSERT INTO metrics_histogram (TenantId, MetricName, Fingerprint, TimeNs, Count, Sum, Min, Max, BucketCounts, ExplicitBounds, Temporality)
            SETTINGS async_insert = 0
            SELECT 'default', 'rpc.latency', 77, toUInt64({start:UInt64} + number * 60000) * 1000000, c[1] + c[2] + c[3], 10,
                   if(number % 50 = 0, NULL, (number * 13) % 97 / 10), 10 + (number * 31) % 89,
                   [number % 4, 1 + number % 3, (number * 7) % 5] AS c, [1, 5], 1
            FROM numbers({n:UInt64})`,
    query_params: { start: START, n: Math.floor((END - START) / 60_000) },
  });
}

/** A gauge of int64 values past 2^53 (nanosecond times, as process.start_time-like gauges send), a point every minute over the three days. */
const BIG = 1_796_000_000_000_000_000n;
async function loadIntGauge(): Promise<void> {
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, ServiceName, FirstSeenNs, LastSeenNs) SETTINGS async_insert = 0
            VALUES ('default', 'boot.time', 99, 'gauge', 'shop', toUInt64({start:UInt64}) * 1000000, toUInt64({end:UInt64}) * 1000000)`,
    query_params: { start: START, end: END },
  });
  await ch.command({
    query: `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value, IntValue) SETTINGS async_insert = 0
            SELECT 'default', 'boot.time', 99, toUInt64({start:UInt64} + number * 60000) * 1000000, toFloat64(v), v
            FROM (SELECT number, toInt64({big:Int64} + (number * 7919) % 1001) AS v FROM numbers({n:UInt64}))`,
    query_params: { start: START, big: BIG, n: Math.floor((END - START) / 60_000) },
  });
}

before(async () => {
  api = await startTestApi(dir.path, KEY, async (c) => {
    ch = c;
    await loadSpans('default', 90_000);
    await loadSpans('beta', 9_000);
    await loadLogs('default', 60_000);
    await loadLogs('beta', 6_000);
    await loadGauge();
    await loadHistogram();
    await loadIntGauge();
  });
  betaKey = api.betaKey;
  base = api.server.url;
});

after(async () => {
  await api?.close();
  dir.remove();
});

const range = (from: number, to: number, extra = '') => `from=${from}&to=${to}${extra}`;

/** The same request through the planner and forced raw; both must succeed. */
async function both(path: string, key = KEY): Promise<[Json, Json]> {
  const planned = await call(base, path, { key });
  const raw = await call(base, `${path}&resolution=raw`, { key });
  assert.equal(planned.status, 200, JSON.stringify(planned.body));
  assert.equal(raw.status, 200, JSON.stringify(raw.body));
  assert.equal(raw.body.meta.resolution, 'raw');
  return [planned.body, raw.body];
}

function assertClose(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(actual !== null && Math.abs(actual - expected) / expected <= 0.02, `${what}: ${actual} vs ${expected}`);
}

/** The entry spans of a service, as raw spans: server and consumer spans, or root spans where it has none. */
const ENTRY = `(Kind IN ('SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER') OR (ServiceName = 'cron' AND ParentSpanId = toFixedString('', 8)))`;

async function exactRed(where: string, params: Record<string, unknown>): Promise<{ n: number; errors: number }> {
  const rs = await ch.query({
    query: `SELECT count() AS n, countIf(StatusCode = 'STATUS_CODE_ERROR') AS errors FROM spans WHERE ${where}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string; errors: string }>();
  return { n: Number(row!.n), errors: Number(row!.errors) };
}

async function exactQuantilesMs(where: string, params: Record<string, unknown>): Promise<number[]> {
  const rs = await ch.query({
    query: `SELECT quantilesExactInclusive(0.5, 0.95, 0.99)(DurationNs) AS q FROM spans WHERE ${where}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ q: number[] }>();
  return row!.q.map((v) => Number(v) / 1e6);
}

describe('service RED', () => {
  test('hourly steps over two days come from the hourly rollup plus raw edges and equal the raw answer', async () => {
    const [planned, raw] = await both(`/api/v1/services/shop/red?${range(NOW - 2 * D, NOW, '&stepSeconds=3600')}`);
    assert.equal(planned.meta.resolution, 'hourly');
    assert.equal(planned.meta.stepSeconds, 3600);
    assert.equal(planned.data.length, raw.data.length);
    assert.ok(planned.data.length >= 48);
    planned.data.forEach((p: Json, i: number) => {
      const r = raw.data[i];
      assert.deepEqual(
        [p.t, p.count, p.errorCount, p.rate, p.errorRate],
        [r.t, r.count, r.errorCount, r.rate, r.errorRate],
      );
      for (const k of ['p50Ms', 'p95Ms', 'p99Ms']) assertClose(p[k], r[k], `${k} at ${p.t}`);
    });
    const total = planned.data.reduce((a: number, p: Json) => a + p.count, 0);
    assert.ok(total > 25_000, `${total} requests`);
  });

  test('a service without server or consumer spans: its root spans per hour, the same from rollups as from raw spans', async () => {
    const [planned, raw] = await both(`/api/v1/services/cron/red?${range(NOW - 2 * D, NOW, '&stepSeconds=3600')}`);
    assert.equal(planned.meta.resolution, 'hourly');
    planned.data.forEach((p: Json, i: number) => {
      const r = raw.data[i];
      assert.deepEqual(
        [p.t, p.count, p.errorCount, p.rate, p.errorRate],
        [r.t, r.count, r.errorCount, r.rate, r.errorRate],
      );
      for (const k of ['p50Ms', 'p95Ms', 'p99Ms']) assertClose(p[k], r[k], `${k} at ${p.t}`);
    });
    const total = planned.data.reduce((a: number, p: Json) => a + p.count, 0);
    // Half of cron's ~5,450 client spans in two days are roots.
    assert.ok(total > 2_000 && total < 3_000, `${total} requests`);
  });

  test('a one-hour range reads raw data; a step of 5 minutes too', async () => {
    const res = await call(base, `/api/v1/services/shop/red?${range(NOW - H, NOW)}`, { key: KEY });
    assert.equal(res.body.meta.resolution, 'raw');
    assert.equal(res.body.meta.stepSeconds, 60);
    const fine = await call(base, `/api/v1/services/shop/red?${range(NOW - 2 * D, NOW, '&stepSeconds=300')}`, {
      key: KEY,
    });
    assert.equal(fine.body.meta.resolution, 'raw');
  });

  test('several services in one request: each series equals its own request, from raw spans and rollups alike', async () => {
    for (const step of ['&stepSeconds=3600', '&stepSeconds=60']) {
      const q = range(NOW - (step.endsWith('3600') ? 2 * D : H), NOW, step);
      const [planned, raw] = await both(`/api/v1/services/red?service=cron&service=shop&service=nosuch&${q}`);
      assert.deepEqual(
        planned.data.map((s: Json) => s.service),
        ['cron', 'shop', 'nosuch'],
      );
      assert.equal(planned.meta.resolution, step.endsWith('3600') ? 'hourly' : 'raw');
      for (const [i, service] of ['cron', 'shop'].entries()) {
        const one = await call(base, `/api/v1/services/${service}/red?${q}`, { key: KEY });
        assert.deepEqual(planned.data[i].points, one.body.data, `${service} ${step}`);
        assert.deepEqual(planned.meta, one.body.meta);
        const alone = await call(base, `/api/v1/services/${service}/red?${q}&resolution=raw`, { key: KEY });
        assert.deepEqual(raw.data[i].points, alone.body.data, `${service} ${step} raw`);
        assert.ok(
          one.body.data.some((p: Json) => p.count > 0),
          `${service} has requests`,
        );
      }
      // A service without spans: every step there, none with requests.
      assert.equal(planned.data[2].points.length, planned.data[0].points.length);
      assert.ok(planned.data[2].points.every((p: Json) => p.count === 0 && p.errorRate === null && p.p95Ms === null));
    }
  });

  test('several services: another tenant gets its own spans; no service or too many → 400 naming service', async () => {
    const q = range(NOW - 3 * D - H, NOW, '&stepSeconds=3600');
    const red = await call(base, `/api/v1/services/red?service=shop&${q}`, { key: betaKey });
    assert.equal(red.status, 200, JSON.stringify(red.body));
    assert.equal(
      red.body.data[0].points.reduce((a: number, p: Json) => a + p.count, 0),
      (await exactRed(`TenantId = 'beta' AND ServiceName = 'shop' AND ${ENTRY}`, {})).n,
    );
    const none = await call(base, `/api/v1/services/red?${q}`, { key: KEY });
    assert.equal(none.status, 400);
    assert.equal(none.body.error.details.parameter, 'service');
    const many = Array.from({ length: 101 }, (_, i) => `service=s${i}`).join('&');
    const tooMany = await call(base, `/api/v1/services/red?${many}&${q}`, { key: KEY });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error.details.parameter, 'service');
  });

  test('bad step → 400 naming stepSeconds', async () => {
    const res = await call(base, `/api/v1/services/shop/red?${range(NOW - 2 * D, NOW, '&stepSeconds=1')}`, {
      key: KEY,
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.details.parameter, 'stepSeconds');
  });
});

describe('service operations', () => {
  test('three days read whole days daily, then hourly and raw; counts equal raw, quantiles within 2% of exact', async () => {
    const from = NOW - 3 * D - H;
    const [planned, raw] = await both(`/api/v1/services/shop/operations?${range(from, NOW)}`);
    assert.equal(planned.meta.resolution, 'daily');
    assert.deepEqual(
      planned.data.map((o: Json) => [o.name, o.kind, o.count, o.errorCount]),
      raw.data.map((o: Json) => [o.name, o.kind, o.count, o.errorCount]),
    );
    assert.deepEqual(planned.data.map((o: Json) => o.name).sort(), ['GET /', 'GET /cart', 'POST /pay']);
    for (const op of planned.data) {
      const exact = await exactQuantilesMs("TenantId = 'default' AND ServiceName = 'shop' AND Name = {op:String}", {
        op: op.name,
      });
      assertClose(op.p50Ms, exact[0]!, `${op.name} p50`);
      assertClose(op.p95Ms, exact[1]!, `${op.name} p95`);
      assertClose(op.p99Ms, exact[2]!, `${op.name} p99`);
    }
  });
});

describe('services list', () => {
  test('GET /api/v1/services over three days says daily and equals raw counts', async () => {
    const [planned, raw] = await both(`/api/v1/services?${range(NOW - 3 * D - H, NOW)}`);
    assert.equal(planned.meta.resolution, 'daily');
    assert.deepEqual(planned.data, raw.data);
    assert.deepEqual(
      planned.data.map((s: Json) => s.name),
      ['cron', 'db', 'shop'],
    );
    assert.equal(
      planned.data.reduce((a: number, s: Json) => a + s.spanCount, 0),
      90_000,
    );
  });

  test('requests, errors and latency are those of entry spans: server spans, or the root spans of a service without them', async () => {
    const [planned] = await both(`/api/v1/services?${range(NOW - 3 * D - H, NOW)}`);
    assert.deepEqual(
      planned.data.map((s: Json) => [s.name, s.entrySpans]),
      [
        ['cron', 'root'],
        ['db', 'server_consumer'],
        ['shop', 'server_consumer'],
      ],
    );
    for (const s of planned.data) {
      const where = `TenantId = 'default' AND ServiceName = {service:String} AND ${ENTRY}`;
      const exact = await exactRed(where, { service: s.name });
      assert.deepEqual([s.requestCount, s.errorCount], [exact.n, exact.errors], s.name);
      assert.ok(s.requestCount < s.spanCount, `${s.name}: fewer requests than spans`);
      const [p50, p95, p99] = await exactQuantilesMs(where, { service: s.name });
      assertClose(s.p50Ms, p50!, `${s.name} p50`);
      assertClose(s.p95Ms, p95!, `${s.name} p95`);
      assertClose(s.p99Ms, p99!, `${s.name} p99`);
    }
  });

  test("the service map's nodes carry the same entry-span RED", async () => {
    const services = await call(base, `/api/v1/services?${range(NOW - 3 * D - H, NOW)}`, { key: KEY });
    const map = await call(base, `/api/v1/service-map?${range(NOW - 3 * D - H, NOW)}`, { key: KEY });
    assert.equal(map.status, 200, JSON.stringify(map.body));
    assert.equal(map.body.meta.resolution, 'daily');
    assert.deepEqual(
      map.body.data.nodes.map((n: Json) => [n.service, n.count, n.errorCount, n.p95Ms]),
      services.body.data.map((s: Json) => [s.name, s.requestCount, s.errorCount, s.p95Ms]),
    );
  });
});

describe('log volume', () => {
  test('per hour and severity over three days equals the raw counts exactly', async () => {
    const [planned, raw] = await both(`/api/v1/logs/volume?${range(NOW - 3 * D - H, NOW, '&stepSeconds=3600')}`);
    assert.equal(planned.meta.resolution, 'hourly');
    assert.deepEqual(planned.data, raw.data);
    assert.equal(
      planned.data.reduce((a: number, p: Json) => a + p.total, 0),
      60_000,
    );
    const severities = new Set(planned.data.flatMap((p: Json) => Object.keys(p.bySeverity)));
    assert.deepEqual([...severities].sort(), ['ERROR', 'INFO', 'UNSPECIFIED', 'WARN']);
  });

  test('daily steps over a month say daily; the service filter applies', async () => {
    const [planned, raw] = await both(
      `/api/v1/logs/volume?${range(NOW - 30 * D, NOW, '&stepSeconds=86400&service=shop')}`,
    );
    assert.equal(planned.meta.resolution, 'daily');
    assert.deepEqual(planned.data, raw.data);
    assert.equal(
      planned.data.reduce((a: number, p: Json) => a + p.total, 0),
      30_000,
    );
  });
});

describe('metric query', () => {
  test('gauge statistics per hour over three days read the hourly rollup and equal the raw answer', async () => {
    for (const aggregation of ['avg', 'sum', 'min', 'max', 'count', 'last']) {
      const body = {
        metric: 'queue.depth',
        aggregation,
        groupBy: ['host.name'],
        from: NOW - 3 * D,
        to: NOW,
        stepSeconds: 3600,
      };
      const planned = await call(base, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
      const raw = await call(base, '/api/v1/metrics/query', {
        key: KEY,
        method: 'POST',
        body: { ...body, resolution: 'raw' },
      });
      assert.equal(planned.status, 200, JSON.stringify(planned.body));
      assert.equal(planned.body.meta.resolution, 'hourly', aggregation);
      assert.equal(raw.body.meta.resolution, 'raw');
      assert.deepEqual(planned.body.data, raw.body.data, aggregation);
      assert.equal(planned.body.data.series.length, 2);
    }
  });

  test('without a step, three days get hourly steps and read the rollup', async () => {
    const res = await call(base, '/api/v1/metrics/query', {
      key: KEY,
      method: 'POST',
      body: { metric: 'queue.depth', aggregation: 'avg', from: NOW - 3 * D, to: NOW },
    });
    assert.equal(res.body.meta.resolution, 'hourly');
    const [a, b] = res.body.data.series[0].points;
    assert.equal(b[0] - a[0], H);
  });

  test('delta histogram min, max, count, sum and avg per hour read the histogram rollup and equal the raw answer', async () => {
    for (const aggregation of ['min', 'max', 'count', 'sum', 'avg']) {
      const body = { metric: 'rpc.latency', aggregation, from: NOW - 3 * D, to: NOW, stepSeconds: 3600 };
      const planned = await call(base, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
      const raw = await call(base, '/api/v1/metrics/query', {
        key: KEY,
        method: 'POST',
        body: { ...body, resolution: 'raw' },
      });
      assert.equal(planned.body.meta.resolution, 'hourly', aggregation);
      assert.deepEqual(planned.body.data, raw.body.data, aggregation);
      assert.ok(planned.body.data.series[0].points.filter((p: Json) => p[1] !== null).length >= 72);
    }
  });

  test('delta histogram quantiles per hour read the merged bucket counts of the rollup and equal the raw answer', async () => {
    for (const aggregation of ['p50', 'p90', 'p99']) {
      const body = { metric: 'rpc.latency', aggregation, from: NOW - 3 * D, to: NOW, stepSeconds: 3600 };
      const planned = await call(base, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
      const raw = await call(base, '/api/v1/metrics/query', {
        key: KEY,
        method: 'POST',
        body: { ...body, resolution: 'raw' },
      });
      assert.equal(planned.body.meta.resolution, 'hourly', aggregation);
      assert.equal(raw.body.meta.resolution, 'raw', aggregation);
      const points = planned.body.data.series[0].points.filter((p: Json) => p[1] !== null);
      assert.ok(points.length >= 72, aggregation);
      const rawPoints = new Map(raw.body.data.series[0].points.map((p: Json) => [p[0], p[1]]));
      for (const [t, v] of points)
        assert.ok(
          Math.abs(v - (rawPoints.get(t) as number)) < 1e-9,
          `${aggregation} at ${t}: ${v} vs ${rawPoints.get(t)}`,
        );
    }
    const p50 = await call(base, '/api/v1/metrics/query', {
      key: KEY,
      method: 'POST',
      body: { metric: 'rpc.latency', aggregation: 'p50', from: NOW - 3 * D, to: NOW, stepSeconds: 3600 },
    });
    assert.ok(
      p50.body.data.series[0].points.some((p: Json) => p[1] > 1 && p[1] < 5),
      'the median interpolates inside the (1, 5] bucket',
    );
  });

  test('int64 gauges: min, max and last come back exactly per hour, from the rollups as from raw points', async () => {
    const rs = await ch.query({
      query: `SELECT toInt64(toUnixTimestamp(toStartOfHour(toDateTime(Time, 'UTC')))) * 1000 AS t, toString(min(IntValue)) AS min, toString(max(IntValue)) AS max,
                     toString(argMax(IntValue, Time)) AS last
              FROM metrics_gauge WHERE TenantId = 'default' AND MetricName = 'boot.time' GROUP BY t`,
      format: 'JSONEachRow',
    });
    const exact = new Map(
      (await rs.json<{ t: string; min: string; max: string; last: string }>()).map((r) => [Number(r.t), r]),
    );
    for (const aggregation of ['min', 'max', 'last'] as const) {
      const body = { metric: 'boot.time', aggregation, from: NOW - 3 * D, to: NOW, stepSeconds: 3600 };
      const planned = await call(base, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
      const raw = await call(base, '/api/v1/metrics/query', {
        key: KEY,
        method: 'POST',
        body: { ...body, resolution: 'raw' },
      });
      assert.equal(planned.body.meta.resolution, 'hourly', aggregation);
      assert.deepEqual(planned.body.data, raw.body.data, aggregation);
      const [series] = planned.body.data.series;
      assert.equal(series.intValues.length, series.points.length);
      let checked = 0;
      series.points.forEach(([t]: [number], i: number) => {
        const e = exact.get(t);
        assert.equal(series.intValues[i], e ? e[aggregation] : null, `${aggregation} at ${t}`);
        if (e) checked++;
      });
      assert.ok(checked >= 72, `${aggregation}: ${checked} exact values`);
      assert.ok(
        series.intValues.some((v: string | null) => v !== null && BigInt(v) !== BigInt(Math.round(Number(v)))),
        'values a JSON number cannot hold',
      );
    }
    // Averages are computed, not stored values: no exact form.
    const avg = await call(base, '/api/v1/metrics/query', {
      key: KEY,
      method: 'POST',
      body: { metric: 'boot.time', aggregation: 'avg', from: NOW - 3 * D, to: NOW, stepSeconds: 3600 },
    });
    assert.equal(avg.body.data.series[0].intValues, undefined);
  });

  test('a one-minute step reads raw points', async () => {
    const res = await call(base, '/api/v1/metrics/query', {
      key: KEY,
      method: 'POST',
      body: { metric: 'queue.depth', aggregation: 'max', from: NOW - H, to: NOW, stepSeconds: 60 },
    });
    assert.equal(res.body.meta.resolution, 'raw');
  });
});

describe('tenant isolation', () => {
  test('another tenant sees only its own spans and logs on every aggregate endpoint', async () => {
    const q = range(NOW - 3 * D - H, NOW);
    const services = await call(base, `/api/v1/services?${q}`, { key: betaKey });
    assert.equal(
      services.body.data.reduce((a: number, s: Json) => a + s.spanCount, 0),
      9_000,
    );
    const ops = await call(base, `/api/v1/services/shop/operations?${q}`, { key: betaKey });
    const shop = await exactRed("TenantId = 'beta' AND ServiceName = 'shop'", {});
    assert.equal(
      ops.body.data.reduce((a: number, o: Json) => a + o.count, 0),
      shop.n,
    );
    const red = await call(base, `/api/v1/services/shop/red?${q}&stepSeconds=3600`, { key: betaKey });
    assert.equal(
      red.body.data.reduce((a: number, p: Json) => a + p.count, 0),
      (await exactRed(`TenantId = 'beta' AND ServiceName = 'shop' AND ${ENTRY}`, {})).n,
    );
    const volume = await call(base, `/api/v1/logs/volume?${q}&stepSeconds=3600`, { key: betaKey });
    assert.equal(
      volume.body.data.reduce((a: number, p: Json) => a + p.total, 0),
      6_000,
    );
  });
});

describe('retention', () => {
  test('GET /api/v1/retention returns the defaults; read-only keys get 403', async () => {
    const res = await call(base, '/api/v1/retention', { key: KEY });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data.spans, { rawDays: 15, hourlyDays: 90, dailyDays: 400 });
    const denied = await call(base, '/api/v1/retention', { key: betaKey });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'forbidden');
    assert.equal(
      (await call(base, '/api/v1/retention', { key: betaKey, method: 'PUT', body: { logs: { rawDays: 1 } } })).status,
      403,
    );
  });

  test('invalid PUT bodies → 400 in the error shape, naming the field', async () => {
    const res = await call(base, '/api/v1/retention', { key: KEY, method: 'PUT', body: { logs: { rawDays: 200 } } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_parameter');
    assert.deepEqual(res.body.error.details, { parameter: 'logs.hourlyDays' });
    assert.ok(res.body.error.requestId);
  });

  test("a shorter raw retention: planner stops reading expired raw data, and TTL deletes only this tenant's old rows", async () => {
    const res = await call(base, '/api/v1/retention', { key: KEY, method: 'PUT', body: { spans: { rawDays: 1 } } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.data.spans, { rawDays: 1, hourlyDays: 90, dailyDays: 400 });
    assert.deepEqual((await call(base, '/api/v1/retention', { key: KEY })).body.data.spans, {
      rawDays: 1,
      hourlyDays: 90,
      dailyDays: 400,
    });
    // Two days back with a 1-minute step would be raw; raw data older than a day is gone, so hourly.
    const red = await call(
      base,
      `/api/v1/services/shop/red?${range(NOW - 2 * D, NOW - 2 * D + 10 * 60_000, '&stepSeconds=60')}`,
      { key: KEY },
    );
    assert.equal(red.body.meta.resolution, 'hourly');

    await waitForMutations();
    await ch.command({ query: 'OPTIMIZE TABLE spans FINAL' });
    const rs = await ch.query({
      query: `SELECT TenantId AS tenant, countIf(StartTime < now() - INTERVAL 1 DAY) AS old, count() AS n FROM spans GROUP BY tenant ORDER BY tenant`,
      format: 'JSONEachRow',
    });
    const counts = await rs.json<{ tenant: string; old: string; n: string }>();
    assert.equal(counts[0]!.tenant, 'beta');
    assert.ok(Number(counts[0]!.old) > 5_000, 'beta keeps its old spans');
    assert.deepEqual([counts[1]!.tenant, counts[1]!.old], ['default', '0']);
    // The rollups still answer for the whole range.
    const services = await call(base, `/api/v1/services?${range(NOW - 3 * D - H, NOW)}`, { key: KEY });
    assert.equal(
      services.body.data.reduce((a: number, s: Json) => a + s.spanCount, 0),
      90_000,
    );
  });
});

async function waitForMutations(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const rs = await ch.query({
      query: 'SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND NOT is_done',
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ n: string }>();
    if (row!.n === '0') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('mutations did not finish');
}
