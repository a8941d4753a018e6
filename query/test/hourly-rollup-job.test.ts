// Hourly metric rollups built from closed hours (migration 0022, clickhouse/src/hourly-rollups.ts):
// metric answers through the planner equal forced-raw answers, and do not change, before the job
// rolls an hour (raw points), after it (hourly rows), after a restart, after an hour is rolled
// twice, with late points for a rolled hour, and after `rollups:backfill`. PromQL reads raw
// points only (query/src/prometheus reads no rollup table).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  backfillRollups,
  HOURLY_ROLLUPS,
  metricsDailyUntil,
  metricsHourlyUntil,
  readWatermarks,
  rollClosedHours,
  rollHourStatement,
  type ClickHouseClient,
} from '@telemetryflow/clickhouse';
import { call, type Json, startTestApi, tempDir, type TestApi } from './helpers.js';
import { cumulativePoints, gaugePoints, histogramPoints, series } from './metric-rollup-points.js';

const KEY = 'tf_hourly_rollup_job_test_key_01';
const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const dir = tempDir('tf-hourly-rollup-job-');
let api: TestApi;
/** The first hourly watermark (migration 0022: the UTC hour it ran); the data covers six hours either side. */
let W = 0;
/** The daily watermark (0019: the UTC day it ran). */
let T = 0;

/** Twelve hours of points, from six hours before the watermark (late for the views) to six after (left to the job). */
async function load(ch: ClickHouseClient): Promise<void> {
  const watermarks = await readWatermarks(ch);
  W = metricsHourlyUntil(watermarks)!;
  T = metricsDailyUntil(watermarks);
  assert.ok(W > 0 && T <= W, 'migration 0022 sets the hourly watermarks, not behind the daily ones');
  const from = W - 6 * H;
  const seen = { fromMs: W - 2 * D, toMs: W + 2 * D };
  await series(ch, 'queue.depth', 'gauge', 0, [1, 2], seen);
  await gaugePoints(ch, from, (12 * H) / (2 * M), 2 * M, 7919);
  await series(ch, 'rpc.latency', 'histogram', 1, [77], seen);
  await histogramPoints(ch, from, (12 * H) / (3 * M), 3 * M);
  // A cumulative counter and a cumulative histogram, a point every 2 minutes from half an hour
  // before the twelve hours (the increase of the first hour then has a point before it).
  await series(ch, 'http.requests', 'sum', 2, [88], seen);
  await series(ch, 'http.duration', 'histogram', 2, [89], seen);
  await cumulativePoints(ch, from, (12 * H) / (2 * M) + 15, 2 * M);
}

before(async () => {
  api = await startTestApi(dir.path, KEY, load);
});

after(async () => {
  await api?.close();
  dir.remove();
});

/** The process restarted on the same data: a new ClickHouse client, API, planner and result cache. */
async function restart(): Promise<void> {
  await api.close();
  api = await startTestApi(dir.path, KEY, async () => {});
}

/** Hourly, two-hourly, twelve-hourly and 10-minute steps over the twelve hours; daily steps over the days around them. */
function queries(): Record<string, unknown>[] {
  const hours = { from: W - 6 * H, to: W + 6 * H, stepSeconds: 3600 };
  return [
    // Only hours after the first watermark: the job's hours.
    { metric: 'queue.depth', aggregation: 'sum', groupBy: ['host'], from: W + H, to: W + 5 * H, stepSeconds: 3600 },
    ...['avg', 'sum', 'min', 'max', 'count', 'last'].map((aggregation) => ({
      metric: 'queue.depth',
      aggregation,
      groupBy: ['host'],
      ...hours,
    })),
    { metric: 'queue.depth', aggregation: 'max', from: W - 6 * H, to: W + 6 * H, stepSeconds: 7200 },
    { metric: 'queue.depth', aggregation: 'avg', from: W - 6 * H, to: W + 6 * H, stepSeconds: 43_200 },
    { metric: 'queue.depth', aggregation: 'avg', from: W - 2 * H, to: W + 2 * H, stepSeconds: 600 },
    {
      metric: 'queue.depth',
      aggregation: 'sum',
      from: T - D,
      to: T + 2 * D,
      stepSeconds: 86_400,
    },
    ...['count', 'sum', 'min', 'max', 'p50', 'p99'].map((aggregation) => ({
      metric: 'rpc.latency',
      aggregation,
      ...hours,
    })),
    { metric: 'http.requests', aggregation: 'increase', ...hours },
    {
      metric: 'http.requests',
      aggregation: 'increase',
      from: W - 5 * H + 7 * M,
      to: W + 5 * H - 13 * M,
      stepSeconds: 3600,
    },
    ...['count', 'p50', 'p90'].map((aggregation) => ({ metric: 'http.duration', aggregation, ...hours })),
  ];
}

