import { computed, type WritableComputedRef } from 'vue';
import { useRoute, useRouter, type LocationQueryRaw, type Router } from 'vue-router';

// Several params set in one tick (a form's fields, a range's from and to) become one replace.
let pending: LocationQueryRaw | null = null;

export function patchQuery(router: Router, patch: Record<string, string | undefined>): void {
  if (pending) {
    Object.assign(pending, patch);
    return;
  }
  pending = { ...patch };
  queueMicrotask(() => {
    const merged: LocationQueryRaw = { ...router.currentRoute.value.query, ...pending };
    pending = null;
    for (const [k, v] of Object.entries(merged)) if (v === undefined || v === '') delete merged[k];
    void router.replace({ query: merged });
  });
}

/** One string of the view's state, kept in the URL query (empty = the default, left out). */
export function useQueryParam(name: string, fallback = ''): WritableComputedRef<string> {
  const route = useRoute();
  const router = useRouter();
  return computed({
    get: () => {
      const v = route.query[name];
      return typeof v === 'string' ? v : fallback;
    },
    set: (v) => patchQuery(router, { [name]: v === fallback ? undefined : v }),
  });
}
