import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  applyRetentionPolicies,
  backfillDays,
  backfillRollups,
  createClickHouse,
  encodeRowBinary,
  INSERT_COLUMNS,
  insertRowBinary,
  migrate,
  readRetentionPolicies,
  type ClickHouseClient,
  type InsertColumnType,
} from '../src/index.js';
import { parseBackfillArgs } from '../src/backfill-command.js';
import { backfillStatements, ROLLUPS } from '../src/rollups.js';

let dir: string;
let ch: ClickHouseClient;

const HOUR_S = 3600;
/** 21:00 UTC five days ago: six hours of spans cross into the next UTC day. */
const BASE_S = Math.floor(Date.now() / 1000 / 86400) * 86400 - 5 * 86400 + 21 * HOUR_S;
const SPANS_PER_TENANT = 72_000;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-rollups-'));
  ch = await createClickHouse({ dataDir: dir });
  await migrate(ch);
  // Two tenants, two services, two operations, six hours; log-normal durations around 5 ms.
  // api: server spans, and internal children; db: client spans only, a third of them children.
  for (const tenant of ['alpha', 'beta']) {
    await ch.command({
      query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode)
              SETTINGS async_insert = 0
              SELECT {tenant:String}, hex(generateUUIDv4()), lower(hex(number + 1)), if(number % 3 = 0, '0102030405060708', ''),
                     ['api', 'db'][number % 2 + 1], ['GET /a', 'query'][intDiv(number, 2) % 2 + 1],
                     if(number % 2 = 0, if(number % 3 = 0, 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER'), 'SPAN_KIND_CLIENT'),
                     start, start + d, d, if(number % 10 = 0, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET')
              FROM (SELECT number, toUInt64({base:UInt32}) * 1000000000 + intDiv(number * 6 * 3600 * 1000000000, {n:UInt64}) AS start,
                           toInt64(exp(randNormal(log(5e6), 0.5))) AS d FROM numbers({n:UInt64}))`,
      query_params: { tenant, base: BASE_S, n: SPANS_PER_TENANT },
    });
  }
});

after(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await ch.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

interface RedRow {
  service: string;
  op: string;
  bucket: string;
  n: string;
  errors: string;
  sum: string;
  min: string;
  max: string;
  q: number[];
}

const RAW_RED = (
  bucket: string,
) => `SELECT ServiceName AS service, Name AS op, toString(${bucket}) AS bucket, count() AS n, countIf(StatusCode = 'STATUS_CODE_ERROR') AS errors,
  sum(DurationNs) AS sum, min(DurationNs) AS min, max(DurationNs) AS max, quantilesExactInclusive(0.5, 0.9, 0.95, 0.99)(DurationNs) AS q
  FROM spans WHERE TenantId = {tenant:String} GROUP BY service, op, bucket ORDER BY service, op, bucket`;
/** Per-service rollups, as RED rows with operation '' (compared with raw spans of all operations). */
const SERVICE_RED = (
  table: string,
  time: string,
) => `SELECT ServiceName AS service, '' AS op, toString(${time}) AS bucket, sum(Count) AS n, sum(ErrorCount) AS errors,
  sum(DurationSum) AS sum, min(DurationMin) AS min, max(DurationMax) AS max, quantilesDDMerge(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS q
  FROM ${table} WHERE TenantId = {tenant:String} GROUP BY service, op, bucket ORDER BY service, op, bucket`;
const RAW_SERVICE_RED = (bucket: string) => RAW_RED(bucket).replace('Name AS op', "'' AS op");
/** Per-service rollups by span class (`Entry`, migration 0013), and raw spans classified the same way. */
const SERVICE_CLASS_RED = (table: string, time: string) =>
  SERVICE_RED(table, time).replace("'' AS op", 'toString(Entry) AS op');
const RAW_SERVICE_CLASS_RED = (bucket: string) =>
  RAW_RED(bucket).replace(
    'Name AS op',
    "multiIf(Kind IN ('SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'), 'server_consumer', ParentSpanId = toFixedString('', 8), 'root', 'other') AS op",
  );
const ROLLUP_RED = (
  table: string,
  time: string,
) => `SELECT ServiceName AS service, SpanName AS op, toString(${time}) AS bucket, sum(Count) AS n, sum(ErrorCount) AS errors,
  sum(DurationSum) AS sum, min(DurationMin) AS min, max(DurationMax) AS max, quantilesDDMerge(0.01, 0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS q
  FROM ${table} WHERE TenantId = {tenant:String} GROUP BY service, op, bucket ORDER BY service, op, bucket`;

/** Counts and extremes exactly equal; each quantile within 2% of the exact one. */
function assertRedMatches(rollup: RedRow[], raw: RedRow[]): void {
  assert.equal(rollup.length, raw.length);
  assert.ok(raw.length > 0);
  rollup.forEach((r, i) => {
    const e = raw[i]!;
    assert.deepEqual(
      [r.service, r.op, r.bucket, r.n, r.errors, r.sum, r.min, r.max],
      [e.service, e.op, e.bucket, e.n, e.errors, e.sum, e.min, e.max],
    );
    r.q.forEach((v, j) => {
      const exact = Number(e.q[j]);
      assert.ok(
        Math.abs(v - exact) / exact <= 0.02,
        `${e.service}/${e.op} ${e.bucket} quantile ${j}: ${v} vs exact ${exact}`,
      );
    });
  });
}

const redRaw = (tenant: string, bucket: string) => rows<RedRow>(RAW_RED(bucket), { tenant });

describe('span RED rollups', () => {
  test('hourly rows equal raw spans per hour: counts, errors, duration sum/min/max exactly, p50/p90/p95/p99 within 2%', async () => {
    const rollup = await rows<RedRow>(ROLLUP_RED('spans_red_hourly', 'Hour'), { tenant: 'alpha' });
    assertRedMatches(rollup, await redRaw('alpha', "toStartOfHour(toDateTime(StartTime, 'UTC'))"));
    assert.equal(rollup.length, 2 * 2 * 6);
  });

  test('daily rows, built from hourly rows, equal raw spans per UTC day', async () => {
    const rollup = await rows<RedRow>(ROLLUP_RED('spans_red_daily', 'Day'), { tenant: 'alpha' });
    assertRedMatches(rollup, await redRaw('alpha', "toStartOfDay(toDateTime(StartTime, 'UTC'))"));
    assert.equal(rollup.length, 2 * 2 * 2);
  });

  test('per-service rows (cascaded from the per-operation ones) equal raw spans per service, hourly and daily', async () => {
    const hourly = await rows<RedRow>(SERVICE_RED('spans_service_red_hourly', 'Hour'), { tenant: 'alpha' });
    assertRedMatches(
      hourly,
      await rows<RedRow>(RAW_SERVICE_RED("toStartOfHour(toDateTime(StartTime, 'UTC'))"), { tenant: 'alpha' }),
    );
    assert.equal(hourly.length, 2 * 6);
    const daily = await rows<RedRow>(SERVICE_RED('spans_service_red_daily', 'Day'), { tenant: 'alpha' });
    assertRedMatches(
      daily,
      await rows<RedRow>(RAW_SERVICE_RED("toStartOfDay(toDateTime(StartTime, 'UTC'))"), { tenant: 'alpha' }),
    );
  });

  test('per-service rows are divided by span class: server and consumer spans, other root spans, the rest', async () => {
    const hourly = await rows<RedRow>(SERVICE_CLASS_RED('spans_service_red_hourly', 'Hour'), { tenant: 'alpha' });
    assertRedMatches(
      hourly,
      await rows<RedRow>(RAW_SERVICE_CLASS_RED("toStartOfHour(toDateTime(StartTime, 'UTC'))"), { tenant: 'alpha' }),
    );
    // api: server spans and internal children; db: client spans, roots and children.
    assert.deepEqual([...new Set(hourly.map((r) => `${r.service}/${r.op}`))].sort(), [
      'api/other',
      'api/server_consumer',
      'db/other',
      'db/root',
    ]);
    const daily = await rows<RedRow>(SERVICE_CLASS_RED('spans_service_red_daily', 'Day'), { tenant: 'alpha' });
    assertRedMatches(
      daily,
      await rows<RedRow>(RAW_SERVICE_CLASS_RED("toStartOfDay(toDateTime(StartTime, 'UTC'))"), { tenant: 'alpha' }),
    );
  });
});

function spanRow(tenant: string, i: number, startMs: number): unknown[] {
  const values: Record<string, unknown> = {
    TenantId: tenant,
    TraceIdHex: (i + 1).toString(16).padStart(32, '0'),
    SpanIdHex: (i + 1).toString(16).padStart(16, '0'),
    ServiceName: 'checkout',
    Name: 'pay',
    Kind: 'SPAN_KIND_SERVER',
    StartTimeNs: String(BigInt(startMs) * 1_000_000n),
    EndTimeNs: String(BigInt(startMs + 3) * 1_000_000n),
    DurationNs: '3000000',
    StatusCode: 'STATUS_CODE_UNSET',
  };
  return INSERT_COLUMNS.spans.map(([name, type]) => values[name] ?? emptyValue(type));
}

function logRow(tenant: string, timeMs: number): unknown[] {
  const values: Record<string, unknown> = {
    TenantId: tenant,
    TimestampNs: String(BigInt(timeMs) * 1_000_000n),
    ObservedTimestampNs: String(BigInt(timeMs) * 1_000_000n),
    SeverityText: 'ERROR',
    SeverityNumber: 17,
    ServiceName: 'checkout',
    Body: 'failed',
  };
  return INSERT_COLUMNS.logs.map(([name, type]) => values[name] ?? emptyValue(type));
}

function emptyValue(type: InsertColumnType): unknown {
  if (type.startsWith('Array')) return [];
  if (type.startsWith('Map')) return {};
  if (type === 'String') return '';
  if (type === 'UInt64' || type === 'Int64') return '0';
  return 0;
}

async function totals(tenant: string): Promise<Record<string, string>> {
  const [r] = await rows<Record<string, string>>(
    `SELECT (SELECT count() FROM spans WHERE TenantId = {tenant:String}) AS spans,
            (SELECT sum(Count) FROM spans_red_hourly WHERE TenantId = {tenant:String}) AS spansHourly,
            (SELECT sum(Count) FROM spans_red_daily WHERE TenantId = {tenant:String}) AS spansDaily,
            (SELECT sum(Count) FROM spans_service_red_hourly WHERE TenantId = {tenant:String}) AS serviceHourly,
            (SELECT sum(Count) FROM spans_service_red_daily WHERE TenantId = {tenant:String}) AS serviceDaily,
            (SELECT count() FROM logs WHERE TenantId = {tenant:String}) AS logs,
            (SELECT sum(Count) FROM logs_volume_hourly WHERE TenantId = {tenant:String}) AS logsHourly,
            (SELECT sum(Count) FROM logs_volume_daily WHERE TenantId = {tenant:String}) AS logsDaily`,
    { tenant },
  );
  return r!;
}

test('a replayed insert with the same deduplication token changes neither raw tables nor rollups', async () => {
  const now = Date.now();
  const spans = encodeRowBinary(
    'spans',
    Array.from({ length: 50 }, (_, i) => spanRow('replay', i, now - i * 60_000)),
  );
  const logs = encodeRowBinary(
    'logs',
    Array.from({ length: 30 }, (_, i) => logRow('replay', now - i * 60_000)),
  );
  await insertRowBinary(ch, 'spans', spans, 'batch-1-spans');
  await insertRowBinary(ch, 'logs', logs, 'batch-1-logs');
  const once = await totals('replay');
  assert.deepEqual(once, {
    spans: '50',
    spansHourly: '50',
    spansDaily: '50',
    serviceHourly: '50',
    serviceDaily: '50',
    logs: '30',
    logsHourly: '30',
    logsDaily: '30',
  });
  await insertRowBinary(ch, 'spans', spans, 'batch-1-spans');
  await insertRowBinary(ch, 'logs', logs, 'batch-1-logs');
  assert.deepEqual(await totals('replay'), once);
  // A different token is a different batch: everything counts it.
  await insertRowBinary(ch, 'spans', spans, 'batch-2-spans');
  assert.deepEqual(await totals('replay'), {
    ...once,
    spans: '100',
    spansHourly: '100',
    spansDaily: '100',
    serviceHourly: '100',
    serviceDaily: '100',
  });
});

test('every rollup table keeps a deduplication window, so dependent-view deduplication works on them', async () => {
  const tables = await rows<{ name: string; window: string }>(
    `SELECT name, extract(create_table_query, 'non_replicated_deduplication_window = (\\\\d+)') AS window FROM system.tables
     WHERE database = currentDatabase() AND (name LIKE '%\\\\_hourly' OR name LIKE '%\\\\_daily') ORDER BY name`,
  );
  assert.equal(tables.length, 25);
  for (const t of tables) assert.equal(t.window, '1000', t.name);
});

describe('backfill', () => {
  test('rebuilds lost rollup rows of one tenant from raw data, leaves other tenants alone, and is idempotent', async () => {
    const beforeBeta = await rows<RedRow>(ROLLUP_RED('spans_red_hourly', 'Hour'), { tenant: 'beta' });
    // As if the data had arrived before the views existed.
    for (const t of ['spans_red_hourly', 'spans_red_daily', 'spans_service_red_hourly', 'spans_service_red_daily']) {
      await ch.command({ query: `ALTER TABLE ${t} DELETE WHERE TenantId = 'alpha' SETTINGS mutations_sync = 2` });
    }
    assert.deepEqual(await rows(ROLLUP_RED('spans_red_hourly', 'Hour'), { tenant: 'alpha' }), []);
    const range = { fromMs: BASE_S * 1000, toMs: (BASE_S + 6 * HOUR_S) * 1000, tenant: 'alpha' };
    for (let run = 0; run < 2; run++) {
      await backfillRollups(ch, range);
      assertRedMatches(
        await rows<RedRow>(ROLLUP_RED('spans_red_hourly', 'Hour'), { tenant: 'alpha' }),
        await redRaw('alpha', "toStartOfHour(toDateTime(StartTime, 'UTC'))"),
      );
      assertRedMatches(
        await rows<RedRow>(ROLLUP_RED('spans_red_daily', 'Day'), { tenant: 'alpha' }),
        await redRaw('alpha', "toStartOfDay(toDateTime(StartTime, 'UTC'))"),
      );
      assertRedMatches(
        await rows<RedRow>(SERVICE_RED('spans_service_red_daily', 'Day'), { tenant: 'alpha' }),
        await rows<RedRow>(RAW_SERVICE_RED("toStartOfDay(toDateTime(StartTime, 'UTC'))"), { tenant: 'alpha' }),
      );
      assertRedMatches(
        await rows<RedRow>(SERVICE_CLASS_RED('spans_service_red_hourly', 'Hour'), { tenant: 'alpha' }),
        await rows<RedRow>(RAW_SERVICE_CLASS_RED("toStartOfHour(toDateTime(StartTime, 'UTC'))"), { tenant: 'alpha' }),
      );
    }
    assert.deepEqual(await rows<RedRow>(ROLLUP_RED('spans_red_hourly', 'Hour'), { tenant: 'beta' }), beforeBeta);
  });

  test('covers whole UTC days', () => {
    const day = 86_400_000;
    assert.deepEqual(backfillDays(day + 5, 2 * day + 1), { fromMs: day, toMs: 3 * day });
    assert.deepEqual(backfillDays(day, 2 * day), { fromMs: day, toMs: 2 * day });
    assert.throws(() => backfillDays(day, day), /empty/);
  });
});

test('metric rollups: per series and hour, min, max, sum, count, first and last equal the raw points', async () => {
  const t0 = (BASE_S + HOUR_S) * 1000;
  await ch.command({
    query: `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value) SETTINGS async_insert = 0
            SELECT 'alpha', 'queue.depth', number % 3, toUInt64({t0:UInt64} + number * 7000) * 1000000, (number * 37) % 101 FROM numbers(2000)`,
    query_params: { t0 },
  });
  const raw = await rows(
    `SELECT Fingerprint AS fp, toString(toStartOfHour(toDateTime(Time, 'UTC'))) AS h, min(Value) AS mn, max(Value) AS mx, sum(Value) AS s, count() AS n,
            argMin(Value, Time) AS first, argMax(Value, Time) AS last
     FROM metrics_gauge WHERE TenantId = 'alpha' GROUP BY fp, h ORDER BY fp, h`,
  );
  const rollup = await rows(
    `SELECT Fingerprint AS fp, toString(Hour) AS h, min(Min) AS mn, max(Max) AS mx, sum(Sum) AS s, sum(Count) AS n, argMinMerge(First) AS first, argMaxMerge(Last) AS last
     FROM metrics_value_hourly WHERE TenantId = 'alpha' GROUP BY fp, h ORDER BY fp, h`,
  );
  assert.ok(raw.length >= 3);
  assert.deepEqual(rollup, raw);
});

test('metric rollups skip points flagged "no recorded value" (staleness markers, migration 0014)', async () => {
  const t0 = (BASE_S + 2 * HOUR_S) * 1000;
  // Every fifth point is a staleness marker with value 0: it must move neither min, sum, count nor last.
  for (const table of ['metrics_gauge', 'metrics_sum']) {
    await ch.command({
      query: `INSERT INTO ${table} (TenantId, MetricName, Fingerprint, TimeNs, Flags, Value) SETTINGS async_insert = 0
              SELECT 'gamma', 'stale.test', 7, toUInt64({t0:UInt64} + number * 10000) * 1000000,
                     if(number % 5 = 4, 1, 0), if(number % 5 = 4, 0, 10 + number) FROM numbers(100)`,
      query_params: { t0 },
    });
  }
  const rollup = await rows(
    `SELECT min(Min) AS mn, sum(Count) AS n, argMaxMerge(Last) AS last FROM metrics_value_hourly WHERE TenantId = 'gamma'`,
  );
  // Per table: 80 recorded points, values 10…108 without the markers; the last recorded one is 108.
  assert.deepEqual(rollup, [{ mn: 10, n: '160', last: 108 }]);
});

test('retention: a tenant with 1 day of raw data loses older rows at the next TTL merge; another tenant keeps them', async () => {
  const now = Date.now();
  const old = now - 3 * 86_400_000;
  for (const tenant of ['short', 'long']) {
    await insertRowBinary(
      ch,
      'spans',
      encodeRowBinary('spans', [spanRow(tenant, 1, old), spanRow(tenant, 2, now - 60_000)]),
    );
  }
  await applyRetentionPolicies(
    ch,
    [
      { tenantId: 'short', signal: 'spans', rawDays: 1, hourlyDays: 2, dailyDays: 400 },
      { tenantId: 'long', signal: 'spans', rawDays: 15, hourlyDays: 90, dailyDays: 400 },
    ],
    { wait: true },
  );
  assert.deepEqual(
    (await readRetentionPolicies(ch)).filter((p) => p.signal === 'spans').map((p) => [p.tenantId, p.rawDays]),
    [
      ['long', 15],
      ['short', 1],
    ],
  );
  // New rows take the policy at insert.
  await insertRowBinary(
    ch,
    'spans',
    encodeRowBinary('spans', [spanRow('short', 3, old), spanRow('short', 4, now - 60_000)]),
  );
  for (const t of ['spans', 'spans_red_hourly', 'spans_red_daily'])
    await ch.command({ query: `OPTIMIZE TABLE ${t} FINAL` });
  const kept = await rows<{ tenant: string; recent: number; n: string }>(
    `SELECT TenantId AS tenant, StartTime > now() - INTERVAL 1 DAY AS recent, count() AS n FROM spans
     WHERE TenantId IN ('short', 'long') GROUP BY tenant, recent ORDER BY tenant, recent`,
  );
  assert.deepEqual(kept, [
    { tenant: 'long', recent: 0, n: '1' },
    { tenant: 'long', recent: 1, n: '1' },
    { tenant: 'short', recent: 1, n: '2' },
  ]);
  // Hourly rollups follow their own retention (2 days): the 3-day-old hour is gone; daily rows stay.
  const hourly = await rows<{ n: string }>(`SELECT sum(Count) AS n FROM spans_red_hourly WHERE TenantId = 'short'`);
  const daily = await rows<{ n: string }>(`SELECT sum(Count) AS n FROM spans_red_daily WHERE TenantId = 'short'`);
  assert.deepEqual([hourly[0]!.n, daily[0]!.n], ['2', '4']);
});

test('retention: a metric series not seen for longer than the daily metric retention is dropped; a recent one and one without a policy stay', async () => {
  await applyRetentionPolicies(
    ch,
    [{ tenantId: 'short', signal: 'metrics', rawDays: 1, hourlyDays: 2, dailyDays: 3 }],
    { wait: true },
  );
  const dayNs = 86_400_000_000_000n;
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, FirstSeenNs, LastSeenNs) SETTINGS async_insert = 0 VALUES
            ('short', 'queue.depth', 1, 'gauge', {old:UInt64}, {old:UInt64}),
            ('short', 'queue.depth', 2, 'gauge', {old:UInt64}, {recent:UInt64}),
            ('unset', 'queue.depth', 3, 'gauge', {old:UInt64}, {old:UInt64})`,
    query_params: { old: String(nowNs - 10n * dayNs), recent: String(nowNs - dayNs) },
  });
  await ch.command({ query: 'OPTIMIZE TABLE metric_series FINAL' });
  const kept = await rows<{ tenant: string; fp: string; days: number }>(
    `SELECT TenantId AS tenant, toString(Fingerprint) AS fp, max(RetentionDays) AS days FROM metric_series
     WHERE TenantId IN ('short', 'unset') GROUP BY tenant, fp ORDER BY tenant, fp`,
  );
  assert.deepEqual(kept, [
    { tenant: 'short', fp: '2', days: 3 },
    { tenant: 'unset', fp: '3', days: 0 },
  ]);
});

test('the backfill command reads --from, --to (RFC 3339 or epoch ms) and an optional --tenant', () => {
  assert.deepEqual(parseBackfillArgs(['--from', '2026-11-01T00:00:00Z', '--to', '1793577600000']), {
    fromMs: Date.UTC(2026, 10, 1),
    toMs: Date.UTC(2026, 10, 2),
  });
  assert.deepEqual(parseBackfillArgs(['--from=0', '--to=1', '--tenant', 'acme']), {
    fromMs: 0,
    toMs: 1,
    tenant: 'acme',
  });
  assert.throws(() => parseBackfillArgs(['--to', '1']), /--from is required/);
  assert.throws(() => parseBackfillArgs(['--from', 'yesterday', '--to', '1']), /--from must be/);
  assert.throws(() => parseBackfillArgs(['--from', '5', '--to', '1']), /after --from/);
  assert.throws(() => parseBackfillArgs(['--from', '0', '--to', '1', '--tenants', 'x']), /usage/);
});

test('histogram rollups: bucket counts per upper bound, count, sum, min, max; first and last point of the hour', async () => {
  const t0 = (BASE_S + 2 * HOUR_S) * 1000;
  await ch.command({
    query: `INSERT INTO metrics_histogram (TenantId, MetricName, Fingerprint, TimeNs, Count, Sum, Min, Max, BucketCounts, ExplicitBounds, Temporality)
            SETTINGS async_insert = 0 VALUES
            ('alpha', 'latency', 7, {a:UInt64}, 10, 55.5, 0.5, 20, [1, 2, 3, 4], [1, 5, 10], 1),
            ('alpha', 'latency', 7, {b:UInt64}, 4, 20, 0.2, 12, [2, 0, 1, 1], [1, 5, 10], 1)`,
    query_params: { a: String(BigInt(t0 + 60_000) * 1_000_000n), b: String(BigInt(t0 + 120_000) * 1_000_000n) },
  });
  for (const table of ['metrics_histogram_hourly', 'metrics_histogram_daily']) {
    const [row] = await rows<Record<string, unknown>>(
      `SELECT sum(Count) AS count, sum(Sum) AS sum, min(Min) AS min, max(Max) AS max, sumMap(Buckets) AS merged, arrayMap(b -> toString(b), merged.1) AS bounds, merged.2 AS counts,
              argMinMerge(First).Count AS firstCount, argMaxMerge(Last).Counts AS lastCounts
       FROM ${table} WHERE TenantId = 'alpha' AND MetricName = 'latency'`,
    );
    delete row!.merged;
    assert.deepEqual(
      row,
      {
        count: '14',
        sum: 75.5,
        min: 0.2,
        max: 20,
        bounds: ['1', '5', '10', 'inf'],
        counts: ['3', '2', '4', '5'],
        firstCount: '10',
        lastCounts: ['2', '0', '1', '1'],
      },
      table,
    );
  }
});

test('exponential histogram rollups re-bucket every point to scale 4 and add the counts', async () => {
  const t = String(BigInt((BASE_S + 2 * HOUR_S) * 1000) * 1_000_000n);
  // Scale 5 buckets 64 and 65 are both scale-4 bucket 32; scale 3 bucket 10 starts at scale-4 bucket 20; negative scale-4 bucket -3 stays.
  await ch.command({
    query: `INSERT INTO metrics_exp_histogram (TenantId, MetricName, Fingerprint, TimeNs, Count, Sum, Scale, ZeroCount, PositiveOffset, PositiveBucketCounts,
              NegativeOffset, NegativeBucketCounts, Temporality) SETTINGS async_insert = 0 VALUES
            ('alpha', 'rpc', 9, {t:UInt64}, 3, 10, 5, 1, 64, [1, 1], 0, [], 1),
            ('alpha', 'rpc', 9, {t:UInt64}, 5, 20, 3, 0, 10, [3], 0, [], 1),
            ('alpha', 'rpc', 9, {t:UInt64}, 2, -1, 4, 0, 0, [], -3, [2], 1)`,
    query_params: { t },
  });
  const [row] = await rows(
    `SELECT sum(Count) AS count, sum(ZeroCount) AS zero, sumMap(Positive) AS positive, sumMap(Negative) AS negative
     FROM metrics_exp_histogram_daily WHERE TenantId = 'alpha' AND MetricName = 'rpc'`,
  );
  assert.deepEqual(row, {
    count: '10',
    zero: '1',
    positive: [
      [20, 32],
      ['3', '2'],
    ],
    negative: [[-3], ['2']],
  });
});

test('summary rollups keep the first and last point of each hour', async () => {
  const t0 = (BASE_S + 2 * HOUR_S) * 1000;
  await ch.command({
    query: `INSERT INTO metrics_summary (TenantId, MetricName, Fingerprint, TimeNs, Count, Sum, Quantiles, QuantileValues) SETTINGS async_insert = 0 VALUES
            ('alpha', 'gc', 11, {a:UInt64}, 5, 2.5, [0.5, 0.99], [0.4, 0.9]), ('alpha', 'gc', 11, {b:UInt64}, 9, 4.5, [0.5, 0.99], [0.45, 0.95])`,
    query_params: { a: String(BigInt(t0 + 1000) * 1_000_000n), b: String(BigInt(t0 + 2000) * 1_000_000n) },
  });
  const [row] = await rows(
    `SELECT argMinMerge(First) AS first, argMaxMerge(Last) AS last FROM metrics_summary_hourly WHERE TenantId = 'alpha' AND MetricName = 'gc'`,
  );
  assert.deepEqual(row, {
    first: { Count: '5', Sum: 2.5, Quantiles: [0.5, 0.99], Values: [0.4, 0.9] },
    last: { Count: '9', Sum: 4.5, Quantiles: [0.5, 0.99], Values: [0.45, 0.95] },
  });
});

/** Cumulative histograms, exponential histograms (cumulative, and delta at two scales) and summaries of a tenant, six hours with a reset. */
async function loadDistributions(tenant: string, token?: string): Promise<void> {
  const points = `SELECT number, toUInt64({base:UInt32} * 1000 + number * 60000) * 1000000 AS t, toUInt64(if(number >= 200, number - 199, number + 1)) AS j,
                         toUInt64(if(number >= 200, {base:UInt32} * 1000 + 199 * 60000, {base:UInt32} * 1000 - 60000)) * 1000000 AS startNs FROM numbers(360)`;
  const settings = `SETTINGS async_insert = 0${token ? `, insert_deduplication_token = '${token}'` : ''}`;
  await ch.command({
    query: `INSERT INTO metrics_histogram (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, BucketCounts, ExplicitBounds, Temporality) ${settings}
            SELECT {tenant:String}, 'latency', 1, startNs, t, j * 3, j * 2.5, [j, j * 2], [10], 2 FROM (${points})`,
    query_params: { tenant, base: BASE_S },
  });
  await ch.command({
    query: `INSERT INTO metrics_exp_histogram (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Min, Max, Scale, ZeroCount, ZeroThreshold,
              PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts, Temporality) ${settings}
            SELECT {tenant:String}, 'size', fp, startNs, t, j * 2, j * 4.0, if(fp = 3, NULL, 1), 9, if(fp = 2, 3, number % 2 * 3 + 2), 0, 0, 5, [j, j], 0, [], if(fp = 2, 2, 1)
            FROM (${points}) ARRAY JOIN [2, 3] AS fp`,
    query_params: { tenant, base: BASE_S },
  });
  await ch.command({
    query: `INSERT INTO metrics_summary (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Quantiles, QuantileValues) ${settings}
            SELECT {tenant:String}, 'gc', 4, startNs, t, j, j * 0.5, [0.5], [0.1] FROM (${points})`,
    query_params: { tenant, base: BASE_S },
  });
}

/** Every row of the rollups of migration 0011 for a tenant, merged per key, comparable as JSON. */
async function distributionRollups(tenant: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const name of [
    'metrics_histogram_cumulative',
    'metrics_exp_histogram_cumulative',
    'metrics_summary_cumulative',
  ]) {
    for (const [suffix, time] of [
      ['hourly', 'Hour'],
      ['daily', 'Day'],
    ] as const) {
      out[`${name}_${suffix}`] = await rows(
        `SELECT Fingerprint, toString(${time}) AS bucket, toString(StartTime) AS start, argMinMerge(First) AS first, argMaxMerge(Last) AS last, argMaxMerge(Peak) AS peak
         FROM ${name}_${suffix} WHERE TenantId = {tenant:String} GROUP BY Fingerprint, bucket, start ORDER BY Fingerprint, bucket, start`,
        { tenant },
      );
    }
  }
  for (const [suffix, time] of [
    ['hourly', 'Hour'],
    ['daily', 'Day'],
  ] as const) {
    out[`metrics_exp_histogram_scaled_${suffix}`] = await rows(
      `SELECT Fingerprint, toString(${time}) AS bucket, Scale, sum(Count) AS count, sum(Sum) AS sum, min(Min) AS min, max(Max) AS max, sum(MinMissing) AS minMissing,
              sum(MaxMissing) AS maxMissing, sum(ZeroCount) AS zero, sumMap(Positive) AS positive
       FROM metrics_exp_histogram_scaled_${suffix} WHERE TenantId = {tenant:String} GROUP BY Fingerprint, bucket, Scale ORDER BY Fingerprint, bucket, Scale`,
      { tenant },
    );
  }
  return out;
}

describe('distribution rollups of migration 0011', () => {
  test('cumulative series keep first, peak and last point per hour, day and start time; delta exponential histograms sum per scale', async () => {
    await loadDistributions('gamma');
    const r = await distributionRollups('gamma');
    // Six hours; the reset (new start time) at minute 200 splits hour 3 into two rows.
    const hist = r.metrics_histogram_cumulative_hourly as {
      bucket: string;
      start: string;
      first: { Count: string };
      last: { Count: string };
      peak: { Count: string };
    }[];
    assert.equal(hist.length, 7);
    const resetHour = hist.filter((h) => h.bucket === hist[3]!.bucket);
    assert.deepEqual(
      resetHour.map((h) => [h.first.Count, h.last.Count]),
      [
        ['543', '600'],
        ['3', '120'],
      ],
    );
    assert.equal(r.metrics_histogram_cumulative_daily!.length, 3, 'two days, one with two start times');
    assert.equal(r.metrics_summary_cumulative_hourly!.length, 7);
    // Only the cumulative series (2) is in the cumulative rollup; the delta one (3) is summed per scale.
    assert.ok(
      (r.metrics_exp_histogram_cumulative_hourly as { Fingerprint: string }[]).every((h) => h.Fingerprint === '2'),
    );
    const scaled = r.metrics_exp_histogram_scaled_hourly as {
      Fingerprint: string;
      Scale: number;
      count: string;
      minMissing: string;
      min: number | null;
    }[];
    assert.deepEqual([...new Set(scaled.map((h) => `${h.Fingerprint}@${h.Scale}`))].sort(), ['3@2', '3@5']);
    assert.equal(
      scaled.reduce((a, h) => a + Number(h.count), 0),
      2 * ((200 * 201) / 2 + (160 * 161) / 2),
    );
    assert.ok(scaled.every((h) => Number(h.minMissing) > 0 && h.min === null));
  });

  test('a replayed insert with the same deduplication token changes none of them', async () => {
    await loadDistributions('delta', 'replay-1');
    const once = await distributionRollups('delta');
    await loadDistributions('delta', 'replay-1');
    assert.deepEqual(await distributionRollups('delta'), once);
  });

  test('backfill rebuilds them from raw points, twice over to the same rows', async () => {
    const built = await distributionRollups('gamma');
    for (const rollup of ROLLUPS.filter((x) => x.hourly.startsWith('metrics_'))) {
      for (const t of [rollup.hourly, ...rollup.cascaded])
        await ch.command({ query: `ALTER TABLE ${t} DELETE WHERE TenantId = 'gamma' SETTINGS mutations_sync = 2` });
    }
    assert.deepEqual(Object.values(await distributionRollups('gamma')).flat(), []);
    for (let run = 0; run < 2; run++) {
      await backfillRollups(ch, { fromMs: BASE_S * 1000, toMs: (BASE_S + 6 * HOUR_S) * 1000, tenant: 'gamma' });
      assert.deepEqual(await distributionRollups('gamma'), built);
    }
  });
});

describe('backfill on a cluster', () => {
  const sql = (cluster?: string) =>
    backfillStatements(
      ROLLUPS.find((r) => r.hourly === 'metrics_histogram_cumulative_hourly')!,
      {
        views: [
          'SELECT TenantId, toStartOfHour(Time) AS Hour FROM default.metrics_histogram_local WHERE Temporality != 1 GROUP BY TenantId, Hour',
        ],
        columns: ['TenantId', 'Hour'],
        tenant: true,
        cluster,
      },
    );

  test("deletes on every shard's local tables, reads the Distributed raw table and writes through the Distributed rollup", () => {
    const [deleteDaily, deleteHourly, insert, ...rest] = sql('tf_cluster');
    assert.equal(rest.length, 0);
    assert.match(
      deleteDaily!,
      /^ALTER TABLE metrics_histogram_cumulative_daily_local ON CLUSTER tf_cluster DELETE WHERE Day >= .* AND TenantId = \{tenant:String\} SETTINGS mutations_sync = 2$/,
    );
    assert.match(
      deleteHourly!,
      /^ALTER TABLE metrics_histogram_cumulative_hourly_local ON CLUSTER tf_cluster DELETE WHERE Hour >= /,
    );
    assert.match(
      insert!,
      /^INSERT INTO metrics_histogram_cumulative_hourly \(TenantId, Hour\) SETTINGS .*insert_deduplicate = 0.*distributed_foreground_insert = 1/,
    );
    assert.match(insert!, /FROM default\.metrics_histogram WHERE Temporality != 1/);
    assert.doesNotMatch(insert!, /_local/);
  });

  test('a single node gets the same statements without ON CLUSTER or Distributed settings', () => {
    const statements = sql();
    assert.match(statements[0]!, /^ALTER TABLE metrics_histogram_cumulative_daily DELETE WHERE/);
    assert.match(statements[2]!, /FROM default\.metrics_histogram_local WHERE/);
    assert.ok(statements.every((s) => !/ON CLUSTER|distributed_foreground_insert/.test(s)));
  });

  test('ClickHouse parses every cluster statement of every rollup, built from the views as a cluster node stores them', async () => {
    for (const rollup of ROLLUPS) {
      const stored = await rows<{ as_select: string }>(
        `SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name IN {views:Array(String)}`,
        { views: [...rollup.views] },
      );
      // A cluster node's views read their shard's local tables (cluster-ddl.ts).
      const views = stored.map((v) => v.as_select.replace(/\bFROM default\.(\w+)/g, 'FROM default.$1_local AS $1'));
      for (const s of backfillStatements(rollup, {
        views,
        columns: ['TenantId', 'Hour'],
        tenant: false,
        cluster: 'c',
      })) {
        assert.doesNotMatch(s, /_local AS|FROM default\.\w+_local/, 'reads Distributed tables');
        const rs = await ch.query({
          query: `EXPLAIN AST ${s}`,
          query_params: { from: 0, to: 1 },
          format: 'TabSeparated',
        });
        assert.match(await rs.text(), /AlterQuery|InsertQuery/, s);
      }
    }
  });
});
