// Several relays sealing one outbox at once (replicas of the query role on one Postgres): each
// tenant's events form one chain — seq 1..n without gap or repeat, each linked to the one
// before — and verify passes. Real Postgres (a pool of connections), embedded ClickHouse.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClickHouse } from '@telemetryflow/clickhouse';
import type { AuditEventInput } from '@telemetryflow/http-kit';
import { PostgresAuditSink } from '../src/audit/audit-outbox.js';
import { AuditRelay } from '../src/audit/audit-relay.js';
import { call, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_audit_relays_test_key_0000001';
const EVENTS = 120;
const dir = tempDir('tf-audit-relays-');
let api: TestApi;

before(async () => {
  // The server's own relay waits; the relays below race for the outbox.
  api = await startTestApi(dir.path, KEY, async () => {}, { auditRelay: { intervalMs: 60_000 } });
});

after(async () => {
  await api?.close();
  dir.remove();
});

const event = (requestId: string): AuditEventInput => ({
  tenantId: 'default',
  actor: { type: 'apiKey', id: '', label: 'tf_relays' },
  clientAddress: '127.0.0.1',
  userAgent: 'relay-test',
  action: 'dashboard.update',
  resource: { type: 'dashboard', id: requestId, name: requestId },
  outcome: 'success',
  status: 200,
  requestId,
  before: null,
  after: { title: requestId },
});

/** Seq and links of the stored events whose request id starts with `prefix`. */
async function stored(prefix: string): Promise<{ id: string; seq: number; prev: string; hash: string }[]> {
  return (
    await api.ch.query({
      query: `SELECT RequestId AS id, toUInt64(Seq) AS seq, PrevHash AS prev, Hash AS hash FROM audit_events FINAL
               WHERE TenantId = 'default' AND startsWith(RequestId, {prefix:String}) ORDER BY Seq`,
      query_params: { prefix },
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    })
  ).json();
}

test('three relays sealing at once: one chain per tenant, no fork, verify passes', async () => {
  const sink = new PostgresAuditSink(api.cp.dataSource);
  await Promise.all(
    Array.from({ length: EVENTS }, (_, i) =>
      sink.record({
        tenantId: i % 3 === 0 ? 'beta' : 'default',
        actor: { type: 'apiKey', id: '', label: 'tf_relays' },
        clientAddress: '127.0.0.1',
        userAgent: 'relay-test',
        action: 'dashboard.update',
        resource: { type: 'dashboard', id: `d${i}`, name: `board ${i}` },
        outcome: 'success',
        status: 200,
        requestId: `relays-${i}`,
        before: null,
        after: { title: `board ${i}` },
      }),
    ),
  );
  // Small batches, so the relays' passes interleave many times.
  const relays = [0, 1, 2].map(() => new AuditRelay(api.cp.dataSource, api.ch, { intervalMs: 10, batchSize: 7 }));
  await Promise.all(relays.map((r) => r.drain()));
  await Promise.all(relays.map((r) => r.stop()));

  const rows = await (
    await api.ch.query({
      query: `SELECT TenantId AS tenant, toUInt64(Seq) AS seq, PrevHash AS prev, Hash AS hash
                FROM audit_events FINAL WHERE RequestId LIKE 'relays-%' ORDER BY TenantId, Seq`,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    })
  ).json<{ tenant: string; seq: number; prev: string; hash: string }>();
  assert.equal(rows.length, EVENTS, 'every event moved once');
  for (const tenant of ['default', 'beta']) {
    const chain = rows.filter((r) => r.tenant === tenant);
    assert.deepEqual(
      chain.map((r) => r.seq),
      chain.map((_, i) => i + 1),
      `${tenant}: seq 1..n`,
    );
    chain.forEach((r, i) => {
      if (i > 0) assert.equal(r.prev, chain[i - 1]!.hash, `${tenant}: seq ${r.seq} links to seq ${r.seq - 1}`);
    });
  }
  const verified = await call(api.server.url, '/api/v1/audit-events/verify', { key: KEY });
  assert.equal(verified.status, 200, JSON.stringify(verified.body));
  assert.equal(verified.body.data.ok, true, JSON.stringify(verified.body.data));
  assert.equal(verified.body.data.checked, rows.filter((r) => r.tenant === 'default').length);
});

test('timer passes seal an event once it waited a pass or ¾ of an interval: two relays make one pass between them', async () => {
  const ds = api.cp.dataSource;
  const sink = new PostgresAuditSink(ds);
  const [a, b] = [0, 1].map(() => new AuditRelay(ds, api.ch, { intervalMs: 1000, batchSize: 500 }));
  await sink.record(event('wait-1'));
  assert.equal(await a!.pass({ waitForAge: true }), 0, 'a fresh event waits (relay a)');
  assert.equal(await b!.pass({ waitForAge: true }), 0, 'a fresh event waits (relay b)');
  await sink.record(event('wait-2'));
  assert.equal(
    await a!.pass({ waitForAge: true }),
    2,
    'the oldest was there at a’s previous pass: everything waiting moves',
  );
  assert.equal(await b!.pass({ waitForAge: true }), 0, 'b finds nothing left');
  await new PostgresAuditSink(ds, () => Date.now() - 5_000).record(event('wait-3'));
  assert.equal(await b!.pass({ waitForAge: true }), 1, 'an event older than ¾ of the interval moves at once');
  assert.deepEqual(
    (await stored('wait-')).map((r) => r.id),
    ['wait-1', 'wait-2', 'wait-3'],
  );
});

test('a relay that sealed events but could not insert them: the next pass moves them first, the chain unbroken', async () => {
  const ds = api.cp.dataSource;
  const sink = new PostgresAuditSink(ds);
  // A ClickHouse server that is not there: the pass fails after sealing, as a crash there would.
  const unreachable = await createClickHouse({ url: 'http://127.0.0.1:9', dataDir: dir.path, requestTimeoutMs: 5_000 });
  const broken = new AuditRelay(ds, unreachable, { intervalMs: 1000, batchSize: 500 });
  await sink.record(event('crash-1'));
  await sink.record(event('crash-2'));
  await assert.rejects(broken.pass());
  await unreachable.close();
  const [left] = await ds.query(`SELECT count(*)::int AS sealed FROM audit_outbox WHERE seq IS NOT NULL`);
  assert.equal(left.sealed, 2, 'sealed, still in the outbox');
  await sink.record(event('crash-3'));
  await new AuditRelay(ds, api.ch, { intervalMs: 1000, batchSize: 500 }).drain();
  const rows = await stored('crash-');
  assert.deepEqual(
    rows.map((r) => r.id),
    ['crash-1', 'crash-2', 'crash-3'],
  );
  rows.forEach((r, i) => {
    if (i > 0) assert.equal(r.prev, rows[i - 1]!.hash, `seq ${r.seq} links to seq ${r.seq - 1}`);
    if (i > 0) assert.equal(r.seq, rows[i - 1]!.seq + 1, 'no gap');
  });
  const [outbox] = await ds.query(`SELECT count(*)::int AS n FROM audit_outbox`);
  assert.equal(outbox.n, 0);
  const verified = await call(api.server.url, '/api/v1/audit-events/verify', { key: KEY });
  assert.equal(verified.body.data.ok, true, JSON.stringify(verified.body.data));
});
