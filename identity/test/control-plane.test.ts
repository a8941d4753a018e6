import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import {
  createApiKey,
  createTenant,
  openControlPlane,
  revokeApiKey,
  verifyUserPassword,
  type ControlPlane,
} from '../src/index.js';
import { CONTROL_PLANE_MIGRATIONS } from '../src/control-plane/migrations/index.js';
import { createTestDatabase, tempDir, type TestDatabase, passwordLogin } from './helpers.js';

let db: TestDatabase;
const dir = tempDir('tf-cp-');
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
  dir.remove();
});

const BOOTSTRAP = {
  apiKey: 'tf_bootstrap_test_key_0123456789',
  adminEmail: 'Ops@Example.com',
  adminPassword: 'correct horse battery',
};
/** A tenant without retention policies has the default raw retention for every signal. */
const DEFAULT_RAW_DAYS = { traces: 15, logs: 15, metrics: 15 };

test('two processes migrating at once both succeed; bootstrap happens once, deterministically', async () => {
  const logsA: string[] = [];
  const logsB: string[] = [];
  const [a, b] = await Promise.all([
    openControlPlane({ databaseUrl: db.url, dataDir: dir.path, bootstrap: BOOTSTRAP }, (m) => logsA.push(m)),
    openControlPlane({ databaseUrl: db.url, dataDir: dir.path, bootstrap: BOOTSTRAP }, (m) => logsB.push(m)),
  ]);
  try {
    assert.equal(await a.migrationsComplete(), true);
    assert.equal(await b.migrationsComplete(), true);
    const bootstrapLines = [...logsA, ...logsB].filter((m) => m.startsWith('bootstrap'));
    assert.equal(
      bootstrapLines.filter((m) => m.startsWith('bootstrap API key')).length,
      1,
      'bootstrap printed by exactly one process',
    );
    // A supplied secret is never echoed.
    assert.ok(!bootstrapLines.some((m) => m.includes(BOOTSTRAP.apiKey) || m.includes(BOOTSTRAP.adminPassword)));

    const ds = a.dataSource;
    assert.deepEqual(await ds.query(`SELECT id, name FROM tenants`), [{ id: 'default', name: 'Default' }]);
    const keys = await ds.query(`SELECT tenant_id, prefix, scopes, key_hash FROM api_keys`);
    assert.equal(keys.length, 1);
    assert.equal(keys[0].prefix, BOOTSTRAP.apiKey.slice(0, 8));
    assert.deepEqual([...keys[0].scopes].sort(), ['admin', 'ingest', 'read']);
    assert.notEqual(keys[0].key_hash, BOOTSTRAP.apiKey, 'only the hash is stored');
    const members = await ds.query(
      `SELECT u.email, m.role, m.tenant_id FROM memberships m JOIN users u ON u.id = m.user_id`,
    );
    assert.deepEqual(members, [{ email: 'ops@example.com', role: 'owner', tenant_id: 'default' }]);
    assert.ok(await verifyUserPassword(ds, 'ops@example.com', BOOTSTRAP.adminPassword));
    assert.equal(await verifyUserPassword(ds, 'ops@example.com', 'wrong'), null);
    const [hash] = await ds.query(`SELECT password_hash FROM users`);
    assert.match(hash.password_hash, /^\$argon2id\$/);

    assert.deepEqual(await a.authenticate(BOOTSTRAP.apiKey), {
      tenantId: 'default',
      scopes: ['ingest', 'read', 'admin'],
      rawRetentionDays: DEFAULT_RAW_DAYS,
    });
  } finally {
    await a.close();
    await b.close();
  }
});

