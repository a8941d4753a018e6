import type { MeDto, SignInResult, SignInStep } from '@telemetryflow/contract';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { login, logout, me, refreshSession } from '../api/auth.js';
import { useSession } from '../api/http.js';
import { loadSession, saveSession, type StoredSession } from './session-storage.js';

export class SignInRefused extends Error {}

/** Runs `fn` while holding the console's session lock, where the browser has Web Locks. */
function inTurnAcrossTabs<T>(fn: () => Promise<T>): Promise<T> {
  return typeof navigator !== 'undefined' && navigator.locks
    ? (navigator.locks.request('tf.session-renewal', fn) as Promise<T>)
    : fn();
}

export const useAuthStore = defineStore('auth', () => {
  const session = ref<StoredSession | null>(loadSession(localStorage));
  // Written back at once, so tokens an earlier version stored do not stay behind.
  saveSession(localStorage, session.value);
  watch(session, (s) => saveSession(localStorage, s), { deep: true });
  /** A user's access token: in memory only, renewed from the HttpOnly session cookie. */
  let accessToken: string | null = null;
  /** `/me` of the session: memberships, tenant, permissions (loaded after sign-in and on start). */
  const profile = shallowRef<MeDto | null>(null);

  const signedIn = computed(() => session.value !== null);
  const identity = computed(() => session.value?.identity ?? '');
  const kind = computed(() => session.value?.kind ?? null);
  /** The tenant requests go to: the chosen one, else the one the server picked. */
  const tenant = computed(() => session.value?.tenant ?? profile.value?.tenantId ?? null);
  /** The tenant the user picked (empty until one is): views remount when it changes. */
  const tenantChoice = computed(() => session.value?.tenant ?? '');
  const memberships = computed(() => (profile.value?.kind === 'user' ? profile.value.memberships : []));
  const permissions = computed(() => new Set(profile.value?.permissions ?? []));
  /** The secret of an API-key session, for the OTLP set-up instructions; null for users. */
  const apiKey = computed(() => (session.value?.kind === 'key' ? session.value.apiKey : null));

  async function loadProfile(): Promise<MeDto> {
    const { data } = await me();
    profile.value = data;
    return data;
  }

  /** Signs in with a password: null when signed in, else the step the sign-in still needs (see `completeSignIn`). */
  async function signIn(email: string, password: string): Promise<SignInStep | null> {
    const { data } = await login(email, password);
    return completeSignIn(email, data);
  }

  /** A sign-in step's answer: the session when it carries tokens, else the next step. */
  async function completeSignIn(email: string, result: SignInResult): Promise<SignInStep | null> {
    // Not the contract's isSignInStep: its module's schemas would put zod into the first script every page loads.
    if ('step' in result) return result;
    accessToken = result.accessToken;
    session.value = { kind: 'user', identity: email.trim().toLowerCase(), tenant: null };
    await loadProfile();
    return null;
  }

  async function signInWithKey(key: string): Promise<void> {
    const { data } = await me(key);
    if (!data.permissions.includes('read'))
      throw new SignInRefused(
        `this key (scopes ${data.kind === 'key' ? data.scopes.join(', ') : ''}) cannot read telemetry: use a key with scope read or admin`,
      );
    accessToken = null;
    session.value = { kind: 'key', apiKey: key, identity: `API key ${key.slice(0, 10)}…`, tenant: null };
    profile.value = data;
  }

  /**
   * After a single sign-on: the server set the session cookie and sent the browser here; the
   * access token comes from the cookie, as after a reload.
   */
  async function completeSso(tenantId: string): Promise<void> {
    session.value = { kind: 'user', identity: '', tenant: tenantId };
    if (!(await renew())) {
      session.value = null;
      throw new SignInRefused('the single sign-on did not leave a session: sign in again');
    }
    const data = await loadProfile();
    if (session.value && data.kind === 'user') session.value.identity = data.user.email;
  }

  // Concurrent renewals share one request: the cookie's refresh token rotates, a second use would
  // be refused. Tabs share the cookie, so they renew one after another (Web Locks), each with the
  // cookie the previous one left.
  let renewing: Promise<boolean> | null = null;
  function renew(): Promise<boolean> {
    const current = session.value;
    if (current?.kind !== 'user') return Promise.resolve(false);
    renewing ??= inTurnAcrossTabs(refreshSession)
      .then(({ data }) => {
        if (session.value !== current) return false;
        accessToken = data.accessToken;
        return true;
      })
      .catch(() => false)
      .finally(() => (renewing = null));
    return renewing;
  }

  async function signOut(): Promise<void> {
    const wasUser = session.value?.kind === 'user';
    session.value = null;
    profile.value = null;
    accessToken = null;
    if (wasUser) await logout().catch(() => undefined);
  }

  async function switchTenant(id: string): Promise<void> {
    if (!session.value) return;
    session.value.tenant = id;
    await loadProfile();
  }

  useSession({
    accessToken: async () => {
      const s = session.value;
      if (s === null) return null;
      if (s.kind === 'key') return s.apiKey;
      if (accessToken === null) await renew();
      return accessToken;
    },
    tenant: () => session.value?.tenant ?? null,
    renew,
    expired: () => {
      session.value = null;
      profile.value = null;
      accessToken = null;
    },
  });

  return {
    signedIn,
    identity,
    kind,
    tenant,
    tenantChoice,
    memberships,
    permissions,
    apiKey,
    profile,
    loadProfile,
    signIn,
    completeSignIn,
    signInWithKey,
    completeSso,
    renew,
    signOut,
    switchTenant,
  };
});
