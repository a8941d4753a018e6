import type { ApiSuccess } from '@telemetryflow/contract';
import { ref, shallowRef } from 'vue';

/**
 * A search answered in pages (`meta.nextCursor`): `reset` loads the first page, `more` appends
 * the next. An answer to an older search never lands in a newer one.
 */
export function usePagedSearch<T>(fetchPage: (cursor: string | undefined) => Promise<ApiSuccess<T[]>>) {
  const items = shallowRef<T[] | null>(null);
  const cursor = ref<string | null>(null);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  async function load(append: boolean): Promise<void> {
    const mine = append ? generation : ++generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await fetchPage(append ? (cursor.value ?? undefined) : undefined);
      if (mine !== generation) return;
      items.value = append ? [...(items.value ?? []), ...page.data] : page.data;
      const next = page.meta?.nextCursor;
      cursor.value = typeof next === 'string' && next ? next : null;
    } catch (err) {
      if (mine === generation) error.value = err;
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  return { items, cursor, loading, error, reset: () => load(false), more: () => load(true) };
}
