import type { MeDto } from '@telemetryflow/schemas';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { login, logout, me, refreshSession } from '../api/auth.js';
import { useSession } from '../api/http.js';
import { loadSession, saveSession, type StoredSession } from './session-storage.js';

export class SignInRefused extends Error {}

export const useAuthStore = defineStore('auth', () => {
  const session = ref<StoredSession | null>(loadSession(localStorage));
  watch(session, (s) => saveSession(localStorage, s), { deep: true });
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
  const apiKey = computed(() => (session.value?.kind === 'key' ? session.value.accessToken : null));

  async function loadProfile(): Promise<MeDto> {
    const { data } = await me();
    profile.value = data;
    return data;
  }

  async function signIn(email: string, password: string): Promise<void> {
    const { data } = await login(email, password);
    session.value = { kind: 'user', accessToken: data.accessToken, refreshToken: data.refreshToken, identity: email.trim().toLowerCase(), tenant: null };
    await loadProfile();
  }

  async function signInWithKey(key: string): Promise<void> {
    const { data } = await me(key);
    if (!data.permissions.includes('read')) throw new SignInRefused(`this key (scopes ${data.kind === 'key' ? data.scopes.join(', ') : ''}) cannot read telemetry: use a key with scope read or admin`);
    session.value = { kind: 'key', accessToken: key, refreshToken: null, identity: `API key ${key.slice(0, 10)}…`, tenant: null };
    profile.value = data;
  }

  // Concurrent 401s share one renewal: the refresh token rotates, a second use would be refused.
  let renewing: Promise<boolean> | null = null;
  function renew(): Promise<boolean> {
    const current = session.value;
    if (!current?.refreshToken) return Promise.resolve(false);
    renewing ??= refreshSession(current.refreshToken)
      .then(({ data }) => {
        if (session.value === current) Object.assign(current, { accessToken: data.accessToken, refreshToken: data.refreshToken });
        return true;
      })
      .catch(() => false)
      .finally(() => (renewing = null));
    return renewing;
  }

  async function signOut(): Promise<void> {
    const refreshToken = session.value?.refreshToken;
    session.value = null;
    profile.value = null;
    if (refreshToken) await logout(refreshToken).catch(() => undefined);
  }

  async function switchTenant(id: string): Promise<void> {
    if (!session.value) return;
    session.value.tenant = id;
    await loadProfile();
  }

  useSession({
    accessToken: () => session.value?.accessToken ?? null,
    tenant: () => session.value?.tenant ?? null,
    renew,
    expired: () => {
      session.value = null;
      profile.value = null;
    },
  });

  return { signedIn, identity, kind, tenant, tenantChoice, memberships, permissions, apiKey, profile, loadProfile, signIn, signInWithKey, renew, signOut, switchTenant };
});
