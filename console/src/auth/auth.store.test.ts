import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { request } from '../api/http.js';
import { useAuthStore } from './auth.store.js';

// A stand-in for the identity API's contract: access tokens `a<n>`, rotating refresh tokens
// `r<n>`; only the newest access token is valid and a refresh token works once.
function identityApi() {
  let generation = 1;
  const calls: string[] = [];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' } });
  const fetch = async (url: string, init: { method?: string; headers: Record<string, string>; body?: string }) => {
    const path = url.split('?')[0]!;
    calls.push(`${init.method ?? 'GET'} ${path}`);
    if (path === '/api/v1/auth/login') return json(200, { data: { accessToken: `a${generation}`, refreshToken: `r${generation}`, expiresIn: 900 } });
    if (path === '/api/v1/auth/refresh') {
      const { refreshToken } = JSON.parse(init.body!) as { refreshToken: string };
      if (refreshToken !== `r${generation}`) return json(401, { error: { code: 'unauthenticated', message: 'refresh token already used', requestId: 'req-2' } });
      generation++;
      return json(200, { data: { accessToken: `a${generation}`, refreshToken: `r${generation}`, expiresIn: 900 } });
    }
    const token = init.headers.authorization?.replace('Bearer ', '');
    if (path === '/api/v1/me' && token === 'tf_ingest_only_key_000000') return json(200, { data: { kind: 'key', keyId: 'k', tenantId: 't', scopes: ['ingest'], permissions: [] } });
    if (token !== `a${generation}`) return json(401, { error: { code: 'unauthenticated', message: 'expired', requestId: 'req-3' } });
    if (path === '/api/v1/me') return json(200, { data: { kind: 'user', user: { id: 'u', email: 'ann@example.com', createdAt: '' }, memberships: [{ tenantId: 't', tenantName: 'T', role: 'owner' }], tenantId: 't', role: 'owner', permissions: ['read', 'write', 'admin', 'owner'] } });
    return json(200, { data: 'ok' });
  };
  return { fetch, calls, expire: () => generation++ };
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

  it('signs in, loads the profile and keeps the session for a reload', async () => {
    const auth = useAuthStore();
    await auth.signIn('Ann@Example.com ', 'pw');
    expect(auth.signedIn).toBe(true);
    expect(auth.identity).toBe('ann@example.com');
    expect(auth.tenant).toBe('t');
    expect(auth.permissions.has('write')).toBe(true);
    await Promise.resolve();
    expect(JSON.parse(localStorage.getItem('tf.session')!)).toMatchObject({ kind: 'user', accessToken: 'a1', refreshToken: 'r1' });
  });

  it('renews once for concurrent 401s and repeats them, and ends the session when renewal is refused', async () => {
    const auth = useAuthStore();
    await auth.signIn('ann@example.com', 'pw');
    api.calls.length = 0;
    // Make a1 invalid while r1 stays the current refresh token.
    const session = JSON.parse(localStorage.getItem('tf.session')!) as { accessToken: string };
    expect(session.accessToken).toBe('a1');
    vi.stubGlobal('fetch', vi.fn((url: string, init: { method?: string; headers: Record<string, string>; body?: string }) =>
      init.headers.authorization === 'Bearer a1' ? Promise.resolve(new Response(JSON.stringify({ error: { code: 'unauthenticated', message: 'expired', requestId: 'x' } }), { status: 401 })) : api.fetch(url, init),
    ));
    const answers = await Promise.all([request<string>('/services'), request<string>('/traces')]);
    expect(answers.map((a) => a.data)).toEqual(['ok', 'ok']);
    expect(api.calls.filter((c) => c.endsWith('/auth/refresh'))).toHaveLength(1);
    expect(auth.signedIn).toBe(true);

    // A refresh token that no longer works ends the session.
    api.expire();
    await expect(request('/services')).rejects.toMatchObject({ status: 401, requestId: 'req-3' });
    expect(auth.signedIn).toBe(false);
  });

  it('refuses an API key that cannot read', async () => {
    const auth = useAuthStore();
    await expect(auth.signInWithKey('tf_ingest_only_key_000000')).rejects.toThrow(/cannot read telemetry/);
    expect(auth.signedIn).toBe(false);
  });
});
