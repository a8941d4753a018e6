import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { migrationsComplete } from '@telemetryflow/clickhouse';
import type { MeDto, TokenPair } from '@telemetryflow/contract';
import { addMembership, createApiKey, createTenant, createUser } from '@telemetryflow/identity';
import { startQueryServer } from '../src/app/index.js';
import { call, type Json, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_identity_test_key_default_0001';
const PASSWORD = 'correct horse battery staple';
const dir = tempDir('tf-identity-');
let api: TestApi;
let base: string;

/** Users of tenant `default` by role, plus `multi` (editor of default, viewer of beta) and beta's owner. */
const USERS = {
  owner: 'owner@default.test',
  admin: 'admin@default.test',
  editor: 'editor@default.test',
  viewer: 'viewer@default.test',
  multi: 'multi@default.test',
  betaOwner: 'owner@beta.test',
} as const;
type UserName = keyof typeof USERS;
const ids = {} as Record<UserName, string>;
const tokens = {} as Record<UserName, string>;
let ingestKey: string;
let betaKeyId: string;

before(async () => {
  api = await startTestApi(dir.path, KEY, async () => {}, {
    rateLimits: { loginPerIp: { requests: 10_000, perSeconds: 60 } },
  });
  base = api.server.url;
  const ds = api.cp.dataSource;
  const roles: Record<UserName, [string, 'viewer' | 'editor' | 'admin' | 'owner']> = {
    owner: ['default', 'owner'],
    admin: ['default', 'admin'],
    editor: ['default', 'editor'],
    viewer: ['default', 'viewer'],
    multi: ['default', 'editor'],
    betaOwner: ['beta', 'owner'],
  };
  for (const name of Object.keys(USERS) as UserName[]) {
    const user = await createUser(ds, { email: USERS[name], password: PASSWORD });
    ids[name] = user.id;
    await addMembership(ds, { userId: user.id, tenantId: roles[name][0], role: roles[name][1] });
  }
  await addMembership(ds, { userId: ids.multi, tenantId: 'beta', role: 'viewer' });
  for (const name of Object.keys(USERS) as UserName[]) tokens[name] = (await login(USERS[name])).accessToken;
  ingestKey = (await createApiKey(ds, { tenantId: 'default', name: 'collector', scopes: ['ingest'] })).key;
  betaKeyId = ((await ds.query(`SELECT id FROM api_keys WHERE tenant_id = 'beta'`)) as { id: string }[])[0]!.id;
});

after(async () => {
  await api?.close();
  dir.remove();
});

async function login(email: string, password = PASSWORD): Promise<TokenPair> {
  const res = await call(base, '/api/v1/auth/login', { method: 'POST', body: { email, password } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data as TokenPair;
}

function assertError(res: { status: number; headers: Headers; body: Json }, status: number, code?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  if (code !== undefined) assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.requestId.length > 0);
}

const asTenant = (tenant: string) => ({ headers: { 'x-tenant': tenant } });

const refresh = (refreshToken: string) =>
  call(base, '/api/v1/auth/refresh', { method: 'POST', body: { refreshToken } });

/** Moves the user's refresh-token uses a minute back: past the reuse grace (10 s), as if presented again that much later. */
async function pastTheGrace(userId: string): Promise<void> {
  await api.cp.dataSource.query(
    `UPDATE refresh_tokens SET used_at = used_at - interval '1 minute' WHERE user_id = $1 AND used_at IS NOT NULL`,
    [userId],
  );
}

/** The session (`sid`) an access token names. */
const sessionOf = (accessToken: string): string =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

async function jwtSecret(): Promise<Uint8Array> {
  const [row] = (await api.cp.dataSource.query(`SELECT value FROM instance_secrets WHERE name = 'jwt_hs256'`)) as {
    value: string;
  }[];
  return Buffer.from(row!.value, 'base64url');
}

describe('login, refresh, logout', () => {
  test('login answers an access token that works as a bearer credential for 15 minutes, and a refresh token', async () => {
    const pair = await login('  Viewer@Default.TEST ');
    assert.equal(pair.expiresIn, 900);
    assert.match(pair.refreshToken, /^tfr_[A-Za-z0-9]{48}$/);
    const me = await call<{ data: MeDto }>(base, '/api/v1/me', { key: pair.accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.data.kind, 'user');
    const [stored] = (await api.cp.dataSource.query(
      `SELECT token_hash FROM refresh_tokens ORDER BY created_at DESC LIMIT 1`,
    )) as { token_hash: string }[];
    assert.notEqual(stored!.token_hash, pair.refreshToken, 'only a hash is stored');
  });

  test('wrong password and unknown email get the same 401; a bad body gets a 400 naming the field', async () => {
    assertError(
      await call(base, '/api/v1/auth/login', { method: 'POST', body: { email: USERS.viewer, password: 'wrong' } }),
      401,
      'invalid_credentials',
    );
    assertError(
      await call(base, '/api/v1/auth/login', { method: 'POST', body: { email: 'nobody@x.test', password: 'wrong' } }),
      401,
      'invalid_credentials',
    );
    const bad = await call(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { email: 'not-an-email', password: 'x' },
    });
    assertError(bad, 400, 'invalid_parameter');
    assert.equal(bad.body.error.details.parameter, 'email');
  });

  test('the server checks signature, algorithm, audience, issuer and expiry of access tokens', async () => {
    const secret = await jwtSecret();
    const now = Math.floor(Date.now() / 1000);
    // Every access token names its session: a minted one borrows an open session of the viewer.
    await login(USERS.viewer);
    const [session] = (await api.cp.dataSource.query(
      `SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      [ids.viewer],
    )) as { id: string }[];
    const mint = (o: { aud?: string; iss?: string; exp?: number; key?: Uint8Array; alg?: string; sid?: string }) =>
      new SignJWT({ sid: o.sid ?? session!.id })
        .setProtectedHeader({ alg: o.alg ?? 'HS256' })
        .setSubject(ids.viewer)
        .setAudience(o.aud ?? 'telemetryflow-api')
        .setIssuer(o.iss ?? 'telemetryflow')
        .setIssuedAt(now - 60)
        .setExpirationTime(o.exp ?? now + 60)
        .sign(o.key ?? secret);
    assert.equal((await call(base, '/api/v1/me', { key: await mint({}) })).status, 200, 'a well-formed token passes');
    for (const bad of [
      { aud: 'other-api' },
      { iss: 'other-issuer' },
      { exp: now - 1 },
      { key: new TextEncoder().encode('an-attacker-chosen-secret-of-32-bytes!') },
      { alg: 'HS512' },
      { sid: '' },
    ]) {
      assertError(await call(base, '/api/v1/me', { key: await mint(bad) }), 401, 'unauthenticated');
    }
    const payload = (await mint({})).split('.')[1];
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    assertError(await call(base, '/api/v1/me', { key: unsigned }), 401);
  });

  test('refresh rotates; a used refresh token presented again after the reuse grace revokes its whole login (a stolen token)', async () => {
    const first = await login(USERS.editor);
    const second = await refresh(first.refreshToken);
    assert.equal(second.status, 200);
    const pair = second.body.data as TokenPair;
    assert.notEqual(pair.refreshToken, first.refreshToken);
    assert.equal((await call(base, '/api/v1/me', { key: pair.accessToken })).status, 200);

    await pastTheGrace(ids.editor);
    assertError(await refresh(first.refreshToken), 401, 'refresh_token_reused');
    assertError(await refresh(pair.refreshToken), 401, 'refresh_token_revoked');
    assertError(await call(base, '/api/v1/me', { key: pair.accessToken }), 401, 'unauthenticated');
    assertError(await refresh('tfr_unknown'), 401, 'refresh_token_unknown');

    const other = await login(USERS.editor);
    assert.equal((await refresh(other.refreshToken)).status, 200, 'another login of the same user is untouched');
  });

  test('a refresh whose answer was lost (the page that asked was unloaded): the old cookie presented again keeps the login', async () => {
    const signedIn = await call(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { email: USERS.editor, password: PASSWORD },
    });
    const cookie = { cookie: (signedIn.headers.get('set-cookie') ?? '').split('; ')[0]! };
    // The server rotates and answers, but the browser never reads the answer, so it keeps its cookie.
    const lost = await call(base, '/api/v1/auth/refresh', { method: 'POST', body: {}, headers: cookie });
    assert.equal(lost.status, 200);
    const again = await call(base, '/api/v1/auth/refresh', { method: 'POST', body: {}, headers: cookie });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal((await call(base, '/api/v1/me', { key: again.body.data.accessToken })).status, 200);
    const next = { cookie: (again.headers.get('set-cookie') ?? '').split('; ')[0]! };
    const later = await call(base, '/api/v1/auth/refresh', { method: 'POST', body: {}, headers: next });
    assert.equal(later.status, 200, 'the login goes on with the cookie the second answer set');
  });

  test('two refreshes with one token at once both succeed for one login; it goes on from either, and the other one counts as reuse after the grace', async () => {
    const pair = await login(USERS.editor);
    const results = await Promise.all([refresh(pair.refreshToken), refresh(pair.refreshToken)]);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200],
    );
    const [a, b] = results.map((r) => r.body.data as TokenPair) as [TokenPair, TokenPair];
    assert.notEqual(a.refreshToken, b.refreshToken);
    assert.equal(sessionOf(a.accessToken), sessionOf(b.accessToken), 'one login');
    const next = await refresh(a.refreshToken);
    assert.equal(next.status, 200, 'the login goes on');

    await pastTheGrace(ids.editor);
    assertError(await refresh(b.refreshToken), 401, 'refresh_token_reused');
    assertError(await refresh((next.body.data as TokenPair).refreshToken), 401, 'refresh_token_revoked');
  });

  test('within the grace, a used refresh token whose successor was used already revokes the login', async () => {
    const first = await login(USERS.editor);
    const second = (await refresh(first.refreshToken)).body.data as TokenPair;
    const third = await refresh(second.refreshToken);
    assert.equal(third.status, 200);
    assertError(await refresh(first.refreshToken), 401, 'refresh_token_reused');
    assertError(await refresh((third.body.data as TokenPair).refreshToken), 401, 'refresh_token_revoked');
    assertError(await call(base, '/api/v1/me', { key: (third.body.data as TokenPair).accessToken }), 401);
  });

  test('an expired refresh token is refused, and removed at the next login of its user', async () => {
    const pair = await login(USERS.admin);
    await api.cp.dataSource.query(
      `UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [ids.admin],
    );
    assertError(
      await call(base, '/api/v1/auth/refresh', { method: 'POST', body: { refreshToken: pair.refreshToken } }),
      401,
      'refresh_token_expired',
    );
    await login(USERS.admin);
    const rows = (await api.cp.dataSource.query(
      `SELECT expires_at > now() AS live FROM refresh_tokens WHERE user_id = $1`,
      [ids.admin],
    )) as { live: boolean }[];
    assert.deepEqual(rows, [{ live: true }], 'only the new login is left');
  });

  test('logout ends the login: its refresh token no longer refreshes', async () => {
    const pair = await login(USERS.editor);
    const res = await call(base, '/api/v1/auth/logout', { method: 'POST', body: { refreshToken: pair.refreshToken } });
    assert.equal(res.status, 204);
    assertError(
      await call(base, '/api/v1/auth/refresh', { method: 'POST', body: { refreshToken: pair.refreshToken } }),
      401,
      'refresh_token_revoked',
    );
    assertError(
      await call(base, '/api/v1/auth/logout', { method: 'POST', body: { refreshToken: 'tfr_unknown' } }),
      401,
      'refresh_token_unknown',
    );
  });

  test('login sets the refresh token as an HttpOnly, SameSite=Strict cookie of the auth path; refresh and logout work by cookie, and a refresh by cookie never puts the token in the body', async () => {
    const res = await call(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { email: USERS.editor, password: PASSWORD },
    });
    assert.equal(res.status, 200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    const [pair, ...attributes] = setCookie.split('; ');
    assert.equal(pair, `tf_refresh=${res.body.data.refreshToken}`);
    assert.deepEqual(attributes.sort(), ['HttpOnly', 'Max-Age=1209600', 'Path=/api/v1/auth', 'SameSite=Strict']);
    const cookie = (c: string) => ({ cookie: c.split('; ')[0]! });

    const refreshed = await call(base, '/api/v1/auth/refresh', {
      method: 'POST',
      body: {},
      headers: cookie(setCookie),
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.deepEqual(
      Object.keys(refreshed.body.data).sort(),
      ['accessToken', 'expiresIn'],
      'the next refresh token is only in the cookie',
    );
    assert.equal((await call(base, '/api/v1/me', { key: refreshed.body.data.accessToken })).status, 200);
    const next = refreshed.headers.get('set-cookie') ?? '';
    assert.match(next, /^tf_refresh=tfr_\w+; Path=\/api\/v1\/auth; Max-Age=1209600; HttpOnly; SameSite=Strict$/);
    assert.notEqual(next.split('; ')[0], setCookie.split('; ')[0], 'rotated');

    // A POST without a JSON body (what another site may send without a CORS preflight) does not use the cookie.
    const bare = await fetch(`${base}/api/v1/auth/refresh`, { method: 'POST', headers: cookie(next) });
    assert.equal(bare.status, 415);
    assert.equal(((await bare.json()) as Json).error.code, 'unsupported_media_type');
    const plain = await fetch(`${base}/api/v1/auth/refresh`, {
      method: 'POST',
      body: 'x',
      headers: { ...cookie(next), 'content-type': 'text/plain' },
    });
    assert.equal(plain.status, 400);
    assertError(await call(base, '/api/v1/auth/refresh', { method: 'POST', body: {} }), 401, 'refresh_token_missing');
    await pastTheGrace(ids.editor);
    const reused = await call(base, '/api/v1/auth/refresh', { method: 'POST', body: {}, headers: cookie(setCookie) });
    assertError(reused, 401, 'refresh_token_reused');
    assert.match(
      reused.headers.get('set-cookie') ?? '',
      /^tf_refresh=; .*Max-Age=0/,
      'a cookie that stopped working is cleared',
    );

    const again = await call(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { email: USERS.editor, password: PASSWORD },
    });
    const out = await call(base, '/api/v1/auth/logout', {
      method: 'POST',
      body: {},
      headers: cookie(again.headers.get('set-cookie')!),
    });
    assert.equal(out.status, 204);
    assert.match(
      out.headers.get('set-cookie') ?? '',
      /^tf_refresh=; Path=\/api\/v1\/auth; Max-Age=0; HttpOnly; SameSite=Strict$/,
    );
    assertError(
      await call(base, '/api/v1/auth/refresh', {
        method: 'POST',
        body: { refreshToken: again.body.data.refreshToken },
      }),
      401,
      'refresh_token_revoked',
    );
  });

  test('the cookie is Secure when the request came over TLS, as a trusted proxy says', async () => {
    const proxied = await startQueryServer({
      host: '127.0.0.1',
      port: 0,
      clickhouse: api.ch,
      controlPlane: api.cp,
      clickhouseMigrated: () => migrationsComplete(api.ch),
      trustProxy: ['127.0.0.1'],
    });
    try {
      const login = (proto: string) =>
        call(proxied.url, '/api/v1/auth/login', {
          method: 'POST',
          body: { email: USERS.editor, password: PASSWORD },
          headers: { 'x-forwarded-proto': proto },
        });
      assert.match((await login('https')).headers.get('set-cookie') ?? '', /; Secure$/);
      assert.doesNotMatch((await login('http')).headers.get('set-cookie') ?? '', /Secure/);
    } finally {
      await proxied.close();
    }
  });

  test('login is rate limited per client address: 429 with Retry-After in the error envelope', async () => {
    const limited = await startQueryServer({
      host: '127.0.0.1',
      port: 0,
      clickhouse: api.ch,
      controlPlane: api.cp,
      clickhouseMigrated: () => migrationsComplete(api.ch),
      rateLimits: { loginPerIp: { requests: 3, perSeconds: 3600 } },
    });
    try {
      const attempt = (email: string) =>
        call(limited.url, '/api/v1/auth/login', { method: 'POST', body: { email, password: 'guess' } });
      for (const email of ['one@x.test', 'two@x.test', 'three@x.test'])
        assert.equal((await attempt(email)).status, 401);
      const blocked = await attempt('four@x.test');
      assertError(blocked, 429, 'rate_limited');
      assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
      assert.equal(blocked.body.error.details.retryAfterSeconds, Number(blocked.headers.get('retry-after')));
    } finally {
      await limited.close();
    }
  });

  // Below the account's lockout (10 failures by default, mfa-api.test.ts): only the guesser is slowed.
  test("guessing a user's password from one address slows those guesses down and does not lock the user out elsewhere", async () => {
    const limited = await startQueryServer({
      host: '127.0.0.1',
      port: 0,
      clickhouse: api.ch,
      controlPlane: api.cp,
      clickhouseMigrated: () => migrationsComplete(api.ch),
      trustProxy: ['127.0.0.1'],
      rateLimits: {
        loginPerIp: { requests: 1000, perSeconds: 60 },
        loginSlowdown: { freeFailures: 9, maxDelaySeconds: 1, forgetAfterSeconds: 60 },
      },
    });
    try {
      const attempt = (from: string, password: string) =>
        call(limited.url, '/api/v1/auth/login', {
          method: 'POST',
          body: { email: USERS.viewer, password },
          headers: { 'x-forwarded-for': from },
        });
      for (let i = 0; i < 9; i++) assert.equal((await attempt('198.51.100.7', `guess ${i}`)).status, 401);
      const slowed = await attempt('198.51.100.7', PASSWORD);
      assertError(slowed, 429, 'rate_limited');
      assert.equal(slowed.headers.get('retry-after'), '1', 'the guesser waits a second before the next try');
      assert.equal(
        (await attempt('203.0.113.9', PASSWORD)).status,
        200,
        'the user signs in from their own address meanwhile',
      );
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(
        (await attempt('198.51.100.7', 'guess 9')).status,
        401,
        'after the wait the guesser may try again: slowed, not locked',
      );
    } finally {
      await limited.close();
    }
  });
});

test('behind a trusted proxy the per-address login budget follows X-Forwarded-For; otherwise the header is ignored', async () => {
  const servers = await Promise.all(
    [true, false].map((trustProxy) =>
      startQueryServer({
        host: '127.0.0.1',
        port: 0,
        clickhouse: api.ch,
        controlPlane: api.cp,
        clickhouseMigrated: () => migrationsComplete(api.ch),
        rateLimits: { loginPerIp: { requests: 1, perSeconds: 3600 } },
        trustProxy: trustProxy ? ['127.0.0.1'] : false,
      }),
    ),
  );
  try {
    const attempt = (url: string, n: number, forwardedFor: string) =>
      call(url, '/api/v1/auth/login', {
        method: 'POST',
        body: { email: `proxy-${n}@x.test`, password: 'guess' },
        headers: { 'x-forwarded-for': forwardedFor },
      });
    const [trusting, direct] = servers.map((s) => s.url) as [string, string];
    assert.equal((await attempt(trusting, 1, '203.0.113.1')).status, 401);
    assert.equal(
      (await attempt(trusting, 2, '203.0.113.2')).status,
      401,
      'another client behind the proxy has its own budget',
    );
    assertError(await attempt(trusting, 3, '203.0.113.1'), 429, 'rate_limited');
    assert.equal((await attempt(direct, 4, '203.0.113.1')).status, 401);
    assertError(await attempt(direct, 5, '203.0.113.2'), 429, 'rate_limited');
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

describe('callers and tenants', () => {
  test('/me for a user: memberships, the first tenant by default, role and permissions', async () => {
    const res = await call<{ data: MeDto }>(base, '/api/v1/me', { key: tokens.multi });
    assert.equal(res.status, 200);
    const me = res.body.data;
    assert.ok(me.kind === 'user');
    assert.equal(me.user.email, USERS.multi);
    assert.deepEqual(
      me.memberships.map((m) => [m.tenantId, m.role]),
      [
        ['default', 'editor'],
        ['beta', 'viewer'],
      ],
    );
    assert.equal(me.tenantId, 'default');
    assert.equal(me.role, 'editor');
    assert.deepEqual(me.permissions, ['read', 'write']);
  });

  test('X-Tenant picks a membership; a tenant the user is not a member of is 404 whether it exists or not', async () => {
    const beta = await call<{ data: MeDto }>(base, '/api/v1/me', { key: tokens.multi, ...asTenant('beta') });
    assert.equal(beta.body.data.tenantId, 'beta');
    assert.deepEqual(beta.body.data.permissions, ['read']);
    assertError(
      await call(base, '/api/v1/api-keys', {
        key: tokens.multi,
        method: 'POST',
        body: { name: 'x', scopes: ['read'] },
        ...asTenant('beta'),
      }),
      403,
      'forbidden',
    );
    assertError(await call(base, '/api/v1/me', { key: tokens.viewer, ...asTenant('beta') }), 404, 'tenant_not_found');
    assertError(
      await call(base, '/api/v1/me', { key: tokens.viewer, ...asTenant('no-such-tenant') }),
      404,
      'tenant_not_found',
    );
    assert.equal(
      (await call(base, '/api/v1/api-keys', { key: KEY, ...asTenant('beta') })).body.data.every(
        (k: Json) => k.name !== 'reader',
      ),
      true,
      'an API key ignores X-Tenant',
    );
  });

  test('/me for an API key: its tenant and scopes', async () => {
    const res = await call<{ data: MeDto }>(base, '/api/v1/me', { key: ingestKey });
    assert.equal(res.status, 200);
    assert.deepEqual(
      { ...res.body.data, keyId: undefined },
      { kind: 'key', keyId: undefined, tenantId: 'default', scopes: ['ingest'], permissions: [] },
    );
  });

  test('tenants: a user lists theirs; creating one makes the caller its owner; an API key sees its one tenant and cannot create', async () => {
    const mine = await call(base, '/api/v1/tenants', { key: tokens.multi });
    assert.deepEqual(
      mine.body.data.map((t: Json) => [t.id, t.role]),
      [
        ['default', 'editor'],
        ['beta', 'viewer'],
      ],
    );

    const created = await call(base, '/api/v1/tenants', {
      key: tokens.viewer,
      method: 'POST',
      body: { name: '  Team Gamma ' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.data.name, 'Team Gamma');
    assert.equal(created.body.data.role, 'owner');
    const id = created.body.data.id as string;
    const members = await call(base, `/api/v1/tenants/${id}/members`, { key: tokens.viewer });
    assert.deepEqual(
      members.body.data.map((m: Json) => [m.email, m.role]),
      [[USERS.viewer, 'owner']],
    );
    const asOwner = await call<{ data: MeDto }>(base, '/api/v1/me', { key: tokens.viewer, ...asTenant(id) });
    assert.deepEqual(asOwner.body.data.permissions, ['read', 'write', 'admin', 'owner']);

    const byKey = await call(base, '/api/v1/tenants', { key: KEY });
    assert.deepEqual(
      byKey.body.data.map((t: Json) => [t.id, t.role]),
      [['default', null]],
    );
    assertError(
      await call(base, '/api/v1/tenants', { key: KEY, method: 'POST', body: { name: 'x' } }),
      403,
      'forbidden',
    );
    assertError(
      await call(base, '/api/v1/tenants', { key: tokens.viewer, method: 'POST', body: { name: '' } }),
      400,
      'invalid_parameter',
    );
  });
});

describe('invitations', () => {
  const invitations = (tenant = 'default') => `/api/v1/tenants/${tenant}/invitations`;
  const invite = (body: Json, key = tokens.admin, tenant = 'default') =>
    call(base, invitations(tenant), { key, method: 'POST', body });
  const received = async (token: string) =>
    (await call(base, '/api/v1/invitations', { key: token })).body.data as Json[];
  const memberEmails = async () =>
    ((await call(base, '/api/v1/tenants/default/members', { key: tokens.admin })).body.data as Json[]).map(
      (m) => m.email,
    );

  test('inviting an address with an account and one without answers alike; nobody is a member until the invitee accepts', async () => {
    await createUser(api.cp.dataSource, { email: 'known@x.test', password: PASSWORD });
    const known = await invite({ email: 'Known@x.test', role: 'viewer' });
    const unknown = await invite({ email: 'unknown@x.test', role: 'viewer' });
    assert.equal(known.status, 201, JSON.stringify(known.body));
    assert.equal(unknown.status, known.status);
    const shape = (r: Json) => ({
      ...r.body.data,
      id: typeof r.body.data.id,
      email: typeof r.body.data.email,
      createdAt: typeof r.body.data.createdAt,
      expiresAt: typeof r.body.data.expiresAt,
    });
    assert.deepEqual(shape(known), shape(unknown), 'the same fields and values but the address');
    assert.deepEqual(known.body.data.invitedBy, { kind: 'user', name: USERS.admin });
    assert.ok(!(await memberEmails()).includes('known@x.test'), 'inviting attaches nobody');

    const token = (await login('known@x.test')).accessToken;
    const mine = await received(token);
    assert.deepEqual(
      mine.map((i) => [i.id, i.tenantId, i.tenantName, i.role]),
      [[known.body.data.id, 'default', 'Default', 'viewer']],
    );
    const accepted = await call(base, `/api/v1/invitations/${known.body.data.id}/accept`, {
      key: token,
      method: 'POST',
    });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.deepEqual(accepted.body.data, { tenantId: 'default', tenantName: 'Default', role: 'viewer' });
    assert.ok((await memberEmails()).includes('known@x.test'));
    assert.deepEqual(await received(token), [], 'an accepted invitation is used up');
    assertError(
      await call(base, `/api/v1/invitations/${known.body.data.id}/accept`, { key: token, method: 'POST' }),
      404,
      'not_found',
    );
    const pending = (await call(base, invitations(), { key: tokens.admin })).body.data as Json[];
    assert.deepEqual(
      pending.map((i) => i.email),
      ['unknown@x.test'],
      'the admin sees what is still pending',
    );
    assertError(await invite({ email: 'known@x.test', role: 'editor' }), 409, 'already_member');
  });

  test('with a password, an account is created when the address has none and left alone when it has one; the answer is the same', async () => {
    await createUser(api.cp.dataSource, { email: 'has-account@x.test', password: PASSWORD });
    const fresh = await invite({ email: 'fresh@x.test', role: 'editor', password: 'a long enough password' });
    const existing = await invite({ email: 'has-account@x.test', role: 'editor', password: 'a long enough password' });
    assert.deepEqual([fresh.status, existing.status], [201, 201]);
    assert.deepEqual(Object.keys(fresh.body.data).sort(), Object.keys(existing.body.data).sort());
    const wrong = await call(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { email: 'has-account@x.test', password: 'a long enough password' },
    });
    assertError(wrong, 401, 'invalid_credentials');
    await login('has-account@x.test');
    const pair = await login('fresh@x.test', 'a long enough password');
    const me = await call<{ data: MeDto }>(base, '/api/v1/me', { key: pair.accessToken });
    assert.ok(me.body.data.kind === 'user');
    assert.deepEqual([me.body.data.memberships, me.body.data.tenantId], [[], null], 'a member only once accepted');
    const [invitation] = await received(pair.accessToken);
    assert.equal(
      (await call(base, `/api/v1/invitations/${invitation.id}/accept`, { key: pair.accessToken, method: 'POST' }))
        .status,
      200,
    );
    const after = await call<{ data: MeDto }>(base, '/api/v1/me', { key: pair.accessToken });
    assert.equal(after.body.data.kind === 'user' && after.body.data.role, 'editor');
  });

  test('the invitee may decline; an admin may revoke; nobody else can take or see an invitation', async () => {
    await createUser(api.cp.dataSource, { email: 'declines@x.test', password: PASSWORD });
    await createUser(api.cp.dataSource, { email: 'revoked@x.test', password: PASSWORD });
    const declined = (await invite({ email: 'declines@x.test', role: 'viewer' })).body.data;
    const revoked = (await invite({ email: 'revoked@x.test', role: 'viewer' })).body.data;
    const decliner = (await login('declines@x.test')).accessToken;
    const other = (await login('revoked@x.test')).accessToken;
    assertError(
      await call(base, `/api/v1/invitations/${declined.id}/accept`, { key: other, method: 'POST' }),
      404,
      'not_found',
    );
    assertError(
      await call(base, `/api/v1/invitations/${declined.id}/accept`, { key: KEY, method: 'POST' }),
      403,
      'forbidden',
    );
    assert.equal(
      (await call(base, `/api/v1/invitations/${declined.id}/decline`, { key: decliner, method: 'POST' })).status,
      204,
    );
    assert.deepEqual(await received(decliner), []);
    assert.ok(!(await memberEmails()).includes('declines@x.test'));

    assertError(
      await call(base, `${invitations()}/${revoked.id}`, { key: tokens.editor, method: 'DELETE' }),
      403,
      'forbidden',
    );
    assertError(
      await call(base, `${invitations('beta')}/${revoked.id}`, { key: tokens.betaOwner, method: 'DELETE' }),
      404,
      'not_found',
    );
    assertError(await call(base, invitations(), { key: tokens.editor }), 403, 'forbidden');
    assert.equal(
      (await call(base, `${invitations()}/${revoked.id}`, { key: tokens.admin, method: 'DELETE' })).status,
      204,
    );
    assert.deepEqual(await received(other), [], 'a revoked invitation is gone for its invitee');
    assertError(
      await call(base, `${invitations()}/${revoked.id}`, { key: tokens.admin, method: 'DELETE' }),
      404,
      'not_found',
    );
    assertError(await call(base, invitations('beta'), { key: tokens.admin }), 404, 'tenant_not_found');
  });

  test('two accepts of one invitation at once: one member, the other 404', async () => {
    await createUser(api.cp.dataSource, { email: 'twice@x.test', password: PASSWORD });
    const { id } = (await invite({ email: 'twice@x.test', role: 'viewer' })).body.data;
    const token = (await login('twice@x.test')).accessToken;
    const results = await Promise.all(
      [0, 1].map(() => call(base, `/api/v1/invitations/${id}/accept`, { key: token, method: 'POST' })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 404]);
  });
});

describe('members', () => {
  const members = (tenant = 'default') => `/api/v1/tenants/${tenant}/members`;

  test('an admin cannot grant owner nor change or remove an owner; an owner can', async () => {
    const target = await createUser(api.cp.dataSource, { email: 'promote@x.test', password: PASSWORD });
    await addMembership(api.cp.dataSource, { userId: target.id, tenantId: 'default', role: 'viewer' });
    assertError(
      await call(base, '/api/v1/tenants/default/invitations', {
        key: tokens.admin,
        method: 'POST',
        body: { email: 'nobody-yet@x.test', role: 'owner' },
      }),
      403,
      'forbidden',
    );
    assertError(
      await call(base, `${members()}/${target.id}`, { key: tokens.admin, method: 'PATCH', body: { role: 'owner' } }),
      403,
      'forbidden',
    );
    assertError(
      await call(base, `${members()}/${ids.owner}`, { key: tokens.admin, method: 'PATCH', body: { role: 'viewer' } }),
      403,
      'forbidden',
    );
    assertError(
      await call(base, `${members()}/${ids.owner}`, { key: tokens.admin, method: 'DELETE' }),
      403,
      'forbidden',
    );
    assertError(await call(base, `${members()}/${ids.owner}`, { key: KEY, method: 'DELETE' }), 403, 'forbidden');
    const promoted = await call(base, `${members()}/${target.id}`, {
      key: tokens.admin,
      method: 'PATCH',
      body: { role: 'admin' },
    });
    assert.equal(promoted.body.data.role, 'admin');
    const toOwner = await call(base, `${members()}/${target.id}`, {
      key: tokens.owner,
      method: 'PATCH',
      body: { role: 'owner' },
    });
    assert.equal(toOwner.status, 200);
    assert.equal(toOwner.body.data.role, 'owner');
    assert.equal((await call(base, `${members()}/${target.id}`, { key: tokens.owner, method: 'DELETE' })).status, 204);
    assertError(
      await call(base, `${members()}/${target.id}`, { key: tokens.owner, method: 'DELETE' }),
      404,
      'not_found',
    );
  });

  test('the last owner can be neither demoted nor removed', async () => {
    const gamma = await createTenant(api.cp.dataSource, { name: 'Solo', ownerUserId: ids.betaOwner });
    const path = members(gamma.id);
    assertError(
      await call(base, `${path}/${ids.betaOwner}`, { key: tokens.betaOwner, method: 'PATCH', body: { role: 'admin' } }),
      409,
      'last_owner',
    );
    assertError(
      await call(base, `${path}/${ids.betaOwner}`, { key: tokens.betaOwner, method: 'DELETE' }),
      409,
      'last_owner',
    );
    await addMembership(api.cp.dataSource, { userId: ids.viewer, tenantId: gamma.id, role: 'owner' });
    const demoted = await call(base, `${path}/${ids.betaOwner}`, {
      key: tokens.betaOwner,
      method: 'PATCH',
      body: { role: 'admin' },
    });
    assert.equal(demoted.status, 200, 'with a second owner the first may step down');
  });

  test('two owners demoting each other at once: one succeeds, the other is refused as the last owner', async () => {
    const duo = await createTenant(api.cp.dataSource, { name: 'Duo', ownerUserId: ids.admin });
    await addMembership(api.cp.dataSource, { userId: ids.editor, tenantId: duo.id, role: 'owner' });
    const [a, b] = await Promise.all([
      call(base, `${members(duo.id)}/${ids.editor}`, { key: tokens.admin, method: 'PATCH', body: { role: 'admin' } }),
      call(base, `${members(duo.id)}/${ids.admin}`, { key: tokens.editor, method: 'PATCH', body: { role: 'admin' } }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${JSON.stringify(a.body)} ${JSON.stringify(b.body)}`);
    const owners = (await api.cp.dataSource.query(
      `SELECT count(*)::int AS n FROM memberships WHERE tenant_id = $1 AND role = 'owner'`,
      [duo.id],
    )) as { n: number }[];
    assert.deepEqual(owners, [{ n: 1 }]);
  });

  test('a removed member loses access with the next request; a role change applies at once', async () => {
    const user = await createUser(api.cp.dataSource, { email: 'leaving@x.test', password: PASSWORD });
    await addMembership(api.cp.dataSource, { userId: user.id, tenantId: 'default', role: 'editor' });
    const token = (await login('leaving@x.test')).accessToken;
    assert.equal((await call(base, '/api/v1/api-keys', { key: token })).status, 200);
    await call(base, `${members()}/${user.id}`, { key: tokens.admin, method: 'PATCH', body: { role: 'viewer' } });
    assertError(
      await call(base, '/api/v1/api-keys', { key: token, method: 'POST', body: { name: 'x', scopes: ['read'] } }),
      403,
      'forbidden',
    );
    assert.equal((await call(base, `${members()}/${user.id}`, { key: tokens.admin, method: 'DELETE' })).status, 204);
    assertError(await call(base, '/api/v1/api-keys', { key: token }), 403, 'forbidden');
    assertError(await call(base, '/api/v1/api-keys', { key: token, ...asTenant('default') }), 404, 'tenant_not_found');
    const me = await call<{ data: MeDto }>(base, '/api/v1/me', { key: token });
    assert.equal(me.status, 200, 'the user still is someone');
    assert.ok(me.body.data.kind === 'user');
    assert.deepEqual([me.body.data.tenantId, me.body.data.memberships, me.body.data.permissions], [null, [], []]);
  });

  test("another tenant's members and member ids are 404, never their data", async () => {
    assertError(await call(base, members('beta'), { key: tokens.admin }), 404, 'tenant_not_found');
    assertError(await call(base, members('beta'), { key: KEY }), 404, 'tenant_not_found');
    assertError(
      await call(base, `${members()}/${ids.betaOwner}`, {
        key: tokens.owner,
        method: 'PATCH',
        body: { role: 'viewer' },
      }),
      404,
      'not_found',
    );
    assertError(
      await call(base, `${members()}/${ids.betaOwner}`, { key: tokens.owner, method: 'DELETE' }),
      404,
      'not_found',
    );
    assertError(await call(base, `${members()}/not-a-uuid`, { key: tokens.owner, method: 'DELETE' }), 404, 'not_found');
    const rows = (await api.cp.dataSource.query(
      `SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = 'beta'`,
      [ids.betaOwner],
    )) as { role: string }[];
    assert.deepEqual(rows, [{ role: 'owner' }]);
  });
});

describe('API keys', () => {
  test('create answers the secret once; the key works; the list shows prefix, scopes, creator and last use, never the secret', async () => {
    const res = await call(base, '/api/v1/api-keys', {
      key: tokens.editor,
      method: 'POST',
      body: { name: 'ci reader', scopes: ['read', 'read'] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const created = res.body.data;
    assert.deepEqual(Object.keys(created).sort(), ['id', 'key', 'name', 'prefix', 'scopes']);
    assert.deepEqual(created.scopes, ['read']);
    assert.equal(created.prefix, created.key.slice(0, 8));
    const me = await call<{ data: MeDto }>(base, '/api/v1/me', { key: created.key });
    assert.deepEqual(me.body.data.kind === 'key' && [me.body.data.keyId, me.body.data.scopes], [created.id, ['read']]);
    let listed: Json;
    for (let i = 0; i < 500; i++) {
      const list = await call(base, '/api/v1/api-keys', { key: tokens.viewer });
      listed = list.body.data.find((k: Json) => k.id === created.id);
      if (listed.lastUsedAt !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(
      { ...listed, createdAt: undefined, lastUsedAt: undefined },
      {
        id: created.id,
        name: 'ci reader',
        prefix: created.prefix,
        scopes: ['read'],
        createdAt: undefined,
        lastUsedAt: undefined,
        createdBy: { kind: 'user', id: ids.editor, name: USERS.editor },
      },
    );
    assert.ok(!Number.isNaN(Date.parse(listed.lastUsedAt)), 'last use recorded');
    const everything = JSON.stringify((await call(base, '/api/v1/api-keys', { key: tokens.viewer })).body);
    assert.ok(!everything.includes(created.key), 'the secret never appears in the list');
  });

  test('a key never gets more scopes than its creator holds', async () => {
    const create = (key: string, scopes: string[]) =>
      call(base, '/api/v1/api-keys', { key, method: 'POST', body: { name: 'k', scopes } });
    const refused = await create(tokens.editor, ['read', 'admin']);
    assertError(refused, 403, 'scope_exceeds_caller');
    assert.deepEqual(refused.body.error.details, { excess: ['admin'], grantable: ['ingest', 'read'] });
    assert.equal((await create(tokens.editor, ['ingest', 'read'])).status, 201);
    assert.equal((await create(tokens.admin, ['ingest', 'read', 'admin'])).status, 201);
    assertError(await create(tokens.viewer, ['read']), 403, 'forbidden');

    const adminOnly = (await create(tokens.admin, ['admin'])).body.data.key as string;
    assertError(await create(adminOnly, ['ingest']), 403, 'scope_exceeds_caller');
    const made = await create(adminOnly, ['read', 'admin']);
    assert.equal(made.status, 201);
    const list = await call(base, '/api/v1/api-keys', { key: KEY });
    const byKey = list.body.data.find((k: Json) => k.id === made.body.data.id);
    assert.deepEqual([byKey.createdBy.kind, byKey.createdBy.name], ['key', 'k']);
    assertError(await create(KEY, ['bogus']), 400, 'invalid_parameter');
    assertError(await create(KEY, []), 400, 'invalid_parameter');
  });

  test("revoking takes effect at once; revoking again, another tenant's key or a bad id is 404", async () => {
    const created = (
      await call(base, '/api/v1/api-keys', {
        key: tokens.admin,
        method: 'POST',
        body: { name: 'short-lived', scopes: ['read'] },
      })
    ).body.data;
    assert.equal((await call(base, '/api/v1/traces', { key: created.key })).status, 200, 'cached as valid');
    assert.equal(
      (await call(base, `/api/v1/api-keys/${created.id}`, { key: tokens.admin, method: 'DELETE' })).status,
      204,
    );
    assertError(await call(base, '/api/v1/traces', { key: created.key }), 401, 'unauthenticated');
    assertError(
      await call(base, `/api/v1/api-keys/${created.id}`, { key: tokens.admin, method: 'DELETE' }),
      404,
      'not_found',
    );
    assert.ok(
      !(await call(base, '/api/v1/api-keys', { key: tokens.admin })).body.data.some((k: Json) => k.id === created.id),
      'revoked keys leave the list',
    );

    assertError(
      await call(base, `/api/v1/api-keys/${betaKeyId}`, { key: tokens.owner, method: 'DELETE' }),
      404,
      'not_found',
    );
    assertError(await call(base, `/api/v1/api-keys/${betaKeyId}`, { key: KEY, method: 'DELETE' }), 404, 'not_found');
    assertError(await call(base, '/api/v1/api-keys/42', { key: KEY, method: 'DELETE' }), 404, 'not_found');
    assert.equal((await call(base, '/api/v1/traces', { key: api.betaKey })).status, 200, "beta's key still works");
    assert.ok(
      !(await call(base, '/api/v1/api-keys', { key: KEY })).body.data.some((k: Json) => k.id === betaKeyId),
      "another tenant's keys are not listed",
    );
  });

  test('an editor cannot revoke a key with more scopes than an editor may grant', async () => {
    const strong = (
      await call(base, '/api/v1/api-keys', {
        key: tokens.admin,
        method: 'POST',
        body: { name: 'strong', scopes: ['admin'] },
      })
    ).body.data;
    assertError(
      await call(base, `/api/v1/api-keys/${strong.id}`, { key: tokens.editor, method: 'DELETE' }),
      403,
      'scope_exceeds_caller',
    );
    assert.equal((await call(base, '/api/v1/me', { key: strong.key })).status, 200);
  });
});

describe('every route of the running app declares its access, and it holds', () => {
  const PLACEHOLDER = '00000000-0000-4000-8000-000000000000';
  const fill = (path: string) => path.replace(/:tenantId\b/g, 'default').replace(/:[A-Za-z]+/g, PLACEHOLDER);
  const send = (method: string, path: string, key?: string) =>
    call(base, fill(path), {
      method,
      ...(key !== undefined ? { key } : {}),
      ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: {} } : {}),
    });

  test('the route table is read from the app and every route declares @Public, @Authenticated or @Requires', () => {
    const routes = api.server.routes();
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      'GET /health',
      'POST /api/v1/auth/login',
      'GET /api/v1/traces',
      'DELETE /api/v1/api-keys/:id',
      'PATCH /api/v1/tenants/:tenantId/members/:userId',
      'GET /api/v1/me/sessions',
      'DELETE /api/v1/me/sessions',
      'DELETE /api/v1/me/sessions/:id',
      'POST /api/v1/me/password',
      'DELETE /api/v1/tenants/:tenantId/members/:userId/sessions',
    ]) {
      assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
    }
    assert.deepEqual(
      routes.filter((r) => r.access === undefined),
      [],
      'routes without an access rule',
    );
    // Open by design: login, its later steps (a challenge token in the body) and token exchange (single sign-on's too), probes, the API description, public status pages.
    const OPEN =
      /^\/(health|ready)$|^\/api\/v1\/auth\/(login|refresh|logout|password|mfa(\/passkey-options|\/totp\/(enrol|confirm))?)$|^\/api\/v1\/auth\/oidc\/(callback|:tenantSlug(\/login)?)$|^\/api\/v1\/openapi\.json$|^\/api\/docs\b|status-pages?\b|\/public\//;
    assert.deepEqual(
      routes.filter((r) => r.access === 'public' && !OPEN.test(r.path)),
      [],
      'public routes beyond the open ones',
    );
  });

  test('no credentials → 401 on every non-public route', async () => {
    for (const r of api.server.routes().filter((x) => x.access !== 'public')) {
      assertError(await send(r.method, r.path), 401, 'unauthenticated');
    }
  });

  test("a viewer's token → 403 on every route that needs write, admin or owner; where read suffices never 401, 403 or 5xx", async () => {
    const routes = api.server.routes();
    for (const r of routes.filter((x) => x.access === 'write' || x.access === 'admin' || x.access === 'owner')) {
      const res = await send(r.method, r.path, tokens.viewer);
      assert.equal(res.status, 403, `${r.method} ${r.path}: ${JSON.stringify(res.body)}`);
    }
    for (const r of routes.filter((x) => x.access === 'read')) {
      const res = await send(r.method, r.path, tokens.viewer);
      assert.ok(
        res.status !== 401 && res.status !== 403 && res.status < 500,
        `${r.method} ${r.path} → ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
  });

  test('an API key without read (ingest only) → 403 on every route that needs a permission', async () => {
    const routes = api.server.routes().filter((x) => x.access !== 'public' && x.access !== 'authenticated');
    assert.ok(routes.some((r) => r.access === 'read'));
    for (const r of routes) {
      const res = await send(r.method, r.path, ingestKey);
      assert.equal(res.status, 403, `${r.method} ${r.path}: ${JSON.stringify(res.body)}`);
    }
  });
});
