// The usage recorder against the real engine: every flush's counts are added, even when two
// flushes write identical rows (the table keeps a deduplication window, as every *_hourly table).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClickHouse, migrate, UsageRecorder, type ClickHouseClient } from '../src/index.js';

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