test('reopening runs no migration and prints nothing but the JWT and secret-key warnings; the migrations table lists each migration once', async () => {
  const logs: string[] = [];
  const cp = await openControlPlane({ databaseUrl: db.url, dataDir: dir.path, bootstrap: BOOTSTRAP }, (m) =>
    logs.push(m),
  );
  try {
    assert.deepEqual(
      logs.filter((m) => !m.startsWith('TF_JWT_SECRET is not set') && !m.startsWith('TF_SECRET_KEY is not set')),
      [],
    );
    const rows: { name: string }[] = await cp.dataSource.query(`SELECT name FROM typeorm_migrations ORDER BY id`);
    assert.deepEqual(
      rows.map((r) => r.name),
      CONTROL_PLANE_MIGRATIONS.map((m) => new m().name),
    );
    assert.equal((await cp.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`))[0].n, 1);
  } finally {
    await cp.close();
  }
});

test('authenticate: unknown → null, revoked → null, scopes per key, last_used_at set in the background', async () => {
  const cp: ControlPlane = await openControlPlane({
    databaseUrl: db.url,
    dataDir: dir.path,
    bootstrap: {},
    authCacheTtlMs: 0,
  });
  try {
    await createTenant(cp.dataSource, { id: 'acme', name: 'Acme' });
    const ingestOnly = await createApiKey(cp.dataSource, { tenantId: 'acme', name: 'collector', scopes: ['ingest'] });
    assert.match(ingestOnly.key, /^tf_[A-Za-z0-9]{40}$/);
    assert.deepEqual(await cp.authenticate(ingestOnly.key), {
      tenantId: 'acme',
      scopes: ['ingest'],
      rawRetentionDays: DEFAULT_RAW_DAYS,
    });
    assert.equal(await cp.authenticate('tf_unknownunknownunknown'), null);
    const wrongSecret = ingestOnly.key.slice(0, -1) + (ingestOnly.key.endsWith('x') ? 'y' : 'x');
    assert.equal(await cp.authenticate(wrongSecret), null, 'same prefix, wrong secret');
    // Background touch lands shortly after.
    let used: unknown = null;
    for (let i = 0; i < 500 && used === null; i++) {
      await new Promise((r) => setTimeout(r, 20));
      [{ last_used_at: used }] = await cp.dataSource.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [
        ingestOnly.id,
      ]);
    }
    assert.ok(used instanceof Date, 'last_used_at was written');
    assert.equal(await revokeApiKey(cp.dataSource, ingestOnly.id), true);
    assert.equal(await cp.authenticate(ingestOnly.key), null);
  } finally {
    await cp.close();
  }
});

test('a credential carries its tenant raw retention per signal from retention_policies, defaults for signals without one', async () => {
  const cp: ControlPlane = await openControlPlane({
    databaseUrl: db.url,
    dataDir: dir.path,
    bootstrap: {},
    authCacheTtlMs: 0,
  });
  try {
    await createTenant(cp.dataSource, { id: 'kept-short', name: 'Kept short' });
    const key = await createApiKey(cp.dataSource, { tenantId: 'kept-short', name: 'collector', scopes: ['ingest'] });
    await cp.dataSource.query(
      `INSERT INTO retention_policies (tenant_id, signal, raw_days, hourly_days, daily_days, updated_at) VALUES ('kept-short', 'logs', 3, 90, 400, now()), ('kept-short', 'spans', 40, 90, 400, now())`,
    );
    assert.deepEqual((await cp.authenticate(key.key))?.rawRetentionDays, { traces: 40, logs: 3, metrics: 15 });
  } finally {
    await cp.close();
  }
});

test('generated bootstrap values are printed once, on first start only', async () => {
  const other = await createTestDatabase();
  try {
    const first: string[] = [];
    const cp1 = await openControlPlane({ databaseUrl: other.url, dataDir: dir.path, bootstrap: {} }, (m) =>
      first.push(m),
    );
    const keyLine = first.find((m) => m.startsWith('bootstrap API key: tf_'));
    assert.ok(keyLine, `printed: ${first.join(' | ')}`);
    const key = keyLine.slice('bootstrap API key: '.length);
    const passwordLine = first.find((m) => m.startsWith('bootstrap admin password: '));
    const password = passwordLine!.slice('bootstrap admin password: '.length);
    assert.ok(first.includes('bootstrap admin user: admin@telemetryflow.local'));
    assert.deepEqual(await cp1.authenticate(key), {
      tenantId: 'default',
      scopes: ['ingest', 'read', 'admin'],
      rawRetentionDays: DEFAULT_RAW_DAYS,
    });
    assert.ok(await verifyUserPassword(cp1.dataSource, 'admin@telemetryflow.local', password));
    await cp1.close();
    const second: string[] = [];
    const cp2 = await openControlPlane({ databaseUrl: other.url, dataDir: dir.path, bootstrap: {} }, (m) =>
      second.push(m),
    );
    assert.deepEqual(
      second.filter((m) => m.startsWith('bootstrap')),
      [],
    );
    assert.ok(await cp2.authenticate(key));
    await cp2.close();
  } finally {
    await other.drop();
  }
});

test('a bad bootstrap key fails fast', async () => {
  await assert.rejects(
    openControlPlane({ databaseUrl: db.url, dataDir: dir.path, bootstrap: { apiKey: 'has space here' } }),
    /bootstrap API key/,
  );
});

test('a pool too small to migrate is refused at start instead of hanging', async () => {
  await assert.rejects(
    openControlPlane({ databaseUrl: db.url, dataDir: dir.path, bootstrap: {}, poolSize: 1 }),
    /poolSize must be an integer of at least 2/,
  );
});

test('two OS processes opening a fresh database at once: one migrates and bootstraps, both succeed', async () => {
  const fresh = await createTestDatabase();
  const entry = new URL('../src/index.js', import.meta.url).href;
  const script = `
    const { openControlPlane } = await import(${JSON.stringify(entry)});
    const lines = [];
    const cp = await openControlPlane({ databaseUrl: process.env.DB_URL, dataDir: '.', bootstrap: {} }, (m) => lines.push(m));
    const ok = await cp.migrationsComplete();
    await cp.close();
    process.stdout.write(JSON.stringify({ ok, lines }));`;
  const run = () =>
    new Promise<{ ok: boolean; lines: string[] }>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { env: { ...process.env, DB_URL: fresh.url } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
      );
    });
  try {
    const results = await Promise.all([run(), run()]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true],
    );
    const printed = results.flatMap((r) => r.lines.filter((m) => m.startsWith('bootstrap API key: tf_')));
    assert.equal(printed.length, 1);
    const migrated = results.filter((r) => r.lines.some((m) => m.startsWith('control plane: applied migrations')));
    assert.equal(migrated.length, 1);
  } finally {
    await fresh.drop();
  }
});

test('replicas without TF_JWT_SECRET share one generated secret; a configured secret replaces it', async () => {
  const warnings: string[] = [];
  const a = await openControlPlane(
    { databaseUrl: db.url, dataDir: dir.path, bootstrap: BOOTSTRAP },
    () => {},
    (m) => warnings.push(m),
  );
  const b = await openControlPlane({ databaseUrl: db.url, dataDir: dir.path, bootstrap: BOOTSTRAP });
  const configured = await openControlPlane({
    databaseUrl: db.url,
    dataDir: dir.path,
    bootstrap: BOOTSTRAP,
    auth: { jwtSecret: 'a configured secret of 32+ bytes!!' },
  });
  try {
    assert.ok(
      warnings.some((m) => m.startsWith('TF_JWT_SECRET is not set')),
      'the generated secret is warned about',
    );
    const pair = await passwordLogin(a, BOOTSTRAP.adminEmail, BOOTSTRAP.adminPassword);
    const caller = await b.resolveCaller(pair.accessToken);
    assert.match(caller?.sessionId ?? '', /^[0-9a-f-]{36}$/, 'the caller names the session of its token');
    assert.deepEqual(
      { ...caller, userId: undefined, sessionId: undefined, permissions: [...caller!.permissions] },
      {
        tenantId: 'default',
        kind: 'user',
        userId: undefined,
        sessionId: undefined,
        role: 'owner',
        permissions: ['read', 'write', 'admin', 'owner'],
        // The bootstrap admin administers the instance (tenants' quotas).
        instanceAdmin: true,
        // What the audit log names the caller by, read with the membership.
        label: BOOTSTRAP.adminEmail.toLowerCase(),
      },
    );
    assert.equal(await configured.resolveCaller(pair.accessToken), null, 'signed with another secret');
    const own = await passwordLogin(configured, BOOTSTRAP.adminEmail, BOOTSTRAP.adminPassword);
    assert.ok(await configured.resolveCaller(own.accessToken));
    assert.equal(await a.resolveCaller(own.accessToken), null);
    await assert.rejects(
      openControlPlane({ databaseUrl: db.url, dataDir: dir.path, bootstrap: BOOTSTRAP, auth: { jwtSecret: 'short' } }),
      /TF_JWT_SECRET must be at least 32 bytes/,
    );
  } finally {
    await a.close();
    await b.close();
    await configured.close();
  }
});