async function query(body: Record<string, unknown>): Promise<{ resolution: string; data: Json }> {
  const res = await call(api.server.url, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { resolution: (res.body as Json).meta.resolution, data: (res.body as Json).data };
}

/** Every query through the planner and forced raw: the same series and points (quantiles up to float rounding). */
async function answers(): Promise<{ data: Json[]; resolutions: string[] }> {
  const data: Json[] = [];
  const resolutions: string[] = [];
  for (const body of queries()) {
    const what = `${String(body.metric)} ${String(body.aggregation)} step ${String(body.stepSeconds)}`;
    const planned = await query(body);
    const raw = await query({ ...body, resolution: 'raw' });
    assert.equal(raw.resolution, 'raw');
    if (String(body.aggregation).startsWith('p')) assertClose(planned.data, raw.data, what);
    else assert.deepEqual(planned.data, raw.data, what);
    assert.ok(
      planned.data.series.some((s: Json) => s.points.some((p: Json) => p[1] !== null)),
      `${what} answers something`,
    );
    data.push(planned.data);
    resolutions.push(planned.resolution);
  }
  return { data, resolutions };
}

function assertClose(actual: Json, expected: Json, what: string): void {
  assert.equal(actual.series.length, expected.series.length, what);
  actual.series.forEach((s: Json, i: number) => {
    const e = expected.series[i];
    assert.deepEqual(s.labels, e.labels, what);
    assert.equal(s.points.length, e.points.length, what);
    s.points.forEach(([t, v]: [number, number | null], j: number) => {
      const [et, ev] = e.points[j] as [number, number | null];
      assert.equal(t, et, what);
      if (ev === null) return assert.equal(v, null, `${what} at ${t}`);
      assert.ok(v !== null && Math.abs(v - ev) <= 1e-9 * Math.max(1, Math.abs(ev)), `${what} at ${t}: ${v} vs ${ev}`);
    });
  });
}

/** Points the hourly value rollup and the hourly histogram rollup count over the twelve hours, and the raw points. */
async function hourlyCounts(): Promise<{ hourly: number; raw: number; histogramHourly: number; histogramRaw: number }> {
  const rs = await api.ch.query({
    query: `SELECT (SELECT sum(Count) FROM metrics_value_hourly WHERE TenantId = 'default' AND Hour >= toDateTime({from:UInt32}, 'UTC')) AS hourly,
                   (SELECT count() FROM metrics_gauge WHERE TenantId = 'default' AND Time >= fromUnixTimestamp64Milli({fromMs:Int64}))
                 + (SELECT count() FROM metrics_sum WHERE TenantId = 'default' AND Time >= fromUnixTimestamp64Milli({fromMs:Int64})) AS raw,
                   (SELECT sum(Count) FROM metrics_histogram_hourly WHERE TenantId = 'default' AND Hour >= toDateTime({from:UInt32}, 'UTC')) AS histogramHourly,
                   (SELECT sum(Count) FROM metrics_histogram WHERE TenantId = 'default' AND Time >= fromUnixTimestamp64Milli({fromMs:Int64})) AS histogramRaw`,
    query_params: { from: (W - 6 * H) / 1000, fromMs: W - 6 * H },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<Record<string, string>>();
  return {
    hourly: Number(row!.hourly),
    raw: Number(row!.raw),
    histogramHourly: Number(row!.histogramHourly),
    histogramRaw: Number(row!.histogramRaw),
  };
}

const stripInexact = (data: Json[]) =>
  data.map((d, i) => (String(queries()[i]!.aggregation).startsWith('p') ? null : d));
const CLOSED = () => W + 6 * H + 10 * M;

test('hours not yet rolled are read from raw points; after the job rolls them, from hourly rows; the answers do not change', async () => {
  const open = await answers();
  const before = await hourlyCounts();
  assert.ok(before.hourly < before.raw, 'the views left the hours from the watermark on to the job');
  assert.ok(before.hourly > 0, 'the views took the hours before the watermark');

  // Before the hours close the job rolls nothing: an hour is closed five minutes after it ends.
  const early = await rollClosedHours(api.ch, { now: () => W + H + 4 * M });
  assert.ok(Object.values(early.rolled).every((n) => n === 0));
  const pass = await rollClosedHours(api.ch, { now: CLOSED });
  for (const r of HOURLY_ROLLUPS) assert.equal(pass.rolled[r.hourly], 6, r.hourly);
  const counts = await hourlyCounts();
  assert.equal(counts.hourly, counts.raw, 'every point counted once in the hourly value rollup');
  assert.equal(counts.histogramHourly, counts.histogramRaw, 'and in the hourly histogram rollup');

  // A restarted process (the running one may hold the old watermark and its answers cached).
  await restart();
  const rolled = await answers();
  assert.deepEqual(stripInexact(rolled.data), stripInexact(open.data));
  assert.deepEqual(
    [open.resolutions[0], rolled.resolutions[0]],
    ['raw', 'hourly'],
    "the job's hours: raw, then hourly",
  );
  assert.equal(rolled.resolutions[1], 'hourly');

  // After the restart the watermark is the stored one: nothing is rolled again.
  const again = await rollClosedHours(api.ch, { now: CLOSED });
  assert.ok(Object.values(again.rolled).every((n) => n === 0));
  assert.equal(metricsHourlyUntil(await readWatermarks(api.ch)), W + 6 * H);
});

test('an hour rolled again (a crash before its watermark moved, or a second process) is not counted twice', async () => {
  const before = await hourlyCounts();
  for (const r of HOURLY_ROLLUPS) {
    await api.ch.command({ query: rollHourStatement(r, W + 2 * H), query_params: { hour: (W + 2 * H) / 1000 } });
  }
  assert.deepEqual(await hourlyCounts(), before);
  await restart();
  await answers();
});

test('late points for a rolled hour reach its hourly rows through the late-point views; rollups:backfill rebuilds the same', async () => {
  // Points for rolled hours on either side of the first watermark, arriving after they were rolled
  // (off the loaded points' times: two values at one time would leave `last` undecided).
  await gaugePoints(api.ch, W - 2 * H + 17 * M + 567, 30, 7 * M, 104_729);
  await gaugePoints(api.ch, W + 3 * H + 1234, 20, 5 * M, 15_485_863);
  await histogramPoints(api.ch, W + 13 * M + 89, 20, 11 * M);
  const late = await hourlyCounts();
  assert.equal(late.hourly, late.raw);
  assert.equal(late.histogramHourly, late.histogramRaw);
  await restart();
  const withLate = await answers();

  await backfillRollups(api.ch, { fromMs: W - 6 * H, toMs: W + 6 * H });
  assert.deepEqual(await hourlyCounts(), late);
  await restart();
  const rebuilt = await answers();
  assert.deepEqual(rebuilt.resolutions, withLate.resolutions);
  assert.deepEqual(stripInexact(rebuilt.data), stripInexact(withLate.data));
});
