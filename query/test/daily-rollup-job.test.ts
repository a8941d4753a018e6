// Daily metric rollups built from closed hours (migration 0019, clickhouse/src/daily-rollups.ts;
// the hours themselves rolled from raw points once closed, 0022):
// metric answers through the planner are the same before the job rolls a day (hourly rows),
// after it (daily rows), after a restart, after a day is rolled twice (a crash before the
// watermark moved), with late points for a rolled day, and after `rollups:backfill`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  backfillRollups,
  DAILY_ROLLUPS,
  HOURLY_ROLLUPS,
  metricsDailyUntil,
  readWatermarks,
  rollClosedDays,
  rollClosedHours,
  rollDayStatement,
  type ClickHouseClient,
} from '@telemetryflow/clickhouse';
import { call, type Json, startTestApi, tempDir, type TestApi } from './helpers.js';
import { cumulativePoints, gaugePoints, histogramPoints, series } from './metric-rollup-points.js';

const KEY = 'tf_daily_rollup_job_test_key_0001';
const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const dir = tempDir('tf-daily-rollup-job-');
let api: TestApi;
/** The first watermark (migration 0019: the UTC day it ran); the data covers it and the two days after. */
let T = 0;

async function load(ch: ClickHouseClient): Promise<void> {
  const watermarks = await readWatermarks(ch);
  assert.equal(
    watermarks.size,
    DAILY_ROLLUPS.length + HOURLY_ROLLUPS.length,
    'migrations 0019 and 0022 set a watermark per metric daily and hourly table',
  );
  T = metricsDailyUntil(watermarks);
  const seen = { fromMs: T - H, toMs: T + 3 * D };
  await series(ch, 'queue.depth', 'gauge', 0, [1, 2], seen);
  await gaugePoints(ch, T, (3 * D) / (5 * M), 5 * M, 7919);
  await series(ch, 'rpc.latency', 'histogram', 1, [77], seen);
  await histogramPoints(ch, T, (3 * D) / (10 * M), 10 * M);
  // A cumulative counter and a cumulative histogram (the cumulative daily rollup), a point every
  // 5 minutes from half an hour before T (the increase of the first day then has a point before it).
  await series(ch, 'http.requests', 'sum', 2, [88], seen);
  await series(ch, 'http.duration', 'histogram', 2, [89], seen);
  await cumulativePoints(ch, T, (3 * D) / (5 * M) + 6, 5 * M);
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

/** Whole days from T, one step a day; and one-hour steps over the middle day. */
function queries(): Record<string, unknown>[] {
  const days = { from: T, to: T + 3 * D, stepSeconds: 86_400 };
  return [
    ...['avg', 'sum', 'min', 'max', 'count', 'last'].map((aggregation) => ({
      metric: 'queue.depth',
      aggregation,
      groupBy: ['host'],
      ...days,
    })),
    ...['count', 'sum', 'min', 'max', 'p50', 'p99'].map((aggregation) => ({
      metric: 'rpc.latency',
      aggregation,
      ...days,
    })),
    { metric: 'http.requests', aggregation: 'increase', ...days },
    ...['count', 'p50', 'p90'].map((aggregation) => ({ metric: 'http.duration', aggregation, ...days })),
    { metric: 'queue.depth', aggregation: 'avg', from: T + D, to: T + 2 * D, stepSeconds: 3600 },
  ];
}

async function query(body: Record<string, unknown>): Promise<{ resolution: string; data: Json }> {
  const res = await call(api.server.url, '/api/v1/metrics/query', { key: KEY, method: 'POST', body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { resolution: (res.body as Json).meta.resolution, data: (res.body as Json).data };
}

/**
 * Every query through the planner and forced raw: the same series, the same points (values
 * exact; quantiles up to float rounding). Returns the planned answers and the resolutions read.
 */
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

/** Points the daily value rollup counts over the three days, and how many raw points there are. */
async function dailyCounts(): Promise<{ daily: number; raw: number }> {
  const rs = await api.ch.query({
    query: `SELECT (SELECT sum(Count) FROM metrics_value_daily WHERE TenantId = 'default' AND Day >= toDateTime({from:UInt32}, 'UTC')) AS daily,
                   (SELECT count() FROM metrics_gauge WHERE TenantId = 'default' AND Time >= fromUnixTimestamp64Milli({fromMs:Int64}))
                 + (SELECT count() FROM metrics_sum WHERE TenantId = 'default' AND Time >= fromUnixTimestamp64Milli({fromMs:Int64})) AS raw`,
    query_params: { from: T / 1000, fromMs: T },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ daily: string; raw: string }>();
  return { daily: Number(row!.daily), raw: Number(row!.raw) };
}

const stripExact = (data: Json[]) => data.map((d, i) => (String(queries()[i]!.aggregation).startsWith('p') ? null : d));

test('days not yet rolled are read from hourly rows; after the job rolls them, from daily rows; the answers do not change', async () => {
  const open = await answers();
  assert.ok(
    open.resolutions.every((r) => r !== 'daily'),
    `no day after the watermark is read daily: ${open.resolutions.join(', ')}`,
  );
  assert.equal((await dailyCounts()).daily, 0, 'the views left the days after the watermark to the job');

  // The job before the days close rolls nothing: the newest is closed an hour after it ends.
  const early = await rollClosedDays(api.ch, { now: () => T + D + 30 * M });
  assert.ok(Object.values(early.rolled).every((n) => n === 0));
  // Nor before their hours are rolled (0022: hours from this one on are rolled from raw points).
  const hoursOpen = await rollClosedDays(api.ch, { now: () => T + 3 * D + 2 * H });
  assert.ok(Object.values(hoursOpen.rolled).every((n) => n === 0));
  await rollClosedHours(api.ch, { now: () => T + 3 * D + 2 * H });
  const pass = await rollClosedDays(api.ch, { now: () => T + 3 * D + 2 * H });
  for (const r of DAILY_ROLLUPS) assert.equal(pass.rolled[r.daily], 3, r.daily);
  const counts = await dailyCounts();
  assert.equal(counts.daily, counts.raw, 'every point counted once in the daily rollup');

  // A restarted process (the running one may hold the old watermark and its answers cached).
  await restart();
  const rolled = await answers();
  assert.deepEqual(
    rolled.resolutions,
    queries().map((q) => (q.stepSeconds === 86_400 ? 'daily' : 'hourly')),
  );
  assert.deepEqual(stripExact(rolled.data), stripExact(open.data));

  // After the restart the watermark is the stored one: nothing is rolled again.
  const again = await rollClosedDays(api.ch, { now: () => T + 3 * D + 2 * H });
  assert.ok(Object.values(again.rolled).every((n) => n === 0));
  assert.equal((await readWatermarks(api.ch)).get('metrics_value_daily'), T + 3 * D);
});

test('a day rolled again (a crash before its watermark moved, or a second replica) is not counted twice', async () => {
  const before = await dailyCounts();
  for (const r of DAILY_ROLLUPS) {
    await api.ch.command({ query: rollDayStatement(r, T + D), query_params: { day: (T + D) / 1000 } });
  }
  assert.deepEqual(await dailyCounts(), before);
  await restart();
  const { data, resolutions } = await answers();
  assert.ok(resolutions.includes('daily'));
  assert.equal(data.length, queries().length);
});

test('late points for a rolled day reach its daily rows through the late-data views; rollups:backfill rebuilds the same', async () => {
  // Points for the middle day, arriving after it was rolled (ingest accepts any time within retention).
  await gaugePoints(api.ch, T + D + 17 * M, 40, 7 * M, 104_729);
  await histogramPoints(api.ch, T + D + 13 * M, 20, 11 * M);
  const late = await dailyCounts();
  assert.equal(late.daily, late.raw);
  await restart();
  const withLate = await answers();
  assert.ok(withLate.resolutions.includes('daily'));

  await backfillRollups(api.ch, { fromMs: T, toMs: T + 3 * D });
  assert.deepEqual(await dailyCounts(), late);
  await restart();
  const rebuilt = await answers();
  assert.deepEqual(rebuilt.resolutions, withLate.resolutions);
  assert.deepEqual(stripExact(rebuilt.data), stripExact(withLate.data));
});
