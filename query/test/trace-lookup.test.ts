// Trace by id through trace_index's (service, operation) pairs (migration 0020): a trace
// spread over services, operations, hours and two days comes back whole among many other
// traces of the same pairs, reading only the pairs' granules; traces written before the
// migration (alone, or continued after it) are read the old way and come back whole too.
// Own file: the data directory is migrated in two steps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClickHouse, loadMigrations, migrate, type ClickHouseClient } from '@telemetryflow/clickhouse';
import type { TraceDto } from '@telemetryflow/contract';
import { ClickHouseReader } from '../src/clickhouse-reader.js';
import { DEFAULT_QUERY_LIMITS } from '../src/query-limits.js';
import { MAX_EXACT_PAIRS, TracesRepository, traceSpansQuery } from '../src/traces/traces.repository.js';
import { call, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_trace_lookup_test_key_default_01';
const dir = tempDir('tf-trace-lookup-');
const MS = 1_000_000n;
/** 22:30 UTC three days ago: the spread trace runs past midnight, into the next day's partition. */
const BASE_MS = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000 - 90 * 60_000;

/** The spread trace: 12 spans in 4 services and 8 (service, operation) pairs over 2 h 50 min. */
const SPREAD = 'a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8';
const SPREAD_SPANS: [service: string, name: string, offsetMin: number][] = [
  ['svc-0', 'op-0', 0],
  ['svc-1', 'op-1', 1],
  ['svc-1', 'op-2', 2],
  ['svc-2', 'op-3', 10],
  ['svc-2', 'op-3', 11],
  ['svc-3', '', 30],
  ['svc-0', 'op-4', 60],
  ['svc-1', 'op-1', 89],
  ['svc-1', 'op-1', 95],
  ['svc-2', 'op-0', 120],
  ['svc-3', 'op-5', 150],
  ['svc-0', 'op-0', 170],
];
/** Written before the migration only; and before it with more spans after it. */
const OLD = 'c1c2c3c4c5c6c7c8d1d2d3d4d5d6d7d8';
const MIXED = 'e1e2e3e4e5e6e7e8f1f2f3f4f5f6f7f8';
/** One span per operation, one operation more than the exact ranges take. */
const WIDE = '0102030405060708090a0b0c0d0e0f10';
const WIDE_SPANS = Array.from({ length: MAX_EXACT_PAIRS + 1 }, (_, i): [string, string, number] => [
  'svc-0',
  `GET /users/${i}`,
  i % 60,
]);

async function insertSpans(
  ch: ClickHouseClient,
  trace: string,
  spans: [service: string, name: string, offsetMin: number][],
  firstSpan: number,
): Promise<void> {
  await ch.command({
    query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode)
            SETTINGS async_insert = 0
            SELECT 'default', {trace:String}, leftPad(hex({first:UInt32} + n), 16, '0'), '', {services:Array(String)}[n], {names:Array(String)}[n],
                   'SPAN_KIND_SERVER', toUInt64({base:UInt64} + {offsets:Array(UInt32)}[n] * 60000) * 1000000 AS start, start + 2000000, 2000000, 'STATUS_CODE_UNSET'
            FROM (SELECT arrayJoin(range(1, length({services:Array(String)}) + 1)) AS n)`,
    query_params: {
      trace,
      first: firstSpan,
      base: BASE_MS,
      services: spans.map((s) => s[0]),
      names: spans.map((s) => s[1]),
      offsets: spans.map((s) => s[2]),
    },
  });
}

/**
 * 1,200,000 other spans over the same three hours in 40 pairs (4 services, 10 operations;
 * 7 of them the spread trace's), about 15,000 per pair and day: two granules or so each.
 */
async function insertOthers(ch: ClickHouseClient): Promise<void> {
  await ch.command({
    query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode)
            SETTINGS async_insert = 0
            SELECT 'default', leftPad(hex(cityHash64(intDiv(number, 6))), 32, '0'), leftPad(hex(number + 1000000), 16, '0'), '',
                   concat('svc-', toString(number % 4)), concat('op-', toString(intDiv(number, 4) % 10)), 'SPAN_KIND_CLIENT',
                   toUInt64({base:UInt64} + intDiv(number * 10800000, 1200000)) * 1000000 AS start, start + 1000000, 1000000, 'STATUS_CODE_UNSET'
            FROM numbers(1200000)`,
    query_params: { base: BASE_MS },
  });
}

let api: TestApi | undefined;
/** The running API (started before any test). */
const running = (): TestApi => {
  assert.ok(api, 'the API started');
  return api;
};
const repository = () => new TracesRepository(new ClickHouseReader(running().ch, DEFAULT_QUERY_LIMITS));

before(async () => {
  // Before migration 0020: a trace, and the first half of another.
  const early = await createClickHouse({ dataDir: dir.path });
  await migrate(
    early,
    loadMigrations().filter((m) => m.version < 20),
  );
  await insertSpans(early, OLD, SPREAD_SPANS.slice(0, 6), 100);
  await insertSpans(early, MIXED, SPREAD_SPANS.slice(0, 6), 200);
  await early.close();
  // startTestApi migrates the rest; then the second half of MIXED, the spread trace and the others.
  api = await startTestApi(dir.path, KEY, async (ch) => {
    await insertSpans(ch, MIXED, SPREAD_SPANS.slice(6), 300);
    await insertSpans(ch, SPREAD, SPREAD_SPANS, 1);
    await insertSpans(ch, WIDE, WIDE_SPANS, 5000);
    await insertOthers(ch);
  });
});

