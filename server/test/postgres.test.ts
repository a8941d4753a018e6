// The all-in-one with DATABASE_URL pointing at a real Postgres (a throwaway database on
// 127.0.0.1:5432): migrations, bootstrap once, ingest auth, tenant isolation, restart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createApiKey, createTenant, openControlPlane } from '@telemetryflow/identity';
import { CONTROL_PLANE_FEATURES } from '../src/control-plane-features.js';
import {
  API_KEY,
  assertSignals,
  buildSignals,
  exportSignals,
  assertTrace,
  freshDataDir,
  getTrace,
  removeDir,
  searchLogs,
  startServer,
  type Started,
} from './helpers.js';

const ADMIN_URL = process.env.TF_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `tf_e2e_${randomBytes(6).toString('hex')}`;
const databaseUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const dataDir = freshDataDir();
let current: Started | undefined;

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function counts(): Promise<number[]> {
  return admin(async (c) => {
    const out: number[] = [];
    for (const t of ['tenants', 'api_keys', 'users', 'memberships'])
      out.push((await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]!.n);
    return out;
  }, databaseUrl);
}

before(async () => {
  await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
});

after(async () => {
  await current?.running.close();
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  removeDir(dataDir);
});

test('with DATABASE_URL: bootstrap once, ingest and read, isolation, restart', async () => {
  current = await startServer(dataDir, { DATABASE_URL: databaseUrl });
  assert.deepEqual(await counts(), [1, 1, 1, 1], 'one tenant, key, user and membership after the first start');
  // Only the hash of the key is stored.
  const stored = await admin(
    (c) => c.query<{ key_hash: string; prefix: string }>('SELECT key_hash, prefix FROM api_keys'),
    databaseUrl,
  );
  assert.notEqual(stored.rows[0]!.key_hash, API_KEY);
  assert.ok(!stored.rows[0]!.key_hash.includes(API_KEY));

  const sent = await buildSignals('pg-svc', 'e2e.pg');
  const { trace, logs } = sent;
  await exportSignals(current.running, 'grpc', API_KEY, sent);
  await assertSignals(current.running.apiUrl, API_KEY, sent);

  // A second tenant, created in the same Postgres.
  const cp = await openControlPlane({
    databaseUrl,
    dataDir,
    bootstrap: {},
    poolSize: 2,
    features: CONTROL_PLANE_FEATURES,
  });
  let otherKey: string;
  try {
    const tenant = await createTenant(cp.dataSource, { name: 'Other' });
    otherKey = (await createApiKey(cp.dataSource, { tenantId: tenant.id, name: 'e2e', scopes: ['ingest', 'read'] }))
      .key;
  } finally {
    await cp.close();
  }
  assert.equal((await getTrace(current.running.apiUrl, otherKey, trace.traceId)).status, 404);
  assert.deepEqual(
    await searchLogs(current.running.apiUrl, otherKey, { service: 'pg-svc', from: logs.fromMs, to: logs.toMs }),
    [],
  );

  await current.running.close();
  current = undefined;
  current = await startServer(dataDir, { DATABASE_URL: databaseUrl });
  assert.ok(
    !current.log.some((l) => l.includes('bootstrap')),
    `restart must not bootstrap again: ${current.log.join(' | ')}`,
  );
  assert.deepEqual(await counts(), [2, 2, 1, 1], 'no second bootstrap tenant or key after a restart');
  assertTrace((await getTrace(current.running.apiUrl, API_KEY, trace.traceId)).body.data, trace);
  assert.equal((await getTrace(current.running.apiUrl, otherKey, trace.traceId)).status, 404);
});
