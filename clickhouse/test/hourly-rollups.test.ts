// The hourly rollup job's statements against the migrated schema (0022): every metric hourly
// table is rolled, every column of it written, with the very rows its views wrote for the same
// points; the views are left with late points only, and a day is rolled once its hours are.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  createClickHouse,
  DAILY_ROLLUPS,
  HOURLY_ROLLUPS,
  metricsHourlyUntil,
  migrate,
  readWatermarks,
  rollClosedDays,
  rollClosedHours,
  rollHourStatement,
  ROLLUP_TABLES,
  type ClickHouseClient,
} from '../src/index.js';

const H = 3_600_000;
let dir: string;
let ch: ClickHouseClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-hourly-rollups-'));
  ch = await createClickHouse({ dataDir: dir });
  await migrate(ch);
});

after(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

/** Points of every metric kind in the hour from `hourMs` (a few per series, some without a recorded value or extremes). */
async function pointsOfEveryKind(tenant: string, hourMs: number): Promise<void> {
  const p = { tenant, from: hourMs };
  const at = `toUInt64({from:UInt64} + 60000 + number * 350000) * 1000000`;
  const statements = [
    `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Flags, Value, IntValue) SETTINGS async_insert = 0
     SELECT {tenant:String}, 'g', number % 3, ${at}, if(number = 4, 1, 0), number * 1.5, if(number % 2 = 0, toInt64(number * 3), NULL) FROM numbers(9)`,
    `INSERT INTO metrics_sum (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Value, IntValue, Temporality, IsMonotonic) SETTINGS async_insert = 0
     SELECT {tenant:String}, 's', number % 2 + 10, toUInt64({from:UInt64} - 7200000) * 1000000, ${at}, number * 7, toInt64(number * 7), 2, true FROM numbers(8)`,
    `INSERT INTO metrics_histogram (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Min, Max, BucketCounts, ExplicitBounds, Temporality) SETTINGS async_insert = 0
     SELECT {tenant:String}, 'h', number % 2 + 20, toUInt64({from:UInt64} - 60000 * (number % 3)) * 1000000, ${at}, number * 3, if(number = 3, NULL, number * 2.5),
            if(number % 4 = 0, NULL, 0.5), if(number % 5 = 0, NULL, 9.5), [number, number * 2, 0], [1, 5], if(number < 5, 1, 2) FROM numbers(10)`,
    `INSERT INTO metrics_exp_histogram (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Min, Max, Scale, ZeroCount, ZeroThreshold, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts, Temporality) SETTINGS async_insert = 0
     SELECT {tenant:String}, 'e', number % 2 + 30, toUInt64({from:UInt64} - 3600000) * 1000000, ${at}, number * 4, number * 1.25, if(number = 2, NULL, 0.1), 40.0,
            toInt32(number % 3 + 2), number % 2, 0.001 * number, toInt32(number) - 3, [1, number, 2], -2, [number], if(number % 2 = 0, 1, 2) FROM numbers(10)`,
    `INSERT INTO metrics_summary (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Quantiles, QuantileValues) SETTINGS async_insert = 0
     SELECT {tenant:String}, 'q', number % 2 + 40, toUInt64({from:UInt64} - 3600000 * (number % 2)) * 1000000, ${at}, number * 5, number * 2.25, [0.5, 0.99], [number, number * 2] FROM numbers(7)`,
  ];
  for (const query of statements) await ch.command({ query, query_params: p });
}

/** An hourly table's rows of a tenant, merged (FINAL), as sorted lines of text (states serialized). */
async function hourlyRows(table: string, tenant: string): Promise<string> {
  const rs = await ch.query({
    query: `SELECT * EXCEPT (TenantId, RetentionDays) FROM ${table} FINAL WHERE TenantId = {tenant:String}`,
    query_params: { tenant },
    format: 'TabSeparated',
  });
  return (await rs.text()).split('\n').sort().join('\n').trim();
}

test('every metric hourly table is rolled by the job, each written column aggregated, and its views filtered by the watermark', async () => {
  const metricHourly = Object.values(ROLLUP_TABLES)
    .map((r) => r.hourly)
    .filter((t) => t.startsWith('metrics_'));
  assert.deepEqual(HOURLY_ROLLUPS.map((r) => r.hourly).sort(), metricHourly.sort());
  for (const rollup of HOURLY_ROLLUPS) {
    const written = await rows<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {t:String} AND default_kind = '' ORDER BY position`,
      { t: rollup.hourly },
    );
    const keys = ['TenantId', 'MetricName', 'Fingerprint', 'Hour', ...(rollup.extraKey ? [rollup.extraKey] : [])];
    assert.deepEqual(
      [...keys, ...Object.keys(rollup.aggregates)].sort(),
      written.map((c) => c.name).sort(),
      `${rollup.hourly}: the job writes every column the views wrote`,
    );
    const views = await rows<{ as_select: string }>(
      `SELECT as_select FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView'
       AND name IN (SELECT name FROM system.tables WHERE database = currentDatabase() AND has(dependencies_table, {t:String}) = 0)
       AND as_select LIKE concat('%', {t:String}, '%') AND name LIKE concat({t:String}, '%_mv')`,
      { t: rollup.hourly },
    );
    assert.equal(views.length, rollup.sources.length, `${rollup.hourly}: one view per raw source`);
    for (const view of views) {
      assert.match(
        view.as_select,
        new RegExp(
          `Time < \\(SELECT max\\(RolledUntil\\) FROM \\w+\\.rollup_watermarks WHERE DailyTable = '${rollup.hourly}'\\)`,
        ),
      );
    }
  }
});

test('the first watermark is the UTC hour the migration ran; the daily ones are not ahead of it', async () => {
  const watermarks = await readWatermarks(ch);
  const hour = Math.floor(Date.now() / H) * H;
  for (const r of HOURLY_ROLLUPS) assert.ok([hour, hour - H].includes(watermarks.get(r.hourly)!), r.hourly);
  for (const r of DAILY_ROLLUPS) assert.ok(watermarks.get(r.daily)! <= watermarks.get(r.hourly)!, r.daily);
  assert.equal(metricsHourlyUntil(new Map([...watermarks, ['metrics_summary_hourly', hour - 9 * H]])), hour - 9 * H);
  assert.equal(metricsHourlyUntil(new Map()), undefined, 'no watermark: every hour is read hourly');
});

test('an hour rolled by the job has the very rows its views wrote for the same points', async () => {
  const watermark = metricsHourlyUntil(await readWatermarks(ch))!;
  const late = watermark - 3 * H;
  await pointsOfEveryKind('views', late);
  const byViews = new Map<string, string>();
  for (const r of HOURLY_ROLLUPS) {
    byViews.set(r.hourly, await hourlyRows(r.hourly, 'views'));
    assert.notEqual(byViews.get(r.hourly), '', `${r.hourly}: the views took the late points`);
    await ch.command({
      query: `ALTER TABLE ${r.hourly} DELETE WHERE TenantId = 'views' SETTINGS mutations_sync = 2`,
    });
  }
  for (const r of HOURLY_ROLLUPS) {
    await ch.command({ query: rollHourStatement(r, late), query_params: { hour: late / 1000 } });
    assert.equal(await hourlyRows(r.hourly, 'views'), byViews.get(r.hourly), r.hourly);
  }
});

test('points of hours not rolled are left to the job, which rolls each closed hour once, and the daily job waits for the hours', async () => {
  const watermarks = await readWatermarks(ch);
  const hour = metricsHourlyUntil(watermarks)!;
  await pointsOfEveryKind('job', hour);
  for (const r of HOURLY_ROLLUPS) assert.equal(await hourlyRows(r.hourly, 'job'), '', `${r.hourly}: no view took them`);

  // Not closed yet: five minutes after the hour ends.
  const early = await rollClosedHours(ch, { now: () => hour + H + 4 * 60_000 });
  assert.ok(Object.values(early.rolled).every((n) => n === 0));
  // Days whose hours are not rolled are not rolled, however long ago they closed.
  const dayWaits = await rollClosedDays(ch, { now: () => hour + 30 * 24 * H });
  for (const r of DAILY_ROLLUPS) {
    assert.ok(dayWaits.watermarks.get(r.daily)! <= hour, `${r.daily} stays behind the hourly watermark`);
  }

  const pass = await rollClosedHours(ch, { now: () => hour + 2 * H + 5 * 60_000 });
  for (const r of HOURLY_ROLLUPS) {
    assert.equal(pass.rolled[r.hourly], 2, r.hourly);
    assert.notEqual(await hourlyRows(r.hourly, 'job'), '', `${r.hourly}: rolled`);
  }
  const before = await Promise.all(HOURLY_ROLLUPS.map((r) => hourlyRows(r.hourly, 'job')));
  // The same hour again (a crash before the watermark moved): deduplicated by its token.
  for (const r of HOURLY_ROLLUPS) {
    await ch.command({ query: rollHourStatement(r, hour), query_params: { hour: hour / 1000 } });
  }
  assert.deepEqual(await Promise.all(HOURLY_ROLLUPS.map((r) => hourlyRows(r.hourly, 'job'))), before);
  const again = await rollClosedHours(ch, { now: () => hour + 2 * H + 5 * 60_000 });
  assert.ok(Object.values(again.rolled).every((n) => n === 0));
  assert.equal(metricsHourlyUntil(again.watermarks), hour + 2 * H);

  // A late point of a rolled hour goes through the views.
  const [valueBefore] = await rows<{ n: string }>(
    `SELECT sum(Count) AS n FROM metrics_value_hourly WHERE TenantId = 'job'`,
  );
  await ch.command({
    query: `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value) SETTINGS async_insert = 0
            VALUES ('job', 'g', 1, {t:UInt64}, 1)`,
    query_params: { t: BigInt(hour + 30 * 60_000) * 1_000_000n },
  });
  const [valueAfter] = await rows<{ n: string }>(
    `SELECT sum(Count) AS n FROM metrics_value_hourly WHERE TenantId = 'job'`,
  );
  assert.equal(Number(valueAfter!.n), Number(valueBefore!.n) + 1);
});

test('an hour is one deduplicated insert: its token names the table and the hour', () => {
  const sql = rollHourStatement(HOURLY_ROLLUPS[0]!, Date.UTC(2026, 11, 7, 5));
  assert.match(sql, /insert_deduplication_token = 'hourly:metrics_value_hourly:1796619600'/);
  assert.match(sql, /insert_deduplicate = 1/);
  assert.match(sql, /max_insert_threads = 1/);
  assert.match(
    sql,
    /FROM metrics_gauge WHERE Time >= toDateTime\(\{hour:UInt32\}, 'UTC'\) AND Time < toDateTime\(\{hour:UInt32\} \+ 3600, 'UTC'\) AND bitAnd\(Flags, 1\) = 0 UNION ALL/,
  );
  assert.throws(() => rollHourStatement(HOURLY_ROLLUPS[0]!, Date.UTC(2026, 11, 7, 5, 30)), /not a UTC hour start/);
  assert.match(
    rollHourStatement(HOURLY_ROLLUPS[0]!, Date.UTC(2026, 11, 7, 5), 'c'),
    /distributed_foreground_insert = 1/,
  );
});
