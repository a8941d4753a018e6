// Data of the all-in-one lives under TF_DATA_DIR and survives a restart; the first-start
// bootstrap runs once (the same key works afterwards, no second tenant or key appears).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  API_KEY,
  api,
  assertSignals,
  buildSignals,
  exportSignals,
  assertTrace,
  buildTrace,
  exportOk,
  exporters,
  freshDataDir,
  getTrace,
  removeDir,
  startServer,
  type Started,
} from './helpers.js';

const dataDir = freshDataDir();
let current: Started | undefined;

after(async () => {
  await current?.running.close();
  removeDir(dataDir);
});

test('close, reopen on the same TF_DATA_DIR in the same process: data and bootstrap key are kept', async () => {
  current = await startServer(dataDir);
  assert.ok(
    current.log.some((l) => l.includes('bootstrap API key')),
    `first start bootstraps: ${current.log.join(' | ')}`,
  );
  const sent = await buildSignals('restart-svc', 'e2e.restart');
  await exportSignals(current.running, 'http', API_KEY, sent);
  await current.running.close();
  current = undefined;

  current = await startServer(dataDir);
  assert.ok(
    !current.log.some((l) => l.includes('bootstrap')),
    `second start must not bootstrap again: ${current.log.join(' | ')}`,
  );
  await assertSignals(current.running.apiUrl, API_KEY, sent);

  const apiUrl = current.running.apiUrl;
  const login = await api<{ data: { accessToken: string } }>(apiUrl, '/api/v1/auth/login', undefined, {
    method: 'POST',
    body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  });
  assert.equal(login.status, 200, 'the bootstrap admin still signs in');
  const tenants = await api<{ data: unknown[] }>(apiUrl, '/api/v1/tenants', login.body.data.accessToken);
  const keys = await api<{ data: unknown[] }>(apiUrl, '/api/v1/api-keys', API_KEY);
  const members = await api<{ data: unknown[] }>(apiUrl, '/api/v1/tenants/default/members', API_KEY);
  assert.deepEqual(
    [tenants.body.data.length, keys.body.data.length, members.body.data.length],
    [1, 1, 1],
    'one tenant, one key, one user after two starts',
  );

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
