// The /live gateway's connection rules against the real API and Postgres: a revoked key
// stops streaming, connections per tenant are capped, and rows published for one tenant
// reach only that tenant's subscribers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { insertColumns, type ClickHouseClient } from '@telemetryflow/clickhouse';
import type { LogRow } from '@telemetryflow/rows';
import type { LiveAck, LiveItems, LiveNotice, LogDto } from '@telemetryflow/contract';
import { io, type Socket } from 'socket.io-client';
import {
  addMembership,
  createApiKey,
  createUser,
  openControlPlane,
  revokeApiKey,
  type ControlPlane,
} from '@telemetryflow/identity';
import { DASHBOARDS_FEATURE, LiveHub } from '../src/index.js';
import { startQueryServer, type QueryServer } from '../src/app/index.js';
import { createTestDatabase, startClickHouse, tempDir, type TestDatabase } from './helpers.js';

const KEY = 'tf_live_gateway_test_key_default_01';
const dir = tempDir('tf-live-gateway-');
let db: TestDatabase;
let ch: ClickHouseClient;
let cp: ControlPlane;
let server: QueryServer;
const hub = new LiveHub();
const sockets: Socket[] = [];

before(async () => {
  db = await createTestDatabase();
  ch = await startClickHouse(dir.path);
  cp = await openControlPlane({
    databaseUrl: db.url,
    dataDir: dir.path,
    bootstrap: { apiKey: KEY },
    authCacheTtlMs: 50,
    features: [DASHBOARDS_FEATURE],
  });
  server = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: ch,
    controlPlane: cp,
    clickhouseMigrated: async () => true,
    live: { hub, recheckMs: 200, maxConnectionsPerTenant: 3, maxDashboardFeedsPerTenant: 2 },
  });
});

after(async () => {
  for (const s of sockets) s.close();
  await server?.close();
  await cp?.close();
  await ch?.close();
  await db?.drop();
  dir.remove();
});

/**
 * A `/live` connection. While the tenant is at its cap it retries (for up to 10 s): the server
 * frees a slot once it has seen a closed connection go, a moment after the client closed it.
 */
