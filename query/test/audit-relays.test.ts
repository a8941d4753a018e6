// Several relays sealing one outbox at once (replicas of the query role on one Postgres): each
// tenant's events form one chain — seq 1..n without gap or repeat, each linked to the one
// before — and verify passes. Real Postgres (a pool of connections), embedded ClickHouse.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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
