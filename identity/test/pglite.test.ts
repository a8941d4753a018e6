import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openControlPlane } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('tf-pglite-');
after(() => dir.remove());

test("embedded Postgres: PGlite over pglite-socket with TypeORM's pg driver; data survives a restart", async () => {
  const logs: string[] = [];
  const cp = await openControlPlane({ dataDir: dir.path, bootstrap: { apiKey: 'tf_embedded_key_0123456789' } }, (m) =>
    logs.push(m),
  );
  try {
    assert.ok(
      logs.some((m) => m.startsWith('embedded Postgres (PGlite) on the Unix socket in ')),
      logs.join(' | '),
    );
    assert.equal(await cp.migrationsComplete(), true);
    assert.deepEqual(await cp.authenticate('tf_embedded_key_0123456789'), {
      tenantId: 'default',
      scopes: ['ingest', 'read', 'admin'],
      rawRetentionDays: { traces: 15, logs: 15, metrics: 15 },
    });
    // More concurrent queries than the pool has connections: every pool connection must be accepted.
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => cp.dataSource.query('SELECT $1::int AS n, pg_sleep(0.01)', [i])),
    );
    assert.deepEqual(
      results.map((r) => r[0].n),
      Array.from({ length: 30 }, (_, i) => i),
    );
    const [{ version }] = await cp.dataSource.query('SELECT version()');
    assert.match(version, /PostgreSQL/);
  } finally {
    await cp.close();
  }
  const again: string[] = [];
  const cp2 = await openControlPlane({ dataDir: dir.path, bootstrap: {} }, (m) => again.push(m));
  try {
    assert.deepEqual(
      again.filter((m) => m.startsWith('bootstrap')),
      [],
      'bootstrap only on first start',
    );
    assert.ok(await cp2.authenticate('tf_embedded_key_0123456789'), 'data persisted under <dataDir>/postgres');
  } finally {
    await cp2.close();
  }
});

test('a query waits for the one connection at most poolWaitMs, then fails as unavailable instead of hanging', async () => {
  const cp = await openControlPlane({ dataDir: dir.path, bootstrap: {}, poolWaitMs: 200 });
  try {
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const inTransaction = new Promise<void>((r) => (holding = r));
    const holder = cp.dataSource.transaction(async (em) => {
      await em.query('SELECT 1');
      holding();
      await held;
    });
    await inTransaction;
    await assert.rejects(cp.dataSource.query('SELECT 1'), /timeout exceeded when trying to connect/);
    release();
    await holder;
    assert.deepEqual(await cp.dataSource.query('SELECT 1 AS ok'), [{ ok: 1 }], 'the connection serves again once free');
  } finally {
    await cp.close();
  }
});

test('a second control plane on a data directory that one already serves is refused', async () => {
  const cp = await openControlPlane({ dataDir: dir.path, bootstrap: {} });
  try {
    await assert.rejects(
      openControlPlane({ dataDir: dir.path, bootstrap: {} }),
      /another process serves .*postgres-socket.*one process owns a data directory/,
    );
    assert.deepEqual(await cp.dataSource.query('SELECT 1 AS ok'), [{ ok: 1 }], 'the first one is unaffected');
  } finally {
    await cp.close();
  }
});
