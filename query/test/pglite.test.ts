import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openControlPlane } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('tf-pglite-');
after(() => dir.remove());

test('embedded Postgres: PGlite over pglite-socket with TypeORM\'s pg driver; data survives a restart', async () => {
  const logs: string[] = [];
  const cp = await openControlPlane({ dataDir: dir.path, bootstrap: { apiKey: 'tf_embedded_key_0123456789' } }, (m) => logs.push(m));
  try {
    assert.ok(logs.some((m) => m.startsWith('embedded Postgres (PGlite) listening on 127.0.0.1:')));
    assert.equal(await cp.migrationsComplete(), true);
    assert.deepEqual(await cp.authenticate('tf_embedded_key_0123456789'), {
      tenantId: 'default', scopes: ['ingest', 'read', 'admin'], rawRetentionDays: { traces: 15, logs: 15, metrics: 15 },
    });
    // More concurrent queries than the pool has connections: every pool connection must be accepted.
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => cp.dataSource.query('SELECT $1::int AS n, pg_sleep(0.01)', [i])));
    assert.deepEqual(results.map((r) => r[0].n), Array.from({ length: 30 }, (_, i) => i));
    const [{ version }] = await cp.dataSource.query('SELECT version()');
    assert.match(version, /PostgreSQL/);
  } finally {
    await cp.close();
  }
  const again: string[] = [];
  const cp2 = await openControlPlane({ dataDir: dir.path, bootstrap: {} }, (m) => again.push(m));
  try {
    assert.deepEqual(again.filter((m) => m.startsWith('bootstrap')), [], 'bootstrap only on first start');
    assert.ok(await cp2.authenticate('tf_embedded_key_0123456789'), 'data persisted under <dataDir>/postgres');
  } finally {
    await cp2.close();
  }
});
