import { watch } from 'vue';
import { useAuthStore } from './auth.store.js';

/** For stores of tenant data: `reset` runs when the tenant changes, so another tenant's data never shows. */
export function resetOnTenantChange(reset: () => void): void {
  const auth = useAuthStore();
  watch(() => auth.tenant, reset);
}
