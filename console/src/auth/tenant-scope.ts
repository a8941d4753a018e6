import { watch } from 'vue';
import { useAuthStore } from './auth.store.js';

/**
 * For stores of tenant data: `reset` runs when the tenant changes, so another tenant's data
 * never shows. The tenant becoming known (the profile loading after a reload) is no change:
 * what was loaded before it came from that same tenant.
 */
export function resetOnTenantChange(reset: () => void): void {
  const auth = useAuthStore();
  watch(
    () => auth.tenant,
    (_now, before) => {
      if (before !== null) reset();
    },
  );
}
