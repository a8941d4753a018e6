/**
 * What survives a reload or opens a new tab, in localStorage: who is signed in and the tenant
 * they picked. A user's tokens are not kept here: the refresh token is an HttpOnly cookie that
 * page scripts cannot read, and the access token lives in memory, renewed from the cookie after
 * a reload. An API-key session keeps its key, its only credential.
 */
export type StoredSession =
  | { kind: 'user'; identity: string; tenant: string | null }
  | { kind: 'key'; apiKey: string; identity: string; tenant: string | null };

const KEY = 'tf.session';

export function loadSession(storage: Storage): StoredSession | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    // Earlier versions kept `accessToken` (a user's token, or the key) and `refreshToken` here.
    const s = JSON.parse(raw) as {
      kind?: unknown;
      identity?: unknown;
      tenant?: unknown;
      apiKey?: unknown;
      accessToken?: unknown;
    };
    if (typeof s.identity !== 'string') return null;
    const tenant = typeof s.tenant === 'string' ? s.tenant : null;
    if (s.kind === 'user') return { kind: 'user', identity: s.identity, tenant };
    const apiKey = typeof s.apiKey === 'string' ? s.apiKey : s.accessToken;
    if (s.kind === 'key' && typeof apiKey === 'string') return { kind: 'key', apiKey, identity: s.identity, tenant };
    return null;
  } catch {
    return null;
  }
}

export function saveSession(storage: Storage, session: StoredSession | null): void {
  if (session) storage.setItem(KEY, JSON.stringify(session));
  else storage.removeItem(KEY);
}
