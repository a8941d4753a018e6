// Data of the all-in-one lives under TF_DATA_DIR and survives a restart; the first-start
// bootstrap runs once (the same key works afterwards, no second tenant or key appears).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openControlPlane } from '@telemetryflow/query';
import {
  API_KEY, assertSignals, buildSignals, exportSignals, assertTrace, buildTrace, exportOk, exporters, freePort, freshDataDir, getTrace, removeDir, startServer, type Started,
} from './helpers.js';

const dataDir = freshDataDir();
let current: Started | undefined;

after(async () => {
  await current?.running.close();
  removeDir(dataDir);
});

test('close, reopen on the same TF_DATA_DIR in the same process: data and bootstrap key are kept', async () => {
  const pglitePort = await freePort();
  const env = { TF_PGLITE_PORT: String(pglitePort) };
  current = await startServer(dataDir, env);
  assert.ok(current.log.some((l) => l.includes('bootstrap API key')), `first start bootstraps: ${current.log.join(' | ')}`);
  const sent = await buildSignals('restart-svc', 'e2e.restart');
  await exportSignals(current.running, 'http', API_KEY, sent);
  await current.running.close();
  current = undefined;

  current = await startServer(dataDir, env);
  assert.ok(!current.log.some((l) => l.includes('bootstrap')), `second start must not bootstrap again: ${current.log.join(' | ')}`);
  await assertSignals(current.running.apiUrl, API_KEY, sent);

  const cp = await openControlPlane({ databaseUrl: `postgres://postgres@127.0.0.1:${pglitePort}/postgres`, dataDir, bootstrap: {}, poolSize: 2 });
  try {
    const [tenants] = await cp.dataSource.query('SELECT count(*)::int AS n FROM tenants');
    const [keys] = await cp.dataSource.query('SELECT count(*)::int AS n FROM api_keys');
    const [users] = await cp.dataSource.query('SELECT count(*)::int AS n FROM users');
    assert.deepEqual([tenants.n, keys.n, users.n], [1, 1, 1], 'one tenant, one key, one user after two starts');
  } finally {
    await cp.close();
  }

  // Still ingesting after the restart, into the same tenant.
  const later = buildTrace('restart-svc');
  const ex2 = exporters(current.running, 'grpc', API_KEY);
  try {
    await exportOk(ex2.traces, later.spans, 'traces after restart');
  } finally {
    await ex2.shutdown();
  }
  assertTrace((await getTrace(current.running.apiUrl, API_KEY, later.traceId)).body.data, later);
});