after(async () => {
  await api?.close();
  dir.remove();
});

/** The span ids and (service, name) of a trace as the API returns it. */
async function fetchTrace(id: string): Promise<string[]> {
  const res = await call<{ data: TraceDto }>(running().server.url, `/api/v1/traces/${id}`, { key: KEY });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.spans.map((s) => `${s.spanId} ${s.serviceName} ${s.name}`);
}

/** What `count` spans of SPREAD_SPANS from index `from`, numbered from `first`, look like in the API. */
const expected = (first: number, spans: typeof SPREAD_SPANS) =>
  spans.map(([service, name], i) => `${(first + i + 1).toString(16).padStart(16, '0')} ${service} ${name}`);

describe('trace by id through the trace index', () => {
  test('a trace over 4 services, 8 operations, 3 hours and two days comes back whole, its spans in start order', async () => {
    assert.deepEqual(await fetchTrace(SPREAD), expected(1, SPREAD_SPANS));
    const repo = repository();
    const at = await repo.traceLocation('default', SPREAD);
    assert.ok(at?.exact, 'written after the migration: located exactly');
    assert.deepEqual(
      at.services.map((s, i) => `${s}/${at.names[i]}`).sort(),
      [...new Set(SPREAD_SPANS.map(([s, n]) => `${s}/${n}`))].sort(),
    );
    assert.equal(at.startNs, (BigInt(BASE_MS) * MS).toString());
    assert.equal(at.endNs, ((BigInt(BASE_MS) + 170n * 60_000n) * MS + 2n * MS).toString());
  });

  test('the exact ranges read the pairs’ granules in the trace’s hours, not the day: even without skip indexes', async () => {
    const repo = repository();
    const at = (await repo.traceLocation('default', SPREAD))!;
    const stats = async (exact: boolean) => {
      const { query, params } = traceSpansQuery('default', SPREAD, { ...at, exact }, 1000);
      const rs = await running().ch.query({
        query,
        query_params: params,
        format: 'JSON',
        clickhouse_settings: { use_skip_indexes: 0 },
      });
      const body = await rs.json<{ data: unknown[] }>();
      assert.ok(body.statistics, 'the engine reports what it read');
      return { rows: body.data.length, read: body.statistics.rows_read };
    };
    const exact = await stats(true);
    const ranged = await stats(false);
    assert.equal(exact.rows, SPREAD_SPANS.length);
    assert.equal(ranged.rows, SPREAD_SPANS.length);
    // The time range alone reads the granules of every pair in the trace's 2 h 50 min (of
    // 1,200,012 spans over 3 h); the exact ranges those of 8 of the 41 pairs, at most 3 per
    // pair and day.
    assert.ok(ranged.read > 800_000, `time range alone read ${ranged.read} rows (exact: ${exact.read})`);
    assert.ok(exact.read <= 8 * 2 * 3 * 8192, `exact ranges read ${exact.read} rows (time range: ${ranged.read})`);
  });

  test('a trace written before the migration, and one continued after it, come back whole the old way', async () => {
    assert.deepEqual(await fetchTrace(OLD), expected(100, SPREAD_SPANS.slice(0, 6)));
    const mixedSpans = [...expected(200, SPREAD_SPANS.slice(0, 6)), ...expected(300, SPREAD_SPANS.slice(6))];
    assert.deepEqual(await fetchTrace(MIXED), mixedSpans);
    const repo = repository();
    assert.equal((await repo.traceLocation('default', OLD))?.exact, false);
    assert.equal((await repo.traceLocation('default', MIXED))?.exact, false);
    // Once merges have joined the index rows of MIXED, the pairs of its new spans alone do
    // not make it exact: its old spans are still found.
    await running().ch.command({ query: 'OPTIMIZE TABLE trace_index FINAL' });
    assert.equal((await repo.traceLocation('default', MIXED))?.exact, false);
    assert.deepEqual(await fetchTrace(MIXED), mixedSpans);
    assert.equal((await repo.traceLocation('default', SPREAD))?.exact, true);
    assert.deepEqual(await fetchTrace(SPREAD), expected(1, SPREAD_SPANS));
  });

  test('a trace with more operations than the exact ranges take is read the old way, whole', async () => {
    const at = await repository().traceLocation('default', WIDE);
    assert.equal(at?.exact, false);
    const spans = await fetchTrace(WIDE);
    assert.equal(spans.length, WIDE_SPANS.length);
    assert.deepEqual(new Set(spans), new Set(expected(5000, WIDE_SPANS)));
  });

  test('an unknown trace, or one of another tenant, is 404 from the index alone', async () => {
    const res = await call(running().server.url, `/api/v1/traces/${'12'.repeat(16)}`, { key: KEY });
    assert.equal(res.status, 404);
    const beta = await call(running().server.url, `/api/v1/traces/${SPREAD}`, { key: running().betaKey });
    assert.equal(beta.status, 404);
  });
});
