import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { checkApiKey, login, logout, refreshSession } from '../api/auth.js';
import { useSession } from '../api/http.js';
import { loadSession, saveSession, type StoredSession } from './session-storage.js';

export const useAuthStore = defineStore('auth', () => {
  const session = ref<StoredSession | null>(loadSession(localStorage));
  watch(session, (s) => saveSession(localStorage, s), { deep: true });

  const signedIn = computed(() => session.value !== null);
  const identity = computed(() => session.value?.identity ?? '');
  const kind = computed(() => session.value?.kind ?? null);
  const tenant = computed(() => session.value?.tenant ?? null);
  /** The secret of an API-key session, for the OTLP set-up instructions; null for users. */
  const apiKey = computed(() => (session.value?.kind === 'key' ? session.value.accessToken : null));

  async function signIn(email: string, password: string): Promise<void> {
    const { data } = await login(email, password);
    session.value = { kind: 'user', accessToken: data.accessToken, refreshToken: data.refreshToken, identity: email, tenant: null };
  }

  async function signInWithKey(key: string): Promise<void> {
    await checkApiKey(key);
    session.value = { kind: 'key', accessToken: key, refreshToken: null, identity: `API key ${key.slice(0, 10)}…`, tenant: null };
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
    if (refreshToken) await logout(refreshToken).catch(() => undefined);
  }

  function switchTenant(id: string | null): void {
    if (session.value) session.value.tenant = id;
  }

  useSession({
    accessToken: () => session.value?.accessToken ?? null,
    tenant: () => session.value?.tenant ?? null,
    renew,
    expired: () => (session.value = null),
  });

  return { signedIn, identity, kind, tenant, apiKey, signIn, signInWithKey, renew, signOut, switchTenant };
});
