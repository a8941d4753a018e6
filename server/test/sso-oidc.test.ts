// OIDC single sign-on against a real OpenID provider (npm oidc-provider) started here: settings
// through the API (secret sealed, never answered; discovery checked), sign-in by the redirect
// flow with its cookies, just-in-time membership, roles from the groups claim re-mapped at every
// sign-in, and refusals — wrong state, wrong nonce, wrong audience, an expired ID token, one
// signed by a key the provider does not publish — and "SSO required" for passwords.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { MeDto, SsoSettingsDto, SsoSettingsRequest } from '@telemetryflow/contract';
import { createTestDatabase, type TestDatabase } from '@telemetryflow/identity/test-helpers';
import { startOidcProvider, type TestOidcProvider } from '@telemetryflow/identity/test-oidc-provider';
import { loadConfig, startAllInOne, type RunningAllInOne } from '../src/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, API_KEY, eventually, freshDataDir, removeDir } from './helpers.js';

/** A client that follows redirects itself and keeps each origin's cookies, as a browser would. */
class CookieAgent {
  readonly jars = new Map<string, Map<string, string>>();

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  async get(url: URL): Promise<Response> {
    const jar = this.jars.get(url.origin) ?? new Map<string, string>();
    this.jars.set(url.origin, jar);
    const res = await fetch(url, {
      redirect: 'manual',
      headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
      signal: AbortSignal.timeout(10_000),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }
}

describe('OIDC single sign-on', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningAllInOne;
  let idp: TestOidcProvider;
  let api: string;
  const logs: string[] = [];
  let adminUserId: string;

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    token = API_KEY,
    tenant?: string,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${api}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(tenant !== undefined ? { 'x-tenant': tenant } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  function settings(over: Partial<SsoSettingsRequest> = {}): SsoSettingsRequest {
    return {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scopes: ['openid', 'email', 'groups'],
      allowedEmailDomains: ['example.com'],
      roleClaim: 'groups',
      roleMapping: [
        { value: 'tf-admins', role: 'admin' },
        { value: 'tf-editors', role: 'editor' },
        { value: 'tf-viewers', role: 'viewer' },
      ],
      defaultRole: null,
      jitMembership: true,
      ...over,
    };
  }

  async function configure(over: Partial<SsoSettingsRequest> = {}): Promise<void> {
    const res = await call('PUT', '/sso', settings(over));
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  /**
   * Signs in through the tenant's SSO as `account`: follows the redirects from the login route
   * through the provider to the console, `rewriteCallback` may change the provider's redirect
   * back. The console URL it ends at, and the agent with the session cookie.
   */
  async function ssoSignIn(
    account: string,
    rewriteCallback: (u: URL) => URL = (u) => u,
    agent = new CookieAgent(),
  ): Promise<{ landed: URL; agent: CookieAgent }> {
    idp.signInAs = account;
    let url = new URL(`${api}/api/v1/auth/oidc/default/login?redirect=/services`);
    for (let hops = 0; hops < 20; hops++) {
      if (url.origin === api && url.pathname === '/api/v1/auth/oidc/callback') url = rewriteCallback(url);
      const res = await agent.get(url);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location)
        throw new Error(`${url.href} answered ${res.status}: ${await res.text()}`);
      url = new URL(location, url);
      if (url.origin === api && !url.pathname.startsWith('/api/')) return { landed: url, agent };
    }
    throw new Error('too many redirects');
  }

  /** What the console does on landing: an access token from the session cookie, then /me. */
  async function meBySessionCookie(agent: CookieAgent): Promise<MeDto> {
    const refresh = agent.cookie(api, 'tf_refresh');
    assert.ok(refresh, 'the session cookie was set');
    const res = await fetch(`${api}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `tf_refresh=${refresh}` },
      body: '{}',
    });
    assert.equal(res.status, 200);
    const { accessToken } = ((await res.json()) as { data: { accessToken: string } }).data;
    const me = await call<{ data: MeDto }>('GET', '/me', undefined, accessToken);
    assert.equal(me.status, 200);
    return me.body.data;
  }

  async function passwordToken(): Promise<string> {
    const res = await fetch(`${api}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
  }

  function roleOf(me: MeDto): string | undefined {
    return me.kind === 'user' ? me.memberships.find((m) => m.tenantId === 'default')?.role : undefined;
  }

  async function refusedWith(code: string, rewrite?: (u: URL) => URL, account = 'alice'): Promise<void> {
    const { landed, agent } = await ssoSignIn(account, rewrite);
    assert.equal(landed.pathname, '/login');
    assert.equal(landed.searchParams.get('sso_error'), code);
    assert.equal(agent.cookie(api, 'tf_refresh'), undefined, 'no session for a refused sign-in');
  }

  before(async () => {
    db = await createTestDatabase();
    dataDir = freshDataDir('tf-sso-');
    server = await startAllInOne(
      loadConfig({
        TF_DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        TF_HTTP_PORT: '0',
        TF_METRICS_PORT: '0',
        TF_OTLP_HTTP_PORT: '0',
        TF_OTLP_GRPC_PORT: '0',
        TF_BOOTSTRAP_API_KEY: API_KEY,
        TF_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
        TF_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
        TF_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
        TF_SSO_ALLOW_HTTP_ISSUERS: 'true',
      }),
      (msg: string) => logs.push(msg),
    );
    api = server.apiUrl;
    idp = await startOidcProvider({ redirectUris: [`${api}/api/v1/auth/oidc/callback`] });
    idp.accounts.set('alice', { email: 'alice@example.com', groups: ['tf-editors'] });
    idp.accounts.set('mallory', { email: 'mallory@elsewhere.org', groups: ['tf-admins'] });
    idp.accounts.set('unverified', { email: 'eve@example.com', emailVerified: false, groups: ['tf-admins'] });
    const members = await call<{ data: { userId: string; email: string }[] }>('GET', '/tenants/default/members');
    adminUserId = members.body.data.find((m) => m.email === ADMIN_EMAIL)!.userId;
  });

  after(async () => {
    await idp?.close();
    await server?.close();
    await db?.drop();
    removeDir(dataDir);
  });

  test('settings: validated, the issuer discovered, the secret sealed and never answered', async () => {
    assert.equal((await call('GET', '/sso')).status, 404);
    assert.deepEqual((await (await fetch(`${api}/api/v1/auth/oidc/default`)).json()) as unknown, {
      data: { enabled: false },
    });
    const noSecret = await call<{ error: { code: string; message: string } }>('PUT', '/sso', {
      ...settings(),
      clientSecret: undefined,
    });
    assert.equal(noSecret.status, 400);
    assert.match(noSecret.body.error.message, /clientSecret/);
    const wrongIssuer = await call<{ error: { code: string; message: string } }>(
      'PUT',
      '/sso',
      settings({ issuer: `${idp.issuer}/not-an-issuer` }),
    );
    assert.equal(wrongIssuer.status, 400);
    assert.equal(wrongIssuer.body.error.code, 'sso_discovery_failed');
    assert.match(wrongIssuer.body.error.message, /discovery of .*not-an-issuer/);
    const noBreakGlass = await call<{ error: { message: string } }>('PUT', '/sso', settings({ ssoRequired: true }));
    assert.equal(noBreakGlass.status, 400);
    assert.match(noBreakGlass.body.error.message, /breakGlassUserId/);
    const unmappedClaim = await call('PUT', '/sso', settings({ roleClaim: null }));
    assert.equal(unmappedClaim.status, 400);

    await configure();
    const got = await call<{ data: SsoSettingsDto }>('GET', '/sso');
    assert.equal(got.status, 200);
    assert.equal(got.body.data.clientSecretSet, true);
    assert.equal(got.body.data.redirectUri, `${api}/api/v1/auth/oidc/callback`);
    assert.ok(!JSON.stringify(got.body).includes(idp.clientSecret), 'the secret is never answered');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ client_secret_sealed: string }>('SELECT client_secret_sealed FROM sso_settings');
      assert.equal(rows.length, 1);
      assert.ok(!rows[0]!.client_secret_sealed.includes(idp.clientSecret), 'stored sealed, not in clear');
      assert.match(rows[0]!.client_secret_sealed, /^v1\./);
    } finally {
      await c.end();
    }
    // Saved again without a secret, the sealed one stays usable.
    await configure({ clientSecret: undefined });
    assert.deepEqual((await (await fetch(`${api}/api/v1/auth/oidc/default`)).json()) as unknown, {
      data: { enabled: true },
    });
    assert.deepEqual((await (await fetch(`${api}/api/v1/auth/oidc/no-such-tenant`)).json()) as unknown, {
      data: { enabled: false },
    });
  });

  test('sign-in: PKCE S256, state and nonce sent; JIT membership with the role of the groups claim; a normal session', async () => {
    const { landed, agent } = await ssoSignIn('alice');
    assert.equal(landed.pathname, '/sso');
    assert.equal(landed.searchParams.get('tenant'), 'default');
    assert.equal(landed.searchParams.get('redirect'), '/services');
    const auth = idp.authorizationRequests.at(-1)!;
    assert.equal(auth.get('code_challenge_method'), 'S256');
    assert.ok((auth.get('code_challenge') ?? '').length >= 43);
    assert.ok(auth.get('state') && auth.get('nonce'));
    assert.equal(auth.get('scope'), 'openid email groups');
    assert.equal(agent.cookie(api, 'tf_oidc'), undefined, 'the flow cookie is cleared');
    const me = await meBySessionCookie(agent);
    assert.equal(me.kind === 'user' && me.user.email, 'alice@example.com');
    assert.equal(roleOf(me), 'editor');
    const members = await call<{ data: { email: string; role: string }[] }>('GET', '/tenants/default/members');
    assert.deepEqual(
      members.body.data.find((m) => m.email === 'alice@example.com')?.role,
      'editor',
      'alice became a member just in time',
    );
    // The sign-in is in the tenant's audit log, with alice as the actor.
    const audited = await eventually('the SSO sign-in in the audit log', async () => {
      const res = await call<{ data: { events: { actor: { label: string }; outcome: string; status: number }[] } }>(
        'GET',
        '/audit-events?action=auth.sso&actor=alice@example.com',
      );
      return res.body.data.events[0];
    });
    assert.deepEqual([audited.outcome, audited.status], ['success', 302]);
  });

  test('roles are re-mapped at every sign-in: a new group promotes, a removed one demotes, none refuses', async () => {
    idp.accounts.get('alice')!.groups = ['tf-editors', 'tf-admins'];
    assert.equal(roleOf(await meBySessionCookie((await ssoSignIn('alice')).agent)), 'admin');
    idp.accounts.get('alice')!.groups = ['tf-viewers'];
    assert.equal(roleOf(await meBySessionCookie((await ssoSignIn('alice')).agent)), 'viewer');
    idp.accounts.get('alice')!.groups = ['unrelated'];
    await refusedWith('sso_no_role');
    await configure({ clientSecret: undefined, defaultRole: 'viewer' });
    assert.equal(roleOf(await meBySessionCookie((await ssoSignIn('alice')).agent)), 'viewer');
    idp.accounts.get('alice')!.groups = ['tf-editors'];
    await configure({ clientSecret: undefined });
  });

  test('who may sign in: allowed domains, verified e-mail, members only without JIT', async () => {
    await refusedWith('sso_domain', undefined, 'mallory');
    await refusedWith('sso_email', undefined, 'unverified');
    idp.accounts.set('bob', { email: 'bob@example.com', groups: ['tf-editors'] });
    await configure({ clientSecret: undefined, jitMembership: false });
    await refusedWith('sso_not_member', undefined, 'bob');
    assert.equal(roleOf(await meBySessionCookie((await ssoSignIn('alice')).agent)), 'editor', 'members still can');
    await configure({ clientSecret: undefined });
    assert.ok(
      logs.some((l) => /refused \(sso_domain\): mallory@elsewhere\.org/.test(l)),
      'details are logged',
    );
  });

  test("an account of, or invited into, other tenants is refused: one tenant's provider must not open the others", async () => {
    const other = await call<{ data: { id: string } }>('POST', '/tenants', { name: 'Other' }, await passwordToken());
    assert.equal(other.status, 201);
    idp.accounts.set('olga', { email: 'olga@example.com', groups: ['tf-editors'] });
    const invited = await call(
      'POST',
      `/tenants/${other.body.data.id}/invitations`,
      { email: 'olga@example.com', role: 'viewer' },
      await passwordToken(),
      other.body.data.id,
    );
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    await refusedWith('sso_other_tenants', undefined, 'olga');
    // The bootstrap admin is also the owner of the new tenant.
    idp.accounts.set('admin', { email: ADMIN_EMAIL, groups: ['tf-admins'] });
    await refusedWith('sso_other_tenants', undefined, 'admin');
    const members = await call<{ data: { email: string; role: string }[] }>('GET', '/tenants/default/members');
    assert.equal(
      members.body.data.find((m) => m.email === ADMIN_EMAIL)?.role,
      'owner',
      'not demoted by a refused sign-in',
    );
  });

  test('a wrong or missing state is refused', async () => {
    await refusedWith('sso_state', (u) => {
      u.searchParams.set('state', 'forged-state');
      return u;
    });
    // The callback in a browser that did not start the sign-in (no flow cookie).
    const res = await new CookieAgent().get(new URL(`${api}/api/v1/auth/oidc/callback?code=abc&state=def`));
    assert.equal(res.status, 302);
    assert.equal(new URL(res.headers.get('location')!).searchParams.get('sso_error'), 'sso_state');
    // The forged state of the tenant's flow is a denied sign-in in its audit log.
    const refused = await eventually('the refused SSO sign-in in the audit log', async () => {
      const list = await call<{ data: { events: { after: { refusal: string } }[] } }>(
        'GET',
        '/audit-events?action=auth.sso&outcome=denied',
      );
      return list.body.data.events.find((e) => e.after.refusal === 'sso_state');
    });
    assert.ok(refused);
  });

  for (const [name, tamper, detail] of [
    ['a wrong nonce', { claims: { nonce: 'another-sign-in' }, signWith: 'provider' }, /nonce/],
    ['a wrong audience', { claims: { aud: 'another-client' }, signWith: 'provider' }, /aud/],
    [
      'an expired ID token',
      {
        claims: { iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 },
        signWith: 'provider',
      },
      /exp/,
    ],
    ['an ID token signed by another key', { signWith: 'other' }, /signature/i],
  ] as const) {
    test(`${name} is refused by the ID token's verification`, async () => {
      const before = logs.length;
      idp.tamper = { ...tamper };
      try {
        await refusedWith('sso_token');
      } finally {
        idp.tamper = null;
      }
      const refusal = logs.slice(before).find((l) => l.includes('refused (sso_token)'));
      assert.ok(refusal, 'the refusal is logged');
      assert.match(refusal, detail);
    });
  }

  test('the provider re-signing its own token unchanged is accepted (the tampering harness itself is sound)', async () => {
    idp.tamper = { signWith: 'provider' };
    try {
      assert.equal(roleOf(await meBySessionCookie((await ssoSignIn('alice')).agent)), 'editor');
    } finally {
      idp.tamper = null;
    }
  });

  test('"SSO required" refuses passwords of members but the break-glass owner’s', async () => {
    const password = 'carol has a long password';
    const invited = await call<{ data: { id: string } }>('POST', '/tenants/default/invitations', {
      email: 'carol@example.com',
      role: 'editor',
      password,
    });
    assert.equal(invited.status, 201);
    const login = (email: string, pw: string) =>
      fetch(`${api}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: pw }),
      });
    const carolToken = (
      (await (await login('carol@example.com', password)).json()) as { data: { accessToken: string } }
    ).data.accessToken;
    assert.equal((await call('POST', `/invitations/${invited.body.data.id}/accept`, {}, carolToken)).status, 200);

    await configure({ clientSecret: undefined, ssoRequired: true, breakGlassUserId: adminUserId });
    const refused = await login('carol@example.com', password);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'sso_required');
    const wrong = await login('carol@example.com', 'not her password');
    assert.equal(wrong.status, 401, 'a wrong password learns nothing about SSO');
    assert.equal((await login(ADMIN_EMAIL, ADMIN_PASSWORD)).status, 200, 'the break-glass owner still can');
    assert.equal(roleOf(await meBySessionCookie((await ssoSignIn('alice')).agent)), 'editor', 'SSO still works');

    const notOwner = await call(
      'PUT',
      '/sso',
      settings({
        clientSecret: undefined,
        ssoRequired: true,
        breakGlassUserId: (
          await call<{ data: { userId: string; email: string }[] }>('GET', '/tenants/default/members')
        ).body.data.find((m) => m.email === 'carol@example.com')!.userId,
      }),
    );
    assert.equal(notOwner.status, 400, 'the break-glass user must be an owner');

    assert.equal((await call('DELETE', '/sso')).status, 204);
    assert.equal((await login('carol@example.com', password)).status, 200, 'passwords work again without SSO');
  });
});
