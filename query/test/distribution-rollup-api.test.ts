// Distributions through the query planner against the same data read raw: cumulative
// histograms, exponential histograms (delta and cumulative) and summaries, with counter
// resets. Counts must be equal, sums and quantiles equal up to float rounding.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { call, type Json, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_distribution_rollup_test_key_01';
const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const NOW = Date.now();
/** A point a minute per series over three days ending a few minutes ago (the newest partial hour is raw). */
const START = Math.floor((NOW - 3 * D) / M) * M;
const POINTS = Math.floor((NOW - 5 * M - START) / M);
/** Series 88 restarts here with a new start time (a reset as OTLP sends it), inside an hour. */
const RESET_WITH_START = Math.floor((1.3 * D + 17 * M) / M);
/** Series 89 drops to a low count here with the same start time: two hours before a UTC midnight. */
const DROP = Math.floor((Math.ceil((START + D) / D) * D - 2 * H + 17 * M - START) / M);
const dir = tempDir('tf-distribution-rollup-api-');
let api: TestApi | undefined;
let base: string;

async function series(
  ch: ClickHouseClient,
  metric: string,
  type: string,
  temporality: number,
  fingerprints: number[],
): Promise<void> {
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, Temporality, ServiceName, Attributes, FirstSeenNs, LastSeenNs)
            SETTINGS async_insert = 0
            SELECT 'default', {metric:String}, fp, {type:String}, {temporality:UInt8}, 'shop', map('host', toString(fp)), toUInt64({start:UInt64}) * 1000000, toUInt64({now:UInt64}) * 1000000
            FROM (SELECT arrayJoin({fps:Array(UInt64)}) AS fp)`,
    query_params: { metric, type, temporality, fps: fingerprints, start: START, now: NOW },
  });
}

/**
 * Per point of a cumulative series: `j` the points since its start (1 at the first), `startMs`
 * its start time. Series 88 restarts with a new start time; series 89 drops to j = 1 without one.
 */
const CUMULATIVE_POINTS = `SELECT number, fp, toUInt64({start:UInt64} + number * 60000) * 1000000 AS t,
    toUInt64(if(fp = 88 AND number >= {reset:UInt64}, number - {reset:UInt64} + 1, if(fp = 89 AND number >= {drop:UInt64}, number - {drop:UInt64} + 1, number + 1))) AS j,
    toUInt64(if(fp = 88 AND number >= {reset:UInt64}, {start:UInt64} + {reset:UInt64} * 60000 - 30000, {start:UInt64} - 60000)) * 1000000 AS startNs
  FROM numbers({n:UInt64}) ARRAY JOIN [88, 89] AS fp`;
const POINT_PARAMS = { start: START, n: POINTS, reset: RESET_WITH_START, drop: DROP };

async function load(ch: ClickHouseClient): Promise<void> {
  await series(ch, 'http.duration', 'histogram', 2, [88, 89]);
  await ch.command({
    // Cumulative Min and Max (the maximum grows with the series); a few points recorded no Min.
    query: `INSERT INTO metrics_histogram (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Min, Max, BucketCounts, ExplicitBounds, Temporality)
            SETTINGS async_insert = 0
            SELECT 'default', 'http.duration', fp, startNs, t, arraySum(c), j * 10 + intDiv(j * j, 10), if(number % 500 = 7, NULL, 0.2), 5 + j / 100,
                   [j * 3, j * 2 + intDiv(j, 7), intDiv(j * j, 400)] AS c, [1, 5], 2
            FROM (${CUMULATIVE_POINTS})`,
    query_params: POINT_PARAMS,
  });
  await series(ch, 'rpc.size', 'exponential_histogram', 2, [88, 89]);
  await ch.command({
    query: `INSERT INTO metrics_exp_histogram (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Min, Max, Scale, ZeroCount, ZeroThreshold,
              PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts, Temporality)
            SETTINGS async_insert = 0
            SELECT 'default', 'rpc.size', fp, startNs, t, j + arraySum(c), j * 20 + intDiv(j * j, 7), 0, 400, 3, j, 0.001,
                   8, [j * 2, j * 3 + intDiv(j, 5), intDiv(j * j, 300), j] AS c, 0, [], 2
            FROM (${CUMULATIVE_POINTS})`,
    query_params: POINT_PARAMS,
  });
  await series(ch, 'gc.pause', 'summary', 0, [88, 89]);
  await ch.command({
    query: `INSERT INTO metrics_summary (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Quantiles, QuantileValues)
            SETTINGS async_insert = 0
            SELECT 'default', 'gc.pause', fp, startNs, t, j * 4 + intDiv(j * j, 1000), j * 0.25 + intDiv(j * j, 3000), [0.5, 0.99], [0.2, 0.9]
            FROM (${CUMULATIVE_POINTS})`,
    query_params: POINT_PARAMS,
  });
  await series(ch, 'http.requests', 'sum', 2, [88, 89]);
  await ch.command({
    query: `INSERT INTO metrics_sum (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Value, Temporality, IsMonotonic) SETTINGS async_insert = 0
            SELECT 'default', 'http.requests', fp, startNs, t, j * 7 + intDiv(j * j, 50), 2, true FROM (${CUMULATIVE_POINTS})`,
    query_params: POINT_PARAMS,
  });
  // Delta exponential histograms whose scale alternates (2 and 5), some points without Min.
  await series(ch, 'queue.wait', 'exponential_histogram', 1, [91]);
  await ch.command({
    query: `INSERT INTO metrics_exp_histogram (TenantId, MetricName, Fingerprint, TimeNs, Count, Sum, Min, Max, Scale, ZeroCount, ZeroThreshold,
              PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts, Temporality)
            SETTINGS async_insert = 0
            SELECT 'default', 'queue.wait', 91, toUInt64({start:UInt64} + number * 60000) * 1000000, number % 2 + arraySum(c), 50, if(number % 97 = 0, NULL, 0.5), 30,
                   if(number % 2 = 0, 2, 5), number % 2, 0.01,
                   if(number % 2 = 0, 4, 32), if(number % 2 = 0, [number % 3 + 1, number % 5, 2], [1, number % 4, 3, intDiv(number, 60) % 7]) AS c, 0, [], 1
            FROM numbers({n:UInt64})`,
    query_params: POINT_PARAMS,
  });
}

before(async () => {
  api = await startTestApi(dir.path, KEY, load);
  base = api.server.url;
});

after(async () => {
  await api?.close();
  dir.remove();
});

interface Answer {
  resolution: string;
  series: { labels: Record<string, string>; points: [number, number | null][] }[];
}

async function query(body: Record<string, unknown>): Promise<Answer> {
  const res = await call(base, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { resolution: (res.body as Json).meta.resolution, series: (res.body as Json).data.series };
}

/**
 * The planned answer reads `resolution` and equals the raw one: counts exactly, other
 * values up to float rounding (sums of many per-point increases against a few rollup ones).
 * Returns the planned answer's non-null values.
 */
async function assertPlannedEqualsRaw(body: Record<string, unknown>, resolution: string): Promise<number[]> {
  const planned = await query(body);
  const raw = await query({ ...body, resolution: 'raw' });
  const what = `${String(body.metric)} ${String(body.aggregation)} step ${String(body.stepSeconds)}`;
  assert.equal(planned.resolution, resolution, what);
  assert.equal(raw.resolution, 'raw', what);
  assert.deepEqual(
    planned.series.map((s) => s.labels),
    raw.series.map((s) => s.labels),
    what,
  );
  const values: number[] = [];
  planned.series.forEach((s, i) => {
    const expected = raw.series[i]!.points;
    assert.equal(s.points.length, expected.length, what);
    s.points.forEach(([t, v], k) => {
      const [et, ev] = expected[k]!;
      assert.equal(t, et, what);
      if (ev === null) return assert.equal(v, null, `${what} at ${new Date(t).toISOString()}`);
      if (body.aggregation === 'count') assert.equal(v, ev, `${what} at ${new Date(t).toISOString()}`);
      else
        assert.ok(
          v !== null && Math.abs(v - ev) <= 1e-9 * Math.max(1, Math.abs(ev)),
          `${what} at ${new Date(t).toISOString()}: ${v} vs raw ${ev}`,
        );
      values.push(v!);
    });
  });
  return values;
}

const range = { from: NOW - 3 * D + 2 * H, to: NOW };

describe('cumulative explicit histograms', () => {
  test('quantiles, count, sum and avg per hour, per host and summed over hosts, read hourly rollups and equal raw, across both kinds of reset', async () => {
    for (const aggregation of ['p50', 'p90', 'p95', 'p99', 'count', 'sum', 'avg']) {
      for (const groupBy of [['host'], []]) {
        const values = await assertPlannedEqualsRaw(
          { metric: 'http.duration', aggregation, groupBy, ...range, stepSeconds: 3600 },
          'hourly',
        );
        assert.ok(values.length >= 60 * (groupBy.length === 1 ? 2 : 1), `${aggregation}: ${values.length} values`);
      }
    }
  });

  test("quantiles beyond the last bound are interpolated up to the points' recorded maximum, from raw points and rollups alike", async () => {
    const p99 = await assertPlannedEqualsRaw(
      { metric: 'http.duration', aggregation: 'p99', groupBy: ['host'], ...range, stepSeconds: 3600 },
      'hourly',
    );
    // Once the +Inf bucket holds over 1% of the observations, p99 lies in (5, Max], no longer at the bound 5.
    assert.ok(
      p99.some((v) => v > 5),
      'p99 above the last bound',
    );
    assert.ok(
      p99.every((v) => v <= 5 + (POINTS + 1) / 100),
      'p99 never above the largest Max',
    );
  });

  test('the hour holding a reset counts the growth before it and the new count after it, as raw points do', async () => {
    const resetHour = Math.floor((START + RESET_WITH_START * M) / H) * H;
    const { series } = await query({
      metric: 'http.duration',
      aggregation: 'count',
      groupBy: ['host'],
      ...range,
      stepSeconds: 3600,
    });
    const host88 = new Map(series.find((s) => s.labels.host === '88')!.points);
    // Each minute adds 5 observations plus a growing share of the quadratic bucket: never less than 5 a minute.
    for (const hour of [resetHour - H, resetHour, resetHour + H])
      assert.ok((host88.get(hour) ?? 0) >= 5 * 59, `${new Date(hour).toISOString()}: ${host88.get(hour)}`);
  });

  test('daily steps read daily rollups and equal raw', async () => {
    for (const aggregation of ['p50', 'p99', 'count', 'avg']) {
      await assertPlannedEqualsRaw(
        { metric: 'http.duration', aggregation, groupBy: ['host'], from: NOW - 3 * D, to: NOW, stepSeconds: 86_400 },
        'daily',
      );
    }
  });
});

describe('exponential histograms', () => {
  test('cumulative: quantiles, count, sum and avg per hour read the cumulative rollups and equal raw, across resets', async () => {
    for (const aggregation of ['p50', 'p90', 'p99', 'count', 'sum', 'avg']) {
      const values = await assertPlannedEqualsRaw(
        { metric: 'rpc.size', aggregation, groupBy: ['host'], ...range, stepSeconds: 3600 },
        'hourly',
      );
      assert.ok(values.length >= 120, `${aggregation}: ${values.length} values`);
    }
    await assertPlannedEqualsRaw(
      { metric: 'rpc.size', aggregation: 'p95', from: NOW - 3 * D, to: NOW, stepSeconds: 86_400 },
      'daily',
    );
  });

  test('delta with changing scales: quantiles per hour and per day read the per-scale rollups and equal raw', async () => {
    for (const aggregation of ['p50', 'p90', 'p99']) {
      const values = await assertPlannedEqualsRaw(
        { metric: 'queue.wait', aggregation, ...range, stepSeconds: 3600 },
        'hourly',
      );
      assert.ok(values.length >= 60, `${aggregation}: ${values.length} values`);
      // Values of scale-2 and scale-5 points merged at scale 2: between 2^1 and 2^2 (offset 4 at scale 2 is 2^(4/4)).
      assert.ok(
        values.every((v) => v >= 0.5 && v <= 30),
        `${aggregation} within the recorded extremes`,
      );
    }
    await assertPlannedEqualsRaw(
      { metric: 'queue.wait', aggregation: 'p50', from: NOW - 3 * D, to: NOW, stepSeconds: 86_400 },
      'daily',
    );
  });
});

describe('cumulative sums', () => {
  test('increase and rate per hour read the value rollups from the first whole hour of the range on, and equal raw', async () => {
    for (const aggregation of ['increase', 'rate']) {
      const values = await assertPlannedEqualsRaw(
        { metric: 'http.requests', aggregation, groupBy: ['host'], ...range, stepSeconds: 3600 },
        'hourly',
      );
      assert.ok(values.length >= 120, `${aggregation}: ${values.length} values`);
    }
  });
});

describe('summaries', () => {
  test('count, sum and avg per hour and per day read the summary rollups and equal raw, across resets', async () => {
    for (const aggregation of ['count', 'sum', 'avg']) {
      const values = await assertPlannedEqualsRaw(
        { metric: 'gc.pause', aggregation, groupBy: ['host'], ...range, stepSeconds: 3600 },
        'hourly',
      );
      assert.ok(values.length >= 120, `${aggregation}: ${values.length} values`);
      await assertPlannedEqualsRaw(
        { metric: 'gc.pause', aggregation, from: NOW - 3 * D, to: NOW, stepSeconds: 86_400 },
        'daily',
      );
    }
  });
});
