// Sessions you can end, through the API: listing and ending one's own sessions, an admin ending
// a member's, and logout, password change and key revocation refusing the credentials they end
// (401 in the error envelope); member removal refusing the member in the tenant.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SessionDto, TokenPair } from '@telemetryflow/contract';
import { addMembership, createUser } from '@telemetryflow/identity';
import { call, type Json, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_sessions_test_key_default_0001';
const PASSWORD = 'correct horse battery staple';
const dir = tempDir('tf-sessions-api-');
let api: TestApi;
let base: string;
const ids: Record<string, string> = {};

before(async () => {
  api = await startTestApi(dir.path, KEY, async () => {}, {
    rateLimits: { loginPerIp: { requests: 10_000, perSeconds: 60 } },
  });
  base = api.server.url;
  const members: [string, 'viewer' | 'admin' | 'owner'][] = [
    ['owner', 'owner'],
    ['admin', 'admin'],
    ['ann', 'viewer'],
    ['bob', 'viewer'],
    ['cy', 'viewer'],
    ['dee', 'viewer'],
  ];
  for (const [name, role] of members) {
    const user = await createUser(api.cp.dataSource, { email: `${name}@sessions.test`, password: PASSWORD });
    ids[name] = user.id;
    await addMembership(api.cp.dataSource, { userId: user.id, tenantId: 'default', role });
  }
  // A member of another tenant only.
  const stranger = await createUser(api.cp.dataSource, { email: 'eve@sessions.test', password: PASSWORD });
  ids.eve = stranger.id;
  await addMembership(api.cp.dataSource, { userId: stranger.id, tenantId: 'beta', role: 'viewer' });
});

after(async () => {
  await api?.close();
  dir.remove();
});

async function login(name: string, password = PASSWORD, userAgent = 'sessions-test/1'): Promise<TokenPair> {
  const res = await call(base, '/api/v1/auth/login', {
    method: 'POST',
    body: { email: `${name}@sessions.test`, password },
    headers: { 'user-agent': userAgent },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data as TokenPair;
}

async function sessions(token: string): Promise<SessionDto[]> {
  const res = await call<{ data: SessionDto[] }>(base, '/api/v1/me/sessions', { key: token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data;
}

/** A refused credential: 401 in the API's error envelope. */
async function assertRefused(token: string): Promise<void> {
  const res = await call(base, '/api/v1/me', { key: token });
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'unauthenticated');
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.requestId.length > 0);
}

async function assertWorks(token: string): Promise<void> {
  const res = await call(base, '/api/v1/me', { key: token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

test('a user lists their sessions with the current one marked, and ends one of them', async () => {
  const laptop = await login('ann', PASSWORD, 'laptop-browser');
  const phone = await login('ann', PASSWORD, 'phone-browser');
  const listed = await sessions(laptop.accessToken);
  assert.equal(listed.length, 2);
  assert.deepEqual(listed.filter((s) => s.current).length, 1);
  const mine = listed.find((s) => s.current)!;
  assert.equal(mine.userAgent, 'laptop-browser');
  assert.equal(mine.clientAddress, '127.0.0.1');
  assert.ok(Date.parse(mine.createdAt) <= Date.parse(mine.lastUsedAt));
  assert.ok(Date.parse(mine.expiresAt) > Date.now());
  const phoneSession = listed.find((s) => !s.current)!;
  assert.equal(phoneSession.userAgent, 'phone-browser');

  const ended = await call(base, `/api/v1/me/sessions/${phoneSession.id}`, {
    key: laptop.accessToken,
    method: 'DELETE',
  });
  assert.equal(ended.status, 204, JSON.stringify(ended.body));
  await assertRefused(phone.accessToken);
  const refresh = await call(base, '/api/v1/auth/refresh', {
    method: 'POST',
    body: { refreshToken: phone.refreshToken },
  });
  assert.equal(refresh.status, 401);
  assert.equal(refresh.body.error.code, 'refresh_token_revoked');
  await assertWorks(laptop.accessToken);
  assert.deepEqual(
    (await sessions(laptop.accessToken)).map((s) => s.id),
    [mine.id],
  );

  // Ending it again, or someone else's session, or a malformed id: 404.
  for (const id of [phoneSession.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
    const res = await call(base, `/api/v1/me/sessions/${id}`, { key: laptop.accessToken, method: 'DELETE' });
    assert.equal(res.status, 404, JSON.stringify(res.body));
  }
  const bob = await login('bob');
  const bobsSession = (await sessions(bob.accessToken))[0]!.id;
  const foreign = await call(base, `/api/v1/me/sessions/${bobsSession}`, { key: laptop.accessToken, method: 'DELETE' });
  assert.equal(foreign.status, 404);
  await assertWorks(bob.accessToken);

  // Ending the current session signs this client out.
  const own = await call(base, `/api/v1/me/sessions/${mine.id}`, { key: laptop.accessToken, method: 'DELETE' });
  assert.equal(own.status, 204);
  await assertRefused(laptop.accessToken);
});

test('DELETE /api/v1/me/sessions ends every session but the current one', async () => {
  const here = await login('cy');
  const there = [await login('cy'), await login('cy')];
  const res = await call(base, '/api/v1/me/sessions', { key: here.accessToken, method: 'DELETE' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.data, { revoked: 2 });
  for (const t of there) await assertRefused(t.accessToken);
  await assertWorks(here.accessToken);
  assert.equal((await sessions(here.accessToken)).length, 1);
});

test('logout refuses the access tokens of its session, not those of other sessions', async () => {
  const a = await login('bob');
  const b = await login('bob');
  const out = await call(base, '/api/v1/auth/logout', { method: 'POST', body: { refreshToken: a.refreshToken } });
  assert.equal(out.status, 204);
  await assertRefused(a.accessToken);
  await assertWorks(b.accessToken);
});

test('a password change ends the other sessions; the old password stops working', async () => {
  const here = await login('dee');
  const there = await login('dee');
  const wrong = await call(base, '/api/v1/me/password', {
    key: here.accessToken,
    method: 'POST',
    body: { currentPassword: 'not it', newPassword: 'another long password' },
  });
  assert.equal(wrong.status, 403, JSON.stringify(wrong.body));
  assert.equal(wrong.body.error.code, 'invalid_credentials');
  const short = await call(base, '/api/v1/me/password', {
    key: here.accessToken,
    method: 'POST',
    body: { currentPassword: PASSWORD, newPassword: 'short' },
  });
  assert.equal(short.status, 400);
  await assertWorks(there.accessToken);

  const changed = await call(base, '/api/v1/me/password', {
    key: here.accessToken,
    method: 'POST',
    body: { currentPassword: PASSWORD, newPassword: 'another long password' },
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual(changed.body.data, { revoked: 1 });
  await assertRefused(there.accessToken);
  await assertWorks(here.accessToken);
  const old = await call(base, '/api/v1/auth/login', {
    method: 'POST',
    body: { email: 'dee@sessions.test', password: PASSWORD },
  });
  assert.equal(old.status, 401);
  await login('dee', 'another long password');
});

test("an admin ends a member's sessions in the admin's tenant; only an owner ends an owner's", async () => {
  const admin = await login('admin');
  const ann = [await login('ann'), await login('ann')];
  const res = await call(base, `/api/v1/tenants/default/members/${ids.ann}/sessions`, {
    key: admin.accessToken,
    method: 'DELETE',
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.ok(res.body.data.revoked >= 2);
  for (const t of ann) await assertRefused(t.accessToken);
  await assertWorks(admin.accessToken);

  const owner = await login('owner');
  const refused = await call(base, `/api/v1/tenants/default/members/${ids.owner}/sessions`, {
    key: admin.accessToken,
    method: 'DELETE',
  });
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  await assertWorks(owner.accessToken);

  // Not a member of the admin's tenant, another tenant in the path, a viewer: refused.
  const eve = await login('eve');
  const stranger = await call(base, `/api/v1/tenants/default/members/${ids.eve}/sessions`, {
    key: admin.accessToken,
    method: 'DELETE',
  });
  assert.equal(stranger.status, 404);
  const otherTenant = await call(base, `/api/v1/tenants/beta/members/${ids.eve}/sessions`, {
    key: admin.accessToken,
    method: 'DELETE',
  });
  assert.equal(otherTenant.status, 404);
  await assertWorks(eve.accessToken);
  const bob = await login('bob');
  const byViewer = await call(base, `/api/v1/tenants/default/members/${ids.admin}/sessions`, {
    key: bob.accessToken,
    method: 'DELETE',
  });
  assert.equal(byViewer.status, 403);
  await assertWorks(admin.accessToken);

  // The owner may; so may an admin API key (not for owners).
  const byOwner = await call(base, `/api/v1/tenants/default/members/${ids.admin}/sessions`, {
    key: owner.accessToken,
    method: 'DELETE',
  });
  assert.equal(byOwner.status, 200);
  await assertRefused(admin.accessToken);
  const bob2 = await login('bob');
  const byKey = await call(base, `/api/v1/tenants/default/members/${ids.bob}/sessions`, { key: KEY, method: 'DELETE' });
  assert.equal(byKey.status, 200, JSON.stringify(byKey.body));
  await assertRefused(bob2.accessToken);
});

test('a removed member is refused by the tenant at once; their sessions stay theirs', async () => {
  const owner = await login('owner');
  const user = await createUser(api.cp.dataSource, { email: 'fay@sessions.test', password: PASSWORD });
  await addMembership(api.cp.dataSource, { userId: user.id, tenantId: 'default', role: 'viewer' });
  const fay = await login('fay');
  assert.equal((await call(base, '/api/v1/api-keys', { key: fay.accessToken })).status, 200);
  const res = await call(base, `/api/v1/tenants/default/members/${user.id}`, {
    key: owner.accessToken,
    method: 'DELETE',
  });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const denied = await call(base, '/api/v1/api-keys', { key: fay.accessToken, headers: { 'x-tenant': 'default' } });
  assert.equal(denied.status, 404, JSON.stringify(denied.body));
  assert.equal(denied.body.error.code, 'tenant_not_found');
  assert.equal((await call(base, '/api/v1/api-keys', { key: fay.accessToken })).status, 403);
  assert.equal((await sessions(fay.accessToken)).length, 1, 'still a user, signed in');
});

test('a revoked API key is refused; API keys have no sessions or password', async () => {
  const created = await call(base, '/api/v1/api-keys', {
    key: KEY,
    method: 'POST',
    body: { name: 'short-lived', scopes: ['read'] },
  });
  assert.equal(created.status, 201);
  const key = created.body.data as Json;
  await assertWorks(key.key);
  for (const [method, path] of [
    ['GET', '/api/v1/me/sessions'],
    ['DELETE', '/api/v1/me/sessions'],
  ] as const) {
    const res = await call(base, path, { key: key.key, method });
    assert.equal(res.status, 403, `${method} ${path}`);
    assert.equal(res.body.error.code, 'not_a_user');
  }
  assert.equal((await call(base, `/api/v1/api-keys/${key.id}`, { key: KEY, method: 'DELETE' })).status, 204);
  await assertRefused(key.key);
});

test('the OpenAPI document describes the session routes with their schemas', async () => {
  const doc = (await call(base, '/api/v1/openapi.json')).body as Json;
  const list = doc.paths['/api/v1/me/sessions'].get;
  assert.equal(list.responses['200'].content['application/json'].schema.properties.data.type, 'array');
  assert.ok(doc.paths['/api/v1/me/sessions'].delete);
  assert.ok(doc.paths['/api/v1/me/sessions/{id}'].delete);
  const password = doc.paths['/api/v1/me/password'].post;
  assert.deepEqual(password.requestBody.content['application/json'].schema.required.sort(), [
    'currentPassword',
    'newPassword',
  ]);
  const admin = doc.paths['/api/v1/tenants/{tenantId}/members/{userId}/sessions'].delete;
  assert.equal(admin['x-required-permission'], 'admin');
});
