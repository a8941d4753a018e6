import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClickHouse, type ClickHouseClient } from '../src/index.js';

// The embedded engine, not a server: a query that fails leaves the output it had written in its
// connection, and these check that no other query's answer ever carries it.
let dir: string;
let ch: ClickHouseClient;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-isolated-'));
  ch = await createClickHouse({ dataDir: dir });
});
after(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Rows come out every ~million numbers until the 1 s limit stops the query. */
function slowRows(overflow: 'throw' | 'break'): string {
  return (
    'SELECT {tenant:String} AS tenant, number AS leaked FROM numbers(100000000000) WHERE number % 1000000 = 0' +
    ` SETTINGS max_block_size = 65536, max_threads = 1, max_execution_time = 1, timeout_overflow_mode = '${overflow}'`
  );
}
const SLOW_COUNT =
  'SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) % 7 = {seven:UInt8}' +
  ' SETTINGS max_threads = 1, max_execution_time = 1';
const OWN_ROWS = 'SELECT {tenant:String} AS tenant, toUInt8(number) AS n FROM numbers(3)';
const own = (tenant: string) => [0, 1, 2].map((n) => ({ tenant, n }));

async function eachRow(tenant: string): Promise<unknown[]> {
  const rs = await ch.query({ query: OWN_ROWS, query_params: { tenant }, format: 'JSONEachRow' });
  return rs.json();
}

async function jsonDocument(tenant: string): Promise<{ data: unknown[]; rows: number | undefined }> {
  const rs = await ch.query({ query: OWN_ROWS, query_params: { tenant }, format: 'JSON' });
  const { data, rows } = await rs.json<unknown>();
  return { data, rows };
}

async function rowBinary(tenant: string): Promise<Buffer> {
  const result = await ch.exec({ query: `${OWN_ROWS} FORMAT RowBinary`, query_params: { tenant } });
  const chunks: Buffer[] = [];
  for await (const chunk of result.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** RowBinary of OWN_ROWS: per row a length-prefixed string and a UInt8. */
function ownRowBinary(tenant: string): Buffer {
  const name = Buffer.from(tenant);
  return Buffer.concat([0, 1, 2].map((n) => Buffer.from([name.length, ...name, n])));
}

const timedOut = { type: 'TIMEOUT_EXCEEDED' };

test('rows sent before a time limit stopped the query are not answered to the next query, in any format', async () => {
  await assert.rejects(eachRowOf(slowRows('throw'), 'a'), timedOut);
  assert.deepEqual(await eachRow('b'), own('b'));

  await assert.rejects(eachRowOf(slowRows('throw'), 'a'), timedOut);
  const doc = await jsonDocument('b');
  assert.deepEqual([doc.data, doc.rows], [own('b'), 3]);

  await assert.rejects(
    ch.exec({ query: `${slowRows('throw')} FORMAT RowBinary`, query_params: { tenant: 'a' } }),
    timedOut,
  );
  assert.deepEqual(await rowBinary('b'), ownRowBinary('b'));
});

test('a timed-out FORMAT JSON query does not put its document ahead of the next answer', async () => {
  const count = () => ch.query({ query: SLOW_COUNT, query_params: { seven: 3 }, format: 'JSON' });
  await assert.rejects(count(), timedOut);
  assert.deepEqual(await eachRow('b'), own('b'));
  await assert.rejects(count(), timedOut);
  const doc = await jsonDocument('b');
  assert.deepEqual([doc.data, doc.rows], [own('b'), 3]);
});

test('rows sent before an exception are not answered to the next query', async () => {
  const failing =
    "SELECT throwIf(number = 3000000, 'stop') AS t, number AS leaked FROM numbers(10000000)" +
    ' WHERE number % 100000 = 0 SETTINGS max_block_size = 65536, max_threads = 1';
  await assert.rejects(ch.query({ query: failing, format: 'JSONEachRow' }), /stop/);
  assert.deepEqual(await eachRow('b'), own('b'));
});

test('a query stopped with timeout_overflow_mode break answers its own partial rows, and only its own', async () => {
  const partial = (await eachRowOf(slowRows('break'), 'a')) as { tenant: string }[];
  assert.ok(partial.length > 0, 'rows come out before the limit, so a failed query would leave some');
  assert.ok(partial.every((r) => r.tenant === 'a'));
  assert.deepEqual(await eachRow('b'), own('b'));
});

test('an aborted query is answered at once, and the query waiting behind it does not get what it wrote', async () => {
  const controller = new AbortController();
  const events: string[] = [];
  const slow = ch
    .query({
      query: slowRows('throw'),
      query_params: { tenant: 'a' },
      format: 'JSONEachRow',
      abort_signal: controller.signal,
    })
    .then(
      () => events.push('a answered'),
      (err: Error) => events.push(`a: ${err.message}`),
    );
  const next = eachRow('b').then((rows) => {
    events.push('b answered');
    return rows;
  });
  setTimeout(() => controller.abort(), 100);
  await slow;
  assert.deepEqual(await next, own('b'));
  // Not the engine's TIMEOUT_EXCEEDED, which would come after its 1 s limit.
  assert.deepEqual(events, ['a: The user aborted a request.', 'b answered']);
});

test('concurrent callers each get exactly their own rows while another query times out', async () => {
  const tenants = ['t1', 't2', 't3', 't4', 't5', 't6'];
  const [failed, ...answers] = await Promise.allSettled([
    eachRowOf(slowRows('throw'), 'intruder'),
    ...tenants.map((t, i) =>
      i % 3 === 0 ? eachRow(t) : i % 3 === 1 ? jsonDocument(t).then((d) => d.data) : rowBinary(t),
    ),
  ]);
  assert.equal(failed?.status, 'rejected');
  assert.deepEqual(
    answers.map((a) => (a.status === 'fulfilled' ? a.value : a.reason)),
    tenants.map((t, i) => (i % 3 === 2 ? ownRowBinary(t) : own(t))),
  );
});

async function eachRowOf(query: string, tenant: string): Promise<unknown[]> {
  const rs = await ch.query({ query, query_params: { tenant }, format: 'JSONEachRow' });
  return rs.json();
}
