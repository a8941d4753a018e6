// The usage recorder against the real engine: every flush's counts are added, even when two
// flushes write identical rows (the table keeps a deduplication window, as every *_hourly table).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClickHouse, migrate, recordStoredBytes, UsageRecorder, type ClickHouseClient } from '../src/index.js';

let dir: string;
let ch: ClickHouseClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-usage-'));
  ch = await createClickHouse({ dataDir: dir });
  await migrate(ch);
});

after(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusedRequests(tenant: string): Promise<Record<string, number>> {
  const rs = await ch.query({
    query: `SELECT Reason, sum(Requests) AS n FROM usage_hourly
             WHERE TenantId = {tenant:String} AND Kind = 'refused' GROUP BY Reason ORDER BY Reason`,
    query_params: { tenant },
    format: 'JSONEachRow',
  });
  return Object.fromEntries((await rs.json<{ Reason: string; n: string }>()).map((r) => [r.Reason, Number(r.n)]));
}

test('identical counts flushed one after another are all added', async () => {
  const recorder = new UsageRecorder(ch);
  for (let i = 0; i < 5; i++) {
    recorder.add('t1', 'traces', 'refused', { requests: 1, bytes: 57 }, 'quota');
    await recorder.flush();
  }
  // A second process's recorder writing the same rows is not a duplicate either.
  const other = new UsageRecorder(ch);
  other.add('t1', 'traces', 'refused', { requests: 1, bytes: 57 }, 'quota');
  await other.flush();
  assert.deepEqual(await refusedRequests('t1'), { quota: 6 });
});

test('refusals are kept apart by reason', async () => {
  const recorder = new UsageRecorder(ch);
  recorder.add('t2', 'logs', 'refused', { requests: 1 }, 'quota');
  recorder.add('t2', 'logs', 'refused', { requests: 2 }, 'overload');
  recorder.add('t2', 'logs', 'refused', { requests: 1 }, 'quota');
  await recorder.close();
  assert.deepEqual(await refusedRequests('t2'), { overload: 2, quota: 2 });
});

test("stored bytes: each tenant's share of a signal's parts, by its rows in each part", async () => {
  const insertLogs = (tenant: string, n: number) =>
    ch.command({
      query: `INSERT INTO logs (TenantId, Timestamp, ServiceName, Body) SETTINGS async_insert = 0
              SELECT {tenant:String}, now64(9), 'svc', concat('line ', toString(number)) FROM numbers({n:UInt64})`,
      query_params: { tenant, n },
    });
  await insertLogs('big', 3000);
  await insertLogs('small', 1000);
  await insertLogs('big', 1000);
  const measured = await recordStoredBytes(ch, Date.UTC(2026, 11, 7, 10, 30));
  const logs = Object.fromEntries(measured.filter((s) => s.signal === 'logs').map((s) => [s.tenantId, s]));
  assert.deepEqual([logs.big?.rows, logs.small?.rows], [4000, 1000]);
  const rs = await ch.query({
    query: `SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = currentDatabase() AND table = 'logs' AND active`,
    format: 'JSONEachRow',
  });
  const b = (await rs.json<{ b: string }>())[0]!.b;
  // The shares add up to the table's bytes on disk; each tenant's is in proportion to its rows per part.
  assert.ok(Math.abs(logs.big!.bytes + logs.small!.bytes - Number(b)) <= 2, `${JSON.stringify(logs)} of ${b}`);
  assert.ok(logs.big!.bytes > logs.small!.bytes * 2, JSON.stringify(logs));
  // A later measurement of the same hour replaces the earlier one.
  await insertLogs('small', 500);
  await recordStoredBytes(ch, Date.UTC(2026, 11, 7, 10, 45, 12, 345));
  const stored = await ch.query({
    query: `SELECT Rows FROM usage_stored_bytes FINAL WHERE TenantId = 'small' AND Signal = 'logs'`,
    format: 'JSONEachRow',
  });
  assert.deepEqual(await stored.json(), [{ Rows: '1500' }]);
});