async function open(token: string, tenant?: string): Promise<Socket> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await connectOnce(token, tenant);
    } catch (err) {
      if (!/too many live connections/.test(String(err)) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function connectOnce(token: string, tenant?: string): Promise<Socket> {
  const socket = io(`${server.url}/live`, {
    auth: { token, ...(tenant ? { tenant } : {}) },
    transports: ['websocket'],
    reconnection: false,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** A `logs` row as the ingest row builders make it. */
function logRow(tenant: string, body: string): LogRow {
  const values: Record<string, unknown> = {
    TenantId: tenant,
    TimestampNs: 1_700_000_000_000_000_000n,
    ObservedTimestampNs: 1_700_000_000_000_000_000n,
    SeverityNumber: 9,
    ServiceName: 'svc',
    Body: body,
  };
  return insertColumns('logs').map(
    (c) => values[c] ?? (c.endsWith('Attributes') || c.endsWith('Types') ? {} : ''),
  ) as LogRow;
}

test('rows published for a tenant reach only its subscribers; the hub holds no buffers after they leave', async () => {
  const other = await createApiKey(cp.dataSource, { tenantId: 'default', name: 'second', scopes: ['read'] });
  const socket = await open(other.key);
  const got: LiveItems[] = [];
  socket.on('items', (m: LiveItems, ack: () => void) => {
    got.push(m);
    ack();
  });
  const answer = (await socket.emitWithAck('subscribe', { signal: 'logs' })) as LiveAck;
  assert.ok('data' in answer);
  assert.ok(hub.wants('default', 'logs'));
  assert.ok(!hub.wants('default', 'traces'));
  assert.ok(!hub.wants('elsewhere', 'logs'));
  hub.publish('elsewhere', { logs: [logRow('elsewhere', 'not yours')] });
  hub.publish('default', { logs: [logRow('default', 'yours')] });
  for (let i = 0; i < 500 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    got.flatMap((m) => m.items.map((l) => (l as { body: { stringValue: string } }).body.stringValue)),
    ['yours'],
  );
  assert.equal((got[0]!.items[0] as LogDto).timeUnixNano, '1700000000000000000');
  socket.close();
  for (let i = 0; i < 500 && hub.stats().subscriptions > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(hub.stats(), { subscriptions: 0, bufferedItems: 0 });
});

test('a key revoked after connecting is disconnected with a notice', async () => {
  const key = await createApiKey(cp.dataSource, { tenantId: 'default', name: 'to revoke', scopes: ['read'] });
  const socket = await open(key.key);
  const notices: LiveNotice[] = [];
  socket.on('notice', (n: LiveNotice) => notices.push(n));
  const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  assert.ok(await revokeApiKey(cp.dataSource, key.id));
  assert.equal(await closed, 'io server disconnect');
  assert.deepEqual(
    notices.map((n) => n.code),
    ['credential_revoked'],
  );
});

test('connections per tenant are capped', async () => {
  const held = await Promise.all([open(KEY), open(KEY), open(KEY)]);
  await assert.rejects(connectOnce(KEY), /too many live connections/);
  held[0]!.close();
  const again = await open(KEY);
  assert.ok(again.connected);
  for (const s of [...held, again]) s.close();
});

test("a user's access token connects for a tenant the user belongs to, not for another", async () => {
  const user = await createUser(cp.dataSource, {
    email: 'live-viewer@gateway.test',
    password: 'a long enough password',
  });
  await addMembership(cp.dataSource, { userId: user.id, tenantId: 'default', role: 'viewer' });
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'live-viewer@gateway.test', password: 'a long enough password' }),
  });
  const { data } = (await res.json()) as { data: { accessToken: string } };
  const socket = await open(data.accessToken, 'default');
  assert.ok(socket.connected);
  socket.close();
  await assert.rejects(open(data.accessToken, 'someone-else'));
});

test('dashboard feeds per tenant are capped; a feed that ends frees its slot', async () => {
  const list = (await (
    await fetch(`${server.url}/api/v1/dashboards`, { headers: { authorization: `Bearer ${KEY}` } })
  ).json()) as { data: { id: string }[] };
  const [a, b] = [await open(KEY), await open(KEY)];
  const follow = (s: Socket, id: string) =>
    s.emitWithAck('dashboard:subscribe', { dashboardId: id, intervalSeconds: 60 }) as Promise<LiveAck>;
  // A feed whose first render fails (unknown dashboard) takes no slot.
  for (let i = 0; i < 3; i++) {
    const unknown = await follow(a, '00000000-0000-4000-8000-000000000000');
    assert.deepEqual('error' in unknown && unknown.error.code, 'not_found');
  }
  const first = await follow(a, list.data[0]!.id);
  assert.ok('data' in first, JSON.stringify(first));
  assert.ok('data' in (await follow(b, list.data[1]!.id)));
  const third = await follow(b, list.data[2]!.id);
  assert.deepEqual('error' in third && third.error.code, 'too_many_subscriptions');
  assert.ok(
    'data' in (await a.emitWithAck('unsubscribe', { subscription: 'data' in first ? first.data.subscription : '' })),
  );
  assert.ok('data' in (await follow(b, list.data[2]!.id)));
  a.close();
  b.close();
});

test("an ended session's connection closes as soon as the revocation is known, not at the next recheck", async () => {
  const slow = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: ch,
    controlPlane: cp,
    clickhouseMigrated: async () => true,
    live: { hub, recheckMs: 60_000 },
  });
  try {
    const user = await createUser(cp.dataSource, {
      email: 'live-ended@gateway.test',
      password: 'a long enough password',
    });
    await addMembership(cp.dataSource, { userId: user.id, tenantId: 'default', role: 'viewer' });
    const login = async () => {
      const res = await fetch(`${slow.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'live-ended@gateway.test', password: 'a long enough password' }),
      });
      return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
    };
    const [ended, kept] = [await login(), await login()];
    const connect = (token: string) => {
      const socket = io(`${slow.url}/live`, { auth: { token }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      return new Promise<Socket>((resolve, reject) => {
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    };
    const [endedSocket, keptSocket] = [await connect(ended), await connect(kept)];
    const notices: string[] = [];
    endedSocket.on('notice', (n: LiveNotice) => notices.push(n.code));
    const closed = new Promise<string>((resolve) => endedSocket.once('disconnect', resolve));
    const sessionId = (await cp.resolveCaller(ended))!.sessionId!;
    const start = Date.now();
    assert.ok(await cp.sessions.revoke(user.id, sessionId, 'user'));
    assert.equal(await closed, 'io server disconnect');
    assert.ok(Date.now() - start < 1_000, `closed after ${Date.now() - start} ms`);
    assert.deepEqual(notices, ['credential_revoked']);
    assert.ok(keptSocket.connected, "the user's other session streams on");
    keptSocket.close();
  } finally {
    await slow.close();
  }
});

test('a member removed from the tenant loses their live connection as soon as the removal is known', async () => {
  const slow = await startQueryServer({
    host: '127.0.0.1',
    port: 0,
    clickhouse: ch,
    controlPlane: cp,
    clickhouseMigrated: async () => true,
    live: { hub, recheckMs: 60_000 },
  });
  try {
    const password = 'a long enough password';
    const admin = await createUser(cp.dataSource, { email: 'live-admin@gateway.test', password });
    await addMembership(cp.dataSource, { userId: admin.id, tenantId: 'default', role: 'admin' });
    const user = await createUser(cp.dataSource, { email: 'live-removed@gateway.test', password });
    await addMembership(cp.dataSource, { userId: user.id, tenantId: 'default', role: 'viewer' });
    const login = async (email: string) => {
      const res = await fetch(`${slow.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
    };
    const token = await login('live-removed@gateway.test');
    const socket = io(`${slow.url}/live`, {
      auth: { token, tenant: 'default' },
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const start = Date.now();
    const res = await fetch(`${slow.url}/api/v1/tenants/default/members/${user.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await login('live-admin@gateway.test')}` },
    });
    assert.equal(res.status, 204);
    assert.equal(await closed, 'io server disconnect');
    assert.ok(Date.now() - start < 2_000, `closed after ${Date.now() - start} ms`);
  } finally {
    await slow.close();
  }
});
