// A user's own account through the API: the export of everything kept about them (no secret of
// any kind) and the deletion of the account (password or a fresh sign-in; never a tenant's last
// owner; every session ends; audit events about them stay).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TokenPair } from '@telemetryflow/contract';
import { addMembership, createTenant, createUser } from '@telemetryflow/identity';
import { call, type Json, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_account_test_key_default_0001';
const PASSWORD = 'correct horse battery staple';
const dir = tempDir('tf-account-api-');
let api: TestApi;
let base: string;
const ids: Record<string, string> = {};
/** Pat's two sessions (opened before pat had a second factor, which later sign-ins would ask for). */
const pat: { laptop?: TokenPair; phone?: TokenPair } = {};

before(async () => {
  api = await startTestApi(dir.path, KEY, async () => {}, {
    rateLimits: { loginPerIp: { requests: 10_000, perSeconds: 60 } },
    auditRelay: { intervalMs: 50 },
  });
  base = api.server.url;
  // Olive alone owns gamma (default has the bootstrap owner too).
  await createTenant(api.cp.dataSource, { id: 'gamma', name: 'Gamma' });
  const members: [string, string, 'viewer' | 'admin' | 'owner'][] = [
    ['olive', 'default', 'owner'],
    ['olive', 'gamma', 'owner'],
    ['pat', 'default', 'admin'],
    ['pat', 'beta', 'viewer'],
    ['sam', 'default', 'viewer'],
    ['quinn', 'default', 'viewer'],
  ];
  for (const [name, tenantId, role] of members) {
    ids[name] ??= (await createUser(api.cp.dataSource, { email: `${name}@account.test`, password: PASSWORD })).id;
    await addMembership(api.cp.dataSource, { userId: ids[name], tenantId, role });
  }
});

after(async () => {
  await api?.close();
  dir.remove();
});

async function login(name: string, userAgent = 'account-test/1'): Promise<TokenPair> {
  const res = await call(base, '/api/v1/auth/login', {
    method: 'POST',
    body: { email: `${name}@account.test`, password: PASSWORD },
    headers: { 'user-agent': userAgent },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data as TokenPair;
}

const deleteMe = (token: string, body?: unknown) =>
  call(base, '/api/v1/me', { key: token, method: 'DELETE', ...(body !== undefined && { body }) });

describe('the account export', () => {
  test('holds profile, memberships, sessions, key prefixes, second factors, SSO and own audit events; no secret', async () => {
    const laptop = (pat.laptop = await login('pat', 'laptop-browser'));
    pat.phone = await login('pat', 'phone-browser');
    const created = await call(base, '/api/v1/api-keys', {
      key: laptop.accessToken,
      method: 'POST',
      body: { name: 'ci', scopes: ['read'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const dashboard = await call(base, '/api/v1/dashboards', {
      key: laptop.accessToken,
      method: 'POST',
      body: { title: "Pat's board", panels: [] },
    });
    assert.equal(dashboard.status, 201);
    // Someone else's doing is not pat's.
    await call(base, '/api/v1/dashboards', {
      key: (await login('olive')).accessToken,
      method: 'POST',
      body: { title: "Olive's board", panels: [] },
    });
    const ds = api.cp.dataSource;
    await ds.query(
      `INSERT INTO user_totp (user_id, secret_enc, confirmed_at) VALUES ($1, 'sealed-totp-secret', now())`,
      [ids.pat],
    );
    await ds.query(
      `INSERT INTO user_recovery_codes (user_id, code_hash, used_at) VALUES ($1, 'h1', NULL), ($1, 'h2', now())`,
      [ids.pat],
    );
    await ds.query(
      `INSERT INTO user_passkeys (id, user_id, credential_id, public_key, counter, name)
       VALUES (gen_random_uuid(), $1, 'credential-1', '\\x00', 0, 'laptop key')`,
      [ids.pat],
    );
    await ds.query(
      `INSERT INTO sso_settings (tenant_id, issuer, client_id, client_secret_sealed, scopes, allowed_email_domains, role_mapping,
                                 jit_membership, sso_required, updated_at)
       VALUES ('beta', 'https://idp.account.test', 'client', 'sealed-client-secret', '{openid}', '{}', '{}', false, false, now())`,
    );
    await api.server.drainAuditOutbox();

    const res = await call(base, '/api/v1/me/export', { key: laptop.accessToken });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const d = res.body.data;
    assert.deepEqual([d.user.id, d.user.email], [ids.pat, 'pat@account.test']);
    assert.deepEqual(
      d.memberships.map((m: Json) => `${m.tenantId}:${m.role}`),
      ['default:admin', 'beta:viewer'],
    );
    assert.deepEqual(d.sessions.map((s: Json) => s.userAgent).sort(), ['laptop-browser', 'phone-browser']);
    assert.deepEqual(
      d.apiKeys.map((k: Json) => [k.tenantId, k.name, k.prefix, k.scopes]),
      [['default', 'ci', created.body.data.prefix, ['read']]],
    );
    assert.equal(d.mfa.totp.confirmedAt !== null, true);
    assert.deepEqual(d.mfa.recoveryCodes, { total: 2, used: 1 });
    assert.deepEqual(
      d.mfa.passkeys.map((p: Json) => p.name),
      ['laptop key'],
    );
    assert.deepEqual(d.ssoIdentities, [
      { tenantId: 'beta', issuer: 'https://idp.account.test', ssoRequired: false, breakGlass: false },
    ]);
    const actions = d.auditEvents.map((e: Json) => `${e.tenantId} ${e.action}`);
    assert.ok(actions.includes('default dashboard.create'), actions.join(', '));
    assert.ok(actions.includes('default apiKey.create'), actions.join(', '));
    assert.ok(
      actions.some((a: string) => a.endsWith(' auth.login')),
      actions.join(', '),
    );
    assert.ok(d.auditEvents.every((e: Json) => e.actor.id === ids.pat));
    assert.equal(d.auditEventsTruncated, false);
    const text = JSON.stringify(d);
    for (const secret of [
      created.body.data.key,
      'sealed-totp-secret',
      'sealed-client-secret',
      'password',
      'keyHash',
      laptop.refreshToken,
    ])
      assert.ok(!text.includes(secret), `the export holds ${secret}`);

    // The tenant's audit log says the export happened, not what it held.
    await api.server.drainAuditOutbox();
    const logged = await api.ch.query({
      query: `SELECT TenantId AS tenantId, After AS after FROM audit_events FINAL WHERE Action = 'account.export' AND ActorId = {id:String}`,
      query_params: { id: ids.pat },
      format: 'JSONEachRow',
    });
    assert.deepEqual(await logged.json<Json>(), [{ tenantId: 'default', after: '' }]);

    const byKey = await call(base, '/api/v1/me/export', { key: KEY });
    assert.deepEqual([byKey.status, byKey.body.error.code], [403, 'not_a_user']);
  });
});

describe('deleting one account', () => {
  test("a tenant's last owner is refused with 409 naming the tenant", async () => {
    const olive = await login('olive');
    const res = await deleteMe(olive.accessToken, { password: PASSWORD });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'last_owner');
    assert.deepEqual(res.body.error.details.tenants, ['gamma']);
    assert.equal((await call(base, '/api/v1/me', { key: olive.accessToken })).status, 200);
  });

  test('needs the password or a fresh sign-in', async () => {
    const sam = await login('sam');
    assert.equal((await deleteMe(sam.accessToken, { password: 'wrong password' })).status, 403);
    await api.cp.dataSource.query(`UPDATE sessions SET created_at = now() - interval '10 minutes' WHERE user_id = $1`, [
      ids.sam,
    ]);
    const stale = await deleteMe(sam.accessToken);
    assert.deepEqual([stale.status, stale.body.error.code], [403, 'reauthentication_required']);
    assert.equal((await call(base, '/api/v1/me', { key: sam.accessToken })).status, 200);
    // Signed in again just now (as after a single sign-on): no password needed.
    const fresh = await login('sam');
    assert.equal((await deleteMe(fresh.accessToken)).status, 204);
    assert.equal((await call(base, '/api/v1/me', { key: fresh.accessToken })).status, 401);
  });

  test('with the password: every session ends, the account and its factors go, its keys and audit events stay', async () => {
    const [laptop, phone] = [pat.laptop!, pat.phone!];
    const keys = await call(base, '/api/v1/api-keys', { key: laptop.accessToken });
    assert.equal(keys.status, 200, JSON.stringify(keys.body));
    const key = keys.body.data.find((k: Json) => k.name === 'ci');
    const res = await deleteMe(laptop.accessToken, { password: PASSWORD });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    for (const token of [laptop.accessToken, phone.accessToken])
      assert.equal((await call(base, '/api/v1/me', { key: token })).status, 401);
    const refresh = await call(base, '/api/v1/auth/refresh', {
      method: 'POST',
      body: { refreshToken: phone.refreshToken },
    });
    assert.equal(refresh.status, 401);
    const relogin = await call(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { email: 'pat@account.test', password: PASSWORD },
    });
    assert.equal(relogin.status, 401);
    const ds = api.cp.dataSource;
    for (const table of ['memberships', 'sessions', 'user_totp', 'user_recovery_codes', 'user_passkeys'])
      assert.deepEqual(await ds.query(`SELECT 1 FROM ${table} WHERE user_id = $1`, [ids.pat]), [], table);
    // The key pat made belongs to the tenant and goes on working.
    const [kept] = (await ds.query(`SELECT revoked_at, created_by_user_id FROM api_keys WHERE id = $1`, [
      key.id,
    ])) as Json[];
    assert.deepEqual(kept, { revoked_at: null, created_by_user_id: null });
    // The audit log is tamper-evident: nothing in it is removed, the deletion is one more event.
    await api.server.drainAuditOutbox();
    const rs = await api.ch.query({
      query: `SELECT Action AS action, Before AS before FROM audit_events FINAL WHERE ActorId = {id:String} ORDER BY Time`,
      query_params: { id: ids.pat },
      format: 'JSONEachRow',
    });
    const events = await rs.json<Json>();
    const actions = events.map((e: Json) => e.action);
    assert.ok(actions.includes('dashboard.create') && actions.includes('auth.login'), actions.join(', '));
    const deleted = events.find((e: Json) => e.action === 'account.delete');
    assert.deepEqual(JSON.parse(deleted.before), { id: ids.pat, email: 'pat@account.test' });
    const verify = await call(base, '/api/v1/audit-events/verify', { key: KEY });
    assert.equal(verify.body.data.ok, true, JSON.stringify(verify.body));
  });

  test('an API key has no account to delete', async () => {
    const res = await deleteMe(KEY);
    assert.deepEqual([res.status, res.body.error.code], [403, 'not_a_user']);
  });
});
