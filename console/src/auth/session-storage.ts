/** The session as kept in localStorage, so a reload or a new tab stays signed in. */
export interface StoredSession {
  kind: 'user' | 'key';
  accessToken: string;
  refreshToken: string | null;
  identity: string;
  tenant: string | null;
}

const KEY = 'tf.session';

export function loadSession(storage: Storage): StoredSession | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<StoredSession>;
    if ((s.kind !== 'user' && s.kind !== 'key') || typeof s.accessToken !== 'string' || typeof s.identity !== 'string') return null;
    return { kind: s.kind, accessToken: s.accessToken, refreshToken: s.refreshToken ?? null, identity: s.identity, tenant: s.tenant ?? null };
  } catch {
    return null;
  }
}

export function saveSession(storage: Storage, session: StoredSession | null): void {
  if (session) storage.setItem(KEY, JSON.stringify(session));
  else storage.removeItem(KEY);
}
