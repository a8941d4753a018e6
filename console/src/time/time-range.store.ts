import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, watch } from 'vue';
import { useRouter } from 'vue-router';
import { patchQuery } from '../layout/url-state.js';
import { parseRange, rangeQuery, refreshMs, resolveRange, type RangeSpec, type TimeWindow } from './time-range.js';

/**
 * The time range and auto-refresh every view over time shares. The URL stays the source of
 * truth (`range` or `from`/`to`, `refresh`); the store reads the route and writes it back, and
 * owns the one refresh timer. `window` changes when the range changes or a refresh is due.
 */
export const useTimeRangeStore = defineStore('timeRange', () => {
  const router = useRouter();
  const query = computed(() => router.currentRoute.value.query);
  const now = ref(Date.now());
  const spec = computed<RangeSpec>(() => parseRange(query.value));
  const window = computed<TimeWindow>(() => resolveRange(spec.value, now.value));
  const refresh = computed({
    get: () => {
      const r = query.value.refresh;
      return typeof r === 'string' && refreshMs(r) !== null ? r : 'off';
    },
    set: (interval: string) => patchQuery(router, { refresh: interval === 'off' ? undefined : interval }),
  });

  let timer: ReturnType<typeof setInterval> | undefined;
  watch(
    refresh,
    (interval) => {
      clearInterval(timer);
      const ms = refreshMs(interval);
      if (ms !== null) timer = setInterval(() => (now.value = Date.now()), ms);
    },
    { immediate: true },
  );
  onScopeDispose(() => clearInterval(timer));

  function setRange(next: RangeSpec): void {
    now.value = Date.now();
    patchQuery(router, rangeQuery(next));
  }
  function setRefresh(interval: string): void {
    refresh.value = interval;
  }
  function reload(): void {
    now.value = Date.now();
  }

  return { spec, window, refresh, setRange, setRefresh, reload };
});
