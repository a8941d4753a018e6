import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { request } from '../api/http.js';
import { useAuthStore } from './auth.store.js';

// A stand-in for the identity API's contract: access tokens `a<n>`; the refresh token lives in
// the session cookie (`cookie`, as the browser would keep it), rotates and works once.
function identityApi() {
  let generation = 1;
  let cookie: string | null = null;
  const calls: string[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
    });
  const fetch = async (url: string, init: { method?: string; headers: Record<string, string>; body?: string }) => {
    const path = url.split('?')[0]!;
    calls.push(`${init.method ?? 'GET'} ${path}`);
    if (path === '/api/v1/auth/login') {
      cookie = `r${generation}`;
      return json(200, { data: { accessToken: `a${generation}`, refreshToken: `r${generation}`, expiresIn: 900 } });
    }
    if (path === '/api/v1/auth/refresh') {
      expect(JSON.parse(init.body!)).toEqual({});
      if (cookie !== `r${generation}`)
        return json(401, {
          error: { code: 'refresh_token_reused', message: 'refresh token already used', requestId: 'req-2' },
        });
      generation++;
      cookie = `r${generation}`;
      return json(200, { data: { accessToken: `a${generation}`, expiresIn: 900 } });
    }
    if (path === '/api/v1/auth/logout') {
      cookie = null;
      return new Response(null, { status: 204 });
    }
    const token = init.headers.authorization?.replace('Bearer ', '');
    if (path === '/api/v1/me' && token === 'tf_ingest_only_key_000000')
      return json(200, { data: { kind: 'key', keyId: 'k', tenantId: 't', scopes: ['ingest'], permissions: [] } });
    if (path === '/api/v1/me' && token === 'tf_reader_key_0000000000')
      return json(200, { data: { kind: 'key', keyId: 'k', tenantId: 't', scopes: ['read'], permissions: ['read'] } });
    if (token !== `a${generation}` && token !== 'tf_reader_key_0000000000')
      return json(401, { error: { code: 'unauthenticated', message: 'expired', requestId: 'req-3' } });
    if (path === '/api/v1/me')
      return json(200, {
        data: {
          kind: 'user',
          user: { id: 'u', email: 'ann@example.com', createdAt: '' },
          memberships: [{ tenantId: 't', tenantName: 'T', role: 'owner' }],
          tenantId: 't',
          role: 'owner',
          permissions: ['read', 'write', 'admin', 'owner'],
        },
      });
    return json(200, { data: 'ok' });
  };
  return { fetch, calls, expire: () => generation++, cookie: () => cookie };
}

/** A page reload: the stores start again from localStorage (and the cookie the stub keeps). */
function reload(): void {
  setActivePinia(createPinia());
}

describe('auth store', () => {
  let api: ReturnType<typeof identityApi>;
  beforeEach(() => {
    localStorage.clear();
    setActivePinia(createPinia());
    api = identityApi();
    vi.stubGlobal('fetch', vi.fn(api.fetch));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('signs in and loads the profile; localStorage holds no token; after a reload the cookie renews the access token', async () => {
    const auth = useAuthStore();
    await auth.signIn('Ann@Example.com ', 'pw');
    expect(auth.signedIn).toBe(true);
    expect(auth.identity).toBe('ann@example.com');
    expect(auth.tenant).toBe('t');
    expect(auth.permissions.has('write')).toBe(true);
    await Promise.resolve();
    expect(JSON.parse(localStorage.getItem('tf.session')!)).toEqual({
      kind: 'user',
      identity: 'ann@example.com',
      tenant: null,
    });

    reload();
    api.calls.length = 0;
    const again = useAuthStore();
    expect(again.signedIn).toBe(true);
    expect((await request<string>('/services')).data).toBe('ok');
    expect(api.calls).toEqual(['POST /api/v1/auth/refresh', 'GET /api/v1/services']);
  });

  it('drops the tokens an earlier version kept in localStorage', () => {
    localStorage.setItem(
      'tf.session',
      JSON.stringify({ kind: 'user', accessToken: 'a1', refreshToken: 'r1', identity: 'ann@example.com', tenant: 't' }),
    );
    useAuthStore();
    expect(JSON.parse(localStorage.getItem('tf.session')!)).toEqual({
      kind: 'user',
      identity: 'ann@example.com',
      tenant: 't',
    });
  });

  it('renews once for concurrent 401s and repeats them, and ends the session when renewal is refused', async () => {
    const auth = useAuthStore();
    await auth.signIn('ann@example.com', 'pw');
    api.calls.length = 0;
    // a1 stops working while the cookie's refresh token stays current.
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: { method?: string; headers: Record<string, string>; body?: string }) =>
        init.headers.authorization === 'Bearer a1'
          ? Promise.resolve(
              new Response(JSON.stringify({ error: { code: 'unauthenticated', message: 'expired', requestId: 'x' } }), {
                status: 401,
              }),
            )
          : api.fetch(url, init),
      ),
    );
    const answers = await Promise.all([request<string>('/services'), request<string>('/traces')]);
    expect(answers.map((a) => a.data)).toEqual(['ok', 'ok']);
    expect(api.calls.filter((c) => c.endsWith('/auth/refresh'))).toHaveLength(1);
    expect(auth.signedIn).toBe(true);

    // A refresh token that no longer works ends the session.
    api.expire();
    await expect(request('/services')).rejects.toMatchObject({ status: 401, requestId: 'req-3' });
    expect(auth.signedIn).toBe(false);
  });

  it('signing out ends the login of the cookie', async () => {
    const auth = useAuthStore();
    await auth.signIn('ann@example.com', 'pw');
    await auth.signOut();
    expect(api.calls.at(-1)).toBe('POST /api/v1/auth/logout');
    expect(api.cookie()).toBe(null);
    expect(localStorage.getItem('tf.session')).toBe(null);
  });

  it('an API-key session keeps its key in localStorage and survives a reload without renewing', async () => {
    const auth = useAuthStore();
    await auth.signInWithKey('tf_reader_key_0000000000');
    await Promise.resolve();
    expect(JSON.parse(localStorage.getItem('tf.session')!)).toMatchObject({
      kind: 'key',
      apiKey: 'tf_reader_key_0000000000',
    });
    reload();
    api.calls.length = 0;
    expect((await request<string>('/services')).data).toBe('ok');
    expect(api.calls).toEqual(['GET /api/v1/services']);
  });

  it('refuses an API key that cannot read', async () => {
    const auth = useAuthStore();
    await expect(auth.signInWithKey('tf_ingest_only_key_000000')).rejects.toThrow(/cannot read telemetry/);
    expect(auth.signedIn).toBe(false);
  });
});
