// The daily rollup job's statements against the migrated schema (0019): every metric daily
// table is rolled, every column of it is written, and its view is left with late data only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  createClickHouse,
  DAILY_ROLLUPS,
  metricsDailyUntil,
  migrate,
  readWatermarks,
  rollDayStatement,
  ROLLUP_TABLES,
  type ClickHouseClient,
} from '../src/index.js';

let dir: string;
let ch: ClickHouseClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-daily-rollups-'));
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

test('every metric daily table is rolled by the job, each written column merged, and its view filtered by the watermark', async () => {
  const metricDaily = Object.values(ROLLUP_TABLES)
    .map((r) => r.daily)
    .filter((t) => t.startsWith('metrics_'));
  assert.deepEqual(DAILY_ROLLUPS.map((r) => r.daily).sort(), metricDaily.sort());
  for (const rollup of DAILY_ROLLUPS) {
    const written = await rows<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {t:String} AND default_kind = '' ORDER BY position`,
      { t: rollup.daily },
    );
    const keys = ['TenantId', 'MetricName', 'Fingerprint', 'Day', ...(rollup.extraKey ? [rollup.extraKey] : [])];
    assert.deepEqual(
      [...keys, ...Object.keys(rollup.merges)].sort(),
      written.map((c) => c.name).sort(),
      `${rollup.daily}: the job writes every column the view wrote`,
    );
    const [view] = await rows<{ as_select: string }>(
      `SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = {v:String}`,
      { v: `${rollup.daily}_mv` },
    );
    assert.match(
      view!.as_select,
      new RegExp(
        `WHERE Hour < \\(SELECT max\\(RolledUntil\\) FROM \\w+\\.rollup_watermarks WHERE DailyTable = '${rollup.daily}'\\)`,
      ),
    );
  }
});

test('the first watermark is the UTC day the migration ran; metric queries take the lowest', async () => {
  const watermarks = await readWatermarks(ch);
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  for (const r of DAILY_ROLLUPS) assert.ok([today, today - 86_400_000].includes(watermarks.get(r.daily)!), r.daily);
  assert.equal(
    metricsDailyUntil(new Map([...watermarks, ['metrics_value_daily', today - 5 * 86_400_000]])),
    today - 5 * 86_400_000,
  );
  assert.equal(metricsDailyUntil(new Map()), 0, 'no watermark: no day is read daily');
});

test('a day is one deduplicated insert: its token names the table and the day', () => {
  const sql = rollDayStatement(DAILY_ROLLUPS[0]!, Date.UTC(2026, 11, 7));
  assert.match(sql, /insert_deduplication_token = 'daily:metrics_value_daily:1796601600'/);
  assert.match(sql, /insert_deduplicate = 1/);
  assert.match(sql, /max_insert_threads = 1/);
  assert.match(
    sql,
    /WHERE Hour >= toDateTime\(\{day:UInt32\}, 'UTC'\) AND Hour < toDateTime\(\{day:UInt32\} \+ 86400, 'UTC'\)/,
  );
  assert.throws(() => rollDayStatement(DAILY_ROLLUPS[0]!, Date.UTC(2026, 11, 7, 5)), /not a UTC day start/);
  assert.match(rollDayStatement(DAILY_ROLLUPS[0]!, Date.UTC(2026, 11, 7), 'c'), /distributed_foreground_insert = 1/);
});
