// Exemplars over a long range: a busy last five minutes must not crowd out the exemplars of
// the hours before (they are sampled per time bucket, not taken newest first).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIN, ns } from './fixtures.js';
import { call, insertRows, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_metric_exemplars_test_key_000001';
const HOUR = 60 * MIN;
const NOW = Math.floor(Date.now() / MIN) * MIN;
const dir = tempDir('tf-metric-exemplars-');
let api: TestApi;

const METRIC = 'checkout.latency';
const FP = '7001';
const ONE_HOUR_AGO = 'a1'.repeat(16);
const THREE_HOURS_AGO = 'a3'.repeat(16);
const hexId = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');

interface Exemplar {
  ms: number;
  value: number;
  trace: string;
  span: string;
}
function point(ms: number, exemplars: Exemplar[]) {
  return {
    TenantId: 'default',
    MetricName: METRIC,
    Fingerprint: FP,
    StartTime: ns(ms),
    Time: ns(ms),
    Flags: 0,
    Value: exemplars[0]?.value ?? 0,
    ExemplarTimesNs: exemplars.map((e) => ns(e.ms)),
    ExemplarValues: exemplars.map((e) => e.value),
    ExemplarIntValues: exemplars.map(() => null),
    ExemplarTraceIdsHex: exemplars.map((e) => e.trace),
    ExemplarSpanIdsHex: exemplars.map((e) => e.span),
    ExemplarAttributes: exemplars.map(() => ({})),
    ExemplarAttributeTypes: exemplars.map(() => ({})),
  };
}

/** 300 exemplars in the last five minutes (a point every 5 s with five each), one an hour ago, one three hours ago. */
const POINTS = [
  ...Array.from({ length: 60 }, (_, i) => {
    const ms = NOW - 5 * MIN + i * 5000;
    return point(
      ms,
      Array.from({ length: 5 }, (_, k) => ({
        ms: ms + k * 100,
        value: 10 + k,
        trace: hexId(1000 + i * 5 + k, 16),
        span: hexId(1000 + i * 5 + k, 8),
      })),
    );
  }),
  point(NOW - HOUR, [{ ms: NOW - HOUR, value: 250, trace: ONE_HOUR_AGO, span: 'b1'.repeat(8) }]),
  point(NOW - 3 * HOUR, [{ ms: NOW - 3 * HOUR, value: 900, trace: THREE_HOURS_AGO, span: 'b3'.repeat(8) }]),
];

before(async () => {
  api = await startTestApi(dir.path, KEY, async (ch) => {
    await insertRows(ch, 'metric_series', [
      {
        TenantId: 'default',
        MetricName: METRIC,
        Fingerprint: FP,
        MetricType: 'gauge',
        Unit: 'ms',
        ServiceName: 'checkout',
        ResourceAttributes: { 'service.name': 'checkout' },
        Attributes: {},
        FirstSeen: ns(NOW - 4 * HOUR),
        LastSeen: ns(NOW),
      },
    ]);
    await insertRows(ch, 'metrics_gauge', POINTS);
  });
});

after(async () => {
  await api?.close();
  dir.remove();
});

const exemplars = async (query: string): Promise<Json[]> => {
  const r = await call<Json>(api.server.url, `/api/v1/metrics/exemplars?metric=${METRIC}&${query}`, { key: KEY });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data;
};
const sixHours = `from=${NOW - 6 * HOUR}&to=${NOW + MIN}`;

describe('metric exemplars over a long range', () => {
  test('exemplars of an hour and three hours ago come back beside a busy last five minutes', async () => {
    for (const limit of [200, 100]) {
      const data = await exemplars(`${sixHours}&limit=${limit}`);
      assert.equal(data.length, limit, `limit ${limit}`);
      const traces = data.map((e) => e.traceId);
      assert.ok(traces.includes(ONE_HOUR_AGO), `limit ${limit}: the exemplar of an hour ago`);
      assert.ok(traces.includes(THREE_HOURS_AGO), `limit ${limit}: the exemplar of three hours ago`);
      const times = data.map((e) => BigInt(e.timeUnixNano));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)),
        'newest first',
      );
      assert.equal(new Set(data.map((e) => e.spanId)).size, limit, 'no exemplar twice');
    }
    const old = (await exemplars(sixHours)).find((e) => e.traceId === THREE_HOURS_AGO);
    assert.deepEqual(
      [old.timeUnixNano, old.value, old.spanId, old.seriesLabels],
      [ns(NOW - 3 * HOUR), 900, 'b3'.repeat(8), { 'service.name': 'checkout' }],
    );
  });

  test('a small limit still reaches back over the range; the sample is the same on every request', async () => {
    const few = await exemplars(`${sixHours}&limit=5`);
    assert.equal(few.length, 5);
    assert.ok(few.some((e) => e.traceId === THREE_HOURS_AGO));
    const same = await exemplars(`to=${NOW + MIN}&from=${NOW - 6 * HOUR}&limit=5`);
    assert.deepEqual(same, few);
  });

  test('a range of the last ten minutes has only its own exemplars, all of them when they fit', async () => {
    const recent = await exemplars(`from=${NOW - 10 * MIN}&to=${NOW + MIN}&limit=1000`);
    assert.equal(recent.length, 300);
    assert.ok(!recent.some((e) => e.traceId === ONE_HOUR_AGO || e.traceId === THREE_HOURS_AGO));
  });
});
